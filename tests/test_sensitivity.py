"""``mobsim sensitivity`` and sim.sensitivity: Sobol and Morris indices of a finished sweep store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import one_error_line

from sim.cli import main
from sim.scenario import ScenarioError
from sim.sensitivity import analyse
from sim.sweep import load_experiment, run_sweep

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
REAL = "infection.community_rate"
INERT = "levers.national_pool.yearly_cost_per_member_sek"  # the pool is disabled: no effect on anything
INDICATOR = "peak_sick_share"
HEAD = f'''name = "sens"
scenario = "{BASE}"
replications = 1
seed = 5
indicators = ["peak_sick_share", "cost_total_msek"]
set = {{ "world.scale" = 0.02, "time.end" = 2020-04-01 }}
[parameters]
"{REAL}" = {{ min = 0.05, max = 0.6 }}
"{INERT}" = {{ min = 10000, max = 90000 }}
'''


def design(kind: str, samples: int) -> str:
    # top-level keys must come before the [parameters] table
    head, table = HEAD.split("[parameters]\n")
    return head + f'design = "{kind}"\nsamples = {samples}\n[parameters]\n' + table


def sweep(tmp_path_factory, kind: str, samples: int) -> Path:
    folder = tmp_path_factory.mktemp(kind)
    path = folder / "exp.toml"
    path.write_text(design(kind, samples), encoding="utf-8")
    outcome = run_sweep(load_experiment(path), out=folder / "store")
    assert not outcome.failed
    return outcome.folder


@pytest.fixture(scope="module")
def morris_store(tmp_path_factory):
    return sweep(tmp_path_factory, "morris", 3)


@pytest.fixture(scope="module")
def sobol_store(tmp_path_factory):
    return sweep(tmp_path_factory, "sobol", 4)


def by_parameter(table: pd.DataFrame, indicator: str = INDICATOR) -> pd.DataFrame:
    return table[table["indicator"] == indicator].set_index("parameter")


def test_morris_ranks_the_real_parameter_first(morris_store):
    table = analyse(morris_store)
    assert list(table.columns[:3]) == ["indicator", "parameter", "method"]
    assert set(table["method"]) == {"morris"}
    rows = by_parameter(table)
    assert rows.loc[REAL, "mu_star"] > 0
    assert rows.loc[INERT, "mu_star"] == 0.0 and rows.loc[INERT, "sigma"] == 0.0
    assert np.isfinite(rows[["mu_star", "mu_star_conf", "sigma"]].to_numpy()).all()


def test_sobol_ranks_the_real_parameter_first(sobol_store):
    table = analyse(sobol_store, [INDICATOR])
    assert set(table["indicator"]) == {INDICATOR} and set(table["method"]) == {"sobol"}
    rows = by_parameter(table)
    assert np.isfinite(rows[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    assert rows.loc[REAL, "ST"] > rows.loc[INERT, "ST"]
    assert rows.loc[REAL, "S1"] > rows.loc[INERT, "S1"]
    assert abs(rows.loc[INERT, "ST"]) < 1e-12


def test_constant_indicator_gives_nan_with_a_note(morris_store, tmp_path):
    copy = shutil.copytree(morris_store, tmp_path / "copy")
    for run in (copy / "runs").glob("*.parquet"):  # an indicator that no parameter moves
        frame = pd.read_parquet(run)
        frame["cost_total_msek"] = 1.5
        frame.to_parquet(run, index=False)
    table = analyse(copy)
    constant = table[table["indicator"] == "cost_total_msek"]
    assert len(constant) == 2 and constant["mu_star"].isna().all() and constant["sigma"].isna().all()
    assert constant["note"].str.contains("same at every point").all()
    assert (table[table["indicator"] == INDICATOR]["note"] == "").all()


def test_cli_writes_csv(sobol_store, capsys):
    assert main(["sensitivity", str(sobol_store), "--indicator", INDICATOR]) == 0
    out = capsys.readouterr().out
    assert "community_rate" in out and "S1" in out
    written = pd.read_csv(sobol_store / "sensitivity.csv")
    assert set(written["indicator"]) == {INDICATOR} and len(written) == 2
    assert not [p for p in sobol_store.iterdir() if p.name.endswith(".tmp")]


def bad(argv: list[str], capsys) -> str:
    assert main(argv) == 2
    return one_error_line(capsys.readouterr().err)


def test_unknown_indicator_suggests(morris_store, capsys):
    line = bad(["sensitivity", str(morris_store), "--indicator", "peak_sick_shar"], capsys)
    assert "unknown indicator 'peak_sick_shar'" in line and "did you mean 'peak_sick_share'" in line


def test_not_a_store(tmp_path, capsys):
    assert "not a sweep results folder" in bad(["sensitivity", str(tmp_path)], capsys)
    assert "not found" in bad(["sensitivity", str(tmp_path / "nothing")], capsys)


def test_wrong_design(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text(json.dumps({"experiment_sha256": "x", "design": "latin_hypercube", "spec": {}}))
    pd.DataFrame({"point_id": [0]}).to_parquet(tmp_path / "points.parquet")
    line = bad(["sensitivity", str(tmp_path)], capsys)
    assert "sensitivity indices need a sobol or morris design; this sweep used latin_hypercube" in line


def test_incomplete_store(morris_store, tmp_path, capsys):
    copy = shutil.copytree(morris_store, tmp_path / "copy")
    for run in sorted((copy / "runs").glob("*.parquet"))[:2]:
        run.unlink()
    line = bad(["sensitivity", str(copy)], capsys)
    assert "2 of 9 runs are missing" in line and "--resume" in line
    with pytest.raises(ScenarioError):
        analyse(copy)
