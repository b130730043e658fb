"""The direction of each lever's effect under common random numbers, and that no staff member is ever in two places.

Every comparison runs two arms with the same seed and the same scenario except the
lever (arm A: lever off, arm B: lever on), so differences come from the lever and
not from the random numbers (the core draws every random number from a hash of
seed, day and staff id). Models are small (3-10 % scale) and most runs stop on
15 May 2020, after the spring peak; runs are shared through module-scoped fixtures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim import data
from sim.categories import (
    ACTIVE,
    ACUTE_WARD,
    ELECTIVE,
    ICU,
    ICU_NURSE,
    LEFT,
    LEVELS,
    NURSING_HOME,
    OFF_DUTY,
    OTHER_SECTOR,
    PERMANENT,
    POSTINGS,
    PROFESSIONS,
    RESERVE,
    RETIRED,
    STUDENT,
    TRAINING,
    UNIT_KINDS,
)
from sim.lookup import LookupArray
from sim.recorder import COST_ITEMS, LATELY_DAYS

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "sweden_spring2020.toml"
STRATEGIES = sorted((ROOT / "scenarios" / "strategies").glob("*.toml"))
SMALL = {"world.scale": 0.03, "time.end": "2020-05-15"}
CRISIS = LEVELS.index("crisis")
ALERT = LEVELS.index("staffing_alert")
ICU_PHYSICIAN = PROFESSIONS.index("icu_physician")
ANAESTHESIA_NURSE = PROFESSIONS.index("anaesthesia_nurse")
REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")
LOAN, POOL_POSTING = POSTINGS.index("loan"), POSTINGS.index("pool")
TOL = 1e-5  # hours: the staff state is float32 (issue #18), about 1e-6 of 12 hours
NO_TIERS = {"safety.icu_tiers": []}  # the minimum ICU-nurse ratio and trained nurses at an effectiveness (before issue #14, item 2)


# --------------------------------------------------------------------------- helpers


def make(scenario: str | Path = BASELINE, seed: int = 1, **overrides) -> sim.MobilisationModel:
    """A small model (3 % scale, 1 March - 15 May) with dotted-key overrides on top."""
    return sim.MobilisationModel(scenario=scenario, seed=seed, **{**SMALL, **overrides})


def step_all(model: sim.MobilisationModel, on_day=None) -> sim.Result:
    """Run to the end, calling ``on_day(model, day)`` after each simulated day."""
    while model.running:
        model.step()
        if on_day is not None:
            on_day(model, model.day - 1)
    return model.result()


def lever(model: sim.MobilisationModel, name: str):
    return next(lv for lv in model.levers if lv.name == name)


def unsafe_by_region(result: sim.Result) -> pd.Series:
    return result.daily.icu.groupby("region", observed=True)["unsafe_patients"].sum()


def supplied(result: sim.Result, kind: str) -> float:
    units = result.daily.units
    return float(units.loc[units["unit_kind"] == kind, "supplied_hours"].sum())


def coverage(result: sim.Result, kind: str) -> float:
    units = result.daily.units
    sel = units[units["unit_kind"] == kind]
    return float(sel["supplied_hours"].sum() / sel["required_hours"].sum())


def summary(result: sim.Result, column: str):
    return result.summary[column].iloc[0]


def levels_and_gaps(result: sim.Result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Escalation level codes and forecast gap shares, date × region."""
    reg = result.daily.regions
    levels = reg.pivot(index="date", columns="region", values="level").apply(lambda c: c.cat.codes).astype(int)
    gaps = reg.pivot(index="date", columns="region", values="forecast_gap_share")
    return levels, gaps


def one_region_wave(tmp_dir: Path, region: str, **region_wave) -> Path:
    """A scenario like the baseline where only ``region`` has a wave; every other region has 0.3 ICU patients per 100,000 at the peak."""
    lines = [f"{k} = {v}" for k, v in region_wave.items()]
    text = "\n".join(
        [
            f'extends = "{BASELINE.as_posix()}"',
            f'name = "{region}_only"',
            "[demand]",
            'source = "waves"',
            "[[demand.waves]]",
            'name = "one region"',
            "peak_date = 2020-04-25",
            "rise_days = 16.7",
            "fall_days = 37.6",
            "fall_shape = 1.34",
            "peak_per_100k = 0.3",
            f"[demand.waves.regions.{region}]",
            *lines,
            "",
        ]
    )
    path = tmp_dir / f"{region}_only.toml"
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- shared runs


@pytest.fixture(scope="module")
def baseline_small() -> sim.Result:
    """The baseline (all levers as happened) at 3 %, 1 March - 15 May: arm B of most comparisons."""
    return make().run()


@pytest.fixture(scope="module")
def baseline_autumn() -> sim.Result:
    """The baseline at 3 % through 30 September: the spring wave, the summer, and planned care catching up."""
    return make(**{"time.end": "2020-09-30"}).run()


@pytest.fixture(scope="module")
def spring_01() -> dict[bool, sim.Result]:
    """The baseline at 10 %, the whole spring (1 March - 30 June), with and without redeployment."""
    return {on: sim.run(BASELINE, seed=1, world__scale=0.1, levers__redeployment__enabled=on) for on in (False, True)}


# --------------------------------------------------------------------------- 1. escalation


#: Regions whose admissions peaked in spring 2020 (weeks 13–16; sim/data/regional/README.md)
SPRING_WAVE_REGIONS = {"stockholm", "sormland", "uppsala", "ostergotland", "jonkoping", "orebro", "dalarna", "vastmanland"}


