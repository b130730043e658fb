"""Every code block of README.md and docs/guide.md runs as a test (issue #15 item 5: docs that cannot drift).

Sybil (https://sybil.readthedocs.io) finds the fenced blocks and runs them in document order, one pytest item
each; a document's blocks share one working folder (a temporary copy of ``scenarios/`` and ``experiments/``, with
``.venv`` pointing at the running interpreter's environment) and one Python namespace:

- ``python``: executed as written (Sybil's own parser), in the working folder.
- ``sh`` / ``bash``: run by ``bash -e -o pipefail`` in the working folder, with the environment's ``bin`` first on
  ``PATH`` (so ``mobsim`` and ``.venv/bin/mobsim`` are this checkout's) and ``PYTHONPATH`` at this checkout;
  a non-zero exit fails the block.
- ``console``: a transcript: each ``$ command`` runs as above and what it prints must match the lines shown
  under it, numbers aside (digits may differ, words may not; a full path into the working folder reads as the
  path from it); its exit status is not checked (a transcript may show an error).
- ``toml`` whose first line is ``# <path>`` naming a file the repository does not have: written to that path
  in the working folder, for the blocks after it (other TOML blocks are fragments; tests/test_guide.py loads
  the scenario files among them).

Blocks that cannot run in a test are preceded by ``<!-- skip: next "reason" -->`` (shown as skipped, with the
reason); blocks that take long (full-scale runs, many replications) by
``<!-- skip: next if(quick, "reason") -->``: skipped by ``make test``, run by ``make test-docs``
(``MOBSIM_DOCS=all``). tests/test_docs.py holds the exact lists of both, so neither can grow unnoticed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent
#: The documents whose blocks run (tests/test_docs.py checks the lists of skipped blocks in them).
DOCUMENTS = ("README.md", "docs/guide.md")
#: Folders of the repository the blocks use, copied into each document's working folder.
COPIED = ("scenarios", "experiments")
TIMEOUT_S = 900


def quick() -> bool:
    """Whether the long blocks are skipped (``make test``); ``MOBSIM_DOCS=all`` runs them (``make test-docs``)."""
    return os.environ.get("MOBSIM_DOCS", "") != "all"


def _setup(namespace: dict[str, Any]) -> None:
    work = Path(tempfile.mkdtemp(prefix="mobsim-docs-"))
    for name in COPIED:
        shutil.copytree(ROOT / name, work / name)
    (work / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    namespace.update(workdir=work, cwd_before=Path.cwd(), quick=quick())
    os.chdir(work)


def _teardown(namespace: dict[str, Any]) -> None:
    os.chdir(namespace["cwd_before"])
    shutil.rmtree(namespace["workdir"], ignore_errors=True)


def _environment() -> dict[str, str]:
    bin_dir = Path(sys.prefix) / "bin"
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        "COLUMNS": "120",  # the terminal tables' width, as in the documents' transcripts
        "MPLBACKEND": "Agg",
    }


def _bash(command: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", command],
        cwd=workdir,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def run_shell(example: Example) -> str | None:
    """An ``sh`` or ``bash`` block: its commands must succeed."""
    done = _bash(str(example.parsed), example.namespace["workdir"])
    if done.returncode != 0:
        return f"exit status {done.returncode}\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
    return None


_NUMBER = re.compile(r"[+\-−]?\d[\d,.:]*(?:e[+\-]?\d+)?%?")


def _shape(line: str) -> str:
    """A printed line with its numbers (and hex digests) replaced by one mark, spaces collapsed."""
    line = re.sub(r"\b[0-9a-f]{12,64}\b", "#", line)
    return " ".join(_NUMBER.sub("#", line).split())


def run_console(example: Example) -> str | None:
    """A ``console`` transcript: each ``$ command`` is run; the lines it prints must match those shown, numbers aside."""
    text = str(example.parsed)
    steps: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            return f"a console block starts with '$ command', not {line!r}"
    for command, expected in steps:
        workdir = example.namespace["workdir"]
        done = _bash(command, workdir)
        # paths printed in full read as the transcript shows them, from the repository's folder
        output = (done.stdout + done.stderr).replace(f"{workdir}{os.sep}", "")
        printed = [_shape(x) for x in output.splitlines() if x.strip()]
        missing = [x for x in expected if x.strip() and _shape(x) not in printed]
        if missing:
            return f"$ {command}\nprinted (exit {done.returncode}):\n{output}\nnot as documented: {missing}"
    return None


def write_file(example: Example) -> str | None:
    """A ``toml`` block that starts with ``# <path>`` of a file the repository lacks: written there for later blocks."""
    text = str(example.parsed)
    first = text.splitlines()[0].strip() if text.strip() else ""
    match = re.fullmatch(r"#\s*(\S+\.toml)", first)
    if match and not (ROOT / match.group(1)).exists():
        path = example.namespace["workdir"] / match.group(1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return None


PARSERS = [
    PythonCodeBlockParser(),
    CodeBlockParser("sh", run_shell),
    CodeBlockParser("bash", run_shell),
    CodeBlockParser("console", run_console),
    CodeBlockParser("toml", write_file),
    SkipParser(),
]

pytest_collect_file = Sybil(
    parsers=PARSERS,
    path=str(ROOT),
    patterns=list(DOCUMENTS),
    excludes=["*/README.md"],  # the README of a folder (results/, benchmarks/) is not the project's
    setup=_setup,
    teardown=_teardown,
).pytest()
