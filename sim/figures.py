"""Publication-quality figures of mobsim results (matplotlib, one consistent style).

Every function draws one figure from tidy frames and returns the ``matplotlib.figure.Figure``;
``save`` writes it as PNG and PDF. The frames are those a comparison keeps per run
(``sim.experiment``: ``national_daily``, ``region_daily``, ``unit_daily``, the events), each with
``strategy`` and ``replication`` columns; a single run is one strategy with one replication.
With more than one replication, lines are the mean over replications and bands hold the middle
95 % of them (2.5th to 97.5th percentile at each date).

::

    from sim.report import load
    runs = load("results/compare_sweden_spring2020_vs_no_action")
    fig = figures.coverage_national(runs)
    figures.save(fig, "docs/figures/coverage")      # coverage.png and coverage.pdf
    figures.coverage_national(runs, lang="sv")      # in Swedish: every text from the catalog sim.lang

Every function takes ``lang``, ``en`` (default) or ``sv``: titles, labels, legends and notes come from
``sim.lang``, numbers on axes and dates in that language's conventions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: figures are never shown on a screen here
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from sim import data
from sim import indicators as registry
from sim import lang as catalog  # the catalog; the functions' ``lang`` parameter is the language
from sim.categories import UNIT_KINDS
from sim.text import fmt_number, fmt_unit, full_scale_factor, scales, unit_kind, unit_label

#: The one style of every figure: readable at a paper's column width and on a screen.
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "0.9",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "pdf.fonttype": 42,  # TrueType in PDFs: editable text for journals
}
#: Colour-blind-safe palette (Okabe & Ito 2008), one colour per strategy in reading order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")
#: Plot style (label, colour) of the staff-count columns (``n_<status>``), in stacking order.
#: Not ``sim.categories.STATUSES``, the status codes themselves.
STATUS_STYLES = {
    "n_active": ("at work or available", "#8fbc8f"),
    "n_off_duty": ("on vacation or resting", "#c7e9c0"),
    "n_training": ("in training (courses, onboarding)", "#56B4E9"),
    "n_sick_other": ("sick, other causes", "#E69F00"),
    "n_sick_covid": ("sick, COVID-19", "#D55E00"),
    "n_sick_exhaustion": ("sick, exhaustion", "#CC79A7"),
    "n_left": ("left the profession", "#404040"),
    "n_reserve": ("recruits in reserve", "#d9d9d9"),
}
#: Deprecated: the old name of ``STATUS_STYLES``, kept for code that used it.
STATUSES = STATUS_STYLES
#: Titles and units of the summary indicators (from ``sim.indicators``, which the figures read; kept for code that imported it).
INDICATORS = {i.name: (i.title, i.unit) for i in registry.all() if "summary" in i.shown and not i.is_pattern}
#: Indicators a strategy comparison shows first (``sim.indicators.figure_priority()``; kept for code that imported it).
PRIORITY = registry.figure_priority()
BAND = (0.025, 0.975)


@dataclass
class RunSet:
    """What the figures draw: per-run tidy frames of one run or of a comparison.

    Attributes:
        title: what the runs are (a scenario name, or the strategies compared).
        strategies: strategy names in reading order (the first is the reference).
        runs: one summary row per run (strategy, replication, indicators).
        national: national values per run and date (``sim.experiment.national_daily``).
        regions: per run, date and region (``sim.regional.region_daily``).
        units: national hours per run, date and unit kind (``sim.experiment.unit_daily``).
        loans: every loan of every run (from_region, to_region, profession, count, days).
        pool_deployments: every pool arrival of every run (region, profession, count, days).
        comparison: the paired-difference table of a comparison (``sim.experiment.summarise``), if any.
        min_nurse_ratio: the scenario's minimum ICU nurses per patient (``safety.icu_min_nurse_ratio``).
        scale: the scenario's ``world.scale`` (counts are that share of Sweden's).
    """

    title: str
    strategies: list[str]
    runs: pd.DataFrame
    national: pd.DataFrame
    regions: pd.DataFrame
    units: pd.DataFrame
    loans: pd.DataFrame = field(default_factory=pd.DataFrame)
    pool_deployments: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparison: pd.DataFrame | None = None
    min_nurse_ratio: float = 0.5
    scale: float = 1.0

    @property
    def replications(self) -> int:
        """Replications per strategy (the smallest number if they differ)."""
        return int(self.runs.groupby("strategy", observed=True)["replication"].nunique().min())

    def colour(self, strategy: str) -> str:
        return PALETTE[self.strategies.index(strategy) % len(PALETTE)]

    def pick(self, strategy: str | None) -> str:
        """``strategy``, or the first one (a run's scenario, a comparison's reference)."""
        if strategy is None:
            return self.strategies[0]
        if strategy not in self.strategies:
            raise ValueError(f"unknown strategy '{strategy}'; expected one of {', '.join(self.strategies)}")
        return strategy


@contextmanager
def style() -> Iterator[None]:
    """The figures' matplotlib style, for drawing your own figures in the same look."""
    with plt.rc_context(STYLE):
        yield


def save(fig: Figure, stem: str | Path, formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.pdf`` (or ``formats``) and close it; returns the paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with plt.rc_context(STYLE):
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            fig.savefig(path, format=fmt)
            paths.append(path)
    plt.close(fig)
    return paths


# --------------------------------------------------------------------------- helpers


def _whole(value: float, lang: str) -> str:
    """A whole number with thousands separated (``1,234``; Swedish ``1 234``)."""
    return catalog.digits(f"{value:,.0f}", lang)


def _regions_by_population() -> pd.DataFrame:
    return data.regions().sort_values("population", ascending=False)


def _dates(ax: plt.Axes, maxticks: int = 7, lang: str = "en") -> None:
    locator = mdates.AutoDateLocator(minticks=min(3, maxticks), maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    if lang == catalog.DEFAULT:
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    else:
        ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: _date_tick(v, lang)))


