"""Templates a planner fills in: ``mobsim template KIND [--out PATH] [--format csv|xlsx]``.

- ``forecast``: a demand forecast (``demand.source = "csv"``, ``demand.csv``): one row per region and week with the
  spring 2020 baseline's own COVID ICU patients, to be replaced by one's forecast.
- ``profile``: a region profile (``world.region_profile``): every region and item with the built-in figure beside an
  empty ``value``; a value filled in replaces the built-in figure, an empty one changes nothing.
- ``scenario``: a commented scenario that extends the calibrated baseline and shows the keys a planner changes.
- ``experiment``: an experiment file for ``mobsim sweep``: the baseline against a variant of it.

CSV templates are written as Swedish Excel reads them (semicolons, decimal comma, UTF-8 with a byte order mark)
with ``#`` comment lines documenting the columns; xlsx templates have a "Läs mig" (README) sheet and a data sheet.
Every template says it was written by mobsim (``is_template``): mobsim overwrites a template it wrote and nobody
changed since, never another file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import OptionError

if TYPE_CHECKING:
    from sim.scenario import Scenario

KINDS = ("forecast", "profile", "scenario", "experiment")
DEFAULT_NAMES = {"forecast": "forecast", "profile": "region_profile", "scenario": "my_scenario.toml", "experiment": "my_experiment.toml"}
MARK = "mobsim template"
XLSX_CREATOR = "mobsim"
FORECAST_COLUMNS = ["date", "region", "kind", "patients"]
PROFILE_TEMPLATE_COLUMNS = ["region", "item", "value", "built_in", "description"]


def _baseline_path() -> Path:
    from sim.model import DEFAULT_SCENARIO

    return DEFAULT_SCENARIO


def _baseline() -> Scenario:
    from sim.scenario import load_scenario

    return load_scenario(_baseline_path())


# --------------------------------------------------------------------------- contents


def forecast_table() -> tuple[list[str], list[list[object]]]:
    """Comment lines and rows of the forecast template: each region's COVID ICU patients of the baseline, weekly (full scale)."""
    from sim.data import region_codes, regions
    from sim.demand import admissions_occupancy

    scenario = _baseline()
    start, n_days = scenario.time.start, scenario.time.n_days
    codes = region_codes()
    occupancy = admissions_occupancy(scenario.demand.admissions, start, n_days, codes)
    days = sorted({*range(0, n_days, 7), n_days - 1})
    names = regions()["name"]
    rows: list[list[object]] = []
    for r, code in enumerate(codes):
        for d in days:
            rows.append([start + dt.timedelta(days=d), names[code], "covid_icu", round(float(occupancy[d, r]), 1)])
    comments = [
        "Demand forecast for mobsim: COVID patients per region and day, at full scale (the model multiplies them by world.scale).",
        "Columns: date (YYYY-MM-DD); region (a code such as stockholm or the region's name, e.g. Jämtland Härjedalen);",
        "kind (covid_icu: patients in intensive care; covid_ward: in ordinary wards, else covid_ward_per_icu × ICU); patients.",
        "Days between a region's rows are interpolated; the dates must cover the scenario's period (time.start to time.end).",
        f"Prefilled: the spring 2020 baseline's own ICU patients ({start} to {scenario.time.end}, each region's ICU admissions); replace them.",
        'Use: [demand] source = "csv" and csv = "this file" in a scenario (mobsim template scenario). Lines starting with # are comments.',
    ]
    return comments, rows


def profile_table() -> tuple[list[str], list[list[object]]]:
    """Comment lines and rows of the profile template: every region and item, the built-in figure beside an empty value."""
    from sim.data import profile_items
    from sim.world import _regions_with_beds, region_figures

    scenario = _baseline()
    reg = _regions_with_beds(scenario)
    figures = region_figures(scenario, reg, 1.0, {})
    items = profile_items()
    rows: list[list[object]] = []
    for r, name in enumerate(reg["name"]):
        for item, meaning in items.items():
            built_in = float(reg[item].iloc[r]) if item in ("icu_beds_2019", "icu_beds_surge") else int(figures[item][r])
            rows.append([name, item, None, round(built_in), meaning])
    comments = [
        "Region profile for mobsim: your region's own figures, at full scale (the model multiplies them by world.scale).",
        "Columns: region (a code or the region's name); item (see description); value (yours: fill in what you know);",
        "built_in (the figure mobsim uses without one, for the baseline scenario; not read); description (not read).",
        "A row with an empty value changes nothing: this file as written gives the built-in figures. Delete rows freely.",
        "Staff are head counts by profession and employer (region: hospitals and primary care; municipality: elderly care).",
        'Use: [world] region_profile = "this file" in a scenario (mobsim template scenario). Lines starting with # are comments.',
    ]
    return comments, rows


