"""Who is who in one marketplace: users and their logins, user groups, roles, API clients.

Users, groups, security profiles, their assignments and API clients are stored objects like
any other; this module answers the questions about them that the token endpoint (oauth.py)
and the handlers both ask, so neither asks the marketplace: whose username and password is
this, is the user active, which groups is it in, which roles does it hold, may it log in
through that API client. Logins (username -> password hash) are kept beside the objects, in
`store.side["credentials"]`, and maintained by the user hooks (handlers/users.py).

Facts followed (BEHAVIOUR.md §1 and §6): usernames are unique across the marketplace, case
insensitive; a user's roles are the union of the security profiles assigned to it, to one of
its groups, or to its company; an inactive user, or a user of an inactive company, cannot log
in; a buyer (supplier) user logs in only through an API client that allows any buyer
(supplier) or is assigned to its company, a seller user only through one with AllowSeller.
Passwords follow OrderCloud's default policy: at least 10 characters with a digit, an upper
and a lower case letter (Auth.InsecurePassword).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import bad_request, forbidden
from .models import parse_time
from .store import utc_now

if TYPE_CHECKING:
    from .store import Scope, Store

#: user type -> (users collection, user groups collection, group membership collection, company field)
USER_KINDS: dict[str, tuple[str, str, str, str | None]] = {
    "admin": ("/adminusers", "/usergroups", "/usergroups/assignments", None),
    "buyer": ("/buyers/{buyerID}/users", "/buyers/{buyerID}/usergroups", "/buyers/{buyerID}/usergroups/assignments", "BuyerID"),
    "supplier": (
        "/suppliers/{supplierID}/users",
        "/suppliers/{supplierID}/usergroups",
        "/suppliers/{supplierID}/usergroups/assignments",
        "SupplierID",
    ),
}
API_CLIENTS = "/apiclients"
API_CLIENT_ASSIGNMENTS = "/apiclients/assignments"
API_CLIENT_SECRETS = "/apiclients/{apiClientID}/secrets"
PASSWORD_RULES = {"MinimumCharacterCount": 10, "UpperCaseRequired": True, "LowerCaseRequired": True, "NumericRequired": True}


@dataclass(frozen=True)
class Identity:
    """Who is calling, as the verified access token says."""

    user_type: str  # admin | buyer | supplier
    user_id: str
    company_id: str  # the seller ID for admin users
    username: str
    client_id: str
    roles: frozenset[str]
    custom_roles: frozenset[str]
    token_id: str
    #: Set for anonymous shoppers only: what tells one anonymous session from another (the `orderid` claim).
    anonymous_id: str | None = None
    #: Set on impersonation tokens: the user ID of the impersonator (the `imp` claim).
    impersonator_id: str | None = None

    @property
    def scope(self) -> tuple[str, ...]:
        """Scope values of this user's company collections, e.g. ("BUYER1",) for a buyer user."""
        return () if self.user_type == "admin" else (self.company_id,)

    def has_any(self, roles: tuple[str, ...]) -> bool:
        return not roles or "FullAccess" in self.roles or bool(self.roles.intersection(roles))


def refuse_anonymous(identity: Identity) -> None:
    """Anonymous shoppers share their API client's default context user: they may not change it."""
    if identity.anonymous_id is not None:
        raise forbidden("Auth.AnonUserProhibited", "Anonymous users cannot change the user profile; register first.")


# -- passwords ------------------------------------------------------------------------------------


def check_password(password: str) -> None:
    """OrderCloud's default password policy: at least 10 characters, a digit, an upper and a lower case letter."""
    if len(password) < 10 or not re.search(r"\d", password) or not re.search(r"[A-Z]", password) or not re.search(r"[a-z]", password):
        raise bad_request(
            "Auth.InsecurePassword",
            "Password does not meet security requirements: at least 10 characters with a digit, an upper and a lower case letter.",
            PASSWORD_RULES,
        )


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return salt + "$" + hashlib.sha256((salt + password).encode()).hexdigest()


def password_matches(password: str, stored: str) -> bool:
    salt = stored.split("$", 1)[0]
    return hmac.compare_digest(hash_password(password, salt), stored)


# -- the directory ------------------------------------------------------------------------------------


