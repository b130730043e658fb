"""A recovery programme after the wave: fatigue recovers faster and fewer staff leave (``[levers.recovery]``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.categories import LEFT
from sim.levers.base import Lever

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder


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
            staying = np.flatnonzero(s.status[: s.n_regular] != LEFT)
            cost[:, recorder.cost_index["recovery"]] = (
                np.bincount(s.region[staying], minlength=recorder.n_regions) * self.cfg.cost_per_staff_sek
            )
