"""Worked strategy comparison: paired differences from no_action of the key indicators.

Reads results/compare_strategies/comparison.csv (written by benchmarks/bench_compare.py
--out results/compare_strategies). If it is missing, runs the comparison exactly as that
benchmark does (the files of scenarios/strategies/ at full scale, 10 replications,
seed 0, 2 workers; about 150 s) and saves it there. Draws docs/figures/strategies.png.

Run: .venv/bin/python tools/worked_strategies.py
"""

import sys
import time
from pathlib import Path

import pandas as pd

import sim
from sim import figures
from sim.experiment import STRATEGIES, run_replications

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "compare_strategies"
FIGURE = ROOT / "docs" / "figures" / "strategies.png"
REPLICATIONS = 10
SEED = 0
WORKERS = 2
SCALE = 1.0

ORDER = STRATEGIES  # the first is the reference of the paired differences
PANELS = (
    "unsafe_icu_patient_days",
    "icu_patient_days_above_staffed_beds",
    "diluted_icu_patient_days",
    "resident_infections",
    "nursing_home_introductions",
    "care_debt_end",
    "cost_total_msek",
)


def progress(done: int, total: int) -> None:
    print(f"\r  {done}/{total} runs", end="", file=sys.stderr, flush=True)


def load_or_run() -> pd.DataFrame:
    """The saved comparison, or a fresh full-scale one saved to results/compare_strategies/."""
    csv = OUT / "comparison.csv"
    if csv.exists():
        print(f"using {csv.relative_to(ROOT)}")
        return pd.read_csv(csv)
    files = [ROOT / "scenarios" / "strategies" / f"{name}.toml" for name in ORDER]
    scenarios = [sim.load_scenario(f, world__scale=SCALE) for f in files]
    print(f"{csv.relative_to(ROOT)} not found: running {len(scenarios)} strategies × {REPLICATIONS} replications at scale {SCALE}")
    started = time.perf_counter()
    compared = run_replications(scenarios, REPLICATIONS, seed=SEED, workers=WORKERS, progress=progress)
    print(f"\n  {time.perf_counter() - started:.0f} s", file=sys.stderr)
    compared.save(OUT)
    return compared.comparison


def draw(comparison: pd.DataFrame, path: Path) -> None:
    """One panel per indicator: each strategy's paired difference from no_action with its 95 % interval."""
    order = [s for s in ORDER if s in set(comparison["strategy"])]
    comparison = comparison.set_index("strategy").loc[order].reset_index()
    fig = figures.strategy_comparison(
        comparison,
        indicators=PANELS,
        title=f"Strategies compared with {order[0]}: paired difference, 95 % interval, {REPLICATIONS} replications, full scale",
    )
    figures.save(fig, path.with_suffix(""), formats=("png",))
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    comparison = load_or_run()
    draw(comparison, FIGURE)


if __name__ == "__main__":
    main()
