"""Scenario discovery: which region of the factor space leads to an outcome the analyst names.

An outcome is a condition on one metric at the last month, ``"METRIC OP VALUE"`` with OP one of
``<``, ``<=``, ``>``, ``>=`` (e.g. ``"capability_gap_months <= 12"``: the gap has closed to a
year). Every finished run of a sweep is a case (replicates included); PRIM (the EMA Workbench's
:class:`ema_workbench.analysis.prim.Prim`, an optional dependency: ``pip install
'statecraft[analysis]'``) peels the factor space down to boxes in which that outcome is common.
Each box has a *coverage* (share of all runs with the outcome that fall in the box) and a
*density* (share of runs in the box that have the outcome); the report shows the peeling
trajectory and the chosen box as a rule.
"""

from __future__ import annotations

import operator
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import describe_metric
from .document import Document, fmt
from .sources import AnalysisError, Source

__all__ = ["Discovery", "Outcome", "discover", "parse_outcome"]

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_PATTERN = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*([-+]?[0-9.]+(?:[eE][-+]?\d+)?)\s*$"
)
#: The chosen box is the densest one on the peeling trajectory that still covers this share of
#: the cases of interest.
MIN_COVERAGE = 0.5

MISSING_EXTRA = (
    "scenario discovery needs the optional extra 'analysis' (EMA Workbench): "
    "pip install 'statecraft[analysis]'"
)


@dataclass(frozen=True)
class Outcome:
    """A condition on one metric: ``metric op value``."""

    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"

    def test(self, values: pd.Series) -> np.ndarray:
        """True where the condition holds (NaN: False)."""
        return _OPS[self.op](values.to_numpy(dtype=float), self.value)


def parse_outcome(text: str, metrics: list[str] | None = None) -> Outcome:
    """Read ``"METRIC OP VALUE"``; raise :class:`AnalysisError` naming what was expected."""
    m = _PATTERN.match(text)
    if not m:
        raise AnalysisError(
            f"--outcome {text!r}: expected 'METRIC OP VALUE' with OP one of <, <=, >, >= "
            "(e.g. 'capability_gap_months <= 12')"
        )
    name, op, value = m.group(1), m.group(2), float(m.group(3))
    if metrics is not None and name not in metrics:
        raise AnalysisError(
            f"--outcome {text!r}: unknown metric '{name}'; expected one of {', '.join(metrics)}"
        )
    return Outcome(name, op, value)