class Directory:
    """Users, groups, roles and API clients of one marketplace, read from its store."""

    def __init__(self, store: Store, seller_id: str) -> None:
        self.store = store
        self.seller_id = seller_id

    @property
    def credentials(self) -> dict[str, dict[str, Any]]:
        """username (lower case) -> {type, company, id, username, hash}; kept by the user hooks."""
        return self.store.side.setdefault("credentials", {})

    def set_password(self, credential: dict[str, Any], password: str) -> None:
        """Give a user (a credentials entry) a new password, after checking the password rules."""
        check_password(password)
        credential["hash"] = hash_password(password)
        user = self.user_object(credential["type"], credential["company"], credential["id"])
        if user is not None:
            user["PasswordLastSetDate"] = utc_now()

    # -- users and groups ------------------------------------------------------------------------

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

    def members_of(self, user_type: str, company: str | None, group_id: str) -> list[tuple[Scope, dict[str, Any]]]:
        """The users in a group, each with the scope of its users collection."""
        users_template, _, memberships, _ = USER_KINDS[user_type]
        scope = () if company is None else (company,)
        user_ids = [row["UserID"] for row in self.store.collection(memberships, scope).values() if row.get("UserGroupID") == group_id]
        return [(scope, user) for user_id in user_ids if (user := self.store.get(users_template, scope, user_id)) is not None]

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

    # -- API clients --------------------------------------------------------------------------------

    def api_client(self, client_id: str | None) -> dict[str, Any] | None:
        """The stored API client, or None (no ID, or no such client)."""
        return self.store.get(API_CLIENTS, (), client_id) if client_id else None

    def api_clients(self) -> list[dict[str, Any]]:
        return list(self.store.view(API_CLIENTS).values())

    def client_allows(self, client: dict[str, Any], user: dict[str, Any]) -> bool:
        """Whether a user (a credentials entry) may log in through an API client."""
        kind = user["type"]
        if kind == "admin":
            return bool(client.get("AllowSeller"))
        if client.get("AllowAnyBuyer" if kind == "buyer" else "AllowAnySupplier"):
            return True
        field = "BuyerID" if kind == "buyer" else "SupplierID"
        rows = self.store.view(API_CLIENT_ASSIGNMENTS).values()
        return any(row.get("ApiClientID") == client["ID"] and row.get(field) == user["company"] for row in rows)

    def forgotten_credentials_client(self, client_id: str | None) -> dict[str, Any]:
        """The active API client a forgotten-credentials request names; 400 PasswordReset.MissingOrInvalidClientID otherwise."""
        client = self.api_client(client_id)
        if client is None or not client.get("Active"):
            raise bad_request("PasswordReset.MissingOrInvalidClientID", "ClientID is missing or invalid.", {"ClientID": client_id})
        return client

    def accounts_reached(self, client: dict[str, Any], email: str = "", username: str = "") -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(credential, user) of the active users with that e-mail and/or username (case insensitive; an
        empty one matches any) who may log in through the client: whom a forgotten-credentials message goes to."""
        email, username = email.lower(), username.lower()
        found = []
        for credential in list(self.credentials.values()):
            user = self.user_object(credential["type"], credential["company"], credential["id"]) or {}
            if email and (user.get("Email") or "").lower() != email:
                continue
            if username and credential["username"].lower() != username:
                continue
            if self.client_allows(client, credential) and self.user_active(credential):
                found.append((credential, user))
        return found

    # -- one-time passwords (ordercloud.io knowledge base "One-Time Passwords", May 2025) ----------------

    def issue_one_time_password(self, credential: dict[str, Any], client_id: str, expires: float) -> str:
        """A new one-time password for a user through a client: valid until `expires`, for one login."""
        code = secrets.token_urlsafe(9)
        self.store.side.setdefault("one_time_passwords", {}).setdefault(credential["username"].lower(), []).append(
            {"hash": hash_password(code), "client_id": client_id, "expires": expires}
        )
        return code

    def use_one_time_password(self, credential: dict[str, Any], given: str, now: float) -> bool:
        """Whether `given` is an unexpired one-time password of the user; a match is used up. (The grant
        still checks that the client it comes through allows the user.)"""
        issued = self.store.side.get("one_time_passwords", {}).get(credential["username"].lower(), [])
        issued[:] = [entry for entry in issued if entry["expires"] > now]
        for entry in issued:
            if password_matches(given, entry["hash"]):
                issued.remove(entry)
                return True
        return False

    # -- API client secrets (ApiClients.CreateSecret; BEHAVIOUR.md §1.2 "client_secret") ------------------

    def add_client_secret(self, client_id: str, secret_id: str) -> str:
        """A new secret value for an ApiClientSecret object (stored at API_CLIENT_SECRETS); kept hashed."""
        value = secrets.token_urlsafe(32)
        self.store.side.setdefault("api_client_secrets", {})[(client_id, secret_id)] = hash_password(value)
        return value

    def requires_secret(self, client: dict[str, Any]) -> bool:
        """A client with a ClientSecret, or with any ApiClientSecret (expired ones too), wants a secret on every grant."""
        return bool(client.get("ClientSecret")) or bool(self.store.view(API_CLIENT_SECRETS, (client["ID"],)))

    def secret_accepted(self, client: dict[str, Any], given: str, now: float) -> bool:
        """Whether `given` is the client's ClientSecret or the value of one of its ApiClientSecrets not expired at `now`."""
        if client.get("ClientSecret") and hmac.compare_digest(client["ClientSecret"], given):
            return True
        hashes = self.store.side.get("api_client_secrets", {})
        for secret_id, secret in self.store.view(API_CLIENT_SECRETS, (client["ID"],)).items():
            expiration = parse_time(secret.get("Expiration"))
            stored = hashes.get((client["ID"], secret_id))
            if stored and (expiration is None or expiration.timestamp() > now) and password_matches(given, stored):
                return True
        return False

