"""Compare strategies: replications with common random numbers, and paired differences.

Every strategy (a scenario) is run ``replications`` times; replication ``r`` of every
strategy uses the seed ``seed + r``. Strategies therefore share their random numbers
replication by replication, and the paired differences (strategy minus the first
strategy, per replication) carry much less noise than the difference of two means.

::

    from sim.experiment import run_replications
    compared = run_replications([baseline, alternative], replications=10, seed=0, workers=2)
    compared.comparison         # strategy × indicator: mean, 95 % interval, paired difference
    compared.save("results/compare_baseline_vs_alternative")
"""

from __future__ import annotations

import contextlib
import datetime as dt
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim import indicators as registry
from sim.executor import execute
from sim.intervals import INTERVAL_METHOD, LEVEL, interval
from sim.regional import region_daily, weighted_fatigue
from sim.scenario import Scenario, ScenarioError
from sim.store import mobsim_version, package_version, save_folder

#: Summary columns that matter to planners, in the order they are reported (those a run's summary lacks are left out):
#: ``sim.indicators.planners()``, kept here as a tuple for code that imported it (taken at import: ``default_indicators``
#: reads the registry at each call, so indicators a lever registers later count too).
INDICATORS = registry.planners()
#: The strategy files of ``scenarios/strategies/`` in reading order; the first is the reference of paired differences.
STRATEGIES = (
    "no_action",
    "regional_only",
    "regional_and_loans",
    "moving_patients",
    "moving_staff_and_patients",
    "national_pool_small",
    "national_pool_large",
    "as_happened_2020",
    "nursing_homes_stable_teams",
    "nursing_homes_spring_measures_off",
    "nursing_homes_more_nurses",
)
COMPARISON_COLUMNS = ["strategy", "indicator", "mean", "ci_low", "ci_high", "diff_mean", "diff_low", "diff_high"]
FILES = [
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
]

#: The tidy frames of a comparison besides its runs and comparison (``--csv`` writes each as CSV too).
TIDY_FRAMES = ("national_daily", "region_daily", "unit_daily", "loans", "pool_deployments")

ProgressCallback = Callable[[int, int], None]  # called with (runs done, runs in all) after each run


def default_indicators(columns: Sequence[str]) -> list[str]:
    """The planners' indicators (``sim.indicators.planners()``) among a summary's columns."""
    return [name for name in registry.planners() if name in columns]


def check_names(scenarios: Sequence[Scenario], sources: Sequence[str | Path] | None = None) -> None:
    """Refuse two strategies with the same name (the name identifies a strategy in every output).

    Raises:
        ScenarioError: naming the source (file) of the second scenario with a name already taken.
    """
    sources = [str(s) for s in sources] if sources is not None else [f"scenario {i + 1}" for i in range(len(scenarios))]
    seen: dict[str, str] = {}
    for scenario, source in zip(scenarios, sources, strict=True):
        if scenario.name in seen:
            raise ScenarioError(
                source,
                "name",
                f"'{scenario.name}' is also the name of {seen[scenario.name]}; strategies need distinct names (set name = ...)",
            )
        seen[scenario.name] = source


# --------------------------------------------------------------------------- one run


#: Columns of ``national_daily`` (besides ``date``): what an experiment may keep per run and day.
NATIONAL_DAILY_COLUMNS = (
    "covid_icu_patients",
    "icu_patients",
    "icu_nurses",
    "nurses_per_patient",
    "unsafe_patients",
    "specialist_icu_nurses",
    "diluted_patients",
    "beds_surge",
    "beds_open",
    "beds_staffed",
    "patients_above_open_beds",
    "patients_above_staffed_beds",
    "free_beds_share",
    "n_active",
    "n_sick_covid",
    "n_sick_other",
    "n_sick_exhaustion",
    "n_left",
    "n_off_duty",
    "n_training",
    "n_reserve",
    "n_total",
    "fatigue_mean",
)


