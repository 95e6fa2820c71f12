"""One family of errors for everything a user can get wrong.

Every error the package raises on bad input derives from :class:`StatecraftError`; its message
is one line naming the file (or argument), the key and what was expected. The command line
prints it as ``statecraft: error: <message>`` and exits with status 2; in Python it is an
ordinary exception whose ``str()`` is that line.
"""

from __future__ import annotations

__all__ = [
    "ExperimentError",
    "ParameterError",
    "ScenarioError",
    "StatecraftError",
    "SweepError",
]


class StatecraftError(ValueError):
    """Bad input or an unusable file or folder; the message says where and why, in one line."""


class ScenarioError(StatecraftError):
    """A scenario file or parameter set is not valid."""


class ParameterError(ScenarioError):
    """A parameter value given in Python (``Params(...)``, ``Params.replace``, overrides) is
    not valid."""


class ExperimentError(ScenarioError):
    """An experiment file is not valid."""


class SweepError(StatecraftError):
    """A sweep cannot run or be read in this folder."""
