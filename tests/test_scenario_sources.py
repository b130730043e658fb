"""Every number in a shipped scenario carries its source; the schema has no hidden defaults."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"=\s*[-+]?(\d|\{[^}]*\d)")


def _unsourced_lines(path: Path) -> list[str]:
    """Lines that set a number without a comment on the line or above their table."""
    missing, table_has_comment, previous = [], False, ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            table_has_comment = previous.startswith("#")
        elif NUMBER.search(stripped.split("#", 1)[0]) and "#" not in stripped and not table_has_comment:
            missing.append(stripped)
        if stripped:
            previous = stripped
    return missing


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").rglob("*.toml")), ids=lambda p: p.name)
def test_every_number_in_a_scenario_has_a_source_comment(path):
    assert _unsourced_lines(path) == []


def test_the_check_finds_an_unsourced_number(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[fatigue]\nrise = 0.1   # assumption\nrecovery = 0.03\n")
    assert _unsourced_lines(path) == ["recovery = 0.03"]


def test_model_parameters_have_no_defaults(tmp_path):
    """A scenario that does not extend the baseline must give every parameter: no unsourced number sneaks in."""
    path = tmp_path / "bare.toml"
    text = Path(ROOT / "scenarios" / "sweden_spring2020.toml").read_text()
    path.write_text(re.sub(r"(?m)^rise = ", "# rise removed ", text, count=1))
    with pytest.raises(sim.ScenarioError) as err:
        sim.load_scenario(path)
    assert err.value.key == "fatigue.rise"
    assert "missing" in err.value.message
