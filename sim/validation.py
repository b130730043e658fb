"""Calibration targets and validation patterns: one definition used by calibration, report and tests.

Each :class:`Pattern` names an observed figure of Sweden 2020 with its source
(``../shared/data/sweden_2020_facts.md``), the simulated statistic that is compared
with it (a function of a run's :class:`~sim.results.Result`), and the tolerance
band inside which the simulated figure counts as a match. ``tools/calibrate.py``
fits the uncertain parameters to the patterns whose ``role`` is ``"calibration"``,
``tools/validate.py`` writes ``docs/validation.md`` from all of them, and
``tests/test_calibration.py`` fails when the baseline leaves the band of a pattern
marked ``regression``.

Three runs feed the patterns:

- ``spring``: ``scenarios/sweden_spring2020.toml`` (1 March – 30 June 2020), the calibrated
  baseline as it happened;
- ``year``: ``scenarios/sweden_2020_2021.toml`` cut at 31 December 2020 (1 March – 31 December),
  for the yearly sick-leave shares and everything that runs past June. It extends the
  baseline, so it carries the same fitted values (before issue #13 it was ``second_wave.toml``,
  whose autumn wave was one shape for every region);
- ``both_waves``: ``scenarios/sweden_2020_2021.toml`` over its whole period (1 March 2020 –
  28 February 2021), the baseline with every region's own ICU admissions (``demand.source =
  "admissions"``), for the regions' cumulative admissions and the crisis agreement's activations;
- ``stock_flow``: ``scenarios/stock_flow_2018.toml`` (1 November 2018 – 1 November 2020, no COVID demand, ``[supply]``
  on), the staff of the model taken as the stock of November 2018 through two years of supply (issue #17): the
  stocks it ends with against the published changes of 2018–2020 (docs/pipeline_facts.md).

Cumulative admissions are compared by whole ISO weeks, the data's unit: "by 30 June 2020" is
through Sunday 5 July 2020, the end of week 2020-W27 that contains 30 June, and "by 28 February
2021" through that Sunday, the end of 2021-W08. The observed figure sums the region's weekly
admissions (``sim.data.icu_admissions_weekly``) from 2020-W01 through that week (there are none
before 2020-W10, which starts on 2 March); the simulated one sums the run's daily
``covid_icu_admissions`` from its first day (1 March 2020) through that Sunday, at full scale.

How a run of 306 days maps onto the yearly figures of SKR: the sick-leave share of calendar
2020 is taken as 60 days (1 January – 29 February) at the run's pre-wave level (its first
week, before COVID sick leave starts) plus the 306 simulated days, over 366 days. The
share is staff-days on sick leave (COVID, ordinary, exhaustion) over staff-days of staff
who are employed and not off duty: vacation and compensatory rest are left out of the
denominator, as nobody starts a sick spell on vacation in the model, so that the model's
pre-wave level is the 2019 share it was built to reproduce (5.7 % regions, 6.7 %
municipalities). Staff who left the profession and reserve rows (recruits not called,
pool members on standby) are not employed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.data import FHM_REGION_CODES, icu_admissions_weekly
from sim.results import Result
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SPRING_SCENARIO = ROOT / "scenarios" / "sweden_spring2020.toml"
YEAR_SCENARIO = ROOT / "scenarios" / "sweden_2020_2021.toml"
YEAR_END = "2020-12-31"
BOTH_WAVES_SCENARIO = ROOT / "scenarios" / "sweden_2020_2021.toml"
STOCK_FLOW_SCENARIO = ROOT / "scenarios" / "stock_flow_2018.toml"
FACTS = "../shared/data/sweden_2020_facts.md"
START = dt.date(2020, 3, 1)
PRE_WAVE_DAYS = 7  # 1–7 March: the run's pre-wave level of sick leave
DAYS_BEFORE_START = 60  # 1 January – 29 February 2020, at the pre-wave level
DAYS_2020 = 366
SICK = ("n_sick_covid", "n_sick_other", "n_sick_exhaustion")

Run = Literal["spring", "year", "both_waves", "stock_flow"]
Role = Literal["calibration", "fitted input", "by construction", "check"]
Kind = Literal["count", "share", "date", "ratio", "msek", "month"]


@dataclass(frozen=True)
class Pattern:
    """An observed pattern of Sweden 2020 and the simulated statistic compared with it.

    Attributes:
        key: short identifier (also the column of the statistic in run tables).
        title: what is compared, in words.
        observed: the observed figure, in the statistic's unit (dates as days since 1 March 2020).
        observed_text: the observed figure as the source states it.
        source: where the figure comes from (the facts file names the primary source).
        run: ``spring``, ``year`` or ``both_waves`` (see the module docstring).
        statistic: the simulated figure of one run, in the same unit as ``observed``.
        definition: how ``statistic`` is computed, in words.
        low: lowest simulated figure that counts as a match.
        high: highest simulated figure that counts as a match.
        tolerance: the band in words.
        kind: how values are printed.
        role: ``calibration`` (a target of tools/calibrate.py), ``fitted input`` (matched by an
            earlier fit of an input, e.g. the demand waves), ``by construction`` (a parameter set
            to the figure) or ``check`` (not fitted: a genuine test of the model).
        regression: checked by tests/test_calibration.py on every change.
    """

    key: str
    title: str
    observed: float
    observed_text: str
    source: str
    run: Run
    statistic: Callable[[Result], float]
    definition: str
    low: float
    high: float
    tolerance: str
    kind: Kind
    role: Role
    regression: bool = False

    def matches(self, value: float) -> bool:
        """Whether a simulated figure lies inside the tolerance band."""
        return bool(np.isfinite(value) and self.low <= value <= self.high)

    def format(self, value: float) -> str:
        """A value of this pattern's statistic as the report prints it."""
        if not np.isfinite(value):
            return "–"
        if self.kind == "date":
            return (START + dt.timedelta(days=round(value))).strftime("%-d %b")
        if self.kind == "share":
            return f"{100 * value:.1f} %"
        if self.kind == "ratio":
            return f"{value:.2f}"
        if self.kind == "msek":
            return f"{value:,.0f} MSEK"
        if self.kind == "month":
            return dt.date(2020, round(value), 1).strftime("%B")
        return f"{value:,.0f}"


