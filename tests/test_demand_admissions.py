"""Demand from the regions' own ICU admissions (``demand.source = "admissions"``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.data import FHM_REGION_CODES, icu_admissions_daily_national, icu_admissions_weekly, region_codes, regions
from sim.demand import (
    ADMISSIONS_FIRST_DAY,
    admissions_occupancy,
    build_demand,
    daily_admissions,
    occupancy_from_admissions,
    stay_survival,
)
from sim.scenario import AdmissionsConfig, ScenarioError

CODES = region_codes()


def test_every_fhm_region_maps_to_a_model_region():
    assert len(FHM_REGION_CODES) == 21
    assert sorted(FHM_REGION_CODES.values()) == sorted(CODES)
    weekly = icu_admissions_weekly()
    assert set(weekly["region"]) == set(FHM_REGION_CODES)
    assert weekly["code"].notna().all()
    # the names in regions.csv are FHM's short names too
    names = regions().set_index("name")["code"].to_dict()
    assert names == FHM_REGION_CODES


def test_daily_admissions_add_up_to_the_weekly_counts():
    first, daily = daily_admissions(CODES)
    assert first == ADMISSIONS_FIRST_DAY and first.isoweekday() == 1
    weekly = icu_admissions_weekly()
    by_week = daily.reshape(-1, 7, len(CODES)).sum(axis=1)  # (weeks, regions)
    week = ((weekly["week_start"] - np.datetime64(first)).dt.days // 7).to_numpy()
    region = weekly["code"].map({c: r for r, c in enumerate(CODES)}).to_numpy()
    np.testing.assert_allclose(by_week[week, region], weekly["new_icu_admissions"].to_numpy(float), atol=1e-9)
    assert by_week.shape[0] == 148  # 2020-W01 .. 2022-W43
    assert daily.sum() == pytest.approx(weekly["new_icu_admissions"].sum())


def test_regions_summed_give_the_national_daily_profile():
    first, daily = daily_admissions(CODES)
    national = icu_admissions_daily_national()
    # whole weeks where the 21 regions add up to the national daily file (all but 2022-W42 and W43, see the README)
    last = dt.date(2022, 10, 16)
    n = (last - first).days + 1
    series = np.zeros(n)
    day = (national["date"] - np.datetime64(first)).dt.days.to_numpy()
    keep = day < n
    series[day[keep]] = national["new_icu_admissions"].to_numpy(float)[keep]
    np.testing.assert_allclose(daily[:n].sum(axis=1), series, atol=1e-9)


def test_occupancy_is_the_convolution_of_admissions_with_the_stay():
    admissions = np.array([[2.0, 0.0], [0.0, 1.0], [4.0, 0.0], [0.0, 0.0], [1.0, 3.0]])
    survival = np.array([1.0, 0.5, 0.25])
    expected = np.array(
        [
            [2.0, 0.0],
            [0.0 + 2.0 * 0.5, 1.0],
            [4.0 + 0.0 * 0.5 + 2.0 * 0.25, 0.0 + 1.0 * 0.5],
            [0.0 + 4.0 * 0.5 + 0.0 * 0.25, 0.0 + 0.0 + 1.0 * 0.25],
            [1.0 + 0.0 * 0.5 + 4.0 * 0.25, 3.0 + 0.0 + 0.0],
        ]
    )
    np.testing.assert_allclose(occupancy_from_admissions(admissions, survival), expected)


def test_occupancy_of_some_days_is_the_numpy_convolution_bit_for_bit():
    """occupancy_from_admissions (compiled, of some days: issue #18) sums the same terms in the same order as the NumPy
    loop over the days of the stay it replaced, whole or of some days."""
    _, daily = daily_admissions(CODES)
    rng = np.random.default_rng(5)
    for admissions, survival in (
        (daily, stay_survival(9.0, 1.5)),
        (rng.poisson(daily * 3.7).astype(float) * 0.37, stay_survival(17.3, 0.8)),
        (daily[:, 4], stay_survival(5.0, 2.0)),
    ):
        whole = np.zeros_like(admissions)
        for k in range(min(len(survival), admissions.shape[0])):
            whole[k:] += survival[k] * admissions[: admissions.shape[0] - k]
        assert occupancy_from_admissions(admissions, survival).tobytes() == whole.tobytes()
        for start, stop in ((0, 10), (60, 60 + 306), (400, 2000), (5, 5)):
            assert occupancy_from_admissions(admissions, survival, start, stop).tobytes() == whole[start:stop].tobytes()


def test_daily_admissions_are_a_new_array_each_call():
    """The data are read once per process (issue #18); a caller that changes its array changes no other's."""
    _, a = daily_admissions(CODES)
    a[:] = -1.0
    _, b = daily_admissions(CODES)
    assert b.min() >= 0.0 and b.flags.writeable


def test_a_one_day_stay_gives_occupancy_equal_to_admissions():
    _, daily = daily_admissions(CODES)
    np.testing.assert_array_equal(occupancy_from_admissions(daily, np.array([1.0])), daily)


def test_stay_survival_has_the_median_and_counts_the_admission_day():
    survival = stay_survival(12.0, 1.5)
    assert survival[0] == 1.0
    assert survival[12] == pytest.approx(0.5)  # half the patients stay longer than the median
    assert np.all(np.diff(survival) <= 0) and survival[-1] < 1e-6
    # the mean stay (days counted) is the sum of the survival: longer than the median for a right-skewed stay
    assert 12.0 < survival.sum() < 20.0


def test_patients_admitted_before_the_start_are_in_the_icu_on_day_one():
    start = dt.date(2020, 4, 15)
    occupancy = admissions_occupancy(AdmissionsConfig(), start, 10, CODES)
    first, daily = daily_admissions(CODES)
    assert occupancy[0].sum() > daily[(start - first).days].sum() * 10  # hundreds in care, tens admitted that day


def test_build_demand_admissions_source_lag_ward_and_noise(scenario_path):
    config = sim.load_scenario(scenario_path, set_values=["demand.source=admissions"]).demand
    start, n, lag = dt.date(2020, 3, 1), 60, 10
    population = regions()["population"].to_numpy(float)
    demand = build_demand(config, start, n, lag, CODES, population, np.random.default_rng(0))
    full = admissions_occupancy(config.admissions, start, n + lag, CODES)
    np.testing.assert_allclose(demand.covid_icu, full[:n])
    np.testing.assert_allclose(demand.icu_ahead, full[lag : lag + n])
    np.testing.assert_allclose(demand.covid_ward, config.covid_ward_per_icu * full[:n])
    noisy = build_demand(config.model_copy(update={"noise_sd": 0.3}), start, n, lag, CODES, population, np.random.default_rng(0))
    scale = noisy.covid_icu[-1] / demand.covid_icu[-1]
    np.testing.assert_allclose(noisy.icu_ahead, demand.icu_ahead * scale)  # one stochastic scale per region
    assert np.ptp(scale) > 0


# Facts (../shared/data/sweden_2020_facts.md, Svenska Intensivvårdsregistret): national COVID ICU occupancy
# 55 on 20 March, over 500 on 12 April, peak 558 at the end of April, below 500 on 8 May, below 400 on
# 15 May, 295 on 6 June. With the default stay (gamma, median 12 days, shape 1.5) the admissions give
# 59, 521, 555 on 24 April, 461, 380 and 290.
PEAK_TOLERANCE = 0.05  # the peak within 5 % of 558


def test_spring_2020_run_from_admissions_matches_national_occupancy(scenario_path):
    scenario = sim.load_scenario(scenario_path, set_values=["demand.source=admissions"], world__scale=0.01, time__end="2020-06-06")
    result = sim.run(scenario, seed=1)
    summary = result.summary.iloc[0]
    peak = summary["peak_covid_icu_patients"] / 0.01
    assert peak == pytest.approx(558, rel=PEAK_TOLERANCE)
    assert dt.date(2020, 4, 12) <= dt.date.fromisoformat(summary["peak_covid_icu_date"]) <= dt.date(2020, 5, 8)
    start = dt.date(2020, 3, 1)
    national = admissions_occupancy(AdmissionsConfig(), start, 98, CODES).sum(axis=1)
    on = {
        date: national[(dt.date.fromisoformat(date) - start).days]
        for date in ("2020-03-20", "2020-04-12", "2020-05-08", "2020-05-15", "2020-06-06")
    }
    assert on["2020-03-20"] == pytest.approx(55, rel=0.2)
    assert on["2020-04-12"] > 500
    assert on["2020-05-08"] < 500
    assert on["2020-05-15"] < 400
    assert on["2020-06-06"] == pytest.approx(295, rel=0.1)


@pytest.mark.parametrize(
    ("start", "end"),
    [("2019-12-01", "2020-03-01"), ("2022-09-01", "2022-10-30"), ("2022-11-01", "2022-12-31")],
)
def test_a_period_outside_the_admissions_data_is_refused(scenario_path, start, end):
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(scenario_path, set_values=["demand.source=admissions", f"time.start={start}", f"time.end={end}"])
    message = str(info.value)
    assert "demand.source" in message
    assert "2019-12-30 to 2022-10-30 (2020-W01 to 2022-W43)" in message


def test_admissions_refuses_days_outside_the_data_when_built_directly():
    with pytest.raises(ScenarioError, match="2020-W01 to 2022-W43"):
        admissions_occupancy(AdmissionsConfig(), dt.date(2022, 10, 1), 60, CODES)


def test_digest_counts_the_stay_only_with_the_admissions_source(scenario_path):
    scenario_path = scenario_path.parent / "second_wave.toml"  # parametric waves (the baseline reads the admissions)
    waves = sim.load_scenario(scenario_path)
    assert sim.load_scenario(scenario_path, set_values=["demand.admissions.stay_shape=3.0"]).digest() == waves.digest()
    admissions = sim.load_scenario(scenario_path, set_values=["demand.source=admissions"])
    shape3 = sim.load_scenario(scenario_path, set_values=["demand.source=admissions", "demand.admissions.stay_shape=3.0"])
    assert admissions.digest() != shape3.digest() != waves.digest()


# --------------------------------------------------------------------------- the run's admissions in the results

BOTH_WAVES = Path(__file__).resolve().parent.parent / "scenarios" / "sweden_2020_2021.toml"
WEEKS = {"time.end": "2020-05-31"}  # 1 March (a Sunday) – 31 May 2020 (a Sunday): whole ISO weeks 2020-W10 .. W22 after day one


def recorded_admissions(scale: float, seed: int = 1, *extra: str) -> pd.DataFrame:
    scenario = sim.load_scenario(BOTH_WAVES, set_values=[*extra, *(f"{k}={v}" for k, v in WEEKS.items())], world__scale=scale)
    return sim.run(scenario, seed=seed).daily.icu


def test_the_run_records_each_regions_admissions_as_the_data_give_them():
    icu = recorded_admissions(0.02)
    rows = icu[icu["date"] >= pd.Timestamp("2020-03-02")]  # from the Monday of 2020-W10
    simulated = rows.groupby(rows["region"].astype(str))["covid_icu_admissions"].sum() / 0.02
    weekly = icu_admissions_weekly()
    weeks = weekly[(weekly["week_start"] >= pd.Timestamp("2020-03-02")) & (weekly["week_start"] <= pd.Timestamp("2020-05-25"))]
    observed = weeks.groupby("code")["new_icu_admissions"].sum()
    assert observed.sum() > 2000  # the spring wave: thousands of admissions, none of them lost
    assert len(observed) == 21
    np.testing.assert_allclose(simulated.reindex(observed.index).to_numpy(), observed.to_numpy(float), rtol=1e-9)
    # the data have no admissions before 2020-W10, so the run's first day (Sunday 1 March) has none either
    assert icu.loc[icu["date"] == pd.Timestamp("2020-03-01"), "covid_icu_admissions"].sum() == 0.0


def test_recorded_admissions_follow_the_scale_and_the_count_noise():
    tenth, twentieth = recorded_admissions(0.1), recorded_admissions(0.05)
    np.testing.assert_allclose(twentieth["covid_icu_admissions"], tenth["covid_icu_admissions"] / 2, rtol=1e-12)
    noisy = [recorded_admissions(0.05, seed, "demand.admissions.count_noise=poisson")["covid_icu_admissions"] for seed in (1, 1, 2)]
    np.testing.assert_array_equal(noisy[0], noisy[1])  # the same seed draws the same counts
    assert not np.array_equal(noisy[0], noisy[2])  # another seed other counts: the record is the draw, not the data
    whole = noisy[0].to_numpy() / 0.05
    np.testing.assert_allclose(whole, np.round(whole), atol=1e-9)  # Poisson counts are whole admissions at full scale


def test_waves_record_no_admissions(scenario_path):
    waves = sim.load_scenario(scenario_path.parent / "second_wave.toml", **{"world.scale": 0.02, "time.end": "2020-03-20"})
    assert sim.run(waves, seed=1).daily.icu["covid_icu_admissions"].isna().all()
