"""What a run produced, and its API: the daily tidy frames, the one-row summary, the events, saving.

``Result.daily`` holds the tidy frames (built by ``sim.recorder.Recorder`` at the end of a run):

- ``units``: date × region × unit kind × profession: required and supplied
  hours, coverage, gap, overtime hours, staff at work.
- ``staff``: date × region × employer × profession: staff by status, fatigue
  mean and 90th percentile.
- ``icu``: date × region: COVID and all ICU patients, ICU nurses per patient,
  unsafe patients (beyond what the minimum nurse ratio can cover), surge beds
  and their free share (beds do not cap patients: every patient is cared for,
  the question is by how many staff); open and staffed beds; patients moved in
  and out by transfers (stocks), today's transfers and those blocked.
- ``nursing_homes``: date × region: homes, homes with an outbreak, infected
  residents, introductions by staff (homes without an infected resident into which
  staff brought the virus that day), share of hourly staff who worked at
  another home in the last two weeks.
- ``home_care``: date × region: home-care clients (at the start, alive), infected
  today, new infections and deaths of the day, visits planned and missed, and the
  services' coverage (effective supplied / required hours).
- ``regions``: date × region: escalation level and forecast gap, elective
  operations and care debt, staff on loan and pool members arrived, trained
  nurses in the ICU, recruits working, costs above normal payroll by item.

Lever events (``Result.events``): every loan, every recall or extension of a loan (``loan_changes``), every pool
arrival, every patient transfer, and every block of days a nursing home lent staff to a home of its cluster
(``cooperation_moves``, home_cooperation). The summary
has one row of key indicators, including each epidemic wave's "readiness": the
state of the ICU staff on the day the wave starts. Saving goes through ``sim.store``.

With ``[supply]`` (supply over years, issue #17) ``Result.supply`` holds one row per month and profession: the
month's flows (graduates and people licensed from abroad who started, retirements, leavers) and the stocks after
it (``sim.supply.Supply.monthly``), written as ``supply.parquet``; None without it.

``Result.region_summary()`` (``sim.regional``): one row per region, written as ``region_summary.parquet`` and ``.csv``.

Counts and hours are in model units: at ``world.scale`` below 1 they are that
share of Sweden's.
"""

from __future__ import annotations

import datetime as dt
import importlib
import platform
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from sim.store import mobsim_version, package_version, save_folder

_version, _pkg = mobsim_version, package_version  # the names before sim.store had them, for code that imported them


@dataclass(frozen=True)
class Events:
    """Lever events of a run: every loan, every recall or extension of a loan, every pool arrival, every patient transfer
    and every block of days a nursing home lent staff to another home of its cluster (home_cooperation)."""

    loans: pd.DataFrame
    pool_deployments: pd.DataFrame
    transfers: pd.DataFrame
    loan_changes: pd.DataFrame
    cooperation_moves: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        """The event tables by name (their file names)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class NotRecorded(LookupError):
    """A frame, the summary or the model's live daily values (``model.daily_values``) that the run did not record: it
    recorded for statistics only (``MobilisationModel(record="staff")``, ``sim.recorder.RECORDS``)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"the run did not record {what}: it recorded the staff frame and the regions' escalation only "
            "(record='staff', for the calibration's statistics); run it with record='all' (the default)"
        )
        self.what = what

    def __reduce__(self) -> tuple[type, tuple[str], dict]:  # from a worker process the same message, not wrapped twice
        return type(self), (self.what,), self.__dict__


#: The daily frames by name, in their order (``Daily.items``)
FRAMES = ("units", "staff", "icu", "nursing_homes", "home_care", "regions")


@dataclass(frozen=True)
class Daily:
    """The daily tidy frames of a run. A frame the run did not record (``record="staff"``) is None, and reading it
    raises ``NotRecorded``."""

    units: pd.DataFrame
    staff: pd.DataFrame
    icu: pd.DataFrame
    nursing_homes: pd.DataFrame
    home_care: pd.DataFrame
    regions: pd.DataFrame

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if value is None and name in FRAMES:
            raise NotRecorded(f"the {name} frame")
        return value

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        return [(name, getattr(self, name)) for name in FRAMES]

    def __repr__(self) -> str:  # (the frames' sizes, not the frames; one not recorded says so instead of raising)
        rows = {name: object.__getattribute__(self, name) for name in FRAMES}
        return "Daily(" + ", ".join(f"{k}: {'not recorded' if v is None else f'{len(v)} rows'}" for k, v in rows.items()) + ")"


