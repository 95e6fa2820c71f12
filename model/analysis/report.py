"""``statecraft report``: one sweep turned into tables, figures and sentences.

:func:`analyse` computes every table of the report from a sweep (tidy DataFrames, the Python
API); :func:`build_document` lays them out; :func:`write_report` writes the folder. All work is
grouped, columnar aggregation over the run tables: no loop over runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..sweep.results import saltelli_indices
from .catalog import describe_metric, key_metrics
from .document import Document, check_report_folder, fmt
from .sources import AnalysisError, Source, open_sweep
from .stats import DEFAULT_LEVEL, N_RESAMPLES, summarize

__all__ = ["SweepAnalysis", "analyse", "build_document", "write_report"]

#: A factor with more distinct values than this is binned (LHS, Sobol designs) for heatmaps,
#: main effects and fan charts.
MAX_LEVELS = 12
#: Quantile bins of a binned factor.
BINS = 8
#: Design points shown in the report's table (all of them are in ``tables/points.csv``).
SHOWN_POINTS = 40


@dataclass
class SweepAnalysis:
    """Every table of a sweep report, tidy (one row per group and metric).

    Attributes
    ----------
    source : Source
    metrics : list of str
        Metrics analysed.
    points : pandas.DataFrame
        Per design point and metric: factor values, ``n, mean, sd, sem, median,
        interval_low, interval_high, mean_ci_low, mean_ci_high``.
    heatmap : pandas.DataFrame
        Mean per cell of the two heatmap factors (``heatmap_axes``), per metric.
    main_effects : pandas.DataFrame
        Per factor, level and metric: mean of the design-point means and their central interval.
    sobol : pandas.DataFrame
        Saltelli designs: per metric and factor, first-order and total indices with bootstrap
        intervals.
    bands : pandas.DataFrame
        Time series (when kept): per group, month and metric, the median and central interval
        across runs.
    discovery : list of Discovery
        PRIM results, one per outcome asked for.
    notes : list of str
    """

    source: Source
    metrics: list[str]
    level: float
    points: pd.DataFrame
    heatmap: pd.DataFrame
    heatmap_axes: tuple[str, str] | None
    main_effects: pd.DataFrame
    sobol: pd.DataFrame
    bands: pd.DataFrame
    band_group: str | None
    discovery: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The non-empty tables by name (as written to ``tables/``)."""
        out = {
            "points": self.points,
            "heatmap": self.heatmap,
            "main_effects": self.main_effects,
            "sobol": self.sobol,
            "bands": self.bands,
        }
        for d in self.discovery:
            out[f"discovery_{d.slug}"] = d.boxes
        return {k: v for k, v in out.items() if not v.empty}


def check_metrics(source: Source, metrics: Sequence[str] | None) -> list[str]:
    """The metrics to analyse: ``metrics`` if all exist, else the key metrics the source has."""
    if metrics:
        missing = [m for m in metrics if m not in source.metrics]
        if missing:
            raise AnalysisError(
                f"{source.path or source.name}: unknown metric '{missing[0]}'; "
                f"expected one of {', '.join(source.metrics)}"
            )
        return list(metrics)
    return key_metrics(source.metrics)


def levels(values: pd.Series) -> pd.Series:
    """Levels of a factor for grouping: its values, or the midpoints of quantile bins when it
    has more than :data:`MAX_LEVELS` distinct values."""
    if values.nunique() <= MAX_LEVELS:
        return values
    bins = pd.qcut(values, BINS, duplicates="drop")
    mids = bins.cat.categories.mid
    return pd.Series(np.asarray(mids)[bins.cat.codes.to_numpy()], index=values.index)


def heatmap_table(final: pd.DataFrame, x: str, y: str, metrics: Sequence[str]) -> pd.DataFrame:
    """Mean and count of runs per ``x`` × ``y`` cell (binned when continuous), tidy."""
    df = final[list(metrics)].assign(**{x: levels(final[x]), y: levels(final[y])})
    g = df.groupby([x, y], sort=True)[list(metrics)]
    mean = g.mean().rename_axis(columns="metric").stack(future_stack=True).rename("mean")
    n = g.count().rename_axis(columns="metric").stack(future_stack=True).rename("n")
    return pd.concat([mean, n], axis=1).reset_index()[["metric", x, y, "mean", "n"]]


