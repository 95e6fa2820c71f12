"""Experiment files: TOML data declaring a sweep, and the design they generate.

An experiment file looks like::

    description = "Herding x coordination"
    scenario = "baseline"        # base scenario: a name in scenarios/ or a path from this file
    seed = 20250701              # root seed; per-run seeds come from SeedSequence(seed).spawn
    replicates = 3               # runs per design point (different seeds)
    horizon = "2030-12"          # optional: last simulated month (sets end_date)
    timeseries = false           # optional: keep full monthly time series, not only final metrics

    [parameters]                 # optional fixed overrides on top of the scenario
    scale = 0.5

    [design]
    kind = "grid"                # grid | lhs | sobol | saltelli | morris
    # samples = 64               # lhs, sobol, saltelli (sobol and saltelli: a power of two);
    #                            # morris: the number of trajectories

    [factors]
    herding = [0.0, 0.5, 1.0]                     # explicit values (grid only)
    coordination = { min = 0.0, max = 0.8, levels = 5 }
    n_city_funds = {}                             # the declared bounds; ints: every integer

Ranges default to the parameter's declared bounds and may only narrow them. Integer parameters
are sampled as integers (each integer of the range equally likely in ``lhs``/``sobol``).
Nothing in the file is executed; every problem is an :class:`ExperimentError` whose message is
one line naming the file and the key.

Designs: ``grid`` is the full factorial of the factor levels; ``lhs`` is a Latin hypercube of
``samples`` points and ``sobol`` ``samples`` points of a scrambled Sobol sequence (both
:mod:`scipy.stats.qmc`). Two designs come from SALib (the ``calibration`` extra):
``saltelli`` is Saltelli's cross-sampling scheme (:func:`SALib.sample.sobol.sample`, first and
total order) — ``samples`` × (``d`` + 2) points in blocks ``A``, ``B`` and ``AB_i`` — from which
:func:`statecraft.sweep.sobol_indices` estimates first-order and total Sobol indices with
:func:`SALib.analyze.sobol.analyze`; ``morris`` is Morris's elementary-effects screening design
of ``samples`` trajectories × (``d`` + 1) points, analysed by
:mod:`statecraft.calibration.sensitivity`.
"""

from __future__ import annotations

import hashlib
import importlib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy.stats import qmc

from .checks import DEFAULT_MAX_RUNS, check_size, design_size
from .errors import ExperimentError, ParameterError, ScenarioError
from .files import did_you_mean, find_data_file, read_toml, shipped_path
from .params import PARAMETERS, Params, format_validation_error, param
from .scenario import load_scenario, resolve

__all__ = [
    "DESIGN_KINDS",
    "Experiment",
    "ExperimentError",
    "Factor",
    "RunSpec",
    "import_salib",
    "load_experiment",
    "saltelli_blocks",
    "saltelli_unit_sample",
    "to_salib_order",
]

DesignKind = Literal["grid", "lhs", "sobol", "saltelli", "morris"]
#: Designs an experiment file may ask for.
DESIGN_KINDS: tuple[str, ...] = get_args(DesignKind)
TOP_LEVEL_KEYS = {
    "description",
    "scenario",
    "seed",
    "replicates",
    "horizon",
    "timeseries",
    "parameters",
    "design",
    "factors",
}
_NAMES = {p.name for p in PARAMETERS}
_SWEEPABLE_KINDS = {"float", "int"}

Number = Annotated[int | float, Field(allow_inf_nan=False)]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DesignSpec(_Schema):
    """The ``[design]`` table."""

    kind: DesignKind = "grid"
    samples: Annotated[int, Field(ge=1, le=2**40)] | None = None


class FactorSpec(_Schema):
    """One entry of ``[factors]``: explicit ``values`` (a grid) or a range."""

    values: Annotated[list[Number], Field(min_length=1, max_length=100_000)] | None = None
    min: Number | None = None
    max: Number | None = None
    levels: Annotated[int, Field(ge=1, le=100_000)] | None = None


class ExperimentFile(_Schema):
    """Shape of an experiment file (the semantics are checked after: bounds, designs)."""

    description: str = ""
    scenario: Annotated[str, Field(min_length=1)]
    seed: Annotated[int, Field(ge=0, lt=2**63)]
    replicates: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    horizon: Any = None  # checked against the scenario's start date below
    timeseries: bool = False
    parameters: dict[str, Any] = {}
    design: DesignSpec = DesignSpec()
    factors: dict[str, Any] = {}  # each value is checked as a FactorSpec once its name is known


