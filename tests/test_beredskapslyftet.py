"""Beredskapslyftet (issue #16): short university courses in basic nursing care for the recruits.

Arms differ only in the lever (same seed, same scenario: common random numbers, the core draws from a hash of seed, day
and staff id). Small models (3 % scale, 1 March - 15 May); runs shared through module-scoped fixtures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.categories import COVID_WARD, HOME_CARE, NURSING_HOME, PROFESSIONS, TRAINING
from sim.levers.recruitment import RECRUIT_CONTRACTS

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "sweden_spring2020.toml"
SMALL = {"world.scale": 0.03, "time.end": "2020-05-15"}
BASIC_CARE = [PROFESSIONS.index("assistant_nurse"), PROFESSIONS.index("care_aide")]
BASIC_UNITS = (COVID_WARD, NURSING_HOME, HOME_CARE)


def make(seed: int = 1, **overrides) -> sim.MobilisationModel:
    return sim.MobilisationModel(scenario=BASELINE, seed=seed, **{**SMALL, **overrides})


def lever(model: sim.MobilisationModel, name: str):
    return next((lv for lv in model.levers if lv.name == name), None)


def run_traced(model: sim.MobilisationModel) -> dict:
    """Run to the end; per day the recruits' effective hours (hours × effectiveness), the basic-care hours missed in COVID
    wards, nursing homes and home care (required − supplied, assistant nurses and care aides), and who is in a course."""
    s, w = model.world.staff, model.world
    recruits = np.flatnonzero(np.isin(s.contract, RECRUIT_CONTRACTS))
    basic = np.isin(w.workplace_kind, BASIC_UNITS)
    trace = {"effective": [], "missed": [], "in_course": [], "model": model, "recruits": recruits}
    while model.running:
        model.step()
        trace["effective"].append(float((s.hours_worked[recruits] * s.effectiveness[recruits]).sum()))
        gap = model.required[basic][:, BASIC_CARE] - model.supplied[basic][:, BASIC_CARE]
        trace["missed"].append(float(gap.sum()))
        trace["in_course"].append(recruits[s.status[recruits] == TRAINING])
    trace["result"] = model.result()
    return trace


@pytest.fixture(scope="module")
def arms() -> dict:
    return {"on": run_traced(make()), "off": run_traced(make(**{"levers.beredskapslyftet.enabled": False}))}


def test_baseline_has_the_lever_and_no_action_not():
    assert sim.load_scenario(BASELINE).levers.beredskapslyftet.enabled
    assert not sim.load_scenario(ROOT / "scenarios" / "no_action.toml").levers.beredskapslyftet.enabled
    assert not sim.load_scenario(ROOT / "scenarios" / "strategies" / "no_action.toml").levers.beredskapslyftet.enabled


def test_courses_give_more_effective_basic_care_hours_and_fewer_missed(arms):
    on, off = arms["on"], arms["off"]
    assert on["result"].summary["beredskapslyftet_graduates"].iloc[0] > 0
    assert off["result"].summary["beredskapslyftet_graduates"].iloc[0] == 0
    assert sum(on["effective"]) > sum(off["effective"]), "graduates give more care per hour than untrained recruits"
    assert sum(on["missed"]) <= sum(off["missed"]), "no more basic-care hours missed in COVID wards, homes and home care"


def test_graduates_work_at_the_higher_effectiveness_others_as_before(arms):
    m, recruits = arms["on"]["model"], arms["on"]["recruits"]
    s, lv, cfg = m.world.staff, lever(m, "beredskapslyftet"), m.config.levers.beredskapslyftet
    grads = lv.recruits[lv.graduated]
    assert grads.size > 0 and np.isin(grads, recruits).all() and (grads >= s.n_regular).all()
    assert (s.base_effectiveness[grads] >= cfg.effectiveness_after - 1e-12).all()
    off = arms["off"]["model"].world.staff
    others = lv.recruits[~lv.graduated & ~lv.in_course]
    assert np.array_equal(s.base_effectiveness[others], off.base_effectiveness[others]), "recruits without the course as before"
    assert (s.base_effectiveness[: s.n_regular] == 1.0).all(), "regular staff are not course takers"


def test_courses_start_after_the_lead_time_within_the_capacity(arms):
    m = arms["on"]["model"]
    lv, cfg = lever(m, "beredskapslyftet"), m.config.levers.beredskapslyftet
    started = lv.course_start[lv.course_start >= 0]
    assert started.size > 0
    window = (cfg.national_from - m.config.time.start).days  # the national window opens the lever in every region
    assert lv.first_on_day <= window  # on in a region in crisis, or nationally from national_from
    assert lv.open_day == lv.first_on_day + cfg.lead_time_days
    assert started.min() >= lv.open_day
    per_day = np.bincount(started)
    rate = cfg.places_per_day * m.config.world.scale
    assert per_day.max() <= np.ceil(rate)
    days_open = m.n_days - lv.open_day
    assert started.size <= rate * days_open + 1


def test_the_capacity_binds(arms):
    m = make(**{"levers.beredskapslyftet.places_per_day": 10.0})  # 0.3 a day at 3 % scale
    tr = run_traced(m)
    lv = lever(m, "beredskapslyftet")
    started = int((lv.course_start >= 0).sum())
    assert 0 < started <= 0.3 * (m.n_days - lv.open_day) + 1
    assert started < int((lever(arms["on"]["model"], "beredskapslyftet").course_start >= 0).sum())
    assert tr["result"].summary["beredskapslyftet_graduates"].iloc[0] <= started


def test_cost_is_the_places_started(arms):
    m = arms["on"]["model"]
    lv, cfg = lever(m, "beredskapslyftet"), m.config.levers.beredskapslyftet
    res = arms["on"]["result"]
    started = int((lv.course_start >= 0).sum())
    assert res.summary["cost_courses_msek"].iloc[0] == pytest.approx(started * cfg.cost_per_place_sek / 1e6)
    assert res.daily.regions["cost_courses_sek"].sum() == pytest.approx(started * cfg.cost_per_place_sek)
    assert res.daily.regions["beredskapslyftet_graduates"].sum() == res.summary["beredskapslyftet_graduates"].iloc[0]
    assert arms["off"]["result"].summary["cost_courses_msek"].iloc[0] == 0.0


def test_a_course_lasts_course_days_and_no_staff_is_lost(arms):
    m = arms["on"]["model"]
    lv, cfg, s = lever(m, "beredskapslyftet"), m.config.levers.beredskapslyftet, m.world.staff
    in_course = arms["on"]["in_course"]
    grads = lv.recruits[lv.graduated]
    days_in = np.zeros(len(s), dtype=int)
    for ids in in_course:
        days_in[ids] += 1
    # read after each day's core step, which ends a course on its last day: course_days - 1 days seen in it (at least)
    assert (days_in[grads] >= cfg.course_days - 1).all()
    assert len(s) == len(arms["off"]["model"].world.staff), "the lever adds or removes no staff rows"
    assert (s.status[grads] != TRAINING).all()


def test_graduates_get_basic_hygiene_where_the_model_has_it():
    """The homes' helper owns ``world.staff.hygiene`` (issue #16): with it, a graduate's skill is at least hygiene_after."""
    m = make()
    s = m.world.staff
    had = hasattr(s, "hygiene")
    if not had:
        s.hygiene = np.zeros(len(s))
    before = s.hygiene.copy()
    while m.running:
        m.step()
    lv, cfg = lever(m, "beredskapslyftet"), m.config.levers.beredskapslyftet
    grads = lv.recruits[lv.graduated]
    assert grads.size > 0
    assert (s.hygiene[grads] >= cfg.hygiene_after - 1e-12).all()
    others = np.setdiff1d(np.arange(len(s)), grads)
    if not had:
        assert (s.hygiene[others] == before[others]).all()


def test_same_seed_same_result(arms):
    again = make().run()
    assert again.summary.equals(arms["on"]["result"].summary)


def test_municipal_reservoir_in_homes_and_home_care():
    m = make()
    w, s = m.world, m.world.staff
    municipal = np.flatnonzero(w.recruit_reservoir == 3)
    assert municipal.size > 0
    assert (w.workplace_kind[s.home[municipal]] == NURSING_HOME).all() and (s.employer[municipal] == 1).all()
    hc = make(**{"levers.recruitment.reservoirs.municipal.workplace": "home_care"})
    w2, s2 = hc.world, hc.world.staff
    municipal = np.flatnonzero(w2.recruit_reservoir == 3)
    assert (w2.workplace_kind[s2.home[municipal]] == HOME_CARE).all()
    assert (w2.workplace_region[s2.home[municipal]] == s2.region[municipal]).all()


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("levers.beredskapslyftet.places_per_day", -1.0, "greater than or equal to 0"),
        ("levers.beredskapslyftet.places_per_day", 1e9, "at most"),
        ("levers.beredskapslyftet.course_days", 0, "greater than or equal to 1"),
        ("levers.beredskapslyftet.effectiveness_after", 1.5, "less than or equal to 1"),
        ("levers.beredskapslyftet.hygiene_after", -0.1, "greater than or equal to 0"),
        ("levers.beredskapslyftet.cost_per_place_sek", -5.0, "greater than or equal to 0"),
        ("levers.beredskapslyftet.lead_time_day", 3, "did you mean 'lead_time_days'?"),
        ("levers.recruitment.reservoirs.municipal.workplace", "hospital", "home_care"),
    ],
)
def test_bad_input_is_a_clear_error(key, value, fragment):
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(BASELINE, **{key: value})
    message = str(err.value)
    assert key in message and fragment in message, message
