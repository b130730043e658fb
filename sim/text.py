"""Text for people: did-you-mean suggestions and numbers, written one way everywhere.

- ``suggest(word, options)``: ``"; did you mean 'x'?"`` or ``""``, appended to an "unknown ..." message.
- ``fmt_number(value)``: a number in a sentence, a label or a single table cell: three significant
  digits below 100, whole numbers with thousands separators from 100 up, ``–`` for NaN and infinity.
- ``decimals(values)`` and ``fmt_number(value, decimals=n)``: numbers that share a table row or
  column, all with the same decimals so that they line up (the decimals that show the largest with
  about three significant digits).

- ``fmt_unit(value, unit)``: an indicator's value by its unit (``sim.indicators``): shares and fatigue
  as %, money as MSEK, counts whole with thousands separators, ratios with three significant digits;
  ``unit_kind(unit)`` says which, ``unit_decimals(values, unit)`` the decimals a column shares.
- ``scale_note(scale)``: "at scale 0.2; full-scale equivalent ≈ ×5" for numbers of a scaled-down world.

Zero is never signed (``0``, not ``-0`` or ``+0.00``): a sign on zero reads as a direction.
Files keep raw numbers; these are for people only.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable

#: Shown for a missing number (NaN) and for infinity.
MISSING = "–"
#: The most decimals a table shows (below that, a value reads as 0).
MAX_DECIMALS = 6


def suggest(word: str, options: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` with the closest of ``options`` to ``word``, or ``""`` if none is close.

    Callers append it to their message, or fall back to listing the options: ``suggest(...) or "; expected ..."``.
    """
    hint = difflib.get_close_matches(str(word), [str(o) for o in options], n=1)
    return f"; did you mean '{hint[0]}'?" if hint else ""


def decimals(values: Iterable[float], digits: int = 3) -> int:
    """Decimals that show the largest of ``values`` (by size) with about ``digits`` significant digits; 0 if all are 0 or NaN."""
    finite = [abs(float(v)) for v in values if math.isfinite(float(v))]
    largest = max(finite, default=0.0)
    if largest == 0.0:
        return 0
    return min(MAX_DECIMALS, max(0, digits - 1 - math.floor(math.log10(largest))))


