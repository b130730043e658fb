"""Loans and the pool answer needs (issue #14, item 3): recall with notice, the contact point's rules, requests by need,
staggered ends, travel and lodging; invariants and refused input.

Each direction is measured under common random numbers: two arms with the same seed and the same scenario except the
mechanism. Models are small (10 % scale) and stop in May or June 2020.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import refused

import sim
from sim import data
from sim.categories import LEVELS, POSTINGS, PROFESSIONS

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "sweden_spring2020.toml"
LOAN, POOL = POSTINGS.index("loan"), POSTINGS.index("pool")
CRISIS = LEVELS.index("crisis")
BASE = {"world.scale": 0.1, "time.end": "2020-06-10", "levers.patient_transfers.enabled": False}


def _wave_file(tmp: Path, early: str = "stockholm") -> Path:
    """``early``'s spring wave (Stockholm's) on 10 April, then every other region's own wave on 10 May: early lenders need
    their staff back."""
    path = tmp / f"two_phase_{early}.toml"
    path.write_text(
        "\n".join(
            [
                f'extends = "{BASELINE.as_posix()}"',
                'name = "two_phase"',
                "[demand]",
                'source = "waves"',
                "[[demand.waves]]",
                'name = "late wave"',
                "peak_date = 2020-05-10",
                "rise_days = 10.0",
                "fall_days = 20.0",
                "peak_per_100k = 8.0",
                f"[demand.waves.regions.{early}]",
                "peak_date = 2020-04-10",
                "rise_days = 11.1",
                "fall_days = 34.4",
                "peak_patients = 230.0",
                "",
            ]
        )
    )
    return path


@pytest.fixture(scope="module")
def two_phase(tmp_path_factory) -> Path:
    return _wave_file(tmp_path_factory.mktemp("needs"))


def _model(path: Path, seed: int = 1, **overrides) -> sim.MobilisationModel:
    return sim.MobilisationModel(path, seed=seed, **{k.replace(".", "__"): v for k, v in {**BASE, **overrides}.items()})


def _run(model: sim.MobilisationModel, on_day=None) -> sim.Result:
    while model.running:
        model.step()
        if on_day is not None:
            on_day(model, model.day - 1)
    return model.result()


def _icu_nurse_coverage(result: sim.Result):
    units = result.daily.units
    icu = units[(units["unit_kind"] == "icu") & (units["profession"] == "icu_nurse")]
    return icu.pivot_table(index="date", columns="region", values="coverage", observed=True)


def _supplied(result: sim.Result):
    units = result.daily.units
    icu = units[(units["unit_kind"] == "icu") & (units["profession"] == "icu_nurse")]
    return icu.groupby("region", observed=True)["supplied_hours"].sum()


# --------------------------------------------------------------------------- recall


@pytest.fixture(scope="module")
def recall(two_phase) -> dict[bool, dict]:
    """National matching (no contact-point date), recall on and off; each day checks the posted staff."""
    out = {}
    for on in (True, False):
        m = _model(two_phase, **{"levers.loans.contact_point_from": None, "levers.loans.recall_below": 1.1 if on else None})
        trace = {"out_by_lender": np.zeros((m.n_days, m.world.n_regions), dtype=np.int64), "recall_ends": []}
        s, cfg = m.world.staff, m.config.levers.loans

        def check(m, day, trace=trace, s=s, cfg=cfg):
            loaned = m.coordinator.lendable_ids[s.posting_kind[m.coordinator.lendable_ids] == LOAN]
            trace["out_by_lender"][day] = np.bincount(s.region[loaned], minlength=m.world.n_regions)
            # invariants: every staff member in one place; loans only to other regions; at most max_share_lent out
            worked = (s.posting >= 0) & (s.hours_worked > 0)  # posted staff who worked today worked at their posting
            assert (m.worked_at[worked] == s.posting[worked]).all()
            assert (m.world.workplace_region[s.posting[loaned]] != s.region[loaned]).all()
            assert np.count_nonzero(s.posting_kind == LOAN) == loaned.size == m.recorder.loaned_in[day].sum()
            for ids in m.coordinator.icu_staff.values():
                assert np.count_nonzero(s.posting_kind[ids] == LOAN) <= int(cfg.max_share_lent * ids.size)
            recalled = loaned[m.coordinator.recalled[loaned]]
            assert (s.posting_until[recalled] <= day + cfg.recall_notice_days).all(), "a recalled loan ends within the notice"

        trace["result"] = _run(m, check)
        trace["staff"] = len(s)
        trace["codes"] = list(m.world.regions["code"])
        out[on] = trace
    return out


def test_recall_sends_staff_back_and_lenders_are_not_worse_covered(recall):
    on, off = recall[True]["result"], recall[False]["result"]
    changes = on.events.loan_changes
    recalled = changes[changes["change"] == "recalled"]
    assert on.summary["loans_recalled"].iloc[0] == recalled["count"].sum() > 0
    assert off.summary["loans_recalled"].iloc[0] == 0 and (off.events.loan_changes["change"] != "recalled").all()
    assert (recalled["end_day"] == recalled["day"] + on.scenario.levers.loans.recall_notice_days).all()
    # recalled staff come home: fewer out on loan by the recalling lenders at the end of the notice
    lenders = sorted(set(recalled["from_region"]))
    codes = recall[True]["codes"]
    out_on, out_off = recall[True]["out_by_lender"], recall[False]["out_by_lender"]
    cov_on, cov_off = _icu_nurse_coverage(on), _icu_nurse_coverage(off)
    sup_on, sup_off = _supplied(on), _supplied(off)
    for lender in lenders:
        k = codes.index(lender)
        assert out_on[:, k].sum() < out_off[:, k].sum(), lender
        assert cov_on[lender].min() >= cov_off[lender].min() - 1e-9, lender
        assert sup_on[lender] >= sup_off[lender] - 1e-6, lender
    assert any(sup_on[lender] > sup_off[lender] for lender in lenders), "recalled staff give their own ICU hours"
    every = sorted(set(on.events.loans["from_region"]) | set(off.events.loans["from_region"]))
    assert cov_on[every].min().min() >= cov_off[every].min().min() - 1e-9, "the lenders' worst ICU coverage is not lower with recall"


def test_no_staff_lost_or_duplicated(recall):
    for trace in recall.values():
        staff = trace["result"].daily.staff.groupby("date")["n_total"].sum()
        assert (staff == staff.iloc[0]).all()
        assert staff.iloc[0] == trace["staff"]


# --------------------------------------------------------------------------- staggered ends


def test_cohorts_and_extensions_stagger_the_ends_of_loans(tmp_path_factory):
    """The spring wave in Stockholm alone (every region lends under national matching): loans of one day end in steps."""
    path = tmp_path_factory.mktemp("stagger") / "stockholm.toml"
    path.write_text(_wave_file(path.parent).read_text().replace("peak_per_100k = 8.0", "peak_per_100k = 0.3"))
    common = {"levers.loans.contact_point_from": None, "levers.loans.recall_below": None}
    arms = {
        "together": {"levers.loans.cohorts": 1, "levers.loans.cohort_spacing_days": 0, "levers.loans.max_extensions": 0},
        "staggered": {},
    }
    drops = {}
    for name, overrides in arms.items():
        res = _run(_model(path, **common, **overrides))
        on_loan = res.daily.regions.pivot_table(index="date", columns="region", values="staff_on_loan_in", observed=True)
        assert on_loan.to_numpy().max() > 0
        drops[name] = int((-on_loan.diff()).max().max())
        if name == "staggered":
            assert res.events.loans.groupby("day")["days"].nunique().max() > 1, "a day's loans end on different days"
    assert drops["staggered"] < drops["together"], drops


# --------------------------------------------------------------------------- the contact point


@pytest.mark.parametrize("opens", ["2020-12-01", "2020-03-01"])
def test_contact_point_rules(tmp_path_factory, opens):
    """Before the contact point opens, loans stay within a health-care region; from it, loans to another health-care region
    go only to borrowers in crisis with the crisis agreement declared."""
    path = _wave_file(tmp_path_factory.mktemp("contact"), "sormland")  # Sörmland's health-care region has five other regions
    m = _model(path, **{"levers.loans.contact_point_from": opens, "levers.loans.recall_below": None})
    hc = data.regions().set_index("code")["healthcare_region"]
    codes = list(m.world.regions["code"])
    agreement = next(lv for lv in m.levers if lv.name == "crisis_agreement")
    match, seen = m.coordinator.match, []

    def checked(day: int) -> None:
        declared = agreement.declared.copy()  # as the coordinator reads it: declared up to yesterday
        before = len(m.coordinator.loans)
        match(day)
        for loan in m.coordinator.loans[before:]:
            b = codes.index(loan["to_region"])
            seen.append((loan["from_region"], loan["to_region"], m.levels[b] == CRISIS and declared[b] >= 0))

    m.coordinator.match = checked
    _run(m)
    assert seen
    national = [(f, t, ok) for f, t, ok in seen if hc[f] != hc[t]]
    if opens == "2020-12-01":
        assert not national
    else:
        assert national and all(ok for _, _, ok in national)


# --------------------------------------------------------------------------- the pool by need


@pytest.mark.parametrize("request_by", ["composition", "need"])
def test_pool_sends_only_the_professions_a_region_lacks(two_phase, request_by):
    m = _model(
        two_phase,
        **{
            "levers.national_pool.enabled": True,
            "levers.national_pool.mode": "additional",
            "levers.national_pool.size": 1600,
            "levers.national_pool.request_by": request_by,
            "levers.loans.enabled": False,
        },
    )
    pool = m.pool
    act, asked = pool.act, []

    def checked(day: int) -> None:
        before = dict(pool.pending)
        act(day)
        for r, (requested, _, heads) in pool.pending.items():
            if r not in before or before[r][0] != requested:
                gap = m.forecast_gap_hours[r]
                for q in np.flatnonzero(heads):
                    role = int(pool.role[m.world.staff.profession[pool.members] == q][0])  # the role its members fill
                    asked.append((PROFESSIONS[int(q)], gap[role] > 0))

    pool.act = checked
    res = _run(m)
    assert asked and res.summary["pool_arrivals"].iloc[0] >= res.summary["pool_members_deployed"].iloc[0] > 0
    lacking = [ok for _, ok in asked]
    if request_by == "need":
        assert all(lacking), "a profession the region does not lack was asked for"
    else:
        assert not all(lacking), "the composition asks for professions the region does not lack (what request_by = need fixes)"


def test_pool_cohorts_and_handover(two_phase):
    overrides = {
        "levers.national_pool.enabled": True,
        "levers.national_pool.mode": "additional",
        "levers.national_pool.size": 1600,
        "levers.loans.enabled": False,
    }
    drops = {}
    for name, extra in {
        "together": {
            "levers.national_pool.cohorts": 1,
            "levers.national_pool.cohort_spacing_days": 0,
            "levers.national_pool.handover": False,
        },
        "staggered": {},
    }.items():
        res = _run(_model(two_phase, **overrides, **extra))
        pool_in = res.daily.regions.pivot_table(index="date", columns="region", values="pool_members_in", observed=True)
        drops[name] = int((-pool_in.diff()).max().max())
        assert res.events.pool_deployments["days"].max() <= res.scenario.levers.national_pool.max_deployment_days
    assert drops["staggered"] < drops["together"], drops


# --------------------------------------------------------------------------- travel and lodging


def test_travel_cost_exactly_when_someone_is_lent(two_phase):
    res = _run(_model(two_phase, **{"levers.loans.contact_point_from": None}))
    regions = res.daily.regions
    assert regions["staff_on_loan_in"].sum() > 0
    assert ((regions["cost_travel_sek"] > 0) == (regions["staff_on_loan_in"] > 0)).all()
    assert res.summary["cost_travel_msek"].iloc[0] > 0
    off = _run(_model(two_phase, **{"levers.loans.enabled": False}))
    assert (off.daily.regions["cost_travel_sek"] == 0).all() and off.summary["cost_travel_msek"].iloc[0] == 0


# --------------------------------------------------------------------------- refused input


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("levers.loans.recall_below", "-0.1", "greater than or equal to 0"),
        ("levers.loans.recall_notice_days", "0", "greater than or equal to 1"),
        ("levers.loans.cohorts", "0", "greater than or equal to 1"),
        ("levers.loans.contact_point_from", "2020-13-01", "date"),
        ("levers.national_pool.request_by", '"skills"', "composition"),
        ("levers.national_pool.cohort_spacing_days", "10", "expected at least 1"),
        ("levers.national_pool.travel_sek_per_hour", "-1", "greater than or equal to 0"),
    ],
)
def test_bad_input_is_refused(key, value, fragment):
    refused(BASELINE, key, value, fragment)


def test_extensions_need_a_length():
    refused(BASELINE, "levers.loans.extension_days", "0", "needs extension_days > 0")