# --------------------------------------------------------------------------- statistics of a run


def _day(date: str) -> float:
    return float((dt.date.fromisoformat(date) - START).days)


def _scale(result: Result) -> float:
    return float(result.scenario.world.scale)


def national_covid_icu(result: Result) -> pd.Series:
    """National COVID ICU patients per day, full-scale units."""
    return result.daily.icu.groupby("date", observed=True)["covid_icu_patients"].sum() / _scale(result)


def region_covid_icu(result: Result, region: str) -> pd.Series:
    """A region's COVID ICU patients per day, full-scale units."""
    icu = result.daily.icu
    return icu[icu["region"] == region].set_index("date")["covid_icu_patients"] / _scale(result)


def _on(series: pd.Series, date: str) -> float:
    stamp = pd.Timestamp(date)
    return float(series[stamp]) if stamp in series.index else float("nan")


def _peak_day(series: pd.Series) -> float:
    return float((series.idxmax().date() - START).days)


def sick_leave_share(result: Result, employer: str | None = None) -> pd.Series:
    """Daily share of employed staff not off duty who are on sick leave (COVID, ordinary, exhaustion).

    Seven patterns read it from one run; it is computed once per staff frame and employer (``_sick_leave_share``).

    Args:
        result: a run.
        employer: ``region``, ``municipality`` or None for all staff.
    """
    return _sick_leave_share(_Same(result.daily.staff), employer).copy()


class _Same:
    """A frame as a cache key by identity (frames are not hashable; the cache holds it, so its id is not reused)."""

    __slots__ = ("frame",)

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def __hash__(self) -> int:
        return id(self.frame)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.frame is self.frame


@functools.lru_cache(maxsize=3)  # one run's three employers (None, region, municipality); keeps the last run's frame
def _sick_leave_share(staff: _Same, employer: str | None) -> pd.Series:
    frame = staff.frame
    columns = [*SICK, "n_total", "n_reserve", "n_left", "n_off_duty"]
    dates, counts = frame["date"].to_numpy(), frame[columns].to_numpy()
    if employer is not None:
        keep = (frame["employer"] == employer).to_numpy()
        dates, counts = dates[keep], counts[keep]
    if counts.dtype.kind == "i" and len(dates) and (dates[1:] >= dates[:-1]).all():
        # the run's frame (whole counts, day by day): the groupby's sums as NumPy sums over each day's rows, the same
        # numbers (integer sums are exact in any order), in half the time (issue #18: three employers a calibration run)
        first = np.flatnonzero(np.r_[True, dates[1:] != dates[:-1]])
        sums = np.add.reduceat(counts, first, axis=0)
        sick = sums[:, 0] + sums[:, 1] + sums[:, 2]
        working_time = sums[:, 3] - sums[:, 4] - sums[:, 5] - sums[:, 6]
        return pd.Series(sick / working_time, index=pd.Index(dates[first], name="date"))
    frame = frame if employer is None else frame[frame["employer"] == employer]  # a frame of another kind: pandas
    sums = frame.groupby("date", observed=True)[columns].sum()
    working_time = sums["n_total"] - sums["n_reserve"] - sums["n_left"] - sums["n_off_duty"]
    return sums[list(SICK)].sum(axis=1) / working_time


def pre_wave_sick_share(result: Result, employer: str | None = None) -> float:
    """Sick-leave share of the first week of the run (1–7 March 2020), before COVID sick leave."""
    return float(sick_leave_share(result, employer).iloc[:PRE_WAVE_DAYS].mean())


def sick_share_2020(result: Result, employer: str | None = None) -> float:
    """Sick-leave share of calendar 2020: January–February at the pre-wave level, 1 March – 31 December simulated.

    Raises:
        ValueError: if the run does not start on 1 March 2020 and cover the rest of 2020.
    """
    share = sick_leave_share(result, employer)
    dates = share.index
    if dates[0].date() != START or dates[-1].date() < dt.date(2020, 12, 31):
        raise ValueError(
            f"the 2020 sick-leave share needs a run from 1 March to 31 December 2020, got {dates[0].date()} – {dates[-1].date()}"
        )
    in_2020 = share[dates.year == 2020]
    return float((pre_wave_sick_share(result, employer) * DAYS_BEFORE_START + in_2020.sum()) / DAYS_2020)


def sick_peak_month(result: Result) -> float:
    """Month (1–12) of 2020 with the highest mean sick-leave share of all staff."""
    share = sick_leave_share(result)
    share = share[share.index.year == 2020]
    return float(share.groupby(share.index.month).mean().idxmax())


def april_sick_ratio(result: Result) -> float:
    """Mean sick-leave share of all staff in April 2020 over the pre-wave share."""
    share = sick_leave_share(result)
    return float(share[(share.index.year == 2020) & (share.index.month == 4)].mean() / pre_wave_sick_share(result))


def staff_left_share(result: Result) -> float:
    """Staff who left the profession by the run's last day, as a share of the regular staff (reserve rows not counted)."""
    staff = result.daily.staff
    first = staff[staff["date"] == staff["date"].min()]
    last = staff[staff["date"] == staff["date"].max()]
    # on the first day every row created by a lever (recruit, additional pool member) is still in reserve
    return float(last["n_left"].sum() / (first["n_total"].sum() - first["n_reserve"].sum()))


def _level(result: Result, region: str) -> pd.Series:
    regions = result.daily.regions
    return regions[regions["region"] == region].set_index("date")["level"].astype(str)


def crisis_start_day(result: Result, region: str = "stockholm") -> float:
    """First day the region is in crisis (its crisis agreement acts that day), days since 1 March; NaN if never."""
    level = _level(result, region)
    crisis = level.index[level == "crisis"]
    return float((crisis[0].date() - START).days) if len(crisis) else float("nan")


