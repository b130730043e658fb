"""The cost of the response: a run's costs above the same run without COVID (issue #14, item 5).

``cost_*_msek`` (``sim.recorder.COST_ITEMS``) is what a run pays above normal payroll, and that includes
what a normal year pays too: ordinary overtime where an ordinary unit's need tops its staff's contracted
hours, summer substitutes, a standing pool. The response cost subtracts the run's no-COVID counterfactual,
``Scenario.without_covid()`` (``demand.covid_scale = 0``: no COVID ICU or ward patients, so no community
prevalence, no infection of staff and no nursing-home introductions), run with the same seed, item by item::

    response_cost_<item>_msek = cost_<item>_msek(run) − cost_<item>_msek(counterfactual, same seed)

The counterfactual is a normal year: besides the COVID demand, the mobilisation levers are switched off (all
built-in levers but ``vacation``, whose vacations are kept). The levers are the response, and some act without
COVID: the national call to postpone planned care is set by dates (with the levers left on, the baseline's
no-COVID run still cuts April's operations by 46 % and pays less ordinary overtime than a normal year), nursing-home
measures and a standing pool too. So the response cost of a strategy is everything it pays above a normal year,
the levers' own costs and savings included, and strategies that differ only in their levers share one
counterfactual per seed (``counterfactual_key``), which a comparison runs once (``docs/ODD.md``, submodel 21).
Every draw is keyed on (seed, day, staff, event) and the demand's own stream draws the same numbers at any
``covid_scale``, so the two runs share their random numbers.

::

    from sim import response_cost
    result = response_cost.run(scenario, seed=0)          # both runs; the summary gains response_cost_*_msek
    row = response_cost.difference(result.summary, counterfactual.summary)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.recorder import COST_ITEMS

if TYPE_CHECKING:
    from sim.results import Result
    from sim.scenario import Scenario

#: The summary columns of the response cost: one per cost item, then the total.
COLUMNS = (*(f"response_cost_{item}_msek" for item in COST_ITEMS), "response_cost_total_msek")
#: Summary columns the run and its counterfactual must share (a difference of two other runs means nothing).
MATCHING = ("seed", "scale", "days")


#: Values of a switched-off lever's table that are read all the same (the normal day's planned operations).
READ_WHEN_OFF = {"redeployment": ("operations_per_year",)}


def counterfactual_key(scenario: Scenario) -> str:
    """What identifies a scenario's counterfactual: ``without_covid()`` less what cannot change its run.

    Its name and description, and the tables of the levers it switches off (but ``READ_WHEN_OFF``): a lever that is
    off is not built, so its size or its dates do nothing (``tests/test_response_cost.py`` runs two counterfactuals
    that differ only there and finds them equal). Strategies with equal keys share their counterfactual run of a
    seed, so a comparison runs it once: all strategies of ``scenarios/strategies/`` share one.
    """
    import hashlib
    import json

    data = scenario.without_covid().model_dump(mode="json")
    data.pop("name"), data.pop("description")
    for name, table in data["levers"].items():
        if isinstance(table, dict) and not table.get("enabled", True):
            data["levers"][name] = {"enabled": False, **{k: table[k] for k in READ_WHEN_OFF.get(name, ())}}
    csv = scenario.demand.csv
    if scenario.demand.source == "csv" and csv is not None:
        data["demand"]["csv_sha256"] = hashlib.sha256(Path(csv).read_bytes()).hexdigest()
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def cost_columns() -> list[str]:
    """The summary's cost columns, in the order of ``COLUMNS``."""
    return [f"cost_{item}_msek" for item in COST_ITEMS] + ["cost_total_msek"]


def difference(summary: pd.DataFrame, counterfactual: pd.DataFrame) -> dict[str, float]:
    """``response_cost_*_msek`` of a run: its costs minus its counterfactual's, item by item (MSEK, model units).

    Args:
        summary: the run's one-row summary (``Result.summary``).
        counterfactual: the one-row summary of ``scenario.without_covid()`` run with the same seed.

    Raises:
        ValueError: a summary is not one row or lacks a cost column, or the two differ in seed, scale or days.
    """
    for label, frame in (("summary", summary), ("counterfactual", counterfactual)):
        if len(frame) != 1:
            raise ValueError(f"response cost: the {label} has {len(frame)} rows; expected one run's one-row summary")
        missing = [c for c in (*cost_columns(), *MATCHING) if c not in frame.columns]
        if missing:
            raise ValueError(f"response cost: the {label} lacks column {missing[0]}; expected a run's summary")
    run, base = summary.iloc[0], counterfactual.iloc[0]
    for column in MATCHING:
        if run[column] != base[column]:
            raise ValueError(
                f"response cost: the counterfactual's {column} is {base[column]}, the run's {run[column]}; "
                "expected the same run without COVID (same seed, scale and period)"
            )
    return {name: float(run[cost] - base[cost]) for name, cost in zip(COLUMNS, cost_columns(), strict=True)}


def with_response_cost(summary: pd.DataFrame, counterfactual: pd.DataFrame) -> pd.DataFrame:
    """The summary with the ``COLUMNS`` appended (see ``difference``)."""
    return summary.assign(**difference(summary, counterfactual))


def run(scenario: Scenario, seed: int) -> Result:
    """Run ``scenario`` and its no-COVID counterfactual with ``seed``; the result's summary gains ``COLUMNS``.

    Twice the work of ``sim.run``. The frames and events are the scenario's own run's.
    """
    from sim.model import MobilisationModel

    result = MobilisationModel(scenario=scenario, seed=seed).run()
    counterfactual = MobilisationModel(scenario=scenario.without_covid(), seed=seed).run()
    result.summary = with_response_cost(result.summary, counterfactual.summary)
    return result
