"""MobilisationModel: one step is one day of the Swedish health-care workforce in a crisis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from sim import kernels
from sim.agents import NursingHome, Region, StaffRegistry, Unit
from sim.categories import COVID_WARD, ICU, ICU_NURSE, NURSING_HOME, UNIT_KINDS
from sim.demand import build_demand
from sim.results import Recorder, Result
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.world import N_REGION_KINDS, build_world

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "sweden_spring2020.toml"


def resolve_scenario(scenario: Scenario | str | Path | None, overrides: dict[str, Any]) -> Scenario:
    """A validated scenario from an object, a path or the default file, with dotted overrides."""
    if scenario is None:
        scenario = DEFAULT_SCENARIO
    if isinstance(scenario, (str, Path)):
        return load_scenario(scenario, **overrides)
    return scenario.with_overrides(**overrides) if overrides else scenario


class MobilisationModel(mesa.Model):
    """Health-care staff of Sweden through an epidemic wave, one day per step.

    Each day: COVID demand arrives per region; regions staff their COVID wards
    from the acute wards; staff hours are matched against required hours per
    workplace and profession (with overtime up to the weekly cap); the compiled
    core advances every staff member's fatigue, infection, sick leave and
    leaving, and the nursing homes' residents; indicators are recorded.

    Args:
        scenario: a ``Scenario``, a path to a TOML file, or None for the Sweden
            spring 2020 scenario.
        seed: seed of the run's random numbers. Runs with the same scenario and
            seed are identical; strategies compared with the same seed share
            their random numbers.
        rng: accepted for Mesa's batch runner and SolaraViz; used as the seed
            when ``seed`` is None.
        **overrides: scenario values by dotted key with ``__`` for dots, for
            example ``world__scale=0.1`` (Mesa's ``batch_run`` and SolaraViz
            sliders pass parameters this way).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        seed: int | None = None,
        rng: int | None = None,
        **overrides: Any,
    ) -> None:
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
        )
        # community prevalence by day and region, from ICU occupancy `lag` days later (full scale)
        self.prevalence = np.clip(sc.infection.prevalence_per_icu_per_capita * self.demand.icu_ahead / population, 0.0, 1.0)

        n_wp = world.n_workplaces
        self._intensity = np.array([sc.fatigue.intensity.get(k, 1.0) for k in UNIT_KINDS])[world.workplace_kind]
        self._work_rate = np.array([sc.infection.work_rate.get(k, 0.0) for k in UNIT_KINDS])[world.workplace_kind]
        self._icu_ids = np.arange(world.n_regions) * N_REGION_KINDS + ICU
        self._covid_ward_ids = np.arange(world.n_regions) * N_REGION_KINDS + COVID_WARD
        self._is_home = world.workplace_kind == NURSING_HOME
        self.nh_susceptible = world.home_residents.astype(np.int64).copy()
        self.nh_infected = np.zeros_like(self.nh_susceptible)
        self.nh_recovered = np.zeros_like(self.nh_susceptible)
        self.nh_introductions = np.zeros_like(self.nh_susceptible)
        self.census = world.census_base.copy()
        self.required = np.zeros((n_wp, world.norm.shape[1]))
        self.supplied = np.zeros_like(self.required)
        self.covid_icu_today = np.zeros(world.n_regions)
        self.day = 0

        s = world.staff
        sick_share = s.other_sick_rate * sc.absence.other_mean_days / (1.0 + s.other_sick_rate * sc.absence.other_mean_days)
        kernels.init_absence(self.seed, s.status, s.days_left, sick_share, sc.absence.other_mean_days)

        Region.create_agents(self, world.n_regions, index=list(range(world.n_regions)))
        Unit.create_agents(self, world.n_regions * N_REGION_KINDS, workplace=list(range(world.n_regions * N_REGION_KINDS)))
        NursingHome.create_agents(self, len(world.home_workplace), home=list(range(len(world.home_workplace))))
        self.regions = self.agents_by_type[Region]
        self.staff = StaffRegistry(self)
        self.recorder = Recorder(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "covid_icu_patients": lambda m: m.recorder.national("covid_icu", m.day - 1),
                "icu_nurse_coverage": lambda m: m.recorder.national("icu_nurse_coverage", m.day - 1),
                "staff_sick": lambda m: m.recorder.national("staff_sick", m.day - 1),
                "staff_left": lambda m: m.recorder.national("staff_left", m.day - 1),
                "fatigue_mean": lambda m: m.recorder.national("fatigue_mean", m.day - 1),
                "homes_with_outbreak": lambda m: m.recorder.national("homes_with_outbreak", m.day - 1),
            }
        )
        self.running = True

    # ------------------------------------------------------------------ one day
    def step(self) -> None:
        """Advance one day: demand, plan, assign, advance staff and homes, record."""
        if self.day >= self.n_days:
            self.running = False
            return
        d, sc, world, s = self.day, self.config, self.world, self.world.staff
        key = np.uint64(kernels.day_key(self.seed, d))
        scale = sc.world.scale

        # 1. demand
        self.covid_icu_today = self.demand.covid_icu[d] * scale
        self.census[self._icu_ids] = world.census_base[self._icu_ids] + self.covid_icu_today
        self.census[self._covid_ward_ids] = self.demand.covid_ward[d] * scale
        home_wp = world.home_workplace
        self.census[home_wp] = world.home_residents + sc.nursing_homes.extra_care_per_infected * self.nh_infected
        self.required = self.census[:, None] * world.norm

        # 2. plan: regions decide (Mesa agents)
        self.regions.do("plan")
        share = np.stack([r.covid_ward_share for r in self.regions])[world.deploy_region, world.deploy_profession]
        target = world.deploy_region * N_REGION_KINDS + COVID_WARD
        kernels.deploy_by_priority(world.deploy_order, world.deploy_start, share, target, s.status, s.home, s.workplace)
        kernels.place_hourly_staff(
            key, world.hourly_home_staff, s.home, s.workplace, s.status, world.workplace_municipality,
            world.muni_home_start, world.muni_homes, sc.nursing_homes.hourly_other_home_share,
            d, s.last_other_home_day,
        )  # fmt: skip

        # 3. assign hours: contracted hours, then overtime up to the cap where the need is larger
        heads, base, cap = kernels.count_supply(
            s.status, s.workplace, s.profession, s.base_hours, s.max_hours, world.n_workplaces, world.norm.shape[1]
        )
        worked = np.clip(self.required, base, cap)
        headroom = cap - base
        extra_share = np.divide(worked - base, headroom, out=np.zeros_like(base), where=headroom > 0)
        self.supplied = np.minimum(worked, self.required)
        f_cfg = sc.fatigue
        ratio = np.divide(self.required, worked, out=np.ones_like(worked), where=worked > 0)
        pressure = np.clip(ratio**f_cfg.pressure_exponent, 1.0, f_cfg.max_pressure)
        exposure = np.zeros(world.n_workplaces)
        icu_census = self.census[self._icu_ids]
        exposure[self._icu_ids] = np.divide(self.covid_icu_today, icu_census, out=np.zeros_like(icu_census), where=icu_census > 0)
        exposure[self._covid_ward_ids] = 1.0
        residents = np.maximum(world.home_residents, 1)
        exposure[home_wp] = self.nh_infected / residents
        work_rate = self._work_rate * exposure
        work_rate[home_wp] = sc.nursing_homes.staff_exposure_rate * exposure[home_wp]

        # 4. advance every staff member (compiled core)
        inf, ab = sc.infection, sc.absence
        kernels.advance_staff(
            key, d, s.status, s.days_left, s.fatigue, s.fatigue_sustained, s.infected_day, s.symptomatic, s.hours_worked,
            s.workplace, s.home, s.profession, s.region, s.base_hours, s.max_hours, s.other_sick_rate,
            extra_share, pressure, self._intensity, work_rate, self.prevalence[d],
            world.reference_hours, f_cfg.rise, f_cfg.recovery, f_cfg.sick_recovery, f_cfg.threshold,
            1.0 / f_cfg.sustained_days, inf.community_rate, inf.symptomatic_share, inf.onset_days,
            inf.sick_mean_days, inf.long_spell_share, inf.long_spell_mean_days, ab.other_mean_days,
            ab.exhaustion_rate, ab.exhaustion_power, ab.exhaustion_mean_days,
            -np.log1p(-ab.leave_rate_per_year) / 365.0, ab.leave_fatigue_rate, ab.leave_fatigue_threshold,
        )  # fmt: skip

        # 5. nursing homes: introductions by staff, spread and recovery among residents
        nh = sc.nursing_homes
        kernels.advance_nursing_homes(
            key, d, world.nursing_home_staff, s.status, s.workplace, s.infected_day, inf.infectious_days,
            world.workplace_home, nh.staff_seed_rate, self.nh_susceptible, self.nh_infected, self.nh_recovered,
            nh.resident_transmission, 1.0 / nh.resident_recovery_days, self.nh_introductions,
        )  # fmt: skip

        # 6. record
        self.recorder.record(d, heads=heads, overtime=worked - base)
        self.day += 1
        self.datacollector.collect(self)
        if self.day >= self.n_days:
            self.running = False

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
        """ICU nurse hours supplied today per region."""
        return self.supplied[self._icu_ids, ICU_NURSE]
