"""The app served and driven in a real browser: a server and Playwright sessions.

Test code, not part of the package: the browser tests (``tests/test_app.py``) and the app
benchmark (``benchmarks/bench_app.py``) use it. Needs Playwright (in the ``dev`` extra) and
Debian's Chromium at ``/usr/bin/chromium`` (``apt-get install -y chromium``; ``make test``
installs it). Playwright's own browser download is never used.

Every wait is on a condition (the port answering, an element shown, the state line reading a
value, the charts' bytes changing), with one generous limit, :data:`~tests.processes.TIMEOUT_S`:
the tests hold on a machine far busier than the one they were written on.

>>> with serve_app() as url, browser() as b:        # doctest: +SKIP
...     s = Session(b, url)
...     s.step(3)
...     s.state()["step"]
'3'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from statecraft.app.cli import launch, wait_listening

from tests.processes import TIMEOUT_S, die_with_parent, free_port, stop_process

__all__ = [
    "CHROMIUM",
    "STEP_LATENCY_JS",
    "Session",
    "browser",
    "serve_app",
]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
#: Any HTTP(S) request the *server* makes goes to a closed local port and fails at once.
PROXY_GUARD = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}
TIMEOUT_MS = TIMEOUT_S * 1000

#: Installs a latency probe. ``window.__probe(kind)`` starts a clock; the probe stops it when both
#: charts show something they did not show at the start (the metric panels' ``data-key``: run and
#: month; the ecosystem canvas's ``data-drawn``, set after it is drawn) and the browser has
#: painted, and appends the milliseconds to ``window.__lat[kind]``. A capture-phase click on Step,
#: Reset or "Run to ..." and Enter in a lever's field start the clock by themselves.
STEP_LATENCY_JS = """
() => {
  window.__lat = {step: [], change: [], reset: [], end: []};
  let pending = null;
  const keys = () => [document.querySelector('.sc-charts')?.dataset.key,
                      document.querySelector('.sc-eco')?.dataset.drawn];
  window.__probe = (kind) => { pending = {kind: kind, t0: performance.now(), before: keys()}; };
  const check = () => {
    if (!pending) return;
    const now = keys();
    if (now.every((k, i) => k !== undefined && k !== pending.before[i])) {
      const p = pending;
      pending = null;
      requestAnimationFrame(() => setTimeout(
          () => window.__lat[p.kind].push(performance.now() - p.t0), 0));
    }
  };
  document.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    const text = b ? b.innerText.trim().toUpperCase() : '';
    if (text === 'STEP') window.__probe('step');
    if (text === 'RESET') window.__probe('reset');
    if (text.startsWith('RUN TO')) window.__probe('end');
  }, true);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target.closest('[class*="lever-input-"]')) window.__probe('change');
  }, true);
  new MutationObserver(check).observe(document.querySelector('main'),
      {subtree: true, attributes: true, attributeFilter: ['data-key', 'data-drawn']});
}
"""

#: Digests of what the charts show: the metric panels' SVG and the ecosystem canvas's pixels.
DIGEST_JS = """
() => {
  const hash = (s) => {
    let h = 2166136261;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
    return h.toString(16) + ':' + s.length;
  };
  const grid = document.querySelector('.sc-charts .sc-grid');
  const canvas = document.querySelector('.sc-eco canvas');
  return [grid ? hash(grid.innerHTML) : '', canvas ? hash(canvas.toDataURL()) : ''];
}
"""

#: What changes whenever a chart is redrawn: the panels' run and month, the canvas's last drawing.
CHART_KEYS_JS = """
() => [document.querySelector('.sc-charts')?.dataset.key || null,
       document.querySelector('.sc-eco')?.dataset.drawn || null]
