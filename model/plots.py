"""The run dashboard: one PNG with the key metrics over simulated time."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt

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


def dashboard(result, path) -> None:
    """Draw the dashboard of a :class:`statecraft.run.RunResult` to ``path`` (PNG)."""
    ts = result.timeseries
    fig, axes = plt.subplots(3, 3, figsize=(15, 10), layout="constrained")
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
            ax.legend(loc="lower right", fontsize=8)
    fig.savefig(path, format="png", dpi=90)
    plt.close(fig)
