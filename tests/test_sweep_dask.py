"""``mobsim sweep`` on a real Dask cluster (separate processes on 127.0.0.1), and resuming an interrupted sweep.

Each test starts its own processes and always stops them (their process groups) in teardown.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from helpers import no_temp_files

from sim.cli import main
from sim.sweep import load_experiment, load_failures, load_results, run_sweep

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
BIN = Path(sys.executable).parent
# 4 points x 4 replications = 16 runs of ~0.4 s each (the whole spring at 2 % scale)
EXPERIMENT = f'''name = "dask_t"
scenario = "{BASE}"
replications = 4
seed = 11
indicators = ["unsafe_icu_patient_days", "peak_sick_share"]
set = {{ "world.scale" = 0.02 }}
design = "grid"
[parameters]
"infection.community_rate" = {{ values = [0.5, 1.0] }}
"levers.national_pool.response_days" = {{ values = [1, 5] }}
'''
TOTAL = 16
RUN_IDS = [f"p{p:05d}_r{r:03d}" for p in range(4) for r in range(4)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Signal the process's group (it leads its own session), then kill it if it lingers."""
    for signum, timeout in ((sig, 15), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    # the group may outlive its leader (e.g. a nanny's worker): make sure nothing is left
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def dask_cluster(logs: Path, n_workers: int = 2) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """A ``dask scheduler`` and ``n_workers`` ``dask worker`` processes on 127.0.0.1; yields (address, workers)."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    processes: list[subprocess.Popen] = []
    files = []

    def start(name: str, *args: str) -> subprocess.Popen:
        log = open(logs / f"{name}.log", "wb")  # noqa: SIM115 - closed in the finally below
        files.append(log)
        process = subprocess.Popen(
            [str(BIN / "dask"), *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        processes.append(process)
        return process

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
        workers = [
            start(f"worker{i}", "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1")
            for i in range(n_workers)
        ]
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(n_workers, timeout=60)
        yield address, workers
    finally:
        for process in reversed(processes):
            stop(process)
        for log in files:
            log.close()


@pytest.fixture(scope="module")
def experiment_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exp") / "exp.toml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(experiment_path, tmp_path_factory) -> pd.DataFrame:
    """The uninterrupted in-process run of the experiment."""
    folder = tmp_path_factory.mktemp("store") / "in_process"
    outcome = run_sweep(load_experiment(experiment_path), out=folder)
    assert outcome.ran == TOTAL and not outcome.failed
    runs = load_results(folder)
    assert list(runs["run_id"]) == RUN_IDS
    return runs


def every_run_once(folder: Path, reference: pd.DataFrame) -> None:
    runs = load_results(folder)
    assert sorted(runs["run_id"]) == RUN_IDS  # every run, none twice
    assert load_failures(folder).empty
    pd.testing.assert_frame_equal(runs.sort_values("run_id", ignore_index=True), reference)
    assert no_temp_files(folder)


@pytest.mark.long
def test_cli_sweep_on_separate_process_cluster(experiment_path, reference, tmp_path, capsys):
    with dask_cluster(tmp_path) as (address, _):
        out = tmp_path / "dask"
        assert main(["sweep", str(experiment_path), "--scheduler", address, "--out", str(out), "--quiet"]) == 0
    assert f"{TOTAL} runs in" in capsys.readouterr().err
    every_run_once(out, reference)


@pytest.mark.long
def test_worker_killed_midway_then_resume(experiment_path, reference, tmp_path):
    experiment = load_experiment(experiment_path)
    out = tmp_path / "dask"
    counted: list[int] = []
    with dask_cluster(tmp_path) as (address, workers):
        victim = workers[0]

        def progress(done: int, failed: int, total: int) -> None:
            counted.append(done)
            if done == 2:  # the first results are in: the worker (and its nanny) die with runs in hand
                stop(victim, signal.SIGKILL)

        outcome = run_sweep(experiment, scheduler=address, out=out, progress=progress)
        assert victim.poll() is not None
        # the lost runs went to the other worker (or, lost too often, were recorded as failed)
        assert outcome.ran == TOTAL and counted == list(range(TOTAL + 1))
        assert len(load_results(out)) + len(load_failures(out)) == TOTAL
        again = run_sweep(experiment, scheduler=address, out=out, resume=True)
    assert again.skipped + again.ran == TOTAL and again.skipped == TOTAL - len(outcome.failed) and not again.failed
    every_run_once(out, reference)


@pytest.mark.long
def test_cli_interrupted_then_resumed(experiment_path, reference, tmp_path):
    out = tmp_path / "store"
    runs = out / "runs"
    command = [str(BIN / "mobsim"), "sweep", str(experiment_path), "--workers", "2", "--out", str(out), "--quiet"]
    log = tmp_path / "sweep.log"
    with open(log, "wb") as stream:
        process = subprocess.Popen(command, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while process.poll() is None and len(list(runs.glob("*.parquet"))) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert process.poll() is None, f"the sweep ended before it could be interrupted:\n{log.read_text()}"
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
            code = process.wait(30)
        finally:
            stop(process)
    text = log.read_text()
    assert code == 130, text
    assert "continue with --resume" in text and "Traceback" not in text
    kept = sorted(p.stem for p in runs.glob("*.parquet"))
    assert 3 <= len(kept) < TOTAL
    for path in runs.glob("*.parquet"):  # only whole files
        assert len(pd.read_parquet(path)) == 1
    assert no_temp_files(out)

    resumed = subprocess.run([*command, "--resume"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(kept)} already done" in resumed.stderr
    every_run_once(out, reference)
