"""Performance at national scale: the core's speed, against the Mesa reference, a full-scale year, memory, cold start, scaling.

One command, one table (issue #6)::

    .venv/bin/python benchmarks/bench_scale.py            # about 8 minutes on the 2-core machine
    .venv/bin/python benchmarks/bench_scale.py --quick    # fewer repeats, no 1M-staff row, no cold start (about 1 minute)
    make bench                                            # the same as the first line

What each row measures (``time.perf_counter``, medians over ``--repeats``; everything after the
numba kernels are compiled or loaded from the cache unless the row says "cold"):

- **core**: the compiled staff dynamics alone (``kernels.advance_staff`` and ``kernels.tally_staff``,
  as ``benchmarks/reference_mesa.py``'s ``CoreReplay`` drives them) over the full-scale staff and
  the first 61 days of the no-action scenario's recorded inputs: staff-days per second.
- **reference** and **core on the same work**: the idiomatic Mesa reference (one ``mesa.Agent`` per
  staff member with its own ``step()``) and the core on the same small world and days, in this
  process; the ratio of their times per staff-day. The reference's cost per staff-day does not
  depend on the world's size (it is Python per agent), the core's falls with size (fixed costs
  per day), so the row "core at full scale vs reference" compares per staff-day across sizes.
- **full year**: ``scenarios/second_wave.toml`` (365 days, every lever it uses) at full scale:
  build (``MobilisationModel(...)``) + ``run()``; the target is 5 s on 2 cores.
- **both waves**: ``scenarios/sweden_2020_2021.toml`` (the regions' own admissions, beds, transfers) at full
  scale, as a ratio to the year above in the same process (issue #13: within 1.2×).
- **ten years and a wave**: ``scenarios/preparedness_2030.toml`` run to 31 December 2034 (2025–2034: ten years of
  staff supply month by month, the spring 2020 wave re-dated to 2030, quiet months in steps; issue #17) at full
  scale, build + run; the target is 30 s on 2 cores.
- **peak memory**: peak resident set size (``ru_maxrss``) of a fresh process that builds and runs
  that full-scale year (interpreter, numpy, pandas, numba and Mesa included).
- **cold / warm start**: a fresh ``python -c 'import sim; sim.run(...)'`` process running Sweden
  spring 2020 at full scale (what ``mobsim run`` does), from process start to the result in memory,
  with an empty ``NUMBA_CACHE_DIR`` (cold: every kernel compiled) and again with the cache it filled
  (warm). Target: cold ≤ 60 s.
- **state** (issue #18): bytes per person over every per-person array a full-scale year's model holds (the staff
  arrays, and the model's and the world's arrays with a row per person), a same-process copy probe (one read and one
  write of each of those arrays into a buffer: one *pass* of the state) and the year's run time per day in passes of
  the state; beside it, timed inside that year, the day's compiled kernels alone (``phases.time_kernels``) and the
  staff's advance alone (``kernels.advance_staff``: one kernel that reads and writes part of the state once, with its draws),
  in passes. Targets: ≤ 80 bytes per person, ≤ 1.5 passes a day.
- **small worlds** (issue #18): ``second_wave.toml`` build + run for the whole year at about 10,000 staff (scale 0.03),
  100,000 (scale 0.3) and full scale, ns per staff-day; target: 10,000 staff ≤ 2× full scale per staff-day. Beside
  them the 10,000-staff year's time in compiled kernels alone (``phases.time_kernels``, one more run): what a small
  world's day would cost with no Python at all, against the full-scale year.
- **small worlds, two at a time** (issue #18): the 10,000-staff year as a sweep runs it, two at once on 2 worker
  processes (each on one core, as ``sim.executor`` shares the cores), ``2 × repeats`` runs: the wall time over all
  their staff-days, ns per staff-day of the machine. Beside the full-scale year (which has both cores to itself, on 2
  numba threads) it shows what a researcher's sweep of small worlds costs per staff-day; the target reads the row
  above (one world at a time), as at the issue's start.
- **ABC-sized batch** (issue #18): 100 simulations as ``make calibrate`` runs them (``sim.validation.simulate`` of
  the year scenario cut at 31 December 2020, scale 0.05, the calibration's statistics, a seed each, recording only
  what those read: ``record="staff"``) on 2 worker
  processes; simulations per minute (``--quick``: 20).
- **scaling**: ``second_wave.toml`` build+run for 122 days at 10k → 1M staff, and at full scale for
  61 → 365 days, with the time per staff-day (constant = linear). ``world.scale`` above 1 is not a
  valid scenario value (scenario files describe Sweden or a share of it); the benchmark makes the
  larger, synthetic countries by copying the validated scenario with a larger scale (every count ×
  the scale), which ``build_world`` handles like any other scale.

Timings on a shared machine vary; the ratios measured in one process are the robust numbers.
Exit code 0 unless something fails; ``--json PATH`` also writes every number.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numba

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import reference_mesa as ref  # noqa: E402
from phases import time_kernels, timed  # noqa: E402

import sim  # noqa: E402
from sim import kernels  # noqa: E402
from sim.world import per_person_arrays  # noqa: E402

YEAR = ROOT / "scenarios" / "second_wave.toml"
BOTH_WAVES = ROOT / "scenarios" / "sweden_2020_2021.toml"  # the baseline of both waves from the regions' admissions (issue #13)
SPRING = ROOT / "scenarios" / "sweden_spring2020.toml"
TEN_YEARS = ROOT / "scenarios" / "preparedness_2030.toml"  # 2025–2030 in the file; run to 2034 here (issue #17)
TEN_YEARS_END = "2034-12-31"
TEN_YEARS_TARGET_S = 30.0
YEAR_TARGET_S = 5.0
COLD_TARGET_S = 60.0
MEMORY_TARGET_MIB = 2048.0
SPEEDUP_TARGET = 100.0
STATE_TARGET_BYTES = 80.0  # issue #18
PASSES_TARGET = 1.5  # issue #18
SMALL_TARGET = 2.0  # issue #18: ns per staff-day at 10,000 staff against full scale


def scenario_at(path: Path, scale: float, n_days: int | None = None) -> sim.Scenario:
    """A validated scenario at ``scale``; above 1 a synthetic country ``scale`` times Sweden (see the module docstring)."""
    scenario = sim.load_scenario(path, **({"world.scale": min(scale, 1.0)}))
    if scale > 1.0:
        scenario = scenario.model_copy(update={"world": scenario.world.model_copy(update={"scale": scale})})
    if n_days is not None:
        end = scenario.time.start + dt.timedelta(days=n_days - 1)
        scenario = scenario.model_copy(update={"time": scenario.time.model_copy(update={"end": end})})
    return scenario


def build_and_run(scenario: sim.Scenario, seed: int = 1) -> dict[str, float]:
    t0 = time.perf_counter()
    model = sim.MobilisationModel(scenario=scenario, seed=seed)
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    quiet = int(model.quiet_days.sum())  # days the quiet path covered (multi-year runs with [quiet])
    return {
        "staff": len(model.world.staff),
        "days": model.n_days,
        "build_s": t1 - t0,
        "run_s": t2 - t1,
        "total_s": t2 - t0,
        "quiet_days": quiet,
    }


def lever_owners(model: sim.MobilisationModel) -> list[Any]:
    """The levers and the supply: they keep per-person arrays of their own beside the state."""
    return [*model.levers, *([model.supply] if model.supply is not None else [])]


def state_passes(repeats: int) -> dict[str, Any]:
    """Bytes per person of a full-scale year's model, the ms of one read-and-write pass over that state, and the year's
    run time per day in passes (measured in this process, one after the other)."""
    import numpy as np

    model = sim.MobilisationModel(scenario=scenario_at(YEAR, 1.0), seed=1)
    n = len(model.world.staff)
    held = per_person_arrays(n, model.world.staff, model.world, model)
    nbytes = sum(a.nbytes for a in held.values())
    # a pass over a lookup (sim.lookup) reads and writes its codes (its table of a few values stays in the cache)
    arrays = {k: getattr(a, "code", a) for k, a in held.items()}
    buffers = {k: np.empty_like(a) for k, a in arrays.items()}
    copies = []
    for _ in range(max(repeats, 5)):
        t0 = time.perf_counter()
        for k, a in arrays.items():
            np.copyto(buffers[k], a)
        copies.append(time.perf_counter() - t0)
    in_kernels: defaultdict[str, float] = defaultdict(float)
    restore = time_kernels(in_kernels)  # every compiled kernel (the outermost call), and the advance apart:
    advance = kernels.advance_staff  # one kernel over the state, with its draws
    kernels.advance_staff = timed(in_kernels, "advance", advance)
    t0 = time.perf_counter()
    try:
        model.run()
    finally:
        kernels.advance_staff = advance
        restore()
    per_day = (time.perf_counter() - t0) / model.n_days
    pass_s = statistics.median(copies)
    levers = per_person_arrays(n, *lever_owners(model))
    return {
        "staff": n,
        "arrays": len(arrays),
        "bytes_per_person": nbytes / n,
        "lever_bytes_per_person": sum(a.nbytes for a in levers.values()) / n,
        "pass_ms": pass_s * 1e3,
        "day_ms": per_day * 1e3,
        "passes_per_day": per_day / pass_s,
        "kernel_passes": in_kernels["kernels"] / model.n_days / pass_s,
        "advance_passes": in_kernels["advance"] / model.n_days / pass_s,
    }


def small_worlds(repeats: int) -> list[dict[str, float]]:
    """ns per staff-day of the second-wave year (build + run) at about 10,000 and 100,000 staff and at full scale."""
    return [{"scale": s, **median_of([build_and_run(scenario_at(YEAR, s)) for _ in range(repeats)])} for s in (0.03, 0.3, 1.0)]


def small_world_kernels() -> float:
    """ns per staff-day that the 10,000-staff year spends in compiled kernels (``phases.time_kernels``: every kernel of
    ``sim.kernels`` that Python calls, the outermost call only, its call from Python included), after a run that compiled
    or loaded them: what a small world's day costs in kernels with no Python around them."""
    scenario = scenario_at(YEAR, 0.03)
    build_and_run(scenario)
    model = sim.MobilisationModel(scenario=scenario, seed=1)
    totals: defaultdict[str, float] = defaultdict(float)
    restore = time_kernels(totals)
    try:
        model.run()
    finally:
        restore()
    return totals["kernels"] / (len(model.world.staff) * model.n_days) * 1e9


