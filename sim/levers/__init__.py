"""The mobilisation levers, one module each, and the registry that builds the active ones.

``LEVERS`` lists every lever (and every always-on step) in the order they act each day; a
scenario switches levers on in ``[levers.<name>]`` (``enabled = true``). ``build_levers`` makes
the active ones and adds a user's own levers (``MobilisationModel(levers=[...])`` or
``[[levers.custom]]`` in a scenario), each after the lever it names in ``after`` (default: last).

Adding a lever: a module here with its scenario table (a ``sim.schema.LeverConfig``) and its
``Lever`` subclass, a line in ``LEVERS``, and its table's field in ``sim.scenario.LeversConfig``. ``docs/architecture.md`` shows the day and where to change what.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sim.levers.base import Lever, available, level_index, lever_on, post, rank_within
from sim.levers.bed_expansion import BedExpansion, BedExpansionConfig
from sim.levers.beredskapslyftet import Beredskapslyftet, BeredskapslyftetConfig
from sim.levers.cohort_wards import CohortWards
from sim.levers.crisis_agreement import CrisisAgreement, CrisisAgreementConfig
from sim.levers.home_cooperation import HomeCooperation, HomeCooperationConfig
from sim.levers.hourly_staff_moves import HourlyStaffMoves
from sim.levers.hygiene_training import HygieneTraining, HygieneTrainingConfig
from sim.levers.icu_upskilling import IcuUpskilling, IcuUpskillingConfig
from sim.levers.licensed_staff import LicensedStaff, LicensedStaffConfig
from sim.levers.loans import Coordinator, Loans, LoansConfig
from sim.levers.mobile_teams import MobileTeams, MobileTeamsConfig
from sim.levers.national_pool import NationalPool, NationalPoolConfig, ReinforcementPool
from sim.levers.nursing_home_measures import NursingHomeMeasures, NursingHomeMeasuresConfig
from sim.levers.patient_transfers import PatientTransfers, PatientTransfersConfig
from sim.levers.physician_rounds import PhysicianRounds, PhysicianRoundsConfig
from sim.levers.recovery import Recovery, RecoveryConfig
from sim.levers.recruitment import Recruitment, RecruitmentConfig, ReservoirConfig
from sim.levers.redeployment import Redeployment, RedeploymentConfig
from sim.levers.reserves import Reserves, ReservesConfig
from sim.levers.retention import Retention, RetentionConfig
from sim.levers.short_courses import ShortCourses, ShortCoursesConfig
from sim.levers.specialist_training import SpecialistTraining, SpecialistTrainingConfig
from sim.levers.training_places import TrainingPlaces, TrainingPlacesConfig
from sim.levers.vacation import Vacation, VacationConfig
from sim.levers.vfu_agreements import VfuAgreements, VfuAgreementsConfig

if TYPE_CHECKING:
    from sim.model import MobilisationModel

#: Every lever and always-on step in the order they act each day (always-on steps have ``name = None``).
LEVERS: tuple[type[Lever], ...] = (
    Vacation,
    BedExpansion,
    LicensedStaff,  # before the home measures: the extra nurses are at work before homes count their staff
    NursingHomeMeasures,
    HomeCooperation,  # before the hourly moves: where it acts, planned moves in the cluster replace them
    MobileTeams,
    HygieneTraining,
    PhysicianRounds,
    HourlyStaffMoves,
    Recruitment,
    Reserves,  # after recruitment: a region's reserve roster called with its recruits, before loans and the pool send staff
    Beredskapslyftet,  # after recruitment: courses for the recruits it called up
    IcuUpskilling,
    ShortCourses,  # after the levers whose courses it shortens (set up after them) and whose trained it follows
    Redeployment,
    NationalPool,
    CohortWards,
    Loans,
    CrisisAgreement,
    Recovery,
    Retention,  # after recovery: its factor on leaving holds beside the programme's
    PatientTransfers,  # it reads the ICU staffing every other lever made today
    TrainingPlaces,  # supply over years (issue #17): acts at build through the supply, no daily action
    VfuAgreements,  # likewise
    SpecialistTraining,  # likewise
)


class LeverError(ValueError):
    """A user's lever that cannot be used (the message says why)."""


