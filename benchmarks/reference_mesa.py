"""A reference implementation of mobsim's staff dynamics in idiomatic Mesa, to dock the numba core against and to time it.

Every staff member is a ``StaffMember`` (a ``mesa.Agent``) with its own ``step()`` that applies,
in plain Python, the rules the compiled core applies in ``sim.kernels.advance_staff`` (docs/ODD.md,
submodels 5–7): hours and fatigue at work, rest off work, sustained fatigue, infection in the
community and at work, COVID sick leave after the onset, ordinary and exhaustion sick leave,
leaving the profession, and the return at the end of a spell. ``ReferenceModel`` steps them
with ``agents.shuffle_do("step")`` and counts them with a ``mesa.DataCollector``, as a Mesa user
would write it.

**What both implementations share (the "setting").** The same world (``sim.world.build_world``:
the same staff with their home workplace, profession, region, contracted and most hours and
ordinary sick-leave rate) and, for every day, the same inputs: the share of extra hours worked
and the understaffing pressure of each (workplace, role), the infection hazard at each
workplace, the community prevalence of each region, and the recovery programme's factors. Those
inputs are recorded from one ``MobilisationModel`` run of the scenario (``record_setting``) and
replayed, open loop, to both: neither implementation feeds back into them.

**What differs.** (1) The random numbers: the core draws counter-based numbers (SplitMix64 of
seed, day, staff id and event), the reference draws from Mesa's ``self.random`` (Python's
Mersenne Twister) in the order the agents are shuffled. The two agree only *in distribution*,
which is what ``tests/test_docking.py`` tests. (2) The replay leaves the levers and the daily
placement out: every staff member works at their home workplace in their own profession at their
normal hours every day (the levers' effect on the inputs is in the recorded conditions, but
nobody is redeployed, lent, trained, recruited or sent on vacation). Use a scenario without
levers (``scenarios/no_action.toml``) for the closest match to a full run. (3) The nursing homes'
residents are not simulated: their infection pressure on staff is part of the recorded inputs.

Run ``.venv/bin/python benchmarks/reference_mesa.py`` to dock once and print both
implementations' daily counts side by side and their speed per staff-day.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import mesa
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim import kernels  # noqa: E402
from sim.categories import EMPLOYERS, N_PROFESSIONS, N_STATUSES, STATUSES  # noqa: E402
from sim.model import MobilisationModel  # noqa: E402
from sim.recorder import FATIGUE_BINS  # noqa: E402
from sim.scenario import Scenario, load_scenario  # noqa: E402
from sim.world import World, build_world  # noqa: E402

ACTIVE, SICK_COVID, SICK_OTHER, SICK_EXHAUSTION, LEFT, OFF_DUTY, TRAINING, RESERVE = range(8)
assert STATUSES[:8] == ("active", "sick_covid", "sick_other", "sick_exhaustion", "left", "off_duty", "training", "reserve")

#: The daily indicators both implementations report: staff by status, and mean fatigue of staff who have not left.
INDICATORS = ("n_active", "n_sick_covid", "n_sick_other", "n_sick_exhaustion", "n_left", "fatigue_mean")
DOCKING_SCENARIO = ROOT / "scenarios" / "no_action.toml"


@dataclass(frozen=True)
class Dynamics:
    """Parameters of the staff dynamics (docs/ODD.md submodels 5–7), read from a scenario."""

    reference_hours: float
    rise: float
    recovery: float
    off_work_recovery: float
    threshold: float
    sustained_days: float
    community_rate: float
    symptomatic_share: float
    onset_days: int
    covid_mean_days: float
    long_share: float
    long_mean_days: float
    other_mean_days: float
    exhaustion_rate: float
    exhaustion_power: float
    exhaustion_mean_days: float
    leave_base_rate: float
    leave_fatigue_rate: float
    leave_threshold: float
    capacity_threshold: float = 1.0  # fatigue that costs capacity (submodel 5a): 1 = nobody is fatigued
    capacity_loss: float = 0.0

    @classmethod
    def from_scenario(cls, scenario: Scenario, world: World) -> Dynamics:
        f, inf, ab = scenario.fatigue, scenario.infection, scenario.absence
        return cls(
            reference_hours=world.reference_hours,
            rise=f.rise,
            recovery=f.recovery,
            off_work_recovery=f.off_work_recovery,
            threshold=f.threshold,
            sustained_days=f.sustained_days,
            community_rate=inf.community_rate,
            symptomatic_share=inf.symptomatic_share,
            onset_days=inf.onset_days,
            covid_mean_days=inf.sick_mean_days,
            long_share=inf.long_spell_share,
            long_mean_days=inf.long_spell_mean_days,
            other_mean_days=ab.other_mean_days,
            exhaustion_rate=ab.exhaustion_rate,
            exhaustion_power=ab.exhaustion_power,
            exhaustion_mean_days=ab.exhaustion_mean_days,
            leave_base_rate=-math.log1p(-ab.leave_rate_per_year) / 365.0,
            leave_fatigue_rate=ab.leave_fatigue_rate,
            leave_threshold=ab.leave_fatigue_threshold,
            capacity_threshold=f.capacity_threshold,
            capacity_loss=f.capacity_loss,
        )

    def perturbed(self, **changes: float) -> Dynamics:
        """A copy with some parameters changed (to check that the docking test notices)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Conditions:
    """The inputs of the staff dynamics on one day."""

    extra_share: np.ndarray  # (workplaces, roles): share of the extra hours (base → most) worked
    pressure: np.ndarray  # (workplaces, roles): understaffing pressure on fatigue
    work_rate: np.ndarray  # (workplaces,): daily infection hazard at work
    prevalence: np.ndarray  # (regions,): community prevalence
    recovery_factor: float
    leave_factor: float


