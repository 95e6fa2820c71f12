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

#: A run in flight when its worker process dies is retried this many times in all, then it is
#: recorded as failed (it may be the run that kills its worker).
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
) -> bool:
    """Submit runs from ``queue`` until ``window`` are in flight; False if the pool is broken."""
    for rid in queue:
        try:
            inflight[pool.submit(execute, remaining[rid])] = rid
        except BrokenProcessPool:
            return False
        if len(inflight) >= window:
            break
    return True


def _run_local(tasks: list[RunTask], workers: int) -> Iterator[Outcome]:
    """Run ``tasks`` on a process pool; rebuild the pool if a worker dies."""
    remaining = {t.run_id: t for t in tasks}
    attempts: Counter[str] = Counter()
    window = 2 * workers
    # forkserver: no fork of a process that has threads (tqdm's monitor, Dask's loop).
    ctx = mp.get_context("forkserver")
    # Workers fork from a server that has imported the model once (numpy, pandas, Mesa),
    # instead of each importing it on its first run.
    ctx.set_forkserver_preload(["statecraft.sweep.engines"])
    barren = 0  # pools in a row that broke before any run came back from a worker
    while remaining:
        pool = ProcessPoolExecutor(
            workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
        )
        queue = iter(list(remaining))
        inflight: dict[Any, str] = {}
        lost: list[str] = []
        produced = 0

        try:
            healthy = _fill(pool, queue, inflight, remaining, window)
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
                    produced += 1
                    yield outcome
                if not lost:
                    healthy = _fill(pool, queue, inflight, remaining, window)
        except BaseException:
            # Ctrl-C, or the consumer closed us: stop now. Runs in flight are not stored and
            # simply run again on resume; waiting for them (or for a pool whose internals the
            # interrupt may have caught half-way) could hang the exit.
            _abort(pool)
            raise
        broken = bool(lost) or not healthy
        if broken:
            _abort(pool)
        else:
            pool.shutdown(wait=True)
        # Every run in flight when the pool broke is a suspect; the culprit is among them.
        for rid in [*lost, *inflight.values()] if broken else []:
            attempts[rid] += 1
            if attempts[rid] >= MAX_ATTEMPTS:
                del remaining[rid]
                yield _died(rid, f"worker process died {MAX_ATTEMPTS} times running it")
        # Only runs that came back from a worker count as progress: if none ever does, the
        # workers themselves cannot work, and retrying pools would only mark runs as failed.
        barren = barren + 1 if broken and produced == 0 else 0
        if barren >= MAX_ATTEMPTS:
            raise SweepError(
                f"worker processes keep dying before finishing any run ({MAX_ATTEMPTS} pools "
                "in a row); is the model importable in a fresh process? Try --workers 1"
            )


def _run_dask(tasks: list[RunTask], address: str) -> Iterator[Outcome]:
    """Run ``tasks`` on the Dask cluster at ``address``, a bounded window at a time."""
    from distributed import Client, as_completed

    with Client(address, timeout="30s", set_as_default=False) as client:
        threads = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
        window = 2 * max(threads, 1) + 2
        queue = iter(tasks)
        keys: dict[str, str] = {}
        first = []
        for task in queue:
            fut = client.submit(execute, task, pure=False)
            keys[fut.key] = task.run_id
            first.append(fut)
            if len(keys) >= window:
                break
        if not first:
            return
        pending = as_completed(first, loop=client.loop)
        del first, fut
        for fut in pending:
            rid = keys.pop(fut.key)
            try:
                outcome = fut.result()
            except Exception as err:  # e.g. KilledWorker after repeated worker deaths
                outcome = _died(rid, f"{type(err).__name__}: {err}".splitlines()[0])
            # Release before storing the next: a finished future that stays referenced is
            # recomputed if the worker holding its result dies.
            fut.release()
            del fut
            yield outcome
            for task in queue:
                nxt = client.submit(execute, task, pure=False)
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
