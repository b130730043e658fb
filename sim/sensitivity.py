"""Sensitivity indices from a finished sweep store (design ``sobol`` or ``morris``), computed with SALib.

The SALib problem (names, bounds) is rebuilt from the experiment recorded in the store's
``manifest.json`` (``spec``); each indicator is averaged over replications per design point, in
the order of ``points.parquet`` (the order SALib sampled them), and analysed with

- Sobol: ``SALib.analyze.sobol.analyze`` (second order as sampled by ``sim.sweep``): S1, S1_conf, ST, ST_conf;
- Morris: ``SALib.analyze.morris.analyze`` on the stored points (``num_levels`` as sampled):
  mu_star, mu_star_conf, sigma.

An indicator that is the same at every point (or missing at some) has no indices: its rows are
NaN and ``note`` says why. The table is tidy: one row per indicator and parameter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.scenario import ScenarioError
from sim.store import atomic_file
from sim.sweep import MORRIS_LEVELS, load_results, run_id
from sim.text import suggest

METHODS = ("sobol", "morris")
COLUMNS = {
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "morris": ["mu_star", "mu_star_conf", "sigma"],
}
SOBOL_SECOND_ORDER = True  # as sim.sweep.points samples the Sobol design
CSV_NAME = "sensitivity.csv"
_IDS = {"run_id", "point_id", "replication", "seed"}


def read_store(folder: str | Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """The manifest, the design points and the finished runs of a complete sobol or morris store.

    Raises:
        ScenarioError: the folder is not a sweep store, its design has no indices, or runs are missing.
    """
    folder = Path(folder)
    source = str(folder)
    manifest_file, points_file = folder / "manifest.json", folder / "points.parquet"
    if not folder.is_dir():
        raise ScenarioError(source, "", "not found; expected a sweep results folder (made by 'mobsim sweep')")
    try:
        manifest = json.loads(manifest_file.read_text())
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or "experiment_sha256" not in manifest or "spec" not in manifest or not points_file.is_file():
        raise ScenarioError(source, "", "not a sweep results folder (expected manifest.json and points.parquet written by 'mobsim sweep')")
    design = manifest.get("design")
    if design not in METHODS:
        raise ScenarioError(source, "", f"sensitivity indices need a sobol or morris design; this sweep used {design}")
    design_points = pd.read_parquet(points_file)
    replications = int(manifest["spec"]["replications"])
    expected = {run_id(int(p), r) for p in design_points["point_id"] for r in range(replications)}
    runs = load_results(folder)
    present = set(runs["run_id"]) if not runs.empty else set()
    missing = len(expected - present)
    if missing:
        experiment_file = manifest.get("experiment_file", "EXPERIMENT.toml")
        raise ScenarioError(
            source,
            "",
            f"the sweep is incomplete: {missing} of {len(expected)} runs are missing (not run yet or failed); "
            f"finish it with 'mobsim sweep {experiment_file} --out {folder} --resume'",
        )
    runs = runs[runs["run_id"].isin(expected)]
    return manifest, design_points, runs


def problem_of(spec: dict[str, Any]) -> dict[str, Any]:
    """The SALib problem of an experiment's ``[parameters]`` (as recorded in the manifest)."""
    names = list(spec["parameters"])
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [[float(spec["parameters"][n]["min"]), float(spec["parameters"][n]["max"])] for n in names],
    }


def analyse(folder: str | Path, indicators: list[str] | None = None) -> pd.DataFrame:
    """Sensitivity indices of every indicator (or those named) to every parameter of a sweep store.

    Returns:
        One row per indicator and parameter: indicator, parameter, method, the method's indices
        (see ``COLUMNS``), and note (empty, or why the indices are NaN).

    Raises:
        ScenarioError: see ``read_store``; or an indicator that the runs do not hold (closest suggested).
    """
    manifest, design_points, runs = read_store(folder)
    spec = manifest["spec"]
    method = manifest["design"]
    problem = problem_of(spec)
    names = problem["names"]
    available = [c for c in runs.columns if c not in _IDS and c not in names and pd.api.types.is_numeric_dtype(runs[c])]
    if indicators is None:
        chosen = available
    else:
        chosen = []
        for name in indicators:
            if name not in available:
                suggestion = suggest(name, available) or f"; expected one of {', '.join(available)}"
                raise ScenarioError(str(folder), "--indicator", f"unknown indicator '{name}'{suggestion}")
            if name not in chosen:
                chosen.append(name)
    means = runs.groupby("point_id")[chosen].mean().reindex(design_points["point_id"])
    x = design_points[names].to_numpy(dtype=float)
    seed = int(spec.get("seed", 0))

    rows = []
    for indicator in chosen:
        y = means[indicator].to_numpy(dtype=float)
        values: dict[str, np.ndarray] = {}
        note = ""
        if not np.isfinite(y).all():
            note = "not a finite number at every point: no indices"
        elif np.ptp(y) == 0:
            note = "the same at every point: no indices"
        elif method == "sobol":
            from SALib.analyze import sobol

            values = sobol.analyze(problem, y, calc_second_order=SOBOL_SECOND_ORDER, seed=seed)
        else:
            from SALib.analyze import morris

            values = morris.analyze(problem, x, y, num_levels=MORRIS_LEVELS, seed=seed)
        for i, parameter in enumerate(names):
            row: dict[str, Any] = {"indicator": indicator, "parameter": parameter, "method": method}
            for column in COLUMNS[method]:
                row[column] = float(np.asarray(values[column])[i]) if values else float("nan")
            row["note"] = note
            rows.append(row)
    return pd.DataFrame(rows, columns=["indicator", "parameter", "method", *COLUMNS[method], "note"])


def write_csv(table: pd.DataFrame, folder: str | Path) -> Path:
    """Write ``sensitivity.csv`` into the store atomically (a temporary file moved into place)."""
    return atomic_file(Path(folder) / CSV_NAME, lambda p: table.to_csv(p, index=False))
