"""``mobsim compare`` and sim.experiment: common random numbers, paired differences, parallel runs, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import one_error_line
from scipy import stats

import sim
from sim import indicators as registry
from sim.cli import main
from sim.experiment import default_indicators, interval, markdown_table, run_replications, summarise

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
SMALL = ["world.scale=0.02", "time.end=2020-04-15"]
SMALL_ARGS = [arg for value in SMALL for arg in ("--set", value)]
R = 3
COMPARE_FILES = {
    "runs.parquet",
    "comparison.parquet",
    "comparison.csv",
    "region_summary.parquet",
    "region_summary.csv",
    "national_daily.parquet",
    "region_daily.parquet",
    "unit_daily.parquet",
    "loans.parquet",
    "pool_deployments.parquet",
    "manifest.json",
}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def variant(tmp_path: Path, name: str, body: str = "") -> Path:
    """A scenario extending the baseline (by absolute path) with another name."""
    return write(tmp_path / f"{name}.toml", f'extends = "{BASE}"\nname = "{name}"\n{body}\n')


def snapshot(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


@pytest.fixture(scope="module")
def baseline() -> sim.Scenario:
    return sim.load_scenario(BASE, set_values=SMALL)


@pytest.fixture(scope="module")
def compared(baseline):
    """The baseline, an identical copy under another name, and the community infection rate doubled; in one process."""
    same = baseline.with_overrides(name="same_again")
    doubled = baseline.with_overrides(name="community_x2", **{"infection.community_rate": 2 * baseline.infection.community_rate})
    return run_replications([baseline, same, doubled], replications=R, seed=5)


def row(comparison: pd.DataFrame, strategy: str, indicator: str) -> pd.Series:
    found = comparison[(comparison["strategy"] == strategy) & (comparison["indicator"] == indicator)]
    assert len(found) == 1
    return found.iloc[0]


def test_runs_use_common_seeds(compared):
    runs = compared.runs
    assert list(runs.columns[:3]) == ["strategy", "replication", "seed"]
    assert len(runs) == 3 * R
    assert runs.groupby("strategy", sort=False)["seed"].apply(list).tolist() == [[5, 6, 7]] * 3
    assert (runs["seed"] == 5 + runs["replication"]).all()
    daily = compared.national_daily
    assert set(daily.groupby(["strategy", "replication"]).size()) == {46}  # 1 March – 15 April
    assert {"covid_icu_patients", "unsafe_patients", "n_sick_covid", "n_total", "fatigue_mean"} <= set(daily.columns)


def test_workers_give_identical_results(baseline, compared):
    doubled = compared.scenarios[2]
    parallel = run_replications([baseline, doubled], replications=R, seed=5, workers=2)
    serial_runs = compared.runs[compared.runs["strategy"] != "same_again"].reset_index(drop=True)
    pd.testing.assert_frame_equal(parallel.runs, serial_runs, check_exact=True)
    serial_daily = compared.national_daily[compared.national_daily["strategy"] != "same_again"].reset_index(drop=True)
    pd.testing.assert_frame_equal(parallel.national_daily, serial_daily, check_exact=True)


def test_local_dask_cluster_gives_identical_results(baseline, compared):
    pytest.importorskip("distributed")
    on_dask = run_replications([baseline], replications=R, seed=5, workers=2, local_dask=True)
    serial_runs = compared.runs[compared.runs["strategy"] == baseline.name].reset_index(drop=True)
    pd.testing.assert_frame_equal(on_dask.runs, serial_runs, check_exact=True)


def test_identical_strategy_differs_by_exactly_zero(compared):
    table = compared.comparison
    same = table[table["strategy"] == "same_again"]
    assert len(same) == len(compared.indicators) > 0
    assert (same[["diff_mean", "diff_low", "diff_high"]] == 0.0).all().all()
    reference = table[table["strategy"] == "sweden_spring2020"]
    assert reference[["diff_mean", "diff_low", "diff_high"]].isna().all().all()
    np.testing.assert_array_equal(same["mean"].to_numpy(), reference["mean"].to_numpy())


def test_doubled_community_infection_raises_sick_share(compared):
    sick = row(compared.comparison, "community_x2", "peak_sick_share")
    assert sick["diff_mean"] > 0
    assert sick["diff_low"] > 0, "common random numbers make the difference clear with 3 replications"


def test_summarise_matches_hand_computation():
    a = [1.0, 2.0, 6.0]
    b = [2.0, 4.0, 7.0]  # differences 1, 2, 1
    runs = pd.DataFrame({"strategy": ["a"] * 3 + ["b"] * 3, "replication": [0, 1, 2] * 2, "x": a + b, "staff_lost": [0, 1, 2, 3, 4, 5]})
    table = summarise(runs, ["x"])
    assert list(table.columns) == ["strategy", "indicator", "mean", "ci_low", "ci_high", "diff_mean", "diff_low", "diff_high"]
    t = stats.t.ppf(0.975, 2)
    assert t == pytest.approx(4.302652729911275)
    first, second = table.iloc[0], table.iloc[1]
    assert (first["strategy"], second["strategy"]) == ("a", "b")
    assert first["mean"] == pytest.approx(3.0)
    half = t * np.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 2) / np.sqrt(3)  # sd = sqrt(7)
    assert (first["ci_low"], first["ci_high"]) == pytest.approx((3.0 - half, 3.0 + half))
    assert second["diff_mean"] == pytest.approx(4 / 3)
    half_diff = t * np.sqrt(((1 - 4 / 3) ** 2 * 2 + (2 - 4 / 3) ** 2) / 2) / np.sqrt(3)
    assert (second["diff_low"], second["diff_high"]) == pytest.approx((4 / 3 - half_diff, 4 / 3 + half_diff))
    # the differences are paired by replication, whatever the row order (the first row names the reference)
    shuffled = summarise(runs.iloc[[0, 5, 3, 2, 4, 1]], ["x"])
    assert shuffled.loc[shuffled["strategy"] == "b", "diff_mean"].iloc[0] == pytest.approx(4 / 3)
    assert default_indicators(list(runs.columns)) == ["staff_lost"]


def test_one_replication_has_no_interval():
    runs = pd.DataFrame({"strategy": ["a", "b"], "replication": [0, 0], "x": [1.0, 3.0]})
    table = summarise(runs, ["x"])
    assert table["mean"].tolist() == [1.0, 3.0]
    assert table.loc[1, "diff_mean"] == 2.0
    assert table[["ci_low", "ci_high", "diff_low", "diff_high"]].isna().all().all()


def test_markdown_table_gives_the_reference_its_mean_and_the_others_their_paired_difference():
    runs = pd.DataFrame(
        {"strategy": ["b"] * 2 + ["a"] * 2, "replication": [0, 1] * 2, "x": [10.0, 20.0, 1000.0, 3000.0], "y": [0.5, 0.5, 0.25, 0.75]}
    )
    text = markdown_table(summarise(runs, ["x", "y"]), {"x": ("deaths", "{:,.0f}"), "y": ("share", "{:.0%}")})
    head, rule, first, second = text.splitlines()
    assert head == "| strategy | deaths | share |" and rule == "|---|---|---|"
    assert first == "| b | 15 | 50% |", "the reference (first strategy of the runs) has no difference"
    assert second.startswith("| a | 2,000 (Δ 1,985 [") and "| 50% (Δ 0% [" in second


# --------------------------------------------------------------------------- intervals that respect bounds (issue #15)


@pytest.mark.parametrize("values", [[0.0, 0.0, 0.0, 5.0], [0.0, 1.0], [0.0, 0.0, 12.0, 0.5, 0.0], [3.0, 3.0, 3.0]])
def test_intervals_of_counts_never_go_below_zero(values):
    mean, low, high = interval(np.array(values), bounds=registry.bounds("unsafe_icu_patient_days"))
    assert 0.0 <= low <= mean <= high
    _, t_low, t_high = interval(np.array(values))  # the plain t-interval does go below 0 for most of them
    assert (low, high) == (max(t_low, 0.0), t_high)


def test_intervals_of_shares_stay_within_0_and_1():
    _, low, high = interval(np.array([0.0, 0.02, 0.97, 1.0]), bounds=registry.bounds("peak_sick_share"))
    assert low >= 0.0 and high <= 1.0


def test_summarise_cuts_means_at_bounds_but_not_paired_differences():
    runs = pd.DataFrame(
        {
            "strategy": ["a"] * 4 + ["b"] * 4,
            "replication": [0, 1, 2, 3] * 2,
            "unsafe_icu_patient_days": [0.0, 0.0, 0.0, 8.0, 4.0, 0.0, 0.0, 0.0],
        }
    )
    table = summarise(runs, ["unsafe_icu_patient_days"])
    assert (table["ci_low"] >= 0).all()
    assert table.loc[1, "diff_low"] < 0 < table.loc[1, "diff_high"]  # a difference may be negative


def test_interval_coverage_on_normal_samples_is_near_95_percent():
    """On samples of a normal with its mean far from the bounds, coverage is the t-interval's: 95 % (a test that can fail)."""
    rng = np.random.default_rng(20261202)
    n_samples, n = 4000, 8
    samples = rng.normal(10.0, 3.0, size=(n_samples, n))
    covered = [low <= 10.0 <= high for low, high in (interval(x, bounds=(0.0, np.inf))[1:] for x in samples)]
    assert 0.935 <= np.mean(covered) <= 0.965
    # near the bound 0 the cut loses no coverage: samples of a count whose mean is 0.5
    counts = rng.poisson(0.5, size=(n_samples, 10)).astype(float)
    cut = [low <= 0.5 <= high for low, high in (interval(x, bounds=(0.0, np.inf))[1:] for x in counts)]
    plain = [low <= 0.5 <= high for low, high in (interval(x)[1:] for x in counts)]
    assert np.mean(cut) == np.mean(plain) and all(low >= 0 for low, _ in (interval(x, bounds=(0.0, np.inf))[1:] for x in counts))


