"""How `ocgate run` starts the contract gate: `pytest contracts/` with the gate's own options.

The command is exactly what a person would type: the run's choices are the suite's pytest
options (`--profile`, `--operation-id`, `--tag`, `--waivers`, `--workers`), and the target, spec and
reports folder come as OCGATE_* variables, as for any `ocgate` command. Results come back as
files: Allure results in `<reports>/allure-results/contract`, JUnit XML in
`<reports>/junit/contract.xml`, the 2xx coverage in `<reports>/contract-coverage.json`, and,
when the gate cannot run, its one-line reason in `<reports>/logs/contract.cannot-run`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..report.suite_command import suite_command

CONTRACTS_DIR = Path(__file__).resolve().parents[3] / "contracts"


def pytest_command(
    reports_dir: Path,
    *,
    profile: str | None = None,
    operation_ids: Sequence[str] = (),
    tags: Sequence[str] = (),
    waivers: str | None = None,
    workers: int | None = None,
) -> list[str]:
    """`pytest contracts/ ...` for one run; options not given keep the `[contract]` table's."""
    options = [*(["--profile", profile] if profile else []), *(["--waivers", waivers] if waivers else [])]
    options += [part for value in operation_ids for part in ("--operation-id", value)]
    options += [part for value in tags for part in ("--tag", value)]
    options += ["--workers", str(workers)] if workers else []
    return suite_command(CONTRACTS_DIR, "contract", reports_dir, options)
