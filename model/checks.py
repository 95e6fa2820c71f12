"""Cross-field input checks and cost estimates: every input is honoured or refused.

Bounds on single parameters are declared in :mod:`statecraft.params`; the rules here involve
several parameters, or the size of what a user asks for:

- :func:`check_inputs` — combinations the model would otherwise silently reinterpret (an
  export event the policy regime overrides, a tranche dated before the start, a policy that
  never applies, ...). Called by ``Params`` validation, so a scenario, an experiment's design
  point and ``Params(...)`` all obey it;
- :func:`estimate_run` / :func:`check_run_cost` — memory of one run, refused above a limit the
  user can raise (``--max-memory``);
- :func:`design_size` / :func:`check_size` — runs of an experiment, counted before the design
  is generated, refused above a limit the user can raise (``--max-runs``).

Every refusal is one line saying what is wrong and what to do.
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any

from .errors import ExperimentError, ParameterError, SweepError

if TYPE_CHECKING:
    from .experiment import Experiment

__all__ = [
    "BYTES_PER_STARTUP",
    "DEFAULT_MAX_RUNS",
    "SHARE_TOLERANCE",
    "check_inputs",
    "check_run_cost",
    "check_size",
    "default_max_memory_gb",
    "design_size",
    "estimate_run",
]

#: Shares of one group must add up to 1 within this (0.333333 x 3 is accepted).
SHARE_TOLERANCE = 1e-6
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


def check_inputs(p: Any) -> None:
    """Refuse parameter combinations the model would silently reinterpret.

    ``p`` is a ``Params`` instance being validated. Rules about a date "after end_date" apply
    only to a date changed from its default: a shorter horizon legitimately cuts off a default
    date (a quick run to 2021 of the baseline), but a policy the user dated after the end of
    the run would silently never apply.

    Raises
    ------
    ValueError
        With a one-line message (pydantic turns it into a :class:`ParameterError`).
    """
    from .params import param

    given = {
        n
        for n in ("policy_date", "startup_tranche_date", "paradigm_shift_date")
        if n in type(p).model_fields and getattr(p, n) != param(n).default
    }
    if p.end_date < p.start_date:
        return  # reported by Params itself ("end_date ... is before start_date")
    if p.initial_adoption <= 0:
        raise ValueError(
            "initial_adoption must be above 0: the AI market and startup entry are scaled by "
            f"adoption / initial_adoption; got {p.initial_adoption!r}"
        )
    for group in _share_groups():
        values = [getattr(p, k) for k in group]
        total = math.fsum(values)
        if abs(total - 1.0) > SHARE_TOLERANCE * (1 + 1e-9):
            raise ValueError(
                f"shares {', '.join(group)} must add up to 1 (within {SHARE_TOLERANCE:g}); "
                f"{' + '.join(repr(v) for v in values)} = {total!r}"
            )
    events = p.export_events
    if not events:
        raise ValueError(
            "export_events is empty; give at least one event (for no controls before "
            'policy_date: [{date = "<start month>", chips = 0.0, tools = 0.0, foundry = 0.0}])'
        )
    dates = [e.date for e in events]
    dup = sorted({d for d in dates if dates.count(d) > 1})
    if dup:
        raise ValueError(f"export_events: two events dated {dup[0]}; give one event per date")
    late = [d for d in dates if d >= p.policy_date]
    if late:
        raise ValueError(
            f"export_events: the event dated {late[0]} is not before policy_date "
            f"{p.policy_date}, from which the policy_* values replace the timeline, so it would "
            "be ignored; move policy_date later or drop the event"
        )
    if "policy_date" in given and p.policy_date > p.end_date:
        raise ValueError(
            f"policy_date {p.policy_date} is after end_date {p.end_date}: the policy_* regime "
            "would never apply; set it within the run or extend end_date"
        )
    if p.startup_tranche_usd_bn > 0 and p.startup_tranche_date < p.start_date:
        raise ValueError(
            f"startup_tranche_date {p.startup_tranche_date} is before start_date "
            f"{p.start_date}: the tranche would be paid from the start instead; set it on or "
            "after start_date (or startup_tranche_usd_bn = 0)"
        )
    if "startup_tranche_date" in given and p.startup_tranche_date > p.end_date:
        raise ValueError(
            f"startup_tranche_date {p.startup_tranche_date} is after end_date {p.end_date}: "
            "the tranche would never be paid; set it within the run or extend end_date"
        )
    shift = getattr(p, "paradigm_shift_date", None)
    if "paradigm_shift_date" in given and shift > p.end_date:
        raise ValueError(
            f"paradigm_shift_date {shift} is after end_date {p.end_date}: the shift would "
            "never happen; set it within the run or extend end_date"
        )


def _share_groups() -> tuple[tuple[str, ...], ...]:
    from .params import SHARE_GROUPS

    return SHARE_GROUPS


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
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
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


def check_size(exp: Experiment | int, max_runs: int | None, where: str = "") -> int:
    """Refuse an experiment of more than ``max_runs`` runs (``None``: no limit).

    ``exp`` is an :class:`~statecraft.experiment.Experiment` or a count of runs.
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
