"""Order returns: what can be returned, and the return's own lifecycle (ErrorCodes.OrderReturn)."""

from __future__ import annotations

import pytest
from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


@pytest.fixture(scope="module")
def returnable(shop: Shop) -> str:
    return shop.product(breaks=((1, 10.0),), Returnable=True)


@pytest.fixture
def placed(shop: Shop, returnable: str) -> tuple[dict, dict]:
    """An Open order of 3 returnable units, and its line."""
    order = shop.submitted((returnable, 3))
    return order, ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"][0]


def new_return(shop: Shop, order: dict, *items: dict, **fields: object):
    return shop.shopper.post("/orderreturns", json={"OrderID": order["ID"], "ItemsToReturn": list(items), **fields})


def test_a_return_of_an_open_order_starts_unsubmitted_with_its_refund(shop: Shop, placed: tuple[dict, dict]) -> None:
    order, line = placed
    created = ok(new_return(shop, order, {"LineItemID": line["ID"], "Quantity": 2}))
    assert (created["Status"], created["RefundAmount"], created["PaymentIDs"]) == ("Unsubmitted", 20, [])
    assert ok(shop.shopper.get(f"/orderreturns/{created['ID']}"))["OrderID"] == order["ID"]
    stranger = shop.make_user()
    error(stranger.api.get(f"/orderreturns/{created['ID']}"), 404, "NotFound")
    assert created["ID"] not in {r["ID"] for r in ok(stranger.api.get("/orderreturns"))["Items"]}


def test_what_can_be_returned(shop: Shop, placed: tuple[dict, dict]) -> None:
    order, line = placed
    cart = shop.order_with((shop.product(Returnable=True), 1))
    error(new_return(shop, cart), 400, "OrderReturn.CannotCreateBadOrderStatus")
    item = {"LineItemID": line["ID"], "Quantity": 1}
    error(new_return(shop, order, item, item), 400, "OrderReturn.CannotCreateDuplicateItemToReturn")
    error(new_return(shop, order, {"LineItemID": line["ID"], "Quantity": 4}), 400, "OrderReturn.ItemQuantityExceeded")
    error(new_return(shop, order, {**item, "RefundAmount": -1}), 400, "OrderReturn.RefundAmountMustNotBeNegative")
    ok(new_return(shop, order, {"LineItemID": line["ID"], "Quantity": 2}))
    error(new_return(shop, order, {"LineItemID": line["ID"], "Quantity": 2}), 400, "OrderReturn.ItemQuantityExceeded")
    kept = shop.submitted((shop.product(), 1))
    kept_line = ok(shop.shopper.get(f"/orders/Outgoing/{kept['ID']}/lineitems"))["Items"][0]
    error(new_return(shop, kept, {"LineItemID": kept_line["ID"], "Quantity": 1}), 400, "OrderReturn.ProductNotEligibleToReturn")


def test_a_return_is_submitted_completed_and_guarded(shop: Shop, placed: tuple[dict, dict]) -> None:
    order, line = placed
    created = ok(new_return(shop, order, {"LineItemID": line["ID"], "Quantity": 1}))
    error(shop.shopper.post(f"/orderreturns/{created['ID']}/cancel"), 400, "OrderReturn.CannotCancelUnsubmitted")
    submitted = ok(shop.shopper.post(f"/orderreturns/{created['ID']}/submit"))
    assert submitted["Status"] == "Open" and submitted["DateSubmitted"]
    error(shop.shopper.post(f"/orderreturns/{created['ID']}/submit"), 400, "OrderReturn.CannotSubmitBadStatus")
    completed = ok(shop.admin.post(f"/orderreturns/{created['ID']}/complete"))
    assert completed["Status"] == "Completed" and completed["DateCompleted"]
    error(shop.admin.post(f"/orderreturns/{created['ID']}/complete"), 400, "OrderReturn.CannotCompleteBadStatus")
    error(shop.shopper.delete(f"/orderreturns/{created['ID']}"), 403, "OrderReturn.NotAuthorizedToDelete")
    assert shop.admin.delete(f"/orderreturns/{created['ID']}").status_code == 204


def test_a_return_without_a_refund_cannot_be_submitted(shop: Shop, placed: tuple[dict, dict]) -> None:
    order, line = placed
    created = ok(new_return(shop, order, {"LineItemID": line["ID"], "Quantity": 1}))
    emptied = ok(shop.shopper.delete(f"/orderreturns/{created['ID']}/items/{line['ID']}"))
    assert (emptied["ItemsToReturn"], emptied["RefundAmount"]) == ([], 0)
    error(shop.shopper.post(f"/orderreturns/{created['ID']}/submit"), 400, "OrderReturn.CannotCompleteNoRefund")


def test_a_seller_return_rule_holds_returns_for_the_sellers_approvers(shop: Shop, placed: tuple[dict, dict]) -> None:
    order, line = placed
    admin = shop.admin
    ok(admin.post("/usergroups", json={"ID": "returns-desk", "Name": "Returns desk"}))
    ok(admin.post("/usergroups/assignments", json={"UserGroupID": "returns-desk", "UserID": "ocgate-admin"}))
    rule = ok(admin.post("/approvalrules", json={"ApprovalType": "OrderReturn", "ApprovingGroupID": "returns-desk", "RuleExpression": "order.Total > 0"}))
    first = ok(new_return(shop, order, {"LineItemID": line["ID"], "Quantity": 1}))
    assert ok(shop.shopper.post(f"/orderreturns/{first['ID']}/submit"))["Status"] == "AwaitingApproval"
    assert [r["ID"] for r in ok(admin.get("/orderreturns", params={"approvable": "true"}))["Items"]] == [first["ID"]]
    assert [u["ID"] for u in ok(admin.get(f"/orderreturns/{first['ID']}/eligibleapprovers"))["Items"]] == ["ocgate-admin"]
    approved = ok(admin.post(f"/orderreturns/{first['ID']}/approve", json={"Comments": "ok"}))
    assert approved["Status"] == "Open" and approved["DateApproved"]
    assert [a["Status"] for a in ok(admin.get(f"/orderreturns/{first['ID']}/approvals"))["Items"]] == ["Approved"]
    error(admin.post(f"/orderreturns/{first['ID']}/decline", json={}), 400, "Order.MustBeAwaitingApproval")
    second = ok(new_return(shop, order, {"LineItemID": line["ID"], "Quantity": 1}))
    ok(shop.shopper.post(f"/orderreturns/{second['ID']}/submit"))
    assert ok(admin.post(f"/orderreturns/{second['ID']}/decline", json={}))["Status"] == "Declined"
    assert admin.delete(f"/approvalrules/{rule['ID']}").status_code == 204
