"""The app's levers, derived from the parameter declarations (no Solara here).

Each control shows a declared parameter under its own name, with its declared default, bounds and
unit, and a help text made from its description and source. A value typed into a control is
checked by the same validation as a scenario file (:meth:`statecraft.Params.replace`); a value it
refuses comes back as a one-line :class:`~statecraft.errors.ParameterError` that the page shows
under the control.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError
from ..params import PARAMETERS, SHARE_GROUPS, Param, Params

__all__ = ["LEVER_GROUPS", "Lever", "apply_change", "levers", "parse_value"]

#: The main levers a student moves, by heading. Names that the parameter table no longer declares
#: are skipped (the model's mechanisms are still being revised), so the app never breaks on them.
LEVER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Export controls",
        ("policy_date", "policy_chips", "policy_tools", "policy_licensed", "policy_grey_leakage"),
    ),
    ("Domestic chips", ("semiconductor_fund_usd_bn_per_year", "domestic_wafers_k_per_month")),
    (
        "Central budget split",
        ("central_share_semiconductor", "central_share_startups", "central_share_compute"),
    ),
    ("City funds", ("n_city_funds", "herding", "coordination")),
    ("Subsidies", ("research_subsidy_rate", "voucher_match", "local_share_subsidy")),
    ("Paradigm shift", ("paradigm_shift_date",)),
)

#: A slider over a range this many times wider than the default would be useless near the
#: default; such sliders stop at ``WIDE_RANGE x default`` and the typed field takes the rest.
WIDE_RANGE = 10.0
SLIDER_STEPS = 100


@dataclass(frozen=True)
class Lever:
    """One control: a declared parameter plus what the page needs to draw it.

    Parameters
    ----------
    param : Param
        The declaration (name, default, unit, bounds, description, source).
    slider : tuple of float or None
        ``(low, high, step)`` of the slider; ``None`` for a month (typed only).
    """

    param: Param
    slider: tuple[float, float, float] | None

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def label(self) -> str:
        """The parameter's own name and its unit, e.g. ``herding (0–1)``."""
        return f"{self.param.name} ({self.param.unit})"

    @property
    def help(self) -> str:
        """Description, bounds, default, and where the value comes from."""
        p = self.param
        bounds = "" if p.bounds is None else f" Bounds [{p.bounds[0]:g}, {p.bounds[1]:g}]."
        default = f"{p.default:g}" if isinstance(p.default, float) else str(p.default)
        if p.source.startswith("assumption:"):
            why = "Assumption: " + p.source.removeprefix("assumption:").strip()
        else:
            why = "Source: " + p.source
        return f"{p.description}{bounds} Default {default}. {why}."

    def format(self, value: Any) -> str:
        """The value as the typed field shows it."""
        if isinstance(value, float):
            return f"{value:.6g}"
        return str(value)


def _slider(p: Param) -> tuple[float, float, float] | None:
    if p.kind not in ("float", "int") or p.bounds is None:
        return None
    lo, hi = (float(b) for b in p.bounds)
    if hi - lo > WIDE_RANGE * max(abs(float(p.default)), 1e-9) and p.default > 0:
        hi = min(hi, lo + WIDE_RANGE * float(p.default))
    if p.kind == "int":
        return (lo, hi, 1.0)
    raw = (hi - lo) / SLIDER_STEPS
    step = 10 ** math.floor(math.log10(raw))  # a round step: 0.01, 0.1, 1, ...
    return (lo, hi, step)


def levers() -> list[tuple[str, list[Lever]]]:
    """The lever groups with the parameters the table declares, in :data:`LEVER_GROUPS` order."""
    declared = {p.name: p for p in PARAMETERS}
    out = []
    for heading, names in LEVER_GROUPS:
        group = [Lever(declared[n], _slider(declared[n])) for n in names if n in declared]
        if group:
            out.append((heading, group))
    return out


def parse_value(p: Param, raw: Any) -> Any:
    """Turn what a control sends (a number, or text typed by a user) into the parameter's type.

    Raises
    ------
    ParameterError
        One line, e.g. ``herding must be a number; got 'abc'``.
    """
    if p.kind == "month":
        return str(raw).strip()
    if isinstance(raw, str):
        text = raw.strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            kind = "an integer" if p.kind == "int" else "a number"
            raise ParameterError(f"{p.name} must be {kind}; got {raw!r}") from None
    else:
        value = float(raw)
    if p.kind == "int":
        if not value.is_integer():
            raise ParameterError(f"{p.name} must be an integer; got {raw!r}")
        return int(value)
    return value


def _rebalanced(params: Params, name: str, value: float) -> dict[str, float]:
    """Changes that set ``name`` and keep its share group adding up to one: the other shares of
    the group are scaled in proportion (all equal if they were all zero)."""
    for group in SHARE_GROUPS:
        if name not in group or not 0.0 <= value <= 1.0:
            continue
        others = [n for n in group if n != name]
        total = sum(getattr(params, n) for n in others)
        rest = 1.0 - value
        if total > 0:
            changes = {n: getattr(params, n) * rest / total for n in others}
        else:
            changes = {n: rest / len(others) for n in others}
        # round away float noise so that the typed fields show 0.35, not 0.35000000000000003
        changes = {n: round(v, 12) for n, v in changes.items()}
        changes[others[-1]] = round(1.0 - value - sum(changes[n] for n in others[:-1]), 12)
        return {**changes, name: value}
    return {name: value}


def apply_change(params: Params, name: str, raw: Any) -> Params:
    """``params`` with parameter ``name`` set from a control's value, validated.

    A share that belongs to a group that must add up to one (the central budget split, the
    city funds' split) moves the other shares of its group in proportion.

    Raises
    ------
    ParameterError
        One line naming the parameter, what it must be and what was given.

    Examples
    --------
    >>> from statecraft import Params
    >>> apply_change(Params(), "herding", "0.8").herding
    0.8
    >>> apply_change(Params(), "herding", "1.5")
    Traceback (most recent call last):
    ...
    statecraft.errors.ParameterError: parameter 'herding' must be a number in [0, 1]; got 1.5
    """
    p = next((q for q in PARAMETERS if q.name == name), None)
    if p is None:
        raise ParameterError(f"unknown parameter {name!r}")
    value = parse_value(p, raw)
    changes = _rebalanced(params, name, value) if p.kind == "float" else {name: value}
    try:
        return params.replace(**changes)
    except ParameterError as err:
        raise ParameterError(str(err).removeprefix("Params: ")) from None
