"""Mesa agents: regions decide, units and homes report, staff can be inspected.

State lives in the model's NumPy arrays; each agent reads and writes its own
row. ``Staff`` agents are created lazily, on first access through
``model.staff``: building 330,000 agent objects would take longer than the
whole simulated spring (2.3 s measured on this machine), and most runs never
look at a single staff member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim import data
from sim.categories import (
    ACTIVE,
    ACUTE_WARD,
    CONTRACTS,
    COVID_WARD,
    EMPLOYERS,
    ICU,
    ICU_NURSE,
    LEVELS,
    POSTINGS,
    PROFESSIONS,
    RESERVE,
    STATUSES,
    UNIT_KINDS,
)
from sim.world import apportion


def lever_on(model, start_level, config):
    from sim.policies import lever_on as _on

    return _on(model, start_level, config)


if TYPE_CHECKING:
    from sim.model import MobilisationModel


class Region(mesa.Agent):
    """A Swedish region (one of 21): runs the hospital units, escalates and staffs them.

    Attributes:
        index: region index in the core arrays.
        code, name: identifiers (``stockholm``, "Stockholm").
        population: inhabitants (full scale).
        healthcare_region: the health-care region it belongs to.
        level: escalation level, an index into ``LEVELS`` (normal, staffing_alert, crisis).
        covid_ward_share: per profession, the share of the acute ward's available
            staff sent to the COVID ward today.
    """

    model: MobilisationModel

    def __init__(self, model: MobilisationModel, index: int) -> None:
        super().__init__(model)
        row = model.world.regions.iloc[index]
        self.index = index
        self.code: str = row["code"]
        self.name: str = row["name"]
        self.population = int(row["population"])
        self.healthcare_region: str = row["healthcare_region"]
        self.level = 0
        self._days_below = 0
        self.covid_ward_share = np.zeros(len(PROFESSIONS))

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]

    @property
    def forecast_gap_share(self) -> float:
        """Forecast gap of the hospital units against the region's own staff, as a share of their need (model._forecast)."""
        return float(self.model.forecast_gap_share[self.index])

    def assess(self) -> None:
        """Escalate at once when the forecast gap passes a threshold; step down after days below it."""
        cfg = self.model.config.escalation
        gap = self.forecast_gap_share
        target = 2 if gap > cfg.crisis_gap else 1 if gap > cfg.alert_gap else 0
        if target > self.level:
            self.level, self._days_below = target, 0
        elif target < self.level:
            self._days_below += 1
            if self._days_below >= cfg.deescalate_days:
                self.level, self._days_below = self.level - 1, 0
        else:
            self._days_below = 0
        self.model.levels[self.index] = self.level

    def plan(self) -> None:
        """Open COVID cohort wards: staff the need not yet covered from the acute ward.

        This is what every hospital did, with or without national levers: the
        acute ward's staff serve both the acute and the COVID ward patients.
        """
        world, required = self.model.world, self.model.required
        covid = np.maximum(required[world.unit_id(self.index, COVID_WARD)] - self.model.covid_ward_supply[self.index], 0.0)
        acute = required[world.unit_id(self.index, ACUTE_WARD)]
        total = covid + acute
        self.covid_ward_share = np.divide(covid, total, out=np.zeros_like(total), where=total > 0)

    @property
    def covid_icu_patients(self) -> float:
        """COVID patients in this region's ICU today (model scale)."""
        return float(self.model.covid_icu_today[self.index])


class Coordinator(mesa.Agent):
    """The national coordinator of loans between regions (the national contact point of October 2020).

    Each day, regions at the loans lever's level ask for the ICU staff their
    forecast need exceeds their ICU's staff; regions lend only what keeps their
    own forecast ICU coverage at ``1 + safety_margin``. Requests are served
    largest first, from lenders in the same health-care region first, then by
    travel time over the region network (networkx shortest paths).

    Attributes:
        loans: one record per loan: day, from, to, profession, count, days.
    """

    model: MobilisationModel

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        self.cfg = model.config.levers.loans
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
        out = int(np.count_nonzero(s.posting_kind[ids] == POSTINGS.index("loan")))
        return max(int(self.cfg.max_share_lent * ids.size) - out, 0)

    def _post(self, lender: int, borrower: int, p: int, n: int, day: int) -> int:
        s, ids = self.model.world.staff, self.icu_staff[(lender, p)]
        free = ids[(s.status[ids] == ACTIVE) & (s.posting[ids] < 0) & (s.workplace[ids] == s.home[ids])][:n]
        if free.size == 0:
            return 0
        target = self.model.world.unit_id(borrower, ICU)
        s.posting[free] = target
        s.posting_until[free] = day + self.cfg.loan_days
        s.posting_kind[free] = POSTINGS.index("loan")
        s.posting_role[free] = p
        s.posting_effectiveness[free] = 1.0
        s.workplace[free] = target
        s.role[free] = p
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


