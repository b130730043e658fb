"""Issue #14 item 1 (rosters): Stockholm's ICU nurses at work through the spring wave, full scale, seed 0.

Prints, for the spring baseline: Stockholm's ICU nurses at work on 28 April – 4 May and on its last days of the
agreement/crisis, the largest one-day drop, the share of ICU nurses at work who disappear on the day the
agreement ends, the largest one-day drop of all ICU staff at work (every role: support staff of ICU teams
included), unsafe ICU patient-days (Sweden and Stockholm); and, from the year run cut at 31 December
(validation pattern ``stockholm_crisis_pay``), Stockholm's crisis pay 3 April – 31 August.

Usage::

    PYTHONPATH=$PWD .venv/bin/python benchmarks/rosters.py [--scale 1.0] [--seed 0] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim import validation  # noqa: E402
from sim.scenario import load_scenario  # noqa: E402


def icu_nurses(result: sim.Result, region: str = "stockholm") -> pd.Series:
    """ICU specialist nurses at work in the region's ICU per day (model scale)."""
    u = result.daily.units
    rows = u[(u["region"] == region) & (u["unit_kind"] == "icu") & (u["profession"] == "icu_nurse")]
    return rows.groupby("date", observed=True)["staff_at_work"].sum()


def icu_on_duty(result: sim.Result, region: str = "stockholm") -> pd.Series:
    """Nurses on duty around the clock in the region's ICU per day (hours / 24, all nurses at work there)."""
    icu = result.daily.icu
    return icu[icu["region"] == region].set_index("date")["icu_nurses"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], help="key=value overrides for both runs")
    args = ap.parse_args()
    sets = [*args.set, f"world.scale={args.scale}"]
    model = sim.MobilisationModel(scenario=load_scenario(validation.SPRING_SCENARIO, set_values=sets), seed=args.seed)
    spring = model.run()
    lever = next(lv for lv in model.levers if lv.name == "crisis_agreement")
    r = int(np.flatnonzero(model.world.regions["code"].to_numpy() == "stockholm")[0])
    active = pd.Series(lever.active[: len(model.dates), r], index=pd.DatetimeIndex(model.dates))
    n = icu_nurses(spring)
    duty = icu_on_duty(spring)
    both = pd.DataFrame({"icu_nurses_at_work": n, "nurses_on_duty_24h": duty.round(1)})
    print("Stockholm ICU: specialist ICU nurses at work (head count) and nurses on duty (hours / 24), 28 April – 4 May:")
    print(both.loc["2020-04-28":"2020-05-04"].to_string())
    regions = spring.daily.regions
    sto = regions[regions["region"] == "stockholm"].set_index("date")
    crisis = sto.index[sto["level"].astype(str) == "crisis"]
    on = active.index[active.to_numpy()]
    if len(crisis):
        print(f"crisis {crisis[0].date()} – {crisis[-1].date()}; ICU nurses at work, its last 3 days and 3 days after:")
        print(both.loc[crisis[-1] - pd.Timedelta(days=2) : crisis[-1] + pd.Timedelta(days=3)].to_string())
    if len(on):
        last = on[-1]
        print(f"agreement on {on[0].date()} – {last.date()}; ICU nurses at work, its last 3 days and 3 days after:")
        print(both.loc[last - pd.Timedelta(days=2) : last + pd.Timedelta(days=3)].to_string())
        after = n.loc[last + pd.Timedelta(days=1)] if last + pd.Timedelta(days=1) in n.index else float("nan")
        print(f"share gone the day after the agreement ends: {1 - after / n.loc[last]:.0%}")
        print(f"rests deferred (all regions, model scale): {int(lever.deferred.sum())}")
    window = n.loc["2020-04-01":"2020-06-30"]
    drop = (-window.diff()).max()
    drop4 = (-window.diff(4)).max()
    print(f"largest one-day drop (April–June): {drop:.0f}; largest four-day drop: {drop4:.0f}")
    units = spring.daily.units
    staff = units[(units["region"] == "stockholm") & (units["unit_kind"] == "icu")].groupby("date", observed=True)["staff_at_work"].sum()
    sw = staff.loc["2020-04-01":"2020-06-30"]
    print(
        f"all ICU staff at work (every role, support staff included): largest one-day drop {(-sw.diff()).max():.0f} "
        f"on {(-sw.diff()).idxmax().date()}, four-day {(-sw.diff(4)).max():.0f}"
    )
    dw = duty.loc["2020-04-01":"2020-06-30"]
    print(f"nurses on duty (hours / 24): largest one-day drop {(-dw.diff()).max():.0f}, four-day {(-dw.diff(4)).max():.0f}")
    icu = spring.daily.icu
    print(
        f"unsafe ICU patient-days: Sweden {spring.summary['unsafe_icu_patient_days'].iloc[0]:.0f}, "
        f"Stockholm {icu.loc[icu['region'] == 'stockholm', 'unsafe_patients'].sum():.0f}"
    )
    sto_icu = icu[icu["region"] == "stockholm"]
    print(
        f"Stockholm: diluted ICU patient-days (beyond the specialist nurses) {sto_icu['diluted_patients'].sum():.0f}, "
        f"patient-days above staffed beds {sto_icu['patients_above_staffed_beds'].sum():.0f}"
    )
    year = sim.run(load_scenario(validation.YEAR_SCENARIO, set_values=[*sets, f"time.end={validation.YEAR_END}"]), seed=args.seed)
    print(f"Stockholm crisis pay 3 April – 31 August (stockholm_crisis_pay): {validation.crisis_pay_msek(year):.0f} MSEK (facts ≈300)")


if __name__ == "__main__":
    main()
