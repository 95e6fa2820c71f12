"""The app without a browser: levers from the declarations, figures, `statecraft app`."""

from __future__ import annotations

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
    chart_figure,
    ecosystem_figure,
    pin,
    series_name,
)
from statecraft.app.controls import LEVER_GROUPS, apply_change, levers
from statecraft.errors import ParameterError
from statecraft.model import StatecraftModel
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
        assert p.unit in lever.label
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


# --- figures ---------------------------------------------------------------------------------
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
    extra = Panel("Nothing known", (Series(("no_such_metric",), "x"),), "unit")
    monkeypatch.setattr(components, "PANELS", (*PANELS[:2], extra))
    model = StatecraftModel(Params(scale=0.05, end_date="2020-06"), rng=1)
    model.step()
    fig = chart_figure(model)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == [PANELS[0].title, PANELS[1].title]


def test_figures_draw_at_the_start_during_a_run_and_with_pinned_runs():
    model = StatecraftModel(Params(scale=0.05, end_date="2021-06"), rng=2)
    for fig in (chart_figure(model), ecosystem_figure(model)):
        assert "start of 2020-01" in fig.get_suptitle()
    for _ in range(4):
        model.step()
    pinned = pin(model, "baseline")
    assert all(len(v) == 4 for v in pinned.values.values())
    other = StatecraftModel(Params(scale=0.05, end_date="2021-06", herding=0.9), rng=2)
    for _ in range(6):
        other.step()
    fig = chart_figure(other, [pinned])
    assert "dashed: baseline" in fig.get_suptitle()
    active = fig.axes[0]
    assert [len(line.get_xdata()) for line in active.lines] == [6, 4]
    assert active.lines[1].get_linestyle() == "--"
    eco = ecosystem_figure(other)
    assert "2020-06" in eco.get_suptitle()
    dots = sum(len(c.get_offsets()) for c in eco.axes[0].collections)
    assert dots >= len(other.startups)  # every startup drawn, plus cities and niches


def test_ecosystem_view_draws_at_most_max_points_startups_and_always_the_champions():
    model = StatecraftModel(Params(), rng=1)
    while len(model.startups) <= components.MAX_POINTS * 1.5:
        model.step()
    eco = ecosystem_figure(model)
    startup_dots = sum(len(c.get_offsets()) for c in eco.axes[0].collections[-3:])
    assert startup_dots < components.MAX_POINTS * 1.2
    assert len(eco.axes[0].collections[-1].get_offsets()) == int(np.sum(model.startups.champion))


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
