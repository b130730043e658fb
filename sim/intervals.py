"""Intervals of means over replications that respect an indicator's bounds (``sim.experiment``, ``sim.regional``).

``interval(values, level, bounds)``: the mean and the two-sided t-interval of the mean, cut at ``bounds``
(``sim.indicators.bounds``: a count's mean is not below 0, a share's not outside 0–1).
"""

from __future__ import annotations

import numpy as np

#: The level of every interval of a comparison.
LEVEL = 0.95
#: How the intervals are made (the manifest and docs/guide.md say the same).
INTERVAL_METHOD = (
    f"{LEVEL:.0%} t-interval of the mean over replications, cut at the indicator's bounds (sim.indicators.bounds: a count's "
    "mean is not below 0, a share's not outside 0–1); paired differences by replication, not cut"
)


def interval(values: np.ndarray, level: float = LEVEL, bounds: tuple[float, float] = (-np.inf, np.inf)) -> tuple[float, float, float]:
    """Mean and two-sided t-interval of the mean of ``values``, cut at ``bounds`` (NaN bounds with fewer than two values).

    The mean of an indicator that cannot leave ``bounds`` (counts: 0 and up; shares: 0 to 1) cannot either, so
    cutting the t-interval there loses no coverage: the cut interval holds the true mean whenever the t-interval
    does. It is deterministic (no resampling) and, for paired differences (no bounds), the plain t-interval.
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = float(values.mean()) if n else float("nan")
    if n < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / np.sqrt(n))
    low, high = bounds
    return mean, float(min(max(mean - half, low), high)), float(max(min(mean + half, high), low))
