"""Worked experiment: the smallest national pool that keeps every region's ICU patients in safe care.

Runs ``experiments/pool_size.toml`` (pool size × response time, 20 replications each, a quarter of
Sweden, epidemic size varying ±10 % by region) with 2 workers into ``results/pool_size/``
(resumable), then:

- for each response time, the share of replications that are *safe*, and the smallest pool size
  reaching that in 95 % of replications. Safe: with team-based ICU staffing (``safety.icu_tiers``,
  the baseline since issue #14) fewer than one unsafe ICU patient-day at full scale (every patient in
  a team within the guidance for its ICU's load); without tiers, the worst region-week keeps at least
  ``safety.icu_min_nurse_ratio`` ICU nurses per patient (1:2), as before issue #14;
- the figure ``docs/figures/pool_size.png``: unsafe ICU patient-days and the worst region's ICU
  nurse ratio against pool size, one line per response time, with the pool's cost.

Run: .venv/bin/python tools/worked_pool_size.py
"""

from __future__ import annotations

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sim.sweep import load_experiment, load_results, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SIZE, RESPONSE = "levers.national_pool.size", "levers.national_pool.response_days"
TARGET_SHARE = 0.95


def main() -> None:
    experiment = load_experiment(ROOT / "experiments" / "pool_size.toml")
    scenario = experiment.scenarios[""]
    target = scenario.safety.icu_min_nurse_ratio
    teams = bool(scenario.safety.icu_tiers)
    started = time.perf_counter()
    outcome = run_sweep(experiment, workers=2, resume=True, out=ROOT / "results" / "pool_size")
    elapsed = time.perf_counter() - started
    runs = load_results(outcome.folder)
    if teams:  # fewer than one unsafe ICU patient-day at full scale
        runs["safe"] = runs["unsafe_icu_patient_days"] / scenario.world.scale < 1.0
        rule = "fewer than 1 unsafe ICU patient-day (full scale)"
    else:
        runs["safe"] = runs["worst_region_icu_nurse_ratio"] >= target
        rule = f"worst region-week ≥ {target} ICU nurses per patient"
    table = runs.groupby([RESPONSE, SIZE]).agg(
        safe_share=("safe", "mean"),
        worst_ratio=("worst_region_icu_nurse_ratio", "mean"),
        unsafe_days=("unsafe_icu_patient_days", "mean"),
        cost_pool_msek=("cost_pool_msek", "mean"),
        cost_total_msek=("cost_total_msek", "mean"),
    )
    print(f"{len(runs)} runs in {elapsed:.0f} s (runs already in the store are not run again)")
    print(table.round(3).to_string())
    print(f"\nsmallest pool (members at full scale) with {rule} in ≥ {TARGET_SHARE:.0%} of replications:")
    for response, group in table.groupby(level=0):
        ok = group[group["safe_share"] >= TARGET_SHARE]
        smallest = int(ok.index.get_level_values(1).min()) if len(ok) else None
        print(f"  response {response:>2} days: {smallest if smallest is not None else 'none of the sizes tried'}")
    figure(table, target, rule, ROOT / "docs" / "figures" / "pool_size.png")


def figure(table, target: float, rule: str, path: Path) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), dpi=150)
    for response, group in table.groupby(level=0):
        sizes = group.index.get_level_values(1)
        label = f"arrives in {response} d"
        axes[0].plot(sizes, group["unsafe_days"], marker="o", label=label)
        axes[1].plot(sizes, group["worst_ratio"], marker="o", label=label)
        axes[2].plot(sizes, group["safe_share"] * 100, marker="o", label=label)
    axes[0].set(title="Unsafe ICU patient-days", xlabel="pool members (full scale)", ylabel="patient-days (quarter of Sweden)")
    axes[1].axhline(target, color="grey", linestyle="--", linewidth=1)
    axes[1].set(title="Worst region-week: ICU nurses per patient", xlabel="pool members (full scale)", ylabel="nurses per patient")
    axes[2].axhline(TARGET_SHARE * 100, color="grey", linestyle="--", linewidth=1)
    axes[2].set(
        title=f"Replications with {rule}",
        xlabel="pool members (full scale)",
        ylabel="% of replications",
        ylim=(-5, 105),
    )
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle("National reinforcement pool: size and response time (spring 2020, regional levers and loans on)", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    print(f"figure: {path}")


if __name__ == "__main__":
    main()
