"""Bundles on the current API (builtin:current): a bundle's products are added as one group of lines and removed together."""

from __future__ import annotations

import httpx
import pytest
from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)

from ocgate.config import Settings, load_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(spec="builtin:current")


@pytest.fixture(scope="module")
def bundle(shop: Shop) -> dict:
    """A bundle of two required products (one with a default quantity of 2) and an optional one."""
    first, second, optional = shop.product(breaks=((1, 5.0),)), shop.product(breaks=((1, 3.0),)), shop.product()
    made = ok(shop.admin.post("/bundles", json={"Name": "Starter kit", "Active": True}))
    for product_id, required, quantity in ((first, True, None), (second, True, 2), (optional, False, None)):
        assignment = {"BundleID": made["ID"], "ProductID": product_id, "Required": required, "DefaultQuantity": quantity}
        assert shop.admin.post("/bundles/productassignments", json=assignment).status_code == 204
    return {"ID": made["ID"], "first": first, "second": second, "optional": optional}


def lines(api: httpx.Client, order_id: str) -> dict[str, int]:
    return {line["ProductID"]: line["Quantity"] for line in ok(api.get(f"/orders/Outgoing/{order_id}/lineitems"))["Items"]}


def test_adding_a_bundle_adds_a_line_per_required_product_with_its_default_quantity(shop: Shop, bundle: dict) -> None:
    order = shop.order()
    first = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/bundles/{bundle['ID']}", json={}))
    assert lines(shop.shopper, order["ID"]) == {bundle["first"]: 1, bundle["second"]: 2}
    assert first["ProductID"] in (bundle["first"], bundle["second"])
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["Subtotal"] == 5.0 + 2 * 3.0


def test_the_body_names_optional_products_and_quantities(shop: Shop, bundle: dict) -> None:
    order = shop.order()
    body = {"LineItems": [{"ProductID": bundle["optional"], "Quantity": 3}, {"ProductID": bundle["second"], "Quantity": 1}]}
    ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/bundles/{bundle['ID']}", json=body))
    assert lines(shop.shopper, order["ID"]) == {bundle["first"]: 1, bundle["second"]: 1, bundle["optional"]: 3}


def test_deleting_the_bundle_item_removes_its_lines_together_and_leaves_the_others(shop: Shop, bundle: dict) -> None:
    other = shop.product()
    order = shop.order()
    shop.line(order["ID"], other)
    first = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/bundles/{bundle['ID']}", json={}))
    assert shop.shopper.delete(f"/orders/Outgoing/{order['ID']}/bundles/{bundle['ID']}/{first['ID']}").status_code == 204
    assert lines(shop.shopper, order["ID"]) == {other: 1}
    again = shop.shopper.delete(f"/orders/Outgoing/{order['ID']}/bundles/{bundle['ID']}/{first['ID']}")
    assert error(again, 404, "NotFound")["ObjectType"] == "BundleItem"


def test_a_product_outside_the_bundle_is_refused_and_nothing_is_added(shop: Shop, bundle: dict) -> None:
    order = shop.order()
    body = {"LineItems": [{"ProductID": shop.product(), "Quantity": 1}]}
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/bundles/{bundle['ID']}", json=body), 400, "Bundle.ProductNotInBundle")
    assert lines(shop.shopper, order["ID"]) == {}


def test_a_refused_line_undoes_the_whole_bundle(shop: Shop) -> None:
    stocked = shop.product()
    short = shop.product(Inventory={"Enabled": True, "QuantityAvailable": 1})
    made = ok(shop.admin.post("/bundles", json={"Name": "Short kit", "Active": True}))
    for product_id in (stocked, short):
        shop.admin.post("/bundles/productassignments", json={"BundleID": made["ID"], "ProductID": product_id, "Required": True, "DefaultQuantity": 2})
    order = shop.order()
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/bundles/{made['ID']}", json={}), 400, "Inventory.Insufficient")
    assert lines(shop.shopper, order["ID"]) == {}


def test_an_unknown_or_inactive_bundle_is_not_found(shop: Shop) -> None:
    order = shop.order()
    inactive = ok(shop.admin.post("/bundles", json={"Name": "Retired", "Active": False}))
    for bundle_id in ("no-such-bundle", inactive["ID"]):
        assert error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/bundles/{bundle_id}", json={}), 404, "NotFound")["ObjectType"] == "Bundle"


def test_the_cart_takes_a_bundle_and_creates_itself_for_it(shop: Shop, bundle: dict) -> None:
    shopper = shop.colleague().api
    first = ok(shopper.post(f"/cart/bundles/{bundle['ID']}", json={}))
    assert {line["ProductID"] for line in ok(shopper.get("/cart/lineitems"))["Items"]} == {bundle["first"], bundle["second"]}
    assert shopper.delete(f"/cart/bundles/{bundle['ID']}/{first['ID']}").status_code == 204
    assert ok(shopper.get("/cart/lineitems"))["Items"] == []


def test_a_subscription_takes_a_bundle_as_subscription_items(shop: Shop, bundle: dict) -> None:
    subscription = ok(shop.admin.post("/subscriptions", json={"Frequency": 1, "Interval": "Months", "NextOrderDate": "2030-01-01T00:00:00+00:00", "Active": True}))
    first = ok(shop.admin.post(f"/subscriptions/{subscription['ID']}/bundles/{bundle['ID']}", json={}))
    items = ok(shop.admin.get(f"/subscriptions/{subscription['ID']}/items"))["Items"]
    assert {item["ProductID"] for item in items} == {bundle["first"], bundle["second"]}
    assert shop.admin.delete(f"/subscriptions/{subscription['ID']}/bundles/{bundle['ID']}/{first['ID']}").status_code == 204
    assert ok(shop.admin.get(f"/subscriptions/{subscription['ID']}/items"))["Items"] == []
