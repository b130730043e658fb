"""Where the runs of ``mobsim compare`` and ``mobsim sweep`` execute: one layer for both commands.

Four executors, chosen by the same options for both commands:

- in this process (``workers=1``), one job after the other;
- a local pool of ``workers`` spawned processes that share the cores (``process_pool``);
- a local Dask cluster of ``workers`` processes on 127.0.0.1 (``local_dask=True``);
- an existing Dask scheduler (``scheduler="tcp://HOST:PORT"``).

``execute`` yields each job's outcome as it finishes, in any order; the callers put the results
back in job order, so results never depend on the executor.

Nothing is lost and nothing is orphaned:

- SIGTERM, SIGINT and SIGHUP make the parent raise ``Interrupted`` (a ``KeyboardInterrupt``
  carrying the signal): queued jobs are cancelled and the workers killed before the exception
  reaches the command, which reports it on one line. Pool workers ignore these signals: the
  parent alone decides, even when the signal reaches the whole process group (``timeout``, Ctrl-C).
- A parent killed outright (SIGKILL) cannot clean up: every pool worker asks the kernel to kill it
  when its parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``) and also watches its parent's pid from a
  daemon thread (other systems). With the workers gone, the multiprocessing resource tracker reads
  end-of-file on its pipe and exits too. Dask's worker processes watch a pipe to their nanny in
  the same way (``distributed.process``). Measured after ``kill -9`` of the parent: pool workers
  gone in 0.03 s, the resource tracker in 0.04 s; a local Dask cluster's processes within 6 s.
- An error raised by a job reaches the caller as the same exception as in this process (hence
  picklable exceptions, see ``sim.scenario.ScenarioError``); a worker that dies breaks the pool:
  every job not finished yet fails with ``WorkerLost``, and the other workers are killed at once.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

#: Signals that stop a batch of runs cleanly (``timeout`` and batch schedulers send SIGTERM; a closed terminal SIGHUP).
STOP_SIGNALS = tuple(s for s in (signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGHUP", None)) if s is not None)
#: Seconds to wait for killed workers to be gone.
STOP_WAIT = 5.0
#: How often a worker's watchdog looks whether its parent is still alive (seconds).
PARENT_POLL = 1.0
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
#: Most worker processes on one machine: each holds a model in memory, so more would exhaust it, not run faster.
MAX_WORKERS = 256


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; ``signum`` is the signal and ``exit_code`` the conventional 128 + signum."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.signum,))


class WorkerLost(RuntimeError):
    """A worker process died (killed, out of memory, ...) before its job finished."""


@dataclass(frozen=True)
class Finished:
    """One job's outcome: its index in the job list, and either its value or the error it raised."""

    index: int
    value: Any = None
    error: BaseException | None = None

    def result(self) -> Any:
        """The job's value, or its error raised here."""
        if self.error is not None:
            raise self.error
        return self.value


def check_options(workers: int, scheduler: str | None, local_dask: bool) -> tuple[str, str] | None:
    """What is wrong with the executor options, as (the option, what was expected); None if they are usable."""
    if not 1 <= workers <= MAX_WORKERS:
        return "--workers", f"expected a whole number >= 1 and <= {MAX_WORKERS} (processes on this machine), got {workers}"
    if local_dask and scheduler is not None:
        return "--dask", "starts a local cluster; with --scheduler the runs go to that cluster: give one of them"
    if scheduler is not None and not (scheduler.startswith("tcp://") and scheduler[len("tcp://") :].rpartition(":")[2].isdigit()):
        return "--scheduler", f"expected tcp://HOST:PORT, got {scheduler!r}"
    return None


