"""What a student takes away from the app, and what a comparison states (no Solara here).

* :func:`scenario_toml`: the levers as set, as a scenario file that ``statecraft run`` reads;
* :func:`timeseries_csv`: the run's monthly time series as CSV (the columns of
  ``statecraft run``'s ``timeseries.csv``: keys, step, date, then every metric);
* :func:`differences`: every difference between a pinned run and the run on screen.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..params import PARAMETERS, Params

if TYPE_CHECKING:
    from .playback import Playback

__all__ = ["differences", "fmt", "scenario_toml", "timeseries_csv", "toml_value"]


def fmt(value: Any) -> str:
    """A value as the page shows it."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return str(value)


def toml_value(value: Any) -> str:
    """A parameter value in TOML (numbers, month strings, lists, export-control events)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if hasattr(value, "model_dump"):  # an export-control event: an inline table
        items = value.model_dump(exclude_none=True)  # an unset `announced` is left out
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in items.items()) + " }"
    raise TypeError(f"cannot write {value!r} to TOML")


def scenario_toml(params: Params, seed: int, based_on: str, description: str = "") -> str:
    """A scenario file holding every parameter that differs from its default.

    Examples
    --------
    >>> print(scenario_toml(Params(herding=0.9), 3, "baseline"))  # doctest: +NORMALIZE_WHITESPACE
    # Saved from the statecraft app (started from scenario 'baseline').
    description = "baseline with herding=0.9"
    seed = 3
    <BLANKLINE>
    [parameters]
    herding = 0.9
    <BLANKLINE>
    """
    defaults = Params()
    changed = {
        p.name: getattr(params, p.name)
        for p in PARAMETERS
        if getattr(params, p.name) != getattr(defaults, p.name)
    }
    if not description:
        what = ", ".join(f"{k}={fmt(v)}" for k, v in changed.items()) or "default levers"
        description = f"{based_on} with {what}"
    lines = [
        f"# Saved from the statecraft app (started from scenario {based_on!r}).",
        f"description = {toml_value(description)}",
        f"seed = {seed}",
        "",
        "[parameters]",
        *(f"{k} = {toml_value(v)}" for k, v in changed.items()),
    ]
    return "\n".join(lines) + "\n"


def timeseries_csv(playback: Playback, shown: int, scenario: str) -> str:
    """The run's monthly metrics up to month ``shown``, as CSV."""
    rows = playback.table(shown)
    ts = pd.DataFrame(rows)
    if ts.empty:
        ts = pd.DataFrame(columns=["month", "step"])
    ts.insert(0, "seed", playback.seed)
    ts.insert(0, "scenario", scenario)
    ts = ts.rename(columns={"month": "date"})
    cols = ["scenario", "seed", "step", "date"]
    ts = ts[cols + [c for c in ts.columns if c not in cols]]
    buffer = io.StringIO()
    ts.to_csv(buffer, index=False)
    return buffer.getvalue()


def differences(
    pinned_params: Params,
    pinned_seed: int,
    pinned_scenario: str,
    params: Params,
    seed: int,
    scenario: str,
    reset_by_load: dict[str, str] | None = None,
) -> list[str]:
    """Every difference between a pinned run and the current one, in words.

    ``reset_by_load``: parameter name -> scenario whose loading reset it; such differences say
    so, since the student did not move those levers by hand.
    """
    reset_by_load = reset_by_load or {}
    out = []
    if pinned_scenario != scenario:
        out.append(f"scenario {pinned_scenario} → {scenario}")
    if pinned_seed != seed:
        out.append(f"seed {pinned_seed} → {seed}")
    for p in PARAMETERS:
        old, new = getattr(pinned_params, p.name), getattr(params, p.name)
        if old != new:
            note = f" (reset by loading {reset_by_load[p.name]})" if p.name in reset_by_load else ""
            out.append(f"{p.name} {fmt(old)} → {fmt(new)}{note}")
    return out
