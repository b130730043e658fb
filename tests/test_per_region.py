"""Lever settings per region (issue #15, item 1b): ``[levers.<lever>.regions.<region>]``.

Runs at the shared small scale (``tests/conftest.py``: 3 %, 1 March – 15 May), seed 1, against the session's
``small_result``: same seed, so each difference is the region table's (common random numbers).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from sim.levers.base import Lever, level_index
from tests.helpers import refused

#: Every lever's region table switched off in Stockholm (each assertion reads only its own lever's output there).
STOCKHOLM_OFF = {
    "levers.crisis_agreement.regions.stockholm.enabled": False,
    "levers.redeployment.regions.stockholm.enabled": False,
    "levers.bed_expansion.regions.stockholm.enabled": False,
    "levers.patient_transfers.regions.stockholm.enabled": False,
    "levers.icu_upskilling.regions.stockholm.enabled": False,
    "levers.recruitment.regions.stockholm.enabled": False,
    "levers.nursing_home_measures.regions.stockholm.enabled": False,
}


def _run(scenario: sim.Scenario, **overrides) -> sim.Result:
    return sim.MobilisationModel(scenario=scenario.with_overrides(**overrides), seed=1).run()


@pytest.fixture(scope="module")
def stockholm_off(small_scenario) -> sim.Result:
    return _run(small_scenario, **STOCKHOLM_OFF)


@pytest.fixture(scope="module")
def region_only(small_scenario) -> sim.Result:
    """Crisis agreement and pool off nationally, on in Stockholm only; redeployment only in Skåne (by its Swedish name)."""
    return _run(
        small_scenario,
        **{
            "levers.crisis_agreement.enabled": False,
            "levers.crisis_agreement.regions.stockholm.enabled": True,
            "levers.national_pool.regions.Region Stockholm.enabled": True,
            "levers.redeployment.enabled": False,
            "levers.redeployment.regions.Skåne.enabled": True,
        },
    )


def _by_region(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.pivot(index="date", columns="region", values=column)


def test_agreement_off_in_stockholm_places_nobody_there_while_sormland_still_places(stockholm_off, small_result):
    placed = _by_region(stockholm_off.daily.icu, "agreement_staff_placed")
    assert (placed["stockholm"] == 0).all() and _by_region(stockholm_off.daily.icu, "agreement_active")["stockholm"].eq(0).all()
    assert placed["sormland"].sum() > 0
    assert _by_region(small_result.daily.icu, "agreement_staff_placed")["stockholm"].sum() > 0  # the baseline does place there


def test_agreement_at_staffing_alert_in_stockholm_starts_no_later_than_the_baseline(small_scenario, small_result):
    early = _run(small_scenario, **{"levers.crisis_agreement.regions.stockholm.start_level": "staffing_alert"})
    first = {}
    for name, result in (("early", early), ("baseline", small_result)):
        active = _by_region(result.daily.icu, "agreement_active")["stockholm"]
        first[name] = active[active > 0].index.min()
    assert first["early"] < first["baseline"]  # Stockholm reaches staffing alert before crisis
    others = [c for c in _by_region(small_result.daily.icu, "agreement_active").columns if c != "stockholm"]
    pd.testing.assert_frame_equal(  # the others' declarations do not move before Stockholm's earlier start can act on them
        _by_region(early.daily.icu, "agreement_active")[others].loc[: first["early"]],
        _by_region(small_result.daily.icu, "agreement_active")[others].loc[: first["early"]],
    )


def test_a_lower_weekly_cap_in_stockholm_caps_its_placed_staff_and_its_icu_hours(model_factory, small_result):
    model = model_factory(seed=1, **{"levers.crisis_agreement.regions.stockholm.max_weekly_hours": 44.0})
    result = model.run()
    s, world = model.world.staff, model.world
    placed = np.flatnonzero(s.agreement_days > 0)
    region = world.regions["code"].to_numpy()[world.workplace_region[s.workplace[placed]]]
    here, elsewhere = placed[region == "stockholm"], placed[region != "stockholm"]
    assert here.size and elsewhere.size
    # at most the cap (fatigue may lower a person's hours below it, sim.kernels.cap_hours_by_fatigue)
    assert s.max_hours[here].max() == pytest.approx(44 / 7) and s.max_hours[elsewhere].max() == pytest.approx(48 / 7)
    hours = {name: _by_region(r.daily.icu, "icu_nurses") for name, r in (("capped", result), ("baseline", small_result))}
    assert hours["capped"]["stockholm"].sum() < hours["baseline"]["stockholm"].sum()


def test_redeployment_off_in_stockholm_leaves_its_planned_care_whole(stockholm_off, small_result):
    debt = _by_region(stockholm_off.daily.regions, "care_debt_operations")
    assert (debt["stockholm"] == 0).all()
    assert debt["sormland"].max() > 0 and _by_region(small_result.daily.regions, "care_debt_operations")["stockholm"].max() > 0


def test_bed_expansion_off_in_stockholm_keeps_its_normal_beds(stockholm_off, small_result):
    beds = _by_region(stockholm_off.daily.icu, "beds_open")
    assert beds["stockholm"].nunique() == 1
    assert _by_region(small_result.daily.icu, "beds_open")["stockholm"].max() > beds["stockholm"].iloc[0]


def test_transfers_off_in_stockholm_neither_send_nor_receive_there(stockholm_off, small_result):
    moves = stockholm_off.events.transfers
    assert not ((moves["from_region"] == "stockholm") | (moves["to_region"] == "stockholm")).any()
    assert (small_result.events.transfers["from_region"] == "stockholm").any()  # the baseline sends from Stockholm
    assert len(moves) > 0


def test_training_and_recruits_off_in_stockholm(stockholm_off, small_result):
    regions = stockholm_off.daily.regions
    for column in ("upskilled_in_icu", "recruits_working"):
        assert (_by_region(regions, column)["stockholm"] == 0).all(), column
        assert _by_region(small_result.daily.regions, column)["stockholm"].max() > 0, column


def test_nursing_home_measures_off_in_stockholm_mean_no_cohort_care_there(stockholm_off, small_result):
    """Cohort care (baseline: on, transmission × 0.6) off in Stockholm: more infected residents there, same seed."""
    infected = {name: _by_region(r.daily.nursing_homes, "infected_residents") for name, r in (("off", stockholm_off), ("on", small_result))}
    assert infected["off"]["stockholm"].sum() > infected["on"]["stockholm"].sum()


def test_a_deeper_cut_in_stockholm_lowers_its_planned_operations_only_there(small_scenario, small_result):
    deeper = _run(small_scenario, **{"levers.redeployment.regions.stockholm.max_elective_cut": 0.8})
    operations = {name: _by_region(r.daily.regions, "elective_operations") for name, r in (("deeper", deeper), ("baseline", small_result))}
    assert operations["deeper"]["stockholm"].min() < operations["baseline"]["stockholm"].min()
    assert operations["deeper"]["stockholm"].min() == pytest.approx(operations["baseline"]["stockholm"].iloc[0] * 0.2)  # at the largest cut
    assert operations["deeper"]["stockholm"].sum() < operations["baseline"]["stockholm"].sum()


def test_a_lever_off_nationally_acts_in_the_one_region_that_switches_it_on(region_only):
    active = _by_region(region_only.daily.icu, "agreement_active")
    assert active["stockholm"].max() == 1 and active.drop(columns="stockholm").eq(0).all().all()
    debt = _by_region(region_only.daily.regions, "care_debt_operations")
    assert debt["skane"].max() > 0 and debt.drop(columns="skane").eq(0).all().all()
    pool = region_only.events.pool_deployments
    assert len(pool) > 0 and set(pool["region"]) == {"stockholm"}


def test_region_tables_equal_to_the_national_values_change_nothing(small_scenario, small_result):
    """The per-region code path with every region table at the national value: results identical to no table."""
    lv = small_scenario.levers
    same = {
        "levers.crisis_agreement.regions.stockholm.start_level": lv.crisis_agreement.start_level,
        "levers.crisis_agreement.regions.sormland.min_active_days": lv.crisis_agreement.min_active_days,
        "levers.crisis_agreement.regions.uppsala.lift_after_days": lv.crisis_agreement.lift_after_days,
        "levers.crisis_agreement.regions.skane.max_weekly_hours": lv.crisis_agreement.max_weekly_hours,
        "levers.redeployment.regions.stockholm.max_elective_cut": lv.redeployment.max_elective_cut,
        "levers.redeployment.regions.skane.ramp_days": lv.redeployment.ramp_days,
        "levers.redeployment.regions.sormland.redeploy_share": lv.redeployment.redeploy_share,
        "levers.redeployment.regions.uppsala.catch_up": lv.redeployment.catch_up,
        "levers.icu_upskilling.regions.stockholm.max_share": lv.icu_upskilling.max_share,
        "levers.recruitment.regions.stockholm.daily_share": lv.recruitment.daily_share,
        "levers.recruitment.regions.sormland.release_after_days": lv.recruitment.release_after_days,
        "levers.loans.regions.gotland.max_share_lent": lv.loans.max_share_lent,
        "levers.loans.regions.stockholm.enabled": True,
        "levers.nursing_home_measures.regions.stockholm.start_level": lv.nursing_home_measures.start_level,
        "levers.bed_expansion.regions.stockholm.ceiling_factor": lv.bed_expansion.ceiling_factor,
        "levers.bed_expansion.regions.skane.target_occupancy": lv.bed_expansion.target_occupancy,
        "levers.patient_transfers.regions.stockholm.trigger_share": lv.patient_transfers.trigger_share,
        "levers.patient_transfers.regions.gotland.receiver_max_share": lv.patient_transfers.receiver_max_share,
        "levers.national_pool.regions.stockholm.enabled": False,
    }
    result = _run(small_scenario, **same)
    for name in ("icu", "regions", "units", "staff", "nursing_homes"):
        pd.testing.assert_frame_equal(getattr(result.daily, name), getattr(small_result.daily, name), obj=name)
    pd.testing.assert_frame_equal(result.events.transfers, small_result.events.transfers)
    summary = result.summary.drop(columns=["scenario_digest"], errors="ignore")
    pd.testing.assert_frame_equal(summary, small_result.summary.drop(columns=["scenario_digest"], errors="ignore"))


def test_per_region_gives_the_national_value_where_no_region_sets_it(model_factory):
    model = model_factory(seed=1, **{"levers.redeployment.regions.Jämtland Härjedalen.max_elective_cut": 0.1})
    lever = model.lever("redeployment")
    cut = lever.per_region("max_elective_cut")
    codes = list(model.world.regions["code"])
    assert cut.shape == (model.world.n_regions,) and cut[codes.index("jamtland")] == 0.1
    assert np.all(np.delete(cut, codes.index("jamtland")) == model.config.levers.redeployment.max_elective_cut)
    assert model.config.levers.redeployment.regions == {"jamtland": {"max_elective_cut": 0.1}}  # stored by code


def test_loans_off_in_a_region_neither_asks_nor_lends(model_factory):
    model = model_factory(seed=1, **{"levers.loans.regions.gotland.enabled": False, "levers.loans.regions.skane.max_share_lent": 0.0})
    coordinator = model.coordinator
    codes = list(model.world.regions["code"])
    assert not coordinator.takes_part[codes.index("gotland")] and coordinator.takes_part.sum() == len(codes) - 1
    assert coordinator._lendable(codes.index("skane"), coordinator.professions[0]) == 0


def test_a_user_lever_without_region_tables_still_works(model_factory):
    class Mine(Lever):
        name = None

    lever = Mine()
    model = model_factory(seed=1, levers=[lever])
    assert lever.regions_on().shape == (model.world.n_regions,)


def test_regions_on_gives_each_days_answer_from_the_levels_the_region_tables_and_the_national_window(model_factory):
    """``regions_on`` reads its lever's tables once (issue #18); day by day it still answers as they say: at or above
    each region's start level where the lever is enabled, every enabled region inside the national window, in a fresh
    array that its caller may change."""
    model = model_factory(
        seed=1,
        **{
            "levers.redeployment.regions.gotland.enabled": False,
            "levers.redeployment.regions.skane.start_level": "staffing_alert",
            "levers.redeployment.national_from": "2020-04-01",
            "levers.redeployment.national_until": "2020-04-10",
        },
    )
    lever, codes = model.lever("redeployment"), list(model.world.regions["code"])
    start = np.full(len(codes), level_index(model.config.levers.redeployment.start_level))
    start[codes.index("skane")] = level_index("staffing_alert")
    enabled = np.array([code != "gotland" for code in codes])
    days_in_window = days_by_level = 0
    while model.day < model.n_days - 1:
        model.step()
        window = dt.date(2020, 4, 1) <= model.dates[model.day] <= dt.date(2020, 4, 10)
        expected = (np.ones(len(codes), dtype=bool) if window else model.levels >= start) & enabled
        on = lever.regions_on()
        assert np.array_equal(on, expected), model.dates[model.day]
        on[:] = ~on  # the caller's copy: the next answer is not changed
        assert np.array_equal(lever.regions_on(), expected)
        days_in_window += window
        days_by_level += not window and bool(expected.any()) and not expected[enabled].all()
    assert days_in_window == 10 and days_by_level > 0  # both rules were read, and the levels told regions apart


def test_regions_on_of_a_lever_without_region_tables_reads_its_start_level_as_a_name_or_an_index(model_factory):
    """Without region tables the rule is the lever's national start level, a level's name or its index (``lever_on``
    takes both), and ``crisis`` when the config has none."""
    from types import SimpleNamespace

    class Mine(Lever):
        name = None

    by_name, by_index, default = Mine(SimpleNamespace(start_level="staffing_alert")), Mine(SimpleNamespace(start_level=1)), Mine()
    model = model_factory(seed=1, levers=[by_name, by_index, default])
    seen = set()
    while model.day < 40:
        model.step()
        assert np.array_equal(by_name.regions_on(), model.levels >= 1)
        assert np.array_equal(by_index.regions_on(), model.levels >= 1)
        assert np.array_equal(default.regions_on(), model.levels >= 2)
        seen.update(model.levels.tolist())
    assert seen >= {0, 1, 2}  # every level was met, so each rule was told apart from the others


def test_each_regions_covid_ward_share_is_its_row_of_the_days_plan(model_factory):
    """The Regions' ``covid_ward_share`` are the rows of ``model.covid_ward_share``, which ``Region.plan_all`` sets for
    all of them at once (issue #18: no loop over the agents); ``Region.plan`` gives the same rule for one region."""
    model = model_factory(seed=1)
    regions = list(model.regions)
    assert all(np.array_equal(r.covid_ward_share, np.zeros(len(sim.categories.PROFESSIONS))) for r in regions)
    shares, held = [], []
    for _ in range(45):
        model.step()
        shares.append(np.array([r.covid_ward_share for r in regions]))
        held.append(regions[0].covid_ward_share)  # the row itself, as a user's code would keep it
        assert np.array_equal(shares[-1], model.covid_ward_share)
    assert shares[-1].any() and not np.array_equal(shares[-1], shares[0])  # COVID wards opened, so the rows changed
    assert all(np.array_equal(row, day[0]) for row, day in zip(held, shares, strict=True))  # a row read keeps its day's values
    day_plan = model.covid_ward_share.copy()
    regions[3].plan()
    assert np.array_equal(regions[3].covid_ward_share, day_plan[3])
    regions[3].covid_ward_share = np.full(len(day_plan[3]), 0.25)  # a user may still set the attribute: its row
    assert np.all(model.covid_ward_share[3] == 0.25) and np.array_equal(model.covid_ward_share[2], day_plan[2])


# ----------------------------------------------------------------------------- the scenario table


def test_region_names_are_stored_as_codes_and_shown_by_validate(scenario_path, capsys):
    from sim.cli import main

    scenario = sim.load_scenario(
        scenario_path, set_values=['levers.crisis_agreement.regions.Region Stockholm.start_level="staffing_alert"']
    )
    assert scenario.levers.crisis_agreement.regions == {"stockholm": {"start_level": "staffing_alert"}}
    assert scenario.levers.crisis_agreement.region_value("stockholm", "start_level") == "staffing_alert"
    assert scenario.levers.crisis_agreement.region_value("uppsala", "start_level") == "crisis"
    code = main(["validate", str(scenario_path), "--show", "--set", "levers.loans.regions.gotland.enabled=false"])
    out = capsys.readouterr().out
    assert code == 0 and "levers.loans.regions.gotland.enabled = false" in out
    assert "regions = {}" not in out and out.count(".regions.") == 1  # levers without region tables show none


def test_without_region_tables_the_digest_and_dump_are_unchanged(scenario_path):
    base = sim.load_scenario(scenario_path)
    assert "regions" not in base.levers.crisis_agreement.model_dump()
    same = base.with_overrides(**{"levers.crisis_agreement.regions.stockholm.enabled": True})
    assert same.digest() != base.digest()  # a region table is an input
    assert base.with_overrides(**{"world.scale": base.world.scale}).digest() == base.digest()


def test_the_counterfactual_switches_region_tables_off_too(scenario_path):
    scenario = sim.load_scenario(
        scenario_path, set_values=["levers.national_pool.regions.stockholm.enabled=true", "levers.loans.regions.gotland.enabled=false"]
    )
    assert "national_pool" in scenario.levers.enabled()
    counterfactual = scenario.without_covid()
    assert counterfactual.levers.enabled() == ["vacation"]
    assert not counterfactual.levers.national_pool.regions and not counterfactual.levers.loans.regions


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("levers.crisis_agreement.regions.stokholm", "{ enabled = false }", "unknown region 'stokholm'; did you mean 'stockholm'?"),
        (
            "levers.crisis_agreement.regions.stockholm.pay_multiplier",
            "3.0",
            "per region this lever takes enabled, start_level, min_active_days",
        ),
        ("levers.loans.regions.gotland.professions", '["icu_nurse"]', "per region this lever takes enabled, start_level, max_share_lent"),
        ("levers.redeployment.regions.skane.max_elective_cut", "1.5", "less than or equal to 1"),
        ("levers.redeployment.regions.skane.ramp_days", "0", "greater than 0"),
        ("levers.crisis_agreement.regions.stockholm.start_level", '"alert"', "'staffing_alert' or 'crisis'"),
        ("levers.crisis_agreement.regions.stockholm.enabled", "1", "valid boolean"),
        ("levers.national_pool.regions.stockholm.activation_gap", "-0.1", "greater than or equal to 0"),
    ],
)
def test_bad_region_tables_are_refused(scenario_path, key, value, fragment):
    refused(scenario_path, key, value, fragment)


