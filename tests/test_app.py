"""The app in a real browser: headless Debian Chromium driven by Playwright, fully offline.

One server and one browser for the module; every test opens its own browser context (a visitor
of its own). Screenshots go to ``results/app-shots/`` (look at them).

Every wait is on something the page shows (a button, the state line, a chart's key), never a
fixed time, and no test asserts how long anything took (``benchmarks/bench_app.py`` measures
that): the tests pass on a machine at load 10 on 2 cores, only more slowly.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright", reason="the dev extra installs playwright")
from statecraft import load_scenario
from statecraft.app.app import changed_levers
from statecraft.app.course import EXERCISES
from statecraft.app.takeaway import fmt

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

    def open_session(**size) -> Session:
        s = Session(chromium, url, **size)
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


def test_page_loads_offline_in_plain_words_and_reset_restores_the_start(visit):
    s = visit(width=1280, height=720)
    assert s.state() == {
        "scenario": "baseline",
        "step": "0",
        "active": "1400",
        "pins": "0",
        "levers": "-",
    }
    s.wait_value("herding", "0.5")
    # plain labels; the parameter's name and its source in the tooltip
    title = s.page.locator(".lever-policy_chips .lever-title")
    assert title.inner_text().startswith("Foreign AI chips blocked")
    tip = title.get_attribute("title")
    assert "policy_chips" in tip and ("Source: " in tip or "Assumption: " in tip)
    assert s.page.get_by_text("semiconductor_fund_usd_bn_per_year").count() == 0  # no raw names
    # at 1280 x 720 levers are visible without scrolling
    box = s.page.locator(".lever-input-policy_chips input").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 720
    # the machine-readable state line is not shown to students
    line = s.page.locator(".model-state").bounding_box()
    assert line is not None and line["height"] <= 1
    # fixed axes with units; the policy date marked from the start
    assert s.page.locator(".sc-panel").count() == 6
    assert s.page.locator("line.sc-mark-policy").count() == 6
    assert "months behind" in s.page.locator(".sc-charts").inner_text()
    s.shot(SHOTS, "01_loaded_1280x720")

    start = s.digest()
    s.redraw(lambda: s.step(1))
    assert s.redraw(lambda: s.step(1)) != start
    reset = s.redraw(lambda: s.click("Reset"))
    s.wait_state(step="0", active="1400")
    assert reset == start


def test_levers_apply_at_once_the_banner_says_why_nothing_moves_and_pins_are_compared(visit):
    s = visit()
    s.page.evaluate(STEP_LATENCY_JS)
    for _ in range(3):
        s.redraw(lambda: s.step(1))
    # a lever that acts only from the policy date: the banner says why nothing moves
    s.redraw(lambda: s.type_lever("policy_chips", "1"))
    s.wait_state(levers="policy_chips=1", step="3")
    s.page.locator(".app-notice").filter(has_text="acts from 2026-01").wait_for()
    pinned = s.redraw(lambda: s.click("Pin this run"), charts=(0,))
    s.wait_state(pins="1")
    after = s.redraw(lambda: s.type_lever("herding", "0.95"))
    s.wait_state(levers="herding=0.95,policy_chips=1", step="3")  # rebuilt and replayed
    s.page.locator(".app-notice").filter(has_text="Herding of city funds 0.5 → 0.95").wait_for()
    assert after[0] != pinned[0]
    s.page.locator(".compare-diff").filter(has_text="herding 0.5 → 0.95").wait_for()
    s.redraw(lambda: s.step(1))
    # the slider of an integer lever: one key press is one value up
    thumb = s.page.locator(".lever-slider-n_city_funds [role=slider]")
    thumb.focus()
    thumb.press("ArrowRight")
    s.wait_state(step="4", levers="n_city_funds=8,herding=0.95,policy_chips=1")
    s.shot(SHOTS, "02_levers_changed_with_a_pinned_run")
    s.click("Clear pins")
    s.wait_state(pins="0")
    s.page.wait_for_function("window.__lat.step.length >= 4 && window.__lat.change.length >= 2")


def test_two_visitors_have_their_own_runs(visit):
    a, b = visit(), visit()
    a.step(2)
    b.type_lever("coordination", "0.9")
    state = b.wait_state(levers="coordination=0.9")
    assert state["step"] == "0", "b's run moved with a's Step clicks"
    b.step(1)
    assert a.state()["step"] == "2" and a.state()["levers"] == "-"
    assert b.state()["step"] == "1"


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


def test_pause_while_playing_stops_the_run_and_play_resumes_it(visit):
    s = visit()
    s.page.locator(".play-button").click()
    for _ in range(3):  # pause and resume while months arrive, three times
        n = s.wait_step_at_least(int(s.state()["step"]) + 2)
        s.page.locator(".play-button").click()  # ❚❚
        s.page.get_by_role("button", name="▶").wait_for()
        s.page.get_by_role("button", name="Step", exact=True).and_(
            s.page.locator(":not([disabled])")
        ).wait_for()
        paused = int(s.state()["step"])
        assert paused >= n
        s.step(1)  # paused: one Step moves exactly one month
        assert int(s.state()["step"]) == paused + 1
        s.page.locator(".play-button").click()  # ▶
        s.page.get_by_role("button", name="❚❚").wait_for()
    s.page.get_by_role("button", name="▶").and_(s.page.locator("[disabled]")).wait_for()
    s.wait_state(step="132")  # played to the end and stopped


def test_scenarios_load_and_a_reset_of_levers_is_stated(visit, workdir, tmp_path):
    bad = workdir / "broken.toml"
    bad.write_text('[parameters]\nherding = "lots"\n')
    s = visit()
    field = s.page.locator(".scenario-file input")
    field.fill(str(bad))
    field.press("Enter")
    problem = s.page.locator(".app-problem")
    problem.wait_for()
    assert "broken.toml" in problem.inner_text() and "herding" in problem.inner_text()
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
    # pin, move a lever, load a scenario: the comparison says which levers the load reset
    s.click("Pin this run")
    s.wait_state(pins="1")
    s.type_lever("herding", "0.9")
    s.wait_state(levers="herding=0.9")
    s.page.locator(".load-export_cutoff").click()
    state = s.wait_state(scenario="export_cutoff", step="0")
    assert state["levers"] == "-"
    s.wait_value("policy_chips", "1")
    s.page.locator(".app-notice").filter(has_text="lever changes were reset").wait_for()
    diff = s.page.locator(".compare-diff").inner_text()
    assert "scenario short → export_cutoff" in diff
    assert "end_date 2020-04 → 2030-12" in diff and "policy_chips 0.9 → 1" in diff
    s.shot(SHOTS, "05_scenario_loaded_after_a_pin")


def test_run_to_the_end_then_save_the_levers_and_download_the_run(visit, tmp_path):
    s = visit()
    s.type_lever("herding", "0.8")
    s.wait_state(levers="herding=0.8")
    s.redraw(lambda: s.page.locator(".run-to-end").click())
    s.wait_state(step="132")
    s.wait_disabled("Step")
    with s.page.expect_download() as dl:
        s.page.get_by_role("button", name="Save levers as a scenario file").click()
    path = tmp_path / "saved.toml"
    dl.value.save_as(path)
    saved = load_scenario(path)  # what `statecraft run` reads
    assert saved.params.herding == 0.8 and saved.seed == 1
    with s.page.expect_download() as dl:
        s.page.get_by_role("button", name="Download this run (CSV)").click()
    csv = tmp_path / "run.csv"
    dl.value.save_as(csv)
    import pandas as pd

    ts = pd.read_csv(csv)
    assert len(ts) == 132 and ts["date"].iloc[-1] == "2030-12"
    assert {"scenario", "seed", "step", "domestic_share", "duplication_index"} <= set(ts.columns)


def test_an_exercise_end_to_end_and_the_about_tab(visit):
    s = visit()
    ex = EXERCISES[0]  # chip cut-off: domestic share passes 80 % by 2028-12
    s.page.get_by_role("tab", name="Exercises").click()
    s.page.locator(f".verdict-{ex.key}").filter(has_text="not yet").wait_for()
    s.page.locator(f".differ-{ex.key}").wait_for()  # the levers are not the exercise's yet
    s.page.locator(f".set-{ex.key}").click()
    changed = changed_levers(ex.params(), load_scenario("baseline"))
    s.wait_state(levers=",".join(f"{k}={fmt(v)}" for k, v in changed.items()))
    s.page.locator(f".differ-{ex.key}").wait_for(state="detached")
    s.page.locator(".run-to-end").click()
    s.wait_state(step="132")
    line = s.wait_verdict(ex.key, "yes")
    assert "2026" in line  # the month it passes
    s.shot(SHOTS, "06_exercise_checked")
    s.page.get_by_role("tab", name="About this model").click()
    about = s.page.locator(".about")
    about.get_by_text("What it cannot say").wait_for()
    for heading in (
        "What this model is",
        "Who acts in it",
        "What each chart shows",
        "Things to try",
    ):
        assert heading in about.inner_text()


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
