"""Built-in Sweden: regions, the region network and national staff counts.

The CSV files beside this module carry their sources in their header comments.
Everything here is data at full scale; ``sim.world`` scales and spreads it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import unicodedata
from importlib import resources
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

ROAD_FACTOR = 1.3  # road distance / great-circle distance (assumption)
ROAD_SPEED_KMH = 80.0  # mean travel speed between capitals (assumption)


def _read(name: str) -> pd.DataFrame:
    with resources.files(__package__).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, comment="#", skipinitialspace=True)


@functools.cache
def _regions() -> pd.DataFrame:
    df = _read("regions.csv")
    return df.set_index("code", drop=False)


def regions() -> pd.DataFrame:
    """The 21 regions, one row each, in a fixed order (the region index of the core)."""
    return _regions().copy()


@functools.cache
def region_codes() -> tuple[str, ...]:
    """Region codes in core order (``stockholm``, ``uppsala``, ...)."""
    return tuple(_regions()["code"])


def _plain(name: str) -> str:
    """A region name or code without case, diacritics, a leading "region" and separators: "Region Jämtland-Härjedalen" → "jamtlandharjedalen"."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().casefold().strip()
    text = text.removeprefix("region ").removeprefix("region_")
    text = "".join(ch for ch in text if ch.isalnum())
    return text.removesuffix("sregionen").removesuffix("regionen") or text


def region_code(name: str) -> str | None:
    """The region code of ``name``: a code (``jamtland``), the region's Swedish name (``Jämtland Härjedalen``) or
    its first word, written in any case, with or without diacritics or "Region"; None if it names no region."""
    regions = _regions()
    known: dict[str, str] = {}
    for code, full in zip(regions["code"], regions["name"], strict=True):
        for alias in (code, full, full.split()[0]):
            known.setdefault(_plain(alias), code)
    return known.get(_plain(name))


def national_staff() -> pd.DataFrame:
    """Head counts per profession and employer at full scale, with sources."""
    return _read("staff.csv")


@functools.cache
def national_staff_counts() -> tuple[tuple[str, str, int], ...]:
    """(profession, employer, head count at full scale) of each row of ``national_staff``, in its order: read once per
    process (the world's build and the scenario's checks read it for every run)."""
    table = national_staff()
    return tuple((str(p), str(e), int(c)) for p, e, c in zip(table["profession"], table["employer"], table["count"], strict=True))


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@functools.cache
def _network() -> nx.Graph:
    reg = _regions()
    graph = nx.Graph()
    for code, row in reg.iterrows():
        graph.add_node(
            code,
            name=row["name"],
            healthcare_region=row["healthcare_region"],
            pos=(float(row["lon"]), float(row["lat"])),
        )
    for _, edge in _read("borders.csv").iterrows():
        a, b = edge["a"], edge["b"]
        if a not in reg.index or b not in reg.index:
            raise ValueError(f"borders.csv: unknown region in edge {a}–{b}")
        if pd.isna(edge["hours"]):
            km = great_circle_km(reg.at[a, "lat"], reg.at[a, "lon"], reg.at[b, "lat"], reg.at[b, "lon"])
            hours, kind = km * ROAD_FACTOR / ROAD_SPEED_KMH, "land"
        else:
            hours, kind = float(edge["hours"]), "sea"
        graph.add_edge(a, b, hours=round(hours, 2), kind=kind)
    return graph


def region_network() -> nx.Graph:
    """Regions as nodes, borders and Gotland's sea links as edges weighted by travel ``hours``."""
    return _network().copy()


def travel_hours() -> pd.DataFrame:
    """Shortest travel time (hours) between every pair of regions over the network (computed once per process; a new
    frame each call)."""
    return _travel_hours().copy()


def travel_hours_between(codes: list[str]) -> np.ndarray:
    """``travel_hours`` between the regions ``codes``, from (rows) and to (columns), as a new array (the levers that move
    staff or patients read it at setup; without the frame's copy and label lookup, issue #18)."""
    table = _travel_hours()
    at = table.index.get_indexer(codes)
    if (at < 0).any():
        raise KeyError(f"no region {[c for c, i in zip(codes, at, strict=True) if i < 0]} in the network")
    return table.to_numpy()[np.ix_(at, at)]


