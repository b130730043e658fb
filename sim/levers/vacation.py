"""Summer vacation: kept, postponed or cancelled for hospital staff (``[levers.vacation]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import numpy as np
from pydantic import Field

from sim import kernels
from sim.categories import ACTIVE, ACUTE_WARD, ELECTIVE, HOME_CARE, NURSING_HOME, OFF_DUTY, PERMANENT, PRIMARY_CARE, UNIT_KINDS
from sim.levers.base import Lever
from sim.schema import Date, _Section, at_most
from sim.world import stable_argsort

if TYPE_CHECKING:
    from sim.model import MobilisationModel

#: Units whose demand falls while their staff are on vacation (summer substitutes and reduced activity, assumption).
ORDINARY_KINDS = (ACUTE_WARD, ELECTIVE, PRIMARY_CARE, NURSING_HOME, HOME_CARE)
NEVER = -(10**9)  # start day of someone who takes no vacation


class VacationConfig(_Section):
    """Summer vacation: kept, postponed or cancelled for hospital staff."""

    enabled: bool = Field(description="vacations are modelled")
    weeks: Annotated[float, Field(gt=0.0), at_most(52.0, "weeks", "weeks in a year")] = Field(
        description="consecutive summer vacation, weeks, permanent staff"
    )
    window_start: Date = Field(description="first day a summer vacation can start")
    window_end: Date = Field(description="last day of the summer vacation period")
    policy: Literal["keep", "postpone", "cancel"] = Field(description="what happens to hospital staff's vacations")
    postponed_start: Date = Field(description="first day of postponed vacations")
    postponed_end: Date = Field(description="last day of postponed vacations")
    policy_units: list[Literal["icu", "covid_ward", "acute_ward"]] = Field(description="home units whose staff the policy applies to")


class Vacation(Lever):
    """Summer vacation: each permanent staff member takes ``weeks`` in a row; hospital staff's may be postponed or cancelled.

    While staff of ordinary units are on vacation, those units' demand falls in
    proportion (summer substitutes and summer-reduced activity, assumption), and
    so do the ICU's non-COVID patients; COVID patients get no such relief.
    """

    name = "vacation"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg, sc, s, world = self.cfg, model.config, model.world.staff, model.world
        self.length = round(cfg.weeks * 7)
        start = sc.time.start
        home_kind = world.workplace_kind[s.home]
        policy_kinds = np.array([UNIT_KINDS.index(k) for k in cfg.policy_units])
        in_policy = np.isin(home_kind, policy_kinds)
        vacation_u = s.vacation_u  # drawn anew on each read (StaffArrays.draws): once here
        eligible = (s.contract == PERMANENT) & ~np.isnan(vacation_u)
        u = np.nan_to_num(vacation_u)

        def place(first, last) -> np.ndarray:
            span = max((last - first).days + 1 - self.length, 0)
            offset = (first - start).days
            return (offset + np.floor(u * (span + 1))).astype(np.int64)

        self.start_day = np.where(eligible, place(cfg.window_start, cfg.window_end), NEVER)
        if cfg.policy == "postpone":
            self.start_day = np.where(eligible & in_policy, place(cfg.postponed_start, cfg.postponed_end), self.start_day)
        elif cfg.policy == "cancel":
            self.start_day = np.where(in_policy, NEVER, self.start_day)
        self.start_day = self.start_day.astype(np.int32)  # a day index (or NEVER) per person: 4 bytes, not 8 (issue #18)
        self.scheduled = np.flatnonzero(self.start_day > NEVER)
        self.first_day = int(self.start_day[self.scheduled].min()) if self.scheduled.size else 0
        self.last_start = int(self.start_day[self.scheduled].max()) if self.scheduled.size else -1
        self.last_day = self.last_start + self.length if self.scheduled.size else -1
        self.on_vacation = np.zeros(0, dtype=np.int64)
        self.went = np.zeros(s.profession.shape[0], dtype=bool)  # started the vacation (at work on its first day)
        # the scheduled staff by first day of vacation: a day's starters and those away are slices, not a pass over everyone
        by_start = stable_argsort(self.start_day[self.scheduled])
        self._by_start = self.scheduled[by_start]
        self._start_sorted = self.start_day[self._by_start]
        self._ordinary = np.isin(world.workplace_kind, ORDINARY_KINDS)

    def _starting(self, first: int, last: int) -> np.ndarray:
        """Scheduled staff whose vacation starts on a day from ``first`` to ``last`` (both inclusive)."""
        # the bounds in the days' own dtype: a tuple of Python ints would make NumPy copy the whole int32 array to int64
        lo, hi = self._start_sorted.searchsorted(np.array((first, last + 1), dtype=self._start_sorted.dtype))
        return self._by_start[lo:hi]

    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        if not self.first_day <= day < self.last_day:
            self.on_vacation = np.zeros(0, dtype=np.int64)
            return
        s, world = model.world.staff, model.world
        # away today: started earlier (went), or starting today while active (confirmed in act, after the morning placement)
        self.on_vacation, away = kernels.on_vacation(
            ids=self._starting(day - self.length + 1, day),
            start_day=self.start_day,
            day=day,
            status=s.status,
            went=self.went,
            home=s.home,
            n_workplaces=world.n_workplaces,
        )
        ordinary = self._ordinary
        share = np.divide(away, model.home_heads, out=np.zeros(world.n_workplaces), where=model.home_heads > 0)
        model.census[ordinary] *= 1.0 - share[ordinary]
        icu = model.icu_ids
        model.census[icu] -= world.census_base[icu] * share[icu]

    def act(self, model: MobilisationModel, day: int) -> None:
        if not self.first_day <= day <= self.last_start:  # nobody's vacation starts today
            return
        s = model.world.staff
        leaving = self._starting(day, day)
        leaving = leaving[s.status[leaving] == ACTIVE]  # not active on the first day (sick, resting): the vacation is lost
        self.went[leaving] = True
        s.status[leaving] = OFF_DUTY
        s.days_left[leaving] = self.length
        s.workplace[leaving] = s.home[leaving]
