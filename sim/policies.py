"""Mobilisation levers: each a small class configured by its scenario table.

A lever has two hooks, called by ``MobilisationModel.step`` every day in the
order of ``build_levers``:

- ``adjust_demand(model, day)``: change today's census before required hours
  are computed (elective cuts and catch-up, vacation relief);
- ``apply(model, day)``: decide, for the regions at or above the lever's
  escalation level, where staff work today, in which role, with how many hours,
  or whether they are off duty, in training or in reserve.

Levers act on the staff arrays with NumPy on small subsets; the per-staff daily
dynamics stay in the compiled core. Regions escalate in ``Region.assess``
(agents.py); loans are matched by the ``Coordinator`` and the national pool is
sent by the ``ReinforcementPool`` agent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.categories import (
    ACTIVE,
    ACUTE_WARD,
    COVID_WARD,
    ELECTIVE,
    HOME_CARE,
    ICU,
    ICU_NURSE,
    LEVELS,
    N_PROFESSIONS,
    NURSING_HOME,
    OTHER_SECTOR,
    PERMANENT,
    PRIMARY_CARE,
    PROFESSIONS,
    RESERVE,
    RETIRED,
    STUDENT,
    TRAINING,
    UNIT_KINDS,
)
from sim.world import N_REGION_KINDS

if TYPE_CHECKING:
    from sim.model import MobilisationModel

ANAESTHESIA_NURSE = PROFESSIONS.index("anaesthesia_nurse")
REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")
ICU_PHYSICIAN = PROFESSIONS.index("icu_physician")
ORDINARY_KINDS = (ACUTE_WARD, ELECTIVE, PRIMARY_CARE, NURSING_HOME, HOME_CARE)
RECRUIT_CONTRACTS = (RETIRED, STUDENT, OTHER_SECTOR)


def level_index(name: str) -> int:
    """Index of an escalation level name (normal 0, staffing_alert 1, crisis 2)."""
    return LEVELS.index(name)


def lever_on(model: MobilisationModel, start_level: str, config=None) -> np.ndarray:
    """Boolean per region: at or above ``start_level`` today, or inside the lever's national window.

    ``config.national_from`` / ``national_until`` mark a national decision that applies
    the lever in every region between those dates (both inclusive).
    """
    on = model.levels >= level_index(start_level)
    window = getattr(config, "national_from", None) is not None
    if window and config.national_from <= model.dates[model.day] <= config.national_until:
        on = np.ones_like(on)
    return on


def operations_per_day(config, population: np.ndarray) -> np.ndarray:
    """Planned operations per region on a normal day (model scale): the unit of the care debt."""
    return config.levers.redeployment.operations_per_year / 365.0 * population / population.sum() * config.world.scale


class Lever:
    """Base class: a lever that does nothing. Subclasses override the hooks they need."""

    name = "lever"

    def __init__(self, model: MobilisationModel) -> None:
        self.model = model

    def regions_on(self, start_level: str) -> np.ndarray:
        """Boolean per region: the lever acts there today (see ``lever_on``)."""
        return lever_on(self.model, start_level, getattr(self, "cfg", None))

    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        """Change ``model.census`` before required hours are computed."""

    def apply(self, model: MobilisationModel, day: int) -> None:
        """Decide where staff work today."""


# --------------------------------------------------------------------------- always on


class CohortWards(Lever):
    """Every hospital opens COVID cohort wards and staffs them from its acute ward (not a lever: always on).

    Each region sends the share of its acute ward's available staff that the
    COVID ward's still uncovered need calls for (``Region.plan``).
    """

    name = "cohort_wards"

    def apply(self, model: MobilisationModel, day: int) -> None:
        world, s = model.world, model.world.staff
        model.update_covid_ward_supply()
        model.regions.do("plan")
        queue = world.acute_queue
        share = np.stack([r.covid_ward_share for r in model.regions])[queue.region, queue.profession]
        target = queue.region * N_REGION_KINDS + COVID_WARD
        no_limit = np.full(len(queue), -1)
        kernels.deploy_by_priority(
            queue.order, queue.start, queue.members, queue.member_group, share, no_limit, target, no_limit, np.ones(len(queue)),
            s.status, s.home, s.posting, s.workplace, s.role, s.effectiveness,
        )  # fmt: skip


class HourlyStaffMoves(Lever):
    """Hourly nursing-home staff work some days at another home of their municipality (always on)."""

    name = "hourly_staff_moves"

    def apply(self, model: MobilisationModel, day: int) -> None:
        world, s = model.world, model.world.staff
        kernels.place_hourly_staff(
            model.key, world.hourly_home_staff, s.home, s.workplace, s.status, s.region, world.workplace_municipality,
            world.muni_home_start, world.muni_homes, model.hourly_other_home_share, day, s.last_other_home_day,
        )  # fmt: skip


# --------------------------------------------------------------------------- levers


class Vacation(Lever):
    """Summer vacation: each permanent staff member takes ``weeks`` in a row; hospital staff's may be postponed or cancelled.

    While staff of ordinary units are on vacation, those units' demand falls in
    proportion (summer substitutes and summer-reduced activity, assumption), and
    so do the ICU's non-COVID patients; COVID patients get no such relief.
    """

    name = "vacation"

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        cfg, sc, s, world = model.config.levers.vacation, model.config, model.world.staff, model.world
        self.length = round(cfg.weeks * 7)
        start = sc.time.start
        home_kind = world.workplace_kind[s.home]
        policy_kinds = np.array([UNIT_KINDS.index(k) for k in cfg.policy_units])
        in_policy = np.isin(home_kind, policy_kinds)
        eligible = (s.contract == PERMANENT) & ~np.isnan(s.vacation_u)

        def place(first, last) -> np.ndarray:
            span = max((last - first).days + 1 - self.length, 0)
            offset = (first - start).days
            return (offset + np.floor(np.nan_to_num(s.vacation_u) * (span + 1))).astype(np.int64)

        self.start_day = np.where(eligible, place(cfg.window_start, cfg.window_end), -(10**9))
        if cfg.policy == "postpone":
            self.start_day = np.where(eligible & in_policy, place(cfg.postponed_start, cfg.postponed_end), self.start_day)
        elif cfg.policy == "cancel":
            self.start_day = np.where(in_policy, -(10**9), self.start_day)
        self.scheduled = np.flatnonzero(self.start_day > -(10**9))
        self.first_day = int(self.start_day[self.scheduled].min()) if self.scheduled.size else 0
        self.last_day = int(self.start_day[self.scheduled].max()) + self.length if self.scheduled.size else -1
        self.on_vacation = np.zeros(0, dtype=np.int64)
        self.went = np.zeros(s.profession.shape[0], dtype=bool)  # started the vacation (at work on its first day)
        # the scheduled staff by first day of vacation: a day's starters and those away are slices, not a pass over everyone
        by_start = np.argsort(self.start_day[self.scheduled], kind="stable")
        self._by_start = self.scheduled[by_start]
        self._start_sorted = self.start_day[self._by_start]
        self._ordinary = np.isin(world.workplace_kind, ORDINARY_KINDS)

    def _starting(self, first: int, last: int) -> np.ndarray:
        """Scheduled staff whose vacation starts on a day from ``first`` to ``last`` (both inclusive)."""
        lo, hi = np.searchsorted(self._start_sorted, (first, last + 1))
        return self._by_start[lo:hi]

    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        if not self.first_day <= day < self.last_day:
            self.on_vacation = np.zeros(0, dtype=np.int64)
            return
        s, world = model.world.staff, model.world
        # away today: started earlier (went), or starting today while active (confirmed in apply, after the morning placement)
        self.on_vacation, away = kernels.on_vacation(
            self._starting(day - self.length + 1, day), self.start_day, day, s.status, self.went, s.home, world.n_workplaces
        )
        ordinary = self._ordinary
        share = np.divide(away, model.home_heads, out=np.zeros(world.n_workplaces), where=model.home_heads > 0)
        model.census[ordinary] *= 1.0 - share[ordinary]
        icu = model.icu_ids
        model.census[icu] -= world.census_base[icu] * share[icu]

    def apply(self, model: MobilisationModel, day: int) -> None:
        s = model.world.staff
        leaving = self._starting(day, day)
        leaving = leaving[s.status[leaving] == ACTIVE]  # not active on the first day (sick, resting): the vacation is lost
        self.went[leaving] = True
        s.status[leaving] = kernels.OFF_DUTY
        s.days_left[leaving] = self.length
        s.workplace[leaving] = s.home[leaving]


class NursingHomeMeasures(Lever):
    """Stable teams, a ban on hourly temps (overtime instead), cohort care and regional support to homes."""

    name = "nursing_home_measures"

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        self.cfg = model.config.levers.nursing_home_measures
        world, s = model.world, model.world.staff
        self.hourly = world.hourly_home_staff
        nh = world.nursing_home_staff
        self.permanent = nh[s.contract[nh] == PERMANENT]
        primary_rn = np.flatnonzero(
            (world.workplace_kind[s.home[: s.n_regular]] == PRIMARY_CARE) & (s.profession[: s.n_regular] == REGISTERED_NURSE)
        )
        self.support_staff = primary_rn[np.lexsort((s.priority[primary_rn], s.region[primary_rn]))]
        self.banned = np.zeros(world.n_regions, dtype=bool)

    def apply(self, model: MobilisationModel, day: int) -> None:
        cfg, world = self.cfg, model.world
        on = self.regions_on(cfg.start_level)
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
        free = staff[(s.status[staff] == ACTIVE) & (s.posting[staff] < 0) & (s.workplace[staff] == s.home[staff])]
        for r in np.unique(world.home_region[outbreak]):
            homes = outbreak[world.home_region[outbreak] == r]
            need = round(self.cfg.support_nurses_per_outbreak_home * homes.size)
            sent = free[s.region[free] == r][:need]
            s.workplace[sent] = world.home_workplace[homes[np.arange(sent.size) % homes.size]]


class Recruitment(Lever):
    """Temporary recruits from the regions' reservoirs: onboarding, then basic care; released after the wave."""

    name = "recruitment"

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        self.cfg = model.config.levers.recruitment
        s = model.world.staff
        self.recruits = np.flatnonzero(np.isin(s.contract, RECRUIT_CONTRACTS))
        self.reservoir = np.bincount(s.region[self.recruits], minlength=model.world.n_regions)
        self.onboarding = {RETIRED: 0, STUDENT: 0, OTHER_SECTOR: 0}
        names = {"retired": RETIRED, "student": STUDENT, "other_sector": OTHER_SECTOR}
        for kind, res in self.cfg.reservoirs.items():
            self.onboarding[names[kind]] = res.onboarding_days
        self.normal_days = np.zeros(model.world.n_regions, dtype=np.int64)

    def apply(self, model: MobilisationModel, day: int) -> None:
        s, ids = model.world.staff, self.recruits
        if ids.size == 0:
            return
        on = self.regions_on(self.cfg.start_level)
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
        rank = _rank_within(s.region[waiting])
        called = waiting[rank < per_day[s.region[waiting]]]
        days = np.array([self.onboarding.get(int(c), 0) for c in range(OTHER_SECTOR + 1)])[s.contract[called]]
        s.status[called] = np.where(days > 0, TRAINING, ACTIVE)
        s.days_left[called] = days


