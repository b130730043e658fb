"""Time of a multi-year run with one wave (issue #17, first slice): the quiet path against the daily core.

Runs ``scenarios/crisis_2031.toml`` (2030–2032, the spring 2020 wave re-dated to October 2031) with ``[quiet]`` on,
the same with ``[quiet]`` off (the daily core every day), and the one-year spring 2020 baseline, at the scale given
(default full scale), each after one warm-up run at scale 0.02 (numba's cache, the data), and prints the wall time
of building the model and running it, and the days the quiet path covered.

Usage::

    .venv/bin/python benchmarks/bench_crisis.py [--scale 1.0] [--seed 0] [--skip-daily]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402


def timed(path: str, scale: float, seed: int, **overrides: object) -> tuple[float, int, int, sim.Result]:
    """Seconds to build and run the scenario, its days, its quiet days, and its result."""
    start = time.perf_counter()
    model = sim.MobilisationModel(str(ROOT / path), seed=seed, world__scale=scale, **overrides)
    result = model.run()
    return time.perf_counter() - start, model.n_days, int(model.quiet_days.sum()), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-daily", action="store_true", help="leave out the three-year run on the daily core")
    args = parser.parse_args()
    for path in ("scenarios/crisis_2031.toml", "scenarios/sweden_spring2020.toml"):  # warm-up: compile, cache the data
        timed(path, 0.02, args.seed)
    cases = [("crisis_2031, quiet path", "scenarios/crisis_2031.toml", {})]
    if not args.skip_daily:
        cases.append(("crisis_2031, daily core", "scenarios/crisis_2031.toml", {"quiet__enabled": False}))
    cases.append(("sweden_spring2020 (122 days)", "scenarios/sweden_spring2020.toml", {}))
    cases.append(("second_wave (one year)", "scenarios/second_wave.toml", {}))
    for label, path, overrides in cases:
        seconds, days, quiet, result = timed(path, args.scale, args.seed, **overrides)
        unsafe = float(result.summary["unsafe_icu_patient_days"].iloc[0])
        print(f"{label:32s} {seconds:7.1f} s  {days:5d} days  {quiet:5d} quiet  unsafe ICU patient-days {unsafe:,.0f}", flush=True)


if __name__ == "__main__":
    main()
