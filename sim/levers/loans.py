"""Loans of ICU staff between regions, matched by a national coordinator (``[levers.loans]``).

The decision maker is a Mesa agent, ``Coordinator`` (the national contact point of October 2020);
the lever ``Loans`` calls it once a day and hands its loans to the results as events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import mesa
import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from sim import data
from sim.categories import ICU, POSTINGS, PROFESSIONS
from sim.levers.base import IndicatorSpec, Lever, available, empty_events, lever_on, post
from sim.schema import MAX_DAYS, Factor, LeverConfig, Probability, _check_keys, at_most

if TYPE_CHECKING:
    from sim.model import MobilisationModel

LOAN = POSTINGS.index("loan")
LOAN_COLUMNS = ("day", "from_region", "to_region", "profession", "count", "days")


class LoansConfig(LeverConfig):
    """Loans of staff between regions, matched by a national coordinator."""

    professions: list[str] = Field(description="professions that can be lent")
    safety_margin: Factor = Field(description="lenders keep forecast coverage of their own ICU at 1 + this")
    loan_days: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "days", "20 years")] = Field(description="length of a loan, days")
    max_share_lent: Probability = Field(description="largest share of a lender's staff of a profession out on loan")

    @field_validator("professions")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        _check_keys(dict.fromkeys(value, 0), PROFESSIONS, "profession")
        return value


class Coordinator(mesa.Agent):
    """The national coordinator of loans between regions.

    Each day, regions at the loans lever's level ask for the ICU staff their
    forecast need exceeds their ICU's staff; regions lend only what keeps their
    own forecast ICU coverage at ``1 + safety_margin``. Requests are served
    largest first, from lenders in the same health-care region first, then by
    travel time over the region network (networkx shortest paths).

    Attributes:
        loans: one record per loan: day, from, to, profession, count, days.
    """

    model: MobilisationModel

    def __init__(self, model: MobilisationModel, config: Any) -> None:
        super().__init__(model)
        self.cfg = config
        world, s = model.world, model.world.staff
        self.loans: list[dict] = []
        codes = list(world.regions["code"])
        hours = data.travel_hours().loc[codes, codes].to_numpy()
        hc = world.regions["healthcare_region"].to_numpy()
        self.lender_order = [np.lexsort((hours[r], hc != hc[r]))[1:] for r in range(world.n_regions)]
        self.professions = [PROFESSIONS.index(p) for p in self.cfg.professions]
        # hours one lent staff member gives a day, by profession (fixed: normal maximum hours)
        self.per_head = {
            p: float(np.mean(s.normal_max_hours[s.profession == p])) if np.any(s.profession == p) else 1.0 for p in self.professions
        }
        n = s.n_regular
        icu_home = np.flatnonzero(world.workplace_kind[s.home[:n]] == ICU)
        icu_home = icu_home[np.argsort(s.priority[icu_home], kind="stable")]
        self.icu_staff = {
            (r, p): icu_home[(s.region[icu_home] == r) & (s.profession[icu_home] == p)]
            for r in range(world.n_regions)
            for p in self.professions
        }

    def match(self, day: int) -> None:
        """Match today's requests with offers and post the loaned staff."""
        m = self.model
        on = lever_on(m, self.cfg.start_level, self.cfg)
        if not on.any():
            return
        supply = m.icu_capacity()  # (regions, professions) hours staff at each ICU can give today
        for p in self.professions:
            per_head = self.per_head[p]
            need = m.forecast_icu_required[:, p] - supply[:, p]
            requests = np.where(on & (need > 0), np.ceil(need / per_head), 0).astype(np.int64)
            spare = supply[:, p] - m.forecast_icu_required[:, p] * (1.0 + self.cfg.safety_margin)
            offers = np.where(spare > 0, np.floor(spare / per_head), 0).astype(np.int64)
            for r in np.argsort(-requests, kind="stable"):
                if requests[r] <= 0:
                    break
                for lender in self.lender_order[r]:
                    if requests[r] <= 0:
                        break
                    n = min(int(offers[lender]), int(requests[r]), self._lendable(lender, p))
                    if n <= 0 or (on[lender] and m.levels[lender] >= m.levels[r]):
                        continue
                    sent = self._post(lender, r, p, n, day)
                    offers[lender] -= sent
                    requests[r] -= sent

    def _lendable(self, lender: int, p: int) -> int:
        s, ids = self.model.world.staff, self.icu_staff[(lender, p)]
        out = int(np.count_nonzero(s.posting_kind[ids] == LOAN))
        return max(int(self.cfg.max_share_lent * ids.size) - out, 0)

    def _post(self, lender: int, borrower: int, p: int, n: int, day: int) -> int:
        ids = self.icu_staff[(lender, p)]
        free = ids[available(self.model, ids)][:n]
        if free.size == 0:
            return 0
        post(self.model, free, self.model.world.unit_id(borrower, ICU), day + self.cfg.loan_days, LOAN, p, 1.0)
        codes = self.model.world.regions["code"]
        self.loans.append(
            {
                "day": day,
                "from_region": codes.iloc[lender],
                "to_region": codes.iloc[borrower],
                "profession": PROFESSIONS[p],
                "count": int(free.size),
                "days": self.cfg.loan_days,
            }
        )
        return int(free.size)


class Loans(Lever):
    """Loans between regions, matched each day by the national ``Coordinator`` (``model.coordinator``)."""

    name = "loans"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "staff_loaned",
            "Staff loaned between regions",
            "staff",
            None,
            "staff loaned between regions, summed over loans",
            ("compare", "report"),
        ),
    )
    events: ClassVar[dict[str, tuple[str, ...]]] = {"loans": LOAN_COLUMNS}

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        self.coordinator = model.coordinator = Coordinator(model, self.cfg)

    def act(self, model: MobilisationModel, day: int) -> None:
        self.coordinator.match(day)

    def event_frames(self) -> dict[str, pd.DataFrame]:
        loans = self.coordinator.loans
        return {"loans": pd.DataFrame(loans, columns=list(LOAN_COLUMNS)) if loans else empty_events(LOAN_COLUMNS)}
