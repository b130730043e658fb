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

    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        cfg = self.cfg
        on = self.regions_on()
        if cfg.regions:  # set per region (issue #15): arrays, one value a region
            max_cut, catch_up = self.per_region("max_elective_cut"), self.per_region("catch_up")
            step = max_cut / self.per_region("ramp_days")
        else:
            max_cut, catch_up = cfg.max_elective_cut, cfg.catch_up
            step = cfg.max_elective_cut / cfg.ramp_days
        self.cut = np.where(on, np.minimum(self.cut + step, max_cut), np.maximum(self.cut - step, 0.0))
        self.catching_up = (model.levels == 0) & (self.cut == 0) & (self.debt > 0)
        activity = 1.0 - self.cut + catch_up * self.catching_up
        self.operations = self.operations_base * activity
        self.debt = np.maximum(self.debt + self.operations_base - self.operations, 0.0)
        elective = np.arange(model.world.n_regions) * N_REGION_KINDS + ELECTIVE
        model.census[elective] *= activity
        if cfg.icu_other_cut > 0 and np.any(max_cut > 0):
            # fewer non-COVID ICU patients while planned care is cut, in proportion to the cut: a share of those left
            # after any summer relief (vacation), so the two never add up to more than the non-COVID patients
            icu, covid = model.icu_ids, model.covid_icu_today
            if cfg.regions:
                kept = 1.0 - cfg.icu_other_cut * np.divide(self.cut, max_cut, out=np.zeros_like(self.cut), where=max_cut > 0)
            else:
                kept = 1.0 - cfg.icu_other_cut * self.cut / cfg.max_elective_cut
            model.census[icu] = covid + np.maximum(model.census[icu] - covid, 0.0) * kept

    def at_rest(self, model: MobilisationModel) -> bool:
        """Planned care is not cut (issue #17's quiet path). A care debt may be caught up in quiet steps: they call
        ``adjust_demand`` for each of their days, so the debt falls as on daily days."""
        return not np.any(self.cut > 0)

    def act(self, model: MobilisationModel, day: int) -> None:
        s, queue = model.world.staff, model.world.elective_queue
        share = (self.cut * (self.per_region("redeploy_share") if self.cfg.regions else self.cfg.redeploy_share))[queue.region]
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
            target_effectiveness=np.ones(len(queue)),
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

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        recorder.operations[day] = self.operations
        recorder.care_debt[day] = self.debt
