"""Talking to a running sandbox over HTTP: tokens, /v1 clients, and a buyer user persona set up as a seller would.

Test modules import these helpers (`from _sandbox_api import ...`); the fixtures that use them
live in conftest.py.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx

#: What a shopper needs on the buyer side (the buyer_shopper persona's scope in ocgate.toml).
SHOPPER_ROLES = ("Shopper", "MeAdmin", "MeAddressAdmin", "MeCreditCardAdmin", "MeXpAdmin", "PasswordReset")
BUYER_PASSWORD = "Buyer-Password-2026"


def token_request(base_url: str, **form: str | None) -> httpx.Response:
    """POST /oauth/token with a form (the raw answer, for tests of the token endpoint itself)."""
    return httpx.post(f"{base_url}/oauth/token", data={key: value for key, value in form.items() if value is not None})


def password_token(base_url: str, client_id: str, username: str, password: str, scope: str) -> str:
    """An access token from the password grant (fails the test with the sandbox's answer otherwise)."""
    response = token_request(base_url, grant_type="password", client_id=client_id, username=username, password=password, scope=scope)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def api_client(base_url: str, token: str) -> httpx.Client:
    """An httpx client for /v1 that sends the bearer token."""
    return httpx.Client(base_url=f"{base_url}/v1", headers={"Authorization": f"Bearer {token}"})


def created(response: httpx.Response) -> dict:
    """The body of a successful write, failing the test with the sandbox's answer otherwise."""
    assert response.status_code in (200, 201), f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    return response.json()


def error_of(response: httpx.Response) -> dict:
    """The first error of an OrderCloud error body, after checking the body has the standard shape."""
    body = response.json()
    assert set(body) >= {"Errors"} and body["Errors"], body
    assert set(body["Errors"][0]) == {"ErrorCode", "Message", "Data"}, body
    return body["Errors"][0]


@dataclass
class BuyerPersona:
    """A buyer user set up through the API, with a token and a /v1 client of its own."""

    buyer_id: str
    user_id: str
    username: str
    password: str
    client_id: str
    token: str
    api: httpx.Client


class BuyerUsers:
    """Creates buyer user personas the way a seller admin would, through the public API.

    One API client open to any buyer serves every persona; each persona gets its own
    security profile holding the roles asked for, assigned to that user only.
    """

    def __init__(self, base_url: str, admin: httpx.Client) -> None:
        self.base_url = base_url
        self.admin = admin
        self.counter = itertools.count(1)
        self.clients: list[httpx.Client] = []
        self.client_id = created(admin.post("/apiclients", json={"AppName": "buyer app", "Active": True, "AllowAnyBuyer": True, "AccessTokenDuration": 600}))["ID"]

    def __call__(self, roles: tuple[str, ...] = SHOPPER_ROLES, buyer_id: str | None = None) -> BuyerPersona:
        n = next(self.counter)
        if buyer_id is None:
            buyer_id = created(self.admin.post("/buyers", json={"Name": f"Buyer {n}", "Active": True}))["ID"]
        username = f"{buyer_id}-shopper-{n}"
        user = {"Username": username, "Password": BUYER_PASSWORD, "FirstName": "Bea", "LastName": f"Buyer {n}", "Email": f"{username}@example.com", "Active": True}
        user_id = created(self.admin.post(f"/buyers/{buyer_id}/users", json=user))["ID"]
        profile = created(self.admin.post("/securityprofiles", json={"Name": f"{username} roles", "Roles": list(roles)}))
        assignment = {"SecurityProfileID": profile["ID"], "BuyerID": buyer_id, "UserID": user_id}
        assert self.admin.post("/securityprofiles/assignments", json=assignment).status_code == 204
        token = password_token(self.base_url, self.client_id, username, BUYER_PASSWORD, " ".join(roles))
        client = api_client(self.base_url, token)
        self.clients.append(client)
        return BuyerPersona(buyer_id, user_id, username, BUYER_PASSWORD, self.client_id, token, client)

    def close(self) -> None:
        for client in self.clients:
            client.close()
