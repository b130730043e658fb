"""Reports of a results folder: one self-contained HTML file (or a PDF) with figures, tables and provenance.

``mobsim report RESULTS_DIR`` reads what ``mobsim run``, ``mobsim compare`` or ``mobsim sweep``
wrote and makes ``RESULTS_DIR/report.html``: the key numbers in a few generated sentences, every
figure of ``sim.figures`` that the folder has data for (embedded as PNG, so the file opens
offline), the tables, and the scenario and manifest the numbers come from. ``--format pdf``
writes the same as a multi-page PDF (matplotlib's PDF backend, no extra dependency).

::

    from sim.report import write_report
    write_report("results/sweden_spring2020")                 # results/sweden_spring2020/report.html
    write_report("results/compare_a_vs_b", fmt="pdf", figures_dir="figs")   # also every figure as PNG and PDF
    write_report("results/sweden_spring2020", lang="sv")      # in Swedish (sim.lang): report.html in Swedish

Every text of the report comes from the catalog ``sim.lang`` (``lang="en"``, the default, or ``"sv"``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, ValidationError, field_validator

from sim import figures, lang
from sim import indicators as registry
from sim import lang as _catalog  # the module under another name where write_report's ``lang`` parameter hides it
from sim.errors import OptionError
from sim.lang import LANGS
from sim.regional import region_summary
from sim.results import Daily
from sim.scenario import ScenarioError
from sim.store import FolderError, atomic_file, check_folder, check_report_file, mobsim_version, owner, recover, save_folder
from sim.text import fmt_number, fmt_unit, full_scale, scale_note, unit_kind, unit_label

KINDS = ("run", "compare", "sweep")
RUN_FILES = ("units", "staff", "icu", "nursing_homes", "home_care", "regions")
COMPARE_FILES = ("runs", "comparison", "national_daily", "region_daily", "unit_daily", "loans", "pool_deployments")


@dataclass
class Figure:
    """One figure of a report: a file-name stem, a caption, and a function drawing it."""

    name: str
    caption: str
    draw: Callable[[], Any]


@dataclass
class Folder:
    """A results folder read for a report: its kind, manifest and the data the figures and tables need."""

    path: Path
    kind: str
    manifest: dict[str, Any]
    runs: figures.RunSet | None = None
    sweep_runs: pd.DataFrame | None = None
    parameters: list[str] | None = None
    indicators: list[str] | None = None
    sensitivity: pd.DataFrame | None = None

    @property
    def title(self) -> str:
        return self.title_in(lang.DEFAULT)

    def title_in(self, language: str) -> str:
        """The report's title in ``language`` (``sim.lang``)."""
        if self.kind == "run":
            return lang.t("report.title.run", language, name=self.manifest.get("scenario_name", self.path.name))
        if self.kind == "compare":
            return lang.t("report.title.compare", language, names=", ".join(self.manifest.get("strategies", [])))
        return lang.t("report.title.sweep", language, name=self.manifest.get("spec", {}).get("name", self.path.name))


# --------------------------------------------------------------------------- reading


def kind_of(folder: str | Path) -> str:
    """What wrote ``folder``: ``run``, ``compare`` or ``sweep``.

    Raises:
        ScenarioError: the folder does not exist or is not a mobsim results folder.
    """
    folder = Path(folder)
    return _kind(folder, _manifest(folder))


def _kind(folder: Path, manifest: dict[str, Any]) -> str:
    found = owner(folder)
    if found is None or found[0] not in KINDS:
        what = "a folder of figures" if found is not None else "not a mobsim manifest"
        raise ScenarioError(str(folder / "manifest.json"), "", f"{what} (expected one from 'mobsim run', 'compare' or 'sweep')")
    return found[0]


