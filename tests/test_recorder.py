"""Building a run's result (``sim.recorder``, issue #18): the frames built at once from their columns, the key columns'
categories, and the summary's sums by group, bit for bit as the pandas operations they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.categories import LEVELS, PROFESSIONS
from sim.recorder import _categories, _group_sums, _worst_region_week


def _cases(seed: int):
    """Labels and two float columns: groups in order or not, NaN in the first column, an infinity in the second."""
    rng = np.random.default_rng(seed)
    for trial in range(120):
        n, n_groups = int(rng.integers(1, 300)), int(rng.integers(1, 25))
        labels = rng.integers(0, n_groups, n)
        if trial % 3 == 0:
            labels = np.sort(labels)
        values = rng.standard_normal((n, 2)) * 10.0 ** rng.integers(-5, 12, (n, 2))
        if trial % 5 == 0:
            values[rng.random(n) < 0.1, 0] = np.nan
        if trial % 7 == 0:
            values[rng.integers(0, n), 1] = np.inf
        yield labels, values, n_groups


def test_group_sums_are_pandas_groupby_sums_bit_for_bit():
    for labels, values, n_groups in _cases(1):
        sums = _group_sums(labels, values, n_groups)
        for j in range(values.shape[1]):
            expected = pd.Series(values[:, j]).groupby(labels).sum()
            got = sums[expected.index.to_numpy(), j]
            assert got.tobytes() == expected.to_numpy().tobytes()
        assert not sums[np.setdiff1d(np.arange(n_groups), labels)].any()  # a group without rows sums to 0


def _worst_by_groupby(icu: pd.DataFrame) -> float:
    """``_worst_region_week`` as a pandas groupby (before issue #18)."""
    week = (icu["date"] - icu["date"].min()).dt.days // 7
    sums = icu.groupby([icu["region"], week], observed=True)[["icu_nurses", "icu_patients"]].sum()
    sums = sums[sums["icu_patients"] >= 7.0]
    return float((sums["icu_nurses"] / sums["icu_patients"]).min()) if len(sums) else float("nan")


@pytest.mark.parametrize("regions", [["c", "a", "b"], ["a"]])
@pytest.mark.parametrize("categorical", [True, False])
def test_worst_region_week_is_the_groupby_bit_for_bit(regions, categorical):
    rng = np.random.default_rng(2)
    dates = pd.date_range("2020-03-01", periods=40, freq="D")
    for trial in range(10):
        icu = pd.DataFrame(
            {
                "date": np.repeat(dates, len(regions)),
                "region": np.tile(regions, len(dates)),
                "icu_nurses": rng.random(len(dates) * len(regions)) * 30.0,
                "icu_patients": rng.random(len(dates) * len(regions)) * 4.0 * 10.0 ** rng.integers(0, 3),
            }
        )
        if categorical:
            icu["region"] = icu["region"].astype("category")
        if trial % 2:
            icu.loc[rng.random(len(icu)) < 0.05, "icu_nurses"] = np.nan
        expected, got = _worst_by_groupby(icu), _worst_region_week(icu)
        assert np.float64(got).tobytes() == np.float64(expected).tobytes()


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
