"""The app in a real browser: headless Debian Chromium driven by Playwright, fully offline.

One server and one browser for the module; every test opens its own browser context (a visitor
of its own). Screenshots go to ``results/app-shots/`` (look at them).

Every wait is on something the page shows (a button, the state line, the charts' bytes), never a
fixed time, and no test asserts how long anything took (``benchmarks/bench_app.py`` measures
that): the tests pass on a machine at load 10 on 2 cores, only more slowly.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="the dev extra installs playwright")
from tests.browser import STEP_LATENCY_JS, Session, serve_app
from tests.conftest import ROOT

SHOTS = ROOT / "results" / "app-shots"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """The server's working directory: the scenario box reads the files under it."""
    return tmp_path_factory.mktemp("app-cwd")


@pytest.fixture(scope="module")
def url(tmp_path_factory, workdir):
    """The app's server, serving the baseline; stopped at the end of the module in any case."""
    log = tmp_path_factory.mktemp("app") / "server.log"
    with serve_app("baseline", log=log, cwd=workdir) as address:
        yield address
    # serve_app has checked the log for requests that tried to leave the machine


@pytest.fixture
def visit(chromium, url):
    """Open a new visitor (browser context) on the app; all are closed after the test."""
    sessions: list[Session] = []

    def open_session() -> Session:
        s = Session(chromium, url)
        sessions.append(s)
        return s

    try:
        yield open_session
    finally:
        for s in sessions:
            s.close()
    for s in sessions:
        assert s.foreign_hosts == [], f"requests left the machine: {s.foreign_hosts}"
        assert s.console_errors == [], s.console_errors


def test_page_loads_offline_without_console_errors_and_reset_restores_the_start(visit):
    s = visit()
    assert s.state() == {
        "scenario": "baseline",
        "step": "0",
        "active": "1400",
        "pins": "0",
        "levers": "-",
    }
    assert len(s.digest()) == 2  # metric charts and ecosystem view
    s.wait_value("herding", "0.5")
    assert s.page.get_by_text("FACTS S5 (000)").count() >= 1  # help text names the source
    s.shot(SHOTS, "01_loaded")
    # the checks on foreign hosts and console errors run in the fixture

    # Reset restores the start: same state, byte-identical charts
    start = s.digest()
    s.redraw(lambda: s.step(1))
    assert s.redraw(lambda: s.step(1)) != start
    reset = s.redraw(lambda: s.click("Reset"))
    s.wait_state(step="0", active="1400")
    assert reset == start


def test_levers_apply_at_once_steps_change_charts_and_a_pinned_run_stays(visit):
    s = visit()
    s.page.evaluate(STEP_LATENCY_JS)
    for _ in range(3):
        s.redraw(lambda: s.step(1))
    # compare: keep these curves on the charts (the metric panels only)
    pinned = s.redraw(lambda: s.click("Pin this run"), charts=(0,))
    s.wait_state(pins="1")
    # the charts change with the lever: a drawing that ignored it would time out here
    after = s.redraw(lambda: s.type_lever("herding", "0.95"))
    state = s.wait_state(levers="herding=0.95", step="3")  # rebuilt and replayed to step 3
    s.page.locator(".app-notice").filter(has_text="herding 0.5 → 0.95").wait_for()
    assert after[0] != pinned[0]
    s.redraw(lambda: s.step(1))
    assert s.redraw(lambda: s.step(1)) != after
    assert state["scenario"] == "baseline"
    # the slider of an integer lever: one key press is one value up
    thumb = s.page.locator(".lever-slider-n_city_funds [role=slider]")
    thumb.focus()
    thumb.press("ArrowRight")
    s.wait_state(step="5", levers="n_city_funds=8,herding=0.95")
    s.shot(SHOTS, "02_levers_changed_with_a_pinned_run")
    s.click("Clear pins")
    s.wait_state(pins="0")
    # the latency probe of benchmarks/bench_app.py sees steps and lever changes (how long they
    # take is the benchmark's business: this machine may be busy)
    s.page.wait_for_function("window.__lat.step.length >= 5 && window.__lat.change.length >= 1")


def test_two_visitors_have_their_own_runs(visit):
    a, b = visit(), visit()
    a.step(2)
    # b's own round trip to the server: its state line now shows b's model, whatever it is
    b.type_lever("coordination", "0.9")
    state = b.wait_state(levers="coordination=0.9")
    assert state["step"] == "0", "b's run moved with a's Step clicks"
    b.step(1)
    assert a.state()["step"] == "2" and a.state()["levers"] == "-"
    assert b.state()["step"] == "1"
    a.shot(SHOTS, "03_visitor_a")
    b.shot(SHOTS, "03_visitor_b")