def _manifest(folder: Path) -> dict[str, Any]:
    recover(folder)  # a save killed between its two renames (where the atomic swap is missing) left it aside
    if not folder.is_dir():
        raise ScenarioError(str(folder), "", "not found; expected a results folder written by 'mobsim run', 'compare' or 'sweep'")
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ScenarioError(
            str(folder), "", "no manifest.json; expected a results folder written by 'mobsim run', 'compare' or 'sweep'"
        ) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(str(path), "", f"cannot be read as JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise ScenarioError(str(path), "", "expected a JSON object")
    return manifest


def _parquet(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.parquet"
    if not path.is_file():
        raise ScenarioError(
            str(folder), name, f"{path.name} is missing; the folder is incomplete or was written by an older mobsim (run it again)"
        )
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ScenarioError(str(path), "", f"cannot be read as Parquet ({type(exc).__name__}: {exc})") from None


class _Safety(BaseModel):
    icu_min_nurse_ratio: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] = 0.5


class _World(BaseModel):
    scale: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0


class _Scenario(BaseModel):
    """What a report reads of a manifest's resolved scenario (the rest is shown as it is)."""

    safety: _Safety = _Safety()
    world: _World = _World()


class _RunManifest(BaseModel):
    scenario_name: str
    scenario: _Scenario = _Scenario()


class _CompareManifest(BaseModel):
    strategies: Annotated[list[str], Field(min_length=1)]
    scenarios: dict[str, _Scenario] = {}


class _SweepManifest(BaseModel):
    spec: dict[str, Any] = {}
    indicators: list[str] | str = []

    @field_validator("spec")
    @classmethod
    def _parameters_table(cls, value: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(value.get("parameters") or {}, dict):
            raise ValueError("spec.parameters must be a table")
        return value


_MANIFESTS: dict[str, type[BaseModel]] = {"run": _RunManifest, "compare": _CompareManifest, "sweep": _SweepManifest}


def _checked(folder: Path, kind: str, manifest: dict[str, Any]) -> Any:
    """The manifest's values that the report reads, type-checked: a hand-edited manifest is one error line, not a traceback."""
    try:
        return _MANIFESTS[kind].model_validate(manifest, strict=False)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise ScenarioError(
            str(folder / "manifest.json"), key, f"{error['msg']}; the manifest was not written like this by mobsim (run the results again)"
        ) from None


def _safety(scenario: _Scenario) -> tuple[float, float]:
    return scenario.safety.icu_min_nurse_ratio, scenario.world.scale


def load(folder: str | Path) -> Folder:
    """Read a results folder for a report.

    Raises:
        ScenarioError: with the file and what is wrong, if the folder cannot be read.
    """
    try:
        return _load(Path(folder))
    except KeyError as exc:  # a file of the folder lacks a column the report needs
        raise ScenarioError(
            str(folder), "", f"a results file has no column {exc}; the folder is damaged or from another mobsim version (run it again)"
        ) from None


def _load(folder: Path) -> Folder:
    from sim.experiment import national_daily, region_daily, unit_daily

    manifest = _manifest(folder)
    kind = _kind(folder, manifest)
    checked = _checked(folder, kind, manifest)
    if kind == "run":
        frames = {name: _parquet(folder, name) for name in RUN_FILES}
        daily = Daily(**frames)
        name = checked.scenario_name
        ids = {"strategy": name, "replication": 0}
        summary = _parquet(folder, "summary").assign(**ids)
        events = {
            e: _parquet(folder, e).assign(**ids) if (folder / f"{e}.parquet").is_file() else pd.DataFrame()
            for e in ("loans", "pool_deployments")
        }
        ratio, scale = _safety(checked.scenario)
        runs = figures.RunSet(
            title=name,
            strategies=[name],
            runs=summary,
            national=national_daily(daily.icu, daily.staff).assign(**ids),
            regions=region_daily(daily).assign(**ids),
            units=unit_daily(daily.units).assign(**ids),
            min_nurse_ratio=ratio,
            scale=scale,
            **events,
        )
        return Folder(folder, kind, manifest, runs=runs)
    if kind == "compare":
        frames = {name: _parquet(folder, name) for name in COMPARE_FILES}
        strategies = checked.strategies
        missing = sorted(set(strategies) - set(frames["runs"]["strategy"].astype(str)))
        if missing:
            raise ScenarioError(str(folder / "runs.parquet"), "", f"has no runs of strategy '{missing[0]}' named in manifest.json")
        ratio, scale = _safety(checked.scenarios.get(strategies[0], _Scenario()))
        runs = figures.RunSet(
            title=" vs ".join(strategies) if len(strategies) <= 3 else f"{len(strategies)} strategies",
            strategies=strategies,
            runs=frames["runs"],
            national=frames["national_daily"],
            regions=frames["region_daily"],
            units=frames["unit_daily"],
            loans=frames["loans"],
            pool_deployments=frames["pool_deployments"],
            comparison=frames["comparison"],
            min_nurse_ratio=ratio,
            scale=scale,
        )
        return Folder(folder, kind, manifest, runs=runs)
    from sim.sweep import load_results

    spec = checked.spec
    sweep_runs = load_results(folder)
    if sweep_runs.empty:
        raise ScenarioError(str(folder), "runs", "the sweep has no finished runs yet; run 'mobsim sweep' (with --resume) first")
    parameters = list(spec.get("parameters") or {}) or (["variant"] if "variant" in sweep_runs else [])
    indicators = [i for i in checked.indicators if i in sweep_runs.columns] if isinstance(checked.indicators, list) else []
    sensitivity = pd.read_csv(folder / "sensitivity.csv") if (folder / "sensitivity.csv").is_file() else None
    return Folder(folder, kind, manifest, sweep_runs=sweep_runs, parameters=parameters, indicators=indicators, sensitivity=sensitivity)


# --------------------------------------------------------------------------- contents


def figure_list(folder: Folder, strategy: str | None = None, language: str = lang.DEFAULT) -> list[Figure]:
    """The figures a folder has data for, in report order.

    Args:
        folder: the results folder read by ``load``.
        strategy: the strategy of a comparison whose staff, fatigue, hours and loans are drawn (default the first).
        language: of the captions and the figures (``sim.lang``).

    Raises:
        ScenarioError: ``strategy`` is not one of the folder's strategies.
    """
    out: list[Figure] = []
    runs = folder.runs
    if runs is not None:
        if strategy is not None and strategy not in runs.strategies:
            raise OptionError("--strategy", "", f"'{strategy}' is not in {folder.path}; expected one of {', '.join(runs.strategies)}")
        main = runs.pick(strategy)
        L = language

        def cap(key: str, **values: str) -> str:
            return lang.t(f"caption.{key}", L, **values)

        out += [
            Figure("coverage_national", cap("coverage_national"), lambda: figures.coverage_national(runs, lang=L)),
            Figure("coverage_regions", cap("coverage_regions"), lambda: figures.coverage_regions(runs, lang=L)),
        ]
        if figures.has_admissions(runs, main):  # only runs whose demand is the regions' own admissions carry them
            out.append(
                Figure(
                    "regional_admissions",
                    cap("regional_admissions", strategy=main),
                    lambda: figures.regional_admissions(runs, main, lang=L),
                )
            )
        out += [
            Figure("hours_by_unit_kind", cap("hours_by_unit_kind", strategy=main), lambda: figures.hours_by_unit_kind(runs, main, lang=L)),
            Figure("staff_by_status", cap("staff_by_status", strategy=main), lambda: figures.staff_by_status(runs, main, lang=L)),
            Figure("fatigue_heatmap", cap("fatigue_heatmap", strategy=main), lambda: figures.fatigue_heatmap(runs, main, lang=L)),
            Figure("loan_map", cap("loan_map", strategy=main), lambda: figures.loan_map(runs, main, lang=L)),
            Figure("nursing_homes", cap("nursing_homes"), lambda: figures.nursing_home_outbreaks(runs, lang=L)),
            Figure("care_debt", cap("care_debt"), lambda: figures.care_debt(runs, lang=L)),
        ]
        if runs.comparison is not None and len(runs.strategies) > 1 and figures.moved_indicators(runs.comparison):
            comparison = runs.comparison
            out.append(
                Figure(
                    "strategy_comparison",
                    cap("strategy_comparison", reference=runs.strategies[0]),
                    lambda: figures.strategy_comparison(comparison, scale=runs.scale, lang=L),
                )
            )
    if folder.kind == "sweep":
        numeric = [p for p in folder.parameters or [] if p in folder.sweep_runs and pd.api.types.is_numeric_dtype(folder.sweep_runs[p])]
        if numeric and folder.indicators:
            shown = folder.indicators[:6]
            out.append(
                Figure(
                    "response_curves",
                    lang.t("caption.response_curves", language),
                    lambda: figures.response_curves(folder.sweep_runs, numeric, shown, lang=language),
                )
            )
        if folder.sensitivity is not None and not folder.sensitivity.empty:
            table = folder.sensitivity
            out.append(
                Figure("sensitivity", lang.t("caption.sensitivity", language), lambda: figures.sensitivity_indices(table, lang=language))
            )
    return out


def _fmt(value: Any, digits: int = 3, language: str = lang.DEFAULT) -> str:
    """A number in the report's sentences and tables (``sim.text.fmt_number``, in Swedish ``sim.lang.number``); anything else as text."""
    return fmt_number(value, digits) if language == lang.DEFAULT else lang.text_of(value, language, digits)


def key_numbers(folder: Folder, language: str = lang.DEFAULT) -> list[str]:
    """A few sentences with the key numbers of the folder, generated from its summary tables (in ``language``: ``sim.lang``)."""
    if folder.kind == "run":
        return _run_sentences(folder.runs.runs.iloc[0], folder.runs, language)
    if folder.kind == "compare":
        return _compare_sentences(folder.runs, language)
    return _sweep_sentences(folder, language)


def _run_sentences(s: pd.Series, runs: figures.RunSet, language: str = lang.DEFAULT) -> list[str]:
    get = s.get
    if language != lang.DEFAULT:
        return _run_sentences_in(s, runs, language)
    scale = runs.scale

    def v(name: str, default: Any = None, full: bool = True) -> str:
        """The summary's ``name`` by its unit (%, MSEK, whole counts), with its full-scale equivalent below scale 1."""
        value = get(name, default)
        unit = registry.unit(name)
        return fmt_unit(value, unit) + (full_scale(value, unit, scale) if full else "")

    note = f", {scale_note(scale)} (counts are that share of Sweden's)" if scale < 1 else ""
    ratio = runs.min_nurse_ratio
    staff = f"{v('staff_employed', full=False)} staff employed and {v('staff_in_reserve', full=False)} in reserve"
    out = [
        f"{get('scenario', runs.strategies[0])}, seed {_fmt(get('seed', 0))}, {_fmt(get('days'))} days, {staff}{note}.",
        f"COVID-19 ICU patients peaked at {v('peak_covid_icu_patients')} on {str(get('peak_covid_icu_date', ''))[:10]}; "
        f"nationally the ICUs had at worst {v('min_icu_nurse_coverage')} of the ICU-nurse hours they needed, and the worst "
        f"region-week {_worst_week(runs, get('worst_region_icu_nurse_ratio'))}. {v('unsafe_icu_patient_days')} ICU patient-days were "
        f"beyond the minimum ratio of 1:{1 / ratio:g} and {v('diluted_icu_patient_days')} were not covered one-to-one by a specialist "
        f"ICU nurse.",
        f"At most {v('icu_beds_open_max')} ICU beds were open; {v('icu_patient_days_above_open_beds')} ICU patient-days "
        f"were above the open beds and {v('icu_patient_days_above_staffed_beds')} above the staffed beds (open beds the ICU "
        f"nurses could give the minimum ratio); {v('patients_transferred')} ICU patients were moved to another region's ICU.",
        f"At the peak {v('peak_sick_share')} of staff were off sick; {v('staff_lost')} left the "
        f"profession; ICU staff fatigue at the end was {v('icu_staff_fatigue_end')} (0 % rested, 100 % exhausted).",
        f"{_april(s, runs)}the care debt at the end was {v('care_debt_end')} operations. {_fmt(get('regions_in_crisis_max'))} regions "
        f"were in crisis at once; {v('staff_loaned')} staff were loaned between regions ({v('loans_recalled', 0)} recalled by their "
        f"lender); {_pool(s, v)}.",
        f"{v('homes_with_outbreak')} nursing homes ({v('homes_with_outbreak_share')}) had an "
        f"outbreak; {v('resident_infections')} residents were infected, {v('nursing_home_introductions')} times brought in by staff.",
        f"Cost above normal payroll: {v('cost_total_msek')} (overtime {v('cost_overtime_msek', full=False)}, crisis pay "
        f"{v('cost_crisis_pay_msek', full=False)}, temps {v('cost_temps_msek', full=False)}, pool {v('cost_pool_msek', full=False)}, "
        f"patient transfers {v('cost_transfers_msek', full=False)}, travel and lodging {v('cost_travel_msek', 0, full=False)}).",
    ]
    if get("client_infections") is not None:  # results written before home care (issue #16) lack it
        out.append(
            f"{v('client_infections')} home-care clients were infected and {v('client_deaths')} died; "
            f"{v('missed_home_care_visits')} planned home-care visits ({v('missed_home_care_visit_share')}) were missed for want of staff."
        )
    lost = get("capacity_lost_to_fatigue_hours")  # only in runs where staff can be fatigued (fatigue.capacity_threshold < 1)
    if lost is not None and not pd.isna(lost):
        out.append(
            f"Fatigue cost {v('capacity_lost_to_fatigue_hours')} hours of care (the extra hours tired staff could no longer be asked "
            f"to work); {v('fatigued_icu_care_share')} of ICU care hours were given by fatigued staff, "
            f"{_fmt(get('fatigue_error_icu_patient_days'))} ICU patient-days of excess error risk (ICU patient-days times the "
            f"excess odds of an error in their care)."
        )
    response = get("response_cost_total_msek")  # only in runs asked for it (--response-cost)
    if response is not None and not pd.isna(response):
        normal = float(get("cost_total_msek", np.nan)) - float(response)
        out.append(
            f"Cost of the response (above the same run in a normal year without COVID, same seed): {v('response_cost_total_msek')}, "
            f"of which overtime {v('response_cost_overtime_msek', full=False)}; the other {fmt_unit(normal, 'MSEK')} above payroll "
            f"a normal year pays too (ordinary overtime)."
        )
    return out


def _april(s: pd.Series, runs: figures.RunSet) -> str:
    """ "Planned operations in April fell by 46 %; " or, for a run that does not cover April, "...: not in this period; "."""
    name = "elective_operations_april_change"
    value = s.get(name)
    days = int(s.get("days", 0) or 0)
    start = pd.to_datetime(runs.national["date"]).min() if "date" in runs.national and len(runs.national) else None
    if value is None or pd.isna(value) or (start is not None and not registry.in_period(name, start, days)):
        return "Planned operations in April: not in this period; "
    change = float(value)
    if change == 0:
        return "Planned operations in April did not change; "
    return f"Planned operations in April {'fell' if change < 0 else 'rose'} by {fmt_unit(abs(change), registry.unit(name))}; "


def _pool(s: pd.Series, v: Callable[..., str]) -> str:
    """The pool's arrivals and the distinct members they were."""
    return f"{v('pool_arrivals')} pool arrivals ({v('pool_members_deployed', 0)} distinct members)"


def _worst_region_week(runs: figures.RunSet) -> pd.Series | None:
    """The region summary's row of the run's worst region-week (``sim.regional``), or None: no such week, or a folder
    from an older mobsim that lacks a column the regions need."""
    try:
        rows = region_summary(runs).dropna(subset=["worst_week_icu_nurses_per_patient"])
    except (KeyError, ValueError, AttributeError):
        return None
    return None if rows.empty else rows.loc[rows["worst_week_icu_nurses_per_patient"].idxmin()]


def _worst_week(runs: figures.RunSet, value: Any) -> str:
    """ "0.544 ICU nurses per patient (Sörmland, week from 12 April 2020, ISO week 2020-W16)": the summary's worst region-week, named."""
    shown = fmt_unit(value, registry.unit("worst_region_icu_nurse_ratio"))
    if value is None or pd.isna(value):
        return "– (no region-week with 7 ICU patient-days or more)"
    worst = _worst_region_week(runs)
    if worst is None:  # the number alone
        return f"{shown} ICU nurses per patient"
    start = pd.Timestamp(worst["worst_week_start"])
    return (
        f"{shown} ICU nurses per patient ({worst['region_name']}, the week from {start.day} {start:%B %Y}, "
        f"ISO week {worst['worst_week_iso']})"
    )


def _run_sentences_in(s: pd.Series, runs: figures.RunSet, language: str) -> list[str]:
    """The run's sentences in another language than English (``sim.lang``'s ``sentence.run.*``): numbers in the
    language's conventions, counts with their full-scale equivalents below scale 1, the worst region-week named."""
    get = s.get
    L = language

    def n(value: Any) -> str:
        return _fmt(value, language=L)

    def c(name: str, default: Any = None) -> str:
        """A count of the summary, with its full-scale equivalent below scale 1 (as the English sentences')."""
        value = get(name, default)
        return n(value) + _full_scale_in(value, registry.unit(name), runs.scale, L)

    def worst(value: Any) -> str:
        """The worst region-week's value, with the region and ISO week (``_worst_region_week``)."""
        row = _worst_region_week(runs)
        return n(value) if row is None else f"{n(value)} ({row['region_name']}, {row['worst_week_iso']})"

    def pct(column: str) -> str:
        return n(100 * float(get(column, np.nan)))

    def t(key: str, **values: Any) -> str:
        return lang.t(f"sentence.run.{key}", L, **values)

    scale = "" if runs.scale == 1 else t("scale", scale=lang.g(runs.scale, L))
    ratio = runs.min_nurse_ratio
    peak_date = str(get("peak_covid_icu_date", ""))[:10] if L == lang.DEFAULT else lang.date(get("peak_covid_icu_date", ""), L)
    beds = {"beds": n(get("icu_beds_open_max")), "open": n(get("icu_patient_days_above_open_beds"))}
    beds["staffed"] = n(get("icu_patient_days_above_staffed_beds"))
    out = [
        t(
            "identity",
            scenario=get("scenario", runs.strategies[0]),
            seed=n(get("seed", 0)),
            days=n(get("days")),
            staff=n(get("staff_employed")),
            scale=scale,
        ),
        t(
            "icu",
            peak=c("peak_covid_icu_patients"),
            date=peak_date,
            coverage=pct("min_icu_nurse_coverage"),
            worst=worst(get("worst_region_icu_nurse_ratio")),
            unsafe=c("unsafe_icu_patient_days"),
            ratio=lang.g(1 / ratio, L),
            diluted=c("diluted_icu_patient_days"),
        ),
        t("beds", **beds),
        t("staff", sick=pct("peak_sick_share"), lost=c("staff_lost"), fatigue=n(get("icu_staff_fatigue_end"))),
        t(
            "levers",
            april=pct("elective_operations_april_change"),
            debt=c("care_debt_end"),
            crisis=n(get("regions_in_crisis_max")),
            loaned=c("staff_loaned"),
            recalled=n(get("loans_recalled", 0)),
            pool=c("pool_arrivals"),
        ),
        t("transfers", **beds, moved=c("patients_transferred")),
        t(
            "homes",
            homes=c("homes_with_outbreak"),
            share=pct("homes_with_outbreak_share"),
            residents=c("resident_infections"),
            introductions=n(get("nursing_home_introductions")),
        ),
        *(
            [
                t(
                    "home_care",
                    clients=c("client_infections"),
                    deaths=c("client_deaths"),
                    missed=c("missed_home_care_visits"),
                    share=pct("missed_home_care_visit_share"),
                )
            ]
            if get("client_infections") is not None  # results written before home care (issue #16) lack it
            else []
        ),
        t(
            "cost",
            total=n(get("cost_total_msek")),
            overtime=n(get("cost_overtime_msek")),
            crisis=n(get("cost_crisis_pay_msek")),
            temps=n(get("cost_temps_msek")),
            pool=n(get("cost_pool_msek")),
            transfers=n(get("cost_transfers_msek")),
            travel=n(get("cost_travel_msek", 0)),
        ),
    ]
    lost = get("capacity_lost_to_fatigue_hours")  # only in runs where staff can be fatigued (fatigue.capacity_threshold < 1)
    if lost is not None and not pd.isna(lost):
        out.append(t("fatigue", lost=n(lost), share=pct("fatigued_icu_care_share"), risk=n(get("fatigue_error_icu_patient_days"))))
    response = get("response_cost_total_msek")  # only in runs asked for it (--response-cost)
    if response is not None and not pd.isna(response):
        normal = float(get("cost_total_msek", np.nan)) - float(response)
        out.append(t("response", response=n(response), overtime=n(get("response_cost_overtime_msek")), normal=n(normal)))
    return out


def _full_scale_in(value: Any, unit: str, scale: float, language: str) -> str:
    """ " (≈ 1 234 i full skala)": ``sim.text.full_scale`` in ``language`` (counts only; "" for money, shares and at full scale)."""
    if not full_scale(value, unit, scale) or unit_kind(unit) == "money":
        return ""
    shown = lang.digits(fmt_unit(float(value) / float(scale), unit, suffix=False), language)
    return " " + lang.t("figure.at_full_scale", language, value=shown)


def _compare_sentences(runs: figures.RunSet, language: str = lang.DEFAULT) -> list[str]:
    table = runs.comparison
    reference = runs.strategies[0]
    L = language
    design = lang.t("sentence.compare.design", L, n=len(runs.strategies), replications=runs.replications, reference=reference)
    if runs.scale < 1:
        design = design.removesuffix(".") + "; " + lang.t("sentence.compare.scale", L, note=lang.scale_note(runs.scale, L))
    out = [design]
    if len(runs.strategies) > 1 and not figures.moved_indicators(table):
        out.append(lang.t("sentence.compare.identical", L, reference=reference))
        return out
    for strategy in runs.strategies[1:]:
        rows = table[(table["strategy"] == strategy) & np.isfinite(table["diff_low"].astype(float))]
        clear = rows[(rows["diff_low"] > 0) | (rows["diff_high"] < 0)]
        if clear.empty:
            out.append(lang.t("sentence.compare.none", L, strategy=strategy, reference=reference))
            continue
        parts = []
        for _, r in clear.head(6).iterrows():
            name = lang.lower_first(lang.indicator_title(r["indicator"], L), L)
            unit = registry.unit(r["indicator"])
            mean, low, high = (lang.digits(fmt_unit(r[c], unit, sign=True), L) for c in ("diff_mean", "diff_low", "diff_high"))
            better = registry.better(r["indicator"], float(r["diff_mean"]))  # the interval excludes 0, so the mean's sign is the interval's
            verdict = "" if better is None else lang.t("sentence.compare.better" if better else "sentence.compare.worse", L)
            full = full_scale(r["diff_mean"], unit, runs.scale).replace("at full scale", "for Sweden") if L == lang.DEFAULT else ""
            parts.append(f"{name} {mean} [{low}, {high}]{full}{verdict}")
        out.append(f"{strategy}: " + "; ".join(parts) + ".")
    return out


def _sweep_sentences(folder: Folder, language: str = lang.DEFAULT) -> list[str]:
    m = folder.manifest
    L = language

    def n(value: Any) -> str:
        return _fmt(value, language=L)

    out = [
        lang.t(
            "sentence.sweep.design",
            L,
            name=m.get("spec", {}).get("name", folder.path.name),
            design=m.get("design"),
            points=m.get("points"),
            replications=m.get("replications"),
            runs=m.get("runs"),
            done=m.get("runs_done", len(folder.sweep_runs)),
            failed=m.get("runs_failed", 0),
            varied=", ".join(folder.parameters or []) or lang.t("sentence.sweep.variants", L),
        )
    ]
    from sim.sweep import mean_by_point

    means = mean_by_point(folder.sweep_runs, folder.parameters or [], folder.indicators)
    for indicator in folder.indicators or []:
        column = means[indicator].astype(float)
        if column.notna().any():
            # the best point where the registry gives a direction; the lowest where it gives none
            highest = registry.lower_is_better(indicator) is False
            best = means.loc[column.idxmax() if highest else column.idxmin()]
            values = ", ".join(f"{p} = {n(best[p])}" for p in folder.parameters or [])
            where = lang.t("sentence.sweep.highest" if highest else "sentence.sweep.lowest", L)
            where += lang.t("sentence.sweep.best", L) if registry.lower_is_better(indicator) is not None else ""
            name = indicator if L == lang.DEFAULT else lang.indicator_title(indicator, L)
            unit = registry.unit(indicator)  # by its unit: shares in %, money in MSEK, counts whole
            low, high = (lang.digits(fmt_unit(x, unit), L) for x in (column.min(), column.max()))
            out.append(lang.t("sentence.sweep.indicator", L, indicator=name, low=low, high=high, where=where, values=values))
    if folder.sensitivity is not None and "ST" in folder.sensitivity:
        for indicator, rows in folder.sensitivity.groupby("indicator", sort=False):
            top = rows.sort_values("ST", ascending=False).iloc[0]
            name = indicator if L == lang.DEFAULT else lang.indicator_title(str(indicator), L)
            out.append(
                lang.t("sentence.sweep.sobol", L, indicator=name, parameter=top["parameter"], st=n(top["ST"]), conf=n(top["ST_conf"]))
            )
    return out


def tables(folder: Folder, language: str = lang.DEFAULT) -> list[tuple[str, pd.DataFrame]]:
    """The tables of the report: (title, frame), numbers as text for people (``sim.text.fmt_unit``; the files keep raw
    numbers); in Swedish with Swedish titles, headers, indicator names and numbers (``sim.lang``).

    A run's and a comparison's: the summary (or comparison), then the regions, worst first (``sim.regional``). Below
    ``world.scale`` 1 the titles say so, and a run's summary has a column of full-scale equivalents of counts and money.
    """
    L = language
    if folder.kind in ("run", "compare"):
        runs = folder.runs
        note = f" ({lang.scale_note(runs.scale, L)})" if runs.scale < 1 else ""
        try:
            regions = _regions_table(region_summary(runs), L)
        except KeyError:  # a folder from an older mobsim lacks a column the regions need: no regions table
            regions = pd.DataFrame()
    if folder.kind == "run":
        row = folder.runs.runs.drop(columns=["strategy", "replication"]).iloc[0]
        start = pd.to_datetime(runs.national["date"]).min() if "date" in runs.national and len(runs.national) else None
        days = int(row.get("days", 0) or 0)
        values, full = [], []
        for name, value in row.items():
            unit = registry.unit(str(name))
            missing = start is not None and not registry.in_period(str(name), start, days)
            values.append(lang.t("cli.not_in_period", L) if missing else fmt_unit(value, unit, suffix=False))
            full.append("" if missing else full_scale(value, unit, runs.scale).removeprefix(" (≈ ").removesuffix(" at full scale)"))
        summary = pd.DataFrame(
            {
                "title": [lang.indicator_title(c, L) for c in row.index],
                "value": [lang.digits(v, L) for v in values],
                "unit": [unit_label(registry.unit(c)) if L == lang.DEFAULT else lang.indicator_unit(c, L) for c in row.index],
            },
            index=row.index,
        )
        if runs.scale < 1:
            summary[lang.t("table.full_scale", L)] = [lang.digits(f, L) for f in full]
        out = [(lang.t("table.run_summary", L) + note, _headers(summary, L))]
        return out + ([(lang.t("table.regions", L) + note, regions)] if len(regions) else [])
    if folder.kind == "compare":
        table = _comparison_table(folder.runs.comparison, L)
        if L != lang.DEFAULT:
            table["indicator"] = [lang.indicator_title(i, L) for i in table["indicator"]]
        out = [(lang.t("table.comparison", L) + note, _headers(table.set_index(["strategy", "indicator"]), L))]
        return out + ([(lang.t("table.regions_compare", L) + note, regions)] if len(regions) else [])
    from sim.sweep import mean_by_point

    out = [(lang.t("table.sweep_means", L), _headers(mean_by_point(folder.sweep_runs, folder.parameters or [], folder.indicators), L))]
    if folder.sensitivity is not None:
        sensitivity = folder.sensitivity
        if L != lang.DEFAULT and "indicator" in sensitivity:
            sensitivity = sensitivity.assign(indicator=[lang.indicator_title(str(i), L) for i in sensitivity["indicator"]])
        out.append((lang.t("table.sensitivity", L), _headers(sensitivity, L)))
    return out


def _comparison_table(comparison: pd.DataFrame, language: str = lang.DEFAULT) -> pd.DataFrame:
    """The comparison with each row's numbers by its indicator's unit (%, MSEK, whole counts); indicators with no value left out."""
    table = comparison[comparison.groupby("indicator", sort=False)["mean"].transform(lambda m: m.notna().any())].copy()
    numbers = ["mean", "ci_low", "ci_high", "diff_mean", "diff_low", "diff_high"]
    shown = table[numbers].astype(object)
    for i, (_, r) in enumerate(table.iterrows()):
        unit = registry.unit(str(r["indicator"]))
        for c in numbers:
            shown.iat[i, numbers.index(c)] = lang.digits(fmt_unit(r[c], unit, sign=c.startswith("diff"), suffix=False), language)
    table[numbers] = shown
    units = [
        unit_label(registry.unit(str(i))) if language == lang.DEFAULT else lang.indicator_unit(str(i), language) for i in table["indicator"]
    ]
    table.insert(2, "unit", units)
    return table


def _regions_table(table: pd.DataFrame, language: str = lang.DEFAULT) -> pd.DataFrame:
    """The per-region summary for a report: titles as headings (``sim.regional.TITLES``; ``regions.*`` of ``sim.lang``
    in another language), numbers by unit, intervals as "mean [low, high]"."""
    from sim.regional import UNITS

    if table.empty:
        return table

    def title(column: str) -> str:
        return lang.t(f"regions.{column}", language)

    out = pd.DataFrame(index=table.index)
    if "strategy" in table:
        out[title("strategy")] = table["strategy"]
    out[title("region")] = table["region_name"]
    for column, unit in UNITS.items():
        shown = []
        for _, r in table.iterrows():
            text = fmt_unit(r[column], unit, suffix=False)
            if f"{column}_low" in r and r[f"{column}_low"] == r[f"{column}_low"]:
                text += f" [{fmt_unit(r[f'{column}_low'], unit, suffix=False)}, {fmt_unit(r[f'{column}_high'], unit, suffix=False)}]"
            shown.append(lang.digits(text, language))
        out[f"{title(column)} (%)" if unit_kind(unit) == "percent" else title(column)] = shown
        if column == "worst_week_icu_nurses_per_patient":
            for week in ("worst_week_start", "worst_week_iso"):
                out[title(week)] = [str(x) if x is not None and x == x else "–" for x in table[week]]
    return out.set_index([title("strategy"), title("region")] if "strategy" in table else title("region"))


def _headers(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """``frame`` with its column headers (and index names) in ``language``; unchanged in English."""
    if language == lang.DEFAULT:
        return frame
    out = frame.rename(columns=lambda c: lang.column(str(c), language))
    out.index = out.index.set_names([lang.column(str(n), language) if n is not None else None for n in out.index.names])
    return out


def _cells(frame: pd.DataFrame, language: str, digits: int = 4) -> pd.DataFrame:
    """Every number of ``frame`` as text in ``language`` (Swedish: decimal comma, spaces between thousands)."""
    return frame.map(lambda v: lang.text_of(v, language, digits) if not (isinstance(v, float) and v != v) else "–")


# --------------------------------------------------------------------------- writing


def rendered(folder: Folder, strategy: str | None = None, language: str = lang.DEFAULT) -> Iterator[tuple[Figure, Any]]:
    """Draw the figures one at a time (each is closed by whoever consumes it)."""
    for figure in figure_list(folder, strategy, language):
        yield figure, figure.draw()


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    with figures.style():
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; max-width: 1180px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
.meta { color: #666; font-size: 0.9em; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.9em; margin-top: 0.3em; }
table { border-collapse: collapse; font-size: 0.82em; margin: 1em 0; } th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; }
th { background: #f5f5f5; } td:first-child, th:first-child { text-align: left; }
details { margin: 1em 0; } pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 0.8em; }
ul.key li { margin: 0.35em 0; }
"""


def _html(folder: Folder, images: list[tuple[Figure, bytes]], language: str = lang.DEFAULT) -> str:
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    e = html.escape
    L = language
    title = folder.title_in(L)
    meta = lang.t(
        "report.meta",
        L,
        version=e(mobsim_version()),
        path=f"<code>{e(str(folder.path))}</code>",
        kind=e(folder.kind if L == lang.DEFAULT else lang.t(f"report.kind.{folder.kind}", L)),
        created=e(created),
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{L}"><head><meta charset="utf-8">',
        f"<title>{e(lang.t('report.document_title', L, title=title))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">{meta}</p>',
        f"<h2>{e(lang.t('report.heading.key_numbers', L))}</h2>",
        '<ul class="key">' + "".join(f"<li>{e(s)}</li>" for s in key_numbers(folder, L)) + "</ul>",
        f"<h2>{e(lang.t('report.heading.figures', L))}</h2>",
    ]
    for figure, png in images:
        data = base64.b64encode(png).decode("ascii")
        parts.append(
            f'<figure id="{e(figure.name)}"><img src="data:image/png;base64,{data}" alt="{e(figure.caption)}">'
            f"<figcaption>{e(figure.caption)}</figcaption></figure>"
        )
    parts.append(f"<h2>{e(lang.t('report.heading.tables', L))}</h2>")
    for table_title, frame in tables(folder, L):
        parts.append(f"<h3>{e(table_title)}</h3>")
        if L == lang.DEFAULT:
            parts.append(frame.to_html(float_format=lambda v: _fmt(v, 4), na_rep="–", border=0))
        else:
            parts.append(_cells(frame, L).to_html(na_rep="–", border=0))
    parts.append(f"<h2>{e(lang.t('report.heading.provenance', L))}</h2>")
    scenario = folder.manifest.get("scenario") or folder.manifest.get("scenarios") or folder.manifest.get("spec")
    if scenario is not None:
        resolved = e(lang.t("report.scenario_resolved", L))
        parts.append(f"<details><summary>{resolved}</summary><pre>{e(json.dumps(scenario, indent=2, default=str))}</pre></details>")
    manifest = {k: v for k, v in folder.manifest.items() if k not in ("scenario", "scenarios")}
    summary = e(lang.t("report.manifest", L))
    parts.append(f"<details open><summary>{summary}</summary><pre>{e(json.dumps(manifest, indent=2, default=str))}</pre></details>")
    parts.append("</body></html>")
    return "\n".join(parts)


#: The PDF report's pages (inches) and margins (points); its rcParams: TrueType fonts (Type 42) embedded whole,
#: so that copied text is the text (Type 3 fonts garble ligatures: "staffffatigue") and readers can search it.
A4_PORTRAIT = (8.27, 11.69)
A4_LANDSCAPE = (11.69, 8.27)
PDF_MARGIN = 40.0
PDF_RC = {"pdf.fonttype": 42, "ps.fonttype": 42, "pdf.use14corefonts": False, "text.usetex": False}
PDF_TABLE_CELL = 44  # characters a table cell keeps (longer names end in "…")


def _text_width(text: str, size: float, family: str, weight: str = "normal") -> float:
    """The width of ``text`` in points as matplotlib draws it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    if not text:
        return 0.0
    prop = FontProperties(family=family, size=size, weight=weight)
    return float(text_to_path.get_text_width_height_descent(text, prop, ismath=False)[0])


def wrap_to_width(text: str, width: float, size: float, family: str = "sans-serif", weight: str = "normal") -> list[str]:
    """``text`` broken into lines no wider than ``width`` points (at word boundaries; a longer word is cut)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if _text_width(candidate, size, family, weight) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while _text_width(word, size, family, weight) > width:  # a word wider than the line: cut it
                cut = len(word)
                while cut > 1 and _text_width(word[:cut], size, family, weight) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


class _Flow:
    """Text laid out down A4 pages of a PDF, a new page when one is full: the report's text, tables and provenance."""

    def __init__(self, pdf: Any, size: tuple[float, float] = A4_PORTRAIT) -> None:
        self.pdf = pdf
        self.width_pt, self.height_pt = size[0] * 72, size[1] * 72
        self.size = size
        self.page: Any = None
        self.y = 0.0
        self.usable = self.width_pt - 2 * PDF_MARGIN
        self.on_new_page: Callable[[], None] | None = None
        self.continued = False  # a table's later pages say "(continued)"

    def _new_page(self) -> None:
        import matplotlib.pyplot as plt

        self.finish()
        self.page = plt.figure(figsize=self.size)
        self.y = self.height_pt - PDF_MARGIN
        if self.on_new_page is not None:
            self.on_new_page()

    def _room(self, height: float) -> None:
        if self.page is None or self.y - height < PDF_MARGIN:
            self._new_page()

    def line(self, text: str, size: float, family: str = "sans-serif", weight: str = "normal") -> None:
        """One line, as it is (the caller has made it fit)."""
        height = size * 1.35
        self._room(height)
        self.page.text(
            PDF_MARGIN / self.width_pt, self.y / self.height_pt, text, va="top", ha="left", fontsize=size, family=family, weight=weight
        )
        self.y -= height

    def text(self, text: str, size: float = 9, family: str = "sans-serif", weight: str = "normal", after: float = 0.5) -> None:
        """A paragraph wrapped to the page's width, then ``after`` lines of space."""
        for line in wrap_to_width(text, self.usable, size, family, weight):
            self.line(line, size, family, weight)
        self.y -= after * size * 1.35

    def lines(self, lines: list[str], size: float = 7) -> None:
        """Preformatted lines in a fixed-width font, each wrapped to the page's width if longer."""
        fits = int(self.usable // _text_width("0", size, "monospace"))  # characters of a fixed-width line
        for text in lines:
            short = len(text) <= fits and text.isascii()
            for line in [text] if short else wrap_to_width(text, self.usable, size, "monospace"):
                self.line(line, size, "monospace")

    def table(self, title: str, frame: pd.DataFrame, keys: int, size: float = 6.5) -> None:
        """``frame`` (keys first) as fixed-width text: rows over as many pages as needed, the header repeated on each;
        columns that do not fit the page's width go to further parts, each with the key columns."""
        cells, right = _table_cells(frame)
        widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]))] if cells else []
        chars = int(self.usable // _text_width("0", size, "monospace"))
        parts = _column_parts(widths, keys, chars)
        for n, columns in enumerate(parts):
            label = title if len(parts) == 1 else f"{title} (part {n + 1} of {len(parts)}: columns {columns[keys] + 1}–{columns[-1] + 1})"

            def row(values: list[str], columns: list[int] = columns) -> str:
                return "  ".join(values[i].rjust(widths[i]) if right[i] else values[i].ljust(widths[i]) for i in columns).rstrip()

            header = [row(cells[0]), "-" * min(chars, len(row(cells[0])))]

            def heading(label: str = label, header: list[str] = header) -> None:
                self.text(label + (" (continued)" if self.continued else ""), size=9, weight="bold", after=0.3)
                for line in header:
                    self.line(line, size, "monospace")

            self.continued = False
            self.on_new_page = heading
            self._new_page()
            self.continued = True
            for values in cells[1:]:
                self.line(row(values), size, "monospace")
            self.on_new_page = None

    def finish(self) -> None:
        import matplotlib.pyplot as plt

        if self.page is not None:
            self.pdf.savefig(self.page)
            plt.close(self.page)
            self.page = None


def _table_cells(frame: pd.DataFrame) -> tuple[list[list[str]], list[bool]]:
    """A table as rows of strings (the header first) and whether each column is right-aligned (numbers)."""
    frame = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    names = [str(c) for c in frame.columns]
    right = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]

    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
            return "–"
        text = _fmt(v, 4) if isinstance(v, int | float | np.number) and not isinstance(v, bool) else str(v)
        text = " ".join(text.split())
        return text if len(text) <= PDF_TABLE_CELL else text[: PDF_TABLE_CELL - 1] + "…"

    rows = [[cell(v) for v in record] for record in frame.itertuples(index=False, name=None)]
    return [names, *rows], right


