"""Calibrate the influential assumptions to the calibration targets with ABC-SMC (pyabc).

``statecraft calibrate [SCENARIO]`` reads a calibration file (default: the shipped
``calibrate.toml``): which assumptions to fit and their uniform prior ranges, the common seeds,
the population per generation and the budget. It then runs pyabc's ABC-SMC:

- **Model.** A candidate parameter set is run on the same ``seeds`` seeds as every other
  candidate (*common random numbers*: candidates differ by their parameters, not by their luck),
  and each calibration target's statistic is averaged over those runs.
- **Distance** (:func:`~statecraft.calibration.outcomes.distance`). The root-mean-square
  standardised deviation over the calibration targets. A two-sided band contributes
  ``(model - reported) / half-width``, and a one-sided band (a direction, or "more than X")
  contributes 0 inside and the excess over the edge outside. A value of about 1 means every
  target sits at the edge of its band. Held-out targets are never read.
- **Schedule.** pyabc's adaptive (median) epsilon, an adaptive multivariate normal kernel, a
  fixed population, stopping at ``min_epsilon``, after ``generations``, or when ``budget``
  candidates have been simulated (checked after each generation, as pyabc does).

It writes ``<out>/abc.db`` (pyabc's history), ``<out>/posterior.csv`` (the last generation's
particles and weights) and ``<out>/report.md``. It also writes a **calibrated scenario**,
``scenarios/<scenario>_calibrated.toml`` by default. That file holds the base scenario's
overrides plus the posterior means, with the posterior summary and the fit's quality in
comments. It never overwrites the scenario it started from. Finally, ``predictive`` draws from
the posterior are run to 2030, each with its own seed, to give posterior-predictive intervals
for the README's headline questions. These intervals carry parameter uncertainty as well as
seed noise.
"""

from __future__ import annotations

import math
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, field_validator, model_validator

from ..errors import CalibrationError
from ..evaluate import check_workers
from ..files import (
    check_integers,
    check_output_file,
    check_output_folder,
    did_you_mean,
    toml_problem,
)
from ..params import PARAMETERS, param
from ..scenario import load_scenario, resolve
from .outcomes import NAN_PENALTY, OUTCOMES, distance, outcomes, target_z
from .runner import run_many, seeds_for
from .schema import FieldError, FiniteNumber, Schema, one_line
from .targets import Target, check_horizon, evaluate, load_targets

__all__ = [
    "NAN_PENALTY",
    "CalibrationConfig",
    "CalibrationError",
    "CalibrationResult",
    "calibrate",
    "distance",
    "load_config",
    "target_z",
]

_NAMES = {p.name for p in PARAMETERS}
#: What a calibration writes in its output folder (pyabc's database and SQLite's side files
#: included): all it may replace there.
CALIBRATION_FILES = frozenset(
    {"abc.db", "abc.db-journal", "abc.db-wal", "abc.db-shm", "posterior.csv", "predictive.csv"}
    | {"report.md"}
)


# --- configuration ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CalibrationConfig:
    """A validated calibration file (see module docstring).

    Attributes
    ----------
    path : Path
    priors : dict
        Fitted assumption -> (low, high) of its uniform prior.
    seeds : int
        Common seeds per candidate.
    root_seed : int
    scale : float or None
        Override of the scenario's ``scale`` (None: the scenario's own).
    population : int
        Particles per generation.
    budget : int
        Most candidates simulated in all (each costs ``seeds`` runs).
    generations : int
    min_epsilon : float
        Stop once the acceptance threshold falls below this distance.
    predictive : int
        Posterior draws for the predictive intervals.
    """

    path: Path
    priors: dict[str, tuple[float, float]]
    seeds: int
    root_seed: int
    scale: float | None
    population: int
    budget: int
    generations: int
    min_epsilon: float
    predictive: int


def default_config_path() -> Path:
    """The calibration file shipped with the package."""
    return Path(str(resources.files("statecraft.calibration").joinpath("calibrate.toml")))


