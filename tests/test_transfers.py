"""Patient transfers between regions (issue #13, item 4): invariants, direction under common random numbers, the strategy files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import refused

import sim
from sim import data
from sim.levers import PatientTransfers
from sim.levers.patient_transfers import mean_stay_days
from sim.scenario import load_scenario
from tests.test_scenario import BASE, ROOT

SCALE = 0.1
TOL = 1e-9
# staffed beds come from the float32 staff state (issue #18): the room a lever saw and the one recorded differ by ~1e-8
ROOM_TOL = 1e-6
SHORT = "2020-04-30"  # through the rise and the first weeks of the plateau


def run(seed: int = 3, **overrides) -> sim.Result:
    return sim.run(BASE, seed=seed, world__scale=SCALE, **overrides)


@pytest.fixture(scope="module")
def arms() -> dict[bool, sim.Result]:
    """The spring baseline at 10 %, with and without transfers (same seed: common random numbers)."""
    return {on: run(levers__patient_transfers__enabled=on) for on in (False, True)}


@pytest.fixture(scope="module")
def scarce() -> sim.Result:
    """Transfers with little transport: 2 patients a day nationally at full scale (0.2 at this scale)."""
    return run(time__end=SHORT, levers__patient_transfers__enabled=True, levers__patient_transfers__daily_capacity=2.0)


def national(result: sim.Result, column: str) -> pd.Series:
    return result.daily.icu.groupby("date", observed=True)[column].sum()


def summary(result: sim.Result, column: str) -> float:
    return float(result.summary[column].iloc[0])


def by_region(result: sim.Result) -> pd.DataFrame:
    return result.daily.icu.set_index(["date", "region"]).sort_index()


def test_no_patient_is_lost_or_duplicated(arms):
    off, on = arms[False], arms[True]
    assert summary(on, "patients_transferred") > 0, "the spring baseline moves patients"
    # COVID patients only: moved patients enter the regions' forecasts (MobilisationModel._forecast), so escalation, the cut
    # of planned care and with it the non-COVID ICU census may differ between the arms
    assert np.allclose(national(on, "covid_icu_patients"), national(off, "covid_icu_patients"), rtol=0, atol=1e-9)
    icu = on.daily.icu
    assert (icu[["patients_moved_in", "patients_moved_out", "transfers_in", "transfers_out"]] >= 0).all().all()
    assert np.allclose(national(on, "patients_moved_in"), national(on, "patients_moved_out"), atol=1e-12)
    assert np.allclose(national(on, "transfers_in"), national(on, "transfers_out"), atol=1e-12)
    # a region's patients elsewhere never exceed its own COVID ICU patients (its demand curve, as in the run without transfers)
    a, b = by_region(off), by_region(on)
    assert (b["patients_moved_out"] <= a["covid_icu_patients"] + TOL).all()
    assert np.allclose(b["covid_icu_patients"] - b["patients_moved_in"] + b["patients_moved_out"], a["covid_icu_patients"], atol=1e-9)
    assert (b["covid_icu_patients"] >= -TOL).all() and (b["icu_patients"] >= b["covid_icu_patients"] - TOL).all()


def test_required_icu_hours_follow_the_patients_after_the_moves(arms):
    """The ICU rows of the required hours are recomputed after today's moves: census × norm, in senders and receivers."""
    on = arms[True]
    units = on.daily.units
    nurses = units[(units["unit_kind"] == "icu") & (units["profession"] == "icu_nurse")].set_index(["date", "region"])
    icu = by_region(on)
    norm = on.scenario.norms.icu["icu_nurse"]
    moved = icu.index[(icu["transfers_in"] > 0) | (icu["transfers_out"] > 0)]
    assert len(moved) > 0
    assert np.allclose(nurses.loc[moved, "required_hours"], icu.loc[moved, "icu_patients"] * norm)


def test_the_stock_leaves_at_the_demands_mean_stay(arms):
    cfg = arms[True].scenario.demand.admissions
    stay = mean_stay_days(cfg.stay_median_days, cfg.stay_shape)
    assert stay == pytest.approx(15.2, abs=0.05)  # median 12, shape 1.5: the mean of the gamma stay
    icu = by_region(arms[True])
    moved_in = icu["patients_moved_in"].unstack("region")
    arrived = icu["transfers_in"].unstack("region")
    # days without arrivals: the stock falls by the discharge share, or faster where a sender's own demand caps it
    ratio = moved_in / moved_in.shift(1)
    quiet = (arrived == 0) & (moved_in.shift(1) > 1e-6)
    kept = ratio.to_numpy()[quiet.to_numpy()]
    assert kept.size > 20
    assert (kept <= 1 - 1 / stay + 1e-9).all()
    assert np.isclose(kept, 1 - 1 / stay).mean() > 0.5, "mostly discharge, not the cap"


