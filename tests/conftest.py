"""Shared fixtures.

Model fixtures (lead): ``scenario_path``, ``small_scenario``, ``model_factory``, ``small_result``, ``no_action_factory``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "sweden_spring2020.toml"
SMALL = {"world.scale": 0.03, "time.end": "2020-05-15"}


@pytest.fixture(scope="session")
def scenario_path() -> Path:
    return SCENARIO


@pytest.fixture(scope="session")
def small_scenario() -> sim.Scenario:
    """Sweden spring 2020 at 3 % scale, 1 March – 15 May (the surge and its peak)."""
    return sim.load_scenario(SCENARIO, **SMALL)


@pytest.fixture(scope="session")
def model_factory(small_scenario):
    """Build a small model: ``model_factory(seed=1, **overrides)``."""

    def make(seed: int = 1, **overrides) -> sim.MobilisationModel:
        return sim.MobilisationModel(scenario=small_scenario, seed=seed, **overrides)

    return make


@pytest.fixture(scope="session")
def small_result(model_factory) -> sim.Result:
    return model_factory(seed=1).run()


@pytest.fixture(scope="session")
def no_action_factory():
    """Like ``model_factory`` for the no-action counterfactual (no levers)."""
    scenario = sim.load_scenario(ROOT / "scenarios" / "no_action.toml", **SMALL)

    def make(seed: int = 1, **overrides) -> sim.MobilisationModel:
        return sim.MobilisationModel(scenario=scenario, seed=seed, **overrides)

    return make
