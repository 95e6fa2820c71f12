"""The browser app: a Solara page in the manner of Mesa's SolaraViz (``statecraft app``).

Served by ``solara run statecraft.app.app:Page`` (see :mod:`statecraft.app.cli`). Like SolaraViz
it has Reset, play/pause and Step; unlike stock SolaraViz:

* **One model per browser session.** All state lives in hooks of :func:`Page`, and Solara runs
  one ``Page`` per browser page, so two visitors never share a run.
* **Answers at the speed of a click.** The charts are drawn in the browser (``charts.vue``,
  ``ecosystem.vue``) from data the server sends; a run is computed ahead of the display by a
  background thread (:mod:`statecraft.app.playback`), so Step and ▶ only move the month shown.
  Playing is driven by the browser, which asks for the next months when the last ones are shown:
  every change of the page's state happens in the server's event handlers, one at a time (no
  thread of the page's own races a click on ❚❚).
* **Levers apply at once**, in plain words (:mod:`statecraft.app.controls`); a banner says what
  changed and, when no chart moves yet, why.
* **Take-aways and a course pack**: the levers as a scenario file, the run as CSV, a comparison
  that lists every difference from a pinned run, and guided exercises checked from the run
  (:mod:`statecraft.app.course`).
* **Offline.** The launcher turns off telemetry and serves the front end from the
  ``solara-assets`` package; the charts need no JavaScript library.
"""

from __future__ import annotations

import functools
import os
import time
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import markdown
import solara

from .. import load_scenario, shipped_scenarios
from ..checks import check_run_cost
from ..errors import ScenarioError, StatecraftError
from ..files import find_data_file, shipped
from ..params import PARAMETERS, Params
from ..scenario import Scenario
from . import serverlog
from .cli import ENV_SCENARIO, ENV_SEED
from .components import (
    MAX_PINS,
    NICHE_COLOURS,
    NICHE_LABELS,
    PinnedRun,
    chart_data,
    charted_names,
    market_line,
    pin,
)
from .controls import PLAIN, Lever, apply_change, dated_by, levers, other_levers
from .course import EXERCISES, Exercise, verdict
from .playback import Playback
from .takeaway import differences, fmt, scenario_toml, timeseries_csv

__all__ = ["Page", "initial_scenario", "parse_seed", "scenario_from_box"]

# malformed websocket messages: one log line each, not a page of tracebacks
serverlog.install()

DEFAULT_SEED = 1
DEFAULT_SPEED = 24  # months a second while playing: a whole run in under six seconds
MARKET = ("compute_shortage", "compute_fill", "chip_price_index", "chip_price_markup")

CSS = """
.v-navigation-drawer { width: 400px !important; }
.lever { margin: 0 0 6px 0; }
.lever-title { font-size: 0.86rem; font-weight: 600; line-height: 1.1; cursor: help; }
.lever-title .lever-unit { font-weight: 400; opacity: 0.7; }
.lever-help { font-size: 0.74rem; line-height: 1.15; opacity: 0.75; margin: 0; }
.lever-row { display: flex; align-items: center; gap: 8px; }
.lever-row .v-input { margin-top: 0 !important; padding-top: 0 !important; }
.lever-field { max-width: 110px; flex: 0 0 110px; }
.lever-group { font-weight: 700; display: block; margin: 10px 0 4px 0; color: #1f4e99; }
.run-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; }
.run-bar .v-input { flex: 0 0 210px; margin-top: 0 !important; }
.model-state { position: absolute; width: 1px; height: 1px; overflow: hidden;
               clip: rect(0 0 0 0); white-space: nowrap; }
.exercise-verdict { font-weight: 600; }
.about h2 { font-size: 1.15rem; margin: 14px 0 6px 0; }
.about { max-width: 900px; }
.compare-diff { font-size: 0.8rem; margin: 0; }
"""


@dataclass(frozen=True)
class View:
    """The run on screen and the month of it shown (0: its start)."""

    run: Playback
    shown: int


@dataclass(frozen=True)
class Start:
    """What a new session starts from: a scenario and a seed, or the reason it fell back."""

    scenario: Scenario
    seed: int
    error: str | None = None