def _date_tick(value: float, lang: str) -> str:
    """A date tick in ``lang`` (Swedish month names): the month on its first day (with the year in January), else day and month."""
    day = mdates.num2date(value)
    months = catalog.MONTHS_SV_SHORT
    if day.day == 1:
        return f"{months[day.month - 1]} {day.year}" if day.month == 1 else months[day.month - 1]
    return f"{day.day} {months[day.month - 1]}"


def _thousands(lang: str) -> ticker.FuncFormatter:
    """Whole numbers on an axis with thousands separated (``1,234``; Swedish ``1 234``)."""
    return ticker.FuncFormatter(lambda v, _: catalog.digits(f"{v:,.0f}", lang))


def _numbers(ax: plt.Axes, lang: str, axis: str = "y") -> None:
    """Decimal commas on a Swedish axis (English axes are left as matplotlib draws them)."""
    if lang != catalog.DEFAULT:
        getattr(ax, f"{axis}axis").set_major_formatter(ticker.FuncFormatter(lambda v, _: catalog.digits(f"{v:.6g}", lang)))


def _band(ax: plt.Axes, frame: pd.DataFrame, value: str, colour: str, label: str | None = None, **line) -> None:
    """Mean over replications of ``value`` by date, and the band of the middle 95 % of replications."""
    if frame.empty:
        return
    wide = frame.pivot_table(index="date", columns="replication", values=value, aggfunc="mean", observed=True).sort_index()
    mean = wide.mean(axis=1)
    ax.plot(mean.index, mean.to_numpy(), color=colour, label=label, linewidth=line.pop("linewidth", 1.6), **line)
    if wide.shape[1] > 1:
        low, high = wide.quantile(BAND[0], axis=1), wide.quantile(BAND[1], axis=1)
        ax.fill_between(mean.index, low.to_numpy(), high.to_numpy(), color=colour, alpha=0.2, linewidth=0)


def _national(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Sum per strategy, replication and date over regions (or unit kinds)."""
    return frame.groupby(["strategy", "replication", "date"], observed=True)[list(columns)].sum().reset_index()


def signed(value: float, lang: str = "en") -> str:
    """A difference for a label: thousands separated, three significant digits below 100 (``sim.text.fmt_number``)."""
    return catalog.number(float(value), lang, sign=True)


def _label(indicator: str, lang: str = "en") -> str:
    """An indicator's title and, on a second line, its unit as shown (``sim.indicators``, in Swedish ``sim.lang``;
    an unregistered column's name)."""
    if lang == "en":
        name, unit = registry.title(indicator), unit_label(registry.unit(indicator))
    else:
        name, unit = catalog.indicator_title(indicator, lang), catalog.indicator_unit(indicator, lang)
    return f"{name}\n({unit})" if unit else name


def _band_note(runs: RunSet, lang: str = "en") -> str:
    if runs.replications > 1:
        return catalog.t("figure.band_note", lang, n=runs.replications)
    return catalog.t("figure.one_replication_note", lang)


def _scale_note(runs: RunSet, lang: str = "en") -> str:
    """ " (at scale 0.2; full-scale equivalent ≈ ×5)" below full scale, else "" (``sim.lang``)."""
    if runs.scale >= 1.0:
        return ""
    factor = catalog.digits(fmt_number(full_scale_factor(runs.scale)), lang)
    return catalog.t("figure.scale_note", lang, scale=catalog.g(runs.scale, lang), factor=factor)


def _replications_note(runs: RunSet, lang: str) -> str:
    return catalog.t("figure.mean_of", lang, n=runs.replications) if runs.replications > 1 else catalog.t("figure.one_replication", lang)


def _panels(n: int, max_cols: int, width: float, height: float, sharey: bool = True, sharex: bool = False) -> tuple[Figure, np.ndarray]:
    """A grid of ``n`` panels (sharing the y axis unless ``sharey`` is False), at most ``max_cols`` wide, each ``width`` × ``height`` inches."""
    ncols = min(max_cols, max(1, n))
    nrows = -(-n // ncols)
    return plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows + 0.6), sharex=sharex, sharey=sharey, squeeze=False, layout="constrained"
    )


def _strategy_legend(fig: Figure, runs: RunSet, ncol: int | None = None) -> None:
    handles = [plt.Line2D([], [], color=runs.colour(s), linewidth=2) for s in runs.strategies]
    fig.legend(handles, runs.strategies, loc="outside lower center", ncol=ncol or min(4, len(handles)))


# --------------------------------------------------------------------------- time series


def coverage_national(runs: RunSet, lang: str = "en") -> Figure:
    """National ICU nurses per ICU patient and COVID ICU patients over time, per strategy."""
    with style():
        fig, (load, ratio) = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
        for strategy in runs.strategies:
            national = runs.national[runs.national["strategy"] == strategy]
            _band(load, national, "covid_icu_patients", runs.colour(strategy), strategy)
            _band(ratio, national, "nurses_per_patient", runs.colour(strategy), strategy)
        ratio.axhline(runs.min_nurse_ratio, color="0.3", linestyle="--", linewidth=1)
        ratio.annotate(
            catalog.t("figure.coverage.minimum", lang, ratio=catalog.g(1 / runs.min_nurse_ratio, lang)),
            (0.01, runs.min_nurse_ratio),
            xycoords=("axes fraction", "data"),
            xytext=(0, 3),
            textcoords="offset points",
            fontsize=7.5,
            color="0.3",
        )
        t = catalog.t
        patients = t("figure.coverage.patients", lang) + (t("figure.coverage.model_scale", lang) if runs.scale != 1 else "")
        load.set(title=t("figure.coverage.load_title", lang), ylabel=patients)
        ratio.set(title=t("figure.coverage.ratio_title", lang), ylabel=t("figure.coverage.ratio_label", lang))
        ratio.set_ylim(bottom=0)
        for ax in (load, ratio):
            _dates(ax, lang=lang)
            _numbers(ax, lang)
        ratio.legend(loc="lower left")
        fig.suptitle(t("figure.coverage.title", lang, title=runs.title, scale=_scale_note(runs, lang)), fontsize=11)
        fig.supxlabel(_band_note(runs, lang), fontsize=7.5, color="0.35")
    return fig


