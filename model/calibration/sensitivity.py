"""Global sensitivity: Morris screening of every assumption, then Sobol indices with confidence
intervals on the influential ones, from sweeps run by ``statecraft sweep``.

Workflow (each sweep is resumable, runs on local processes or on Dask)::

    python -m statecraft.calibration.sensitivity experiments/morris.toml   # (re)write the design
    statecraft sweep morris                        # ~100 assumptions x (r trajectories)
    statecraft sensitivity results/sweeps/morris --write-sobol experiments/sobol_influential.toml
    statecraft sweep sobol_influential             # Saltelli design over the influential ones
    statecraft sensitivity results/sweeps/sobol_influential

**Factors.** Every declared *assumption* (:attr:`Param.is_assumption`) that a sweep can vary:
numbers, except ``scale`` (a size knob, not a claim about the world) and the share groups that
must add up to 1 (varying one share alone is not a valid parameter set). The range of each is
±50 % around its default, clipped to the declared bounds (a default of 0 spans the lowest
quarter of the bounds); ``initial_yield`` stays below ``max_yield`` and ``designer_rd_share`` +
``foundry_reinvest_share`` at most 1 at every corner. The declared bounds are much wider than
plausible values (they are validity limits), so ±50 % is a deliberate, documented choice.

**Outputs.** Each run's monthly series gives :data:`OUTCOMES` (defined in :mod:`.outcomes`): one
number for each of the README's five questions, the duplication index, and the calibration
distance (:func:`~statecraft.calibration.outcomes.distance`) over the calibration targets.

**Morris** (Campolongo et al. 2007): ``mu*`` (mean absolute elementary effect, with a bootstrap
95 % interval) and ``sigma`` per factor and outcome, from :func:`SALib.analyze.morris.analyze`.
Effects are normalised by the outcome's standard deviation over the design so that outcomes can
be compared; a factor's *influence* is its largest normalised ``mu*`` over the outcomes. The
ranking is checked for stability by comparing the first half of the trajectories with all of them.

**Sobol** (Saltelli 2010): first-order and total indices with bootstrap 95 % intervals from
:func:`SALib.analyze.sobol.analyze` on the stored ``saltelli`` design (SALib's own sample;
:func:`statecraft.sweep.results.saltelli_indices`). **Convergence**: the indices from the first
half of the base samples (a Sobol sequence, so the first half is itself a balanced design) are
compared with those from all of them; a factor's total index is stable when the two differ by
less than :data:`STABLE_TOL` or than the interval's half-width.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SensitivityError
from ..files import read_cache, write_cache
from ..params import PARAMETERS, SHARE_GROUPS, Param
from ..sweep import load
from ..sweep.results import saltelli_indices
from ..sweep.store import model_code_digest, table_digest
from .outcomes import OUTCOMES, outcomes

__all__ = [
    "OUTCOMES",
    "STABLE_TOL",
    "calibration_candidates",
    "choose_influential",
    "influence",
    "morris_experiment_text",
    "morris_factors",
    "morris_indices",
    "outcomes",
    "report",
    "sobol_indices_ci",
]

#: Largest change of a total Sobol index between N/2 and N samples still called stable.
STABLE_TOL = 0.05
_EXCLUDED = {"scale": "a size knob, not a claim about the world"}


# --- factors ------------------------------------------------------------------------------------
def _range(p: Param) -> tuple[float, float]:
    lo, hi = p.bounds
    if p.default == 0:
        low, high = lo, lo + 0.25 * (hi - lo)
    else:
        low, high = sorted((0.5 * p.default, 1.5 * p.default))
    low, high = max(low, lo), min(high, hi)
    if p.kind == "int":
        low, high = math.floor(low), math.ceil(high)
        if low == high:
            high = min(low + 1, hi)
    return low, high


def morris_factors() -> tuple[list[tuple[str, float, float]], dict[str, str]]:
    """Every sweepable assumption with its screening range, and those left out with why.

    Returns
    -------
    factors : list of (name, low, high)
    excluded : dict
        Assumption name -> reason it is not a factor.
    """
    shares = {n for g in SHARE_GROUPS for n in g}
    factors: dict[str, tuple[float, float]] = {}
    excluded: dict[str, str] = {}
    for p in PARAMETERS:
        if not p.is_assumption:
            continue
        if p.kind not in ("float", "int"):
            excluded[p.name] = f"a {p.kind}, not a number"
        elif p.name in _EXCLUDED:
            excluded[p.name] = _EXCLUDED[p.name]
        elif p.name in shares:
            excluded[p.name] = "one of a group of shares that must add up to 1"
        else:
            factors[p.name] = _range(p)
    # Cross-field rules of Params hold at every corner of the box.
    if {"initial_yield", "max_yield"} <= set(factors):
        lo, _hi = factors["max_yield"]
        ilo, ihi = factors["initial_yield"]
        factors["initial_yield"] = (min(ilo, 0.95 * lo), min(ihi, 0.95 * lo))
    if {"designer_rd_share", "foundry_reinvest_share"} <= set(factors):
        (a0, a1), (b0, b1) = factors["designer_rd_share"], factors["foundry_reinvest_share"]
        if a1 + b1 > 1:
            k = 1.0 / (a1 + b1)
            factors["designer_rd_share"] = (min(a0, a1 * k), a1 * k)
            factors["foundry_reinvest_share"] = (min(b0, b1 * k), b1 * k)
    return [(n, lo, hi) for n, (lo, hi) in factors.items()], excluded


def morris_experiment_text(trajectories: int = 10, seed: int = 20251123) -> str:
    """An experiment file: a Morris design over :func:`morris_factors` on the baseline."""
    factors, excluded = morris_factors()
    comments = [
        "# Morris screening of every assumption (generated by",
        "# `python -m statecraft.calibration.sensitivity experiments/morris.toml`;",
        "# regenerate it after parameters change). Ranges: +-50 % around each default, clipped",
        "# to the declared bounds (see statecraft.calibration.sensitivity).",
        f"# {len(factors)} factors x {trajectories} trajectories x (factors + 1) points.",
        "# Analyse with `statecraft sensitivity results/sweeps/morris`.",
        "# Assumptions left out:",
        *(f"#   {n}: {why}" for n, why in excluded.items()),
    ]
    return _experiment_text(
        comments,
        "Morris screening of every numeric modelling assumption",
        "morris",
        trajectories,
        seed,
        factors,
    )


def sobol_experiment_text(
    factors: list[tuple[str, float, float]], samples: int = 256, seed: int = 20251124
) -> str:
    """An experiment file: a Saltelli design over ``factors`` (name, low, high)."""
    comments = [
        "# Sobol indices of the influential assumptions found by Morris screening (generated by",
        "# `statecraft sensitivity results/sweeps/morris --write-sobol FILE`). Same ranges as",
        f"# the screening. {samples} base samples x (factors + 2) points; the analysis checks",
        "# convergence by comparing the first half of the base samples with all of them.",
    ]
    return _experiment_text(
        comments,
        "Sobol indices (with confidence intervals) of the influential assumptions",
        "saltelli",
        samples,
        seed,
        factors,
    )


def _experiment_text(
    comments: list[str],
    description: str,
    kind: str,
    samples: int,
    seed: int,
    factors: list[tuple[str, float, float]],
) -> str:
    """The text of a one-replicate experiment on the baseline that keeps time series."""
    lines = [
        *comments,
        f'description = "{description}"',
        'scenario = "baseline"',
        f"seed = {seed}",
        "replicates = 1",
        "timeseries = true",
        "",
        "[design]",
        f'kind = "{kind}"',
        f"samples = {samples}",
        "",
        "[factors]",
    ]
    for name, lo, hi in factors:
        if float(lo).is_integer() and float(hi).is_integer() and _kind(name) == "int":
            lines.append(f"{name} = {{ min = {int(lo)}, max = {int(hi)} }}")
        else:
            lines.append(f"{name} = {{ min = {float(lo)!r}, max = {float(hi)!r} }}")
    return "\n".join(lines) + "\n"


def _kind(name: str) -> str:
    return next(p.kind for p in PARAMETERS if p.name == name)


# --- outcomes -----------------------------------------------------------------------------------
def _outcome_table(sweep_dir: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per run: ``run_id, point``, factor columns and :data:`OUTCOMES`; and the manifest."""
    path = sweep_dir / "manifest.json"
    if not path.is_file():
        raise SensitivityError(f"{sweep_dir}: not a sweep directory (no manifest.json)")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    exp = manifest["experiment"]
    if not exp.get("timeseries"):
        raise SensitivityError(
            f"{sweep_dir}: the experiment kept no time series; set `timeseries = true`"
        )
    res = load(sweep_dir)
    failed = res.runs.loc[res.runs["status"] == "failed"]
    if len(failed):
        raise SensitivityError(
            f"{sweep_dir}: {len(failed)} of {len(res.runs)} runs failed; rerun the sweep with "
            "--retry-failed first"
        )
    ok_runs = res.runs.loc[res.runs["status"] == "ok"]
    # The cache is keyed by the package's code digest (outcomes added or redefined since it was
    # written are recomputed, not read stale) and by the verified time series it was computed
    # from; a cache changed since it was written is recomputed, never trusted (read_cache).
    cache = sweep_dir / f"outcomes-{model_code_digest()}.parquet"
    key = table_digest(res.timeseries)
    if read_cache(cache, key) is not None:
        with contextlib.suppress(Exception):  # unreadable after all: recomputed
            return pd.read_parquet(cache), manifest
    base = exp["base_parameters"]
    factors = exp["factors"]
    rows = []
    by_run = dict(iter(res.timeseries.groupby("run_id", sort=False)))
    for r in ok_runs.itertuples(index=False):
        fac = {f: getattr(r, f) for f in factors}
        out = outcomes(by_run[r.run_id], {**base, **fac})
        rows.append({"run_id": r.run_id, "point": r.point, **fac, **out})
    table = pd.DataFrame(rows).sort_values("point", kind="stable").reset_index(drop=True)
    with contextlib.suppress(OSError):
        for old in sweep_dir.glob("outcomes*.parquet*"):
            old.unlink()
        write_cache(cache, lambda tmp: table.to_parquet(tmp, index=False), key)
    return table, manifest