class RapidTraining(Lever):
    """Non-ICU nurses trained to support ICU care; while their region is escalated they work in its ICU."""

    name = "rapid_training"

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        self.cfg = cfg = model.config.levers.rapid_training
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

    def apply(self, model: MobilisationModel, day: int) -> None:
        s, ids = model.world.staff, self.candidates
        on = self.regions_on(self.cfg.start_level)
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
                pick = pick[_rank_within(region[pick]) < want[region[pick]]]
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


class Redeployment(Lever):
    """Cut planned care and move its staff to the COVID wards (and ICU physicians to the ICU); keep the care debt."""

    name = "redeployment"

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        self.cfg = model.config.levers.redeployment
        world = model.world
        n_reg = world.n_regions
        pop = world.regions["population"].to_numpy(float)
        self.operations_base = operations_per_day(model.config, pop)
        self.cut = np.zeros(n_reg)
        self.catching_up = np.zeros(n_reg, dtype=bool)
        self.debt = np.zeros(n_reg)
        self.operations = np.zeros(n_reg)
        queue = world.elective_queue
        self.target = np.where(
            queue.profession == ICU_PHYSICIAN, queue.region * N_REGION_KINDS + ICU, queue.region * N_REGION_KINDS + COVID_WARD
        )
        self.role = np.where(queue.profession == ANAESTHESIA_NURSE, REGISTERED_NURSE, -1)

    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        cfg = self.cfg
        on = self.regions_on(cfg.start_level)
        step = cfg.max_elective_cut / cfg.ramp_days
        self.cut = np.where(on, np.minimum(self.cut + step, cfg.max_elective_cut), np.maximum(self.cut - step, 0.0))
        self.catching_up = (model.levels == 0) & (self.cut == 0) & (self.debt > 0)
        activity = 1.0 - self.cut + cfg.catch_up * self.catching_up
        self.operations = self.operations_base * activity
        self.debt = np.maximum(self.debt + self.operations_base - self.operations, 0.0)
        elective = np.arange(model.world.n_regions) * N_REGION_KINDS + ELECTIVE
        model.census[elective] *= activity

    def apply(self, model: MobilisationModel, day: int) -> None:
        s, queue = model.world.staff, model.world.elective_queue
        share = (self.cut * self.cfg.redeploy_share)[queue.region]
        if not share.any():
            return
        kernels.deploy_by_priority(
            queue.order, queue.start, queue.members, queue.member_group, share, self._limits(model), self.target, self.role, np.ones(len(queue)),
            s.status, s.home, s.posting, s.workplace, s.role, s.effectiveness,
        )  # fmt: skip

    def _limits(self, model: MobilisationModel) -> np.ndarray:
        """Most staff each elective group may send: the target unit's need not yet covered, in heads.

        Groups that fill the same role at the same unit share that need in proportion to their size.
        """
        queue, world = model.world.elective_queue, model.world
        model.update_covid_ward_supply()
        uncovered = np.zeros((world.n_regions, N_PROFESSIONS))
        role = np.where(self.role >= 0, self.role, queue.profession)
        for kind, supply in ((COVID_WARD, model.covid_ward_supply), (ICU, model.icu_capacity())):
            units = np.arange(world.n_regions) * N_REGION_KINDS + kind
            here = self.target == units[queue.region]
            need = np.maximum(model.required[units] - supply, 0.0)
            uncovered[queue.region[here], role[here]] = need[queue.region[here], role[here]]
        key = queue.region * N_PROFESSIONS + role
        size = np.diff(queue.start).astype(float)
        total = np.bincount(key, weights=size, minlength=world.n_regions * N_PROFESSIONS)
        heads = uncovered.reshape(-1)[key] / model.hours_per_head
        return np.ceil(heads * size / np.maximum(total[key], 1.0)).astype(np.int64)


