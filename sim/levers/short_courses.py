"""Short courses and e-learning: faster onboarding, and competence kept between crises (``[levers.short_courses]``).

Issue #17, item 4: the next step for the rapidly trained. The lever changes what three other levers do, through their
own arrays, when it is set up after them (it does not change their code):

- ``icu_upskilling``: each candidate's course days times ``course_days_factor`` (at least a day: the theory as
  e-learning before the practical part), and, without ICU teams, a trained nurse's ICU effectiveness raised by
  ``icu_effectiveness_gain`` (at most 1);
- ``recruitment``: each recruit's onboarding days times ``onboarding_days_factor`` (at least a day where there was one);
- competence between crises: with ``competence_months`` > 0, what an ICU-upskilled nurse or a beredskapslyftet graduate
  learnt lapses that many months after they last used it (worked in the ICU; worked as a recruit), unless they are in
  the ``kept_share`` that takes a yearly refresher (drawn when their course ends). A lapsed ICU-upskilled nurse is no
  longer trained (and may take the course again); a lapsed graduate is back at their reservoir's effectiveness. With
  ``competence_months = 0`` nothing lapses, as without this lever.

Cost (SEK at the model's scale, in the summary only): ``cost_per_participant_sek`` for each ICU course started and each
recruit's onboarding, and ``refresher_cost_sek`` a year for each member of the kept share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import numpy as np
from pydantic import Field

from sim import kernels
from sim.categories import ACTIVE, ENTRANT, ICU, LEFT, TRAINING
from sim.levers.base import Lever
from sim.schema import CostSek, Probability, _Section, at_most

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

#: Summary columns of a run with the lever on (registered in ``sim.indicators``); a run without it has none.
SUMMARY_COLUMNS = ("short_course_participants", "short_course_competence_lapsed", "short_course_cost_sek")
DAYS_PER_MONTH = 365.25 / 12.0


class ShortCoursesConfig(_Section):
    """Short courses and e-learning for the rapidly trained: shorter ICU courses and onboarding, better ICU care of the
    upskilled, and competence kept between crises by a share that takes refreshers."""

    enabled: bool = False
    course_days_factor: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.5, description="multiplies icu_upskilling's course days (e-learning before the practical part; assumption)"
    )
    onboarding_days_factor: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        0.5, description="multiplies the recruitment lever's onboarding days (assumption)"
    )
    icu_effectiveness_gain: Probability = Field(
        0.1, description="added to an ICU-upskilled nurse's ICU effectiveness, at most 1 (without safety.icu_tiers; assumption)"
    )
    competence_months: Annotated[int, Field(ge=0), at_most(240, "months", "20 years")] = Field(
        12, description="months after its last use that a short course's competence lapses (0: never, as without this lever; assumption)"
    )
    kept_share: Probability = Field(
        0.5, description="share of the trained who take a yearly refresher and keep their competence (assumption)"
    )
    cost_per_participant_sek: CostSek = Field(
        3000.0, description="e-learning module per ICU course started or recruit onboarded, SEK (assumption)"
    )
    refresher_cost_sek: CostSek = Field(2000.0, description="a year's refresher for a member of the kept share, SEK (assumption)")


class ShortCourses(Lever):
    """Set up after ``icu_upskilling`` (and ``recruitment``, ``beredskapslyftet``): shortens their courses and onboarding;
    each day notes who used their competence and lapses what was not used for ``competence_months``."""

    name = "short_courses"

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        cfg, s = self.cfg, model.world.staff
        self.upskilling = model.lever("icu_upskilling")
        self.recruitment = model.lever("recruitment")
        self.lift = model.lever("beredskapslyftet")
        if self.upskilling is not None:
            for k, g in enumerate(self.upskilling.groups):
                g.course_days[:] = np.maximum(np.rint(g.course_days * cfg.course_days_factor), 1).astype(g.course_days.dtype)
                if k == 0 and not self.upskilling.teams:
                    g.icu_effect[:] = np.where(g.icu_effect < 1.0, np.minimum(g.icu_effect + cfg.icu_effectiveness_gain, 1.0), g.icu_effect)
        if self.recruitment is not None:
            days = self.recruitment.onboarding_days
            days[:] = np.where(days > 0, np.maximum(np.rint(days * cfg.onboarding_days_factor), 1), 0).astype(days.dtype)
        n = len(s)
        self.used_day = np.full(n, -1, dtype=np.int32)  # last day each trained person used the competence (-1: not trained)
        self.kept = np.zeros(n, dtype=bool)
        self.counted = np.zeros(n, dtype=bool)  # counted as a participant already
        self.participants = 0
        self.lapsed = 0
        self.cost_sek = 0.0
        self._last_recorded = -1
        # the recruits' effectiveness of their reservoirs, before a course raised it (beredskapslyftet)
        self.graduate_effect = (self.lift.recruits, s.base_effectiveness[self.lift.recruits].copy()) if self.lift is not None else None

    def act(self, model: MobilisationModel, day: int) -> None:
        s = model.world.staff
        new = []
        if self.upskilling is not None:  # courses started (status training) and the trained: used when in the ICU
            for g in self.upskilling.groups:
                ids = g.ids[g.started]
                new.append(ids[~self.counted[ids]])
                trained = ids[s.trained[ids] & (s.status[ids] != TRAINING)]
                self._note(model, day, trained, model.world.workplace_kind[s.workplace[trained]] == ICU)
        if self.recruitment is not None:
            ids = self.recruitment.recruits
            onboarding = ids[(s.status[ids] == TRAINING) & (self.recruitment.onboarding_days[ids] > 0)]
            new.append(onboarding[~self.counted[onboarding]])
        if self.lift is not None:  # graduates: used when at work
            ids = self.lift.recruits[self.lift.graduated]
            self._note(model, day, ids, s.status[ids] == ACTIVE)
        for ids in new:
            self.counted[ids] = True
            self.participants += ids.size
            self.cost_sek += ids.size * self.cfg.cost_per_participant_sek
        self._lapse(model, day)

    def month(self, model: MobilisationModel, day: int) -> None:
        self._lapse(model, day)  # on quiet steps too (multi-year runs with [supply])

    def _note(self, model: MobilisationModel, day: int, ids: np.ndarray, using: np.ndarray) -> None:
        """``ids`` hold the competence today; ``using``: they use it today. The newly trained join the kept share by a draw."""
        first = ids[self.used_day[ids] < 0]
        if first.size:
            key = np.uint64(kernels.day_key(seed=model.seed, day=day))
            u = kernels.uniforms(key=key, ids=first, event=kernels.EV_SHORT_COURSE_KEEP)
            self.kept[first] = u < self.cfg.kept_share
            self.used_day[first] = day
        self.used_day[ids[using]] = day

    def _lapse(self, model: MobilisationModel, day: int) -> None:
        months = self.cfg.competence_months
        if months <= 0:
            return
        s = model.world.staff
        old = np.flatnonzero((self.used_day >= 0) & ~self.kept & (day - self.used_day > months * DAYS_PER_MONTH))
        if old.size == 0:
            return
        old = old[(s.status[old] != TRAINING) & (s.posting[old] < 0) & (s.status[old] != LEFT) & (s.status[old] < ENTRANT)]
        self.used_day[old] = -1
        self.counted[old] = False
        self.lapsed += old.size
        if self.upskilling is not None:
            for g in self.upskilling.groups:
                hit = np.isin(g.ids, old) & g.started
                g.started[hit] = False
                s.trained[g.ids[hit]] = False
        if self.lift is not None and self.graduate_effect is not None:
            recruits, effect = self.graduate_effect
            hit = np.isin(recruits, old) & self.lift.graduated
            self.lift.graduated[hit] = False
            s.base_effectiveness[recruits[hit]] = effect[hit]

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        """The kept share's refreshers over the days since the last record (a quiet step records its last day only)."""
        days = day - self._last_recorded
        self._last_recorded = day
        status = recorder.model.world.staff.status
        at_hand = (status != LEFT) & (status < ENTRANT)  # who left or retired takes no more refreshers
        kept = int((self.kept & (self.used_day >= 0) & at_hand).sum())
        self.cost_sek += days * kept * self.cfg.refresher_cost_sek / 365.0

    def summary(self, days: int) -> dict[str, float]:
        return {
            "short_course_participants": int(self.participants),
            "short_course_competence_lapsed": int(self.lapsed),
            "short_course_cost_sek": float(self.cost_sek),
        }
