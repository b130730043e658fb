"""Worked strategy comparison: paired differences from no_action of the key indicators.

Reads results/compare_strategies/comparison.csv (written by benchmarks/bench_compare.py
--out results/compare_strategies). If it is missing, runs the comparison exactly as that
benchmark does (the seven files of scenarios/strategies/ at full scale, 10 replications,
seed 0, 2 workers; about 150 s) and saves it there. Draws docs/figures/strategies.png.

Run: .venv/bin/python tools/worked_strategies.py
"""

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import numpy as np
import pandas as pd

import sim
from sim.experiment import STRATEGIES, run_replications

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "results" / "compare_strategies"
FIGURE = ROOT / "docs" / "figures" / "strategies.png"
REPLICATIONS = 10
SEED = 0
WORKERS = 2
SCALE = 1.0

ORDER = STRATEGIES  # the first is the reference of the paired differences
PANELS = {
    "unsafe_icu_patient_days": ("Unsafe ICU care", "patient-days beyond 1 ICU nurse : 2 patients", "{:+,.0f}"),
    "diluted_icu_patient_days": ("ICU care by non-specialists", "diluted ICU patient-days", "{:+,.0f}"),
    "resident_infections": ("Nursing-home resident infections", "residents infected", "{:+,.0f}"),
    "nursing_home_introductions": ("Virus brought into homes by staff", "introductions", "{:+,.0f}"),
    "care_debt_end": ("Care debt at end", "postponed operations", "{:+,.0f}"),
    "cost_total_msek": ("Net cost above payroll", "MSEK", "{:+,.0f}"),
}
COLOURS = {
    "regional_only": "tab:blue",
    "regional_and_loans": "tab:cyan",
    "national_pool_small": "tab:orange",
    "national_pool_large": "tab:red",
    "as_happened_2020": "tab:green",
    "nursing_homes_stable_teams": "tab:purple",
}


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
    reference = ORDER[0]
    strategies = [s for s in ORDER if s != reference and s in set(comparison["strategy"])]
    y = np.arange(len(strategies))[::-1]
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.4), sharey=True)
    for ax, (indicator, (title, unit, fmt)) in zip(axes.flat, PANELS.items(), strict=True):
        rows = comparison[comparison["indicator"] == indicator].set_index("strategy").loc[strategies]
        mean = rows["diff_mean"].to_numpy(float)
        low = rows["diff_low"].to_numpy(float)
        high = rows["diff_high"].to_numpy(float)
        ax.axvline(0, color="black", linewidth=1.2, zorder=2)
        for yi, strategy, m, lo, hi in zip(y, strategies, mean, low, high, strict=True):
            colour = COLOURS.get(strategy, "tab:gray")
            ax.errorbar(m, yi, xerr=[[m - lo], [hi - m]], fmt="o", color=colour, markersize=6, capsize=4, elinewidth=1.5, zorder=3)
        # Room on both sides for the value labels, with zero always in view.
        lo_all, hi_all = min(low.min(), 0.0), max(high.max(), 0.0)
        span = hi_all - lo_all or 1.0
        ax.set_xlim(lo_all - 0.45 * span, hi_all + 0.45 * span)
        for yi, m in zip(y, mean, strict=True):
            text = fmt.format(m)
            right = m >= lo_all + 0.5 * span
            ax.annotate(
                text,
                (m, yi),
                xytext=(-9 if right else 9, 5),
                textcoords="offset points",
                ha="right" if right else "left",
                va="bottom",
                fontsize=7.5,
                color="0.15",
            )
        ax.set_title(f"{title}\n({unit})", fontsize=9.5)
        ax.tick_params(axis="x", labelsize=8)
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=5))
        ax.set_axisbelow(True)
        ax.grid(axis="x", color="0.9", linewidth=0.8)
        ax.set_ylim(-0.6, len(strategies) - 0.4)
    for ax in axes[:, 0]:
        ax.set_yticks(y, [s.replace("_", " ") for s in strategies], fontsize=9)
    fig.suptitle(
        "Strategies compared with no_action: paired difference from no_action, 95 % interval, 10 replications, full scale",
        fontsize=11,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    comparison = load_or_run()
    draw(comparison, FIGURE)


if __name__ == "__main__":
    main()
