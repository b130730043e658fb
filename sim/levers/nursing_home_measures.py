"""Stable teams, a ban on hourly temps, cohort care and regional support to nursing homes (``[levers.nursing_home_measures]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from sim.categories import ACTIVE, PERMANENT, PRIMARY_CARE, PROFESSIONS, RESERVE
from sim.levers.base import Lever, available
from sim.schema import Factor, LeverConfig, Probability, WeeklyHours

if TYPE_CHECKING:
    from sim.model import MobilisationModel

REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")


class NursingHomeMeasuresConfig(LeverConfig):
    """Stable teams, no hourly temps, cohort care, regional support to municipalities.

    Per region (``[levers.nursing_home_measures.regions.<region>]``): ``enabled`` and ``start_level``; which measures
    are taken, and how, is national.
    """

    stable_teams: bool = Field(description="hourly staff work in one home only")
    ban_hourly_temps: bool = Field(description="hourly staff are not called in; permanent staff work overtime instead")
    overtime_max_weekly_hours: WeeklyHours = Field(description="working time cap of permanent home staff while hourly temps are banned")
    cohort_care: bool = Field(description="infected residents cared for apart")
    cohort_transmission_factor: Probability = Field(description="transmission among residents under cohort care, relative to without")
    regional_support: bool = Field(description="regions send nurses to homes with outbreaks")
    support_nurses_per_outbreak_home: Factor = Field(description="region nurses sent per home with an outbreak")


class NursingHomeMeasures(Lever):
    """Stable teams, a ban on hourly temps (overtime instead), cohort care and regional support to homes.

    The recorder books the contracted pay of hourly staff kept in reserve by the ban as a negative
    cost (``banned_temps_saved``).
    """

    name = "nursing_home_measures"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        world, s = model.world, model.world.staff
        self.hourly = world.hourly_home_staff
        nh = world.nursing_home_staff
        self.permanent = nh[s.contract[nh] == PERMANENT]
        primary_rn = np.flatnonzero(
            (world.workplace_kind[s.home[: s.n_regular]] == PRIMARY_CARE) & (s.profession[: s.n_regular] == REGISTERED_NURSE)
        )
        self.support_staff = primary_rn[np.lexsort((s.priority[primary_rn], s.region[primary_rn]))]
        self.banned = np.zeros(world.n_regions, dtype=bool)

    def act(self, model: MobilisationModel, day: int) -> None:
        cfg, world = self.cfg, model.world
        on = self.regions_on()
        if cfg.stable_teams:
            model.hourly_other_home_share[on] = 0.0
        if cfg.cohort_care:
            model.nh_transmission[on[world.home_region]] *= cfg.cohort_transmission_factor
        if cfg.ban_hourly_temps:
            self._ban(model, on)
        if cfg.regional_support:
            self._support(model, on)

    def _ban(self, model: MobilisationModel, on: np.ndarray) -> None:
        s = model.world.staff
        hourly = self.hourly
        lifted = self.banned & ~on
        back = hourly[(s.status[hourly] == RESERVE) & lifted[s.region[hourly]]]
        s.status[back] = ACTIVE
        s.workplace[back] = s.home[back]
        out = hourly[(s.status[hourly] == ACTIVE) & (s.posting[hourly] < 0) & on[s.region[hourly]]]
        s.status[out] = RESERVE
        perm = self.permanent[on[s.region[self.permanent]]]
        s.max_hours[perm] = np.maximum(s.max_hours[perm], self.cfg.overtime_max_weekly_hours / 7.0)
        self.banned = on.copy()

    def _support(self, model: MobilisationModel, on: np.ndarray) -> None:
        world, s = model.world, model.world.staff
        outbreak = np.flatnonzero((model.nh_infected > 0) & on[world.home_region])
        if outbreak.size == 0:
            return
        staff = self.support_staff
        free = staff[available(model, staff)]
        for r in np.unique(world.home_region[outbreak]):
            homes = outbreak[world.home_region[outbreak] == r]
            need = round(self.cfg.support_nurses_per_outbreak_home * homes.size)
            sent = free[s.region[free] == r][:need]
            s.workplace[sent] = world.home_workplace[homes[np.arange(sent.size) % homes.size]]
