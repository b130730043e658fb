"""MobilisationModel: one step is one day of the Swedish health-care workforce in a crisis."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import mesa
import numpy as np

from sim import collect, homecare, kernels
from sim.agents import HomeCareService, NursingHome, Region, StaffRegistry, Unit
from sim.categories import (
    ACTIVE,
    ACUTE_WARD,
    COVID_WARD,
    ICU,
    ICU_NURSE,
    N_PROFESSIONS,
    OFF_DUTY,
    POSTINGS,
    TRAINING,
    UNIT_KINDS,
)
from sim.collect import DailyValues
from sim.demand import build_demand
from sim.forecast import Forecaster
from sim.levers import Lever, build_levers
from sim.recorder import RECORDS, Recorder
from sim.results import Result
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.supply import Supply
from sim.teams import ASSISTANT_NURSE, SUPPORT_NURSES, Tiers, team_need
from sim.world import N_REGION_KINDS, build_world

if TYPE_CHECKING:
    from sim.levers import Coordinator, ReinforcementPool

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "sweden_spring2020.toml"


def resolve_scenario(scenario: Scenario | str | Path | None, overrides: dict[str, Any]) -> Scenario:
    """A validated scenario from an object, a path or the default file, with dotted overrides."""
    if scenario is None:
        scenario = DEFAULT_SCENARIO
    if isinstance(scenario, (str, Path)):
        return load_scenario(scenario, **overrides)
    return scenario.with_overrides(**overrides) if overrides else scenario


class MobilisationModel(mesa.Model):
    """Health-care staff of Sweden through an epidemic, one day per step.

    Each day: COVID demand arrives per region (levers may cut planned care, and
    vacations relieve ordinary units); each region forecasts its hospital gap and
    escalates (normal, staffing alert, crisis); staff start the day at home or at
    their posting, and the mobilisation levers decide, in a fixed order
    (``sim.levers.LEVERS``), who works where, in which role and for how many hours;
    staff hours are matched against required hours per workplace and role (with
    extra hours up to each person's cap); the compiled core advances every staff
    member's fatigue, infection, sick leave, return and leaving, and the nursing
    homes' residents; indicators and costs are recorded.

    Args:
        scenario: a ``Scenario``, a path to a TOML file, or None for the Sweden
            spring 2020 scenario.
        seed: seed of the run's random numbers. Runs with the same scenario and
            seed are identical; strategies compared with the same seed share
            their random numbers.
        rng: accepted for Mesa's batch runner and SolaraViz; used as the seed
            when ``seed`` is None.
        levers: levers of your own (instances of ``sim.levers.Lever`` subclasses), acting besides
            the scenario's, each after the lever named in its ``after`` (default: last).
        record: ``"all"`` (the default): every frame, the summary and Mesa's DataCollector; ``"staff"``: only the
            staff frame and the regions' escalation, no DataCollector (``model.datacollector`` is None), for statistics
            that read only those (the calibration's, ``tools/calibrate.py``); the run itself is the same
            (``sim.recorder.RECORDS``); ``daily_values`` and the regions' collected values raise ``NotRecorded``.
        **overrides: scenario values by dotted key with ``__`` for dots, for
            example ``world__scale=0.1`` (Mesa's ``batch_run`` and SolaraViz
            sliders pass parameters this way).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        seed: int | None = None,
        rng: int | None = None,
        levers: Sequence[Lever] = (),
        *,
        record: str = "all",
        **overrides: Any,
    ) -> None:
        if record not in RECORDS:
            raise ValueError(f"record: expected one of {', '.join(map(repr, RECORDS))}, got {record!r}")
        seed = seed if seed is not None else rng
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63):
            raise ScenarioError("seed", "seed", f"expected a whole number from 0 to 2**63 - 1, got {seed!r}")
        super().__init__(rng=seed)
        if seed is None:
            seed = int(self.rng.integers(0, 2**62))
        self.seed = int(seed)
        # the validated mobsim Scenario; not `self.scenario`, which Mesa >= 3.5 reserves for its own
        self.config: Scenario = resolve_scenario(scenario, overrides)
        sc = self.config
        self.world = world = build_world(sc)
        self.n_days = sc.time.n_days
        if self.n_days > kernels.MAX_RUN_DAYS:  # the staff's day counters are int16 (issue #18)
            raise ScenarioError("scenario", "time.end", f"a run of {self.n_days:,} days; at most {kernels.MAX_RUN_DAYS:,} (about 27 years)")
        self.dates = sc.time.dates()
        population = world.regions["population"].to_numpy(float)
        self.demand = build_demand(
            sc.demand,
            sc.time.start,
            self.n_days,
            sc.infection.prevalence_lag_days,
            tuple(world.regions["code"]),
            population,
            np.random.default_rng([self.seed, 1]),
            crisis=sc.crisis,
        )
        esc = sc.escalation
        # the regions' trend forecasts, their errors from their own stream (common random numbers, whatever the levers)
        self.forecaster = (
            Forecaster(
                esc.horizon_days,
                esc.reporting_delay_days,
                esc.trend_days,
                esc.forecast_error_sd,
                esc.forecast_error_persistence,
                self.n_days,
                len(world.regions),
                np.random.default_rng([self.seed, 2]),
            )
            if esc.forecast == "trend"
            else None
        )
        # community prevalence by day and region, from ICU occupancy `lag` days later (full scale)
        self.prevalence = np.clip(sc.infection.prevalence_per_icu_per_capita * self.demand.icu_ahead / population, 0.0, 1.0)

        n_wp, n_reg = world.n_workplaces, world.n_regions
        self._intensity = np.array([sc.fatigue.intensity.get(k, 1.0) for k in UNIT_KINDS])[world.workplace_kind]
        self._work_rate = np.array([sc.infection.work_rate.get(k, 0.0) for k in UNIT_KINDS])[world.workplace_kind]
        self.icu_ids = np.arange(n_reg) * N_REGION_KINDS + ICU
        self._covid_ward_ids = np.arange(n_reg) * N_REGION_KINDS + COVID_WARD
        self._slots: dict[tuple[str, ...], np.ndarray] = {}  # _capacity_at's slot of each workplace, by the units it counts
        self._acute_ids = np.arange(n_reg) * N_REGION_KINDS + ACUTE_WARD
        self.nh_susceptible = world.home_residents.astype(np.int64).copy()
        self.nh_infected = np.zeros_like(self.nh_susceptible)
        self.nh_recovered = np.zeros_like(self.nh_susceptible)
        self.nh_introductions = np.zeros_like(self.nh_susceptible)
        # home care (submodel 8a): clients per municipality by compartment, and the day's visits (sim.homecare)
        n_muni = world.hc_workplace.shape[0]
        self.hc_clients_susceptible = world.hc_clients.astype(np.int64).copy()
        self.hc_infected = np.zeros(n_muni, dtype=np.int64)
        self.hc_recovered = np.zeros(n_muni, dtype=np.int64)
        self.hc_dead = np.zeros(n_muni, dtype=np.int64)
        self.hc_new_infections = np.zeros(n_muni, dtype=np.int64)  # today's
        self.hc_new_deaths = np.zeros(n_muni, dtype=np.int64)  # today's
        self.hc_planned_visits = np.zeros(n_muni)  # today's
        self.hc_missed_visits = np.zeros(n_muni)  # today's: planned visits the service's staff could not make
        self.hc_coverage = np.ones(n_muni)  # today's effective supplied / required hours of each service
        self.hc_visits_per_staff = np.zeros(n_muni)  # today's
        self.hc_transmission_factor = np.ones(n_muni)  # levers lower it (infection-control support); reset each day
        self._hc_service = np.full(world.n_workplaces, -1, dtype=np.int64)  # workplace -> municipality of its home-care service
        self._hc_service[world.hc_workplace] = np.arange(n_muni)
        # residents' outcomes and the homes' competence (issue #16, submodel 18): the dead (cumulative) and today's deaths,
        # the infected who have had a physician's individual assessment, and per home today: physician rounds a week (in
        # person, digital; the physician_rounds lever adds), the effective hygiene skill of the staff present, the share
        # of medication rounds delegated, care hours required and not supplied, and the chance that an infected
        # resident is assessed
        self.nh_dead = np.zeros_like(self.nh_susceptible)
        self.nh_deaths = np.zeros_like(self.nh_susceptible)
        self.nh_assessments = np.zeros_like(self.nh_susceptible)  # infected residents assessed today
        self.nh_assessed = np.zeros_like(self.nh_susceptible)
        n_homes = len(world.home_workplace)
        self.nh_physician_visits = np.zeros(n_homes)
        self.nh_digital_rounds = np.zeros(n_homes)
        self.nh_hygiene = np.zeros(n_homes)
        self.nh_delegated_share = np.zeros(n_homes)
        self.nh_missed_care_hours = np.zeros(n_homes)
        self.nh_assessment_probability = np.zeros(n_homes)
        self.nh_rn_hours = np.zeros(n_homes)
        self.census = world.census_base.copy()
        self.required = np.zeros((n_wp, world.norm.shape[1]))
        self.supplied = np.zeros_like(self.required)
        self.covid_icu_today = np.zeros(n_reg)
        # ICU beds per region (model units): normal and surge from the data (sim.world), open today (the bed_expansion
        # lever opens more), and staffed: open beds the ICU's nurses can give the minimum safe ratio (after placement)
        self.icu_beds_normal = world.regions["icu_beds_2019"].to_numpy(float) * sc.world.scale
        self.icu_beds_surge = world.regions["icu_beds_surge"].to_numpy(float) * sc.world.scale
        self.icu_beds_open = self.icu_beds_normal.copy()
        self.icu_beds_staffed = self.icu_beds_normal.copy()
        # team-based ICU staffing (safety.icu_tiers; None: the minimum ICU-nurse ratio, as before issue #14)
        self.tiers = Tiers.from_config(sc.safety.icu_tiers)
        self._support_roles = np.array(SUPPORT_NURSES, dtype=np.int64)  # the ICU teams' support nurses, as the kernels take them
        self.forecast_icu_nurses = np.zeros(n_reg)  # own ICU nurses a region counts on when it forecasts (hours / 24)
        self.forecast_icu_patients = np.zeros(n_reg)  # all ICU patients a region expects horizon_days ahead (_forecast)
        self.icu_moved_net_ahead = np.zeros(n_reg)  # patients moved in less moved out still there horizon_days ahead (transfers)
        self.levels = np.zeros(n_reg, dtype=np.int64)
        self.forecast_gap_share = np.zeros(n_reg)
        self.forecast_covid_icu = np.zeros(n_reg)  # each region's forecast of its COVID ICU patients `horizon_days` ahead
        self.forecast_gap_hours = np.zeros((n_reg, N_PROFESSIONS))
        self.forecast_icu_required = np.zeros((n_reg, N_PROFESSIONS))
        self.forecast_icu_nurse_gap = np.zeros(n_reg)
        self.covid_ward_supply = np.zeros((n_reg, N_PROFESSIONS))
        self.covid_ward_share = np.zeros((n_reg, N_PROFESSIONS))  # each Region's plan of the day (Region.plan_all)
        self.worked_at = world.staff.workplace.copy()  # where each staff member worked today (before same-day sickness)
        # fatigue that costs capacity (fatigue.capacity_*, submodel 5a): the hours today's fatigue cap took away by
        # (workplace, role) (effective hours), and per region the hours worked in its ICU today: all, by fatigued staff,
        # and weighted by their excess error odds
        self.capacity_lost = np.zeros((n_wp, N_PROFESSIONS))
        self.icu_care = np.zeros((n_reg, 3))
        self.hours_per_head = sc.workforce.normal_max_weekly_hours / 7.0
        self.day = 0
        self.key = np.uint64(0)

        s = world.staff
        self._group_own_staff()
        sick_share = s.other_sick_rate * sc.absence.other_mean_days / (1.0 + s.other_sick_rate * sc.absence.other_mean_days)
        sick_share[s.n_regular :] = 0.0  # recruits and additional pool members start in reserve
        sick_share[s.status != ACTIVE] = 0.0  # nor is anyone away at the start off sick (specialist students, issue #17)
        kernels.init_absence(
            seed=self.seed, status=s.status, days_left=s.days_left, sick_share=sick_share, mean_days=sc.absence.other_mean_days
        )
        # the core's parameters that hold for the whole run (fatigue and absence change with the levers' factors: see step)
        inf, nh = sc.infection, sc.nursing_homes
        self.infection_params = kernels.make_params(
            kernels.InfectionParams,
            community_rate=inf.community_rate,
            symptomatic_share=inf.symptomatic_share,
            onset_days=inf.onset_days,
            covid_mean_days=inf.sick_mean_days,
            long_share=inf.long_spell_share,
            long_mean_days=inf.long_spell_mean_days,
        )
        self.home_params = kernels.make_params(
            kernels.NursingHomeParams,
            infectious_days=inf.infectious_days,
            seed_rate=nh.staff_seed_rate,
            recovery_probability=1.0 / nh.resident_recovery_days,
        )
        self._home_condition_params = kernels.make_params(
            kernels.HomeConditionParams,
            rn_teaching=nh.rn_teaching,
            rn_hours_per_resident_day=nh.rn_hours_per_resident_day,
            normal_delegated_share=nh.normal_delegated_share,
            missed_care_death_factor=nh.missed_care_death_factor,
            delegation_death_factor=nh.delegation_death_factor,
            hygiene_protection=nh.hygiene_protection,
        )
        self.home_care_params = kernels.make_params(
            kernels.HomeCareParams,
            infectious_days=inf.infectious_days,
            staff_to_client=sc.home_care.staff_to_client,
            resolve_probability=1.0 / sc.home_care.recovery_days,
        )
        # daily death probability p of an infected resident (no assessment, full care, normal delegation) such that
        # p / (p + (1 − p) r) = case_fatality, with r the daily recovery probability
        r = 1.0 / nh.resident_recovery_days
        self.resident_params = kernels.make_params(
            kernels.ResidentParams,
            death_probability=nh.case_fatality * r / (1.0 - nh.case_fatality + nh.case_fatality * r),
            assessed_death_factor=nh.assessed_death_factor,
        )
        self._leave_base_rate = -np.log1p(-sc.absence.leave_rate_per_year) / 365.0  # the yearly probability as a daily hazard
        # a factor on the hazard of leaving that holds until a lever changes it, on daily and quiet days alike (the
        # retention lever, issue #17); leave_factor is the day's factor, set anew each daily day
        self.standing_leave_factor = 1.0
        self._params_of: tuple[tuple[float, float, float], tuple[Any, Any]] | None = None  # (_day_params) the factors and their parameters

        Region.create_agents(self, n_reg, index=list(range(n_reg)), row=Region.rows(world.regions))
        Unit.create_agents(self, n_reg * N_REGION_KINDS, workplace=list(range(n_reg * N_REGION_KINDS)))
        NursingHome.create_agents(self, len(world.home_workplace), home=list(range(len(world.home_workplace))))
        HomeCareService.create_agents(self, n_muni, municipality=list(range(n_muni)))
        self.regions = self.agents_by_type[Region]
        self.staff = StaffRegistry(self)
        # the loans' Coordinator and the national ReinforcementPool agents, made by their levers when those are on
        self.coordinator: Coordinator | None = None
        self.pool: ReinforcementPool | None = None
        self.levers = build_levers(self, levers)
        self._rest_after = np.zeros(len(POSTINGS), dtype=np.int32)
        self._rest_after[POSTINGS.index("pool")] = sc.levers.national_pool.rest_days
        self.recorder = Recorder(self, record)
        # supply over years (issue #17): entrants start, staff retire and leave on the first day of each month; None without it
        self.supply: Supply | None = Supply(self) if sc.supply.enabled else None
        # Mesa's DataCollector: the planners' indicators, national and per region, from the recorder's arrays (sim.collect)
        self.daily_values = DailyValues(self)
        self.datacollector = collect.datacollector() if record == "all" else None  # (it reads what "staff" leaves out)
        # quiet periods of multi-year runs (issue #17, [quiet]): the days without COVID demand or a lever's dated window
        # near (None when off), and which days a quiet step covered (their recorded rows hold the step's last day)
        self.quiet_days = np.zeros(self.n_days, dtype=np.bool_)
        self._calm = self._calm_days() if sc.quiet.enabled else None
        self.running = True

    # ------------------------------------------------------------------ one day
    #: The phases of one day, in order: (name, method). ``docs/ODD.md`` (process overview) and
    #: ``docs/architecture.md`` show the same table; the levers' hooks run inside ``demand``
    #: (``adjust_demand``), ``place`` (``act``) and ``record`` (``record``).
    PHASES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("demand", "_demand"),
        ("escalate", "_escalate"),
        ("place", "_place"),
        ("hours", "_assign_hours"),
        ("staff", "_advance_staff"),
        ("homes", "_advance_homes"),
        ("home_care", "_advance_home_care"),
        ("record", "_record"),
    )

    def step(self) -> None:
        """Advance one day: the phases of ``PHASES`` in order (demand, escalation, placement, hours, staff, homes, home care,
        record)."""
        if self.day >= self.n_days:
            self._finish()
            return
        if self._calm is not None:  # multi-year runs (issue #17): a quiet step of several days where nothing happens
            days = self._quiet_length(self.day)
            if days > 0:
                self._quiet_step(self.day, days)
                self.day += days
                if self.datacollector is not None:
                    self.datacollector.collect(self)
                if self.day >= self.n_days:
                    self._finish()
                return
        self.key = np.uint64(kernels.day_key(seed=self.seed, day=self.day))
        if self.supply is not None and self.dates[self.day].day == 1:  # the slow clock: the first day of a month
            self._month(self.day)
        for _name, method in self.PHASES:
            getattr(self, method)(self.day)
        self.day += 1
        if self.datacollector is not None:
            self.datacollector.collect(self)
        if self.day >= self.n_days:
            self._finish()

    def _finish(self) -> None:
        """The last day is done: stop, and let go of Mesa 3.3's class-level reference to this model.

        Mesa before 3.5 numbers each model's agents in ``mesa.Agent._ids``, a dict on the class keyed by the model, so
        every model ever made stays in memory (mesa issue #3179, fixed in mesa PR #3180): a worker process running 55
        full-scale runs of a comparison grew by about 60 MB a run (issue #18). The model makes no agents after its
        last day, so its entry can go; Mesa versions without the dict are left alone.
        """
        self.running = False
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(self, None)

    def _month(self, d: int) -> None:
        """The first day of a month in a run with ``[supply]``: the levers' ``month`` hooks, then the supply's step."""
        assert self.supply is not None
        for lever in self.levers:
            lever.month(self, d)
        self.supply.step(self, d)

    def _group_own_staff(self) -> None:
        """The workforce's heads by home workplace, and the staff whose own capacity a region counts when it forecasts its
        hospital gap (home an ICU or acute ward), with their keys and hours."""
        world, s = self.world, self.world.staff
        rows = s.workforce_rows()  # the staff of the start and the supply's entrants (counted once they have started)
        self.home_heads = np.bincount(s.home[rows], minlength=world.n_workplaces)
        own = rows[np.isin(world.workplace_kind[s.home[rows]], (ICU, ACUTE_WARD))]
        self._own_staff, self._own_icu = own, np.flatnonzero(world.workplace_kind[s.home[own]] == ICU)
        self._own_key = s.region[own].astype(np.int64) * N_PROFESSIONS + s.profession[own]
        self._own_hours = s.normal_max_hours_by_contract[s.contract[own]] * s.base_effectiveness[own]
        self._own_at_icu = np.zeros(own.shape[0], dtype=np.bool_)
        self._own_at_icu[self._own_icu] = True

    def regroup_staff(self) -> None:
        """Staff changed profession or home workplace (specialisation, issue #17): every set taken by profession or home
        at the start is taken anew: the regions' own-capacity forecast, the recorder's groups and ICU staff, and the
        levers' sets (``Lever.regroup``)."""
        self._group_own_staff()
        self.recorder.regroup_staff()
        for lever in self.levers:
            lever.regroup(self)

    # ------------------------------------------------------------------ quiet periods (issue #17)
    #: Pairs of date keys of a lever's table that bound a window in which the lever acts whatever the levels.
    DATE_WINDOWS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("national_from", "national_until"),
        ("window_start", "window_end"),
        ("postponed_start", "postponed_end"),
    )

    def _calm_days(self) -> np.ndarray:
        """Boolean per day: no COVID demand and no lever's dated window from that day to ``quiet.warmup_days`` ahead.

        A day has COVID demand when the national COVID ICU patients (full scale) of that day, or of the day that sets
        its community prevalence (``infection.prevalence_lag_days`` later), reach ``quiet.threshold_patients``. A lever
        that is on blocks the days of its windows (``DATE_WINDOWS``; ``start`` to ``start + days`` for a programme
        with a length) and each other date it names (the day it decides something).
        """
        sc, q, n = self.config, self.config.quiet, self.n_days
        blocked = (self.demand.covid_icu.sum(axis=1) >= q.threshold_patients) | (self.demand.icu_ahead.sum(axis=1) >= q.threshold_patients)
        first = self.dates[0]

        def block(since: dt.date, until: dt.date) -> None:
            a, b = max((since - first).days, 0), min((until - first).days, n - 1)
            if a <= b:
                blocked[a : b + 1] = True

        for name, cfg in sc.levers:
            if name == "custom" or not getattr(cfg, "enabled", False):
                continue
            values = {key: value for key, value in cfg if isinstance(value, dt.date)}
            for since, until in self.DATE_WINDOWS:
                if since in values and until in values:
                    block(values.pop(since), values.pop(until))
            if "start" in values and isinstance(getattr(cfg, "days", None), int):
                start = values.pop("start")
                block(start, start + dt.timedelta(days=cfg.days))
            for value in values.values():
                block(value, value)
        ahead = np.concatenate([np.cumsum(blocked[::-1])[::-1], [0]])  # blocked days from d to the end
        end = np.minimum(np.arange(n) + q.warmup_days + 1, n)
        return (ahead[:n] - ahead[end]) == 0

    def _at_rest(self, d: int) -> bool:
        """Whether the staff, the regions and every lever hold nothing the quiet kernel would drop (see ``QuietConfig``)."""
        s, n = self.world.staff, self.world.staff.n_regular
        status = s.status
        if np.any(self.levels > 0) or np.any(s.posting >= 0):
            return False
        if np.any((status == OFF_DUTY) | (status == TRAINING)):  # a lever's rest, vacation or course (sick leave is counted down)
            return False
        extra = status[n : s.first_entrant]  # a recruit or additional pool member at work (not the supply's entrants)
        if np.any((extra == ACTIVE) | (extra == OFF_DUTY) | (extra == TRAINING)):
            return False
        if np.any(self.icu_beds_open > self.icu_beds_normal) or np.any(self.nh_infected > 0) or np.any(self.hc_infected > 0):
            return False
        onset = self.config.infection.onset_days  # an infected staff member who will go off sick in the days ahead
        if np.any(s.symptomatic & (s.infected_day >= 0) & (d - s.infected_day <= onset)):
            return False
        if not all(lever.at_rest(self) for lever in self.levers):
            return False
        # no region would raise a staffing alert today on its ordinary demand and own staff (the quiet kernel does not
        # escalate: without this, a small region's sick leave could alert on daily days and never on quiet ones)
        self._forecast(d)
        return not np.any(self.forecast_gap_share > self.config.escalation.alert_gap)

    def _quiet_length(self, d: int) -> int:
        """Days of the quiet step from day ``d`` (0: the daily core runs today).

        Never the first day of a run (the daily core sets the conditions once), at most ``quiet.step_days``, never across
        a month's first day, only over calm days (``_calm_days``) and only while everything is at rest (``_at_rest``).
        """
        calm = self._calm
        assert calm is not None
        if d == 0 or not calm[d] or not self._at_rest(d):
            return 0
        days = 1
        limit = min(self.config.quiet.step_days, self.n_days - d)
        while days < limit and calm[d + days] and self.dates[d + days].day != 1:
            days += 1
        return days

    def _quiet_step(self, d: int, days: int) -> None:
        """Advance ``days`` quiet days from day ``d`` at once (issue #17): the supply's month, the day's conditions of work
        without levers, the quiet kernel, and one record held for every day of the step.

        The conditions (census, everyone at their own unit, hours matched with overtime, pressure) are those of day
        ``d``, held for the step: ``_demand``, placement (as ``_reset_placement`` does without postings) and ``_assign_hours``
        as on a daily day, without the
        levers' ``act`` (the levers are at rest) and so without hourly staff's moves between homes. The levers'
        ``adjust_demand`` runs for every day of the step, so that what they carry from day to day (planned care's
        catch-up of a care debt) goes on. The recorder records the
        step's last day and copies it to the step's other days (``Recorder.hold``); ``quiet_days`` marks them.
        """
        s = self.world.staff
        if self.supply is not None and self.dates[d].day == 1:
            self._month(d)
        self.key = np.uint64(kernels.day_key(seed=self.seed, day=d))
        self._demand(d)
        self.recovery_factor, self.leave_factor = 1.0, 1.0
        # kernels.reset_placement without postings (_at_rest: none): everyone at home in their own role, normal hours
        np.copyto(s.workplace, s.home)
        np.copyto(s.role, s.profession)
        s.base_effectiveness.copy_into(s.effectiveness)
        np.copyto(s.max_hours, s.normal_max_hours)
        self._assign_hours(d)
        np.copyto(self.worked_at, s.workplace)
        conditions = self.staff_conditions
        fatigue_params, absence_params = self._day_params()  # the recovery and leave factors of no lever (1.0)
        kernels.advance_quiet(
            key=self.key,
            n_days=days,
            status=s.status,
            days_left=s.days_left,
            fatigue=s.fatigue,
            fatigue_sustained=s.fatigue_sustained,
            hours_worked=s.hours_worked,
            trained=s.trained,
            n_regular=s.n_regular,
            first_entrant=s.first_entrant,
            workplace=s.workplace,
            role=s.role,
            contract=s.contract,
            base_hours_by_contract=s.base_hours_by_contract,
            max_hours=s.max_hours,
            employer=s.employer,
            other_sick_rate_by_employer=s.other_sick_rate_by_employer,
            extra_share=conditions["extra_share"],
            pressure=conditions["pressure"],
            intensity=self._intensity,
            fatigue_params=fatigue_params,
            absence_params=absence_params,
        )
        for day in range(d + 1, d + days):  # the levers' demand of the step's other days (a care debt caught up)
            self.day = day  # as on a daily day: a lever's national window reads model.day
            self._demand(day)
        self.day = d
        for today in (self.nh_introductions, self.nh_deaths, self.nh_assessments, self.hc_new_infections, self.hc_new_deaths):
            today[:] = 0  # nothing happens to residents and clients on a quiet day
        last = d + days - 1
        self._record(last)
        self.recorder.hold(d, last)
        self.quiet_days[d : last + 1] = True

    def _demand(self, d: int) -> None:
        """Patients and residents today; the levers may change ordinary units' demand; required hours."""
        self._census(d)
        for lever in self.levers:
            lever.adjust_demand(self, d)
        self.required = self.census[:, None] * self.world.norm

    def _census(self, d: int) -> None:
        """Today's patients, residents and home-care clients by unit, before the levers change them."""
        sc, world = self.config, self.world
        self.covid_icu_today = self.demand.covid_icu[d] * sc.world.scale
        # normal census, COVID patients in the ICUs and COVID wards, the homes' living residents and the extra care of
        # the infected, home care's clients (sim.homecare.census): in one compiled call (kernels.day_census)
        kernels.day_census(
            census=self.census,
            census_base=world.census_base,
            icu_ids=self.icu_ids,
            covid_icu=self.covid_icu_today,
            covid_ward_ids=self._covid_ward_ids,
            covid_ward=self.demand.covid_ward[d],
            scale=float(sc.world.scale),
            home_workplace=world.home_workplace,
            home_residents=world.home_residents,
            home_dead=self.nh_dead,
            home_infected=self.nh_infected,
            home_extra_care=float(sc.nursing_homes.extra_care_per_infected),
            hc_workplace=world.hc_workplace,
            hc_clients=world.hc_clients,
            hc_susceptible=self.hc_clients_susceptible,
            hc_infected=self.hc_infected,
            hc_recovered=self.hc_recovered,
            hc_extra_care=float(sc.home_care.extra_care_per_infected),
        )

    def _escalate(self, d: int) -> None:
        """Each region's forecast gap, then its escalation (``Region.assess``)."""
        self._forecast(d)
        self.regions.do("assess")

    def _place(self, d: int) -> None:
        """Everyone to their home unit or posting, then the levers decide who works where, in ``LEVERS`` order."""
        sc, world = self.config, self.world
        self.hourly_other_home_share = np.full(world.n_regions, sc.nursing_homes.hourly_other_home_share)
        self.nh_transmission = np.full(len(world.home_workplace), sc.nursing_homes.resident_transmission)
        self.hc_transmission_factor[:] = 1.0
        self.nh_physician_visits[:] = sc.nursing_homes.physician_visits_per_week
        self.nh_digital_rounds[:] = sc.nursing_homes.digital_rounds_per_week
        self.recovery_factor, self.leave_factor = 1.0, 1.0
        self._reset_placement(d)
        for lever in self.levers:
            lever.act(self, d)

    def _reset_placement(self, d: int) -> None:
        """Everyone to their home unit or posting (``kernels.reset_placement``), before any lever moves them."""
        s = self.world.staff
        kernels.reset_placement(
            day=d,
            status=s.status,
            days_left=s.days_left,
            home=s.home,
            profession=s.profession,
            posting=s.posting,
            posting_until=s.posting_until,
            posting_kind=s.posting_kind,
            posting_role=s.posting_role,
            posting_effectiveness_code=s.posting_effectiveness.code,
            posting_effectiveness_table=s.posting_effectiveness.table,
            rest_after=self._rest_after,
            workplace=s.workplace,
            role=s.role,
            effectiveness=s.effectiveness,
            base_effectiveness_code=s.base_effectiveness.code,
            base_effectiveness_table=s.base_effectiveness.table,
            max_hours=s.max_hours,
            contract=s.contract,
            normal_max_hours_by_contract=s.normal_max_hours_by_contract,
        )

    def _assign_hours(self, d: int) -> None:
        """Contracted hours, then extra hours up to each person's cap where the need is larger; pressure and work exposure."""
        sc, world, s = self.config, self.world, self.world.staff
        f_cfg = sc.fatigue
        # fatigue's cut of most hours (submodel 5a) in the count's pass: an infinite threshold cuts nothing
        self._heads, base, cap, base_eff, cap_eff, fatigued = kernels.count_supply(
            status=s.status,
            workplace=s.workplace,
            role=s.role,
            effectiveness=s.effectiveness,
            contract=s.contract,
            base_hours_by_contract=s.base_hours_by_contract,
            max_hours=s.max_hours,
            n_workplaces=world.n_workplaces,
            n_professions=N_PROFESSIONS,
            fatigue=s.fatigue,
            cap_threshold=f_cfg.capacity_threshold if f_cfg.capacity_on else np.inf,
            cap_loss=f_cfg.capacity_loss,
            log_odds_ratio=float(np.log(f_cfg.error_odds_ratio)) if f_cfg.capacity_on else 0.0,
        )
        if self.tiers is not None:
            self._require_team_support(cap_eff[self.icu_ids])
        self.icu_beds_staffed = self.staffed_icu_beds(cap_eff[self.icu_ids])
        # worked hours clipped to [contracted, most], the share of extra hours, supplied hours, pressure, overtime and
        # fatigue's costs (submodel 5a: capacity lost, the ICUs' care by fatigued staff) in one compiled pass
        extra_share, self.supplied, pressure, self._overtime, capacity_lost, icu_care = kernels.work_conditions(
            required=self.required,
            base=base,
            cap=cap,
            base_eff=base_eff,
            cap_eff=cap_eff,
            fatigued=fatigued,  # no rows when fatigue costs no capacity
            icu_ids=self.icu_ids,
            pressure_exponent=f_cfg.pressure_exponent,
            max_pressure=f_cfg.max_pressure,
        )
        if f_cfg.capacity_on:
            self.capacity_lost, self.icu_care = capacity_lost, icu_care
        # infection at work: ICUs by their share of COVID patients, COVID wards, nursing homes by their infected residents
        # per resident (kernels.work_infection_rates), home care by the visits made today
        work_rate = kernels.work_infection_rates(
            work_rate=self._work_rate,
            icu_ids=self.icu_ids,
            covid_icu=self.covid_icu_today,
            census=self.census,
            covid_ward_ids=self._covid_ward_ids,
            home_workplace=world.home_workplace,
            staff_exposure_rate=float(sc.nursing_homes.staff_exposure_rate),
            infected=self.nh_infected,
            alive=self.residents_alive,
        )
        work_rate[world.hc_workplace] = self._home_care_visits()
        # today's conditions by (workplace, role) and workplace, as the core reads them (benchmarks/reference_mesa.py replays them)
        self.staff_conditions = {"extra_share": extra_share, "pressure": pressure, "work_rate": work_rate}

    def _day_params(self) -> tuple[Any, Any]:
        """Today's fatigue and absence parameters of the compiled core: the levers set the recovery and leave factors each
        day (1.0 on quiet steps), the standing leave factor holds over years (retention). Built anew only on a day when
        one of the three factors differs from the day before (most days none does; ≈1 % of a calibration run, issue #18)."""
        factors = (self.recovery_factor, self.leave_factor, self.standing_leave_factor)
        if self._params_of is None or self._params_of[0] != factors:
            self._params_of = (factors, self._build_day_params())
        return self._params_of[1]

    def _build_day_params(self) -> tuple[Any, Any]:
        f_cfg, ab = self.config.fatigue, self.config.absence
        fatigue_params = kernels.make_params(
            kernels.FatigueParams,
            reference_hours=self.world.reference_hours,
            rise=f_cfg.rise,
            recovery=f_cfg.recovery * self.recovery_factor,
            off_work_recovery=f_cfg.off_work_recovery * self.recovery_factor,
            threshold=f_cfg.threshold,
            sustained_rate=1.0 / f_cfg.sustained_days,
        )
        absence_params = kernels.make_params(
            kernels.AbsenceParams,
            other_mean_days=ab.other_mean_days,
            exhaustion_rate=ab.exhaustion_rate,
            exhaustion_power=ab.exhaustion_power,
            exhaustion_mean_days=ab.exhaustion_mean_days,
            leave_base_rate=self._leave_base_rate * self.leave_factor * self.standing_leave_factor,
            leave_fatigue_rate=ab.leave_fatigue_rate * self.leave_factor * self.standing_leave_factor,
            leave_threshold=ab.leave_fatigue_threshold,
        )
        return fatigue_params, absence_params

    def _advance_staff(self, d: int) -> None:
        """Every staff member's day in the compiled core; who falls sick today goes home, so keep where they worked."""
        s, conditions = self.world.staff, self.staff_conditions
        np.copyto(self.worked_at, s.workplace)  # a buffer kept from day to day: no fresh 1 MB allocation
        fatigue_params, absence_params = self._day_params()
        kernels.advance_staff(
            key=self.key,
            day=d,
            status=s.status,
            days_left=s.days_left,
            fatigue=s.fatigue,
            fatigue_sustained=s.fatigue_sustained,
            infected_day=s.infected_day,
            symptomatic=s.symptomatic,
            hours_worked=s.hours_worked,
            trained=s.trained,
            n_regular=s.n_regular,
            first_entrant=s.first_entrant,
            workplace=s.workplace,
            role=s.role,
            home=s.home,
            region=s.region,
            contract=s.contract,
            base_hours_by_contract=s.base_hours_by_contract,
            max_hours=s.max_hours,
            employer=s.employer,
            other_sick_rate_by_employer=s.other_sick_rate_by_employer,
            extra_share=conditions["extra_share"],
            pressure=conditions["pressure"],
            intensity=self._intensity,
            work_infection_rate=conditions["work_rate"],
            prevalence=self.prevalence[d],
            fatigue_params=fatigue_params,
            infection_params=self.infection_params,
            absence_params=absence_params,
        )

    def _advance_homes(self, d: int) -> None:
        """Nursing homes: the staff present today (hygiene, nurses, care hours), then introductions by staff, spread,
        assessment, death and recovery among residents (submodel 18)."""
        world, s = self.world, self.world.staff
        transmission, death_factor = self._home_conditions()
        kernels.advance_nursing_homes(
            key=self.key,
            day=d,
            status=s.status,
            workplace=s.workplace,
            infected_day=s.infected_day,
            hygiene_code=s.hygiene.code,
            hygiene_table=s.hygiene.table,
            hygiene_protection=self.config.nursing_homes.hygiene_protection,
            workplace_home=world.workplace_home,
            susceptible=self.nh_susceptible,
            infected=self.nh_infected,
            recovered=self.nh_recovered,
            dead=self.nh_dead,
            assessed=self.nh_assessed,
            transmission=transmission,
            death_factor=death_factor,
            assessment_probability=self.nh_assessment_probability,
            introductions=self.nh_introductions,
            deaths=self.nh_deaths,
            assessments=self.nh_assessments,
            home_params=self.home_params,
            resident_params=self.resident_params,
        )

    def _home_care_visits(self) -> np.ndarray:
        """Today's visits of each home-care service from the hours phase (``sim.homecare.visits``); returns the staff's
        work infection hazard there. Staff at work are read from the day's placement, whoever placed them."""
        required, supplied, heads = kernels.unit_totals(
            rows=self.world.hc_workplace, required=self.required, supplied=self.supplied, heads=self._heads
        )
        day = homecare.visits(
            alive=self.hc_alive.astype(float),
            infected=self.hc_infected.astype(float),
            required=required,
            supplied=supplied,
            heads=heads,
            cfg=self.config.home_care,
        )
        self.hc_planned_visits, self.hc_coverage, self.hc_missed_visits, self.hc_visits_per_staff = (
            day.planned,
            day.coverage,
            day.missed,
            day.per_staff,
        )
        return day.staff_rate

    def _advance_home_care(self, d: int) -> None:
        """Home-care clients: infections that end (death more likely where visits were missed), infection by the staff
        who visit them and in the community (``sim.kernels.advance_home_care``)."""
        world, s, cfg = self.world, self.world.staff, self.config.home_care
        missed_share = np.divide(
            self.hc_missed_visits, self.hc_planned_visits, out=np.zeros_like(self.hc_missed_visits), where=self.hc_planned_visits > 0
        )
        prevalence = self.prevalence[d][world.municipality_region]
        kernels.advance_home_care(
            key=self.key,
            day=d,
            status=s.status,
            workplace=s.workplace,
            infected_day=s.infected_day,
            hygiene_code=s.hygiene.code,
            hygiene_table=s.hygiene.table,
            hygiene_protection=self.config.nursing_homes.hygiene_protection,
            workplace_service=self._hc_service,
            visits_per_staff=self.hc_visits_per_staff,
            service_factor=self.hc_transmission_factor,
            community_probability=-np.expm1(-cfg.community_rate * prevalence),
            fatality=homecare.fatality(missed_share, cfg),
            susceptible=self.hc_clients_susceptible,
            infected=self.hc_infected,
            recovered=self.hc_recovered,
            dead=self.hc_dead,
            new_infections=self.hc_new_infections,
            new_deaths=self.hc_new_deaths,
            params=self.home_care_params,
        )

    @property
    def hc_alive(self) -> np.ndarray:
        """Living home-care clients per municipality (susceptible + infected + recovered)."""
        return self.hc_clients_susceptible + self.hc_infected + self.hc_recovered

    def _home_conditions(self) -> tuple[np.ndarray, np.ndarray]:
        """Today's spread rate and death-hazard factor per home, from the staff who worked there today.

        Hygiene: the mean skill of the staff present, the others' gap to full skill closed by ``rn_teaching`` times the
        home's registered-nurse hours against its norm (at most 1); spread among residents is ``nh_transmission ×
        (1 − hygiene_protection × that mean)``. Delegation: the share of the residents' medication and nursing tasks
        (``rn_hours_per_resident_day``) the nurses present do not cover. Missed care: required less supplied hours.
        The death hazard rises with the share of care missed and with delegation beyond the normal share.
        """
        world, s, nh = self.world, self.world.staff, self.config.nursing_homes
        home_wp = world.home_workplace
        present = kernels.home_staff_presence(
            hours_worked=s.hours_worked,
            worked_at=self.worked_at,
            role=s.role,
            hygiene_code=s.hygiene.code,
            hygiene_table=s.hygiene.table,
            workplace_home=world.workplace_home,
            n_homes=home_wp.shape[0],
        )
        self.nh_rn_hours = present[:, 4]
        required, supplied, _ = kernels.unit_totals(rows=home_wp, required=self.required, supplied=self.supplied, heads=self._heads)
        self.nh_hygiene, self.nh_delegated_share, self.nh_missed_care_hours, death_factor, spread = kernels.home_conditions(
            present=present,
            alive=self.residents_alive,
            rn_norm=world.norm[home_wp, kernels.REGISTERED_NURSE],
            required=required,
            supplied=supplied,
            transmission=self.nh_transmission,
            params=self._home_condition_params,
        )
        self.nh_assessment_probability = 1.0 - (1.0 - nh.assessment_per_visit) ** (self.nh_physician_visits / 7.0) * (
            1.0 - nh.assessment_per_digital_round
        ) ** (self.nh_digital_rounds / 7.0)
        return spread, death_factor

    @property
    def residents_alive(self) -> np.ndarray:
        """Residents of each home who have not died (susceptible, infected, recovered)."""
        return self.world.home_residents - self.nh_dead

    @property
    def staff_transmission_factor(self) -> np.ndarray:
        """Each staff member's factor on what they pass on to residents and clients: 1 − ``hygiene_protection`` ×
        hygiene (a new array; the kernels compute it from ``hygiene`` where they read it, issue #18)."""
        out = 1.0 - self.config.nursing_homes.hygiene_protection * np.asarray(self.world.staff.hygiene, dtype=np.float64)
        out.flags.writeable = False  # derived on each read: a write would be lost
        return out

    def _record(self, d: int) -> None:
        """Store the day's indicators (the levers add their costs and records)."""
        self.recorder.record(d, heads=self._heads, overtime=self._overtime)

    def _forecast(self, day: int) -> None:
        """Each region's hospital need against its own staff today: COVID patients ``horizon`` days ahead.

        Need: ICU and COVID-ward patients ``horizon`` days ahead plus today's non-COVID ICU and
        acute-ward census. COVID ICU patients ahead: with ``escalation.forecast = "perfect"`` the
        demand curve itself (at most the last day of the run), plus the patients moved in less those moved out by
        patient transfers that will still be there (``icu_moved_net_ahead``); with ``"trend"`` the region's trend
        forecast from its reported occupancy (``sim.forecast``), and COVID-ward patients in today's
        ratio of ward to ICU patients of the demand. Own staff: active staff whose home is the ICU
        or the acute ward, at their normal maximum hours. The gap share is the uncovered need as a
        share of all that need.
        """
        sc, world, s = self.config, self.world, self.world.staff
        non_covid = self.census[self.icu_ids] - self.covid_icu_today  # today's, after any summer relief
        if self.forecaster is None:
            ahead = min(day + sc.escalation.horizon_days, self.n_days - 1)
            self.forecast_covid_icu = self.demand.covid_icu[ahead] * sc.world.scale + self.icu_moved_net_ahead
            ward = self.demand.covid_ward[ahead] * sc.world.scale
        else:
            self.forecast_covid_icu = self.forecaster.covid_icu(day, self.recorder.covid_icu, self.covid_icu_today)
            icu_today, ward_today = self.demand.covid_icu[day], self.demand.covid_ward[day]
            ratio = np.divide(ward_today, icu_today, out=np.full_like(icu_today, sc.demand.covid_ward_per_icu), where=icu_today > 0)
            ward = self.forecast_covid_icu * ratio
        icu = non_covid + self.forecast_covid_icu
        self.forecast_icu_patients = icu
        size = world.n_regions * N_PROFESSIONS
        capacity, icu_capacity = kernels.own_capacity(
            staff=self._own_staff, key=self._own_key, hours=self._own_hours, at_icu=self._own_at_icu, status=s.status, size=size
        )
        # the need ahead (ICU and COVID ward ahead, today's acute ward) against that capacity, by region and role
        (
            self.forecast_icu_required,
            self.forecast_gap_hours,
            self.forecast_gap_share,
            self.forecast_icu_nurse_gap,
            self.forecast_icu_nurses,
        ) = kernels.forecast_gaps(
            icu=icu,
            ward=np.asarray(ward, dtype=np.float64),
            census=self.census,
            norm=world.norm,
            icu_ids=self.icu_ids,
            covid_ward_ids=self._covid_ward_ids,
            acute_ids=self._acute_ids,
            capacity=capacity.reshape(world.n_regions, N_PROFESSIONS),
            icu_capacity=icu_capacity.reshape(world.n_regions, N_PROFESSIONS),
            icu_nurse=ICU_NURSE,
        )

    def plan_cohort_wards(self) -> np.ndarray:
        """(regions, professions): each Region's share of its acute ward's available staff for the COVID ward today
        (``Region.plan``, for all regions at once: ``Region.plan_all``)."""
        return Region.plan_all(self)

    def lever(self, name: str) -> Lever | None:
        """The lever of this run named ``name`` (its table under ``[levers]``), or None if it is not built (switched off)."""
        return next((lever for lever in self.levers if lever.name == name), None)

    def surge_level(self, patients: np.ndarray) -> np.ndarray:
        """ICU patients per normal ICU bed, per region: the surge level that decides which ICU tiers are within guidance."""
        return np.divide(patients, self.icu_beds_normal, out=np.full_like(patients, np.inf), where=self.icu_beds_normal > 0)

    def staffed_icu_beds(self, icu_hours: np.ndarray) -> np.ndarray:
        """Open ICU beds per region that the staff in the ICU can cover safely: the staffed beds, model units.

        ``icu_hours`` (regions, professions): effective hours a day of the staff placed in each ICU, by role, at
        everyone's most hours. Without tiers the ICU nurses' hours at the minimum safe ratio (``safety.icu_min_nurse_ratio``);
        with team-based ICU staffing (``safety.icu_tiers``) the most patients the ICU nurses, support nurses and
        assistants on duty cover within the guidance for today's surge level (``sim.teams``).
        """
        if self.tiers is None:
            nurses_on_duty = icu_hours[:, ICU_NURSE] / 24.0
            return np.minimum(self.icu_beds_open, nurses_on_duty / self.config.safety.icu_min_nurse_ratio)
        tiers = self.tiers  # on duty, the surge level and the capacity within guidance in one call (sim.teams' rules)
        return kernels.staffed_beds_within_guidance(
            **tiers.kernel_args,
            icu_hours=np.ascontiguousarray(icu_hours, dtype=np.float64),
            patients=self.census[self.icu_ids],
            beds_normal=self.icu_beds_normal,
            beds_open=self.icu_beds_open,
            icu_nurse=ICU_NURSE,
            support_roles=self._support_roles,
            assistant=ASSISTANT_NURSE,
        )

    def icu_team_need(self, patients: np.ndarray, nurses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Support nurses and assistants on duty (hours / 24) per region that the ICU teams for ``patients`` with ``nurses``
        ICU nurses on duty need under ``safety.icu_tiers`` (``sim.teams.team_need``); zeros without tiers."""
        if self.tiers is None:
            return np.zeros_like(patients), np.zeros_like(patients)
        return team_need(self.tiers, patients, nurses)

    def _require_team_support(self, icu_cap: np.ndarray) -> None:
        """Team-based ICU staffing: the ICU's required hours of support nurses and assistants are those its teams need today.

        The ICU norm (``norms.icu``) has no support roles; with tiers, the support staff the teams for today's patients
        need, with the ICU nurses on duty at their most hours (``icu_cap`` (regions, roles), effective hours), become
        required hours of the ICU: support nurses' split between anaesthesia and registered nurses in proportion to
        the hours each role can give there. Support staff thus work extra hours when the teams need them.
        """
        icu, tiers = self.icu_ids, self.tiers
        if len(tiers) <= kernels.TEAM_NEED_MAX_TIERS:  # the NumPy code below in one call (issue #18)
            kernels.require_team_support(
                **tiers.kernel_args,
                icu_cap=np.ascontiguousarray(icu_cap, dtype=np.float64),
                patients=self.census[icu],
                required=self.required,
                icu_ids=icu,
                icu_nurse=ICU_NURSE,
                support_roles=self._support_roles,
                assistant=ASSISTANT_NURSE,
            )
            return
        need_support, need_assistants = self.icu_team_need(self.census[icu], icu_cap[:, ICU_NURSE] / 24.0)
        roles = list(SUPPORT_NURSES)
        cap = icu_cap[:, roles]
        total = cap.sum(axis=1, keepdims=True)
        share = np.divide(cap, total, out=np.full_like(cap, 1.0 / len(roles)), where=total > 0)
        self.required[icu[:, None], np.array(roles)[None, :]] = need_support[:, None] * 24.0 * share
        self.required[icu, ASSISTANT_NURSE] = need_assistants * 24.0

    def icu_capacity(self) -> np.ndarray:
        """(regions, professions): hours the staff placed in each ICU today can give, by role, weighted by effectiveness."""
        return self._capacity_at("icu_ids")[0]

    def update_covid_ward_supply(self) -> None:
        """Hours the staff already placed in each COVID ward can give today (before the acute ward is asked)."""
        self.covid_ward_supply = self._capacity_at("_covid_ward_ids")[0]

    def covid_ward_and_icu_capacity(self) -> tuple[np.ndarray, np.ndarray]:
        """``update_covid_ward_supply`` and ``icu_capacity`` in one pass over the staff: the COVID wards' and the ICUs'
        capacity (the same sums as the two passes); sets ``covid_ward_supply``."""
        self.covid_ward_supply, icu = self._capacity_at("_covid_ward_ids", "icu_ids")
        return self.covid_ward_supply, icu

    def _capacity_at(self, *units: str) -> np.ndarray:
        """(len(units), regions, professions): the capacity by role of the staff at each group of ``units`` (names of
        the model's arrays of workplace ids, fixed for the run: ``icu_ids``, ``_covid_ward_ids``) today, in one pass
        (``kernels.capacity_by_region_role``). Each workplace's slot among the groups is built once per ``units``."""
        world, s = self.world, self.world.staff
        slot = self._slots.get(units)
        if slot is None:
            slot = self._slots[units] = np.full(world.n_workplaces, -1, dtype=np.int8)
            for k, name in enumerate(units):
                slot[getattr(self, name)] = k
        f_cfg = self.config.fatigue
        return kernels.capacity_by_region_role(
            status=s.status,
            workplace=s.workplace,
            role=s.role,
            hours=s.max_hours,
            effectiveness=s.effectiveness,
            slot=slot,
            n_slots=len(units),
            workplace_region=world.workplace_region,
            n_regions=world.n_regions,
            n_professions=N_PROFESSIONS,
            contract=s.contract,
            base_hours_by_contract=s.base_hours_by_contract,  # the levers see the hours fatigue leaves (submodel 5a)
            fatigue=s.fatigue,
            threshold=f_cfg.capacity_threshold,
            loss=f_cfg.capacity_loss,
        )

    def run(self) -> Result:
        """Run to the end of the scenario's period and return the results."""
        while self.running:
            self.step()
        return self.result()

    def result(self) -> Result:
        """Results of the days simulated so far."""
        return self.recorder.result()

    @property
    def icu_nurse_hours(self) -> np.ndarray:
        """Effective ICU nurse hours supplied today per region."""
        return self.supplied[self.icu_ids, ICU_NURSE]
