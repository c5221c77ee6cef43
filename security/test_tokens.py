"""Tokens that must not open the API: expired, revoked, tampered, re-signed, a deactivated user's,
a deleted or deactivated API client's, and an anonymous shopper's on admin operations.

Every token is sent as it is (raw calls: the persona clients would quietly renew it) to a
role-protected operation its holder could otherwise call — for a tampered token, one that only
the role it claims would open. Expiry needs time to pass: the embedded sandbox's clock moves on
(POST /_sandbox/clock); a real OrderCloud cannot age a token on demand and that test is skipped
with the reason, as scenarios/test_token_lifecycle.py does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import allure
import jwt
import pytest
from checks import anonymous_token_cannot_reach_admin, revoked_refresh_token_is_refused, token_is_refused
from conftest import Raw
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, SeededMarketplace, SeededUser, Seeder
from ocgate.api.target import Target
from ocgate.security.findings import TOKEN_ENDPOINT, Findings
from ocgate.spec import Operation, Spec

pytestmark = [allure.epic("Security"), allure.feature("Tokens")]

TOKEN_MINUTES = 1  # the short-lived client's AccessTokenDuration
#: Roles a tampered token claims on top of its own.
CLAIMED_ROLE = "FullAccess"


def protected_read(spec: Spec, roles: set[str]) -> Operation:
    """A role-protected GET without path parameters that a holder of `roles` may call (first by path)."""
    ops = [op for op in spec.operations if op.method == "GET" and not op.path_params and op.roles and roles & set(op.roles)]
    return sorted(ops, key=lambda op: op.path)[0]


def admin_reads(spec: Spec, roles: set[str], count: int = 6) -> list[Operation]:
    """Role-protected GETs without path parameters that none of `roles` opens: one per resource, the first `count`."""
    chosen: dict[str, Operation] = {}
    for op in sorted(spec.operations, key=lambda op: op.path):
        if op.method == "GET" and not op.path_params and op.roles and not roles & set(op.roles) and not op.buyer_users_only:
            chosen.setdefault(op.resource, op)
    return list(chosen.values())[:count]


@pytest.fixture(scope="module")
def holder(new_user: Callable[..., SeededUser]) -> SeededUser:
    return new_user("token-holder")


@pytest.fixture(scope="module")
def shopper_read(spec: Spec, marketplace: SeededMarketplace) -> Operation:
    return protected_read(spec, set(marketplace.data.roles.shopper))


@pytest.fixture(scope="module")
def new_client(seeder: Seeder, seller: OrderCloudClient) -> Callable[..., str]:
    """`new_client(name, **fields)`: an active API client open to any buyer, removed after the run."""

    def make(name: str, **fields: Any) -> str:
        app = {"AppName": f"{seeder.run_id} {name}", "Active": True, "AllowAnyBuyer": True, "AccessTokenDuration": 600, **fields}
        return seeder.create("/apiclients", app, client=seller)["ID"]

    return make


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tampered_tokens(token: str, public_pem: bytes | None) -> dict[str, str]:
    """The holder's token, changed the ways an attacker would: a role added, re-signed with another
    key, `alg: none`, and HS256 keyed with the public key (algorithm confusion)."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    roles = claims.get("role") or []
    claims["role"] = sorted({*([roles] if isinstance(roles, str) else roles), CLAIMED_ROLE})
    head, _, signature = token.split(".")
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unsigned_header = _b64(json.dumps({**header, "alg": "none"}).encode())
    tokens = {
        "a role added to the payload": f"{head}.{payload}.{signature}",
        "signed with another key": jwt.encode(claims, other_key, algorithm="RS256", headers={k: v for k, v in header.items() if k not in ("alg", "typ")}),
        "alg none": f"{unsigned_header}.{payload}.",
    }
    if public_pem is not None:
        hs_header = _b64(json.dumps({**header, "alg": "HS256"}).encode())
        signed = hmac.new(public_pem, f"{hs_header}.{payload}".encode(), hashlib.sha256).digest()
        tokens["HS256 keyed with the public key"] = f"{hs_header}.{payload}.{_b64(signed)}"
    return tokens


def public_key_pem(raw: Raw, token: str) -> bytes | None:
    """The target's public key (GET /oauth/certs/{kid}) as PEM, or None when the target does not serve it."""
    kid = jwt.get_unverified_header(token).get("kid")
    if not kid:
        return None
    response = raw.call("GET", f"/oauth/certs/{kid}", token, "the holder's token")
    if response.status_code != 200:
        return None
    key = jwt.algorithms.RSAAlgorithm.from_jwk(response.json())
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[union-attr]


@allure.story("Tampering")
def test_a_tampered_or_resigned_token_is_refused(raw: Raw, login: Callable[..., dict[str, Any]], holder: SeededUser, spec: Spec, marketplace: SeededMarketplace) -> None:
    token = login(holder)["access_token"]
    op = admin_reads(spec, set(marketplace.data.roles.shopper), 1)[0]  # only the claimed FullAccess would open it
    found = Findings()
    for how, forged in tampered_tokens(token, public_key_pem(raw, token)).items():
        response = raw.call("GET", op.path, forged, f"a token with {how}")
        found.check(lambda response=response, how=how: token_is_refused(response, op.operation_id, f"a token with {how}"))
    found.raise_any()