class ReinforcementPool(mesa.Agent):
    """The national reinforcement pool: members on standby, sent to the regions with the worst forecast gap.

    A region in crisis whose forecast gap share passes the activation threshold
    requests the members its forecast gap calls for beyond those already there;
    members arrive ``response_days`` later, work in the ICU (ICU nurses and
    physicians, anaesthesia nurses in an ICU-nurse role) or the COVID ward (others)
    for at most ``max_deployment_days``, then rest. Members drawn from regions' own
    staff are sent only from other regions at normal level (not under pressure themselves).

    Attributes:
        members: staff ids of the pool's members.
        deployments: one record per arrival: requested, arrived, region, profession, count, days.
    """

    model: MobilisationModel

    def __init__(self, model: MobilisationModel) -> None:
        super().__init__(model)
        self.cfg = cfg = model.config.levers.national_pool
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
        self.to_icu = np.isin(s.profession[self.members], icu_profs)
        self.role = s.profession[self.members].copy()
        self.effect = np.ones(self.members.size)
        anaesthesia = s.profession[self.members] == PROFESSIONS.index("anaesthesia_nurse")
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
        deployed = np.bincount(
            m.world.workplace_region[s.posting[ids][s.posting_kind[ids] == POSTINGS.index("pool")]], minlength=m.world.n_regions
        )
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
        ready = (s.posting[ids] < 0) & ((s.status[ids] == ACTIVE) | ((s.status[ids] == RESERVE) & self.additional))
        if not self.additional:  # members drawn from regions' staff come only from regions at normal level
            home_region = s.region[ids]
            ready &= (home_region != region) & (m.levels[home_region] == 0)
        for p in np.unique(s.profession[ids]):
            want = int(heads[p])
            pick = np.flatnonzero(ready & (s.profession[ids] == p))[:want]
            if pick.size == 0:
                continue
            sel = ids[pick]
            target = np.where(self.to_icu[pick], m.world.unit_id(region, ICU), m.world.unit_id(region, COVID_WARD))
            s.status[sel] = ACTIVE
            s.posting[sel] = target
            s.posting_until[sel] = day + cfg.max_deployment_days
            s.posting_kind[sel] = POSTINGS.index("pool")
            s.posting_role[sel] = self.role[pick]
            s.posting_effectiveness[sel] = self.effect[pick]
            s.workplace[sel] = target
            s.role[sel] = self.role[pick]
            s.effectiveness[sel] = s.base_effectiveness[sel] * self.effect[pick]
            self.deployments.append(
                {
                    "requested_day": requested, "arrival_day": day, "region": m.world.regions["code"].iloc[region],
                    "profession": PROFESSIONS[p], "count": int(sel.size), "days": cfg.max_deployment_days,
                }
            )  # fmt: skip


class Unit(mesa.Agent):
    """A hospital or primary-care unit of a region: ICU, COVID ward, acute ward, elective or primary care."""

    model: MobilisationModel

    def __init__(self, model: MobilisationModel, workplace: int) -> None:
        super().__init__(model)
        self.workplace = workplace
        self.kind: str = UNIT_KINDS[int(model.world.workplace_kind[workplace])]
        self.region: int = int(model.world.workplace_region[workplace])

    @property
    def census(self) -> float:
        """Patients today (ICU, COVID ward) or demand relative to normal (other units)."""
        return float(self.model.census[self.workplace])

    @property
    def required_hours(self) -> float:
        """Staff hours needed today, all professions."""
        return float(self.model.required[self.workplace].sum())

    @property
    def supplied_hours(self) -> float:
        """Staff hours of care given today, all professions (at most the required hours)."""
        return float(self.model.supplied[self.workplace].sum())

    @property
    def coverage(self) -> float:
        """Supplied over required hours today (1 when nothing is required)."""
        req = self.required_hours
        return self.supplied_hours / req if req > 0 else 1.0


