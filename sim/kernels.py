"""The compiled core: small, pure functions on arrays. No Mesa, no scenario objects.

Randomness is counter-based: every draw is a hash of (seed, day, index, event),
so a run gives the same numbers whatever the thread count or the order of the
loop, and two strategies run with the same seed share their random numbers
(common random numbers). The hash is SplitMix64's finaliser applied in a chain.

Integer codes of statuses come from ``sim.categories``, their one source: numba
reads a module-level int of the kernel's globals as a compile-time constant whether it is
written here or imported (the LLVM IR of ``tally_staff`` and ``count_supply`` is the same
either way), so there is no reason to copy them. The event keys of the random draws
(``EV_*``) belong to this core and are defined only here.

Calls are by keyword (numba's dispatchers check the names: a misspelt or missing argument is a
``TypeError``), and the scalar parameters of the large kernels travel in typed groups
(``FatigueParams``, ``InfectionParams``, ``AbsenceParams``, ``NursingHomeParams``): a group passed
in another's place fails to compile instead of running with shuffled numbers. Arrays are passed
one by one, not as a tuple of arrays: in a ``prange`` loop numba (0.68) silently drops writes to an
array reached through a named tuple (numba issues #5872, #7135, #10338), and groups are flat
(a named tuple inside one does not lower in a ``prange`` loop, numba #5703).
"""

from __future__ import annotations

import functools
import inspect
import operator
import types
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, get_type_hints

import numpy as np
from numba import njit, prange

from sim.categories import (
    ACTIVE,
    ENTRANT,
    LEFT,
    OFF_DUTY,
    PROFESSIONS,
    RESERVE,
    RETIREE,
    SICK_COVID,
    SICK_EXHAUSTION,
    SICK_OTHER,
    TRAINING,
)

REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")

#: Below this many rows a kernel over the staff runs on one thread (``Threaded``): waking numba's threads and splitting
#: the loop costs more than a small world's loop (issue #18: tally_staff at 10,000 staff took 131 µs serially against
#: 270 µs on 2 threads, ``benchmarks/README.md``).
THREADED_MIN_ROWS = 50_000


class Threaded:
    """A kernel over the staff compiled twice: with numba's threads (``parallel=True``, the ``prange`` loops split) and
    on one thread, and called as the first when argument ``rows`` has at least ``THREADED_MIN_ROWS`` rows.

    Both give the same results bit for bit: every threaded kernel's results do not depend on the thread count
    (counter-based draws, per-group sums in id order; ``tests/test_kernels.py``). The serial twin is a copy of the
    function under its own qualified name, so that numba's cache keeps the two compilations apart.
    """

    def __init__(self, fn: Callable[..., Any], rows: str) -> None:
        functools.update_wrapper(self, fn)
        self.py_func = fn
        self.rows = rows
        self._position = list(inspect.signature(fn).parameters).index(rows)
        self.threaded = njit(cache=True, parallel=True)(fn)
        twin = types.FunctionType(fn.__code__, fn.__globals__, f"{fn.__name__}_serial", fn.__defaults__, fn.__closure__)
        twin.__qualname__, twin.__kwdefaults__ = f"{fn.__qualname__}_serial", fn.__kwdefaults__
        twin.__doc__ = fn.__doc__
        self.serial = njit(cache=True)(twin)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        rows = kwargs[self.rows] if self.rows in kwargs else args[self._position]
        return (self.threaded if rows.shape[0] >= THREADED_MIN_ROWS else self.serial)(*args, **kwargs)

    @property
    def dispatchers(self) -> tuple[Any, Any]:
        """The threaded and the serial compilation (numba dispatchers: ``stats``, ``signatures`` …)."""
        return self.threaded, self.serial


def threaded(rows: str) -> Callable[[Callable[..., Any]], Threaded]:
    """Decorator: ``Threaded(fn, rows)``."""
    return lambda fn: Threaded(fn, rows)


# dtypes of the state arrays, set once
F = np.float64
I32 = np.int32
I8 = np.int8
#: the staff's continuous state (fatigue, fatigue_sustained, hours_worked, max_hours, effectiveness, and the tables
#: of the lookups posting_effectiveness and hygiene, sim.lookup); the kernels read it as float64 and compute in
#: float64, rounding once when they store. float64 for now: float32 (56 bytes per person instead of 76) changes results
#: in the last bits, is docked against float64 in tests/test_docking_float32.py (statistically the same), and becomes
#: the default once the README's and docs' tables are regenerated with it (issue #18)
FS = np.float64
#: staff's workplace ids (``home``, ``workplace``, ``posting``, the model's ``worked_at``): int16 (issue #18), so
#: ``build_world`` refuses a world of ``MAX_WORKPLACES`` workplaces or more (Sweden at scale 1 has about 2,200; the
#: benchmarks' synthetic 3× country about 5,600)
WP = np.int16
MAX_WORKPLACES = int(np.iinfo(WP).max)
#: staff's day counters (``days_left``, ``infected_day``, ``posting_until``, ``agreement_days``, ``agreement_declared``,
#: ``last_other_home_day``): int16 (issue #18), so a run is at most ``MAX_RUN_DAYS`` days (about 27 years: room left for
#: a posting's end day after the last day) and a spell at most ``MAX_DAY`` days long (``geometric_days``)
DAY = np.int16
MAX_DAY = int(np.iinfo(DAY).max)
MAX_RUN_DAYS = 10_000
#: ``last_other_home_day`` of someone who never worked at another home: long enough ago for any "lately"
NEVER_DAY = int(np.iinfo(DAY).min)
#: staff's (region, employer, profession) tally group (``World.tally_group``): a few hundred groups
GROUP = np.int16

# event keys of the random draws
EV_INFECT = 1
EV_SYMPTOMATIC = 2
EV_OTHER = 3
EV_OTHER_DAYS = 4
EV_EXHAUSTION = 5
EV_EXHAUSTION_DAYS = 6
EV_LEAVE = 7
EV_COVID_DAYS = 8
EV_COVID_LONG = 9
EV_SEED = 10
EV_SWITCH = 11
EV_SWITCH_WHERE = 12
EV_INIT_SICK = 13
EV_INIT_DAYS = 14
EV_COHORT = 15  # the crisis agreement's roster cohort (drawn once, on the layout seed)
EV_RESIDENT_INFECT = 1_000  # + resident index
EV_RESIDENT_RECOVER = 1_000_000  # + resident index
EV_CLIENT_SEED = 16  # home care: the clients an infectious staff member infects on today's visits (staff stream)
EV_CLIENT_COMMUNITY = 10_000_000  # home care: clients infected in the community (municipality stream; + client index)
EV_CLIENT_RESOLVE = 20_000_000  # home care: infected clients whose infection ends today (+ client index)
EV_CLIENT_DEATH = 30_000_000  # home care: of those, the clients who die (+ client index)
# quiet path (issue #17), a staff member's k-th candidate event of a quiet step: + 3k its day, + 3k + 1 which event it
# is (ordinary sick leave, exhaustion, leaving, or none), + 3k + 2 the length of the sick spell it starts
EV_QUIET = 40_000_000
EV_RESIDENT_DEATH = 2_000_000  # + resident index
EV_RESIDENT_ASSESS = 3_000_000  # + resident index
EV_RETIRE = 17  # supply over years (issue #17): a member of the workforce retires this month (staff stream, first day of a month)
EV_SUPPLY_LEAVE = 18  # supply over years: a member of the workforce leaves the profession this month (baseline leaving)
# reserves (issue #17, sim/levers/reserves.py; monthly, staff stream): a retiree or part-timer joins the roster, a member
# leaves it (attrition), a member due for a refresher attends it
EV_RESERVE_JOIN = 171
EV_RESERVE_ATTRITION = 172
EV_RESERVE_REFRESH = 173
EV_SHORT_COURSE_KEEP = 174  # short courses (sim/levers/short_courses.py): one who completed a course joins the kept share


# --------------------------------------------------------------------------- parameter groups
# Flat typed records of scalars, built by the model once a run (or once a day where a lever
# changes a value). numba types each as a record of its fields' types and hands a record to a
# ``prange`` loop's threads as its separate scalars, so a field reads as a scalar argument did.
# Measured against the scalar arguments (full-scale second-wave year, three interleaved runs each
# on the shared 2-core machine): advance_staff 1.41-1.56 s a year against 1.34-1.77 s; a call
# with records costs about 1 µs more to dispatch; a cold start (empty numba cache, scale 0.02)
# 21.5 and 27.0 s against 21.0 and 27.9 s.
# ``make_params`` converts every value to its field's type, so that a scenario's ``1`` and ``1.0``
# give the same compiled signature.


P = TypeVar("P", bound=tuple)


class FatigueParams(NamedTuple):
    """Work strain and fatigue of staff (docs/ODD.md submodel 5), today's recovery factor applied."""

    reference_hours: float  # hours of a normal working day: strain = hours / reference_hours · intensity · pressure
    rise: float  # fatigue gained per day per unit of strain above the threshold (times 1 - fatigue)
    recovery: float  # share of fatigue shed per day at work
    off_work_recovery: float  # share of fatigue shed per day off work
    threshold: float  # strain below which work adds no fatigue
    sustained_rate: float  # weight of today in the sustained fatigue, 1 / sustained_days


class InfectionParams(NamedTuple):
    """Infection of staff and COVID sick leave (submodel 6)."""

    community_rate: float  # daily infection hazard per unit of community prevalence
    symptomatic_share: float  # share of infections with symptoms (only they go off sick)
    onset_days: int  # days from infection to a symptomatic staff member's sick leave
    covid_mean_days: float  # mean length of a COVID sick spell
    long_share: float  # share of COVID sick spells that are long
    long_mean_days: float  # mean length of a long spell


class AbsenceParams(NamedTuple):
    """Ordinary and exhaustion sick leave, and leaving the profession (submodel 7), today's leave factor applied."""

    other_mean_days: float  # mean length of an ordinary sick spell
    exhaustion_rate: float  # daily hazard of exhaustion sick leave at fatigue 1
    exhaustion_power: float  # the hazard is exhaustion_rate · fatigue ** exhaustion_power
    exhaustion_mean_days: float  # mean length of an exhaustion sick spell
    leave_base_rate: float  # daily hazard of leaving without sustained fatigue above the threshold
    leave_fatigue_rate: float  # added daily hazard per unit of sustained fatigue above the threshold
    leave_threshold: float  # sustained fatigue above which leaving becomes likelier


class NursingHomeParams(NamedTuple):
    """Residents' infection in nursing homes (submodel 18)."""

    infectious_days: int  # days from infection during which a staff member at work infects residents
    seed_rate: float  # probability that an infectious staff member at work in a home infects a resident
    recovery_probability: float  # daily probability that an infected resident recovers, 1 / resident_recovery_days


class HomeCareParams(NamedTuple):
    """Home-care clients' infection and outcomes (submodel 8a)."""

    infectious_days: int  # days from infection during which a staff member at work infects clients
    staff_to_client: float  # chance that an infectious staff member infects a susceptible client on one visit
    resolve_probability: float  # daily probability that an infected client's infection ends, 1 / recovery_days


class ResidentParams(NamedTuple):
    """Residents' outcomes in nursing homes (submodel 18): death or recovery, and a physician's assessment."""

    death_probability: float  # daily death probability of an infected resident without assessment, full care, normal delegation
    assessed_death_factor: float  # multiplies the death hazard of an assessed resident


def make_params(group: type[P], **values: float) -> P:
    """A parameter group from keyword values, each converted to its field's type.

    ``float`` fields take any real number; ``int`` fields only whole numbers (``operator.index``:
    5 or ``np.int64(5)``, never 5.5 truncated). Missing or unknown names raise ``TypeError``, as
    the group's own constructor does.
    """
    convert = _converters(group)
    return group(**{name: convert[name](value) if name in convert else value for name, value in values.items()})


@functools.cache
def _converters(group: type) -> dict[str, Callable[[Any], Any]]:
    """Each field's conversion, read once per group (``get_type_hints`` costs 10 µs a call; a group is built daily)."""
    return {name: {float: float, int: operator.index}[hint] for name, hint in get_type_hints(group).items()}


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective 64-bit hash."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def day_key(seed: int, day: int) -> np.uint64:
    """Key of one day of one run; every draw of that day derives from it."""
    k = mix64(np.uint64(seed) + _GOLDEN)
    return mix64(k ^ (np.uint64(day + 1_000_000) * _GOLDEN))


@njit(cache=True, inline="always")
def stream(key: np.uint64, idx: int) -> np.uint64:
    """Key of one index's draws on one day: ``draw(stream(key, i), event) == uniform(key, i, event)``."""
    return mix64(key ^ (np.uint64(idx) * _GOLDEN))


@njit(cache=True, inline="always")
def draw(stream_key: np.uint64, event: int) -> float:
    """A U[0, 1) draw for one event of an index's stream (one hash instead of two)."""
    h = mix64(np.uint64(stream_key) + np.uint64(event) * _M2)
    return float(h >> _S11) * _TO_UNIT


@njit(cache=True, inline="always")
def uniform(key: np.uint64, idx: int, event: int) -> float:
    """A U[0, 1) draw for (day key, index, event)."""
    return draw(stream(key, idx), event)


@njit(cache=True)
def uniforms(key: np.uint64, ids: np.ndarray, event: int) -> np.ndarray:
    """U[0, 1) draws for (day key, each index of ``ids``, event): ``uniform(key, ids[j], event)`` for every j."""
    out = np.empty(ids.shape[0])
    for j in range(ids.shape[0]):
        out[j] = uniform(key, ids[j], event)
    return out


@njit(cache=True, inline="always")
def geometric_days(u: float, mean: float) -> int:
    """Length (>= 1 day) of a spell with the given mean, from a uniform draw; at most ``MAX_DAY`` (the day counters'
    int16: reached only with a mean of about 900 days or more)."""
    if mean <= 1.0:
        return 1
    p = 1.0 / mean
    return min(1 + int(np.log(1.0 - u) / np.log(1.0 - p)), MAX_DAY)


@njit(cache=True, inline="always")
def hazard_to_probability(rate: float) -> float:
    """Probability of at least one event in a day at a constant daily hazard."""
    return 1.0 - np.exp(-rate)


# 1 - exp(-x) <= x, and the computed value exceeds x by at most a few 1e-16: a draw at or above
# x + HAZARD_SLACK cannot fall below the probability, so its exponential need not be computed.
HAZARD_SLACK = 1e-12


@njit(cache=True, inline="always")
def exhausted(u: float, f: float, rate: float, power: float) -> bool:
    """Exhaustion sick leave at daily hazard ``rate · f**power``: ``u < 1 - exp(-rate · f**power)``.

    With ``f`` in [0, 1] the hazard is at most ``rate``, so a draw above ``rate`` decides
    without the power and the exponential (the same answer, bit for bit).
    """
    if u >= rate + HAZARD_SLACK:
        return False
    return u < hazard_to_probability(rate * f**power)


@njit(cache=True, inline="always")
def fatigue_step(f: float, strain: float, rise: float, recovery: float, threshold: float) -> float:
    """One day of fatigue: rises with strain above a threshold, recovers with rest; stays in [0, 1]."""
    excess = strain - threshold
    if excess < 0.0:
        excess = 0.0
    f = f + rise * excess * (1.0 - f) - recovery * f
    if f < 0.0:
        return 0.0
    if f > 1.0:
        return 1.0
    return f


@njit(cache=True, inline="always")
def fatigued_degree(f: float, threshold: float) -> float:
    """How far fatigue ``f`` lies above ``threshold``, from 0 (at or below it) to 1 (at fatigue 1)."""
    if f <= threshold:  # also every f when threshold = 1: no division by zero
        return 0.0
    return (f - threshold) / (1.0 - threshold)


@njit(cache=True, inline="always")
def capacity_factor(f: float, threshold: float, loss: float) -> float:
    """Share of the hours above the contracted ones a person at fatigue ``f`` can still be asked to work.

    1 at or below ``threshold``, falling linearly to ``1 - loss`` at fatigue 1 (docs/ODD.md submodel 5a).
    """
    return 1.0 - loss * fatigued_degree(f, threshold)


@njit(cache=True, inline="always")
def error_excess_odds(f: float, threshold: float, log_odds_ratio: float) -> float:
    """Excess odds of an error in an hour of care given at fatigue ``f``: ``odds_ratio ** degree − 1`` (0 at or below the threshold)."""
    d = fatigued_degree(f, threshold)
    if d <= 0.0:
        return 0.0
    return np.exp(log_odds_ratio * d) - 1.0


@njit(cache=True, inline="always")
def capped_hours(b: float, m: float, f: float, threshold: float, loss: float) -> float:
    """Most hours ``m`` of a person with contracted hours ``b`` at fatigue ``f``: ``b + (m − b) · capacity_factor(f)``.

    Only when something is lost (``loss`` > 0, ``f`` above the threshold, ``m`` > ``b``); otherwise ``m`` itself, bit for bit.
    """
    if loss <= 0.0 or f <= threshold or m <= b:
        return m
    return b + (m - b) * capacity_factor(f, threshold, loss)


#: Columns of ``cap_hours_by_fatigue``'s sums by (workplace, role).
CUT, FATIGUED_BASE, FATIGUED_EXTRA, EXCESS_BASE, EXCESS_EXTRA = 0, 1, 2, 3, 4


@njit(cache=True, inline="always")
def _cap_one(
    i: int,
    w: int,
    p: int,
    f: float,
    b: float,
    m: float,
    effectiveness: np.ndarray,
    threshold: float,
    loss: float,
    log_odds_ratio: float,
    acc: np.ndarray,
) -> float:
    """One fatigued active person's most hours ``m`` after the cut, their sums added to ``acc`` (``cap_hours_by_fatigue``)."""
    capped = capped_hours(b, m, f, threshold, loss)
    e = error_excess_odds(f, threshold, log_odds_ratio)
    acc[w, p, CUT] += (m - capped) * np.float64(effectiveness[i])
    acc[w, p, FATIGUED_BASE] += b
    acc[w, p, FATIGUED_EXTRA] += capped - b
    acc[w, p, EXCESS_BASE] += b * e
    acc[w, p, EXCESS_EXTRA] += (capped - b) * e
    return capped