#: What each field of the schema expects, in the words of an error message.
_EXPECTED = {
    ("description",): "must be a string",
    ("scenario",): 'required: a scenario name or path (e.g. "baseline")',
    ("seed",): "required: a non-negative integer root seed",
    ("replicates",): "must be an integer in [1, 1000000]",
    ("timeseries",): "must be true or false",
    ("parameters",): "must be a table ([parameters])",
    ("design",): "must be a table ([design])",
    ("design", "kind"): f"must be one of {', '.join(DESIGN_KINDS)}",
    ("design", "samples"): "must be an integer in [1, 2^40]",
    ("factors",): "must be a table ([factors])",
}


def _schema_error(path: Path, err: ValidationError) -> ExperimentError:
    """One line from pydantic's report on an :class:`ExperimentFile`: file, key, what was
    expected and what was found."""
    e = err.errors(include_url=False)[0]
    loc = tuple(str(x) for x in e["loc"])
    got = e.get("input")
    key = ".".join(loc)
    if e["type"] == "extra_forbidden":
        keys = sorted((DesignSpec if loc[0] == "design" else ExperimentFile).model_fields)
        return _err(
            path, key, f"unknown key{did_you_mean(loc[-1], keys)}; expected {', '.join(keys)}"
        )
    expected = _EXPECTED.get(loc, e["msg"].lower())
    if e["type"] == "missing":
        return _err(path, key, expected)
    return _err(path, key, f"{expected}; got {got!r}")


