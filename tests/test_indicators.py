"""The indicator registry (``sim.indicators``): every summary column is registered, every registered column is produced,
the consumers read it, and an experiment naming an unknown indicator is refused before any run."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import one_error_line

import sim
from sim import experiment, figures, report, response_cost, supply
from sim import indicators as registry
from sim.cli import main
from sim.levers import LEVERS, national_pool, reserves, retention, short_courses
from sim.recorder import COST_ITEMS
from sim.scenario import ScenarioError
from sim.sweep import load_experiment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import indicator_table  # noqa: E402

SPRING = ROOT / "scenarios" / "sweden_spring2020.toml"
SECOND_WAVE = ROOT / "scenarios" / "second_wave.toml"


@pytest.fixture(scope="module")
def spring() -> pd.Series:
    """A short spring run (no wave starts within it) whose summary has every column but the waves'."""
    return sim.run(SPRING, seed=1, **{"world.scale": 0.02, "time.end": "2020-03-20"}).summary.iloc[0]


@pytest.fixture(scope="module")
def second_wave() -> pd.Series:
    """The second-wave scenario at 1 % scale through the autumn wave's start (27 October 2020): both waves' readiness."""
    return sim.run(SECOND_WAVE, seed=1, **{"world.scale": 0.01, "time.end": "2020-10-28"}).summary.iloc[0]


def test_every_summary_column_is_registered(spring, second_wave):
    # a new summary column needs its registry entry (title, unit, direction, description): this fails until it has one
    for summary in (spring, second_wave):
        missing = [c for c in summary.index if not registry.is_summary_column(c)]
        assert missing == [], f"register these in sim/indicators.py: {missing}"
    assert {f"cost_{item}_msek" for item in COST_ITEMS} <= set(registry.names_at("summary"))


def test_every_registered_column_is_in_the_summaries(spring, second_wave):
    # the response cost's columns come only on request (--response-cost): tests/test_response_cost.py checks those
    # the supply side's only with [supply] enabled: tests/test_supply.py checks those
    # and the supply side's levers' (Lever.supply_side: tests/test_pipeline.py) and the reserves' levers' only with the
    # lever on (tests/test_reserves.py)
    supply_levers = tuple(spec.name for cls in LEVERS if cls.supply_side for spec in cls.indicators)
    optional = (
        *response_cost.COLUMNS,
        *supply.SUMMARY_COLUMNS,
        supply.INVESTMENT_COLUMN,
        *supply_levers,
        *reserves.SUMMARY_COLUMNS,
        *national_pool.STOCKS_SUMMARY_COLUMNS,
        *retention.SUMMARY_COLUMNS,
        *short_courses.SUMMARY_COLUMNS,
    )
    fixed = [i.name for i in registry.all() if "summary" in i.shown and not i.is_pattern and i.name not in optional]
    for summary in (spring, second_wave):
        assert [n for n in fixed if n not in summary.index] == []
    waves = [i for i in registry.all() if i.is_pattern]
    assert waves and all("summary" in i.shown for i in waves)
    for k in (1, 2):
        assert [i.name for i in waves if i.name.replace("{k}", str(k)) not in second_wave.index] == []
    assert not [c for c in spring.index if c.startswith("wave")]  # the spring wave starts on 23 March, after this run


def test_dashboard_series_are_not_summary_columns():
    shown = [i for i in registry.all() if "dashboard" in i.shown]
    assert {i.name for i in shown} == {"icu_nurse_coverage", "staff_not_at_work", "fatigue_mean"}
    assert all("summary" not in i.shown for i in shown)
    assert not registry.is_summary_column("icu_nurse_coverage")


def test_entries_are_complete():
    for i in registry.all():
        assert i.title and i.description and i.shown <= registry.PLACES, i.name
        assert i.lower_is_better in (True, False, None)
        assert "|" not in i.title + i.unit + i.description  # they go into a Markdown table
    outcomes = ["unsafe_icu_patient_days", "staff_lost", "cost_total_msek", "wave2_staff_lost"]
    assert all(registry.lower_is_better(n) is True for n in outcomes)
    assert registry.lower_is_better("worst_region_icu_nurse_ratio") is False
    assert registry.lower_is_better("scenario") is None and registry.lower_is_better("not_registered") is None


def test_duplicates_are_refused():
    before = registry.all()
    taken = registry.get("staff_loaned")
    with pytest.raises(ValueError, match="'staff_loaned' is registered already"):
        registry.register(registry.Indicator("staff_loaned", "Loans", "staff", None, "again", frozenset({"summary"})))
    assert registry.get("staff_loaned") is taken and registry.all() == before


def test_bad_entries_are_refused():
    with pytest.raises(ValueError, match="unknown place"):
        registry.Indicator("x", "X", "", None, "x", frozenset({"summery"}))
    with pytest.raises(ValueError, match="priority"):
        registry.Indicator("x", "X", "", None, "x", frozenset({"summary", "figures"}))


def test_lookups_and_fallbacks():
    assert registry.get("wave12_staff_off_sick").name == "wave{k}_staff_off_sick"
    assert registry.title("wave2_staff_lost") == "Wave 2: staff lost by its start"
    assert registry.unit("wave2_icu_staff_available") == "staff"
    assert registry.find("wave0_start") is None and registry.find("wave_start") is None
    assert registry.title("some_new_column") == "some new column" and registry.unit("some_new_column") == ""
    with pytest.raises(KeyError, match="did you mean 'cost_total_msek'"):
        registry.get("cost_totl_msek")
    assert registry.better("unsafe_icu_patient_days", -3.0) is True
    assert registry.better("worst_region_icu_nurse_ratio", -0.1) is False
    assert registry.better("staff_loaned", 5.0) is None and registry.better("staff_lost", 0.0) is None


