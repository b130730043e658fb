"""Build the synthetic Sweden of a scenario: workplaces, nursing homes and staff as arrays.

The layout (municipality sizes, homes, who works where, contracts) is drawn
from ``world.layout_seed``, not from the run's seed, so that replications and
compared strategies run on the same Sweden and differ only in what happens.

Workplaces are numbered: first one unit of each region kind per region
(``region * 5 + kind``), then the nursing homes, then one home-care service
per municipality.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim import data, kernels
from sim.categories import (
    ACTIVE,
    EMPLOYERS,
    HOME_CARE,
    HOURLY,
    ICU,
    MUNICIPAL_UNIT_KINDS,
    N_PROFESSIONS,
    NURSING_HOME,
    PERMANENT,
    PROFESSIONS,
    REGION_UNIT_KINDS,
    UNIT_KINDS,
)
from sim.scenario import Scenario, ScenarioError

N_REGION_KINDS = len(REGION_UNIT_KINDS)
EXPLICIT_NORM_KINDS = (ICU, 1)  # ICU and COVID ward: norms from the scenario


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


@dataclass
class Staff:
    """Staff state: one array per attribute, indexed by staff id."""

    profession: np.ndarray  # int8, index into PROFESSIONS
    employer: np.ndarray  # int8, 0 region, 1 municipality
    region: np.ndarray  # int16
    home: np.ndarray  # int32, home workplace
    workplace: np.ndarray  # int32, today's workplace
    contract: np.ndarray  # int8
    base_hours: np.ndarray  # contracted hours per day
    max_hours: np.ndarray  # most hours per day allowed
    other_sick_rate: np.ndarray  # daily probability of an ordinary sick spell
    priority: np.ndarray  # fixed random rank for deployment queues
    status: np.ndarray  # int8, index into STATUSES
    days_left: np.ndarray  # int32, days left of the current sick spell
    fatigue: np.ndarray
    fatigue_sustained: np.ndarray
    infected_day: np.ndarray  # int32, -1 if never infected
    symptomatic: np.ndarray  # bool
    hours_worked: np.ndarray  # hours worked today
    last_other_home_day: np.ndarray  # int32, last day worked at another nursing home (-1 never)

    def __len__(self) -> int:
        return int(self.profession.shape[0])


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
    staff: Staff
    deploy_order: np.ndarray  # staff ids of the acute wards, grouped by (region, profession), by priority
    deploy_start: np.ndarray
    deploy_region: np.ndarray  # region of each deploy group
    deploy_profession: np.ndarray
    nursing_home_staff: np.ndarray  # staff ids whose home is a nursing home
    hourly_home_staff: np.ndarray  # hourly staff ids whose home is a nursing home
    tally_group: np.ndarray  # per staff: (region, employer, profession) group index
    reference_hours: float
    extras: dict = field(default_factory=dict)

    @property
    def n_workplaces(self) -> int:
        return int(self.workplace_kind.shape[0])

    @property
    def n_regions(self) -> int:
        return len(self.regions)

    def unit_id(self, region: int, kind: int) -> int:
        """Workplace id of a region's unit of a given kind."""
        return region * N_REGION_KINDS + kind


def _regions_with_beds(scenario: Scenario) -> pd.DataFrame:
    reg = data.regions().reset_index(drop=True)
    for column, national in (("icu_beds_2019", scenario.world.icu_beds_2019), ("icu_beds_surge", scenario.world.icu_beds_surge)):
        given = reg[column].notna()
        rest = max(national - reg.loc[given, column].sum(), 0)
        reg.loc[~given, column] = rest * reg.loc[~given, "population"] / reg.loc[~given, "population"].sum()
        reg[column] = reg[column].astype(float)
    return reg


