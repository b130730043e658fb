"""Crisis-agreement rosters (issue #14, item 1): declared periods, staggered cohorts, a ceiling on the share resting, ramp-down.

The baseline (``scenarios/sweden_spring2020.toml``) sets the roster keys; the arm "all at once" sets them back to the
agreement of before issue #14 (one cohort, no ceiling, no extension), with the same declared period and seed
(common random numbers), so the difference between the arms is the rosters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import refused

import sim
from sim import kernels
from sim.categories import ACTIVE, LEVELS, N_PROFESSIONS, OFF_DUTY
from tests.test_scenario import BASE

SCALE = 0.1
SEED = 3
CRISIS = LEVELS.index("crisis")
ALL_AT_ONCE = {
    "levers.crisis_agreement.cohorts": 1,
    "levers.crisis_agreement.max_resting_share": 1.0,
    "levers.crisis_agreement.max_extension_weeks": 0.0,
}
OLD = {  # every new key at the value that gives the agreement of before issue #14
    **ALL_AT_ONCE,
    "levers.crisis_agreement.min_active_days": 0,
    "levers.crisis_agreement.lift_after_days": 0,
    "levers.crisis_agreement.until": None,
    "levers.crisis_agreement.ramp_down": False,
}


def _lever(model: sim.MobilisationModel):
    return next(lv for lv in model.levers if lv.name == "crisis_agreement")


def _region(model: sim.MobilisationModel, code: str = "stockholm") -> int:
    return int(np.flatnonzero(model.world.regions["code"].to_numpy() == code)[0])


def _run(**overrides) -> dict:
    """Step a 10 % spring baseline, checking the invariants every day; return what the tests read."""
    model = sim.MobilisationModel(BASE, seed=SEED, **{"world.scale": SCALE, **overrides})
    lever, s = _lever(model), model.world.staff
    cfg = lever.cfg
    n = len(s)
    trace = {"forced_above": 0, "unforced_above": 0, "levels": [], "placed_in_inactive": 0}
    act = lever.act

    def checked_act(m, day):
        before = s.agreement_days.copy()
        act(m, day)
        assert not (s.agreement_days > 0)[s.status != ACTIVE].any(), "only active staff are placed"
        assert not s.agreement_rest[s.status != OFF_DUTY].any(), "resting after a placement means off duty"
        # the ceiling, counted as the core counts it: by (home unit, profession), right after today's placement
        new_rest = s.agreement_rest & (s.status == OFF_DUTY) & (s.days_left == cfg.rest_days) & (before > 0)
        forced = new_rest & (before >= lever.placement_days + lever.extension_days)
        group = s.home.astype(np.int64) * N_PROFESSIONS + s.profession
        size = model.world.n_workplaces * N_PROFESSIONS
        resting = np.bincount(group[s.agreement_rest & (s.status == OFF_DUTY)], minlength=size)
        placed = np.bincount(group[(s.agreement_days > 0) & (s.status == ACTIVE)], minlength=size)
        above = resting > cfg.max_resting_share * (resting + placed) + 1e-9
        unforced_groups = np.bincount(group[new_rest & ~forced], minlength=size) > 0
        trace["unforced_above"] += int((above & unforced_groups).sum())
        trace["forced_above"] += int((above & (np.bincount(group[forced], minlength=size) > 0)).sum())
        # placed only where the agreement is active or running out
        live = lever.active[day] | lever.ending
        placed_at = model.world.workplace_region[s.workplace[s.agreement_days > 0]]
        trace["placed_in_inactive"] += int((~live[placed_at]).sum())

    lever.act = checked_act
    while model.running:
        model.step()
        assert len(s) == n
        trace["levels"].append(model.levels.copy())
    result = model.result()
    trace.update(model=model, lever=lever, result=result, levels=np.array(trace["levels"]))
    return trace


@pytest.fixture(scope="module")
def arms() -> dict[str, dict]:
    return {"staggered": _run(), "all_at_once": _run(**ALL_AT_ONCE)}


def _specialists(result: sim.Result, region: str) -> pd.Series:
    """Specialist ICU nurses on duty in the region's ICU (hours / 24), per day."""
    icu = result.daily.icu
    return icu[icu["region"] == region].set_index("date")["specialist_icu_nurses"]


def _largest_drop(series: pd.Series) -> float:
    return float((-series.diff()).max())


def test_staggered_cohorts_lower_the_largest_one_day_drop(arms):
    """Common random numbers: with rosters the ICU nurses of a crisis region do not all rest on the same day."""
    crisis_regions = [
        code
        for r, code in enumerate(arms["staggered"]["model"].world.regions["code"])
        if (arms["staggered"]["levels"][:, r] == CRISIS).any() and (arms["all_at_once"]["levels"][:, r] == CRISIS).any()
    ]
    assert "stockholm" in crisis_regions
    drop = {k: _largest_drop(_specialists(arms[k]["result"], "stockholm")) for k in arms}
    assert drop["staggered"] < 0.6 * drop["all_at_once"], drop


def test_staggered_cohorts_lower_unsafe_icu_care_in_stockholm(arms):
    unsafe = {}
    for k, arm in arms.items():
        icu = arm["result"].daily.icu
        unsafe[k] = float(icu.loc[icu["region"] == "stockholm", "unsafe_patients"].sum())
    assert unsafe["staggered"] < unsafe["all_at_once"], unsafe


def test_resting_share_stays_under_the_ceiling_unless_the_extension_limit_forces_it(arms):
    on = arms["staggered"]
    assert on["unforced_above"] == 0, "a rest within the extension limit never lifts a unit above the ceiling"
    assert on["lever"].deferred.sum() > 0, "the ceiling binds: some rests are deferred (placements extended)"
    assert on["placed_in_inactive"] == 0 and arms["all_at_once"]["placed_in_inactive"] == 0