def test_spring_wave_regions_reach_crisis_first_and_no_region_starts_in_crisis(baseline_autumn):
    """Each region on its own admissions: the first two to reach crisis are regions of the spring wave, Stockholm among the first."""
    levels, _ = levels_and_gaps(baseline_autumn)
    crisis = levels == CRISIS
    assert crisis["stockholm"].any(), "Stockholm declares crisis in spring 2020"
    first = crisis.idxmax()[crisis.any()]  # first crisis date of each region that reaches crisis
    earliest = first.sort_values().index[:2]
    assert set(earliest) <= SPRING_WAVE_REGIONS, (
        f"a region outside the spring wave reached crisis first: {first.sort_values().head(3).to_dict()}"
    )
    assert first["stockholm"] < pd.Timestamp("2020-04-15")
    assert not crisis.iloc[0].any(), "no region is in crisis on day 0"


def test_levels_rise_at_once_and_step_down_one_level_after_deescalate_days(baseline_autumn):
    """Region.assess: escalate on the day the forecast gap passes a threshold; step down one level after
    ``deescalate_days`` consecutive days with the gap at or below the current level's threshold."""
    cfg = baseline_autumn.scenario.escalation
    levels, gaps = levels_and_gaps(baseline_autumn)
    lv, gap = levels.to_numpy(), gaps.to_numpy()
    target = np.where(gap > cfg.crisis_gap, 2, np.where(gap > cfg.alert_gap, 1, 0))
    assert (lv >= target).all(), "a region is never below the level its forecast gap calls for"
    change = np.diff(lv, axis=0)
    assert change.min() >= -1, "a level never drops by more than one step a day"
    rise_t, rise_r = np.nonzero(change > 0)
    assert (lv[rise_t + 1, rise_r] == target[rise_t + 1, rise_r]).all(), "a region escalates to the level its gap calls for"
    threshold = {ALERT: cfg.alert_gap, CRISIS: cfg.crisis_gap}
    n = cfg.deescalate_days
    downs = list(zip(*np.nonzero(change < 0), strict=True))
    assert len(downs) >= 3, "the run should contain step-downs to check"
    for t0, r in downs:
        t, before = t0 + 1, lv[t0, r]
        assert t - n + 1 >= 0
        window = slice(t - n + 1, t + 1)
        assert (gap[window, r] <= threshold[before]).all(), f"{levels.columns[r]} stepped down on {levels.index[t].date()} too early"
        assert (lv[t - n + 1 : t, r] == before).all()


# --------------------------------------------------------------------------- 2. crisis agreement


def _agreement_arm(enabled: bool) -> dict:
    # the agreement's own effect, without fatigue's cap on extra hours (which tests/test_fatigue_capacity.py tests): with it,
    # tired ICU staff work fewer of the agreement's extra hours and the two arms' fatigue comes within 0.001 in the placement;
    # and everyone's first placement starting together (cohorts 1: the rosters' cohorts are tested in tests/test_rosters.py),
    # as with the baseline's daily cohorts some rest from the first week, which lowers the ICU's fatigue in the placement
    m = make(**{"levers.crisis_agreement.enabled": enabled, "fatigue.capacity_loss": 0.0, "levers.crisis_agreement.cohorts": 1})
    cfg, w, s = m.config.levers.crisis_agreement, m.world, m.world.staff
    icu_home = np.flatnonzero(w.workplace_kind[s.home[: s.n_regular]] == ICU)
    unit_kinds = [UNIT_KINDS.index(k) for k in cfg.units]
    cap_agreement = cfg.max_weekly_hours / 7.0
    trace = {"fatigue": [], "max_hours": 0.0, "max_agreement_days": 0, "rests": 0, "placed_days": 0, "first_placed": None}
    prev_days = s.agreement_days.copy()

    def check(m, day):
        present = icu_home[s.status[icu_home] != LEFT]
        trace["fatigue"].append(float(s.fatigue[present].mean()))
        assert (s.hours_worked <= s.max_hours + TOL).all()
        assert s.hours_worked.max() <= cap_agreement + TOL, "nobody works more than max_weekly_hours / 7 a day"
        placed = s.agreement_days > 0
        assert (s.hours_worked[~placed] <= s.normal_max_hours[~placed] + TOL).all(), "only staff under the agreement work beyond 40 h"
        longest = round(cfg.placement_weeks * 7) + round(cfg.max_extension_weeks * 7)
        assert s.agreement_days.max() <= longest, "no placement is longer than placement_weeks and its longest extension"
        if placed.any():
            worked = placed & (s.hours_worked > 0) & (s.status == ACTIVE)  # (whoever fell sick today is back at the home unit)
            assert np.isin(w.workplace_kind[s.workplace[worked]], unit_kinds).all()
            ca = lever(m, "crisis_agreement")  # its declared period (tests/test_rosters.py): declared on reaching crisis
            live = ca.active[day] | ca.ending
            assert live[w.workplace_region[s.workplace[worked]]].all(), "placed only where the agreement is active or running out"
            assert (ca.active[day] <= (ca.declared >= 0)).all()
            if trace["first_placed"] is None:
                trace["first_placed"] = day
        ended = (prev_days >= round(cfg.placement_weeks * 7)) & (s.agreement_days == 0)
        trace["rests"] += int(np.count_nonzero(ended & (s.status == OFF_DUTY)))
        trace["placed_days"] += int(placed.sum())
        trace["max_hours"] = max(trace["max_hours"], float(s.hours_worked.max()))
        trace["max_agreement_days"] = max(trace["max_agreement_days"], int(s.agreement_days.max()))
        prev_days[:] = s.agreement_days

    trace["result"] = step_all(m, check)
    trace["placement_days"] = round(cfg.placement_weeks * 7)
    trace["longest"] = round(cfg.placement_weeks * 7) + round(cfg.max_extension_weeks * 7)
    trace["cap"] = cap_agreement
    return trace


@pytest.fixture(scope="module")
def agreement() -> dict[bool, dict]:
    return {on: _agreement_arm(on) for on in (False, True)}


def test_crisis_agreement_raises_icu_hours_and_costs_crisis_pay_only_when_on(agreement):
    off, on = agreement[False]["result"], agreement[True]["result"]
    assert supplied(on, "icu") > supplied(off, "icu")
    assert summary(on, "cost_crisis_pay_msek") > 0
    assert summary(off, "cost_crisis_pay_msek") == 0
    assert agreement[True]["placed_days"] > 0
    assert agreement[False]["placed_days"] == 0


