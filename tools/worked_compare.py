"""What the worked comparisons share (tools/worked_municipal.py, tools/worked_preparedness.py): run the strategies of a
folder in a given order at a scale with common random numbers, as ``mobsim compare`` of the files in that order would,
save the comparison (reused if it is there: delete the folder to run again) and print the Markdown table of
``sim.experiment.markdown_table``: each strategy's mean and, for all but the first, its paired difference from it."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import sim
from sim.experiment import markdown_table, run_replications

ROOT = Path(__file__).resolve().parent.parent


def progress(done: int, total: int) -> None:
    print(f"\r  {done}/{total} runs", end="", file=sys.stderr, flush=True)


def main(description: str, folder: Path, order: Sequence[str], table: dict[str, tuple[str, str]], out: Path) -> None:
    """Parse ``--replications``, ``--workers`` and ``--scale``, compare the strategies ``order`` of ``folder`` (the first
    the reference) into ``out`` unless it holds the comparison already, and print the table of ``table``'s indicators."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    csv = out / "comparison.csv"
    if csv.exists():
        print(f"using {csv.relative_to(ROOT)}")
        comparison = pd.read_csv(csv)
    else:
        scenarios = [sim.load_scenario(folder / f"{name}.toml", **{"world.scale": args.scale}) for name in order]
        started = time.perf_counter()
        compared = run_replications(scenarios, args.replications, seed=0, workers=args.workers, progress=progress, indicators=[*table])
        print(
            f"\n{len(order)} strategies × {args.replications} replications at scale {args.scale}: {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        compared.save(out)
        comparison = compared.comparison
    print(markdown_table(comparison, table))
