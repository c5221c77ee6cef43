"""Open the HTML report in headless Chromium and read what a person would see.

The Allure report is a JavaScript application: its HTML file holds no test
names until a browser has run it. This check proves the report renders, and
gives tests its visible text to assert on.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
#: Quiet, offline, reproducible: no sandbox (root in CI), no GPU, no network at all.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--virtual-time-budget=10000",
)
TIMEOUT_SECONDS = 120


class BrowserError(Exception):
    """Chromium is missing or could not render the page; the message says what to do."""


def find_chromium() -> str | None:
    """The path of an installed Chromium-family browser, or None."""
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def render_report(report_dir: Path, view: str = "") -> str:
    """The visible text of `report_dir/index.html` after headless Chromium has run its scripts.

    `view` is the report's own route, e.g. "categories" for the Categories tab.
    """
    index = Path(report_dir).resolve() / "index.html"
    if not index.exists():
        raise BrowserError(f"{index} does not exist; build the report first with `ocgate report`")
    browser = find_chromium()
    if browser is None:
        raise BrowserError("Chromium is not installed; install it (Debian: `apt-get install -y chromium`)")
    with tempfile.TemporaryDirectory(prefix="ocgate-chromium-") as profile:
        command = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"{index.as_uri()}#{view}"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise BrowserError(f"Chromium did not finish rendering {index} within {TIMEOUT_SECONDS} s") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise BrowserError(f"Chromium could not render {index} (exit code {done.returncode})")
    return visible_text(done.stdout)


class _TextCollector(HTMLParser):
    HIDDEN = frozenset({"script", "style", "noscript", "template", "svg"})

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.words.extend(data.split())


def visible_text(html: str) -> str:
    """The words of an HTML document outside scripts and styles, separated by single spaces."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join(collector.words)


def main(argv: list[str] | None = None) -> int:
    """`python tests/browser_check.py [REPORT_DIR] [VIEW]`: print what the report shows."""
    args = sys.argv[1:] if argv is None else argv
    report_dir = Path(args[0]) if args else Path("reports/allure-report")
    try:
        print(render_report(report_dir, *args[1:2]))
    except BrowserError as error:
        print(f"ocgate: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
