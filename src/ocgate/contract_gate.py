"""Running the contract gate (`contracts/`): pytest in a subprocess, results for Allure and JUnit.

A subprocess keeps the gate exactly what `pytest contracts/` runs by hand. The run's choices
reach it the way a person would give them: the target and spec as OCGATE_* variables, the
profile and operation filters as the suite's own pytest options.

Reports: allure-pytest results in `<reports>/allure-results/contract`, JUnit XML in
`<reports>/junit/contract.xml`, and the 2xx coverage in `<reports>/contract-coverage.json`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .config import ConfigError, Settings

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"
#: Filter name (as in the [contract] table) -> the suite's pytest option.
FILTER_OPTIONS = {"tags": "--tag", "paths": "--path", "methods": "--method", "operation_ids": "--operation-id"}
#: pytest's exit codes that mean "the gate ran": 0 all passed, 1 violations. Anything else cannot run.
RAN = (0, 1)
EXIT_CANNOT_RUN = 2


def gate_command(profile: str, filters: Mapping[str, Sequence[str]], reports_dir: Path, extra_args: Sequence[str] = ()) -> list[str]:
    unknown = set(filters) - set(FILTER_OPTIONS)
    if unknown:
        raise ConfigError(f"contract filters: unknown filter {', '.join(sorted(unknown))}; use {', '.join(FILTER_OPTIONS)}")
    return [
        sys.executable,
        "-m",
        "pytest",
        str(CONTRACTS_DIR),
        "--profile",
        profile,
        *(option for name, values in filters.items() for value in values for option in (FILTER_OPTIONS[name], value)),
        "--alluredir",
        str(reports_dir / "allure-results" / "contract"),
        "--junitxml",
        str(reports_dir / "junit" / "contract.xml"),
        "-p",
        "no:cacheprovider",
        *extra_args,
    ]


def run_contract_suite(
    settings: Settings,
    *,
    profile: str,
    filters: Mapping[str, Sequence[str]],
    reports_dir: Path,
    extra_args: Sequence[str] = (),
) -> int:
    """Run the gate against the configured target; 0 pass, 1 violations, 2 cannot run."""
    if not CONTRACTS_DIR.is_dir():
        raise ConfigError(f"the contract suite is not at {CONTRACTS_DIR}; run ocgate from a checkout of the repository")
    if profile not in ("gate", "deep"):
        raise ConfigError(f"--profile: unknown profile {profile!r}; choose gate or deep")
    reports_dir = reports_dir.resolve()
    env = {**os.environ, "OCGATE_TARGET": settings.target, "OCGATE_REPORTS_DIR": str(reports_dir)}
    if settings.spec:
        env["OCGATE_SPEC"] = settings.spec_location
    completed = subprocess.run(gate_command(profile, filters, reports_dir, extra_args), cwd=settings.config_dir, env=env, check=False)
    return completed.returncode if completed.returncode in RAN else EXIT_CANNOT_RUN
