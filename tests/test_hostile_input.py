"""Hostile input (issue #11): each failure an adversarial user reproduced, as a regression test.

The rule: bad input gets one line ``mobsim: error: FILE: KEY: what was expected`` and exit code 2, never a
traceback, and nothing is written. Each test is named after the failure it reproduces (numbers as in the issue).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import one_error_line

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
SMALL = ["--set", "world.scale=0.02", "--set", "time.end=2020-03-10"]


def snapshot(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*")}


def refused(capsys, tmp_path: Path, argv: list[str], *fragments: str) -> str:
    """Run ``mobsim argv`` in ``tmp_path``; assert exit 2, one error line holding ``fragments``, nothing written."""
    before = snapshot(tmp_path)
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    line = one_error_line(err)
    for fragment in fragments:
        assert fragment in line, line
    assert snapshot(tmp_path) == before
    return line


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default results folder (results/<name>) would land here


def child(tmp_path: Path, body: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(f'extends = "{BASE}"\n{body}\n', encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 6: inf and huge numbers


@pytest.mark.parametrize(
    ("body", "key", "fragment"),
    [
        ("[workforce]\nweekly_hours = inf", "workforce.weekly_hours", "finite number"),
        ("[fatigue]\nrise = inf", "fatigue.rise", "finite number"),
        ("[fatigue]\nrise = nan", "fatigue.rise", "finite number"),
        ("[workforce]\nweekly_hours = 200", "workforce.weekly_hours", "168 hours a week"),
        ("[costs.hourly_wage_sek]\nphysician = 1e300", "costs.hourly_wage_sek.physician", "SEK an hour"),
        ("[absence]\nother_mean_days = 1e9", "absence.other_mean_days", "days (20 years)"),
        ("[levers.crisis_agreement]\npay_multiplier = 1e6", "levers.crisis_agreement.pay_multiplier", "times"),
    ],
)
def test_6_inf_and_huge_numbers_are_refused(capsys, tmp_path, body, key, fragment):
    path = child(tmp_path, body)
    for command in ("validate", "run"):
        refused(capsys, tmp_path, [command, str(path), *SMALL], "bad.toml", key, fragment)


def test_6_inf_by_set_is_refused(capsys, tmp_path):
    refused(capsys, tmp_path, ["validate", str(BASE), "--set", "workforce.weekly_hours=inf"], "--set", "workforce.weekly_hours", "finite")


def test_6_huge_peak_is_refused(capsys, tmp_path):
    argv = ["validate", str(ROOT / "scenarios" / "second_wave.toml"), "--set", "demand.waves.0.peak_per_100k=1e308"]
    refused(capsys, tmp_path, argv, "--set", "demand.waves.0.peak_per_100k", "at most 100,000 per 100,000 inhabitants")


def test_6_huge_patients_in_csv_are_refused(capsys, tmp_path):
    (tmp_path / "curves.csv").write_text(
        "date,region,kind,patients\n2020-03-01,stockholm,covid_icu,1e308\n2020-03-10,stockholm,covid_icu,1\n"
    )
    path = child(tmp_path, '[time]\nend = 2020-03-10\n[demand]\nsource = "csv"\ncsv = "curves.csv"')
    for command in ("validate", "run"):
        refused(capsys, tmp_path, [command, str(path)], "curves.csv", "row 2, column patients", "inhabitants")


# --------------------------------------------------------------------------- 7: files that are not UTF-8


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ('name = "V\u00e4stra G\u00f6taland"\n'.encode("latin-1"), ["not UTF-8 text (byte 0xe4 at line 1)", "save the file as UTF-8"]),
        (b"# a comment\n\n" + "[world]\nscale = 0.1 # V\u00e4stra\n".encode("latin-1"), ["byte 0xe4 at line 4"]),
        ("[world]\nscale = 0.1\n".encode("utf-16"), ["UTF-16", "save the file as UTF-8"]),
        (bytes(range(256)), ["not UTF-8 text", "save the file as UTF-8"]),
    ],
    ids=["latin-1", "latin-1-line-4", "utf-16-bom", "binary"],
)
def test_7_file_not_utf8_is_refused(capsys, tmp_path, raw, fragments):
    path = tmp_path / "bad.toml"
    path.write_bytes(raw)
    refused(capsys, tmp_path, ["validate", str(path)], "bad.toml", *fragments)
    experiment = tmp_path / "bad_experiment.toml"
    experiment.write_bytes(raw)
    refused(capsys, tmp_path, ["sweep", str(experiment)], "bad_experiment.toml", *fragments)


def test_7_utf8_with_bom_is_accepted(capsys, tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + f'extends = "{BASE}"\ndescription = "V\u00e4stra G\u00f6taland"\n'.encode())
    assert main(["validate", str(path)]) == 0, capsys.readouterr().err


# --------------------------------------------------------------------------- 9: sweeps


def experiment(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(f'name = "exp"\nscenario = "{BASE}"\nreplications = 1\nseed = 0\nset = {{ "world.scale" = 0.02 }}\n{body}\n')
    return path


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        ('design = "grid"\n[parameters]\n"fatigue.rise" = { values = [1, "a", true] }', ["parameters.fatigue.rise.values.1", "one type"]),
        ('design = "grid"\n[parameters]\n"fatigue.rise" = { values = ["a", "b"] }', ["parameters.fatigue.rise.values.0", "valid number"]),
        (
            'design = "grid"\n[parameters]\n"fatigue.recovery" = { values = [0.1, 2] }',
            ["parameters.fatigue.recovery.values.1", "less than or equal to 1"],
        ),
        (
            'design = "latin_hypercube"\nsamples = 4\n[parameters]\n"fatigue.rise" = { min = 0.1, max = 0.1 }',
            ["fatigue.rise.min", "min < max"],
        ),
        ('design = "sobol"\nsamples = 4\n[parameters]\n"fatigue.rise" = { min = 0.1, max = 0.1 }', ["fatigue.rise.min", "min < max"]),
        (
            'design = "latin_hypercube"\nsamples = 4\n[parameters]\n"fatigue.recovery" = { min = 0.5, max = 3 }',
            ["parameters.fatigue.recovery.max"],
        ),
    ],
    ids=["mixed-types", "strings-for-a-number", "value-out-of-range", "lhs-min-equals-max", "sobol-min-equals-max", "range-out-of-range"],
)
def test_9_bad_sweep_parameters_are_refused_before_any_folder(capsys, tmp_path, body, fragments):
    refused(capsys, tmp_path, ["sweep", str(experiment(tmp_path, body)), "--quiet"], "exp.toml", *fragments)


# --------------------------------------------------------------------------- 10: validate refuses what run refuses, and bounds


def test_10_scale_too_small_is_refused_by_validate(capsys, tmp_path):
    line = refused(capsys, tmp_path, ["validate", str(BASE), "--set", "world.scale=1e-6"], "world.scale", "expected at least 4.8e-06")
    assert "no staff" in line


def test_10_profession_missing_from_region_mix_is_refused_by_validate(capsys, tmp_path):
    base = BASE.read_text(encoding="utf-8").replace("icu_nurse = { icu = 1.0 }\n", "")
    path = tmp_path / "bad.toml"
    path.write_text(base, encoding="utf-8")
    refused(capsys, tmp_path, ["validate", str(path)], "bad.toml", "workforce.region_mix.icu_nurse", "missing")


@pytest.mark.parametrize(
    ("body", "key", "fragment"),
    [
        ('[levers.loans]\nenabled = "yes"', "levers.loans.enabled", "valid boolean"),
        ("[world]\nscale = true", "world.scale", "valid number"),
        ("[world]\nnursing_homes = 1.5", "world.nursing_homes", "valid integer"),
        ("[world]\nnursing_homes = 1e12", "world.nursing_homes", "valid integer"),
        ("[world]\nnursing_homes = 1000000000000", "world.nursing_homes", "ten times Sweden's 1,700"),
        ("[time]\nend = 2220-03-01", "time.end", "at most 7,305 days (20 years)"),
    ],
)
def test_10_strict_types_and_bounds(capsys, tmp_path, body, key, fragment):
    refused(capsys, tmp_path, ["validate", str(child(tmp_path, body))], "bad.toml", key, fragment)


def test_10_strict_types_still_read_set_values_as_toml(capsys):
    assert main(["validate", str(BASE), "--set", "world.scale=0.1", "--set", "levers.loans.enabled=false"]) == 0
    assert "valid scenario" in capsys.readouterr().out


def test_10_escape_sequence_in_name_is_refused_and_not_printed_raw(capsys, tmp_path):
    line = refused(capsys, tmp_path, ["validate", str(child(tmp_path, 'name = "\\u001b[31mred"'))], "bad.toml", "name", "printable")
    assert "\x1b" not in line and "\\x1b" in line


def test_10_control_characters_in_any_error_are_escaped(capsys, tmp_path):
    line = refused(capsys, tmp_path, ["validate", str(BASE), "--set", "fatigue.rise=\x1b[2J"], "--set", "fatigue.rise")
    assert "\x1b" not in line


def test_10_name_too_long_is_refused(capsys, tmp_path):
    refused(capsys, tmp_path, ["run", str(child(tmp_path, f'name = "{"x" * 300}"')), *SMALL], "bad.toml", "name", "at most 100 characters")


def test_10_extends_chain_too_deep_is_refused(capsys, tmp_path):
    (tmp_path / "f0.toml").write_text(f'extends = "{BASE}"\n')
    for i in range(1, 1000):
        (tmp_path / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\n')
    refused(capsys, tmp_path, ["validate", str(tmp_path / "f999.toml")], "extends", "at most 20")


def test_10_too_many_replications_are_refused(capsys, tmp_path):
    variants = '[[variants]]\nname = "a"\n'
    for value in ("1e8", "100000000"):
        path = experiment(tmp_path, variants).read_text().replace("replications = 1", f"replications = {value}")
        (tmp_path / "exp.toml").write_text(path)
        refused(capsys, tmp_path, ["sweep", str(tmp_path / "exp.toml")], "exp.toml", "replications")
    refused(capsys, tmp_path, ["compare", str(BASE), "--replications", "100000000"], "--replications", "at most 10,000 runs")


def test_10_too_large_design_is_refused(capsys, tmp_path):
    body = 'design = "sobol"\nsamples = 4096\n[parameters]\n"fatigue.rise" = { min = 0.1, max = 0.2 }'
    refused(capsys, tmp_path, ["sweep", str(experiment(tmp_path, body))], "exp.toml", "samples", "16,384 runs", "at most 10,000")


def test_10_demand_csv_outside_the_period_is_refused(capsys, tmp_path):
    (tmp_path / "curves.csv").write_text(
        "date,region,kind,patients\n2021-03-01,stockholm,covid_icu,10\n2021-04-01,stockholm,covid_icu,20\n"
    )
    path = child(tmp_path, '[time]\nend = 2020-03-10\n[demand]\nsource = "csv"\ncsv = "curves.csv"')
    for command in ("validate", "run"):
        refused(capsys, tmp_path, [command, str(path)], "curves.csv", "column date", "2021-03-01 to 2021-04-01", "2020-03-01 to 2020-03-10")


def test_10_control_characters_in_a_variant_name_are_refused(capsys, tmp_path):
    body = '[[variants]]\nname = "\\u001b[2Jgone"\n'
    line = refused(capsys, tmp_path, ["sweep", str(experiment(tmp_path, body))], "exp.toml", "variants.0.name", "printable")
    assert "\x1b" not in line


def test_10_markup_in_a_name_is_printed_as_text(capsys, tmp_path):
    path = child(tmp_path, 'name = "[bold red]loud"')
    assert main(["run", str(path), *SMALL, "--quiet", "--out", str(tmp_path / "out")]) == 0
    assert "[bold red]loud" in capsys.readouterr().out


def test_10_too_many_workers_are_refused(capsys, tmp_path):
    refused(capsys, tmp_path, ["compare", str(BASE), "--workers", "100000"], "--workers", "<= 256")
    body = '[[variants]]\nname = "a"\n'
    refused(capsys, tmp_path, ["sweep", str(experiment(tmp_path, body)), "--workers", "100000"], "--workers", "<= 256")
