"""Issue #18, ICU upskilling: its kernels against the NumPy they replaced, bit for bit.

``kernels.start_icu_courses`` (the lever's ``_start_courses``), ``kernels.icu_nurses_leaving_hours`` (the ICU nurses'
hours the crisis agreement sends to rest today), ``kernels.icu_support_day`` (courses, then who works in the ICU and
who rests now, with ICU teams) and ``kernels.team_need_tiers`` (``sim.teams.team_need``), each against a copy of the
code of before (the oracle), on random staff, several seeds, and the edge cases: no candidate, nobody free, a region
without candidates, no need, more need than staff, signed zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from sim import kernels, teams
from sim.categories import ACTIVE, ICU, ICU_NURSE, N_REGION_KINDS, OFF_DUTY, PROFESSIONS, TRAINING
from sim.levers.base import rank_within
from sim.levers.icu_upskilling import NEVER_DUE

N_REG = 5
PLACEMENT_DAYS, REST_DAYS = 28, 7
STATUSES = np.array([ACTIVE, ACTIVE, ACTIVE, OFF_DUTY, TRAINING, 1, 2], dtype=np.int8)  # mostly active


@dataclass
class Staff:
    """The staff columns the kernels read and write (dtypes of ``sim.world.StaffArrays``)."""

    status: np.ndarray
    posting: np.ndarray
    days_left: np.ndarray
    workplace: np.ndarray
    home: np.ndarray
    region: np.ndarray
    profession: np.ndarray
    role: np.ndarray
    trained: np.ndarray
    agreement_days: np.ndarray
    agreement_rest: np.ndarray
    max_hours: np.ndarray
    effectiveness: np.ndarray

    def copy(self) -> Staff:
        return Staff(**{k: v.copy() for k, v in vars(self).items()})

    def assert_equal(self, other: Staff) -> None:
        for k, v in vars(self).items():
            w = getattr(other, k)
            assert v.dtype == w.dtype, k
            np.testing.assert_array_equal(v, w, err_msg=k)
            assert v.tobytes() == w.tobytes(), k  # the sign of a zero too


def staff(rng: np.random.Generator, n: int = 400, posted: float = 0.2) -> Staff:
    region = rng.integers(0, N_REG, n).astype(np.int16)
    home = (region * N_REGION_KINDS + rng.integers(1, N_REGION_KINDS, n)).astype(np.int16)
    workplace = np.where(rng.random(n) < 0.3, region * N_REGION_KINDS + ICU, home).astype(np.int16)
    return Staff(
        status=rng.choice(STATUSES, n),
        posting=np.where(rng.random(n) < posted, rng.integers(0, 3, n), -1).astype(np.int16),
        days_left=rng.integers(0, 10, n).astype(np.int16),
        workplace=workplace,
        home=home,
        region=region,
        profession=rng.integers(0, len(PROFESSIONS), n).astype(np.int8),
        role=rng.integers(0, len(PROFESSIONS), n).astype(np.int8),
        trained=rng.random(n) < 0.6,
        agreement_days=np.where(rng.random(n) < 0.5, rng.integers(0, PLACEMENT_DAYS + 3, n), 0).astype(np.int16),
        agreement_rest=rng.random(n) < 0.1,
        max_hours=rng.uniform(4.0, 9.0, n),
        effectiveness=rng.choice([0.0, 0.7, 0.93, 1.0], n),
    )


def candidates(rng: np.random.Generator, s: Staff, share: float = 0.5, regions: int = N_REG) -> tuple[np.ndarray, ...]:
    """Candidates in training order (by region, then a priority), with course days, some started already. With
    ``regions`` < N_REG the last regions have no candidate."""
    ids = np.flatnonzero((rng.random(s.status.size) < share) & (s.region < regions))
    ids = ids[np.lexsort((rng.random(ids.size), s.region[ids]))]
    started = rng.random(ids.size) < 0.3
    return ids, s.region[ids].copy(), started, rng.choice(np.array([0, 1, 5, 14]), ids.size)


# --------------------------------------------------------------------------- the oracles: the code of before (7e9e993)


def old_start_courses(s: Staff, ids, region, started, course_days, target) -> None:
    """``IcuUpskilling._start_courses`` before issue #18's kernel."""
    have = np.bincount(region[started], minlength=N_REG)
    want = np.maximum(target - have, 0)
    if want.any():
        free = ~started & (s.status[ids] == ACTIVE) & (s.posting[ids] < 0)
        if free.any():
            pick = np.flatnonzero(free)
            pick = pick[rank_within(region[pick]) < want[region[pick]]]
            started[pick] = True
            s.status[ids[pick]] = TRAINING
            s.days_left[ids[pick]] = np.maximum(course_days[pick], 1)
            s.workplace[ids[pick]] = s.home[ids[pick]]


