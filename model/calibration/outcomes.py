"""What one run yields for sensitivity analysis and calibration: the headline outcomes and the
distance to the calibration targets.

Both :mod:`.sensitivity` (Morris and Sobol indices of each outcome) and :mod:`.calibrate` (the
ABC distance, posterior-predictive intervals) read these; they sit here, below both, so that
imports go one way: ``targets`` → ``outcomes`` → ``sensitivity``, ``calibrate``.

**Distance** (:func:`distance`). The root-mean-square standardised deviation over the
calibration targets. A two-sided band contributes ``(model - reported) / half-width``, and a
one-sided band (a direction, or "more than X") contributes 0 inside and the excess over the
edge outside. A value of about 1 means every target sits at the edge of its band.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import resolve
from ..summary import months_devalued_funding_persists, value_at
from .targets import Target, evaluate, load_targets

__all__ = ["NAN_PENALTY", "OUTCOMES", "distance", "outcomes", "target_z"]

#: Standardised deviation charged for a target the run cannot compute (e.g. no startups left).
NAN_PENALTY = 10.0

#: Outcomes computed from each run; all but the last two answer the README's questions (the
#: herding question twice: the wasted share, and the excess over private investors' losses).
OUTCOMES: dict[str, str] = {
    "gap_2030": "capability gap to the US frontier, Dec 2030 (months) — cut-off question",
    "domestic_share_2027": "domestic share of accelerators, Dec 2027 — C6 / cut-off",
    "domestic_capacity_2030": "domestic foundry capacity, Dec 2030 (k/month) — H20 question",
    "wasted_share_2030": "share of state money to startups wasted by 2030 — herding question",
    "excess_waste_2030": "state equity wasted beyond private investors' rate, 2030 — herding",
    "devalued_persists_months": "months money keeps flowing to devalued niches — shift question",
    "champions_2030": "live national champions, Dec 2030 — champions question",
    "duplication_index_mean": "duplication index, mean over the run",
    "calibration_distance": "distance to the calibration targets (see outcomes.distance)",
}


# --- distance -----------------------------------------------------------------------------------
def target_z(target: Target, value: float) -> float:
    """Standardised deviation of ``value`` from ``target``.

    Two-sided band: ``(value - centre) / half_width`` (``|z| <= 1`` inside the band when the
    reported value is its centre). One-sided band (a direction or "more than"): 0 inside, the
    distance to the edge over ``half_width`` outside. NaN: :data:`NAN_PENALTY`.
    """
    if not math.isfinite(value):
        return NAN_PENALTY
    if math.isfinite(target.low) and math.isfinite(target.high):
        return (value - target.centre) / target.half_width
    if value < target.low:
        return (target.low - value) / target.half_width
    if value > target.high:
        return (value - target.high) / target.half_width
    return 0.0


def distance(targets: Iterable[Target], values: Mapping[str, float]) -> float:
    """Root-mean-square standardised deviation over ``targets`` (see :func:`target_z`).

    Parameters
    ----------
    targets : iterable of Target
    values : mapping
        Target id -> the model's statistic (mean over the common seeds).

    Returns
    -------
    float
        0 when every target is hit exactly; about 1 when every target sits at the edge of its
        band.
    """
    z = np.array([target_z(t, values[t.id]) for t in targets], dtype=float)
    return float(np.sqrt(np.mean(z**2))) if len(z) else 0.0


# --- outcomes -----------------------------------------------------------------------------------
@functools.cache
def _calibration_targets() -> tuple[Target, ...]:
    return tuple(t for t in load_targets() if t.role == "calibrate")


def outcomes(ts: pd.DataFrame, overrides: dict[str, Any]) -> dict[str, float]:
    """:data:`OUTCOMES` of one run.

    Parameters
    ----------
    ts : pandas.DataFrame
        The run's monthly time series (to Dec 2030).
    overrides : dict
        The run's parameter overrides (for ``scale`` and ``paradigm_shift_date``).
    """
    params = resolve(overrides)
    end = ts["date"].iloc[-1].strftime("%Y-%m")
    cal = _calibration_targets()
    values = {t.id: evaluate(t, ts, params.scale) for t in cal}
    return {
        "gap_2030": value_at(ts, "capability_gap_months", "2030-12"),
        "domestic_share_2027": value_at(ts, "domestic_share", "2027-12"),
        "domestic_capacity_2030": value_at(ts, "domestic_capacity", end) / params.scale,
        "wasted_share_2030": value_at(ts, "wasted_share", end),
        "excess_waste_2030": value_at(ts, "excess_waste_share", end),
        "devalued_persists_months": months_devalued_funding_persists(
            ts, params.paradigm_shift_date
        ),
        "champions_2030": value_at(ts, "champions", end) / params.scale,
        "duplication_index_mean": float(ts["duplication_index"].mean()),
        "calibration_distance": distance(cal, values),
    }
