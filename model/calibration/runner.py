"""Run many independent model runs on a local process pool or a Dask cluster.

The calibration tools (``validate``, ``calibrate``, posterior prediction) need the monthly time
series of many runs and nothing else; each run is :func:`statecraft.sweep.execute` of a task
tuple, the same pure function the sweep runner uses, so a run gives identical numbers whichever
engine runs it.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from ..evaluate import RunTask, execute
from ..scenario import ScenarioError

__all__ = ["RunFailed", "run_many", "seeds_for"]


class RunFailed(ScenarioError):
    """A run raised; the message names the run and its error."""


def seeds_for(root: int, n: int) -> list[int]:
    """``n`` run seeds from ``SeedSequence(root).spawn(n)``, as the sweeps derive them."""
    return [
        int(c.generate_state(1, dtype=np.uint32)[0]) for c in np.random.SeedSequence(root).spawn(n)
    ]


def _workers(workers: int | None) -> int:
    if workers is not None:
        return workers
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_many(
    runs: Sequence[tuple[dict[str, Any], int]],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    label: str = "calibration",
) -> list[pd.DataFrame]:
    """Run ``(overrides, seed)`` pairs and return their time series, in order.

    Parameters
    ----------
    runs : sequence of (dict, int)
        Parameter overrides (validated in the worker) and seed of each run.
    workers : int, optional
        Local processes (default: every CPU this process may use); 1 runs in this process.
    scheduler : str, optional
        Address of a Dask scheduler; the runs go to its workers instead.
    label : str, default="calibration"
        Scenario label stored in the tables.

    Returns
    -------
    list of pandas.DataFrame
        One monthly time series per run.

    Raises
    ------
    RunFailed
        If a run raised (its parameters are invalid, or the model failed).
    """
    tasks = [
        RunTask(
            run_id=f"r{i:05d}",
            seed=seed,
            overrides=dict(ov),
            experiment=label,
            scenario=label,
            timeseries=True,
        )
        for i, (ov, seed) in enumerate(runs)
    ]
    n = _workers(workers)
    if scheduler:
        from distributed import Client

        with Client(scheduler, timeout="30s", set_as_default=False) as client:
            outcomes = client.gather(client.map(execute, tasks, pure=False))
    elif n == 1 or len(tasks) <= 1:
        outcomes = [execute(t) for t in tasks]
    else:
        # forkserver: never fork a process that has threads (Dask's loop, pyabc's samplers).
        ctx = mp.get_context("forkserver")
        with ProcessPoolExecutor(min(n, len(tasks)), mp_context=ctx) as pool:
            outcomes = list(pool.map(execute, tasks, chunksize=max(1, len(tasks) // (4 * n))))
    out = []
    for o in outcomes:
        if o.error is not None:
            raise RunFailed(f"run {o.run_id} failed: {o.error}")
        out.append(o.timeseries)
    return out