def national_daily(icu: pd.DataFrame, staff: pd.DataFrame) -> pd.DataFrame:
    """National values per date from a run's daily ``icu`` and ``staff`` frames.

    Counts are summed over regions (and employers and professions); ratios are recomputed
    from the sums; ``fatigue_mean`` is weighted by the staff present (not left). Percentiles
    such as ``fatigue_p90`` cannot be summed and are left out.
    """
    # admissions stay regional (region_daily): summed here, a source without them would read as 0 admissions
    icu_sums = icu.drop(columns=["nurses_per_patient", "free_beds_share", "covid_icu_admissions"], errors="ignore")
    icu_nat = icu_sums.groupby("date", observed=True).sum(numeric_only=True)
    if {"icu_nurses", "icu_patients"} <= set(icu_nat.columns):
        icu_nat["nurses_per_patient"] = icu_nat["icu_nurses"] / icu_nat["icu_patients"].where(icu_nat["icu_patients"] > 0)
    if {"icu_patients", "beds_open"} <= set(icu_nat.columns):  # as the icu frame: the share of the beds open that day
        icu_nat["free_beds_share"] = 1.0 - icu_nat["icu_patients"] / icu_nat["beds_open"].clip(lower=1e-9)
    elif {"icu_patients", "beds_surge"} <= set(icu_nat.columns):  # folders from before issue #13 have surge beds only
        icu_nat["free_beds_share"] = 1.0 - icu_nat["icu_patients"] / icu_nat["beds_surge"].clip(lower=1e-9)

    counts = [c for c in staff.columns if c.startswith("n_")]
    staff_nat = staff[["date", *counts]].groupby("date", observed=True).sum()
    staff_nat["fatigue_mean"] = weighted_fatigue(staff, ["date"])
    return icu_nat.join(staff_nat, how="outer").reset_index()


def unit_daily(units: pd.DataFrame) -> pd.DataFrame:
    """National required and supplied hours per date and unit kind (summed over regions and professions)."""
    sums = units.groupby(["date", "unit_kind"], observed=True)[["required_hours", "supplied_hours", "overtime_hours"]].sum()
    return sums.reset_index()


