"""Worked comparison of the memo's municipal measures (issue #16): the table in docs/experiments.md and the README.

Runs the strategies of ``scenarios/municipal/`` (the reference ``as_happened`` first) at full scale with common random
numbers, as ``mobsim compare`` of the files in that order with ``--replications 10 --workers 2`` would, saves the
comparison in ``results/compare_municipal/`` (reused if it is there: delete it to run again) and prints a Markdown
table: each strategy's mean and, for the others, its paired difference from ``as_happened`` with the 95 % interval.

Run: .venv/bin/python tools/worked_municipal.py [--replications 10] [--workers 2] [--scale 1.0]
"""

from __future__ import annotations

from pathlib import Path

import worked_compare

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "scenarios" / "municipal"
OUT = ROOT / "results" / "compare_municipal"
#: reading order; the first is the reference of the paired differences
ORDER = (
    "as_happened",
    "none",
    "hygiene_early",
    "stable_teams",
    "cooperation_early",
    "mobile_teams_early",
    "physician_rounds",
    "more_nurses",
    "all_measures",
)
TABLE = {
    "resident_infections": ("resident infections", "{:,.0f}"),
    "resident_deaths": ("resident deaths", "{:,.0f}"),
    "client_infections": ("home-care client infections", "{:,.0f}"),
    "client_deaths": ("home-care client deaths", "{:,.0f}"),
    "resident_missed_care_hours": ("missed care in homes (hours)", "{:,.0f}"),
    "missed_home_care_visits": ("missed home-care visits", "{:,.0f}"),
    "delegated_medication_share": ("delegated medication rounds", "{:.1%}"),
    "cost_total_msek": ("cost above payroll (MSEK)", "{:,.0f}"),
}


def main() -> None:
    worked_compare.main(__doc__.splitlines()[0], FOLDER, ORDER, TABLE, OUT)


if __name__ == "__main__":
    main()
