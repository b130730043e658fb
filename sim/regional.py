"""The per-region summary: one row per region of what a regional planner decides on.

``region_summary(result)`` takes a run's ``Result``, a comparison's ``CompareResult`` (or a report's
``figures.RunSet``) and gives one row per region (per strategy and region for a comparison, with the
mean over replications and its 95 % interval), worst regions first::

    import sim
    from sim.regional import region_summary
    table = region_summary(sim.run("scenarios/sweden_spring2020.toml", seed=0, world__scale=0.05))
    table[["region_name", "unsafe_icu_patient_days", "worst_week_start", "worst_week_icu_nurses_per_patient"]]

Columns (``COLUMNS``; counts in model units, as the run's other frames: at ``world.scale`` below 1, that share of
Sweden's):

- ``region``, ``region_name``: the code and the region's Swedish name.
- ``unsafe_icu_patient_days``: ICU patient-days beyond what the minimum nurse ratio (or the ICU teams) covers.
- ``icu_patient_days``: all ICU patient-days (COVID and other).
- ``worst_week_icu_nurses_per_patient``, ``worst_week_start``, ``worst_week_iso``: the region's lowest weekly ICU nurses
  per patient (nurse-days / patient-days), the first day of that week and the ISO week holding most of its days.
  Weeks run from the run's first day and region-weeks under 7 patient-days are left out, as for the run summary's
  ``worst_region_icu_nurse_ratio`` ("worst region-week"), which is the lowest of these.
- ``crisis_days``: days the region was at escalation level "crisis".
- ``staff_loaned_in``, ``staff_loaned_out``, ``staff_days_loaned_in``, ``staff_days_loaned_out``: staff loaned to and
  from the region (loans events), and staff × loan days.
- ``pool_arrivals``, ``pool_member_days``: pool members arrived in the region (a person sent twice counts twice) and
  members × deployment days.
- ``peak_sick_share``: the largest share of the region's staff off sick on a day.
- ``staff_lost``: staff who had left the profession by the last day.
- ``care_debt_end_operations``: planned operations postponed and not yet caught up, last day.
- ``fatigue_mean_end``, ``icu_staff_fatigue_end``: mean fatigue (0–1) of all staff present and of ICU nurses and
  physicians, last day.

A comparison's table has ``strategy`` first, the mean of each number in its column, and ``<column>_low`` /
``<column>_high`` for the 95 % interval (``sim.intervals.interval``, cut at the column's bounds); ``worst_week_start``
and ``worst_week_iso`` are the week most often the worst over replications.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim import data

#: The numbers of the summary, with their units (``sim.text.fmt_unit`` shows them by unit).
UNITS: dict[str, str] = {
    "unsafe_icu_patient_days": "patient-days",
    "icu_patient_days": "patient-days",
    "worst_week_icu_nurses_per_patient": "ICU nurses per patient",
    "crisis_days": "days",
    "staff_loaned_in": "staff",
    "staff_loaned_out": "staff",
    "staff_days_loaned_in": "staff-days",
    "staff_days_loaned_out": "staff-days",
    "pool_arrivals": "arrivals",
    "pool_member_days": "member-days",
    "peak_sick_share": "share of staff",
    "staff_lost": "staff",
    "care_debt_end_operations": "postponed operations",
    "fatigue_mean_end": "fatigue (0–1)",
    "icu_staff_fatigue_end": "fatigue (0–1)",
    "client_deaths": "clients",
    "missed_home_care_visits": "visits",
}
#: Titles for tables and sentences.
TITLES: dict[str, str] = {
    "unsafe_icu_patient_days": "Unsafe ICU patient-days",
    "icu_patient_days": "ICU patient-days",
    "worst_week_icu_nurses_per_patient": "Worst week: ICU nurses per patient",
    "worst_week_start": "Worst week from",
    "worst_week_iso": "Worst ISO week",
    "crisis_days": "Crisis days",
    "staff_loaned_in": "Staff loaned in",
    "staff_loaned_out": "Staff loaned out",
    "staff_days_loaned_in": "Staff-days loaned in",
    "staff_days_loaned_out": "Staff-days loaned out",
    "pool_arrivals": "Pool arrivals",
    "pool_member_days": "Pool member-days",
    "peak_sick_share": "Peak sick share",
    "staff_lost": "Staff lost",
    "care_debt_end_operations": "Care debt at end (operations)",
    "fatigue_mean_end": "Fatigue at end",
    "icu_staff_fatigue_end": "ICU staff fatigue at end",
    "client_deaths": "Home-care client deaths",
    "missed_home_care_visits": "Missed home-care visits",
}
WEEK = ("worst_week_start", "worst_week_iso")
COLUMNS = ["region", "region_name", "unsafe_icu_patient_days", "icu_patient_days", "worst_week_icu_nurses_per_patient", *WEEK]
COLUMNS += [c for c in UNITS if c not in COLUMNS]
KEYS = ["strategy", "replication"]


#: Statuses of staff who are sick, summed as ``n_sick`` in ``region_daily``.
SICK = ("n_sick_covid", "n_sick_other", "n_sick_exhaustion")
#: Professions that staff the ICU: their mean fatigue is ``icu_staff_fatigue`` in ``region_daily``.
ICU_PROFESSIONS = ("icu_nurse", "icu_physician")


def weighted_fatigue(staff: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Mean fatigue of the staff present (not left) per ``keys``, from per-group means."""
    present = staff["n_total"] - staff["n_left"]
    frame = staff[keys].assign(present=present, fatigue_sum=staff["fatigue_mean"].fillna(0.0) * present)
    sums = frame.groupby(keys, observed=True)[["present", "fatigue_sum"]].sum()
    return sums["fatigue_sum"] / sums["present"].where(sums["present"] > 0)


