"""Team-based ICU staffing (issue #14, item 2): tiers of ICU nurses with support staff, and who covers which patients.

A *tier* (``[[safety.icu_tiers]]``, ``IcuTierConfig``) is a way of staffing ICU patients: one specialist ICU nurse
for ``patients_per_icu_nurse`` patients, working with ``support_nurses_per_icu_nurse`` non-specialist nurses
(anaesthesia and registered nurses) and ``assistants_per_icu_nurse`` assistant nurses. The tiers are listed best
(least diluted) first. A tier is *within guidance* in a region whose ICU patients are at least ``from_surge`` times
its normal ICU beds (the facts' UK guidance: 1:1 normally, 1:2 at twice normal capacity, 1:6 at four times).

``allocate`` is the one rule every user of the tiers shares (the recorder's patient-safety columns, the staffed beds
of the hours phase and of patient transfers, the support need the ICU-upskilling lever follows). It is a greedy rule,
vectorised over region-days: start with every ICU nurse on duty at the first tier (1:1), as many as the patients
need; while patients are left without a nurse, move nurses from tier k to tier k+1, each move covering
``r[k+1] − r[k]`` more patients and taking ``s[k+1] − s[k]`` more support nurses and ``a[k+1] − a[k]`` more
assistants, as many as the patients left, the nurses at tier k and the support staff left allow; then the same
from k+1 to k+2, and so on. Patients are thus covered at the least diluted tiers that cover them, and no more
dilute than needed (12 patients, 2 ICU nurses, 4 support nurses and 4 assistants: all 12 at 1:6; without support:
4 at 1:2 and 8 uncovered). Because the tiers within guidance at a region's surge level come first (``from_surge``
rises with the tier), the patients covered when the rule has passed the last of them are the patients the team on
duty covers *within guidance*; those it covers only by going further are *beyond guidance*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import kernels
from sim.categories import PROFESSIONS

#: Professions that work in a team as support nurses, and as assistants (their own role, not the ICU nurse's).
SUPPORT_NURSES = (PROFESSIONS.index("anaesthesia_nurse"), PROFESSIONS.index("registered_nurse"))
ASSISTANT_NURSE = PROFESSIONS.index("assistant_nurse")
ICU_NURSE = PROFESSIONS.index("icu_nurse")


@dataclass(frozen=True)
class Tiers:
    """The tiers of a scenario as arrays (best first): names, patients per ICU nurse, support nurses and assistants
    per ICU nurse, and the surge level (ICU patients / normal ICU beds) from which each is within guidance."""

    names: tuple[str, ...]
    ratio: np.ndarray
    support: np.ndarray
    assistants: np.ndarray
    from_surge: np.ndarray

    @classmethod
    def from_config(cls, tiers: Any) -> Tiers | None:
        """The arrays of ``safety.icu_tiers`` (a list of ``IcuTierConfig``); None when no tier is configured (teams off)."""
        if not tiers:
            return None
        return cls(
            names=tuple(t.name for t in tiers),
            ratio=np.array([t.patients_per_icu_nurse for t in tiers], dtype=float),
            support=np.array([t.support_nurses_per_icu_nurse for t in tiers], dtype=float),
            assistants=np.array([t.assistants_per_icu_nurse for t in tiers], dtype=float),
            from_surge=np.array([t.from_surge for t in tiers], dtype=float),
        )

    def __len__(self) -> int:
        return len(self.names)

    @property
    def kernel_args(self) -> dict[str, np.ndarray]:
        """The tiers as the kernels take them (``allocate_tiers``, ``team_need_tiers`` and the model's ICU-team kernels):
        ``**tiers.kernel_args`` in a call."""
        return {
            "ratio": self.ratio,
            "support_per_nurse": self.support,
            "assistants_per_nurse": self.assistants,
            "from_surge": self.from_surge,
        }


@dataclass(frozen=True)
class Allocation:
    """ICU nurses on duty by tier (``nurses[..., k]``), the patients covered and those covered within guidance; patients
    by tier, uncovered, and the support staff the teams use follow from them."""

    tiers: Tiers
    patients: np.ndarray
    nurses: np.ndarray
    covered: np.ndarray
    within_guidance: np.ndarray

    @property
    def in_tier(self) -> np.ndarray:
        """Patients by tier (``in_tier[..., k]``)."""
        return self.nurses * self.tiers.ratio

    @property
    def uncovered(self) -> np.ndarray:
        """Patients no ICU nurse on duty covers."""
        return np.maximum(self.patients - self.covered, 0.0)

    @property
    def support_used(self) -> np.ndarray:
        """Support nurses on duty the teams use."""
        return (self.nurses * self.tiers.support).sum(axis=-1)

    @property
    def assistants_used(self) -> np.ndarray:
        """Assistant nurses on duty the teams use."""
        return (self.nurses * self.tiers.assistants).sum(axis=-1)

    @property
    def beyond_guidance(self) -> np.ndarray:
        """Patients covered only by tiers beyond the guidance for the region's surge level."""
        return np.maximum(self.in_tier.sum(axis=-1) - self.within_guidance, 0.0)


def allocate(
    tiers: Tiers,
    patients: np.ndarray,
    nurses: np.ndarray,
    support: np.ndarray,
    assistants: np.ndarray,
    surge: np.ndarray,
) -> Allocation:
    """Patients per tier from the staff on duty (the greedy rule of the module docstring), elementwise over arrays
    (compiled: ``kernels.allocate_tiers``).

    Args:
        tiers: the scenario's tiers.
        patients: ICU patients (``np.inf``: as many as the staff can take, for a capacity).
        nurses, support, assistants: ICU nurses, support nurses and assistant nurses on duty around the clock
            (hours / 24); ``np.inf`` support or assistants: unlimited (for the support a team needs).
        surge: ICU patients / normal ICU beds, which decides the tiers within guidance.
    """
    given = [np.asarray(x, dtype=float) for x in (patients, nurses, support, assistants, surge)]
    shape = given[0].shape
    if any(x.shape != shape for x in given):
        shape = np.broadcast_shapes(*(x.shape for x in given))
    # arrays already of the shape (the daily calls' case) go as they are, flattened (a copy only if not contiguous):
    # broadcasting them, and then finding their common shape, was half of the call (issue #18)
    flat = [x.reshape(-1) if x.shape == shape else np.ascontiguousarray(np.broadcast_to(x, shape)).reshape(-1) for x in given]
    patients = given[0] if given[0].shape == shape else np.broadcast_to(given[0], shape)
    n, covered, within = _allocate_flat(tiers, *flat)
    return Allocation(
        tiers=tiers,
        patients=patients,
        nurses=n.reshape(*shape, len(tiers)),
        covered=covered.reshape(shape),
        within_guidance=within.reshape(shape),
    )


def _allocate_flat(
    tiers: Tiers, patients: np.ndarray, nurses: np.ndarray, support: np.ndarray, assistants: np.ndarray, surge: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``kernels.allocate_tiers`` over one-dimensional float arrays of one length: nurses per tier, covered, within guidance."""
    return kernels.allocate_tiers(
        **tiers.kernel_args,
        patients=patients,
        nurses=nurses,
        support=support,
        assistants=assistants,
        surge=surge,
    )


def team_need(tiers: Tiers, patients: np.ndarray, nurses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Support nurses and assistants on duty (hours / 24) that the teams for ``patients`` with ``nurses`` ICU nurses
    need: the allocation with unlimited support, over all tiers (a team beyond guidance is better than no nurse)."""
    patients, nurses = np.asarray(patients, dtype=float), np.asarray(nurses, dtype=float)
    if patients.ndim and patients.shape == nurses.shape and len(tiers) <= kernels.TEAM_NEED_MAX_TIERS:  # the daily calls
        support, assistants = kernels.team_need_tiers(
            **tiers.kernel_args,
            patients=patients.reshape(-1),
            nurses=nurses.reshape(-1),
        )
        return support.reshape(patients.shape), assistants.reshape(patients.shape)
    inf = np.full(np.shape(patients), np.inf)
    alloc = allocate(tiers, patients, nurses, inf, inf, inf)
    return alloc.support_used, alloc.assistants_used


def capacity_within_guidance(
    tiers: Tiers, nurses: np.ndarray, support: np.ndarray, assistants: np.ndarray, surge: np.ndarray
) -> np.ndarray:
    """Most patients the staff on duty cover within the guidance for ``surge`` (the staffed beds before the bed cap)."""
    given = (nurses, support, assistants, surge)
    if all(isinstance(x, np.ndarray) and x.dtype == np.float64 and x.ndim == 1 and x.shape == nurses.shape for x in given):
        # one value per region (the daily case before issue #18's fifth part, which moved the model's daily call to
        # kernels.staffed_beds_within_guidance): the kernel without allocate's checks and its Allocation
        return _allocate_flat(tiers, np.full(nurses.shape, np.inf), *(np.ascontiguousarray(x) for x in given))[2]
    return allocate(tiers, np.full(np.shape(nurses), np.inf), nurses, support, assistants, surge).within_guidance


def on_duty(hours: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ICU nurses, support nurses and assistants on duty (hours / 24) from hours by profession (..., professions)."""
    return hours[..., ICU_NURSE] / 24.0, hours[..., list(SUPPORT_NURSES)].sum(axis=-1) / 24.0, hours[..., ASSISTANT_NURSE] / 24.0
