"""Recording during a run: daily indicators in preallocated arrays, the tidy frames and the one-row summary at the end.

``Recorder.record`` fills the arrays each day (and asks every lever for its costs and records);
``Recorder.result`` turns them into the frames of ``sim.results.Result`` (listed in its module
docstring), the lever events and the summary, including each epidemic wave's "readiness": the
state of the ICU staff on the day the wave starts. Counts and hours are in model units.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim import kernels
from sim.categories import (
    ALL_STATUSES,
    EMPLOYERS,
    ENTRANT,
    HOME_CARE,
    ICU,
    ICU_NURSE,
    LEFT,
    LEVELS,
    N_PROFESSIONS,
    N_REGION_KINDS,
    N_STATUSES,
    N_UNIT_KINDS,
    OTHER_SECTOR,
    POOL,
    POSTINGS,
    PROFESSIONS,
    RETIRED,
    STATUSES,
    STUDENT,
    UNIT_KINDS,
)
from sim.levers import LEVERS
from sim.levers.base import empty_events
from sim.results import Daily, Events, Result
from sim.supply import INVESTMENT_COLUMN, INVESTMENT_COSTS
from sim.teams import allocate, on_duty
from sim.world import operations_per_day

if TYPE_CHECKING:
    from sim.model import MobilisationModel

FATIGUE_BINS = 100
#: Costs above normal payroll: overtime, crisis-agreement pay, temporary recruits, national pool, recovery programme,
#: (negative) the contracted pay of hourly staff not called in while hourly temps are banned, patient transfers, and the
#: travel and lodging of staff on loan and pool members away from home (booked by the loans and national_pool levers),
#: the coordination of staff lent between homes (home_cooperation), the pay of the extra registered nurses in municipal care (licensed_staff), the places of
#: beredskapslyftet's basic-care courses (courses), the hygiene courses' paid course hours (hygiene_training) and
#: physician rounds bought as a service (physician_rounds).
COST_ITEMS = (
    "overtime",
    "crisis_pay",
    "temps",
    "pool",
    "recovery",
    "banned_temps_saved",
    "transfers",
    "travel",
    "cooperation",
    "licensed_staff",
    "courses",
    "hygiene_training",
    "physician_rounds",
)
ANAESTHESIA, RN = PROFESSIONS.index("anaesthesia_nurse"), PROFESSIONS.index("registered_nurse")
ASSISTANT = PROFESSIONS.index("assistant_nurse")
LOAN, POOL_POSTING = POSTINGS.index("loan"), POSTINGS.index("pool")  # kinds of posting (``StaffArrays.posting_kind``)
LATELY_DAYS = 14  # "worked in several homes lately": at another home within the last two weeks
SICK_STATUSES = [STATUSES.index(s) for s in ("sick_covid", "sick_other", "sick_exhaustion")]


#: What a run records (``MobilisationModel(record=...)``): ``all``, every daily frame and the summary (the default);
#: ``staff``, the staff frame and the regions frame's escalation columns (date, region, level, forecast gap share and,
#: with a forecast other than perfect foresight, the forecast; and the COVID ICU patients that forecast reads), what the
#: calibration's statistics read (``tools/calibrate.py``, issue #18: ×0.89 the time of a calibration simulation,
#: ``benchmarks/README.md``). The run itself is the same (``tests/test_record.py`` holds every scenario file's staff
#: frame and escalation equal, bit for bit): only the recording is left out, the levers' record hooks too (they add
#: costs and records, they decide nothing); the other frames and the summary raise ``sim.results.NotRecorded``, and so
#: does saving the result.
RECORDS = ("all", "staff")


class Recorder:
    """Preallocated daily arrays, filled by ``MobilisationModel.step``; ``record`` is one of ``RECORDS``."""

    def __init__(self, model: MobilisationModel, record: str = "all") -> None:
        self.model = model
        self.whole = record == "all"
        world = model.world
        n_days, n_reg = model.n_days, world.n_regions
        self.n_groups = n_reg * len(EMPLOYERS) * N_PROFESSIONS
        # (region, kind) group of each workplace
        self._wp_group = world.workplace_region.astype(np.int64) * N_UNIT_KINDS + world.workplace_kind
        shape = (n_days, n_reg * N_UNIT_KINDS, N_PROFESSIONS)
        self.required = np.zeros(shape)
        self.supplied = np.zeros(shape)
        self.overtime = np.zeros(shape)
        self.heads = np.zeros(shape)
        self.status = np.zeros((n_days, self.n_groups, N_STATUSES), dtype=np.int32)
        self.fatigue_sum = np.zeros((n_days, self.n_groups))
        self.fatigue_p90 = np.zeros((n_days, self.n_groups))
        self.fatigue_p90_national = np.zeros(n_days)
        self.covid_icu = np.zeros((n_days, n_reg))
        self.icu_patients = np.zeros((n_days, n_reg))
        self.icu_nurse_hours = np.zeros((n_days, n_reg))
        self.icu_beds_open = np.zeros((n_days, n_reg))
        self.icu_beds_staffed = np.zeros((n_days, n_reg))
        self.homes_outbreak = np.zeros((n_days, n_reg), dtype=np.int32)
        self.homes_reached = np.zeros((n_days, n_reg), dtype=np.int32)  # homes that have had an infected resident so far
        self.infected_residents = np.zeros((n_days, n_reg), dtype=np.int64)
        self.introductions = np.zeros((n_days, n_reg), dtype=np.int64)
        self.residents_susceptible = np.zeros(n_days, dtype=np.int64)  # residents never infected, national (collected values)
        self.clients_susceptible = np.zeros(n_days, dtype=np.int64)  # home-care clients never infected, national
        # residents' outcomes and the homes' competence (issue #16): deaths today, missed care hours, residents whose
        # medication rounds were delegated (resident-weighted), infected residents assessed by a physician
        self.resident_deaths = np.zeros((n_days, n_reg), dtype=np.int64)
        self.missed_care_hours = np.zeros((n_days, n_reg))
        self.delegated_residents = np.zeros((n_days, n_reg))
        self.residents_alive = np.zeros((n_days, n_reg), dtype=np.int64)
        self.assessed_residents = np.zeros((n_days, n_reg), dtype=np.int64)
        self.assessments = np.zeros((n_days, n_reg), dtype=np.int64)
        self.multi_home_share = np.zeros((n_days, n_reg))
        self.ever_outbreak = np.zeros(len(world.home_workplace), dtype=bool)
        # home care (submodel 8a), by region: clients alive and infected (stocks), new infections and deaths, visits
        self._hc_region = world.municipality_region
        self.hc_alive = np.zeros((n_days, n_reg), dtype=np.int64)
        self.hc_infected = np.zeros((n_days, n_reg), dtype=np.int64)
        self.hc_new_infections = np.zeros((n_days, n_reg), dtype=np.int64)
        self.hc_deaths = np.zeros((n_days, n_reg), dtype=np.int64)
        self.hc_planned = np.zeros((n_days, n_reg))
        self.hc_missed = np.zeros((n_days, n_reg))
        self.levels = np.zeros((n_days, n_reg), dtype=np.int8)
        self.gap_share = np.zeros((n_days, n_reg))
        self.forecast_icu = np.zeros((n_days, n_reg))  # each region's forecast of its COVID ICU patients `horizon_days` ahead
        self.specialist_nurses = np.zeros((n_days, n_reg))
        self.operations = np.zeros((n_days, n_reg))
        self.care_debt = np.zeros((n_days, n_reg))
        self.loaned_in = np.zeros((n_days, n_reg), dtype=np.int32)
        self.pool_in = np.zeros((n_days, n_reg), dtype=np.int32)
        self.pool_in_icu = np.zeros((n_days, n_reg), dtype=np.int32)
        # pool members posted by the pool on any recorded day (set up on the first day, when the pool exists):
        # the distinct people deployed (``pool_members_deployed``); arrivals count a person sent twice twice
        self.pool_deployed: np.ndarray | None = None
        # postings are counted by region, in the ICU (columns 0 … n_reg − 1) and elsewhere (n_reg … 2 n_reg − 1)
        self._posted_column = np.where(world.workplace_kind == ICU, world.workplace_region, world.workplace_region + n_reg)
        self._is_icu = world.workplace_kind == ICU
        self.upskilled_in_icu = np.zeros((n_days, n_reg), dtype=np.int32)
        self.recruits_working = np.zeros((n_days, n_reg), dtype=np.int32)
        self.course_graduates = np.zeros((n_days, n_reg), dtype=np.int32)  # recruits through a basic-care course (beredskapslyftet)
        self.cost = np.zeros((n_days, n_reg, len(COST_ITEMS)))
        # the levers' columns of the ICU frame (Lever.icu_columns), kept for every lever so that the frame's columns never change
        self.lever_icu = {name: np.zeros((n_days, n_reg)) for cls in LEVERS for name in cls.icu_columns}
        self.hours = np.zeros((n_days, self.n_groups, 4))
        self.icu_fatigue = np.zeros((n_days, 2))  # mean fatigue and sustained fatigue of ICU staff who have not left
        self.icu_available = np.zeros(n_days, dtype=np.int64)  # ICU staff neither sick nor gone
        s, cfg = world.staff, model.config
        self._group_icu_staff()
        teams = model.tiers is not None
        self._trained_role = -1 if teams else ICU_NURSE
        self._recruits = np.flatnonzero(np.isin(s.contract, (RETIRED, STUDENT, OTHER_SECTOR)))
        self._pool_extra = np.flatnonzero(s.contract == POOL)
        self._hourly_home = world.hourly_home_staff
        wage = np.array([cfg.costs.hourly_wage_sek[p] for p in PROFESSIONS]) * (1.0 + cfg.costs.employer_fee)
        self._group_region = np.repeat(np.arange(n_reg), len(EMPLOYERS) * N_PROFESSIONS)
        self._group_wage = np.tile(wage, n_reg * len(EMPLOYERS))
        self.n_regions = n_reg
        self.wage = wage  # SEK an hour by profession, with the employer's fees
        self.cost_index = {item: k for k, item in enumerate(COST_ITEMS)}
        self._operations_normal = operations_per_day(cfg, world.regions["population"].to_numpy(float))
        self._pay = kernels.make_params(
            kernels.PayParams,
            overtime_multiplier=cfg.costs.overtime_multiplier,
            agreement_multiplier=cfg.levers.crisis_agreement.pay_multiplier,
            recruit_wage_factor=cfg.costs.recruit_wage_factor,
        )
        # the cost items that kernels.record_pay writes, in its order
        self._pay_columns = np.array([self.cost_index[k] for k in ("overtime", "crisis_pay", "temps", "pool", "banned_temps_saved")])
        self._hourly_region = s.region[world.hourly_home_staff]
        self._hourly_per_region = np.bincount(self._hourly_region, minlength=n_reg)
        # ICU staff neither sick nor gone (retired: supply over years)
        codes = np.arange(len(ALL_STATUSES))  # gone, sick, or outside the workforce (not yet started, retired)
        self._unavailable = np.isin(codes, (LEFT, *SICK_STATUSES)) | (codes >= ENTRANT)
        self._tally_groups = kernels.group_order(group=world.tally_group, n_groups=self.n_groups)
        # fatigue that costs capacity (submodel 5a): recorded only when staff can be fatigued (fatigue.capacity_threshold < 1),
        # so that runs without it keep their frames as before
        self.capacity_on = cfg.fatigue.capacity_on
        if self.capacity_on:
            self.capacity_lost = np.zeros(shape)  # effective hours fatigue's cap took from the day's work, by (region, kind), role
            self.icu_care = np.zeros((n_days, n_reg, 3))  # ICU care hours: all, by fatigued staff, weighted by excess error odds
        self._no_rows = np.zeros((0, N_PROFESSIONS))  # kernels.record_work's capacity lost when it is not recorded
        self.days_recorded = 0

    def record(self, day: int, heads: np.ndarray, overtime: np.ndarray) -> None:
        """Store the indicators of the day just simulated (with ``record="staff"`` only the staff's and the escalation's)."""
        if not self.whole:
            self._record_staff(day)
            self._record_escalation(day)
            self.days_recorded = day + 1  # (not the levers' record hooks: they record, they do not decide)
            return
        m, world = self.model, self.model.world
        capacity = self.capacity_on  # the (workplace, role) arrays by (region, kind) in one pass, into the day's rows
        kernels.record_work(
            required=m.required,
            supplied=m.supplied,
            overtime=overtime,
            heads=heads,
            capacity_lost=m.capacity_lost if capacity else self._no_rows,
            group=self._wp_group,
            out_required=self.required[day],
            out_supplied=self.supplied[day],
            out_overtime=self.overtime[day],
            out_heads=self.heads[day],
            out_capacity_lost=self.capacity_lost[day] if capacity else self._no_rows,
        )
        self._record_staff(day)
        self._record_levers(day)
        if capacity:
            self.icu_care[day] = m.icu_care
        self.icu_patients[day] = m.census[m.icu_ids]
        self.icu_nurse_hours[day] = m.icu_nurse_hours
        self.icu_beds_open[day] = m.icu_beds_open
        self.icu_beds_staffed[day] = m.icu_beds_staffed
        homes = kernels.record_homes(
            infected=m.nh_infected,
            introductions=m.nh_introductions,
            deaths=m.nh_deaths,
            missed_care_hours=m.nh_missed_care_hours,
            delegated_share=m.nh_delegated_share,
            alive=m.residents_alive,
            assessed=m.nh_assessed,
            assessments=m.nh_assessments,
            ever_outbreak=self.ever_outbreak,
            home_region=world.home_region,
            n_regions=self.n_regions,
        )
        self.homes_outbreak[day] = homes[:, 0]
        self.homes_reached[day] = homes[:, 1]
        self.infected_residents[day] = homes[:, 2]
        self.introductions[day] = homes[:, 3]
        self.residents_susceptible[day] = m.nh_susceptible.sum()
        self.clients_susceptible[day] = m.hc_clients_susceptible.sum()
        self._record_home_care(day)
        self.resident_deaths[day] = homes[:, 4]
        self.missed_care_hours[day] = homes[:, 5]
        self.delegated_residents[day] = homes[:, 6]
        self.residents_alive[day] = homes[:, 7]
        self.assessed_residents[day] = homes[:, 8]
        self.assessments[day] = homes[:, 9]
        self.days_recorded = day + 1

    def _record_staff(self, day: int) -> None:
        """The staff frame's day: counts by status, fatigue's sum and 90th percentile, and hours, by tally group."""
        s = self.model.world.staff
        order, group_start, blocks = self._tally_groups
        counts, fsum, hist, hours = kernels.tally_staff(
            status=s.status,
            fatigue=s.fatigue,
            order=order,
            group_start=group_start,
            blocks=blocks,
            hours_worked=s.hours_worked,
            contract=s.contract,
            base_hours_by_contract=s.base_hours_by_contract,
            agreement_days=s.agreement_days,
            n_regular=s.n_regular,
            n_statuses=N_STATUSES,
            n_bins=FATIGUE_BINS,
            first_entrant=s.first_entrant if s.n_entrants else -1,
        )
        self.hours[day] = hours
        self.status[day] = counts
        self.fatigue_sum[day] = fsum
        kernels.record_fatigue_p90(hist=hist, day=day, by_group=self.fatigue_p90, national=self.fatigue_p90_national)

    def _record_escalation(self, day: int) -> None:
        """The regions frame's escalation columns of the day (each region's level, forecast gap share and forecast) and
        the COVID ICU patients, which the trend forecast reads back on the days after (``Forecaster.covid_icu``)."""
        m = self.model
        self.levels[day] = m.levels
        self.gap_share[day] = m.forecast_gap_share
        self.forecast_icu[day] = m.forecast_covid_icu
        self.covid_icu[day] = m.covid_icu_today

    #: Arrays of the recorder that are not by day (every other public array's first axis is the day)
    NOT_DAILY = ("ever_outbreak", "wage")

    def hold(self, first: int, last: int) -> None:
        """Copy the record of day ``last`` to days ``first`` .. ``last - 1``: a quiet step's days (issue #17, ``[quiet]``)."""
        n_days = self.model.n_days
        arrays = [v for k, v in vars(self).items() if not k.startswith("_") and k not in self.NOT_DAILY and isinstance(v, np.ndarray)]
        arrays += list(self.lever_icu.values())
        for values in arrays:
            if values.ndim and values.shape[0] == n_days:
                values[first:last] = values[last]

    def _record_home_care(self, day: int) -> None:
        m = self.model
        kernels.record_home_care(
            alive=m.hc_alive,
            infected=m.hc_infected,
            new_infections=m.hc_new_infections,
            deaths=m.hc_new_deaths,
            planned=m.hc_planned_visits,
            missed=m.hc_missed_visits,
            municipality_region=self._hc_region,
            day=day,
            out_alive=self.hc_alive,
            out_infected=self.hc_infected,
            out_new_infections=self.hc_new_infections,
            out_deaths=self.hc_deaths,
            out_planned=self.hc_planned,
            out_missed=self.hc_missed,
        )

    def _group_icu_staff(self) -> None:
        """The ICU's staff by home, the ICU nurses, and the non-specialists who may work in the ICU: trained nurses (with
        team-based ICU staffing also assistant nurses, in their own role)."""
        world, s = self.model.world, self.model.world.staff
        rows = s.workforce_rows()  # the staff of the start and the supply's entrants
        self._icu_staff = rows[world.workplace_kind[s.home[rows]] == ICU]
        self._icu_nurses = np.flatnonzero(s.profession == ICU_NURSE)
        if (
            self.model.tiers is not None
        ):  # regions' staff only (municipal staff reach an ICU only posted by the pool, which this does not count)
            region_staff = world.workplace_kind[s.home] < N_REGION_KINDS
            self._not_specialist_at_icu = np.flatnonzero(np.isin(s.profession, (ANAESTHESIA, RN, ASSISTANT)) & region_staff)
        else:
            self._not_specialist_at_icu = np.flatnonzero(np.isin(s.profession, (ANAESTHESIA, RN)))

    def regroup_staff(self) -> None:
        """Group the staff anew by ``world.tally_group`` and take the ICU's staff anew (after the supply changed a person's
        profession, employer or home: specialisation, issue #17)."""
        self._tally_groups = kernels.group_order(group=self.model.world.tally_group, n_groups=self.n_groups)
        self._group_icu_staff()

    def _record_levers(self, day: int) -> None:
        m, world = self.model, self.model.world
        s = world.staff
        self._record_escalation(day)
        fatigue, sustained = kernels.record_icu_staff(
            icu_staff=self._icu_staff,
            icu_nurses=self._icu_nurses,
            support=self._not_specialist_at_icu,
            status=s.status,
            fatigue=s.fatigue,
            fatigue_sustained=s.fatigue_sustained,
            hours_worked=s.hours_worked,
            worked_at=m.worked_at,  # today's workplace, before same-day sickness sent anyone home
            role=s.role,
            posting=s.posting,
            posting_kind=s.posting_kind,
            unavailable=self._unavailable,
            is_icu=self._is_icu,
            workplace_region=world.workplace_region,
            posted_column=self._posted_column,
            icu_role=self._trained_role,
            loan_kind=LOAN,
            pool_kind=POOL_POSTING,
            n_kinds=len(POSTINGS),
            day=day,
            available=self.icu_available,
            specialist_nurses=self.specialist_nurses,
            loaned_in=self.loaned_in,
            pool_in=self.pool_in,
            pool_in_icu=self.pool_in_icu,
            upskilled_in_icu=self.upskilled_in_icu,
        )
        if fatigue.size:  # float64 means whatever the state's dtype (kernels.FS, issue #18)
            # np.mean's sum and division without its Python wrapper (15 µs a call): the same bits
            self.icu_fatigue[day] = (
                np.add.reduce(fatigue, dtype=np.float64) / fatigue.size,
                np.add.reduce(sustained, dtype=np.float64) / sustained.size,
            )
        pool = getattr(m, "pool", None)
        if pool is not None:
            if self.pool_deployed is None:
                self.pool_deployed = np.zeros(pool.members.size, dtype=bool)
            self.pool_deployed |= s.posting_kind[pool.members] == POOL_POSTING
        self.operations[day] = self._operations_normal  # planned care at its normal level, unless a lever records otherwise
        cost = np.zeros((self.n_regions, len(COST_ITEMS)))  # costs above normal payroll, SEK
        kernels.record_pay(
            group_hours=self.hours[day],
            group_region=self._group_region,
            group_wage=self._group_wage,
            status=s.status,
            hours_worked=s.hours_worked,
            region=s.region,
            profession=s.profession,
            contract=s.contract,
            base_hours_by_contract=s.base_hours_by_contract,
            wage=self.wage,
            recruits=self._recruits,
            pool_extra=self._pool_extra,  # additional pool members: their hours are paid on top of payroll
            hourly_home=self._hourly_home,  # kept in reserve (a ban on hourly temps): their contracted pay is not paid
            hourly_region=self._hourly_region,
            hourly_per_region=self._hourly_per_region,
            last_other_home_day=s.last_other_home_day,
            lately=day - LATELY_DAYS,  # worked at another home after it: day − last < LATELY_DAYS, without int16 overflow
            params=self._pay,
            columns=self._pay_columns,
            cost=cost,
            day=day,
            recruits_working=self.recruits_working,
            multi_home_share=self.multi_home_share,
        )
        for lever in self.model.levers:  # the levers' own costs (pool upkeep, recovery programme) and records
            lever.record(self, day, cost)
        self.cost[day] = cost

    def unsafe_icu_patients(self, first: int, last: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Unsafe ICU patients of the recorded days ``first`` … ``last`` − 1 by region, flat (day by day, regions within).

        Without tiers: patients beyond what the ICU nurses on duty cover at the minimum ratio. With team-based ICU
        staffing (``safety.icu_tiers``): patients not covered within the guidance for the region's surge level
        (``sim.teams``); the second value then holds the allocation's columns of the ICU frame (support staff on duty,
        surge level, patients by tier, uncovered, beyond guidance), else it is empty. The ICU frame and Mesa's
        DataCollector (``sim.collect``) both count with this, day by day or all at once, element for element alike.
        """
        patients = self.icu_patients[first:last].reshape(-1)
        nurses = self.icu_nurse_hours[first:last].reshape(-1) / 24.0
        tiers = self.model.tiers
        if tiers is None:
            return np.maximum(patients - nurses / self.model.config.safety.icu_min_nurse_ratio, 0.0), {}
        _, support, assistants = on_duty(self.supplied[first:last, ICU::N_UNIT_KINDS].reshape(-1, N_PROFESSIONS))
        surge = self.model.surge_level(patients.reshape(last - first, -1)).reshape(-1)
        alloc = allocate(tiers, patients, nurses, support, assistants, surge)
        team = {"support_nurses": support, "support_assistants": assistants, "surge_level": surge}
        for k, name in enumerate(tiers.names):
            team[f"tier_{name}_patients"] = alloc.in_tier[:, k]
        team["patients_uncovered"] = alloc.uncovered
        team["patients_beyond_guidance"] = alloc.beyond_guidance
        return np.maximum(patients - alloc.within_guidance, 0.0), team

    # ------------------------------------------------------------------ frames
    def result(self) -> Result:
        """Tidy frames and the summary of the days recorded so far."""
        m = self.model
        n = self.days_recorded
        dates = pd.to_datetime(m.dates[:n])
        codes = list(m.world.regions["code"])
        if self.whole:
            daily = Daily(
                units=self._units_frame(dates, codes, n),
                staff=self._staff_frame(dates, codes, n),
                icu=self._icu_frame(dates, codes, n),
                nursing_homes=self._homes_frame(dates, codes, n),
                home_care=self._home_care_frame(dates, codes, n),
                regions=self._regions_frame(dates, codes, n),
            )
        else:  # (RECORDS) the other frames were not recorded: None, which Daily reports as NotRecorded
            none: Any = None
            staff, regions = self._staff_frame(dates, codes, n), _frame(self._escalation_columns(dates, codes, n))
            daily = Daily(units=none, staff=staff, icu=none, nursing_homes=none, home_care=none, regions=regions)
        events = Events(**self._event_frames())
        for frame in events.frames().values():
            for col in [c for c in frame.columns if c.endswith("day")]:
                # a day past the period (a loan's end) gets its date all the same
                days = frame[col].tolist() if len(frame) else []
                frame.insert(frame.columns.get_loc(col), col.replace("day", "date"), [_date(m.dates, int(x)) for x in days])
        supply = m.supply.monthly if m.supply is not None else None  # supply over years: month × profession
        summary = self._summary(daily, n, events) if self.whole else None
        return Result(daily=daily, summary=summary, scenario=m.config, seed=m.seed, events=events, supply=supply)

    def _event_frames(self) -> dict[str, pd.DataFrame]:
        """Every lever's event tables; a lever that is off gives its tables with no rows."""
        frames: dict[str, pd.DataFrame] = {}
        for lever in self.model.levers:
            frames.update(lever.event_frames())
        for cls in LEVERS:  # (only the tables no lever gave: an empty frame costs a quarter of a millisecond)
            frames.update({name: empty_events(columns) for name, columns in cls.events.items() if name not in frames})
        return frames

    @staticmethod
    def _grid(dates: pd.DatetimeIndex, *levels: list[str], names: list[str], rows: np.ndarray | None = None) -> dict[str, Any]:
        """The key columns of a frame over every (date, level, …) in that order (categories sorted, as
        ``astype("category")`` sorts them), or only over the flat positions ``rows`` of that grid (issue #18: the
        units and staff frames keep a fraction of their grid, so the grid is not built whole and then filtered).

        The columns come as a dict, to which a frame adds its own before it is built once (``_frame``)."""
        sizes = [len(level) for level in levels]
        days = len(dates)
        per_day = int(np.prod(sizes))
        # each level's code over the whole grid (its codes repeated for the levels after it, tiled over those before it),
        # then at ``rows``: cheaper than unravelling every position
        if rows is None:
            columns: dict[str, Any] = {"date": dates.repeat(per_day)}
        else:  # (rows in order: each date as many times as it has rows)
            columns = {"date": dates.repeat(np.diff(np.searchsorted(rows, np.arange(days + 1) * per_day)))}
        after = per_day
        for name, level, size in zip(names, levels, sizes, strict=True):
            after //= size
            dtype, code_of = _categories(tuple(level))
            codes = np.tile(np.repeat(code_of, after), days * per_day // (size * after))
            columns[name] = pd.Categorical.from_codes(codes if rows is None else codes[rows], dtype=dtype, validate=False)
        return columns

    def _units_frame(self, dates: pd.DatetimeIndex, codes: list[str], n: int) -> pd.DataFrame:
        req = self.required[:n].reshape(-1)
        heads = self.heads[:n].reshape(-1)  # counts of staff: whole numbers (no integer copy of them all, issue #18)
        rows = np.flatnonzero((req > 0) | (heads > 0))  # units and roles with work or staff that day
        frame = self._grid(dates, codes, list(UNIT_KINDS), list(PROFESSIONS), names=["region", "unit_kind", "profession"], rows=rows)
        req = req[rows]
        sup = self.supplied[:n].reshape(-1)[rows]
        frame["required_hours"] = req
        frame["supplied_hours"] = sup
        frame["gap_hours"] = req - sup
        frame["coverage"] = np.divide(sup, req, out=np.full_like(req, np.nan), where=req > 0)
        frame["overtime_hours"] = self.overtime[:n].reshape(-1)[rows]
        frame["staff_at_work"] = heads[rows].astype(np.int64)
        if self.capacity_on:
            frame["capacity_lost_to_fatigue_hours"] = self.capacity_lost[:n].reshape(-1)[rows]
        return _frame(frame)

    def _staff_frame(self, dates: pd.DatetimeIndex, codes: list[str], n: int) -> pd.DataFrame:
        counts = self.status[:n].reshape(-1, N_STATUSES)
        total = np.einsum("ij->i", counts).astype(np.int64)  # integers: any order of addition gives the same total
        rows = np.flatnonzero(total > 0)  # groups with staff
        frame = self._grid(dates, codes, list(EMPLOYERS), list(PROFESSIONS), names=["region", "employer", "profession"], rows=rows)
        counts = np.take(counts, rows, axis=0)  # (take: a tenth of indexing's time on rows of nine counts)
        for k, status in enumerate(STATUSES):
            frame[f"n_{status}"] = counts[:, k].astype(np.int64)
        total = total[rows]
        frame["n_total"] = total
        present = total - counts[:, LEFT]
        frame["fatigue_mean"] = np.divide(
            self.fatigue_sum[:n].reshape(-1)[rows], present, out=np.full(present.shape, np.nan), where=present > 0
        )
        frame["fatigue_p90"] = self.fatigue_p90[:n].reshape(-1)[rows]
        return _frame(frame)

    def _icu_frame(self, dates: pd.DatetimeIndex, codes: list[str], n: int) -> pd.DataFrame:
        frame = self._grid(dates, codes, names=["region"])
        patients = self.icu_patients[:n].reshape(-1)
        nurses = self.icu_nurse_hours[:n].reshape(-1) / 24.0
        frame["covid_icu_patients"] = self.covid_icu[:n].reshape(-1)
        # new COVID ICU admissions of the day (demand source "admissions"; NaN where the source gives occupancy only)
        admissions = self.model.demand.covid_icu_admissions
        scale = self.model.config.world.scale
        frame["covid_icu_admissions"] = np.full(n * len(codes), np.nan) if admissions is None else (admissions[:n] * scale).reshape(-1)
        frame["icu_patients"] = patients
        frame["icu_nurses"] = nurses  # nurses on duty around the clock (hours / 24)
        frame["nurses_per_patient"] = np.divide(nurses, patients, out=np.full_like(nurses, np.nan), where=patients > 0)
        unsafe, team = self.unsafe_icu_patients(0, n)
        frame["unsafe_patients"] = unsafe
        frame.update(team)  # team-based ICU staffing only
        specialists = self.specialist_nurses[:n].reshape(-1)
        frame["specialist_icu_nurses"] = specialists
        frame["diluted_patients"] = np.maximum(patients - specialists, 0.0)
        frame["beds_surge"] = np.tile(self.model.world.regions["icu_beds_surge"].to_numpy() * scale, n)
        beds_open = self.icu_beds_open[:n].reshape(-1)
        beds_staffed = self.icu_beds_staffed[:n].reshape(-1)
        frame["beds_open"] = beds_open
        frame["beds_staffed"] = beds_staffed
        frame["free_beds_share"] = 1.0 - patients / np.maximum(beds_open, 1e-9)
        frame["patients_above_staffed_beds"] = np.maximum(patients - beds_staffed, 0.0)
        frame["patients_above_open_beds"] = np.maximum(patients - beds_open, 0.0)
        for name, values in self.lever_icu.items():
            frame[name] = values[:n].reshape(-1)
        if self.capacity_on:  # submodel 5a: the share of the day's ICU care given by fatigued staff, and its error weight
            care = self.icu_care[:n].reshape(-1, 3)
            worked = care[:, 0] > 0
            # (the two sums are added in different orders: a share of all-fatigued care may come out 1 + 1e-16)
            frame["fatigued_care_share"] = np.minimum(np.divide(care[:, 1], care[:, 0], out=np.zeros(len(care)), where=worked), 1.0)
            frame["fatigue_error_patients"] = patients * np.divide(care[:, 2], care[:, 0], out=np.zeros(len(care)), where=worked)
        return _frame(frame)

    def _homes_frame(self, dates: pd.DatetimeIndex, codes: list[str], n: int) -> pd.DataFrame:
        frame = self._grid(dates, codes, names=["region"])
        homes = np.bincount(self.model.world.home_region, minlength=len(codes))
        frame["homes"] = np.tile(homes, n)
        frame["homes_with_outbreak"] = self.homes_outbreak[:n].reshape(-1)
        frame["homes_reached"] = self.homes_reached[:n].reshape(-1)
        frame["infected_residents"] = self.infected_residents[:n].reshape(-1)
        frame["introductions_by_staff"] = self.introductions[:n].reshape(-1)
        frame["hourly_staff_multi_home_share"] = self.multi_home_share[:n].reshape(-1)
        frame["resident_deaths"] = self.resident_deaths[:n].reshape(-1)
        alive = self.residents_alive[:n].reshape(-1)
        frame["residents_alive"] = alive
        frame["assessed_infected_residents"] = self.assessed_residents[:n].reshape(-1)
        frame["residents_assessed"] = self.assessments[:n].reshape(-1)
        frame["missed_care_hours"] = self.missed_care_hours[:n].reshape(-1)
        delegated = self.delegated_residents[:n].reshape(-1)
        frame["delegated_medication_share"] = np.divide(delegated, alive, out=np.zeros(len(alive)), where=alive > 0)
        return _frame(frame)

    def _home_care_frame(self, dates: pd.DatetimeIndex, codes: list[str], n: int) -> pd.DataFrame:
        frame = self._grid(dates, codes, names=["region"])
        frame["clients"] = np.tile(np.bincount(self._hc_region, weights=self.model.world.hc_clients, minlength=len(codes)), n).astype(
            np.int64
        )
        frame["clients_alive"] = self.hc_alive[:n].reshape(-1)
        frame["clients_infected"] = self.hc_infected[:n].reshape(-1)
        frame["new_client_infections"] = self.hc_new_infections[:n].reshape(-1)
        frame["client_deaths"] = self.hc_deaths[:n].reshape(-1)
        frame["visits_planned"] = self.hc_planned[:n].reshape(-1)
        frame["visits_missed"] = self.hc_missed[:n].reshape(-1)
        req = self.required[:n, HOME_CARE::N_UNIT_KINDS].sum(axis=2).reshape(-1)
        sup = self.supplied[:n, HOME_CARE::N_UNIT_KINDS].sum(axis=2).reshape(-1)
        frame["coverage"] = np.divide(sup, req, out=np.full_like(req, np.nan), where=req > 0)
        return _frame(frame)

    def _escalation_columns(self, dates: pd.DatetimeIndex, codes: list[str], n: int) -> dict[str, Any]:
        """The regions frame's first columns: date, region, the escalation level, the forecast gap share and forecast."""
        frame = self._grid(dates, codes, names=["region"])
        level, code_of = _categories(LEVELS, sort=False)
        frame["level"] = pd.Categorical.from_codes(code_of[self.levels[:n].reshape(-1)], dtype=level, validate=False)
        frame["forecast_gap_share"] = self.gap_share[:n].reshape(-1)
        if self._imperfect:  # with perfect foresight it is the demand `horizon_days` ahead: left out, results stay as before
            frame["forecast_covid_icu"] = self.forecast_icu[:n].reshape(-1)
        return frame

    def _regions_frame(self, dates: pd.DatetimeIndex, codes: list[str], n: int) -> pd.DataFrame:
        frame = self._escalation_columns(dates, codes, n)
        frame["elective_operations"] = self.operations[:n].reshape(-1)
        frame["care_debt_operations"] = self.care_debt[:n].reshape(-1)
        frame["staff_on_loan_in"] = self.loaned_in[:n].reshape(-1)
        frame["pool_members_in"] = self.pool_in[:n].reshape(-1)
        frame["pool_members_in_icu"] = self.pool_in_icu[:n].reshape(-1)
        frame["upskilled_in_icu"] = self.upskilled_in_icu[:n].reshape(-1)
        frame["recruits_working"] = self.recruits_working[:n].reshape(-1)
        frame["beredskapslyftet_graduates"] = self.course_graduates[:n].reshape(-1)
        for k, item in enumerate(COST_ITEMS):
            frame[f"cost_{item}_sek"] = self.cost[:n, :, k].reshape(-1)
        return _frame(frame)

    def cost_total_msek(self, n: int) -> float:
        """Cost above normal payroll of the first ``n`` days, MSEK: the summary's ``cost_total_msek`` and the
        DataCollector's running value (one order of addition, so the last day's running value equals the summary).

        The items before travel are summed as one block, as before travel was an item, then travel, then each later
        item (issue #16's items): runs without the later items' costs keep their total bit for bit (a sum over more
        items at once adds in another order).
        """
        travel = self.cost_index["travel"]
        total = np.ascontiguousarray(self.cost[:n, :, :travel]).sum() + self.cost[:n, :, travel : travel + 1].sum()
        for k in range(travel + 1, len(COST_ITEMS)):
            total += self.cost[:n, :, k].sum()
        return float(total / 1e6)

    def _summary(self, daily: Daily, n: int, events: Events) -> pd.DataFrame:
        m = self.model
        icu = daily.icu
        national_icu = icu.groupby("date", observed=True)["covid_icu_patients"].sum()
        gap = self._gap_by_day(n)
        req = self.required[:n].sum(axis=(1, 2))
        last = self.status[n - 1] if n else np.zeros((1, N_STATUSES))
        present = last.sum() - last[:, LEFT].sum()
        icu_req = self.required[:n, ICU::N_UNIT_KINDS, ICU_NURSE].sum(axis=1)
        icu_sup = self.supplied[:n, ICU::N_UNIT_KINDS, ICU_NURSE].sum(axis=1)
        sick = self.status[:n][:, :, SICK_STATUSES].sum(axis=(1, 2)) / np.maximum(self.status[:n].sum(axis=(1, 2)), 1)
        row: dict[str, Any] = {
            "scenario": m.config.name,
            "seed": m.seed,
            "scale": m.config.world.scale,
            "days": n,
            "staff_employed": int(m.world.staff.n_regular),
            "staff_in_reserve": m.world.staff.first_entrant - int(m.world.staff.n_regular),
            "unsafe_icu_patient_days": float(icu["unsafe_patients"].sum()),
            "peak_covid_icu_patients": float(national_icu.max()) if n else 0.0,
            "peak_covid_icu_date": national_icu.idxmax().date().isoformat() if n else "",
            "min_icu_nurse_coverage": float(np.min(np.divide(icu_sup, icu_req, out=np.ones_like(icu_sup), where=icu_req > 0)))
            if n
            else 1.0,
            "peak_gap_hours": float(gap.max()) if n else 0.0,
            "peak_gap_share": float((gap / np.maximum(req, 1e-9)).max()) if n else 0.0,
            "peak_sick_share": float(sick.max()) if n else 0.0,
            "staff_lost": int(last[:, LEFT].sum()),
            "fatigue_mean_end": float(self.fatigue_sum[n - 1].sum() / max(present, 1)) if n else float("nan"),
            "fatigue_p90_end": float(self.fatigue_p90_national[n - 1]) if n else float("nan"),
            "homes_with_outbreak": int(self.ever_outbreak.sum()),
            "homes_with_outbreak_share": float(self.ever_outbreak.mean()),
            "nursing_home_introductions": int(self.introductions[:n].sum()),
            "resident_infections": int(m.world.home_residents.sum() - m.nh_susceptible.sum()),
            "client_infections": int(m.world.hc_clients.sum() - m.hc_clients_susceptible.sum()),
            "client_deaths": int(m.hc_dead.sum()),
            "missed_home_care_visits": float(self.hc_missed[:n].sum()),
            "missed_home_care_visit_share": float(self.hc_missed[:n].sum() / max(self.hc_planned[:n].sum(), 1e-9)),
            "resident_deaths": int(self.resident_deaths[:n].sum()),
            "resident_missed_care_hours": float(self.missed_care_hours[:n].sum()),
            "delegated_medication_share": self.delegated_share(n - 1),
            "diluted_icu_patient_days": float(icu["diluted_patients"].sum()),
            "icu_patient_days_above_staffed_beds": float(icu["patients_above_staffed_beds"].sum()),
            "icu_patient_days_above_open_beds": float(icu["patients_above_open_beds"].sum()),
            "icu_beds_open_max": float(self.icu_beds_open[:n].sum(axis=1).max()) if n else 0.0,
            "worst_region_icu_nurse_ratio": _worst_region_week(icu),
            "regions_in_crisis_max": int((self.levels[:n] == LEVELS.index("crisis")).sum(axis=1).max()) if n else 0,
            "elective_operations_april_change": self._april_change(n),
            "care_debt_end": float(self.care_debt[n - 1].sum()) if n else 0.0,
            "staff_loaned": int(events.loans["count"].sum()) if len(events.loans) else 0,
            "loans_recalled": int(events.loan_changes.loc[events.loan_changes["change"] == "recalled", "count"].sum())
            if len(events.loan_changes)
            else 0,
            "pool_arrivals": int(events.pool_deployments["count"].sum()) if len(events.pool_deployments) else 0,
            "pool_members_deployed": int(self.pool_deployed.sum()) if self.pool_deployed is not None else 0,
            "patients_transferred": float(icu["transfers_out"].sum()),
            "transfer_blocked_by_capacity": float(icu["transfer_blocked_by_capacity"].sum()),
            "transfer_blocked_no_bed": float(icu["transfer_blocked_no_bed"].sum()),
            "upskilled_in_icu_peak": int(self.upskilled_in_icu[:n].sum(axis=1).max()) if n else 0,
            "recruits_working_peak": int(self.recruits_working[:n].sum(axis=1).max()) if n else 0,
            "beredskapslyftet_graduates": int(self.course_graduates[:n].sum()),
        }
        for k, item in enumerate(COST_ITEMS):
            row[f"cost_{item}_msek"] = float(self.cost[:n, :, k].sum() / 1e6)
        row["cost_total_msek"] = self.cost_total_msek(n)
        row["icu_staff_fatigue_end"] = float(self.icu_fatigue[n - 1, 0]) if n else float("nan")
        row["icu_staff_sustained_fatigue_end"] = float(self.icu_fatigue[n - 1, 1]) if n else float("nan")
        if m.tiers is not None:  # team-based ICU staffing: patient-days in each tier (best first), uncovered, beyond guidance
            for k, name in enumerate(m.tiers.names, start=1):
                row[f"icu_patient_days_tier{k}"] = float(icu[f"tier_{name}_patients"].sum())
            row["icu_patient_days_uncovered"] = float(icu["patients_uncovered"].sum())
            row["icu_patient_days_beyond_guidance"] = float(icu["patients_beyond_guidance"].sum())
        if self.capacity_on:
            row.update(self._fatigue_costs(icu, n))
        supply = getattr(m, "supply", None)
        if supply is not None:  # supply over years (issue #17): its columns only in runs with [supply]
            row.update(supply.summary(m))
        for cls in LEVERS:  # the levers' own indicators (Lever.summary): 0 for a lever that is off
            if cls.supply_side and supply is None:  # the supply side's levers: columns only in runs with [supply]
                continue
            row.update(dict.fromkeys((spec.name for spec in cls.indicators if spec.name not in row), 0))
        for lever in m.levers:
            row.update(lever.summary(n))
        if supply is not None:  # what the supply side's levers invested over the run (issue #17)
            row[INVESTMENT_COLUMN] = sum(float(row.get(name, 0.0)) for name in INVESTMENT_COSTS) / 1e6
        row.update(self._readiness(n))
        return pd.DataFrame([row])

    def _gap_by_day(self, n: int) -> np.ndarray:
        """Hours required less supplied of each of the first ``n`` days, summed over units and roles: bit for bit the sums
        by day of the whole days' difference, taken a block of days at a time (issue #18: a fresh temporary of the whole
        run's size cost its page faults, ≈1 ms)."""
        block = max(1, 16384 // max(self.required[0].size, 1))  # days of ≈128 kB, which malloc serves from its heap
        parts = [(self.required[a : min(a + block, n)] - self.supplied[a : min(a + block, n)]).sum(axis=(1, 2)) for a in range(0, n, block)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def delegated_share(self, day: int) -> float:
        """Share of the residents' medication rounds delegated to assistant nurses and care aides, days 0 … ``day``
        (resident-days weighted)."""
        alive = self.residents_alive[: day + 1].sum()
        return float(self.delegated_residents[: day + 1].sum() / alive) if alive > 0 else 0.0

    def _fatigue_costs(self, icu: pd.DataFrame, n: int) -> dict[str, float]:
        """Fatigue's costs over the run (submodel 5a): capacity lost, its ICU part, fatigued ICU care and its error weight."""
        lost = self.capacity_lost[:n]
        care = self.icu_care[:n].sum(axis=(0, 1))
        return {
            "capacity_lost_to_fatigue_hours": float(lost.sum()),
            "icu_capacity_lost_to_fatigue_hours": float(lost[:, ICU::N_UNIT_KINDS].sum()),
            "fatigued_icu_care_share": float(care[1] / care[0]) if care[0] > 0 else 0.0,
            "fatigue_error_icu_patient_days": float(icu["fatigue_error_patients"].sum()),
        }

    def _readiness(self, n: int) -> dict[str, Any]:
        """The workforce each epidemic wave meets: state on the wave's start (peak date − 2 rise widths).

        For wave k (1, 2, ...): its start date, ICU staff's mean and sustained fatigue,
        ICU staff available (neither sick nor gone), staff lost so far and staff off sick that day. Waves that start before the
        first day are read on the first day; those after the last day are left out.
        """
        m = self.model
        out: dict[str, Any] = {}
        if m.config.demand.source != "waves":
            return out
        sick = [STATUSES.index(x) for x in ("sick_covid", "sick_other", "sick_exhaustion")]
        for k, wave in enumerate(m.config.demand.waves, start=1):
            start = wave.peak_date - dt.timedelta(days=round(2 * wave.rise_days))
            day = max((start - m.config.time.start).days, 0)
            if day >= n:
                continue
            out[f"wave{k}_start"] = m.dates[day].isoformat()
            out[f"wave{k}_icu_staff_fatigue"] = float(self.icu_fatigue[day, 0])
            out[f"wave{k}_icu_staff_sustained_fatigue"] = float(self.icu_fatigue[day, 1])
            out[f"wave{k}_icu_staff_available"] = int(self.icu_available[day])
            out[f"wave{k}_staff_lost"] = int(self.status[day][:, LEFT].sum())
            out[f"wave{k}_staff_off_sick"] = int(self.status[day][:, sick].sum())
        if self.capacity_on and out:  # capacity lost to fatigue from each wave's start to the next one's (the last: to the run's end)
            starts = [k for k in range(1, len(m.config.demand.waves) + 1) if f"wave{k}_start" in out]
            days = [(dt.date.fromisoformat(out[f"wave{k}_start"]) - m.config.time.start).days for k in starts]
            for k, first, last in zip(starts, days, [*days[1:], n], strict=True):
                out[f"wave{k}_capacity_lost_to_fatigue_hours"] = float(self.capacity_lost[first:last].sum())
        return out

    @property
    def _imperfect(self) -> bool:
        """Whether the regions forecast from reports (``escalation.forecast`` other than "perfect"): then the forecast is recorded."""
        return self.model.config.escalation.forecast != "perfect"

    def _april_change(self, n: int) -> float:
        """Planned operations in April against a normal April (−0.46 = 46 % fewer), NaN if April is not simulated."""
        april = [i for i, d in enumerate(self.model.dates[:n]) if d.month == 4]
        if not april:
            return float("nan")
        base = self._operations_normal.sum() * len(april)
        return float(self.operations[april].sum() / base - 1.0) if base > 0 else float("nan")


def _date(dates: list[dt.date], day: int) -> dt.date:
    """The date of a day of the run, or past its end."""
    return dates[day] if day < len(dates) else dates[0] + dt.timedelta(days=day)


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """A frame of ``columns``, in their order, built at once (issue #18: pandas inserts a column added on its own into
    the frame's index of columns, a cost per column), each column in a block of its own as when added one by one.

    An array that is a view (the days of a recorder's array) is copied, one that is the frame's own is not: the frame
    never shares the recorder's memory, as a frame whose columns were added one by one (and copied) did not.
    """
    own = {
        name: values.copy() if isinstance(values, np.ndarray) and values.base is not None else values for name, values in columns.items()
    }
    return pd.DataFrame(own, copy=False)


@functools.cache
def _categories(level: tuple[str, ...], sort: bool = True) -> tuple[pd.CategoricalDtype, np.ndarray]:
    """The type of a key column over the values of ``level`` (categories sorted, as ``astype("category")`` sorts them,
    or in ``level``'s order if not ``sort``) and the code of each value of ``level``: made once per level (issue #18)."""
    categories = sorted(set(level)) if sort else list(level)
    # codes of the smallest type, as pandas keeps them (int8 below 127 categories)
    code_of = np.array([categories.index(value) for value in level], dtype=np.int8 if len(categories) < 127 else np.int64)
    code_of.flags.writeable = False
    return pd.CategoricalDtype(categories), code_of


def _worst_region_week(icu: pd.DataFrame) -> float:
    """Lowest ICU nurses per patient of any region in any week (nurse-days / patient-days).

    Weeks run from the first day; region-weeks with fewer than 7 patient-days (under one patient
    a day on average) are left out, so tiny regions at small scales do not decide it alone.
    """
    if icu.empty:
        return float("nan")
    week = (icu["date"] - icu["date"].min()).dt.days // 7
    sums = icu.groupby([icu["region"], week], observed=True)[["icu_nurses", "icu_patients"]].sum()
    sums = sums[sums["icu_patients"] >= 7.0]
    return float((sums["icu_nurses"] / sums["icu_patients"]).min()) if len(sums) else float("nan")
