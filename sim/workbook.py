"""Results for spreadsheets: one Excel workbook per results folder (``--xlsx``) and CSV in Swedish Excel's dialect (``--csv sv``).

**Workbooks.** ``write_workbook(path, sheets)`` writes any ``{sheet name: DataFrame}`` as one ``.xlsx``
file (openpyxl, write-only mode): a bold, frozen header row with a filter, column widths fitted to
the contents, and number formats chosen per column: dates as dates (``yyyy-mm-dd``), whole counts
with a thousands separator (``#,##0``, shown as ``1 234`` by Swedish Excel), shares as percent
(columns whose name says ``share`` or ``coverage``; in a summary sheet, rows whose unit starts with
"share"), other numbers with the decimals their size needs. A sheet is one more entry of the dict:
``sheets["regions"] = region_summary(result)`` (sheet names at most 31 characters, as Excel allows).
The file is written to a temporary file beside ``path`` and moved into place (``sim.store.atomic_file``):
an interrupted write leaves no half-written workbook.

``Result.to_xlsx``, ``CompareResult.to_xlsx`` and ``sweep_workbook`` build the sheets of a run, a
comparison and a sweep (summary, daily per region, comparison with intervals, means by point, and
``provenance``: scenario(s) as TOML, seeds, replications, ``world.scale`` with the full-scale factor,
mobsim version, git commit, date written, command line); ``mobsim run/compare/sweep --xlsx`` saves
them as ``results.xlsx`` in the results folder.

**CSV dialects** (``CSV_DIALECTS``): ``comma`` (the default: comma, decimal point, UTF-8) and ``sv``
(Swedish Excel: semicolon, decimal comma, UTF-8 with a byte-order mark, so that a double-click
opens the file as columns). Read a ``sv`` file back with
``pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")``. Every CSV and workbook sheet
with a ``region`` column (or ``from_region``, ``to_region``) gets the region's name as written in
Sweden beside it (``region_name``: "Jämtland Härjedalen"; ``sim.data.regions()``).
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.store import atomic_file, mobsim_version

#: The workbook's file name in a results folder.
WORKBOOK = "results.xlsx"
#: Excel's limits: rows per sheet (the header included) and characters per sheet name.
EXCEL_MAX_ROWS = 1_048_576
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = set("[]:*?/\\")
#: CSV dialects by name: ``pandas.DataFrame.to_csv`` arguments.
CSV_DIALECTS: dict[str, dict[str, str]] = {
    "comma": {"sep": ",", "decimal": ".", "encoding": "utf-8"},
    "sv": {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"},
}
#: Other names a dialect may be given by.
CSV_ALIASES = {"excel-sv": "sv", "swedish": "sv", "default": "comma"}
SCALE_NOTE = "counts are at scale {s:g}; full-scale ≈ ×{f:.4g} (1/s)"

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"


# --------------------------------------------------------------------------- CSV


def csv_dialect(name: str) -> str:
    """The dialect ``name`` stands for (``comma`` or ``sv``).

    Raises:
        ValueError: an unknown dialect, naming the known ones.
    """
    key = CSV_ALIASES.get(str(name).strip().lower(), str(name).strip().lower())
    if key not in CSV_DIALECTS:
        raise ValueError(
            f"unknown CSV dialect '{name}'; expected one of {', '.join(CSV_DIALECTS)} (sv: Swedish Excel, ';' and decimal comma)"
        )
    return key


def with_region_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each region's Swedish name beside its code: ``region_name`` after ``region``,
    ``from_region_name`` after ``from_region`` and so on; frames without region columns unchanged."""
    columns = [c for c in frame.columns if c == "region" or str(c).endswith("_region")]
    if not columns:
        return frame
    from sim.data import regions

    names = dict(zip(regions()["code"], regions()["name"], strict=True))
    out = frame.copy()
    for column in columns:
        if f"{column}_name" in out.columns:  # named already (sim.regional's tables)
            continue
        at = list(out.columns).index(column) + 1
        codes = out[column].astype(object)
        out.insert(at, f"{column}_name", codes.map(lambda c: names.get(c, c) if isinstance(c, str) else c))
    return out


