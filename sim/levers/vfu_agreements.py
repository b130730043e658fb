"""Agreements on more VFU places (``[levers.vfu_agreements]``, issue #17): raise the education programmes' VFU cap.

VFU (verksamhetsförlagd utbildning, the clinical placements of a programme) caps how many students a programme can
admit (pipeline facts P39: "bristen på VFU-platser är den största flaskhalsen"); ``sim.education.vfu_cap`` is the
baseline intake × (1 + ``vfu_headroom``). From ``from_year`` this lever adds ``extra_places_per_year`` students a year
that the placements can take (national, full scale) to each programme named. On its own it admits no one: it lets
``levers.training_places``' extra places through. Acts at build through the supply (``sim.education``); nothing happens
in the day. Needs ``[supply]`` and ``[supply.education]``.

Indicators: ``vfu_places_added`` (extra places a year, summed over the run's years from ``from_year``, at the world's
scale) and ``vfu_agreements_cost_sek`` (those place-years at ``cost_per_place_year_sek``, at the world's scale;
assumption: supervisors' time and the region's compensation, whether or not the place is used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import AfterValidator, Field, model_validator

from sim import education
from sim.levers.base import IndicatorSpec, Lever
from sim.levers.training_places import Places, places_when_enabled, programme_keys, run_year_day
from sim.schema import CostSek, _Section

if TYPE_CHECKING:
    from sim.scenario import Scenario


class VfuAgreementsConfig(_Section):
    """More VFU places per programme from a year on (national, full scale; needs supply.education)."""

    enabled: bool = False
    from_year: Annotated[int, Field(ge=1900, le=2200)] = Field(
        2026, description="first calendar year of admission with the extra VFU places"
    )
    extra_places_per_year: Annotated[dict[str, Places], AfterValidator(programme_keys)] = Field(
        default_factory=dict, description="programme -> extra students a year the VFU places can take, national"
    )
    cost_per_place_year_sek: CostSek = Field(
        40_000.0, description="cost of one VFU place a year (supervision and compensation to the placing unit), SEK (assumption)"
    )

    @model_validator(mode="after")
    def _places(self) -> VfuAgreementsConfig:
        places_when_enabled(self.enabled, self.extra_places_per_year, "extra_places_per_year")
        return self


def place_years(scenario: Scenario, days: int | None = None) -> float:
    """VFU place-years added within the run (national, full scale; years that begin within the first ``days`` days)."""
    cfg = scenario.levers.vfu_agreements
    if not (cfg.enabled and scenario.supply.enabled and scenario.supply.education.enabled):
        return 0.0
    years = [y for y in education.run_years(scenario) if y >= cfg.from_year and (days is None or run_year_day(scenario, y) < days)]
    return float(sum(cfg.extra_places_per_year.values()) * len(years))


class VfuAgreements(Lever):
    """No daily action: the raised cap is in the world's entrant rows; the lever reports the places and their cost."""

    name = "vfu_agreements"
    supply_side = True
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "vfu_places_added",
            "Extra VFU place-years",
            "place-years",
            None,
            "extra VFU places a year × years of the run with them (vfu_agreements), at the world's scale",
        ),
        IndicatorSpec(
            "vfu_agreements_cost_sek",
            "Cost of VFU agreements",
            "SEK",
            True,
            "extra VFU place-years × cost of a place a year (vfu_agreements), at the world's scale",
        ),
    )

    def summary(self, days: int) -> dict[str, float]:
        sc = self.model.config
        years = place_years(sc, days)
        return {
            "vfu_places_added": years * sc.world.scale,
            "vfu_agreements_cost_sek": years * self.cfg.cost_per_place_year_sek * sc.world.scale,
        }
