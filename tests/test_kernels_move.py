"""Issue #18's kernels of patient transfers, redeployment and mobile teams against the NumPy code they replaced, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import kernels
from sim.categories import COVID_WARD, ICU, N_PROFESSIONS, N_REGION_KINDS, PROFESSIONS
from sim.levers.patient_transfers import SMALLEST_MOVE
from sim.levers.redeployment import ANAESTHESIA_NURSE, ICU_PHYSICIAN, REGISTERED_NURSE, Redeployment
from sim.world import Queue


def _same(a: np.ndarray, b: np.ndarray) -> None:
    """Equal values, dtype and bytes (the sign of a zero included)."""
    np.testing.assert_array_equal(a, b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


# ---------------------------------------------------------------------------- patient transfers
def _old_match(excess, room, capacity, receivers):
    """``PatientTransfers.match`` before issue #18."""
    moves = np.zeros((excess.size, excess.size))
    room = room.copy()
    left = capacity
    for f in np.argsort(-excess, kind="stable"):
        need = excess[f]
        if need <= SMALLEST_MOVE or left <= SMALLEST_MOVE:
            break
        for t in receivers[f]:
            amount = min(need, room[t], left)
            if amount <= SMALLEST_MOVE:
                continue
            moves[f, t] = amount
            need -= amount
            room[t] -= amount
            left -= amount
            if need <= SMALLEST_MOVE or left <= SMALLEST_MOVE:
                break
    return moves


def _old_transfers(patients, staffed, covid, moved, on, trigger, receive, enabled, receivers, capacity):
    """``PatientTransfers.act``'s excess, room and the two matches before issue #18 (``enabled`` None: no region tables)."""
    movable = np.maximum(covid - moved.sum(axis=0), 0.0)
    excess = np.minimum(np.maximum(patients - trigger * staffed, 0.0), movable)
    excess[~on] = 0.0
    room = np.maximum(receive * staffed - patients, 0.0)
    room[excess > 0] = 0.0
    if enabled is not None:
        room[~enabled] = 0.0
    return excess, _old_match(excess, room, capacity, receivers), _old_match(excess, room, np.inf, receivers)


def _flat(receivers):
    ids = np.array([t for ts in receivers for t in ts], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum([len(ts) for ts in receivers])]).astype(np.int64)
    return ids, start


def _transfer_case(rng, n):
    """A day's inputs with ties (whole patients), zeros of both signs, senders without receivers and scarce room."""
    patients = rng.integers(0, 12, n).astype(float)
    patients[rng.random(n) < 0.2] = -0.0
    patients += np.where(rng.random(n) < 0.3, rng.random(n), 0.0)
    staffed = np.where(rng.random(n) < 0.5, rng.integers(0, 10, n).astype(float), rng.random(n) * 10)
    moved = np.where(rng.random((n, n)) < 0.2, rng.random((n, n)) * 2, 0.0)
    np.fill_diagonal(moved, 0.0)
    covid = np.where(rng.random(n) < 0.8, rng.random(n) * 8, 0.0)
    on = rng.random(n) < 0.7
    receivers = [[int(t) for t in rng.permutation(n) if t != f and rng.random() < 0.5] for f in range(n)]
    if n:
        receivers[int(rng.integers(n))] = []  # a sender with no receiver within reach
    return patients, staffed, covid, moved, on, receivers


@pytest.mark.parametrize("seed", range(40))
def test_match_transfers_moves_as_the_numpy_rule(seed):
    """patient_transfers' kernel: the same excess and the same moves (within the capacity and unlimited) as the NumPy
    rule and the Python loop it replaced, national or per region (scalar or array shares, receivers switched off)."""
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 2, 5, 8, 9, 21, 30]))
    patients, staffed, covid, moved, on, receivers = _transfer_case(rng, n)
    ids, start = _flat(receivers)
    capacity = float(rng.choice([0.0, 1e-10, 0.6, 3.0, 20.0, np.inf]))
    per_region = seed % 2 == 1
    if per_region:
        trigger, receive = rng.choice([0.8, 1.0, 1.2], n), rng.choice([0.5, 0.85, 1.0], n)
        enabled = rng.random(n) < 0.8
        old = _old_transfers(patients, staffed, covid, moved, on, trigger, receive, enabled, receivers, capacity)
    else:
        trigger_share, receive_share = float(rng.choice([0.9, 1.0])), float(rng.choice([0.85, 1.0]))
        trigger, receive, enabled = np.full(n, trigger_share), np.full(n, receive_share), np.ones(n, dtype=np.bool_)
        old = _old_transfers(patients, staffed, covid, moved, on, trigger_share, receive_share, None, receivers, capacity)
    new = kernels.match_transfers(
        patients=patients,
        staffed=staffed,
        covid_icu=covid,
        moved=moved,
        on=on,
        trigger=trigger,
        receive=receive,
        receives=enabled,
        receivers=ids,
        receiver_start=start,
        capacity=capacity,
        smallest=SMALLEST_MOVE,
    )
    for a, b in zip(new, old, strict=True):
        _same(a, b)