def _warm_small() -> None:
    """A worker's warm-up: the kernels loaded by a short small world."""
    build_and_run(scenario_at(YEAR, 0.03, 30))


def small_worlds_at_once(repeats: int, workers: int = 2) -> dict[str, float]:
    """``workers`` × ``repeats`` years of about 10,000 staff on ``workers`` processes at once: the wall time over all
    their staff-days (ns per staff-day of the machine)."""
    from sim.executor import process_pool, stop_pool

    scenario = scenario_at(YEAR, 0.03)
    pool = process_pool(workers, warm=_warm_small)
    try:
        ready: set[int] = set()  # start the workers (each warms up as it starts), and wait until all have answered
        while len(ready) < workers:
            ready |= {f.result() for f in [pool.submit(os.getpid) for _ in range(workers)]}
            time.sleep(0.05)
        t0 = time.perf_counter()
        runs = list(pool.map(build_and_run, [scenario] * (workers * repeats), range(1, workers * repeats + 1)))
        wall = time.perf_counter() - t0
    finally:
        stop_pool(pool)
    staff_days = sum(r["staff"] * r["days"] for r in runs)
    return {"runs": len(runs), "workers": workers, "wall_s": wall, "ns_per_staff_day": wall / staff_days * 1e9}


def abc_batch(n_runs: int, workers: int = 2) -> dict[str, float]:
    """``n_runs`` simulations as the calibration runs them, on ``workers`` processes: simulations per minute."""
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from sim.validation import PATTERNS, load_runs_scenarios
    from sim.validation import simulate as simulate_all

    scenario = load_runs_scenarios(scale=0.05)["year"]
    keys = [p.key for p in PATTERNS if p.role == "calibration"]
    simulate = partial(simulate_all, record="staff")  # recording what the statistics read, as tools/calibrate.py does
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(simulate, [scenario] * workers, range(workers), [keys] * workers))  # warm the workers' kernels
        t0 = time.perf_counter()
        list(pool.map(simulate, [scenario] * n_runs, range(100, 100 + n_runs), [keys] * n_runs))
        wall = time.perf_counter() - t0
    return {"runs": n_runs, "workers": workers, "wall_s": wall, "per_minute": n_runs / wall * 60.0}


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def time_core(setting: ref.Setting, n_days: int, repeats: int) -> float:
    """Median seconds of ``n_days`` of the core on the setting (compiled beforehand)."""
    times = []
    for r in range(repeats):
        replay = ref.CoreReplay(setting, seed=r)
        t0 = time.perf_counter()
        for _ in range(n_days):
            replay.step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_reference(setting: ref.Setting, n_days: int) -> float:
    model = ref.ReferenceModel(setting, seed=0)
    t0 = time.perf_counter()
    for _ in range(n_days):
        model.step()
    return time.perf_counter() - t0


