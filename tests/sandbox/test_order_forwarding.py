"""Splitting and forwarding incoming orders to the suppliers of their products."""

from __future__ import annotations

import pytest
from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


@pytest.fixture(scope="module")
def supplier(shop: Shop) -> str:
    return ok(shop.admin.post("/suppliers", json={"ID": "acme", "Name": "Acme", "Active": True}))["ID"]


@pytest.fixture
def placed(shop: Shop, supplier: str) -> dict:
    """An Open order with one line the supplier sells and one the seller sells itself."""
    return shop.submitted((shop.product(DefaultSupplierID=supplier), 2), (shop.product(), 1))


def test_split_creates_one_unsubmitted_outgoing_order_per_supplier(shop: Shop, supplier: str, placed: dict, settings) -> None:
    result = ok(shop.admin.post(f"/orders/Incoming/{placed['ID']}/split"))
    [outgoing] = result["OutgoingOrders"]
    assert (outgoing["ID"], outgoing["Status"]) == (f"{placed['ID']}-{supplier}", "Unsubmitted")
    assert (outgoing["FromCompanyID"], outgoing["ToCompanyID"], outgoing["Subtotal"]) == (settings.sandbox.seller_id, supplier, 20)
    lines = ok(shop.admin.get(f"/orders/Incoming/{placed['ID']}/lineitems"))["Items"]
    assert result["RemainingLineItemIDs"] == [line["ID"] for line in lines if line["SupplierID"] is None]
    assert ok(shop.admin.get(f"/orders/Outgoing/{outgoing['ID']}/lineitems"))["Meta"]["TotalCount"] == 1


def test_forward_submits_the_outgoing_orders(shop: Shop, placed: dict) -> None:
    ok(shop.admin.post(f"/orders/Incoming/{placed['ID']}/split"))
    [outgoing] = ok(shop.admin.post(f"/orders/Incoming/{placed['ID']}/forward"))["OutgoingOrders"]
    assert (outgoing["Status"], outgoing["IsSubmitted"]) == ("Open", True)
    assert outgoing["ID"] in {o["ID"] for o in ok(shop.admin.get("/orders/Outgoing", params={"pageSize": 100}))["Items"]}


def test_only_submitted_incoming_orders_are_split_by_seller_users(shop: Shop, supplier: str, placed: dict) -> None:
    cart = shop.order_with((shop.product(DefaultSupplierID=supplier), 1))
    error(shop.admin.post(f"/orders/Incoming/{cart['ID']}/forward"), 400, "Order.AllowedOnSubmittedOnly")
    [outgoing] = ok(shop.admin.post(f"/orders/Incoming/{placed['ID']}/forward"))["OutgoingOrders"]
    error(shop.admin.post(f"/orders/Outgoing/{outgoing['ID']}/split"), 400, "Order.CannotSplitOutgoing")
    buyer_admin = shop.colleague(("Shopper", "OrderAdmin"))
    error(buyer_admin.api.post(f"/orders/Outgoing/{placed['ID']}/split"), 403, "Order.CannotSplitWrongUserType")


def test_a_forwarded_order_is_deleted_after_its_outgoing_orders(shop: Shop, placed: dict) -> None:
    [outgoing] = ok(shop.admin.post(f"/orders/Incoming/{placed['ID']}/forward"))["OutgoingOrders"]
    error(shop.admin.delete(f"/orders/Incoming/{placed['ID']}"), 400, "Order.CannotDeleteForwardedOrder")
    assert shop.admin.delete(f"/orders/Outgoing/{outgoing['ID']}").status_code == 204
    assert shop.admin.delete(f"/orders/Incoming/{placed['ID']}").status_code == 204
