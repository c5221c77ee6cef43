"""A buyer user reaches only its own buyer's objects, whatever its roles (rules/company_scope.py).

Roles open operations; they never open another company: a buyer user holding BuyerUserAdmin
(and the other buyer-side admin roles) that names another buyer in the path or in a body's
BuyerID gets 404, as if that buyer did not exist; its own buyer answers as before.
"""

from __future__ import annotations

import httpx
from _sandbox_api import BuyerUsers, error_of

ADMIN_ROLES = ("BuyerUserAdmin", "AddressAdmin", "UserGroupAdmin", "BuyerAdmin", "SecurityProfileAdmin")


def test_a_buyer_admin_reads_and_changes_only_its_own_buyer(buyer_user: BuyerUsers, admin: httpx.Client) -> None:
    victim = buyer_user()
    intruder = buyer_user(roles=ADMIN_ROLES)
    assert intruder.api.get(f"/buyers/{intruder.buyer_id}/users").status_code == 200
    for response in (
        intruder.api.get(f"/buyers/{victim.buyer_id}"),
        intruder.api.get(f"/buyers/{victim.buyer_id}/users/{victim.user_id}"),
        intruder.api.patch(f"/buyers/{victim.buyer_id}/users/{victim.user_id}", json={"FirstName": "Mallory"}),
        intruder.api.post(f"/buyers/{victim.buyer_id}/users", json={"Username": "mallory-x", "FirstName": "M", "LastName": "X", "Email": "m@example.com", "Active": True}),
    ):
        assert response.status_code == 404, response.text
        assert error_of(response)["Data"] == {"ObjectType": "Buyer", "ObjectID": victim.buyer_id}
    assert admin.get(f"/buyers/{victim.buyer_id}/users/{victim.user_id}").json()["FirstName"] != "Mallory"


def test_a_body_naming_another_buyer_is_refused_too(buyer_user: BuyerUsers) -> None:
    victim = buyer_user()
    intruder = buyer_user(roles=ADMIN_ROLES)
    assignment = {"SecurityProfileID": "any", "BuyerID": victim.buyer_id, "UserID": victim.user_id}
    response = intruder.api.post("/securityprofiles/assignments", json=assignment)
    assert response.status_code == 404 and error_of(response)["Data"]["ObjectID"] == victim.buyer_id


def test_the_seller_still_reaches_every_buyer(buyer_user: BuyerUsers, admin: httpx.Client) -> None:
    victim = buyer_user()
    assert admin.get(f"/buyers/{victim.buyer_id}/users/{victim.user_id}").status_code == 200