def agreement_staff(result: Result, region: str = "stockholm") -> pd.DataFrame:
    """The region's staff under the crisis agreement per day, full scale: ``placed``, ``resting`` and ``covered``.

    From the ICU frame's columns of the crisis-agreement lever (``sim.levers.crisis_agreement``): placed today,
    on compensatory rest after a placement, and distinct people placed so far in the run.
    """
    icu = result.daily.icu
    rows = icu[icu["region"] == region].set_index("date")
    columns = {"agreement_staff_placed": "placed", "agreement_staff_resting": "resting", "agreement_staff_covered": "covered"}
    return rows[list(columns)].rename(columns=columns) / _scale(result)


def agreement_staff_peak(result: Result, region: str = "stockholm") -> float:
    """Most of the region's staff under the crisis agreement on one day (placed or resting after a placement), full scale."""
    staff = agreement_staff(result, region)
    return float((staff["placed"] + staff["resting"]).max())


def agreement_staff_covered(result: Result, region: str = "stockholm", until: str = "2020-08-31") -> float:
    """Distinct people of the region placed under the crisis agreement up to ``until``, full scale."""
    covered = agreement_staff(result, region)["covered"]
    return float(covered[covered.index <= pd.Timestamp(until)].max())


def crisis_pay_msek(result: Result, region: str = "stockholm", until: str = "2020-08-31") -> float:
    """The region's crisis-agreement pay above normal payroll up to ``until``, MSEK, full scale."""
    regions = result.daily.regions
    rows = regions[(regions["region"] == region) & (regions["date"] <= pd.Timestamp(until))]
    return float(rows["cost_crisis_pay_sek"].sum() / 1e6 / _scale(result))


def operations_change(result: Result, first: str, last: str) -> float:
    """Planned operations from ``first`` to ``last`` relative to a normal period of the same length, minus 1."""
    regions = result.daily.regions
    rows = regions[(regions["date"] >= pd.Timestamp(first)) & (regions["date"] <= pd.Timestamp(last))]
    days = rows["date"].nunique()
    cfg = result.scenario
    normal = cfg.levers.redeployment.operations_per_year / 365.0 * cfg.world.scale * days
    return float(rows["elective_operations"].sum() / normal - 1.0)


def _national_icu_on_peak(result: Result) -> pd.Series:
    icu = result.daily.icu.groupby("date", observed=True)[["covid_icu_patients", "icu_patients", "icu_nurses", "beds_open"]].sum()
    return icu.loc[icu["covid_icu_patients"].idxmax()]


def free_icu_beds_at_peak(result: Result) -> float:
    """National share of open ICU beds free on the day of the national COVID ICU peak (beds do not cap patients)."""
    peak = _national_icu_on_peak(result)
    return float(1.0 - peak["icu_patients"] / peak["beds_open"])


def icu_nurses_per_patient_at_peak(result: Result) -> float:
    """National ICU nurses per ICU patient on the national COVID peak day (effective: without ICU teams trained nurses count
    at their effectiveness; with ``safety.icu_tiers`` specialist ICU nurses only, the support staff apart)."""
    peak = _national_icu_on_peak(result)
    return float(peak["icu_nurses"] / peak["icu_patients"])


def icu_care_days(result: Result, first: str = "2020-04-01", last: str = "2020-05-31") -> float:
    """National ICU patient-days (COVID and other) from ``first`` to ``last``, full scale."""
    icu = result.daily.icu
    rows = icu[(icu["date"] >= pd.Timestamp(first)) & (icu["date"] <= pd.Timestamp(last))]
    return float(rows["icu_patients"].sum() / _scale(result))


def homes_reached_by(result: Result, region: str = "stockholm", date: str = "2020-04-14") -> float:
    """Share of the region's nursing homes that have had an infected resident by ``date``."""
    homes = result.daily.nursing_homes
    row = homes[(homes["region"] == region) & (homes["date"] == pd.Timestamp(date))]
    return float(row["homes_reached"].iloc[0] / row["homes"].iloc[0])


def homes_reached_nationally_by(result: Result, date: str = "2020-05-07") -> float:
    """Share of all nursing homes (every region) that have had an infected resident by ``date``."""
    homes = result.daily.nursing_homes
    day = homes[homes["date"] == pd.Timestamp(date)]
    return float(day["homes_reached"].sum() / day["homes"].sum())


def client_deaths_share_by(result: Result, date: str = "2020-04-28") -> float:
    """Home-care clients who died of COVID-19 from the run's start through ``date``, as a share of all clients."""
    care = result.daily.home_care
    first = care[care["date"] == care["date"].min()]
    clients = float(first["clients"].sum())
    died = float(care.loc[care["date"] <= pd.Timestamp(date), "client_deaths"].sum())
    return died / clients if clients > 0 else float("nan")


def observed_covid_deaths(last_week_start: str = "2020-06-29") -> int:
    """Sweden's COVID-19 deaths in the weeks starting up to ``last_week_start`` (the ``deaths`` column of
    ``sim/data/regional/icu_admissions_weekly_by_region.csv``): 5,537 through the week of 29 June 2020."""
    weekly = icu_admissions_weekly()
    return int(weekly.loc[pd.to_datetime(weekly["week_start"]) <= pd.Timestamp(last_week_start), "deaths"].sum())


def resident_death_share(result: Result, last_day: str = "2020-06-30", last_week_start: str = "2020-06-29") -> float:
    """Nursing-home residents' COVID deaths in the run up to ``last_day`` (full scale) / Sweden's observed COVID deaths
    in the weeks starting up to ``last_week_start``: the care-home residents' share of the deaths."""
    homes = result.daily.nursing_homes
    deaths = homes.loc[homes["date"] <= pd.Timestamp(last_day), "resident_deaths"].sum() / _scale(result)
    return float(deaths / observed_covid_deaths(last_week_start))


def residents_assessed_share(result: Result) -> float:
    """Infected residents who had a physician's individual assessment / residents infected, over the run (those still
    infected on its last day may be assessed later: a slight underestimate)."""
    infected = float(result.summary["resident_infections"].iloc[0])
    assessed = float(result.daily.nursing_homes["residents_assessed"].sum())
    return assessed / infected if infected > 0 else float("nan")


def staff_loaned(result: Result) -> float:
    """Staff lent between regions in the run (a person lent twice counts twice), full scale."""
    return float(result.summary["staff_loaned"].iloc[0] / _scale(result))


