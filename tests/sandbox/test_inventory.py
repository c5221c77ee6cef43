"""Inventory: checked when lines change and on submit, deducted when an order opens, never oversold (BEHAVIOUR.md §5.11)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from _commerce_fixtures import SHOPPER, Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


def stocked(shop: Shop, quantity: int, **inventory: object) -> str:
    return shop.product(Inventory={"Enabled": True, "QuantityAvailable": quantity, **inventory})


def available(shop: Shop, product: str) -> int:
    return ok(shop.admin.get(f"/products/{product}"))["Inventory"]["QuantityAvailable"]


def test_a_line_asking_for_more_than_is_available_is_refused(shop: Shop) -> None:
    product = stocked(shop, 5)
    order = shop.order()
    line = shop.line(order["ID"], product, 3)
    data = error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ID": "more", "ProductID": product, "Quantity": 3}), 400, "Inventory.Insufficient")
    assert data == {"LineItemID": "more", "ProductID": product, "QuantityAvailable": 5, "QuantityRequested": 6, "VariantID": None}
    error(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}", json={"Quantity": 6}), 400, "Inventory.Insufficient")
    assert available(shop, product) == 5


def test_order_can_exceed_lets_orders_ask_for_more(shop: Shop) -> None:
    product = stocked(shop, 1, OrderCanExceed=True)
    assert shop.submitted((product, 4))["Status"] == "Open"


def test_stock_is_deducted_when_the_order_opens(shop: Shop) -> None:
    product = stocked(shop, 10)
    order = shop.order_with((product, 4))
    assert available(shop, product) == 10
    ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"))
    assert available(shop, product) == 6


def test_submit_checks_stock_again(shop: Shop) -> None:
    product = stocked(shop, 5)
    first, second = shop.order_with((product, 3)), shop.order_with((product, 3))
    ok(shop.shopper.post(f"/orders/Outgoing/{first['ID']}/submit"))
    data = error(shop.shopper.post(f"/orders/Outgoing/{second['ID']}/submit"), 400, "Inventory.Insufficient")
    assert (data["QuantityAvailable"], data["QuantityRequested"]) == (2, 3)
    assert ok(shop.shopper.get(f"/orders/Outgoing/{second['ID']}"))["Status"] == "Unsubmitted"


def test_an_order_awaiting_approval_takes_stock_only_when_approved(shop: Shop) -> None:
    product = stocked(shop, 10)
    approver = shop.colleague(SHOPPER)
    buyer = shop.buyer.buyer_id
    ok(shop.admin.post(f"/buyers/{buyer}/usergroups", json={"ID": "stock-approvers", "Name": "Approvers"}))
    ok(shop.admin.post(f"/buyers/{buyer}/usergroups/assignments", json={"UserGroupID": "stock-approvers", "UserID": approver.user_id}))
    ok(shop.admin.post(f"/buyers/{buyer}/approvalrules", json={"ID": "stock-rule", "ApprovingGroupID": "stock-approvers", "RuleExpression": "order.xp.NeedsApproval = true"}))
    order = shop.order_with((product, 7))
    ok(shop.shopper.patch(f"/orders/Outgoing/{order['ID']}", json={"xp": {"NeedsApproval": True}}))
    assert ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"))["Status"] == "AwaitingApproval"
    assert available(shop, product) == 10
    ok(shop.admin.patch(f"/products/{product}", json={"Inventory": {"QuantityAvailable": 5}}))
    error(approver.api.post(f"/orders/Outgoing/{order['ID']}/approve", json={}), 400, "Inventory.Insufficient")
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["Status"] == "AwaitingApproval"
    ok(shop.admin.patch(f"/products/{product}", json={"Inventory": {"QuantityAvailable": 8}}))
    assert ok(approver.api.post(f"/orders/Outgoing/{order['ID']}/approve", json={}))["Status"] == "Open"
    assert available(shop, product) == 1
    assert shop.admin.delete(f"/buyers/{buyer}/approvalrules/stock-rule").status_code == 204


def test_inventory_fields_follow_the_product_rules(shop: Shop) -> None:
    enabled = ok(shop.admin.post("/products", json={"Name": "Tracked", "Inventory": {"Enabled": True}}))
    assert enabled["Inventory"]["QuantityAvailable"] == 0 and enabled["Inventory"]["LastUpdated"]
    untracked = ok(shop.admin.post("/products", json={"Name": "Untracked"}))
    error(shop.admin.patch(f"/products/{untracked['ID']}", json={"Inventory": {"QuantityAvailable": 9}}), 400, "Product.InventoryDisabled")


def test_concurrent_checkouts_never_oversell(shop: Shop, sandbox) -> None:
    """50 shoppers race for 10 units: exactly 10 orders open, 40 are refused, none is lost."""
    product = stocked(shop, 10)

    def checkout(_: int) -> httpx.Response:
        """The submit's answer, or the line's when stock ran out before the line was added."""
        with httpx.Client(base_url=f"{sandbox.base_url}/v1", headers={"Authorization": f"Bearer {shop.buyer.token}"}) as client:
            order = ok(client.post("/orders/Outgoing", json={}))
            line = client.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product, "Quantity": 1})
            return line if line.status_code != 201 else client.post(f"/orders/Outgoing/{order['ID']}/submit")

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(checkout, range(50)))
    opened = [answer for answer in answers if answer.status_code == 201]
    refused = [answer for answer in answers if answer.status_code == 400]
    assert len(opened) == 10 and all(answer.json()["Status"] == "Open" for answer in opened)
    assert len(refused) == 40 and {answer.json()["Errors"][0]["ErrorCode"] for answer in refused} == {"Inventory.Insufficient"}
    assert available(shop, product) == 0