def execute(
    function: Callable[..., Any],
    jobs: Sequence[tuple[Any, ...]],
    workers: int = 1,
    scheduler: str | None = None,
    local_dask: bool = False,
) -> Iterator[Finished]:
    """Call ``function(*job)`` for every job; yield a ``Finished`` as each one ends (in any order).

    Use it in a ``with contextlib.closing(execute(...))`` block: closing the generator early (an
    error, an interrupt) cancels the queued jobs and stops the workers at once.

    Args:
        function: a module-level function (it is pickled by name for the workers).
        jobs: the arguments of each call.
        workers: processes in parallel; 1 runs in this process (unless ``local_dask``).
        scheduler: ``tcp://host:port`` of a Dask scheduler: run on its workers (``workers`` is ignored).
        local_dask: run on a local Dask cluster of ``workers`` processes instead of a process pool.

    Raises:
        ValueError: unusable options (see ``check_options``).
        Interrupted: SIGTERM, SIGINT or SIGHUP arrived; the workers are stopped before it is raised.
        OSError: the Dask scheduler cannot be reached.
    """
    problem = check_options(workers, scheduler, local_dask)
    if problem is not None:
        raise ValueError(": ".join(problem))
    if not jobs:
        return
    with stop_on_signals():
        if scheduler is not None:
            yield from _execute_dask(function, jobs, scheduler)
        elif local_dask:
            from distributed import LocalCluster

            threads = share_cores(workers)
            with LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                env={"NUMBA_NUM_THREADS": str(threads)},
                # the cluster's own logs kept off stderr up to ERROR: the warnings about cancelled runs when a stop
                # cancels the queue, and a worker's "Failed to communicate with scheduler during heartbeat" traceback
                # when its heartbeat meets the scheduler closing (a stop's one line came with it once in CI on
                # 2026-12-05). The runs' errors and a lost worker reach the command as exceptions (WorkerLost) instead.
                silence_logs=logging.CRITICAL,
            ) as cluster:  # fmt: skip
                yield from _execute_dask(function, jobs, cluster.scheduler_address, local=True)
        elif min(workers, len(jobs)) == 1:
            for i, job in enumerate(jobs):
                yield Finished(i, function(*job))
        else:
            yield from _execute_pool(function, jobs, min(workers, len(jobs)))


@contextlib.contextmanager
def stop_on_signals(ignore_after_stop: bool = False) -> Iterator[None]:
    """Turn SIGTERM, SIGINT and SIGHUP into ``Interrupted`` in the main thread, once; the previous handlers are restored after.

    Only the first signal raises: a second one (an impatient Ctrl-C) must not break off the
    cleanup that stops the workers. Inside another ``stop_on_signals`` block it does nothing (the
    outer one already stops). Outside the main thread signals cannot be caught; nothing changes.

    Args:
        ignore_after_stop: if the block ended by a stop (a signal, or a KeyboardInterrupt passing
            through), leave the stop signals ignored instead of restoring the handlers: for a
            command that is about to exit, where one more Ctrl-C would print a traceback.
    """
    if threading.current_thread() is not threading.main_thread() or getattr(signal.getsignal(signal.SIGTERM), "stops", False):
        yield
        return
    raised = False

    def handler(signum: int, frame: Any) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise Interrupted(signum)

    handler.stops = True  # type: ignore[attr-defined]  # marks this module's handler (see above)
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    stopped = False
    try:
        yield
    except KeyboardInterrupt:
        stopped = True
        raise
    finally:
        keep_ignoring = ignore_after_stop and (raised or stopped)
        for sig, old in previous.items():
            signal.signal(sig, signal.SIG_IGN if keep_ignoring else old)


# --------------------------------------------------------------------------- local process pool


