"""One embedded marketplace: its store, its spec-driven resources, its tokens and clock.

A fresh marketplace holds what a newly created real one does: the seller
organization, an API client that allows the seller, and a seller admin user
with a FullAccess security profile assigned marketplace-wide.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..spec import Spec
from .auth import USER_KINDS, Identity, TokenService
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
        self.resources = Resources(spec, self.store)
        self.clock_offset = 0.0
        self.tokens = TokenService(self)
        self._seed()

    # -- time ------------------------------------------------------------------------

    def clock(self) -> float:
        """Seconds since the epoch as the sandbox sees them (tests may move it forward)."""
        return time.time() + self.clock_offset

    # -- users and roles ----------------------------------------------------------------

    @property
    def credentials(self) -> dict[str, dict[str, Any]]:
        """username (lower case) -> {type, company, id, username, hash}; kept by the user hooks."""
        return self.store.side.setdefault("credentials", {})

    @property
    def outbox(self) -> list[dict[str, Any]]:
        """Messages the marketplace "sent" (e.g. password reset codes); read them at GET /_sandbox/outbox."""
        return self.store.side.setdefault("outbox", [])

    def user_object(self, user_type: str, company: str | None, user_id: str) -> dict[str, Any] | None:
        template = USER_KINDS[user_type][0]
        return self.store.get(template, () if user_type == "admin" else (company or "",), user_id)

    def user_active(self, credential: dict[str, Any]) -> bool:
        user = self.user_object(credential["type"], credential["company"], credential["id"])
        if user is None or not user.get("Active"):
            return False
        if credential["type"] == "admin":
            return True
        company = self.store.get("/buyers" if credential["type"] == "buyer" else "/suppliers", (), credential["company"])
        return bool(company and company.get("Active"))

    def groups_of(self, user_type: str, company: str | None, user_id: str) -> set[str]:
        _, _, memberships, _ = USER_KINDS[user_type]
        scope = () if user_type == "admin" else (company or "",)
        return {row["UserGroupID"] for row in self.store.collection(memberships, scope).values() if row.get("UserID") == user_id}

    def roles_of(self, user_type: str, company: str | None, user_id: str) -> tuple[set[str], set[str]]:
        """AvailableRoles and custom roles: the union over every security profile assigned to the user.

        An assignment applies to a user when its company part matches (none for seller users,
        BuyerID or SupplierID otherwise) and it names no user or group, or the user, or one of the
        user's groups.
        """
        company_field = USER_KINDS[user_type][3]
        groups = self.groups_of(user_type, company, user_id)
        roles: set[str] = set()
        custom: set[str] = set()
        for row in self.store.collection("/securityprofiles/assignments").values():
            own_company = row.get(company_field) == company if company_field else not (row.get("BuyerID") or row.get("SupplierID"))
            if not own_company:
                continue
            if row.get("UserID") and row["UserID"] != user_id:
                continue
            if row.get("UserGroupID") and row["UserGroupID"] not in groups:
                continue
            profile = self.store.get("/securityprofiles", (), row["SecurityProfileID"])
            if profile:
                roles.update(profile.get("Roles") or [])
                custom.update(profile.get("CustomRoles") or [])
        return roles, custom

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
