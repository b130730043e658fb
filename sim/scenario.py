"""Scenario files: schema, TOML loading, inheritance and overrides.

A scenario is a TOML file validated by the pydantic models below. Every model
forbids unknown keys, so a misspelt key is an error that names the key and
suggests the closest valid one. A scenario may say ``extends = "other.toml"``
(a path relative to the file) and override parts of it; ``--set a.b=value``
on the command line overrides one value after all files are merged.

Model parameters have no defaults here: every number comes from a scenario
file, where it carries its source or says it is an assumption, so a scenario
either extends ``scenarios/sweden_spring2020.toml`` or gives every value.
Only settings have defaults (``world.scale`` 1.0, seeds, demand noise 0,
levers off).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import itertools
import json
import math
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sim.categories import MUNICIPAL_UNIT_KINDS, PROFESSIONS, REGION_UNIT_KINDS
from sim.errors import ScenarioError  # defined with its base class InputError; still importable from here

# each lever declares its own table in its module (sim/levers/); the scenario puts them together
from sim.levers import (
    BedExpansionConfig,
    BeredskapslyftetConfig,
    CrisisAgreementConfig,
    HomeCooperationConfig,
    HygieneTrainingConfig,
    IcuUpskillingConfig,
    LeverError,
    LicensedStaffConfig,
    LoansConfig,
    MobileTeamsConfig,
    NationalPoolConfig,
    NursingHomeMeasuresConfig,
    PatientTransfersConfig,
    PhysicianRoundsConfig,
    RecoveryConfig,
    RecruitmentConfig,
    RedeploymentConfig,
    ReservesConfig,
    RetentionConfig,
    ShortCoursesConfig,
    SpecialistTrainingConfig,
    TrainingPlacesConfig,
    VacationConfig,
    VfuAgreementsConfig,
    lever_class,
)

# the schema's building blocks (sim/schema.py), importable from here as before
from sim.schema import (  # noqa: F401  (MAX_RUNS, MAX_NAME, LeverConfig and _Lever: kept importable from sim.scenario)
    MAX_CONCENTRATION,
    MAX_DAYS,
    MAX_EMPLOYER_FEE,
    MAX_EXPONENT,
    MAX_EXTENDS_DEPTH,
    MAX_FACTOR,
    MAX_HOME_CARE_CLIENTS,
    MAX_ICU_BEDS,
    MAX_NAME,
    MAX_NOISE_SD,
    MAX_NURSING_HOMES,
    MAX_PER_100K,
    MAX_PREVALENCE_FACTOR,
    MAX_RESIDENTS,
    MAX_RUNS,
    MAX_SEED,
    Date,
    Days,
    Exponent,
    Factor,
    FilePath,
    LeverConfig,
    Multiplier,
    NonNegative,
    NormHours,
    Per100k,
    Probability,
    Rate,
    WageSek,
    WeeklyHours,
    WholeDays,
    _check_keys,
    _KeyedValueError,
    _Lever,
    _profession_keys,
    _Section,
    _unit_kind_keys,
    at_most,
    folder_name,
)
from sim.text import suggest

_M = TypeVar("_M", bound=BaseModel)


class TimeConfig(_Section):
    """Simulated period; one step is one day."""

    start: Date
    end: Date

    @model_validator(mode="after")
    def _end_after_start(self) -> TimeConfig:
        if self.end < self.start:
            raise _KeyedValueError("end", f"end ({self.end}) is before start ({self.start})")
        if self.n_days > MAX_DAYS:
            # one step a day: a longer period is a typo (a year too many) rather than a study, and would run for hours
            raise _KeyedValueError("end", f"the period is {self.n_days:,} days; expected at most {MAX_DAYS:,} days (20 years)")
        return self

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=d) for d in range(self.n_days)]


class WorldConfig(_Section):
    """The synthetic Sweden built from ``sim/data``."""

    scale: float = Field(1.0, gt=0.0, le=1.0, description="share of real staff, beds and patients (1.0 = every person an agent)")
    layout_seed: Annotated[int, Field(ge=0), at_most(MAX_SEED, "", "the model's seeds are 63-bit")] = Field(
        2020, description="seed of the synthetic layout (municipalities, homes); fixed across replications"
    )
    icu_beds_2019: Annotated[int, Field(ge=0), at_most(MAX_ICU_BEDS, "ICU beds", "ten times Sweden's April 2020 surge of 1,100")] = Field(
        description="ICU beds before the pandemic, national"
    )
    icu_beds_surge: Annotated[int, Field(ge=0), at_most(MAX_ICU_BEDS, "ICU beds", "ten times Sweden's April 2020 surge of 1,100")] = Field(
        description="ICU beds at the April 2020 surge, national"
    )
    icu_occupancy_baseline: Probability = Field(description="share of pre-pandemic ICU beds occupied by non-COVID patients")
    nursing_homes: Annotated[int, Field(ge=1), at_most(MAX_NURSING_HOMES, "homes", "ten times Sweden's 1,700")] = Field(
        description="special housings for the elderly, national"
    )
    nursing_home_residents: Annotated[int, Field(ge=1), at_most(MAX_RESIDENTS, "residents", "ten times Sweden's 79,000")] = Field(
        description="residents in special housing, national"
    )
    region_profile: FilePath | None = Field(
        None,
        description="CSV or xlsx of a planner's own figures per region (region, item, value; full scale) that replace the "
        "built-in staff, ICU beds and nursing homes of the regions and items it gives",
    )
    municipality_size_exponent: Exponent = Field(description="Zipf exponent of municipality populations within a region")
    hourly_share_concentration: Annotated[
        float, Field(gt=0.0), at_most(MAX_CONCENTRATION, "", "beyond it every home has its region's mean")
    ] = Field(description="Beta concentration of the hourly-staff share across homes")


class WorkforceConfig(_Section):
    """Contracts, working time and where staff work."""

    weekly_hours: WeeklyHours = Field(description="full-time contracted hours per week")
    fte_permanent: Annotated[float, Field(gt=0.0, le=1.0)] = Field(description="mean employment level of permanent staff")
    fte_hourly: Annotated[float, Field(gt=0.0, le=1.0)] = Field(description="mean employment level of hourly staff")
    normal_max_weekly_hours: WeeklyHours = Field(
        description="most hours a week anyone works without the crisis agreement (part-timers may extend up to it)"
    )
    baseline_utilisation: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        description="share of attended hours that normal-time demand needs in the regions' ordinary units"
    )
    region_mix: dict[str, dict[str, NonNegative]] = Field(
        description="profession -> region unit kind -> share of the regions' staff of that profession"
    )
    municipal_mix: dict[str, dict[str, NonNegative]] = Field(
        description="profession -> nursing_home / home_care -> share of municipal staff"
    )

    @field_validator("region_mix")
    @classmethod
    def _region_mix(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        return _check_mix(value, REGION_UNIT_KINDS)

    @field_validator("municipal_mix")
    @classmethod
    def _municipal_mix(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        return _check_mix(value, MUNICIPAL_UNIT_KINDS)


def _check_mix(value: dict[str, dict[str, float]], kinds: tuple[str, ...]) -> dict[str, dict[str, float]]:
    _profession_keys(value)
    for profession, shares in value.items():
        try:
            _check_keys(shares, kinds, "unit kind")
        except _KeyedValueError as exc:
            raise _KeyedValueError(f"{profession}.{exc.key}", str(exc)) from None
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-6:
            raise _KeyedValueError(profession, f"shares of '{profession}' sum to {total:g}; expected 1")
    return value


class NormsConfig(_Section):
    """Staffing norms: hours of each profession per patient-day (24 = one to one around the clock).

    Units whose norm is not given here (acute ward, elective care, primary care,
    nursing homes, home care) need what they are staffed with in normal times:
    the norm is derived at build time from the staff mix and the baseline census.
    """

    icu: dict[str, NormHours] = Field(description="hours per ICU patient-day, by profession")
    covid_ward: dict[str, NormHours] = Field(description="hours per COVID-ward patient-day, by profession")

    @field_validator("icu", "covid_ward")
    @classmethod
    def _keys(cls, value: dict[str, float]) -> dict[str, float]:
        return _profession_keys(value)


class FatigueConfig(_Section):
    """Fatigue f in [0, 1]: f' = f + rise·max(strain − threshold, 0)·(1 − f) − recovery·f."""

    rise: Rate = Field(description="per day per unit of strain above the threshold")
    recovery: Probability = Field(description="share of fatigue shed per working day (rest between shifts)")
    off_work_recovery: Probability = Field(description="share of fatigue shed per day off work (sick, on vacation, resting)")
    threshold: Factor = Field(description="strain below which work adds no fatigue")
    pressure_exponent: Annotated[float, Field(ge=0.0), at_most(MAX_EXPONENT, "", "beyond it a power is a step")] = Field(
        description="how strongly understaffing raises the strain of each hour"
    )
    max_pressure: Annotated[float, Field(ge=1.0), at_most(MAX_FACTOR, "times", "a factor beyond it has no meaning here")] = Field(
        description="cap on the understaffing factor"
    )
    sustained_days: Days = Field(description="time constant (days) of sustained fatigue, which drives leaving")
    intensity: dict[str, Factor] = Field(default_factory=dict, description="strain of a normal hour, by unit kind")
    # fatigue that costs capacity (issue #14, item 4; docs/ODD.md submodel 5a). The defaults switch it off: nobody is fatigued.
    capacity_threshold: Probability = Field(
        1.0,
        description="fatigue above which a staff member counts as fatigued: the extra hours they can be asked to work fall "
        "(capacity_loss) and their care carries excess error odds (error_odds_ratio); 1: nobody",
    )
    capacity_loss: Probability = Field(
        0.0, description="share of a fatigued person's hours above their contracted hours lost at fatigue 1 (linear from the threshold)"
    )
    error_odds_ratio: Multiplier = Field(
        1.0,
        description="odds of an error or care left undone in an hour of care given at fatigue 1 against below the threshold "
        "(log-linear in between); reported, it changes no dynamics",
    )

    @field_validator("intensity")
    @classmethod
    def _keys(cls, value: dict[str, float]) -> dict[str, float]:
        return _unit_kind_keys(value)

    @model_validator(mode="after")
    def _capacity_needs_threshold(self) -> FatigueConfig:
        if self.capacity_threshold >= 1.0:
            for key, value, default in (("capacity_loss", self.capacity_loss, 0.0), ("error_odds_ratio", self.error_odds_ratio, 1.0)):
                if value != default:
                    raise _KeyedValueError(
                        key,
                        f"{key} = {value:g} has no effect with capacity_threshold = 1 (nobody is fatigued); "
                        "set fatigue.capacity_threshold below 1",
                    )
        return self

    @property
    def capacity_on(self) -> bool:
        """Whether some staff can count as fatigued (``capacity_threshold`` < 1): then the run records fatigue's costs."""
        return self.capacity_threshold < 1.0


