"""The building blocks of the scenario schema: sections, bounds with units, keyed errors, the lever table's base.

``sim.scenario`` assembles the scenario from these; each lever's module in ``sim/levers/`` declares
its own table (a ``LeverConfig``) from them, so the levers and the scenario share one vocabulary
without importing each other. Every model forbids unknown keys, refuses inf and NaN, and is strict
about types (no ``"yes"`` for true, no ``true`` for 1; a whole number is a valid decimal).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.categories import PROFESSIONS, UNIT_KINDS
from sim.text import suggest

# Upper bounds, where a value stops making sense; each in one place, with its unit and the reason.
# Beyond them a run overflows (inf, NaN), runs out of memory, or means nothing (docs/guide.md lists them).
MAX_SEED = 2**63 - 1  # the model's seeds are 63-bit
MAX_DAYS = 7305  # days (20 years): the longest period, and the longest duration of anything in a scenario
MAX_WEEKLY_HOURS = 168.0  # hours a week: there are 168 hours in a week
MAX_PER_100K = 100_000.0  # per 100,000 inhabitants: everyone
MAX_ICU_BEDS = 11_000  # ICU beds: ten times Sweden's April 2020 surge capacity (1,100)
MAX_NURSING_HOMES = 17_000  # homes: ten times Sweden's 1,700 special housings
MAX_RESIDENTS = 790_000  # residents: ten times Sweden's 79,000
MAX_HOME_CARE_CLIENTS = 2_000_000  # home-care clients: ten times Sweden's ≈192,000 (aged 70+, 2019)
MAX_OPERATIONS = 5_343_000.0  # planned operations a year: ten times Sweden's 534,300
MAX_TRAVEL_HOURS = 48.0  # hours over the region network: its longest trip is 21 h (Skåne–Norrbotten); no ICU patient travels two days
MAX_TRANSFERS = 11_000.0  # ICU patients moved a day: every one of ten times Sweden's surge beds (1,100) moved once a day
MAX_POOL = 330_000  # pool members: about the whole national health-care staff in sim/data (330,565)
MAX_FACTOR = 100.0  # multipliers and relative factors (pay, strain, care, patients per patient): 100 times is far beyond any use
MAX_RATE = 1000.0  # daily rates and hazards: at 1,000 a day everything happens on the first day already
MAX_EXPONENT = 100.0  # exponents and shapes: beyond 100 a power is a step function
MAX_CONCENTRATION = 1e6  # Beta concentration: beyond it every home has exactly its region's mean
MAX_PREVALENCE_FACTOR = 100_000.0  # prevalence per ICU patient per inhabitant: at 1 ICU patient per 100,000 everyone is infected
MAX_NOISE_SD = 5.0  # sd of a log: one sd then multiplies a region's epidemic by e^5 ≈ 150
MAX_EMPLOYER_FEE = 10.0  # times the wage: fees are a share of wages, about 0.3 in Sweden
MAX_WAGE_SEK = 100_000.0  # SEK an hour: about 250 times a nurse's wage
MAX_COST_SEK = 1e9  # SEK per person
MAX_NAME = 100  # characters: a name is a folder name, and file systems allow 255 bytes (a character may take 4)
MAX_RUNS = 10_000  # runs in one compare or sweep: at a second or more a run (hours at full scale), more would take days
MAX_EXTENDS_DEPTH = 20  # files in an extends chain: deeper is a mistake (a loop through copies), not a design


@dataclasses.dataclass(frozen=True)
class _AtMost(AfterValidator):
    """An AfterValidator that also shows its bound as ``le`` (tools/scenario_keys.py reads it for the guide's table)."""

    le: float = math.inf


def at_most(limit: float, unit: str, why: str) -> AfterValidator:
    """An upper bound whose message gives the unit and the reason (pydantic's ``le`` says neither)."""

    def check(value: float) -> float:
        if value > limit:
            raise ValueError(f"expected at most {limit:,g}{' ' + unit if unit else ''} ({why}), got {value:,g}")
        return value

    return _AtMost(check, le=limit)


# Every number must be finite (the model config forbids inf and NaN) and of the right type (strict: no
# "yes" for true, no true for 1, no 1.5 for a whole number; a whole number is a valid float).
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]
Days = Annotated[float, Field(gt=0.0), at_most(MAX_DAYS, "days", "20 years")]  # a mean duration or a width in days
WholeDays = Annotated[int, Field(ge=0), at_most(MAX_DAYS, "days", "20 years")]
WeeklyHours = Annotated[float, Field(gt=0.0), at_most(MAX_WEEKLY_HOURS, "hours a week", "a week has 168 hours")]
Per100k = Annotated[float, Field(ge=0.0), at_most(MAX_PER_100K, "per 100,000 inhabitants", "everyone")]
Factor = Annotated[float, Field(ge=0.0), at_most(MAX_FACTOR, "times", "a factor beyond it has no meaning here")]
Multiplier = Annotated[float, Field(ge=1.0), at_most(MAX_FACTOR, "times", "a factor beyond it has no meaning here")]
Rate = Annotated[float, Field(ge=0.0), at_most(MAX_RATE, "a day", "at this rate everything happens on the first day")]
Exponent = Annotated[float, Field(gt=0.0), at_most(MAX_EXPONENT, "", "beyond it a power is a step")]
NormHours = Annotated[float, Field(ge=0.0), at_most(240.0, "hours per patient-day", "ten staff per patient around the clock")]
WageSek = Annotated[float, Field(ge=0.0), at_most(MAX_WAGE_SEK, "SEK an hour", "about 250 times a nurse's wage")]
CostSek = Annotated[float, Field(ge=0.0), at_most(MAX_COST_SEK, "SEK per person", "a billion")]
TravelHours = Annotated[float, Field(ge=0.0), at_most(MAX_TRAVEL_HOURS, "hours", "no ICU patient travels two days")]
PatientsPerDay = Annotated[
    float, Field(ge=0.0), at_most(MAX_TRANSFERS, "patients a day", "ten times Sweden's surge ICU beds, every one moved each day")
]
# dates and paths are the exception to strict types: TOML gives dates as dates and paths as text, while
# with_overrides (a JSON dump) and --set "..." give dates as ISO text
Date = Annotated[dt.date, Strict(False)]
FilePath = Annotated[Path, Strict(False)]


