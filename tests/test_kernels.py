"""The numba core: random numbers, fatigue, deployment, thread independence."""

from __future__ import annotations

import ast
import itertools
import math
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim import categories, kernels
from sim.world import Queue

SIM = Path(kernels.__file__).resolve().parent


def _draws(seed: int, day: int, n: int, event: int) -> np.ndarray:
    key = np.uint64(kernels.day_key(seed, day))
    return np.array([kernels.uniform(key, i, event) for i in range(n)])


def test_uniform_is_deterministic_and_uniform():
    a = _draws(1, 5, 20_000, kernels.EV_INFECT)
    assert np.array_equal(a, _draws(1, 5, 20_000, kernels.EV_INFECT))
    assert a.min() >= 0.0 and a.max() < 1.0
    assert stats.kstest(a, "uniform").pvalue > 1e-3


@pytest.mark.parametrize(
    "other",
    [(2, 5, kernels.EV_INFECT), (1, 6, kernels.EV_INFECT), (1, 5, kernels.EV_OTHER)],
    ids=["seed", "day", "event"],
)
def test_uniform_streams_are_independent(other):
    a = _draws(1, 5, 20_000, kernels.EV_INFECT)
    b = _draws(*other[:2], 20_000, other[2])
    assert not np.array_equal(a, b)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.03


def test_geometric_days_has_the_requested_mean():
    key = np.uint64(kernels.day_key(3, 0))
    days = np.array([kernels.geometric_days(kernels.uniform(key, i, 1), 10.0) for i in range(50_000)])
    assert days.min() >= 1
    assert days.mean() == pytest.approx(10.0, rel=0.03)


@settings(max_examples=200, deadline=None)
@given(
    f=st.floats(0, 1),
    strain=st.floats(0, 10),
    rise=st.floats(0, 2),
    recovery=st.floats(0, 1),
    threshold=st.floats(0, 2),
)
def test_fatigue_stays_in_bounds(f, strain, rise, recovery, threshold):
    out = kernels.fatigue_step(f, strain, rise, recovery, threshold)
    assert 0.0 <= out <= 1.0


def test_fatigue_rises_with_strain_and_recovers_with_rest():
    f = 0.3
    assert kernels.fatigue_step(f, 2.0, 0.1, 0.03, 0.85) > kernels.fatigue_step(f, 1.0, 0.1, 0.03, 0.85)
    assert kernels.fatigue_step(f, 0.0, 0.1, 0.03, 0.85) < f


def test_fatigue_equilibrium_is_a_fixed_point():
    strain = np.array([0.0, 0.9, 1.2, 2.5])
    eq = kernels.fatigue_equilibrium(strain, 0.1, 0.03, 0.85)
    for s, f in zip(strain, eq, strict=True):
        assert kernels.fatigue_step(f, s, 0.1, 0.03, 0.85) == pytest.approx(f, abs=1e-12)


def test_deploy_by_priority_sends_the_share_of_active_staff_in_queue_order():
    # staff 0-5 form one group, queued 4, 2, 0, 1, 3, 5; staff 6-8, interleaved by id, a second group
    region = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1])
    priority = np.array([2, 3, 1, 4, 0, 5, 0, 1, 2], dtype=float)
    ids = np.array([0, 6, 1, 2, 7, 3, 4, 8, 5])
    queue = Queue.build(ids, region, np.full(9, 4), priority)
    assert queue.order[:6].tolist() == [4, 2, 0, 1, 3, 5] and queue.members.tolist() == list(range(9))
    assert queue.member_group.tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 1]
    status = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0], dtype=np.int8)  # staff 2 is off sick
    home = np.array([7, 7, 7, 7, 7, 7, 8, 8, 8], dtype=np.int32)
    posting = np.full(9, -1, dtype=np.int32)
    posting[1] = 3  # staff 1 is on loan elsewhere
    workplace = np.where(posting >= 0, posting, home).astype(np.int32)
    role = np.full(9, 4, dtype=np.int8)
    eff = np.ones(9)

    def deploy(share, target_role=-1, target_eff=1.0, limit=-1):
        kernels.deploy_by_priority(
            queue.order, queue.start, queue.members, queue.member_group, queue.order_member, np.array([share, 0.0]), np.array([limit, -1]),
            np.array([9, 9]), np.array([target_role, -1]), np.array([target_eff, 1.0]), status, home, posting, workplace, role, eff,
        )  # fmt: skip

    deploy(0.5, target_role=2, target_eff=0.5)
    # 4 available (2 sick, 1 on loan), 50 % -> 2 deployed: the first two available in queue order (4, then 0)
    assert sorted(np.flatnonzero(workplace == 9)) == [0, 4]
    assert workplace[2] == 7 and workplace[1] == 3
    assert role[0] == 2 and role[4] == 2 and role[3] == 4
    assert eff[0] == 0.5 and eff[3] == 1.0
    deploy(1.0, limit=1)  # a limit caps the share: one more, the next in queue order (3)
    assert sorted(np.flatnonzero(workplace == 9)) == [0, 3, 4]
    deploy(1.0)  # the rest of the available: only staff 5 is still at home
    assert sorted(np.flatnonzero(workplace == 9)) == [0, 3, 4, 5]
    assert workplace[6:].tolist() == [8, 8, 8]  # the second group's share is 0: nobody moves


def test_count_supply_counts_only_active_staff():
    status = np.array([0, 0, 1, 4], dtype=np.int8)
    workplace = np.array([0, 1, 0, 1], dtype=np.int32)
    profession = np.array([2, 2, 2, 2], dtype=np.int8)
    eff = np.array([0.5, 1.0, 1.0, 1.0])
    heads, base, cap, base_eff, cap_eff, fatigued = kernels.count_supply(
        status, workplace, profession, eff, np.zeros(4, dtype=np.int8), np.array([5.0]), np.full(4, 6.0), 2, 7, np.ones(4), np.inf, 0.5, 1.0
    )
    assert fatigued.size == 0  # an infinite threshold cuts nobody's hours: no sums
    assert heads[:, 2].tolist() == [1.0, 1.0]
    assert base[:, 2].tolist() == [5.0, 5.0]
    assert cap[:, 2].tolist() == [6.0, 6.0]
    assert base_eff[:, 2].tolist() == [2.5, 5.0]
    assert cap_eff[:, 2].tolist() == [3.0, 6.0]


def test_model_results_do_not_depend_on_thread_count(model_factory, monkeypatch):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs at least two numba threads")
    monkeypatch.setattr(kernels, "THREADED_MIN_ROWS", 0)  # the threaded kernels, whatever the world's size
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = model_factory(seed=4).run()
        numba.set_num_threads(2)
        two = model_factory(seed=4).run()
    finally:
        numba.set_num_threads(before)
    for (name, a), (_, b) in zip(one.daily.items(), two.daily.items(), strict=True):
        assert a.equals(b), name


# --------------------------------------------------------------------------- performance rewrites give the same numbers


@settings(max_examples=300, deadline=None)
@given(u=st.floats(0, 1, exclude_max=True), rate=st.one_of(st.floats(0, 1e-15), st.floats(0, 1e-6), st.floats(0, 5)))
def test_hazard_shortcut_decides_as_the_exponential(u, rate):
    """Skipping the exponential for draws above the hazard's bound never changes a decision."""
    assert (u < rate + kernels.HAZARD_SLACK and u < kernels.hazard_to_probability(rate)) == (u < kernels.hazard_to_probability(rate))


