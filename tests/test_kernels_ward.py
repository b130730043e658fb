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


def _shortages_numpy(have, required, home_workplace, roles, home_on, cluster, n_clusters, lent_out, most_out, cfg, hph):
    """``HomeCooperation._lend`` before issue #18, up to the short homes kept (``most_out`` was computed in place)."""
    need = required[home_workplace]
    have, req = have[:, roles], need[:, roles]
    cov = np.divide(have, req, out=np.full(req.shape, np.inf), where=req > 0)
    short_role, short_home = np.nonzero((cov < cfg["short_below"]).T & home_on)
    n_roles = roles.shape[0]
    margin = np.floor((have - cfg["lender_keeps"] * req) / hph)
    room = most_out - lent_out[:, roles]
    spare = np.where(home_on[:, None], np.minimum(margin, room), 0.0).clip(0)
    on = np.flatnonzero(home_on)
    key = (cluster[on, None] * n_roles + np.arange(n_roles)).ravel()
    can = np.bincount(key, weights=spare[on].ravel(), minlength=n_clusters * n_roles) > 0
    keep = can[cluster[short_home] * n_roles + short_role]
    return have, req, cov, spare, short_home[keep], short_role[keep]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("case", ["some", "none on", "nobody short", "no homes", "no roles", "a cluster that cannot lend"])
def test_cluster_shortages_as_the_numpy_code(seed, case):
    rng = np.random.default_rng(seed)
    n_prof, n_workplaces = 7, 60
    n_homes = 0 if case == "no homes" else 30
    roles = np.zeros(0, dtype=np.int64) if case == "no roles" else np.array([2, 4, 5], dtype=np.int64)
    home_workplace = rng.choice(n_workplaces, n_homes, replace=False).astype(np.int64)
    cluster = np.where(rng.random(n_homes) < 0.2, -1, rng.integers(0, 8, n_homes)).astype(np.int64)
    n_clusters = int(cluster.max(initial=-1)) + 1
    hph = 40.0 / 7.0
    required = np.where(rng.random((n_workplaces, n_prof)) < 0.2, 0.0, rng.random((n_workplaces, n_prof)) * 100.0)
    have = rng.random((n_homes, n_prof)) * (20.0 if case == "nobody short" else 1.0) * 100.0
    if case == "nobody short":
        required[:] = 0.0
    home_on = (rng.random(n_homes) < (0.0 if case == "none on" else 0.8)) & (cluster >= 0)
    heads = rng.integers(0, 30, (n_homes, n_prof))
    lent_out = rng.integers(0, 4, (n_homes, n_prof)).astype(np.int64)
    if case == "a cluster that cannot lend":
        lent_out[cluster == 0] = 100
    most_out = np.floor(0.2 * heads[:, roles])
    cfg = {"short_below": 1.0, "lender_keeps": 1.1}
    expected = _shortages_numpy(have, required, home_workplace, roles, home_on, cluster, n_clusters, lent_out, most_out, cfg, hph)
    got = kernels.cluster_shortages(
        have=have,
        required=required,
        home_workplace=home_workplace,
        roles=roles,
        home_on=home_on,
        cluster=cluster,
        n_clusters=n_clusters,
        lent_out=lent_out,
        most_out=most_out,
        short_below=cfg["short_below"],
        lender_keeps=cfg["lender_keeps"],
        hours_per_head=hph,
    )
    names = ("have", "req", "cov", "spare", "short_home", "short_role")
    for name, g, e in zip(names, got, expected, strict=True):
        np.testing.assert_array_equal(g, e, err_msg=name)
        assert g.dtype == e.dtype, name
        assert g.shape == e.shape, name
    # the values the later steps compute with, bit for bit (spare only by value: its zeros' sign is never read)
    for g, e in zip(got[:3], expected[:3], strict=True):
        assert g.tobytes() == e.tobytes()


def _regions_active_numpy(state, on, min_active, lift_after, until, ramp_down, day):
    """``CrisisAgreement.regions_active`` before issue #18 (``state``: declared, days_below, ending; updated)."""
    declared, days_below, ending = state
    active = declared >= 0
    new = on & ~active
    declared[new] = day
    ending[new] = False
    days_below = np.where(on | new, 0, days_below + 1)
    held = (day - declared < min_active) | (days_below < lift_after)
    if until:
        held |= True
    lift = active & ~on & ~held
    declared[lift] = -1
    ending[lift] = ramp_down
    return (declared, days_below, ending), declared >= 0


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("ramp_down", [False, True])
@pytest.mark.parametrize("n_regions", [0, 1, 21])
def test_advance_declarations_as_the_numpy_code(seed, ramp_down, n_regions):
    rng = np.random.default_rng(seed)
    min_active = rng.integers(0, 5, n_regions).astype(np.int64)
    lift_after = rng.integers(0, 5, n_regions).astype(np.int64)
    numpy_state = (np.full(n_regions, -1, dtype=np.int64), np.zeros(n_regions, dtype=np.int64), np.zeros(n_regions, dtype=bool))
    declared, days_below, ending = (a.copy() for a in numpy_state)
    for day in range(60):
        on = rng.random(n_regions) < (0.5 if day % 20 < 10 else 0.1)
        until = bool(20 <= day < 25)
        numpy_state, expected = _regions_active_numpy(numpy_state, on, min_active, lift_after, until, ramp_down, day)
        got = kernels.advance_declarations(
            on=on,
            declared=declared,
            days_below=days_below,
            ending=ending,
            min_active_days=min_active,
            lift_after_days=lift_after,
            until=until,
            ramp_down=ramp_down,
            day=day,
        )
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype
        for g, e in zip((declared, days_below, ending), numpy_state, strict=True):
            np.testing.assert_array_equal(g, e)
            assert g.dtype == e.dtype