def test_crisis_agreement_raises_icu_staff_fatigue_during_the_placement(agreement):
    """During the first four-week placement ICU staff work longer weeks and tire more.

    (After it, the compulsory rest days pull their fatigue below the no-agreement arm:
    icu_staff_fatigue_end is lower with the agreement on 15 May.)
    """
    off, on = np.array(agreement[False]["fatigue"]), np.array(agreement[True]["fatigue"])
    d0 = agreement[True]["first_placed"]
    assert d0 is not None
    np.testing.assert_array_equal(on[:d0], off[:d0], err_msg="common random numbers: the arms agree until the first placement")
    window = slice(d0, d0 + agreement[True]["placement_days"])
    assert on[window].mean() > off[window].mean()
    assert on[window][-1] > off[window][-1]


def test_crisis_agreement_caps_hours_and_placement_length(agreement):
    on = agreement[True]
    assert on["max_hours"] == pytest.approx(on["cap"]), "placed staff do use the longer week"
    assert agreement[False]["max_hours"] <= 40.0 / 7 + TOL
    assert on["placement_days"] <= on["max_agreement_days"] <= on["longest"], "placements run their four weeks, some extended"
    assert on["rests"] > 0, "a full placement ends in rest days (off duty)"


# --------------------------------------------------------------------------- 3. redeployment


def test_redeployment_cuts_april_operations_by_46_percent(spring_01):
    """Calibration (scenario comment on max_elective_cut): April 2020 -46 %, March-June about -30 % (facts: -46 %, -35 %)."""
    on, off = spring_01[True], spring_01[False]
    assert summary(on, "elective_operations_april_change") == pytest.approx(-0.46, abs=0.03)
    assert summary(off, "elective_operations_april_change") == pytest.approx(0.0, abs=1e-9)
    ops_on = on.daily.regions["elective_operations"].sum()
    ops_off = off.daily.regions["elective_operations"].sum()
    assert ops_on / ops_off - 1.0 == pytest.approx(-0.30, abs=0.03)
    assert summary(on, "care_debt_end") > 0
    assert summary(off, "care_debt_end") == 0


def test_redeployment_raises_covid_ward_coverage(spring_01):
    assert coverage(spring_01[True], "covid_ward") > coverage(spring_01[False], "covid_ward")
    assert supplied(spring_01[True], "covid_ward") > supplied(spring_01[False], "covid_ward")


def test_planned_care_catches_up_after_the_cut(baseline_autumn):
    reg = baseline_autumn.daily.regions
    debt = reg.groupby("date", observed=True)["care_debt_operations"].sum()
    assert debt.max() > 0
    assert debt.idxmax() < debt.index[-1], "the debt peaks before the end of September"
    assert debt.iloc[-1] < debt.max(), "the debt falls after its peak"
    # wherever a region operates above normal (catching up), its debt falls that day
    ops = reg.pivot(index="date", columns="region", values="elective_operations")
    debts = reg.pivot(index="date", columns="region", values="care_debt_operations")
    normal = ops.iloc[0]  # 1 March: no cut yet
    catching_up = ops.iloc[1:] > normal * (1 + 1e-9)
    assert catching_up.to_numpy().sum() > 30
    fell = debts.diff().iloc[1:] < 0
    assert fell[catching_up].fillna(True).to_numpy().all()


# --------------------------------------------------------------------------- 4. ICU upskilling


@pytest.fixture(scope="module")
def training() -> dict:
    """ICU upskilling without team-based ICU staffing (trained nurses as ICU nurses at an effectiveness, while in crisis);
    tests/test_teams.py has the trained staff in ICU teams."""
    m = make(**NO_TIERS)
    w, s = m.world, m.world.staff
    rt = lever(m, "icu_upskilling")
    cand = rt.candidates
    ever_training = np.zeros(len(s), dtype=bool)
    trace = {"trainee_days_in_icu": 0, "ever_training": ever_training, "model": m}

    def check(m, day):
        ever_training[s.status == TRAINING] = True
        at_icu = w.workplace_kind[s.workplace] == ICU
        other = at_icu & ~np.isin(s.profession, (ICU_NURSE, ICU_PHYSICIAN))
        ids = np.flatnonzero(other)
        assert (s.role[ids] == ICU_NURSE).all(), "trained nurses work in the ICU as ICU nurses"
        assert np.isin(s.profession[ids], (ANAESTHESIA_NURSE, REGISTERED_NURSE)).all()
        assert s.trained[ids].all() and np.isin(ids, cand).all(), "only ICU-upskilled candidates work in the ICU outside their profession"
        assert (m.levels[s.region[ids]] >= CRISIS).all(), "they work in the ICU while their region is in crisis"
        trace["trainee_days_in_icu"] += ids.size

    trace["result"] = step_all(m, check)
    trace["off"] = make(**NO_TIERS, **{"levers.icu_upskilling.enabled": False}).run()
    return trace


def test_icu_upskilling_puts_trained_nurses_in_the_icu_only_when_on(training):
    on, off = training["result"], training["off"]
    assert summary(on, "upskilled_in_icu_peak") > 0
    assert summary(off, "upskilled_in_icu_peak") == 0
    assert training["trainee_days_in_icu"] > 0


def test_icu_upskilling_lowers_unsafe_icu_patient_days(training):
    on, off = unsafe_by_region(training["result"]), unsafe_by_region(training["off"])
    assert on.sum() <= off.sum()
    assert on["stockholm"] < off["stockholm"]


