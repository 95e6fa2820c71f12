"""Run an experiment's runs in parallel, store results as they finish, resume after a crash.

``run_sweep(experiment, out)`` runs every run of an :class:`~model.experiment.Experiment` on a
local process pool (all cores by default), or on an existing Dask cluster when given a
scheduler address. The model does not know which engine runs it: a run is the pure function
:func:`execute` of a small task tuple.

Layout of the output directory::

    manifest.json             experiment hash, versions, git commit, times, per-run status
    experiment.toml           copy of the experiment file
    final/<run_id>.parquet    one row: the run's metrics at its last month (always kept)
    final.parquet             all of final/ merged (written by the first load(), rebuilt when
                              stale)
    timeseries/<run_id>.parquet  every month (when the experiment asks for time series)
    errors/<run_id>.json      a run that raised: its error and traceback

A run is *stored* once its ``final`` file (written last) or its ``errors`` file exists; every
file is written under a temporary name and moved into place with :func:`os.replace`, so a kill
leaves no half-written file under a final name. Re-running the same command skips stored runs.
:func:`load` returns the tidy tables.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from . import __version__
from .experiment import Experiment, RunSpec
from .run import _atomic_write, simulate
from .scenario import ScenarioError, resolve

__all__ = [
    "SweepError",
    "SweepResults",
    "SweepSummary",
    "execute",
    "load",
    "local_cluster",
    "run_sweep",
    "sobol_indices",
]

MANIFEST = "manifest.json"
#: Files the runner writes at the top of the output directory (besides the per-run folders).
#: Each is written under a temporary name ``.<name>.<random>.tmp`` first (see ``_atomic_write``).
OWN_FILES = (MANIFEST, "experiment.toml", "final.parquet", "timeseries.parquet")
#: A run in flight when its worker process dies is retried this many times in all, then it is
#: recorded as failed (it may be the run that kills its worker).
MAX_ATTEMPTS = 3
#: Seconds between rewrites of the manifest while a sweep runs (it is also written at the end;
#: the stored files, not the manifest, say which runs are done).
MANIFEST_INTERVAL = 2.0

#: A run task sent to a worker: (run_id, seed, overrides, scenario label, keep time series).
Task = tuple[str, int, dict[str, Any], str, bool]


class SweepError(ScenarioError):
    """The output directory cannot be used for this sweep; the message says why."""


@dataclass
class Outcome:
    """What one run returns to the runner (small: a final row, maybe a time series)."""

    run_id: str
    error: str | None
    detail: str | None
    final: pd.DataFrame | None
    timeseries: pd.DataFrame | None
    duration_s: float


@dataclass(frozen=True)
class SweepSummary:
    """What a call of :func:`run_sweep` did."""

    out: Path
    total: int
    skipped: int
    ran: int
    failed: int
    elapsed_s: float


@dataclass(frozen=True)
class SweepResults:
    """Tidy tables of a sweep directory, joined on ``run_id``.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per run: ``run_id, point, replicate, seed``, ``block`` (Saltelli designs), one
        column per factor, ``status`` (``ok``, ``failed`` or ``pending``) and ``error``.
    final : pandas.DataFrame
        One row per successful run: ``run_id, scenario, seed, step, date`` and every metric at
        the last simulated month.
    timeseries : pandas.DataFrame
        One row per run and month (empty unless the experiment kept time series).
    """

    runs: pd.DataFrame
    final: pd.DataFrame
    timeseries: pd.DataFrame


# --- the run ------------------------------------------------------------------------------------
def execute(task: Task) -> Outcome:
    """Run one task and return its outcome; an exception becomes a recorded error.

    Parameters
    ----------
    task : tuple
        ``(run_id, seed, overrides, scenario label, keep time series)``.

    Returns
    -------
    Outcome
    """
    run_id, seed, overrides, label, keep_ts = task
    t0 = time.perf_counter()
    try:
        result = simulate(resolve(overrides, where=f"run {run_id}"), seed=seed, scenario=label)
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
    return Outcome(
        run_id=run_id,
        error=None,
        detail=None,
        final=ts.iloc[[-1]].reset_index(drop=True),
        timeseries=ts if keep_ts else None,
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


def _run_inline(tasks: list[Task]) -> Iterator[Outcome]:
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
    remaining: dict[str, Task],
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


def _run_local(tasks: list[Task], workers: int) -> Iterator[Outcome]:
    """Run ``tasks`` on a process pool; rebuild the pool if a worker dies."""
    remaining = {t[0]: t for t in tasks}
    attempts: Counter[str] = Counter()
    window = 2 * workers
    # forkserver: no fork of a process that has threads (tqdm's monitor, Dask's loop).
    ctx = mp.get_context("forkserver")
    # Workers fork from a server that has imported the model once (numpy, pandas, Mesa),
    # instead of each importing it on its first run.
    ctx.set_forkserver_preload(["statecraft.sweep"])
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


def _run_dask(tasks: list[Task], address: str) -> Iterator[Outcome]:
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
            keys[fut.key] = task[0]
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
                keys[nxt.key] = task[0]
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


# --- the store ----------------------------------------------------------------------------------
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def git_commit() -> str | None:
    """Commit of the source tree this package runs from, read from ``.git``; else ``None``."""
    git = Path(__file__).resolve().parents[1] / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head[5:]
        if (git / ref).is_file():
            return (git / ref).read_text().strip()
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
    except (OSError, IndexError):
        return None
    return None


#: Modules whose code decides a run's results (the sweep machinery and the CLI do not).
MODEL_MODULES = ("agents", "funding", "market", "metrics", "model", "params", "run", "scenario")


@functools.cache
def model_code_digest() -> str:
    """Short SHA-256 of the source of :data:`MODEL_MODULES`: results from different model code
    must not be mixed in one sweep directory."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for name in MODEL_MODULES:
        h.update(name.encode())
        h.update((root / f"{name}.py").read_bytes())
    return h.hexdigest()[:16]


