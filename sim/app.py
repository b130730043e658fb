"""The dashboard: Mesa's SolaraViz page for the mobilisation model.

Start it with ``mobsim dashboard`` (or ``solara run sim/app.py``). It follows the layout of Mesa's
own examples (``mesa/examples/basic/boltzmann_wealth_model/app.py``): a model, ``model_params``
for the sliders, plot components and ``SolaraViz``. What it adds:

- a scenario picker (the files of ``scenarios/`` and ``scenarios/strategies/``). Picking a file
  builds its model and sets every lever slider to that file's value;
- sliders for the main levers, which take effect on **Reset** (Mesa builds a new model from them):
  national pool size (0 = no pool) and response time, the crisis agreement's weekly hours cap, the
  loan safety margin, nursing-home stable teams on/off, and the seed;
- live plots of ICU nurse coverage (national and worst region), staff by status and fatigue.

The model runs at a reduced ``world.scale`` (default 0.05: about 17,000 staff, a day in about
0.1 s) so that stepping stays interactive. ``mobsim dashboard`` passes the startup scenario,
scale and language in the environment variables ``MOBSIM_DASHBOARD_SCENARIO``,
``MOBSIM_DASHBOARD_SCALE`` and ``MOBSIM_DASHBOARD_LANG`` (``en`` or ``sv``: every label of the page
comes from the catalog ``sim.lang``; Mesa's own buttons, Step, Reset and Play, stay as Mesa draws them).

The same code runs on Mesa 3.3 and 3.5. The page's model class, ``DashboardModel``, takes only
named keyword parameters (no ``scenario`` parameter and no ``**kwargs``): Mesa 3.5's SolaraViz
passes its own ``mesa.experimental.scenarios.Scenario`` as ``scenario=`` on Reset to any model
that accepts one.
"""

from __future__ import annotations

import dataclasses
import html
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

# Mesa's own SolaraViz code trips Solara's rules-of-hooks checker at import (a harmless warning)
os.environ.setdefault("SOLARA_CHECK_HOOKS", "off")

import solara
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from sim import figures, lang
from sim.categories import LEFT, STATUSES
from sim.model import DEFAULT_SCENARIO, MobilisationModel
from sim.scenario import Scenario, ScenarioError, load_scenario

ENV_SCENARIO = "MOBSIM_DASHBOARD_SCENARIO"
ENV_SCALE = "MOBSIM_DASHBOARD_SCALE"
ENV_LANG = "MOBSIM_DASHBOARD_LANG"
#: Default ``world.scale`` of the dashboard: a day takes about 0.1 s.
DEFAULT_SCALE = 0.05
SCENARIOS_DIR = DEFAULT_SCENARIO.parent
#: Statuses drawn in the staff plot (the active majority and the reserve not in the workforce are left out).
STATUSES_SHOWN = ("sick_covid", "sick_other", "sick_exhaustion", "off_duty", "training", "left")
#: Regions with fewer ICU patients on a day do not decide the worst-region coverage (tiny regions at small scales).
MIN_REGION_PATIENTS = 1.0


# --------------------------------------------------------------------------- levers and the model


@dataclasses.dataclass(frozen=True)
class LeverSlider:
    """One lever the dashboard exposes: its slider and the scenario value it sets."""

    label: str
    key: str  # dotted scenario key
    kind: str  # SolaraViz input type: SliderInt, SliderFloat or Checkbox
    min: float = 0.0
    max: float = 0.0
    step: float = 1.0


LEVERS: dict[str, LeverSlider] = {
    "pool_size": LeverSlider("Pool size (0 = none)", "levers.national_pool.size", "SliderInt", 0, 3200, 100),
    "pool_response_days": LeverSlider("Pool response (days)", "levers.national_pool.response_days", "SliderInt", 0, 21, 1),
    "agreement_max_weekly_hours": LeverSlider("Agreement h/week", "levers.crisis_agreement.max_weekly_hours", "SliderFloat", 40, 60, 1),
    "loan_safety_margin": LeverSlider("Loan safety margin", "levers.loans.safety_margin", "SliderFloat", 0, 1, 0.05),
    "stable_teams": LeverSlider("Stable teams in nursing homes", "levers.nursing_home_measures.stable_teams", "Checkbox"),
}


