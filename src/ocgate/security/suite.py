"""How `ocgate run` / `ocgate security` start the security suite: `pytest security/` with its own options.

Like the scenarios (`scenarios.suite`): the command is what a person would type, the target,
spec and reports folder come as OCGATE_* variables, it runs serially, and it answers with
files: Allure results in `<reports>/allure-results/security`, JUnit XML in
`<reports>/junit/security.xml`, and, when it cannot run, its one-line reason in
`<reports>/logs/security.cannot-run`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..config import ConfigError

SECURITY_DIR = Path(__file__).resolve().parents[3] / "security"
#: Plugins of other suites (the contract gate's Schemathesis and Hypothesis) the security suite does not use.
UNUSED_PLUGINS = ("schemathesis", "hypothesispytest", "anyio", "faker")


def pytest_command(reports_dir: Path, *, keyword: str | None = None) -> list[str]:
    """`pytest security/ ...` for one run; `keyword` is a pytest -k expression over the checks."""
    if not SECURITY_DIR.is_dir():
        raise ConfigError(f"the security suite is not at {SECURITY_DIR}; run ocgate from a checkout of the repository")
    return [
        sys.executable, "-m", "pytest", str(SECURITY_DIR),
        "--alluredir", str(reports_dir / "allure-results" / "security"),
        "--junitxml", str(reports_dir / "junit" / "security.xml"),
        *(option for plugin in UNUSED_PLUGINS for option in ("-p", f"no:{plugin}")),
        "-p", "no:cacheprovider",
        *(["-k", keyword] if keyword else []),
    ]  # fmt: skip
