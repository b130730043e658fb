"""One reader for every table a planner gives mobsim: the demand forecast and the region profile.

``read_table(path)`` reads a CSV or an Excel workbook (``.xlsx``) into a ``Table``: the header, the rows as
text cells, and each row's line in the file (CSV) or row on the sheet (xlsx), so that errors can name them.

CSV files may come as Swedish Excel writes them ("CSV (semikolonavgränsad)"): semicolon separator, decimal
comma, Windows-1252 text, or UTF-8 with or without a byte order mark. The separator (comma, semicolon or tab)
is sniffed from the header line; with a semicolon or tab separator a comma in a number is its decimal mark
(``number_cells``). Lines, and the rest of lines, after ``#`` are comments; blank lines are skipped. Trailing
empty cells, which Excel writes to fill its columns, are ignored.

In a workbook, the sheet read is the one named, else the first sheet that is not a "README" or "Läs mig"
sheet; rows whose first cell starts with ``#`` are comments and empty rows are skipped. Dates in cells are
read as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

from sim.errors import ScenarioError

#: Sheet names that document a workbook rather than hold its data (the templates' first sheet).
README_SHEETS = ("readme", "läs mig", "las mig", "lasmig", "läsmig")
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's date serial numbers (Windows, 1900 system)
EXCEL_SERIALS = (20000, 80000)  # serial numbers read as dates: 1954-10-03 to 2119-01-10
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")  # thousands separators Swedish Excel writes: space, no-break spaces


@dataclass(frozen=True)
class Table:
    """A table read from a file: ``header`` (column names), ``rows`` (text cells) and ``lines`` (where each row is).

    ``row_label(i)`` names row ``i`` as errors do: "row 7" (a line of a CSV, counting comments and blank lines)
    or "sheet 'Prognos', row 7". ``decimal`` is the decimal mark of the numbers (``,`` in a semicolon- or
    tab-separated CSV).
    """

    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    decimal: str = "."
    sheet: str | None = None
    separator: str = ","

    def row_label(self, i: int) -> str:
        return self.label(self.lines[i])

    def label(self, line: int) -> str:
        return f"sheet '{self.sheet}', row {line}" if self.sheet is not None else f"row {line}"

    def column(self, name: str) -> list[str]:
        index = self.header.index(name)
        return [row[index] for row in self.rows]

    def describe(self) -> str:
        """How the file was read, for messages: "semicolon-separated CSV, decimal comma" or "sheet 'Data'"."""
        if self.sheet is not None:
            return f"sheet '{self.sheet}'"
        return f"{SEPARATORS.get(self.separator, repr(self.separator))}-separated CSV" + (", decimal comma" if self.decimal == "," else "")


def read_table(path: str | Path, key: str, expected: list[str], *, sheet: str | None = None) -> Table:
    """Read a CSV or xlsx table with (at least) the columns ``expected``; ``key`` names the input in errors (``demand.csv``).

    Raises:
        ScenarioError: the file, where in it, what was seen and what was expected.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(path, key, "file not found")
    if path.suffix.lower() in (".xls", ".ods", ".numbers"):
        raise ScenarioError(path, key, f"a {path.suffix} file cannot be read; save it as Excel workbook (.xlsx) or CSV")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, key, expected, sheet)
    else:
        if sheet is not None:
            raise ScenarioError(path, key, f"a sheet ('{sheet}') is given, but the file is not an Excel workbook (.xlsx)")
        table = _read_csv(path, key, expected)
    missing = [c for c in expected if c not in table.header]
    if missing:
        seen = ", ".join(repr(c) for c in table.header)
        hint = ""
        if len(table.header) == 1:
            hint = f"; one column {table.header[0]!r}: separated by something other than comma, semicolon or tab?"
        where = f" ({table.describe()})" if table.sheet is not None or len(table.header) > 1 else ""
        raise ScenarioError(
            path,
            key,
            f"missing column(s) {', '.join(missing)}; expected columns {', '.join(expected)}; the header{where} has {seen}{hint}",
        )
    return table


