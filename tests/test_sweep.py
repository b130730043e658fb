"""``mobsim sweep`` and sim.sweep: experiment files, designs, executors, the resumable store."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import no_temp_files, one_error_line

from sim.cli import main
from sim.scenario import ScenarioError
from sim.sweep import Experiment, ParameterSpec, load_experiment, load_failures, load_results, points, run_sweep

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
HEAD = f'''name = "t"
scenario = "{BASE}"
replications = 2
seed = 3
indicators = ["unsafe_icu_patient_days", "peak_sick_share"]
set = {{ "world.scale" = 0.02, "time.end" = 2020-04-01 }}
'''
GRID = (
    HEAD
    + """design = "grid"
[parameters]
"infection.community_rate" = { values = [0.5, 1.0] }
"levers.national_pool.response_days" = { values = [1, 5] }
"""
)
# point 1 sets a negative rate (the scenario refuses it): its runs fail, the others finish
FAILING = (
    HEAD
    + """design = "grid"
[parameters]
"infection.community_rate" = { values = [0.5, -1.0, 1.0] }
"""
)


def experiment_file(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error(tmp_path: Path, text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_experiment(experiment_file(tmp_path, text))
    return info.value


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return load_experiment(experiment_file(tmp_path_factory.mktemp("exp"), GRID))


@pytest.fixture(scope="module")
def in_process(grid, tmp_path_factory):
    folder = tmp_path_factory.mktemp("store") / "in_process"
    outcome = run_sweep(grid, out=folder)
    assert outcome.ran == 8 and not outcome.failed
    return folder, load_results(folder)


# --------------------------------------------------------------------------- schema


def test_unknown_key_suggests(tmp_path):
    exc = error(tmp_path, GRID.replace("indicators", "indicator"))
    assert exc.key == "indicator" and "did you mean 'indicators'" in exc.message
    exc = error(tmp_path, GRID.replace("{ values = [0.5, 1.0] }", "{ valeus = [0.5, 1.0] }"))
    assert exc.key.endswith(".valeus") and "did you mean 'values'" in exc.message
    assert exc.source.endswith("exp.toml")


def test_variants_and_parameters_refused(tmp_path):
    exc = error(tmp_path, GRID + '[[variants]]\nname = "a"\n')
    assert "not both" in exc.message


def test_bad_design_name(tmp_path):
    exc = error(tmp_path, GRID.replace('"grid"', '"latin"'))
    assert exc.key == "design" and "latin_hypercube" in exc.message


def test_min_above_max(tmp_path):
    text = HEAD + 'design = "latin_hypercube"\nsamples = 4\n[parameters]\n"infection.community_rate" = { min = 2, max = 1 }\n'
    exc = error(tmp_path, text)
    assert exc.key == "parameters.infection.community_rate.min" and "above max" in exc.message


def test_unknown_scenario_key_named(tmp_path):
    exc = error(tmp_path, GRID.replace("infection.community_rate", "infection.comunity_rate"))
    assert "infection.comunity_rate" in exc.key and "did you mean 'community_rate'" in exc.message


def test_designs_point_counts(tmp_path):
    ranges = '[parameters]\n"infection.community_rate" = { min = 0.5, max = 1.5 }\n"levers.national_pool.size" = { min = 0, max = 3000 }\n'
    n, d = 4, 2
    for design, expected in (("sobol", n * (2 * d + 2)), ("morris", n * (d + 1)), ("latin_hypercube", n)):
        experiment = load_experiment(experiment_file(tmp_path, HEAD + f'design = "{design}"\nsamples = {n}\n' + ranges))
        design_points = points(experiment)
        assert len(design_points) == expected, design
        assert list(design_points["point_id"]) == list(range(expected))
        size = design_points["levers.national_pool.size"]
        assert (size == size.round()).all() and size.between(0, 3000).all()  # an int field: rounded
    assert len(points(load_experiment(experiment_file(tmp_path, GRID)))) == 4


def test_variants(tmp_path):
    text = HEAD + '[[variants]]\nname = "base"\n[[variants]]\nname = "fast"\nset = { "levers.national_pool.response_days" = 1 }\n'
    experiment = load_experiment(experiment_file(tmp_path, text))
    assert list(points(experiment)["variant"]) == ["base", "fast"]
    assert experiment.scenarios["fast"].levers.national_pool.response_days == 1
    assert experiment.scenarios["base"].world.scale == 0.02


def test_shipped_experiments_load():
    assert len(points(load_experiment(ROOT / "experiments" / "strategies.toml"))) == 11
    assert len(points(load_experiment(ROOT / "experiments" / "quick_sweep.toml"))) == 8


# --------------------------------------------------------------------------- executors and store


def test_in_process_store(in_process):
    folder, runs = in_process
    assert sorted(runs["run_id"]) == [f"p{p:05d}_r{r:03d}" for p in range(4) for r in range(2)]
    assert set(runs["seed"]) == {3, 4}  # common random numbers: seed + replication
    assert {"infection.community_rate", "levers.national_pool.response_days", "unsafe_icu_patient_days"} <= set(runs.columns)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["complete"] and manifest["runs_done"] == 8
    assert no_temp_files(folder)


def test_processes_give_identical_results(grid, in_process, tmp_path):
    run_sweep(grid, workers=2, out=tmp_path / "pool")
    pd.testing.assert_frame_equal(load_results(tmp_path / "pool"), in_process[1])


def failing_experiment(tmp_path: Path) -> Experiment:
    """FAILING's grid, whose value -1.0 load_experiment refuses: put back past the load-time check, so that a run fails."""
    good = load_experiment(experiment_file(tmp_path, FAILING.replace("-1.0", "0.7")))
    parameters = {"infection.community_rate": ParameterSpec.model_construct(values=[0.5, -1.0, 1.0])}
    return dataclasses.replace(good, spec=good.spec.model_copy(update={"parameters": parameters}))


