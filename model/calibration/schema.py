"""Pydantic schemas of the calibration data files, and their errors in one line.

``targets.toml`` (:mod:`.targets`) and the calibration settings (:mod:`.calibrate`) are
validated by pydantic models that forbid unknown keys. Pydantic reports every problem with a
location and a type; :func:`one_line` turns the first into the line a user needs: the file, the
key and what was expected (``targets.toml: target 'S2'.tolerance: must be a number > 0; got
-1``). A check across fields raises :class:`FieldError`, which names the key it is about.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..errors import FieldError
from ..files import did_you_mean

__all__ = ["FieldError", "FiniteNumber", "Number", "Schema", "one_line"]


class Schema(BaseModel):
    """Base of the file schemas: unknown keys are errors; no coercion (``"3"`` is not 3, nor
    ``true`` 1)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _not_nan(v: float) -> float:
    if math.isnan(v):
        raise ValueError("NaN is not a number here")
    return v


#: A number, possibly infinite (``inf`` is a one-sided band), never NaN.
Number = Annotated[int | float, AfterValidator(_not_nan)]
#: A finite number.
FiniteNumber = Annotated[int | float, Field(allow_inf_nan=False)]


def one_line(
    path: Path,
    err: ValidationError,
    expected: Mapping[str, str],
    keys: Callable[[tuple[str, ...]], Iterable[str]],
    label: Callable[[tuple[Any, ...]], tuple[str, tuple[Any, ...]]] = lambda loc: ("", loc),
) -> str:
    """The first problem of ``err`` as ``<path>: <key>: <what was expected>; got <value>``.

    Parameters
    ----------
    path : Path
        The file (first in the message).
    err : pydantic.ValidationError
    expected : mapping
        Key -> what it must be, in a user's words; a key is looked up by its dotted location
        (``parameters.entry_rate``), then with a wildcard last part (``parameters.*``), then by
        its last part (``entry_rate``).
    keys : callable
        Location of a table -> the keys it accepts (for an unknown key: the list and a
        "did you mean").
    label : callable, optional
        Location -> (a name for the table it is in, the location inside that table); e.g.
        ``("target", 3, "date")`` -> ``("target 'S2'", ("date",))``.
    """
    errors = err.errors(include_url=False)
    # An unknown key explains the rest (a "missing" after a typo): say it first.
    e = next((x for x in errors if x["type"] == "extra_forbidden"), errors[0])
    where, loc = label(tuple(e["loc"]))
    # Drop what pydantic adds for a union's branch or a list's index: the key is the field.
    loc = tuple(str(x) for x in loc if isinstance(x, str) and not _is_branch(x))
    cause = (e.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        loc = (*loc, cause.key) if cause.key else loc
        msg = str(cause)
    elif e["type"] == "extra_forbidden":
        allowed = sorted(keys(loc[:-1]))
        msg = f"unknown key{did_you_mean(loc[-1], allowed)}; expected {', '.join(allowed)}"
    else:
        dotted = ".".join(loc)
        what = (
            expected.get(dotted)
            or expected.get(".".join((*loc[:-1], "*")))
            or expected.get(loc[-1] if loc else "")
            or e["msg"].lower()
        )
        msg = what if e["type"] == "missing" else f"{what}; got {e.get('input')!r}"
    key = ".".join(loc)
    at = f"{where}.{key}" if where and key else where or key
    return f"{path}: {at}: {msg}" if at else f"{path}: {msg}"


def _is_branch(part: str) -> bool:
    # pydantic names a union's branches by their type: int, float, constrained-str, ...
    return part in {"int", "float", "str", "bool", "list[str]"} or part.startswith(
        ("constrained-", "function-")
    )