def region_daily(daily: Any) -> pd.DataFrame:
    """Per date and region: what the report draws for a region, from a run's daily frames.

    ICU load and staffing (``icu``; with ``covid_icu_admissions`` when the run has them), staff sick and fatigue (``staff``; ``fatigue_mean`` of all
    staff present, ``icu_staff_fatigue`` of ICU nurses and physicians), nursing-home outbreaks
    (``nursing_homes``), home-care clients and visits (``home_care``), escalation, planned care and help received (``regions``).

    Args:
        daily: a run's ``Result.daily`` (frames ``icu``, ``staff``, ``nursing_homes``, ``home_care``, ``regions``).
    """
    keys = ["date", "region"]
    columns = ["covid_icu_patients", "icu_patients", "icu_nurses", "unsafe_patients", "diluted_patients"]
    if "covid_icu_admissions" in daily.icu:  # results written before the admissions were recorded lack it
        columns.append("covid_icu_admissions")
    icu = daily.icu.set_index(keys)[columns]
    staff = daily.staff
    counts = staff.groupby(keys, observed=True)[[*SICK, "n_left", "n_total"]].sum()
    people = pd.DataFrame({"n_sick": counts[list(SICK)].sum(axis=1), "n_left": counts["n_left"], "n_total": counts["n_total"]})
    people["fatigue_mean"] = weighted_fatigue(staff, keys)
    in_icu = staff[staff["profession"].astype(str).isin(ICU_PROFESSIONS)]
    people["icu_staff_fatigue"] = weighted_fatigue(in_icu, keys)
    homes = daily.nursing_homes.set_index(keys)[["homes", "homes_with_outbreak", "infected_residents"]]
    parts = [people, homes]
    care = getattr(daily, "home_care", None)  # results written before home care (issue #16) have no home_care frame
    if care is not None and not care.empty:
        parts.append(care.set_index(keys)[["clients_infected", "client_deaths", "visits_planned", "visits_missed"]])
    levers = daily.regions.set_index(keys)[
        [
            "level",
            "elective_operations",
            "care_debt_operations",
            "staff_on_loan_in",
            "pool_members_in",
            "upskilled_in_icu",
            "recruits_working",
        ]
    ]
    frame = icu.join([*parts, levers], how="outer")
    frame["nurses_per_patient"] = frame["icu_nurses"] / frame["icu_patients"].where(frame["icu_patients"] > 0)
    return frame.reset_index()


def region_names() -> dict[str, str]:
    """Region code → the region's Swedish name (``sim/data/regions.csv``)."""
    regions = data.regions()
    return dict(zip(regions["code"], regions["name"], strict=True))


