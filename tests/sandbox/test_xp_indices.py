"""Xp indices: put by ThingType and Key, listed like any list, deleted by ThingType and Key."""

from __future__ import annotations

import httpx
from _sandbox_api import error_of


def test_xp_indices_are_put_listed_and_deleted(admin: httpx.Client) -> None:
    assert admin.put("/xpindices", json={"ThingType": "Order", "Key": "xp.Channel"}).status_code == 204
    assert admin.put("/xpindices", json={"ThingType": "Order", "Key": "xp.Channel"}).status_code == 204  # idempotent
    assert admin.put("/xpindices", json={"ThingType": "User", "Key": "xp.Region"}).status_code == 204
    listed = admin.get("/xpindices", params={"ThingType": "Order"}).json()
    assert listed["Items"] == [{"ThingType": "Order", "Key": "xp.Channel"}]
    assert admin.delete("/xpindices/Order/xp.Channel").status_code == 204
    assert admin.get("/xpindices").json()["Items"] == [{"ThingType": "User", "Key": "xp.Region"}]


def test_deleting_an_unknown_xp_index_is_404(admin: httpx.Client) -> None:
    response = admin.delete("/xpindices/Order/xp.Nothing")
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": "XpIndex", "ObjectID": "Order/xp.Nothing"}


def test_an_xp_index_needs_a_known_thing_type_and_a_key(admin: httpx.Client) -> None:
    assert error_of(admin.put("/xpindices", json={"ThingType": "Spaceship", "Key": "xp.A"}))["ErrorCode"] == "ValidationFailure"
    assert error_of(admin.put("/xpindices", json={"ThingType": "Order"}))["Data"] == {"Property": "Key"}
