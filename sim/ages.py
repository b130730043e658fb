"""Ages of the staff and retirement by age (supply over years, issue #17, ``supply.ages`` and ``supply.retirement = "age"``).

In a run that retires by age, every staff row has an age in years at the run's start (``StaffArrays.age``; other runs
read no age and hold none, issue #18); a person's age on day ``d`` is
``age + d / 365.25`` (no array is written as time passes). The staff of the start (and the levers' rows) draw their
age from their profession's age structure: a piecewise-uniform density on ``[youngest, 55)``, ``[55, 65)`` and
``[65, limit)`` with the published shares of 55 and over and of 65 and over (pipeline facts P13, P18; the bands and
the uniform spread within them are an assumption fitted to those shares). Entrants are their profession's
``graduation_age`` (± ``graduation_age_spread`` / 2, uniform) on the day they start. The draws use a stream of the
layout seed of their own (``default_rng([layout_seed, 18])``), so no other random number of the world moves.

Retirement by age: a yearly hazard ``min(scale[p] × shape(a), 1)`` at age ``a`` below ``retirement_age_limit``
(``retirement_hazard_shape``: 0 below 60, highest at 65, P19's pension ages) and certain from the limit on (P19: the
right to stay employed ends at 69). ``scale[p]`` is solved per profession (bisection) so that the expected share of the
starting staff who retire within the first year equals ``supply.retirement_rate_per_year`` (P14, P15, P17): the age
mode reproduces the rate mode's first year and then follows the cohort's ageing. Where the staff who reach the limit
within the year alone exceed the rate, the scale is 0 and the rate is higher than the target (``calibrated_rates`` says
by how much).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from sim.categories import N_PROFESSIONS, PROFESSIONS

if TYPE_CHECKING:
    from sim.scenario import Scenario

DAYS_PER_YEAR = 365.25
#: The ages that bound the bands of the age structure (55 and 65: the published shares' thresholds, P13, P18).
BAND_AGES = (55.0, 65.0)
#: Step of the age grid on which the hazard's scale is calibrated (years).
GRID_STEP = 1.0 / 48.0


def band_densities(youngest: float, share_55: float, share_65: float, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """The age structure as bands: (edges, share of each band) on ``[youngest, 55, 65, limit)``."""
    edges = np.array([youngest, BAND_AGES[0], BAND_AGES[1], limit])
    shares = np.array([1.0 - share_55, share_55 - share_65, share_65])
    return edges, shares


def draw_ages(rng: np.random.Generator, n: int, edges: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """``n`` ages from the piecewise-uniform structure (a band by its share, then uniform within it)."""
    band = rng.choice(len(shares), size=n, p=shares / shares.sum())
    u = rng.random(n)
    return edges[band] + u * (edges[band + 1] - edges[band])


def staff_ages(scenario: Scenario, profession: np.ndarray, first_entrant: int, entry_day: np.ndarray) -> np.ndarray:
    """Each row's age in years at the run's start (float32): rows before ``first_entrant`` from their profession's age
    structure, entrants (``entry_day`` per entrant) from their graduation age less the years until their start."""
    cfg = scenario.supply.ages
    rng = np.random.default_rng([scenario.world.layout_seed, 18])
    n = profession.shape[0]
    age = np.zeros(n)
    for p, name in enumerate(PROFESSIONS):
        rows = np.flatnonzero(profession[:first_entrant] == p)
        if rows.size:
            edges, shares = band_densities(cfg.youngest[name], cfg.share_55_plus[name], cfg.share_65_plus[name], cfg.retirement_age_limit)
            age[rows] = draw_ages(rng, rows.size, edges, shares)
    k = n - first_entrant
    if k:
        graduation = np.array([cfg.graduation_age[p] for p in PROFESSIONS])[profession[first_entrant:]]
        spread = (rng.random(k) - 0.5) * cfg.graduation_age_spread
        age[first_entrant:] = graduation + spread - entry_day / DAYS_PER_YEAR
    return age.astype(np.float32)


def hazard_shape(cfg: Any, ages: np.ndarray) -> np.ndarray:
    """The relative yearly hazard at each age (``retirement_hazard_shape`` by whole year of age; 0 where not given)."""
    table = np.zeros(121)
    for a, v in cfg.retirement_hazard_shape.items():
        table[int(a)] = v
    return table[np.clip(np.floor(ages).astype(np.int64), 0, 120)]


def yearly_hazard(cfg: Any, scale: np.ndarray, profession: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """Yearly retirement hazard of each person: ``min(scale[p] × shape(age), 1)``, certain from the age limit on."""
    h = np.minimum(scale[profession] * hazard_shape(cfg, ages), 1.0)
    return np.where(ages >= cfg.retirement_age_limit, 1.0, h)


def monthly_from_yearly(h: np.ndarray) -> np.ndarray:
    """Monthly probability at a constant hazard that gives ``h`` within a year."""
    out = np.ones_like(h)
    below = h < 1.0
    out[below] = -np.expm1(np.log1p(-h[below]) / 12.0)
    return out


def first_year_rate(cfg: Any, p: int, scale: float) -> float:
    """Expected share of a profession's starting staff who retire within the first year (twelve monthly steps), on a
    fine grid of the age structure."""
    name = PROFESSIONS[p]
    edges, shares = band_densities(cfg.youngest[name], cfg.share_55_plus[name], cfg.share_65_plus[name], cfg.retirement_age_limit)
    ages, weights = [], []
    for b in range(len(shares)):
        if edges[b + 1] <= edges[b] or shares[b] <= 0:
            continue
        grid = np.arange(edges[b] + GRID_STEP / 2, edges[b + 1], GRID_STEP)
        ages.append(grid)
        weights.append(np.full(grid.size, shares[b] / grid.size))
    a, w = np.concatenate(ages), np.concatenate(weights)
    scales = np.full(N_PROFESSIONS, scale)
    stay = np.ones_like(a)
    for m in range(12):
        stay *= 1.0 - monthly_from_yearly(yearly_hazard(cfg, scales, np.full(a.size, p), a + m / 12.0))
    return float((w * (1.0 - stay)).sum() / w.sum())


def calibrated_scales(scenario: Scenario) -> np.ndarray:
    """Per profession, the hazard's scale whose first year retires ``supply.retirement_rate_per_year`` of the starting
    staff (bisection on [0, 50]; 0 where the staff reaching the age limit alone retire more)."""
    cfg = scenario.supply
    out = np.zeros(N_PROFESSIONS)
    for p, name in enumerate(PROFESSIONS):
        target = cfg.retirement_rate_per_year[name]
        lo, hi = 0.0, 50.0
        if first_year_rate(cfg.ages, p, lo) >= target:
            continue
        if first_year_rate(cfg.ages, p, hi) <= target:
            out[p] = hi
            continue
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if first_year_rate(cfg.ages, p, mid) < target:
                lo = mid
            else:
                hi = mid
        out[p] = 0.5 * (lo + hi)
    return out


def calibrated_rates(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """Per profession: (target yearly retirement rate, the age mode's expected first-year rate after calibration)."""
    scales = calibrated_scales(scenario)
    cfg = scenario.supply
    return {name: (cfg.retirement_rate_per_year[name], first_year_rate(cfg.ages, p, scales[p])) for p, name in enumerate(PROFESSIONS)}