class _KeyedValueError(ValueError):
    """A validation error about a key below the one being validated (``key`` is relative to it)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key

    def __reduce__(self) -> tuple[type, tuple[str, str], dict]:  # as the other errors: the same key and message back
        return type(self), (self.key, str(self)), self.__dict__


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, strict=True, allow_inf_nan=False)


def folder_name(value: str) -> str:
    """A name that is also the default results folder (``results/<name>``): one plain folder name."""
    if not value.strip() or value in {".", ".."} or any(c in value for c in "/\\\0"):
        raise ValueError(f"expected a plain name usable as a folder name (no '/', '\\', '.' or '..'), got {value!r}")
    if len(value) > MAX_NAME:
        raise ValueError(f"expected at most {MAX_NAME} characters (it names the results folder), got {len(value)}")
    if any(not c.isprintable() for c in value):
        # control characters would be printed raw to the terminal (escape sequences) and make odd folder names
        raise ValueError(f"expected printable characters only (it names the results folder), got {value!r}")
    return value


def _check_keys(mapping: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise _KeyedValueError(str(key), f"unknown {what} '{key}'{suggest(key, allowed)} (expected one of {', '.join(allowed)})")


def _profession_keys(value: dict[str, float]) -> dict[str, float]:
    _check_keys(value, PROFESSIONS, "profession")
    return value


def _unit_kind_keys(value: dict[str, Any]) -> dict[str, Any]:
    _check_keys(value, UNIT_KINDS, "unit kind")
    return value


Level = Literal["staffing_alert", "crisis"]


class LeverConfig(_Section):
    """What every lever's table has: on or off, from which escalation level, a national decision's window, and the
    settings of single regions (``[levers.<lever>.regions.<region>]``, issue #15).

    ``region_keys`` (a class attribute) names the keys a lever takes per region; a region's table holds a subset of
    them, checked with the same bounds as the national keys. ``enabled = false`` nationally with ``enabled = true`` in
    a region means: on in that region only.
    """

    #: The keys a region's table may hold (each lever's config lists its own).
    region_keys: ClassVar[tuple[str, ...]] = ("enabled", "start_level")
    #: False for a lever whose agents exist only when it is on nationally (built with the world): a region cannot switch it on alone.
    region_may_enable: ClassVar[bool] = True

    enabled: bool = False
    start_level: Level = Field("crisis", description="escalation level at which the lever starts in a region")
    national_from: Date | None = Field(None, description="first day of a national decision that applies the lever in every region")
    national_until: Date | None = Field(None, description="last day of that national decision")
    regions: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="region code or Swedish name -> the lever's keys that differ in that region, a subset of those it takes per region "
        "(guide: One region's levers); stored by region code",
    )

    @field_validator("regions")
    @classmethod
    def _region_codes(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        if not value:
            return value
        from sim.data import region_code, region_codes

        codes = region_codes()
        out: dict[str, dict[str, Any]] = {}
        for name, table in value.items():
            code = region_code(name)
            if code is None:
                raise _KeyedValueError(
                    str(name),
                    f"unknown region '{name}'{suggest(name, codes)} (expected a region code or its Swedish name: {', '.join(codes)})",
                )
            if code in out:
                raise _KeyedValueError(
                    str(name), f"region '{code}' is given twice (as '{name}' and by another name); expected one table per region"
                )
            for key in table:
                if key not in cls.region_keys:
                    raise _KeyedValueError(
                        f"{name}.{key}",
                        f"'{key}' is not set per region{suggest(key, cls.region_keys)}; per region this lever takes "
                        f"{', '.join(cls.region_keys)} (other keys apply to every region)",
                    )
            if table:  # an empty table sets nothing: left out, so that it changes neither the results nor the digest
                out[code] = dict(table)
        return out

    @model_validator(mode="after")
    def _region_values(self) -> LeverConfig:
        for code, table in self.regions.items():
            if table.get("enabled") and not self.enabled and not self.region_may_enable:
                raise _KeyedValueError(
                    f"regions.{code}.enabled",
                    "this lever cannot be switched on in one region only (its people are built with the world only when it is on "
                    "nationally); set enabled = true in the lever's table and enabled = false in the regions without it",
                )
            try:
                self.in_region(code)
            except ValidationError as exc:
                error = exc.errors()[0]
                loc = ".".join(str(part) for part in error["loc"])
                cause = (error.get("ctx") or {}).get("error")
                if isinstance(cause, _KeyedValueError):
                    loc = ".".join(p for p in (loc, cause.key) if p)
                message = error["msg"].removeprefix("Value error, ")
                if error["type"] not in {"value_error", "assertion_error"}:
                    message += f" (got {error.get('input')!r})"
                raise _KeyedValueError(f"regions.{code}.{loc}" if loc else f"regions.{code}", message) from None
        return self

    @model_serializer(mode="wrap")
    def _without_empty_regions(self, handler: Any) -> dict[str, Any]:
        # no region tables: the table dumps as before issue #15, so digests (and sweep folders) and --show stay as they were
        data = handler(self)
        if not self.regions and isinstance(data, dict):
            data.pop("regions", None)
        return data

    def in_region(self, code: str) -> LeverConfig:
        """The lever's table as it applies in region ``code``: the national keys with that region's overrides, validated."""
        table = self.regions.get(code)
        if not table:
            return self
        data = {name: getattr(self, name) for name in type(self).model_fields if name != "regions"}
        data.update(table)
        return type(self).model_validate(data)

    def region_value(self, code: str, key: str) -> Any:
        """The value of ``key`` in region ``code`` (the national value where the region does not set it)."""
        table = self.regions.get(code, {})
        return getattr(self.in_region(code), key) if key in table else getattr(self, key)

    @property
    def enabled_anywhere(self) -> bool:
        """On nationally, or in at least one region (the lever is then built, and acts where it is on)."""
        return self.enabled or any(table.get("enabled") for table in self.regions.values())

    @model_validator(mode="after")
    def _window(self) -> LeverConfig:
        if (self.national_from is None) != (self.national_until is None):
            raise _KeyedValueError("national_until", "national_from and national_until go together")
        if self.national_from and self.national_until and self.national_until < self.national_from:
            raise _KeyedValueError(
                "national_until", f"national_until ({self.national_until}) is before national_from ({self.national_from})"
            )
        return self


_Lever = LeverConfig  # the name before issue #12
