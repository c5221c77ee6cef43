"""Fixtures shared by the contract gate's tests (helpers to run the gate: gate_harness.py)."""

from __future__ import annotations

import pytest

from ocgate.config import Settings, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()
