"""Roles (BEHAVIOUR.md §6): security profile assignments give users AvailableRoles; every operation enforces its roles."""

from __future__ import annotations

import httpx
import pytest
from _sandbox_api import BUYER_PASSWORD, api_client, created, error_of, password_token

from ocgate.config import Settings
from ocgate.sandbox.server import EmbeddedSandbox


@pytest.fixture(scope="module")
def buyer(admin: httpx.Client) -> str:
    return created(admin.post("/buyers", json={"Name": "Roles Buyer", "Active": True}))["ID"]


@pytest.fixture(scope="module")
def storefront(admin: httpx.Client) -> str:
    return created(admin.post("/apiclients", json={"AppName": "storefront", "Active": True, "AccessTokenDuration": 60, "AllowAnyBuyer": True}))["ID"]


def profile(admin: httpx.Client, *roles: str, custom: tuple[str, ...] = ()) -> str:
    return created(admin.post("/securityprofiles", json={"Name": "+".join(roles), "Roles": list(roles), "CustomRoles": list(custom)}))["ID"]


def assign(admin: httpx.Client, profile_id: str, **level: str) -> None:
    response = admin.post("/securityprofiles/assignments", json={"SecurityProfileID": profile_id, **level})
    assert response.status_code == 204, response.text


def new_user(admin: httpx.Client, buyer: str, name: str) -> str:
    user = {"ID": name, "Username": name, "Password": BUYER_PASSWORD, "FirstName": "R", "LastName": "U", "Email": f"{name}@example.com", "Active": True}
    return created(admin.post(f"/buyers/{buyer}/users", json=user))["ID"]


def available_roles(admin: httpx.Client, buyer: str, user: str) -> set[str]:
    return set(admin.get(f"/buyers/{buyer}/users/{user}").json()["AvailableRoles"])


# -- where roles come from -----------------------------------------------------------------------


def test_the_fresh_marketplace_gives_its_seller_admin_full_access(admin: httpx.Client) -> None:
    assert admin.get("/me").json()["AvailableRoles"] == ["FullAccess"]
    assert admin.get("/adminusers/ocgate-admin").json()["AvailableRoles"] == ["FullAccess"]


def test_a_buyer_level_assignment_gives_roles_to_every_user_of_that_buyer_only(admin: httpx.Client, buyer: str) -> None:
    other_buyer = created(admin.post("/buyers", json={"Name": "Other", "Active": True}))["ID"]
    first, second, stranger = new_user(admin, buyer, "bl-1"), new_user(admin, buyer, "bl-2"), new_user(admin, other_buyer, "bl-3")
    assign(admin, profile(admin, "Shopper"), BuyerID=buyer)
    assert "Shopper" in available_roles(admin, buyer, first)
    assert "Shopper" in available_roles(admin, buyer, second)
    assert available_roles(admin, other_buyer, stranger) == set()


def test_a_group_level_assignment_gives_roles_to_the_group_members_only(admin: httpx.Client, buyer: str) -> None:
    member, outsider = new_user(admin, buyer, "gl-1"), new_user(admin, buyer, "gl-2")
    group = created(admin.post(f"/buyers/{buyer}/usergroups", json={"Name": "Approvers"}))["ID"]
    assert admin.post(f"/buyers/{buyer}/usergroups/assignments", json={"UserGroupID": group, "UserID": member}).status_code == 204
    assign(admin, profile(admin, "OrderAdmin"), BuyerID=buyer, UserGroupID=group)
    assert "OrderAdmin" in available_roles(admin, buyer, member)
    assert "OrderAdmin" not in available_roles(admin, buyer, outsider)


def test_a_user_level_assignment_gives_roles_to_that_user_only(admin: httpx.Client, buyer: str) -> None:
    chosen, other = new_user(admin, buyer, "ul-1"), new_user(admin, buyer, "ul-2")
    assign(admin, profile(admin, "AddressReader"), BuyerID=buyer, UserID=chosen)
    assert "AddressReader" in available_roles(admin, buyer, chosen)
    assert "AddressReader" not in available_roles(admin, buyer, other)


def test_a_supplier_level_assignment_gives_roles_to_that_suppliers_users(admin: httpx.Client) -> None:
    supplier = created(admin.post("/suppliers", json={"Name": "Roles Supplier", "Active": True}))["ID"]
    user = {"ID": "su-1", "Username": "su-1", "Password": BUYER_PASSWORD, "FirstName": "S", "LastName": "U", "Email": "su@example.com", "Active": True}
    created(admin.post(f"/suppliers/{supplier}/users", json=user))
    assign(admin, profile(admin, "OrderReader"), SupplierID=supplier)
    assert admin.get(f"/suppliers/{supplier}/users/su-1").json()["AvailableRoles"] == ["OrderReader"]


def test_a_marketplace_level_assignment_applies_to_seller_users_not_buyer_users(admin: httpx.Client, buyer: str) -> None:
    buyer_user = new_user(admin, buyer, "ml-1")
    assign(admin, profile(admin, "WebhookReader"))
    assert "WebhookReader" in admin.get("/adminusers/ocgate-admin").json()["AvailableRoles"]
    assert "WebhookReader" not in available_roles(admin, buyer, buyer_user)


