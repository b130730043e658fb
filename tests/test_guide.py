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
