"""Calibrate the uncertain staff parameters to Sweden 2020 by ABC-SMC (pyabc).

Fits the sick-leave hazards (community infection, exhaustion), the infection risk at
work (COVID wards and ICUs, nursing homes), the fatigue rise and the fatigue-driven
leaving hazard to the patterns of ``sim.validation`` whose role is ``calibration``:
the 2020 sick-leave shares of region and municipal staff, the spring peak of sick
leave, Stockholm's crisis date and the absence of a rise in leaving. Every simulation
is the year scenario (``scenarios/sweden_2020_2021.toml`` cut at 31 December 2020; ``second_wave.toml`` before issue #13) at a
reduced ``world.scale`` with a fresh seed. The distance is the root of the mean squared
deviation from each observed figure in units of half its tolerance band (a one-sided
band, such as "below 0.5 % left", counts only the excess above its lower end).

Writes ``results/calibration/`` (git-ignored): ``abc.db`` (pyabc's history; with another ``--out`` a fit replaces only
a database a fit created, which ``.abc.db.mobsim`` beside it names, and refuses any other file of that name),
``posterior.csv`` (the last population, weighted) and ``summary.csv``, and the small
committed summary ``docs/calibration.csv`` (per parameter: prior, the baseline's value when the fit started,
posterior median and 90 % interval); with another ``--out`` only there, unless ``--summary`` names a file. Nothing is written to the scenario files: copy the
medians into ``scenarios/sweden_spring2020.toml`` with the command and date.

Run: ``make calibrate`` (installs the ``calibration`` extra), or
``.venv/bin/python tools/calibrate.py --scale 0.05 --population 100 --max-simulations 800 --workers 2``.
Runs are random (fresh seeds in the worker processes), so two calibrations differ within
the posterior's spread.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.sweep import scenario_value  # noqa: E402
from sim.validation import BY_KEY, PATTERNS, Pattern, load_runs_scenarios, simulate  # noqa: E402

#: The fitted parameters: dotted scenario key -> (lower, upper) of a uniform prior.
#: ``infection.work_rate.icu`` follows the COVID ward's rate at ``ICU_WORK_RATE_RATIO``.
PRIORS: dict[str, tuple[float, float]] = {
    "infection.community_rate": (0.05, 0.6),
    "infection.work_rate.covid_ward": (0.0, 0.05),
    "nursing_homes.staff_exposure_rate": (0.0, 0.3),
    "absence.exhaustion_rate": (0.0, 0.01),
    "fatigue.rise": (0.03, 0.3),
    "absence.leave_fatigue_rate": (0.0, 0.002),
}
ICU_WORK_RATE_RATIO = 0.5  # assumption kept from the baseline: ICU 0.005 against COVID ward 0.01 (better protective equipment)
#: The calibration patterns a year run computes (those of the spring run too: it starts on the same day). The supply's
#: stock patterns (``run = "stock_flow"``, issue #17) calibrate the supply's own parameters: a year run cannot compute
#: them (NaN, which counted as a deviation of 10 each, put a floor of 5.0 under every distance, so that
#: ``--min-distance`` could never stop the fit; the ranking of particles, and so the posterior, was not affected).
TARGETS = tuple(p for p in PATTERNS if p.role == "calibration" and p.run in ("spring", "year"))
OUT = ROOT / "results" / "calibration"
SUMMARY = ROOT / "docs" / "calibration.csv"


def _name(key: str) -> str:
    return key.replace(".", "__")


def overrides(parameters: dict[str, float]) -> dict[str, float]:
    """Scenario overrides (``section__key``) for one parameter set of the ABC."""
    values = {key: float(parameters[_name(key)]) for key in PRIORS}
    values["infection.work_rate.icu"] = ICU_WORK_RATE_RATIO * values["infection.work_rate.covid_ward"]
    return {_name(k): v for k, v in values.items()}


def deviation(pattern: Pattern, value: float) -> float:
    """Deviation of a simulated figure from the observed one in units of half the tolerance band (one-sided bands: the excess)."""
    if not math.isfinite(value):
        return 10.0
    if pattern.observed == pattern.low:  # a bound: only the excess above it counts
        return max(0.0, value - pattern.low) / (pattern.high - pattern.low)
    return (value - pattern.observed) / ((pattern.high - pattern.low) / 2.0)


def distance(simulated: dict[str, float], observed: dict[str, float]) -> float:
    """Root mean squared deviation over the calibration targets."""
    return math.sqrt(sum(deviation(BY_KEY[k], simulated[k]) ** 2 for k in observed) / len(observed))


def make_model(scale: float):
    """The pyabc model: parameters -> the targets' statistics of one year run with a fresh seed."""
    base = load_runs_scenarios(scale=scale)["year"]

    def model(parameters: dict[str, float]) -> dict[str, float]:
        scenario = base.with_overrides(**overrides(parameters))
        seed = int(np.random.default_rng().integers(0, 2**31))
        return simulate(scenario, seed, [p.key for p in TARGETS], record="staff")  # what the targets read, no more

    return model


