"""Home care (hemtjänst): each municipality's clients, the day's visits, missed visits and the exposure of staff.

One home-care service per municipality (workplace kind ``home_care``) visits its clients at home. The clients'
compartments (susceptible, infected, recovered, dead) live on the model (``hc_clients_susceptible`` ...) and change
in the compiled core (``sim.kernels.advance_home_care``); this module computes the day's per-municipality figures
from them and from the hours phase (docs/ODD.md, submodel 8a):

- the service's census: its normal demand (1) scaled by the clients alive and the extra care infected clients need,
  so that the required hours follow the clients;
- planned visits (``visits_per_client`` per living client), the service's coverage (effective supplied hours over
  required hours, as the units frame computes it), and the visits missed (planned × (1 − coverage));
- visits per staff member at work (the visits made over the staff placed there today, whoever sent them), and the
  staff's work infection hazard from the infected clients they visit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim import kernels

if TYPE_CHECKING:
    from sim.scenario import HomeCareConfig


class Visits(NamedTuple):
    """One day of home care by municipality (model units)."""

    planned: np.ndarray  # visits planned: visits_per_client × living clients
    coverage: np.ndarray  # effective supplied hours / required hours of the service (1 where nothing is required)
    missed: np.ndarray  # visits not made: planned × (1 − coverage)
    per_staff: np.ndarray  # visits made per staff member at work in the service (0 where nobody works)
    staff_rate: np.ndarray  # daily infection hazard of a staff member at work there, from the infected clients visited


def census(clients: np.ndarray, alive: np.ndarray, infected: np.ndarray, cfg: HomeCareConfig) -> np.ndarray:
    """Today's census of each home-care service: 1 (normal demand) × (living clients + extra care of the infected) / clients.

    A municipality without clients keeps its normal demand (1); with every client healthy and alive the census is 1.
    """
    need = alive + cfg.extra_care_per_infected * infected
    return np.divide(need, clients, out=np.ones(clients.shape[0]), where=clients > 0)


def visits(
    alive: np.ndarray, infected: np.ndarray, required: np.ndarray, supplied: np.ndarray, heads: np.ndarray, cfg: HomeCareConfig
) -> Visits:
    """The day's visits of each service: planned, made and missed, per staff member, and the staff's exposure.

    Args:
        alive: living clients (susceptible + infected + recovered) per municipality.
        infected: infected clients per municipality.
        required: required effective hours of each service today (all roles).
        supplied: supplied effective hours (at most the required ones).
        heads: staff at work in each service today (any profession, own staff or sent by a lever).
        cfg: the scenario's ``[home_care]``.
    """
    # planned = visits_per_client × alive; coverage = supplied / required (1 where nothing is required), at most 1;
    # missed = planned × (1 − coverage); per_staff = (planned − missed) / heads (0 where nobody works);
    # each of a staff member's visits goes to an infected client with the infected share (infected / alive); each such
    # visit infects with client_to_staff: about per_staff × share × client_to_staff infections a day, as a hazard.
    # One compiled pass over the municipalities (kernels.home_care_visits, issue #18).
    return Visits(*kernels.home_care_visits(alive, infected, required, supplied, heads, cfg.visits_per_client, cfg.client_to_staff))


def fatality(missed_share: np.ndarray, cfg: HomeCareConfig) -> np.ndarray:
    """Today's case fatality of infected clients per municipality: ``case_fatality × (1 + missed_visit_fatality × missed share)``, at most 1."""
    return np.minimum(cfg.case_fatality * (1.0 + cfg.missed_visit_fatality * missed_share), 1.0)
