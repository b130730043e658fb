"""Temporary recruits: retired and former staff, students, people from other sectors (``[levers.recruitment]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.categories import ACTIVE, OTHER_SECTOR, RESERVE, RETIRED, STUDENT, TRAINING
from sim.levers.base import Lever, rank_within

if TYPE_CHECKING:
    from sim.model import MobilisationModel

RECRUIT_CONTRACTS = (RETIRED, STUDENT, OTHER_SECTOR)


class Recruitment(Lever):
    """Temporary recruits from the regions' reservoirs: onboarding, then basic care; released after the wave.

    The recruits are rows of the staff arrays in reserve from the start (``world.build_world``); the
    recorder books their pay (``temps``).
    """

    name = "recruitment"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        s = model.world.staff
        self.recruits = np.flatnonzero(np.isin(s.contract, RECRUIT_CONTRACTS))
        self.reservoir = np.bincount(s.region[self.recruits], minlength=model.world.n_regions)
        self.onboarding = {RETIRED: 0, STUDENT: 0, OTHER_SECTOR: 0}
        names = {"retired": RETIRED, "student": STUDENT, "other_sector": OTHER_SECTOR}
        for kind, res in self.cfg.reservoirs.items():
            self.onboarding[names[kind]] = res.onboarding_days
        self.normal_days = np.zeros(model.world.n_regions, dtype=np.int64)

    def act(self, model: MobilisationModel, day: int) -> None:
        s, ids = model.world.staff, self.recruits
        if ids.size == 0:
            return
        on = self.regions_on()
        self.normal_days = np.where(model.levels == 0, self.normal_days + 1, 0)
        # release: back in reserve once the region has been at normal level long enough
        release = self.normal_days >= self.cfg.release_after_days
        going = ids[(s.status[ids] == ACTIVE) & release[s.region[ids]]]
        s.status[going] = RESERVE
        # recruit: each region in escalation calls up to daily_share of its reservoir a day
        waiting = ids[(s.status[ids] == RESERVE) & on[s.region[ids]]]
        if waiting.size == 0:
            return
        per_day = np.ceil(self.cfg.daily_share * self.reservoir).astype(np.int64)
        rank = rank_within(s.region[waiting])
        called = waiting[rank < per_day[s.region[waiting]]]
        days = np.array([self.onboarding.get(int(c), 0) for c in range(OTHER_SECTOR + 1)])[s.contract[called]]
        s.status[called] = np.where(days > 0, TRAINING, ACTIVE)
        s.days_left[called] = days
