"""Team-based ICU staffing (issue #14, item 2; ``sim/teams.py``, ``safety.icu_tiers``).

The tier allocation on hand-made numbers, its invariants (patients by tier and uncovered add up to the patients; more
staff never leave more patients uncovered or cover fewer within guidance), the direction of the mechanism in runs under
common random numbers (support assistants lower the unsafe days; no tiers gives the minimum-ratio model), trained staff
in the ICU in their own role and released gradually when the region leaves crisis (no cliff), and bad tiers refused.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import refused

import sim
from sim.categories import ICU, ICU_NURSE, LEVELS, PROFESSIONS
from sim.teams import Tiers, allocate, capacity_within_guidance, team_need

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "sweden_spring2020.toml"
SMALL = {"world.scale": 0.1, "time.end": "2020-05-31"}
CRISIS = LEVELS.index("crisis")
ICU_PHYSICIAN = PROFESSIONS.index("icu_physician")


def tiers(*rows: tuple[str, float, float, float, float]) -> Tiers:
    """Tiers from (name, patients per ICU nurse, support nurses, assistants, from_surge) rows."""
    keys = ("name", "patients_per_icu_nurse", "support_nurses_per_icu_nurse", "assistants_per_icu_nurse", "from_surge")
    return Tiers.from_config([SimpleNamespace(**dict(zip(keys, row, strict=True))) for row in rows])


UK = tiers(("one_to_one", 1, 0, 0, 0), ("one_to_two", 2, 0, 0, 1), ("team_one_to_six", 6, 2, 2, 2))
BASE = tiers(("one_to_one", 1, 0, 0, 0), ("one_to_two", 2, 0, 0, 1), ("team_one_to_four", 4, 1, 1, 2), ("team_one_to_six", 6, 2, 2, 3))


def alloc(t: Tiers, patients, nurses, support, assistants, surge=4.0):
    return allocate(t, np.atleast_1d(float(patients)), np.atleast_1d(float(nurses)), np.atleast_1d(float(support)),
                    np.atleast_1d(float(assistants)), np.atleast_1d(float(surge)))  # fmt: skip


# --------------------------------------------------------------------------- the allocation on hand-made numbers


def test_twelve_patients_two_icu_nurses_and_a_full_team_are_all_in_the_one_to_six_tier():
    a = alloc(UK, 12, 2, 4, 4)
    assert a.in_tier[0].tolist() == [0.0, 0.0, 12.0]
    assert a.uncovered[0] == 0.0 and a.within_guidance[0] == 12.0 and a.beyond_guidance[0] == 0.0


def test_without_support_two_icu_nurses_cover_four_patients_at_one_to_two_and_leave_eight():
    a = alloc(UK, 12, 2, 0, 4)
    assert a.in_tier[0].tolist() == [0.0, 4.0, 0.0]
    assert a.uncovered[0] == 8.0


def test_patients_are_covered_no_more_diluted_than_needed():
    assert alloc(UK, 2, 2, 4, 4).in_tier[0].tolist() == [2.0, 0.0, 0.0]  # enough nurses: 1:1, no team
    assert alloc(UK, 3, 2, 4, 4).in_tier[0].tolist() == [1.0, 2.0, 0.0]  # one nurse at 1:2, one at 1:1
    a = alloc(BASE, 10, 2, 4, 4)  # one nurse at 1:4, one at 1:6
    assert a.in_tier[0].tolist() == [0.0, 0.0, 4.0, 6.0]
    assert a.support_used[0] == 3.0 and a.assistants_used[0] == 3.0


def test_half_a_team_covers_part_of_the_patients():
    a = alloc(UK, 12, 2, 2, 2)  # support for one team of 1:6: the other ICU nurse stays at 1:2
    assert a.in_tier[0].tolist() == [0.0, 2.0, 6.0]
    assert a.uncovered[0] == 4.0


def test_tiers_beyond_the_surge_level_cover_patients_but_beyond_guidance():
    a = alloc(UK, 12, 2, 4, 4, surge=1.5)  # 1:6 is within guidance from twice normal capacity
    assert a.in_tier[0].tolist() == [0.0, 0.0, 12.0]
    assert a.within_guidance[0] == 4.0  # what 1:2 (within guidance) covers
    assert a.beyond_guidance[0] == 8.0
    assert alloc(UK, 3, 2, 0, 0, surge=0.5).within_guidance[0] == 2.0  # below normal capacity only 1:1 is within guidance


def test_team_need_and_capacity():
    support, assistants = team_need(UK, np.array([12.0, 4.0, 30.0]), np.array([2.0, 2.0, 2.0]))
    assert support.tolist() == [4.0, 0.0, 4.0]  # 12: two full teams; 4: 1:2 needs none; 30: the most diluted tier for all
    assert assistants.tolist() == [4.0, 0.0, 4.0]
    cap = capacity_within_guidance(
        UK, np.array([2.0, 2.0, 2.0]), np.array([4.0, 4.0, 0.0]), np.array([4.0, 4.0, 4.0]), np.array([4.0, 1.5, 4.0])
    )
    assert cap.tolist() == [12.0, 4.0, 4.0]


@pytest.mark.parametrize("t", [UK, BASE])
def test_capacity_within_guidance_daily_path_equals_the_allocation(t):
    """The daily call (one float per region) skips ``allocate``'s checks: the same capacity as the allocation's, with
    empty ICUs, unlimited support and the other shapes (a scalar, 2-D) still through ``allocate``."""
    rng = np.random.default_rng(3)
    nurses, support, assistants = rng.random(21) * 20, rng.random(21) * 30, rng.random(21) * 30
    nurses[:3], support[3] = 0.0, np.inf
    surge = rng.random(21) * 4
    want = allocate(t, np.full(21, np.inf), nurses, support, assistants, surge).within_guidance
    np.testing.assert_array_equal(capacity_within_guidance(t, nurses, support, assistants, surge), want)
    grid = capacity_within_guidance(t, nurses.reshape(3, 7), support.reshape(3, 7), assistants.reshape(3, 7), surge.reshape(3, 7))
    np.testing.assert_array_equal(grid.reshape(-1), want)
    assert capacity_within_guidance(t, 2.0, 4.0, 4.0, 4.0) == allocate(t, np.inf, 2.0, 4.0, 4.0, 4.0).within_guidance


def test_tier_patients_and_uncovered_add_up_and_more_staff_never_cover_fewer():
    rng = np.random.default_rng(0)
    n = 2000
    patients, nurses = rng.uniform(0, 60, n), rng.uniform(0, 20, n)
    support, assistants, surge = rng.uniform(0, 20, n), rng.uniform(0, 20, n), rng.uniform(0, 5, n)
    for t in (UK, BASE):
        a = allocate(t, patients, nurses, support, assistants, surge)
        assert np.allclose(a.in_tier.sum(axis=1) + a.uncovered, patients)
        assert (a.in_tier >= -1e-12).all() and (a.uncovered >= 0).all()
        assert (a.support_used <= support + 1e-9).all() and (a.assistants_used <= assistants + 1e-9).all()
        assert (a.in_tier.sum(axis=1) / t.ratio.min() >= -1e-9).all()
        assert np.allclose(a.within_guidance + a.beyond_guidance, a.in_tier.sum(axis=1))
        for more in ({"support": support + 3}, {"assistants": assistants + 3}, {"nurses": nurses + 1}):
            b = allocate(t, patients, more.get("nurses", nurses), more.get("support", support), more.get("assistants", assistants), surge)
            assert (b.uncovered <= a.uncovered + 1e-9).all(), more
            assert (b.within_guidance >= a.within_guidance - 1e-9).all(), more


# --------------------------------------------------------------------------- runs under common random numbers


@pytest.fixture(scope="module")
def runs() -> dict:
    teams = sim.MobilisationModel(scenario=BASELINE, seed=3, **SMALL)
    out = {"teams_model": teams, "roles_ok": True}
    s, w = teams.world.staff, teams.world
    while teams.running:
        teams.step()
        at_icu = w.workplace_kind[s.workplace] == ICU
        others = np.flatnonzero(at_icu & ~np.isin(s.profession, (ICU_NURSE, ICU_PHYSICIAN)))
        out["roles_ok"] &= bool((s.role[others] == s.profession[others]).all())  # support staff in their own role
    out["teams"] = teams.result()
    out["no_assistants"] = sim.run(BASELINE, seed=3, **SMALL, **{"levers.icu_upskilling.assistant_nurse_days": None})
    out["no_tiers"] = sim.run(BASELINE, seed=3, **SMALL, **{"safety.icu_tiers": []})
    return out


def test_tier_days_and_uncovered_add_up_to_the_icu_patient_days(runs):
    result = runs["teams"]
    s, icu = result.summary.iloc[0], result.daily.icu
    tiers_days = sum(s[f"icu_patient_days_tier{k}"] for k in range(1, 5))
    assert tiers_days + s["icu_patient_days_uncovered"] == pytest.approx(icu["icu_patients"].sum())
    assert s["unsafe_icu_patient_days"] == pytest.approx(s["icu_patient_days_uncovered"] + s["icu_patient_days_beyond_guidance"])
    assert (icu["beds_staffed"] <= icu["beds_open"] + 1e-9).all()
    assert s["icu_patient_days_tier3"] > 0, "Stockholm's teams work at 1:4 at the peak"


def test_support_assistants_lower_uncovered_and_unsafe_icu_days(runs):
    on, off = runs["teams"].summary.iloc[0], runs["no_assistants"].summary.iloc[0]
    assert off["icu_patient_days_tier3"] + off["icu_patient_days_tier4"] == 0, "no team without assistants"
    assert on["unsafe_icu_patient_days"] < off["unsafe_icu_patient_days"]
    assert on["icu_patient_days_uncovered"] <= off["icu_patient_days_uncovered"]


def test_without_tiers_the_minimum_ratio_model_and_no_tier_columns(runs):
    result = runs["no_tiers"]
    icu = result.daily.icu
    assert not [c for c in icu.columns if c.startswith("tier_")] and "icu_patient_days_uncovered" not in result.summary
    ratio = result.scenario.safety.icu_min_nurse_ratio
    assert np.allclose(icu["unsafe_patients"], np.maximum(icu["icu_patients"] - icu["icu_nurses"] / ratio, 0.0))


def test_trained_staff_work_in_the_icu_in_their_own_role(runs):
    assert runs["roles_ok"]
    assert runs["teams"].summary["upskilled_in_icu_peak"].iloc[0] > 0
    units = runs["teams"].daily.units
    icu = units[(units["unit_kind"] == "icu") & (units["region"] == "stockholm")]
    roles = set(icu.loc[icu["staff_at_work"] > 0, "profession"].astype(str))
    assert {"assistant_nurse", "anaesthesia_nurse"} <= roles  # anaesthesia nurses are trained first


def test_trained_staff_leave_the_icu_gradually_not_on_the_day_of_crisis_exit(runs):
    """Without tiers everyone trained leaves Stockholm's ICU the day it steps down from crisis; with teams they follow its need."""
    for name, most in (("teams", 0.35), ("no_tiers", None)):
        regions = runs[name].daily.regions
        sto = regions[regions["region"] == "stockholm"].set_index("date")
        crisis = np.flatnonzero(sto["level"].cat.codes.to_numpy() == CRISIS)
        assert crisis.size and crisis[-1] + 1 < len(sto)
        trained = sto["upskilled_in_icu"].to_numpy()
        before, after = trained[crisis[-1]], trained[crisis[-1] + 1]
        if most is None:
            assert before > 0 and after == 0
        else:
            assert before - after <= most * trained.max()
            assert (-np.diff(trained)).max() <= most * trained.max(), "no day loses more than a third of the peak"