def _fingerprint(task: Task) -> str:
    run_id, seed, overrides, label, keep_ts = task
    blob = json.dumps(
        [run_id, seed, overrides, label, keep_ts, model_code_digest()], sort_keys=True, default=str
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _task(exp: Experiment, spec: RunSpec) -> Task:
    return (spec.run_id, spec.seed, spec.overrides, exp.name, exp.timeseries)


class _Store:
    """The output directory: locked, checked against the experiment, written atomically."""

    _subs = ("final", "timeseries", "errors")

    def __init__(self, out: Path, exp: Experiment, specs: list[RunSpec], force: bool) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self._lock = open(out / ".lock", "w")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise SweepError(f"{out}: another sweep is writing to this directory") from None
        try:
            old = self._open(exp, specs, force)
        except BaseException:
            self._lock.close()
            raise
        self.sessions = old.get("sessions", []) if old else []
        self.started = old.get("started", _now()) if old else _now()
        self.status: dict[str, dict[str, Any]] = {}
        self._scan()
        self._last_flush = 0.0

    def _open(self, exp: Experiment, specs: list[RunSpec], force: bool) -> dict[str, Any] | None:
        self.exp = exp
        self.specs = {s.run_id: s for s in specs}
        self.prints = {s.run_id: _fingerprint(_task(exp, s)) for s in specs}
        old = self._read_manifest()  # refuses a directory that is not ours before touching it
        # Temporary files of a killed writer (we hold the lock: no other sweep is writing; a
        # concurrent load() merely fails to cache its merged table).
        for tmp in self._own_tmp(self.out):
            tmp.unlink(missing_ok=True)
        for sub in self._subs:
            (self.out / sub).mkdir(exist_ok=True)
            for tmp in (self.out / sub).glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        self._check(old, force)
        return old

    @staticmethod
    def _own_tmp(top: Path) -> list[Path]:
        return [tmp for name in OWN_FILES for tmp in top.glob(f".{name}.*.tmp")]

    def close(self) -> None:
        self._lock.close()

    def _read_manifest(self) -> dict[str, Any] | None:
        path = self.out / MANIFEST
        if not path.exists():
            # The first manifest is written before anything but the lock and the empty per-run
            # folders, so a kill leaves at most those, the experiment copy and temporary files
            # (removed next): a fresh sweep. Anything else is not ours, or cannot be matched
            # to an experiment without a manifest.
            ours = {".lock", *self._subs, *OWN_FILES, *(p.name for p in self._own_tmp(self.out))}
            others = sorted(p.name for p in self.out.iterdir() if p.name not in ours)
            if others:
                raise SweepError(
                    f"{self.out}: not a sweep directory (no {MANIFEST}, but holds {others[0]}); "
                    "choose another --out"
                )
            for sub in self._subs:
                d = self.out / sub
                runs = sorted(p.name for p in d.glob("[!.]*")) if d.is_dir() else []
                if runs:
                    raise SweepError(
                        f"{self.out}: holds {sub}/{runs[0]} but no {MANIFEST}, so its results "
                        "cannot be matched to an experiment; choose another --out"
                    )
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise SweepError(f"{path}: unreadable manifest; use another --out") from None

    def _check(self, old: dict[str, Any] | None, force: bool) -> None:
        if old is None:
            return
        was = old.get("experiment", {})
        code = model_code_digest()
        same = (was.get("sha256"), was.get("scenario_sha256"), old.get("model_code_sha256")) == (
            self.exp.sha256,
            self.exp.scenario_sha256,
            code,
        )
        if same:
            return
        if (
            not force
            and old.get("model_code_sha256") != code
            and was.get("sha256") == (self.exp.sha256)
        ):
            raise SweepError(
                f"{self.out}: holds results of different model code (digest "
                f"{str(old.get('model_code_sha256'))[:12]}, now {code[:12]}); "
                "use another --out, or --force to discard them and run again"
            )
        if not force:
            changed = "experiment file" if was.get("sha256") != self.exp.sha256 else "scenario"
            raise SweepError(
                f"{self.out}: holds results of a different {changed} "
                f"({was.get('path')}, sha256 {str(was.get('sha256'))[:12]}…); "
                "use another --out, or --force to keep only the runs that are unchanged"
            )
        # --force: keep stored runs whose task is identical; drop everything else.
        old_prints = {r["run_id"]: r.get("fingerprint") for r in old.get("runs", [])}
        for sub in self._subs:
            for f in (self.out / sub).iterdir():
                rid = f.name.split(".")[0]
                if old_prints.get(rid) is None or old_prints.get(rid) != self.prints.get(rid):
                    f.unlink()

    def _scan(self) -> None:
        """Status of every run from the files on disk (the manifest may lag a kill)."""
        final = {p.stem for p in (self.out / "final").glob("*.parquet")}
        errors = {p.stem for p in (self.out / "errors").glob("*.json")}
        for rid in self.specs:
            if rid in final:
                self.status[rid] = {"status": "ok"}
            elif rid in errors:
                info = json.loads((self.out / "errors" / f"{rid}.json").read_text())
                self.status[rid] = {"status": "failed", "error": info.get("error")}

    def stored(self, retry_failed: bool) -> set[str]:
        return {
            rid
            for rid, s in self.status.items()
            if s["status"] == "ok" or (s["status"] == "failed" and not retry_failed)
        }

    def store(self, o: Outcome) -> None:
        finished = _now()
        if o.error is None:
            if o.timeseries is not None:
                self._write_parquet(self.out / "timeseries" / f"{o.run_id}.parquet", o.timeseries)
            # The final file is written last: its presence marks the run as stored.
            self._write_parquet(self.out / "final" / f"{o.run_id}.parquet", o.final)
            (self.out / "errors" / f"{o.run_id}.json").unlink(missing_ok=True)
            self.status[o.run_id] = {"status": "ok"}
        else:
            blob = json.dumps({"run_id": o.run_id, "error": o.error, "traceback": o.detail})
            path = self.out / "errors" / f"{o.run_id}.json"
            _atomic_write(path, lambda tmp: Path(tmp).write_text(blob, encoding="utf-8"))
            self.status[o.run_id] = {"status": "failed", "error": o.error}
        self.status[o.run_id].update(duration_s=round(o.duration_s, 4), finished=finished)
        if time.monotonic() - self._last_flush > MANIFEST_INTERVAL:
            self.write_manifest(state="running")

    @staticmethod
    def _write_parquet(path: Path, df: pd.DataFrame) -> None:
        _atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))

    def write_manifest(self, state: str, session: dict[str, Any] | None = None) -> None:
        exp = self.exp
        runs = []
        for rid, spec in self.specs.items():
            row: dict[str, Any] = {
                "run_id": rid,
                "point": spec.point,
                "replicate": spec.replicate,
                "seed": spec.seed,
                "factors": spec.factors,
                "fingerprint": self.prints[rid],
                "status": "pending",
            }
            row.update(self.status.get(rid, {}))
            runs.append(row)
        counts = Counter(r["status"] for r in runs)
        manifest = {
            "format": 1,
            "state": state,
            "experiment": {
                "name": exp.name,
                "path": str(exp.path),
                "sha256": exp.sha256,
                "scenario": exp.scenario,
                "scenario_path": str(exp.scenario_path),
                "scenario_sha256": exp.scenario_sha256,
                "design": exp.design,
                "samples": exp.samples,
                "replicates": exp.replicates,
                "seed": exp.seed,
                "timeseries": exp.timeseries,
                "factors": [f.name for f in exp.factors],
                "base_parameters": exp.base,
            },
            "package_version": __version__,
            "model_code_sha256": model_code_digest(),
            "git_commit": git_commit(),
            "python_version": platform.python_version(),
            "mesa_version": mesa.__version__,
            "numpy_version": np.__version__,
            "started": self.started,
            "finished": _now() if state == "complete" else None,
            "sessions": [*self.sessions, session] if session else self.sessions,
            "counts": {"total": len(runs), **{k: counts.get(k, 0) for k in ("ok", "failed")}},
            "runs": runs,
        }
        if session and state != "running":
            self.sessions = manifest["sessions"]
        blob = json.dumps(manifest, indent=1, default=str)
        _atomic_write(self.out / MANIFEST, lambda tmp: Path(tmp).write_text(blob, "utf-8"))
        self._last_flush = time.monotonic()


