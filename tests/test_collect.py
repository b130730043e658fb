"""Mesa's DataCollector and batch_run give the planners' indicators, national and per region (sim.collect, issue #15)."""

from __future__ import annotations

import inspect
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

import sim
from sim import collect, indicators
from sim.agents import Region
from sim.categories import LEVELS

ROOT = Path(__file__).resolve().parent.parent

SHORT = {"world__scale": 0.03, "time__end": "2020-04-10"}


def seeds(values: list[int]) -> tuple[dict, dict]:
    """(extra parameters, extra batch_run arguments) that give each run one of ``values`` as its seed."""
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # mesa >= 3.4 passes seeds as rng= (to `seed`)
        return {}, {"rng": values}
    return {"seed": values}, {"iterations": 1}  # mesa 3.3: seeds are a model parameter


def test_batch_run_returns_each_runs_planners_indicators_as_its_summary():
    extra, arguments = seeds([1, 2])
    parameters = {"scenario": str(ROOT / "scenarios" / "sweden_spring2020.toml"), **SHORT, **extra}
    rows = mesa.batch_run(
        sim.MobilisationModel,
        parameters=parameters,
        max_steps=1000,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
        **arguments,
    )
    frame = pd.DataFrame(rows)
    assert len(frame) == 2  # one row per run: model reporters only
    for seed in (1, 2):
        row = frame[frame["seed"] == seed].iloc[0]
        summary = sim.run(parameters["scenario"], seed=seed, **SHORT).summary.iloc[0]
        assert row["unsafe_icu_patient_days"] == summary["unsafe_icu_patient_days"]
        assert row["unsafe_icu_patient_days"] > 0  # the spring surge is not covered everywhere, even by 10 April
        for name in collect.COLLECTED_SUMMARY:
            assert row[name] == summary[name], name
        per_region = row["unsafe_icu_patient_days_by_region"]
        assert len(per_region) == 21 and "stockholm" in per_region
        assert sum(per_region.values()) == pytest.approx(row["unsafe_icu_patient_days"], rel=1e-12)


def test_every_planners_indicator_is_collected_or_said_why_not():
    planners = set(indicators.planners())
    assert set(collect.COLLECTED_SUMMARY) | set(collect.NOT_COLLECTED) == planners
    assert not set(collect.COLLECTED_SUMMARY) & set(collect.NOT_COLLECTED)


def test_collected_values_equal_the_summary_with_loans_pool_transfers_and_without_tiers():
    """Every lever whose events or columns a collected indicator reads, and the ICU rule without tiers."""
    scenario = sim.load_scenario(
        ROOT / "scenarios" / "strategies" / "national_pool_large.toml",
        **{"world.scale": 0.05, "time.end": "2020-04-30", "levers.loans.enabled": True, "levers.patient_transfers.enabled": True},
        **{"safety.icu_tiers": []},
    )
    model = sim.MobilisationModel(scenario, seed=3)
    summary = model.run().summary.iloc[0]
    collected = model.datacollector.get_model_vars_dataframe()
    assert len(collected) == model.n_days  # one row per day
    last = collected.iloc[-1]
    for name in collect.COLLECTED_SUMMARY:
        assert last[name] == summary[name], name
    assert summary["pool_arrivals"] > 0 and summary["staff_loaned"] > 0  # the levers acted, so the counts were tested
    # running totals never fall (beyond the rounding of a sum over more days); the day's unsafe patients add up to them
    for name in ("unsafe_icu_patient_days", "nursing_home_introductions", "staff_loaned", "pool_arrivals", "resident_infections"):
        values = collected[name].to_numpy(float)
        assert np.all(np.diff(values) >= -1e-12 * values.max()), name
    assert collected["unsafe_icu_patients"].sum() == pytest.approx(last["unsafe_icu_patient_days"], rel=1e-12)


def test_per_region_values_as_a_tidy_frame_and_on_the_region_agents(model_factory):
    model = model_factory(seed=1)
    for _ in range(40):
        model.step()
    collected = model.datacollector.get_model_vars_dataframe()
    tidy = collect.by_region(collected)
    assert len(tidy) == 40 * 21 and tidy["day"].nunique() == 40
    assert set(tidy["level"]) <= set(LEVELS)
    national = tidy.groupby("day")[["icu_patients", "staff_sick", "staff_on_loan", "pool_members_in"]].sum()
    for name in national:
        np.testing.assert_allclose(national[name].to_numpy(), collected[name].to_numpy(), rtol=1e-12, err_msg=name)
    crisis = tidy[tidy["level"] == "crisis"].groupby("day").size().reindex(collected.index, fill_value=0)
    np.testing.assert_array_equal(crisis.to_numpy(), collected["regions_in_crisis"].to_numpy())
    # the Region agents read the same values, for an agent-type DataCollector of one's own
    today = tidy[tidy["day"] == 39].set_index("region")
    for region in model.agents_by_type[Region]:
        assert region.unsafe_icu_patient_days == today.loc[region.code, "unsafe_icu_patient_days"]
        assert region.icu_patients == today.loc[region.code, "icu_patients"]
    own = mesa.DataCollector(agenttype_reporters={Region: {"unsafe": "unsafe_icu_patient_days", "staff_sick": "staff_sick"}})
    own.collect(model)
    assert len(own.get_agenttype_vars_dataframe(Region)) == 21


def test_by_region_refuses_names_not_collected(model_factory):
    model = model_factory(seed=1)
    model.step()
    with pytest.raises(KeyError, match=r"no per-region values \['unsafe_days'\] collected; collected: \[.*'unsafe_icu_patient_days'"):
        collect.by_region(model.datacollector.get_model_vars_dataframe(), ["unsafe_days"])


def test_values_evaluated_when_read_equal_those_collected_day_by_day():
    """The DailyCollector evaluates its reporters when read (issue #18); Mesa's own DataCollector, collecting the same
    reporters eagerly each day, gives the same values on every day, with loans, the pool, transfers and nursing homes
    acting, and when read in the middle of the run as the dashboard does."""
    scenario = sim.load_scenario(
        ROOT / "scenarios" / "strategies" / "national_pool_large.toml",
        **{"world.scale": 0.05, "time.end": "2020-05-15", "levers.loans.enabled": True, "levers.patient_transfers.enabled": True},
    )
    model = sim.MobilisationModel(scenario, seed=4)
    eager = mesa.DataCollector(model_reporters=collect.reporters())
    assert isinstance(model.datacollector, collect.DailyCollector) and isinstance(model.datacollector, mesa.DataCollector)
    while model.running:
        model.step()
        eager.collect(model)
        if model.day == 30:
            assert len(model.datacollector.get_model_vars_dataframe()) == 30  # read mid-run, then caught up later
    lazy = model.datacollector.get_model_vars_dataframe()
    expected = eager.get_model_vars_dataframe()
    assert len(lazy) == model.n_days and list(lazy.columns) == list(expected.columns)
    for name in expected.columns:
        assert lazy[name].tolist() == expected[name].tolist(), name
    # and whatever else Mesa's collect keeps day by day: Mesa 3.5's mesa.batch_run finds the values by _collection_steps
    # (none on Mesa 3.3)
    assert getattr(model.datacollector, "_collection_steps", None) == getattr(eager, "_collection_steps", None)
    assert expected["staff_loaned"].iloc[-1] > 0 and expected["pool_arrivals"].iloc[-1] > 0
    assert expected["resident_infections"].iloc[-1] > expected["resident_infections"].iloc[0]
