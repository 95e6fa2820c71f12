"""statecraft: an agent-based model of state-led AI investment (built on Mesa)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("statecraft")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
