"""Nursing homes' competence and residents' outcomes (issue #16, submodel 18): conservation of residents, the direction
of hygiene, physician rounds and nurses present under common random numbers, reproducibility and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim import kernels, validation
from sim.categories import HOURLY, PERMANENT, PRIMARY_CARE, PROFESSIONS
from sim.model import MobilisationModel
from sim.recorder import COST_ITEMS
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "sweden_spring2020.toml"
SMALL = {"world__scale": 0.04, "time__end": "2020-05-31"}
REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")
PHYSICIAN = PROFESSIONS.index("physician")
# a livelier epidemic in the homes, so that small worlds show the mechanisms
LIVELY = {"nursing_homes__staff_seed_rate": 0.1, "nursing_homes__resident_transmission": 0.25}


def _summary(**overrides):
    return sim.run(BASELINE, seed=3, **SMALL, **LIVELY, **overrides).summary.iloc[0]


def test_residents_are_conserved_and_the_dead_leave_the_census():
    model = MobilisationModel(BASELINE, seed=2, **SMALL, **LIVELY)
    residents = model.world.home_residents.astype(np.int64)
    deaths = 0
    extra = model.config.nursing_homes.extra_care_per_infected
    for _ in range(model.n_days):
        # today's census: the living residents and the infected at the end of yesterday
        expected_census = model.residents_alive + extra * model.nh_infected
        model.step()
        np.testing.assert_allclose(model.census[model.world.home_workplace], expected_census, rtol=0, atol=1e-9)
        total = model.nh_susceptible + model.nh_infected + model.nh_recovered + model.nh_dead
        assert np.array_equal(total, residents)
        assert (model.nh_assessed >= 0).all() and (model.nh_assessed <= model.nh_infected).all()
        deaths += int(model.nh_deaths.sum())
        assert np.array_equal(model.residents_alive, residents - model.nh_dead)
    assert deaths == int(model.nh_dead.sum()) > 0
    result = model.result()
    assert int(result.daily.nursing_homes["resident_deaths"].sum()) == deaths == int(result.summary["resident_deaths"].iloc[0])
    home = model.agents_by_type[sim.agents.NursingHome][0]
    assert home.residents + home.dead_residents == int(residents[home.home])


def test_same_seed_same_outcomes():
    a = sim.run(BASELINE, seed=5, world__scale=0.03, time__end="2020-05-10", **LIVELY)
    b = sim.run(BASELINE, seed=5, world__scale=0.03, time__end="2020-05-10", **LIVELY)
    assert a.daily.nursing_homes.equals(b.daily.nursing_homes)
    assert a.summary.equals(b.summary)


def test_hygiene_by_profession_and_contract():
    model = MobilisationModel(BASELINE, seed=0, world__scale=0.03, time__end="2020-03-10")
    s, nh = model.world.staff, model.config.nursing_homes
    aides = s.profession == PROFESSIONS.index("care_aide")
    permanent, hourly = aides & (s.contract == PERMANENT), aides & (s.contract == HOURLY)
    assert np.allclose(s.hygiene[permanent], nh.hygiene["care_aide"])
    assert np.allclose(s.hygiene[hourly], nh.hygiene["care_aide"] * nh.hygiene_hourly_factor)
    np.testing.assert_allclose(model.staff_transmission_factor, 1.0 - nh.hygiene_protection * np.asarray(s.hygiene))


def test_hygiene_training_means_fewer_resident_infections():
    off = _summary(levers__hygiene_training__enabled=False)
    on = _summary(
        levers__hygiene_training__national_from="2020-03-01",
        levers__hygiene_training__lead_time_days=0,
        levers__hygiene_training__places_per_day_share=0.2,
        levers__hygiene_training__hygiene_after=1.0,
    )
    assert on["resident_infections"] < off["resident_infections"]
    assert on["cost_hygiene_training_msek"] > 0 == off["cost_hygiene_training_msek"]


def test_hygiene_training_raises_the_skill_of_those_who_attend_only():
    model = MobilisationModel(
        BASELINE,
        seed=0,
        world__scale=0.03,
        time__end="2020-03-20",
        levers__hygiene_training__national_from="2020-03-01",
        levers__hygiene_training__lead_time_days=2,
        levers__hygiene_training__hourly=False,
        levers__hygiene_training__professions=["care_aide"],
        levers__hygiene_training__hygiene_after=0.95,
    )
    before = np.asarray(model.world.staff.hygiene)  # the values (a lookup: sim.lookup)
    model.run()
    s = model.world.staff
    raised = np.asarray(s.hygiene) > before
    assert raised.any()
    assert (s.profession[raised] == PROFESSIONS.index("care_aide")).all() and (s.contract[raised] != HOURLY).all()
    assert np.allclose(s.hygiene[raised], 0.95)
    np.testing.assert_allclose(model.staff_transmission_factor, 1.0 - model.config.nursing_homes.hygiene_protection * np.asarray(s.hygiene))


def test_physician_rounds_mean_fewer_deaths_per_infection():
    off = _summary(levers__physician_rounds__enabled=False)
    on = _summary(
        levers__physician_rounds__start_level="staffing_alert",
        levers__physician_rounds__national_from="2020-03-01",
        levers__physician_rounds__national_until="2020-06-30",
        levers__physician_rounds__visits_per_week=7.0,
        nursing_homes__assessed_death_factor=0.3,
    )
    assert on["resident_deaths"] / on["resident_infections"] < off["resident_deaths"] / off["resident_infections"]


def test_physician_rounds_take_hours_from_primary_care_or_are_bought():
    common = {
        "levers__physician_rounds__national_from": "2020-03-01",
        "levers__physician_rounds__national_until": "2020-06-30",
        "world__scale": 0.03,
        "time__end": "2020-03-05",
    }
    base = MobilisationModel(
        BASELINE, seed=0, levers__physician_rounds__enabled=False, **{k: v for k, v in common.items() if "levers" not in k}
    )
    primary = MobilisationModel(BASELINE, seed=0, **common)
    bought = MobilisationModel(BASELINE, seed=0, levers__physician_rounds__source="bought", **common)
    for m in (base, primary, bought):
        m.step()
    pc = np.arange(base.world.n_regions) * 5 + PRIMARY_CARE
    assert (primary.required[pc, PHYSICIAN] > base.required[pc, PHYSICIAN]).all()
    np.testing.assert_allclose(bought.required[pc, PHYSICIAN], base.required[pc, PHYSICIAN])
    assert (primary.nh_digital_rounds > 0).all() and (primary.nh_assessment_probability > base.nh_assessment_probability).all()
    k = COST_ITEMS.index("physician_rounds")
    assert bought.recorder.cost[0, :, k].sum() > 0 == primary.recorder.cost[0, :, k].sum()


def test_more_nurses_present_means_less_delegation():
    """Nurses count from today's placement, whoever sent them: region nurses placed in a home lower its delegated share."""
    model = MobilisationModel(BASELINE, seed=0, world__scale=0.03, time__end="2020-03-10")
    model.step()
    s, world = model.world.staff, model.world
    model._home_conditions()
    before = model.nh_delegated_share.copy()
    home = int(np.argmax(before))
    region_nurses = np.flatnonzero((s.profession == REGISTERED_NURSE) & (world.workplace_kind[s.home] == PRIMARY_CARE))[:3]
    model.worked_at[region_nurses] = world.home_workplace[home]
    s.role[region_nurses] = REGISTERED_NURSE
    s.hours_worked[region_nurses] = 8.0
    model._home_conditions()
    assert model.nh_delegated_share[home] < before[home]
    others = np.arange(before.size) != home
    np.testing.assert_allclose(model.nh_delegated_share[others], before[others])


