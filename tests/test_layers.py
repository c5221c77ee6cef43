"""The house's layout holds: each package imports only packages of a lower layer, so imports
point one way and no circle can form.

    redact                  secret masking
    errors                  the vocabulary of "cannot run" and exit codes
    spec                    the OpenAPI document
    config                  settings
    sandbox                 the embedded OrderCloud (reads config and spec, nothing of the harness)
    api, report             talking to a target; what people read
    contract, scenarios, load, security    the capabilities, independent of one another
    run                     the orchestrator
    cli, __main__           the command line
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "ocgate"
LAYERS = {
    "redact": 0,
    "errors": 1,
    "spec": 2,
    "config": 3,
    "sandbox": 4,  # reads errors, spec and config only
    "api": 5, "report": 5,
    "contract": 6, "scenarios": 6, "load": 6, "security": 6,
    "run": 7,
    "cli": 8, "__main__": 9,
}  # fmt: skip


def unit_of(path: Path) -> str:
    """The top-level module or package of ocgate a file belongs to."""
    return path.relative_to(SRC).with_suffix("").parts[0]


def imported_units(path: Path) -> set[str]:
    """The ocgate units a file imports (relative or absolute), itself excluded."""
    package = ["ocgate", *path.relative_to(SRC).with_suffix("").parts[:-1]]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = [*package[: len(package) - node.level + 1], *(node.module or "").split(".")] if node.level else (node.module or "").split(".")
        module = [part for part in module if part]
        if module[:1] != ["ocgate"]:
            continue
        found |= {module[1]} if len(module) > 1 else {alias.name for alias in node.names}
    return found - {unit_of(path)}


FILES = sorted(SRC.rglob("*.py"))


def test_every_unit_of_ocgate_has_a_layer() -> None:
    assert {unit_of(path) for path in FILES} <= set(LAYERS) | {"__init__"}


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(SRC)))
def test_a_module_imports_only_lower_layers(path: Path) -> None:
    unit = unit_of(path)
    if unit == "__init__":
        return
    upward = {imported: LAYERS[imported] for imported in imported_units(path) if LAYERS[imported] >= LAYERS[unit]}
    assert not upward, f"{path.relative_to(SRC)} ({unit}, layer {LAYERS[unit]}) imports {upward}"
