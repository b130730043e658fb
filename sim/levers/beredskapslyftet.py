"""Beredskapslyftet: short university courses in basic nursing care for new staff (``[levers.beredskapslyftet]``).

The memo (seed 004): "Inom ramen för det så kallade beredskapslyftet har kortare kurser med basal omvårdnadskunskap
erbjudits av lärosäten", beside the recruits from other sectors who were rapidly trained. New staff are the recruits of
the ``recruitment`` lever (retired and former staff, students, other sectors; and ``municipal``: people from other
sectors recruited into municipal elderly care). The courses:

- universities start them ``lead_time_days`` after the lever is first on in any region (a national programme); from
  then, while a region's lever is on, its recruits who are called up and have not taken the course are offered a place;
- a national capacity of ``places_per_day`` course starts a day (full scale; times ``world.scale``, fractions carried
  to the next day), shared between regions in turn; recruits still in onboarding first (the course replaces the rest
  of it), then working recruits, least effective first (they leave work for the course);
- a course lasts ``course_days`` (status ``training``); a graduate works in basic care (the reservoir's workplace: a
  COVID ward, a nursing home or home care) at ``effectiveness_after`` of a regular member of the profession (their
  own if higher), from the next day on and for the rest of the run (also when called up again), and their skill in
  basic hygiene routines is raised to at least ``hygiene_after`` (``world.staff.hygiene``, where the model has it);
- each course place costs ``cost_per_place_sek`` (cost item ``courses``), booked on the day it starts.

Recruits without the course keep the recruitment lever's behaviour (their reservoir's effectiveness).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

import numpy as np
from pydantic import Field

from sim.categories import ACTIVE, TRAINING
from sim.levers.base import IndicatorSpec, Lever, rank_within
from sim.levers.recruitment import RECRUIT_CONTRACTS
from sim.schema import CostSek, LeverConfig, Probability, WholeDays, at_most

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

MAX_PLACES_PER_DAY = 100_000.0
PlacesPerDay = Annotated[float, Field(ge=0.0), at_most(MAX_PLACES_PER_DAY, "course places a day", "more than all recruits at once")]
CourseDays = Annotated[int, Field(ge=1), at_most(365, "days", "a short course lasts days or weeks")]


class BeredskapslyftetConfig(LeverConfig):
    """Beredskapslyftet: short university courses in basic nursing care for new staff (the recruitment lever's recruits).

    Per region (``[levers.beredskapslyftet.regions.<region>]``): ``enabled`` and ``start_level`` (a region's recruits are
    offered places while the lever is on there). Capacity, lead time, course and its effect are national. The table may
    be left out (off; its keys then take the defaults here, which are sweden_spring2020.toml's values).
    """

    lead_time_days: WholeDays = Field(
        14, description="days from the first day the lever is on in any region until universities start courses"
    )
    places_per_day: PlacesPerDay = Field(
        100.0, description="course places that can start each day nationally, at full scale (times world.scale)"
    )
    course_days: CourseDays = Field(5, description="length of a course, days (the recruit does not work meanwhile)")
    effectiveness_after: Probability = Field(
        0.7, description="a graduate's care per hour in basic care relative to regular staff of the profession (their own if higher)"
    )
    hygiene_after: Probability = Field(0.7, description="a graduate's skill in basic hygiene routines is raised to at least this (0–1)")
    cost_per_place_sek: CostSek = Field(10000.0, description="cost of one course place (university fee and course material), SEK")


class Beredskapslyftet(Lever):
    """Course places for the recruits; graduates work in basic care at a higher effectiveness and with basic hygiene."""

    name = "beredskapslyftet"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "beredskapslyftet_graduates",
            "Recruits through a basic-care course",
            "staff",
            None,
            "recruits who completed a beredskapslyftet course in basic nursing care (course places used and finished)",
        ),
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        s = model.world.staff
        self.recruits = np.flatnonzero(np.isin(s.contract, RECRUIT_CONTRACTS))
        self.region = s.region[self.recruits].astype(np.int64)
        n = self.recruits.size
        self.in_course = np.zeros(n, dtype=bool)
        self.graduated = np.zeros(n, dtype=bool)
        self.course_start = np.full(n, -1, dtype=np.int64)  # day each recruit's course started (-1 none)
        self.first_on_day: int | None = None  # first day the lever was on in any region
        self.open_day: int | None = None  # first day courses run (lead time after the lever is first on)
        self._carry = 0.0  # fractions of a place carried to the next day
        self.started_today = np.zeros(model.world.n_regions, dtype=np.int64)
        self.graduated_today = np.zeros(model.world.n_regions, dtype=np.int64)

    def act(self, model: MobilisationModel, day: int) -> None:
        self.started_today[:] = 0
        self.graduated_today[:] = 0
        if self.recruits.size == 0:
            return
        s, ids, cfg = model.world.staff, self.recruits, self.cfg
        self._graduate(model)
        on = self.regions_on()
        if self.open_day is None:
            if not on.any():
                return
            self.first_on_day, self.open_day = day, day + cfg.lead_time_days
        if day < self.open_day or not on.any():
            return
        # today's places: the national capacity at the model's scale, fractions carried over
        capacity = cfg.places_per_day * model.config.world.scale + self._carry
        places = int(np.floor(capacity))
        self._carry = capacity - places
        if places <= 0:
            return
        status = s.status[ids]
        onboarding = (status == TRAINING) & ~self.in_course
        working = (status == ACTIVE) & (s.posting[ids] < 0)
        free = (onboarding | working) & ~self.in_course & ~self.graduated & on[self.region]
        pick = np.flatnonzero(free)
        if pick.size == 0:
            self._carry = 0.0  # unused places are not kept
            return
        # regions in turn (each region's first, then each region's second, ...); within a region recruits in onboarding
        # first, then the least effective, then by id
        pick = pick[np.lexsort((pick, s.base_effectiveness[ids[pick]], ~onboarding[pick], self.region[pick]))]
        turn = rank_within(self.region[pick])
        pick = pick[np.lexsort((self.region[pick], turn))][:places]
        sel = ids[pick]
        self.in_course[pick] = True
        self.course_start[pick] = day
        s.status[sel] = TRAINING
        s.days_left[sel] = np.maximum(s.days_left[sel], cfg.course_days)
        s.workplace[sel] = s.home[sel]
        self.started_today[:] = np.bincount(self.region[pick], minlength=self.started_today.size)

    def _graduate(self, model: MobilisationModel) -> None:
        """Recruits whose course ended (the core made them active): higher effectiveness from today, basic hygiene."""
        if not self.in_course.any():  # nobody in a course (most days): nothing to look up over the recruits
            return
        s, ids, cfg = model.world.staff, self.recruits, self.cfg
        done = np.flatnonzero(self.in_course & (s.status[ids] != TRAINING))
        if done.size == 0:
            return
        self.in_course[done] = False
        self.graduated[done] = True
        sel = ids[done]
        s.base_effectiveness[sel] = np.maximum(s.base_effectiveness[sel], cfg.effectiveness_after)
        s.effectiveness[sel] = s.base_effectiveness[sel]  # today's placement was reset from the old value
        if hasattr(s, "hygiene"):  # basic hygiene routines (issue #16, the homes' helper owns the skill)
            s.hygiene[sel] = np.maximum(s.hygiene[sel], cfg.hygiene_after)  # the kernels read the skill itself
        self.graduated_today[:] = np.bincount(self.region[done], minlength=self.graduated_today.size)

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        cost[:, recorder.cost_index["courses"]] += self.started_today * self.cfg.cost_per_place_sek
        recorder.course_graduates[day] = self.graduated_today

    @property
    def graduates(self) -> int:
        """Recruits who have completed the course so far."""
        return int(self.graduated.sum())