@functools.cache
def _travel_hours() -> pd.DataFrame:
    graph = _network()
    codes = list(region_codes())
    lengths = dict(nx.all_pairs_dijkstra_path_length(graph, weight="hours"))
    return pd.DataFrame([[lengths[a][b] for b in codes] for a in codes], index=codes, columns=codes)


# Folkhälsomyndigheten's short region names (regional/*.csv) -> the model's region codes (regions.csv)
FHM_REGION_CODES: dict[str, str] = {
    "Stockholm": "stockholm",
    "Uppsala": "uppsala",
    "Sörmland": "sormland",
    "Östergötland": "ostergotland",
    "Jönköping": "jonkoping",
    "Kronoberg": "kronoberg",
    "Kalmar": "kalmar",
    "Gotland": "gotland",
    "Blekinge": "blekinge",
    "Skåne": "skane",
    "Halland": "halland",
    "Västra Götaland": "vastra_gotaland",
    "Värmland": "varmland",
    "Örebro": "orebro",
    "Västmanland": "vastmanland",
    "Dalarna": "dalarna",
    "Gävleborg": "gavleborg",
    "Västernorrland": "vasternorrland",
    "Jämtland Härjedalen": "jamtland",
    "Västerbotten": "vasterbotten",
    "Norrbotten": "norrbotten",
}


def _read_regional(name: str) -> pd.DataFrame:
    """A file of ``regional/`` with Folkhälsomyndigheten's region names, and the model's region ``code`` beside them."""
    df = _read(f"regional/{name}")
    unknown = sorted(set(df["region"]) - set(FHM_REGION_CODES))
    if unknown:
        raise ValueError(f"regional/{name}: region(s) {unknown} missing from FHM_REGION_CODES")
    df["code"] = df["region"].map(FHM_REGION_CODES)
    return df


@functools.cache
def _admissions_weekly() -> pd.DataFrame:
    df = _read_regional("icu_admissions_weekly_by_region.csv")
    df["week_start"] = pd.to_datetime(df["week_start"], format="%Y-%m-%d")
    return df


def icu_admissions_weekly() -> pd.DataFrame:
    """New COVID-19 ICU admissions per region and ISO week, 2020-W01 to 2022-W43 (Folkhälsomyndigheten, SIR).

    Columns of the file (``year, iso_week, week_start, region, lan_code, new_icu_admissions, ...``) plus
    ``code``, the model's region code; ``week_start`` (the Monday) as a timestamp. See regional/README.md.
    """
    return _admissions_weekly().copy()


@functools.cache
def _admissions_daily() -> pd.DataFrame:
    df = _read("regional/icu_admissions_daily_national.csv")
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    return df


def icu_admissions_daily_national() -> pd.DataFrame:
    """New COVID-19 ICU admissions in Sweden per day of admission (``date, new_icu_admissions``), from 6 March 2020."""
    return _admissions_daily().copy()


@functools.cache
def _icu_beds() -> pd.DataFrame:
    return _read_regional("icu_beds_by_region.csv").set_index("code", drop=False)


def icu_beds() -> pd.DataFrame:
    """ICU beds per region, indexed by the model's region code (see regional/README.md for the caveats).

    Columns ``region, lan_code, icu_beds_2017`` (most likely pre-pandemic beds, sum 516) and
    ``icu_beds_surge_april_2020_est`` (most likely Folkhälsomyndigheten's estimate of the expanded capacity in
    April 2020, sum 1,087), plus ``code``.
    """
    return _icu_beds().copy()


ADMISSIONS_FIRST_DAY = dt.date(2019, 12, 30)  # Monday of 2020-W01, the first week of the admissions data
ADMISSIONS_LAST_DAY = dt.date(2022, 10, 30)  # Sunday of 2022-W43, its last week


def admissions_period_error(start: dt.date, n_days: int) -> str | None:
    """Why the admissions data cannot give demand for ``n_days`` days from ``start`` (None if they can)."""
    end = start + dt.timedelta(days=n_days - 1)
    if start < ADMISSIONS_FIRST_DAY or end > ADMISSIONS_LAST_DAY:
        return (
            f"the ICU admissions data run from {ADMISSIONS_FIRST_DAY} to {ADMISSIONS_LAST_DAY} (2020-W01 to 2022-W43); "
            f"the run needs {start} to {end} (its period and infection.prevalence_lag_days after it)"
        )
    return None