@dataclass
class Discovery:
    """What PRIM found for one outcome.

    Attributes
    ----------
    outcome : Outcome
    cases, runs : int
        Runs with the outcome, runs in all.
    boxes : pandas.DataFrame
        The peeling trajectory: per box ``box, coverage, density, mass, n, res_dim, rule``.
    chosen : int or None
        Row of ``boxes`` shown as the result (None when PRIM was not run).
    message : str
        The result in a sentence.
    """

    outcome: Outcome
    cases: int
    runs: int
    boxes: pd.DataFrame
    chosen: int | None
    message: str
    figure: bytes | None = None

    @property
    def slug(self) -> str:
        op = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}[self.outcome.op]
        return f"{self.outcome.metric}_{op}_{self.outcome.value:g}".replace(".", "p")

    @property
    def rule(self) -> str:
        return "" if self.chosen is None else str(self.boxes.loc[self.chosen, "rule"])

    def add_to(self, doc: Document) -> None:
        doc.heading(f"Scenario discovery: {self.outcome}")
        doc.text(self.message)
        if self.figure is not None:
            doc.figure(
                f"prim_{self.slug}",
                self.figure,
                f"PRIM peeling trajectory for '{self.outcome}': each point is a box; the chosen "
                f"box (red) is the densest with coverage at least {MIN_COVERAGE:.0%}.",
            )
            shown = self.boxes[["box", "coverage", "density", "n", "res_dim", "rule"]]
            step = max(1, len(shown) // 12)
            keep = sorted({*range(0, len(shown), step), len(shown) - 1, self.chosen})
            doc.table(shown.iloc[keep], "Boxes along the peeling trajectory (a selection)")


def _rule(lims: pd.DataFrame, init: pd.DataFrame, factors: list[str]) -> tuple[str, int]:
    parts = []
    for f in factors:
        lo, hi = lims[f].iloc[0], lims[f].iloc[1]
        lo0, hi0 = init[f].iloc[0], init[f].iloc[1]
        if lo > lo0 and hi < hi0:
            parts.append(f"{fmt(lo)} ≤ {f} ≤ {fmt(hi)}")
        elif lo > lo0:
            parts.append(f"{f} ≥ {fmt(lo)}")
        elif hi < hi0:
            parts.append(f"{f} ≤ {fmt(hi)}")
    return (" and ".join(parts) if parts else "anywhere (no restriction)"), len(parts)


def discover(source: Source, outcome: str | Outcome, peel_alpha: float = 0.05) -> Discovery:
    """Find the region of a sweep's factor space where ``outcome`` happens, with PRIM.

    Parameters
    ----------
    source : Source
        A sweep (its factors are PRIM's inputs).
    outcome : str or Outcome
        E.g. ``"capability_gap_months <= 12"``.
    peel_alpha : float, default=0.05
        Share of the runs peeled off per step.

    Returns
    -------
    Discovery

    Raises
    ------
    AnalysisError
        If the outcome is malformed or names an unknown metric, the source has no factors,
        or the ``analysis`` extra is not installed.
    """
    out = outcome if isinstance(outcome, Outcome) else parse_outcome(outcome, source.metrics)
    if out.metric not in source.metrics:
        raise AnalysisError(f"--outcome '{out}': unknown metric '{out.metric}'")
    if not source.factors:
        raise AnalysisError(f"{source.name}: scenario discovery needs a sweep with factors")
    x = source.final[source.factors].reset_index(drop=True).astype(float)
    y = out.test(source.final[out.metric])
    cases, n = int(y.sum()), len(y)
    m = describe_metric(out.metric)
    empty = pd.DataFrame(columns=["box", "coverage", "density", "mass", "n", "res_dim", "rule"])
    if cases == 0 or cases == n:
        which = "No run" if cases == 0 else "Every run"
        return Discovery(
            out,
            cases,
            n,
            empty,
            None,
            f"{which} of the {n} has {out} ({m.label}); there is no region to find.",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # import-time notices (ipyparallel missing)
            from ema_workbench.analysis import prim
    except ImportError:
        raise AnalysisError(MISSING_EXTRA) from None
    with warnings.catch_warnings():
        # The workbench calls pandas APIs that pandas 3 deprecates; its results are unaffected.
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y, peel_alpha=peel_alpha).find_box()
        traj = box.peeling_trajectory.reset_index(drop=True)
        lims = list(box.box_lims)
    init = lims[0]
    rules = [_rule(b, init, source.factors) for b in lims]
    boxes = pd.DataFrame(
        {
            "box": np.arange(len(traj)),
            "coverage": traj["coverage"].astype(float),
            "density": traj["density"].astype(float),
            "mass": traj["mass"].astype(float),
            "n": traj["n"].astype(int),
            "res_dim": [r[1] for r in rules],
            "rule": [r[0] for r in rules],
        }
    )
    ok = boxes.index[boxes["coverage"] >= MIN_COVERAGE]
    chosen = int(boxes.loc[ok, "density"].idxmax()) if len(ok) else 0
    c = boxes.loc[chosen]
    base = cases / n
    message = (
        f"{cases} of {n} runs ({base:.0%}) have {out} ({m.label}, {m.unit or 'value'}). "
        f"Where {c['rule']}, {c['density']:.0%} of runs do (density), and this box holds "
        f"{c['coverage']:.0%} of all such runs (coverage; {int(c['n'])} runs, "
        f"{c['mass']:.0%} of the sweep)."
    )
    from . import figures

    fig = figures.peeling_trajectory(boxes, chosen, f"PRIM: {out}")
    return Discovery(out, cases, n, boxes, chosen, message, figures.png(fig))
