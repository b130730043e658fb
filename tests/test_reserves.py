"""Issue #17, items 3 and 4: reserves recruited from the run's stocks (levers.reserves), the national pool capped by them,
retention and short courses. Small scales: a year with the 2031 wave (scenarios/crisis_2031.toml), quiet months stepped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.categories import ACTIVE, ALL_STATUSES, LEFT, POSTINGS, PROFESSIONS, RETIREE
from sim.model import MobilisationModel
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
CRISIS = ROOT / "scenarios" / "crisis_2031.toml"
#: a year with the wave of October 2031 (the quiet path steps the months before it); a high ICU-nurse retirement rate
#: so that a small world has retirees to recruit
YEAR = {
    "world.scale": 0.05,
    "time.start": "2031-01-01",
    "time.end": "2031-12-31",
    "supply.enabled": True,
    "supply.retirement_rate_per_year": {"icu_nurse": 0.15},
}
RESERVE = {
    "levers.reserves.enabled": True,
    "levers.reserves.target": {"icu_nurse": 3000.0, "registered_nurse": 400.0},
    "levers.reserves.retiree_join_share_per_month": 1.0,
    "levers.reserves.start_level": "staffing_alert",
}


def _model(seed: int = 1, **overrides) -> MobilisationModel:
    return MobilisationModel(scenario=CRISIS, seed=seed, **{**YEAR, **RESERVE, **overrides})


def _check_rows(model: MobilisationModel, n_rows: int) -> None:
    """Every row once, with a known status; roster members are workforce rows; a retiree member not called is retired,
    a called retiree works in their own region; no member is a recruit, an additional pool member or a drawn pool member."""
    s, lever = model.world.staff, model.lever("reserves")
    assert len(s) == n_rows
    assert np.bincount(s.status, minlength=len(ALL_STATUSES)).sum() == n_rows
    assert set(np.unique(s.status)) <= set(range(len(ALL_STATUSES)))
    roster = lever.roster
    assert not np.any((roster >= s.n_regular) & (roster < s.first_entrant))
    retirees = roster[lever.kind[roster] == 1]
    idle = retirees[~lever.called[retirees]]
    assert np.all(s.status[idle] == RETIREE)
    working = retirees[lever.called[retirees] & (s.status[retirees] == ACTIVE) & (s.posting[retirees] < 0)]
    assert np.all(model.world.workplace_region[s.workplace[working]] == s.region[working])
    assert not np.any(s.status[roster] == LEFT)
    if model.pool is not None and not model.pool.additional:
        assert not np.isin(roster[lever.kind[roster] == 2], model.pool.members).any()


@pytest.fixture(scope="module")
def stepped() -> tuple[MobilisationModel, list[int]]:
    """A run stepped by hand, the rows checked after every step; the roster's monthly size by profession kept."""
    model = _model(seed=1, **{"levers.reserves.part_time_join_share_per_month": 0.05})
    n_rows = len(model.world.staff)
    over_target = []
    while model.running:
        model.step()
        _check_rows(model, n_rows)
        lever = model.lever("reserves")
        roster = np.bincount(model.world.staff.profession[lever.roster], minlength=lever.target.size)
        over_target.append(int(np.maximum(roster - lever.target, 0).sum()))
    return model, over_target


def test_rows_are_conserved_and_members_work_nowhere_else(stepped):
    model, over_target = stepped
    lever = model.lever("reserves")
    assert lever.roster.size > 0 and lever.calls > 0  # the wave called members
    assert max(over_target) == 0  # never above the target


def test_roster_is_never_larger_than_the_stock(stepped):
    model, _ = stepped
    monthly = model.lever("reserves").monthly
    assert len(monthly) == 12  # every month's hook ran, on quiet steps too
    first_days = [d for d in range(model.n_days) if model.dates[d].day == 1]
    assert model.quiet_days[first_days].any() and model.quiet_days.sum() > 100
    assert (monthly["retirees"] <= monthly["retiree_stock"]).all()
    assert (monthly["roster"] == monthly["retirees"] + monthly["part_time"]).all()
    assert (monthly["refreshed"] <= monthly["roster"]).all()
    # at the end the retiree members are among the retirees of the run within max_years_retired
    lever, s = model.lever("reserves"), model.world.staff
    retirees = lever.roster[lever.kind[lever.roster] == 1]
    stock = lever._retiree_candidates(model, model.n_days - 1, members_too=True)
    called_back = retirees[lever.called[retirees]]  # called members are at work, not retired, until released
    assert np.isin(np.setdiff1d(retirees, called_back), stock).all()
    assert np.all(lever.retired_day[retirees] >= 0)
    assert s.status[retirees].size == retirees.size


