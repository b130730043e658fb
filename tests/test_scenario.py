"""Scenario files: schema errors, inheritance (``extends``), ``--set`` overrides, digests and demand CSVs."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sim
from sim.data import region_codes
from sim.demand import read_curves
from sim.scenario import MAX_ICU_BEDS, Scenario, ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
SECOND_WAVE = ROOT / "scenarios" / "second_wave.toml"  # parametric waves (the baseline reads the regions' admissions)
NO_ACTION = ROOT / "scenarios" / "no_action.toml"
CODES = region_codes()

# A wave table whose only region override is given by the test (the parent's waves are replaced wholesale).
WAVE = """
[[demand.waves]]
name = "test wave"
peak_date = 2020-04-01
rise_days = 10.0
fall_days = 20.0
peak_per_100k = 1.0
"""


def write_child(directory: Path, body: str, name: str = "child.toml", extends: Path | str = BASE) -> Path:
    """A scenario file in ``directory`` that extends ``extends`` (by absolute path unless a relative name is given)."""
    path = directory / name
    path.write_text(f'extends = "{extends}"\n{body}\n', encoding="utf-8")
    return path


def load_error(path: Path, **kwargs) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, **kwargs)
    return info.value


# --------------------------------------------------------------------------- bad input in a file

BAD_FILE_CASES = [
    # id, TOML body, dotted key, fragments the message must contain
    ("unknown-top-level", 'nmae = "x"', "nmae", ["unknown key", "did you mean 'name'?"]),
    ("unknown-nested", "[fatigue]\nrise_rat = 1", "fatigue.rise_rat", ["unknown key", "did you mean 'rise'?"]),
    (
        "unknown-in-wave-list",
        WAVE + "[demand.waves.regions.stockholm]\npeek_date = 2020-04-10",
        "demand.waves.0.regions.stockholm.peek_date",
        ["unknown key", "did you mean 'peak_date'?"],
    ),
    ("unknown-lever", "[levers]\ncrisis_agreemnt = { enabled = false }", "levers.crisis_agreemnt", ["did you mean 'crisis_agreement'?"]),
    ("unknown-no-hint-lists-keys", "[world]\nzzzzzz = 1", "world.zzzzzz", ["unknown key", "valid keys:", "scale", "nursing_homes"]),
    (
        "unknown-region",
        WAVE + "[demand.waves.regions.stokholm]\npeak_date = 2020-04-10",
        "demand.waves.0.regions.stokholm",
        ["unknown region 'stokholm'", "did you mean 'stockholm'?"],
    ),
    (
        "region-by-its-name",
        WAVE + '[demand.waves.regions."Jämtland Härjedalen"]\npeak_date = 2020-04-10',
        "demand.waves.0.regions.Jämtland Härjedalen",
        ["unknown region 'Jämtland Härjedalen'", "did you mean 'jamtland' (the code of that region)?"],
    ),
    ("negative-nursing-homes", "[world]\nnursing_homes = -5", "world.nursing_homes", ["greater than or equal to 1", "-5"]),
    ("negative-icu-beds", "[world]\nicu_beds_2019 = -1", "world.icu_beds_2019", ["greater than or equal to 0", "-1"]),
    ("probability-above-1", "[infection]\nsymptomatic_share = 1.5", "infection.symptomatic_share", ["less than or equal to 1", "1.5"]),
    ("probability-below-0", "[absence]\nother_share_region = -0.1", "absence.other_share_region", ["greater than or equal to 0"]),
    ("wrong-type-number", '[world]\nscale = "big"', "world.scale", ["valid number", "'big'"]),
    ("wrong-type-int", "[world]\nnursing_homes = 17.5", "world.nursing_homes", ["valid integer", "17.5"]),
    ("wrong-type-date", '[time]\nend = "june"', "time.end", ["valid date", "'june'"]),
    ("wrong-type-table", "world = 3", "world", ["valid dictionary", "3"]),
    ("scale-zero", "[world]\nscale = 0", "world.scale", ["greater than 0"]),
    (
        "region-mix-sum",
        "[workforce.region_mix]\nphysician = { acute_ward = 0.5, elective = 0.25, primary_care = 0.35 }",
        "workforce.region_mix.physician",
        ["shares of 'physician' sum to 1.1", "expected 1"],
    ),
    (
        "municipal-mix-sum",
        "[workforce.municipal_mix]\ncare_aide = { nursing_home = 0.5, home_care = 0.4 }",
        "workforce.municipal_mix.care_aide",
        ["sum to 0.9", "expected 1"],
    ),
    (
        "municipal-mix-unit-kind",
        "[workforce.municipal_mix]\ncare_aide = { nursing_home = 0.5, icu = 0.5 }",
        "workforce.municipal_mix.care_aide.icu",
        ["unknown unit kind 'icu'", "nursing_home", "home_care"],
    ),
    (
        "unknown-profession",
        "[workforce.region_mix]\nphysicain = { acute_ward = 1.0 }",
        "workforce.region_mix.physicain",
        ["unknown profession 'physicain'", "did you mean 'physician'?"],
    ),
    (
        "unknown-norm-profession",
        "[norms]\nicu = { icu_nurse = 24.0, icu_physican = 8.0 }",
        "norms.icu.icu_physican",
        ["did you mean 'icu_physician'?"],
    ),
    (
        "unknown-unit-kind",
        "[fatigue]\nintensity = { icuu = 1.0 }",
        "fatigue.intensity.icuu",
        ["unknown unit kind 'icuu'", "did you mean 'icu'?"],
    ),
    ("end-before-start", "[time]\nstart = 2020-05-01\nend = 2020-04-01", "time.end", ["end (2020-04-01) is before start (2020-05-01)"]),
    ("demand-source", '[demand]\nsource = "cvs"', "demand.source", ["'waves', 'csv' or 'admissions'", "'cvs'"]),
    ("csv-without-file", '[demand]\nsource = "csv"', "demand.csv", ["needs csv ="]),
    (
        "wave-missing-key",
        '[[demand.waves]]\nname = "w"\npeak_date = 2020-04-01\nrise_days = 10.0\nfall_days = 10.0',
        "demand.waves.0.peak_per_100k",
        ["required key is missing"],
    ),
    ("lever-window", "[levers.loans]\nnational_from = 2020-04-01", "levers.loans.national_until", ["go together"]),
    ("empty-name", 'name = ""', "name", ["folder name"]),
    ("name-with-slash", 'name = "../elsewhere"', "name", ["folder name"]),
]


@pytest.mark.parametrize(("body", "key", "fragments"), [c[1:] for c in BAD_FILE_CASES], ids=[c[0] for c in BAD_FILE_CASES])
def test_bad_value_in_child_names_child_file_and_key(tmp_path, body, key, fragments):
    path = write_child(tmp_path, body)
    error = load_error(path)
    assert error.source == str(path)
    assert error.key == key
    for fragment in fragments:
        assert fragment in error.message
    assert str(error) == f"{path}: {key}: {error.message}"
    assert "\n" not in str(error)


def test_error_in_parent_names_the_parent(tmp_path):
    parent = write_child(tmp_path, "[fatigue]\nrise_rat = 1", name="parent.toml")
    child = write_child(tmp_path, "[world]\nscale = 0.5", name="child.toml", extends="parent.toml")
    error = load_error(child)
    assert error.source == str(tmp_path / "parent.toml") == str(parent)
    assert error.key == "fatigue.rise_rat"


def test_bad_override_of_a_good_parent_value_names_the_child(tmp_path):
    # the parent (the shipped scenario) sets fatigue.threshold; the child breaks it
    path = write_child(tmp_path, "[fatigue]\nthreshold = -1")
    error = load_error(path)
    assert (error.source, error.key) == (str(path), "fatigue.threshold")


def test_missing_extends_file(tmp_path):
    path = write_child(tmp_path, "", extends="nope.toml")
    error = load_error(path)
    assert (error.source, error.key) == (str(path), "extends")
    assert "'nope.toml' not found" in error.message
    assert str(tmp_path) in error.message


def test_extends_must_be_a_string(tmp_path):
    path = tmp_path / "child.toml"
    path.write_text("extends = 3\n")
    error = load_error(path)
    assert (error.source, error.key) == (str(path), "extends")
    assert "expected a file name" in error.message


def test_circular_extends(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    error = load_error(tmp_path / "a.toml")
    assert error.key == "extends"
    assert Path(error.source).name == "a.toml"
    assert error.message == "circular: a.toml -> b.toml -> a.toml"


def test_extends_itself(tmp_path):
    path = tmp_path / "self.toml"
    path.write_text('extends = "self.toml"\n')
    error = load_error(path)
    assert error.key == "extends"
    assert "circular" in error.message


def test_invalid_toml(tmp_path):
    path = write_child(tmp_path, "[world\nscale = 1")
    error = load_error(path)
    assert error.source == str(path)
    assert error.message.startswith("not valid TOML")
    assert "line 2" in error.message


def test_invalid_toml_in_parent_names_the_parent(tmp_path):
    (tmp_path / "parent.toml").write_text("name = \n")
    child = write_child(tmp_path, "", extends="parent.toml")
    error = load_error(child)
    assert Path(error.source).name == "parent.toml"
    assert "not valid TOML" in error.message


def test_missing_scenario_file(tmp_path):
    error = load_error(tmp_path / "nope.toml")
    assert error.source == str(tmp_path / "nope.toml")
    assert error.message == "file not found"


# --------------------------------------------------------------------------- inheritance


def test_child_overrides_one_nested_value_and_keeps_the_rest(tmp_path):
    parent = load_scenario(BASE)
    child = load_scenario(write_child(tmp_path, "[fatigue]\nrise = 0.3"))
    assert child.fatigue.rise == 0.3
    assert parent.fatigue.rise != 0.3
    assert child.fatigue.model_dump(exclude={"rise"}) == parent.fatigue.model_dump(exclude={"rise"})
    assert child.fatigue.intensity == parent.fatigue.intensity
    # nested tables of the parent survive a child that overrides one entry of them
    child2 = load_scenario(write_child(tmp_path, "[fatigue.intensity]\nicu = 1.5", name="child2.toml"))
    assert child2.fatigue.intensity == {**parent.fatigue.intensity, "icu": 1.5}
    for section in ("time", "world", "workforce", "norms", "absence", "infection", "nursing_homes", "demand", "levers"):
        assert getattr(child, section) == getattr(parent, section), section


def test_child_wave_list_replaces_the_parents(tmp_path):
    child = load_scenario(write_child(tmp_path, WAVE))
    assert [w.name for w in child.demand.waves] == ["test wave"]
    assert child.demand.waves[0].regions == {}


def test_name_is_not_inherited(tmp_path):
    # a child's results must not go to the parent's folder
    assert load_scenario(write_child(tmp_path, "", name="my_variant.toml")).name == "my_variant"
    assert load_scenario(write_child(tmp_path, 'name = "explicit"', name="other.toml")).name == "explicit"
    assert load_scenario(BASE).name == "sweden_spring2020"


def test_extends_is_relative_to_the_file_not_the_cwd(tmp_path, monkeypatch):
    shutil.copy(BASE, tmp_path / "base.toml")
    (tmp_path / "variants").mkdir()
    child = write_child(tmp_path / "variants", "[world]\nscale = 0.5", extends="../base.toml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    scenario = load_scenario(child)
    assert scenario.world.scale == 0.5
    assert scenario.time == load_scenario(BASE).time


def test_three_level_chain_nearest_wins(tmp_path):
    write_child(tmp_path, "[world]\nscale = 0.5\nnursing_homes = 100", name="mid.toml")
    leaf = write_child(tmp_path, "[world]\nscale = 0.25", name="leaf.toml", extends="mid.toml")
    scenario = load_scenario(leaf)
    assert (scenario.world.scale, scenario.world.nursing_homes) == (0.25, 100)
    assert scenario.world.icu_beds_2019 == load_scenario(BASE).world.icu_beds_2019


def test_shipped_scenarios_load():
    base = load_scenario(BASE)
    no_action = load_scenario(NO_ACTION)
    assert base.name == "sweden_spring2020"
    assert no_action.name == "no_action"
    assert base.time.start == dt.date(2020, 3, 1) and base.time.end == dt.date(2020, 6, 30)
    assert base.time.n_days == 122
    assert no_action.levers.enabled() == ["vacation"]  # vacations are kept as in any year
    assert "crisis_agreement" in base.levers.enabled()
    assert no_action.time == base.time and no_action.demand == base.demand
    assert no_action.digest() != base.digest()
    assert base.demand.source == "admissions" and "bed_expansion" in base.levers.enabled()
    second = load_scenario(SECOND_WAVE)
    assert second.demand.source == "waves" and "stockholm" in second.demand.waves[0].regions


# --------------------------------------------------------------------------- --set and overrides


def test_set_values_parse_toml_values():
    scenario = load_scenario(
        BASE,
        set_values=[
            "world.scale=0.1",
            "time.end=2020-04-01",
            "name=hello world",
            'description="quoted text"',
            "world.nursing_homes = 1000",
            "levers.loans.enabled=false",
        ],
    )
    assert scenario.world.scale == 0.1 and isinstance(scenario.world.scale, float)
    assert scenario.time.end == dt.date(2020, 4, 1)
    assert scenario.name == "hello world"
    assert scenario.description == "quoted text"
    assert scenario.world.nursing_homes == 1000
    assert scenario.time.n_days == 32


def test_set_overrides_a_child_file(tmp_path):
    path = write_child(tmp_path, "[world]\nscale = 0.5")
    assert load_scenario(path, set_values=["world.scale=0.2"]).world.scale == 0.2


def test_set_indexes_the_wave_list():
    scenario = load_scenario(
        SECOND_WAVE, set_values=["demand.waves.0.peak_per_100k=5.5", "demand.waves.0.regions.stockholm.peak_patients=100"]
    )
    assert scenario.demand.waves[0].peak_per_100k == 5.5
    assert scenario.demand.waves[0].regions["stockholm"].peak_patients == 100


def test_keyword_overrides():
    scenario = load_scenario(BASE, world__scale=0.1, **{"time.end": "2020-04-01"})
    assert (scenario.world.scale, scenario.time.end) == (0.1, dt.date(2020, 4, 1))
    again = scenario.with_overrides(world__scale=0.2)
    assert again.world.scale == 0.2 and again.time.end == dt.date(2020, 4, 1)


def test_bad_keyword_override_names_override():
    error = load_error(BASE, world__scale=2.0)
    assert (error.source, error.key) == ("override", "world.scale")
    assert "less than or equal to 1" in error.message


@pytest.mark.parametrize(
    ("item", "key", "fragment"),
    [
        ("world.scale", "world.scale", "expected KEY=VALUE"),
        ("=3", "=3", "empty key"),
        ("a..b=1", "a..b", "empty part"),
        ("world.=1", "world.", "empty part"),
        ("world.scale.x=1", "world.scale", "is a value, not a table"),
        ("name.x=1", "name", "is a value, not a table"),
        ("demand.waves.5.rise_days=1", "demand.waves.5", "expected an index 0..1"),
        ("demand.waves.first.rise_days=1", "demand.waves.first", "expected an index"),
        ("world.scale=big", "world.scale", "valid number"),
        ("world.scale=1.5", "world.scale", "less than or equal to 1"),
        ("time.end=2020-02-01", "time.end", "before start"),
        ("foo.bar=1", "foo", "unknown key"),
        ("world.scal=0.5", "world.scal", "did you mean 'scale'?"),
        ("levers.loans.start_level=panic", "levers.loans.start_level", "staffing_alert"),
        ("world.scale=0.5\nname = 'x'", "world.scale", "valid number"),  # no TOML smuggled in through a value
    ],
)
def test_bad_set_names_set_and_key(item, key, fragment):
    error = load_error(SECOND_WAVE, set_values=[item])
    assert error.source == "--set"
    assert error.key == key
    assert fragment in error.message


def test_digest_stable_and_sensitive():
    a = load_scenario(BASE)
    assert a.digest() == load_scenario(BASE).digest()
    assert len(a.digest()) == 64
    assert load_scenario(BASE, set_values=["world.scale=1.0"]).digest() == a.digest()  # same value, same digest
    assert load_scenario(BASE, set_values=["world.scale=0.5"]).digest() != a.digest()
    assert load_scenario(BASE, set_values=["fatigue.intensity.icu=1.11"]).digest() != a.digest()
    assert a.with_overrides(**{"time.end": "2020-06-29"}).digest() != a.digest()


# --------------------------------------------------------------------------- properties

identifier = st.from_regex(r"[a-z_][a-z0-9_]{0,11}", fullmatch=True)
SECTIONS = [
    name
    for name, field in Scenario.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, sim.scenario._Section)
]
fast = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@fast
@given(parts=st.lists(identifier, min_size=1, max_size=4), value=st.one_of(st.integers(), st.text(max_size=20)))
def test_set_of_unknown_dotted_key_is_a_scenario_error(parts, value):
    assume(parts[0] not in Scenario.model_fields)
    item = f"{'.'.join(parts)}={value}"
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE, set_values=[item])
    assert info.value.source == "--set"
    assert info.value.key == parts[0]
    assert "unknown key" in info.value.message


@fast
@given(section=st.sampled_from(SECTIONS), parts=st.lists(identifier, min_size=1, max_size=3), value=st.integers())
def test_set_of_unknown_key_in_a_section_is_a_scenario_error(section, parts, value):
    fields = Scenario.model_fields[section].annotation.model_fields
    assume(parts[0] not in fields)
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE, set_values=[f"{section}.{'.'.join(parts)}={value}"])
    assert info.value.source == "--set"
    assert info.value.key == f"{section}.{parts[0]}"


@fast
@given(x=st.floats(allow_nan=True, allow_infinity=True))
def test_probability_accepts_exactly_unit_interval(x):
    inside = 0.0 <= x <= 1.0
    for kwargs in ({"infection.symptomatic_share": x}, {"set_values": [f"infection.symptomatic_share={x!r}"]}):
        try:
            scenario = load_scenario(BASE, **kwargs)
        except ScenarioError as error:
            assert not inside, (x, error)
            assert error.key == "infection.symptomatic_share"
        else:
            assert inside, x
            assert scenario.infection.symptomatic_share == x


@fast
@given(x=st.floats(min_value=0.0, max_value=1.0) | st.floats(min_value=1.0, exclude_min=True) | st.floats(max_value=0.0, exclude_max=True))
def test_probability_bounds_by_range(x):
    try:
        load_scenario(BASE, set_values=[f"nursing_homes.hourly_other_home_share={x!r}"])
        accepted = True
    except ScenarioError:
        accepted = False
    assert accepted == (0.0 <= x <= 1.0)


@fast
@given(n=st.integers(min_value=-(10**6), max_value=10**6))
def test_staff_and_bed_counts_accept_exactly_non_negative_up_to_the_bound(n):
    try:
        load_scenario(BASE, set_values=[f"world.icu_beds_2019={n}"])
        accepted = True
    except ScenarioError as error:
        assert (error.source, error.key) == ("--set", "world.icu_beds_2019")
        accepted = False
    assert accepted == (0 <= n <= MAX_ICU_BEDS)


# --------------------------------------------------------------------------- demand CSV

CSV_HEADER = "date,region,kind,patients\n"
CSV_CHILD = '[time]\nend = 2020-03-20\n[demand]\nsource = "csv"\ncsv = "curves.csv"\n'
START = dt.date(2020, 3, 1)


def csv_scenario(directory: Path, text: str) -> Path:
    (directory / "curves.csv").write_text(text, encoding="utf-8")
    return write_child(directory, CSV_CHILD)


def test_csv_path_is_relative_to_the_file_that_names_it(tmp_path, monkeypatch):
    path = csv_scenario(tmp_path, CSV_HEADER + "2020-03-01,stockholm,covid_icu,1\n")
    (tmp_path / "sub").mkdir()
    grandchild = write_child(tmp_path / "sub", "", extends="../child.toml")
    monkeypatch.chdir(tmp_path / "sub")
    for p in (path, grandchild):
        assert Path(load_scenario(p).demand.csv) == (tmp_path / "curves.csv").resolve()


def test_digest_covers_csv_contents(tmp_path):
    path = csv_scenario(tmp_path, CSV_HEADER + "2020-03-01,stockholm,covid_icu,1\n")
    before = load_scenario(path).digest()
    assert load_scenario(path).digest() == before
    (tmp_path / "curves.csv").write_text(CSV_HEADER + "2020-03-01,stockholm,covid_icu,2\n")
    assert load_scenario(path).digest() != before


BAD_CSV_CASES = [
    # id, CSV text, key, message fragments
    ("missing-column", "date,region,patients\n2020-03-01,stockholm,1\n", "demand.csv", ["missing column(s) kind"]),
    (
        "bad-date",
        CSV_HEADER + "2020-03-01,stockholm,covid_icu,1\n2020-03-1x,stockholm,covid_icu,2\n",
        "row 3, column date",
        ["YYYY-MM-DD", "'2020-03-1x'"],
    ),
    ("empty-date", CSV_HEADER + ",stockholm,covid_icu,1\n", "row 2, column date", ["YYYY-MM-DD"]),
    ("negative-patients", CSV_HEADER + "2020-03-01,stockholm,covid_icu,-3\n", "row 2, column patients", ["number >= 0", "'-3'"]),
    ("non-numeric-patients", CSV_HEADER + "2020-03-01,stockholm,covid_icu,many\n", "row 2, column patients", ["number >= 0", "'many'"]),
    ("infinite-patients", CSV_HEADER + "2020-03-01,stockholm,covid_icu,inf\n", "row 2, column patients", ["number >= 0"]),
    (
        "unknown-region",
        CSV_HEADER + "2020-03-01,stokholm,covid_icu,1\n",
        "row 2, column region",
        ["unknown region 'stokholm'", "did you mean 'stockholm'?"],
    ),
    (
        "empty-region",
        CSV_HEADER + "2020-03-01,stockholm,covid_icu,1\n2020-03-02,,covid_icu,1\n2020-03-03,x,covid_icu,1\n",
        "row 3, column region",
        ["unknown region ''"],
    ),
    (
        "unknown-kind",
        CSV_HEADER + "2020-03-01,stockholm,covid_icu,1\n2020-03-01,stockholm,icu,1\n",
        "row 3, column kind",
        ["unknown kind 'icu'"],
    ),
    ("no-icu-rows", CSV_HEADER + "2020-03-01,stockholm,covid_ward,1\n", "column kind", ["no covid_icu rows"]),
    ("extra-field", CSV_HEADER + "2020-03-01,stockholm,covid_icu,1,7\n", "row 2", ["expected 4 fields", "got 5"]),
    ("duplicate-row", CSV_HEADER + "2020-03-01,stockholm,covid_icu,1\n2020-03-01,stockholm,covid_icu,5\n", "row 3", ["duplicate of row 2"]),
    ("empty-file", "", "demand.csv", ["empty"]),
    ("not-utf8", None, "demand.csv", ["not UTF-8"]),
    # row numbers are lines of the file, counting comments and blank lines
    (
        "row-after-comments",
        "# source: test\n\n" + CSV_HEADER + "# note\n2020-03-01,stockholm,covid_icu,1\n\n2020-03-05,stockholm,covid_icu,x\n",
        "row 7, column patients",
        ["'x'"],
    ),
]


@pytest.mark.parametrize(("text", "key", "fragments"), [c[1:] for c in BAD_CSV_CASES], ids=[c[0] for c in BAD_CSV_CASES])
def test_malformed_csv(tmp_path, text, key, fragments):
    path = tmp_path / "curves.csv"
    if text is None:
        path.write_bytes(b"\xff\xfe\x00date,region\n")
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_curves(path, CODES, START, 20)
    assert info.value.source == str(path)
    assert info.value.key == key
    for fragment in fragments:
        assert fragment in info.value.message
    assert "\n" not in str(info.value)


def test_csv_regions_by_their_swedish_names_in_any_case(tmp_path):
    """A planner's CSV may name regions as Swedes write them: "Jämtland Härjedalen", "Region Stockholm", "VASTRA GOTALAND"."""
    by_code = tmp_path / "codes.csv"
    by_name = tmp_path / "names.csv"
    rows = [("jamtland", "Jämtland Härjedalen", 3), ("stockholm", "Region Stockholm", 40), ("vastra_gotaland", "VASTRA GOTALAND", 12)]
    by_code.write_text(
        CSV_HEADER + "".join(f"2020-03-01,{c},covid_icu,{n}\n2020-03-25,{c},covid_icu,{n}\n" for c, _, n in rows), encoding="utf-8"
    )
    by_name.write_text(
        CSV_HEADER + "".join(f"2020-03-01,{m},covid_icu,{n}\n2020-03-25,{m},covid_icu,{n}\n" for _, m, n in rows), encoding="utf-8"
    )
    expected, got = read_curves(by_code, CODES, START, 20), read_curves(by_name, CODES, START, 20)
    np.testing.assert_array_equal(got[0], expected[0])
    assert got[0][:, CODES.index("jamtland")].max() == 3


