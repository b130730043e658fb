"""Loans of ICU staff between regions, matched by a national coordinator (``[levers.loans]``).

The decision maker is a Mesa agent, ``Coordinator`` (the national contact point of October 2020);
the lever ``Loans`` calls it once a day and hands its loans, and the changes to them (recalls,
extensions), to the results as events.

Issue #14, item 3 (loans that answer needs): requests by the professions a region lacks, lenders that
judge from their own forecast with the margin, recall with notice when a lender's own need rises,
the contact point's rules from October 2020, and staggered ends (cohorts of different lengths and
extensions while the borrower still needs the person). The defaults (no recall, one cohort, no
extension, no contact-point date) give the loans of before issue #14.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

import mesa
import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from sim import kernels
from sim.categories import ICU, LEVELS, POSTINGS, PROFESSIONS
from sim.data import travel_hours_between
from sim.levers.base import IndicatorSpec, Lever, available, cohorts_of, empty_events, level_index, lever_on, post
from sim.schema import MAX_DAYS, CostSek, Date, Factor, LeverConfig, Probability, _check_keys, _KeyedValueError, at_most

if TYPE_CHECKING:
    from sim.model import MobilisationModel

LOAN = POSTINGS.index("loan")
CRISIS = LEVELS.index("crisis")
LOAN_COLUMNS = ("day", "from_region", "to_region", "profession", "count", "days")
#: Changes to running loans: ``change`` is "recalled" (the lender called them back; they leave at ``end_day``)
#: or "extended" (the borrower still needs them; the loan now ends at ``end_day``).
CHANGE_COLUMNS = ("day", "from_region", "to_region", "profession", "change", "count", "end_day")
Count = Annotated[int, Field(ge=0), at_most(MAX_DAYS, "", "one a day for 20 years")]


class LoansConfig(LeverConfig):
    """Loans of staff between regions, matched by a national coordinator.

    Per region (``[levers.loans.regions.<region>]``): ``enabled`` (a region where loans are off neither borrows nor
    lends: ``[levers.loans.regions.gotland] enabled = false``), ``start_level`` (when it asks to borrow) and
    ``max_share_lent`` (how much of its ICU staff it lends at most). The other keys are the coordinator's, national.
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "max_share_lent")

    professions: list[str] = Field(description="professions that can be lent")
    safety_margin: Factor = Field(description="lenders keep forecast coverage of their own ICU at 1 + this")
    loan_days: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "days", "20 years")] = Field(
        description="length of a loan (of its first cohort), days"
    )
    max_share_lent: Probability = Field(description="largest share of a lender's staff of a profession out on loan")
    cohorts: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "cohorts", "one a day for 20 years")] = Field(
        1, description="a loan's staff are split into this many cohorts (by rank), whose lengths differ by cohort_spacing_days"
    )
    cohort_spacing_days: Annotated[int, Field(ge=0), at_most(MAX_DAYS, "days", "20 years")] = Field(
        0, description="cohort c of a loan lasts loan_days + c × this (0: all of a loan end together)"
    )
    extension_days: Annotated[int, Field(ge=0), at_most(MAX_DAYS, "days", "20 years")] = Field(
        0, description="a loan about to end is extended by this many days while the borrower needs the person and the lender can spare them"
    )
    max_extensions: Count = Field(0, description="most extensions of one person's loan (0: never extended)")
    recall_below: Factor | None = Field(
        None,
        description="a lender whose own forecast ICU coverage of a profession falls below this (at most 1 + safety_margin) "
        "recalls staff on loan (none: never)",
    )
    recall_notice_days: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "days", "20 years")] = Field(
        7, description="days from a recall to the end of the recalled loans"
    )
    contact_point_from: Date | None = Field(
        None,
        description="the national contact point opens: before it, loans only within the same health-care region; "
        "from it, national loans to regions in crisis with the crisis agreement active (none: national matching throughout)",
    )
    travel_sek_per_hour: CostSek = Field(0.0, description="cost of one hour of a loaned person's return trip (ticket and paid travel time)")
    lodging_sek_per_night: CostSek = Field(0.0, description="lodging of a loaned person per day on loan away from home")

    @field_validator("professions")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        _check_keys(dict.fromkeys(value, 0), PROFESSIONS, "profession")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> LoansConfig:
        if self.max_extensions > 0 and self.extension_days == 0:
            raise _KeyedValueError("extension_days", "max_extensions > 0 needs extension_days > 0 (an extension of 0 days)")
        return self