def _column_parts(widths: list[int], keys: int, chars: int) -> list[list[int]]:
    """The columns of each part of a table that is wider than ``chars``: the key columns and as many others as fit."""
    keys = min(keys, len(widths))
    base = list(range(keys))
    used = sum(widths[:keys]) + 2 * keys
    parts: list[list[int]] = []
    current: list[int] = []
    width = used
    for i in range(keys, len(widths)):
        if current and width + widths[i] > chars:
            parts.append(base + current)
            current, width = [], used
        current.append(i)
        width += widths[i] + 2
    if current or not parts:
        parts.append(base + current)
    return parts


def _pdf_tables(folder: Folder, language: str = lang.DEFAULT) -> list[tuple[str, pd.DataFrame, int]]:
    """The report's tables for the PDF: (title, frame with its key columns first, how many key columns)."""
    out = []
    for title, frame in tables(folder, language):
        if folder.kind == "run":
            out.append((title, frame.rename_axis("indicator").reset_index(), 1))
        elif folder.kind == "compare":
            out.append((title, frame.reset_index(), 2))
        elif "point_id" in frame.columns:
            keys = 1 + sum(1 for c in (folder.parameters or []) if c in frame.columns)
            out.append((title, frame, keys))
        else:
            out.append((title, frame, 2 if {"indicator", "parameter"} <= set(frame.columns) else 1))
    return out