def test_missing_csv_file_fails_when_the_model_is_built(tmp_path):
    path = write_child(tmp_path, CSV_CHILD)  # curves.csv not written
    scenario = load_scenario(path)  # the schema only needs a path
    with pytest.raises(ScenarioError) as info:
        sim.MobilisationModel(scenario=scenario, seed=1, world__scale=0.02)
    assert info.value.source == str((tmp_path / "curves.csv").resolve())
    assert info.value.key == "demand.csv"
    assert info.value.message == "file not found"


def test_malformed_csv_fails_when_the_model_is_built(tmp_path):
    path = csv_scenario(tmp_path, CSV_HEADER + "2020-03-01,stockholm,covid_icu,-1\n")
    with pytest.raises(ScenarioError) as info:
        sim.MobilisationModel(scenario=path, seed=1, world__scale=0.02)
    assert Path(info.value.source).name == "curves.csv"
    assert info.value.key == "row 2, column patients"


def test_valid_csv_drives_the_model(tmp_path):
    text = (
        "# a small test curve\n"
        + CSV_HEADER
        + "2020-03-11, stockholm, covid_icu, 100\n"  # out of order and with spaces on purpose
        + "2020-03-01,stockholm,covid_icu,0\n"
        + "2020-03-16,stockholm,covid_icu,40\n"
        + "2020-03-05,skane,covid_icu,20\n"
        + "2020-03-01,stockholm,covid_ward,10\n"
        + "2020-03-21,stockholm,covid_ward,50\n"
    )
    path = csv_scenario(tmp_path, text)
    model = sim.MobilisationModel(scenario=path, seed=1, world__scale=0.02)
    for _ in range(3):
        model.step()
    codes = list(model.world.regions["code"])
    n = model.n_days
    assert n == 20
    icu = model.demand.covid_icu
    assert icu.shape == (n, len(codes))
    days = np.arange(n)
    expected_sthlm = np.interp(days, [0, 10, 15], [0.0, 100.0, 40.0])
    np.testing.assert_allclose(icu[:, codes.index("stockholm")], expected_sthlm)
    assert icu[10, codes.index("stockholm")] == 100.0 and icu[5, codes.index("stockholm")] == 50.0
    np.testing.assert_allclose(icu[:, codes.index("skane")], 20.0)  # one point: held at both ends
    others = [i for i, c in enumerate(codes) if c not in ("stockholm", "skane")]
    assert np.all(icu[:, others] == 0.0)
    np.testing.assert_allclose(model.demand.covid_ward[:, codes.index("stockholm")], np.interp(days, [0, 20], [10.0, 50.0]))
    # the model uses the curve at its scale: day index 2 was the last step
    np.testing.assert_allclose(model.covid_icu_today, icu[2] * 0.02)