# --------------------------------------------------------------------------- bad tiers refused


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("safety.icu_tiers.1.patients_per_icu_nurse", "0.9", "greater than or equal to 1"),
        ("safety.icu_tiers.2.patients_per_icu_nurse", "1.5", "must be above that of tier 1"),
        ("safety.icu_tiers.3.support_nurses_per_icu_nurse", "-1", "greater than or equal to 0"),
        ("safety.icu_tiers.3.assistants_per_icu_nurse", "0.5", "must be at least that of tier 2"),
        ("safety.icu_tiers.3.from_surge", "1.5", "must be at least that of tier 2"),
        ("safety.icu_tiers.0.support_nurses_per_icu_nurse", "1", "the first tier is the normal one"),
        ("safety.icu_tiers.2.name", '"one_to_two"', "used twice"),
        ("safety.icu_tiers.1.name", '"One to two"', "should match pattern"),
    ],
)
def test_bad_tiers_are_refused_with_the_key(key, value, fragment):
    if key.startswith("safety.icu_tiers.0."):
        key_seen = "safety.icu_tiers.0"
        from sim.scenario import ScenarioError, load_scenario

        with pytest.raises(ScenarioError) as info:
            load_scenario(BASELINE, set_values=[f"{key}={value}"])
        assert info.value.key == key_seen and fragment in info.value.message
        return
    refused(BASELINE, key, value, fragment)