# --- Morris -------------------------------------------------------------------------------------
def morris_indices(
    table: pd.DataFrame, factors: list[str], trajectories: int, seed: int = 0
) -> pd.DataFrame:
    """Morris ``mu*`` (with 95 % interval), ``sigma`` and normalised ``mu*`` per factor, outcome.

    Parameters
    ----------
    table : pandas.DataFrame
        Per design point (in point order): factor columns and :data:`OUTCOMES`; replicates
        are averaged first.
    factors : list of str
    trajectories : int
        Trajectories to use (the first ones; all for the full analysis).
    seed : int, default=0
        Seed of the bootstrap.
    """
    from SALib.analyze import morris

    mean = table.groupby("point", sort=True)[[*factors, *OUTCOMES]].mean()
    d = len(factors)
    n = trajectories * (d + 1)
    x = mean[factors].to_numpy(dtype=float)[:n]
    lo, hi = x.min(axis=0), x.max(axis=0)
    problem = {"num_vars": d, "names": factors, "bounds": np.c_[lo, hi].tolist()}
    xu = (x - lo) / np.where(hi > lo, hi - lo, 1.0)
    rows = []
    for name in OUTCOMES:
        y = mean[name].to_numpy(dtype=float)[:n]
        if not np.isfinite(y).all():
            y = np.where(np.isfinite(y), y, np.nanmean(y))
        sd = float(np.std(y)) or 1.0
        res = morris.analyze(
            problem,
            xu,
            y,
            num_resamples=1000,
            conf_level=0.95,
            num_levels=4,
            seed=seed,
        )
        for i, f in enumerate(factors):
            rows.append(
                {
                    "outcome": name,
                    "factor": f,
                    "mu_star": float(res["mu_star"][i]),
                    "mu_star_conf": float(res["mu_star_conf"][i]),
                    "sigma": float(res["sigma"][i]),
                    "mu_star_norm": float(res["mu_star"][i]) / sd,
                }
            )
    return pd.DataFrame(rows)


