"""Generate the table of the run summary's indicators in docs/guide.md from the registry (sim/indicators.py).

The table lists every indicator a run's summary can hold: its name (``{k}`` for a wave's
number), title, unit, which direction is better and a one-line description. It is written
between the ``<!-- indicators:begin -->`` and ``<!-- indicators:end -->`` markers of the guide,
so the guide stays in step with the registry; ``tests/test_indicators.py`` fails when it is not.

Run: ``.venv/bin/python tools/indicator_table.py`` (rewrites the section), ``--check`` (exit 1 if out of date).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import indicators  # noqa: E402

GUIDE = ROOT / "docs" / "guide.md"
BEGIN, END = "<!-- indicators:begin -->", "<!-- indicators:end -->"


def render(guide: str) -> str:
    """The guide's text with the indicator table between the markers replaced."""
    if BEGIN not in guide or END not in guide:
        raise ValueError(f"{GUIDE.name}: expected the markers {BEGIN} and {END}")
    head, rest = guide.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{indicators.markdown_table('summary')}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the guide's table is out of date, write nothing")
    args = parser.parse_args(argv)
    text = GUIDE.read_text()
    try:
        new = render(text)
    except ValueError as exc:
        print(f"indicator_table: error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if new != text:
            print(f"indicator_table: {GUIDE.relative_to(ROOT)} is out of date; run tools/indicator_table.py", file=sys.stderr)
            return 1
        return 0
    GUIDE.write_text(new)
    print(f"wrote {len(indicators.names_at('summary'))} indicators into {GUIDE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
