"""OAuth2 for the embedded sandbox: the token endpoint, RS256 JWTs, scopes, revocation.

`OAuthServer` issues access tokens (POST /oauth/token, impersonation) and verifies the bearer
token of every API request. Who the users are, their passwords, roles and API clients, it asks
the directory (directory.py); it never calls back into the marketplace. (Not to be confused with
ocgate.auth, the harness's client side that *asks* a target for tokens.)

Facts followed (BEHAVIOUR.md §1 and §6): form-encoded POST /oauth/token at the
host root; grants password, client_credentials (as the client's
DefaultContextUserName) and refresh_token; a client secret, once set, is
required on every grant; granted roles = requested scope ∩ AvailableRoles
(asking for more is not an error); errors carry both the OAuth2
`error`/`error_description` and OrderCloud's `Errors` array and never tell a
wrong username from a wrong password.

Anonymous shopping: a client_credentials grant through an API client with
IsAnonBuyer acts as its DefaultContextUserName, lasts one week, has no refresh
token, and carries an `orderid` claim (the form's `anonuserid`, or a new ID)
that tells one anonymous shopper from another; handlers see it as
`Identity.anonymous_id`.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from .directory import Directory, Identity, password_matches
from .errors import ApiError, forbidden, unauthorized
from .store import new_id

if TYPE_CHECKING:
    from ..spec import Operation

ISSUER = "https://auth.ordercloud.io"
AUDIENCE = "https://api.ordercloud.io"
#: "Anonymous tokens have a fixed duration of 1 week" (BEHAVIOUR.md §1.3).
ANONYMOUS_TOKEN_SECONDS = 7 * 24 * 3600

class OAuthError(ApiError):
    """An error of the token endpoint: OAuth2 fields plus OrderCloud's Errors array."""

    def __init__(self, status: int, error: str, code: str, message: str, data: Any = None) -> None:
        super().__init__(status, code, message, data)
        self.error = error

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.message, **super().body()}


def _invalid_grant() -> OAuthError:
    # One answer for unknown user, wrong password, inactive user or a client not open to this user:
    # OrderCloud does not differentiate, to avoid user enumeration.
    return OAuthError(
        400,
        "invalid_grant",
        "InvalidCredentials",
        "The provided credentials do not match any account on record for the provided client.",
    )