#: Days of the year a worker simulates before its first task (``warm_worker``): enough for the kernels of the escalated
#: spring to be loaded from numba's cache (0.65 s; the first simulation then takes as long as the others)
WARM_DAYS = 40


def warm_worker(scale: float) -> None:
    """Load what a worker process needs before its first simulation, while the parent still imports pyabc and sets up
    the fit: pyabc (its tasks are pyabc's code), and the model's compiled kernels (``WARM_DAYS`` days of the year). Run
    once in each worker as it starts (``sim.executor.process_pool``'s ``warm``)."""
    import pyabc  # noqa: F401

    from sim.model import MobilisationModel

    year = load_runs_scenarios(scale=scale)["year"]
    days = year.with_overrides(time__end=(year.time.start + dt.timedelta(days=WARM_DAYS - 1)).isoformat())
    MobilisationModel(days, seed=0, record="staff").run()  # to its end: a finished model is freed (Mesa 3.3 kept it)


#: Beside ``abc.db``: the device and inode of the database a fit created, so that a later fit replaces that file and no
#: other (a file put there since has another inode)
DATABASE_MARK = ".abc.db.mobsim"


def _identity(path: Path) -> str:
    stat = path.lstat()
    return f"{stat.st_dev} {stat.st_ino}"


def is_default(out: Path) -> bool:
    """Whether ``out`` is the default folder ``results/calibration/`` (given as any path to it)."""
    return out.resolve() == OUT.resolve()


def database_problem(out: Path) -> str | None:
    """Why ``out`` cannot take a fit's ``abc.db`` (None: it can). A fit replaces only a database a fit created (the mark
    beside it names that file) or any ``abc.db`` of the default folder (``results/calibration/``, this tool's own)."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is not a folder"
    db = out / "abc.db"
    if db.is_dir() and not db.is_symlink():
        return f"{db} is a folder; choose another --out, or move it"
    if not (db.exists() or db.is_symlink()) or is_default(out):
        return None
    try:
        ours = (out / DATABASE_MARK).read_text(encoding="utf-8").strip() == _identity(db)
    except OSError:
        ours = False
    if not ours:
        return f"{db} exists and is not a database a fit of tools/calibrate.py created; choose another --out, or move the file"
    return None


def fresh_database(out: Path) -> Path:
    """``out/abc.db`` for a new fit (``database_problem`` first): an earlier fit's database and its mark removed."""
    out.mkdir(parents=True, exist_ok=True)
    db = out / "abc.db"
    db.unlink(missing_ok=True)
    (out / DATABASE_MARK).unlink(missing_ok=True)
    return db


def mark_database(db: Path) -> None:
    """Note beside ``db``, just created by pyabc, that a fit created it (``DATABASE_MARK``)."""
    (db.parent / DATABASE_MARK).write_text(_identity(db) + "\n", encoding="utf-8")