def _baseline() -> Scenario:
    return Scenario("defaults", "all parameters at their defaults", Params(), {}, None)


def initial_scenario() -> Start:
    """The scenario named by :data:`ENV_SCENARIO` (baseline if unset).

    A file that has become unreadable since the server started gives the defaults and an error
    message for the page, never a blank page.
    """
    source = os.environ.get(ENV_SCENARIO, "baseline")
    try:
        scenario = load_scenario(source)
    except (StatecraftError, OSError) as err:
        return Start(_baseline(), DEFAULT_SEED, f"could not load the scenario: {err}")
    seed = parse_seed(os.environ.get(ENV_SEED) or "")
    if seed is not None:
        return Start(scenario, seed)
    return Start(scenario, scenario.seed if scenario.seed is not None else DEFAULT_SEED)


def parse_seed(text: str) -> int | None:
    """The seed typed as ``text`` (ASCII digits, below 2^63), or None. ``"²".isdigit()`` is
    true, but ``int("²")`` raises: only ASCII digits are a seed."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
        return None
    return int(text)


def _is_name(source: str) -> bool:
    """Whether ``source`` is a bare scenario name (looked up in ./scenarios/ and the shipped
    ones), not a path."""
    return not any(c in source for c in "/\\") and "." not in source and source != ""


def scenario_from_box(source: str) -> Scenario:
    """The scenario typed in the app's scenario box.

    The box reads a shipped scenario's name, or a scenario file under the folders the app was
    started with: the shipped scenarios and the working directory (and the file it was
    started on). Any other path is refused before anything is read, with the same message
    whether it exists or not, so the box cannot read, or probe for, the server's files. Like
    ``statecraft run``, a scenario too large for this machine's memory is refused.

    Raises
    ------
    StatecraftError
        In one line.
    """
    roots = [Path.cwd().resolve(), next(iter(shipped("scenarios").values())).parent.resolve()]
    started = os.environ.get(ENV_SCENARIO, "")

    def refuse_outside(path: Path) -> None:
        target = path.resolve()  # a symlink counts where it points
        if not any(target.is_relative_to(r) for r in roots) and not (
            not _is_name(started) and target == Path(started).resolve()
        ):
            raise ScenarioError(
                f"{source}: the app reads scenario files under {roots[0]} and the shipped "
                "scenarios only; give a scenario name or a file there"
            )

    if not _is_name(source):
        refuse_outside(Path(source))  # before anything is read or looked up
    refuse_outside(find_data_file(source, "scenarios", "scenario", ScenarioError))
    scenario = load_scenario(source)
    try:
        check_run_cost(scenario.params)
    except StatecraftError as err:
        raise ScenarioError(f"{scenario.path or scenario.name}: {err}") from None
    return scenario


def changed_levers(params: Params, scenario: Scenario) -> dict[str, Any]:
    """The parameters that differ from the loaded scenario's values."""
    return {
        p.name: getattr(params, p.name)
        for p in PARAMETERS
        if getattr(params, p.name) != getattr(scenario.params, p.name)
    }


@functools.cache
def about_html() -> str:
    """The "About this model" tab (Markdown shipped with the package, made HTML here: Solara's
    Markdown component loads KaTeX from a CDN, which the offline app must not)."""
    text = resources.files("statecraft.app").joinpath("about.md").read_text(encoding="utf-8")
    return markdown.markdown(text)


@solara.component_vue("charts.vue")
def Charts(
    chart: dict,
    shown: int,
    run_key: str,
    playing: bool,
    speed: int,
    event_tick=None,
    event_drawn=None,
):
    """The metric panels, drawn in the browser (SVG); asks for months while playing and says
    when a new run is drawn."""


@solara.component_vue("ecosystem.vue")
def EcosystemView(eco: dict, header: str, run_key: str, colours: list, labels: list):
    """The ecosystem view, drawn in the browser (canvas)."""