def test_moves_go_from_senders_over_the_trigger_to_receivers_with_room(arms):
    on = arms[True]
    cfg = on.scenario.levers.patient_transfers
    icu = by_region(on)
    before = icu["icu_patients"] + icu["transfers_out"] - icu["transfers_in"]
    sending = icu["transfers_out"] > 0
    assert (before[sending] > cfg.trigger_share * icu["beds_staffed"][sending]).all(), "only regions over the trigger send"
    receiving = icu["transfers_in"] > 0
    assert not (sending & receiving).any(), "a sender receives nothing"
    room = cfg.receiver_max_share * icu["beds_staffed"]
    assert (icu["icu_patients"][receiving] <= room[receiving] + ROOM_TOL).all(), "no region receives beyond its room"
    events = on.events.transfers
    assert list(events.columns) == ["date", "day", "from_region", "to_region", "patients", "hours"]
    assert (events["hours"] <= cfg.max_travel_hours).all() and (events["patients"] > 0).all()
    per_day = events.groupby(pd.to_datetime(events["date"]))["patients"].sum()
    assert (per_day <= cfg.daily_capacity * SCALE + 1e-9).all(), "daily moves within the national capacity"
    assert per_day.sum() == pytest.approx(summary(on, "patients_transferred"))
    assert np.allclose(per_day, icu["transfers_out"].groupby("date").sum().loc[per_day.index])


def test_receivers_are_taken_nearest_first(arms):
    """A sender skips a nearer region only if that region had no room left (or sent patients itself) that day."""
    on = arms[True]
    cfg = on.scenario.levers.patient_transfers
    icu = by_region(on)
    hours = data.travel_hours()
    full = icu["icu_patients"] >= cfg.receiver_max_share * icu["beds_staffed"] - ROOM_TOL
    sender = icu["transfers_out"] > 0
    for row in on.events.transfers.itertuples():
        nearer = hours.columns[(hours.loc[row.from_region] < row.hours) & (hours.columns != row.from_region)]
        for region in nearer:
            key = (pd.Timestamp(row.date), region)
            assert full[key] or sender[key], f"{row.date}: {row.from_region} sent to {row.to_region} past {region}"


def test_transfers_lower_the_patients_above_staffed_beds_at_a_cost(arms):
    """Common random numbers: the same epidemic and staff, with and without moving patients."""
    off, on = arms[False], arms[True]
    assert summary(on, "icu_patient_days_above_staffed_beds") < summary(off, "icu_patient_days_above_staffed_beds")
    assert summary(on, "cost_transfers_msek") > 0 and summary(off, "cost_transfers_msek") == 0
    cfg = on.scenario.levers.patient_transfers
    regions = on.daily.regions.set_index(["date", "region"]).sort_index()
    assert np.allclose(regions["cost_transfers_sek"], by_region(on)["transfers_out"] * cfg.cost_per_transfer_sek)
    assert summary(off, "patients_transferred") == 0 and off.events.transfers.empty


def test_scarce_transport_blocks_transfers_and_is_counted(scarce):
    cfg = scarce.scenario.levers.patient_transfers
    per_day = scarce.events.transfers.groupby("date")["patients"].sum()
    assert (per_day <= cfg.daily_capacity * SCALE + 1e-9).all()
    assert np.isclose(per_day, cfg.daily_capacity * SCALE).any(), "the capacity binds on some day"
    assert summary(scarce, "transfer_blocked_by_capacity") > 0
    assert summary(scarce, "transfer_blocked_no_bed") >= 0


def test_no_transport_is_no_transfers_and_the_same_run_as_without_the_lever():
    off = run(time__end=SHORT, levers__patient_transfers__enabled=False)
    none = run(time__end=SHORT, levers__patient_transfers__enabled=True, levers__patient_transfers__daily_capacity=0.0)
    assert none.events.transfers.empty and summary(none, "patients_transferred") == 0
    assert summary(none, "transfer_blocked_by_capacity") > 0, "the patients who would have moved are counted as blocked"
    pd.testing.assert_frame_equal(off.daily.units, none.daily.units)
    pd.testing.assert_frame_equal(off.daily.staff, none.daily.staff)
    blocked = ["transfer_blocked_by_capacity", "transfer_blocked_no_bed"]
    pd.testing.assert_frame_equal(off.daily.icu.drop(columns=blocked), none.daily.icu.drop(columns=blocked))
    pd.testing.assert_frame_equal(off.daily.regions, none.daily.regions)
    same = [c for c in off.summary.columns if c not in blocked]
    pd.testing.assert_frame_equal(off.summary[same], none.summary[same])


