"""Targets: the reported figures the model is checked against, read from a TOML data file.

The shipped file (``targets.toml`` in this package, documented in ``docs/DATA.md``) lists each
target as a table ``[[target]]`` with ``id``, ``metric``, ``statistic``, a date (``date``,
``reference``) or a ``window``, ``reported``, a pass band (``tolerance``, ``rel_tolerance`` or
``low``/``high``), ``role`` (``calibrate`` or ``validate``) and ``source``. Nothing in it is
executed; each ``[[target]]`` is checked by a pydantic schema (:class:`TargetSpec`, unknown keys
refused), and every problem is a :class:`TargetError` whose message is one line naming the file,
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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import numpy as np
import pandas as pd
from pydantic import Field, StringConstraints, ValidationError, field_validator, model_validator

from ..errors import TargetError
from ..metrics import REPORTERS
from ..scenario import read_toml
from .schema import FieldError, Number, Schema, one_line

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

Month = Annotated[str, StringConstraints(pattern=r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$")]


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


class TargetSpec(Schema):
    """One ``[[target]]`` table of a targets file (see the module docstring): the types of its
    keys, then the checks across them (which months the statistic reads; exactly one band)."""

    id: Annotated[str, Field(min_length=1)]
    description: str = ""
    metric: str
    statistic: Statistic = "value"
    date: Month | None = None
    reference: Month | None = None
    window: Annotated[list[Month], Field(min_length=2, max_length=2)] | None = None
    per_scale: bool = False
    reported: Number | Annotated[str, Field(min_length=1)]
    tolerance: Annotated[Number, Field(gt=0)] | None = None
    rel_tolerance: Annotated[Number, Field(gt=0)] | None = None
    low: Number | None = None
    high: Number | None = None
    role: Role
    source: Annotated[str, StringConstraints(pattern=r"\S")]

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, v: str) -> str:
        if v not in REPORTERS:
            raise FieldError(
                "", f"unknown metric {v!r}; the model reports {', '.join(sorted(REPORTERS))}"
            )
        return v

    @model_validator(mode="after")
    def _reads_its_months(self) -> TargetSpec:
        stat = self.statistic
        if stat in ("mean", "sum"):
            if self.window is None:
                raise FieldError("window", f"'{stat}' needs window = [first, last] months")
            if self.window[1] < self.window[0]:
                raise FieldError("window", f"ends ({self.window[1]}) before it starts")
            for k in ("date", "reference"):
                if getattr(self, k) is not None:
                    raise FieldError(k, f"'{stat}' reads a window, not a {k}")
            return self
        if self.date is None:
            raise FieldError("date", f"'{stat}' needs a month \"YYYY-MM\"")
        if stat in ("change", "ratio") and self.reference is None:
            raise FieldError("reference", f"'{stat}' needs a month \"YYYY-MM\"")
        if stat == "value" and self.reference is not None:
            raise FieldError("reference", "only 'change' and 'ratio' take a reference")
        if self.window is not None:
            raise FieldError("window", f"'{stat}' reads a date, not a window")
        return self

    @model_validator(mode="after")
    def _one_band(self) -> TargetSpec:
        given = [self.tolerance, self.rel_tolerance, self.low, self.high]
        kinds = sum(x is not None for x in given[:2]) + (given[2:] != [None, None])
        if kinds != 1:
            raise FieldError(
                "", "give exactly one of tolerance, rel_tolerance, or low/high (the band)"
            )
        if (given[:2] != [None, None]) and isinstance(self.reported, str):
            raise FieldError("", "a tolerance needs a numeric 'reported'; use low/high instead")
        lo, hi = self._band()
        if lo > hi:
            raise FieldError("", f"low {lo:g} is above high {hi:g}")
        return self

    def _band(self) -> tuple[float, float]:
        if self.tolerance is not None or self.rel_tolerance is not None:
            half = (
                self.tolerance
                if self.tolerance is not None
                else self.rel_tolerance * abs(self.reported)
            )
            return float(self.reported - half), float(self.reported + half)
        low = -math.inf if self.low is None else self.low
        high = math.inf if self.high is None else self.high
        return float(low), float(high)

    def target(self) -> Target:
        """The checked :class:`Target`."""
        low, high = self._band()
        return Target(
            id=self.id,
            description=self.description,
            metric=self.metric,
            statistic=self.statistic,
            date=self.date,
            reference=self.reference,
            window=tuple(self.window) if self.window is not None else None,
            per_scale=self.per_scale,
            reported=self.reported if isinstance(self.reported, str) else float(self.reported),
            low=low,
            high=high,
            role=self.role,
            source=self.source,
        )


#: What each key of a target must be, in the words of an error message.
_EXPECTED = {
    "id": "required: a short label (e.g. 'S1')",
    "description": "must be a string",
    "metric": "required: a metric of the model (see statecraft.metrics)",
    "statistic": f"must be one of {', '.join(STATISTICS)}",
    "date": 'must be a month "YYYY-MM"',
    "reference": 'must be a month "YYYY-MM"',
    "window": 'must be [first, last] months "YYYY-MM"',
    "per_scale": "must be true or false",
    "reported": "required: the published number (or a word)",
    "tolerance": "must be a number > 0",
    "rel_tolerance": "must be a number > 0",
    "low": "must be a number",
    "high": "must be a number",
    "role": f"must be one of {', '.join(ROLES)}",
    "source": "required: the FACTS row and article, or the origin",
}


def _parse(path: Path, i: int, row: Any) -> Target:
    """Row ``i`` of the file as a :class:`Target`; a problem is one line naming the target (by
    its id if it has one) and the key."""
    tid = row.get("id") if isinstance(row, dict) else None
    where = f"target '{tid}'" if isinstance(tid, str) and tid else f"target[{i}]"
    if not isinstance(row, dict):
        raise TargetError(f"{path}: {where}: must be a table ([[target]])")
    try:
        return TargetSpec.model_validate(row).target()
    except ValidationError as err:
        fields = list(TargetSpec.model_fields)
        msg = one_line(path, err, _EXPECTED, lambda _: fields, lambda loc: (where, loc))
        raise TargetError(msg) from None


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
    targets = tuple(_parse(path, i, row) for i, row in enumerate(rows))
    seen: set[str] = set()
    for t in targets:
        if t.id in seen:
            raise TargetError(f"{path}: target '{t.id}': id repeats; ids must be unique")
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
