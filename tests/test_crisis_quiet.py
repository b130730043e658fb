"""A crisis in any year and quiet periods (issue #17, first slice): ``[crisis]``, ``[quiet]``, ``kernels.advance_quiet``.

The key test is the docking of the quiet path against the daily core, in the style of ``tests/test_docking.py``:

- **Kernel.** 40,000 staff under held conditions with raised hazards (so that ordinary sick leave, exhaustion and
  leaving all happen), 56 days: the daily core (``advance_staff``, 56 calls) against the quiet kernel
  (``advance_quiet``, eight steps of 7 days). The shares by status are compared by two-proportion z-tests and the
  mean fatigue and sustained fatigue by Welch's t-test, |z| < 4.5 each (about 1e-5 per test). Without events the
  closed form equals the daily fatigue arithmetic to 1e-9. The test can fail: ordinary sick spells 30 % longer in
  the quiet kernel are rejected.
- **Model.** ``scenarios/crisis_2031.toml`` at ``world.scale`` 0.02 from 1 April 2031 to the wave's start on
  1 October (escalation thresholds raised so that no region escalates on ordinary sick-leave noise), R = 8 seeds
  with ``[quiet]`` on and 8 with it off: on the day the crisis starts the share sick, the mean fatigue and the staff
  who left, and on the day the daily core resumes (the warm-up's start) the share sick and the staff who left,
  Welch's t-tests with Holm's correction at a family-wise 1 %; the mean fatigue on the warm-up's start within 3 %
  (holding a step's conditions raises it by 1–2 %, see the test).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import sim
from sim import kernels
from sim.categories import ACTIVE, LEFT, N_STATUSES, SICK_EXHAUSTION, SICK_OTHER
from sim.errors import ScenarioError
from sim.model import MobilisationModel

CRISIS = "scenarios/crisis_2031.toml"
N = 40_000
DAYS = 56
STEP = 7
R = 8
ALPHA = 0.01


# --------------------------------------------------------------------------- scenario and demand
@pytest.mark.parametrize(
    ("overrides", "key", "fragment"),
    [
        ({"crisis.start": "2029-10-01"}, "crisis.start", "outside the run"),
        ({"crisis.scale": -0.5}, "crisis.scale", "greater than or equal to 0"),
        ({"demand.source": "csv", "demand.csv": "sim/data/borders.csv"}, "crisis.enabled", "demand.source = 'admissions'"),
        ({"crisis.source_until": "2019-01-01"}, "crisis.source_until", "outside the ICU admissions data"),
        ({"quiet.step_days": 40}, "quiet.step_days", "at most 31"),
    ],
)
def test_bad_input_names_the_key(overrides, key, fragment):
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario(CRISIS, **overrides)
    assert key in str(err.value) and fragment in str(err.value)


def test_crisis_redates_the_admissions_and_off_by_default():
    base = sim.load_scenario("scenarios/sweden_spring2020.toml")
    assert not base.crisis.enabled and not base.quiet.enabled
    sc = sim.load_scenario(CRISIS, **{"world.scale": 0.02})
    m = MobilisationModel(sc, seed=0)
    icu = m.demand.covid_icu.sum(axis=1)
    start = (sc.crisis.start - sc.time.start).days
    assert np.all(icu[:start] == 0.0)  # no COVID before the wave
    spring = MobilisationModel("scenarios/sweden_spring2020.toml", seed=0, world__scale=0.02).demand.covid_icu.sum(axis=1)
    # the same wave: the spring 2020 peak (555 on 24 April, facts) 54 days after the start, as on 1 March 2020
    assert icu.max() == pytest.approx(spring.max(), rel=0.01)
    assert int(np.argmax(icu)) - start == int(np.argmax(spring))
    half = sc.with_overrides(**{"crisis.scale": 0.5})
    assert MobilisationModel(half, seed=0).demand.covid_icu.sum(axis=1).max() == pytest.approx(icu.max() / 2)


# --------------------------------------------------------------------------- the kernel
def _staff(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    status = np.where(rng.random(N) < 0.05, SICK_OTHER, ACTIVE).astype(np.int8)
    fatigue = rng.uniform(0.0, 0.6, N)
    return {
        "status": status,
        "days_left": np.where(status == SICK_OTHER, rng.integers(1, 15, N), 0).astype(np.int32),
        "fatigue": fatigue,
        "fatigue_sustained": fatigue * 0.8,
        "hours_worked": np.zeros(N),
        "trained": np.zeros(N, dtype=np.bool_),
        "workplace": (np.arange(N) % 2).astype(np.int32),
        "role": np.zeros(N, dtype=np.int8),
        # contracted hours and sick rates come from lookup tables by contract and by employer: one contract for all,
        # each person an employer of their own (their own rate)
        "contract": np.zeros(N, dtype=np.int8),
        "base_hours_by_contract": np.array([8.0]),
        "max_hours": np.full(N, 10.0),
        "employer": np.arange(N),
        "other_sick_rate_by_employer": rng.uniform(0.002, 0.008, N),
    }


CONDITIONS = {"extra_share": np.array([[0.3], [0.8]]), "pressure": np.array([[1.1], [1.4]]), "intensity": np.array([1.0, 1.5])}


def _params(other_mean_days: float = 8.0, events: bool = True):
    fatigue = kernels.make_params(
        kernels.FatigueParams, reference_hours=8.0, rise=0.08, recovery=0.04, off_work_recovery=0.1, threshold=0.9, sustained_rate=1 / 30
    )
    absence = kernels.make_params(
        kernels.AbsenceParams,
        other_mean_days=other_mean_days,
        exhaustion_rate=0.02 if events else 0.0,
        exhaustion_power=2.0,
        exhaustion_mean_days=30.0,
        leave_base_rate=0.0005 if events else 0.0,
        leave_fatigue_rate=0.05 if events else 0.0,
        leave_threshold=0.3,
    )
    return fatigue, absence


def _daily(seed: int, events: bool = True) -> dict:
    st = _staff()
    if not events:
        st["other_sick_rate_by_employer"][:] = 0.0
    fatigue, absence = _params(events=events)
    infection = kernels.make_params(
        kernels.InfectionParams,
        community_rate=0.0,
        symptomatic_share=0.5,
        onset_days=3,
        covid_mean_days=10.0,
        long_share=0.0,
        long_mean_days=10.0,
    )
    for day in range(DAYS):
        kernels.advance_staff(
            key=np.uint64(kernels.day_key(seed=seed, day=day)),
            day=day,
            status=st["status"],
            days_left=st["days_left"],
            fatigue=st["fatigue"],
            fatigue_sustained=st["fatigue_sustained"],
            infected_day=np.full(N, -1, dtype=np.int32),
            symptomatic=np.zeros(N, dtype=np.bool_),
            hours_worked=st["hours_worked"],
            trained=st["trained"],
            n_regular=N,
            first_entrant=N,
            workplace=st["workplace"],
            role=st["role"],
            home=st["workplace"].copy(),
            region=np.zeros(N, dtype=np.int32),
            contract=st["contract"],
            base_hours_by_contract=st["base_hours_by_contract"],
            max_hours=st["max_hours"],
            employer=st["employer"],
            other_sick_rate_by_employer=st["other_sick_rate_by_employer"],
            work_infection_rate=np.zeros(2),
            prevalence=np.zeros(1),
            fatigue_params=fatigue,
            infection_params=infection,
            absence_params=absence,
            **CONDITIONS,
        )
    return st


def _quiet(seed: int, events: bool = True, other_mean_days: float = 8.0) -> dict:
    st = _staff()
    if not events:
        st["other_sick_rate_by_employer"][:] = 0.0
    fatigue, absence = _params(other_mean_days=other_mean_days, events=events)
    for first in range(0, DAYS, STEP):
        kernels.advance_quiet(
            key=np.uint64(kernels.day_key(seed=seed, day=first)),
            n_days=STEP,
            n_regular=N,
            first_entrant=N,
            fatigue_params=fatigue,
            absence_params=absence,
            **st,
            **CONDITIONS,
        )
    return st


def _differences(a: dict, b: dict) -> dict[str, float]:
    """z (shares by status) and t (fatigue means) of the quiet kernel's state against the daily core's."""
    out = {}
    for name, code in (("active", ACTIVE), ("sick_other", SICK_OTHER), ("sick_exhaustion", SICK_EXHAUSTION), ("left", LEFT)):
        pa, pb = np.mean(a["status"] == code), np.mean(b["status"] == code)
        pooled = (pa + pb) / 2
        se = np.sqrt(max(pooled * (1 - pooled), 1e-12) * 2 / N)
        out[name] = (pa - pb) / se
    for name in ("fatigue", "fatigue_sustained"):
        out[name] = float(stats.ttest_ind(a[name], b[name], equal_var=False).statistic)
    return out


@pytest.fixture(scope="module")
def daily_state() -> dict:
    return _daily(seed=11)


def test_quiet_kernel_docks_with_the_daily_core(daily_state):
    quiet = _quiet(seed=12)
    # every event happens often enough to be compared
    for code in (SICK_OTHER, SICK_EXHAUSTION, LEFT):
        assert np.sum(daily_state["status"] == code) > 300, code
    diffs = _differences(quiet, daily_state)
    assert all(abs(z) < 4.5 for z in diffs.values()), diffs


def test_quiet_kernel_can_fail(daily_state):
    diffs = _differences(_quiet(seed=12, other_mean_days=8.0 * 1.3), daily_state)
    assert abs(diffs["sick_other"]) > 4.5, diffs


def test_closed_form_fatigue_equals_the_daily_steps():
    daily, quiet = _daily(seed=3, events=False), _quiet(seed=3, events=False)
    assert np.array_equal(daily["status"], quiet["status"])
    np.testing.assert_allclose(quiet["fatigue"], daily["fatigue"], atol=1e-9)
    np.testing.assert_allclose(quiet["fatigue_sustained"], daily["fatigue_sustained"], atol=1e-9)


def test_quiet_kernel_same_key_same_state():
    a, b = _quiet(seed=5), _quiet(seed=5)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["status"], _quiet(seed=6)["status"])


# --------------------------------------------------------------------------- the model
def _model_scenario(quiet: bool) -> sim.Scenario:
    return sim.load_scenario(
        CRISIS,
        **{
            "world.scale": 0.02,
            "time.start": "2031-04-01",
            "time.end": "2031-10-01",
            "escalation.alert_gap": 0.9,  # no escalation on ordinary sick-leave noise at this small scale
            "escalation.crisis_gap": 0.95,
            "quiet.enabled": quiet,
        },
    )


def _indicators(m: MobilisationModel) -> list[float]:
    s = m.world.staff
    status = s.status[: s.n_regular]
    gone = status == LEFT
    sick = np.isin(status, (SICK_OTHER, SICK_EXHAUSTION))
    return [sick.sum() / (~gone).sum(), s.fatigue[: s.n_regular][~gone].mean(), gone.sum()]


def _run_to(sc: sim.Scenario, seed: int, resume: int) -> tuple[list[float], list[float], MobilisationModel]:
    m = MobilisationModel(sc, seed=seed)
    at_resume = None
    while m.running:
        if m.day == resume:
            at_resume = _indicators(m)
        m.step()
    assert at_resume is not None
    return at_resume, _indicators(m), m


@pytest.fixture(scope="module")
def model_runs() -> dict[bool, list]:
    sc = {q: _model_scenario(q) for q in (True, False)}
    probe = MobilisationModel(sc[True], seed=0)
    probe.run()
    resume = int(np.flatnonzero(probe.quiet_days)[-1]) + 1  # the first day of the warm-up (the daily core again)
    assert probe.dates[resume] < sc[True].crisis.start
    return {q: [_run_to(sc[q], seed, resume) for seed in range(R)] for q in (True, False)}


def _pvalues(quiet: list, daily: list, moment: int, indicators: tuple[int, ...]) -> list[float]:
    a, b = np.array([r[moment] for r in quiet]), np.array([r[moment] for r in daily])
    pvalues = []
    for k in indicators:
        if np.ptp(a[:, k]) == 0 and np.ptp(b[:, k]) == 0:
            pvalues.append(1.0 if a[0, k] == b[0, k] else 0.0)
        else:
            pvalues.append(float(stats.ttest_ind(a[:, k], b[:, k], equal_var=False).pvalue))
    return pvalues


def test_quiet_path_docks_with_the_daily_core_at_the_crisis_start(model_runs):
    """The crisis's first day: share sick, mean fatigue, staff left; the warm-up's first day: share sick, staff left.

    The mean fatigue on the warm-up's first day is not docked: holding a step's conditions for its days raises it by
    1–2 % (seeds 0–3: 0.0828 with monthly steps, 0.0825 with weekly ones, 0.0814 with one-day steps, against 0.0816 on
    the daily core), a bias the 28 days of daily core before the crisis remove. It is bounded here instead (3 %).
    """
    quiet, daily = model_runs[True], model_runs[False]
    assert all(m.quiet_days.sum() > 100 for *_, m in quiet) and not any(m.quiet_days.any() for *_, m in daily)
    pvalues = _pvalues(quiet, daily, 1, (0, 1, 2)) + _pvalues(quiet, daily, 0, (0, 2))
    fatigue_q, fatigue_d = np.mean([r[0][1] for r in quiet]), np.mean([r[0][1] for r in daily])
    assert abs(fatigue_q / fatigue_d - 1.0) < 0.03, (fatigue_q, fatigue_d)
    order = np.argsort(pvalues)
    for rank, i in enumerate(order):  # Holm's step-down
        if pvalues[i] > ALPHA / (len(pvalues) - rank):
            break
        pytest.fail(f"indicator {i} differs: p = {pvalues[i]:.2g} ({pvalues})")


def test_quiet_runs_conserve_rows_and_repeat(model_runs):
    _, _, m = model_runs[True][0]
    s = m.world.staff
    counts = m.recorder.status.sum(axis=1)  # (days, statuses): every day's rows, quiet days held
    assert counts.shape[1] == N_STATUSES and np.all(counts.sum(axis=1) == len(s.status))
    again = MobilisationModel(m.config, seed=0)
    again.run()
    assert np.array_equal(again.quiet_days, m.quiet_days)
    assert np.array_equal(again.world.staff.status, s.status) and np.array_equal(again.world.staff.fatigue, s.fatigue)
    assert again.result().summary.equals(m.result().summary)


class _Supply:
    def __init__(self) -> None:
        self.days: list[int] = []

    def step(self, model: MobilisationModel, day: int) -> None:
        self.days.append(day)


def test_quiet_steps_call_the_supply_each_month_and_never_cross_one():
    m = MobilisationModel(_model_scenario(True), seed=1)
    m.supply = supply = _Supply()
    starts = []
    while m.running:
        first = m.day
        m.step()
        starts.append((first, m.day))
    for first, after in starts:  # a step never contains a month's first day except as its own first day
        assert all(m.dates[d].day != 1 for d in range(first + 1, after))
    month_starts = [d for d in range(m.n_days) if m.dates[d].day == 1]  # whether the day is quiet or daily
    assert any(m.quiet_days[d] for d in month_starts) and supply.days == month_starts
