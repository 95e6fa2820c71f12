"""Experiment files: shipped files load, bad files give one-line errors, designs are sound."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from statecraft.cli import main
from statecraft.experiment import (
    ExperimentError,
    load_experiment,
    saltelli_blocks,
    saltelli_unit_sample,
    to_salib_order,
)
from statecraft.params import param

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "experiments").glob("*.toml"))
SCENARIO = (ROOT / "scenarios" / "baseline.toml").as_posix()

GOOD = f"""
description = "test"
scenario = "{SCENARIO}"
seed = 11
replicates = 2
horizon = "2020-06"

[parameters]
scale = 0.05

[design]
kind = "grid"

[factors]
herding = [0.0, 1.0]
n_city_funds = {{ min = 2, max = 4 }}
"""


def _write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- shipped files ------------------------------------------------------------------------------
def test_the_four_required_experiments_ship() -> None:
    names = {p.stem for p in SHIPPED}
    assert {"chip_supply", "duplication", "chip_x_duplication", "sensitivity"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_experiment_loads_with_values_in_bounds(path: Path) -> None:
    exp = load_experiment(path)
    points = exp.points()
    assert exp.n_runs == len(points) * exp.replicates > 0
    for f in exp.factors:
        lo, hi = param(f.name).bounds
        col = points[f.name]
        assert col.between(lo, hi).all()
        if f.kind == "int":
            assert all(isinstance(v, int) for v in (r.factors[f.name] for r in exp.runs()[:20]))


def test_sensitivity_sweeps_assumption_parameters_with_a_saltelli_design() -> None:
    exp = load_experiment(ROOT / "experiments" / "sensitivity.toml")
    assert exp.design == "saltelli"
    assert all(param(f.name).is_assumption for f in exp.factors)


def test_chip_x_duplication_is_a_2d_grid_with_replicates() -> None:
    exp = load_experiment(ROOT / "experiments" / "chip_x_duplication.toml")
    assert exp.design == "grid" and len(exp.factors) == 2 and exp.replicates > 1
    assert all(len(f.values) >= 10 for f in exp.factors)


def test_shipped_experiment_runs_one_point(tmp_path: Path) -> None:
    # Every shipped experiment's first run builds valid parameters and simulates (short).
    from statecraft.run import simulate
    from statecraft.scenario import resolve

    for path in SHIPPED:
        run = load_experiment(path).runs()[0]
        params = resolve({**run.overrides, "scale": 0.02, "end_date": "2020-03"})
        assert len(simulate(params, seed=run.seed).timeseries) == 3


# --- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ("herding = [0.0, 1.0]", "hearding = [0.0, 1.0]", r"factors\.hearding: unknown parameter"),
        (
            "herding = [0.0, 1.0]",
            "herding = [0.0, 1.5]",
            r"factors\.herding\.values: 1\.5 is outsi",
        ),
        (
            "herding = [0.0, 1.0]",
            "herding = { min = -0.1, levels = 3 }",
            r"factors\.herding\.min: -0\.1 is outside the declared bounds \[0, 1\]",
        ),
        ("herding = [0.0, 1.0]\nn_city_funds = { min = 2, max = 4 }", "", r"factors: empty design"),
        ('kind = "grid"', 'kind = "random"', r"design\.kind: must be one of grid, lhs, sobol"),
        (
            "replicates = 2",
            "replicates = 0",
            r"replicates: must be an integer in \[1, 1000000\]; got 0",
        ),
        ("seed = 11", "", r"seed: required"),
        ("herding = [0.0, 1.0]", 'start_date = ["2020-01"]', r"start_date' is a month parameter"),
        ("herding = [0.0, 1.0]", "devalued_niches = {}", r"'devalued_niches' is a niches param"),
        ("herding = [0.0, 1.0]", "herding = [0.0, 0.0]", r"factors\.herding\.values: values rep"),
        ("n_city_funds = { min = 2, max = 4 }", "n_city_funds = [2.5]", r"integer parameter"),
        ('kind = "grid"', 'kind = "lhs"\nsamples = 8', r"explicit values need design 'grid'"),
        (
            'kind = "grid"\n',
            'kind = "sobol"\nsamples = 6\n',
            r"design\.samples: design 'sobol' needs a power of two; got 6",
        ),
        ("herding = [0.0, 1.0]", "herding = { min = 0.0 }", r"a grid needs 'levels'"),
        ("[parameters]", "[parameters]\nherding = 0.3", r"parameters\.herding: is also a factor"),
        ("scale = 0.05", "scale = 500.0", r"parameter 'scale' must be a number in \[0.01, 100\]"),
        ("seed = 11", "seed = 11\nherding = 0.3", r"unknown top-level key 'herding' \(fixed param"),
        (f'scenario = "{SCENARIO}"', 'scenario = "nope"', r"scenario: .*no such scenario file"),
        ("[design]", "[design", r"malformed TOML"),
    ],
)
def test_bad_experiment_gives_one_line_error_naming_file_and_key(
    tmp_path: Path, old: str, new: str, match: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ExperimentError, match=match) as info:
        load_experiment(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(path))


def test_missing_experiment_file(tmp_path: Path) -> None:
    with pytest.raises(ExperimentError, match=r"no such experiment file"):
        load_experiment(tmp_path / "absent.toml")


def test_cli_exits_2_with_one_line_on_bad_experiment(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path, GOOD.replace("replicates = 2", "replicates = 0"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "replicates" in err and str(path) in err
    assert not (tmp_path / "out").exists()


# --- designs and seeds --------------------------------------------------------------------------
def test_grid_is_the_full_factorial_with_integer_levels(tmp_path: Path) -> None:
    exp = load_experiment(_write(tmp_path, GOOD))
    pts = exp.points()
    assert len(pts) == 2 * 3
    assert sorted(set(pts["n_city_funds"])) == [2, 3, 4]
    assert pts["n_city_funds"].dtype.kind == "i"
    assert exp.n_runs == 12 and len({r.run_id for r in exp.runs()}) == 12


def test_latin_hypercube_stratifies_and_samples_integers_evenly(tmp_path: Path) -> None:
    text = GOOD.replace('kind = "grid"', 'kind = "lhs"\nsamples = 60').replace(
        "herding = [0.0, 1.0]", "herding = { min = 0.2, max = 0.8 }"
    )
    pts = load_experiment(_write(tmp_path, text)).points()
    assert len(pts) == 60
    # One point in each of the 60 equal strata of the range.
    strata = np.floor((pts["herding"] - 0.2) / 0.6 * 60).astype(int)
    assert sorted(strata) == list(range(60))
    # 60 points over 3 integers: each integer exactly 20 times.
    assert pts["n_city_funds"].value_counts().to_dict() == {2: 20, 3: 20, 4: 20}


def test_saltelli_blocks_differ_from_a_only_in_their_column(tmp_path: Path) -> None:
    text = GOOD.replace('kind = "grid"', 'kind = "saltelli"\nsamples = 8').replace(
        "herding = [0.0, 1.0]", "herding = {}"
    )
    pts = load_experiment(_write(tmp_path, text)).points()
    assert len(pts) == 8 * (2 + 2)
    blocks = {
        b: g.drop(columns=["point", "block"]).reset_index(drop=True)
        for b, g in pts.groupby("block")
    }
    a, b = blocks["A"], blocks["B"]
    for name in ("herding", "n_city_funds"):
        ab = blocks[f"AB_{name}"]
        other = [c for c in a.columns if c != name]
        assert ab[name].equals(b[name]) and ab[other].equals(a[other])


def test_saltelli_design_is_salibs_sample_stored_block_by_block() -> None:
    """The stored design is SALib's Saltelli sample (first and total order) put block by block;
    to_salib_order, which the analysis uses, puts it back exactly."""
    from SALib.sample import sobol

    d, n, seed = 3, 16, 20251207
    u = saltelli_unit_sample(d, n, seed)
    problem = {"num_vars": d, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * d}
    x = sobol.sample(problem, n, calc_second_order=False, seed=np.random.default_rng(seed))
    back = np.column_stack([to_salib_order(u[:, j], d, n) for j in range(d)])
    assert np.array_equal(back, x)
    labels = saltelli_blocks(["a", "b", "c"], n)
    a, b = u[labels == "A"], u[labels == "B"]
    for i, name in enumerate("abc"):
        ab = u[labels == f"AB_{name}"]
        assert np.array_equal(ab[:, i], b[:, i])
        assert np.array_equal(np.delete(ab, i, axis=1), np.delete(a, i, axis=1))
    # The first n/2 base samples, in SALib's order, are the first n/2 of each block.
    y = np.arange(len(u))
    half = to_salib_order(y, d, n, n // 2).reshape(n // 2, d + 2)
    assert np.array_equal(half[:, 0], np.arange(n // 2))  # A_j
    assert np.array_equal(half[:, -1], n + np.arange(n // 2))  # B_j


def test_saltelli_and_morris_without_salib_say_how_to_install(tmp_path: Path, monkeypatch):
    # SALib is the optional `calibration` extra; None in sys.modules makes its import fail.
    for kind, module in (("saltelli", "SALib.sample.sobol"), ("morris", "SALib.sample.morris")):
        monkeypatch.setitem(sys.modules, module, None)
        text = GOOD.replace('kind = "grid"', f'kind = "{kind}"\nsamples = 4').replace(
            "herding = [0.0, 1.0]", "herding = {}"
        )
        path = _write(tmp_path, text)
        with pytest.raises(ExperimentError) as info:
            load_experiment(path)
        assert str(info.value) == (
            f"{path}: design.kind: '{kind}' needs SALib: pip install 'statecraft[calibration]'"
        )


def test_seeds_are_reproducible_distinct_and_stable_when_replicates_grow(tmp_path: Path) -> None:
    exp = load_experiment(_write(tmp_path, GOOD))
    seeds = {r.run_id: r.seed for r in exp.runs()}
    assert seeds == {r.run_id: r.seed for r in load_experiment(exp.path).runs()}
    assert len(set(seeds.values())) == len(seeds)
    more = load_experiment(_write(tmp_path, GOOD.replace("replicates = 2", "replicates = 3"), "b"))
    more_seeds = {r.run_id: r.seed for r in more.runs()}
    assert all(more_seeds[k] == v for k, v in seeds.items())
    other = load_experiment(_write(tmp_path, GOOD.replace("seed = 11", "seed = 12"), "c.toml"))
    assert not set(seeds.values()) & {r.seed for r in other.runs()}


def test_sensitivity_ranges_bracket_the_calibrated_defaults():
    """A sensitivity analysis around the model as shipped must include its defaults."""
    exp = load_experiment(Path(__file__).resolve().parents[1] / "experiments" / "sensitivity.toml")
    for f in exp.factors:
        assert f.low <= param(f.name).default <= f.high, f.name


# --- design points that are invalid by construction ---------------------------------------------
@pytest.mark.parametrize(
    ("factors", "match"),
    [
        # The three central_share_* must add up to 1: sweeping one alone breaks that.
        (
            "central_share_startups = [0.4, 0.5, 0.6]",
            r"factors: design point 0 \(central_share_startups=0\.4\): shares .* must add up to 1",
        ),
        (
            "initial_yield = { min = 0.5, max = 0.8, levels = 3 }",
            r"design point 2 \(initial_yield=0\.8\): initial_yield 0\.8 is above max_yield 0\.7",
        ),
    ],
)
def test_design_point_invalid_by_construction_is_refused_at_load(
    tmp_path: Path, factors: str, match: str
) -> None:
    text = GOOD.replace("herding = [0.0, 1.0]\nn_city_funds = { min = 2, max = 4 }", factors)
    path = _write(tmp_path, text)
    with pytest.raises(ExperimentError, match=match) as info:
        load_experiment(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(path))


def test_invalid_point_is_found_with_the_fixed_parameters_and_scenario(tmp_path: Path) -> None:
    # max_yield is fixed low in [parameters]; only the points with initial_yield above it fail.
    text = GOOD.replace("scale = 0.05", "scale = 0.05\nmax_yield = 0.5").replace(
        "herding = [0.0, 1.0]", "initial_yield = [0.2, 0.6]"
    )
    with pytest.raises(ExperimentError, match=r"initial_yield=0\.6.*above max_yield 0\.5"):
        load_experiment(_write(tmp_path, text))
    assert load_experiment(_write(tmp_path, text.replace("0.6]", "0.4]"), "ok.toml")).n_runs == 12


def test_factor_may_override_the_scenario_value_of_its_parameter(tmp_path: Path) -> None:
    scen = _write(tmp_path, "[parameters]\nherding = 0.3\ninitial_yield = 0.2\n", "scen.toml")
    text = GOOD.replace(SCENARIO, scen.as_posix())
    exp = load_experiment(_write(tmp_path, text))
    assert sorted({r.overrides["herding"] for r in exp.runs()}) == [0.0, 1.0]
    bad = text.replace("herding = [0.0, 1.0]", "initial_yield = [0.2, 0.9]")
    with pytest.raises(ExperimentError, match=r"\(initial_yield=0\.9, n_city_funds=2\): initial_"):
        load_experiment(_write(tmp_path, bad, "bad.toml"))


def test_cli_exits_2_on_a_sweep_invalid_by_construction(tmp_path: Path, capsys) -> None:
    text = GOOD.replace("herding = [0.0, 1.0]", "central_share_compute = [0.2, 0.3]")
    path = _write(tmp_path, text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "central_share_compute=0.3" in err and str(path) in err
    assert not (tmp_path / "out").exists()


# --- ranges that would repeat points ------------------------------------------------------------
@pytest.mark.parametrize(
    ("factor", "match"),
    [
        (
            "herding = { min = 0.5, max = 0.5, levels = 3 }",
            r"factors\.herding\.levels: min == max \(0\.5\) is a single value; 3 levels would "
            r"repeat one design point",
        ),
        (
            "n_city_funds = { min = 3, max = 3, levels = 2 }",
            r"factors\.n_city_funds\.levels: min == max \(3\)",
        ),
        (
            "n_city_funds = { min = 2, max = 4, levels = 5 }",
            r"factors\.n_city_funds\.levels: 5 levels of an integer over \[2, 4\] would repeat",
        ),
    ],
)
def test_range_that_would_repeat_points_is_refused(tmp_path: Path, factor: str, match: str) -> None:
    text = GOOD.replace("n_city_funds = { min = 2, max = 4 }", factor)
    if factor.startswith("herding"):
        text = text.replace("herding = [0.0, 1.0]\n", "")
    with pytest.raises(ExperimentError, match=match) as info:
        load_experiment(_write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_single_level_range_is_one_point(tmp_path: Path) -> None:
    text = GOOD.replace(
        "n_city_funds = { min = 2, max = 4 }", "coordination = { min = 0.5, max = 0.5, levels = 1 }"
    )
    exp = load_experiment(_write(tmp_path, text))
    assert list(exp.points()["coordination"]) == [0.5, 0.5]


# --- horizon ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("horizon", "match"),
    [
        ('"2030-13"', r'horizon: must be a month "YYYY-MM" .*; got \'2030-13\''),
        ("2030", r'horizon: must be a month "YYYY-MM" .*; got 2030'),
        ('"2019-06"', r"horizon: 2019-06 is before start_date 2020-01"),
    ],
)
def test_bad_horizon_is_reported_under_horizon(tmp_path: Path, horizon: str, match: str) -> None:
    path = _write(tmp_path, GOOD.replace('horizon = "2020-06"', f"horizon = {horizon}"))
    with pytest.raises(ExperimentError, match=match) as info:
        load_experiment(path)
    msg = str(info.value)
    assert "end_date" not in msg.replace("sets end_date", "")
    assert "\n" not in msg and msg.startswith(f"{path}: horizon: ")


def test_shipped_experiments_are_found_by_name_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_experiment("duplication").name == "duplication"
    with pytest.raises(ExperimentError, match="no such experiment file"):
        load_experiment("no_such_experiment")
