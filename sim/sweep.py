"""Experiments at scale: experiment files, design points, and a resumable results store.

An experiment is a TOML file, validated like a scenario (unknown keys are errors with the
closest valid key suggested; errors name the file and the key)::

    name = "quick_sweep"
    scenario = "../scenarios/strategies/national_pool_small.toml"   # relative to this file
    replications = 3                                                 # runs per design point
    seed = 0                                                         # replication r uses seed + r
    indicators = ["unsafe_icu_patient_days", "cost_total_msek"]      # default: sim.indicators.planners()
    set = { "world.scale" = 0.02 }                                   # overrides applied to every point

    design = "latin_hypercube"     # grid, latin_hypercube, sobol or morris
    samples = 8                    # N (not with grid)

    [parameters]
    "levers.national_pool.size" = { min = 0, max = 3000 }
    "levers.national_pool.response_days" = { min = 1, max = 14 }

or, instead of ``design``/``samples``/``[parameters]``, a list of variants::

    [[variants]]
    name = "no_action"
    scenario = "../scenarios/strategies/no_action.toml"   # default: the experiment's scenario
    set = { "levers.loans.enabled" = false }              # optional overrides

Designs (sampled with SALib, seeded with ``seed``):

- ``grid``: every combination of the parameters' ``values`` lists.
- ``latin_hypercube``: ``samples`` points in the ``[min, max]`` box.
- ``sobol``: Saltelli's scheme for Sobol indices, ``samples`` · (2D + 2) points (D parameters;
  ``samples`` a power of two).
- ``morris``: ``samples`` trajectories of D + 1 points each (4 levels).

A parameter whose scenario value is a whole number (e.g. ``response_days``) gets sampled values
rounded to the nearest whole number; a design point may therefore repeat another.

Every point runs ``replications`` times; replication r of every point uses seed ``seed + r``
(common random numbers across points). A run is identified by ``p{point:05d}_r{rep:03d}``.

The results store (default ``results/<experiment name>/``)::

    manifest.json            the experiment, its hash, the scenarios' hashes, versions, progress
    points.parquet           one row per design point: point_id and the parameter values (or variant)
    runs/<run_id>.parquet    one row per finished run: run_id, point_id, replication, seed, values, indicators
    failed/<run_id>.json     a run that raised: error type and message (the sweep goes on)

Every file is written to a temporary file in its folder and moved into place (``os.replace``), so
an interrupted sweep leaves only whole files, and each run is written as soon as it finishes.

Reusing a store: the manifest holds ``experiment_sha256``, a hash of the validated experiment and
of every scenario it uses (so editing the experiment *or* a scenario file changes it).

- A missing or empty folder is a new store.
- A folder whose manifest has the same hash belongs to this experiment. With ``resume=True`` the
  runs already in ``runs/`` are skipped and the others (including failed ones) run; without it
  every run is run again and its file replaced (the model is deterministic, so the results are
  the same unless the code changed).
- A folder whose manifest has another hash is refused once it holds a finished run (runs of
  different experiments must not be mixed); with none, the new experiment takes it over.
- Anything else that is not empty (other files, results of a run or a comparison) is refused
  (``sim.store.FolderError``); files in the store that mobsim did not write are left alone.
- A lock (``.mobsim.lock``, held while the sweep runs) keeps a second sweep out of the store.
- With ``resume=True`` each run file is read before it counts as done; a damaged one is run again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import math
import platform
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from filelock import FileLock, Timeout
from pydantic import Field, field_validator, model_validator

from sim import indicators as registry
from sim.executor import check_options, execute
from sim.experiment import NATIONAL_DAILY_COLUMNS, default_indicators, national_daily
from sim.scenario import Scenario, ScenarioError, _read_toml, _validate_as, load_scenario
from sim.schema import MAX_NAME, MAX_RUNS, FilePath, _KeyedValueError, _Section, at_most, folder_name
from sim.store import (
    SWEEP_ENTRIES,
    SWEEP_LOCK,
    FolderError,
    atomic_file,
    atomic_json,
    check_folder,
    mobsim_version,
    ownership,
    package_version,
    read_manifest,
    remove_temp_files,
)
from sim.text import suggest

Design = Literal["grid", "latin_hypercube", "sobol", "morris"]
DESIGNS: tuple[str, ...] = ("grid", "latin_hypercube", "sobol", "morris")
MAX_SEED = 2**63 - 1
MORRIS_LEVELS = 4
DAILY_KEY = "__daily__"  # where run_job hands a run's kept daily series to the store writer

# called with (runs done, failed runs, runs in all) after each run; skipped runs count as done
SweepProgress = Callable[[int, int, int], None]


# --------------------------------------------------------------------------- schema


class ParameterSpec(_Section):
    """One varied scenario value: a range (``min``, ``max``) or a list of ``values`` (grid)."""

    min: float | None = None
    max: float | None = None
    values: list[Any] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _range_or_values(self) -> ParameterSpec:
        if self.values is not None:
            if self.min is not None or self.max is not None:
                raise _KeyedValueError("values", "give either values = [...] or min and max, not both")
            kinds = [_kind(v) for v in self.values]
            for i, kind in enumerate(kinds):
                # one column of the results per parameter: parquet needs one type in it
                if kind != kinds[0]:
                    raise _KeyedValueError(f"values.{i}", f"is a {kind} but values.0 is a {kinds[0]}; expected values of one type")
            return self
        if self.min is None or self.max is None:
            raise _KeyedValueError("min" if self.min is None else "max", "expected min and max (a range) or values = [...]")
        # finite by the schema's config; SALib scales its samples by max - min and refuses an empty range
        if self.min >= self.max:
            relation = "above" if self.min > self.max else "equal to"
            raise _KeyedValueError("min", f"min ({self.min:g}) is {relation} max ({self.max:g}); expected min < max (a range to sample)")
        return self


def _kind(value: Any) -> str:
    """The kind of a TOML value, for one-type checks (whole numbers count as numbers)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "list", dict: "table"}.get(type(value), "date")


