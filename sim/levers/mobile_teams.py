"""The regions' mobile teams in municipal care: nurses and infection-control knowledge (``[levers.mobile_teams]``).

The memo: "Regionerna har också växlat upp vårdkapaciteten för bland annat hemsjukvård i form av ökad tillgång till
mobila team" and regions "förmedlat kunskap om smittskydd till kommuner". Each day, where the lever acts:

- **Homes**: the region sends ``round(nurses_per_outbreak_home × homes)`` of its primary-care registered nurses to its
  homes with an outbreak (an infected resident today), spread over them in home order, nurses in their fixed priority
  order (so mostly the same nurses go to the same homes while the outbreaks last). They work there in their own
  profession, so the home's supply counts them as it counts anyone placed there.
- **Home care**: with the home-care model (``model.hc_infected``, per municipality), the region sends
  ``round(home_care_nurses_per_municipality × municipalities)`` of the nurses left to the home-care services of its
  municipalities with infected clients.
- **Infection control**: where a team works today, transmission among residents (``model.nh_transmission[h]``) and
  in home care (``model.hc_transmission_factor[m]``) is multiplied by ``transmission_factor``.

This supersedes ``levers.nursing_home_measures.regional_support`` (before issue #16), which sent the same nurses without
the infection-control effect; the old keys are refused with a pointer here.

Indicator: ``mobile_team_nurse_days`` (nurse-days worked in municipal care). No cost above payroll: the nurses are the
regions' own staff, already paid (their overtime is in the ``overtime`` item, as for staff redeployed from planned care),
and the primary care they do not give meanwhile is not priced. (Until the review of the merge the team's hours were
booked at the nurse's wage, which counted payroll as a cost above it, and their overtime twice.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np
from pydantic import Field

from sim import kernels
from sim.categories import HOME_CARE, PRIMARY_CARE, PROFESSIONS
from sim.levers.base import IndicatorSpec, Lever
from sim.schema import Factor, LeverConfig, Probability

if TYPE_CHECKING:
    from sim.model import MobilisationModel

REGISTERED_NURSE = PROFESSIONS.index("registered_nurse")


class MobileTeamsConfig(LeverConfig):
    """Regions' primary-care nurses in mobile teams sent to homes with outbreaks and to home care with infected clients.

    Per region (``[levers.mobile_teams.regions.<region>]``): ``enabled``, ``start_level``, ``nurses_per_outbreak_home``
    and ``home_care_nurses_per_municipality``; ``transmission_factor`` is national.
    """

    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level", "nurses_per_outbreak_home", "home_care_nurses_per_municipality")

    nurses_per_outbreak_home: Factor = Field(1.0, description="region nurses sent per nursing home with an outbreak")
    home_care_nurses_per_municipality: Factor = Field(
        1.0, description="region nurses sent to the home care of each municipality with infected clients (needs the home-care model)"
    )
    transmission_factor: Probability = Field(
        1.0,
        description="transmission among residents, and in home care, where a team works today, relative to without (infection-control knowledge)",
    )


class MobileTeams(Lever):
    """Primary-care registered nurses of a region sent each day to its homes with outbreaks and its home care with infected clients."""

    name = "mobile_teams"
    indicators: ClassVar[tuple[IndicatorSpec, ...]] = (
        IndicatorSpec(
            "mobile_team_nurse_days",
            "Mobile-team nurse-days in municipal care",
            "nurse-days",
            None,
            "days regions' primary-care nurses worked in mobile teams in nursing homes with outbreaks and in home care (mobile_teams)",
        ),
    )

    def setup(self, model: MobilisationModel) -> None:
        super().setup(model)
        world = model.world
        self.regroup(model)
        self.home_care_workplace = np.flatnonzero(world.workplace_kind == HOME_CARE)  # one per municipality, in municipality order
        self.sent = np.zeros(0, dtype=np.int64)
        self.nurse_days = np.zeros(world.n_regions)
        # what each day reads and the run does not change (issue #18)
        self.per_home = self.per_region("nurses_per_outbreak_home").astype(np.float64)
        self.per_municipality = self.per_region("home_care_nurses_per_municipality").astype(np.float64)
        self.no_places, self.no_start = np.zeros(0, dtype=np.int64), np.zeros(world.n_regions + 1, dtype=np.int64)

    def regroup(self, model: MobilisationModel) -> None:
        """The teams' nurses: the workforce's registered nurses of primary care, by region and priority (again when some
        of them become ICU or anaesthesia nurses, issue #17)."""
        world, s = model.world, model.world.staff
        rows = s.workforce_rows()  # the staff of the start and the supply's entrants
        primary_rn = rows[(world.workplace_kind[s.home[rows]] == PRIMARY_CARE) & (s.profession[rows] == REGISTERED_NURSE)]
        self.team_staff = primary_rn[np.lexsort((s.priority[primary_rn], s.region[primary_rn]))]
        self.team_start = np.searchsorted(s.region[self.team_staff], np.arange(world.n_regions + 1))  # region r's are one run

    def act(self, model: MobilisationModel, day: int) -> None:
        world, s = model.world, model.world.staff
        self.sent = np.zeros(0, dtype=np.int64)
        on = self.regions_on()
        if not on.any():
            return
        n_reg = world.n_regions
        # homes with an outbreak and municipalities with infected home-care clients, where the lever acts; homes and
        # municipalities are numbered region by region: each region's are one run, starting at *_start[region]
        outbreak, home_start = kernels.places_with_cases(cases=model.nh_infected, on=on, place_region=world.home_region, n_regions=n_reg)
        clients = getattr(model, "hc_infected", None)
        served, municipality_start = self.no_places, self.no_start
        if clients is not None:
            served, municipality_start = kernels.places_with_cases(
                cases=clients, on=on, place_region=world.municipality_region, n_regions=n_reg
            )
        if outbreak.size == 0 and served.size == 0:
            return
        self.sent = kernels.send_mobile_teams(
            team=self.team_staff,
            team_start=self.team_start,
            homes=outbreak,
            home_start=home_start,
            municipalities=served,
            municipality_start=municipality_start,
            per_home=self.per_home,
            per_municipality=self.per_municipality,
            home_workplace=world.home_workplace,
            home_care_workplace=self.home_care_workplace,
            factor=float(self.cfg.transmission_factor),
            status=s.status,
            posting=s.posting,
            home=s.home,
            workplace=s.workplace,
            nh_transmission=model.nh_transmission,
            hc_transmission_factor=model.hc_transmission_factor,
        )
        if self.sent.size:
            self.nurse_days += np.bincount(s.region[self.sent], minlength=n_reg)

    def summary(self, days: int) -> dict[str, float]:
        return {"mobile_team_nurse_days": float(self.nurse_days.sum())}
