"""Bed expansion: regions open ICU beds beyond their normal ones, after a lead time, up to their surge capacity (``[levers.bed_expansion]``).

Every region starts with its normal ICU beds (``icu_beds_2019`` of ``sim.world``: the data's regional
shares of the national 526). Each day it decides how many beds it wants: all its surge beds
(``icu_beds_surge``: the shares of Folkhälsomyndigheten's April 2020 estimate, times ``ceiling_factor``)
where the lever is on (from ``start_level``, or in every region inside a national window), and otherwise
enough for the ICU patients it forecasts ``escalation.horizon_days`` ahead at ``target_occupancy``
(between its normal and its surge beds). ``lead_time_days`` after a decision its open beds move towards
it by ``(ceiling − normal) / ramp_days`` beds a day (ceiling = surge × ``ceiling_factor``); closing never goes below normal or below the patients
in the beds. An open bed is not a staffed
bed: the model counts a bed as staffed only while the ICU's nurses can give it the minimum safe ratio
(``MobilisationModel.icu_beds_staffed``), so beds without staff show as patients above staffed beds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

import numpy as np
from pydantic import Field

from sim import kernels
from sim.levers.base import Lever
from sim.schema import Days, Factor, LeverConfig, WholeDays

if TYPE_CHECKING:
    from sim.model import MobilisationModel


class BedExpansionConfig(LeverConfig):
    """Open ICU beds beyond the normal ones, after a lead time, up to each region's surge capacity.

    Per region (``[levers.bed_expansion.regions.<region>]``): ``enabled`` (a region where it is off keeps its normal
    beds), ``start_level``, ``ceiling_factor`` and ``target_occupancy``. The lead time and the ramp are national.
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "ceiling_factor", "target_occupancy")

    lead_time_days: WholeDays = Field(7, description="days from a region's decision until its first extra ICU beds open")
    ramp_days: Days = Field(
        21.0, description="daily steps from normal to all of the region's surge beds (the first step after the lead time)"
    )
    ceiling_factor: Factor = Field(1.0, description="multiplies each region's April 2020 surge beds: the most beds it can open")
    target_occupancy: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.7, description="where the lever is not on, a region opens beds for its forecast ICU patients at this occupancy"
    )


class BedExpansion(Lever):
    """Open and close ICU beds per region (``model.icu_beds_open``); the recorder shows open and staffed beds."""

    name = "bed_expansion"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        self.ceiling = np.maximum(model.icu_beds_surge * self.per_region("ceiling_factor"), model.icu_beds_normal)
        self.step = (self.ceiling - model.icu_beds_normal) / self.cfg.ramp_days
        self.wanted = np.zeros((model.n_days, model.world.n_regions))
        self.occupancy = self.per_region("target_occupancy").astype(np.float64)
        # a region where the lever is off (its region table) keeps its normal beds (per_region: the national value, on,
        # where no region table sets one)
        self.enabled = self.per_region("enabled").astype(bool)

    def act(self, model: MobilisationModel, day: int) -> None:
        # each region wants its ceiling while the lever is on, else beds for its forecast patients at the target
        # occupancy (within normal and ceiling); the beds open move by at most a step a day towards what it wanted
        # lead_time_days ago, and beds with patients in them stay open (kernels.open_icu_beds, region by region)
        model.icu_beds_open = kernels.open_icu_beds(
            forecast=model.forecast_icu_patients,
            occupancy=self.occupancy,
            normal=model.icu_beds_normal,
            ceiling=self.ceiling,
            on=self.regions_on(),
            enabled=self.enabled,
            wanted=self.wanted,
            day=day,
            lead=self.cfg.lead_time_days,
            beds=model.icu_beds_open,
            icu_patients=model.census[model.icu_ids],
            step=self.step,
        )