class VariantSpec(_Section):
    """A named scenario: a file, overrides of the experiment's scenario, or both."""

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    scenario: FilePath | None = Field(None, description="scenario file, relative to the experiment file (default: the experiment's)")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted scenario key -> value")

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        # the name is printed in tables and stored in the results; a control character would reach the terminal raw
        if not value.strip() or any(not c.isprintable() for c in value):
            raise ValueError(f"expected a name of printable characters, got {value!r}")
        return value


class ExperimentSpec(_Section):
    """The contents of an experiment file."""

    name: str
    description: str = ""
    scenario: FilePath | None = Field(None, description="base scenario file, relative to the experiment file")
    replications: Annotated[int, Field(ge=1), at_most(MAX_RUNS, "replications", "a sweep runs at most 10,000 runs")]
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)]
    indicators: list[str] | None = Field(None, min_length=1, description="summary columns kept per run")
    daily: list[str] = Field(default_factory=list, description="national daily series kept per run (sim.experiment.NATIONAL_DAILY_COLUMNS)")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted scenario key -> value, applied to every point")
    variants: list[VariantSpec] | None = Field(None, min_length=1)
    parameters: dict[str, ParameterSpec] | None = Field(None, min_length=1)
    design: Design | None = None
    samples: Annotated[int, Field(ge=1), at_most(MAX_RUNS, "samples", "a sweep runs at most 10,000 runs")] | None = None

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str) -> str:
        return folder_name(value)

    def n_points(self) -> int:
        """Design points (or variants), known before sampling: what SALib's samplers return for these sizes."""
        if self.variants is not None:
            return len(self.variants)
        assert self.parameters is not None
        d, n = len(self.parameters), self.samples or 1
        if self.design == "grid":
            return math.prod(len(p.values or []) for p in self.parameters.values())
        return {"latin_hypercube": n, "sobol": n * (2 * d + 2), "morris": n * (d + 1)}[str(self.design)]

    @field_validator("daily")
    @classmethod
    def _known_series(cls, value: list[str]) -> list[str]:
        for i, name in enumerate(value):
            if name not in NATIONAL_DAILY_COLUMNS:
                raise _KeyedValueError(
                    str(i),
                    f"unknown daily series '{name}'{suggest(name, NATIONAL_DAILY_COLUMNS)} (expected one of {', '.join(NATIONAL_DAILY_COLUMNS)})",
                )
        return value

    @field_validator("indicators")
    @classmethod
    def _known_indicators(cls, value: list[str] | None) -> list[str] | None:
        # an unknown name would be accepted here and then fail every run (the summary has no such column);
        # wave{k}_* names are accepted for any k: whether wave k falls within the run is known only when it runs
        for i, name in enumerate(value or []):
            if not registry.is_summary_column(name):
                raise _KeyedValueError(str(i), registry.unknown(name))
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> ExperimentSpec:
        if self.seed > MAX_SEED - self.replications + 1:
            raise _KeyedValueError("seed", f"seeds {self.seed}..{self.seed + self.replications - 1} do not fit in 0..2**63 - 1")
        if self.indicators is not None and len(set(self.indicators)) < len(self.indicators):
            raise _KeyedValueError("indicators", "an indicator is listed twice")
        if (self.variants is None) == (self.parameters is None):
            raise _KeyedValueError("variants", "expected either [[variants]] or [parameters] (with design), not both nor neither")
        if self.variants is not None:
            for key in ("design", "samples"):
                if getattr(self, key) is not None:
                    raise _KeyedValueError(key, f"{key} applies to [parameters], not to [[variants]]")
            names = [v.name for v in self.variants]
            for i, name in enumerate(names):
                if name in names[:i]:
                    raise _KeyedValueError(f"variants.{i}.name", f"'{name}' names two variants; expected distinct names")
            if self.scenario is None:
                for i, variant in enumerate(self.variants):
                    if variant.scenario is None:
                        raise _KeyedValueError(f"variants.{i}.scenario", "expected a scenario file (the experiment gives none)")
            return self
        assert self.parameters is not None
        if self.scenario is None:
            raise _KeyedValueError("scenario", "required key is missing ([parameters] vary the experiment's scenario)")
        if self.design is None:
            raise _KeyedValueError("design", f"required with [parameters]; expected one of {', '.join(DESIGNS)}")
        grid = self.design == "grid"
        if grid and self.samples is not None:
            raise _KeyedValueError("samples", "a grid has every combination of the values; samples does not apply")
        if not grid and self.samples is None:
            raise _KeyedValueError("samples", f"required with design = '{self.design}'")
        if self.design == "sobol" and self.samples is not None and self.samples & (self.samples - 1):
            raise _KeyedValueError("samples", f"the Sobol design needs a power of two, got {self.samples}")
        for key, spec in self.parameters.items():
            if grid and spec.values is None:
                raise _KeyedValueError(f"parameters.{key}.values", "design = 'grid' needs values = [...] for every parameter")
            if not grid and spec.values is not None:
                raise _KeyedValueError(f"parameters.{key}.values", f"design = '{self.design}' samples a range: give min and max")
        return self

    @model_validator(mode="after")
    def _few_enough_runs(self) -> ExperimentSpec:
        runs = self.n_points() * self.replications
        if runs > MAX_RUNS:
            key = "replications" if self.variants is not None else ("parameters" if self.design == "grid" else "samples")
            raise _KeyedValueError(
                key,
                f"{self.n_points():,} points × {self.replications:,} replications are {runs:,} runs; "
                f"expected at most {MAX_RUNS:,} runs (a run takes a second or more, so more would take days)",
            )
        return self


