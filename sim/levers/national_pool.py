"""A national reinforcement pool sent to regions at risk (``[levers.national_pool]``).

The decision maker is a Mesa agent, ``ReinforcementPool`` (nationell personell förstärkningsresurs);
the lever ``NationalPool`` calls it once a day, books its upkeep and hands its arrivals to the
results as events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import mesa
import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from sim.categories import ACTIVE, CONTRACTS, COVID_WARD, ICU, ICU_NURSE, POSTINGS, PROFESSIONS, RESERVE
from sim.levers.base import IndicatorSpec, Lever, available, empty_events, lever_on, post
from sim.schema import MAX_DAYS, MAX_POOL, CostSek, LeverConfig, NonNegative, Probability, WholeDays, _profession_keys, at_most
from sim.world import apportion

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

POOL = POSTINGS.index("pool")
DEPLOYMENT_COLUMNS = ("requested_day", "arrival_day", "region", "profession", "count", "days")


class NationalPoolConfig(LeverConfig):
    """A national reinforcement pool (nationell personell förstärkningsresurs) sent to regions at risk."""

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

    @field_validator("composition")
    @classmethod
    def _shares(cls, value: dict[str, float]) -> dict[str, float]:
        _profession_keys(value)
        if value and abs(sum(value.values()) - 1.0) > 1e-6:
            raise ValueError(f"shares sum to {sum(value.values()):g}; expected 1")
        return value


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
            for name, k in zip(names, counts, strict=True):
                ids = np.flatnonzero(s.profession[: s.n_regular] == PROFESSIONS.index(name))
                chosen.append(ids[np.argsort(s.pool_u[ids], kind="stable")[: int(k)]])
            self.members = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
            self.additional = False
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
            self.effect[anaesthesia] = model.config.levers.rapid_training.anaesthesia_nurse_effectiveness

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
        deployed = np.bincount(m.world.workplace_region[s.posting[ids][s.posting_kind[ids] == POOL]], minlength=m.world.n_regions)
        on = lever_on(m, cfg.start_level, cfg) & (m.forecast_gap_share > cfg.activation_gap)
        for r in np.flatnonzero(on):
            # request what the forecast gap calls for beyond the members already there (top-up as members rotate out)
            wanted = int(np.ceil(m.forecast_gap_hours[r].sum() / m.hours_per_head)) - int(deployed[r])
            if wanted > 0 and r not in self.pending:
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

    def _send(self, region: int, heads: np.ndarray, requested: int, day: int) -> None:
        m, s, cfg = self.model, self.model.world.staff, self.cfg
        ids = self.members
        ready = available(m, ids, at_home=False, reserve=self.additional)
        if not self.additional:  # members drawn from regions' staff come only from regions at normal level
            home_region = s.region[ids]
            ready &= (home_region != region) & (m.levels[home_region] == 0)
        for p in np.unique(s.profession[ids]):
            pick = np.flatnonzero(ready & (s.profession[ids] == p))[: int(heads[p])]
            if pick.size == 0:
                continue
            sel = ids[pick]
            target = np.where(self.to_icu[pick], m.world.unit_id(region, ICU), m.world.unit_id(region, COVID_WARD))
            s.status[sel] = ACTIVE
            post(m, sel, target, day + cfg.max_deployment_days, POOL, self.role[pick], self.effect[pick])
            s.effectiveness[sel] = s.base_effectiveness[sel] * self.effect[pick]
            self.deployments.append(
                {
                    "requested_day": requested,
                    "arrival_day": day,
                    "region": m.world.regions["code"].iloc[region],
                    "profession": PROFESSIONS[p],
                    "count": int(sel.size),
                    "days": cfg.max_deployment_days,
                }
            )


class NationalPool(Lever):
    """Sends the national reinforcement pool (``ReinforcementPool`` agent, ``model.pool``) to regions at risk.

    Its cost (``pool``): the upkeep of the members (``yearly_cost_per_member_sek``, spread evenly over
    regions and days); the recorder books the pay of additional members' hours on top.
    """

    name = "national_pool"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "pool_members_deployed",
            "Pool members deployed",
            "members",
            None,
            "pool members arrived in a region, summed over arrivals (a person sent twice counts twice)",
            ("compare", "report"),
        ),
    )
    events: ClassVar[dict[str, tuple[str, ...]]] = {"pool_deployments": DEPLOYMENT_COLUMNS}

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        self.pool = model.pool = ReinforcementPool(model, self.cfg)
        self.upkeep_per_day = self.cfg.size * model.config.world.scale * self.cfg.yearly_cost_per_member_sek / 365.0

    def act(self, model: MobilisationModel, day: int) -> None:
        self.pool.act(day)

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        cost[:, recorder.cost_index["pool"]] += self.upkeep_per_day / recorder.n_regions

    def event_frames(self) -> dict[str, pd.DataFrame]:
        rows = self.pool.deployments
        return {"pool_deployments": pd.DataFrame(rows, columns=list(DEPLOYMENT_COLUMNS)) if rows else empty_events(DEPLOYMENT_COLUMNS)}
