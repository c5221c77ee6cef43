"""JUnit XML from Allure results, for a suite whose runner writes none (the load run).

CI systems read JUnit; `ocgate run` gives every suite a `reports/junit/<suite>.xml`.
The pytest suites write their own; for the others this turns the suite's Allure
result files into one `<testsuite>`: failed -> <failure>, broken -> <error>,
skipped -> <skipped>. Messages pass through `redact_text` like every report.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..redact import redact_text

#: Allure status -> the JUnit element that marks it and the <testsuite> count it adds to.
_OUTCOMES = {"failed": ("failure", "failures"), "broken": ("error", "errors"), "skipped": ("skipped", "skipped")}


def read_results(folder: Path) -> list[dict[str, Any]]:
    """The Allure results directly in `folder` (not its subfolders); unreadable files are left out."""
    results = []
    for path in sorted(Path(folder).glob("*-result.json")):
        try:
            results.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):  # half written by an interrupted run
            continue
    return results


def write_junit(suite: str, results: list[dict[str, Any]], path: Path) -> Path:
    """Write the results as one JUnit test suite named `suite`."""
    element = ET.Element("testsuite", name=suite)
    counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    total_seconds = 0.0
    for result in results:
        seconds = max(0, result.get("stop", 0) - result.get("start", 0)) / 1000
        total_seconds += seconds
        case = ET.SubElement(element, "testcase", classname=suite, name=str(result.get("name", "")), time=f"{seconds:.3f}")
        counts["tests"] += 1
        if result.get("status") in _OUTCOMES:
            tag, count = _OUTCOMES[result["status"]]
            details = result.get("statusDetails") or {}
            marker = ET.SubElement(case, tag, message=redact_text(details.get("message") or ""))
            marker.text = redact_text(details.get("trace") or "") or None
            counts[count] += 1
    element.attrib.update({key: str(value) for key, value in counts.items()}, time=f"{total_seconds:.3f}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = ET.ElementTree(ET.Element("testsuites"))
    tree.getroot().append(element)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path
