"""Helpers shared by the test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.scenario import ScenarioError, load_scenario
from sim.store import SWEEP_LOCK


def refused(path: Path, key: str, value: str, fragment: str) -> None:
    """``--set key=value`` on the scenario ``path`` is refused with a scenario error naming ``key`` and saying ``fragment``."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, set_values=[f"{key}={value}"])
    assert info.value.key == key
    assert fragment in info.value.message, info.value.message


def one_error_line(err: str) -> str:
    """The single ``mobsim: error:`` line of a bad-input run's stderr (no traceback, nothing else)."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mobsim: error: ")
    return lines[0]


def no_temp_files(folder: Path) -> bool:
    """No temporary file left below ``folder`` (the sweep's lock file, ``.mobsim.lock``, stays: it is not a temporary file)."""
    return not [p for p in folder.rglob("*") if (p.name.startswith(".") or p.name.endswith(".tmp")) and p.name != SWEEP_LOCK]


#: Quiet years from 2025 on the second-wave scenario, for tests of the supply over years (issue #17): no COVID demand,
#: the crisis agreement's end moved into the period, at a small scale.
QUIET_YEARS = {
    "world.scale": 0.02,
    "time.start": "2025-01-01",
    "demand.covid_scale": 0.0,
    "levers.crisis_agreement.until": "2025-01-01",
}


def note_warm_up(folder: str) -> None:
    """A pool worker's warm-up in tests (``sim.executor.process_pool``'s ``warm``): a file named by the worker's pid."""
    (Path(folder) / str(os.getpid())).touch()


def big_result(size: int) -> bytes:
    """A pool task in tests: a result of ``size`` bytes, which its worker takes a while to send through the pool's pipe."""
    return b"x" * size


def die_or_wait(job: int, folder: str) -> int:
    """A pool task in tests: job 0 ends its worker outright (as the out-of-memory killer would) once the other worker has
    started its job (a file named by its pid in ``folder``); the others note their pid there and wait 60 s."""
    import time

    if job == 0:
        deadline = time.monotonic() + 60.0
        while not any(Path(folder).iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        os._exit(1)
    (Path(folder) / str(os.getpid())).touch()
    time.sleep(60.0)
    return job
