"""Text for people: did-you-mean suggestions and numbers, written one way everywhere.

- ``suggest(word, options)``: ``"; did you mean 'x'?"`` or ``""``, appended to an "unknown ..." message.
- ``fmt_number(value)``: a number in a sentence, a label or a single table cell: three significant
  digits below 100, whole numbers with thousands separators from 100 up, ``–`` for NaN and infinity.
- ``decimals(values)`` and ``fmt_number(value, decimals=n)``: numbers that share a table row or
  column, all with the same decimals so that they line up (the decimals that show the largest with
  about three significant digits).

Zero is never signed (``0``, not ``-0`` or ``+0.00``): a sign on zero reads as a direction.
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