def test_bad_grid_value_refused_at_load(tmp_path):
    exc = error(tmp_path, FAILING)
    assert exc.key == "parameters.infection.community_rate.values.1" and "greater than or equal to 0" in exc.message


def test_failed_runs_recorded_and_resume(tmp_path):
    experiment = failing_experiment(tmp_path)
    folder = tmp_path / "store"
    outcome = run_sweep(experiment, out=folder)
    assert sorted(outcome.failed) == ["p00001_r000", "p00001_r001"]
    failures = load_failures(folder)
    assert set(failures["type"]) == {"ScenarioError"} and failures["message"].str.contains("community_rate").all()
    assert len(load_results(folder)) == 4

    again = run_sweep(experiment, out=folder, resume=True)  # the failed ones are tried again, the others skipped
    assert again.skipped == 4 and again.ran == 2

    for run in ("p00000_r001", "p00002_r000"):
        (folder / "runs" / f"{run}.parquet").unlink()
    counted: list[int] = []
    third = run_sweep(experiment, out=folder, resume=True, progress=lambda done, failed, total: counted.append(done))
    assert third.ran == 4 and third.skipped == 2  # exactly the two deleted and the two failing run again
    runs = load_results(folder)
    assert sorted(runs["run_id"]) == sorted(set(runs["run_id"])) and len(runs) == 4
    assert counted[-1] == 6 and no_temp_files(folder)


def test_resume_runs_nothing_when_done(grid, in_process):
    folder, runs = in_process
    outcome = run_sweep(grid, out=folder, resume=True)
    assert outcome.ran == 0 and outcome.skipped == 8
    pd.testing.assert_frame_equal(load_results(folder), runs)


def test_store_of_another_experiment_refused(tmp_path, in_process):
    other = load_experiment(experiment_file(tmp_path, GRID.replace("seed = 3", "seed = 4")))
    with pytest.raises(ValueError, match="another experiment"):
        run_sweep(other, out=in_process[0], resume=True)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="other files"):
        run_sweep(other, out=tmp_path / "mine")


def test_dask_cluster_identical(grid, in_process, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster:
        run_sweep(grid, scheduler=cluster.scheduler_address, out=tmp_path / "dask")
    pd.testing.assert_frame_equal(load_results(tmp_path / "dask"), in_process[1])


# --------------------------------------------------------------------------- CLI


def test_cli_sweep(tmp_path, capsys):
    path = experiment_file(tmp_path, GRID.replace("replications = 2", "replications = 1"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "mean over replications" in out and len(load_results(tmp_path / "out")) == 4


@pytest.mark.parametrize(
    ("edit", "args", "needle"),
    [
        (("replications = 2", "replications = 0"), [], "replications"),
        (("design", "desing"), [], "did you mean 'design'"),
        (("", ""), ["--workers", "0"], "--workers"),
        (("", ""), ["--scheduler", "localhost:8786"], "tcp://HOST:PORT"),
    ],
)
def test_cli_bad_input(tmp_path, capsys, edit, args, needle):
    path = experiment_file(tmp_path, GRID.replace(*edit) if edit[0] else GRID)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), *args]) == 2
    assert needle in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "out").exists()


def test_daily_series_are_kept_per_run_and_checked(tmp_path):
    exp = tmp_path / "daily.toml"
    exp.write_text(
        f'name = "daily"\nscenario = "{BASE}"\nreplications = 2\nseed = 0\n'
        'indicators = ["unsafe_icu_patient_days"]\ndaily = ["covid_icu_patients", "nurses_per_patient"]\n'
        '[set]\n"world.scale" = 0.02\n"time.end" = 2020-03-20\n'
        '[[variants]]\nname = "a"\n'
    )
    from sim.sweep import load_daily

    outcome = run_sweep(load_experiment(exp), out=tmp_path / "store")
    daily = load_daily(outcome.folder)
    assert set(daily.columns) == {"date", "covid_icu_patients", "nurses_per_patient", "run_id", "point_id", "replication"}
    assert daily.groupby("run_id").size().tolist() == [20, 20]  # 1–20 March, per run
    bad = tmp_path / "bad.toml"
    bad.write_text(exp.read_text().replace('"nurses_per_patient"', '"nurses_per_patien"'))
    with pytest.raises(ScenarioError, match="did you mean 'nurses_per_patient'"):
        load_experiment(bad)


def test_local_dask_cluster_gives_the_same_results(tmp_path):
    exp = tmp_path / "dask.toml"
    exp.write_text(
        f'name = "localdask"\nscenario = "{BASE}"\nreplications = 2\nseed = 0\n'
        'indicators = ["unsafe_icu_patient_days", "peak_sick_share"]\n'
        '[set]\n"world.scale" = 0.02\n"time.end" = 2020-04-01\n'
        '[[variants]]\nname = "a"\n[[variants]]\nname = "b"\nset = {"infection.community_rate" = 0.2}\n'
    )
    experiment = load_experiment(exp)
    here = load_results(run_sweep(experiment, out=tmp_path / "here").folder)
    there = load_results(run_sweep(experiment, workers=2, local_dask=True, out=tmp_path / "there").folder)
    pd.testing.assert_frame_equal(here.sort_values("run_id").reset_index(drop=True), there.sort_values("run_id").reset_index(drop=True))