def lever_overrides(**levers: Any) -> dict[str, Any]:
    """Scenario overrides (dotted keys) for lever values given by their dashboard names; None keeps the scenario's value.

    ``pool_size`` 0 switches the national pool off (keeping the scenario's unused size) and a positive size switches it on;
    ``stable_teams=True`` switches the nursing-home measures on (with the scenario's other measures).

    Raises:
        ScenarioError: for an unknown lever name.
    """
    overrides: dict[str, Any] = {}
    for name, value in levers.items():
        if name not in LEVERS:
            raise ScenarioError("dashboard", name, f"unknown lever; expected one of {', '.join(LEVERS)}")
        if value is None:
            continue
        if name == "pool_size" and isinstance(value, (int, float, np.integer)) and not isinstance(value, bool):
            overrides["levers.national_pool.enabled"] = value > 0
            if value == 0:  # no pool: the scenario's size stays (unused), so the scenario is unchanged
                continue
        overrides[LEVERS[name].key] = value
        if name == "stable_teams" and value is True:
            overrides["levers.nursing_home_measures.enabled"] = True
    return overrides


def lever_values(scenario: Scenario) -> dict[str, Any]:
    """The dashboard's lever values in a scenario (the sliders' starting positions)."""
    lv = scenario.levers
    return {
        "pool_size": lv.national_pool.size if lv.national_pool.enabled else 0,
        "pool_response_days": lv.national_pool.response_days,
        "agreement_max_weekly_hours": lv.crisis_agreement.max_weekly_hours,
        "loan_safety_margin": lv.loans.safety_margin,
        "stable_teams": lv.nursing_home_measures.enabled and lv.nursing_home_measures.stable_teams,
    }


class DashboardModel(MobilisationModel):
    """The mobilisation model as the dashboard builds it: a scenario file at a reduced scale, with lever values from sliders.

    Args:
        scenario_file: path of the scenario TOML file.
        scale: ``world.scale`` of the run (share of real staff, beds and patients).
        seed: seed of the run's random numbers.
        pool_size: national pool members at full scale; 0 switches the pool off. None keeps the scenario's.
        pool_response_days: days from a region's request to the pool's arrival. None keeps the scenario's.
        agreement_max_weekly_hours: the crisis agreement's cap on weekly hours of placed staff. None keeps the scenario's.
        loan_safety_margin: lenders keep forecast coverage of their own ICU at 1 + this. None keeps the scenario's.
        stable_teams: hourly nursing-home staff work in one home only (switches the nursing-home measures on). None keeps the scenario's.

    Raises:
        ScenarioError: naming the file or the key and what was expected, for a bad file or value.
    """

    def __init__(
        self,
        scenario_file: str = str(DEFAULT_SCENARIO),
        scale: float = DEFAULT_SCALE,
        seed: int = 0,
        pool_size: int | None = None,
        pool_response_days: int | None = None,
        agreement_max_weekly_hours: float | None = None,
        loan_safety_margin: float | None = None,
        stable_teams: bool | None = None,
    ) -> None:
        if stable_teams is False and not load_scenario(scenario_file).levers.nursing_home_measures.enabled:
            stable_teams = None  # the measures are off, so there are no stable teams: the scenario stays as it is
        overrides = lever_overrides(
            pool_size=pool_size,
            pool_response_days=pool_response_days,
            agreement_max_weekly_hours=agreement_max_weekly_hours,
            loan_safety_margin=loan_safety_margin,
            stable_teams=stable_teams,
        )
        overrides["world.scale"] = scale
        self.scenario_file = str(scenario_file)
        super().__init__(scenario=load_scenario(scenario_file, **overrides), seed=seed)