@pytest.mark.parametrize(
    "case",
    ["nobody_on", "nobody_over", "no_receivers", "no_room", "ties"],
)
def test_match_transfers_edge_cases(case):
    """No region at its level, nobody over the trigger, nobody within reach, no room anywhere, equal excesses."""
    rng = np.random.default_rng(7)
    n = 6
    patients, staffed, covid, moved, on, receivers = _transfer_case(rng, n)
    staffed = np.full(n, 2.0)
    patients = np.array([5.0, 5.0, 0.0, 1.0, 5.0, 0.5])
    covid = np.full(n, 9.0)
    on = np.ones(n, dtype=np.bool_)
    receivers = [[t for t in range(n) if t != f] for f in range(n)]
    if case == "nobody_on":
        on[:] = False
    elif case == "nobody_over":
        patients = np.full(n, 1.0)
    elif case == "no_receivers":
        receivers = [[] for _ in range(n)]
    elif case == "no_room":
        staffed = np.zeros(n)
    ids, start = _flat(receivers)
    for capacity in (1.0, 4.0, np.inf):
        old = _old_transfers(patients, staffed, covid, moved, on, 1.0, 0.85, None, receivers, capacity)
        new = kernels.match_transfers(
            patients=patients,
            staffed=staffed,
            covid_icu=covid,
            moved=moved,
            on=on,
            trigger=np.full(n, 1.0),
            receive=np.full(n, 0.85),
            receives=np.ones(n, dtype=np.bool_),
            receivers=ids,
            receiver_start=start,
            capacity=capacity,
            smallest=SMALLEST_MOVE,
        )
        for a, b in zip(new, old, strict=True):
            _same(a, b)


@pytest.mark.parametrize("seed", range(20))
def test_match_senders_matches_as_the_python_loop(seed):
    """``PatientTransfers.match`` (now ``kernels.match_senders``) on any excess and room, ties and tiny amounts included."""
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(1, 25))
    excess = np.where(rng.random(n) < 0.5, rng.integers(0, 4, n) * rng.choice([1.0, 1e-10, 0.5], n), 0.0)
    room = np.where(rng.random(n) < 0.6, rng.integers(0, 3, n) + rng.random(n).round(1), 0.0)
    receivers = [[int(t) for t in rng.permutation(n) if t != f and rng.random() < 0.6] for f in range(n)]
    ids, start = _flat(receivers)
    for capacity in (0.0, 2.5, np.inf):
        new = kernels.match_senders(
            excess=excess, room=room, receivers=ids, receiver_start=start, capacity=capacity, smallest=SMALLEST_MOVE
        )
        _same(new, _old_match(excess, room, capacity, receivers))


@pytest.mark.parametrize("seed", range(20))
def test_shift_patients_shifts_as_the_numpy_code(seed):
    """The moved patients' census shift: the same net patients and census as ``PatientTransfers._shift`` before issue #18."""
    rng = np.random.default_rng(200 + seed)
    n = int(rng.choice([1, 2, 8, 9, 21, 30]))
    moves = np.where(rng.random((n, n)) < 0.3, rng.random((n, n)) * 3, 0.0)
    census = rng.random(3 * n) * 10
    census[rng.random(3 * n) < 0.2] = -0.0
    icu = rng.permutation(3 * n)[:n]
    expected = census.copy()
    old_net = moves.sum(axis=0) - moves.sum(axis=1)
    expected[icu] += old_net
    net = kernels.shift_patients(moves=moves, out=moves.sum(axis=1), census=census, icu=icu)
    _same(net, old_net)
    _same(census, expected)


