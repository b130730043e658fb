"""ICU upskilling: short courses that let non-ICU staff support ICU care (``[levers.icu_upskilling]``).

Without team-based ICU staffing (no ``safety.icu_tiers``) trained nurses work in the ICU *as ICU nurses* at an
effectiveness, while their region is at ``start_level``. With teams (issue #14, item 2) they work in the ICU in their
own profession as *support nurses* in the teams of ``sim.teams`` (and, with ``assistant_nurse_days``, trained
assistant nurses as support assistants), as many as the region's ICU teams need today, whatever the region's level:
they stay while their ICU needs support and are released one by one, in the order they were trained, as that need
falls (no cliff when the region leaves crisis). Courses start only while the region is at ``start_level``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from sim import kernels
from sim.categories import ACTIVE, ACUTE_WARD, ELECTIVE, ICU, ICU_NURSE, N_REGION_KINDS, PROFESSIONS
from sim.levers.base import IndicatorSpec, Lever
from sim.schema import LeverConfig, Probability, WholeDays
from sim.world import priority_order

if TYPE_CHECKING:
    from sim.levers.crisis_agreement import CrisisAgreement
    from sim.model import MobilisationModel

ANAESTHESIA_NURSE = PROFESSIONS.index("anaesthesia_nurse")
REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")
ASSISTANT_NURSE = PROFESSIONS.index("assistant_nurse")
#: Without the crisis agreement nobody's placement is ever over (``kernels.icu_support_day``'s ``placement_days``).
NEVER_DUE = np.iinfo(np.int64).max


class IcuUpskillingConfig(LeverConfig):
    """ICU upskilling: short courses that let non-ICU nurses (and with ICU teams assistant nurses) support ICU care.

    Per region (``[levers.icu_upskilling.regions.<region>]``): ``enabled``, ``start_level`` (courses start, and without
    ICU teams the trained work in the ICU, only where the lever is on) and ``max_share``. Course lengths and
    effectiveness are national.
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "max_share")

    max_share: Probability = Field(
        description="largest share of a region's candidates trained (anaesthesia nurses, and registered nurses of acute wards and elective care; "
        "assistant nurses of those units counted apart)"
    )
    registered_nurse_days: WholeDays = Field(description="course length for registered nurses, days")
    anaesthesia_nurse_days: WholeDays = Field(description="course length for anaesthesia nurses, days")
    registered_nurse_effectiveness: Probability = Field(
        description="ICU care of a trained registered nurse, relative to an ICU nurse (without safety.icu_tiers only)"
    )
    anaesthesia_nurse_effectiveness: Probability = Field(
        description="ICU care of a trained anaesthesia nurse, relative to an ICU nurse (without safety.icu_tiers only; also the pool's)"
    )
    assistant_nurse_days: WholeDays | None = Field(
        None,
        description="course length for assistant nurses of acute wards and elective care trained as ICU support assistants, days "
        "(only with safety.icu_tiers; none: no assistant nurse is trained)",
    )


@dataclass
class _Group:
    """Candidates of one kind (nurses, or assistant nurses), in training order, and their fixed attributes."""

    ids: np.ndarray
    region: np.ndarray
    course_days: np.ndarray
    icu_effect: np.ndarray
    max_trained: np.ndarray
    mean_hours: float
    started: np.ndarray


