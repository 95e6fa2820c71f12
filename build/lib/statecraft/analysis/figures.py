"""Figures of an analysis, drawn from its tidy tables (never from raw runs).

Every function returns a :class:`matplotlib.figure.Figure` with labelled axes, units, calendar
dates and scenario or factor names. Figures are made without pyplot: no backend is chosen and no
global state is touched, so they work the same in a script, a worker and a notebook.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .catalog import describe_metric

__all__ = ["fan_chart", "heatmaps", "main_effects", "peeling_trajectory", "png", "sobol_bars"]

COLORS = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def png(fig: Figure, dpi: int = 96) -> bytes:
    """The figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _axis_label(metric: str) -> str:
    m = describe_metric(metric)
    return f"{m.label} ({m.unit})" if m.unit else m.label


def _grid(n: int, ncols: int = 3, size: tuple[float, float] = (4.2, 3.0)):
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _month(ts: pd.Timestamp) -> str:
    return pd.Timestamp(ts).strftime("%b %Y")


def heatmaps(table: pd.DataFrame, x: str, y: str, metrics: Sequence[str], title: str) -> Figure:
    """One heatmap per metric of the mean over the runs in each ``x`` × ``y`` cell.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy: ``metric``, ``x`` and ``y`` (level labels), ``mean``.
    """
    fig, axes = _grid(len(metrics), 3, (4.4, 3.6))
    fig.suptitle(title)
    for ax, metric in zip(axes, metrics, strict=True):
        sub = table[table["metric"] == metric]
        grid = sub.pivot(index=y, columns=x, values="mean").sort_index(ascending=False)
        im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="viridis")
        # At most ~8 labelled ticks per axis, so they stay readable (and cheap to draw).
        xs = range(0, grid.shape[1], max(1, math.ceil(grid.shape[1] / 8)))
        ys = range(0, grid.shape[0], max(1, math.ceil(grid.shape[0] / 8)))
        ax.set_xticks(list(xs), [tick(grid.columns[i]) for i in xs], rotation=90)
        ax.set_yticks(list(ys), [tick(grid.index[i]) for i in ys])
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(describe_metric(metric).label, fontsize=10)
        bar = fig.colorbar(im, ax=ax, shrink=0.9)
        bar.set_label(describe_metric(metric).unit or "mean")
    return fig


def tick(v: object) -> str:
    """A factor level as a short label."""
    if isinstance(v, float | np.floating):
        return f"{v:.3g}"
    return str(v)


def fan_chart(
    bands: pd.DataFrame, metrics: Sequence[str], group: str, title: str, legend_title: str
) -> Figure:
    """Median and central band across runs of each metric over calendar time, one line per group.

    Parameters
    ----------
    bands : pandas.DataFrame
        Tidy: ``group``, ``date``, ``metric``, ``low``, ``median``, ``high``.
    group : str
        Column of ``bands`` naming the line (scenario, factor level).
    """
    fig, axes = _grid(len(metrics), 3, (4.4, 3.0))
    fig.suptitle(title)
    groups = list(dict.fromkeys(bands[group]))
    for ax, metric in zip(axes, metrics, strict=True):
        sub = bands[bands["metric"] == metric]
        for i, g in enumerate(groups):
            s = sub[sub[group] == g].sort_values("date")
            color = COLORS[i % len(COLORS)]
            ax.fill_between(s["date"], s["low"], s["high"], color=color, alpha=0.2, lw=0)
            ax.plot(s["date"], s["median"], color=color, lw=1.5, label=str(g))
        ax.set_title(describe_metric(metric).label, fontsize=10)
        ax.set_ylabel(describe_metric(metric).unit or "value")
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(alpha=0.3)
    axes[0].legend(title=legend_title, fontsize=8, title_fontsize=8)
    return fig


def sobol_bars(table: pd.DataFrame, metrics: Sequence[str], title: str) -> Figure:
    """First-order and total Sobol indices per factor with their intervals, one panel per metric.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy: ``metric, factor, first_order, first_order_low, first_order_high, total_order,
        total_order_low, total_order_high``.
    """
    fig, axes = _grid(len(metrics), 3, (4.6, 3.4))
    fig.suptitle(title)
    for ax, metric in zip(axes, metrics, strict=True):
        sub = table[table["metric"] == metric]
        y = np.arange(len(sub))
        for off, kind, color in ((-0.2, "first_order", COLORS[0]), (0.2, "total_order", COLORS[1])):
            val = sub[kind].to_numpy()
            err = np.abs(np.vstack([val - sub[f"{kind}_low"], sub[f"{kind}_high"] - val]))
            ax.barh(y + off, val, height=0.4, color=color, label=kind.replace("_", " "))
            ax.errorbar(val, y + off, xerr=err, fmt="none", ecolor="black", lw=0.8, capsize=2)
        ax.set_yticks(y, sub["factor"], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("Sobol index (share of output variance)")
        ax.set_title(describe_metric(metric).label, fontsize=10)
        ax.axvline(0, color="grey", lw=0.6)
        ax.grid(alpha=0.3, axis="x")
    axes[0].legend(fontsize=8)
    return fig


def main_effects(
    table: pd.DataFrame, metrics: Sequence[str], factors: Sequence[str], title: str
) -> Figure:
    """Mean of each metric at each level of each factor (others averaged), with the band of
    design-point means. Rows: metrics; columns: factors.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy: ``factor, level, metric, mean, interval_low, interval_high``.
    """
    nrows, ncols = len(metrics), len(factors)
    fig = Figure(figsize=(2.9 * ncols + 0.8, 2.3 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey="row")
    fig.suptitle(title)
    for i, metric in enumerate(metrics):
        for j, factor in enumerate(factors):
            ax = axes[i, j]
            s = table[(table["metric"] == metric) & (table["factor"] == factor)]
            s = s.sort_values("level")
            ax.fill_between(s["level"], s["interval_low"], s["interval_high"], alpha=0.2, lw=0)
            ax.plot(s["level"], s["mean"], marker="o", ms=3, lw=1.5)
            ax.grid(alpha=0.3)
            if i == nrows - 1:
                ax.set_xlabel(factor)
            if j == 0:
                ax.set_ylabel(textwrap.fill(_axis_label(metric), 24), fontsize=8)
    return fig


def peeling_trajectory(traj: pd.DataFrame, chosen: int, title: str) -> Figure:
    """PRIM's peeling trajectory: density against coverage of each box, coloured by the number
    of restricted factors; the chosen box is circled.

    Parameters
    ----------
    traj : pandas.DataFrame
        ``coverage, density, res_dim`` per box (row order = peeling order).
    """
    fig = Figure(figsize=(6.2, 4.4), layout="constrained")
    ax = fig.subplots()
    top = int(traj["res_dim"].max())
    sc = ax.scatter(
        traj["coverage"],
        traj["density"],
        c=traj["res_dim"],
        cmap=matplotlib.colormaps["viridis"].resampled(top + 1),
        vmin=-0.5,
        vmax=top + 0.5,
        s=18,
    )
    row = traj.iloc[chosen]
    ax.scatter(
        [row["coverage"]], [row["density"]], s=160, facecolors="none", edgecolors="red", lw=1.5
    )
    ax.annotate(
        f"box {chosen}",
        (row["coverage"], row["density"]),
        xytext=(8, -12),
        textcoords="offset points",
        color="red",
    )
    bar = fig.colorbar(sc, ax=ax, ticks=range(top + 1))
    bar.set_label("restricted factors")
    ax.set_xlabel("coverage (share of all cases of interest inside the box)")
    ax.set_ylabel("density (share of runs in the box that are cases)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)
    return fig
