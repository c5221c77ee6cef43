"""Inventory records on the current API (builtin:current): a line naming a record draws on that record's
stock, never oversold, and a buyer user draws only on records open to it (rules/inventory_records.py)."""

from __future__ import annotations

import itertools

import pytest
from _commerce_fixtures import SHOPPER, Shop, error, ok, shop  # noqa: F401  (shop is a fixture)

from ocgate.config import Settings, load_settings

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(spec="builtin:current")


@pytest.fixture(scope="module")
def warehouse(shop: Shop) -> str:
    """A seller address the records are kept at."""
    return ok(shop.admin.post("/addresses", json={"AddressName": "Warehouse", "Street1": "1 Dock Rd", "City": "Leeds", "State": "WY", "Zip": "LS1", "Country": "GB"}))["ID"]


def record(shop: Shop, product: str, quantity: int, address: str, **fields: object) -> str:
    body = {"ID": f"record-{next(_numbers)}", "AddressID": address, "QuantityAvailable": quantity, **fields}
    return ok(shop.admin.post(f"/products/{product}/inventoryrecords", json=body))["ID"]


def assign(shop: Shop, product: str, record_id: str, buyer: str, group: str | None = None) -> None:
    assignment = {"InventoryRecordID": record_id, "BuyerID": buyer, "UserGroupID": group}
    assert shop.admin.post(f"/products/{product}/inventoryrecords/assignments", json=assignment).status_code == 204


def held(shop: Shop, product: str, record_id: str) -> int:
    return ok(shop.admin.get(f"/products/{product}/inventoryrecords/{record_id}"))["QuantityAvailable"]


def order_from(shop: Shop, *lines: tuple[str, int, str | None]) -> str:
    """An unsubmitted order of (product, quantity, inventory record or None) lines."""
    order = shop.order()
    for product, quantity, record_id in lines:
        shop.line(order["ID"], product, quantity, InventoryRecordID=record_id)
    return order["ID"]


def submit(shop: Shop, order_id: str):
    return shop.shopper.post(f"/orders/Outgoing/{order_id}/submit")


def test_submit_takes_the_quantity_out_of_the_named_record_and_not_out_of_the_product(shop: Shop, warehouse: str) -> None:
    product = shop.product(Inventory={"Enabled": True, "QuantityAvailable": 50})
    stock = record(shop, product, 5, warehouse)
    before = ok(shop.admin.get(f"/products/{product}/inventoryrecords/{stock}"))["LastUpdated"]
    order = order_from(shop, (product, 2, stock), (product, 1, stock))
    assert held(shop, product, stock) == 5
    assert ok(submit(shop, order))["Status"] == "Open"
    after = ok(shop.admin.get(f"/products/{product}/inventoryrecords/{stock}"))
    assert (after["QuantityAvailable"], after["LastUpdated"] > before) == (2, True)
    assert ok(shop.admin.get(f"/products/{product}"))["Inventory"]["QuantityAvailable"] == 50


def test_a_line_asking_more_than_the_record_holds_is_refused(shop: Shop, warehouse: str) -> None:
    product = shop.product()
    stock = record(shop, product, 3, warehouse)
    order = shop.order()
    shop.line(order["ID"], product, 2, InventoryRecordID=stock)
    more = shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ID": "more", "ProductID": product, "Quantity": 2, "InventoryRecordID": stock})
    data = error(more, 400, "Inventory.Insufficient")
    assert data == {"LineItemID": "more", "ProductID": product, "QuantityAvailable": 3, "QuantityRequested": 4, "VariantID": None, "InventoryRecordID": stock}


def test_an_oversold_record_refuses_the_submit_and_nothing_is_deducted(shop: Shop, warehouse: str) -> None:
    product, tracked = shop.product(), shop.product(Inventory={"Enabled": True, "QuantityAvailable": 10})
    stock = record(shop, product, 4, warehouse)
    first, second = order_from(shop, (product, 3, stock)), order_from(shop, (tracked, 2, None), (product, 3, stock))
    ok(submit(shop, first))
    data = error(submit(shop, second), 400, "Inventory.Insufficient")
    assert (data["InventoryRecordID"], data["QuantityAvailable"], data["QuantityRequested"]) == (stock, 1, 3)
    assert ok(shop.shopper.get(f"/orders/Outgoing/{second}"))["Status"] == "Unsubmitted"
    assert held(shop, product, stock) == 1
    assert ok(shop.admin.get(f"/products/{tracked}"))["Inventory"]["QuantityAvailable"] == 10


def test_a_record_that_allows_exceeding_takes_any_quantity(shop: Shop, warehouse: str) -> None:
    product = shop.product()
    stock = record(shop, product, 1, warehouse, OrderCanExceed=True)
    assert ok(submit(shop, order_from(shop, (product, 4, stock))))["Status"] == "Open"


def test_lines_naming_no_record_follow_the_product_inventory(shop: Shop, warehouse: str) -> None:
    product = shop.product(Inventory={"Enabled": True, "QuantityAvailable": 5})
    record(shop, product, 100, warehouse)
    order = shop.order()
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product, "Quantity": 6}), 400, "Inventory.Insufficient")
    ok(submit(shop, order_from(shop, (product, 4, None))))
    assert ok(shop.admin.get(f"/products/{product}"))["Inventory"]["QuantityAvailable"] == 1


