"""Evaluate many independent runs: one evaluator interface behind every backend.

A run is the pure function :func:`execute` of a small, picklable :class:`RunTask`; it returns
an :class:`Outcome` (a run's own exception is recorded in it, never raised). An
:class:`Evaluator` turns tasks into outcomes, in completion order, and it does so in this
process (:class:`InlineEvaluator`), on a local process pool (:class:`LocalEvaluator`) or on a
Dask cluster (:class:`DaskEvaluator`). The model does not know which evaluator runs it, and a
task gives the same outcome on every one.

The sweeps (:func:`statecraft.sweep.run_sweep`) and the calibration tools
(:func:`statecraft.calibration.runner.run_many`) both run through an evaluator, so the fault
handling lives here once:

- a worker process that dies is blamed on the run that killed it (each run then in flight
  runs again alone; only one that kills its worker :data:`MAX_ATTEMPTS` times alone is
  recorded as failed), and workers that cannot work at all stop the evaluation with an
  :class:`EvaluatorError`;
- pool workers ignore Ctrl-C (the parent stops the pool) and exit when the parent is gone;
- closing the iterator of :meth:`Evaluator.evaluate` (Ctrl-C, SIGTERM turned into
  ``KeyboardInterrupt``, an error of the consumer) stops the workers at once;
- a Dask scheduler that goes away ends the evaluation with :class:`SchedulerLost` within
  :data:`SCHEDULER_GRACE_S` seconds; the runs then in flight are not reported.

In the data flow this module sits above the run tables (:mod:`statecraft.run`) and below the
sweep store and the calibration; it imports neither.

Examples
--------
>>> from statecraft.evaluate import RunTask, evaluator_for
>>> task = RunTask("r0", seed=1, overrides={"scale": 0.05, "end_date": "2020-03"},
...                experiment="demo", scenario="demo", timeseries=False)
>>> with evaluator_for(workers=1) as ev:
...     [o.error for o in ev.evaluate([task])]
[None]
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import numbers
import os
import signal
import threading
import time
import traceback
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Self

import pandas as pd

from .errors import EvaluatorError, SchedulerLost
from .run import simulate
from .scenario import resolve

__all__ = [
    "MAX_ATTEMPTS",
    "MAX_WORKERS_PER_CPU",
    "SCHEDULER_GRACE_S",
    "DaskEvaluator",
    "Evaluator",
    "EvaluatorError",
    "InlineEvaluator",
    "LocalEvaluator",
    "Outcome",
    "RunTask",
    "SchedulerLost",
    "check_workers",
    "connect",
    "default_workers",
    "evaluating",
    "evaluator_for",
    "execute",
    "local_cluster",
]

#: A run that kills its worker process when it runs alone is tried this many times in all,
#: then recorded as failed (runs merely in flight beside it are not counted: they run again
#: alone; see :class:`LocalEvaluator`).
MAX_ATTEMPTS = 3

#: Seconds a pool may go on with a dead worker process without reporting it broken before the
#: evaluator stops waiting for it (it reports one within milliseconds, unless the worker died
#: half-way through sending a result; see :func:`_wait`).
HUNG_POOL_S = 10.0
#: How often a wait on worker processes looks at them again (a poll interval, not a timeout).
POLL_S = 0.1

#: Local worker processes allowed per CPU this process may use (``--workers`` above is refused).
MAX_WORKERS_PER_CPU = 4

#: Seconds the Dask scheduler may stay unreachable mid-evaluation before it stops.
SCHEDULER_GRACE_S = 10.0


# --- what is evaluated --------------------------------------------------------------------------
@dataclass(frozen=True)
class RunTask:
    """One run sent to a worker (small and picklable).

    Parameters
    ----------
    run_id : str
        Unique among the tasks of one evaluation (a sweep's ``p<point>-r<replicate>``).
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
    """What one run returns (small: a final row, maybe a time series)."""

    run_id: str
    error: str | None
    detail: str | None
    final: pd.DataFrame | None
    timeseries: pd.DataFrame | None
    duration_s: float


#: What a worker calls on each task: :func:`execute`, or (tests, fault drills) a module-level
#: wrapper of it.
TaskFunction = Callable[[RunTask], Outcome]


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


def default_workers() -> int:
    """CPUs this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# --- the interface ------------------------------------------------------------------------------
class Evaluator(ABC):
    """Runs :class:`RunTask` s and yields their :class:`Outcome` s; one subclass per backend.

    Use it as a context manager: what it holds (a Dask client) is acquired by :meth:`open`
    (idempotent; an evaluator that needs it also opens itself on first use) and released by
    :meth:`close`.

    Parameters
    ----------
    fn : callable, default=execute
        What a worker calls on each task. It must be picklable (a module-level function) for
        the pool and Dask evaluators; tests pass a wrapper that kills its worker on chosen runs.
    """

    #: How the evaluator is named in a sweep's manifest (``inline``, ``local x2``, ``dask …``).
    label: str = "evaluator"

    def __init__(self, fn: TaskFunction = execute) -> None:
        self.fn = fn

    # Optional hooks (B027): an evaluator of local processes holds nothing between calls.
    def open(self) -> None:  # noqa: B027
        """Acquire what the evaluator needs (nothing, for local ones); safe to call again."""

    def close(self) -> None:  # noqa: B027
        """Release what :meth:`open` acquired; safe to call again."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def evaluate(self, tasks: Sequence[RunTask]) -> Iterator[Outcome]:
        """One outcome per task, in completion order.

        Close the iterator (or stop consuming it inside a ``with`` that closes it) to stop the
        runs still in flight; they are not reported.

        Raises
        ------
        EvaluatorError
            If the workers cannot run anything, or the Dask scheduler is lost
            (:class:`SchedulerLost`).
        """

    def evaluate_all(self, tasks: Sequence[RunTask]) -> list[Outcome]:
        """Outcomes of every task, in the order of ``tasks``."""
        with contextlib.closing(self.evaluate(tasks)) as outcomes:
            by_id = {o.run_id: o for o in outcomes}
        return [by_id[t.run_id] for t in tasks]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label}>"


