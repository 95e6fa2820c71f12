"""Run many independent model runs and return their monthly time series.

The calibration tools (``validate``, ``calibrate``, posterior prediction) need the time series
of many runs and nothing else. They run through the same evaluator as the sweeps
(:mod:`statecraft.evaluate`: inline, local process pool or Dask), so a run gives identical
numbers whichever backend runs it, and a worker that dies or a lost scheduler is handled the
same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import RunFailed
from ..evaluate import Evaluator, RunTask, evaluating

__all__ = ["RunFailed", "run_many", "seeds_for"]


def seeds_for(root: int, n: int) -> list[int]:
    """``n`` run seeds from ``SeedSequence(root).spawn(n)``, as the sweeps derive them."""
    return [
        int(c.generate_state(1, dtype=np.uint32)[0]) for c in np.random.SeedSequence(root).spawn(n)
    ]


def run_many(
    runs: Sequence[tuple[dict[str, Any], int]],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    label: str = "calibration",
    evaluator: Evaluator | None = None,
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
    evaluator : Evaluator, optional
        Run them with this evaluator instead of one made from ``workers`` and ``scheduler``
        (give one or the other); it is opened if need be and left open, so a caller can keep
        one Dask client for many calls.

    Returns
    -------
    list of pandas.DataFrame
        One monthly time series per run.

    Raises
    ------
    RunFailed
        If a run raised (its parameters are invalid, or the model failed), or killed its
        worker process every time it ran alone; the first such run in ``runs`` is named.
    statecraft.evaluate.EvaluatorError
        If ``workers`` < 1, the Dask scheduler cannot be reached or is lost, or worker
        processes cannot work at all.
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
    with evaluating(evaluator, workers=workers, scheduler=scheduler) as ev:
        outcomes = ev.evaluate_all(tasks)
    out = []
    for o in outcomes:
        if o.error is not None:
            raise RunFailed(f"run {o.run_id} failed: {o.error}")
        out.append(o.timeseries)
    return out