class AbsenceConfig(_Section):
    """Sick leave other than COVID, exhaustion and leaving the profession."""

    other_share_region: Probability = Field(description="baseline share of region staff off sick")
    other_share_municipality: Probability = Field(description="baseline share of municipal staff off sick")
    other_mean_days: Days = Field(description="mean length of an ordinary sick spell")
    exhaustion_rate: Probability = Field(description="daily hazard of exhaustion sick leave at fatigue 1")
    exhaustion_power: Exponent = Field(description="hazard = rate · fatigue^power")
    exhaustion_mean_days: Days = Field(description="mean length of exhaustion sick leave")
    leave_rate_per_year: Probability = Field(description="baseline yearly hazard of leaving the profession")
    leave_fatigue_rate: Probability = Field(description="daily hazard of leaving per unit of sustained fatigue above the threshold")
    leave_fatigue_threshold: Probability = Field(description="sustained fatigue below which fatigue adds no leaving")


class InfectionConfig(_Section):
    """COVID infection of staff and its sick leave."""

    prevalence_per_icu_per_capita: Annotated[
        float,
        Field(ge=0.0),
        at_most(MAX_PREVALENCE_FACTOR, "", "at 1 COVID ICU patient per 100,000 inhabitants it means everyone is infected"),
    ] = Field(description="community prevalence per COVID ICU patient per inhabitant, lagged")
    prevalence_lag_days: WholeDays = Field(description="ICU occupancy trails prevalence by this many days")
    community_rate: Rate = Field(description="daily infection hazard per unit of prevalence, outside work")
    work_rate: dict[str, Rate] = Field(
        default_factory=dict,
        description="daily hazard at full exposure to COVID patients: icu (exposure = COVID share of patients), covid_ward",
    )
    symptomatic_share: Probability = Field(description="share of infected staff who fall ill and go on sick leave")
    onset_days: WholeDays = Field(description="days an infected staff member works before symptoms")
    infectious_days: Annotated[int, Field(ge=1), at_most(MAX_DAYS, "days", "20 years")] = Field(
        description="days an infected staff member can infect others"
    )
    sick_mean_days: Days = Field(description="mean length of an ordinary COVID sick spell")
    long_spell_share: Probability = Field(description="share of COVID spells that are long")
    long_spell_mean_days: Days = Field(description="mean length of a long COVID spell")

    @field_validator("work_rate")
    @classmethod
    def _keys(cls, value: dict[str, float]) -> dict[str, float]:
        # only these units treat COVID patients; nursing homes have nursing_homes.staff_exposure_rate
        _check_keys(value, ("icu", "covid_ward"), "unit kind with COVID patients")
        return value


class NursingHomeConfig(_Section):
    """Spread into and within nursing homes."""

    staff_seed_rate: Probability = Field(description="daily chance that an infectious staff member at work infects a resident")
    resident_transmission: Rate = Field(description="daily transmission rate among residents")
    resident_recovery_days: Days = Field(description="mean days a resident stays infected")
    staff_exposure_rate: Rate = Field(description="daily infection hazard of staff per infected-resident share")
    hourly_other_home_share: Probability = Field(description="share of an hourly worker's days spent at another home")
    extra_care_per_infected: Factor = Field(description="extra care an infected resident needs, relative to a healthy one")
    # competence: hygiene skill of the staff (issue #16)
    hygiene: dict[str, Probability] = Field(
        description="profession -> skill in basic hygiene routines (basal vårdhygien), 0–1, of permanent staff"
    )
    hygiene_hourly_factor: Probability = Field(description="hygiene skill of hourly staff relative to permanent staff of their profession")
    hygiene_protection: Probability = Field(
        description="share of staff-to-resident transmission that full hygiene skill prevents: a staff member's factor is "
        "1 − hygiene_protection × hygiene"
    )
    rn_teaching: Probability = Field(
        description="share of the gap to full hygiene skill that registered nurses present at a home close for the others "
        "when the home's nurse hours meet its norm (less in proportion when fewer nurses are present)"
    )
    # licensed staff and delegation of medication
    rn_hours_per_resident_day: Annotated[float, Field(gt=0.0), at_most(24.0, "hours per resident-day", "a nurse around the clock")] = Field(
        description="registered-nurse hours a resident's medication and nursing tasks take a day if none is delegated"
    )
    normal_delegated_share: Probability = Field(
        description="share of the medication rounds delegated to assistant nurses and care aides in normal times"
    )
    delegation_death_factor: Factor = Field(
        description="relative rise of an infected resident's death hazard when all the rounds beyond the normal share are delegated"
    )
    # residents' outcomes and physicians' access
    case_fatality: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        description="share of infected residents who die without a physician's individual assessment, with full care and normal delegation"
    )
    missed_care_death_factor: Factor = Field(
        description="relative rise of an infected resident's death hazard when the home's staff supply none of the care hours it needs "
        "(in proportion to the share of required hours missed)"
    )
    assessed_death_factor: Probability = Field(
        description="death hazard of an infected resident after a physician's individual medical assessment, relative to before"
    )
    physician_visits_per_week: Annotated[float, Field(ge=0.0), at_most(70.0, "rounds a week", "ten a day")] = Field(
        description="physician rounds in person per home and week (the region's primary care), before the physician_rounds lever"
    )
    digital_rounds_per_week: Annotated[float, Field(ge=0.0), at_most(70.0, "rounds a week", "ten a day")] = Field(
        description="remote (digital) physician rounds per home and week, before the physician_rounds lever"
    )
    assessment_per_visit: Probability = Field(
        description="chance that a physician round in person assesses a given infected, not yet assessed resident"
    )
    assessment_per_digital_round: Probability = Field(
        description="chance that a digital physician round assesses a given infected, not yet assessed resident"
    )

    @field_validator("hygiene")
    @classmethod
    def _every_profession(cls, value: dict[str, float]) -> dict[str, float]:
        _profession_keys(value)
        missing = [p for p in PROFESSIONS if p not in value]
        if missing:
            raise _KeyedValueError(missing[0], "missing: every profession needs a hygiene skill")
        return value


class HomeCareConfig(_Section):
    """Home care (hemtjänst): clients at home, the staff's daily visits, infection both ways, missed visits, outcomes.

    The defaults switch it off (no clients): a scenario without ``[home_care]`` runs as before issue #16.
    """

    clients: Annotated[int, Field(ge=0), at_most(MAX_HOME_CARE_CLIENTS, "clients", "ten times Sweden's ≈192,000")] = Field(
        0, description="people with home care, national (shared by municipality population; 0: no clients)"
    )
    visits_per_client: Annotated[float, Field(ge=0.0), at_most(24.0, "visits a day", "one an hour around the clock")] = Field(
        1.5, description="planned visits per client per day"
    )
    staff_to_client: Probability = Field(
        0.0, description="chance that an infectious staff member infects a susceptible client on one visit"
    )
    client_to_staff: Probability = Field(0.0, description="chance that an infected client infects the visiting staff member on one visit")
    community_rate: Rate = Field(0.0, description="clients' daily infection hazard per unit of community prevalence")
    recovery_days: Days = Field(14.0, description="mean days a client stays infected (until recovery or death)")
    case_fatality: Probability = Field(0.0, description="share of infected clients who die, with every visit made")
    missed_visit_fatality: Factor = Field(
        0.0, description="relative rise of an infected client's case fatality per unit of the municipality's missed-visit share"
    )
    extra_care_per_infected: Factor = Field(
        0.0, description="extra care an infected client needs, relative to a healthy client (raises home care's required hours)"
    )


class RegionWave(_Section):
    """A region's deviation from the wave's defaults."""

    peak_date: Date | None = None
    rise_days: Days | None = None
    fall_days: Days | None = None
    fall_shape: Exponent | None = None
    peak_patients: NonNegative | None = Field(
        None, description="COVID ICU patients at the peak (full scale; at most the region's population)"
    )
    intensity: Factor = Field(1.0, description="multiplies peak_per_100k")