def test_same_seed_same_result():
    a = sim.run(CRISIS, seed=3, **{**YEAR, **RESERVE})
    b = sim.run(CRISIS, seed=3, **{**YEAR, **RESERVE})
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert a.summary.iloc[0]["reserves_roster_end"] > 0
    assert a.summary.iloc[0]["reserves_cost_sek"] > 0


#: the levers that raise ICU staffing when a region escalates: off in both arms of the direction test below
ESCALATING_LEVERS = (
    "crisis_agreement", "redeployment", "icu_upskilling", "recruitment", "loans", "bed_expansion", "patient_transfers",
    "beredskapslyftet",
)  # fmt: skip


def test_a_refreshed_reserve_of_retirees_lowers_unsafe_icu_care():
    """Common random numbers: the same seeds with and without a reserve of retired ICU nurses (part-timers left out),
    the levers that act on escalation off in both arms, so that the comparison is the reserve's own effect.

    With those levers on, the reserve's nurses also lower the regions' forecast gap, so fewer regions reach crisis and
    call the stronger measures: at this scale 2 of 3 seeds then had *more* unsafe ICU care with the reserve (issue #17's
    closing note). That interaction is a finding, not the lever's direction.
    """
    isolated = {**YEAR, **{f"levers.{name}.enabled": False for name in ESCALATING_LEVERS}}
    off, on = [], []
    for seed in range(3):
        off.append(sim.run(CRISIS, seed=seed, **isolated).summary.iloc[0]["unsafe_icu_patient_days"])
        s = sim.run(CRISIS, seed=seed, **{**isolated, **RESERVE, "levers.reserves.from_part_time": False}).summary.iloc[0]
        assert s["reserves_called"] > 0
        on.append(s["unsafe_icu_patient_days"])
    assert all(a < b for a, b in zip(on, off, strict=True))


def test_lapsed_members_are_not_called():
    """Without refreshers a training lapses after training_valid_months; at lapsed_effectiveness 0 a lapsed member is
    not called: fewer calls than with monthly refreshers (same seed), and most of the roster lapsed at the end."""
    common = {**YEAR, **RESERVE, "levers.reserves.from_part_time": False, "levers.reserves.training_valid_months": 1}
    kept = sim.run(CRISIS, seed=1, **{**common, "levers.reserves.refresher_every_months": 1}).summary.iloc[0]
    lapsed = sim.run(CRISIS, seed=1, **{**common, "levers.reserves.refresher_every_months": 0}).summary.iloc[0]
    assert lapsed["reserves_called"] < kept["reserves_called"]
    assert lapsed["reserves_refreshed_share_end"] < 0.5 < kept["reserves_refreshed_share_end"]


def test_off_is_unchanged():
    """The lever's table left at its defaults counts in no digest and adds no summary column."""
    assert load_scenario(CRISIS).digest() == load_scenario(CRISIS, **{"levers.reserves.upkeep_per_year_sek": 5000.0}).digest()
    assert load_scenario(CRISIS).digest() != load_scenario(CRISIS, **{"levers.reserves.upkeep_per_year_sek": 1.0}).digest()


@pytest.mark.parametrize(
    ("overrides", "key", "message"),
    [
        ({"levers.reserves.enabled": True}, "levers.reserves.enabled", "needs [supply] enabled = true"),
        ({"supply.enabled": True, "levers.reserves.target": {"icu_nurs": 5.0}}, "target", "unknown profession 'icu_nurs'"),
        ({"levers.reserves.retiree_join_share_per_month": 1.5}, "retiree_join_share_per_month", "less than or equal to 1"),
        ({"levers.reserves.max_years_retired": -1.0}, "max_years_retired", "greater than or equal to 0"),
        ({"levers.reserves.training_valid_months": 0}, "training_valid_months", "greater than or equal to 1"),
    ],
)
def test_bad_input_names_the_key(overrides, key, message):
    with pytest.raises(ScenarioError) as err:
        load_scenario(CRISIS, **overrides)
    assert key in str(err.value) and message in str(err.value)