def coverage_regions(runs: RunSet, lang: str = "en") -> Figure:
    """ICU nurses per ICU patient over time in each of the 21 regions (largest first), per strategy."""
    regions = _regions_by_population()
    with style():
        fig, axes = plt.subplots(3, 7, figsize=(14, 6.2), sharex=True, sharey=True, layout="constrained")
        for ax, (code, row) in zip(axes.flat, regions.iterrows(), strict=False):
            frame = runs.regions[runs.regions["region"] == code]
            for strategy in runs.strategies:
                _band(ax, frame[frame["strategy"] == strategy], "nurses_per_patient", runs.colour(strategy), linewidth=1.2)
            ax.axhline(runs.min_nurse_ratio, color="0.3", linestyle="--", linewidth=0.8)
            ax.set_title(row["name"], fontsize=8.5)
            ax.set_ylim(0, 1.1)
            _dates(ax, lang=lang)
            _numbers(ax, lang)
        for ax in axes[:, 0]:
            ax.set_ylabel(catalog.t("figure.regions.ylabel", lang))
        _strategy_legend(fig, runs)
        fig.suptitle(catalog.t("figure.regions.title", lang, title=runs.title, note=_band_note(runs, lang)), fontsize=10)
    return fig


def has_admissions(runs: RunSet, strategy: str | None = None) -> bool:
    """Whether the runs of ``strategy`` (default: the runs' chosen one) carry COVID ICU admissions (demand source
    ``admissions``), which ``regional_admissions`` draws."""
    regions = runs.regions
    if "covid_icu_admissions" not in regions:
        return False
    mine = regions[regions["strategy"] == runs.pick(strategy)] if "strategy" in regions else regions
    return bool(mine["covid_icu_admissions"].notna().any())