def test_transfer_events_make_the_frame_the_rows_made():
    """The transfers' events kept as arrays make the frame the rows of dicts made before issue #18 (values, dtypes, order)."""
    from sim.levers.patient_transfers import TRANSFER_COLUMNS, PatientTransfers

    rng = np.random.default_rng(3)
    n = 5
    lever = PatientTransfers.__new__(PatientTransfers)
    lever.codes, lever.hours, lever.transfers = [f"region_{i}" for i in range(n)], rng.random((n, n)) * 5, []
    rows = []
    for day in (0, 3, 4, 17):
        today = np.where(rng.random((n, n)) < 0.3, rng.random((n, n)), 0.0)
        today[0, 1] = 0.5  # at least one move a day, as on every day that has events
        moves = np.nonzero(today)
        lever.transfers.append((day, *moves, today[moves], lever.hours[moves]))
        for f, t in zip(*moves, strict=True):
            rows.append(
                {
                    "day": day,
                    "from_region": lever.codes[f],
                    "to_region": lever.codes[t],
                    "patients": float(today[f, t]),
                    "hours": float(lever.hours[f, t]),
                }
            )
    frame, old = lever.event_frames()["transfers"], pd.DataFrame(rows, columns=list(TRANSFER_COLUMNS))
    pd.testing.assert_frame_equal(frame, old)
    assert frame.dtypes.tolist() == old.dtypes.tolist()
    assert (pd.util.hash_pandas_object(frame) == pd.util.hash_pandas_object(old)).all()
    lever.transfers = []
    assert lever.event_frames()["transfers"].empty


# ---------------------------------------------------------------------------- redeployment
def _old_limits(required, ward_supply, icu_supply, queue, target, role, n_regions, hours_per_head):
    """``Redeployment._limits`` before issue #18."""
    uncovered = np.zeros((n_regions, N_PROFESSIONS))
    role = np.where(role >= 0, role, queue.profession)
    for kind, supply in ((COVID_WARD, ward_supply), (ICU, icu_supply)):
        units = np.arange(n_regions) * N_REGION_KINDS + kind
        here = target == units[queue.region]
        need = np.maximum(required[units] - supply, 0.0)
        uncovered[queue.region[here], role[here]] = need[queue.region[here], role[here]]
    key = queue.region * N_PROFESSIONS + role
    size = np.diff(queue.start).astype(float)
    total = np.bincount(key, weights=size, minlength=n_regions * N_PROFESSIONS)
    heads = uncovered.reshape(-1)[key] / hours_per_head
    return np.ceil(heads * size / np.maximum(total[key], 1.0)).astype(np.int64)


@pytest.mark.parametrize("seed", range(30))
def test_elective_limits_limit_as_the_numpy_code(seed):
    """redeployment's kernel: the same limits as the NumPy code it replaced (shared roles, regions without groups,
    needs met or not, an empty queue)."""
    rng = np.random.default_rng(seed)
    n_regions = int(rng.integers(1, 6))
    n_staff = 0 if seed == 0 else int(rng.integers(1, 200))
    region = rng.integers(0, n_regions, n_staff) * (rng.random(n_staff) < 0.9)  # region 0 has the most, some may have none
    professions = [ICU_PHYSICIAN, ANAESTHESIA_NURSE, REGISTERED_NURSE, PROFESSIONS.index("assistant_nurse")]
    profession = rng.choice(professions, n_staff)
    queue = Queue.build(np.arange(n_staff), region, profession, rng.random(n_staff))
    target = np.where(queue.profession == ICU_PHYSICIAN, queue.region * N_REGION_KINDS + ICU, queue.region * N_REGION_KINDS + COVID_WARD)
    role = np.where(queue.profession == ANAESTHESIA_NURSE, REGISTERED_NURSE, -1)
    required = np.where(
        rng.random((n_regions * N_REGION_KINDS, N_PROFESSIONS)) < 0.7, rng.random((n_regions * N_REGION_KINDS, N_PROFESSIONS)) * 300, 0.0
    )
    ward_supply, icu_supply = (rng.random((n_regions, N_PROFESSIONS)) * 200 for _ in range(2))
    hours_per_head = 40.0 / 7.0
    group_role, to_icu, size, role_size = Redeployment.limit_groups(queue, target, role, n_regions)
    new = kernels.elective_limits(
        required=required,
        ward_supply=ward_supply,
        icu_supply=icu_supply,
        target=target,
        to_icu=to_icu,
        region=queue.region,
        role=group_role,
        size=size,
        role_size=role_size,
        hours_per_head=hours_per_head,
    )
    _same(new, _old_limits(required, ward_supply, icu_supply, queue, target, role, n_regions, hours_per_head))


