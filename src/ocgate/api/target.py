"""The target of a run: the embedded sandbox (started here) or a real OrderCloud host.

`open_target(settings)` gives one object that every suite uses the same way:
a base URL, a token URL, the personas' token service and per-persona clients.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import httpx

from ..config import Settings
from ..errors import CannotRun
from ..sandbox import EmbeddedSandbox
from .client import OrderCloudClient
from .pacing import PACER
from .tokens import TokenService


class TargetError(CannotRun):
    """The target cannot be used (unreachable, not OrderCloud); the message says what to check."""


@dataclass
class Target:
    settings: Settings
    base_url: str
    tokens: TokenService
    sandbox: EmbeddedSandbox | None = None
    _clients: list[OrderCloudClient] = field(default_factory=list)

    @property
    def token_url(self) -> str:
        return self.tokens.token_url

    @property
    def is_embedded(self) -> bool:
        return self.sandbox is not None

    def client(self, persona: str | None, *, record: bool = True) -> OrderCloudClient:
        """A client acting as a persona (None: no token at all)."""
        client = OrderCloudClient(self.base_url, self.tokens if persona else None, persona, record=record)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


def check_reachable(base_url: str) -> None:
    """Fail early, in one line, when nothing answers at the target."""
    try:
        httpx.get(f"{base_url}/v1/me", timeout=15)
    except httpx.HTTPError as exc:
        raise TargetError(f"target {base_url} is unreachable ({exc.__class__.__name__}); check OCGATE_TARGET and your network") from None


@contextmanager
def open_target(settings: Settings, sandbox_mode: Literal["thread", "process"] = "thread") -> Iterator[Target]:
    """Start the embedded sandbox if configured, register the personas, and clean up afterwards."""
    PACER.max_rps = settings.max_rps  # every call to this target is paced (pacing.py)
    sandbox = EmbeddedSandbox(settings, mode=sandbox_mode) if settings.is_embedded else None
    base_url = sandbox.start() if sandbox else settings.base_url or ""
    try:
        if sandbox is None:
            check_reachable(base_url)
        tokens = TokenService(settings.token_url_for(base_url))
        tokens.register_settings(settings)
        target = Target(settings, base_url, tokens, sandbox)
        try:
            yield target
        finally:
            target.close()
    finally:
        if sandbox is not None:
            sandbox.stop()
