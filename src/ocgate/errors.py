"""One vocabulary for what stops a run and how ocgate exits.

Every error that means "this run cannot happen here" — configuration, the spec, fixture data,
the target, a login, the embedded sandbox, a setup call the target refused — is a `CannotRun`.
Its `line()` is one line that says what is wrong and what to do; the command prints it and exits
with `ExitCode.CANNOT_RUN`. Nothing else decides an exit code.
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from .redact import redact_text


class ExitCode(IntEnum):
    """ocgate's exit codes, for every command and suite."""

    PASSED = 0
    FAILED = 1  # contract violations, failed journeys, an SLO breach
    CANNOT_RUN = 2  # the run could not happen; one line said why
    INTERRUPTED = 130  # Ctrl-C or SIGTERM; results written so far are kept


class CannotRun(Exception):
    """The run cannot happen here; `line()` says why and what to do, in one line."""

    #: What to do, added to the message (when the message itself cannot say it).
    advice: str = ""

    def line(self) -> str:
        return f"{self}; {self.advice}" if self.advice else str(self)


def reason_file(reports_dir: Path, suite: str) -> Path:
    """Where a suite that could not run leaves its one-line reason for the orchestrator."""
    return reports_dir / "logs" / f"{suite}.cannot-run"


def record_cannot_run(reports_dir: Path, suite: str, error: CannotRun) -> str:
    """Write the suite's reason where `ocgate run` reads it; returns the line."""
    line = redact_text(error.line())
    path = reason_file(reports_dir, suite)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(line + "\n", encoding="utf-8")
    return line