def model_params(scenario_file: str | Path, scale: float, scenario: Scenario | None = None, language: str = lang.DEFAULT) -> dict[str, Any]:
    """SolaraViz ``model_params`` for a scenario: fixed file and scale, a seed slider and the lever sliders at the file's values
    (labels in ``language``)."""
    scenario = scenario if scenario is not None else load_scenario(scenario_file, world__scale=scale)
    params: dict[str, Any] = {
        "scenario_file": str(scenario_file),
        "scale": scale,
        "seed": {"type": "SliderInt", "value": 0, "label": lang.t("dashboard.seed", language), "min": 0, "max": 99, "step": 1},
    }
    for name, value in lever_values(scenario).items():
        lever = LEVERS[name]
        label = lever.label if language == lang.DEFAULT else lang.t(f"dashboard.lever.{name}", language)
        if lever.kind == "Checkbox":
            params[name] = {"type": "Checkbox", "value": bool(value), "label": label}
        else:
            number = int if lever.kind == "SliderInt" else float
            params[name] = {
                "type": lever.kind,
                "value": number(min(max(value, lever.min), lever.max)),
                "label": label,
                "min": number(lever.min),
                "max": number(lever.max),
                "step": number(lever.step),
            }
    return params


# --------------------------------------------------------------------------- what the page offers


def startup() -> tuple[Path, float]:
    """The scenario file and scale the page starts with (from ``mobsim dashboard``'s environment variables).

    Raises:
        ScenarioError: for a scale that is not a number.
    """
    path = Path(os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO)
    raw = os.environ.get(ENV_SCALE) or str(DEFAULT_SCALE)
    try:
        scale = float(raw)
    except ValueError:
        raise ScenarioError(ENV_SCALE, "scale", f"expected a number in (0, 1], got {raw!r}") from None
    return path, scale


def language() -> str:
    """The page's language (``MOBSIM_DASHBOARD_LANG``, set by ``mobsim dashboard --lang``; default ``en``).

    Raises:
        ScenarioError: for a language that ``sim.lang`` does not have.
    """
    code = os.environ.get(ENV_LANG) or lang.DEFAULT
    if code not in lang.LANGS:
        raise ScenarioError(ENV_LANG, "lang", f"expected one of {', '.join(lang.LANGS)}, got {code!r}")
    return code


#: The page's language, read once as the page's module is loaded (one server serves one language).
LANG = language()


def scenario_choices(first: Path, scale: float) -> dict[str, Path]:
    """Scenario picker entries, label -> file: ``first``, then the valid files of ``scenarios/`` and ``scenarios/strategies/``.

    A file that does not validate is left out with a warning on stderr (``first`` must validate).
    """
    choices = {_label(first): first.resolve()}
    for path in sorted(SCENARIOS_DIR.glob("*.toml")) + sorted(SCENARIOS_DIR.glob("strategies/*.toml")):
        if path.resolve() in choices.values():
            continue
        try:
            load_scenario(path, world__scale=scale)
        except ScenarioError as exc:
            print(f"mobsim dashboard: warning: {exc}; left out of the scenario picker", file=sys.stderr)
            continue
        choices[_label(path)] = path.resolve()
    return choices


def _label(path: Path) -> str:
    try:
        return path.resolve().relative_to(SCENARIOS_DIR).with_suffix("").as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- plots


def coverage_series(model: MobilisationModel) -> dict[str, np.ndarray]:
    """ICU nurses per ICU patient by day so far: national, and the lowest of any region with at least one patient."""
    rec, n = model.recorder, model.recorder.days_recorded
    nurses, patients = rec.icu_nurse_hours[:n] / 24.0, rec.icu_patients[:n]
    total = patients.sum(axis=1)
    national = np.divide(nurses.sum(axis=1), total, out=np.full(n, np.nan), where=total > 0)
    ratio = np.divide(nurses, patients, out=np.full(patients.shape, np.inf), where=patients >= MIN_REGION_PATIENTS)
    worst = ratio.min(axis=1, initial=np.inf)
    return {"national": national, "worst region": np.where(np.isfinite(worst), worst, np.nan)}