def test_consumers_read_the_registry():
    # the old public names stay, with the contents of the registry
    assert (
        registry.planners()
        == experiment.INDICATORS
        == (
            "unsafe_icu_patient_days",
            "diluted_icu_patient_days",
            "icu_patient_days_above_staffed_beds",
            "peak_gap_share",
            "peak_sick_share",
            "staff_lost",
            "icu_staff_fatigue_end",
            "fatigue_p90_end",
            "homes_with_outbreak",
            "nursing_home_introductions",
            "resident_infections",
            "resident_deaths",  # residents' outcomes (issue #16)
            "resident_missed_care_hours",
            "delegated_medication_share",
            "client_infections",  # home care (issue #16)
            "client_deaths",
            "missed_home_care_visits",
            "care_debt_end",  # the levers' own indicators, in the order the levers act (sim.levers.LEVERS):
            "pool_arrivals",  # the pool acts before loans (before #12's lever modules, loans came first)
            "staff_loaned",
            "patients_transferred",  # patient_transfers acts last
            "cost_total_msek",
            "response_cost_total_msek",  # only in the summaries of runs asked for it (--response-cost)
        )
    )
    assert experiment.default_indicators(["cost_total_msek", "staff_lost", "other"]) == ["staff_lost", "cost_total_msek"]
    assert (
        figures.PRIORITY
        == registry.figure_priority()
        == (
            "unsafe_icu_patient_days",
            "diluted_icu_patient_days",
            "icu_patient_days_above_staffed_beds",  # priority 3, registered before icu_staff_fatigue_end (also 3)
            "icu_staff_fatigue_end",
            "staff_lost",
            "resident_infections",
            "nursing_home_introductions",
            "care_debt_end",
            "peak_sick_share",
            "cost_total_msek",
        )
    )
    assert figures.INDICATORS["cost_pool_msek"] == ("Cost of the pool", "MSEK")
    assert all(figures.INDICATORS[n] == (registry.title(n), registry.unit(n)) for n in figures.INDICATORS)


def test_the_report_sentences_name_the_report_indicators(spring):
    """The run report's sentences read exactly the indicators shown in "report"."""
    read: list[str] = []

    class Spy:
        def get(self, name: str, default: object = None) -> object:
            read.append(name)
            return spring.get(name, default)

    runs = figures.RunSet("t", ["t"], pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    report._run_sentences(Spy(), runs)
    assert set(read) == set(registry.names_at("report"))


def test_the_guide_table_is_current():
    text = indicator_table.GUIDE.read_text()
    assert indicator_table.render(text) == text, "run .venv/bin/python tools/indicator_table.py"
    assert all(f"`{name}`" in text for name in registry.names_at("summary"))


# --------------------------------------------------------------------------- experiments


def _experiment(tmp_path: Path, indicators: list[str]) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(
        f'name = "t"\nscenario = "{SPRING}"\nreplications = 1\nseed = 0\nindicators = {indicators!r}\n'
        'set = { "world.scale" = 0.02, "time.end" = 2020-03-03 }\n[[variants]]\nname = "a"\n',
        encoding="utf-8",
    )
    return path


def test_an_experiment_naming_an_unknown_indicator_is_refused(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_experiment(_experiment(tmp_path, ["unsafe_icu_patient_days", "cost_totl_msek"]))
    assert info.value.key == "indicators.1"
    assert "unknown indicator 'cost_totl_msek'; did you mean 'cost_total_msek'?" in info.value.message
    with pytest.raises(ScenarioError, match="unknown indicator 'icu_nurse_coverage'"):  # a dashboard series, not a summary column
        load_experiment(_experiment(tmp_path, ["icu_nurse_coverage"]))


def test_an_experiment_may_name_wave_columns(tmp_path):
    spec = load_experiment(_experiment(tmp_path, ["wave2_staff_lost", "cost_pool_msek"])).spec
    assert spec.indicators == ["wave2_staff_lost", "cost_pool_msek"]
    with pytest.raises(ScenarioError, match="unknown indicator 'wave_staff_lost'"):
        load_experiment(_experiment(tmp_path, ["wave_staff_lost"]))


def test_cli_refuses_an_unknown_indicator_before_any_run(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(_experiment(tmp_path, ["unsafe_icu_patient_dys"])), "--out", str(out), "--quiet"]) == 2
    assert "did you mean 'unsafe_icu_patient_days'" in one_error_line(capsys.readouterr().err)
    assert not out.exists()


def test_the_shipped_experiments_name_registered_indicators():
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        spec = load_experiment(path).spec
        assert all(registry.is_summary_column(n) for n in spec.indicators or []), path.name


def test_each_lever_declares_its_own_indicators():
    """A lever's summary columns are declared in its module (Lever.indicators) and registered with the core's."""
    from sim.levers import LEVERS

    owned = {spec.name: cls.name for cls in LEVERS for spec in cls.indicators}
    assert owned["staff_loaned"] == "loans" and owned["pool_arrivals"] == "national_pool" and owned["care_debt_end"] == "redeployment"
    for name in owned:
        assert registry.get(name).description  # registered, with its description


def test_a_results_summary_table_reads_the_registry(small_result):
    table = small_result.summary_table()
    assert list(table["indicator"]) == list(small_result.summary.columns)
    row = table.set_index("indicator").loc["unsafe_icu_patient_days"]
    assert row["title"] == registry.title("unsafe_icu_patient_days") and row["unit"] == registry.unit("unsafe_icu_patient_days")
    assert row["value"] == small_result.summary["unsafe_icu_patient_days"].iat[0] and row["lower_is_better"] is True