def build_levers(model: MobilisationModel, extra: Iterable[Lever] = ()) -> list[Lever]:
    """The active levers of the model's scenario and the always-on steps, in acting order, set up.

    Args:
        model: the model, with its world and agents built.
        extra: levers of the user's (instances of ``Lever`` subclasses), and those named in the
            scenario's ``[[levers.custom]]``; each acts after the lever named in its ``after``
            (default: after all others).
    """
    config = model.config.levers
    active: list[Lever] = [
        cls(getattr(config, cls.name) if cls.name else None)
        for cls in LEVERS
        if cls.name is None or _enabled_anywhere(getattr(config, cls.name))
    ]
    users = [*extra, *(custom_lever(entry) for entry in getattr(config, "custom", ()))]
    rank = {cls.name: i for i, cls in enumerate(LEVERS) if cls.name}  # where each built-in lever acts, on or off
    slot = {id(lever): LEVERS.index(type(lever)) for lever in active}
    for lever in users:
        if not isinstance(lever, Lever):
            raise LeverError(f"expected an instance of sim.levers.Lever, got {lever!r}")
        if lever.model is not None and lever.model is not model:  # it holds the other model's staff ids and state
            raise LeverError(f"{type(lever).__name__} already serves another model; give each model a new instance")
        if lever.after is None:
            where = len(LEVERS)
        elif lever.after in rank:
            where = rank[lever.after]  # where that lever acts, whether it is on or not
        else:
            raise LeverError(f"{type(lever).__name__}.after = {lever.after!r} names no built-in lever (levers: {', '.join(rank)})")
        position = sum(1 for lv in active if slot[id(lv)] <= where)  # after it, and after earlier levers placed there
        active.insert(position, lever)
        slot[id(lever)] = where
    model.levers = active  # a lever's setup may look up the levers set up before it (model.lever: short_courses)
    for lever in active:
        lever.setup(model)
    return active


def _enabled_anywhere(config: Any) -> bool:
    """On nationally, or in a region of its own (``[levers.<lever>.regions.<region>] enabled = true``)."""
    return bool(getattr(config, "enabled_anywhere", config.enabled))


def lever_class(path: str) -> type[Lever]:
    """The ``Lever`` subclass named ``"package.module:Class"``, imported.

    Raises:
        LeverError: the module cannot be imported, or the name is not a ``Lever`` subclass.
    """
    module_name, _, class_name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise LeverError(f"cannot import module '{module_name}' ({exc}); is it on PYTHONPATH?") from None
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Lever)):
        raise LeverError(f"'{path}' is not a subclass of sim.levers.Lever")
    return cls


def custom_lever(entry: Any) -> Lever:
    """A lever named in a scenario (``[[levers.custom]]``: ``lever = "package.module:Class"`` and its ``options``)."""
    return lever_class(entry.lever)(**entry.options)


__all__ = [
    "LEVERS",
    "BedExpansion",
    "BedExpansionConfig",
    "Beredskapslyftet",
    "BeredskapslyftetConfig",
    "CohortWards",
    "Coordinator",
    "CrisisAgreement",
    "CrisisAgreementConfig",
    "HomeCooperation",
    "HomeCooperationConfig",
    "HourlyStaffMoves",
    "HygieneTraining",
    "HygieneTrainingConfig",
    "IcuUpskilling",
    "IcuUpskillingConfig",
    "Lever",
    "LeverError",
    "LicensedStaff",
    "LicensedStaffConfig",
    "Loans",
    "LoansConfig",
    "MobileTeams",
    "MobileTeamsConfig",
    "NationalPool",
    "NationalPoolConfig",
    "NursingHomeMeasures",
    "NursingHomeMeasuresConfig",
    "PatientTransfers",
    "PatientTransfersConfig",
    "PhysicianRounds",
    "PhysicianRoundsConfig",
    "Recovery",
    "RecoveryConfig",
    "Recruitment",
    "RecruitmentConfig",
    "Redeployment",
    "RedeploymentConfig",
    "ReinforcementPool",
    "Reserves",
    "ReservesConfig",
    "ReservoirConfig",
    "Retention",
    "RetentionConfig",
    "ShortCourses",
    "ShortCoursesConfig",
    "SpecialistTraining",
    "SpecialistTrainingConfig",
    "TrainingPlaces",
    "TrainingPlacesConfig",
    "Vacation",
    "VacationConfig",
    "VfuAgreements",
    "VfuAgreementsConfig",
    "available",
    "build_levers",
    "custom_lever",
    "level_index",
    "lever_class",
    "lever_on",
    "post",
    "rank_within",
]
