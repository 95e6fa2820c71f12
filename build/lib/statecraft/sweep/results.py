"""Reading a sweep folder into tidy tables, and Sobol indices from a Saltelli sweep."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import SweepError
from ..files import atomic_write
from .store import MANIFEST, file_sha256, read_manifest, run_problem, status_on_disk

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
_SOURCES = b"statecraft_sources"


def _concat(out: Path, table: str, files: dict[str, str], keys: list[str]) -> pd.DataFrame:
    """The verified per-run files of ``table`` (run id -> SHA-256) as one frame sorted by
    ``keys``.

    The merged frame is cached as ``<table>.parquet`` beside the per-run folder, tagged with a
    digest of the files it was built from, and reused while that digest matches, so a large
    sweep is read from one file.
    """
    if not files:
        return pd.DataFrame()
    import pyarrow as pa
    import pyarrow.parquet as pq

    digest = hashlib.sha256(json.dumps(sorted(files.items())).encode()).hexdigest().encode()
    cache = out / f"{table}.parquet"
    if cache.is_file():
        with contextlib.suppress(Exception):  # an unreadable or stale cache is simply rebuilt
            if (pq.read_schema(cache).metadata or {}).get(_SOURCES) == digest:
                return pd.read_parquet(cache)
    paths = [out / table / f"{rid}.parquet" for rid in sorted(files)]
    df = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    df = df.sort_values(keys, kind="stable").reset_index(drop=True)
    t = pa.Table.from_pandas(df, preserve_index=False)
    t = t.replace_schema_metadata({**(t.schema.metadata or {}), _SOURCES: digest})
    with contextlib.suppress(OSError):  # a read-only directory still loads, uncached
        atomic_write(cache, lambda tmp: pq.write_table(t, tmp))
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
        runs.insert(6, "block", _saltelli_blocks(exp["factors"], exp["samples"], runs["point"]))
    final = _concat(out, "final", final_files, ["run_id"])
    ts = _concat(out, "timeseries", ts_files, ["run_id", "step"])
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