def _run_one(scenario: Scenario, replication: int, seed: int) -> dict[str, pd.DataFrame]:
    """One run, reduced to what a comparison keeps: its summary row, national, regional and unit-kind series, events."""
    import sim

    result = sim.run(scenario, seed=seed)
    ids = {"strategy": scenario.name, "replication": replication, "seed": seed}
    front = list(ids)

    def tag(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.assign(**ids)
        return frame[front + [c for c in frame.columns if c not in ids]]

    events = result.events
    return {
        "runs": tag(result.summary.drop(columns=["seed"], errors="ignore")),
        "national_daily": tag(national_daily(result.daily.icu, result.daily.staff)),
        "region_daily": tag(region_daily(result.daily)),
        "unit_daily": tag(unit_daily(result.daily.units)),
        "loans": tag(events.loans if events is not None else pd.DataFrame()),
        "pool_deployments": tag(events.pool_deployments if events is not None else pd.DataFrame()),
    }


def _run_counterfactual(scenario: Scenario, replication: int, seed: int) -> dict[str, pd.DataFrame]:
    """The no-COVID counterfactual run of a comparison (``scenario`` is already ``without_covid()``): its summary only."""
    import sim

    return {"runs": sim.run(scenario, seed=seed).summary}


def _run_job(counterfactual: bool, scenario: Scenario, replication: int, seed: int) -> dict[str, pd.DataFrame]:
    """A job of a comparison with the response cost: a strategy's run (``_run_one``) or a counterfactual's."""
    return (_run_counterfactual if counterfactual else _run_one)(scenario, replication, seed)


# --------------------------------------------------------------------------- replications


@dataclass
class CompareResult:
    """Runs of several strategies with common random numbers.

    ``runs``: one row per strategy × replication (strategy, replication, seed and the
    summary columns). ``national_daily``: national ICU and staff values per run and date;
    ``region_daily`` (``region_daily``) and ``unit_daily`` (``unit_daily``) the same per region
    and per unit kind; ``loans`` and ``pool_deployments`` the lever events of every run.
    ``comparison``: the ``summarise`` table of ``indicators``.
    """

    scenarios: list[Scenario]
    replications: int
    seed: int
    runs: pd.DataFrame
    national_daily: pd.DataFrame
    indicators: list[str]
    region_daily: pd.DataFrame = field(default_factory=pd.DataFrame)
    unit_daily: pd.DataFrame = field(default_factory=pd.DataFrame)
    loans: pd.DataFrame = field(default_factory=pd.DataFrame)
    pool_deployments: pd.DataFrame = field(default_factory=pd.DataFrame)
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def strategies(self) -> list[str]:
        return [s.name for s in self.scenarios]

    @property
    def comparison(self) -> pd.DataFrame:
        return summarise(self.runs, self.indicators)

    def region_summary(self) -> pd.DataFrame:
        """Per strategy and region, worst regions first: means over replications with 95 % intervals (``sim.regional``)."""
        from sim.regional import region_summary

        return region_summary(self)

    def manifest(self) -> dict[str, Any]:
        """Provenance: strategies and their scenarios' hashes, replications, seeds, versions, time."""
        return {
            "strategies": self.strategies,
            "reference": self.strategies[0],
            "scenario_sha256": {s.name: s.digest() for s in self.scenarios},
            "replications": self.replications,
            "seed": self.seed,
            "seeds": [self.seed + r for r in range(self.replications)],
            "common_random_numbers": "replication r of every strategy uses seed + r",
            "indicators": self.indicators,
            "interval": INTERVAL_METHOD,
            "mobsim_version": mobsim_version(),
            "python": platform.python_version(),
            "packages": {name: package_version(name) for name in ("mesa", "numpy", "numba", "pandas", "pyarrow", "scipy")},
            "created_utc": self.created,
            "scenarios": {s.name: s.model_dump(mode="json") for s in self.scenarios},
        }

    def save(self, directory: str | Path, csv: bool | str = False, xlsx: bool = False, command: str | None = None) -> Path:
        """Write ``runs.parquet``, ``comparison.parquet`` and ``.csv``, ``region_summary.parquet`` and ``.csv``, the daily series, the events and ``manifest.json``.

        Saved with ``sim.store.save_folder`` (as ``Result.save``): old results or new, complete;
        files that mobsim did not write stay.

        Args:
            csv: also write the runs, daily series and events as CSV: True or ``"comma"``, or ``"sv"`` (Swedish Excel:
                semicolon, decimal comma, UTF-8 with BOM; ``comparison.csv`` too); see ``sim.workbook``.
            xlsx: also write ``results.xlsx`` (``workbook_sheets``).
            command: the command line, for the workbook's provenance sheet.

        Raises:
            FolderError: the folder holds something other than results of a comparison.
            ValueError: an unknown CSV dialect (nothing is written).
        """
        from sim.workbook import WORKBOOK, csv_dialect, write_frame, write_workbook

        dialect = None if csv is False else "comma" if csv is True else csv_dialect(csv)
        sheets = self.workbook_sheets(command) if xlsx else None
        regions = sheets["regions"] if sheets is not None else self.region_summary()  # computed once

        def write(folder: Path) -> None:
            write_frame(self.runs, folder, "runs", dialect)
            write_frame(self.comparison, folder, "comparison", dialect or "comma")  # the summaries always as CSV too
            write_frame(regions, folder, "region_summary", dialect or "comma")
            for name in TIDY_FRAMES:
                write_frame(getattr(self, name), folder, name, dialect)
            if sheets is not None:
                write_workbook(folder / WORKBOOK, sheets)

        manifest = self.manifest()
        if dialect is not None:
            manifest["csv_dialect"] = dialect
        return save_folder(directory, "compare", write, manifest)

    def workbook_sheets(self, command: str | None = None) -> dict[str, pd.DataFrame]:
        """The sheets of the comparison's workbook (``to_xlsx``), by name; another sheet is one more entry of the dict.

        ``summary``: the mean of each indicator per strategy (one column each), with title and unit;
        ``comparison``: mean and 95 % interval, paired difference from the reference and its interval, per strategy and
        indicator; ``runs``: every run's summary; ``daily_regions``: ``region_daily`` per strategy, date and region,
        the mean over the replications (one row per strategy, day and region keeps the sheet far below Excel's
        1,048,576 rows: 9 strategies × 21 regions × 700 days is 132,300 rows; every replication's rows are in
        ``region_daily.parquet``); ``provenance``.
        """
        from sim.workbook import provenance, titled

        comparison = self.comparison
        means = comparison.pivot(index="indicator", columns="strategy", values="mean")
        summary = titled(means.loc[self.indicators, self.strategies].reset_index().rename_axis(columns=None))
        sheets = {
            "summary": summary,
            "comparison": titled(comparison, "indicator"),
            "runs": self.runs,
            "regions": self.region_summary(),
        }
        if not self.region_daily.empty:
            keys = ["strategy", "date", "region"]
            numeric = [c for c in self.region_daily.columns if c not in (*keys, "replication", "seed")]
            numeric = [c for c in numeric if pd.api.types.is_numeric_dtype(self.region_daily[c])]
            grouped = self.region_daily.groupby(keys, sort=False, observed=True)
            daily = grouped[numeric].mean().reset_index()
            daily.insert(len(keys), "replications", grouped.size().to_numpy())
            order = {s: i for i, s in enumerate(self.strategies)}
            sheets["daily_regions"] = daily.sort_values("strategy", key=lambda s: s.map(order), kind="stable")
        scales = {s.world.scale for s in self.scenarios}
        seeds = f"{self.seed} to {self.seed + self.replications - 1}" if self.replications > 1 else str(self.seed)
        items = [
            ("what", "strategies compared with common random numbers (mobsim compare)"),
            ("strategies", ", ".join(self.strategies)),
            ("reference", self.strategies[0]),
            ("replications", self.replications),
            ("seeds", seeds),
            ("common random numbers", "replication r of every strategy uses seed + r"),
            ("interval", f"{LEVEL:.0%} t-interval over replications; differences are paired by replication"),
            *((f"scenario sha256 {s.name}", s.digest()) for s in self.scenarios),
            ("runs created (UTC)", self.created),
        ]
        scenarios = {s.name: s.model_dump(mode="json") for s in self.scenarios}
        sheets["provenance"] = provenance(items, scenarios, scales.pop() if len(scales) == 1 else None, command)
        return sheets

    def to_xlsx(self, path: str | Path, command: str | None = None) -> Path:
        """Write the comparison's workbook (``workbook_sheets``) to ``path``, atomically; returns the path."""
        from sim.workbook import write_workbook

        return write_workbook(path, self.workbook_sheets(command))

    def plot(self, indicator: str | None = None, region: str | None = None, ax: Any = None) -> Any:
        """A matplotlib Figure of the comparison, drawn with ``sim.figures`` (for notebooks; ``sim.plot`` has the details).

        Args:
            indicator: None: each strategy's paired difference from the reference with its 95 % interval, for the
                indicators that moved (``figures.strategy_comparison``); an indicator compared (``self.indicators``):
                its panel alone; a daily series (``sim.plot.DAILY``): its mean and 95 % band per strategy over time.
            region: one region's code or name: the daily series there (default: ICU nurses per patient).
            ax: a matplotlib Axes to draw one daily series into; None: a new figure.

        Raises:
            ValueError: an unknown indicator or region (with the closest name), or ``ax`` with a figure of several panels.
        """
        from sim.results import plotting  # sim.plot, loaded by name (sim.plot reads this module's frames)

        return plotting().plot_comparison(self, indicator, region, ax)


def compare_files(csv: bool | str = False, xlsx: bool = False) -> list[str]:
    """The files ``CompareResult.save`` writes besides ``manifest.json`` (checked against a user's files before the runs)."""
    from sim.workbook import WORKBOOK

    extra = [f"{name}.csv" for name in ("runs", *TIDY_FRAMES)] if csv else []
    return [*FILES, *extra, *([WORKBOOK] if xlsx else [])]


def run_replications(
    scenarios: Sequence[Scenario],
    replications: int,
    seed: int,
    workers: int = 1,
    progress: ProgressCallback | None = None,
    indicators: Sequence[str] | None = None,
    scheduler: str | None = None,
    local_dask: bool = False,
    response_cost: bool = False,
) -> CompareResult:
    """Run every scenario ``replications`` times; replication ``r`` of each uses seed ``seed + r``.

    Args:
        scenarios: the strategies, the first being the reference of the paired differences.
        replications: runs per strategy (at least 1; intervals need at least 2).
        seed: seed of replication 0.
        workers: processes running in parallel ("spawn" context), or with ``local_dask`` the processes of a
            local Dask cluster; results are identical for any number and any executor (``sim.executor``).
        progress: called with (runs done, runs in all) after each run.
        indicators: summary columns to compare (default: ``default_indicators``).
        scheduler: ``tcp://host:port`` of a Dask scheduler: run on its workers (``workers`` is ignored).
        local_dask: run on a local Dask cluster of ``workers`` processes on 127.0.0.1.
        response_cost: also run each strategy's no-COVID counterfactual (``Scenario.without_covid``) with the same
            seeds and add ``response_cost_*_msek`` (``sim.response_cost``) to the runs and the compared indicators.
            A counterfactual is run once per seed for all strategies whose counterfactual scenarios are equal
            (``sim.response_cost.counterfactual_key``: names and descriptions aside); strategies whose levers differ
            have their own, since levers may act without COVID.

    Raises:
        ScenarioError: a run refused its scenario (raised here whichever process ran it).
        sim.executor.WorkerLost: a worker process died during a run.
        sim.executor.Interrupted: SIGTERM, SIGINT or SIGHUP; the workers are stopped first.
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ValueError("expected at least one scenario")
    if replications < 1 or workers < 1:
        raise ValueError(f"expected replications >= 1 and workers >= 1, got {replications} and {workers}")
    if not 0 <= seed <= 2**63 - replications:
        raise ValueError(f"seeds {seed}..{seed + replications - 1} do not fit in 0..2**63 - 1")
    check_names(scenarios)
    jobs: list[tuple[Any, ...]] = [(scenario, r, seed + r) for scenario in scenarios for r in range(replications)]
    function: Callable[..., dict[str, pd.DataFrame]] = _run_one
    counterfactuals: dict[str, Scenario] = {}  # key -> the no-COVID scenario, each run once per seed
    if response_cost:
        from sim.response_cost import counterfactual_key

        for scenario in scenarios:
            counterfactuals.setdefault(counterfactual_key(scenario), scenario.without_covid())
        jobs = [(False, *job) for job in jobs] + [(True, c, r, seed + r) for c in counterfactuals.values() for r in range(replications)]
        function = _run_job
    done: list[dict[str, pd.DataFrame] | None] = [None] * len(jobs)

    def finished(i: int, output: dict[str, pd.DataFrame]) -> None:
        done[i] = output
        if progress is not None:
            progress(len(jobs) - done.count(None), len(jobs))

    with contextlib.closing(execute(function, jobs, workers, scheduler=scheduler, local_dask=local_dask)) as outcomes:
        for outcome in outcomes:
            finished(outcome.index, outcome.result())  # the first error stops the comparison (closing stops the workers)

    n_runs = len(scenarios) * replications
    outputs = [o for o in done[:n_runs] if o is not None]
    frames = {name: pd.concat([o[name] for o in outputs], ignore_index=True) for name in outputs[0]}
    if response_cost:
        frames["runs"] = _add_response_cost(frames["runs"], scenarios, list(counterfactuals), done[n_runs:], replications)
    chosen = list(indicators) if indicators is not None else default_indicators(list(frames["runs"].columns))
    return CompareResult(scenarios=scenarios, replications=replications, seed=seed, indicators=chosen, **frames)


def _add_response_cost(
    runs: pd.DataFrame, scenarios: list[Scenario], digests: list[str], outputs: list[Any], replications: int
) -> pd.DataFrame:
    """``runs`` with ``response_cost_*_msek``: each row's costs minus its strategy's counterfactual's of the same seed."""
    from sim import response_cost

    base = {(digest, r): outputs[k * replications + r]["runs"] for k, digest in enumerate(digests) for r in range(replications)}
    of = {s.name: response_cost.counterfactual_key(s) for s in scenarios}
    rows = []
    for i in range(len(runs)):
        row = runs.iloc[[i]]
        counterfactual = base[(of[str(row["strategy"].iat[0])], int(row["replication"].iat[0]))]
        rows.append(response_cost.difference(row, counterfactual))
    return pd.concat([runs, pd.DataFrame(rows, index=runs.index)], axis=1)


# --------------------------------------------------------------------------- statistics


def summarise(runs: pd.DataFrame, indicators: Sequence[str] | None = None, level: float = LEVEL) -> pd.DataFrame:
    """Mean and interval per strategy and indicator, and the paired difference from the first strategy.

    The interval of a mean is the t-interval cut at the indicator's bounds (``interval``, ``sim.indicators.bounds``).
    The difference of strategy S is the mean over replications of (S − first) in the same
    replication, with the t-interval of those differences (not cut); it is NaN for the first strategy.

    Args:
        runs: one row per strategy × replication, with columns strategy, replication and the indicators.
        indicators: columns to summarise (default: ``default_indicators``).

    Returns:
        One row per strategy and indicator, strategies in the order of ``runs``:
        strategy, indicator, mean, ci_low, ci_high, diff_mean, diff_low, diff_high.
    """
    indicators = list(indicators) if indicators is not None else default_indicators(list(runs.columns))
    strategies = list(pd.unique(runs["strategy"]))
    rows = []
    for indicator in indicators:
        table = runs.pivot(index="replication", columns="strategy", values=indicator).astype(float)
        reference = table[strategies[0]]
        bounds = registry.bounds(indicator)
        rows.append((strategies[0], indicator, *interval(reference.dropna().to_numpy(), level, bounds), *(float("nan"),) * 3))
        for strategy in strategies[1:]:
            paired = table[strategy] - reference  # replication by replication: same seeds
            rows.append(
                (
                    strategy,
                    indicator,
                    *interval(table[strategy].dropna().to_numpy(), level, bounds),
                    *interval(paired.dropna().to_numpy(), level),
                )
            )
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    order = {s: i for i, s in enumerate(strategies)}
    return frame.sort_values("strategy", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def markdown_table(comparison: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> str:
    """A ``summarise`` table as Markdown, one row per strategy: the mean and, for all but the reference, the paired
    difference from it with its interval, "mean (Δ diff [low, high])".

    ``columns`` maps an indicator to its column label and a format string ("{:,.0f}", "{:.1%}"). The tables of the
    README and docs/experiments.md are made with it (benchmarks/bench_compare.py, tools/worked_municipal.py).
    """
    rows = ["| strategy | " + " | ".join(label for label, _ in columns.values()) + " |", "|" + "---|" * (len(columns) + 1)]
    for strategy, group in comparison.groupby("strategy", sort=False):
        cells = []
        for key, (_, fmt) in columns.items():
            row = group[group["indicator"] == key].iloc[0]
            cell = fmt.format(row["mean"])
            if pd.notna(row["diff_mean"]):
                cell += f" (Δ {fmt.format(row['diff_mean'])} [{fmt.format(row['diff_low'])}, {fmt.format(row['diff_high'])}])"
            cells.append(cell)
        rows.append(f"| {strategy} | " + " | ".join(cells) + " |")
    return "\n".join(rows)