def test_a_record_of_another_product_or_an_unknown_record_is_refused(shop: Shop, warehouse: str) -> None:
    product, other = shop.product(), shop.product()
    elsewhere = record(shop, other, 10, warehouse)
    order = shop.order()
    lines = f"/orders/Outgoing/{order['ID']}/lineitems"
    data = error(shop.shopper.post(lines, json={"ProductID": product, "Quantity": 1, "InventoryRecordID": elsewhere}), 400, "LineItem.InventoryRecordNotForProduct")
    assert data == {"InventoryRecordID": elsewhere, "ProductID": product}
    unknown = error(shop.shopper.post(lines, json={"ProductID": product, "Quantity": 1, "InventoryRecordID": "no-such-record"}), 404, "NotFound")
    assert unknown == {"ObjectType": "InventoryRecord", "ObjectID": "no-such-record"}
    assert ok(shop.shopper.get(lines))["Items"] == []


def test_a_buyer_sees_and_orders_from_only_the_records_open_to_it(shop: Shop, warehouse: str) -> None:
    product = shop.product()
    buyer, stranger = shop.buyer.buyer_id, shop.make_user(roles=SHOPPER)
    ok(shop.admin.post("/catalogs/productassignments", json={"CatalogID": stranger.buyer_id, "ProductID": product}))
    ok(shop.admin.post(f"/buyers/{buyer}/usergroups", json={"ID": "record-group", "Name": "Depot users"}))
    ok(shop.admin.post(f"/buyers/{buyer}/usergroups/assignments", json={"UserGroupID": "record-group", "UserID": shop.buyer.user_id}))
    open_to_all, mine, my_group, theirs = (record(shop, product, 5, warehouse) for _ in range(4))
    assign(shop, product, mine, buyer)
    assign(shop, product, my_group, buyer, "record-group")
    assign(shop, product, theirs, stranger.buyer_id)

    def seen(api) -> set[str]:
        return {item["ID"] for item in ok(api.get(f"/me/products/{product}/inventoryrecords"))["Items"]}

    assert seen(shop.shopper) == {open_to_all, mine, my_group}
    assert seen(stranger.api) == {open_to_all, theirs}
    assert seen(shop.colleague().api) == {open_to_all, mine}
    order = shop.order()
    refused = shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product, "Quantity": 1, "InventoryRecordID": theirs})
    assert error(refused, 404, "NotFound")["ObjectType"] == "InventoryRecord"


def test_a_buyer_lists_records_only_of_products_it_sees(shop: Shop, warehouse: str) -> None:
    hidden = ok(shop.admin.post("/products", json={"Name": "Not in the catalog", "Active": True}))["ID"]
    record(shop, hidden, 5, warehouse)
    assert error(shop.shopper.get(f"/me/products/{hidden}/inventoryrecords"), 404, "NotFound")["ObjectType"] == "Product"


def test_include_address_fills_each_record_with_its_location(shop: Shop, warehouse: str) -> None:
    product = shop.product()
    record(shop, product, 5, warehouse)
    listed = f"/me/products/{product}/inventoryrecords"
    assert [item["Address"]["AddressName"] for item in ok(shop.shopper.get(listed, params={"includeAddress": "true"}))["Items"]] == ["Warehouse"]
    assert [item["Address"] for item in ok(shop.shopper.get(listed))["Items"]] == [None]


def test_a_buyer_sees_the_records_of_an_active_variant_open_to_it(shop: Shop, warehouse: str) -> None:
    product = shop.product()
    ok(shop.admin.post("/specs", json={"ID": f"{product}-size", "Name": "Size", "DefinesVariant": True}))
    for option in ("s", "l"):
        ok(shop.admin.post(f"/specs/{product}-size/options", json={"ID": option, "Value": option.upper()}))
    assert shop.admin.post("/specs/productassignments", json={"SpecID": f"{product}-size", "ProductID": product}).status_code == 204
    ok(shop.admin.post(f"/products/{product}/variants/generate"))
    variant = ok(shop.admin.get(f"/products/{product}/variants"))["Items"][0]["ID"]
    ok(shop.admin.patch(f"/products/{product}/variants/{variant}", json={"Active": True}))
    records = f"/products/{product}/variants/{variant}/inventoryrecords"
    shared, other = (ok(shop.admin.post(records, json={"AddressID": warehouse, "QuantityAvailable": 3}))["ID"] for _ in range(2))
    assert shop.admin.post(f"{records}/assignments", json={"InventoryRecordID": other, "BuyerID": shop.make_user(roles=SHOPPER).buyer_id}).status_code == 204
    assert {item["ID"] for item in ok(shop.shopper.get(f"/me{records}"))["Items"]} == {shared}
    ok(shop.admin.patch(f"/products/{product}/variants/{variant}", json={"Active": False}))
    assert error(shop.shopper.get(f"/me{records}"), 404, "NotFound")["ObjectType"] == "Variant"
