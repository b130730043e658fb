"""Property-based fuzzing of scenario and experiment files (issue #11, hostile input).

Hypothesis writes scenario files (the resolved values of the baseline, of a scenario with lever tables for single
regions or of one over years with the staff supply, or a child that extends one of them, then mutated: keys removed, values replaced by other TOML types, inf / NaN / huge / negative numbers,
strings with control characters and non-ASCII, random dates, extra keys, random ``extends``
targets, bytes that are not UTF-8) and experiment files (variants and each design). Every file must
either be valid, and then run at a tiny scale with finite numbers in its summary, or be refused
with exit code 2 and exactly one ``mobsim: error:`` line: never a traceback or another exit code.

A run takes about a second, so many examples only validate and fewer also run. ``make test`` runs
a few hundred examples, deterministically (``derandomize``, no example database: CI is not flaky
and nothing is written into the repository); ``make fuzz`` (``MOBSIM_FUZZ=1``) runs many more, with
fresh random examples each time.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pytest
import tomli_w
from helpers import one_error_line
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.scenario import ScenarioError, load_scenario
from sim.sweep import jobs, load_experiment

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
#: The scenarios the scenario files start from: the baseline, one with lever tables for single regions
#: (``[levers.<lever>.regions.<region>]``), and one over years with the staff supply (``[supply]``, ``[quiet]``), so that
#: the keys only those hold are mutated too
BASES = (BASE, ROOT / "scenarios" / "stockholm_first.toml", ROOT / "scenarios" / "preparedness_2030.toml")
FUZZ = os.environ.get("MOBSIM_FUZZ") == "1"


def _profile(examples: int, fuzz_examples: int) -> settings:
    """Deterministic and database-less by default; many fresh random examples with MOBSIM_FUZZ=1."""
    return settings(
        max_examples=fuzz_examples if FUZZ else examples,
        derandomize=not FUZZ,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
        print_blob=True,
    )


def _plain(value: Any) -> Any:
    """A model dump as TOML-writable values: no None (dropped), paths as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


class Base(NamedTuple):
    """A scenario to start from: its file, its resolved values, their paths and those of its numbers."""

    path: Path
    data: dict[str, Any]
    paths: list[tuple]
    numeric: list[tuple]


def _base(path: Path) -> Base:
    data = _plain(load_scenario(path).model_dump())
    paths = _paths(data)
    return Base(path, data, paths, [p for p in paths if isinstance(_get(data, p), int | float) and not isinstance(_get(data, p), bool)])


BASE_SCENARIOS = tuple(_base(path) for path in BASES)
NUMERIC = BASE_SCENARIOS[0].numeric  # the baseline's numbers: the experiments' parameters

# --------------------------------------------------------------------------- strategies

SPECIAL_NUMBERS = [math.inf, -math.inf, math.nan, 1e308, -1e308, 1e-308, 0, -1, 0.5, 1, 2, 2**63 - 1, -(2**63), 10**6, 1e12]
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)  # control characters and non-ASCII included
key_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=8)
numbers = st.sampled_from(SPECIAL_NUMBERS) | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(2**63), 2**63 - 1)
dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
scalars = numbers | text | st.booleans() | dates
values = scalars | st.lists(scalars, max_size=3) | st.dictionaries(key_text, scalars, max_size=2)
FACTORS = [0, -1, 0.1, 10, 1e3, 1e6, 1e308, -1e308, 1.000001, 0.999999]
# values at the schema's bounds (sim.scenario's MAX_* constants and the ends of shares), so that extreme but valid values
# reach a run: they must give finite results too
EXTREMES = [0, 1, 1e-9, 5.0, 10.0, 24.0, 52.0, 100.0, 168.0, 240.0, 1000.0, 7305, 11_000, 17_000, 330_000, 790_000, 1e5, 1e6, 1e9]


def _set(data: dict[str, Any], path: tuple, value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        if isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict):
            node = node.setdefault(part, {}) if isinstance(node.get(part), dict | list) or part not in node else node[part]
        else:
            return
        if not isinstance(node, dict | list):
            return
    last = path[-1]
    if isinstance(node, list) and isinstance(last, int) and last < len(node):
        node[last] = value
    elif isinstance(node, dict):
        node[str(last)] = value


