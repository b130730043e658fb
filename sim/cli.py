"""The ``mobsim`` command."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import shlex
import signal
import sys
import threading
import time
import typing
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from sim import indicators as registry
from sim import lang
from sim.errors import InputError, OptionError
from sim.scenario import Scenario, load_scenario
from sim.schema import MAX_RUNS
from sim.text import decimals, fmt_unit, unit_decimals, unit_label

if typing.TYPE_CHECKING:
    import pandas as pd

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
MAX_SEED = 2**63 - 1  # the model's seeds are 63-bit (MobilisationModel refuses larger ones)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other bad input."""

    def error(self, message: str) -> typing.NoReturn:
        _fail(f"{message} (see '{self.prog} --help')")
        raise SystemExit(EXIT_BAD_INPUT)


def _fail(message: str) -> None:
    """Print one error line to stderr (newlines inside the message are folded, other control characters escaped)."""
    print("mobsim: error: " + printable(" ".join(str(message).splitlines())), file=sys.stderr)


def _plain(text: str) -> str:
    """A name or value for rich's console: shown as it is (``[bold]`` in a name is text, not markup), control characters escaped."""
    from rich.markup import escape

    return escape(printable(text))


def printable(text: str) -> str:
    """``text`` with control characters (e.g. a terminal escape sequence in a name or value) shown as escapes, like repr."""
    return "".join(c if c.isprintable() or c in " \u00a0" else repr(c)[1:-1] for c in text)  # the no-break space of Swedish numbers