class NationalPool(Lever):
    """Sends the national reinforcement pool (``ReinforcementPool`` agent) to regions at risk."""

    name = "national_pool"

    def apply(self, model: MobilisationModel, day: int) -> None:
        model.pool.act(day)


class Loans(Lever):
    """Loans between regions, matched each day by the national ``Coordinator``."""

    name = "loans"

    def apply(self, model: MobilisationModel, day: int) -> None:
        model.coordinator.match(day)


class CrisisAgreement(Lever):
    """Staff in the surge units of a region in crisis work up to 48 h a week at 220 % pay, for at most four weeks."""

    name = "crisis_agreement"

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        self.cfg = cfg = model.config.levers.crisis_agreement
        kinds = np.array([UNIT_KINDS.index(k) for k in cfg.units])
        self.unit = np.isin(model.world.workplace_kind, kinds)
        self.max_hours = cfg.max_weekly_hours / 7.0
        self.placement_days = round(cfg.placement_weeks * 7)

    def apply(self, model: MobilisationModel, day: int) -> None:
        world, s = model.world, model.world.staff
        on = self.regions_on(self.cfg.start_level)
        unit_on = self.unit & on[world.workplace_region]
        kernels.place_under_agreement(
            s.status, s.workplace, s.home, s.days_left, s.agreement_days, s.max_hours, unit_on,
            self.max_hours, self.placement_days, self.cfg.rest_days,
        )  # fmt: skip


