"""A regional reserve roster recruited from the stocks of the run: retirees and part-timers (``[levers.reserves]``).

Issue #17, item 3: reserves that come from somewhere. Needs ``[supply]`` (the retirees are the supply side's ``RETIREE``
rows). On the first day of each month (``Lever.month``, before the supply's step; on quiet steps too):

- staff who retired since the last month are noted with the day of that step (the supply's retirements happen on a
  month's first day); a retiree counts as a candidate for ``max_years_retired`` years after (pipeline facts P44:
  Kronoberg called those just retired, up to 70);
- members who left the profession, retirees past ``max_years_retired``, part-timers who retired, and a share of the
  rest (``attrition_per_year``) leave the roster (members called today stay until released);
- members due for a refresher (``refresher_every_months`` after their last training) attend it with probability
  ``refresher_attendance`` (at ``refresher_cost_sek`` each); a member whose last training is more than
  ``training_valid_months`` old has lapsed: called at ``lapsed_effectiveness`` (0: not called at all);
- candidates join with probability ``retiree_join_share_per_month`` (retirees) or ``part_time_join_share_per_month``
  (regular staff, not pool members, working below ``part_time_below`` of full time), those with the lowest draws first,
  until each profession's roster reaches ``target`` (full scale, times ``world.scale``); retirees first, part-timers up
  to ``part_time_share`` of the target. A new member
  takes the first training at ``refresher_cost_sek``;
- the roster's upkeep, ``upkeep_per_year_sek`` per member a year, is booked a month at a time.

Each day (``act``) a region where the lever is on (``start_level``, like national_pool and recruitment call people)
calls its deployable members: a retiree goes back to work at their former unit (``RETIREE`` → ``ACTIVE``, rested), a
part-timer works up to ``called_fte`` of full time (their hours' cap raised, every called day). After
``release_after_days`` days back at normal level the region releases them: retirees go back to ``RETIREE``, part-timers
to their hours. Costs (SEK at the model's scale, in the summary only: the cost items of the daily frames are left as
they are): upkeep, refreshers, and the contracted pay of called retirees' hours (their overtime, and part-timers' added
hours above their contract, fall in the overtime item as anyone's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from sim import kernels
from sim.categories import ACTIVE, LEFT, N_PROFESSIONS, PROFESSIONS, RETIREE
from sim.levers.base import Lever, rank_within
from sim.schema import CostSek, Factor, LeverConfig, NonNegative, Probability, WholeDays, _profession_keys, at_most
from sim.supply import EMPLOYED_STATUSES, monthly_probability

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

NONE, FROM_RETIREES, FROM_PART_TIME = 0, 1, 2
#: Summary columns of a run with the lever on (registered in ``sim.indicators``); a run without it has none.
SUMMARY_COLUMNS = (
    "reserves_roster_end",
    "reserves_roster_peak",
    "reserves_refreshed_share_end",
    "reserves_called",
    "reserves_retiree_hours",
    "reserves_cost_sek",
)
Months = Annotated[int, Field(ge=0), at_most(240, "months", "20 years")]
Years = Annotated[float, Field(ge=0.0), at_most(50.0, "years", "a working life")]

DEFAULT_TARGET = {"icu_nurse": 300.0, "anaesthesia_nurse": 100.0, "registered_nurse": 1500.0, "assistant_nurse": 1500.0}


class ReservesConfig(LeverConfig):
    """A reserve roster recruited month by month from the run's retirees and part-timers, called when regions escalate.

    Needs ``[supply] enabled = true``. Per region (``[levers.reserves.regions.<region>]``): ``enabled`` and
    ``start_level`` (when a region calls its members). Targets, willingness, refreshers and costs are national.
    """

    target: dict[str, NonNegative] = Field(
        default_factory=lambda: dict(DEFAULT_TARGET),
        description="profession -> reservists wanted, national, at full scale (assumption: no published target)",
    )
    from_retirees: bool = Field(True, description="recruit staff who retired during the run (the supply's RETIREE rows)")
    from_part_time: bool = Field(True, description="recruit regular staff working part time, who add hours when called")
    max_years_retired: Years = Field(
        5.0, description="years after retirement a retiree may join and stay (pipeline facts P44: Kronoberg called those up to age 70)"
    )
    retiree_join_share_per_month: Probability = Field(
        0.05,
        description="share of candidate retirees who join each month (assumption; context pipeline facts P31 6 in 10 willing, "
        "P42 1 in 8 returned within 4 years, P45 older hourly staff left in 2020)",
    )
    part_time_join_share_per_month: Probability = Field(
        0.01,
        description="share of candidate part-timers who join each month (assumption; pipeline facts P46: half work part time to recover)",
    )
    part_time_below: Probability = Field(
        1.0,
        description="employment level (share of full time) below which a member of staff counts as part time (assumption: "
        "workforce.fte_permanent is a mean, pipeline facts P46 about 30 % part time)",
    )
    part_time_share: Probability = Field(
        0.5, description="largest share of each profession's target filled by part-timers (the rest is left to retirees; assumption)"
    )
    called_fte: Factor = Field(1.0, description="a called part-timer works up to this share of full time (their cap of hours raised)")
    attrition_per_year: Probability = Field(0.1, description="yearly probability that a member leaves the roster (assumption)")
    refresher_every_months: Months = Field(
        12, description="months between a member's refreshers (0: no refreshers after the first training; assumption)"
    )
    training_valid_months: Annotated[int, Field(ge=1), at_most(240, "months", "20 years")] = Field(
        12, description="months a training keeps a member fully deployable; after that the member has lapsed (assumption)"
    )
    refresher_attendance: Probability = Field(
        0.9, description="probability that a member due for a refresher attends it that month (assumption)"
    )
    lapsed_effectiveness: Probability = Field(
        0.0, description="care per hour of a called member whose training has lapsed, relative to their own (0: not called; assumption)"
    )
    refresher_cost_sek: CostSek = Field(
        6000.0, description="cost of a training or refresher per member: two paid days and a fee, SEK (assumption)"
    )
    upkeep_per_year_sek: CostSek = Field(
        5000.0, description="cost of keeping one member on the roster a year (retainer, administration), SEK (assumption)"
    )
    release_after_days: WholeDays = Field(
        14, description="days back at normal level before a region releases its called members (assumption)"
    )

    @field_validator("target")
    @classmethod
    def _professions(cls, value: dict[str, float]) -> dict[str, float]:
        return _profession_keys(value)


class Reserves(Lever):
    """The reserve roster: recruited monthly from retirees and part-timers (``month``), called while regions escalate
    (``act``). Attributes per staff row: ``kind`` (0 none, 1 retiree member, 2 part-time member), ``called``,
    ``trained_month`` (month number of the last training), ``retired_day`` (the supply step that retired them)."""

    name = "reserves"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg, s = self.cfg, model.world.staff
        n = len(s)
        self.kind = np.zeros(n, dtype=np.int8)
        self.called = np.zeros(n, dtype=bool)
        self.trained_month = np.full(n, -(10**6), dtype=np.int64)
        self.workforce = s.workforce_rows()
        self.full_hours = model.config.workforce.weekly_hours / 7.0
        self.target = np.zeros(N_PROFESSIONS, dtype=np.int64)
        for p, v in cfg.target.items():
            self.target[PROFESSIONS.index(p)] = round(v * model.config.world.scale)
        self.normal_days = np.zeros(model.world.n_regions, dtype=np.int64)
        self.calls = 0
        self.upkeep_sek = self.refresher_sek = self.pay_sek = self.retiree_hours = 0.0
        self.left_roster = 0
        self.months: list[dict] = []

    @property
    def retired_day(self) -> np.ndarray:
        """The supply step on which each row retired (-1: never; ``Supply.retired_day``)."""
        return self.model.supply.retired_day

    # ------------------------------------------------------------------ the slow clock
    def month(self, model: MobilisationModel, day: int) -> None:
        cfg, s = self.cfg, model.world.staff
        key = np.uint64(kernels.day_key(seed=model.seed, day=day))
        date = model.dates[day]
        m = date.year * 12 + date.month
        # who leaves the roster (members called now stay until released)
        members = np.flatnonzero((self.kind > NONE) & ~self.called)
        status, kind = s.status[members], self.kind[members]
        too_old = (kind == FROM_RETIREES) & (day - self.retired_day[members] > cfg.max_years_retired * 365.25)
        gone = (status == LEFT) | too_old | ((kind == FROM_PART_TIME) & (status == RETIREE))
        u = kernels.uniforms(key=key, ids=members, event=kernels.EV_RESERVE_ATTRITION)
        gone |= u < monthly_probability(cfg.attrition_per_year)
        self.kind[members[gone]] = NONE
        self.left_roster += int(gone.sum())
        # refreshers
        refreshers = 0
        if cfg.refresher_every_months > 0:
            members = np.flatnonzero(self.kind > NONE)
            due = members[m - self.trained_month[members] >= cfg.refresher_every_months]
            attend = due[kernels.uniforms(key=key, ids=due, event=kernels.EV_RESERVE_REFRESH) < cfg.refresher_attendance]
            self.trained_month[attend] = m
            refreshers += attend.size
        # recruitment up to each profession's target, retirees first
        roster = np.bincount(s.profession[self.kind > NONE], minlength=N_PROFESSIONS)
        for source, share, candidates in (
            (FROM_RETIREES, cfg.retiree_join_share_per_month, self._retiree_candidates(model, day) if cfg.from_retirees else None),
            (FROM_PART_TIME, cfg.part_time_join_share_per_month, self._part_time_candidates(model) if cfg.from_part_time else None),
        ):
            if candidates is None or candidates.size == 0 or share <= 0.0:
                continue
            room = self.target - roster
            if source == FROM_PART_TIME:
                part_time = np.bincount(s.profession[self.kind == FROM_PART_TIME], minlength=N_PROFESSIONS)
                room = np.minimum(room, np.floor(self.target * cfg.part_time_share).astype(np.int64) - part_time)
            candidates = candidates[room[s.profession[candidates]] > 0]
            u = kernels.uniforms(key=key, ids=candidates, event=kernels.EV_RESERVE_JOIN)
            willing = candidates[u < share]
            willing = willing[np.argsort(u[u < share], kind="stable")]
            prof = s.profession[willing]
            join = willing[rank_within(prof) < room[prof]]
            self.kind[join] = source
            self.trained_month[join] = m
            refreshers += join.size
            roster += np.bincount(s.profession[join], minlength=N_PROFESSIONS)
        size = int(roster.sum())
        self.refresher_sek += refreshers * cfg.refresher_cost_sek
        self.upkeep_sek += size * cfg.upkeep_per_year_sek / 12.0
        members = np.flatnonzero(self.kind > NONE)
        self.months.append(
            {
                "date": pd.Timestamp(date),
                "roster": size,
                "retirees": int((self.kind == FROM_RETIREES).sum()),
                "part_time": int((self.kind == FROM_PART_TIME).sum()),
                "refreshed": int(self.refreshed(model, members).sum()),
                "refreshers": refreshers,
                "retiree_stock": int(self._retiree_candidates(model, day, members_too=True).size),
            }
        )

    def _retiree_candidates(self, model: MobilisationModel, day: int, members_too: bool = False) -> np.ndarray:
        """Retirees of the run within ``max_years_retired`` of their retirement (not members unless ``members_too``)."""
        s, rows = model.world.staff, self.workforce
        ok = (s.status[rows] == RETIREE) & (self.retired_day[rows] >= 0)
        ok &= day - self.retired_day[rows] <= self.cfg.max_years_retired * 365.25
        if not members_too:
            ok &= self.kind[rows] == NONE
        return rows[ok]

    def _part_time_candidates(self, model: MobilisationModel) -> np.ndarray:
        """Employed regular staff below ``part_time_below`` of full time, not members, not in the national pool."""
        s, rows = model.world.staff, self.workforce
        ok = np.isin(s.status[rows], EMPLOYED_STATUSES) & (self.kind[rows] == NONE)
        ok &= s.base_hours_by_contract[s.contract[rows]] < self.cfg.part_time_below * self.full_hours - 1e-9
        pool = model.pool
        if pool is not None and not pool.additional:
            ok &= ~np.isin(rows, pool.members)
        return rows[ok]

    def refreshed(self, model: MobilisationModel, ids: np.ndarray) -> np.ndarray:
        """Boolean per member of ``ids``: trained within ``training_valid_months`` (not lapsed) today."""
        date = model.dates[min(model.day, model.n_days - 1)]
        return (date.year * 12 + date.month) - self.trained_month[ids] <= self.cfg.training_valid_months

    # ------------------------------------------------------------------ the days
    def act(self, model: MobilisationModel, day: int) -> None:
        cfg, s = self.cfg, model.world.staff
        self.normal_days = np.where(model.levels == 0, self.normal_days + 1, 0)
        members = np.flatnonzero(self.kind > NONE)
        left = members[s.status[members] == LEFT]  # members who left the profession (the supply's or the core's leaving)
        if left.size:
            self.called[left] = False
            self.kind[left] = NONE
            self.left_roster += left.size
        called = np.flatnonzero(self.called)
        if called.size:  # the called members are released after the wave
            release = self.normal_days[s.region[called]] >= cfg.release_after_days
            going = called[release & (s.posting[called] < 0)]
            back = going[self.kind[going] == FROM_RETIREES]
            s.status[back] = RETIREE
            s.days_left[back] = 0
            s.workplace[back] = s.home[back]
            self.called[going] = False
        on = self.regions_on()
        if on.any():
            members = np.flatnonzero((self.kind > NONE) & ~self.called)
            members = members[on[s.region[members]]]
            if cfg.lapsed_effectiveness <= 0.0:
                members = members[self.refreshed(model, members)]
            kind, status = self.kind[members], s.status[members]
            ready = ((kind == FROM_RETIREES) & (status == RETIREE)) | ((kind == FROM_PART_TIME) & np.isin(status, EMPLOYED_STATUSES))
            sel = members[ready]
            back = sel[self.kind[sel] == FROM_RETIREES]
            s.status[back] = ACTIVE
            s.days_left[back] = 0
            s.workplace[back] = s.home[back]
            s.role[back] = s.profession[back]
            s.fatigue[back] = 0.0
            s.fatigue_sustained[back] = 0.0
            self.called[sel] = True
            self.calls += sel.size
        called = np.flatnonzero(self.called)
        if called.size:  # today's effect of the called: part-timers' cap of hours, lapsed members' care per hour
            at_work = called[(s.status[called] == ACTIVE) & (s.posting[called] < 0)]
            pt = at_work[self.kind[at_work] == FROM_PART_TIME]
            s.max_hours[pt] += np.maximum(cfg.called_fte * self.full_hours - s.base_hours_by_contract[s.contract[pt]], 0.0)
            lapsed = at_work[~self.refreshed(model, at_work)]
            s.effectiveness[lapsed] *= cfg.lapsed_effectiveness

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        s = recorder.model.world.staff
        back = np.flatnonzero(self.called & (self.kind == FROM_RETIREES))
        if back.size:
            hours = s.hours_worked[back]
            self.retiree_hours += float(hours.sum())
            self.pay_sek += float((np.minimum(hours, s.base_hours_by_contract[s.contract[back]]) * recorder.wage[s.profession[back]]).sum())

    def at_rest(self, model: MobilisationModel) -> bool:
        return not self.called.any()

    @property
    def roster(self) -> np.ndarray:
        """Staff rows on the roster now (a member who left the profession since the lever last looked is not)."""
        members = np.flatnonzero(self.kind > NONE)
        return members[self.model.world.staff.status[members] != LEFT]

    @property
    def monthly(self) -> pd.DataFrame:
        """One row per month: roster size (retirees, part-timers), refreshed members, trainings held, and the stock of
        retirees within ``max_years_retired`` (members or not)."""
        columns = ["date", "roster", "retirees", "part_time", "refreshed", "refreshers", "retiree_stock"]
        return pd.DataFrame(self.months, columns=columns)

    def summary(self, days: int) -> dict[str, float]:
        assert self.model is not None
        roster = self.roster
        peak = max((r["roster"] for r in self.months), default=0)
        return {
            "reserves_roster_end": int(roster.size),
            "reserves_roster_peak": int(max(peak, roster.size)),
            "reserves_refreshed_share_end": float(self.refreshed(self.model, roster).mean()) if roster.size else 0.0,
            "reserves_called": int(self.calls),
            "reserves_retiree_hours": float(self.retiree_hours),
            "reserves_cost_sek": float(self.upkeep_sek + self.refresher_sek + self.pay_sek),
        }
