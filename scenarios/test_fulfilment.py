"""Journey 5: the seller's order desk fulfils Open orders.

The order desk holds OrderAdmin and ShipmentAdmin, nothing else. It ships an order in
parts (each shipment item raising the line's QuantityShipped) until everything is
shipped and the order is Completed; it ships a whole order in one call; it completes an
order by hand. Shipping or completing an order in the wrong status, or shipping more
than was ordered, is refused with OrderCloud's error codes (BEHAVIOUR.md §2.3, §4.5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import pytest
from actors import Actor
from expect import refused_with

from ocgate.api.seeding import SeededBuyer, SeededMarketplace, Seeder

pytestmark = [allure.epic("Scenarios"), allure.feature("Fulfilment")]

CHAIRS, DESKS = 4, 2


@pytest.fixture(scope="module")
def shopper(new_actor: Callable[..., Actor], buyer_a: SeededBuyer) -> Actor:
    return new_actor("fulfilment-shopper", buyer=buyer_a)


@pytest.fixture(scope="module")
def chair(new_product: Callable[..., dict[str, Any]]) -> str:
    return new_product("fulfilment-chair", [(1, 40.0)])["ID"]


@pytest.fixture
def open_order(shopper: Actor, chair: str, marketplace: SeededMarketplace, buyer_a: SeededBuyer, place_order: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A freshly submitted order: 4 chairs and 2 desks (a seeded product), shipped to the buyer's address."""
    placed = place_order(shopper, [(chair, CHAIRS), (marketplace.product_ids[1], DESKS)], ship_to=buyer_a.address_ids[0])
    order = shopper.api.ok("POST", f"/orders/Outgoing/{placed['ID']}/submit")
    assert order["Status"] == "Open"
    return order


@pytest.fixture
def new_shipment(seeder: Seeder, order_desk: Actor, buyer_a: SeededBuyer) -> Callable[[str], str]:
    """`new_shipment(name)`: an empty shipment to the first buyer, created by the order desk."""

    def create(name: str) -> str:
        body = {"ID": seeder.id(name), "BuyerID": buyer_a.id, "Shipper": "UPS", "TrackingNumber": seeder.fake.bothify("1Z###???########")}
        return seeder.create("/shipments", body, client=order_desk.api)["ID"]

    return create


def lines_by_product(actor: Actor, order_id: str) -> dict[str, dict[str, Any]]:
    return {line["ProductID"]: line for line in actor.api.ok("GET", f"/orders/Incoming/{order_id}/lineitems")["Items"]}


@allure.story("Partial shipments")
def test_partial_shipments_count_up_until_everything_is_shipped_and_the_order_completes(
    open_order: dict[str, Any], order_desk: Actor, shopper: Actor, chair: str, marketplace: SeededMarketplace, new_shipment: Callable[[str], str]
) -> None:
    order_id = open_order["ID"]
    desk = marketplace.product_ids[1]
    lines = lines_by_product(order_desk, order_id)
    with allure.step("The order desk ships 3 of the 4 chairs"):
        first = new_shipment("first-parcel")
        order_desk.api.ok("POST", f"/shipments/{first}/items", {"OrderID": order_id, "LineItemID": lines[chair]["ID"], "QuantityShipped": 3})
    lines = lines_by_product(order_desk, order_id)
    assert (lines[chair]["QuantityShipped"], lines[desk]["QuantityShipped"]) == (3, 0)
    assert order_desk.api.ok("GET", f"/orders/Incoming/{order_id}")["Status"] == "Open", "a partly shipped order stays Open"

    with allure.step("The order desk ships the last chair and both desks"):
        second = new_shipment("second-parcel")
        order_desk.api.ok("POST", f"/shipments/{second}/items", {"OrderID": order_id, "LineItemID": lines[chair]["ID"], "QuantityShipped": 1})
        order_desk.api.ok("POST", f"/shipments/{second}/items", {"OrderID": order_id, "LineItemID": lines[desk]["ID"], "QuantityShipped": DESKS})
    lines = lines_by_product(order_desk, order_id)
    assert (lines[chair]["QuantityShipped"], lines[desk]["QuantityShipped"]) == (CHAIRS, DESKS)
    order = order_desk.api.ok("GET", f"/orders/Incoming/{order_id}")
    assert order["Status"] == "Completed" and order["DateCompleted"], f"once everything is shipped the order is Completed, got {order['Status']}"
    shipments = shopper.api.ok("GET", "/me/shipments", orderID=order_id)["Items"]
    assert {s["ID"] for s in shipments} == {first, second}, "the shopper sees both shipments of the order"