class Coordinator(mesa.Agent):
    """The national coordinator of loans between regions.

    Each day, regions at the loans lever's level ask, for each profession that may be lent, for the ICU staff
    their forecast need of that profession exceeds their ICU's staff (so only the professions they lack);
    regions lend only what keeps their own forecast ICU coverage at ``1 + safety_margin``. Both sides judge
    from ``model.forecast_icu_required``: each region's own forecast of its ICU patients ``horizon_days`` ahead
    (with ``escalation.forecast = "trend"`` its imperfect trend forecast). Requests are served largest first,
    from lenders in the same health-care region first, then by travel time over the region network (networkx
    shortest paths). Before ``contact_point_from`` only lenders of the same health-care region lend; from it
    any region may, to a borrower in crisis with the crisis agreement active.

    Before matching: a lender whose own forecast coverage of a profession is below ``recall_below`` (or
    ``1 + safety_margin`` if lower: a lender never lends and recalls at the same coverage) recalls
    staff it has out on loan (most recent loans first) to bring it back to ``1 + safety_margin``; they leave
    after ``recall_notice_days``. Loans ending tomorrow are extended by ``extension_days`` (at most
    ``max_extensions`` times) while the borrower still needs the person and the lender can spare them.

    Attributes:
        loans: one record per loan (and cohort): day, from, to, profession, count, days.
        changes: one record per recall or extension: day, from, to, profession, change, count, end day.
    """

    model: MobilisationModel

    def __init__(self, model: MobilisationModel, config: Any) -> None:
        super().__init__(model)
        self.cfg = cfg = config
        world, s = model.world, model.world.staff
        self.loans: list[dict] = []
        self.changes: list[dict] = []
        codes = list(world.regions["code"])
        hours = travel_hours_between(codes)
        self.travel_hours = hours
        hc = world.regions["healthcare_region"].to_numpy()
        self.same_hc = hc[:, None] == hc[None, :]
        self.lender_order = [np.lexsort((hours[r], hc != hc[r]))[1:].tolist() for r in range(world.n_regions)]
        self.professions = [PROFESSIONS.index(p) for p in cfg.professions]
        # hours one lent staff member gives a day, by profession (fixed: normal maximum hours)
        self.per_head = {
            p: float(np.mean(s.normal_max_hours_by_contract[s.contract[s.profession == p]])) if np.any(s.profession == p) else 1.0
            for p in self.professions
        }
        self.regroup(model)
        # each lendable person's current loan: the day it started, its record in `loans`, extensions, recalled
        size = len(s)
        self.loan_start = np.full(size, -1, dtype=np.int64)
        self.loan_row = np.full(size, -1, dtype=np.int64)
        self.extensions = np.zeros(size, dtype=np.int64)
        self.recalled = np.zeros(size, dtype=bool)
        self.manages = cfg.recall_below is not None or cfg.max_extensions > 0
        # set per region (issue #15): who takes part, from which level a region asks, how much it lends at most
        self.regional = bool(getattr(cfg, "regions", None))
        if self.regional:
            self.takes_part = np.array([bool(cfg.region_value(c, "enabled")) for c in codes])
            self.start_level = np.array([level_index(cfg.region_value(c, "start_level")) for c in codes], dtype=np.int64)
            self.max_share_lent = np.array([cfg.region_value(c, "max_share_lent") for c in codes])
        else:
            self.start_level = cfg.start_level
        self.lends = self.takes_part if self.regional else np.ones(world.n_regions, dtype=bool)
        self.trip_cost = np.zeros(world.n_regions)  # today's return trips of new loans, SEK by borrower

    # ------------------------------------------------------------------ the day

    def regroup(self, model: MobilisationModel) -> None:
        """The lendable staff: the workforce whose home is an ICU, by region and profession in priority order (again
        when specialists graduate into an ICU, issue #17)."""
        world, s = model.world, model.world.staff
        rows = s.workforce_rows()  # the staff of the start and the supply's entrants
        icu_home = rows[world.workplace_kind[s.home[rows]] == ICU]
        icu_home = icu_home[np.argsort(s.priority[icu_home], kind="stable")]
        self.icu_staff = {
            (r, p): icu_home[(s.region[icu_home] == r) & (s.profession[icu_home] == p)]
            for r in range(world.n_regions)
            for p in self.professions
        }
        self.lendable_ids = np.sort(np.concatenate([*self.icu_staff.values(), np.zeros(0, dtype=np.int64)]))

    def match(self, day: int) -> None:
        """Recalls and extensions of running loans, then today's requests matched with offers."""
        m = self.model
        on = lever_on(m, self.start_level, self.cfg)
        if self.regional:
            on &= self.takes_part
        loaned = m.world.staff.posting_kind[self.lendable_ids] == LOAN if self.manages else None
        managing = loaned is not None and bool(loaned.any())
        if not on.any() and not managing:
            return
        supply = m.icu_capacity()  # (regions, professions) hours staff at each ICU can give today
        if managing:
            on_loan = self.lendable_ids[loaned]
            if self.cfg.recall_below is not None:
                self._recall(day, on_loan, supply)
            if self.cfg.max_extensions > 0:
                self._extend(day, on_loan, supply)
        if not on.any():
            return
        allowed = self._allowed(day)
        for p in self.professions:
            # heads asked for where loans are on (forecast need above supply, rounded up) and heads offered where the
            # supply is above the need with the margin (rounded down) by regions that lend (a region where loans are off
            # does not)
            requests, offers = kernels.loan_requests_offers(
                required=m.forecast_icu_required[:, p],
                supply=supply[:, p],
                on=on,
                lends=self.lends,
                per_head=self.per_head[p],
                keep=1.0 + self.cfg.safety_margin,
            )
            # Python ints for the walk over (borrower, lender) pairs: most pairs are passed over at once
            order, requests, offers = np.argsort(-requests, kind="stable").tolist(), requests.tolist(), offers.tolist()
            for r in order:
                if requests[r] <= 0:
                    break
                for lender in self.lender_order[r]:
                    if requests[r] <= 0:
                        break
                    if offers[lender] <= 0:  # nothing to offer: no loan (n below would be at most 0)
                        continue
                    if allowed is not None and not allowed[r, lender]:
                        continue
                    n = min(offers[lender], requests[r], self._lendable(lender, p))
                    if n <= 0 or (on[lender] and m.levels[lender] >= m.levels[r]):
                        continue
                    sent = self._post(lender, r, p, n, day)
                    offers[lender] -= sent
                    requests[r] -= sent

    def _allowed(self, day: int) -> np.ndarray | None:
        """(borrower, lender): the loan may be made today under the contact point's rules (None: every pair).

        Before ``contact_point_from``: informal loans within the same health-care region only. From it, also national
        loans through the contact point to a borrower that has exhausted its own options: at crisis level (every
        regional lever of the scenario on) with the crisis agreement active, as declared up to yesterday (the agreement
        acts after loans in the day); if the crisis_agreement lever is off, the crisis level alone.
        """
        cp = self.cfg.contact_point_from
        if cp is None:
            return None
        m = self.model
        if m.dates[day] < cp:
            return self.same_hc
        national = m.levels == CRISIS
        agreement = m.lever("crisis_agreement")
        if agreement is not None:
            national &= agreement.declared >= 0
        return self.same_hc | national[:, None]

    def _recall(self, day: int, on_loan: np.ndarray, supply: np.ndarray) -> None:
        """Lenders below ``recall_below`` of their own forecast need call staff back, most recent loans first."""
        m, s, cfg = self.model, self.model.world.staff, self.cfg
        notice_end = day + cfg.recall_notice_days
        home, prof = s.region[on_loan], s.profession[on_loan]
        lends = np.zeros(m.world.n_regions, dtype=bool)  # regions with staff of the profession out on loan
        for p in self.professions:
            required = m.forecast_icu_required[:, p]
            coverage = np.divide(supply[:, p], required, out=np.full(required.shape, np.inf), where=required > 0)
            lends[:] = False
            lends[home[prof == p]] = True
            # at most 1 + safety_margin, so that a lender never lends and recalls at the same coverage
            for lender in np.flatnonzero((coverage < min(cfg.recall_below, 1.0 + cfg.safety_margin)) & lends):
                mine = on_loan[(home == lender) & (prof == p)]
                returning = s.posting_until[mine] <= notice_end  # back within the notice anyway (recalled or ending)
                deficit = required[lender] * (1.0 + cfg.safety_margin) - supply[lender, p] - returning.sum() * self.per_head[p]
                k = int(np.ceil(deficit / self.per_head[p]))
                if k <= 0:
                    continue
                rest = mine[~returning]
                chosen = rest[np.lexsort((rest, -self.loan_start[rest]))][:k]  # most recent loans first
                if chosen.size == 0:
                    continue
                s.posting_until[chosen] = notice_end
                self.recalled[chosen] = True
                self._log_change(day, chosen, "recalled", notice_end)

    def _extend(self, day: int, on_loan: np.ndarray, supply: np.ndarray) -> None:
        """Loans ending tomorrow go on while the borrower's forecast still needs the person and the lender can spare them."""
        m, s, cfg = self.model, self.model.world.staff, self.cfg
        ending = on_loan[(s.posting_until[on_loan] == day + 1) & ~self.recalled[on_loan] & (self.extensions[on_loan] < cfg.max_extensions)]
        if ending.size == 0:
            return
        region = m.world.workplace_region
        host, home, prof = region[s.posting[ending]], s.region[ending], s.profession[ending]
        for p in self.professions:
            per_head = self.per_head[p]
            required = m.forecast_icu_required[:, p]
            spare = supply[:, p] - required * (1.0 + cfg.safety_margin)
            for b in np.unique(host[prof == p]):
                here = ending[(host == b) & (prof == p)]
                here = here[spare[home[(host == b) & (prof == p)]] >= 0]  # lenders that can still spare them
                # what the borrower would lack tomorrow without the loans ending: keep that many
                lack = required[b] - (supply[b, p] - np.count_nonzero((host == b) & (prof == p)) * per_head)
                k = min(int(np.ceil(lack / per_head)), here.size) if lack > 0 else 0
                if k <= 0:
                    continue
                kept = here[:k]
                s.posting_until[kept] += cfg.extension_days
                self.extensions[kept] += 1
                self._log_change(day, kept, "extended", int(s.posting_until[kept[0]]))

    def _log_change(self, day: int, ids: np.ndarray, change: str, end_day: int) -> None:
        m, s = self.model, self.model.world.staff
        codes = m.world.regions["code"]
        host = m.world.workplace_region[s.posting[ids]]
        home = s.region[ids]
        for key in np.unique(np.stack([home, host, s.profession[ids]]), axis=1).T:
            n = int(np.count_nonzero((home == key[0]) & (host == key[1]) & (s.profession[ids] == key[2])))
            self.changes.append(
                {
                    "day": day,
                    "from_region": codes.iloc[int(key[0])],
                    "to_region": codes.iloc[int(key[1])],
                    "profession": PROFESSIONS[int(key[2])],
                    "change": change,
                    "count": n,
                    "end_day": end_day,
                }
            )

    def _lendable(self, lender: int, p: int) -> int:
        s, ids = self.model.world.staff, self.icu_staff[(lender, p)]
        out = int(np.count_nonzero(s.posting_kind[ids] == LOAN))
        share = self.max_share_lent[lender] if self.regional else self.cfg.max_share_lent
        return max(int(share * ids.size) - out, 0)

    def _post(self, lender: int, borrower: int, p: int, n: int, day: int) -> int:
        ids = self.icu_staff[(lender, p)]
        free = ids[available(self.model, ids)][:n]
        if free.size == 0:
            return 0
        cfg = self.cfg
        codes = self.model.world.regions["code"]
        for c, group in enumerate(cohorts_of(free, cfg.cohorts)):
            days = cfg.loan_days + c * cfg.cohort_spacing_days
            post(self.model, group, self.model.world.unit_id(borrower, ICU), day + days, LOAN, p, 1.0)
            self.loan_start[group] = day
            self.loan_row[group] = len(self.loans)
            self.extensions[group] = 0
            self.recalled[group] = False
            self.loans.append(
                {
                    "day": day,
                    "from_region": codes.iloc[lender],
                    "to_region": codes.iloc[borrower],
                    "profession": PROFESSIONS[p],
                    "count": int(group.size),
                    "days": days,
                }
            )
        self.trip_cost[borrower] += free.size * 2.0 * self.travel_hours[lender, borrower] * cfg.travel_sek_per_hour
        return int(free.size)

    def lodging(self) -> np.ndarray:
        """Staff on loan today by borrower (all away from their home region)."""
        m, s = self.model, self.model.world.staff
        on_loan = self.lendable_ids[s.posting_kind[self.lendable_ids] == LOAN]
        return np.bincount(m.world.workplace_region[s.posting[on_loan]], minlength=m.world.n_regions)


