"""The HTML report opens in a real headless browser, offline, with every figure drawn.

Uses Debian's ``chromium`` (``make test`` installs it with apt-get when missing) driven by
Playwright; Playwright's own browser downloads are never used.
"""

from __future__ import annotations

from statecraft.analysis import write_report

from tests.browser import new_page


def test_report_renders_offline_in_chromium(chromium, grid_sweep, tmp_path):
    out, _ = write_report(grid_sweep, tmp_path / "report")
    html = out / "report.html"
    page = new_page(chromium)
    requested: list[str] = []

    def block(route):  # the report must need nothing beyond its own file
        requested.append(route.request.url)
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    try:
        page.route("**/*", block)
        page.goto(html.as_uri(), wait_until="load")  # "load": after every image
        images = page.evaluate(
            "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])"
        )
        title = page.title()
        tables = page.locator("table").count()
    finally:
        page.context.close()
    assert title == "Sweep report: grid"
    assert len(images) == 3
    for complete, width, alt in images:
        assert complete and width > 0, alt
    assert tables >= 1
    assert all(u.startswith(("file:", "data:")) for u in requested), requested