class InlineEvaluator(Evaluator):
    """Runs the tasks one after the other in this process (no pool to start: the fastest for
    one run, and the one to debug with)."""

    label = "inline"

    def evaluate(self, tasks: Sequence[RunTask]) -> Iterator[Outcome]:
        for task in tasks:
            yield self.fn(task)


# --- the local process pool ---------------------------------------------------------------------
def _worker_init(parent_pid: int) -> None:
    """Set up a pool worker: leave Ctrl-C to the parent, and die with it.

    Ctrl-C reaches the whole process group; the parent shuts the pool down cleanly. If the
    parent process itself is killed (``kill -9``, a lost session), nothing would ever tell its
    workers to stop, so each one watches it and exits when it is gone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:  # exists, owned by someone else (pid reused): keep going
                pass

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _pool(workers: int) -> ProcessPoolExecutor:
    # forkserver: no fork of a process that has threads (tqdm's monitor, Dask's loop, pyabc).
    ctx = mp.get_context("forkserver")
    # Workers fork from a server that has imported the model once (numpy, pandas, Mesa),
    # instead of each importing it on its first run.
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
    )


def _processes(pool: ProcessPoolExecutor) -> list[Any]:
    """The pool's worker processes (its manager thread may be changing the table)."""
    for _ in range(3):
        try:
            return list((getattr(pool, "_processes", None) or {}).values())
        except RuntimeError:  # changed size during iteration
            continue
    return []


