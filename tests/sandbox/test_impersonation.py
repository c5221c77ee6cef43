"""Impersonation (BEHAVIOUR.md §1.2): POST /buyers/{buyerID}/users/{userID}/accesstoken, governed by ImpersonationConfigs."""

from __future__ import annotations

import httpx
import jwt
import pytest
from _sandbox_api import BuyerPersona, api_client, created, error_of

from ocgate.sandbox.server import EmbeddedSandbox


@pytest.fixture(scope="module")
def target(buyer_user) -> BuyerPersona:
    return buyer_user()


@pytest.fixture(scope="module")
def profile(admin: httpx.Client) -> str:
    return created(admin.post("/securityprofiles", json={"Name": "Impersonation", "Roles": ["Shopper", "MeAdmin"], "CustomRoles": ["CallCenter"]}))["ID"]


def config(admin: httpx.Client, profile: str, client_id: str, **fields: str) -> str:
    return created(admin.post("/impersonationconfig", json={"SecurityProfileID": profile, "ClientID": client_id, **fields}))["ID"]


def impersonate(api: httpx.Client, persona: BuyerPersona, **request: object) -> httpx.Response:
    body = {"ClientID": persona.client_id, "Roles": ["Shopper", "MeAdmin"], **request}
    return api.post(f"/buyers/{persona.buyer_id}/users/{persona.user_id}/accesstoken", json=body)


def test_without_an_impersonation_config_there_is_no_token(admin: httpx.Client, target: BuyerPersona) -> None:
    response = impersonate(admin, target)
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "Impersonation.ConfigError"


def test_an_impersonation_token_acts_as_the_user_with_the_configs_roles(sandbox: EmbeddedSandbox, admin: httpx.Client, target: BuyerPersona, profile: str) -> None:
    config_id = config(admin, profile, target.client_id, BuyerID=target.buyer_id)
    response = impersonate(admin, target, Roles=["Shopper", "MeAdmin", "OrderAdmin"], CustomRoles=["CallCenter"])
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["refresh_token"] is None
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert (claims["usr"], claims["u"], claims["imp"], claims["cid"]) == (target.username, target.user_id, "ocgate-admin", target.client_id)
    assert sorted(claims["role"]) == ["MeAdmin", "Shopper"]  # OrderAdmin is not in the config's profile
    assert claims["custom_role"] == ["CallCenter"]
    with api_client(sandbox.base_url, body["access_token"]) as acting:
        assert acting.get("/me").json()["ID"] == target.user_id
    assert admin.delete(f"/impersonationconfig/{config_id}").status_code == 204


def test_requested_roles_narrow_the_token(admin: httpx.Client, target: BuyerPersona, profile: str) -> None:
    config_id = config(admin, profile, target.client_id, BuyerID=target.buyer_id)
    token = impersonate(admin, target, Roles=["Shopper"]).json()["access_token"]
    assert jwt.decode(token, options={"verify_signature": False})["role"] == "Shopper"
    admin.delete(f"/impersonationconfig/{config_id}")


def test_a_config_for_another_client_or_user_does_not_apply(admin: httpx.Client, target: BuyerPersona, profile: str) -> None:
    other_client = created(admin.post("/apiclients", json={"AppName": "other", "Active": True, "AccessTokenDuration": 60, "AllowAnyBuyer": True}))["ID"]
    ids = [config(admin, profile, other_client, BuyerID=target.buyer_id), config(admin, profile, target.client_id, BuyerID=target.buyer_id, UserID="someone-else")]
    assert error_of(impersonate(admin, target))["ErrorCode"] == "Impersonation.ConfigError"
    for config_id in ids:
        admin.delete(f"/impersonationconfig/{config_id}")


def test_an_unknown_client_or_user_is_refused(admin: httpx.Client, target: BuyerPersona) -> None:
    assert error_of(impersonate(admin, target, ClientID="no-such-client"))["ErrorCode"] == "Impersonation.ClientIDNotFound"
    missing = admin.post(f"/buyers/{target.buyer_id}/users/no-such-user/accesstoken", json={"ClientID": target.client_id, "Roles": ["Shopper"]})
    assert missing.status_code == 404


def test_buyer_users_impersonate_only_within_their_own_buyer(admin: httpx.Client, buyer_user, profile: str) -> None:
    agent = buyer_user(roles=("BuyerImpersonation", "Shopper"))
    colleague = buyer_user(buyer_id=agent.buyer_id)
    stranger = buyer_user()
    config(admin, profile, agent.client_id, ImpersonationBuyerID=agent.buyer_id, BuyerID=agent.buyer_id)
    config(admin, profile, agent.client_id, ImpersonationBuyerID=agent.buyer_id, BuyerID=stranger.buyer_id)
    assert impersonate(agent.api, colleague).status_code == 200
    # Another buyer's user does not exist for a buyer user, whatever the configs say (rules/company_scope.py).
    assert impersonate(agent.api, stranger).status_code == 404


def test_impersonating_needs_the_buyer_impersonation_role(buyer_user, target: BuyerPersona) -> None:
    shopper = buyer_user(buyer_id=target.buyer_id)
    response = impersonate(shopper.api, target)
    assert response.status_code == 403
    assert error_of(response)["Data"]["SufficientRoles"] == ["FullAccess", "BuyerImpersonation"]