def test_matching_takes_the_largest_excess_first_and_the_nearest_receivers_within_reach():
    model = sim.MobilisationModel(BASE, seed=0, world__scale=0.02, time__end="2020-03-02", levers__patient_transfers__enabled=True)
    lever = next(lv for lv in model.levers if isinstance(lv, PatientTransfers))
    codes = lever.codes
    at = {code: i for i, code in enumerate(codes)}
    excess, room = np.zeros(len(codes)), np.zeros(len(codes))
    excess[at["stockholm"]], excess[at["sormland"]] = 5.0, 6.0
    for code, beds in (("uppsala", 2.0), ("ostergotland", 3.0), ("gotland", 10.0), ("norrbotten", 10.0), ("vastmanland", 1.0)):
        room[at[code]] = beds
    moves = lever.match(excess, room, np.inf)
    sent = {(codes[f], codes[t]): moves[f, t] for f, t in zip(*np.nonzero(moves), strict=True)}
    # Sörmland (the larger excess) first: Östergötland 1.4 h, Västmanland 1.6 h, Uppsala 2.5 h
    assert sent[("sormland", "ostergotland")] == 3.0 and sent[("sormland", "vastmanland")] == 1.0
    assert sent[("sormland", "uppsala")] == 2.0
    # Stockholm then finds no room within 4 hours: Gotland (4.3 h) and Norrbotten (12.5 h) are out of reach
    assert not any(f == "stockholm" for f, _ in sent)
    limited = lever.match(excess, room, 4.0)
    assert limited.sum() == pytest.approx(4.0) and limited[at["sormland"], at["ostergotland"]] == 3.0


def test_the_strategy_files_move_staff_patients_or_both():
    strategies = ROOT / "scenarios" / "strategies"
    arms = {
        name: load_scenario(strategies / f"{name}.toml").levers
        for name in ("regional_and_loans", "moving_patients", "moving_staff_and_patients")
    }
    assert (arms["regional_and_loans"].loans.enabled, arms["regional_and_loans"].patient_transfers.enabled) == (True, False)
    assert (arms["moving_patients"].loans.enabled, arms["moving_patients"].patient_transfers.enabled) == (False, True)
    assert (arms["moving_staff_and_patients"].loans.enabled, arms["moving_staff_and_patients"].patient_transfers.enabled) == (True, True)
    assert load_scenario(BASE).levers.patient_transfers.enabled
    assert not load_scenario(ROOT / "scenarios" / "no_action.toml").levers.patient_transfers.enabled
    assert not load_scenario(strategies / "regional_only.toml").levers.patient_transfers.enabled


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("levers.patient_transfers.trigger_share", "-0.1", "greater than or equal to 0"),
        ("levers.patient_transfers.receiver_max_share", "1.5", "less than or equal to 1"),
        ("levers.patient_transfers.max_travel_hours", "100", "at most 48 hours"),
        ("levers.patient_transfers.daily_capacity", "-1", "greater than or equal to 0"),
        ("levers.patient_transfers.daily_capacity", "1e6", "at most 11,000 patients a day"),
        ("levers.patient_transfers.cost_per_transfer_sek", "-5", "greater than or equal to 0"),
        ("levers.patient_transfers.start_level", '"normal"', "staffing_alert"),
    ],
)
def test_bad_transfer_keys_name_the_key(key, value, fragment):
    refused(BASE, key, value, fragment)


def test_forecasts_count_the_patients_moved_in_and_out():
    """A sender plans without the patients it moved out, a receiver with those it took in (those still there horizon_days ahead)."""
    model = sim.MobilisationModel(BASE, seed=1, world__scale=0.1, time__end="2020-05-15")
    lever = next(lv for lv in model.levers if lv.name == "patient_transfers")
    horizon = model.config.escalation.horizon_days
    checked = 0
    while model.running:
        model.step()
        d = model.day - 1
        ahead = min(d + horizon, model.n_days - 1)
        own = model.demand.covid_icu[ahead] * model.config.world.scale
        moved_in, moved_out = lever.moved.sum(axis=0), lever.moved.sum(axis=1)
        assert np.allclose(model.forecast_covid_icu - own, model.icu_moved_net_ahead)
        if lever.moved.any():
            # the stock after today's moves; the forecast used the stock of the morning, discharged over the horizon
            assert (model.icu_moved_net_ahead <= moved_in + 1e-9).all() and (-model.icu_moved_net_ahead <= moved_out + 1e-9).all()
            checked += 1
    assert checked > 0