def _weekly(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """Sums of ``value`` per replication and ISO week (Monday to Sunday, dated by the Monday), whole weeks only."""
    days = frame[["replication", "date", value]].copy()
    days["date"] = days["date"].dt.normalize()
    days["week"] = days["date"] - pd.to_timedelta(days["date"].dt.day_of_week, unit="D")
    sums = days.groupby(["replication", "week"], observed=True).agg(total=(value, "sum"), days=("date", "nunique")).reset_index()
    return sums[sums["days"] == 7].rename(columns={"week": "date", "total": value})


def regional_admissions(runs: RunSet, strategy: str | None = None, lang: str = "en") -> Figure:
    """Each region's observed weekly COVID ICU admissions against the simulated admissions and COVID ICU occupancy.

    One panel per region (largest first): the data's weekly admissions (bars; Folkhälsomyndigheten, ICU register SIR,
    ``sim.data.icu_admissions_weekly``), the run's weekly admissions (line, mean over replications with the band of the
    middle 95 %) and its COVID ICU patients (dashed line, same axis). Everything at full scale (model counts divided
    by ``world.scale``), over the whole ISO weeks of the run.

    Raises:
        ValueError: the runs carry no admissions (their demand source is not ``admissions``).
    """
    if not has_admissions(runs, strategy):
        raise ValueError("the runs carry no COVID ICU admissions: the figure needs demand.source = 'admissions'")
    strategy = runs.pick(strategy)
    frame = runs.regions[runs.regions["strategy"] == strategy]
    scale = runs.scale
    first, last = frame["date"].min(), frame["date"].max()
    observed = data.icu_admissions_weekly()
    observed = observed[(observed["week_start"] >= first) & (observed["week_start"] + pd.Timedelta(days=6) <= last)]
    regions = _regions_by_population()
    colour, occupancy_colour, bars = PALETTE[0], PALETTE[1], "0.72"
    with style():
        fig, axes = _panels(len(regions), max_cols=7, width=2.05, height=1.85, sharey=False, sharex=True)
        for ax, (code, row) in zip(axes.flat, regions.iterrows(), strict=False):
            mine = frame[frame["region"] == code]
            seen = observed[observed["code"] == code]
            ax.bar(seen["week_start"] + pd.Timedelta(days=3), seen["new_icu_admissions"], width=6, color=bars, linewidth=0)
            weekly = _weekly(mine, "covid_icu_admissions")
            weekly["covid_icu_admissions"] /= scale
            _band(ax, weekly, "covid_icu_admissions", colour, linewidth=1.1)
            daily = mine[["replication", "date", "covid_icu_patients"]].assign(covid_icu_patients=mine["covid_icu_patients"] / scale)
            _band(ax, daily, "covid_icu_patients", occupancy_colour, linewidth=1.0, linestyle="--")
            ax.set_title(row["name"], fontsize=8.5)
            ax.set_ylim(bottom=0)
            ax.margins(x=0.01)
            _dates(ax, maxticks=4, lang=lang)  # narrow panels: a tick every few months
            _numbers(ax, lang)
        for ax in axes.flat[len(regions) :]:
            ax.axis("off")
        for ax in axes[:, 0]:
            ax.set_ylabel(catalog.t("figure.admissions.ylabel", lang))
        handles = [
            plt.Rectangle((0, 0), 1, 1, color=bars),
            plt.Line2D([], [], color=colour, linewidth=2),
            plt.Line2D([], [], color=occupancy_colour, linewidth=2, linestyle="--"),
        ]
        labels = [catalog.t(f"figure.admissions.{key}", lang) for key in ("observed", "simulated", "occupancy")]
        fig.legend(handles, labels, loc="outside lower center", ncol=3)
        if scale == 1:
            note = catalog.t("figure.admissions.full_scale", lang)
        else:
            note = catalog.t("figure.admissions.full_scale_divided", lang, scale=catalog.g(scale, lang))
        fig.suptitle(catalog.t("figure.admissions.title", lang, strategy=strategy, note=note, bands=_band_note(runs, lang)), fontsize=10)
    return fig


def hours_by_unit_kind(runs: RunSet, strategy: str | None = None, lang: str = "en") -> Figure:
    """Required and supplied hours per day by unit kind, nationally; the gap is shaded."""
    strategy = runs.pick(strategy)
    units = runs.units[runs.units["strategy"] == strategy]
    present = set(units["unit_kind"].astype(str))
    kinds = [k for k in UNIT_KINDS if k in present]
    with style():
        ncols = 4
        nrows = -(-len(kinds) // ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(12, 2.6 * nrows + 0.6), sharex=True, squeeze=False, layout="constrained")
        colour = runs.colour(strategy)
        for ax, kind in zip(axes.flat, kinds, strict=False):
            frame = units[units["unit_kind"].astype(str) == kind]
            mean = frame.groupby("date", observed=True)[["required_hours", "supplied_hours"]].mean().sort_index()
            ax.fill_between(
                mean.index,
                mean["supplied_hours"],
                mean["required_hours"],
                where=mean["required_hours"] > mean["supplied_hours"],
                color="#D55E00",
                alpha=0.25,
                linewidth=0,
                label=catalog.t("figure.hours.gap", lang),
            )
            ax.plot(
                mean.index,
                mean["required_hours"],
                color="0.2",
                linestyle="--",
                linewidth=1.1,
                label=catalog.t("figure.hours.required", lang),
            )
            ax.plot(mean.index, mean["supplied_hours"], color=colour, linewidth=1.5, label=catalog.t("figure.hours.supplied", lang))
            ax.set_title(catalog.label("unit_kind", kind, lang))
            ax.yaxis.set_major_formatter(_thousands(lang))
            ax.set_ylim(bottom=0)
            _dates(ax, lang=lang)
        for ax in axes.flat[len(kinds) :]:
            ax.axis("off")
        for ax in axes[:, 0]:
            ax.set_ylabel(catalog.t("figure.hours.ylabel", lang))
        axes.flat[0].legend(loc="lower left")
        fig.suptitle(catalog.t("figure.hours.title", lang, strategy=strategy, scale=_scale_note(runs, lang)), fontsize=11)
    return fig


def staff_by_status(runs: RunSet, strategy: str | None = None, lang: str = "en") -> Figure:
    """Staff by status over time as stacked areas: everyone (left), everyone not at work or available (right)."""
    strategy = runs.pick(strategy)
    national = runs.national[runs.national["strategy"] == strategy]
    statuses = [s for s in STATUS_STYLES if s in national.columns]
    mean = national.groupby("date", observed=True)[statuses].mean().sort_index()
    with style():
        fig, (whole, away) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
        colours = [STATUS_STYLES[s][1] for s in statuses]
        whole.stackplot(mean.index, mean.T.to_numpy(), colors=colours, labels=[status_label(s, lang) for s in statuses], linewidth=0)
        rest = [s for s in statuses if s != "n_active"]
        away.stackplot(mean.index, mean[rest].T.to_numpy(), colors=[STATUS_STYLES[s][1] for s in rest], linewidth=0)
        staff = catalog.t("figure.status.ylabel", lang)
        whole.set(title=catalog.t("figure.status.all", lang), ylabel=staff)
        away.set(title=catalog.t("figure.status.away", lang), ylabel=staff)
        for ax in (whole, away):
            ax.yaxis.set_major_formatter(_thousands(lang))
            ax.margins(x=0)
            _dates(ax, lang=lang)
        fig.legend(*whole.get_legend_handles_labels(), loc="outside right center")
        note = _replications_note(runs, lang)
        fig.suptitle(catalog.t("figure.status.title", lang, strategy=strategy, note=note, scale=_scale_note(runs, lang)), fontsize=11)
    return fig


def status_label(column: str, lang: str = "en") -> str:
    """The label of a staff-count column (``n_<status>``) in ``lang`` (``STATUS_STYLES``' label in English)."""
    return STATUS_STYLES[column][0] if lang == catalog.DEFAULT else catalog.t(f"status.{column}", lang)


#: The statuses of ``icu_staff_by_status``: (column, label), stacked bottom up.
ICU_STAFF_STATUSES = (
    ("own", "own ICU staff and others at work"),
    ("trained", "ICU-upskilled (support nurses and assistants with ICU teams)"),
    ("on_loan", "on loan from other regions"),
    ("pool", "national pool members"),
    ("resting", "resting after a crisis-agreement placement"),
)


def icu_staff_by_status(result, region: str = "stockholm") -> pd.DataFrame:
    """One region's ICU staff per day by status (model scale): the columns of ``ICU_STAFF_STATUSES``.

    At work in the ICU (``daily.units``' ``staff_at_work``): ICU-upskilled nurses (``upskilled_in_icu``), staff on loan
    (``staff_on_loan_in``: loans are to ICUs) and national pool members in the ICU (``pool_members_in_icu``) of
    ``daily.regions``; the rest of those at work are the ICU's own staff and anyone else placed there. Not at work:
    staff resting after a crisis-agreement placement (``daily.icu``' ``agreement_staff_resting``).
    """
    units = result.daily.units
    at_work = units[(units["region"] == region) & (units["unit_kind"] == "icu")].groupby("date", observed=True)["staff_at_work"].sum()
    regions = result.daily.regions
    rows = regions[regions["region"] == region].set_index("date").reindex(at_work.index)
    icu = result.daily.icu
    icu_rows = icu[icu["region"] == region].set_index("date").reindex(at_work.index)
    table = pd.DataFrame(index=at_work.index)
    table["trained"] = rows["upskilled_in_icu"].astype(float)
    table["on_loan"] = rows["staff_on_loan_in"].astype(float)
    table["pool"] = rows["pool_members_in_icu"].astype(float)
    table["own"] = (at_work.astype(float) - table[["trained", "on_loan", "pool"]].sum(axis=1)).clip(lower=0.0)
    table["resting"] = icu_rows.get("agreement_staff_resting", 0.0)
    return table[[c for c, _ in ICU_STAFF_STATUSES]].fillna(0.0)


def icu_staff_at_work(result, region: str = "stockholm", lang: str = "en") -> Figure:
    """One run's staff of one region's ICU by status through a wave ("no cliffs", issue #14).

    Stacked areas of ``icu_staff_by_status``: at work (own staff, ICU-upskilled nurses, on loan, pool members), and
    on top, hatched, those resting after a crisis-agreement placement; the days the region's agreement is active
    (declared and not lifted) are shaded. A roster without cliffs shows no step down when placements end.
    Args: ``result``, a ``sim.Result``; ``region``, a region code.
    """
    table = icu_staff_by_status(result, region)
    icu = result.daily.icu
    active = icu[icu["region"] == region].set_index("date").reindex(table.index).get("agreement_active")
    with style():
        fig, ax = plt.subplots(figsize=(9, 3.8), layout="constrained")
        work = [c for c, _ in ICU_STAFF_STATUSES if c != "resting"]
        labels = (
            dict(ICU_STAFF_STATUSES) if lang == catalog.DEFAULT else {c: catalog.t(f"icu_status.{c}", lang) for c, _ in ICU_STAFF_STATUSES}
        )
        ax.stackplot(table.index, table[work].T.to_numpy(), labels=[labels[c] for c in work], linewidth=0)
        below = table[work].sum(axis=1)
        ax.fill_between(
            table.index, below, below + table["resting"], facecolor="none", edgecolor="#555555", hatch="///", linewidth=0,
            label=labels["resting"],
        )  # fmt: skip
        if active is not None:
            ax.fill_between(
                table.index, 0, 1, where=(active > 0).to_numpy(), transform=ax.get_xaxis_transform(), color="#000000", alpha=0.06,
                label=catalog.t("figure.icu_staff.active", lang),
            )  # fmt: skip
        scale = result.scenario.world.scale
        if scale == 1:
            shown = catalog.t("figure.icu_staff.full_scale", lang)
        else:
            shown = catalog.t("figure.icu_staff.scaled", lang, scale=catalog.g(scale, lang), factor=catalog.g(1 / scale, lang))
        where = region if lang == catalog.DEFAULT else catalog.region_name(region, lang)
        ax.set(ylabel=catalog.t("figure.status.ylabel", lang), title=catalog.t("figure.icu_staff.title", lang, region=where, shown=shown))
        ax.yaxis.set_major_formatter(_thousands(lang))
        ax.margins(x=0)
        _dates(ax, lang=lang)
        fig.legend(*ax.get_legend_handles_labels(), loc="outside right center")
    return fig


def fatigue_heatmap(runs: RunSet, strategy: str | None = None, lang: str = "en") -> Figure:
    """Mean fatigue by region and week: all staff present (left), ICU nurses and physicians (right)."""
    strategy = runs.pick(strategy)
    frame = runs.regions[runs.regions["strategy"] == strategy].copy()
    start = frame["date"].min()
    frame["week"] = (frame["date"] - start).dt.days // 7
    regions = _regions_by_population()
    weeks = sorted(frame["week"].unique())
    labels = [catalog.short_date(start + pd.Timedelta(days=7 * int(w)), lang) for w in weeks]
    panels = [("fatigue_mean", catalog.t("figure.fatigue.all", lang)), ("icu_staff_fatigue", catalog.t("figure.fatigue.icu", lang))]
    grids = {}
    for column, _ in panels:
        grid = frame.groupby(["region", "week"], observed=True)[column].mean().unstack("week")
        grids[column] = grid.reindex(index=regions.index, columns=weeks)
    top = max(float(np.nanmax(g.to_numpy())) for g in grids.values())
    with style():
        fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), sharey=True, layout="constrained")
        for ax, (column, title) in zip(axes, panels, strict=True):
            image = ax.imshow(grids[column].to_numpy(), aspect="auto", cmap="magma_r", vmin=0, vmax=top, interpolation="nearest")
            ax.set_title(title)
            step = max(1, len(weeks) // 10)
            ax.set_xticks(range(0, len(weeks), step), labels[::step], rotation=45, ha="right")
            ax.set_yticks(range(len(regions)), regions["name"])
            ax.grid(False)
            ax.set_xlabel(catalog.t("figure.fatigue.week", lang))
        bar = fig.colorbar(image, ax=axes, shrink=0.8, label=catalog.t("figure.fatigue.colorbar", lang))
        if lang != catalog.DEFAULT:
            bar.ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: catalog.digits(f"{v:.6g}", lang)))
        note = _replications_note(runs, lang)
        fig.suptitle(catalog.t("figure.fatigue.title", lang, strategy=strategy, note=note), fontsize=11)
    return fig


