"""Running the scenario suite (`scenarios/`): pytest in a subprocess, results for Allure and JUnit.

A subprocess keeps the suite exactly what `pytest scenarios/` runs by hand.
The target and spec chosen for this run reach it through the same OCGATE_*
variables a person would set. It runs serially by default: on two cores a
second pytest-xdist worker repeats the whole session setup (seeding, the
role personas) and competes with the first for the CPU, which made the suite
slower, not faster. `extra_args` may still ask for workers (`-n 2`); the
suite's fixtures and its role-matrix report support them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import ConfigError, Settings

SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"
#: pytest plugins that other suites use (the contract gate's Schemathesis and Hypothesis) and the
#: scenarios do not: leaving them unloaded halves the suite's start-up.
UNUSED_PLUGINS = ("schemathesis", "hypothesispytest", "anyio", "faker")
#: pytest's exit codes that mean "the suite ran": 0 all passed, 1 some failed. Anything else cannot run.
RAN = (0, 1)
EXIT_CANNOT_RUN = 2


def pytest_command(reports_dir: Path, extra_args: Sequence[str] = ()) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        str(SCENARIOS_DIR),
        "--alluredir",
        str(reports_dir / "allure-results" / "scenarios"),
        "--junitxml",
        str(reports_dir / "junit" / "scenarios.xml"),
        *(option for plugin in UNUSED_PLUGINS for option in ("-p", f"no:{plugin}")),
        *extra_args,
    ]


def scenario_environment(settings: Settings, reports_dir: Path) -> dict[str, str]:
    """The environment of the run: this process's, with the chosen target, spec and reports folder."""
    env = {**os.environ, "OCGATE_TARGET": settings.target, "OCGATE_REPORTS_DIR": str(reports_dir)}
    if settings.spec:
        env["OCGATE_SPEC"] = settings.spec_location
    return env


def run_scenarios(settings: Settings, *, reports_dir: Path, extra_args: Sequence[str] = ()) -> int:
    """Run the scenarios against the configured target; 0 pass, 1 failures, 2 cannot run."""
    if not SCENARIOS_DIR.is_dir():
        raise ConfigError(f"the scenario suite is not at {SCENARIOS_DIR}; run ocgate from a checkout of the repository")
    reports_dir = reports_dir.resolve()
    completed = subprocess.run(
        pytest_command(reports_dir, extra_args),
        cwd=settings.config_dir,
        env=scenario_environment(settings, reports_dir),
        check=False,
    )
    return completed.returncode if completed.returncode in RAN else EXIT_CANNOT_RUN
