"""Bit-identical check of result frames: hashes of every frame of a few reference runs.

Performance work must not change results. ``--save FILE`` runs the reference cases and writes a
hash of every result frame (``daily.*``, ``events.*``, ``summary``) to a JSON file; ``--check FILE``
runs them again and compares, frame by frame, printing which frames differ (exit code 1 if any).

A frame's hash covers its column names, dtypes and every value (``pandas.util.hash_pandas_object``
over the rows, with the index, and the bytes of every float column, since pandas hashes −0.0 and 0.0 alike), so a
change in the last bit of a float, or in the sign of a zero, is a difference. The summary
leaves out nothing: it has no wall-clock or version fields.

Hashes hold bit for bit only within one environment (package versions and the CPU that numba compiles for change
floating-point sums):
``--save`` records the environment beside them, and ``--check`` says when it differs. After a
change of environment, save the hashes of the older commit in the new one and check against them.

Usage::

    .venv/bin/python benchmarks/check_identical.py --save benchmarks/reference_hashes.json
    .venv/bin/python benchmarks/check_identical.py --check benchmarks/reference_hashes.json
    .venv/bin/python benchmarks/check_identical.py --check benchmarks/reference_hashes.json --quick   # small cases only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402

#: (case name, scenario file, scale, seed, quick): the reference runs.
CASES = (
    ("spring_0.1", "scenarios/sweden_spring2020.toml", 0.1, 1, True),
    ("second_wave_0.1", "scenarios/second_wave.toml", 0.1, 2, True),
    ("national_pool_large_0.1", "scenarios/strategies/national_pool_large.toml", 0.1, 3, True),
    ("second_wave_recovery_0.05", "scenarios/second_wave_recovery.toml", 0.05, 4, True),
    ("no_action_0.05", "scenarios/no_action.toml", 0.05, 5, True),
    ("nursing_homes_stable_teams_0.05", "scenarios/strategies/nursing_homes_stable_teams.toml", 0.05, 6, True),
    ("sweden_2020_2021_0.1", "scenarios/sweden_2020_2021.toml", 0.1, 7, True),  # both waves, beds, transfers (issue #13)
    ("spring_1.0", "scenarios/sweden_spring2020.toml", 1.0, 1, False),
    ("second_wave_1.0", "scenarios/second_wave.toml", 1.0, 1, False),
)


def frame_hash(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's columns, dtypes and values (bit for bit)."""
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode())
    h.update(np.asarray(pd.util.hash_pandas_object(frame, index=True), dtype=np.uint64).tobytes())
    for name, dtype in frame.dtypes.items():  # pandas hashes −0.0 as 0.0: the float columns' bytes see the sign of a zero
        if dtype.kind == "f":
            h.update(np.ascontiguousarray(frame[name].to_numpy()).tobytes())
    return h.hexdigest()


def result_hashes(result: sim.Result) -> dict[str, str]:
    """Hash of every frame of a run's result."""
    out = {f"daily.{name}": frame_hash(frame) for name, frame in result.daily.items()}
    if result.events is not None:  # every lever's events (loans, pool, transfers, loan changes, cooperation moves)
        out.update({f"events.{name}": frame_hash(frame) for name, frame in result.events.frames().items()})
    if result.supply is not None:
        out["supply"] = frame_hash(result.supply)
    out["summary"] = frame_hash(result.summary)
    return out


def run_cases(quick: bool) -> dict[str, dict[str, str]]:
    """Run the reference cases and hash their results."""
    out = {}
    for name, path, scale, seed, is_quick in CASES:
        if quick and not is_quick:
            continue
        t0 = time.perf_counter()
        result = sim.run(ROOT / path, seed=seed, world__scale=scale)
        out[name] = result_hashes(result)
        print(f"{name:34s} {time.perf_counter() - t0:6.2f} s", flush=True)
    return out


#: Packages whose versions change floating-point results (SIMD sums, LLVM); saved with the hashes.
ENVIRONMENT_PACKAGES = ("numpy", "numba", "llvmlite", "pandas", "pyarrow")


def environment() -> dict[str, str]:
    """Python, the machine and the versions of ``ENVIRONMENT_PACKAGES``: hashes hold bit for bit only within one environment."""
    import platform
    from importlib import metadata

    from llvmlite import binding

    # the CPU LLVM compiles for: the same packages on another CPU give other bits (an AMD EPYC host, issue #18)
    cpu = binding.get_host_cpu_name()
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": cpu,
        **{p: metadata.version(p) for p in ENVIRONMENT_PACKAGES},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", type=Path, help="run the cases and write their hashes to this JSON file")
    group.add_argument("--check", type=Path, help="run the cases and compare with the hashes in this JSON file")
    parser.add_argument("--quick", action="store_true", help="only the small cases (no full-scale run)")
    args = parser.parse_args(argv)
    if args.check is not None and not args.check.is_file():
        print(f"check_identical: error: {args.check}: no such file (expected hashes written by --save)", file=sys.stderr)
        return 2
    hashes = run_cases(args.quick)
    if args.save is not None:
        args.save.write_text(json.dumps({**hashes, "_environment": environment()}, indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.save}")
        return 0
    expected = json.loads(args.check.read_text())
    differ = []
    for case, frames in hashes.items():
        if case not in expected:
            print(f"{case}: not in {args.check}")
            differ.append(case)
            continue
        for frame, digest in frames.items():
            if expected[case].get(frame) != digest:
                differ.append(f"{case}/{frame}")
    if differ:
        print("DIFFERENT: " + ", ".join(differ))
        saved, now = expected.get("_environment"), environment()
        if saved != now:
            changed = sorted(k for k in now if (saved or {}).get(k) != now[k])
            print(
                f"note: the hashes were saved in another environment ({', '.join(changed)} differ: {saved} against {now}); "
                "compare two commits in this one instead (--save with the older commit, --check with the newer)"
            )
        return 1
    print(f"identical: {sum(len(f) for f in hashes.values())} frames of {len(hashes)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