def scenario_text(out: Path) -> str:
    """A scenario that extends the calibrated baseline, with the keys a planner changes as comments."""
    base = _relative(_baseline_path(), out.parent)
    return f'''# A scenario of your own. Every key you do not set comes from the calibrated baseline it extends
# (docs/guide.md, "Writing your own scenario"; every key: "Every scenario key"). Check it with
#   mobsim validate {out.name} --show
# and run it with
#   mobsim run {out.name} --set world.scale=0.05
# Give every number you set a comment with its source, or the word "assumption".
extends = "{base}"
name = "{out.stem}"
description = "Spring 2020 baseline with my region's own figures."

[world]
# scale = 0.1                               # share of real staff, beds and patients (1.0 = every person an agent)
# region_profile = "region_profile.xlsx"    # your regions' own staff, ICU beds and nursing homes (mobsim template profile)

# [time]
# start = 2020-03-01
# end = 2020-06-30

# Demand from your own forecast instead of the regions' ICU admissions (mobsim template forecast):
# [demand]
# source = "csv"
# csv = "forecast.xlsx"                     # CSV (comma, or semicolon with decimal comma) or xlsx; full-scale counts
# sheet = "Prognos"                         # an xlsx file's sheet (default: its first sheet that is not a README)
# covid_scale = 1.3                         # or: the baseline's epidemic, 30 % heavier everywhere

# Levers, for every region (docs/guide.md, "Comparing strategies"):
# [levers.crisis_agreement]
# enabled = true
# start_level = "crisis"
# [levers.loans]
# enabled = true

# Levers for one region only: a table per region holding some of the lever's keys
# (region by code or Swedish name):
# [levers.crisis_agreement.regions.stockholm]
# start_level = "staffing_alert"            # Stockholm declares at staffing alert, the others at crisis
# [levers.loans.regions.gotland]
# enabled = false                           # Gotland does not lend
'''


def experiment_text(out: Path) -> str:
    """An experiment file: the baseline against a variant of it, a few replications at a small scale."""
    base = _relative(_baseline_path(), out.parent)
    return f'''# An experiment for mobsim sweep: strategies (variants) run with common random numbers. Run it with
#   mobsim sweep {out.name} --workers 2
# (docs/guide.md, "Sweeps, locally and on a Dask cluster").
name = "{out.stem}"
description = "The baseline against a heavier epidemic, 3 replications at 5 % scale (a quick look, not a result)."
scenario = "{base}"                 # every variant starts from this scenario (or give each its own file: scenario = "my_scenario.toml")
replications = 3                    # runs per variant; replication r of every variant uses seed + r
seed = 0                            # seed of replication 0

[set]                               # applied to every variant
"world.scale" = 0.05                # 5 % of real staff, beds and patients: seconds per run
"time.end" = 2020-04-30             # a shorter period

[[variants]]
name = "baseline"

[[variants]]
name = "heavier_epidemic"
set = {{ "demand.covid_scale" = 1.3 }}   # assumption to test: 30 % more COVID patients everywhere
'''