@solara.component
def LeverSlider(lever: Lever, value: Any, on_change):
    """The slider of a numeric lever; applies its value when the thumb is released."""
    lo, hi, step = lever.slider
    slider = solara.v.Slider(
        v_model=min(max(value, lo), hi),
        min=lo,
        max=hi,
        step=step,
        thumb_label=True,
        hide_details=True,
        dense=True,
        class_=f"lever-slider lever-slider-{lever.name}",
    )
    # "change" fires when the thumb is released (or on a key press), not during a drag, so one
    # move rebuilds the model once
    solara.v.use_event(slider, "change", lambda _w, _e, data: on_change(lever.name, data))


@solara.component
def LeverControl(lever: Lever, value: Any, error: str | None, on_change):
    """One lever: its plain label (the parameter's name and source in the tooltip), a typed
    field, a slider for numbers, its one-sentence meaning and its error."""
    with solara.Div(classes=["lever", f"lever-{lever.name}"]):
        solara.v.Html(
            tag="div",
            attributes={"title": lever.help},
            class_="lever-title",
            children=[
                lever.label,
                solara.v.Html(tag="span", class_="lever-unit", children=[f" ({lever.unit})"]),
            ],
        )
        with solara.Div(classes=["lever-row"]):
            with solara.Div(classes=["lever-field"]):
                solara.InputText(
                    "",
                    value=lever.format(value),
                    on_value=lambda text: on_change(lever.name, text),
                    error=error or False,
                    dense=True,
                    classes=[f"lever-input-{lever.name}"],
                )
            if lever.slider is not None:
                with solara.Div(style={"flex": "1 1 auto"}):
                    LeverSlider(lever, value, on_change)
        solara.Text(lever.meaning, classes=["lever-help"])


@solara.component
def LeverGroups(params: Params, errors: dict, on_lever, more: bool):
    for heading, group in levers():
        # (not solara.Markdown: it loads KaTeX, which the offline assets lack)
        solara.Text(heading, classes=["lever-group"])
        for lever in group:
            LeverControl(lever, getattr(params, lever.name), errors.get(lever.name), on_lever).key(
                f"lever-{lever.name}"
            )
    if more:
        for heading, group in other_levers():
            solara.Text(f"More: {heading}", classes=["lever-group"])
            for lever in group:
                LeverControl(
                    lever, getattr(params, lever.name), errors.get(lever.name), on_lever
                ).key(f"lever-{lever.name}")


@solara.component
def StateLine(scenario: str, shown: int, active: int, changed: dict[str, Any], pins: int):
    """One machine-readable line of the run's state (read by the browser tests; hidden)."""
    levers_set = ",".join(f"{k}={fmt(v)}" for k, v in changed.items()) or "-"
    solara.Text(
        f"scenario={scenario} step={shown} active={active} pins={pins} levers={levers_set}",
        classes=["model-state"],
    )


@solara.component
def ExercisePanel(ex: Exercise, number: int, run: Playback, shown: int, on_set):
    """One exercise: question, levers, what to look for, and the check of the student's run."""
    values = run.series([ex.check.metric]).get(ex.check.metric, [])
    v = verdict(ex.check, run.months, values, shown)
    mark = {True: "✔", False: "✘", None: "…"}[v.answer]
    differ = [k for k, val in ex.levers.items() if getattr(run.params, k) != val]
    with solara.Card(f"{number}. {ex.title}", classes=[f"exercise exercise-{ex.key}"]):
        solara.Text(ex.question)
        solara.Text(
            "Levers: " + ", ".join(f"{_label(k)} = {fmt(val)}" for k, val in ex.levers.items()),
            style={"display": "block", "margin-top": "6px"},
        )
        solara.Text("What to look for: " + ex.look_for, style={"display": "block"})
        with solara.Row(style={"align-items": "center", "margin-top": "6px"}):
            solara.Button(
                "Set these levers",
                on_click=partial(on_set, ex),
                small=True,
                color="primary",
                classes=[f"set-{ex.key}"],
            )
            solara.Text(
                f"Your run: is {ex.check.text}? {mark} {v.text}",
                classes=["exercise-verdict", f"verdict-{ex.key}"],
            )
        if differ:
            solara.Text(
                "Your run's levers differ from this exercise's: "
                + ", ".join(_label(k) for k in differ)
                + ". The check reads your run as it is.",
                classes=["lever-help", f"differ-{ex.key}"],
            )


