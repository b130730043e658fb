"""More registered nurses in municipal care (``[levers.licensed_staff]``), a what-if.

The memo (IVO's review): licensed staff (registered nurses, occupational therapists, physiotherapists) were few in the
homes but decisive, and taught the others; "Kompetensen i kommunal hälso- och sjukvård behöver stärkas". The lever hires
extra registered nurses into municipal care:

- ``nurses_per_100_residents`` extra nurses per 100 nursing-home residents, shared over each region's homes by
  residents (largest remainder), and ``home_care_nurses_per_100k`` per 100,000 inhabitants in home care, shared over
  each region's municipalities by population;
- they are rows added with the world (``sim.world.licensed_rows``; municipal employer, permanent contract, the own
  profession at full effectiveness), in reserve until ``start`` plus the recruitment lead time ``lead_time_days``, then
  at work in their home or home-care service for the rest of the run, as its own staff (they fall sick, tire and may
  leave as anyone). What they change follows from where they work: a home's supply of nurses' hours (and, with the
  homes' competence model, its licensed-staff mix) counts them as it counts anyone placed there.

Indicator: ``licensed_nurses_added`` (the extra nurses, model units). Cost (item ``licensed_staff``): every hour they
work at the registered nurse's wage with fees (they are above normal payroll).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from sim.categories import ACTIVE, PERMANENT, PROFESSIONS, RESERVE
from sim.levers.base import IndicatorSpec, Lever
from sim.schema import Date, Factor, Per100k, WholeDays, _Section

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")


class LicensedStaffConfig(_Section):
    """Extra registered nurses in nursing homes and home care from a date, after a recruitment lead time."""

    enabled: bool = False
    start: Date = Field(dt.date(2020, 4, 1), description="day the municipalities decide to hire (recruiting starts)")
    lead_time_days: WholeDays = Field(60, description="days from the decision until the extra nurses start work (recruitment)")
    nurses_per_100_residents: Factor = Field(2.0, description="extra registered nurses per 100 nursing-home residents")
    home_care_nurses_per_100k: Per100k = Field(0.0, description="extra registered nurses in home care per 100,000 inhabitants")


class LicensedStaff(Lever):
    """The extra registered nurses start work ``lead_time_days`` after ``start`` (rows of ``licensed_rows``)."""

    name = "licensed_staff"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "licensed_nurses_added",
            "Registered nurses added in municipal care",
            "nurses",
            None,
            "extra registered nurses hired into nursing homes and home care (licensed_staff), whether or not they have started",
        ),
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        s = model.world.staff
        extra = np.arange(s.n_regular, s.first_entrant)  # the levers' rows (supply's entrants come after them)
        self.nurses = extra[(s.contract[extra] == PERMANENT) & (s.employer[extra] == 1)]
        self.first = (self.cfg.start - model.config.time.start).days + self.cfg.lead_time_days

    def act(self, model: MobilisationModel, day: int) -> None:
        if day == max(self.first, 0):
            s = model.world.staff
            start = self.nurses[s.status[self.nurses] == RESERVE]
            s.status[start] = ACTIVE
            s.workplace[start] = s.home[start]

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        s, nurses = recorder.model.world.staff, self.nurses
        if nurses.size and day >= self.first:
            hours = s.hours_worked[nurses] * recorder.wage[REGISTERED_NURSE]
            cost[:, recorder.cost_index["licensed_staff"]] += np.bincount(s.region[nurses], weights=hours, minlength=recorder.n_regions)

    def summary(self, days: int) -> dict[str, float]:
        return {"licensed_nurses_added": int(self.nurses.size)}
