"""Addresses on orders and line items: bill-to, ship-to and ship-from (BEHAVIOUR.md §4.1 step 6)."""

from __future__ import annotations

import pytest
from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)

HOME = {"Street1": "1 Main St", "City": "Springfield", "State": "IL", "Zip": "62701", "Country": "US"}


@pytest.fixture(scope="module")
def saved(shop: Shop) -> str:
    """A saved address of the buyer."""
    return ok(shop.admin.post(f"/buyers/{shop.buyer.buyer_id}/addresses", json={"ID": "hq", "AddressName": "HQ", **HOME}))["ID"]


def lines(shop: Shop, order: dict) -> list[dict]:
    return ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"]


def test_an_order_ship_to_reaches_every_line_even_later_ones(shop: Shop) -> None:
    product = shop.product()
    order = shop.order_with((product, 1))
    shipped = ok(shop.shopper.put(f"/orders/Outgoing/{order['ID']}/shipto", json=HOME))
    assert shipped["ShippingAddressID"] is None
    shop.line(order["ID"], product, 2)
    assert [line["ShippingAddress"]["City"] for line in lines(shop, order)] == ["Springfield", "Springfield"]
    ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/shipto", json={"City": "Shelbyville"}))
    assert {line["ShippingAddress"]["City"] for line in lines(shop, order)} == {"Shelbyville"}


def test_a_one_time_address_must_be_complete(shop: Shop) -> None:
    order = shop.order()
    error(shop.shopper.put(f"/orders/Outgoing/{order['ID']}/shipto", json={"Street1": "1 Main St", "City": "Springfield"}), 400, "ValidationFailure")
    error(shop.shopper.put(f"/orders/Outgoing/{order['ID']}/billto", json={**HOME, "Country": "USA"}), 400, "ValidationFailure")


def test_a_one_time_address_ignores_the_read_only_values_sent_with_it(shop: Shop) -> None:
    order = shop.order()
    billed = ok(shop.shopper.put(f"/orders/Outgoing/{order['ID']}/billto", json={**HOME, "DateCreated": {"not": "a date"}}))
    assert billed["BillingAddress"]["DateCreated"] is None
    assert billed["BillingAddress"]["City"] == "Springfield"


def test_patching_a_ship_to_needs_one_set_by_value(shop: Shop, saved: str) -> None:
    product = shop.product()
    order = shop.order_with((product, 1))
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/shipto", json={"City": "X"}), 400, "ShippingAddress.CannotModifyNotFound")
    by_id = ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}", json={"ShippingAddressID": saved}))
    assert by_id["ShippingAddressID"] == saved
    assert [(line["ShippingAddressID"], line["ShippingAddress"]["AddressName"]) for line in lines(shop, order)] == [(saved, "HQ")]
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/shipto", json={"City": "X"}), 400, "ShippingAddress.CannotPatchSetByID")
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}", json={"ShippingAddressID": "nowhere"}), 404, "NotFound")


def test_bill_to_by_id_or_by_value(shop: Shop, saved: str) -> None:
    order = shop.order()
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/billto", json={"City": "X"}), 400, "BillingAddress.CannotModifyNotFound")
    billed = ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}", json={"BillingAddressID": saved}))
    assert billed["BillingAddress"]["AddressName"] == "HQ"
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/billto", json={"City": "X"}), 400, "BillingAddress.CannotPatchSetByID")
    by_value = ok(shop.shopper.put(f"/orders/Outgoing/{order['ID']}/billto", json=HOME))
    assert (by_value["BillingAddressID"], by_value["BillingAddress"]["City"]) == (None, "Springfield")
    assert ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/billto", json={"Zip": "62702"}))["BillingAddress"]["Zip"] == "62702"


def test_lines_ship_to_their_own_addresses(shop: Shop, saved: str) -> None:
    product = shop.product()
    order = shop.order()
    first = shop.line(order["ID"], product, 1, ShippingAddressID=saved)
    second = shop.line(order["ID"], product, 1)
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["ShippingAddressID"] is None
    path = f"/orders/Outgoing/{order['ID']}/lineitems/{second['ID']}/shipto"
    error(shop.shopper.patch(path, json={"City": "X"}), 400, "LineItem.CannotPatchShippingAddressIfMissing")
    assert ok(shop.shopper.put(path, json=HOME))["ShippingAddress"]["City"] == "Springfield"
    assert ok(shop.shopper.patch(path, json={"City": "Capital City"}))["ShippingAddress"]["City"] == "Capital City"
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/lineitems/{first['ID']}/shipto", json={"City": "X"}), 400, "ShippingAddress.CannotPatchSetByID")


def test_lines_ship_from_the_products_address(shop: Shop) -> None:
    warehouse = ok(shop.admin.post("/addresses", json={"AddressName": "Warehouse", **HOME}))
    product = shop.product(ShipFromAddressID=warehouse["ID"])
    order = shop.order()
    line = shop.line(order["ID"], product, 1)
    assert (line["ShipFromAddressID"], line["ShipFromAddress"]["AddressName"]) == (warehouse["ID"], "Warehouse")
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product, "ShipFromAddressID": "nowhere"}), 404, "NotFound")
