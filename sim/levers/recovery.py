"""A recovery programme after the wave: fatigue recovers faster and fewer staff leave (``[levers.recovery]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim.categories import ENTRANT, LEFT
from sim.levers.base import Lever
from sim.schema import MAX_DAYS, CostSek, Date, Multiplier, Probability, _Section, at_most

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder


class RecoveryConfig(_Section):
    """A recovery programme after the wave: faster recovery from fatigue, less leaving."""

    enabled: bool = False
    start: Date = Field(description="first day of the programme")
    days: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "days", "20 years")] = Field(description="length of the programme")
    recovery_factor: Multiplier = Field(description="multiplies the daily recovery of fatigue")
    leave_factor: Probability = Field(description="multiplies the hazard of leaving")
    cost_per_staff_sek: CostSek = Field(description="cost of the programme per staff member")


class Recovery(Lever):
    """From ``start`` for ``days``: fatigue recovery times ``recovery_factor``, leaving times ``leave_factor``.

    Its cost (``recovery``): ``cost_per_staff_sek`` for every staff member still in the profession, booked on its first day.
    """

    name = "recovery"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        self.first = (self.cfg.start - model.config.time.start).days
        self.last = self.first + self.cfg.days

    def act(self, model: MobilisationModel, day: int) -> None:
        if self.first <= day < self.last:
            model.recovery_factor = self.cfg.recovery_factor
            model.leave_factor = self.cfg.leave_factor

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        if day == max(self.first, 0):
            s = recorder.model.world.staff
            rows = s.workforce_rows()  # the staff of the start and the supply's entrants who have started
            staying = rows[(s.status[rows] != LEFT) & (s.status[rows] < ENTRANT)]
            cost[:, recorder.cost_index["recovery"]] = (
                np.bincount(s.region[staying], minlength=recorder.n_regions) * self.cfg.cost_per_staff_sek
            )