# --------------------------------------------------------------------------- loaded experiment


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: its file's contents and the scenarios it runs.

    ``scenarios`` maps each variant's name to its scenario (overrides applied); with
    ``[parameters]`` it holds the one base scenario under the key ``""``. ``integer`` names
    the parameters whose sampled values are rounded.
    """

    spec: ExperimentSpec
    source: Path
    scenarios: dict[str, Scenario]
    integer: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def parameters(self) -> list[str]:
        return list(self.spec.parameters or {})

    @property
    def value_columns(self) -> list[str]:
        """Columns that identify a point besides point_id: the parameters, or ``variant``."""
        return ["variant"] if self.spec.variants is not None else self.parameters

    def digest(self) -> str:
        """SHA-256 of the validated experiment and of every scenario it uses."""
        data = {"experiment": self.spec.model_dump(mode="json"), "scenarios": {k: s.digest() for k, s in self.scenarios.items()}}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file and the scenarios it names.

    Raises:
        ScenarioError: naming the experiment file (or a scenario file) and the key.
    """
    path = Path(path)
    source = str(path)
    data = _read_toml(path)
    spec = _validate_as(ExperimentSpec, data, {}, source)

    def scenario_at(relative: Path, key: str) -> Scenario:
        file = path.parent / relative
        if not file.is_file():
            raise ScenarioError(source, key, f"file '{relative}' not found (looked in {path.parent})")
        return load_scenario(file)

    def overridden(scenario: Scenario, overrides: dict[str, Any], key: str) -> Scenario:
        if not overrides:
            return scenario
        for dotted in overrides:
            scenario_value(scenario, dotted, source, f"{key}.{dotted}")
        try:
            return scenario.with_overrides(**overrides)
        except ScenarioError as exc:
            raise ScenarioError(source, f"{key}.{exc.key}", exc.message) from None

    base = scenario_at(spec.scenario, "scenario") if spec.scenario is not None else None
    if base is not None:
        base = overridden(base, spec.set, "set")
    scenarios: dict[str, Scenario] = {}
    integer: set[str] = set()
    if spec.variants is not None:
        for i, variant in enumerate(spec.variants):
            if variant.scenario is not None:
                scenario = overridden(scenario_at(variant.scenario, f"variants.{i}.scenario"), spec.set, "set")
            else:
                assert base is not None
                scenario = base
            scenarios[variant.name] = overridden(scenario, variant.set, f"variants.{i}.set")
    else:
        assert base is not None and spec.parameters is not None
        scenarios[""] = base
        for key, parameter in spec.parameters.items():
            current = scenario_value(base, key, source, f"parameters.{key}")
            if parameter.values is None:
                if isinstance(current, bool) or not isinstance(current, int | float | None):
                    raise ScenarioError(
                        source, f"parameters.{key}", f"is {current!r}, not a number: give values = [...] with design 'grid'"
                    )
                if isinstance(current, int):
                    integer.add(key)
            # every value a run will get must make a valid scenario, or every run of it would fail after the
            # results folder was made: the grid's values, and the ends of a range (rounded as the samples are)
            assert parameter.min is not None or parameter.values is not None
            tried = (
                {f"values.{i}": v for i, v in enumerate(parameter.values)}
                if parameter.values is not None
                else {name: _cast(key, float(getattr(parameter, name)), frozenset(integer)) for name in ("min", "max")}
            )
            for where, value in tried.items():
                try:
                    base.with_overrides(**{key: value})
                except ScenarioError as exc:
                    raise ScenarioError(source, f"parameters.{key}.{where}", f"{exc.key}: {exc.message}") from None
    return Experiment(spec=spec, source=path, scenarios=scenarios, integer=frozenset(integer))


