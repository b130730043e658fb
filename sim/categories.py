"""Names and integer codes of the model's categories.

The numba core works on integer codes; everything a user sees uses the names.
The order of each tuple is the code: ``PROFESSIONS.index("icu_nurse") == 2``.
"""

from __future__ import annotations

PROFESSIONS: tuple[str, ...] = (
    "physician",
    "icu_physician",  # anaesthetist / intensivist
    "icu_nurse",  # specialist nurse in intensive care
    "anaesthesia_nurse",
    "registered_nurse",
    "assistant_nurse",  # undersköterska
    "care_aide",  # vårdbiträde
)

UNIT_KINDS: tuple[str, ...] = (
    "icu",
    "covid_ward",
    "acute_ward",
    "elective",
    "primary_care",
    "nursing_home",
    "home_care",
)
#: Unit kinds run by a region (one unit of each kind per region).
REGION_UNIT_KINDS: tuple[str, ...] = UNIT_KINDS[:5]
#: Unit kinds run by a municipality.
MUNICIPAL_UNIT_KINDS: tuple[str, ...] = UNIT_KINDS[5:]

STATUSES: tuple[str, ...] = (
    "active",  # at work (or available for work) today
    "sick_covid",
    "sick_other",
    "sick_exhaustion",
    "left",  # left the profession; never returns within a run
    "off_duty",  # vacation, or rest after a crisis-agreement placement or a pool deployment
    "training",  # in a course (ICU upskilling, beredskapslyftet) or onboarding
    "reserve",  # not in the workforce: a recruit not (yet) called, an additional pool member on standby
)
#: Statuses of the supply side over years (issue #17, ``[supply]``), after ``STATUSES``: people outside the workforce
#: who will enter it or have left it for a pension. Only runs with ``supply.enabled`` have such rows; the daily core
#: and the recorder's status counts (``STATUSES``) leave them out, ``sim.supply`` counts them by month.
SUPPLY_STATUSES: tuple[str, ...] = (
    "entrant",  # will enter work at a set day: a graduate, or a person licensed from abroad, who has not started yet
    "retiree",  # retired from work (distinct from left: reserves may recruit from them later)
    "specialising",  # a registered nurse away from work in a specialist programme (supply.education.specialisation)
)

CONTRACTS: tuple[str, ...] = (
    "permanent",
    "hourly",  # timanställd: called in as needed, often at several homes
    "retired",  # retired or former staff who return
    "student",
    "other_sector",  # recruited from another sector (e.g. airline cabin crew)
    "pool",  # an additional member of the national reinforcement pool
)

EMPLOYERS: tuple[str, ...] = ("region", "municipality")

# Integer codes used by the core (kept as plain ints so numba sees constants).
ICU, COVID_WARD, ACUTE_WARD, ELECTIVE, PRIMARY_CARE, NURSING_HOME, HOME_CARE = range(7)
ACTIVE, SICK_COVID, SICK_OTHER, SICK_EXHAUSTION, LEFT, OFF_DUTY, TRAINING, RESERVE = range(8)
#: Codes of ``SUPPLY_STATUSES``: from ``ENTRANT`` on a row is outside the workforce and the daily core.
ENTRANT, RETIREE, SPECIALISING = range(8, 11)
PERMANENT, HOURLY, RETIRED, STUDENT, OTHER_SECTOR, POOL = range(6)
#: The recruitment lever's reservoirs (``[levers.recruitment.reservoirs.<kind>]``; ``world.recruit_reservoir`` indexes this)
#: and the contract of each: ``municipal`` (issue #16) is people from other sectors whom municipalities recruit into
#: elderly care, as ``other_sector`` is for the regions.
RESERVOIR_KINDS: tuple[str, ...] = ("retired", "student", "other_sector", "municipal")
RESERVOIR_CONTRACTS: dict[str, int] = {"retired": RETIRED, "student": STUDENT, "other_sector": OTHER_SECTOR, "municipal": OTHER_SECTOR}
#: Escalation levels of a region, in order.
LEVELS: tuple[str, ...] = ("normal", "staffing_alert", "crisis")
#: Kinds of posting that override a staff member's daily placement.
POSTINGS: tuple[str, ...] = ("none", "loan", "pool", "cooperation")  # cooperation: a home lends staff to a home of its cluster
ICU_NURSE = PROFESSIONS.index("icu_nurse")

N_PROFESSIONS = len(PROFESSIONS)
N_UNIT_KINDS = len(UNIT_KINDS)
#: Units of one region: one of each ``REGION_UNIT_KINDS``, so unit ``region * N_REGION_KINDS + kind``.
N_REGION_KINDS = len(REGION_UNIT_KINDS)
N_STATUSES = len(STATUSES)
#: Every status a staff row can have: the workforce's, then the supply side's.
ALL_STATUSES = STATUSES + SUPPLY_STATUSES