class WaveConfig(_Section):
    """One epidemic wave of COVID ICU occupancy: a rising half-Gaussian and a falling generalised Gaussian joined at the peak."""

    name: str = "wave"
    peak_date: Date
    rise_days: Days = Field(description="standard deviation of the rising half, days")
    fall_days: Days = Field(description="width of the falling half, days (its sd when fall_shape is 2)")
    fall_shape: Exponent = Field(2.0, description="exponent of the falling half: 2 Gaussian, above 2 a flatter top and steeper fall")
    peak_per_100k: Per100k = Field(description="COVID ICU patients per 100,000 inhabitants at the peak")
    regions: dict[str, RegionWave] = Field(default_factory=dict)


class AdmissionsConfig(_Section):
    """Length of ICU stay for ``source = "admissions"``: a gamma distribution of this median and shape.

    ``count_noise`` and ``stay_noise_sd`` let replications vary the admissions and the stay (demand
    uncertainty), drawn from the demand's own random stream; their defaults leave the demand as the data.
    """

    stay_median_days: Days = Field(12.0, description="median ICU stay, days (12: spring 2020, facts)")
    stay_shape: Annotated[float, Field(ge=0.5), at_most(MAX_EXPONENT, "", "beyond it every stay is the median")] = Field(
        1.5, description="gamma shape of the ICU stay (1 exponential, higher narrower; assumption)"
    )
    count_noise: Literal["none", "poisson", "negative_binomial"] = Field(
        "none",
        description="admissions per region and day: the data ('none') or Poisson or negative binomial counts with the data as means",
    )
    count_dispersion: Annotated[float, Field(gt=0.0), at_most(MAX_CONCENTRATION, "", "beyond it the counts are Poisson")] = Field(
        10.0, description="negative binomial dispersion k: variance mean + mean²/k (count_noise = 'negative_binomial'; assumption)"
    )
    stay_noise_sd: Annotated[float, Field(ge=0.0), at_most(MAX_NOISE_SD, "", "one sd then multiplies the median stay by e^5 ≈ 150")] = (
        Field(0.0, description="sd of the log of a per-run multiplier on the median stay")
    )


class CrisisConfig(_Section):
    """A crisis in any year (issue #17): the 2020–21 regional ICU admissions re-dated into the run's period.

    With ``enabled`` the regions' own COVID ICU admissions (``demand.source = "admissions"``, ``sim/data/regional``) of
    ``source_from`` .. ``source_until`` are moved so that ``source_from`` falls on ``start``, multiplied by ``scale``;
    before and after them the run has no COVID admissions. They become occupancy as the admissions always do
    (``demand.admissions``: the stay, the count noise). Off by default.
    """

    enabled: bool = Field(
        False, description="re-date the 2020–21 regional ICU admissions into the run (needs demand.source = 'admissions')"
    )
    start: Date | None = Field(None, description="the run's date on which the admissions of source_from fall (within [time])")
    source_from: Date = Field(
        dt.date(2020, 3, 1), description="first day of the admissions data to re-date (the first wave began in March 2020)"
    )
    source_until: Date = Field(dt.date(2021, 12, 31), description="last day of the admissions data to re-date (2020–21: both waves)")
    scale: Annotated[float, Field(ge=0.0), at_most(MAX_FACTOR, "times", "a factor beyond it has no meaning here")] = Field(
        1.0, description="multiplies the re-dated admissions (0: no crisis; 2: a wave twice the 2020 one)"
    )

    @model_validator(mode="after")
    def _source_in_data(self) -> CrisisConfig:
        from sim.data import ADMISSIONS_FIRST_DAY, ADMISSIONS_LAST_DAY

        for key in ("source_from", "source_until"):
            value = getattr(self, key)
            if not ADMISSIONS_FIRST_DAY <= value <= ADMISSIONS_LAST_DAY:
                raise _KeyedValueError(key, f"{value} is outside the ICU admissions data ({ADMISSIONS_FIRST_DAY} to {ADMISSIONS_LAST_DAY})")
        if self.source_until < self.source_from:
            raise _KeyedValueError("source_until", f"source_until ({self.source_until}) is before source_from ({self.source_from})")
        if self.enabled and self.start is None:
            raise _KeyedValueError("start", "enabled = true needs start = YYYY-MM-DD, the date the re-dated admissions begin")
        return self


class QuietConfig(_Section):
    """Quiet periods of a multi-year run (issue #17): larger steps while nothing happens.

    While no region has COVID demand (national COVID ICU patients below ``threshold_patients`` from today to
    ``warmup_days`` ahead), every region is at the normal level, no staff member is posted, off duty, in training or
    off with COVID, no recruit works, no lever's dated window is near and no resident or client is infected, the model
    advances ``step_days`` at a time (never across a month's first day) with a cheap kernel
    (``kernels.advance_quiet``) instead of the daily core. Off by default.
    """

    enabled: bool = Field(False, description="advance quiet periods in steps of step_days with the quiet kernel (kernels.advance_quiet)")
    step_days: Annotated[int, Field(ge=1), at_most(31, "days", "a step never crosses a month's first day")] = Field(
        31, description="days a quiet step covers at most (cut at each month's first day; 31: calendar months)"
    )
    warmup_days: WholeDays = Field(
        28, description="the daily core resumes this many days before COVID demand (or a lever's dated window) starts"
    )
    threshold_patients: NonNegative = Field(
        1.0, description="national COVID ICU patients (full scale) below which a day counts as without COVID demand"
    )


