"""Hourly nursing-home staff work some days at another home of their municipality (always on, not a lever)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim import kernels
from sim.levers.base import Lever

if TYPE_CHECKING:
    from sim.model import MobilisationModel


class HourlyStaffMoves(Lever):
    """Each hourly worker spends a share of days at another home (``model.hourly_other_home_share``, which stable teams set to 0)."""

    name = None  # every run takes this step

    def act(self, model: MobilisationModel, day: int) -> None:
        world, s = model.world, model.world.staff
        kernels.place_hourly_staff(
            key=model.key,
            staff_ids=world.hourly_home_staff,
            home=s.home,
            workplace=s.workplace,
            status=s.status,
            region=s.region,
            municipality_of=world.workplace_municipality,
            muni_home_start=world.muni_home_start,
            muni_homes=world.muni_homes,
            other_home_share=model.hourly_other_home_share,
            day=day,
            last_other_home_day=s.last_other_home_day,
        )