def write_csv(frame: pd.DataFrame, path: str | Path, dialect: str = "comma") -> None:
    """Write ``frame`` as CSV in ``dialect`` (``CSV_DIALECTS``), with the regions' names beside their codes."""
    options = CSV_DIALECTS[csv_dialect(dialect)]
    with_region_names(frame).to_csv(path, index=False, **options)


def write_frame(frame: pd.DataFrame, folder: Path, name: str, dialect: str | None) -> None:
    """``name.parquet`` in ``folder`` and, with a ``dialect``, ``name.csv`` in it (``write_csv``): the results folders' files."""
    frame.to_parquet(folder / f"{name}.parquet", index=False)
    if dialect is not None:
        write_csv(frame, folder / f"{name}.csv", dialect)


# --------------------------------------------------------------------------- provenance


def git_commit() -> str | None:
    """The git commit of the mobsim source tree this code runs from (with ``+changes`` if it has uncommitted edits), or None."""
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True)
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def command_line(argv: Iterable[str] | None = None) -> str:
    """The command that is running, as a shell would take it (``mobsim run ...``)."""
    args = list(sys.argv if argv is None else argv)
    if args and Path(args[0]).name in ("__main__.py", "mobsim", "cli.py"):
        args[0] = "mobsim"
    return shlex.join(args)


def toml_text(data: Mapping[str, Any]) -> str:
    """A resolved scenario (``Scenario.model_dump(mode="json")``) as TOML: tables, arrays of tables, ``key = value``."""
    lines: list[str] = []

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return _toml_string(v)
        if isinstance(v, float) and not math.isfinite(v):
            return "nan" if v != v else ("inf" if v > 0 else "-inf")
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v if x is not None) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{_toml_key(k)} = {value(x)}" for k, x in v.items() if x is not None) + " }"
        return _toml_string(str(v))

    def table(prefix: str, node: Mapping[str, Any], array: bool = False) -> None:
        simple = {k: v for k, v in node.items() if not _is_table(v) and not _is_table_array(v) and v is not None}
        if prefix:
            lines.extend(["", f"[[{prefix}]]" if array else f"[{prefix}]"])
        lines.extend(f"{_toml_key(k)} = {value(v)}" for k, v in simple.items())
        for k, v in node.items():
            name = f"{prefix}.{_toml_key(k)}" if prefix else _toml_key(k)
            if _is_table(v):
                table(name, v)
            elif _is_table_array(v):
                for item in v:
                    table(name, item, array=True)

    table("", data)
    return "\n".join(lines).strip() + "\n"


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _toml_key(key: Any) -> str:
    text = str(key)
    return text if text and all((c.isalnum() and c.isascii()) or c in "_-" for c in text) else _toml_string(text)


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def provenance(
    items: Iterable[tuple[str, Any]], scenarios: Mapping[str, Any], scale: float | None, command: str | None = None
) -> pd.DataFrame:
    """The ``provenance`` sheet: what the numbers come from, as (item, value) rows, then each scenario as TOML, one line a row.

    Args:
        items: (item, value) rows first: seeds, replications, what ran.
        scenarios: each scenario's resolved values (``model_dump(mode="json")``) by name.
        scale: ``world.scale`` of the runs (None if they differ; each scenario's TOML says it).
        command: the command line that wrote the workbook (None from Python).
    """
    rows: list[tuple[str, Any]] = list(items)
    if scale is not None:
        rows.append(("world.scale", scale))
        rows.append(("note", SCALE_NOTE.format(s=scale, f=1 / scale) if scale < 1 else "counts are at full scale (world.scale 1)"))
    else:
        rows.append(("world.scale", "differs between the scenarios; see each scenario below"))
    commit = git_commit()
    rows += [
        ("mobsim version", mobsim_version()),
        ("git commit", commit if commit is not None else "unknown (not run from a git checkout)"),
        ("written (UTC)", dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)),
        ("command line", command if command is not None else "Python (to_xlsx or save)"),
    ]
    for name, data in scenarios.items():
        rows.append(("", ""))
        rows.append((f"scenario {name} (resolved values, TOML)", ""))
        rows += [("", line) for line in toml_text(data).splitlines()]
    return pd.DataFrame(rows, columns=["item", "value"])