def scenario_value(scenario: Scenario, dotted: str, source: str, key: str) -> Any:
    """The scenario's value at ``dotted`` (``a.b.0.c``), or a ScenarioError naming the unknown part."""
    node: Any = scenario.model_dump(mode="json")
    for i, part in enumerate(dotted.split(".")):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
            continue
        where = ".".join(dotted.split(".")[:i]) or "the scenario"
        options = [str(k) for k in node] if isinstance(node, dict) else [str(n) for n in range(len(node))] if isinstance(node, list) else []
        raise ScenarioError(source, key, f"unknown scenario key '{dotted}': '{part}' is not in {where}{suggest(part, options)}")
    return node


# --------------------------------------------------------------------------- design points and jobs


def points(experiment: Experiment) -> pd.DataFrame:
    """One row per design point: ``point_id`` (0, 1, ...) and the parameter values (or ``variant``)."""
    spec = experiment.spec
    if spec.variants is not None:
        return pd.DataFrame({"point_id": range(len(spec.variants)), "variant": [v.name for v in spec.variants]})
    assert spec.parameters is not None
    names = list(spec.parameters)
    if spec.design == "grid":
        rows = [list(combo) for combo in itertools.product(*(spec.parameters[n].values or [] for n in names))]
    else:
        from SALib.sample import latin, morris, sobol

        problem = {
            "num_vars": len(names),
            "names": names,
            "bounds": [[spec.parameters[n].min, spec.parameters[n].max] for n in names],
        }
        n = spec.samples or 1
        if spec.design == "latin_hypercube":
            sample = latin.sample(problem, n, seed=spec.seed)
        elif spec.design == "sobol":
            sample = sobol.sample(problem, n, calc_second_order=True, seed=spec.seed)
        else:
            sample = morris.sample(problem, n, num_levels=MORRIS_LEVELS, seed=spec.seed)
        rows = [[_cast(n, float(x), experiment.integer) for n, x in zip(names, row, strict=True)] for row in sample]
    frame = pd.DataFrame(rows, columns=names)
    frame.insert(0, "point_id", range(len(frame)))
    return frame


