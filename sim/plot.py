"""``Result.plot`` and ``CompareResult.plot``: one call to a figure in a notebook, drawn with ``sim.figures``.

A run or a comparison becomes a ``figures.RunSet`` (the frames a report draws), and then:

- no ``indicator``: the figures' own drawings: ``coverage_national`` (ICU load and nurses per patient, Sweden) for a run,
  ``strategy_comparison`` (paired differences with intervals) for a comparison; with ``region=``, ICU nurses per
  patient in that region against the minimum ratio;
- a daily column (``DAILY``: COVID and all ICU patients, unsafe patients, staff off sick, fatigue, staff on loan …, or
  a planner's running total such as ``unsafe_icu_patient_days``): its series per strategy (mean and 95 % band over
  replications), nationally or in one ``region``;
- for a comparison, a summary indicator it compared (``comparison.indicators``): its paired difference panel.

Unknown indicators and regions are refused with the closest name. Counts are in model units, as in the results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sim import data, figures
from sim import indicators as registry
from sim.text import suggest

if TYPE_CHECKING:
    from sim.experiment import CompareResult
    from sim.results import Result

#: Daily columns of ``sim.experiment.region_daily`` that add up over regions (counts, hours, homes).
COUNTS = (
    "covid_icu_patients",
    "icu_patients",
    "icu_nurses",
    "unsafe_patients",
    "diluted_patients",
    "covid_icu_admissions",
    "n_sick",
    "n_left",
    "n_total",
    "homes",
    "homes_with_outbreak",
    "infected_residents",
    "elective_operations",
    "care_debt_operations",
    "staff_on_loan_in",
    "pool_members_in",
    "upskilled_in_icu",
    "recruits_working",
)
#: Running totals of a daily column: the planners' indicators over time (their last value is the summary's).
RUNNING = {"unsafe_icu_patient_days": "unsafe_patients", "diluted_icu_patient_days": "diluted_patients"}
#: Titles and units of the daily columns that are not registered indicators.
LABELS = {
    "covid_icu_patients": ("COVID-19 patients in ICU", "patients"),
    "icu_patients": ("ICU patients", "patients"),
    "icu_nurses": ("ICU nurses on duty", "nurses (hours / 24)"),
    "unsafe_patients": ("Unsafe ICU patients", "patients beyond safe staffing"),
    "diluted_patients": ("ICU patients without a specialist nurse", "patients"),
    "covid_icu_admissions": ("COVID-19 ICU admissions", "admissions a day"),
    "n_sick": ("Staff off sick", "staff"),
    "n_left": ("Staff who left", "staff"),
    "n_total": ("Staff", "staff"),
    "homes": ("Nursing homes", "homes"),
    "homes_with_outbreak": ("Nursing homes with an outbreak", "homes"),
    "infected_residents": ("Residents infected (current)", "residents"),
    "elective_operations": ("Planned operations", "operations a day"),
    "care_debt_operations": ("Care debt", "operations postponed"),
    "staff_on_loan_in": ("Staff on loan in", "staff"),
    "pool_members_in": ("Pool members at work", "staff"),
    "upskilled_in_icu": ("ICU-upskilled staff in the ICU", "staff"),
    "recruits_working": ("Recruits working", "staff"),
    "nurses_per_patient": ("ICU nurses per ICU patient", "nurses per patient (effective)"),
    "fatigue_mean": ("Mean fatigue", "fatigue (0–1)"),
    "icu_staff_fatigue": ("ICU staff fatigue", "fatigue (0–1)"),
}
#: Every daily series ``plot`` draws (national unless marked region-only).
DAILY = (*COUNTS, "nurses_per_patient", "fatigue_mean", "icu_staff_fatigue", *RUNNING)
REGION_ONLY = ("icu_staff_fatigue",)  # a mean of ICU professions the national frames do not keep


def run_set(result: Result) -> figures.RunSet:
    """The frames a report draws, of one run (one strategy, one replication)."""
    from sim.experiment import national_daily, region_daily, unit_daily

    name = result.scenario.name
    ids = {"strategy": name, "replication": 0}
    events = result.events
    return figures.RunSet(
        title=name,
        strategies=[name],
        runs=result.summary.assign(**ids),
        national=national_daily(result.daily.icu, result.daily.staff).assign(**ids),
        regions=region_daily(result.daily).assign(**ids),
        units=unit_daily(result.daily.units).assign(**ids),
        loans=events.loans.assign(**ids) if events is not None else pd.DataFrame(),
        pool_deployments=events.pool_deployments.assign(**ids) if events is not None else pd.DataFrame(),
        min_nurse_ratio=result.scenario.safety.icu_min_nurse_ratio,
        scale=result.scenario.world.scale,
    )


def compare_set(comparison: CompareResult) -> figures.RunSet:
    """The frames a report draws, of a comparison."""
    first = comparison.scenarios[0]
    strategies = comparison.strategies
    return figures.RunSet(
        title=" vs ".join(strategies) if len(strategies) <= 3 else f"{len(strategies)} strategies",
        strategies=strategies,
        runs=comparison.runs,
        national=comparison.national_daily,
        regions=comparison.region_daily,
        units=comparison.unit_daily,
        loans=comparison.loans,
        pool_deployments=comparison.pool_deployments,
        comparison=comparison.comparison,
        min_nurse_ratio=first.safety.icu_min_nurse_ratio,
        scale=first.world.scale,
    )


def region_code(region: str) -> str:
    """A region's code from its code or name, any case (``"Västra Götaland"`` → ``vastra_gotaland``).

    Raises:
        ValueError: not a region; the message suggests the closest code.
    """
    regions = data.regions()
    by_key = {str(c).casefold(): str(c) for c in regions["code"]}
    by_key.update({str(n).casefold(): str(c) for n, c in zip(regions["name"], regions["code"], strict=True)})
    found = by_key.get(str(region).strip().casefold())
    if found is None:
        hint = suggest(str(region).casefold(), by_key) or f"; expected one of {', '.join(regions['code'])}"
        raise ValueError(f"unknown region '{region}'{hint}")
    return found


def _check_indicator(indicator: str, extra: tuple[str, ...] = ()) -> None:
    if indicator not in DAILY and indicator not in extra:
        names = [*DAILY, *extra]
        hint = suggest(indicator, names) or ""
        raise ValueError(
            f"unknown indicator '{indicator}' to plot{hint}; daily series: {', '.join(DAILY)}"
            + (f"; compared: {', '.join(extra)}" if extra else "")
        )


def _series(runs: figures.RunSet, indicator: str, region: str | None) -> pd.DataFrame:
    """Per strategy, replication and date: the indicator's daily value, national or in ``region``."""
    column = RUNNING.get(indicator, indicator)
    keys = ["strategy", "replication", "date"]
    if region is not None:
        frame = runs.regions[runs.regions["region"].astype(str) == region][[*keys, *_needs(column)]].copy()
    elif column in REGION_ONLY:
        raise ValueError(f"'{indicator}' is kept per region only; give region= (a region's code or name)")
    elif column in ("nurses_per_patient", "fatigue_mean"):
        frame = runs.national[[*keys, *_needs(column)]].copy()
    else:
        frame = figures._national(runs.regions, [column])
    if column == "nurses_per_patient":
        frame[column] = frame["icu_nurses"] / frame["icu_patients"].where(frame["icu_patients"] > 0)
    frame = frame.sort_values(keys)
    if indicator in RUNNING:
        frame[indicator] = frame.groupby(["strategy", "replication"], observed=True)[column].cumsum()
    return frame