def old_leaving_hours(s: Staff, ids, workplace_kind, workplace_region, placement_days) -> np.ndarray:
    """The ICU nurses' hours ``_act_teams`` took off the ICU nurses on duty before issue #18's kernel."""
    w = s.workplace[ids]
    leaving = (s.agreement_days[ids] >= placement_days) & (s.role[ids] == ICU_NURSE) & (s.status[ids] == ACTIVE)
    leaving &= workplace_kind[w] == ICU
    hours = s.max_hours[ids[leaving]] * s.effectiveness[ids[leaving]]
    return np.bincount(workplace_region[w[leaving]], weights=hours, minlength=N_REG)


def old_rest_now(s: Staff, ids, rest_days) -> None:
    """``CrisisAgreement.rest_now``."""
    s.status[ids] = OFF_DUTY
    s.days_left[ids] = rest_days
    s.workplace[ids] = s.home[ids]
    s.agreement_days[ids] = 0
    s.agreement_rest[ids] = True


def old_support_day(s: Staff, ids, region, started, course_days, target, need, agreement: bool) -> None:
    """One group's pass of ``_act_teams`` before issue #18's kernel (courses, then who works and who rests now)."""
    old_start_courses(s, ids, region, started, course_days, target)
    started_at = np.flatnonzero(started)
    sid = ids[started_at]
    ready = s.trained[sid] & (s.status[sid] == ACTIVE) & (s.posting[sid] < 0)
    sid, reg = sid[ready], region[started_at[ready]]
    due = s.agreement_days[sid] >= PLACEMENT_DAYS if agreement else np.zeros(sid.size, dtype=bool)
    order = np.lexsort((due, reg))  # by region, those due to rest last, else in training order
    rank = np.empty(sid.size, dtype=np.int64)
    rank[order] = rank_within(reg[order])
    chosen = rank < need[reg]
    sel = sid[chosen]
    if agreement:
        old_rest_now(s, sid[due & ~chosen], REST_DAYS)
    s.workplace[sel] = s.region[sel].astype(np.int64) * N_REGION_KINDS + ICU
    s.role[sel] = s.profession[sel]


