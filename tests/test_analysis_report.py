"""statecraft report and compare on real small sweeps and scenarios; bad input exits 2."""

from __future__ import annotations

import builtins
import json
import shutil

import numpy as np
import pandas as pd
import pytest
from statecraft.analysis import AnalysisError, analyse, compare, discover, open_sweep
from statecraft.cli import main
from statecraft.sweep import load, sobol_indices

from tests.conftest import GRID, sweep

# A policy dated 2020-06 replaces the export timeline from then on: the timeline may hold
# only the events before it (later ones are refused, not silently dropped).
# An early chip and tool cut-off that leaves foreign memory and the overseas foundry open, so
# that it raises the domestic share (a memory cut-off with no stockpile would stop domestic
# output instead).
EARLY_EVENTS = (
    'export_events = [{ date = "2020-01", chips = 0.0, tools = 0.3, foundry = 0.0 }]\n'
    "policy_memory = 0.0\npolicy_foundry = 0.0\npolicy_licensed = 0.0\n"
)


def test_report_tables_match_the_runs(grid_sweep):
    a = analyse(grid_sweep, ["duplication_index", "active_startups"])
    res = load(grid_sweep)
    df = res.runs.merge(res.final, on=["run_id", "seed"])
    pts = a.points.set_index(["point", "metric"])
    for point, g in df.groupby("point"):
        r = pts.loc[(point, "active_startups")]
        assert r["n"] == len(g) == 3
        assert r["mean"] == pytest.approx(g["active_startups"].mean())
        assert r["median"] == pytest.approx(g["active_startups"].median())
        assert r["interval_low"] == pytest.approx(np.quantile(g["active_startups"], 0.05))
        assert r["mean_ci_low"] <= r["mean"] <= r["mean_ci_high"]
    # heatmap cells are run means per herding x coordination; main effects average points
    hm = a.heatmap[a.heatmap["metric"] == "duplication_index"].set_index(
        ["herding", "coordination"]
    )
    cell = df[(df["herding"] == 1.0) & (df["coordination"] == 0.5)]["duplication_index"]
    assert hm.loc[(1.0, 0.5), "mean"] == pytest.approx(cell.mean())
    me = a.main_effects.set_index(["factor", "level", "metric"])
    want = df[df["herding"] == 0.0].groupby("point")["duplication_index"].mean().mean()
    assert me.loc[("herding", 0.0, "duplication_index"), "mean"] == pytest.approx(want)
    assert set(a.bands["metric"]) == {"duplication_index", "active_startups"}


