"""The indicator registry: one entry per indicator, read by every module that shows one.

An ``Indicator`` says what a run summary column (or a dashboard series) is: its title and unit
for figures and tables, whether lower is better, a one-line description (from the ODD's
"Observation" section), and where it is shown. ``sim.experiment`` (compare), ``sim.sweep``,
``sim.figures``, ``sim.report``, ``sim.cli`` and ``sim.app`` (the dashboard) read titles, units,
directions and the planners' default list from here, so a new indicator is one ``register``
call beside the code that computes it.

Where an indicator is shown (``Indicator.shown``):

- ``summary``: a column of a run's one-row summary (``Result.summary``, ``summary.csv``);
  only these may be named in an experiment's ``indicators = [...]``.
- ``compare``: compared by default by ``mobsim compare`` and ``mobsim sweep`` (``planners()``,
  in registration order: the order of the tables).
- ``figures``: drawn first in the strategy-comparison figure, in the order of ``Indicator.priority``.
- ``report``: named in the key-number sentences of a run's report.
- ``dashboard``: a live daily series of the dashboard (not a summary column).

A name may hold ``{k}`` for a family of columns, one per epidemic wave (``wave{k}_staff_lost``
stands for ``wave1_staff_lost``, ``wave2_staff_lost``, ...); ``get`` matches a column to its
family and ``title`` fills in the number.

Each owner declares its indicators, in the way of Starsim's ``define_results``: the core's are
listed below, grouped by what produces them; each lever declares its own in its module
(``Lever.indicators`` in ``sim/levers/*.py``, e.g. ``staff_loaned`` in ``loans.py``), and they are
registered in their place here, in the order the levers act. A user's code may add more::

    from sim import indicators
    indicators.register(indicators.Indicator("staff_loaned", "Staff loaned between regions", "staff", None,
                                             "staff loaned between regions, summed over loans", frozenset({"summary"})))
    indicators.title("wave2_staff_lost")      # 'Wave 2: staff lost by its start'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.text import suggest, unit_kind

#: Where an indicator may be shown (``Indicator.shown``).
PLACES = frozenset({"summary", "compare", "figures", "report", "dashboard"})
_WAVE = "{k}"


@dataclass(frozen=True)
class Indicator:
    """One indicator: a summary column (or a dashboard series) and how to show it.

    Attributes:
        name: the column name (``{k}`` for a wave's number in a family of columns).
        title: a short title for figures and sentences ("Unsafe ICU care").
        unit: what a value counts, for axes and tables ("patient-days beyond the minimum nurse ratio"); "" for labels and dates.
        lower_is_better: True or False for outcomes; None where neither is better (identifiers, dates, lever activity).
        description: one line saying how it is computed (the ODD's "Observation" section has the details).
        shown: where it is shown (``PLACES``).
        priority: with ``figures`` in ``shown``: its place among the panels a strategy comparison draws first (lower first).
    """

    name: str
    title: str
    unit: str
    lower_is_better: bool | None
    description: str
    shown: frozenset[str] = frozenset({"summary"})
    priority: int | None = None

    def __post_init__(self) -> None:
        unknown = set(self.shown) - PLACES
        if unknown:
            raise ValueError(f"indicator '{self.name}': unknown place {sorted(unknown)}; expected some of {sorted(PLACES)}")
        if ("figures" in self.shown) != (self.priority is not None):
            raise ValueError(f"indicator '{self.name}': 'figures' in shown and a priority go together")
        if not self.name or not self.title:
            raise ValueError("an indicator needs a name and a title")

    @property
    def is_pattern(self) -> bool:
        """Whether the name stands for a family of columns (one per wave)."""
        return _WAVE in self.name

    def matches(self, column: str) -> bool:
        """Whether ``column`` is this indicator (for a family: one of its columns)."""
        return _pattern(self.name).fullmatch(column) is not None if self.is_pattern else column == self.name


_REGISTRY: dict[str, Indicator] = {}


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(re.escape(name).replace(re.escape(_WAVE), r"(?P<k>[1-9][0-9]*)"))


def register(indicator: Indicator) -> Indicator:
    """Add an indicator to the registry; returns it.

    Raises:
        ValueError: its name is registered already (two modules would claim the same column).
    """
    if indicator.name in _REGISTRY:
        raise ValueError(f"indicator '{indicator.name}' is registered already; every indicator has one owner")
    _REGISTRY[indicator.name] = indicator
    return indicator


def all() -> list[Indicator]:  # shadows the builtin inside this module only: callers write indicators.all()
    """Every registered indicator, in registration order."""
    return list(_REGISTRY.values())


def find(column: str) -> Indicator | None:
    """The indicator of a column (exact name first, then the families of ``{k}`` names), or None."""
    found = _REGISTRY.get(column)
    if found is not None:
        return found
    return next((i for i in _REGISTRY.values() if i.is_pattern and i.matches(column)), None)


def get(column: str) -> Indicator:
    """The indicator of a column, as ``find``.

    Raises:
        KeyError: no registered indicator is that column; the message suggests the closest name.
    """
    found = find(column)
    if found is None:
        raise KeyError(unknown(column))
    return found


def unknown(column: str, place: str | None = "summary") -> str:
    """The message for a column that is not a registered indicator (shown at ``place``), with the closest name."""
    names = names_at(place)
    return f"unknown indicator '{column}'{suggest(column, names)} (the indicators are listed in sim/indicators.py and docs/guide.md)"


def names_at(place: str | None) -> list[str]:
    """Names (families with ``{k}``) of the indicators shown at ``place`` (None: all)."""
    return [i.name for i in _REGISTRY.values() if place is None or place in i.shown]


def is_summary_column(column: str) -> bool:
    """Whether ``column`` is a registered column of a run's summary (what an experiment may name)."""
    found = find(column)
    return found is not None and "summary" in found.shown


def planners() -> tuple[str, ...]:
    """The indicators ``mobsim compare`` and ``mobsim sweep`` report by default, in report order."""
    return tuple(names_at("compare"))


def figure_priority() -> tuple[str, ...]:
    """The indicators a strategy-comparison figure draws first, in order."""
    first = [i for i in _REGISTRY.values() if "figures" in i.shown]
    return tuple(i.name for i in sorted(first, key=lambda i: i.priority or 0))


def _wave(column: str, indicator: Indicator) -> str | None:
    if not indicator.is_pattern:
        return None
    match = _pattern(indicator.name).fullmatch(column)
    return match.group("k") if match else None


def title(column: str) -> str:
    """The indicator's title (a wave family's with its number); an unregistered column's name with spaces."""
    found = find(column)
    if found is None:
        return column.replace("_", " ")
    k = _wave(column, found)
    return found.title.replace(_WAVE, k) if k is not None else found.title


def unit(column: str) -> str:
    """The indicator's unit; "" for an unregistered column."""
    found = find(column)
    return found.unit if found is not None else ""


#: Bounds of indicators whose unit alone does not say them (a change may be negative, down to −100 %).
_BOUNDS: dict[str, tuple[float, float]] = {"elective_operations_april_change": (-1.0, math.inf)}
#: Indicators tied to a calendar window: the months a run must cover for them to mean anything (else they are NaN).
_MONTHS: dict[str, tuple[int, ...]] = {"elective_operations_april_change": (4,)}
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def bounds(column: str) -> tuple[float, float]:
    """The values the column can take, from its unit (``sim.text.unit_kind``): shares and fatigue 0–1, counts and ratios
    0 and up, money and labels unbounded. ``sim.intervals.interval`` cuts intervals of means there."""
    if column in _BOUNDS:
        return _BOUNDS[column]
    return bounds_of_unit(unit(column))


def bounds_of_unit(unit: str) -> tuple[float, float]:
    """The values a quantity of ``unit`` can take (``bounds``): shares 0–1 (coverage 0 and up), counts and ratios 0 and up."""
    kind = unit_kind(unit)
    if kind == "percent":
        return (0.0, 1.0) if not unit.startswith("supplied / required") else (0.0, math.inf)
    if kind in ("count", "ratio"):
        return (0.0, math.inf)
    return (-math.inf, math.inf)


def window(column: str) -> str | None:
    """The calendar window an indicator is tied to ("April"), or None: shown as "not in this period" when a run misses it."""
    months = _MONTHS.get(column)
    return None if months is None else ", ".join(_MONTH_NAMES[m - 1] for m in months)


def in_period(column: str, start: Any, days: int) -> bool:
    """Whether a run from ``start`` (a date) over ``days`` days covers the indicator's calendar window (always, if it has none)."""
    months = _MONTHS.get(column)
    if months is None:
        return True
    first = pd.Timestamp(start)
    covered = {d.month for d in pd.date_range(first, periods=max(int(days), 0), freq="D")}
    return bool(covered & set(months))


def lower_is_better(column: str) -> bool | None:
    """Whether lower values of the column are better (None: neither, or not registered)."""
    found = find(column)
    return found.lower_is_better if found is not None else None


def better(column: str, difference: float) -> bool | None:
    """Whether a change of ``difference`` in the column is an improvement (None: no direction, or no change)."""
    direction = lower_is_better(column)
    if direction is None or not difference or difference != difference:  # 0 or NaN
        return None
    return (difference < 0) == direction


def markdown_table(place: str | None = "summary") -> str:
    """The indicators shown at ``place`` as a Markdown table (the one in docs/guide.md)."""
    arrows = {True: "lower", False: "higher", None: "–"}
    order = ("compare", "figures", "report", "dashboard")  # "summary" is every row's (with the default place)
    rows = ["| indicator | title | unit | better | description | shown in |", "|---|---|---|---|---|---|"]
    for i in _REGISTRY.values():
        if place is None or place in i.shown:
            shown = ", ".join(p for p in order if p in i.shown) or "–"
            rows.append(f"| `{i.name}` | {i.title} | {i.unit or '–'} | {arrows[i.lower_is_better]} | {i.description} | {shown} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------- the indicators of a run
# The core's indicators are listed here, grouped by what produces them (sim/recorder.py computes them);
# each lever declares its own in its module (Lever.indicators), and they are registered in their place below.


def _add(name: str, title: str, unit: str, lower: bool | None, description: str, *shown: str, priority: int | None = None) -> None:
    register(Indicator(name, title, unit, lower, description, frozenset({"summary", *shown}), priority))


# identity of the run
_add("scenario", "Scenario", "", None, "the scenario's name", "report")
_add("seed", "Seed", "", None, "the seed of the run's random numbers", "report")
_add("scale", "World scale", "share of Sweden", None, "world.scale: the share of Sweden's staff, beds and patients simulated")
_add("days", "Days", "days", None, "days simulated", "report")
_add(
    "staff_employed",
    "Staff employed",
    "staff",
    None,
    "the regular workforce: staff of the regions and municipalities, reserve left out",
    "report",
)
_add(
    "staff_in_reserve",
    "Staff in reserve",
    "staff",
    None,
    "people held in reserve beside the workforce: potential recruits (retired, students, other sectors) and additional pool "
    "members, whether called in or not",
    "report",
)

# supply over years (issue #17, sim/supply.py): only in runs with [supply] enabled
_add("graduates_started", "Graduates started", "staff", None, "graduates who started work during the run (supply over years)")
_add("licensed_started", "Licensed from abroad started", "staff", None, "people trained abroad, licensed, who started work during the run")
_add(
    "staff_retired",
    "Staff retired",
    "staff",
    None,
    "staff who retired during the run (supply over years: the staff of the start; by age, started entrants too)",
)
_add(
    "staff_left_supply",
    "Staff who left (supply)",
    "staff",
    None,
    "staff who left the profession by the supply side's leaving rate (supply.leave_rate_per_year), besides staff_lost's daily leaving",
)
_add(
    "specialists_started",
    "Specialist training started",
    "staff",
    None,
    "registered nurses who left work for a specialist programme during the run (supply.education.specialisation)",
)
_add(
    "specialists_completed",
    "Specialist training completed",
    "staff",
    None,
    "registered nurses who became ICU or anaesthesia nurses during the run (supply.education.specialisation)",
)
_add(
    "specialist_salary_sek",
    "Salary of specialist students",
    "SEK",
    True,
    "salary with fees of the registered nurses away in a specialist programme, when paid (supply.education.specialists_paid), "
    "at the world's scale",
)
_add(
    "staff_employed_end",
    "Staff employed at the end",
    "staff",
    None,
    "the workforce at the end of the run: staff of the start and entrants, not left, retired or yet to start",
)

_add(
    "investment_msek",
    "Investment in preparedness",
    "MSEK",
    True,
    "what the supply side's levers cost over the run (training places, VFU agreements, funded specialist places, reserves, "
    "retention, short courses), at the world's scale; only in runs with [supply]",
)

# supply-side levers (issue #17, second slice): only in runs with the lever on
_add(
    "short_course_participants",
    "Short-course participants",
    "staff",
    None,
    "ICU courses started and recruits onboarded with the short courses' e-learning",
)
_add(
    "short_course_competence_lapsed",
    "Short-course competence lapsed",
    "staff",
    None,
    "ICU-upskilled nurses and beredskapslyftet graduates whose competence lapsed unused for short_courses.competence_months",
)
_add(
    "short_course_cost_sek",
    "Cost of short courses",
    "SEK",
    True,
    "e-learning per participant and the kept share's refreshers, SEK at the model's scale",
)
_add(
    "retention_staff_covered_end",
    "Staff covered by retention",
    "staff",
    None,
    "employed staff of the professions the retention measures cover, at the end",
)
_add(
    "retention_cost_sek",
    "Cost of retention",
    "SEK",
    True,
    "the retention measures' pay rise on the covered staff's contracted pay and their per-staff cost, SEK at the model's scale",
)
_add(
    "pool_unfilled_members_end",
    "Pool members the stocks did not fill, end",
    "members",
    None,
    "additional pool members beyond the run's stocks of retirees and part-timers' spare time at the last month's start "
    "(levers.national_pool.recruit_from = 'stocks' only)",
)
_add(
    "pool_unfilled_members_peak",
    "Pool members the stocks did not fill, most",
    "members",
    None,
    "most additional pool members beyond the run's stocks at a month's start (levers.national_pool.recruit_from = 'stocks' only)",
)
_add(
    "reserves_roster_end",
    "Reserve roster at the end",
    "staff",
    None,
    "members of the reserve roster (retirees and part-timers) at the end (levers.reserves)",
)
_add("reserves_roster_peak", "Reserve roster, peak", "staff", None, "largest reserve roster at a month's start (levers.reserves)")
_add(
    "reserves_refreshed_share_end",
    "Reservists refreshed at the end",
    "share",
    False,
    "share of the reserve roster whose training is within training_valid_months at the end (levers.reserves)",
)
_add(
    "reserves_called",
    "Reservists called",
    "calls",
    None,
    "reservists called by their region, summed over calls (a person called twice counts twice)",
)
_add("reserves_retiree_hours", "Hours of called retirees", "hours", None, "hours worked by retirees called from the reserve roster")
_add(
    "reserves_cost_sek",
    "Cost of the reserve",
    "SEK",
    True,
    "the reserve's upkeep, trainings and refreshers, and the contracted pay of called retirees' hours, SEK at the model's scale",
)

# ICU care (the core model)
_add(
    "unsafe_icu_patient_days",
    "Unsafe ICU care",
    "patient-days beyond the minimum nurse ratio",
    True,
    "ICU patient-days beyond what the minimum nurse ratio can cover (trained nurses count at their effectiveness); with "
    "team-based ICU staffing (safety.icu_tiers), patients the ICU teams on duty do not cover within the guidance for the "
    "region's surge level: icu_patient_days_uncovered + icu_patient_days_beyond_guidance",
    "compare",
    "figures",
    "report",
    priority=1,
)
_add("peak_covid_icu_patients", "Peak COVID ICU patients", "patients", None, "national maximum of COVID-19 ICU patients (demand)", "report")
_add("peak_covid_icu_date", "Date of the ICU peak", "", None, "the date of the national COVID-19 ICU maximum", "report")
_add(
    "min_icu_nurse_coverage",
    "Lowest ICU nurse coverage",
    "supplied / required ICU-nurse hours",
    False,
    "the lowest daily national share of required ICU-nurse hours in ICUs that was supplied",
    "report",
)
_add(
    "diluted_icu_patient_days",
    "ICU care by non-specialists",
    "diluted ICU patient-days",
    True,
    "ICU patient-days without a specialist ICU nurse of their own",
    "compare",
    "figures",
    "report",
    priority=2,
)
# team-based ICU staffing (safety.icu_tiers; sim/teams.py): only when tiers are configured
_add(
    "icu_patient_days_tier{k}",
    "ICU patient-days in tier {k}",
    "patient-days",
    None,
    "ICU patient-days cared for in the k-th tier of safety.icu_tiers (best first: 1 is 1:1); only with tiers",
)
_add(
    "icu_patient_days_uncovered",
    "ICU patients without an ICU nurse",
    "patient-days",
    True,
    "ICU patient-days no tier covers: beyond what the ICU nurses on duty, with the support staff there, can take; only with tiers",
)
_add(
    "icu_patient_days_beyond_guidance",
    "ICU care beyond guidance",
    "patient-days",
    True,
    "ICU patient-days the teams cover only in tiers beyond the guidance for the region's surge level (ICU patients / normal beds); "
    "only with tiers",
)
_add(
    "icu_patient_days_above_staffed_beds",
    "ICU patients above staffed beds",
    "patient-days",
    True,
    "ICU patient-days above the region's staffed beds: open beds its ICU nurses can give the minimum safe ratio, or with "
    "safety.icu_tiers that its ICU teams cover within guidance (coarse below world.scale 0.1, where small regions have no or one ICU nurse agent)",
    "compare",
    "figures",
    "report",
    priority=3,
)
_add(
    "icu_patient_days_above_open_beds",
    "ICU patients above open beds",
    "patient-days",
    True,
    "ICU patient-days above the region's open ICU beds (normal beds plus those the bed_expansion lever opened)",
    "report",
)
_add("icu_beds_open_max", "Most ICU beds open", "beds", None, "the most ICU beds open nationally on any day", "report")
_add(
    "worst_region_icu_nurse_ratio",
    "Worst region-week",
    "ICU nurses per patient",
    False,
    "the lowest weekly ICU nurses per patient of any region (region-weeks under 7 patient-days left out)",
    "report",
)

# staffing and the staff's health
_add("peak_gap_hours", "Peak care gap (hours)", "hours", True, "largest daily sum of required minus supplied hours over all units")
_add(
    "peak_gap_share",
    "Peak care gap",
    "share of required hours",
    True,
    "largest share of required care hours not covered on any day",
    "compare",
)
_add(
    "peak_sick_share",
    "Peak sick share",
    "share of staff",
    True,
    "largest share of staff off sick (COVID-19, other causes, exhaustion) on any day",
    "compare",
    "figures",
    "report",
    priority=8,
)
_add(
    "staff_lost",
    "Staff lost",
    "staff who left the profession",
    True,
    "staff who had left the profession by the last day",
    "compare",
    "figures",
    "report",
    priority=4,
)
_add(
    "icu_staff_fatigue_end",
    "ICU staff fatigue at end",
    "fatigue (0–1)",
    True,
    "mean fatigue of regular staff whose home is an ICU and who have not left, last day",
    "compare",
    "figures",
    "report",
    priority=3,
)
_add(
    "icu_staff_sustained_fatigue_end",
    "ICU staff sustained fatigue at end",
    "fatigue (0–1)",
    True,
    "mean sustained fatigue of regular staff whose home is an ICU and who have not left, last day",
)

# fatigue that costs capacity (submodel 5a; only in runs where staff can be fatigued: fatigue.capacity_threshold < 1)
_add(
    "capacity_lost_to_fatigue_hours",
    "Capacity lost to fatigue",
    "effective hours",
    True,
    "hours of care the staff at work would have given without fatigue's cap on their extra hours, all units, summed over days "
    "(fatigue.capacity_threshold < 1 only)",
    "report",
)
_add(
    "icu_capacity_lost_to_fatigue_hours",
    "ICU capacity lost to fatigue",
    "effective hours",
    True,
    "the part of capacity_lost_to_fatigue_hours in ICUs (fatigue.capacity_threshold < 1 only)",
)
_add(
    "fatigued_icu_care_share",
    "ICU care by fatigued staff",
    "share of ICU care hours",
    True,
    "share of the hours worked in ICUs given by staff whose fatigue was above fatigue.capacity_threshold as the day began",
    "report",
)
_add(
    "fatigue_error_icu_patient_days",
    "Fatigue-related ICU error risk",
    "ICU patient-days × excess error odds",
    True,
    "ICU patient-days weighted by the excess odds of an error in their day's care (fatigue.error_odds_ratio ** degree of "
    "fatigue − 1, hours-weighted over the ICU's staff); 0 when nobody is fatigued (fatigue.capacity_threshold < 1 only)",
    "report",
)

_add("fatigue_mean_end", "Mean fatigue at end", "fatigue (0–1)", True, "mean fatigue of staff who have not left, last day")
_add(
    "fatigue_p90_end",
    "Fatigue, 90th percentile, at end",
    "fatigue (0–1)",
    True,
    "90th percentile of fatigue of staff who have not left, last day",
    "compare",
)

# nursing homes (sim/levers: nursing_home_measures, home_cooperation, mobile_teams and licensed_staff change them)
_add(
    "homes_with_outbreak",
    "Nursing homes with an outbreak",
    "homes",
    True,
    "nursing homes with an infected resident on any day",
    "compare",
    "report",
)
_add(
    "homes_with_outbreak_share",
    "Share of nursing homes with an outbreak",
    "share of homes",
    True,
    "share of homes with an infected resident on any day",
    "report",
)
_add(
    "nursing_home_introductions",
    "Virus brought into homes by staff",
    "introductions",
    True,
    "outbreaks started by staff: homes without an infected resident into which staff brought the virus, summed over days",
    "compare",
    "figures",
    "report",
    priority=6,
)
_add(
    "resident_infections",
    "Nursing-home resident infections",
    "residents infected",
    True,
    "nursing-home residents infected during the run",
    "compare",
    "figures",
    "report",
    priority=5,
)
_add(
    "resident_deaths",
    "Nursing-home resident deaths",
    "residents died",
    True,
    "nursing-home residents who died of COVID-19 during the run (infection, then a daily death hazard raised by missed care "
    "and delegation beyond the normal share, lowered by a physician's assessment)",
    "compare",
)
_add(
    "resident_missed_care_hours",
    "Missed care in nursing homes",
    "care hours",
    True,
    "care hours the homes needed and their staff did not supply (required less supplied, effective hours), summed over days",
    "compare",
)
_add(
    "delegated_medication_share",
    "Delegated medication rounds",
    "share of rounds",
    True,
    "share of the residents' medication and nursing tasks the registered nurses present did not cover and delegated to "
    "assistant nurses and care aides, resident-days weighted",
    "compare",
)

# home care (hemtjänst, submodel 8a)
_add(
    "client_infections",
    "Home-care client infections",
    "clients infected",
    True,
    "home-care clients infected during the run (by the staff who visit them or in the community)",
    "compare",
    "report",
)
_add(
    "client_deaths",
    "Home-care client deaths",
    "clients",
    True,
    "home-care clients who died of COVID-19 during the run",
    "compare",
    "report",
)
_add(
    "missed_home_care_visits",
    "Missed home-care visits",
    "visits",
    True,
    "planned home-care visits not made because the services' staff were short (planned × (1 − coverage)), summed over days",
    "compare",
    "report",
)
_add(
    "missed_home_care_visit_share",
    "Share of home-care visits missed",
    "share of planned visits",
    True,
    "missed home-care visits as a share of all planned visits of the run",
    "report",
)

# escalation: regions' levels
_add("regions_in_crisis_max", "Regions in crisis at once", "regions", True, "the most regions in crisis on one day", "report")

# the levers' own indicators, declared in their modules (Lever.indicators in sim/levers/*.py), in the order the levers act


def _register_levers() -> None:
    from sim.levers import LEVERS  # the levers import nothing of this module: no cycle

    for cls in LEVERS:
        for spec in cls.indicators:
            _add(spec.name, spec.title, spec.unit, spec.lower_is_better, spec.description, *spec.shown, priority=spec.priority)


_register_levers()

# costs above normal payroll (one per item of sim.recorder.COST_ITEMS; the pool's is national_pool's)
_add("cost_overtime_msek", "Cost of overtime", "MSEK", True, "overtime pay above normal payroll", "report")
_add("cost_crisis_pay_msek", "Cost of crisis pay", "MSEK", True, "crisis-agreement pay above normal payroll (crisis_agreement)", "report")
_add("cost_temps_msek", "Cost of recruits", "MSEK", True, "pay of temporary recruits (recruitment)", "report")
_add(
    "cost_pool_msek",
    "Cost of the pool",
    "MSEK",
    True,
    "pay of pool members from outside the regions and the pool's upkeep (national_pool)",
    "report",
)
_add("cost_recovery_msek", "Cost of recovery", "MSEK", True, "the recovery programme (recovery)")
_add(
    "cost_banned_temps_saved_msek",
    "Saved by banning hourly temps",
    "MSEK",
    True,
    "(negative) contracted pay of hourly staff not called in while hourly temps are banned (nursing_home_measures)",
)
_add("cost_transfers_msek", "Cost of patient transfers", "MSEK", True, "moving ICU patients between regions (patient_transfers)", "report")
_add(
    "cost_travel_msek",
    "Cost of travel and lodging",
    "MSEK",
    True,
    "return trips and lodging of staff on loan and pool members away from home (loans, national_pool)",
    "report",
)
_add("cost_hygiene_training_msek", "Cost of hygiene training", "MSEK", True, "paid course hours of hygiene training (hygiene_training)")
_add(
    "cost_physician_rounds_msek",
    "Cost of physician rounds",
    "MSEK",
    True,
    "physician rounds in nursing homes bought as a service (physician_rounds)",
)
_add(
    "cost_cooperation_msek",
    "Cost of cooperation between homes",
    "MSEK",
    True,
    "planning the moves of staff lent between nursing homes of a cluster (home_cooperation)",
)
_add(
    "cost_licensed_staff_msek",
    "Cost of extra nurses in municipal care",
    "MSEK",
    True,
    "pay of the registered nurses added to nursing homes and home care (licensed_staff)",
)
_add(
    "cost_courses_msek",
    "Cost of basic-care courses",
    "MSEK",
    True,
    "course places of beredskapslyftet's basic-care courses for recruits (beredskapslyftet)",
)
_add(
    "cost_total_msek",
    "Net cost above payroll",
    "MSEK",
    True,
    "sum of the cost items: payroll above normal, net of the banned temps' savings",
    "compare",
    "figures",
    "report",
    priority=9,
)

# the cost of the response (sim.response_cost): costs above the same run without COVID demand, same seed; only when asked
for _item, _title in (
    ("overtime", "overtime"),
    ("crisis_pay", "crisis pay"),
    ("temps", "recruits"),
    ("pool", "the pool"),
    ("recovery", "recovery"),
    ("banned_temps_saved", "banning hourly temps (saved)"),
    ("transfers", "patient transfers"),
    ("travel", "travel and lodging"),
    ("cooperation", "cooperation between homes"),
    ("licensed_staff", "extra nurses in municipal care"),
    ("courses", "basic-care courses"),
    ("hygiene_training", "hygiene training"),
    ("physician_rounds", "physician rounds"),
):
    _add(
        f"response_cost_{_item}_msek",
        f"Response cost: {_title}",
        "MSEK",
        True,
        f"cost_{_item}_msek less the same run's without COVID demand (same seed; --response-cost)",
    )
_add(
    "response_cost_total_msek",
    "Cost of the response",
    "MSEK",
    True,
    "cost_total_msek less the same run's without COVID demand (same seed; --response-cost): ordinary overtime left out",
    "compare",
    "report",
)

# readiness: the workforce each wave of demand.waves meets on its start (peak date − 2 rise widths); only with waves
_add("wave{k}_start", "Wave {k}: start", "", None, "the date wave k starts (read on the first day if earlier)")
_add(
    "wave{k}_icu_staff_fatigue",
    "Wave {k}: ICU staff fatigue at its start",
    "fatigue (0–1)",
    True,
    "mean fatigue of ICU staff as wave k starts",
)
_add(
    "wave{k}_icu_staff_sustained_fatigue",
    "Wave {k}: ICU staff sustained fatigue at its start",
    "fatigue (0–1)",
    True,
    "mean sustained fatigue of ICU staff as wave k starts",
)
_add(
    "wave{k}_icu_staff_available",
    "Wave {k}: ICU staff available at its start",
    "staff",
    False,
    "ICU-home regular staff neither sick nor left as wave k starts",
)
_add("wave{k}_staff_lost", "Wave {k}: staff lost by its start", "staff", True, "staff who had left the profession when wave k starts")
_add(
    "wave{k}_capacity_lost_to_fatigue_hours",
    "Wave {k}: capacity lost to fatigue",
    "effective hours",
    True,
    "capacity_lost_to_fatigue_hours from wave k's start to the next wave's (the last: to the run's end; fatigue.capacity_threshold < 1 only)",
)
_add("wave{k}_staff_off_sick", "Wave {k}: staff off sick at its start", "staff", True, "staff off sick on the day wave k starts")


# --------------------------------------------------------------------------- the dashboard's live series (not summary columns)


def _series(name: str, title: str, unit: str, lower: bool | None, description: str) -> None:
    register(Indicator(name, title, unit, lower, description, frozenset({"dashboard"})))


_series(
    "icu_nurse_coverage",
    "ICU nurse coverage",
    "ICU nurses per ICU patient",
    False,
    "ICU nurses on duty per ICU patient, national and worst region",
)
_series("staff_not_at_work", "Staff not at work, by status", "staff", True, "staff sick, off duty, in training or left, by status")
_series(
    "fatigue_mean", "Fatigue", "mean fatigue (0–1)", True, "mean fatigue of ICU staff (and sustained) and of all staff who have not left"
)
