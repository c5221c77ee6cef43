"""Anonymous shoppers register: PUT /me/register turns an anonymous session into a profiled buyer user."""

from __future__ import annotations

import httpx
import jwt
import pytest
from _sandbox_api import BuyerPersona, api_client, created, error_of, token_request

from ocgate.sandbox.server import EmbeddedSandbox

PROFILE = {"Username": "new-shopper", "Password": "Registered-Pass-1", "FirstName": "New", "LastName": "Shopper", "Email": "new@example.com", "Active": True}


@pytest.fixture(scope="module")
def template_user(buyer_user) -> BuyerPersona:
    """The anonymous client's default context user; its buyer holds a Shopper profile for every user."""
    return buyer_user()


@pytest.fixture(scope="module")
def anonymous_client(admin: httpx.Client, template_user: BuyerPersona) -> str:
    profile = created(admin.post("/securityprofiles", json={"Name": "Shoppers", "Roles": ["Shopper", "MeAdmin"]}))["ID"]
    assert admin.post("/securityprofiles/assignments", json={"SecurityProfileID": profile, "BuyerID": template_user.buyer_id}).status_code == 204
    client = {"AppName": "anonymous storefront", "Active": True, "AccessTokenDuration": 60, "IsAnonBuyer": True, "AllowAnyBuyer": True, "DefaultContextUserName": template_user.username}
    return created(admin.post("/apiclients", json=client))["ID"]


def anonymous_token(sandbox: EmbeddedSandbox, client_id: str) -> str:
    response = token_request(sandbox.base_url, grant_type="client_credentials", client_id=client_id, scope="Shopper MeAdmin")
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_registering_creates_the_user_in_the_anonymous_buyer_and_answers_its_token(
    sandbox: EmbeddedSandbox, admin: httpx.Client, anonymous_client: str, template_user: BuyerPersona
) -> None:
    token = anonymous_token(sandbox, anonymous_client)
    with api_client(sandbox.base_url, token) as anonymous:
        response = anonymous.put("/me/register", params={"anonUserToken": token}, json=PROFILE)
    assert response.status_code == 200
    new_token = response.json()["access_token"]
    claims = jwt.decode(new_token, options={"verify_signature": False})
    assert (claims["usr"], claims["cid"], claims.get("orderid")) == ("new-shopper", anonymous_client, None)
    assert sorted(claims["role"]) == ["MeAdmin", "Shopper"]
    with api_client(sandbox.base_url, new_token) as registered:
        me = registered.get("/me").json()
    assert (me["Username"], me["CompanyID"]) == ("new-shopper", template_user.buyer_id)
    login = token_request(sandbox.base_url, grant_type="password", client_id=template_user.client_id, username="new-shopper", password="Registered-Pass-1")
    assert login.status_code == 200


def test_registering_needs_an_anonymous_token(sandbox: EmbeddedSandbox, template_user: BuyerPersona) -> None:
    response = template_user.api.put("/me/register", params={"anonUserToken": template_user.token}, json={**PROFILE, "Username": "not-temp"})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "User.IsNotTemp"


def test_registering_follows_the_username_and_password_rules(sandbox: EmbeddedSandbox, anonymous_client: str, template_user: BuyerPersona) -> None:
    token = anonymous_token(sandbox, anonymous_client)
    with api_client(sandbox.base_url, token) as anonymous:
        taken = anonymous.put("/me/register", params={"anonUserToken": token}, json={**PROFILE, "Username": template_user.username})
        weak = anonymous.put("/me/register", params={"anonUserToken": token}, json={**PROFILE, "Username": "weakling", "Password": "weak"})
    assert error_of(taken)["ErrorCode"] == "User.UsernameMustBeUnique"
    assert error_of(weak)["ErrorCode"] == "Auth.InsecurePassword"


def test_anonymous_shoppers_cannot_change_the_shared_profile(sandbox: EmbeddedSandbox, anonymous_client: str) -> None:
    with api_client(sandbox.base_url, anonymous_token(sandbox, anonymous_client)) as anonymous:
        response = anonymous.patch("/me", json={"FirstName": "Hijacked"})
    assert response.status_code == 403
    assert error_of(response)["ErrorCode"] == "Auth.AnonUserProhibited"


def test_the_anonymous_shoppers_order_passes_to_the_registered_user(sandbox: EmbeddedSandbox, admin: httpx.Client, anonymous_client: str) -> None:
    token = anonymous_token(sandbox, anonymous_client)
    with api_client(sandbox.base_url, token) as anonymous:
        order = created(anonymous.post("/orders/Outgoing", json={}))
        registered = anonymous.put("/me/register", params={"anonUserToken": token}, json={**PROFILE, "Username": "cart-keeper"})
    assert registered.status_code == 200, registered.text
    new_user = jwt.decode(registered.json()["access_token"], options={"verify_signature": False})["u"]
    assert admin.get(f"/orders/Incoming/{order['ID']}").json()["FromUserID"] == new_user
