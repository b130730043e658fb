"""Patient transfers: COVID ICU patients move from regions whose ICU is over its staffed beds to regions with room (``[levers.patient_transfers]``).

The alternative to moving staff (``loans``, ``national_pool``): move the patients. In spring 2020 ICU
patients were moved between regions under national coordination (``sim/data/regional/README.md``: the
source's caveat that patients were moved between regions; issue #13 names Stockholm and Sörmland).

Each day, after every other lever has placed its staff (the lever acts last in ``LEVERS``):

- a region's **staffed beds** are its open beds (``model.icu_beds_open``) that the ICU nurses placed today,
  at their most hours, can give the minimum safe ratio: ``icu_capacity()[:, ICU_NURSE] / 24 /
  safety.icu_min_nurse_ratio``, or with team-based ICU staffing (``safety.icu_tiers``) the patients the ICU nurses,
  support nurses and assistants placed there cover within guidance (``MobilisationModel.staffed_icu_beds``, the rule
  the model uses for ``icu_beds_staffed``);
- a region **sends** when it is at ``start_level`` (or inside a national window) and its ICU patients exceed
  ``trigger_share`` of its staffed beds: the excess, at most its own COVID ICU patients still in its own
  ICU (non-COVID patients and patients moved in are not moved again);
- a region **receives** up to ``receiver_max_share`` of its staffed beds, less the patients it has; a sender
  receives nothing;
- senders are served largest excess first, each from the receivers nearest by travel time over the region
  network (``sim.data.travel_hours()``) within ``max_travel_hours``, until the national transport capacity
  of the day (``daily_capacity × world.scale``) is used up. Nearest first, not the same health-care region
  first as loans do: a patient's transport time is the risk, Stockholm's own health-care region holds only
  Gotland (a 4.3-hour crossing, a small ICU), and the 2020 moves went from Stockholm to its neighbours
  (Sörmland, 1.4 h, is in another health-care region). Patients who stay above the trigger are counted as
  blocked by transport (a receiver with room was within reach had the capacity sufficed) or blocked for
  lack of a bed (no room within reach).

State: the stock ``moved[from, to]`` of patients in another region's ICU (model units). A moved patient stays
in the receiving ICU until discharged and is never moved back. Discharge is a daily probability, the
inverse of the mean of the demand's gamma stay (``demand.admissions``: median 12 days, shape 1.5, mean
15.2 days, so ≈6.6 % a day): an approximation, since the stay of a moved patient is not memoryless and
moved patients have already spent some of their stay. The sender's own demand curve keeps those patients
until they leave it by the demand's stay; the stock is therefore capped each day at the sender's own COVID
ICU patients (a region cannot have more of its patients elsewhere than its demand holds), which also
discharges them early from the receiving ICU. No patient is lost or duplicated: national COVID ICU patients
are the same with and without transfers on every day.

Where in the day:

1. ``adjust_demand`` (phase ``demand``, after the other levers' demand changes): the stock is discharged and
   capped, then the ICU census and COVID ICU patients of each region gain the patients moved in and lose
   those moved out; ``model.required`` follows from the census as for every unit. ``_forecast`` (phase
   ``escalate``) reads the non-COVID ICU patients as census − COVID ICU patients, which the lever moves
   together, so they stay right; to the COVID patients ahead of its own demand curve a region adds the patients
   moved in and takes away those moved out that will still be in the receiving ICU then
   (``model.icu_moved_net_ahead``; a trend forecast reads the recorded patients, which include them).
2. ``act`` (phase ``place``, last): today's moves; the census, COVID ICU patients and the ICU rows of
   ``model.required`` (census × ``world.norm``) are updated at once, so hours, pressure and the ICU's
   exposure are computed on the patients after the moves.
3. ``record``: the cost (``cost_per_transfer_sek`` per patient moved, paid by the sender: item ``transfers``)
   and the ICU frame's columns (``icu_columns``); the events (``transfers``) at the end of the run.

Amounts are in model units, as the census is: fractions of a patient at full scale are expected patients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from sim import data
from sim.levers.base import IndicatorSpec, Lever, empty_events
from sim.schema import CostSek, Factor, LeverConfig, PatientsPerDay, Probability, TravelHours

if TYPE_CHECKING:
    from sim.model import MobilisationModel
    from sim.recorder import Recorder

TRANSFER_COLUMNS = ("day", "from_region", "to_region", "patients", "hours")
SMALLEST_MOVE = 1e-9  # patients (model units): smaller amounts are rounding, not moves


def mean_stay_days(median_days: float, shape: float) -> float:
    """Mean of a gamma stay of this median and shape (days): shape × scale, the scale following from the median."""
    from scipy import stats

    return float(shape * median_days / stats.gamma.median(shape))


class PatientTransfersConfig(LeverConfig):
    """Move COVID ICU patients from regions over their staffed beds to regions with room, nearest first.

    Per region (``[levers.patient_transfers.regions.<region>]``): ``enabled`` (a region where it is off neither sends
    nor receives), ``start_level`` (when it sends), ``trigger_share`` and ``receiver_max_share``. The reach, the
    transport capacity and the cost are national.
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "trigger_share", "receiver_max_share")

    trigger_share: Factor = Field(
        1.0, description="a region sends patients out while its ICU patients exceed this share of its staffed beds (1 = full)"
    )
    receiver_max_share: Probability = Field(0.85, description="a region receives patients up to this share of its staffed beds")
    max_travel_hours: TravelHours = Field(4.0, description="longest transfer over the region network, hours")
    daily_capacity: PatientsPerDay = Field(
        20.0,
        description="ICU patients the country can move a day at full scale (transport teams, ambulances, aircraft); scaled by world.scale",
    )
    cost_per_transfer_sek: CostSek = Field(40_000.0, description="cost of moving one ICU patient, SEK, paid by the sending region")