def fresh_process(code: str, env: dict[str, str]) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; wall time from start to exit and the JSON it prints last."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=str(ROOT))
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"subprocess failed:\n{out.stderr}")
    return {"wall_s": wall, **json.loads(out.stdout.strip().splitlines()[-1])}


FIRST_RESULT = """
import json, resource, time
t0 = time.perf_counter()
import sim
result = sim.run({path!r}, seed=1)
print(json.dumps({{"in_process_s": time.perf_counter() - t0, "rows": len(result.daily.staff),
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def cold_and_warm(path: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cold = fresh_process(FIRST_RESULT.format(path=str(path)), env)
        warm = fresh_process(FIRST_RESULT.format(path=str(path)), env)
    return {"cold": cold, "warm": warm}


def year_memory() -> dict[str, Any]:
    # VmHWM (Linux) is the peak of this process's own memory; ru_maxrss survives exec, so a child started by a
    # large parent reports the parent's peak at the fork (it read 1,099 MiB here on 2026-12-02 for a 458 MiB run)
    code = (
        "import json, resource, sim\n"
        f"sim.run({str(YEAR)!r}, seed=1)\n"
        "try:\n"
        "    hwm = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "except (OSError, StopIteration):\n"
        "    hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'peak_rss_mib': hwm / 1024}))\n"
    )
    return fresh_process(code, dict(os.environ))


def machine() -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "when": dt.datetime.now().isoformat(timespec="minutes"),
        "nproc": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "load_average_1min_at_start": round(load[0], 2),
        "python": platform.python_version(),
        "numba": numba.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats of the full-scale year (default 3)")
    parser.add_argument("--quick", action="store_true", help="1 repeat, scaling up to full scale only, no cold start")
    parser.add_argument("--json", type=Path, default=None, help="also write every number to this JSON file")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    repeats = 1 if args.quick else args.repeats
    res: dict[str, Any] = {"machine": machine()}
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731

    say("warm-up: compile or load the kernels ...")
    sim.run(SPRING, seed=1, world__scale=0.01)

    # 1-2. the core alone, and against the Mesa reference on the same work
    say("recording the inputs of the core (no-action scenario, full scale, 61 days) ...")
    core_days = 61
    full_setting = ref.record_setting(ref.DOCKING_SCENARIO, seed=0, n_days=core_days)
    small_setting = ref.record_setting(ref.DOCKING_SCENARIO, seed=0, n_days=core_days, world__scale=0.01)
    ref.run_core(small_setting, 0, 2)
    core_full_s = time_core(full_setting, core_days, repeats)
    core_small_s = time_core(small_setting, core_days, max(repeats, 3))
    say("the Mesa reference on the small world ...")
    reference_s = time_reference(small_setting, core_days)
    full_sd, small_sd = full_setting.n_staff * core_days, small_setting.n_staff * core_days
    res["core"] = {"staff": full_setting.n_staff, "days": core_days, "seconds": core_full_s, "staff_days_per_s": full_sd / core_full_s}
    res["same_work"] = {
        "staff": small_setting.n_staff,
        "days": core_days,
        "reference_s": reference_s,
        "core_s": core_small_s,
        "ratio": reference_s / core_small_s,
        "ratio_core_full_scale_per_staff_day": (reference_s / small_sd) / (core_full_s / full_sd),
    }

    # 3. the full-scale year
    say(f"full-scale year x{repeats} ...")
    year = scenario_at(YEAR, 1.0)
    runs = [build_and_run(year) for _ in range(repeats)]
    res["year"] = {**median_of(runs), "min_total_s": min(r["total_s"] for r in runs)}
    say(f"full-scale year of both waves from the data x{repeats} ...")
    both = [build_and_run(scenario_at(BOTH_WAVES, 1.0)) for _ in range(repeats)]
    res["both_waves"] = {**median_of(both), "min_total_s": min(r["total_s"] for r in both)}
    say(f"ten years of supply and one wave, full scale x{repeats} ...")
    decade = [build_and_run(sim.load_scenario(TEN_YEARS, **{"time.end": TEN_YEARS_END})) for _ in range(repeats)]
    res["ten_years"] = {**median_of(decade), "min_total_s": min(r["total_s"] for r in decade)}

    # 4. memory of a run on its own
    say("peak memory of a full-scale year in a fresh process ...")
    res["memory"] = year_memory()

    # 5. cold and warm start
    if not args.quick:
        say("cold start (empty numba cache) and warm start, fresh processes ...")
        res["start"] = cold_and_warm(SPRING)

    # 6. the state, small worlds and an ABC-sized batch (issue #18)
    say("the state: bytes per person, passes a day ...")
    res["state"] = state_passes(repeats)
    say("small worlds: a year at 10k, 100k and full scale ...")
    res["small_worlds"] = small_worlds(repeats)
    res["small_world_kernels_ns"] = small_world_kernels()
    say("small worlds two at a time on 2 workers ...")
    res["small_at_once"] = small_worlds_at_once(repeats)
    say("an ABC-sized batch on 2 workers ...")
    res["abc_batch"] = abc_batch(20 if args.quick else 100)

    # 7. scaling with staff and with days
    say("scaling ...")
    scales = [0.03, 0.1, 0.3, 1.0] + ([] if args.quick else [3.0])
    res["by_staff"] = [median_of([build_and_run(scenario_at(YEAR, s, 122)) for _ in range(1 if s >= 3 else repeats)]) for s in scales]
    res["by_days"] = [median_of([build_and_run(scenario_at(YEAR, 1.0, d)) for _ in range(repeats)]) for d in (61, 122, 244, 365)]

    report(res)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


def report(res: dict[str, Any]) -> None:
    m = res["machine"]
    print(f"machine: {m['nproc']} cores, {m['numba_threads']} numba threads, load average {m['load_average_1min_at_start']} at start, "
          f"Python {m['python']}, numba {m['numba']}, {m['when']}")  # fmt: skip
    core, same, year, mem = res["core"], res["same_work"], res["year"], res["memory"]
    rows = [
        ("core (advance_staff + tally)", f"{core['staff']:,} staff x {core['days']} days", f"{core['seconds']:.3f} s",
         f"{core['staff_days_per_s'] / 1e6:.1f} M staff-days/s", ""),
        ("Mesa reference, same world", f"{same['staff']:,} staff x {same['days']} days", f"{same['reference_s']:.2f} s",
         f"{same['staff'] * same['days'] / same['reference_s'] / 1e3:.0f} k staff-days/s", ""),
        ("core, same world", f"{same['staff']:,} staff x {same['days']} days", f"{same['core_s']:.4f} s",
         f"x{same['ratio']:.0f} the reference", ""),
        ("core at full scale vs reference", "per staff-day", "", f"x{same['ratio_core_full_scale_per_staff_day']:.0f} the reference",
         f">= x{SPEEDUP_TARGET:.0f}: {'PASS' if same['ratio_core_full_scale_per_staff_day'] >= SPEEDUP_TARGET else 'FAIL'}"),
        ("full Sweden, a year (build + run)", f"{year['staff']:,.0f} staff x {year['days']:.0f} days",
         f"{year['total_s']:.2f} s (min {year['min_total_s']:.2f})", f"build {year['build_s']:.2f} s + run {year['run_s']:.2f} s",
         f"<= {YEAR_TARGET_S:.0f} s: {'PASS' if year['total_s'] <= YEAR_TARGET_S else 'FAIL'}"),
        ("both waves from the data (build + run)", f"{res['both_waves']['staff']:,.0f} staff x {res['both_waves']['days']:.0f} days",
         f"{res['both_waves']['total_s']:.2f} s (min {res['both_waves']['min_total_s']:.2f})",
         f"x{res['both_waves']['total_s'] / year['total_s']:.2f} the year above", "<= x1.2 of the year (issue #13)"),
        ("ten years of supply + a wave", f"{res['ten_years']['staff']:,.0f} rows x {res['ten_years']['days']:.0f} days",
         f"{res['ten_years']['total_s']:.2f} s (min {res['ten_years']['min_total_s']:.2f})",
         f"{res['ten_years']['quiet_days']:,.0f} days in quiet steps",
         f"<= {TEN_YEARS_TARGET_S:.0f} s: {'PASS' if res['ten_years']['total_s'] <= TEN_YEARS_TARGET_S else 'FAIL'}"),
        ("peak memory, full-scale year", "fresh process", f"{mem['peak_rss_mib']:.0f} MiB", "",
         f"<= 2 GiB: {'PASS' if mem['peak_rss_mib'] <= MEMORY_TARGET_MIB else 'FAIL'}"),
    ]  # fmt: skip
    if "start" in res:
        cold, warm = res["start"]["cold"], res["start"]["warm"]
        rows += [
            ("cold start: spring, full scale", "empty numba cache", f"{cold['wall_s']:.1f} s", "process start to result",
             f"<= {COLD_TARGET_S:.0f} s: {'PASS' if cold['wall_s'] <= COLD_TARGET_S else 'FAIL'}"),
            ("warm start: spring, full scale", "numba cache filled", f"{warm['wall_s']:.1f} s", "process start to result", ""),
        ]  # fmt: skip
    if "state" in res:
        st, small, abc = res["state"], res["small_worlds"], res["abc_batch"]
        ns = [w["total_s"] / (w["staff"] * w["days"]) * 1e9 for w in small]
        rows += [
            ("state per person", f"{st['arrays']} arrays", f"{st['bytes_per_person']:.0f} bytes",
             f"{st['staff'] * st['bytes_per_person'] / 2**20:.0f} MiB at full scale; levers' own +{st['lever_bytes_per_person']:.0f}",
             f"<= {STATE_TARGET_BYTES:.0f}: {'PASS' if st['bytes_per_person'] <= STATE_TARGET_BYTES else 'FAIL'}"),
            ("passes of the state a day", f"pass {st['pass_ms']:.2f} ms", f"{st['passes_per_day']:.1f} passes",
             f"a day {st['day_ms']:.1f} ms (full-scale year); its kernels alone {st['kernel_passes']:.1f}, the advance {st['advance_passes']:.1f}",
             f"<= {PASSES_TARGET:.1f}: {'PASS' if st['passes_per_day'] <= PASSES_TARGET else 'FAIL'}"),
            ("small worlds, a year (build + run)", " / ".join(f"{w['staff']:,.0f}" for w in small) + " staff",
             " / ".join(f"{v:.0f}" for v in ns) + " ns",
             f"per staff-day; 10k's compiled kernels alone {res['small_world_kernels_ns']:.0f} ns, x{res['small_world_kernels_ns'] / ns[-1]:.1f} full",
             f"10k <= x{SMALL_TARGET:.0f} full: x{ns[0] / ns[-1]:.1f} {'PASS' if ns[0] / ns[-1] <= SMALL_TARGET else 'FAIL'}"),
            ("small worlds, two at a time", f"{res['small_at_once']['runs']} years of {small[0]['staff']:,.0f} staff, "
             f"{res['small_at_once']['workers']} workers", f"{res['small_at_once']['ns_per_staff_day']:.0f} ns",
             "per staff-day of the machine (a sweep's cost)",
             f"x{res['small_at_once']['ns_per_staff_day'] / ns[-1]:.1f} full scale (informative: the target reads the row above)"),
            ("ABC-sized batch (scale 0.05, year 2020)", f"{abc['runs']} runs, {abc['workers']} workers", f"{abc['wall_s']:.0f} s",
             f"{abc['per_minute']:.0f} runs a minute", ""),
        ]  # fmt: skip
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print()
    print("scaling (second_wave.toml, build + run):")
    print(f"{'staff':>11} {'days':>5} {'build s':>8} {'run s':>7} {'total s':>8} {'ns per staff-day':>17}")
    base = res["by_staff"][-1] if res["by_staff"] else None
    for r in res["by_staff"] + res["by_days"]:
        ns = r["total_s"] / (r["staff"] * r["days"]) * 1e9
        print(f"{r['staff']:>11,.0f} {r['days']:>5.0f} {r['build_s']:>8.2f} {r['run_s']:>7.2f} {r['total_s']:>8.2f} {ns:>17.1f}")
    if base is not None:
        per = [r["total_s"] / (r["staff"] * r["days"]) for r in res["by_staff"]]
        print(f"time per staff-day, largest / full-scale world: x{per[-1] / per[min(3, len(per) - 1)]:.2f} (1.00 = linear)")


if __name__ == "__main__":
    sys.exit(main())