class Recovery(Lever):
    """A recovery programme after the wave: fatigue recovers faster and fewer staff leave."""

    name = "recovery"

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        cfg = model.config.levers.recovery
        self.cfg = cfg
        self.first = (cfg.start - model.config.time.start).days
        self.last = self.first + cfg.days

    def apply(self, model: MobilisationModel, day: int) -> None:
        if self.first <= day < self.last:
            model.recovery_factor = self.cfg.recovery_factor
            model.leave_factor = self.cfg.leave_factor


#: Levers in the order they act each day; ``None`` marks steps that always run.
ORDER: tuple[tuple[str | None, type[Lever]], ...] = (
    ("vacation", Vacation),
    ("nursing_home_measures", NursingHomeMeasures),
    (None, HourlyStaffMoves),
    ("recruitment", Recruitment),
    ("rapid_training", RapidTraining),
    ("redeployment", Redeployment),
    ("national_pool", NationalPool),
    (None, CohortWards),
    ("loans", Loans),
    ("crisis_agreement", CrisisAgreement),
    ("recovery", Recovery),
)


def build_levers(model: MobilisationModel) -> list[Lever]:
    """The enabled levers of the model's scenario, and the always-on steps, in acting order."""
    levers = model.config.levers
    return [cls(model) for name, cls in ORDER if name is None or getattr(levers, name).enabled]


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values of an array sorted by group (stable order kept)."""
    if groups.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(g)) + 1])
    counts = np.diff(np.concatenate([starts, [g.size]]))
    rank_sorted = np.arange(g.size) - np.repeat(starts, counts)
    rank = np.empty(g.size, dtype=np.int64)
    rank[order] = rank_sorted
    return rank


__all__ = ["ORDER", "Lever", "build_levers", "level_index"]