def _abort(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's worker processes and shut it down without waiting for its runs.

    Every wait is bounded. A worker killed half-way through sending its result leaves the
    pool's manager thread waiting for the rest of the message for ever (the pool keeps its own
    copy of the pipe's write end open), and the interpreter joins that thread at exit: once the
    workers are gone, that copy is closed, so the thread reads end-of-file and ends.
    """
    procs = _processes(pool)
    results = getattr(pool, "_result_queue", None)
    manager = getattr(pool, "_executor_manager_thread", None)
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=5)
    pool.shutdown(wait=False, cancel_futures=True)
    if manager is not None and results is not None:
        manager.join(timeout=1.0)
        if manager.is_alive():
            with contextlib.suppress(OSError, AttributeError):
                results._writer.close()
            manager.join(timeout=5.0)


def _wait(pool: ProcessPoolExecutor, futures: Any) -> tuple[set[Any], bool]:
    """Wait until one of ``futures`` is done: ``(done, True)``; or ``(set(), False)`` when a
    worker process has been dead :data:`HUNG_POOL_S` seconds without the pool noticing.

    A pool's worker never exits on its own, so a dead one means the pool is broken; the pool
    says so at once (``BrokenProcessPool``), except when the worker died half-way through
    sending a result: its manager thread then waits for the rest for ever, and so would we.
    """
    dead_since: float | None = None
    while True:
        done, _ = wait(futures, timeout=POLL_S, return_when=FIRST_COMPLETED)
        if done:
            return done, True
        if any(p.exitcode is not None for p in _processes(pool)):
            dead_since = dead_since or time.monotonic()
            if time.monotonic() - dead_since > HUNG_POOL_S:
                return set(), False
        else:
            dead_since = None


def _canary() -> bool:
    """A task that cannot fail: if a fresh worker dies running it, workers cannot work."""
    return True


def _alone(fn: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
    """Run ``fn(*args)`` alone in a fresh one-worker process pool.

    Returns
    -------
    tuple
        ``(True, result)``, or ``(False, None)`` if the worker process died.
    """
    pool = _pool(1)
    try:
        fut = pool.submit(fn, *args)
        _, alive = _wait(pool, [fut])
        if not alive:
            _abort(pool)
            return False, None
        result = fut.result()
    except BrokenProcessPool:
        _abort(pool)
        return False, None
    except BaseException:
        _abort(pool)
        raise
    pool.shutdown(wait=True)
    return True, result


def _fill(
    pool: ProcessPoolExecutor,
    queue: Iterator[str],
    inflight: dict[Any, str],
    remaining: dict[str, RunTask],
    window: int,
    fn: TaskFunction,
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


class LocalEvaluator(Evaluator):
    """Runs the tasks on a pool of local worker processes (``forkserver``).

    A worker death is attributed to the run that caused it. When a worker dies, every run then
    in flight is a suspect: each runs again alone in a fresh one-worker pool, so a death there
    is its own. A run is given up (its outcome records the death) only after it has killed its
    worker :data:`MAX_ATTEMPTS` times alone; the other suspects are unharmed. Before giving up
    on a run, a trivial task checks that a fresh worker can work at all (if it cannot, no run
    is blamed and :class:`EvaluatorError` stops the evaluation).

    Parameters
    ----------
    workers : int
        Worker processes, >= 1 (never more than there are tasks; one task runs in this
        process, without a pool).
    fn : callable, default=execute
        See :class:`Evaluator`.
    """

    def __init__(self, workers: int, fn: TaskFunction = execute) -> None:
        super().__init__(fn)
        self.workers = check_workers(workers)
        self.label = f"local x{self.workers}"

    def evaluate(self, tasks: Sequence[RunTask]) -> Iterator[Outcome]:
        if self.workers == 1 or len(tasks) <= 1:
            yield from InlineEvaluator(self.fn).evaluate(tasks)
            return
        workers = min(self.workers, len(tasks))
        fn = self.fn
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
                    raise EvaluatorError(
                        "worker processes keep dying, even on a trivial task; is the model "
                        "importable in a fresh process? Try --workers 1"
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
                    done, alive = _wait(pool, inflight)
                    if not alive:  # a worker died unnoticed: every run in flight is a suspect
                        lost = list(inflight.values())
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
                # Ctrl-C, or the consumer closed us: stop now. Runs in flight are not
                # reported (a sweep runs them again on resume); waiting for them (or for a
                # pool whose internals the interrupt may have caught half-way) could hang
                # the exit.
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


# --- Dask ---------------------------------------------------------------------------------------
def connect(address: str, timeout_s: float = 10.0):
    """A Dask client of the scheduler at ``address``, or a one-line :class:`EvaluatorError`.

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
        raise EvaluatorError(
            f"--scheduler: {text!r} is not a scheduler address; expected e.g. tcp://127.0.0.1:8786"
        )
    from distributed import Client

    try:
        return Client(text, timeout=f"{timeout_s:g}s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        why = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise EvaluatorError(
            f"--scheduler: cannot reach the Dask scheduler at {text} within {timeout_s:g} s "
            f"({why[:200]}); is it running and reachable from here?"
        ) from None


class DaskEvaluator(Evaluator):
    """Runs the tasks on the workers of a running Dask scheduler, a bounded window at a time.

    A run on which Dask gives up (``KilledWorker``: workers died while it was on them, perhaps
    because of a neighbour) runs again alone in a fresh local process; only a run that kills
    that one too is recorded as failed. If the scheduler goes away, the runs in flight are not
    reported (they did not fail) and :class:`SchedulerLost` ends the evaluation within
    :data:`SCHEDULER_GRACE_S` seconds.

    Parameters
    ----------
    address : str
        The scheduler's address (``tcp://127.0.0.1:8786``); checked and connected by
        :meth:`open` (one-line :class:`EvaluatorError` if malformed or unreachable).
    fn : callable, default=execute
        See :class:`Evaluator`.
    """

    def __init__(self, address: str, fn: TaskFunction = execute) -> None:
        super().__init__(fn)
        self.address = address
        self.label = f"dask {address}"
        self.client: Any = None
        #: The scheduler was lost during an evaluation (its client's noise is silenced).
        self._lost = False

    def open(self) -> None:
        if self.client is None:
            self.client = connect(self.address)

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            # Closing a client whose scheduler is gone cancels its reconnection attempts, which
            # Dask logs as about 40 lines of tracebacks; the one-line SchedulerLost says it all.
            with _silenced("distributed") if self._lost else contextlib.nullcontext():
                client.close()

    def evaluate(self, tasks: Sequence[RunTask]) -> Iterator[Outcome]:
        from concurrent.futures import CancelledError

        from distributed import KilledWorker, as_completed

        self.open()
        client, fn = self.client, self.fn
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
        while keys:
            batch = pending.next_batch(block=False)
            if not batch:
                if client.status != "running":
                    gone_since = gone_since or time.monotonic()
                    if time.monotonic() - gone_since > SCHEDULER_GRACE_S or client.status in (
                        "closed",
                        "closing",
                    ):
                        self._lost = True
                        raise SchedulerLost(address)
                else:
                    gone_since = None
                time.sleep(0.05)
                continue
            for fut in batch:
                rid = keys.pop(fut.key)
                try:
                    outcome = fut.result()
                except KilledWorker:
                    # Workers died while this run was on them, allowed-failures times; with
                    # several threads per worker it may have been a neighbour. Run it alone,
                    # locally, in a fresh process: only a run that kills that one too fails.
                    alive, outcome = _alone(fn, tasks_by_id[rid])
                    if not alive:
                        outcome = _died(
                            rid,
                            "killed its Dask workers, and a fresh worker process running it alone",
                        )
                except (CancelledError, Exception):
                    # execute() returns a run's own exceptions as outcomes: anything else is the
                    # cluster's (a closed connection, a lost scheduler), not the run's.
                    self._lost = True
                    raise SchedulerLost(address) from None
                # Release before handing it on: a finished future that stays referenced is
                # recomputed if the worker holding its result dies.
                fut.release()
                del fut
                yield outcome
                for task in queue:
                    nxt = client.submit(fn, task, pure=False)
                    keys[nxt.key] = task.run_id
                    pending.add(nxt)
                    break


@contextlib.contextmanager
def _silenced(name: str) -> Iterator[None]:
    """Drop the log records of logger ``name`` and its children while the block runs."""
    loggers = [logging.getLogger(name)] + [
        log
        for n, log in list(logging.Logger.manager.loggerDict.items())
        if n.startswith(f"{name}.") and isinstance(log, logging.Logger)
    ]
    before = [log.disabled for log in loggers]
    for log in loggers:
        log.disabled = True
    try:
        yield
    finally:
        for log, was in zip(loggers, before, strict=True):
            log.disabled = was


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


# --- choosing one -------------------------------------------------------------------------------
def check_workers(workers: int) -> int:
    """``workers`` as an int, or a one-line :class:`EvaluatorError`: it must be an integer from
    1 to :data:`MAX_WORKERS_PER_CPU` times the CPUs this process may use (``--workers 100000``
    would start a hundred thousand processes; more than a few per CPU only slows runs down)."""
    if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
        raise EvaluatorError(f"--workers must be an integer >= 1; got {workers}")
    cpus = default_workers()
    if workers > MAX_WORKERS_PER_CPU * cpus:
        raise EvaluatorError(
            f"--workers must be at most {MAX_WORKERS_PER_CPU * cpus} ({MAX_WORKERS_PER_CPU} per "
            f"CPU; this process may use {cpus}); got {workers}"
        )
    return int(workers)


def evaluator_for(
    workers: int | None = None, scheduler: str | None = None, fn: TaskFunction = execute
) -> Evaluator:
    """The evaluator the ``--workers`` and ``--scheduler`` options ask for (not yet opened).

    Parameters
    ----------
    workers : int, optional
        Local worker processes (default: every CPU this process may use); 1 runs in this
        process. Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler; the runs go to its workers.
    fn : callable, default=execute
        See :class:`Evaluator`.

    Raises
    ------
    EvaluatorError
        If ``workers`` is not an integer >= 1.
    """
    if workers is not None:
        check_workers(workers)
    if scheduler:
        return DaskEvaluator(scheduler, fn)
    n = workers or default_workers()
    return InlineEvaluator(fn) if n == 1 else LocalEvaluator(n, fn)


@contextlib.contextmanager
def evaluating(
    evaluator: Evaluator | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[Evaluator]:
    """Yield an open evaluator: the caller's (left open on exit), else a new one from
    :func:`evaluator_for` (closed on exit). What the sweep runner and ``run_many`` share."""
    if evaluator is not None and (workers is not None or scheduler):
        raise TypeError("give an evaluator, or workers and scheduler, not both")
    if evaluator is not None:
        evaluator.open()
        yield evaluator
        return
    with evaluator_for(workers, scheduler) as own:
        yield own
