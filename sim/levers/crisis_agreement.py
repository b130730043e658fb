"""The crisis agreement (krislägesavtal): longer weeks and higher pay in the surge units (``[levers.crisis_agreement]``).

Rosters (issue #14, item 1). A region *declares* the agreement when it reaches ``start_level`` (or a national window
opens); from then on it stays active for its declared period: at least ``min_active_days``, until ``until`` if set,
and until the region has been below ``start_level`` for ``lift_after_days`` in a row (hysteresis). Placements start
in ``cohorts`` staggered cohorts spread over the first placement period, a unit's staff resting at once stay under
``max_resting_share`` by deferring rests (extending placements by at most ``max_extension_weeks``), and with
``ramp_down`` a lifted agreement ends for each person at the end of their placement, not for all on one day.
The defaults (0, 0, none, 1, 1, 0, false) give the agreement of before issue #14: active exactly while the region is
at its start level, everyone placed on the same day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from sim import kernels
from sim.categories import N_PROFESSIONS, OFF_DUTY, UNIT_KINDS
from sim.levers.base import Lever
from sim.schema import MAX_DAYS, Date, LeverConfig, Multiplier, Probability, WeeklyHours, WholeDays, at_most

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

Weeks = Annotated[float, Field(gt=0.0), at_most(MAX_DAYS / 7, "weeks", "20 years")]


class CrisisAgreementConfig(LeverConfig):
    """Krislägesavtal: longer weeks and higher pay for staff placed in the surge units, for a limited time.

    Per region (``[levers.crisis_agreement.regions.<region>]``): ``enabled``, ``start_level``, ``min_active_days`` and
    ``lift_after_days`` (when a region declares and lifts it) and ``max_weekly_hours`` (the cap in the region's units).
    The pay and the placement rules are the national agreement's, the same everywhere (the recorder books the pay at
    the national ``pay_multiplier``).
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "min_active_days", "lift_after_days", "max_weekly_hours")

    max_weekly_hours: WeeklyHours = Field(description="working time cap for placed staff, hours a week")
    pay_multiplier: Multiplier = Field(description="pay of placed staff relative to normal, on all hours")
    placement_weeks: Weeks = Field(description="longest placement before rest")
    rest_days: WholeDays = Field(description="days off after a placement")
    units: list[Literal["icu", "covid_ward"]] = Field(description="unit kinds whose staff are placed under the agreement")
    min_active_days: WholeDays = Field(0, description="once declared in a region, the agreement stays active at least this many days")
    lift_after_days: WholeDays = Field(
        0, description="days in a row the region must be below start_level before the agreement is lifted (hysteresis)"
    )
    until: Date | None = Field(None, description="once declared, the agreement stays active in the region until this date (inclusive)")
    cohorts: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "cohorts", "one a day for 20 years")] = Field(
        1, description="placements start in this many cohorts spread over the first placement period (1: all at once)"
    )
    max_resting_share: Probability = Field(
        1.0, description="most of a unit's staff under the agreement resting at once; above it rests are deferred (1: no ceiling)"
    )
    max_extension_weeks: Annotated[float, Field(ge=0.0), at_most(MAX_DAYS / 7, "weeks", "20 years")] = Field(
        0.0, description="longest extension of a placement when its rest is deferred"
    )
    ramp_down: bool = Field(False, description="when lifted, staff leave the agreement at their placement's end, not all on one day")


