"""Nothing orphaned: ``mobsim`` killed or interrupted leaves no process behind, and errors in workers arrive on one line.

Fault injection on real ``mobsim`` processes. Each test finds the process tree of its command
with psutil just before the fault (the command, its workers, the multiprocessing resource
tracker, the dashboard's server), sends the signal, and then requires every one of those
processes to be gone within ``GONE_SECONDS``. Whatever survives is killed in teardown, so a
failing test does not leave processes behind either.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import one_error_line

from sim.cli import main
from sim.executor import WorkerLost, execute
from sim.scenario import ScenarioError, load_scenario

psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "sweden_spring2020.toml"
MOBSIM = str(Path(sys.executable).parent / "mobsim")
GONE_SECONDS = 10.0  # every process of a killed or interrupted command must be gone within this
START_SECONDS = 90.0  # spawning workers that import numpy, pandas and numba takes a while on a loaded machine
# a run of the whole spring at 2 % scale takes about 2 s: long enough to be killed mid-run, short enough for a test
SMALL = ["--set", "world.scale=0.02"]
SWEEP = f'''name = "orphans"
scenario = "{BASE}"
replications = 40
seed = 0
indicators = ["unsafe_icu_patient_days"]
set = {{ "world.scale" = 0.02 }}
[[variants]]
name = "a"
'''


def command_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


@contextlib.contextmanager
def started(argv: list[str], cwd: Path) -> Iterator[subprocess.Popen]:
    """``mobsim argv`` in its own session, stderr captured; afterwards nothing of it is left running, whatever happened."""
    process = subprocess.Popen(
        [MOBSIM, *argv], cwd=cwd, env=command_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    seen: list[psutil.Process] = []
    try:
        yield process
    finally:
        with contextlib.suppress(psutil.Error):
            seen = psutil.Process(process.pid).children(recursive=True)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for leftover in seen:
            with contextlib.suppress(psutil.Error):
                leftover.kill()
        process.wait(10)
        process.stderr.close()


def wait_for(condition: Callable[[], bool], process: subprocess.Popen, timeout: float = START_SECONDS, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the command ended (exit {process.returncode}) before {what}: {process.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f} s")
        time.sleep(0.1)


def descendants(process: subprocess.Popen) -> list[psutil.Process]:
    with contextlib.suppress(psutil.Error):
        return psutil.Process(process.pid).children(recursive=True)
    return []


def workers_of(process: subprocess.Popen) -> list[psutil.Process]:
    """Spawned multiprocessing children (pool workers, Dask worker processes), not the resource tracker."""
    out = []
    for child in descendants(process):
        with contextlib.suppress(psutil.Error):
            if "spawn_main" in " ".join(child.cmdline()):
                out.append(child)
    return out


def is_tracker(child: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return "resource_tracker" in " ".join(child.cmdline())
    return False


def all_gone(tree: list[psutil.Process], timeout: float = GONE_SECONDS) -> float:
    """Seconds until every process of ``tree`` ended; fails naming the survivors after ``timeout``."""
    start = time.monotonic()
    _, alive = psutil.wait_procs(tree, timeout=timeout)
    assert not alive, f"still running {timeout:.0f} s later: {[(p.pid, ' '.join(p.cmdline())[:100]) for p in alive]}"
    return time.monotonic() - start


def killed_mid_run(
    argv: list[str], cwd: Path, signum: int, ready: Callable[[subprocess.Popen], bool], tracker: bool = True, group: bool = False
) -> str:
    """Start ``mobsim argv``, wait until ``ready``, send ``signum`` to the command (or its ``group``), check nothing survives.

    Returns the command's stderr.
    """
    with started(argv, cwd) as process:
        wait_for(lambda: len(workers_of(process)) >= 2 and ready(process), process, what="two workers at work")
        tree = descendants(process)
        assert not tracker or any(is_tracker(p) for p in tree), [" ".join(p.cmdline())[:80] for p in tree]
        if group:  # as `timeout`, Ctrl-C and batch schedulers do: the workers get it too, and must leave the stop to the command
            os.killpg(process.pid, signum)
        else:  # the command only: its workers must learn of it from the command
            os.kill(process.pid, signum)
        code = ended(process)
        seconds = all_gone(tree)
        err = process.stderr.read()
        print(f"{' '.join(argv[:1])} {signal.Signals(signum).name}: {len(tree)} processes gone {seconds:.2f} s after the command")
    if signum == signal.SIGKILL:
        assert code == -signal.SIGKILL
    else:
        assert code == 128 + signum, err
        assert "Traceback" not in err and err.count("\n") == 1 and err.startswith("mobsim: interrupted"), err
    return err


def stacks_of(process: subprocess.Popen, seconds: float = 2.0) -> str:
    """Every thread's stack of a ``mobsim`` that is still running (it prints them on SIGUSR1,
    ``sim.cli._stacks_on_request``), and what else it wrote to stderr; the command and its process group are killed
    after ``seconds``."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(process.pid, signal.SIGUSR1)
    time.sleep(seconds)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    fd = process.stderr.fileno()
    os.set_blocking(fd, False)
    chunks = []
    with contextlib.suppress(OSError):
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def ended(process: subprocess.Popen) -> int:
    """The exit code of a command sent a stop, once it ended; if it has not ended ``GONE_SECONDS`` later, the test fails
    with its threads' stacks (``stacks_of``: rare, once in CI on Python 3.12.1 on 2026-12-05, and how its cause was found)."""
    try:
        return process.wait(GONE_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the command did not end {GONE_SECONDS:.0f} s after the signal; its threads:\n{stacks_of(process)}")


def busy_for(seconds: float) -> Callable[[subprocess.Popen], bool]:
    """Ready once the workers have been at work (CPU time) for ``seconds``: they are mid-run, not starting."""

    def ready(process: subprocess.Popen) -> bool:
        total = 0.0
        for worker in workers_of(process):
            with contextlib.suppress(psutil.Error):
                total += sum(worker.cpu_times()[:2])
        return total >= seconds

    return ready


def some_runs_written(folder: Path) -> Callable[[subprocess.Popen], bool]:
    return lambda process: len(list((folder / "runs").glob("*.parquet"))) >= 1


# --------------------------------------------------------------------------- killed or interrupted: no orphans


@pytest.mark.parametrize(
    ("signum", "group"),
    [(signal.SIGTERM, False), (signal.SIGKILL, False), (signal.SIGTERM, True)],
    ids=["SIGTERM", "SIGKILL", "SIGTERM-to-group"],
)
@pytest.mark.long  # over 10 s (issue #18: `make test` kept under 10 min); make test-long and CI run it
def test_compare_workers_end_with_the_command(signum, group, tmp_path):
    argv = ["compare", str(BASE), *SMALL, "--replications", "40", "--workers", "2", "--quiet", "--out", str(tmp_path / "out")]
    err = killed_mid_run(argv, tmp_path, signum, busy_for(3.0), group=group)
    assert signum == signal.SIGKILL or "nothing was written" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.long  # a comparison's workers at work (several seconds); make test-long and CI run it
def test_command_prints_its_stacks_on_sigusr1_and_goes_on(tmp_path):
    """``kill -USR1`` shows where a running ``mobsim`` is (every thread's stack) and does not stop it; a stop then
    ends it as usual. (Without ``sim.cli._stacks_on_request`` SIGUSR1's default action ends the command.)"""
    argv = ["compare", str(BASE), *SMALL, "--replications", "40", "--workers", "2", "--quiet", "--out", str(tmp_path / "out")]
    with started(argv, tmp_path) as process:
        wait_for(lambda: len(workers_of(process)) >= 2 and busy_for(1.0)(process), process, what="two workers at work")
        os.kill(process.pid, signal.SIGUSR1)
        time.sleep(1.0)
        assert process.poll() is None, f"SIGUSR1 ended the command (exit {process.returncode})"
        os.kill(process.pid, signal.SIGTERM)
        code = ended(process)
        err = process.stderr.read()
    assert code == 128 + signal.SIGTERM, err
    assert "Current thread" in err and "sim/executor.py" in err, err  # the main thread, waiting for the workers' runs
    assert err.rstrip("\n").splitlines()[-1].startswith("mobsim: interrupted; nothing was written"), err


@pytest.mark.long  # over 10 s (issue #18: `make test` kept under 10 min); make test-long and CI run it
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_sweep_workers_end_with_the_command(signum, tmp_path):
    (tmp_path / "exp.toml").write_text(SWEEP, encoding="utf-8")
    out = tmp_path / "store"
    err = killed_mid_run(["sweep", "exp.toml", "--workers", "2", "--quiet", "--out", str(out)], tmp_path, signum, some_runs_written(out))
    assert signum == signal.SIGKILL or "continue with --resume" in err
    assert 1 <= len(list((out / "runs").glob("*.parquet"))) < 40


@pytest.mark.long  # over 10 s (issue #18: `make test` kept under 10 min); make test-long and CI run it
def test_sweep_on_local_dask_ends_with_the_command(tmp_path):
    pytest.importorskip("distributed")
    (tmp_path / "exp.toml").write_text(SWEEP, encoding="utf-8")
    out = tmp_path / "store"
    argv = ["sweep", "exp.toml", "--dask", "--workers", "2", "--quiet", "--out", str(out)]
    err = killed_mid_run(argv, tmp_path, signal.SIGTERM, some_runs_written(out), tracker=False)
    assert "continue with --resume" in err


def test_a_worker_that_dies_is_one_line_and_exit_1(tmp_path):
    argv = ["compare", str(BASE), *SMALL, "--replications", "40", "--workers", "2", "--quiet", "--out", str(tmp_path / "out")]
    with started(argv, tmp_path) as process:
        wait_for(lambda: busy_for(3.0)(process), process, what="two workers at work")
        tree = descendants(process)
        workers_of(process)[0].kill()  # as the kernel's out-of-memory killer would
        code = process.wait(30)
        all_gone(tree)
        err = process.stderr.read()
    assert code == 1
    assert "worker process died" in one_error_line(err)


@pytest.mark.long  # over 10 s (issue #18: `make test` kept under 10 min); make test-long and CI run it
def test_ctrl_c_during_run_is_clean(tmp_path):
    """Ctrl-C at different moments of three runs (one burst of three SIGINTs each): exit 130, one line, nothing written."""
    env = {**command_env(), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    runs = []
    for i in range(3):
        argv = [
            MOBSIM,
            "run",
            str(BASE),
            "--set",
            # long enough that no run ends before its Ctrl-C, which comes up to about 1 s after all three started to
            # step: alone, 0.5 to December steps for 1.8 s (0.2 for 1.0 s, and issue #18's twelfth part's CI saw the third
            # run of three at 0.2 already saving when its Ctrl-C came)
            "world.scale=0.5",
            "--set",
            "time.end=2020-12-31",
            "--quiet",
            "--out",
            str(tmp_path / f"out{i}"),
        ]
        runs.append(subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    try:
        for run in runs:
            # numba's thread pool has started: the model is being built or stepped (numpy's pools are limited to one thread)
            wait_for(lambda run=run: psutil.Process(run.pid).num_threads() >= 3, run, what="numba's threads")
        for run in runs:
            assert run.poll() is None, "the run ended before it could be interrupted"
            for _ in range(3):
                run.send_signal(signal.SIGINT)
                time.sleep(0.05)
            time.sleep(0.3)
        for i, run in enumerate(runs):
            assert run.wait(30) == 130, run.stderr.read()
            assert run.stderr.read() == "mobsim: interrupted; nothing was written\n"
            assert not (tmp_path / f"out{i}").exists()
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
            run.wait(10)
            run.stderr.close()


# a worker as on a system without prctl: only the watchdog thread can notice that its parent died
WATCHED = """
import sys, time
import sim.executor as executor
executor.set_parent_death_signal = lambda signum=None: False
executor.die_with_parent(int(sys.argv[1]), poll=0.2)
print("watching", flush=True)
time.sleep(60)
"""
# its parent: starts it, waits until it watches, prints its pid and exits
MIDDLE = f"""
import os, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", {WATCHED!r}, str(os.getpid())], stdout=subprocess.PIPE, text=True)
assert child.stdout.readline() == "watching\\n"
print(child.pid, flush=True)
"""


def test_watchdog_ends_an_orphaned_worker(tmp_path):
    middle = subprocess.run([sys.executable, "-c", MIDDLE], env=command_env(), capture_output=True, text=True, timeout=60)
    assert middle.returncode == 0, middle.stderr
    orphan = psutil.Process(int(middle.stdout))
    seconds = all_gone([orphan], timeout=5)
    print(f"watchdog: orphan gone {seconds:.2f} s after its parent")


# --------------------------------------------------------------------------- errors raised in workers


def test_scenario_error_survives_pickling():
    error = ScenarioError("a.toml", "world.scale", "expected a number in (0, 1], got 2")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ScenarioError and str(again) == str(error)
    assert (again.source, again.key, again.message) == (error.source, error.key, error.message)


def test_worker_errors_arrive_as_in_process(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(ScenarioError) as here:
        load_scenario(missing)
    jobs = [(missing,), (BASE,)]
    outcomes = sorted(execute(load_scenario, jobs, workers=2), key=lambda o: o.index)
    assert type(outcomes[0].error) is ScenarioError and str(outcomes[0].error) == str(here.value)
    assert outcomes[1].error is None and outcomes[1].value.name == "sweden_spring2020"


def test_input_error_in_a_worker_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    """A demand CSV that disappears after the checks: the runs in the workers find it missing."""
    curves = tmp_path / "curves.csv"
    monkeypatch.setattr("sim.cli.check_scenario", lambda scenario: None)  # as if checked just before it was deleted
    argv = ["compare", str(BASE), *SMALL, "--set", "time.end=2020-03-05", "--replications", "2", "--workers", "2", "--quiet"]
    argv += ["--set", "demand.source=csv", "--set", f"demand.csv={curves}", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{curves}: demand.csv: file not found" in line
    assert not (tmp_path / "out").exists()


def test_lost_worker_is_reported_as_such():
    outcomes = list(execute(os._exit, [(1,), (1,)], workers=2))
    assert len(outcomes) == 2 and all(isinstance(o.error, WorkerLost) for o in outcomes)


# --------------------------------------------------------------------------- dashboard


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1.0):
        return True
    return False


def test_dashboard_warns_on_open_host_and_its_server_dies_with_it(tmp_path):
    pytest.importorskip("solara")
    port = free_port()
    with started(["dashboard", "--host", "0.0.0.0", "--port", str(port)], tmp_path) as process:
        warning = process.stderr.readline()  # written before the server is started
        assert warning.startswith("mobsim: warning: listening on 0.0.0.0"), warning
        assert "other machines" in warning and "no authentication" in warning
        wait_for(lambda: listening(port), process, timeout=120, what="dashboard server")
        tree = descendants(process)
        assert tree, "the server should be a child process"
        process.kill()
        process.wait(GONE_SECONDS)
        seconds = all_gone(tree)
        print(f"dashboard SIGKILL: {len(tree)} server processes gone {seconds:.2f} s after the command")
    assert not listening(port)


def test_dashboard_on_loopback_does_not_warn():
    from sim.cli import _loopback_only

    assert _loopback_only("127.0.0.1") and _loopback_only("localhost") and _loopback_only("::1")
    assert not _loopback_only("0.0.0.0") and not _loopback_only("::")


def test_when_a_worker_dies_the_others_are_killed_and_the_runs_end(tmp_path):
    """A worker that dies mid-run fails the runs (``WorkerLost``) and the other workers are killed at once: they ignore
    SIGTERM, and the pool's own clean-up after a death (SIGTERM, then wait; from Python 3.12 holding the lock that
    ``shutdown`` takes) waited for ever for a worker busy with a long run. Consumed in a thread, so a hang fails the test."""
    import threading
    from functools import partial

    from helpers import die_or_wait

    finished: list = []
    thread = threading.Thread(
        target=lambda: finished.extend(execute(partial(die_or_wait, folder=str(tmp_path)), [(0,), (1,), (2,)], workers=2)), daemon=True
    )
    thread.start()
    try:
        thread.join(START_SECONDS)
        assert not thread.is_alive(), "the runs did not end after a worker died"
        assert len(finished) == 3 and all(isinstance(f.error, WorkerLost) for f in finished)
        waiting = list(tmp_path.iterdir())  # the worker that started its 60 s run, named by its pid
        assert waiting
        ended = time.time()
        assert ended - min(p.stat().st_mtime for p in waiting) < 30.0  # ended long before its run would have
        for pid in (int(p.name) for p in waiting):
            with contextlib.suppress(psutil.NoSuchProcess):
                assert psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, f"worker {pid} still runs"
    finally:  # were the fix gone, the workers left would hold up this test process's exit (the pool joins them then)
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                command = " ".join(child.cmdline())
                if "multiprocessing" in command and "resource_tracker" not in command:
                    child.kill()


def test_stopping_a_pool_while_a_result_is_half_sent_ends_its_manager_thread():
    """A worker killed while it sends a result leaves half a message in the results pipe, and the pool's manager thread
    would wait for the rest for ever: Python's exit joins that thread, so a stopped ``mobsim`` did not end (once in 60
    stops). ``stop_pool`` closes this process's writing end of that pipe, so the thread reads end-of-file and ends.
    The stop is made to come mid-send: when the manager thread is seen reading a message (a result of 400 MB)."""
    from helpers import big_result

    from sim.executor import process_pool, stop_pool

    pool = process_pool(1)
    manager = writer = None
    try:
        future = pool.submit(big_result, 400 * 2**20)
        manager, writer = pool._executor_manager_thread, pool._result_queue._writer
        deadline = time.monotonic() + START_SECONDS
        while not future.done() and time.monotonic() < deadline:
            frame = sys._current_frames().get(manager.ident)
            names = set()
            while frame is not None:
                names.add(frame.f_code.co_name)
                frame = frame.f_back
            if "_recv_bytes" in names:  # the result is on its way
                break
            time.sleep(0.0005)
        assert not future.done(), "the result arrived before the stop: no half-sent message to test"
        stop_pool(pool)
        assert not manager.is_alive(), "the pool's manager thread still waits for the rest of a message"
    finally:
        if manager is not None and manager.is_alive():  # (without the fix: free it, or pytest would wait for it at exit)
            with contextlib.suppress(OSError):
                writer.close()
            manager.join(10)


def test_each_pool_worker_warms_up_once_before_its_tasks(tmp_path, capfd):
    """``process_pool(warm=...)`` runs the warm-up in every worker as it starts, before any task of that worker (the
    calibration's workers load pyabc and the kernels so); a warm-up that fails is a warning, and the worker still works."""
    from functools import partial

    from helpers import note_warm_up

    from sim.executor import process_pool, stop_pool

    pool = process_pool(2, warm=partial(note_warm_up, str(tmp_path)))
    try:
        ran = {f.result(timeout=START_SECONDS) for f in [pool.submit(os.getpid) for _ in range(2)]}
        assert {str(pid) for pid in ran} <= {p.name for p in tmp_path.iterdir()}  # each warmed before its task
        deadline = time.monotonic() + START_SECONDS
        while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:  # (one worker may have run both tasks)
            time.sleep(0.1)
        assert len(list(tmp_path.iterdir())) == 2  # two workers, one warm-up each
    finally:
        stop_pool(pool)
    failing = process_pool(1, warm=partial(int, "not a number"))
    try:
        assert failing.submit(os.getpid).result(timeout=START_SECONDS) > 0
    finally:
        stop_pool(failing)
    assert "warning: a worker's warm-up failed: ValueError" in capfd.readouterr().err
