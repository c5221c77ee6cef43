"""How `ocgate run` starts the scenarios: `pytest scenarios/` with the suite's own options.

The command is exactly what a person would type; the target, spec and reports folder come as
OCGATE_* variables. It runs in one process: on two cores a second pytest-xdist worker repeats
the whole session setup (seeding, the role personas) and competes with the first for the CPU,
which made the suite slower, not faster. What waits on the network goes out at once inside it:
the role personas are created, and the role matrix's probes sent, by threads
(`role_matrix.probe_all`, `--matrix-workers`). Results come back as files: Allure results in
`<reports>/allure-results/scenarios`, JUnit XML in `<reports>/junit/scenarios.xml`, the role
matrix in `<reports>/role-matrix.*`, and, when the suite cannot run, its one-line reason in
`<reports>/logs/scenarios.cannot-run`.
"""

from __future__ import annotations

from pathlib import Path

from ..report.suite_command import suite_command

SCENARIOS_DIR = Path(__file__).resolve().parents[3] / "scenarios"
#: pytest plugins that other suites use (the contract gate's Schemathesis and Hypothesis) and the
#: scenarios do not: leaving them unloaded halves the suite's start-up.
UNUSED_PLUGINS = ("schemathesis", "hypothesispytest", "anyio", "faker")


def pytest_command(reports_dir: Path, *, keyword: str | None = None, matrix_workers: int | None = None) -> list[str]:
    """`pytest scenarios/ ...` for one run; `keyword` is a pytest -k expression over the journeys,
    `matrix_workers` the role-matrix probes in flight at once (default: the suite's, 8)."""
    options = [*(["-k", keyword] if keyword else []), *(["--matrix-workers", str(matrix_workers)] if matrix_workers else [])]
    return suite_command(SCENARIOS_DIR, "scenarios", reports_dir, options, UNUSED_PLUGINS)
