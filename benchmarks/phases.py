"""Where a day goes: milliseconds per simulated day by phase of ``MobilisationModel.step``, and by lever inside ``place``.

    .venv/bin/python benchmarks/phases.py                      # second_wave.toml, a year, at scale 0.03 and 1.0
    .venv/bin/python benchmarks/phases.py --scales 0.05 --levers
    .venv/bin/python benchmarks/phases.py --scales 0.05 --calibration   # the calibration's simulation, recording everything
    .venv/bin/python benchmarks/phases.py --scales 0.05 --calibration --record staff   # as make calibrate runs it
    .venv/bin/python benchmarks/phases.py --scales 0.03 1.0 --kernels   # the compiled kernels' share of a day

Wraps each phase method (``MobilisationModel.PHASES``), Mesa's ``DataCollector.collect`` and, with ``--levers``, each
lever's ``act`` in ``time.perf_counter`` timers, after a warm-up run that compiles the kernels. The timers cost about a
microsecond each; compare the phases of one run, not runs of different processes.

With ``--kernels`` every kernel of ``sim.kernels`` that Python calls (numba dispatchers and threaded pairs) is timed
too, the outermost call only: the day's time in compiled code, calls included, against the Python around it. That is
the floor of a day whose Python were all gone (issue #18: what the small worlds' target would take).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numba

import sim
from sim import kernels
from sim.model import MobilisationModel
from sim.recorder import RECORDS

ROOT = Path(__file__).resolve().parent.parent
YEAR = ROOT / "scenarios" / "second_wave.toml"


def timed(totals: dict[str, float], name: str, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - t

    return wrapper


def time_kernels(totals: dict[str, float]) -> Callable[[], None]:
    """Time every kernel of ``sim.kernels`` that Python calls under ``totals["kernels"]`` (calls under ``"kernel calls"``),
    the outermost call only, its call from Python included; returns what puts the kernels back. The kernels must be
    compiled or loaded first: a kernel compiled while wrapped would see the timers in place of the kernels it calls."""
    depth = [0]

    def wrap(fn):
        def wrapper(*args, **kwargs):
            depth[0] += 1
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    totals["kernels"] += time.perf_counter() - t
                    totals["kernel calls"] += 1

        return wrapper

    originals = {name: fn for name, fn in vars(kernels).items() if isinstance(fn, kernels.Threaded | numba.core.registry.CPUDispatcher)}
    for name, fn in originals.items():
        setattr(kernels, name, wrap(fn))

    def restore() -> None:
        for name, fn in originals.items():
            setattr(kernels, name, fn)

    return restore


def load(path: Path | None, scale: float) -> sim.Scenario:
    """The scenario at ``path`` (None: the calibration's year 2020, ``validation.load_runs_scenarios``) at ``scale``."""
    if path is None:
        from sim.validation import load_runs_scenarios

        return load_runs_scenarios(scale=scale)["year"]
    return sim.load_scenario(path, world__scale=scale)


def profile(
    path: Path | None, scale: float, levers: bool, seed: int = 0, record: str = "all", kernel_time: bool = False
) -> tuple[dict[str, float], int, int, float]:
    """Seconds by phase of one build + run (with ``kernel_time`` also the kernels', ``time_kernels``); the days, the
    staff and the whole run's seconds."""
    totals: dict[str, float] = defaultdict(float)
    t0 = time.perf_counter()
    model = MobilisationModel(load(path, scale), seed=seed, record=record)
    totals["build"] = time.perf_counter() - t0
    for name, method in model.PHASES:
        setattr(model, method, timed(totals, name, getattr(model, method)))
    if model.datacollector is not None:  # (none with record="staff")
        model.datacollector.collect = timed(totals, "datacollector", model.datacollector.collect)
    if levers:
        for lever in model.levers:
            lever.act = timed(totals, f"  lever {lever.name or type(lever).__name__}", lever.act)  # the steps every run takes have no name
    restore = time_kernels(totals) if kernel_time else (lambda: None)  # (the run's kernels: not the build's)
    t1 = time.perf_counter()
    try:
        while model.running:
            model.step()
    finally:
        restore()  # (a kernel compiled later must see the kernels it calls, not the timers)
    totals["run"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    model.result()
    totals["result"] = time.perf_counter() - t2
    return dict(totals), model.n_days, len(model.world.staff), time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=YEAR)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.03, 1.0])
    parser.add_argument("--levers", action="store_true", help="time each lever's act inside place")
    parser.add_argument("--calibration", action="store_true", help="the calibration's simulation (the year 2020) instead of --scenario")
    parser.add_argument("--record", choices=RECORDS, default="all", help="what the model records (staff: as make calibrate's runs)")
    parser.add_argument("--kernels", action="store_true", help="also the day's time in compiled kernels, against the Python around them")
    args = parser.parse_args()
    if args.calibration:
        args.scenario = None
    profile(args.scenario, min(args.scales), False, record=args.record)  # compile or load every kernel first
    for scale in args.scales:
        if args.kernels:  # every kernel this scale calls loaded before the timers wrap them (threaded twins above 50,000 rows)
            profile(args.scenario, scale, False, record=args.record)
        totals, days, staff, whole = profile(args.scenario, scale, args.levers, record=args.record, kernel_time=args.kernels)
        per_day = totals["run"] / days
        name = "the calibration's year 2020" if args.scenario is None else args.scenario.name
        print(f"\n{name} at scale {scale}: {staff:,} staff rows, {days} days")
        print(f"  build {totals['build']:.2f} s, run {totals['run']:.2f} s, result {totals['result']:.2f} s, whole {whole:.2f} s")
        print(f"  {per_day * 1e3:.2f} ms a day, {per_day / staff * 1e9:.0f} ns per staff-day (run only)")
        if args.kernels:
            k, calls = totals.pop("kernels", 0.0), totals.pop("kernel calls", 0)
            print(
                f"  compiled kernels {k / days * 1e3:.2f} ms a day, {k / days / staff * 1e9:.0f} ns per staff-day "
                f"({k / totals['run']:.0%} of the run, {calls / days:.0f} calls a day); the Python around them "
                f"{(totals['run'] - k) / days / staff * 1e9:.0f} ns per staff-day"
            )
        for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
            if name not in ("build", "run", "result"):
                print(f"  {name:<32} {seconds / days * 1e3:7.3f} ms/day")


if __name__ == "__main__":
    main()