def _needs(column: str) -> list[str]:
    return ["icu_nurses", "icu_patients"] if column == "nurses_per_patient" else [column]


def _label(indicator: str) -> tuple[str, str]:
    if indicator in LABELS:
        return LABELS[indicator]
    return registry.title(indicator), registry.unit(indicator)


def draw_series(runs: figures.RunSet, indicator: str, region: str | None = None, ax: plt.Axes | None = None) -> Figure:
    """One daily series per strategy (mean and the middle 95 % of replications), national or in one region."""
    frame = _series(runs, indicator, region)
    title, unit = _label(indicator)
    where = "Sweden" if region is None else str(data.regions().set_index("code").loc[region, "name"])
    counts = RUNNING.get(indicator, indicator) in COUNTS
    with figures.style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
        else:
            fig = ax.figure
        for strategy in runs.strategies:
            figures._band(ax, frame[frame["strategy"] == strategy], indicator, runs.colour(strategy), strategy)
        if indicator == "nurses_per_patient":
            ax.axhline(
                runs.min_nurse_ratio, color="0.3", linestyle="--", linewidth=1, label=f"minimum ratio 1:{1 / runs.min_nurse_ratio:g}"
            )
        ax.set_title(f"{title}, {where}" + (f" (world.scale {runs.scale:g})" if counts and runs.scale != 1 else ""))
        ax.set_ylabel(unit + (" (model scale)" if counts and runs.scale != 1 else ""))
        ax.set_ylim(bottom=0)
        figures._dates(ax)
        if len(runs.strategies) > 1 or indicator == "nurses_per_patient":
            ax.legend(loc="best")
    return fig


def _no_axes(ax: Any, what: str) -> None:
    if ax is not None:
        raise ValueError(f"{what} has several panels and cannot be drawn into one ax; give indicator= (one daily series) to draw into ax")


def plot_result(result: Result, indicator: str | None = None, region: str | None = None, ax: plt.Axes | None = None) -> Figure:
    """``Result.plot``: see its docstring."""
    if indicator is not None:
        _check_indicator(indicator)
    code = region_code(region) if region is not None else None
    runs = run_set(result)
    if indicator is None and code is None and ax is None:
        return figures.coverage_national(runs)
    return draw_series(runs, indicator or "nurses_per_patient", code, ax)


def plot_comparison(
    comparison: CompareResult, indicator: str | None = None, region: str | None = None, ax: plt.Axes | None = None
) -> Figure:
    """``CompareResult.plot``: see its docstring."""
    compared = tuple(comparison.indicators)
    if indicator is not None:
        _check_indicator(indicator, compared)
    code = region_code(region) if region is not None else None
    runs = compare_set(comparison)
    if code is None and (indicator is None or (indicator in compared and indicator not in DAILY)):
        _no_axes(ax, "the paired-difference figure")
        return figures.strategy_comparison(comparison.comparison, None if indicator is None else [indicator])
    if indicator is not None and indicator not in DAILY:
        raise ValueError(f"'{indicator}' is a summary of each run, not a daily series: it has no values per region")
    return draw_series(runs, indicator or "nurses_per_patient", code, ax)