def _national_pair(runs: RunSet, panels: Sequence[tuple[str, str, str]], title: str, legend_on: int, lang: str = "en") -> Figure:
    """Two national series side by side, per strategy with bands: ``panels`` = (column, title, y label)."""
    national = _national(runs.regions, [column for column, _, _ in panels])
    with style():
        fig, axes = plt.subplots(1, len(panels), figsize=(10, 3.6), layout="constrained")
        for strategy in runs.strategies:
            frame = national[national["strategy"] == strategy]
            for ax, (column, _, _) in zip(axes, panels, strict=True):
                _band(ax, frame, column, runs.colour(strategy), strategy)
        for ax, (_, panel_title, ylabel) in zip(axes, panels, strict=True):
            ax.set(title=panel_title, ylabel=ylabel)
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(_thousands(lang))
            _dates(ax, lang=lang)
        axes[legend_on].legend(loc="upper left")
        fig.suptitle(catalog.t("figure.pair.title", lang, title=title, runs=runs.title, scale=_scale_note(runs, lang)), fontsize=11)
        fig.supxlabel(_band_note(runs, lang), fontsize=7.5, color="0.35")
    return fig


def nursing_home_outbreaks(runs: RunSet, lang: str = "en") -> Figure:
    """Nursing homes with an ongoing outbreak, and infected residents, nationally over time per strategy."""
    t = catalog.t
    panels = [
        ("homes_with_outbreak", t("figure.homes.outbreaks", lang), t("figure.homes.homes", lang)),
        ("infected_residents", t("figure.homes.infected", lang), t("figure.homes.residents", lang)),
    ]
    return _national_pair(runs, panels, t("figure.homes.title", lang), legend_on=0, lang=lang)


