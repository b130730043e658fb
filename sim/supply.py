"""The slow clock of supply over years (issue #17, first slice): people enter the workforce, retire and leave, month by month.

With ``[supply] enabled = true`` the world holds, after every other staff row, a row for each person who will enter the
workforce within the period (``sim.world.supply_rows``: graduates and people licensed from abroad, in the ``entrant``
status until their start). On the first day of each month the model calls ``Supply.step`` before the day's phases:
the compiled core (``kernels.advance_supply``) starts the month's entrants at their workplace, and members of the
workforce retire (the staff of the start, ``supply.retirement_rate_per_year``) or leave (``supply.leave_rate_per_year``,
on top of the daily core's leaving). Each step's flows and the stocks after it are kept by profession
(``Supply.monthly``); ``Supply.summary`` sums them up. Without ``[supply]`` the model has no ``Supply`` (``model.supply``
is None) and nothing here runs.

Left out of this slice (docs/ODD.md, submodel "Supply over years"): specialisation (a registered nurse who trains
becomes an ICU nurse), ageing and an age-based retirement hazard, changes of hours, return from retirement, education
intake and VFU capacity, and the levers that act on all this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim import ages, education, kernels
from sim.categories import (
    ACTIVE,
    ENTRANT,
    LEFT,
    N_PROFESSIONS,
    OFF_DUTY,
    PROFESSIONS,
    RETIREE,
    SICK_COVID,
    SICK_EXHAUSTION,
    SICK_OTHER,
    SPECIALISING,
    TRAINING,
)
from sim.world import staff_hygiene

if TYPE_CHECKING:
    from sim.model import MobilisationModel

#: Statuses of a member of the workforce (employed): at work, off sick, off duty or in a course.
EMPLOYED_STATUSES = (ACTIVE, SICK_COVID, SICK_OTHER, SICK_EXHAUSTION, OFF_DUTY, TRAINING)
#: Columns of ``Supply.monthly`` besides date and profession: flows of the step, then stocks after it.
#: ``specialisation_started`` / ``_completed`` count by the profession trained for (icu_nurse, anaesthesia_nurse).
FLOWS = ("graduates_started", "licensed_started", "retired", "left", "specialisation_started", "specialisation_completed")
STOCKS = ("employed", "entrants_waiting", "retirees", "left_total", "specialising")
#: Summary columns of a run with ``[supply]`` (``Supply.summary``; registered in ``sim.indicators``); a run without it has none.
SUMMARY_COLUMNS = (
    "graduates_started",
    "licensed_started",
    "staff_retired",
    "staff_left_supply",
    "staff_employed_end",
    "specialists_started",
    "specialists_completed",
    "specialist_salary_sek",
)


#: The summary column of a run with ``[supply]``: what the supply side's levers cost over the run, MSEK at the world's
#: scale (the sum of ``INVESTMENT_COSTS``; 0 without them). The specialist students' salary of the supply itself
#: (``specialist_salary_sek``, ``specialists_paid``) is not an investment and not in it.
INVESTMENT_COLUMN = "investment_msek"
INVESTMENT_COSTS = (
    "training_places_cost_sek",
    "vfu_agreements_cost_sek",
    "specialist_training_cost_sek",
    "reserves_cost_sek",
    "retention_cost_sek",
    "short_course_cost_sek",
)


def monthly_probability(rate_per_year: float) -> float:
    """The probability of an event within a month at a constant hazard that gives ``rate_per_year`` within a year."""
    return float(-np.expm1(np.log1p(-rate_per_year) / 12.0)) if rate_per_year < 1.0 else 1.0


class Supply:
    """The supply side of one run: its monthly step and its records (``model.supply``)."""

    def __init__(self, model: MobilisationModel) -> None:
        cfg = model.config.supply
        self.retire_probability = np.array([monthly_probability(cfg.retirement_rate_per_year[p]) for p in PROFESSIONS])
        self.leave_probability = np.array([monthly_probability(cfg.leave_rate_per_year[p]) for p in PROFESSIONS])
        # retirement by age (supply.retirement = "age"): the hazard's scale per profession, calibrated to the rate's first year
        self.by_age = cfg.retirement == "age"
        self.hazard_scale = ages.calibrated_scales(model.config) if self.by_age else np.zeros(N_PROFESSIONS)
        # specialisation (supply.education.specialisation): which planned students have begun (those away at the start
        # began before the run) and finished; salary months of paid students (supply.education.specialists_paid)
        plan = model.world.specialisation
        self.plan = plan
        self.spec_started = plan["start_day"] <= 0 if plan else np.zeros(0, dtype=bool)
        self.spec_done = np.zeros(self.spec_started.shape[0], dtype=bool)
        self.paid = cfg.education.specialists_paid
        self.salary_sek = 0.0
        costs = model.config.costs
        self.hourly_wage = np.array([costs.hourly_wage_sek[p] for p in PROFESSIONS]) * (1.0 + costs.employer_fee)
        # rows that have retired once: a retiree a reserve calls back to work does not retire (or leave) again here
        # the day each row retired (-1: never; the reserves read it for their years since retirement)
        self.retired_day = np.where(model.world.staff.status == RETIREE, 0, -1).astype(np.int32)
        self._dates: list = []
        self._flows: list[np.ndarray] = []
        self._stocks: list[np.ndarray] = []
        self.start_stocks = self.stocks(model)

    @property
    def retired_once(self) -> np.ndarray:
        """Boolean per row: retired at some step of the run (a reserve may have called them back to work since)."""
        return self.retired_day >= 0

    def step(self, model: MobilisationModel, day: int) -> None:
        """The first day of a month (day ``day`` of the run): entrants start, members of the workforce retire or leave."""
        world, s = model.world, model.world.staff
        flows = kernels.advance_supply(
            key=np.uint64(kernels.day_key(seed=model.seed, day=day)),
            day=day,
            status=s.status,
            days_left=s.days_left,
            workplace=s.workplace,
            home=s.home,
            profession=s.profession,
            n_regular=s.n_regular,
            first_entrant=s.first_entrant,
            entry_day=world.entry_day,
            licensed=world.entrant_licensed,
            retire_probability=self.retire_probability,
            leave_probability=self.leave_probability,
            n_professions=N_PROFESSIONS,
            retire_by_age=self.by_age,
            row_retire_probability=self.retire_probability_by_age(model, day) if self.by_age else np.zeros(0),
            retired_day=self.retired_day,
        )
        self.retired_day[(s.status == RETIREE) & (self.retired_day < 0)] = day
        flows = np.concatenate([flows, self.specialise(model, day)])
        self._dates.append(model.dates[day])
        self._flows.append(flows)
        self._stocks.append(self.stocks(model))

    def specialise(self, model: MobilisationModel, day: int) -> np.ndarray:
        """Registered nurses of the plan whose programme begins leave work (``SPECIALISING``) if they are still employed;
        students whose programme ends become the new profession at their new home (profession, role, employer, home,
        hygiene, effectiveness; the tally group follows from them). Paid students' salary for the month is added (``specialists_paid``).
        Returns counts (2, professions): started and completed, by the profession trained for."""
        out = np.zeros((2, N_PROFESSIONS), dtype=np.int64)
        plan = self.plan
        if not plan:
            return out
        s = model.world.staff
        rows = plan["row"]
        due = ~self.spec_started & (plan["start_day"] <= day)
        employed = np.isin(s.status[rows], EMPLOYED_STATUSES) & (self.retired_day[rows] < 0)
        posted = s.posting[rows] >= 0  # on a loan, in the pool or placed elsewhere: begins once back (a later month)
        begin = due & employed & ~posted
        self.spec_started |= due & ~(employed & posted)  # who has left or retired by then never begins
        i = rows[begin]
        s.status[i] = SPECIALISING
        s.days_left[i] = 0
        s.posting[i] = -1
        s.workplace[i] = s.home[i]
        np.add.at(out[0], plan["profession"][begin], 1)
        end = self.spec_started & ~self.spec_done & (plan["end_day"] <= day) & (s.status[rows] == SPECIALISING)
        self.spec_done |= end
        if self.paid:  # this month's salary of the students still away (a month at their contracted hours)
            away = rows[self.spec_started & ~self.spec_done & (s.status[rows] == SPECIALISING)]
            self.salary_sek += float(
                (s.base_hours_by_contract[s.contract[away]] * self.hourly_wage[s.profession[away]]).sum() * 365.25 / 12.0
            )
        j = rows[end]
        if j.size:
            p = plan["profession"][end]
            s.status[j] = ACTIVE
            s.profession[j] = p
            s.role[j] = p
            s.posting_role[j] = p
            s.employer[j] = 0
            s.home[j] = plan["home"][end]
            s.workplace[j] = s.home[j]
            s.effectiveness[j] = s.base_effectiveness[j]
            s.trained[j] = False
            s.hygiene[j] = staff_hygiene(model.config, s.profession[j], s.contract[j])
            np.add.at(out[1], p, 1)
            model.regroup_staff()
        return out

    def retire_probability_by_age(self, model: MobilisationModel, day: int) -> np.ndarray:
        """Each row's probability of retiring at this month's step, by their age on ``day`` (``sim.ages``)."""
        s = model.world.staff
        age_now = s.age.astype(np.float64) + day / ages.DAYS_PER_YEAR
        return ages.monthly_from_yearly(ages.yearly_hazard(model.config.supply.ages, self.hazard_scale, s.profession, age_now))

    @staticmethod
    def stocks(model: MobilisationModel) -> np.ndarray:
        """(``STOCKS``, professions) now: employed, entrants not yet started, retirees, and those who left, of the
        workforce (the staff of the start and the entrants; the levers' recruits and pool members left out)."""
        s = model.world.staff
        rows = s.workforce_rows()
        counts = np.zeros((SPECIALISING + 1, N_PROFESSIONS), dtype=np.int64)
        np.add.at(counts, (s.status[rows], s.profession[rows]), 1)
        employed = counts[list(EMPLOYED_STATUSES)].sum(axis=0)
        return np.stack([employed, counts[ENTRANT], counts[RETIREE], counts[LEFT], counts[SPECIALISING]])

    @property
    def monthly(self) -> pd.DataFrame:
        """One row per step and profession: the step's flows (``FLOWS``) and the stocks right after it (``STOCKS``)."""
        n = len(self._dates)
        frame = pd.DataFrame(
            {
                "date": pd.to_datetime(np.repeat(self._dates, N_PROFESSIONS)),
                "profession": pd.Categorical(np.tile(PROFESSIONS, n), categories=list(PROFESSIONS)),
            }
        )
        flows = np.array(self._flows).reshape(n, len(FLOWS), N_PROFESSIONS) if n else np.zeros((0, len(FLOWS), N_PROFESSIONS))
        stocks = np.array(self._stocks).reshape(n, len(STOCKS), N_PROFESSIONS) if n else np.zeros((0, len(STOCKS), N_PROFESSIONS))
        for k, name in enumerate(FLOWS):
            frame[name] = flows[:, k, :].reshape(-1).astype(np.int64)
        for k, name in enumerate(STOCKS):
            frame[name] = stocks[:, k, :].reshape(-1).astype(np.int64)
        return frame

    @staticmethod
    def intake(model: MobilisationModel) -> pd.DataFrame:
        """One row per calendar year of the run and programme (``supply.education``; empty without it), national, full
        scale: the baseline intake, the extra places the levers asked for, the VFU cap, the students admitted and the
        graduates who start work that year (``sim.education``)."""
        sc = model.config
        if not sc.supply.education.enabled:
            return pd.DataFrame(columns=["year", "programme", "baseline", "requested_extra", "vfu_cap", "admitted", "graduates"])
        rows = [
            {
                "year": y,
                "programme": g,
                "baseline": education.baseline_intake(sc, g),
                "requested_extra": education.requested_extra(sc, g, y),
                "vfu_cap": education.vfu_cap(sc, g, y),
                "admitted": education.intake(sc, g, y),
                "graduates": education.graduates_in_year(sc, g, y),
            }
            for y in education.run_years(sc)
            for g in education.PROGRAMMES
        ]
        return pd.DataFrame(rows)

    def summary(self, model: MobilisationModel) -> dict[str, int]:
        """Totals of the run so far (model units; ``SUMMARY_COLUMNS``): entrants who started, staff who retired and who
        left by the supply side's leaving, and the workforce employed now (the staff of the start and the entrants)."""
        flows = np.array(self._flows).sum(axis=0) if self._flows else np.zeros((len(FLOWS), N_PROFESSIONS), dtype=np.int64)
        totals = [int(v) for v in flows.sum(axis=1)]
        values = (*totals[:4], int(self.stocks(model)[0].sum()), *totals[4:], self.salary_sek)
        return dict(zip(SUMMARY_COLUMNS, values, strict=True))
