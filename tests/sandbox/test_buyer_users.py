"""Buyer users across buyers: GET /buyerusers, and moving a user to another buyer."""

from __future__ import annotations

import httpx
import pytest
from _sandbox_api import BUYER_PASSWORD, BuyerPersona, created, error_of, token_request

from ocgate.sandbox.server import EmbeddedSandbox


@pytest.fixture(scope="module")
def new_buyer(admin: httpx.Client):
    def make() -> str:
        return created(admin.post("/buyers", json={"Name": "Destination", "Active": True}))["ID"]

    return make


def move(admin: httpx.Client, persona: BuyerPersona, new_buyer: str, orders: str = "All") -> httpx.Response:
    return admin.post(f"/buyers/{persona.buyer_id}/users/{persona.user_id}/moveto/{new_buyer}", params={"orders": orders})


def test_buyer_users_lists_the_users_of_every_buyer(admin: httpx.Client, buyer_user) -> None:
    first, second = buyer_user(), buyer_user()
    listed = admin.get("/buyerusers", params={"pageSize": 100}).json()["Items"]
    assert {(first.user_id, first.buyer_id), (second.user_id, second.buyer_id)} <= {(user["ID"], user["CompanyID"]) for user in listed}
    filtered = admin.get("/buyerusers", params={"Username": first.username}).json()
    assert [user["ID"] for user in filtered["Items"]] == [first.user_id]
    assert filtered["Items"][0]["AvailableRoles"]


def test_moving_a_user_keeps_id_username_and_password_and_answers_201(sandbox: EmbeddedSandbox, admin: httpx.Client, buyer_user, new_buyer) -> None:
    persona, destination = buyer_user(), new_buyer()
    response = move(admin, persona, destination)
    assert response.status_code == 201
    assert (response.json()["ID"], response.json()["CompanyID"]) == (persona.user_id, destination)
    assert admin.get(f"/buyers/{persona.buyer_id}/users/{persona.user_id}").status_code == 404
    assert admin.get(f"/buyers/{destination}/users/{persona.user_id}").json()["Username"] == persona.username
    login = token_request(sandbox.base_url, grant_type="password", client_id=persona.client_id, username=persona.username, password=BUYER_PASSWORD)
    assert login.status_code == 200


def test_a_moved_users_old_tokens_stop_working(admin: httpx.Client, buyer_user, new_buyer) -> None:
    persona = buyer_user()
    assert move(admin, persona, new_buyer()).status_code == 201
    assert persona.api.get("/me").status_code == 401


def test_what_the_user_had_in_the_old_buyer_stays_behind(admin: httpx.Client, buyer_user, new_buyer) -> None:
    persona = buyer_user()
    group = created(admin.post(f"/buyers/{persona.buyer_id}/usergroups", json={"Name": "Team"}))["ID"]
    assert admin.post(f"/buyers/{persona.buyer_id}/usergroups/assignments", json={"UserGroupID": group, "UserID": persona.user_id}).status_code == 204
    destination = new_buyer()
    moved = move(admin, persona, destination).json()
    assert moved["AvailableRoles"] == []  # the persona's security profile was assigned to it in the old buyer
    assert admin.get(f"/buyers/{persona.buyer_id}/usergroups/assignments", params={"userID": persona.user_id}).json()["Items"] == []


def test_moving_to_a_buyer_that_has_that_user_id_is_409(admin: httpx.Client, buyer_user) -> None:
    persona = buyer_user()
    destination = created(admin.post("/buyers", json={"Name": "Taken", "Active": True}))["ID"]
    user = {"ID": persona.user_id, "Username": f"other-{persona.user_id}", "FirstName": "O", "LastName": "U", "Email": "o@example.com", "Active": True}
    created(admin.post(f"/buyers/{destination}/users", json=user))
    response = move(admin, persona, destination)
    assert response.status_code == 409
    assert error_of(response)["ErrorCode"] == "IdExists"


def test_moving_needs_a_valid_orders_option_and_existing_buyers(admin: httpx.Client, buyer_user, new_buyer) -> None:
    persona = buyer_user()
    assert error_of(move(admin, persona, new_buyer(), orders="Some"))["ErrorCode"] == "InvalidRequest"
    assert error_of(move(admin, persona, "no-such-buyer"))["Data"] == {"ObjectType": "Buyer", "ObjectID": "no-such-buyer"}


def test_the_default_context_user_of_a_client_cannot_move(admin: httpx.Client, buyer_user, new_buyer) -> None:
    persona = buyer_user()
    created(admin.post("/apiclients", json={"AppName": "anon", "Active": True, "AccessTokenDuration": 60, "DefaultContextUserName": persona.username}))
    response = move(admin, persona, new_buyer())
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "User.CannotMoveDefaultContextUser"


@pytest.mark.parametrize(("option", "follows"), [("None", False), ("Unsubmitted", True), ("All", True)])
def test_the_orders_option_decides_whether_unsubmitted_orders_follow(admin: httpx.Client, buyer_user, new_buyer, option: str, follows: bool) -> None:
    persona = buyer_user()
    order = created(persona.api.post("/orders/Outgoing", json={}))
    destination = new_buyer()
    assert move(admin, persona, destination, orders=option).status_code == 201
    company = admin.get(f"/orders/Incoming/{order['ID']}").json()["FromCompanyID"]
    assert company == (destination if follows else persona.buyer_id)
