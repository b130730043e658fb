"""Hygiene training: short web courses and films in basic hygiene routines for municipal care staff (``[levers.hygiene_training]``).

The council's memo: "På äldreboenden har utbildningar i basala hygienrutiner kompletterats med filmer som visar
praktiska moment"; IVO found that assistant nurses and care aides often lacked basic hygiene skills. From the day a
region decides (the lever on there: its ``start_level`` or a national window), after ``lead_time_days``, each day
``places_per_day_share`` of the region's eligible staff (working in the ``workplaces`` kinds, of the ``professions``,
hourly staff only with ``hourly``) who have not yet attended and are at work take the course, in their fixed priority
order, until all have; a course, once decided, goes on after the window. An attendee's hygiene skill becomes at least
``hygiene_after`` (the kernels compute their transmission factor from it). The course hours are paid on top of
the day's work: cost ``course_hours`` × the profession's wage with fees per attendee (``hygiene_training``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator

from sim import kernels
from sim.categories import HOURLY, MUNICIPAL_UNIT_KINDS, PROFESSIONS, UNIT_KINDS
from sim.levers.base import Lever
from sim.schema import LeverConfig, Probability, WholeDays, _KeyedValueError, at_most
from sim.world import priority_order

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder


class HygieneTrainingConfig(LeverConfig):
    """Short courses in basic hygiene routines for municipal care staff, after a lead time, a share of them a day.

    Per region (``[levers.hygiene_training.regions.<region>]``): ``enabled``, ``start_level`` and ``places_per_day_share``.
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "places_per_day_share")

    start_level: Literal["staffing_alert", "crisis"] = Field(
        "staffing_alert", description="escalation level at which a region decides on the courses"
    )
    lead_time_days: WholeDays = Field(14, description="days from a region's decision until its first courses")
    course_hours: Annotated[float, Field(ge=0.0), at_most(80.0, "hours", "two working weeks")] = Field(
        3.0, description="paid hours of one person's course (web course and films)"
    )
    places_per_day_share: Probability = Field(0.02, description="share of the region's eligible staff who can attend a course each day")
    professions: list[str] = Field(
        default_factory=lambda: ["registered_nurse", "assistant_nurse", "care_aide"], description="professions who attend"
    )
    workplaces: list[Literal["nursing_home", "home_care"]] = Field(
        default_factory=lambda: list(MUNICIPAL_UNIT_KINDS), description="where the attendees work: nursing_home, home_care"
    )
    hourly: bool = Field(True, description="hourly staff attend too")
    hygiene_after: Probability = Field(0.8, description="hygiene skill of an attendee after the course (at least)")

    @field_validator("professions")
    @classmethod
    def _professions(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in PROFESSIONS:
                raise _KeyedValueError(name, f"unknown profession (expected some of {', '.join(PROFESSIONS)})")
        return value


class HygieneTraining(Lever):
    """Raise the hygiene skill of municipal care staff, a share of them a day, after a lead time (see the module)."""

    name = "hygiene_training"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg, world, s = self.cfg, model.world, model.world.staff
        rows = s.workforce_rows()  # the staff of the start and the supply's entrants
        kinds = [UNIT_KINDS.index(k) for k in cfg.workplaces]
        professions = [PROFESSIONS.index(p) for p in cfg.professions]
        ok = np.isin(world.workplace_kind[s.home[rows]], kinds) & np.isin(s.profession[rows], professions)
        if not cfg.hourly:
            ok &= s.contract[rows] != HOURLY
        ids = rows[ok]
        self.eligible = ids[priority_order(s.priority[ids], s.region[ids])]
        self.eligible_in_region = np.bincount(s.region[self.eligible], minlength=world.n_regions)
        # who has not attended yet (indices into eligible, in its order) and their regions: the daily choice reads only
        # them, and once everyone has attended the lever has nothing left to do (it ran every day of a year before)
        self.pending = np.arange(self.eligible.shape[0])
        self.pending_region = s.region[self.eligible]
        self.decided = np.full(world.n_regions, -1, dtype=np.int64)
        self.carry = np.zeros(world.n_regions)  # places not yet whole
        self.nobody = np.zeros(0, dtype=np.int64)
        self.today = self.nobody  # those who attended today
        self.places_share = self.per_region("places_per_day_share").astype(float)

    def act(self, model: MobilisationModel, day: int) -> None:
        s = model.world.staff
        self.today = self.nobody
        if self.pending.size == 0:  # everyone has attended: nothing left to do (`decided` only times the courses of those pending)
            return
        # regions decide when the lever is first on there; where courses run (after the lead time) places accrue
        running, places, any_place = kernels.course_places(
            on=self.regions_on(),
            decided=self.decided,
            carry=self.carry,
            share=self.places_share,
            eligible=self.eligible_in_region,
            lead_time_days=self.cfg.lead_time_days,
            day=day,
        )
        if not any_place:
            return  # no place today: nobody is picked
        # the first `places[r]` active ones pending in each region, in priority order
        ids, self.pending, self.pending_region = kernels.pick_attendees(
            pending=self.pending,
            pending_region=self.pending_region,
            eligible=self.eligible,
            status=s.status,
            running=running,
            places=places,
        )
        s.hygiene[ids] = np.maximum(s.hygiene[ids], self.cfg.hygiene_after)
        self.today = ids

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        if self.today.size:
            s = recorder.model.world.staff
            pay = self.cfg.course_hours * recorder.wage[s.profession[self.today]]
            cost[:, recorder.cost_index["hygiene_training"]] += np.bincount(s.region[self.today], weights=pay, minlength=recorder.n_regions)