def _cast(name: str, value: float, integer: frozenset[str]) -> float | int:
    return round(value) if name in integer else value


@dataclass(frozen=True)
class Job:
    """One run: a design point's scenario, the overrides of the point, and a replication's seed."""

    run_id: str
    point_id: int
    replication: int
    seed: int
    scenario: Scenario
    overrides: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    indicators: tuple[str, ...] | None = None
    daily: tuple[str, ...] = ()


def run_id(point: int, replication: int) -> str:
    return f"p{point:05d}_r{replication:03d}"


def jobs(experiment: Experiment, design: pd.DataFrame | None = None) -> list[Job]:
    """Every point × replication, point by point; replication r uses seed ``seed + r``."""
    design = points(experiment) if design is None else design
    spec = experiment.spec
    indicators = tuple(spec.indicators) if spec.indicators is not None else None
    out = []
    for row in design.to_dict("records"):
        point = int(row.pop("point_id"))
        values = {k: _plain(v) for k, v in row.items()}
        if spec.variants is not None:
            scenario, overrides = experiment.scenarios[values["variant"]], {}
        else:
            scenario, overrides = experiment.scenarios[""], dict(values)
        for r in range(spec.replications):
            out.append(Job(run_id(point, r), point, r, spec.seed + r, scenario, overrides, values, indicators, tuple(spec.daily)))
    return out


def _plain(value: Any) -> Any:
    """numpy scalars as Python values (for pydantic, JSON and parquet)."""
    return value.item() if hasattr(value, "item") else value


def run_job(job: Job) -> tuple[str, dict[str, Any]]:
    """Run one job; returns ("ok", row) or ("failed", {"type", "message"}). Never raises for a bad run."""
    import sim

    try:
        scenario = job.scenario.with_overrides(**job.overrides) if job.overrides else job.scenario
        result = sim.run(scenario, seed=job.seed)
        summary = result.summary.iloc[0]
        names = list(job.indicators) if job.indicators is not None else default_indicators(list(summary.index))
        missing = [n for n in names if n not in summary.index]
        if missing:
            raise KeyError(f"the summary has no column {missing[0]!r}")
        row = {"run_id": job.run_id, "point_id": job.point_id, "replication": job.replication, "seed": job.seed, **job.values}
        row.update({n: _plain(summary[n]) for n in names})
        if job.daily:
            daily = national_daily(result.daily.icu, result.daily.staff)[["date", *job.daily]]
            row[DAILY_KEY] = daily.assign(run_id=job.run_id, point_id=job.point_id, replication=job.replication)
        return "ok", row
    except Exception as exc:
        return "failed", {"run_id": job.run_id, "type": type(exc).__name__, "message": str(exc)}


# --------------------------------------------------------------------------- results store


@dataclass
class SweepOutcome:
    """What ``run_sweep`` did: runs in all, skipped (already in the store), run now, and failed now."""

    folder: Path
    total: int
    skipped: int
    ran: int
    failed: list[str]


def open_store(experiment: Experiment, folder: str | Path | None = None) -> Path:
    """The results folder, checked (see the module's docstring and ``sim.store``); nothing is written.

    A store of another experiment is refused once it holds a finished run; with none (an earlier
    attempt failed before any run finished) the new experiment takes it over.

    Raises:
        FolderError: the folder belongs to another experiment or kind, or holds other files.
    """
    target = check_folder(folder if folder is not None else Path("results") / experiment.name, "sweep")
    manifest = read_manifest(target)
    found = manifest.get("experiment_sha256") if manifest is not None else None
    if found is not None and found != experiment.digest() and _finished(target):
        raise FolderError(
            f"holds results of another experiment (manifest.json experiment_sha256 {str(found)[:12]}, "
            f"this one {experiment.digest()[:12]}); choose another folder or delete it"
        )
    return target


