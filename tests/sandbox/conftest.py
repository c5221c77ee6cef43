"""Shared fixtures for the embedded-sandbox tests.

Each test module gets its own sandbox (module scope: fast, and no test module sees another's
data), the seller admin persona's FullAccess token, as a string and as a ready /v1 client, and
`buyer_user`: a factory of buyer user personas set up through the public API
(see _sandbox_api.BuyerUsers).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from _sandbox_api import BuyerUsers, api_client, password_token

from ocgate.config import Settings, load_settings
from ocgate.sandbox.server import EmbeddedSandbox


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="module")
def sandbox(settings: Settings) -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(settings) as running:
        yield running


@pytest.fixture(scope="module")
def admin_token(sandbox: EmbeddedSandbox, settings: Settings) -> str:
    """The seller admin persona's token (FullAccess), as the fresh sandbox creates that admin."""
    persona = settings.persona("seller_admin")
    assert persona.username and persona.password
    return password_token(sandbox.base_url, settings.client_id, persona.username, persona.password.get_secret_value(), "FullAccess")


@pytest.fixture(scope="module")
def admin(sandbox: EmbeddedSandbox, admin_token: str) -> Iterator[httpx.Client]:
    """A /v1 client for the seller admin."""
    with api_client(sandbox.base_url, admin_token) as client:
        yield client


@pytest.fixture(scope="module")
def buyer_user(sandbox: EmbeddedSandbox, admin: httpx.Client) -> Iterator[BuyerUsers]:
    """`buyer_user(roles=..., buyer_id=...)` -> a new buyer user persona with its own token and /v1 client."""
    factory = BuyerUsers(sandbox.base_url, admin)
    yield factory
    factory.close()
