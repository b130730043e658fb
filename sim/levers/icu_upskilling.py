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
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from sim.categories import ACTIVE, ACUTE_WARD, ELECTIVE, ICU, ICU_NURSE, N_REGION_KINDS, PROFESSIONS, TRAINING
from sim.levers.base import IndicatorSpec, Lever, rank_within
from sim.schema import LeverConfig, Probability, WholeDays

if TYPE_CHECKING:
    from sim.model import MobilisationModel

ANAESTHESIA_NURSE = PROFESSIONS.index("anaesthesia_nurse")
REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")
ASSISTANT_NURSE = PROFESSIONS.index("assistant_nurse")


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
        self.regroup(model)
        ward = np.isin(kind, (ACUTE_WARD, ELECTIVE)) & workforce
        nurses = np.flatnonzero(((prof == ANAESTHESIA_NURSE) & workforce) | ((prof == REGISTERED_NURSE) & ward))
        priority = s.priority  # drawn anew on each read (StaffArrays.draws): once here
        # anaesthesia nurses first (fastest to train), then by the fixed priority
        nurses = nurses[np.lexsort((priority[nurses], prof[nurses] != ANAESTHESIA_NURSE, s.region[nurses]))]
        days = np.where(prof[nurses] == ANAESTHESIA_NURSE, cfg.anaesthesia_nurse_days, cfg.registered_nurse_days)
        effect = np.where(prof[nurses] == ANAESTHESIA_NURSE, cfg.anaesthesia_nurse_effectiveness, cfg.registered_nurse_effectiveness)
        self.groups = [self._group(model, nurses, days, effect)]
        if self.teams and cfg.assistant_nurse_days is not None:
            assistants = np.flatnonzero((prof == ASSISTANT_NURSE) & ward)
            assistants = assistants[np.lexsort((priority[assistants], s.region[assistants]))]
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
        s, ids = model.world.staff, g.ids
        have = np.bincount(g.region[g.started], minlength=model.world.n_regions)
        want = np.maximum(target - have, 0)
        if want.any():
            free = ~g.started & (s.status[ids] == ACTIVE) & (s.posting[ids] < 0)
            if free.any():
                pick = np.flatnonzero(free)
                pick = pick[rank_within(g.region[pick]) < want[g.region[pick]]]
                g.started[pick] = True
                s.status[ids[pick]] = TRAINING
                s.days_left[ids[pick]] = np.maximum(g.course_days[pick], 1)
                s.workplace[ids[pick]] = s.home[ids[pick]]

    def _act_teams(self, model: MobilisationModel) -> None:
        """With ICU teams: courses up to the forecast support need (while on); the trained work in the ICU, in their own
        profession, up to today's support need of its teams, first trained first (anaesthesia nurses before registered nurses)."""
        s = model.world.staff
        on = self.regions_on()
        if not on.any() and not any(s.trained[g.ids[g.started]].any() for g in self.groups):
            return
        icu = model.icu_ids
        ahead = np.maximum(model.forecast_icu_patients, model.census[icu])
        # the crisis agreement acts later today and sends those whose placement is over to rest: ICU nurses due to rest do
        # not count, and trained staff due to rest come last, so that others take their place today rather than tomorrow
        # (else the ICU dips for a day each time a cohort rests)
        agreement = model.lever("crisis_agreement")
        nurses = model.icu_capacity()[:, ICU_NURSE]
        if agreement is not None:  # with teams only ICU nurses (own, loaned, pool) work in the role icu_nurse
            ids = self.icu_nurses
            w = s.workplace[ids]
            leaving = agreement.due_to_rest(ids) & (s.role[ids] == ICU_NURSE) & (s.status[ids] == ACTIVE)
            leaving &= model.world.workplace_kind[w] == ICU
            hours = s.max_hours[ids[leaving]] * s.effectiveness[ids[leaving]]
            nurses = np.maximum(nurses - np.bincount(model.world.workplace_region[w[leaving]], weights=hours, minlength=icu.size), 0.0)
        # the teams' need ahead (courses) and today (who works), in one elementwise call: the same numbers as two
        support, assistants = model.icu_team_need(
            np.stack([ahead, model.census[icu]]), np.stack([model.forecast_icu_nurses, nurses / 24.0])
        )
        forecast, today = (support[0], assistants[0]), (support[1], assistants[1])
        for k, g in enumerate(self.groups):  # support nurses, then assistants
            heads = np.ceil(forecast[k] * 24.0 / g.mean_hours).astype(np.int64)
            self._start_courses(model, g, np.minimum(heads, g.max_trained) * on)
            started = np.flatnonzero(g.started)
            sid = g.ids[started]
            ready = s.trained[sid] & (s.status[sid] == ACTIVE) & (s.posting[sid] < 0)
            sid, region = sid[ready], g.region[started[ready]]
            due = agreement.due_to_rest(sid) if agreement is not None else np.zeros(sid.size, dtype=bool)
            order = np.lexsort((due, region))  # by region, those due to rest last, else in training order
            rank = np.empty(sid.size, dtype=np.int64)
            rank[order] = rank_within(region[order])
            need = np.ceil(today[k] * 24.0 / g.mean_hours).astype(np.int64)
            chosen = rank < need[region]
            sel = sid[chosen]
            if agreement is not None:  # placements over and not needed today: the agreement's rest now, others take the place
                agreement.rest_now(sid[due & ~chosen])
            s.workplace[sel] = s.region[sel].astype(np.int64) * N_REGION_KINDS + ICU
            s.role[sel] = s.profession[sel]