def _label(name: str) -> str:
    """A lever's plain label, or the parameter's name."""
    return PLAIN[name][0] if name in PLAIN else name


class AppState:
    """One browser session's state (Solara reactive values) and what the page's controls do.

    Made once per page (:func:`Page`); its methods are the event handlers. Components receive
    this one object, which never changes, and read the values they show, so a component is
    rendered again only when one of those values changed: a Step re-renders the run bar, the
    charts and the state line, not the levers.
    """

    def __init__(self, start: Start) -> None:
        self.scenario = solara.reactive(start.scenario)
        self.params = solara.reactive(start.scenario.params)
        self.seed = solara.reactive(start.seed)
        # the run and the month shown change together (one reactive value, one re-render): a
        # new run shown for a moment at the old run's month would be computed up to it
        self.view = solara.reactive(View(Playback(start.scenario.params, start.seed), 0))
        self.errors = solara.reactive({})  # lever name -> one-line message
        self.pins = solara.reactive([])
        self.notice = solara.reactive("")
        self.problem = solara.reactive(start.error or "")
        self.reset_by_load = solara.reactive({})  # parameter -> scenario whose load reset it
        self.months_per_step = solara.reactive(1)
        self.speed = solara.reactive(DEFAULT_SPEED)
        self.playing = solara.reactive(False)
        self.tab = solara.reactive(0)
        self.more = solara.reactive(False)

    # ---- moving through the run ----
    def show(self, n: int) -> None:
        pb = self.view.value.run
        n = max(0, min(n, pb.total))
        pb.advance_to(n)
        self.view.value = View(pb, n)

    def step(self) -> None:
        self.show(self.view.value.shown + self.months_per_step.value)

    def tick(self, months: Any) -> None:
        """The browser asks for the next ``months`` while playing."""
        if not self.playing.value:  # a request sent before the pause arrived: ignore it
            return
        total = self.view.value.run.total
        try:
            months = max(1, min(int(months), total))
        except (TypeError, ValueError):
            months = 1
        self.show(self.view.value.shown + months)
        if self.view.value.shown >= total:
            self.playing.value = False

    def drawn(self, run_key: Any = None) -> None:
        """The browser shows the run: compute the rest of it in the background."""
        self.view.value.run.compute_ahead()

    def to_end(self) -> None:
        self.playing.value = False
        self.show(self.view.value.run.total)

    def toggle_play(self) -> None:
        if self.view.value.shown >= self.view.value.run.total:
            return
        self.playing.value = not self.playing.value

    # ---- new runs ----
    def new_run(
        self,
        message: str,
        keep_month: bool = True,
        explain: str | None = None,
        params: Params | None = None,
    ) -> None:
        """Replace the run with one of the levers (``params``, else as set) and seed as set; show
        the same month. New ``params`` are stored after the new run is shown: the charts, which
        the student waits for, are drawn one render earlier than the lever fields."""
        t0 = time.perf_counter()
        old = self.view.value.run
        old.stop()
        new = Playback(params or self.params.value, self.seed.value)
        n = min(self.view.value.shown, new.total) if keep_month else 0
        new.advance_to(n, replay=True)  # the rest: once the browser has drawn it (drawn)
        self.view.value = View(new, n)
        ms = (time.perf_counter() - t0) * 1e3
        if params is not None:
            self.params.value = params
        month = new.months[n - 1] if n else new.months[0]
        where = f"replayed to {month}" if n else f"restarted at {month}"
        text = f"{message} — new run {where}, computed in {ms:.0f} ms."
        if keep_month and explain is None:
            explain = why_nothing_moved(old, new, n)
        self.notice.value = text + (f" {explain}" if explain else "")

    def lever(self, name: str, raw: Any) -> None:
        params = self.params.value
        try:
            new = apply_change(params, name, raw)
        except StatecraftError as err:
            self.errors.value = {**self.errors.value, name: str(err)}
            return
        self.errors.value = {k: v for k, v in self.errors.value.items() if k != name}
        if new == params:
            return
        moved = [p.name for p in PARAMETERS if getattr(new, p.name) != getattr(params, p.name)]
        what = ", ".join(
            f"{_label(n)} {fmt(getattr(params, n))} → {fmt(getattr(new, n))}" for n in moved
        )
        self.reset_by_load.value = {
            k: v for k, v in self.reset_by_load.value.items() if k not in moved
        }
        self.new_run(f"Changed: {what} ({', '.join(moved)})", params=new)

    def on_seed(self, text: str) -> None:
        errors, seed = self.errors, self.seed
        value = parse_seed(text)
        if value is None:
            errors.value = {**errors.value, "seed": f"seed must be an integer >= 0; got {text!r}"}
            return
        errors.value = {k: v for k, v in errors.value.items() if k != "seed"}
        if value != seed.value:
            seed.value = value
            self.new_run(f"Changed: seed {value}")

    def reset(self) -> None:
        self.playing.value = False
        self.new_run("Reset", keep_month=False, explain="")
        self.notice.value = ""

    def load(self, source: str) -> None:
        source = source.strip()
        if not source:
            return
        try:
            loaded = scenario_from_box(source)
        except (StatecraftError, OSError) as err:
            self.problem.value = f"could not load the scenario: {err}"  # err names the file
            return
        self.problem.value = ""
        self.playing.value = False  # a new scenario starts paused at its first month
        lost = changed_levers(self.params.value, self.scenario.value)
        self.scenario.value = loaded
        self.params.value = loaded.params
        self.seed.value = loaded.seed if loaded.seed is not None else DEFAULT_SEED
        self.errors.value = {}
        self.reset_by_load.value = {k: loaded.name for k in lost}
        note = ""
        if lost:
            note = (
                "Your lever changes were reset to the scenario's values: "
                + ", ".join(
                    f"{k} {fmt(v)} → {fmt(getattr(loaded.params, k))}" for k, v in lost.items()
                )
                + "."
            )
        self.new_run(
            f"Loaded scenario {loaded.name}: {loaded.description}", keep_month=False, explain=note
        )

    def set_exercise(self, ex: Exercise) -> None:
        self.playing.value = False
        before = self.params.value
        self.params.value = ex.params(self.scenario.value.params)
        moved = [
            p.name
            for p in PARAMETERS
            if getattr(before, p.name) != getattr(self.params.value, p.name)
        ]
        what = (
            ", ".join(
                f"{n} {fmt(getattr(before, n))} → {fmt(getattr(self.params.value, n))}"
                for n in moved
            )
            or "no lever changed (already set)"
        )
        self.new_run(
            f"Exercise '{ex.title}': {what}",
            keep_month=False,
            explain="Press ▶ or 'Run to ...', then read the check in the Exercises tab.",
        )

    # ---- comparison and take-aways ----
    def pin(self) -> None:
        scenario, seed = self.scenario.value, self.seed.value
        changed = changed_levers(self.params.value, scenario)
        label = scenario.name + "".join(f", {k}={fmt(v)}" for k, v in changed.items())
        if seed != (scenario.seed if scenario.seed is not None else DEFAULT_SEED):
            label += f", seed {seed}"
        kept = pin(self.view.value.run, self.view.value.shown, label, scenario.name)
        self.pins.value = [*self.pins.value, kept][-MAX_PINS:]

    def clear_pins(self) -> None:
        self.pins.value = []

    def scenario_file(self) -> str:
        return scenario_toml(self.params.value, self.seed.value, self.scenario.value.name)

    def csv(self) -> str:
        return timeseries_csv(self.view.value.run, self.view.value.shown, self.scenario.value.name)

    def toggle_more(self) -> None:
        self.more.value = not self.more.value


