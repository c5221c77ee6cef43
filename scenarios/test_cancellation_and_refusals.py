"""Journey 6: the paths where OrderCloud says no — stock, payments, empty orders, cancellation.

A shopper of the first buyer meets each refusal of checkout: more than the stock on
a line or at submit, a payment nobody accepted, an order without lines, a second submit.
Cancellation ends an order that is not yet Open; Open and Completed orders cannot be
canceled (BEHAVIOUR.md §2.3 order-state codes, §4.3, §5.11). Each refusal leaves the
order as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import pytest
from actors import Actor
from expect import refused_with

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer

pytestmark = [allure.epic("Scenarios"), allure.feature("Cancellation and refusals")]

KETTLE_STOCK = 5


@pytest.fixture(scope="module")
def shopper(new_actor: Callable[..., Actor], buyer_a: SeededBuyer) -> Actor:
    return new_actor("refusals-shopper", buyer=buyer_a)


@pytest.fixture
def kettle(new_product: Callable[..., dict[str, Any]], request: pytest.FixtureRequest) -> str:
    """A kettle of this test's own, five in stock, that orders may not exceed."""
    return new_product(f"kettle-{request.node.name.removeprefix('test_')[:40]}", [(1, 30.0)], inventory=KETTLE_STOCK)["ID"]


def status_of(actor: Actor, order_id: str) -> str:
    return actor.api.ok("GET", f"/orders/Outgoing/{order_id}")["Status"]


@allure.story("Inventory")
def test_a_line_for_more_than_the_stock_is_refused(shopper: Actor, kettle: str, place_order: Callable[..., dict[str, Any]]) -> None:
    order = place_order(shopper, [])
    line = {"ProductID": kettle, "Quantity": KETTLE_STOCK + 1}
    error = refused_with(shopper.api.post(f"/orders/Outgoing/{order['ID']}/lineitems", line), "Inventory.Insufficient", f"a line of {KETTLE_STOCK + 1} kettles with {KETTLE_STOCK} in stock")
    assert error.status == 400
    assert shopper.api.ok("GET", f"/orders/Outgoing/{order['ID']}")["LineItemCount"] == 0


@allure.story("Inventory")
def test_stock_another_order_took_first_refuses_the_later_submit(
    shopper: Actor, kettle: str, new_actor: Callable[..., Actor], buyer_a: SeededBuyer, place_order: Callable[..., dict[str, Any]], seller: OrderCloudClient
) -> None:
    mine = place_order(shopper, [(kettle, 4)], ship_to=buyer_a.address_ids[0])
    colleague = new_actor("refusals-colleague", buyer=buyer_a)
    theirs = place_order(colleague, [(kettle, 3)], ship_to=buyer_a.address_ids[0])
    assert colleague.api.ok("POST", f"/orders/Outgoing/{theirs['ID']}/submit")["Status"] == "Open"
    refused_with(shopper.api.post(f"/orders/Outgoing/{mine['ID']}/submit"), "Inventory.Insufficient", f"submitting 4 kettles when {KETTLE_STOCK - 3} are left")
    assert status_of(shopper, mine["ID"]) == "Unsubmitted"
    assert seller.ok("GET", f"/products/{kettle}")["Inventory"]["QuantityAvailable"] == KETTLE_STOCK - 3, "a refused submit deducts nothing"


@allure.story("Payments")
def test_an_order_with_a_payment_nobody_accepted_cannot_be_submitted(shopper: Actor, kettle: str, buyer_a: SeededBuyer, place_order: Callable[..., dict[str, Any]]) -> None:
    order = place_order(shopper, [(kettle, 1)], ship_to=buyer_a.address_ids[0])
    shopper.api.ok("POST", f"/orders/Outgoing/{order['ID']}/payments", {"Type": "PurchaseOrder", "Amount": order["Total"]})
    refused_with(shopper.api.post(f"/orders/Outgoing/{order['ID']}/submit"), "Order.CannotSubmitWithUnaccceptedPayments", "submitting with a payment nobody accepted")
    assert status_of(shopper, order["ID"]) == "Unsubmitted"


@allure.story("Empty order")
def test_an_order_without_lines_cannot_be_submitted(shopper: Actor, place_order: Callable[..., dict[str, Any]]) -> None:
    order = place_order(shopper, [])
    refused_with(shopper.api.post(f"/orders/Outgoing/{order['ID']}/submit"), "Order.CannotSubmitWithNoLineItems", "submitting an order without lines")
    assert status_of(shopper, order["ID"]) == "Unsubmitted"


@allure.story("Submit once")
def test_an_order_is_submitted_only_once(shopper: Actor, kettle: str, buyer_a: SeededBuyer, place_order: Callable[..., dict[str, Any]]) -> None:
    order = place_order(shopper, [(kettle, 1)], ship_to=buyer_a.address_ids[0])
    shopper.api.ok("POST", f"/orders/Outgoing/{order['ID']}/submit")
    refused_with(shopper.api.post(f"/orders/Outgoing/{order['ID']}/submit"), "Order.CannotSubmitBadStatus", "submitting an Open order again")


@allure.story("Cancel")
def test_an_order_awaiting_approval_can_be_canceled_and_is_dead_afterwards(
    shopper: Actor, new_product: Callable[..., dict[str, Any]], buyer_a: SeededBuyer, api: Callable[[str], OrderCloudClient], place_order: Callable[..., dict[str, Any]]
) -> None:
    espresso_machine = new_product("refusals-espresso-machine", [(1, 2400.0)])["ID"]
    order = place_order(shopper, [(espresso_machine, 1)], ship_to=buyer_a.address_ids[0])
    assert shopper.api.ok("POST", f"/orders/Outgoing/{order['ID']}/submit")["Status"] == "AwaitingApproval"
    canceled = shopper.api.ok("POST", f"/orders/Outgoing/{order['ID']}/cancel")
    assert canceled["Status"] == "Canceled" and canceled["DateCanceled"]
    refused_with(shopper.api.post(f"/orders/Outgoing/{order['ID']}/submit"), "Order.CannotSubmitBadStatus", "submitting a canceled order")
    assert buyer_a.approver is not None
    approval = api(buyer_a.approver.persona).post(f"/orders/Outgoing/{order['ID']}/approve", {"Comments": "too late"})
    refused_with(approval, "Order.MustBeAwaitingApproval", "approving a canceled order")


@allure.story("Cancel")
def test_open_and_completed_orders_cannot_be_canceled(
    shopper: Actor, kettle: str, buyer_a: SeededBuyer, order_desk: Actor, place_order: Callable[..., dict[str, Any]]
) -> None:
    order = place_order(shopper, [(kettle, 1)], ship_to=buyer_a.address_ids[0])

    def cancel_is_refused(status: str) -> None:
        refused_with(shopper.api.post(f"/orders/Outgoing/{order['ID']}/cancel"), "Order.CannotCancelInCurrentStatus", f"canceling a {status} order")
        assert status_of(shopper, order["ID"]) == status

    shopper.api.ok("POST", f"/orders/Outgoing/{order['ID']}/submit")
    cancel_is_refused("Open")
    order_desk.api.ok("POST", f"/orders/Incoming/{order['ID']}/complete")
    cancel_is_refused("Completed")