# ---------------------------------------------------------------------------------------------- the pool capped by stocks
POOL = {
    "levers.national_pool.enabled": True,
    "levers.national_pool.mode": "additional",
    "levers.national_pool.size": 1600,
    "levers.national_pool.recruit_from": "stocks",
}


def test_pool_from_stocks_sends_no_more_than_the_stock_fills():
    model = MobilisationModel(scenario=CRISIS, seed=1, **{**YEAR, **POOL})
    pool, s = model.pool, model.world.staff
    with pytest.warns(UserWarning, match="levers.national_pool.size"):
        while model.running:
            model.step()
            deployed = s.posting_kind[pool.members] == POSTINGS.index("pool")
            assert not np.any(deployed & ~pool.filled)  # only filled members are out
            stock = pool.stock()
            filled = np.bincount(pool._profession[pool.filled], minlength=stock.size)
            out = np.bincount(pool._profession[deployed], minlength=stock.size)
            assert np.all(filled <= np.maximum(stock, out))
    assert pool.unfilled and 0 < max(pool.unfilled) <= pool.size
    assert model.lever("national_pool").summary(model.n_days)["pool_unfilled_members_peak"] == max(pool.unfilled)


def test_pool_from_stocks_off_counts_in_no_digest_and_needs_its_settings():
    base = load_scenario(CRISIS)
    assert base.digest() == load_scenario(CRISIS, **{"levers.national_pool.recruit_from": "rows"}).digest()
    with pytest.raises(ScenarioError, match=r"recruit_from.*needs mode = 'additional'"):
        load_scenario(CRISIS, **{"levers.national_pool.recruit_from": "stocks", "supply.enabled": True})
    with pytest.raises(ScenarioError, match=r"levers\.national_pool\.recruit_from.*needs \[supply\]"):
        load_scenario(CRISIS, **{"levers.national_pool.recruit_from": "stocks", "levers.national_pool.mode": "additional"})


# ---------------------------------------------------------------------------------------------------------- retention
LEAVING = {"supply.leave_rate_per_year": {"registered_nurse": 0.05, "icu_nurse": 0.05, "assistant_nurse": 0.05}}
RETAIN = {"levers.retention.enabled": True, "levers.retention.supply_leave_factor": 0.5, "levers.retention.fatigue_leave_factor": 0.5}


def test_retention_means_fewer_leavers_and_more_staff_at_the_end():
    """Common random numbers: the same seeds with and without retention measures from the run's first day."""
    for seed in range(2):
        off = sim.run(CRISIS, seed=seed, **{**YEAR, **LEAVING}).summary.iloc[0]
        on = sim.run(CRISIS, seed=seed, **{**YEAR, **LEAVING, **RETAIN}).summary.iloc[0]
        assert on["staff_left_supply"] < off["staff_left_supply"] and on["staff_lost"] < off["staff_lost"]
        assert on["staff_employed_end"] > off["staff_employed_end"]
        assert on["retention_cost_sek"] > 0 and on["retention_staff_covered_end"] == on["staff_employed_end"]


def test_retention_from_a_date_and_for_some_professions():
    model = MobilisationModel(
        scenario=CRISIS,
        seed=1,
        **{**YEAR, **LEAVING, **RETAIN, "levers.retention.start": "2031-07-01", "levers.retention.professions": ["icu_nurse"]},
    )
    icu = PROFESSIONS.index("icu_nurse")
    seen = {}
    while model.running:
        model.step()
        seen[str(model.dates[model.day - 1])[:7]] = model.supply.leave_probability.copy()
    base = seen["2031-06"]
    assert seen["2031-08"][icu] == pytest.approx(0.5 * base[icu])
    others = np.arange(base.size) != icu
    assert np.array_equal(seen["2031-08"][others], base[others])
    assert model.standing_leave_factor == 0.5


def test_retention_bad_input_names_the_key():
    with pytest.raises(ScenarioError, match=r"professions.*unknown profession 'icu_nurs'"):
        load_scenario(CRISIS, **{"levers.retention.professions": ["icu_nurs"]})
    with pytest.raises(ScenarioError, match="fatigue_leave_factor"):
        load_scenario(CRISIS, **{"levers.retention.fatigue_leave_factor": 1.5})


# ------------------------------------------------------------------------------------------------------ short courses
SPRING = ROOT / "scenarios" / "sweden_spring2020.toml"