def test_vacation_and_recovery_take_no_region_tables(scenario_path):
    refused(scenario_path, "levers.vacation.regions", "{ stockholm = { enabled = false } }", "unknown key")


def test_recruitment_cannot_be_switched_on_in_one_region_only(scenario_path):
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(scenario_path, set_values=["levers.recruitment.enabled=false", "levers.recruitment.regions.gotland.enabled=true"])
    assert info.value.key == "levers.recruitment.regions.gotland.enabled"
    assert "cannot be switched on in one region only" in info.value.message


def test_a_region_named_twice_is_refused(scenario_path):
    with pytest.raises(ScenarioError) as info:
        sim.load_scenario(
            scenario_path,
            set_values=["levers.loans.regions.gotland.enabled=false", "levers.loans.regions.Region Gotland.enabled=true"],
        )
    assert "given twice" in info.value.message


def test_the_guide_lists_each_levers_keys_per_region():
    """The guide's table of keys per region (section "One region's levers") is the levers' ``region_keys``."""
    import re
    from pathlib import Path

    from sim.scenario import LeversConfig
    from sim.schema import LeverConfig

    text = (Path(__file__).resolve().parent.parent / "docs" / "guide.md").read_text(encoding="utf-8")
    table = text.split("<!-- region-keys:begin -->")[1].split("<!-- region-keys:end -->")[0]
    listed = {m[0]: tuple(re.findall(r"`(\w+)`", m[1])) for m in re.findall(r"^\| `(\w+)` \| ([^|]+) \|", table, flags=re.M)}
    levers = {name: field.annotation for name, field in LeversConfig.model_fields.items()}
    expected = {name: cls.region_keys for name, cls in levers.items() if isinstance(cls, type) and issubclass(cls, LeverConfig)}
    assert listed == expected


def test_an_empty_region_table_sets_nothing(scenario_path):
    base = sim.load_scenario(scenario_path)
    empty = sim.load_scenario(scenario_path, set_values=["levers.loans.regions.gotland={}"])
    assert empty.levers.loans.regions == {} and empty.digest() == base.digest()


def test_the_command_line_refuses_an_unknown_region_on_one_line(scenario_path, capsys):
    from sim.cli import main
    from tests.helpers import one_error_line

    code = main(["validate", str(scenario_path), "--set", "levers.loans.regions.Gotlnd.enabled=false"])
    line = one_error_line(capsys.readouterr().err)
    assert code == 2 and "levers.loans.regions.Gotlnd" in line and "did you mean 'gotland'?" in line
