"""What the app's charts show, as plain data for the browser (no Solara, no drawing here).

The charts are drawn in the browser (``charts.vue``, ``ecosystem.vue``): the server sends the
computed curves once and then only the month to show, so a Step or a month played moves a line
instead of redrawing an image. This module decides what they show: the panels and their fixed
axes (:data:`PANELS`), the dates marked on them (:func:`markers`), pinned runs
(:class:`PinnedRun`) and the one-line description of the chip market (:func:`market_line`).

A series names the metric it wants first and older names after it; the first one that
:data:`statecraft.metrics.REPORTERS` holds is drawn, and a panel with none is left out (the
model's metrics are still being revised).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import metrics
from ..params import NICHES, Params

if TYPE_CHECKING:
    from .playback import Playback

__all__ = [
    "MAX_PINS",
    "NICHE_COLOURS",
    "PANELS",
    "Panel",
    "PinnedRun",
    "Series",
    "chart_data",
    "charted_names",
    "latest",
    "markers",
    "market_line",
    "pin",
    "series_name",
]

#: Colours of the niches, in :data:`statecraft.params.NICHES` order (tab10).
NICHE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
RUN_COLOURS = ("#1f77b4", "#d62728")  # first and second series of a panel
PIN_DASHES = ("6 3", "2 3", "8 3 2 3")  # SVG stroke-dasharray of the pinned runs
PIN_NAMES = ("dashed", "dotted", "dash-dot")
MAX_PINS = len(PIN_DASHES)


@dataclass(frozen=True)
class Series:
    """A line of a panel: the metric names to try, newest first, and its legend label."""

    names: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Panel:
    """A chart: its title, lines, y-axis unit, fixed y range and what it shows, in one sentence.

    ``per_scale``: the range is for ``scale = 1`` and grows with the ``scale`` parameter (counts
    of startups). A run that leaves the range widens it to a round number, for the whole run.
    """

    title: str
    series: tuple[Series, ...]
    unit: str
    y: tuple[float, float]
    meaning: str
    percent: bool = False
    per_scale: bool = False
    line: float | None = None  # a reference level drawn across the panel
    line_label: str = ""


PANELS: tuple[Panel, ...] = (
    Panel(
        "Active AI startups",
        (Series(("active_startups",), "active"),),
        "startups",
        (0, 15000),
        "How many AI startups are alive at the end of each month.",
        per_scale=True,
    ),
    Panel(
        "Startups founded and failed",
        (Series(("entries",), "founded"), Series(("exits",), "failed")),
        "startups a month",
        (0, 800),
        "New startups each month (blue) and startups that ran out of cash (red).",
        per_scale=True,
    ),
    Panel(
        "Domestic chips' share of sales",
        (Series(("domestic_share",), "domestic share"),),
        "% of AI chips sold in China, last 12 months",
        (0, 1),
        "Chinese-made accelerators as a share of all AI chips sold in China.",
        percent=True,
        line=0.5,
        line_label="50 %",
    ),
    Panel(
        "Gap to the US frontier",
        (Series(("capability_gap_months",), "gap"),),
        "months behind the best US model",
        (0, 36),
        "How many months the best Chinese model lags the best US model.",
    ),
    Panel(
        "Duplication and wasted state money",
        (
            Series(("duplication_index",), "duplication index"),
            Series(("excess_waste_share", "wasted_share"), "excess waste"),
        ),
        "index (blue) / share of state money (red)",
        (-0.25, 1.05),
        "Blue: how much city funds bet on the same niches (0 = as if independent, 1 = all "
        "on one). Red: state money lost in failed startups beyond what private investors lose.",
        percent=False,
    ),
    Panel(
        "National champions",
        (Series(("champions",), "champions"),),
        "champion firms",
        (0, 20),
        "Startups that have led their niche at the frontier long enough to be national champions.",
    ),
)


def series_name(series: Series, reporters: dict[str, Any] | None = None) -> str | None:
    """The first of ``series.names`` that the model reports, or ``None``."""
    reporters = metrics.REPORTERS if reporters is None else reporters
    return next((n for n in series.names if n in reporters), None)


def charted_names() -> set[str]:
    """The metrics the charts draw."""
    return {series_name(s) for panel in PANELS for s in panel.series} - {None}


def latest(values: dict[str, list[float | None]], shown: int, *names: str) -> float | None:
    """The value at month ``shown`` of the first of ``names`` in ``values`` (``None`` before the
    first month or if none is there)."""
    for name in names:
        v = values.get(name)
        if v and shown >= 1 and len(v) >= shown and v[shown - 1] is not None:
            return float(v[shown - 1])
    return None


@dataclass(eq=False)  # compared by identity
class PinnedRun:
    """The curves of a run kept for comparison: a label, the months shown, the parameters and
    seed it ran with, and each charted metric's values."""

    label: str
    shown: int
    params: Params
    seed: int
    scenario: str
    values: dict[str, list[float | None]] = field(default_factory=dict)