def _finished(folder: Path) -> set[str]:
    """Run ids with a run file in the store (not yet verified)."""
    return {p.stem for p in (folder / "runs").glob("*.parquet")}


def _verified(folder: Path, ids: Iterable[str]) -> set[str]:
    """The run ids whose run file is whole: it reads as Parquet and holds one row of that run."""
    import pyarrow.parquet as pq

    good = set()
    for rid in ids:
        path = folder / "runs" / f"{rid}.parquet"
        try:
            table = pq.read_table(path, columns=["run_id"])
            ok = table.num_rows == 1 and table.column("run_id")[0].as_py() == rid
        except Exception:  # pyarrow raises several types for a damaged file
            ok = False
        if ok:
            good.add(rid)
        else:
            path.unlink(missing_ok=True)  # a run file mobsim wrote but that is damaged: the run is done again
    return good


def _manifest(experiment: Experiment, design: pd.DataFrame, total: int, state: dict[str, Any]) -> dict[str, Any]:
    spec = experiment.spec
    return {
        "experiment": experiment.name,
        "experiment_file": str(experiment.source),
        "experiment_sha256": experiment.digest(),
        "scenario_sha256": {k or "base": s.digest() for k, s in experiment.scenarios.items()},
        "design": spec.design or "variants",
        "points": len(design),
        "replications": spec.replications,
        "runs": total,
        "seed": spec.seed,
        "common_random_numbers": "replication r of every point uses seed + r",
        "integer_parameters": sorted(experiment.integer),
        "indicators": spec.indicators or f"default: those of {list(registry.planners())} in the summary",
        "mobsim_version": mobsim_version(),
        "python": platform.python_version(),
        "packages": {name: package_version(name) for name in ("numpy", "numba", "pandas", "pyarrow", "SALib", "distributed")},
        "spec": spec.model_dump(mode="json"),
        **state,
        **ownership("sweep", SWEEP_ENTRIES),
    }


def load_results(folder: str | Path) -> pd.DataFrame:
    """Every finished run of a store, one row each, ordered by run_id (empty if none)."""
    files = sorted((Path(folder) / "runs").glob("*.parquet"))
    if not files:
        return pd.DataFrame()
    return pd.concat([_read_run(f) for f in files], ignore_index=True)