@dataclass
class Setting:
    """What both implementations are given: the world, the parameters, the unit intensity and each day's inputs."""

    scenario: Scenario
    world: World
    dynamics: Dynamics
    intensity: np.ndarray  # (workplaces,)
    days: list[Conditions]

    @property
    def n_staff(self) -> int:
        return len(self.world.staff)

    def sick_share(self) -> np.ndarray:
        """Each staff member's steady-state chance of being off sick on day 0 (as ``MobilisationModel`` starts)."""
        s, m = self.world.staff, self.dynamics.other_mean_days
        share = s.other_sick_rate * m / (1.0 + s.other_sick_rate * m)
        share[s.n_regular :] = 0.0
        return share


def record_setting(scenario: Scenario | str | Path = DOCKING_SCENARIO, seed: int = 0, n_days: int | None = None, **overrides) -> Setting:
    """Run ``MobilisationModel`` once and record each day's inputs to the staff dynamics.

    Args:
        scenario: a scenario or its file (default ``scenarios/no_action.toml``).
        seed: seed of the recording run.
        n_days: record only the first days (default: the whole run).
        **overrides: dotted scenario overrides with ``__`` (``world__scale=0.01``).
    """
    model = MobilisationModel(scenario=scenario, seed=seed, **overrides)
    n_days = model.n_days if n_days is None else min(n_days, model.n_days)
    days = []
    for d in range(n_days):
        model.step()
        c = model.staff_conditions
        days.append(
            Conditions(
                c["extra_share"].copy(),
                c["pressure"].copy(),
                c["work_rate"].copy(),
                model.prevalence[d].copy(),
                float(model.recovery_factor),
                float(model.leave_factor),
            )
        )
    world = build_world(model.config)  # a fresh world: the recording run changed its staff arrays
    return Setting(model.config, world, Dynamics.from_scenario(model.config, world), model._intensity.copy(), days)


# --------------------------------------------------------------------------- the reference: one Mesa agent per staff member


def spell_days(u: float, mean: float) -> int:
    """Geometric spell length on {1, 2, ...} with the given mean (docs/ODD.md submodel 7)."""
    if mean <= 1.0:
        return 1
    return 1 + int(math.log(1.0 - u) / math.log(1.0 - 1.0 / mean))


