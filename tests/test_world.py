"""Built-in Sweden and the synthetic world built from it."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import data
from sim import world as world_module
from sim.categories import ACTIVE, HOURLY, NURSING_HOME, PROFESSIONS, RESERVE
from sim.world import apportion, build_world, layout_inputs, layout_key


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


def test_travel_hours_are_the_datas_computed_once():
    """data.travel_hours_between: the network's shortest hours between the regions given, computed once, a new array
    each call (issue #18)."""
    codes = ["gotland", "stockholm", "skane"]
    hours = data.travel_hours_between(codes)
    assert hours.tobytes() == data.travel_hours().loc[codes, codes].to_numpy().tobytes()
    hours[:] = -1.0
    assert data.travel_hours_between(codes).min() >= 0.0
    table = data.travel_hours()
    table.iloc[:, :] = -1.0
    assert data.travel_hours().to_numpy().min() >= 0.0
    with pytest.raises(KeyError, match="nowhere"):
        data.travel_hours_between(["stockholm", "nowhere"])


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


def _arrays(obj, name="world"):
    """Every array a world holds (its staff, queues and dicts included), by path."""
    if isinstance(obj, np.ndarray):
        return {name: obj}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        items = [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.name != "scenario"]
    elif isinstance(obj, dict):
        items = list(obj.items())
    else:
        return {}
    out = {}
    for key, value in items:
        out.update(_arrays(value, f"{name}.{key}"))
    return out


def test_cached_layout_is_a_fresh_copy_for_each_build(scenario_path):
    """build_world builds a scenario's layout once per process (issue #18): each world is equal to one built anew,
    shares no array with another, has the caller's scenario, and its starting fatigue follows fatigue.rise."""
    sc = sim.load_scenario(scenario_path, world__scale=0.02)
    world_module._LAYOUTS.clear()
    fresh = build_world(sc)
    fresh.staff.status[:] = RESERVE  # a run changes its world's arrays; the next world must not see it
    fresh.norm[:] = 0.0
    again = build_world(sc)
    world_module._LAYOUTS.clear()
    anew = build_world(sc)
    assert again.scenario is sc
    a, b, c = _arrays(again), _arrays(anew), _arrays(fresh)
    assert a.keys() == b.keys() and len(a) > 50
    for key in a:
        assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key], equal_nan=True), key
        assert not np.shares_memory(a[key], b[key]) and not np.shares_memory(a[key], c[key]), key
    assert again.regions.equals(anew.regions) and again.regions is not anew.regions
    steeper = build_world(sc.with_overrides(**{"fatigue.rise": sc.fatigue.rise * 2}))
    assert len(world_module._LAYOUTS) == 1  # the same layout: fatigue.rise is not one of its values
    assert not np.array_equal(steeper.staff.fatigue, anew.staff.fatigue)
    assert np.array_equal(steeper.staff.contract, anew.staff.contract)