def why_nothing_moved(old: Playback, new: Playback, n: int) -> str:
    """Why no chart moved after a change at month ``n`` (empty if one did)."""
    if n == 0:
        return "Press Step or ▶ to see its effect."
    names = charted_names()
    a, b = old.series(names), new.series(names)
    if any(a[k][:n] != b[k][:n] for k in names):
        return ""
    month = new.months[n - 1]
    moved = [
        p.name for p in PARAMETERS if getattr(old.params, p.name) != getattr(new.params, p.name)
    ]
    for name in moved:
        date_param = dated_by(name)
        if date_param is None:
            continue
        date = getattr(new.params, date_param)
        if date > month:
            return (
                f"No chart moves yet: this lever acts from {date} (the red dashed line) and "
                f"the run is at {month}. Press ▶ or 'Run to ...' to see its effect."
            )
    return (
        f"No chart has moved yet at {month}: the effect builds up slowly, or this run is "
        "not sensitive to it. Play on, or pin and compare."
    )


@solara.component
def RunBar(state: AppState):
    """Reset, play/pause, Step, run to the end, months per Step, speed and seed."""
    pb, shown, playing = state.view.value.run, state.view.value.shown, state.playing.value
    at_end = shown >= pb.total
    with solara.Div(classes=["run-bar"]):
        solara.Button(label="Reset", color="primary", on_click=state.reset, small=True)
        solara.Button(
            label="❚❚" if playing else "▶",
            color="primary",
            on_click=state.toggle_play,
            disabled=at_end,
            small=True,
            classes=["play-button"],
        )
        solara.Button(
            label="Step",
            color="primary",
            on_click=state.step,
            disabled=playing or at_end,
            small=True,
        )
        solara.Button(
            label=f"Run to {_month_words(pb.months[-1])}",
            color="primary",
            on_click=state.to_end,
            disabled=at_end,
            small=True,
            classes=["run-to-end"],
        )
        solara.SliderInt(
            f"Months per Step: {state.months_per_step.value}",
            value=state.months_per_step,
            min=1,
            max=24,
            thumb_label="always",
        )
        solara.SliderInt(
            f"Speed: {state.speed.value} months/s",
            value=state.speed,
            min=1,
            max=60,
            thumb_label="always",
        )
        with solara.Div(style={"width": "90px"}):
            solara.InputText(
                "seed",
                value=str(state.seed.value),
                on_value=state.on_seed,
                error=state.errors.value.get("seed", False),
                dense=True,
                classes=["lever-input-seed"],
            )


