"""COVID cohort wards: every hospital opens them and staffs them from its acute ward (always on, not a lever)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim import kernels
from sim.categories import COVID_WARD, N_REGION_KINDS
from sim.levers.base import Lever

if TYPE_CHECKING:
    from sim.model import MobilisationModel


class CohortWards(Lever):
    """Each region sends the share of its acute ward's available staff that the COVID ward's still uncovered need calls for.

    The share is decided by the ``Region`` agents' rule (``Region.plan``, applied to all regions at once by
    ``Region.plan_all``); this step moves the staff.
    """

    name = None  # every run takes this step

    def act(self, model: MobilisationModel, day: int) -> None:
        s, queue = model.world.staff, model.world.acute_queue
        model.update_covid_ward_supply()
        share = model.plan_cohort_wards()[queue.region, queue.profession]  # the Region agents' plan (sim.agents)
        if not share.any():  # no cohort ward anywhere today: nobody moves (the kernel would only count)
            return
        no_limit = np.full(len(queue), -1)
        kernels.deploy_by_priority(
            order=queue.order,
            group_start=queue.start,
            members=queue.members,
            member_group=queue.member_group,
            order_member=queue.order_member,
            share=share,
            limit=no_limit,
            target=queue.region * N_REGION_KINDS + COVID_WARD,
            target_role=no_limit,
            target_effectiveness=np.ones(len(queue)),
            status=s.status,
            home=s.home,
            posting=s.posting,
            workplace=s.workplace,
            role=s.role,
            effectiveness=s.effectiveness,
        )
