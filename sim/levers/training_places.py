"""More places in education (``[levers.training_places]``, issue #17): extra intake per programme from a year on.

The lever acts through the supply side at build (``sim.education.intake``): from ``from_year`` each programme named in
``extra_intake_per_year`` admits that many more students a year (national, full scale), at most up to the programme's
VFU cap (``supply.education.programmes.<programme>.vfu_headroom``, raised by ``levers.vfu_agreements``); the extra
graduates start work ``years`` later, as entrant rows of the world (``sim.world.entrant_cohorts``). It needs
``[supply]`` and ``[supply.education]`` on (else it has no effect, and costs nothing). Nothing happens in the day.

Indicators: ``training_places_added`` (extra students admitted within the run, at the world's scale) and
``training_places_cost_sek`` (each admitted extra student for the programme's years at ``cost_per_student_year_sek``,
at the world's scale: the commitment made within the run, years after its end included).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import AfterValidator, Field, field_validator, model_validator

from sim import education
from sim.levers.base import IndicatorSpec, Lever
from sim.schema import CostSek, _check_keys, _KeyedValueError, _Section, at_most

if TYPE_CHECKING:
    from sim.scenario import Scenario

MAX_SUPPLY_PLACES = 330_000.0  # places a year: the whole national health-care staff in sim/data (330,565)

#: Cost of a student-year by programme, SEK (assumption: not in docs/pipeline_facts.md; the order of the state's funding
#: of a full-time student a year, clinical training of medicine included).
COST_PER_STUDENT_YEAR = {
    "medicine": 250_000.0,  # assumption
    "nursing": 90_000.0,  # assumption
    "assistant_nursing": 70_000.0,  # assumption (upper-secondary or komvux)
    "icu_specialist": 90_000.0,  # assumption (tuition only; salary during study: specialist_training, P41)
    "anaesthesia_specialist": 90_000.0,  # assumption
}


def programme_keys(value: dict[str, float]) -> dict[str, float]:
    """A validator: the keys are programmes (``sim.education.PROGRAMMES``)."""
    _check_keys(value, tuple(education.PROGRAMMES), "programme")
    return value


def places_when_enabled(enabled: bool, places: dict[str, float], key: str) -> None:
    """A supply lever switched on must add places to at least one programme (it would otherwise do nothing, silently)."""
    if enabled and not any(v > 0 for v in places.values()):
        raise _KeyedValueError(key, "expected places for at least one programme while the lever is enabled (it would do nothing), got none")


Places = Annotated[float, Field(ge=0.0), at_most(MAX_SUPPLY_PLACES, "places a year", "the whole health-care staff of Sweden")]


class TrainingPlacesConfig(_Section):
    """Extra places in education from a year on (national, full scale; needs supply.education)."""

    enabled: bool = False
    from_year: Annotated[int, Field(ge=1900, le=2200)] = Field(2026, description="first calendar year of admission with the extra places")
    extra_intake_per_year: Annotated[dict[str, Places], AfterValidator(programme_keys)] = Field(
        default_factory=dict, description="programme -> extra students admitted a year, national (capped by its VFU places)"
    )
    cost_per_student_year_sek: Annotated[dict[str, CostSek], AfterValidator(programme_keys)] = Field(
        default_factory=lambda: dict(COST_PER_STUDENT_YEAR),
        description="programme -> cost of a student-year, SEK (assumption; programmes not given keep their default)",
    )

    @field_validator("cost_per_student_year_sek")
    @classmethod
    def _fill_costs(cls, value: dict[str, float]) -> dict[str, float]:
        return {**COST_PER_STUDENT_YEAR, **value}

    @model_validator(mode="after")
    def _places(self) -> TrainingPlacesConfig:
        places_when_enabled(self.enabled, self.extra_intake_per_year, "extra_intake_per_year")
        return self


def run_year_day(scenario: Scenario, year: int) -> int:
    """Day of the run on which calendar year ``year`` begins (0 for the first year)."""
    return max(0, (dt.date(year, 1, 1) - scenario.time.start).days)


def extra_admitted(scenario: Scenario, lever_name: str = "training_places", days: int | None = None) -> dict[str, float]:
    """Per programme: extra students a place lever (``sim.education.PLACE_LEVERS``) got admitted in the run's years
    (national, full scale; years that begin within the first ``days`` days), after the VFU cap. Empty without
    supply.education."""
    if not (scenario.supply.enabled and scenario.supply.education.enabled):
        return {}
    return {
        programme: sum(
            education.admitted_by(scenario, programme, y, lever_name)
            for y in education.run_years(scenario)
            if days is None or run_year_day(scenario, y) < days
        )
        for programme in education.PROGRAMMES
    }


class TrainingPlaces(Lever):
    """No daily action: the extra intake is in the world's entrant rows; the lever reports what it added and cost."""

    name = "training_places"
    supply_side = True
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "training_places_added",
            "Extra students admitted",
            "students",
            None,
            "extra students admitted to education within the run (training_places, after the VFU cap), at the world's scale",
        ),
        IndicatorSpec(
            "training_places_cost_sek",
            "Cost of extra training places",
            "SEK",
            True,
            "extra students admitted within the run × programme years × cost of a student-year (training_places), at the world's scale",
        ),
    )

    def summary(self, days: int) -> dict[str, float]:
        sc = self.model.config
        scale = sc.world.scale
        extra = extra_admitted(sc, days=days)
        programmes = sc.supply.education.programmes
        cost = sum(k * programmes[g].years * self.cfg.cost_per_student_year_sek[g] for g, k in extra.items())
        return {"training_places_added": float(sum(extra.values()) * scale), "training_places_cost_sek": float(cost * scale)}
