"""Stable teams, fewer hourly temps and cohort care in nursing homes (``[levers.nursing_home_measures]``).

The regions' nurses sent to homes with outbreaks (the former ``regional_support``) are the lever ``mobile_teams``
(``sim.levers.mobile_teams``); a scenario that still sets ``regional_support`` here is refused with a pointer to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import Field, model_validator

from sim import kernels
from sim.categories import PERMANENT
from sim.levers.base import Lever
from sim.schema import Date, LeverConfig, Probability, WeeklyHours, _KeyedValueError

if TYPE_CHECKING:
    from sim.model import MobilisationModel

#: Keys of this table before issue #16 that moved to ``[levers.mobile_teams]``, with the key they became there.
MOVED_TO_MOBILE_TEAMS = {"regional_support": "enabled", "support_nurses_per_outbreak_home": "nurses_per_outbreak_home"}


class NursingHomeMeasuresConfig(LeverConfig):
    """Stable teams, fewer (or no) hourly temps, cohort care.

    Per region (``[levers.nursing_home_measures.regions.<region>]``): ``enabled`` and ``start_level``; which measures
    are taken, and how, is national.
    """

    stable_teams: bool = Field(description="hourly staff work in one home only")
    stable_teams_from: Date | None = Field(
        None,
        description="from this day stable teams hold in every region where the lever is enabled, whatever its escalation level "
        "(a national practice); none: only where and while the lever acts (start_level or national window)",
    )
    ban_hourly_temps: bool = Field(description="hourly staff are not called in; permanent staff work overtime instead")
    hourly_share_cut: Probability = Field(
        0.0,
        description="share of each home's hourly staff no longer called in while the lever acts (the same people throughout, "
        "a fixed draw); permanent staff cover with extra hours up to overtime_max_weekly_hours. 1 is the ban; ban_hourly_temps "
        "= true means 1",
    )
    overtime_max_weekly_hours: WeeklyHours = Field(
        description="working time cap of permanent home staff while hourly temps are banned or cut"
    )
    cohort_care: bool = Field(description="infected residents cared for apart")
    cohort_transmission_factor: Probability = Field(description="transmission among residents under cohort care, relative to without")

    @model_validator(mode="before")
    @classmethod
    def _moved_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, new in MOVED_TO_MOBILE_TEAMS.items():
                if key in data:
                    raise _KeyedValueError(
                        key,
                        f"moved (issue #16): the regions' nurses sent to homes with outbreaks are the lever [levers.mobile_teams]; "
                        f"write levers.mobile_teams.{new} there instead of levers.nursing_home_measures.{key}",
                    )
        return data

    @property
    def cut_share(self) -> float:
        """Share of hourly home staff not called in while the lever acts (1 under the ban)."""
        return 1.0 if self.ban_hourly_temps else self.hourly_share_cut


class NursingHomeMeasures(Lever):
    """Stable teams, fewer hourly temps (overtime instead), cohort care.

    Fewer hourly temps: while the lever acts in a region, the hourly home staff whose fixed draw (``priority``) falls
    below ``cut_share`` are kept in reserve (not called in); the region's permanent home staff may then work up to
    ``overtime_max_weekly_hours``. The recorder books the contracted pay of hourly staff kept in reserve as a negative
    cost (``banned_temps_saved``).
    """

    name = "nursing_home_measures"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        world, s = model.world, model.world.staff
        self.hourly = world.hourly_home_staff
        nh = world.nursing_home_staff
        self.permanent = nh[s.contract[nh] == PERMANENT]
        # the hourly staff not called in while the lever acts: the same people every day (a fixed draw of the layout)
        self.cut = self.hourly[s.priority[self.hourly] < self.cfg.cut_share]
        self.banned = np.zeros(world.n_regions, dtype=bool)
        start = self.cfg.stable_teams_from
        self.stable_from = None if start is None else (start - model.config.time.start).days

    def act(self, model: MobilisationModel, day: int) -> None:
        cfg, world = self.cfg, model.world
        on = self.regions_on()
        if cfg.stable_teams:
            if self.stable_from is None:
                model.hourly_other_home_share[on] = 0.0
            elif day >= self.stable_from:
                model.hourly_other_home_share[self.enabled_regions()] = 0.0
        if cfg.cohort_care:
            model.nh_transmission[on[world.home_region]] *= cfg.cohort_transmission_factor
        if cfg.cut_share > 0.0:
            self._cut(model, on)

    def enabled_regions(self) -> np.ndarray:
        """Boolean per region: the lever is enabled there (nationally, or by its region table). Read once (issue #18), so
        read-only: a caller that wants to change it takes a copy."""
        if "_enabled" not in self.__dict__:  # (per_region: the national value where no region table sets one)
            self._enabled = self.per_region("enabled").astype(bool)
            self._enabled.flags.writeable = False
        return self._enabled

    def _cut(self, model: MobilisationModel, on: np.ndarray) -> None:
        """Hourly temps kept in reserve where the lever acts (back where it stopped), overtime for the permanent staff
        there instead (kernels.cut_hourly_home_staff)."""
        s = model.world.staff
        kernels.cut_hourly_home_staff(
            cut=self.cut,
            permanent=self.permanent,
            region=s.region,
            status=s.status,
            posting=s.posting,
            workplace=s.workplace,
            home=s.home,
            max_hours=s.max_hours,
            banned=self.banned,
            on=on,
            overtime_max_hours=self.cfg.overtime_max_weekly_hours / 7.0,
        )
