"""What a load run reports: the threshold table in the terminal, and Allure results.

Each SLO threshold becomes one Allure result (passed, or failed with an
"SLO breach: ..." message, which the report's categories file files under
"SLO breach"), so load runs sit in the same report as contracts and scenarios.
Every result carries the same attachments, written once: the latency
percentiles per request name as an HTML table, and Locust's statistics and
failures CSV files.
"""

from __future__ import annotations

import hashlib
import html
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import (
    Attachment,
    Label,
    Parameter,
    Status,
    StatusDetails,
    TestResult,
)
from rich.table import Table

from ..redact import redact_text
from .slo import EntryStats, LoadStats, Verdict, format_value

SUITE = "Load"
#: Percentiles shown in the table, as in Locust's own report.
PERCENTILES = (0.50, 0.90, 0.95, 0.99)


def threshold_table(verdicts: list[Verdict]) -> Table:
    table = Table(title="SLO thresholds", title_justify="left")
    for column in ("scope", "threshold", "limit", "observed", "result"):
        table.add_column(column, justify="right" if column in ("limit", "observed") else "left")
    for verdict in verdicts:
        t = verdict.threshold
        result = "[green]✓ pass[/green]" if verdict.passed else "[bold red]✗ BREACH[/bold red]"
        table.add_row(t.scope, t.what, format_value(t.metric, t.limit), format_value(t.metric, verdict.observed), result)
    return table


def percentile_rows(stats: LoadStats) -> list[EntryStats]:
    """Requests by name, then flows, then the overall line."""
    return [*stats.requests(), *stats.flows(), stats.overall()]


def percentile_table_html(stats: LoadStats, title: str) -> str:
    """Latency percentiles per request name, with a bar per p95 for a quick look."""
    rows = percentile_rows(stats)
    widest = max((row.percentile(0.95) for row in rows), default=0) or 1
    headers = ["request", "type", "requests", "failures", "throttled", "req/s", "avg ms", *(f"p{p * 100:g} ms" for p in PERCENTILES), "max ms", "p95"]
    body = []
    for row in rows:
        p95 = row.percentile(0.95)
        cells = [
            row.name,
            row.method,
            row.num_requests,
            row.num_failures - row.num_throttled,
            row.num_throttled,
            f"{row.rps:.2f}",
            f"{row.average_ms:.0f}",
            *(f"{row.percentile(p):.0f}" for p in PERCENTILES),
            f"{row.max_response_time:.0f}",
        ]
        bar = f'<div style="background:#4a90d9;height:10px;width:{200 * p95 / widest:.0f}px"></div>'
        body.append("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in cells) + f"<td>{bar}</td></tr>")
    head = "".join(f"<th>{html.escape(header)}</th>" for header in headers)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<style>body{font-family:sans-serif;font-size:13px}td,th{padding:2px 8px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}tr:last-child{font-weight:bold}</style></head><body>"
        f"<h3>{html.escape(title)}</h3><table><tr>{head}</tr>{''.join(body)}</table></body></html>"
    )


def write_allure_results(
    results_dir: Path,
    verdicts: Iterable[Verdict],
    stats: LoadStats,
    *,
    run_title: str,
    parameters: dict[str, str],
    attachments: dict[str, Path],
) -> None:
    """One result per threshold; `attachments` (name -> file) are copied once and shared by all.

    A verdict takes no time of its own: each result starts and stops when the run was
    judged, and the run's length is a parameter, so the suite's duration in the summary
    does not count the run once per threshold.
    """
    judged = int(time.time() * 1000)
    logger = AllureFileLogger(results_dir)
    shared = [_attach_data(logger, "latency percentiles", percentile_table_html(stats, run_title), "text/html", "html")]
    for name, path in attachments.items():
        if path.exists():
            shared.append(_attach_file(logger, name, path))
    for verdict in verdicts:
        threshold = verdict.threshold
        key = f"load.slo.{threshold.scope}.{threshold.metric}"
        logger.report_result(
            TestResult(
                uuid=str(uuid.uuid4()),
                historyId=hashlib.md5(key.encode()).hexdigest(),
                name=threshold.title,
                fullName=key,
                status=Status.PASSED if verdict.passed else Status.FAILED,
                statusDetails=StatusDetails(message=verdict.message),
                labels=[Label("parentSuite", "load"), Label("suite", SUITE), Label("subSuite", threshold.scope), Label("feature", "SLO")],
                parameters=[Parameter(name, value) for name, value in parameters.items()],
                attachments=shared,
                start=judged,
                stop=judged,
            )
        )


def _attach_data(logger: AllureFileLogger, name: str, body: str, mime: str, extension: str) -> Attachment:
    source = f"{uuid.uuid4()}-attachment.{extension}"
    logger.report_attached_data(body, source)
    return Attachment(name=name, source=source, type=mime)


def _attach_file(logger: AllureFileLogger, name: str, path: Path) -> Attachment:
    mime = "text/csv" if path.suffix == ".csv" else "text/plain"
    return _attach_data(logger, name, redact_text(path.read_text(encoding="utf-8")), mime, path.suffix.lstrip(".") or "txt")
