"""Cost limits: a run or a sweep too large for this machine is refused before it starts.

The rules on parameter values themselves (bounds, and combinations such as shares adding up to
one or an export event the policy regime overrides) live next to their declarations, in
:func:`statecraft.params.check_inputs`. The rules here are about the size of what a user asks
for, which no single parameter set decides (the limits are the user's, on the command line):

- :func:`estimate_run` / :func:`check_run_cost` — memory of one run, refused above a limit the
  user can raise (``--max-memory``);
- :func:`design_size` / :func:`check_size` — runs of an experiment, counted before the design
  is generated, refused above a limit the user can raise (``--max-runs``).

Every refusal is one line saying what is wrong and what to do.
"""

from __future__ import annotations

import math
import os
from typing import Any, Protocol

from .errors import ExperimentError, ParameterError, SweepError

__all__ = [
    "BYTES_PER_STARTUP",
    "DEFAULT_MAX_RUNS",
    "SizedDesign",
    "check_run_cost",
    "check_size",
    "default_max_memory_gb",
    "design_size",
    "estimate_run",
]

#: Default ceiling on the runs of one experiment (``--max-runs`` raises it).
DEFAULT_MAX_RUNS = 100_000
#: Measured peak memory per live startup (columnar population and step temporaries), with a
#: margin: ~240 B measured at 35,000-100,000 startups (tracemalloc), rounded up.
BYTES_PER_STARTUP = 400
#: Memory of an empty run (interpreter, numpy, pandas, Mesa, the model's tables).
BASE_BYTES = 150e6


def _months(start: str, end: str) -> int:
    (y0, m0), (y1, m1) = (map(int, start.split("-")), map(int, end.split("-")))
    return (y1 - y0) * 12 + (m1 - m0) + 1


# --- cost of one run ----------------------------------------------------------------------------
def estimate_run(p: Any) -> dict[str, float]:
    """Rough upper estimate of one run's size: peak live startups and peak memory (bytes).

    Peak startups are bounded by the initial population plus ``entry_rate`` every month (entry
    grows with funding and adoption, exits shrink the population; measured runs stay below
    this bound), both times ``scale``.
    """
    months = _months(p.start_date, p.end_date)
    startups = p.scale * (p.initial_startups + p.entry_rate * months)
    return {
        "months": months,
        "startups": startups,
        "memory_bytes": BASE_BYTES + BYTES_PER_STARTUP * startups,
    }


def default_max_memory_gb() -> float:
    """Half of this machine's physical memory, in GB (the default of ``--max-memory``)."""
    try:
        total = float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        total = 8e9
    return round(total / 2e9, 1)


def check_run_cost(p: Any, max_memory_gb: float | None = None, copies: int = 1) -> dict:
    """Refuse a run (or ``copies`` runs at once) estimated to need more than ``max_memory_gb``.

    Returns the estimate (see :func:`estimate_run`).

    Raises
    ------
    ParameterError
        Naming the estimate, the limit and the flag that raises it.
    """
    limit = default_max_memory_gb() if max_memory_gb is None else max_memory_gb
    est = estimate_run(p)
    need = est["memory_bytes"] * copies / 1e9
    if need > limit:
        each = f" ({copies} runs at once)" if copies > 1 else ""
        raise ParameterError(
            f"this run would need about {need:,.1f} GB of memory{each} (up to "
            f"{est['startups']:,.0f} startups over {est['months']} months: initial_startups, "
            f"entry_rate and scale); the limit is {limit:g} GB: lower scale, or raise the limit "
            "with --max-memory GB" + (", or use fewer --workers" if copies > 1 else "")
        )
    return est


# --- size of an experiment ----------------------------------------------------------------------
def design_size(design: str, samples: int | None, levels: list[int], replicates: int) -> int:
    """Runs an experiment asks for, computed without generating its design."""
    if design == "grid":
        points = math.prod(levels)
    elif design == "saltelli":
        points = (samples or 0) * (len(levels) + 2)
    elif design == "morris":  # trajectories of one step per factor
        points = (samples or 0) * (len(levels) + 1)
    else:
        points = samples or 0
    return points * replicates


class SizedDesign(Protocol):
    """Anything that knows how many runs it asks for (an
    :class:`~statecraft.experiment.Experiment`)."""

    @property
    def size(self) -> int: ...


def check_size(exp: SizedDesign | int, max_runs: int | None, where: str = "") -> int:
    """Refuse an experiment of more than ``max_runs`` runs (``None``: no limit).

    ``exp`` is an :class:`~statecraft.experiment.Experiment` (anything with a ``size``) or a
    count of runs.
    """
    n = exp if isinstance(exp, int) else exp.size
    if max_runs is not None and n > max_runs:
        error = ExperimentError if where else SweepError
        raise error(
            f"{where + ': ' if where else ''}the design has {n:,} runs, more than the limit of "
            f"{max_runs:,}: fewer samples, levels or replicates, or raise the limit with "
            "--max-runs N"
        )
    return n
