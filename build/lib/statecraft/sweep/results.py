"""Reading a sweep folder into tidy tables, and Sobol indices from a Saltelli sweep."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SweepError
from ..files import atomic_write
from .store import MANIFEST

__all__ = ["SweepResults", "load", "sobol_indices"]


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
        atomic_write(cache, lambda tmp: df.to_parquet(tmp, index=False))
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
    exp = manifest["experiment"]
    rows = []
    for r in manifest["runs"]:
        rid = r["run_id"]
        row = {"run_id": rid, "experiment": exp["name"], "scenario": exp["scenario"]}
        row.update({k: r[k] for k in ("point", "replicate", "seed")})
        row.update(r["factors"])
        if rid in ok:
            row.update(status="ok", error=None)
        elif rid in errors:
            row.update(status="failed", error=json.loads(errors[rid].read_text())["error"])
        else:
            row.update(status="pending", error=None)
        rows.append(row)
    runs = pd.DataFrame(rows)
    if exp["design"] == "saltelli":
        runs.insert(6, "block", _saltelli_blocks(exp["factors"], exp["samples"], runs["point"]))
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
