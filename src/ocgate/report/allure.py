"""The Allure report: run metadata, failure categories, HTML, and the end-of-run table.

The suites write Allure result files (`*-result.json`) into results folders;
this module adds `environment.properties` and `categories.json` to them, turns
them into one HTML report with Allure 3 (the npm package `allure`, installed
by the repository's `package.json`), and summarises them for the terminal.

Allure 3 keeps trends in a JSON Lines history file rather than a `history/`
folder copied between reports; `history_file` says where it lives, beside the
report folder, so regenerating the report does not lose it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocgate.redact import redact_text

from ..errors import CannotRun

if TYPE_CHECKING:
    from ocgate.config import Settings

REPORT_NAME = "ocgate"
#: Allure's page template loads Google Analytics; a test report stays offline and private.
_ANALYTICS = re.compile(
    r'<script async src="https://www\.googletagmanager\.com/[^"]*"></script>\s*<script>[^<]*</script>'
)
#: Where `npm install` puts the Allure 3 command line, relative to the repository root.
ALLURE_BIN = Path("node_modules/.bin/allure")

#: A skipped test whose message matches this was waived on purpose. allure-pytest
#: prefixes the reason of `pytest.skip` / `pytest.xfail` with "Skipped: " / "XFAIL ".
KNOWN_MESSAGE = r"(?:Skipped: |XFAIL )?known:"
_ANY = r"[\s\S]*"  # Allure 2 matches the whole message; this spans lines in Java and JS alike.

#: Allure categories, first match wins. The messages are the ones the suites produce.
CATEGORIES: list[dict[str, Any]] = [
    {"name": "Known / waived", "matchedStatuses": ["skipped"], "messageRegex": KNOWN_MESSAGE + _ANY},
    # The security suite's findings: "Security: <rule>: <operation>: ...", after the exception's name.
    {"name": "Security", "matchedStatuses": ["failed", "broken"], "messageRegex": rf"(?:[\w.]+: )?Security:{_ANY}"},
    {
        "name": "Role leak",
        "matchedStatuses": ["failed", "broken"],
        "messageRegex": f"{_ANY}(?:[Rr]ole leak|InsufficientRoles){_ANY}",
    },
    {"name": "SLO breach", "matchedStatuses": ["failed"], "messageRegex": f"{_ANY}SLO breach{_ANY}"},
    {
        # httpx's raise_for_status says "Server error '503 ...'", which breaks a test.
        "name": "Server error",
        "matchedStatuses": ["failed", "broken"],
        "messageRegex": rf"{_ANY}(?:\b5\d\d\b|Server error){_ANY}",
    },
    {"name": "Infrastructure", "matchedStatuses": ["broken"]},
    {"name": "Contract violation", "matchedStatuses": ["failed"]},
]


class ReportError(CannotRun):
    """The HTML report cannot be built; the message says why and what to do."""


def write_environment(results_dir: Path, settings: Settings, spec_version: str, personas_used: list[str]) -> Path:
    """Write `environment.properties`: what was tested, with which build. Never secrets."""
    properties = {
        "target": settings.base_url or settings.target,
        "region": settings.region(),
        "spec.version": spec_version,
        "ocgate.version": _ocgate_version(),
        "git.sha": _git_sha(settings.config_dir),
        "personas": ", ".join(sorted(personas_used)) or "none",
    }
    lines = [f"{key}={_escape_property(redact_text(str(value)))}" for key, value in properties.items()]
    path = Path(results_dir) / "environment.properties"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ocgate_version() -> str:
    try:
        return version("ocgate")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _git_sha(directory: Path) -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=directory, capture_output=True, text=True, check=False
        )
    except OSError:  # git is not installed
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def _escape_property(value: str) -> str:
    # Java .properties: backslashes, line breaks and a leading space would change the value.
    escaped = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return "\\" + escaped if escaped.startswith(" ") else escaped


def write_categories(results_dir: Path) -> Path:
    """Write `categories.json`, the failure buckets of the report."""
    path = Path(results_dir) / "categories.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(CATEGORIES, indent=2) + "\n", encoding="utf-8")
    return path


def history_file(report_dir: Path) -> Path:
    """The Allure 3 history file (JSON Lines) kept beside the report, one line per generation."""
    return Path(report_dir).parent / "allure-history.jsonl"


def generate_html(results_dirs: list[Path], report_dir: Path, project_dir: Path | None = None) -> Path:
    """Build the HTML report from the results folders and return its `index.html`.

    The report is a single self-contained file, so it opens straight from disk
    or from a downloaded CI artifact (a folder of files when Allure finds it too
    large for one). Raises ReportError when Node or the Allure
    package is missing, when there are no results, or when Allure fails.
    """
    existing = [Path(d).resolve() for d in results_dirs if Path(d).is_dir()]
    if not existing:
        raise ReportError(f"no Allure results in {_listing(results_dirs)}; run `ocgate run` first")
    allure = _allure_command(project_dir or Path.cwd(), existing)
    report_dir = Path(report_dir).resolve()
    done = _run_allure(allure, existing, report_dir, single_file=True)
    if done.returncode != 0 and "too large" in (done.stdout + done.stderr):
        # Allure refuses single-file mode past a size limit: a folder of files serves the same page.
        done = _run_allure(allure, existing, report_dir, single_file=False)
    index = report_dir / "index.html"
    if done.returncode != 0 or not index.exists():
        output = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise ReportError(
            f"Allure could not build the report ({redact_text(output)}); results are in {_listing(existing)}"
        )
    index.write_text(_ANALYTICS.sub("", index.read_text(encoding="utf-8")), encoding="utf-8")
    return index


def _run_allure(allure: list[str], results: list[Path], report_dir: Path, *, single_file: bool) -> subprocess.CompletedProcess[str]:
    config = {
        "name": REPORT_NAME,
        "output": str(report_dir),
        "historyPath": str(history_file(report_dir)),
        "categories": CATEGORIES,
        "plugins": {"awesome": {"options": {"reportName": REPORT_NAME, "singleFile": single_file}}},
    }
    with tempfile.TemporaryDirectory(prefix="ocgate-allure-") as scratch:
        config_path = Path(scratch) / "allurerc.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        return subprocess.run(
            [*allure, "generate", "--config", str(config_path), *map(str, results)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},  # plain text for the one-line error below
        )


def _allure_command(project_dir: Path, results_dirs: list[Path]) -> list[str]:
    how = "run `npm install` in the repository root, then `ocgate report` (or `make report`)"
    where = f"results were written to {_listing(results_dirs)}"
    node = shutil.which("node")
    if node is None:
        raise ReportError(f"Node.js is not installed, so there is no HTML report; {where}. Install Node 20+, {how}")
    for folder in (project_dir.resolve(), *project_dir.resolve().parents):
        if (folder / ALLURE_BIN).exists():
            return [node, str(folder / ALLURE_BIN)]
    raise ReportError(f"the Allure 3 package is not installed, so there is no HTML report; {where}. To get it, {how}")


def _listing(paths: list[Path]) -> str:
    return ", ".join(str(p) for p in paths)


@dataclass(frozen=True)
class SuiteSummary:
    """Counts of one suite for the end-of-run table; `failed` includes broken tests."""

    suite: str
    tests: int = 0
    passed: int = 0
    failed: int = 0
    known: int = 0
    duration_ms: int = 0


def summarize(results_dirs: list[Path]) -> list[SuiteSummary]:
    """Count the results per suite, in suite order; a retried test counts once, as its last try."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for result in latest_results(results_dirs):
        counts = totals[_suite_of(result)]
        counts["tests"] += 1
        counts["duration_ms"] += max(0, result.get("stop", 0) - result.get("start", 0))
        status = result.get("status")
        message = (result.get("statusDetails") or {}).get("message") or ""
        if status == "passed":
            counts["passed"] += 1
        elif status in ("failed", "broken"):
            counts["failed"] += 1
        elif status == "skipped" and re.match(KNOWN_MESSAGE, message):
            counts["known"] += 1
    return [SuiteSummary(suite, **counts) for suite, counts in sorted(totals.items())]


def latest_results(results_dirs: list[Path]) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for directory in results_dirs:
        for path in sorted(Path(directory).glob("*-result.json")):
            try:
                result = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):  # a half-written file from an interrupted run
                continue
            key = result.get("historyId") or result.get("uuid") or str(path)
            if key not in latest or result.get("stop", 0) >= latest[key].get("stop", 0):
                latest[key] = result
    return list(latest.values())


def _suite_of(result: dict[str, Any]) -> str:
    labels = {label.get("name"): label.get("value") for label in result.get("labels", [])}
    return labels.get("suite") or labels.get("parentSuite") or labels.get("epic") or "(no suite)"
