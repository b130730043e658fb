"""Validate the calibrated baseline against Sweden 2020 and write docs/validation.md.

Runs the three runs of ``sim.validation`` (the spring baseline, the year scenario cut at
31 December 2020, and both waves with the regions' own ICU admissions, 1 March 2020 – 28 February
2021) ``--replications`` times each at ``--scale`` (full scale by default),
replication r with seed ``--seed`` + r, computes every pattern's statistic per run, and
writes the report: per pattern the observed figure and its source, the simulated mean with
the 95 % range across replications, the tolerance and whether the mean lies inside it; every
region's cumulative ICU admissions against the data (``admissions_table``); the
fitted parameters (``docs/calibration.csv``); and what the model cannot reproduce and why.
The runs' statistics go to ``results/validation/runs.csv`` (git-ignored).

Run: ``make validate``, or ``.venv/bin/python tools/validate.py --replications 10 --workers 2``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.store import atomic_file  # noqa: E402
from sim.validation import (  # noqa: E402
    FACTS,
    PATTERNS,
    REPORTED,
    admissions_table,
    assess,
    for_run,
    load_runs_scenarios,
    reported_for_run,
    reported_table,
    simulate,
)

REPORT = ROOT / "docs" / "validation.md"
CALIBRATION = ROOT / "docs" / "calibration.csv"
OUT = ROOT / "results" / "validation"

#: Why a pattern is missed, printed for each pattern that does not match (the tool warns if one is missing).
WHY_MISSED: dict[str, str] = {
    "free_icu_beds_at_peak": (
        "The free share depends on the non-COVID ICU patients during the cut of planned care "
        "(`levers.redeployment.icu_other_cut`, calibrated to the ICU care days of April–May) and on the beds open on the "
        "peak day (`levers.bed_expansion`); a miss means one of them has moved away from its calibrated value."
    ),
    "icu_care_days_april_may": (
        "`levers.redeployment.icu_other_cut` (0.36) was calibrated to this figure with `world.icu_occupancy_baseline` "
        "0.64 (20,566 care days in April–May 2019); a miss means the COVID ICU days or the cut of planned care have moved."
    ),
    "icu_nurse_ratio_at_peak": (
        "Nationally the model dilutes ICU care less than Swedish surge reports describe. Its ICU nurses (2,600, an "
        "assumption: enough for the 492 staffable beds, facts) are counted at their effective hours, including extra "
        "hours up to 40 h (48 h under the crisis agreement), and spread over every region's ICU; since issue #13 the "
        "non-COVID ICU patients are fewer (64 % of beds in normal times, 36 % fewer while planned care is cut, facts) "
        "and patients above staffed beds move to other regions, so the national ratio on the peak day rose from 0.71 to "
        "0.88. The reports of 1:2 to 1:3 come from the surge units of the hardest-hit regions, and at night; the "
        "summary's `worst_region_icu_nurse_ratio` (lowest weekly ratio of any region) shows how far the worst-hit "
        "region falls."
    ),
    "stockholm_crisis_pay": (
        "Since issue #14 the agreement stays active for a region's declared period (Stockholm: to 31 August, "
        "`levers.crisis_agreement.until`) with staggered placements; a miss means the placements, the cap on hours or "
        "the pay multiplier have moved. The 250 % pay for emergency overtime is not modelled (ODD, what is not modelled)."
    ),
    "stockholm_agreement_staff_peak": (
        "The model's ICU has ICU-nurse and ICU-physician roles and the staff moved into it (trained nurses, loans, pool); "
        "Stockholm's agreement also covered assistant nurses and other staff."
    ),
    "stockholm_agreement_staff_covered": (
        "Distinct people placed depend on who works in the ICU while the agreement is active: the ICU's own staff, "
        "ICU-upskilled nurses and staff on loan; Stockholm's 1,589 also include assistant nurses and other staff."
    ),
    "operations_march_june": (
        "The cut ramps up over ten days from 16 March and is lifted over ten days from 1 June (assumptions), and a region "
        "back at normal level runs 10 % above normal while it has care debt; so March–June loses less than the −35 % "
        "observed while April matches by construction. A slower restart in June would close the gap."
    ),
    "stockholm_homes_14_april": (
        "The seeding rate was refitted by hand at full scale after the ABC fit and again with the staff's hygiene factor "
        "of issue #16 (ODD, Calibration); replications scatter by about ±4 percentage points around it."
    ),
    "homes_reached_early_may": (
        "A check, not fitted, and it misses: the model has reached about half of Sweden's homes by 7 May (full scale, "
        "seed 0: 49 %), twice the 25 % of the regions' reports. Stockholm is near its observed two thirds (74 %), "
        "but Sörmland, Uppsala, Östergötland, Jönköping, Örebro and Dalarna are at 58–73 % and even regions with few ICU "
        "patients at 15–46 %. Staff bring the virus in at one rate per infectious staff member "
        "(`nursing_homes.staff_seed_rate`, fitted to Stockholm), and the staff's infections follow a community "
        "prevalence scaled from each region's ICU occupancy (`infection.prevalence_per_icu_per_capita`, set for "
        "Stockholm): outside Stockholm either is too high, or the survey (15 regions, reported infection with little "
        "testing of residents) counted fewer homes than were reached. The residents' deaths are fitted nationally, so "
        "a model that reaches too many homes has too few deaths per home reached."
    ),
    "residents_assessed": (
        "The chance of an assessment per round (`nursing_homes.assessment_per_visit`, `assessment_per_digital_round`) was "
        "set by hand for this share; IVO's 847 residents were at the 98 worst-hit homes, most assessed by phone, so the "
        "figure is a loose anchor, and the model counts a resident assessed whatever the round's form."
    ),
    "resident_death_share": (
        "The residents' case fatality (`nursing_homes.case_fatality`, 0.33) and their within-home transmission were set by "
        "hand for this share (ODD, Calibration); the observed 47 % counts deaths to mid-July while the run ends on 30 June, "
        "and the model's residents are those of special housing only, not short-term stays. A miss means the homes' "
        "epidemic (seeding, spread, hygiene, cohort care) or the death hazard's modifiers (missed care, delegation, "
        "physician assessment) have moved (experiments/municipal_sensitivity.toml)."
    ),
    "loans_spring": (
        "Since each region has its own epidemic (issue #13), regions outside the spring wave have ICU nurses to spare and "
        "lend them to Stockholm and Sörmland in crisis; the model has no brake on loans but each lender's safety margin "
        "(`levers.loans.safety_margin`) and share lent, whereas in 2020 loans were arranged case by case and the national "
        "contact point opened only in October."
    ),
    "crisis_regions": (
        "The model escalates on its hospital units' forecast gap against the region's own staff, and level crisis needs a gap "
        "above 4.3 % (`escalation.crisis_gap`, calibrated to Stockholm's crisis date). With perfect foresight (the "
        "baseline) Stockholm and Sörmland cross it in spring and Gotland in winter, while the other regions' winter waves "
        "raise staffing alerts only. How many regions reach crisis moves with how regions forecast: at `world.scale` 0.25, "
        'seed 0, a trend forecast from the reported occupancy (`escalation.forecast = "trend"`) brings 8 regions into '
        "crisis with 9 activations, closer to Sweden's 10 and 14, and a trend on reports 3 days old 18 regions and 32 "
        "activations; but the trend moves Stockholm's crisis to 23 March (observed 3 April), so the calibrated baseline keeps "
        "perfect foresight. The facts' count also runs to August 2021, six months past the run (the third wave of spring "
        "2021), and does not say which units or shortages triggered each activation, whereas the model's agreement covers "
        "ICU staff only (`levers.crisis_agreement.units`)."
    ),
    "crisis_activations": (
        "Same cause as the regions in crisis. Besides, a declared agreement stays active for its declared period "
        "(at least `levers.crisis_agreement.min_active_days`, until 31 August 2020 for spring declarations, and until "
        "the region has been below crisis for `lift_after_days`), so each region declares once per wave; Sweden's 14 "
        "activations in 10 regions include regions that activated it again."
    ),
    "sick_peak_month": (
        "Long COVID spells (7 % of spells, mean 120 days) and the sick staff who keep working time while colleagues are on "
        "vacation keep the model's share high into June and July."
    ),
}

NOT_REPRODUCED = """\
- **ICU admissions** (1,563 from 6 March to 6 May 2020, median stay 12 days; admissions peaking near 50 a day): the
  baselines take each region's admissions as their input (the table above shows they are reproduced, by construction),
  so they are no test of the model.