def _remove(data: dict[str, Any], path: tuple) -> None:
    node: Any = data
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(node, dict):
        node.pop(path[-1], None)
    elif isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node):
        del node[path[-1]]


@st.composite
def mutated(draw: st.DrawFn, data: dict[str, Any], paths: list[tuple], numeric: list[tuple], n_max: int = 4) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(0, n_max))):
        op = draw(st.sampled_from(["replace", "remove", "extra", "tweak", "tweak", "extreme", "extreme"]))
        if op == "extreme" and numeric:
            path = draw(st.sampled_from(numeric))
            old = _get_or_none(data, path)
            new = draw(st.sampled_from(EXTREMES))
            _set(data, path, int(new) if isinstance(old, int) and not isinstance(old, bool) else float(new))
        elif op == "tweak" and numeric:
            path = draw(st.sampled_from(numeric))
            try:
                old = _get(data, path)
            except (KeyError, IndexError, TypeError):
                continue
            if isinstance(old, int | float) and not isinstance(old, bool):
                new = old * draw(st.sampled_from(FACTORS)) if old else draw(st.sampled_from(FACTORS))
                _set(data, path, int(new) if isinstance(old, int) and math.isfinite(new) else new)
        elif op == "remove" and paths:
            _remove(data, draw(st.sampled_from(paths)))
        elif op == "replace" and paths:
            _set(data, draw(st.sampled_from(paths)), draw(values))
        else:
            parent = draw(st.sampled_from([(), *[p for p in paths if isinstance(_get_or_none(data, p), dict)]]))
            _set(data, (*parent, draw(key_text)), draw(values))
    return data


def _get_or_none(data: Any, path: tuple) -> Any:
    try:
        return _get(data, path)
    except (KeyError, IndexError, TypeError):
        return None


def _toml(data: dict[str, Any]) -> bytes | None:
    try:
        return tomli_w.dumps(data).encode()
    except (TypeError, ValueError):  # e.g. a mutation made a key TOML cannot write
        return None


@st.composite
def scenario_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """(bytes of a scenario file, how it was made)."""
    base = draw(st.sampled_from(BASE_SCENARIOS))
    kind = draw(st.sampled_from(["full", "child", "child"]))
    if kind == "full":
        data = draw(mutated(base.data, base.paths, base.numeric))
    else:
        overlay = {"extends": str(base.path)}
        picked = draw(st.lists(st.sampled_from(base.numeric), max_size=4, unique=True))
        for path in picked:  # start from real values, then mutate them
            _set(overlay, path, _get(base.data, path))
        own = [p for p in _paths(overlay)]
        data = draw(mutated(overlay, own, [p for p in own if p in base.numeric]))
        if draw(st.integers(0, 9)) == 0:
            data["extends"] = draw(st.sampled_from(["self.toml", ".", "", "../", "nope.toml", str(ROOT / "Makefile")]) | text)
    raw = _toml(data) or b'extends = "nope.toml"\n'
    encoding = draw(st.sampled_from(["utf-8"] * 12 + ["utf-8-sig", "utf-16", "latin-1", "corrupt", "truncate"]))
    if encoding in ("utf-16", "latin-1", "utf-8-sig"):
        raw = raw.decode().encode(encoding, errors="replace")
    elif encoding == "corrupt":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    elif encoding == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw, f"{base.path.stem}/{kind}/{encoding}"