class Loans(Lever):
    """Loans between regions, matched each day by the national ``Coordinator`` (``model.coordinator``).

    Its cost (``travel``): a return trip per loan and person (``2 × travel hours × travel_sek_per_hour``, booked to the
    borrower on the day the loan starts) and lodging per person and day on loan (``lodging_sek_per_night``).
    """

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
        IndicatorSpec(
            "loans_recalled",
            "Staff recalled from loans",
            "staff",
            None,
            "staff on loan recalled by their lender when its own forecast need rose (loans.recall_below)",
            ("report",),
        ),
    )
    events: ClassVar[dict[str, tuple[str, ...]]] = {"loans": LOAN_COLUMNS, "loan_changes": CHANGE_COLUMNS}

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        self.coordinator = model.coordinator = Coordinator(model, self.cfg)

    def regroup(self, model: MobilisationModel) -> None:
        """Specialists graduated into an ICU (issue #17): the coordinator takes the lendable staff anew."""
        self.coordinator.regroup(model)

    def act(self, model: MobilisationModel, day: int) -> None:
        # today's trips only: the record hook books and clears them, but a staff-only run does not call it
        self.coordinator.trip_cost[:] = 0.0
        self.coordinator.match(day)

    def record(self, recorder: Any, day: int, cost: np.ndarray) -> None:
        coordinator, cfg = self.coordinator, self.cfg
        if cfg.travel_sek_per_hour > 0 or cfg.lodging_sek_per_night > 0:
            travel = coordinator.trip_cost + coordinator.lodging() * cfg.lodging_sek_per_night
            cost[:, recorder.cost_index["travel"]] += travel
        coordinator.trip_cost[:] = 0.0

    def event_frames(self) -> dict[str, pd.DataFrame]:
        loans, changes = self.coordinator.loans, self.coordinator.changes
        return {
            "loans": pd.DataFrame(loans, columns=list(LOAN_COLUMNS)) if loans else empty_events(LOAN_COLUMNS),
            "loan_changes": pd.DataFrame(changes, columns=list(CHANGE_COLUMNS)) if changes else empty_events(CHANGE_COLUMNS),
        }
