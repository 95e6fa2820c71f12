"""What the app draws: the metric charts and the ecosystem view, as matplotlib figures.

The functions here take a model (and pinned runs) and return a :class:`matplotlib.figure.Figure`;
they know nothing about Solara, so they can be tested and timed on their own. Only matplotlib is
used: Altair's front end asks for ``vega@5`` files that the offline asset package does not carry.

The charted metrics are declared once, in :data:`PANELS`. A series names the metric it wants
first and older names after it; the first one that :data:`statecraft.metrics.REPORTERS` holds is
drawn, and a panel with none is left out (the model's metrics are still being revised).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from .. import metrics
from ..params import NICHES

if TYPE_CHECKING:
    from ..model import StatecraftModel

__all__ = [
    "PANELS",
    "Panel",
    "PinnedRun",
    "Series",
    "chart_figure",
    "ecosystem_figure",
    "latest",
    "pin",
    "series_name",
]

#: Colours of the niches, in :data:`statecraft.params.NICHES` order (tab10, colour-blind safe
#: enough for six categories).
NICHE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
RUN_COLOURS = ("#1f77b4", "#d62728")  # first and second series of a panel
PIN_STYLES = ("--", ":", "-.")
MAX_PINS = len(PIN_STYLES)
MAX_POINTS = 2500  # startups drawn in the ecosystem view; more only slow the redraw
DPI = 80


@dataclass(frozen=True)
class Series:
    """A line of a panel: the metric names to try, newest first, and its legend label."""

    names: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Panel:
    """A chart: its title, its lines and the unit of its y axis."""

    title: str
    series: tuple[Series, ...]
    unit: str
    share: bool = False  # y axis from 0 to 1


PANELS: tuple[Panel, ...] = (
    Panel("Active startups", (Series(("active_startups",), "active"),), "startups"),
    Panel(
        "Entries and exits",
        (Series(("entries",), "entries"), Series(("exits",), "exits")),
        "startups / month",
    ),
    Panel(
        "Domestic accelerator share",
        (Series(("domestic_share",), "domestic share"),),
        "share of sales (12 months)",
        share=True,
    ),
    Panel(
        "Gap to the US frontier",
        (Series(("capability_gap_months",), "gap"),),
        "months behind",
    ),
    Panel(
        "Duplication and excess waste",
        (
            Series(("duplication_index",), "duplication"),
            Series(("excess_waste_share", "wasted_share"), "waste"),
        ),
        "share",
        share=True,
    ),
    Panel("National champions", (Series(("champions",), "champions"),), "startups"),
)


def series_name(series: Series, reporters: dict[str, Any] | None = None) -> str | None:
    """The first of ``series.names`` that the model reports, or ``None``."""
    reporters = metrics.REPORTERS if reporters is None else reporters
    return next((n for n in series.names if n in reporters), None)


def _values(model: StatecraftModel, name: str) -> np.ndarray:
    return np.asarray(model.datacollector.model_vars.get(name, []), dtype=float)


def latest(model: StatecraftModel, *names: str) -> float | None:
    """The last collected value of the first of ``names`` the model reports (``None`` before the
    first step or if it reports none of them)."""
    for name in names:
        values = model.datacollector.model_vars.get(name)
        if values:
            return float(values[-1])
    return None


def _dates(months: list[str]) -> np.ndarray:
    return np.array(months, dtype="datetime64[M]")


@dataclass(eq=False)  # compared by identity (the app's redraw cache keys on the pinned runs)
class PinnedRun:
    """The curves of a run kept for comparison: its label and each charted metric's values."""

    label: str
    months: list[str]
    values: dict[str, np.ndarray] = field(default_factory=dict)


def pin(model: StatecraftModel, label: str) -> PinnedRun:
    """Copy the charted curves of ``model`` so far."""
    names = {series_name(s) for panel in PANELS for s in panel.series} - {None}
    n = model.steps
    return PinnedRun(label, list(model.months[:n]), {k: _values(model, k)[:n] for k in names})