@contextlib.contextmanager
def _progress_bar(description: str, total: int, unit: str, quiet: bool, show_failed: bool = False) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr for ``run``, ``compare`` and ``sweep``; yields ``update(done, failed=0)``.

    No bar with ``quiet`` or when stderr is not a terminal (a log file would fill with redrawn lines).
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), TextColumn(f"{{task.completed}}/{{task.total}} {unit}")]
    if show_failed:
        columns.append(TextColumn("{task.fields[failed]} failed"))
    with Progress(*columns, TimeRemainingColumn(), console=console, disable=quiet or not console.is_terminal) as progress:
        task = progress.add_task(_plain(description), total=total, failed=0)
        yield lambda done, failed=0: progress.update(task, completed=done, failed=failed)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mobsim", description="Simulate how health-care staff are mobilised in a crisis.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run one scenario and write its results")
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument(
        "--set",
        dest="set_values",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value, e.g. world.scale=0.1 (repeatable)",
    )
    run.add_argument("--out", type=Path, default=None, help="results folder (default results/<scenario name>)")
    _add_spreadsheet_options(run, "the daily frames and events")
    run.add_argument(
        "--response-cost",
        action="store_true",
        help="also run the scenario without COVID (same seed) and add response_cost_*_msek to the summary (twice the work)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_lang_option(run, "the summary table")

    compare = sub.add_parser("compare", help="run strategies with common random numbers and compare them")
    compare.add_argument("scenarios", type=Path, nargs="+", metavar="scenario", help="scenario TOML files; the first is the reference")
    compare.add_argument("--replications", type=int, default=10, help="runs per strategy (default 10)")
    compare.add_argument("--seed", type=int, default=0, help="seed of replication 0; replication r uses seed + r (default 0)")
    compare.add_argument(
        "--set", dest="set_values", action="append", default=[], metavar="KEY=VALUE", help="override a value in every scenario"
    )
    compare.add_argument("--out", type=Path, default=None, help="results folder (default results/compare_<name>_vs_<name>...)")
    compare.add_argument(
        "--response-cost",
        action="store_true",
        help="also run each strategy without COVID (same seeds) and compare response_cost_*_msek (about twice the work)",
    )
    _add_spreadsheet_options(compare, "the runs, daily series and events")
    _add_executor_options(compare)
    compare.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_lang_option(compare, "the comparison tables")

    sweep = sub.add_parser("sweep", help="run an experiment file (variants or a parameter design) into a resumable results store")
    sweep.add_argument("experiment", type=Path, help="experiment TOML file (see experiments/)")
    _add_executor_options(sweep)
    sweep.add_argument("--resume", action="store_true", help="skip the runs already in the results folder")
    sweep.add_argument("--out", type=Path, default=None, help="results folder (default results/<experiment name>)")
    sweep.add_argument(
        "--xlsx", action="store_true", help="also write results.xlsx: means by point, the runs, the design and provenance (sim.workbook)"
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_lang_option(sweep, "the table of means")

    sensitivity = sub.add_parser("sensitivity", help="Sobol or Morris sensitivity indices of a finished sobol or morris sweep")
    sensitivity.add_argument("results", type=Path, metavar="RESULTS_DIR", help="results folder of a finished 'mobsim sweep'")
    sensitivity.add_argument(
        "--indicator", dest="indicators", action="append", default=None, metavar="NAME", help="analyse this indicator only (repeatable)"
    )

    report = sub.add_parser("report", help="a self-contained HTML (or PDF) report with figures of a results folder")
    report.add_argument("results", type=Path, metavar="RESULTS_DIR", help="folder written by 'mobsim run', 'compare' or 'sweep'")
    report.add_argument("--format", dest="fmt", choices=["html", "pdf"], default="html", help="html (default) or pdf")
    report.add_argument("--out", type=Path, default=None, help="report file (default RESULTS_DIR/report.html or .pdf)")
    report.add_argument("--figures", type=Path, default=None, metavar="DIR", help="also write every figure to DIR as PNG and PDF")
    report.add_argument("--strategy", default=None, help="in a comparison, the strategy whose staff, fatigue, hours and loans are drawn")
    _add_lang_option(report, "the report and its figures")
    dashboard = sub.add_parser("dashboard", help="start the interactive dashboard (Mesa's SolaraViz) and print its address")
    dashboard.add_argument(
        "--scenario", type=Path, default=None, help="scenario the page starts with (default scenarios/sweden_spring2020.toml)"
    )
    dashboard.add_argument(
        "--scale", type=float, default=None, help="world.scale of the dashboard's runs (default 0.05: a day in about 0.1 s)"
    )
    dashboard.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    _add_lang_option(dashboard, "the page's labels and plots")

    validate = sub.add_parser(
        "validate", help="check a scenario file as run would; with --show also print its resolved values (after extends and --set)"
    )
    validate.add_argument("scenario", type=Path)
    validate.add_argument("--set", dest="set_values", action="append", default=[], metavar="KEY=VALUE")
    validate.add_argument(
        "--show", action="store_true", help="print every resolved value as a KEY = VALUE line (the keys --set takes; lists by index)"
    )

    template = sub.add_parser(
        "template",
        help="write a documented template to fill in: a demand forecast, a region profile, a scenario or an experiment file",
    )
    template.add_argument("kind", choices=["forecast", "profile", "scenario", "experiment"], help="which input")
    template.add_argument(
        "--out",
        type=Path,
        default=None,
        help="file to write (default forecast.csv, region_profile.csv, my_scenario.toml, my_experiment.toml)",
    )
    template.add_argument(
        "--format",
        dest="fmt",
        choices=["csv", "xlsx"],
        default=None,
        help="forecast and profile: csv (Swedish Excel's, the default) or xlsx",
    )
    return parser


def _template(args: argparse.Namespace) -> int:
    from sim.templates import write_template

    path = write_template(args.kind, args.out, args.fmt)
    print(f"{args.kind} template written to {printable(str(path))}")
    return 0


def _add_spreadsheet_options(command: argparse.ArgumentParser, frames: str) -> None:
    """--csv [DIALECT] and --xlsx of ``run`` and ``compare`` (``sim.workbook``)."""
    command.add_argument(
        "--csv",
        nargs="?",
        const="comma",
        default=None,
        metavar="DIALECT",
        help=f"also write {frames} as CSV; '--csv sv' for Swedish Excel (semicolons, decimal comma, UTF-8 with BOM; "
        "the summary CSV too), default comma and decimal point",
    )
    command.add_argument(
        "--xlsx", action="store_true", help="also write results.xlsx: summary, daily per region, provenance (and comparison; sim.workbook)"
    )


def _csv_option(value: str | None) -> str | None:
    """The CSV dialect of ``--csv`` (None without it); refused if unknown."""
    if value is None:
        return None
    from sim.workbook import csv_dialect

    try:
        return csv_dialect(value)
    except ValueError as exc:
        raise OptionError("--csv", value, str(exc)) from None


def _add_lang_option(command: argparse.ArgumentParser, what: str) -> None:
    """--lang: the language of ``what`` (``sim.lang``); messages, errors and progress stay in English."""
    command.add_argument(
        "--lang", choices=lang.LANGS, default=lang.DEFAULT, help=f"language of {what}: {' or '.join(lang.LANGS)} (default {lang.DEFAULT})"
    )


def _add_executor_options(command: argparse.ArgumentParser) -> None:
    """--workers, --dask and --scheduler: where the runs of ``compare`` and ``sweep`` execute (``sim.executor``)."""
    command.add_argument("--workers", type=int, default=1, help="runs in parallel processes (default 1)")
    command.add_argument(
        "--dask", action="store_true", help="run --workers N on a local Dask cluster on 127.0.0.1 instead of a process pool"
    )
    command.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT", help="run on a Dask cluster (instead of --workers)")


def _check_executor_options(args: argparse.Namespace) -> None:
    """Refuse unusable --workers, --dask and --scheduler before anything runs."""
    from sim.executor import check_options

    problem = check_options(args.workers, args.scheduler, args.dask)
    if problem is not None:
        option, message = problem
        raise OptionError(option, option.lstrip("-"), message)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sim.model import MobilisationModel
    from sim.results import run_files

    if not 0 <= args.seed <= MAX_SEED:
        raise OptionError("--seed", "seed", f"expected a whole number from 0 to {MAX_SEED}, got {args.seed}")
    dialect = _csv_option(args.csv)
    scenario = load_scenario(args.scenario, set_values=args.set_values)
    check_scenario(scenario)
    out = _check_out(args.out or Path("results") / scenario.name, "run", run_files(dialect or False, args.xlsx))
    console = Console(stderr=True)
    started = time.perf_counter()
    with _interrupt_between_steps() as interrupted:
        model = MobilisationModel(scenario=scenario, seed=args.seed)
        built = time.perf_counter()
        with _progress_bar(scenario.name, model.n_days, "days", args.quiet) as update:
            done = 0
            while model.running and not interrupted:
                model.step()
                done += 1
                update(done)
        if not interrupted:
            result = model.result()
        if not interrupted and args.response_cost:
            result.summary = _with_response_cost(result.summary, scenario, args.seed, args.quiet, interrupted)
    if interrupted:
        from sim.executor import Interrupted

        raise Interrupted(interrupted[0])
    finished = time.perf_counter()
    if not _save(out, lambda: result.save(out, csv=dialect or False, xlsx=args.xlsx, command=args.command_line)):
        return EXIT_FAILED

    scale = scenario.world.scale
    Console().print(
        _summary_table(
            result.summary, scenario.name, args.seed, model.world.staff.n_regular, model.n_days, args.lang, scale, scenario.time.start
        )
    )
    _print_regions(result.region_summary(), scale, language=args.lang)
    console.print(f"built in {built - started:.1f} s, ran in {finished - built:.1f} s; results in {_plain(str(out))}/")
    return 0


def _summary_table(
    summary: pd.DataFrame,
    name: str,
    seed: int,
    staff: int,
    days: int,
    language: str = lang.DEFAULT,
    scale: float = 1.0,
    start: typing.Any = None,
) -> typing.Any:
    """``mobsim run``'s table: every summary column, its value by its unit (``sim.text.fmt_unit``) and the unit; at
    ``scale`` < 1 the title says so and a column gives the full-scale equivalent; an indicator of a period the run
    (from ``start``, ``days`` days) misses says so. In Swedish: the indicators' Swedish titles and Swedish numbers.
    """
    from rich.table import Table

    L = language
    note = f" · {lang.scale_note(scale, L)}" if scale < 1 else ""
    table = Table(title=lang.t("cli.run.title", L, name=_plain(name), seed=seed, staff=lang.number(staff, L), days=days) + note)
    # English: names as in summary.csv, whole (the unit wraps instead); Swedish: the indicators' titles, which may wrap
    table.add_column(lang.t("cli.column.indicator", L), no_wrap=L == lang.DEFAULT)
    table.add_column(lang.t("cli.column.value", L), justify="right", no_wrap=True)
    table.add_column(lang.t("cli.column.unit", L), style="dim")
    if scale < 1:
        table.add_column(lang.t("cli.column.full_scale", L), justify="right", style="dim", no_wrap=True)
    for key, value in summary.iloc[0].items():
        key = str(key)
        unit = registry.unit(key)
        label = key if L == lang.DEFAULT else lang.indicator_title(key, L)
        shown_unit = unit_label(unit) if L == lang.DEFAULT else lang.indicator_unit(key, L)
        if start is not None and not registry.in_period(key, start, days):
            row = [_plain(label), lang.t("cli.not_in_period", L), _plain(lang.t("cli.no_window", L, window=registry.window(key)))]
            full = ""
        else:
            row = [_plain(label), _plain(lang.digits(fmt_unit(value, unit, suffix=False), L)), _plain(shown_unit)]
            full = _plain(lang.digits(_full_scale(value, unit, scale), L))
        table.add_row(*row, *([full] if scale < 1 else []))
    return table


def _with_response_cost(summary: pd.DataFrame, scenario: Scenario, seed: int, quiet: bool, interrupted: list[int]) -> pd.DataFrame:
    """The summary with ``response_cost_*_msek``: the scenario's no-COVID counterfactual run with the same seed (``sim.response_cost``)."""
    from sim import response_cost
    from sim.model import MobilisationModel

    counterfactual = MobilisationModel(scenario=scenario.without_covid(), seed=seed)
    with _progress_bar(f"{scenario.name} without COVID", counterfactual.n_days, "days", quiet) as update:
        done = 0
        while counterfactual.running and not interrupted:
            counterfactual.step()
            done += 1
            update(done)
    if interrupted:
        return summary
    return response_cost.with_response_cost(summary, counterfactual.result().summary)


@contextlib.contextmanager
def _interrupt_between_steps() -> typing.Iterator[list[int]]:
    """Ctrl-C (and SIGTERM, SIGHUP) append the signal to the yielded list instead of raising; the caller checks it between days.

    A KeyboardInterrupt raised inside a numba-compiled call comes out as a SystemError traceback:
    the interrupt must land between calls. The previous handlers are restored on leaving, unless
    a signal came: then the command ends, and further signals are ignored (no traceback while it exits).
    """
    from sim.executor import STOP_SIGNALS

    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = {sig: signal.signal(sig, lambda signum, frame: received.append(signum)) for sig in STOP_SIGNALS}
    try:
        yield received
    finally:
        for sig, old in previous.items():
            signal.signal(sig, signal.SIG_IGN if received else old)


def _save(out: Path, save: typing.Callable[[], object]) -> bool:
    """Save results into ``out``; False, after one error line, if the disk refuses.

    Raises:
        OptionError: ``out`` is a folder mobsim must not write (it changed since ``_check_out``).
    """
    from sim.store import FolderError

    try:
        save()
    except FolderError as exc:
        raise OptionError("--out", str(out), str(exc)) from None
    except OSError as exc:
        _fail(f"{out}: cannot write results: {exc.strerror or exc}")
        return False
    return True


def _check_out(out: Path, kind: str, writes: Sequence[str]) -> Path:
    """The results folder, refused before the runs if it cannot or must not be written (see ``sim.store``)."""
    from sim.store import FolderError, check_folder

    try:
        return check_folder(out, kind, writes)
    except FolderError as exc:
        raise OptionError("--out", str(out), str(exc)) from None


def _compare(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sim.executor import WorkerLost
    from sim.experiment import check_names, compare_files, run_replications

    # every input is checked before the first run
    if args.replications < 1:
        raise OptionError("--replications", "replications", f"expected a whole number >= 1, got {args.replications}")
    if args.replications * len(args.scenarios) > MAX_RUNS:
        raise OptionError(
            "--replications",
            "replications",
            f"{args.replications:,} replications of {len(args.scenarios)} scenario(s) are {args.replications * len(args.scenarios):,} runs; "
            f"expected at most {MAX_RUNS:,} runs (a run takes a second or more, so more would take days)",
        )
    _check_executor_options(args)
    dialect = _csv_option(args.csv)
    max_seed = MAX_SEED - args.replications + 1  # the last replication's seed must fit the model's 63 bits
    if max_seed < 0:
        raise OptionError("--replications", "replications", f"expected at most {MAX_SEED + 1}, got {args.replications}")
    if not 0 <= args.seed <= max_seed:
        raise OptionError(
            "--seed", "seed", f"expected a whole number from 0 to {max_seed} with {args.replications} replications, got {args.seed}"
        )
    scenarios = [load_scenario(path, set_values=args.set_values) for path in args.scenarios]
    check_names(scenarios, args.scenarios)
    for scenario in scenarios:
        check_scenario(scenario)
    out = _check_out(
        args.out or Path("results") / _compare_folder([s.name for s in scenarios]), "compare", compare_files(dialect or False, args.xlsx)
    )

    console = Console(stderr=True)
    started = time.perf_counter()
    total = len(scenarios) * args.replications
    if args.response_cost:  # one counterfactual per distinct no-COVID scenario and seed (run_replications)
        from sim.response_cost import counterfactual_key

        total += len({counterfactual_key(s) for s in scenarios}) * args.replications
    with _progress_bar("compare", total, "runs", args.quiet) as update:
        try:
            compared = run_replications(
                scenarios,
                args.replications,
                args.seed,
                workers=args.workers,
                scheduler=args.scheduler,
                local_dask=args.dask,
                progress=lambda done, _: update(done),
                response_cost=args.response_cost,
            )
        except WorkerLost as exc:
            _fail(f"{exc}; nothing was written")
            return EXIT_FAILED
        except OSError as exc:  # the scheduler cannot be reached
            _fail(f"{args.scheduler or 'compare'}: {exc.strerror or exc}")
            return EXIT_FAILED
    finished = time.perf_counter()
    if not _save(out, lambda: compared.save(out, csv=dialect or False, xlsx=args.xlsx, command=args.command_line)):
        return EXIT_FAILED
    scale = scenarios[0].world.scale
    _print_comparison(compared.comparison, compared.replications, compared.seed, scale, args.lang)
    _print_region_comparison(compared.region_summary(), scale, args.lang)
    console.print(f"{total} runs in {finished - started:.1f} s; results in {_plain(str(out))}/")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sim.store import FolderError
    from sim.sweep import jobs, load_experiment, load_results, mean_by_point, open_store, run_sweep

    # every input is checked before the first run
    _check_executor_options(args)
    experiment = load_experiment(args.experiment)
    for scenario in experiment.scenarios.values():
        check_scenario(scenario)
    try:
        out = open_store(experiment, args.out)
    except ValueError as exc:
        raise OptionError("--out", str(args.out or out_default(experiment.name)), str(exc)) from None
    total = len(jobs(experiment))

    console = Console(stderr=True)
    started = time.perf_counter()
    with _progress_bar(experiment.name, total, "runs", args.quiet, show_failed=True) as update:
        try:
            outcome = run_sweep(
                experiment,
                workers=args.workers,
                scheduler=args.scheduler,
                resume=args.resume,
                out=out,
                local_dask=args.dask,
                progress=lambda done, failed, _: update(done, failed),
            )
        except FolderError as exc:  # e.g. another sweep holds the store's lock
            raise OptionError("--out", str(out), str(exc)) from None
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM / SIGHUP (sim.executor.Interrupted): the workers are stopped already
            print(f"mobsim: interrupted; finished runs are kept in {out}/ (continue with --resume)", file=sys.stderr)
            return _interrupted_code(exc)
        except OSError as exc:  # e.g. the scheduler cannot be reached, or the folder cannot be written
            _fail(f"{args.scheduler or out}: {exc.strerror or exc}")
            return EXIT_FAILED
    finished = time.perf_counter()
    if args.xlsx:
        from sim.sweep import write_workbook

        try:
            write_workbook(experiment, out, command=args.command_line)
        except OSError as exc:
            _fail(f"{out}: cannot write results.xlsx: {exc.strerror or exc}")
            return EXIT_FAILED
    _print_sweep(
        mean_by_point(load_results(out), experiment.value_columns, experiment.spec.indicators), experiment.name, language=args.lang
    )
    failed = f", {len(outcome.failed)} failed (see {_plain(str(out))}/failed/)" if outcome.failed else ""
    skipped = f", {outcome.skipped} already done" if outcome.skipped else ""
    console.print(f"{outcome.ran} runs in {finished - started:.1f} s{skipped}{failed}; results in {_plain(str(out))}/")
    return EXIT_FAILED if outcome.failed else 0


def _sensitivity(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sim.sensitivity import CSV_NAME, analyse, write_csv

    table = analyse(args.results, args.indicators)
    try:
        path = write_csv(table, args.results)
    except OSError as exc:
        _fail(f"{args.results}: cannot write {CSV_NAME}: {exc.strerror or exc}")
        return EXIT_FAILED
    _print_sensitivity(table, args.results.name)
    Console(stderr=True).print(f"{table['indicator'].nunique()} indicators × {table['parameter'].nunique()} parameters; written to {path}")
    return 0


def _print_sensitivity(table: pd.DataFrame, name: str) -> None:
    """Indicators as rows, parameters as columns: S1 and ST (Sobol) or μ* and σ (Morris)."""
    from rich.console import Console
    from rich.table import Table

    method = str(table["method"].iat[0]) if not table.empty else ""
    first, second = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    labels = ("S1", "ST") if method == "sobol" else ("μ*", "σ")
    parameters = list(dict.fromkeys(table["parameter"]))
    out = Table(
        title=f"{_plain(name)}: {method} indices ({labels[0]} / {labels[1]})",
        caption="–: no indices (see note in sensitivity.csv)" if (table["note"] != "").any() else None,
    )
    out.add_column("indicator")
    for parameter in parameters:
        out.add_column(parameter.rsplit(".", 1)[-1], justify="right")
    for indicator, rows in table.groupby("indicator", sort=False):
        rows = rows.set_index("parameter").loc[parameters]
        places = decimals(rows[[first, second]].stack()) if method == "morris" else 3
        out.add_row(
            str(indicator),
            *(f"{labels[0]} {_cell(r[first], places)}\n{labels[1]} {_cell(r[second], places)}" for _, r in rows.iterrows()),
        )
    Console().print(out)


def out_default(name: str) -> Path:
    return Path("results") / name


def _print_sweep(table: pd.DataFrame, name: str, limit: int = 20, language: str = lang.DEFAULT) -> None:
    """Mean indicators per point (or variant), the first ``limit`` points."""
    from rich.console import Console
    from rich.table import Table

    L = language
    if table.empty:
        Console().print(lang.t("cli.sweep.none", L, name=_plain(name)))
        return
    shown = table.head(limit)
    more = lang.t("cli.sweep.first", L, limit=limit, n=len(table)) if len(table) > limit else ""
    out = Table(title=lang.t("cli.sweep.title", L, name=_plain(name), more=more))
    for column in shown.columns:
        header = str(column).rsplit(".", 1)[-1] if L == lang.DEFAULT else lang.column(str(column), L).rsplit(".", 1)[-1]
        out.add_column(_plain(header), justify="left" if column == "variant" else "right")
    places = {c: decimals(shown[c]) for c in shown.columns if c not in {"variant", "point_id", "runs"} and shown[c].dtype.kind == "f"}
    # indicators by their unit (%, MSEK, whole counts: sim.text.fmt_unit); parameters as they are
    units = {c: registry.unit(str(c)) for c in shown.columns if registry.find(str(c)) is not None and shown[c].dtype.kind in "fi"}
    places.update({c: unit_decimals(shown[c], u) for c, u in units.items()})

    def cell(c: str, i: int) -> str:
        if c in units:
            return _plain(lang.digits(fmt_unit(shown[c].iat[i], units[c], decimals=places[c], suffix=False), L))
        return _cell(shown[c].iat[i], places[c], language=L) if c in places else _plain(lang.number(shown[c].iat[i], L))

    for i in range(len(shown)):  # column by column: a row of mixed types would turn whole numbers into floats
        out.add_row(*(cell(c, i) for c in shown.columns))
    Console().print(out)


def _compare_folder(names: list[str], limit: int = 80) -> str:
    """``compare_a_vs_b_vs_c``; with long names, the first name, how many others, and a short hash of all names."""
    folder = "compare_" + "_vs_".join(names)
    if len(folder) <= limit:
        return folder
    digest = hashlib.sha256("\0".join(names).encode()).hexdigest()[:8]
    return f"compare_{names[0][:40]}_vs_{len(names) - 1}_more_{digest}"


def _print_comparison(comparison: pd.DataFrame, replications: int, seed: int, scale: float = 1.0, language: str = lang.DEFAULT) -> None:
    """Two tables, indicators as rows: means of every strategy, then paired differences from the first.

    Values are shown by their unit (``sim.text.fmt_unit``: shares as %, money in MSEK, counts whole; in ``language``,
    ``sim.lang``); at ``scale`` < 1 the titles say so. An indicator with no value in any strategy (e.g. April's
    operations in an autumn run) is left out.
    """
    from rich.console import Console
    from rich.table import Table

    L = language
    comparison = comparison[comparison.groupby("indicator", sort=False)["mean"].transform(lambda m: m.notna().any())]
    strategies = list(dict.fromkeys(comparison["strategy"]))
    indicators = list(dict.fromkeys(comparison["indicator"]))
    cell = comparison.set_index(["indicator", "strategy"])
    if replications == 1:
        seeds = lang.t("cli.compare.seed", L, seed=seed)
    else:
        seeds = lang.t("cli.compare.seeds", L, first=seed, last=seed + replications - 1)
    note = f" · {lang.scale_note(scale, L)}" if scale < 1 else ""
    console = Console()

    means = Table(title=lang.t("cli.compare.means", L, n=replications, s="s" * (replications > 1), seeds=seeds) + note)
    means.add_column(lang.t("cli.column.indicator", L))
    for name in strategies:
        means.add_column(_plain(name), justify="right")
    for indicator in indicators:
        rows = cell.loc[indicator].loc[strategies]
        unit = registry.unit(indicator)
        places = unit_decimals(rows["mean"], unit)
        means.add_row(
            _indicator_label(indicator, L),
            *(_with_interval(r["mean"], r["ci_low"], r["ci_high"], places, unit=unit, language=L) for _, r in rows.iterrows()),
        )
    console.print(means)
    if len(strategies) < 2:
        return

    diffs = Table(title=lang.t("cli.compare.diffs", L, reference=_plain(strategies[0])) + note, caption=lang.t("cli.compare.caption", L))
    diffs.add_column(lang.t("cli.column.indicator", L))
    for name in strategies[1:]:
        diffs.add_column(f"Δ {_plain(name)}", justify="right")
    for indicator in indicators:
        rows = cell.loc[indicator].loc[strategies[1:]]
        unit = registry.unit(indicator)
        places = unit_decimals(rows[["diff_mean", "diff_low", "diff_high"]].stack(), unit)
        texts = []
        for _, r in rows.iterrows():
            text = _with_interval(r["diff_mean"], r["diff_low"], r["diff_high"], places, sign=True, unit=unit, language=L)
            clear = r["diff_low"] > 0 or r["diff_high"] < 0  # False when NaN
            better = registry.better(indicator, r["diff_mean"]) if clear else None
            style = "bold" if better is None else "bold green" if better else "bold red"
            texts.append(f"[{style}]{text}[/{style}]" if clear else text)
        diffs.add_row(_indicator_label(indicator, L), *texts)
    console.print(diffs)


def _indicator_label(indicator: str, language: str = lang.DEFAULT) -> str:
    """An indicator's name (in Swedish its Swedish title) with its unit where the unit is not obvious from the value."""
    if language != lang.DEFAULT:
        unit = lang.indicator_unit(indicator, language)
        title = _plain(lang.indicator_title(indicator, language))
        return f"{title}\n[dim]{_plain(unit)}[/dim]" if unit else title
    unit = registry.unit(indicator)
    return f"{indicator}\n[dim]{_plain(unit_label(unit))}[/dim]" if unit else indicator


def _print_region_comparison(table: pd.DataFrame, scale: float, language: str = lang.DEFAULT) -> None:
    """Unsafe ICU patient-days per region (rows, worst in the reference first) and strategy (columns): mean [95 % interval]."""
    from rich.console import Console
    from rich.table import Table

    if table.empty:
        return
    strategies = list(dict.fromkeys(table["strategy"]))
    cell = table.set_index(["region", "strategy"])
    regions = list(dict.fromkeys(table.loc[table["strategy"] == strategies[0], "region"]))
    L = language
    note = f" · {lang.scale_note(scale, L)}" if scale < 1 else ""
    out = Table(title=lang.t("cli.regions.compare_title", L) + note)
    out.add_column(lang.t("cli.column.region", L), no_wrap=True)
    for name in strategies:
        out.add_column(_plain(name), justify="right")
    column, unit = "unsafe_icu_patient_days", "patient-days"
    for region in regions:
        cells = []
        for strategy in strategies:
            r = cell.loc[(region, strategy)] if (region, strategy) in cell.index else None
            cells.append("" if r is None else _with_interval(r[column], r[f"{column}_low"], r[f"{column}_high"], 0, unit=unit, language=L))
        out.add_row(_plain(str(cell.loc[(region, strategies[0]), "region_name"])), *cells)
    Console().print(out)


def _full_scale(value: object, unit: str, scale: float) -> str:
    """A count's or money's full-scale equivalent (value / scale) for a table cell; "" for shares, ratios and labels."""
    from sim.text import scales

    if not scales(unit) or isinstance(value, (str, bool)) or not isinstance(value, (int, float)):
        return ""
    return fmt_unit(float(value) / scale, unit, suffix=False)


#: The per-region columns the terminal shows (all are in the files; headings ``cli.regions.<column>`` in ``sim.lang``);
#: loans in and out share one.
REGION_COLUMNS = (
    "unsafe_icu_patient_days",
    "worst_week_icu_nurses_per_patient",
    "crisis_days",
    "staff_loaned_in",
    "pool_arrivals",
    "peak_sick_share",
    "care_debt_end_operations",
    "icu_staff_fatigue_end",
)


def _print_regions(table: pd.DataFrame, scale: float, strategy: str | None = None, language: str = lang.DEFAULT) -> None:
    """The per-region summary (``sim.regional``), worst regions first, in 80 columns; a comparison's: the means of ``strategy``.

    Worst week: the region's lowest weekly ICU nurses per patient and its ISO week; loans: staff loaned in / out;
    care debt: postponed operations at the end; shares (sick, fatigue) in %.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from sim.regional import UNITS

    if table.empty:
        return
    if strategy is not None:
        table = table[table["strategy"] == strategy]
    L = language
    note = f" · {lang.scale_note(scale, L)}" if scale < 1 else ""
    what = lang.t("cli.regions.means", L, strategy=_plain(strategy)) if strategy is not None else lang.t("cli.regions.per_region", L)
    out = Table(
        title=lang.t("cli.regions.title", L, what=what) + note,
        caption=lang.t("cli.regions.caption", L),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    out.add_column(lang.t("cli.column.region", L), no_wrap=True)
    for column in REGION_COLUMNS:
        out.add_column(lang.t(f"cli.regions.{column}", L), justify="right", no_wrap=True)
    places = {c: unit_decimals(table[c], UNITS[c]) for c in REGION_COLUMNS}
    places["peak_sick_share"] = places["icu_staff_fatigue_end"] = 0  # whole % fit the width
    for _, row in table.iterrows():
        cells = [_plain(str(row["region_name"]))]
        for column in REGION_COLUMNS:
            text = _plain(lang.digits(fmt_unit(row[column], UNITS[column], decimals=places[column], suffix=False), L))
            if column == "worst_week_icu_nurses_per_patient" and row[column] == row[column]:
                text += "\n" + _plain(str(row["worst_week_iso"]).split("-")[-1])
            elif column == "staff_loaned_in":
                text += "/" + lang.digits(fmt_unit(row["staff_loaned_out"], "staff"), L)
            cells.append(text)
        out.add_row(*cells)
    Console().print(out)


def _cell(x: float, places: int, sign: bool = False, language: str = lang.DEFAULT) -> str:
    """A number in a table cell, with the decimals its row or column shares (``sim.text``; ``sim.lang`` in Swedish)."""
    return lang.number(float(x), language, sign=sign, decimals=places)


def _with_interval(
    mean: float, low: float, high: float, places: int | None, sign: bool = False, unit: str | None = None, language: str = lang.DEFAULT
) -> str:
    """``mean`` and ``[low, high]`` on two lines (narrow columns); the mean alone when there is no interval.

    With ``unit``, by the unit (``sim.text.fmt_unit``: %, MSEK, whole counts); else with ``places`` decimals."""

    def show(x: float) -> str:
        if unit is None:
            return _cell(x, places or 0, sign, language)
        return lang.digits(fmt_unit(float(x), unit, sign=sign, decimals=places, suffix=False), language)

    if low != low:  # NaN: a single replication
        return show(mean)
    return f"{show(mean)}\n[{show(low)}, {show(high)}]"


def check_scenario(scenario: Scenario) -> None:
    """Every check of a scenario that ``run`` makes, so that ``validate``, ``run``, ``compare``, ``sweep`` and
    ``dashboard`` refuse the same inputs on one path: the schema (already applied by ``load_scenario``, including
    the conditions under which building the world fails), the demand CSV and the region profile, which are read when the
    model is built.
    """
    if scenario.demand.source == "csv" and scenario.demand.csv is not None:
        from sim.data import region_codes
        from sim.demand import read_curves

        read_curves(Path(scenario.demand.csv), region_codes(), scenario.time.start, scenario.time.n_days, sheet=scenario.demand.sheet)
    if scenario.world.region_profile is not None:
        from sim.world import _regions_with_beds, region_profile

        _regions_with_beds(scenario, region_profile(scenario))  # the file, and beds that the builder would refuse


def _report(args: argparse.Namespace) -> int:
    from sim.report import write_report

    started = time.perf_counter()
    try:
        path = write_report(args.results, out=args.out, fmt=args.fmt, figures_dir=args.figures, strategy=args.strategy, lang=args.lang)
    except OSError as exc:
        _fail(f"{exc.filename or args.out or args.results}: {exc.strerror or exc}")
        return EXIT_FAILED
    figures = f"; figures in {args.figures}/" if args.figures else ""
    print(f"report written to {path} in {time.perf_counter() - started:.1f} s{figures}")
    return 0


DASHBOARD_START_SECONDS = 120.0  # the server imports Mesa, Solara and the model, and loads the numba core


def _dashboard(args: argparse.Namespace) -> int:
    """Check the scenario, start Solara's server on the dashboard page (``sim/app.py``) and wait until Ctrl-C."""
    import importlib.util
    import os
    import signal
    import socket
    import subprocess

    from sim.executor import parent_death_request
    from sim.model import DEFAULT_SCENARIO

    scale = 0.05 if args.scale is None else args.scale
    if not 0.0 < scale <= 1.0:
        raise OptionError("--scale", "scale", f"expected a number in (0, 1], got {scale:g}")
    if not 1 <= args.port <= 65535:
        raise OptionError("--port", "port", f"expected a whole number from 1 to 65535, got {args.port}")
    path = args.scenario or DEFAULT_SCENARIO
    scenario = load_scenario(path, world__scale=scale)
    check_scenario(scenario)
    try:
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise OptionError("--port", "port", f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    if importlib.util.find_spec("solara") is None:
        _fail("the dashboard needs solara: reinstall mobsim (pip install -e .)")
        return EXIT_FAILED
    if not _loopback_only(args.host):
        print(
            f"mobsim: warning: listening on {args.host}: the dashboard is reachable from other machines and has no authentication",
            file=sys.stderr,
            flush=True,
        )

    env = {
        **os.environ,
        "MOBSIM_DASHBOARD_SCENARIO": str(Path(path).resolve()),
        "MOBSIM_DASHBOARD_SCALE": repr(scale),
        "MOBSIM_DASHBOARD_LANG": args.lang,
    }
    env.setdefault("SOLARA_CHECK_HOOKS", "off")  # Mesa's own SolaraViz code trips Solara's hook checker (a harmless warning)
    env.setdefault("PYTHONWARNINGS", "ignore:Cookies with samesite")  # plain http on 127.0.0.1: the session cookie falls back to lax
    app = str(Path(__file__).with_name("app.py"))
    command = [sys.executable, "-m", "solara", "run", app, "--host", args.host, "--port", str(args.port), "--production", "--no-open"]
    command += ["--log-level", "warning"]
    # Ctrl-C, `kill` and a closed terminal stop the server, even when started in the background (where a shell ignores SIGINT)
    stops = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {sig: signal.signal(sig, signal.default_int_handler) for sig in stops}
    # the server dies with this process even when it is killed outright (SIGKILL: no handler runs; Linux only)
    server = subprocess.Popen(command, env=env, preexec_fn=parent_death_request(signal.SIGKILL))
    try:
        if not _wait_until_serving(server, args.host, args.port, DASHBOARD_START_SECONDS):
            _stop(server)
            _fail(f"the dashboard server did not start on {args.host}:{args.port} (exit code {server.returncode}); see its messages above")
            return EXIT_FAILED
        url = f"http://{args.host if ':' not in args.host else f'[{args.host}]'}:{args.port}/"
        print(f"mobsim dashboard: {url}  ({scenario.name} at scale {scale:g}; Ctrl-C stops it)", flush=True)
        code = server.wait()
        _fail(f"the dashboard server stopped by itself (exit code {code})")
        return EXIT_FAILED
    except KeyboardInterrupt:
        _stop(server)
        print("mobsim dashboard: stopped", file=sys.stderr)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _loopback_only(host: str) -> bool:
    """True if every address ``host`` names is this machine's loopback (127.0.0.0/8, ::1); 0.0.0.0 and :: are every interface."""
    import ipaddress
    import socket

    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False  # cannot tell: warn
    return bool(addresses) and all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)


def _wait_until_serving(server: typing.Any, host: str, port: int, timeout: float) -> bool:
    """True once ``host:port`` accepts connections; False if the server exits or ``timeout`` seconds pass first."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def _stop(server: typing.Any) -> None:
    """Stop the server: it may be stopping already (Ctrl-C in a terminal reaches it too), else SIGTERM, then SIGKILL."""
    import subprocess

    for stop, wait in ((None, 2.0), (server.terminate, 10.0), (server.kill, 5.0)):
        if server.poll() is not None:
            return
        if stop is not None:
            stop()
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, set_values=args.set_values)
    check_scenario(scenario)
    print(
        f"{printable(str(args.scenario))}: valid scenario '{scenario.name}', {scenario.time.n_days} days, sha256 {scenario.digest()[:12]}"
    )
    if args.show:
        for key, value in resolved_values(scenario.model_dump(mode="json")):
            print(f"{key} = {printable(json.dumps(value, ensure_ascii=False))}")
    return 0


def resolved_values(data: typing.Any, prefix: str = "") -> list[tuple[str, typing.Any]]:
    """A scenario's values as (dotted key, value) pairs, the keys ``--set`` takes: tables by key, lists of tables by index."""
    if isinstance(data, dict):
        out = []
        for key, value in data.items():
            out.extend(resolved_values(value, f"{prefix}{key}."))
        return out if data else [(prefix.rstrip("."), {})]
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        out = []
        for index, item in enumerate(data):
            out.extend(resolved_values(item, f"{prefix}{index}."))
        return out
    return [(prefix.rstrip("."), data)]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input, with a one-line message)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2, already reported on one line)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    args.command_line = shlex.join(["mobsim", *(sys.argv[1:] if argv is None else argv)])  # for provenance (--xlsx)
    if argv is None:  # the `mobsim` command itself (not a caller's main([...])): `kill -USR1` shows where it is
        _stacks_on_request()
    commands = {
        "run": _run,
        "compare": _compare,
        "sweep": _sweep,
        "sensitivity": _sensitivity,
        "report": _report,
        "dashboard": _dashboard,
        "validate": _validate,
        "template": _template,
    }
    from sim.executor import stop_on_signals
    from sim.store import SAVED

    saved_before = len(SAVED)  # (this process may have run other commands: in tests, a notebook)
    try:
        # SIGTERM and SIGHUP end a command as Ctrl-C does: through the cleanup of what it was doing
        # (temporary files removed, workers stopped), with one line and 128 + the signal's number
        with stop_on_signals(ignore_after_stop=True):
            return commands[args.command](args)
    except InputError as exc:  # a scenario file, an option, a results folder: one line, exit 2
        _fail(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM / SIGHUP during compare (sim.executor.Interrupted)
        print(f"mobsim: interrupted; {_what_was_written(SAVED[saved_before:])}", file=sys.stderr)
        return _interrupted_code(exc)
    except SystemError as exc:
        # Ctrl-C inside a numba-compiled call surfaces as SystemError with the KeyboardInterrupt as its context
        if isinstance(exc.__context__, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt):
            print(f"mobsim: interrupted; {_what_was_written(SAVED[saved_before:])}", file=sys.stderr)
            return EXIT_INTERRUPTED
        raise


def _stacks_on_request() -> None:
    """Make SIGUSR1 print every thread's Python stack to stderr and go on (``faulthandler``): for a ``mobsim`` that
    seems stuck, ``kill -USR1 PID`` shows where it is without stopping it (``tests/test_processes.py`` asks a command
    that did not end after a stop). Nothing where the signal does not exist (Windows)."""
    import faulthandler

    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)


def _what_was_written(saved: Sequence[Path]) -> str:
    """What a stop leaves, for its one line: "nothing was written", or the folders the command had saved in full before
    it (``saved``: a stop that arrives just after the results are in place, ``sim.store.SAVED``)."""
    if not saved:
        return "nothing was written"
    return ", ".join(f"{printable(str(folder))}/" for folder in saved) + " had been written in full before the stop"


def _interrupted_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number, as shells report a process ended by a signal (130 for Ctrl-C)."""
    return 128 + getattr(exc, "signum", 2)


if __name__ == "__main__":
    sys.exit(main())