class DemandConfig(_Section):
    """Where patients come from."""

    source: Literal["waves", "csv", "admissions"] = "waves"
    csv: FilePath | None = Field(
        None,
        description="CSV or xlsx of curves: date, region, kind (covid_icu or covid_ward), patients (full scale); "
        "comma, or semicolon with decimal comma as Swedish Excel writes it",
    )
    sheet: str | None = Field(
        None, min_length=1, max_length=MAX_NAME, description="sheet of an xlsx csv file (default: its first sheet that is not a README)"
    )
    admissions: AdmissionsConfig = Field(
        default_factory=AdmissionsConfig,
        description="ICU stay for source = 'admissions' (the regions' own ICU admissions, 2020-W01..2022-W43)",
    )
    covid_ward_per_icu: Factor = Field(description="COVID ward patients per COVID ICU patient")
    covid_scale: Factor = Field(
        1.0,
        description="multiplies all COVID demand: ICU and ward patients and so community prevalence (0: the no-COVID counterfactual)",
    )
    noise_sd: Annotated[float, Field(ge=0.0), at_most(MAX_NOISE_SD, "", "one sd then multiplies a region's epidemic by e^5 ≈ 150")] = Field(
        0.0, description="sd of the log of each region's stochastic scale per run"
    )
    waves: list[WaveConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _source_has_input(self) -> DemandConfig:
        if self.source == "csv" and self.csv is None:
            raise _KeyedValueError("csv", "source = 'csv' needs csv = 'path/to/curves.csv'")
        if self.source == "waves" and not self.waves:
            raise _KeyedValueError("waves", "source = 'waves' needs at least one [[demand.waves]] table")
        return self


TeamRatio = Annotated[float, Field(ge=0.0), at_most(MAX_FACTOR, "per ICU nurse", "a factor beyond it has no meaning here")]


class IcuTierConfig(_Section):
    """One tier of team-based ICU staffing (``[[safety.icu_tiers]]``): an ICU nurse's patients and the team around them."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40, description="the tier's name (lower case, digits, _)")
    patients_per_icu_nurse: Annotated[float, Field(ge=1.0), at_most(MAX_FACTOR, "patients per ICU nurse", "no unit has more")] = Field(
        description="ICU patients one specialist ICU nurse on duty takes in this tier (1 = 1:1)"
    )
    support_nurses_per_icu_nurse: TeamRatio = Field(
        0.0, description="non-specialist nurses (anaesthesia, registered) on duty per ICU nurse in this tier"
    )
    assistants_per_icu_nurse: TeamRatio = Field(0.0, description="assistant nurses on duty per ICU nurse in this tier")
    from_surge: Annotated[float, Field(ge=0.0), at_most(MAX_FACTOR, "times normal ICU beds", "no surge is larger")] = Field(
        description="the tier is within guidance from this surge level on: the region's ICU patients / its normal ICU beds"
    )


class SafetyConfig(_Section):
    """Thresholds of the patient-safety indicators, and the tiers of team-based ICU staffing (none: the minimum ratio)."""

    icu_min_nurse_ratio: Annotated[float, Field(gt=0.0), at_most(MAX_FACTOR, "nurses per patient", "no unit has more")] = Field(
        description="fewest ICU nurses per ICU patient considered safe (0.5 = 1:2); with icu_tiers, not used"
    )
    icu_tiers: list[IcuTierConfig] = Field(
        default_factory=list,
        description="team-based ICU staffing: tiers best first (none: trained nurses count as ICU nurses at their effectiveness)",
    )

    @field_validator("icu_tiers")
    @classmethod
    def _tiers_ordered(cls, tiers: list[IcuTierConfig]) -> list[IcuTierConfig]:
        if not tiers:
            return tiers
        first = tiers[0]
        if first.support_nurses_per_icu_nurse > 0 or first.assistants_per_icu_nurse > 0 or first.from_surge > 0:
            raise _KeyedValueError(
                "0", "the first tier is the normal one: no support nurses, no assistants and from_surge = 0 (within guidance at any load)"
            )
        names = [t.name for t in tiers]
        for i, (before, tier) in enumerate(itertools.pairwise(tiers), start=1):
            if tier.name in names[:i]:
                raise _KeyedValueError(f"{i}.name", f"tier name '{tier.name}' is used twice; expected unique names")
            for key in ("patients_per_icu_nurse", "support_nurses_per_icu_nurse", "assistants_per_icu_nurse", "from_surge"):
                a, b = getattr(before, key), getattr(tier, key)
                strict = key == "patients_per_icu_nurse"
                if b < a or (strict and b == a):
                    order = "above" if strict else "at least"
                    raise _KeyedValueError(
                        f"{i}.{key}",
                        f"tiers go from the least to the most diluted: {key} of tier {i} ({b:g}) must be {order} that of tier {i - 1} ({a:g})",
                    )
        return tiers


#: Fatigue's capacity keys at their defaults (off): left out of the digest while at them.
FATIGUE_CAPACITY_DEFAULTS = {"capacity_threshold": 1.0, "capacity_loss": 0.0, "error_odds_ratio": 1.0}

#: The forecast's keys at their defaults (perfect foresight): left out of the digest while at them, and all but ``forecast``
#: left out with perfect foresight, where they have no effect.
ESCALATION_FORECAST_DEFAULTS = {
    "forecast": "perfect",
    "reporting_delay_days": 0,
    "trend_days": 7,
    "forecast_error_sd": 0.0,
    "forecast_error_persistence": 0.9,
}


class EscalationConfig(_Section):
    """How regions escalate: by the forecast gap of their hospital units against their own staff."""

    horizon_days: WholeDays = Field(description="days ahead a region forecasts its demand")
    alert_gap: Probability = Field(description="forecast gap (share of hospital need) above which a region raises a staffing alert")
    crisis_gap: Probability = Field(description="forecast gap (share of hospital need) above which a region declares crisis")
    deescalate_days: WholeDays = Field(description="days below a threshold before a region steps down a level")
    # what a region knows of its load ahead (sim/forecast.py); the defaults are perfect foresight of the demand
    forecast: Literal["perfect", "trend"] = Field(
        "perfect",
        description="a region's forecast of its COVID ICU load: the demand itself ('perfect') or the trend of its reported occupancy",
    )
    reporting_delay_days: WholeDays = Field(
        0, description="forecast = 'trend': a region sees its COVID ICU occupancy as of this many days ago"
    )
    trend_days: Annotated[int, Field(ge=2), at_most(MAX_DAYS, "days", "20 years")] = Field(
        7, description="forecast = 'trend': days of the reported series the growth rate is fitted on (assumption: a week)"
    )
    forecast_error_sd: Annotated[float, Field(ge=0.0), at_most(MAX_NOISE_SD, "", "one sd then multiplies a forecast by e^5 ≈ 150")] = Field(
        0.0, description="forecast = 'trend': sd of the log of each region's multiplicative forecast error"
    )
    forecast_error_persistence: Probability = Field(
        0.9, description="forecast = 'trend': AR(1) coefficient of that log error from one day to the next (assumption)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> EscalationConfig:
        if self.crisis_gap < self.alert_gap:
            raise _KeyedValueError("crisis_gap", f"crisis_gap ({self.crisis_gap}) is below alert_gap ({self.alert_gap})")
        if self.forecast == "perfect":  # perfect foresight has no reports and no error: a value here would be ignored
            for key in ("reporting_delay_days", "forecast_error_sd"):
                if getattr(self, key) > 0:
                    raise _KeyedValueError(key, f"{key} applies to forecast = 'trend' only (forecast is 'perfect')")
        return self


class CustomLeverConfig(_Section):
    """A lever of your own (``[[levers.custom]]``): a ``sim.levers.Lever`` subclass in a module Python can import.

    The module is imported when the scenario is validated, so a missing module, class or option is
    an error of the scenario file, not of the run. Only name modules you trust: importing runs their code.
    """

    lever: str = Field(
        pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$", description="the lever's class as 'package.module:Class' (importable from PYTHONPATH)"
    )
    options: dict[str, Any] = Field(default_factory=dict, description="keyword arguments of the lever's constructor")

    @model_validator(mode="after")
    def _importable(self) -> CustomLeverConfig:
        try:
            cls = lever_class(self.lever)
        except LeverError as exc:
            raise _KeyedValueError("lever", str(exc)) from None
        try:
            cls(**self.options)
        except TypeError as exc:
            raise _KeyedValueError("options", f"{cls.__name__} does not take these options: {exc}") from None
        return self


#: Lever tables renamed: old name -> new name (a scenario that still uses the old one gets an error naming the new one).
RENAMED_LEVERS = {"rapid_training": "icu_upskilling"}  # issue #16: beredskapslyftet is the basic-care courses of new staff


class LeversConfig(_Section):
    """The levers Swedish health care pulled in 2020, the proposed national pool, and levers of your own."""

    crisis_agreement: CrisisAgreementConfig
    redeployment: RedeploymentConfig
    icu_upskilling: IcuUpskillingConfig
    recruitment: RecruitmentConfig
    loans: LoansConfig
    national_pool: NationalPoolConfig
    nursing_home_measures: NursingHomeMeasuresConfig
    vacation: VacationConfig
    recovery: RecoveryConfig
    bed_expansion: BedExpansionConfig = Field(
        default_factory=BedExpansionConfig, description="open ICU beds after a lead time up to each region's surge beds (issue #13)"
    )
    patient_transfers: PatientTransfersConfig = Field(
        default_factory=PatientTransfersConfig,
        description="move ICU patients from regions over their staffed beds to regions with room, nearest first (issue #13)",
    )
    home_cooperation: HomeCooperationConfig = Field(
        default_factory=HomeCooperationConfig,
        description="nursing homes in clusters lend each other permanent staff for blocks of days when short (issue #16)",
    )
    mobile_teams: MobileTeamsConfig = Field(
        default_factory=MobileTeamsConfig,
        description="regions' nurses in mobile teams in homes with outbreaks and in home care, with infection-control knowledge (issue #16)",
    )
    licensed_staff: LicensedStaffConfig = Field(
        default_factory=LicensedStaffConfig,
        description="extra registered nurses in nursing homes and home care after a recruitment lead time (issue #16)",
    )
    beredskapslyftet: BeredskapslyftetConfig = Field(
        default_factory=BeredskapslyftetConfig,
        description="short university courses in basic nursing care for the recruits (issue #16); off when left out",
    )
    hygiene_training: HygieneTrainingConfig = Field(
        default_factory=HygieneTrainingConfig,
        description="short courses in basic hygiene routines for municipal care staff, after a lead time (issue #16)",
    )
    physician_rounds: PhysicianRoundsConfig = Field(
        default_factory=PhysicianRoundsConfig,
        description="more physician rounds in nursing homes, in person and digital, from primary care or bought (issue #16)",
    )
    training_places: TrainingPlacesConfig = Field(
        default_factory=TrainingPlacesConfig,
        description="extra places in education per programme from a year on, through the supply (issue #17; needs supply.education)",
    )
    vfu_agreements: VfuAgreementsConfig = Field(
        default_factory=VfuAgreementsConfig,
        description="more VFU places per programme from a year on: raises the cap on intake (issue #17; needs supply.education)",
    )
    specialist_training: SpecialistTrainingConfig = Field(
        default_factory=SpecialistTrainingConfig,
        description="funded specialist places, registered nurses paid while they train (issue #17; needs supply.education)",
    )
    reserves: ReservesConfig = Field(
        default_factory=ReservesConfig,
        description="a reserve roster recruited monthly from the run's retirees and part-timers, called when regions escalate (issue #17; needs [supply])",
    )
    retention: RetentionConfig = Field(
        default_factory=RetentionConfig,
        description="pay, working-time or recovery measures from a date that lower leaving, at a cost (issue #17)",
    )
    short_courses: ShortCoursesConfig = Field(
        default_factory=ShortCoursesConfig,
        description="shorter ICU courses and onboarding by e-learning, and competence kept between crises by refreshers (issue #17)",
    )
    custom: list[CustomLeverConfig] = Field(default_factory=list, description="levers of your own, acting after the built-in ones")

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        """A lever table under its old name is an error that gives the new one (unknown-key suggestions would not)."""
        if isinstance(data, dict):
            for old, new in RENAMED_LEVERS.items():
                if old in data:
                    raise _KeyedValueError(old, f"renamed to [levers.{new}] (issue #16)")
        return data

    def enabled(self) -> list[str]:
        """Names of the built-in levers switched on (nationally or in a region), then the user's levers as 'module:Class'."""
        builtin = [
            name
            for name in type(self).model_fields
            if name != "custom" and getattr(getattr(self, name), "enabled_anywhere", getattr(self, name).enabled)
        ]
        return builtin + [entry.lever for entry in self.custom]


class CostsConfig(_Section):
    """Money: wages and premiums, in SEK."""

    hourly_wage_sek: dict[str, WageSek] = Field(description="profession -> wage per hour, SEK")
    employer_fee: Annotated[
        float, Field(ge=0.0), at_most(MAX_EMPLOYER_FEE, "times the wage", "fees are a share of wages, about 0.3 in Sweden")
    ] = Field(description="employer's social fees and pension, share of wages")
    overtime_multiplier: Multiplier = Field(description="pay of overtime and extra hours relative to normal")
    recruit_wage_factor: Factor = Field(description="pay of temporary recruits relative to the profession's wage")

    @field_validator("hourly_wage_sek")
    @classmethod
    def _all(cls, value: dict[str, float]) -> dict[str, float]:
        _profession_keys(value)
        missing = [p for p in PROFESSIONS if p not in value]
        if missing:
            raise _KeyedValueError(missing[0], "missing: every profession needs a wage")
        return value


@functools.cache
def region_population() -> dict[str, int]:
    from sim.data import regions

    return {str(code): int(n) for code, n in zip(regions()["code"], regions()["population"], strict=True)}


@functools.cache
def _staff_counts() -> dict[tuple[str, str], int]:
    """(profession, employer) -> staff at full scale, as ``sim.world.build_world`` reads them."""
    from sim.data import national_staff_counts

    return {(profession, employer): count for profession, employer, count in national_staff_counts()}


def smallest_scale(largest_count: int) -> float:
    """The smallest ``world.scale`` (two significant digits) at which a group of ``largest_count`` staff keeps one agent.

    The world rounds ``count × scale`` to whole agents (half to even, so 0.5 rounds to 0).
    """
    scale = 0.5 / largest_count
    digits = -math.floor(math.log10(scale)) + 1
    candidate = math.ceil(scale * 10**digits) / 10**digits
    while round(largest_count * candidate) < 1:
        candidate += 10**-digits
    return candidate


#: Defaults of ``[supply]`` by profession, each with its source (docs/pipeline_facts.md, P…) or "assumption". National,
#: full scale, per year; the world's scale applies.
SUPPLY_GRADUATES = {
    "physician": 1550.0,  # P23: UKÄ projects "drygt 1 550" medical graduates a year
    "icu_physician": 30.0,  # assumption: anaesthesia/intensive-care specialists replace their retirements (1,800 × 1.5 %)
    "icu_nurse": 120.0,  # assumption: P22's ≈2,100 specialist-nurse graduates a year × the model's 2,600 of ≈45,000 specialist nurses (P8)
    "anaesthesia_nurse": 120.0,  # assumption: as icu_nurse (2,700 of ≈45,000 specialist nurses)
    "registered_nurse": 4300.0,  # derived: P26's 4,944 nurse licences in 2020 less ≈670 trained abroad (P28)
    "assistant_nurse": 4700.0,  # assumption (P25: national degrees not found): replaces 3 % retirements of 155,000
    "care_aide": 900.0,  # assumption: replaces 3 % retirements of 30,000
}
SUPPLY_LICENSED = {
    "physician": 1050.0,  # P26: 2,401 physician licences in 2020, 44 % trained abroad
    "registered_nurse": 670.0,  # P28: 595 EU/EEA + 71 other countries (2016, year inferred)
}
SUPPLY_RETIREMENT = {
    "physician": 0.015,  # P15: ≈650 physician retirements a year in the regions, of the model's ≈42,000 physicians
    "icu_physician": 0.015,  # as physician (P15)
    "icu_nurse": 0.03,  # P14: "drygt tre procent" of specialist nurses retired in 2011
    "anaesthesia_nurse": 0.03,  # P14
    "registered_nurse": 0.02,  # P15: ≈1,770 nurse retirements a year in the regions, of the model's ≈87,000 regional nurses
    "assistant_nurse": 0.03,  # P17: 76,000 of 129,000 hires to 2023 for retirements, ≈7,600 a year of ≈247,000 (2018)
    "care_aide": 0.03,  # P17, as assistant_nurse
}
#: Leaving the profession besides retirement, by profession (yearly). Calibrated by hand (2026-12-03, scale 0.25, seeds
#: 0–1) so that the stock-flow run (scenarios/stock_flow_2018.toml, sim.validation run "stock_flow") reproduces the
#: published two-year changes of the stock: working physicians +1.5 % Nov 2018 – 2020 (pipeline facts P1, P2) and
#: nurses about flat (+0.9 %, P5). Without it the graduates and licences (P22–P28) grow the stock by 9 % and 6 % in two
#: years. It stands for emigration (P29, P30), moves out of health care (P31, P32: one nurse-educated in five works
#: elsewhere) and licences from abroad that never start work here. Others: 0 (assistant nurses' and care aides' graduates
#: are assumptions set to replace retirements; the assistant nurses' change, P12, is a check that passes without it).
SUPPLY_LEAVE = {
    "physician": 0.038,
    "icu_physician": 0.038,
    "icu_nurse": 0.024,
    "anaesthesia_nurse": 0.024,
    "registered_nurse": 0.024,
    "assistant_nurse": 0.0,
    "care_aide": 0.0,
}
MAX_SUPPLY_PER_YEAR = 330_000.0  # people a year: the whole national health-care staff in sim/data (330,565)
SupplyPerYear = Annotated[float, Field(ge=0.0), at_most(MAX_SUPPLY_PER_YEAR, "people a year", "the whole health-care staff of Sweden")]


def _fill_professions(defaults: dict[str, float]) -> Any:
    """A before-validator: a profession not given keeps its default (0 where none is listed); unknown professions are refused."""

    def fill(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        _profession_keys(value)
        return {p: value.get(p, defaults.get(p, 0.0)) for p in PROFESSIONS}

    return fill


#: Defaults of ``[supply.ages]`` by profession (docs/pipeline_facts.md, P…, or "assumption").
AGE_SHARE_55 = {
    "physician": 0.30,  # assumption (P1: 30 % of licensed physicians are 65+, most not working; P18)
    "icu_physician": 0.30,  # assumption, as physician
    "icu_nurse": 0.47,  # P13: "47 procent av alla specialistutbildade sjuksköterskor [är] 55 år eller äldre" (2017)
    "anaesthesia_nurse": 0.47,  # P13, as icu_nurse
    "registered_nurse": 0.25,  # assumption (younger than the specialist nurses of P13)
    "assistant_nurse": 0.30,  # assumption: gives a mean age of about 45 (P11: mean age of the women 45)
    "care_aide": 0.10,  # assumption: a young group (P11: mean age of the women 36)
}
AGE_SHARE_65 = {
    "physician": 0.074,  # P18: physicians 7.4 % of region employees aged 65+ (2017)
    "icu_physician": 0.074,  # P18, as physician
    "icu_nurse": 0.06,  # P18: employed specialist nurses 65+ 6 % (2010)
    "anaesthesia_nurse": 0.06,  # P18, as icu_nurse
    "registered_nurse": 0.05,  # P18: nurses 5.0 % aged 65+ (2017)
    "assistant_nurse": 0.053,  # P18: USK/skötare 5.3 % aged 65+ (2017)
    "care_aide": 0.03,  # assumption
}
AGE_YOUNGEST = {
    "physician": 27.0,  # assumption: 5.5 years of medicine and AT after upper-secondary school (P24)
    "icu_physician": 35.0,  # assumption: specialist training (ST, at least 5 years, P24) after the licence
    "icu_nurse": 27.0,  # assumption: nursing (3 years), a year of work and the specialist year (P24)
    "anaesthesia_nurse": 27.0,  # assumption, as icu_nurse
    "registered_nurse": 23.0,  # assumption: 3 years of nursing after upper-secondary school (P24)
    "assistant_nurse": 19.0,  # assumption: the upper-secondary vocational programme (P24)
    "care_aide": 18.0,  # assumption
}
GRADUATION_AGE = {
    "physician": 30.0,  # assumption: 5.5 years + AT of 18–21 months (P24) after a start at about 22
    "icu_physician": 40.0,  # assumption: ST of 5.5 years (P24) after some years as a licensed physician
    "icu_nurse": 35.0,  # assumption: the specialist year (P24) after years of nursing (P22: >20 % start within 3 years)
    "anaesthesia_nurse": 35.0,  # assumption, as icu_nurse
    "registered_nurse": 27.0,  # assumption: 3 years (P24), many start after some years of work
    "assistant_nurse": 30.0,  # assumption: many train as adults (komvux, P25)
    "care_aide": 25.0,  # assumption
}
#: Relative yearly retirement hazard by whole year of age, below ``retirement_age_limit`` (assumption shaped by P19:
#: the public pension from 62–64, the common retirement at 65, the right to stay employed to 68/69).
RETIREMENT_HAZARD_SHAPE = {"60": 0.1, "61": 0.1, "62": 0.3, "63": 0.4, "64": 0.5, "65": 1.0, "66": 0.6, "67": 0.6, "68": 0.8}


class SupplyAgesConfig(_Section):
    """Ages of the staff and the retirement hazard by age (``[supply.ages]``; used with ``supply.retirement = "age"``;
    the ages are drawn in every world, from a stream of their own)."""

    share_55_plus: Annotated[dict[str, Probability], BeforeValidator(_fill_professions(AGE_SHARE_55))] = Field(
        default_factory=lambda: dict(AGE_SHARE_55),
        description="profession -> share of the starting staff aged 55 or over (pipeline facts P13; others assumption)",
    )
    share_65_plus: Annotated[dict[str, Probability], BeforeValidator(_fill_professions(AGE_SHARE_65))] = Field(
        default_factory=lambda: dict(AGE_SHARE_65),
        description="profession -> share of the starting staff aged 65 or over, up to the age limit (pipeline facts P18)",
    )
    youngest: Annotated[dict[str, Annotated[float, Field(ge=15.0, lt=55.0)]], BeforeValidator(_fill_professions(AGE_YOUNGEST))] = Field(
        default_factory=lambda: dict(AGE_YOUNGEST),
        description="profession -> the youngest age (years) of the starting staff; uniform from it to 55 (assumption)",
    )
    graduation_age: Annotated[dict[str, Annotated[float, Field(ge=15.0, lt=69.0)]], BeforeValidator(_fill_professions(GRADUATION_AGE))] = (
        Field(
            default_factory=lambda: dict(GRADUATION_AGE),
            description="profession -> age (years) of an entrant on the day they start work (assumption, P24's programme lengths)",
        )
    )
    graduation_age_spread: Annotated[float, Field(ge=0.0, le=20.0)] = Field(
        4.0, description="width (years) of the uniform spread of the entrants' ages around graduation_age (assumption)"
    )
    retirement_age_limit: Annotated[float, Field(gt=55.0, le=80.0)] = Field(
        69.0, description="age (years) from which retirement is certain at the next monthly step (pipeline facts P19: LAS 69 from 2023)"
    )
    retirement_hazard_shape: dict[str, NonNegative] = Field(
        default_factory=lambda: dict(RETIREMENT_HAZARD_SHAPE),
        description="whole year of age -> relative yearly retirement hazard below the age limit (0 where not given; scaled per "
        "profession to retirement_rate_per_year; assumption shaped by pipeline facts P19)",
    )

    @field_validator("retirement_hazard_shape")
    @classmethod
    def _whole_ages(cls, value: dict[str, float]) -> dict[str, float]:
        for age in value:
            if not (str(age).isdigit() and int(age) <= 120):
                raise _KeyedValueError(str(age), f"'{age}' is not an age; expected a whole year of age, 0-120 (as a key: \"65\" = 1.0)")
        return value

    @model_validator(mode="after")
    def _shares_ordered(self) -> SupplyAgesConfig:
        for p in PROFESSIONS:
            if self.share_65_plus[p] > self.share_55_plus[p]:
                raise _KeyedValueError(
                    f"share_65_plus.{p}",
                    f"{self.share_65_plus[p]} is above share_55_plus ({self.share_55_plus[p]}); expected at most that share",
                )
        return self


#: Defaults of ``[supply.education.programmes.<programme>]`` (sim.education.PROGRAMMES), each with its source.
EDUCATION_PROGRAMMES: dict[str, dict[str, Any]] = {
    # P24: 5.5 years and AT of 18–21 months (≈7.25, rounded to 7); P23: completion about 90 % (women) and 85 % (men);
    # VFU: P36 (medicine admitted no more in HT2020 despite ≈30 % more applicants) and P39, headroom 3 % an assumption
    "medicine": {"intake_per_year": None, "years": 7.0, "completion": 0.9, "vfu_headroom": 0.03},
    # P24: 3 years; P21: 81 % of the 1999/00 entrants graduated within 5 years; P20/P39: intake +3 % against +28 %
    # applicants in HT2020, VFU the bottleneck (headroom 3 %: assumption from that)
    "nursing": {"intake_per_year": None, "years": 3.0, "completion": 0.81, "vfu_headroom": 0.03},
    # assumption (P24: 1,500 upper-secondary points; many in komvux; P25: no national degrees found); no VFU cap
    "assistant_nursing": {"intake_per_year": None, "years": 2.0, "completion": 0.7, "vfu_headroom": None},
    # P24: 60 hp, 1 year full-time; P22: completion about 95 % (women) and 90 % (men); P40: places go unfilled (no cap)
    "icu_specialist": {"intake_per_year": None, "years": 1.0, "completion": 0.93, "vfu_headroom": None},
    "anaesthesia_specialist": {"intake_per_year": None, "years": 1.0, "completion": 0.93, "vfu_headroom": None},
}


class ProgrammeConfig(_Section):
    """One education programme (``[supply.education.programmes.<programme>]``): intake, length, completion, VFU cap."""

    intake_per_year: SupplyPerYear | None = Field(
        None,
        description="students admitted a year before the run, national (none: graduates_per_year / completion, which reproduces "
        "the first slice's graduates; pipeline facts P20, P22, P23 for published intakes)",
    )
    years: Annotated[float, Field(gt=0.0, le=15.0)] = Field(
        description="years from admission to starting work, rounded half up (pipeline facts P24)"
    )
    completion: Probability = Field(description="share of the admitted who graduate and start work (pipeline facts P21, P22, P23)")
    vfu_headroom: Annotated[float, Field(ge=0.0, le=10.0)] | None = Field(
        description="VFU places above the baseline intake, as a share of it: the cap on the run's intake (none: no cap; "
        "pipeline facts P39, the size an assumption)"
    )


def _fill_programmes(value: Any) -> Any:
    """A before-validator: each programme's keys not given keep their defaults; unknown programmes are refused."""
    from sim.education import PROGRAMMES

    if not isinstance(value, dict):
        return value
    for name in value:
        if name not in PROGRAMMES:
            raise _KeyedValueError(
                str(name), f"unknown programme '{name}'{suggest(str(name), list(PROGRAMMES))} (expected one of {', '.join(PROGRAMMES)})"
            )

    def filled(name: str) -> Any:
        table = value.get(name, {})
        table = table.model_dump() if isinstance(table, ProgrammeConfig) else table
        # a programme given as anything but a table goes to validation as it is: refused there, under its key
        return {**EDUCATION_PROGRAMMES[name], **table} if isinstance(table, dict) else table

    return {name: filled(name) for name in PROGRAMMES}


class SupplyEducationConfig(_Section):
    """Graduates from education (``[supply.education]``, sim.education): off by default (graduates_per_year as given)."""

    enabled: bool = Field(
        False,
        description="derive the graduates of the programmes' professions from intake, programme length, completion and the VFU cap "
        "(instead of supply.graduates_per_year)",
    )
    programmes: Annotated[dict[str, ProgrammeConfig], BeforeValidator(_fill_programmes)] = Field(
        default_factory=lambda: {k: ProgrammeConfig(**v) for k, v in EDUCATION_PROGRAMMES.items()},
        description="programme -> its intake, length, completion and VFU headroom (medicine, nursing, assistant_nursing, "
        "icu_specialist, anaesthesia_specialist)",
    )
    specialisation: bool = Field(
        False,
        description="the specialist programmes' students are registered nurses of the workforce, away from work while they "
        "train (status specialising), who then become ICU or anaesthesia nurses (instead of new rows)",
    )
    specialists_paid: bool = Field(
        False,
        description="the specialist students are paid while they train (utbildningsanställning, pipeline facts P41; the "
        "salary is the supply's specialist_salary_sek); false: leave without pay, the common case (assumption from P40)",
    )


class SupplyConfig(_Section):
    """Supply over years (issue #17, first slice): graduates and people licensed from abroad enter the workforce, its
    members retire and leave, on the first day of each month. Off by default: a scenario without ``[supply]`` runs as before.

    Per profession the values are national, at full scale, per year (the world's scale applies); professions not given keep
    their defaults (docs/pipeline_facts.md).
    """

    enabled: bool = Field(False, description="run the supply side over years (monthly entrants, retirements, leaving)")
    graduates_per_year: Annotated[dict[str, SupplyPerYear], BeforeValidator(_fill_professions(SUPPLY_GRADUATES))] = Field(
        default_factory=lambda: dict(SUPPLY_GRADUATES),
        description="profession -> graduates who start work each year, national (pipeline facts P22, P23, P26; others assumption)",
    )
    licensed_from_abroad_per_year: Annotated[dict[str, SupplyPerYear], BeforeValidator(_fill_professions(SUPPLY_LICENSED))] = Field(
        default_factory=lambda: dict(SUPPLY_LICENSED),
        description="profession -> people trained abroad licensed and starting work each year, national, spread over the months "
        "(pipeline facts P26, P28)",
    )
    retirement_rate_per_year: Annotated[dict[str, Probability], BeforeValidator(_fill_professions(SUPPLY_RETIREMENT))] = Field(
        default_factory=lambda: dict(SUPPLY_RETIREMENT),
        description="profession -> yearly probability that a member of the starting workforce retires (pipeline facts P14, P15, P17)",
    )
    leave_rate_per_year: Annotated[dict[str, Probability], BeforeValidator(_fill_professions(SUPPLY_LEAVE))] = Field(
        default_factory=lambda: dict(SUPPLY_LEAVE),
        description="profession -> yearly probability that a member of the workforce leaves the profession, on top of "
        "absence.leave_rate_per_year (calibrated to the 2018–2020 stock: physicians 0.038, nurses 0.024, others 0; "
        "sim.validation run stock_flow, pipeline facts P1, P2, P5)",
    )
    graduate_start_months: list[Annotated[int, Field(ge=1, le=12)]] = Field(
        default_factory=lambda: [1, 8],
        description="months (1-12) in which graduates start work, each taking an equal share of the year's graduates "
        "(assumption: terms end in January and June)",
    )
    region_shares: dict[str, NonNegative] = Field(
        default_factory=dict,
        description="region code -> weight of the region in the entrants' regional split (empty: by population)",
    )
    retirement: Literal["rate", "age"] = Field(
        "rate",
        description="how the starting staff retire: 'rate' (retirement_rate_per_year, flat) or 'age' (a hazard by age, "
        "supply.ages, calibrated to the same first-year rate)",
    )
    ages: SupplyAgesConfig = Field(default_factory=SupplyAgesConfig, description="age structure and retirement by age")
    education: SupplyEducationConfig = Field(
        default_factory=SupplyEducationConfig, description="graduates from intake, programme length, completion and VFU places"
    )

    @field_validator("graduate_start_months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("expected at least one month (1-12) in which graduates start work")
        if len(set(value)) != len(value):
            raise ValueError(f"expected each month once, got {value}")
        return sorted(value)

    @field_validator("region_shares")
    @classmethod
    def _region_codes(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            return value
        from sim.data import region_codes

        codes = region_codes()
        for code in value:
            if code not in codes:
                raise _KeyedValueError(str(code), f"unknown region '{code}'{suggest(code, codes)} (expected one of {', '.join(codes)})")
        if sum(value.values()) <= 0:
            raise ValueError("expected at least one region with a weight above 0")
        return value


class Scenario(_Section):
    """A complete, validated scenario."""

    name: str = "scenario"
    description: str = ""
    time: TimeConfig
    world: WorldConfig
    workforce: WorkforceConfig
    norms: NormsConfig
    fatigue: FatigueConfig
    absence: AbsenceConfig
    infection: InfectionConfig
    nursing_homes: NursingHomeConfig
    home_care: HomeCareConfig = HomeCareConfig()
    demand: DemandConfig
    safety: SafetyConfig
    escalation: EscalationConfig
    levers: LeversConfig
    costs: CostsConfig
    supply: SupplyConfig = SupplyConfig()
    crisis: CrisisConfig = Field(default_factory=CrisisConfig, description="a crisis in any year (issue #17); off by default")
    quiet: QuietConfig = Field(default_factory=QuietConfig, description="quiet periods of multi-year runs (issue #17); off by default")

    @field_validator("name")
    @classmethod
    def _folder_name(cls, value: str) -> str:
        return folder_name(value)

    @model_validator(mode="after")
    def _known_regions(self) -> Scenario:
        from sim.data import region_code, region_codes

        codes = region_codes()
        population = region_population()
        for i, wave in enumerate(self.demand.waves):
            for code, local in wave.regions.items():
                if code not in codes:
                    named = region_code(code)  # a region's name ("Jämtland Härjedalen") rather than its code
                    hint = f"; did you mean '{named}' (the code of that region)?" if named else suggest(code, codes)
                    raise _KeyedValueError(
                        f"demand.waves.{i}.regions.{code}",
                        f"unknown region '{code}'{hint} (expected one of {', '.join(codes)})",
                    )
                # more COVID ICU patients than inhabitants means a typo (and overflows the staffing need)
                if local.peak_patients is not None and local.peak_patients > population[code]:
                    raise _KeyedValueError(
                        f"demand.waves.{i}.regions.{code}.peak_patients",
                        f"expected at most the region's {population[code]:,} inhabitants, got {local.peak_patients:,g} patients",
                    )
                if wave.peak_per_100k * local.intensity > MAX_PER_100K:
                    raise _KeyedValueError(
                        f"demand.waves.{i}.regions.{code}.intensity",
                        f"peak_per_100k × intensity is {wave.peak_per_100k * local.intensity:,g} patients per 100,000 inhabitants; "
                        f"expected at most {MAX_PER_100K:,g} (everyone)",
                    )
        return self

    @model_validator(mode="after")
    def _admissions_cover_period(self) -> Scenario:
        if self.crisis.enabled:
            if self.demand.source != "admissions":
                raise _KeyedValueError(
                    "crisis.enabled",
                    f"a crisis re-dates the ICU admissions: it needs demand.source = 'admissions', got {self.demand.source!r}",
                )
            if self.crisis.start is not None and not self.time.start <= self.crisis.start <= self.time.end:
                raise _KeyedValueError(
                    "crisis.start", f"{self.crisis.start} is outside the run ({self.time.start} to {self.time.end}); expected a date in it"
                )
        elif self.demand.source == "admissions":
            from sim.data import admissions_period_error

            problem = admissions_period_error(self.time.start, self.time.n_days + self.infection.prevalence_lag_days)
            if problem:
                raise _KeyedValueError("demand.source", problem)
        return self

    @model_validator(mode="after")
    def _buildable_world(self) -> Scenario:
        """The conditions under which building the world (sim.world.build_world) fails, checked here so that
        ``validate`` refuses what ``run`` would refuse."""
        staff = _staff_counts()
        mixes = {"region": ("region_mix", self.workforce.region_mix), "municipality": ("municipal_mix", self.workforce.municipal_mix)}
        for (name, employer), _ in staff.items():
            key, mix = mixes[employer]
            if name not in mix:
                raise _KeyedValueError(f"workforce.{key}.{name}", f"missing: where do the {employer}s' staff of this profession work?")
        smallest = smallest_scale(max(staff.values()))
        if self.world.scale < smallest:
            raise _KeyedValueError(
                "world.scale",
                f"{self.world.scale:g} leaves no staff at all; expected at least {smallest:g} (the largest profession then has one agent)",
            )
        return self

    @model_validator(mode="after")
    def _supply_levers_need_supply(self) -> Scenario:
        for lever in ("reserves",):  # issue #17: levers that recruit from or act on the supply side's stocks
            if getattr(self.levers, lever).enabled_anywhere and not self.supply.enabled:
                raise _KeyedValueError(
                    f"levers.{lever}.enabled",
                    "this lever works on the supply side's stocks (retirees, part-timers month by month): it needs [supply] enabled = true",
                )
        if self.levers.national_pool.recruit_from == "stocks" and not self.supply.enabled:
            raise _KeyedValueError(
                "levers.national_pool.recruit_from",
                "'stocks' fills the pool from the run's retirees and part-timers month by month: it needs [supply] enabled = true",
            )
        return self

    # last: a period the data do not cover, or an unbuildable world, is the more useful message
    @model_validator(mode="after")
    def _agreement_until_in_period(self) -> Scenario:
        until = self.levers.crisis_agreement.until
        if until is not None and until < self.time.start:
            raise _KeyedValueError(
                "levers.crisis_agreement.until",
                f"until ({until}) is before the scenario's start ({self.time.start}); expected a date in the period "
                "(a scenario that extends a 2020 baseline into a later period can set it to its start: no effect)",
            )
        return self

    def digest(self) -> str:
        """SHA-256 of the validated scenario: equal digests mean equal inputs.

        With ``demand.source = "csv"`` the digest covers the CSV's contents too, not only its path; a region profile
        (``world.region_profile``, issue #15) counts by its contents only, and only when set, as ``demand.sheet`` does. Keys without effect
        are left out: ``demand.admissions`` counts only with ``demand.source = "admissions"`` (its noise keys only when
        set), the trend forecast's keys only with ``escalation.forecast = "trend"`` (and then only when set), and
        ``levers.custom`` only when it names a lever. Issue #13 added inputs that always count (the bed_expansion and
        patient_transfers tables, ``levers.redeployment.icu_other_cut``) and changed what a scenario means (each region's
        own ICU beds), so every digest from before it changed with it: sweep folders of older versions do not resume.
        """
        data = self.model_dump(mode="json")
        if self.demand.source != "admissions":
            # not an input of the run then; left out so that digests (and sweep folders) from before the source stay valid
            del data["demand"]["admissions"]
        else:  # the uncertainty keys (issue #13) count only when set, so admissions digests from before them stay valid
            for key, default in (("count_noise", "none"), ("count_dispersion", 10.0), ("stay_noise_sd", 0.0)):
                if data["demand"]["admissions"][key] == default:
                    del data["demand"]["admissions"][key]
        if data["demand"]["covid_scale"] == 1.0:  # the response cost's switch (issue #14) counts only when set
            del data["demand"]["covid_scale"]
        perfect = self.escalation.forecast == "perfect"
        for key, default in ESCALATION_FORECAST_DEFAULTS.items():  # likewise the forecast's keys (issue #13, item 5)
            if data["escalation"][key] == default or (perfect and key != "forecast"):
                del data["escalation"][key]
        for key, default in FATIGUE_CAPACITY_DEFAULTS.items():  # fatigue's capacity keys (issue #14, item 4) only when set
            if data["fatigue"][key] == default:
                del data["fatigue"][key]
        if not self.levers.custom:  # likewise for scenarios without levers of their own (issue #12 added the table)
            del data["levers"]["custom"]
        if not self.safety.icu_tiers:  # likewise without team-based ICU staffing (issue #14, item 2)
            del data["safety"]["icu_tiers"]
        if self.levers.beredskapslyftet == BeredskapslyftetConfig():  # issue #16's lever counts only when set
            del data["levers"]["beredskapslyftet"]
        if self.levers.icu_upskilling.assistant_nurse_days is None:
            del data["levers"]["icu_upskilling"]["assistant_nurse_days"]
        supply_levers = (
            ("training_places", TrainingPlacesConfig()),
            ("vfu_agreements", VfuAgreementsConfig()),
            ("specialist_training", SpecialistTrainingConfig()),
        )
        for lever, config in supply_levers:
            if getattr(self.levers, lever) == config:  # issue #17's supply levers count only when set
                del data["levers"][lever]
        if self.supply == SupplyConfig():  # issue #17's supply side counts only when set
            del data["supply"]
        for lever, config in (
            ("reserves", ReservesConfig()),
            ("retention", RetentionConfig()),
            ("short_courses", ShortCoursesConfig()),
        ):  # issue #17's levers count only when set
            if getattr(self.levers, lever) == config:
                del data["levers"][lever]
        if self.levers.national_pool.recruit_from == "rows":  # issue #17's key of the pool counts only when set
            del data["levers"]["national_pool"]["recruit_from"]
        csv = self.demand.csv
        if self.demand.source == "csv" and csv is not None and Path(csv).is_file():
            data["demand"]["csv_sha256"] = hashlib.sha256(Path(csv).read_bytes()).hexdigest()
        if self.demand.sheet is None:  # issue #15: the sheet of an xlsx forecast counts only when set
            del data["demand"]["sheet"]
        profile = data["world"].pop("region_profile")  # issue #15: a region profile counts by its contents, only when set
        if profile is not None:
            data["world"]["region_profile_sha256"] = (
                hashlib.sha256(Path(profile).read_bytes()).hexdigest() if Path(profile).is_file() else profile
            )
        for section, config in (("crisis", CrisisConfig()), ("quiet", QuietConfig())):  # issue #17: count only when set
            if getattr(self, section) == config:
                del data[section]
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def without_covid(self) -> Scenario:
        """The no-COVID counterfactual of this scenario, a normal year: no COVID demand and no mobilisation.

        ``demand.covid_scale = 0``: no COVID ICU or ward patients, hence no community prevalence (it follows ICU
        occupancy), no infection of staff at work or outside it, and no nursing-home introductions (only infected staff
        bring the virus in). Every built-in lever but ``vacation`` is switched off, and vacations are kept
        (``policy = "keep"``): the levers are the response, and some act without COVID (the national call to postpone
        planned care is set by dates, nursing-home measures and a standing pool too), so with them the counterfactual
        would not be a normal year. Everything else (the world, the staff, ordinary demand and sick leave, the
        summer, your own ``levers.custom``) stays. Run with the same seed it is the normal year the response cost is
        measured against (``sim.response_cost``); strategies that differ only in their levers share it. The name gets
        ``_without_covid``; a counterfactual is returned as it is.
        """
        data = self.model_dump(mode="json")
        levers = data["levers"]
        off = {name: False for name in type(self.levers).model_fields if name not in ("custom", "vacation")}
        regional = [name for name in off if levers[name].get("regions")]  # levers on in a region of their own (issue #15)
        if (
            self.demand.covid_scale == 0.0
            and not any(levers[name]["enabled"] for name in off)
            and not regional
            and levers["vacation"]["policy"] == "keep"
        ):
            return self
        overrides: dict[str, Any] = {f"levers.{name}.enabled": False for name in off}
        overrides.update({f"levers.{name}.regions": {} for name in regional})
        overrides.update({"demand.covid_scale": 0.0, "levers.vacation.policy": "keep", "name": f"{self.name}_without_covid"})
        return self.with_overrides(**overrides)

    def with_overrides(self, **overrides: Any) -> Scenario:
        """A copy with dotted-key overrides applied, e.g. ``{"world.scale": 0.1}``."""
        data = self.model_dump(mode="json")
        for key, value in overrides.items():
            _set_dotted(data, _check_key(key.replace("__", "."), "<overrides>"), value, source="<overrides>")
        return _validate(data, {}, "<overrides>")


# --------------------------------------------------------------------------- loading
_PATH_KEYS = (("demand", "csv"), ("world", "region_profile"))


def load_scenario(path: str | Path, *, set_values: list[str] | None = None, **overrides: Any) -> Scenario:
    """Load, merge and validate a scenario file.

    Args:
        path: the TOML file.
        set_values: ``"a.b=value"`` strings, as given to ``--set``; the value is read as TOML
            (``0.5``, ``true``, ``"text"``, ``2020-04-01``) and otherwise taken as a string.
        **overrides: dotted keys with ``__`` for dots (``world__scale=0.1``) or a dict passed as
            ``**{"world.scale": 0.1}``.

    Raises:
        ScenarioError: naming the file, the key and what was expected.
    """
    path = Path(path)
    origins: dict[tuple[str, ...], str] = {}
    data = _read_with_extends(path, origins, chain=())
    if origins.get(("name",)) != str(path):
        # the name is not inherited: it names the default results folder, and a child that kept its
        # parent's name would overwrite the parent's results
        data["name"] = path.stem
        origins[("name",)] = str(path)
    for item in set_values or []:
        key, value = _parse_set(item)
        _set_dotted(data, key, value, source="--set", origins=origins)
    for key, value in overrides.items():
        dotted = _check_key(key.replace("__", "."), "override")
        _set_dotted(data, dotted, value, source="override", origins=origins)
    return _validate(data, origins, str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; a file that is not UTF-8 text or not TOML is a ScenarioError saying how to fix it."""
    if not path.is_file():
        raise ScenarioError(path, "", "file not found")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(path, "", f"cannot read: {exc.strerror}") from None
    return _parse_toml(raw, path)


def _parse_toml(raw: bytes, path: Path) -> dict[str, Any]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Notepad's "Unicode" and PowerShell's default
        raise ScenarioError(path, "", "UTF-16 text (it starts with a UTF-16 byte order mark); save the file as UTF-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # UTF-8 with a byte order mark (Notepad's "UTF-8 with BOM"): the text is UTF-8 all the same
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(path, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}); save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(path, "", f"not valid TOML: {exc}") from None


def _read_with_extends(path: Path, origins: dict[tuple[str, ...], str], chain: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        raise ScenarioError(path, "extends", "circular: " + " -> ".join(p.name for p in (*chain, resolved)))
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(
            path, "extends", f"a chain of more than {MAX_EXTENDS_DEPTH} files (from {chain[0].name}); expected at most {MAX_EXTENDS_DEPTH}"
        )
    own = _read_toml(path)
    for keys in _PATH_KEYS:
        node = own
        for k in keys[:-1]:
            node = node.get(k, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict) and isinstance(node.get(keys[-1]), str):
            node[keys[-1]] = str((path.parent / node[keys[-1]]).resolve())
    parent_name = own.pop("extends", None)
    if parent_name is None:
        base: dict[str, Any] = {}
    else:
        if not isinstance(parent_name, str):
            raise ScenarioError(path, "extends", f"expected a file name (string), got {parent_name!r}")
        parent = path.parent / parent_name
        if not parent.is_file():
            raise ScenarioError(path, "extends", f"file '{parent_name}' not found (looked in {path.parent})")
        base = _read_with_extends(parent, origins, (*chain, resolved))
    _record_origins(own, (), str(path), origins)
    return _deep_merge(base, own)


def _record_origins(data: Any, prefix: tuple[str, ...], source: str, origins: dict[tuple[str, ...], str]) -> None:
    origins[prefix] = source
    if isinstance(data, dict):
        for key, value in data.items():
            _record_origins(value, (*prefix, str(key)), source, origins)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _parse_set(item: str) -> tuple[str, Any]:
    if "=" not in item:
        raise ScenarioError("--set", item, "expected KEY=VALUE, e.g. world.scale=0.1")
    key, raw = (part.strip() for part in item.split("=", 1))
    if not key:
        raise ScenarioError("--set", item, "empty key; expected KEY=VALUE")
    _check_key(key, "--set")
    try:
        parsed = tomllib.loads(f"v = {raw}")
    except tomllib.TOMLDecodeError:
        parsed = {}
    # exactly one value; anything else (e.g. text with a newline that smuggles in more TOML) is taken as a string
    value = parsed["v"] if list(parsed) == ["v"] else raw
    return key, value


def _check_key(key: str, source: str) -> str:
    if any(not part.strip() for part in key.split(".")):
        raise ScenarioError(source, key, "expected a dotted key such as world.scale (empty part between dots)")
    return key


def _set_dotted(
    data: dict[str, Any], key: str, value: Any, source: str = "override", origins: dict[tuple[str, ...], str] | None = None
) -> None:
    """Set ``a.b.c`` in nested tables; a numeric part indexes a list (``demand.waves.0.peak_date``).

    Tables created on the way, and the key itself, are recorded in ``origins`` as coming from ``source``.
    """
    parts = key.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        here = tuple(parts[: i + 1])
        if isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                where = ".".join(parts[:i])
                raise ScenarioError(source, ".".join(here), f"'{where}' is a list of {len(node)}; expected an index 0..{len(node) - 1}")
            index = int(part)
            if last:
                node[index] = value
                break
            child = node[index]
        else:
            if last:
                node[part] = value
                break
            child = node.get(part)
            if child is None:
                child = node[part] = {}
                if origins is not None:
                    origins[here] = source
        if not isinstance(child, dict | list):
            raise ScenarioError(source, ".".join(here), f"is a value, not a table; cannot set '{key}'")
        node = child
    if origins is not None:
        origins[tuple(parts)] = source


def _validate(data: dict[str, Any], origins: dict[tuple[str, ...], str], default_source: str) -> Scenario:
    return _validate_as(Scenario, data, origins, default_source)


def _validate_as(model: type[_M], data: dict[str, Any], origins: dict[tuple[str, ...], str], default_source: str) -> _M:
    """Validate ``data`` as ``model`` (a schema built like ``Scenario``); the first error becomes a ``ScenarioError``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(str(part) for part in error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, _KeyedValueError):
            loc = (*loc, *cause.key.split("."))
        key = ".".join(loc)
        source = _origin(loc, origins, default_source)
        raise ScenarioError(source, key, _describe(error, loc, model)) from None


def _origin(loc: tuple[str, ...], origins: dict[tuple[str, ...], str], default: str) -> str:
    for n in range(len(loc), -1, -1):
        if loc[:n] in origins:
            return origins[loc[:n]]
    return default


def _describe(error: dict[str, Any], loc: tuple[str, ...], root: type[BaseModel] | None = None) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1], root)
        suggestion = suggest(loc[-1], allowed)
        return f"unknown key{suggestion}" + (f" (valid keys: {', '.join(allowed)})" if not suggestion and allowed else "")
    if kind == "missing":
        return "required key is missing"
    got = error.get("input")
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind not in {"value_error", "assertion_error"} and not isinstance(got, dict):
        shown = repr(got)
        message += f" (got {shown if len(shown) <= 80 else shown[:60] + '...' + shown[-10:]})"  # one readable line, even for a huge value
    return message


def _fields_at(loc: tuple[str, ...], root: type[BaseModel] | None = None) -> list[str]:
    """Valid keys of the table at ``loc`` in the schema ``root`` (default ``Scenario``), for suggestions."""
    annotation: Any = root or Scenario
    i = 0
    while i < len(loc):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(loc[i])
            if field is None:
                return []
            annotation = field.annotation
        elif get_origin(annotation) in (list, dict):
            annotation = get_args(annotation)[-1]  # loc[i] is an index or a free key
        elif get_args(annotation):  # Optional / Union: look into the model among the options, or the one option besides None
            options = [a for a in get_args(annotation) if a is not type(None)]
            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            if not models and len(options) != 1:
                return []
            annotation = models[0] if models else options[0]
            continue
        else:
            return []
        i += 1
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []
