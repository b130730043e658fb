"""A run that records for statistics only (``MobilisationModel(record="staff")``, ``sim.recorder.RECORDS``, issue #18):
the same run as a whole one, its staff frame and the regions' escalation bit for bit, the calibration's statistics
equal; what it did not record raises ``NotRecorded`` and is never saved."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.model import MobilisationModel
from sim.results import NotRecorded
from sim.validation import load_runs_scenarios, simulate

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.toml"))
SCALE = 0.01
SCALE_LONG = 0.05  # the multi-year files: at 0.01 a region's sick leave keeps every month from a quiet step


def _days(path: Path) -> int:
    return sim.load_scenario(path).time.n_days


#: runs of at most a year in `make test`; the multi-year ones (supply, quiet steps, reserves, retention) in test-long
SHORT = [p for p in SCENARIOS if _days(p) <= 366]
LONG = [p for p in SCENARIOS if _days(p) > 366]


def _same_run(path: Path, seed: int = 5, scale: float = SCALE, **overrides) -> MobilisationModel:
    """Run ``path`` whole and recording the staff only; assert the staff record equals the whole run's; the staff run."""
    scenario = sim.load_scenario(path, world__scale=scale, **overrides)
    whole = MobilisationModel(scenario, seed=seed).run()
    model = MobilisationModel(scenario, seed=seed, record="staff")
    staff = model.run()
    pd.testing.assert_frame_equal(staff.daily.staff, whole.daily.staff, check_exact=True)
    regions = staff.daily.regions
    assert list(regions.columns) == list(whole.daily.regions.columns[: len(regions.columns)])
    assert {"date", "region", "level", "forecast_gap_share"} <= set(regions.columns)
    pd.testing.assert_frame_equal(regions, whole.daily.regions[regions.columns], check_exact=True)
    for name, frame in whole.events.frames().items():
        pd.testing.assert_frame_equal(staff.events.frames()[name], frame, check_exact=True)
    if whole.supply is not None:
        pd.testing.assert_frame_equal(staff.supply, whole.supply, check_exact=True)
    return model


@pytest.mark.parametrize("path", SHORT, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_a_staff_record_is_the_same_run(path):
    """Every scenario file of a year or less: the staff frame, the escalation columns and the events as a whole run's.
    A lever whose record hook decided something (the staff run skips the hooks), or a staff run that left out part of
    the staff's or the escalation's recording, fails here."""
    _same_run(path)


def test_a_staff_record_is_the_same_run_with_a_trend_forecast():
    """With the trend forecast the regions read the COVID ICU patients recorded so far: a staff record keeps them."""
    model = _same_run(ROOT / "scenarios" / "sweden_spring2020.toml", escalation__forecast="trend")
    assert model.forecaster is not None


@pytest.mark.long
@pytest.mark.parametrize("path", LONG, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_a_staff_record_is_the_same_run_over_years(path):
    """The multi-year scenario files (supply, reserves, retention, specialist training) likewise, at a scale where
    quiet steps happen (``Recorder.hold`` copies a staff record's days as a whole one's)."""
    model = _same_run(path, scale=SCALE_LONG)
    assert model.quiet_days.any()


def test_the_calibration_statistics_are_the_same():
    """What tools/calibrate.py computes from a staff record equals what it computes from a whole run."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from calibrate import TARGETS
    finally:
        sys.path.remove(str(ROOT / "tools"))
    scenario = load_runs_scenarios(scale=0.02)["year"]
    keys = [p.key for p in TARGETS]
    for seed in (3, 4):
        np.testing.assert_equal(simulate(scenario, seed, keys, record="staff"), simulate(scenario, seed, keys))  # (NaN = NaN)


def test_what_a_staff_record_left_out_raises(model_factory, tmp_path):
    model = model_factory(seed=2, record="staff")
    assert model.datacollector is None
    for _ in range(5):
        model.step()
    result = model.result()
    assert not result.complete and len(result.daily.staff) and len(result.daily.regions)
    for name in ("units", "icu", "nursing_homes", "home_care"):
        with pytest.raises(NotRecorded, match=f"the {name} frame.*record='all'"):
            getattr(result.daily, name)
    with pytest.raises(NotRecorded, match="the summary"):
        result.summary  # noqa: B018
    with pytest.raises(NotRecorded):
        result.daily.items()
    # the live values: most read arrays a staff record leaves at zero, so all of them raise rather than read zeros
    with pytest.raises(NotRecorded, match="daily values"):
        model.daily_values.national("icu_patients")
    with pytest.raises(NotRecorded, match="daily values"):
        model.daily_values.unsafe(3)
    with pytest.raises(NotRecorded, match="daily values"):
        model.regions[0].unsafe_icu_patient_days  # noqa: B018
    out = tmp_path / "run"
    with pytest.raises(NotRecorded):
        result.save(out, csv=True, xlsx=True)
    assert not out.exists()  # nothing written
    assert model_factory(seed=2).run().complete


def test_an_unknown_record_is_refused():
    with pytest.raises(ValueError, match="record: expected one of 'all', 'staff', got 'none'"):
        MobilisationModel(record="none")


def test_not_recorded_crosses_processes_with_its_message():
    error = NotRecorded("the summary")
    back = pickle.loads(pickle.dumps(error))  # as a worker process sends it to the parent
    assert type(back) is NotRecorded and str(back) == str(error) and back.what == "the summary"


def _trips_by_day(scenario, record: str) -> list[np.ndarray]:
    """The loans' and the pool's trip costs of each day: in a whole run as the first of their record hooks finds them
    (what the levers booked that day), in a staff-only run after the day."""
    model = MobilisationModel(scenario, seed=4, record=record)
    trips: list[np.ndarray] = []

    def today() -> np.ndarray:
        return np.concatenate([model.coordinator.trip_cost, model.pool.trip_cost])

    if record == "all":
        first = min((model.lever("loans"), model.lever("national_pool")), key=model.levers.index)
        hook = first.record
        first.record = lambda recorder, day, cost: (trips.append(today()), hook(recorder, day, cost))
    while model.running:
        model.step()
        if record == "staff":
            trips.append(today())
    return trips


def test_a_staff_record_keeps_only_todays_trips():
    """The loans' and the pool's trip costs are today's: the record hook books and clears them in a whole run, and the
    levers clear them as they act, so a staff-only run (no record hooks) does not pile them up day after day."""
    scenario = sim.load_scenario(ROOT / "scenarios" / "strategies" / "national_pool_small.toml", world__scale=0.05)
    staff = _trips_by_day(scenario, "staff")
    assert sum(float(t.sum()) > 0 for t in staff) > 1  # trips on more than one day: the test can tell
    np.testing.assert_array_equal(np.array(_trips_by_day(scenario, "all")), np.array(staff))