@solara.component
def Banner(state: AppState):
    """The month shown, the scenario, and the last change or problem."""
    pb, shown, scenario = state.view.value.run, state.view.value.shown, state.scenario.value
    month = pb.months[shown - 1] if shown else f"start of {pb.months[0]}"
    solara.Text(
        f"Month shown: {month} (step {shown} of {pb.total}) · scenario {scenario.name} — "
        f"{scenario.description}",
        classes=["run-month"],
    )
    if state.problem.value:
        solara.Error(state.problem.value, classes=["app-problem"])
    if state.notice.value:
        solara.Info(state.notice.value, classes=["app-notice"], dense=True)


@solara.component
def ChartsPanel(state: AppState):
    """The metric panels for the run and the pinned runs."""
    pb, pins = state.view.value.run, state.pins.value
    computed = pb.computed
    data = solara.use_memo(lambda: chart_data(pb, pins), [pb, computed, tuple(pins)])
    Charts(
        chart=data,
        shown=state.view.value.shown,
        run_key=f"{pb.serial}-{len(pins)}",
        playing=state.playing.value,
        speed=state.speed.value,
        event_tick=state.tick,
        event_drawn=state.drawn,
    )


@solara.component
def EcosystemPanel(state: AppState):
    """The ecosystem view at the month shown."""
    pb, shown = state.view.value.run, state.view.value.shown
    eco = solara.use_memo(lambda: pb.snapshot(shown).to_json(), [pb, shown])
    header = market_line(pb.series(MARKET), shown, eco["month"], eco["total"])
    EcosystemView(
        eco=eco,
        header=header,
        run_key=str(pb.serial),
        colours=list(NICHE_COLOURS),
        labels=[NICHE_LABELS.get(n, n) for n in eco["niches"]],
    )


