"""A token is honoured only while a login would still be granted (oauth.py `_still_valid`).

Deactivating a user or its buyer, or deactivating or deleting the API client a token was
issued through, makes the tokens issued before answer 401, like an expired or revoked one;
reactivating the user lets the same token work again (nothing was revoked).
"""

from __future__ import annotations

import httpx
from _sandbox_api import BuyerUsers, api_client, created, password_token


def me_status(base_url: str, token: str) -> int:
    with api_client(base_url, token) as client:
        return client.get("/me/addresses").status_code


def test_a_deactivated_user_or_buyer_makes_its_tokens_fail(buyer_user: BuyerUsers, admin: httpx.Client) -> None:
    user = buyer_user()
    base_url = buyer_user.base_url
    assert me_status(base_url, user.token) == 200
    admin.patch(f"/buyers/{user.buyer_id}/users/{user.user_id}", json={"Active": False})
    assert me_status(base_url, user.token) == 401
    admin.patch(f"/buyers/{user.buyer_id}/users/{user.user_id}", json={"Active": True})
    assert me_status(base_url, user.token) == 200
    admin.patch(f"/buyers/{user.buyer_id}", json={"Active": False})
    assert me_status(base_url, user.token) == 401


def test_a_deleted_or_deactivated_api_client_makes_its_tokens_fail(buyer_user: BuyerUsers, admin: httpx.Client) -> None:
    user = buyer_user()
    base_url = buyer_user.base_url
    for change in ("delete", "deactivate"):
        client_id = created(admin.post("/apiclients", json={"AppName": change, "Active": True, "AllowAnyBuyer": True, "AccessTokenDuration": 600}))["ID"]
        token = password_token(base_url, client_id, user.username, user.password, "Shopper")
        assert me_status(base_url, token) == 200
        response = admin.delete(f"/apiclients/{client_id}") if change == "delete" else admin.patch(f"/apiclients/{client_id}", json={"Active": False})
        assert response.is_success
        assert me_status(base_url, token) == 401, change