def test_staffed_beds_follow_the_tiers(runs):
    """Only the 1:1 tier: fewer staffed beds and more patients above them than with the baseline's tiers (same seed)."""
    one = [{"name": "one_to_one", "patients_per_icu_nurse": 1.0, "from_surge": 0.0}]
    strict = sim.run(BASELINE, seed=3, **SMALL, **{"safety.icu_tiers": one})
    loose = runs["teams"]
    assert strict.daily.icu["beds_staffed"].sum() < loose.daily.icu["beds_staffed"].sum()
    above = "icu_patient_days_above_staffed_beds"
    assert strict.summary[above].iloc[0] > loose.summary[above].iloc[0]
    assert strict.summary["unsafe_icu_patient_days"].iloc[0] > loose.summary["unsafe_icu_patient_days"].iloc[0]


def test_pool_nurses_work_in_icu_teams_in_their_own_role():
    """With ICU teams the pool's anaesthesia and registered nurses go to the ICU as support nurses, at effectiveness 1."""
    m = sim.MobilisationModel(scenario=ROOT / "scenarios" / "strategies" / "national_pool_large.toml", seed=3, **SMALL)
    s, w = m.world.staff, m.world
    support = (PROFESSIONS.index("anaesthesia_nurse"), PROFESSIONS.index("registered_nurse"))
    seen = 0
    while m.running:
        m.step()
        posted = np.flatnonzero((s.posting >= 0) & np.isin(s.profession, support) & (s.status == 0))
        if posted.size:
            assert (w.workplace_kind[s.posting[posted]] == ICU).all()
            assert (s.role[posted] == s.profession[posted]).all() and (s.posting_effectiveness[posted] == 1.0).all()
            seen += posted.size
    assert seen > 0
