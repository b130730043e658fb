"""What Mesa's DataCollector collects each day: the planners' indicators, national and per region.

``MobilisationModel.datacollector`` (a ``DailyCollector``, a ``mesa.DataCollector``) has model reporters only, read
from the recorder's arrays (``sim.recorder``) for each recorded day, with no loop over staff, when the collected values
are read (each value is a function of its day, so the run does not pay for them day by day):

- every indicator ``mobsim compare`` reports by default (``sim.indicators.planners()``) that a run gives day by day,
  under its summary column's name, as its value so far: on the last day it equals ``result().summary[name]``, so
  ``mesa.batch_run(..., data_collection_period=-1)`` returns the planners' indicators of each run
  (``COLLECTED_SUMMARY``; ``response_cost_total_msek`` needs a second run without COVID demand and is left out);
- the day's national state (``DAILY``): COVID and all ICU patients, unsafe ICU patients, ICU nurse coverage, staff
  off sick and gone, mean fatigue, staff on loan, pool members at work, nursing homes with an outbreak, regions in crisis;
- per region (``BY_REGION``), as dicts {region code: value} named ``<name>_by_region``: unsafe ICU patient-days so far,
  ICU and COVID ICU patients, staff off sick, mean fatigue, staff on loan in the region, pool members there and the
  escalation level. ``by_region`` turns them into a tidy frame (date or step × region).

Why model reporters and not agent reporters on the ``Region`` agents: Mesa's agent reporters run on every agent of
the model (units and nursing homes too: thousands of rows a day of None), and Mesa 3.3's ``batch_run`` reads agent
records one step early (it looks up ``model.steps - 1``, they are stored under ``model.steps``); model reporters come
out of ``batch_run`` and ``get_model_vars_dataframe()`` alike in Mesa 3.3 and 3.5, one row per run or per day. The
``Region`` agents have the same per-region values as attributes (``Region.unsafe_icu_patient_days`` …) for a
DataCollector of one's own with ``agenttype_reporters={Region: {...}}``.

Counts and hours are in model units (at ``world.scale`` below 1, that share of Sweden's), as in ``Result``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from sim.categories import ICU, ICU_NURSE, LEFT, LEVELS, N_UNIT_KINDS, STATUSES
from sim.results import NotRecorded

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

CRISIS = LEVELS.index("crisis")


def _sick_statuses() -> list[int]:
    # as sim.recorder.SICK_STATUSES (not imported from there: the recorder's users are above this module)
    return _SICK


_SICK = [STATUSES.index(s) for s in ("sick_covid", "sick_other", "sick_exhaustion")]


class DailyValues:
    """The reporters' values of the last recorded day, from the recorder's arrays.

    Every value is a function of the day alone (Mesa calls a reporter twice on the first day, to validate it): running
    totals are sums of the recorded days so far, with per-day buffers filled once for each new day.
    """

    def __init__(self, model: MobilisationModel) -> None:
        self.model = model
        n_days, n_reg = model.n_days, model.world.n_regions
        self.codes = tuple(model.world.regions["code"])
        self._unsafe = np.zeros((n_days, n_reg))  # unsafe ICU patients by day and region, filled up to _filled
        self._filled = 0
        self._events = {"staff_loaned": (0, 0, -1), "pool_arrivals": (0, 0, -1)}  # rows counted, their count, up to which day
        self._peaks: dict[str, list[float]] = {}  # a daily value of each day so far, for the peaks
        self._at: int | None = None  # the day the values are of (DailyCollector); None: the last recorded day

    @property
    def recorder(self) -> Recorder:
        return self.model.recorder

    @property
    def day(self) -> int:
        """The day the values are of: the last recorded day (−1 before the first), or the day ``at`` set."""
        return self.recorder.days_recorded - 1 if self._at is None else self._at

    @contextmanager
    def at(self, day: int) -> Iterator[None]:
        """Within the block, the values are those of recorded day ``day`` (days in increasing order: running totals are
        kept from one day to the next)."""
        self._at = day
        try:
            yield
        finally:
            self._at = None

    def unsafe(self, day: int) -> np.ndarray:
        """Unsafe ICU patients of days 0 … ``day`` by region (the recorder's rule, ``Recorder.unsafe_icu_patients``)."""
        self._recorded()
        if self._filled <= day:
            values, _ = self.recorder.unsafe_icu_patients(self._filled, day + 1)
            self._unsafe[self._filled : day + 1] = values.reshape(day + 1 - self._filled, -1)
            self._filled = day + 1
        return self._unsafe[: day + 1]

    def _event_count(self, name: str, rows: list[dict], day_key: str) -> int:
        """The ``count`` of the lever's event rows of days up to ``self.day`` (rows are appended in the order of days; a
        running count, started anew when asked for an earlier day than the last)."""
        counted, total, last = self._events[name]
        if self.day < last:
            counted, total = 0, 0
        while counted < len(rows) and rows[counted][day_key] <= self.day:
            total += int(rows[counted]["count"])
            counted += 1
        self._events[name] = counted, total, self.day
        return total

    def _by_region_staff(self, values: np.ndarray) -> np.ndarray:
        """Sums over the recorder's staff groups (region × employer × profession) by region."""
        return values.reshape(len(self.codes), -1, *values.shape[1:]).sum(axis=1)

    def _recorded(self) -> Recorder:
        """The recorder, if it records what the values read: a run with ``record="staff"`` does not, so every value
        raises ``sim.results.NotRecorded`` there (most read arrays such a run leaves at zero; the few it does record,
        the staff counts and the escalation, are refused with them rather than picked out one by one)."""
        r = self.recorder
        if not r.whole:
            raise NotRecorded("the daily values (model.daily_values, its reporters and the Region agents' values)")
        return r

    # ------------------------------------------------------------------ national
    def national(self, name: str) -> Any:
        """The national value of reporter ``name`` on the last recorded day (NaN before the first)."""
        d, r = self.day, self._recorded()
        if d < 0:
            return float("nan")
        return _NATIONAL[name](self, r, d)

    def by_region(self, name: str) -> np.ndarray:
        """Per-region values of ``name`` (a key of ``BY_REGION``) on the last recorded day, in the regions' order."""
        d, r = self.day, self._recorded()
        if d < 0:
            return np.full(len(self.codes), np.nan)
        return _BY_REGION[name](self, r, d)

    def region_dict(self, name: str) -> dict[str, Any]:
        """``by_region(name)`` as {region code: value}."""
        values = self.by_region(name)
        return dict(zip(self.codes, values.tolist(), strict=True))


def _gap_share(r: Recorder, d: int) -> float:
    # one day at a time with the summary's reduction (sum over units and roles of the (1, units, roles) slice)
    gap = (r.required[d : d + 1] - r.supplied[d : d + 1]).sum(axis=(1, 2))
    req = r.required[d : d + 1].sum(axis=(1, 2))
    return float((gap / np.maximum(req, 1e-9))[0])


def _sick_share(r: Recorder, d: int) -> float:
    status = r.status[d : d + 1]
    return float((status[:, :, _sick_statuses()].sum(axis=(1, 2)) / np.maximum(status.sum(axis=(1, 2)), 1))[0])


def _peak(v: DailyValues, name: str, of_day: Callable[[Recorder, int], float]) -> float:
    """The most of a daily value over the recorded days so far (kept per day, as the summary takes its maximum)."""
    cache = v._peaks.setdefault(name, [])
    while len(cache) <= v.day:
        cache.append(of_day(v.recorder, len(cache)))
    return float(max(cache[: v.day + 1]))


def _cost_total(r: Recorder, d: int) -> float:
    return r.cost_total_msek(d + 1)  # summed as the summary sums it


def _lever_rows(v: DailyValues, lever: str, attribute: str) -> list[dict]:
    found = v.model.lever(lever)
    if found is None:
        return []
    return getattr(v.model.coordinator if lever == "loans" else v.model.pool, attribute)


def _present(r: Recorder, d: int) -> float:
    status = r.status[d]
    return float(status.sum() - status[:, LEFT].sum())


#: Planners' indicators (summary columns) collected day by day: their value so far, which on the last day is the summary's.
COLLECTED_SUMMARY: dict[str, Callable[[DailyValues, Recorder, int], Any]] = {
    "unsafe_icu_patient_days": lambda v, r, d: float(v.unsafe(d).reshape(-1).sum()),
    "diluted_icu_patient_days": lambda v, r, d: float(np.maximum(r.icu_patients[: d + 1] - r.specialist_nurses[: d + 1], 0.0).sum()),
    "icu_patient_days_above_staffed_beds": lambda v, r, d: float(
        np.maximum(r.icu_patients[: d + 1] - r.icu_beds_staffed[: d + 1], 0.0).sum()
    ),
    "peak_gap_share": lambda v, r, d: _peak(v, "gap_share", _gap_share),
    "peak_sick_share": lambda v, r, d: _peak(v, "sick_share", _sick_share),
    "staff_lost": lambda v, r, d: int(r.status[d][:, LEFT].sum()),
    "icu_staff_fatigue_end": lambda v, r, d: float(r.icu_fatigue[d, 0]),
    "fatigue_p90_end": lambda v, r, d: float(r.fatigue_p90_national[d]),
    "homes_with_outbreak": lambda v, r, d: int(r.homes_reached[d].sum()),
    "nursing_home_introductions": lambda v, r, d: int(r.introductions[: d + 1].sum()),
    "resident_infections": lambda v, r, d: int(v.model.world.home_residents.sum() - r.residents_susceptible[d]),
    "client_infections": lambda v, r, d: int(v.model.world.hc_clients.sum() - r.clients_susceptible[d]),
    "client_deaths": lambda v, r, d: int(r.hc_deaths[: d + 1].sum()),
    "missed_home_care_visits": lambda v, r, d: float(r.hc_missed[: d + 1].sum()),
    "resident_deaths": lambda v, r, d: int(r.resident_deaths[: d + 1].sum()),
    "resident_missed_care_hours": lambda v, r, d: float(r.missed_care_hours[: d + 1].sum()),
    "delegated_medication_share": lambda v, r, d: r.delegated_share(d),
    "care_debt_end": lambda v, r, d: float(r.care_debt[d].sum()),
    "pool_arrivals": lambda v, r, d: v._event_count("pool_arrivals", _lever_rows(v, "national_pool", "deployments"), "arrival_day"),
    "staff_loaned": lambda v, r, d: v._event_count("staff_loaned", _lever_rows(v, "loans", "loans"), "day"),
    "patients_transferred": lambda v, r, d: float(r.lever_icu["transfers_out"][: d + 1].sum()),
    "cost_total_msek": lambda v, r, d: _cost_total(r, d),
}
#: Planners' indicators not collected day by day, and why.
NOT_COLLECTED = {"response_cost_total_msek": "needs a second run without COVID demand (--response-cost)"}

#: The day's national state: name → (description, value).
DAILY: dict[str, tuple[str, Callable[[DailyValues, Recorder, int], Any]]] = {
    "covid_icu_patients": ("COVID-19 ICU patients today", lambda v, r, d: float(r.covid_icu[d].sum())),
    "icu_patients": ("all ICU patients today", lambda v, r, d: float(r.icu_patients[d].sum())),
    "unsafe_icu_patients": (
        "unsafe ICU patients today (their sum over days is unsafe_icu_patient_days)",
        lambda v, r, d: float(v.unsafe(d)[d].sum()),
    ),
    "icu_nurse_coverage": (
        "supplied / required ICU-nurse hours in ICUs today",
        lambda v, r, d: _coverage(r, d),
    ),
    "staff_sick": (
        "staff off sick today (COVID-19, other causes, exhaustion)",
        lambda v, r, d: float(r.status[d][:, _sick_statuses()].sum()),
    ),
    "staff_left": ("staff who have left the profession so far", lambda v, r, d: float(r.status[d][:, LEFT].sum())),
    "fatigue_mean": ("mean fatigue of staff who have not left", lambda v, r, d: float(r.fatigue_sum[d].sum() / max(_present(r, d), 1))),
    "icu_staff_fatigue": ("mean fatigue of ICU staff who have not left", lambda v, r, d: float(r.icu_fatigue[d, 0])),
    "staff_on_loan": ("staff on loan in another region today", lambda v, r, d: int(r.loaned_in[d].sum())),
    "pool_members_in": ("national pool members posted in a region today", lambda v, r, d: int(r.pool_in[d].sum())),
    "homes_with_outbreak_today": ("nursing homes with an infected resident today", lambda v, r, d: float(r.homes_outbreak[d].sum())),
    "regions_in_crisis": ("regions at the crisis level today", lambda v, r, d: float(np.count_nonzero(r.levels[d] == CRISIS))),
}


def _coverage(r: Recorder, d: int) -> float:
    req = r.required[d, ICU::N_UNIT_KINDS, ICU_NURSE].sum()
    return float(r.supplied[d, ICU::N_UNIT_KINDS, ICU_NURSE].sum() / req) if req > 0 else 1.0


def _region_fatigue(v: DailyValues, r: Recorder, d: int) -> np.ndarray:
    present = v._by_region_staff(r.status[d].sum(axis=1) - r.status[d][:, LEFT])
    return np.divide(v._by_region_staff(r.fatigue_sum[d]), present, out=np.full(present.shape, np.nan), where=present > 0)


#: Per-region values (collected as ``<name>_by_region``, dicts by region code): name → (description, values).
BY_REGION: dict[str, tuple[str, Callable[[DailyValues, Recorder, int], np.ndarray]]] = {
    "unsafe_icu_patient_days": ("unsafe ICU patient-days so far", lambda v, r, d: v.unsafe(d).sum(axis=0)),
    "icu_patients": ("all ICU patients today", lambda v, r, d: r.icu_patients[d].copy()),
    "covid_icu_patients": ("COVID-19 ICU patients today", lambda v, r, d: r.covid_icu[d].copy()),
    "staff_sick": ("staff off sick today", lambda v, r, d: v._by_region_staff(r.status[d][:, _sick_statuses()].sum(axis=1))),
    "fatigue_mean": ("mean fatigue of the region's staff who have not left", _region_fatigue),
    "staff_on_loan": ("staff on loan from other regions working in the region today", lambda v, r, d: r.loaned_in[d].astype(np.int64)),
    "pool_members_in": ("national pool members posted in the region today", lambda v, r, d: r.pool_in[d].astype(np.int64)),
    "level": ("escalation level today (normal, staffing_alert, crisis)", lambda v, r, d: np.array(LEVELS, dtype=object)[r.levels[d]]),
}

_NATIONAL: dict[str, Callable[[DailyValues, Recorder, int], Any]] = {
    **COLLECTED_SUMMARY,
    **{name: value for name, (_, value) in DAILY.items()},
}
_BY_REGION = {name: value for name, (_, value) in BY_REGION.items()}
SUFFIX = "_by_region"


def _national(model: MobilisationModel, name: str) -> Any:
    return model.daily_values.national(name)


def _region(model: MobilisationModel, name: str) -> dict[str, Any]:
    return model.daily_values.region_dict(name)


def reporters() -> dict[str, Callable[[MobilisationModel], Any]]:
    """The model reporters of ``MobilisationModel.datacollector``: national values, then ``<name>_by_region`` dicts.

    Each is a ``functools.partial`` of a module function (no lambdas: the model's collector can be pickled).
    """
    out: dict[str, Callable[[MobilisationModel], Any]] = {name: partial(_national, name=name) for name in _NATIONAL}
    out.update({f"{name}{SUFFIX}": partial(_region, name=name) for name in _BY_REGION})
    return out


class DailyCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with the reporters of ``reporters()``, evaluated when their values are read.

    Every reporter is a function of the recorded day alone (``DailyValues``), so ``collect`` only notes which day the
    model has just recorded, and ``model_vars`` (which ``get_model_vars_dataframe`` and ``mesa.batch_run`` read)
    evaluates the reporters for the days noted since it was last read. The values are those an eager
    ``mesa.DataCollector(model_reporters=reporters())`` collects day by day (``tests/test_collect.py`` compares
    them), without the run paying for them each day: ≈ 50 reporters and a deep copy of eight per-region dicts a day
    cost a small world more than its staff (issue #18, ``benchmarks/README.md``). For reporters of your own, which may
    read the model's state of the day, use a ``mesa.DataCollector`` of your own.
    """

    def __init__(self) -> None:
        self._days: list[int] = []  # the recorded day of each collect
        self._model: MobilisationModel | None = None
        self._vars: dict[str, list[Any]] = {}
        super().__init__(model_reporters=reporters())

    @property
    def model_vars(self) -> dict[str, list[Any]]:  # type: ignore[override]
        """{reporter: its values, one per ``collect``}, as Mesa's, evaluated up to the last ``collect``."""
        self._catch_up()
        return self._vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list[Any]]) -> None:
        self._vars = value

    def collect(self, model: MobilisationModel) -> None:
        """Note the day ``model`` has just recorded (its values are evaluated when read), and, as Mesa ≥ 3.5's own
        ``collect`` does, the model's time in ``_collection_steps``: ``mesa.batch_run`` of Mesa 3.5 finds the collected
        values by it (without it a batch run returned no rows at all)."""
        self._model = model
        self._days.append(model.daily_values.day)
        if hasattr(self, "_collection_steps"):  # (Mesa 3.3 has no such list)
            self._collection_steps.append(model.time)

    def _catch_up(self) -> None:
        if self._model is None or not self._vars:
            return
        values, model = self._model.daily_values, self._model
        done = len(next(iter(self._vars.values())))
        for day in self._days[done:]:
            with values.at(day):
                for name, reporter in self.model_reporters.items():
                    self._vars[name].append(reporter(model))


