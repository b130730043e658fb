"""Generate the table of the run summary's indicators in docs/guide.md from the registry (sim/indicators.py).

The table lists every indicator a run's summary can hold: its name (``{k}`` for a wave's
number), title, unit, which direction is better and a one-line description. It is written
between the ``<!-- indicators:begin -->`` and ``<!-- indicators:end -->`` markers of the guide,
so the guide stays in step with the registry; ``tests/test_indicators.py`` fails when it is not.

Run: ``.venv/bin/python tools/indicator_table.py`` (rewrites the section), ``--check`` (exit 1 if out of date).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import guide_table  # noqa: E402
from guide_table import GUIDE, replace_between  # noqa: E402, F401  (GUIDE: the file it writes, for the tests)

from sim import indicators  # noqa: E402

BEGIN, END = "<!-- indicators:begin -->", "<!-- indicators:end -->"


def render(guide: str) -> str:
    """The guide's text with the table between the markers replaced."""
    return replace_between(guide, BEGIN, END, indicators.markdown_table("summary"))


def main(argv: list[str] | None = None) -> int:
    return guide_table.main("indicator_table", render, lambda: f"{len(indicators.names_at('summary'))} indicators", argv, __doc__ or "")


if __name__ == "__main__":
    sys.exit(main())
