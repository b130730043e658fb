"""The cost of the response (issue #14, item 5): a run's costs above the same run without COVID demand, same seed.

Small runs (3 % scale, 1 March – 15 May): the counterfactual has no COVID, the response cost of the counterfactual
is nothing, the same seed gives the same numbers, the response cost leaves out what a normal year pays (ordinary
overtime), and more levers cost more under common random numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import response_cost
from sim.experiment import run_replications
from sim.recorder import COST_ITEMS
from sim.scenario import ScenarioError

ROOT = sim.model.DEFAULT_SCENARIO.parent
SMALL = {"world.scale": 0.03, "time.end": "2020-05-15"}


@pytest.fixture(scope="module")
def baseline():
    return sim.load_scenario(ROOT / "sweden_spring2020.toml", **SMALL)


@pytest.fixture(scope="module")
def runs(baseline):
    """The baseline and its counterfactual, seed 1, and the baseline with its response cost."""
    with_covid = sim.run(baseline, seed=1)
    without = sim.run(baseline.without_covid(), seed=1)
    return with_covid, without, response_cost.run(baseline, seed=1)


def test_without_covid_is_a_normal_year(baseline):
    """No COVID demand, no mobilisation levers, vacations kept; the rest of the scenario as it is."""
    counterfactual = baseline.with_overrides(**{"levers.vacation.policy": "cancel"}).without_covid()
    assert counterfactual.demand.covid_scale == 0.0 and baseline.demand.covid_scale == 1.0
    assert counterfactual.name == "sweden_spring2020_without_covid"
    assert counterfactual.levers.enabled() == ["vacation"] and counterfactual.levers.vacation.policy == "keep"
    for section in ("world", "workforce", "absence", "infection", "nursing_homes", "fatigue", "costs", "time"):
        assert getattr(counterfactual, section) == getattr(baseline, section), section
    assert counterfactual.without_covid() is counterfactual


def test_counterfactual_has_no_covid_patients_no_covid_sick_leave_no_introductions(runs):
    _, without, _ = runs
    daily = without.daily
    assert daily.icu["covid_icu_patients"].sum() == 0.0
    assert daily.staff["n_sick_covid"].sum() == 0
    assert daily.nursing_homes["infected_residents"].sum() == 0
    assert daily.nursing_homes["introductions_by_staff"].sum() == 0
    assert without.summary["resident_infections"].iat[0] == 0
    with_covid = runs[0]
    assert with_covid.daily.staff["n_sick_covid"].sum() > 0  # the test can fail: the run with COVID has them


def test_response_cost_is_the_difference_item_by_item(runs):
    with_covid, without, both = runs
    row = both.summary.iloc[0]
    for item in (*COST_ITEMS, "total"):
        expected = with_covid.summary[f"cost_{item}_msek"].iat[0] - without.summary[f"cost_{item}_msek"].iat[0]
        assert row[f"response_cost_{item}_msek"] == pytest.approx(expected, abs=1e-12)
    items = sum(row[f"response_cost_{item}_msek"] for item in COST_ITEMS)
    assert row["response_cost_total_msek"] == pytest.approx(items)
    # the run's own columns are those of the run without the option
    pd.testing.assert_frame_equal(both.summary[with_covid.summary.columns], with_covid.summary)


def test_response_cost_leaves_out_ordinary_overtime(runs):
    """Net cost above payroll less the response cost is the normal year's cost, mostly ordinary overtime."""
    with_covid, without, both = runs
    net = with_covid.summary["cost_total_msek"].iat[0]
    response = both.summary["response_cost_total_msek"].iat[0]
    ordinary = without.summary["cost_overtime_msek"].iat[0]
    assert 0.0 < response < net
    assert ordinary > 0.0
    assert net - response == pytest.approx(without.summary["cost_total_msek"].iat[0])
    assert ordinary >= 0.9 * (net - response)  # what is left out is mostly overtime


def test_response_cost_of_the_counterfactual_itself_is_zero(baseline):
    result = response_cost.run(baseline.without_covid(), seed=2)
    for column in response_cost.COLUMNS:
        assert result.summary[column].iat[0] == 0.0


def test_same_seed_same_response_cost(baseline, runs):
    again = response_cost.run(baseline, seed=1)
    pd.testing.assert_frame_equal(again.summary, runs[2].summary)


def test_more_levers_cost_more_under_common_random_numbers(baseline):
    """The baseline (levers as pulled in 2020) against the baseline with a large national pool on top, same seeds.

    Also the comparison path: ``run_replications(response_cost=True)`` adds the columns and compares them. (No action
    against the baseline goes the other way: redeployment staffs COVID care with planned care's staff at normal pay,
    where no action pays overtime.)
    """
    # the baseline's levers plus the large pool (the strategy file national_pool_large extends regional_and_loans, which
    # leaves out the municipal measures of the baseline since issue #16)
    large = {"levers.national_pool.enabled": True, "levers.national_pool.size": 1600, "levers.national_pool.mode": "additional"}
    pool = sim.load_scenario(ROOT / "sweden_spring2020.toml", **SMALL, **large, name="national_pool_large")
    compared = run_replications([baseline, pool], replications=2, seed=3, response_cost=True)
    runs = compared.runs.set_index(["strategy", "replication"])
    for r in range(2):
        assert (
            runs.loc[("national_pool_large", r), "response_cost_total_msek"]
            > runs.loc[("sweden_spring2020", r), "response_cost_total_msek"]
        )
        assert (
            runs.loc[("national_pool_large", r), "response_cost_pool_msek"]
            > 0.0
            == runs.loc[("sweden_spring2020", r), "response_cost_pool_msek"]
        )
    assert "response_cost_total_msek" in compared.indicators
    assert set(compared.comparison["indicator"]) >= {"response_cost_total_msek"}
    single = response_cost.run(baseline, seed=4)  # replication 1 of the comparison
    assert runs.loc[("sweden_spring2020", 1), "response_cost_total_msek"] == pytest.approx(
        single.summary["response_cost_total_msek"].iat[0]
    )


