"""Morris design kind, screening and Sobol analysis (tiny sweeps)."""

import math
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from statecraft.calibration.sensitivity import (
    OUTCOMES,
    SensitivityError,
    morris_experiment_text,
    morris_factors,
    report,
)
from statecraft.experiment import load_experiment, saltelli_unit_sample
from statecraft.params import PARAMETERS, SHARE_GROUPS
from statecraft.sweep import SweepError, run_sweep
from statecraft.sweep.results import saltelli_indices

FACTORS = """
[factors]
entry_rate = { min = 100.0, max = 150.0 }
capability_learning_rate = { min = 0.3, max = 0.7 }
approval_probability = { min = 0.01, max = 0.02 }
"""


def _experiment(tmp_path, kind, samples, factors=FACTORS):
    path = tmp_path / f"{kind}.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            scenario = "{tmp_path / "small.toml"}"
            seed = 5
            timeseries = true
            [design]
            kind = "{kind}"
            samples = {samples}
            """
        )
        + factors
    )
    (tmp_path / "small.toml").write_text("[parameters]\nscale = 0.1\n")
    return load_experiment(path)


def test_morris_design_moves_one_factor_at_a_time(tmp_path):
    exp = _experiment(tmp_path, "morris", 3)
    pts = exp.points()
    d = len(exp.factors)
    assert len(pts) == 3 * (d + 1) == exp.n_runs
    names = [f.name for f in exp.factors]
    for t in range(3):
        traj = pts[names].to_numpy()[t * (d + 1) : (t + 1) * (d + 1)]
        changed = (np.diff(traj, axis=0) != 0).sum(axis=1)
        assert (changed == 1).all()
        assert sorted(np.argmax(np.diff(traj, axis=0) != 0, axis=1)) == list(range(d))
    for f in exp.factors:
        assert pts[f.name].between(f.low, f.high).all()
    # Same seed, same design.
    assert pts.equals(_experiment(tmp_path, "morris", 3).points())
    # Common random numbers within a trajectory, fresh ones across trajectories.
    seeds = [r.seed for r in exp.runs()]
    for t in range(3):
        assert len(set(seeds[t * (d + 1) : (t + 1) * (d + 1)])) == 1
    assert len(set(seeds)) == 3


def test_saltelli_runs_share_seeds_within_a_base_sample(tmp_path):
    """A_j and every AB_ij run on the same seeds (so the total index does not count seed noise
    as a factor's effect); B_j has its own, and base samples differ."""
    n = 4
    exp = _experiment(tmp_path, "saltelli", n)
    d = len(exp.factors)
    seeds = np.array([r.seed for r in exp.runs()]).reshape(d + 2, n)  # A, B, AB_1 .. AB_d
    assert (seeds[2:] == seeds[0]).all()
    assert len(set(seeds[0]) | set(seeds[1])) == 2 * n


def _ishigami(n: int) -> np.ndarray:
    """The Ishigami function (a = 7, b = 0.1) on the stored Saltelli design over [-pi, pi]^3."""
    x = -np.pi + 2 * np.pi * saltelli_unit_sample(3, n, seed=20251207)
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_ishigami_match_theory_and_the_previous_estimator():
    """SALib's indices on the stored design: within their 95 % intervals of the analytic values
    (Ishigami and Homma 1990) and of scipy.stats.sobol_indices, the estimator used before."""
    from scipy.stats import sobol_indices as scipy_sobol

    n = 1024
    y = _ishigami(n)
    got = saltelli_indices(y, ["x1", "x2", "x3"], n)
    s1, st = np.array([0.3139, 0.4424, 0.0]), np.array([0.5576, 0.4424, 0.2437])
    assert (np.abs(got["first_order"] - s1) <= got["first_order_conf"]).all()
    assert (np.abs(got["total_order"] - st) <= got["total_order_conf"]).all()
    assert (got["first_order_conf"] < 0.1).all() and (got["total_order_conf"] < 0.1).all()
    blocks = y.reshape(5, n)  # stored order: A, B, AB_1, AB_2, AB_3
    old = scipy_sobol(func={"f_A": blocks[:1], "f_B": blocks[1:2], "f_AB": blocks[2:, None]}, n=n)
    assert (np.abs(got["first_order"] - old.first_order.ravel()) <= got["first_order_conf"]).all()
    # The total index does not depend on the centring that differs between the two.
    np.testing.assert_allclose(got["total_order"], old.total_order.ravel(), atol=1e-12)
    # Same bootstrap seed, same intervals; the first half of the base samples is a design too.
    assert got.equals(saltelli_indices(y, ["x1", "x2", "x3"], n))
    half = saltelli_indices(y, ["x1", "x2", "x3"], n, n // 2)
    assert (np.abs(half["total_order"] - st) <= 2 * half["total_order_conf"]).all()


def test_sobol_indices_of_a_constant_or_broken_output():
    n = 8
    flat = saltelli_indices(np.full(5 * n, 3.0), ["a", "b", "c"], n)  # no SALib warning
    assert (flat.drop(columns="factor") == 0).all().all()
    y = _ishigami(n)
    y[4] = np.nan
    assert saltelli_indices(y, ["a", "b", "c"], n).drop(columns="factor").isna().all().all()
    with pytest.raises(ValueError, match="seed must be >= 1"):
        saltelli_indices(_ishigami(n), ["a", "b", "c"], n, seed=0)


def test_sobol_indices_without_salib_say_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "SALib.analyze.sobol", None)
    with pytest.raises(
        SweepError, match=r"^the Sobol analysis needs SALib: pip install 'statecraft\["
    ):
        saltelli_indices(_ishigami(8), ["a", "b", "c"], 8)


def test_calibrate_and_sensitivity_do_not_import_each_other():
    """The shared pieces (distance, outcomes) live in calibration.outcomes, below both."""
    code = (
        "import sys, importlib\n"
        "for a, b in (('calibrate', 'sensitivity'), ('sensitivity', 'calibrate')):\n"
        "    importlib.import_module(f'statecraft.calibration.{a}')\n"
        "    print(f'statecraft.calibration.{b}' in sys.modules)\n"
        "    for m in [m for m in sys.modules if m.startswith('statecraft')]:\n"
        "        del sys.modules[m]\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_morris_screens_every_sweepable_assumption():
    factors, excluded = morris_factors()
    names = {n for n, _, _ in factors}
    shares = {n for g in SHARE_GROUPS for n in g}
    for p in PARAMETERS:
        if p.is_assumption:
            assert (p.name in names) != (p.name in excluded), p.name
        else:
            assert p.name not in names
        if p.name in names:
            lo, hi = next((lo, hi) for n, lo, hi in factors if n == p.name)
            assert p.bounds[0] <= lo < hi <= p.bounds[1]
            assert p.name not in shares and p.name != "scale"


def test_shipped_morris_experiment_is_current_and_valid():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "experiments" / "morris.toml"
    exp = load_experiment(path)  # every design point is a valid parameter set
    r = exp.samples
    assert path.read_text() == morris_experiment_text(r), (
        "experiments/morris.toml is stale: "
        "run `python -m statecraft.calibration.sensitivity experiments/morris.toml`"
    )


def test_morris_and_sobol_reports_from_tiny_sweeps(tmp_path):
    exp = _experiment(tmp_path, "morris", 4)
    run_sweep(exp, tmp_path / "m", workers=1, progress=False)
    sobol_file = tmp_path / "sobol.toml"
    text = report(tmp_path / "m", write_sobol=sobol_file)
    assert "## Morris screening: 3 assumptions, 4 trajectories, 16 runs" in text
    assert "Influential on the headline outcomes" in text
    assert "Spearman" in text
    for o in OUTCOMES:
        assert f"`{o}`" in text
    # A cache of outcomes written by other code (here: one outcome short) is not read.
    cached = next((tmp_path / "m").glob("outcomes-*.parquet"))
    stale = pd.read_parquet(cached).drop(columns=[next(iter(OUTCOMES))])
    stale.to_parquet(tmp_path / "m" / "outcomes-0123456789abcdef.parquet")
    cached.unlink()
    assert f"`{next(iter(OUTCOMES))}`" in report(tmp_path / "m")
    assert len(list((tmp_path / "m").glob("outcomes*.parquet"))) == 1
    sob = load_experiment(sobol_file)
    # The Sobol stage takes only the assumptions Morris found influential (which ones depends
    # on the model).
    assert sob.design == "saltelli" and 1 <= len(sob.factors) <= 3
    assert {f.name for f in sob.factors} <= {f.name for f in exp.factors}
    exp2 = _experiment(tmp_path, "saltelli", 4)
    run_sweep(exp2, tmp_path / "s", workers=1, progress=False)
    text = report(tmp_path / "s")
    assert "## Sobol indices: 3 assumptions, 4 base samples, 20 runs" in text
    assert "Convergence:" in text and "stable" in text


def test_sensitivity_needs_a_stored_screening_sweep(tmp_path):
    with pytest.raises(SensitivityError, match="not a sweep directory"):
        report(tmp_path)
    exp = _experiment(tmp_path, "lhs", 2)
    run_sweep(exp, tmp_path / "l", workers=1, progress=False)
    with pytest.raises(SensitivityError, match="needs a 'morris' or 'saltelli' sweep"):
        report(tmp_path / "l")


def test_outcomes_are_finite_on_a_small_run():
    from statecraft.calibration.sensitivity import outcomes
    from statecraft.run import simulate
    from statecraft.scenario import resolve

    ts = simulate(resolve({"scale": 0.1}), seed=3).timeseries
    out = outcomes(ts, {"scale": 0.1})
    assert set(out) == set(OUTCOMES)
    assert all(math.isfinite(v) for v in out.values())