@settings(max_examples=300, deadline=None)
@given(u=st.floats(0, 1, exclude_max=True), f=st.floats(0, 1), rate=st.floats(0, 1), power=st.floats(0.1, 5))
def test_exhaustion_shortcut_decides_as_the_hazard(u, f, rate, power):
    # the reference is the kernel's own probability (libm's exp, through numba): NumPy's vectorised exp may differ from
    # it by one unit in the last place, which decides a draw of exactly 0 against a hazard of ~1e-16
    assert kernels.exhausted(u, f, rate, power) == (u < kernels.hazard_to_probability(rate * f**power))


def test_stream_draws_equal_uniform():
    key = np.uint64(kernels.day_key(7, 3))
    for i in (0, 1, 12345, 2**31 + 5):
        for event in (kernels.EV_INFECT, kernels.EV_LEAVE, kernels.EV_RESIDENT_INFECT + 17):
            assert kernels.draw(np.uint64(kernels.stream(key, i)), event) == kernels.uniform(key, i, event)


def _tally_loop(status, fatigue, group, hours_worked, base_hours, agreement_days, n_regular, n_groups, n_bins):
    """The plain loop over the staff that tally_staff must reproduce bit for bit."""
    counts = np.zeros((n_groups, 8), dtype=np.int32)
    fsum = np.zeros(n_groups)
    hist = np.zeros((n_groups, n_bins), dtype=np.int32)
    hours = np.zeros((n_groups, 4))
    for i in range(status.shape[0]):
        g = group[i]
        counts[g, status[i]] += 1
        if status[i] != kernels.LEFT:
            fsum[g] += fatigue[i]
            hist[g, min(int(fatigue[i] * n_bins), n_bins - 1)] += 1
        h = hours_worked[i]
        if h > 0:
            hours[g, 0] += h
            if i >= n_regular:
                continue
            if agreement_days[i] > 0:
                hours[g, 2] += h
                hours[g, 3] += base_hours[i]
            elif h > base_hours[i]:
                hours[g, 1] += h - base_hours[i]
    return counts, fsum, hist, hours


@pytest.mark.parametrize("threads", [1, 2])
def test_tally_staff_by_blocks_equals_the_plain_loop(threads):
    rng = np.random.default_rng(5)
    n, n_groups = 5_000, 37
    group = rng.integers(0, n_groups, n)
    group[:300] = 3  # one large group, and groups that are empty
    group[group == 11] = 12
    status = rng.integers(0, 8, n).astype(np.int8)
    fatigue = rng.random(n)
    fatigue[:5] = 1.0
    hours_worked = np.where(rng.random(n) < 0.7, rng.uniform(4, 12, n), 0.0)
    base_hours = rng.uniform(5, 8, n)
    agreement_days = np.where(rng.random(n) < 0.2, 3, 0).astype(np.int32)
    expected = _tally_loop(status, fatigue, group, hours_worked, base_hours, agreement_days, 4_500, n_groups, 10)
    before = numba.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    try:
        for n_blocks in (1, 4, 64):
            got = kernels.tally_staff(
                status,
                fatigue,
                *kernels.group_order(group, n_groups, n_blocks),
                hours_worked,
                np.arange(n),
                base_hours,
                agreement_days,
                4_500,
                8,
                10,
            )
            for a, b in zip(got, expected, strict=True):
                assert np.array_equal(a, b)  # bit for bit, not approximately
    finally:
        numba.set_num_threads(before)


def test_group_order_lists_each_group_in_id_order_and_blocks_cover_all_groups():
    group = np.array([2, 0, 2, 1, 0, 2])
    order, start, blocks = kernels.group_order(group, 4, n_blocks=2)
    assert order.tolist() == [1, 4, 3, 0, 2, 5]
    assert start.tolist() == [0, 2, 3, 6, 6]
    assert blocks[0] == 0 and blocks[-1] == 4 and np.all(np.diff(blocks) > 0)


def test_small_kernels_equal_their_numpy_definitions():
    rng = np.random.default_rng(2)
    values = rng.random((50, 7))
    group = rng.integers(0, 9, 50)
    expected = np.stack([np.bincount(group, weights=values[:, p], minlength=9) for p in range(7)], axis=1)
    assert np.array_equal(kernels.sum_rows_by_group(values, group, 9), expected)

    staff = np.sort(rng.choice(400, 120, replace=False))
    key = rng.integers(0, 12, 120)
    hours = rng.uniform(5, 9, 120)
    at_icu = rng.random(120) < 0.3
    status = rng.integers(0, 3, 400).astype(np.int8)
    total, icu = kernels.own_capacity(staff, key, hours, at_icu, status, 12)
    active_hours = hours * (status[staff] == kernels.ACTIVE)
    assert np.array_equal(total, np.bincount(key, weights=active_hours, minlength=12))
    assert np.array_equal(icu, np.bincount(key[at_icu], weights=active_hours[at_icu], minlength=12))

    hist = rng.integers(0, 5, (6, 20)).astype(np.int32)
    hist[2] = 0
    cum = np.cumsum(hist, axis=1)
    idx = np.argmax(cum >= 0.9 * np.maximum(hist.sum(axis=1, keepdims=True), 1), axis=1)
    expected_p90 = np.where(hist.sum(axis=1) > 0, (idx + 1) / 20, np.nan)
    assert np.array_equal(kernels.histogram_p90(hist), expected_p90, equal_nan=True)

    posting = np.array([-1, 3, 3, 0, -1, 5], dtype=np.int32)
    kind = np.array([0, 1, 2, 1, 0, 1], dtype=np.int8)
    region_of = np.array([0, 0, 1, 1, 2, 2])
    counts = kernels.count_posted(posting, kind, region_of, 3, 3)
    assert counts.tolist() == [[0, 0, 0], [1, 1, 1], [0, 1, 0]]