def week_end(date: str) -> pd.Timestamp:
    """The Sunday that ends the ISO week containing ``date`` (the data's weeks run Monday to Sunday)."""
    day = pd.Timestamp(date)
    return day + pd.Timedelta(days=6 - day.weekday())


def observed_cumulative_admissions(date: str) -> pd.Series:
    """Each region's COVID ICU admissions in the data from 2020-W01 through the ISO week containing ``date``, by region code."""
    weekly = icu_admissions_weekly()
    rows = weekly[weekly["week_start"] <= week_end(date)]
    return rows.groupby("code")["new_icu_admissions"].sum().astype(float)


def simulated_cumulative_admissions(result: Result, date: str) -> pd.Series:
    """Each region's simulated COVID ICU admissions from the run's first day through the end of the ISO week of ``date``, full scale.

    Raises:
        ValueError: the run has no admissions (its demand source is not ``admissions``) or ends before that Sunday.
    """
    icu = result.daily.icu
    if "covid_icu_admissions" not in icu or icu["covid_icu_admissions"].isna().all():
        raise ValueError("the run has no COVID ICU admissions: run a scenario with demand.source = 'admissions'")
    end = week_end(date)
    if icu["date"].max() < end:
        raise ValueError(f"the run ends on {icu['date'].max().date()}, before {end.date()} (the end of the week of {date})")
    rows = icu[icu["date"] <= end]
    return rows.groupby("region", observed=True)["covid_icu_admissions"].sum().astype(float) / _scale(result)


def admissions_deviation(result: Result, date: str) -> float:
    """Largest relative deviation of any region's simulated cumulative admissions from the data's (see ``cumulative_admissions``).

    ``|simulated − observed| / observed``, with the observed count taken as at least 1 (a region without admissions).
    """
    observed = observed_cumulative_admissions(date)
    simulated = simulated_cumulative_admissions(result, date).reindex(observed.index)
    missing = simulated.index[simulated.isna()]
    if len(missing):
        raise ValueError(f"no simulated admissions for region(s) {', '.join(missing)}")
    return float(((simulated - observed).abs() / observed.clip(lower=1.0)).max())


#: The dates of the cumulative-admissions patterns and their keys in ``cumulative_admissions``' columns.
ADMISSIONS_DATES = {"2020-06-30": "june_2020", "2021-02-28": "february_2021"}


def cumulative_admissions(result: Result) -> dict[str, float]:
    """Every region's simulated cumulative admissions at each of ``ADMISSIONS_DATES``, as ``admissions_<when>__<region>``."""
    out = {}
    for date, when in ADMISSIONS_DATES.items():
        for region, value in simulated_cumulative_admissions(result, date).items():
            out[f"admissions_{when}__{region}"] = float(value)
    return out