def test_a_counterfactual_is_run_once_for_strategies_that_share_it(baseline, monkeypatch):
    from sim import experiment

    calls = []
    real = experiment._run_counterfactual

    def counted(scenario, replication, seed):
        calls.append((scenario.name, seed))
        return real(scenario, replication, seed)

    monkeypatch.setattr(experiment, "_run_counterfactual", counted)
    short = baseline.with_overrides(**{"time.end": "2020-03-20"})
    renamed = short.with_overrides(name="same_levers", description="the same strategy under another name")
    compared = run_replications([short, renamed], replications=1, seed=0, response_cost=True)
    assert len(calls) == 1
    values = compared.runs["response_cost_total_msek"].to_numpy()
    assert values[0] == values[1]
    assert response_cost.counterfactual_key(short) != response_cost.counterfactual_key(
        short.with_overrides(**{"absence.other_mean_days": 8.0})
    )


def test_strategies_that_differ_in_levers_share_one_counterfactual(baseline):
    """The tables of switched-off levers do not change the run: the two counterfactuals are equal, so one is run."""
    short = {"time.end": "2020-04-10"}
    pool = sim.load_scenario(ROOT / "strategies" / "national_pool_large.toml", **{**SMALL, **short})
    stable = sim.load_scenario(ROOT / "strategies" / "nursing_homes_stable_teams.toml", **{**SMALL, **short})
    base = baseline.with_overrides(**short)
    assert len({response_cost.counterfactual_key(s) for s in (base, pool, stable)}) == 1
    first = sim.run(base.without_covid(), seed=5).summary.drop(columns=["scenario"])
    for other in (pool, stable):
        pd.testing.assert_frame_equal(sim.run(other.without_covid(), seed=5).summary.drop(columns=["scenario"]), first)


def test_without_the_option_nothing_changes(baseline):
    short = baseline.with_overrides(**{"time.end": "2020-03-20"})
    compared = run_replications([short], replications=1, seed=0)
    assert not [c for c in compared.runs.columns if c.startswith("response_cost")]
    assert baseline.digest() == sim.load_scenario(ROOT / "sweden_spring2020.toml", **{**SMALL, "demand.covid_scale": 1.0}).digest()


def test_bad_input_is_named(baseline, runs):
    with pytest.raises(ScenarioError, match="covid_scale"):
        baseline.with_overrides(**{"demand.covid_scale": -1.0})
    with_covid, without, _ = runs
    other_seed = without.summary.assign(seed=7)
    with pytest.raises(ValueError, match="seed is 7"):
        response_cost.difference(with_covid.summary, other_seed)
    with pytest.raises(ValueError, match="lacks column cost_overtime_msek"):
        response_cost.difference(with_covid.summary, without.summary.drop(columns=["cost_overtime_msek"]))
    with pytest.raises(ValueError, match="2 rows"):
        response_cost.difference(pd.concat([with_covid.summary] * 2), without.summary)
    assert np.isfinite(response_cost.difference(with_covid.summary, without.summary)["response_cost_total_msek"])


def test_every_column_is_registered(runs):
    from sim import indicators

    summary = runs[2].summary
    assert [c for c in summary.columns if c.startswith("response_cost")] == list(response_cost.COLUMNS)
    assert all(indicators.is_summary_column(c) for c in response_cost.COLUMNS)
    assert "response_cost_total_msek" in indicators.planners()


def test_the_command_line_adds_the_columns_on_request(tmp_path, capsys):
    from sim.cli import main

    argv = ["--set", "world.scale=0.02", "--set", "time.end=2020-03-10", "--quiet"]
    assert main(["run", str(ROOT / "sweden_spring2020.toml"), "--response-cost", "--out", str(tmp_path / "run"), *argv]) == 0
    summary = pd.read_csv(tmp_path / "run" / "summary.csv")
    assert list(response_cost.COLUMNS) <= list(summary.columns)
    assert main(["run", str(ROOT / "sweden_spring2020.toml"), "--out", str(tmp_path / "plain"), *argv]) == 0
    assert not [c for c in pd.read_csv(tmp_path / "plain" / "summary.csv").columns if c.startswith("response_cost")]
    code = main(["compare", str(ROOT / "no_action.toml"), str(ROOT / "sweden_spring2020.toml"), "--response-cost", "--replications", "1",
                 "--out", str(tmp_path / "compare"), *argv])  # fmt: skip
    assert code == 0
    runs = pd.read_parquet(tmp_path / "compare" / "runs.parquet")
    assert runs["response_cost_total_msek"].notna().all()
    assert "response_cost_total_msek" in set(pd.read_csv(tmp_path / "compare" / "comparison.csv")["indicator"])
    capsys.readouterr()