def provenance_facts(folder: Folder) -> list[tuple[str, str]]:
    """What the numbers come from, as (item, text): scenario(s), seed(s), replications, scale, version, time."""
    m = folder.manifest
    facts: list[tuple[str, str]] = [("results", f"{folder.path} ({folder.kind})")]
    scale = folder.runs.scale if folder.runs is not None else None
    if folder.kind == "run":
        facts += [("scenario", str(m.get("scenario_name", ""))), ("seed", str(m.get("seed", "")))]
    elif folder.kind == "compare":
        seeds = m.get("seeds") or []
        facts += [
            ("strategies", ", ".join(m.get("strategies", []))),
            ("reference", str(m.get("reference", ""))),
            ("replications", str(m.get("replications", ""))),
            ("seeds", f"{seeds[0]}–{seeds[-1]}" if len(seeds) > 1 else ", ".join(map(str, seeds))),
        ]
    else:
        spec = m.get("spec", {})
        facts += [
            ("experiment", str(spec.get("name", ""))),
            ("experiment file", str(m.get("experiment_file", ""))),
            ("scenario", str(spec.get("scenario", ""))),
            ("replications", str(m.get("replications", ""))),
            ("seed", f"{m.get('seed', '')} (replication r uses seed + r)"),
        ]
        overrides = spec.get("set") or {}
        if isinstance(overrides, dict) and "world.scale" in overrides:
            scale = overrides["world.scale"]
    if scale is not None:
        try:
            s = float(scale)
            note = "full scale" if s >= 1 else f"counts are that share of Sweden's; full-scale ≈ ×{1 / s:.4g}"
            facts.append(("world.scale", f"{s:g} ({note})"))
        except (TypeError, ValueError):
            pass
    sha = m.get("scenario_sha256") or m.get("experiment_sha256")
    if isinstance(sha, dict):
        facts += [(f"scenario sha256 {k}", str(v)) for k, v in sha.items()]
    elif sha:
        facts.append(("sha256", str(sha)))
    facts += [
        ("mobsim version", str(m.get("mobsim_version", ""))),
        ("results written (UTC)", str(m.get("created_utc") or m.get("finished_utc") or m.get("started_utc") or "")),
        ("report by", f"mobsim {mobsim_version()}, {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}"),
    ]
    return facts


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested values as {dotted key: value} (lists of tables by index)."""
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flat(value, f"{prefix}{key}."))
        return out
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        out = {}
        for index, item in enumerate(data):
            out.update(_flat(item, f"{prefix}{index}."))
        return out
    return {prefix.rstrip("."): data}


def _scenario_lines(folder: Folder) -> list[str]:
    """The scenario(s) behind the numbers: a run's as TOML; a comparison's reference as TOML and, for the other
    strategies, the values that differ from it; a sweep's experiment (its spec)."""
    from sim.workbook import toml_text

    m = folder.manifest
    if isinstance(m.get("scenario"), dict):
        return toml_text(m["scenario"]).splitlines()
    scenarios = m.get("scenarios")
    if isinstance(scenarios, dict) and scenarios:
        names = list(scenarios)
        reference = scenarios[names[0]]
        lines = [f"# {names[0]} (the reference), resolved values", *toml_text(reference).splitlines()]
        base = _flat(reference)
        for name in names[1:]:
            other = _flat(scenarios[name])
            changed = [k for k in sorted(set(base) | set(other)) if base.get(k) != other.get(k)]
            lines += ["", f"# {name}: values that differ from {names[0]}"]
            lines += [f"{k} = {json.dumps(other.get(k), ensure_ascii=False, default=str)}" for k in changed] or ["(none)"]
        return lines
    spec = m.get("spec")
    if isinstance(spec, dict):
        return toml_text(spec).splitlines()
    return []