def test_layout_key_covers_what_the_layout_reads(scenario_path):
    """The layouts' key changes with every value the layout reads, and the layout reads nothing else (layout_inputs:
    every other section is None, so reading it fails)."""
    sc = sim.load_scenario(scenario_path, world__scale=0.02)
    inputs = layout_inputs(sc)
    key = layout_key(inputs, {})
    assert inputs.infection is None and inputs.demand is None and not hasattr(inputs.absence, "exhaustion_rate")
    for dotted, value in (
        ("absence.other_share_region", sc.absence.other_share_region + 0.01),
        ("world.layout_seed", 7),
        ("nursing_homes.hygiene_hourly_factor", 0.5),
        ("fatigue.intensity", {"icu": 1.7}),
        ("levers.national_pool.size", 10),
    ):
        assert layout_key(layout_inputs(sc.with_overrides(**{dotted: value})), {}) != key, dotted
    assert layout_key(inputs, {("stockholm", "nursing_homes"): 5.0}) != key
    for dotted, value in (("infection.community_rate", 0.3), ("absence.exhaustion_rate", 0.004), ("fatigue.rise", 0.2)):
        assert layout_key(layout_inputs(sc.with_overrides(**{dotted: value})), {}) == key, dotted


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 300),
    seed=st.integers(0, 2**32 - 1),
    ties=st.sampled_from(["none", "some", "all", "nan"]),
    key_range=st.sampled_from([2, 21, 40_000]),
)
def test_priority_order_is_the_lexsort(n, seed, ties, key_range):
    """priority_order (issue #18) orders as np.lexsort((priority, *keys)), with equal or NaN priorities too."""
    rng = np.random.default_rng(seed)
    priority = rng.random(n)
    if ties == "some" and n:
        priority[rng.integers(0, n, n // 3)] = 1.0
    elif ties == "all":
        priority[:] = 1.0
    elif ties == "nan" and n:
        priority[rng.integers(0, n, n // 4 + 1)] = np.nan
    region = rng.integers(0, 21, n).astype(np.int16)
    key = rng.integers(-key_range, key_range, n)
    flag = rng.random(n) < 0.5
    assert np.array_equal(world_module.priority_order(priority), np.lexsort((priority,)))
    assert np.array_equal(world_module.priority_order(priority, region), np.lexsort((priority, region)))
    assert np.array_equal(world_module.priority_order(priority, flag, key, region), np.lexsort((priority, flag, key, region)))
    for values in (key, key.astype(np.int32), flag, priority):  # int16 by radix, or as they are (wider range, bool, float)
        assert np.array_equal(world_module.stable_argsort(values), np.argsort(values, kind="stable"))


@settings(max_examples=200, deadline=None)
@given(
    totals=st.lists(st.integers(-5, 100_000), min_size=1, max_size=25),
    weights=st.lists(st.floats(0, 1e6) | st.sampled_from([0.0, 0.1, 1 / 3]), min_size=1, max_size=12),
)
def test_apportion_rows_is_apportion_of_each_total(totals, weights):
    """apportion_rows (issue #18) gives each total the whole numbers apportion gives it."""
    w = np.array(weights)
    rows = world_module.apportion_rows(np.array(totals), w)
    assert rows.dtype == np.int64 and rows.shape == (len(totals), len(weights))
    for total, row in zip(totals, rows, strict=True):
        assert np.array_equal(row, apportion(total, w))


def test_a_large_layout_is_not_kept(scenario_path, monkeypatch):
    """A world of more than LAYOUT_KEPT_MAX_STAFF staff is built for its run alone (a kept full-scale layout would add
    its 37 MB to a run's peak memory); it is the same world a kept layout gives."""
    sc = sim.load_scenario(scenario_path, world__scale=0.02)
    world_module._LAYOUTS.clear()
    kept = build_world(sc)
    assert len(world_module._LAYOUTS) == 1
    world_module._LAYOUTS.clear()
    monkeypatch.setattr(world_module, "LAYOUT_KEPT_MAX_STAFF", len(kept.staff) - 1)
    alone = build_world(sc)
    assert not world_module._LAYOUTS and alone.scenario is sc
    a, b = _arrays(alone), _arrays(kept)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].dtype == b[key].dtype and np.array_equal(a[key], b[key], equal_nan=True), key


def test_a_custom_levers_options_are_not_part_of_the_layout(scenario_path, tmp_path, monkeypatch):
    """The layout does not read ``levers.custom``; its options may hold what JSON cannot write (an array passed through
    the Python API), which must not stop the world's build (review of issue #18's layout cache)."""
    (tmp_path / "weighted_lever.py").write_text(
        "import numpy as np\nfrom sim.levers import Lever\n\n\nclass Weighted(Lever):\n    name = 'weighted'\n\n"
        "    def __init__(self, weights=None):\n        super().__init__()\n        self.weights = np.asarray(weights)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    sc = sim.load_scenario(scenario_path, world__scale=0.02)
    custom = sc.with_overrides(**{"levers.custom": [{"lever": "weighted_lever:Weighted", "options": {"weights": np.array([1.0, 2.0])}}]})
    assert custom.levers.custom[0].options["weights"].shape == (2,)
    assert layout_key(layout_inputs(custom), {}) == layout_key(layout_inputs(sc), {})
    assert len(build_world(custom).staff) == len(build_world(sc).staff)
