"""Temporary recruits: retired and former staff, students, people from other sectors (``[levers.recruitment]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator

from sim import kernels
from sim.categories import OTHER_SECTOR, PROFESSIONS, RESERVOIR_KINDS, RETIRED, STUDENT
from sim.levers.base import IndicatorSpec, Lever
from sim.schema import LeverConfig, Per100k, Probability, WholeDays, _check_keys, _Section

if TYPE_CHECKING:
    from sim.model import MobilisationModel

RECRUIT_CONTRACTS = (RETIRED, STUDENT, OTHER_SECTOR)


class ReservoirConfig(_Section):
    """People a region can recruit temporarily."""

    per_100k: Per100k = Field(description="people in the reservoir per 100,000 inhabitants")
    profession: str = Field(description="the profession they work as")
    effectiveness: Probability = Field(description="their care relative to regular staff of that profession")
    onboarding_days: WholeDays = Field(description="days of onboarding and basic-care training before work")
    workplace: Literal["covid_ward", "nursing_home", "home_care"] = Field(
        description="where they work (nursing_home, home_care: the region's homes or home-care services in turn, as municipal employees)"
    )

    @field_validator("profession")
    @classmethod
    def _known(cls, value: str) -> str:
        _check_keys({value: 0}, PROFESSIONS, "profession")
        return value


class RecruitmentConfig(LeverConfig):
    """Temporary recruits: retired and former staff, students, people from other sectors.

    Per region (``[levers.recruitment.regions.<region>]``): ``enabled``, ``start_level``, ``daily_share`` and
    ``release_after_days``. A region can switch recruitment off, not on alone: the reservoirs are built with the
    world only when the lever is on nationally. The reservoirs' sizes are national (per 100,000 inhabitants).
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "daily_share", "release_after_days")
    region_may_enable: ClassVar[bool] = False

    reservoirs: dict[Literal["retired", "student", "other_sector", "municipal"], ReservoirConfig] = Field(
        description="reservoirs by kind (municipal: people from other sectors recruited into municipal elderly care)"
    )
    daily_share: Probability = Field(description="share of a reservoir that can start onboarding per day")
    release_after_days: WholeDays = Field(description="days back at normal level before recruits are released")


class Recruitment(Lever):
    """Temporary recruits from the regions' reservoirs: onboarding, then basic care; released after the wave.

    The recruits are rows of the staff arrays in reserve from the start (``world.build_world``); the
    recorder books their pay (``temps``).
    """

    name = "recruitment"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "recruits_working_peak",
            "Recruits working, peak",
            "staff",
            None,
            "most recruits (retired, students, other sectors) working on one day",
        ),
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        s = model.world.staff
        self.recruits = np.flatnonzero(np.isin(s.contract, RECRUIT_CONTRACTS))
        self.reservoir = np.bincount(s.region[self.recruits], minlength=model.world.n_regions)
        # days of onboarding of each staff row (recruits: their reservoir's)
        days = np.array([self.cfg.reservoirs[k].onboarding_days if k in self.cfg.reservoirs else 0 for k in RESERVOIR_KINDS])
        kind = model.world.recruit_reservoir
        self.onboarding_days = np.where(kind >= 0, days[np.maximum(kind, 0)], 0).astype(np.int16)  # per person: 2 bytes (issue #18)
        self.normal_days = np.zeros(model.world.n_regions, dtype=np.int64)
        # per region (the national value where no region table sets one): days at normal level before a release, and
        # how many each region calls up a day
        self.release_after = self.per_region("release_after_days").astype(np.int64)
        self.per_day = np.ceil(self.per_region("daily_share") * self.reservoir).astype(np.int64)

    def act(self, model: MobilisationModel, day: int) -> None:
        s, ids = model.world.staff, self.recruits
        if ids.size == 0:
            return
        # release: back in reserve once the region has been at normal level long enough; recruit: each region in
        # escalation calls up to daily_share of its reservoir a day, in onboarding first if its reservoir has one
        kernels.call_recruits(
            ids=ids,
            region=s.region,
            status=s.status,
            days_left=s.days_left,
            onboarding_days=self.onboarding_days,
            levels=model.levels,
            normal_days=self.normal_days,
            release_after=self.release_after,
            on=self.regions_on(),
            per_day=self.per_day,
        )
