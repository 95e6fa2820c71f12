"""Targets file and `statecraft validate`."""

import math
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statecraft.calibration.targets import (
    TargetError,
    check_horizon,
    default_targets_path,
    evaluate,
    load_targets,
)
from statecraft.calibration.validate import readme_is_current, validate, validation_table
from statecraft.metrics import REPORTERS

ROOT = Path(__file__).resolve().parents[1]

TINY = """
[[target]]
id = "T1"
metric = "active_startups"
statistic = "value"
date = "2020-06"
per_scale = true
reported = 1500
low = 0
role = "calibrate"
source = "test"

[[target]]
id = "T2"
metric = "domestic_share"
statistic = "mean"
window = ["2020-01", "2020-06"]
reported = 0.3
tolerance = {tol}
role = "validate"
source = "test"
"""


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "statecraft.cli", *args], capture_output=True, text=True, cwd=ROOT
    )


def _write(tmp_path, text, name="targets.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_shipped_targets_cover_the_facts_and_hold_out_published_figures():
    targets = load_targets()
    ids = {t.id for t in targets}
    assert {"S1", "S2", "S9", "C6", "S12"} <= ids
    held_out = [t for t in targets if t.role == "validate" and not t.source.startswith("FACTS")]
    assert len(held_out) >= 2
    for t in targets:
        assert t.metric in REPORTERS and t.source.strip()
        assert t.low <= t.high


def test_targets_file_ships_with_the_package():
    assert default_targets_path().is_file()
    assert default_targets_path().parent.name == "calibration"


def test_unknown_metric_is_one_line_naming_file_target_and_key(tmp_path):
    path = _write(tmp_path, TINY.format(tol=0.1).replace("domestic_share", "domestic_shares"))
    with pytest.raises(TargetError, match=r"targets\.toml: target 'T2'\.metric: unknown metric"):
        load_targets(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('date = "2020-06"', 'date = "2020-13"', r"target 'T1'\.date: must be a month"),
        ("tolerance = 0.1", "tolerance = -1", r"T2'\.tolerance: must be a number > 0"),
        ('role = "validate"', 'role = "check"', r"T2'\.role: must be one of"),
        ('source = "test"\n\n', 'source = ""\n\n', r"T1'\.source: required"),
        ('id = "T2"', 'id = "T1"', r"target 'T1': id repeats"),
        ("low = 0", "low = 0\ntolerance = 3", r"give exactly one of"),
        ('statistic = "mean"', 'statistic = "median"', r"statistic: must be one of"),
        ("per_scale = true", "per_scal = true", r"T1'\.per_scal: unknown key \(did you mean 'per_"),
        ("per_scale = true", "per_scale = 1", r"T1'\.per_scale: must be true or false; got 1$"),
        ("low = 0", "low = nan", r"T1'\.low: must be a number; got nan$"),
        ("low = 0", "low = 0\nhigh = -1", r"target 'T1': low 0 is above high -1$"),
        ('id = "T1"\n', "", r"targets\.toml: target\[0\]\.id: required: a short label"),
        ('date = "2020-06"', "", r"T1'\.date: 'value' needs a month \"YYYY-MM\"$"),
        ('"2020-01", "2020-06"', '"2020-06", "2020-01"', r"T2'\.window: ends \(2020-01\) before"),
        ('"2020-01", "2020-06"]', '"2020-01"]', r"T2'\.window: must be \[first, last\] months"),
        ("reported = 0.3", 'reported = "up"', r"T2': a tolerance needs a numeric 'reported'"),
        ("reported = 1500", 'reported = ""', r"T1'\.reported: required: the published number"),
    ],
)
def test_bad_targets_are_refused(tmp_path, old, new, message):
    text = TINY.format(tol=0.1)
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(TargetError, match=message) as info:
        load_targets(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: target")


def test_targets_read_as_before():
    """The schema reads the shipped file into the targets the hand parser made: bands from
    tolerances, one-sided bands, windows as tuples, words as reported values."""
    by_id = {t.id: t for t in load_targets()}
    assert (by_id["S2"].low, by_id["S2"].high) == pytest.approx((117 * 0.85, 117 * 1.15))
    assert (by_id["A1"].low, by_id["A1"].high) == pytest.approx((0.05, 0.15))
    assert by_id["S9"].low == 3 and by_id["S9"].high == math.inf
    assert by_id["S9"].reported == "at least a few months"
    assert by_id["S5"].window == ("2021-01", "2025-06") and by_id["S5"].date is None
    assert by_id["S1-growth"].reference == "2020-01" and by_id["S1-growth"].statistic == "ratio"
    assert isinstance(by_id["S1"].reported, float) and by_id["S1"].per_scale


def test_a_month_outside_the_horizon_is_refused():
    targets = load_targets()
    with pytest.raises(TargetError, match=r"month 2030-12 is outside the horizon"):
        check_horizon(targets, "2020-01", "2027-12", "scenario 'short'")


def test_statistics_read_the_series():
    ts = pd.DataFrame(
        {
            "date": pd.date_range("2020-01-01", periods=6, freq="MS"),
            "active_startups": [10.0, 20, 30, 40, 50, 60],
        }
    )
    path_free = dict(
        description="",
        metric="active_startups",
        per_scale=False,
        reported=0.0,
        low=-math.inf,
        high=math.inf,
        role="calibrate",
        source="x",
    )
    from statecraft.calibration.targets import Target

    def t(**kw):
        base = dict(id="x", statistic="value", date=None, reference=None, window=None)
        return Target(**{**path_free, **base, **kw})

    assert evaluate(t(date="2020-03"), ts) == 30
    assert evaluate(t(date="2020-03", per_scale=True), ts, scale=0.5) == 60
    assert evaluate(t(statistic="mean", window=("2020-02", "2020-04")), ts) == 30
    assert evaluate(t(statistic="sum", window=("2020-02", "2020-04"), per_scale=True), ts, 2) == 45
    assert evaluate(t(statistic="change", date="2020-06", reference="2020-01"), ts) == 50
    assert evaluate(t(statistic="ratio", date="2020-06", reference="2020-01"), ts, 0.1) == 6
    assert math.isnan(evaluate(t(date="2021-01"), ts))
    assert math.isnan(evaluate(t(statistic="mean", window=("2020-05", "2020-09")), ts))


def test_validate_reports_both_roles_with_intervals(tmp_path):
    path = _write(tmp_path, TINY.format(tol=0.5))
    v = validate("baseline", targets=path, n_seeds=3, scale=0.1, workers=1)
    assert list(v.table["id"]) == ["T1", "T2"]
    assert (v.table["q05"] <= v.table["mean"]).all() and (v.table["mean"] <= v.table["q95"]).all()
    assert len(v.values) == 6 and v.values["value"].notna().all()
    text = validation_table(v)
    assert "**Calibration targets** (1 of 1 pass)" in text
    assert "**Held-out targets** (1 of 1 pass)" in text
    # Same seeds, same numbers.
    again = validate("baseline", targets=path, n_seeds=3, scale=0.1, workers=1)
    assert np.array_equal(v.values["value"], again.values["value"])


def test_validate_exit_status_follows_held_out_targets(tmp_path):
    ok = _write(tmp_path, TINY.format(tol=0.5), "ok.toml")
    bad = _write(tmp_path, TINY.format(tol=0.5).replace("reported = 0.3", "reported = 5"), "b.toml")
    common = ("--seeds", "2", "--scale", "0.1", "--workers", "1")
    proc = _cli("validate", "baseline", "--targets", str(ok), *common)
    assert proc.returncode == 0, proc.stderr
    assert "| T2: " in proc.stdout
    proc = _cli("validate", "baseline", "--targets", str(bad), *common)
    assert proc.returncode == 1
    assert "held-out targets fail: T2" in proc.stderr


def test_validate_bad_input_is_one_line_status_2(tmp_path):
    path = _write(tmp_path, TINY.format(tol=0.5).replace('"2020-06"', '"2031-06"'))
    proc = _cli("validate", "baseline", "--targets", str(path), "--seeds", "1")
    assert proc.returncode == 2
    line = r"statecraft: error: target 'T1': month 2031-06 is outside .*\n"
    assert re.fullmatch(line, proc.stderr)
    proc = _cli("validate", "baseline", "--targets", str(tmp_path / "missing.toml"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "no such" in proc.stderr


def test_readme_validation_table_is_current():
    assert readme_is_current(ROOT / "README.md"), (
        "README validation table is stale: run `statecraft validate --readme README.md`"
    )
