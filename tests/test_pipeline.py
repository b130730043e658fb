"""The supply pipeline over years (issue #17, second slice): ages and retirement by age, education (intake, programme
years, completion, VFU cap), and the supply levers training_places and vfu_agreements.

Runs are quiet years (no COVID demand) at a small scale, 2025 on, with the quiet path where they run for years.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import QUIET_YEARS

from sim import ages, education
from sim import indicators as registry
from sim.categories import ALL_STATUSES, ENTRANT, LEFT, PROFESSIONS, RETIREE, SPECIALISING
from sim.lang import INDICATORS_SV
from sim.levers import LEVERS
from sim.model import MobilisationModel
from sim.scenario import ScenarioError, load_scenario
from sim.supply import STOCKS
from sim.world import build_world, entrant_cohorts

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "second_wave.toml"
#: a quiet period from 2025 (the crisis agreement's end moved into it; no COVID demand)
YEARS = {**QUIET_YEARS, "supply.enabled": True}
SUPPLY_LEVER_COLUMNS = tuple(spec.name for cls in LEVERS if cls.supply_side for spec in cls.indicators)


def scenario(end: str = "2025-12-31", **overrides):
    return load_scenario(SCENARIO, **{**YEARS, "time.end": end, **overrides})


@pytest.fixture(scope="module")
def by_age():
    m = MobilisationModel(scenario(**{"supply.retirement": "age", "world.scale": 0.05}), seed=3)
    m.run()
    return m


# ----------------------------------------------------------------------------------------------------- ages
def test_every_row_has_an_age_and_the_draw_moves_no_other_number():
    sc = scenario("2027-12-31", **{"supply.retirement": "age"})
    world = build_world(sc)
    s = world.staff
    assert s.age.dtype == np.float32 and s.age.shape == (len(s),) and np.isfinite(s.age).all()
    cfg = sc.supply.ages
    start = s.age[: s.first_entrant]
    assert start.min() >= min(cfg.youngest.values()) and start.max() < cfg.retirement_age_limit
    # entrants are their profession's graduation age (± half the spread) on the day they start
    j = np.arange(s.first_entrant, len(s))
    at_start = s.age[j] + world.entry_day / ages.DAYS_PER_YEAR
    graduation = np.array([cfg.graduation_age[p] for p in PROFESSIONS])[s.profession[j]]
    assert (np.abs(at_start - graduation) <= cfg.graduation_age_spread / 2 + 1e-3).all()
    # another age structure changes the ages only
    other = build_world(scenario("2027-12-31", **{"supply.retirement": "age", "supply.ages.share_55_plus": {"assistant_nurse": 0.6}}))
    for name in ("profession", "home", "contract", "priority", "vacation_u", "pool_u", "fatigue", "status"):
        assert np.array_equal(getattr(other.staff, name), getattr(s, name), equal_nan=True), name
    assert not np.array_equal(other.staff.age, s.age)
    # a run that retires at a flat rate reads no age: none is held (issue #18), and no other number moves
    flat = build_world(scenario("2027-12-31")).staff
    assert flat.age.shape == (0,)
    for name in ("profession", "home", "contract", "priority", "vacation_u", "pool_u", "fatigue", "status"):
        assert np.array_equal(getattr(flat, name), getattr(s, name), equal_nan=True), name


def test_the_age_structure_has_the_published_shares():
    sc = scenario(**{"world.scale": 0.1, "supply.retirement": "age"})
    s = build_world(sc).staff
    cfg = sc.supply.ages
    for name in ("registered_nurse", "assistant_nurse"):
        a = s.age[: s.n_regular][s.profession[: s.n_regular] == PROFESSIONS.index(name)]
        for threshold, share in ((55, cfg.share_55_plus[name]), (65, cfg.share_65_plus[name])):
            assert abs((a >= threshold).mean() - share) < 4 * np.sqrt(share * (1 - share) / a.size), (name, threshold)


def test_the_hazard_is_calibrated_to_the_rate_within_a_quarter_point():
    """Each profession's expected first-year retirements by age are within 0.25 percentage points of
    ``retirement_rate_per_year`` (physicians are above it: their 65+ share alone retires 1.7 % a year)."""
    for name, (target, rate) in ages.calibrated_rates(scenario()).items():
        assert abs(rate - target) <= 0.0025, (name, target, rate)


def test_retirement_by_age_follows_the_calibration(by_age):
    s, sc = by_age.world.staff, by_age.config
    rows = np.arange(s.n_regular)
    retired = s.status[rows] == RETIREE
    rates = ages.calibrated_rates(sc)
    expected = sum(rates[name][1] * (s.profession[rows] == p).sum() for p, name in enumerate(PROFESSIONS))
    assert abs(retired.sum() - expected) < 4 * np.sqrt(expected)
    # no one retires below 60 (the hazard is 0 there); everyone at the age limit has retired
    age_end = s.age[rows] + by_age.n_days / ages.DAYS_PER_YEAR
    assert (age_end[retired] >= 60.0).all()
    reached = s.age[rows] + 334 / ages.DAYS_PER_YEAR >= sc.supply.ages.retirement_age_limit  # the limit by the last step
    assert (s.status[rows][reached] == RETIREE).all()
    assert sc.supply.retirement == "age" and load_scenario(SCENARIO).supply.retirement == "rate"


def test_every_row_in_one_status_and_the_row_count_fixed(by_age):
    s = by_age.world.staff
    assert set(np.unique(s.status)) <= set(range(len(ALL_STATUSES)))
    frame = by_age.supply.monthly
    by_month = frame.groupby("date", observed=True)[list(STOCKS)].sum().sum(axis=1)
    assert (by_month == s.n_regular + s.n_entrants).all()


# ----------------------------------------------------------------------------------------------------- education
def test_baseline_intake_reproduces_graduates_per_year():
    sc = scenario("2034-12-31", **{"supply.education.enabled": True})
    for programme, profession in education.PROGRAMMES.items():
        for year in range(2020, 2035):
            assert education.graduates_in_year(sc, programme, year) == pytest.approx(sc.supply.graduates_per_year[profession])
    on = entrant_cohorts(sc)
    off = entrant_cohorts(scenario("2034-12-31"))
    for p in range(len(PROFESSIONS)):  # the same entrants by profession, within rounding
        assert abs(sum(k for _, q, k, _ in on if q == p) - sum(k for _, q, k, _ in off if q == p)) <= 1


def test_extra_places_arrive_after_the_programme_years_capped_by_vfu():
    extra = {"levers.training_places.enabled": True, "levers.training_places.from_year": 2026}
    places = {"levers.training_places.extra_intake_per_year": {"nursing": 2000.0}}
    vfu = {"levers.vfu_agreements.enabled": True, "levers.vfu_agreements.from_year": 2026}
    base = scenario("2034-12-31", **{"supply.education.enabled": True})
    capped = scenario("2034-12-31", **{"supply.education.enabled": True}, **extra, **places)
    agreed = scenario(
        "2034-12-31",
        **{"supply.education.enabled": True},
        **extra,
        **places,
        **vfu,
        **{"levers.vfu_agreements.extra_places_per_year": {"nursing": 1000.0}},
    )
    g = {
        name: [education.graduates_in_year(sc, "nursing", y) for y in range(2025, 2035)]
        for name, sc in (("base", base), ("capped", capped), ("agreed", agreed))
    }
    completion, baseline = 0.81, education.baseline_intake(base, "nursing")
    assert g["capped"][:4] == g["base"][:4]  # admitted 2026, three years: graduates from 2029
    assert g["capped"][4] == pytest.approx(g["base"][4] + completion * 0.03 * baseline)  # only the VFU headroom
    assert g["agreed"][4] == pytest.approx(g["base"][4] + completion * (0.03 * baseline + 1000.0))
    assert education.vfu_cap(base, "icu_specialist", 2030) == float("inf")


def more_icu_nurses(extra: float) -> MobilisationModel:
    sc = scenario(
        "2026-12-31",
        **{
            "supply.education.enabled": True,
            "quiet.enabled": True,
            "levers.training_places.enabled": extra > 0,
            "levers.training_places.from_year": 2025,
            "levers.training_places.extra_intake_per_year": {"icu_specialist": extra},
        },
    )
    m = MobilisationModel(sc, seed=5)
    m.run()
    return m


def test_more_places_more_staff_of_the_profession_a_year_later_same_seed():
    base, more = more_icu_nurses(0.0), more_icu_nurses(2000.0)
    icu = PROFESSIONS.index("icu_nurse")

    def employed(m):
        return m.supply.monthly.query("profession == 'icu_nurse'")["employed"].to_numpy()

    assert (employed(more)[:12] == employed(base)[:12]).all()  # admitted in 2025, at work from 2026
    assert employed(more)[-1] >= employed(base)[-1] + 0.9 * 2000.0 * 0.93 * 0.02
    s = more.world.staff
    assert (s.profession[s.first_entrant :] == icu).sum() > (base.world.staff.profession[base.world.staff.first_entrant :] == icu).sum()
    summary = more.result().summary.iloc[0]
    assert summary["training_places_added"] == pytest.approx(2000.0 * 2 * 0.02)
    assert summary["training_places_cost_sek"] == pytest.approx(2000.0 * 2 * 0.02 * 1.0 * 90_000.0)
    assert summary["vfu_places_added"] == 0 and (s.status[s.first_entrant :] != ENTRANT).all()
    table = more.supply.intake(more).set_index(["year", "programme"])
    assert table.loc[(2025, "icu_specialist"), "admitted"] == pytest.approx(table.loc[(2025, "icu_specialist"), "baseline"] + 2000.0)
    assert table.loc[(2026, "icu_specialist"), "graduates"] == pytest.approx(0.93 * table.loc[(2025, "icu_specialist"), "admitted"])
    for name in SUPPLY_LEVER_COLUMNS:
        assert registry.get(name).title and name in INDICATORS_SV


def test_supply_levers_columns_only_with_supply_and_the_digest_unchanged():
    base = load_scenario(SCENARIO)
    assert base.with_overrides(**{"levers.training_places.enabled": False}).digest() == base.digest()
    assert base.with_overrides(**{"supply.ages.graduation_age_spread": 4.0}).digest() == base.digest()
    m = MobilisationModel(base, seed=1, world__scale=0.02, time__end="2020-03-03")
    assert not set(SUPPLY_LEVER_COLUMNS) & set(m.run().summary.columns)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("levers.training_places.extra_intake_per_year", {"nursin": 10.0}, "unknown programme 'nursin'"),
        ("levers.vfu_agreements.extra_places_per_year", {"nursing": -1.0}, "extra_places_per_year"),
        ("supply.education.programmes", {"surgery": {"years": 2.0}}, "unknown programme 'surgery'"),
        ("supply.education.programmes", {"nursing": {"completion": 1.5}}, "completion"),
        # a programme that is not a table (found by make fuzz: a TypeError; 0 and "" were taken as no table at all)
        ("supply.education.programmes", {"medicine": float("inf")}, r"supply.education.programmes.medicine: .*dictionary.*\(got inf\)"),
        ("supply.education.programmes", {"medicine": 0}, r"programmes.medicine: .*\(got 0\)"),
        ("supply.education.programmes", {"nursing": ""}, r"programmes.nursing: .*\(got ''\)"),
        ("supply.ages.share_65_plus", {"care_aide": 0.5}, "share_65_plus.care_aide"),
        ("supply.ages.retirement_hazard_shape", {"sixty": 1.0}, "expected a whole year of age"),
        ("supply.retirement", "pension", "supply.retirement"),
        ("levers.training_places.enabled", True, "levers.training_places.extra_intake_per_year"),
        ("levers.vfu_agreements.enabled", True, "levers.vfu_agreements.extra_places_per_year"),
        ("levers.specialist_training.enabled", True, "levers.specialist_training.extra_places_per_year"),
    ],
)
def test_bad_input_is_a_clear_error(key, value, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(SCENARIO, **{key: value})


# ----------------------------------------------------------------------------------------------------- specialisation
def specialising(places: float, paid: bool = False, end: str = "2026-12-31") -> MobilisationModel:
    sc = scenario(
        end,
        **{
            "world.scale": 0.05,
            "supply.education.enabled": True,
            "supply.education.specialisation": True,
            "supply.education.specialists_paid": paid,
            "quiet.enabled": True,
            "levers.specialist_training.enabled": places > 0,
            "levers.specialist_training.from_year": 2025,
            "levers.specialist_training.extra_places_per_year": {"icu_specialist": places},
        },
    )
    m = MobilisationModel(sc, seed=4)
    m.step()
    return m


@pytest.fixture(scope="module")
def specialised():
    """(base, funded) after the first day, and after the run (2025-2026, quiet path)."""
    base, funded, half = specialising(0.0, paid=True), specialising(400.0), specialising(0.0, end="2025-06-30")
    away = half.world.specialisation["row"][half.world.staff.status[half.world.specialisation["row"]] == SPECIALISING]
    fatigue = half.world.staff.fatigue[away].copy()
    for m in (base, funded, half):
        m.run()
    return base, funded, (half, away, fatigue)


def test_specialist_graduates_come_from_the_registered_nurses(specialised):
    base, _, (half, away, fatigue) = specialised
    w, s = base.world, base.world.staff
    plan = w.specialisation
    icu, an = PROFESSIONS.index("icu_nurse"), PROFESSIONS.index("anaesthesia_nurse")
    assert plan["row"].size > 0 and (plan["row"] < s.n_regular).all() and np.unique(plan["row"]).size == plan["row"].size
    assert not np.isin(s.profession[s.first_entrant :], (icu, an)).any()  # no new rows for them
    done = (plan["end_day"] < base.n_days) & ~np.isin(s.status[plan["row"]], (LEFT, RETIREE))  # some retire or leave first
    rows = plan["row"][done]
    assert (s.profession[rows] == plan["profession"][done]).all() and (s.role[rows] == s.profession[rows]).all()
    assert (s.home[rows] == plan["home"][done]).all() and (s.employer[rows] == 0).all()
    assert (w.workplace_region[s.home[rows]] == s.region[rows]).all()
    kinds = w.workplace_kind[s.home[rows]]
    assert (kinds[s.profession[rows] == icu] == 0).all()  # the ICU
    assert (w.tally_group[rows] == (s.region[rows].astype(np.int64) * 2 + 0) * len(PROFESSIONS) + s.profession[rows]).all()
    summary = base.result().summary.iloc[0]
    assert summary["specialists_completed"] >= int(done.sum()) and summary["specialist_salary_sek"] > 0
    # away, the daily and the quiet kernels leave them alone: no hours, fatigue as when they left
    still = plan["row"][s.status[plan["row"]] == SPECIALISING]  # began in 2026, graduate after the run
    assert still.size and (s.hours_worked[still] == 0).all() and (s.workplace[still] == s.home[still]).all()
    h = half.world.staff
    still = h.status[away] == SPECIALISING  # away from the start to mid-2025 (graduate in August)
    assert still.any() and (h.fatigue[away[still]] == fatigue[still]).all()


def test_new_specialists_are_regrouped_where_staff_were_taken_by_profession_or_home(specialised):
    """A graduate's new profession and home reach every set taken at the start: the regions' own-capacity forecast, the
    recorder's ICU staff and ICU nurses (the ICU nurse ratio), and the loans' lendable ICU staff."""
    base = specialised[0]
    w, s = base.world, base.world.staff
    plan = w.specialisation
    icu = PROFESSIONS.index("icu_nurse")
    done = plan["row"][(plan["end_day"] < base.n_days) & (s.profession[plan["row"]] == icu)]
    assert done.size
    assert np.isin(done, base._own_staff).all() and np.isin(done, base.recorder._icu_staff).all()
    assert np.isin(done, base.recorder._icu_nurses).all() and not np.isin(done, base.recorder._not_specialist_at_icu).any()
    coordinator = base.lever("loans").coordinator
    assert np.isin(done, coordinator.lendable_ids).all()
    key = s.region[done].astype(np.int64) * len(PROFESSIONS) + icu
    own = np.searchsorted(base._own_staff, done)
    assert (base._own_key[own] == key).all()


def test_every_row_in_one_status_with_specialisation(specialised):
    for m in specialised[:2]:
        s = m.world.staff
        assert set(np.unique(s.status)) <= set(range(len(ALL_STATUSES)))
        frame = m.supply.monthly
        by_month = frame.groupby("date", observed=True)[list(STOCKS)].sum().sum(axis=1)
        assert (by_month == s.n_regular + s.n_entrants).all()
        national = frame.groupby("date", observed=True)[["specialisation_started", "specialisation_completed", "specialising"]].sum()
        change = national["specialising"].diff().iloc[1:]
        # students who leave or retire while away leave the stock too
        assert (change <= (national["specialisation_started"] - national["specialisation_completed"]).iloc[1:]).all()


def test_funded_places_more_icu_nurses_fewer_registered_nurses_same_seed(specialised):
    base, funded, _ = specialised

    def employed(m, name):
        return int(m.supply.monthly.query(f"profession == '{name}'")["employed"].iloc[-1])

    extra = 400.0 * 0.93 * 0.05
    assert employed(funded, "icu_nurse") >= employed(base, "icu_nurse") + 0.8 * extra
    assert employed(funded, "registered_nurse") <= employed(base, "registered_nurse") - 0.8 * extra
    summary = funded.result().summary.iloc[0]
    assert summary["specialist_places_added"] == pytest.approx(400.0 * 2 * 0.05)
    salary = (
        funded.config.costs.hourly_wage_sek["registered_nurse"]
        * (1 + funded.config.costs.employer_fee)
        * funded.config.workforce.weekly_hours
        * 52
        / 12
    )
    assert summary["specialist_training_cost_sek"] == pytest.approx(400.0 * 2 * 0.05 * 12 * salary)
    assert summary["specialist_salary_sek"] == 0  # unpaid: no salary besides the lever's


def test_specialist_training_takes_specialist_programmes_only():
    with pytest.raises(ScenarioError, match="no specialist programme"):
        load_scenario(SCENARIO, **{"levers.specialist_training.extra_places_per_year": {"nursing": 10.0}})


def test_students_away_at_the_start_began_before_the_run(specialised):
    """Those whose programme began before the run are away from its first day (not off sick, not at work) and are not
    counted as beginning in it: the first month's step starts nobody (the run starts on a month's first day)."""
    base = specialised[0]
    first = base.supply.monthly[base.supply.monthly["date"] == base.supply.monthly["date"].min()]
    assert first["specialisation_started"].sum() == 0
    plan = base.world.specialisation
    assert base.result().summary.iloc[0]["specialists_started"] <= int(((plan["start_day"] > 0) & (plan["start_day"] < base.n_days)).sum())
