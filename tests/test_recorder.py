"""Building a run's result (``sim.recorder``, issue #18): the frames built at once from their columns, the key columns'
categories and the summary's gap by day, bit for bit as the operations they replace."""

from __future__ import annotations

import pandas as pd

from sim.categories import LEVELS, PROFESSIONS
from sim.recorder import _categories


def test_categories_are_sorted_and_coded_once():
    dtype, codes = _categories(PROFESSIONS)
    assert list(dtype.categories) == sorted(PROFESSIONS) and not dtype.ordered
    assert [dtype.categories[c] for c in codes] == list(PROFESSIONS)
    assert _categories(PROFESSIONS)[0] is dtype  # made once
    levels, codes = _categories(LEVELS, sort=False)
    assert list(levels.categories) == list(LEVELS) and list(codes) == list(range(len(LEVELS)))


def test_a_result_shares_no_memory_with_the_recorder(model_factory):
    """The frames are built at once from views of the recorder's arrays, copied: writing into a frame changes neither
    the recorder nor the next result, and the days after do not change the frames."""
    model = model_factory(seed=3)
    for _ in range(10):
        model.step()
    result = model.result()
    before = {name: frame.copy(deep=True) for name, frame in result.daily.items()}
    for _, frame in result.daily.items():
        for j, dtype in enumerate(frame.dtypes):
            if dtype.kind in "if":
                frame.iloc[0, j] = -1
    again = model.result()
    for name, frame in again.daily.items():
        pd.testing.assert_frame_equal(frame, before[name], check_exact=True)
    for _ in range(5):
        model.step()
    later = model.result()
    for name, frame in later.daily.items():
        first = frame[frame["date"] <= before[name]["date"].max()].reset_index(drop=True)
        pd.testing.assert_frame_equal(first, before[name], check_exact=True)


def test_gap_by_day_is_the_sum_of_the_whole_difference(model_factory):
    """Taken a block of days at a time (blocks of 15 days here), bit for bit the sums by day of the whole days' difference."""
    model = model_factory(seed=4)
    for _ in range(20):
        model.step()
    rec = model.recorder
    for n in (0, 1, 15, 16, 20):
        expected = (rec.required[:n] - rec.supplied[:n]).sum(axis=(1, 2))
        assert rec._gap_by_day(n).tobytes() == expected.tobytes()
