"""How `ocgate run` / `ocgate security` start the security suite: `pytest security/` with its own options.

Like the scenarios (`scenarios.suite`): the command is what a person would type, the target,
spec and reports folder come as OCGATE_* variables, it runs serially, and it answers with
files: Allure results in `<reports>/allure-results/security`, JUnit XML in
`<reports>/junit/security.xml`, and, when it cannot run, its one-line reason in
`<reports>/logs/security.cannot-run`.
"""

from __future__ import annotations

from pathlib import Path

from ..report.suite_command import suite_command

SECURITY_DIR = Path(__file__).resolve().parents[3] / "security"
#: Plugins of other suites (the contract gate's Schemathesis and Hypothesis) the security suite does not use.
UNUSED_PLUGINS = ("schemathesis", "hypothesispytest", "anyio", "faker")


def pytest_command(reports_dir: Path, *, keyword: str | None = None) -> list[str]:
    """`pytest security/ ...` for one run; `keyword` is a pytest -k expression over the checks."""
    return suite_command(SECURITY_DIR, "security", reports_dir, ["-k", keyword] if keyword else [], UNUSED_PLUGINS)