def chart_figure(
    model: StatecraftModel, pins: list[PinnedRun] = (), *, width: float = 12.0
) -> Figure:
    """The metric panels of :data:`PANELS` for the current run, with pinned runs dashed.

    The time axis shows calendar dates over the whole horizon, so a run grows from left to right
    and a pinned run is visible in full.
    """
    panels = [
        (panel, [(s, series_name(s)) for s in panel.series if series_name(s)]) for panel in PANELS
    ]
    panels = [(panel, lines) for panel, lines in panels if lines]
    ncols = 3
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(width, 2.2 * nrows + 0.5), dpi=DPI)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    fig.subplots_adjust(left=0.06, right=0.99, top=0.86, bottom=0.08, wspace=0.22, hspace=0.3)
    start, end = _dates([model.months[0], model.months[-1]])
    n = model.steps
    dates = _dates(model.months[:n])
    for ax, (panel, lines) in zip(axes, panels, strict=False):
        for i, (series, name) in enumerate(lines):
            colour = RUN_COLOURS[i % len(RUN_COLOURS)]
            values = _values(model, name)[:n]
            ax.plot(dates[: len(values)], values, color=colour, lw=1.6, label=series.label)
            for pinned, style in zip(pins, PIN_STYLES, strict=False):
                if name in pinned.values:
                    v = pinned.values[name]
                    ax.plot(_dates(pinned.months)[: len(v)], v, color=colour, lw=1.1, ls=style)
        ax.set_title(panel.title, fontsize=10)
        ax.set_ylabel(panel.unit, fontsize=8)
        ax.set_xlim(start, end + np.timedelta64(1, "M"))
        if panel.share:
            ax.set_ylim(0, 1)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.tick_params(labelsize=8)
        if ax.get_subplotspec().rowspan.stop < nrows:  # dates under the bottom row only: each
            ax.tick_params(labelbottom=False)  # tick label costs drawing time on every step
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            ax.legend(fontsize=7, loc="upper left", frameon=False)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    month = model.months[n - 1] if n else f"start of {model.months[0]}"
    title = f"Month {month}  (step {n} of {len(model.months)})"
    if pins:
        styles = {"--": "dashed", ":": "dotted", "-.": "dash-dot"}
        title += "   —   solid: this run;  " + ";  ".join(
            f"{styles[s]}: {p.label}" for p, s in zip(pins, PIN_STYLES, strict=False)
        )
    if n == 0:
        title += "   —   press Step or ▶ to run"
    fig.suptitle(title, fontsize=10, x=0.01, ha="left")
    return fig


def _jitter(uid: np.ndarray) -> np.ndarray:
    """A stable pseudo-random number in [0, 1) per startup, so that points do not jump between
    redraws (splitmix64 of the startup's id; no generator, the run's draws stay untouched)."""
    z = uid.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / 2.0**53