def fmt_number(value: object, digits: int = 3, sign: bool = False, decimals: int | None = None) -> str:
    """A number for people.

    Args:
        value: an int or float (numpy scalars too); anything else is returned as ``str(value)``.
        digits: significant digits of a float below 100 (from 100 up it is rounded to a whole number).
        sign: show ``+`` on positive values (differences); zero stays unsigned.
        decimals: a fixed number of decimals instead (cells that share a row or column: see ``decimals()``).

    Returns:
        ``1,234`` / ``0.123`` / ``+12.3`` / ``–`` (NaN or infinity).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    plus = "+" if sign else ""
    if isinstance(value, numbers.Integral):
        return f"{int(value):{plus},}" if value else "0"
    x = float(value)
    if not math.isfinite(x):
        return MISSING
    if decimals is not None:
        text = f"{x:{plus},.{decimals}f}"
    elif abs(x) >= 100:
        text = f"{x:{plus},.0f}"
    else:
        text = f"{x:{plus}.{digits}g}"
    if text.strip("+-0.,") == "":
        return text.lstrip("+-")  # rounds to zero: no "-0.00" nor "+0"
    return text


# --------------------------------------------------------------------------- numbers by their unit

#: How a unit's values are shown (``unit_kind``): ``percent`` (× 100, with "%"), ``money`` (MSEK), ``count`` (whole,
#: thousands separated), ``ratio`` (three significant digits), ``label`` (dates, names: as they are).
KINDS = ("percent", "money", "count", "ratio", "label")


def unit_kind(unit: str) -> str:
    """How values of ``unit`` are shown (one of ``KINDS``).

    Shares ("share of staff", "share of a normal April") and fatigue ("fatigue (0–1)") and coverage
    ("supplied / required ...") are ``percent``; "MSEK" is ``money``; "share of Sweden" (the world's scale),
    units with "per" or "×" are ``ratio``; "" is ``label``; every other unit counts something (staff, patient-days,
    hours, homes, MSEK aside) and is ``count``.
    """
    unit = unit.strip()
    if not unit:
        return "label"
    if unit == "share of Sweden":
        return "ratio"
    if unit.startswith("share") or "(0–1)" in unit or unit.startswith("supplied / required"):
        return "percent"
    if unit == "MSEK":
        return "money"
    if " per " in unit or "×" in unit:
        return "ratio"
    return "count"


def unit_label(unit: str) -> str:
    """A unit as shown beside its values: "share of staff" → "% of staff", "fatigue (0–1)" → "fatigue (%)"."""
    if unit_kind(unit) != "percent":
        return unit
    if unit.startswith("share of "):
        return "% of " + unit.removeprefix("share of ")
    if unit.startswith("supplied / required "):
        return "% of required " + unit.removeprefix("supplied / required ") + " supplied"
    return unit.replace("(0–1)", "(%)")


def unit_decimals(values: Iterable[float], unit: str) -> int | None:
    """Decimals shared by a column of values of ``unit`` (None: let ``fmt_unit`` choose per value)."""
    kind = unit_kind(unit)
    if kind == "count":
        return 0
    if kind == "label":
        return None
    factor = 100.0 if kind == "percent" else 1.0
    return decimals([factor * float(v) for v in values if isinstance(v, numbers.Real)])


def fmt_unit(value: object, unit: str, sign: bool = False, decimals: int | None = None, suffix: bool = True) -> str:
    """An indicator's value for people, by its unit (``unit_kind``).

    Args:
        value: the raw value (a share as a fraction, money in MSEK, counts in model units).
        unit: the indicator's unit (``sim.indicators.unit(name)``).
        sign: show ``+`` on positive values (differences).
        decimals: fixed decimals (of the shown number: for a share, of the percentage).
        suffix: append " MSEK" to money (tables with a unit column leave it out); "%" is always shown.

    Returns:
        ``12.3 %``, ``-0.129 %``, ``1,234 MSEK``, ``1,234`` (a count, whole), ``0.544``, ``–`` (NaN).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    kind = unit_kind(unit)
    x = float(value)
    if not math.isfinite(x):
        return MISSING
    if kind == "percent":
        return fmt_number(100.0 * x, sign=sign, decimals=decimals) + " %"
    if kind == "count":
        return fmt_number(x, sign=sign, decimals=0 if decimals is None else decimals)
    text = fmt_number(value, sign=sign, decimals=decimals)
    return f"{text} MSEK" if kind == "money" and suffix else text


#: Count units that do not grow with the world's scale (the period's days, Sweden's 21 regions).
UNSCALED = ("days", "regions")


def scales(unit: str) -> bool:
    """Whether values of ``unit`` are that share of Sweden's in a scaled-down world: counts and money, not days, regions or shares."""
    return unit_kind(unit) in ("count", "money") and unit not in UNSCALED


def full_scale_factor(scale: float) -> float:
    """What counts of a world at ``scale`` are multiplied by for Sweden's (1 / scale)."""
    return 1.0 / float(scale)


def scale_note(scale: float) -> str:
    """ "at scale 0.2; full-scale equivalent ≈ ×5" for a world below full scale; "" at full scale."""
    if scale is None or float(scale) >= 1.0:
        return ""
    return f"at scale {float(scale):g}; full-scale equivalent ≈ ×{fmt_number(full_scale_factor(scale))}"


def full_scale(value: object, unit: str, scale: float) -> str:
    """ " (≈ 1,234 at full scale)" for a count or money at ``scale`` < 1 (``scales``); "" for 0, shares, ratios, days and at full scale."""
    if scale is None or float(scale) >= 1.0 or not scales(unit):
        return ""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)) or float(value) == 0:
        return ""
    return f" (≈ {fmt_unit(float(value) / float(scale), unit)} at full scale)"