def influence(indices: pd.DataFrame) -> pd.Series:
    """Each factor's largest *relative* ``mu*`` over the outcomes (``mu*`` divided by the
    largest ``mu*`` of any factor on that outcome: 1 for an outcome's strongest factor),
    largest first; ties are broken by the normalised ``mu*``."""
    rel = indices["mu_star"] / indices.groupby("outcome")["mu_star"].transform("max")
    df = indices.assign(rel=rel.fillna(0.0))
    agg = df.groupby("factor").agg(rel=("rel", "max"), norm=("mu_star_norm", "max"))
    return agg.sort_values(["rel", "norm"], ascending=False)["rel"]


#: Outcomes whose drivers go to the Sobol stage (the calibration distance is fitted instead).
HEADLINE = tuple(o for o in OUTCOMES if o != "calibration_distance")


def choose_influential(
    indices: pd.DataFrame, top: int | None = None, per: int = 2, cap: int = 16
) -> list[str]:
    """The influential factors for the Sobol stage.

    By default the ``per`` largest ``mu*`` of each headline outcome (:data:`HEADLINE`), without
    repeats, ordered by :func:`influence`, at most ``cap`` of them (each outcome's strongest
    factor first); with ``top``, the ``top`` most influential. The default cap keeps two for
    each of the eight headline outcomes: a Saltelli design of 256 base samples over 16 factors
    is 4,608 runs, about 7 minutes on two cores.
    """
    infl = influence(indices)
    if top is not None:
        return list(infl.index[:top])
    ranked = {
        o: list(indices[indices["outcome"] == o].nlargest(per, "mu_star")["factor"])
        for o in HEADLINE
    }
    keep: list[str] = []
    for rank in range(per):
        for o in HEADLINE:
            f = ranked[o][rank] if rank < len(ranked[o]) else None
            if f is not None and f not in keep and len(keep) < cap:
                keep.append(f)
    return [f for f in infl.index if f in keep]


