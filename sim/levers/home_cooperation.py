"""Nursing homes of a cluster keep each other staffed with planned moves of permanent staff (``[levers.home_cooperation]``).

The memo (IVO's review, May 2020): "Samarbeten mellan kommunala verksamheter (särskilda boenden) för att upprätthålla
bemanningen och minska rörligheten av personal har ökat". Unlike the random daily moves of hourly staff across a
municipality (``hourly_staff_moves``), cooperation is planned and bounded:

- **Clusters** are fixed at setup from the layout: the homes of a municipality, in workplace order, split into groups
  of ``cluster_size`` (a last group of one joins the group before it; a municipality with one home has no partner).
- **Short** is a home whose coverage in a role (registered nurse, assistant nurse, care aide) falls below
  ``short_below`` today: the most hours its staff at work there can give (``max_hours`` × effectiveness, active staff
  placed in the home) over the hours its residents need in that role (``model.required``).
- A short home borrows permanent staff of that role from the homes of its cluster with spare coverage, enough to bring
  it up to ``short_below``. A **lender** keeps coverage of at least ``lender_keeps`` after lending and has at most
  ``max_share_out`` of its permanent staff of the role out at once; lenders with most to spare give first, staff in
  their fixed priority order.
- A move is a **block** of ``block_days`` days in the one home (a posting, kind "cooperation"), not a daily draw; the
  worker is counted as having worked in several homes lately (``last_other_home_day``) on the day they move there and
  on the day they come back, not while they stay.
- Where it acts, cooperation **replaces** the random moves of hourly staff (``model.hourly_other_home_share`` is 0 there):
  gaps are filled by planned moves within the cluster.

Events: ``cooperation_moves`` (one row per block: day, region, municipality, from and to home, profession, count, days).
Indicators: ``cooperation_staff_moved`` (workers moved) and ``cooperation_staff_days`` (days they worked in the other
home). Cost (item ``cooperation``): ``coordination_sek_per_move`` per worker moved, booked on the day of the move
(the moved staff are the municipality's own, paid as usual: no pay above payroll).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from sim import kernels
from sim.categories import ACTIVE, N_PROFESSIONS, NURSING_HOME, PERMANENT, POSTINGS, PROFESSIONS
from sim.levers.base import IndicatorSpec, Lever, empty_events, post
from sim.schema import MAX_DAYS, CostSek, LeverConfig, Probability, _KeyedValueError, at_most
from sim.world import priority_order

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

COOPERATION = POSTINGS.index("cooperation")
MOVE_COLUMNS = ("day", "region", "municipality", "from_home", "to_home", "profession", "count", "days")


class HomeCooperationConfig(LeverConfig):
    """Homes in clusters lend each other permanent staff, in blocks of days, under rules.

    Per region (``[levers.home_cooperation.regions.<region>]``): ``enabled`` and ``start_level``; the rules are national.
    """

    cluster_size: Annotated[int, Field(ge=2), at_most(100, "homes", "a cluster is a few neighbouring homes")] = Field(
        3, description="homes per cluster: a municipality's homes in workplace order split into groups of this size"
    )
    short_below: Annotated[float, Field(gt=0.0), at_most(10.0, "", "ten times the need")] = Field(
        1.0,
        description="a home is short in a role when its staff at work can give less than this share of the hours its "
        "residents need (at their most hours); it borrows up to this share",
    )
    lender_keeps: Annotated[float, Field(gt=0.0), at_most(10.0, "", "ten times the need")] = Field(
        1.1, description="coverage a lending home keeps in the role after lending (its most hours over its need)"
    )
    max_share_out: Probability = Field(0.2, description="most of a home's permanent staff of a role lent out at once")
    block_days: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "days", "20 years")] = Field(
        14, description="days a lent worker stays in the borrowing home (one block, not daily moves)"
    )
    coordination_sek_per_move: CostSek = Field(0.0, description="cost of planning one worker's move (coordination), SEK")

    @model_validator(mode="after")
    def _lender_above_short(self) -> HomeCooperationConfig:
        if self.lender_keeps < self.short_below:
            raise _KeyedValueError(
                "lender_keeps",
                f"expected at least short_below ({self.short_below:g}): a lender would otherwise lend itself short, got {self.lender_keeps:g}",
            )
        return self


def clusters_of(muni_home_start: np.ndarray, muni_homes: np.ndarray, workplace_home: np.ndarray, size: int) -> np.ndarray:
    """Cluster index of every home (-1: no partner): each municipality's homes in workplace order, in groups of ``size``;
    a last group of one joins the group before it. Numbered by municipality, then group (for all municipalities at
    once, issue #18)."""
    cluster = np.full(workplace_home.max() + 1 if workplace_home.size else 0, -1, dtype=np.int64)
    n = np.diff(muni_home_start)  # homes per municipality
    groups = np.where(n >= 2, (n - 1) // size + 1 - (n % size == 1), 0)  # a municipality with one home has none
    first = np.cumsum(groups) - groups  # each municipality's first cluster
    place = np.arange(muni_home_start[-1] - muni_home_start[0]) - np.repeat(muni_home_start[:-1] - muni_home_start[0], n)
    group = np.minimum(place // size, np.repeat(groups, n) - 1)  # the last home of a group of one: the group before
    keep = np.repeat(n >= 2, n)
    homes = workplace_home[muni_homes[muni_home_start[0] : muni_home_start[-1]]]
    cluster[homes[keep]] = (np.repeat(first, n) + group)[keep]
    return cluster


class HomeCooperation(Lever):
    """Planned moves of permanent staff between the homes of a cluster (see the module docstring)."""

    name = "home_cooperation"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "cooperation_staff_moved",
            "Staff lent between homes of a cluster",
            "staff moved",
            None,
            "permanent nursing-home staff lent to a home of their cluster for a block of days, summed over moves (home_cooperation)",
        ),
        IndicatorSpec(
            "cooperation_staff_days",
            "Staff-days lent between homes",
            "staff-days",
            None,
            "days lent nursing-home staff worked in another home of their cluster (home_cooperation)",
        ),
    )
    events: ClassVar[dict[str, tuple[str, ...]]] = {"cooperation_moves": MOVE_COLUMNS}

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        world, s = model.world, model.world.staff
        n_homes = world.home_workplace.shape[0]
        self.cluster = clusters_of(world.muni_home_start, world.muni_homes, world.workplace_home, self.cfg.cluster_size)
        # everyone whose own workplace is a home (regular staff and rows added by levers): the supply a home counts
        self.counted = np.flatnonzero(world.workplace_kind[s.home] == NURSING_HOME)
        # lendable: regular permanent home staff, by (home, profession) and fixed priority
        nh = world.nursing_home_staff
        lend = nh[s.contract[nh] == PERMANENT]
        key = world.workplace_home[s.home[lend]].astype(np.int64) * N_PROFESSIONS + s.profession[lend]
        order = priority_order(s.priority[lend], key)
        self.lend_ids, lend_key = lend[order], key[order]
        self.lend_start = np.searchsorted(lend_key, np.arange(n_homes * N_PROFESSIONS + 1))
        self.heads = np.diff(self.lend_start).reshape(n_homes, N_PROFESSIONS)
        self.roles = np.unique(s.profession[nh]) if nh.size else np.zeros(0, dtype=np.int64)
        self.lent_out = np.zeros((n_homes, N_PROFESSIONS), dtype=np.int64)
        self.has_partner = self.cluster >= 0
        self.roles_int = self.roles.astype(np.int64)
        self.most_out = np.floor(self.cfg.max_share_out * self.heads[:, self.roles])  # most of each role a home lends at once
        # the homes of each cluster (CSR): cluster c is cluster_homes[cluster_start[c]:cluster_start[c + 1]]
        member = np.flatnonzero(self.cluster >= 0)
        by_cluster = member[np.argsort(self.cluster[member], kind="stable")]
        self.cluster_homes = by_cluster
        self.cluster_start = np.searchsorted(self.cluster[by_cluster], np.arange(int(self.cluster.max(initial=-1)) + 2))
        # staff lent out now, one entry each: id, lending home, borrowing workplace, role, last day in the other home
        self.out_ids = np.zeros(0, dtype=np.int64)
        self.out_from = np.zeros(0, dtype=np.int64)
        self.out_to = np.zeros(0, dtype=np.int64)
        self.out_role = np.zeros(0, dtype=np.int64)
        self.out_last = np.zeros(0, dtype=np.int64)
        self.moves: list[tuple] = []
        self.moved_today = np.zeros(world.n_regions)
        self.staff_days = np.zeros(world.n_regions)
        self.n_moved = 0

    def act(self, model: MobilisationModel, day: int) -> None:
        world, s = model.world, model.world.staff
        self.moved_today[:] = 0.0
        if self.out_ids.size:
            self._end_blocks(model, day)
        on = self.regions_on()
        model.hourly_other_home_share[on] = 0.0  # planned moves within the cluster instead of random ones
        home_on = on[world.home_region] & self.has_partner
        if home_on.any():
            self._lend(model, day, home_on)
        if self.out_ids.size:  # staff-days worked in the other home: the lent staff active there today, by region
            self.staff_days += kernels.present_by_region(
                ids=self.out_ids, place=self.out_to, status=s.status, workplace=s.workplace, region=s.region, n_regions=world.n_regions
            )

    def _end_blocks(self, model: MobilisationModel, day: int) -> None:
        """Blocks over today (``reset_placement`` sent their staff home): the move back counts as working in several homes."""
        s = model.world.staff
        over = self.out_last < day
        if not over.any():
            return
        ids = self.out_ids[over]
        back = ids[(s.status[ids] == ACTIVE) & (s.workplace[ids] == s.home[ids])]
        s.last_other_home_day[back] = day
        np.subtract.at(self.lent_out, (self.out_from[over], self.out_role[over]), 1)
        keep = ~over
        self.out_ids, self.out_from, self.out_to = self.out_ids[keep], self.out_from[keep], self.out_to[keep]
        self.out_role, self.out_last = self.out_role[keep], self.out_last[keep]

    def supply(self, model: MobilisationModel) -> np.ndarray:
        """(homes, professions): the most effective hours the staff at work in each home can give today."""
        world, s = model.world, model.world.staff
        return kernels.home_supply(
            ids=self.counted,
            status=s.status,
            workplace=s.workplace,
            role=s.role,
            hours=s.max_hours,
            effectiveness=s.effectiveness,
            workplace_home=world.workplace_home,
            n_homes=world.home_workplace.shape[0],
            n_professions=N_PROFESSIONS,
        )

    def _lend(self, model: MobilisationModel, day: int, home_on: np.ndarray) -> None:
        """Today's moves, all roles at once (columns of ``self.roles``): the rule of the module docstring, element by element
        as the loop over roles before issue #18 (its per-role steps are elementwise, so the same numbers)."""
        s, cfg, roles = model.world.staff, self.cfg, self.roles
        hph, cluster = model.hours_per_head, self.cluster
        # by home and role: the hours at work and needed, the coverage, the heads each home could lend today (its margin,
        # and its share out), and the short homes (role by role, homes in order) of clusters where some home can lend
        have, req, cov, spare, short_home, short_role = kernels.cluster_shortages(
            have=self.supply(model),
            required=model.required,
            home_workplace=model.world.home_workplace,
            roles=self.roles_int,
            home_on=home_on,
            cluster=cluster,
            n_clusters=self.cluster_start.shape[0] - 1,
            lent_out=self.lent_out,
            most_out=self.most_out,
            short_below=float(cfg.short_below),
            lender_keeps=float(cfg.lender_keeps),
            hours_per_head=float(hph),
        )
        if short_home.size == 0:
            return
        order = np.lexsort((cov[short_home, short_role], short_role))  # role by role, the shortest first (stable)
        short_home, short_role = short_home[order], short_role[order]
        # heads each short home asks for. A short home never lends (its margin is negative), so its coverage is
        # still today's when its turn comes: the Python loop before issue #18 updated it move by move to no effect
        wanted = np.ceil((cfg.short_below * req[short_home, short_role] - have[short_home, short_role]) / hph).astype(np.int64)
        ids, lender, borrower, role, count = kernels.lend_in_clusters(
            short=short_home,
            short_role=short_role,
            wanted=wanted,
            spare=spare,
            roles=self.roles_int,
            cluster=cluster,
            cluster_homes=self.cluster_homes,
            cluster_start=self.cluster_start,
            lend_ids=self.lend_ids,
            lend_start=self.lend_start,
            n_professions=N_PROFESSIONS,
            status=s.status,
            posting=s.posting,
            workplace=s.workplace,
            home=s.home,
        )
        if count.size:
            self._move(model, day, ids, lender, borrower, roles[role], count)

    def _move(
        self, model: MobilisationModel, day: int, ids: np.ndarray, frm: np.ndarray, to: np.ndarray, role: np.ndarray, count: np.ndarray
    ) -> None:
        """Today's moves: move m sends the next ``count[m]`` of ``ids`` from home ``frm[m]`` to home ``to[m]`` in ``role[m]``."""
        world, s = model.world, model.world.staff
        last = day + self.cfg.block_days - 1
        target = world.home_workplace[np.repeat(to, count)]
        post(model, ids, target=target, until=last + 1, kind=COOPERATION, role=np.repeat(role, count), effect=1.0)
        s.last_other_home_day[ids] = day
        np.add.at(self.lent_out, (frm, role), count)
        self.out_ids = np.concatenate([self.out_ids, ids])
        self.out_from = np.concatenate([self.out_from, np.repeat(frm, count)])
        self.out_to = np.concatenate([self.out_to, target])
        self.out_role = np.concatenate([self.out_role, np.repeat(role.astype(np.int64), count)])
        self.out_last = np.concatenate([self.out_last, np.full(ids.size, last, dtype=np.int64)])
        region = world.home_region[to]
        self.moved_today += np.bincount(region, weights=count, minlength=world.n_regions)  # whole numbers: exact in any order
        self.n_moved += int(count.sum())
        muni = world.workplace_municipality[world.home_workplace[to]]
        for f, t, p, r, mu, n in zip(frm, to, role, region.tolist(), muni.tolist(), count.tolist(), strict=True):
            self.moves.append((day, r, mu, f, t, p, n, self.cfg.block_days))

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        cost[:, recorder.cost_index["cooperation"]] += self.moved_today * self.cfg.coordination_sek_per_move

    def event_frames(self) -> dict[str, pd.DataFrame]:
        if not self.moves:
            return {"cooperation_moves": empty_events(MOVE_COLUMNS)}
        frame = pd.DataFrame(self.moves, columns=list(MOVE_COLUMNS))
        codes = self.model.world.regions["code"].to_numpy()
        frame["region"] = codes[frame["region"].to_numpy()]
        frame["profession"] = np.array(PROFESSIONS)[frame["profession"].to_numpy()]
        return {"cooperation_moves": frame}

    def summary(self, days: int) -> dict[str, float]:
        return {"cooperation_staff_moved": self.n_moved, "cooperation_staff_days": float(self.staff_days.sum())}
