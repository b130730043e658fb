"""Worked comparison of preparedness strategies for a wave in 2030 (issue #17): the table in docs/experiments.md,
the guide's worked example and the README.

Runs the strategies of ``scenarios/preparedness/`` (the reference ``status_quo`` first) at full scale with common
random numbers, as ``mobsim compare`` of the files in that order with ``--replications 10 --workers 2`` would, saves
the comparison in ``results/compare_preparedness/`` (reused if it is there: delete it to run again) and prints a
Markdown table: each strategy's mean and, for the others, its paired difference from ``status_quo`` with the 95 %
interval. Each run is six years (2025–2030) of staff supply month by month and the spring 2020 wave in 2030.

Run: .venv/bin/python tools/worked_preparedness.py [--replications 10] [--workers 2] [--scale 1.0]
"""

from __future__ import annotations

from pathlib import Path

import worked_compare

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "scenarios" / "preparedness"
OUT = ROOT / "results" / "compare_preparedness"
#: reading order; the first is the reference of the paired differences
ORDER = ("status_quo", "specialist_training", "retiree_reserve", "retention")
TABLE = {
    "investment_msek": ("investment 2025–2030 (MSEK)", "{:,.0f}"),
    "unsafe_icu_patient_days": ("unsafe ICU patient-days", "{:,.0f}"),
    "icu_patient_days_beyond_guidance": ("ICU patient-days beyond guidance", "{:,.0f}"),
    "care_debt_end": ("care debt at the end (operations)", "{:,.0f}"),
    "resident_deaths": ("resident deaths", "{:,.0f}"),
    "staff_employed_end": ("staff employed at the end", "{:,.0f}"),
    "cost_total_msek": ("cost above payroll (MSEK)", "{:,.0f}"),
}


def main() -> None:
    worked_compare.main(__doc__.splitlines()[0], FOLDER, ORDER, TABLE, OUT)


if __name__ == "__main__":
    main()