def build_world(scenario: Scenario) -> World:
    """Build workplaces, homes and staff arrays for a scenario."""
    w_cfg, wf = scenario.world, scenario.workforce
    scale = w_cfg.scale
    rng = np.random.default_rng([w_cfg.layout_seed, 20200301])
    reg = _regions_with_beds(scenario)
    n_reg = len(reg)
    pop = reg["population"].to_numpy(float)

    # municipalities: Zipf-like sizes within each region
    muni_region = np.repeat(np.arange(n_reg), reg["municipalities"].to_numpy())
    rank = np.concatenate([np.arange(1, k + 1) for k in reg["municipalities"]])
    size = rank**-w_cfg.municipality_size_exponent
    muni_pop = np.zeros(muni_region.shape[0])
    for r in range(n_reg):
        sel = muni_region == r
        muni_pop[sel] = pop[r] * size[sel] / size[sel].sum()
    n_muni = muni_region.shape[0]

    # nursing homes: count and residents per region in proportion to population, at least one per region
    n_homes_total = max(round(w_cfg.nursing_homes * scale), n_reg)
    homes_per_region = np.maximum(apportion(n_homes_total - n_reg, pop), 0) + 1
    residents_per_region = apportion(max(round(w_cfg.nursing_home_residents * scale), n_reg), pop)
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
    wp_kind = np.concatenate([np.tile(np.arange(N_REGION_KINDS), n_reg), np.full(n_homes, NURSING_HOME), np.full(n_muni, HOME_CARE)])
    wp_region = np.concatenate([np.repeat(np.arange(n_reg), N_REGION_KINDS), home_reg, muni_region])
    wp_muni = np.concatenate([np.full(n_units, -1), home_muni, np.arange(n_muni)])
    wp_home = np.full(n_wp, -1, dtype=np.int32)
    wp_home[first_home:first_hc] = np.arange(n_homes)
    home_wp = np.arange(first_home, first_hc, dtype=np.int32)

    # staff
    staff_table = data.national_staff()
    beds = reg["icu_beds_2019"].to_numpy(float)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("profession", "employer", "region", "home", "contract")}

    def add(n: int, profession: int, employer: int, region: int, workplace: int, contract: np.ndarray | int) -> None:
        if n <= 0:
            return
        cols["profession"].append(np.full(n, profession))
        cols["employer"].append(np.full(n, employer))
        cols["region"].append(np.full(n, region))
        cols["home"].append(np.full(n, workplace))
        cols["contract"].append(np.broadcast_to(np.asarray(contract), (n,)).copy())

    for _, row in staff_table.iterrows():
        name, employer, count = row["profession"], row["employer"], int(row["count"])
        p = PROFESSIONS.index(name)
        total = round(count * scale)
        if employer == "region":
            mix = wf.region_mix.get(name)
            if mix is None:
                raise ScenarioError(
                    "scenario", f"workforce.region_mix.{name}", "missing: where do the regions' staff of this profession work?"
                )
            icu_staff = mix.get("icu", 0.0) > 0 and name != "physician"
            per_region = apportion(total, beds if icu_staff else pop)
            shares = np.array([mix.get(k, 0.0) for k in REGION_UNIT_KINDS])
            for r in range(n_reg):
                for k, n in enumerate(apportion(int(per_region[r]), shares)):
                    add(int(n), p, 0, r, r * N_REGION_KINDS + k, PERMANENT)
        else:
            mix = wf.municipal_mix.get(name)
            if mix is None:
                raise ScenarioError(
                    "scenario", f"workforce.municipal_mix.{name}", "missing: where do municipal staff of this profession work?"
                )
            per_region = apportion(total, pop)
            for r in range(n_reg):
                n_nh, n_hc = apportion(int(per_region[r]), np.array([mix.get(k, 0.0) for k in MUNICIPAL_UNIT_KINDS]))
                homes = np.flatnonzero(home_reg == r)
                for h, n in zip(homes, apportion(int(n_nh), home_res[homes]), strict=True):
                    add(int(n), p, 1, r, first_home + h, (rng.random(int(n)) < home_hourly[h]).astype(np.int8))
                munis = np.flatnonzero(muni_region == r)
                for m, n in zip(munis, apportion(int(n_hc), muni_pop[munis]), strict=True):
                    add(int(n), p, 1, r, first_hc + m, (rng.random(int(n)) < hourly_mean_region(reg, r)).astype(np.int8))
    if not cols["profession"]:
        raise ScenarioError("scenario", "world.scale", "so small that no staff are left; raise the scale")
    profession = np.concatenate(cols["profession"]).astype(np.int8)
    employer = np.concatenate(cols["employer"]).astype(np.int8)
    region = np.concatenate(cols["region"]).astype(np.int16)
    home = np.concatenate(cols["home"]).astype(np.int32)
    contract = np.concatenate(cols["contract"]).astype(np.int8)
    n = profession.shape[0]

    daily_full = wf.weekly_hours / 7.0
    fte = np.where(contract == HOURLY, wf.fte_hourly, wf.fte_permanent)
    base_hours = daily_full * fte
    max_hours = np.maximum(np.full(n, wf.normal_max_weekly_hours / 7.0), base_hours)
    absence = np.where(employer == 1, scenario.absence.other_share_municipality, scenario.absence.other_share_region)
    other_sick_rate = absence / (scenario.absence.other_mean_days * (1.0 - absence))

    # norms: scenario norms for ICU and COVID ward, normal staffing elsewhere
    attended = np.zeros((n_wp, N_PROFESSIONS))
    np.add.at(attended, (home, profession), base_hours * (1.0 - absence))
    census = np.ones(n_wp)
    icu_ids = np.arange(n_reg) * N_REGION_KINDS + ICU
    census[icu_ids] = beds * w_cfg.icu_occupancy_baseline * scale
    census[np.arange(n_reg) * N_REGION_KINDS + 1] = 0.0
    census[first_home:first_hc] = home_res
    norm = attended * wf.baseline_utilisation / np.maximum(census, 1e-9)[:, None]
    for kind, table in ((ICU, scenario.norms.icu), (1, scenario.norms.covid_ward)):
        row = np.array([table.get(p, 0.0) for p in PROFESSIONS])
        norm[wp_kind == kind] = row

    # fatigue starts at the equilibrium of normal work in the staff member's home unit
    intensity = np.array([scenario.fatigue.intensity.get(k, 1.0) for k in UNIT_KINDS])
    strain0 = base_hours / daily_full * intensity[wp_kind[home]]
    f_cfg = scenario.fatigue
    fatigue0 = kernels.fatigue_equilibrium(strain0, f_cfg.rise, f_cfg.recovery, f_cfg.threshold)

    staff = Staff(
        profession=profession,
        employer=employer,
        region=region,
        home=home,
        workplace=home.copy(),
        contract=contract,
        base_hours=base_hours,
        max_hours=max_hours,
        other_sick_rate=other_sick_rate,
        priority=rng.random(n),
        status=np.full(n, ACTIVE, dtype=np.int8),
        days_left=np.zeros(n, dtype=np.int32),
        fatigue=fatigue0,
        fatigue_sustained=fatigue0.copy(),
        infected_day=np.full(n, -1, dtype=np.int32),
        symptomatic=np.zeros(n, dtype=np.bool_),
        hours_worked=np.zeros(n),
        last_other_home_day=np.full(n, -1_000_000, dtype=np.int32),
    )

    # deployment queues: acute-ward staff by (region, profession), in priority order
    acute = np.flatnonzero(wp_kind[home] == 2)
    key_region, key_prof = region[acute], profession[acute]
    order = acute[np.lexsort((staff.priority[acute], key_prof, key_region))]
    group_key = region[order].astype(np.int64) * N_PROFESSIONS + profession[order]
    bounds = np.flatnonzero(np.diff(group_key)) + 1
    deploy_start = np.concatenate([[0], bounds, [order.shape[0]]]).astype(np.int64)
    first = order[deploy_start[:-1]] if order.shape[0] else np.zeros(0, dtype=np.int64)

    # homes of each municipality, sorted (for hourly staff who work at another home)
    by_muni = np.argsort(home_muni, kind="stable")
    muni_homes = home_wp[by_muni]
    muni_home_start = np.searchsorted(home_muni[by_muni], np.arange(n_muni + 1)).astype(np.int64)
    nh_staff = np.flatnonzero(wp_kind[home] == NURSING_HOME).astype(np.int64)

    return World(
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
        staff=staff,
        deploy_order=order.astype(np.int64),
        deploy_start=deploy_start,
        deploy_region=region[first].astype(np.int64),
        deploy_profession=profession[first].astype(np.int64),
        nursing_home_staff=nh_staff,
        hourly_home_staff=nh_staff[contract[nh_staff] == HOURLY],
        tally_group=((region.astype(np.int64) * len(EMPLOYERS) + employer) * N_PROFESSIONS + profession).astype(np.int64),
        reference_hours=daily_full,
    )


def hourly_mean_region(reg: pd.DataFrame, r: int) -> float:
    """Mean hourly-staff share of a region's municipal elderly care."""
    return float(reg["hourly_share"].iloc[r])
