"""The lever seam: what every mobilisation lever declares and the hooks it has in a day.

A lever is one class in one module of ``sim/levers/``. It declares

- ``name``: its table under ``[levers]`` in a scenario (``None`` for the steps every run takes,
  such as opening COVID cohort wards);
- ``after``: for a lever passed by a user, the built-in lever it acts after (default: last);
- ``events``: its event tables (``Result.events``), each with its columns;
- ``indicators``: its columns of the run summary (``IndicatorSpec``), registered by ``sim.indicators``;
- ``icu_columns``: its columns of the daily ICU frame (region × day), which the recorder keeps for every lever, on
  or off (zeros when off), and the lever fills in ``record`` (``recorder.lever_icu[name][day]``);

and has hooks that ``MobilisationModel.step`` calls in the order of the registry
(``sim.levers.LEVERS``, shown as a table in ``docs/architecture.md``):

1. ``setup(model)``: once, after the world is built (choose staff, precompute queues);
2. ``adjust_demand(model, day)``: change today's census before required hours are computed;
3. ``act(model, day)``: decide where staff work today, in which role and for how many hours;
4. ``record(recorder, day, cost)``: add what the lever paid today (SEK per region and cost item,
   ``cost[:, recorder.cost_index[item]]`` for the items of ``sim.recorder.COST_ITEMS``) and
   anything else it records; it records only, it decides nothing (a run that records for statistics only,
   ``record="staff"``, skips it: a hook that changed the state would make such runs differ from whole ones without
   an error; ``tests/test_record.py`` holds them equal for every scenario file);
5. ``event_frames()``: its events as tidy frames, at the end of a run;
6. ``summary(days)``: its values of the run summary (its ``indicators``) over the first ``days`` days; the recorder
   gives the indicators of a lever that is off (not built) the value 0;

and, in runs with ``[supply]`` (issue #17), ``month(model, day)``: on the first day of each month, before the supply's
step, on daily and quiet days alike (the slow clock: reserves recruited, retention's leaving).

Levers act on the staff arrays with NumPy on small subsets; a lever's daily loop over its candidates (or its
regions, units, homes) that would take many small NumPy calls runs as a kernel of ``sim.kernels``, whose docstring
states the rule and whose test holds it to the NumPy code it replaced (issue #18). The per-staff daily dynamics stay
in the compiled core. A lever never imports the model: it is handed the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd

from sim import kernels
from sim.categories import ACTIVE, LEVELS, RESERVE

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder


def level_index(name: str) -> int:
    """Index of an escalation level name (normal 0, staffing_alert 1, crisis 2)."""
    return LEVELS.index(name)


def lever_on(model: MobilisationModel, start_level: str | int | np.ndarray, config: Any = None) -> np.ndarray:
    """Boolean per region: at or above ``start_level`` today, or inside the lever's national window.

    ``start_level`` is a level's name or index, or an array of level indices, one per region (a lever set per region).
    ``config.national_from`` / ``national_until`` mark a national decision that applies
    the lever in every region between those dates (both inclusive).
    """
    window = getattr(config, "national_from", None) is not None
    if window and config.national_from <= model.dates[model.day] <= config.national_until:
        return model.levels >= 0  # every region (one comparison: less than building the levels' answer and then ones)
    return model.levels >= (level_index(start_level) if isinstance(start_level, str) else start_level)


class IndicatorSpec(NamedTuple):
    """A summary indicator a lever declares; ``sim.indicators`` registers it with the others (see ``Indicator`` there).

    The recorder computes the column from what the lever records; ``shown`` says where it appears
    besides the run summary (``compare``, ``figures``, ``report``), ``priority`` its place among the figures' panels.
    """

    name: str
    title: str
    unit: str
    lower_is_better: bool | None
    description: str
    shown: tuple[str, ...] = ()
    priority: int | None = None


class Lever:
    """Base class: a lever that does nothing. Subclasses set the declarations and override the hooks they need.

    Args:
        config: the lever's scenario table (a pydantic model); built-in levers get theirs from the
            scenario, a user's lever may take anything.
    """

    name: ClassVar[str | None] = "lever"
    after: ClassVar[str | None] = None
    events: ClassVar[dict[str, tuple[str, ...]]] = {}
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = ()
    icu_columns: ClassVar[tuple[str, ...]] = ()
    #: A lever of the supply side over years (issue #17: it acts through ``[supply]`` at build): its indicators are
    #: summary columns only of runs with ``[supply]`` (a run without it has none, not zeros).
    supply_side: ClassVar[bool] = False

    def __init__(self, config: Any = None) -> None:
        self.cfg = config
        self.model: MobilisationModel | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # ------------------------------------------------------------------ hooks
    def setup(self, model: MobilisationModel) -> None:
        """Once, after the world and the agents are built."""
        self.model = model

    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        """Change ``model.census`` before required hours are computed."""

    def act(self, model: MobilisationModel, day: int) -> None:
        """Decide where staff work today."""

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        """Add today's costs (SEK, ``cost[region, recorder.cost_index[item]]``) and records."""

    def event_frames(self) -> dict[str, pd.DataFrame]:
        """The lever's events of the run, one frame per name of ``events``."""
        return {}

    def summary(self, days: int) -> dict[str, float]:
        """The lever's summary values (names of its ``indicators``) over the first ``days`` days of the run."""
        return {}

    def month(self, model: MobilisationModel, day: int) -> None:
        """The first day of a month in a run with ``[supply]``, before the supply's step (issue #17's slow clock).

        Called on quiet steps too (which skip ``act``), so what a lever does month by month over years goes on there.
        """

    def regroup(self, model: MobilisationModel) -> None:
        """Staff changed profession or home workplace (a specialist nurse graduated, issue #17): rebuild any set of staff
        the lever took by profession or home at ``setup``. Called by ``MobilisationModel.regroup_staff``."""

    def at_rest(self, model: MobilisationModel) -> bool:
        """Whether the lever holds nothing that the days ahead must carry on (issue #17's quiet path, ``[quiet]``).

        The quiet path steps over days without calling the levers' hooks; it starts only while every lever is at rest.
        The model checks what is visible on the staff arrays itself (postings, statuses, open ICU beds, escalation
        levels); a lever with state of its own (a declared agreement, a care debt, moved patients) says so here.
        """
        return True

    # ------------------------------------------------------------------ helpers
    def regions_on(self, start_level: str | None = None) -> np.ndarray:
        """Boolean per region: the lever acts there today (see ``lever_on``).

        With region tables (``[levers.<lever>.regions.<region>]``) each region's own ``enabled`` and ``start_level``
        count (a national window applies in the regions where the lever is enabled); without them this is
        ``lever_on`` at the national ``start_level``, as before issue #15.
        """
        assert self.model is not None, "setup(model) was not called"
        if start_level is not None:
            return lever_on(self.model, start_level, self.cfg)
        rule = self.__dict__.get("_on_rule")
        if rule is None:  # the levels and regions the lever's tables set, read at the first call (issue #18: most levers
            # ask every day, and a run's tables do not change)
            if getattr(self.cfg, "regions", None):
                rule = self._on_rule = (self.per_region_level(), self.per_region("enabled"))
            else:
                level = getattr(self.cfg, "start_level", "crisis")
                rule = self._on_rule = (level_index(level) if isinstance(level, str) else level, None)
        level, enabled = rule
        on = lever_on(self.model, level, self.cfg)
        return on if enabled is None else on & enabled

    def per_region(self, key: str) -> np.ndarray:
        """The value of the lever's key ``key`` in each region (length ``n_regions``, in core order): the national value
        where no region table (``[levers.<lever>.regions.<region>]``) sets it. Computed once and kept."""
        assert self.model is not None, "setup(model) was not called"
        cache = self.__dict__.setdefault("_per_region", {})
        if key not in cache:
            cfg = self.cfg
            codes = self.model.world.regions["code"]
            if getattr(cfg, "regions", None):
                values = [cfg.region_value(str(code), key) for code in codes]
            else:
                values = [getattr(cfg, key)] * len(codes)
            cache[key] = np.array(values)
        return cache[key]

    def per_region_level(self) -> np.ndarray:
        """Each region's ``start_level`` as a level index (``per_region("start_level")``)."""
        cache = self.__dict__.setdefault("_per_region", {})
        if "_level" not in cache:
            cache["_level"] = np.array([level_index(str(v)) for v in self.per_region("start_level")], dtype=np.int64)
        return cache["_level"]