def _decode(path: Path, key: str, raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError(
            path,
            key,
            "not UTF-8 or Windows-1252 text: UTF-16 (it starts with a UTF-16 byte order mark); save it as CSV UTF-8 or CSV (semikolonavgränsad)",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                path, key, f"not a readable CSV: not UTF-8 text after its byte order mark ({exc.reason} at byte {exc.start + 3})"
            ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\x00" in raw:
            raise ScenarioError(
                path, key, f"not UTF-8 text and not a CSV (a zero byte; {exc.reason} at byte {exc.start}); expected a CSV or .xlsx file"
            ) from None
        try:
            return raw.decode("cp1252")  # Swedish Excel's "CSV (semikolonavgränsad)" is Windows-1252
        except UnicodeDecodeError:
            raise ScenarioError(
                path, key, f"not UTF-8 or Windows-1252 text ({exc.reason} at byte {exc.start}); save it as CSV UTF-8"
            ) from None


def _read_csv(path: Path, key: str, expected: list[str]) -> Table:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(path, key, f"cannot read: {exc.strerror}") from None
    if raw.startswith(b"PK\x03\x04"):
        raise ScenarioError(path, key, "an Excel workbook or other zip file, not a CSV; name it .xlsx to read it as a workbook")
    text = _decode(path, key, raw)
    contents: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0]
        if content.strip().strip(";,\t").strip():  # a comment Excel padded with separators ("# note;;;") is blank too
            contents.append((number, content))
    if not contents:
        raise ScenarioError(path, key, f"not a readable CSV: the file is empty; expected a header line {','.join(expected)}")
    separator = _sniff(contents[0][1])
    records: list[tuple[int, list[str]]] = []
    for number, content in contents:
        try:
            fields = next(csv.reader([content], delimiter=separator, skipinitialspace=True))
        except csv.Error as exc:
            raise ScenarioError(path, f"row {number}", f"not a readable CSV line: {exc}") from None
        records.append((number, [f.strip() for f in fields]))
    header = _trim(records[0][1])
    rows, lines = [], []
    for number, fields in records[1:]:
        if len(fields) > len(header) and not any(fields[len(header) :]):
            fields = fields[: len(header)]  # empty cells Excel wrote to fill its widest row
        if len(fields) != len(header):
            raise ScenarioError(path, f"row {number}", f"expected {len(header)} fields like the header, got {len(fields)}")
        rows.append(fields)
        lines.append(number)
    return Table(path, header, rows, lines, decimal="." if separator == "," else ",", separator=separator)


def _sniff(line: str) -> str:
    """The separator of a header line: the one of comma, semicolon and tab that splits it most (comma if none does)."""
    counts = {sep: len(next(csv.reader([line], delimiter=sep))) for sep in SEPARATORS}
    best = max(counts.values())
    return next(sep for sep in (",", ";", "\t") if counts[sep] == best)


def _trim(fields: list[str]) -> list[str]:
    """Fields without the empty ones at the end, which Excel writes to fill the widest row."""
    end = len(fields)
    while end > 1 and not fields[end - 1]:
        end -= 1
    return fields[:end]


def _read_xlsx(path: Path, key: str, expected: list[str], sheet: str | None) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ScenarioError(path, key, f"not a readable Excel workbook (.xlsx): {exc}") from None
    try:
        names = book.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise ScenarioError(path, key, f"no sheet '{sheet}'; the workbook has {', '.join(repr(n) for n in names)}")
            chosen = sheet
        else:
            data = [n for n in names if n.strip().casefold() not in README_SHEETS]
            if not data:
                raise ScenarioError(
                    path,
                    key,
                    f"no data sheet: only {', '.join(repr(n) for n in names)}; expected a sheet with columns {', '.join(expected)}",
                )
            chosen = data[0]
        records: list[tuple[int, list[str]]] = []
        for number, values in enumerate(book[chosen].iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if not any(cells) or cells[0].startswith("#"):
                continue
            records.append((number, cells))
    finally:
        book.close()
    if not records:
        raise ScenarioError(path, key, f"sheet '{chosen}' is empty; expected a header row {', '.join(expected)}")
    header = _trim(records[0][1])
    rows, lines = [], []
    for number, cells in records[1:]:
        extra = [c for c in cells[len(header) :] if c]
        if extra:
            raise ScenarioError(
                path, f"sheet '{chosen}', row {number}", f"a value ({extra[0]!r}) beyond the header's {len(header)} columns"
            )
        rows.append((cells + [""] * len(header))[: len(header)])
        lines.append(number)
    return Table(path, header, rows, lines, decimal=".", sheet=chosen, separator="")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return str(value).strip()


def number_hint(table: Table, cell: str) -> str:
    """Why a cell that looks like a number was not read as one, for messages ("" if nothing to say)."""
    if "," in cell and table.decimal == "." and table.sheet is None:
        return " (a decimal comma in a comma-separated file: write a point, or separate the columns with semicolons as Swedish Excel does)"
    return ""


def date_hint(cell: str) -> str:
    """A hint for a date cell that is not ``YYYY-MM-DD`` ("" if nothing to say)."""
    if any(sep in cell for sep in "/."):
        return " (day and month in another order are ambiguous: format the column as yyyy-mm-dd, Swedish Excel's default)"
    return ""


def number_cells(table: Table, name: str) -> list[float]:
    """The cells of column ``name`` as numbers (NaN where a cell is not one).

    Spaces and no-break spaces (thousands separators) are dropped, a Unicode minus is a minus, and in a file
    with a decimal comma (or a text cell of a workbook holding one) the comma is the decimal mark.
    """
    out = []
    for cell in table.column(name):
        text = cell.translate(_SPACES).replace("\u2212", "-")
        if "," in text and "." not in text and (table.decimal == "," or table.sheet is not None):
            text = text.replace(",", ".")
        try:
            out.append(float(text) if text else math.nan)
        except ValueError:
            out.append(math.nan)
    return out


def date_cells(table: Table, name: str) -> list[dt.date | None]:
    """The cells of column ``name`` as dates (None where a cell is not one): ``YYYY-MM-DD``, as Swedish Excel writes
    dates, optionally with a time of midnight (``2020-04-01 00:00``, a date cell formatted as date and time); in a
    workbook also a date cell formatted as a number (Excel's day count, 1955 to 2118)."""
    out: list[dt.date | None] = []
    for cell in table.column(name):
        text = cell.strip()
        if table.sheet is not None and text.isdigit() and EXCEL_SERIALS[0] <= int(text) <= EXCEL_SERIALS[1]:
            out.append(EXCEL_EPOCH + dt.timedelta(days=int(text)))  # a date cell formatted as a number
            continue
        for suffix in (" 00:00:00", " 00:00", "T00:00:00"):
            text = text.removesuffix(suffix)
        try:
            out.append(dt.date.fromisoformat(text) if len(text) == 10 else None)
        except ValueError:
            out.append(None)
    return out
