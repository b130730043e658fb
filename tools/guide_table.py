"""A generated table between two markers of docs/guide.md: replace it, or check that it is current.

Shared by ``tools/scenario_keys.py`` (every scenario key) and ``tools/indicator_table.py`` (every
indicator); each gives its markers and a function that makes the table.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "guide.md"


def replace_between(guide: str, begin: str, end: str, table: str) -> str:
    """The guide's text with ``table`` between the markers ``begin`` and ``end``.

    Raises:
        ValueError: a marker is missing.
    """
    if begin not in guide or end not in guide:
        raise ValueError(f"{GUIDE.name}: expected the markers {begin} and {end}")
    head, rest = guide.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{table}\n{end}{tail}"


def main(tool: str, render: Callable[[str], str], what: Callable[[], str], argv: list[str] | None = None, doc: str = "") -> int:
    """The command line of a table tool: rewrite the guide's table, or with ``--check`` exit 1 if it is out of date.

    Args:
        tool: the tool's name, for messages (``scenario_keys``).
        render: the guide's text with the table replaced.
        what: what was written, for the message (``"165 keys"``).
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else tool)
    parser.add_argument("--check", action="store_true", help="exit 1 if the guide's table is out of date, write nothing")
    args = parser.parse_args(argv)
    text = GUIDE.read_text()
    try:
        new = render(text)
    except ValueError as exc:
        print(f"{tool}: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print(f"{tool}: {GUIDE.relative_to(ROOT)} is out of date; run tools/{tool}.py", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(new)
    print(f"wrote {what()} into {GUIDE.relative_to(ROOT)}")
    return 0
