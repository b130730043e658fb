"""The full-scale year, this checkout against an older commit, in alternating fresh processes.

The machine's speed drifts by up to 20 % from one quarter-hour to the next (benchmarks/README.md), so
two versions are compared by running them in turn, each in a fresh process with a warm numba cache,
and reporting the ratio of the medians. The older commit is checked out into a temporary git
worktree (removed at the end) and run with this checkout's interpreter.

Usage::

    .venv/bin/python benchmarks/side_by_side.py 69fd53f            # 5 runs of each
    .venv/bin/python benchmarks/side_by_side.py 69fd53f --runs 3
    # another scenario in this checkout than in the older one (issue #13: both waves from the data against the year of waves)
    .venv/bin/python benchmarks/side_by_side.py af89110 --scenario scenarios/sweden_2020_2021.toml
    # a small world (issue #18: about 10,000 staff), both versions at the same scale
    .venv/bin/python benchmarks/side_by_side.py bb45edf --scale 0.03

    # an ABC-sized batch (issue #18): 100 calibration simulations on 2 worker processes, in each version in turn
    .venv/bin/python benchmarks/side_by_side.py bb45edf --abc 100 --runs 1
    # the calibration itself (issue #18): tools/calibrate.py (pyabc, 2 workers) with the same budget in each version,
    # into a temporary folder; compares seconds per simulation (the ABC's draws are random, so the count varies a little)
    .venv/bin/python benchmarks/side_by_side.py bb45edf --calibrate 200 --runs 1
    # make calibrate itself: tools/calibrate.py with its defaults (800 simulations at most, 8 generations, stop below a
    # distance of 0.3), as the Makefile runs it; about 4 min a run now. bb45edf, the commit before issue #18, runs
    # out of memory at it on a 24 GiB machine (Mesa 3.3 kept every model a worker ran), so compare with later commits
    .venv/bin/python benchmarks/side_by_side.py 747ce21 --make-calibrate --runs 2

Each process also reports its peak resident memory (``VmHWM``), so the medians of both are printed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Run in the checkout under test: warm the kernels (compile or load the cache), then time build + run.
YEAR = """
import sys, time
sys.path.insert(0, ".")
import sim
path = {path!r}
sim.MobilisationModel(scenario=sim.load_scenario(path, **{"world.scale": 0.02}), seed=1).run()
scenario = sim.load_scenario(path, **{"world.scale": {scale!r}})
cpu, wall = time.process_time(), time.perf_counter()
sim.MobilisationModel(scenario=scenario, seed=1).run()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
print(wall, cpu, peak)
"""


#: Run in the checkout under test: ``runs`` simulations as ``make calibrate`` runs them (the year 2020 at scale 0.05, the
#: calibration's statistics, a seed each, with ``record="staff"`` where the checkout has it) on 2 worker processes,
#: after a warm-up simulation in each worker.
ABC = """
import inspect, sys, time
sys.path.insert(0, ".")
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from sim.validation import PATTERNS, load_runs_scenarios, simulate
if "record" in inspect.signature(simulate).parameters:  # recording only what the statistics read, as make calibrate does
    simulate = partial(simulate, record="staff")
if __name__ == "__main__":
    scenario = load_runs_scenarios(scale=0.05)["year"]
    keys = [p.key for p in PATTERNS if p.role == "calibration"]
    runs = {runs!r}
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(simulate, [scenario] * 2, range(2), [keys] * 2))
        cpu, wall = time.process_time(), time.perf_counter()
        list(pool.map(simulate, [scenario] * runs, range(100, 100 + runs), [keys] * runs))
        print(time.perf_counter() - wall, time.process_time() - cpu, 0.0)
"""


def abc(checkout: Path, runs: int) -> tuple[float, float, float]:
    """(wall s, CPU s of the parent, 0) of ``runs`` calibration simulations on 2 workers in ``checkout``, a fresh process."""
    script = checkout / ".side_by_side_abc.py"  # a file, not -c: the workers import the parent's main module
    script.write_text(ABC.replace("{runs!r}", repr(runs)))
    try:
        out = _run([sys.executable, str(script)], checkout)
    finally:
        script.unlink()
    wall, cpu, peak = out.split()
    return float(wall), float(cpu), float(peak)


def _run(cmd: list[str], checkout: Path) -> str:
    """The standard output of ``cmd`` run in ``checkout``; on failure, its standard error ends the exception's message."""
    done = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])} … in {checkout} exited with {done.returncode}:\n{done.stderr[-4000:]}")
    return done.stdout