class PatientTransfers(Lever):
    """Transfers of ICU patients between regions (``moved``: the stock of patients in another region's ICU)."""

    name = "patient_transfers"
    events: ClassVar[dict[str, tuple[str, ...]]] = {"transfers": TRANSFER_COLUMNS}
    icu_columns: ClassVar[tuple[str, ...]] = (
        "patients_moved_in",
        "patients_moved_out",
        "transfers_in",
        "transfers_out",
        "transfer_blocked_by_capacity",
        "transfer_blocked_no_bed",
    )
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "patients_transferred",
            "ICU patients transferred",
            "patients",
            None,
            "COVID ICU patients moved to another region's ICU, summed over days",
            ("compare", "report"),
        ),
        IndicatorSpec(
            "transfer_blocked_by_capacity",
            "Transfers blocked by transport",
            "patient-days",
            True,
            "patient-days above the transfer trigger, in regions at the lever's level, that a receiver within reach had room for "
            "beyond the day's transport capacity",
        ),
        IndicatorSpec(
            "transfer_blocked_no_bed",
            "Transfers blocked for lack of a bed",
            "patient-days",
            True,
            "patient-days above the transfer trigger, in regions at the lever's level, with no receiver's room within max_travel_hours",
        ),
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        world, n = model.world, model.world.n_regions
        self.codes = list(world.regions["code"])
        self.hours = data.travel_hours().loc[self.codes, self.codes].to_numpy()
        reach = self.hours <= self.cfg.max_travel_hours
        # receivers of each sender, nearest first (stable: the data's region order breaks ties)
        self.receivers = [[int(t) for t in np.argsort(self.hours[f], kind="stable") if t != f and reach[f, t]] for f in range(n)]
        admissions = model.config.demand.admissions
        self.discharge = 1.0 / mean_stay_days(admissions.stay_median_days, admissions.stay_shape)
        self.capacity = self.cfg.daily_capacity * model.config.world.scale
        self.moved = np.zeros((n, n))  # patients of region `from` in the ICU of region `to`, model units
        self.today = np.zeros((n, n))
        self.blocked_capacity = np.zeros(n)
        self.blocked_no_bed = np.zeros(n)
        self.transfers: list[dict] = []

    # ------------------------------------------------------------------ the day
    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        """Discharge the stock, cap it at each sender's own COVID ICU patients, and move it in the census."""
        self.moved *= 1.0 - self.discharge
        own = model.covid_icu_today  # each region's own COVID ICU patients (its demand curve)
        away = self.moved.sum(axis=1)
        over = away > own
        if over.any():
            self.moved[over] *= (own[over] / away[over])[:, None]
        self._shift(model, self.moved)
        # what the regions' forecasts (MobilisationModel._forecast) add to their own epidemic: the moved patients
        # still in the receiving ICU horizon_days ahead, in and out
        still = (1.0 - self.discharge) ** model.config.escalation.horizon_days
        model.icu_moved_net_ahead = (self.moved.sum(axis=0) - self.moved.sum(axis=1)) * still

    def at_rest(self, model: MobilisationModel) -> bool:
        """No moved patient is still in another region's ICU (issue #17's quiet path): the moved stock falls by the
        discharge rate and never reaches zero, so below a hundredth of a patient (model units) counts as none."""
        return float(self.moved.sum()) < 0.01

    def act(self, model: MobilisationModel, day: int) -> None:
        """Today's moves: senders over the trigger, largest first, to the nearest receivers with room, within the capacity."""
        on = self.regions_on()
        if not on.any():  # no sender: no move, nothing blocked (the same zeros as the rule below gives, without its sums)
            n = model.world.n_regions
            self.today, self.blocked_capacity, self.blocked_no_bed = np.zeros((n, n)), np.zeros(n), np.zeros(n)
            return
        patients = model.census[model.icu_ids]
        staffed = self.staffed_beds(model)
        movable = np.maximum(model.covid_icu_today - self.moved.sum(axis=0), 0.0)  # own COVID patients still at home
        cfg = self.cfg
        trigger = self.per_region("trigger_share") if cfg.regions else cfg.trigger_share
        receive = self.per_region("receiver_max_share") if cfg.regions else cfg.receiver_max_share
        excess = np.minimum(np.maximum(patients - trigger * staffed, 0.0), movable)
        excess[~on] = 0.0
        room = np.maximum(receive * staffed - patients, 0.0)
        room[excess > 0] = 0.0
        if cfg.regions:  # a region where the lever is off receives no patients either
            room[~self.per_region("enabled")] = 0.0
        self.today = self.match(excess, room, self.capacity)
        reachable = self.match(excess, room, np.inf).sum(axis=1)  # what unlimited transport would have moved
        sent = self.today.sum(axis=1)
        self.blocked_capacity = np.maximum(reachable - sent, 0.0)
        self.blocked_no_bed = np.maximum(excess - reachable, 0.0)
        if sent.any():
            self.moved += self.today
            self._shift(model, self.today)
            icu = model.icu_ids
            model.required[icu] = model.census[icu, None] * model.world.norm[icu]
            for f, t in zip(*np.nonzero(self.today), strict=True):
                self.transfers.append(
                    {
                        "day": day,
                        "from_region": self.codes[f],
                        "to_region": self.codes[t],
                        "patients": float(self.today[f, t]),
                        "hours": float(self.hours[f, t]),
                    }
                )

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        cost[:, recorder.cost_index["transfers"]] += self.today.sum(axis=1) * self.cfg.cost_per_transfer_sek
        columns = recorder.lever_icu
        columns["patients_moved_in"][day] = self.moved.sum(axis=0)
        columns["patients_moved_out"][day] = self.moved.sum(axis=1)
        columns["transfers_in"][day] = self.today.sum(axis=0)
        columns["transfers_out"][day] = self.today.sum(axis=1)
        columns["transfer_blocked_by_capacity"][day] = self.blocked_capacity
        columns["transfer_blocked_no_bed"][day] = self.blocked_no_bed

    def event_frames(self) -> dict[str, pd.DataFrame]:
        rows = self.transfers
        return {"transfers": pd.DataFrame(rows, columns=list(TRANSFER_COLUMNS)) if rows else empty_events(TRANSFER_COLUMNS)}

    # ------------------------------------------------------------------ helpers
    def staffed_beds(self, model: MobilisationModel) -> np.ndarray:
        """Open ICU beds per region that the ICU staff placed today can cover safely (``MobilisationModel.staffed_icu_beds``, model units)."""
        return model.staffed_icu_beds(model.icu_capacity())

    def match(self, excess: np.ndarray, room: np.ndarray, capacity: float) -> np.ndarray:
        """Moves (from, to): senders by excess, largest first, each to its nearest receivers with room, within ``capacity``."""
        moves = np.zeros((excess.size, excess.size))
        room = room.copy()
        left = capacity
        for f in np.argsort(-excess, kind="stable"):
            need = excess[f]
            if need <= SMALLEST_MOVE or left <= SMALLEST_MOVE:
                break
            for t in self.receivers[f]:
                amount = min(need, room[t], left)
                if amount <= SMALLEST_MOVE:
                    continue
                moves[f, t] = amount
                need -= amount
                room[t] -= amount
                left -= amount
                if need <= SMALLEST_MOVE or left <= SMALLEST_MOVE:
                    break
        return moves

    @staticmethod
    def _shift(model: MobilisationModel, moves: np.ndarray) -> None:
        """Patients moved (from, to) leave the sender's ICU and enter the receiver's: census and COVID ICU patients."""
        net = moves.sum(axis=0) - moves.sum(axis=1)
        model.census[model.icu_ids] += net
        model.covid_icu_today = model.covid_icu_today + net
