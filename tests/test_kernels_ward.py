"""Issue #18, the loans', home cooperation's, cohort wards' and crisis agreement's speed-ups: each new kernel gives the
same numbers, bit for bit and in the same dtypes, as the NumPy code it replaced (kept here as the oracle)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import kernels
from sim.categories import ACTIVE, ALL_STATUSES, OFF_DUTY


def _record_numpy(agreement_days, agreement_rest, status, home_region, worked_at, workplace_region, ever_placed, n_regions):
    """``CrisisAgreement.record`` before issue #18: the placed, resting and first-placed staff by region."""
    placed = np.flatnonzero(agreement_days > 0)
    region = workplace_region[worked_at[placed]]
    by_unit = np.bincount(region, minlength=n_regions)
    resting = np.flatnonzero(agreement_rest & (status == OFF_DUTY))
    by_home = np.bincount(home_region[resting], minlength=n_regions)
    first = ~ever_placed[placed]
    ever_placed[placed] = True
    return by_unit, by_home, np.bincount(region[first], minlength=n_regions)


def _staff(rng, n, n_regions, n_workplaces, placed_share, rest_share):
    agreement_days = np.where(rng.random(n) < placed_share, rng.integers(1, 40, n), 0).astype(np.int16)
    agreement_rest = rng.random(n) < rest_share
    status = rng.integers(0, len(ALL_STATUSES), n).astype(np.int8)
    status[rng.random(n) < 0.5] = ACTIVE
    home_region = rng.integers(0, n_regions, n).astype(np.int16)
    worked_at = rng.integers(0, n_workplaces, n).astype(np.int16)
    workplace_region = rng.integers(0, n_regions, n_workplaces).astype(np.int16)
    ever_placed = rng.random(n) < 0.3
    return agreement_days, agreement_rest, status, home_region, worked_at, workplace_region, ever_placed


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("n", "placed_share", "rest_share"),
    [(0, 0.5, 0.5), (500, 0.0, 0.0), (500, 1.0, 1.0), (2000, 0.2, 0.1)],
    ids=["no staff", "nobody placed or resting", "everyone", "some"],
)
def test_count_agreement_staff_counts_as_the_numpy_code(seed, n, placed_share, rest_share):
    rng = np.random.default_rng(seed)
    n_regions = 21
    days, rest, status, home_region, worked_at, wp_region, ever = _staff(rng, n, n_regions, 40, placed_share, rest_share)
    # a region with nobody in it: the last one
    home_region[home_region == n_regions - 1] = 0
    wp_region[wp_region == n_regions - 1] = 0
    ever_numpy = ever.copy()
    expected = _record_numpy(days, rest, status, home_region, worked_at, wp_region, ever_numpy, n_regions)
    covered_numpy, covered = np.zeros(n_regions), np.zeros(n_regions)
    covered_numpy += expected[2]
    for day in range(2):  # a second day: those placed on the first are not counted as first placed again
        got = kernels.count_agreement_staff(
            agreement_days=days,
            agreement_rest=rest,
            status=status,
            home_region=home_region,
            worked_at=worked_at,
            workplace_region=wp_region,
            ever_placed=ever,
            n_regions=n_regions,
        )
        if day == 1:
            expected = _record_numpy(days, rest, status, home_region, worked_at, wp_region, ever_numpy, n_regions)
            covered_numpy += expected[2]
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_array_equal(g, e)
            assert g.dtype == e.dtype
        covered += got[2]
        np.testing.assert_array_equal(ever, ever_numpy)
    np.testing.assert_array_equal(covered, covered_numpy)
    assert covered.tobytes() == covered_numpy.tobytes()