def test_region_summary_of_a_comparison(compared):
    """Per strategy and region: means over replications, intervals within bounds, the same regions for every strategy."""
    table = compared.region_summary()
    assert list(pd.unique(table["strategy"])) == compared.strategies
    assert table.groupby("strategy")["region"].nunique().eq(21).all()
    for column in ("unsafe_icu_patient_days", "crisis_days", "staff_loaned_in", "pool_arrivals"):
        assert (table[f"{column}_low"].dropna() >= 0).all()
    assert table["peak_sick_share_high"].dropna().le(1).all()
    # the means are those of the runs' own per-region summaries
    per_run = compared.runs.groupby("strategy")["unsafe_icu_patient_days"].mean()
    summed = table.groupby("strategy")["unsafe_icu_patient_days"].sum()
    np.testing.assert_allclose(summed[per_run.index], per_run, rtol=1e-9, atol=1e-9)
    first = table[table["strategy"] == compared.strategies[0]]["unsafe_icu_patient_days"].to_numpy()
    assert (np.diff(first) <= 1e-12).all()  # worst regions first


def test_cli_compare_writes_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    other = variant(tmp_path, "other")
    code = main(["compare", str(BASE), str(other), "--replications", "2", "--seed", "3", *SMALL_ARGS, "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    out = tmp_path / "results" / "compare_sweden_spring2020_vs_other"
    assert {p.name for p in out.iterdir()} == COMPARE_FILES
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary folder left beside it

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["strategies"] == ["sweden_spring2020", "other"]
    assert manifest["scenario_sha256"]["other"] == sim.load_scenario(other, set_values=SMALL).digest()
    assert (manifest["replications"], manifest["seed"], manifest["seeds"]) == (2, 3, [3, 4])
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 4 and {"strategy", "replication", "seed", "unsafe_icu_patient_days", "staff_employed"} <= set(runs.columns)
    comparison = pd.read_csv(out / "comparison.csv")
    pd.testing.assert_frame_equal(comparison, pd.read_parquet(out / "comparison.parquet"), check_dtype=False)
    assert len(comparison) == 2 * len(manifest["indicators"])
    national = pd.read_parquet(out / "national_daily.parquet")
    assert len(national) == 4 * 46
    # the regional and unit-kind series add up to the national ones, run by run and day by day
    regions = pd.read_parquet(out / "region_daily.parquet")
    assert len(regions) == 4 * 46 * 21
    keys = ["strategy", "replication", "date"]
    summed = regions.groupby(keys, observed=True)[["covid_icu_patients", "icu_nurses", "n_left"]].sum()
    merged = national.set_index(keys)[["covid_icu_patients", "icu_nurses", "n_left"]].join(summed.add_suffix("_regions"))
    for column in ("covid_icu_patients", "icu_nurses", "n_left"):
        np.testing.assert_allclose(merged[column], merged[f"{column}_regions"], rtol=1e-9)
    assert regions["fatigue_mean"].between(0, 1).all()
    assert regions["icu_staff_fatigue"].dropna().between(0, 1).all()  # NaN where a small region has no ICU staff
    units = pd.read_parquet(out / "unit_daily.parquet")
    assert (units["supplied_hours"] <= units["required_hours"] * (1 + 1e-9)).all()
    assert set(units["unit_kind"].astype(str)) == {
        "icu",
        "covid_ward",
        "acute_ward",
        "elective",
        "primary_care",
        "nursing_home",
        "home_care",
    }
    for fragment in ("peak_sick_share", "sweden_spring2020", "Δ vs sweden_spring2020", "Δ other"):
        assert fragment in captured.out
    # per strategy and region (issue #15): in the files, and in the terminal with the scale stated and shares in %
    regions_table = pd.read_csv(out / "region_summary.csv")
    assert len(regions_table) == 2 * 21 and {"strategy", "region", "region_name", "unsafe_icu_patient_days_low"} <= set(regions_table)
    assert (regions_table["unsafe_icu_patient_days_low"].dropna() >= 0).all()
    for fragment in ("Unsafe ICU patient-days per region", "Jämtland Härjedalen", "at scale 0.02; full-scale equivalent ≈ ×50", " %"):
        assert fragment in captured.out


def _bad_file_among_several(t):
    bad = variant(t, "bad", "[fatigue]\nrise_rat = 1")
    return [str(BASE), str(bad), str(variant(t, "fine"))], ["bad.toml", "fatigue.rise_rat", "did you mean 'rise'?"]


def _missing_file(t):
    return [str(BASE), str(t / "absent.toml")], ["absent.toml", "file not found"]


def _duplicate_names(t):
    first, second = variant(t, "twin"), write(t / "second.toml", f'extends = "{BASE}"\nname = "twin"\n')
    return [str(first), str(second)], ["second.toml", "name", "'twin'", "distinct names"]


def _same_file_twice(t):
    return [str(BASE), str(BASE)], ["sweden_spring2020", "distinct names"]


def _zero_replications(t):
    return [str(BASE), "--replications", "0"], ["--replications", ">= 1"]


def _zero_workers(t):
    return [str(BASE), "--workers", "0"], ["--workers", ">= 1"]


def _dask_and_scheduler(t):
    return [str(BASE), "--dask", "--scheduler", "tcp://127.0.0.1:8786"], ["--dask", "give one of them"]


def _bad_scheduler(t):
    return [str(BASE), "--scheduler", "localhost:8786"], ["--scheduler", "tcp://HOST:PORT"]


def _seed_too_large(t):
    return [str(BASE), "--seed", str(2**63 - 2)], ["--seed", "with 3 replications"]


def _negative_seed(t):
    return [str(BASE), "--seed", "-1"], ["--seed"]


def _bad_set(t):
    return [str(BASE), str(variant(t, "fine")), "--set", "world.scal=0.1"], ["--set", "world.scal", "did you mean 'scale'?"]


def _out_holding_other_files(t):
    (t / "documents").mkdir()
    write(t / "documents" / "thesis.txt", "years of work")
    return [str(BASE), "--out", str(t / "documents")], ["--out", "holds other files"]


def _no_scenario(t):
    return [], ["required: scenario"]


BAD = [_bad_file_among_several, _missing_file, _duplicate_names, _same_file_twice, _zero_replications, _zero_workers,
       _dask_and_scheduler, _bad_scheduler, _seed_too_large, _negative_seed, _bad_set, _out_holding_other_files, _no_scenario]  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=[f.__name__.strip("_") for f in BAD])
def test_cli_compare_bad_input_one_line_exit_2_nothing_written(case, tmp_path, monkeypatch, capsys):
    argv, expected = case(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code = main(["compare", "--replications", "3", "--quiet", *SMALL_ARGS, *argv])  # a later --replications wins
    captured = capsys.readouterr()
    assert code == 2
    line = one_error_line(captured.err)
    for fragment in expected:
        assert fragment in line, (fragment, line)
    assert captured.out == ""
    assert snapshot(tmp_path) == before  # no results/, no temporary folder
