"""Benchmark of the mobsim core: full-scale build and run time, scaling and peak memory.

Measures, in one process and with ``time.perf_counter``:

1. a warm-up run at ``world__scale=0.01`` (numba compiles the kernels or loads
   them from its ``cache=True`` cache; reported as "first run incl. compile/cache load");
2. a reference at ``world__scale=0.1``: build (``MobilisationModel(...)``) and
   ``run()`` timed separately, ``--repeats`` times;
3. full scale (``world__scale=1.0``, every staff member a row of the staff
   arrays), timed the same way, ``--repeats`` times;
4. when numba has more than one thread, the full-scale runs again with
   ``numba.set_num_threads(1)`` as a same-process reference for the parallel
   staff kernel (``prange``);
5. peak resident memory (``ru_maxrss``) after the full-scale runs.

Speed is reported as medians and minima, as staff-days per second of the run
phase and as ratios against the reference runs made in the same process. It is
a measurement, not a test: the exit code is 0 unless an exception occurs.

Usage::

    .venv/bin/python benchmarks/bench_core.py [--repeats N] [--json PATH] [--scenario PATH]
    make bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np
from rich.console import Console
from rich.table import Table

import sim
from sim import kernels

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = ROOT / "scenarios" / "sweden_spring2020.toml"
TARGET_SECONDS = 10.0
WARMUP_SCALE = 0.01
REFERENCE_SCALE = 0.1
FULL_SCALE = 1.0


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, in MiB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or the platform's processor string."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib() -> float | None:
    """Total memory of the machine in GiB from /proc/meminfo."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024.0**2
    except OSError:
        pass
    return None


def numba_cache_counts() -> tuple[int, int]:
    """Total cache hits and misses of the compiled kernels (misses mean a fresh compile)."""
    hits = misses = 0
    for obj in vars(kernels).values():
        for dispatcher in obj.dispatchers if isinstance(obj, kernels.Threaded) else (obj,):  # threaded and serial twins
            stats = getattr(dispatcher, "stats", None)
            if hasattr(dispatcher, "py_func") and stats is not None:
                hits += sum(stats.cache_hits.values())
                misses += sum(stats.cache_misses.values())
    return hits, misses