def summary_path(out: Path, summary: Path | None) -> Path | None:
    """Where the summary goes besides ``out``: ``summary`` if given, else the committed ``docs/calibration.csv`` only for
    the default ``out`` (a trial fit into another folder leaves the committed summary alone)."""
    if summary is None and is_default(out):
        return SUMMARY
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="world.scale of every simulation (default 0.05)")
    parser.add_argument("--population", type=int, default=100, help="particles per ABC-SMC generation (default 100)")
    parser.add_argument(
        "--max-simulations", type=int, default=800,
        help="start no generation after this many simulations (default 800; pyabc ends the generation under way, so a fit may run more)",
    )  # fmt: skip
    parser.add_argument("--generations", type=int, default=8, help="at most this many generations (default 8)")
    parser.add_argument("--min-distance", type=float, default=0.3, help="stop once the acceptance distance is below this (default 0.3)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT.relative_to(ROOT)})")
    parser.add_argument(
        "--summary", type=Path, default=None,
        help=f"also write the summary here (default {SUMMARY.relative_to(ROOT)} with the default --out; none with another)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.summary = summary_path(args.out, args.summary)
    if not 0 < args.scale <= 1 or args.population < 10 or args.max_simulations < args.population or args.workers < 1:
        parser.error("expected 0 < --scale <= 1, --population >= 10, --max-simulations >= --population, --workers >= 1")
    if (problem := database_problem(args.out)) is not None:
        print(f"calibrate: error: {problem}", file=sys.stderr)
        return 2
    from importlib.util import find_spec

    if find_spec("pyabc") is None:  # (before the workers start)
        print("calibrate: error: pyabc is not installed; run `make calibrate` or pip install -e '.[calibration]'", file=sys.stderr)
        return 2

    from sim.executor import process_pool, stop_pool

    started = time.perf_counter()  # (the fit's minutes printed at the end count from here: the parent's pyabc import too)
    # each worker loads pyabc and the kernels as it starts (warm_worker), while this process imports pyabc (about 2 s):
    # one task each starts them now (the pool starts a process for a task while none is idle)
    executor = process_pool(args.workers, warm=functools.partial(warm_worker, args.scale))
    for _ in range(args.workers):
        executor.submit(os.getpid)
    try:
        import pyabc
        from pyabc.weighted_statistics import weighted_quantile

        db = fresh_database(args.out)
        prior = pyabc.Distribution(**{_name(k): pyabc.RV("uniform", lo, hi - lo) for k, (lo, hi) in PRIORS.items()})
        observed = {p.key: p.observed for p in TARGETS}
        sampler = pyabc.sampler.ConcurrentFutureSampler(executor, client_max_jobs=2 * args.workers)
        abc = pyabc.ABCSMC(make_model(args.scale), prior, distance, population_size=args.population, sampler=sampler)
        abc.new(f"sqlite:///{db}", observed)
        mark_database(db)
        history = abc.run(
            minimum_epsilon=args.min_distance, max_nr_populations=args.generations, max_total_nr_simulations=args.max_simulations
        )
    finally:
        # the fit is in the database: the simulations pyabc queued beyond its last particle are not needed, so the
        # workers end now instead of finishing them (leaving the pool's block waited for them: about 2 s a fit)
        stop_pool(executor)
    elapsed = time.perf_counter() - started
    posterior, weights = history.get_distribution(m=0, t=history.max_t)
    posterior = posterior.assign(weight=weights)
    posterior.to_csv(args.out / "posterior.csv")
    populations = history.get_all_populations()
    print(populations.to_string())
    spring = load_runs_scenarios()["spring"]  # the values before this fit
    rows = []
    for key, (lo, hi) in PRIORS.items():
        values = posterior[_name(key)].to_numpy()
        q05, q50, q95 = (float(weighted_quantile(values, weights, alpha=a)) for a in (0.05, 0.5, 0.95))
        rows.append(
            {
                "parameter": key,
                "prior": f"uniform({lo:g}, {hi:g})",
                "previous": float(scenario_value(spring, key, "calibrate", key)),
                "median": q50,
                "q05": q05,
                "q95": q95,
            }
        )
    summary = pd.DataFrame(rows)
    summary["simulations"] = int(history.total_nr_simulations)
    summary["generations"] = int(history.max_t + 1)
    summary["final_distance"] = float(populations["epsilon"].iloc[-1])
    summary["scale"] = args.scale
    summary["date"] = dt.date.today().isoformat()
    summary.to_csv(args.out / "summary.csv", index=False)
    if args.summary is not None:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        summary.to_csv(args.summary, index=False, float_format="%.6g")
    with pd.option_context("display.width", 160):
        print(summary.to_string(index=False))
    wrote = f"{args.out}" + (f" and {args.summary}" if args.summary is not None else "")
    print(f"{history.total_nr_simulations} simulations in {elapsed / 60:.1f} min; wrote {wrote}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
