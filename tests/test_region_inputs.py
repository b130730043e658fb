"""A planner's own data in (issue #15, item 1a): forecasts as Swedish Excel writes them, xlsx, the region profile
(``world.region_profile``) and ``mobsim template``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import one_error_line
from openpyxl import Workbook

import sim
from sim.categories import PROFESSIONS
from sim.cli import main
from sim.data import read_region_profile, region_codes
from sim.demand import read_curves
from sim.errors import OptionError, ScenarioError
from sim.sweep import load_experiment
from sim.templates import is_template, write_template
from sim.world import build_world

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "sweden_spring2020.toml"
CODES = region_codes()
START = dt.date(2020, 3, 1)
SMALL = {"world.scale": 0.05, "time.end": "2020-04-30"}

# a forecast with Swedish names, fractions and a ward curve: what a planner's spreadsheet holds
FORECAST = pd.DataFrame(
    {
        "date": ["2020-03-01", "2020-03-15", "2020-03-31"] * 3,
        "region": ["Jämtland Härjedalen"] * 3 + ["Västra Götaland"] * 3 + ["Region Stockholm"] * 3,
        "kind": ["covid_icu"] * 9,
        "patients": [0.5, 3.25, 7.0, 1.0, 12.5, 30.0, 2.0, 40.75, 120.0],
    }
)


def _expected() -> np.ndarray:
    out = np.zeros((31, len(CODES)))
    for code, (a, b, c) in (("jamtland", (0.5, 3.25, 7.0)), ("vastra_gotaland", (1.0, 12.5, 30.0)), ("stockholm", (2.0, 40.75, 120.0))):
        out[:, CODES.index(code)] = np.interp(np.arange(31), [0, 14, 30], [a, b, c])
    return out


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-8"])
def test_forecast_in_swedish_excel_conventions(tmp_path, encoding):
    """Semicolons, decimal comma, Windows-1252 or UTF-8 with a byte order mark: read as the same curves."""
    path = tmp_path / "prognos.csv"
    FORECAST.to_csv(path, sep=";", decimal=",", encoding=encoding, index=False)
    assert b"3,25" in path.read_bytes()
    if encoding == "cp1252":
        assert "Jämtland".encode("cp1252") in path.read_bytes()
    icu, ward = read_curves(path, CODES, START, 31)
    assert ward is None
    np.testing.assert_allclose(icu, _expected())


def test_forecast_tab_separated_with_excel_padding_and_comments(tmp_path):
    """Tabs, a comment Excel padded with separators, spaces as thousands separators and a time of midnight."""
    lines = ["# prognos från regionen;;;", "date\tregion\tkind\tpatients\t", "2020-03-01 00:00\tStockholm\tcovid_icu\t1 000,5\t"]
    lines += ["2020-03-31\tstockholm\tcovid_icu\t2\u00a0000\t", ";;;"]
    path = tmp_path / "prognos.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    icu, _ = read_curves(path, CODES, START, 31)
    assert icu[0, CODES.index("stockholm")] == 1000.5
    assert icu[30, CODES.index("stockholm")] == 2000.0


def _workbook(path: Path, rows: list[list[object]], *, title: str = "Prognos", readme: bool = True) -> None:
    book = Workbook()
    first = book.active
    if readme:
        first.title = "Läs mig"
        first.append(["Kolumner: date, region, kind, patients"])
        data = book.create_sheet(title)
    else:
        first.title = title
        data = first
    for row in rows:
        data.append(row)
    book.save(path)


def _xlsx_rows() -> list[list[object]]:
    rows: list[list[object]] = [["# prognos, heltal"], ["date", "region", "kind", "patients"]]
    for i, r in FORECAST.iterrows():
        day = dt.datetime.fromisoformat(r["date"])
        serial = (day.date() - dt.date(1899, 12, 30)).days  # a date cell formatted as a number reads as the date
        rows.append([serial if i == 4 else day, r["region"], r["kind"], r["patients"]])
    return rows


def test_forecast_xlsx_first_data_sheet_or_a_named_one(tmp_path):
    path = tmp_path / "prognos.xlsx"
    _workbook(path, _xlsx_rows())
    np.testing.assert_allclose(read_curves(path, CODES, START, 31)[0], _expected())
    np.testing.assert_allclose(read_curves(path, CODES, START, 31, sheet="Prognos")[0], _expected())
    with pytest.raises(ScenarioError) as info:
        read_curves(path, CODES, START, 31, sheet="Blad1")
    assert "no sheet 'Blad1'" in info.value.message and "'Prognos'" in info.value.message


def test_forecast_xlsx_through_a_scenario_with_its_sheet(tmp_path):
    path = tmp_path / "prognos.xlsx"
    _workbook(path, _xlsx_rows(), title="Vecka 12")
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{BASELINE}"\n[demand]\nsource = "csv"\ncsv = "prognos.xlsx"\nsheet = "Vecka 12"\n')
    scenario = sim.load_scenario(child, **{"time.end": "2020-03-31", "world.scale": 0.05})
    assert scenario.demand.sheet == "Vecka 12"
    model = sim.MobilisationModel(scenario=scenario, seed=0)
    np.testing.assert_allclose(model.demand.covid_icu[:, CODES.index("stockholm")], _expected()[:, CODES.index("stockholm")])
    assert main(["validate", str(child), "--set", "demand.sheet=Blad1"]) == 2


BAD_FORECASTS = [
    # id, bytes, key, fragments
    (
        "one-column",
        b"date|region|kind|patients\n2020-03-01|stockholm|covid_icu|1\n",
        "demand.csv",
        ["one column 'date|region|kind|patients'"],
    ),
    ("utf-16", "date,region\n".encode("utf-16"), "demand.csv", ["UTF-16", "save it as"]),
    ("xlsx-named-csv", b"PK\x03\x04rest", "demand.csv", ["Excel workbook", ".xlsx"]),
    ("decimal-comma-typo", b"date;region;kind;patients\n2020-03-01;stockholm;covid_icu;1,2,3\n", "row 2, column patients", ["'1,2,3'"]),
    (
        "day-first-date",
        b"date;region;kind;patients\n01/03/2020;stockholm;covid_icu;1\n",
        "row 2, column date",
        ["YYYY-MM-DD", "yyyy-mm-dd"],
    ),
    (
        "comma-in-comma-file",
        b'date,region,kind,patients\n2020-03-01,stockholm,covid_icu,"1,5"\n',
        "row 2, column patients",
        ["decimal comma"],
    ),
    (
        "swedish-name-typo",
        "date;region;kind;patients\n2020-03-01;Jämtland Härjedaln;covid_icu;1\n".encode("cp1252"),
        "row 2, column region",
        ["unknown region"],
    ),
]


@pytest.mark.parametrize(("raw", "key", "fragments"), [c[1:] for c in BAD_FORECASTS], ids=[c[0] for c in BAD_FORECASTS])
def test_bad_forecasts_are_refused_saying_what_was_seen(tmp_path, raw, key, fragments):
    path = tmp_path / "prognos.csv"
    path.write_bytes(raw)
    with pytest.raises(ScenarioError) as info:
        read_curves(path, CODES, START, 31)
    assert (info.value.source, info.value.key) == (str(path), key)
    for fragment in fragments:
        assert fragment in info.value.message, info.value.message


def test_bad_xlsx_forecasts(tmp_path):
    old = tmp_path / "prognos.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ScenarioError, match=r"save it as Excel workbook \(\.xlsx\)"):
        read_curves(old, CODES, START, 31)
    path = tmp_path / "prognos.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(ScenarioError, match="not a readable Excel workbook"):
        read_curves(path, CODES, START, 31)
    rows = _xlsx_rows()
    rows[3] = [*rows[3], None, "stray"]
    _workbook(path, rows)
    with pytest.raises(ScenarioError) as info:
        read_curves(path, CODES, START, 31)
    assert info.value.key == "sheet 'Prognos', row 4" and "'stray'" in info.value.message
    _workbook(path, [["datum", "region", "typ", "patienter"]])
    with pytest.raises(ScenarioError) as info:
        read_curves(path, CODES, START, 31)
    assert "missing column(s) date, kind, patients" in info.value.message and "sheet 'Prognos'" in info.value.message
    rows = _xlsx_rows()
    rows[2][3] = -1
    _workbook(path, rows, readme=False)
    with pytest.raises(ScenarioError) as info:
        read_curves(path, CODES, START, 31)
    assert info.value.key == "sheet 'Prognos', row 3, column patients"


# --------------------------------------------------------------------------- region profile


def _profile(tmp_path: Path, text: str, name: str = "profil.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _count(world, profession: str, employer: int, region: str) -> int:
    staff, n = world.staff, world.staff.n_regular
    sel = (staff.profession[:n] == PROFESSIONS.index(profession)) & (staff.employer[:n] == employer)
    return int((sel & (staff.region[:n] == CODES.index(region))).sum())


@pytest.fixture(scope="module")
def small() -> sim.Scenario:
    return sim.load_scenario(BASELINE, **SMALL)


def test_profile_doubling_stockholms_icu_nurses(tmp_path, small):
    """More ICU nurses in Stockholm: the world has the profile's count (× scale, rounded), and Stockholm has fewer
    unsafe ICU patient-days under the same seed; other regions keep their built-in staff."""
    base_world = build_world(small)
    built_in = _count(base_world, "icu_nurse", 0, "stockholm")
    full = round(built_in / small.world.scale)  # ≈ the built-in full-scale figure
    path = _profile(tmp_path, f"region;item;value\nRegion Stockholm;staff.icu_nurse.region;{2 * full}\n")
    profiled = small.with_overrides(**{"world.region_profile": str(path)})
    world = build_world(profiled)
    assert _count(world, "icu_nurse", 0, "stockholm") == round(2 * full * small.world.scale) > built_in
    for code in CODES[1:]:
        assert _count(world, "icu_nurse", 0, code) == _count(base_world, "icu_nurse", 0, code)
    assert _count(world, "registered_nurse", 0, "stockholm") == _count(base_world, "registered_nurse", 0, "stockholm")

    def stockholm_unsafe(scenario: sim.Scenario) -> float:
        icu = sim.MobilisationModel(scenario=scenario, seed=0).run().daily.icu
        return float(icu.loc[icu["region"] == "stockholm", "unsafe_patients"].sum())

    before, after = stockholm_unsafe(small), stockholm_unsafe(profiled)
    assert before > 0 and after < before


def test_profile_xlsx_beds_homes_and_municipal_staff(tmp_path, small):
    """Every kind of item, from a workbook: staff of both employers, both bed figures, homes and residents."""
    path = tmp_path / "profil.xlsx"
    rows: list[list[object]] = [
        ["region", "item", "value", "källa"],
        ["Gotland", "staff.assistant_nurse.municipality", 1000, "kommunen"],
        ["gotland", "staff.care_aide.municipality", 400, None],
        ["Gotland", "nursing_homes", 20, None],
        ["Gotland", "nursing_home_residents", 800, None],
        ["Uppsala", "icu_beds_2019", 40, None],
        ["Uppsala", "icu_beds_surge", 80, None],
        ["Uppsala", "staff.physician.region", None, "vet inte: inbyggt"],
    ]
    _workbook(path, rows, title="Profil")
    profile = read_region_profile(path)
    assert len(profile) == 6 and ("uppsala", "staff.physician.region") not in profile
    world = build_world(small.with_overrides(**{"world.region_profile": str(path)}))
    base = build_world(small)
    scale = small.world.scale
    assert _count(world, "assistant_nurse", 1, "gotland") == round(1000 * scale)
    assert _count(world, "care_aide", 1, "gotland") == round(400 * scale)
    gotland = CODES.index("gotland")
    assert int((world.home_region == gotland).sum()) == round(20 * scale)
    assert int(world.home_residents[world.home_region == gotland].sum()) == round(800 * scale)
    uppsala = world.regions.set_index("code").loc["uppsala"]
    assert (uppsala["icu_beds_2019"], uppsala["icu_beds_surge"]) == (40, 80)
    np.testing.assert_array_equal(
        world.regions["icu_beds_2019"].drop(CODES.index("uppsala")), base.regions["icu_beds_2019"].drop(CODES.index("uppsala"))
    )
    assert _count(world, "physician", 0, "uppsala") == _count(base, "physician", 0, "uppsala")


BAD_PROFILES = [
    # id, text, key, fragments
    (
        "unknown-region",
        "region;item;value\nStokholm;icu_beds_2019;100\n",
        "row 2, column region",
        ["unknown region 'Stokholm'", "did you mean"],
    ),
    (
        "unknown-item",
        "region;item;value\nstockholm;icu_nurses;100\n",
        "row 2, column item",
        ["unknown item 'icu_nurses'", "staff.icu_nurse.region"],
    ),
    (
        "unknown-profession",
        "region;item;value\nstockholm;staff.midwife.region;5\n",
        "row 2, column item",
        ["expected one of", "staff.care_aide.municipality"],
    ),
    ("negative", "region;item;value\nstockholm;icu_beds_2019;-5\n", "row 2, column value", ["count >= 0", "'-5'"]),
    ("not-a-number", "region;item;value\nstockholm;icu_beds_2019;många\n", "row 2, column value", ["count >= 0", "'många'"]),
    ("too-many", "region;item;value\ngotland;staff.icu_nurse.region;1000000\n", "row 2, column value", ["60,124 inhabitants"]),
    ("no-homes", "region;item;value\ngotland;nursing_homes;0\n", "row 2, column value", ["at least 1 nursing home"]),
    ("duplicate", "region;item;value\ngotland;icu_beds_2019;5\nGotland;icu_beds_2019;6\n", "row 3", ["duplicate of row 2"]),
    ("missing-column", "region;item\ngotland;icu_beds_2019\n", "world.region_profile", ["missing column(s) value", "'region', 'item'"]),
]


@pytest.mark.parametrize(("text", "key", "fragments"), [c[1:] for c in BAD_PROFILES], ids=[c[0] for c in BAD_PROFILES])
def test_bad_profiles_are_refused(tmp_path, text, key, fragments):
    path = _profile(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        read_region_profile(path)
    assert (info.value.source, info.value.key) == (str(path), key)
    for fragment in fragments:
        assert fragment in info.value.message, info.value.message


def test_bad_profile_refused_by_validate_on_one_line(tmp_path, capsys):
    _profile(tmp_path, "region;item;value\nuppsala;icu_beds_2019;500\n")
    child = tmp_path / "child.toml"
    child.write_text(f'extends = "{BASELINE}"\n[world]\nregion_profile = "profil.csv"\n')
    assert main(["validate", str(child)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "profil.csv" in line and "icu_beds_surge" in line and "at least as many" in line
    assert main(["validate", str(child), "--set", f"world.region_profile={tmp_path / 'gone.csv'}"]) == 2
    assert "file not found" in one_error_line(capsys.readouterr().err)


def test_profile_path_relative_to_the_scenario_and_digest_by_contents(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    profile = _profile(folder, "region;item;value\ngotland;icu_beds_2019;5\n")
    child = folder / "child.toml"
    child.write_text(f'extends = "{BASELINE}"\n[world]\nregion_profile = "profil.csv"\n')
    scenario = sim.load_scenario(child)
    assert Path(scenario.world.region_profile) == profile.resolve()
    baseline = sim.load_scenario(BASELINE)
    # digests of scenarios without a profile (or an xlsx sheet) do not change with issue #15: sweep stores resume. Issue #16
    # changed the baseline itself (home care, the homes' competence and residents' deaths, the municipal measures, the ICU lever's table renamed icu_upskilling, beredskapslyftet):
    # before it the digest was e14a2e083b3f42db324e8956de817429867f17015986b6060d35181e89ca4373
    assert baseline.digest() == "700ee69c11197f8870eba787b00693f7e1205f438b05f73e8685affccd47c749"
    first = scenario.digest()
    assert first != baseline.digest()
    moved = tmp_path / "elsewhere.csv"
    moved.write_bytes(profile.read_bytes())
    assert scenario.with_overrides(**{"world.region_profile": str(moved)}).digest() == first  # contents, not the path
    profile.write_text("region;item;value\ngotland;icu_beds_2019;6\n")
    assert sim.load_scenario(child).digest() != first


# --------------------------------------------------------------------------- templates


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_profile_template_unchanged_gives_the_built_in_world(tmp_path, small, fmt):
    path = write_template("profile", tmp_path / f"region_profile.{fmt}")
    assert is_template(path)
    assert read_region_profile(path) == {}
    base = build_world(small)
    world = build_world(small.with_overrides(**{"world.region_profile": str(path)}))
    for name in ("profession", "employer", "region", "home", "contract", "priority"):
        np.testing.assert_array_equal(getattr(world.staff, name), getattr(base.staff, name))
    np.testing.assert_array_equal(world.home_residents, base.home_residents)
    pd.testing.assert_frame_equal(world.regions, base.regions)


def test_profile_template_lists_every_region_and_item_with_the_built_in_figures(tmp_path):
    path = write_template("profile", tmp_path / "region_profile.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf#")  # UTF-8 with a byte order mark, as Excel reads it
    table = pd.read_csv(path, sep=";", comment="#", encoding="utf-8-sig")
    assert list(table.columns) == ["region", "item", "value", "built_in", "description"]
    assert table["region"].nunique() == 21 and table["value"].isna().all()
    built = table.set_index(["region", "item"])["built_in"]
    assert built["Stockholm", "icu_beds_2019"] == round(526 * 90 / 516)
    assert built.xs("staff.care_aide.municipality", level="item").sum() == 30000  # the national count of staff.csv
    # a planner fills in one value in Excel and saves: only that one counts
    table.loc[(table["region"] == "Gotland") & (table["item"] == "icu_beds_2019"), "value"] = 7
    edited = tmp_path / "edited.csv"
    table.to_csv(edited, sep=";", decimal=",", encoding="cp1252", index=False)
    assert read_region_profile(edited) == {("gotland", "icu_beds_2019"): 7.0}


def test_forecast_templates_read_back_as_the_baselines_demand(tmp_path):
    scenario = sim.load_scenario(BASELINE)
    expected = None
    for fmt in ("csv", "xlsx"):
        path = write_template("forecast", tmp_path / f"forecast.{fmt}")
        icu, ward = read_curves(path, CODES, scenario.time.start, scenario.time.n_days)
        assert ward is None and icu.shape == (scenario.time.n_days, 21)
        assert icu[:, CODES.index("stockholm")].max() > 100  # spring 2020's Stockholm peak at full scale
        if expected is None:
            expected = icu
        else:
            np.testing.assert_allclose(icu, expected)


def test_scenario_and_experiment_templates_validate(tmp_path):
    scenario = write_template("scenario", tmp_path / "sub" / "my_scenario.toml")
    loaded = sim.load_scenario(scenario)
    assert loaded.name == "my_scenario"
    base = sim.load_scenario(BASELINE)
    assert loaded.with_overrides(name=base.name, description=base.description).digest() == base.digest()  # the baseline itself
    text = scenario.read_text()
    assert "[levers.crisis_agreement.regions.stockholm]" in text and "# region_profile" in text
    experiment = load_experiment(write_template("experiment", tmp_path / "my_experiment.toml"))
    assert set(experiment.scenarios) == {"baseline", "heavier_epidemic"}


def test_template_refuses_files_mobsim_did_not_write(tmp_path, capsys):
    mine = tmp_path / "region_profile.csv"
    mine.write_text("region;item;value\ngotland;icu_beds_2019;5\n")
    assert main(["template", "profile", "--out", str(mine)]) == 2
    assert "not an unchanged template written by mobsim" in one_error_line(capsys.readouterr().err)
    assert mine.read_text().startswith("region;item;value")
    written = tmp_path / "forecast.xlsx"
    assert main(["template", "forecast", "--out", str(written)]) == 0
    assert main(["template", "forecast", "--out", str(written)]) == 0  # its own, unchanged template: replaced
    scenario = tmp_path / "s.toml"
    assert main(["template", "scenario", "--out", str(scenario)]) == 0
    scenario.write_text(scenario.read_text().replace('name = "s"', 'name = "mine"'))
    assert not is_template(scenario)
    assert main(["template", "scenario", "--out", str(scenario)]) == 2
    capsys.readouterr()
    with pytest.raises(OptionError, match=r"ending in \.xlsx"):
        write_template("profile", tmp_path / "p.csv", "xlsx")
    with pytest.raises(OptionError, match="TOML"):
        write_template("scenario", tmp_path / "x.toml", "xlsx")
