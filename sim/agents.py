"""Mesa agents: regions decide, units, homes and home-care services report, staff can be inspected.

The decision makers of two levers are agents too and live in their lever's module:
``sim.levers.loans.Coordinator`` and ``sim.levers.national_pool.ReinforcementPool``.

State lives in the model's NumPy arrays; each agent reads and writes its own
row. ``Staff`` agents are created lazily, on first access through
``model.staff``: building 330,000 agent objects would take longer than the
whole simulated spring (2.3 s measured on this machine), and most runs never
look at a single staff member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from sim import kernels
from sim.categories import (
    ACTIVE,
    ALL_STATUSES,
    CONTRACTS,
    EMPLOYERS,
    LEVELS,
    PROFESSIONS,
    UNIT_KINDS,
)

# The loans' and the national pool's decision makers live with their levers; importable from here too, where they used to be.
from sim.levers.loans import Coordinator
from sim.levers.national_pool import ReinforcementPool

if TYPE_CHECKING:
    from sim.model import MobilisationModel

__all__ = ["Coordinator", "HomeCareService", "NursingHome", "Region", "ReinforcementPool", "Staff", "StaffRegistry", "Unit"]


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

    #: The columns of ``world.regions`` a Region keeps.
    COLUMNS = ("code", "name", "population", "healthcare_region")

    def __init__(self, model: MobilisationModel, index: int, row: dict[str, Any] | None = None) -> None:
        """``row``: the region's ``COLUMNS`` (``Region.rows``); default: read from ``model.world.regions``."""
        super().__init__(model)
        if row is None:
            row = model.world.regions.iloc[index]
        self.index = index
        self.code: str = row["code"]
        self.name: str = row["name"]
        self.population = int(row["population"])
        self.healthcare_region: str = row["healthcare_region"]
        self.level = 0
        self._days_below = 0

    @staticmethod
    def rows(regions: pd.DataFrame) -> list[dict[str, Any]]:
        """Each region's ``COLUMNS``, one dict a region, in the frame's order: ``create_agents``'s ``row``, read per column
        rather than a pandas row per region (issue #18)."""
        columns = [regions[c].tolist() for c in Region.COLUMNS]
        return [dict(zip(Region.COLUMNS, values, strict=True)) for values in zip(*columns, strict=True)]

    @property
    def level_name(self) -> str:
        return LEVELS[self.level]

    @property
    def forecast_gap_share(self) -> float:
        """Forecast gap of the hospital units against the region's own staff, as a share of their need (model._forecast)."""
        return float(self.model.forecast_gap_share[self.index])

    @property
    def forecast_covid_icu(self) -> float:
        """This region's forecast of its COVID ICU patients ``horizon_days`` ahead, model scale (``sim.forecast``)."""
        return float(self.model.forecast_covid_icu[self.index])

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
        Region.plan_all(self.model)

    @property
    def covid_ward_share(self) -> np.ndarray:
        """Per profession, the share of the acute ward's available staff sent to the COVID ward today (its row of
        ``model.covid_ward_share``, which ``plan_all`` sets; zeros before the first plan)."""
        return self.model.covid_ward_share[self.index]

    @covid_ward_share.setter
    def covid_ward_share(self, share: np.ndarray) -> None:
        """Set this region's row of today's plan (the next ``plan_all`` plans anew, as it did for the attribute)."""
        self.model.covid_ward_share[self.index] = share

    @staticmethod
    def plan_all(model: MobilisationModel) -> np.ndarray:
        """``plan``'s rule for every region at once (regions, professions): the COVID ward's need not yet covered, as a
        share of that need and the acute ward's; sets ``model.covid_ward_share``, whose rows are the Regions'
        ``covid_ward_share`` (one compiled call over 21 regions, ``kernels.cohort_ward_shares``, instead of 21 agents'
        own, and no loop over the agents to hand out the rows, issue #18)."""
        model.covid_ward_share = share = kernels.cohort_ward_shares(
            required=model.required, covid_ward_ids=model._covid_ward_ids, acute_ids=model._acute_ids, supply=model.covid_ward_supply
        )
        return share

    @property
    def covid_icu_patients(self) -> float:
        """COVID patients in this region's ICU today (model scale)."""
        return float(self.model.covid_icu_today[self.index])

    # the per-region values of the model's DataCollector (sim.collect.BY_REGION), on the last recorded day, for a
    # DataCollector of one's own: mesa.DataCollector(agenttype_reporters={Region: {"unsafe": "unsafe_icu_patient_days"}});
    # NaN before the first day
    def _collected(self, name: str) -> float:
        return self.model.daily_values.by_region(name)[self.index]

    @property
    def unsafe_icu_patient_days(self) -> float:
        """Unsafe ICU patient-days in this region so far (model scale; ``sim.collect``)."""
        return float(self._collected("unsafe_icu_patient_days"))

    @property
    def icu_patients(self) -> float:
        """All patients in this region's ICU on the last recorded day (model scale)."""
        return float(self._collected("icu_patients"))

    @property
    def staff_sick(self) -> float:
        """The region's staff off sick on the last recorded day (model scale)."""
        return float(self._collected("staff_sick"))

    @property
    def staff_on_loan(self) -> float:
        """Staff on loan from other regions working in this region on the last recorded day (model scale)."""
        return float(self._collected("staff_on_loan"))

    @property
    def pool_members_in(self) -> float:
        """National pool members posted in this region on the last recorded day (model scale)."""
        return float(self._collected("pool_members_in"))


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
        """Residents living in the home (those who died have left it)."""
        return int(self.model.residents_alive[self.home])

    @property
    def dead_residents(self) -> int:
        """Residents who have died of COVID-19 so far."""
        return int(self.model.nh_dead[self.home])

    @property
    def recovered_residents(self) -> int:
        """Residents who have recovered so far."""
        return int(self.model.nh_recovered[self.home])

    @property
    def assessed_residents(self) -> int:
        """Infected residents today who have had a physician's individual medical assessment."""
        return int(self.model.nh_assessed[self.home])

    @property
    def staff_hygiene(self) -> float:
        """Mean hygiene skill of the staff who worked here today, registered nurses' teaching included (0 if none)."""
        return float(self.model.nh_hygiene[self.home])

    @property
    def registered_nurse_hours(self) -> float:
        """Hours worked here today by staff in the role of registered nurse, whoever sent them."""
        return float(self.model.nh_rn_hours[self.home])

    @property
    def delegated_medication_share(self) -> float:
        """Share of the residents' medication and nursing tasks today that the nurses present did not cover (delegated)."""
        return float(self.model.nh_delegated_share[self.home])

    @property
    def missed_care_hours(self) -> float:
        """Care hours the home needed today and its staff did not supply."""
        return float(self.model.nh_missed_care_hours[self.home])

    @property
    def physician_rounds_per_week(self) -> tuple[float, float]:
        """Physician rounds a week today: (in person, digital)."""
        return float(self.model.nh_physician_visits[self.home]), float(self.model.nh_digital_rounds[self.home])

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

    @property
    def staff_at_work(self) -> int:
        """Active staff placed in this home today: its own, staff lent from its cluster, mobile-team nurses, extra nurses."""
        s = self.model.world.staff
        return int(np.count_nonzero((s.workplace == self.workplace) & (s.status == ACTIVE)))

    @property
    def cluster(self) -> int:
        """The home's cluster of homes that lend each other staff (home_cooperation; -1: no partner or the lever is off)."""
        lever = self.model.lever("home_cooperation")
        return int(lever.cluster[self.home]) if lever is not None else -1


