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
- ``regions``: date × region: escalation level and forecast gap, elective
  operations and care debt, staff on loan and pool members arrived, trained
  nurses in the ICU, recruits working, costs above normal payroll by item.

Lever events (``Result.events``): every loan, every recall or extension of a loan (``loan_changes``), every pool
arrival and every patient transfer. The summary
has one row of key indicators, including each epidemic wave's "readiness": the
state of the ICU staff on the day the wave starts. Saving goes through ``sim.store``.

``Result.region_summary()`` (``sim.regional``): one row per region, written as ``region_summary.parquet`` and ``.csv``.

Counts and hours are in model units: at ``world.scale`` below 1 they are that
share of Sweden's.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.store import mobsim_version, package_version, save_folder

_version, _pkg = mobsim_version, package_version  # the names before sim.store had them, for code that imported them


@dataclass(frozen=True)
class Events:
    """Lever events of a run: every loan, every recall or extension of a loan, every pool arrival and every patient transfer."""

    loans: pd.DataFrame
    pool_deployments: pd.DataFrame
    transfers: pd.DataFrame
    loan_changes: pd.DataFrame

    def frames(self) -> dict[str, pd.DataFrame]:
        """The event tables by name (their file names)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Daily:
    """The daily tidy frames of a run."""

    units: pd.DataFrame
    staff: pd.DataFrame
    icu: pd.DataFrame
    nursing_homes: pd.DataFrame
    regions: pd.DataFrame

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        return [
            ("units", self.units),
            ("staff", self.staff),
            ("icu", self.icu),
            ("nursing_homes", self.nursing_homes),
            ("regions", self.regions),
        ]


@dataclass
class Result:
    """What a run produced: ``daily`` tidy frames, a one-row ``summary``, and how to save them."""

    daily: Daily
    summary: pd.DataFrame
    scenario: Any
    seed: int
    events: Events | None = None
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

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

    def save(self, directory: str | Path, csv: bool = False) -> Path:
        """Write Parquet files, the summary as CSV and Parquet, and ``manifest.json``.

        Saved with ``sim.store.save_folder``: the folder holds either its old results or the
        new ones, complete, whatever happens; files that mobsim did not write stay.

        Args:
            directory: the results folder: new, empty, or one with earlier results of a run.
            csv: also write every daily frame as CSV.

        Raises:
            FolderError: the folder holds something other than results of a run (see ``sim.store``).
        """

        def write(folder: Path) -> None:
            for name, frame in self.frames():
                frame.to_parquet(folder / f"{name}.parquet", index=False)
                if csv:
                    frame.to_csv(folder / f"{name}.csv", index=False)
            self.summary.to_csv(folder / "summary.csv", index=False)
            self.summary.to_parquet(folder / "summary.parquet", index=False)
            regions = self.region_summary()
            regions.to_parquet(folder / "region_summary.parquet", index=False)
            regions.to_csv(folder / "region_summary.csv", index=False)

        return save_folder(directory, "run", write, self.manifest())

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

    def frames(self) -> list[tuple[str, pd.DataFrame]]:
        """The daily frames and, if recorded, the lever events, by file name."""
        frames = list(self.daily.items())
        if self.events is not None:
            frames += list(self.events.frames().items())
        return frames


def run_files(csv: bool = False) -> list[str]:
    """The files ``Result.save`` writes besides ``manifest.json`` (checked against a user's files before a run)."""
    frames = [*Daily.__dataclass_fields__, *Events.__dataclass_fields__]
    summaries = ["summary.csv", "summary.parquet", "region_summary.parquet", "region_summary.csv"]
    return [f"{n}.parquet" for n in frames] + summaries + ([f"{n}.csv" for n in frames] if csv else [])
