"""The `statecraft` command as a user runs it."""

import re

import pandas as pd
from statecraft import __version__
from statecraft.params import PARAMETERS, parameter_table_markdown

from tests.conftest import ROOT, run_cli


def test_run_writes_tidy_tables_dashboard_and_summary(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("run", "baseline", "--seed", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "domestic_share_passes_50pct" in proc.stdout
    for name in ("run", "timeseries", "niches", "champions"):
        assert (out / f"{name}.parquet").is_file() and (out / f"{name}.csv").is_file()
    png = (out / "dashboard.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert ts["date"].iloc[0] == pd.Timestamp("2020-01-01")
    assert ts["date"].iloc[-1] == pd.Timestamp("2030-12-01")
    assert (ts["step"].diff().dropna() == 1).all() and (ts["seed"] == 3).all()
    run = pd.read_parquet(out / "run.parquet")
    assert run.loc[0, "scenario"] == "baseline" and run.loc[0, "seed"] == 3
    assert run.loc[0, "package_version"] == __version__
    assert "herding" in run.columns
    niches = pd.read_parquet(out / "niches.parquet")
    assert set(niches["niche"]) >= {"llm", "vision"}
    assert pd.read_csv(out / "timeseries.csv").shape == ts.shape


def test_same_seed_same_files(tmp_path):
    for d in ("a", "b"):
        proc = run_cli("run", "coordinated", "--out", str(tmp_path / d), "--no-dashboard")
        assert proc.returncode == 0, proc.stderr
    a = pd.read_parquet(tmp_path / "a" / "timeseries.parquet")
    b = pd.read_parquet(tmp_path / "b" / "timeseries.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_bad_input_gives_one_line_error_and_status_2(tmp_path):
    bad = tmp_path / "typo.toml"
    bad.write_text("[parameters]\nherding = 2\n")
    for args in (
        ("run", str(bad)),
        ("run", str(tmp_path / "missing.toml")),
        ("run", "baseline", "--seed", "-4"),
        ("run", "baseline", "--seed", "x"),
        ("frobnicate",),
    ):
        proc = run_cli(*args)
        assert proc.returncode == 2, args
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not (tmp_path / "results").exists()


def test_params_prints_one_row_per_parameter_with_unit_bounds_and_source():
    proc = run_cli("params")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("| parameter | default | unit | bounds |")
    rows = {line.split("|")[1].strip().strip("`"): line for line in lines[2:]}
    assert set(rows) == {p.name for p in PARAMETERS}
    herding = rows["herding"]
    assert "[0, 1]" in herding and "assumption" in herding


def test_readme_parameter_table_is_current():
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- params:start -->\n(.*?)<!-- params:end -->", readme, flags=re.DOTALL)
    assert match, "README lacks the generated parameter table markers"
    assert match.group(1) == parameter_table_markdown(), (
        "README parameter table is stale: run `make readme-params`"
    )


def test_seed_zero_in_a_file_is_used_and_outputs_are_readable(tmp_path):
    scen = tmp_path / "zero.toml"
    scen.write_text('description = "seed zero"\nseed = 0\n[parameters]\nend_date = "2020-06"\n')
    out = tmp_path / "o"
    proc = run_cli("run", str(scen), "--out", str(out), "--no-dashboard")
    assert proc.returncode == 0, proc.stderr
    assert "(seed 0)" in proc.stdout
    assert pd.read_parquet(out / "run.parquet").loc[0, "seed"] == 0
    mode = (out / "timeseries.parquet").stat().st_mode & 0o777
    assert mode & 0o044 == 0o044  # group and others may read shared results (umask 022)


def test_shipped_scenarios_are_found_by_name_from_any_directory(tmp_path):
    args = ("run", "coordinated", "--out", str(tmp_path / "o"), "--no-dashboard")
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_huge_seed_is_refused_before_running(tmp_path):
    proc = run_cli("run", "baseline", "--seed", str(2**64), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()