def test_available_roles_are_the_union_of_every_assigned_profile(sandbox: EmbeddedSandbox, admin: httpx.Client, buyer: str, storefront: str) -> None:
    user = new_user(admin, buyer, "union-1")
    assign(admin, profile(admin, "MeAdmin", "MeXpAdmin"), BuyerID=buyer, UserID=user)
    assign(admin, profile(admin, "MeAdmin", "MeAddressAdmin"), BuyerID=buyer, UserID=user)
    expected = {"MeAdmin", "MeXpAdmin", "MeAddressAdmin"}
    assert expected <= available_roles(admin, buyer, user)
    token = password_token(sandbox.base_url, storefront, user, BUYER_PASSWORD, "MeAdmin MeXpAdmin MeAddressAdmin")
    with api_client(sandbox.base_url, token) as me:
        assert expected <= set(me.get("/me").json()["AvailableRoles"])


# -- enforcement ------------------------------------------------------------------------------------------


def test_no_token_or_a_garbage_token_is_401(sandbox: EmbeddedSandbox) -> None:
    without = httpx.get(f"{sandbox.base_url}/v1/products")
    garbage = httpx.get(f"{sandbox.base_url}/v1/products", headers={"Authorization": "Bearer not.a.jwt"})
    assert without.status_code == garbage.status_code == 401
    assert error_of(without)["ErrorCode"] == "InvalidToken"


def test_a_token_without_a_sufficient_role_is_403_listing_the_roles(sandbox: EmbeddedSandbox, buyer_user) -> None:
    persona = buyer_user(roles=("Shopper", "MeAdmin"))
    response = persona.api.post("/products", json={"Name": "Not allowed"})
    assert response.status_code == 403
    error = error_of(response)
    assert error["ErrorCode"] == "InsufficientRoles"
    assert error["Data"] == {"SufficientRoles": ["FullAccess", "ProductAdmin"], "AssignedRoles": ["MeAdmin", "Shopper"]}


def test_any_one_listed_role_suffices_and_a_reader_role_only_reads(sandbox: EmbeddedSandbox, admin: httpx.Client, settings: Settings) -> None:
    reader = {"ID": "reader", "Username": "reader", "Password": "Reader-Pass-2026", "FirstName": "R", "LastName": "O", "Email": "r@example.com", "Active": True}
    created(admin.post("/adminusers", json=reader))
    assign(admin, profile(admin, "ProductReader"), UserID="reader")
    token = password_token(sandbox.base_url, settings.client_id, "reader", "Reader-Pass-2026", "ProductReader")
    with api_client(sandbox.base_url, token) as api:
        assert api.get("/products").status_code == 200
        assert api.post("/products", json={"Name": "Nope"}).status_code == 403


def test_full_access_covers_every_operation(admin: httpx.Client) -> None:
    assert admin.post("/products", json={"Name": "Allowed"}).status_code == 201
    assert admin.get("/webhooks").status_code == 200
    assert admin.get("/xpindices").status_code == 200


def test_the_token_holds_the_roles_it_was_granted_not_the_users_later_roles(sandbox: EmbeddedSandbox, admin: httpx.Client, buyer: str, storefront: str) -> None:
    user = new_user(admin, buyer, "later-1")
    token = password_token(sandbox.base_url, storefront, user, BUYER_PASSWORD, "MeAdmin ProductReader")
    assign(admin, profile(admin, "ProductReader"), BuyerID=buyer, UserID=user)
    with api_client(sandbox.base_url, token) as api:
        assert api.get("/products").status_code == 403
    fresh = password_token(sandbox.base_url, storefront, user, BUYER_PASSWORD, "MeAdmin ProductReader")
    with api_client(sandbox.base_url, fresh) as api:
        assert api.get("/products").status_code == 200


def test_custom_roles_grant_no_api_access(sandbox: EmbeddedSandbox, admin: httpx.Client, buyer: str, storefront: str) -> None:
    user = new_user(admin, buyer, "custom-1")
    assign(admin, profile(admin, "MeAdmin", custom=("ProductAdmin-ish",)), BuyerID=buyer, UserID=user)
    token = password_token(sandbox.base_url, storefront, user, BUYER_PASSWORD, "MeAdmin ProductAdmin-ish")
    with api_client(sandbox.base_url, token) as api:
        assert api.get("/products").status_code == 403


def test_buyer_only_me_routes_refuse_seller_users_whatever_their_roles(admin: httpx.Client) -> None:
    assert admin.get("/me").status_code == 200  # every user type has a profile
    response = admin.get("/me/addresses")
    assert response.status_code == 403
    assert error_of(response)["ErrorCode"] == "Auth.UserNotAuthorizedToAdmin"
    assert admin.get("/me/usergroups").status_code == 403


def test_buyer_users_reach_the_buyer_only_me_routes(buyer_user) -> None:
    persona = buyer_user()
    assert persona.api.get("/me/addresses").status_code == 200