def care_debt(runs: RunSet, lang: str = "en") -> Figure:
    """Planned operations per day and the care debt (operations postponed, not yet caught up) over time."""
    t = catalog.t
    panels = [
        ("elective_operations", t("figure.care.operations", lang), t("figure.care.unit", lang)),
        ("care_debt_operations", t("figure.care.debt", lang), t("figure.care.unit", lang)),
    ]
    return _national_pair(runs, panels, t("figure.care.title", lang), legend_on=1, lang=lang)


# --------------------------------------------------------------------------- map


def loan_map(runs: RunSet, strategy: str | None = None, lang: str = "en") -> Figure:
    """Sweden's regions at their capitals, the region network, loans as arrows and pool arrivals as rings.

    Arrow width is proportional to staff-days on loan (staff × days, mean per replication);
    ring area to pool member-days received.
    """
    strategy = runs.pick(strategy)
    regions = data.regions()
    network = data.region_network()
    squash = np.cos(np.radians(62.0))  # degrees of longitude are shorter this far north
    x = regions["lon"] * squash
    y = regions["lat"]
    reps = max(1, runs.replications)
    loans = runs.loans
    flows = pd.Series(dtype=float)
    if not loans.empty and "from_region" in loans:
        mine = loans[loans["strategy"] == strategy]
        flows = (mine["count"] * mine["days"]).groupby([mine["from_region"], mine["to_region"]], observed=True).sum() / reps
        flows = flows[flows > 0]
    pool = pd.Series(dtype=float)
    deployments = runs.pool_deployments
    if not deployments.empty and "region" in deployments:
        mine = deployments[deployments["strategy"] == strategy]
        pool = (mine["count"] * mine["days"]).groupby(mine["region"], observed=True).sum() / reps
        pool = pool[pool > 0]
    with style():
        fig, ax = plt.subplots(figsize=(6.2, 8.6), layout="constrained")
        for a, b, attrs in network.edges(data=True):
            ax.plot([x[a], x[b]], [y[a], y[b]], color="0.75", linewidth=0.9, linestyle=":" if attrs.get("kind") == "sea" else "-", zorder=1)
        size = 12 + 180 * regions["population"] / regions["population"].max()
        ax.scatter(x, y, s=size, color="0.35", zorder=3, linewidth=0)
        if len(pool):
            ring = 60 + 900 * pool / pool.max()
            ax.scatter(x[pool.index], y[pool.index], s=ring, facecolor="none", edgecolor="#E69F00", linewidth=2, zorder=4)
        for code, row in regions.iterrows():
            ax.annotate(row["capital"], (x[code], y[code]), xytext=(4, 2), textcoords="offset points", fontsize=7, color="0.25", zorder=5)
        if len(flows):
            top = flows.max()
            for (a, b), value in flows.items():
                arrow = FancyArrowPatch(
                    (x[a], y[a]),
                    (x[b], y[b]),
                    connectionstyle="arc3,rad=0.2",
                    arrowstyle="-|>",
                    mutation_scale=8 + 10 * value / top,
                    linewidth=0.6 + 5 * value / top,
                    color="#0072B2",
                    alpha=0.85,
                    zorder=6,
                    shrinkA=4,
                    shrinkB=4,
                )
                ax.add_patch(arrow)
            loan_text = catalog.t("figure.loans.staff_days", lang, total=_whole(flows.sum(), lang), top=_whole(top, lang))
            loan_text += _full(flows.sum(), runs.scale, lang)
        else:
            loan_text = catalog.t("figure.loans.none", lang)
        if len(pool):
            pool_text = catalog.t("figure.loans.pool", lang, total=_whole(pool.sum(), lang)) + _full(pool.sum(), runs.scale, lang)
        else:
            pool_text = catalog.t("figure.loans.no_pool", lang)
        ax.set_aspect(1.0)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        legend = [
            plt.Line2D([], [], color="0.75", linewidth=1, label=catalog.t("figure.loans.border", lang)),
            plt.Line2D([], [], color="0.75", linewidth=1, linestyle=":", label=catalog.t("figure.loans.sea", lang)),
            plt.Line2D([], [], color="#0072B2", linewidth=3, label=loan_text),
            plt.Line2D([], [], marker="o", markerfacecolor="none", markeredgecolor="#E69F00", markersize=10, linestyle="", label=pool_text),
        ]
        ax.legend(handles=legend, loc="lower right", fontsize=7.5)
        per = catalog.t("figure.mean_per_replication" if reps > 1 else "figure.one_replication", lang)
        ax.set_title(catalog.t("figure.loans.title", lang, strategy=strategy, per=per) + _scale_note(runs, lang), fontsize=10)
    return fig