def datacollector() -> DailyCollector:
    """A ``DailyCollector`` (a ``mesa.DataCollector``) with ``reporters()``: what ``MobilisationModel.datacollector``
    collects each day."""
    return DailyCollector()


def by_region(rows: pd.DataFrame | Iterable[dict[str, Any]], names: Iterable[str] | None = None) -> pd.DataFrame:
    """A tidy frame, one row per region, from collected rows with ``<name>_by_region`` dicts.

    Args:
        rows: ``model.datacollector.get_model_vars_dataframe()`` (one row per day), or ``mesa.batch_run``'s list of
            dicts (one per run, or per run and day), or a frame of it.
        names: the per-region values to keep (keys of ``BY_REGION``, without the suffix); None: all collected.

    Returns:
        The rows' other columns except the per-region dicts and the national values (so: ``RunId``, ``Step``, the
        parameters … from ``batch_run``; the day's index from the DataCollector, as ``day``), then ``region`` and one
        column per per-region value.
    """
    frame = rows.rename_axis("day").reset_index() if isinstance(rows, pd.DataFrame) and "RunId" not in rows else pd.DataFrame(rows)
    columns = [c for c in frame.columns if str(c).endswith(SUFFIX)]
    wanted = [c for c in columns if names is None or c.removesuffix(SUFFIX) in set(names)]
    if names is not None:
        missing = sorted(set(names) - {c.removesuffix(SUFFIX) for c in columns})
        if missing:
            raise KeyError(f"no per-region values {missing} collected; collected: {sorted(c.removesuffix(SUFFIX) for c in columns)}")
    keep = [c for c in frame.columns if c not in columns and c not in _NATIONAL]
    parts = []
    for column in wanted:
        values = pd.DataFrame(frame[column].tolist(), index=frame.index)
        long = values.stack(future_stack=True).rename(column.removesuffix(SUFFIX))
        parts.append(long)
    if not parts:
        raise KeyError("no per-region values in these rows (columns named '<name>_by_region')")
    wide = pd.concat(parts, axis=1)
    wide.index = wide.index.set_names(["_row", "region"])
    wide = wide.reset_index()
    out = frame[keep].reset_index(drop=True).rename_axis("_row").reset_index().merge(wide, on="_row").drop(columns="_row")
    return out
