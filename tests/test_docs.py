"""The documents' code blocks run as tests (conftest.py at the top, with Sybil); here: what is skipped, and why.

Every fenced block of README.md and docs/guide.md in a language the harness runs is a test of its own (pytest
collects the two documents: ``testpaths`` in pyproject.toml). A block is left out only behind a visible
``<!-- skip: next "reason" -->``; a long one runs in ``make test-docs`` only, behind
``<!-- skip: next if(quick, "reason") -->``. The lists below are exact, so that neither set grows unnoticed:
a new block runs in ``make test`` unless it is added here with its reason.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("docs_harness", ROOT / "conftest.py")
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

#: Blocks that never run in a test: (document, reason).
NEVER = [
    ("README.md", "make targets: they install the environment and run the whole test suite (minutes)"),
    ("README.md", "a Dask cluster on other machines (tests/test_sweep_dask.py starts a scheduler and workers here)"),
    ("README.md", "a benchmark: five strategies, 5 replications, a year at full scale (tens of minutes)"),
    ("README.md", "starts the dashboard server (tests/test_dashboard.py tests it)"),
    ("docs/guide.md", "clones the repository and installs the environment"),
    ("docs/guide.md", "install commands and the whole test suite (minutes)"),
    ("docs/guide.md", "a Dask cluster on other machines (tests/test_sweep_dask.py starts a scheduler and workers here)"),
    ("docs/guide.md", "starts the dashboard server (tests/test_dashboard.py tests it)"),
    ("docs/guide.md", "make targets: calibration (≈5 min) and validation (≈2 min)"),
]
#: Blocks that only ``make test-docs`` runs (full-scale runs, many replications, and the blocks that read their results).
LONG = [
    ("README.md", "full-scale runs: make test-docs runs them"),
    ("README.md", "20 replications of two strategies at full scale: make test-docs"),
    ("README.md", "two sweeps, one of them a Sobol design: make test-docs"),
    ("README.md", "10 replications of two strategies at full scale, a report: make test-docs"),
    ("README.md", "nine strategies, 10 replications at full scale: make test-docs"),
    ("README.md", "four strategies, 10 replications of six years at full scale: make test-docs"),
    ("docs/guide.md", "full-scale runs: make test-docs runs them"),
    ("docs/guide.md", "three years at 10 % scale: make test-docs"),
    ("docs/guide.md", "3 strategies, 10 replications at full scale: make test-docs"),
    ("docs/guide.md", "full-scale runs with their runs without COVID demand: make test-docs"),
    ("docs/guide.md", "4 strategies, 5 replications at full scale: make test-docs"),
    ("docs/guide.md", "three sweeps, one on a local Dask cluster: make test-docs"),
    ("docs/guide.md", "reads the full-scale run above: make test-docs"),
    ("docs/guide.md", "full-scale runs, 10 replications, reports: make test-docs"),
    ("docs/guide.md", "reads the comparison above: make test-docs"),
    ("docs/guide.md", "both waves, 4 replications at full scale: make test-docs"),
    ("docs/guide.md", "15 runs at a quarter of full scale: make test-docs"),
    ("docs/guide.md", "a sweep of 32 runs: make test-docs"),
    ("docs/guide.md", "reads the sweep above: make test-docs"),
    ("docs/guide.md", "two runs of 2020 at 10 % scale: make test-docs"),
    ("docs/guide.md", "five strategies of six years at a quarter scale: make test-docs"),
]
#: The languages the harness runs or writes (conftest.py); ``text`` and unlabelled blocks are output shown to the reader.
LANGUAGES = {"python", "sh", "bash", "console", "toml"}

SKIP = re.compile(r"<!-- skip: next (?:if\(quick, )?\"(?P<reason>[^\"]+)\"\)? -->")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<language>[^\s`]*)[ \t]*$", re.M)


def _skips(document: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    text = (ROOT / document).read_text(encoding="utf-8")
    never, long = [], []
    for match in re.finditer(r"<!-- skip: next (.*?) -->", text):
        found = SKIP.fullmatch(match.group(0))
        assert found, (
            f"{document}: a skip marker the tests do not know: {match.group(0)} (use 'next \"reason\"' or 'next if(quick, \"reason\")')"
        )
        (long if "if(quick" in match.group(0) else never).append((document, found.group("reason")))
    return never, long


def _blocks(document: str) -> list[tuple[int, str, str]]:
    """(line, language, body) of every fenced block."""
    text = (ROOT / document).read_text(encoding="utf-8")
    lines, blocks, i = text.splitlines(), [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening:
            start, body = i, []
            i += 1
            while i < len(lines) and not re.match(r"^[ \t]*```[ \t]*$", lines[i]):
                body.append(lines[i])
                i += 1
            blocks.append((start + 1, opening.group("language"), "\n".join(body)))
        i += 1
    return blocks


def test_the_skipped_blocks_are_exactly_these():
    never, long = [], []
    for document in harness.DOCUMENTS:
        n, lg = _skips(document)
        never += n
        long += lg
    assert never == NEVER, "a block that never runs was added or removed: update NEVER (and say why in the document)"
    assert long == LONG, "a block that only make test-docs runs was added or removed: update LONG"


@pytest.mark.parametrize("document", ["README.md", "docs/guide.md"])
def test_every_code_block_is_in_a_language_the_harness_runs(document):
    for line, language, body in _blocks(document):
        where = f"{document}:{line}"
        if language:
            assert language in LANGUAGES, f"{where}: ```{language} blocks are not run by conftest.py"
        else:  # output shown to the reader; a transcript with commands is a console block, which runs
            assert not body.lstrip().startswith("$ "), f"{where}: a transcript of commands: label it ```console so that it runs"


def test_both_documents_are_collected():
    assert harness.DOCUMENTS == ("README.md", "docs/guide.md")
    testpaths = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'testpaths = ["tests", "README.md", "docs/guide.md"]' in testpaths


def test_a_transcript_matches_its_output_numbers_aside():
    shape = harness._shape
    assert shape("32 runs in 10.2 s; results in results/x/") == shape("32 runs in 9.87 s; results in results/x/")
    assert shape("valid scenario 'a', 122 days, sha256 9f23b9dd8f5f") == shape("valid scenario 'a', 61 days, sha256 0a1b2c3d4e5f")
    assert shape("unknown key; did you mean 'scale'?") != shape("unknown key; did you mean 'seed'?")
