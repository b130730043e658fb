"""COVID cohort wards: every hospital opens them and staffs them from its acute ward (always on, not a lever)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.categories import COVID_WARD, N_PROFESSIONS, N_REGION_KINDS
from sim.levers.base import Lever

if TYPE_CHECKING:
    from sim.model import MobilisationModel


class CohortWards(Lever):
    """Each region sends the share of its acute ward's available staff that the COVID ward's still uncovered need calls for.

    The share is decided by the ``Region`` agents' rule (``Region.plan``, applied to all regions at once by
    ``Region.plan_all``); this step moves the staff.
    """

    name = None  # every run takes this step

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        self._queue = None  # the acute queue the per-group constants below were taken for

    def _constants(self, queue) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per group of the acute queue: where the share of its row of the plan is, its COVID ward, no limit and no
        change of role (-1), effectiveness as is (1). Taken once per queue (issue #18)."""
        if queue is not self._queue:
            self._plan_index = queue.region * N_PROFESSIONS + queue.profession  # the group's entry of the flat (regions, professions) plan
            self._target = queue.region * N_REGION_KINDS + COVID_WARD
            self._no_limit = np.full(len(queue), -1)
            self._ones = np.ones(len(queue))
            self._queue = queue
        return self._plan_index, self._target, self._no_limit, self._ones

    def act(self, model: MobilisationModel, day: int) -> None:
        s, queue = model.world.staff, model.world.acute_queue
        plan_index, target, no_limit, ones = self._constants(queue)
        model.update_covid_ward_supply()
        share = model.plan_cohort_wards().ravel()[plan_index]  # the Region agents' plan (sim.agents), by group of the queue
        if not share.any():  # no cohort ward anywhere today: nobody moves (the kernel would only count)
            return
        kernels.deploy_by_priority(
            order=queue.order,
            group_start=queue.start,
            members=queue.members,
            member_group=queue.member_group,
            order_member=queue.order_member,
            share=share,
            limit=no_limit,
            target=target,
            target_role=no_limit,
            target_effectiveness=ones,
            status=s.status,
            home=s.home,
            posting=s.posting,
            workplace=s.workplace,
            role=s.role,
            effectiveness=s.effectiveness,
        )
