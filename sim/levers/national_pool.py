"""A national reinforcement pool sent to regions at risk (``[levers.national_pool]``).

The decision maker is a Mesa agent, ``ReinforcementPool`` (nationell personell förstärkningsresurs);
the lever ``NationalPool`` calls it once a day, books its upkeep and hands its arrivals to the
results as events.

Issue #14, items 1 and 3: with ``request_by = "need"`` a region's request follows its forecast gap by the role the
members fill (ICU nurse, ICU physician, the ward professions), limited by the members free of each profession, so
members of professions the region does not lack stay home; deployments of one arrival last different lengths
(``cohorts``), and with ``handover`` replacements are requested ``response_days`` before members leave, so that
they arrive as the others go. The defaults (composition, one cohort, no handover, no travel cost) give the pool of
before issue #14.

Issue #17: with ``recruit_from = "stocks"`` (``mode = "additional"``, ``[supply]``) the additional members are not people
from nowhere: on the first day of each month the pool may send only as many of each profession as the run holds outside
work (its retirees and its part-timers' spare time, ``ReinforcementPool.stock``); the rest stay on standby, unfilled.
A pool larger than the stock is capped, not refused: the stock grows month by month with the supply's random
retirements, so it is not known before the run (a warning says so once; the summary's ``pool_unfilled_members_*``).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import mesa
import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from sim.categories import ACTIVE, CONTRACTS, COVID_WARD, ICU, ICU_NURSE, POSTINGS, PROFESSIONS, RESERVE, RETIREE
from sim.data import travel_hours_between
from sim.levers.base import IndicatorSpec, Lever, available, cohorts_of, empty_events, level_index, lever_on, post
from sim.schema import (
    MAX_DAYS,
    MAX_POOL,
    CostSek,
    LeverConfig,
    NonNegative,
    Probability,
    WholeDays,
    _KeyedValueError,
    _profession_keys,
    at_most,
)
from sim.supply import EMPLOYED_STATUSES
from sim.world import apportion

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

POOL = POSTINGS.index("pool")
#: Summary columns only in runs with ``recruit_from = "stocks"`` (issue #17; registered in ``sim.indicators``).
STOCKS_SUMMARY_COLUMNS = ("pool_unfilled_members_end", "pool_unfilled_members_peak")
DEPLOYMENT_COLUMNS = ("requested_day", "arrival_day", "region", "profession", "count", "days")


class NationalPoolConfig(LeverConfig):
    """A national reinforcement pool (nationell personell förstärkningsresurs) sent to regions at risk.

    Per region (``[levers.national_pool.regions.<region>]``): ``enabled`` (whether the region may request the pool),
    ``start_level`` and ``activation_gap`` (when it requests). The pool itself (size, composition, members drawn from
    every region) is national. With ``mode = "additional"`` a region cannot switch the pool on alone (its members are
    built with the world only when it is on nationally).
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "activation_gap")

    size: Annotated[int, Field(ge=0), at_most(MAX_POOL, "members", "the national health-care staff in sim/data is 330,565")] = Field(
        description="members at full scale"
    )
    composition: dict[str, NonNegative] = Field(description="profession -> share of members")
    mode: Literal["drawn", "additional"] = Field(
        description="drawn from regions' staff (their home loses them while deployed) or additional people"
    )
    activation_gap: Probability = Field(description="forecast gap share of a region in crisis above which the pool is sent")
    response_days: WholeDays = Field(description="days from request to arrival")
    max_deployment_days: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "days", "20 years")] = Field(description="longest deployment, days")
    rest_days: WholeDays = Field(description="days off after a deployment")
    yearly_cost_per_member_sek: CostSek = Field(description="cost of keeping one member ready for a year (training, retainer)")
    request_by: Literal["composition", "need"] = Field(
        "composition",
        description="a request split by the pool's composition, or by the region's forecast gap in the roles members fill (need)",
    )
    cohorts: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "cohorts", "one a day for 20 years")] = Field(
        1, description="an arrival's members are split into this many cohorts (by rank), whose deployments differ by cohort_spacing_days"
    )
    cohort_spacing_days: WholeDays = Field(0, description="cohort c of an arrival is deployed max_deployment_days − c × this")
    handover: bool = Field(
        False, description="replacements are requested response_days before members leave, so they arrive as the others go"
    )
    travel_sek_per_hour: CostSek = Field(0.0, description="cost of one hour of a member's return trip (ticket and paid travel time)")
    lodging_sek_per_night: CostSek = Field(0.0, description="lodging of a member per day deployed away from their home region")
    recruit_from: Literal["rows", "stocks"] = Field(
        "rows",
        description="additional members as people from outside the run (rows), or only as many as the run's stocks of retirees and "
        "part-timers' spare time hold, month by month (stocks; needs [supply] and mode = 'additional'; issue #17)",
    )

    @field_validator("composition")
    @classmethod
    def _shares(cls, value: dict[str, float]) -> dict[str, float]:
        _profession_keys(value)
        if value and abs(sum(value.values()) - 1.0) > 1e-6:
            raise ValueError(f"shares sum to {sum(value.values()):g}; expected 1")
        return value

    @model_validator(mode="after")
    def _additional_needs_national(self) -> NationalPoolConfig:
        if self.mode == "additional" and not self.enabled:
            for code, table in self.regions.items():
                if table.get("enabled"):
                    raise _KeyedValueError(
                        f"regions.{code}.enabled",
                        "with mode = 'additional' the pool cannot be switched on in one region only (its members are built with "
                        "the world only when it is on nationally); set enabled = true in [levers.national_pool] and "
                        "enabled = false in the regions that may not request it",
                    )
        return self

    @model_validator(mode="after")
    def _stocks_are_additional(self) -> NationalPoolConfig:
        if self.recruit_from == "stocks" and self.mode != "additional":
            raise _KeyedValueError("recruit_from", "'stocks' caps the additional members by the run's stocks: it needs mode = 'additional'")
        return self

    @model_validator(mode="after")
    def _cohorts_fit(self) -> NationalPoolConfig:
        if (self.cohorts - 1) * self.cohort_spacing_days >= self.max_deployment_days:
            raise _KeyedValueError(
                "cohort_spacing_days",
                f"the last of {self.cohorts} cohorts would be deployed {self.max_deployment_days} − "
                f"{self.cohorts - 1} × {self.cohort_spacing_days} days; expected at least 1",
            )
        return self