def region_summary(result: Any) -> pd.DataFrame:
    """One row per region (a comparison: per strategy and region, means and intervals), worst regions first.

    Args:
        result: a run's ``sim.Result``, a ``sim.experiment.CompareResult``, or a report's ``sim.figures.RunSet``.

    Returns:
        ``COLUMNS`` (a comparison: ``strategy`` first and ``_low`` / ``_high`` beside each number), sorted by unsafe ICU
        patient-days (most first), then the worst week (lowest first); a comparison's strategies in their order.
    """
    if hasattr(result, "daily"):  # a run's Result
        ids = {"strategy": result.scenario.name, "replication": 0}
        events = result.events
        loans = events.loans.assign(**ids) if events is not None else pd.DataFrame()
        pool = events.pool_deployments.assign(**ids) if events is not None else pd.DataFrame()
        per_run = per_run_summary(region_daily(result.daily).assign(**ids), loans, pool)
        return _order(per_run.drop(columns=KEYS).reset_index(drop=True))
    if hasattr(result, "region_daily"):  # a CompareResult
        return aggregate(per_run_summary(result.region_daily, result.loans, result.pool_deployments), result.strategies)
    # a RunSet (sim.figures), as a report reads it: a run's (no comparison) or a comparison's
    per_run = per_run_summary(result.regions, result.loans, result.pool_deployments)
    if result.comparison is None:
        return _order(per_run.drop(columns=KEYS).reset_index(drop=True))
    return aggregate(per_run, result.strategies)


