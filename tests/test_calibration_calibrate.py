"""`statecraft calibrate`: configuration checks and a tiny ABC-SMC run."""

import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from statecraft.calibration.calibrate import (
    CalibrationError,
    calibrate,
    distance,
    load_config,
    target_z,
)
from statecraft.calibration.targets import load_targets
from statecraft.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]

TINY = """
seeds = 1
root_seed = 3
scale = 0.1
population = 4
budget = 12
generations = 2
min_epsilon = 0.0
predictive = 3

[parameters]
entry_rate = { min = 100.0, max = 150.0 }
"""


def _config(tmp_path, text=TINY):
    path = tmp_path / "cal.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_shipped_config_fits_only_assumptions():
    cfg = load_config()
    assert cfg.priors and cfg.budget >= cfg.population


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("entry_rate = {", "initial_startups = {", r"'initial_startups' is not an assumption"),
        ("entry_rate = {", "entry_rates = {", r"parameters\.entry_rates: unknown parameter"),
        ("max = 150.0", "max = 1e9", r"the prior must satisfy 0 <= min < max <= 100000"),
        ("budget = 12", "budget = 3", r"budget: 3 candidates cannot fill one generation of 4"),
        ("seeds = 1", "seeds = 0", r"seeds: must be an integer >= 1"),
        ("scale = 0.1", "scales = 0.1", r"scales: unknown key \(did you mean 'scale'\?\)"),
        (
            "entry_rate = {",
            "n_city_funds = {",
            r"'n_city_funds' is an int parameter|not an assumption",
        ),
        ("seeds = 1", "seeds = true", r"seeds: must be an integer >= 1; got True$"),
        ("population = 4", "population = 1", r"population: must be an integer >= 2; got 1$"),
        ("min_epsilon = 0.0", "min_epsilon = inf", r"min_epsilon: must be a number >= 0; got inf"),
        ("scale = 0.1", "scale = -1", r"scale: must be a number > 0; got -1$"),
        ("max = 150.0 }", "mx = 150.0 }", r"parameters\.entry_rate\.mx: unknown key \(did you"),
        ("{ min = 100.0, max = 150.0 }", "3", r"parameters\.entry_rate: must be a table \{ min"),
        ("entry_rate = { min = 100.0, max = 150.0 }", "", r"parameters: required: the assump"),
    ],
)
def test_bad_calibration_files_are_refused(tmp_path, old, new, message):
    assert old in TINY
    text = TINY.replace(old, new)
    path = _config(tmp_path, text)
    with pytest.raises(CalibrationError, match=message) as info:
        load_config(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: ")


def test_overrides_are_checked_like_the_file(tmp_path):
    cfg = load_config(_config(tmp_path), budget=40, population=8, predictive=5)
    assert (cfg.budget, cfg.population, cfg.predictive) == (40, 8, 5)
    assert cfg.priors == {"entry_rate": (100.0, 150.0)} and cfg.scale == 0.1
    with pytest.raises(CalibrationError, match=r"budget: 12 candidates cannot fill one gener"):
        load_config(_config(tmp_path), population=20)


def test_distance_is_zero_on_target_and_about_one_at_the_band_edge():
    targets = [t for t in load_targets() if t.role == "calibrate"]
    exact = {t.id: t.centre for t in targets}
    assert distance(targets, exact) == pytest.approx(0.0, abs=1e-12)
    s2 = next(t for t in targets if t.id == "S2")
    assert target_z(s2, s2.high) == pytest.approx(1.0)
    s9 = next(t for t in targets if t.id == "S9")  # one-sided: >= 3 months
    assert target_z(s9, 30.0) == 0.0 and target_z(s9, 2.7) == pytest.approx(1.0)
    assert target_z(s9, math.nan) == 10.0


def test_tiny_calibration_writes_a_scenario_and_never_the_base(tmp_path):
    out = tmp_path / "out"
    scen = tmp_path / "baseline_calibrated.toml"
    res = calibrate(
        "baseline",
        config=_config(tmp_path),
        out=out,
        scenario_out=scen,
        workers=1,
    )
    assert (out / "abc.db").is_file() and (out / "posterior.csv").is_file()
    assert res.posterior["weight"].sum() == pytest.approx(1.0)
    assert res.posterior["entry_rate"].between(100, 150).all()
    loaded = load_scenario(scen)
    assert 100 <= loaded.params.entry_rate <= 150
    assert loaded.params.scale == 0.1
    assert "## Calibration of `baseline`" in res.report
    assert "Posterior-predictive" in res.report
    assert len(res.predictive) == 8 and (res.predictive["q05"] <= res.predictive["q95"]).all()
    base = tmp_path / "base.toml"
    base.write_text("[parameters]\nscale = 0.1\n")
    with pytest.raises(CalibrationError, match="would overwrite the scenario"):
        calibrate(str(base), config=_config(tmp_path), out=out, scenario_out=base, workers=1)


def test_degenerate_weights_stop_at_the_last_complete_generation(tmp_path, monkeypatch):
    """pyabc asserts when a generation's importance weights are not finite (an 8-dimensional
    fit with few particles hit this): the fit keeps the generations completed before, says
    so, and writes its scenario instead of a traceback."""
    import pyabc

    real = pyabc.ABCSMC.run_generation

    def failing(self, t):
        if t >= 1:
            raise AssertionError("The population total weight nan is not normalized.")
        return real(self, t)

    monkeypatch.setattr(pyabc.ABCSMC, "run_generation", failing)
    scen = tmp_path / "fitted.toml"
    text = TINY.replace("budget = 12", "budget = 60").replace("generations = 2", "generations = 3")
    res = calibrate(
        "baseline",
        config=_config(tmp_path, text),
        out=tmp_path / "out",
        scenario_out=scen,
        workers=1,
    )
    assert "stopped early: generation 2 failed" in res.report
    assert not res.exhausted  # stopped by the failure, not by the budget
    assert "total weight nan" in scen.read_text()
    assert res.posterior["weight"].sum() == pytest.approx(1.0)
    assert 100 <= load_scenario(scen).params.entry_rate <= 150


def test_calibrate_cli_bad_input_one_line_status_2(tmp_path):
    path = _config(tmp_path, TINY.replace("entry_rate = {", "initial_startups = {"))
    proc = subprocess.run(
        [sys.executable, "-m", "statecraft.cli", "calibrate", "--config", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert re.fullmatch(r"statecraft: error: .*not an assumption.*\n", proc.stderr)