def _relative(target: Path, folder: Path) -> str:
    try:
        return Path(os.path.relpath(target, folder.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return target.as_posix()


# --------------------------------------------------------------------------- writing


def _marked(text: str, kind: str) -> str:
    """``text`` under a first line that says mobsim wrote it, with a digest of the rest (``is_template``)."""
    return f"# {MARK}: {kind} (sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}; mobsim may overwrite this file only while it is unchanged)\n{text}"


def is_template(path: Path) -> bool:
    """Whether ``path`` is a template mobsim wrote and nobody changed since (so mobsim may overwrite it)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    if raw.startswith(b"PK"):
        return _is_xlsx_template(path)
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    first, _, rest = text.partition("\n")
    if not first.startswith(f"# {MARK}: ") or "(sha256 " not in first:
        return False
    digest = first.split("(sha256 ", 1)[1][:16]
    return hashlib.sha256(rest.encode()).hexdigest()[:16] == digest


def _is_xlsx_template(path: Path) -> bool:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # any unreadable workbook is not ours
        return False
    try:
        props = book.properties
        return props.creator == XLSX_CREATOR and (props.lastModifiedBy or XLSX_CREATOR) == XLSX_CREATOR and MARK in (props.title or "")
    finally:
        book.close()


def _csv_text(comments: list[str], columns: list[str], rows: list[list[object]]) -> str:
    """Swedish Excel's CSV: semicolons, decimal comma, ISO dates; ``#`` comment lines first."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:g}".replace(".", ",") if value != int(value) else str(int(value))
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        return f'"{text}"' if any(c in text for c in ';"\n') else text

    lines = [f"# {c}" for c in comments]
    lines.append(";".join(columns))
    lines.extend(";".join(cell(v) for v in row) for row in rows)
    return "\n".join(lines) + "\n"


def _write_xlsx(path: Path, kind: str, comments: list[str], columns: list[str], rows: list[list[object]], sheet: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    readme = book.active
    readme.title = "Läs mig"
    readme.append([f"mobsim template: {kind}"])
    readme["A1"].font = Font(bold=True)
    for line in comments:
        readme.append([line.replace("Lines starting with # are comments.", "Rows whose first cell starts with # are comments.")])
    readme.append([])
    readme.append([f"The data are on the sheet '{sheet}'; this sheet is not read."])
    readme.column_dimensions["A"].width = 120
    data = book.create_sheet(sheet)
    data.append(columns)
    for c in data[1]:
        c.font = Font(bold=True)
    for row in rows:
        data.append(row)
    for col, width in zip("ABCDE", (22, 32, 12, 12, 90), strict=False):
        data.column_dimensions[col].width = width
    for cell in data["A"][1:]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    data.freeze_panes = "A2"
    book.properties.creator = XLSX_CREATOR
    book.properties.lastModifiedBy = XLSX_CREATOR
    book.properties.title = f"{MARK}: {kind}"
    book.save(path)


def write_template(kind: str, out: Path | None = None, fmt: str | None = None) -> Path:
    """Write the template ``kind`` to ``out`` (default ``DEFAULT_NAMES[kind]`` with the format's suffix) and return its path.

    Raises:
        OptionError: an unknown kind or format, or ``out`` exists and is not an unchanged template mobsim wrote.
    """
    from sim.store import atomic_file

    if kind not in KINDS:
        raise OptionError("template", kind, f"unknown kind; expected one of {', '.join(KINDS)}")
    tabular = kind in ("forecast", "profile")
    if out is not None and fmt is None:
        suffix = out.suffix.lower().lstrip(".")
        fmt = suffix if suffix in ("csv", "xlsx") else None
    if tabular:
        fmt = fmt or "csv"
        if fmt not in ("csv", "xlsx"):
            raise OptionError("--format", fmt, "expected csv or xlsx")
    elif fmt not in (None, "toml"):
        raise OptionError("--format", fmt, f"a {kind} is a TOML file; --format applies to forecast and profile")
    if out is None:
        out = Path(DEFAULT_NAMES[kind] + (f".{fmt}" if tabular else ""))
    if tabular and out.suffix.lower() != f".{fmt}":
        raise OptionError("--out", str(out), f"expected a file name ending in .{fmt} for --format {fmt}")
    if out.is_symlink() or (out.exists() and not out.is_file()):
        raise OptionError("--out", str(out), "exists and is not a file; give the path of a new file")
    if out.exists() and not is_template(out):
        raise OptionError(
            "--out",
            str(out),
            "exists and is not an unchanged template written by mobsim; mobsim does not overwrite your files: choose another name",
        )
    write: Callable[[Path], None]
    if tabular:
        comments, rows = forecast_table() if kind == "forecast" else profile_table()
        columns = FORECAST_COLUMNS if kind == "forecast" else PROFILE_TEMPLATE_COLUMNS
        if fmt == "xlsx":
            sheet = "Prognos" if kind == "forecast" else "Profil"

            def write(p: Path) -> None:
                _write_xlsx(p, kind, comments, columns, rows, sheet)
        else:
            text = _marked(_csv_text(comments, columns, rows), kind)

            def write(p: Path) -> None:
                p.write_bytes(text.encode("utf-8-sig"))
    else:
        text = _marked(scenario_text(out) if kind == "scenario" else experiment_text(out), kind)

        def write(p: Path) -> None:
            p.write_text(text, encoding="utf-8")

    return atomic_file(out, write)