def per_run_summary(regions: pd.DataFrame, loans: pd.DataFrame, pool: pd.DataFrame) -> pd.DataFrame:
    """``COLUMNS`` per run (``strategy``, ``replication``) and region, from per-run ``region_daily`` frames and events."""
    frame = regions.copy()
    for key in KEYS:
        if key not in frame:
            frame[key] = "run" if key == "strategy" else 0
    frame["region"] = frame["region"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    keys = [*KEYS, "region"]
    grouped = frame.groupby(keys, observed=True, sort=False)
    out = pd.DataFrame(
        {
            "unsafe_icu_patient_days": grouped["unsafe_patients"].sum(),
            "icu_patient_days": grouped["icu_patients"].sum(),
            "crisis_days": grouped["level"].agg(lambda s: int((s.astype(str) == "crisis").sum())),
            "peak_sick_share": (frame["n_sick"] / frame["n_total"].where(frame["n_total"] > 0))
            .groupby([frame[k] for k in keys], observed=True, sort=False)
            .max(),
        }
    )
    last = frame[frame["date"] == frame.groupby(KEYS, observed=True)["date"].transform("max")].set_index(keys)
    out["staff_lost"] = last["n_left"]
    out["care_debt_end_operations"] = last["care_debt_operations"]
    out["fatigue_mean_end"] = last["fatigue_mean"]
    out["icu_staff_fatigue_end"] = last["icu_staff_fatigue"]
    for column, daily in (("client_deaths", "client_deaths"), ("missed_home_care_visits", "visits_missed")):
        out[column] = grouped[daily].sum() if daily in frame else np.nan
    out = out.join(_worst_weeks(frame, keys))
    out = out.join(_moved(loans, "to_region", keys, "staff_loaned_in", "staff_days_loaned_in"))
    out = out.join(_moved(loans, "from_region", keys, "staff_loaned_out", "staff_days_loaned_out"))
    out = out.join(_moved(pool, "region", keys, "pool_arrivals", "pool_member_days"))
    for column in (
        "staff_loaned_in",
        "staff_loaned_out",
        "staff_days_loaned_in",
        "staff_days_loaned_out",
        "pool_arrivals",
        "pool_member_days",
    ):
        out[column] = out[column].fillna(0).astype(np.int64)
    out = out.reset_index()
    out.insert(out.columns.get_loc("region") + 1, "region_name", out["region"].map(region_names()).fillna(out["region"]))
    return out[[*KEYS, *COLUMNS]]


def _worst_weeks(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Each region's lowest weekly ICU nurses per patient, the week's first day and ISO week (as ``recorder._worst_region_week``)."""
    first = frame.groupby(KEYS, observed=True)["date"].transform("min")
    week = ((frame["date"] - first).dt.days // 7).rename("week")
    sums = frame.groupby([*(frame[k] for k in keys), week], observed=True)[["icu_nurses", "icu_patients"]].sum()
    sums = sums[sums["icu_patients"] >= 7.0]
    columns = ["worst_week_icu_nurses_per_patient", *WEEK]
    if sums.empty:
        return pd.DataFrame(columns=columns, index=pd.MultiIndex.from_arrays([[]] * len(keys), names=keys))
    ratio = (sums["icu_nurses"] / sums["icu_patients"]).rename("ratio").reset_index()
    worst = ratio.loc[ratio.groupby(keys, observed=True, sort=False)["ratio"].idxmin()]
    starts = frame.groupby(KEYS, observed=True)["date"].min().rename("first").reset_index()
    worst = worst.merge(starts, on=KEYS)
    start = worst["first"] + pd.to_timedelta(worst["week"] * 7, unit="D")
    middle = (start + pd.Timedelta(days=3)).dt.isocalendar()  # the ISO week holding 4 of the week's 7 days
    out = pd.DataFrame(
        {
            "worst_week_icu_nurses_per_patient": worst["ratio"].to_numpy(),
            "worst_week_start": start.dt.date.to_numpy(),
            "worst_week_iso": [f"{y}-W{w:02d}" for y, w in zip(middle["year"], middle["week"], strict=True)],
        },
        index=pd.MultiIndex.from_frame(worst[keys]),
    )
    return out


def _moved(events: pd.DataFrame, column: str, keys: list[str], count: str, days: str) -> pd.DataFrame:
    """People moved (``count``) and people × days (``days``) per run and region named in ``column`` of loans or pool events."""
    if events is None or events.empty or column not in events:
        return pd.DataFrame(columns=[count, days], index=pd.MultiIndex.from_arrays([[]] * len(keys), names=keys))
    frame = events.copy()
    for key in KEYS:
        if key not in frame:
            frame[key] = "run" if key == "strategy" else 0
    frame["region"] = frame[column].astype(str)
    frame["_days"] = frame["count"] * frame["days"]
    sums = frame.groupby(keys, observed=True)[["count", "_days"]].sum()
    return sums.rename(columns={"count": count, "_days": days})


def _order(table: pd.DataFrame) -> pd.DataFrame:
    """Worst regions first: most unsafe ICU patient-days, then the lowest worst week."""
    return table.sort_values(
        ["unsafe_icu_patient_days", "worst_week_icu_nurses_per_patient"], ascending=[False, True], na_position="last", kind="stable"
    ).reset_index(drop=True)


def aggregate(per_run: pd.DataFrame, strategies: list[str] | None = None) -> pd.DataFrame:
    """Per strategy and region: the mean over replications of each number, its 95 % interval, and the most frequent worst week."""
    from sim.indicators import bounds_of_unit
    from sim.intervals import interval

    strategies = strategies or list(pd.unique(per_run["strategy"]))
    rows = []
    for (strategy, region), runs in per_run.groupby(["strategy", "region"], observed=True, sort=False):
        row: dict[str, Any] = {"strategy": strategy, "region": region, "region_name": runs["region_name"].iat[0]}
        for column, unit in UNITS.items():
            mean, low, high = interval(runs[column].dropna().to_numpy(dtype=float), bounds=bounds_of_unit(unit))
            row.update({column: mean, f"{column}_low": low, f"{column}_high": high})
        weeks = runs["worst_week_start"].dropna()
        if len(weeks):
            common = weeks.value_counts(sort=True).index[0]
            row["worst_week_start"] = common
            row["worst_week_iso"] = runs.loc[runs["worst_week_start"] == common, "worst_week_iso"].iat[0]
        else:
            row["worst_week_start"], row["worst_week_iso"] = None, None
        rows.append(row)
    table = pd.DataFrame(rows)
    numbers = [c for name in UNITS for c in (name, f"{name}_low", f"{name}_high")]
    table = table[["strategy", "region", "region_name", *numbers, *WEEK]]
    order = {s: i for i, s in enumerate(strategies)}
    parts = [_order(table[table["strategy"] == s]) for s in sorted(pd.unique(table["strategy"]), key=lambda s: order.get(s, len(order)))]
    return pd.concat(parts, ignore_index=True) if parts else table