def status_series(model: MobilisationModel) -> dict[str, np.ndarray]:
    """Staff by status by day so far (every status, summed over regions, employers and professions)."""
    rec, n = model.recorder, model.recorder.days_recorded
    counts = rec.status[:n].sum(axis=1)
    return {name: counts[:, i] for i, name in enumerate(STATUSES)}


def fatigue_series(model: MobilisationModel) -> dict[str, np.ndarray]:
    """Mean fatigue by day so far: ICU staff, ICU staff's sustained fatigue, and all staff who have not left."""
    rec, n = model.recorder, model.recorder.days_recorded
    counts = rec.status[:n]
    present = counts.sum(axis=(1, 2)) - counts[:, :, LEFT].sum(axis=1)
    all_staff = np.divide(rec.fatigue_sum[:n].sum(axis=1), present, out=np.full(n, np.nan), where=present > 0)
    return {"ICU staff": rec.icu_fatigue[:n, 0], "ICU staff, sustained": rec.icu_fatigue[:n, 1], "all staff": all_staff}


def _titles(series: str) -> tuple[str, str]:
    """Title and y label of a plot: the series' title and unit in ``sim.indicators`` (shown at "dashboard"), in the page's language."""
    return lang.indicator_title(series, LANG), lang.indicator_unit(series, LANG)


def _series_label(name: str) -> str:
    """A plotted series' legend entry in the page's language (the series functions name them in English)."""
    keys = {
        "national": "dashboard.national",
        "worst region": "dashboard.worst_region",
        "ICU staff": "dashboard.icu_staff",
        "ICU staff, sustained": "dashboard.icu_staff_sustained",
        "all staff": "dashboard.all_staff",
    }
    return lang.t(keys[name], LANG) if name in keys else name


def _figure(model: MobilisationModel, title: str, ylabel: str) -> tuple[Figure, Any, np.ndarray]:
    """A figure whose x axis spans the whole run by date, and the dates of the days recorded so far."""
    fig = Figure(figsize=(6.4, 3.6), dpi=80)
    fig.subplots_adjust(left=0.11, right=0.71, bottom=0.12, top=0.9)  # fixed margins: a constrained layout doubles the drawing time
    ax = fig.subplots()
    ax.set_title(title, fontsize=11)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    dates = np.asarray(model.dates, dtype="datetime64[D]")
    ax.set_xlim(dates[0], dates[-1])
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    if LANG == lang.DEFAULT:
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    else:
        figures._dates(ax, lang=LANG)
        figures._numbers(ax, LANG)
    return fig, ax, dates[: model.recorder.days_recorded]


def _plot(css_class: str, fig: Figure) -> solara.Element:
    with solara.Column(classes=["mobsim-plot", css_class]) as column:
        solara.FigureMatplotlib(fig, format="png")
    return column


def CoveragePlot(model: MobilisationModel) -> solara.Element:
    """ICU nurses per ICU patient, national and worst region, against the safety threshold."""
    fig, ax, days = _figure(model, *_titles("icu_nurse_coverage"))
    for name, values in coverage_series(model).items():
        ax.plot(days, values, label=_series_label(name), linestyle="-" if name == "national" else "--")
    threshold = model.config.safety.icu_min_nurse_ratio
    ax.axhline(threshold, color="tab:red", linewidth=1, label=lang.t("dashboard.safe_minimum", LANG, threshold=lang.g(threshold, LANG)))
    ax.set_ylim(bottom=0)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    return _plot("mobsim-coverage", fig)


def StaffStatusPlot(model: MobilisationModel) -> solara.Element:
    """Staff not at work, by status, stacked."""
    series = status_series(model)
    title, unit = _titles("staff_not_at_work")
    if len(series["active"]):
        active = f"{series['active'][-1]:,}" if LANG == lang.DEFAULT else lang.number(int(series["active"][-1]), LANG)
        title = lang.t("dashboard.status_title", LANG, title=title, active=active)
    else:
        title = lang.t("dashboard.status_empty", LANG)
    fig, ax, days = _figure(model, title, unit)
    ax.stackplot(
        days,
        *(series[s] for s in STATUSES_SHOWN),
        labels=[figures.status_label(f"n_{s}", LANG) for s in STATUSES_SHOWN],
        colors=[figures.STATUSES[f"n_{s}"][1] for s in STATUSES_SHOWN],  # the colours of the report's figures
    )
    ax.set_ylim(bottom=0)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    return _plot("mobsim-status", fig)