@dataclass
class Result:
    """What a run produced: ``daily`` tidy frames, a one-row ``summary``, and how to save them.

    A run that recorded for statistics only (``record="staff"``) has the staff frame, the regions frame's escalation
    columns, the events and the supply; its ``summary`` is None, and reading it raises ``NotRecorded``, as does saving it.
    """

    daily: Daily
    summary: pd.DataFrame
    scenario: Any
    seed: int
    events: Events | None = None
    supply: pd.DataFrame | None = None  # month × profession: the supply's flows and stocks (with [supply]; None without)
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if value is None and name == "summary":
            raise NotRecorded("the summary")
        return value

    def __repr__(self) -> str:
        kind = "complete" if self.complete else "staff recorded only"
        return f"Result(scenario {self.scenario.name!r}, seed {self.seed}, {kind}, {self.daily!r})"

    @property
    def complete(self) -> bool:
        """Whether the run recorded every frame and the summary (``record="all"``, the default)."""
        return object.__getattribute__(self, "summary") is not None

    def manifest(self) -> dict[str, Any]:
        """Provenance of the run: scenario and its hash, seed, versions, time."""
        return {
            "scenario_name": self.scenario.name,
            "scenario_sha256": self.scenario.digest(),
            "seed": self.seed,
            "mobsim_version": mobsim_version(),
            "python": platform.python_version(),
            "packages": {name: package_version(name) for name in ("mesa", "numpy", "numba", "pandas", "pyarrow", "pydantic")},
            "created_utc": self.created,
            "scenario": self.scenario.model_dump(mode="json"),
        }

    def save(self, directory: str | Path, csv: bool | str = False, xlsx: bool = False, command: str | None = None) -> Path:
        """Write Parquet files, the summary as CSV and Parquet, and ``manifest.json``.

        Saved with ``sim.store.save_folder``: the folder holds either its old results or the
        new ones, complete, whatever happens; files that mobsim did not write stay.

        Args:
            directory: the results folder: new, empty, or one with earlier results of a run.
            csv: also write every daily frame and event table as CSV: True or ``"comma"`` (comma, decimal point, UTF-8),
                ``"sv"`` (Swedish Excel: semicolon, decimal comma, UTF-8 with BOM; ``summary.csv`` too); see ``sim.workbook``.
            xlsx: also write ``results.xlsx`` (``workbook_sheets``).
            command: the command line, for the workbook's provenance sheet.

        Raises:
            FolderError: the folder holds something other than results of a run (see ``sim.store``).
            ValueError: an unknown CSV dialect (nothing is written).
            NotRecorded: the run recorded for statistics only (nothing is written).
        """
        from sim.workbook import WORKBOOK, csv_dialect, write_frame, write_workbook

        if not self.complete:  # a run recorded for statistics only: before anything is written
            raise NotRecorded("the summary and most frames")
        dialect = None if csv is False else "comma" if csv is True else csv_dialect(csv)
        sheets = self.workbook_sheets(command) if xlsx else None
        regions = sheets["regions"] if sheets is not None else self.region_summary()  # computed once

        def write(folder: Path) -> None:
            for name, frame in self.frames():
                write_frame(frame, folder, name, dialect)
            write_frame(self.summary, folder, "summary", dialect or "comma")  # the summaries always as CSV too
            write_frame(regions, folder, "region_summary", dialect or "comma")
            if sheets is not None:
                write_workbook(folder / WORKBOOK, sheets)

        manifest = self.manifest()
        if dialect is not None:
            manifest["csv_dialect"] = dialect
        return save_folder(directory, "run", write, manifest)

    def workbook_sheets(self, command: str | None = None) -> dict[str, pd.DataFrame]:
        """The sheets of the run's workbook (``to_xlsx``), by name: ``summary`` (indicator, title, value, unit),
        ``regions`` (``region_summary``), ``daily_regions`` (the ``regions`` and ``icu`` frames per region and day), with
        ``[supply]`` ``supply`` (month × profession) and ``provenance``.
        Another sheet is one more entry of the dict."""
        from sim.workbook import provenance, summary_sheet

        keys = ["date", "region"]
        daily = self.daily.regions.merge(self.daily.icu, on=keys, how="left", suffixes=("", "_icu"))
        scenario = self.scenario
        items = [
            ("what", "one run (mobsim run)"),
            ("scenario", scenario.name),
            ("scenario sha256", scenario.digest()),
            ("seed", self.seed),
            ("replications", 1),
            ("period", f"{scenario.time.start} to {scenario.time.end}"),
            ("run created (UTC)", self.created),
        ]
        sheets = {"summary": summary_sheet(self.summary), "regions": self.region_summary(), "daily_regions": daily}
        if self.supply is not None:  # supply over years: month × profession
            sheets["supply"] = self.supply
        sheets["provenance"] = provenance(items, {scenario.name: scenario.model_dump(mode="json")}, scenario.world.scale, command)
        return sheets

    def to_xlsx(self, path: str | Path, command: str | None = None) -> Path:
        """Write the run's workbook (``workbook_sheets``) to ``path``, atomically; returns the path."""
        from sim.workbook import write_workbook

        return write_workbook(path, self.workbook_sheets(command))

    def region_summary(self) -> pd.DataFrame:
        """One row per region, worst first: unsafe ICU patient-days, worst week, crisis days, loans, pool arrivals, ... (``sim.regional``)."""
        from sim.regional import region_summary

        return region_summary(self)

    def summary_table(self) -> pd.DataFrame:
        """The summary as one row per indicator: name, title, unit, value, lower_is_better (from ``sim.indicators``)."""
        from sim import indicators

        row = self.summary.iloc[0]
        return pd.DataFrame(
            {
                "indicator": list(row.index),
                "title": [indicators.title(str(k)) for k in row.index],
                "unit": [indicators.unit(str(k)) for k in row.index],
                "value": list(row.to_numpy(dtype=object)),
                "lower_is_better": [indicators.lower_is_better(str(k)) for k in row.index],
            }
        )

    def plot(self, indicator: str | None = None, region: str | None = None, ax: Any = None) -> Any:
        """A matplotlib Figure of the run, drawn with ``sim.figures`` (for notebooks; ``sim.plot`` has the details).

        Args:
            indicator: a daily series (``sim.plot.DAILY``: ``covid_icu_patients``, ``unsafe_patients``, ``n_sick``,
                ``fatigue_mean``, ``staff_on_loan_in``, ``unsafe_icu_patient_days`` (the running total) …); None:
                the ICU load and ICU nurses per patient, Sweden (``figures.coverage_national``), or with ``region``
                or ``ax`` ICU nurses per patient against the minimum ratio.
            region: one region's code or name (``"stockholm"``, ``"Västra Götaland"``); None: Sweden.
            ax: a matplotlib Axes to draw one series into; None: a new figure.

        Raises:
            ValueError: an unknown indicator or region (with the closest name).
        """
        return plotting().plot_result(self, indicator, region, ax)

    def frames(self) -> list[tuple[str, pd.DataFrame]]:
        """The daily frames, the lever events and the supply's months (if recorded), by file name."""
        frames = list(self.daily.items())
        if self.events is not None:
            frames += list(self.events.frames().items())
        if self.supply is not None:
            frames.append(("supply", self.supply))
        return frames


def plotting() -> ModuleType:
    """The drawing code of ``Result.plot`` and ``CompareResult.plot``: ``sim.plot``, loaded by name when a plot is asked for.

    As pandas' ``DataFrame.plot`` loads its plotting backend: the results stay below the figures in the package's
    layers (``sim.plot`` draws with ``sim.figures`` and ``sim.experiment``'s frames, which run models and so read
    results; tests/test_architecture.py keeps the imports free of cycles).
    """
    return importlib.import_module("sim.plot")


def run_files(csv: bool | str = False, xlsx: bool = False) -> list[str]:
    """The files ``Result.save`` writes besides ``manifest.json`` (checked against a user's files before a run)."""
    from sim.workbook import WORKBOOK

    frames = [*Daily.__dataclass_fields__, *Events.__dataclass_fields__, "supply"]  # supply: runs with [supply] only
    summaries = ["summary.csv", "summary.parquet", "region_summary.parquet", "region_summary.csv"]
    files = [f"{n}.parquet" for n in frames] + summaries + ([f"{n}.csv" for n in frames] if csv else [])
    return files + ([WORKBOOK] if xlsx else [])