def calibrate(checkout: Path, simulations: int, out: Path) -> tuple[float, float, float]:
    """(wall s per simulation, wall s, simulations) of ``tools/calibrate.py`` in ``checkout`` with at most ``simulations``
    simulations in two generations of 100 particles (0: the defaults, as ``make calibrate`` runs it), into ``out``: the
    whole command (imports, cached kernels, pyabc's sampler on 2 workers, its database), in a fresh process."""
    wall = time.perf_counter()
    cmd = [sys.executable, "tools/calibrate.py", "--out", str(out)]
    if simulations:
        cmd += ["--population", "100", "--generations", "2", "--min-distance", "0", "--max-simulations", str(simulations)]
    text = _run(cmd, checkout)
    wall = time.perf_counter() - wall
    done = int(re.search(r"(\d+) simulations in", text).group(1))
    return wall / done, wall, float(done)


def year(checkout: Path, path: str = "scenarios/second_wave.toml", scale: float = 1.0) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MiB) of the year of scenario ``path`` at ``scale`` built and run in ``checkout``, in a fresh process."""
    code = YEAR.replace("{path!r}", repr(path)).replace("{scale!r}", repr(scale))
    out = _run([sys.executable, "-c", code], checkout)
    wall, cpu, peak = out.split()
    return float(wall), float(cpu), float(peak)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the older commit to compare with (any git revision)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each version (default 5)")
    parser.add_argument(
        "--scenario",
        default="scenarios/second_wave.toml",
        help="scenario run in this checkout (default: the older commit's, second_wave.toml)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="world.scale of both versions' runs (default 1: full scale)")
    parser.add_argument("--abc", type=int, default=0, metavar="RUNS", help="time RUNS calibration simulations on 2 workers instead")
    parser.add_argument(
        "--calibrate", type=int, default=0, metavar="SIMULATIONS",
        help="time tools/calibrate.py (at most SIMULATIONS simulations, two generations) instead: seconds per simulation",
    )  # fmt: skip
    parser.add_argument(
        "--make-calibrate", action="store_true",
        help="time tools/calibrate.py with its defaults, as make calibrate runs it (seconds per simulation)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be >= 1")
    if args.calibrate and args.make_calibrate:
        parser.error("--calibrate and --make-calibrate: choose one")
    calibrating = bool(args.calibrate or args.make_calibrate)  # (--calibrate 0 below: tools/calibrate.py's defaults)
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), args.commit], cwd=ROOT, check=True)
        try:
            year(old, scale=0.02)  # the old kernels compile into the worktree's cache once, untimed
            runs: dict[str, list[tuple[float, float, float]]] = {"before": [], "after": []}
            for k in range(args.runs):
                if calibrating:
                    runs["before"].append(calibrate(old, args.calibrate, Path(tmp) / f"before{k}"))
                    runs["after"].append(calibrate(ROOT, args.calibrate, Path(tmp) / f"after{k}"))
                    continue
                if args.abc:
                    runs["before"].append(abc(old, args.abc))
                    runs["after"].append(abc(ROOT, args.abc))
                    continue
                runs["before"].append(year(old, scale=args.scale))
                runs["after"].append(year(ROOT, args.scenario, args.scale))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=True)
    med = {k: tuple(statistics.median(r[i] for r in v) for i in range(3)) for k, v in runs.items()}
    if calibrating:
        for k, v in runs.items():
            each = ", ".join(f"{r[0]:.3f} s ({r[2]:.0f} in {r[1]:.0f} s)" for r in v)
            print(f"{k:6s} ({args.commit if k == 'before' else 'this checkout'}): tools/calibrate.py, s per simulation: {each}")
        a, b = med["after"], med["before"]
        print(f"tools/calibrate.py on 2 workers, seconds per simulation: after / before x{a[0] / b[0]:.2f} ({b[0] / a[0]:.1f}x as fast)")
        return 0
    for k, v in runs.items():
        walls = ", ".join(f"{r[0]:.2f}" for r in v)
        where = args.commit + ", second_wave.toml" if k == "before" else "this checkout, " + args.scenario
        print(
            f"{k:6s} ({where}, scale {args.scale}): wall median {med[k][0]:.2f} s [{walls}], CPU median {med[k][1]:.2f} s, "
            f"peak memory median {med[k][2]:.0f} MiB"
        )
    a, b = med["after"], med["before"]
    if args.abc:
        print(f"{args.abc} calibration simulations on 2 workers: after / before wall x{a[0] / b[0]:.2f} "
              f"({args.abc / a[0] * 60:.0f} against {args.abc / b[0] * 60:.0f} a minute)")  # fmt: skip
        return 0
    print(f"after / before: wall x{a[0] / b[0]:.2f}, CPU x{a[1] / b[1]:.2f}, peak memory x{a[2] / b[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
