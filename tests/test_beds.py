"""ICU beds per region from the data, the bed_expansion lever, staffed beds, and fewer non-COVID ICU patients while
planned care is cut (issue #13, items 3 and 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import refused

import sim
from sim import data
from sim.scenario import load_scenario
from sim.world import build_world
from tests.test_scenario import BASE

SCALE = 0.1


@pytest.fixture(scope="module")
def arms() -> dict[bool, sim.Result]:
    """The spring baseline at 10 %, with and without bed expansion (same seed: common random numbers)."""
    return {on: sim.run(BASE, seed=3, world__scale=SCALE, levers__bed_expansion__enabled=on) for on in (False, True)}


def _icu(result: sim.Result, region: str) -> pd.DataFrame:
    icu = result.daily.icu
    return icu[icu["region"] == region].set_index("date")


def test_regional_beds_share_out_the_national_totals_as_the_data_do():
    scenario = load_scenario(BASE)
    regions = build_world(scenario).regions.set_index("code")
    beds = data.icu_beds()
    assert regions["icu_beds_2019"].sum() == pytest.approx(scenario.world.icu_beds_2019)
    assert regions["icu_beds_surge"].sum() == pytest.approx(scenario.world.icu_beds_surge)
    for code in ("stockholm", "gotland", "vastra_gotaland"):
        share = beds.loc[code, "icu_beds_2017"] / beds["icu_beds_2017"].sum()
        assert regions.loc[code, "icu_beds_2019"] == pytest.approx(share * scenario.world.icu_beds_2019)
        surge = beds.loc[code, "icu_beds_surge_april_2020_est"] / beds["icu_beds_surge_april_2020_est"].sum()
        assert regions.loc[code, "icu_beds_surge"] == pytest.approx(surge * scenario.world.icu_beds_surge)
    # Stockholm: 90 of 516 beds before the pandemic, 250 of 1,087 in April 2020 (regional data README)
    assert regions.loc["stockholm", "icu_beds_2019"] == pytest.approx(526 * 90 / 516)


def test_without_the_lever_beds_stay_normal_and_the_overflow_shows(arms):
    off = arms[False]
    icu = off.daily.icu
    normal = icu.groupby("region", observed=True)["beds_open"].agg(["min", "max"])
    assert np.allclose(normal["min"], normal["max"]), "open beds never change without bed_expansion"
    sto = _icu(off, "stockholm")
    assert (sto["patients_above_open_beds"] > 0).any(), "Stockholm's spring peak does not fit its normal beds"
    assert np.allclose(sto["patients_above_open_beds"], np.maximum(sto["icu_patients"] - sto["beds_open"], 0))
    total = icu["patients_above_staffed_beds"].sum()
    assert off.summary["icu_patient_days_above_staffed_beds"].iloc[0] == pytest.approx(total)
    assert total >= icu["patients_above_open_beds"].sum() > 0


def test_beds_open_after_the_lead_time_up_to_the_surge_beds_and_close_after(arms):
    on = arms[True]
    cfg = on.scenario.levers.bed_expansion
    sto = _icu(on, "stockholm")
    normal, surge = sto["beds_open"].iloc[0], sto["beds_surge"].iloc[0]
    assert sto["beds_open"].max() == pytest.approx(surge), "all surge beds open at the height"
    assert (sto["beds_open"] <= surge + 1e-9).all() and (sto["beds_open"] >= normal - 1e-9).all()
    first_extra = sto.index[sto["beds_open"] > normal + 1e-9].min()
    full = sto.index[np.isclose(sto["beds_open"], surge)].min()
    assert (full - first_extra).days >= cfg.ramp_days - 1, "beds open over ramp_days, not at once"
    # beds with patients in them stay open while the beds close
    after = sto[sto.index > pd.Timestamp(cfg.national_until) + pd.Timedelta(days=cfg.lead_time_days)]
    assert (after["beds_open"] >= np.minimum(after["icu_patients"], surge) - 1e-9).all()
    assert after["beds_open"].iloc[-1] < surge, "beds close when the decision lapses"


def test_beds_follow_the_decision_of_lead_time_days_before():
    """Day by day: open beds rise only towards what the region wanted lead_time_days earlier (its load or the national window)."""
    model = sim.MobilisationModel(BASE, seed=3, world__scale=SCALE)
    lever = next(lv for lv in model.levers if lv.name == "bed_expansion")
    lead = lever.cfg.lead_time_days
    before = model.icu_beds_open.copy()
    rose = 0
    while model.running:
        model.step()
        d = model.day - 1
        up = model.icu_beds_open > before + 1e-9
        if d < lead:
            assert not up.any()
        else:
            assert (model.icu_beds_open[up] <= lever.wanted[d - lead][up] + 1e-9).all()
            assert (lever.wanted[d - lead][up] > before[up]).all()
        rose += int(up.sum())
        before = model.icu_beds_open.copy()
    assert rose > 0
    # outside the national window the beds wanted are the forecast patients at the target occupancy, within normal and surge
    day = (lever.cfg.national_until - model.config.time.start).days + 5
    normal, ceiling = model.icu_beds_normal, lever.ceiling
    assert ((lever.wanted[day] >= normal - 1e-9) & (lever.wanted[day] <= ceiling + 1e-9)).all()


def test_staffed_beds_are_open_beds_the_nurses_can_cover(arms):
    icu = arms[True].daily.icu
    assert (icu["beds_staffed"] <= icu["beds_open"] + 1e-9).all()
    assert (icu["beds_staffed"] >= 0).all()
    # without team-based ICU staffing (the minimum ratio; tests/test_teams.py has the tiers' staffed beds)
    strict = sim.run(BASE, seed=3, world__scale=SCALE, time__end="2020-05-15", safety__icu_min_nurse_ratio=1.0, safety__icu_tiers=[])
    loose = sim.run(BASE, seed=3, world__scale=SCALE, time__end="2020-05-15", safety__icu_tiers=[])
    # one nurse per bed instead of one per two: fewer staffed beds, more patients above them
    assert strict.daily.icu["beds_staffed"].sum() < loose.daily.icu["beds_staffed"].sum()
    assert summary(strict, "icu_patient_days_above_staffed_beds") > summary(loose, "icu_patient_days_above_staffed_beds")


def summary(result: sim.Result, column: str) -> float:
    return float(result.summary[column].iloc[0])


def test_bed_expansion_lowers_the_patients_above_open_beds(arms):
    """Common random numbers: the same epidemic and staff, with and without the extra beds."""
    off, on = (summary(arms[k], "icu_patient_days_above_open_beds") for k in (False, True))
    assert on < off
    assert summary(arms[True], "icu_beds_open_max") > summary(arms[False], "icu_beds_open_max")


def test_cutting_planned_care_lowers_the_non_covid_icu_census():
    """levers.redeployment.icu_other_cut: at the largest cut the non-COVID ICU census falls by that share."""
    runs = {
        cut: sim.run(BASE, seed=3, world__scale=SCALE, time__end="2020-05-15", levers__redeployment__icu_other_cut=cut)
        for cut in (0.0, 0.36)
    }
    day = pd.Timestamp("2020-04-20")  # planned care at its largest cut since late March
    other = {}
    for cut, res in runs.items():
        icu = res.daily.icu
        row = icu[icu["date"] == day]
        other[cut] = (row["icu_patients"] - row["covid_icu_patients"]).sum()
    assert other[0.36] == pytest.approx(other[0.0] * (1 - 0.36), rel=1e-6)
    first = runs[0.0].daily.icu
    assert first[first["date"] == first["date"].min()]["icu_patients"].sum() > 0


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("levers.bed_expansion.lead_time_days", "-1", "greater than or equal to 0"),
        ("levers.bed_expansion.ramp_days", "0", "greater than 0"),
        ("levers.bed_expansion.ceiling_factor", "-2", "greater than or equal to 0"),
        ("levers.redeployment.icu_other_cut", "1.5", "less than or equal to 1"),
    ],
)
def test_bad_bed_keys_name_the_key(key, value, fragment):
    refused(BASE, key, value, fragment)


def test_closing_beds_never_go_below_the_patients_in_them():
    """BedExpansion.act with its state set by hand: the target is normal, the beds would close by a step, but patients lie in them."""
    model = sim.MobilisationModel(BASE, seed=3, world__scale=SCALE, time__end="2020-03-31")
    lever = next(lv for lv in model.levers if lv.name == "bed_expansion")
    model.step()  # a day so that the forecast and census are set
    day = model.day
    lead = lever.cfg.lead_time_days
    lever.regions_on = lambda *a, **k: np.zeros(model.world.n_regions, dtype=bool)  # the decision lapsed everywhere
    model.forecast_icu_patients = np.zeros(model.world.n_regions)  # and no load is forecast
    lever.wanted[day - lead] = model.icu_beds_normal
    beds = model.icu_beds_normal + 5 * lever.step  # open beds above normal, closing by one step a day
    model.icu_beds_open = beds.copy()
    patients = beds - 0.5 * lever.step  # more patients than a one-step close leaves beds for
    model.census[model.icu_ids] = patients
    lever.act(model, day)
    assert np.allclose(model.icu_beds_open, patients), "beds with patients in them stay open"
    model.icu_beds_open = beds.copy()
    model.census[model.icu_ids] = model.icu_beds_normal  # fewer patients: the beds close by one step
    lever.act(model, day)
    assert np.allclose(model.icu_beds_open, beds - lever.step)