- **New sick-leave cases in March–April twice those of 2019**: the model records how many staff are on sick leave each
  day, not when spells start, and the facts' count of cases (Försäkringskassan) is of spells past the employer's 14 days.
- **Who carried the virus into homes** (hourly staff vs community spread): both views can be run (stable teams,
  `hourly_other_home_share`), but no pattern in the facts separates them quantitatively.
- **Mental strain** (severe burnout in 51 % of ICU physicians, intention to leave): fatigue is a model quantity with no
  observed counterpart in Sweden; its rise and the exhaustion hazard are fitted only through the sick-leave shares, so
  they remain uncertain (wide posterior intervals above).
- **The epidemic itself** is exogenous: staff infections do not feed back into community prevalence or patients, so no
  staffing choice changes the ICU curve.
"""


def run_all(replications: int, seed: int, scale: float | None, workers: int) -> pd.DataFrame:
    """Statistics of every pattern for each replication: one row per replication."""
    from sim.executor import process_pool, stop_pool

    scenarios = load_runs_scenarios(scale=scale)
    jobs = [(run, r) for r in range(replications) for run in ("both_waves", "stock_flow", "year", "spring")]
    rows: dict[int, dict[str, float]] = {r: {"replication": r, "seed": seed + r} for r in range(replications)}
    # ended by stop_pool, not by the pool's own exit: after a worker died, Python 3.12's shutdown() waits for ever for
    # the others, which ignore SIGTERM (sim.executor._kill_workers)
    pool = process_pool(workers)
    try:
        futures = {
            pool.submit(
                simulate,
                scenarios[run],
                seed + r,
                [*(p.key for p in for_run(run)), *(item.key for item in reported_for_run(run))],
                regional=run == "both_waves",
            ): (run, r)
            for run, r in jobs
        }
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            run, r = futures[future]
            rows[r].update(future.result())
            print(f"  {done}/{len(jobs)} runs ({run}, replication {r})", flush=True)
    finally:
        stop_pool(pool)
    return pd.DataFrame(rows.values())


def _interval(p, row) -> str:
    if pd.isna(row["simulated_mean"]):
        return "–"
    return f"{p.format(row['simulated_mean'])} [{p.format(row['simulated_low'])}, {p.format(row['simulated_high'])}]"


def admissions_section(runs: pd.DataFrame) -> list[str]:
    """The per-region table of cumulative ICU admissions (both-waves run) and the figure of the regions' admissions."""
    table = admissions_table(runs)
    lines = [
        "## Every region's ICU admissions (both waves)",
        "",
        "Cumulative COVID ICU admissions per region, observed (Folkhälsomyndigheten's weekly figures from the ICU register "
        "SIR, `sim.data.icu_admissions_weekly()`; regional data README) and simulated (the both-waves run's "
        "`covid_icu_admissions`, mean over replications, full scale). Weeks are ISO weeks, Monday to Sunday: *by 30 June "
        "2020* sums the weeks through 2020-W27 (29 June – 5 July), observed and simulated alike, and *by 28 February 2021* "
        "those through 2021-W08 (which ends on that Sunday); the data have no admissions before 2020-W10 (from 2 March), "
        "the run none before its first day, 1 March 2020. The demand is built from these admissions, so they match by "
        "construction; the table shows that nothing is lost on the way (the spreading over days, the scale).",
        "",
        "| region | observed by 30 June 2020 | simulated | observed by 28 February 2021 | simulated |",
        "|---|---|---|---|---|",
    ]
    for _, row in table.iterrows():
        lines.append(
            f"| {row['name']} | {row['observed_june_2020']:,.0f} | {row['simulated_june_2020']:,.1f} | "
            f"{row['observed_february_2021']:,.0f} | {row['simulated_february_2021']:,.1f} |"
        )
    total = table.sum(numeric_only=True)
    lines += [
        f"| **Sweden** | {total['observed_june_2020']:,.0f} | {total['simulated_june_2020']:,.1f} | "
        f"{total['observed_february_2021']:,.0f} | {total['simulated_february_2021']:,.1f} |",
        "",
        "![Each region's observed weekly ICU admissions against the simulated admissions and COVID ICU occupancy]"
        "(figures/regional_admissions.png)",
        "",
        "*Each region's observed weekly COVID ICU admissions (bars) against the simulated weekly admissions and COVID ICU "
        "patients of `scenarios/sweden_2020_2021.toml` at full scale (`make figures`). Occupancy is the admissions convolved "
        "with a 12-day median stay (facts), so it is a model output here, not data.*",
    ]
    return lines