def _record_by_numpy(rng, n_staff, n_reg, day):
    """Random staff and the recorder's NumPy code that ``record_icu_staff`` and ``record_pay`` replaced (issue #18)."""
    n_wp, n_groups = 40, n_reg * 6
    s = {
        "status": rng.integers(0, 11, n_staff).astype(np.int8),
        "fatigue": rng.random(n_staff),
        "fatigue_sustained": rng.random(n_staff),
        "hours_worked": np.where(rng.random(n_staff) < 0.6, rng.uniform(4, 12, n_staff), 0.0),
        "worked_at": rng.integers(0, n_wp, n_staff).astype(np.int16),
        "role": rng.integers(0, 7, n_staff).astype(np.int8),
        "posting": np.where(rng.random(n_staff) < 0.2, rng.integers(0, n_wp, n_staff), -1).astype(np.int16),
        "posting_kind": rng.integers(0, len(categories.POSTINGS), n_staff).astype(np.int8),
        "region": rng.integers(0, n_reg, n_staff).astype(np.int16),
        "profession": rng.integers(0, 7, n_staff).astype(np.int8),
        "contract": rng.integers(0, 6, n_staff).astype(np.int8),
        "last_other_home_day": rng.integers(-20, day + 1, n_staff).astype(np.int16),
    }
    s["posting_kind"][s["posting"] < 0] = 0
    if n_staff % 2:  # nobody in reserve: no saving at all (0.0, not −0.0)
        s["status"][s["status"] == categories.RESERVE] = categories.ACTIVE
    base_hours, wage = rng.uniform(5, 8, 6), rng.uniform(200, 400, 7)
    kind, wp_region = rng.integers(0, 5, n_wp), rng.integers(0, n_reg, n_wp).astype(np.int16)
    is_icu = kind == 0
    posted_column = np.where(is_icu, wp_region, wp_region + n_reg)
    ids = np.arange(n_staff)
    icu_staff, icu_nurses = np.sort(rng.choice(ids, n_staff // 3, replace=False)), np.sort(rng.choice(ids, n_staff // 4, replace=False))
    support, recruits = np.sort(rng.choice(ids, n_staff // 2, replace=False)), np.sort(rng.choice(ids, n_staff // 5, replace=False))
    pool_extra, hourly = np.sort(rng.choice(ids, n_staff // 7, replace=False)), np.sort(rng.choice(ids, n_staff // 6, replace=False))
    codes = np.arange(11)
    unavailable = np.isin(codes, (categories.LEFT, categories.SICK_COVID, categories.SICK_OTHER)) | (codes >= categories.ENTRANT)
    group_hours, group_wage, group_region = (
        rng.uniform(0, 50, (n_groups, 4)),
        rng.uniform(200, 400, n_groups),
        np.repeat(np.arange(n_reg), 6),
    )
    overtime_m, agreement_m, recruit_f = 1.5, 2.2, 1.3
    inputs = {**s, "base_hours": base_hours, "wage": wage, "is_icu": is_icu, "wp_region": wp_region, "posted_column": posted_column}
    inputs |= {"icu_staff": icu_staff, "icu_nurses": icu_nurses, "support": support, "recruits": recruits, "pool_extra": pool_extra}
    inputs |= {
        "hourly": hourly,
        "unavailable": unavailable,
        "group_hours": group_hours,
        "group_wage": group_wage,
        "group_region": group_region,
    }
    inputs["params"] = kernels.make_params(
        kernels.PayParams, overtime_multiplier=overtime_m, agreement_multiplier=agreement_m, recruit_wage_factor=recruit_f
    )
    # the old code of Recorder._record_levers, line for line
    out = {}
    icu_status = s["status"][icu_staff]
    out["available"] = np.count_nonzero(~unavailable[icu_status])
    present = icu_staff[(icu_status != categories.LEFT) & (icu_status < categories.ENTRANT)]
    out["icu_fatigue"] = np.array([s["fatigue"][present].mean(dtype=np.float64), s["fatigue_sustained"][present].mean(dtype=np.float64)])
    nurses = icu_nurses[is_icu[s["worked_at"][icu_nurses]]]
    out["specialist_nurses"] = np.bincount(wp_region[s["worked_at"][nurses]], weights=s["hours_worked"][nurses], minlength=n_reg) / 24.0
    posted = kernels.count_posted(
        posting=s["posting"],
        posting_kind=s["posting_kind"],
        workplace_region=posted_column,
        n_regions=2 * n_reg,
        n_kinds=len(categories.POSTINGS),
    )
    posted = posted[:, :n_reg] + posted[:, n_reg:], posted[:, :n_reg]
    loan, pool = categories.POSTINGS.index("loan"), categories.POSTINGS.index("pool")
    out["loaned_in"], out["pool_in"], out["pool_in_icu"] = posted[0][loan], posted[0][pool], posted[1][pool]
    out["upskilled_in_icu"] = kernels.count_upskilled_in_icu(
        support=support,
        worked_at=s["worked_at"],
        role=s["role"],
        posting=s["posting"],
        hours_worked=s["hours_worked"],
        is_icu=is_icu,
        workplace_region=wp_region,
        icu_role=-1,
        n_regions=n_reg,
    )
    working = recruits[s["hours_worked"][recruits] > 0]
    out["recruits_working"] = np.bincount(s["region"][working], minlength=n_reg)
    cost = np.zeros((n_reg, 5))
    cost[:, 0] = np.bincount(group_region, weights=group_hours[:, 1] * group_wage * overtime_m, minlength=n_reg)
    cost[:, 1] = np.bincount(group_region, weights=(group_hours[:, 2] * agreement_m - group_hours[:, 3]) * group_wage, minlength=n_reg)
    h, p = s["hours_worked"], s["profession"]
    cost[:, 2] = np.bincount(s["region"][recruits], weights=h[recruits] * wage[p[recruits]] * recruit_f, minlength=n_reg)
    cost[:, 3] = np.bincount(s["region"][pool_extra], weights=h[pool_extra] * wage[p[pool_extra]], minlength=n_reg)
    banned = hourly[s["status"][hourly] == categories.RESERVE]
    cost[:, 4] = -np.bincount(s["region"][banned], weights=base_hours[s["contract"][banned]] * wage[p[banned]], minlength=n_reg)
    out["cost"] = cost
    hourly_region = s["region"][hourly]
    n = np.bincount(hourly_region, minlength=n_reg)
    several = s["last_other_home_day"][hourly] > day - 14
    out["multi_home_share"] = np.divide(np.bincount(hourly_region[several], minlength=n_reg), n, out=np.zeros(n_reg), where=n > 0)
    return inputs, out


@pytest.mark.parametrize("seed", range(10))
def test_recorder_kernels_record_as_the_numpy_code(seed):
    """record_icu_staff and record_pay: the old NumPy code's values bit for bit (float sums in the same order), in the day's row."""
    rng = np.random.default_rng(seed)
    n_reg, day, n_days = 5, 30, 40
    x, expected = _record_by_numpy(rng, [300, 1000, 5000, 301][seed % 4], n_reg, day)
    rows = {
        name: np.zeros((n_days, n_reg), dtype=dtype)
        for name, dtype in [
            ("specialist_nurses", np.float64),
            ("loaned_in", np.int32),
            ("pool_in", np.int32),
            ("pool_in_icu", np.int32),
            ("upskilled_in_icu", np.int32),
            ("recruits_working", np.int32),
            ("multi_home_share", np.float64),
        ]
    }
    available = np.zeros(n_days, dtype=np.int64)
    fatigue, sustained = kernels.record_icu_staff(
        icu_staff=x["icu_staff"],
        icu_nurses=x["icu_nurses"],
        support=x["support"],
        status=x["status"],
        fatigue=x["fatigue"],
        fatigue_sustained=x["fatigue_sustained"],
        hours_worked=x["hours_worked"],
        worked_at=x["worked_at"],
        role=x["role"],
        posting=x["posting"],
        posting_kind=x["posting_kind"],
        unavailable=x["unavailable"],
        is_icu=x["is_icu"],
        workplace_region=x["wp_region"],
        posted_column=x["posted_column"],
        icu_role=-1,
        loan_kind=categories.POSTINGS.index("loan"),
        pool_kind=categories.POSTINGS.index("pool"),
        n_kinds=len(categories.POSTINGS),
        day=day,
        available=available,
        specialist_nurses=rows["specialist_nurses"],
        loaned_in=rows["loaned_in"],
        pool_in=rows["pool_in"],
        pool_in_icu=rows["pool_in_icu"],
        upskilled_in_icu=rows["upskilled_in_icu"],
    )
    cost = np.full((n_reg, 8), 7.0)
    columns = np.array([0, 1, 2, 3, 5])
    kernels.record_pay(
        group_hours=x["group_hours"],
        group_region=x["group_region"],
        group_wage=x["group_wage"],
        status=x["status"],
        hours_worked=x["hours_worked"],
        region=x["region"],
        profession=x["profession"],
        contract=x["contract"],
        base_hours_by_contract=x["base_hours"],
        wage=x["wage"],
        recruits=x["recruits"],
        pool_extra=x["pool_extra"],
        hourly_home=x["hourly"],
        hourly_region=x["region"][x["hourly"]],
        hourly_per_region=np.bincount(x["region"][x["hourly"]], minlength=n_reg),
        last_other_home_day=x["last_other_home_day"],
        lately=day - 14,
        params=x["params"],
        columns=columns,
        cost=cost,
        day=day,
        recruits_working=rows["recruits_working"],
        multi_home_share=rows["multi_home_share"],
    )
    assert available[day] == expected["available"] and not available[day - 1]
    assert np.array([fatigue.mean(), sustained.mean()]).tobytes() == expected["icu_fatigue"].tobytes()  # as the recorder takes them
    for name, values in rows.items():
        assert values[day].tobytes() == expected[name].astype(values.dtype).tobytes(), name
        assert not values[day - 1].any() and not values[day + 1].any(), name
    assert cost[:, columns].tobytes() == expected["cost"].tobytes()  # −0.0 and 0.0 for no saving, as the old code
    assert (cost[:, [4, 6, 7]] == 7.0).all()  # the other items untouched


def test_recorder_sums_by_group_as_the_numpy_code():
    """record_work, record_home_care and record_fatigue_p90: the old stacked sums and the two histogram_p90 calls."""
    rng = np.random.default_rng(4)
    n_wp, n_roles, n_groups, day = 60, 7, 9, 3
    group = rng.integers(0, n_groups, n_wp)
    arrays = [rng.random((n_wp, n_roles)) * 10.0 ** rng.integers(-3, 4, (n_wp, n_roles)) for _ in range(5)]
    outs = [np.full((5, n_groups, n_roles), 9.0) for _ in range(5)]
    names = ["required", "supplied", "overtime", "heads", "capacity_lost"]
    kernels.record_work(
        **dict(zip(names, arrays, strict=True)), group=group, **{f"out_{k}": out[day] for k, out in zip(names, outs, strict=True)}
    )
    stacked = kernels.sum_rows_by_group(values=np.stack(arrays[:4], axis=1).reshape(n_wp, -1), group=group, n_groups=n_groups)
    stacked = stacked.reshape(n_groups, 4, -1)
    for k in range(4):
        assert outs[k][day].tobytes() == stacked[:, k].tobytes()
    assert outs[4][day].tobytes() == kernels.sum_rows_by_group(values=arrays[4], group=group, n_groups=n_groups).tobytes()
    assert (outs[0][day - 1] == 9.0).all()
    none = np.zeros((0, n_roles))  # no capacity lost recorded: nothing to sum
    kernels.record_work(
        **dict(zip(names[:4], arrays[:4], strict=True)),
        capacity_lost=none,
        group=group,
        **{f"out_{k}": out[day] for k, out in zip(names[:4], outs[:4], strict=True)},
        out_capacity_lost=none,
    )
    assert outs[0][day].tobytes() == stacked[:, 0].tobytes()

    n_mun, n_reg = 50, 6
    region = rng.integers(0, n_reg, n_mun)
    services = [rng.integers(0, 100, n_mun) for _ in range(4)] + [rng.random(n_mun) * 50 for _ in range(2)]
    outs = [np.zeros((5, n_reg), dtype=np.int64) for _ in range(4)] + [np.zeros((5, n_reg)) for _ in range(2)]
    names = ["alive", "infected", "new_infections", "deaths", "planned", "missed"]
    kernels.record_home_care(
        **dict(zip(names, services, strict=True)),
        municipality_region=region,
        day=day,
        **{f"out_{k}": out for k, out in zip(names, outs, strict=True)},
    )
    by_region = kernels.sum_rows_by_group(values=np.stack(services, axis=1).astype(np.float64), group=region, n_groups=n_reg)
    for k in range(6):
        expected = np.zeros(n_reg, dtype=outs[k].dtype)
        expected[:] = by_region[:, k]
        assert outs[k][day].tobytes() == expected.tobytes()

    hist = rng.integers(0, 5, (n_groups, 20)).astype(np.int32)
    hist[2] = 0
    by_group, national = np.zeros((5, n_groups)), np.zeros(5)
    kernels.record_fatigue_p90(hist=hist, day=day, by_group=by_group, national=national)
    assert np.array_equal(by_group[day], kernels.histogram_p90(hist=hist), equal_nan=True)
    assert national[day] == kernels.histogram_p90(hist=hist.sum(axis=0, keepdims=True))[0]


def test_on_vacation_counts_those_who_went_or_start_today_active():
    ids = np.array([4, 0, 2, 3], dtype=np.int64)  # staff whose vacation spans today, in schedule order
    start_day = np.array([10, 0, 12, 12, 11])
    status = np.array([0, 0, 0, 1, 0], dtype=np.int8)  # staff 3 is off sick on its first day
    went = np.array([True, False, False, False, True])
    home = np.array([0, 1, 1, 2, 2], dtype=np.int32)
    away_ids, away = kernels.on_vacation(ids, start_day, 12, status, went, home, 3)
    assert away_ids.tolist() == [4, 0, 2]  # 4 and 0 went earlier, 2 starts today; 3 does not (sick)
    assert away.tolist() == [1, 1, 1]


# --------------------------------------------------------------------------- codes from one source, calls by keyword


def _module_level_int_assignments(path: Path) -> dict[str, int]:
    """Names bound at module level to integer literals (``X = 3``, ``A, B = 0, 1``, ``A, B = range(2)``) in a source file."""
    out: dict[str, int] = {}
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            names = [target] if isinstance(target, ast.Name) else list(getattr(target, "elts", []))
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "range":
                values = [ast.Constant(v) for v in range(*(ast.literal_eval(a) for a in value.args))]
            else:
                values = list(value.elts) if isinstance(value, ast.Tuple) else [value]
            for name, v in zip(names, values, strict=False):
                if isinstance(name, ast.Name) and isinstance(v, ast.Constant) and type(v.value) is int:
                    out[name.id] = v.value
    return out


def test_category_codes_have_one_source():
    """No module of the package writes its own copy of a code of ``sim.categories``, and the kernels use the very codes."""
    codes = _module_level_int_assignments(SIM / "categories.py")
    assert {"ACTIVE", "LEFT", "OFF_DUTY", "HOURLY", "NURSING_HOME"} <= codes.keys()  # the scan reads categories' ``range`` rows
    for path in sorted(SIM.glob("*.py")):
        if path.name != "categories.py":
            copies = codes.keys() & _module_level_int_assignments(path).keys()
            assert not copies, f"{path.name} copies category codes {sorted(copies)}: import them from sim.categories"
    for name in dir(kernels):
        if name in codes:
            assert getattr(kernels, name) is getattr(categories, name) == codes[name], name


def test_event_keys_are_defined_once_and_distinct():
    """``EV_*`` keys of the random draws live in the kernels only; no two events share a key (or a resident's range)."""
    for path in sorted(SIM.glob("*.py")):
        if path.name != "kernels.py":
            assert not [n for n in _module_level_int_assignments(path) if n.startswith("EV_")], path.name
    events = {n: v for n, v in _module_level_int_assignments(SIM / "kernels.py").items() if n.startswith("EV_")}
    # per-resident and per-client keys are offsets of a base (home care, issue #16: a municipality's clients)
    ranges = (
        "EV_RESIDENT_INFECT",
        "EV_RESIDENT_RECOVER",
        "EV_RESIDENT_DEATH",
        "EV_RESIDENT_ASSESS",
        "EV_CLIENT_COMMUNITY",
        "EV_CLIENT_RESOLVE",
        "EV_CLIENT_DEATH",
        "EV_QUIET",
    )
    singles = [v for n, v in events.items() if n not in ranges]
    assert len(set(singles)) == len(singles)
    # the ranges must not reach another event's key: each base lies above the singles and below the next base
    bases = [events[n] for n in ranges]
    assert max(singles) < kernels.EV_RESIDENT_INFECT < kernels.EV_RESIDENT_RECOVER
    assert bases == sorted(bases) and all(b - a >= 999_000 for a, b in itertools.pairwise(bases))


def _nursing_home_args() -> dict:
    """Keyword arguments of a small ``advance_nursing_homes`` call: three staff, one home."""
    return {
        "key": np.uint64(kernels.day_key(seed=1, day=0)),
        "day": 0,
        "status": np.zeros(3, dtype=np.int8),
        "workplace": np.zeros(3, dtype=np.int32),
        "infected_day": np.array([0, -1, -1], dtype=np.int32),
        "hygiene_code": np.zeros(3, dtype=np.uint8),  # no hygiene skill: a transmission factor of 1 (sim.lookup)
        "hygiene_table": np.zeros(1),
        "hygiene_protection": 0.5,
        "workplace_home": np.zeros(1, dtype=np.int32),
        "susceptible": np.full(1, 40, dtype=np.int64),
        "infected": np.zeros(1, dtype=np.int64),
        "recovered": np.zeros(1, dtype=np.int64),
        "dead": np.zeros(1, dtype=np.int64),
        "assessed": np.zeros(1, dtype=np.int64),
        "transmission": np.zeros(1),  # no spread among residents, no recovery: only staff's introductions
        "death_factor": np.ones(1),
        "assessment_probability": np.zeros(1),
        "introductions": np.zeros(1, dtype=np.int64),
        "deaths": np.zeros(1, dtype=np.int64),
        "assessments": np.zeros(1, dtype=np.int64),
        "home_params": kernels.make_params(kernels.NursingHomeParams, infectious_days=5, seed_rate=1.0, recovery_probability=0.0),
        "resident_params": kernels.make_params(kernels.ResidentParams, death_probability=0.0, assessed_death_factor=1.0),
    }


def test_kernel_calls_check_names_and_parameter_groups():
    """Misordered calls fail loudly: an unknown or missing keyword is a TypeError, a group in another's place does not compile."""
    args = _nursing_home_args()
    kernels.advance_nursing_homes(**dict(reversed(args.items())))  # the right names, in any order
    assert args["introductions"][0] == 1 and args["infected"][0] == 1  # staff 0, infectious at work, seeded the home

    old_style = {k: v for k, v in _nursing_home_args().items() if k not in ("home_params", "resident_params")}
    with pytest.raises(TypeError):  # the scalars by their old names instead of the group
        kernels.advance_nursing_homes(**old_style, infectious_days=5, seed_rate=1.0, recovery_probability=0.1)
    with pytest.raises(TypeError):  # one left out
        kernels.advance_nursing_homes(**old_style)
    swapped = _nursing_home_args()
    swapped["home_params"] = kernels.make_params(
        kernels.InfectionParams,
        community_rate=1.0,
        symptomatic_share=0.1,
        onset_days=5,
        covid_mean_days=10.0,
        long_share=0.1,
        long_mean_days=30.0,
    )
    with pytest.raises(numba.core.errors.TypingError, match="Unknown attribute"):  # another group's record in its place
        kernels.advance_nursing_homes(**swapped)


def test_make_params_converts_to_the_field_types_and_checks_names():
    p = kernels.make_params(kernels.NursingHomeParams, infectious_days=np.int64(5), seed_rate=1, recovery_probability=np.float64(0.25))
    assert p == (5, 1.0, 0.25) and [type(v) for v in p] == [int, float, float]  # one compiled signature whatever the scenario wrote
    with pytest.raises(TypeError):  # a whole number of days is not truncated from 5.5
        kernels.make_params(kernels.NursingHomeParams, infectious_days=5.5, seed_rate=1.0, recovery_probability=0.1)
    with pytest.raises(TypeError):  # a misspelt name
        kernels.make_params(kernels.NursingHomeParams, infectious_days=5, seed_rate=1.0, recovery_prob=0.1)


@pytest.mark.parametrize(
    "module", ["model.py", "world.py", "recorder.py", *(f"levers/{p.name}" for p in sorted((SIM / "levers").glob("*.py")))]
)
def test_model_calls_kernels_by_keyword(module):
    """Every call into the core names every argument: the model, the world, the recorder and every lever."""
    positional = [
        f"line {node.lineno}: kernels.{node.func.attr}"
        for node in ast.walk(ast.parse((SIM / module).read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "kernels"
        and hasattr(getattr(kernels, node.func.attr), "py_func")  # a compiled kernel (not make_params)
        and node.args
    ]
    assert not positional, positional


def test_threaded_kernels_and_their_serial_twins_give_the_same_run(model_factory, monkeypatch):
    """Small worlds run the kernels over the staff on one thread (kernels.Threaded, issue #18): the same results."""
    monkeypatch.setattr(kernels, "THREADED_MIN_ROWS", 0)
    threaded = model_factory(seed=5).run()
    monkeypatch.setattr(kernels, "THREADED_MIN_ROWS", 10**12)
    serial = model_factory(seed=5).run()
    for (name, a), (_, b) in zip(threaded.daily.items(), serial.daily.items(), strict=True):
        assert a.equals(b), name
    assert threaded.summary.equals(serial.summary)
    twins = [k for k in vars(kernels).values() if isinstance(k, kernels.Threaded)]
    assert {k.__name__ for k in twins} >= {"advance_staff", "tally_staff", "place_under_agreement"}
    for kernel in twins:  # the serial twin under its own name (numba's cache keeps the two apart)
        assert kernel.serial.py_func.__qualname__ == kernel.__qualname__ + "_serial"


def _lend_by_python_loop(
    short,
    short_role,
    wanted,
    spare,
    roles,
    cluster,
    cluster_homes,
    cluster_start,
    lend_ids,
    lend_start,
    n_prof,
    status,
    posting,
    workplace,
    home,
):
    """``HomeCooperation._lend``'s loops before issue #18 (roles in turn, as ``short`` lists them), moving staff as ``post`` does."""
    spare, posting, workplace = spare.copy(), posting.copy(), workplace.copy()
    ids, moves = [], []
    for b, r, wanted_b in zip(short, short_role, wanted, strict=True):
        want = int(wanted_b)
        partners = cluster_homes[cluster_start[cluster[b]] : cluster_start[cluster[b] + 1]]
        for lender in partners[np.argsort(-spare[partners, r], kind="stable")]:
            if want <= 0:
                break
            give = min(int(spare[lender, r]), want)
            if lender == b or give <= 0:
                continue
            k = lender * n_prof + roles[r]
            pool = lend_ids[lend_start[k] : lend_start[k + 1]]
            free = pool[(status[pool] == categories.ACTIVE) & (posting[pool] < 0) & (workplace[pool] == home[pool])][:give]
            if free.size == 0:
                continue
            posting[free], workplace[free] = 10_000 + b, 10_000 + b
            ids.extend(free.tolist())
            moves.append((int(lender), int(b), int(r), free.size))
            spare[lender, r] -= free.size
            want -= free.size
    return ids, moves


@pytest.mark.parametrize("seed", range(40))
def test_lend_in_clusters_decides_as_the_python_loop(seed):
    """home_cooperation's kernel: the same moves, in the same order, as the loops it replaced (ties in spare included)."""
    rng = np.random.default_rng(seed)
    n_homes, n_prof, roles = int(rng.integers(2, 12)), 4, np.array([1, 2, 3])
    size = int(rng.integers(2, 5))
    cluster = np.arange(n_homes) // size
    if n_homes % size == 1:
        cluster[-1] = cluster[-2]
    cluster_homes = np.arange(n_homes)
    cluster_start = np.searchsorted(cluster, np.arange(cluster.max() + 2))
    heads = rng.integers(0, 8, size=n_homes * n_prof)
    lend_start = np.concatenate([[0], np.cumsum(heads)])
    n_staff = int(lend_start[-1])
    lend_ids = rng.permutation(n_staff)
    home = np.repeat(np.arange(n_homes * n_prof) // n_prof, heads)[np.argsort(lend_ids)]
    status = np.where(rng.random(n_staff) < 0.8, categories.ACTIVE, categories.OFF_DUTY).astype(np.int8)
    posting = np.where(rng.random(n_staff) < 0.1, 5, -1)
    workplace = np.where(rng.random(n_staff) < 0.1, home + 1, home)
    spare = rng.integers(0, 4, size=(n_homes, roles.size)).astype(float)  # many ties
    short = [(r, h) for r in range(roles.size) for h in rng.permutation(n_homes)[: int(rng.integers(0, n_homes + 1))]]
    short_role = np.array([r for r, _ in short], dtype=np.int64)
    short_home = np.array([h for _, h in short], dtype=np.int64)
    wanted = rng.integers(0, 6, size=short_home.size)
    args = (
        short_home,
        short_role,
        wanted,
        spare,
        roles,
        cluster,
        cluster_homes,
        cluster_start,
        lend_ids,
        lend_start,
        n_prof,
        status,
        posting,
        workplace,
        home,
    )
    expected_ids, expected_moves = _lend_by_python_loop(*args)
    ids, lender, borrower, role, count = kernels.lend_in_clusters(
        short=short_home,
        short_role=short_role,
        wanted=wanted,
        spare=spare,
        roles=roles,
        cluster=cluster,
        cluster_homes=cluster_homes,
        cluster_start=cluster_start,
        lend_ids=lend_ids,
        lend_start=lend_start,
        n_professions=n_prof,
        status=status,
        posting=posting,
        workplace=workplace,
        home=home,
    )
    assert ids.tolist() == expected_ids
    assert list(zip(lender.tolist(), borrower.tolist(), role.tolist(), count.tolist(), strict=True)) == expected_moves


def _send_by_python_loop(team, region, homes, home_region, munis, muni_region, per_home, per_muni, home_wp, hc_wp, factor, s, nh_t, hc_t):
    """``MobileTeams.act``'s loop over regions before issue #18 (``available`` first, then ``_send`` twice a region)."""
    n_reg = per_home.size
    free = team[(s["status"][team] == categories.ACTIVE) & (s["posting"][team] < 0) & (s["workplace"][team] == s["home"][team])]
    by_region = np.searchsorted(region[free], np.arange(n_reg + 1))
    home_bounds = np.searchsorted(home_region[homes], np.arange(n_reg + 1))
    muni_bounds = np.searchsorted(muni_region[munis], np.arange(n_reg + 1))
    sent = []

    def send(nurses, places, per_place, workplace_of, transmission):
        k = min(round(per_place * places.size), nurses.size)
        if k > 0:
            s["workplace"][nurses[:k]] = workplace_of[places[np.arange(k) % places.size]]
            transmission[places[: min(k, places.size)]] *= factor
            sent.append(nurses[:k])
        return k

    for r in np.flatnonzero((np.diff(home_bounds) > 0) | (np.diff(muni_bounds) > 0)):
        mine = free[by_region[r] : by_region[r + 1]]
        k = send(mine, homes[home_bounds[r] : home_bounds[r + 1]], per_home[r], home_wp, nh_t)
        send(mine[k:], munis[muni_bounds[r] : muni_bounds[r + 1]], per_muni[r], hc_wp, hc_t)
    return np.concatenate(sent) if sent else np.zeros(0, dtype=np.int64)


@pytest.mark.parametrize("seed", range(30))
def test_send_mobile_teams_sends_as_the_python_loop(seed):
    """mobile_teams' kernel: the same nurses to the same places, the same transmission factors, as the loop it replaced
    (halves rounded to even, regions short of free nurses included)."""
    rng = np.random.default_rng(seed)
    n_reg, n_staff = 4, 60
    region = np.sort(rng.integers(0, n_reg, n_staff))
    home_region, muni_region = np.sort(rng.integers(0, n_reg, 25)), np.sort(rng.integers(0, n_reg, 10))
    team = np.flatnonzero(rng.random(n_staff) < 0.7)  # by region, then (here) id order
    s = {
        "status": np.where(rng.random(n_staff) < 0.8, categories.ACTIVE, categories.OFF_DUTY).astype(np.int8),
        "posting": np.where(rng.random(n_staff) < 0.1, 3, -1),
        "home": rng.integers(0, 50, n_staff),
    }
    s["workplace"] = np.where(rng.random(n_staff) < 0.1, s["home"] + 1, s["home"])
    homes = np.flatnonzero(rng.random(home_region.size) < 0.5)
    munis = np.flatnonzero(rng.random(muni_region.size) < 0.5)
    per_home, per_muni = rng.choice([0.0, 0.5, 1.0, 1.5, 2.5, 7.0], n_reg), rng.choice([0.0, 0.5, 1.0, 2.5], n_reg)
    home_wp, hc_wp = 100 + np.arange(home_region.size), 200 + np.arange(muni_region.size)
    nh_t, hc_t = rng.random(home_region.size), rng.random(muni_region.size)
    expected_s = {k: v.copy() for k, v in s.items()}
    expected_nh, expected_hc = nh_t.copy(), hc_t.copy()
    expected = _send_by_python_loop(
        team,
        region,
        homes,
        home_region,
        munis,
        muni_region,
        per_home,
        per_muni,
        home_wp,
        hc_wp,
        0.8,
        expected_s,
        expected_nh,
        expected_hc,
    )
    sent = kernels.send_mobile_teams(
        team=team,
        team_start=np.searchsorted(region[team], np.arange(n_reg + 1)),
        homes=homes,
        home_start=np.searchsorted(home_region[homes], np.arange(n_reg + 1)),
        municipalities=munis,
        municipality_start=np.searchsorted(muni_region[munis], np.arange(n_reg + 1)),
        per_home=per_home,
        per_municipality=per_muni,
        home_workplace=home_wp,
        home_care_workplace=hc_wp,
        factor=0.8,
        status=s["status"],
        posting=s["posting"],
        home=s["home"],
        workplace=s["workplace"],
        nh_transmission=nh_t,
        hc_transmission_factor=hc_t,
    )
    assert sent.tolist() == expected.tolist()
    assert (s["workplace"] == expected_s["workplace"]).all()
    assert nh_t.tobytes() == expected_nh.tobytes() and hc_t.tobytes() == expected_hc.tobytes()


@pytest.mark.parametrize("seed", range(20))
def test_pick_attendees_picks_as_the_numpy_rule(seed):
    """hygiene_training's kernel: the same attendees and the same pending list as the masks and ranks it replaced."""
    rng = np.random.default_rng(seed)
    n_reg, n = 5, 300
    eligible = rng.permutation(1000)[:n]
    status = np.where(rng.random(1000) < 0.7, categories.ACTIVE, categories.OFF_DUTY).astype(np.int8)
    pending = np.flatnonzero(rng.random(n) < 0.6)
    pending_region = np.sort(rng.integers(0, n_reg, n)).astype(np.int8)[pending]
    running, places = rng.random(n_reg) < 0.7, rng.integers(-1, 30, n_reg)
    region = pending_region
    candidates = np.flatnonzero(running[region] & (status[eligible[pending]] == categories.ACTIVE))
    rank = np.arange(candidates.size) - np.searchsorted(region[candidates], region[candidates])
    picked = candidates[rank < places[region[candidates]]]
    keep = np.ones(pending.size, dtype=bool)
    keep[picked] = False
    ids, left, left_region = kernels.pick_attendees(
        pending=pending, pending_region=pending_region, eligible=eligible, status=status, running=running, places=places
    )
    assert ids.tolist() == eligible[pending[picked]].tolist() and picked.size > 0
    assert left.tolist() == pending[keep].tolist() and left_region.tolist() == pending_region[keep].tolist()
    assert left_region.dtype == pending_region.dtype


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int64, np.uint8, np.uint64, np.float64])
def test_rank_within_counts_as_the_stable_argsort(dtype):
    """``levers.base.rank_within`` (a counting kernel for small integer codes): the ranks of the stable-argsort rule."""
    from sim.levers.base import rank_within

    rng = np.random.default_rng(7)
    for n in (0, 1, 5, 300):
        for lo, hi in ((0, 3), (-4, 21), (5, 6)) if np.dtype(dtype).kind != "u" else ((0, 3), (5, 6)):
            groups = rng.integers(lo, hi, n).astype(dtype)
            order = np.argsort(groups, kind="stable")
            g = groups[order]
            starts = np.concatenate([[0], np.flatnonzero(np.diff(g)) + 1]).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
            expected = np.empty(n, dtype=np.int64)
            expected[order] = np.arange(n) - np.repeat(starts, np.diff(np.concatenate([starts, [n]])))
            rank = rank_within(groups)
            assert rank.dtype == np.int64 and rank.tolist() == expected.tolist()
            assert rank_within(np.sort(groups)).tolist() == (np.arange(n) - np.searchsorted(np.sort(groups), np.sort(groups))).tolist()
    assert rank_within(np.array([1.0, np.nan, 1.0, np.nan])).tolist() == [0, 0, 1, 0]  # floats: the argsort path (each NaN alone)


@pytest.mark.parametrize("seed", range(5))
def test_longest_first_is_a_stable_sort_of_placement_days(seed):
    """The crisis agreement's order of due rests (a counting sort): as ``np.argsort(-days[ids], kind="mergesort")``."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 400))
    days = rng.integers(1, 40, n).astype(kernels.DAY)
    due = rng.random(n) < [0.0, 0.05, 0.5, 1.0, 0.3][seed]
    ids = np.flatnonzero(due)
    expected = ids[np.argsort(-days[ids], kind="mergesort")]
    got = kernels._longest_first(due, days)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)


def _home_conditions_numpy(present, alive, rn_norm, required, supplied, transmission, p):
    """The NumPy code ``kernels.home_conditions`` replaced (MobilisationModel._home_conditions before issue #18)."""
    heads, skill, nurses, nurse_skill, nurse_hours = present.T
    norm_hours = alive * rn_norm
    cover = np.minimum(np.divide(nurse_hours, norm_hours, out=np.ones_like(nurse_hours), where=norm_hours > 0), 1.0)
    others_gap = (heads - nurses) - (skill - nurse_skill)
    taught = skill + p.rn_teaching * cover * others_gap
    hygiene = np.divide(taught, heads, out=np.zeros_like(taught), where=heads > 0)
    need = alive * p.rn_hours_per_resident_day
    delegated = np.clip(1.0 - np.divide(nurse_hours, need, out=np.ones_like(need), where=need > 0), 0.0, 1.0)
    beyond = p.normal_delegated_share
    excess = np.maximum(delegated - beyond, 0.0) / (1.0 - beyond) if beyond < 1.0 else np.zeros_like(need)
    missed = np.maximum(required - supplied, 0.0)
    missed_share = np.divide(missed, required, out=np.zeros_like(required), where=required > 0)
    death_factor = (1.0 + p.missed_care_death_factor * missed_share) * (1.0 + p.delegation_death_factor * excess)
    return hygiene, delegated, missed, death_factor, transmission * (1.0 - p.hygiene_protection * hygiene)


@pytest.mark.parametrize("seed", range(6))
def test_home_conditions_equal_the_numpy_code(seed):
    """Nursing homes' hygiene, delegation, missed care, death factor and spread: bit for bit as the NumPy code, with
    homes nobody worked in, without residents, without required hours, and all delegation normal (beyond = 1)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    heads = rng.integers(0, 12, n).astype(float)
    nurses = np.floor(heads * rng.random(n))
    skill = heads * rng.random(n)
    nurse_skill = np.minimum(skill, nurses * rng.random(n))
    present = np.stack([heads, skill, nurses, nurse_skill, nurses * 8.0 * rng.random(n)], axis=1)
    alive = rng.integers(0, 40, n) * (rng.random(n) > 0.2)
    required = rng.random(n) * 100 * (rng.random(n) > 0.2)
    supplied = required * rng.random(n) * 1.2
    p = kernels.HomeConditionParams(
        rn_teaching=float(rng.random()),
        rn_hours_per_resident_day=float(rng.random()),
        normal_delegated_share=1.0 if seed == 5 else float(rng.random()),
        missed_care_death_factor=float(rng.random() * 3),
        delegation_death_factor=float(rng.random() * 3),
        hygiene_protection=float(rng.random()),
    )
    args = (present, alive, rng.random(n) * (rng.random(n) > 0.1), required, supplied, rng.random(n))
    for got, want in zip(kernels.home_conditions(*args, p), _home_conditions_numpy(*args, p), strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.view(np.int64), want.view(np.int64))  # the bits, signs of zero included


@pytest.mark.parametrize("seed", range(5))
def test_home_care_visits_equal_the_numpy_code(seed):
    """Home care's visits of the day (``kernels.home_care_visits``): bit for bit as the NumPy code of
    ``sim.homecare.visits`` before issue #18, with services nobody works in, without clients or required hours."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    alive = rng.integers(0, 50, n) * (rng.random(n) > 0.1).astype(float)
    infected = np.floor(alive * rng.random(n) * 0.3)
    required = rng.random(n) * 80 * (rng.random(n) > 0.1)
    supplied = required * rng.random(n) * 1.1
    heads = rng.integers(0, 9, n)
    vpc, c2s = float(rng.random() * 3), float(rng.random() * 0.01)
    planned = vpc * alive
    coverage = np.minimum(np.divide(supplied, required, out=np.ones_like(supplied), where=required > 0), 1.0)
    missed = planned * (1.0 - coverage)
    per_staff = np.divide(planned - missed, heads, out=np.zeros_like(planned), where=heads > 0)
    share = np.divide(infected, alive, out=np.zeros_like(planned), where=alive > 0)
    want = (planned, coverage, missed, per_staff, per_staff * share * c2s)
    got = kernels.home_care_visits(alive, infected, required, supplied, heads, vpc, c2s)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g.view(np.int64), w.view(np.int64))


@pytest.mark.parametrize("seed", range(4))
def test_capacity_of_two_unit_kinds_in_one_pass_equals_two_passes(seed):
    """``capacity_by_region_role`` with two slots (the COVID wards and the ICUs of redeployment's limits): each slot's
    sums bit for bit as a pass of its own, workplaces of neither slot not counted."""
    rng = np.random.default_rng(seed)
    n, n_wp, n_reg, n_prof = 3000, 40, 5, categories.N_PROFESSIONS
    kw = dict(
        status=rng.choice([categories.ACTIVE, categories.SICK_OTHER], n, p=[0.9, 0.1]).astype(np.int8),
        workplace=rng.integers(0, n_wp, n).astype(kernels.WP),
        role=rng.integers(0, n_prof, n).astype(np.int8),
        hours=rng.random(n) * 12,
        effectiveness=rng.random(n),
        workplace_region=rng.integers(0, n_reg, n_wp).astype(np.int32),
        n_regions=n_reg,
        n_professions=n_prof,
        contract=rng.integers(0, 3, n),
        base_hours_by_contract=np.array([8.0, 6.0, 4.0]),
        fatigue=rng.random(n),
        threshold=0.5,
        loss=0.3,
    )
    kind = rng.integers(-1, 2, n_wp).astype(np.int8)  # -1: neither, 0: COVID ward, 1: ICU
    both = kernels.capacity_by_region_role(slot=kind, n_slots=2, **kw)
    for k in (0, 1):
        alone = kernels.capacity_by_region_role(slot=np.where(kind == k, 0, -1).astype(np.int8), n_slots=1, **kw)[0]
        np.testing.assert_array_equal(both[k].view(np.int64), alone.view(np.int64))
    assert both.sum() > 0


def _work_conditions_numpy(required, base, cap, base_eff, cap_eff, fatigued, icu, exponent, max_pressure):
    """``MobilisationModel._assign_hours``' NumPy code before issue #18's fifth part (with ``_fatigue_costs``)."""
    worked_eff = np.clip(required, base_eff, cap_eff)
    headroom = cap_eff - base_eff
    extra_share = np.divide(worked_eff - base_eff, headroom, out=np.zeros_like(base), where=headroom > 0)
    supplied = np.minimum(worked_eff, required)
    ratio = np.divide(required, worked_eff, out=np.ones_like(worked_eff), where=worked_eff > 0)
    if exponent in (0.0, 0.5, 1.0, 2.0):  # NumPy's shortcuts (ones, a root, a copy, a square): the same on every CPU
        powered = ratio**exponent
    else:  # libm's pow, as NumPy's scalar loop and numba call it (NumPy's AVX-512 loop may differ in the last bit)
        powered = np.array([math.pow(x, exponent) for x in ratio.ravel()]).reshape(ratio.shape)
    pressure = np.clip(powered, 1.0, max_pressure)
    out = [extra_share, supplied, pressure, worked_eff - base_eff]
    if fatigued is not None:
        out.append(np.clip(required, base_eff, cap_eff + fatigued[:, :, kernels.CUT]) - worked_eff)
        x, f = extra_share[icu], fatigued[icu]
        all_hours = base[icu] + (cap[icu] - base[icu]) * x
        by_fatigued = f[:, :, kernels.FATIGUED_BASE] + f[:, :, kernels.FATIGUED_EXTRA] * x
        weighted = f[:, :, kernels.EXCESS_BASE] + f[:, :, kernels.EXCESS_EXTRA] * x
        out.append(np.stack([all_hours.sum(axis=1), by_fatigued.sum(axis=1), weighted.sum(axis=1)], axis=1))
    return out


@pytest.mark.parametrize("exponent", [1.0, 2.0, 0.5, 0.0, 1.7, 3.0])
@pytest.mark.parametrize("seed", range(4))
def test_work_conditions_equal_the_numpy_code(seed, exponent):
    """The hours phase's conditions (``kernels.work_conditions``): bit for bit as the NumPy code, for the exponents NumPy
    takes a shortcut for (a square, a root, a copy, ones) and others, with and without fatigue's costs, with units
    without headroom, without work, or with less most hours than contracted ones (fatigue's cut)."""
    rng = np.random.default_rng(seed)
    n_w, n_p = int(rng.integers(1, 300)), categories.N_PROFESSIONS
    base = rng.uniform(0, 100, (n_w, n_p)) * (rng.random((n_w, n_p)) > 0.3)
    cap = base + rng.uniform(0, 50, (n_w, n_p)) * (rng.random((n_w, n_p)) > 0.3)
    base_eff, cap_eff = base * rng.uniform(0.5, 1, (n_w, n_p)), cap * rng.uniform(0.5, 1, (n_w, n_p))
    required = rng.uniform(0, 200, (n_w, n_p)) * (rng.random((n_w, n_p)) > 0.2)
    icu = np.sort(rng.choice(n_w, size=min(n_w, 21), replace=False)).astype(np.int64)
    for fatigued in (rng.uniform(0, 30, (n_w, n_p, 5)), None):
        got = kernels.work_conditions(
            required=required,
            base=base,
            cap=cap,
            base_eff=base_eff,
            cap_eff=cap_eff,
            fatigued=np.zeros((0, n_p, 5)) if fatigued is None else fatigued,
            icu_ids=icu,
            pressure_exponent=exponent,
            max_pressure=2.0,
        )
        want = _work_conditions_numpy(required, base, cap, base_eff, cap_eff, fatigued, icu, exponent, 2.0)
        if fatigued is None:
            assert got[4].shape[0] == 0 and got[5].shape[0] == 0
        for g, w in zip(got, want, strict=False):
            np.testing.assert_array_equal(g.view(np.int64), w.view(np.int64))


def _forecast_gaps_numpy(icu, ward, census, norm, icu_ids, covid_ward_ids, acute_ids, capacity, icu_capacity):
    """``MobilisationModel._forecast``'s NumPy code before issue #18's fifth part."""
    icu_required = icu[:, None] * norm[icu_ids]
    surge = icu_required + ward[:, None] * norm[covid_ward_ids]
    need = surge + census[acute_ids][:, None] * norm[acute_ids]
    gap = np.maximum(need - capacity, 0.0)
    total = need.sum(axis=1)
    share = np.divide(gap.sum(axis=1), total, out=np.zeros_like(total), where=total > 0)
    nurse_gap = np.maximum(icu_required[:, categories.ICU_NURSE] - icu_capacity[:, categories.ICU_NURSE], 0.0)
    return icu_required, gap, share, nurse_gap, icu_capacity[:, categories.ICU_NURSE] / 24.0


@pytest.mark.parametrize("seed", range(6))
def test_forecast_gaps_equal_the_numpy_code(seed):
    """The escalation's forecast gaps (``kernels.forecast_gaps``): bit for bit as the NumPy code, with regions without
    need, with capacity equal to the need (a zero gap), and signed zeros."""
    rng = np.random.default_rng(seed)
    n_reg, n_units, n_p = 21, 200, categories.N_PROFESSIONS
    ids = rng.permutation(n_units)[: 3 * n_reg].astype(np.int64).reshape(3, n_reg)
    norm = rng.uniform(0, 10, (n_units, n_p)) * (rng.random((n_units, n_p)) < 0.7)
    census = rng.uniform(0, 50, n_units)
    icu, ward = rng.uniform(0, 30, n_reg), rng.uniform(0, 60, n_reg)
    icu[:3], ward[:3], census[ids[2, :3]] = 0.0, 0.0, -0.0  # no need
    capacity = rng.uniform(0, 400, (n_reg, n_p))
    icu_capacity = capacity * rng.random((n_reg, n_p))
    capacity[5] = (icu[5] * norm[ids[0, 5]] + ward[5] * norm[ids[1, 5]]) + census[ids[2, 5]] * norm[ids[2, 5]]  # need = capacity
    args = (icu, ward, census, norm, ids[0], ids[1], ids[2], capacity, icu_capacity)
    got = kernels.forecast_gaps(*args, categories.ICU_NURSE)
    for g, w in zip(got, _forecast_gaps_numpy(*args), strict=True):
        assert g.shape == w.shape and g.tobytes() == w.tobytes()


@pytest.mark.parametrize("n_p", [1, 3, categories.N_PROFESSIONS])
def test_unit_totals_equal_numpys_row_sums(n_p):
    """``kernels.unit_totals``: each array's rows summed over the roles, bit for bit as ``a[rows].sum(axis=1)``, signed
    zeros and repeated rows included."""
    rng = np.random.default_rng(n_p)
    a, b, c = (rng.uniform(-5, 50, (80, n_p)) * (rng.random((80, n_p)) < 0.7) for _ in range(3))
    a[rng.random((80, n_p)) < 0.1] = -0.0
    rows = rng.integers(0, 80, 50).astype(np.int32)
    for got, want in zip(kernels.unit_totals(rows, a, b, c), (x[rows].sum(axis=1) for x in (a, b, c)), strict=True):
        assert got.tobytes() == want.tobytes()