def _read_run(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ScenarioError(
            str(path), "", f"cannot be read as Parquet ({type(exc).__name__}); 'mobsim sweep ... --resume' runs it again"
        ) from None


def load_daily(folder: str | Path) -> pd.DataFrame:
    """The kept daily series of every finished run (the experiment's ``daily``), long by run and date."""
    folder = Path(folder)
    done = {p.stem for p in (folder / "runs").glob("*.parquet")}
    files = sorted(p for p in (folder / "daily").glob("*.parquet") if p.stem in done)
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def load_failures(folder: str | Path) -> pd.DataFrame:
    """Every failed run of a store: run_id, type, message."""
    files = sorted((Path(folder) / "failed").glob("*.json"))
    return pd.DataFrame([json.loads(f.read_text()) for f in files], columns=["run_id", "type", "message"])


# --------------------------------------------------------------------------- running


def run_sweep(
    experiment: Experiment,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    progress: SweepProgress | None = None,
    out: str | Path | None = None,
    local_dask: bool = False,
) -> SweepOutcome:
    """Run every job of ``experiment`` and write each run to the store as it finishes.

    Args:
        workers: 1 runs in this process; more runs in as many spawned processes (or, with
            ``local_dask``, in a local Dask cluster of that many worker processes on 127.0.0.1).
        scheduler: ``tcp://host:port`` of a Dask scheduler: runs on its workers (``workers`` is ignored).
        resume: skip the runs already in the store.
        progress: called with (runs done, failed, runs in all) after each run.
        out: the store (default ``results/<experiment name>``).

    The results are the same whatever the executor. A run that raises is written to
    ``failed/<run_id>.json`` and the sweep goes on.

    Raises:
        ValueError: the store cannot be used (see ``open_store``), or unusable executor options.
        OSError: the Dask scheduler cannot be reached.
        sim.executor.Interrupted: SIGTERM, SIGINT or SIGHUP; the workers are stopped first, finished runs are kept.
    """
    problem = check_options(workers, scheduler, local_dask)
    if problem is not None:  # refused before the store is touched
        raise ValueError(": ".join(problem))
    folder = open_store(experiment, out)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / SWEEP_LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise FolderError("another mobsim sweep is writing into this store; wait for it to finish or choose another folder") from None
    try:
        return _run_sweep(experiment, folder, workers, scheduler, resume, progress, local_dask)
    finally:
        lock.release()


def _run_sweep(
    experiment: Experiment,
    folder: Path,
    workers: int,
    scheduler: str | None,
    resume: bool,
    progress: SweepProgress | None,
    local_dask: bool,
) -> SweepOutcome:
    design = points(experiment)
    every = jobs(experiment, design)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    previous = read_manifest(folder)
    # the manifest first: from its first file on, the folder is recognisably mobsim's
    atomic_json(folder / "manifest.json", _manifest(experiment, design, len(every), {"started_utc": started, "complete": False}))
    runs_dir, failed_dir, daily_dir = folder / "runs", folder / "failed", folder / "daily"
    runs_dir.mkdir(exist_ok=True)
    failed_dir.mkdir(exist_ok=True)
    if experiment.spec.daily:
        daily_dir.mkdir(exist_ok=True)
    for sub in (folder, runs_dir, failed_dir, daily_dir):
        remove_temp_files(sub)  # left by an interrupted write
    if previous is not None and previous.get("experiment_sha256") != experiment.digest():
        # taken over from another experiment that finished no run: its failure records and series are not this one's
        for stale in (*failed_dir.glob("*.json"), *daily_dir.glob("*.parquet")):
            stale.unlink()
    done_ids = _verified(folder, _finished(folder)) if resume else set()
    todo = [job for job in every if job.run_id not in done_ids]
    skipped = len(every) - len(todo)
    atomic_file(folder / "points.parquet", lambda p: design.to_parquet(p, index=False))

    failed: list[str] = []
    count = skipped
    if progress is not None:
        progress(count, 0, len(every))

    def finished(job: Job, status: str, payload: dict[str, Any]) -> None:
        nonlocal count
        record = failed_dir / f"{job.run_id}.json"
        if status == "ok":
            daily = payload.pop(DAILY_KEY, None)
            if daily is not None:  # written before the run file, whose presence marks the run as done
                atomic_file(daily_dir / f"{job.run_id}.parquet", lambda p: daily.to_parquet(p, index=False))
            frame = pd.DataFrame([payload])
            atomic_file(runs_dir / f"{job.run_id}.parquet", lambda p: frame.to_parquet(p, index=False))
            record.unlink(missing_ok=True)
        else:
            atomic_json(record, payload)
            (runs_dir / f"{job.run_id}.parquet").unlink(missing_ok=True)
            failed.append(job.run_id)
        count += 1
        if progress is not None:
            progress(count, len(failed), len(every))

    with contextlib.closing(execute(run_job, [(job,) for job in todo], workers, scheduler=scheduler, local_dask=local_dask)) as outcomes:
        for outcome in outcomes:
            job = todo[outcome.index]
            if outcome.error is None:
                finished(job, *outcome.value)
            else:  # run_job never raises: the worker died (or Dask lost the run too often); the run failed, the sweep goes on
                finished(job, "failed", {"run_id": job.run_id, "type": type(outcome.error).__name__, "message": str(outcome.error)})

    present = {p.stem for p in runs_dir.glob("*.parquet")}
    state = {
        "started_utc": started,
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "runs_done": len(present),
        "runs_failed": len({p.stem for p in failed_dir.glob("*.json")}),
        "complete": len(present) == len(every),
    }
    atomic_json(folder / "manifest.json", _manifest(experiment, design, len(every), state))
    return SweepOutcome(folder=folder, total=len(every), skipped=skipped, ran=len(todo), failed=failed)


def mean_by_point(runs: pd.DataFrame, value_columns: Iterable[str], indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """Mean of each indicator per point, with the point's values and its number of finished runs."""
    if runs.empty:
        return pd.DataFrame()
    keys = ["point_id", *value_columns]
    ids = {"run_id", "point_id", "replication", "seed", *keys}
    names = list(indicators) if indicators is not None else [c for c in runs.columns if c not in ids]
    numeric = [c for c in names if c in runs.columns and pd.api.types.is_numeric_dtype(runs[c])]
    grouped = runs.groupby("point_id", sort=True)
    table = grouped[keys[1:]].first() if keys[1:] else pd.DataFrame(index=grouped.size().index)
    table["runs"] = grouped.size()
    table = table.join(grouped[numeric].mean())
    return table.reset_index()


# --------------------------------------------------------------------------- workbook

#: The workbook ``mobsim sweep --xlsx`` writes into the store (``sim.store.SWEEP_ENTRIES`` lists it).
WORKBOOK = "results.xlsx"


def workbook_sheets(experiment: Experiment, folder: str | Path, command: str | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of a sweep's workbook, by name; another sheet is one more entry of the dict.

    ``means``: the mean of each indicator per design point (or variant), with the point's values and its number of
    finished runs; ``runs``: every finished run (one row each); ``points``: the design; ``failed``: failed runs, if any;
    ``provenance``: the experiment file's text, seeds, replications, scale, and the scenarios as TOML.
    """
    from sim.workbook import provenance

    folder = Path(folder)
    runs = load_results(folder)
    spec = experiment.spec
    sheets: dict[str, pd.DataFrame] = {
        "means": mean_by_point(runs, experiment.value_columns, spec.indicators) if not runs.empty else pd.DataFrame({"point_id": []}),
        "runs": runs if not runs.empty else pd.DataFrame({"run_id": []}),
        "points": pd.read_parquet(folder / "points.parquet") if (folder / "points.parquet").is_file() else points(experiment),
    }
    failures = load_failures(folder)
    if not failures.empty:
        sheets["failed"] = failures
    manifest = read_manifest(folder) or {}
    seeds = f"{spec.seed} to {spec.seed + spec.replications - 1}" if spec.replications > 1 else str(spec.seed)
    items: list[tuple[str, Any]] = [
        ("what", "an experiment (mobsim sweep)"),
        ("experiment", experiment.name),
        ("experiment file", str(experiment.source)),
        ("experiment sha256", experiment.digest()),
        ("design", spec.design or "variants"),
        ("points", len(sheets["points"])),
        ("replications", spec.replications),
        ("seeds", seeds),
        ("common random numbers", "replication r of every point uses seed + r"),
        ("runs finished", len(runs)),
        ("runs failed", len(failures)),
        ("complete", manifest.get("complete", "")),
    ]
    scales = {s.world.scale for s in experiment.scenarios.values()}
    if "world.scale" in experiment.parameters:
        scales = {0.0, 1.0}  # varied: each run's own (the runs sheet has it)
    try:
        text = experiment.source.read_text(encoding="utf-8")
    except OSError:
        text = None
    table = provenance(
        items,
        {name or experiment.name: s.model_dump(mode="json") for name, s in experiment.scenarios.items()},
        scales.pop() if len(scales) == 1 else None,
        command,
    )
    if text is not None:
        lines = pd.DataFrame(
            [("", ""), (f"experiment file {experiment.source.name}", ""), *(("", line) for line in text.splitlines())],
            columns=["item", "value"],
        )
        at = int(table.index[table["item"] == "command line"][0]) + 1
        table = pd.concat([table.iloc[:at], lines, table.iloc[at:]], ignore_index=True)
    sheets["provenance"] = table
    return sheets


def write_workbook(experiment: Experiment, folder: str | Path, command: str | None = None) -> Path:
    """Write ``results.xlsx`` (``workbook_sheets``) into the sweep's store, atomically; returns its path."""
    from sim import workbook

    return workbook.write_workbook(Path(folder) / WORKBOOK, workbook_sheets(experiment, folder, command))
