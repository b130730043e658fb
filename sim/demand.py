"""Demand sources: COVID patients per region and day.

Two sources give the national and regional COVID ICU occupancy (patients in
intensive care on each day, at full scale):

- ``waves``: each wave is two half-Gaussians joined at the peak, with a peak
  per 100,000 inhabitants, a peak date and rise and fall widths; regions may
  override any of them. Several waves add up.
- ``csv``: observed or external curves with columns ``date, region, kind,
  patients`` where ``kind`` is ``covid_icu`` or ``covid_ward``.

COVID ward patients are ``covid_ward_per_icu`` times ICU patients unless the
CSV gives them. A per-run stochastic scale (log-normal, one per region) lets
replications differ in the size of the epidemic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario import DemandConfig, ScenarioError, WaveConfig


@dataclass(frozen=True)
class Demand:
    """COVID patients by day and region, at full scale.

    Attributes:
        covid_icu: (days, regions) COVID patients in intensive care.
        covid_ward: (days, regions) COVID patients in ordinary wards.
        icu_ahead: (days, regions) COVID ICU occupancy ``lag`` days later, which
            drives community prevalence today.
    """

    covid_icu: np.ndarray
    covid_ward: np.ndarray
    icu_ahead: np.ndarray


def wave_curve(days: np.ndarray, peak_day: float, rise: float, fall: float, fall_shape: float = 2.0) -> np.ndarray:
    """Shape of one wave, 1.0 at the peak.

    Before the peak a half-Gaussian of sd ``rise``; after it ``exp(-0.5·|x/fall|^fall_shape)``,
    a half-Gaussian when ``fall_shape`` is 2, with a flatter top and steeper fall above 2.
    """
    x = days - peak_day
    before = np.exp(-0.5 * (np.minimum(x, 0.0) / rise) ** 2)
    after = np.exp(-0.5 * np.abs(np.maximum(x, 0.0) / fall) ** fall_shape)
    return np.where(x < 0, before, after)


def waves_occupancy(
    waves: list[WaveConfig], start: dt.date, days: np.ndarray, codes: tuple[str, ...], population: np.ndarray
) -> np.ndarray:
    """COVID ICU occupancy (days, regions) from the parametric waves, at full scale."""
    out = np.zeros((days.shape[0], len(codes)))
    for wave in waves:
        for r, code in enumerate(codes):
            local = wave.regions.get(code)
            peak_date = (local.peak_date if local and local.peak_date else None) or wave.peak_date
            rise = (local.rise_days if local and local.rise_days else None) or wave.rise_days
            fall = (local.fall_days if local and local.fall_days else None) or wave.fall_days
            if local is not None and local.peak_patients is not None:
                peak = local.peak_patients
            else:
                peak = wave.peak_per_100k * population[r] / 1e5 * (local.intensity if local else 1.0)
            shape = (local.fall_shape if local and local.fall_shape else None) or wave.fall_shape
            out[:, r] += peak * wave_curve(days, float((peak_date - start).days), rise, fall, shape)
    return out


def read_curves(path: Path, codes: tuple[str, ...], start: dt.date, n_days: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a CSV of curves into (days, regions) arrays; missing days are interpolated, ends held.

    Raises:
        ScenarioError: the file, the column or row, and what was expected.
    """
    if not path.is_file():
        raise ScenarioError(path, "demand.csv", "file not found")
    try:
        df = pd.read_csv(path, comment="#", skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, "demand.csv", f"not a readable CSV: {str(exc).splitlines()[0]}") from None
    needed = ["date", "region", "kind", "patients"]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ScenarioError(path, "demand.csv", f"missing column(s) {', '.join(missing)}; expected columns {', '.join(needed)}")
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    bad = dates.isna()
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise ScenarioError(path, f"row {row + 2}, column date", f"expected a date YYYY-MM-DD, got {df['date'].iloc[row]!r}")
    patients = pd.to_numeric(df["patients"], errors="coerce")
    bad = patients.isna() | (patients < 0)
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise ScenarioError(path, f"row {row + 2}, column patients", f"expected a number >= 0, got {df['patients'].iloc[row]!r}")
    unknown = sorted(set(df["region"]) - set(codes))
    if unknown:
        raise ScenarioError(path, "column region", f"unknown region(s) {', '.join(map(str, unknown))}; expected codes like {codes[0]}")
    kinds = set(df["kind"])
    if not kinds <= {"covid_icu", "covid_ward"}:
        raise ScenarioError(
            path, "column kind", f"unknown kind(s) {sorted(kinds - {'covid_icu', 'covid_ward'})}; expected covid_icu or covid_ward"
        )
    if "covid_icu" not in kinds:
        raise ScenarioError(path, "column kind", "no covid_icu rows; the ICU curve is required")
    day = (dates - pd.Timestamp(start)).dt.days.to_numpy()
    grid = np.arange(n_days)
    arrays: dict[str, np.ndarray] = {}
    for kind in ("covid_icu", "covid_ward"):
        arr = np.zeros((n_days, len(codes)))
        sel = (df["kind"] == kind).to_numpy()
        for r, code in enumerate(codes):
            rows = sel & (df["region"] == code).to_numpy()
            if rows.any():
                order = np.argsort(day[rows])
                arr[:, r] = np.interp(grid, day[rows][order], patients.to_numpy()[rows][order])
        arrays[kind] = arr
    return arrays["covid_icu"], (arrays["covid_ward"] if "covid_ward" in kinds else None)


def build_demand(
    config: DemandConfig,
    start: dt.date,
    n_days: int,
    lag_days: int,
    codes: tuple[str, ...],
    population: np.ndarray,
    rng: np.random.Generator,
) -> Demand:
    """Full-scale COVID demand for a run, with the run's stochastic scale per region."""
    days = np.arange(n_days + lag_days, dtype=float)
    if config.source == "waves":
        icu = waves_occupancy(config.waves, start, days, codes, population)
        ward = None
    else:
        assert config.csv is not None
        icu, ward = read_curves(Path(config.csv), codes, start, n_days + lag_days)
    scale = np.exp(rng.normal(0.0, config.noise_sd, size=len(codes))) if config.noise_sd > 0 else np.ones(len(codes))
    icu = icu * scale
    ward = icu * config.covid_ward_per_icu if ward is None else ward * scale
    return Demand(covid_icu=icu[:n_days], covid_ward=ward[:n_days], icu_ahead=icu[lag_days : lag_days + n_days])