class NursingHome(mesa.Agent):
    """A special housing for the elderly (särskilt boende) of a municipality."""

    model: MobilisationModel

    def __init__(self, model: MobilisationModel, home: int) -> None:
        super().__init__(model)
        world = model.world
        self.home = home
        self.workplace = int(world.home_workplace[home])
        self.region = int(world.home_region[home])
        self.municipality = int(world.workplace_municipality[self.workplace])
        self.hourly_share = float(world.home_hourly_share[home])

    @property
    def residents(self) -> int:
        """Residents living in the home."""
        return int(self.model.world.home_residents[self.home])

    @property
    def infected_residents(self) -> int:
        """Residents infected today."""
        return int(self.model.nh_infected[self.home])

    @property
    def has_outbreak(self) -> bool:
        """At least one infected resident today."""
        return self.infected_residents > 0

    @property
    def team_size(self) -> int:
        """Staff whose home workplace is this home (any status)."""
        return int(np.count_nonzero(self.model.world.staff.home == self.workplace))


class Staff(mesa.Agent):
    """One staff member; a view of row ``index`` of the staff arrays.

    Its daily dynamics run in the compiled core; the agent exists so that users
    can inspect, select and group staff with Mesa's ``AgentSet``.
    """

    model: MobilisationModel

    def __init__(self, model: MobilisationModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _arrays(self):
        return self.model.world.staff

    @property
    def profession(self) -> str:
        return PROFESSIONS[int(self._arrays.profession[self.index])]

    @property
    def employer(self) -> str:
        return EMPLOYERS[int(self._arrays.employer[self.index])]

    @property
    def contract(self) -> str:
        return CONTRACTS[int(self._arrays.contract[self.index])]

    @property
    def region(self) -> str:
        return str(self.model.world.regions["code"].iloc[int(self._arrays.region[self.index])])

    @property
    def home_workplace(self) -> int:
        return int(self._arrays.home[self.index])

    @property
    def workplace(self) -> int:
        """Today's workplace id (differs from home when deployed)."""
        return int(self._arrays.workplace[self.index])

    @property
    def workplace_kind(self) -> str:
        return UNIT_KINDS[int(self.model.world.workplace_kind[self.workplace])]

    @property
    def status(self) -> str:
        return STATUSES[int(self._arrays.status[self.index])]

    @property
    def fatigue(self) -> float:
        """Fatigue in [0, 1]."""
        return float(self._arrays.fatigue[self.index])

    @fatigue.setter
    def fatigue(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"fatigue must be in [0, 1], got {value}")
        self._arrays.fatigue[self.index] = value

    @property
    def hours_today(self) -> float:
        """Hours worked on the last simulated day."""
        return float(self._arrays.hours_worked[self.index])

    @property
    def days_left(self) -> int:
        """Days left of the current sick spell (0 when at work)."""
        return int(self._arrays.days_left[self.index])


class StaffRegistry:
    """Lazy access to ``Staff`` agents: ``model.staff[i]`` creates agent ``i`` on first use.

    ``model.staff.select(mask)`` returns a Mesa ``AgentSet`` of the staff whose
    rows match a boolean mask (or ids), creating them as needed; ``len`` is the
    number of staff rows, whether or not their agents exist yet.
    """

    def __init__(self, model: MobilisationModel) -> None:
        self._model = model
        self._agents: dict[int, Staff] = {}

    def __len__(self) -> int:
        return len(self._model.world.staff)

    def __getitem__(self, index: int) -> Staff:
        index = int(index)
        if not 0 <= index < len(self):
            raise IndexError(f"staff id {index} out of range 0..{len(self) - 1}")
        agent = self._agents.get(index)
        if agent is None:
            agent = self._agents[index] = Staff(self._model, index)
        return agent

    def select(self, which: np.ndarray) -> mesa.agent.AgentSet:
        """AgentSet of the staff chosen by a boolean mask or an array of ids."""
        ids = np.flatnonzero(which) if np.asarray(which).dtype == bool else np.asarray(which)
        return mesa.agent.AgentSet([self[i] for i in ids], random=self._model.random)

    @property
    def materialised(self) -> int:
        """How many Staff agents exist so far."""
        return len(self._agents)
