"""Supply over years (issue #17, first slice): entrants start work, staff retire and leave, month by month.

Runs are quiet years (no COVID demand) at a small scale, 2025 on: the daily core runs every day, so they are kept short.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import QUIET_YEARS

from sim import indicators as registry
from sim.categories import ACTIVE, ACUTE_WARD, ALL_STATUSES, ELECTIVE, ENTRANT, ICU, LEFT, NURSING_HOME, PROFESSIONS, RETIREE
from sim.lang import INDICATORS_SV
from sim.model import MobilisationModel
from sim.scenario import ScenarioError, load_scenario
from sim.supply import FLOWS, STOCKS, SUMMARY_COLUMNS, monthly_probability
from sim.world import build_world

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "second_wave.toml"
#: a quiet period from 2025 (the crisis agreement's end moved into it; no COVID demand)
YEARS = QUIET_YEARS


def scenario(end: str = "2025-12-31", **supply):
    overrides = {**YEARS, "time.end": end, "supply.enabled": True}
    overrides.update({f"supply.{k}": v for k, v in supply.items()})
    return load_scenario(SCENARIO, **overrides)


@pytest.fixture(scope="module")
def year():
    m = MobilisationModel(scenario(), seed=3)
    m.run()
    return m


@pytest.fixture(scope="module")
def year_more_graduates():
    m = MobilisationModel(scenario(graduates_per_year={p: 20_000.0 for p in PROFESSIONS}), seed=3)
    m.run()
    return m


def test_off_by_default_and_the_digest_unchanged():
    base = load_scenario(SCENARIO)
    assert base.supply.enabled is False
    assert base.with_overrides(**{"supply.enabled": False}).digest() == base.digest()
    assert base.with_overrides(**{"supply.enabled": True}).digest() != base.digest()
    m = MobilisationModel(base, seed=1, world__scale=0.02, time__end="2020-03-05")
    assert m.supply is None and m.world.staff.n_entrants == 0
    assert not set(SUMMARY_COLUMNS) & set(m.run().summary.columns)


def test_entrants_come_after_every_other_row_which_keep_their_ids():
    """Switching supply on appends rows: the rows of the start keep their ids and attributes (and so their random numbers)."""
    off = build_world(load_scenario(SCENARIO, **{**YEARS, "time.end": "2026-12-31"}))
    on = build_world(scenario("2026-12-31"))
    n = len(off.staff)
    assert len(on.staff) == n + on.staff.n_entrants and on.staff.n_entrants > 0
    assert on.staff.first_entrant == n
    for name in ("profession", "employer", "region", "home", "contract", "base_hours", "priority", "pool_u", "status", "fatigue"):
        assert np.array_equal(getattr(on.staff, name)[:n], getattr(off.staff, name)[:n], equal_nan=True), name
    assert (on.staff.status[n:] == ENTRANT).all()
    assert on.entry_day.shape == (on.staff.n_entrants,) and (np.diff(on.entry_day) >= 0).all()  # by cohort


def test_every_row_in_one_status_and_the_counts_add_up_every_month(year):
    s = year.world.staff
    assert set(np.unique(s.status)) <= set(range(len(ALL_STATUSES)))
    frame = year.supply.monthly
    assert len(frame) == 12 * len(PROFESSIONS)
    rows = s.n_regular + s.n_entrants
    by_month = frame.groupby("date", observed=True)[list(STOCKS)].sum().sum(axis=1)
    assert (by_month == rows).all()
    # flows are consistent with the stocks: entrants waiting fall by those who started, retirees rise by those who retired
    national = frame.groupby("date", observed=True)[list(FLOWS + STOCKS)].sum()
    started = national["graduates_started"] + national["licensed_started"]
    assert (national["entrants_waiting"].diff().iloc[1:] == -started.iloc[1:]).all()
    assert (national["retirees"].diff().iloc[1:] == national["retired"].iloc[1:]).all()
    assert national["entrants_waiting"].iloc[0] == s.n_entrants - started.iloc[0]
    summary = year.supply.summary(year)
    assert summary["staff_retired"] == (s.status == RETIREE).sum() > 0
    assert summary["graduates_started"] + summary["licensed_started"] == s.n_entrants - (s.status == ENTRANT).sum()
    # the run's summary has the supply's columns, registered with their titles
    result = year.result().summary.iloc[0]
    for name in SUMMARY_COLUMNS:
        assert result[name] == summary[name] and registry.get(name).title
        assert name in INDICATORS_SV


def test_retirement_follows_the_rate(year):
    """About ``retirement_rate_per_year`` of the starting staff retire within the year (binomial bounds)."""
    s, cfg = year.world.staff, year.config.supply
    rate = np.array([cfg.retirement_rate_per_year[p] for p in PROFESSIONS])[s.profession[: s.n_regular]]
    expected = rate.sum()
    retired = (s.status[: s.n_regular] == RETIREE).sum()
    assert abs(retired - expected) < 4 * np.sqrt(expected)
    assert not (s.status[s.first_entrant :] == RETIREE).any()  # entrants are decades from a pension


def test_graduates_start_in_the_month_configured_in_their_profession_and_region():
    sc = scenario(
        "2025-04-30",
        graduate_start_months=[3],
        licensed_from_abroad_per_year=dict.fromkeys(PROFESSIONS, 0.0),
        graduates_per_year={"icu_nurse": 5_000.0},
        region_shares={"uppsala": 1.0},
    )
    m = MobilisationModel(sc, seed=2)
    s, world = m.world.staff, m.world
    entrants = np.arange(s.first_entrant, len(s))
    march = (np.datetime64("2025-03-01") - np.datetime64("2025-01-01")).astype(int)
    assert (world.entry_day == march).all() and not world.entrant_licensed.any()
    assert (world.regions["code"].to_numpy()[s.region[entrants]] == "uppsala").all()
    icu = entrants[s.profession[entrants] == PROFESSIONS.index("icu_nurse")]
    assert icu.size == round(5_000 * 0.02)  # one cohort a year: all of the year's graduates
    homes = world.workplace_region[s.home[entrants]]
    assert (homes == s.region[entrants]).all()  # they work in their region
    while m.day < march:
        m.step()
    assert (s.status[entrants] == ENTRANT).all()  # nobody started before March
    m.step()  # 1 March
    assert (s.status[entrants] != ENTRANT).all()
    assert (s.status[entrants] == ACTIVE).sum() > 0.8 * entrants.size  # at work (a few already off sick)
    frame = m.supply.monthly
    started = frame.groupby("date", observed=True)["graduates_started"].sum()
    assert started.loc["2025-03-01"] == entrants.size and started.drop("2025-03-01").sum() == 0


def test_more_graduates_more_staff_employed_a_year_later(year, year_more_graduates):
    a, b = year.supply.summary(year), year_more_graduates.supply.summary(year_more_graduates)
    assert year.supply.start_stocks[0].sum() == year_more_graduates.supply.start_stocks[0].sum()  # employed at the start
    assert b["graduates_started"] > a["graduates_started"]
    assert b["staff_employed_end"] > a["staff_employed_end"]
    # the staff of the start retire by the same draws (common random numbers): the same people
    n = year.world.staff.n_regular
    assert np.array_equal(year.world.staff.status[:n] == RETIREE, year_more_graduates.world.staff.status[:n] == RETIREE)


def test_same_seed_same_result():
    runs = []
    for _ in range(2):
        m = MobilisationModel(scenario("2025-03-31", leave_rate_per_year={"registered_nurse": 0.2}), seed=5)
        result = m.run()
        runs.append((m.supply.monthly, result.summary, m.world.staff.status.copy()))
    assert runs[0][0].equals(runs[1][0])
    assert runs[0][1].equals(runs[1][1])
    assert np.array_equal(runs[0][2], runs[1][2])
    assert runs[0][0]["left"].sum() > 0  # the leaving rate acted


def test_a_multi_year_period_is_accepted():
    sc = load_scenario(SCENARIO, **{**YEARS, "time.end": "2035-12-31", "supply.enabled": True})
    assert sc.time.n_days == 4017


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("supply.retirement_rate_per_year", {"icu_nurse": -0.1}, "greater than or equal to 0"),
        ("supply.leave_rate_per_year", {"icu_nurse": 1.5}, "less than or equal to 1"),
        ("supply.graduates_per_year", {"icu_nurs": 5.0}, "unknown profession 'icu_nurs'; did you mean 'icu_nurse'?"),
        ("supply.graduates_per_year", {"icu_nurse": -5.0}, "greater than or equal to 0"),
        ("supply.graduate_start_months", [0], "greater than or equal to 1"),
        ("supply.graduate_start_months", [], "at least one month"),
        ("supply.graduate_start_months", [8, 8], "each month once"),
        ("supply.region_shares", {"atlantis": 1.0}, "unknown region 'atlantis'"),
        ("supply.enable", True, "enable"),
    ],
)
def test_bad_input_is_a_clear_error(key, value, message):
    with pytest.raises(ScenarioError) as err:
        load_scenario(SCENARIO, **{key: value})
    text = str(err.value)
    assert message in text and key.split(".")[0] in text


def test_monthly_probability_gives_the_yearly_rate():
    for rate in (0.0, 0.03, 0.5):
        assert (1 - monthly_probability(rate)) ** 12 == pytest.approx(1 - rate)
    assert monthly_probability(1.0) == 1.0


def test_left_and_retired_leave_the_daily_core_alone(year):
    """Retirees and entrants not yet started work no hours and keep their fatigue."""
    s = year.world.staff
    out = (s.status == RETIREE) | (s.status == ENTRANT) | (s.status == LEFT)
    assert (s.hours_worked[out] == 0).all()


def test_entrants_spread_over_the_regions_by_population():
    """Small cohorts (a person a month at a small scale) go where the running total falls short, not all to Stockholm."""
    world = build_world(scenario("2027-12-31"))
    s = world.staff
    entrants = np.arange(s.first_entrant, len(s))
    share = world.regions["population"].to_numpy(float)
    share /= share.sum()
    for name in ("physician", "registered_nurse"):
        mine = entrants[s.profession[entrants] == PROFESSIONS.index(name)]
        by_region = np.bincount(s.region[mine], minlength=len(share))
        assert np.abs(by_region - share * mine.size).max() <= 2.0, name


def test_entrants_are_part_of_the_workforce_the_levers_and_the_recorder_see(year):
    """Started entrants are seen like the staff of the start: in the redeployment queues, the nursing homes' staff,
    the regions' own-capacity forecast, the recorder's ICU staff and (with a loan lever) the lendable ICU staff;
    the levers' recruits between the two blocks are not."""
    m, s = year, year.world.staff
    assert s.n_entrants > 0
    rows = s.workforce_rows()
    assert rows.size == s.n_regular + s.n_entrants and np.array_equal(rows[: s.n_regular], np.arange(s.n_regular))
    entrants = np.arange(s.first_entrant, len(s))
    queued = np.concatenate([m.world.acute_queue.members, m.world.elective_queue.members])
    in_queue = np.isin(entrants, queued)
    home_kind = m.world.workplace_kind[s.home[entrants]]
    assert np.array_equal(in_queue, np.isin(home_kind, (ACUTE_WARD, ELECTIVE)))
    assert np.array_equal(np.isin(entrants, m.world.nursing_home_staff), home_kind == NURSING_HOME)
    assert np.array_equal(np.isin(entrants, m._own_staff), np.isin(home_kind, (ICU, ACUTE_WARD)))
    assert np.array_equal(np.isin(entrants, m.recorder._icu_staff), home_kind == ICU)
    assert not np.isin(np.arange(s.n_regular, s.first_entrant), queued).any()
    # their own fixed draws: a vacation and a place in the queues, unlike the levers' recruits
    assert not np.isnan(s.vacation_u[entrants]).any() and np.all(s.priority[entrants] < 1.0)


