"""Where the first run after an install spends its compiling: seconds by compiled function, in a fresh numba cache.

    .venv/bin/python benchmarks/compile_times.py                                   # spring 2020, full scale
    .venv/bin/python benchmarks/compile_times.py scenarios/second_wave.toml --scale 0.1 --top 40

Runs the scenario once in this process with ``NUMBA_CACHE_DIR`` pointed at an empty temporary folder (so every kernel
compiles), listening to numba's ``numba:compile`` events. Prints each function's own compile time (nested compilations,
such as a kernel's helpers or NumPy functions numba implements, subtracted and listed under their own names) and the
time with them. Used for issue #18: an array assigned to a row compiled numba's shape-error message (about 2 s), and
``np.argsort(kind="mergesort")`` inside a kernel its merge sort (1.6 s).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "sweden_spring2020.toml"))
    parser.add_argument("--scale", type=float, default=1.0, help="world.scale (default 1: full scale)")
    parser.add_argument("--top", type=int, default=30, help="how many functions to list (default 30)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mobsim-numba-") as cache:
        os.environ["NUMBA_CACHE_DIR"] = cache  # before numba is imported: it reads the folder once
        from numba.core import event

        listener = event.RecordingListener()
        event.register("numba:compile", listener)
        sys.path.insert(0, str(ROOT))
        import sim

        started = time.perf_counter()
        sim.run(sim.load_scenario(args.scenario, **{"world.scale": args.scale}), seed=1)
        wall = time.perf_counter() - started
    own: dict[str, float] = defaultdict(float)
    total: dict[str, float] = defaultdict(float)
    stack: list[list] = []  # [name, start, seconds of nested compilations]
    outermost = 0.0
    for stamp, ev in listener.buffer:
        dispatcher = ev.data.get("dispatcher") if ev.data else None
        name = dispatcher.py_func.__qualname__ if dispatcher is not None else "?"
        if ev.is_start:
            stack.append([name, stamp, 0.0])
            continue
        name, start, nested = stack.pop()
        seconds = stamp - start
        own[name] += seconds - nested
        total[name] += seconds
        if stack:
            stack[-1][2] += seconds
        else:
            outermost += seconds
    print(f"{Path(args.scenario).name} at scale {args.scale:g}: run {wall:.1f} s, of which compiling {outermost:.1f} s")
    print(f"{'own s':>7} {'with nested':>12}  function")
    for name, seconds in sorted(own.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{seconds:7.2f} {total[name]:12.2f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
