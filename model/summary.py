"""Headline answers computed from a run's time series (saved results only)."""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["first_date_at_least", "months_devalued_funding_persists", "summarize"]


def first_date_at_least(ts: pd.DataFrame, column: str, level: float) -> str | None:
    """First month (``YYYY-MM``) at which ``column`` reaches ``level``; None if never."""
    hit = ts.loc[ts[column] >= level, "date"]
    return None if hit.empty else hit.iloc[0].strftime("%Y-%m")


def value_at(ts: pd.DataFrame, column: str, date: str) -> float:
    """Value of ``column`` in month ``date`` (``YYYY-MM``); NaN if outside the run."""
    row = ts.loc[ts["date"] == pd.Timestamp(date), column]
    return float(row.iloc[0]) if not row.empty else math.nan


def months_devalued_funding_persists(ts: pd.DataFrame, shift_date: str) -> float:
    """Months after the paradigm shift until state equity to devalued niches falls below half
    its average share over the 12 months before the shift (trailing 3-month average).

    NaN if the shift is outside the run or there was no such funding before it; the months to
    the end of the run if it never falls that far.
    """
    shift = pd.Timestamp(shift_date)
    share = ts.set_index("date")["devalued_niche_equity_share"]
    before = share[(share.index < shift) & (share.index >= shift - pd.DateOffset(months=12))]
    if before.empty or before.mean() <= 0:
        return math.nan
    after = share[share.index >= shift].rolling(3, min_periods=1).mean()
    below = after[after < 0.5 * before.mean()]
    end = below.index[0] if not below.empty else share.index[-1]
    return float((end.year - shift.year) * 12 + end.month - shift.month)


def summarize(
    ts: pd.DataFrame, niches: pd.DataFrame, champions: pd.DataFrame, shift_date: str
) -> dict[str, object]:
    """Headline numbers of one run, as a flat dict (printed by ``statecraft run``)."""
    last = ts.iloc[-1]
    return {
        "end": last["date"].strftime("%Y-%m"),
        "startups_2025_01": value_at(ts, "active_startups", "2025-01"),
        "startups_end": int(last["active_startups"]),
        "domestic_share_passes_50pct": first_date_at_least(ts, "domestic_share", 0.5),
        "domestic_share_end": float(last["domestic_share"]),
        "gap_months_2025_06": value_at(ts, "capability_gap_months", "2025-06"),
        "gap_months_2030_12": value_at(ts, "capability_gap_months", "2030-12"),
        "domestic_performance_end": float(last["domestic_performance"]),
        "wasted_funding_usd_bn_end": float(last["wasted_funding_usd_bn"]),
        "wasted_share_end": float(last["wasted_share"]),
        "excess_waste_share_end": float(last["excess_waste_share"]),
        "duplication_index_mean": float(ts["duplication_index"].mean()),
        "compute_shortage_2028_12": value_at(ts, "compute_shortage", "2028-12"),
        "chip_price_index_2028_12": value_at(ts, "chip_price_index", "2028-12"),
        "months_devalued_funding_persists": months_devalued_funding_persists(ts, shift_date),
        "champions_ever": len(champions),
        "champion_niches": ", ".join(sorted(set(champions["niche"]))) if len(champions) else "",
        "champion_cities": ", ".join(sorted(set(champions["city"]))) if len(champions) else "",
        "approved_models_2024_04": value_at(ts, "approved_models", "2024-04"),
        "ai_adoption_end": float(last["ai_adoption"]),
    }
