"""The user guide and the ODD stay in step with the scenario schema."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import scenario_keys  # noqa: E402

from sim.scenario import Scenario  # noqa: E402

GUIDE = ROOT / "docs" / "guide.md"
ODD = ROOT / "docs" / "ODD.md"


def test_every_schema_key_is_explained_in_the_guide():
    text = GUIDE.read_text()
    keys = [row[0] for row in scenario_keys.rows()]
    assert len(keys) > 150
    missing = [k for k in keys if f"`{k}`" not in text]
    assert missing == []


def test_the_guide_key_table_is_current():
    text = GUIDE.read_text()
    assert scenario_keys.render(text) == text, "run .venv/bin/python tools/scenario_keys.py"


def test_every_key_row_has_a_meaning_and_a_unit_column():
    for key, kind, unit, default, _description, _ in scenario_keys.rows():
        assert kind and unit and default, key
    table = scenario_keys.table().splitlines()[2:]
    assert all(row.count(" | ") == 5 and not row.rstrip().endswith("|  |") for row in table)


def test_render_refuses_a_guide_without_markers():
    with pytest.raises(ValueError, match="markers"):
        scenario_keys.render("# guide without the table\n")


def test_the_guide_covers_what_users_do():
    text = GUIDE.read_text()
    for heading in (
        "## Installing",
        "## Running a scenario",
        "## Writing your own scenario",
        "## Comparing strategies",
        "## Sweeps, locally and on a Dask cluster",
        "## Reading the results",
        "## Making a report",
        "## Worked example: a planner",
        "## Worked example: a researcher",
    ):
        assert heading in text
    for command in ("dask scheduler", "dask worker", "--scheduler tcp://", "mobsim report", "mobsim dashboard", "make validate"):
        assert command in text


def test_every_parameter_section_of_the_schema_is_in_the_odd_parameter_table():
    odd = ODD.read_text()
    parameters = odd.split("## Parameters", 1)[1]
    for section in Scenario.model_fields:
        if section in ("name", "description"):
            continue
        assert f"| {section}." in parameters, section


def _block(marker: str) -> str:
    """The code block that follows ``<!-- test: marker -->`` in the guide."""
    text = GUIDE.read_text()
    after = text.split(f"<!-- test: {marker} -->", 1)[1]
    return after.split("```python\n", 1)[1].split("\n```", 1)[0]


def test_the_guides_custom_lever_runs_and_lowers_unsafe_icu_days(capsys, monkeypatch):
    """The guide's custom lever is under 40 lines, runs as written, and works (direction under common random numbers)."""
    code = _block("custom-lever")
    lever_lines = code.split("class LongerIcuWeeks", 1)[1].split("\n\n\nscenario", 1)[0]
    assert len(lever_lines.splitlines()) < 40
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "docs/guide.md#custom-lever", "exec"), namespace)
    base, longer = namespace["base"].summary.iloc[0], namespace["longer"].summary.iloc[0]
    assert longer["unsafe_icu_patient_days"] < base["unsafe_icu_patient_days"]
    assert "->" in capsys.readouterr().out


def test_a_custom_lever_named_in_a_scenario_file_runs(tmp_path, monkeypatch):
    """``[[levers.custom]]``: the class is imported when the scenario is validated and acts in the run."""
    import sim
    from sim.scenario import ScenarioError

    code = _block("custom-lever").split("\n\n\nscenario", 1)[0]
    (tmp_path / "my_levers.py").write_text(code + "\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = tmp_path / "custom.toml"
    body = f'extends = "{ROOT / "scenarios" / "no_action.toml"}"\n[world]\nscale = 0.05\n[time]\nend = 2020-05-15\n'
    path.write_text(body + '[[levers.custom]]\nlever = "my_levers:LongerIcuWeeks"\noptions = { weekly_hours = 45 }\n')
    model = sim.MobilisationModel(scenario=path, seed=1)
    assert [type(lv).__name__ for lv in model.levers][-1] == "LongerIcuWeeks"
    plain = sim.load_scenario(ROOT / "scenarios" / "no_action.toml", **{"world.scale": 0.05, "time.end": "2020-05-15"})
    assert model.config.digest() != plain.digest()  # a lever of one's own is an input: sweeps and manifests tell them apart
    assert type(model.levers[-2]).__name__ == "CohortWards"  # where crisis_agreement would act (off in no_action)
    path.write_text(body + '[[levers.custom]]\nlever = "my_levers:LongerIcuWeeks"\noptions = { weekly_hour = 45 }\n')
    with pytest.raises(ScenarioError, match=r"levers\.custom\.0\.options"):
        sim.load_scenario(path)
    path.write_text(body + '[[levers.custom]]\nlever = "no_such_module:Lever"\n')
    with pytest.raises(ScenarioError, match="cannot import module 'no_such_module'"):
        sim.load_scenario(path)


def test_a_lever_instance_serves_one_model():
    import sim
    from sim.levers import Lever, LeverError

    class Noop(Lever):
        name = "noop"

    lever = Noop()
    scenario = sim.load_scenario(ROOT / "scenarios" / "no_action.toml", **{"world.scale": 0.01, "time.end": "2020-03-05"})
    sim.MobilisationModel(scenario=scenario, seed=1, levers=[lever])
    with pytest.raises(LeverError, match="another model"):
        sim.MobilisationModel(scenario=scenario, seed=1, levers=[lever])
    misnamed = type("Late", (Lever,), {"name": "late", "after": "lons"})()  # 'after' names a lever that does not exist
    with pytest.raises(LeverError, match="names no built-in lever"):
        sim.MobilisationModel(scenario=scenario, seed=1, levers=[misnamed])


def _documented_scenarios() -> list[tuple[str, str]]:
    """Every TOML block of the README and the guide that is a scenario file (it extends another)."""
    import re

    blocks = []
    for name in ("README.md", "docs/guide.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        for body in re.findall(r"```toml\n(.*?)```", text, flags=re.S):
            if re.search(r"^extends\s*=", body, flags=re.M):
                blocks.append((name, body))
    return blocks


@pytest.mark.parametrize(("doc", "body"), _documented_scenarios())
def test_documented_scenario_files_are_valid(doc, body, tmp_path):
    """A scenario file the README or the guide shows loads as written (its `extends` is relative to scenarios/)."""
    import re

    assert body, doc
    text = re.sub(r'^extends\s*=\s*"([^"]+)"', lambda m: f'extends = "{(ROOT / "scenarios" / m.group(1)).as_posix()}"', body, flags=re.M)
    path = tmp_path / "documented.toml"
    path.write_text(text, encoding="utf-8")
    from sim.scenario import load_scenario

    scenario = load_scenario(path)
    assert scenario.name
