"""Funded specialist training (``[levers.specialist_training]``, issue #17): registered nurses paid while they train.

Regions fund places in the specialist programmes (intensive care, anaesthesia) with the student's salary
(utbildningsanställning, pipeline facts P41: a state grant of 400 MSEK in 2019; Region Skåne paid 19,000 SEK a month
for a year). From ``from_year`` each programme named in ``extra_places_per_year`` admits that many more students a
year (national, full scale; the VFU cap applies as to any place, sim.education). With
``supply.education.specialisation`` the students are registered nurses of the workforce, away from work for the
programme (status specialising) who then become ICU or anaesthesia nurses; without it their graduates are new rows.
The lever acts at build through the supply (``sim.education.intake``); nothing happens in the day. That paid places
fill where unpaid ones stay empty (P40: a fifth of places empty in 2018, "no salary during study" the reason given)
is why the places are admitted in full: an assumption.

Indicators: ``specialist_places_added`` (extra students admitted within the run, at the world's scale) and
``specialist_training_cost_sek`` (each for the programme's months at ``salary_share`` of a full-time registered
nurse's monthly wage with the employer's fees, ``costs``; at the world's scale: the commitment made within the run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import AfterValidator, Field, model_validator

from sim import education
from sim.levers.base import IndicatorSpec, Lever
from sim.levers.training_places import Places, extra_admitted, places_when_enabled, programme_keys
from sim.schema import Probability, _KeyedValueError, _Section


def specialist_programmes(value: dict[str, float]) -> dict[str, float]:
    """A validator: the keys are specialist programmes."""
    programme_keys(value)
    for name in value:
        if name not in education.SPECIALIST_PROGRAMMES:
            raise _KeyedValueError(
                str(name), f"'{name}' is no specialist programme (expected one of {', '.join(education.SPECIALIST_PROGRAMMES)})"
            )
    return value


class SpecialistTrainingConfig(_Section):
    """Funded specialist places, the students paid while they train (national, full scale; needs supply.education)."""

    enabled: bool = False
    from_year: Annotated[int, Field(ge=1900, le=2200)] = Field(2026, description="first calendar year of admission with the funded places")
    extra_places_per_year: Annotated[dict[str, Places], AfterValidator(specialist_programmes)] = Field(
        default_factory=dict, description="specialist programme -> funded places a year, national (icu_specialist, anaesthesia_specialist)"
    )
    salary_share: Probability = Field(
        1.0, description="share of a full-time registered nurse's wage paid while they train (pipeline facts P41: full pay, or a benefit)"
    )

    @model_validator(mode="after")
    def _places(self) -> SpecialistTrainingConfig:
        places_when_enabled(self.enabled, self.extra_places_per_year, "extra_places_per_year")
        return self


if TYPE_CHECKING:
    from sim.scenario import Scenario


def monthly_salary_sek(scenario: Scenario) -> float:
    """A full-time registered nurse's month, SEK, with the employer's fees (``costs``, ``workforce.weekly_hours``)."""
    costs, wf = scenario.costs, scenario.workforce
    return costs.hourly_wage_sek["registered_nurse"] * (1.0 + costs.employer_fee) * wf.weekly_hours * 52.0 / 12.0


class SpecialistTraining(Lever):
    """No daily action: the funded students are in the world's plan (or entrant rows); the lever reports them and their pay."""

    name = "specialist_training"
    supply_side = True
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "specialist_places_added",
            "Funded specialist students admitted",
            "students",
            None,
            "extra students admitted to the specialist programmes within the run, paid while they train (specialist_training), "
            "at the world's scale",
        ),
        IndicatorSpec(
            "specialist_training_cost_sek",
            "Cost of funded specialist training",
            "SEK",
            True,
            "funded students × programme months × salary_share of a registered nurse's month with fees (specialist_training), "
            "at the world's scale",
        ),
    )

    def summary(self, days: int) -> dict[str, float]:
        sc = self.model.config
        extra = extra_admitted(sc, "specialist_training", days=days)
        programmes = sc.supply.education.programmes
        months = sum(k * programmes[g].years * 12.0 for g, k in extra.items())
        cost = months * self.cfg.salary_share * monthly_salary_sek(sc)
        return {
            "specialist_places_added": float(sum(extra.values()) * sc.world.scale),
            "specialist_training_cost_sek": float(cost * sc.world.scale),
        }
