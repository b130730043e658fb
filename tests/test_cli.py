"""The ``mobsim`` command: bad input gives one line and exit code 2 and writes nothing; good runs write results."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
from helpers import one_error_line

from sim.cli import main
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
SMALL = ["--set", "world.scale=0.02", "--set", "time.end=2020-03-20"]
RESULT_FILES = {"units.parquet", "staff.parquet", "icu.parquet", "nursing_homes.parquet", "summary.csv", "summary.parquet", "manifest.json"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def child(tmp_path: Path, body: str, name: str = "bad.toml") -> Path:
    return write(tmp_path / name, f'extends = "{BASE}"\n{body}\n')


def snapshot(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


# Each case writes its input files into tmp_path and returns (argv after "run"/"validate", strings the error line must contain).
def _unknown_key(t):
    return [str(child(t, "[fatigue]\nrise_rat = 1"))], ["bad.toml", "fatigue.rise_rat", "did you mean 'rise'?"]


def _wrong_type(t):
    return [str(child(t, '[world]\nscale = "big"'))], ["bad.toml", "world.scale", "valid number"]


def _negative_staff(t):
    return [str(child(t, "[world]\nnursing_homes = -5"))], ["bad.toml", "world.nursing_homes", "greater than or equal to 1"]


def _probability(t):
    return [str(child(t, "[infection]\nsymptomatic_share = 1.5"))], ["bad.toml", "infection.symptomatic_share", "less than or equal to 1"]


def _missing_extends(t):
    return [str(write(t / "bad.toml", 'extends = "nope.toml"\n'))], ["bad.toml", "extends", "nope.toml", "not found"]


def _circular(t):
    write(t / "other.toml", 'extends = "bad.toml"\n')
    return [str(write(t / "bad.toml", 'extends = "other.toml"\n'))], ["bad.toml", "extends", "circular"]


def _invalid_toml(t):
    return [str(child(t, "[world\nscale = 1"))], ["bad.toml", "not valid TOML", "line"]


def _missing_file(t):
    return [str(t / "absent.toml")], ["absent.toml", "file not found"]


def _bad_set(t):
    return [str(BASE), "--set", "world.scal=0.1"], ["--set", "world.scal", "did you mean 'scale'?"]


def _set_without_equals(t):
    return [str(BASE), "--set", "world.scale"], ["--set", "world.scale", "KEY=VALUE"]


def _lever(t):
    return [str(BASE), "--set", "levers.crisis_agreement.max_weekly_hours=-48"], [
        "--set",
        "levers.crisis_agreement.max_weekly_hours",
        "greater than 0",
    ]


def _renamed_lever(t):  # issue #16: the ICU lever rapid_training is icu_upskilling (beredskapslyftet is another lever)
    return [str(child(t, "[levers.rapid_training]\nmax_share = 0.1"))], [
        "bad.toml",
        "levers.rapid_training",
        "renamed to [levers.icu_upskilling] (issue #16)",
    ]


def _renamed_lever_set(t):
    return [str(BASE), "--set", "levers.rapid_training.enabled=false"], [
        "--set",
        "levers.rapid_training",
        "renamed to [levers.icu_upskilling]",
    ]


def _malformed_csv(t):
    write(t / "curves.csv", "date,region,kind,patients\n2020-03-01,stockholm,covid_icu,1\n2020-03-02,stockholm,covid_icu,-4\n")
    path = child(t, '[demand]\nsource = "csv"\ncsv = "curves.csv"')
    return [str(path)], ["curves.csv", "row 3, column patients", ">= 0"]


def _missing_csv(t):
    return [str(child(t, '[demand]\nsource = "csv"\ncsv = "gone.csv"'))], ["gone.csv", "demand.csv", "file not found"]


BAD = [_unknown_key, _wrong_type, _negative_staff, _probability, _missing_extends, _circular, _invalid_toml, _missing_file,
       _bad_set, _set_without_equals, _lever, _renamed_lever, _renamed_lever_set, _malformed_csv, _missing_csv]  # fmt: skip
IDS = [f.__name__.strip("_") for f in BAD]


@pytest.mark.parametrize("case", BAD, ids=IDS)
def test_run_bad_input_one_line_exit_2_nothing_written(case, tmp_path, monkeypatch, capsys):
    argv, expected = case(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    out = tmp_path / "out"
    code = main(["run", *argv, "--out", str(out), "--quiet", "--set", "time.end=2020-03-03"])  # short, should it run at all
    captured = capsys.readouterr()
    assert code == 2
    line = one_error_line(captured.err)
    for fragment in expected:
        assert fragment in line, (fragment, line)
    assert not out.exists()
    assert snapshot(tmp_path) == before  # no results/, no temporary folder, nothing else
    assert captured.out == ""


@pytest.mark.parametrize("case", BAD, ids=IDS)
def test_validate_bad_input_one_line_exit_2(case, tmp_path, monkeypatch, capsys):
    argv, expected = case(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code = main(["validate", *argv])
    captured = capsys.readouterr()
    assert code == 2
    line = one_error_line(captured.err)
    for fragment in expected:
        assert fragment in line, (fragment, line)
    assert "valid scenario" not in captured.out
    assert snapshot(tmp_path) == before


def test_run_bad_input_without_out_writes_no_results_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["run", str(child(tmp_path, "[world]\nicu_beds_2019 = -1"))])
    assert code == 2
    assert "world.icu_beds_2019" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["run", str(BASE), "--seed", "-1"], "--seed"),
        (["run", str(BASE), "--seed", "99999999999999999999999"], "--seed"),
        (["run", str(BASE), "--seed", "abc"], "invalid int value"),
        (["run"], "required: scenario"),
        ([], "required: command"),
        (["frobnicate"], "invalid choice"),
        (["run", str(BASE), "--set", "name=.."], "name"),
    ],
)
def test_usage_errors_are_one_line(argv, fragment, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    line = one_error_line(capsys.readouterr().err)
    assert fragment in line
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_is_refused_before_running(tmp_path, capsys):
    target = write(tmp_path / "taken", "keep me")
    assert main(["run", str(BASE), *SMALL, "--out", str(target / "x")]) == 2
    assert "--out" in one_error_line(capsys.readouterr().err)
    assert main(["run", str(BASE), *SMALL, "--out", str(target)]) == 2
    assert "not a folder" in one_error_line(capsys.readouterr().err)
    assert target.read_text() == "keep me"


def test_out_holding_other_files_is_not_replaced(tmp_path, capsys):
    folder = tmp_path / "documents"
    folder.mkdir()
    write(folder / "thesis.txt", "years of work")
    assert main(["run", str(BASE), *SMALL, "--out", str(folder)]) == 2
    assert "holds other files" in one_error_line(capsys.readouterr().err)
    assert main(["run", str(BASE), *SMALL, "--out", str(folder / "sub" / "..")]) == 2
    capsys.readouterr()
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]
    assert (folder / "thesis.txt").read_text() == "years of work"


def test_validate_good_scenario(capsys):
    assert main(["validate", str(BASE), "--set", "world.scale=0.5"]) == 0
    out = capsys.readouterr().out
    digest = load_scenario(BASE, set_values=["world.scale=0.5"]).digest()
    assert "valid scenario 'sweden_spring2020'" in out
    assert "122 days" in out
    assert digest[:12] in out
    assert len(out.strip().splitlines()) == 1, "without --show, one line"


def test_validate_show_prints_every_resolved_value_by_the_keys_set_takes(capsys):
    sets = ["world.scale=0.5", "levers.crisis_agreement.until=2020-07-31", "safety.icu_tiers.1.from_surge=1.0"]
    assert main(["validate", str(BASE), "--show", *[a for s in sets for a in ("--set", s)]]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    values = dict(line.split(" = ", 1) for line in lines[1:])
    assert values["world.scale"] == "0.5"
    assert values["levers.crisis_agreement.until"] == '"2020-07-31"'
    assert values["safety.icu_tiers.1.name"] == '"one_to_two"' and values["safety.icu_tiers.1.from_surge"] == "1.0"
    assert values["levers.crisis_agreement.max_weekly_hours"] == "48.0"  # from the file: every value, not only the set ones
    assert len(values) == len(lines) - 1, "one line per key"


def test_run_writes_results(tmp_path, capsys):
    out = tmp_path / "deep" / "run1"
    code = main(["run", str(BASE), "--seed", "3", *SMALL, "--out", str(out), "--quiet", "--csv"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    names = {p.name for p in out.iterdir()}
    assert names >= RESULT_FILES
    assert {"units.csv", "staff.csv", "icu.csv", "nursing_homes.csv"} <= names
    assert [p.name for p in out.parent.iterdir()] == ["run1"]  # no temporary folder left beside it

    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("scenario_sha256", "seed", "mobsim_version", "created_utc"):
        assert key in manifest
    assert manifest["seed"] == 3
    assert manifest["scenario_sha256"] == load_scenario(BASE, set_values=SMALL[1::2]).digest()
    assert manifest["mobsim_version"] == metadata.version("mobsim")
    created = dt.datetime.fromisoformat(manifest["created_utc"])
    assert created.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.UTC) - created).total_seconds()) < 600
    assert manifest["scenario"]["world"]["scale"] == 0.02

    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 1
    assert summary["seed"].iloc[0] == 3
    assert summary["days"].iloc[0] == 20
    pd.testing.assert_frame_equal(summary, pd.read_parquet(out / "summary.parquet"), check_dtype=False)
    icu = pd.read_parquet(out / "icu.parquet")
    assert len(icu) > 0

    # an earlier results folder is replaced as a whole
    (out / "units.csv").unlink()
    assert main(["run", str(BASE), "--seed", "4", *SMALL, "--out", str(out), "--quiet"]) == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 4
    assert not (out / "icu.csv").exists()
    assert [p.name for p in out.parent.iterdir()] == ["run1"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["COLUMNS"] = "120"
    return env


def _mobsim() -> list[str]:
    script = Path(sys.executable).parent / "mobsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim.cli"]


def test_subprocess_bad_input(tmp_path):
    bad = child(tmp_path, "[infection]\nsymptomatic_share = 1.5")
    out = tmp_path / "out"
    proc = subprocess.run(
        [*_mobsim(), "run", str(bad), "--out", str(out)], cwd=tmp_path, capture_output=True, text=True, env=_env(), timeout=120
    )
    assert proc.returncode == 2
    line = one_error_line(proc.stderr)
    assert str(bad) in line and "infection.symptomatic_share" in line
    assert proc.stdout == ""
    assert not out.exists() and not (tmp_path / "results").exists()


def test_subprocess_module_validate_and_run(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", str(BASE)], cwd=tmp_path, capture_output=True, text=True, env=_env(), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "valid scenario 'sweden_spring2020'" in proc.stdout

    out = tmp_path / "out"
    proc = subprocess.run(
        [*_mobsim(), "run", str(BASE), *SMALL, "--out", str(out)], cwd=tmp_path, capture_output=True, text=True, env=_env(), timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert {p.name for p in out.iterdir()} >= RESULT_FILES
    assert "peak_covid_icu_patients" in proc.stdout


def test_a_bad_option_is_an_option_error_not_a_scenario_error(capsys):
    import argparse

    from sim.cli import _check_executor_options
    from sim.errors import InputError, OptionError, ScenarioError

    with pytest.raises(OptionError) as info:
        _check_executor_options(argparse.Namespace(workers=0, scheduler=None, dask=False))
    assert isinstance(info.value, InputError) and not isinstance(info.value, ScenarioError)
    assert info.value.source == "--workers"
    # main turns it, like every InputError, into one line and exit code 2
    assert main(["run", str(BASE), "--seed", "-1"]) == 2
    assert one_error_line(capsys.readouterr().err).startswith("mobsim: error: --seed: seed: expected a whole number")