@njit(cache=True)
def cap_hours_by_fatigue(
    status: np.ndarray,
    fatigue: np.ndarray,
    workplace: np.ndarray,
    role: np.ndarray,
    effectiveness: np.ndarray,
    contract: np.ndarray,
    base_hours_by_contract: np.ndarray,
    max_hours: np.ndarray,
    threshold: float,
    loss: float,
    log_odds_ratio: float,
    n_workplaces: int,
    n_professions: int,
) -> np.ndarray:
    """Fatigue lowers the hours a person can be asked to work (docs/ODD.md submodel 5a), in place: ``max_hours ← capped_hours``.

    For active staff above ``threshold``; contracted hours are never cut (a person who cannot work them is on
    exhaustion sick leave). Returns sums by (workplace, role), columns ``CUT``: the effective hours cut (times
    effectiveness); and over the fatigued staff there, from which the hours phase reads their care once it knows each
    (workplace, role)'s share x of extra hours (a person works ``b + (m − b) · x``): ``FATIGUED_BASE`` Σ b,
    ``FATIGUED_EXTRA`` Σ (m − b) after the cut, ``EXCESS_BASE`` Σ b · e and ``EXCESS_EXTRA`` Σ (m − b) · e, with e
    the excess error odds of their fatigue (``error_excess_odds``). The hours phase does this inside ``count_supply``'s
    pass (its ``cap_threshold``); this kernel alone serves tests and what reads the cut by itself.
    """
    acc = np.zeros((n_workplaces, n_professions, 5), dtype=F)
    for i in range(status.shape[0]):
        f = np.float64(fatigue[i])
        if f <= threshold or status[i] != ACTIVE:  # the rare condition first: most staff are not fatigued
            continue
        w, p, b = workplace[i], role[i], base_hours_by_contract[contract[i]]
        max_hours[i] = _cap_one(i, w, p, f, b, np.float64(max_hours[i]), effectiveness, threshold, loss, log_odds_ratio, acc)
    return acc


@njit(cache=True)
def fatigue_equilibrium(strain: np.ndarray, rise: float, recovery: float, threshold: float) -> np.ndarray:
    """Fatigue at which a constant strain neither adds nor sheds fatigue."""
    out = np.empty(strain.shape[0], dtype=F)
    for i in range(strain.shape[0]):
        excess = max(strain[i] - threshold, 0.0)
        gain = rise * excess
        out[i] = gain / (gain + recovery) if gain + recovery > 0.0 else 0.0
    return out


@njit(cache=True)
def init_absence(
    seed: int,
    status: np.ndarray,
    days_left: np.ndarray,
    sick_share: np.ndarray,
    mean_days: float,
) -> None:
    """Start a run in steady state: each staff member is off sick with their baseline share."""
    key = day_key(seed, np.int64(-1))
    for i in range(status.shape[0]):
        if uniform(key, i, EV_INIT_SICK) < sick_share[i]:
            status[i] = SICK_OTHER
            days_left[i] = geometric_days(uniform(key, i, EV_INIT_DAYS), mean_days)


@njit(cache=True)  # one thread at every size: on 2 cores its threaded twin took 1.0-4.2 ms a full-scale day, this 0.35-0.49
def reset_placement(
    day: int,
    status: np.ndarray,
    days_left: np.ndarray,
    home: np.ndarray,
    profession: np.ndarray,
    posting: np.ndarray,
    posting_until: np.ndarray,
    posting_kind: np.ndarray,
    posting_role: np.ndarray,
    posting_effectiveness_code: np.ndarray,
    posting_effectiveness_table: np.ndarray,
    rest_after: np.ndarray,
    workplace: np.ndarray,
    role: np.ndarray,
    effectiveness: np.ndarray,
    base_effectiveness_code: np.ndarray,
    base_effectiveness_table: np.ndarray,
    max_hours: np.ndarray,
    contract: np.ndarray,
    normal_max_hours_by_contract: np.ndarray,
) -> None:
    """Start of a day: end postings that are over, then everyone at home or at their posting, normal hours.

    A posting (loan, pool deployment) that ends sends an active staff member home,
    off duty for ``rest_after[posting_kind]`` days. A posted staff member works in
    the posting's role at ``posting_effectiveness`` times their own (``base_effectiveness``; both ``sim.lookup``: a code
    per person into a table of the values). Levers then move staff from here.
    """
    for i in range(status.shape[0]):  # each staff member's own row only
        if posting[i] >= 0 and day >= posting_until[i]:
            rest = rest_after[posting_kind[i]]
            posting[i] = -1
            posting_kind[i] = 0
            if status[i] == ACTIVE and rest > 0:
                status[i] = OFF_DUTY
                days_left[i] = rest
        if posting[i] >= 0 and status[i] == ACTIVE:  # a posted staff member off sick stays home
            workplace[i] = posting[i]
            role[i] = posting_role[i]
            # one rounding to the state's dtype
            effectiveness[i] = base_effectiveness_table[base_effectiveness_code[i]] * np.float64(
                posting_effectiveness_table[posting_effectiveness_code[i]]
            )
        else:
            effectiveness[i] = base_effectiveness_table[base_effectiveness_code[i]]
            workplace[i] = home[i]
            role[i] = profession[i]
        max_hours[i] = normal_max_hours_by_contract[contract[i]]


@njit(cache=True, inline="always")
def _free(i: int, status: np.ndarray, posting: np.ndarray, workplace: np.ndarray, home: np.ndarray) -> bool:
    """Staff member ``i`` is free to be sent today: active, not posted, still at home (``levers.base.available``'s rule,
    for the kernels that pick staff one by one).

    Nested tests, not ``return a and b and c``: numba compiles a returned ``and`` chain to code that made
    ``deploy_by_priority``'s count four times slower (2.1 against 0.45 ms over the full-scale acute queue, issue #18)."""
    if status[i] != ACTIVE:
        return False
    if posting[i] >= 0:
        return False
    return workplace[i] == home[i]


@njit(cache=True)
def deploy_by_priority(
    order: np.ndarray,
    group_start: np.ndarray,
    members: np.ndarray,
    member_group: np.ndarray,
    order_member: np.ndarray,
    share: np.ndarray,
    limit: np.ndarray,
    target: np.ndarray,
    target_role: np.ndarray,
    target_effectiveness: np.ndarray,
    status: np.ndarray,
    home: np.ndarray,
    posting: np.ndarray,
    workplace: np.ndarray,
    role: np.ndarray,
    effectiveness: np.ndarray,
) -> None:
    """Send a share of each group's available staff to the group's target workplace.

    Groups are runs of ``order`` (staff ids sorted by a fixed random priority):
    group g is ``order[group_start[g]:group_start[g + 1]]``; ``members`` are the same staff in id
    order, ``member_group`` their groups and ``order_member`` the place in ``members`` of each entry of ``order``
    (``sim.world.Queue``). Available means
    active, not posted elsewhere and still at home today. The first
    ``round(share[g] · available)``, at most ``limit[g]`` (-1: no limit), go to ``target[g]`` in role
    ``target_role[g]`` (-1: their own) with effectiveness multiplied by
    ``target_effectiveness[g]``. Staff keep their place in the queue from day
    to day, so the same people are deployed while the share holds.
    """
    # available staff of each group: counted in id order, through the staff arrays in memory order; who is free is
    # marked, so that the walk in priority order below reads one byte per person rather than four staff arrays at random
    # (a person's freedom depends on their own entries only, and each is in the queue once: the marks hold)
    available = np.zeros(group_start.shape[0] - 1, dtype=np.int64)
    free = np.zeros(members.shape[0], dtype=np.bool_)
    for j in range(members.shape[0]):
        g = member_group[j]
        if share[g] > 0.0:
            i = members[j]
            if _free(i, status, posting, workplace, home):
                free[j] = True
                available[g] += 1
    for g in range(group_start.shape[0] - 1):
        if share[g] <= 0.0:
            continue
        lo, hi = group_start[g], group_start[g + 1]
        k = int(share[g] * available[g] + 0.5)
        if 0 <= limit[g] < k:
            k = limit[g]
        for j in range(lo, hi):
            if k <= 0:
                break
            if free[order_member[j]]:
                i = order[j]
                workplace[i] = target[g]
                if target_role[g] >= 0:
                    role[i] = target_role[g]
                effectiveness[i] *= target_effectiveness[g]
                k -= 1


@njit(cache=True)
def place_hourly_staff(
    key: np.uint64,
    staff_ids: np.ndarray,
    home: np.ndarray,
    workplace: np.ndarray,
    status: np.ndarray,
    region: np.ndarray,
    municipality_of: np.ndarray,
    muni_home_start: np.ndarray,
    muni_homes: np.ndarray,
    other_home_share: np.ndarray,
    day: int,
    last_other_home_day: np.ndarray,
) -> None:
    """Hourly nursing-home staff work some days at another home of their municipality.

    ``last_other_home_day`` keeps the last day each worker spent at another
    home, from which "worked in several homes lately" is read.
    """
    for j in range(staff_ids.shape[0]):
        i = staff_ids[j]
        if workplace[i] != home[i]:
            continue
        share = other_home_share[region[i]]
        if status[i] == ACTIVE and share > 0.0:
            m = municipality_of[home[i]]
            lo, hi = muni_home_start[m], muni_home_start[m + 1]
            rng = stream(key, i)
            if hi - lo > 1 and draw(rng, EV_SWITCH) < share:
                pick = lo + int(draw(rng, EV_SWITCH_WHERE) * (hi - lo - 1))
                if muni_homes[pick] >= home[i]:
                    pick += 1  # skip the own home: homes are sorted within a municipality
                workplace[i] = muni_homes[pick]
                last_other_home_day[i] = day


