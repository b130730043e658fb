"""Build the synthetic Sweden of a scenario: workplaces, nursing homes and staff as arrays.

The layout (municipality sizes, homes, who works where, contracts) is drawn
from ``world.layout_seed``, not from the run's seed, so that replications and
compared strategies run on the same Sweden and differ only in what happens.

Workplaces are numbered: first one unit of each region kind per region
(``region * 5 + kind``), then the nursing homes, then one home-care service
per municipality.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from sim import ages, data, education, kernels
from sim.categories import (
    ACTIVE,
    ACUTE_WARD,
    CONTRACTS,
    COVID_WARD,
    ELECTIVE,
    EMPLOYERS,
    ENTRANT,
    HOME_CARE,
    HOURLY,
    ICU,
    MUNICIPAL_UNIT_KINDS,
    N_PROFESSIONS,
    NURSING_HOME,
    PERMANENT,
    POOL,
    PRIMARY_CARE,
    PROFESSIONS,
    REGION_UNIT_KINDS,
    RESERVE,
    RESERVOIR_CONTRACTS,
    RESERVOIR_KINDS,
    SPECIALISING,
    UNIT_KINDS,
)
from sim.errors import ScenarioError
from sim.lookup import LookupArray

if TYPE_CHECKING:  # world is built from a scenario but needs only its values (the levers import world, the scenario imports the levers)
    from sim.scenario import Scenario

N_REGION_KINDS = len(REGION_UNIT_KINDS)
#: Professions that a pool deploys to the ICU (the others go to the COVID ward).
ICU_PROFESSIONS = ("icu_nurse", "icu_physician", "anaesthesia_nurse")


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole number in proportion to weights, by largest remainder (sums exactly to total)."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(weights.shape[0], dtype=np.int64)
    exact = total * weights / weights.sum()
    out = np.floor(exact).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        out[np.argsort(-(exact - out), kind="stable")[:rest]] += 1
    return out


def priority_order(priority: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """``np.lexsort((priority, *keys))``: the order by the last key, then the one before it, ..., then ``priority``, ties
    in order of position; faster (issue #18). Where no two priorities are equal (random draws: the staff's fixed
    priority) every sort of them gives the one order a stable sort gives, so the quicker unstable one is used; the keys,
    small integers, are then sorted stably (as int16, by radix, where they fit)."""
    order = np.argsort(priority)
    ranked = priority[order]
    if not np.all(ranked[1:] > ranked[:-1]):  # equal priorities (or NaN): their order is their position's
        order = np.argsort(priority, kind="stable")
    for key in keys:
        order = order[stable_argsort(key[order])]
    return order


def stable_argsort(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")``, faster for small integers: those that fit in int16 are sorted as int16,
    which NumPy sorts by radix (some 8 times faster; a stable sort's order is the same whatever sorts it, issue #18)."""
    if values.dtype.kind in "iu" and values.size and np.iinfo(np.int16).min <= values.min() and values.max() <= np.iinfo(np.int16).max:
        values = values.astype(np.int16)
    return np.argsort(values, kind="stable")


