"""Demand uncertainty for ``demand.source = "admissions"`` (issue #13, item 2): Poisson admissions and a noisy stay."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import sim
from sim.data import region_codes, regions
from sim.demand import admissions_occupancy, build_demand, daily_admissions, draw_admissions
from sim.scenario import AdmissionsConfig

CODES = region_codes()
START, N, LAG = dt.date(2020, 3, 1), 60, 10
POISSON = ["demand.source=admissions", "demand.admissions.count_noise=poisson"]


def demand_config(scenario_path, *extra: str):
    return sim.load_scenario(scenario_path, set_values=["demand.source=admissions", *extra]).demand


def build(config, seed: int):
    population = regions()["population"].to_numpy(float)
    return build_demand(config, START, N, LAG, CODES, population, np.random.default_rng([seed, 1]))


def test_the_defaults_give_the_deterministic_demand(scenario_path):
    config = demand_config(scenario_path)
    assert config.admissions.count_noise == "none" and config.admissions.stay_noise_sd == 0.0
    full = admissions_occupancy(config.admissions, START, N + LAG, CODES)
    for seed in (1, 2):
        demand = build(config, seed)
        np.testing.assert_array_equal(demand.covid_icu, full[:N])
        np.testing.assert_array_equal(demand.icu_ahead, full[LAG : LAG + N])


def test_poisson_same_seed_same_demand_other_seed_other_demand(scenario_path):
    config = demand_config(scenario_path, "demand.admissions.count_noise=poisson")
    one, again, other = build(config, 1), build(config, 1), build(config, 2)
    np.testing.assert_array_equal(one.covid_icu, again.covid_icu)
    np.testing.assert_array_equal(one.icu_ahead, again.icu_ahead)
    assert not np.array_equal(one.covid_icu, other.covid_icu)
    assert not np.array_equal(one.covid_icu, admissions_occupancy(config.admissions, START, N, CODES))


def test_poisson_counts_are_whole_and_their_mean_is_the_data():
    _, data = daily_admissions(CODES)
    config = AdmissionsConfig(count_noise="poisson")
    rng = np.random.default_rng(7)
    draws = np.stack([draw_admissions(config, data, rng) for _ in range(400)])
    assert np.all(draws == np.round(draws)) and np.all(draws >= 0)
    # the total over all days and regions (about 9,000 admissions): its mean within 0.1 %
    assert draws.sum(axis=(1, 2)).mean() == pytest.approx(data.sum(), rel=1e-3)
    # each region's whole series: within 4 standard errors of its total
    totals, expected = draws.sum(axis=1), data.sum(axis=0)
    assert np.all(np.abs(totals.mean(axis=0) - expected) < 4 * np.sqrt(expected / 400) + 1e-9)


def test_weekly_sums_have_variance_about_their_mean():
    _, data = daily_admissions(CODES)
    config = AdmissionsConfig(count_noise="poisson")
    rng = np.random.default_rng(11)
    weekly = np.stack([draw_admissions(config, data, rng).reshape(-1, 7, len(CODES)).sum(axis=1) for _ in range(400)])
    mean = data.reshape(-1, 7, len(CODES)).sum(axis=1)
    busy = mean >= 20  # region-weeks with at least 20 admissions
    assert busy.sum() > 50
    ratio = weekly.var(axis=0, ddof=1)[busy] / mean[busy]
    assert np.median(ratio) == pytest.approx(1.0, abs=0.05)  # Poisson: variance = mean
    assert np.mean(ratio) == pytest.approx(1.0, abs=0.05)


def test_negative_binomial_counts_have_the_data_as_mean_and_extra_variance():
    _, data = daily_admissions(CODES)
    k = 5.0
    config = AdmissionsConfig(count_noise="negative_binomial", count_dispersion=k)
    rng = np.random.default_rng(13)
    draws = np.stack([draw_admissions(config, data, rng) for _ in range(400)])
    assert np.all(draws == np.round(draws)) and np.all(draws >= 0)
    assert draws.sum(axis=(1, 2)).mean() == pytest.approx(data.sum(), rel=5e-3)
    weekly = draws.reshape(400, -1, 7, len(CODES)).sum(axis=2)
    days = data.reshape(-1, 7, len(CODES))
    mean, variance = days.sum(axis=1), (days + days**2 / k).sum(axis=1)  # independent days add their variances
    busy = mean >= 20
    ratio = weekly.var(axis=0, ddof=1)[busy] / variance[busy]
    assert np.mean(ratio) == pytest.approx(1.0, abs=0.05)
    assert np.mean(variance[busy] / mean[busy]) > 1.5  # overdispersed against Poisson


def test_stay_noise_changes_the_median_stay_per_run(scenario_path):
    config = demand_config(scenario_path, "demand.admissions.stay_noise_sd=0.3")
    one, again, other = build(config, 1), build(config, 1), build(config, 2)
    np.testing.assert_array_equal(one.covid_icu, again.covid_icu)
    assert not np.allclose(one.covid_icu, other.covid_icu)
    # the same multiplier as drawn in admissions_occupancy, from the same stream
    factor = np.exp(np.random.default_rng([1, 1]).normal(0.0, 0.3))
    stretched = AdmissionsConfig(stay_median_days=12.0 * factor)
    np.testing.assert_allclose(one.covid_icu, admissions_occupancy(stretched, START, N, CODES), rtol=1e-12)


def test_digest_counts_the_noise_keys_only_when_set(scenario_path):
    admissions = sim.load_scenario(scenario_path, set_values=["demand.source=admissions"])
    data = admissions.model_dump(mode="json")
    assert "count_noise" in data["demand"]["admissions"]
    poisson = sim.load_scenario(scenario_path, set_values=POISSON)
    stay = sim.load_scenario(scenario_path, set_values=["demand.source=admissions", "demand.admissions.stay_noise_sd=0.2"])
    negbin = sim.load_scenario(scenario_path, set_values=["demand.source=admissions", "demand.admissions.count_noise=negative_binomial"])
    k5 = sim.load_scenario(
        scenario_path,
        set_values=["demand.source=admissions", "demand.admissions.count_noise=negative_binomial", "demand.admissions.count_dispersion=5"],
    )
    assert len({admissions.digest(), poisson.digest(), stay.digest(), negbin.digest(), k5.digest()}) == 5


def own_covid_icu(result: sim.Result) -> np.ndarray:
    """Each region's own COVID ICU patients (its demand) per day, wherever they lie (patient transfers move some)."""
    icu = result.daily.icu
    return (icu["covid_icu_patients"] - icu["patients_moved_in"] + icu["patients_moved_out"]).to_numpy()


def test_strategies_with_one_seed_see_the_same_noisy_demand(scenario_path):
    tiny = {"world.scale": 0.01, "time.end": "2020-03-21"}
    baseline = sim.load_scenario(scenario_path, set_values=POISSON, **tiny)
    no_action = sim.load_scenario(scenario_path.parent / "no_action.toml", set_values=POISSON, **tiny)
    a, b, c = (own_covid_icu(sim.run(scenario, seed=seed)) for scenario, seed in ((baseline, 3), (no_action, 3), (baseline, 4)))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)  # the same draws; transfers shift patients, not the demand
    assert not np.array_equal(a, c)  # another seed, another draw of the admissions