class OAuthServer:
    """Issues and verifies access tokens for one marketplace's directory, by its clock (seconds since the epoch)."""

    def __init__(self, directory: Directory, clock: Callable[[], float]) -> None:
        self.directory = directory
        self.clock = clock
        self.key_id = secrets.token_urlsafe(12)
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        #: Guards the token bookkeeping below, which lives beside the store, not in it: bearer tokens are
        #: verified before a request takes the store lock.
        self._lock = threading.Lock()
        self._verified: dict[str, tuple[Identity, int]] = {}
        self._issued_by_user: dict[str, set[str]] = {}
        self._revoked: set[str] = set()
        self._refresh: dict[str, dict[str, Any]] = {}

    # -- the public key -----------------------------------------------------------

    def public_jwk(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self._private_key.public_key(), as_dict=True)
        return {"kty": jwk["kty"], "n": jwk["n"], "e": jwk["e"], "alg": "RS256", "use": "sig", "kid": self.key_id}

    # -- the token endpoint -------------------------------------------------------------

    def grant(self, form: dict[str, str]) -> dict[str, Any]:
        """Answer one POST /oauth/token (form already parsed)."""
        grant_type = form.get("grant_type", "")
        client = self._client(form.get("client_id", ""))
        self._check_secret(client, form.get("client_secret"))
        anonymous_id = None
        if grant_type == "password":
            if not form.get("username") or not form.get("password"):
                raise OAuthError(400, "invalid_request", "Auth.UsernameAndPasswordRequired", "username and password are required for the password grant.")
            user = self._authenticate(form["username"], form["password"])
            requested = form.get("scope")
        elif grant_type == "client_credentials":
            if not client.get("DefaultContextUserName"):
                raise OAuthError(400, "invalid_grant", "InvalidGrant", "Default context user required for client credentials grant.")
            user = self.directory.credentials.get(client["DefaultContextUserName"].lower())
            if user is None:
                raise _invalid_grant()
            requested = form.get("scope")
            if client.get("IsAnonBuyer"):
                anonymous_id = form.get("anonuserid") or new_id()
        elif grant_type == "refresh_token":
            session = self._refresh.get(form.get("refresh_token", ""))
            if session is None or session["client_id"] != client["ID"] or session["expires"] < self.clock():
                raise OAuthError(400, "invalid_grant", "InvalidGrant", "The refresh token is invalid, expired or was issued to another client.")
            user = self.directory.credentials.get(session["username"].lower())
            if user is None:
                raise _invalid_grant()
            requested = form.get("scope") or session["scope"]
        else:
            raise OAuthError(400, "unsupported_grant_type", "Auth.OauthError", "grant_type must be password, client_credentials or refresh_token.")
        if not self.directory.client_allows(client, user):
            # "Wrong user type for the ApiClient ... → 401 Unauthorized" (BEHAVIOUR.md §1.4)
            raise OAuthError(401, "invalid_grant", "InvalidGrant", "The requested API Client does not exist or is not available for the username provided.")
        if not self.directory.user_active(user):
            raise _invalid_grant()
        return self._issue(client, user, requested, anonymous_id)

    def _client(self, client_id: str) -> dict[str, Any]:
        client = self.directory.api_client(client_id)
        if client is None or not client.get("Active"):
            raise OAuthError(
                400,
                "invalid_grant",
                "InvalidGrant",
                "The requested API Client does not exist or is not available for the username provided.",
            )
        return client

    def _check_secret(self, client: dict[str, Any], given: str | None) -> None:
        # The ClientSecret, or any unexpired secret of ApiClients.CreateSecret (directory.secret_accepted).
        if self.directory.requires_secret(client) and not (given and self.directory.secret_accepted(client, given, self.clock())):
            raise OAuthError(401, "invalid_client", "InvalidGrant", "This API client requires its client_secret on every grant.")

    def _authenticate(self, username: str, password: str) -> dict[str, Any]:
        """The user whose password, or unexpired one-time password (used up by this login), this is."""
        user = self.directory.credentials.get(username.lower())
        if user is None or not (password_matches(password, user["hash"]) or self.directory.use_one_time_password(user, password, self.clock())):
            raise _invalid_grant()
        return user

    def _issue(self, client: dict[str, Any], user: dict[str, Any], requested: str | None, anonymous_id: str | None = None) -> dict[str, Any]:
        """A token for a login: requested scope ∩ the user's AvailableRoles (all of them without a scope)."""
        available, available_custom = self.directory.roles_of(user["type"], user["company"], user["id"])
        wanted = set(requested.split()) if requested else None
        roles = available if wanted is None else available & wanted
        custom = available_custom if wanted is None else available_custom & wanted
        if anonymous_id is not None:
            return self.issue(client, user, roles, custom, lifetime=ANONYMOUS_TOKEN_SECONDS, claims={"orderid": anonymous_id})
        response = self.issue(client, user, roles, custom)
        refresh_minutes = int(client.get("RefreshTokenDuration") or 0)
        if refresh_minutes > 0:
            refresh_token = secrets.token_urlsafe(24)
            self._refresh[refresh_token] = {
                "client_id": client["ID"],
                "username": user["username"],
                "scope": requested or "",
                "expires": self.clock() + refresh_minutes * 60,
                "user_key": self._user_key(user["type"], user["company"], user["id"]),
            }
            response["refresh_token"] = refresh_token
        return response

    def issue(
        self,
        client: dict[str, Any],
        user: dict[str, Any],
        roles: set[str],
        custom_roles: set[str],
        *,
        lifetime: int | None = None,
        claims: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Sign an access token for a user (a credentials entry) through a client; no refresh token."""
        now = int(self.clock())
        lifetime = lifetime or int(client.get("AccessTokenDuration") or 600) * 60
        token_id = secrets.token_urlsafe(12)
        ordered = sorted(roles)
        payload = {
            "usr": user["username"],
            "cid": client["ID"],
            "u": user["id"],
            "usrtype": user["type"],
            "role": ordered[0] if len(ordered) == 1 else ordered,  # one role is encoded as a string (JS SDK)
            "iss": ISSUER,
            "aud": AUDIENCE,
            "exp": now + lifetime,
            "nbf": now,
            "jti": token_id,
            **(claims or {}),
        }
        if custom_roles:
            payload["custom_role"] = sorted(custom_roles)
        token = jwt.encode(payload, self._private_key, algorithm="RS256", headers={"kid": self.key_id})
        with self._lock:
            self._issued_by_user.setdefault(self._user_key(user["type"], user["company"], user["id"]), set()).add(token_id)
        return {"access_token": token, "token_type": "bearer", "expires_in": lifetime}

    # -- verifying requests ------------------------------------------------------------------

    def authenticate(self, authorization: str | None) -> Identity:
        """The caller of an API request, or 401."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise unauthorized("InvalidToken", "No access token: send 'Authorization: Bearer <access_token>'.")
        token = authorization[7:].strip()
        cached = self._verified.get(token)
        if cached is None:
            try:
                claims = jwt.decode(
                    token,
                    self._private_key.public_key(),
                    algorithms=["RS256"],
                    audience=AUDIENCE,
                    issuer=ISSUER,
                    options={"verify_exp": False, "verify_nbf": False},
                )
            except jwt.PyJWTError:
                raise unauthorized() from None
            cached = (self._identity(claims), int(claims["exp"]))
            if len(self._verified) > 50_000:
                self._verified.clear()
            self._verified[token] = cached
        identity, expires = cached
        if expires <= self.clock():
            raise unauthorized()
        if identity.token_id in self._revoked:
            raise unauthorized("Auth.TokenRevoked", "The provided token has been revoked. Please re-authenticate.")
        if not self._still_valid(identity):
            raise unauthorized()
        return identity

    def _still_valid(self, identity: Identity) -> bool:
        """A token speaks for its user through its API client only while both still may log in: a
        deactivated (or deleted) user, a user of a deactivated company, or a deactivated (or deleted)
        API client makes every token issued before answer 401, as a login would be refused now."""
        company = None if identity.user_type == "admin" else identity.company_id
        if not self.directory.user_active({"type": identity.user_type, "company": company, "id": identity.user_id}):
            return False
        client = self.directory.api_client(identity.client_id)
        return client is not None and bool(client.get("Active"))

    def _identity(self, claims: dict[str, Any]) -> Identity:
        roles = claims.get("role") or []
        user = self.directory.credentials.get(str(claims["usr"]).lower()) or {}
        return Identity(
            user_type=claims["usrtype"],
            user_id=claims["u"],
            company_id=user.get("company") or self.directory.seller_id,
            username=claims["usr"],
            client_id=claims["cid"],
            roles=frozenset([roles] if isinstance(roles, str) else roles),
            custom_roles=frozenset(claims.get("custom_role", [])),
            token_id=claims["jti"],
            anonymous_id=claims.get("orderid"),
            impersonator_id=claims.get("imp"),
        )

    @staticmethod
    def authorize(identity: Identity, op: Operation) -> None:
        """403 InsufficientRoles unless the token holds one of the operation's roles."""
        if identity.has_any(op.roles):
            if op.buyer_users_only and identity.user_type != "buyer":
                raise forbidden(
                    "Auth.UserNotAuthorizedToAdmin",
                    f"{op.operation_id} is only available to buyer users.",
                    {"UserType": identity.user_type},
                )
            return
        raise forbidden(
            "InsufficientRoles",
            "User does not have role(s) required to perform this action.",
            {"SufficientRoles": list(op.roles), "AssignedRoles": sorted(identity.roles)},
        )

    # -- revocation ----------------------------------------------------------------------------

    @staticmethod
    def _user_key(user_type: str, company: str | None, user_id: str) -> str:
        return f"{user_type}:{company or ''}:{user_id}"

    def revoke_user(self, user_type: str, company: str | None, user_id: str) -> None:
        """Every token issued so far to this user answers 401 from now on (refresh tokens too)."""
        key = self._user_key(user_type, company, user_id)
        with self._lock:
            self._revoked.update(self._issued_by_user.pop(key, set()))
            for refresh_token in [t for t, s in self._refresh.items() if s["user_key"] == key]:
                del self._refresh[refresh_token]