@allure.story("Revocation")
def test_revoked_tokens_and_their_refresh_token_are_refused(raw: Raw, login: Callable[..., dict[str, Any]], holder: SeededUser, shopper_read: Operation, marketplace: SeededMarketplace) -> None:
    granted = login(holder)
    assert granted.get("refresh_token"), "the storefront client issues refresh tokens (data/marketplace.toml refresh_token_minutes)"
    assert raw.call("DELETE", "/me/tokens", granted["access_token"], "the holder's token").status_code == 204
    found = Findings()
    after = raw.call("GET", shopper_read.path, granted["access_token"], "the revoked token")
    found.check(lambda: token_is_refused(after, shopper_read.operation_id, "a revoked token"))
    refreshed = raw.token(grant_type="refresh_token", client_id=marketplace.storefront_client_id, refresh_token=granted["refresh_token"])
    found.check(lambda: revoked_refresh_token_is_refused(refreshed, TOKEN_ENDPOINT))
    found.raise_any()


@allure.story("Expiry")
def test_an_expired_token_is_refused(raw: Raw, target: Target, login: Callable[..., dict[str, Any]], holder: SeededUser, new_client: Callable[..., str], shopper_read: Operation) -> None:
    if raw.http.get(f"{target.base_url}/_sandbox/health").status_code != 200:
        pytest.skip("token expiry needs the embedded sandbox's clock; a real OrderCloud cannot age a token on demand")
    client_id = new_client("short-lived tokens", AccessTokenDuration=TOKEN_MINUTES)
    token = login(holder, client_id)["access_token"]
    assert raw.call("GET", shopper_read.path, token, "a fresh token").status_code == 200
    with allure.step(f"The sandbox clock moves {TOKEN_MINUTES * 60 + 1} s on"):
        assert raw.http.post(f"{target.base_url}/_sandbox/clock", json={"seconds": TOKEN_MINUTES * 60 + 1}).status_code == 200
    token_is_refused(raw.call("GET", shopper_read.path, token, "the expired token"), shopper_read.operation_id, "an expired token")


@allure.story("Deactivation")
def test_a_deactivated_users_token_is_refused(
    raw: Raw, login: Callable[..., dict[str, Any]], new_user: Callable[..., SeededUser], seller: OrderCloudClient, buyer_a: SeededBuyer, shopper_read: Operation
) -> None:
    user = new_user("deactivated")
    token = login(user)["access_token"]
    assert raw.call("GET", shopper_read.path, token, "the user's token").status_code == 200
    seller.ok("PATCH", f"/buyers/{buyer_a.id}/users/{user.user_id}", {"Active": False})
    token_is_refused(raw.call("GET", shopper_read.path, token, "the token of a since deactivated user"), shopper_read.operation_id, "a deactivated user's token")


@allure.story("Deactivation")
def test_a_deleted_or_deactivated_api_clients_token_is_refused(
    raw: Raw, login: Callable[..., dict[str, Any]], holder: SeededUser, new_client: Callable[..., str], seller: OrderCloudClient, shopper_read: Operation
) -> None:
    found = Findings()
    for change, how in (("DELETE", "deleted"), ("PATCH", "deactivated")):
        client_id = new_client(f"to be {how}")
        token = login(holder, client_id)["access_token"]
        assert raw.call("GET", shopper_read.path, token, "a token of the client").status_code == 200
        response = seller.delete(f"/apiclients/{client_id}") if change == "DELETE" else seller.patch(f"/apiclients/{client_id}", {"Active": False})
        assert response.is_success, f"the seller could not {change} its API client: {response.status_code}"
        after = raw.call("GET", shopper_read.path, token, f"a token of the {how} client")
        found.check(lambda after=after, how=how: token_is_refused(after, shopper_read.operation_id, f"a token of a {how} API client"))
    found.raise_any()


@allure.story("Anonymous shoppers")
def test_an_anonymous_shoppers_token_cannot_reach_admin_operations(
    raw: Raw, new_user: Callable[..., SeededUser], new_client: Callable[..., str], marketplace: SeededMarketplace, spec: Spec
) -> None:
    context = new_user("anonymous-context")
    client_id = new_client("anonymous shopping", IsAnonBuyer=True, DefaultContextUserName=context.username)
    granted = raw.token(grant_type="client_credentials", client_id=client_id, scope=" ".join(marketplace.data.roles.shopper))
    assert granted.status_code == 200, f"an anonymous shopper could not get a token: {granted.status_code} {granted.text[:200]}"
    found = Findings()
    for op in admin_reads(spec, set(marketplace.data.roles.shopper)):
        response = raw.call("GET", op.path, granted.json()["access_token"], "an anonymous shopper's token")
        found.check(lambda response=response, op=op: anonymous_token_cannot_reach_admin(response, op.operation_id))
    found.raise_any()