def summary_sheet(summary: pd.DataFrame) -> pd.DataFrame:
    """A one-row run summary as one row per indicator: indicator, title, value, unit (``sim.indicators``)."""
    from sim import indicators

    row = summary.iloc[0]
    return pd.DataFrame(
        {
            "indicator": [str(k) for k in row.index],
            "title": [indicators.title(str(k)) for k in row.index],
            "value": [_date_or_value(v) for v in row.to_numpy(dtype=object)],
            "unit": [indicators.unit(str(k)) for k in row.index],
        }
    )


def _date_or_value(v: Any) -> Any:
    """A summary value for a cell: an ISO date (``peak_covid_icu_date``) as a date, anything else as ``_python`` gives it."""
    if isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-":
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            return v
    return _python(v)


def titled(frame: pd.DataFrame, column: str = "indicator") -> pd.DataFrame:
    """``frame`` with each indicator's ``title`` and ``unit`` (``sim.indicators``) after its ``column``."""
    from sim import indicators

    out = frame.copy()
    at = list(out.columns).index(column) + 1
    out.insert(at, "unit", out[column].map(lambda k: indicators.unit(str(k))))
    out.insert(at, "title", out[column].map(lambda k: indicators.title(str(k))))
    return out


# --------------------------------------------------------------------------- workbook


def check_sheets(sheets: Mapping[str, pd.DataFrame]) -> None:
    """Refuse sheet names Excel refuses and sheets longer than Excel's rows.

    Raises:
        ValueError: naming the sheet and what is wrong.
    """
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    seen: set[str] = set()
    for name, frame in sheets.items():
        if not name or len(name) > SHEET_NAME_MAX or _SHEET_FORBIDDEN & set(name) or name.startswith("'") or name.endswith("'"):
            raise ValueError(f"sheet name '{name}': expected 1 to {SHEET_NAME_MAX} characters without []:*?/\\ or quotes at the ends")
        if name.lower() in seen:
            raise ValueError(f"sheet name '{name}' is used twice (Excel ignores case)")
        seen.add(name.lower())
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise ValueError(f"sheet '{name}' has {len(frame):,} rows; Excel opens at most {EXCEL_MAX_ROWS - 1:,} below the header")


def write_workbook(path: str | Path, sheets: Mapping[str, pd.DataFrame]) -> Path:
    """Write ``sheets`` (name → frame, in order) as one xlsx workbook at ``path``, atomically; returns the path.

    Raises:
        ValueError: a sheet name Excel refuses or a sheet with more rows than Excel opens (nothing is written).
    """
    check_sheets(sheets)
    return atomic_file(path, lambda temporary: _write(temporary, sheets))


