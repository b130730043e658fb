"""Demand sources: COVID patients per region and day.

Two sources give the national and regional COVID ICU occupancy (patients in
intensive care on each day, at full scale):

- ``waves``: each wave rises as a half-Gaussian to its peak and falls as a
  generalised Gaussian (``fall_shape`` 2 is Gaussian), with a peak per 100,000
  inhabitants, a peak date and rise and fall widths; regions may override any
  of them. Several waves add up.
- ``csv``: observed or external curves with columns ``date, region, kind,
  patients`` where ``kind`` is ``covid_icu`` or ``covid_ward``.
- ``admissions``: each region's own new COVID ICU admissions per ISO week
  (Folkhälsomyndigheten, from the ICU register SIR; ``sim/data/regional``), spread over
  the days of the week in proportion to the national admissions of those days, and
  convolved with a length of stay (a gamma distribution with a median of
  ``admissions.stay_median_days`` and shape ``admissions.stay_shape``). Replications may draw the
  admissions as Poisson or negative binomial counts around the data (``admissions.count_noise``) and vary the median stay
  (``admissions.stay_noise_sd``), from the demand's own random stream. ``Demand.covid_icu_admissions``
  keeps the run's admissions (the recorder's ``covid_icu_admissions``), so that they can be set against the data.

COVID ward patients are ``covid_ward_per_icu`` times ICU patients unless the
CSV gives them. A per-run stochastic scale (log-normal, one per region) lets
replications differ in the size of the epidemic.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim import kernels
from sim.data import ADMISSIONS_FIRST_DAY, ADMISSIONS_LAST_DAY, admissions_period_error, region_code
from sim.scenario import AdmissionsConfig, CrisisConfig, DemandConfig, ScenarioError, WaveConfig, region_population
from sim.text import suggest


@dataclass(frozen=True)
class Demand:
    """COVID patients by day and region, at full scale.

    Attributes:
        covid_icu: (days, regions) COVID patients in intensive care.
        covid_ward: (days, regions) COVID patients in ordinary wards.
        icu_ahead: (days, regions) COVID ICU occupancy ``lag`` days later, which
            drives community prevalence today.
        covid_icu_admissions: (days, regions) new COVID ICU admissions of the run (``source = "admissions"``:
            after the count noise and the region's stochastic scale, the admissions that give ``covid_icu``);
            None for the other sources, which give occupancy only.
    """

    covid_icu: np.ndarray
    covid_ward: np.ndarray
    icu_ahead: np.ndarray
    covid_icu_admissions: np.ndarray | None = None


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


STAY_MAX_DAYS = 365  # the stay distribution is cut at a year (stays longer than that count as a year)


def stay_survival(median_days: float, shape: float, max_days: int = STAY_MAX_DAYS) -> np.ndarray:
    """Share of ICU patients still in the ICU ``k`` days after the day of admission, ``k = 0 .. max_days - 1``.

    The stay is a gamma distribution of the given median and shape (its scale follows from both);
    a patient is counted on the day of admission (``k = 0``) and on day ``k`` while the stay exceeds ``k``
    days, so a stay under one day counts once.
    """
    from scipy import stats

    scale = median_days / stats.gamma.median(shape)
    k = np.arange(max_days, dtype=float)
    out = stats.gamma.sf(k, shape, scale=scale)
    out[0] = 1.0
    return out


def occupancy_from_admissions(admissions: np.ndarray, survival: np.ndarray, start: int = 0, stop: int | None = None) -> np.ndarray:
    """ICU occupancy (days, regions) from admissions (days, regions): ``occ[d] = Σ_k adm[d − k] · survival[k]``, summed
    in the order of k. Only the days ``start`` to ``stop`` (default: all), the same sums: a run needs a window of the
    data's two and a half years (issue #18), compiled (``kernels.convolve_days``)."""
    adm = np.ascontiguousarray(admissions, dtype=float)
    stop = adm.shape[0] if stop is None else min(stop, adm.shape[0])
    out = kernels.convolve_days(
        admissions=adm.reshape(adm.shape[0], int(np.prod(adm.shape[1:]))),
        survival=np.ascontiguousarray(survival, dtype=float),
        start=start,
        stop=stop,
    )
    return out.reshape(out.shape[0], *adm.shape[1:])


def daily_admissions(codes: tuple[str, ...]) -> tuple[dt.date, np.ndarray]:
    """New COVID ICU admissions (days, regions) from 2020-W01 to 2022-W43, and the first day (a Monday).

    Each region's admissions of an ISO week are spread over the seven days in proportion to the national
    admissions of those days (``icu_admissions_daily_national.csv``), evenly in a week without national
    daily admissions. A region's days of a week therefore add up to its weekly count exactly. Read from the data once
    per process (issue #18); a new array each call.
    """
    return ADMISSIONS_FIRST_DAY, _daily_admissions(tuple(codes)).copy()


@functools.cache
def _daily_admissions(codes: tuple[str, ...]) -> np.ndarray:
    """``daily_admissions``'s array (not writeable: every caller gets a copy)."""
    from sim.data import icu_admissions_daily_national, icu_admissions_weekly

    weekly = icu_admissions_weekly()
    n_days = (ADMISSIONS_LAST_DAY - ADMISSIONS_FIRST_DAY).days + 1
    national = np.zeros(n_days)
    daily = icu_admissions_daily_national()
    day = (daily["date"] - pd.Timestamp(ADMISSIONS_FIRST_DAY)).dt.days.to_numpy()
    keep = (day >= 0) & (day < n_days)
    national[day[keep]] = daily["new_icu_admissions"].to_numpy(float)[keep]
    by_week = national.reshape(-1, 7)
    totals = by_week.sum(axis=1, keepdims=True)
    profile = np.divide(by_week, totals, out=np.full_like(by_week, 1.0 / 7.0), where=totals > 0)  # (weeks, 7)
    week = ((weekly["week_start"] - pd.Timestamp(ADMISSIONS_FIRST_DAY)).dt.days // 7).to_numpy()
    counts = np.zeros((n_days // 7, len(codes)))
    index = {code: r for r, code in enumerate(codes)}
    np.add.at(counts, (week, weekly["code"].map(index).to_numpy()), weekly["new_icu_admissions"].to_numpy(float))
    out = (counts[:, None, :] * profile[:, :, None]).reshape(n_days, len(codes))  # (weeks, 7, regions) as (days, regions)
    out.flags.writeable = False
    return out


def draw_admissions(config: AdmissionsConfig, admissions: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """The run's admissions (days, regions): the data, or counts drawn around it.

    Each region's admissions of each day are drawn as a count with the data's value of that day as its mean:
    Poisson (``count_noise = "poisson"``, variance = mean) or negative binomial (``"negative_binomial"``,
    variance = mean + mean²/``count_dispersion``), at full scale (before the world's scale), from ``rng``: the
    demand's own stream, so every strategy run with one seed gets the same draw. Without noise (or without
    ``rng``) the data are returned unchanged.
    """
    if config.count_noise == "none" or rng is None:
        return admissions
    if config.count_noise == "negative_binomial":
        k = config.count_dispersion
        return rng.negative_binomial(k, k / (k + admissions)).astype(float)
    return rng.poisson(admissions).astype(float)


def admissions_occupancy(
    config: AdmissionsConfig, start: dt.date, n_days: int, codes: tuple[str, ...], rng: np.random.Generator | None = None
) -> np.ndarray:
    """COVID ICU occupancy (n_days, regions) from ``start``, at full scale: ``admissions_and_occupancy``'s occupancy."""
    return admissions_and_occupancy(config, start, n_days, codes, rng)[1]


def admissions_and_occupancy(
    config: AdmissionsConfig, start: dt.date, n_days: int, codes: tuple[str, ...], rng: np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """New COVID ICU admissions and COVID ICU occupancy (each n_days, regions) from ``start``, at full scale.

    The occupancy comes from the regions' own ICU admissions; the admissions returned are the ones convolved
    (the data, or the counts drawn around them).

    Admissions from the first week of the data on are convolved, so patients admitted before ``start``
    are in the ICU on the first day. With ``rng`` the admissions are drawn around the data
    (``config.count_noise``, see ``draw_admissions``) and the median stay is multiplied by ``exp(N(0, sd))``,
    ``sd = config.stay_noise_sd``, one per run; without it, or with the defaults, the occupancy is the data's.

    Raises:
        ScenarioError: the days are outside the data (2020-W01 to 2022-W43).
    """
    problem = admissions_period_error(start, n_days)
    if problem:
        raise ScenarioError("demand", "demand.source", problem)
    first, admissions = daily_admissions(codes)
    offset = (start - first).days
    admissions, occupancy = convolve_admissions(config, admissions, rng, offset, offset + n_days)
    return admissions[offset : offset + n_days], occupancy


def convolve_admissions(
    config: AdmissionsConfig, admissions: np.ndarray, rng: np.random.Generator | None, start: int = 0, stop: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The run's admissions (drawn around ``admissions``, ``draw_admissions``) and the ICU occupancy they give (of the
    days ``start`` to ``stop``: ``occupancy_from_admissions``), with the median stay multiplied by
    ``exp(N(0, config.stay_noise_sd))`` (one draw, after the admissions')."""
    admissions = draw_admissions(config, admissions, rng)
    median = config.stay_median_days
    if config.stay_noise_sd > 0 and rng is not None:
        median *= float(np.exp(rng.normal(0.0, config.stay_noise_sd)))
    return admissions, occupancy_from_admissions(admissions, stay_survival(median, config.stay_shape), start, stop)


def redated_admissions(crisis: CrisisConfig, start: dt.date, n_days: int, codes: tuple[str, ...]) -> np.ndarray:
    """The regions' ICU admissions of ``crisis.source_from`` .. ``crisis.source_until`` moved to begin on ``crisis.start``
    and multiplied by ``crisis.scale``, as (n_days, regions) from ``start``; zero on every other day (issue #17).

    The days keep their order and the admissions of a day their value: a day's weekday changes with the shift (the
    data's weekday pattern is small beside the wave). Days past the run's end are cut.
    """
    assert crisis.start is not None
    first, data = daily_admissions(codes)
    piece = data[(crisis.source_from - first).days : (crisis.source_until - first).days + 1] * crisis.scale
    out = np.zeros((n_days, len(codes)))
    offset = (crisis.start - start).days
    length = max(min(piece.shape[0], n_days - offset), 0)
    out[offset : offset + length] = piece[:length]
    return out


def read_curves(
    path: Path, codes: tuple[str, ...], start: dt.date, n_days: int, period_days: int | None = None, sheet: str | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Read a CSV or xlsx table of curves into (days, regions) arrays; missing days are interpolated, ends held.

    The file is read by ``sim.tables.read_table``: a CSV separated by commas, semicolons or tabs (a decimal comma
    with the latter two), UTF-8 with or without a byte order mark or Windows-1252 (Swedish Excel's "CSV
    (semikolonavgränsad)"), or an Excel workbook (``sheet``, else its first sheet that is not a README).
    Columns ``date`` (YYYY-MM-DD), ``region`` (a region code or its Swedish name: ``sim.data.region_code``), ``kind`` (``covid_icu`` or
    ``covid_ward``) and ``patients`` (a number from 0 to the region's population), in any order;
    other columns are ignored. Blank lines and ``#`` comments are skipped. Rows are named by their
    line in the file (or their row on the sheet).

    The CSV must cover the scenario's period (``period_days`` days from ``start``, default
    ``n_days``): its earliest date on or before the first day and its latest on or after the last,
    so that a CSV for another year or another wave is refused instead of giving flat demand.
    Within that span a region's curve is interpolated between its own dates and held before its
    first and after its last (a region that reports late, or a single value); days after the
    period (the prevalence lag) are held too.

    Raises:
        ScenarioError: the file, the column or row, and what was expected.
    """
    from sim.tables import date_cells, date_hint, number_cells, number_hint, read_table

    kinds_allowed = ("covid_icu", "covid_ward")
    needed = ["date", "region", "kind", "patients"]
    table = read_table(path, "demand.csv", needed, sheet=sheet)
    lines = table.lines
    where = table.row_label

    def cells(name: str) -> list[str]:
        return table.column(name)

    raw_dates = cells("date")
    parsed = date_cells(table, "date")
    for i, day_ in enumerate(parsed):
        if day_ is None:
            raise ScenarioError(
                path, f"{where(i)}, column date", f"expected a date YYYY-MM-DD, got {raw_dates[i]!r}{date_hint(raw_dates[i])}"
            )
    dates = pd.to_datetime(pd.Series(parsed, dtype=object))
    raw_patients = cells("patients")
    patients = np.array(number_cells(table, "patients"), dtype=float)
    for i in np.flatnonzero(~np.isfinite(patients) | (patients < 0)):
        raise ScenarioError(
            path, f"{where(i)}, column patients", f"expected a number >= 0, got {raw_patients[i]!r}{number_hint(table, raw_patients[i])}"
        )
    # a region code or its Swedish name, in any case, with or without diacritics ("Jämtland Härjedalen" is jamtland)
    regions = [region_code(name) or name for name in cells("region")]
    for i, code in enumerate(regions):
        if code not in codes:
            suggestion = (
                suggest(code, codes) or f"; expected a region code such as {codes[0]} or a region's name such as Jämtland Härjedalen"
            )
            raise ScenarioError(path, f"{where(i)}, column region", f"unknown region {code!r}{suggestion}")
    population = region_population()
    for i, code in enumerate(regions):
        # more patients than inhabitants is a typo (a misplaced decimal point) and overflows the staffing need
        if patients[i] > population.get(code, np.inf):
            raise ScenarioError(
                path,
                f"{where(i)}, column patients",
                f"expected at most {code}'s {population[code]:,} inhabitants, got {raw_patients[i]!r} patients",
            )
    kinds = cells("kind")
    for i, kind in enumerate(kinds):
        if kind not in kinds_allowed:
            raise ScenarioError(path, f"{where(i)}, column kind", f"unknown kind {kind!r}; expected covid_icu or covid_ward")
    if "covid_icu" not in kinds:
        raise ScenarioError(path, "column kind", "no covid_icu rows; the ICU curve is required")
    day = (dates - pd.Timestamp(start)).dt.days.to_numpy()
    seen: dict[tuple[int, str, str], int] = {}
    for i, key in enumerate(zip(day.tolist(), regions, kinds, strict=True)):
        if key in seen:
            raise ScenarioError(path, where(i), f"duplicate of row {seen[key]} (same date, region and kind); expected one value per day")
        seen[key] = lines[i]
    period = period_days if period_days is not None else n_days
    end = start + dt.timedelta(days=period - 1)
    first, last = dates.min().date(), dates.max().date()
    if first > start or last < end:
        raise ScenarioError(
            path,
            "column date",
            f"the dates run from {first} to {last}; expected them to cover the scenario's period {start} to {end}",
        )
    region_arr = np.array(regions, dtype=object)
    kind_arr = np.array(kinds, dtype=object)
    grid = np.arange(n_days)
    arrays: dict[str, np.ndarray] = {}
    for kind in kinds_allowed:
        # a region without ICU rows has no COVID ICU patients; one without ward rows gets NaN,
        # filled by build_demand from its ICU curve (covid_ward_per_icu)
        arr = np.zeros((n_days, len(codes))) if kind == "covid_icu" else np.full((n_days, len(codes)), np.nan)
        sel = kind_arr == kind
        for r, code in enumerate(codes):
            picked = sel & (region_arr == code)
            if picked.any():
                order = np.argsort(day[picked])
                arr[:, r] = np.interp(grid, day[picked][order], patients[picked][order])
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
    crisis: CrisisConfig | None = None,
) -> Demand:
    """Full-scale COVID demand for a run, with the run's stochastic scale per region.

    With ``crisis`` enabled (issue #17) the admissions are the re-dated ones (``redated_admissions``), convolved as the
    data's are (``convolve_admissions``).
    """
    days = np.arange(n_days + lag_days, dtype=float)
    admissions = None
    if crisis is not None and crisis.enabled:
        admissions, icu = convolve_admissions(config.admissions, redated_admissions(crisis, start, n_days + lag_days, codes), rng)
        ward = None
    elif config.source == "waves":
        icu = waves_occupancy(config.waves, start, days, codes, population)
        ward = None
    elif config.source == "admissions":
        # the admissions' and the stay's draws come first from the demand's stream, then the regions' scale
        admissions, icu = admissions_and_occupancy(config.admissions, start, n_days + lag_days, codes, rng)
        ward = None
    else:
        assert config.csv is not None
        icu, ward = read_curves(Path(config.csv), codes, start, n_days + lag_days, period_days=n_days, sheet=config.sheet)
    scale = np.exp(rng.normal(0.0, config.noise_sd, size=len(codes))) if config.noise_sd > 0 else np.ones(len(codes))
    if config.covid_scale != 1.0:  # after every draw, so that the demand's stream is the same at any scale
        scale = scale * config.covid_scale
    icu = icu * scale
    from_icu = icu * config.covid_ward_per_icu
    ward = from_icu if ward is None else np.where(np.isnan(ward), from_icu, ward * scale)
    return Demand(
        covid_icu=icu[:n_days],
        covid_ward=ward[:n_days],
        icu_ahead=icu[lag_days : lag_days + n_days],
        covid_icu_admissions=None if admissions is None else (admissions * scale)[:n_days],
    )
