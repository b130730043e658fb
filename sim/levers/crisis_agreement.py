"""The crisis agreement (krislägesavtal): longer weeks and higher pay in the surge units (``[levers.crisis_agreement]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import Field

from sim import kernels
from sim.categories import UNIT_KINDS
from sim.levers.base import Lever
from sim.schema import MAX_DAYS, LeverConfig, Multiplier, WeeklyHours, WholeDays, at_most

if TYPE_CHECKING:
    from sim.model import MobilisationModel


class CrisisAgreementConfig(LeverConfig):
    """Krislägesavtal: longer weeks and higher pay for staff placed in the surge units, for a limited time."""

    max_weekly_hours: WeeklyHours = Field(description="working time cap for placed staff, hours a week")
    pay_multiplier: Multiplier = Field(description="pay of placed staff relative to normal, on all hours")
    placement_weeks: Annotated[float, Field(gt=0.0), at_most(MAX_DAYS / 7, "weeks", "20 years")] = Field(
        description="longest placement before rest"
    )
    rest_days: WholeDays = Field(description="days off after a placement")
    units: list[Literal["icu", "covid_ward"]] = Field(description="unit kinds whose staff are placed under the agreement")


class CrisisAgreement(Lever):
    """Staff in the surge units of a region in crisis work up to 48 h a week at 220 % pay, for at most four weeks.

    The recorder books the pay above normal of the hours worked under the agreement (``crisis_pay``),
    from each person's days under the agreement (``agreement_days``, set by the core's placement).
    """

    name = "crisis_agreement"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg = self.cfg
        kinds = np.array([UNIT_KINDS.index(k) for k in cfg.units])
        self.unit = np.isin(model.world.workplace_kind, kinds)
        self.max_hours = cfg.max_weekly_hours / 7.0
        self.placement_days = round(cfg.placement_weeks * 7)

    def act(self, model: MobilisationModel, day: int) -> None:
        world, s = model.world, model.world.staff
        unit_on = self.unit & self.regions_on()[world.workplace_region]
        kernels.place_under_agreement(
            status=s.status,
            workplace=s.workplace,
            home=s.home,
            days_left=s.days_left,
            agreement_days=s.agreement_days,
            max_hours=s.max_hours,
            unit_on=unit_on,
            cap_hours=self.max_hours,
            placement_days=self.placement_days,
            rest_days=self.cfg.rest_days,
        )
