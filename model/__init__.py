"""statecraft: an agent-based model of state-led AI investment, built on Mesa.

The front door for Python users. Run a shipped scenario, a scenario file or a parameter set,
and get its tables back:

>>> import statecraft
>>> result = statecraft.run_scenario("baseline", seed=1, scale=0.05, end_date="2020-06")
>>> result.timeseries[["date", "active_startups"]].shape
(6, 2)

Change parameters with validation (a typo or a value out of bounds is a one-line error):

>>> p = statecraft.load_scenario("export_cutoff").params.replace(herding=0.8)
>>> p.herding
0.8
>>> statecraft.run_scenario("baseline", herdng=0.5)
Traceback (most recent call last):
...
statecraft.errors.ParameterError: baseline: unknown parameter 'herdng' (did you mean 'herding'?)

Sweeps run from experiment files (:func:`run_sweep`) and are read back with
:func:`load_sweep`. ``statecraft --help`` lists the same things on the command line.
"""

from pathlib import Path
from typing import Any

from . import sweep
from .errors import (
    ExperimentError,
    ParameterError,
    ScenarioError,
    StatecraftError,
    SweepError,
)
from .experiment import Experiment, load_experiment
from .files import shipped
from .params import PARAMETERS, Params, format_validation_error, param
from .run import RunResult, simulate
from .scenario import Scenario, load_scenario
from .version import __version__

__all__ = [
    "PARAMETERS",
    "Experiment",
    "ExperimentError",
    "ParameterError",
    "Params",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "StatecraftError",
    "SweepError",
    "__version__",
    "load_experiment",
    "load_scenario",
    "load_sweep",
    "param",
    "run_scenario",
    "run_sweep",
    "shipped_experiments",
    "shipped_scenarios",
    "simulate",
]

#: Seed of a run when neither the call nor the scenario file gives one.
DEFAULT_SEED = 1


def shipped_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package.

    >>> "baseline" in statecraft.shipped_scenarios()
    True
    """
    return list(shipped("scenarios"))


def shipped_experiments() -> list[str]:
    """Names of the experiment files shipped with the package.

    >>> "duplication" in statecraft.shipped_experiments()
    True
    """
    return list(shipped("experiments"))


def run_scenario(
    scenario: str | Path | Scenario | Params = "baseline",
    *,
    seed: int | None = None,
    **overrides: Any,
) -> RunResult:
    """Run one scenario over its whole horizon.

    Parameters
    ----------
    scenario : str, Path, Scenario or Params, default="baseline"
        A shipped scenario's name (``statecraft.shipped_scenarios()``), a scenario file, a loaded
        :class:`Scenario`, or a parameter set.
    seed : int, optional
        Seed of the run's random generator (default: the scenario file's ``seed``, else 1).
    **overrides
        Parameter values applied on top of the scenario, validated (e.g. ``herding=0.8``).

    Returns
    -------
    RunResult
        Its tables (``timeseries``, ``niches``, ``champions``, ``run``), ``summary()``,
        ``dashboard()`` and ``write(folder)``.

    Raises
    ------
    StatecraftError
        One line naming the file or parameter and what was expected.

    Examples
    --------
    >>> r = statecraft.run_scenario("export_cutoff", seed=3, scale=0.05, end_date="2021-12")
    >>> r.run["seed"].item(), r.timeseries["date"].iloc[-1].strftime("%Y-%m")
    (3, '2021-12')
    """
    if isinstance(scenario, Params):
        name, params, file_seed = "custom", scenario, None
    else:
        loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        name, params, file_seed = loaded.name, loaded.params, loaded.seed
    if overrides:
        try:
            params = params.replace(**overrides)
        except ParameterError as err:
            if err.validation_error is None:
                raise
            raise ParameterError(
                format_validation_error(err.validation_error, name),
                validation_error=err.validation_error,
            ) from None
    if seed is None:
        seed = file_seed if file_seed is not None else DEFAULT_SEED
    return simulate(params, seed=seed, scenario=name)


def run_sweep(
    experiment: str | Path | Experiment,
    out: str | Path | None = None,
    **options: Any,
):
    """Run an experiment's sweep (resuming one that was interrupted); see
    :func:`statecraft.sweep.run_sweep` for ``options`` (``workers``, ``scheduler``, ``force``,
    ``retry_failed``, ``progress``).

    Parameters
    ----------
    experiment : str, Path or Experiment
        A shipped experiment's name (``statecraft.shipped_experiments()``), a file, or a loaded one.
    out : str or Path, optional
        Sweep folder (default: ``results/sweeps/<experiment>``).

    Returns
    -------
    statecraft.sweep.SweepSummary
    """
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    return sweep.run_sweep(exp, out or Path("results") / "sweeps" / exp.name, **options)


def load_sweep(folder: str | Path):
    """Read a sweep folder (complete or not) into tidy tables.

    Returns
    -------
    statecraft.sweep.SweepResults
        ``runs`` (design), ``final`` (outcomes), ``timeseries`` and ``table`` (design and
        outcomes merged, one row per run).
    """
    return sweep.load(folder)
