"""Home care (hemtjänst; issue #16 items 2-3, docs/ODD.md submodel 8a): clients, visits, infection both ways, missed
visits, client outcomes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim import homecare
from sim.agents import HomeCareService
from sim.categories import HOME_CARE, RESERVE
from sim.levers import Lever
from sim.scenario import ScenarioError, load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "sweden_spring2020.toml"
SMALL = {"world.scale": 0.03, "time.end": "2020-04-30"}


@pytest.fixture(scope="module")
def scenario() -> sim.Scenario:
    return load_scenario(SCENARIO, **SMALL)


def _model(scenario: sim.Scenario, seed: int = 3, **overrides) -> sim.MobilisationModel:
    return sim.MobilisationModel(scenario=scenario, seed=seed, **overrides)


def test_clients_are_shared_by_population_and_conserved_every_day(scenario):
    """S + I + R + D stays each municipality's client count, day by day, with infection and deaths going on."""
    m = _model(scenario, home_care__staff_to_client=0.05, home_care__community_rate=0.3, home_care__case_fatality=0.3)
    clients = m.world.hc_clients
    assert clients.sum() == round(191910 * 0.03)
    assert (m.world.workplace_kind[m.world.hc_workplace] == HOME_CARE).all()
    while m.running:
        m.step()
        total = m.hc_clients_susceptible + m.hc_infected + m.hc_recovered + m.hc_dead
        np.testing.assert_array_equal(total, clients)
        assert (m.hc_clients_susceptible >= 0).all() and (m.hc_infected >= 0).all()
    assert m.hc_dead.sum() > 0 and m.hc_recovered.sum() > 0
    result = m.result()
    frame = result.daily.home_care
    assert frame["client_deaths"].sum() == m.hc_dead.sum() == result.summary["client_deaths"].iat[0]
    assert frame["new_client_infections"].sum() == result.summary["client_infections"].iat[0]
    last = frame[frame["date"] == frame["date"].max()].set_index("region")
    deaths = frame.groupby("region", observed=True)["client_deaths"].sum()
    assert (last["clients_alive"] == last["clients"] - deaths.reindex(last.index)).all()


def test_fewer_home_care_staff_miss_more_visits(scenario):
    """Common random numbers: the same run with a third of the home-care staff kept out misses more visits, and the
    required hours follow the clients (no visit is missed where the staff cover the need)."""
    base = _model(scenario)
    short = _model(scenario)
    s = short.world.staff
    hc_staff = np.flatnonzero(short.world.workplace_kind[s.home] == HOME_CARE)
    s.status[hc_staff[::3]] = RESERVE  # never at work
    a, b = base.run().summary.iloc[0], short.run().summary.iloc[0]
    assert b["missed_home_care_visits"] > 2 * a["missed_home_care_visits"]
    assert b["missed_home_care_visit_share"] > a["missed_home_care_visit_share"]
    assert 0.0 <= a["missed_home_care_visit_share"] < 0.05


def test_lower_transmission_gives_fewer_client_infections(scenario):
    """Common random numbers: halving the staff's transmission (hygiene) or the municipality's (infection control)
    never gives more client infections, and lowering the chance per visit gives fewer."""
    quiet = {"home_care__community_rate": 0.0}
    high = _model(scenario, home_care__staff_to_client=0.04, **quiet).run().summary.iloc[0]
    low = _model(scenario, home_care__staff_to_client=0.01, **quiet).run().summary.iloc[0]
    assert low["client_infections"] < high["client_infections"]

    class Halve(Lever):
        name = "halve_home_care_transmission"

        def act(self, model, day):
            model.hc_transmission_factor *= 0.5

    halved = _model(scenario, levers=[Halve()], home_care__staff_to_client=0.04, **quiet).run().summary.iloc[0]
    assert halved["client_infections"] < high["client_infections"]
    hygiene = _model(scenario, home_care__staff_to_client=0.04, **quiet)
    hygiene.world.staff.hygiene[:] = 1.0  # full skill: a transmission factor of 1 − hygiene_protection (0.5) = 0.5
    assert np.allclose(hygiene.staff_transmission_factor, 0.5)
    assert hygiene.run().summary["client_infections"].iat[0] < high["client_infections"]


def test_infected_clients_expose_the_staff_who_visit_them(scenario):
    """More client-to-staff transmission infects more home-care staff (the service's work hazard)."""

    def infected_hc_staff(**overrides) -> int:
        m = _model(scenario, **overrides)
        m.run()
        s = m.world.staff
        return int(np.count_nonzero((s.infected_day >= 0) & (m.world.workplace_kind[s.home] == HOME_CARE)))

    assert infected_hc_staff(home_care__client_to_staff=0.2) > infected_hc_staff(home_care__client_to_staff=0.0)


def test_missed_visits_raise_deaths_and_infected_clients_raise_the_need():
    cfg = load_scenario(SCENARIO).home_care
    assert cfg.case_fatality > 0
    fat = homecare.fatality(np.array([0.0, 0.5, 1.0]), cfg)
    assert fat[0] == cfg.case_fatality and fat[0] < fat[1] < fat[2] <= 1.0
    census = homecare.census(np.array([10, 10, 0]), np.array([10, 8, 0]), np.array([0, 2, 0]), cfg)
    assert census[0] == 1.0 and census[2] == 1.0
    assert census[1] == pytest.approx((8 + cfg.extra_care_per_infected * 2) / 10)
    day = homecare.visits(
        alive=np.array([10.0, 10.0]),
        infected=np.array([0.0, 5.0]),
        required=np.array([10.0, 10.0]),
        supplied=np.array([10.0, 5.0]),
        heads=np.array([3.0, 3.0]),
        cfg=cfg,
    )
    np.testing.assert_allclose(day.missed, [0.0, 0.5 * cfg.visits_per_client * 10])
    assert day.staff_rate[0] == 0.0 and day.staff_rate[1] > 0.0


def test_same_seed_same_result_and_the_agents_show_the_state(scenario):
    a = _model(scenario, seed=5)
    ra = a.run()
    rb = _model(scenario, seed=5).run()
    pd.testing.assert_frame_equal(ra.daily.home_care, rb.daily.home_care)
    services = list(a.agents_by_type[HomeCareService])
    assert len(services) == a.world.hc_workplace.shape[0]
    one = max(services, key=lambda x: x.clients)
    m = one.municipality
    assert one.infected_clients == a.hc_infected[m] and one.dead_clients == a.hc_dead[m]
    assert one.clients == one.susceptible_clients + one.infected_clients + one.recovered_clients + one.dead_clients
    assert one.missed_visits == a.hc_missed_visits[m] and 0.0 <= one.coverage <= 1.0
    assert one.staff_at_work >= 0


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("home_care.clients", -1, "greater than or equal to 0"),
        ("home_care.clients", 5_000_000, "expected at most"),
        ("home_care.case_fatality", 1.5, "less than or equal to 1"),
        ("home_care.recovery_days", 0, "greater than 0"),
        ("home_care.visits", 2, "unknown key"),
    ],
)
def test_bad_input_is_refused_with_its_key(key, value, fragment):
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIO, **{key: value})
    assert key in f"{info.value.key} {info.value.message}"
    assert fragment in info.value.message, info.value.message
