"""The numba core: random numbers, fatigue, deployment, thread independence."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim import kernels


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
    order = np.array([4, 2, 0, 1, 3, 5], dtype=np.int64)  # one group of six
    start = np.array([0, 6], dtype=np.int64)
    status = np.array([0, 0, 1, 0, 0, 0], dtype=np.int8)  # staff 2 is off sick
    home = np.full(6, 7, dtype=np.int32)
    posting = np.full(6, -1, dtype=np.int32)
    posting[1] = 3  # staff 1 is on loan elsewhere
    workplace = np.where(posting >= 0, posting, home).astype(np.int32)
    role = np.full(6, 4, dtype=np.int8)
    eff = np.ones(6)

    def deploy(share, target_role=-1, target_eff=1.0, limit=-1):
        kernels.deploy_by_priority(
            order, start, np.array([share]), np.array([limit]), np.array([9]), np.array([target_role]), np.array([target_eff]),
            status, home, posting, workplace, role, eff,
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


def test_count_supply_counts_only_active_staff():
    status = np.array([0, 0, 1, 4], dtype=np.int8)
    workplace = np.array([0, 1, 0, 1], dtype=np.int32)
    profession = np.array([2, 2, 2, 2], dtype=np.int8)
    eff = np.array([0.5, 1.0, 1.0, 1.0])
    heads, base, cap, base_eff, cap_eff = kernels.count_supply(status, workplace, profession, eff, np.full(4, 5.0), np.full(4, 6.0), 2, 7)
    assert heads[:, 2].tolist() == [1.0, 1.0]
    assert base[:, 2].tolist() == [5.0, 5.0]
    assert cap[:, 2].tolist() == [6.0, 6.0]
    assert base_eff[:, 2].tolist() == [2.5, 5.0]
    assert cap_eff[:, 2].tolist() == [3.0, 6.0]


def test_model_results_do_not_depend_on_thread_count(model_factory):
    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs at least two numba threads")
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