def main_effects_table(
    final: pd.DataFrame, factors: Sequence[str], metrics: Sequence[str], level: float
) -> pd.DataFrame:
    """Per factor level: mean and central interval of the design-point means, tidy."""
    pm = final.groupby("point")[[*factors, *metrics]].mean()
    q = ((1 - level) / 2, (1 + level) / 2)
    parts = []
    for f in factors:
        g = pm.assign(level=levels(pm[f]).to_numpy()).groupby("level")[list(metrics)]
        stat = {
            "mean": g.mean(),
            "interval_low": g.quantile(q[0]),
            "interval_high": g.quantile(q[1]),
            "n_points": g.count(),
        }
        long = pd.concat(
            {k: v.rename_axis(columns="metric").stack(future_stack=True) for k, v in stat.items()},
            axis=1,
        ).reset_index()
        long.insert(0, "factor", f)
        parts.append(long)
    out = pd.concat(parts, ignore_index=True)
    return out[["factor", "level", "metric", "mean", "interval_low", "interval_high", "n_points"]]


def sobol_table(
    source: Source, metrics: Sequence[str], level: float, n_resamples: int = 999, seed: int = 1
) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap intervals, tidy.

    Replicates are averaged per design point first. The estimator and its interval are
    :func:`statecraft.sweep.results.saltelli_indices` (SALib's Saltelli 2010 / Jansen
    estimators, a normal interval from bootstrap resamples of the base samples, seeded), the
    same as ``statecraft.sweep.sobol_indices`` and the sensitivity report.
    """
    final = source.final
    n = int(source.manifest["experiment"].get("samples") or (final["block"] == "A").sum())
    factors = list(source.factors)
    have = final.groupby("block")["point"].nunique()
    blocks = ["A", "B", *(f"AB_{f}" for f in factors)]
    short = [b for b in blocks if have.get(b, 0) != n]
    if short:
        raise AnalysisError(
            f"{source.path}: Sobol indices need every design point; block {short[0]} has "
            f"{have.get(short[0], 0)} of {n} (finish the sweep first)"
        )
    mean = final.groupby("point", sort=True)[list(metrics)].mean()
    rows = []
    for m in metrics:
        y = mean[m].to_numpy()
        if not np.isfinite(y).all() or np.ptp(y) == 0:
            continue  # a constant output has no variance to apportion
        table = saltelli_indices(
            y, factors, n, num_resamples=n_resamples, conf_level=level, seed=max(seed, 1)
        )
        for r in table.itertuples(index=False):
            rows.append(
                {
                    "metric": m,
                    "factor": r.factor,
                    "first_order": r.first_order,
                    "first_order_low": r.first_order - r.first_order_conf,
                    "first_order_high": r.first_order + r.first_order_conf,
                    "total_order": r.total_order,
                    "total_order_low": r.total_order - r.total_order_conf,
                    "total_order_high": r.total_order + r.total_order_conf,
                }
            )
    return pd.DataFrame(rows)


def band_groups(source: Source) -> tuple[pd.Series, str | None]:
    """Which line of a fan chart each run belongs to: the level of the first factor (at most
    four levels: lowest, two in between, highest), or one line for the whole source."""
    final = source.final
    if not source.factors:
        return pd.Series(source.name, index=final["run_id"]), None
    f = source.factors[0]
    lv = levels(final[f])
    distinct = np.sort(lv.unique())
    if len(distinct) > 4:
        keep = distinct[np.unique(np.round(np.linspace(0, len(distinct) - 1, 4)).astype(int))]
        lv = lv.where(lv.isin(keep))
    labels = lv.map(lambda v: f"{f} = {v:.3g}" if pd.notna(v) else None)
    return pd.Series(labels.to_numpy(), index=final["run_id"]).dropna(), f


def bands_table(timeseries: pd.DataFrame, metrics: Sequence[str], level: float) -> pd.DataFrame:
    """Median and central ``level`` interval across runs, per ``group`` and month, tidy.

    Parameters
    ----------
    timeseries : pandas.DataFrame
        Monthly rows with a ``group`` column (the line each run belongs to), ``date`` and the
        metric columns.
    """
    metrics = [m for m in metrics if m in timeseries]
    if timeseries.empty or not metrics:
        return pd.DataFrame()
    q = [(1 - level) / 2, 0.5, (1 + level) / 2]
    qs = timeseries.groupby(["group", "date"], sort=False)[metrics].quantile(q)
    qs.index = qs.index.set_names("q", level=-1)
    long = qs.rename_axis(columns="metric").stack(future_stack=True).unstack("q")
    long.columns = ["low", "median", "high"]
    return long.reset_index()[["group", "date", "metric", "low", "median", "high"]]


def analyse(
    sweep: str | Path | Source,
    metrics: Sequence[str] | None = None,
    *,
    heatmap: tuple[str, str] | None = None,
    outcomes: Sequence[str] = (),
    level: float = DEFAULT_LEVEL,
    n_resamples: int = N_RESAMPLES,
    seed: int = 0,
) -> SweepAnalysis:
    """Compute every table of the report of one sweep.

    Parameters
    ----------
    sweep : str, Path or Source
        Sweep folder (complete or not), or a source from :func:`open_sweep`.
    metrics : list of str, optional
        Metrics to analyse (default: the key metrics the sweep has).
    heatmap : (str, str), optional
        Factors on the heatmaps' x and y axes (default: the first two).
    outcomes : list of str
        Outcomes for scenario discovery, e.g. ``"capability_gap_months <= 12"`` (needs the
        ``analysis`` extra).
    level : float, default=0.9
        Coverage of every interval.
    n_resamples : int, default=2000
        Bootstrap resamples.
    seed : int, default=0
        Seed of the bootstrap.

    Returns
    -------
    SweepAnalysis
    """
    src = sweep if isinstance(sweep, Source) else open_sweep(sweep)
    metrics = check_metrics(src, metrics)
    final = src.final
    factors = src.factors
    stats = summarize(final, "point", metrics, level, n_resamples, seed)
    first = final.groupby("point", sort=True)[factors].first()
    points = stats.merge(first, left_on="point", right_index=True)
    points = points[["point", *factors, *[c for c in stats.columns if c != "point"]]]

    axes = None
    hm = pd.DataFrame()
    if heatmap is not None:
        for f in heatmap:
            if f not in factors:
                raise AnalysisError(
                    f"{src.path}: --heatmap factor '{f}' is not a factor of this sweep; "
                    f"expected one of {', '.join(factors)}"
                )
        axes = (heatmap[0], heatmap[1])
    elif len(factors) >= 2:
        axes = (factors[0], factors[1])
    if axes is not None:
        hm = heatmap_table(final, axes[0], axes[1], metrics)

    me = pd.DataFrame()
    sob = pd.DataFrame()
    notes = list(src.notes)
    if src.design == "saltelli":
        try:
            sob = sobol_table(src, metrics, level, seed=seed)
        except AnalysisError as err:  # a half-finished sweep: report the rest, say why not
            notes.append(f"no Sobol indices: {str(err).split(': ', 1)[-1]}")
    elif factors:
        me = main_effects_table(final, factors, metrics, level)

    groups, group_factor = band_groups(src)
    bands = pd.DataFrame()
    if not src.timeseries.empty:
        cols = ["run_id", "date", *[m for m in metrics if m in src.timeseries]]
        ts = src.timeseries[cols].merge(
            groups.rename("group"), left_on="run_id", right_index=True, how="inner"
        )
        bands = bands_table(ts, metrics, level)

    found = []
    if outcomes:
        from .discovery import discover

        found = [discover(src, o) for o in outcomes]
    return SweepAnalysis(
        source=src,
        metrics=metrics,
        level=level,
        points=points,
        heatmap=hm,
        heatmap_axes=axes,
        main_effects=me,
        sobol=sob,
        bands=bands,
        band_group=group_factor,
        discovery=found,
        notes=notes,
    )


def _header(metric: str) -> str:
    m = describe_metric(metric)
    return f"{m.label} ({m.unit})" if m.unit else m.label


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _range_sentences(a: SweepAnalysis) -> list[str]:
    """One line per metric: the lowest and highest design-point means and where they are."""
    out = []
    pts = a.points
    factors = a.source.factors
    for m in a.metrics:
        sub = pts[pts["metric"] == m].dropna(subset=["mean"])
        if sub.empty:
            out.append(f"{describe_metric(m).label}: no value in any finished run.")
            continue
        lo, hi = sub.loc[sub["mean"].idxmin()], sub.loc[sub["mean"].idxmax()]

        def where(row):
            return ", ".join(f"{f} = {row[f]:.3g}" for f in factors)

        unit = describe_metric(m).unit
        unit = f" {unit}" if unit and unit not in ("share", "index") else ""
        out.append(
            f"{_capital(describe_metric(m).label)}: from {fmt(lo['mean'])}{unit} "
            f"({where(lo)}) to {fmt(hi['mean'])}{unit} ({where(hi)}); mean over replicates."
        )
    return out


def build_document(a: SweepAnalysis) -> Document:
    """Lay out a :class:`SweepAnalysis` as a report."""
    from . import figures  # matplotlib: only when drawing

    src = a.source
    pct = f"{a.level:.0%}".replace("%", " %")
    end = src.end.strftime("%b %Y")
    doc = Document(f"Sweep report: {src.name}")
    exp = (src.manifest or {}).get("experiment", {})
    n_ok = len(src.final)
    doc.text(
        f"Experiment '{src.name}' on base scenario '{src.scenario}': {exp.get('design')} design "
        f"over {', '.join(src.factors) or 'no factor'}; {src.final['point'].nunique()} design "
        f"points with up to {src.replicates} replicates; {n_ok} finished runs, each to {end}. "
        f"Model code {str(src.model_code)[:12]}. Values are at the last simulated month."
    )
    for n in a.notes:
        doc.note(n)
    doc.heading("Key metrics across the design")
    doc.bullets(_range_sentences(a))

    if not a.heatmap.empty and a.heatmap_axes:
        x, y = a.heatmap_axes
        others = [f for f in src.factors if f not in (x, y)]
        avg = f", averaged over {', '.join(others)}" if others else ""
        cap = f"Mean over replicates{avg}, {end}: {y} (rows) × {x} (columns)."
        fig = figures.heatmaps(a.heatmap, x, y, a.metrics, f"{src.name}: {y} × {x}, {end}")
        doc.figure("heatmaps", figures.png(fig), cap)

    if not a.bands.empty:
        grp = f"by {a.band_group}" if a.band_group else ""
        fig = figures.fan_chart(
            a.bands, a.metrics, "group", f"{src.name}: monthly time series {grp}", "runs with"
        )
        doc.figure(
            "fan_charts",
            figures.png(fig),
            f"Median (line) and central {pct} band across runs (replicates and other factors) "
            f"of each month {grp}.",
        )

    if not a.sobol.empty:
        doc.heading("Sensitivity: Sobol indices")
        shown = [m for m in a.metrics if m in set(a.sobol["metric"])]
        fig = figures.sobol_bars(a.sobol, shown, f"{src.name}: Sobol indices, {end}")
        doc.figure(
            "sobol",
            figures.png(fig),
            f"First-order and total Sobol indices (scipy.stats.sobol_indices on replicate "
            f"means) with {pct} percentile-bootstrap intervals over the base samples.",
        )
        t = a.sobol.copy()
        t["metric"] = t["metric"].map(_header)
        t["first order"] = [
            f"{fmt(v)} ({fmt(lo)} to {fmt(hi)})"
            for v, lo, hi in zip(t.first_order, t.first_order_low, t.first_order_high, strict=True)
        ]
        t["total"] = [
            f"{fmt(v)} ({fmt(lo)} to {fmt(hi)})"
            for v, lo, hi in zip(t.total_order, t.total_order_low, t.total_order_high, strict=True)
        ]
        doc.table(
            t[["metric", "factor", "first order", "total"]], f"Sobol indices ({pct} interval)"
        )

    if not a.main_effects.empty:
        doc.heading("Main effects")
        fig = figures.main_effects(
            a.main_effects, a.metrics, src.factors, f"{src.name}: main effects, {end}"
        )
        doc.figure(
            "main_effects",
            figures.png(fig),
            f"Mean of the design-point means at each factor level (others averaged); band: "
            f"central {pct} of the design-point means at that level.",
        )

    doc.heading("Design points")
    wide = a.points.copy()
    wide["cell"] = [
        f"{fmt(m)} [{fmt(lo)} to {fmt(hi)}]"
        for m, lo, hi in zip(wide["mean"], wide["interval_low"], wide["interval_high"], strict=True)
    ]
    table = wide.pivot(index=["point", *src.factors], columns="metric", values="cell")
    table = table[a.metrics].rename(columns=_header).reset_index()
    for f in src.factors:  # levels as set in the experiment file, not as measurements
        table[f] = table[f].map(lambda v: f"{v:.3g}")
    more = len(table) - SHOWN_POINTS
    doc.table(
        table.head(SHOWN_POINTS),
        f"Mean over replicates [{pct} interval of the replicates]"
        + (f"; first {SHOWN_POINTS} of {len(table)} points" if more > 0 else ""),
    )
    doc.text(
        "Every design point and metric with n, mean, sd, median, the replicate interval and a "
        f"{pct} percentile-bootstrap interval of the mean: tables/points.csv (and .parquet)."
    )

    for d in a.discovery:
        d.add_to(doc)

    for name, table in a.tables().items():
        doc.save_table(name, table)
    return doc


def write_report(
    sweep: str | Path,
    out: str | Path | None = None,
    metrics: Sequence[str] | None = None,
    **kwargs,
) -> tuple[Path, SweepAnalysis]:
    """Analyse a sweep and write its report folder.

    Parameters
    ----------
    sweep : str or Path
    out : str or Path, optional
        Report folder (default: ``<sweep>/report``).
    metrics : list of str, optional
    **kwargs
        Passed to :func:`analyse`.

    Returns
    -------
    (Path, SweepAnalysis)
        The folder and the analysis.
    """
    out = Path(out) if out is not None else Path(sweep) / "report"
    check_report_folder(out)  # before the analysis, not after it
    a = analyse(sweep, metrics, **kwargs)
    build_document(a).write(out)
    return out, a