def test_icu_upskilling_trains_at_most_max_share_per_region(training):
    m = training["model"]
    w, s = m.world, m.world.staff
    n = s.n_regular
    kind, prof = w.workplace_kind[s.home[:n]], s.profession[:n]
    candidate = (prof == ANAESTHESIA_NURSE) | ((prof == REGISTERED_NURSE) & np.isin(kind, (ACUTE_WARD, ELECTIVE)))
    limit = np.floor(m.config.levers.icu_upskilling.max_share * np.bincount(s.region[:n][candidate], minlength=w.n_regions))
    trainees = np.flatnonzero(training["ever_training"][:n])
    assert trainees.size > 0
    assert candidate[trainees].all(), "only registered nurses of acute and elective care and anaesthesia nurses are trained"
    per_region = np.bincount(s.region[trainees], minlength=w.n_regions)
    assert (per_region <= limit).all(), f"trainees {per_region} over the limit {limit}"


def test_only_icu_upskilling_candidates_are_marked_trained(training):
    """Recruits' onboarding also uses the TRAINING status but is not an ICU course (world.Staff.trained)."""
    m = training["model"]
    s = m.world.staff
    trained = np.flatnonzero(s.trained)
    assert np.isin(trained, lever(m, "icu_upskilling").candidates).all()


# --------------------------------------------------------------------------- 5. recruitment


@pytest.fixture(scope="module")
def recruitment() -> dict:
    """Baseline at 3 % through September with recruits released 3 days after their region is back to normal."""
    release = 3
    m = make(**{"time.end": "2020-09-30", "levers.recruitment.release_after_days": release})
    w, s = m.world, m.world.staff
    recruits = np.flatnonzero(np.isin(s.contract, (RETIRED, STUDENT, OTHER_SECTOR)))
    trace = {
        "model": m,
        "recruits": recruits,
        "status0": s.status[recruits].copy(),
        "first_training": np.full(len(s), -1),
        "first_work": np.full(len(s), -1),
        "normal_run": np.zeros(w.n_regions, dtype=int),
        "released_region_days": 0,
        "release": release,
    }
    status_before = s.status.copy()

    def check(m, day):
        ft, fw = trace["first_training"], trace["first_work"]
        ft[recruits[(s.status[recruits] == TRAINING) & (ft[recruits] < 0)]] = day
        working = recruits[s.hours_worked[recruits] > 0]
        fw[working[fw[working] < 0]] = day
        run = trace["normal_run"]
        run[:] = np.where(m.levels == 0, run + 1, 0)
        released = run >= release
        assert not released[s.region[working]].any(), "no recruit works once the region has been back to normal for release_after_days"
        had_recruits = np.bincount(s.region[recruits[fw[recruits] >= 0]], minlength=w.n_regions) > 0
        trace["released_region_days"] += int(np.count_nonzero(released & had_recruits))
        # released recruits go back to the reserve (and only then)
        went = recruits[(status_before[recruits] == ACTIVE) & (s.status[recruits] == RESERVE)]
        assert released[s.region[went]].all()
        status_before[:] = s.status

    trace["result"] = step_all(m, check)
    return trace


def test_recruits_start_in_reserve_after_the_regular_staff(recruitment):
    m, recruits = recruitment["model"], recruitment["recruits"]
    assert recruits.size > 0
    assert (recruits >= m.world.staff.n_regular).all()
    assert (recruitment["status0"] == RESERVE).all()


def test_recruits_work_only_after_onboarding(recruitment):
    m, recruits = recruitment["model"], recruitment["recruits"]
    s = m.world.staff
    ft, fw = recruitment["first_training"][recruits], recruitment["first_work"][recruits]
    worked = fw >= 0
    assert worked.sum() > 10
    assert (ft[worked] >= 0).all(), "every recruit who worked was onboarded first"
    res = m.config.levers.recruitment.reservoirs
    onboarding = {RETIRED: res["retired"].onboarding_days, STUDENT: res["student"].onboarding_days}
    onboarding[OTHER_SECTOR] = res["other_sector"].onboarding_days
    need = np.array([onboarding[int(c)] for c in s.contract[recruits[worked]]])
    assert (fw[worked] - ft[worked] >= need).all()


def test_recruits_are_released_after_the_region_is_back_to_normal(recruitment):
    m, recruits, res = recruitment["model"], recruitment["recruits"], recruitment["result"]
    assert recruitment["released_region_days"] > 0, "some region with recruits got back to normal"
    s = m.world.staff
    reg = res.daily.regions
    last = reg[reg["date"] == reg["date"].max()].set_index("region")
    back = recruitment["normal_run"] >= recruitment["release"]
    codes = list(m.world.regions["code"])
    assert back.any()
    in_reserve = 0
    for r in np.flatnonzero(back):
        assert last.loc[codes[r], "recruits_working"] == 0
        mine = recruits[s.region[recruits] == r]
        assert (s.hours_worked[mine] == 0).all()
        assert not (s.status[mine] == TRAINING).any()
        worked = mine[recruitment["first_work"][mine] >= 0]
        in_reserve += int(np.count_nonzero(s.status[worked] == RESERVE))
    assert in_reserve > 0, "recruits who worked are back in the reserve"


def test_recruitment_adds_covid_ward_hours(baseline_small):
    off = make(**{"levers.recruitment.enabled": False}).run()
    assert summary(baseline_small, "recruits_working_peak") > 0
    assert summary(off, "recruits_working_peak") == 0
    # recruits work on COVID wards, so fewer acute-ward staff are sent there: the hospital's care gap shrinks
    assert baseline_small.daily.units["gap_hours"].sum() < off.daily.units["gap_hours"].sum()
    assert summary(off, "cost_temps_msek") == 0
    assert summary(baseline_small, "cost_temps_msek") > 0


# --------------------------------------------------------------------------- 6. loans