# --------------------------------------------------------------------------- region profile (issue #15)
#: Items of a region profile other than staff, with what they mean (full-scale counts of one region).
PROFILE_OTHER_ITEMS: dict[str, str] = {
    "icu_beds_2019": "ICU beds before the pandemic (the normal ICU; world.icu_beds_2019 nationally)",
    "icu_beds_surge": "ICU beds at the April 2020 surge, the most bed_expansion opens (world.icu_beds_surge nationally)",
    "nursing_homes": "special housings for the elderly (särskilda boenden), at least 1",
    "nursing_home_residents": "residents of special housing",
    "home_care_clients": "people with home care (hemtjänst; home_care.clients nationally)",
}
#: Column names of a region profile (other columns, such as the templates' built_in and description, are ignored).
PROFILE_COLUMNS = ["region", "item", "value"]


def profile_items() -> dict[str, str]:
    """Every item a region profile may give, with what it means: ``staff.<profession>.<employer>`` (as in
    ``staff.csv``: head counts employed by the region or its municipalities) and ``PROFILE_OTHER_ITEMS``."""
    items = {
        f"staff.{r['profession']}.{r['employer']}": f"{r['profession'].replace('_', ' ').replace('icu ', 'ICU ')}s employed by the "
        + ("region" if r["employer"] == "region" else "region's municipalities (elderly care)")
        + " (head count)"
        for _, r in national_staff().iterrows()
    }
    items.update(PROFILE_OTHER_ITEMS)
    return items


def read_region_profile(path: str | Path) -> dict[tuple[str, str], float]:
    """A region profile (CSV or xlsx; ``sim.tables.read_table``) as ``{(region code, item): value}`` at full scale.

    Columns ``region`` (a code or the region's Swedish name, as in the demand CSV), ``item`` (``profile_items``)
    and ``value`` (a count >= 0, at most the region's population); other columns are ignored. A row whose value is
    empty overrides nothing, so a template with the built-in figures beside empty values changes nothing.

    Raises:
        ScenarioError: the file, the row and column, and what was expected.
    """
    import numpy as np

    from sim.errors import ScenarioError
    from sim.tables import number_cells, number_hint, read_table
    from sim.text import suggest

    path = Path(path)
    key = "world.region_profile"
    table = read_table(path, key, PROFILE_COLUMNS)
    items = profile_items()
    codes = region_codes()
    population = dict(zip(_regions()["code"], _regions()["population"], strict=True))
    raw = table.column("value")
    values = number_cells(table, "value")
    out: dict[tuple[str, str], float] = {}
    first: dict[tuple[str, str], int] = {}
    for i, (name, item) in enumerate(zip(table.column("region"), table.column("item"), strict=True)):
        where = table.row_label(i)
        code = region_code(name)
        if code is None:
            hint = (
                suggest(name, [*codes, *_regions()["name"]])
                or f"; expected a region code such as {codes[0]} or a region's name such as Jämtland Härjedalen"
            )
            raise ScenarioError(path, f"{where}, column region", f"unknown region {name!r}{hint}")
        if item not in items:
            raise ScenarioError(
                path, f"{where}, column item", f"unknown item {item!r}{suggest(item, items)} (expected one of {', '.join(items)})"
            )
        if not raw[i].strip():
            continue  # no figure of one's own: the built-in one stays
        value = values[i]
        if not np.isfinite(value) or value < 0:
            raise ScenarioError(
                path, f"{where}, column value", f"expected a count >= 0 for {item} in {code}, got {raw[i]!r}{number_hint(table, raw[i])}"
            )
        if value > population[code]:
            raise ScenarioError(
                path, f"{where}, column value", f"expected at most {code}'s {population[code]:,} inhabitants for {item}, got {raw[i]!r}"
            )
        if item == "nursing_homes" and value < 1:
            raise ScenarioError(
                path,
                f"{where}, column value",
                f"expected at least 1 nursing home in {code} (its elderly-care staff work in them), got {raw[i]!r}",
            )
        if (code, item) in first:
            raise ScenarioError(
                path, where, f"duplicate of {table.label(first[code, item])} ({code}, {item}); expected one value per region and item"
            )
        first[code, item] = table.lines[i]
        out[code, item] = float(value)
    return out