class Prior(Schema):
    """A fitted assumption's uniform prior, ``{ min, max }`` (each defaults to the declared
    bound)."""

    min: FiniteNumber | None = None
    max: FiniteNumber | None = None


class ConfigFile(Schema):
    """A calibration file (see the module docstring); defaults are the shipped file's fallbacks."""

    description: str = ""
    seeds: Annotated[int, Field(ge=1)] = 2
    root_seed: Annotated[int, Field(ge=0)] = 1
    scale: Annotated[FiniteNumber, Field(gt=0)] | None = None
    population: Annotated[int, Field(ge=2)] = 50
    budget: Annotated[int, Field(ge=1)] = 1000
    generations: Annotated[int, Field(ge=1)] = 10
    min_epsilon: Annotated[FiniteNumber, Field(ge=0)] = 0.5
    predictive: Annotated[int, Field(ge=1)] = 40
    parameters: Annotated[dict[str, Prior], Field(min_length=1)]

    @field_validator("parameters", mode="before")
    @classmethod
    def _fittable(cls, table: Any) -> Any:
        for name in table if isinstance(table, dict) else ():
            if name not in _NAMES:
                hint = did_you_mean(name, _NAMES) or " (see `statecraft params` for the list)"
                raise FieldError(name, f"unknown parameter{hint}")
            p = param(name)
            if not p.is_assumption:
                raise FieldError(
                    name,
                    f"'{name}' is not an assumption (its value comes from "
                    f"{p.source.split(':')[0]}); only assumptions are calibrated",
                )
            if p.kind != "float":
                raise FieldError(
                    name,
                    f"'{name}' is a {p.kind} parameter; only real-valued assumptions are fitted "
                    "(fix it in the scenario)",
                )
        return table

    @model_validator(mode="after")
    def _consistent(self) -> ConfigFile:
        if self.budget < self.population:
            raise FieldError(
                "budget",
                f"{self.budget} candidates cannot fill one generation of {self.population} "
                "particles; raise the budget or lower the population",
            )
        for name, prior in self.parameters.items():
            lo, hi = param(name).bounds
            low = lo if prior.min is None else prior.min
            high = hi if prior.max is None else prior.max
            if not lo <= low < high <= hi:
                raise FieldError(
                    f"parameters.{name}",
                    f"the prior must satisfy {lo:g} <= min < max <= {hi:g} (the declared "
                    f"bounds); got min={low!r}, max={high!r}",
                )
        return self

    def priors(self) -> dict[str, tuple[float, float]]:
        """Fitted assumption -> (low, high) of its uniform prior."""
        out = {}
        for name, prior in self.parameters.items():
            lo, hi = param(name).bounds
            out[name] = (
                float(lo if prior.min is None else prior.min),
                float(hi if prior.max is None else prior.max),
            )
        return out


#: What each key of a calibration file must be, in the words of an error message.
_EXPECTED = {
    "description": "must be a string",
    "seeds": "must be an integer >= 1",
    "root_seed": "must be an integer >= 0",
    "scale": "must be a number > 0",
    "population": "must be an integer >= 2",
    "budget": "must be an integer >= 1",
    "generations": "must be an integer >= 1",
    "min_epsilon": "must be a number >= 0",
    "predictive": "must be an integer >= 1",
    "parameters": "required: the assumptions to fit, as name = { min, max }",
    "parameters.*": "must be a table { min = ..., max = ... }",
    "min": "must be a number",
    "max": "must be a number",
}


def _keys(loc: tuple[str, ...]) -> list[str]:
    return list(Prior.model_fields if loc[:1] == ("parameters",) else ConfigFile.model_fields)