def test_short_courses_shorten_courses_and_lower_unsafe_icu_care():
    """Common random numbers: spring 2020 with and without the short courses (halved ICU courses and onboarding, ICU
    effectiveness +0.1)."""
    spring = {"world.scale": 0.05, "time.end": "2020-06-30"}
    off, on = [], []
    for seed in range(2):
        off.append(sim.run(SPRING, seed=seed, **spring).summary.iloc[0]["unsafe_icu_patient_days"])
        s = sim.run(SPRING, seed=seed, **spring, **{"levers.short_courses.enabled": True}).summary.iloc[0]
        assert s["short_course_participants"] > 0 and s["short_course_cost_sek"] > 0
        on.append(s["unsafe_icu_patient_days"])
    assert sum(on) < sum(off)
    # without ICU teams (safety.icu_tiers) the trained work as ICU nurses at an effectiveness, which the courses raise
    small = {"world.scale": 0.02, "safety.icu_tiers": []}
    model = MobilisationModel(scenario=SPRING, seed=0, **small, **{"levers.short_courses.enabled": True})
    plain = MobilisationModel(scenario=SPRING, seed=0, **small)
    a, b = model.lever("icu_upskilling").groups[0], plain.lever("icu_upskilling").groups[0]
    assert np.all(a.course_days == np.maximum(np.rint(b.course_days * 0.5), 1))
    assert np.all(a.icu_effect == np.minimum(b.icu_effect + 0.1, 1.0))
    assert model.lever("recruitment").onboarding_days.sum() < plain.lever("recruitment").onboarding_days.sum()


@pytest.mark.parametrize("kept_share", [0.0, 1.0])
def test_short_course_competence_lapses_unless_kept(kept_share):
    """Three months after its last use an ICU-upskilled nurse's competence lapses, unless kept by refreshers."""
    model = MobilisationModel(
        scenario=SPRING,
        seed=1,
        **{
            "world.scale": 0.03,
            "time.end": "2020-11-30",
            "levers.short_courses.enabled": True,
            "levers.short_courses.competence_months": 3,
            "levers.short_courses.kept_share": kept_share,
        },
    )
    model.run()
    lever, g = model.lever("short_courses"), model.lever("icu_upskilling").groups[0]
    s = model.world.staff
    if kept_share == 0.0:
        assert lever.lapsed > 0
        assert not s.trained[g.ids[~g.started]].any()  # a lapsed nurse is untrained (and may take the course again)
    else:
        assert lever.lapsed == 0 and s.trained[g.ids[g.started]].any()


def test_a_called_retiree_is_not_retired_again_by_age():
    """Retirement by age with a reserve: a retiree called back to work stays a retiree of the supply (it neither retires
    again nor leaves there), so every retirement is counted once and the called members keep working until released."""
    model = _model(seed=1, **{"supply.retirement": "age", "levers.reserves.from_part_time": False})
    lever, s = model.lever("reserves"), model.world.staff
    while model.running:
        model.step()
        called = np.flatnonzero(lever.called)
        assert not np.any(s.status[called] == RETIREE)  # at work (or off sick), never retired while called
    assert lever.calls > 0
    summary = model.result().summary.iloc[0]
    assert summary["staff_retired"] == int(model.supply.retired_once.sum())


def test_short_course_refreshers_stop_for_who_left_or_retired():
    """The kept share's yearly refreshers are paid only for those still in the workforce, and who left is not counted
    as a lapse."""
    model = MobilisationModel(
        scenario=SPRING,
        seed=1,
        **{"world.scale": 0.03, "levers.short_courses.enabled": True, "levers.short_courses.kept_share": 1.0},
    )
    model.run()
    lever, s = model.lever("short_courses"), model.world.staff
    kept = np.flatnonzero(lever.kept & (lever.used_day >= 0))
    assert kept.size > 1
    day = model.n_days - 1
    lever._last_recorded = day - 365
    lever.cost_sek = 0.0
    lever.record(model.recorder, day, np.zeros((1, 1)))
    full = lever.cost_sek
    s.status[kept[: kept.size // 2]] = LEFT  # half of them leave
    lever._last_recorded, lever.cost_sek = day - 365, 0.0
    lever.record(model.recorder, day, np.zeros((1, 1)))
    assert lever.cost_sek == pytest.approx(full * (kept.size - kept.size // 2) / kept.size)
    lapsed = lever.lapsed
    lever.kept[kept[: kept.size // 2]] = False  # who left would lapse now, were they counted
    lever._lapse(model, day + 10_000)
    assert lever.lapsed == lapsed  # the kept do not lapse, and who left is not counted as a lapse
