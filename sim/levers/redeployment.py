"""Redeployment: cut planned care and move its staff to COVID care; the postponed care is a debt (``[levers.redeployment]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

import numpy as np
from pydantic import Field

from sim import kernels
from sim.categories import COVID_WARD, ELECTIVE, ICU, N_PROFESSIONS, N_REGION_KINDS, PROFESSIONS
from sim.levers.base import IndicatorSpec, Lever
from sim.schema import MAX_OPERATIONS, Days, Factor, LeverConfig, Probability, at_most
from sim.world import operations_per_day

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder
    from sim.world import Queue

ANAESTHESIA_NURSE = PROFESSIONS.index("anaesthesia_nurse")
REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")
ICU_PHYSICIAN = PROFESSIONS.index("icu_physician")


class RedeploymentConfig(LeverConfig):
    """Cut planned (elective) care and move its staff to the COVID wards and ICU; the postponed care is a debt.

    Per region (``[levers.redeployment.regions.<region>]``): ``enabled``, ``start_level``, ``max_elective_cut``,
    ``ramp_days``, ``redeploy_share`` and ``catch_up``. ``icu_other_cut`` and ``operations_per_year`` are national.
    """

    region_keys: ClassVar[tuple[str, ...]] = (
        "enabled",
        "start_level",
        "max_elective_cut",
        "ramp_days",
        "redeploy_share",
        "catch_up",
    )

    max_elective_cut: Probability = Field(description="largest share of elective activity cut")
    ramp_days: Days = Field(description="days to reach the largest cut")
    redeploy_share: Probability = Field(description="share of the staff freed by the cut who move to COVID units")
    icu_other_cut: Probability = Field(
        0.0,
        description="share of the normal non-COVID ICU census that goes at the largest cut of planned care (postponed operations, fewer other admissions)",
    )
    catch_up: Factor = Field(description="elective activity above normal, as a share of normal, while care debt remains")
    operations_per_year: Annotated[float, Field(gt=0.0), at_most(MAX_OPERATIONS, "operations a year", "ten times Sweden's 534,300")] = (
        Field(description="planned operations in a normal year, national (unit of care debt)")
    )


class Redeployment(Lever):
    """Cut planned care and move its staff to the COVID wards (and ICU physicians to the ICU); keep the care debt.

    Records, per region and day, the planned operations done and the care debt (``elective_operations``,
    ``care_debt_operations``); without this lever planned care runs at its normal level.
    """

    name = "redeployment"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "elective_operations_april_change",
            "Change in April's operations",
            "share of a normal April",
            False,
            "planned operations in April against a normal April (−0.46: 46 % fewer; NaN if April is not simulated)",
            ("report",),
        ),
        IndicatorSpec(
            "care_debt_end",
            "Care debt at end",
            "postponed operations",
            True,
            "national care debt on the last day: operations postponed and not yet caught up",
            ("compare", "figures", "report"),
            priority=7,
        ),
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        world = model.world
        n_reg = world.n_regions
        self.operations_base = operations_per_day(model.config, world.regions["population"].to_numpy(float))
        self.cut = np.zeros(n_reg)
        self.catching_up = np.zeros(n_reg, dtype=bool)
        self.debt = np.zeros(n_reg)
        self.operations = np.zeros(n_reg)
        queue = world.elective_queue
        self.target = np.where(
            queue.profession == ICU_PHYSICIAN, queue.region * N_REGION_KINDS + ICU, queue.region * N_REGION_KINDS + COVID_WARD
        )
        self.role = np.where(queue.profession == ANAESTHESIA_NURSE, REGISTERED_NURSE, -1)
        self._setup_constants(model)

    def _setup_constants(self, model: MobilisationModel) -> None:
        """What the daily hooks read and the run does not change (issue #18): the ramp, the elective units, and for
        ``_limits`` each group's role, unit kind, size and the size of all groups of its role in its region."""
        cfg, world, queue = self.cfg, model.world, model.world.elective_queue
        n = world.n_regions
        if cfg.regions:  # set per region (issue #15): arrays, one value a region
            max_cut, catch_up = self.per_region("max_elective_cut"), self.per_region("catch_up")
            step = max_cut / self.per_region("ramp_days")
            self.redeploy_share = self.per_region("redeploy_share")
        else:
            max_cut, catch_up = cfg.max_elective_cut, cfg.catch_up
            step = cfg.max_elective_cut / cfg.ramp_days
            self.redeploy_share = cfg.redeploy_share
        self.max_cut, self.step, self.catch_up = (
            np.broadcast_to(np.asarray(x, dtype=np.float64), n).copy() for x in (max_cut, step, catch_up)
        )
        self.cuts_icu = bool(cfg.icu_other_cut > 0 and np.any(self.max_cut > 0))
        self.elective = np.arange(n) * N_REGION_KINDS + ELECTIVE
        self.group_role, self.to_icu, self.group_size, self.role_size = self.limit_groups(queue, self.target, self.role, n)
        self.no_change = np.ones(len(queue))  # the deployed keep their effectiveness

    @staticmethod
    def limit_groups(queue: Queue, target: np.ndarray, role: np.ndarray, n_regions: int) -> tuple[np.ndarray, ...]:
        """For ``_limits``, per elective group: the role it fills, whether its unit is an ICU, its size, and the size of
        all groups filling that role in its region (at least 1)."""
        group_role = np.where(role >= 0, role, queue.profession).astype(np.int64)
        to_icu = target == queue.region * N_REGION_KINDS + ICU
        key = queue.region * N_PROFESSIONS + group_role
        size = np.diff(queue.start).astype(float)
        total = np.bincount(key, weights=size, minlength=n_regions * N_PROFESSIONS)
        return group_role, to_icu, size, np.maximum(total[key], 1.0)

    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        """Today's cut of planned care, its catch-up and debt, and the census they leave (``kernels.plan_elective_care``).

        Where the lever acts the cut ramps up to ``max_elective_cut`` over ``ramp_days``, elsewhere down to 0; a region at
        level 0 with no cut and a care debt runs planned care ``catch_up`` above normal. The elective census follows the
        activity; with ``icu_other_cut`` the non-COVID ICU patients fall in proportion to the cut: a share of those left
        after any summer relief (vacation), so the two never add up to more than the non-COVID patients.
        """
        cfg = self.cfg
        self.cut, self.catching_up, self.operations, self.debt = kernels.plan_elective_care(
            cut=self.cut,
            debt=self.debt,
            on=self.regions_on(),
            level=model.levels,
            max_cut=self.max_cut,
            step=self.step,
            catch_up=self.catch_up,
            operations_base=self.operations_base,
            census=model.census,
            elective=self.elective,
            icu=model.icu_ids,
            covid_icu=model.covid_icu_today,
            icu_other_cut=float(cfg.icu_other_cut) if self.cuts_icu else 0.0,
            cut_share_first=bool(cfg.regions),
        )

    def at_rest(self, model: MobilisationModel) -> bool:
        """Planned care is not cut (issue #17's quiet path). A care debt may be caught up in quiet steps: they call
        ``adjust_demand`` for each of their days, so the debt falls as on daily days."""
        return not np.any(self.cut > 0)

    def act(self, model: MobilisationModel, day: int) -> None:
        s, queue = model.world.staff, model.world.elective_queue
        share = (self.cut * self.redeploy_share)[queue.region]
        if not share.any():
            return
        kernels.deploy_by_priority(
            order=queue.order,
            group_start=queue.start,
            members=queue.members,
            member_group=queue.member_group,
            order_member=queue.order_member,
            share=share,
            limit=self._limits(model),
            target=self.target,
            target_role=self.role,
            target_effectiveness=self.no_change,
            status=s.status,
            home=s.home,
            posting=s.posting,
            workplace=s.workplace,
            role=s.role,
            effectiveness=s.effectiveness,
        )

    def _limits(self, model: MobilisationModel) -> np.ndarray:
        """Most staff each elective group may send: the target unit's need not yet covered, in heads.

        Groups that fill the same role at the same unit share that need in proportion to their size.
        """
        queue = model.world.elective_queue
        ward_supply, icu_supply = model.covid_ward_and_icu_capacity()  # one pass over the staff for both
        return kernels.elective_limits(
            required=model.required,
            ward_supply=ward_supply,
            icu_supply=icu_supply,
            target=self.target,
            to_icu=self.to_icu,
            region=queue.region,
            role=self.group_role,
            size=self.group_size,
            role_size=self.role_size,
            hours_per_head=float(model.hours_per_head),
        )

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        recorder.operations[day] = self.operations
        recorder.care_debt[day] = self.debt