def share_cores(workers: int) -> int:
    """Threads per worker process so that ``workers`` processes share the cores; set for processes started after this.

    Workers inherit the environment when they start: one pool of threads per core, not per process.
    """
    threads = max(1, (os.cpu_count() or 1) // workers)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, str(threads))
    # not NUMBA_NUM_THREADS: numba rereads it in this process and refuses a change once its threads run;
    # each worker sets its own numba threads (``_init_worker``, or the Dask workers' environment)
    return threads


def process_pool(workers: int, warm: Callable[[], Any] | None = None) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that share the cores and die with this process.

    ``warm`` (picklable) runs once in each worker as it starts, before its first task: what every task needs loaded
    (``tools/calibrate.py``: pyabc and the compiled kernels). A warm-up that fails is reported on stderr and the worker
    goes on (``warm_up``). The pool starts a process at each task submitted while none is idle, up to ``workers``.
    """
    threads = share_cores(workers)
    context = multiprocessing.get_context("spawn")
    return concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(threads, os.getpid(), warm)
    )


def _init_worker(threads: int, parent: int, warm: Callable[[], Any] | None = None) -> None:
    """Prepare a pool worker: die with the parent, leave the stop signals to the parent, share the cores; then
    ``warm_up(warm)``.

    Workers ignore SIGINT, SIGTERM and SIGHUP: Ctrl-C reaches the whole foreground process group,
    and ``timeout`` and batch schedulers signal the whole group too; the parent alone decides what
    a stop means (cancel the queued runs, keep the finished ones, report it on one line). A worker
    that took it would die first, and the parent would report a lost worker instead of the stop.
    The parent ends its workers with SIGKILL (``stop_pool``).
    """
    die_with_parent(parent)  # first: importing numba takes a while, and the parent may die meanwhile
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)

    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    if warm is not None:
        warm_up(warm)


def warm_up(warm: Callable[[], Any]) -> None:
    """Run a worker's warm-up; if it fails, say so on stderr and go on (a task then loads what it needs itself, and an
    error of its own shows there). (An initializer that raised would break the whole pool.)"""
    try:
        warm()
    except Exception as error:  # any failure: reported, not fatal
        print(f"warning: a worker's warm-up failed: {type(error).__name__}: {error}", file=sys.stderr, flush=True)


def die_with_parent(parent: int, poll: float = PARENT_POLL) -> None:
    """End this process when ``parent`` (the pid of its parent) dies, even if the parent is killed outright.

    On Linux the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``); everywhere a
    daemon thread checks every ``poll`` seconds whether the parent changed (an orphan is adopted
    by another process) and exits at once. Either alone would do on Linux; the thread is the
    portable fallback, and covers a failing ``prctl``.
    """
    if sys.platform.startswith("linux"):
        set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(poll)
            if os.getppid() != parent:
                os._exit(1)  # no cleanup: there is no one left to report to

    threading.Thread(target=watch, name="mobsim-parent-watchdog", daemon=True).start()


def set_parent_death_signal(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies; False where that is not possible."""
    request = parent_death_request(signum)
    return request is not None and request() == 0


def parent_death_request(signum: int = signal.SIGKILL) -> Callable[[], int] | None:
    """A call that makes the calling process receive ``signum`` when its parent dies (Linux), or None elsewhere.

    libc is loaded here, so the returned call does nothing but the system call: safe as the
    ``preexec_fn`` of ``subprocess.Popen``, which runs between fork and exec.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0)


def _execute_pool(function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], workers: int) -> Iterator[Finished]:
    pool = process_pool(workers)
    futures: dict[concurrent.futures.Future[Any], int] = {}
    try:  # (the submits too: a worker may die while the later jobs are submitted)
        # the pool starts a worker at each of the first submits; started with the stop signals ignored, a worker
        # ignores them from its first instruction (SIG_IGN survives exec), not only once its initializer ran
        with _ignoring_stop_signals():
            for i, job in enumerate(jobs[:workers]):
                futures[pool.submit(function, *job)] = i
        futures.update({pool.submit(function, *job): i for i, job in enumerate(jobs) if i >= workers})
        for future in concurrent.futures.as_completed(futures):
            i = futures[future]
            try:
                yield Finished(i, future.result())
            except concurrent.futures.process.BrokenProcessPool:
                if getattr(pool, "_broken", False):  # this pool lost a worker (not a job's own pool): end the others
                    _kill_workers(pool)  # (Python >= 3.12: the pool's own SIGTERM does not end them, see _kill_workers)
                yield Finished(i, error=WorkerLost("a worker process died (killed, or out of memory?) before its run finished"))
            except Exception as exc:
                yield Finished(i, error=exc)
    except BaseException:  # an interrupt, an error of the caller, or the caller closed us early
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _kill_workers(pool: concurrent.futures.ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    """SIGKILL the pool's worker processes (those it still holds, returned).

    Workers ignore SIGTERM (``_init_worker``), so once one worker died the pool's own clean-up cannot end the others:
    from Python 3.12 on its manager thread sends them SIGTERM and waits for them while it holds the pool's shutdown lock,
    and ``shutdown()`` waits for that lock, for ever. Killed, they go at once and both go on.
    """
    # private but stable since Python 3.2 (3.14 adds kill_workers()); shutdown() drops the reference, so read it first
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
    return processes


@contextlib.contextmanager
def _ignoring_stop_signals() -> Iterator[None]:
    """Ignore SIGTERM, SIGINT and SIGHUP here for the few milliseconds of starting the workers, then restore the handlers.

    A stop signal that arrives in that window is lost (send it again); without the window it would
    kill a starting worker, and the parent would report a lost worker rather than the stop.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextlib.contextmanager