def load_config(
    path: str | Path | None = None,
    budget: int | None = None,
    population: int | None = None,
    predictive: int | None = None,
) -> CalibrationConfig:
    """Read and check a calibration file; ``budget``, ``population`` and ``predictive``
    override it.

    Raises
    ------
    CalibrationError
        One line naming the file and key: an unknown key or parameter, a parameter that is not
        an assumption (or cannot be fitted), a prior outside the declared bounds, a budget
        smaller than one generation.
    """
    path = default_config_path() if path is None else Path(path)
    if not path.is_file():
        raise CalibrationError(f"{path}: no such calibration file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:  # TOMLDecodeError, or an integer too long to convert
        raise CalibrationError(f"{path}: malformed TOML: {toml_problem(err)}") from None
    check_integers(data, path, CalibrationError)
    given = {"budget": budget, "population": population, "predictive": predictive}
    data.update({k: v for k, v in given.items() if v is not None})
    try:
        cfg = ConfigFile.model_validate(data)
    except ValidationError as err:
        raise CalibrationError(one_line(path, err, _EXPECTED, _keys)) from None
    return CalibrationConfig(
        path=path,
        priors=cfg.priors(),
        seeds=cfg.seeds,
        root_seed=cfg.root_seed,
        scale=float(cfg.scale) if cfg.scale is not None else None,
        population=cfg.population,
        budget=cfg.budget,
        generations=cfg.generations,
        min_epsilon=float(cfg.min_epsilon),
        predictive=cfg.predictive,
    )


# --- the fit ------------------------------------------------------------------------------------
class _Simulator:
    """The pyabc model: a candidate -> its distance, over the common seeds (picklable)."""

    def __init__(
        self, base: dict[str, Any], seeds: list[int], targets: tuple[Target, ...], scale: float
    ):
        self.base, self.seeds, self.targets, self.scale = base, seeds, targets, scale

    def statistics(self, overrides: Mapping[str, float]) -> dict[str, float]:
        """Mean over the common seeds of each target's statistic."""
        series = run_many(
            [({**self.base, **overrides}, s) for s in self.seeds], workers=1, label="calibrate"
        )
        return {
            t.id: float(np.nanmean([evaluate(t, ts, self.scale) for ts in series]))
            if any(np.isfinite(evaluate(t, ts, self.scale)) for ts in series)
            else math.nan
            for t in self.targets
        }

    def __call__(self, pars: Mapping[str, float]) -> dict[str, float]:
        values = self.statistics({k: float(v) for k, v in pars.items()})
        return {"distance": distance(self.targets, values)}


def _abc_distance(x: Mapping[str, float], x0: Mapping[str, float]) -> float:
    return float(x["distance"])


@dataclass(frozen=True)
class CalibrationResult:
    """What :func:`calibrate` produced.

    Attributes
    ----------
    posterior : pandas.DataFrame
        The last generation: one column per fitted assumption, ``weight``.
    summary : pandas.DataFrame
        Per fitted assumption: prior range, posterior mean, sd, 5 % and 95 % quantiles, default.
    fit : pandas.DataFrame
        Per calibration target: reported, band, model at the defaults and at the posterior mean.
    predictive : pandas.DataFrame
        Posterior-predictive 5 %, 50 %, 95 % of each headline outcome.
    scenario_path : Path
    simulations : int
    epsilon : float
    exhausted : bool
        True when the budget ended the run before ``min_epsilon`` was reached.
    report : str
        Markdown.
    """

    posterior: pd.DataFrame
    summary: pd.DataFrame
    fit: pd.DataFrame
    predictive: pd.DataFrame
    scenario_path: Path
    simulations: int
    epsilon: float
    exhausted: bool
    report: str


def _wquantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    return float(np.interp(q, cw / cw[-1], x[order]))


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list | tuple) and all(not isinstance(x, dict) for x in v):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise CalibrationError(f"cannot write parameter value {v!r} to a scenario file")


def _scenario_text(
    name: str, base: dict[str, Any], fitted: dict[str, float], comments: list[str]
) -> str:
    lines = [f"# {c}" if c else "#" for c in comments]
    lines += [
        f'description = "{name} with its influential assumptions calibrated (statecraft '
        'calibrate)"',
        "",
        "[parameters]",
    ]
    tables = []
    for k, v in base.items():
        if k in fitted:
            continue
        if isinstance(v, list | tuple) and v and isinstance(v[0], dict):
            for row in v:
                tables.append(f"\n[[parameters.{k}]]")
                tables += [f"{kk} = {_toml_value(vv)}" for kk, vv in row.items()]
        else:
            lines.append(f"{k} = {_toml_value(v)}")
    lines += [f"{k} = {v!r}" for k, v in fitted.items()]
    return "\n".join(lines + tables) + "\n"


