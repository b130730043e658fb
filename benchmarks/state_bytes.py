"""Bytes of per-person state a run holds (issue #18: at most 80 per person).

Counts every numpy array with one entry per staff row held by ``StaffArrays``, the ``World`` and the
``MobilisationModel`` (``sim.world.bytes_per_person``), after building the model of a scenario.

Usage::

    .venv/bin/python benchmarks/state_bytes.py [scenario.toml] [--scale 0.03] [--run]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.model import MobilisationModel  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402
from sim.world import bytes_per_person, per_person_arrays  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "second_wave.toml"))
    ap.add_argument("--scale", type=float, default=0.03)
    ap.add_argument("--run", action="store_true", help="run the model first (counts arrays made during the run)")
    args = ap.parse_args(argv)
    model = MobilisationModel(load_scenario(args.scenario, world__scale=args.scale), seed=1)
    if args.run:
        model.run()
    world = model.world
    sizes = bytes_per_person(world.staff, world, model)
    for name, b in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{b:6.1f}  {name}")
    print(f"{sum(sizes.values()):6.1f}  total bytes per person ({len(world.staff):,} rows)")
    owners = [*model.levers, *([model.supply] if model.supply is not None else [])]
    levers = {k: v.nbytes / len(world.staff) for k, v in per_person_arrays(len(world.staff), *owners).items()}
    for name, b in sorted(levers.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{b:6.1f}  {name}")
    print(f"{sum(levers.values()):6.1f}  more bytes per person the levers and the supply keep of their own")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