class ReinforcementPool(mesa.Agent):
    """The national reinforcement pool: members on standby, sent to the regions with the worst forecast gap.

    A region in crisis whose forecast gap share passes the activation threshold
    requests the members its forecast gap calls for beyond those already there;
    members arrive ``response_days`` later, work in the ICU (ICU nurses and
    physicians, anaesthesia nurses in an ICU-nurse role; with team-based ICU staffing anaesthesia and registered
    nurses as support nurses in their own role) or the COVID ward (others)
    for at most ``max_deployment_days``, then rest. Members drawn from regions' own
    staff are sent only from other regions at normal level (not under pressure themselves).

    Attributes:
        members: staff ids of the pool's members.
        deployments: one record per arrival: requested, arrived, region, profession, count, days.
    """

    model: MobilisationModel

    def __init__(self, model: MobilisationModel, config: Any) -> None:
        super().__init__(model)
        self.cfg = cfg = config
        s = model.world.staff
        self.deployments: list[dict] = []
        self.pending: dict[int, tuple[int, int, np.ndarray]] = {}  # region -> (requested, arrives, heads by profession)
        if cfg.mode == "additional":
            self.members = np.flatnonzero(s.contract == CONTRACTS.index("pool"))
            self.additional = True
        else:
            chosen = []
            names = list(cfg.composition)
            counts = apportion(round(cfg.size * model.config.world.scale), np.array([cfg.composition[p] for p in names]))
            pool_u = s.pool_u  # drawn anew on each read (StaffArrays.draws): once, not once per profession
            for name, k in zip(names, counts, strict=True):
                ids = np.flatnonzero(s.profession[: s.n_regular] == PROFESSIONS.index(name))
                chosen.append(ids[np.argsort(pool_u[ids], kind="stable")[: int(k)]])
            self.members = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
            self.additional = False
        # issue #17: with recruit_from = "stocks" only the members the run's stocks fill may be sent (fill_from_stocks)
        self.from_stocks = self.additional and cfg.recruit_from == "stocks"
        self.filled = np.zeros(self.members.size, dtype=bool) if self.from_stocks else np.ones(self.members.size, dtype=bool)
        self.unfilled: list[int] = []  # members the stocks could not fill, at each month's start (recruit_from = "stocks")
        self.warned = False
        icu_profs = [PROFESSIONS.index(p) for p in ("icu_nurse", "icu_physician", "anaesthesia_nurse")]
        teams = model.tiers is not None  # team-based ICU staffing: anaesthesia and registered nurses are ICU support nurses
        if teams:
            icu_profs.append(PROFESSIONS.index("registered_nurse"))
        self.to_icu = np.isin(s.profession[self.members], icu_profs)
        self.role = s.profession[self.members].copy()
        self.effect = np.ones(self.members.size)
        anaesthesia = s.profession[self.members] == PROFESSIONS.index("anaesthesia_nurse")
        if not teams:  # without teams, anaesthesia nurses work as ICU nurses at an effectiveness
            self.role[anaesthesia] = ICU_NURSE
            self.effect[anaesthesia] = model.config.levers.icu_upskilling.anaesthesia_nurse_effectiveness
        # request by need: each profession's members in the order they fill their role (most effective first)
        self._profession = s.profession[self.members]
        present = np.unique(self._profession)
        self._need_order = [int(q) for q in sorted(present, key=lambda q: (-float(self.effect[self._profession == q][0]), int(q)))]
        codes = list(model.world.regions["code"])
        self.travel_hours = travel_hours_between(codes)
        self.trip_cost = np.zeros(model.world.n_regions)  # today's return trips of arrivals, SEK by host region
        # set per region (issue #15): who may request, from which level, above which forecast gap
        self.regional = bool(getattr(cfg, "regions", None))
        if self.regional:
            self.may_request = np.array([bool(cfg.region_value(c, "enabled")) for c in codes])
            self.start_level = np.array([level_index(cfg.region_value(c, "start_level")) for c in codes], dtype=np.int64)
            self.activation_gap = np.array([cfg.region_value(c, "activation_gap") for c in codes])
        else:
            self.start_level, self.activation_gap = cfg.start_level, cfg.activation_gap

    @property
    def size(self) -> int:
        return int(self.members.size)

    def act(self, day: int) -> None:
        """Standby, requests and arrivals of one day."""
        m, s, cfg = self.model, self.model.world.staff, self.cfg
        ids = self.members
        if self.additional:  # off-duty additional members go back on standby
            idle = ids[(s.status[ids] == ACTIVE) & (s.posting[ids] < 0)]
            s.status[idle] = RESERVE
        there = s.posting_kind[ids] == POOL
        if cfg.handover:  # members leaving before a request made today arrives do not count: they are replaced
            there &= s.posting_until[ids] > day + cfg.response_days
        host = np.where(there, m.world.workplace_region[np.maximum(s.posting[ids], 0)], -1)
        deployed = np.bincount(host[there], minlength=m.world.n_regions)
        on = lever_on(m, self.start_level, cfg) & (m.forecast_gap_share > self.activation_gap)
        if self.regional:
            on &= self.may_request
        for r in np.flatnonzero(on):
            if r in self.pending:
                continue
            if cfg.request_by == "need":
                heads = self._heads_by_need(int(r), host == r)
                if heads.sum() > 0:
                    self.pending[int(r)] = (day, day + cfg.response_days, heads)
                continue
            # request what the forecast gap calls for beyond the members already there (top-up as members rotate out)
            wanted = int(np.ceil(m.forecast_gap_hours[r].sum() / m.hours_per_head)) - int(deployed[r])
            if wanted > 0:
                self.pending[int(r)] = (day, day + cfg.response_days, self._heads(wanted))
        arriving = sorted((r for r, (_, arrives, _) in self.pending.items() if arrives <= day), key=lambda r: -m.forecast_gap_share[r])
        for r in arriving:
            requested, _, heads = self.pending.pop(r)
            self._send(r, heads, requested, day)

    def _heads(self, total: int) -> np.ndarray:
        """Members wanted per profession for a request of ``total`` people, by the pool's composition."""
        names = list(self.cfg.composition)
        counts = apportion(min(total, self.size), np.array([self.cfg.composition[p] for p in names]))
        heads = np.zeros(len(PROFESSIONS), dtype=np.int64)
        for name, k in zip(names, counts, strict=True):
            heads[PROFESSIONS.index(name)] = k
        return heads

    def _heads_by_need(self, region: int, there: np.ndarray) -> np.ndarray:
        """Members wanted per profession by the region's forecast gap in the roles they fill (``request_by = "need"``).

        The gap of each role (``forecast_gap_hours[region, role]``, hours a day) less what the members already there
        give in it (``hours_per_head × effectiveness`` each), filled by the professions that work in the role, the most
        effective first (ICU nurses before anaesthesia nurses in the ICU-nurse role), each limited by its members not
        posted now. A profession whose role the region does not lack is not asked for.
        """
        m, s = self.model, self.model.world.staff
        hph = m.hours_per_head
        gap = m.forecast_gap_hours[region].copy()
        np.subtract.at(gap, self.role[there], hph * self.effect[there])
        free = (s.posting[self.members] < 0) & self.filled
        heads = np.zeros(len(PROFESSIONS), dtype=np.int64)
        for q in self._need_order:
            of_q = self._profession == q
            role, effect = int(self.role[of_q][0]), float(self.effect[of_q][0])
            if gap[role] <= 0 or effect <= 0:
                continue
            k = min(int(np.ceil(gap[role] / (hph * effect))), int(np.count_nonzero(free & of_q)))
            heads[q] = k
            gap[role] -= k * hph * effect
        return heads

    def _send(self, region: int, heads: np.ndarray, requested: int, day: int) -> None:
        m, s, cfg = self.model, self.model.world.staff, self.cfg
        ids = self.members
        ready = available(m, ids, at_home=False, reserve=self.additional) & self.filled
        if not self.additional:  # members drawn from regions' staff come only from regions at normal level
            home_region = s.region[ids]
            ready &= (home_region != region) & (m.levels[home_region] == 0)
        for p in np.unique(s.profession[ids]):
            pick = np.flatnonzero(ready & (s.profession[ids] == p))[: int(heads[p])]
            if pick.size == 0:
                continue
            for c, part in enumerate(cohorts_of(pick, cfg.cohorts)):
                sel = ids[part]
                days = cfg.max_deployment_days - c * cfg.cohort_spacing_days
                target = np.where(self.to_icu[part], m.world.unit_id(region, ICU), m.world.unit_id(region, COVID_WARD))
                s.status[sel] = ACTIVE
                post(m, sel, target, day + days, POOL, self.role[part], self.effect[part])
                s.effectiveness[sel] = s.base_effectiveness[sel] * self.effect[part]
                self.trip_cost[region] += 2.0 * self.travel_hours[s.region[sel], region].sum() * cfg.travel_sek_per_hour
                self.deployments.append(
                    {
                        "requested_day": requested,
                        "arrival_day": day,
                        "region": m.world.regions["code"].iloc[region],
                        "profession": PROFESSIONS[p],
                        "count": int(sel.size),
                        "days": days,
                    }
                )

    def stock(self) -> np.ndarray:
        """People of each profession the run holds outside work now (``recruit_from = "stocks"``): its retirees (the
        supply's ``RETIREE`` rows of the starting staff) and the spare time of its part-timers (full time less contracted
        hours, summed over employed staff, in full-time heads), neither counting members of the reserve roster
        (``levers.reserves``). Whole people, floored."""
        m, s = self.model, self.model.world.staff
        rows = s.workforce_rows()
        reserves = m.lever("reserves")
        if reserves is not None:
            rows = rows[reserves.kind[rows] == 0]
        status, prof = s.status[rows], s.profession[rows]
        retirees = np.bincount(prof[status == RETIREE], minlength=len(PROFESSIONS)).astype(float)
        full = m.config.workforce.weekly_hours / 7.0
        employed = np.isin(status, EMPLOYED_STATUSES)
        spare = np.maximum(full - s.base_hours_by_contract[s.contract[rows[employed]]], 0.0) / full
        return np.floor(retirees + np.bincount(prof[employed], weights=spare, minlength=len(PROFESSIONS)) + 1e-9).astype(np.int64)

    def fill_from_stocks(self, day: int) -> None:
        """Members of each profession that may be sent: as many as the stock holds (members deployed now stay filled)."""
        s, ids = self.model.world.staff, self.members
        stock = self.stock()
        deployed = s.posting_kind[ids] == POOL
        filled = deployed.copy()
        for p in np.unique(self._profession):
            of_p = np.flatnonzero(self._profession == p)
            room = max(int(stock[p]) - int(deployed[of_p].sum()), 0)
            filled[of_p[~deployed[of_p]][:room]] = True
        self.filled = filled
        unfilled = int(ids.size - filled.sum())
        self.unfilled.append(unfilled)
        if unfilled and not self.warned:
            self.warned = True
            warnings.warn(
                f"levers.national_pool.size: on {self.model.dates[day]} the run's stocks (retirees and part-timers' spare time) "
                f"fill {int(filled.sum())} of the pool's {ids.size} members (model units); the others are not sent "
                "(summary: pool_unfilled_members_end, pool_unfilled_members_peak)",
                stacklevel=2,
            )

    def lodging(self) -> np.ndarray:
        """Members deployed today away from their home region, by host region."""
        m, s = self.model, self.model.world.staff
        ids = self.members[s.posting_kind[self.members] == POOL]
        host = m.world.workplace_region[s.posting[ids]]
        return np.bincount(host[host != s.region[ids]], minlength=m.world.n_regions)