def _mobsim(capsys, argv: list[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _check_outcome(code: int, err: str) -> None:
    assert code in (0, 2), err
    if code == 2:
        one_error_line(err)


@given(case=scenario_files())
@_profile(examples=400, fuzz_examples=5000)
def test_fuzz_scenario_validates_or_is_refused_in_one_line(tmp_path_factory, capsys, case):
    raw, _how = case
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "self.toml"
    path.write_bytes(raw)
    code, out, err = _mobsim(capsys, ["validate", str(path)])
    event(f"{_how}: exit {code}")  # pytest --hypothesis-show-statistics shows how many were valid
    _check_outcome(code, err)
    if code == 0:
        assert "valid scenario" in out


# the run's period and size: a few weeks at 1 % scale, so that an example takes about a second
RUN_SET = ["--set", "world.scale=0.01", "--set", "time.start=2020-03-20", "--set", "time.end=2020-04-10", "--quiet"]


@pytest.mark.long
@given(case=scenario_files())
@_profile(examples=200, fuzz_examples=1000)
def test_fuzz_valid_scenarios_run_with_finite_results(tmp_path_factory, capsys, case):
    raw, _how = case
    folder = tmp_path_factory.mktemp("fuzzrun")
    path = folder / "self.toml"
    path.write_bytes(raw)
    out_dir = folder / "out"
    code, _out, err = _mobsim(capsys, ["run", str(path), "--out", str(out_dir), *RUN_SET])
    event(f"run: exit {code}")
    _check_outcome(code, err)
    if code == 2:
        assert not out_dir.exists()
        return
    summary = pd.read_csv(out_dir / "summary.csv")
    numeric = summary.select_dtypes("number")
    assert numeric.notna().all().all() and numeric.map(math.isfinite).all().all(), summary.T.to_string()


# --------------------------------------------------------------------------- experiments

PARAMETER_KEYS = [".".join(map(str, p)) for p in NUMERIC] + ["levers.loans.enabled", "name", "demand.source", "nope.key", ""]


@st.composite
def experiment_files(draw: st.DrawFn) -> bytes:
    data: dict[str, Any] = {
        "name": "fuzz",
        "scenario": str(BASE),
        "replications": draw(st.sampled_from([1, 2, 3, 0, -1, 10**8, 1.5])),
        "seed": draw(st.sampled_from([0, 1, 2**63 - 1, -1])),
        "set": {"world.scale": 0.01},
    }
    if draw(st.booleans()):
        data["variants"] = [
            {"name": draw(st.sampled_from(["a", "b"]) | text), "set": {draw(st.sampled_from(PARAMETER_KEYS)): draw(values)}}
            for _ in range(draw(st.integers(1, 3)))
        ]
    else:
        design = draw(st.sampled_from(["grid", "latin_hypercube", "sobol", "morris"]))
        data["design"] = design
        parameters = {}
        for key in draw(st.lists(st.sampled_from(PARAMETER_KEYS), min_size=1, max_size=3, unique=True)):
            if design == "grid":
                parameters[key] = {"values": draw(st.lists(values, min_size=1, max_size=3))}
            else:
                low = draw(numbers)
                parameters[key] = {"min": low, "max": draw(st.sampled_from([low, low + 1, low * 2, low - 1]) | numbers)}
        data["parameters"] = parameters
        if design != "grid":
            data["samples"] = draw(st.sampled_from([1, 2, 4, 3, 8, 4096]))
    raw = _toml(draw(mutated(data, _paths(data), [], n_max=2)))
    return raw or b'name = "fuzz"\n'


@given(raw=experiment_files())
@_profile(examples=200, fuzz_examples=3000)
def test_fuzz_experiment_loads_or_is_refused_in_one_line(tmp_path_factory, capsys, raw):
    folder = tmp_path_factory.mktemp("fuzzexp")
    path = folder / "exp.toml"
    path.write_bytes(raw)
    try:
        experiment = load_experiment(path)
    except ScenarioError:
        event("experiment refused")
        out_dir = folder / "out"
        code, _out, err = _mobsim(capsys, ["sweep", str(path), "--out", str(out_dir), "--quiet"])
        assert code == 2, err
        one_error_line(err)
        assert not out_dir.exists()
        return
    event("experiment valid")
    runs = jobs(experiment)
    assert 1 <= len(runs) <= 10_000
    for job in runs[:: max(1, len(runs) // 5)]:  # every design point makes a valid scenario
        job.scenario.with_overrides(**job.overrides)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "experiments").glob("*.toml")))
def test_shipped_experiments_load(name):
    assert jobs(load_experiment(ROOT / "experiments" / name))
