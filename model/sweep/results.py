"""Reading a sweep folder into tidy tables, and Sobol indices from a Saltelli sweep (SALib)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SweepError
from ..experiment import import_salib, saltelli_blocks, to_salib_order
from ..files import read_cache, write_cache
from .store import (
    MANIFEST,
    file_sha256,
    read_manifest,
    run_problem,
    sources_digest,
    status_on_disk,
)

__all__ = ["SweepResults", "load", "saltelli_indices", "sobol_indices"]


@dataclass(frozen=True)
class SweepResults:
    """Tidy tables of a sweep directory, joined on ``run_id``.

    Attributes
    ----------
    runs : pandas.DataFrame
        One row per run: ``run_id, experiment, scenario, point, replicate, seed``, ``block``
        (Saltelli designs), one column per factor, ``status`` (``ok``, ``failed`` or
        ``pending``) and ``error``.
    final : pandas.DataFrame
        One row per successful run: ``run_id, experiment, scenario, seed, step, date`` and
        every metric at the last simulated month.
    timeseries : pandas.DataFrame
        One row per run and month (empty unless the experiment kept time series).
    table : pandas.DataFrame
        ``runs`` and ``final`` merged: one row per run with its design point (factors) and its
        outcomes (metrics at the last month; missing for runs that failed or are pending) —
        the table to analyse.
    """

    runs: pd.DataFrame
    final: pd.DataFrame
    timeseries: pd.DataFrame

    @property
    def table(self) -> pd.DataFrame:
        if self.final.empty:
            return self.runs.copy()
        outcomes = self.final.drop(
            columns=[c for c in ("experiment", "scenario", "seed") if c in self.final]
        )
        return self.runs.merge(outcomes, on="run_id", how="left", validate="one_to_one")


# --- reading results ----------------------------------------------------------------------------
def _concat(out: Path, table: str, files: dict[str, str], keys: list[str]) -> pd.DataFrame:
    """The verified per-run files of ``table`` (run id -> SHA-256) as one frame sorted by
    ``keys``.

    The merged frame is cached as ``<table>.parquet`` beside the per-run folder, with a record
    (``<table>.parquet.sha256``, :func:`statecraft.files.write_cache`) of its own SHA-256 and
    of the run files it was built from. It is reused only while both match, so a large sweep
    is read from one file, and a cache changed in any way (its values rewritten under its old
    metadata, say) is rebuilt from the run files, never trusted.
    """
    if not files:
        return pd.DataFrame()
    import pyarrow as pa
    import pyarrow.parquet as pq

    key = sources_digest(files)
    cache = read_cache(out / f"{table}.parquet", key)
    if cache is not None:
        with contextlib.suppress(Exception):  # unreadable after all: rebuilt
            return pd.read_parquet(cache)
    paths = [out / table / f"{rid}.parquet" for rid in sorted(files)]
    df = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    t = pa.Table.from_pandas(df, preserve_index=False)
    with contextlib.suppress(OSError):  # a read-only directory still loads, uncached
        write_cache(out / f"{table}.parquet", lambda tmp: pq.write_table(t, tmp), key)
    return df


def load(out: str | Path) -> SweepResults:
    """Read a sweep directory into tidy tables (see :class:`SweepResults`).

    Every run file is verified first (its SHA-256 against the manifest; a file the manifest
    has not caught up with must name its run and task inside). A run whose files are missing
    or damaged gets status ``damaged`` and its reason in ``error``; its rows are left out of
    ``final`` and ``timeseries``. Rerunning the sweep's command runs it again.

    Parameters
    ----------
    out : str or Path
        Directory written by :func:`run_sweep` (complete or not).

    Returns
    -------
    SweepResults

    Raises
    ------
    SweepError
        If ``out`` holds no readable manifest (one line, naming the folder).
    """
    out = Path(out)
    manifest, note = read_manifest(out)
    if manifest is None:
        if not (out / MANIFEST).exists():
            raise SweepError(f"{out}: not a sweep directory (no {MANIFEST})")
        raise SweepError(f"{out}: {note}; rerun the sweep's command with --out {out} to rebuild it")
    try:
        exp = manifest["experiment"]
        keep_ts = bool(exp.get("timeseries"))
        rows, final_files, ts_files = [], {}, {}
        for r in manifest["runs"]:
            rid = r["run_id"]
            row = {"run_id": rid, "experiment": exp["name"], "scenario": exp["scenario"]}
            row.update({k: r[k] for k in ("point", "replicate", "seed")})
            row.update(r["factors"])
            status = status_on_disk(out, r)
            problem = run_problem(out, {**r, "status": status}, keep_ts)
            if problem:
                row.update(status="damaged", error=problem)
            elif status == "ok":
                row.update(status="ok", error=None)
                final_files[rid] = file_sha256(out / "final" / f"{rid}.parquet")
                if keep_ts:
                    ts_files[rid] = file_sha256(out / "timeseries" / f"{rid}.parquet")
            elif status == "failed":
                error = json.loads((out / "errors" / f"{rid}.json").read_text("utf-8"))["error"]
                row.update(status="failed", error=error)
            else:
                row.update(status="pending", error=None)
            rows.append(row)
    except (KeyError, TypeError, AttributeError) as err:
        raise SweepError(f"{out / MANIFEST}: malformed manifest (at {err})") from None
    runs = pd.DataFrame(rows)
    if exp["design"] == "saltelli":
        blocks = saltelli_blocks(exp["factors"], exp["samples"])
        runs.insert(6, "block", blocks[runs["point"].to_numpy()])
    final = _concat(out, "final", final_files, ["run_id"])
    ts = _concat(out, "timeseries", ts_files, ["run_id", "step"])
    return SweepResults(runs=runs, final=final, timeseries=ts)


#: Bootstrap resamples and level of the intervals of :func:`sobol_indices`.
SOBOL_RESAMPLES, SOBOL_LEVEL = 1000, 0.95


def saltelli_indices(
    y: np.ndarray,
    factors: list[str],
    samples: int,
    n: int | None = None,
    *,
    num_resamples: int = SOBOL_RESAMPLES,
    conf_level: float = SOBOL_LEVEL,
    seed: int = 1,
) -> pd.DataFrame:
    """First-order and total Sobol indices, with bootstrap intervals, of one output of a
    ``saltelli`` design, by :func:`SALib.analyze.sobol.analyze`.

    The estimators are Saltelli et al. (2010): first order ``E[f(B) (f(AB_i) - f(A))] / V``
    and Jansen's total ``E[(f(A) - f(AB_i))^2] / 2V``. The interval is SALib's: ``Z``
    standard deviations of the index over bootstrap resamples of the base samples.

    Parameters
    ----------
    y : numpy.ndarray
        The output at every design point, in point order.
    factors : list of str
        In the experiment's order.
    samples : int
        The design's base samples.
    n : int, optional
        Use the first ``n`` base samples only (default: all).
    num_resamples : int, default=1000
    conf_level : float, default=0.95
    seed : int, default=1
        Seed of the bootstrap, >= 1 (SALib falls back to NumPy's global generator for 0).

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``factor, first_order, first_order_conf, total_order,
        total_order_conf`` (``*_conf``: half-width of the interval). A constant output has no
        variance to apportion: every index and half-width is 0; an output with a non-finite
        value gets NaN.
    """
    if seed < 1:
        raise ValueError(f"the bootstrap seed must be >= 1; got {seed}")
    sobol = import_salib("analyze.sobol", "the Sobol analysis", SweepError)
    d = len(factors)
    y = to_salib_order(np.asarray(y, dtype=float), d, samples, n)
    if not np.isfinite(y).all():  # SALib would return zeros
        res = {k: np.full(d, np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    elif np.ptp(y) == 0:  # SALib would warn and return zeros
        res = {k: np.zeros(d) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        problem = {"num_vars": d, "names": list(factors), "bounds": [[0.0, 1.0]] * d}
        res = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
    return pd.DataFrame(
        {
            "factor": list(factors),
            "first_order": np.asarray(res["S1"], dtype=float),
            "first_order_conf": np.asarray(res["S1_conf"], dtype=float),
            "total_order": np.asarray(res["ST"], dtype=float),
            "total_order_conf": np.asarray(res["ST_conf"], dtype=float),
        }
    )


def sobol_indices(results: SweepResults, metric: str, *, seed: int = 1) -> pd.DataFrame:
    """First-order and total Sobol indices of ``metric`` from a Saltelli sweep, with bootstrap
    95 % intervals (:func:`saltelli_indices`, SALib).

    Replicates are averaged per design point first (the indices describe the mean response).

    Parameters
    ----------
    results : SweepResults
        From :func:`load` on a complete sweep of a ``saltelli`` experiment.
    metric : str
        Column of ``results.final``.
    seed : int, default=1
        Seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``factor, first_order, total_order, first_order_conf,
        total_order_conf`` (the last two: half-widths of the 95 % intervals).

    Raises
    ------
    ValueError
        If the sweep is not of a ``saltelli`` design, or some of its runs failed or are missing.
    SweepError
        If SALib (the ``calibration`` extra) is not installed.
    """
    runs = results.runs
    if "block" not in runs:
        raise ValueError("sobol_indices needs a sweep of a 'saltelli' design")
    df = runs[["run_id", "point"]].merge(results.final[["run_id", metric]], on="run_id")
    mean = df.groupby("point", sort=True)[metric].mean()
    factors = [b.removeprefix("AB_") for b in runs["block"].unique() if b.startswith("AB_")]
    n = int((runs["block"] == "A").sum() / runs["replicate"].nunique())
    if len(mean) != n * (len(factors) + 2):
        raise ValueError(f"{metric}: some runs are missing or failed; Sobol indices need all")
    out = saltelli_indices(mean.to_numpy(dtype=float), factors, n, seed=seed)
    return out[["factor", "first_order", "total_order", "first_order_conf", "total_order_conf"]]