def stop_signals_held() -> Iterator[None]:
    """Run the block's few statements without a stop in between: SIGTERM, SIGINT or SIGHUP arriving meanwhile is sent
    again just after it, to the handler of before (``_ignoring_stop_signals`` drops them instead). ``sim.store`` puts a
    results folder in place and notes it as saved so. (Python runs signal handlers in the main thread only: elsewhere
    nothing can stop the block anyway, and it runs as it is.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, frame: arrived.append(signum)) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        for sig in dict.fromkeys(arrived):  # once each, in order of arrival
            signal.raise_signal(sig)


def stop_pool(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """End the workers now (SIGKILL) and drop the queued jobs, waiting up to ``STOP_WAIT`` seconds for the workers to go.
    (The queued jobs' futures end cancelled, or failed with ``BrokenProcessPool`` where the pool saw its workers die
    first; nothing reads them after a stop.)

    SIGKILL, not SIGTERM: workers ignore SIGTERM (see ``_init_worker``), and they hold nothing to
    save: a run's results reach the parent whole or not at all, and only the parent writes files.
    """
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)  # (shutdown() drops it)
    processes = _kill_workers(pool)  # first: shutdown() may wait for a lock held until they are gone (_kill_workers)
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + STOP_WAIT
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    # a worker killed while it sent a result leaves part of a message in the results pipe, and the pool's manager thread
    # waits for the rest for ever; Python's exit joins that thread, so the stopped command would never end (seen once in
    # 60 stops: tests/test_processes.py). This process holds the pipe's last writing end: closing it ends that wait
    # (the thread reads end-of-file, takes the pool as broken and ends).
    writer = getattr(results, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
    if manager is not None:
        # let the pool's manager thread see its dead workers and end: else Python 3.11's exit hook may wake
        # it through a pipe already closed and print an "Exception ignored ... Bad file descriptor" traceback
        manager.join(max(0.0, deadline - time.monotonic()))


# --------------------------------------------------------------------------- Dask


def _execute_dask(function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], scheduler: str, local: bool = False) -> Iterator[Finished]:
    """Run the jobs on a Dask scheduler; ``local``: one this process started (its scheduler runs in this process)."""
    from distributed import Client, as_completed

    with Client(scheduler, timeout="20s") as client:
        futures = {client.submit(function, *job, pure=False): i for i, job in enumerate(jobs)}
        try:
            for future in as_completed(futures):
                i = futures[future]
                try:
                    yield Finished(i, future.result())
                except Exception as exc:
                    if type(exc).__name__ == "KilledWorker":  # lost to dying workers more often than allowed
                        exc = WorkerLost(f"the job was lost with its worker process too often: {exc}")
                    yield Finished(i, error=exc)
        except BaseException:
            if local:
                # stopped (a signal, or the caller closed the generator): the scheduler in this process may log errors
                # about the runs it is made to forget ("Couldn't gather keys ... forgotten") as the queue is cancelled;
                # they say nothing that the command's one-line stop message does not
                logging.getLogger("distributed").setLevel(logging.CRITICAL)
            raise
        finally:
            client.cancel(list(futures))
