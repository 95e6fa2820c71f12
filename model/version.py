"""The package's version: ``from statecraft.version import __version__``.

pyproject.toml's ``version`` is the single source; this reads it from the installed package's
metadata. Modules of the package import it from here, not from the package root, so that no
module depends on ``statecraft/__init__.py`` (which imports them).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("statecraft")
except PackageNotFoundError:  # a source tree on sys.path, not installed
    __version__ = "0+unknown"
