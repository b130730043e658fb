"""Education over years (issue #17, ``[supply.education]``): intake, programme length, completion and the VFU cap.

With ``supply.education.enabled`` the graduates of a profession who start work in calendar year ``Y`` are the
completion share of the intake of year ``Y − years`` (rounded half up) (``graduates_in_year``): cohorts admitted before the run's
first year at the programme's baseline intake, later ones at the run's intake, which is the baseline plus the extra
places of ``levers.training_places`` from their year on, capped by the VFU places (``vfu_cap``: the baseline intake ×
(1 + ``vfu_headroom``), plus the places of ``levers.vfu_agreements``). The baseline intake defaults to
``supply.graduates_per_year[profession] / completion``, so that at the baseline the derived graduates are the first
slice's ``graduates_per_year`` (tests/test_pipeline.py checks it). The world turns these into entrant rows at build
(``sim.world.entrant_cohorts``): the intake of the whole run is known then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario import Scenario

#: Programmes and the profession their graduates enter (pipeline facts P20–P24).
PROGRAMMES: dict[str, str] = {
    "medicine": "physician",
    "nursing": "registered_nurse",
    "assistant_nursing": "assistant_nurse",
    "icu_specialist": "icu_nurse",
    "anaesthesia_specialist": "anaesthesia_nurse",
}
#: Programmes whose students are registered nurses (a specialist track; ``supply.education.specialisation``).
SPECIALIST_PROGRAMMES = ("icu_specialist", "anaesthesia_specialist")


def baseline_intake(scenario: Scenario, programme: str) -> float:
    """The programme's yearly intake before the run (national, full scale): given, or graduates / completion."""
    cfg = scenario.supply.education.programmes[programme]
    if cfg.intake_per_year is not None:
        return float(cfg.intake_per_year)
    completion = cfg.completion if cfg.completion > 0 else 1.0
    return scenario.supply.graduates_per_year[PROGRAMMES[programme]] / completion


def vfu_cap(scenario: Scenario, programme: str, year: int) -> float:
    """Students the programme's VFU places allow to admit in ``year`` (inf: no cap): the baseline intake ×
    (1 + ``vfu_headroom``), plus ``levers.vfu_agreements``' places from their year on."""
    cfg = scenario.supply.education.programmes[programme]
    if cfg.vfu_headroom is None:
        return float("inf")
    cap = baseline_intake(scenario, programme) * (1.0 + cfg.vfu_headroom)
    lever = scenario.levers.vfu_agreements
    if lever.enabled and year >= lever.from_year:
        cap += lever.extra_places_per_year.get(programme, 0.0)
    return cap


#: The levers that add places to a programme's intake: (lever table, its key of places per programme).
PLACE_LEVERS = (("training_places", "extra_intake_per_year"), ("specialist_training", "extra_places_per_year"))


def requested_by(scenario: Scenario, programme: str, year: int, lever_name: str) -> float:
    """Extra places one lever of ``PLACE_LEVERS`` asks for in ``year`` (national, full scale)."""
    lever = scenario.levers.__dict__.get(lever_name)
    if lever is None or not lever.enabled or year < lever.from_year:
        return 0.0
    return getattr(lever, dict(PLACE_LEVERS)[lever_name]).get(programme, 0.0)


def requested_extra(scenario: Scenario, programme: str, year: int) -> float:
    """Extra places the levers (``levers.training_places``, ``levers.specialist_training``) ask for in ``year``."""
    return sum(requested_by(scenario, programme, year, name) for name, _ in PLACE_LEVERS)


def admitted_by(scenario: Scenario, programme: str, year: int, lever_name: str) -> float:
    """Extra students one lever got admitted in ``year``: its share of the extra places the VFU cap let through."""
    asked = requested_extra(scenario, programme, year)
    if asked <= 0 or year < scenario.time.start.year:
        return 0.0
    through = intake(scenario, programme, year) - baseline_intake(scenario, programme)
    return through * requested_by(scenario, programme, year, lever_name) / asked


def intake(scenario: Scenario, programme: str, year: int) -> float:
    """Students admitted in ``year`` (national, full scale): the baseline before the run; from the run's first year
    the baseline plus the extra places asked for, at most the VFU cap (never below the baseline)."""
    base = baseline_intake(scenario, programme)
    if year < scenario.time.start.year:
        return base
    return max(base, min(base + requested_extra(scenario, programme, year), vfu_cap(scenario, programme, year)))


def admission_year(scenario: Scenario, programme: str, year: int) -> int:
    """The year of admission of the students who graduate in ``year``: ``year − years`` rounded half up (at least a year)."""
    return year - max(1, int(scenario.supply.education.programmes[programme].years + 0.5))


def graduates_in_year(scenario: Scenario, programme: str, year: int) -> float:
    """Graduates who start work in ``year`` (national, full scale): the completion share of their cohort's intake."""
    cfg = scenario.supply.education.programmes[programme]
    return cfg.completion * intake(scenario, programme, admission_year(scenario, programme, year))


def programme_of(profession: str) -> str | None:
    """The programme whose graduates enter ``profession`` (None: none, the first slice's graduates_per_year)."""
    for programme, p in PROGRAMMES.items():
        if p == profession:
            return programme
    return None


def run_years(scenario: Scenario) -> range:
    """Calendar years of the run."""
    return range(scenario.time.start.year, scenario.time.end.year + 1)
