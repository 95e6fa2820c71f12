"""Engines that run a sweep's tasks: in this process, on a local process pool, or on Dask.

A run is the pure function :func:`execute` of a :class:`RunTask`; an engine is a generator of
:class:`Outcome` records in completion order. The model does not know which engine runs it,
and the same task gives the same outcome on every engine.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import SweepError
from ..run import simulate
from ..scenario import resolve

__all__ = ["MAX_ATTEMPTS", "Outcome", "RunTask", "execute", "local_cluster"]

#: A run that kills its worker process when it runs alone is tried this many times in all,
#: then recorded as failed (runs merely in flight beside it are not counted: they run again
#: alone; see :func:`_run_local`).
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class RunTask:
    """One run sent to a worker (small and picklable).

    Parameters
    ----------
    run_id : str
        ``p<point>-r<replicate>``.
    seed : int
        Seed of the run's generator.
    overrides : dict
        Parameter values on top of the defaults (base scenario, fixed parameters, factors).
    experiment : str
        Name of the experiment (a column of the stored tables).
    scenario : str
        Name of the base scenario (a column of the stored tables).
    timeseries : bool
        Return the full monthly time series, not only the last month.
    """

    run_id: str
    seed: int
    overrides: dict[str, Any] = field(hash=False)
    experiment: str
    scenario: str
    timeseries: bool


@dataclass
class Outcome:
    """What one run returns to the runner (small: a final row, maybe a time series)."""

    run_id: str
    error: str | None
    detail: str | None
    final: pd.DataFrame | None
    timeseries: pd.DataFrame | None
    duration_s: float


# --- the run ------------------------------------------------------------------------------------
def execute(task: RunTask) -> Outcome:
    """Run one task and return its outcome; an exception becomes a recorded error.

    Parameters
    ----------
    task : RunTask

    Returns
    -------
    Outcome
    """
    run_id = task.run_id
    t0 = time.perf_counter()
    try:
        params = resolve(task.overrides, where=f"run {run_id}")
        result = simulate(params, seed=task.seed, scenario=task.scenario)
    except Exception as err:
        return Outcome(
            run_id=run_id,
            error=f"{type(err).__name__}: {err}".splitlines()[0],
            detail=traceback.format_exc(),
            final=None,
            timeseries=None,
            duration_s=time.perf_counter() - t0,
        )
    ts = result.timeseries
    ts["run_id"] = run_id
    ts.insert(1, "experiment", task.experiment)
    return Outcome(
        run_id=run_id,
        error=None,
        detail=None,
        final=ts.iloc[[-1]].reset_index(drop=True),
        timeseries=ts if task.timeseries else None,
        duration_s=time.perf_counter() - t0,
    )


def _died(run_id: str, why: str) -> Outcome:
    return Outcome(run_id, why, None, None, None, 0.0)


# --- engines ------------------------------------------------------------------------------------
def _worker_init(sweep_pid: int) -> None:
    """Set up a pool worker: leave Ctrl-C to the sweep, and die with it.

    Ctrl-C reaches the whole process group; the parent shuts the pool down cleanly. If the
    sweep process itself is killed (``kill -9``, a lost session), nothing would ever tell its
    workers to stop, so each one watches it and exits when it is gone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(sweep_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # exists, owned by someone else (pid reused): keep going
                pass

    threading.Thread(target=watch, name="watch-sweep", daemon=True).start()


def _run_inline(tasks: list[RunTask]) -> Iterator[Outcome]:
    for task in tasks:
        yield execute(task)


def _abort(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's worker processes and shut it down without waiting for its runs."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(timeout=5)
    pool.shutdown(wait=False, cancel_futures=True)


def _fill(
    pool: ProcessPoolExecutor,
    queue: Iterator[str],
    inflight: dict[Any, str],
    remaining: dict[str, RunTask],
    window: int,
    fn: Any = execute,
) -> bool:
    """Submit runs from ``queue`` until ``window`` are in flight; False if the pool is broken."""
    for rid in queue:
        try:
            inflight[pool.submit(fn, remaining[rid])] = rid
        except BrokenProcessPool:
            return False
        if len(inflight) >= window:
            break
    return True


def _canary() -> bool:
    """A task that cannot fail: if a fresh worker dies running it, workers cannot work."""
    return True


def _pool(workers: int) -> ProcessPoolExecutor:
    # forkserver: no fork of a process that has threads (tqdm's monitor, Dask's loop).
    ctx = mp.get_context("forkserver")
    # Workers fork from a server that has imported the model once (numpy, pandas, Mesa),
    # instead of each importing it on its first run.
    ctx.set_forkserver_preload(["statecraft.sweep.engines"])
    return ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
    )


def _alone(fn: Any, arg: Any = None) -> tuple[bool, Any]:
    """Run ``fn(arg)`` alone in a fresh one-worker pool: ``(True, result)``, or ``(False,
    None)`` if the worker process died."""
    pool = _pool(1)
    try:
        fut = pool.submit(fn) if arg is None else pool.submit(fn, arg)
        result = fut.result()
    except BrokenProcessPool:
        _abort(pool)
        return False, None
    except BaseException:
        _abort(pool)
        raise
    pool.shutdown(wait=True)
    return True, result


def _run_local(tasks: list[RunTask], workers: int, fn: Any = execute) -> Iterator[Outcome]:
    """Run ``tasks`` on a process pool; attribute a worker death to the run that caused it.

    When a worker dies, every run then in flight is a suspect: each runs again alone in a
    fresh one-worker pool, so a death there is its own. A run is given up (recorded as
    failed) only after it has killed its worker :data:`MAX_ATTEMPTS` times alone; the other
    suspects are unharmed. Before giving up on a run, a trivial task checks that a fresh
    worker can work at all (if it cannot, no run is blamed and the sweep stops).

    ``fn`` (default :func:`execute`) is what a worker calls on each task: tests and fault
    drills pass a module-level wrapper that kills its worker on chosen runs.
    """
    remaining = {t.run_id: t for t in tasks}
    deaths: Counter[str] = Counter()
    suspects: list[str] = []
    while remaining:
        if suspects:
            rid = suspects[0]
            alive, outcome = _alone(fn, remaining[rid])
            if alive:
                suspects.pop(0)
                del remaining[rid]
                yield outcome
                continue
            deaths[rid] += 1
            if deaths[rid] < MAX_ATTEMPTS:
                continue
            if not _alone(_canary)[0]:
                raise SweepError(
                    "worker processes keep dying, even on a trivial task; is the model importable "
                    "in a fresh process? Try --workers 1"
                )
            suspects.pop(0)
            del remaining[rid]
            yield _died(rid, f"worker process died {MAX_ATTEMPTS} times running this run alone")
            continue
        pool = _pool(workers)
        window = 2 * workers
        queue = iter(list(remaining))
        inflight: dict[Any, str] = {}
        lost: list[str] = []
        try:
            healthy = _fill(pool, queue, inflight, remaining, window, fn)
            while healthy and inflight and not lost:
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in done:
                    rid = inflight.pop(fut)
                    try:
                        outcome = fut.result()
                    except BrokenProcessPool:
                        lost.append(rid)
                        continue
                    del remaining[rid]
                    yield outcome
                if not lost:
                    healthy = _fill(pool, queue, inflight, remaining, window, fn)
        except BaseException:
            # Ctrl-C, or the consumer closed us: stop now. Runs in flight are not stored and
            # simply run again on resume; waiting for them (or for a pool whose internals the
            # interrupt may have caught half-way) could hang the exit.
            _abort(pool)
            raise
        if lost or not healthy:
            _abort(pool)
            # The culprit is among the runs in flight: each runs again alone.
            suspects = list(dict.fromkeys([*lost, *inflight.values()]))
            if not suspects:  # broke with nothing in flight: try the next one alone
                suspects = [next(iter(remaining))]
        else:
            pool.shutdown(wait=True)


def connect(address: str, timeout_s: float = 10.0):
    """A Dask client of the scheduler at ``address``, or a one-line :class:`SweepError`.

    The address is checked first (``tcp://host:port`` and the other Dask protocols), so a typo
    fails at once instead of after a connection timeout.
    """
    from urllib.parse import urlsplit

    text = str(address)
    parts = urlsplit(text if "://" in text else f"tcp://{text}")
    schemes = ("tcp", "tls", "ws", "wss", "ucx", "inproc")
    try:
        port = parts.port
    except ValueError:
        port = None
    if (
        parts.scheme not in schemes
        or not parts.hostname
        or (port is None and parts.scheme != "inproc")
    ):
        raise SweepError(
            f"--scheduler: {text!r} is not a scheduler address; expected e.g. tcp://127.0.0.1:8786"
        )
    from distributed import Client

    try:
        return Client(text, timeout=f"{timeout_s:g}s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        why = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SweepError(
            f"--scheduler: cannot reach the Dask scheduler at {text} within {timeout_s:g} s "
            f"({why[:200]}); is it running and reachable from here?"
        ) from None


#: Seconds the scheduler may stay unreachable mid-sweep before the sweep stops.
SCHEDULER_GRACE_S = 10.0


def _lost(address: str, stored: int) -> SweepError:
    return SweepError(
        f"lost the Dask scheduler at {address}: the sweep stopped (runs finished so far are "
        "stored); restart the scheduler and rerun the same command to resume"
    )


def _run_dask(tasks: list[RunTask], client: Any, fn: Any = execute) -> Iterator[Outcome]:
    """Run ``tasks`` on a connected Dask ``client``, a bounded window at a time.

    If the scheduler goes away, the runs in flight are not recorded (they did not fail: they
    run again on resume) and :class:`SweepError` ends the sweep within
    :data:`SCHEDULER_GRACE_S` seconds.
    """
    from concurrent.futures import CancelledError

    from distributed import KilledWorker, as_completed

    address = client.scheduler.address
    tasks_by_id = {t.run_id: t for t in tasks}
    threads = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
    window = 2 * max(threads, 1) + 2
    queue = iter(tasks)
    keys: dict[str, str] = {}
    first = []
    for task in queue:
        fut = client.submit(fn, task, pure=False)
        keys[fut.key] = task.run_id
        first.append(fut)
        if len(keys) >= window:
            break
    if not first:
        return
    pending = as_completed(first, loop=client.loop)
    del first
    gone_since: float | None = None
    stored = 0
    while keys:
        batch = pending.next_batch(block=False)
        if not batch:
            if client.status != "running":
                gone_since = gone_since or time.monotonic()
                if time.monotonic() - gone_since > SCHEDULER_GRACE_S or client.status in (
                    "closed",
                    "closing",
                ):
                    raise _lost(address, stored)
            else:
                gone_since = None
            time.sleep(0.05)
            continue
        for fut in batch:
            rid = keys.pop(fut.key)
            try:
                outcome = fut.result()
            except KilledWorker:
                # Workers died while this run was on them, allowed-failures times; with several
                # threads per worker it may have been a neighbour. Run it alone, locally, in a
                # fresh process: only a run that kills that one too is recorded as failed.
                alive, outcome = _alone(fn, tasks_by_id[rid])
                if not alive:
                    outcome = _died(
                        rid, "killed its Dask workers, and a fresh worker process running it alone"
                    )
            except (CancelledError, Exception):
                # execute() returns a run's own exceptions as outcomes: anything else is the
                # cluster's (a closed connection, a lost scheduler), not the run's.
                raise _lost(address, stored) from None
            # Release before storing the next: a finished future that stays referenced is
            # recomputed if the worker holding its result dies.
            fut.release()
            del fut
            stored += 1
            yield outcome
            for task in queue:
                nxt = client.submit(fn, task, pure=False)
                keys[nxt.key] = task.run_id
                pending.add(nxt)
                break


@contextlib.contextmanager
def local_cluster(n_workers: int = 2) -> Iterator[str]:
    """Start a Dask cluster of worker processes on loopback and yield its scheduler address.

    The nanny's ``MALLOC_TRIM_THRESHOLD_`` setting is removed (it slowed numpy-heavy runs
    ~1.6x here); scheduler, workers and dashboard listen on 127.0.0.1 only.

    Parameters
    ----------
    n_workers : int, default=2
        Worker processes, one thread each.
    """
    import dask
    from distributed import LocalCluster

    with (
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}),
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
        ) as cluster,
    ):
        yield cluster.scheduler_address
