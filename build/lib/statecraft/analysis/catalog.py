"""Which metrics an analysis shows by default, and how each is labelled.

The default key metrics are declared once, here, in :data:`KEY_METRICS`. Everything else is read
from the data: a metric column that is not listed gets a label made from its name and a unit
guessed from its suffix (``_usd_bn``, ``_months``, ``_share``), so new model metrics show up in
reports without a change here, and a listed metric that a sweep does not have is simply left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "ID_COLUMNS",
    "KEY_METRICS",
    "Metric",
    "describe_metric",
    "key_metrics",
    "metric_columns",
]


@dataclass(frozen=True)
class Metric:
    """How one metric is named in tables, figures and sentences.

    Parameters
    ----------
    name : str
        Column name in the result tables.
    label : str
        Short human label ("gap to US frontier").
    unit : str
        Unit shown on axes and in sentences ("months", "share", "US$ bn"); "" for a count.
    up, down : str
        Verbs for a rise and a fall in a sentence ("widens"/"narrows"); default "raises"/"lowers".
    """

    name: str
    label: str
    unit: str
    up: str = "raises"
    down: str = "lowers"


#: The metrics a report and a comparison show unless told otherwise, in this order. Metrics a
#: result table does not have are skipped (the model's metrics change over time).
KEY_METRICS: tuple[Metric, ...] = (
    Metric("capability_gap_months", "gap to US frontier", "months", "widens", "narrows"),
    Metric("domestic_share", "domestic share of accelerators sold", "share"),
    Metric("excess_waste_share", "excess waste of state money", "share"),
    Metric("wasted_share", "share of state money to startups wasted", "share"),
    Metric("duplication_index", "duplication index", "index"),
    Metric("active_startups", "number of startups alive", "startups"),
    Metric("champions", "number of national champions", "champions"),
)

#: Columns of result tables that identify a run or a month rather than measure anything.
ID_COLUMNS = frozenset(
    {"run_id", "scenario", "experiment", "seed", "step", "date", "point", "replicate", "block"}
)

_UNITS = (("_usd_bn", "US$ bn"), ("_months", "months"), ("_share", "share"), ("_index", "index"))


def describe_metric(name: str) -> Metric:
    """The :class:`Metric` of ``name``: declared in :data:`KEY_METRICS`, else derived from it.

    Examples
    --------
    >>> describe_metric("funding_private_usd_bn").unit
    'US$ bn'
    """
    for m in KEY_METRICS:
        if m.name == name:
            return m
    unit = next((u for suffix, u in _UNITS if name.endswith(suffix)), "")
    label = name
    for suffix, _ in _UNITS[:2]:
        label = label.removesuffix(suffix)
    return Metric(name, label.replace("_", " "), unit)


def metric_columns(frame: pd.DataFrame, exclude: Iterable[str] = ()) -> list[str]:
    """Numeric columns of ``frame`` that are metrics (not ids, not in ``exclude``), in order."""
    skip = ID_COLUMNS | set(exclude)
    return [
        c
        for c in frame.columns
        if c not in skip
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]


def key_metrics(available: Iterable[str]) -> list[str]:
    """The names of :data:`KEY_METRICS` found in ``available``; if none is, all of ``available``.

    Parameters
    ----------
    available : iterable of str
        Metric columns a result table has.
    """
    have = list(available)
    keys = [m.name for m in KEY_METRICS if m.name in have]
    return keys or have
