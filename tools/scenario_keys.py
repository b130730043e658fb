"""Generate the table of every scenario key in docs/guide.md from the pydantic schema (sim/scenario.py).

The table lists, for every key a scenario file can set: its type and allowed range, its
unit, whether it is required or its default, the value in the calibrated baseline
(``scenarios/sweden_spring2020.toml``) and the schema's description. It is written
between the ``<!-- keys:begin -->`` and ``<!-- keys:end -->`` markers of the guide, so the
guide stays in step with the schema; ``tests/test_guide.py`` fails when it is not.

Run: ``.venv/bin/python tools/scenario_keys.py`` (rewrites the section), ``--check`` (exit 1 if out of date).
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import guide_table  # noqa: E402
from guide_table import replace_between  # noqa: E402

from sim.scenario import Scenario, load_scenario  # noqa: E402

BEGIN, END = "<!-- keys:begin -->", "<!-- keys:end -->"

#: Meanings of keys the schema gives no description (matched like ``UNITS``).
MEANINGS: dict[str, str] = {
    "name": "scenario name; also the default results folder (results/<name>)",
    "description": "free text shown in reports",
    "time.start": "first simulated day",
    "time.end": "last simulated day (inclusive)",
    "enabled": "the lever is on (built and acting where its level is reached)",
    "demand.source": "patients from parametric waves, a CSV of curves or the regions' own ICU admissions (2020-W01..2022-W43)",
    "demand.waves[].name": "name of the wave (wave readiness in the summary is numbered in file order)",
    "demand.waves[].peak_date": "day of the wave's peak",
    "peak_date": "the region's own peak day (default: the wave's)",
    "rise_days": "the region's own rise width, days (default: the wave's)",
    "fall_days": "the region's own fall width, days (default: the wave's)",
    "fall_shape": "the region's own fall exponent (default: the wave's)",
}

#: Units of keys whose name does not say it (matched on the key's last part, then on the whole dotted key).
UNITS: dict[str, str] = {
    "scale": "share of real Sweden",
    "layout_seed": "–",
    "icu_beds_2019": "beds",
    "icu_beds_surge": "beds",
    "nursing_homes": "homes",
    "nursing_home_residents": "persons",
    "municipality_size_exponent": "–",
    "hourly_share_concentration": "–",
    "weekly_hours": "h/week",
    "fte_permanent": "share of full time",
    "fte_hourly": "share of full time",
    "region_mix": "share",
    "municipal_mix": "share",
    "norms.icu": "hours per patient-day",
    "norms.covid_ward": "hours per patient-day",
    "rise": "1/day per unit of strain",
    "fatigue.threshold": "strain (hours/reference hours × intensity × pressure)",
    "pressure_exponent": "–",
    "max_pressure": "–",
    "intensity": "strain of a normal hour",
    "exhaustion_rate": "1/day at fatigue 1",
    "exhaustion_power": "–",
    "leave_rate_per_year": "1/year",
    "leave_fatigue_rate": "1/day per unit of sustained fatigue",
    "leave_fatigue_threshold": "sustained fatigue (0–1)",
    "prevalence_per_icu_per_capita": "prevalence per (ICU patient / inhabitant)",
    "community_rate": "1/day per unit of prevalence",
    "work_rate": "1/day at full exposure",
    "staff_seed_rate": "1/day",
    "resident_transmission": "1/day",
    "staff_exposure_rate": "1/day per infected-resident share",
    "extra_care_per_infected": "resident-equivalents",
    "home_care.clients": "persons",
    "visits_per_client": "visits/day",
    "staff_to_client": "probability per visit",
    "client_to_staff": "probability per visit",
    "case_fatality": "share (0–1)",
    "missed_visit_fatality": "× case fatality per missed-visit share",
    "home_care.extra_care_per_infected": "client-equivalents",
    "covid_ward_per_icu": "ward patients per ICU patient",
    "noise_sd": "sd of log",
    "stay_noise_sd": "sd of log",
    "peak_per_100k": "patients per 100,000",
    "peak_patients": "patients (full scale)",
    "fall_shape": "–",
    "intensity@RegionWave": "× peak_per_100k",
    "icu_min_nurse_ratio": "nurses per patient",
    "alert_gap": "share of hospital need",
    "crisis_gap": "share of hospital need",
    "activation_gap": "share of hospital need",
    "pay_multiplier": "× normal pay",
    "overtime_multiplier": "× normal pay",
    "recruit_wage_factor": "× the profession's wage",
    "catch_up": "share of normal activity",
    "operations_per_year": "operations/year",
    "per_100k": "persons per 100,000",
    "effectiveness": "care per hour, relative",
    "registered_nurse_effectiveness": "care per hour, relative to an ICU nurse",
    "anaesthesia_nurse_effectiveness": "care per hour, relative to an ICU nurse",
    "safety_margin": "share of forecast need",
    "size": "persons (full scale)",
    "composition": "share",
    "nurses_per_outbreak_home": "persons per home",
    "home_care_nurses_per_municipality": "persons per municipality",
    "nurses_per_100_residents": "persons per 100 residents",
    "home_care_nurses_per_100k": "persons per 100,000",
    "hourly_share_cut": "share of hourly home staff",
    "short_below": "coverage (most hours / need)",
    "lender_keeps": "coverage (most hours / need)",
    "max_share_out": "share of a home's permanent staff of a role",
    "cluster_size": "homes",
    "coordination_sek_per_move": "SEK per worker moved",
    "recovery_factor": "× recovery",
    "leave_factor": "× leaving hazard",
    "employer_fee": "share of wages",
    "hourly_wage_sek": "SEK/h",
    "cost_per_staff_sek": "SEK per staff member",
    "yearly_cost_per_member_sek": "SEK per member and year",
    "trigger_share": "share of staffed ICU beds",
    "receiver_max_share": "share of staffed ICU beds",
    "max_travel_hours": "hours",
    "daily_capacity": "patients/day (full scale)",
    "cost_per_transfer_sek": "SEK per patient moved",
    "travel_sek_per_hour": "SEK per person and hour of the return trip",
    "lodging_sek_per_night": "SEK per person and night",
    "recall_below": "forecast coverage (hours on hand / forecast need)",
    "places_per_day": "course places/day (full scale)",
    "effectiveness_after": "care per hour, relative",
    "hygiene_after": "skill (0–1)",
    "cost_per_place_sek": "SEK per course place",
    "supply.graduates_per_year": "people a year (national, full scale)",
    "supply.licensed_from_abroad_per_year": "people a year (national, full scale)",
    "supply.retirement_rate_per_year": "1/year",
    "supply.graduate_start_months": "month (1–12)",
    "supply.region_shares": "weight",
    "crisis.scale": "× the data's admissions",
    "threshold_patients": "patients (full scale, national)",
}


def _unit(key: str, name: str, annotation: Any, owner: type) -> str:
    for candidate in (f"{name}@{owner.__name__}", key, ".".join(key.split(".")[-2:]), name):
        if candidate in UNITS:
            return UNITS[candidate]
    if name.endswith("_days") or name == "days":
        return "days"
    if name.endswith("weekly_hours"):
        return "h/week"
    if name == "weeks" or name.endswith("_weeks"):
        return "weeks"
    if "share" in name or name.endswith("_cut") or name.endswith("utilisation") or name.endswith("baseline") or name.endswith("recovery"):
        return "share (0–1)"
    if annotation is dt.date or annotation in (dt.date | None,):
        return "date"
    return "–"


def _type(annotation: Any, info: Any) -> str:
    """A short type with its allowed range."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        return _type(inner, types.SimpleNamespace(metadata=metadata))
    if origin is Literal:
        return " / ".join(f'"{a}"' for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        parts = [_type(a, None) for a in get_args(annotation) if a is not type(None)]
        return " or ".join(parts) + " (optional)"
    if origin is list:
        return f"list of {_type(get_args(annotation)[0], None)}"
    if origin is dict:
        return "table"
    name = {float: "number", int: "whole number", bool: "true / false", str: "text", dt.date: "date", Path: "path"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )
    bounds = []
    for meta in getattr(info, "metadata", []) or []:
        for attr, symbol in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            value = getattr(meta, attr, None)
            if value is not None:
                bounds.append(f"{symbol} {value:g}")
    return f"{name} {', '.join(bounds)}".strip()


def _default(info: Any) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.default_factory()
        return "empty" if not value else repr(value)
    default = info.default
    if default is PydanticUndefined:
        return "required"
    if default is None:
        return "none"
    if isinstance(default, bool):
        return str(default).lower()
    return f'"{default}"' if isinstance(default, str) else f"{default:g}" if isinstance(default, float) else str(default)


def _lookup(data: Any, key: str) -> str:
    value = data
    for part in key.replace("[]", ".0").split("."):
        if isinstance(value, list):
            value = value[int(part)] if value else None
        elif isinstance(value, dict):
            # a placeholder such as <region> stands for the first entry
            value = next(iter(value.values()), None) if part.startswith("<") else value.get(part)
        if value is None:
            return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_short(v)}" for k, v in value.items()) if value else "–"
    return _short(value)


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def rows(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, str, str, str, str, type]]:
    """(key, type, unit, default, description, owner) of every leaf key under ``model``."""
    out = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = info.annotation
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out += rows(annotation, key + ".")
        elif origin is list and isinstance(get_args(annotation)[0], type) and issubclass(get_args(annotation)[0], BaseModel):
            out += rows(get_args(annotation)[0], key + "[].")
        elif origin is dict and isinstance(get_args(annotation)[1], type) and issubclass(get_args(annotation)[1], BaseModel):
            inner = get_args(annotation)[1]
            keys = get_args(get_args(annotation)[0])
            placeholder = "<" + ("|".join(keys) if keys else "programme" if name == "programmes" else "region") + ">"
            out += rows(inner, f"{key}.{placeholder}.")
        else:
            description = (info.description or "").replace("|", "/")
            out.append((key, _type(annotation, info), _unit(key, name, annotation, model), _default(info), description, model))
    return out


def _meaning(key: str) -> str:
    for candidate in (key, ".".join(key.split(".")[-2:]), key.split(".")[-1]):
        if candidate in MEANINGS:
            return MEANINGS[candidate]
    return ""


def table() -> str:
    """The markdown table of every key, with the baseline's values."""
    baseline = load_scenario(ROOT / "scenarios" / "sweden_spring2020.toml").model_dump(mode="json")
    lines = [
        "| key | type | unit | default | baseline value | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for key, kind, unit, default, description, owner in rows():
        value = _lookup(baseline, key.split(".<")[0] + (".<" + key.split(".<")[1] if ".<" in key else ""))
        doc = description or _meaning(key) or (owner.__doc__ or "").strip().splitlines()[0]
        lines.append(f"| `{key}` | {kind} | {unit} | {default} | {value} | {doc} |")
    return "\n".join(lines)


def render(guide: str) -> str:
    """The guide's text with the table between the markers replaced."""
    return replace_between(guide, BEGIN, END, table())


def main(argv: list[str] | None = None) -> int:
    return guide_table.main("scenario_keys", render, lambda: f"{len(rows())} keys", argv, __doc__ or "")


if __name__ == "__main__":
    sys.exit(main())
