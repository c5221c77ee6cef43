"""Ctrl-C stops `ocgate run` cleanly: exit code 130, nothing left running, the results so far kept.

The test sends SIGINT to the `ocgate` process alone, as `kill -INT` does; a terminal's
Ctrl-C reaches only it too, because every suite runs in a session of its own.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest
from cli_runs import MARK, REPO, assert_nothing_left_running, command, environment, ocgate_lines


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.2)


def scenario_results_exist(reports: Path) -> bool:
    return any((reports / "allure-results" / "scenarios").glob("*-result.json"))


def locust_is_measuring(reports: Path) -> bool:
    """Locust has written a row of statistics (it writes the header when it starts)."""
    history = reports / "load" / "locust_stats_history.csv"
    return history.exists() and len(history.read_text().splitlines()) > 1


CASES = {
    # The full scenario suite, interrupted once its first results are written.
    "during the scenarios": (("--only", "scenarios,load"), scenario_results_exist),
    # A few scenarios, then a minute of load, interrupted once Locust measures.
    "during the load run": (("--only", "scenarios,load", "--scenario-filter", "isolation", "--duration", "60s", "--users", "3"), locust_is_measuring),
}


@pytest.fixture(scope="module", params=list(CASES))
def interrupted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, subprocess.CompletedProcess[str], Path, str]:
    args, ready = CASES[request.param]
    reports = tmp_path_factory.mktemp("interrupted") / "reports"
    env = environment({"OCGATE_REPORTS_DIR": str(reports), "COLUMNS": "200"})
    process = subprocess.Popen(command("run", *args), env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: ready(reports) or process.poll() is not None, request.param)
        assert process.poll() is None, "the run ended before it could be interrupted"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            for child in psutil.Process(process.pid).children(recursive=True):
                child.kill()
            process.kill()
    return request.param, subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), reports, env[MARK]


def test_an_interrupted_run_exits_130_with_one_line(interrupted):
    _, result, reports, _ = interrupted
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    lines = ocgate_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("ocgate: interrupted"), result.stderr
    assert "ocgate report" in lines[0]


def test_an_interrupted_run_leaves_nothing_running(interrupted):
    *_, mark = interrupted
    assert_nothing_left_running(mark)


def test_an_interrupted_run_keeps_and_summarises_the_results_so_far(interrupted):
    case, result, reports, _ = interrupted
    results = reports / "allure-results"
    assert (results / "environment.properties").exists() and (results / "categories.json").exists()
    assert list((results / "scenarios").glob("*-result.json"))
    assert (reports / "junit" / "scenarios.xml").exists()
    assert "ocgate summary" in result.stderr
    if case == "during the scenarios":
        assert "load: running" not in result.stderr  # no suite starts after Ctrl-C
        assert "│ scenarios" in result.stderr and "interrupted" in result.stderr
    else:
        assert (reports / "load" / "locust.html").exists()  # Locust stopped and wrote its report
        assert list((results / "load").glob("*-result.json"))  # and the load run judged what it measured
