"""The report in a real browser: Debian's Chromium driven by Playwright (never a downloaded
browser: ``executable_path`` is the system's ``chromium``; CI installs it with apt-get).

The page is the real ``statusproof report`` of the bundled table (formal checks included).
The tests click findings and check what the script highlights in the SVG and the table, use
the filters, toggle the picture with every step, and watch that the page asks for nothing
over a network and logs no error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from render_support import CHROMIUM_FLAGS, chromium, needs_dot

pytestmark = [pytest.mark.slow, needs_dot]
HIGHLIGHT = "rgb(194, 24, 91)"  # #c2185b, the highlight colour of report.css


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    code, _, err = run_cli(["report", "-o", str(folder)])
    assert code == 0, err
    return folder / "report.html"


@pytest.fixture(scope="module")
def browser_page(report: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=list(CHROMIUM_FLAGS),
            headless=True, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        problems: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri())
        page.problems = problems
        page.requests = requests
        yield page
        context.close()


def _highlighted(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(".hl", "els => els.map(e => e.id)"))


def _stroke(page: Any, edge_id: str) -> str:
    return str(page.evaluate(
        "id => getComputedStyle(document.querySelector('#' + CSS.escape(id) + ' path'))"
        ".stroke", edge_id))


def test_the_summary_comes_first_with_at_most_seven_points(browser_page: Any) -> None:
    page = browser_page
    points = page.locator("#summary li.point")
    assert 1 <= points.count() <= 7
    assert "can never come back to Collaborating" in points.first.inner_text()
    first_section = page.evaluate("document.querySelector('main > section').id")
    assert first_section == "summary"
    assert page.problems == []
    assert all(url.startswith("file://") for url in page.requests), page.requests


def test_clicking_a_finding_highlights_its_run_and_its_cells(browser_page: Any) -> None:
    page = browser_page
    row = page.locator('tr.finding[data-code="timeout-coincidence"]').first
    edges = (row.get_attribute("data-edges") or "").split()
    cells = (row.get_attribute("data-cells") or "").split()
    assert len(edges) == 4 and cells  # the start, Connecting -> Waiting -> Active -> Timed out
    row.locator("td").nth(2).click()
    lit = _highlighted(page)
    for ident in edges + cells:
        assert ident in lit, ident
    assert all(_stroke(page, e) == HIGHLIGHT for e in edges)
    assert page.locator("#view-folded").is_visible()
    assert "Finding" in page.locator("#selection").inner_text()
    # a finding whose run takes steps the columns contradict shows the picture with every step
    page.locator('#summary a.show[data-finding]').first.click()
    full_row = page.locator('tr.finding[data-code="no-way-back"]').first
    full_edges = (full_row.get_attribute("data-full-edges") or "").split()
    assert full_row.get_attribute("data-needs-full") == "1" and len(full_edges) == 4
    assert page.evaluate("document.getElementById('view-full').open")
    assert not page.locator("#view-folded").is_visible()
    assert page.locator("#show-mismatches").is_checked()
    lit = _highlighted(page)
    assert all(e in lit for e in full_edges) and all(_stroke(page, e) == HIGHLIGHT
                                                     for e in full_edges)
    assert not [i for i in lit if i in edges], "the previous finding's run is cleared"
    # the toggle goes back to the folded picture
    page.locator("#show-mismatches").uncheck()
    assert page.locator("#view-folded").is_visible()
    page.locator("#clear-selection").click()
    assert _highlighted(page) == []
    assert page.problems == []


def test_the_filters_hide_what_they_should(browser_page: Any) -> None:
    page = browser_page
    rows = page.locator("tr.finding")
    total = rows.count()

    def visible(code: str | None = None) -> list[str]:
        return list(page.eval_on_selector_all(
            "tr.finding", "rs => rs.filter(r => !r.hidden).map(r => r.dataset.severity + ' ' "
                          "+ r.dataset.code + ' ' + r.dataset.statuses)"))

    # by default the info findings are filtered out
    assert all(not v.startswith("info ") for v in visible())
    assert re.fullmatch(rf"39 of {total} findings shown",
                        page.locator("#filter-count").inner_text())
    page.locator('input[name="severity"][value="info"]').check()
    assert len(visible()) == total
    page.locator('input[name="severity"][value="warning"]').uncheck()
    assert visible() and all(v.startswith("info ") for v in visible())
    page.locator('input[name="severity"][value="warning"]').check()
    page.select_option("#filter-code", "unguarded-return")
    assert len(visible()) == 7 and all(" unguarded-return " in v for v in visible())
    page.select_option("#filter-code", "")
    page.fill("#filter-status", "offline")
    shown = visible()
    assert shown and all("offline" in v.lower() for v in shown)
    assert len(shown) < total
    matched = page.eval_on_selector_all(".match", "els => els.map(e => e.id)")
    assert "node_Offline" in matched and "status-Offline" in matched
    page.fill("#filter-status", "")
    assert len(visible()) == total and page.eval_on_selector_all(".match", "e => e.length") == 0
    assert page.problems == []
