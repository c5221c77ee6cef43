"""OAuth2 tokens for personas, from the target's token endpoint.

One `TokenService` per run: it logs each persona in on first use (password or
client_credentials grant), caches the token, and gets a new one shortly before
it expires or when the API answered 401 — with the refresh token when the API
client issues them, by logging in again otherwise. Tokens always come from
the target's /oauth/token, never from the sandbox's internals, so the same
code runs against a real OrderCloud sandbox.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import httpx
import jwt

from ..config import Persona, Settings
from ..errors import CannotRun
from ..redact import secrets as known_secrets

#: Renew this many seconds before the token's exp, so no request races its expiry.
EXPIRY_MARGIN = 30


class AuthError(CannotRun):
    """A persona cannot log in; the message names the persona and what to check."""


@dataclass
class Token:
    access_token: str
    expires_at: float
    refresh_token: str | None
    roles: tuple[str, ...]

    def fresh(self) -> bool:
        return time.time() < self.expires_at - EXPIRY_MARGIN


@dataclass(frozen=True)
class Credentials:
    """What one login needs: persona settings resolved against the target's defaults."""

    client_id: str
    client_secret: str | None
    grant: str
    username: str | None
    password: str | None
    scope: tuple[str, ...]

    @classmethod
    def of(cls, persona: Persona, settings: Settings) -> Credentials:
        secret = persona.client_secret or settings.client_secret
        return cls(
            client_id=persona.client_id or settings.client_id,
            client_secret=secret.get_secret_value() if secret else None,
            grant=persona.grant,
            username=persona.username,
            password=persona.password.get_secret_value() if persona.password else None,
            scope=tuple(persona.scope),
        )


def decode_unverified(access_token: str) -> dict:
    """The JWT's claims without checking the signature: the API checks it, we only read exp and roles."""
    try:
        return jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return {}


class TokenService:
    def __init__(self, token_url: str, http: httpx.Client | None = None) -> None:
        self.token_url = token_url
        self._http = http or httpx.Client(timeout=30)
        self._credentials: dict[str, Credentials] = {}
        self._tokens: dict[str, Token] = {}
        # One lock per persona: a login waits one round trip, and workers logging in as
        # different personas should not wait for each other's (one persona logs in once).
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def register(self, name: str, credentials: Credentials) -> None:
        """Make a persona known (its password and secret are masked in every report from now on)."""
        known_secrets.register(*(value for value in (credentials.password, credentials.client_secret) if value))
        self._credentials[name] = credentials
        self._tokens.pop(name, None)

    def register_settings(self, settings: Settings) -> None:
        for name, persona in settings.personas.items():
            self.register(name, Credentials.of(persona, settings))

    def client_id(self, name: str) -> str:
        """The API client a persona logs in through."""
        return self._credentials[name].client_id

    def personas(self) -> list[str]:
        return sorted(self._credentials)

    def token(self, name: str) -> str:
        """A valid access token for the persona (cached, renewed near expiry)."""
        with self._lock_of(name):
            token = self._tokens.get(name)
            if token is None or not token.fresh():
                token = self._renew(name, token)
                self._tokens[name] = token
            return token.access_token

    def roles(self, name: str) -> tuple[str, ...]:
        self.token(name)
        return self._tokens[name].roles

    def invalidate(self, name: str) -> None:
        """Forget the cached token (e.g. after a 401), keeping its refresh token for the next login."""
        with self._lock_of(name):
            token = self._tokens.get(name)
            if token is not None:
                token.expires_at = 0

    def _lock_of(self, name: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(name, threading.Lock())

    def _renew(self, name: str, previous: Token | None) -> Token:
        if previous is not None and previous.refresh_token:
            try:
                return self._request(name, {"grant_type": "refresh_token", "refresh_token": previous.refresh_token})
            except AuthError:
                pass  # refresh token expired or revoked: log in again below
        credentials = self._require(name)
        if credentials.grant == "password":
            form = {"grant_type": "password", "username": credentials.username or "", "password": credentials.password or ""}
        else:
            form = {"grant_type": "client_credentials"}
        return self._request(name, form)

    def _require(self, name: str) -> Credentials:
        try:
            return self._credentials[name]
        except KeyError:
            raise AuthError(f"personas.{name}: unknown persona; add it to ocgate.toml") from None

    def _request(self, name: str, form: dict[str, str]) -> Token:
        credentials = self._require(name)
        form = {**form, "client_id": credentials.client_id}
        if credentials.scope:
            form["scope"] = " ".join(credentials.scope)
        if credentials.client_secret:
            form["client_secret"] = credentials.client_secret
        try:
            response = self._http.post(self.token_url, data=form)
        except httpx.HTTPError as exc:
            raise AuthError(f"cannot reach the token endpoint {self.token_url} ({exc.__class__.__name__}); check the target URL and that it is up") from None
        if response.status_code != 200:
            raise AuthError(
                f"personas.{name}: login refused by {self.token_url} ({response.status_code} {_oauth_error(response)}); "
                "check client_id, client_secret, username and password"
            )
        body = response.json()
        claims = decode_unverified(body["access_token"])
        roles = claims.get("role") or []
        return Token(
            access_token=body["access_token"],
            expires_at=float(claims.get("exp") or time.time() + float(body.get("expires_in", 600))),
            refresh_token=body.get("refresh_token"),
            roles=tuple([roles] if isinstance(roles, str) else roles),
        )


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    return str(body.get("error") or body.get("Errors", [{}])[0].get("ErrorCode") or response.reason_phrase)
