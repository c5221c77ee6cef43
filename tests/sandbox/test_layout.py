"""How the sandbox's code is laid out: the engine takes the store lock, rules never import handlers,
handlers never import each other, and the OAuth server asks the directory, not the marketplace."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import ocgate.sandbox as package

ROOT = Path(package.__file__).parent
#: The engine's places that take the store lock: around each operation, and around the token endpoint.
LOCK_TAKERS = {"resources.py", "app.py"}


def modules(folder: str = "") -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py") if not folder else (ROOT / folder).glob("*.py"))


def sandbox_imports(path: Path) -> set[str]:
    """The sandbox modules a module imports, as dotted names below ocgate.sandbox (e.g. "rules.pricing")."""
    package_parts = path.relative_to(ROOT).parent.parts
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package_parts[: len(package_parts) - (node.level - 1)]
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [alias.name for alias in node.names] if not node.module else [""]
            found.update(f"{target}.{name}".strip(".") for name in names)
    return found


def test_only_the_engine_takes_the_store_lock() -> None:
    takers = {str(path.relative_to(ROOT)) for path in modules() if re.search(r"with [\w.]*store\.lock\b", path.read_text())}
    assert takers == LOCK_TAKERS


def test_handlers_never_import_other_handlers() -> None:
    offenders = {
        path.name: sorted(name for name in sandbox_imports(path) if name.startswith("handlers"))
        for path in modules("handlers")
        if path.name != "__init__.py"
    }
    assert {name: imported for name, imported in offenders.items() if imported} == {}


def test_rules_never_import_handlers() -> None:
    offenders = {path.name: sorted(name for name in sandbox_imports(path) if name.startswith("handlers")) for path in modules("rules")}
    assert {name: imported for name, imported in offenders.items() if imported} == {}


def test_the_oauth_server_and_the_directory_know_nothing_of_the_marketplace() -> None:
    for name in ("oauth.py", "directory.py"):
        assert "state" not in sandbox_imports(ROOT / name), name
        assert "Marketplace" not in (ROOT / name).read_text(), name


def test_every_module_says_what_it_is_for() -> None:
    assert [str(path.relative_to(ROOT)) for path in modules() if not ast.get_docstring(ast.parse(path.read_text()))] == []
