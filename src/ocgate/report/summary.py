"""What the terminal shows: live counts per suite, the summary table, and what broke.

A CI log is often all a reader has, so a failing run ends with one line per failure (suite,
operation or journey, the rule or check, a short reason, and the file holding its curl line),
capped with "and N more", after the summary table. The counts and failures are read from the
suites' Allure results, the same files the HTML report is built from.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from .allure import SuiteSummary, latest_results, summarize

#: Without a terminal (CI logs), how often the counts are printed while a suite runs.
LOG_EVERY_SECONDS = 30
#: Failure lines printed at the end of a run before "and N more".
MAX_FAILURE_LINES = 20
#: The Allure attachments that hold a failing call's curl line, in order of preference.
CURL_ATTACHMENTS = ("failing request (curl)", "request (curl)")


def suite_counts(name: str, results: Path) -> SuiteSummary:
    """One suite's results so far, all its Allure suites together."""
    rows = summarize([results])
    totals = {key: sum(getattr(row, key) for row in rows) for key in ("tests", "passed", "failed", "known", "duration_ms")}
    return SuiteSummary(name, **totals)


def describe(counts: SuiteSummary) -> str:
    return f"{counts.tests} tests, {counts.passed} passed, {counts.failed} failed, {counts.known} known"


class LiveCounts:
    """Counts per suite while the run goes on: a live table in a terminal, a line now and then in a CI log."""

    def __init__(self, console: Console, folders: dict[str, Path]) -> None:
        self.console = console
        self.folders = folders  # suite -> its Allure results folder
        self.rows: dict[str, str] = {}  # suite -> its state
        self.started_at: dict[str, float] = {}
        self._stop = threading.Event()
        self._live = Live(console=console, refresh_per_second=2, transient=True) if console.is_terminal else None
        self._ticker = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> LiveCounts:
        if self._live:
            self._live.start()
        self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._ticker.join()
        if self._live:
            self._live.stop()

    def counts(self, name: str) -> SuiteSummary:
        return suite_counts(name, self.folders[name])

    def started(self, name: str) -> None:
        self.rows[name] = "running"
        self.started_at[name] = time.monotonic()
        self.console.print(f"{name}: running", highlight=False)

    def finished(self, name: str, verdict: str, counts: SuiteSummary, seconds: float) -> None:
        self.rows[name] = verdict
        self.console.print(f"{name}: {verdict} — {describe(counts)} in {seconds:.0f}s", highlight=False)

    def table(self) -> Table:
        table = Table(title_justify="left")
        for column in ("suite", "state", "tests", "passed", "failed", "known", "time"):
            table.add_column(column, justify="left" if column in ("suite", "state") else "right")
        for name, state in self.rows.items():
            c = self.counts(name)
            elapsed = f"{time.monotonic() - self.started_at[name]:.0f}s" if state == "running" else ""
            table.add_row(name, state, str(c.tests), str(c.passed), str(c.failed), str(c.known), elapsed)
        return table

    def _tick(self) -> None:
        last_logged = time.monotonic()
        while not self._stop.wait(1.0):
            if self._live:
                self._live.update(self.table())
            elif time.monotonic() - last_logged >= LOG_EVERY_SECONDS:
                last_logged = time.monotonic()
                for name, state in self.rows.items():
                    if state == "running":
                        self.console.print(f"{name}: {describe(self.counts(name))} so far", highlight=False)


@dataclass(frozen=True)
class SuiteRow:
    """One line of the summary table."""

    counts: SuiteSummary
    seconds: float
    verdict: str


def summary_table(rows: list[SuiteRow]) -> Table:
    table = Table(title="ocgate summary", title_justify="left")
    for column in ("suite", "tests", "passed", "failed", "known/waived", "duration", "result"):
        table.add_column(column, justify="left" if column in ("suite", "result") else "right")
    for row in rows:
        c = row.counts
        table.add_row(c.suite, str(c.tests), str(c.passed), str(c.failed), str(c.known), f"{row.seconds:.1f}s", row.verdict)
    return table


# -- what broke ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FailureLine:
    suite: str
    subject: str  # the operation or the journey
    rule: str  # the check or assertion that failed
    reason: str
    curl: Path | None  # the attachment holding the failing call's curl line

    def __str__(self) -> str:
        where = f" (curl: {self.curl})" if self.curl else ""
        return f"✗ {self.suite} · {self.subject} · {self.rule}: {self.reason}{where}"


def failures(suite: str, results: Path) -> list[FailureLine]:
    """The failed and broken results of one suite, as lines for the terminal."""
    lines = []
    for result in latest_results([results]):
        if result.get("status") not in ("failed", "broken"):
            continue
        labels = {label.get("name"): label.get("value") for label in result.get("labels", [])}
        message = (result.get("statusDetails") or {}).get("message") or result.get("status", "")
        rule, reason = _rule_and_reason(message)
        subject = labels.get("story") or result.get("name") or "?"
        lines.append(FailureLine(suite, subject, rule, reason, _curl_file(result, results)))
    return sorted(lines, key=lambda line: (line.subject, line.rule))


def print_failures(console: Console, lines: list[FailureLine], limit: int = MAX_FAILURE_LINES) -> None:
    for line in lines[:limit]:
        console.print(str(line), highlight=False, markup=False, soft_wrap=True)
    if len(lines) > limit:
        console.print(f"… and {len(lines) - limit} more (see the report)", highlight=False)


#: Schemathesis names the failing check on its first line ("- Response violates schema"), pytest's
#: assertions start with "AssertionError: ...".
_CHECK = re.compile(r"^\s*(?:\d+\.\s*|-\s*)?(?P<rule>[^:\n]{3,80}?)(?::|\n|$)")


def _rule_and_reason(message: str) -> tuple[str, str]:
    text = message.strip()
    first = text.splitlines()[0].strip() if text else "failed"
    if "Security:" in first:  # "Security: <rule>: <operation>: <what happened>"
        rule, _, reason = first.partition("Security:")[2].strip().partition(": ")
        return _short(rule), _short(reason)
    if first.startswith("AssertionError"):
        return "assertion", _short(first.removeprefix("AssertionError:").strip() or "failed")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    match = _CHECK.match(lines[0]) if lines else None
    rule = match.group("rule").strip(" -") if match else "failed"
    rest = lines[0][match.end() :].strip() if match else ""  # "SLO breach: <what>, observed <value>"
    detail = next((line for line in lines[1:] if not line.startswith(("[", "Reproduce", "curl"))), "")
    return _short(rule), _short(detail or rest or first)


def _short(text: str, width: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _curl_file(result: dict[str, Any], results: Path) -> Path | None:
    attachments = {attachment.get("name"): attachment.get("source") for attachment in _attachments(result)}
    for name in CURL_ATTACHMENTS:
        if attachments.get(name):
            return results / attachments[name]
    return None


def _attachments(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from node.get("attachments", [])
    for step in node.get("steps", []):
        yield from _attachments(step)