class IcuUpskilling(Lever):
    """Non-ICU staff trained to support ICU care; they work in their region's ICU while it is escalated (without teams)
    or while its ICU teams need them (with ``safety.icu_tiers``)."""

    name = "icu_upskilling"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "upskilled_in_icu_peak",
            "ICU-upskilled staff in the ICU, peak",
            "staff",
            None,
            "most ICU-upskilled staff working in an ICU on one day (without ICU teams: nurses working as ICU nurses; "
            "with them: support nurses and assistants)",
        ),
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg = self.cfg
        world, s = model.world, model.world.staff
        workforce = np.zeros(len(s), dtype=np.bool_)  # the staff of the start and the supply's entrants (not recruits)
        workforce[s.workforce_rows()] = True
        kind = world.workplace_kind[s.home]
        prof = s.profession
        self.teams = model.tiers is not None
        self.icu_unit = np.arange(world.n_regions, dtype=np.int64) * N_REGION_KINDS + ICU  # each region's ICU
        self.regroup(model)
        ward = np.isin(kind, (ACUTE_WARD, ELECTIVE)) & workforce
        nurses = np.flatnonzero(((prof == ANAESTHESIA_NURSE) & workforce) | ((prof == REGISTERED_NURSE) & ward))
        priority = s.priority  # drawn anew on each read (StaffArrays.draws): once here
        # anaesthesia nurses first (fastest to train), then by the fixed priority
        nurses = nurses[priority_order(priority[nurses], prof[nurses] != ANAESTHESIA_NURSE, s.region[nurses])]
        days = np.where(prof[nurses] == ANAESTHESIA_NURSE, cfg.anaesthesia_nurse_days, cfg.registered_nurse_days)
        effect = np.where(prof[nurses] == ANAESTHESIA_NURSE, cfg.anaesthesia_nurse_effectiveness, cfg.registered_nurse_effectiveness)
        self.groups = [self._group(model, nurses, days, effect)]
        if self.teams and cfg.assistant_nurse_days is not None:
            assistants = np.flatnonzero((prof == ASSISTANT_NURSE) & ward)
            assistants = assistants[priority_order(priority[assistants], s.region[assistants])]
            days = np.full(assistants.size, cfg.assistant_nurse_days)
            self.groups.append(self._group(model, assistants, days, np.ones(assistants.size)))
        # kept by their old names (the nurses' group): read by tests and notebooks
        g = self.groups[0]
        self.candidates, self.max_trained, self.course_days, self.icu_effect = g.ids, g.max_trained, g.course_days, g.icu_effect
        self.started, self.region, self.mean_hours = g.started, g.region, g.mean_hours

    def regroup(self, model: MobilisationModel) -> None:
        """Everyone who may work in the role icu_nurse with teams: the ICU nurses, new specialists included."""
        self.icu_nurses = np.flatnonzero(model.world.staff.profession == ICU_NURSE)

    def _group(self, model: MobilisationModel, ids: np.ndarray, days: np.ndarray, effect: np.ndarray) -> _Group:
        s, n_reg = model.world.staff, model.world.n_regions
        region = s.region[ids]
        return _Group(
            ids=ids,
            region=region,
            course_days=days,
            icu_effect=effect,
            max_trained=np.floor(self.per_region("max_share") * np.bincount(region, minlength=n_reg)).astype(np.int64),
            mean_hours=float(np.mean(s.normal_max_hours_by_contract[s.contract[ids]])) if ids.size else 1.0,
            started=np.zeros(ids.shape[0], dtype=bool),
        )

    def act(self, model: MobilisationModel, day: int) -> None:
        if self.teams:
            self._act_teams(model)
            return
        s, g = model.world.staff, self.groups[0]
        ids = g.ids
        on = self.regions_on()
        if not on.any() and not s.trained[ids].any():
            return
        # start courses up to the forecast ICU nurse gap, at most max_share of the candidates
        gap_heads = np.ceil(model.forecast_icu_nurse_gap / g.mean_hours).astype(np.int64)
        self._start_courses(model, g, np.minimum(gap_heads, g.max_trained) * on)
        # the trained work in the ICU while their region is escalated (only those who started a course can be trained)
        started = np.flatnonzero(g.started)
        sid = ids[started]
        work = s.trained[sid] & (s.status[sid] == ACTIVE) & (s.posting[sid] < 0) & on[g.region[started]]
        sel = sid[work]
        s.workplace[sel] = s.region[sel].astype(np.int64) * N_REGION_KINDS + ICU
        s.role[sel] = ICU_NURSE
        s.effectiveness[sel] *= g.icu_effect[started[work]]

    def _start_courses(self, model: MobilisationModel, g: _Group, target: np.ndarray) -> None:
        """Start courses for the first free candidates of each region until ``target`` have started there."""
        s = model.world.staff
        kernels.start_icu_courses(
            ids=g.ids,
            region=g.region,
            started=g.started,
            course_days=g.course_days,
            target=target,
            status=s.status,
            posting=s.posting,
            days_left=s.days_left,
            workplace=s.workplace,
            home=s.home,
        )

    def _act_teams(self, model: MobilisationModel) -> None:
        """With ICU teams: courses up to the forecast support need (while on); the trained work in the ICU, in their own
        profession, up to today's support need of its teams, first trained first (anaesthesia nurses before registered nurses)."""
        s = model.world.staff
        on = self.regions_on()
        if not on.any() and not any(s.trained[g.ids[g.started]].any() for g in self.groups):
            return
        icu = model.icu_ids
        census = model.census[icu]
        # the crisis agreement acts later today and sends those whose placement is over to rest: ICU nurses due to rest do
        # not count, and trained staff due to rest come last, so that others take their place today rather than tomorrow
        # (else the ICU dips for a day each time a cohort rests)
        agreement = self.agreement
        nurses = model.icu_capacity()[:, ICU_NURSE]
        if agreement is not None:  # with teams only ICU nurses (own, loaned, pool) work in the role icu_nurse
            leaving = kernels.icu_nurses_leaving_hours(
                ids=self.icu_nurses,
                agreement_days=s.agreement_days,
                placement_days=agreement.placement_days,  # due_to_rest's rule
                role=s.role,
                status=s.status,
                workplace=s.workplace,
                workplace_kind=model.world.workplace_kind,
                workplace_region=model.world.workplace_region,
                max_hours=s.max_hours,
                effectiveness=s.effectiveness,
                icu_kind=ICU,
                icu_nurse=ICU_NURSE,
                n_regions=icu.size,
            )
            nurses = np.maximum(nurses - leaving, 0.0)
        # the teams' need ahead (courses) and today (who works), in one elementwise call: the same numbers as two
        patients, on_duty = np.empty((2, icu.size)), np.empty((2, icu.size))
        np.maximum(model.forecast_icu_patients, census, out=patients[0])
        patients[1], on_duty[0], on_duty[1] = census, model.forecast_icu_nurses, nurses / 24.0
        support, assistants = model.icu_team_need(patients, on_duty)
        # placements over and not needed today: the agreement's rest now (rest_now), others take the place
        placement_days, rest_days = (agreement.placement_days, agreement.cfg.rest_days) if agreement is not None else (NEVER_DUE, 0)
        for g, need in zip(self.groups, (support, assistants), strict=False):  # support nurses, then assistants (if trained)
            heads = np.ceil(need * 24.0 / g.mean_hours).astype(np.int64)  # in heads: ahead (row 0), today (row 1)
            # courses up to the heads ahead (while on), at most max_trained; then the trained work in the ICU, today's
            # heads of them by region, those due to rest last, else in training order
            kernels.icu_support_day(
                ids=g.ids,
                region=g.region,
                started=g.started,
                course_days=g.course_days,
                target=np.minimum(heads[0], g.max_trained) * on,
                need=heads[1],
                icu_unit=self.icu_unit,
                trained=s.trained,
                status=s.status,
                posting=s.posting,
                staff_region=s.region,
                profession=s.profession,
                workplace=s.workplace,
                role=s.role,
                days_left=s.days_left,
                home=s.home,
                agreement_days=s.agreement_days,
                agreement_rest=s.agreement_rest,
                placement_days=placement_days,
                rest_days=rest_days,
            )

    @cached_property
    def agreement(self) -> CrisisAgreement | None:
        """The run's crisis agreement (None if it is off), looked up on first use: the levers are set up before the model
        lists them."""
        return self.model.lever("crisis_agreement")