def test_baseline_loans_go_from_regions_outside_crisis_to_regions_in_crisis(spring_01):
    """With each region's own epidemic some ICUs have nurses to spare while others are in crisis, so loans happen
    (with one wave shape for all regions outside Stockholm they never did): always to a region in crisis, never from one."""
    res = spring_01[True]
    assert res.scenario.levers.loans.enabled
    events = res.events.loans
    assert not events.empty and summary(res, "staff_loaned") == events["count"].sum() > 0
    levels = res.daily.regions.set_index(["date", "region"])["level"].astype(str)
    to_level = [levels[(pd.Timestamp(d), r)] for d, r in zip(events["date"], events["to_region"], strict=True)]
    from_level = [levels[(pd.Timestamp(d), r)] for d, r in zip(events["date"], events["from_region"], strict=True)]
    assert set(to_level) == {"crisis"}
    assert "crisis" not in set(from_level)


@pytest.fixture(scope="module")
def stockholm_only(tmp_path_factory) -> Path:
    return one_region_wave(
        tmp_path_factory.mktemp("loans"), "stockholm", peak_date="2020-04-14", rise_days=11.1, fall_days=34.4, peak_patients=230.0
    )


def _loan_arm(path: Path, enabled: bool) -> dict:
    """A 10 % run; with loans on, each day's new loans are checked right after the coordinator's match.

    Moving staff alone: patient transfers are off (they would move Stockholm's overflow to its neighbours' ICUs)."""
    overrides = {"world.scale": 0.1, "time.end": "2020-05-15", "levers.loans.enabled": enabled, "levers.patient_transfers.enabled": False}
    overrides["levers.loans.contact_point_from"] = None  # national matching from the start (the contact point's rules: test_loans_needs.py)
    m = sim.MobilisationModel(scenario=path, seed=1, **overrides)
    cfg, s = m.config.levers.loans, m.world.staff
    codes = list(m.world.regions["code"])
    trace: dict = {"lender_slack": [], "model": m}
    if enabled:
        match = m.coordinator.match

        def checked_match(day: int) -> None:
            before = len(m.coordinator.loans)
            match(day)
            new = m.coordinator.loans[before:]
            if not new:
                return
            capacity, need = m.icu_capacity(), m.forecast_icu_required
            for loan in new:
                lender, p = codes.index(loan["from_region"]), PROFESSIONS.index(loan["profession"])
                trace["lender_slack"].append(capacity[lender, p] - need[lender, p] * (1 + cfg.safety_margin))

        m.coordinator.match = checked_match

    def check(m, day):
        out = s.posting_kind == LOAN
        if m.coordinator is None:  # loans off: no coordinator, and nobody is on loan
            assert not out.any()
            return
        for ids in m.coordinator.icu_staff.values():
            assert np.count_nonzero(out[ids]) <= int(cfg.max_share_lent * ids.size), "at most max_share_lent of a lender's ICU staff out"

    trace["result"] = step_all(m, check)
    return trace


@pytest.fixture(scope="module")
def loans(stockholm_only) -> dict[bool, dict]:
    return {on: _loan_arm(stockholm_only, on) for on in (False, True)}


def test_loans_go_to_the_region_with_the_wave_and_lower_its_unsafe_icu_days(loans):
    on, off = loans[True]["result"], loans[False]["result"]
    events = on.events.loans
    assert not events.empty
    assert set(events["to_region"]) == {"stockholm"}
    assert "stockholm" not in set(events["from_region"])
    assert off.events.loans.empty
    assert unsafe_by_region(on)["stockholm"] < unsafe_by_region(off)["stockholm"]
    assert summary(on, "unsafe_icu_patient_days") < summary(off, "unsafe_icu_patient_days")


def test_lenders_keep_their_safety_margin_when_lending(loans):
    """Coordinator.match offers floor((capacity - need·(1 + margin)) / per_head) nurses, per_head being the mean normal
    daily cap (40/7 h for everyone), and each lent ICU nurse takes exactly that many hours (effectiveness 1; the crisis
    agreement raises caps only after the match). So right after a loan each lender's ICU capacity today is at least its
    forecast need (horizon days ahead) × (1 + safety_margin). The guarantee is for the moment of lending only."""
    slack = np.array(loans[True]["lender_slack"])
    assert slack.size == len(loans[True]["result"].events.loans) > 0
    assert (slack >= -1e-6).all(), f"a lender dropped below its margin: {slack.min()}"


def test_lenders_in_the_same_health_care_region_come_first(tmp_path_factory):
    """Jönköping alone has a wave; Östergötland and Kalmar share its health-care region (sydöstra)."""
    path = one_region_wave(tmp_path_factory.mktemp("loans_se"), "jonkoping", peak_date="2020-04-14", rise_days=11.1, intensity=40.0)
    res = sim.run(path, seed=1, world__scale=0.1, time__end="2020-05-15", levers__loans__contact_point_from=None)  # national matching
    events = res.events.loans
    assert not events.empty and set(events["to_region"]) == {"jonkoping"}
    table = data.regions().set_index("code")
    hours = data.travel_hours()
    hc = table["healthcare_region"]
    events = events.assign(
        other_hc=[hc[f] != hc[t] for f, t in zip(events["from_region"], events["to_region"], strict=True)],
        hours=[hours.loc[t, f] for f, t in zip(events["from_region"], events["to_region"], strict=True)],
    )
    assert (~events["other_hc"]).any(), "a lender of the same health-care region lent"
    for _, day in events.groupby(["day", "to_region"]):
        keys = list(zip(day["other_hc"], day["hours"], strict=True))
        assert keys == sorted(keys), f"lenders not in order (same health-care region first, then by travel time): {day}"


# --------------------------------------------------------------------------- 7. national pool


