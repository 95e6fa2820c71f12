"""The HTML report opens in a real headless browser, offline, with every figure drawn.

Uses Debian's ``chromium`` (``make test`` installs it with apt-get when missing) driven by
Playwright; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from statecraft.analysis import write_report
from statecraft.experiment import load_experiment
from statecraft.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def _browser_or_skip():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(
                f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
            )
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api")


def test_report_renders_offline_in_chromium(tmp_path):
    playwright = _browser_or_skip()
    exp = tmp_path / "b.toml"
    exp.write_text(
        f"""
scenario = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"
seed = 2
replicates = 2
horizon = "2021-03"
timeseries = true
[parameters]
scale = 0.05
[design]
kind = "grid"
[factors]
herding = [0.0, 1.0]
coordination = [0.0, 1.0]
""",
        encoding="utf-8",
    )
    run_sweep(load_experiment(exp), tmp_path / "sw", workers=1, progress=False)
    out, _ = write_report(tmp_path / "sw", tmp_path / "report")
    html = out / "report.html"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            requested: list[str] = []

            def block(route):  # the report must need nothing beyond its own file
                requested.append(route.request.url)
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    route.abort()

            page.route("**/*", block)
            page.goto(html.as_uri(), wait_until="load")
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])"
            )
            title = page.title()
            tables = page.locator("table").count()
        finally:
            browser.close()
    assert title == "Sweep report: b"
    assert len(images) == 3
    for complete, width, alt in images:
        assert complete and width > 0, alt
    assert tables >= 1
    assert all(u.startswith(("file:", "data:")) for u in requested), requested
