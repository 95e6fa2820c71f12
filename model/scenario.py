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

from .errors import ParameterError, ScenarioError
from .files import read_toml
from .params import PARAMETERS, Params, format_validation_error

# ParameterError, ScenarioError and format_validation_error are defined below this module
# (statecraft.errors, statecraft.params) and stay importable from here, where users found them.
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


def resolve(overrides: dict[str, Any], where: str = "parameters") -> Params:
    """Validate ``overrides`` on top of the defaults; raise :class:`ScenarioError` if invalid."""
    try:
        return Params(**overrides)
    except ParameterError as err:
        if err.validation_error is None:  # not from validating the values: nothing to re-word
            raise
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