def _pool_arm(**pool) -> dict:
    # moving staff alone: patient transfers off (they would move the most loaded region's overflow to other ICUs)
    overrides = {"world.scale": 0.1, "time.end": "2020-05-15", "levers.patient_transfers.enabled": False}
    if pool:
        overrides["levers.national_pool.enabled"] = True
        overrides.update({f"levers.national_pool.{k}": v for k, v in pool.items()})
    m = sim.MobilisationModel(scenario=BASELINE, seed=1, **overrides)
    s, w = m.world.staff, m.world
    members = m.pool.members if m.pool is not None else np.zeros(0, dtype=np.int64)  # no pool agent while the lever is off
    trace = {"model": m, "posted_run": np.zeros(members.size, dtype=int), "longest": 0, "away_days": 0, "own_unit_days": 0}

    def check(m, day):
        posted = s.posting_kind[members] == POOL_POSTING
        run = trace["posted_run"]
        run[:] = np.where(posted, run + 1, 0)
        trace["longest"] = max(trace["longest"], int(run.max()) if run.size else 0)
        arrived = posted & (run == 1)
        if arrived.any():  # a deployment lasts its cohort's length (levers.national_pool.cohorts, issue #14)
            cfg = m.config.levers.national_pool
            lengths = [cfg.max_deployment_days - c * cfg.cohort_spacing_days for c in range(cfg.cohorts)]
            assert np.isin(s.posting_until[members[arrived]] - day, lengths).all()
        deployed = members[posted & (s.hours_worked[members] > 0) & (s.status[members] == ACTIVE)]  # at work today, not fallen sick
        elsewhere = deployed[w.workplace_region[s.posting[deployed]] != s.region[deployed]]
        assert (s.workplace[elsewhere] == s.posting[elsewhere]).all()
        assert (s.workplace[elsewhere] != s.home[elsewhere]).all(), "a member deployed to another region is missing from home"
        trace["away_days"] += elsewhere.size
        trace["own_unit_days"] += int(np.count_nonzero(s.workplace[deployed] == s.home[deployed]))

    trace["result"] = step_all(m, check)
    return trace


@pytest.fixture(scope="module")
def pool() -> dict[str, dict]:
    return {
        "none": _pool_arm(),
        "fast": _pool_arm(mode="additional", size=1600, response_days=3),
        "slow": _pool_arm(mode="additional", size=1600, response_days=10),
        "drawn": _pool_arm(mode="drawn", response_days=3),
    }


def test_pool_arrives_response_days_after_the_request(pool):
    for arm, days in (("fast", 3), ("slow", 10), ("drawn", 3)):
        dep = pool[arm]["result"].events.pool_deployments
        assert not dep.empty, arm
        lag = dep["arrival_day"] - dep["requested_day"]
        assert (lag >= days).all(), arm
        assert (lag == days).all(), arm  # members are ready when the response time is over
    first = {arm: pool[arm]["result"].events.pool_deployments["arrival_day"].min() for arm in ("fast", "slow")}
    assert first["slow"] > first["fast"]


def test_pool_deployments_never_exceed_max_deployment_days(pool):
    for arm in ("fast", "slow", "drawn"):
        trace = pool[arm]
        limit = trace["model"].config.levers.national_pool.max_deployment_days
        dep = trace["result"].events.pool_deployments
        assert (dep["days"] <= limit).all() and (dep["days"] == limit).any()
        assert 0 < trace["longest"] <= limit, arm


def test_pool_lowers_unsafe_icu_days_in_the_most_loaded_region(pool):
    none, fast = unsafe_by_region(pool["none"]["result"]), unsafe_by_region(pool["fast"]["result"])
    # the most loaded region the pool was sent to (since the rosters of issue #14 Stockholm's unsafe care at 10 % falls
    # below Västmanland's early-April days, when Västmanland is not in crisis and calls no pool)
    served = pool["fast"]["result"].events.pool_deployments["region"].astype(str).unique()
    worst = none[none.index.astype(str).isin(served)].idxmax()
    assert none[worst] > 0
    assert fast[worst] < none[worst]
    assert fast.sum() <= none.sum() + TOL, "additional members take nobody from other regions"
    assert summary(pool["fast"]["result"], "cost_pool_msek") > 0
    assert summary(pool["none"]["result"], "cost_pool_msek") == 0


def test_drawn_pool_members_are_missing_from_their_home_region_while_deployed(pool):
    assert pool["drawn"]["away_days"] > 0


def test_drawn_pool_members_are_away_from_their_home_unit_while_deployed(pool):
    assert pool["drawn"]["own_unit_days"] == 0


# --------------------------------------------------------------------------- 8. nursing-home measures


#: stable teams only where and while the lever acts (from staffing_alert), and no cooperation between homes (which
#: replaces hourly moves where it acts): the stable-teams arms of before issue #16
STABLE_AT_ALERT = {"levers.nursing_home_measures.stable_teams_from": None, "levers.home_cooperation.enabled": False}


@pytest.fixture(scope="module")
def without_stable_teams() -> sim.Result:
    """The baseline without stable teams and without cooperation between homes: hourly staff move between homes."""
    return make(**{**STABLE_AT_ALERT, "levers.nursing_home_measures.stable_teams": False}).run()


@pytest.fixture(scope="module")
def stable_teams() -> dict:
    m = make(**{**STABLE_AT_ALERT, "levers.nursing_home_measures.stable_teams": True})
    w, s = m.world, m.world.staff
    hourly = w.hourly_home_staff
    trace = {"model": m, "on_days": 0}

    def check(m, day):
        on = m.levels >= ALERT
        mine = hourly[on[s.region[hourly]]]
        assert (s.workplace[mine] == s.home[mine]).all(), "with stable teams hourly staff work only in their own home"
        trace["on_days"] += int(on.sum())

    trace["result"] = step_all(m, check)
    return trace


def test_stable_teams_keep_hourly_staff_in_one_home(stable_teams, without_stable_teams):
    assert stable_teams["on_days"] > 0
    levels, _ = levels_and_gaps(stable_teams["result"])
    on_long = (levels >= ALERT).astype(int).rolling(LATELY_DAYS).min() == 1  # on for the last two weeks

    def share(res):
        return res.daily.nursing_homes.pivot(index="date", columns="region", values="hourly_staff_multi_home_share")

    with_teams, without = share(stable_teams["result"]), share(without_stable_teams)
    assert on_long.to_numpy().sum() > 0
    assert (with_teams[on_long].fillna(0) == 0).to_numpy().all()
    assert (without[on_long].fillna(0) > 0).to_numpy().any(), "without stable teams hourly staff move between homes"


