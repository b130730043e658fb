"""What each region believes its COVID ICU load will be ``horizon_days`` ahead (issue #13, item 5).

A region escalates on a forecast of its own load (``MobilisationModel._forecast``). Two forecasts
(``escalation.forecast``):

- ``perfect``: the demand curve itself ``horizon_days`` ahead (perfect foresight; the model reads
  it from ``sim.demand`` and does not need this module).
- ``trend``: what a region could know. It sees its COVID ICU occupancy as reported
  ``reporting_delay_days`` ago, fits a log-linear growth rate ``g`` on the last ``trend_days`` of
  that reported series, and extrapolates it over the delay and the horizon::

      forecast(d + h) = reported(d − delay) · exp(g · (delay + h)) · error(d)

  ``error`` is a multiplicative error per region, ``exp(e)``, with ``e`` an AR(1) series of
  stationary sd ``forecast_error_sd`` and day-to-day coefficient ``forecast_error_persistence``
  (median-unbiased: its median is 1). It is drawn once per run from its own random stream
  (``np.random.default_rng([seed, 2])``; the demand uses ``[seed, 1]``), so strategies run with
  one seed share their forecast errors whichever levers are on.

"Observed" occupancy is what the region actually had (the model's recorded COVID ICU patients,
which include the patients moved in and out by the patient_transfers lever), in model units. Before the first day of the run
nothing was reported: the first day's value stands for those days.

Pure NumPy: no Mesa, no model.
"""

from __future__ import annotations

import math

import numpy as np

#: The fastest growth (and decline) a trend may show: doubling (halving) every 3 days. Assumption: well beyond
#: Sweden's spring 2020 ICU occupancy, which doubled about every 7 days from 55 patients on 20 March to over 500
#: on 12 April (facts); a few early reported values (1 → 4 patients) would otherwise give absurd growth.
MAX_GROWTH_PER_DAY = math.log(2.0) / 3.0


def growth_rate(window: np.ndarray, max_growth: float = MAX_GROWTH_PER_DAY) -> np.ndarray:
    """Log-linear growth per day of each region's series: the least-squares slope of ``log(y)`` on the day.

    Args:
        window: (days, regions) reported occupancy, oldest first.
        max_growth: the slope is clipped to ``[-max_growth, max_growth]`` (per day).

    Returns:
        (regions,) growth rate per day. Days with no patients (log 0) are left out of the fit; a region with
        fewer than two days with patients in the window has growth 0.
    """
    window = np.asarray(window, dtype=float)
    t = np.arange(window.shape[0], dtype=float)[:, None]
    w = (window > 0).astype(float)  # weights: a zero has no logarithm
    logs = np.log(np.where(window > 0, window, 1.0))
    n = w.sum(axis=0)
    safe_n = np.maximum(n, 1.0)
    t_mean = (w * t).sum(axis=0) / safe_n
    y_mean = (w * logs).sum(axis=0) / safe_n
    sxx = (w * (t - t_mean) ** 2).sum(axis=0)
    sxy = (w * (t - t_mean) * (logs - y_mean)).sum(axis=0)
    slope = np.divide(sxy, sxx, out=np.zeros_like(sxy), where=(n >= 2) & (sxx > 0))
    return np.clip(slope, -max_growth, max_growth)


def trend_forecast(window: np.ndarray, lead_days: float, max_growth: float = MAX_GROWTH_PER_DAY) -> np.ndarray:
    """Each region's occupancy ``lead_days`` after the last day of ``window``, by its log-linear trend (no error).

    Args:
        window: (days, regions) reported occupancy, oldest first; its last row is the latest report.
        lead_days: days from the latest report to the day forecast (the reporting delay plus the horizon).
    """
    window = np.asarray(window, dtype=float)
    return window[-1] * np.exp(growth_rate(window, max_growth) * lead_days)


def error_path(rng: np.random.Generator, n_days: int, n_regions: int, sd: float, persistence: float) -> np.ndarray:
    """(days, regions) multiplicative forecast errors ``exp(e)``, ``e`` an AR(1) series per region.

    ``e[0] ~ N(0, sd²)`` and ``e[d] = ρ·e[d−1] + sqrt(1 − ρ²)·sd·z[d]`` with ``ρ = persistence``, so ``e`` has sd
    ``sd`` on every day (``ρ = 1``: one error per region for the whole run; ``ρ = 0``: a fresh error each day).
    With ``sd = 0`` nothing is drawn and every error is 1.
    """
    if sd <= 0:
        return np.ones((n_days, n_regions))
    z = rng.standard_normal((n_days, n_regions))
    e = np.empty_like(z)
    e[0] = sd * z[0]
    innovation = math.sqrt(max(1.0 - persistence**2, 0.0)) * sd
    for d in range(1, n_days):
        e[d] = persistence * e[d - 1] + innovation * z[d]
    return np.exp(e)


class Forecaster:
    """A run's ``trend`` forecasts of each region's COVID ICU patients ``horizon_days`` ahead.

    Args:
        horizon_days: days ahead a region forecasts (``escalation.horizon_days``).
        reporting_delay_days: the latest occupancy a region sees is this many days old.
        trend_days: days of the reported series the growth rate is fitted on.
        error_sd, error_persistence: sd and AR(1) coefficient of the log of the multiplicative error.
        n_days, n_regions: the run's days and regions.
        rng: the forecast errors' own random stream (``np.random.default_rng([seed, 2])``).
    """

    def __init__(
        self,
        horizon_days: int,
        reporting_delay_days: int,
        trend_days: int,
        error_sd: float,
        error_persistence: float,
        n_days: int,
        n_regions: int,
        rng: np.random.Generator,
    ) -> None:
        self.horizon_days = horizon_days
        self.delay = reporting_delay_days
        self.trend_days = trend_days
        self.errors = error_path(rng, n_days, n_regions, error_sd, error_persistence)

    def covid_icu(self, day: int, recorded: np.ndarray, today: np.ndarray) -> np.ndarray:
        """Each region's forecast of its COVID ICU patients ``horizon_days`` after ``day`` (model units).

        Args:
            day: today (0 is the first day of the run).
            recorded: (days, regions) occupancy recorded on the days before today (rows from ``day`` on are not read).
            today: (regions,) occupancy today.
        """
        latest = day - self.delay
        rows = np.clip(np.arange(latest - self.trend_days + 1, latest + 1), 0, None)  # days before the run: its first day
        window = np.where((rows == day)[:, None], today[None, :], recorded[np.minimum(rows, max(day - 1, 0))])
        return trend_forecast(window, self.delay + self.horizon_days) * self.errors[day]