def test_no_staff_lost_or_duplicated(arms):
    for arm in arms.values():
        status = arm["result"].daily.staff
        totals = status.groupby("date", observed=True)["n_total"].sum()
        assert totals.nunique() == 1, "every staff member is counted once, every day"
        assert totals.iloc[0] == len(arm["model"].world.staff)


def test_agreement_stays_active_until_its_date_and_its_minimum_period():
    until = pd.Timestamp("2020-05-31")
    arm = _run(**{"levers.crisis_agreement.until": until.date(), "time.end": "2020-06-10"})
    lever, model = arm["lever"], arm["model"]
    r = _region(model)
    dates = pd.DatetimeIndex(model.dates)
    active = lever.active[: len(dates), r]
    first = int(np.flatnonzero(active)[0])
    assert arm["levels"][first, r] == CRISIS, "declared when the region reaches crisis"
    assert active[first : dates.get_loc(until) + 1].all(), "active every day from the declaration until the date"
    # a minimum period without a date: at least min_active_days after each declaration
    arm = _run(**{"levers.crisis_agreement.until": None, "levers.crisis_agreement.min_active_days": 45, "time.end": "2020-06-10"})
    active = arm["lever"].active[: len(dates), r]
    starts = np.flatnonzero(active & ~np.concatenate([[False], active[:-1]]))
    assert starts.size
    for d in starts:
        assert active[d : min(d + 45, len(dates))].all()


def test_old_values_reproduce_the_old_agreement():
    """With the old values the agreement is active exactly while the region is in crisis."""
    arm = _run(**OLD, **{"time.end": "2020-05-31"})
    levels = arm["levels"]
    assert np.array_equal(arm["lever"].active[: levels.shape[0]], levels >= CRISIS)


def test_ramp_down_ends_placements_one_by_one():
    """Lifted on a date (no minimum, no hysteresis): staff leave at their placement's end, not all on the lifting day."""
    arm = _run(
        **{
            "levers.crisis_agreement.until": "2020-04-20",
            "levers.crisis_agreement.min_active_days": 0,
            "levers.crisis_agreement.lift_after_days": 0,
            "escalation.crisis_gap": 0.9,  # no region reaches crisis by itself: the national window declares it
            "levers.crisis_agreement.national_from": "2020-04-01",
            "levers.crisis_agreement.national_until": "2020-04-01",
            "time.end": "2020-05-31",
        }
    )
    lever, model = arm["lever"], arm["model"]
    dates = pd.DatetimeIndex(model.dates)
    lift = dates.get_loc(pd.Timestamp("2020-04-21"))
    assert lever.active[lift - 1].all() and not lever.active[lift].any()
    placed = arm["result"].daily.regions.groupby("date", observed=True)["cost_crisis_pay_sek"].sum()
    after = placed.iloc[lift : lift + 40].to_numpy()
    assert after[0] > 0, "the day after the lifting, placements still run"
    assert (np.diff(after) <= 1e-6 * after.max()).sum() >= 0.8 * (after.size - 1), "crisis pay runs out, mostly falling"
    assert after[-1] == 0, "all placements have ended within a placement and its longest extension"


def test_core_defers_rests_above_the_ceiling_longest_placements_first():
    """The kernel alone: 20 staff of one unit all due today, a ceiling of 25 %, an extension of at most 3 days."""
    n = 20
    status = np.full(n, ACTIVE, dtype=np.int8)
    home = np.zeros(n, dtype=np.int32)
    workplace = home.copy()
    days = np.full(n, 28, dtype=np.int32)
    days[:2] = 31  # two at the extension limit: forced to rest
    days[2:5] = 30  # then the longest placements
    kw = dict(
        status=status, workplace=workplace, home=home, profession=np.zeros(n, dtype=np.int8), days_left=np.zeros(n, dtype=np.int32),
        agreement_days=days, agreement_rest=np.zeros(n, dtype=np.bool_), agreement_declared=np.zeros(n, dtype=np.int32),
        start_offset=np.zeros(n, dtype=np.int32), max_hours=np.full(n, 40 / 7), unit_state=np.array([kernels.AGREEMENT_ON], dtype=np.int8),
        unit_declared=np.zeros(1, dtype=np.int32), cap_hours=np.full(1, 48 / 7), placement_days=28, rest_days=7, max_resting_share=0.25,
        max_extension_days=3, n_professions=N_PROFESSIONS,
    )  # fmt: skip
    deferred = kernels.place_under_agreement(**kw)
    resting = status == OFF_DUTY
    assert resting[:2].all(), "at the extension limit the rest is forced"
    assert resting.sum() == 5 and resting[2:5].all(), "up to 25 % of 20: the three longest placements after the forced two"
    assert deferred == 15
    assert (days[~resting] == 29).all() and (days[resting] == 0).all()


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("levers.crisis_agreement.min_active_days", "-1", "greater than or equal to 0"),
        ("levers.crisis_agreement.lift_after_days", "-7", "greater than or equal to 0"),
        ("levers.crisis_agreement.max_resting_share", "1.5", "less than or equal to 1"),
        ("levers.crisis_agreement.max_extension_weeks", "-1.0", "greater than or equal to 0"),
        ("levers.crisis_agreement.cohorts", "0", "greater than or equal to 1"),
        ("levers.crisis_agreement.until", "2019-12-31", "before the scenario's start"),
    ],
)
def test_bad_roster_keys_name_the_key(key, value, fragment):
    refused(BASE, key, value, fragment)


def test_icu_staff_figure_draws(arms):
    from sim.figures import icu_staff_at_work

    fig = icu_staff_at_work(arms["staggered"]["result"], "stockholm")
    assert fig.axes and fig.axes[0].collections
