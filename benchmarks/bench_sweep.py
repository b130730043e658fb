"""Benchmark of sweep throughput: runs per minute with 1 and 2 worker processes, and the scaling ratio.

Runs ``experiments/quick_sweep.toml`` (Latin hypercube over the national pool's size and response
time, 8 points × 3 replications = 24 runs) at ``--scale`` (default 0.1, ≈33,600 staff per run,
122 days) twice, in the same process, into fresh temporary stores:

- with ``workers=1`` (in-process; the reference),
- with ``workers=2`` (two spawned processes sharing the 2 cores),

and prints wall time, runs per minute, the scaling ratio (2 workers / 1 worker) and whether the
two stores hold identical results (they must: the executor does not change results).

Usage::

    .venv/bin/python benchmarks/bench_sweep.py [--scale 0.1] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import sim
from sim.sweep import load_experiment, load_results, run_sweep

ROOT = Path(__file__).resolve().parent.parent


def timed(experiment, workers: int, folder: Path) -> float:
    started = time.perf_counter()
    outcome = run_sweep(experiment, workers=workers, out=folder)
    elapsed = time.perf_counter() - started
    if outcome.failed:
        raise RuntimeError(f"{outcome.failed} runs failed")
    return elapsed


def scaled_copy(path: Path, scale: float, folder: Path) -> Path:
    """The experiment file at another ``world.scale`` (its scenario path made absolute)."""
    text = path.read_text()
    text = text.replace('"world.scale" = 0.02', f'"world.scale" = {scale}')
    text = text.replace('scenario = "../', f'scenario = "{path.parent.parent.as_posix()}/')
    copy = folder / path.name
    copy.write_text(text)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sim.run(sim.load_scenario(ROOT / "scenarios" / "sweden_spring2020.toml", world__scale=0.01), seed=0)  # compile / load the cache
    with tempfile.TemporaryDirectory() as tmp:
        experiment = load_experiment(scaled_copy(ROOT / "experiments" / "quick_sweep.toml", args.scale, Path(tmp)))
        one = timed(experiment, 1, Path(tmp) / "one")
        many = timed(experiment, args.workers, Path(tmp) / "many")
        a = load_results(Path(tmp) / "one").sort_values("run_id").reset_index(drop=True)
        b = load_results(Path(tmp) / "many").sort_values("run_id").reset_index(drop=True)
        identical = a.drop(columns=[c for c in a.columns if c.endswith("seconds")], errors="ignore").equals(
            b.drop(columns=[c for c in b.columns if c.endswith("seconds")], errors="ignore")
        )
    runs = len(a)
    print(f"sweep: {experiment.spec.name}, {runs} runs, scale {args.scale}, machine nproc={os.cpu_count()}")
    print(f"1 worker : {one:6.1f} s  {runs / one * 60:6.1f} runs/min")
    print(f"{args.workers} workers: {many:6.1f} s  {runs / many * 60:6.1f} runs/min")
    print(f"scaling {args.workers} workers / 1 worker: x{one / many:.2f}; identical results: {identical}")


if __name__ == "__main__":
    main()