def _pdf(
    folder: Folder, path: Path, strategy: str | None, keep: Callable[[Figure, Any, bytes | None], None], language: str = lang.DEFAULT
) -> None:
    """The PDF report: key numbers, figures, tables (paginated, the header repeated), provenance; TrueType fonts."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    # the rcParams are in force until the file is closed: fonts are embedded (as TrueType) when it is
    with figures.style(), plt.rc_context(PDF_RC), PdfPages(path) as pdf:
        L = language
        flow = _Flow(pdf)
        flow.text(folder.title_in(L), size=15, weight="bold")
        flow.text(lang.t("report.pdf_meta", L, version=mobsim_version(), path=folder.path), size=8)
        flow.text(lang.t("report.heading.key_numbers", L), size=11, weight="bold", after=0.3)
        for sentence in key_numbers(folder, L):
            flow.text(sentence, size=9)
        flow.text("Provenance", size=11, weight="bold", after=0.3)
        for item, value in provenance_facts(folder):
            flow.text(f"{item}: {value}", size=8, after=0.1)
        flow.finish()
        for figure, fig in rendered(folder, strategy, L):
            keep(figure, fig, None)  # first: its PNG is then the same as the HTML report's
            pdf.savefig(fig)
            plt.close(fig)
        for title, frame, keys in _pdf_tables(folder, L):
            wide = _Flow(pdf, A4_LANDSCAPE)
            wide.table(title, frame, keys)
            wide.finish()
        flow = _Flow(pdf)
        flow.text(lang.t("report.heading.provenance", L), size=11, weight="bold", after=0.3)
        flow.text(lang.t("report.manifest", L), size=10, weight="bold", after=0.2)
        manifest = {k: v for k, v in folder.manifest.items() if k not in ("scenario", "scenarios")}
        flow.lines(json.dumps(manifest, indent=1, default=str, ensure_ascii=False).splitlines())
        scenario = _scenario_lines(folder)
        if scenario:
            flow.text("", size=4)
            flow.text(
                lang.t("report.scenario_resolved", L) if folder.kind != "sweep" else "Experiment (resolved)",
                size=10,
                weight="bold",
                after=0.2,
            )
            flow.lines(scenario)
        flow.finish()
        info = pdf.infodict()
        info["Title"] = lang.t("report.document_title", L, title=folder.title_in(L))
        info["Creator"] = f"mobsim {mobsim_version()}"


def write_report(
    results: str | Path,
    out: str | Path | None = None,
    fmt: str = "html",
    figures_dir: str | Path | None = None,
    strategy: str | None = None,
    lang: str = lang.DEFAULT,
) -> Path:
    """Write the report of a results folder; returns its path.

    Args:
        results: a folder written by ``mobsim run``, ``compare`` or ``sweep``.
        out: the report file (default ``results/report.html`` or ``report.pdf``).
        fmt: ``html`` (one self-contained file, figures embedded) or ``pdf``.
        figures_dir: also write every figure there as PNG and PDF.
        strategy: in a comparison, the strategy whose staff, fatigue, hours and loans are drawn (default the first).
        lang: the language of the report and its figures, ``en`` (default) or ``sv`` (``sim.lang``).

    The report is written to a temporary file beside ``out`` and moved into place at the end,
    so an interrupted report leaves no half-written file. It replaces only a report that mobsim
    wrote, and ``figures_dir`` is a folder that mobsim owns (``sim.store``): new, empty, or
    written by an earlier ``--figures``; other files there stay.

    Raises:
        ScenarioError: the folder cannot be read, ``fmt`` is unknown, or ``out`` or ``figures_dir``
            is a file or folder that mobsim must not write.
    """
    language = lang
    if fmt not in ("html", "pdf"):
        raise OptionError("--format", "", f"expected html or pdf, got '{fmt}'")
    if language not in LANGS:
        raise OptionError("--lang", "", f"expected one of {', '.join(LANGS)}, got '{language}'")
    folder = load(results)
    figure_list(folder, strategy, language)  # an unknown strategy is refused before anything is written
    given = Path(out) if out is not None else folder.path / f"report.{fmt}"
    try:
        target = check_report_file(given, is_report)
    except FolderError as exc:
        raise OptionError("--out", str(given), str(exc)) from None
    if figures_dir is not None:
        try:
            check_folder(figures_dir, "figures")
        except FolderError as exc:
            raise OptionError("--figures", str(figures_dir), str(exc)) from None

    def write(staging: Path | None) -> None:
        """Write the report; with a staging folder, also every figure there as PNG and PDF."""

        def keep(figure: Figure, fig: Any, png: bytes | None) -> None:
            if staging is None:
                return
            stem = staging / figure.name
            if png is None:
                figures.save(fig, stem)
                return
            stem.with_suffix(".png").write_bytes(png)
            figures.save(fig, stem, formats=("pdf",))

        def report(path: Path) -> None:
            if fmt == "html":
                import matplotlib.pyplot as plt

                images = []
                for figure, fig in rendered(folder, strategy, language):
                    images.append((figure, _png(fig)))
                    keep(figure, fig, images[-1][1])
                    plt.close(fig)
                path.write_text(_html(folder, images, language), encoding="utf-8")
            else:
                _pdf(folder, path, strategy, keep, language)

        atomic_file(target, report)

    if figures_dir is None:
        write(None)
    else:
        provenance = {"report": str(given), "results": str(folder.path), "mobsim_version": mobsim_version()}  # paths as given
        save_folder(figures_dir, "figures", write, provenance)
    return target


def is_report(path: Path) -> bool:
    """Whether ``path`` is a report written by mobsim (HTML with its title, or PDF with its creator)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
            if head.startswith(b"%PDF"):
                fh.seek(0)
                return b"/Creator (mobsim" in fh.read()
    except OSError:
        return False
    return any(f"<title>{_catalog.t('report.document_title', code, title='')}".rstrip().encode() in head for code in LANGS)
