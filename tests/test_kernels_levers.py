"""Issue #18's thirteenth part: small daily rules moved from NumPy into one compiled call each give the same numbers.

Each test keeps the NumPy rule the kernel replaced (the code of commit 0b4577c) and compares bit for bit on random
inputs: ties, zeros and empty regions included, so that a kernel that drifts from its rule fails here rather than as a
changed table.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import kernels
from sim.categories import ACTIVE, RESERVE, TRAINING

SEEDS = range(6)


def _bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (and in dtype and shape)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("regions", [False, True])
def test_open_icu_beds_opens_as_the_numpy_rule(seed, regions):
    rng = np.random.default_rng(seed)
    n, days, lead = 21, 12, int(rng.integers(0, 5))
    normal = rng.choice([0.0, 1.5, 4.0], n) * rng.integers(0, 3, n)
    ceiling = np.maximum(normal * rng.uniform(1.0, 2.5, n), normal)
    step = (ceiling - normal) / 21.0
    occupancy = rng.choice([0.7, 0.5, 1.0], n)
    enabled = rng.random(n) < 0.8 if regions else np.ones(n, dtype=bool)
    wanted_np, wanted_k = np.zeros((days, n)), np.zeros((days, n))
    beds_np = beds_k = normal.copy()
    for day in range(days):
        forecast = rng.uniform(0.0, 6.0, n) * (rng.random(n) < 0.7)
        on = rng.random(n) < 0.4
        patients = rng.uniform(0.0, 5.0, n)
        if day == 3:  # NumPy's rules at their edges: a NaN and a negative zero against a normal of +0.0
            forecast[[0, 1]], patients[2] = np.nan, -0.0
            forecast[normal == 0.0] = -0.0
        # the NumPy rule (BedExpansion.act before issue #18's thirteenth part)
        for_load = np.clip(forecast / occupancy, normal, ceiling)
        wanted_np[day] = np.where(on, ceiling, for_load)
        if regions:
            wanted_np[day] = np.where(enabled, wanted_np[day], normal)
        target = wanted_np[day - lead] if day >= lead else normal
        held = np.minimum(patients, beds_np)
        opened = np.minimum(beds_np + step, target)
        closed = np.maximum.reduce([beds_np - step, target, held])
        beds_np = np.where(target > beds_np, opened, closed)
        beds_k = kernels.open_icu_beds(
            forecast=forecast, occupancy=occupancy, normal=normal, ceiling=ceiling, on=on, enabled=enabled, wanted=wanted_k,
            day=day, lead=lead, beds=beds_k, icu_patients=patients, step=step,
        )  # fmt: skip
        assert _bits(beds_k, beds_np) and _bits(wanted_k, wanted_np)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("outbreak_only", [False, True])
def test_physician_rounds_day_adds_the_rounds_and_hours_of_the_numpy_rule(seed, outbreak_only):
    rng = np.random.default_rng(seed)
    n_regions, n_homes = 21, 85
    home_region = np.sort(rng.integers(0, n_regions - 2, n_homes))  # the last regions have no home
    infected = rng.integers(0, 3, n_homes) * (rng.random(n_homes) < 0.4)
    per_visit, per_digital = rng.choice([0.0, 1.0, 2.5]), rng.choice([0.0, 0.5])
    visits_per_week, digital_per_week = rng.choice([0.0, 1.0, 3.0], n_regions), rng.choice([0.0, 2.0], n_regions)
    on_region = rng.random(n_regions) < 0.6
    base_visits, base_digital = rng.uniform(0, 2, n_homes), rng.uniform(0, 1, n_homes)
    visits_per_week[home_region[0]] = np.nan  # NaN × False is NaN in NumPy, not 0
    # the NumPy rule (PhysicianRounds.act before)
    on = on_region[home_region]
    if outbreak_only:
        on &= infected > 0
    visits = visits_per_week.astype(float)[home_region] * on
    digital = digital_per_week.astype(float)[home_region] * on
    visits_np, digital_np = base_visits + visits, base_digital + digital
    hours_np = np.bincount(home_region, weights=(visits * per_visit + digital * per_digital) / 7.0, minlength=n_regions)
    visits_k, digital_k = base_visits.copy(), base_digital.copy()
    hours_k = kernels.physician_rounds_day(
        on=on_region, home_region=home_region, outbreak_only=outbreak_only, infected=infected,
        visits_per_week=visits_per_week, digital_per_week=digital_per_week, hours_per_visit=per_visit,
        hours_per_digital_round=per_digital, visits=visits_k, digital_rounds=digital_k, n_regions=n_regions,
    )  # fmt: skip
    assert _bits(hours_k, hours_np) and _bits(visits_k, visits_np) and _bits(digital_k, digital_np)


def _staff(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "status": rng.choice(np.array([ACTIVE, RESERVE, TRAINING, 3], dtype=np.int8), n),
        "region": rng.integers(0, 21, n).astype(np.int8),
        "posting": np.where(rng.random(n) < 0.2, rng.integers(0, 50, n), -1).astype(np.int16),
        "workplace": rng.integers(0, 100, n).astype(np.int16),
        "home": rng.integers(0, 100, n).astype(np.int16),
        "days_left": rng.integers(0, 5, n).astype(np.int16),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_call_recruits_releases_and_calls_the_people_of_the_numpy_rule(seed):
    rng = np.random.default_rng(seed)
    n = 400
    staff = _staff(rng, n)
    ids = np.sort(rng.choice(n, 250, replace=False))
    onboarding = np.where(rng.random(n) < 0.5, rng.integers(1, 8, n), 0).astype(np.int16)
    levels = rng.integers(0, 3, 21) * (rng.random(21) < 0.7)
    normal_days = rng.integers(0, 20, 21)
    release_after = rng.choice([7, 14], 21)
    on = rng.random(21) < 0.5
    per_day = rng.integers(0, 6, 21)
    # the NumPy rule (Recruitment.act before)
    s = {k: v.copy() for k, v in staff.items()}
    nd = np.where(levels == 0, normal_days + 1, 0)
    going = ids[(s["status"][ids] == ACTIVE) & (nd >= release_after)[s["region"][ids]]]
    s["status"][going] = RESERVE
    waiting = ids[(s["status"][ids] == RESERVE) & on[s["region"][ids]]]
    groups = s["region"][waiting]
    rank = np.array([np.sum(groups[:j] == groups[j]) for j in range(groups.size)], dtype=np.int64)
    called = waiting[rank < per_day[groups]]
    days = onboarding[called]
    s["status"][called] = np.where(days > 0, TRAINING, ACTIVE)
    s["days_left"][called] = days
    k = {key: v.copy() for key, v in staff.items()}
    nd_k = normal_days.copy()
    kernels.call_recruits(
        ids=ids, region=k["region"], status=k["status"], days_left=k["days_left"], onboarding_days=onboarding,
        levels=levels, normal_days=nd_k, release_after=release_after, on=on, per_day=per_day,
    )  # fmt: skip
    assert _bits(nd_k, nd) and all(_bits(k[key], s[key]) for key in staff)
    assert called.size > 0 and going.size > 0  # both steps had people to move


@pytest.mark.parametrize("seed", SEEDS)
def test_cut_hourly_home_staff_moves_the_people_and_hours_of_the_numpy_rule(seed):
    rng = np.random.default_rng(seed)
    n = 500
    staff = _staff(rng, n)
    max_hours = rng.uniform(4.0, 8.0, n)
    cut = np.sort(rng.choice(n, 120, replace=False))
    permanent = np.setdiff1d(np.arange(n), cut)[::3]
    banned, on = rng.random(21) < 0.5, rng.random(21) < 0.5
    cap = 48.0 / 7.0
    # the NumPy rule (NursingHomeMeasures._cut before)
    s = {key: v.copy() for key, v in staff.items()}
    hours_np = max_hours.copy()
    lifted = banned & ~on
    back = cut[(s["status"][cut] == RESERVE) & lifted[s["region"][cut]]]
    s["status"][back] = ACTIVE
    s["workplace"][back] = s["home"][back]
    out = cut[(s["status"][cut] == ACTIVE) & (s["posting"][cut] < 0) & on[s["region"][cut]]]
    s["status"][out] = RESERVE
    perm = permanent[on[s["region"][permanent]]]
    hours_np[perm] = np.maximum(hours_np[perm], cap)
    k = {key: v.copy() for key, v in staff.items()}
    hours_k, banned_k = max_hours.copy(), banned.copy()
    kernels.cut_hourly_home_staff(
        cut=cut, permanent=permanent, region=k["region"], status=k["status"], posting=k["posting"], workplace=k["workplace"],
        home=k["home"], max_hours=hours_k, banned=banned_k, on=on, overtime_max_hours=cap,
    )  # fmt: skip
    assert all(_bits(k[key], s[key]) for key in staff) and _bits(hours_k, hours_np) and _bits(banned_k, on)
    assert back.size > 0 and out.size > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_work_infection_rates_equal_the_numpy_lines(seed):
    rng = np.random.default_rng(seed)
    n_wp, n_reg, n_homes = 300, 21, 40
    work_rate = rng.choice([0.0, 0.005, 0.01], n_wp)
    icu_ids = np.arange(n_reg) * 12 + 1
    covid_ids = np.arange(n_reg) * 12 + 2
    home_wp = 252 + np.arange(n_homes)
    census = rng.uniform(0.0, 9.0, n_wp) * (rng.random(n_wp) < 0.8)
    covid_icu = rng.uniform(0.0, 3.0, n_reg)
    infected = rng.integers(0, 4, n_homes)
    alive = rng.integers(0, 30, n_homes)
    rate = float(rng.choice([0.0, 0.19, 0.3]))
    # the NumPy lines (MobilisationModel._assign_hours before)
    exposure = np.zeros(n_wp)
    icu_census = census[icu_ids]
    exposure[icu_ids] = np.divide(covid_icu, icu_census, out=np.zeros_like(icu_census), where=icu_census > 0)
    exposure[covid_ids] = 1.0
    expected = work_rate * exposure
    expected[home_wp] = rate * infected / np.maximum(alive, 1)
    got = kernels.work_infection_rates(
        work_rate=work_rate, icu_ids=icu_ids, covid_icu=covid_icu, census=census, covid_ward_ids=covid_ids,
        home_workplace=home_wp, staff_exposure_rate=rate, infected=infected, alive=alive,
    )  # fmt: skip
    assert _bits(got, expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_day_census_equals_the_numpy_lines(seed):
    from sim import homecare
    from sim.scenario import HomeCareConfig

    rng = np.random.default_rng(seed)
    n_wp, n_reg, n_homes, n_muni = 400, 21, 40, 60
    base = rng.uniform(0.0, 20.0, n_wp)
    icu_ids, covid_ids = np.arange(n_reg) * 12 + 1, np.arange(n_reg) * 12 + 2
    home_wp, hc_wp = 252 + np.arange(n_homes), 300 + np.arange(n_muni)
    covid_icu, covid_ward, scale = rng.uniform(0, 5, n_reg), rng.uniform(0, 30, n_reg), float(rng.choice([0.05, 1.0]))
    residents, dead, nh_infected = rng.integers(1, 40, n_homes), rng.integers(0, 3, n_homes), rng.integers(0, 5, n_homes)
    clients = rng.integers(0, 50, n_muni) * (rng.random(n_muni) < 0.9)
    susceptible, hc_infected, recovered = clients // 2, clients // 5, clients // 7
    nh_extra, hc_extra = float(rng.choice([0.0, 0.5, 1.0])), float(rng.choice([0.0, 0.5]))
    cfg = HomeCareConfig.model_construct(extra_care_per_infected=hc_extra)
    # the NumPy lines (MobilisationModel._census before)
    expected = base.copy()
    expected[icu_ids] += covid_icu
    expected[covid_ids] = covid_ward * scale
    expected[home_wp] = (residents - dead) + nh_extra * nh_infected
    expected[hc_wp] = homecare.census(clients, susceptible + hc_infected + recovered, hc_infected, cfg)
    got = np.full(n_wp, np.nan)
    kernels.day_census(
        census=got, census_base=base, icu_ids=icu_ids, covid_icu=covid_icu, covid_ward_ids=covid_ids, covid_ward=covid_ward,
        scale=scale, home_workplace=home_wp, home_residents=residents, home_dead=dead, home_infected=nh_infected,
        home_extra_care=nh_extra, hc_workplace=hc_wp, hc_clients=clients, hc_susceptible=susceptible,
        hc_infected=hc_infected, hc_recovered=recovered, hc_extra_care=hc_extra,
    )  # fmt: skip
    assert _bits(got, expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_cohort_ward_shares_equal_the_numpy_expression(seed):
    rng = np.random.default_rng(seed)
    n_wp, n_reg, n_prof = 260, 21, 9
    required = rng.uniform(0.0, 50.0, (n_wp, n_prof)) * (rng.random((n_wp, n_prof)) < 0.7)
    covid_ids, acute_ids = np.arange(n_reg) * 12 + 2, np.arange(n_reg) * 12 + 3
    supply = np.where(rng.random((n_reg, n_prof)) < 0.3, required[covid_ids], rng.uniform(0.0, 60.0, (n_reg, n_prof)))
    required[covid_ids[0], :3], supply[0, :3] = -0.0, 0.0  # a negative zero gap: NumPy's maximum gives +0.0
    required[covid_ids[1], 0] = np.nan  # and passes a NaN on
    # the NumPy expression (Region.plan_all before)
    covid = np.maximum(required[covid_ids] - supply, 0.0)
    total = covid + required[acute_ids]
    expected = np.divide(covid, total, out=np.zeros_like(total), where=total > 0)
    got = kernels.cohort_ward_shares(required=required, covid_ward_ids=covid_ids, acute_ids=acute_ids, supply=supply)
    assert _bits(got, expected)