def pin(playback: Playback, shown: int, label: str, scenario: str) -> PinnedRun:
    """Copy the charted curves of ``playback`` up to month ``shown``."""
    playback.advance_to(shown)
    values = {k: v[:shown] for k, v in playback.series(charted_names()).items()}
    return PinnedRun(label, shown, playback.params, playback.seed, scenario, values)


def _nice(x: float) -> float:
    """A round number at least ``x`` (1, 2, 2.5, 5 times a power of ten)."""
    if x <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(x))
    return next(m * e for m in (1, 2, 2.5, 5, 10) if m * e >= x)


def markers(params: Params, months: list[str]) -> list[dict[str, Any]]:
    """Dates marked on every chart: export-control rules, the new policy, the paradigm shift.

    ``i`` is the month's index in ``months`` (the x axis); dates outside the run are left out.
    """
    index = {m: i for i, m in enumerate(months)}
    out = []
    for event in getattr(params, "export_events", ()):
        if event.date in index and event.date != months[0]:
            out.append(
                {"i": index[event.date], "label": f"export rule {event.date}", "kind": "event"}
            )
    policy = getattr(params, "policy_date", None)
    if policy in index:
        out.append({"i": index[policy], "label": f"new chip policy {policy}", "kind": "policy"})
    shift = getattr(params, "paradigm_shift_date", None)
    if shift in index:
        out.append({"i": index[shift], "label": f"paradigm shift {shift}", "kind": "shift"})
    return out


def chart_data(
    playback: Playback, pins: list[PinnedRun] = (), *, params: Params | None = None
) -> dict[str, Any]:
    """Everything the charts component needs apart from the month to show.

    The curves hold every month computed so far (the run computes ahead of the display); the
    browser draws them up to the month shown. Axes are fixed: the declared range of each panel,
    widened to a round number when this run or a pinned run leaves it.
    """
    params = params or playback.params
    values = playback.series(charted_names())
    scale = float(getattr(params, "scale", 1.0))
    panels = []
    for panel in PANELS:
        lines = [(s, series_name(s)) for s in panel.series if series_name(s)]
        if not lines:
            continue
        lo, hi = panel.y
        if panel.per_scale:
            lo, hi = lo * scale, (hi if scale == 1.0 else _nice(hi * scale))
        seen = [
            v
            for _, name in lines
            for source in (values, *(p.values for p in pins))
            for v in source.get(name, [])
            if v is not None
        ]
        if seen and max(seen) > hi:
            hi = _nice(max(seen) * 1.05)
        if seen and min(seen) < lo:
            lo = -_nice(-min(seen) * 1.05)
        panels.append(
            {
                "title": panel.title,
                "unit": panel.unit,
                "meaning": panel.meaning,
                "y": [lo, hi],
                "percent": panel.percent,
                "line": panel.line,
                "line_label": panel.line_label,
                "series": [
                    {
                        "label": s.label,
                        "colour": RUN_COLOURS[i % len(RUN_COLOURS)],
                        "values": values.get(name, []),
                        "pins": [
                            {"dash": PIN_DASHES[j], "values": p.values.get(name, [])}
                            for j, p in enumerate(pins[:MAX_PINS])
                        ],
                    }
                    for i, (s, name) in enumerate(lines)
                ],
            }
        )
    return {
        "months": playback.months,
        "panels": panels,
        "markers": markers(params, playback.months),
        "pins": [
            {"label": p.label, "dash": PIN_DASHES[j], "name": PIN_NAMES[j]}
            for j, p in enumerate(pins[:MAX_PINS])
        ],
    }


def market_line(values: dict[str, list[float | None]], shown: int, month: str, n: int) -> str:
    """The ecosystem view's header: the month and the chip market's state, in words."""
    parts = [f"{month}: {n:,} startups"]
    shortage = latest(values, shown, "compute_shortage")
    fill = latest(values, shown, "compute_fill")
    if shortage is None and fill is not None:
        shortage = 1.0 - fill
    if shortage is not None:
        parts.append(f"{shortage:.0%} of the compute startups want finds no chips")
    price = latest(values, shown, "chip_price_index", "chip_price_markup")
    if price is not None:
        parts.append(f"chip prices ×{price:.2f} of 2020")
    dom = latest(values, shown, "domestic_share")
    if dom is not None:
        parts.append(f"domestic chips {dom:.0%} of sales")
    return "   ·   ".join(parts)


#: The niches' names as the ecosystem view labels them.
NICHE_LABELS = dict(
    zip(
        NICHES,
        (
            "large language models",
            "multimodal",
            "assistants",
            "speech",
            "AI for science",
            "computer vision",
        ),
        strict=False,
    )
)