def test_out_of_bounds_and_impossible_dates_are_refused_with_a_message(visit):
    s = visit()
    s.type_lever("herding", "1.5")
    msg = s.page.get_by_text("parameter 'herding' must be a number in [0, 1]; got 1.5")
    msg.wait_for()
    s.type_lever("policy_date", "2026-13")
    s.page.get_by_text(
        "parameter 'policy_date' must be a month \"YYYY-MM\"; got '2026-13'"
    ).wait_for()
    s.type_lever("paradigm_shift_date", "soon")
    s.page.get_by_text("got 'soon'").wait_for()
    s.type_lever("n_city_funds", "7.5")
    s.page.get_by_text("n_city_funds must be an integer; got '7.5'").wait_for()
    s.type_lever("seed", "²")  # a Unicode digit int() refuses: a message, not a traceback
    s.page.get_by_text("seed must be an integer >= 0; got '²'").wait_for()
    s.shot(SHOTS, "04_refused")
    assert s.state()["levers"] == "-"  # nothing was applied
    s.step(1)  # the server is alive and the session works
    s.type_lever("herding", "0.7")  # a valid value clears the message
    s.wait_state(levers="herding=0.7")
    msg.wait_for(state="detached")


def test_scenarios_load_in_one_click_and_a_bad_file_gives_a_readable_error(
    visit, workdir, tmp_path
):
    bad = workdir / "broken.toml"
    bad.write_text('[parameters]\nherding = "lots"\n')
    s = visit()
    field = s.page.locator(".scenario-file input")
    field.fill(str(bad))
    field.press("Enter")
    problem = s.page.locator(".app-problem")
    problem.wait_for()
    assert "broken.toml" in problem.inner_text() and "herding" in problem.inner_text()
    s.shot(SHOTS, "05_bad_file")
    s.step(1)  # still working
    # a file outside the server's folders is not read, whether it exists or not
    outside = tmp_path / "elsewhere.toml"
    outside.write_text("[parameters]\nherding = 0.5\n")
    field.fill(str(outside))
    field.press("Enter")
    s.page.get_by_text("the app reads scenario files under").wait_for()
    # a file of a user's own loads from the same field; a short run plays to its end and stops
    short = workdir / "short.toml"
    short.write_text('[parameters]\nend_date = "2020-04"\n')
    field.fill(str(short))
    field.press("Enter")
    s.wait_state(scenario="short", step="0")
    problem.wait_for(state="detached")
    s.click("▶")
    s.page.wait_for_selector("button:has-text('▶')[disabled]")  # the run is over
    s.wait_state(step="4")
    s.wait_disabled("Step")
    s.page.locator(".load-export_cutoff").click()
    state = s.wait_state(scenario="export_cutoff", step="0")
    assert state["levers"] == "-"
    s.wait_value("policy_chips", "1")


# --- the scenario box and the seed field, without a browser -------------------------------------
def test_the_scenario_box_reads_only_under_the_working_directory_and_shipped(tmp_path, monkeypatch):
    from statecraft.app.app import scenario_from_box
    from statecraft.errors import ScenarioError

    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    (here / "mine.toml").write_text("[parameters]\nherding = 0.25\n", encoding="utf-8")
    assert scenario_from_box("mine.toml").params.herding == 0.25
    assert scenario_from_box(str(here / "mine.toml")).params.herding == 0.25
    assert scenario_from_box("export_cutoff").name == "export_cutoff"
    # Outside: refused before it is read, in the same words whether it exists or not.
    (tmp_path / "secret.toml").write_text("[parameters]\nherding = 0.5\n", encoding="utf-8")
    (here / "link.toml").symlink_to(tmp_path / "secret.toml")
    messages = []
    for source in (str(tmp_path / "secret.toml"), str(tmp_path / "none.toml"), "link.toml"):
        with pytest.raises(ScenarioError, match="the app reads scenario files under") as err:
            scenario_from_box(source)
        messages.append(str(err.value).replace(source, "X"))
    assert len(set(messages)) == 1
    for source in ("/etc/shadow", "/etc/no-such-file", "../secret.toml"):
        with pytest.raises(ScenarioError, match="the app reads scenario files under"):
            scenario_from_box(source)
    # Like `statecraft run`, a scenario too large for the machine is refused.
    (here / "big.toml").write_text(
        "[parameters]\nscale = 100.0\ninitial_startups = 1000000\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match=r"big\.toml: this run would need about"):
        scenario_from_box("big.toml")


def test_a_seed_is_ascii_digits_below_two_to_the_63():
    from statecraft.app.app import parse_seed

    assert parse_seed(" 7 ") == 7 and parse_seed("0") == 0
    for text in ("²", "٣", "-1", "1.5", "", str(2**63)):
        assert parse_seed(text) is None, text