def _requests_offers_numpy(required, supply, on, takes_part, per_head, safety_margin):
    """``Coordinator.match``'s requests and offers of one profession before issue #18."""
    need = required - supply
    requests = np.where(on & (need > 0), np.ceil(need / per_head), 0).astype(np.int64)
    spare = supply - required * (1.0 + safety_margin)
    offers = np.where(spare > 0, np.floor(spare / per_head), 0).astype(np.int64)
    if takes_part is not None:
        offers[~takes_part] = 0
    return requests, offers


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("case", ["some", "no regions", "none on", "regional", "nobody can lend"])
def test_loan_requests_offers_as_the_numpy_code(seed, case):
    rng = np.random.default_rng(seed)
    n = 0 if case == "no regions" else 21
    p = int(rng.integers(0, 7))
    required = rng.random((n, 7)) * 500.0
    required[rng.random((n, 7)) < 0.2] = 0.0
    supply = rng.random((n, 7)) * 600.0
    if case == "nobody can lend":
        supply = required * 1.1
    on = rng.random(n) < (0.0 if case == "none on" else 0.5)
    takes_part = rng.random(n) < 0.7 if case == "regional" else None
    per_head, margin = 33.25 + seed, 0.2
    expected = _requests_offers_numpy(required[:, p], supply[:, p], on, takes_part, per_head, margin)
    got = kernels.loan_requests_offers(
        required=required[:, p],
        supply=supply[:, p],
        on=on,
        lends=takes_part if takes_part is not None else np.ones(n, dtype=bool),
        per_head=per_head,
        keep=1.0 + margin,
    )
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(g, e)
        assert g.dtype == e.dtype
    if case == "some":
        assert got[0].any() and got[1].any()


def _course_places_numpy(on, decided, carry, share, eligible, lead, day):
    """``HygieneTraining.act``'s places before issue #18 (``decided`` and ``carry`` updated); None: no course runs."""
    decided[(decided < 0) & on] = day
    running = (decided >= 0) & (day >= decided + lead)
    if not running.any():
        return None
    carry[running] += share[running] * eligible[running]
    places = np.floor(carry).astype(np.int64)
    carry[running] -= places[running]
    return running, places, bool((places[running] > 0).any())


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n_regions", [0, 1, 21])
@pytest.mark.parametrize("lead", [0, 7])
def test_course_places_as_the_numpy_code(seed, n_regions, lead):
    rng = np.random.default_rng(seed)
    share = rng.choice(np.array([0.0, 0.003, 0.01, 0.37]), n_regions)
    eligible = rng.integers(0, 400, n_regions).astype(np.int64)
    eligible[rng.random(n_regions) < 0.1] = 0  # a region with nobody eligible
    decided_np, carry_np = np.full(n_regions, -1, dtype=np.int64), np.zeros(n_regions)
    decided, carry = decided_np.copy(), carry_np.copy()
    for day in range(40):
        on = rng.random(n_regions) < (0.0 if day < 5 else 0.2)
        expected = _course_places_numpy(on, decided_np, carry_np, share, eligible, lead, day)
        running, places, any_place = kernels.course_places(
            on=on, decided=decided, carry=carry, share=share, eligible=eligible, lead_time_days=lead, day=day
        )
        if expected is None:
            assert not running.any() and not any_place
        else:
            np.testing.assert_array_equal(running, expected[0])
            np.testing.assert_array_equal(places, expected[1])
            assert places.dtype == expected[1].dtype
            assert any_place == expected[2]
        np.testing.assert_array_equal(decided, decided_np)
        assert carry.tobytes() == carry_np.tobytes()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_out", [0, 1, 300])
def test_present_by_region_as_the_numpy_code(seed, n_out):
    rng = np.random.default_rng(seed)
    n, n_regions = 1000, 21
    status = rng.integers(0, len(ALL_STATUSES), n).astype(np.int8)
    status[rng.random(n) < 0.6] = ACTIVE
    workplace = rng.integers(0, 50, n).astype(np.int16)
    region = rng.integers(0, n_regions - 1, n).astype(np.int16)  # the last region has nobody
    ids = rng.choice(n, n_out, replace=False).astype(np.int64)
    place = np.where(rng.random(n_out) < 0.7, workplace[ids], rng.integers(0, 50, n_out)).astype(np.int64)
    # HomeCooperation.act before issue #18
    present = ids[(status[ids] == ACTIVE) & (workplace[ids] == place)]
    expected = np.bincount(region[present], minlength=n_regions)
    got = kernels.present_by_region(ids=ids, place=place, status=status, workplace=workplace, region=region, n_regions=n_regions)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == expected.dtype
    days, days_numpy = np.zeros(n_regions), np.zeros(n_regions)
    days += got
    days_numpy += expected
    assert days.tobytes() == days_numpy.tobytes()