"""
#: True when each chart listed in ``which`` shows another key than in ``before``.
REDRAWN_JS = """
([before, which]) => {
  const now = [document.querySelector('.sc-charts')?.dataset.key || null,
               document.querySelector('.sc-eco')?.dataset.drawn || null];
  return which.every((i) => now[i] !== null && now[i] !== before[i]);
}
"""

#: Resolves when the page has settled: every image decoded and every finite animation or
#: transition (Vuetify's, the chart grid moving into place) finished.
SETTLED_JS = """
async () => {
  await Promise.all([...document.images].map((i) => i.decode().catch(() => null)));
  const finite = document.getAnimations().filter(
      (a) => a.effect && a.effect.getTiming().iterations !== Infinity);
  await Promise.all(finite.map((a) => a.finished.catch(() => null)));
}
"""


@contextlib.contextmanager
def serve_app(
    scenario: str = "baseline",
    *,
    port: int | None = None,
    log: Path | None = None,
    cwd: Path | None = None,
) -> Iterator[str]:
    """Serve the app on 127.0.0.1 for the duration of the block; yield its URL.

    ``cwd`` is the server's working directory (the scenario box reads files under it).

    Ready when its port answers. The server is stopped at the end of the block whatever
    happens in it (SIGTERM, so that it saves its coverage data; see
    :func:`~tests.processes.stop_process`), and it dies with the test process.

    The server runs with :data:`PROXY_GUARD`, so a request it makes to another host (an asset
    missing from the offline package, telemetry) fails and shows in its log as ``Could not load
    URL``; the block raises :class:`AssertionError` at its end if the log has that line.
    """
    port = port or free_port()
    log = log or Path(os.devnull)
    with open(log, "w") as fh:
        proc = launch(
            scenario,
            "127.0.0.1",
            port,
            extra_env=PROXY_GUARD,
            stdout=fh,
            stderr=fh,
            preexec_fn=die_with_parent,
            cwd=cwd,
        )
        try:
            wait_listening("127.0.0.1", port, proc, TIMEOUT_S)
            yield f"http://127.0.0.1:{port}/"
            if proc.poll() is not None:
                raise AssertionError(f"the app's server died (exit {proc.returncode})")
        finally:
            stop_process(proc)
    if log != Path(os.devnull):
        text = log.read_text(errors="replace")
        assert "Could not load URL" not in text, "the server tried to fetch a file from a CDN"


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise FileNotFoundError(
            f"{CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM=path)"
        )
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=TIMEOUT_MS
        )
        try:
            yield b
        finally:
            b.close()


def new_page(browser: Any, **context: Any) -> Any:
    """A page in a new browser context, every Playwright wait in it limited by TIMEOUT_MS."""
    ctx = browser.new_context(**context)
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    return ctx.new_page()


class Session:
    """One browser context, i.e. one visitor with their own app session.

    Records every request to a host other than 127.0.0.1 (and aborts it) and every console
    error, so tests can assert there were none. Opening the page waits until it shows the Step
    button and both charts.
    """

    def __init__(self, browser: Any, url: str, *, width: int = 1500, height: int = 1000) -> None:
        self.page = new_page(browser, viewport={"width": width, "height": height})
        self.context = self.page.context
        self.foreign_hosts: list[str] = []
        self.console_errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        self.page.on("websocket", lambda ws: self._local(ws.url))  # route() misses websockets
        self.page.goto(url)
        self.page.get_by_role("button", name="Step").wait_for()
        self.wait_charts()

    def _local(self, url: str) -> bool:
        host = urlparse(url).hostname
        if host in LOCAL_HOSTS:
            return True
        self.foreign_hosts.append(host or url)
        return False

    def _route(self, route: Any) -> None:
        if self._local(route.request.url):
            route.continue_()
        else:
            route.abort()

    def wait_charts(self) -> None:
        """Wait until both charts are drawn (the metric panels and the ecosystem canvas)."""
        self.page.wait_for_function(f"() => ({CHART_KEYS_JS})().every((k) => k !== null)")

    def state_text(self) -> str:
        return self.page.locator(".model-state").inner_text()

    def state(self) -> dict[str, str]:
        """The page's state line as a dict (``scenario``, ``step``, ``active``, ``levers``...)."""
        return dict(part.split("=", 1) for part in self.state_text().split())

    def wait_state(self, **expected: str) -> dict[str, str]:
        """Wait until the state line has these values; return it."""
        want = [f"{k}={v}" for k, v in expected.items()]
        self._wait(
            """w => { const el = document.querySelector('.model-state');
                      if (!el) return false;
                      const parts = el.innerText.split(/\\s+/);
                      return w.every(x => parts.includes(x)); }""",
            want,
            f"the state line shows {' '.join(want)}",
        )
        return self.state()

    def wait_step_at_least(self, n: int) -> int:
        """Wait until the state line shows step ``n`` or later (a run playing); return it."""
        self._wait(
            """n => { const el = document.querySelector('.model-state');
                      const m = el && el.innerText.match(/step=(\\d+)/);
                      return m !== null && +m[1] >= n; }""",
            n,
            f"the state line shows step {n} or later",
        )
        return int(self.state()["step"])

    def wait_value(self, lever: str, value: str) -> None:
        """Wait until a lever's field shows ``value`` (it re-renders after the state line)."""
        self._wait(
            """a => { const el = document.querySelector(`.lever-input-${a[0]} input`);
                      return el !== null && el.value === a[1]; }""",
            [lever, value],
            f"the field of {lever!r} shows {value!r}",
        )

    def wait_disabled(self, button: str) -> None:
        """Wait until the button named ``button`` is disabled."""
        self.page.get_by_role("button", name=button, exact=True).and_(
            self.page.locator("[disabled]")
        ).wait_for()

    def _wait(self, predicate: str, arg: Any, what: str) -> None:
        """``page.wait_for_function``, failing with what it waited for and the state line."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(predicate, arg=arg)
        except PlaywrightTimeout as err:
            shown = self.page.locator(".model-state").all_inner_texts()
            raise AssertionError(
                f"timed out after {TIMEOUT_S:g} s waiting until {what}; the state line: {shown}"
            ) from err

    def digest(self) -> list[str]:
        """Digests of what the two charts show (panels' SVG, ecosystem canvas pixels)."""
        return self.page.evaluate(DIGEST_JS)

    def redraw(self, action: Callable[[], object], charts: tuple[int, ...] = (0, 1)) -> list[str]:
        """Do ``action``, wait until the ``charts`` (0: metric panels, 1: ecosystem view) have
        been redrawn after it, and return the digests of the charts then shown.

        The charts are drawn by the browser after the state line re-renders, so a test that
        compares pictures waits for the pictures, not for the line. Redrawn means the chart's key
        changed (the run or the month it shows), so a chart an action should change and does not
        makes this wait time out. The picture before ``action`` must be complete (the previous
        action was waited for with this method, or the page just opened).
        """
        before = self.page.evaluate(CHART_KEYS_JS)
        action()
        self._wait(REDRAWN_JS, [before, list(charts)], f"charts {charts} are redrawn")
        return self.digest()

    def wait_verdict(self, key: str, text: str) -> str:
        """Wait until exercise ``key``'s check shows ``text``; return the check's line."""
        loc = self.page.locator(f".verdict-{key}").filter(has_text=text)
        loc.wait_for()
        return loc.inner_text()

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def step(self, times: int = 1) -> None:
        """Click Step and wait until the state line shows the next step, ``times`` times."""
        for _ in range(times):
            n = int(self.state()["step"])
            self.click("Step")
            self.wait_state(step=str(n + 1))

    def type_lever(self, name: str, text: str) -> None:
        """Type ``text`` into a lever's field and press Enter."""
        field = self.page.locator(f".lever-input-{name} input")
        field.fill(text)
        field.press("Enter")

    def settle(self) -> None:
        """Wait until images are decoded and animations (the chart grid moving) have ended."""
        self.page.evaluate(SETTLED_JS)

    def shot(self, folder: Path, name: str) -> Path:
        """Save a screenshot of the page (layout settled) as ``folder/name.png``."""
        folder.mkdir(parents=True, exist_ok=True)
        self.settle()
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()
