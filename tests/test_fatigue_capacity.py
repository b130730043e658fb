"""Fatigue that costs capacity (issue #14, item 4; docs/ODD.md submodel 5a).

Above ``fatigue.capacity_threshold`` a staff member counts as fatigued: the hours above their contracted ones that they
can be asked to work fall linearly to ``1 − capacity_loss`` of them at fatigue 1, and their care carries excess error
odds (``error_odds_ratio`` at fatigue 1, log-linear in between; reported, no dynamics). The arms of the direction tests
share the seed (common random numbers): "fatigued, no loss" records the same indicators as "on" with the cap's loss at
0, so their difference is the cap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import refused

import sim
from sim import indicators, kernels
from sim.categories import ACTIVE, ICU_NURSE, N_PROFESSIONS, OFF_DUTY
from tests.test_scenario import BASE

SCALE = 0.1
SEED = 3
END = "2020-06-30"
OFF = {"fatigue.capacity_threshold": 1.0, "fatigue.capacity_loss": 0.0, "fatigue.error_odds_ratio": 1.0}
ON = {"fatigue.capacity_threshold": 0.5, "fatigue.capacity_loss": 0.5, "fatigue.error_odds_ratio": 5.0}
NO_LOSS = {**ON, "fatigue.capacity_loss": 0.0}
NEW_COLUMNS = {
    "units": ["capacity_lost_to_fatigue_hours"],
    "icu": ["fatigued_care_share", "fatigue_error_patients"],
}
SUMMARY = [
    "capacity_lost_to_fatigue_hours",
    "icu_capacity_lost_to_fatigue_hours",
    "fatigued_icu_care_share",
    "fatigue_error_icu_patient_days",
]


# --------------------------------------------------------------------------- the kernels


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("loss", [0.0, 0.4, 1.0])
def test_capacity_factor_at_below_and_above_the_threshold(threshold, loss):
    f = np.linspace(0.0, 1.0, 201)
    c = np.array([kernels.capacity_factor(x, threshold, loss) for x in f])
    assert np.all(c[f <= threshold] == 1.0), "at or below the threshold nothing is lost"
    assert np.all((c >= 1.0 - loss - 1e-12) & (c <= 1.0)), "bounded by 1 − loss and 1"
    assert c[-1] == pytest.approx(1.0 - loss), "the floor is reached at fatigue 1"
    assert np.all(np.diff(c) <= 1e-15), "monotone: more fatigue never gives more hours"
    if loss > 0:
        assert np.all(c[f > threshold] < 1.0), "above the threshold something is lost"


def test_threshold_one_means_nobody_is_fatigued():
    for f in (0.0, 0.5, 1.0):
        assert kernels.fatigued_degree(f, 1.0) == 0.0
        assert kernels.capacity_factor(f, 1.0, 1.0) == 1.0
        assert kernels.error_excess_odds(f, 1.0, np.log(5.0)) == 0.0


def test_error_excess_odds_is_zero_below_the_threshold_and_the_odds_ratio_at_fatigue_one():
    log_or = np.log(1.67)
    f = np.linspace(0.0, 1.0, 101)
    e = np.array([kernels.error_excess_odds(x, 0.5, log_or) for x in f])
    assert np.all(e >= 0.0)
    assert np.all(e[f <= 0.5] == 0.0)
    assert np.all(np.diff(e) >= 0.0)
    assert e[-1] == pytest.approx(0.67)
    assert kernels.error_excess_odds(0.9, 0.5, 0.0) == 0.0, "odds ratio 1: no excess"


def _staff(n: int = 6):
    status = np.full(n, ACTIVE, dtype=np.int8)
    status[1] = OFF_DUTY
    fatigue = np.array([0.9, 0.9, 0.3, 0.9, 1.0, 0.5])
    workplace = np.array([0, 0, 0, 1, 1, 1], dtype=np.int32)
    role = np.array([ICU_NURSE, ICU_NURSE, ICU_NURSE, 2, 2, 2], dtype=np.int8)
    effectiveness = np.array([1.0, 1.0, 1.0, 0.5, 1.0, 1.0])
    base = np.full(n, 4.0)
    max_hours = np.array([6.0, 6.0, 6.0, 6.0, 6.0, 6.0])
    max_hours[3] = 4.0  # no extra hours to lose
    return status, fatigue, workplace, role, effectiveness, base, max_hours


def _cap(threshold=0.5, loss=0.5, odds_ratio=5.0):
    status, fatigue, workplace, role, effectiveness, base, max_hours = _staff()
    sums = kernels.cap_hours_by_fatigue(
        status=status,
        fatigue=fatigue,
        workplace=workplace,
        role=role,
        effectiveness=effectiveness,
        contract=np.arange(base.size),  # each row a contract of its own: the table is the per-person hours
        base_hours_by_contract=base,
        max_hours=max_hours,
        threshold=threshold,
        loss=loss,
        log_odds_ratio=np.log(odds_ratio),
        n_workplaces=2,
        n_professions=N_PROFESSIONS,
    )
    return max_hours, sums


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_count_supply_cuts_as_the_cap_kernel_then_counts_bit_for_bit(seed):
    """The hours phase cuts fatigued staff's hours inside count_supply's pass (issue #18): the same cut hours and sums,
    and the same counts, as cap_hours_by_fatigue followed by a count that cuts nothing."""
    rng = np.random.default_rng(seed)
    n, n_wp = 2000, 7
    status = rng.choice(np.array([ACTIVE, OFF_DUTY], dtype=np.int8), n, p=[0.85, 0.15])
    fatigue = rng.random(n)
    workplace = np.sort(rng.integers(0, n_wp, n)).astype(np.int16)  # runs of a workplace, as the staff arrays hold them
    role = rng.integers(0, N_PROFESSIONS, n).astype(np.int8)
    effectiveness = rng.uniform(0.5, 1.0, n)
    contract = rng.integers(0, 3, n).astype(np.int8)
    base = np.array([4.0, 6.0, 8.0])
    max_hours = base[contract] + rng.uniform(0.0, 4.0, n)
    log_or = float(np.log(1.67))
    args = dict(workplace=workplace, role=role, effectiveness=effectiveness, contract=contract, base_hours_by_contract=base)
    two_pass = max_hours.copy()
    sums = kernels.cap_hours_by_fatigue(
        status=status,
        fatigue=fatigue,
        **args,
        max_hours=two_pass,
        threshold=0.6,
        loss=0.5,
        log_odds_ratio=log_or,
        n_workplaces=n_wp,
        n_professions=N_PROFESSIONS,
    )
    counted = kernels.count_supply(
        status,
        **args,
        max_hours=two_pass,
        n_workplaces=n_wp,
        n_professions=N_PROFESSIONS,
        fatigue=fatigue,
        cap_threshold=np.inf,
        cap_loss=0.5,
        log_odds_ratio=log_or,
    )
    one_pass = max_hours.copy()
    fused = kernels.count_supply(
        status,
        **args,
        max_hours=one_pass,
        n_workplaces=n_wp,
        n_professions=N_PROFESSIONS,
        fatigue=fatigue,
        cap_threshold=0.6,
        cap_loss=0.5,
        log_odds_ratio=log_or,
    )
    assert (one_pass < max_hours).any(), "some hours were cut"
    assert np.array_equal(one_pass, two_pass)
    assert np.array_equal(fused[5], sums)
    assert not counted[5].any()
    for a, b in zip(fused[:5], counted[:5], strict=True):
        assert np.array_equal(a, b)


def test_cap_hours_cuts_only_the_extra_hours_of_active_fatigued_staff():
    capped, sums = _cap()
    # 0: active, fatigue 0.9 → degree 0.8, extra 2 h, cut 0.5 · 0.8 · 2 = 0.8
    assert capped[0] == pytest.approx(6.0 - 0.8)
    assert capped[1] == 6.0, "off duty: untouched"
    assert capped[2] == 6.0, "below the threshold: untouched"
    assert capped[3] == 4.0, "no hours above contract: nothing to cut"
    assert capped[4] == pytest.approx(5.0), "fatigue 1: half the extra hours (loss 0.5)"
    assert capped[5] == 6.0, "at the threshold: untouched"
    *_, base, max_hours = _staff()
    assert np.all(capped >= base) and np.all(capped <= max_hours), "never below contract, never above the levers' cap"
    lost = sums[:, :, kernels.CUT]
    assert lost[0, ICU_NURSE] == pytest.approx(0.8)
    assert lost[1, 2] == pytest.approx(1.0)
    assert lost.sum() == pytest.approx(1.8)
    # the fatigued staff's hours (staff 0 at workplace 0; staff 3 and 4 at workplace 1): contracted, and extra after the cut
    assert sums[0, ICU_NURSE, kernels.FATIGUED_BASE] == 4.0 and sums[0, ICU_NURSE, kernels.FATIGUED_EXTRA] == pytest.approx(1.2)
    assert sums[1, 2, kernels.FATIGUED_BASE] == 8.0 and sums[1, 2, kernels.FATIGUED_EXTRA] == pytest.approx(1.0)
    e0 = kernels.error_excess_odds(0.9, 0.5, np.log(5.0))
    assert sums[0, ICU_NURSE, kernels.EXCESS_BASE] == pytest.approx(4.0 * e0)
    assert sums[0, ICU_NURSE, kernels.EXCESS_EXTRA] == pytest.approx(1.2 * e0)


def test_loss_zero_cuts_nothing_and_capacity_matches_the_cut():
    capped, sums = _cap(loss=0.0)
    assert np.array_equal(capped, _staff()[-1]) and not sums[:, :, kernels.CUT].any()
    assert sums[:, :, kernels.FATIGUED_BASE].sum() == 12.0, "fatigued staff are still counted"
    # the levers' capacity (capacity_by_region_role) sees the same cut as the hours phase
    status, fatigue, workplace, role, effectiveness, base, max_hours = _staff()
    capped, _ = _cap()
    kwargs = dict(
        status=status, workplace=workplace, role=role, effectiveness=effectiveness, slot=np.array([0, 0], dtype=np.int8), n_slots=1
    )
    kwargs |= dict(workplace_region=np.array([0, 0], dtype=np.int32), n_regions=1, n_professions=N_PROFESSIONS)
    kwargs |= dict(contract=np.arange(base.size), base_hours_by_contract=base)
    seen = kernels.capacity_by_region_role(hours=max_hours, fatigue=fatigue, threshold=0.5, loss=0.5, **kwargs)
    after = kernels.capacity_by_region_role(hours=capped, fatigue=np.zeros(6), threshold=0.5, loss=0.5, **kwargs)
    np.testing.assert_allclose(seen, after)
    plain = kernels.capacity_by_region_role(hours=max_hours, fatigue=fatigue, threshold=1.0, loss=0.0, **kwargs)
    assert plain.sum() > seen.sum()


def test_rest_restores_capacity():
    """Capacity follows current fatigue: days off work shed fatigue (off_work_recovery) until nothing is lost."""
    f, threshold, loss = 0.95, 0.5, 0.5
    assert kernels.capacity_factor(f, threshold, loss) < 1.0
    factors = []
    for _ in range(30):  # a week's rest after a placement is 7 days; a month of it is more than enough
        f = kernels.fatigue_step(f, 0.0, 0.1, 0.05, 0.85)
        factors.append(kernels.capacity_factor(f, threshold, loss))
    assert np.all(np.diff(factors) >= 0.0), "capacity only comes back while resting"
    assert factors[-1] == 1.0


# --------------------------------------------------------------------------- scenario keys


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("fatigue.capacity_threshold", "1.5", "less than or equal to 1"),
        ("fatigue.capacity_threshold", "-0.1", "greater than or equal to 0"),
        ("fatigue.capacity_loss", "1.2", "less than or equal to 1"),
        ("fatigue.error_odds_ratio", "0.5", "greater than or equal to 1"),
        ("fatigue.error_odds_ratio", "1000", "at most 100"),
    ],
)
def test_bad_values_are_refused(key, value, fragment):
    refused(BASE, key, value, fragment)


def test_a_loss_or_odds_ratio_without_a_threshold_is_refused():
    for key, value in (("capacity_loss", 0.3), ("error_odds_ratio", 2.0)):
        with pytest.raises(sim.ScenarioError) as info:
            sim.load_scenario(
                BASE,
                **{"fatigue.capacity_threshold": 1.0, **{k: v for k, v in OFF.items() if k != f"fatigue.{key}"}, f"fatigue.{key}": value},
            )
        assert info.value.key == f"fatigue.{key}"
        assert "capacity_threshold" in info.value.message


def test_the_keys_count_in_the_digest_only_when_set():
    off = sim.load_scenario(BASE, **OFF)
    data = off.model_dump(mode="json")
    for key in OFF:  # the scenario as written before the keys existed
        del data["fatigue"][key.split(".")[1]]
    plain = sim.Scenario.model_validate(data)
    assert off.digest() == plain.digest()
    assert sim.load_scenario(BASE, **ON).digest() != off.digest()


def test_the_indicators_are_registered():
    for name in [*SUMMARY, "wave2_capacity_lost_to_fatigue_hours"]:
        assert indicators.is_summary_column(name), name
    assert indicators.title("wave2_capacity_lost_to_fatigue_hours") == "Wave 2: capacity lost to fatigue"


# --------------------------------------------------------------------------- runs under common random numbers


def _run(overrides: dict, checked: bool = False) -> tuple[sim.MobilisationModel, sim.Result]:
    model = sim.MobilisationModel(BASE, seed=SEED, **{"world.scale": SCALE, "time.end": END, **overrides})
    s = model.world.staff
    n = len(s)
    if not checked:
        return model, model.run()
    uncapped_max = np.zeros(n)
    assign = model._assign_hours

    def checked_assign(day):
        np.copyto(uncapped_max, s.max_hours)
        assign(day)
        active = s.status == ACTIVE
        assert np.all(s.max_hours[active] <= uncapped_max[active] + 1e-12), "fatigue never raises the cap"
        assert np.all(s.max_hours[active] >= np.minimum(uncapped_max, s.base_hours)[active] - 1e-12), "nor cuts contracted hours"
        assert np.all(model.capacity_lost >= -1e-9), "capacity lost is never negative"

    model._assign_hours = checked_assign
    while model.running:
        model.step()
        assert len(s) == n, "no staff row lost or added"
        assert np.all(s.hours_worked <= uncapped_max + 1e-9)
    return model, model.result()


@pytest.fixture(scope="module")
def arms():
    return {"off": _run(OFF)[1], "no_loss": _run(NO_LOSS)[1], "on": _run(ON, checked=True)[1]}


def test_without_a_threshold_nothing_new_is_recorded(arms):
    off = arms["off"]
    for frame, columns in NEW_COLUMNS.items():
        assert not set(columns) & set(getattr(off.daily, frame).columns)
    assert not set(SUMMARY) & set(off.summary.columns)


def test_a_threshold_without_loss_or_odds_changes_no_result_and_records_zero_costs(arms):
    """Fatigued staff are counted, but with no loss the run is the same as off, bit for bit, and nothing is lost."""
    off, no_loss = arms["off"], arms["no_loss"]
    for name, frame in off.daily.items():
        pd.testing.assert_frame_equal(frame, getattr(no_loss.daily, name).drop(columns=NEW_COLUMNS.get(name, [])))
    s = no_loss.summary.iloc[0]
    assert s["capacity_lost_to_fatigue_hours"] == 0.0
    assert s["fatigued_icu_care_share"] > 0.0, "the spring wave does fatigue ICU staff above 0.5"
    zero_odds = _run({**NO_LOSS, "fatigue.error_odds_ratio": 1.0})[1]
    assert zero_odds.summary.iloc[0]["fatigue_error_icu_patient_days"] == 0.0, "odds ratio 1: no excess error risk"
    assert no_loss.summary.iloc[0]["fatigue_error_icu_patient_days"] > 0.0


def test_capacity_loss_means_fewer_hours_from_tired_staff_and_a_larger_icu_gap(arms):
    no_loss, on = arms["no_loss"], arms["on"]
    s_on, s_no = on.summary.iloc[0], no_loss.summary.iloc[0]
    assert s_on["capacity_lost_to_fatigue_hours"] > 0.0
    assert 0.0 < s_on["icu_capacity_lost_to_fatigue_hours"] <= s_on["capacity_lost_to_fatigue_hours"]
    u_on, u_no = on.daily.units, no_loss.daily.units

    def icu_nurses(units, column):
        rows = units[(units["unit_kind"] == "icu") & (units["profession"] == "icu_nurse")]
        return rows[column].sum()

    assert icu_nurses(u_on, "supplied_hours") < icu_nurses(u_no, "supplied_hours"), "fewer ICU nurse hours supplied"
    assert icu_nurses(u_on, "gap_hours") > icu_nurses(u_no, "gap_hours"), "a larger ICU nurse gap"
    assert s_on["unsafe_icu_patient_days"] >= s_no["unsafe_icu_patient_days"]
    assert s_on["icu_patient_days_above_staffed_beds"] >= s_no["icu_patient_days_above_staffed_beds"]
    # the error weight stays non-negative day by day, and so does the capacity lost
    assert (on.daily.icu["fatigue_error_patients"] >= 0).all()
    assert (on.daily.units["capacity_lost_to_fatigue_hours"] >= 0).all()
    assert on.daily.icu["fatigued_care_share"].between(0.0, 1.0).all()
    staff = on.daily.staff.groupby("date", observed=True)["n_total"].sum()
    assert staff.nunique() == 1, "no staff member lost or duplicated: every day counts everyone once"


@pytest.fixture(scope="module")
def second_wave():
    return sim.run(BASE.parent / "second_wave.toml", seed=SEED, **{"world.scale": 0.05, **ON})


def test_capacity_comes_back_after_the_wave(second_wave):
    """Rest restores capacity: in the weeks before the autumn wave, fatigue costs a small part of the spring peak's hours."""
    lost = second_wave.daily.units.groupby("date", observed=True)["capacity_lost_to_fatigue_hours"].sum()
    weekly = lost.resample("W").sum()
    assert weekly[pd.Timestamp("2020-10-01") : pd.Timestamp("2020-10-25")].max() < 0.1 * weekly[: pd.Timestamp("2020-08-31")].max()


def test_waves_get_their_capacity_lost(second_wave):
    s = second_wave.summary.iloc[0]
    lost = second_wave.daily.units.groupby("date", observed=True)["capacity_lost_to_fatigue_hours"].sum()
    parts = [s[f"wave{k}_capacity_lost_to_fatigue_hours"] for k in (1, 2)]
    assert parts[0] == pytest.approx(lost[pd.Timestamp(s["wave1_start"]) : pd.Timestamp(s["wave2_start"]) - pd.Timedelta(days=1)].sum())
    assert parts[1] == pytest.approx(lost[pd.Timestamp(s["wave2_start"]) :].sum())
    assert sum(parts) <= s["capacity_lost_to_fatigue_hours"] and min(parts) > 0.0


def test_the_baselines_error_odds_ratio_gives_griffiths_odds_at_the_fatigue_of_48_hour_icu_weeks():
    """Griffiths 2014 (facts): overtime, poor safety OR 1.67; placed at the fatigue equilibrium of 48-hour ICU weeks (ODD 5a)."""
    sc = sim.load_scenario(BASE)
    f_cfg = sc.fatigue
    assert f_cfg.capacity_on
    strain = np.array([48.0 / sc.workforce.weekly_hours * f_cfg.intensity["icu"]])  # 48 h over the full-time week, no understaffing
    f48 = kernels.fatigue_equilibrium(strain=strain, rise=f_cfg.rise, recovery=f_cfg.recovery, threshold=f_cfg.threshold)[0]
    odds = 1.0 + kernels.error_excess_odds(f48, f_cfg.capacity_threshold, np.log(f_cfg.error_odds_ratio))
    assert odds == pytest.approx(1.67, abs=0.01)


def test_second_wave_fatigue_and_capacity_are_reported_not_judged(second_wave):
    """sim.validation.REPORTED: figures with no observed counterpart, so no tolerance and no pass or fail."""
    from sim import validation

    assert not set(validation.REPORTED_BY_KEY) & set(validation.BY_KEY), "reported figures are not patterns"
    values = validation.statistics(second_wave, validation.REPORTED)
    assert all(np.isfinite(v) for v in values.values()), values
    assert 0.0 < values["icu_nurse_fatigue_wave2_start"] < 1.0
    assert values["capacity_lost_wave1"] > 0.0 and values["capacity_lost_wave2"] > 0.0
    assert values["icu_capacity_lost_wave1"] <= values["capacity_lost_wave1"]
    off = _run(OFF)[1]  # without the mechanism the capacity figures are not recorded: NaN, not 0
    assert np.isnan(validation.capacity_lost_to_fatigue(off, *validation.WAVE_PERIODS[1]))
