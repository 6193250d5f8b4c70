"""Write the screenshot of the bundled table's report that docs/rendering.md shows.

Run: ``python scripts/report_screenshot.py [OUT.png]`` (default ``docs/report.png``). It runs
``statusproof report`` on the bundled table into a temporary folder, opens the page in
Debian's Chromium through Playwright (``apt-get install chromium``; never a downloaded
browser), clicks "show on the diagram" on the first point of the summary whose run the folded
picture draws, and saves the top of the page as a PNG.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else Path(__file__).resolve().parent.parent / "docs" /
               "report.png")
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as profile:
        subprocess.run([sys.executable, "-m", "statusproof", "report", "-o", folder],
                       check=True, capture_output=True)
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", args=FLAGS, headless=True,
                viewport={"width": 1360, "height": 1500})
            page = context.new_page()
            page.goto((Path(folder) / "report.html").as_uri())
            page.evaluate("""() => {
                for (const link of document.querySelectorAll('#summary a.show')) {
                    const row = document.getElementById('finding-' + link.dataset.finding);
                    if (row && !row.dataset.needsFull) { link.click(); return; }
                }
            }""")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(out))
            context.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