# --- the runner ---------------------------------------------------------------------------------
def default_workers() -> int:
    """CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _progress(total: int, initial: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="run",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
        smoothing=0.1,
    )


def run_sweep(
    experiment: Experiment,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    force: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
) -> SweepSummary:
    """Run every run of ``experiment`` not yet stored in ``out``.

    Parameters
    ----------
    experiment : Experiment
        From :func:`statecraft.experiment.load_experiment`.
    out : str or Path
        Output directory; created if needed. If it holds results of this experiment, they are
        kept and only the missing runs run.
    workers : int, optional
        Local worker processes (default: every CPU this process may use); 1 runs in this
        process. Ignored with ``scheduler``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://127.0.0.1:8786``); runs go to its workers.
    force : bool, default=False
        Accept a directory holding results of a changed experiment: keep the stored runs whose
        task (parameters, seed) is unchanged, discard the rest.
    retry_failed : bool, default=False
        Run again the runs recorded as failed.
    progress : bool, default=True
        Show a progress bar (done/total, failures, ETA) on standard error.

    Returns
    -------
    SweepSummary

    Raises
    ------
    SweepError
        If ``out`` is not usable for this experiment.
    """
    t0 = time.perf_counter()
    out = Path(out)
    if workers is not None and workers < 1:
        raise SweepError(f"--workers must be an integer >= 1; got {workers}")
    specs = experiment.runs()
    store = _Store(out, experiment, specs, force)
    try:
        done = store.stored(retry_failed)
        tasks = [_task(experiment, s) for s in specs if s.run_id not in done]
        n = workers or default_workers()
        engine = f"dask {scheduler}" if scheduler else f"local x{n}"
        session = {"started": _now(), "engine": engine, "to_run": len(tasks)}
        # The manifest first: a directory with one is a sweep directory whatever else happens.
        store.write_manifest(state="running", session={**session, "finished": None})
        _atomic_write(out / "experiment.toml", lambda tmp: shutil.copyfile(experiment.path, tmp))
        failed = sum(1 for s in store.status.values() if s["status"] == "failed")
        ran = 0
        state = "interrupted"
        if scheduler:
            outcomes: Iterable[Outcome] = _run_dask(tasks, scheduler)
        elif n == 1 or len(tasks) <= 1:
            outcomes = _run_inline(tasks)
        else:
            outcomes = _run_local(tasks, min(n, len(tasks)))
        with _progress(len(specs), len(specs) - len(tasks), progress) as bar:
            bar.set_postfix(failed=failed)
            try:
                for outcome in outcomes:
                    store.store(outcome)
                    ran += 1
                    if outcome.error is not None:
                        failed += 1
                        bar.set_postfix(failed=failed)
                    bar.update()
                state = "complete"
            finally:
                close = getattr(outcomes, "close", None)
                if close is not None:
                    close()
                session.update(finished=_now(), ran=ran)
                store.write_manifest(state=state, session=session)
    finally:
        store.close()
    return SweepSummary(
        out=out,
        total=len(specs),
        skipped=len(specs) - len(tasks),
        ran=ran,
        failed=failed,
        elapsed_s=time.perf_counter() - t0,
    )


# --- reading results ----------------------------------------------------------------------------
def _concat(out: Path, table: str, keys: list[str]) -> pd.DataFrame:
    """All per-run files of ``table`` as one frame sorted by ``keys``.

    The merged frame is cached as ``<table>.parquet`` beside the per-run folder and reused
    while it holds exactly the stored runs, so a large sweep is read from one file.
    """
    paths = sorted((out / table).glob("*.parquet"))
    if not paths:
        return pd.DataFrame()
    stems = {p.stem for p in paths}
    cache = out / f"{table}.parquet"
    newest = max(p.stat().st_mtime_ns for p in paths)
    if cache.is_file() and cache.stat().st_mtime_ns >= newest:
        with contextlib.suppress(Exception):  # an unreadable cache is simply rebuilt
            if set(pd.read_parquet(cache, columns=["run_id"])["run_id"]) == stems:
                return pd.read_parquet(cache)
    df = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    with contextlib.suppress(OSError):  # a read-only directory still loads, uncached
        _atomic_write(cache, lambda tmp: df.to_parquet(tmp, index=False))
    return df


def load(out: str | Path) -> SweepResults:
    """Read a sweep directory into tidy tables (see :class:`SweepResults`).

    Parameters
    ----------
    out : str or Path
        Directory written by :func:`run_sweep` (complete or not).

    Returns
    -------
    SweepResults
    """
    out = Path(out)
    path = out / MANIFEST
    if not path.is_file():
        raise SweepError(f"{out}: not a sweep directory (no {MANIFEST})")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    final_files = sorted((out / "final").glob("*.parquet"))
    ok = {p.stem for p in final_files}
    errors = {p.stem: p for p in (out / "errors").glob("*.json")}
    rows = []
    for r in manifest["runs"]:
        rid = r["run_id"]
        row = {k: r[k] for k in ("run_id", "point", "replicate", "seed")}
        row.update(r["factors"])
        if rid in ok:
            row.update(status="ok", error=None)
        elif rid in errors:
            row.update(status="failed", error=json.loads(errors[rid].read_text())["error"])
        else:
            row.update(status="pending", error=None)
        rows.append(row)
    runs = pd.DataFrame(rows)
    exp = manifest["experiment"]
    if exp["design"] == "saltelli":
        runs.insert(4, "block", _saltelli_blocks(exp["factors"], exp["samples"], runs["point"]))
    final = _concat(out, "final", ["run_id"])
    ts = _concat(out, "timeseries", ["run_id", "step"])
    return SweepResults(runs=runs, final=final, timeseries=ts)


def _saltelli_blocks(factors: list[str], samples: int, point: pd.Series) -> np.ndarray:
    labels = np.array(["A", "B", *[f"AB_{f}" for f in factors]])
    return labels[point.to_numpy() // samples]


def sobol_indices(results: SweepResults, metric: str) -> pd.DataFrame:
    """First-order and total Sobol indices of ``metric`` from a Saltelli sweep.

    Replicates are averaged per design point first (the indices describe the mean response).
    Uses :func:`scipy.stats.sobol_indices` on the stored blocks.

    Parameters
    ----------
    results : SweepResults
        From :func:`load` on a complete sweep of a ``saltelli`` experiment.
    metric : str
        Column of ``results.final``.

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``factor, first_order, total_order``.
    """
    from scipy.stats import sobol_indices as _sobol

    runs = results.runs
    if "block" not in runs:
        raise ValueError("sobol_indices needs a sweep of a 'saltelli' design")
    df = runs[["run_id", "point", "block"]].merge(results.final[["run_id", metric]], on="run_id")
    mean = df.groupby(["block", "point"], sort=True)[metric].mean()
    factors = [b.removeprefix("AB_") for b in runs["block"].unique() if b.startswith("AB_")]
    n = int((runs["block"] == "A").sum() / runs["replicate"].nunique())
    if len(mean) != n * (len(factors) + 2):
        raise ValueError(f"{metric}: some runs are missing or failed; Sobol indices need all")
    f_a = mean.loc["A"].to_numpy()[None, :]
    f_b = mean.loc["B"].to_numpy()[None, :]
    f_ab = np.stack([mean.loc[f"AB_{f}"].to_numpy() for f in factors])[:, None, :]
    res = _sobol(func={"f_A": f_a, "f_B": f_b, "f_AB": f_ab}, n=n)
    return pd.DataFrame(
        {
            "factor": factors,
            "first_order": np.ravel(res.first_order),
            "total_order": np.ravel(res.total_order),
        }
    )