def apportion_rows(totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``apportion(total, weights)`` of each of ``totals``, the same weights: one row each (issue #18: at once, the same
    whole numbers; a stable sort's order is the same whatever sorts it)."""
    weights = np.asarray(weights, dtype=float)
    totals = np.asarray(totals, dtype=np.int64)
    out = np.zeros((totals.shape[0], weights.shape[0]), dtype=np.int64)
    live = totals > 0
    if weights.sum() <= 0 or not live.any():
        return out
    exact = totals[live, None] * weights / weights.sum()
    whole = np.floor(exact).astype(np.int64)
    rest = totals[live] - whole.sum(axis=1)
    order = np.argsort(-(exact - whole), axis=1, kind="stable")
    np.put_along_axis(whole, order, np.take_along_axis(whole, order, axis=1) + (np.arange(weights.shape[0]) < rest[:, None]), axis=1)
    out[live] = whole
    return out


@dataclass(frozen=True)
class Queue:
    """Staff grouped by (region, profession) in a fixed priority order, for deployments.

    Group g is ``order[start[g]:start[g + 1]]``; ``region[g]`` and ``profession[g]`` name it.
    ``members`` holds the same staff in id order and ``member_group`` the group of each, so that
    counts over a group can read the staff arrays in memory order rather than in priority order;
    ``order_member[j]`` is the place in ``members`` of ``order[j]`` (where the count marked who is free).
    """

    order: np.ndarray
    start: np.ndarray
    region: np.ndarray
    profession: np.ndarray
    members: np.ndarray
    member_group: np.ndarray
    order_member: np.ndarray

    @classmethod
    def build(cls, ids: np.ndarray, region: np.ndarray, profession: np.ndarray, priority: np.ndarray) -> Queue:
        order = ids[priority_order(priority[ids], profession[ids], region[ids])].astype(np.int64)
        key = region[order].astype(np.int64) * N_PROFESSIONS + profession[order]
        bounds = np.flatnonzero(np.diff(key)) + 1
        if order.shape[0] == 0:  # no staff: no group
            start, first = np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
        else:
            start = np.concatenate([[0], bounds, [order.shape[0]]]).astype(np.int64)
            first = order[start[:-1]]
        group_of = np.repeat(np.arange(start.shape[0] - 1, dtype=np.int64), np.diff(start))
        by_id = np.argsort(order, kind="stable")
        order_member = np.empty_like(by_id)
        order_member[by_id] = np.arange(by_id.shape[0])
        return cls(
            order, start, region[first].astype(np.int64), profession[first].astype(np.int64), order[by_id], group_of[by_id], order_member
        )

    def __len__(self) -> int:
        return int(self.start.shape[0] - 1)


def _read_only(a: np.ndarray) -> np.ndarray:
    """``a``, not writeable: a per-person array derived on each read (issue #18), where a write would be lost."""
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class FixedDraws:
    """The staff's fixed random draws, drawn again on each read instead of stored (issue #18), bit for bit as
    ``build_world`` first drew them: the regular staff's ``priority``, ``vacation_u`` and ``pool_u`` are ``n`` draws each,
    in that order, from the layout's generator in the state ``state``; the levers' ``n_levers`` rows have 1, NaN and 1;
    the ``n_entrants`` entrants' three come from a stream of their own (``[layout_seed, 19]``)."""

    state: dict
    n: int
    n_levers: int
    n_entrants: int
    layout_seed: int

    def draw(self, which: int) -> np.ndarray:
        """Draw ``which`` (0 priority, 1 vacation_u, 2 pool_u) of every row."""
        bits = getattr(np.random, self.state["bit_generator"])()
        bits.state = self.state
        rng = np.random.Generator(bits)
        for _ in range(which):
            rng.random(self.n)
        fill = np.nan if which == 1 else 1.0
        parts = [rng.random(self.n), np.full(self.n_levers, fill)]
        if self.n_entrants:
            parts.append(np.random.default_rng([self.layout_seed, 19]).random((3, self.n_entrants))[which])
        return _read_only(np.concatenate(parts))


@dataclass
class StaffArrays:
    """Staff state: one array per attribute, indexed by staff id (``World.staff``).

    Not the Mesa agent ``sim.agents.Staff``, a view of one person in these arrays.
    """

    profession: np.ndarray  # int8, index into PROFESSIONS
    employer: np.ndarray  # int8, 0 region, 1 municipality
    region: np.ndarray  # int16
    home: np.ndarray  # int16 (kernels.WP), home workplace
    workplace: np.ndarray  # int16 (kernels.WP), today's workplace
    contract: np.ndarray  # int8
    # contracted hours per day, and most hours per day without the crisis agreement, by contract (index into CONTRACTS;
    # every row of a contract has the same: ``base_hours`` and ``normal_max_hours`` give them per person)
    base_hours_by_contract: np.ndarray
    normal_max_hours_by_contract: np.ndarray
    # the continuous state below (max_hours, fatigue, fatigue_sustained, hours_worked, effectiveness, and the tables of
    # posting_effectiveness and hygiene) has dtype kernels.FS (float64; float32 is docked, issue #18): computed in float64
    max_hours: np.ndarray  # most hours per day today (levers may raise it)
    # daily probability of an ordinary sick spell by employer (``other_sick_rate`` gives it per person)
    other_sick_rate_by_employer: np.ndarray
    status: np.ndarray  # int8, index into STATUSES
    days_left: np.ndarray  # int16 (kernels.DAY), days left in the current status (sick spell, off duty, training)
    fatigue: np.ndarray
    fatigue_sustained: np.ndarray
    infected_day: np.ndarray  # int16 (kernels.DAY), -1 if never infected
    symptomatic: np.ndarray  # bool
    hours_worked: np.ndarray  # hours worked today
    last_other_home_day: np.ndarray  # int16 (kernels.DAY), last day worked at another nursing home (kernels.NEVER_DAY: never)
    role: np.ndarray  # int8, the profession whose hours this person supplies today (a trained nurse in ICU: icu_nurse)
    effectiveness: np.ndarray  # today's care per hour relative to a regular member of the role
    # effectiveness in the own profession (recruits below 1; float64): a value per class (1, a reservoir's, a course's),
    # held as a one-byte code per person (sim.lookup, issue #18), as are posting_effectiveness and hygiene
    base_effectiveness: LookupArray
    trained: np.ndarray  # bool, has finished a ICU upskilling course (regular staff only)
    posting: np.ndarray  # int16 (kernels.WP), workplace of a loan, pool deployment or support posting (-1 none)
    posting_until: np.ndarray  # int16 (kernels.DAY), day the posting ends
    posting_kind: np.ndarray  # int8, index into POSTINGS
    posting_role: np.ndarray  # int8, role while posted
    posting_effectiveness: LookupArray  # effectiveness while posted, relative to the own (the posting's: per class)
    agreement_days: np.ndarray  # int16 (kernels.DAY), consecutive days placed under the crisis agreement
    agreement_rest: np.ndarray  # bool, off duty resting after a crisis-agreement placement
    agreement_declared: np.ndarray  # int16 (kernels.DAY), day of the declaration under which the last placement started (-1 never)
    hygiene: LookupArray  # skill in basic hygiene routines (basal vårdhygien), 0–1 (nursing_homes.hygiene by profession and
    # contract; courses raise it to their level)
    # the fixed draws (``priority``, ``vacation_u``, ``pool_u``): not stored, drawn again from the layout's generator on
    # each read (issue #18: 24 bytes per person less); levers read them when they are built
    draws: FixedDraws
    n_regular: int  # rows before this are the regular workforce; after: recruits and additional pool members
    n_entrants: int = 0  # the last rows: people who will enter the workforce (supply over years, issue #17; 0 without it)
    # years of age at the run's start (float32; sim.ages): the staff of the start from their profession's age structure,
    # entrants from their age at graduation; age on day d is age + d / 365.25. Held only for a run that reads it
    # (``supply.retirement = "age"``; empty otherwise: 4 bytes per person less, issue #18); drawn from a generator of its
    # own, so holding it or not moves no other number
    age: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def __len__(self) -> int:
        return int(self.profession.shape[0])

    @property
    def base_hours(self) -> np.ndarray:
        """Contracted hours per day of each person (a new array from ``base_hours_by_contract``)."""
        return _read_only(self.base_hours_by_contract[self.contract])

    @property
    def normal_max_hours(self) -> np.ndarray:
        """Most hours per day without the crisis agreement of each person (a new array from ``normal_max_hours_by_contract``)."""
        return _read_only(self.normal_max_hours_by_contract[self.contract])

    @property
    def other_sick_rate(self) -> np.ndarray:
        """Daily probability of an ordinary sick spell of each person (a new array from ``other_sick_rate_by_employer``)."""
        return _read_only(self.other_sick_rate_by_employer[self.employer])

    @property
    def priority(self) -> np.ndarray:
        """Fixed random rank for deployment queues (recruits and additional pool members: 1, first in every queue)."""
        return self.draws.draw(0)

    @property
    def vacation_u(self) -> np.ndarray:
        """Fixed draw that places the summer vacation in its window (NaN: no vacation)."""
        return self.draws.draw(1)

    @property
    def pool_u(self) -> np.ndarray:
        """Fixed draw that selects members of a drawn national pool."""
        return self.draws.draw(2)

    @property
    def first_entrant(self) -> int:
        """The first entrant's row (supply over years): rows from ``n_regular`` to here are the levers' recruits and pool members."""
        return len(self) - self.n_entrants

    def workforce_rows(self) -> np.ndarray:
        """Rows of the workforce: the staff of the start and the supply's entrants (who work once they have started),
        without the levers' recruits and pool members between them. Without entrants, ``0 .. n_regular``."""
        if self.n_entrants == 0:
            return np.arange(self.n_regular, dtype=np.int64)
        return np.r_[0 : self.n_regular, self.first_entrant : len(self)].astype(np.int64)


def per_person_arrays(n: int, *owners: object) -> dict[str, np.ndarray | LookupArray]:
    """Every numpy array and ``LookupArray`` with one entry per staff row (first axis ``n``) that the ``owners`` hold as
    attributes, by ``<owner's class>.<attribute>``; an array held twice counts once (issue #18 measures the state with
    it: a ``LookupArray``'s ``nbytes`` are its codes and its table)."""
    out: dict[str, np.ndarray | LookupArray] = {}
    seen: set[int] = set()
    for owner in owners:
        for name, value in vars(owner).items():
            per_person = isinstance(value, LookupArray) or (isinstance(value, np.ndarray) and value.ndim >= 1)
            if per_person and value.shape[0] == n and id(value) not in seen:
                seen.add(id(value))
                out[f"{type(owner).__name__}.{name}"] = value
    return out


def bytes_per_person(*owners: object) -> dict[str, float]:
    """Bytes per staff row of every per-person array the ``owners`` hold (``per_person_arrays``); the first owner must
    be the ``StaffArrays`` (it gives the number of rows). ``benchmarks/state_bytes.py`` prints them."""
    n = len(owners[0])  # type: ignore[arg-type]
    return {name: value.nbytes / n for name, value in per_person_arrays(n, *owners).items()}


def staff_hygiene(scenario: Scenario, profession: np.ndarray, contract: np.ndarray) -> np.ndarray:
    """Each staff member's skill in basic hygiene routines: their profession's (``nursing_homes.hygiene``), times
    ``nursing_homes.hygiene_hourly_factor`` for hourly staff."""
    nh = scenario.nursing_homes
    by_profession = np.array([nh.hygiene[p] for p in PROFESSIONS])
    return by_profession[profession] * np.where(contract == HOURLY, nh.hygiene_hourly_factor, 1.0)


#: Deprecated: the old name of ``StaffArrays``, kept for code that imported it; easily confused with the
#: Mesa agent ``sim.agents.Staff``.
Staff = StaffArrays


@dataclass
class World:
    """Everything a run needs that does not change with the run's seed."""

    scenario: Scenario
    regions: pd.DataFrame
    municipality_region: np.ndarray
    municipality_population: np.ndarray
    workplace_kind: np.ndarray
    workplace_region: np.ndarray
    workplace_municipality: np.ndarray  # -1 for region units
    workplace_home: np.ndarray  # home index, -1 if not a nursing home
    norm: np.ndarray  # (workplaces, professions) hours per census unit per day
    census_base: np.ndarray  # (workplaces,) normal census (patients, residents or 1 = normal demand)
    home_workplace: np.ndarray  # workplace id of each home
    home_region: np.ndarray
    home_residents: np.ndarray
    home_hourly_share: np.ndarray
    muni_home_start: np.ndarray  # CSR: homes of municipality m are muni_homes[start[m]:start[m+1]]
    muni_homes: np.ndarray  # workplace ids
    hc_workplace: np.ndarray  # workplace id of each municipality's home-care service (municipality m: first_hc + m)
    hc_clients: np.ndarray  # home-care clients of each municipality (model units)
    staff: StaffArrays
    acute_queue: Queue  # acute-ward staff by (region, profession), in priority order
    elective_queue: Queue  # elective-care staff by (region, profession), in priority order
    nursing_home_staff: np.ndarray  # staff ids whose home is a nursing home
    hourly_home_staff: np.ndarray  # hourly staff ids whose home is a nursing home
    reference_hours: float
    # per staff row: the recruitment reservoir it was drawn from (index into sim.levers.recruitment.RESERVOIR_KINDS), -1 for
    # regular staff and additional pool members
    recruit_reservoir: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    extras: dict = field(default_factory=dict)
    # per entrant (staff row staff.first_entrant + j; supply over years, issue #17): the day they start work, and whether
    # they were licensed from abroad (else a graduate); empty without [supply]
    entry_day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    entrant_licensed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    # registered nurses who train in a specialist programme within the run (supply.education.specialisation;
    # ``specialisation_plan``): arrays row, start_day, end_day, profession, home; empty without it
    specialisation: dict = field(default_factory=dict)

    @property
    def n_workplaces(self) -> int:
        return int(self.workplace_kind.shape[0])

    @property
    def tally_group(self) -> np.ndarray:
        """Each staff member's (region, employer, profession) group index (``kernels.GROUP``): a new array on each read, from
        the staff's own (issue #18: 2 bytes per person not held; read when the recorder groups the staff, at the start and
        after the supply changed a person's profession)."""
        s = self.staff
        return ((s.region.astype(np.int64) * len(EMPLOYERS) + s.employer) * N_PROFESSIONS + s.profession).astype(kernels.GROUP)

    @functools.cached_property
    def n_regions(self) -> int:
        """The regions' count, kept: the day reads it some 25 times, and ``len`` of a DataFrame is a pandas call (issue #18)."""
        return len(self.regions)

    def unit_id(self, region: int, kind: int) -> int:
        """Workplace id of a region's unit of a given kind."""
        return region * N_REGION_KINDS + kind


def _regions_with_beds(scenario: Scenario, profile: dict[tuple[str, str], float] | None = None) -> pd.DataFrame:
    """The regions with their ICU beds: the data's share of each region, times the scenario's national totals.

    ``icu_beds_2019`` shares out ``world.icu_beds_2019`` in proportion to the regions' pre-pandemic beds of the data
    (``icu_beds_2017``), ``icu_beds_surge`` shares out ``world.icu_beds_surge`` in proportion to Folkhälsomyndigheten's
    April 2020 estimate (``sim/data/regional/icu_beds_by_region.csv``): the data say how beds are spread, the
    facts how many there are nationally (526 and ≈1,100; the data's sums are 516 and 1,087).
    """
    reg = data.regions().reset_index(drop=True)
    beds = data.icu_beds().reindex(reg["code"])
    for column, source, national in (
        ("icu_beds_2019", "icu_beds_2017", scenario.world.icu_beds_2019),
        ("icu_beds_surge", "icu_beds_surge_april_2020_est", scenario.world.icu_beds_surge),
    ):
        regional = beds[source].to_numpy(float)
        reg[column] = national * regional / regional.sum()
    if profile:  # a region profile's own beds (full scale) replace the region's share; the built-in ones weight ICU staff
        reg["icu_beds_2019_data"] = reg["icu_beds_2019"].copy()
        for (code, item), value in profile.items():
            if item in ("icu_beds_2019", "icu_beds_surge"):
                reg.loc[reg["code"] == code, item] = value
        for code, normal, surge in zip(reg["code"], reg["icu_beds_2019"], reg["icu_beds_surge"], strict=True):
            if normal > surge and ((code, "icu_beds_2019") in profile or (code, "icu_beds_surge") in profile):
                raise ScenarioError(
                    str(scenario.world.region_profile),
                    "world.region_profile",
                    f"{code} has {normal:,.0f} ICU beds before the pandemic (icu_beds_2019) and {surge:,.0f} at the surge "
                    "(icu_beds_surge); expected the surge to have at least as many: give both",
                )
    return reg


def region_profile(scenario: Scenario) -> dict[tuple[str, str], float]:
    """The scenario's region profile (``world.region_profile``) as ``{(region code, item): value}``; empty without one."""
    path = scenario.world.region_profile
    return data.read_region_profile(path) if path is not None else {}


def region_figures(scenario: Scenario, reg: pd.DataFrame, scale: float, profile: dict[tuple[str, str], float]) -> dict[str, np.ndarray]:
    """Staff, nursing homes and residents per region at ``scale``, as the world builds them: one array per profile item.

    Built-in figures: the national counts of ``staff.csv`` and ``world.nursing_homes`` / ``world.nursing_home_residents``
    times the scale, split over the regions by largest remainder, in proportion to population (ICU staff: to the
    regions' pre-pandemic ICU beds of the data, whatever the profile says of beds); every region has at least one
    nursing home. A region and item of the ``profile`` (full-scale) replace the built-in figure with
    ``round(value × scale)`` (at least one home); the other regions keep theirs, so national totals change.
    Home-care clients (``home_care.clients``) are shared by population like the residents (none without home care).
    """
    w_cfg, wf = scenario.world, scenario.workforce
    n_reg = len(reg)
    pop = reg["population"].to_numpy(float)
    codes = list(reg["code"])
    beds = reg["icu_beds_2019_data"].to_numpy(float) if "icu_beds_2019_data" in reg else reg["icu_beds_2019"].to_numpy(float)
    out: dict[str, np.ndarray] = {}
    for name, employer, count in data.national_staff_counts():
        total = round(count * scale)
        if employer == "region":
            mix = wf.region_mix.get(name, {})
            icu_staff = mix.get("icu", 0.0) > 0 and name != "physician"
            out[f"staff.{name}.{employer}"] = apportion(total, beds if icu_staff else pop)
        else:
            out[f"staff.{name}.{employer}"] = apportion(total, pop)
    n_homes_total = max(round(w_cfg.nursing_homes * scale), n_reg)
    out["nursing_homes"] = np.maximum(apportion(n_homes_total - n_reg, pop), 0) + 1
    out["nursing_home_residents"] = apportion(max(round(w_cfg.nursing_home_residents * scale), n_reg), pop)
    out["home_care_clients"] = apportion(round(scenario.home_care.clients * scale), pop)
    for (code, item), value in profile.items():
        if item in out:
            n = round(value * scale)
            out[item][codes.index(code)] = max(n, 1) if item == "nursing_homes" else n
    return out


#: The scenario's sections that the layout reads whole (``layout_inputs``), and the values it reads of three others.
LAYOUT_SECTIONS = ("time", "world", "workforce", "norms", "home_care", "levers", "supply")
LAYOUT_VALUES = {
    "absence": ("other_share_region", "other_share_municipality", "other_mean_days"),
    "fatigue": ("intensity",),
    "nursing_homes": ("hygiene", "hygiene_hourly_factor"),
}
#: Layouts built in this process (``build_world``), the most recently used last: key -> (world, staff's starting strain).
_LAYOUTS: OrderedDict[str, tuple[World, np.ndarray]] = OrderedDict()
_LAYOUTS_KEPT = 2  # a calibration reuses one
#: Layouts of more staff are not kept: at scale 1 a layout holds some 37 MB, which a kept one adds to a full-scale run's
#: peak memory (479 → 507 MiB for the year, side by side) to save 0.4 s of its 7–9 s.
LAYOUT_KEPT_MAX_STAFF = 100_000
_LAYOUTS_LOCK = threading.Lock()


def layout_inputs(scenario: Scenario) -> Scenario:
    """The scenario as the layout sees it: ``LAYOUT_SECTIONS`` whole, of ``LAYOUT_VALUES``'s sections only those values,
    and nothing else (None), so that a layout that read anything more would fail rather than be cached under a key
    without it (``layout_key``). Of the levers, not the user's own (``levers.custom``): the layout does not read them,
    and their options may hold what JSON cannot write (an array passed through the Python API)."""
    update: dict[str, Any] = {name: None for name in type(scenario).model_fields if name not in LAYOUT_SECTIONS}
    for name, values in LAYOUT_VALUES.items():
        update[name] = SimpleNamespace(**{v: getattr(getattr(scenario, name), v) for v in values})
    update["levers"] = scenario.levers.model_copy(update={"custom": None})
    return scenario.model_copy(update=update)


def layout_key(inputs: Scenario, profile: dict[tuple[str, str], float]) -> str:
    """Every value the layout reads (``layout_inputs`` and the region profile's figures), as one string: the layouts'
    cache key, in JSON (floats written to the last bit). Dicts keep their order (the reservoirs' order numbers the recruits)."""
    parts = []
    for name in type(inputs).model_fields:
        section = getattr(inputs, name)
        if isinstance(section, BaseModel):
            parts.append(f"{json.dumps(name)}: {section.model_dump_json()}")
        elif isinstance(section, SimpleNamespace):
            parts.append(f"{json.dumps(name)}: {json.dumps(vars(section))}")
    parts.append(f'"profile": {json.dumps([[*k, v] for k, v in profile.items()])}')
    return "{" + ", ".join(parts) + "}"


def build_world(scenario: Scenario) -> World:
    """Build workplaces, homes and staff arrays for a scenario (with its region profile, if it has one).

    The layout depends on the scenario only, not on a run's seed: it is built once per process for the values it reads
    (``layout_key``), and each call returns a deep copy of it (issue #18: a calibration builds the same world some 1,200
    times); a world of more than ``LAYOUT_KEPT_MAX_STAFF`` staff is built for its run alone. The staff's starting
    fatigue is computed anew: it reads ``fatigue.rise``, which a calibration varies.
    """
    profile = region_profile(scenario)
    inputs = layout_inputs(scenario)
    key = layout_key(inputs, profile)
    with _LAYOUTS_LOCK:
        entry = _LAYOUTS.pop(key, None)
    if entry is None:
        entry = _build_layout(inputs, profile)
    layout, strain0 = entry
    if len(layout.staff) > LAYOUT_KEPT_MAX_STAFF:  # a large world: built for this run alone, as before
        world = dataclasses.replace(layout, scenario=scenario)
    else:
        with _LAYOUTS_LOCK:
            _LAYOUTS[key] = entry
            while len(_LAYOUTS) > _LAYOUTS_KEPT:
                _LAYOUTS.popitem(last=False)
        world = copy.deepcopy(layout, memo={id(layout.scenario): scenario})  # every array copied; the run's own scenario
    # fatigue starts at the equilibrium of normal work in the staff member's home unit (reserve: rested)
    f_cfg = scenario.fatigue
    fatigue0 = kernels.fatigue_equilibrium(strain=strain0, rise=f_cfg.rise, recovery=f_cfg.recovery, threshold=f_cfg.threshold)
    world.staff.fatigue = fatigue0.astype(kernels.FS)
    world.staff.fatigue_sustained = fatigue0.astype(kernels.FS)
    return world


def _build_layout(scenario: Scenario, profile: dict[tuple[str, str], float]) -> tuple[World, np.ndarray]:
    """The world of ``build_world`` from ``layout_inputs``, with the staff's strain of normal work at the start (from
    which ``build_world`` computes their fatigue; the world's ``fatigue`` arrays are empty)."""
    w_cfg, wf = scenario.world, scenario.workforce
    scale = w_cfg.scale
    rng = np.random.default_rng([w_cfg.layout_seed, 20200301])
    reg = _regions_with_beds(scenario, profile)
    n_reg = len(reg)
    pop = reg["population"].to_numpy(float)
    figures = region_figures(scenario, reg, scale, profile)

    # municipalities: Zipf-like sizes within each region
    muni_region = np.repeat(np.arange(n_reg), reg["municipalities"].to_numpy())
    rank = np.concatenate([np.arange(1, k + 1) for k in reg["municipalities"]])
    size = rank**-w_cfg.municipality_size_exponent
    muni_pop = np.zeros(muni_region.shape[0])
    for r in range(n_reg):
        sel = muni_region == r
        muni_pop[sel] = pop[r] * size[sel] / size[sel].sum()
    n_muni = muni_region.shape[0]
    # home-care clients: the region's share of home_care.clients over its municipalities by population (sim.homecare)
    hc_clients = np.zeros(n_muni, dtype=np.int64)
    for r in range(n_reg):
        munis = np.flatnonzero(muni_region == r)
        hc_clients[munis] = apportion(int(figures["home_care_clients"][r]), muni_pop[munis])

    # nursing homes: count and residents per region in proportion to population, at least one per region (region_figures)
    homes_per_region = figures["nursing_homes"]
    residents_per_region = figures["nursing_home_residents"]
    home_muni_l, home_res_l, home_reg_l = [], [], []
    for r in range(n_reg):
        munis = np.flatnonzero(muni_region == r)
        per_muni = apportion(int(homes_per_region[r]), muni_pop[munis])
        home_muni = np.repeat(munis, per_muni)
        weights = rng.gamma(4.0, 1.0, home_muni.shape[0])  # spread of home sizes (assumption)
        home_res_l.append(np.maximum(apportion(int(residents_per_region[r]), weights), 1))
        home_muni_l.append(home_muni)
        home_reg_l.append(np.full(home_muni.shape[0], r))
    home_muni = np.concatenate(home_muni_l)
    home_res = np.concatenate(home_res_l).astype(np.int32)
    home_reg = np.concatenate(home_reg_l)
    n_homes = home_muni.shape[0]
    hourly_mean = reg["hourly_share"].to_numpy(float)[home_reg]
    conc = w_cfg.hourly_share_concentration
    home_hourly = rng.beta(hourly_mean * conc, (1 - hourly_mean) * conc)

    # workplaces
    n_units = n_reg * N_REGION_KINDS
    first_home = n_units
    first_hc = n_units + n_homes
    n_wp = first_hc + n_muni
    if n_wp > kernels.MAX_WORKPLACES:
        raise ScenarioError(
            "scenario",
            "world.scale",
            f"{n_wp:,} workplaces, more than the staff's workplace ids hold ({kernels.MAX_WORKPLACES:,}); lower the scale",
        )
    wp_kind = np.concatenate([np.tile(np.arange(N_REGION_KINDS), n_reg), np.full(n_homes, NURSING_HOME), np.full(n_muni, HOME_CARE)])
    wp_region = np.concatenate([np.repeat(np.arange(n_reg), N_REGION_KINDS), home_reg, muni_region])
    wp_muni = np.concatenate([np.full(n_units, -1), home_muni, np.arange(n_muni)])
    wp_home = np.full(n_wp, -1, dtype=np.int32)
    wp_home[first_home:first_hc] = np.arange(n_homes)
    home_wp = np.arange(first_home, first_hc, dtype=np.int32)

    # staff: blocks of identical staff (count, profession, employer, region, home workplace), one array of blocks per
    # profession and region at a time (issue #18: not a Python call per home), expanded at the end; a block of none adds none
    beds = reg["icu_beds_2019"].to_numpy(float)
    blocks: list[np.ndarray] = []
    contracts: list[np.ndarray] = []
    hourly_share = reg["hourly_share"].to_numpy(float)
    region_homes = [np.flatnonzero(home_reg == r) for r in range(n_reg)]
    region_munis = [np.flatnonzero(muni_region == r) for r in range(n_reg)]

    def add(counts: np.ndarray, profession: int, employer: int, region: np.ndarray | int, workplaces: np.ndarray) -> None:
        blocks.append(np.column_stack(np.broadcast_arrays(counts, profession, employer, region, workplaces)).astype(np.int64))

    for name, employer_name, _ in data.national_staff_counts():
        p = PROFESSIONS.index(name)
        per_region = figures[f"staff.{name}.{employer_name}"]
        if employer_name == "region":
            mix = wf.region_mix.get(name)
            if mix is None:
                raise ScenarioError(
                    "scenario", f"workforce.region_mix.{name}", "missing: where do the regions' staff of this profession work?"
                )
            # each region's staff over its unit kinds (workplace r * N_REGION_KINDS + k), all permanent
            counts = apportion_rows(per_region, np.array([mix.get(k, 0.0) for k in REGION_UNIT_KINDS])).ravel()
            add(counts, p, 0, np.repeat(np.arange(n_reg), N_REGION_KINDS), np.arange(n_reg * N_REGION_KINDS))
            contracts.append(np.full(int(counts.sum()), PERMANENT, dtype=np.int8))
        else:
            mix = wf.municipal_mix.get(name)
            if mix is None:
                raise ScenarioError(
                    "scenario", f"workforce.municipal_mix.{name}", "missing: where do municipal staff of this profession work?"
                )
            split = apportion_rows(per_region, np.array([mix.get(k, 0.0) for k in MUNICIPAL_UNIT_KINDS]))  # nursing homes, home care
            for r in range(n_reg):
                homes, munis = region_homes[r], region_munis[r]
                at_homes, at_munis = apportion(int(split[r, 0]), home_res[homes]), apportion(int(split[r, 1]), muni_pop[munis])
                add(np.concatenate([at_homes, at_munis]), p, 1, r, np.concatenate([first_home + homes, first_hc + munis]))
                # hourly with the home's share (home care: the region's), one draw per person in the order of the blocks
                share = np.concatenate([np.repeat(home_hourly[homes], at_homes), np.full(int(at_munis.sum()), hourly_share[r])])
                contracts.append((rng.random(share.shape[0]) < share).astype(np.int8))
    block = np.concatenate(blocks) if blocks else np.zeros((0, 5), dtype=np.int64)
    if block[:, 0].sum() <= 0:
        raise ScenarioError("scenario", "world.scale", "so small that no staff are left; raise the scale")
    profession, employer, region, home = (np.repeat(block[:, c], block[:, 0]) for c in range(1, 5))
    profession, employer = profession.astype(np.int8), employer.astype(np.int8)
    region, home = region.astype(np.int16), home.astype(kernels.WP)
    contract = np.concatenate(contracts).astype(np.int8)
    n = profession.shape[0]

    daily_full = wf.weekly_hours / 7.0
    fte = np.where(contract == HOURLY, wf.fte_hourly, wf.fte_permanent)
    base_hours = daily_full * fte
    absence = np.where(employer == 1, scenario.absence.other_share_municipality, scenario.absence.other_share_region)

    # norms: scenario norms for ICU and COVID ward, normal staffing elsewhere (regular staff only)
    attended = np.zeros((n_wp, N_PROFESSIONS))
    np.add.at(attended, (home, profession), base_hours * (1.0 - absence))
    census = np.ones(n_wp)
    icu_ids = np.arange(n_reg) * N_REGION_KINDS + ICU
    census[icu_ids] = beds * w_cfg.icu_occupancy_baseline * scale
    census[np.arange(n_reg) * N_REGION_KINDS + COVID_WARD] = 0.0
    census[first_home:first_hc] = home_res
    norm = attended * wf.baseline_utilisation / np.maximum(census, 1e-9)[:, None]
    for kind, table in ((ICU, scenario.norms.icu), (COVID_WARD, scenario.norms.covid_ward)):
        row = np.array([table.get(p, 0.0) for p in PROFESSIONS])
        norm[wp_kind == kind] = row

    # draws every layout makes, whatever levers are on, so regular staff are the same in every strategy (not stored:
    # FixedDraws draws them again from this state when read)
    draw_state = rng.bit_generator.state
    priority = rng.random(n)
    vacation_u = rng.random(n)
    pool_u = rng.random(n)

    # rows added by levers come after the regular staff: recruits, then additional pool members
    extra = _lever_rows(scenario, reg, home_reg, first_home, scale, home_res, muni_region, muni_pop, first_hc)
    recruit_reservoir = np.full(n, -1, dtype=np.int8)

    def append(rows: dict[str, np.ndarray], reservoir: np.ndarray, hours: np.ndarray) -> None:
        """Rows after the regular staff (the levers' rows, then the entrants): their posts as given, the absence of
        their employer, and the fixed draws of rows no layout drew (first in every queue, no vacation, never drawn)."""
        nonlocal profession, employer, recruit_reservoir, region, home, contract, base_hours, absence, priority, vacation_u, pool_u
        k = rows["profession"].shape[0]
        profession = np.concatenate([profession, rows["profession"]]).astype(np.int8)
        employer = np.concatenate([employer, rows["employer"]]).astype(np.int8)
        recruit_reservoir = np.concatenate([recruit_reservoir, reservoir]).astype(np.int8)
        region = np.concatenate([region, rows["region"]]).astype(np.int16)
        home = np.concatenate([home, rows["home"]]).astype(kernels.WP)
        contract = np.concatenate([contract, rows["contract"]]).astype(np.int8)
        base_hours = np.concatenate([base_hours, hours])
        absence = np.concatenate(
            [absence, np.where(rows["employer"] == 1, scenario.absence.other_share_municipality, scenario.absence.other_share_region)]
        )
        priority = np.concatenate([priority, np.ones(k)])
        vacation_u = np.concatenate([vacation_u, np.full(k, np.nan)])
        pool_u = np.concatenate([pool_u, np.ones(k)])

    if extra:
        append(extra, extra["reservoir"], np.full(extra["profession"].shape[0], daily_full * wf.fte_permanent))
    n_levers = profession.shape[0] - n
    # supply over years (issue #17): people who will enter the workforce, after every other row (earlier rows keep their
    # ids, and with them their random numbers); drawn from a stream of their own, so the layout above does not change
    entrants = supply_rows(scenario, reg, profession[:n], region[:n], employer[:n], home[:n], contract[:n])
    n_entrants = entrants["profession"].shape[0] if entrants else 0
    if n_entrants:
        fte_entrants = np.where(entrants["contract"] == HOURLY, wf.fte_hourly, wf.fte_permanent)
        append(entrants, np.full(n_entrants, -1), daily_full * fte_entrants)
        # once started, entrants are part of the workforce: their own fixed draws for the queues' order, the summer
        # vacation and a drawn national pool, from a stream of their own (the layout's draws above do not change)
        draws = np.random.default_rng([w_cfg.layout_seed, 19]).random((3, n_entrants))
        priority[-n_entrants:], vacation_u[-n_entrants:], pool_u[-n_entrants:] = draws
    n_all = profession.shape[0]
    base_effectiveness = np.ones(n_all)
    status = np.full(n_all, ACTIVE, dtype=np.int8)
    if extra:
        base_effectiveness[n : n + n_levers] = extra["effectiveness"]
        status[n : n + n_levers] = RESERVE
    if n_entrants:
        status[n + n_levers :] = ENTRANT
    # specialisation (supply.education.specialisation): registered nurses of the start who train within the run; those
    # whose programme began before the run are away at its start
    plan = specialisation_plan(scenario, reg, profession[:n], region[:n], home[:n], wp_kind)
    if plan:
        status[plan["row"][(plan["start_day"] <= 0) & (plan["end_day"] >= 0)]] = SPECIALISING  # day 0's graduates at its step
    normal_max = np.maximum(np.full(n_all, wf.normal_max_weekly_hours / 7.0), base_hours)
    # the same hours by contract (regular staff and entrants: their contract's; the levers' rows: permanent), and the
    # same rates by employer, as lookup tables (issue #18): the values are the per-person ones bit for bit
    fte_by_contract = np.full(len(CONTRACTS), wf.fte_permanent)
    fte_by_contract[HOURLY] = wf.fte_hourly
    hours_by_contract = daily_full * fte_by_contract
    normal_max_by_contract = np.maximum(np.full(len(CONTRACTS), wf.normal_max_weekly_hours / 7.0), hours_by_contract)
    if not np.array_equal(hours_by_contract[contract], base_hours) or not np.array_equal(normal_max_by_contract[contract], normal_max):
        raise AssertionError("contracted hours differ within a contract")  # every writer of rows above gives a contract's hours
    absence_by_employer = np.array([scenario.absence.other_share_region, scenario.absence.other_share_municipality])
    other_sick_by_employer = absence_by_employer / (scenario.absence.other_mean_days * (1.0 - absence_by_employer))

    # the strain of normal work in the staff member's home unit (reserve: none), whose equilibrium is the starting fatigue
    intensity = np.array([scenario.fatigue.intensity.get(k, 1.0) for k in UNIT_KINDS])
    strain0 = _read_only(np.where(status == ACTIVE, base_hours / daily_full * intensity[wp_kind[home]], 0.0))

    staff = StaffArrays(
        profession=profession,
        employer=employer,
        region=region,
        home=home,
        workplace=home.copy(),
        contract=contract,
        base_hours_by_contract=hours_by_contract,
        normal_max_hours_by_contract=normal_max_by_contract,
        max_hours=normal_max.astype(kernels.FS),
        other_sick_rate_by_employer=other_sick_by_employer,
        status=status,
        days_left=np.zeros(n_all, dtype=kernels.DAY),
        fatigue=np.zeros(0, dtype=kernels.FS),  # build_world's
        fatigue_sustained=np.zeros(0, dtype=kernels.FS),
        infected_day=np.full(n_all, -1, dtype=kernels.DAY),
        symptomatic=np.zeros(n_all, dtype=np.bool_),
        hours_worked=np.zeros(n_all, dtype=kernels.FS),
        last_other_home_day=np.full(n_all, kernels.NEVER_DAY, dtype=kernels.DAY),
        role=profession.copy(),
        effectiveness=base_effectiveness.astype(kernels.FS),
        base_effectiveness=LookupArray(base_effectiveness),
        trained=np.zeros(n_all, dtype=np.bool_),
        posting=np.full(n_all, -1, dtype=kernels.WP),
        posting_until=np.zeros(n_all, dtype=kernels.DAY),
        posting_kind=np.zeros(n_all, dtype=np.int8),
        posting_role=profession.copy(),
        posting_effectiveness=LookupArray(np.ones(n_all), dtype=kernels.FS),
        agreement_days=np.zeros(n_all, dtype=kernels.DAY),
        agreement_rest=np.zeros(n_all, dtype=np.bool_),
        agreement_declared=np.full(n_all, -1, dtype=kernels.DAY),
        draws=FixedDraws(state=draw_state, n=n, n_levers=n_levers, n_entrants=n_entrants, layout_seed=w_cfg.layout_seed),
        hygiene=LookupArray(staff_hygiene(scenario, profession, contract), dtype=kernels.FS),
        n_regular=n,
        n_entrants=n_entrants,
        age=ages.staff_ages(scenario, profession, n_all - n_entrants, entrants["entry_day"] if n_entrants else np.zeros(0))
        if scenario.supply.enabled and scenario.supply.retirement == "age"
        else np.zeros(0, dtype=np.float32),
    )

    # homes of each municipality, sorted (for hourly staff who work at another home)
    by_muni = np.argsort(home_muni, kind="stable")
    muni_homes = home_wp[by_muni]
    muni_home_start = np.searchsorted(home_muni[by_muni], np.arange(n_muni + 1)).astype(np.int64)
    workforce = staff.workforce_rows()  # the staff of the start and the supply's entrants (in the queues once started)
    workforce_home_kind = wp_kind[home[workforce]]
    nh_staff = workforce[workforce_home_kind == NURSING_HOME]

    world = World(
        scenario=scenario,
        regions=reg,
        municipality_region=muni_region,
        municipality_population=muni_pop,
        workplace_kind=wp_kind.astype(np.int8),
        workplace_region=wp_region.astype(np.int16),
        workplace_municipality=wp_muni.astype(np.int32),
        workplace_home=wp_home,
        norm=norm,
        census_base=census,
        home_workplace=home_wp,
        home_region=home_reg.astype(np.int16),
        home_residents=home_res,
        home_hourly_share=home_hourly,
        muni_home_start=muni_home_start,
        muni_homes=muni_homes.astype(np.int32),
        hc_workplace=np.arange(first_hc, n_wp, dtype=np.int32),
        hc_clients=hc_clients,
        staff=staff,
        acute_queue=Queue.build(workforce[workforce_home_kind == ACUTE_WARD], region, profession, priority),
        elective_queue=Queue.build(workforce[workforce_home_kind == ELECTIVE], region, profession, priority),
        nursing_home_staff=nh_staff,
        hourly_home_staff=nh_staff[contract[nh_staff] == HOURLY],
        reference_hours=daily_full,
        recruit_reservoir=recruit_reservoir,
        entry_day=entrants["entry_day"].astype(np.int32) if n_entrants else np.zeros(0, dtype=np.int32),
        specialisation=plan,
        entrant_licensed=entrants["licensed"].astype(np.bool_) if n_entrants else np.zeros(0, dtype=np.bool_),
    )
    return world, strain0


def _rounded_cohorts(per_cohort: float, n_cohorts: int) -> np.ndarray:
    """Whole people in each of ``n_cohorts`` cohorts of ``per_cohort`` expected each: rounded on the running total, so that
    small cohorts (a small scale) add up to the expected total rather than each rounding to 0."""
    cumulative = np.round(per_cohort * np.arange(n_cohorts + 1))
    return np.diff(cumulative).astype(np.int64)


def entrant_cohorts(scenario: Scenario, specialists: bool = False) -> list[tuple[int, int, int, bool]]:
    """The entrants of a run with ``[supply]``: (day, profession, people, licensed from abroad) per cohort, at the world's scale.

    Graduates start on the first day of each of ``supply.graduate_start_months`` within the period, each month an equal
    share of the year's ``graduates_per_year`` (with ``supply.education``: of the year's graduates of the profession's
    programme, ``sim.education.graduates_in_year``; running-total rounding over the run); people licensed from abroad start on the first day of every month,
    a twelfth of the year's each. Days count from the period's start. With ``supply.education.specialisation`` the
    graduates of the specialist programmes are registered nurses of the workforce, not new rows: they are left out here
    and are the cohorts returned with ``specialists`` (``specialisation_plan``), which go on after the run's end (students
    who begin within the run and graduate after it).
    """
    cfg, t = scenario.supply, scenario.time
    scale = scenario.world.scale
    firsts = [dt.date(y, m, 1) for y in range(t.start.year, t.end.year + 1) for m in range(1, 13) if t.start <= dt.date(y, m, 1) <= t.end]
    if specialists:  # students who begin within the run and graduate after it are away from work at its end
        longest = max(int(cfg.education.programmes[g].years + 0.99) for g in education.SPECIALIST_PROGRAMMES)
        firsts += [dt.date(y, m, 1) for y in range(t.end.year, t.end.year + longest + 2) for m in range(1, 13) if dt.date(y, m, 1) > t.end]
    graduate_days = [(d - t.start).days for d in firsts if d.month in cfg.graduate_start_months]
    licence_days = [(d - t.start).days for d in firsts]
    graduate_years = [d.year for d in firsts if d.month in cfg.graduate_start_months]
    out: list[tuple[int, int, int, bool]] = []
    for p, name in enumerate(PROFESSIONS):
        programme = education.programme_of(name) if cfg.education.enabled else None
        if programme is None:  # the first slice: graduates_per_year, the same every year
            per = cfg.graduates_per_year[name] * scale / len(cfg.graduate_start_months)
            sizes = _rounded_cohorts(per, len(graduate_days))
        else:  # supply.education: each year's graduates from the intake of their year of admission (sim.education)
            by_year = {y: education.graduates_in_year(scenario, programme, y) for y in set(graduate_years)}
            expected = np.array([by_year[y] * scale / len(cfg.graduate_start_months) for y in graduate_years])
            sizes = np.diff(np.round(np.concatenate([[0.0], np.cumsum(expected)]))).astype(np.int64)
        out += [(day, p, int(k), False) for day, k in zip(graduate_days, sizes, strict=True) if k > 0]
        per = cfg.licensed_from_abroad_per_year[name] * scale / 12.0
        out += [(day, p, int(k), True) for day, k in zip(licence_days, _rounded_cohorts(per, len(licence_days)), strict=True) if k > 0]
    if cfg.education.enabled and cfg.education.specialisation:
        special = {PROFESSIONS.index(education.PROGRAMMES[g]) for g in education.SPECIALIST_PROGRAMMES}
        out = [c for c in out if (c[1] in special and not c[3]) == specialists]
    elif specialists:
        return []
    return sorted(out)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (the day of the month kept; the first of a month stays a first)."""
    m = day.year * 12 + day.month - 1 + months
    return dt.date(m // 12, m % 12 + 1, day.day)


def specialisation_plan(
    scenario: Scenario, reg: pd.DataFrame, profession: np.ndarray, region: np.ndarray, home: np.ndarray, wp_kind: np.ndarray
) -> dict[str, np.ndarray]:
    """Registered nurses who train in a specialist programme within the run (``supply.education.specialisation``).

    Each specialist cohort (``entrant_cohorts(specialists=True)``: its graduation day, profession and size) is split over
    the regions as the entrants are; in each region its students are registered nurses of the starting staff in primary
    care (assumption: the staff outside the deployment queues, which are fixed at build), drawn at random without
    replacement (``default_rng([layout_seed, 19])``). They leave work ``round(years × 12)`` months before the graduation
    day (cohorts that graduate early in the run began before it), and on it become the new profession in the unit kind
    where most of the region's staff of that profession work (``workforce.region_mix``: ICU nurses in the ICU,
    anaesthesia nurses in elective care). Returns rows, start and end days, new profession and new home; empty without.
    """
    cfg = scenario.supply
    cohorts = entrant_cohorts(scenario, specialists=True) if cfg.enabled else []
    if not cohorts:
        return {}
    t = scenario.time
    codes = list(reg["code"])
    weights = np.array([cfg.region_shares.get(c, 0.0) for c in codes]) if cfg.region_shares else reg["population"].to_numpy(float)
    share = weights / weights.sum()
    rng = np.random.default_rng([scenario.world.layout_seed, 19])
    rn = PROFESSIONS.index("registered_nurse")
    eligible = (profession == rn) & (wp_kind[home] == PRIMARY_CARE)
    pools = {r: list(rng.permutation(np.flatnonzero(eligible & (region == r)))) for r in range(len(codes))}
    programme_of = {PROFESSIONS.index(education.PROGRAMMES[g]): g for g in education.SPECIALIST_PROGRAMMES}
    rows: dict[str, list] = {k: [] for k in ("row", "start_day", "end_day", "profession", "home")}
    placed: dict[int, np.ndarray] = {}
    for day, p, k, _ in cohorts:
        so_far = placed.setdefault(p, np.zeros(len(codes), dtype=np.int64))
        split = apportion(k, np.maximum(share * (so_far.sum() + k) - so_far, 0.0))
        so_far += split
        months = max(1, int(cfg.education.programmes[programme_of[p]].years * 12 + 0.5))
        start = (add_months(t.start + dt.timedelta(days=day), -months) - t.start).days
        if start > (t.end - t.start).days:  # begins after the run
            continue
        mix = scenario.workforce.region_mix.get(PROFESSIONS[p], {"icu": 1.0})
        kind = REGION_UNIT_KINDS.index(max(mix, key=mix.get))
        for r, k_r in enumerate(split):
            take = [pools[r].pop() for _ in range(min(int(k_r), len(pools[r])))]
            rows["row"] += take
            rows["start_day"] += [start] * len(take)
            rows["end_day"] += [day] * len(take)
            rows["profession"] += [p] * len(take)
            rows["home"] += [r * N_REGION_KINDS + kind] * len(take)
    if not rows["row"]:
        return {}
    dtypes = {"row": np.int64, "start_day": np.int32, "end_day": np.int32, "profession": np.int8, "home": np.int32}
    return {k: np.array(v, dtype=dtypes[k]) for k, v in rows.items()}


def supply_rows(
    scenario: Scenario,
    reg: pd.DataFrame,
    profession: np.ndarray,
    region: np.ndarray,
    employer: np.ndarray,
    home: np.ndarray,
    contract: np.ndarray,
) -> dict[str, np.ndarray]:
    """Rows of the people who will enter the workforce within the period (``[supply]``, issue #17), in order of their start.

    Each cohort (``entrant_cohorts``) is split over the regions by ``supply.region_shares`` (else population): the regions'
    shortfalls of the running total against their shares, largest remainder. An entrant takes a post like a member of the same profession in the same region drawn at random from the
    staff of the start (``profession``… ``contract``: the regular rows): the same employer, home workplace and contract,
    so graduates spread over units, homes and home care as the profession's staff do. Where the region has none of the
    profession, a member from anywhere is drawn, and the entrant goes to that member's region. Draws from a stream of the
    layout seed of their own. Empty without ``supply.enabled``.
    """
    cfg = scenario.supply
    if not cfg.enabled:
        return {}
    codes = list(reg["code"])
    weights = np.array([cfg.region_shares.get(c, 0.0) for c in codes]) if cfg.region_shares else reg["population"].to_numpy(float)
    rng = np.random.default_rng([scenario.world.layout_seed, 17])
    by_group = {}
    for p in range(N_PROFESSIONS):
        mine = np.flatnonzero(profession == p)
        by_group[p, -1] = mine
        for r in range(len(codes)):
            by_group[p, r] = mine[region[mine] == r]
    rows: dict[str, list] = {k: [] for k in ("template", "entry_day", "licensed")}
    share = weights / weights.sum()
    placed: dict[tuple[int, bool], np.ndarray] = {}  # entrants so far by region, per (profession, licensed)
    for day, p, k, licensed in entrant_cohorts(scenario):
        # each cohort goes where the running total falls short of the regions' shares, so that small cohorts (one person a
        # month at a small scale) do not all go to the largest region
        so_far = placed.setdefault((p, licensed), np.zeros(len(codes), dtype=np.int64))
        split = apportion(k, np.maximum(share * (so_far.sum() + k) - so_far, 0.0))
        so_far += split
        for r, k_r in enumerate(split):
            if k_r <= 0:
                continue
            pool = by_group[p, r] if by_group[p, r].size else by_group[p, -1]
            if pool.size == 0:  # no one of the profession in the world at this scale: nowhere to start
                continue
            rows["template"].append(rng.choice(pool, size=int(k_r)))
            rows["entry_day"].append(np.full(int(k_r), day))
            rows["licensed"].append(np.full(int(k_r), licensed))
    if not rows["template"]:
        return {}
    template = np.concatenate(rows["template"])
    return {
        "profession": profession[template],
        "employer": employer[template],
        "region": region[template],
        "home": home[template],
        "contract": contract[template],
        "entry_day": np.concatenate(rows["entry_day"]),
        "licensed": np.concatenate(rows["licensed"]),
    }


def _lever_rows(
    scenario: Scenario,
    reg: pd.DataFrame,
    home_reg: np.ndarray,
    first_home: int,
    scale: float,
    home_res: np.ndarray,
    muni_region: np.ndarray,
    muni_pop: np.ndarray,
    first_hc: int,
) -> dict[str, np.ndarray]:
    """Rows of people who join only through a lever: recruits in reservoirs, additional pool members, extra registered
    nurses in municipal care (licensed_staff).

    They start in the ``reserve`` status and are appended after the regular staff. Recruits placed in municipal care
    (a reservoir's ``workplace`` a nursing home or home care: spread over the region's homes or home-care services in
    turn) are municipal employees, the others the region's.
    """
    levers = scenario.levers
    pop = reg["population"].to_numpy(float)
    rows: dict[str, list] = {k: [] for k in ("profession", "region", "home", "contract", "effectiveness", "employer", "reservoir")}

    def add(
        n: int,
        profession: int,
        region: int | np.ndarray,
        home: np.ndarray | int,
        contract: int,
        eff: float,
        employer: int = 0,
        reservoir: int = -1,
    ) -> None:
        rows["profession"].append(np.full(n, profession))
        rows["region"].append(np.broadcast_to(np.asarray(region), (n,)).copy())
        rows["home"].append(np.broadcast_to(np.asarray(home), (n,)).copy())
        rows["contract"].append(np.full(n, contract))
        rows["effectiveness"].append(np.full(n, eff))
        rows["employer"].append(np.full(n, employer))
        rows["reservoir"].append(np.full(n, reservoir))

    def reservoir(kind: str, res: Any) -> None:
        per_region = np.round(res.per_100k * pop / 1e5 * scale).astype(int)
        for r, k in enumerate(per_region):
            if k <= 0:
                continue
            if res.workplace == "covid_ward":
                homes = np.full(k, r * N_REGION_KINDS + COVID_WARD)
            elif res.workplace == "nursing_home":
                region_homes = first_home + np.flatnonzero(home_reg == r)
                homes = region_homes[np.arange(k) % region_homes.shape[0]]
            else:  # home care: the region's municipalities' services in turn
                services = first_hc + np.flatnonzero(muni_region == r)
                homes = services[np.arange(k) % services.shape[0]]
            municipal = int(res.workplace != "covid_ward")
            profession = PROFESSIONS.index(res.profession)
            add(int(k), profession, r, homes, RESERVOIR_CONTRACTS[kind], res.effectiveness, municipal, RESERVOIR_KINDS.index(kind))

    # the municipal reservoir (issue #16) comes last, after the pool's rows: earlier rows keep their ids, and with them
    # their random numbers (the core keys each draw by staff id)
    reservoirs = levers.recruitment.reservoirs if levers.recruitment.enabled else {}
    for kind, res in reservoirs.items():
        if kind != "municipal":
            reservoir(kind, res)
    pool = levers.national_pool
    if pool.enabled and pool.mode == "additional":
        total = round(pool.size * scale)
        names = list(pool.composition)
        for name, n_p in zip(names, apportion(total, np.array([pool.composition[p] for p in names])), strict=True):
            p = PROFESSIONS.index(name)
            kind = ICU if name in ICU_PROFESSIONS else COVID_WARD
            for r, k in enumerate(apportion(int(n_p), pop)):
                if k > 0:
                    add(int(k), p, r, r * N_REGION_KINDS + kind, POOL, 1.0)
    if "municipal" in reservoirs:
        reservoir("municipal", reservoirs["municipal"])
    licensed = getattr(levers, "licensed_staff", None)
    if licensed is not None and licensed.enabled:
        region, home = licensed_rows(licensed, home_reg, home_res, first_home, muni_region, muni_pop, first_hc, scale)
        if region.size:
            add(int(region.size), PROFESSIONS.index("registered_nurse"), region, home, PERMANENT, 1.0, employer=1)
    if not rows["profession"]:
        return {}
    return {k: np.concatenate(v) for k, v in rows.items()}


def licensed_rows(
    cfg: Any,  # the scenario's levers.licensed_staff table
    home_region: np.ndarray,
    home_residents: np.ndarray,
    first_home: int,
    muni_region: np.ndarray,
    muni_population: np.ndarray,
    first_home_care: int,
    scale: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(region, home workplace) of every extra registered nurse of ``levers.licensed_staff`` (``sim.levers.licensed_staff``):
    per region, nursing homes by residents and home care by population (largest remainder)."""
    regions: list[np.ndarray] = []
    homes: list[np.ndarray] = []
    for r in range(int(max(home_region.max(initial=-1), muni_region.max(initial=-1))) + 1):
        mine = np.flatnonzero(home_region == r)
        n = round(cfg.nurses_per_100_residents / 100.0 * float(home_residents[mine].sum()))
        where = [np.full(k, first_home + h) for h, k in zip(mine, apportion(n, home_residents[mine].astype(float)), strict=True)]
        munis = np.flatnonzero(muni_region == r)
        n = round(cfg.home_care_nurses_per_100k / 1e5 * float(muni_population[munis].sum()) * scale)
        where += [np.full(k, first_home_care + m) for m, k in zip(munis, apportion(n, muni_population[munis]), strict=True)]
        if where:
            homes.append(np.concatenate(where))
            regions.append(np.full(homes[-1].size, r))
    if not homes:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(regions).astype(np.int64), np.concatenate(homes).astype(np.int64)


def operations_per_day(config: Scenario, population: np.ndarray) -> np.ndarray:
    """Planned operations per region on a normal day (model scale), by population: the unit of the care debt."""
    return config.levers.redeployment.operations_per_year / 365.0 * population / population.sum() * config.world.scale