def test_stable_teams_lower_introductions_under_the_mobility_view():
    """Stable teams everywhere all spring, three seeds, with infection at work weighing more than in the community.

    The facts give two views: introductions follow staff who work in several homes, or community spread
    drives them. With the baseline's parameters staff are infected mostly in the community, so keeping
    hourly staff in one home changes little; with a high workplace exposure (the mobility view) stable
    teams must bring the virus into fewer homes.
    """
    window = {"levers.nursing_home_measures.national_from": "2020-03-01", "levers.nursing_home_measures.national_until": "2020-05-15"}
    # the mobility view: high exposure in homes, the community hazard and the home-seeding rate of before
    # the calibration (with the calibrated 0.43 and 0.02 stable teams change nothing at 3 % scale)
    mobility = {"nursing_homes.staff_exposure_rate": 0.5, "infection.community_rate": 0.12, "nursing_homes.staff_seed_rate": 0.08}
    total = {}
    for on in (False, True):
        total[on] = sum(
            summary(
                make(seed=seed, **window, **mobility, **STABLE_AT_ALERT, **{"levers.nursing_home_measures.stable_teams": on}).run(),
                "nursing_home_introductions",
            )
            for seed in (1, 2, 3)
        )
    assert total[True] < total[False]


@pytest.fixture(scope="module")
def ban() -> dict:
    m = make(**{"levers.nursing_home_measures.ban_hourly_temps": True})
    w, s = m.world, m.world.staff
    hourly = w.hourly_home_staff
    cfg = m.config.levers.nursing_home_measures
    home_kind = w.workplace_kind[s.home]
    permanent = np.flatnonzero((home_kind == NURSING_HOME) & (s.contract == PERMANENT))
    trace = {"model": m, "reserve_days": 0, "overtime_days": 0, "back_days": 0}
    was_on = np.zeros(w.n_regions, dtype=bool)

    def check(m, day):
        on = m.levels >= ALERT
        banned = hourly[on[s.region[hourly]]]
        assert (s.hours_worked[banned] == 0).all(), "no hourly home staff work in a region under the ban"
        trace["reserve_days"] += int(np.count_nonzero(s.status[banned] == RESERVE))
        perm = permanent[on[s.region[permanent]]]
        assert (s.hours_worked[perm] <= cfg.overtime_max_weekly_hours / 7 + TOL).all()
        trace["overtime_days"] += int(np.count_nonzero(s.hours_worked[perm] > s.normal_max_hours[perm] + TOL))
        lifted = was_on & ~on
        trace["back_days"] += int(np.count_nonzero(s.hours_worked[hourly[lifted[s.region[hourly]]]] > 0))
        was_on[:] |= on

    trace["result"] = step_all(m, check)
    return trace


def test_ban_on_hourly_temps_keeps_them_in_reserve_and_permanent_staff_work_overtime(ban, baseline_small):
    assert ban["reserve_days"] > 0
    assert ban["overtime_days"] > 0, "permanent home staff work beyond 40 h while temps are banned"
    assert ban["back_days"] > 0, "hourly staff come back when the region steps down"
    assert summary(ban["result"], "cost_overtime_msek") > summary(baseline_small, "cost_overtime_msek")
    assert summary(ban["result"], "resident_infections") < summary(baseline_small, "resident_infections")


def test_cohort_care_lowers_infected_residents(baseline_small):
    off = make(**{"levers.nursing_home_measures.cohort_care": False}).run()
    on_infected = baseline_small.daily.nursing_homes["infected_residents"].sum()
    off_infected = off.daily.nursing_homes["infected_residents"].sum()
    assert on_infected < off_infected


# regions' nurses in homes with outbreaks (the former regional_support) are the lever mobile_teams: tests/test_home_measures.py


# --------------------------------------------------------------------------- 9. vacation


def _vacation_arm(policy: str) -> dict:
    m = make(**{"time.end": "2020-08-31", "levers.vacation.policy": policy})
    w, s = m.world, m.world.staff
    icu = np.flatnonzero(w.workplace_kind[s.home[: s.n_regular]] == ICU)
    vac = lever(m, "vacation")
    policy_kinds = [UNIT_KINDS.index(k) for k in m.config.levers.vacation.policy_units]
    in_policy = np.isin(w.workplace_kind[s.home], policy_kinds)
    trace = {"model": m, "vacation": vac, "icu": icu, "july_off": 0, "policy_on_vacation": 0, "others_on_vacation": 0}

    def check(m, day):
        if m.dates[day].month == 7:
            # off duty on vacation (not resting after a crisis-agreement placement, which runs to 31 August)
            trace["july_off"] += int(np.count_nonzero((s.status[icu] == OFF_DUTY) & ~s.agreement_rest[icu]))
        trace["policy_on_vacation"] += int(in_policy[vac.on_vacation].sum())
        trace["others_on_vacation"] += int((~in_policy[vac.on_vacation]).sum())

    trace["result"] = step_all(m, check)
    return trace


@pytest.fixture(scope="module")
def vacation() -> dict[str, dict]:
    return {policy: _vacation_arm(policy) for policy in ("keep", "postpone", "cancel")}


def test_postponed_icu_vacations_move_out_of_july(vacation):
    assert vacation["keep"]["july_off"] > 0
    assert vacation["postpone"]["july_off"] == 0
    trace = vacation["postpone"]
    m, vac = trace["model"], trace["vacation"]
    cfg, start = m.config.levers.vacation, m.config.time.start
    icu = trace["icu"][np.isin(trace["icu"], vac.scheduled)]
    assert icu.size > 0
    first, last = (cfg.postponed_start - start).days, (cfg.postponed_end - start).days
    assert (vac.start_day[icu] >= first).all()
    assert (vac.start_day[icu] + vac.length - 1 <= last).all()


