"""The app without a browser: levers from the declarations, figures, `statecraft app`."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import numpy as np
import pytest
from statecraft import Params, metrics
from statecraft.app import components
from statecraft.app.components import (
    PANELS,
    Panel,
    Series,
    chart_data,
    latest,
    markers,
    market_line,
    pin,
    series_name,
)
from statecraft.app.controls import (
    LEVER_GROUPS,
    PLAIN,
    apply_change,
    dated_by,
    levers,
    other_levers,
)
from statecraft.app.playback import MAX_POINTS, Playback
from statecraft.app.takeaway import differences, scenario_toml, timeseries_csv
from statecraft.errors import ParameterError
from statecraft.params import PARAMETERS, SHARE_GROUPS, param

from tests.conftest import ROOT, run_cli
from tests.processes import TIMEOUT_S, die_with_parent, free_port, stop_process


# --- levers ----------------------------------------------------------------------------------
def test_levers_are_the_declared_parameters_with_their_defaults_bounds_and_sources():
    shown = [lever for _, group in levers() for lever in group]
    assert {lv.name for lv in shown} == {n for _, names in LEVER_GROUPS for n in names}
    for lever in shown:
        p = param(lever.name)
        assert lever.param is p
        assert p.unit in lever.help
        if p.bounds is not None:
            assert f"Bounds [{p.bounds[0]:g}, {p.bounds[1]:g}]" in lever.help
            lo, hi, _ = lever.slider
            assert p.bounds[0] <= lo < hi <= p.bounds[1]
            assert lo <= p.default <= hi
        assert ("Assumption: " in lever.help) == p.source.startswith("assumption:")
        assert "Source: " in lever.help or "Assumption: " in lever.help


def test_levers_skip_names_the_parameter_table_no_longer_declares(monkeypatch):
    monkeypatch.setattr(
        "statecraft.app.controls.LEVER_GROUPS", (("Gone", ("no_such_param", "herding")),)
    )
    assert [[lv.name for lv in g] for _, g in levers()] == [["herding"]]


def test_a_typed_value_is_validated_like_a_scenario_file():
    p = Params()
    assert apply_change(p, "herding", "0.8").herding == 0.8
    assert apply_change(p, "n_city_funds", 9.0).n_city_funds == 9
    assert apply_change(p, "policy_date", " 2027-03 ").policy_date == "2027-03"
    cases = {
        ("herding", "1.5"): r"^parameter 'herding' must be a number in \[0, 1\]; got 1.5$",
        ("herding", "lots"): r"^herding must be a number; got 'lots'$",
        ("n_city_funds", "7.5"): r"^n_city_funds must be an integer; got '7.5'$",
        ("n_city_funds", "13"): r"must be an integer in \[1, 12\]; got 13$",
        ("policy_date", "2026-13"): r"must be a month \"YYYY-MM\"; got '2026-13'$",
        ("paradigm_shift_date", "2022-02-30"): r"got '2022-02-30'$",
    }
    for (name, raw), pattern in cases.items():
        with pytest.raises(ParameterError, match=pattern):
            apply_change(p, name, raw)


def test_a_budget_share_moves_the_rest_of_its_group_in_proportion():
    p = apply_change(Params(), "central_share_startups", 0.7)
    assert p.central_share_startups == 0.7
    # 0.3 : 0.2 of the remaining 0.3
    assert p.central_share_semiconductor == pytest.approx(0.18)
    assert p.central_share_compute == pytest.approx(0.12)
    for group in SHARE_GROUPS:
        for name in group:
            q = apply_change(Params(), name, 1.0)
            assert sum(getattr(q, n) for n in group) == pytest.approx(1.0, abs=1e-9)
            q = apply_change(q, name, 0.25)  # the others were all 0: they share the rest
            assert sum(getattr(q, n) for n in group) == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(ParameterError, match="central_share_compute' must be a number in"):
        apply_change(Params(), "central_share_compute", 1.2)


# --- what the charts show --------------------------------------------------------------------
def test_every_panel_draws_a_metric_the_model_reports():
    for panel in PANELS:
        assert any(series_name(s) for s in panel.series), panel.title
    for required in ("active_startups", "entries", "exits", "domestic_share",
                     "capability_gap_months", "duplication_index", "champions"):  # fmt: skip
        assert any(series_name(s) == required for p in PANELS for s in p.series), required


def test_a_renamed_metric_falls_back_to_its_older_name_and_an_unknown_panel_is_left_out(
    monkeypatch,
):
    assert series_name(Series(("excess_waste_share", "wasted_share"), "w")) in metrics.REPORTERS
    assert series_name(Series(("new_name", "wasted_share"), "w"), {"wasted_share": None}) == (
        "wasted_share"
    )
    extra = Panel("Nothing known", (Series(("no_such_metric",), "x"),), "unit", (0, 1), "none")
    monkeypatch.setattr(components, "PANELS", (*PANELS[:2], extra))
    pb = Playback(Params(scale=0.05, end_date="2020-06"), 1)
    pb.advance_to(1)
    assert [p["title"] for p in chart_data(pb)["panels"]] == [PANELS[0].title, PANELS[1].title]


def test_axes_are_fixed_and_widen_only_when_a_run_leaves_them_and_dates_are_marked():
    pb = Playback(Params(scale=0.05, end_date="2021-06"), 2)
    start = chart_data(pb)
    assert [p["y"] for p in start["panels"]][2:4] == [[0, 1], [0, 36]]
    assert start["panels"][0]["y"] == [0, 1000]  # 15,000 startups x scale 0.05, rounded up
    kinds = {m["kind"] for m in start["markers"]}
    assert kinds == {"event"}  # the policy date and the paradigm shift are after this run
    pb.advance_to(6)
    pinned = pin(pb, 4, "baseline", "baseline")
    assert all(len(v) == 4 for v in pinned.values.values())
    other = Playback(Params(scale=0.05, end_date="2021-06", herding=0.9), 2)
    other.advance_to(6)
    data = chart_data(other, [pinned])
    active = data["panels"][0]["series"][0]
    assert len(active["values"]) == 6 and len(active["pins"][0]["values"]) == 4
    assert data["pins"][0]["name"] == "dashed"
    full = markers(Params(), Playback(Params(), 1).months)
    assert [m["kind"] for m in full].count("policy") == 1
    assert full[-1]["label"] == "paradigm shift 2022-11"


def test_a_run_is_computed_ahead_and_keeps_every_months_ecosystem():
    pb = Playback(Params(scale=0.05, end_date="2021-06"), 3)
    pb.compute_ahead()
    pb.join(TIMEOUT_S)
    assert pb.computed == pb.total == 18 and sorted(pb.snapshots) == list(range(19))
    same = Playback(Params(scale=0.05, end_date="2021-06"), 3)
    same.advance_to(5)  # computing ahead changes nothing in the run
    assert (
        same.series(["active_startups"])["active_startups"]
        == (pb.series(["active_startups"])["active_startups"][:5])
    )
    eco = pb.snapshot(5).to_json()
    json.dumps(eco), json.dumps(chart_data(pb))  # plain JSON for the browser, no numpy numbers
    assert eco["month"] == "2020-05" and eco["total"] == pb.snapshots[5].total
    assert len(eco["x"]) == eco["total"] and set(eco["kind"]) <= {0, 1, 2}
    assert pb.snapshot(0).month == "2020-01" and pb.snapshot(0).total == 70
    replayed = Playback(Params(scale=0.05, end_date="2021-06"), 3)
    replayed.advance_to(5, replay=True)  # only the month shown keeps its ecosystem
    assert sorted(replayed.snapshots) == [0, 5]
    assert replayed.snapshot(5).total == pb.snapshots[5].total
    stopped = Playback(Params(scale=0.05), 3)
    stopped.stop()
    stopped.compute_ahead()
    stopped.join(TIMEOUT_S)
    assert stopped.computed == 0


def test_ecosystem_keeps_at_most_max_points_startups_and_always_the_champions():
    pb = Playback(Params(), 1)
    while len(pb.model.startups) <= MAX_POINTS * 1.5:
        pb.advance_to(pb.computed + 12)
    eco = pb.snapshot(pb.computed)
    assert len(eco.x) < MAX_POINTS * 1.2
    assert int(np.sum(eco.kind == 2)) == int(np.sum(pb.model.startups.champion))


def test_market_line_says_the_month_and_the_chip_market_in_words():
    pb = Playback(Params(scale=0.05, end_date="2020-06"), 1)
    pb.advance_to(3)
    values = pb.series(["compute_shortage", "chip_price_index", "domestic_share"])
    line = market_line(values, 3, "2020-03", 80)
    assert line.startswith("2020-03: 80 startups") and "of 2020" in line and "domestic" in line
    assert latest(values, 0, "domestic_share") is None


# --- take-aways ------------------------------------------------------------------------------
def test_saved_levers_are_a_scenario_file_statecraft_run_accepts(tmp_path):
    from statecraft import load_scenario

    params = Params(herding=0.85, policy_date="2027-03", devalued_niches=("vision", "speech"))
    path = tmp_path / "mine.toml"
    path.write_text(scenario_toml(params, 7, "baseline"))
    saved = load_scenario(path)
    assert saved.params == params and saved.seed == 7
    events = Params().export_events[:2]
    assert "export_events = [{ date" in scenario_toml(Params(export_events=events), 1, "x")
    assert load_scenario(path).description.startswith("baseline with herding=0.85")
    proc = run_cli("run", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr


def test_the_run_downloads_as_csv_up_to_the_month_shown():
    import io

    import pandas as pd

    pb = Playback(Params(scale=0.05, end_date="2020-12"), 2)
    ts = pd.read_csv(io.StringIO(timeseries_csv(pb, 5, "baseline")))
    assert list(ts.columns[:4]) == ["scenario", "seed", "step", "date"]
    assert ts["step"].tolist() == [1, 2, 3, 4, 5] and ts["seed"].unique().tolist() == [2]
    assert "domestic_share" in ts.columns
    assert pd.read_csv(io.StringIO(timeseries_csv(pb, 0, "x"))).empty


def test_a_comparison_states_every_difference_and_which_a_scenario_load_reset():
    base = Params()
    now = Params(herding=0.9, policy_chips=1.0)
    diffs = differences(base, 1, "baseline", now, 2, "export_cutoff", {"policy_chips": "x"})
    assert diffs == [
        "scenario baseline → export_cutoff",
        "seed 1 → 2",
        "herding 0.5 → 0.9",
        "policy_chips 0.9 → 1 (reset by loading x)",
    ]
    assert differences(base, 1, "b", base, 1, "b") == []


# --- plain words -----------------------------------------------------------------------------
def test_every_main_lever_has_plain_words_and_every_other_parameter_is_reachable():
    for _, group in levers():
        for lever in group:
            assert lever.name in PLAIN, lever.name
            assert "_" not in lever.label and lever.meaning.endswith(".")
            assert lever.help.startswith(f"Parameter {lever.name} (")
    shown = {lv.name for _, g in levers() for lv in g} | {
        lv.name for _, g in other_levers() for lv in g
    }
    numbers = {p.name for p in PARAMETERS if p.kind in ("float", "int", "month")}
    assert shown == numbers  # a new parameter appears without a change to the app
    assert dated_by("policy_chips") == "policy_date" and dated_by("herding") is None
    assert dated_by("policy_date") is None


# --- the command -----------------------------------------------------------------------------
def test_app_refuses_a_bad_scenario_file_port_or_seed_in_one_line(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('[parameters]\nherding = "lots"\n')
    for args, pattern in (
        ((str(bad),), "broken.toml: [parameters]: parameter 'herding' must be a number"),
        (("nosuch",), "no such scenario"),
        (("--port", "70000"), "--port must be an integer in [1, 65535]; got 70000"),
        (("--seed", "-1"), "--seed must be an integer in [0, 2^63); got -1"),
    ):
        proc = run_cli("app", *args)
        assert proc.returncode == 2, proc
        assert proc.stderr.count("\n") == 1 and pattern in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr


def test_app_refuses_a_port_in_use():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = run_cli("app", "--port", str(port))
    assert proc.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr and proc.stderr.count("\n") == 1


def test_app_without_the_extra_says_how_to_install_it():
    # solara hidden from the import system, as in an install without the [app] extra
    code = (
        "import sys, importlib.abc\n"
        "class Hide(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('solara', 'solara_assets'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Hide())\n"
        "from statecraft.cli import main\n"
        "sys.exit(main(['app']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT_S
    )
    assert proc.returncode == 2
    assert proc.stderr == (
        "statecraft: error: the app needs its optional dependencies (solara, solara_assets "
        'missing): pip install "statecraft[app]"\n'
    )


@pytest.mark.slow
def test_app_prints_its_address_and_sigterm_stops_the_server(tmp_path):
    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "statecraft.cli", "app", "export_cutoff", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=die_with_parent,
    ) as proc:
        try:
            line = proc.stdout.readline()  # the ready line: printed once the port answers
            address = f"http://127.0.0.1:{port}/"
            assert line == f"statecraft app: export_cutoff at {address} (Ctrl-C to stop)\n"
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=TIMEOUT_S) == 0
        finally:
            stop_process(proc)  # SIGTERM first: the launcher passes it on to solara
    with socket.socket() as s:  # the solara child is gone with it: the port is free again
        s.bind(("127.0.0.1", port))


def test_every_lever_group_heading_is_unique_and_every_lever_is_a_number_or_month():
    headings = [h for h, _ in LEVER_GROUPS]
    assert len(headings) == len(set(headings))
    kinds = {p.name: p.kind for p in PARAMETERS}
    assert {kinds[n] for _, names in LEVER_GROUPS for n in names} <= {"float", "int", "month"}


def test_the_page_starts_from_a_users_file_and_falls_back_with_a_message(monkeypatch, tmp_path):
    from statecraft.app.app import initial_scenario
    from statecraft.app.cli import ENV_SCENARIO, ENV_SEED

    mine = tmp_path / "mine.toml"
    mine.write_text('description = "mine"\nseed = 4\n[parameters]\nherding = 0.8\n')
    monkeypatch.setenv(ENV_SCENARIO, str(mine))
    monkeypatch.delenv(ENV_SEED, raising=False)
    start = initial_scenario()
    assert (start.scenario.name, start.scenario.params.herding, start.seed) == ("mine", 0.8, 4)
    assert start.error is None
    monkeypatch.setenv(ENV_SEED, "9")
    assert initial_scenario().seed == 9
    mine.write_text("[parameters]\nherding = 2.0\n")  # broken after the server started
    start = initial_scenario()
    assert start.scenario.params == Params() and start.error.startswith(
        "could not load the scenario: "
    )
    assert "mine.toml" in start.error and "herding" in start.error
