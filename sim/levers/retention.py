"""Retention: pay, working time or recovery measures from a date that lower leaving (``[levers.retention]``).

Issue #17, item 4. From ``start`` (the run's first day when not given):

- the supply side's leaving (``Supply.leave_probability``, monthly, by profession; ``[supply]``) of the covered
  ``professions`` is multiplied by ``supply_leave_factor``, set on the first day of each month before the supply's step
  (``Lever.month``);
- the daily core's leaving (its base hazard and its fatigue-driven hazard, ``absence.leave_*``) is multiplied by
  ``fatigue_leave_factor`` through ``model.standing_leave_factor``, which holds on daily and quiet days alike (the way
  ``recovery`` sets ``model.leave_factor`` for its days). The core's hazard has no profession: this factor acts on all
  staff, whatever ``professions`` says.

Published turnover gives the context, not the factors (pipeline facts P33: 9.8 % of region and 8.4 % of municipal
employees left the sector in 2022; P34: most regions saw no more nurse resignations in the pandemic): the factors are
assumptions. Cost (SEK at the model's scale, in the summary only): ``pay_rise_share`` of the contracted pay of the
covered staff employed each day, plus ``cost_per_staff_year_sek`` a year for each of them (working time or recovery
measures: paid hours off, activities).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, field_validator

from sim.categories import PROFESSIONS
from sim.levers.base import Lever
from sim.schema import CostSek, Date, Factor, Probability, _check_keys, _Section
from sim.supply import EMPLOYED_STATUSES

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

#: Summary columns of a run with the lever on (registered in ``sim.indicators``); a run without it has none.
SUMMARY_COLUMNS = ("retention_staff_covered_end", "retention_cost_sek")


class RetentionConfig(_Section):
    """Retention measures from a date: less leaving of the covered professions (supply side) and of all staff (the daily
    core's fatigue-driven leaving), at a cost."""

    enabled: bool = False
    start: Date | None = Field(None, description="first day of the measures (none: the run's first day)")
    professions: list[str] = Field(
        default_factory=list,
        description="professions covered by the measures and their cost (empty: every profession; assumption)",
    )
    supply_leave_factor: Probability = Field(
        0.8,
        description="multiplies the supply side's leaving (supply.leave_rate_per_year) of the covered professions "
        "(assumption; context pipeline facts P33, P34)",
    )
    fatigue_leave_factor: Probability = Field(
        0.8,
        description="multiplies the daily core's hazard of leaving, base and fatigue-driven, of all staff (assumption; context "
        "pipeline facts P33, P34)",
    )
    pay_rise_share: Factor = Field(
        0.03, description="pay rise of the covered staff, a share of their contracted pay (assumption: a few per cent)"
    )
    cost_per_staff_year_sek: CostSek = Field(
        0.0, description="cost of working-time or recovery measures per covered staff member a year, SEK (assumption: none)"
    )

    @field_validator("professions")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        _check_keys(dict.fromkeys(value, 0), PROFESSIONS, "profession")
        return value


class Retention(Lever):
    """From ``start``: the supply's leaving of the covered professions and the core's leaving lowered by their factors."""

    name = "retention"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg, s = self.cfg, model.world.staff
        self.first = (cfg.start - model.config.time.start).days if cfg.start is not None else 0
        names = cfg.professions or list(PROFESSIONS)
        self.covered = np.zeros(len(PROFESSIONS), dtype=bool)
        self.covered[[PROFESSIONS.index(p) for p in names]] = True
        self.workforce = s.workforce_rows()
        self.base_leave: np.ndarray | None = None  # the supply's monthly leaving before the measures
        self.cost_sek = 0.0
        self._last_recorded = -1

    def _apply(self, model: MobilisationModel, day: int) -> None:
        on = day >= self.first
        model.standing_leave_factor = self.cfg.fatigue_leave_factor if on else 1.0
        supply = model.supply
        if supply is not None:
            if self.base_leave is None:
                self.base_leave = supply.leave_probability.copy()
            factor = np.where(self.covered & on, self.cfg.supply_leave_factor, 1.0)
            supply.leave_probability = self.base_leave * factor

    def month(self, model: MobilisationModel, day: int) -> None:
        self._apply(model, day)

    def act(self, model: MobilisationModel, day: int) -> None:
        self._apply(model, day)

    def _covered_staff(self, model: MobilisationModel) -> np.ndarray:
        s, rows = model.world.staff, self.workforce
        return rows[self.covered[s.profession[rows]] & np.isin(s.status[rows], EMPLOYED_STATUSES)]

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        """The days since the last record (a quiet step records its last day only) at today's covered staff."""
        days = day - self._last_recorded
        self._last_recorded = day
        if day < self.first:
            return
        days = min(days, day - self.first + 1)
        s = recorder.model.world.staff
        ids = self._covered_staff(recorder.model)
        pay = float((s.base_hours_by_contract[s.contract[ids]] * recorder.wage[s.profession[ids]]).sum())
        self.cost_sek += days * (self.cfg.pay_rise_share * pay + ids.size * self.cfg.cost_per_staff_year_sek / 365.0)

    def summary(self, days: int) -> dict[str, float]:
        assert self.model is not None
        return {"retention_staff_covered_end": int(self._covered_staff(self.model).size), "retention_cost_sek": float(self.cost_sek)}
