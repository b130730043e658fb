"""The per-region summary (sim.regional, issue #15): one row per region that adds up to the run's national summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim import data
from sim.cli import main
from sim.regional import COLUMNS, region_summary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pool_result() -> sim.Result:
    """A large additional national pool that deploys, with loans, at 2 % scale, spring to 15 May."""
    scenario = sim.load_scenario(
        ROOT / "scenarios" / "strategies" / "national_pool_large.toml", **{"world.scale": 0.02, "time.end": "2020-05-15"}
    )
    return sim.run(scenario, seed=3)


def test_one_row_per_region_with_its_swedish_name_worst_first(small_result):
    table = region_summary(small_result)
    assert list(table.columns) == COLUMNS
    assert sorted(table["region"]) == sorted(data.region_codes())
    names = dict(zip(table["region"], table["region_name"], strict=True))
    assert names["jamtland"] == "Jämtland Härjedalen" and names["vastra_gotaland"] == "Västra Götaland"
    unsafe = table["unsafe_icu_patient_days"].to_numpy()
    assert (np.diff(unsafe) <= 1e-12).all()  # worst first


def test_the_regions_add_up_to_the_national_summary(small_result):
    table, summary = region_summary(small_result), small_result.summary.iloc[0]
    assert table["unsafe_icu_patient_days"].sum() == pytest.approx(summary["unsafe_icu_patient_days"], rel=1e-9, abs=1e-9)
    # the worst region-week of the summary is the lowest of the regions' worst weeks
    assert table["worst_week_icu_nurses_per_patient"].min() == pytest.approx(summary["worst_region_icu_nurse_ratio"], rel=1e-12)
    assert table["crisis_days"].between(0, summary["days"]).all()
    assert table["crisis_days"].gt(0).sum() >= summary["regions_in_crisis_max"]
    assert table["staff_lost"].sum() == summary["staff_lost"]
    assert table["peak_sick_share"].between(0, 1).all() and table["peak_sick_share"].max() >= summary["peak_sick_share"] - 1e-12
    assert table["care_debt_end_operations"].sum() == pytest.approx(summary["care_debt_end"], rel=1e-9)
    weeks = table.dropna(subset=["worst_week_start"])
    for start, iso in zip(weeks["worst_week_start"], weeks["worst_week_iso"], strict=True):
        middle = (pd.Timestamp(start) + pd.Timedelta(days=3)).isocalendar()
        assert iso == f"{middle.year}-W{middle.week:02d}"  # the ISO week holding most of its seven days


def test_loans_and_pool_arrivals_by_region(pool_result):
    table, summary = region_summary(pool_result), pool_result.summary.iloc[0]
    loans = pool_result.events.loans
    assert table["staff_loaned_in"].sum() == table["staff_loaned_out"].sum() == summary["staff_loaned"]
    assert table["staff_days_loaned_in"].sum() == table["staff_days_loaned_out"].sum() == (loans["count"] * loans["days"]).sum()
    assert table["pool_arrivals"].sum() == summary["pool_arrivals"] > 0
    # arrivals count a person sent twice twice; the distinct members deployed are people, at most the pool's size
    pool = pool_result.scenario.levers.national_pool
    assert 0 < summary["pool_members_deployed"] <= summary["pool_arrivals"]
    assert summary["pool_members_deployed"] <= round(pool.size * pool_result.scenario.world.scale)


def test_staff_employed_and_in_reserve(small_result, pool_result):
    for result in (small_result, pool_result):
        summary = result.summary.iloc[0]
        first_day = result.daily.staff.groupby("date", observed=True)["n_total"].sum().iloc[0]
        assert summary["staff_employed"] + summary["staff_in_reserve"] == first_day
        assert summary["staff_in_reserve"] > 0 and "staff_total" not in result.summary


def test_saved_with_the_run_and_printed_in_the_terminal(tmp_path, capsys):
    """An autumn run (no April): the files hold the region summary; the terminal prints it, the scale, and April as not in the period."""
    out = tmp_path / "autumn"
    args = ["run", str(ROOT / "scenarios" / "sweden_spring2020.toml"), "--seed", "0", "--out", str(out), "--quiet"]
    settings = {"world.scale": "0.02", "time.start": "2020-09-01", "time.end": "2020-10-30", "levers.crisis_agreement.until": "2020-09-01"}
    for key, value in settings.items():
        args += ["--set", f"{key}={value}"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    saved = pd.read_parquet(out / "region_summary.parquet")
    assert len(saved) == 21 and list(saved.columns) == COLUMNS
    pd.testing.assert_frame_equal(pd.read_csv(out / "region_summary.csv")[["region", "crisis_days"]], saved[["region", "crisis_days"]])
    for fragment in (
        "Regions, worst first",
        "Jämtland Härjedalen",
        "at scale 0.02; full-scale equivalent",
        "≈ Sweden",
        "not in this period",
    ):
        assert fragment in printed, fragment
    assert "nan" not in printed.lower()
