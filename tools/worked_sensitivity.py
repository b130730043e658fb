"""Worked sensitivity analysis: Sobol indices of the key indicators over the uncertain parameters.

Runs experiments/sensitivity.toml (112 runs at 5 % scale) with 2 workers into
results/sensitivity/ (resumable: a rerun skips the finished runs), writes
results/sensitivity/sensitivity.csv, and draws docs/figures/sensitivity.png.

Run: .venv/bin/python tools/worked_sensitivity.py
"""

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

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
    "levers.rapid_training.registered_nurse_days": "RN ICU training days",
    "levers.loans.safety_margin": "loan safety margin",
}
TITLES = {
    "unsafe_icu_patient_days": "Unsafe ICU patient-days",
    "peak_sick_share": "Peak sick share",
    "icu_staff_fatigue_end": "ICU staff fatigue at end",
    "staff_lost": "Staff lost",
    "cost_total_msek": "Cost (MSEK)",
}


def progress(done: int, failed: int, total: int) -> None:
    print(f"\r  {done}/{total} runs ({failed} failed)", end="", file=sys.stderr, flush=True)


def draw(table: pd.DataFrame, path: Path, n: int) -> None:
    """One panel per indicator: horizontal bars of S1 and ST per parameter, 95 % intervals as error bars."""
    indicators = list(dict.fromkeys(table["indicator"]))
    parameters = list(dict.fromkeys(table["parameter"]))
    ncols = 2
    nrows = -(-len(indicators) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(10, 2.6 * nrows + 0.8), sharey=True, squeeze=False)
    y = np.arange(len(parameters))
    height = 0.38
    for ax, indicator in zip(axes.flat, indicators, strict=False):
        rows = table[table["indicator"] == indicator].set_index("parameter").reindex(parameters)
        ax.barh(y - height / 2, rows["S1"], height, xerr=rows["S1_conf"], color="#4c72b0", capsize=2, label="S1 (first order)")
        ax.barh(y + height / 2, rows["ST"], height, xerr=rows["ST_conf"], color="#dd8452", capsize=2, label="ST (total)")
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(TITLES.get(indicator, indicator), fontsize=11)
        ax.set_yticks(y, [LABELS.get(p, p) for p in parameters], fontsize=9)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=9)
        note = rows["note"].dropna()
        note = note[note != ""]
        if len(note):
            ax.text(0.5, 0.5, note.iloc[0], transform=ax.transAxes, ha="center", va="center", fontsize=9, wrap=True)
    for ax in axes.flat[len(indicators) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    spare = axes.flat[len(indicators)] if len(indicators) < axes.size else None
    if spare is not None:
        spare.legend(handles, labels, loc="center", fontsize=10, frameon=False)
        spare.text(
            0.5,
            0.2,
            f"Sobol (Saltelli) design, N = {n}, 5 % scale\nerror bars: 95 % bootstrap intervals\nindicative only: intervals are wide at this N",
            transform=spare.transAxes,
            ha="center",
            va="center",
            fontsize=9,
        )
    else:
        fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=10, frameon=False)
    fig.supxlabel("Sobol index", fontsize=10)
    fig.suptitle("Sensitivity of key indicators to uncertain parameters (Sweden, spring 2020)", fontsize=12)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)


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