def calibrate(
    scenario: str | Path = "baseline",
    *,
    config: str | Path | None = None,
    budget: int | None = None,
    population: int | None = None,
    predictive: int | None = None,
    out: str | Path | None = None,
    scenario_out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> CalibrationResult:
    """Fit the assumptions of ``config`` to the calibration targets (see module docstring).

    Parameters
    ----------
    scenario : str or Path, default="baseline"
    config : str or Path, optional
        Calibration file (default: the shipped ``calibrate.toml``).
    budget, population, predictive : int, optional
        Override the file's.
    out : str or Path, optional
        Output directory (default ``results/calibration/<scenario>``).
    scenario_out : str or Path, optional
        Calibrated scenario (default ``scenarios/<scenario>_calibrated.toml`` beside the base).
    workers : int, optional
        Local processes (default: all CPUs; 1: in this process).
    scheduler : str, optional
        Dask scheduler address (pyabc's Dask sampler).

    Raises
    ------
    CalibrationError
        Bad configuration, a scenario output that would overwrite the base scenario, or a
        budget exhausted before the first generation.
    """
    import pyabc

    cfg = load_config(config, budget=budget, population=population, predictive=predictive)
    sc = load_scenario(scenario)
    targets = tuple(t for t in load_targets() if t.role == "calibrate")
    check_horizon(targets, sc.params.start_date, sc.params.end_date, f"scenario '{sc.name}'")
    base = dict(sc.overrides)
    if cfg.scale is not None:
        base["scale"] = cfg.scale
    scale = float(base.get("scale", sc.params.scale))
    end = max(m for t in targets for m in t.months)
    sim_base = {**base, "end_date": end}
    resolve(sim_base, where=f"scenario '{sc.name}'")
    seeds = seeds_for(cfg.root_seed, cfg.seeds)
    if workers is not None:
        check_workers(workers)  # pyabc would start that many processes
    out = Path(out) if out is not None else Path("results") / "calibration" / sc.name
    check_output_folder(out, CALIBRATION_FILES, "a calibration output", error=CalibrationError)
    scen_path = (
        Path(scenario_out)
        if scenario_out is not None
        else Path(sc.path).parent / f"{sc.name}_calibrated.toml"
    )
    check_output_file(scen_path, "--scenario-out", error=CalibrationError)
    out.mkdir(parents=True, exist_ok=True)
    if scen_path.resolve() == Path(sc.path).resolve():
        raise CalibrationError(
            f"{scen_path}: would overwrite the scenario being calibrated; choose --scenario-out"
        )

    simulator = _Simulator(sim_base, seeds, targets, scale)
    prior = pyabc.Distribution(
        **{n: pyabc.RV("uniform", lo, hi - lo) for n, (lo, hi) in cfg.priors.items()}
    )
    if scheduler:
        from distributed import Client

        client = Client(scheduler, timeout="30s", set_as_default=False)
        sampler = pyabc.sampler.DaskDistributedSampler(dask_client=client)
    elif workers == 1:
        client = None
        sampler = pyabc.sampler.SingleCoreSampler()
    else:
        client = None
        sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    t0 = time.perf_counter()
    try:
        abc = pyabc.ABCSMC(
            simulator,
            prior,
            _abc_distance,
            population_size=cfg.population,
            sampler=sampler,
        )
        db = out / "abc.db"
        db.unlink(missing_ok=True)
        abc.new(f"sqlite:///{db.resolve()}", {"distance": 0.0})
        degenerated = ""
        try:
            history = abc.run(
                minimum_epsilon=cfg.min_epsilon,
                max_nr_populations=cfg.generations,
                max_total_nr_simulations=cfg.budget,
            )
        except AssertionError as exc:
            # pyabc asserts that a generation's importance weights sum to a finite number; with
            # few particles in many dimensions the proposal density can underflow and the
            # weights become infinite. The generations completed before are valid: stop there.
            history = abc.history
            degenerated = (
                f"generation {history.n_populations + 1} failed ({exc}); raise the population "
                f"(now {cfg.population}) for a smoother proposal"
            )
    finally:
        if client is not None:
            client.close()
    elapsed = time.perf_counter() - t0
    if history.max_t < 0:
        raise CalibrationError(
            f"budget exhausted: {cfg.budget} candidates did not complete one generation of "
            f"{cfg.population}; raise --budget"
        )
    pops = history.get_all_populations()
    epsilon = float(pops["epsilon"].iloc[-1])
    sims = int(history.total_nr_simulations)
    exhausted = (
        not degenerated and epsilon > cfg.min_epsilon and history.n_populations < cfg.generations
    )
    df, w = history.get_distribution(m=0, t=history.max_t)
    names = list(cfg.priors)
    df = df[names].astype(float)
    w = np.asarray(w, dtype=float) / np.sum(w)
    posterior = df.assign(weight=w).reset_index(drop=True)
    posterior.to_csv(out / "posterior.csv", index=False)
    rows = []
    fitted: dict[str, float] = {}
    for n in names:
        x = df[n].to_numpy()
        mean = float(np.sum(w * x))
        sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
        fitted[n] = float(f"{mean:.6g}")
        rows.append(
            {
                "parameter": n,
                "prior_low": cfg.priors[n][0],
                "prior_high": cfg.priors[n][1],
                "default": param(n).default,
                "mean": mean,
                "sd": sd,
                "q05": _wquantile(x, w, 0.05),
                "q95": _wquantile(x, w, 0.95),
            }
        )
    summary = pd.DataFrame(rows)

    # Fit quality on the common seeds: defaults vs posterior mean.
    at_default = simulator.statistics({})
    at_post = simulator.statistics(fitted)
    fit = pd.DataFrame(
        [
            {
                "id": t.id,
                "reported": t.reported,
                "band": t.band(),
                "default": at_default[t.id],
                "calibrated": at_post[t.id],
                "passes_default": t.passes(at_default[t.id]),
                "passes_calibrated": t.passes(at_post[t.id]),
            }
            for t in targets
        ]
    )
    d_default, d_post = distance(targets, at_default), distance(targets, at_post)

    # Posterior predictive: draws of the last generation, each with its own seed, to 2030.
    rng = np.random.default_rng(cfg.root_seed)
    idx = rng.choice(len(df), size=cfg.predictive, p=w)
    pseeds = seeds_for(cfg.root_seed + 1, cfg.predictive)
    draws = [{**base, **{n: float(df[n].iloc[i]) for n in names}} for i in idx]
    series = run_many(
        list(zip(draws, pseeds, strict=True)),
        workers=workers,
        scheduler=scheduler,
        label="posterior",
    )
    seed_only = run_many(
        [({**base, **fitted}, s) for s in pseeds], workers=workers, scheduler=scheduler
    )
    pp = pd.DataFrame([outcomes(ts, d) for ts, d in zip(series, draws, strict=True)])
    so = pd.DataFrame([outcomes(ts, {**base, **fitted}) for ts in seed_only])
    predictive = pd.DataFrame(
        [
            {
                "outcome": o,
                "label": OUTCOMES[o],
                "q05": float(pp[o].quantile(0.05)),
                "median": float(pp[o].median()),
                "q95": float(pp[o].quantile(0.95)),
                "seed_q05": float(so[o].quantile(0.05)),
                "seed_q95": float(so[o].quantile(0.95)),
            }
            for o in OUTCOMES
            if o != "calibration_distance"
        ]
    )
    predictive.to_csv(out / "predictive.csv", index=False)

    stop = (
        f"stopped early: {degenerated}; the posterior is the last complete generation "
        f"({history.n_populations} generations, {sims} candidates, epsilon {epsilon:.3g})"
        if degenerated
        else f"budget exhausted after {sims} candidates (epsilon {epsilon:.3g} > min_epsilon "
        f"{cfg.min_epsilon:g}); the posterior is the last complete generation"
        if exhausted
        else f"stopped after {history.n_populations} generations, {sims} candidates, "
        f"epsilon {epsilon:.3g}"
    )
    comments = [
        f"Calibrated from scenario '{sc.name}' by `statecraft calibrate` ({cfg.path.name}).",
        f"ABC-SMC (pyabc): {history.n_populations} generations of {cfg.population}, {stop}.",
        f"{cfg.seeds} common seeds per candidate, scale {scale:g}; distance = RMS standardised "
        "deviation over the calibration targets.",
        f"Distance at the defaults {d_default:.3f}; at the posterior mean {d_post:.3f}.",
        "Posterior (mean, sd, 5-95 %; prior range):",
        *(
            f"  {r.parameter}: {r.mean:.4g} (sd {r.sd:.2g}; {r.q05:.4g}-{r.q95:.4g}; prior "
            f"{r.prior_low:g}-{r.prior_high:g}; default {r.default:g})"
            for r in summary.itertuples()
        ),
        "Held-out targets were not used; check them with `statecraft validate` on this file.",
        "",
    ]
    scen_path.parent.mkdir(parents=True, exist_ok=True)
    scen_path.write_text(_scenario_text(sc.name, base, fitted, comments), encoding="utf-8")
    load_scenario(scen_path)  # what we wrote must load

    report = _report(sc.name, cfg, summary, fit, predictive, stop, d_default, d_post, elapsed)
    report += f"\nWrote {scen_path} and {out}/ (abc.db, posterior.csv, predictive.csv).\n"
    (out / "report.md").write_text(report, encoding="utf-8")
    return CalibrationResult(
        posterior=posterior,
        summary=summary,
        fit=fit,
        predictive=predictive,
        scenario_path=scen_path,
        simulations=sims,
        epsilon=epsilon,
        exhausted=exhausted,
        report=report,
    )


def _f(x: float) -> str:
    if isinstance(x, str):
        return x
    if not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _report(name, cfg, summary, fit, predictive, stop, d_default, d_post, elapsed) -> str:
    lines = [
        f"## Calibration of `{name}` ({cfg.path.name})",
        "",
        f"ABC-SMC: {stop}; {cfg.seeds} common seeds per candidate; {elapsed:.0f} s.",
        f"Distance (RMS standardised deviation): defaults {d_default:.3f} → posterior mean "
        f"{d_post:.3f}.",
        "",
        "| assumption | prior | default | posterior mean ± sd | 90 % interval |",
        "|---|---|---|---|---|",
    ]
    for r in summary.itertuples():
        lines.append(
            f"| `{r.parameter}` | {r.prior_low:g}–{r.prior_high:g} | {r.default:g} | "
            f"{r.mean:.4g} ± {r.sd:.2g} | {r.q05:.4g}–{r.q95:.4g} |"
        )
    lines += [
        "",
        f"Fit (mean over the {cfg.seeds} common seeds): "
        f"{int(fit['passes_default'].sum())} of {len(fit)} calibration targets pass at the "
        f"defaults, {int(fit['passes_calibrated'].sum())} at the posterior mean.",
        "",
        "| target | reported | band | defaults | calibrated |",
        "|---|---|---|---|---|",
    ]
    for r in fit.itertuples():
        lines.append(
            f"| {r.id} | {_f(r.reported)} | {r.band} | {_f(r.default)}"
            f"{'' if r.passes_default else ' ✗'} | {_f(r.calibrated)}"
            f"{'' if r.passes_calibrated else ' ✗'} |"
        )
    lines += [
        "",
        f"Posterior-predictive intervals ({cfg.predictive} posterior draws, one seed each) "
        "against seed noise alone at the posterior mean:",
        "",
        "| outcome | median | 90 % posterior-predictive | 90 % seeds only |",
        "|---|---|---|---|",
    ]
    for r in predictive.itertuples():
        lines.append(
            f"| {r.label} | {_f(r.median)} | {_f(r.q05)}–{_f(r.q95)} | "
            f"{_f(r.seed_q05)}–{_f(r.seed_q95)} |"
        )
    return "\n".join(lines) + "\n"
