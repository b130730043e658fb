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

from sim import kernels
from sim.data import travel_hours_between
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
        self.hours = travel_hours_between(self.codes)
        reach = self.hours <= self.cfg.max_travel_hours
        # receivers of each sender, nearest first (stable: the data's region order breaks ties)
        receivers = [[int(t) for t in np.argsort(self.hours[f], kind="stable") if t != f and reach[f, t]] for f in range(n)]
        # flat, for the kernels: sender f's receivers are receiver_ids[receiver_start[f]:receiver_start[f + 1]]
        self.receiver_ids = np.array([t for ts in receivers for t in ts], dtype=np.int64)
        self.receiver_start = np.concatenate([[0], np.cumsum([len(ts) for ts in receivers])]).astype(np.int64)
        cfg = self.cfg
        if cfg.regions:
            self.trigger = self.per_region("trigger_share").astype(np.float64)
            self.receive = self.per_region("receiver_max_share").astype(np.float64)
            self.receives = self.per_region("enabled").astype(np.bool_)  # a region where the lever is off receives no patients either
        else:
            self.trigger, self.receive = np.full(n, float(cfg.trigger_share)), np.full(n, float(cfg.receiver_max_share))
            self.receives = np.ones(n, dtype=np.bool_)
        admissions = model.config.demand.admissions
        self.discharge = 1.0 / mean_stay_days(admissions.stay_median_days, admissions.stay_shape)
        self.still = (1.0 - self.discharge) ** model.config.escalation.horizon_days  # share of a moved stock still there then
        self.capacity = self.cfg.daily_capacity * model.config.world.scale
        self.moved = np.zeros((n, n))  # patients of region `from` in the ICU of region `to`, model units
        self.today = np.zeros((n, n))
        self.sent = np.zeros(n)  # today's patients moved out by sender (self.today summed over receivers)
        self.blocked_capacity = np.zeros(n)
        self.blocked_no_bed = np.zeros(n)
        self.transfers: list[tuple] = []  # a day's moves: (day, senders, receivers, patients, hours)

    # ------------------------------------------------------------------ the day
    def adjust_demand(self, model: MobilisationModel, day: int) -> None:
        """Discharge the stock, cap it at each sender's own COVID ICU patients, and move it in the census."""
        self.moved *= 1.0 - self.discharge
        own = model.covid_icu_today  # each region's own COVID ICU patients (its demand curve)
        away = self.moved.sum(axis=1)
        over = away > own
        if over.any():
            self.moved[over] *= (own[over] / away[over])[:, None]
        net = self._shift(model, self.moved, self.moved.sum(axis=1))
        # what the regions' forecasts (MobilisationModel._forecast) add to their own epidemic: the moved patients
        # still in the receiving ICU horizon_days ahead, in and out
        model.icu_moved_net_ahead = net * self.still

    def at_rest(self, model: MobilisationModel) -> bool:
        """No moved patient is still in another region's ICU (issue #17's quiet path): the moved stock falls by the
        discharge rate and never reaches zero, so below a hundredth of a patient (model units) counts as none."""
        return float(self.moved.sum()) < 0.01

    def act(self, model: MobilisationModel, day: int) -> None:
        """Today's moves: senders over the trigger, largest first, to the nearest receivers with room, within the capacity."""
        on = self.regions_on()
        n = model.world.n_regions
        if not on.any():  # no sender: no move, nothing blocked (the same zeros as the rule below gives, without its sums)
            self.today, self.sent, self.blocked_capacity, self.blocked_no_bed = np.zeros((n, n)), np.zeros(n), np.zeros(n), np.zeros(n)
            return
        # the rule of the module docstring, compiled (issue #18): each region's excess over the trigger (at most its own
        # COVID patients still at home), the receivers' room, and the moves within the capacity and with unlimited transport
        excess, self.today, unlimited = kernels.match_transfers(
            patients=model.census[model.icu_ids],
            staffed=self.staffed_beds(model),
            covid_icu=model.covid_icu_today,
            moved=self.moved,
            on=on,
            trigger=self.trigger,
            receive=self.receive,
            receives=self.receives,
            receivers=self.receiver_ids,
            receiver_start=self.receiver_start,
            capacity=float(self.capacity),
            smallest=SMALLEST_MOVE,
        )
        reachable = unlimited.sum(axis=1)  # what unlimited transport would have moved
        self.sent = sent = self.today.sum(axis=1)
        self.blocked_capacity = np.maximum(reachable - sent, 0.0)
        self.blocked_no_bed = np.maximum(excess - reachable, 0.0)
        if sent.any():
            self.moved += self.today
            self._shift(model, self.today, sent)
            icu = model.icu_ids
            model.required[icu] = model.census[icu, None] * model.world.norm[icu]
            moves = np.nonzero(self.today)  # the day's events, kept as arrays and made a frame at the end (event_frames)
            self.transfers.append((day, *moves, self.today[moves], self.hours[moves]))

    def record(self, recorder: Recorder, day: int, cost: np.ndarray) -> None:
        cost[:, recorder.cost_index["transfers"]] += self.sent * self.cfg.cost_per_transfer_sek
        columns = recorder.lever_icu
        columns["patients_moved_in"][day] = self.moved.sum(axis=0)
        columns["patients_moved_out"][day] = self.moved.sum(axis=1)
        columns["transfers_in"][day] = self.today.sum(axis=0)
        columns["transfers_out"][day] = self.sent
        columns["transfer_blocked_by_capacity"][day] = self.blocked_capacity
        columns["transfer_blocked_no_bed"][day] = self.blocked_no_bed

    def event_frames(self) -> dict[str, pd.DataFrame]:
        if not self.transfers:
            return {"transfers": empty_events(TRANSFER_COLUMNS)}
        days, senders, receivers, patients, hours = zip(*self.transfers, strict=True)
        codes = np.array(self.codes, dtype=object)
        columns = (
            np.repeat(np.array(days, dtype=np.int64), [s.size for s in senders]),
            codes[np.concatenate(senders)],
            codes[np.concatenate(receivers)],
            np.concatenate(patients),
            np.concatenate(hours),
        )
        return {"transfers": pd.DataFrame(dict(zip(TRANSFER_COLUMNS, columns, strict=True)))}

    # ------------------------------------------------------------------ helpers
    def staffed_beds(self, model: MobilisationModel) -> np.ndarray:
        """Open ICU beds per region that the ICU staff placed today can cover safely (``MobilisationModel.staffed_icu_beds``, model units)."""
        return model.staffed_icu_beds(model.icu_capacity())

    def match(self, excess: np.ndarray, room: np.ndarray, capacity: float) -> np.ndarray:
        """Moves (from, to): senders by excess, largest first, each to its nearest receivers with room, within ``capacity``."""
        return kernels.match_senders(
            excess=excess,
            room=room,
            receivers=self.receiver_ids,
            receiver_start=self.receiver_start,
            capacity=float(capacity),
            smallest=SMALLEST_MOVE,
        )

    @staticmethod
    def _shift(model: MobilisationModel, moves: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Patients moved (from, to) leave the sender's ICU and enter the receiver's: census and COVID ICU patients.

        ``out`` is ``moves.sum(axis=1)`` (the caller has it); returns the net patients moved in, by region."""
        net = kernels.shift_patients(moves=moves, out=out, census=model.census, icu=model.icu_ids)
        model.covid_icu_today = model.covid_icu_today + net
        return net
