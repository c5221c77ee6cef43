"""Journey 4: orders over the approval threshold wait for an approver.

The first buyer's approval rule holds orders whose Total exceeds 1000 for its approvers
group (BEHAVIOUR.md §4.3, §4.5). A shopper orders projectors at 600.00 each (ten in
stock): one projector goes straight to Open; two wait for approval, and an approver of
the group opens the order, which is when the stock is deducted. A declined order can be
edited and resubmitted only when the approver allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import pytest
from actors import Actor
from expect import HIDDEN, refusal, refused_with

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, SeededMarketplace

pytestmark = [allure.epic("Scenarios"), allure.feature("Approval")]

PROJECTOR_STOCK = 10


@pytest.fixture(scope="module")
def projector_price(marketplace: SeededMarketplace) -> float:
    """60 % of the seeded approval threshold (data/marketplace.toml): one projector passes the rule, two need approval."""
    return round(0.6 * marketplace.data.approval.threshold, 2)


@pytest.fixture(scope="module")
def shopper(new_actor: Callable[..., Actor], buyer_a: SeededBuyer) -> Actor:
    return new_actor("approval-shopper", buyer=buyer_a)


@pytest.fixture(scope="module")
def approver(buyer_a: SeededBuyer, api: Callable[[str], OrderCloudClient]) -> OrderCloudClient:
    """A member of the group the buyer's approval rule names."""
    assert buyer_a.approver is not None
    return api(buyer_a.approver.persona)


@pytest.fixture(scope="module")
def projector(new_product: Callable[..., dict[str, Any]], projector_price: float) -> str:
    return new_product("approval-projector", [(1, projector_price)], inventory=PROJECTOR_STOCK)["ID"]


@pytest.fixture
def submit(shopper: Actor, projector: str, buyer_a: SeededBuyer, place_order: Callable[..., dict[str, Any]]) -> Callable[[int], dict[str, Any]]:
    """`submit(n)`: the shopper orders n projectors and submits; returns the submitted order."""

    def order(projectors: int) -> dict[str, Any]:
        placed = place_order(shopper, [(projector, projectors)], ship_to=buyer_a.address_ids[0])
        return shopper.api.ok("POST", f"/orders/Outgoing/{placed['ID']}/submit")

    return order


def stock_of(seller: OrderCloudClient, product_id: str) -> int:
    return seller.ok("GET", f"/products/{product_id}")["Inventory"]["QuantityAvailable"]


@allure.story("Under the threshold")
def test_an_order_within_the_threshold_opens_at_once(submit: Callable[[int], dict[str, Any]], projector_price: float, marketplace: SeededMarketplace) -> None:
    order = submit(1)
    threshold = marketplace.data.approval.threshold
    assert order["Status"] == "Open", f"an order of {projector_price:.2f} does not match 'order.Total > {threshold}', yet it is {order['Status']}"


@allure.story("Approve")
def test_an_order_over_the_threshold_waits_and_an_approver_of_the_group_opens_it(
    submit: Callable[[int], dict[str, Any]],
    approver: OrderCloudClient,
    seller: OrderCloudClient,
    projector: str,
    projector_price: float,
    marketplace: SeededMarketplace,
) -> None:
    stock_before = stock_of(seller, projector)
    order = submit(2)
    assert order["Status"] == "AwaitingApproval", f"an order of {2 * projector_price:.2f} must wait for approval, got {order['Status']}"
    assert stock_of(seller, projector) == stock_before, "stock is deducted only when the order becomes Open"

    approvable = approver.ok("GET", "/me/orders/approvable", ID=order["ID"])["Items"]
    assert [o["ID"] for o in approvable] == [order["ID"]], "the approver finds the order among those it may approve"
    approved = approver.ok("POST", f"/orders/Outgoing/{order['ID']}/approve", {"Comments": "Budget confirmed"})
    assert approved["Status"] == "Open" and approved["DateApproved"], "the final approval opens the order"

    approvals = approver.ok("GET", f"/orders/Outgoing/{order['ID']}/approvals")["Items"]
    rule_ids = marketplace.ids["approvalRuleID"]
    assert [(a["ApprovalRuleID"] in rule_ids, a["Status"], a["Comments"]) for a in approvals] == [(True, "Approved", "Budget confirmed")]
    assert stock_of(seller, projector) == stock_before - 2, "the approval that opens the order deducts the stock"
    assert seller.ok("GET", f"/orders/Incoming/{order['ID']}")["Status"] == "Open"


@allure.story("Approve")
def test_a_shopper_outside_the_approving_group_cannot_approve(
    submit: Callable[[int], dict[str, Any]], new_actor: Callable[..., Actor], buyer_a: SeededBuyer, shopper: Actor
) -> None:
    order = submit(2)
    colleague = new_actor("approval-colleague", buyer=buyer_a)
    error = refusal(colleague.api.post(f"/orders/Outgoing/{order['ID']}/approve", {"Comments": "looks fine to me"}), "approval by a shopper outside the group")
    assert error.status in HIDDEN or error.error_code == "Order.NotEligibleToApprove", f"only the approving group may approve, got {error}"
    assert shopper.api.ok("GET", f"/orders/Outgoing/{order['ID']}")["Status"] == "AwaitingApproval"


@allure.story("Decline")
def test_a_declined_order_can_be_edited_and_resubmitted_when_the_approver_allows_it(
    submit: Callable[[int], dict[str, Any]], approver: OrderCloudClient, shopper: Actor
) -> None:
    order = submit(2)
    declined = approver.ok("POST", f"/orders/Outgoing/{order['ID']}/decline", {"Comments": "One projector is enough", "AllowResubmit": True})
    assert declined["Status"] == "Declined" and declined["DateDeclined"]
    with allure.step("The shopper cuts the order to one projector and resubmits"):
        line = shopper.api.ok("GET", f"/orders/Outgoing/{order['ID']}/lineitems")["Items"][0]
        shopper.api.ok("PATCH", f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}", {"Quantity": 1})
        resubmitted = shopper.api.ok("POST", f"/orders/Outgoing/{order['ID']}/submit")
    assert resubmitted["Status"] == "Open", "now within the threshold, the resubmitted order opens"


@allure.story("Decline")
def test_a_declined_order_cannot_be_resubmitted_unless_allowed(submit: Callable[[int], dict[str, Any]], approver: OrderCloudClient, shopper: Actor) -> None:
    order = submit(2)
    approver.ok("POST", f"/orders/Outgoing/{order['ID']}/decline", {"Comments": "Not this quarter", "AllowResubmit": False})
    refused_with(shopper.api.post(f"/orders/Outgoing/{order['ID']}/submit"), "Order.CannotSubmitBadStatus", "resubmitting an order declined without AllowResubmit")
    assert shopper.api.ok("GET", f"/orders/Outgoing/{order['ID']}")["Status"] == "Declined"