def _write(path: Path, sheets: Mapping[str, pd.DataFrame]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        _write_sheet(book, name, with_region_names(frame.reset_index(drop=True)))
    book.save(path)


def _write_sheet(book: Any, name: str, frame: pd.DataFrame) -> None:
    """One sheet of a write-only workbook: bold frozen header with a filter, widths, a number format per cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title=name)
    columns = [_column(frame, c) for c in frame.columns]
    for i, (header, values, fmt) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _width(header, values, fmt)
    sheet.freeze_panes = "A2"
    if columns and len(frame):
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    bold = Font(bold=True)
    head = []
    for header, _, _ in columns:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    units = [str(u or "") for u in frame["unit"]] if "unit" in frame.columns else None
    # one styled cell per column and format, its value set row by row: a write-only sheet writes each row as it is
    # appended, so the cell is free again for the next row (a new cell per value costs ~50 µs of style lookups)
    styled: dict[tuple[int, str], Any] = {}
    for r in range(len(frame)):
        row = []
        for c, (_, values, fmt) in enumerate(columns):
            v = values[r]
            if v is None or isinstance(v, str | bool):
                row.append(v)
                continue
            if units is not None and isinstance(v, int | float):
                fmt = _value_format(v, units[r])  # a summary's rows mix units: each row its own
            elif fmt is None and isinstance(v, dt.date):
                fmt = DATETIME_FORMAT if isinstance(v, dt.datetime) and (v.hour or v.minute or v.second) else DATE_FORMAT
            if fmt is None:
                row.append(v)
                continue
            cell = styled.get((c, fmt))
            if cell is None:
                cell = styled[(c, fmt)] = WriteOnlyCell(sheet)
                cell.number_format = fmt
            cell.value = v
            row.append(cell)
        sheet.append(row)


def _python(v: Any) -> Any:
    """A value openpyxl writes: numpy scalars as Python's, NaN and NaT as empty cells, timestamps as datetimes."""
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime().replace(tzinfo=None)
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dt.datetime | dt.date | int | float | str | bool):
        return v
    return str(v)


def _column(frame: pd.DataFrame, column: Any) -> tuple[str, list[Any], str | None]:
    """(header, values as Python objects, number format) of one column."""
    series = frame[column]
    header = str(column)
    name = header.lower()
    if pd.api.types.is_datetime64_any_dtype(series):
        values = [None if pd.isna(v) else v.to_pydatetime().replace(tzinfo=None) for v in series]
        return header, values, DATE_FORMAT
    if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object or pd.api.types.is_string_dtype(series):
        values = [_python(v) for v in series.astype(object)]
        dates = [v for v in values if v is not None]
        if dates and all(isinstance(v, dt.date) for v in dates):
            return header, values, DATE_FORMAT
        return header, values, None
    if pd.api.types.is_bool_dtype(series):
        return header, [bool(v) for v in series], None
    if pd.api.types.is_integer_dtype(series):
        return header, [int(v) for v in series], COUNT_FORMAT
    floats = series.astype(float).to_numpy()
    values = [None if not math.isfinite(v) else float(v) for v in floats]
    if "share" in name or "coverage" in name:
        return header, values, PERCENT_FORMAT
    return header, values, _float_format(floats)


def _float_format(values: np.ndarray) -> str:
    """Decimals by size: ≥ 100 whole numbers, ≥ 1 two decimals, below 1 four."""
    finite = np.abs(values[np.isfinite(values)])
    size = float(np.median(finite)) if finite.size else 0.0
    if size >= 100:
        return "#,##0"
    if size >= 1 or size == 0:
        return "#,##0.00"
    return "0.0000"


def _value_format(value: float, unit: str) -> str:
    """The format of a number in a row with ``unit``: shares as percent, whole numbers as counts, else by size."""
    if unit.startswith("share"):
        return PERCENT_FORMAT
    if isinstance(value, int):
        return COUNT_FORMAT
    return _float_format(np.array([float(value)]))


def _width(header: str, values: list[Any], fmt: str | None) -> float:
    """A column width that fits the header and the first values (at most 60 characters)."""
    sample = values[:200]
    longest = len(header)
    for v in sample:
        if v is None:
            continue
        if fmt == DATE_FORMAT:
            size = 10
        elif isinstance(v, float):
            size = len(f"{v:,.2f}") if abs(v) < 1e15 else 12
        else:
            size = len(str(v))
        longest = max(longest, size)
    return float(min(60, longest + 2))