class StaffMember(mesa.Agent):
    """One nurse, physician, assistant nurse or care aide, with their own daily ``step``."""

    model: ReferenceModel

    def __init__(
        self,
        model: ReferenceModel,
        home: int,
        role: int,
        region: int,
        base_hours: float,
        max_hours: float,
        other_sick_rate: float,
        regular: bool,
        status: int,
    ) -> None:
        super().__init__(model)
        self.home, self.role, self.region = home, role, region
        self.base_hours, self.max_hours = base_hours, max_hours
        self.other_sick_rate = other_sick_rate
        self.regular = regular
        self.status = status
        self.days_left = 0
        self.fatigue = 0.0
        self.sustained_fatigue = 0.0
        self.infected_day: int | None = None
        self.symptomatic = False
        self.hours_worked = 0.0

    def start_spell(self, status: int, mean_days: float) -> None:
        self.status = status
        self.days_left = spell_days(self.random.random(), mean_days)

    def rest(self, recovery: float) -> None:
        self.fatigue = min(max(self.fatigue - recovery * self.fatigue, 0.0), 1.0)

    def step(self) -> None:
        """One day: work and get tired, or rest; catch COVID; fall sick, get exhausted or leave; come back."""
        m, p = self.model, self.model.dynamics
        today = m.today
        self.hours_worked = 0.0
        if self.status == LEFT:
            return
        if self.status != ACTIVE:
            self.rest(p.off_work_recovery * today.recovery_factor)
            self.sustained_fatigue += (self.fatigue - self.sustained_fatigue) / p.sustained_days
            if self.status == RESERVE:
                return
            self.days_left -= 1
            if self.days_left <= 0:
                self.status, self.days_left = ACTIVE, 0
            return

        # work: contracted hours plus the unit's share of the extra hours, of which fatigue above the capacity threshold
        # takes a part (submodel 5a); fatigue rises with strain, recovers a little
        extra = self.max_hours - self.base_hours
        if self.fatigue > p.capacity_threshold and extra > 0.0:
            extra *= 1.0 - p.capacity_loss * (self.fatigue - p.capacity_threshold) / (1.0 - p.capacity_threshold)
        self.hours_worked = self.base_hours + extra * m.extra_share[self.home][self.role]
        strain = self.hours_worked / p.reference_hours * m.intensity[self.home] * m.pressure[self.home][self.role]
        rise = p.rise * max(strain - p.threshold, 0.0) * (1.0 - self.fatigue)
        self.fatigue = min(max(self.fatigue + rise - p.recovery * today.recovery_factor * self.fatigue, 0.0), 1.0)
        self.sustained_fatigue += (self.fatigue - self.sustained_fatigue) / p.sustained_days

        if self.infected_day is None:
            hazard = p.community_rate * m.prevalence[self.region] + m.work_rate[self.home]
            if self.random.random() < 1.0 - math.exp(-hazard):
                self.infected_day = m.day
                self.symptomatic = self.random.random() < p.symptomatic_share

        if self.symptomatic and m.day - self.infected_day == p.onset_days:
            long_spell = self.random.random() < p.long_share
            self.start_spell(SICK_COVID, p.long_mean_days if long_spell else p.covid_mean_days)
        elif self.random.random() < self.other_sick_rate:
            self.start_spell(SICK_OTHER, p.other_mean_days)
        elif self.random.random() < 1.0 - math.exp(-p.exhaustion_rate * self.fatigue**p.exhaustion_power):
            self.start_spell(SICK_EXHAUSTION, p.exhaustion_mean_days)
        else:
            excess = max(self.sustained_fatigue - p.leave_threshold, 0.0)
            if self.random.random() < 1.0 - math.exp(-today.leave_factor * (p.leave_base_rate + p.leave_fatigue_rate * excess)):
                self.status = LEFT


