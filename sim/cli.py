"""The ``mobsim`` command."""

from __future__ import annotations

import argparse
import numbers
import sys
import time
import typing
from collections.abc import Sequence
from pathlib import Path

from sim.scenario import ScenarioError, load_scenario

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
MAX_SEED = 2**64 - 1  # the compiled core keys its random numbers on a 64-bit seed


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other bad input."""

    def error(self, message: str) -> typing.NoReturn:
        _fail(f"{message} (see '{self.prog} --help')")
        raise SystemExit(EXIT_BAD_INPUT)


def _fail(message: str) -> None:
    """Print one error line to stderr (newlines inside the message are folded)."""
    print("mobsim: error: " + " ".join(str(message).splitlines()), file=sys.stderr)


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
    run.add_argument("--csv", action="store_true", help="also write the daily frames as CSV")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    validate = sub.add_parser("validate", help="check a scenario file and print its resolved values")
    validate.add_argument("scenario", type=Path)
    validate.add_argument("--set", dest="set_values", action="append", default=[], metavar="KEY=VALUE")
    return parser


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from sim.model import MobilisationModel

    if not 0 <= args.seed <= MAX_SEED:
        raise ScenarioError("--seed", "seed", f"expected a whole number from 0 to {MAX_SEED}, got {args.seed}")
    scenario = load_scenario(args.scenario, set_values=args.set_values)
    out = _check_out(args.out or Path("results") / scenario.name)
    console = Console(stderr=True)
    started = time.perf_counter()
    model = MobilisationModel(scenario=scenario, seed=args.seed)
    built = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} days"), TimeRemainingColumn(),
        console=console, disable=args.quiet or not console.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task(scenario.name, total=model.n_days)
        while model.running:
            model.step()
            progress.advance(task)
    result = model.result()
    finished = time.perf_counter()
    try:
        result.save(out, csv=args.csv)
    except OSError as exc:
        _fail(f"{out}: cannot write results: {exc.strerror or exc}")
        return EXIT_FAILED

    table = Table(title=f"{scenario.name} · seed {args.seed} · {len(model.world.staff):,} staff · {model.n_days} days")
    table.add_column("indicator")
    table.add_column("value", justify="right")
    for key, value in result.summary.iloc[0].items():
        table.add_row(str(key), _format(value))
    Console().print(table)
    console.print(f"built in {built - started:.1f} s, ran in {finished - built:.1f} s; results in {out}/")
    return 0


def _format(value: object) -> str:
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        return f"{value:,.3f}"
    return str(value)


def _check_out(out: Path) -> Path:
    """The results folder, refused before the run if it cannot or must not be written."""
    from sim.results import check_results_dir

    try:
        return check_results_dir(out)
    except ValueError as exc:
        raise ScenarioError("--out", str(out), str(exc)) from None


def _validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, set_values=args.set_values)
    if scenario.demand.source == "csv" and scenario.demand.csv is not None:
        from sim.data import region_codes
        from sim.demand import read_curves

        # the run reads the curves when it builds the model; check them here too
        read_curves(Path(scenario.demand.csv), region_codes(), scenario.time.start, scenario.time.n_days)
    print(f"{args.scenario}: valid scenario '{scenario.name}', {scenario.time.n_days} days, sha256 {scenario.digest()[:12]}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (2 for bad input, with a one-line message)."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2, already reported on one line)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    try:
        if args.command == "run":
            return _run(args)
        return _validate(args)
    except ScenarioError as exc:
        _fail(str(exc))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("mobsim: interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