def test_report_command_writes_one_folder(grid_sweep, tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["report", str(grid_sweep), "--out", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3  # heatmaps, fan charts, main effects
    assert "http://" not in html and "https://" not in html  # opens offline
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "![" in md and "figures/heatmaps.png" in md
    for name in ("points", "heatmap", "main_effects", "bands"):
        csv = pd.read_csv(out / "tables" / f"{name}.csv")
        pq = pd.read_parquet(out / "tables" / f"{name}.parquet")
        assert len(csv) == len(pq) > 0
    assert {p.name for p in (out / "figures").iterdir()} == {
        "heatmaps.png",
        "fan_charts.png",
        "main_effects.png",
    }


def test_half_finished_sweep_reports_what_is_there(grid_sweep, tmp_path, capsys):
    half = tmp_path / "half"
    shutil.copytree(grid_sweep, half)
    for f in ("final.parquet", "timeseries.parquet"):
        (half / f).unlink(missing_ok=True)
    gone = sorted((half / "final").glob("*.parquet"))[:4]
    for p in gone:
        p.unlink()
    (half / "errors" / "p00005-r002.json").write_text(
        json.dumps({"run_id": "p00005-r002", "error": "ValueError: boom", "traceback": ""})
    )
    (half / "final" / "p00005-r002.parquet").unlink()
    assert main(["report", str(half), "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    # Files the manifest records as stored but that are gone are reported, never trusted.
    # (p00005-r002's stored file is gone too: an error record cannot make it "failed".)
    assert "5 of 18 runs are damaged or missing on disk and left out" in err
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "damaged or missing" in md


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "{tmp}"], "not a sweep folder (no manifest.json"),
        (["report", "{tmp}/nowhere"], "no such folder"),
        (["report", "{grid}", "--metrics", "nope"], "unknown metric 'nope'; expected one of"),
        (["report", "{grid}", "--heatmap", "herding", "x"], "--heatmap factor 'x' is not"),
        (["report", "{grid}", "--outcome", "herding == 1"], "expected 'METRIC OP VALUE'"),
        (["report", "{grid}", "--outcome", "nope < 1"], "unknown metric 'nope'"),
        (["compare", "{grid}"], "compare needs at least two sources"),
        (["compare", "{grid}", "nosuchscenario"], "no such scenario file"),
        (["compare", "{tmp}", "{grid}"], "neither a sweep folder"),
        (["report", "{bad}"], "unreadable manifest"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(grid_sweep, tmp_path, capsys, args, message):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text("{not json")
    argv = [a.format(tmp=tmp_path, grid=grid_sweep, bad=bad) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_empty_sweep_says_nothing_finished(grid_sweep, tmp_path):
    empty = tmp_path / "empty"
    shutil.copytree(grid_sweep, empty)
    shutil.rmtree(empty / "final")
    (empty / "final").mkdir()
    (empty / "final.parquet").unlink(missing_ok=True)
    with pytest.raises(AnalysisError, match="no finished run yet"):
        open_sweep(empty)


def test_compare_sweeps_of_the_same_design(grid_sweep, tmp_path, capsys):
    cut = tmp_path / "cut.toml"
    cut.write_text(
        '[parameters]\npolicy_date = "2020-06"\npolicy_chips = 1.0\npolicy_tools = 1.0\n'
        + EARLY_EVENTS
    )
    other = sweep(tmp_path, "cutgrid", GRID, seed=7, replicates=3, scenario=cut.as_posix())
    c = compare([grid_sweep, other], ["domestic_share"])
    assert len(c.table) == 2 * 6  # two sources x six design points
    assert c.summary.loc[0, "points"] == 6
    assert any("base scenarios differ" in d for d in c.differs)
    assert c.sentences[0].startswith("Across 6 design points, cutgrid raises")
    # different design: refused
    lhs = sweep(tmp_path, "other", "herding = [0.0, 1.0]", seed=7)
    assert main(["compare", str(grid_sweep), str(lhs)]) == 2
    assert "compare sweeps of the same design" in capsys.readouterr().err
    # different horizon: refused
    longer = sweep(tmp_path, "long", GRID, seed=7, horizon="2021-09")
    with pytest.raises(AnalysisError, match="ends 2021-06 but 'long' ends 2021-09"):
        compare([grid_sweep, longer])


def test_compare_scenarios_run_on_the_fly(tmp_path, capsys):
    base = tmp_path / "tiny.toml"
    base.write_text('[parameters]\nscale = 0.05\nend_date = "2021-06"\n')
    cut = tmp_path / "tiny_cut.toml"
    cut.write_text(
        '[parameters]\nscale = 0.05\nend_date = "2021-06"\npolicy_date = "2020-06"\n'
        "policy_chips = 1.0\npolicy_tools = 1.0\n" + EARLY_EVENTS
    )
    out = tmp_path / "cmp"
    assert main(["compare", str(base), str(cut), "--replicates", "4", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "tiny_cut raises the domestic share of accelerators sold in Jun 2021 from" in text
    t = pd.read_parquet(out / "tables" / "comparison.parquet")
    assert set(t["source"]) == {"tiny", "tiny_cut"}
    assert (t.loc[t["source"] == "tiny", "n"] == 4).all()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 1
    # a run folder against a scenario: fine; a run folder against a sweep: refused
    assert main(["run", str(base), "--seed", "1", "--out", str(tmp_path / "run")]) == 0
    assert main(["compare", str(tmp_path / "run"), str(cut), "--replicates", "2"]) == 0


def test_saltelli_sobol_indices_with_intervals(tmp_path):
    out = sweep(
        tmp_path,
        "salt",
        "herding = {}\nfrontier_diffusion = { min = 0.01, max = 0.06 }",
        seed=7,
        design='kind = "saltelli"\nsamples = 16',
    )
    a = analyse(out, ["capability_gap_months"], n_resamples=200)
    s = a.sobol.set_index("factor")
    ref = sobol_indices(load(out), "capability_gap_months").set_index("factor")
    np.testing.assert_allclose(s["first_order"], ref["first_order"])
    np.testing.assert_allclose(s["total_order"], ref["total_order"])
    assert (s["total_order_low"] <= s["total_order_high"]).all()
    assert a.main_effects.empty


def test_discovery_finds_the_box(grid_sweep):
    src = open_sweep(grid_sweep)
    d = discover(src, "duplication_index <= 0.3")
    y = src.final["duplication_index"] <= 0.3
    assert d.cases == int(y.sum())
    if 0 < d.cases < d.runs:
        row = d.boxes.loc[d.chosen]
        assert 0 < row["coverage"] <= 1 and 0 < row["density"] <= 1
        assert "coordination" in d.rule
        assert d.figure is not None


def test_discovery_without_the_extra_says_how_to_install(grid_sweep, monkeypatch):
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name.startswith("ema_workbench"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    src = open_sweep(grid_sweep)
    with pytest.raises(AnalysisError, match=r"pip install 'statecraft\[analysis\]'"):
        discover(src, "duplication_index <= 0.3")


def test_half_finished_saltelli_sweep_reports_without_sobol(tmp_path, capsys):
    out = sweep(
        tmp_path,
        "salt2",
        "herding = {}\ncoordination = {}",
        seed=7,
        design='kind = "saltelli"\nsamples = 8',
    )
    (out / "final.parquet").unlink(missing_ok=True)
    (out / "final" / "p00003-r000.parquet").unlink()
    assert main(["report", str(out), "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "no Sobol indices: Sobol indices need every design point" in err
    assert "1 of 32 design points have no finished run yet (points 3)" in err
