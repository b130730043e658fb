"""Docking: the numba core and an idiomatic Mesa reference (benchmarks/reference_mesa.py) agree in distribution.

Setting: ``scenarios/no_action.toml`` at ``world.scale`` 0.006 (about 2,000 staff), its first 91 days
(1 March – 30 May 2020, the spring wave), each day's inputs recorded from one ``MobilisationModel``
run and replayed to both implementations (what is shared and what differs: the module docstring of
``benchmarks/reference_mesa.py``). The core runs with seeds 0..R-1 (counter-based draws), the
reference with Mesa seeds 1000..1000+R-1 (``self.random``), R = 8 each.

**Test.** For every 7th day and each indicator (staff active, off sick with COVID, off sick
otherwise, off with exhaustion, left; mean fatigue of staff who have not left), Welch's two-sample
t-test of the core's R values against the reference's R values. The family of tests is corrected
with Holm's step-down method at a family-wise level of 1 %: the implementations dock when no test
is rejected. An indicator that is constant and equal in both samples (nobody leaves in this
setting) counts as agreeing; constant but different counts as a rejection. Tolerance: none beyond
sampling noise; with R = 8 and 78 tests (13 days × 6 indicators) a single test is rejected at
|t| > 5.2, so it detects a shift of the mean of about 2.6 standard deviations of one run's
indicator on a single day.

**The test can fail.** ``test_docking_detects_a_perturbed_reference`` runs the reference with a
changed parameter (fatigue rising 20 % faster; ordinary sick spells 30 % longer) and requires the
same test to reject.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import reference_mesa as ref  # noqa: E402

R = 8
R_PERTURBED = 5
DAYS = 91
EVERY = 7
ALPHA = 0.01
SCALE = 0.006


@pytest.fixture(scope="module")
def setting() -> ref.Setting:
    return ref.record_setting(ref.DOCKING_SCENARIO, seed=0, n_days=DAYS, world__scale=SCALE)


@pytest.fixture(scope="module")
def core_runs(setting) -> list[pd.DataFrame]:
    return [ref.run_core(setting, seed=r) for r in range(R)]


@pytest.fixture(scope="module")
def reference_runs(setting) -> list[pd.DataFrame]:
    return [ref.run_reference(setting, seed=1000 + r) for r in range(R)]


def docking_pvalues(a_runs: list[pd.DataFrame], b_runs: list[pd.DataFrame]) -> pd.Series:
    """Welch t-test p-value per (day, indicator) over every ``EVERY``-th day; NaN-free (see module docstring)."""
    a = np.stack([r.to_numpy(float) for r in a_runs])  # (runs, days, indicators)
    b = np.stack([r.to_numpy(float) for r in b_runs])
    days = np.arange(EVERY - 1, a.shape[1], EVERY)
    out = {}
    for d in days:
        for k, name in enumerate(ref.INDICATORS):
            x, y = a[:, d, k], b[:, d, k]
            if np.ptp(x) == 0 and np.ptp(y) == 0:
                out[(int(d), name)] = 1.0 if x[0] == y[0] else 0.0
            else:
                out[(int(d), name)] = float(stats.ttest_ind(x, y, equal_var=False).pvalue)
    return pd.Series(out)


def holm_rejected(pvalues: pd.Series, alpha: float = ALPHA) -> pd.Series:
    """The tests Holm's step-down method rejects at family-wise level ``alpha``."""
    ordered = pvalues.sort_values()
    m = len(ordered)
    thresholds = alpha / (m - np.arange(m))
    passed = ordered.to_numpy() <= thresholds
    n_rejected = m if passed.all() else int(np.argmin(passed))
    return ordered.iloc[:n_rejected]


def test_holm_rejects_only_what_it_should():
    p = pd.Series({"a": 0.0001, "b": 0.004, "c": 0.03, "d": 0.5})
    assert list(holm_rejected(p, 0.05).index) == ["a", "b"]  # 0.0001 <= 0.0125, 0.004 <= 0.0167, 0.03 > 0.025
    assert holm_rejected(pd.Series({"a": 0.2, "b": 0.0001}), 0.01).empty is False
    assert holm_rejected(pd.Series({"a": 0.2, "b": 0.01}), 0.01).empty


def test_the_setting_is_a_wave(setting, core_runs):
    """The docking world is small but sees the spring wave: COVID sick leave and fatigue rise."""
    assert 1_000 < setting.n_staff < 5_000
    assert max(c["n_sick_covid"].max() for c in core_runs) >= 10
    assert all(c["fatigue_mean"].iloc[-1] > 2 * c["fatigue_mean"].iloc[0] for c in core_runs)


def test_core_and_reference_agree_in_distribution(core_runs, reference_runs):
    pvalues = docking_pvalues(core_runs, reference_runs)
    rejected = holm_rejected(pvalues)
    assert rejected.empty, f"core and reference differ (Holm, FWER {ALPHA}):\n{rejected}"


@pytest.mark.parametrize(
    "change",
    [{"rise": 1.20}, {"other_mean_days": 1.30}],
    ids=["fatigue_rise_+20%", "sick_spells_+30%"],
)
def test_docking_detects_a_perturbed_reference(setting, core_runs, change):
    base = setting.dynamics
    dynamics = base.perturbed(**{k: getattr(base, k) * f for k, f in change.items()})
    perturbed = [ref.run_reference(setting, seed=2000 + r, dynamics=dynamics) for r in range(R_PERTURBED)]
    assert not holm_rejected(docking_pvalues(core_runs, perturbed)).empty
