"""Physician rounds: more physician presence in nursing homes, in person and digital (``[levers.physician_rounds]``).

The council's memo: the homes "infört bland annat digitala läkarronder" in spring 2020; IVO found deficiencies in
physicians' presence and in residents' individual medical assessment, and the regions, who are responsible for the
homes' physicians, "behöver säkerställa en hög läkarnärvaro". Where the lever is on (a region's ``start_level`` or a
national window), each home (with ``homes = "outbreak"``: each home with an infected resident today) gets
``visits_per_week`` more rounds in person and ``digital_rounds_per_week`` digital rounds (``model.nh_physician_visits``,
``model.nh_digital_rounds``), which raise the daily chance that an infected resident is assessed (submodel 18). The
physicians' hours (``hours_per_visit``, ``hours_per_digital_round``) come from the region's primary care
(``source = "primary_care"``: its required physician hours rise, so its physicians work extra hours or primary care
goes short) or are bought as a service (``source = "bought"``: ``bought_sek_per_hour``, cost item ``physician_rounds``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from sim import kernels
from sim.categories import N_REGION_KINDS, PRIMARY_CARE, PROFESSIONS
from sim.levers.base import Lever
from sim.schema import CostSek, LeverConfig, at_most

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

PHYSICIAN = PROFESSIONS.index("physician")
RoundsPerWeek = Annotated[float, Field(ge=0.0), at_most(70.0, "rounds a week", "ten a day")]
HoursPerRound = Annotated[float, Field(ge=0.0), at_most(24.0, "hours", "a day")]


class PhysicianRoundsConfig(LeverConfig):
    """More physician rounds per home and week, in person and digital, from primary care or bought.

    Per region (``[levers.physician_rounds.regions.<region>]``): ``enabled``, ``start_level``, ``visits_per_week`` and
    ``digital_rounds_per_week``.
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "visits_per_week", "digital_rounds_per_week")

    start_level: Literal["staffing_alert", "crisis"] = Field("staffing_alert", description="escalation level at which a region adds rounds")
    visits_per_week: RoundsPerWeek = Field(1.0, description="rounds in person added per home and week")
    digital_rounds_per_week: RoundsPerWeek = Field(2.0, description="digital rounds added per home and week")
    homes: Literal["all", "outbreak"] = Field("all", description="all homes, or only homes with an infected resident today")
    source: Literal["primary_care", "bought"] = Field(
        "primary_care", description="who does the rounds: the region's primary-care physicians, or a bought service"
    )
    hours_per_visit: HoursPerRound = Field(2.0, description="physician hours of one round in person (travel included)")
    hours_per_digital_round: HoursPerRound = Field(1.0, description="physician hours of one digital round")
    bought_sek_per_hour: CostSek = Field(2000.0, description="price of an hour of rounds bought as a service, SEK")


class PhysicianRounds(Lever):
    """Add physician rounds to the homes where the lever is on, and take their hours from primary care or buy them."""

    name = "physician_rounds"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        self.hours = np.zeros(model.world.n_regions)  # physician hours of the added rounds today, by region
        self.visits_per_week = self.per_region("visits_per_week").astype(np.float64)
        self.digital_per_week = self.per_region("digital_rounds_per_week").astype(np.float64)
        self.primary = np.arange(model.world.n_regions) * N_REGION_KINDS + PRIMARY_CARE

    def act(self, model: MobilisationModel, day: int) -> None:
        cfg, world = self.cfg, model.world
        # each home of a region where the lever is on (with homes = "outbreak": each such home with an infected
        # resident) gets its region's rounds; their physician hours by region (kernels.physician_rounds_day)
        self.hours = kernels.physician_rounds_day(
            on=self.regions_on(),
            home_region=world.home_region,
            outbreak_only=cfg.homes == "outbreak",
            infected=model.nh_infected,
            visits_per_week=self.visits_per_week,
            digital_per_week=self.digital_per_week,
            hours_per_visit=float(cfg.hours_per_visit),
            hours_per_digital_round=float(cfg.hours_per_digital_round),
            visits=model.nh_physician_visits,
            digital_rounds=model.nh_digital_rounds,
            n_regions=world.n_regions,
        )
        if cfg.source == "primary_care":
            model.required[self.primary, PHYSICIAN] += self.hours

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        if self.cfg.source == "bought":
            cost[:, recorder.cost_index["physician_rounds"]] += self.hours * self.cfg.bought_sek_per_hour
