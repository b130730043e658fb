"""``sim.lookup.LookupArray``: per-class values held as a one-byte code per person (issue #18).

It must read back, bit for bit, what an array of its dtype would hold after the same writes: the kernels read
``table[code[i]]`` where they read the per-person array before.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.lookup import MAX_VALUES, LookupArray


def _writes(rng: np.random.Generator, n: int, levels: np.ndarray):
    """Random writes as the levers make them: a scalar, an array per row, a raise to a level, a boolean mask, a slice."""
    for _ in range(60):
        kind = rng.integers(0, 5)
        rows = rng.choice(n, size=int(rng.integers(0, n // 3)), replace=False)
        if kind == 0:
            yield rows, levels[rng.integers(0, levels.size)]
        elif kind == 1:
            yield rows, levels[rng.integers(0, levels.size, size=rows.size)]
        elif kind == 2:
            yield rows, ("raise", levels[rng.integers(0, levels.size)])
        elif kind == 3:
            yield rng.random(n) < 0.2, ("mask", levels[rng.integers(0, levels.size)])
        else:
            a, b = sorted(rng.integers(0, n, size=2))
            yield slice(int(a), int(b)), levels[rng.integers(0, levels.size)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_reads_back_what_an_array_of_its_dtype_holds(dtype):
    rng = np.random.default_rng(3)
    n = 500
    # the values the model stores: 1, a reservoir's effectiveness, products, signed zeros, a NaN, one float32 can't hold
    levels = np.array([1.0, 0.7, 0.6 * 0.7, 0.0, -0.0, np.nan, 0.1, 1 / 3, 0.95])
    start = levels[rng.integers(0, levels.size, size=n)]
    plain = start.astype(dtype)
    lookup = LookupArray(start, dtype=dtype)
    assert lookup.dtype == np.dtype(dtype) and len(lookup) == n and lookup.code.dtype == np.uint8
    for rows, value in _writes(rng, n, levels):
        if isinstance(value, tuple) and value[0] == "raise":
            plain[rows] = np.maximum(plain[rows], value[1])
            lookup[rows] = np.maximum(lookup[rows], value[1])
        elif isinstance(value, tuple):
            plain[rows] = value[1]
            lookup[rows] = value[1]
        else:
            plain[rows] = value
            lookup[rows] = value
        assert np.array_equal(np.asarray(lookup).view(np.uint8), plain.view(np.uint8)), "the same bits as the array"
    assert np.array_equal(lookup[7:40].view(np.uint8), plain[7:40].view(np.uint8))
    assert np.asarray(lookup[3]).tobytes() == plain[3:4].tobytes(), "a row's value"
    out = np.empty(n, dtype=dtype)
    lookup.copy_into(out)
    assert np.array_equal(out.view(np.uint8), plain.view(np.uint8))
    wide = np.empty(n, dtype=np.float64)
    lookup.copy_into(wide)
    np.testing.assert_array_equal(wide, plain.astype(np.float64))


def test_augmented_assignment_and_an_independent_copy():
    a = LookupArray(np.ones(10))
    a[2:5] *= 0.5
    b = a.copy()
    b[0] = 0.25
    np.testing.assert_array_equal(np.asarray(a), [1, 1, 0.5, 0.5, 0.5, 1, 1, 1, 1, 1])
    assert b[0] == 0.25 and a[0] == 1.0
    assert a.nbytes == 10 + a.table.nbytes


def test_too_many_distinct_values_is_a_clear_error_and_keeps_the_codes():
    a = LookupArray(np.zeros(400))
    a[: MAX_VALUES - 1] = np.arange(1, MAX_VALUES, dtype=float)
    before = a.code.copy()
    with pytest.raises(ValueError, match=r"more than 256 distinct values"):
        a[:] = np.arange(400, dtype=float) + 0.5
    assert np.array_equal(a.code, before), "a refused write changes nothing"
    with pytest.raises(ValueError, match="one dimension"):
        LookupArray(np.zeros((2, 2)))


def test_the_staff_state_holds_one_byte_per_person_for_per_class_values():
    """The world's base and posting effectiveness and hygiene are lookups; their kernels give the same results as the
    per-person arrays did (benchmarks/check_identical.py checks whole runs bit for bit)."""
    from sim.model import MobilisationModel
    from sim.scenario import load_scenario

    model = MobilisationModel(load_scenario("scenarios/sweden_spring2020.toml", world__scale=0.01), seed=1)
    s = model.world.staff
    for name in ("base_effectiveness", "posting_effectiveness", "hygiene"):
        value = getattr(s, name)
        assert isinstance(value, LookupArray) and value.code.nbytes == len(s), name
    assert s.hygiene.table.size <= 2 * 7, "a value per profession and contract"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_write_of_held_values_gives_the_codes_a_sort_would(dtype):
    """Writes of values the table holds take the table scan (``_known_codes``), the others the sort: both give each value
    the code of its bits in the table, which stays as it was (signed zeros and NaN payloads told apart)."""
    rng = np.random.default_rng(7)
    nans = np.array([0x7FF8000000000000, 0x7FF8000000000001, 0xFFF8000000000000], dtype=np.uint64).view(np.float64)
    held = np.concatenate([[1.0, 0.7, 0.0, -0.0, 0.42], nans]).astype(dtype)
    n = 300
    a = LookupArray(held[rng.integers(0, held.size, size=n)], dtype=dtype)
    bits = _bits(a.table.copy())
    for _ in range(50):
        rows = rng.choice(n, size=int(rng.integers(0, 60)), replace=False)
        values = held[rng.integers(0, held.size, size=rows.size)]
        if rng.random() < 0.5:
            values = np.sort(values)  # runs of one value, as a raise to a level writes them
        a[rows] = values
        np.testing.assert_array_equal(_bits(a.table), bits)  # nothing added
        np.testing.assert_array_equal(a.code[rows], [np.flatnonzero(bits == b)[0] for b in _bits(values)])
    new = np.array([0.25, 1.0, 0.25], dtype=dtype)  # a value not held: the sort, which adds it once
    a[np.arange(3)] = new
    np.testing.assert_array_equal(_bits(a.table), np.append(bits, _bits(new)[0]))
    np.testing.assert_array_equal(a.code[:3], [bits.size, np.flatnonzero(bits == _bits(new)[1])[0], bits.size])


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values).view(np.uint64 if values.dtype == np.float64 else np.uint32)