def _full(value: float, scale: float, lang: str = "en") -> str:
    """ ", ≈ 1,234 at full scale" for a count of a world below full scale; "" at full scale."""
    return "" if scale >= 1.0 else catalog.t("figure.full_scale_count", lang, value=_whole(value / scale, lang))


# --------------------------------------------------------------------------- experiments


def moved_indicators(comparison: pd.DataFrame) -> list[str]:
    """Indicators of a ``summarise`` table whose paired difference is not zero for some strategy, in table order."""
    moved = comparison.groupby("indicator", sort=False)["diff_mean"].apply(
        lambda s: bool(np.nanmax(np.abs(s.to_numpy(float)), initial=0) > 0)
    )
    return [i for i in pd.unique(comparison["indicator"]) if moved.get(i, False)]


def strategy_comparison(
    comparison: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    title: str | None = None,
    scale: float = 1.0,
    lang: str = "en",
) -> Figure:
    """One panel per indicator: each strategy's paired difference from the reference with its 95 % interval.

    Values are shown by unit (shares in %, money in MSEK, counts whole: ``sim.text.fmt_unit``).

    Args:
        comparison: ``sim.experiment.summarise`` output (strategy, indicator, diff_mean, diff_low, diff_high);
            the reference is the strategy whose differences are NaN.
        indicators: the panels (default: every indicator with a non-zero difference, at most 9).
        title: the figure title.
        scale: the runs' ``world.scale``: below 1 the title says so, and panels of counts and money give the
            full-scale equivalent of the largest difference.
    """
    strategies = list(pd.unique(comparison["strategy"]))
    reference, others = strategies[0], strategies[1:]
    if not others:
        raise ValueError("a strategy comparison needs at least two strategies")
    if indicators is None:
        present = moved_indicators(comparison)
        first = registry.figure_priority()
        indicators = ([i for i in first if i in present] + [i for i in present if i not in first])[:9]
    indicators = list(indicators)
    if not indicators:
        raise ValueError("no indicator differs between the strategies: there is no difference to draw")
    colours = {s: PALETTE[(i + 1) % len(PALETTE)] for i, s in enumerate(others)}
    y = np.arange(len(others))[::-1]
    with style():
        fig, axes = _panels(len(indicators), max_cols=3, width=4.0, height=0.35 * len(others) + 1.4)
        for ax, indicator in zip(axes.flat, indicators, strict=False):
            rows = comparison[comparison["indicator"] == indicator].set_index("strategy").reindex(others)
            mean, low, high = (rows[c].to_numpy(float) for c in ("diff_mean", "diff_low", "diff_high"))
            unit = registry.unit(indicator)
            ax.axvline(0, color="black", linewidth=1.1, zorder=2)
            for yi, strategy, m, lo, hi in zip(y, others, mean, low, high, strict=True):
                err = [[m - lo], [hi - m]] if np.isfinite(lo) else None
                ax.errorbar(m, yi, xerr=err, fmt="o", color=colours[strategy], markersize=5, capsize=3, elinewidth=1.4, zorder=3)
                ax.annotate(
                    catalog.digits(fmt_unit(m, unit, sign=True, suffix=False), lang),
                    (m, yi),
                    xytext=(0, 5),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                    color="0.2",
                )
            lo_all = np.nanmin(np.concatenate([low, mean, [0.0]]))
            hi_all = np.nanmax(np.concatenate([high, mean, [0.0]]))
            pad = 0.12 * (hi_all - lo_all or max(abs(hi_all), 1.0))
            ax.set_xlim(lo_all - pad, hi_all + pad)
            label = _label(indicator, lang)
            if scale < 1 and scales(unit) and np.isfinite(mean).any():
                biggest = mean[np.nanargmax(np.abs(mean))]
                full = catalog.digits(fmt_unit(biggest / scale, unit, sign=True, suffix=False), lang)
                label += "\n" + catalog.t("figure.at_full_scale", lang, value=full)
            ax.set_title(label, fontsize=9)
            ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=4))
            percent = unit_kind(unit) == "percent"  # shares: ticks in %
            ax.xaxis.set_major_formatter(
                ticker.FuncFormatter(lambda v, _, p=percent: catalog.digits(f"{100 * v:,.6g} %" if p else f"{v:,.6g}", lang))
            )
            ax.grid(axis="y", visible=False)
            ax.set_ylim(-0.7, len(others) - 0.3)
        for ax in axes.flat[len(indicators) :]:
            ax.axis("off")
        for ax in axes[:, 0]:
            ax.set_yticks(y, [s.replace("_", " ") for s in others])
        note = "\n" + catalog.scale_note(scale, lang) if scale < 1 else ""
        fig.suptitle((title or catalog.t("figure.comparison.title", lang, reference=reference)) + note, fontsize=11)
    return fig


