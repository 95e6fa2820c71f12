"""Targets: the reported figures the model is checked against, read from a TOML data file.

The shipped file (``targets.toml`` in this package, documented in ``docs/DATA.md``) lists each
target as a table ``[[target]]`` with ``id``, ``metric``, ``statistic``, a date (``date``,
``reference``) or a ``window``, ``reported``, a pass band (``tolerance``, ``rel_tolerance`` or
``low``/``high``), ``role`` (``calibrate`` or ``validate``) and ``source``. Nothing in it is
executed; every problem is a :class:`TargetError` whose message is one line naming the file,
the target and the key.

A target's *statistic* turns one run's monthly time series into one number:

- ``value``: the metric in month ``date``;
- ``mean``, ``sum``: over the months of ``window = [first, last]``;
- ``change``, ``ratio``: the metric in ``date`` minus, or divided by, its value in ``reference``.

With ``per_scale = true`` the number is divided by the run's ``scale`` (counts and money grow
with it), so targets read at the scale the articles describe whatever scale a run uses.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from ..metrics import REPORTERS
from ..scenario import ScenarioError, read_toml

__all__ = [
    "ROLES",
    "STATISTICS",
    "Target",
    "TargetError",
    "check_horizon",
    "default_targets_path",
    "evaluate",
    "load_targets",
]

Statistic = Literal["value", "mean", "sum", "change", "ratio"]
Role = Literal["calibrate", "validate"]
#: Statistics a target may ask for.
STATISTICS: tuple[str, ...] = get_args(Statistic)
#: Roles of a target: used in fitting, or held out.
ROLES: tuple[str, ...] = get_args(Role)

TARGET_KEYS = {
    "id",
    "description",
    "metric",
    "statistic",
    "date",
    "reference",
    "window",
    "per_scale",
    "reported",
    "tolerance",
    "rel_tolerance",
    "low",
    "high",
    "role",
    "source",
}
_MONTH = re.compile(r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")


class TargetError(ScenarioError):
    """A targets file (or its use with a scenario) is not valid; the message says where."""


@dataclass(frozen=True)
class Target:
    """One reported figure and how to read the model's counterpart.

    Parameters
    ----------
    id : str
        Short unique label (``S1``, ``A3``, ...).
    description : str
        What was reported, in words.
    metric : str
        Model metric (a column of the run's time series).
    statistic : {"value", "mean", "sum", "change", "ratio"}
        How one run's series becomes one number (see module docstring).
    date : str or None
        Month ``YYYY-MM`` for ``value``, ``change`` and ``ratio``.
    reference : str or None
        Month subtracted from (``change``) or divided into (``ratio``) ``date``.
    window : tuple of str or None
        First and last month for ``mean`` and ``sum``.
    per_scale : bool
        Divide the model number by the run's ``scale``.
    reported : float or str
        The published figure, or a word for a direction ("falls").
    low, high : float
        Pass band (``-inf``/``inf`` when one-sided).
    role : {"calibrate", "validate"}
        Fitted to, or held out.
    source : str
        FACTS row and article, or the published figure's origin.
    """

    id: str
    description: str
    metric: str
    statistic: Statistic
    date: str | None
    reference: str | None
    window: tuple[str, str] | None
    per_scale: bool
    reported: float | str
    low: float
    high: float
    role: Role
    source: str

    @property
    def months(self) -> tuple[str, ...]:
        """Every month the statistic reads (for horizon checks)."""
        if self.window is not None:
            return self.window
        return tuple(m for m in (self.reference, self.date) if m is not None)

    @property
    def centre(self) -> float:
        """The point the calibration distance aims at: the reported number if there is one,
        else the middle of a two-sided band, else the band's finite edge."""
        if isinstance(self.reported, float) and self.low <= self.reported <= self.high:
            return self.reported
        if math.isfinite(self.low) and math.isfinite(self.high):
            return 0.5 * (self.low + self.high)
        return self.low if math.isfinite(self.low) else self.high

    @property
    def half_width(self) -> float:
        """Unit of the calibration distance: half the band, or for a one-sided band a tenth of
        its edge's magnitude (at least 0.05)."""
        if math.isfinite(self.low) and math.isfinite(self.high):
            return max(0.5 * (self.high - self.low), 1e-9)
        edge = self.low if math.isfinite(self.low) else self.high
        return max(0.1 * abs(edge), 0.05)

    def passes(self, value: float) -> bool:
        """Whether ``value`` lies in the band (NaN never passes)."""
        return bool(self.low <= value <= self.high)

    def band(self) -> str:
        """The pass band in words (``0.25–0.37``, ``≥ 3``, ``≤ 0``)."""
        lo, hi = self.low, self.high
        if math.isfinite(lo) and math.isfinite(hi):
            return f"{_num(lo)}–{_num(hi)}"
        return f"≥ {_num(lo)}" if math.isfinite(lo) else f"≤ {_num(hi)}"


def _num(x: float) -> str:
    if x == int(x) and abs(x) >= 10:
        return f"{int(x):,}"
    return f"{x:.3g}"


def default_targets_path() -> Path:
    """The targets file shipped with the package."""
    return Path(str(resources.files("statecraft.calibration").joinpath("targets.toml")))


def _err(path: Path, where: str, msg: str) -> TargetError:
    return TargetError(f"{path}: {where}: {msg}")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _month(path: Path, where: str, key: str, v: Any) -> str:
    if not isinstance(v, str) or not _MONTH.match(v):
        raise _err(path, f"{where}.{key}", f'must be a month "YYYY-MM"; got {v!r}')
    return v


def _parse(path: Path, i: int, t: Any, metrics: set[str]) -> Target:
    where = f"target[{i}]"
    if not isinstance(t, dict):
        raise _err(path, where, "must be a table ([[target]])")
    tid = t.get("id")
    if not isinstance(tid, str) or not tid:
        raise _err(path, f"{where}.id", "required: a short label (e.g. 'S1')")
    where = f"target '{tid}'"
    unknown = sorted(set(t) - TARGET_KEYS)
    if unknown:
        raise _err(
            path, f"{where}.{unknown[0]}", f"unknown key; expected {', '.join(sorted(TARGET_KEYS))}"
        )
    metric = t.get("metric")
    if metric not in metrics:
        raise _err(
            path,
            f"{where}.metric",
            f"unknown metric {metric!r}; the model reports {', '.join(sorted(metrics))}",
        )
    stat = t.get("statistic", "value")
    if stat not in STATISTICS:
        raise _err(
            path, f"{where}.statistic", f"must be one of {', '.join(STATISTICS)}; got {stat!r}"
        )
    date = reference = window = None
    if stat in ("mean", "sum"):
        w = t.get("window")
        if not isinstance(w, list) or len(w) != 2:
            raise _err(path, f"{where}.window", f"'{stat}' needs window = [first, last] months")
        window = (_month(path, where, "window", w[0]), _month(path, where, "window", w[1]))
        if window[1] < window[0]:
            raise _err(path, f"{where}.window", f"ends ({window[1]}) before it starts")
        for k in ("date", "reference"):
            if k in t:
                raise _err(path, f"{where}.{k}", f"'{stat}' reads a window, not a {k}")
    else:
        date = _month(path, where, "date", t.get("date"))
        if stat in ("change", "ratio"):
            reference = _month(path, where, "reference", t.get("reference"))
        elif "reference" in t:
            raise _err(path, f"{where}.reference", "only 'change' and 'ratio' take a reference")
        if "window" in t:
            raise _err(path, f"{where}.window", f"'{stat}' reads a date, not a window")
    per_scale = t.get("per_scale", False)
    if not isinstance(per_scale, bool):
        raise _err(path, f"{where}.per_scale", f"must be true or false; got {per_scale!r}")
    reported = t.get("reported")
    if not (_is_number(reported) or (isinstance(reported, str) and reported)):
        raise _err(path, f"{where}.reported", "required: the published number (or a word)")
    has_abs, has_rel = "tolerance" in t, "rel_tolerance" in t
    has_band = "low" in t or "high" in t
    if has_abs + has_rel + has_band != 1:
        raise _err(
            path, where, "give exactly one of tolerance, rel_tolerance, or low/high (the band)"
        )
    if (has_abs or has_rel) and not _is_number(reported):
        raise _err(path, where, "a tolerance needs a numeric 'reported'; use low/high instead")
    if has_abs or has_rel:
        key = "tolerance" if has_abs else "rel_tolerance"
        tol = t[key]
        if not _is_number(tol) or not tol > 0:
            raise _err(path, f"{where}.{key}", f"must be a number > 0; got {tol!r}")
        half = tol if has_abs else tol * abs(reported)
        low, high = reported - half, reported + half
    else:
        for k in ("low", "high"):
            if k in t and (not _is_number(t[k]) or math.isnan(t[k])):
                raise _err(path, f"{where}.{k}", f"must be a number; got {t[k]!r}")
        low, high = float(t.get("low", -math.inf)), float(t.get("high", math.inf))
        if low > high:
            raise _err(path, where, f"low {low:g} is above high {high:g}")
    role = t.get("role")
    if role not in ROLES:
        raise _err(path, f"{where}.role", f"must be one of {', '.join(ROLES)}; got {role!r}")
    source = t.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _err(path, f"{where}.source", "required: the FACTS row and article, or the origin")
    description = t.get("description", "")
    if not isinstance(description, str):
        raise _err(path, f"{where}.description", "must be a string")
    return Target(
        id=tid,
        description=description,
        metric=metric,
        statistic=stat,
        date=date,
        reference=reference,
        window=window,
        per_scale=per_scale,
        reported=float(reported) if _is_number(reported) else reported,
        low=float(low),
        high=float(high),
        role=role,
        source=source,
    )


def load_targets(path: str | Path | None = None) -> tuple[Target, ...]:
    """Read and check a targets file.

    Parameters
    ----------
    path : str or Path, optional
        The file (default: the one shipped with the package, :func:`default_targets_path`).

    Returns
    -------
    tuple of Target
        In file order.

    Raises
    ------
    TargetError
        One line naming the file, the target and the key: an unknown metric or key, a malformed
        month, a missing band or source, a repeated id.
    """
    path = default_targets_path() if path is None else Path(path)
    if path.suffix != ".toml" and not path.exists():
        raise TargetError(f"{path}: no such targets file")
    path, data = read_toml(path, "targets", "targets", TargetError, {"target"}, "")
    rows = data.get("target")
    if not isinstance(rows, list) or not rows:
        raise TargetError(f"{path}: no targets: add [[target]] tables")
    metrics = set(REPORTERS)
    targets = tuple(_parse(path, i, t, metrics) for i, t in enumerate(rows))
    seen: set[str] = set()
    for t in targets:
        if t.id in seen:
            raise _err(path, f"target '{t.id}'", "id repeats; ids must be unique")
        seen.add(t.id)
    return targets


def check_horizon(targets: tuple[Target, ...], start: str, end: str, where: str) -> None:
    """Raise :class:`TargetError` if a target reads a month outside ``[start, end]``.

    Parameters
    ----------
    targets : tuple of Target
    start, end : str
        First and last simulated month of the scenario.
    where : str
        The scenario (for the message).
    """
    for t in targets:
        for m in t.months:
            if not start <= m <= end:
                raise TargetError(
                    f"target '{t.id}': month {m} is outside the horizon {start} … {end} of "
                    f"{where}; move the target or extend the scenario's end_date"
                )


def evaluate(target: Target, ts: pd.DataFrame, scale: float = 1.0) -> float:
    """The target's statistic on one run's time series.

    Parameters
    ----------
    target : Target
    ts : pandas.DataFrame
        One run's time series: a ``date`` column (month starts) and the metric's column.
    scale : float, default=1.0
        The run's ``scale`` (used when ``target.per_scale``).

    Returns
    -------
    float
        NaN when the series does not cover the months (or a ratio's reference is 0).
    """
    series = pd.Series(
        ts[target.metric].to_numpy(dtype=float),
        index=pd.DatetimeIndex(ts["date"]).strftime("%Y-%m"),
    )

    def at(month: str) -> float:
        return float(series.get(month, math.nan))

    if target.statistic == "value":
        out = at(target.date)
    elif target.statistic in ("mean", "sum"):
        first, last = target.window
        sel = series[(series.index >= first) & (series.index <= last)]
        n_months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
        if len(sel) < n_months:
            return math.nan
        out = float(sel.mean() if target.statistic == "mean" else sel.sum())
    elif target.statistic == "change":
        out = at(target.date) - at(target.reference)
    else:
        ref = at(target.reference)
        out = at(target.date) / ref if ref else math.nan
    if target.per_scale and target.statistic != "ratio":
        out /= scale
    return float(out) if np.isfinite(out) else math.nan
