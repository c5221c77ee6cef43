"""Shared pieces of the load tests: settings, files written by a test, a console the test can read."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console

from ocgate.config import Settings, load_settings
from ocgate.sandbox.server import EmbeddedSandbox


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    """A fresh embedded sandbox per test module, in this process, so tests can look inside."""
    with EmbeddedSandbox(load_settings()) as running:
        yield running


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[[str, str], Path]:
    """write_file(name, text) -> the path of a new file in the test's folder."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def console() -> Console:
    """A console whose output the test can read: `console.file.getvalue()`."""
    return Console(file=io.StringIO(), width=200, color_system=None)

