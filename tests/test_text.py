"""The text helpers shared by messages, tables, the report and the figures (``sim.text``), and the input errors (``sim.errors``)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest

from sim.errors import InputError, OptionError, ScenarioError
from sim.text import MISSING, decimals, fmt_number, fmt_unit, full_scale, scale_note, suggest, unit_decimals, unit_kind, unit_label


def test_suggest_names_the_closest_option_or_nothing():
    assert suggest("scael", ["scale", "seed"]) == "; did you mean 'scale'?"
    assert suggest("zzz", ["scale", "seed"]) == ""
    assert suggest("anything", []) == ""
    # a fallback for when nothing is close, as callers write it
    assert (suggest("zzz", ["AB"]) or "; expected a region code such as AB") == "; expected a region code such as AB"


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (1234567, {}, "1,234,567"),
        (np.int64(-42), {}, "-42"),
        (0, {"sign": True}, "0"),
        (12, {"sign": True}, "+12"),
        (1234.5, {}, "1,234"),  # whole from 100 up (round half to even)
        (99.94, {}, "99.9"),
        (0.012345, {}, "0.0123"),
        (0.012345, {"digits": 4}, "0.01235"),
        (np.float32(0.5), {}, "0.5"),
        (-0.0, {}, "0"),
        (1e-9, {"sign": True, "decimals": 2}, "0.00"),  # rounds to zero: unsigned
        (-1e-9, {"decimals": 2}, "0.00"),
        (2.5, {"sign": True}, "+2.5"),
        (-1234.0, {"sign": True}, "-1,234"),
        (1234.5678, {"decimals": 2}, "1,234.57"),
        (0.5, {"sign": True, "decimals": 1}, "+0.5"),
        (float("nan"), {}, MISSING),
        (float("inf"), {"decimals": 2}, MISSING),
        ("covid", {}, "covid"),
        (True, {}, "True"),
    ],
)
def test_fmt_number(value, kwargs, expected):
    assert fmt_number(value, **kwargs) == expected


def test_decimals_show_the_largest_value_with_three_significant_digits():
    assert decimals([0.0123, 0.5]) == 3
    assert decimals(pd.Series([1234.0, -5.0])) == 0
    assert decimals([12.3, float("nan")]) == 1
    assert decimals([1e-12]) == 6  # capped
    assert decimals([0.0, float("nan")]) == 0
    assert decimals([float("inf"), 2.0]) == 2  # infinity shows as "–" and does not set the decimals
    assert decimals([]) == 0


def test_the_figures_and_the_report_use_the_same_rule():
    from sim import figures, report

    for value in (1234.5, -0.0123, 0.0, 5.0, math.nan):
        assert figures.signed(value) == fmt_number(value, sign=True)
        assert report._fmt(value) == fmt_number(value)


@pytest.mark.parametrize("cls", [InputError, ScenarioError, OptionError])
def test_input_errors_are_one_line_and_survive_pickling(cls):
    error = cls("--seed", "seed", "expected a whole number")
    assert str(error) == "--seed: seed: expected a whole number"
    assert isinstance(error, InputError) and isinstance(error, ValueError)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls and str(again) == str(error)
    assert (again.source, again.key, again.message) == ("--seed", "seed", "expected a whole number")
    assert str(cls("a.toml", "", "file not found")) == "a.toml: file not found"


def test_a_keyed_validation_error_survives_pickling():
    from sim.schema import _KeyedValueError

    error = _KeyedValueError("medicine", "unknown profession 'medicine'")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is _KeyedValueError and (again.key, str(again)) == ("medicine", "unknown profession 'medicine'")


def test_old_names_still_work():
    from sim import figures, scenario, world

    assert scenario.ScenarioError is ScenarioError
    assert world.Staff is world.StaffArrays
    assert figures.STATUSES is figures.STATUS_STYLES


# --------------------------------------------------------------------------- numbers by unit (issue #15)


@pytest.mark.parametrize(
    ("value", "unit", "kwargs", "expected"),
    [
        (-0.00129, "share of required hours", {}, "-0.129 %"),  # the care gap, no raw fraction
        (0.4391, "fatigue (0–1)", {}, "43.9 %"),
        (0.648, "supplied / required ICU-nurse hours", {}, "64.8 %"),
        (-0.46, "share of a normal April", {"sign": True}, "-46 %"),
        (0.05, "share of staff", {"sign": True, "decimals": 1}, "+5.0 %"),
        (1234.567, "MSEK", {}, "1,235 MSEK"),
        (8.7412, "MSEK", {"suffix": False}, "8.74"),
        (12345.6, "patient-days", {}, "12,346"),  # counts whole, thousands separated
        (0.4, "staff", {}, "0"),
        (-3.6, "patient-days", {"sign": True}, "-4"),
        (0.5441, "ICU nurses per patient", {}, "0.544"),
        (0.2, "share of Sweden", {}, "0.2"),  # the world's scale is a ratio, not a share in %
        (float("nan"), "share of staff", {}, MISSING),
        ("2020-04-12", "", {}, "2020-04-12"),
    ],
)
def test_fmt_unit_shows_a_value_by_its_unit(value, unit, kwargs, expected):
    assert fmt_unit(value, unit, **kwargs) == expected


def test_unit_kinds_labels_and_the_scale():
    assert [unit_kind(u) for u in ("share of staff", "MSEK", "staff", "ICU nurses per patient", "")] == [
        "percent",
        "money",
        "count",
        "ratio",
        "label",
    ]
    assert unit_label("share of staff") == "% of staff" and unit_label("fatigue (0–1)") == "fatigue (%)"
    assert unit_decimals([0.1234, 0.5], "share of staff") == 1 and unit_decimals([1.5, 2.5], "staff") == 0
    assert scale_note(1.0) == "" and scale_note(0.2) == "at scale 0.2; full-scale equivalent ≈ ×5"
    assert full_scale(10.0, "patient-days", 0.2) == " (≈ 50 at full scale)"
    assert full_scale(10.0, "MSEK", 0.5) == " (≈ 20 MSEK at full scale)"
    # shares, ratios, days, regions and zero have no full-scale equivalent
    assert {
        full_scale(0.3, "share of staff", 0.2),
        full_scale(46, "days", 0.2),
        full_scale(3, "regions", 0.2),
        full_scale(0, "staff", 0.2),
    } == {""}
    assert full_scale(10.0, "staff", 1.0) == ""
