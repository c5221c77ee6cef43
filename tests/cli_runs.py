"""Running the `ocgate` command as a person or a CI job does, and checking what it leaves behind."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
#: Every process an `ocgate` command starts inherits this variable, which finds any left running.
MARK = "TEST_OCGATE_PROCESS_MARK"


#: Reports of commands whose test names no folder: never the repository's own reports/.
SCRATCH_REPORTS = tempfile.mkdtemp(prefix="ocgate-test-reports-")
atexit.register(shutil.rmtree, SCRATCH_REPORTS, ignore_errors=True)


def environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without OCGATE_* settings, plus `env`, plus a fresh mark."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("OCGATE_")}
    return {**base, "OCGATE_REPORTS_DIR": SCRATCH_REPORTS, **(env or {}), MARK: uuid.uuid4().hex}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ocgate", *args]


def run_ocgate(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO, timeout: float = 600) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run `ocgate ARGS` to the end; returns its outcome and the mark its processes carried."""
    run_env = environment(env)
    result = subprocess.run(command(*args), capture_output=True, text=True, env=run_env, cwd=cwd, timeout=timeout)
    return result, run_env[MARK]


def ocgate(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run `ocgate ARGS` to the end and check that nothing it started is still running."""
    result, mark = run_ocgate(*args, env=env, cwd=cwd, timeout=timeout)
    assert_nothing_left_running(mark)
    return result


def processes_marked(mark: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get(MARK) == mark and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def assert_nothing_left_running(mark: str) -> None:
    left = processes_marked(mark)
    assert not left, "left running: " + "; ".join(" ".join(p.cmdline()[:6]) for p in left)


def ocgate_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ocgate:")]


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit code 2, no traceback, exactly one `ocgate:` line holding every word; returns the line."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = ocgate_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]