# ---------------------------------------------------------------------------- mobile teams
@pytest.mark.parametrize("seed", range(30))
def test_places_with_cases_selects_as_the_numpy_code(seed):
    """mobile_teams' places: the same homes (municipalities) and region starts as the mask, ``flatnonzero`` and
    ``searchsorted`` they replaced (regions without places, none on, no case, integer and float counts)."""
    rng = np.random.default_rng(seed)
    n_reg = int(rng.integers(1, 8))
    n_places = 0 if seed == 0 else int(rng.integers(1, 60))
    place_region = np.sort(rng.integers(0, n_reg, n_places)).astype(rng.choice([np.int64, np.int32, np.int16]))
    cases = rng.integers(0, 3, n_places) * (rng.random(n_places) < 0.5)
    if seed % 2:
        cases = cases * rng.random(n_places)  # expected cases (floats)
    on = rng.random(n_reg) < (0.0 if seed == 1 else 0.7)
    old = np.flatnonzero((cases > 0) & on[place_region])
    old_start = np.searchsorted(place_region[old], np.arange(n_reg + 1))
    places, start = kernels.places_with_cases(cases=cases, on=on, place_region=place_region, n_regions=n_reg)
    _same(places, old)
    _same(start, old_start)


def _old_adjust_demand(cut, debt, on, levels, max_cut, step, catch_up, base, census, elective, icu, covid, icu_other_cut, per_region):
    """``Redeployment.adjust_demand`` before issue #18 (``per_region``: the lever set per region, arrays; else scalars)."""
    cut = np.where(on, np.minimum(cut + step, max_cut), np.maximum(cut - step, 0.0))
    catching_up = (levels == 0) & (cut == 0) & (debt > 0)
    activity = 1.0 - cut + catch_up * catching_up
    operations = base * activity
    debt = np.maximum(debt + base - operations, 0.0)
    census[elective] *= activity
    if icu_other_cut > 0 and np.any(max_cut > 0):
        if per_region:
            kept = 1.0 - icu_other_cut * np.divide(cut, max_cut, out=np.zeros_like(cut), where=max_cut > 0)
        else:
            kept = 1.0 - icu_other_cut * cut / max_cut
        census[icu] = covid + np.maximum(census[icu] - covid, 0.0) * kept
    return cut, catching_up, operations, debt


@pytest.mark.parametrize("seed", range(40))
def test_plan_elective_care_plans_as_the_numpy_code(seed):
    """redeployment's day of planned care: the same cut, catch-up, operations, debt and census as the NumPy code it
    replaced, national (scalars) or per region (a region with no cut), the ICU cut on or off, ramps up, down and held."""
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 3, 21]))
    per_region, icu_other_cut = seed % 2 == 1, float(rng.choice([0.0, 0.36]))
    if per_region:
        max_cut = rng.choice([0.0, 0.3, 0.46], n)
        step, catch_up = max_cut / rng.choice([1.0, 10.0], n), rng.choice([0.0, 0.1], n)
    else:
        max_cut = float(rng.choice([0.0, 0.46]))
        step, catch_up = max_cut / 10.0, 0.1
    arrays = [np.broadcast_to(np.asarray(x, dtype=np.float64), n).copy() for x in (max_cut, step, catch_up)]
    cut = np.where(rng.random(n) < 0.5, 0.0, rng.random(n) * arrays[0])
    debt = np.where(rng.random(n) < 0.3, 0.0, rng.random(n) * 100)
    on, levels = rng.random(n) < 0.5, rng.integers(0, 3, n)
    base = rng.random(n) * 50
    census = rng.random(n * 5) * 20
    census[rng.random(n * 5) < 0.1] = -0.0
    elective, icu = np.arange(n) * 5 + 3, np.arange(n) * 5 + 1
    covid = rng.random(n) * 10 * (rng.random(n) < 0.7)
    expected_census = census.copy()
    old = _old_adjust_demand(
        cut, debt, on, levels, max_cut, step, catch_up, base, expected_census, elective, icu, covid, icu_other_cut, per_region
    )
    new = kernels.plan_elective_care(
        cut=cut,
        debt=debt,
        on=on,
        level=levels,
        max_cut=arrays[0],
        step=arrays[1],
        catch_up=arrays[2],
        operations_base=base,
        census=census,
        elective=elective,
        icu=icu,
        covid_icu=covid,
        icu_other_cut=icu_other_cut if np.any(arrays[0] > 0) else 0.0,
        cut_share_first=per_region,
    )
    for a, b in zip(new, old, strict=True):
        _same(a, b)
    _same(census, expected_census)
