"""One family of errors for everything a user can get wrong.

Every error the package raises on bad input derives from :class:`StatecraftError`; its message
is one line naming the file (or argument), the key and what was expected. The command line
prints it as ``statecraft: error: <message>`` and exits with status 2; in Python it is an
ordinary exception whose ``str()`` is that line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "AnalysisError",
    "CalibrationError",
    "EvaluatorError",
    "ExperimentError",
    "FieldError",
    "ParameterError",
    "RunFailed",
    "ScenarioError",
    "SchedulerLost",
    "SensitivityError",
    "StatecraftError",
    "SweepError",
    "TargetError",
    "printable",
]


def printable(text: object) -> str:
    """``text`` with every control or non-printable character escaped (``\\n``, ``\\x1b``).

    Keys and values from a user's file end up in messages; a newline or a terminal escape code
    in them must not forge extra lines or drive the terminal.

    Examples
    --------
    >>> printable("a\\nb\\x1b[2J")
    'a\\\\nb\\\\x1b[2J'
    """
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in s)


class StatecraftError(ValueError):
    """Bad input or an unusable file or folder; the message says where and why, in one line.

    The message is made printable (see :func:`printable`) when the error is created.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(printable(a) if isinstance(a, str) else a for a in args))


class ScenarioError(StatecraftError):
    """A scenario file or parameter set is not valid."""


class ParameterError(ScenarioError):
    """A parameter value given in Python (``Params(...)``, ``Params.replace``, overrides) is
    not valid.

    ``validation_error`` is pydantic's full report when the error comes from validating a
    parameter set: callers that know the file or design point re-word the message from it
    (:func:`statecraft.params.format_validation_error`).
    """

    def __init__(self, *args: object, validation_error: ValidationError | None = None) -> None:
        super().__init__(*args)
        self.validation_error = validation_error


class ExperimentError(ScenarioError):
    """An experiment file is not valid."""


class SweepError(StatecraftError):
    """A sweep cannot run or be read in this folder."""


class TargetError(ScenarioError):
    """A targets file (or its use with a scenario) is not valid; the message says where."""


class CalibrationError(ScenarioError):
    """A calibration file or run cannot go on; the message names the file/key and the fix."""


class SensitivityError(ScenarioError):
    """A sweep directory cannot be analysed; the message says why."""


class AnalysisError(StatecraftError):
    """Input an analysis cannot use; the message (one line) says which and why."""


class FieldError(ValueError):
    """A check across fields of a settings file failed (raised inside a pydantic validator,
    which reports it as a one-line error); ``key`` is the key to blame ("" for the table)."""

    def __init__(self, key: str, msg: str) -> None:
        super().__init__(msg)
        self.key = key


class RunFailed(ScenarioError):
    """A run of a calibration raised; the message names the run and its error."""


class EvaluatorError(StatecraftError):
    """The machinery that runs the runs failed or cannot start (worker processes, the Dask
    scheduler, a bad ``workers``/``scheduler`` value); a run's own error is an outcome, not
    this."""


class SchedulerLost(EvaluatorError):
    """The Dask scheduler went away mid-evaluation; the runs in flight were not reported."""

    def __init__(self, address: str) -> None:
        super().__init__(f"lost the Dask scheduler at {address}; restart it and run again")
        self.address = address