def response_curves(runs: pd.DataFrame, parameters: Sequence[str], indicators: Sequence[str], lang: str = "en") -> Figure:
    """Each indicator against each varied parameter: mean over replications per design point, 95 % interval.

    With two parameters on a grid, the one with fewer values draws one line per value.

    Args:
        runs: a sweep store's runs (``sim.sweep.load_results``): point_id, replication, the parameters, the indicators.
        parameters: the varied parameters (column names).
        indicators: the indicators to draw (columns).
    """
    from sim.experiment import interval

    parameters, indicators = list(parameters), list(indicators)
    points = runs.groupby("point_id")
    stats = points[parameters].first()
    for indicator in indicators:
        values = points[indicator].apply(lambda s: interval(s.dropna().to_numpy(float)))
        stats[indicator] = values.map(lambda v: v[0])
        stats[f"{indicator}_low"] = values.map(lambda v: v[1])
        stats[f"{indicator}_high"] = values.map(lambda v: v[2])
    series = None
    numeric = [p for p in parameters if pd.api.types.is_numeric_dtype(stats[p])]
    if len(numeric) == 2 and len(stats) == stats[numeric[0]].nunique() * stats[numeric[1]].nunique():
        series = min(numeric, key=lambda p: stats[p].nunique())
        across = [p for p in numeric if p != series]
    else:
        across = numeric
    with style():
        fig, axes = plt.subplots(
            len(indicators),
            len(across),
            figsize=(3.8 * len(across) + 0.8, 2.7 * len(indicators) + 0.6),
            squeeze=False,
            layout="constrained",
        )
        for row, indicator in enumerate(indicators):
            for col, parameter in enumerate(across):
                ax = axes[row, col]
                groups = stats.groupby(series) if series else [(None, stats)]
                for i, (value, group) in enumerate(groups):
                    group = group.sort_values(parameter)
                    err = np.vstack([group[indicator] - group[f"{indicator}_low"], group[f"{indicator}_high"] - group[indicator]])
                    err = np.where(np.isfinite(err), err, 0.0)
                    ax.errorbar(
                        group[parameter],
                        group[indicator],
                        yerr=err,
                        fmt="o-" if series else "o",
                        color=PALETTE[i % len(PALETTE)],
                        markersize=3.5,
                        capsize=2,
                        linewidth=1.2,
                        label=f"{series.split('.')[-1]} = {catalog.g(value, lang)}" if series else None,
                    )
                _numbers(ax, lang)
                _numbers(ax, lang, "x")
                if col == 0:
                    ax.set_ylabel(_label(indicator, lang))
                if row == len(indicators) - 1:
                    ax.set_xlabel(parameter)
        if series:
            axes[0, 0].legend(loc="best")
        fig.suptitle(catalog.t("figure.response.title", lang), fontsize=11)
    return fig


def sensitivity_indices(table: pd.DataFrame, title: str | None = None, labels: dict[str, str] | None = None, lang: str = "en") -> Figure:
    """One panel per indicator: Sobol S1 and ST (or Morris μ* and σ) per parameter with 95 % intervals.

    Args:
        table: ``sim.sensitivity.analyse`` output (indicator, parameter, method, S1, S1_conf, ST, ST_conf
            or mu_star, mu_star_conf, sigma, and note).
        title: the figure title.
        labels: display names of the parameters (default: their scenario keys).
    """
    labels = labels or {}
    method = str(table["method"].iloc[0])
    if method == "sobol":
        t = catalog.t
        bars = [
            ("S1", "S1_conf", t("figure.sensitivity.s1", lang), "#0072B2"),
            ("ST", "ST_conf", t("figure.sensitivity.st", lang), "#D55E00"),
        ]
        axis = t("figure.sensitivity.sobol", lang)
    else:
        t = catalog.t
        bars = [
            ("mu_star", "mu_star_conf", t("figure.sensitivity.mu_star", lang), "#0072B2"),
            ("sigma", None, t("figure.sensitivity.sigma", lang), "#D55E00"),
        ]
        axis = t("figure.sensitivity.morris", lang)
    indicators = list(dict.fromkeys(table["indicator"]))
    parameters = list(dict.fromkeys(table["parameter"]))
    y = np.arange(len(parameters))
    height = 0.38
    with style():
        fig, axes = _panels(len(indicators), max_cols=2, width=5.0, height=0.32 * len(parameters) + 1.2)
        for ax, indicator in zip(axes.flat, indicators, strict=False):
            rows = table[table["indicator"] == indicator].set_index("parameter").reindex(parameters)
            for k, (value, conf, label, colour) in enumerate(bars):
                err = rows[conf] if conf else None
                ax.barh(y + (k - 0.5) * height, rows[value], height, xerr=err, color=colour, capsize=2, label=label)
            ax.axvline(0, color="black", linewidth=0.8)
            ax.set_title(catalog.indicator_title(indicator, lang))
            _numbers(ax, lang, "x")
            ax.set_yticks(y, [labels.get(p, p) for p in parameters])
            ax.invert_yaxis()
            ax.grid(axis="y", visible=False)
            note = rows["note"].dropna() if "note" in rows else pd.Series(dtype=str)
            note = note[note.astype(str) != ""]
            if len(note):
                ax.text(0.5, 0.5, str(note.iloc[0]), transform=ax.transAxes, ha="center", va="center", fontsize=8, wrap=True)
        for ax in axes.flat[len(indicators) :]:
            ax.axis("off")
        fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center", ncol=2, title=axis)
        fig.suptitle(title or catalog.t("figure.sensitivity.title", lang), fontsize=11)
    return fig
