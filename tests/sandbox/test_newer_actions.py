"""The newer actions of the current API (builtin:current): syncs, auto-applied promotions, the cart's
addresses, product collection invitations, unlocking users and group order tokens."""

from __future__ import annotations

import httpx
import pytest
from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)

from ocgate.config import Settings, load_settings
from ocgate.sandbox.server import EmbeddedSandbox

ADDRESS = {"Street1": "1 Main St", "City": "Minneapolis", "State": "MN", "Zip": "55401", "Country": "US"}


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(spec="builtin:current")


def test_a_sync_without_its_configuration_is_not_found_and_with_one_lands_in_the_outbox(sandbox: EmbeddedSandbox, shop: Shop) -> None:
    body = {"BuyerID": shop.buyer.buyer_id}
    assert error(shop.admin.post("/integrations/entitysync/buyers/sync", json=body), 404, "NotFound")
    delivery = ok(shop.admin.post("/integrations/deliveryconfig", json={"Name": "hook", "DeliveryTargets": {"Http": {"Endpoint": "https://hooks.example.com"}}}))
    ok(shop.admin.put("/integrations/entitysync/buyers", json={"DeliveryConfigID": delivery["ID"], "SyncEntityChanged": True, "SyncEntityDeleted": True}))
    assert shop.admin.post("/integrations/entitysync/buyers/sync", json=body).status_code == 204
    message = httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json()["Items"][-1]
    assert message["Namespace"] == "sitecore.ordercloud.messages.entitysync.buyer.full.updated" and message["Entity"]["ID"] == shop.buyer.buyer_id
    assert error(shop.admin.post("/integrations/entitysync/buyers/sync", json={"BuyerID": "no-such-buyer"}), 404, "NotFound")["ObjectType"] == "Buyer"


def test_validating_the_error_configuration_needs_one_naming_a_delivery_configuration(shop: Shop) -> None:
    assert shop.admin.post("/integrations/ErrorConfig/validate").status_code == 404
    ok(shop.admin.put("/integrations/ErrorConfig", json={"DeliveryConfigID": "no-such-delivery"}))
    assert error(shop.admin.post("/integrations/ErrorConfig/validate"), 404, "NotFound")["ObjectType"] == "DeliveryConfig"
    delivery = ok(shop.admin.post("/integrations/deliveryconfig", json={"Name": "errors", "DeliveryTargets": {"Http": {"Endpoint": "https://hooks.example.com"}}}))
    ok(shop.admin.put("/integrations/ErrorConfig", json={"DeliveryConfigID": delivery["ID"]}))
    assert shop.admin.post("/integrations/ErrorConfig/validate").status_code == 204


def test_applying_promotions_adds_every_applicable_one_and_refreshing_removes_expired_ones(shop: Shop) -> None:
    promotion = ok(shop.admin.post("/promotions", json={"Code": "AUTO10", "Name": "Ten off", "ValueExpression": "10", "EligibleExpression": "true", "AllowAllBuyers": True, "CanCombine": True}))
    order = shop.order_with((shop.product(breaks=((1, 50.0),)), 1))
    applied = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/applypromotions"))
    assert applied["PromotionDiscount"] == 10.0
    ok(shop.admin.patch(f"/promotions/{promotion['ID']}", json={"ExpirationDate": "2001-01-01T00:00:00+00:00", "StartDate": "2000-01-01T00:00:00+00:00"}))
    refreshed = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/refreshpromotions"))
    assert [p["ID"] for p in refreshed["PromosRemoved"]] == [promotion["ID"]] and refreshed["PromosAdded"] == []
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["PromotionDiscount"] == 0


def test_the_cart_sets_its_ship_to_and_bill_to_addresses(shop: Shop) -> None:
    shopper = shop.colleague().api
    assert error(shopper.put("/cart/shipto", json=ADDRESS), 404, "NotFound")["ObjectType"] == "Order"
    ok(shopper.post("/cart/lineitems", json={"ProductID": shop.product(), "Quantity": 1}))
    assert ok(shopper.put("/cart/billto", json=ADDRESS))["BillingAddress"]["City"] == "Minneapolis"
    ok(shopper.put("/cart/shipto", json=ADDRESS))
    assert all(line["ShippingAddress"]["Zip"] == "55401" for line in ok(shopper.get("/cart/lineitems"))["Items"])
    assert ok(shopper.post("/cart/calculate"))["Order"]["ID"] == ok(shopper.get("/cart"))["ID"]


def test_another_user_of_the_buyer_accepts_or_declines_a_collection_invitation(shop: Shop) -> None:
    owner, guest, third = shop.colleague().api, shop.colleague().api, shop.colleague().api
    collection = ok(owner.post("/me/productcollections", json={"Name": "Favourites"}))
    invitation = ok(owner.post(f"/me/productcollections/{collection['ID']}/invitations", json={"Name": "for a friend"}))
    assert guest.post(f"/me/productcollections/{collection['ID']}/invitations/accept/{invitation['ID']}").status_code == 204
    assert ok(owner.get(f"/me/productcollections/{collection['ID']}/invitations/{invitation['ID']}"))["Accepted"] is True
    assert third.post(f"/me/productcollections/{collection['ID']}/invitations/decline/{invitation['ID']}").status_code == 204
    assert owner.get(f"/me/productcollections/{collection['ID']}/invitations/{invitation['ID']}").status_code == 404
    assert third.post(f"/me/productcollections/{collection['ID']}/invitations/accept/{invitation['ID']}").status_code == 404


def test_adding_a_collection_entry_by_body_works_like_the_put(shop: Shop) -> None:
    owner = shop.colleague().api
    collection = ok(owner.post("/me/productcollections", json={"Name": "Wish list"}))
    product = shop.product()
    assert owner.post(f"/me/productcollections/{collection['ID']}/products", json={"ProductID": product}).status_code == 204
    assert [p["ID"] for p in ok(owner.get(f"/me/productcollections/{collection['ID']}/products"))["Items"]] == [product]


def test_unlocking_a_user_needs_the_user_to_exist(shop: Shop) -> None:
    assert shop.admin.post(f"/buyers/{shop.buyer.buyer_id}/users/{shop.buyer.user_id}/unlock").status_code == 204
    assert error(shop.admin.post(f"/buyers/{shop.buyer.buyer_id}/users/no-such-user/unlock"), 404, "NotFound")["ObjectType"] == "User"


def test_a_group_order_invitation_is_exchanged_for_a_token_while_its_order_is_open_to_changes(sandbox: EmbeddedSandbox, shop: Shop) -> None:
    order = shop.order()
    invitation = ok(shop.shopper.post("/me/orderinvitations", json={"Name": "lunch", "OrderID": order["ID"], "ExpirationDate": "2999-01-01T00:00:00+00:00"}))
    token = ok(shop.shopper.post(f"/grouporders/{invitation['ID']}/token"))
    with httpx.Client(base_url=f"{sandbox.base_url}/v1", headers={"Authorization": f"Bearer {token['access_token']}"}) as client:
        assert ok(client.get("/me"))["ID"] == shop.buyer.user_id
    assert error(shop.shopper.post("/grouporders/no-such-invitation/token"), 404, "NotFound")["ObjectType"] == "GroupOrderInvitation"