class CrisisAgreement(Lever):
    """Staff in the surge units of a region in crisis work up to 48 h a week at 220 % pay, for at most four weeks.

    The recorder books the pay above normal of the hours worked under the agreement (``crisis_pay``),
    from each person's days under the agreement (``agreement_days``, set by the core's placement).
    ``active[day, region]`` says where the agreement was active (declared and not yet lifted) on each day,
    ``deferred[day]`` how many rests were deferred.

    The ICU frame (region × day) gets the agreement's staff: ``agreement_active`` (1 where declared and not
    lifted), ``agreement_staff_placed`` (placed today, by the region of the unit they are placed in),
    ``agreement_staff_resting`` (on compensatory rest after a placement, by home region) and
    ``agreement_staff_covered`` (distinct people placed so far in the run, by the region of their first placement).
    """

    name = "crisis_agreement"
    icu_columns: ClassVar[tuple[str, ...]] = (
        "agreement_active",
        "agreement_staff_placed",
        "agreement_staff_resting",
        "agreement_staff_covered",
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg = self.cfg
        kinds = np.array([UNIT_KINDS.index(k) for k in cfg.units])
        self.unit = np.isin(model.world.workplace_kind, kinds)
        # hours a day placed staff may work, by workplace (a region may set its own max_weekly_hours)
        self.max_hours = (self.per_region("max_weekly_hours").astype(float) / 7.0)[model.world.workplace_region]
        self.placement_days = round(cfg.placement_weeks * 7)
        self.extension_days = round(cfg.max_extension_weeks * 7)
        n_reg = model.world.n_regions
        self.declared = np.full(n_reg, -1, dtype=np.int64)  # day of the current declaration, -1: not active
        self.days_below = np.zeros(n_reg, dtype=np.int64)
        self.ending = np.zeros(n_reg, dtype=bool)  # lifted, placements running out
        self.active = np.zeros((model.n_days, n_reg), dtype=bool)
        self.deferred = np.zeros(model.n_days, dtype=np.int64)
        self.ever_placed = np.zeros(len(model.world.staff), dtype=bool)
        self.covered = np.zeros(n_reg)  # distinct people placed so far, by the region of their first placement
        self._state_key: tuple[bytes, bytes, bytes] | None = None  # the regions' state the units' state was taken from
        self.offsets = kernels.cohort_offsets(
            seed=model.config.world.layout_seed, n=len(model.world.staff), cohorts=cfg.cohorts, placement_days=self.placement_days
        )

    def regions_active(self, day: int) -> np.ndarray:
        """Advance the declared periods to today: active per region (``self.declared`` holds the day of each declaration).

        A region where the agreement is not enabled (``regions.<region>.enabled = false``) never declares it."""
        cfg, model = self.cfg, self.model
        # declared where on and not yet; lifted where declared, no longer on and not held by min_active_days,
        # lift_after_days (days_below in a row) or until (one kernel pass over the regions, issue #18)
        return kernels.advance_declarations(
            on=self.regions_on(),
            declared=self.declared,
            days_below=self.days_below,
            ending=self.ending,
            min_active_days=self.per_region("min_active_days"),
            lift_after_days=self.per_region("lift_after_days"),
            until=bool(cfg.until is not None and model.dates[day] <= cfg.until),
            ramp_down=bool(cfg.ramp_down),
            day=day,
        )

    def at_rest(self, model: MobilisationModel) -> bool:
        """No region has the agreement declared or ramping down (issue #17's quiet path)."""
        return not (np.any(self.declared >= 0) or np.any(self.ending))

    def act(self, model: MobilisationModel, day: int) -> None:
        world, s = model.world, model.world.staff
        active = self.regions_active(day)
        self.active[day] = active
        if not (active.any() or self.ending.any()) and self._idle(s):
            return  # the placement would change nothing (deferred[day] stays 0)
        region = world.workplace_region
        state, unit_declared = self._unit_states(active, region)
        self.deferred[day] = kernels.place_under_agreement(
            status=s.status,
            workplace=s.workplace,
            home=s.home,
            profession=s.profession,
            days_left=s.days_left,
            agreement_days=s.agreement_days,
            agreement_rest=s.agreement_rest,
            agreement_declared=s.agreement_declared,
            start_offset=self.offsets,
            max_hours=s.max_hours,
            unit_state=state,
            unit_declared=unit_declared,
            cap_hours=self.max_hours,
            placement_days=self.placement_days,
            rest_days=self.cfg.rest_days,
            max_resting_share=self.cfg.max_resting_share,
            max_extension_days=self.extension_days,
            n_professions=N_PROFESSIONS,
        )
        if self.ending.any():  # a ramp-down is over when nobody of the region is placed any more
            placed = np.bincount(region[s.workplace[s.agreement_days > 0]], minlength=world.n_regions) > 0
            self.ending &= placed

    def _unit_states(self, active: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per workplace: the agreement's state (``kernels.AGREEMENT_*``) and the day it was declared in its region. Both
        follow from the regions' ``active``, ``ending`` and ``declared``, which change on few days: kept until they do
        (issue #18; the kernel only reads them)."""
        key = (active.tobytes(), self.ending.tobytes(), self.declared.tobytes())
        if key != self._state_key:
            state = np.where(
                active[region], kernels.AGREEMENT_ON, np.where(self.ending[region], kernels.AGREEMENT_ENDING, kernels.AGREEMENT_OFF)
            )
            self._unit_state = np.where(self.unit, state, kernels.AGREEMENT_OFF).astype(np.int8)
            self._unit_declared = self.declared[region].astype(np.int32)
            self._state_key = key
        return self._unit_state, self._unit_declared

    @staticmethod
    def _idle(s) -> bool:
        """Nobody placed, and nobody marked as resting after a placement who is no longer off duty: where the agreement
        applies nowhere, ``place_under_agreement`` would then change nothing (it would only zero ``agreement_days``
        and clear those marks), so the day's call over every staff member is skipped (issue #18)."""
        if s.agreement_days.any():
            return False
        return not (s.agreement_rest.any() and (s.agreement_rest & (s.status != OFF_DUTY)).any())

    def due_to_rest(self, ids: np.ndarray) -> np.ndarray:
        """Boolean per staff member of ``ids``: their placement is over, so the agreement sends them to rest when it
        acts today unless the ceiling defers it (``place_under_agreement``: placed one more day would pass
        ``placement_days``). For levers that act earlier in the day and would rather not count on them (ICU upskilling
        applies the same rule inside its kernels, ``kernels.icu_nurses_leaving_hours`` and ``kernels.icu_support_day``)."""
        return self.model.world.staff.agreement_days[ids] >= self.placement_days

    def rest_now(self, ids: np.ndarray) -> None:
        """Send ``ids`` (due to rest, not needed today) to their compensatory rest now, as ``place_under_agreement``
        does (``kernels._rest``): off duty at home for ``rest_days``, marked as resting after a placement (ICU upskilling
        calls ``kernels._rest`` itself, in ``kernels.icu_support_day``)."""
        s = self.model.world.staff
        s.status[ids] = OFF_DUTY
        s.days_left[ids] = self.cfg.rest_days
        s.workplace[ids] = s.home[ids]
        s.agreement_days[ids] = 0
        s.agreement_rest[ids] = True

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        columns = recorder.lever_icu
        columns["agreement_active"][day] = self.active[day]
        if not (self.active[day].any() or self.ending.any()):  # nobody placed: the columns stay 0 (covered carries on)
            columns["agreement_staff_covered"][day] = self.covered
            return
        world, s = self.model.world, self.model.world.staff
        # placed by the region where they worked today (before any sickness), resting by home region, and first placed
        placed, resting, first = kernels.count_agreement_staff(
            agreement_days=s.agreement_days,
            agreement_rest=s.agreement_rest,
            status=s.status,
            home_region=s.region,
            worked_at=self.model.worked_at,
            workplace_region=world.workplace_region,
            ever_placed=self.ever_placed,
            n_regions=world.n_regions,
        )
        columns["agreement_staff_placed"][day] = placed
        columns["agreement_staff_resting"][day] = resting
        self.covered += first
        columns["agreement_staff_covered"][day] = self.covered
