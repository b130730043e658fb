"""The memo's staffing measures for nursing homes and home care as levers (issue #16, item 4).

Fewer hourly staff (``nursing_home_measures.hourly_share_cut``), stable teams from a date, cooperation between the
homes of a cluster (``home_cooperation``), the regions' mobile teams (``mobile_teams``) and more registered nurses in
municipal care (``licensed_staff``): the direction of each under common random numbers (same seed, lever on against
off), their rules day by day, that cooperation neither loses nor duplicates anyone, and clear errors on bad input.
Small models (3–5 % scale, 1 March – 15 May 2020).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.categories import HOME_CARE, NURSING_HOME, PERMANENT, POSTINGS, PRIMARY_CARE, PROFESSIONS, RESERVE
from sim.levers.home_cooperation import clusters_of
from sim.recorder import LATELY_DAYS
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "sweden_spring2020.toml"
SMALL = {"world.scale": 0.03, "time.end": "2020-05-15"}
RN = PROFESSIONS.index("registered_nurse")
COOPERATION = POSTINGS.index("cooperation")
#: none of the issue-#16 measures: the arm "off" of each comparison switches one of them on
NONE = {
    "levers.nursing_home_measures.stable_teams": False,
    "levers.home_cooperation.enabled": False,
    "levers.mobile_teams.enabled": False,
}


def make(seed: int = 1, **overrides) -> sim.MobilisationModel:
    return sim.MobilisationModel(scenario=BASELINE, seed=seed, **{**SMALL, **overrides})


def run(**overrides) -> sim.Result:
    return make(**overrides).run()


def summary(result: sim.Result, column: str) -> float:
    return result.summary[column].iloc[0]


def home_coverage(result: sim.Result) -> float:
    units = result.daily.units
    homes = units[units["unit_kind"] == "nursing_home"]
    return float(homes["supplied_hours"].sum() / homes["required_hours"].sum())


@pytest.fixture(scope="module")
def none_small() -> sim.Result:
    return run(**NONE)


# --------------------------------------------------------------------------- fewer hourly staff, stable teams


def test_hourly_share_cut_keeps_that_share_in_reserve_and_saves_less_than_the_ban(none_small):
    m = make(**{**NONE, "levers.nursing_home_measures.hourly_share_cut": 0.5})
    hourly, s = m.world.hourly_home_staff, m.world.staff
    measures = m.lever("nursing_home_measures")
    cut = set(measures.cut.tolist())
    shares = []
    while m.running:
        m.step()
        on = m.levels >= 1
        mine = hourly[on[s.region[hourly]]]
        if mine.size:
            reserve = mine[s.status[mine] == RESERVE]
            assert set(reserve.tolist()) <= cut, "only the drawn hourly staff are kept out"
            shares.append(reserve.size / mine.size)
    assert shares and 0.3 < max(shares) < 0.7
    half = m.result()
    ban = run(**{**NONE, "levers.nursing_home_measures.ban_hourly_temps": True})
    assert summary(ban, "cost_banned_temps_saved_msek") < summary(half, "cost_banned_temps_saved_msek") < 0
    assert summary(none_small, "cost_banned_temps_saved_msek") == 0
    assert summary(half, "cost_overtime_msek") > summary(none_small, "cost_overtime_msek")


def test_stable_teams_from_a_date_hold_in_every_region_whatever_its_level(none_small):
    res = run(**{**NONE, "levers.nursing_home_measures.stable_teams": True})  # stable_teams_from = 1 April (the baseline's)
    share = res.daily.nursing_homes.pivot(index="date", columns="region", values="hourly_staff_multi_home_share")
    settled = share.index >= np.datetime64("2020-04-01") + np.timedelta64(LATELY_DAYS, "D")
    assert (share[settled].to_numpy() == 0).all()
    before = share.index < np.datetime64("2020-04-01")
    assert (share[before].to_numpy() > 0).any(), "before the date hourly staff still move"
    without = none_small.daily.nursing_homes.pivot(index="date", columns="region", values="hourly_staff_multi_home_share")
    assert (without[settled].to_numpy() > 0).any()


# --------------------------------------------------------------------------- cooperation between homes

EAGER = {  # more shortages at 5 % scale, so that homes lend each other
    "world.scale": 0.05,
    "levers.home_cooperation.enabled": True,
    "levers.home_cooperation.short_below": 1.15,
    "levers.home_cooperation.lender_keeps": 1.2,
}


def test_clusters_are_within_a_municipality_and_of_the_size_asked():
    m = make(**{"world.scale": 0.05})
    w = m.world
    cluster = clusters_of(w.muni_home_start, w.muni_homes, w.workplace_home, 3)
    muni = w.workplace_municipality[w.home_workplace]
    for c in np.unique(cluster[cluster >= 0]):
        members = np.flatnonzero(cluster == c)
        assert 2 <= members.size <= 4
        assert np.unique(muni[members]).size == 1
    lone = np.flatnonzero(cluster < 0)
    assert all(np.count_nonzero(muni == muni[h]) == 1 for h in lone), "only a municipality's single home has no partner"


def test_clusters_are_numbered_as_one_municipality_at_a_time():
    """clusters_of (all municipalities at once, issue #18) numbers the clusters as a loop over the municipalities does:
    each one's homes in groups of the size in workplace order, a last group of one joining the group before."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        per_muni = rng.integers(0, 8, rng.integers(1, 25))
        start = np.concatenate([[0], np.cumsum(per_muni)])
        workplace_home = np.concatenate([np.full(5, -1), rng.permutation(int(start[-1]))])
        muni_homes = 5 + rng.permutation(int(start[-1]))
        size = int(rng.integers(2, 6))
        expected = np.full(workplace_home.max() + 1, -1, dtype=np.int64)
        next_id = 0
        for m in range(per_muni.size):
            homes = workplace_home[muni_homes[start[m] : start[m + 1]]]
            if homes.size < 2:
                continue
            group = np.arange(homes.size) // size
            if homes.size % size == 1:
                group[-1] = group[-2]
            expected[homes] = next_id + group
            next_id += int(group[-1]) + 1
        assert np.array_equal(clusters_of(start, muni_homes, workplace_home, size), expected)


@pytest.fixture(scope="module")
def cooperation() -> dict:
    """An eager cooperation run, every act checked: staff conserved, the rules kept."""
    m = make(**{**NONE, **EAGER})
    w, s, lv = m.world, m.world.staff, m.lever("home_cooperation")
    cfg = m.config.levers.home_cooperation
    act = lv.act
    trace = {"model": m, "moved": 0}

    def checked_act(model, day):
        status, home = s.status.copy(), s.home.copy()
        at = np.bincount(lv.cluster[w.workplace_home[s.workplace[lv.counted]]].clip(0), minlength=lv.cluster.max() + 1)
        before = s.posting.copy()
        act(model, day)
        assert (s.status == status).all() and (s.home == home).all(), "nobody changes status or own home by cooperation"
        new = np.flatnonzero((s.posting_kind == COOPERATION) & (before < 0) & (s.posting >= 0))
        if new.size:
            assert (s.contract[new] == PERMANENT).all() and (w.workplace_kind[s.home[new]] == NURSING_HOME).all()
            frm, to = w.workplace_home[s.home[new]], w.workplace_home[s.workplace[new]]
            assert (frm != to).all() and (lv.cluster[frm] == lv.cluster[to]).all(), "moves stay within the cluster"
            assert (s.last_other_home_day[new] == day).all()
            assert (s.role[new] == s.profession[new]).all()
            trace["moved"] += new.size
        after = np.bincount(lv.cluster[w.workplace_home[s.workplace[lv.counted]]].clip(0), minlength=lv.cluster.max() + 1)
        assert (after == at).all(), "staff at the homes of each cluster are neither lost nor duplicated"
        assert (lv.lent_out <= np.floor(cfg.max_share_out * lv.heads) + 1e-9).all()

    lv.act = checked_act
    trace["result"] = m.run()
    return trace


def test_cooperation_moves_staff_in_blocks_within_the_cluster(cooperation):
    res, m = cooperation["result"], cooperation["model"]
    moves = res.events.cooperation_moves
    assert cooperation["moved"] > 0 and int(moves["count"].sum()) == cooperation["moved"]
    assert summary(res, "cooperation_staff_moved") == cooperation["moved"]
    assert (moves["days"] == m.config.levers.home_cooperation.block_days).all()
    assert summary(res, "cooperation_staff_days") > summary(res, "cooperation_staff_moved"), "a block lasts several days"
    cost = m.config.levers.home_cooperation.coordination_sek_per_move * cooperation["moved"] / 1e6
    assert summary(res, "cost_cooperation_msek") == pytest.approx(cost)


def test_cooperation_raises_home_coverage_and_replaces_hourly_moves():
    off = run(**{**NONE, "world.scale": 0.05})
    on = run(**{**NONE, **EAGER})
    assert home_coverage(on) > home_coverage(off)
    share = "hourly_staff_multi_home_share"
    assert on.daily.nursing_homes[share].mean() < off.daily.nursing_homes[share].mean()


# --------------------------------------------------------------------------- mobile teams


def test_mobile_teams_send_primary_care_nurses_to_outbreaks_and_lower_their_transmission():
    overrides = {**NONE, "levers.mobile_teams.enabled": True, "levers.mobile_teams.transmission_factor": 0.5}
    m = make(**overrides)
    w, s, lv = m.world, m.world.staff, m.lever("mobile_teams")
    cfg = m.config.levers.mobile_teams
    act = lv.act
    sent_days = []

    def checked_act(model, day):
        base = model.nh_transmission.copy()
        act(model, day)
        sent = np.flatnonzero((w.workplace_kind[s.workplace] == NURSING_HOME) & (w.workplace_kind[s.home] == PRIMARY_CARE))
        homes = w.workplace_home[s.workplace[sent]]
        assert (s.profession[sent] == RN).all() and (model.nh_infected[homes] > 0).all()
        assert (w.home_region[homes] == s.region[sent]).all(), "a region's nurses go to its own homes"
        outbreaks = np.bincount(w.home_region[model.nh_infected > 0], minlength=w.n_regions)
        assert (np.bincount(s.region[sent], minlength=w.n_regions) <= np.round(cfg.nurses_per_outbreak_home * outbreaks)).all()
        with_team = np.unique(homes)
        np.testing.assert_allclose(model.nh_transmission[with_team], base[with_team] * 0.5)
        others = np.setdiff1d(np.arange(base.size), with_team)
        np.testing.assert_array_equal(model.nh_transmission[others], base[others])
        to_home_care = (w.workplace_kind[s.workplace] == HOME_CARE) & (w.workplace_kind[s.home] == PRIMARY_CARE)
        sent_days.append(sent.size + int(to_home_care.sum()))  # home care's infected clients get teams too

    lv.act = checked_act
    on = m.run()
    assert sum(sent_days) > 0 and summary(on, "mobile_team_nurse_days") == sum(sent_days)
    assert "cost_mobile_teams_msek" not in on.summary  # the regions' own nurses: nothing above payroll
    off = run(**NONE)
    assert summary(on, "resident_infections") < summary(off, "resident_infections")


def test_mobile_teams_serve_home_care_with_infected_clients():
    """With the home-care model's infected clients (``model.hc_infected``), nurses go to those municipalities' home care."""
    m = make(**{**NONE, "levers.mobile_teams.enabled": True, "levers.mobile_teams.national_from": "2020-03-01"})
    w, s = m.world, m.world.staff
    n_muni = w.municipality_region.shape[0]
    m.step()  # day 0: the lever acts (national window), no home-care model yet
    m.hc_infected = np.zeros(n_muni, dtype=np.int64)
    infected = np.array([0, n_muni // 2])
    m.hc_infected[infected] = 3
    m.nh_infected[:] = 0  # no outbreak in homes: every nurse sent goes to home care
    m.hc_transmission_factor = np.ones(n_muni)
    s.workplace[:] = s.home  # as reset_placement leaves them
    m.lever("mobile_teams").act(m, 1)
    hc = np.flatnonzero((w.workplace_kind[s.workplace] == HOME_CARE) & (w.workplace_kind[s.home] == PRIMARY_CARE))
    served = w.workplace_municipality[s.workplace[hc]]
    assert set(served.tolist()) == set(infected.tolist())
    assert (w.municipality_region[served] == s.region[hc]).all()
    factor = m.config.levers.mobile_teams.transmission_factor
    np.testing.assert_allclose(m.hc_transmission_factor[infected], factor)
    assert (np.delete(m.hc_transmission_factor, infected) == 1).all()


def test_regional_support_is_refused_with_a_pointer_to_mobile_teams():
    for key in ("regional_support=true", "support_nurses_per_outbreak_home=1.0"):
        with pytest.raises(ScenarioError) as info:
            load_scenario(BASELINE, set_values=[f"levers.nursing_home_measures.{key}"])
        assert info.value.key.startswith("levers.nursing_home_measures.")
        assert "[levers.mobile_teams]" in info.value.message


# --------------------------------------------------------------------------- more registered nurses


def test_licensed_staff_join_after_the_lead_time_and_raise_home_coverage(none_small):
    overrides = {
        **NONE,
        "levers.licensed_staff.enabled": True,
        "levers.licensed_staff.nurses_per_100_residents": 4.0,
        "levers.licensed_staff.lead_time_days": 14,
    }
    m = make(**overrides)
    w, s, lv = m.world, m.world.staff, m.lever("licensed_staff")
    nurses = lv.nurses
    cfg = m.config.levers.licensed_staff
    residents = np.bincount(w.home_region, weights=w.home_residents, minlength=w.n_regions)
    in_homes = nurses[w.workplace_kind[s.home[nurses]] == NURSING_HOME]
    per_region = np.bincount(s.region[in_homes], minlength=w.n_regions)
    np.testing.assert_array_equal(per_region, np.round(cfg.nurses_per_100_residents / 100 * residents))
    assert (s.profession[nurses] == RN).all() and (s.employer[nurses] == 1).all()
    assert (w.workplace_region[s.home[nurses]] == s.region[nurses]).all()
    assert (w.workplace_kind[s.home[nurses]] != HOME_CARE).any() or nurses.size == 0
    while m.running:
        m.step()
        if m.day - 1 < lv.first:
            assert (s.status[nurses] == RESERVE).all() and (s.hours_worked[nurses] == 0).all()
    assert np.count_nonzero(s.status[nurses] != RESERVE) == nurses.size
    on = m.result()
    assert summary(on, "licensed_nurses_added") == nurses.size > 0
    assert summary(on, "cost_licensed_staff_msek") > 0
    assert home_coverage(on) > home_coverage(none_small)


def test_licensed_staff_are_off_in_the_baseline_and_add_no_rows():
    sc = load_scenario(BASELINE)
    assert not sc.levers.licensed_staff.enabled
    off = make()
    assert off.lever("licensed_staff") is None and len(off.world.staff) == make(**NONE).world.staff.__len__()


# --------------------------------------------------------------------------- the baseline and bad input


def test_the_baseline_takes_the_spring_2020_measures():
    lv = load_scenario(BASELINE).levers
    assert lv.nursing_home_measures.stable_teams and lv.nursing_home_measures.stable_teams_from is not None
    assert lv.home_cooperation.enabled and lv.mobile_teams.enabled and not lv.licensed_staff.enabled
    no_action = load_scenario(ROOT / "scenarios" / "no_action.toml").levers
    assert not (no_action.home_cooperation.enabled or no_action.mobile_teams.enabled or no_action.licensed_staff.enabled)


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("levers.nursing_home_measures.hourly_share_cut", "1.5", "less than or equal to 1"),
        ("levers.home_cooperation.cluster_size", "1", "greater than or equal to 2"),
        ("levers.home_cooperation.lender_keeps", "0.9", "expected at least short_below"),
        ("levers.home_cooperation.max_share_out", "-0.1", "greater than or equal to 0"),
        ("levers.home_cooperation.block_days", "0", "greater than or equal to 1"),
        ("levers.mobile_teams.transmission_factor", "2", "less than or equal to 1"),
        ("levers.mobile_teams.nurses_per_outbreak_home", "-1", "greater than or equal to 0"),
        ("levers.licensed_staff.lead_time_days", "-1", "greater than or equal to 0"),
        ("levers.licensed_staff.nurses_per_100_residents", "-1", "greater than or equal to 0"),
    ],
)
def test_bad_input_is_refused_with_the_key(key, value, fragment):
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, set_values=[f"{key}={value}"])
    assert info.value.key == key
    assert fragment in info.value.message, info.value.message


def test_same_seed_same_result_with_every_measure_on():
    overrides = {**EAGER, "levers.licensed_staff.enabled": True, "levers.nursing_home_measures.hourly_share_cut": 0.3}
    a, b = run(**overrides), run(**overrides)
    assert a.summary.equals(b.summary)
    assert a.events.cooperation_moves.equals(b.events.cooperation_moves)
    assert (a.daily.nursing_homes["infected_residents"] == b.daily.nursing_homes["infected_residents"]).all()
    assert a.summary["staff_employed"].iloc[0] == b.summary["staff_employed"].iloc[0]


def test_nursing_home_agents_show_their_cluster_and_staff_at_work():
    from sim.agents import NursingHome

    m = make(**{"world.scale": 0.05})
    m.step()
    homes = list(m.agents_by_type[NursingHome])
    lv = m.lever("home_cooperation")
    assert [h.cluster for h in homes] == lv.cluster.tolist()
    assert sum(h.staff_at_work for h in homes) > 0
    off = make(**{**NONE, "world.scale": 0.05})
    assert {h.cluster for h in list(off.agents_by_type[NursingHome])} == {-1}