def old_team_need(tiers: teams.Tiers, patients: np.ndarray, nurses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sim.teams.team_need`` before issue #18's kernel: the allocation with unlimited support, NumPy's sums."""
    inf = np.full(np.shape(patients), np.inf)
    alloc = teams.allocate(tiers, patients, nurses, inf, inf, inf)
    return alloc.support_used, alloc.assistants_used


# --------------------------------------------------------------------------- courses


def _start(s: Staff, ids, region, started, course_days, target) -> None:
    kernels.start_icu_courses(
        ids=ids,
        region=region,
        started=started,
        course_days=course_days,
        target=target,
        status=s.status,
        posting=s.posting,
        days_left=s.days_left,
        workplace=s.workplace,
        home=s.home,
    )


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("case", ["random", "no_candidate", "nobody_free", "region_without_candidates", "no_target", "all"])
def test_start_icu_courses_starts_the_courses_the_numpy_started(seed, case):
    rng = np.random.default_rng(seed)
    s = staff(rng, posted=1.0 if case == "nobody_free" else 0.2)
    ids, region, started, days = candidates(rng, s, share=0.0 if case == "no_candidate" else 0.5, regions=3 if "without" in case else N_REG)
    target = {"no_target": np.zeros(N_REG, dtype=np.int64), "all": np.full(N_REG, 10**6, dtype=np.int64)}.get(
        case, rng.integers(0, 40, N_REG) * (rng.random(N_REG) < 0.8)
    )
    if case == "nobody_free":
        s.status[:] = ACTIVE  # active, but all posted
    old, new = s.copy(), s.copy()
    old_started, new_started = started.copy(), started.copy()
    old_start_courses(old, ids, region, old_started, days, target)
    _start(new, ids, region, new_started, days, target)
    np.testing.assert_array_equal(new_started, old_started)
    new.assert_equal(old)
    if case in ("no_candidate", "nobody_free", "no_target"):
        np.testing.assert_array_equal(new_started, started)


# --------------------------------------------------------------------------- ICU nurses leaving today


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("placement_days", [0, PLACEMENT_DAYS, NEVER_DUE])
def test_icu_nurses_leaving_hours_sum_as_the_bincount(seed, placement_days):
    """The same sums (bincount adds in index order), and the same ICU nurses left on duty once subtracted."""
    rng = np.random.default_rng(seed)
    s = staff(rng)
    s.role[rng.random(s.role.size) < 0.5] = ICU_NURSE
    s.effectiveness[rng.random(s.role.size) < 0.1] = -0.0  # a signed zero on the way
    workplace_kind = (np.arange(N_REG * N_REGION_KINDS) % N_REGION_KINDS).astype(np.int8)
    workplace_region = (np.arange(N_REG * N_REGION_KINDS) // N_REGION_KINDS).astype(np.int16)
    for ids in (np.flatnonzero(rng.random(s.role.size) < 0.4), np.zeros(0, dtype=np.int64)):
        old = old_leaving_hours(s, ids, workplace_kind, workplace_region, placement_days)
        new = kernels.icu_nurses_leaving_hours(
            ids=ids,
            agreement_days=s.agreement_days,
            placement_days=placement_days,
            role=s.role,
            status=s.status,
            workplace=s.workplace,
            workplace_kind=workplace_kind,
            workplace_region=workplace_region,
            max_hours=s.max_hours,
            effectiveness=s.effectiveness,
            icu_kind=ICU,
            icu_nurse=ICU_NURSE,
            n_regions=N_REG,
        )
        assert new.dtype == np.float64  # the bincount gave int64 zeros when nobody leaves: the same on subtracting
        np.testing.assert_array_equal(new, old)
        nurses = rng.uniform(0, 30, N_REG) * (rng.random(N_REG) < 0.7)
        nurses[rng.random(N_REG) < 0.3] = -0.0
        assert np.maximum(nurses - new, 0.0).tobytes() == np.maximum(nurses - old, 0.0).tobytes()  # as _act_teams uses it


# --------------------------------------------------------------------------- a day with ICU teams


def _support_day(s: Staff, ids, region, started, days, target, need, agreement: bool) -> None:
    kernels.icu_support_day(
        ids=ids,
        region=region,
        started=started,
        course_days=days,
        target=target,
        need=need,
        icu_unit=np.arange(N_REG, dtype=np.int64) * N_REGION_KINDS + ICU,
        trained=s.trained,
        status=s.status,
        posting=s.posting,
        staff_region=s.region,
        profession=s.profession,
        workplace=s.workplace,
        role=s.role,
        days_left=s.days_left,
        home=s.home,
        agreement_days=s.agreement_days,
        agreement_rest=s.agreement_rest,
        placement_days=PLACEMENT_DAYS if agreement else NEVER_DUE,
        rest_days=REST_DAYS if agreement else 0,
    )


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("agreement", [True, False])
@pytest.mark.parametrize("case", ["random", "no_candidate", "nobody_free", "region_without_candidates", "no_need", "all_needed"])
def test_icu_support_day_chooses_and_rests_as_the_numpy(seed, agreement, case):
    rng = np.random.default_rng(100 + seed)
    s = staff(rng, posted=1.0 if case == "nobody_free" else 0.2)
    ids, region, started, days = candidates(rng, s, share=0.0 if case == "no_candidate" else 0.5, regions=3 if "without" in case else N_REG)
    target = rng.integers(0, 40, N_REG) * (rng.random(N_REG) < 0.8)
    need = {"no_need": np.zeros(N_REG, dtype=np.int64), "all_needed": np.full(N_REG, 10**6, dtype=np.int64)}.get(
        case, rng.integers(0, 25, N_REG)
    )
    old, new = s.copy(), s.copy()
    old_started, new_started = started.copy(), started.copy()
    for _ in range(3):  # a few days in a row: courses started on one day are not ready the next unless trained
        old_support_day(old, ids, region, old_started, days, target, need, agreement)
        _support_day(new, ids, region, new_started, days, target, need, agreement)
        np.testing.assert_array_equal(new_started, old_started)
        new.assert_equal(old)
        trained = rng.random(s.trained.size) < 0.3
        old.trained |= trained
        new.trained |= trained
        status = np.where(rng.random(s.status.size) < 0.2, ACTIVE, old.status).astype(np.int8)
        old.status[:], new.status[:] = status, status


# --------------------------------------------------------------------------- the teams' need


def _tiers(rng: np.random.Generator, t: int) -> teams.Tiers:
    ratio = np.cumsum(rng.integers(1, 3, t)).astype(float)
    support = np.concatenate([[0.0], np.cumsum(rng.choice([0.0, 0.5, 1.0], t - 1))])
    assistants = np.concatenate([[0.0], np.cumsum(rng.choice([0.0, 1.0, 2.0], t - 1))])
    return teams.Tiers(
        names=tuple(f"t{k}" for k in range(t)), ratio=ratio, support=support, assistants=assistants, from_surge=np.arange(t, dtype=float)
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("t", range(1, kernels.TEAM_NEED_MAX_TIERS + 1))
def test_team_need_tiers_gives_the_allocation_and_numpy_sums(seed, t):
    rng = np.random.default_rng(seed)
    tiers = _tiers(rng, t)
    for shape in ((2, 21), (21,), (0,), (3, 4, 5)):
        patients = rng.uniform(0, 80, shape) * (rng.random(shape) < 0.8)
        nurses = rng.uniform(0, 20, shape) * (rng.random(shape) < 0.9)
        patients[rng.random(shape) < 0.05] = -0.0
        nurses[rng.random(shape) < 0.05] = -0.0
        old = old_team_need(tiers, patients, nurses)
        support, assistants = kernels.team_need_tiers(
            **tiers.kernel_args,
            patients=patients.reshape(-1),
            nurses=nurses.reshape(-1),
        )
        new = teams.team_need(tiers, patients, nurses)
        for got in ((support.reshape(shape), assistants.reshape(shape)), new):
            for a, b in zip(got, old, strict=True):
                assert a.dtype == b.dtype and a.shape == b.shape
                np.testing.assert_array_equal(a, b)
                assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("t", [8, 9])
def test_team_need_with_eight_tiers_or_more_keeps_numpys_pairwise_sums(t):
    rng = np.random.default_rng(t)
    tiers = _tiers(rng, t)
    patients, nurses = rng.uniform(0, 80, (2, 21)), rng.uniform(0, 20, (2, 21))
    for a, b in zip(teams.team_need(tiers, patients, nurses), old_team_need(tiers, patients, nurses), strict=True):
        assert a.tobytes() == b.tobytes()


def test_team_need_broadcasts_and_takes_scalars_as_before():
    tiers = _tiers(np.random.default_rng(0), 4)
    for patients, nurses in ((np.array([12.0, 4.0, 30.0]), 2.0), (12.0, 2.0), ([[3.0], [9.0]], [1.0, 2.0, 5.0])):
        for a, b in zip(teams.team_need(tiers, patients, nurses), old_team_need(tiers, patients, nurses), strict=True):
            assert np.shape(a) == np.shape(b) and np.asarray(a).tobytes() == np.asarray(b).tobytes()


def old_allocate(tiers, patients, nurses, support, assistants, surge) -> teams.Allocation:
    """``sim.teams.allocate`` of before: the common shape found by broadcasting every time."""
    given = [np.asarray(x, dtype=float) for x in (patients, nurses, support, assistants, surge)]
    shape = np.broadcast_shapes(*(x.shape for x in given))
    flat = [
        x.reshape(-1) if x.shape == shape and x.flags.c_contiguous else np.ascontiguousarray(np.broadcast_to(x, shape)).reshape(-1)
        for x in given
    ]
    n, covered, within = kernels.allocate_tiers(
        **tiers.kernel_args,
        patients=flat[0],
        nurses=flat[1],
        support=flat[2],
        assistants=flat[3],
        surge=flat[4],
    )
    return n.reshape(*shape, len(tiers)), covered.reshape(shape), within.reshape(shape)


@pytest.mark.parametrize("seed", range(4))
def test_allocate_flattens_arrays_of_the_shape_as_before(seed):
    rng = np.random.default_rng(seed)
    tiers = _tiers(rng, 4)
    wide = rng.uniform(0, 30, (21, 6))
    cases = (
        [rng.uniform(0, 30, (2, 21)) for _ in range(5)],  # the daily calls
        [wide[:, 1], wide[:, 2], wide[:, 3], wide[:, 4], wide[:, 5]],  # columns: not contiguous
        [np.inf, rng.uniform(0, 30, 21), rng.uniform(0, 30, 21), 4.0, rng.uniform(0, 5, 21)],  # broadcast
        [rng.uniform(0, 30, (3, 1)), rng.uniform(0, 30, 7), 1.0, 2.0, 3.0],
    )
    for args in cases:
        a = teams.allocate(tiers, *args)
        for got, want in zip((a.nurses, a.covered, a.within_guidance), old_allocate(tiers, *args), strict=True):
            assert got.shape == want.shape and got.tobytes() == want.tobytes()


def _staffed_beds_numpy(tiers, icu_hours, patients, beds_normal, beds_open):
    """``MobilisationModel.staffed_icu_beds`` with teams before issue #18's fifth part."""
    nurses, support, assistants = teams.on_duty(icu_hours)
    surge = np.divide(patients, beds_normal, out=np.full_like(patients, np.inf), where=beds_normal > 0)
    return np.minimum(beds_open, teams.capacity_within_guidance(tiers, nurses, support, assistants, surge))


def _require_team_support_numpy(tiers, icu_cap, patients, required, icu):
    """``MobilisationModel._require_team_support`` before issue #18's fifth part (writes ``required``)."""
    need_support, need_assistants = teams.team_need(tiers, patients, icu_cap[:, ICU_NURSE] / 24.0)
    roles = list(teams.SUPPORT_NURSES)
    cap = icu_cap[:, roles]
    total = cap.sum(axis=1, keepdims=True)
    share = np.divide(cap, total, out=np.full_like(cap, 1.0 / len(roles)), where=total > 0)
    required[icu[:, None], np.array(roles)[None, :]] = need_support[:, None] * 24.0 * share
    required[icu, teams.ASSISTANT_NURSE] = need_assistants * 24.0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("t", range(1, kernels.TEAM_NEED_MAX_TIERS + 1))
def test_staffed_beds_and_team_support_equal_the_numpy_code(seed, t):
    """``kernels.staffed_beds_within_guidance`` and ``kernels.require_team_support`` bit for bit as the model's NumPy
    code, with regions without normal beds, without ICU staff, without support nurses, and signed zeros."""
    rng = np.random.default_rng(seed)
    tiers = _tiers(rng, t)
    n_wp, n_prof = 60, len(PROFESSIONS)
    icu = np.sort(rng.choice(n_wp, N_REG * 4, replace=False)).astype(np.int64)
    m = icu.size
    hours = rng.uniform(0, 400, (m, n_prof)) * (rng.random((m, n_prof)) < 0.8)
    hours[rng.random((m, n_prof)) < 0.05] = -0.0
    hours[0] = 0.0  # a region without ICU staff
    patients = rng.uniform(0, 80, m) * (rng.random(m) < 0.9)
    beds_normal = rng.uniform(0, 60, m) * (rng.random(m) < 0.8)
    beds_open = beds_normal * rng.uniform(1, 2, m)
    support_roles = np.array(teams.SUPPORT_NURSES, dtype=np.int64)
    got = kernels.staffed_beds_within_guidance(
        **tiers.kernel_args,
        icu_hours=hours,
        patients=patients,
        beds_normal=beds_normal,
        beds_open=beds_open,
        icu_nurse=ICU_NURSE,
        support_roles=support_roles,
        assistant=teams.ASSISTANT_NURSE,
    )
    assert got.tobytes() == _staffed_beds_numpy(tiers, hours, patients, beds_normal, beds_open).tobytes()
    required = rng.uniform(0, 100, (n_wp, n_prof))
    want = required.copy()
    _require_team_support_numpy(tiers, hours, patients, want, icu)
    kernels.require_team_support(
        **tiers.kernel_args,
        icu_cap=hours,
        patients=patients,
        required=required,
        icu_ids=icu,
        icu_nurse=ICU_NURSE,
        support_roles=support_roles,
        assistant=teams.ASSISTANT_NURSE,
    )
    assert required.tobytes() == want.tobytes()