def test_quiet_periods_run_with_the_supply_and_keep_its_flows():
    """Supply and quiet periods together: entrants at work do not hold the quiet path back (they are not recruits),
    the supply steps every month, and the entrants it counts as started are those at work."""
    # at a scale of 0.02 the regions raise staffing alerts on ordinary sick-leave noise, which keeps the daily core on
    sc = scenario(end="2026-12-31").with_overrides(**{"world.scale": 0.1, "quiet.enabled": True})
    quiet = MobilisationModel(sc, seed=5)
    quiet.run()
    assert quiet.quiet_days.sum() > 0.8 * quiet.n_days
    monthly = quiet.supply.monthly
    assert monthly["date"].nunique() == 24  # a step on every month's first day, quiet or daily
    flows = quiet.supply.summary(quiet)
    s = quiet.world.staff
    started = int(np.sum(s.status[s.first_entrant :] != ENTRANT))
    assert flows["graduates_started"] + flows["licensed_started"] == started > 0
    # every row in one status, none lost
    assert np.isin(s.status, np.arange(len(ALL_STATUSES))).all()


def test_the_monthly_supply_is_saved_with_the_run(year, tmp_path):
    result = year.result()
    assert result.supply is not None and result.supply.equals(year.supply.monthly)
    folder = result.save(tmp_path / "run", xlsx=True)
    saved = pd.read_parquet(folder / "supply.parquet")
    assert len(saved) == 12 * len(PROFESSIONS) and saved["graduates_started"].sum() == result.summary["graduates_started"].iloc[0]
    assert "supply" in pd.ExcelFile(folder / "results.xlsx").sheet_names