class HomeCareService(mesa.Agent):
    """A municipality's home-care service (hemtjänst): its clients at home and the day's visits (submodel 8a).

    A view of the model's per-municipality arrays (``hc_clients_susceptible``, ``hc_infected``, ...).
    """

    model: MobilisationModel

    def __init__(self, model: MobilisationModel, municipality: int) -> None:
        super().__init__(model)
        world = model.world
        self.municipality = municipality
        self.workplace = int(world.hc_workplace[municipality])
        self.region = int(world.municipality_region[municipality])

    @property
    def clients(self) -> int:
        """Clients at the start of the run."""
        return int(self.model.world.hc_clients[self.municipality])

    @property
    def susceptible_clients(self) -> int:
        """Clients never infected."""
        return int(self.model.hc_clients_susceptible[self.municipality])

    @property
    def infected_clients(self) -> int:
        """Clients infected today."""
        return int(self.model.hc_infected[self.municipality])

    @property
    def recovered_clients(self) -> int:
        """Clients who have recovered."""
        return int(self.model.hc_recovered[self.municipality])

    @property
    def dead_clients(self) -> int:
        """Clients who have died of COVID-19."""
        return int(self.model.hc_dead[self.municipality])

    @property
    def planned_visits(self) -> float:
        """Visits planned today."""
        return float(self.model.hc_planned_visits[self.municipality])

    @property
    def missed_visits(self) -> float:
        """Planned visits not made today for want of staff."""
        return float(self.model.hc_missed_visits[self.municipality])

    @property
    def coverage(self) -> float:
        """Effective supplied hours / required hours of the service today."""
        return float(self.model.hc_coverage[self.municipality])

    @property
    def staff_at_work(self) -> int:
        """Staff at work in the service now (any profession, own or sent by a lever)."""
        s = self.model.world.staff
        return int(np.count_nonzero((s.workplace == self.workplace) & (s.status == ACTIVE)))


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
    def hygiene(self) -> float:
        """Skill in basic hygiene routines, 0–1."""
        return float(self._arrays.hygiene[self.index])

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
        return ALL_STATUSES[int(self._arrays.status[self.index])]

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