@solara.component
def Tools(state: AppState):
    """Scenarios, pin-and-compare, take-aways."""
    scenario = state.scenario.value
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "stretch"}):
        with solara.Card("Scenarios", style={"flex": "1 1 300px"}):
            with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
                for name in shipped_scenarios():
                    solara.Button(
                        name,
                        on_click=partial(state.load, name),
                        outlined=name != scenario.name,
                        small=True,
                        classes=[f"load-{name}"],
                    )
            solara.InputText(
                "or a scenario file (path, Enter to load)",
                value="",
                on_value=state.load,
                dense=True,
                classes=["scenario-file"],
            )
        with solara.Card("Compare", style={"flex": "1 1 300px"}):
            solara.Text(
                "Pin this run's curves, then change levers or load a scenario: the pinned "
                "curves stay on the charts, dashed."
            )
            with solara.Row():
                solara.Button("Pin this run", on_click=state.pin, small=True)
                solara.Button("Clear pins", on_click=state.clear_pins, small=True, outlined=True)
            Comparison(
                state.pins.value,
                state.params.value,
                state.seed.value,
                scenario.name,
                state.reset_by_load.value,
            )
        with solara.Card("Take away", style={"flex": "1 1 260px"}):
            solara.FileDownload(
                state.scenario_file,
                filename="my_scenario.toml",
                label="Save levers as a scenario file",
                icon_name=None,
            )
            solara.FileDownload(
                state.csv,
                filename=f"statecraft_{scenario.name}_seed{state.seed.value}.csv",
                label="Download this run (CSV)",
                icon_name=None,
            )
            solara.Text(
                "The scenario file runs with `statecraft run my_scenario.toml`; the CSV has "
                "one row per month shown.",
                classes=["lever-help"],
            )


@solara.component
def Exercises(state: AppState):
    """The course pack's exercises, checked from the run shown."""
    solara.Text(
        "Each exercise asks a question, names the levers to move and checks the answer from "
        "your run as it plays. 'Set these levers' starts from the loaded scenario's values."
    )
    pb, shown = state.view.value.run, state.view.value.shown
    for i, ex in enumerate(EXERCISES, 1):
        ExercisePanel(ex, i, pb, shown, state.set_exercise).key(f"ex-{ex.key}")


@solara.component
def Levers(state: AppState):
    """The sidebar: the levers by question, and on request every other parameter."""
    more = state.more.value
    solara.Text(
        "Levers apply at once. Type a value and press Enter, or move a slider. Hover a "
        "lever's name for the model parameter behind it and where its value comes from.",
        classes=["lever-help"],
    )
    LeverGroups(state.params.value, state.errors.value, state.lever, more)
    solara.Button(
        "Hide the other parameters" if more else "Show all other parameters",
        on_click=state.toggle_more,
        text=True,
        small=True,
        classes=["more-levers"],
    )


@solara.component
def StateLineOf(state: AppState):
    pb, shown = state.view.value.run, state.view.value.shown
    StateLine(
        state.scenario.value.name,
        shown,
        pb.snapshot(shown).total,
        changed_levers(pb.params, state.scenario.value),
        len(state.pins.value),
    )


@solara.component
def Page():
    """The app's page: one per browser session."""
    state = solara.use_memo(lambda: AppState(initial_scenario()), [])
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("statecraft: state-led AI investment in China, 2020–2030")
    with solara.Sidebar(), solara.Column(gap="0px"):
        Levers(state)
    with solara.Column(gap="6px"):
        RunBar(state)
        Banner(state)
        with solara.lab.Tabs(value=state.tab, align="left", lazy=True):
            with solara.lab.Tab("Run"):
                ChartsPanel(state)
                Tools(state)
                EcosystemPanel(state)
            with solara.lab.Tab("Exercises"):
                Exercises(state)
            with solara.lab.Tab("About this model"):
                solara.HTML(tag="div", unsafe_innerHTML=about_html(), classes=["about"])
        StateLineOf(state)


@solara.component
def Comparison(
    pins: list[PinnedRun], params: Params, seed: int, scenario: str, reset: dict[str, str]
):
    """What differs between each pinned run and the run on screen."""
    for p in pins:
        diffs = differences(p.params, p.seed, p.scenario, params, seed, scenario, reset)
        text = "; ".join(diffs) if diffs else "the same levers, seed and scenario"
        solara.Text(f"Pinned '{p.label}' → this run: {text}", classes=["compare-diff"])


def _month_words(month: str) -> str:
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    year, m = month.split("-")
    return f"{names[int(m) - 1]} {year}"