def test_deaths_follow_the_case_fatality():
    """The kernel alone: with no spread, every infected resident dies or recovers; the share who die is the case fatality."""
    cf, r, n = 0.3, 0.2, 20_000
    p0 = cf * r / (1 - cf + cf * r)
    state = {
        "susceptible": np.zeros(1, dtype=np.int64),
        "infected": np.full(1, n, dtype=np.int64),
        "recovered": np.zeros(1, dtype=np.int64),
        "dead": np.zeros(1, dtype=np.int64),
        "assessed": np.zeros(1, dtype=np.int64),
    }
    for day in range(200):
        kernels.advance_nursing_homes(
            key=np.uint64(kernels.day_key(seed=1, day=day)),
            day=day,
            status=np.zeros(0, dtype=np.int8),
            workplace=np.zeros(0, dtype=np.int32),
            infected_day=np.zeros(0, dtype=np.int32),
            hygiene_code=np.zeros(0, dtype=np.uint8),
            hygiene_table=np.zeros(1),
            hygiene_protection=0.5,
            workplace_home=np.zeros(1, dtype=np.int32),
            transmission=np.zeros(1),
            death_factor=np.ones(1),
            assessment_probability=np.zeros(1),
            introductions=np.zeros(1, dtype=np.int64),
            deaths=np.zeros(1, dtype=np.int64),
            assessments=np.zeros(1, dtype=np.int64),
            home_params=kernels.make_params(kernels.NursingHomeParams, infectious_days=5, seed_rate=0.0, recovery_probability=r),
            resident_params=kernels.make_params(kernels.ResidentParams, death_probability=p0, assessed_death_factor=1.0),
            **state,
        )
    assert state["infected"][0] == 0 and state["dead"][0] + state["recovered"][0] == n
    assert abs(state["dead"][0] / n - cf) < 0.015


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"nursing_homes.hygiene": {"registered_nurse": 0.8}}, "physician"),
        ({"nursing_homes.case_fatality": 1.0}, "case_fatality"),
        ({"nursing_homes.hygiene_protection": 1.5}, "hygiene_protection"),
        ({"levers.hygiene_training.professions": ["surgeon"]}, "surgeon"),
        ({"levers.physician_rounds.source": "private"}, "source"),
        ({"levers.physician_rounds.visits_per_week": -1.0}, "visits_per_week"),
    ],
)
def test_bad_input_names_the_key(overrides, key):
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, **overrides)
    assert key in str(info.value)


def test_resident_death_share_pattern_reads_deaths_at_full_scale():
    assert validation.observed_covid_deaths() == 5537
    result = sim.run(BASELINE, seed=1, world__scale=0.03, time__end="2020-04-30", **LIVELY)
    deaths = result.daily.nursing_homes["resident_deaths"].sum()
    assert validation.resident_death_share(result) == pytest.approx(deaths / 0.03 / 5537)
    assert {"resident_death_share", "residents_assessed"} <= {p.key for p in validation.PATTERNS}
    assert 0.0 < validation.residents_assessed_share(result) <= 1.0


def test_physician_rounds_mean_more_residents_assessed():
    off = sim.run(BASELINE, seed=3, levers__physician_rounds__enabled=False, **SMALL, **LIVELY)
    on = sim.run(
        BASELINE,
        seed=3,
        levers__physician_rounds__national_from="2020-03-01",
        levers__physician_rounds__national_until="2020-06-30",
        levers__physician_rounds__visits_per_week=2.0,
        **SMALL,
        **LIVELY,
    )
    assert validation.residents_assessed_share(on) > validation.residents_assessed_share(off)