def FatiguePlot(model: MobilisationModel) -> solara.Element:
    """Mean fatigue of ICU staff and of all staff."""
    fig, ax, days = _figure(model, *_titles("fatigue_mean"))
    for name, values in fatigue_series(model).items():
        ax.plot(days, values, label=_series_label(name))
    ax.set_ylim(0, 1)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    return _plot("mobsim-fatigue", fig)


def ModelInfo(model: MobilisationModel) -> solara.Element:
    """The model's day and date, size and the lever values it runs with (read from the model, not the sliders)."""
    sc, day = model.config, model.day
    date = model.dates[min(day, model.n_days - 1)]
    lv = lever_values(sc)
    L = LANG

    def whole(value: int) -> str:
        return f"{value:,}" if L == lang.DEFAULT else lang.number(int(value), L)

    none = lang.t("dashboard.info.none", L)
    pool = lang.t("dashboard.info.pool_members", L, size=whole(lv["pool_size"]), days=lv["pool_response_days"]) if lv["pool_size"] else none
    on = ", ".join(sc.levers.enabled()) or none
    when = date if L == lang.DEFAULT else lang.date(date, L)
    day_row = lang.t(
        "dashboard.info.day",
        L,
        day=day,
        days=model.n_days,
        date=when,
        staff=whole(len(model.world.staff)),
        scale=lang.g(sc.world.scale, L),
        seed=model.seed,
    )
    levers = lang.t(
        "dashboard.info.levers",
        L,
        hours=lang.g(lv["agreement_max_weekly_hours"], L),
        margin=lang.g(lv["loan_safety_margin"], L),
        teams=lang.t("dashboard.info.on" if lv["stable_teams"] else "dashboard.info.off", L),
    )
    rows = [
        f"<b>{html.escape(sc.name)}</b> · {html.escape(day_row)}",
        lang.t("dashboard.info.pool", L, pool=f"<span class='mobsim-pool'>{html.escape(pool)}</span>"),
        html.escape(levers),
        lang.t("dashboard.info.levers_on", L, levers=html.escape(on)),
    ]
    # plain HTML, not solara.Markdown: Markdown asks the server for KaTeX from a CDN at every render
    return solara.HTML(tag="div", unsafe_innerHTML="".join(f"<p>{row}</p>" for row in rows), classes=["mobsim-info"])


COMPONENTS = [(ModelInfo, 0), (CoveragePlot, 0), (StaffStatusPlot, 0), (FatiguePlot, 0)]


# --------------------------------------------------------------------------- the page


@solara.component
def Page() -> None:
    """The dashboard page: a scenario picker above Mesa's SolaraViz (rebuilt with the picked file's lever values)."""
    first, scale = solara.use_memo(startup, [])
    choices = solara.use_memo(lambda: scenario_choices(first, scale), [])
    picked = solara.use_reactive(next(iter(choices)))
    path = choices[picked.value]
    scenario = solara.use_memo(lambda: load_scenario(path, world__scale=scale), [picked.value])
    model = solara.use_memo(lambda: DashboardModel(scenario_file=str(path), scale=scale), [picked.value])
    params = model_params(path, scale, scenario, LANG)
    with solara.Sidebar(), solara.Card(lang.t("dashboard.scenario", LANG)):
        solara.Select(lang.t("dashboard.scenario_file", LANG), values=list(choices), value=picked)
        solara.Text(scenario.description or "", style={"font-size": "0.85em"})
    # a new key when the file changes: SolaraViz starts afresh, its sliders at the file's values
    name = lang.t("dashboard.name", LANG)
    SolaraViz(model, components=list(COMPONENTS), model_params=params, name=name).key(f"viz-{picked.value}")
