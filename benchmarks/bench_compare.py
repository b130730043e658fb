"""Benchmark of ``mobsim compare`` over the strategy files at full scale, and the README's table.

Runs every strategy in ``scenarios/strategies/`` at ``world.scale`` 1.0 with ``--replications``
replications (default 10) and ``--workers`` processes (default 2), exactly as
``mobsim compare scenarios/strategies/*.toml --replications 10 --workers 2`` does, and prints:

- the wall time of the whole comparison (the issue's target: under 5 minutes on 2 cores) and runs per minute;
- a Markdown table of each strategy's mean of the key indicators and its paired difference from
  ``no_action`` with the 95 % interval (common random numbers), ready for the README.

Usage::

    .venv/bin/python benchmarks/bench_compare.py [--replications 10] [--workers 2] [--out results/compare_strategies]
    # both waves (as sweden_2020_2021.toml: to 28 February 2021, fatigue carried over for 90 days), a few strategies
    .venv/bin/python benchmarks/bench_compare.py --set time.end=2021-02-28 --set fatigue.sustained_days=90 \
        --strategies regional_only regional_and_loans --replications 5
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import sim
from sim.experiment import STRATEGIES, markdown_table, run_replications

ROOT = Path(__file__).resolve().parent.parent
ORDER = STRATEGIES  # the first is the reference of the paired differences
TABLE = {
    "unsafe_icu_patient_days": ("unsafe ICU patient-days", "{:,.0f}"),
    "icu_patient_days_above_staffed_beds": ("ICU patient-days above staffed beds", "{:,.0f}"),
    "diluted_icu_patient_days": ("diluted ICU patient-days", "{:,.0f}"),
    "staff_loaned": ("ICU nurses loaned", "{:,.0f}"),
    "patients_transferred": ("ICU patients moved", "{:,.0f}"),
    "nursing_home_introductions": ("nursing-home introductions by staff", "{:,.0f}"),
    "resident_infections": ("resident infections", "{:,.0f}"),
    "care_debt_end": ("care debt (operations)", "{:,.0f}"),
    "cost_total_msek": ("cost above payroll (MSEK)", "{:,.0f}"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=None, help="also save the comparison there")
    parser.add_argument(
        "--set",
        dest="set_values",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a scenario value for every strategy (repeatable)",
    )
    parser.add_argument("--strategies", nargs="+", default=list(ORDER), help="strategy files to run (default: all, in ORDER)")
    args = parser.parse_args()
    files = [ROOT / "scenarios" / "strategies" / f"{name}.toml" for name in args.strategies]
    scenarios = [sim.load_scenario(f, set_values=[*args.set_values, f"world.scale={args.scale}"]) for f in files]
    started = time.perf_counter()
    compared = run_replications(scenarios, args.replications, seed=0, workers=args.workers)
    elapsed = time.perf_counter() - started
    runs = len(scenarios) * args.replications
    print(f"{len(scenarios)} strategies × {args.replications} replications = {runs} runs at scale {args.scale}, {args.workers} workers")
    print(
        f"wall time {elapsed:.1f} s ({elapsed / 60:.2f} min), {runs / elapsed * 60:.1f} runs per minute; target < 300 s: {'PASS' if elapsed < 300 else 'FAIL'}"
    )
    print()
    print(markdown_table(compared.comparison, TABLE))
    if args.out is not None:
        compared.save(args.out)


if __name__ == "__main__":
    main()
