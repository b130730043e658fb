"""mobsim: an agent-based simulation of how health-care staff are mobilised in a crisis.

Python use::

    import sim
    scenario = sim.load_scenario("scenarios/sweden_spring2020.toml", world__scale=0.1)
    result = sim.run(scenario, seed=1)
    result.summary          # one-row DataFrame of key indicators
    result.daily.icu        # tidy daily frames: units, staff, icu, nursing_homes, home_care, regions
    result.events.loans     # lever events: loans, pool_deployments
    result.save("results/my_run")

``scenarios/sweden_spring2020.toml`` is spring 2020 as it happened (the levers Sweden
pulled); ``scenarios/no_action.toml`` the counterfactual; ``scenarios/strategies/`` the
strategies that ``mobsim compare`` (``sim.experiment.run_replications``) compares.
"""

from __future__ import annotations

import os

# OpenMP threads that spin between the core's parallel loops steal the second core from the
# serial NumPy work of each day: measured 4.36 s against 3.73 s for a full-scale spring run
# (benchmarks/README.md). Must be set before numba loads its OpenMP layer; a user's setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from pathlib import Path
from typing import Any

from sim.model import MobilisationModel
from sim.results import Result
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["MobilisationModel", "Result", "Scenario", "ScenarioError", "load_scenario", "run"]


def run(scenario: Scenario | str | Path | None = None, seed: int = 0, **overrides: Any) -> Result:
    """Run a scenario to its end and return its results.

    Args:
        scenario: a ``Scenario``, a path to a TOML file, or None for Sweden spring 2020.
        seed: seed of the run's random numbers (same seed, same result).
        **overrides: scenario values by dotted key with ``__`` for dots (``world__scale=0.1``).
    """
    return MobilisationModel(scenario=scenario, seed=seed, **overrides).run()
