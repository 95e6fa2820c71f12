"""Scenario files: TOML data holding overrides of declared parameters.

A scenario file looks like::

    description = "Foreign chips and tools cut off from 2026"
    seed = 1                      # optional default seed

    [parameters]
    policy_date = "2026-01"
    policy_chips = 1.0

Nothing in it is executed. Every problem is reported as a :class:`ScenarioError` whose message
is one line naming the file, the key and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import ParameterError, ScenarioError
from .files import did_you_mean, read_toml
from .params import PARAMETERS, Params, param

__all__ = [
    "ParameterError",
    "Scenario",
    "ScenarioError",
    "format_validation_error",
    "load_scenario",
    "resolve",
]

TOP_LEVEL_KEYS = {"description", "seed", "parameters"}
_NAMES = {p.name for p in PARAMETERS}


@dataclass(frozen=True)
class Scenario:
    """A loaded, validated scenario."""

    name: str
    description: str
    params: Params
    overrides: dict[str, Any]
    seed: int | None
    path: Path | None = None


def _expected(name: str) -> str:
    p = param(name)
    if p.kind == "int":
        lo, hi = p.bounds
        return f"an integer in [{lo:g}, {hi:g}]"
    if p.kind == "float":
        lo, hi = p.bounds
        return f"a number in [{lo:g}, {hi:g}]"
    if p.kind == "month":
        return 'a month "YYYY-MM"'
    if p.kind == "niches":
        return "a list of niches"
    return "a list of events {date, chips, tools, foundry, licensed}"


def format_validation_error(err: ValidationError, where: str) -> str:
    """Turn pydantic's report into one line: ``<where>: parameter 'x' must be ...; got ...``."""
    errors = err.errors(include_url=False)
    # An unknown key explains the rest ("tools: Field required" after a typo `tool`): say it first.
    e = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    loc = e.get("loc", ())
    got = e.get("input")
    if not loc:  # model-level check (shares, dates)
        msg = str(e.get("msg", "")).removeprefix("Value error, ")
        return f"{where}: {msg}"
    key = str(loc[0])
    if e["type"] == "extra_forbidden" and len(loc) == 1:
        hint = did_you_mean(key, _NAMES) or " (see `statecraft params` for the list)"
        return f"{where}: unknown parameter '{key}'{hint}"
    if e["type"] == "extra_forbidden":
        path = ".".join(str(x) for x in loc)
        return f"{where}: unknown key '{path}'"
    if len(loc) == 1:
        return f"{where}: parameter '{key}' must be {_expected(key)}; got {got!r}"
    path = ".".join(str(x) for x in loc)
    return f"{where}: parameter '{path}': {e['msg']}; got {got!r}"


def resolve(overrides: dict[str, Any], where: str = "parameters") -> Params:
    """Validate ``overrides`` on top of the defaults; raise :class:`ScenarioError` if invalid."""
    try:
        return Params(**overrides)
    except ParameterError as err:
        raise ScenarioError(format_validation_error(err.validation_error, where)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    ``path`` may also be a bare name (``baseline``), looked up as ``scenarios/<name>.toml``
    in the current directory, then among the project's shipped scenarios.
    """
    path, data = read_toml(
        path,
        "scenarios",
        "scenario",
        ScenarioError,
        TOP_LEVEL_KEYS,
        "parameters go under [parameters]",
        _NAMES,
    )
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError(f"{path}: key 'description' must be a string")
    seed = data.get("seed")
    if seed is not None and (
        not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63
    ):
        raise ScenarioError(f"{path}: key 'seed' must be an integer in [0, 2^63); got {seed!r}")
    overrides = data.get("parameters", {})
    if not isinstance(overrides, dict):
        raise ScenarioError(f"{path}: key 'parameters' must be a table ([parameters])")
    params = resolve(overrides, where=f"{path}: [parameters]")
    return Scenario(
        name=path.stem,
        description=description,
        params=params,
        overrides=overrides,
        seed=seed,
        path=path,
    )