class NationalPool(Lever):
    """Sends the national reinforcement pool (``ReinforcementPool`` agent, ``model.pool``) to regions at risk.

    Its cost (``pool``): the upkeep of the members (``yearly_cost_per_member_sek``, spread evenly over
    regions and days); the recorder books the pay of additional members' hours on top. Its ``travel``: a return
    trip per arrival and member from their home region, and lodging per member and day deployed away from it.
    """

    name = "national_pool"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "pool_arrivals",
            "Pool arrivals",
            "arrivals",
            None,
            "pool members arrived in a region, summed over arrivals (a person sent twice counts twice)",
            ("compare", "report"),
        ),
        IndicatorSpec(
            "pool_members_deployed",
            "Pool members deployed",
            "members",
            None,
            "distinct pool members deployed at least once (a person sent twice counts once)",
            ("report",),
        ),
    )
    events: ClassVar[dict[str, tuple[str, ...]]] = {"pool_deployments": DEPLOYMENT_COLUMNS}

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        self.pool = model.pool = ReinforcementPool(model, self.cfg)
        self.upkeep_per_day = self.cfg.size * model.config.world.scale * self.cfg.yearly_cost_per_member_sek / 365.0

    def act(self, model: MobilisationModel, day: int) -> None:
        # today's trips only: the record hook books and clears them, but a staff-only run does not call it
        self.pool.trip_cost[:] = 0.0
        self.pool.act(day)

    def month(self, model: MobilisationModel, day: int) -> None:
        if self.pool.from_stocks:
            self.pool.fill_from_stocks(day)

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        if self.pool.from_stocks:  # the upkeep of the members the stocks fill
            cost[:, recorder.cost_index["pool"]] += (
                self.pool.filled.sum() * self.cfg.yearly_cost_per_member_sek / 365.0 / recorder.n_regions
            )
        else:
            cost[:, recorder.cost_index["pool"]] += self.upkeep_per_day / recorder.n_regions
        cfg, pool = self.cfg, self.pool
        if cfg.travel_sek_per_hour > 0 or cfg.lodging_sek_per_night > 0:
            cost[:, recorder.cost_index["travel"]] += pool.trip_cost + pool.lodging() * cfg.lodging_sek_per_night
        pool.trip_cost[:] = 0.0

    def summary(self, days: int) -> dict[str, float]:
        """With ``recruit_from = "stocks"``: members the stocks could not fill, at the last month's start and at most."""
        if not self.pool.from_stocks:
            return {}
        unfilled = self.pool.unfilled
        return {
            "pool_unfilled_members_end": int(unfilled[-1]) if unfilled else int(self.pool.size),
            "pool_unfilled_members_peak": int(max(unfilled)) if unfilled else int(self.pool.size),
        }

    def event_frames(self) -> dict[str, pd.DataFrame]:
        rows = self.pool.deployments
        return {"pool_deployments": pd.DataFrame(rows, columns=list(DEPLOYMENT_COLUMNS)) if rows else empty_events(DEPLOYMENT_COLUMNS)}
