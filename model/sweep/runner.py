"""Run every run of an experiment not yet stored in its sweep folder.

The runner is a thin user of :mod:`statecraft.evaluate`: it asks an evaluator for the outcomes
of the missing runs and stores each as it arrives. Which evaluator (inline, local pool, Dask)
decides nothing but speed: the stored tables are the same.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..checks import DEFAULT_MAX_RUNS, check_size
from ..errors import EvaluatorError, SchedulerLost, SweepError
from ..evaluate import Evaluator, default_workers, evaluating
from ..experiment import Experiment
from ..files import atomic_write
from .store import SweepStore, task_for, utc_now

__all__ = ["SweepSummary", "default_workers", "run_sweep"]


@dataclass(frozen=True)
class SweepSummary:
    """What a call of :func:`run_sweep` did."""

    out: Path
    total: int
    skipped: int
    ran: int
    failed: int
    elapsed_s: float
    #: Stored runs that failed verification when the folder was opened (they ran again).
    repaired: int = 0
    #: What opening the folder found: damaged manifest, files set aside (one line each).
    notes: tuple[str, ...] = ()


# --- the runner ---------------------------------------------------------------------------------
@contextlib.contextmanager
def _as_sweep_errors() -> Iterator[None]:
    """Say what an evaluator's failure means for the sweep folder (one line, as always)."""
    try:
        yield
    except SchedulerLost as err:
        raise SweepError(
            f"lost the Dask scheduler at {err.address}: the sweep stopped (runs finished so far "
            "are stored); restart the scheduler and rerun the same command to resume"
        ) from None
    except EvaluatorError as err:
        raise SweepError(str(err)) from None


def _progress(total: int, initial: int, enabled: bool):
    from tqdm.auto import tqdm

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
    evaluator: Evaluator | None = None,
    force: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
    max_runs: int = DEFAULT_MAX_RUNS,
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
    evaluator : Evaluator, optional
        Run the runs with this evaluator instead of one made from ``workers`` and
        ``scheduler`` (give one or the other); it is opened if need be and left open.
    force : bool, default=False
        Accept a directory holding results of a changed experiment: keep the stored runs whose
        task (parameters, seed) is unchanged, discard the rest.
    retry_failed : bool, default=False
        Run again the runs recorded as failed.
    progress : bool, default=True
        Show a progress bar (done/total, failures, ETA) on standard error.
    max_runs : int, default=DEFAULT_MAX_RUNS
        Refuse an experiment of more runs (a typo such as ``replicates = 1000000`` would
        otherwise allocate its design and fill the disk); raise it for a sweep that big.

    Returns
    -------
    SweepSummary

    Raises
    ------
    SweepError
        If ``out`` is not usable for this experiment (another sweep is writing to it, it holds
        other results or other files), the experiment is bigger than ``max_runs``,
        ``workers`` < 1, the Dask scheduler cannot be reached or is lost mid-sweep, or worker
        processes cannot work at all (the runs stored so far are kept; rerun to resume).
    """
    t0 = time.perf_counter()
    out = Path(out)
    check_size(experiment, max_runs)
    # The evaluator is opened before the folder is touched: a scheduler that cannot be reached
    # leaves nothing behind.
    with (
        _as_sweep_errors(),
        evaluating(evaluator, workers=workers, scheduler=scheduler) as ev,
    ):
        specs = experiment.runs()
        store = SweepStore(out, experiment, specs, force)
        try:
            done = store.stored(retry_failed)
            tasks = [task_for(experiment, s) for s in specs if s.run_id not in done]
            session = {"started": utc_now(), "engine": ev.label, "to_run": len(tasks)}
            # The manifest first: a directory with one is a sweep directory whatever happens.
            store.write_manifest(state="running", session={**session, "finished": None})
            atomic_write(out / "experiment.toml", lambda tmp: shutil.copyfile(experiment.path, tmp))
            failed = sum(1 for s in store.status.values() if s["status"] == "failed")
            failed -= sum(1 for t in tasks if t.run_id in store.status)  # retried now
            ran = 0
            state = "interrupted"
            outcomes = ev.evaluate(tasks)
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
                    # Stops the workers at once (Ctrl-C, SIGTERM, a full disk): runs in
                    # flight are not stored and run again on resume.
                    close = getattr(outcomes, "close", None)
                    if close is not None:
                        close()
                    session.update(finished=utc_now(), ran=ran)
                    store.write_manifest(state=state, session=session)
        finally:
            store.close()
    failed = sum(1 for s in store.status.values() if s["status"] == "failed")
    return SweepSummary(
        out=out,
        total=len(specs),
        skipped=len(specs) - len(tasks),
        ran=ran,
        failed=failed,
        elapsed_s=time.perf_counter() - t0,
        repaired=len(store.repaired),
        notes=tuple(store.notes),
    )
