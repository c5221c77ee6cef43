"""The pytest command of one suite, with its results where `ocgate run` and the report read them.

Every pytest suite (contracts/, scenarios/, security/) is started the same way: `pytest FOLDER`
with the suite's own options, Allure results in `<reports>/allure-results/<suite>`, JUnit XML in
`<reports>/junit/<suite>.xml`, no cache folder, and the plugins it does not use left unloaded.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ..config import ConfigError


def suite_command(folder: Path, suite: str, reports_dir: Path, options: Sequence[str] = (), unused_plugins: Sequence[str] = ()) -> list[str]:
    """`pytest FOLDER OPTIONS ...` for the suite named `suite`; ConfigError when the folder is missing."""
    if not folder.is_dir():
        raise ConfigError(f"the {suite} suite is not at {folder}; run ocgate from a checkout of the repository")
    return [
        sys.executable, "-m", "pytest", str(folder), *options,
        "--alluredir", str(reports_dir / "allure-results" / suite),
        "--junitxml", str(reports_dir / "junit" / f"{suite}.xml"),
        *(option for plugin in unused_plugins for option in ("-p", f"no:{plugin}")),
        "-p", "no:cacheprovider",
    ]  # fmt: skip
