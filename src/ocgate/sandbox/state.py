"""One embedded marketplace: its store, spec-driven resources, directory, OAuth server and clock.

A fresh marketplace holds what a newly created real one does: the seller
organization, an API client that allows the seller, and a seller admin user
with a FullAccess security profile assigned marketplace-wide.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..spec import Spec
from .directory import Directory, Identity
from .oauth import OAuthServer
from .registry import Call
from .resources import Resources
from .store import Store

FULL_ACCESS_PROFILE = "ocgate-full-access"


@dataclass(frozen=True)
class Bootstrap:
    """Who exists when the sandbox starts (taken from configuration)."""

    seller_id: str
    seller_name: str
    client_id: str
    client_secret: str | None
    admin_username: str
    admin_password: str


class Marketplace:
    def __init__(self, spec: Spec, bootstrap: Bootstrap) -> None:
        self.spec = spec
        self.bootstrap = bootstrap
        self.seller_id = bootstrap.seller_id
        self.store = Store()
        #: who is who: users, groups, roles, API clients
        self.directory = Directory(self.store, bootstrap.seller_id)
        self.resources = Resources(spec, self.store)
        self.clock_offset = 0.0
        self.tokens = OAuthServer(self.directory, self.clock)
        self._seed()

    # -- time ------------------------------------------------------------------------

    def clock(self) -> float:
        """Seconds since the epoch as the sandbox sees them (tests may move it forward)."""
        return time.time() + self.clock_offset

    @property
    def outbox(self) -> list[dict[str, Any]]:
        """Messages the marketplace "sent" (e.g. password reset codes); read them at GET /_sandbox/outbox."""
        return self.store.side.setdefault("outbox", [])

    # -- calling operations internally ---------------------------------------------------------

    def system_identity(self) -> Identity:
        return Identity("admin", "system", self.seller_id, "system", self.bootstrap.client_id, frozenset({"FullAccess"}), frozenset(), "system")

    def invoke(self, operation_id: str, params: dict[str, str] | None = None, body: Any = None, identity: Identity | None = None) -> Any:
        """Run an operation through the same code path as an HTTP request (used for seeding)."""
        call = Call(self.spec.operation(operation_id), params or {}, {}, body, identity or self.system_identity(), self)
        return self.resources.handle(call)

    def _seed(self) -> None:
        b = self.bootstrap
        self.invoke(
            "ApiClients.Create",
            body={
                "ID": b.client_id,
                "AppName": "ocgate default client",
                "Active": True,
                "AllowSeller": True,
                "AccessTokenDuration": 600,
                "RefreshTokenDuration": 0,
                "ClientSecret": b.client_secret,
            },
        )
        self.invoke(
            "SecurityProfiles.Create",
            body={"ID": FULL_ACCESS_PROFILE, "Name": "Full Access", "Roles": ["FullAccess"]},
        )
        self.invoke("SecurityProfiles.SaveAssignment", body={"SecurityProfileID": FULL_ACCESS_PROFILE})
        self.invoke(
            "AdminUsers.Create",
            body={
                "ID": "ocgate-admin",
                "Username": b.admin_username,
                "Password": b.admin_password,
                "FirstName": "Seller",
                "LastName": "Admin",
                "Email": "admin@example.com",
                "Active": True,
            },
        )
