"""Write the screenshots of reports that docs/rendering.md shows.

Run: ``python scripts/report_screenshot.py [OUT.png [READING.png]]`` (default
``docs/report.png`` and ``docs/report-reading.png``). It runs ``statusproof report`` into a
temporary folder and opens the page in Debian's Chromium through Playwright (``apt-get
install chromium``; never a downloaded browser):

- the bundled table's report: it clicks "show on the diagram" on the first point of the
  summary whose run the folded picture draws, and saves the top of the page;
- the report of ``tests/fixtures/tables/order-wording.md`` (the cell language's wordings, one
  entry not read): it clicks that entry's ``uninterpreted-entry`` finding, so its clause is
  outlined, and saves the top of the Reading section.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent
WORDING = ROOT / "tests" / "fixtures" / "tables" / "order-wording.md"


def _report(folder: str, *table: str) -> Path:
    subprocess.run([sys.executable, "-m", "statusproof", "report", *table, "-o", folder],
                   check=False, capture_output=True)
    page = Path(folder) / "report.html"
    if not page.is_file():
        raise SystemExit(f"statusproof report {' '.join(table)} wrote no page")
    return page


def _bundled(page: Any, out: Path) -> None:
    page.evaluate("""() => {
        for (const link of document.querySelectorAll('#summary a.show')) {
            const row = document.getElementById('finding-' + link.dataset.finding);
            if (row && !row.dataset.needsFull) { link.click(); return; }
        }
    }""")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(out))


def _reading(page: Any, out: Path) -> None:
    page.locator('tr.finding[data-code="uninterpreted-entry"] td').nth(2).click()
    page.evaluate("document.getElementById('reading').scrollIntoView()")
    box = page.locator("#reading").bounding_box()
    page.screenshot(path=str(out), clip={"x": box["x"], "y": box["y"], "width": box["width"],
                                         "height": min(box["height"], 1150)})


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "report.png"
    reading = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "report-reading.png"
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as other, \
            tempfile.TemporaryDirectory() as profile:
        pages = [(_report(folder), out, _bundled),
                 (_report(other, str(WORDING)), reading, _reading)]
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", args=FLAGS, headless=True,
                viewport={"width": 1360, "height": 1500})
            for html, target, shoot in pages:
                page = context.new_page()
                page.goto(html.as_uri())
                shoot(page, target)
                page.close()
                print(f"wrote {target}")
            context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