@allure.story("Partial shipments")
def test_shipping_more_than_was_ordered_is_refused(open_order: dict[str, Any], order_desk: Actor, chair: str, new_shipment: Callable[[str], str]) -> None:
    order_id = open_order["ID"]
    line = lines_by_product(order_desk, order_id)[chair]
    parcel = new_shipment("too-many-chairs")
    item = {"OrderID": order_id, "LineItemID": line["ID"], "QuantityShipped": CHAIRS + 1}
    refused_with(order_desk.api.post(f"/shipments/{parcel}/items", item), "ShipmentItem.QuantityExceeded", f"shipping {CHAIRS + 1} of {CHAIRS} chairs")
    assert lines_by_product(order_desk, order_id)[chair]["QuantityShipped"] == 0


@allure.story("Ship in one call")
def test_shipping_the_order_ships_every_line_in_one_shipment_and_completes_it(open_order: dict[str, Any], order_desk: Actor, seeder: Seeder) -> None:
    order_id = open_order["ID"]
    shipped = order_desk.api.ok("POST", f"/orders/Incoming/{order_id}/ship", {"Shipper": "FedEx"})
    shipments = order_desk.api.ok("GET", f"/orders/Incoming/{order_id}/shipments")["Items"]
    for shipment in shipments:
        seeder.delete_later(f"/shipments/{shipment['ID']}", order_desk.api)
    assert shipped["Status"] == "Completed"
    assert len(shipments) == 1, f"one shipment with everything, got {len(shipments)}"
    assert all(line["QuantityShipped"] == line["Quantity"] for line in lines_by_product(order_desk, order_id).values())


@allure.story("Complete")
def test_a_completed_order_can_be_neither_shipped_nor_completed_again(open_order: dict[str, Any], order_desk: Actor) -> None:
    order_id = open_order["ID"]
    completed = order_desk.api.ok("POST", f"/orders/Incoming/{order_id}/complete")
    assert completed["Status"] == "Completed" and completed["DateCompleted"]
    refused_with(order_desk.api.post(f"/orders/Incoming/{order_id}/ship", {}), "Order.CannotShipBadStatus", "shipping a completed order")
    refused_with(order_desk.api.post(f"/orders/Incoming/{order_id}/complete"), "Order.CannotCompleteBadStatus", "completing a completed order")


@allure.story("Complete")
def test_an_order_awaiting_approval_can_be_neither_shipped_nor_completed(
    shopper: Actor, order_desk: Actor, new_product: Callable[..., dict[str, Any]], buyer_a: SeededBuyer, place_order: Callable[..., dict[str, Any]]
) -> None:
    boardroom_table = new_product("fulfilment-boardroom-table", [(1, 4800.0)])["ID"]
    placed = place_order(shopper, [(boardroom_table, 1)], ship_to=buyer_a.address_ids[0])
    order = shopper.api.ok("POST", f"/orders/Outgoing/{placed['ID']}/submit")
    assert order["Status"] == "AwaitingApproval"
    refused_with(order_desk.api.post(f"/orders/Incoming/{order['ID']}/ship", {}), "Order.CannotShipBadStatus", "shipping an order awaiting approval")
    refused_with(order_desk.api.post(f"/orders/Incoming/{order['ID']}/complete"), "Order.CannotCompleteBadStatus", "completing an order awaiting approval")
    assert order_desk.api.ok("GET", f"/orders/Incoming/{order['ID']}")["Status"] == "AwaitingApproval"