def available(model: MobilisationModel, ids: np.ndarray, at_home: bool = True, reserve: bool = False) -> np.ndarray:
    """Boolean per staff member of ``ids``: free to be sent somewhere today.

    Free means not posted already and active (or, with ``reserve``, on standby in reserve, as the
    additional members of the national pool are); with ``at_home`` also still at their own workplace
    (not moved by an earlier lever today). Loans and the national pool select with it.
    """
    s = model.world.staff
    status = s.status[ids]
    ok = (status == ACTIVE) | ((status == RESERVE) & reserve)
    ok &= s.posting[ids] < 0
    if at_home:
        ok &= s.workplace[ids] == s.home[ids]
    return ok


def post(
    model: MobilisationModel,
    ids: np.ndarray,
    target: np.ndarray | int,
    until: int,
    kind: int,
    role: np.ndarray | int,
    effect: np.ndarray | float,
) -> None:
    """Post staff ``ids`` to workplace ``target`` until day ``until`` (a loan or a pool deployment).

    A posting overrides the daily placement (``kernels.reset_placement`` keeps them there) until it ends.
    ``effect`` is the posting's effectiveness relative to the person's own (1 for a like-for-like loan).
    """
    s = model.world.staff
    s.posting[ids] = target
    s.posting_until[ids] = until
    s.posting_kind[ids] = kind
    s.posting_role[ids] = role
    s.posting_effectiveness[ids] = effect
    s.workplace[ids] = target
    s.role[ids] = role


def cohorts_of(items: np.ndarray, cohorts: int) -> list[np.ndarray]:
    """``items`` split by rank into at most ``cohorts`` cohorts as equal as can be (item i in cohort ``i % cohorts``),
    each in its order: the cohorts of a loan or a pool arrival, whose lengths differ so that they end in steps."""
    cohort = np.arange(len(items)) % cohorts
    return [items[cohort == c] for c in range(min(cohorts, len(items)))]


def rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values of an array sorted by group (stable order kept)."""
    if groups.size == 0:
        return np.zeros(0, dtype=np.int64)
    if groups.dtype.kind == "i" or (groups.dtype.kind == "u" and groups.dtype.itemsize < 8):  # (uint64 - int is float in numba)
        lo, hi = int(groups.min()), int(groups.max())
        if hi - lo < 1 << 20:  # small integer codes (regions, professions): one counting pass
            return kernels.rank_in_groups(groups=groups, lo=lo, hi=hi)
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(g)) + 1])
    counts = np.diff(np.concatenate([starts, [g.size]]))
    rank_sorted = np.arange(g.size) - np.repeat(starts, counts)
    rank = np.empty(g.size, dtype=np.int64)
    rank[order] = rank_sorted
    return rank


def empty_events(columns: tuple[str, ...]) -> pd.DataFrame:
    """An event table with no rows (a lever that is off, or never acted)."""
    return pd.DataFrame(columns=list(columns))
