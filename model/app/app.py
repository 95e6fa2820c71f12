"""The browser app: a Solara page in the manner of Mesa's SolaraViz (``statecraft app``).

Served by ``solara run statecraft.app.app:Page`` (see :mod:`statecraft.app.cli`). Like SolaraViz
it has Reset, play/pause and Step, and redraws every figure on Mesa's ``update_counter``; unlike
stock SolaraViz:

* **One model per browser session.** All state lives in hooks of :func:`Page`, and Solara runs
  one ``Page`` per browser page, so two visitors never share a run (a model built at module level,
  as in Mesa's examples, would be shared).
* **Levers apply at once.** Stock SolaraViz applies a changed parameter only on Reset. Here a
  change rebuilds the model with the new value and replays it to the month on screen, and a
  banner says what changed; Reset starts again from the first month with the levers as set.
* **Offline.** Only matplotlib is drawn (see :mod:`statecraft.app.components`); the launcher
  turns off telemetry and serves the front end from the ``solara-assets`` package.
"""

from __future__ import annotations

import io
import os
import threading
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import reacton.ipywidgets as rw
import solara
from mesa.visualization.utils import update_counter

from .. import load_scenario, shipped_scenarios
from ..checks import check_run_cost
from ..errors import ScenarioError, StatecraftError
from ..files import find_data_file, shipped
from ..model import StatecraftModel
from ..params import PARAMETERS, Params
from ..scenario import Scenario
from .cli import ENV_SCENARIO, ENV_SEED
from .components import MAX_PINS, chart_figure, ecosystem_figure, pin
from .controls import Lever, apply_change, levers

__all__ = ["Page", "initial_scenario", "parse_seed", "scenario_from_box"]

DEFAULT_SEED = 1

CSS = """
main img { max-width: 100%; height: auto; }
.lever-help { font-size: 0.75rem; line-height: 1.15; opacity: 0.75; margin: 0 0 4px 0; }
.lever-group { font-weight: 700; display: block; margin-top: 12px; }
.lever-title { font-size: 0.85rem; font-weight: 500; margin-top: 6px; }
.model-state { font-family: monospace; font-size: 0.75rem; opacity: 0.6; }
.v-navigation-drawer { width: 380px !important; }
"""


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