def test_cancelled_vacations_leave_policy_units_without_vacation(vacation):
    cancel = vacation["cancel"]
    assert cancel["policy_on_vacation"] == 0
    assert cancel["others_on_vacation"] > 0, "staff of other units keep their vacation"
    assert vacation["keep"]["policy_on_vacation"] > 0


def test_vacation_rests_icu_staff(vacation):
    keep, cancel = vacation["keep"]["result"], vacation["cancel"]["result"]
    assert summary(keep, "icu_staff_fatigue_end") < summary(cancel, "icu_staff_fatigue_end")


# --------------------------------------------------------------------------- 10. recovery programme


@pytest.fixture(scope="module")
def second_wave() -> dict[str, sim.Result]:
    return {
        name: sim.run(ROOT / "scenarios" / f"{name}.toml", seed=1, world__scale=0.05) for name in ("second_wave", "second_wave_recovery")
    }


def test_recovery_programme_lowers_fatigue_before_the_second_wave(second_wave):
    plain, recovery = second_wave["second_wave"], second_wave["second_wave_recovery"]
    assert summary(recovery, "wave2_icu_staff_sustained_fatigue") < summary(plain, "wave2_icu_staff_sustained_fatigue")
    assert summary(recovery, "cost_recovery_msek") > 0
    assert summary(plain, "cost_recovery_msek") == 0


def test_second_wave_readiness_is_read_on_each_wave_start(second_wave):
    """The readiness columns are read on each wave's start (peak − 2 rise widths). Since issue #13 (lower non-COVID ICU
    census while planned care is cut, ICU staff apportioned by the regions' own beds) the summer's rest brings ICU staff's
    sustained fatigue back to about its pre-wave level by the second wave in this what-if: the finding of a more tired
    workforce at the second wave rested on the heavier ICU load (README, findings)."""
    plain = second_wave["second_wave"]
    waves = plain.scenario.demand.waves
    for k, wave in enumerate(waves, start=1):
        start = wave.peak_date - dt.timedelta(days=round(2 * wave.rise_days))
        assert plain.summary[f"wave{k}_start"].iloc[0] == max(start, plain.scenario.time.start).isoformat()
    one, two = summary(plain, "wave1_icu_staff_sustained_fatigue"), summary(plain, "wave2_icu_staff_sustained_fatigue")
    assert 0 < one < 1 and 0 < two < 1
    assert abs(two - one) < 0.03
    assert summary(plain, "wave2_staff_lost") >= summary(plain, "wave1_staff_lost")


# --------------------------------------------------------------------------- 11. costs


@pytest.fixture(scope="module")
def strategy_results() -> dict[str, sim.Result]:
    return {path.stem: sim.run(path, seed=1, **{k.replace(".", "__"): v for k, v in SMALL.items()}) for path in STRATEGIES}


def test_costs_are_never_negative(strategy_results, second_wave, baseline_autumn):
    runs = {**strategy_results, **second_wave, "baseline_autumn": baseline_autumn}
    spending = [item for item in COST_ITEMS if item != "banned_temps_saved"]
    for name, res in runs.items():
        costs = res.daily.regions[[f"cost_{item}_sek" for item in spending]]
        assert (costs.to_numpy() >= 0).all(), name
        assert all(summary(res, f"cost_{item}_msek") >= 0 for item in spending), name
        # the pay of hourly staff not called in is a saving, and there is one only under the ban on temps
        saved = res.daily.regions["cost_banned_temps_saved_sek"]
        assert (saved <= 0).all(), name
        banned = res.scenario.levers.nursing_home_measures.enabled and res.scenario.levers.nursing_home_measures.cut_share > 0
        assert (saved.sum() < 0) == banned, name


def test_no_action_pays_no_lever_costs_and_the_large_pool_costs(strategy_results):
    none = strategy_results["no_action"]
    for item in ("crisis_pay", "temps", "pool", "recovery"):
        assert summary(none, f"cost_{item}_msek") == 0, item
    assert summary(strategy_results["national_pool_large"], "cost_pool_msek") > 0
    assert summary(strategy_results["as_happened_2020"], "cost_crisis_pay_msek") > 0


# --------------------------------------------------------------------------- 12. nobody in two places


@pytest.mark.parametrize("path", STRATEGIES, ids=[p.stem for p in STRATEGIES])
def test_no_staff_member_is_ever_in_two_places(path):
    m = sim.MobilisationModel(scenario=path, seed=2, **SMALL)
    w, s = m.world, m.world.staff
    rows = len(s)

    def same_rows() -> bool:
        # every per-person array and lookup (the tables by contract or employer are not per person; ages are held
        # only by runs that retire by age)
        arrays = {
            k: a
            for k, a in vars(m.world.staff).items()
            if isinstance(a, np.ndarray | LookupArray) and "_by_" not in k and not (k == "age" and a.shape[0] == 0)
        }
        return len(arrays) > 20 and all(a.shape[0] == rows for a in arrays.values())

    assert same_rows()

    def check(m, day):
        assert m.world.staff is s and len(s) == rows and same_rows(), "staff are neither created nor lost"
        assert s.workplace.shape == (rows,) and np.issubdtype(s.workplace.dtype, np.integer), "one workplace per row"
        assert ((s.workplace >= 0) & (s.workplace < w.n_workplaces)).all()
        away = s.workplace != s.home
        assert (s.status[away] == ACTIVE).all(), "only staff at work are away from home"
        working = s.hours_worked > 0
        # every worker is counted at exactly one unit: today's head count over all units equals the workers
        assert m.recorder.heads[day].sum() == np.count_nonzero(working)
        posted = s.posting >= 0
        assert ((s.workplace[posted] == s.posting[posted]) | (s.workplace[posted] == s.home[posted])).all()

    res = step_all(m, check)
    per_day = res.daily.staff.groupby("date", observed=True)["n_total"].sum()
    assert (per_day == rows).all()
    assert len(per_day) == m.n_days