@njit(cache=True)
def count_supply(
    status: np.ndarray,
    workplace: np.ndarray,
    role: np.ndarray,
    effectiveness: np.ndarray,
    contract: np.ndarray,
    base_hours_by_contract: np.ndarray,
    max_hours: np.ndarray,
    n_workplaces: int,
    n_professions: int,
    fatigue: np.ndarray,
    cap_threshold: float,
    cap_loss: float,
    log_odds_ratio: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per (workplace, role): active head count, contracted and most possible hours, raw and effective; first, in the
    same pass, fatigue's cut of each fatigued person's most hours (``cap_hours_by_fatigue``, submodel 5a).

    Effective hours weigh each person's hours by their effectiveness in the role
    (a ICU-upskilled nurse in the ICU supplies a fraction of an ICU nurse's care). Active staff with fatigue above
    ``cap_threshold`` (``np.inf``: nobody) have ``max_hours`` cut in place before they are counted; the sixth array
    holds ``cap_hours_by_fatigue``'s sums by (workplace, role), the same numbers as that kernel's (one pass over the
    staff instead of two, issue #18).
    """
    # the five sums of one (workplace, role) side by side: one cache line per staff member instead of five
    # and, while consecutive staff share a (workplace, role), as they mostly do, the sums stay in registers
    acc = np.zeros((n_workplaces, n_professions, 5), dtype=F)
    fatigued = np.zeros((n_workplaces if cap_threshold < np.inf else 0, n_professions, 5), dtype=F)  # none cut: empty
    cw, cp = 0, 0
    s0, s1, s2, s3, s4 = 0.0, 0.0, 0.0, 0.0, 0.0
    for i in range(status.shape[0]):
        if status[i] == ACTIVE:
            w, p, e, b = workplace[i], role[i], np.float64(effectiveness[i]), base_hours_by_contract[contract[i]]
            f = np.float64(fatigue[i])
            if f > cap_threshold:  # the state's dtype holds the cut hours: count what it holds
                max_hours[i] = _cap_one(
                    i, w, p, f, b, np.float64(max_hours[i]), effectiveness, cap_threshold, cap_loss, log_odds_ratio, fatigued
                )
            m = np.float64(max_hours[i])
            if w != cw or p != cp:
                acc[cw, cp, 0], acc[cw, cp, 1], acc[cw, cp, 2], acc[cw, cp, 3], acc[cw, cp, 4] = s0, s1, s2, s3, s4
                cw, cp = w, p
                s0, s1, s2, s3, s4 = acc[w, p, 0], acc[w, p, 1], acc[w, p, 2], acc[w, p, 3], acc[w, p, 4]
            s0 += 1.0
            s1 += b
            s2 += m
            s3 += b * e
            s4 += m * e
    acc[cw, cp, 0], acc[cw, cp, 1], acc[cw, cp, 2], acc[cw, cp, 3], acc[cw, cp, 4] = s0, s1, s2, s3, s4
    return acc[:, :, 0].copy(), acc[:, :, 1].copy(), acc[:, :, 2].copy(), acc[:, :, 3].copy(), acc[:, :, 4].copy(), fatigued


@njit(cache=True, inline="always", error_model="numpy")
def _power(x: float, exponent: float) -> float:
    """``x ** exponent`` as NumPy computes an array to a Python float's power: its shortcuts for the exponents 2, 0.5, 1,
    0 and -1 (a square, a square root, a copy, ones, a reciprocal), else libm's ``pow``, as NumPy's scalar loop calls
    it (on a CPU with AVX-512 NumPy may use a SIMD power of its own, which can differ in the last bit; this does not)."""
    if exponent == 2.0:
        return x * x
    if exponent == 0.5:
        return np.sqrt(x)
    if exponent == 1.0:
        return x
    if exponent == 0.0:
        return 1.0
    if exponent == -1.0:
        return 1.0 / x
    return x**exponent


@njit(cache=True, error_model="numpy")  # NumPy's division: 1 / 0 is inf, not an exception, as in the calls it replaces
def work_conditions(
    required: np.ndarray,
    base: np.ndarray,
    cap: np.ndarray,
    base_eff: np.ndarray,
    cap_eff: np.ndarray,
    fatigued: np.ndarray,
    icu_ids: np.ndarray,
    pressure_exponent: float,
    max_pressure: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The hours phase's conditions by (workplace, role) from the day's count (``count_supply``), in one pass instead of
    about twenty NumPy calls (issue #18); the same operations on each element as those calls, so the same bits (a tie
    of +0.0 and −0.0 aside, where NumPy's clip picks either zero depending on its loop; the model has none: every
    scenario file gives the same results as before, ``benchmarks/README.md``).

    Worked effective hours are the required ones clipped to [contracted, most]; returns the share of the extra hours
    worked (0 where there is no headroom), the supplied hours (worked, at most required), the pressure
    (``clip((required / worked) ** pressure_exponent, 1, max_pressure)``, ratio 1 where nothing is worked), the
    overtime (worked − contracted) and, when ``fatigued`` has rows (fatigue costs capacity, submodel 5a), the capacity
    lost to fatigue (``clip(required, contracted, most + cut) − worked``) and the ICU care hours of each ICU in
    ``icu_ids``: all, by fatigued staff, weighted by excess error odds (``MobilisationModel._fatigue_costs``); else
    those two are empty.
    """
    n_w, n_p = required.shape
    extra_share = np.empty((n_w, n_p))
    supplied = np.empty((n_w, n_p))
    pressure = np.empty((n_w, n_p))
    overtime = np.empty((n_w, n_p))
    costs = fatigued.shape[0] > 0
    capacity_lost = np.empty((n_w if costs else 0, n_p))
    for w in range(n_w):
        for p in range(n_p):
            r, lo, hi = required[w, p], base_eff[w, p], cap_eff[w, p]
            worked = min(max(r, lo), hi)  # np.clip
            headroom = hi - lo
            extra_share[w, p] = (worked - lo) / headroom if headroom > 0 else 0.0
            supplied[w, p] = min(worked, r)
            ratio = r / worked if worked > 0 else 1.0
            pressure[w, p] = min(max(_power(ratio, pressure_exponent), 1.0), max_pressure)
            overtime[w, p] = worked - lo
            if costs:
                capacity_lost[w, p] = min(max(r, lo), hi + fatigued[w, p, CUT]) - worked
    icu_care = np.zeros((icu_ids.shape[0] if costs else 0, 3))
    if costs:
        for k in range(icu_ids.shape[0]):  # sums over the roles in order from 0.0, as NumPy's sum over 7 roles
            w = icu_ids[k]
            for p in range(n_p):
                x = extra_share[w, p]
                icu_care[k, 0] += base[w, p] + (cap[w, p] - base[w, p]) * x
                icu_care[k, 1] += fatigued[w, p, FATIGUED_BASE] + fatigued[w, p, FATIGUED_EXTRA] * x
                icu_care[k, 2] += fatigued[w, p, EXCESS_BASE] + fatigued[w, p, EXCESS_EXTRA] * x
    return extra_share, supplied, pressure, overtime, capacity_lost, icu_care


@threaded(rows="status")
def advance_staff(
    key: np.uint64,
    day: int,
    # state (updated in place)
    status: np.ndarray,
    days_left: np.ndarray,
    fatigue: np.ndarray,
    fatigue_sustained: np.ndarray,
    infected_day: np.ndarray,
    symptomatic: np.ndarray,
    hours_worked: np.ndarray,
    trained: np.ndarray,
    n_regular: int,
    first_entrant: int,
    workplace: np.ndarray,
    role: np.ndarray,
    # fixed attributes
    home: np.ndarray,
    region: np.ndarray,
    contract: np.ndarray,
    base_hours_by_contract: np.ndarray,
    max_hours: np.ndarray,
    employer: np.ndarray,
    other_sick_rate_by_employer: np.ndarray,
    # today's conditions: by (workplace, role), by workplace, by region
    extra_share: np.ndarray,
    pressure: np.ndarray,
    intensity: np.ndarray,
    work_infection_rate: np.ndarray,
    prevalence: np.ndarray,
    # parameters
    fatigue_params: FatigueParams,
    infection_params: InfectionParams,
    absence_params: AbsenceParams,
) -> None:
    """One day of every staff member: work and fatigue, infection, sick leave, return, leaving.

    Each staff member reads today's conditions of their workplace and writes
    only their own row, so the loop runs in parallel without changing results.
    Whoever falls sick or leaves is no longer deployed: their workplace
    becomes their home workplace again.

    State (``status`` to ``trained``, ``workplace``, ``role``) is updated in place; staff rows
    from ``n_regular`` on are recruits and additional pool members. ``extra_share`` and ``pressure``
    are by (workplace, role), ``intensity`` and ``work_infection_rate`` by workplace,
    ``prevalence`` by region.
    """
    # the probability of leaving without sustained fatigue above the threshold, the same for everyone today
    p_leave_rested = hazard_to_probability(absence_params.leave_base_rate + absence_params.leave_fatigue_rate * 0.0)
    for i in prange(status.shape[0]):
        s = status[i]
        hours_worked[i] = 0.0
        if s == LEFT or s >= ENTRANT:  # gone, or outside the workforce (supply over years: not yet started, retired)
            continue
        if s != ACTIVE:  # off work (sick, off duty, in training, in reserve): rest
            fatigue[i] = fatigue_step(
                np.float64(fatigue[i]), 0.0, fatigue_params.rise, fatigue_params.off_work_recovery, fatigue_params.threshold
            )
            fatigue_sustained[i] += fatigue_params.sustained_rate * (np.float64(fatigue[i]) - np.float64(fatigue_sustained[i]))
            if s == RESERVE:
                continue
            days_left[i] -= 1
            if days_left[i] <= 0:
                if s == TRAINING and (i < n_regular or i >= first_entrant):  # a ICU-upskilling course (recruits' onboarding is not one)
                    trained[i] = True
                status[i] = ACTIVE
                days_left[i] = 0
            continue

        # unsigned: numba then skips the negative-index wrap-around on every lookup by them
        w, p, r = np.uint32(workplace[i]), np.uint32(role[i]), np.uint32(region[i])
        hours = base_hours_by_contract[contract[i]] + (np.float64(max_hours[i]) - base_hours_by_contract[contract[i]]) * extra_share[w, p]
        hours_worked[i] = hours
        strain = hours / fatigue_params.reference_hours * intensity[w] * pressure[w, p]
        f = fatigue_step(np.float64(fatigue[i]), strain, fatigue_params.rise, fatigue_params.recovery, fatigue_params.threshold)
        fatigue[i] = f
        fs = np.float64(fatigue_sustained[i]) + fatigue_params.sustained_rate * (f - np.float64(fatigue_sustained[i]))
        fatigue_sustained[i] = fs
        rng = stream(key, i)

        # infection: community and work exposure; an infection gives lasting immunity
        if infected_day[i] < 0:
            rate = infection_params.community_rate * prevalence[r] + work_infection_rate[w]
            if rate > 0.0:
                u = draw(rng, EV_INFECT)
                if u < rate + HAZARD_SLACK and u < hazard_to_probability(rate):
                    infected_day[i] = day
                    symptomatic[i] = draw(rng, EV_SYMPTOMATIC) < infection_params.symptomatic_share

        if symptomatic[i] and infected_day[i] >= 0 and day - infected_day[i] == infection_params.onset_days:
            status[i] = SICK_COVID
            if draw(rng, EV_COVID_LONG) < infection_params.long_share:
                days_left[i] = geometric_days(draw(rng, EV_COVID_DAYS), infection_params.long_mean_days)
            else:
                days_left[i] = geometric_days(draw(rng, EV_COVID_DAYS), infection_params.covid_mean_days)
        elif draw(rng, EV_OTHER) < other_sick_rate_by_employer[employer[i]]:
            status[i] = SICK_OTHER
            days_left[i] = geometric_days(draw(rng, EV_OTHER_DAYS), absence_params.other_mean_days)
        elif exhausted(draw(rng, EV_EXHAUSTION), f, absence_params.exhaustion_rate, absence_params.exhaustion_power):
            status[i] = SICK_EXHAUSTION
            days_left[i] = geometric_days(draw(rng, EV_EXHAUSTION_DAYS), absence_params.exhaustion_mean_days)
        else:
            excess = max(fs - absence_params.leave_threshold, 0.0)
            if excess > 0.0:  # (a draw at or above the hazard decides without the exponential, as for infection)
                u = draw(rng, EV_LEAVE)
                rate = absence_params.leave_base_rate + absence_params.leave_fatigue_rate * excess
                leaves = u < rate + HAZARD_SLACK and u < hazard_to_probability(rate)
            else:
                leaves = p_leave_rested > 0.0 and draw(rng, EV_LEAVE) < p_leave_rested
            if leaves:
                status[i] = LEFT
        if status[i] != ACTIVE:
            workplace[i] = home[i]


#: Rows of ``advance_supply``'s counts by profession: graduates and people licensed from abroad who started work,
#: members of the workforce who retired and who left.
SUPPLY_GRADUATES, SUPPLY_LICENSED, SUPPLY_RETIRED, SUPPLY_LEFT = 0, 1, 2, 3


@njit(cache=True)
def advance_supply(
    key: np.uint64,
    day: int,
    status: np.ndarray,
    days_left: np.ndarray,
    workplace: np.ndarray,
    home: np.ndarray,
    profession: np.ndarray,
    n_regular: int,
    first_entrant: int,
    entry_day: np.ndarray,
    licensed: np.ndarray,
    retire_probability: np.ndarray,
    leave_probability: np.ndarray,
    n_professions: int,
    retire_by_age: bool,
    row_retire_probability: np.ndarray,
    retired_day: np.ndarray,
) -> np.ndarray:
    """One step of the slow clock (supply over years, issue #17): entrants start work, members of the workforce retire or leave.

    Rows from ``first_entrant`` on are entrants (``entry_day[j]`` and ``licensed[j]`` describe row ``first_entrant + j``):
    in the ``ENTRANT`` status until their day, then ``ACTIVE`` at their home workplace. Every member of the workforce
    (not left, retired, in reserve or not yet started) leaves with ``leave_probability[profession]`` this step; the staff of
    the start (rows before ``n_regular``) retire with ``retire_probability[profession]`` first (entrants are decades from
    a pension). With ``retire_by_age`` every member of the workforce (entrants who started too) retires instead with
    ``row_retire_probability[i]`` (``sim.ages``: by the person's age this month). Rows from ``n_regular`` to
    ``first_entrant`` (the levers' recruits and pool members) take no part, nor do rows with a ``retired_day`` (≥ 0: a retiree a
    reserve called back to work stays a retiree of the supply: they neither retire again nor leave here).
    Draws: ``draw(stream(key, i), EV_RETIRE)`` and ``EV_SUPPLY_LEAVE``, so a row's fate does not depend on the others.
    Returns counts (``SUPPLY_*`` rows, professions) of this step.
    """
    out = np.zeros((4, n_professions), dtype=np.int64)
    for i in range(status.shape[0]):
        if n_regular <= i < first_entrant:
            continue
        s = status[i]
        p = profession[i]
        if s == ENTRANT:
            if entry_day[i - first_entrant] <= day:
                status[i] = ACTIVE
                days_left[i] = 0
                workplace[i] = home[i]
                out[SUPPLY_LICENSED if licensed[i - first_entrant] else SUPPLY_GRADUATES, p] += 1
            continue
        if s in (LEFT, RETIREE, RESERVE) or retired_day[i] >= 0:
            continue
        rng = stream(key, i)
        if retire_by_age:
            retire = row_retire_probability[i] > 0.0 and draw(rng, EV_RETIRE) < row_retire_probability[i]
        else:
            retire = i < n_regular and retire_probability[p] > 0.0 and draw(rng, EV_RETIRE) < retire_probability[p]
        if retire:
            status[i] = RETIREE
            out[SUPPLY_RETIRED, p] += 1
        elif leave_probability[p] > 0.0 and draw(rng, EV_SUPPLY_LEAVE) < leave_probability[p]:
            status[i] = LEFT
            out[SUPPLY_LEFT, p] += 1
        else:
            continue
        days_left[i] = 0
        workplace[i] = home[i]
    return out


# --------------------------------------------------------------------------- quiet path (issue #17)
QUIET_MAX_EVENTS = 64  # candidate events of one person in one quiet step (at most a month: a bound never reached)


@njit(cache=True, inline="always")
def _relax(f: float, fs: float, a: float, lam: float, mu: float, m: int, lm: float, mm: float) -> tuple[float, float]:
    """Fatigue and sustained fatigue after ``m`` days of ``f' = a + lam·f`` and ``fs' = fs + (1 − mu)(f' − fs)``.

    Closed form of ``m`` daily ``fatigue_step`` s at constant strain (no clipping: ``0 <= lam`` and ``a <= 1 − lam``)
    and of the sustained fatigue's moving average over them: with ``f* = a / (1 − lam)``,
    ``f_j = f* + (f − f*)·lam^j`` and ``fs_m = mu^m·fs + f*(1 − mu^m) + (1 − mu)(f − f*)·Σ_{j=1..m} mu^(m−j)·lam^j``;
    ``lm`` and ``mm`` are ``lam^m`` and ``mu^m`` (from tables where the caller has them).
    """
    if m <= 0:
        return f, fs
    fstar = a / (1.0 - lam) if lam < 1.0 else f
    geo = lam * (lm - mm) / (lam - mu) if abs(lam - mu) > 1e-9 else m * lm
    fs_new = mm * fs + fstar * (1.0 - mm) + (1.0 - mu) * (f - fstar) * geo
    f_new = fstar + (f - fstar) * lm
    return min(max(f_new, 0.0), 1.0), min(max(fs_new, 0.0), 1.0)


@threaded(rows="status")
def advance_quiet(
    key: np.uint64,
    n_days: int,
    # state (updated in place)
    status: np.ndarray,
    days_left: np.ndarray,
    fatigue: np.ndarray,
    fatigue_sustained: np.ndarray,
    hours_worked: np.ndarray,
    trained: np.ndarray,
    n_regular: int,
    first_entrant: int,
    # fixed attributes and the step's conditions
    workplace: np.ndarray,
    role: np.ndarray,
    contract: np.ndarray,
    base_hours_by_contract: np.ndarray,
    max_hours: np.ndarray,
    employer: np.ndarray,
    other_sick_rate_by_employer: np.ndarray,
    extra_share: np.ndarray,
    pressure: np.ndarray,
    intensity: np.ndarray,
    fatigue_params: FatigueParams,
    absence_params: AbsenceParams,
) -> None:
    """``n_days`` quiet days of every staff member at once (issue #17): what ``advance_staff`` does on days without COVID.

    A quiet day has no infection and nobody moved: an active staff member works at their workplace's conditions of
    the step (``extra_share``, ``pressure``, ``intensity``, held for its days), may start ordinary or exhaustion sick
    leave or leave, with the daily core's probabilities and in its order; a staff member off work rests and counts
    their days down. Instead of drawing every day, the next candidate event of an active person is drawn at once as
    a geometric number of days at the step's largest daily probability (fatigue moves monotonically towards its
    equilibrium, so the exhaustion and leaving hazards are largest at one end), and accepted with the day's own
    probability (thinning): in distribution the same days as the daily core's, under the held conditions. Fatigue
    and sustained fatigue follow in closed form between events (``_relax``). Draws: ``key`` (the step's first day),
    the row, and ``EV_QUIET`` plus three times the event's number. ``hours_worked`` is left at the hours of a
    working day of the step (zero off work), as the recorder reads it.
    """
    rise, rec, off = fatigue_params.rise, fatigue_params.recovery, fatigue_params.off_work_recovery
    mu = 1.0 - fatigue_params.sustained_rate
    rest = 1.0 - off
    mu_pow, rest_pow = np.empty(n_days + 1), np.empty(n_days + 1)  # mu^m and (1 − off)^m, m = 0 .. n_days
    mu_pow[0], rest_pow[0] = 1.0, 1.0
    for m in range(1, n_days + 1):
        mu_pow[m], rest_pow[m] = mu_pow[m - 1] * mu, rest_pow[m - 1] * rest
    for i in prange(status.shape[0]):
        s = status[i]
        hours_worked[i] = 0.0
        if s == LEFT or s >= ENTRANT:  # gone, or outside the workforce (supply over years: not yet started, retired)
            continue
        f, fs = np.float64(fatigue[i]), np.float64(fatigue_sustained[i])
        if s == RESERVE:  # at rest for the whole step
            fatigue[i], fatigue_sustained[i] = _relax(f, fs, 0.0, rest, mu, n_days, rest_pow[n_days], mu_pow[n_days])
            continue
        w, p = workplace[i], role[i]
        hours = base_hours_by_contract[contract[i]] + (np.float64(max_hours[i]) - base_hours_by_contract[contract[i]]) * extra_share[w, p]
        strain = hours / fatigue_params.reference_hours * intensity[w] * pressure[w, p]
        a = rise * max(strain - fatigue_params.threshold, 0.0)
        lam = 1.0 - a - rec
        rng = stream(key, i)
        t, k = 0, 0
        while t < n_days and s != LEFT:
            if s != ACTIVE:  # off work: rest until the spell ends or the step does
                m = min(days_left[i], n_days - t)
                f, fs = _relax(f, fs, 0.0, rest, mu, m, rest_pow[m], mu_pow[m])
                t += m
                days_left[i] -= m
                if days_left[i] <= 0:
                    if s == TRAINING and (i < n_regular or i >= first_entrant):
                        trained[i] = True
                    s = ACTIVE
                    days_left[i] = 0
                continue
            if k >= QUIET_MAX_EVENTS:  # never in practice: work out the step without further events
                f, fs = _relax(f, fs, a, lam, mu, n_days - t, lam ** (n_days - t), mu_pow[n_days - t])
                break
            # the largest daily probability of leaving work over the rest of the step (fatigue between f and f*)
            fstar = a / (a + rec) if a + rec > 0.0 else f
            f_hi = max(f, fstar)
            fs_hi = max(fs, f_hi)
            p_o = other_sick_rate_by_employer[employer[i]]
            p_e = hazard_to_probability(absence_params.exhaustion_rate * f_hi**absence_params.exhaustion_power)
            p_l = hazard_to_probability(
                absence_params.leave_base_rate + absence_params.leave_fatigue_rate * max(fs_hi - absence_params.leave_threshold, 0.0)
            )
            q = 1.0 - (1.0 - p_o) * (1.0 - p_e) * (1.0 - p_l)
            if q <= 0.0:
                f, fs = _relax(f, fs, a, lam, mu, n_days - t, lam ** (n_days - t), mu_pow[n_days - t])
                break
            wait = geometric_days(draw(rng, EV_QUIET + 3 * k), 1.0 / q) if q < 1.0 else 1
            if t + wait > n_days:  # no candidate in this step
                f, fs = _relax(f, fs, a, lam, mu, n_days - t, lam ** (n_days - t), mu_pow[n_days - t])
                break
            f, fs = _relax(
                f, fs, a, lam, mu, wait, lam ** (wait), mu_pow[wait]
            )  # the candidate's day: worked, fatigue updated first (as the core)
            t += wait
            x = draw(rng, EV_QUIET + 3 * k + 1) * q
            u_days = draw(rng, EV_QUIET + 3 * k + 2)
            k += 1
            pe = 0.0 if f <= 0.0 else hazard_to_probability(absence_params.exhaustion_rate * f**absence_params.exhaustion_power)
            pl = hazard_to_probability(
                absence_params.leave_base_rate + absence_params.leave_fatigue_rate * max(fs - absence_params.leave_threshold, 0.0)
            )
            if x < p_o:
                s = SICK_OTHER
                days_left[i] = geometric_days(u_days, absence_params.other_mean_days)
            elif x < p_o + (1.0 - p_o) * pe:
                s = SICK_EXHAUSTION
                days_left[i] = geometric_days(u_days, absence_params.exhaustion_mean_days)
            elif x < p_o + (1.0 - p_o) * (pe + (1.0 - pe) * pl):
                s = LEFT
        status[i] = s
        fatigue[i], fatigue_sustained[i] = f, fs
        if s == ACTIVE:
            hours_worked[i] = hours


@njit(cache=True)
def home_staff_presence(
    hours_worked: np.ndarray,
    worked_at: np.ndarray,
    role: np.ndarray,
    hygiene_code: np.ndarray,
    hygiene_table: np.ndarray,
    workplace_home: np.ndarray,
    n_homes: int,
) -> np.ndarray:
    """Who worked in each nursing home today: (homes, 5) of heads, their hygiene skill summed, registered nurses (role),
    the nurses' hygiene skill summed, and the nurses' hours.

    Counts everyone with hours today whose workplace (``worked_at``, before same-day sickness) is a home, whichever
    lever sent them there; a registered nurse is a person in the role ``registered_nurse`` today.
    """
    out = np.zeros((n_homes, 5))
    for i in range(hours_worked.shape[0]):
        # the workplace first: it changes seldom from one person to the next (staff are built in runs of one home
        # workplace), so the branch is predicted, and most staff work outside the homes; whether a person worked today is
        # a coin the CPU cannot predict (issue #18: 0.97 -> 0.34 ms a full-scale day). Same sums in the same order.
        h = workplace_home[worked_at[i]]
        if h < 0 or np.float64(hours_worked[i]) <= 0.0:
            continue
        out[h, 0] += 1.0
        out[h, 1] += np.float64(hygiene_table[hygiene_code[i]])
        if role[i] == REGISTERED_NURSE:
            out[h, 2] += 1.0
            out[h, 3] += np.float64(hygiene_table[hygiene_code[i]])
            out[h, 4] += np.float64(hours_worked[i])
    return out


@njit(cache=True)
def home_care_visits(
    alive: np.ndarray,
    infected: np.ndarray,
    required: np.ndarray,
    supplied: np.ndarray,
    heads: np.ndarray,
    visits_per_client: float,
    client_to_staff: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The day's home-care visits of each municipality (``sim.homecare.visits``, which documents them): planned,
    coverage, missed, per staff member at work and the staff's infection hazard, in one pass over the municipalities
    instead of a dozen NumPy calls (issue #18): the same operations in the same order, so the same bits."""
    n = alive.shape[0]
    planned, coverage, missed, per_staff, staff_rate = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for m in range(n):
        planned[m] = visits_per_client * alive[m]
        coverage[m] = min(supplied[m] / required[m] if required[m] > 0 else 1.0, 1.0)
        missed[m] = planned[m] * (1.0 - coverage[m])
        per_staff[m] = (planned[m] - missed[m]) / heads[m] if heads[m] > 0 else 0.0
        infected_share = infected[m] / alive[m] if alive[m] > 0 else 0.0
        staff_rate[m] = per_staff[m] * infected_share * client_to_staff
    return planned, coverage, missed, per_staff, staff_rate


class HomeConditionParams(NamedTuple):
    """Care in nursing homes (submodel 18): hygiene taught, delegation and missed care (``[nursing_homes]``)."""

    rn_teaching: float  # share of the others' hygiene gap the nurses close, at full nurse hours
    rn_hours_per_resident_day: float  # the residents' medication and nursing tasks, nurse hours a resident a day
    normal_delegated_share: float  # the share of those tasks delegated on a normal day
    missed_care_death_factor: float  # death hazard × (1 + this × share of care missed)
    delegation_death_factor: float  # death hazard × (1 + this × delegation beyond the normal share)
    hygiene_protection: float  # spread among residents × (1 − this × the staff's mean hygiene)


@njit(cache=True)
def home_conditions(
    present: np.ndarray,
    alive: np.ndarray,
    rn_norm: np.ndarray,
    required: np.ndarray,
    supplied: np.ndarray,
    transmission: np.ndarray,
    params: HomeConditionParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each nursing home's conditions today (``MobilisationModel._home_conditions``), one pass over the homes instead
    of about twenty NumPy calls (issue #18): the same operations in the same order, so the same bits.

    ``present`` is ``home_staff_presence``'s (homes, 5); ``alive`` the living residents, ``rn_norm`` the registered
    nurses' norm hours a resident, ``required`` and ``supplied`` the home's hours over all roles. Returns the staff's
    mean hygiene (taught), the share of the nurses' tasks delegated, the care hours missed, the death-hazard factor and
    the spread rate among residents.
    """
    n = present.shape[0]
    hygiene, delegated, missed, death_factor, spread = np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    beyond = params.normal_delegated_share
    for h in range(n):
        heads, skill, nurses, nurse_skill, nurse_hours = present[h, 0], present[h, 1], present[h, 2], present[h, 3], present[h, 4]
        norm_hours = alive[h] * rn_norm[h]
        cover = min(nurse_hours / norm_hours if norm_hours > 0 else 1.0, 1.0)
        taught = skill + params.rn_teaching * cover * ((heads - nurses) - (skill - nurse_skill))
        hygiene[h] = taught / heads if heads > 0 else 0.0
        need = alive[h] * params.rn_hours_per_resident_day
        delegated[h] = min(max(1.0 - (nurse_hours / need if need > 0 else 1.0), 0.0), 1.0)
        excess = max(delegated[h] - beyond, 0.0) / (1.0 - beyond) if beyond < 1.0 else 0.0
        missed[h] = max(required[h] - supplied[h], 0.0)
        missed_share = missed[h] / required[h] if required[h] > 0 else 0.0
        death_factor[h] = (1.0 + params.missed_care_death_factor * missed_share) * (1.0 + params.delegation_death_factor * excess)
        spread[h] = transmission[h] * (1.0 - params.hygiene_protection * hygiene[h])
    return hygiene, delegated, missed, death_factor, spread


@njit(cache=True)
def advance_nursing_homes(
    key: np.uint64,
    day: int,
    status: np.ndarray,
    workplace: np.ndarray,
    infected_day: np.ndarray,
    hygiene_code: np.ndarray,
    hygiene_table: np.ndarray,
    hygiene_protection: float,
    workplace_home: np.ndarray,
    susceptible: np.ndarray,
    infected: np.ndarray,
    recovered: np.ndarray,
    dead: np.ndarray,
    assessed: np.ndarray,
    transmission: np.ndarray,
    death_factor: np.ndarray,
    assessment_probability: np.ndarray,
    introductions: np.ndarray,
    deaths: np.ndarray,
    assessments: np.ndarray,
    home_params: NursingHomeParams,
    resident_params: ResidentParams,
) -> None:
    """Residents of every home: infection brought by staff at work, then spread, assessment, death and recovery.

    Any infectious staff member working in a home today (its own staff, hourly
    staff from another home, support nurses) infects a resident with probability
    ``home_params.seed_rate × (1.0 - hygiene_protection * hygiene_table[hygiene_code[i]])`` (the staff member's hygiene). ``workplace_home`` maps a
    workplace id to its home index (-1 if not a home). Residents by home (``susceptible``, ``infected``,
    ``recovered``, ``dead``; ``assessed`` counts the infected who have had a physician's individual assessment) are
    updated in place; ``transmission`` is today's per-home rate (the hygiene of the staff present included).
    Each infected resident dies today with probability ``1 − (1 − p)^m`` (p = ``resident_params.death_probability``,
    m = ``death_factor[h]``, times ``resident_params.assessed_death_factor`` once assessed), else recovers with
    ``home_params.recovery_probability``, else, not yet assessed, is assessed with ``assessment_probability[h]``.
    ``introductions[h]`` is set to 1 when staff bring the virus into a home that had no infected resident today
    (a new outbreak), else 0; ``deaths[h]`` to the residents who died today, ``assessments[h]`` to those assessed today.
    """
    n_homes = susceptible.shape[0]
    for h in range(n_homes):
        introductions[h] = 0
        deaths[h] = 0
        assessments[h] = 0
    for i in range(status.shape[0]):
        # the rare condition first (infected within the last few days), then the common one
        if infected_day[i] < 0 or day - infected_day[i] >= home_params.infectious_days or status[i] != ACTIVE:
            continue
        h = workplace_home[workplace[i]]
        if (
            h >= 0
            and susceptible[h] > 0
            and uniform(key, i, EV_SEED) < home_params.seed_rate * (1.0 - hygiene_protection * np.float64(hygiene_table[hygiene_code[i]]))
        ):
            if infected[h] == 0:
                introductions[h] = 1
            susceptible[h] -= 1
            infected[h] += 1
    survive = 1.0 - resident_params.death_probability
    for h in range(n_homes):
        n = susceptible[h] + infected[h] + recovered[h]
        if infected[h] == 0 or n == 0:
            continue
        p_inf = 1.0 - np.exp(-transmission[h] * infected[h] / n)
        rng = stream(key, h)
        new_inf = 0
        for j in range(susceptible[h]):
            if draw(rng, EV_RESIDENT_INFECT + j) < p_inf:
                new_inf += 1
        p_die = 1.0 - survive ** death_factor[h]
        p_die_assessed = 1.0 - survive ** (death_factor[h] * resident_params.assessed_death_factor)
        new_rec, new_dead, left_assessed, new_assessed = 0, 0, 0, 0
        for j in range(infected[h]):
            was_assessed = j < assessed[h]
            if draw(rng, EV_RESIDENT_DEATH + j) < (p_die_assessed if was_assessed else p_die):
                new_dead += 1
                left_assessed += was_assessed
            elif draw(rng, EV_RESIDENT_RECOVER + j) < home_params.recovery_probability:
                new_rec += 1
                left_assessed += was_assessed
            elif not was_assessed and draw(rng, EV_RESIDENT_ASSESS + j) < assessment_probability[h]:
                new_assessed += 1
        susceptible[h] -= new_inf
        infected[h] += new_inf - new_rec - new_dead
        recovered[h] += new_rec
        dead[h] += new_dead
        assessed[h] += new_assessed - left_assessed
        deaths[h] = new_dead
        assessments[h] = new_assessed


@njit(cache=True, inline="always")
def poisson_count(u: float, mean: float) -> int:
    """A Poisson count with the given mean from one uniform draw (inverse CDF; monotone in u and in the mean)."""
    if mean <= 0.0:
        return 0
    k, p = 0, np.exp(-mean)
    cdf = p
    while u >= cdf and k < 100_000:
        k += 1
        p *= mean / k
        cdf += p
        if p < 1e-300 and k > mean:
            break
    return k


@njit(cache=True)
def binomial_count(rng: np.uint64, event: int, n: int, p: float) -> int:
    """A Binomial(n, p) count from an index's stream: one draw by the inverse CDF while n·p is small
    (monotone in p under common random numbers), else one draw per trial (``event + j``)."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if n * p < 30.0 and p < 0.5:
        u = draw(rng, event)
        q = 1.0 - p
        pmf = np.exp(n * np.log1p(-p))
        cdf, k = pmf, 0
        while u >= cdf and k < n:
            pmf *= (n - k) / (k + 1.0) * p / q
            k += 1
            cdf += pmf
        return k
    count = 0
    for j in range(n):
        if draw(rng, event + 1 + j) < p:
            count += 1
    return count


@njit(cache=True)
def advance_home_care(
    key: np.uint64,
    day: int,
    status: np.ndarray,
    workplace: np.ndarray,
    infected_day: np.ndarray,
    hygiene_code: np.ndarray,
    hygiene_table: np.ndarray,
    hygiene_protection: float,
    workplace_service: np.ndarray,
    visits_per_staff: np.ndarray,
    service_factor: np.ndarray,
    community_probability: np.ndarray,
    fatality: np.ndarray,
    susceptible: np.ndarray,
    infected: np.ndarray,
    recovered: np.ndarray,
    dead: np.ndarray,
    new_infections: np.ndarray,
    new_deaths: np.ndarray,
    params: HomeCareParams,
) -> None:
    """Home-care clients of every municipality: infections ending (recovery or death), infection by staff on their
    visits and in the community.

    Any infectious staff member at work in a home-care service today (its own staff or staff a lever sent there)
    makes ``visits_per_staff[m]`` visits, each to a client drawn from the service's living clients; a visit to a
    susceptible client infects with ``staff_to_client × (1.0 - hygiene_protection × hygiene_table[hygiene_code[i]]) × service_factor[m]``: a Poisson count
    of infections per staff member, at most the susceptible clients left. ``workplace_service`` maps a workplace id to
    its municipality (-1 if not a home-care service). Then each susceptible client is infected in the community with
    ``community_probability[m]``. Infections that end today were there at the start of the day: each ends with
    ``resolve_probability``, in death with ``fatality[m]``. Counts by municipality are updated in place;
    ``new_infections`` and ``new_deaths`` are set to today's.
    """
    n_services = susceptible.shape[0]
    alive = np.empty(n_services, dtype=np.int64)
    for m in range(n_services):
        new_infections[m] = 0
        new_deaths[m] = 0
        alive[m] = susceptible[m] + infected[m] + recovered[m]
    # infections that end today (those infected before today), in death or recovery
    for m in range(n_services):
        if infected[m] > 0:
            rng = stream(key, m)
            ended = binomial_count(rng, np.int64(EV_CLIENT_RESOLVE), infected[m], params.resolve_probability)
            died = binomial_count(rng, np.int64(EV_CLIENT_DEATH), ended, fatality[m])
            infected[m] -= ended
            recovered[m] += ended - died
            dead[m] += died
            new_deaths[m] = died
    # staff to clients on today's visits
    for i in range(status.shape[0]):
        # the rare condition first (infected within the last few days), then the common one
        if infected_day[i] < 0 or day - infected_day[i] >= params.infectious_days or status[i] != ACTIVE:
            continue
        m = workplace_service[workplace[i]]
        if m < 0 or susceptible[m] <= 0:
            continue
        share = susceptible[m] / max(alive[m], 1)
        mean = (
            visits_per_staff[m]
            * params.staff_to_client
            * (1.0 - hygiene_protection * np.float64(hygiene_table[hygiene_code[i]]))
            * service_factor[m]
            * share
        )
        k = min(poisson_count(uniform(key, i, EV_CLIENT_SEED), mean), susceptible[m])
        susceptible[m] -= k
        infected[m] += k
        new_infections[m] += k
    # the community
    for m in range(n_services):
        if susceptible[m] > 0 and community_probability[m] > 0.0:
            k = binomial_count(stream(key, m), np.int64(EV_CLIENT_COMMUNITY), susceptible[m], community_probability[m])
            susceptible[m] -= k
            infected[m] += k
            new_infections[m] += k


def group_order(group: np.ndarray, n_groups: int, n_blocks: int = 64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Staff ids sorted by group (ascending ids within a group), group offsets, and blocks of whole groups.

    ``order[start[g]:start[g + 1]]`` are the members of group g in increasing id order;
    block k covers groups ``blocks[k]:blocks[k + 1]``, about ``len(group) / n_blocks`` staff each,
    so ``tally_staff`` can spread the blocks over threads and still add each group's
    values in the same order as a plain loop over the staff.
    """
    # unsigned ids: numba then skips the negative-index wrap-around on every array access through them
    order = np.argsort(group, kind="stable").astype(np.uint32)
    start = np.zeros(n_groups + 1, dtype=np.int64)
    start[1:] = np.cumsum(np.bincount(group, minlength=n_groups))
    cuts = np.searchsorted(start, np.linspace(0, group.shape[0], n_blocks + 1)[1:-1])
    blocks = np.unique(np.concatenate([[0], cuts, [n_groups]])).astype(np.int64)
    return order, start, blocks


@threaded(rows="status")
def tally_staff(
    status: np.ndarray,
    fatigue: np.ndarray,
    order: np.ndarray,
    group_start: np.ndarray,
    blocks: np.ndarray,
    hours_worked: np.ndarray,
    contract: np.ndarray,
    base_hours_by_contract: np.ndarray,
    agreement_days: np.ndarray,
    n_regular: int,
    n_statuses: int,
    n_bins: int,
    first_entrant: int = -1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per group: head count by status, fatigue sum and histogram (staff who have not left), and hours.

    Groups are given by ``group_order``: members ``order[group_start[g]:group_start[g + 1]]``,
    and blocks of whole groups that threads take in parallel. Each group's sums run over its
    members in increasing id order, whatever the thread count.

    ``hours[g]`` holds hours worked, extra hours beyond the contract (staff not under
    the crisis agreement), hours worked under the crisis agreement, and the
    contracted hours of the staff placed under it. Rows from ``n_regular`` on (recruits,
    additional pool members) count only in hours worked: their pay is costed on all their hours.
    Rows from ``first_entrant`` on (supply over years: graduates and people licensed from abroad; -1: none) are
    regular staff once they start. Rows whose status is ``n_statuses`` or above (outside the workforce: not yet
    started, retired) are not counted at all.
    """
    n_groups = group_start.shape[0] - 1
    counts = np.zeros((n_groups, n_statuses), dtype=I32)
    fatigue_sum = np.zeros(n_groups, dtype=F)
    hist = np.zeros((n_groups, n_bins), dtype=I32)
    hours = np.zeros((n_groups, 4), dtype=F)
    for k in prange(blocks.shape[0] - 1):
        for g in range(blocks[k], blocks[k + 1]):
            f_sum, h0, h1, h2, h3 = 0.0, 0.0, 0.0, 0.0, 0.0
            n_active = 0  # the common status counted in a register, not through memory
            for j in range(group_start[g], group_start[g + 1]):
                i = order[j]
                st = status[i]
                if st >= n_statuses:
                    continue
                if st == ACTIVE:
                    n_active += 1
                else:
                    counts[g, st] += 1
                if st != LEFT:
                    f_sum += np.float64(fatigue[i])
                    b = int(np.float64(fatigue[i]) * n_bins)
                    if b >= n_bins:
                        b = n_bins - 1
                    hist[g, b] += 1
                h = np.float64(hours_worked[i])
                if h > 0.0:
                    h0 += h
                    if i >= n_regular and (first_entrant < 0 or i < first_entrant):
                        continue
                    if agreement_days[i] > 0:
                        h2 += h
                        h3 += base_hours_by_contract[contract[i]]
                    elif h > base_hours_by_contract[contract[i]]:
                        h1 += h - base_hours_by_contract[contract[i]]
            counts[g, ACTIVE] = n_active
            fatigue_sum[g] = f_sum
            hours[g, 0], hours[g, 1], hours[g, 2], hours[g, 3] = h0, h1, h2, h3
    return counts, fatigue_sum, hist, hours


# states of a workplace under the crisis agreement (``place_under_agreement``'s ``unit_state``)
AGREEMENT_OFF = 0  # no agreement: nobody placed
AGREEMENT_ENDING = 1  # lifted, ramping down: placements run to their end, none starts
AGREEMENT_ON = 2  # placements start and run


@njit(cache=True, inline="always")
def _rest(
    i: int,
    status: np.ndarray,
    days_left: np.ndarray,
    workplace: np.ndarray,
    home: np.ndarray,
    agreement_days: np.ndarray,
    agreement_rest: np.ndarray,
    rest_days: int,
) -> None:
    status[i] = OFF_DUTY
    days_left[i] = rest_days
    workplace[i] = home[i]
    agreement_days[i] = 0
    agreement_rest[i] = True


@threaded(rows="status")
def place_under_agreement(
    status: np.ndarray,
    workplace: np.ndarray,
    home: np.ndarray,
    profession: np.ndarray,
    days_left: np.ndarray,
    agreement_days: np.ndarray,
    agreement_rest: np.ndarray,
    agreement_declared: np.ndarray,
    start_offset: np.ndarray,
    max_hours: np.ndarray,
    unit_state: np.ndarray,
    unit_declared: np.ndarray,
    cap_hours: np.ndarray,
    placement_days: int,
    rest_days: int,
    max_resting_share: float,
    max_extension_days: int,
    n_professions: int,
) -> int:
    """Crisis agreement: active staff at a workplace where it applies work up to ``cap_hours[workplace]`` a day
    (the agreement's weekly cap / 7 by workplace: a region may set its own, issue #15).

    A placement lasts ``placement_days`` in a row; then the staff member goes home, off duty for
    ``rest_days`` (``agreement_rest`` marks who rests after a placement). Staff not placed today start afresh.

    Rosters (issue #14): ``unit_state`` per workplace is one of the ``AGREEMENT_*`` codes and
    ``unit_declared`` the day its agreement was declared. A person's first placement under a declaration
    (``agreement_declared[i]`` keeps the declaration of their last placement) starts ``start_offset[i]``
    days in (the person's cohort), so the first rests are spread over a placement period. While the resting staff of a
    profession of a unit (by home unit: the roster's) would exceed ``max_resting_share`` of its staff under the
    agreement (placed or resting), a due rest is
    deferred (the placement extended), at most ``max_extension_days``; the longest placements rest first.
    Where the agreement is ending, placements run to their end and none starts. Returns the rests
    deferred today.
    """
    n_wp = unit_state.shape[0]
    due = np.zeros(status.shape[0], dtype=np.bool_)
    n_due = 0
    for i in prange(status.shape[0]):  # each staff member's own row only
        if agreement_rest[i] and status[i] != OFF_DUTY:
            agreement_rest[i] = False  # back from the rest (or sick after it)
        state = unit_state[workplace[i]] if status[i] == ACTIVE else AGREEMENT_OFF
        if state == AGREEMENT_OFF or (state == AGREEMENT_ENDING and agreement_days[i] == 0):
            agreement_days[i] = 0
            continue
        if agreement_days[i] == 0 and agreement_declared[i] != unit_declared[workplace[i]]:
            agreement_declared[i] = unit_declared[workplace[i]]
            agreement_days[i] = start_offset[i]
        agreement_days[i] += 1
        if agreement_days[i] > placement_days:
            if agreement_days[i] > placement_days + max_extension_days or state == AGREEMENT_ENDING or max_resting_share >= 1.0:
                _rest(i, status, days_left, workplace, home, agreement_days, agreement_rest, rest_days)
                continue
            due[i] = True
            n_due += 1
        if np.float64(max_hours[i]) < cap_hours[workplace[i]]:
            max_hours[i] = cap_hours[workplace[i]]
    if n_due == 0:
        return 0
    # the ceiling on the share resting at once: staff under the agreement (placed or resting) by workplace
    placed = np.zeros((n_wp, n_professions), dtype=np.int64)
    resting = np.zeros((n_wp, n_professions), dtype=np.int64)
    # by home unit (the roster's unit: staff of a unit moved to the ICU rest in their own unit's turn)
    for i in range(status.shape[0]):
        if agreement_rest[i] and status[i] == OFF_DUTY:
            resting[home[i], profession[i]] += 1
        elif agreement_days[i] > 0 and status[i] == ACTIVE:
            placed[home[i], profession[i]] += 1
    ids = _longest_first(due, agreement_days)
    deferred = 0
    for k in range(ids.shape[0]):
        i = ids[k]
        w, p = home[i], profession[i]
        if resting[w, p] + 1 <= max_resting_share * (placed[w, p] + resting[w, p]):
            placed[w, p] -= 1
            resting[w, p] += 1
            _rest(i, status, days_left, workplace, home, agreement_days, agreement_rest, rest_days)
        else:
            deferred += 1
    return deferred


@njit(cache=True)
def _longest_first(due: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The ids where ``due``, longest ``days`` first, ties by id: the order of a stable sort of ``-days[ids]``, by counting
    (days are a placement's few dozen days). A counting sort rather than ``np.argsort(kind="mergesort")``, whose
    compilation took about 1.6 s of the first run after an install (issue #18)."""
    longest = 0
    n = 0
    for i in range(due.shape[0]):
        if due[i]:
            n += 1
            longest = max(longest, np.int64(days[i]))
    start = np.zeros(longest + 2, dtype=np.int64)  # start[longest - d + 1]: how many are due with more than d days
    for i in range(due.shape[0]):
        if due[i]:
            start[longest - np.int64(days[i]) + 1] += 1
    for k in range(1, start.shape[0]):
        start[k] += start[k - 1]
    out = np.empty(n, dtype=np.int64)
    for i in range(due.shape[0]):  # in id order: ties keep it
        if due[i]:
            k = longest - np.int64(days[i])
            out[start[k]] = i
            start[k] += 1
    return out


@njit(cache=True)
def cohort_offsets(seed: int, n: int, cohorts: int, placement_days: int) -> np.ndarray:
    """Days already served when a person's first placement starts: cohort ``k`` of ``cohorts`` (a fixed draw per staff id) starts ``k · placement_days / cohorts`` days in."""
    key = day_key(seed, np.int64(-2))
    out = np.zeros(n, dtype=I32)
    if cohorts <= 1:
        return out
    for i in range(n):
        k = int(uniform(key, i, EV_COHORT) * cohorts)
        out[i] = (k * placement_days) // cohorts
    return out


@njit(cache=True)
def capacity_by_region_role(
    status: np.ndarray,
    workplace: np.ndarray,
    role: np.ndarray,
    hours: np.ndarray,
    effectiveness: np.ndarray,
    slot: np.ndarray,
    n_slots: int,
    workplace_region: np.ndarray,
    n_regions: int,
    n_professions: int,
    contract: np.ndarray,
    base_hours_by_contract: np.ndarray,
    fatigue: np.ndarray,
    threshold: float,
    loss: float,
) -> np.ndarray:
    """Hours × effectiveness of active staff at the marked workplaces, by (slot, region, role).

    ``slot[w]`` marks workplace ``w`` as counted in ``out[slot[w]]`` (-1: not counted), so that one pass gives the
    capacity of several unit kinds (the ICUs and the COVID wards, issue #18): each (slot, region, role) sum adds the
    same staff in the same order as a pass of its own would. ``hours`` are each person's most hours as the levers have
    set them so far, cut by fatigue as the hours phase will cut them (``capped_hours``; nothing is cut with ``loss``
    0), so that the levers see the capacity tired staff have.
    """
    out = np.zeros((n_slots, n_regions, n_professions), dtype=F)
    # the rare condition first (few staff are at the marked workplaces): a branch the CPU predicts;
    # unsigned ids skip the negative-index wrap-around; the current (slot, region, role) sum stays in a
    # register while consecutive staff share it. Same sums in the same order.
    ck, cr, cp, acc = 0, np.uint32(0), np.uint32(0), 0.0
    for i in range(status.shape[0]):
        w = np.uint32(workplace[i])
        k = slot[w]
        if k >= 0 and status[i] == ACTIVE:
            r, p = np.uint32(workplace_region[w]), np.uint32(role[i])
            if k != ck or r != cr or p != cp:
                out[ck, cr, cp] = acc
                ck, cr, cp = k, r, p
                acc = out[k, r, p]
            acc += capped_hours(
                base_hours_by_contract[contract[i]], np.float64(hours[i]), np.float64(fatigue[i]), threshold, loss
            ) * np.float64(effectiveness[i])
    out[ck, cr, cp] = acc
    return out


@njit(cache=True)
def home_supply(
    ids: np.ndarray,
    status: np.ndarray,
    workplace: np.ndarray,
    role: np.ndarray,
    hours: np.ndarray,
    effectiveness: np.ndarray,
    workplace_home: np.ndarray,
    n_homes: int,
    n_professions: int,
) -> np.ndarray:
    """(homes, roles): ``hours`` × effectiveness of the active ones among ``ids`` placed in a nursing home today, summed by
    (home, role): the most hours a home's staff at work can give (cooperation between homes reads its coverage from it)."""
    out = np.zeros((n_homes, n_professions), dtype=F)
    for j in range(ids.shape[0]):
        i = ids[j]
        if status[i] == ACTIVE:
            h = workplace_home[workplace[i]]
            if h >= 0:
                out[h, role[i]] += np.float64(hours[i]) * np.float64(effectiveness[i])
    return out


@njit(cache=True)
def own_capacity(
    staff: np.ndarray, key: np.ndarray, hours: np.ndarray, at_icu: np.ndarray, status: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hours of the active ones among ``staff``, summed by ``key``, for all of them and for those ``at_icu``.

    The same sums, in the same order, as ``np.bincount(key, weights=hours * active)``, without the temporaries.
    """
    total = np.zeros(size, dtype=F)
    icu = np.zeros(size, dtype=F)
    # the running sums of the current key stay in registers while consecutive staff share it (they are
    # sorted by home, so they mostly do): no chain of stores and reloads through memory; same order
    ck, t_sum, i_sum = 0, 0.0, 0.0
    for j in range(staff.shape[0]):
        if status[staff[j]] == ACTIVE:
            k = key[j]
            if k != ck:
                total[ck], icu[ck] = t_sum, i_sum
                ck = k
                t_sum, i_sum = total[k], icu[k]
            t_sum += np.float64(hours[j])
            if at_icu[j]:
                i_sum += np.float64(hours[j])
    total[ck], icu[ck] = t_sum, i_sum
    return total, icu


@njit(cache=True)
def forecast_gaps(
    icu: np.ndarray,
    ward: np.ndarray,
    census: np.ndarray,
    norm: np.ndarray,
    icu_ids: np.ndarray,
    covid_ward_ids: np.ndarray,
    acute_ids: np.ndarray,
    capacity: np.ndarray,
    icu_capacity: np.ndarray,
    icu_nurse: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``MobilisationModel._forecast``'s arithmetic per region and role in one call instead of about twenty NumPy calls
    on arrays of 21 regions (issue #18), the same operations in the same order, so the same bits.

    ``icu`` and ``ward``: ICU and COVID-ward patients ahead per region; ``census`` today's by unit (the acute ward's
    counts); ``capacity`` and ``icu_capacity`` (regions, roles): the own staff's hours (``own_capacity``). Returns the
    ICU's required hours ahead (regions, roles), the gap hours (need − capacity, at least 0), the gap's share of the
    need (0 without need), the ICU-nurse gap and the own ICU nurses on duty (hours / 24)."""
    n_reg, n_p = capacity.shape
    icu_required = np.empty((n_reg, n_p))
    gap = np.empty((n_reg, n_p))
    gap_share = np.empty(n_reg)
    nurse_gap = np.empty(n_reg)
    nurses = np.empty(n_reg)
    for r in range(n_reg):
        a = acute_ids[r]
        total, gaps = 0.0, 0.0
        for p in range(n_p):
            required = icu[r] * norm[icu_ids[r], p]
            icu_required[r, p] = required
            need = (required + ward[r] * norm[covid_ward_ids[r], p]) + census[a] * norm[a, p]
            short = need - capacity[r, p]
            gap[r, p] = short if short > 0.0 else 0.0  # np.maximum(short, 0.0): 0.0 when equal
            total += need
            gaps += gap[r, p]
        gap_share[r] = gaps / total if total > 0 else 0.0
        short = icu_required[r, icu_nurse] - icu_capacity[r, icu_nurse]
        nurse_gap[r] = short if short > 0.0 else 0.0
        nurses[r] = icu_capacity[r, icu_nurse] / 24.0
    return icu_required, gap, gap_share, nurse_gap, nurses


@njit(cache=True)
def unit_totals(
    rows: np.ndarray, required: np.ndarray, supplied: np.ndarray, heads: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The required hours, supplied hours and heads of the workplaces ``rows``, each summed over the roles in order from
    0.0: NumPy's ``required[rows].sum(axis=1)`` for up to 7 roles, bit for bit, in one call instead of six (issue #18:
    home care's services and the nursing homes, every day)."""
    n, n_p = rows.shape[0], required.shape[1]
    out_required, out_supplied, out_heads = np.zeros(n), np.zeros(n), np.zeros(n)
    for k in range(n):
        w = rows[k]
        for p in range(n_p):
            out_required[k] += required[w, p]
            out_supplied[k] += supplied[w, p]
            out_heads[k] += heads[w, p]
    return out_required, out_supplied, out_heads


@njit(cache=True)
def count_posted(posting: np.ndarray, posting_kind: np.ndarray, workplace_region: np.ndarray, n_regions: int, n_kinds: int) -> np.ndarray:
    """(posting kinds, regions): staff posted (on loan, in the pool, ...) to a workplace of each region."""
    out = np.zeros((n_kinds, n_regions), dtype=np.int64)
    for i in range(posting.shape[0]):
        if posting[i] >= 0:
            out[posting_kind[i], workplace_region[posting[i]]] += 1
    return out


@njit(cache=True)
def count_upskilled_in_icu(
    support: np.ndarray,
    worked_at: np.ndarray,
    role: np.ndarray,
    posting: np.ndarray,
    hours_worked: np.ndarray,
    is_icu: np.ndarray,
    workplace_region: np.ndarray,
    icu_role: int,
    n_regions: int,
) -> np.ndarray:
    """Per region: ``support`` staff who worked today in an ICU in ``icu_role`` (any role if negative) on their own region's
    account (not posted)."""
    out = np.zeros(n_regions, dtype=np.int64)
    for j in range(support.shape[0]):
        i = support[j]
        w = worked_at[i]
        if is_icu[w] and (icu_role < 0 or role[i] == icu_role) and posting[i] < 0 and np.float64(hours_worked[i]) > 0:
            out[workplace_region[w]] += 1
    return out


@njit(cache=True, inline="always")
def _add_rows_by_group(values: np.ndarray, group: np.ndarray, out: np.ndarray) -> None:
    """Add the rows of ``values`` to ``out``'s rows ``group``, in row order (as ``np.bincount`` per column)."""
    for w in range(values.shape[0]):
        g = group[w]
        for p in range(values.shape[1]):
            out[g, p] += values[w, p]


@njit(cache=True)
def sum_rows_by_group(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """(groups, columns): rows of ``values`` summed by ``group``, in row order (as ``np.bincount`` per column)."""
    out = np.zeros((n_groups, values.shape[1]), dtype=F)
    _add_rows_by_group(values, group, out)
    return out


@njit(cache=True)
def histogram_p90(hist: np.ndarray) -> np.ndarray:
    """90th percentile (upper edge of the bin where the cumulative count reaches 90 %) of each row; NaN for empty rows."""
    n_rows, n_bins = hist.shape
    out = np.full(n_rows, np.nan)
    for g in range(n_rows):
        total = 0
        for b in range(n_bins):
            total += hist[g, b]
        if total == 0:
            continue
        threshold = 0.9 * max(total, 1)
        cum = 0
        for b in range(n_bins):
            cum += hist[g, b]
            if cum >= threshold:
                out[g] = (b + 1) / n_bins
                break
    return out


@njit(cache=True)
def on_vacation(
    ids: np.ndarray, start_day: np.ndarray, day: int, status: np.ndarray, went: np.ndarray, home: np.ndarray, n_workplaces: int
) -> tuple[np.ndarray, np.ndarray]:
    """Of ``ids`` (staff whose vacation spans today), those away today, and how many are away from each home workplace.

    Away: already went (were at work on their vacation's first day), or start today and are active.
    """
    away = np.zeros(n_workplaces, dtype=np.int64)
    keep = np.zeros(ids.shape[0], dtype=np.bool_)
    n = 0
    for j in range(ids.shape[0]):
        i = ids[j]
        if went[i] or (start_day[i] == day and status[i] == ACTIVE):
            keep[j] = True
            away[home[i]] += 1
            n += 1
    out = np.empty(n, dtype=ids.dtype)
    k = 0
    for j in range(ids.shape[0]):
        if keep[j]:
            out[k] = ids[j]
            k += 1
    return out, away


# --------------------------------------------------------------------------- ICU teams (sim.teams)
@njit(cache=True)
def allocate_tiers(
    ratio: np.ndarray,
    support_per_nurse: np.ndarray,
    assistants_per_nurse: np.ndarray,
    from_surge: np.ndarray,
    patients: np.ndarray,
    nurses: np.ndarray,
    support: np.ndarray,
    assistants: np.ndarray,
    surge: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``sim.teams.allocate``'s greedy rule, element by element over flat arrays of region-days: ICU nurses on duty by
    tier (elements, tiers), the patients covered and those covered within guidance.

    The same operations in the same order as the vectorised rule it replaced (issue #18: 40 NumPy calls on arrays of
    21 regions, several times a day), so the results are the same bit for bit; NaN does not occur (no input is NaN).
    """
    m, t = patients.shape[0], ratio.shape[0]
    n = np.zeros((m, t))
    covered = np.empty(m)
    within = np.empty(m)
    for i in range(m):
        first = patients[i] / ratio[0]
        n[i, 0] = nurses[i] if nurses[i] < first else first
        cov = n[i, 0] * ratio[0]
        support_left, assistants_left, win = support[i], assistants[i], cov
        for k in range(t - 1):
            left = patients[i] - cov
            left = left if left > 0.0 else 0.0
            dr = ratio[k + 1] - ratio[k]
            ds = support_per_nurse[k + 1] - support_per_nurse[k]
            da = assistants_per_nurse[k + 1] - assistants_per_nurse[k]
            by_support = support_left / ds if ds > 0 else np.inf
            by_assistants = assistants_left / da if da > 0 else np.inf
            a = left / dr
            a = n[i, k] if n[i, k] < a else a
            b = by_support if by_support < by_assistants else by_assistants
            move = a if a < b else b
            move = move if move > 0.0 else 0.0
            n[i, k] -= move
            n[i, k + 1] += move
            cov = cov + move * dr
            if ds > 0:
                support_left = support_left - move * ds
            if da > 0:
                assistants_left = assistants_left - move * da
            if surge[i] >= from_surge[k + 1]:
                win = cov
        covered[i] = cov
        within[i] = win
    return n, covered, within


# --------------------------------------------------------------------------- the recorder's sums (sim.recorder)
@njit(cache=True)
def record_homes(
    infected: np.ndarray,
    introductions: np.ndarray,
    deaths: np.ndarray,
    missed_care_hours: np.ndarray,
    delegated_share: np.ndarray,
    alive: np.ndarray,
    assessed: np.ndarray,
    assessments: np.ndarray,
    ever_outbreak: np.ndarray,
    home_region: np.ndarray,
    n_regions: int,
) -> np.ndarray:
    """The recorder's day of the nursing homes, by region (regions, 10): homes with an outbreak today, homes reached so
    far, infected residents, introductions, deaths, missed care hours, residents whose medication rounds were delegated
    (resident-weighted), residents alive, infected residents assessed, assessments today; marks today's outbreaks in
    ``ever_outbreak``.

    One pass instead of ten ``np.bincount`` calls (issue #18), summing in the homes' order in float64 as they did.
    """
    out = np.zeros((n_regions, 10))
    for h in range(infected.shape[0]):
        r = home_region[h]
        outbreak = infected[h] > 0
        if outbreak:
            ever_outbreak[h] = True
        out[r, 0] += 1.0 if outbreak else 0.0
        out[r, 1] += 1.0 if ever_outbreak[h] else 0.0
        out[r, 2] += infected[h]
        out[r, 3] += introductions[h]
        out[r, 4] += deaths[h]
        out[r, 5] += missed_care_hours[h]
        out[r, 6] += delegated_share[h] * alive[h]
        out[r, 7] += alive[h]
        out[r, 8] += assessed[h]
        out[r, 9] += assessments[h]
    return out


@njit(cache=True)
def record_work(
    required: np.ndarray,
    supplied: np.ndarray,
    overtime: np.ndarray,
    heads: np.ndarray,
    capacity_lost: np.ndarray,
    group: np.ndarray,
    out_required: np.ndarray,
    out_supplied: np.ndarray,
    out_overtime: np.ndarray,
    out_heads: np.ndarray,
    out_capacity_lost: np.ndarray,
) -> None:
    """The recorder's day of the (workplace, role) arrays, summed by the workplaces' (region, kind) ``group`` into the
    day's rows ``out_*`` (overwritten): hours required, supplied, overtime and heads, and the hours fatigue's cap took
    (``capacity_lost`` and its out with no rows when fatigue costs no capacity).

    Each sum adds a group's workplaces in row order in float64, as ``sum_rows_by_group`` did on the four arrays stacked
    and on ``capacity_lost`` (issue #18: no stacked temporary, one call instead of two and eight copies).
    """
    out_required[:] = 0.0
    out_supplied[:] = 0.0
    out_overtime[:] = 0.0
    out_heads[:] = 0.0
    out_capacity_lost[:] = 0.0
    _add_rows_by_group(required, group, out_required)
    _add_rows_by_group(supplied, group, out_supplied)
    _add_rows_by_group(overtime, group, out_overtime)
    _add_rows_by_group(heads, group, out_heads)
    _add_rows_by_group(capacity_lost, group, out_capacity_lost)


@njit(cache=True)
def record_icu_staff(
    icu_staff: np.ndarray,
    icu_nurses: np.ndarray,
    support: np.ndarray,
    status: np.ndarray,
    fatigue: np.ndarray,
    fatigue_sustained: np.ndarray,
    hours_worked: np.ndarray,
    worked_at: np.ndarray,
    role: np.ndarray,
    posting: np.ndarray,
    posting_kind: np.ndarray,
    unavailable: np.ndarray,
    is_icu: np.ndarray,
    workplace_region: np.ndarray,
    posted_column: np.ndarray,
    icu_role: int,
    loan_kind: int,
    pool_kind: int,
    n_kinds: int,
    day: int,
    available: np.ndarray,
    specialist_nurses: np.ndarray,
    loaned_in: np.ndarray,
    pool_in: np.ndarray,
    pool_in_icu: np.ndarray,
    upskilled_in_icu: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The recorder's day of the ICU's staff and of staff posted, written into row ``day`` of the recorder's arrays;
    returns the fatigue and sustained fatigue (float64) of the ICU's staff who have not left and are in the workforce,
    whose means the recorder takes with ``np.mean``.

    ``available``: ``icu_staff`` (the ICU's own staff) whose status is not ``unavailable`` (a lookup by status code);
    ``specialist_nurses``: ICU nurse-days worked in an
    ICU (``icu_nurses``' hours / 24) by the ICU's region; ``loaned_in``, ``pool_in``: staff on loan and pool members
    posted to a region's workplaces (``posted_column``: the region, plus the number of regions outside the ICU),
    ``pool_in_icu`` those in its ICU; ``upskilled_in_icu``: ``count_upskilled_in_icu`` of ``support``.

    One call for about twenty NumPy calls of ``Recorder._record_levers`` that it replaced (issue #18), with the same sums in
    the same order.
    """
    n_regions = specialist_nurses.shape[1]
    n_present = 0
    n_available = 0
    f = np.empty(icu_staff.shape[0])
    fs = np.empty(icu_staff.shape[0])
    for j in range(icu_staff.shape[0]):
        i = icu_staff[j]
        st = status[i]
        if not unavailable[st]:
            n_available += 1
        if st != LEFT and st < ENTRANT:
            f[n_present] = fatigue[i]
            fs[n_present] = fatigue_sustained[i]
            n_present += 1
    available[day] = n_available
    hours = np.zeros(n_regions)
    for j in range(icu_nurses.shape[0]):
        i = icu_nurses[j]
        w = worked_at[i]
        if is_icu[w]:
            hours[workplace_region[w]] += hours_worked[i]
    for r in range(n_regions):
        specialist_nurses[day, r] = hours[r] / 24.0
    posted = count_posted(
        posting=posting, posting_kind=posting_kind, workplace_region=posted_column, n_regions=2 * n_regions, n_kinds=n_kinds
    )
    for r in range(n_regions):
        loaned_in[day, r] = posted[loan_kind, r] + posted[loan_kind, n_regions + r]
        pool_in[day, r] = posted[pool_kind, r] + posted[pool_kind, n_regions + r]
        pool_in_icu[day, r] = posted[pool_kind, r]
    upskilled = count_upskilled_in_icu(
        support=support,
        worked_at=worked_at,
        role=role,
        posting=posting,
        hours_worked=hours_worked,
        is_icu=is_icu,
        workplace_region=workplace_region,
        icu_role=icu_role,
        n_regions=n_regions,
    )
    for r in range(n_regions):
        upskilled_in_icu[day, r] = upskilled[r]
    return f[:n_present], fs[:n_present]


class PayParams(NamedTuple):
    """The recorder's pay above normal payroll (docs/ODD.md submodel 21)."""

    overtime_multiplier: float  # pay of an hour beyond the contract, in hourly wages
    agreement_multiplier: float  # pay of an hour under the crisis agreement, in hourly wages
    recruit_wage_factor: float  # pay of a recruit's hour, in the profession's hourly wages


@njit(cache=True)
def record_pay(
    group_hours: np.ndarray,
    group_region: np.ndarray,
    group_wage: np.ndarray,
    status: np.ndarray,
    hours_worked: np.ndarray,
    region: np.ndarray,
    profession: np.ndarray,
    contract: np.ndarray,
    base_hours_by_contract: np.ndarray,
    wage: np.ndarray,
    recruits: np.ndarray,
    pool_extra: np.ndarray,
    hourly_home: np.ndarray,
    hourly_region: np.ndarray,
    hourly_per_region: np.ndarray,
    last_other_home_day: np.ndarray,
    lately: int,
    params: PayParams,
    columns: np.ndarray,
    cost: np.ndarray,
    day: int,
    recruits_working: np.ndarray,
    multi_home_share: np.ndarray,
) -> None:
    """The recorder's day of pay above normal payroll by region, written into the columns ``columns`` of ``cost``
    (regions, cost items): overtime, crisis pay, temps, pool, banned temps saved, and of recruits and hourly home staff, written
    into row ``day`` of ``recruits_working`` and ``multi_home_share``.

    Overtime and crisis pay from the (region, employer, profession) groups' ``group_hours`` (``tally_staff``'s hours)
    at ``group_wage``; temps: ``recruits``' hours at their profession's ``wage`` times the recruit factor; pool:
    ``pool_extra``'s hours at their wage; banned temps saved: minus the contracted pay of ``hourly_home`` staff in
    reserve. ``recruits_working``: recruits who worked today by region; ``multi_home_share``: the share of each region's
    hourly home staff (``hourly_region``, ``hourly_per_region``) who worked at another home after day ``lately``.

    One call for about twenty NumPy calls of ``Recorder._record_levers`` that it replaced (issue #18), with the same products
    and each region's sums in the same order as ``np.bincount``.
    """
    n_regions = cost.shape[0]
    pay = np.zeros((n_regions, 5))  # each column a bincount: its sums start at 0 and add in the same order
    for g in range(group_hours.shape[0]):
        r = group_region[g]
        pay[r, 0] += group_hours[g, 1] * group_wage[g] * params.overtime_multiplier
        pay[r, 1] += (group_hours[g, 2] * params.agreement_multiplier - group_hours[g, 3]) * group_wage[g]
    for j in range(recruits.shape[0]):
        i = recruits[j]
        pay[region[i], 2] += np.float64(hours_worked[i]) * wage[profession[i]] * params.recruit_wage_factor
    for j in range(pool_extra.shape[0]):
        i = pool_extra[j]
        pay[region[i], 3] += np.float64(hours_worked[i]) * wage[profession[i]]
    n_banned = 0
    for j in range(hourly_home.shape[0]):
        i = hourly_home[j]
        if status[i] == RESERVE:
            pay[region[i], 4] += base_hours_by_contract[contract[i]] * wage[profession[i]]
            n_banned += 1
    for r in range(n_regions):
        for k in range(4):
            cost[r, columns[k]] = pay[r, k]
        # a saving, negated as the bincount was: −0.0 in a region without any, but 0.0 when nobody is in reserve at all
        # (``np.bincount`` of no values gives integer zeros)
        cost[r, columns[4]] = -pay[r, 4] if n_banned else 0.0
    working = np.zeros(n_regions, dtype=np.int64)
    for j in range(recruits.shape[0]):
        i = recruits[j]
        if hours_worked[i] > 0:
            working[region[i]] += 1
    for r in range(n_regions):
        recruits_working[day, r] = working[r]
    if hourly_home.shape[0]:
        several = np.zeros(n_regions, dtype=np.int64)
        for j in range(hourly_home.shape[0]):
            if last_other_home_day[hourly_home[j]] > lately:
                several[hourly_region[j]] += 1
        for r in range(n_regions):
            multi_home_share[day, r] = several[r] / hourly_per_region[r] if hourly_per_region[r] > 0 else 0.0


@njit(cache=True)
def record_home_care(
    alive: np.ndarray,
    infected: np.ndarray,
    new_infections: np.ndarray,
    deaths: np.ndarray,
    planned: np.ndarray,
    missed: np.ndarray,
    municipality_region: np.ndarray,
    day: int,
    out_alive: np.ndarray,
    out_infected: np.ndarray,
    out_new_infections: np.ndarray,
    out_deaths: np.ndarray,
    out_planned: np.ndarray,
    out_missed: np.ndarray,
) -> None:
    """The recorder's day of home care (submodel 8a): the municipalities' clients alive, infected, newly infected and
    dead, and visits planned and missed, summed by region in float64 in the municipalities' order and written into
    row ``day`` of ``out_*`` (counts converted back to the out's integers), as ``sum_rows_by_group`` did on the six
    arrays stacked (issue #18)."""
    n_regions = out_alive.shape[1]
    sums = np.zeros((n_regions, 6))
    for m in range(alive.shape[0]):
        r = municipality_region[m]
        sums[r, 0] += np.float64(alive[m])
        sums[r, 1] += np.float64(infected[m])
        sums[r, 2] += np.float64(new_infections[m])
        sums[r, 3] += np.float64(deaths[m])
        sums[r, 4] += np.float64(planned[m])
        sums[r, 5] += np.float64(missed[m])
    for r in range(n_regions):
        out_alive[day, r] = sums[r, 0]
        out_infected[day, r] = sums[r, 1]
        out_new_infections[day, r] = sums[r, 2]
        out_deaths[day, r] = sums[r, 3]
        out_planned[day, r] = sums[r, 4]
        out_missed[day, r] = sums[r, 5]


@njit(cache=True)
def record_fatigue_p90(hist: np.ndarray, day: int, by_group: np.ndarray, national: np.ndarray) -> None:
    """Row ``day`` of ``by_group``: ``histogram_p90`` of each group's fatigue histogram; ``national[day]``: that of all
    groups' histograms added (one call for two and a NumPy sum, issue #18)."""
    p90 = histogram_p90(hist=hist)
    for g in range(p90.shape[0]):  # a loop, not ``by_group[day] = p90``: an array assignment compiles numba's shape-error
        by_group[day, g] = p90[g]  # message (about 2 s of the first run after an install, issue #18)
    total = np.zeros((1, hist.shape[1]), dtype=hist.dtype)  # as the groups' counts: one compilation of histogram_p90
    for g in range(hist.shape[0]):
        for b in range(hist.shape[1]):
            total[0, b] += hist[g, b]
    national[day] = histogram_p90(hist=total)[0]


# --------------------------------------------------------------------------- cooperation between homes (sim.levers.home_cooperation)
@njit(cache=True)
def lend_in_clusters(
    short: np.ndarray,
    short_role: np.ndarray,
    wanted: np.ndarray,
    spare: np.ndarray,
    roles: np.ndarray,
    cluster: np.ndarray,
    cluster_homes: np.ndarray,
    cluster_start: np.ndarray,
    lend_ids: np.ndarray,
    lend_start: np.ndarray,
    n_professions: int,
    status: np.ndarray,
    posting: np.ndarray,
    workplace: np.ndarray,
    home: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The day's moves of ``home_cooperation`` (``HomeCooperation._lend``): the staff moved, and per move the lending
    home, the borrowing home, the role (a column of ``roles``) and how many (the staff of move m are the next
    ``count[m]`` of those moved).

    Short homes in ``short``'s order (role by role, the shortest first) each borrow ``wanted`` heads in their role
    ``r = short_role[j]`` (profession ``roles[r]``) from the homes of their cluster, lenders by ``spare[:, r]`` heads
    descending (ties in cluster order, as a stable argsort of ``-spare``, at each borrower), ``min(int(spare), wanted)``
    from each, the first free ones of the lender's pool of the role in priority order (``lend_ids[lend_start[k]:
    lend_start[k + 1]]``, k = home × ``n_professions`` + profession; free: active, not posted, at home). A lender's
    spare falls by those it gave. The same decisions in the same order as the Python loops it replaced (issue #18);
    the inputs are not changed (a moved worker is not free for the next borrower of the day: a cursor per lender and
    role remembers where its pool's free staff start). ``spare`` has no NaN.
    """
    spare = spare.copy()
    n_homes, n_roles = spare.shape
    cursor = np.empty((n_homes, n_roles), dtype=np.int64)  # index into each pool after the last worker it gave today
    for h in range(n_homes):
        for r in range(n_roles):
            cursor[h, r] = lend_start[h * n_professions + roles[r]]
    n_moves = 0
    n_ids = 0
    for j in range(short.shape[0]):
        c = cluster[short[j]]
        n_moves += cluster_start[c + 1] - cluster_start[c]
        n_ids += max(wanted[j], 0)
    ids = np.empty(min(n_ids, lend_ids.shape[0]), dtype=np.int64)
    lender_of = np.empty(n_moves, dtype=np.int64)
    borrower_of = np.empty(n_moves, dtype=np.int64)
    role_of = np.empty(n_moves, dtype=np.int64)
    count = np.empty(n_moves, dtype=np.int64)
    m = 0
    k = 0
    for j in range(short.shape[0]):
        b, r, want = short[j], short_role[j], wanted[j]
        c = cluster[b]
        # partners by spare descending, stable (insertion sort: clusters are a few homes)
        order = cluster_homes[cluster_start[c] : cluster_start[c + 1]].copy()
        for a in range(1, order.shape[0]):
            h = order[a]
            i = a - 1
            while i >= 0 and spare[order[i], r] < spare[h, r]:
                order[i + 1] = order[i]
                i -= 1
            order[i + 1] = h
        for a in range(order.shape[0]):
            if want <= 0:
                break
            lender = order[a]
            give = int(spare[lender, r])
            if want < give:
                give = want
            if lender == b or give <= 0:
                continue
            end = lend_start[lender * n_professions + roles[r] + 1]
            start = k
            q = cursor[lender, r]
            while q < end and k - start < give:
                i = lend_ids[q]
                if _free(i, status, posting, workplace, home):
                    ids[k] = i
                    k += 1
                q += 1
            cursor[lender, r] = q
            n = k - start
            if n == 0:
                continue
            lender_of[m], borrower_of[m], role_of[m], count[m] = lender, b, r, n
            m += 1
            spare[lender, r] -= n
            want -= n
    return ids[:k], lender_of[:m], borrower_of[:m], role_of[:m], count[:m]


# --------------------------------------------------------------------------- the regions' mobile teams (sim.levers.mobile_teams)
@njit(cache=True)
def send_mobile_teams(
    team: np.ndarray,
    team_start: np.ndarray,
    homes: np.ndarray,
    home_start: np.ndarray,
    municipalities: np.ndarray,
    municipality_start: np.ndarray,
    per_home: np.ndarray,
    per_municipality: np.ndarray,
    home_workplace: np.ndarray,
    home_care_workplace: np.ndarray,
    factor: float,
    status: np.ndarray,
    posting: np.ndarray,
    home: np.ndarray,
    workplace: np.ndarray,
    nh_transmission: np.ndarray,
    hc_transmission_factor: np.ndarray,
) -> np.ndarray:
    """``mobile_teams``' day: each region's free team nurses to its homes with an outbreak, then to the home care of its
    municipalities with infected clients; returns the nurses sent, region by region (homes first).

    Region r's nurses are ``team[team_start[r]:team_start[r + 1]]`` in priority order; free means active, not posted
    and at home (``levers.base.available``), judged as each is reached: sending one nurse changes no other's. Its places
    are ``homes[home_start[r]:home_start[r + 1]]`` (and the same of ``municipalities``). The first
    ``round(per_home[r] × homes)`` free nurses (as many as there are) go to the homes in turn (nurse j to home
    j mod homes, at ``home_workplace[home]``) and each home reached has ``nh_transmission`` multiplied by ``factor``;
    then the next ``round(per_municipality[r] × municipalities)`` go to the municipalities' home care
    (``home_care_workplace``, ``hc_transmission_factor``). The Python loop over regions before issue #18, which
    selected every free nurse of the nation first, made the same choices in the same order.
    """
    sent = np.empty(team.shape[0], dtype=np.int64)
    n = 0
    for r in range(team_start.shape[0] - 1):
        q, end = team_start[r], team_start[r + 1]
        lo, hi = home_start[r], home_start[r + 1]
        q, n = _send_team(
            team, q, end, homes, lo, hi, per_home[r], home_workplace, nh_transmission, factor, status, posting, home, workplace, sent, n
        )
        lo, hi = municipality_start[r], municipality_start[r + 1]
        q, n = _send_team(
            team,
            q,
            end,
            municipalities,
            lo,
            hi,
            per_municipality[r],
            home_care_workplace,
            hc_transmission_factor,
            factor,
            status,
            posting,
            home,
            workplace,
            sent,
            n,
        )
    return sent[:n]


@njit(cache=True, inline="always")
def _send_team(
    team: np.ndarray,
    q: int,
    end: int,
    places: np.ndarray,
    lo: int,
    hi: int,
    per_place: float,
    where: np.ndarray,
    transmission: np.ndarray,
    factor: float,
    status: np.ndarray,
    posting: np.ndarray,
    home: np.ndarray,
    workplace: np.ndarray,
    sent: np.ndarray,
    n: int,
) -> tuple[int, int]:
    """``send_mobile_teams``: the next ``round(per_place × places)`` free nurses of ``team[q:end]`` to
    ``places[lo:hi]`` in turn; returns where the next free nurse is looked for and the count in ``sent``."""
    n_places = hi - lo
    k = round(per_place * n_places)
    if k <= 0:
        return q, n
    j = 0
    while j < k and q < end:
        i = team[q]
        q += 1
        if _free(i, status, posting, workplace, home):
            workplace[i] = where[places[lo + j % n_places]]
            sent[n] = i
            n += 1
            j += 1
    for a in range(min(j, n_places)):
        transmission[places[lo + a]] *= factor
    return q, n


# --------------------------------------------------------------------------- hygiene courses (sim.levers.hygiene_training)
@njit(cache=True)
def pick_attendees(
    pending: np.ndarray,
    pending_region: np.ndarray,
    eligible: np.ndarray,
    status: np.ndarray,
    running: np.ndarray,
    places: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``hygiene_training``'s day: the first ``places[r]`` active ones of those who have not attended yet, in each region
    where the courses run; returns their staff ids (in ``pending``'s order) and ``pending`` and ``pending_region``
    without them.

    ``pending`` indexes ``eligible`` (sorted by region, then priority) and ``pending_region`` holds their regions; one
    pass instead of the masks, ranks and compaction over everyone pending it replaced (issue #18), the same choice.
    """
    n = pending.shape[0]
    taken = np.zeros(places.shape[0], dtype=np.int64)
    picked = np.empty(n, dtype=np.int64)
    keep = np.empty(n, dtype=pending.dtype)
    keep_region = np.empty(n, dtype=pending_region.dtype)
    n_picked = 0
    n_keep = 0
    for j in range(n):
        r = pending_region[j]
        i = eligible[pending[j]]
        if running[r] and taken[r] < places[r] and status[i] == ACTIVE:
            taken[r] += 1
            picked[n_picked] = i
            n_picked += 1
        else:
            keep[n_keep] = pending[j]
            keep_region[n_keep] = r
            n_keep += 1
    return picked[:n_picked], keep[:n_keep], keep_region[:n_keep]


# --------------------------------------------------------------------------- ranks within groups (sim.levers.base.rank_within)
@njit(cache=True)
def rank_in_groups(groups: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """0, 1, 2, ... for the members of each group in array order: ``rank[i]`` is how many ``j < i`` have
    ``groups[j] == groups[i]`` (every value in ``lo..hi``). One counting pass instead of a stable argsort, its
    inverse and a repeat (issue #18: icu_upskilling, beredskapslyftet, reserves and recruitment rank by region or
    profession every day); the same numbers."""
    seen = np.zeros(hi - lo + 1, dtype=np.int64)
    rank = np.empty(groups.shape[0], dtype=np.int64)
    for i in range(groups.shape[0]):
        g = groups[i] - lo
        rank[i] = seen[g]
        seen[g] += 1
    return rank


# ---- issue #18: ICU upskilling (sim.levers.icu_upskilling) and the ICU teams' need it follows (sim.teams.team_need) ----
#: Most tiers ``team_need_tiers`` takes: NumPy's ``sum`` adds up to 7 numbers in order, as it does (from 8, pairwise).
TEAM_NEED_MAX_TIERS = 7


@njit(cache=True)
def team_need_tiers(
    ratio: np.ndarray,
    support_per_nurse: np.ndarray,
    assistants_per_nurse: np.ndarray,
    from_surge: np.ndarray,
    patients: np.ndarray,
    nurses: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``sim.teams.team_need`` over flat arrays of region-days: the support nurses and assistants on duty (hours / 24)
    that the teams for ``patients`` with ``nurses`` ICU nurses need, i.e. ``allocate_tiers`` with unlimited support and
    the nurses by tier times each tier's support per nurse, summed over the tiers in order from 0.0: what NumPy's
    ``sum(axis=-1)`` does with at most ``TEAM_NEED_MAX_TIERS`` tiers, so the same numbers bit for bit. One call instead
    of the allocation's wrapper and two NumPy sums (issue #18: twice a day)."""
    m = patients.shape[0]
    unlimited = np.full(m, np.inf)
    n, _, _ = allocate_tiers(
        ratio=ratio,
        support_per_nurse=support_per_nurse,
        assistants_per_nurse=assistants_per_nurse,
        from_surge=from_surge,
        patients=patients,
        nurses=nurses,
        support=unlimited,
        assistants=unlimited,
        surge=unlimited,
    )
    support = np.zeros(m)
    assistants = np.zeros(m)
    for i in range(m):
        for k in range(ratio.shape[0]):
            support[i] += n[i, k] * support_per_nurse[k]
            assistants[i] += n[i, k] * assistants_per_nurse[k]
    return support, assistants


@njit(cache=True)
def staffed_beds_within_guidance(
    ratio: np.ndarray,
    support_per_nurse: np.ndarray,
    assistants_per_nurse: np.ndarray,
    from_surge: np.ndarray,
    icu_hours: np.ndarray,
    patients: np.ndarray,
    beds_normal: np.ndarray,
    beds_open: np.ndarray,
    icu_nurse: int,
    support_roles: np.ndarray,
    assistant: int,
) -> np.ndarray:
    """``MobilisationModel.staffed_icu_beds`` with ICU teams, per region: the open beds, at most the patients the staff on
    duty cover within the guidance for today's surge level. ``icu_hours`` (regions, professions) as there; on duty is
    hours / 24 (support nurses: the ``support_roles`` summed in order), the surge level ``patients / beds_normal``
    (infinite without normal beds). The same operations as ``sim.teams.on_duty``, ``surge_level``,
    ``capacity_within_guidance`` and ``np.minimum``, so the same bits, in one call instead of about fifteen (issue #18)."""
    m = icu_hours.shape[0]
    nurses, support, assistants, surge = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
    for r in range(m):
        nurses[r] = icu_hours[r, icu_nurse] / 24.0
        s = 0.0
        for k in range(support_roles.shape[0]):
            s += icu_hours[r, support_roles[k]]
        support[r] = s / 24.0
        assistants[r] = icu_hours[r, assistant] / 24.0
        surge[r] = patients[r] / beds_normal[r] if beds_normal[r] > 0 else np.inf
    _, _, within = allocate_tiers(
        ratio=ratio,
        support_per_nurse=support_per_nurse,
        assistants_per_nurse=assistants_per_nurse,
        from_surge=from_surge,
        patients=np.full(m, np.inf),
        nurses=nurses,
        support=support,
        assistants=assistants,
        surge=surge,
    )
    staffed = np.empty(m)
    for r in range(m):
        staffed[r] = beds_open[r] if beds_open[r] < within[r] else within[r]  # np.minimum (no NaN here)
    return staffed


@njit(cache=True)
def require_team_support(
    ratio: np.ndarray,
    support_per_nurse: np.ndarray,
    assistants_per_nurse: np.ndarray,
    from_surge: np.ndarray,
    icu_cap: np.ndarray,
    patients: np.ndarray,
    required: np.ndarray,
    icu_ids: np.ndarray,
    icu_nurse: int,
    support_roles: np.ndarray,
    assistant: int,
) -> None:
    """``MobilisationModel._require_team_support`` in one call (issue #18): the support nurses and assistants the teams
    for ``patients`` need with the ICU nurses on duty at their most hours (``icu_cap`` (regions, roles) / 24,
    ``team_need_tiers``) become the ICUs' required hours in ``required`` (in place): support nurses' split between the
    ``support_roles`` in proportion to each role's hours there (equal shares where none), assistants' to ``assistant``.
    The same operations as the NumPy code, so the same bits."""
    m = icu_ids.shape[0]
    nurses = np.empty(m)
    for r in range(m):
        nurses[r] = icu_cap[r, icu_nurse] / 24.0
    support, assistants = team_need_tiers(ratio, support_per_nurse, assistants_per_nurse, from_surge, patients, nurses)
    n_roles = support_roles.shape[0]
    for r in range(m):
        total = 0.0
        for k in range(n_roles):
            total += icu_cap[r, support_roles[k]]
        for k in range(n_roles):
            share = icu_cap[r, support_roles[k]] / total if total > 0 else 1.0 / n_roles
            required[icu_ids[r], support_roles[k]] = support[r] * 24.0 * share
        required[icu_ids[r], assistant] = assistants[r] * 24.0


@njit(cache=True)
def start_icu_courses(
    ids: np.ndarray,
    region: np.ndarray,
    started: np.ndarray,
    course_days: np.ndarray,
    target: np.ndarray,
    status: np.ndarray,
    posting: np.ndarray,
    days_left: np.ndarray,
    workplace: np.ndarray,
    home: np.ndarray,
) -> None:
    """ICU-upskilling courses start for the first free candidates of each region until ``target[r]`` of the region's
    candidates have started one: candidates ``ids`` in training order, ``region`` theirs, ``started`` marked here.
    Free: not started yet, active and not posted. A course puts them in training at home for ``course_days`` (at
    least 1). The same candidates as the NumPy it replaced (a bincount, a rank within regions and five masks a day,
    issue #18)."""
    have = np.zeros(target.shape[0], dtype=np.int64)
    for j in range(ids.shape[0]):
        if started[j]:
            have[region[j]] += 1
    for j in range(ids.shape[0]):
        r = region[j]
        if started[j] or have[r] >= target[r]:
            continue
        i = ids[j]
        if status[i] != ACTIVE or posting[i] >= 0:
            continue
        started[j] = True
        have[r] += 1
        status[i] = TRAINING
        days_left[i] = course_days[j] if course_days[j] > 1 else 1
        workplace[i] = home[i]


@njit(cache=True)
def icu_nurses_leaving_hours(
    ids: np.ndarray,
    agreement_days: np.ndarray,
    placement_days: int,
    role: np.ndarray,
    status: np.ndarray,
    workplace: np.ndarray,
    workplace_kind: np.ndarray,
    workplace_region: np.ndarray,
    max_hours: np.ndarray,
    effectiveness: np.ndarray,
    icu_kind: int,
    icu_nurse: int,
    n_regions: int,
) -> np.ndarray:
    """Per region: hours a day (most hours × effectiveness) of the ICU nurses ``ids`` working today in an ICU in the role
    ICU nurse, active, whose placement under the crisis agreement is over (``CrisisAgreement.due_to_rest``: at least
    ``placement_days`` placed), so that the agreement sends them to rest when it acts later today. Summed in the order
    of ``ids``, as the ``np.bincount`` it replaced (issue #18)."""
    out = np.zeros(n_regions)
    for j in range(ids.shape[0]):
        i = ids[j]
        w = workplace[i]
        if agreement_days[i] >= placement_days and role[i] == icu_nurse and status[i] == ACTIVE and workplace_kind[w] == icu_kind:
            out[workplace_region[w]] += max_hours[i] * effectiveness[i]
    return out


@njit(cache=True)
def icu_support_day(
    ids: np.ndarray,
    region: np.ndarray,
    started: np.ndarray,
    course_days: np.ndarray,
    target: np.ndarray,
    need: np.ndarray,
    icu_unit: np.ndarray,
    trained: np.ndarray,
    status: np.ndarray,
    posting: np.ndarray,
    staff_region: np.ndarray,
    profession: np.ndarray,
    workplace: np.ndarray,
    role: np.ndarray,
    days_left: np.ndarray,
    home: np.ndarray,
    agreement_days: np.ndarray,
    agreement_rest: np.ndarray,
    placement_days: int,
    rest_days: int,
) -> None:
    """A day of ICU upskilling with ICU teams for one group of candidates ``ids`` (training order, ``region`` theirs):
    courses start up to ``target[r]`` in each region (``start_icu_courses``); then, of those who started one, the
    trained who are active and not posted work today in their region's ICU (``icu_unit``, by their staff region) in their
    own profession, ``need[r]`` of them in region ``r``: first those whose placement under the crisis agreement is not
    over, then those due to rest (at least ``placement_days`` placed), each in training order. Those due to rest and
    not needed start their compensatory rest now (``_rest``, as ``CrisisAgreement.rest_now``); without the agreement
    ``placement_days`` is above any placement. The same choice as the stable lexsort and rank within regions it
    replaced, in one call instead of about thirty NumPy calls (issue #18)."""
    start_icu_courses(
        ids=ids,
        region=region,
        started=started,
        course_days=course_days,
        target=target,
        status=status,
        posting=posting,
        days_left=days_left,
        workplace=workplace,
        home=home,
    )
    n_reg = need.shape[0]
    not_due = np.zeros(n_reg, dtype=np.int64)  # ready and not due to rest, by region: they come first
    for j in range(ids.shape[0]):
        i = ids[j]
        if started[j] and trained[i] and status[i] == ACTIVE and posting[i] < 0 and agreement_days[i] < placement_days:
            not_due[region[j]] += 1
    rank_not_due = np.zeros(n_reg, dtype=np.int64)
    rank_due = np.zeros(n_reg, dtype=np.int64)
    for j in range(ids.shape[0]):
        i = ids[j]
        if not (started[j] and trained[i] and status[i] == ACTIVE and posting[i] < 0):
            continue
        r = region[j]
        due = agreement_days[i] >= placement_days
        if due:
            chosen = not_due[r] + rank_due[r] < need[r]
            rank_due[r] += 1
        else:
            chosen = rank_not_due[r] < need[r]
            rank_not_due[r] += 1
        if chosen:
            workplace[i] = icu_unit[staff_region[i]]
            role[i] = profession[i]
        elif due:
            _rest(i, status, days_left, workplace, home, agreement_days, agreement_rest, rest_days)


# ---- issue #18: patient transfers, redeployment, mobile teams ----
@njit(cache=True)
def match_transfers(
    patients: np.ndarray,
    staffed: np.ndarray,
    covid_icu: np.ndarray,
    moved: np.ndarray,
    on: np.ndarray,
    trigger: np.ndarray,
    receive: np.ndarray,
    receives: np.ndarray,
    receivers: np.ndarray,
    receiver_start: np.ndarray,
    capacity: float,
    smallest: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``patient_transfers``' day: each region's excess (the COVID ICU patients it sends), the moves (from, to) within
    the day's transport ``capacity`` and the moves unlimited transport would make.

    A region's excess is its ICU ``patients`` above ``trigger`` × its ``staffed`` beds, at most its own COVID ICU
    patients still at home (``covid_icu`` less the patients moved in, ``moved`` summed over senders), and nothing
    where the lever is not ``on``; a region's room is ``receive`` × its staffed beds less its patients, nothing for a
    sender or where it ``receives`` no patients. Senders with more than ``smallest`` go largest excess first (ties in
    region order), each to its receivers nearest first (``receivers[receiver_start[f]:receiver_start[f + 1]]``), as
    much as its excess, the receiver's room and the transport left allow; amounts of ``smallest`` or less are no move.
    One pass for what were 20 NumPy calls and two Python loops (``PatientTransfers.match``, issue #18); the same
    operations in the same order (the moved-in sum in row order, as NumPy sums a column), so the same bits.
    """
    n = patients.shape[0]
    excess = np.empty(n)
    room = np.empty(n)
    for j in range(n):
        inside = 0.0
        for i in range(n):
            inside += moved[i, j]
        movable = covid_icu[j] - inside
        movable = movable if movable > 0.0 else 0.0
        over = patients[j] - trigger[j] * staffed[j]
        over = over if over > 0.0 else 0.0
        e = over if over < movable else movable
        if not on[j]:
            e = 0.0
        excess[j] = e
        r = receive[j] * staffed[j] - patients[j]
        r = r if r > 0.0 else 0.0
        if e > 0 or not receives[j]:
            r = 0.0
        room[j] = r
    today = match_senders(excess, room, receivers, receiver_start, capacity, smallest)
    reach = match_senders(excess, room, receivers, receiver_start, np.inf, smallest)
    return excess, today, reach


@njit(cache=True)
def match_senders(
    excess: np.ndarray,
    room: np.ndarray,
    receivers: np.ndarray,
    receiver_start: np.ndarray,
    capacity: float,
    smallest: float,
) -> np.ndarray:
    """The moves (from, to) of ``match_transfers``: senders with an ``excess`` above ``smallest``, largest first (ties in
    region order, as a stable sort), each in turn to its nearest receivers with ``room``, within ``capacity``
    (``PatientTransfers.match``)."""
    n = excess.shape[0]
    senders = np.empty(n, dtype=np.int64)
    m = 0
    for f in range(n):  # a stable insertion sort, largest excess first
        if excess[f] > smallest:
            k = m
            while k > 0 and excess[senders[k - 1]] < excess[f]:
                senders[k] = senders[k - 1]
                k -= 1
            senders[k] = f
            m += 1
    moves = np.zeros((n, n))
    room = room.copy()
    left = capacity
    for f in senders[:m]:
        if left <= smallest:
            break
        need = excess[f]
        for q in range(receiver_start[f], receiver_start[f + 1]):
            t = receivers[q]
            amount = need
            if room[t] < amount:
                amount = room[t]
            if left < amount:
                amount = left
            if amount <= smallest:
                continue
            moves[f, t] = amount
            need -= amount
            room[t] -= amount
            left -= amount
            if need <= smallest or left <= smallest:
                break
    return moves


@njit(cache=True)
def elective_limits(
    required: np.ndarray,
    ward_supply: np.ndarray,
    icu_supply: np.ndarray,
    target: np.ndarray,
    to_icu: np.ndarray,
    region: np.ndarray,
    role: np.ndarray,
    size: np.ndarray,
    role_size: np.ndarray,
    hours_per_head: float,
) -> np.ndarray:
    """``redeployment``'s limits: the most staff each elective group may send, the need not yet covered at its target
    unit in heads, shared among the groups that fill the same role there in proportion to their size.

    Group g (of ``region[g]``, filling ``role[g]``) goes to unit ``target[g]``, a COVID ward or (``to_icu[g]``) an ICU;
    the need is the unit's ``required`` hours of the role less the hours of those already there (``ward_supply`` or
    ``icu_supply``, (regions, roles)), none if negative, over ``hours_per_head``; the limit is ``ceil(heads × size[g] /
    role_size[g])``, ``role_size`` being the size of all groups of the role in the region, at least 1. One pass for the
    15 NumPy calls of ``Redeployment._limits`` before issue #18, with the same operations in the same order (the ward
    groups' need written before the ICU groups', as it was), so the same numbers.
    """
    n = target.shape[0]
    uncovered = np.zeros(ward_supply.shape)
    for icu in (False, True):
        supply = icu_supply if icu else ward_supply
        for g in range(n):
            if to_icu[g] == icu:
                r, p = region[g], role[g]
                need = required[target[g], p] - supply[r, p]
                uncovered[r, p] = need if need > 0.0 else 0.0
    limit = np.empty(n, dtype=np.int64)
    for g in range(n):
        heads = uncovered[region[g], role[g]] / hours_per_head
        limit[g] = np.int64(np.ceil(heads * size[g] / role_size[g]))
    return limit


@njit(cache=True)
def places_with_cases(cases: np.ndarray, on: np.ndarray, place_region: np.ndarray, n_regions: int) -> tuple[np.ndarray, np.ndarray]:
    """``mobile_teams``' places today: the nursing homes (or municipalities) with an infected resident (client),
    ``cases > 0``, in a region where the lever acts (``on[place_region]``), and where each region's run of them starts
    (places are numbered region by region: region r's are ``places[start[r]:start[r + 1]]``). One pass for the mask,
    ``flatnonzero`` and ``searchsorted`` it replaced (issue #18), the same arrays."""
    count = np.zeros(n_regions + 1, dtype=np.int64)
    places = np.empty(cases.shape[0], dtype=np.int64)
    m = 0
    for p in range(cases.shape[0]):
        r = place_region[p]
        if cases[p] > 0 and on[r]:
            places[m] = p
            m += 1
            count[r + 1] += 1
    return places[:m], np.cumsum(count)


@njit(cache=True)
def plan_elective_care(
    cut: np.ndarray,
    debt: np.ndarray,
    on: np.ndarray,
    level: np.ndarray,
    max_cut: np.ndarray,
    step: np.ndarray,
    catch_up: np.ndarray,
    operations_base: np.ndarray,
    census: np.ndarray,
    elective: np.ndarray,
    icu: np.ndarray,
    covid_icu: np.ndarray,
    icu_other_cut: float,
    cut_share_first: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``redeployment``'s planned care today, region by region: the cut, whether the region catches up, the operations
    done and the care debt; the census of the elective unit (and of the ICU) follows.

    Where the lever acts (``on``) the cut ramps up by ``step`` to ``max_cut``, elsewhere down by ``step`` to 0. A region
    catches up while it is at level 0, its cut is 0 and it has a debt (yesterday's); activity is 1 − cut, plus
    ``catch_up`` while catching up; the operations are ``operations_base`` × activity and the debt grows by what was
    not done (never below 0). The elective unit's census is multiplied by the activity. With ``icu_other_cut`` > 0 the
    non-COVID ICU patients (census less ``covid_icu``, at least 0) are multiplied by 1 − ``icu_other_cut`` × cut /
    ``max_cut`` (``cut_share_first``, the lever set per region: the share cut / max_cut taken first, 0 where
    ``max_cut`` is 0). One pass for the 25 NumPy calls of ``Redeployment.adjust_demand`` before issue #18, the same
    operations in the same order; returns the new cut, catching up, operations and debt.
    """
    n = cut.shape[0]
    new_cut = np.empty(n)
    catching = np.empty(n, dtype=np.bool_)
    operations = np.empty(n)
    new_debt = np.empty(n)
    for r in range(n):
        if on[r]:
            c = cut[r] + step[r]
            c = c if c < max_cut[r] else max_cut[r]
        else:
            c = cut[r] - step[r]
            c = c if c > 0.0 else 0.0
        new_cut[r] = c
        catching[r] = level[r] == 0 and c == 0 and debt[r] > 0
        activity = 1.0 - c + catch_up[r] * (1.0 if catching[r] else 0.0)
        operations[r] = operations_base[r] * activity
        d = debt[r] + operations_base[r] - operations[r]
        new_debt[r] = d if d > 0.0 else 0.0
        census[elective[r]] *= activity
        if icu_other_cut > 0:
            if cut_share_first:
                kept = 1.0 - icu_other_cut * (c / max_cut[r] if max_cut[r] > 0 else 0.0)
            else:
                kept = 1.0 - icu_other_cut * c / max_cut[r]
            other = census[icu[r]] - covid_icu[r]
            census[icu[r]] = covid_icu[r] + (other if other > 0.0 else 0.0) * kept
    return new_cut, catching, operations, new_debt


@njit(cache=True)
def shift_patients(moves: np.ndarray, out: np.ndarray, census: np.ndarray, icu: np.ndarray) -> np.ndarray:
    """``patient_transfers``: the patients ``moves[from, to]`` leave the sender's ICU and enter the receiver's; adds each
    region's net patients moved in (moved in, summed over senders in row order as NumPy sums a column, less ``out``, the
    caller's sum over receivers) to the census of its ICU (``census[icu[region]]``) and returns them."""
    n = moves.shape[0]
    net = np.empty(n)
    for j in range(n):
        into = 0.0
        for i in range(n):
            into += moves[i, j]
        net[j] = into - out[j]
        census[icu[j]] += net[j]
    return net


# ---- issue #18: loans, home_cooperation, cohort wards, crisis_agreement ----
@njit(cache=True)
def count_agreement_staff(
    agreement_days: np.ndarray,
    agreement_rest: np.ndarray,
    status: np.ndarray,
    home_region: np.ndarray,
    worked_at: np.ndarray,
    workplace_region: np.ndarray,
    ever_placed: np.ndarray,
    n_regions: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The crisis agreement's staff of the day, by region: placed (by the region of the unit they worked in today,
    ``worked_at``), resting (off duty after a placement, by home region) and placed for the first time in the run
    (marked in ``ever_placed``, which this updates).

    One pass over the staff instead of two masks, two compactions and three ``bincount`` calls (issue #18); whole
    counts, the same numbers."""
    placed = np.zeros(n_regions, dtype=np.int64)
    resting = np.zeros(n_regions, dtype=np.int64)
    first = np.zeros(n_regions, dtype=np.int64)
    for i in range(agreement_days.shape[0]):
        if agreement_days[i] > 0:
            r = workplace_region[worked_at[i]]
            placed[r] += 1
            if not ever_placed[i]:
                ever_placed[i] = True
                first[r] += 1
        if agreement_rest[i] and status[i] == OFF_DUTY:
            resting[home_region[i]] += 1
    return placed, resting, first


@njit(cache=True)
def cluster_shortages(
    have: np.ndarray,
    required: np.ndarray,
    home_workplace: np.ndarray,
    roles: np.ndarray,
    home_on: np.ndarray,
    cluster: np.ndarray,
    n_clusters: int,
    lent_out: np.ndarray,
    most_out: np.ndarray,
    short_below: float,
    lender_keeps: float,
    hours_per_head: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``home_cooperation``'s day before the moves (``HomeCooperation._lend``), by home and role (a column of ``roles``):
    the hours the staff at work can give (``have``, by profession), the hours the residents need (``required`` of the
    home's workplace), their coverage (``inf`` where nothing is needed), the heads each home could lend today (its
    margin above ``lender_keeps``, at most ``most_out`` less ``lent_out``, none below zero and none where cooperation is
    off) and the short homes (coverage below ``short_below`` where cooperation is on), role by role and homes in order,
    kept only where some home of their cluster has heads to spare.

    One pass instead of the twenty NumPy calls it replaced (issue #18), the same numbers in the same order: each value
    with the same operations, ``np.minimum``'s and ``clip``'s NaN kept, and a cluster's spare heads summed over its homes
    in home order (as ``np.bincount`` summed them) before the test ``> 0``."""
    n_homes, n_roles = home_on.shape[0], roles.shape[0]
    have_r = np.empty((n_homes, n_roles), dtype=F)
    need = np.empty((n_homes, n_roles), dtype=F)
    cov = np.empty((n_homes, n_roles), dtype=F)
    spare = np.zeros((n_homes, n_roles), dtype=F)
    total = np.zeros(n_clusters * n_roles, dtype=F)
    for h in range(n_homes):
        w = home_workplace[h]
        for r in range(n_roles):
            p = roles[r]
            a, q = have[h, p], required[w, p]
            have_r[h, r], need[h, r] = a, q
            cov[h, r] = a / q if q > 0 else np.inf
            if home_on[h]:
                margin = np.floor((a - lender_keeps * q) / hours_per_head)
                room = most_out[h, r] - lent_out[h, p]
                least = margin if (np.isnan(margin) or margin < room) else room  # np.minimum
                s = least if (np.isnan(least) or least > 0.0) else 0.0  # clip(0)
                spare[h, r] = s
                total[cluster[h] * n_roles + r] += s
    n_short = 0
    short_home = np.empty(n_homes * n_roles, dtype=np.int64)
    short_role = np.empty(n_homes * n_roles, dtype=np.int64)
    for r in range(n_roles):
        for h in range(n_homes):
            if home_on[h] and cov[h, r] < short_below and total[cluster[h] * n_roles + r] > 0.0:
                short_home[n_short], short_role[n_short] = h, r
                n_short += 1
    return have_r, need, cov, spare, short_home[:n_short], short_role[:n_short]


@njit(cache=True)
def advance_declarations(
    on: np.ndarray,
    declared: np.ndarray,
    days_below: np.ndarray,
    ending: np.ndarray,
    min_active_days: np.ndarray,
    lift_after_days: np.ndarray,
    until: bool,
    ramp_down: bool,
    day: int,
) -> np.ndarray:
    """The crisis agreement's declared periods advanced to today, region by region (``CrisisAgreement.regions_active``):
    a region where the lever is ``on`` and the agreement not declared declares it today (``declared``, the day; no
    longer ``ending``); ``days_below`` counts the days in a row the region has not been on; a declared region that is
    not on is lifted (``declared`` -1, ``ending`` if ``ramp_down``) unless held: declared fewer than
    ``min_active_days`` ago, fewer than ``lift_after_days`` days below, or ``until`` (the national end date not passed).
    Updates the three arrays in place; returns where the agreement is active today.

    The same per-region rule as the twenty NumPy calls over 21 regions it replaced (issue #18)."""
    n = on.shape[0]
    active = np.empty(n, dtype=np.bool_)
    for r in range(n):
        was = declared[r] >= 0
        new = on[r] and not was
        if new:
            declared[r] = day
            ending[r] = False
        days_below[r] = 0 if (on[r] or new) else days_below[r] + 1
        held = day - declared[r] < min_active_days[r] or days_below[r] < lift_after_days[r] or until
        if was and not on[r] and not held:
            declared[r] = -1
            ending[r] = ramp_down
        active[r] = declared[r] >= 0
    return active


@njit(cache=True)
def loan_requests_offers(
    required: np.ndarray,
    supply: np.ndarray,
    on: np.ndarray,
    lends: np.ndarray,
    per_head: float,
    keep: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The loans coordinator's day for one profession, by region (``Coordinator.match``): the heads a region where
    loans are ``on`` asks for (its forecast ICU need ``required`` above the hours its ICU staff give, ``supply``, in
    heads of ``per_head`` hours, rounded up) and the heads a region that ``lends`` offers (its supply above ``keep`` ×
    its need, rounded down); 0 elsewhere.

    The same operations per region as the NumPy code it replaced (issue #18), in one pass."""
    n = required.shape[0]
    requests = np.zeros(n, dtype=np.int64)
    offers = np.zeros(n, dtype=np.int64)
    for r in range(n):
        need = required[r] - supply[r]
        if on[r] and need > 0:
            requests[r] = np.int64(np.ceil(need / per_head))
        spare = supply[r] - required[r] * keep
        if spare > 0 and lends[r]:
            offers[r] = np.int64(np.floor(spare / per_head))
    return requests, offers


@njit(cache=True)
def course_places(
    on: np.ndarray,
    decided: np.ndarray,
    carry: np.ndarray,
    share: np.ndarray,
    eligible: np.ndarray,
    lead_time_days: int,
    day: int,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """``hygiene_training``'s places of the day, by region: a region where the lever is ``on`` decides on courses today
    if it has not yet (``decided``, the day); courses run from ``lead_time_days`` after the decision; where they run,
    ``share`` × the ``eligible`` staff places a day are added to ``carry`` and its whole part is today's places (taken
    off ``carry``). Updates ``decided`` and ``carry`` in place; returns where courses run, the places (the whole part
    of ``carry`` in every region, as before) and whether any region where they run has a place.

    The same operations per region as the NumPy code it replaced (issue #18), in one pass."""
    n = on.shape[0]
    running = np.empty(n, dtype=np.bool_)
    places = np.empty(n, dtype=np.int64)
    any_place = False
    for r in range(n):
        if decided[r] < 0 and on[r]:
            decided[r] = day
        running[r] = decided[r] >= 0 and day >= decided[r] + lead_time_days
        if running[r]:
            carry[r] += share[r] * eligible[r]
        places[r] = np.int64(np.floor(carry[r]))
        if running[r]:
            carry[r] -= places[r]
            if places[r] > 0:
                any_place = True
    return running, places, any_place


@njit(cache=True)
def present_by_region(
    ids: np.ndarray, place: np.ndarray, status: np.ndarray, workplace: np.ndarray, region: np.ndarray, n_regions: int
) -> np.ndarray:
    """Of staff ``ids``, those active and at work in ``place`` (one workplace each: where they are lent to), counted by
    their ``region``: ``home_cooperation``'s staff-days in the other home today. One pass instead of two masks, a
    compaction and ``np.bincount`` (issue #18); whole counts, the same numbers."""
    out = np.zeros(n_regions, dtype=np.int64)
    for j in range(ids.shape[0]):
        i = ids[j]
        if status[i] == ACTIVE and workplace[i] == place[j]:
            out[region[i]] += 1
    return out


# ---- issue #18: ICU beds and physician rounds (sim.levers.bed_expansion, sim.levers.physician_rounds) ----
@njit(cache=True, inline="always")
def _maximum(a: float, b: float) -> float:
    """NumPy's ``maximum`` of two floats, bit for bit: NaN if either is NaN, else the larger, the second on a tie (so
    ``maximum(-0.0, 0.0)`` is +0.0, as NumPy gives it). Python's ``max`` differs on both (the first on a tie, and a NaN
    second argument is passed over), which the kernels that replace NumPy lines must not."""
    if a > b or a != a:
        return a
    return b


@njit(cache=True, inline="always")
def _minimum(a: float, b: float) -> float:
    """NumPy's ``minimum`` of two floats, bit for bit (see ``_maximum``); ``np.clip(x, lo, hi)`` is
    ``_minimum(_maximum(x, lo), hi)``."""
    if a < b or a != a:
        return a
    return b


@njit(cache=True)
def open_icu_beds(
    forecast: np.ndarray,
    occupancy: np.ndarray,
    normal: np.ndarray,
    ceiling: np.ndarray,
    on: np.ndarray,
    enabled: np.ndarray,
    wanted: np.ndarray,
    day: int,
    lead: int,
    beds: np.ndarray,
    icu_patients: np.ndarray,
    step: np.ndarray,
) -> np.ndarray:
    """``BedExpansion.act``'s rule, region by region, in one call instead of a dozen NumPy calls on 21 values: the beds
    each region wants today (``wanted[day]``: its ceiling where the lever is on, else its forecast patients at the target
    occupancy within [normal, ceiling]; normal where ``enabled`` is false), and the beds open today, which move by at most
    ``step`` towards what was wanted ``lead`` days ago (normal before) and never close a bed with a patient in it.
    Returns the beds open today. The same operations as the NumPy rule (``np.clip`` is a maximum then a minimum; NumPy's
    ties and NaN kept by ``_maximum`` and ``_minimum``), so the same numbers."""
    out = np.empty(beds.shape[0])
    for r in range(beds.shape[0]):
        for_load = _minimum(_maximum(forecast[r] / occupancy[r], normal[r]), ceiling[r])
        wanted[day, r] = (ceiling[r] if on[r] else for_load) if enabled[r] else normal[r]
        target = wanted[day - lead, r] if day >= lead else normal[r]
        b = beds[r]
        if target > b:
            out[r] = _minimum(b + step[r], target)
        else:
            out[r] = _maximum(_maximum(b - step[r], target), _minimum(icu_patients[r], b))
    return out


@njit(cache=True)
def physician_rounds_day(
    on: np.ndarray,
    home_region: np.ndarray,
    outbreak_only: bool,
    infected: np.ndarray,
    visits_per_week: np.ndarray,
    digital_per_week: np.ndarray,
    hours_per_visit: float,
    hours_per_digital_round: float,
    visits: np.ndarray,
    digital_rounds: np.ndarray,
    n_regions: int,
) -> np.ndarray:
    """``PhysicianRounds.act``'s rule, home by home: each home of a region where the lever is ``on`` (with
    ``outbreak_only`` only a home with an infected resident) gets its region's rounds a week added to ``visits`` and
    ``digital_rounds`` (in place). Returns the physician hours a day of the added rounds by region, summed in the order
    of the homes (as ``np.bincount`` sums its weights), so the same numbers as the NumPy rule."""
    hours = np.zeros(n_regions)
    for h in range(home_region.shape[0]):
        r = home_region[h]
        here = on[r] and (not outbreak_only or infected[h] > 0)
        v = visits_per_week[r] * (1.0 if here else 0.0)  # as NumPy's rounds × the boolean, NaN and signs alike
        d = digital_per_week[r] * (1.0 if here else 0.0)
        visits[h] += v
        digital_rounds[h] += d
        hours[r] += (v * hours_per_visit + d * hours_per_digital_round) / 7.0
    return hours


@njit(cache=True)
def call_recruits(
    ids: np.ndarray,
    region: np.ndarray,
    status: np.ndarray,
    days_left: np.ndarray,
    onboarding_days: np.ndarray,
    levels: np.ndarray,
    normal_days: np.ndarray,
    release_after: np.ndarray,
    on: np.ndarray,
    per_day: np.ndarray,
) -> None:
    """``Recruitment.act``'s rule in one call (sim.levers.recruitment): each region's days in a row at the normal level
    (``normal_days``, in place); the active recruits (``ids``) of a region that has been normal for ``release_after`` days
    go back to reserve; then, in the order of ``ids``, the first ``per_day`` recruits in reserve of each region where the
    lever is ``on`` are called: into onboarding for their ``onboarding_days`` (active at once without one). The same
    people as the NumPy rule (releases before calls; a region's rank counted in order, as ``rank_within``)."""
    for r in range(levels.shape[0]):
        normal_days[r] = normal_days[r] + 1 if levels[r] == 0 else 0
    for j in range(ids.shape[0]):
        i = ids[j]
        if status[i] == ACTIVE and normal_days[region[i]] >= release_after[region[i]]:
            status[i] = RESERVE
    called = np.zeros(per_day.shape[0], dtype=np.int64)
    for j in range(ids.shape[0]):
        i = ids[j]
        r = region[i]
        if status[i] == RESERVE and on[r]:
            if called[r] < per_day[r]:
                days = onboarding_days[i]
                status[i] = TRAINING if days > 0 else ACTIVE
                days_left[i] = days
            called[r] += 1


@njit(cache=True)
def cut_hourly_home_staff(
    cut: np.ndarray,
    permanent: np.ndarray,
    region: np.ndarray,
    status: np.ndarray,
    posting: np.ndarray,
    workplace: np.ndarray,
    home: np.ndarray,
    max_hours: np.ndarray,
    banned: np.ndarray,
    on: np.ndarray,
    overtime_max_hours: float,
) -> None:
    """``NursingHomeMeasures``' fewer hourly temps in one call (sim.levers.nursing_home_measures): the hourly home staff
    of ``cut`` kept in reserve in a region whose ban was lifted today (``banned`` yesterday, not ``on`` today) come back to
    their home; those active, not posted, in a region where the lever is ``on`` go to reserve; the ``permanent`` home
    staff of such a region may work up to ``overtime_max_hours`` a day; then ``banned`` becomes ``on`` (in place). The
    same people and hours as the NumPy rule (a person can only come back where the lever is off, and only go where it
    is on, so one pass gives both)."""
    for j in range(cut.shape[0]):
        i = cut[j]
        r = region[i]
        if status[i] == RESERVE and banned[r] and not on[r]:
            status[i] = ACTIVE
            workplace[i] = home[i]
        elif status[i] == ACTIVE and posting[i] < 0 and on[r]:
            status[i] = RESERVE
    for j in range(permanent.shape[0]):
        i = permanent[j]
        if on[region[i]]:
            max_hours[i] = _maximum(np.float64(max_hours[i]), overtime_max_hours)
    for r in range(on.shape[0]):
        banned[r] = on[r]


@njit(cache=True)
def work_infection_rates(
    work_rate: np.ndarray,
    icu_ids: np.ndarray,
    covid_icu: np.ndarray,
    census: np.ndarray,
    covid_ward_ids: np.ndarray,
    home_workplace: np.ndarray,
    staff_exposure_rate: float,
    infected: np.ndarray,
    alive: np.ndarray,
) -> np.ndarray:
    """The staff's hazard of infection at work today by workplace (``MobilisationModel._assign_hours``; home care's is
    set after): each ICU's work rate times its share of COVID patients, each COVID ward's work rate, each nursing home's
    exposure rate times its infected residents per resident alive (at least 1), zero elsewhere. The same operations as
    the NumPy lines it replaces, so the same numbers."""
    out = np.zeros(work_rate.shape[0])
    for k in range(icu_ids.shape[0]):
        w = icu_ids[k]
        out[w] = work_rate[w] * (covid_icu[k] / census[w] if census[w] > 0 else 0.0)
    for k in range(covid_ward_ids.shape[0]):
        w = covid_ward_ids[k]
        out[w] = work_rate[w] * 1.0
    for h in range(home_workplace.shape[0]):
        out[home_workplace[h]] = staff_exposure_rate * np.float64(infected[h]) / np.float64(max(alive[h], 1))
    return out


@njit(cache=True)
def day_census(
    census: np.ndarray,
    census_base: np.ndarray,
    icu_ids: np.ndarray,
    covid_icu: np.ndarray,
    covid_ward_ids: np.ndarray,
    covid_ward: np.ndarray,
    scale: float,
    home_workplace: np.ndarray,
    home_residents: np.ndarray,
    home_dead: np.ndarray,
    home_infected: np.ndarray,
    home_extra_care: float,
    hc_workplace: np.ndarray,
    hc_clients: np.ndarray,
    hc_susceptible: np.ndarray,
    hc_infected: np.ndarray,
    hc_recovered: np.ndarray,
    hc_extra_care: float,
) -> None:
    """``MobilisationModel._census`` in one call: each unit's normal census, the ICUs' COVID patients (``covid_icu``,
    model scale) on top, the COVID wards' patients (``covid_ward`` × ``scale``), each nursing home's living residents
    plus the extra care of the infected, and each home-care service's ``sim.homecare.census`` (1 without clients).
    Written into ``census``; the same operations as the NumPy lines, so the same numbers."""
    for w in range(census.shape[0]):
        census[w] = census_base[w]
    for k in range(icu_ids.shape[0]):
        census[icu_ids[k]] += covid_icu[k]
    for k in range(covid_ward_ids.shape[0]):
        census[covid_ward_ids[k]] = covid_ward[k] * scale
    for h in range(home_workplace.shape[0]):
        alive = home_residents[h] - home_dead[h]
        census[home_workplace[h]] = np.float64(alive) + home_extra_care * np.float64(home_infected[h])
    for m in range(hc_workplace.shape[0]):
        alive = hc_susceptible[m] + hc_infected[m] + hc_recovered[m]
        need = np.float64(alive) + hc_extra_care * np.float64(hc_infected[m])
        census[hc_workplace[m]] = need / np.float64(hc_clients[m]) if hc_clients[m] > 0 else 1.0


@njit(cache=True)
def cohort_ward_shares(required: np.ndarray, covid_ward_ids: np.ndarray, acute_ids: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """``sim.agents.Region.plan_all``'s rule in one call: per region and profession, the COVID ward's required hours not
    yet covered by the staff there (``supply``), as a share of those and the acute ward's required hours (0 where both
    are 0). The same operations as NumPy's ``maximum`` (``_maximum``) and ``divide``, so the same numbers."""
    n_regions, n_professions = supply.shape
    out = np.zeros((n_regions, n_professions))
    for r in range(n_regions):
        for p in range(n_professions):
            covid = _maximum(required[covid_ward_ids[r], p] - supply[r, p], 0.0)
            total = covid + required[acute_ids[r], p]
            if total > 0:
                out[r, p] = covid / total
    return out


# ---- issue #18: building the model (sim.demand's ICU occupancy) ----
@njit(cache=True)
def convolve_days(admissions: np.ndarray, survival: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``sim.demand.occupancy_from_admissions`` of the days ``start`` to ``stop`` (days, regions): for each day d and
    region r, ``Σ_k survival[k] · admissions[d − k, r]`` over k from 0, each product rounded and added in the order of k
    as the NumPy loop over k did (one multiplication and one addition per term, no fused multiply-add), so the sums are
    the same bit for bit; one pass instead of a NumPy pass per day of the stay."""
    n_regions = admissions.shape[1]
    out = np.zeros((max(stop - start, 0), n_regions))
    for d in range(start, stop):
        for k in range(min(survival.shape[0], d + 1)):
            s = survival[k]
            for r in range(n_regions):
                out[d - start, r] += s * admissions[d - k, r]
    return out