def _fmt(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def changed_levers(params: Params, scenario: Scenario) -> dict[str, Any]:
    """The parameters that differ from the loaded scenario's values."""
    return {
        p.name: getattr(params, p.name)
        for p in PARAMETERS
        if getattr(params, p.name) != getattr(scenario.params, p.name)
    }


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
    """A slider (numbers) and a typed field for one lever, its help text and its error."""
    p = lever.param
    solara.Text(p.name, classes=["lever-title"])
    if lever.slider is not None:
        LeverSlider(lever, value, on_change)
    solara.InputText(
        p.unit,
        value=lever.format(value),
        on_value=lambda text: on_change(p.name, text),
        error=error or False,
        dense=True,
        classes=[f"lever-input-{p.name}"],
    )
    solara.Text(lever.help, classes=["lever-help"])


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


@solara.component
def RunFigure(draw, model: StatecraftModel, extra: tuple, name: str):
    """The figure ``draw(model, *extra)``, redrawn after every step (Mesa's ``update_counter``)
    and only then: other re-renders of the page (a message, a typed value) reuse the image.
    """
    update_counter.get()

    def render() -> tuple[bytes | None, str | None]:
        try:
            return _png(draw(model, *extra)), None
        except Exception as err:  # a drawing bug must not take the page down
            return None, f"{name} could not be drawn: {type(err).__name__}: {err}"

    png, error = solara.use_memo(render, [model, model.steps, *extra])
    if error:
        solara.Error(error)
    else:
        rw.Image(value=png, format="png")


@solara.component
def Player(model: solara.Reactive, playing: solara.Reactive, pause_ms: int, months: int):
    """Plays the run: one tick (a pause, ``months`` months, a redraw) per render while playing.

    A tick is a short thread and the next tick starts when its redraw renders this component
    again: Solara sends a thread's changes to the browser only when the thread ends, so a
    thread that looped over the months would advance the run without showing it.
    """
    counter = update_counter.get()

    def tick(cancel: threading.Event) -> None:
        m = model.value  # the run this tick belongs to
        if not playing.value or cancel.wait(pause_ms / 1000):
            return
        if not playing.value or model.value is not m:  # paused, or a new run meanwhile
            return
        for _ in range(months):
            if m.running:
                m.step()
        if not m.running:
            playing.value = False
        update_counter.value += 1  # Mesa's redraw signal: every figure subscribes to it

    solara.use_thread(tick, dependencies=[playing.value, counter], intrusive_cancel=False)


@solara.component
def StateLine(model: StatecraftModel, scenario: str, changed: dict[str, Any], pins: int):
    """One machine-readable line of the run's state (read by the browser tests)."""
    update_counter.get()
    levers_set = ",".join(f"{k}={_fmt(v)}" for k, v in changed.items()) or "-"
    solara.Text(
        f"scenario={scenario} step={model.steps} active={len(model.startups)} pins={pins} "
        f"levers={levers_set}",
        classes=["model-state"],
    )


@solara.component
def Page():
    """The app's page: one per browser session."""
    start = solara.use_memo(initial_scenario, [])
    scenario = solara.use_reactive(start.scenario)
    params = solara.use_reactive(start.scenario.params)
    seed = solara.use_reactive(start.seed)

    def build() -> StatecraftModel:  # this session's levers and seed
        return StatecraftModel(params.value, rng=seed.value)

    model = solara.use_memo(lambda: solara.reactive(build()), [])
    errors = solara.use_reactive({})  # lever name -> one-line message
    pins = solara.use_reactive([])
    notice = solara.use_reactive("")
    problem = solara.use_reactive(start.error or "")
    play_interval = solara.use_reactive(50)
    render_interval = solara.use_reactive(1)
    playing = solara.use_reactive(False)

    def do_step() -> None:
        m = model.value
        for _ in range(render_interval.value):
            if m.running:
                m.step()
        update_counter.value += 1

    def do_reset() -> None:
        playing.value = False
        rebuild(replay=False, message="reset")
        notice.value = ""

    def rebuild(replay: bool, message: str) -> None:
        old = model.value
        t0 = time.perf_counter()
        new = build()
        for _ in range(old.steps if replay else 0):
            new.step()
        model.value = new
        month = new.months[new.steps - 1] if new.steps else new.months[0]
        how = f"replayed to {month}" if new.steps else f"restarted at {month}"
        notice.value = f"{message} — run rebuilt and {how} in {time.perf_counter() - t0:.1f} s"

    def on_lever(name: str, raw: Any) -> None:
        try:
            new = apply_change(params.value, name, raw)
        except StatecraftError as err:
            errors.value = {**errors.value, name: str(err)}
            return
        errors.value = {k: v for k, v in errors.value.items() if k != name}
        if new == params.value:
            return
        moved = [
            p.name for p in PARAMETERS if getattr(new, p.name) != getattr(params.value, p.name)
        ]
        what = ", ".join(
            f"{n} {_fmt(getattr(params.value, n))} → {_fmt(getattr(new, n))}" for n in moved
        )
        params.value = new
        rebuild(replay=True, message=what)

    def on_seed(text: str) -> None:
        value = parse_seed(text)
        if value is None:
            errors.value = {**errors.value, "seed": f"seed must be an integer >= 0; got {text!r}"}
            return
        errors.value = {k: v for k, v in errors.value.items() if k != "seed"}
        if value != seed.value:
            seed.value = value
            rebuild(replay=True, message=f"seed {value}")

    def load(source: str) -> None:
        source = source.strip()
        if not source:
            return
        try:
            loaded = scenario_from_box(source)
        except (StatecraftError, OSError) as err:
            problem.value = f"could not load the scenario: {err}"  # err names the file
            return
        problem.value = ""
        playing.value = False  # a new scenario starts paused at its first month
        scenario.value = loaded
        params.value = loaded.params
        seed.value = loaded.seed if loaded.seed is not None else DEFAULT_SEED
        errors.value = {}
        rebuild(replay=False, message=f"loaded scenario {loaded.name}: {loaded.description}")

    def pin_run() -> None:
        changed = changed_levers(params.value, scenario.value)
        label = scenario.value.name + "".join(f", {k}={_fmt(v)}" for k, v in changed.items())
        pins.value = [*pins.value, pin(model.value, label)][-MAX_PINS:]

    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("statecraft: state-led AI investment in China, 2020–2030")

    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            # Mesa's buttons, with a play loop that shows each month: Mesa 3.5.1's
            # ModelController steps in a thread that loops, whose redraws never reach the page
            Player(model, playing, play_interval.value, render_interval.value)
            running = model.value.running
            with solara.Row(justify="space-between"):
                solara.Button(label="Reset", color="primary", on_click=do_reset)
                solara.Button(
                    label="❚❚" if playing.value else "▶",
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    disabled=not running,
                )
                solara.Button(
                    label="Step",
                    color="primary",
                    on_click=do_step,
                    disabled=playing.value or not running,
                )
            solara.SliderInt(
                "Pause per month (ms)",
                value=play_interval,
                min=0,
                max=1000,
                step=50,
            )
            solara.SliderInt("Months per Step", value=render_interval, min=1, max=24, step=1)
            solara.InputText(
                "seed",
                value=str(seed.value),
                on_value=on_seed,
                error=errors.value.get("seed", False),
                dense=True,
                classes=["lever-input-seed"],
            )
        with solara.Card("Scenarios"):
            solara.Text(f"Loaded: {scenario.value.name} — {scenario.value.description}")
            with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
                for name in shipped_scenarios():
                    solara.Button(
                        name,
                        on_click=partial(load, name),
                        outlined=name != scenario.value.name,
                        small=True,
                        classes=[f"load-{name}"],
                    )
            solara.InputText(
                "or a scenario file (path, Enter to load)",
                value="",
                on_value=load,
                dense=True,
                classes=["scenario-file"],
            )
        with solara.Card("Compare"):
            solara.Text(
                "Pin this run's curves, change levers or load a scenario, and run again: "
                "the pinned curves stay on the charts, dashed."
            )
            with solara.Row():
                solara.Button("Pin this run", on_click=pin_run, small=True)
                solara.Button(
                    "Clear pins", on_click=lambda: pins.set([]), small=True, outlined=True
                )
        with solara.Card("Levers (apply at once)"):
            solara.Text(
                "Each lever is a declared parameter: its name, unit, bounds and default as in "
                "`statecraft params`. Type a value and press Enter, or move the slider."
            )
            for heading, group in levers():
                # (not solara.Markdown: it loads KaTeX, which the offline assets lack)
                solara.Text(heading, classes=["lever-group"])
                for lever in group:
                    LeverControl(
                        lever,
                        getattr(params.value, lever.name),
                        errors.value.get(lever.name),
                        on_lever,
                    ).key(f"lever-{lever.name}")

    with solara.Column():
        if problem.value:
            solara.Error(problem.value, classes=["app-problem"])
        if notice.value:
            solara.Info(notice.value, classes=["app-notice"])
        RunFigure(chart_figure, model.value, (pins.value,), "charts")
        RunFigure(ecosystem_figure, model.value, (), "ecosystem view")
        # the levers of the model actually on screen, not of the controls
        StateLine(
            model.value,
            scenario.value.name,
            changed_levers(model.value.p, scenario.value),
            len(pins.value),
        )
