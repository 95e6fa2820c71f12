"""The run dashboard: one PNG with the key metrics over simulated time."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["PANELS", "dashboard"]

#: (column, title, y-label) of each panel.
PANELS = (
    ("active_startups", "Active AI startups", "startups"),
    ("domestic_share", "Domestic share of accelerators sold (12-month)", "share"),
    ("capability_gap_months", "Gap of best domestic model to US frontier", "months"),
    ("domestic_performance", "Domestic chip performance vs foreign flagship", "ratio"),
    ("duplication_index", "Duplication beyond independent choices (12-month)", "index"),
    ("excess_waste_share", "State equity wasted beyond the private rate", "share points"),
    ("effective_compute", "Installed effective compute", "k flagship-equivalents"),
    ("champions", "National champions", "count"),
    ("ai_adoption", "AI adoption in the economy", "share"),
)


def _month(value: object) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(str(value))
    except ValueError:
        return None


def dashboard(result, path=None) -> Figure:
    """Draw the dashboard of a :class:`statecraft.run.RunResult`.

    Each panel marks the start of the future export-control regime (``policy_date``) and the
    paradigm shift (``paradigm_shift_date``) when they fall inside the run.

    Parameters
    ----------
    result : RunResult
        One run's tables.
    path : str or Path, optional
        Also write the figure there as a PNG.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (shown inline by a notebook).
    """
    ts = result.timeseries
    run = result.run.iloc[0]
    first, last = ts["date"].iloc[0], ts["date"].iloc[-1]
    marks = [
        (_month(run.get("policy_date")), "policy", "tab:red"),
        (_month(run.get("paradigm_shift_date")), "paradigm shift", "tab:purple"),
    ]
    marks = [(d, label, c) for d, label, c in marks if d is not None and first <= d <= last]
    fig = Figure(figsize=(15, 10), layout="constrained")
    axes = fig.subplots(3, 3)
    scenario = ts["scenario"].iloc[0]
    seed = ts["seed"].iloc[0]
    fig.suptitle(f"statecraft — scenario '{scenario}', seed {seed}", fontsize=14)
    for ax, (col, title, unit) in zip(axes.flat, PANELS, strict=True):
        ax.plot(ts["date"], ts[col], color="tab:blue", lw=1.6)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        if unit == "share":
            ax.set_ylim(0, 1)
        elif unit == "index":  # the duplication index is negative below independent choices
            ax.set_ylim(-0.5, 1)
        if col == "domestic_share":
            ax.axhline(0.5, color="grey", ls=":", lw=1)
        if col == "ai_adoption":
            ax.axhline(0.9, color="tab:red", ls=":", lw=1, label="2030 target (S12)")
        for date, label, color in marks:
            ax.axvline(date, color=color, ls="--", lw=1, alpha=0.7, label=label)
        if ax is axes.flat[0] or col == "ai_adoption":
            handles = ax.get_legend_handles_labels()[0]
            if handles:
                ax.legend(loc="best", fontsize=8)
    if path is not None:
        fig.savefig(path, format="png", dpi=90)
    return fig
