"""Rapid training: short courses that let non-ICU nurses support ICU care (``[levers.rapid_training]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from sim.categories import ACTIVE, ACUTE_WARD, ELECTIVE, ICU, ICU_NURSE, N_REGION_KINDS, PROFESSIONS, TRAINING
from sim.levers.base import IndicatorSpec, Lever, rank_within
from sim.schema import LeverConfig, Probability, WholeDays

if TYPE_CHECKING:
    from sim.model import MobilisationModel

ANAESTHESIA_NURSE = PROFESSIONS.index("anaesthesia_nurse")
REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")


class RapidTrainingConfig(LeverConfig):
    """Beredskapslyftet: short courses that let non-ICU nurses support ICU care."""

    max_share: Probability = Field(
        description="largest share of a region's candidates trained (anaesthesia nurses, and registered nurses of acute wards and elective care)"
    )
    registered_nurse_days: WholeDays = Field(description="course length for registered nurses, days")
    anaesthesia_nurse_days: WholeDays = Field(description="course length for anaesthesia nurses, days")
    registered_nurse_effectiveness: Probability = Field(description="ICU care of a trained registered nurse, relative to an ICU nurse")
    anaesthesia_nurse_effectiveness: Probability = Field(description="ICU care of a trained anaesthesia nurse, relative to an ICU nurse")


class RapidTraining(Lever):
    """Non-ICU nurses trained to support ICU care; while their region is escalated they work in its ICU."""

    name = "rapid_training"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "trained_in_icu_peak",
            "Trained nurses in the ICU, peak",
            "nurses",
            None,
            "most non-specialist nurses working as ICU nurses on one day",
        ),
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg = self.cfg
        world, s = model.world, model.world.staff
        n = s.n_regular
        kind = world.workplace_kind[s.home[:n]]
        prof = s.profession[:n]
        candidate = (prof == ANAESTHESIA_NURSE) | ((prof == REGISTERED_NURSE) & np.isin(kind, (ACUTE_WARD, ELECTIVE)))
        ids = np.flatnonzero(candidate)
        # anaesthesia nurses first (fastest to train), then by the fixed priority
        self.candidates = ids[np.lexsort((s.priority[ids], prof[ids] != ANAESTHESIA_NURSE, s.region[ids]))]
        self.max_trained = np.floor(cfg.max_share * np.bincount(s.region[self.candidates], minlength=world.n_regions)).astype(np.int64)
        self.course_days = np.where(prof[self.candidates] == ANAESTHESIA_NURSE, cfg.anaesthesia_nurse_days, cfg.registered_nurse_days)
        self.icu_effect = np.where(
            prof[self.candidates] == ANAESTHESIA_NURSE, cfg.anaesthesia_nurse_effectiveness, cfg.registered_nurse_effectiveness
        )
        self.started = np.zeros(self.candidates.shape[0], dtype=bool)
        self.region = s.region[self.candidates]  # fixed attributes of the candidates, read every day
        self.mean_hours = np.mean(s.normal_max_hours[self.candidates])

    def act(self, model: MobilisationModel, day: int) -> None:
        s, ids = model.world.staff, self.candidates
        on = self.regions_on()
        if not on.any() and not s.trained[ids].any():
            return
        region = self.region
        # start courses up to the forecast ICU nurse gap, at most max_share of the candidates
        gap_heads = np.ceil(model.forecast_icu_nurse_gap / self.mean_hours).astype(np.int64)
        target = np.minimum(gap_heads, self.max_trained) * on
        have = np.bincount(region[self.started], minlength=model.world.n_regions)
        want = np.maximum(target - have, 0)
        if want.any():
            free = ~self.started & (s.status[ids] == ACTIVE) & (s.posting[ids] < 0)
            if free.any():
                pick = np.flatnonzero(free)
                pick = pick[rank_within(region[pick]) < want[region[pick]]]
                self.started[pick] = True
                s.status[ids[pick]] = TRAINING
                s.days_left[ids[pick]] = np.maximum(self.course_days[pick], 1)
                s.workplace[ids[pick]] = s.home[ids[pick]]
        # the trained work in the ICU while their region is escalated (only those who started a course can be trained)
        started = np.flatnonzero(self.started)
        sid = ids[started]
        work = s.trained[sid] & (s.status[sid] == ACTIVE) & (s.posting[sid] < 0) & on[region[started]]
        sel = sid[work]
        s.workplace[sel] = s.region[sel].astype(np.int64) * N_REGION_KINDS + ICU
        s.role[sel] = ICU_NURSE
        s.effectiveness[sel] *= self.icu_effect[started[work]]
