"""Per-person values that are really per-class: each person's code into a small table of the values (issue #18).

A staff member's effectiveness in their own profession, their effectiveness while posted and their hygiene skill take
a handful of values in a run (1, the reservoirs' effectiveness, a course's level, a profession's skill …), yet were held
as one float64 per person: 24 of the state's 103 bytes per person. ``LookupArray`` holds them as one byte per person,
a code into a table of the distinct values (at most 256), and reads and writes like the array it replaces:
``a[rows]`` gives the values (a new array), ``a[rows] = values`` stores them (a value not yet in the table is added
to it), ``np.asarray(a)`` gives every person's value. The kernels take ``code`` and ``table`` and read
``table[code[i]]``: the very float the per-person array held, so results are unchanged bit for bit.

Two differences from an array: ``a[rows]`` is always a copy (a slice is not a view to write through: write with
``a[rows] = ...``), and a ``LookupArray`` does no arithmetic of its own (``1 - np.asarray(a)``, not ``1 - a``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

#: most distinct values a table holds (a code is one byte)
MAX_VALUES = 256
_BITS = {np.dtype(np.float64): np.uint64, np.dtype(np.float32): np.uint32}


class LookupArray:
    """A per-person float value held as a one-byte code per person into ``table``, its distinct values.

    Values are told apart by their bits (0.0 and -0.0 are two values), so that what is read back is what was stored.
    ``dtype`` is the table's: a value is rounded to it once, when it is stored, as in an array of that dtype.
    """

    __slots__ = ("code", "table")

    def __init__(self, values: Any, dtype: Any = np.float64) -> None:
        values = np.asarray(values, dtype=dtype)
        if values.ndim != 1:
            raise ValueError(f"LookupArray: expected one value per person (one dimension), got shape {values.shape}")
        self.table = np.zeros(0, dtype=dtype)
        self.code = self._codes(values)

    def __len__(self) -> int:
        return int(self.code.shape[0])

    @property
    def shape(self) -> tuple[int, ...]:
        return self.code.shape

    @property
    def dtype(self) -> np.dtype:
        return self.table.dtype

    @property
    def nbytes(self) -> int:
        """Bytes held: the codes and the table."""
        return int(self.code.nbytes + self.table.nbytes)

    def __getitem__(self, rows: Any) -> Any:
        return self.table[self.code[rows]]

    def __setitem__(self, rows: Any, values: Any) -> None:
        values = np.asarray(values, dtype=self.table.dtype)
        self.code[rows] = self._codes(values.reshape(-1)).reshape(values.shape)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.table[self.code]
        return out if dtype is None else out.astype(dtype, copy=False)

    def copy_into(self, out: np.ndarray) -> None:
        """Every person's value into ``out`` (as ``np.copyto(out, values)``), without a temporary array when the dtypes agree."""
        if out.dtype == self.table.dtype:
            np.take(self.table, self.code, out=out)
        else:
            np.copyto(out, self.table[self.code])

    def copy(self) -> LookupArray:
        """An independent copy (codes and table)."""
        out = LookupArray.__new__(LookupArray)
        out.code, out.table = self.code.copy(), self.table.copy()
        return out

    def __repr__(self) -> str:
        return f"LookupArray({len(self):,} persons, {self.table.shape[0]} values: {self.table.tolist()[:8]})"

    def _codes(self, values: np.ndarray) -> np.ndarray:
        """The codes of ``values`` (of the table's dtype), the values not yet in the table added to it."""
        bits_type = _BITS[self.table.dtype]
        bits = np.ascontiguousarray(values).view(bits_type)
        table_bits = self.table.view(bits_type)
        codes = np.empty(bits.shape[0], dtype=np.uint8)
        if _known_codes(bits, table_bits, codes):  # the levers' daily writes: every value already held
            return codes
        unique, inverse = np.unique(bits, return_inverse=True)
        new = unique[~np.isin(unique, table_bits)]
        if new.size:
            if table_bits.shape[0] + new.shape[0] > MAX_VALUES:
                raise ValueError(
                    f"LookupArray: more than {MAX_VALUES} distinct values ({table_bits.shape[0]} held, {new.shape[0]} new): "
                    "a per-person value that is not per class needs an array of its own"
                )
            self.table = np.concatenate([self.table, new.view(self.table.dtype)])
            table_bits = self.table.view(bits_type)
        order = np.argsort(table_bits, kind="stable")
        code_of_unique = order[np.searchsorted(table_bits, unique, sorter=order)]
        return code_of_unique.astype(np.uint8)[inverse.reshape(-1)]


@njit(cache=True)
def _known_codes(bits: np.ndarray, table_bits: np.ndarray, codes: np.ndarray) -> bool:
    """Each value's code into ``codes``, scanning the table (a handful of values) for its bits; False as soon as one is
    not in the table (``codes`` then partly written, and not used). The common write: for a lever's daily tens to hundreds
    of values 16-24x cheaper than sorting them (``np.unique``), which ``_codes`` keeps for the writes that add a value
    (issue #18). The scan costs the table's size per value: a table near 256 values would be slower than the sort."""
    last_bits, last_code = bits.dtype.type(0), -1  # the previous value's bits and code: runs of one value are common
    for i in range(bits.shape[0]):
        b = bits[i]
        if last_code < 0 or b != last_bits:
            last_code = -1
            for k in range(table_bits.shape[0]):
                if table_bits[k] == b:
                    last_code = k
                    break
            if last_code < 0:
                return False
            last_bits = b
        codes[i] = last_code
    return True