class ReferenceModel(mesa.Model):
    """The staff of a ``Setting`` as Mesa agents, replaying the setting's daily inputs.

    Args:
        setting: the world, parameters and daily inputs (``record_setting``).
        seed: seed of Mesa's random number generator (``self.random``).
        dynamics: parameters to use instead of the setting's (e.g. a perturbed copy).
    """

    def __init__(self, setting: Setting, seed: int, dynamics: Dynamics | None = None) -> None:
        super().__init__(rng=seed)
        self.setting = setting
        self.dynamics = dynamics or setting.dynamics
        self.day = 0
        self.intensity = setting.intensity.tolist()
        s = setting.world.staff
        sick_share = setting.sick_share()
        for i in range(len(s)):
            agent = StaffMember(
                self,
                home=int(s.home[i]),
                role=int(s.profession[i]),
                region=int(s.region[i]),
                base_hours=float(s.base_hours[i]),
                max_hours=float(s.normal_max_hours[i]),
                other_sick_rate=float(s.other_sick_rate[i]),
                regular=i < s.n_regular,
                status=int(s.status[i]),
            )
            if self.random.random() < sick_share[i]:  # start in steady state, as MobilisationModel does
                agent.start_spell(SICK_OTHER, self.dynamics.other_mean_days)
        self.counts: dict[int, int] = {}
        self.fatigue_mean = 0.0
        self.datacollector = mesa.DataCollector(
            model_reporters={**{f"n_{STATUSES[k]}": _status_reporter(k) for k in range(LEFT + 1)}, "fatigue_mean": "fatigue_mean"}
        )

    def step(self) -> None:
        """One day: today's inputs, then every staff member in random order, then the count."""
        self.today = today = self.setting.days[self.day]
        # plain lists: what an agent reads is a Python number, as in a pure-Python model
        self.extra_share, self.pressure = today.extra_share.tolist(), today.pressure.tolist()
        self.work_rate, self.prevalence = today.work_rate.tolist(), today.prevalence.tolist()
        self.agents.shuffle_do("step")
        self.counts = Counter(a.status for a in self.agents)
        present = [a.fatigue for a in self.agents if a.status != LEFT]
        self.fatigue_mean = sum(present) / max(len(present), 1)
        self.datacollector.collect(self)
        self.day += 1
        self.running = self.day < len(self.setting.days)


def _status_reporter(status: int):
    return lambda m: m.counts.get(status, 0)


def run_reference(setting: Setting, seed: int, n_days: int | None = None, dynamics: Dynamics | None = None) -> pd.DataFrame:
    """Daily indicators (``INDICATORS``) of one reference run: one row per day."""
    model = ReferenceModel(setting, seed, dynamics)
    for _ in range(n_days or len(setting.days)):
        model.step()
    return model.datacollector.get_model_vars_dataframe()[list(INDICATORS)].reset_index(drop=True)


# --------------------------------------------------------------------------- the same work on the numba core