def ecosystem_figure(model: StatecraftModel, *, width: float = 12.0) -> Figure:
    """Cities and their funds, linked to the niches and startups they back.

    Left, the city funds; middle, the niches; right, every live startup (up to
    :data:`MAX_POINTS`) in its niche's band, further right the more capable. A line from a city
    to a niche is as thick as the state money that city's live startups in that niche received:
    many thick lines into one niche is duplication. Colours are niches; a filled dot is a
    startup with state money, a hollow one is private-only, a star is a national champion. The
    header shows the chip market: how much compute demand found chips, and at what price.
    """
    s = model.startups
    niches = list(NICHES)
    k = len(niches)
    cities = [fund.city for fund in model.city_funds]
    n_f = len(cities)
    fig = Figure(figsize=(width, 4.6), dpi=DPI)
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.86))
    ax.set_xlim(-0.55, 3.1)
    ax.set_ylim(-0.06, 1.06)
    ax.axis("off")

    y_city = np.linspace(0.95, 0.05, n_f) if n_f > 1 else np.array([0.5])
    y_niche = np.linspace(0.92, 0.08, k)
    band = 0.84 / max(k, 1) * 0.8

    city = np.asarray(s.city, dtype=np.int64)
    niche = np.asarray(s.niche, dtype=np.int64)
    state = np.asarray(s.state_received, dtype=float)
    money = np.bincount(city * k + niche, weights=state, minlength=n_f * k).reshape(n_f, k)
    top = money.max() if money.size and money.max() > 0 else 1.0
    for f in range(n_f):
        for j in range(k):
            if money[f, j] > 0:
                ax.plot(
                    [0.0, 1.0],
                    [y_city[f], y_niche[j]],
                    color=NICHE_COLOURS[j % len(NICHE_COLOURS)],
                    lw=0.3 + 6.0 * money[f, j] / top,
                    alpha=0.45,
                    solid_capstyle="butt",
                )
    by_city = money.sum(axis=1)
    size = 40 + 500 * by_city / max(by_city.max(), 1e-12)
    ax.scatter(np.zeros(n_f), y_city, s=size, color="#555555", zorder=3)
    for f in range(n_f):
        ax.text(-0.06, y_city[f], cities[f], ha="right", va="center", fontsize=9)

    count = np.bincount(niche, minlength=k)
    devalued = getattr(model, "devalued", np.zeros(k, dtype=bool))
    shifted = model.steps > getattr(model, "shift_index", 10**9)
    size_n = 60 + 340 * count / max(count.max(), 1)
    for j in range(k):
        colour = NICHE_COLOURS[j % len(NICHE_COLOURS)]
        ax.scatter([1.0], [y_niche[j]], s=size_n[j], color=colour, zorder=3)
        label = f"{niches[j]} ({count[j]})"
        if shifted and j < len(devalued) and devalued[j]:
            label += " devalued"
        ax.text(1.07, y_niche[j] + band / 2 + 0.01, label, fontsize=9, color=colour, va="bottom")

    n = len(s)
    if n:
        keep = np.ones(n, dtype=bool)
        if n > MAX_POINTS:
            keep = _jitter(np.asarray(s.uid) + 7) < MAX_POINTS / n
        champ = np.asarray(s.champion, dtype=bool)
        keep |= champ
        cap = np.asarray(s.capability, dtype=float)
        # a few laggards would squeeze everyone else to the right: clip the lowest 2 %
        lo, hi = float(np.quantile(cap, 0.02)), float(cap.max())
        x = 1.6 + 1.4 * (np.clip(cap, lo, hi) - lo) / (hi - lo if hi > lo else 1.0)
        y = y_niche[niche] + (_jitter(np.asarray(s.uid)) - 0.5) * band
        colours = np.array(NICHE_COLOURS)[niche % len(NICHE_COLOURS)]
        backed = (state > 0) & keep & ~champ
        private = (state <= 0) & keep & ~champ
        ax.scatter(x[backed], y[backed], s=9, c=colours[backed], alpha=0.7, lw=0)
        ax.scatter(
            x[private], y[private], s=9, facecolors="none", edgecolors=colours[private], lw=0.6
        )
        ax.scatter(
            x[champ], y[champ], s=160, marker="*", c=colours[champ], edgecolors="black", lw=0.8
        )
    ax.text(1.6, -0.05, "← less capable", fontsize=8, alpha=0.7)
    ax.text(3.0, -0.05, "more capable →", fontsize=8, alpha=0.7, ha="right")
    ax.text(0.0, 1.03, "city funds", ha="center", fontsize=9, alpha=0.7)
    ax.text(1.0, 1.03, "niches", ha="center", fontsize=9, alpha=0.7)
    ax.text(
        2.3,
        1.03,
        "startups (● state-backed  ○ private only  ★ champion)",
        ha="center",
        fontsize=9,
        alpha=0.7,
    )
    fig.suptitle(_market_line(model, n), fontsize=10, x=0.01, ha="left")
    return fig


def _market_line(model: StatecraftModel, n: int) -> str:
    """The header of the ecosystem view: the month and the chip market's state."""
    month = model.months[model.steps - 1] if model.steps else f"start of {model.months[0]}"
    parts = [f"{month}: {n:,} startups"]
    fill = latest(model, "compute_fill")
    shortage = latest(model, "compute_shortage")
    if shortage is None and fill is not None:
        shortage = 1.0 - fill
    if shortage is not None:
        parts.append(f"chip shortage: {shortage:.0%} of compute demand unmet")
    price = latest(model, "chip_price_index", "chip_price_markup")
    if price is not None:
        parts.append(f"chip prices ×{price:.2f}")
    dom = latest(model, "domestic_share")
    if dom is not None:
        parts.append(f"domestic chips {dom:.0%}")
    dup = latest(model, "duplication_index")
    if dup is not None:
        parts.append(f"duplication {dup:.0%}")
    return "   ·   ".join(parts)
