"""Worked sensitivity analysis: Sobol indices of the key indicators over the uncertain parameters.

Runs experiments/sensitivity.toml (112 runs at 5 % scale) with 2 workers into
results/sensitivity/ (resumable: a rerun skips the finished runs), writes
results/sensitivity/sensitivity.csv, and draws docs/figures/sensitivity.png.

Run: .venv/bin/python tools/worked_sensitivity.py
"""

import sys
import time
from pathlib import Path

import pandas as pd

from sim import figures
from sim.sensitivity import analyse, write_csv
from sim.sweep import load_experiment, run_sweep

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENT = ROOT / "experiments" / "sensitivity.toml"
OUT = ROOT / "results" / "sensitivity"
FIGURE = ROOT / "docs" / "figures" / "sensitivity.png"
WORKERS = 2

LABELS = {
    "fatigue.rise": "fatigue rise",
    "fatigue.recovery": "fatigue recovery",
    "absence.exhaustion_rate": "exhaustion sick-leave hazard",
    "infection.community_rate": "community infection risk",
    "levers.icu_upskilling.registered_nurse_days": "RN ICU training days",
    "levers.loans.safety_margin": "loan safety margin",
}


def progress(done: int, failed: int, total: int) -> None:
    print(f"\r  {done}/{total} runs ({failed} failed)", end="", file=sys.stderr, flush=True)


def draw(table: pd.DataFrame, path: Path, n: int) -> None:
    """One panel per indicator: horizontal bars of S1 and ST per parameter, 95 % intervals as error bars."""
    title = (
        f"Sensitivity of key indicators to uncertain parameters (Sweden, spring 2020)\n"
        f"Sobol (Saltelli) design, N = {n}, 5 % scale; error bars: 95 % bootstrap intervals; indicative only at this N"
    )
    figures.save(figures.sensitivity_indices(table, title=title, labels=LABELS), path.with_suffix(""), formats=("png",))


def main() -> None:
    experiment = load_experiment(EXPERIMENT)
    start = time.perf_counter()
    outcome = run_sweep(experiment, workers=WORKERS, resume=True, progress=progress, out=OUT)
    print(file=sys.stderr)
    elapsed = time.perf_counter() - start
    print(f"sweep: {outcome.total} runs, {outcome.ran} run now, {outcome.skipped} already done, {len(outcome.failed)} failed")
    print(f"wall time of the sweep: {elapsed:.1f} s with {WORKERS} workers")
    table = analyse(OUT)
    csv = write_csv(table, OUT)
    with pd.option_context("display.width", 200, "display.max_rows", 100, "display.float_format", "{:.3f}".format):
        print(table.drop(columns=["method"]).to_string(index=False))
    draw(table, FIGURE, experiment.spec.samples or 0)
    print(f"wrote {csv.relative_to(ROOT)} and {FIGURE.relative_to(ROOT)}")
    print(f"wall time in all: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