def reported_section(runs: pd.DataFrame) -> list[str]:
    """The figures reported beside the patterns: no observed figure, so no tolerance and no match (``sim.validation.REPORTED``)."""
    table = reported_table(runs)
    by_key = {item.key: item for item in REPORTED}
    lines = [
        "## Reported, not compared (second-wave fatigue and capacity)",
        "",
        "Figures of the both-waves run with no observed counterpart in the facts: they are *reported*, not a pass or a fail. "
        "They answer the council's worry that the force mobilised in spring could not be mobilised again because staff were "
        "exhausted (fatigue that costs capacity, `docs/ODD.md` submodel 5a).",
        "",
        "| figure | simulated mean [95 % range] | how | why |",
        "|---|---|---|---|",
    ]
    for _, row in table.iterrows():
        item = by_key[row["key"]]
        value = (
            "–"
            if pd.isna(row["simulated_mean"])
            else (f"{item.format(row['simulated_mean'])} [{item.format(row['simulated_low'])}, {item.format(row['simulated_high'])}]")
        )
        lines.append(f"| {item.title} | {value} | {item.definition} | {item.why} |")
    return lines


def report(runs: pd.DataFrame, replications: int, seed: int, scale: float, minutes: float) -> str:
    """The text of docs/validation.md."""
    table = assess(runs)
    by_key = {p.key: p for p in PATTERNS}
    n_match = int(table["match"].sum())
    lines = [
        "# Validation against Sweden 2020",
        "",
        f"Generated by `make validate` (`tools/validate.py --replications {replications} --seed {seed} --scale {scale:g}`) on "
        f"{dt.date.today().isoformat()} in {minutes:.1f} min: the calibrated baseline `scenarios/sweden_spring2020.toml` "
        f"(1 March – 30 June 2020), `scenarios/sweden_2020_2021.toml` (1 March 2020 – 28 February 2021, both waves, every region's "
        f"demand from its own ICU admissions) cut at 31 December 2020 and over its whole period, and `scenarios/stock_flow_2018.toml` "
        "(two years of staff supply from November 2018, no COVID demand: the stock-flow of issue #17), "
        f"{replications} replications each (seeds {seed}–{seed + replications - 1}), at `world.scale` {scale:g}. "
        f"Observed figures are from `{FACTS}`, which names the primary sources (the stock-flow's from `docs/pipeline_facts.md`). The patterns, their statistics and tolerances "
        "are defined once in `sim/validation.py` (used by `tools/calibrate.py`, this report and `tests/test_calibration.py`).",
        "",
        "The simulated figure is the mean over replications with, in brackets, the 2.5–97.5 % range across them; "
        "*match* means the mean lies inside the tolerance. *Role*: **calibration** = a target of the ABC calibration "
        "(`make calibrate`), or fitted by hand (the supply's leaving besides retirement, to the 2018–2020 stock); **fitted input** = matched by an input chosen for it (the ICU stay's "
        "shape for the national occupancy from the regions' admissions, the non-COVID ICU cut `levers.redeployment.icu_other_cut` for "
        "the ICU care days, or the nursing-home seeding rate); **by construction** = a parameter set to the figure; **check** = not fitted, a "
        "test of the model. Dates are in 2020 unless a year is given.",
        "",
        f"**{n_match} of {len(table)} patterns match.**",
        "",
        "| pattern | observed | source | simulated mean [95 % range] | tolerance | match | role |",
        "|---|---|---|---|---|---|---|",
    ]
    for _, row in table.iterrows():
        p = by_key[row["pattern"]]
        mark = "yes" if row["match"] else "**no**"
        lines.append(f"| {p.title} | {p.observed_text} | {p.source} | {_interval(p, row)} | {p.tolerance} | {mark} | {p.role} |")
    lines += ["", "How each figure is simulated:", ""]
    lines += [f"- *{p.title}*: {p.definition}." for p in PATTERNS]
    lines += [
        "",
        "The yearly sick-leave share of 2020 is 1 January – 29 February at the run's pre-wave level (1–7 March) plus the "
        "simulated 1 March – 31 December, over 366 days; the share is staff-days on sick leave (COVID, ordinary, exhaustion) "
        "over staff-days of employed staff who are not off duty (vacation, rest after a crisis placement), so that the "
        "pre-wave level is the 2019 share the ordinary sick-leave rate reproduces (see `sim/validation.py`).",
    ]
    lines += ["", *reported_section(runs), "", *admissions_section(runs)]
    if CALIBRATION.exists():
        cal = pd.read_csv(CALIBRATION)
        first = cal.iloc[0]
        lines += [
            "",
            "## Calibrated parameters",
            "",
            f"ABC-SMC (pyabc) on {first['date']}: {int(first['simulations'])} simulations of the year run at `world.scale` "
            f"{first['scale']:g} in {int(first['generations'])} generations, final acceptance distance {first['final_distance']:.2f} "
            "(root mean square of the targets' deviations in half-tolerances). Uniform priors; the posterior median is now "
            "the value in `scenarios/sweden_spring2020.toml`, with its 90 % interval in the comment. "
            "`infection.work_rate.icu` is half the COVID ward's rate (kept from the baseline's assumption).",
            "",
            "| parameter | prior | baseline value when the fit started | posterior median | 90 % interval |",
            "|---|---|---|---|---|",
        ]
        for _, row in cal.iterrows():
            lines.append(
                f"| `{row['parameter']}` | {row['prior']} | {row['previous']:.4g} | {row['median']:.4g} | {row['q05']:.4g} – {row['q95']:.4g} |"
            )
    missed = table[~table["match"]]
    lines += ["", "## What the model does not reproduce, and why", ""]
    if missed.empty:
        lines.append("Every pattern above matches.")
    for _, row in missed.iterrows():
        p = by_key[row["pattern"]]
        why = WHY_MISSED.get(p.key)
        if why is None:
            print(f"validate: warning: no explanation for the missed pattern {p.key}", file=sys.stderr)
            why = "Not yet explained."
        lines.append(f"- **{p.title}** ({_interval(p, row)} against {p.observed_text}): {why}")
    lines += ["", "Patterns of the facts file the model cannot be compared with:", "", NOT_REPRODUCED]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10, help="replications of each run (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of replication 0 (default 0)")
    parser.add_argument("--scale", type=float, default=1.0, help="world.scale (default 1.0, full scale)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--report", type=Path, default=REPORT, help=f"report to write (default {REPORT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if args.replications < 2 or args.workers < 1 or not 0 < args.scale <= 1 or args.seed < 0:
        parser.error("expected --replications >= 2, --workers >= 1, 0 < --scale <= 1 and --seed >= 0")
    started = time.perf_counter()
    runs = run_all(args.replications, args.seed, args.scale, args.workers)
    minutes = (time.perf_counter() - started) / 60.0
    OUT.mkdir(parents=True, exist_ok=True)
    atomic_file(OUT / "runs.csv", lambda p: runs.to_csv(p, index=False))
    text = report(runs, args.replications, args.seed, args.scale, minutes)
    atomic_file(args.report, lambda p: p.write_text(text, encoding="utf-8"))
    table = assess(runs)
    print(table[["pattern", "observed", "simulated_mean", "simulated_low", "simulated_high", "match"]].to_string(index=False))
    print(f"{int(table['match'].sum())} of {len(table)} patterns match; {minutes:.1f} min; wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