@dataclass(frozen=True)
class Factor:
    """One swept parameter.

    Parameters
    ----------
    name : str
        Declared parameter name.
    kind : {"float", "int"}
        The parameter's declared kind.
    low, high : float
        Inclusive range (within the declared bounds).
    values : tuple or None
        Explicit levels (grid designs), already sorted and checked against the bounds.
    """

    name: str
    kind: str
    low: float
    high: float
    values: tuple[float | int, ...] | None = None

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of the unit interval onto the factor's range.

        Integers get equal-width cells, so each integer of ``[low, high]`` is equally likely.
        """
        if self.kind == "int":
            lo, hi = int(self.low), int(self.high)
            return np.minimum(lo + np.floor(u * (hi - lo + 1)), hi).astype(np.int64)
        return self.low + u * (self.high - self.low)

    def cast(self, value: Any) -> float | int:
        """Return ``value`` as the Python type the parameter declares."""
        return int(value) if self.kind == "int" else float(value)


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: a design point, a replicate and its seed."""

    run_id: str
    point: int
    replicate: int
    seed: int
    factors: dict[str, float | int]
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Experiment:
    """A loaded, validated experiment file (see module docstring)."""

    name: str
    description: str
    path: Path
    scenario: str
    scenario_path: Path
    base: dict[str, Any]
    factors: tuple[Factor, ...]
    design: DesignKind
    samples: int | None
    replicates: int
    seed: int
    timeseries: bool
    sha256: str
    scenario_sha256: str

    def points(self) -> pd.DataFrame:
        """The design: one row per design point, columns ``point``, (``block``), factor names."""
        return design_points(self)

    def runs(self) -> list[RunSpec]:
        """Every run of the experiment: design points × replicates, point-major.

        Run ``(i, r)`` gets the seed of ``SeedSequence(seed).spawn(n_points)[i].spawn(reps)[r]``,
        so adding points or replicates leaves the seeds of existing runs unchanged.
        """
        pts = self.points()
        names = [f.name for f in self.factors]
        children = np.random.SeedSequence(self.seed).spawn(len(pts))
        reps = [c.spawn(self.replicates) for c in children]
        if self.design == "morris":
            # Common random numbers: every point of a Morris trajectory runs on the seeds of the
            # trajectory's first point, so an elementary effect measures the factor's change,
            # not a change of luck.
            per = len(self.factors) + 1
            reps = [reps[(i // per) * per] for i in range(len(pts))]
        elif self.design == "saltelli":
            # Common random numbers per base sample j: A_j and every AB_ij (A_j with one factor
            # from B_j) run on A_j's seeds, B_j on its own. The seed then acts as one more
            # input that AB_i takes from A: Jansen's total index, E[(f(A) - f(AB_i))^2] / 2V,
            # no longer counts seed noise as the factor's effect, and the first-order estimator
            # E[f(B) (f(AB_i) - f(A))] / V still shares only factor i between B and AB_i.
            n = self.samples
            reps = [reps[i] if i // n == 1 else reps[i % n] for i in range(len(pts))]
        runs = []
        for i, row in enumerate(pts.itertuples(index=False)):
            values = {n: f.cast(getattr(row, n)) for n, f in zip(names, self.factors, strict=True)}
            for r, child in enumerate(reps[i]):
                seed = int(child.generate_state(1, dtype=np.uint32)[0])
                runs.append(
                    RunSpec(
                        run_id=f"p{i:05d}-r{r:03d}",
                        point=i,
                        replicate=r,
                        seed=seed,
                        factors=values,
                        overrides={**self.base, **values},
                    )
                )
        return runs

    @property
    def n_runs(self) -> int:
        """Number of runs the experiment asks for."""
        return self.size

    @property
    def size(self) -> int:
        """Number of runs, computed without generating the design."""
        levels = [len(f.values) if f.values is not None else 0 for f in self.factors]
        return design_size(self.design, self.samples, levels, self.replicates)


def _err(path: Path, key: str, msg: str) -> ExperimentError:
    return ExperimentError(f"{path}: {key}: {msg}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _check_value(path: Path, key: str, name: str, v: Any) -> float | int:
    p = param(name)
    lo, hi = p.bounds
    if p.kind == "int" and not _is_int(v):
        raise _err(path, key, f"'{name}' is an integer parameter; got {v!r}")
    if not _is_number(v) or not np.isfinite(v):
        raise _err(path, key, f"must be a number; got {v!r}")
    if not lo <= v <= hi:
        raise _err(path, key, f"{v!r} is outside the declared bounds [{lo:g}, {hi:g}] of '{name}'")
    return v


def _parse_factor(path: Path, name: str, spec: list | FactorSpec, design: str) -> Factor:
    key = f"factors.{name}"
    if name not in _NAMES:
        raise _err(
            path, key, f"unknown parameter{did_you_mean(name, _NAMES)} (see `statecraft params`)"
        )
    p = param(name)
    if p.kind not in _SWEEPABLE_KINDS:
        raise _err(
            path,
            key,
            f"'{name}' is a {p.kind} parameter and cannot be swept; "
            "set it in [parameters] or in the scenario",
        )
    if not isinstance(spec, list | dict):
        raise _err(path, key, "must be a list of values or a table {min, max, levels}")
    try:
        checked = FactorSpec.model_validate({"values": spec} if isinstance(spec, list) else spec)
    except ValidationError as err:
        e = err.errors(include_url=False)[0]
        field = str(e["loc"][0])
        if e["type"] == "extra_forbidden":
            keys = sorted(FactorSpec.model_fields)
            raise _err(
                path,
                f"{key}.{field}",
                f"unknown key{did_you_mean(field, keys)}; expected {', '.join(keys)}",
            ) from None
        what = {
            "values": "must be a non-empty list of numbers",
            "min": "must be a number",
            "max": "must be a number",
            "levels": "must be an integer in [1, 100000]",
        }[field]
        got = e.get("input")
        if p.kind == "int" and field == "values" and isinstance(got, float):
            what = f"'{name}' is an integer parameter"
        raise _err(path, f"{key}.{field}", f"{what}; got {got!r}") from None
    spec = checked.model_dump(exclude_none=True)
    lo, hi = p.bounds
    if "values" in spec:
        if set(spec) - {"values"}:
            raise _err(path, key, "give either 'values' or a range {min, max, levels}, not both")
        if design != "grid":
            raise _err(path, f"{key}.values", f"explicit values need design 'grid'; got '{design}'")
        values = spec["values"]
        checked = [_check_value(path, f"{key}.values", name, v) for v in values]
        if len(set(checked)) != len(checked):
            raise _err(path, f"{key}.values", "values repeat")
        return Factor(name, p.kind, min(checked), max(checked), tuple(checked))
    low = _check_value(path, f"{key}.min", name, spec.get("min", lo))
    high = _check_value(path, f"{key}.max", name, spec.get("max", hi))
    if low > high:
        raise _err(path, key, f"min {low!r} is above max {high!r}")
    if design != "grid":
        if "levels" in spec:
            raise _err(path, f"{key}.levels", f"levels are for design 'grid'; got '{design}'")
        return Factor(name, p.kind, low, high)
    levels = spec.get("levels")
    if levels is None:
        if p.kind != "int":
            raise _err(path, key, "a grid needs 'levels' (a count) or 'values' for a float")
        levels = int(high) - int(low) + 1
    if levels == 1 and low != high:
        raise _err(path, f"{key}.levels", "one level needs min == max")
    # Refused rather than collapsed: the design would silently be smaller than the file says.
    if levels > 1 and low == high:
        raise _err(
            path,
            f"{key}.levels",
            f"min == max ({low!r}) is a single value; {levels} levels would repeat one design "
            "point (use levels = 1, or widen the range)",
        )
    if p.kind == "int" and levels > int(high) - int(low) + 1:
        raise _err(
            path,
            f"{key}.levels",
            f"{levels} levels of an integer over [{low}, {high}] would repeat design points; "
            f"at most {int(high) - int(low) + 1} (omit levels for every integer)",
        )
    grid = np.linspace(low, high, levels)
    if p.kind == "int":
        values = tuple(sorted({round(float(v)) for v in grid}))
    else:
        values = tuple(float(v) for v in grid)
    return Factor(name, p.kind, low, high, values)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scenario_path(path: Path, ref: str) -> Path:
    """Where the experiment's ``scenario`` points: a path (relative to the experiment file), or
    a bare name looked up in the ``scenarios/`` beside the experiment's folder, then in
    ``./scenarios/``, then among the shipped scenarios."""
    ref_path = Path(ref)
    if ref_path.suffix:
        return ref_path if ref_path.is_absolute() else path.parent / ref_path
    beside = path.parent.parent / "scenarios" / f"{ref}.toml"
    if beside.is_file():
        return beside
    local = Path("scenarios") / f"{ref}.toml"
    if local.is_file():
        return local
    return shipped_path("scenarios", ref) or find_data_file(
        ref, "scenarios", "scenario", ExperimentError
    )


def load_experiment(path: str | Path, max_runs: int | None = DEFAULT_MAX_RUNS) -> Experiment:
    """Read and validate an experiment file.

    Parameters
    ----------
    path : str or Path
        The file, or a bare name (``duplication``) looked up as ``experiments/<name>.toml``.
    max_runs : int or None, default=DEFAULT_MAX_RUNS
        Refuse a design of more runs, before generating it (``None``: no limit).

    Returns
    -------
    Experiment

    Raises
    ------
    ExperimentError
        With a one-line message naming the file and key.
    """
    path, data = read_toml(
        path,
        "experiments",
        "experiment",
        ExperimentError,
        TOP_LEVEL_KEYS,
        "fixed parameters go under [parameters]",
        _NAMES,
    )
    try:
        spec = ExperimentFile.model_validate(data)
    except ValidationError as err:
        raise _schema_error(path, err) from None
    description, ref, seed = spec.description, spec.scenario, spec.seed
    replicates, timeseries, horizon = spec.replicates, spec.timeseries, spec.horizon
    kind, samples = spec.design.kind, spec.design.samples
    if kind == "grid":
        if samples is not None:
            raise _err(path, "design.samples", "a grid takes its size from the factor levels")
    else:
        if samples is None:
            raise _err(path, "design.samples", f"design '{kind}' needs an integer >= 1")
        if kind in ("sobol", "saltelli") and samples & (samples - 1):
            raise _err(
                path, "design.samples", f"design '{kind}' needs a power of two; got {samples}"
            )
    if not spec.factors:
        raise _err(path, "factors", "empty design: declare at least one factor under [factors]")
    factors = tuple(_parse_factor(path, n, s, kind) for n, s in spec.factors.items())
    fixed = spec.parameters
    clash = sorted(set(fixed) & set(spec.factors))
    if clash:
        raise _err(path, f"parameters.{clash[0]}", "is also a factor; set it in one place")
    if horizon is not None and ("end_date" in fixed or "end_date" in spec.factors):
        raise _err(path, "horizon", "end_date is set elsewhere too; set it in one place")

    try:
        scenario_path = _scenario_path(path, ref)
        scenario = load_scenario(scenario_path)
    except ScenarioError as err:
        raise _err(path, "scenario", str(err)) from None
    base = {**scenario.overrides, **fixed}
    # Factor values are checked one by one above; the base must hold on its own too.
    try:
        resolve(base, where=f"{path}: [parameters] on scenario '{scenario.name}'")
    except ScenarioError as err:
        raise ExperimentError(str(err)) from None
    if horizon is not None:
        base = {**base, "end_date": _check_horizon(path, base, horizon)}

    exp = Experiment(
        name=path.stem,
        description=description,
        path=path,
        scenario=scenario.name,
        scenario_path=scenario_path,
        base=base,
        factors=factors,
        design=kind,
        samples=samples,
        replicates=replicates,
        seed=seed,
        timeseries=timeseries,
        sha256=_sha256(path),
        scenario_sha256=_sha256(scenario_path),
    )
    check_size(exp, max_runs, where=str(path))
    points = exp.points()
    if points.empty:
        raise _err(path, "design", "empty design: it has no points")
    _check_points(path, base, factors, points)
    return exp


def _check_horizon(path: Path, base: dict[str, Any], horizon: Any) -> str:
    """Validate ``horizon`` (it sets ``end_date``) on ``base``; report it as ``horizon``."""
    month = 'must be a month "YYYY-MM" (the last simulated month)'
    try:
        Params(**{**base, "end_date": horizon})
    except ParameterError as err:
        e = err.validation_error.errors(include_url=False)[0]
        if e.get("loc"):  # the field itself: not a string, or not a month
            raise _err(path, "horizon", f"{month}; got {horizon!r}") from None
        # A cross-field check (base alone holds, so it involves end_date): say horizon.
        msg = str(e.get("msg", "")).removeprefix("Value error, ")
        msg = msg.replace("end_date", "horizon").removeprefix("horizon ")
        raise _err(path, "horizon", msg) from None
    return horizon


def _fmt(v: float | int) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _check_points(
    path: Path, base: dict[str, Any], factors: tuple[Factor, ...], points: pd.DataFrame
) -> None:
    """Validate every design point (base + its factor values) as one run's parameters would be.

    Each factor value is within its bounds already; this catches the cross-field rules
    (shares adding up to 1, ``initial_yield`` <= ``max_yield``, ...) before any run starts.
    Distinct points only: ~20 us each, so the 2,560 Saltelli points take ~50 ms.
    """
    names = [f.name for f in factors]
    seen: set[tuple[float | int, ...]] = set()
    for i, row in enumerate(points[names].itertuples(index=False, name=None)):
        values = tuple(f.cast(v) for f, v in zip(factors, row, strict=True))
        if values in seen:
            continue
        seen.add(values)
        try:
            # A factor may override the scenario's value of the same parameter.
            Params(**{**base, **dict(zip(names, values, strict=True))})
        except ParameterError as err:
            at = ", ".join(f"{n}={_fmt(v)}" for n, v in zip(names, values, strict=True))
            where = f"{path}: factors: design point {i} ({at})"
            raise ExperimentError(format_validation_error(err.validation_error, where)) from None


def _unit_sample(exp: Experiment, d: int) -> np.ndarray:
    rng = np.random.default_rng(exp.seed)
    if exp.design == "lhs":
        return qmc.LatinHypercube(d, rng=rng).random(exp.samples)
    return qmc.Sobol(d, rng=rng).random(exp.samples)


def design_points(exp: Experiment) -> pd.DataFrame:
    """Generate the design of ``exp``.

    Parameters
    ----------
    exp : Experiment

    Returns
    -------
    pandas.DataFrame
        Column ``point`` (0, 1, ...), for ``saltelli`` a column ``block`` (``A``, ``B``,
        ``AB_<factor>``), then one column per factor with values of the declared type.
    """
    names = [f.name for f in exp.factors]
    d = len(names)
    if exp.design == "grid":
        rows = list(itertools.product(*(f.values for f in exp.factors)))
        df = pd.DataFrame(rows, columns=names)
    elif exp.design in ("lhs", "sobol"):
        u = _unit_sample(exp, d)
        df = pd.DataFrame({f.name: f.from_unit(u[:, j]) for j, f in enumerate(exp.factors)})
    elif exp.design == "morris":
        df = _morris_points(exp)
    else:
        where = f"{exp.path}: design.kind: 'saltelli'"
        u = saltelli_unit_sample(d, exp.samples, exp.seed, where)
        df = pd.DataFrame({f.name: f.from_unit(u[:, j]) for j, f in enumerate(exp.factors)})
        df.insert(0, "block", saltelli_blocks(names, exp.samples))
    df.insert(0, "point", np.arange(len(df), dtype=np.int64))
    return df


#: Levels of the Morris grid (Morris 1991; Campolongo et al. 2007 recommend 4).
MORRIS_LEVELS = 4


def _morris_points(exp: Experiment) -> pd.DataFrame:
    """Morris (1991) elementary-effects design: ``samples`` trajectories of d + 1 points each.

    Generated by :func:`SALib.sample.morris.sample` on the unit cube with
    :data:`MORRIS_LEVELS` levels and the experiment's seed, then mapped onto each factor's range;
    consecutive points of a trajectory differ in one factor. Trajectory ``t`` is points
    ``t (d + 1)`` to ``t (d + 1) + d``; :mod:`statecraft.calibration.sensitivity` analyses it.
    """
    morris = import_salib("sample.morris", f"{exp.path}: design.kind: 'morris'", ExperimentError)
    problem = {
        "num_vars": len(exp.factors),
        "names": [f.name for f in exp.factors],
        "bounds": [[0.0, 1.0]] * len(exp.factors),
    }
    u = morris.sample(problem, exp.samples, num_levels=MORRIS_LEVELS, seed=exp.seed)
    return pd.DataFrame({f.name: f.from_unit(u[:, j]) for j, f in enumerate(exp.factors)})


# --- Saltelli ------------------------------------------------------------------------------------
def import_salib(module: str, what: str, error: type[Exception]) -> Any:
    """``SALib.<module>``, or ``error`` saying that ``what`` needs the ``calibration`` extra.

    SALib is an optional dependency: the grid, LHS and Sobol-sequence designs work without it.
    """
    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError:
        raise error(f"{what} needs SALib: pip install 'statecraft[calibration]'") from None


def saltelli_blocks(factors: list[str], samples: int) -> np.ndarray:
    """Block label of every point of a ``saltelli`` design, in point order.

    The design is stored block by block: ``samples`` points of ``A``, then of ``B``, then of
    ``AB_<factor>`` for each factor in order; point ``k`` of a block is base sample ``k``. (SALib
    interleaves them per base sample; :func:`to_salib_order` converts. The stored order is the
    one sweeps have always had, so their folders, point numbers and seeds stay valid.)
    """
    labels = np.array(["A", "B", *[f"AB_{f}" for f in factors]])
    return np.repeat(labels, samples)


def saltelli_unit_sample(d: int, samples: int, seed: int, where: str = "saltelli") -> np.ndarray:
    """Saltelli's design on the unit cube, ``samples`` × (``d`` + 2) rows in stored order.

    :func:`SALib.sample.sobol.sample` (first and total order, scrambled) with a generator seeded
    by ``seed``: ``A`` and ``B`` are the two halves of one ``2 d``-dimensional Sobol sequence,
    ``AB_i`` is ``A`` with column ``i`` from ``B``. The rows are then put in the stored order
    (see :func:`saltelli_blocks`).

    Raises
    ------
    ExperimentError
        If SALib is not installed (``where`` starts the message).
    """
    sobol = import_salib("sample.sobol", where, ExperimentError)
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    # A Generator, not the int: SALib hands `seed` to scipy's qmc.Sobol, which seeds a generator
    # given an int differently than np.random.default_rng(seed) (the design's historic seeding).
    x = sobol.sample(problem, samples, calc_second_order=False, seed=np.random.default_rng(seed))
    # SALib's rows per base sample j: A_j, AB_1j, ..., AB_dj, B_j -> blocks A, B, AB_1 .. AB_d.
    per_sample = x.reshape(samples, d + 2, d)
    order = [0, d + 1, *range(1, d + 1)]
    return per_sample[:, order, :].transpose(1, 0, 2).reshape(-1, d)


def to_salib_order(y: np.ndarray, d: int, samples: int, n: int | None = None) -> np.ndarray:
    """Outputs of a ``saltelli`` design from stored order (see :func:`saltelli_blocks`) to
    SALib's: for each base sample ``A_j, AB_1j, ..., AB_dj, B_j``.

    Parameters
    ----------
    y : numpy.ndarray
        One output per design point, in point order (``samples`` × (``d`` + 2) of them).
    d : int
        Number of factors.
    samples : int
        Base samples of the design (the size of each block).
    n : int, optional
        Keep only the first ``n`` base samples (default: all). The first ``n`` points of a Sobol
        sequence, ``n`` a power of two, are a balanced design of their own.
    """
    n = samples if n is None else n
    blocks = np.asarray(y).reshape(d + 2, samples)[:, :n]
    order = [0, *range(2, d + 2), 1]
    return blocks[order].T.reshape(-1)
