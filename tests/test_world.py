"""Built-in Sweden and the synthetic world built from it."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import data
from sim.categories import ACTIVE, HOURLY, NURSING_HOME, PROFESSIONS, RESERVE
from sim.world import apportion, build_world


@pytest.fixture(scope="module")
def full_world(scenario_path):
    return build_world(sim.load_scenario(scenario_path))


def test_regions_and_health_care_regions():
    reg = data.regions()
    assert len(reg) == 21
    assert reg["municipalities"].sum() == 290
    assert reg["population"].sum() == pytest.approx(10_379_295, rel=0.002)  # SCB 2020, ≈ values rounded
    assert set(reg["healthcare_region"]) == {"norra", "mellansverige", "stockholm_gotland", "sydostra", "vastra", "sodra"}
    assert reg.loc["halland", "healthcare_region"] == "vastra"


def test_region_network_is_connected_with_travel_times():
    graph = data.region_network()
    assert graph.number_of_nodes() == 21
    assert nx.is_connected(graph)
    assert graph.edges["gotland", "stockholm"]["kind"] == "sea"
    assert set(graph.neighbors("gotland")) == {"stockholm", "kalmar"}
    hours = data.travel_hours()
    assert hours.loc["stockholm", "uppsala"] < 1.5
    assert hours.loc["skane", "norrbotten"] > 15
    assert np.allclose(hours.to_numpy(), hours.to_numpy().T)


@settings(max_examples=100, deadline=None)
@given(total=st.integers(0, 100_000), weights=st.lists(st.floats(0, 1e6), min_size=1, max_size=40))
def test_apportion_sums_exactly_and_stays_proportional(total, weights):
    w = np.array(weights)
    out = apportion(total, w)
    if w.sum() > 0:
        assert out.sum() == total
        assert np.all(np.abs(out - total * w / w.sum()) < 1.0 + 1e-9)
    else:
        assert out.sum() == 0


def test_full_scale_world_has_every_staff_member(full_world):
    s = full_world.staff
    assert len(s) >= 300_000
    table = data.national_staff()
    for (profession, employer), count in table.groupby(["profession", "employer"])["count"].sum().items():
        p, e = PROFESSIONS.index(profession), 0 if employer == "region" else 1
        regular = slice(0, s.n_regular)
        assert np.count_nonzero((s.profession[regular] == p) & (s.employer[regular] == e)) == count


def test_full_scale_world_layout(full_world):
    w = full_world
    assert w.municipality_region.shape[0] == 290
    assert len(w.home_workplace) == 1700
    assert w.home_residents.sum() == 79_000
    assert np.all(np.bincount(w.home_region, minlength=21) >= 1)
    assert np.all(w.workplace_kind[w.staff.home[w.nursing_home_staff]] == NURSING_HOME)
    hourly = np.mean(w.staff.contract[w.nursing_home_staff] == HOURLY)
    assert hourly == pytest.approx(0.21, abs=0.02)  # facts: ≈1 in 5 hourly nationally
    assert np.all(w.staff.status[: w.staff.n_regular] == ACTIVE)
    assert np.all(w.staff.status[w.staff.n_regular :] == RESERVE)  # recruits wait in their reservoirs
    assert np.all((w.staff.fatigue >= 0) & (w.staff.fatigue <= 1))


def test_scale_shrinks_everything_proportionally(scenario_path):
    full = build_world(sim.load_scenario(scenario_path))
    tenth = build_world(sim.load_scenario(scenario_path, world__scale=0.1))
    assert len(tenth.staff) == pytest.approx(len(full.staff) * 0.1, rel=0.01)
    assert len(tenth.home_workplace) == 170
    assert tenth.home_residents.sum() == 7_900


def test_layout_is_fixed_by_layout_seed(scenario_path):
    a = build_world(sim.load_scenario(scenario_path, world__scale=0.05))
    b = build_world(sim.load_scenario(scenario_path, world__scale=0.05))
    c = build_world(sim.load_scenario(scenario_path, world__scale=0.05, world__layout_seed=7))
    assert np.array_equal(a.staff.contract, b.staff.contract)
    assert np.array_equal(a.home_residents, b.home_residents)
    assert not np.array_equal(a.home_residents, c.home_residents)


def test_ordinary_units_are_balanced_in_normal_times(model_factory):
    """Before COVID arrives, ordinary units are fully covered without overtime pressure."""
    model = model_factory(seed=1)
    model.step()
    units = model.result().daily.units
    ordinary = units[units["unit_kind"].isin(["acute_ward", "elective", "primary_care", "home_care"])]
    ordinary = ordinary[ordinary["required_hours"] > 0]
    assert ordinary["supplied_hours"].sum() / ordinary["required_hours"].sum() > 0.99