def calibration_candidates(indices: pd.DataFrame, k: int = 6) -> list[str]:
    """The ``k`` factors with the largest ``mu*`` on the calibration distance."""
    sub = indices[indices["outcome"] == "calibration_distance"]
    return list(sub.nlargest(k, "mu_star")["factor"])


def _morris_report(
    table: pd.DataFrame,
    manifest: dict,
    top: int | None,
    write_sobol: Path | None,
    sobol_samples: int = 128,
) -> str:
    exp = manifest["experiment"]
    factors = exp["factors"]
    d = len(factors)
    # A sweep still running (or interrupted) is analysed on its leading complete trajectories.
    stored = set(table["point"])
    r_all = exp["samples"]
    r = 0
    while r < r_all and all(p in stored for p in range(r * (d + 1), (r + 1) * (d + 1))):
        r += 1
    table = table[table["point"] < r * (d + 1)]
    if r < 4:
        raise SensitivityError(
            f"a Morris analysis needs at least 4 complete trajectories (to compare halves); "
            f"{r} of {r_all} are stored"
        )
    full = morris_indices(table, factors, r)
    half = morris_indices(table, factors, r // 2)
    infl, infl_half = influence(full), influence(half)
    chosen = choose_influential(full, top)
    cal = calibration_candidates(full)
    k = min(max(len(chosen), 10), len(factors))
    top_full, top_half = set(infl.index[:k]), set(infl_half.index[:k])
    rho = float(pd.concat([infl, infl_half], axis=1).corr(method="spearman").iloc[0, 1])
    lines = [
        f"## Morris screening: {len(factors)} assumptions, {r} trajectories, "
        f"{len(table)} runs (`{exp['name']}`)"
        + ("" if r == r_all else f" — {r} of {r_all} trajectories complete"),
        "",
        "Influence = largest relative mu* over the outcomes (1 = the strongest factor of some "
        "outcome). Cells: mu* in standard deviations of the outcome over the design, ± the "
        "bootstrap 95 % half-width. Top 15:",
        "",
        "| factor | influence | " + " | ".join(f"`{o}`" for o in OUTCOMES) + " |",
        "|---|---|" + "---|" * len(OUTCOMES),
    ]
    piv = full.pivot(index="factor", columns="outcome", values="mu_star_norm")
    conf = full.pivot(index="factor", columns="outcome", values="mu_star_conf")
    mu = full.pivot(index="factor", columns="outcome", values="mu_star")
    for f in infl.index[:15]:
        cells = []
        for o in OUTCOMES:
            rel = conf.loc[f, o] / mu.loc[f, o] if mu.loc[f, o] > 0 else 0.0
            cells.append(f"{piv.loc[f, o]:.2f} ±{rel * piv.loc[f, o]:.2f}")
        lines.append(f"| `{f}` | {infl[f]:.2f} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Stability: Spearman rank correlation of influence between the first {r // 2} "
        f"and all {r} trajectories = {rho:.2f}; top {k} sets overlap in "
        f"{len(top_full & top_half)} of {k}.",
        "",
        f"Influential on the headline outcomes (two largest mu* of each; for Sobol): "
        f"{', '.join(f'`{c}`' for c in chosen)}",
        "",
        f"Influential on the calibration distance (for `calibrate`): "
        f"{', '.join(f'`{c}`' for c in cal)}",
        "",
        "Per outcome, the three largest (mu* in the outcome's units):",
        "",
    ]
    for o, label in OUTCOMES.items():
        sub = full[full["outcome"] == o].nlargest(3, "mu_star")
        cells = ", ".join(
            f"`{row.factor}` {row.mu_star:.3g} (±{row.mu_star_conf:.2g})"
            for row in sub.itertuples()
        )
        lines.append(f"- {label}: {cells}")
    lines.append("")
    if write_sobol is not None:
        ranges = {n: (lo, hi) for n, lo, hi in morris_factors()[0]}
        fac = [(n, *ranges[n]) for n in chosen if n in ranges]
        write_sobol.parent.mkdir(parents=True, exist_ok=True)
        write_sobol.write_text(sobol_experiment_text(fac, sobol_samples), encoding="utf-8")
        lines.append(f"Wrote {write_sobol} (a Saltelli design over the influential assumptions).")
        lines.append("")
    return "\n".join(lines)


# --- Sobol --------------------------------------------------------------------------------------
def sobol_indices_ci(
    table: pd.DataFrame, factors: list[str], samples: int, outcome: str, n: int, seed: int = 1
) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap 95 % intervals from the first ``n``
    base samples of a Saltelli sweep of ``samples`` base samples
    (:func:`statecraft.sweep.saltelli_indices`, SALib).

    Parameters
    ----------
    table : pandas.DataFrame
        Per design point (``point`` column) and :data:`OUTCOMES`; replicates are averaged.
    factors : list of str
        In the experiment's order.
    samples : int
        The experiment's base samples (the size of each block).
    outcome : str
    n : int
        How many base samples to use (``samples`` or fewer).
    seed : int, default=1
        Seed of the bootstrap (>= 1).

    Returns
    -------
    pandas.DataFrame
        One row per factor: ``factor, S1, S1_conf, ST, ST_conf``.
    """
    y = table.groupby("point", sort=True)[outcome].mean().to_numpy(dtype=float)
    d = len(factors)
    if len(y) != samples * (d + 2):
        raise SensitivityError(f"{outcome}: expected {samples * (d + 2)} points, got {len(y)}")
    if not np.isfinite(y).all():
        y = np.where(np.isfinite(y), y, np.nanmean(y))
    res = saltelli_indices(y, factors, samples, n, seed=seed)
    return pd.DataFrame(
        {
            "factor": factors,
            "S1": res["first_order"].to_numpy(),
            "S1_conf": res["first_order_conf"].to_numpy(),
            "ST": res["total_order"].to_numpy(),
            "ST_conf": res["total_order_conf"].to_numpy(),
        }
    )


def _sobol_report(table: pd.DataFrame, manifest: dict) -> str:
    exp = manifest["experiment"]
    factors, n = exp["factors"], exp["samples"]
    expected = n * (len(factors) + 2) * exp["replicates"]
    if len(table) < expected:
        raise SensitivityError(
            f"{exp['name']}: {len(table)} of {expected} runs are stored; Sobol indices need all "
            "(resume the sweep)"
        )
    lines = [
        f"## Sobol indices: {len(factors)} assumptions, {n} base samples, {len(table)} runs "
        f"(`{exp['name']}`)",
        "",
        "First-order (S1) and total (ST) indices ± bootstrap 95 % half-width. ST(N/2) is the "
        f"total index from the first {n // 2} base samples; *stable* when it is within "
        f"{STABLE_TOL} (or the interval) of ST(N).",
        "",
    ]
    n_stable = n_all = 0
    for o, label in OUTCOMES.items():
        full = sobol_indices_ci(table, factors, n, o, n)
        half = sobol_indices_ci(table, factors, n, o, n // 2)
        lines += [f"**{label}** (`{o}`)", "", "| factor | S1 | ST | ST(N/2) | stable |"]
        lines.append("|---|---|---|---|---|")
        for a, b in zip(
            full.sort_values("ST", ascending=False).itertuples(),
            half.set_index("factor")
            .loc[full.sort_values("ST", ascending=False)["factor"]]
            .reset_index()
            .itertuples(),
            strict=True,
        ):
            stable = abs(a.ST - b.ST) <= max(STABLE_TOL, a.ST_conf)
            n_stable += stable
            n_all += 1
            lines.append(
                f"| `{a.factor}` | {a.S1:.2f} ± {a.S1_conf:.2f} | {a.ST:.2f} ± {a.ST_conf:.2f} "
                f"| {b.ST:.2f} | {'yes' if stable else '**no**'} |"
            )
        lines.append("")
    lines.append(f"Convergence: {n_stable} of {n_all} total indices stable when N doubles.")
    lines.append("")
    return "\n".join(lines)


def report(
    sweep_dir: str | Path,
    top: int | None = None,
    write_sobol: Path | None = None,
    sobol_samples: int = 128,
) -> str:
    """Markdown report of a ``morris`` or ``saltelli`` sweep directory (see module docstring).

    Parameters
    ----------
    sweep_dir : str or Path
    top : int, optional
        Morris: keep this many influential factors (default: two per headline outcome, <= 8).
    write_sobol : Path, optional
        Morris: write a Saltelli experiment over the influential factors to this file.
    sobol_samples : int, default=128
        Its base samples (a power of two).
    """
    sweep_dir = Path(sweep_dir)
    table, manifest = _outcome_table(sweep_dir)
    design = manifest["experiment"]["design"]
    if design == "morris":
        return _morris_report(table, manifest, top, write_sobol, sobol_samples)
    if design == "saltelli":
        if write_sobol is not None or top is not None:
            raise SensitivityError("--top and --write-sobol apply to a morris sweep")
        return _sobol_report(table, manifest)
    raise SensitivityError(
        f"{sweep_dir}: a '{design}' design; sensitivity needs a 'morris' or 'saltelli' sweep"
    )


def main() -> int:
    """``python -m statecraft.calibration.sensitivity FILE [TRAJECTORIES]``: write the Morris
    experiment file over every assumption."""
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "experiments/morris.toml")
    r = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    path.write_text(morris_experiment_text(r), encoding="utf-8")
    print(f"{path}: Morris design over {len(morris_factors()[0])} assumptions, {r} trajectories")
    return 0


if __name__ == "__main__":
    sys.exit(main())