def test_csv_ward_curve_for_some_regions_only_falls_back_to_icu_ratio(tmp_path, scenario_path):
    """Regions without covid_ward rows get covid_ward_per_icu × their ICU curve."""
    (tmp_path / "curves.csv").write_text(
        "date,region,kind,patients\n"
        "2020-03-01,stockholm,covid_icu,10\n2020-03-05,stockholm,covid_icu,20\n"
        "2020-03-01,stockholm,covid_ward,7\n2020-03-05,stockholm,covid_ward,7\n"
        "2020-03-01,uppsala,covid_icu,2\n2020-03-05,uppsala,covid_icu,4\n"
    )
    path = tmp_path / "s.toml"
    path.write_text(
        f'extends = "{scenario_path}"\ntime.end = 2020-03-05\n[demand]\nsource = "csv"\ncsv = "curves.csv"\ncovid_ward_per_icu = 3.0\n'
    )
    model = sim.MobilisationModel(scenario=path, seed=1, world__scale=0.02)
    codes = list(model.world.regions["code"])
    st, up, go = codes.index("stockholm"), codes.index("uppsala"), codes.index("gotland")
    assert np.allclose(model.demand.covid_ward[:, st], 7.0)
    assert np.allclose(model.demand.covid_ward[:, up], 3.0 * model.demand.covid_icu[:, up])
    assert np.allclose(model.demand.covid_ward[:, go], 0.0)
