"""What an analysis reads: a sweep folder, a run folder, or a scenario run over replicate seeds.

Each becomes a :class:`Source`: one row per finished run (``final``, with the design point and
factor values for a sweep), the monthly time series when kept, and what is known about how the
results were made (base scenario, design, model code, horizon). Problems are
:class:`AnalysisError`, whose message is one line naming the folder or file and what was
expected.

The sweep folder is read through :func:`statecraft.sweep.load` only; its layout is the stable
contract documented in the README ("Analysing results").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..errors import AnalysisError
from .catalog import metric_columns

__all__ = ["AnalysisError", "Source", "open_run", "open_source", "open_sweep", "run_scenario"]

SourceKind = Literal["sweep", "run", "scenario"]


@dataclass
class Source:
    """Results of one sweep, run or scenario, ready to analyse.

    Attributes
    ----------
    name : str
        Label in tables and figures (experiment or scenario name).
    kind : {"sweep", "run", "scenario"}
    final : pandas.DataFrame
        One row per finished run: ``run_id, seed``, for a sweep ``point, replicate`` and one
        column per factor, then every metric at the last month.
    timeseries : pandas.DataFrame
        One row per run and month (``run_id, date`` and metrics); empty when not kept.
    metrics : list of str
        Metric columns of ``final``.
    factors : list of str
        Swept parameters (empty unless a sweep).
    design : str or None
        ``grid``, ``lhs``, ``sobol`` or ``saltelli`` for a sweep.
    scenario : str or None
        Base scenario.
    model_code : str or None
        Digest of the model code that made the results, when recorded.
    runs : pandas.DataFrame or None
        For a sweep, every run of the design with its ``status`` (``ok``, ``failed``,
        ``pending``) and ``error``.
    notes : list of str
        What is missing or odd (failed and pending runs), in sentences.
    path : Path or None
    """

    name: str
    kind: SourceKind
    final: pd.DataFrame
    timeseries: pd.DataFrame
    metrics: list[str]
    factors: list[str] = field(default_factory=list)
    design: str | None = None
    scenario: str | None = None
    model_code: str | None = None
    runs: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    path: Path | None = None
    manifest: dict[str, Any] | None = None

    @property
    def end(self) -> pd.Timestamp:
        """Last simulated month of the runs."""
        return pd.Timestamp(self.final["date"].max())

    @property
    def replicates(self) -> int:
        """Most runs of any one design point (of the source, if not a sweep)."""
        if "point" in self.final:
            return int(self.final.groupby("point").size().max())
        return len(self.final)


def _manifest(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise AnalysisError(f"{path}: no such folder")
    if not path.is_dir():
        raise AnalysisError(f"{path}: not a sweep folder (a file, not a folder)")
    mpath = path / "manifest.json"
    if not mpath.is_file():
        raise AnalysisError(
            f"{path}: not a sweep folder (no manifest.json; run `statecraft sweep` first)"
        )
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise AnalysisError(f"{mpath}: unreadable manifest (not JSON)") from None
    exp = manifest.get("experiment") if isinstance(manifest, dict) else None
    for key in ("name", "scenario", "design", "factors", "replicates"):
        if not isinstance(exp, dict) or key not in exp:
            raise AnalysisError(f"{mpath}: key 'experiment.{key}' is missing")
    if not isinstance(manifest.get("runs"), list):
        raise AnalysisError(f"{mpath}: key 'runs' must be a list of runs")
    return manifest


def open_sweep(path: str | Path, name: str | None = None) -> Source:
    """Read a sweep folder written by ``statecraft sweep`` (complete or not).

    Parameters
    ----------
    path : str or Path
    name : str, optional
        Label (default: the experiment's name).

    Returns
    -------
    Source
        ``notes`` says how many runs are pending or failed.

    Raises
    ------
    AnalysisError
        If ``path`` is not a sweep folder or has no finished run.
    """
    from statecraft.sweep import load

    path = Path(path)
    manifest = _manifest(path)
    exp = manifest["experiment"]
    try:
        res = load(path)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise AnalysisError(f"{path}: cannot read the sweep: {err}".splitlines()[0]) from None
    runs = res.runs
    counts = runs["status"].value_counts()
    total, ok = len(runs), int(counts.get("ok", 0))
    notes = []
    if counts.get("pending", 0):
        notes.append(
            f"{counts['pending']} of {total} runs have not run yet (sweep "
            f"{manifest.get('state', 'incomplete')}; rerun `statecraft sweep` to finish it); "
            f"the report uses the {ok} finished runs"
        )
    if counts.get("damaged", 0):
        damaged = runs[runs["status"] == "damaged"]
        first = damaged.iloc[0]
        notes.append(
            f"{len(damaged)} of {total} runs are damaged or missing on disk and left out (e.g. "
            f"{first['run_id']}: {first['error']}); rerun `statecraft sweep` to repair them "
            "(`statecraft check` lists them)"
        )
    if counts.get("failed", 0):
        failed = runs[runs["status"] == "failed"]
        first = failed.iloc[0]
        notes.append(
            f"{len(failed)} of {total} runs failed (e.g. {first['run_id']}: {first['error']}); "
            "see errors/ in the sweep folder"
        )
    done = set(runs.loc[runs["status"] == "ok", "point"])
    empty = sorted(set(runs["point"]) - done)
    if empty and ok:
        shown = ", ".join(str(p) for p in empty[:5]) + (", …" if len(empty) > 5 else "")
        notes.append(
            f"{len(empty)} of {runs['point'].nunique()} design points have no finished run "
            f"yet (points {shown}); they are missing from tables and blank in heatmaps"
        )
    if ok == 0 or res.final.empty:
        raise AnalysisError(f"{path}: no finished run yet (0 of {total} runs stored)")
    factors = [f for f in exp["factors"] if f in runs]
    keep = ["run_id", "point", "replicate", *(["block"] if "block" in runs else []), *factors]
    final = runs.loc[runs["status"] == "ok", keep].merge(res.final, on="run_id", how="inner")
    metrics = metric_columns(res.final, exclude=factors)
    ts = res.timeseries
    return Source(
        name=name or str(exp["name"]),
        kind="sweep",
        final=final,
        timeseries=ts,
        metrics=metrics,
        factors=factors,
        design=str(exp["design"]),
        scenario=str(exp["scenario"]),
        model_code=manifest.get("model_code_sha256"),
        runs=runs,
        notes=notes,
        path=path,
        manifest=manifest,
    )


def open_run(path: str | Path, name: str | None = None) -> Source:
    """Read a run folder written by ``statecraft run`` (``timeseries.parquet``)."""
    path = Path(path)
    ts_path = path / "timeseries.parquet"
    if not ts_path.is_file():
        raise AnalysisError(f"{path}: not a run folder (no timeseries.parquet)")
    try:
        ts = pd.read_parquet(ts_path)
    except Exception as err:  # pyarrow raises several types for a damaged file
        raise AnalysisError(f"{ts_path}: unreadable Parquet file: {err}".splitlines()[0]) from None
    for col in ("run_id", "date", "step"):
        if col not in ts:
            raise AnalysisError(f"{ts_path}: column '{col}' is missing")
    ts = ts.sort_values(["run_id", "step"], kind="stable")
    final = ts.groupby("run_id", sort=False).tail(1).reset_index(drop=True)
    scenario = str(final["scenario"].iloc[0]) if "scenario" in final else None
    return Source(
        name=name or path.name,
        kind="run",
        final=final,
        timeseries=ts.reset_index(drop=True),
        metrics=metric_columns(final),
        scenario=scenario,
        path=path,
    )


def run_scenario(
    ref: str | Path, replicates: int = 10, seeds: Sequence[int] | None = None
) -> Source:
    """Run a scenario over replicate seeds in this process and return its results.

    Parameters
    ----------
    ref : str or Path
        Scenario file, or a name in ``scenarios/``.
    replicates : int, default=10
        Runs, with seeds ``0 .. replicates-1`` unless ``seeds`` is given.
    seeds : sequence of int, optional
    """
    from statecraft.run import simulate
    from statecraft.scenario import load_scenario

    sc = load_scenario(ref)
    seeds = list(range(replicates)) if seeds is None else list(seeds)
    if not seeds:
        raise AnalysisError("--replicates must be an integer >= 1; got 0")
    ts = pd.concat(
        [simulate(sc.params, seed=s, scenario=sc.name).timeseries for s in seeds],
        ignore_index=True,
    )
    final = ts.groupby("run_id", sort=False).tail(1).reset_index(drop=True)
    return Source(
        name=sc.name,
        kind="scenario",
        final=final,
        timeseries=ts,
        metrics=metric_columns(final),
        scenario=sc.name,
        model_code=_current_model_code(),
        path=sc.path,
    )


def _current_model_code() -> str | None:
    import statecraft.sweep as sweep

    digest = getattr(sweep, "model_code_digest", None)
    return digest() if callable(digest) else None


def open_source(ref: str | Path, replicates: int = 10) -> Source:
    """Open whatever ``ref`` names: a sweep folder, a run folder, or a scenario.

    A folder with ``manifest.json`` is a sweep, one with ``timeseries.parquet`` a run; anything
    else is looked up as a scenario file or name and run with ``replicates`` seeds.
    """
    path = Path(ref)
    if path.is_dir():
        if (path / "manifest.json").is_file():
            return open_sweep(path)
        if (path / "timeseries.parquet").is_file():
            return open_run(path)
        raise AnalysisError(
            f"{path}: neither a sweep folder (manifest.json) nor a run folder (timeseries.parquet)"
        )
    from statecraft.scenario import ScenarioError

    try:
        return run_scenario(ref, replicates)
    except ScenarioError as err:
        raise AnalysisError(
            f"{err} (expected a sweep folder, a run folder or a scenario)"
        ) from None