class CoreReplay:
    """The numba core (``kernels.init_absence``, ``kernels.advance_staff``, ``kernels.tally_staff``) on a ``Setting``'s staff and inputs."""

    def __init__(self, setting: Setting, seed: int, dynamics: Dynamics | None = None) -> None:
        self.setting, self.seed, self.p = setting, seed, dynamics or setting.dynamics
        w = setting.world
        s = w.staff
        n = len(s)
        self.status = s.status.copy()
        self.days_left = s.days_left.copy()
        self.fatigue = np.zeros(n)
        self.sustained = np.zeros(n)
        self.infected_day = np.full(n, -1, dtype=np.int32)
        self.symptomatic = np.zeros(n, dtype=np.bool_)
        self.hours_worked = np.zeros(n)
        self.trained = np.zeros(n, dtype=np.bool_)
        self.workplace = s.home.copy()
        self.role = s.profession.copy()
        self.agreement_days = np.zeros(n, dtype=np.int32)
        n_groups = w.n_regions * len(EMPLOYERS) * N_PROFESSIONS
        self.groups = kernels.group_order(w.tally_group, n_groups)
        kernels.init_absence(
            seed=seed, status=self.status, days_left=self.days_left, sick_share=setting.sick_share(), mean_days=self.p.other_mean_days
        )
        p = self.p
        self.infection_params = kernels.make_params(
            kernels.InfectionParams,
            community_rate=p.community_rate,
            symptomatic_share=p.symptomatic_share,
            onset_days=p.onset_days,
            covid_mean_days=p.covid_mean_days,
            long_share=p.long_share,
            long_mean_days=p.long_mean_days,
        )
        self.day = 0

    def step(self) -> np.ndarray:
        """One day of every staff member; returns the day's indicators in the order of ``INDICATORS``."""
        st, p, s = self.setting, self.p, self.setting.world.staff
        c = st.days[self.day]
        fatigue_params = kernels.make_params(
            kernels.FatigueParams,
            reference_hours=p.reference_hours,
            rise=p.rise,
            recovery=p.recovery * c.recovery_factor,
            off_work_recovery=p.off_work_recovery * c.recovery_factor,
            threshold=p.threshold,
            sustained_rate=1.0 / p.sustained_days,
        )
        absence_params = kernels.make_params(
            kernels.AbsenceParams,
            other_mean_days=p.other_mean_days,
            exhaustion_rate=p.exhaustion_rate,
            exhaustion_power=p.exhaustion_power,
            exhaustion_mean_days=p.exhaustion_mean_days,
            leave_base_rate=p.leave_base_rate * c.leave_factor,
            leave_fatigue_rate=p.leave_fatigue_rate * c.leave_factor,
            leave_threshold=p.leave_threshold,
        )
        kernels.advance_staff(
            key=np.uint64(kernels.day_key(seed=self.seed, day=self.day)),
            day=self.day,
            status=self.status,
            days_left=self.days_left,
            fatigue=self.fatigue,
            fatigue_sustained=self.sustained,
            infected_day=self.infected_day,
            symptomatic=self.symptomatic,
            hours_worked=self.hours_worked,
            trained=self.trained,
            n_regular=s.n_regular,
            first_entrant=s.first_entrant,
            workplace=self.workplace,
            role=self.role,
            home=s.home,
            region=s.region,
            contract=s.contract,
            base_hours_by_contract=s.base_hours_by_contract,
            max_hours=s.normal_max_hours,
            employer=s.employer,
            other_sick_rate_by_employer=s.other_sick_rate_by_employer,
            extra_share=c.extra_share,
            pressure=c.pressure,
            intensity=st.intensity,
            work_infection_rate=c.work_rate,
            prevalence=c.prevalence,
            fatigue_params=fatigue_params,
            infection_params=self.infection_params,
            absence_params=absence_params,
        )
        order, group_start, blocks = self.groups
        counts, fatigue_sum, _hist, _hours = kernels.tally_staff(
            status=self.status,
            fatigue=self.fatigue,
            order=order,
            group_start=group_start,
            blocks=blocks,
            hours_worked=self.hours_worked,
            contract=s.contract,
            base_hours_by_contract=s.base_hours_by_contract,
            agreement_days=self.agreement_days,
            n_regular=s.n_regular,
            n_statuses=N_STATUSES,
            n_bins=FATIGUE_BINS,
        )
        self.day += 1
        by_status = counts.sum(axis=0)
        present = by_status.sum() - by_status[LEFT]
        return np.array([*by_status[: LEFT + 1], fatigue_sum.sum() / max(present, 1)], dtype=float)


def run_core(setting: Setting, seed: int, n_days: int | None = None, dynamics: Dynamics | None = None) -> pd.DataFrame:
    """Daily indicators (``INDICATORS``) of one run of the numba core: one row per day."""
    replay = CoreReplay(setting, seed, dynamics)
    rows = [replay.step() for _ in range(n_days or len(setting.days))]
    return pd.DataFrame(rows, columns=list(INDICATORS))


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=DOCKING_SCENARIO)
    parser.add_argument("--scale", type=float, default=0.01, help="world.scale of the docking world (default 0.01)")
    parser.add_argument("--days", type=int, default=122)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not args.scenario.is_file():
        print(f"reference_mesa: error: {args.scenario}: no such scenario file", file=sys.stderr)
        return 2
    scenario = load_scenario(args.scenario, **{"world.scale": args.scale})
    setting = record_setting(scenario, seed=0, n_days=args.days)
    n_days = len(setting.days)
    run_core(setting, args.seed, 2)  # compile or load the cache
    t0 = time.perf_counter()
    core = run_core(setting, args.seed)
    t1 = time.perf_counter()
    ref = run_reference(setting, args.seed)
    t2 = time.perf_counter()
    staff_days = setting.n_staff * n_days
    print(f"{setting.n_staff:,} staff, {n_days} days, scenario {scenario.name}")
    show = pd.concat({"core": core, "reference": ref}, axis=1).iloc[:: max(n_days // 12, 1)]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(show.round(4))
    core_ns, ref_ns = (t1 - t0) / staff_days * 1e9, (t2 - t1) / staff_days * 1e9
    print(f"core {core_ns:.1f} ns per staff-day, reference {ref_ns:.0f} ns per staff-day: core x{ref_ns / core_ns:.0f} faster")
    return 0


if __name__ == "__main__":
    sys.exit(main())
