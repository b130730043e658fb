"""Docking: the float32 continuous staff state (issue #18) against the float64 state it replaced.

Setting: ``scenarios/second_wave.toml`` (both waves, every lever of the 2020 baseline) at ``world.scale`` 0.02
(about 6,600 staff), whole run. The state's dtype is ``sim.kernels.FS`` (float32: fatigue, sustained fatigue, hours
worked, most hours, effectiveness, posting effectiveness, hygiene); the float64 runs set it back to float64 for the
build of their world, so both variants run from this one checkout. The float64 runs take seeds 0..R-1, the float32
runs seeds 100..100+R-1 (independent samples), R = 10 each.

**Test.** For each main output of the summary (unsafe ICU patient-days, peak share of staff off sick, mean fatigue
at the end, resident deaths, staff lost), Welch's two-sample t-test of the R float32 values against the R float64
values, Holm's step-down correction over the family at 1 %: the variants dock when no test is rejected. An output
that is constant and equal in both samples counts as agreeing; constant but different counts as a rejection.
Besides, the means may differ by at most 4 standard errors of their difference plus 1 % of the float64 mean
(a bound on a systematic shift the t-tests could miss with so few runs).

``kernels.FS`` is float64 by default until the docs' tables are regenerated with float32; these tests set it for each
arm. They take about two minutes: marked ``long`` (``make test-long``, CI).

**The test can fail.** ``test_docking_detects_a_perturbed_state`` runs the float64 state with fatigue rising 20 %
faster and requires the same test to reject.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim import kernels

pytestmark = pytest.mark.long

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "second_wave.toml"
SCALE = 0.02
R = 10
ALPHA = 0.01
OUTPUTS = ("unsafe_icu_patient_days", "peak_sick_share", "fatigue_mean_end", "resident_deaths", "staff_lost")


def _runs(dtype: type, seeds: range, **overrides) -> pd.DataFrame:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kernels, "FS", dtype)
        rows = [sim.run(SCENARIO, seed=s, world__scale=SCALE, **overrides).summary.iloc[0][list(OUTPUTS)] for s in seeds]
    return pd.DataFrame(rows).astype(float).reset_index(drop=True)


@pytest.fixture(scope="module")
def float64_runs() -> pd.DataFrame:
    return _runs(np.float64, range(R))


@pytest.fixture(scope="module")
def float32_runs() -> pd.DataFrame:
    return _runs(np.float32, range(100, 100 + R))


def docking(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Per output: both means, Welch's p-value and whether Holm's method rejects it at ``ALPHA``."""
    out = {}
    for name in OUTPUTS:
        x, y = a[name].to_numpy(), b[name].to_numpy()
        constant = np.ptp(x) == 0 and np.ptp(y) == 0
        p = (1.0 if x[0] == y[0] else 0.0) if constant else float(stats.ttest_ind(x, y, equal_var=False).pvalue)
        se = float(np.sqrt(x.var(ddof=1) / x.size + y.var(ddof=1) / y.size))
        out[name] = {"mean_a": x.mean(), "mean_b": y.mean(), "se_diff": se, "p": p}
    frame = pd.DataFrame(out).T
    order = frame["p"].sort_values().index
    rejected, m = pd.Series(False, index=frame.index), len(order)
    for k, name in enumerate(order):  # Holm's step-down
        if frame.at[name, "p"] > ALPHA / (m - k):
            break
        rejected[name] = True
    frame["rejected"] = rejected
    return frame


def test_float32_state_docks_with_float64(float64_runs, float32_runs):
    frame = docking(float64_runs, float32_runs)
    print("\n" + frame.to_string())  # the report quotes these (pytest -s)
    assert not frame["rejected"].any(), frame
    shift = (frame["mean_b"] - frame["mean_a"]).abs()
    assert (shift <= 4 * frame["se_diff"] + 0.01 * frame["mean_a"].abs()).all(), frame


def test_docking_detects_a_perturbed_state(float64_runs):
    faster = _runs(np.float64, range(200, 200 + R), fatigue__rise=float(sim.load_scenario(SCENARIO).fatigue.rise) * 1.2)
    assert docking(float64_runs, faster)["rejected"].any()