def timed_run(scenario_path: Path, scale: float, seed: int) -> dict[str, Any]:
    """Build and run one model; time the two phases separately."""
    sc = sim.load_scenario(scenario_path, world__scale=scale)
    t0 = time.perf_counter()
    model = sim.MobilisationModel(scenario=sc, seed=seed)
    t1 = time.perf_counter()
    result = model.run()
    t2 = time.perf_counter()
    out = {
        "scale": scale,
        "staff": len(model.world.staff),
        "days": int(model.n_days),
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "total_s": t2 - t0,
        "staff_agents_materialised": int(model.staff.materialised),
        "summary_rows": len(result.summary),
    }
    del model, result
    gc.collect()
    return out


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and min of the timed phases, and run-phase throughput."""
    staff, days = runs[0]["staff"], runs[0]["days"]
    out: dict[str, Any] = {"scale": runs[0]["scale"], "staff": staff, "days": days, "repeats": len(runs)}
    for key in ("build_s", "run_s", "total_s"):
        values = [r[key] for r in runs]
        out[key] = {"median": statistics.median(values), "min": min(values), "all": values}
    out["staff_days_per_s"] = staff * days / out["run_s"]["median"]
    out["run_ns_per_staff_day"] = 1e9 * out["run_s"]["median"] / (staff * days)
    out["total_ns_per_staff_day"] = 1e9 * out["total_s"]["median"] / (staff * days)
    out["staff_agents_materialised"] = max(r["staff_agents_materialised"] for r in runs)
    return out


def repeat(scenario_path: Path, scale: float, seed: int, repeats: int) -> dict[str, Any]:
    return summarise([timed_run(scenario_path, scale, seed) for _ in range(repeats)])


def machine_info() -> dict[str, Any]:
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "mem_total_gib": mem_total_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numba": numba.__version__,
        "numpy": np.__version__,
        "NUMBA_NUM_THREADS": numba.config.NUMBA_NUM_THREADS,
        "NUMBA_NUM_THREADS_env": os.environ.get("NUMBA_NUM_THREADS"),
    }


def fmt_s(d: dict[str, float]) -> str:
    return f"{d['median']:.3f} (min {d['min']:.3f})"


def report(res: dict[str, Any], console: Console) -> None:
    m, w, ref, full, thr = res["machine"], res["warmup"], res["reference"], res["full"], res.get("one_thread")
    console.print(
        f"[bold]mobsim core benchmark[/bold]  {m['date']}\n"
        f"machine: nproc={m['nproc']}, CPU {m['cpu_model']}, RAM {m['mem_total_gib']:.1f} GiB, {m['platform']}\n"
        f"python {m['python']}, numba {m['numba']}, numpy {m['numpy']}, NUMBA_NUM_THREADS={m['NUMBA_NUM_THREADS']}"
        f" (threading layer {res['threading_layer']})\n"
        f"scenario {res['scenario']}, seed {res['seed']}, repeats {res['repeats']}\n"
        f"first run incl. compile/cache load (scale {w['scale']}, {w['staff']} staff): {w['total_s']:.3f} s"
        f" (numba cache hits {w['cache_hits']}, misses {w['cache_misses']})"
    )
    table = Table(title="Build and run, median (min) over repeats, seconds")
    for col in ("case", "staff", "days", "build s", "run s", "build+run s", "staff-days/s (run)", "ns/staff-day (run)"):
        table.add_column(col, justify="left" if col == "case" else "right")
    rows = [(f"scale {ref['scale']}", ref), (f"scale {full['scale']}", full)]
    if thr is not None:
        rows.append((f"scale {thr['scale']}, 1 numba thread", thr))
    for name, r in rows:
        table.add_row(
            name, f"{r['staff']:,}", str(r["days"]), fmt_s(r["build_s"]), fmt_s(r["run_s"]), fmt_s(r["total_s"]),
            f"{r['staff_days_per_s'] / 1e6:.1f} M", f"{r['run_ns_per_staff_day']:.1f}",
        )  # fmt: skip
    console.print(table)
    verdict = "PASS" if res["target_pass"] else "FAIL"
    lines = [
        f"target: full-scale build+run < {TARGET_SECONDS:.0f} s (median {full['total_s']['median']:.3f} s): {verdict}",
        f"peak RSS after full-scale runs: {res['peak_rss_mib']:.0f} MiB (after warm-up: {res['rss_after_warmup_mib']:.0f} MiB)",
        f"scaling full/{ref['scale']}: staff x{res['ratios']['staff']:.2f}, build x{res['ratios']['build']:.2f},"
        f" run x{res['ratios']['run']:.2f}, build+run x{res['ratios']['total']:.2f}",
        f"per-staff-day cost full vs {ref['scale']}: run x{res['ratios']['run_per_staff_day']:.2f},"
        f" build+run x{res['ratios']['total_per_staff_day']:.2f} (1.00 = linear)",
    ]
    if thr is not None:
        lines.append(
            f"threads: full-scale run, 1 thread / {m['NUMBA_NUM_THREADS']} threads = x{res['ratios']['run_1thread_vs_n']:.2f}"
            f" (build+run x{res['ratios']['total_1thread_vs_n']:.2f})"
        )
    lines.append(f"Mesa Staff agents materialised during the runs: {full['staff_agents_materialised']} (created lazily on access)")
    for line in lines:
        console.print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats per case (default 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO, help="scenario TOML (default Sweden spring 2020)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    console = Console()
    if not console.is_terminal:
        console = Console(width=150)  # keep the table on one line per row when piped to a file

    res: dict[str, Any] = {"machine": machine_info(), "scenario": str(args.scenario), "seed": args.seed, "repeats": args.repeats}
    console.print("warm-up (compile or cache load) ...")
    warm = timed_run(args.scenario, WARMUP_SCALE, args.seed)
    hits, misses = numba_cache_counts()
    res["warmup"] = {**warm, "cache_hits": hits, "cache_misses": misses}
    res["rss_after_warmup_mib"] = peak_rss_mib()
    res["threading_layer"] = numba.threading_layer()

    console.print(f"reference, scale {REFERENCE_SCALE} x{args.repeats} ...")
    ref = repeat(args.scenario, REFERENCE_SCALE, args.seed, args.repeats)
    console.print(f"full scale x{args.repeats} ...")
    full = repeat(args.scenario, FULL_SCALE, args.seed, args.repeats)
    res["peak_rss_mib"] = peak_rss_mib()
    res["reference"], res["full"] = ref, full
    res["target_pass"] = full["total_s"]["median"] < TARGET_SECONDS

    n_threads = numba.get_num_threads()
    thr = None
    if n_threads > 1:
        console.print(f"full scale with 1 numba thread x{args.repeats} ...")
        numba.set_num_threads(1)
        try:
            thr = repeat(args.scenario, FULL_SCALE, args.seed, args.repeats)
        finally:
            numba.set_num_threads(n_threads)
        res["one_thread"] = thr

    med = {k: (full[k]["median"], ref[k]["median"]) for k in ("build_s", "run_s", "total_s")}
    res["ratios"] = {
        "staff": full["staff"] / ref["staff"],
        "build": med["build_s"][0] / med["build_s"][1],
        "run": med["run_s"][0] / med["run_s"][1],
        "total": med["total_s"][0] / med["total_s"][1],
        "run_per_staff_day": full["run_ns_per_staff_day"] / ref["run_ns_per_staff_day"],
        "total_per_staff_day": full["total_ns_per_staff_day"] / ref["total_ns_per_staff_day"],
    }
    if thr is not None:
        res["ratios"]["run_1thread_vs_n"] = thr["run_s"]["median"] / full["run_s"]["median"]
        res["ratios"]["total_1thread_vs_n"] = thr["total_s"]["median"] / full["total_s"]["median"]

    console.print()
    report(res, console)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2) + "\n")
        console.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