def admissions_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per region (the data's order): observed and simulated (mean over runs) cumulative admissions at each date.

    Args:
        runs: one row per run with the columns of ``cumulative_admissions``.
    """
    names = {code: name for name, code in FHM_REGION_CODES.items()}
    frame = pd.DataFrame(index=pd.Index(list(names), name="region"))
    frame["name"] = [names[c] for c in frame.index]
    for date, when in ADMISSIONS_DATES.items():
        frame[f"observed_{when}"] = observed_cumulative_admissions(date).reindex(frame.index).fillna(0.0)
        columns = {c.split("__", 1)[1]: c for c in runs.columns if c.startswith(f"admissions_{when}__")}
        frame[f"simulated_{when}"] = [runs[columns[c]].mean() if c in columns else np.nan for c in frame.index]
    return frame


def _crisis_entries(result: Result) -> pd.Series:
    """Per region: how often the crisis agreement is declared (it becomes active: ICU frame column ``agreement_active``).

    A region where it is active on the first day counts once; a region whose agreement is lifted and declared again
    counts again. With rosters (issue #14) a declaration lasts its declared period, so a region that steps down and
    rises again inside that period does not declare again. With the lever off there are none.
    """
    active = result.daily.icu.pivot(index="date", columns="region", values="agreement_active").sort_index() > 0
    return (active & ~active.shift(1, fill_value=False)).sum()


def crisis_activations(result: Result) -> float:
    """Crisis-agreement activations in the run, all regions: declarations of the agreement (see ``_crisis_entries``)."""
    return float(_crisis_entries(result).sum())


def regions_reaching_crisis(result: Result) -> float:
    """Regions whose crisis agreement acts on at least one day of the run."""
    return float((_crisis_entries(result) > 0).sum())


def stock_change(result: Result, professions: Sequence[str], first: str, last: str) -> float:
    """Relative change of the employed stock of ``professions`` from the supply's step on ``first`` to that on ``last``
    (the stocks right after each month's step, ``Result.supply``); NaN without ``[supply]`` or without those steps."""
    if result.supply is None:
        return float("nan")
    frame = result.supply[result.supply["profession"].isin(professions)]
    employed = frame.groupby("date", observed=True)["employed"].sum()
    start, end = pd.Timestamp(first), pd.Timestamp(last)
    if start not in employed.index or end not in employed.index or employed[start] == 0:
        return float("nan")
    return float(employed[end] / employed[start] - 1.0)


# --------------------------------------------------------------------------- the patterns

SKR = "SKR, sick leave of region and municipal employees (facts)"
SIR = "Svenska Intensivvårdsregistret (facts)"
PHYSICIANS = ("physician", "icu_physician")
NURSES = ("registered_nurse", "icu_nurse", "anaesthesia_nurse")
ADMISSIONS = "Folkhälsomyndigheten, ICU register SIR (regional data README)"

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "icu_20_march", "National COVID ICU patients, 20 March", 55, "55", SIR, "spring",
        lambda r: _on(national_covid_icu(r), "2020-03-20"), "national COVID ICU patients on the day",
        49.5, 60.5, "±10 %", "count", "fitted input", regression=True,
    ),
    Pattern(
        "icu_12_april", "National COVID ICU patients, 12 April", 500, "over 500", SIR, "spring",
        lambda r: _on(national_covid_icu(r), "2020-04-12"), "national COVID ICU patients on the day",
        450, 550, "±10 % of 500", "count", "fitted input", regression=True,
    ),
    Pattern(
        "icu_peak", "National COVID ICU peak", 558, "558", SIR, "spring",
        lambda r: float(national_covid_icu(r).max()), "highest national COVID ICU patients of any day",
        502, 614, "±10 %", "count", "fitted input", regression=True,
    ),
    Pattern(
        "icu_peak_date", "Date of the national ICU peak", _day("2020-04-28"), "end of April (peak 558)", SIR, "spring",
        lambda r: _peak_day(national_covid_icu(r)), "day of the highest national COVID ICU occupancy",
        _day("2020-04-21"), _day("2020-05-05"), "±7 days of 28 April", "date", "fitted input", regression=True,
    ),
    Pattern(
        "icu_15_may", "National COVID ICU patients, 15 May", 400, "below 400", SIR, "spring",
        lambda r: _on(national_covid_icu(r), "2020-05-15"), "national COVID ICU patients on the day",
        360, 440, "±10 % of 400", "count", "fitted input", regression=True,
    ),
    Pattern(
        "icu_6_june", "National COVID ICU patients, 6 June", 295, "295", SIR, "spring",
        lambda r: _on(national_covid_icu(r), "2020-06-06"), "national COVID ICU patients on the day",
        265.5, 324.5, "±10 %", "count", "fitted input", regression=True,
    ),
    Pattern(
        "stockholm_icu_peak", "Stockholm COVID ICU peak", 230, "≈230", "Stockholm region (facts)", "spring",
        lambda r: float(region_covid_icu(r, "stockholm").max()), "highest COVID ICU patients in Stockholm",
        207, 253, "±10 %", "count", "fitted input", regression=True,
    ),
    Pattern(
        "free_icu_beds_at_peak", "National ICU beds free at the peak", 0.30, "≈30 % of ≈1,100 beds free in April",
        "Socialstyrelsen (facts)", "spring", free_icu_beds_at_peak,
        "1 − all ICU patients (COVID and other) / ICU beds open (1,100 when every region has opened its surge beds), on the national COVID peak day",
        0.20, 0.40, "±10 percentage points", "share", "check",
    ),
    Pattern(
        "icu_care_days_april_may", "ICU care days, April–May", 40214, "40,214 (20,566 in April–May 2019)", SIR, "spring",
        icu_care_days, "national ICU patient-days, COVID and other, 1 April – 31 May", 40214 * 0.9, 40214 * 1.1, "±10 %",
        "count", "fitted input", regression=True,
    ),
    Pattern(
        "icu_nurse_ratio_at_peak", "ICU nurses per ICU patient at the peak", 0.42, "1:2 to 1:3 with support staff",
        "facts (Swedish surge reports)", "spring", icu_nurses_per_patient_at_peak,
        "ICU nurses on duty (with ICU teams specialists only; without, trained nurses at their effectiveness) / ICU patients, "
        "national, on the COVID peak day",
        1 / 3, 1 / 2, "between 1:3 and 1:2", "ratio", "check",
    ),
    Pattern(
        "stockholm_crisis_start", "Stockholm's ICU crisis agreement starts", _day("2020-04-03"), "3 April 2020",
        "SKR, crisis agreement (facts)", "spring", crisis_start_day,
        "first day Stockholm is at level crisis (the agreement acts from that day)",
        _day("2020-03-31"), _day("2020-04-06"), "±3 days", "date", "calibration",
    ),
    Pattern(
        "stockholm_agreement_staff_peak", "Stockholm staff under the agreement at the peak", 1257,
        "1,257 at the peak in late April", "SKR, crisis agreement (facts)", "spring",
        agreement_staff_peak, "most of Stockholm's staff under the agreement on one day (placed, or resting after a placement), full scale",
        1257 * 0.75, 1257 * 1.25, "±25 %", "count", "check",
    ),
    Pattern(
        "stockholm_agreement_staff_covered", "Stockholm staff covered by the agreement, 3 April – 31 August", 1589,
        "1,589 ICU staff covered (876 of them nurses)", "SKR, crisis agreement (facts)", "year",
        agreement_staff_covered, "distinct people of Stockholm placed under the agreement up to 31 August, full scale",
        1589 * 0.75, 1589 * 1.25, "±25 %", "count", "check",
    ),
    Pattern(
        "stockholm_crisis_pay", "Stockholm crisis-agreement pay, 3 April – 31 August", 300, "≈300 MSEK",
        "SKR, crisis agreement (facts)", "year", crisis_pay_msek,
        "crisis pay above normal payroll of Stockholm's staff up to 31 August, full scale",
        225, 375, "±25 %", "msek", "check",
    ),
    Pattern(
        "operations_april", "Planned operations in April", -0.46, "−46 % against April 2017–2019",
        "facts (planned care)", "spring", lambda r: operations_change(r, "2020-04-01", "2020-04-30"),
        "April operations / normal April operations − 1", -0.49, -0.43, "±3 percentage points", "share", "by construction",
    ),
    Pattern(
        "operations_march_june", "Planned operations March–June", -0.35, "−35 %", "facts (planned care)", "spring",
        lambda r: operations_change(r, "2020-03-01", "2020-06-30"),
        "March–June operations / normal operations − 1", -0.40, -0.30, "±5 percentage points", "share", "check",
    ),
    Pattern(
        "loans_spring", "Loans between regions in spring", 0, "rare (\"many employers lacked the same skills at the same time\")",
        "facts (loans)", "spring", staff_loaned, "staff lent between regions, 1 March – 30 June, full scale",
        0, 130, "rare: fewer than 5 % of the 2,600 ICU nurses", "count", "check",
    ),
    Pattern(
        "stockholm_homes_14_april", "Stockholm nursing homes reached by 14 April", 168 / 313, "168 of 313 homes (54 %)",
        "IVO, council's memo (facts)", "spring", homes_reached_by,
        "Stockholm's homes that have had an infected resident by 14 April / its homes",
        168 / 313 - 0.10, 168 / 313 + 0.10, "±10 percentage points", "share", "fitted input", regression=True,
    ),
    Pattern(
        "homes_reached_early_may", "Care homes reached nationally by early May", 0.25,
        "510 of 2,040 homes (25 %) in 15 of 21 regions, early May 2020",
        "Dagens Nyheter's survey of the regions, via Szebehely, LTCcovid 8 May 2020 (municipal facts F1.15)", "spring",
        homes_reached_nationally_by,
        "nursing homes of all regions that have had an infected resident by 7 May / all homes (the survey's 15 regions "
        "and reporting are not modelled: a rough check)",
        0.15, 0.35, "±10 percentage points", "share", "check",
    ),
    Pattern(
        "home_care_deaths_28_april", "Home-care clients dead of COVID-19 by 28 April", 493 / 191_910,
        "493 of 191,910 clients aged 70+ (0.26 %)",
        "Socialstyrelsen, death certificates to 28 April 2020 (Läkartidningen, May 2020; municipal facts F1.1)", "spring",
        client_deaths_share_by, "home-care clients who died of COVID-19 by 28 April / clients",
        0.5 * 493 / 191_910, 1.5 * 493 / 191_910, "half to one and a half times", "share", "fitted input", regression=True,
    ),
    Pattern(
        "resident_death_share", "Care-home residents' share of COVID deaths", 0.47, "47 % by mid-July 2020",
        "council's memo (facts); deaths: Folkhälsomyndigheten, sim/data/regional", "spring", resident_death_share,
        "nursing-home residents' deaths 1 March – 30 June (full scale) / Sweden's 5,537 COVID deaths in the weeks starting "
        "up to 29 June 2020; nursing_homes.case_fatality was set by hand so that it matches",
        0.35, 0.59, "±12 percentage points", "share", "fitted input", regression=True,
    ),
    Pattern(
        "residents_assessed", "Infected residents with a physician's individual assessment", 0.8,
        "≈4 in 5 (IVO's review of 847 infected residents at 98 worst-hit homes, February–June 2020)",
        "IVO via Läkartidningen, November 2020 (municipal facts, F3.3)", "spring", residents_assessed_share,
        "infected residents assessed by a physician during the run / residents infected during the run",
        0.65, 0.95, "±15 percentage points (IVO's homes were the worst hit, not a sample)", "share", "fitted input",
    ),
    Pattern(
        "sick_region_2019", "Region staff sick leave before the wave", 0.057, "5.7 % (2019)", SKR, "year",
        lambda r: pre_wave_sick_share(r, "region"), "sick-leave share of region staff, 1–7 March 2020",
        0.055, 0.059, "±0.2 percentage points", "share", "by construction", regression=True,
    ),
    Pattern(
        "sick_municipality_2019", "Municipal staff sick leave before the wave", 0.067, "6.7 % (2019)", SKR, "year",
        lambda r: pre_wave_sick_share(r, "municipality"), "sick-leave share of municipal staff, 1–7 March 2020",
        0.065, 0.069, "±0.2 percentage points", "share", "by construction", regression=True,
    ),
    Pattern(
        "sick_region_2020", "Region staff sick leave, 2020", 0.071, "7.1 % (2020)", SKR, "year",
        lambda r: sick_share_2020(r, "region"), "sick-leave share of region staff, calendar 2020 (module docstring)",
        0.068, 0.074, "±0.3 percentage points", "share", "calibration", regression=True,
    ),
    Pattern(
        "sick_municipality_2020", "Municipal staff sick leave, 2020", 0.083, "8.3 % (2020)", SKR, "year",
        lambda r: sick_share_2020(r, "municipality"), "sick-leave share of municipal staff, calendar 2020 (module docstring)",
        0.080, 0.086, "±0.3 percentage points", "share", "calibration", regression=True,
    ),
    Pattern(
        "sick_peak_month", "Month with the most sick leave", 4, "a spring peak (new cases in March–April twice 2019's)",
        "SKR, Försäkringskassan (facts)", "year", sick_peak_month, "month of 2020 with the highest mean sick-leave share, all staff",
        3, 5, "March, April or May", "month", "calibration",
    ),
    Pattern(
        "sick_april_ratio", "April sick leave relative to before", 6.2 / 4.06, "England: 6.2 % in April 2020 against 4.06 % a year earlier",
        "NHS England (facts; no Swedish monthly figure)", "year", april_sick_ratio,
        "April 2020 sick-leave share of all staff / pre-wave share", 1.25, 1.85, "1.25–1.85 (England's 1.53, indicative)", "ratio",
        "calibration",
    ),
    Pattern(
        "staff_left_2020", "Staff who left the profession, March–December 2020", 0.0,
        "no rise in nurse resignations in most regions", "facts (leaving)", "year", staff_left_share,
        "regular staff who left (the model counts only leaving above normal turnover) / regular staff",
        0.0, 0.005, "below 0.5 % of staff", "share", "calibration",
    ),
    Pattern(
        "admissions_june_2020", "Every region's COVID ICU admissions by 30 June 2020", 0.0,
        "each region's count in the data (table below)", ADMISSIONS, "both_waves",
        lambda r: admissions_deviation(r, "2020-06-30"),
        "largest |simulated / observed − 1| of the 21 regions; cumulative admissions through Sunday 5 July 2020, the end of "
        "ISO week 2020-W27 (module docstring), full scale", 0.0, 0.02, "every region within ±2 %", "share", "by construction",
        regression=True,
    ),
    Pattern(
        "admissions_february_2021", "Every region's COVID ICU admissions by 28 February 2021", 0.0,
        "each region's count in the data (table below)", ADMISSIONS, "both_waves",
        lambda r: admissions_deviation(r, "2021-02-28"),
        "largest |simulated / observed − 1| of the 21 regions; cumulative admissions through Sunday 28 February 2021, the end of "
        "ISO week 2021-W08, full scale", 0.0, 0.02, "every region within ±2 %", "share", "by construction", regression=True,
    ),
    Pattern(
        "crisis_regions", "Regions that activate the crisis agreement", 10, "10 regions by August 2021",
        "SKR, crisis agreement (facts)", "both_waves", regions_reaching_crisis,
        "regions that declare the crisis agreement at least once, 1 March 2020 – 28 February 2021: the run ends six "
        "months before the facts' count, without the third wave of spring 2021", 5, 15, "5–15 (±50 %; the run stops in February 2021)",
        "count", "check",
    ),
    Pattern(
        "crisis_activations", "Crisis-agreement activations", 14, "14 activations by August 2021",
        "SKR, crisis agreement (facts)", "both_waves", crisis_activations,
        "declarations of the agreement (a region whose agreement is lifted and declared again counts again), "
        "1 March 2020 – 28 February 2021: six months shorter than the facts' count", 7, 21,
        "7–21 (±50 %; the run stops in February 2021)", "count", "check",
    ),
    Pattern(
        "physicians_2018_2020", "Working physicians, November 2018 – 2020 (supply over years)", 41_500 / 40_881 - 1,
        "40,881 working (2018) → ≈41,500 (2020: 400 per 100,000)", "Socialstyrelsen via Läkartidningen (pipeline facts P1, P2)",
        "stock_flow", lambda r: stock_change(r, PHYSICIANS, "2018-11-01", "2020-11-01"),
        "employed physicians and ICU physicians on 1 November 2020 / on 1 November 2018 − 1 (the supply's monthly stocks)",
        41_500 / 40_881 - 1 - 0.02, 41_500 / 40_881 - 1 + 0.02, "±2 percentage points", "share", "calibration", regression=True,
    ),
    Pattern(
        "nurses_2018_2020", "Nurses, November 2018 – 2020 (supply over years)", 140_158 / 138_943 - 1,
        "licensed nurses under 65: 138,943 (2011) → 140,158 (2015), about flat", "Socialstyrelsen via Vårdfokus (pipeline facts P5)",
        "stock_flow", lambda r: stock_change(r, NURSES, "2018-11-01", "2020-11-01"),
        "employed registered, ICU and anaesthesia nurses on 1 November 2020 / on 1 November 2018 − 1; the observed change is "
        "that of four earlier years (no count of nurses for 2018–2020 was found, pipeline facts 'What is missing' 2)",
        140_158 / 138_943 - 1 - 0.02, 140_158 / 138_943 - 1 + 0.02, "±2 percentage points", "share", "calibration",
        regression=True,
    ),
    Pattern(
        "assistant_nurses_2019_2020", "Assistant nurses, November 2019 – 2020 (supply over years)", -1_100 / 200_000,
        "regions +550 (+1.1 %), municipalities −1,650 (−1.1 %)", "SKR staff statistics via Kommunalarbetaren (pipeline facts P12)",
        "stock_flow", lambda r: stock_change(r, ("assistant_nurse",), "2019-11-01", "2020-11-01"),
        "employed assistant nurses on 1 November 2020 / on 1 November 2019 − 1; observed: −1,100 of ≈200,000 (550 / 1.1 % + "
        "1,650 / 1.1 %), COVID's year included", -1_100 / 200_000 - 0.02, -1_100 / 200_000 + 0.02, "±2 percentage points",
        "share", "check",
    ),
)  # fmt: skip

BY_KEY = {p.key: p for p in PATTERNS}


# --------------------------------------------------------------------------- reported figures (no observed value: no pass or fail)


@dataclass(frozen=True)
class Reported:
    """A simulated figure shown beside the patterns, with no observed figure to compare it with: reported, not a pass or a fail.

    Attributes:
        key: short identifier (the column of the statistic in run tables).
        title: what is reported, in words.
        run: ``spring``, ``year`` or ``both_waves`` (see the module docstring).
        statistic: the figure of one run (NaN where the run does not record it).
        definition: how ``statistic`` is computed, in words.
        kind: how values are printed (as ``Pattern.kind``; ``fatigue`` prints two decimals).
        why: what the figure answers.
    """

    key: str
    title: str
    run: Run
    statistic: Callable[[Result], float]
    definition: str
    kind: Literal["count", "share", "ratio", "fatigue"]
    why: str

    def format(self, value: float) -> str:
        """A value of this figure as the report prints it."""
        if not np.isfinite(value):
            return "–"
        if self.kind == "share":
            return f"{100 * value:.1f} %"
        if self.kind in ("ratio", "fatigue"):
            return f"{value:.2f}"
        return f"{value:,.0f}"


#: The two waves of the both-waves run as the reported figures split them: the spring wave's and the autumn–winter wave's
#: start (the starts of scenarios/second_wave.toml's waves, peak − 2 rise widths) and the periods their costs are summed over.
WAVE_STARTS = {1: "2020-03-23", 2: "2020-10-27"}
WAVE_PERIODS = {1: ("2020-03-01", "2020-08-31"), 2: ("2020-09-01", "2021-02-28")}


def icu_nurse_fatigue_on(result: Result, date: str) -> float:
    """Mean fatigue of the ICU nurses who have not left (all of them work in ICUs), nationally, at the end of ``date``."""
    staff = result.daily.staff
    rows = staff[(staff["profession"] == "icu_nurse") & (staff["date"] == pd.Timestamp(date))]
    present = rows["n_total"] - rows["n_left"]
    return float((rows["fatigue_mean"] * present).sum() / present.sum()) if present.sum() > 0 else float("nan")


def capacity_lost_to_fatigue(result: Result, first: str, last: str, unit_kind: str | None = None) -> float:
    """Hours of care fatigue's cap took from ``first`` to ``last`` (inclusive), full scale (docs/ODD.md submodel 5a).

    NaN when the run does not record it (``fatigue.capacity_threshold`` 1: nobody counts as fatigued).
    """
    units = result.daily.units
    if "capacity_lost_to_fatigue_hours" not in units:
        return float("nan")
    rows = units[(units["date"] >= pd.Timestamp(first)) & (units["date"] <= pd.Timestamp(last))]
    if unit_kind is not None:
        rows = rows[rows["unit_kind"] == unit_kind]
    return float(rows["capacity_lost_to_fatigue_hours"].sum() / _scale(result))


REPORTED: tuple[Reported, ...] = (
    Reported(
        "icu_nurse_fatigue_wave1_start", "ICU nurses' fatigue as the spring wave starts (23 March 2020)", "both_waves",
        lambda r: icu_nurse_fatigue_on(r, WAVE_STARTS[1]), "mean fatigue (0–1) of ICU nurses who have not left, 23 March 2020",
        "fatigue", "the readiness the first wave met",
    ),
    Reported(
        "icu_nurse_fatigue_wave2_start", "ICU nurses' fatigue as the autumn–winter wave starts (27 October 2020)", "both_waves",
        lambda r: icu_nurse_fatigue_on(r, WAVE_STARTS[2]), "mean fatigue (0–1) of ICU nurses who have not left, 27 October 2020",
        "fatigue", "whether the second wave meets more tired staff (the council's memo: staff exhausted, the force may not be mobilised again)",
    ),
    Reported(
        "capacity_lost_wave1", "Capacity lost to fatigue, spring (1 March – 31 August 2020)", "both_waves",
        lambda r: capacity_lost_to_fatigue(r, *WAVE_PERIODS[1]),
        "effective hours of care fatigue's cap on extra hours took, all units, full scale (ODD submodel 5a)", "count",
        "what tiredness cost the first wave",
    ),
    Reported(
        "capacity_lost_wave2", "Capacity lost to fatigue, autumn–winter (1 September 2020 – 28 February 2021)", "both_waves",
        lambda r: capacity_lost_to_fatigue(r, *WAVE_PERIODS[2]),
        "effective hours of care fatigue's cap on extra hours took, all units, full scale (ODD submodel 5a)", "count",
        "what tiredness cost the second wave",
    ),
    Reported(
        "icu_capacity_lost_wave1", "ICU capacity lost to fatigue, spring (1 March – 31 August 2020)", "both_waves",
        lambda r: capacity_lost_to_fatigue(r, *WAVE_PERIODS[1], unit_kind="icu"),
        "the ICU part of the capacity lost, full scale", "count", "the part that fell on intensive care",
    ),
    Reported(
        "icu_capacity_lost_wave2", "ICU capacity lost to fatigue, autumn–winter (1 September 2020 – 28 February 2021)", "both_waves",
        lambda r: capacity_lost_to_fatigue(r, *WAVE_PERIODS[2], unit_kind="icu"),
        "the ICU part of the capacity lost, full scale", "count", "the part that fell on intensive care",
    ),
)  # fmt: skip

REPORTED_BY_KEY = {item.key: item for item in REPORTED}


def reported_for_run(run: Run) -> tuple[Reported, ...]:
    """The reported figures read from ``run``."""
    return tuple(item for item in REPORTED if item.run == run)


def reported_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per reported figure: its mean and 95 % range across the runs (no tolerance, no match: reported only)."""
    rows = []
    for item in REPORTED:
        values = runs[item.key] if item.key in runs else pd.Series(dtype=float)
        mean, low, high = interval(values.to_numpy(dtype=float))
        rows.append({"key": item.key, "title": item.title, "simulated_mean": mean, "simulated_low": low, "simulated_high": high})
    return pd.DataFrame(rows)


def load_runs_scenarios(scale: float | None = None, **overrides: Any) -> dict[str, Scenario]:
    """The scenarios the patterns read: ``spring``, ``year`` (cut at 31 December 2020), ``both_waves`` and ``stock_flow``.

    Args:
        scale: ``world.scale`` for all (None: as in the files).
        **overrides: further dotted overrides (``section__key=value``) for all.
    """
    extra = dict(overrides)
    if scale is not None:
        extra["world__scale"] = scale
    return {
        "spring": load_scenario(SPRING_SCENARIO, **extra),
        "year": load_scenario(YEAR_SCENARIO, time__end=YEAR_END, **extra),
        "both_waves": load_scenario(BOTH_WAVES_SCENARIO, **extra),
        "stock_flow": load_scenario(STOCK_FLOW_SCENARIO, **extra),
    }


def for_run(run: Run, patterns: Sequence[Pattern] = PATTERNS) -> tuple[Pattern, ...]:
    """The patterns read from ``run``."""
    return tuple(p for p in patterns if p.run == run)


def statistics(result: Result, patterns: Sequence[Pattern | Reported]) -> dict[str, float]:
    """The simulated figure of every pattern (or reported figure) in ``patterns`` for one run's result."""
    return {p.key: p.statistic(result) for p in patterns}


def simulate(scenario: Scenario, seed: int, keys: Sequence[str], regional: bool = False, record: str = "all") -> dict[str, float]:
    """Run ``scenario`` with ``seed`` and return the statistics of the patterns (and reported figures) named by ``keys``.

    Patterns are named rather than passed so that the call pickles for worker processes. With ``regional``
    also every region's cumulative admissions (``cumulative_admissions``, for ``admissions_table``). ``record`` is the
    model's (``sim.recorder.RECORDS``): ``"staff"`` records only what the calibration's targets read, the same
    statistics in less time; a statistic that reads another frame or the summary raises ``sim.results.NotRecorded``
    (another column of the regions frame: ``KeyError``).
    """
    from sim.model import MobilisationModel

    result = MobilisationModel(scenario, seed=seed, record=record).run()
    out = statistics(result, [BY_KEY[k] if k in BY_KEY else REPORTED_BY_KEY[k] for k in keys])
    if regional:
        out.update(cumulative_admissions(result))
    return out


def interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and central ``level`` range of values across replications (NaNs dropped)."""
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    if array.size == 0:
        return float("nan"), float("nan"), float("nan")
    tail = (1.0 - level) / 2.0
    return float(array.mean()), float(np.quantile(array, tail)), float(np.quantile(array, 1.0 - tail))


def assess(runs: pd.DataFrame, patterns: Sequence[Pattern] = PATTERNS) -> pd.DataFrame:
    """One row per pattern: observed, simulated mean and 95 % range across the runs, and whether the mean matches.

    Args:
        runs: one row per run and a column per pattern key (missing columns give NaN).
        patterns: the patterns to assess.
    """
    rows = []
    for p in patterns:
        values = runs[p.key] if p.key in runs else pd.Series(dtype=float)
        mean, low, high = interval(values.to_numpy(dtype=float))
        rows.append(
            {
                "pattern": p.key,
                "title": p.title,
                "observed": p.observed,
                "simulated_mean": mean,
                "simulated_low": low,
                "simulated_high": high,
                "tolerance_low": p.low,
                "tolerance_high": p.high,
                "match": p.matches(mean),
                "role": p.role,
            }
        )
    return pd.DataFrame(rows)
