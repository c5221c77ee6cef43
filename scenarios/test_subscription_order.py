"""Journey: a buyer's subscription places an order when it comes due (documents with subscriptions).

A shopper of the first buyer subscribes, through /me/subscriptions, to six bags of coffee (12.00
each, 10.00 from five up) and a pack of filters (4.50) every two weeks, shipped to the company's
address and billed to its billing address, starting a minute from now. Nothing is ordered before
that date; once the clock has passed it and the subscriptions are processed, the shopper finds
among their orders an Open order placed from the subscription (its SubscriptionID), with the
subscription's lines at their price-break prices and totals that add up, and the subscription
moved on two weeks.

OrderCloud places subscription orders on its own schedule, which no API call can hurry; the
journey needs the embedded sandbox, whose `POST /_sandbox/subscriptions/process` does it on
demand (and whose clock moves on at `POST /_sandbox/clock`). It skips elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import allure
import httpx
import pytest
from actors import Actor

from ocgate.api.seeding import SeededBuyer, SeededMarketplace, Seeder
from ocgate.api.target import Target
from ocgate.spec import Spec

pytestmark = [allure.epic("Scenarios"), allure.feature("Subscriptions")]

NEEDED = ("Me.CreateSubscription", "Me.CreateSubscriptionItem", "Me.GetSubscription", "Me.ListOrders")
COFFEE_BREAKS = [(1, 12.0), (5, 10.0)]
FILTERS_PRICE = 4.5
#: how far ahead of the sandbox clock the first order date lies
LEAD_SECONDS = 60


class Sandbox:
    """The embedded sandbox's own endpoints this journey uses: its clock and subscription processing."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _post(self, path: str, body: Any = None) -> Any:
        response = httpx.post(f"{self.base_url}/_sandbox/{path}", json=body)
        assert response.status_code == 200, f"POST /_sandbox/{path}: {response.status_code} {response.text}"
        return response.json()

    def now(self) -> datetime:
        offset = self._post("clock", {"seconds": 0})["offset_seconds"]
        return datetime.now(timezone.utc) + timedelta(seconds=offset)

    def advance(self, seconds: int) -> None:
        with allure.step(f"The sandbox clock moves {seconds} s on"):
            self._post("clock", {"seconds": seconds})

    def process(self, subscription_id: str) -> dict[str, list[Any]]:
        """Process the due subscriptions; what happened to this one."""
        with allure.step("The sandbox processes the due subscriptions, as OrderCloud does on its schedule"):
            outcome = self._post("subscriptions/process")
        return {kind: [entry for entry in outcome[kind] if entry["SubscriptionID"] == subscription_id] for kind in ("Placed", "Failed")}


@pytest.fixture(scope="module")
def sandbox(target: Target, spec: Spec) -> Sandbox:
    missing = [operation_id for operation_id in NEEDED if operation_id not in {op.operation_id for op in spec.operations}]
    if missing:
        pytest.skip(f"the target's OpenAPI document has no {missing[0]} (subscriptions came after 1.0.260; try spec builtin:current)")
    if not target.is_embedded:
        pytest.skip("orders from subscriptions need the embedded sandbox's processing endpoint; OrderCloud places them on its own schedule")
    return Sandbox(target.base_url)


@pytest.fixture(scope="module")
def subscriber(sandbox: Sandbox, new_actor: Callable[..., Actor], buyer_a: SeededBuyer, marketplace: SeededMarketplace) -> Actor:
    return new_actor("subscriber", (*marketplace.data.roles.shopper, "MeSubscriptionAdmin"), buyer=buyer_a)


@pytest.fixture(scope="module")
def coffee(sandbox: Sandbox, new_product: Callable[..., dict[str, Any]]) -> str:
    return new_product("subscription-coffee", COFFEE_BREAKS)["ID"]


@pytest.fixture(scope="module")
def filters(sandbox: Sandbox, new_product: Callable[..., dict[str, Any]]) -> str:
    return new_product("subscription-filters", [(1, FILTERS_PRICE)])["ID"]


@allure.story("Order from a subscription")
def test_a_due_subscription_places_an_order_the_buyer_finds_with_its_lines_and_totals(
    sandbox: Sandbox, subscriber: Actor, coffee: str, filters: str, buyer_a: SeededBuyer, seeder: Seeder
) -> None:
    with allure.step("The shopper subscribes to 6 bags of coffee and 1 pack of filters every 2 weeks, from a minute on"):
        start = (sandbox.now() + timedelta(seconds=LEAD_SECONDS)).isoformat()
        body = {
            "ID": seeder.id("coffee-subscription"),
            "Frequency": 2,
            "Interval": "Weeks",
            "NextOrderDate": start,
            "Active": True,
            "ShippingAddressID": buyer_a.address_ids[0],
            "BillingAddressID": buyer_a.address_ids[1],
        }
        subscription = subscriber.api.ok("POST", "/me/subscriptions", body)
        seeder.delete_later(f"/me/subscriptions/{subscription['ID']}", subscriber.api)
        for product_id, quantity in ((coffee, 6), (filters, 1)):
            subscriber.api.ok("POST", f"/me/subscriptions/{subscription['ID']}/items", {"ProductID": product_id, "Quantity": quantity})
    assert (subscription["FromUserID"], subscription["FromCompanyID"]) == (subscriber.id, buyer_a.id), "a subscription made at /me is the shopper's"

    assert sandbox.process(subscription["ID"]) == {"Placed": [], "Failed": []}, "nothing is ordered before the subscription's date"

    sandbox.advance(LEAD_SECONDS + 1)
    outcome = sandbox.process(subscription["ID"])
    assert outcome["Failed"] == [], f"the due subscription's order was refused: {outcome['Failed']}"
    assert len(outcome["Placed"]) == 1, "a due subscription places one order"
    order_id = outcome["Placed"][0]["OrderID"]
    seeder.delete_later(f"/orders/Incoming/{order_id}")  # a submitted order: only an order admin may delete it

    with allure.step("The shopper finds the order among their orders"):
        mine = subscriber.api.ok("GET", "/me/orders", ID=order_id)["Items"]
    assert [(o["SubscriptionID"], o["Status"], o["FromUserID"]) for o in mine] == [(subscription["ID"], "Open", subscriber.id)], "an Open order placed from the subscription"
    expected = 6 * 10.0 + FILTERS_PRICE
    assert (mine[0]["Subtotal"], mine[0]["Total"]) == (pytest.approx(expected), pytest.approx(expected)), "the subscription's lines at their price-break prices"
    lines = subscriber.api.ok("GET", f"/orders/Outgoing/{order_id}/lineitems")["Items"]
    assert sorted((line["ProductID"], line["Quantity"], line["UnitPrice"]) for line in lines) == sorted([(coffee, 6, 10.0), (filters, 1, FILTERS_PRICE)])
    assert {line["ShippingAddressID"] for line in lines} == {buyer_a.address_ids[0]}, "the lines ship to the subscription's address"

    after = subscriber.api.ok("GET", f"/me/subscriptions/{subscription['ID']}")
    assert after["LastOrderDate"] == subscription["NextOrderDate"], "LastOrderDate is the date that was due"
    moved = datetime.fromisoformat(after["NextOrderDate"]) - datetime.fromisoformat(subscription["NextOrderDate"])
    assert moved == timedelta(weeks=2), f"the next order date moves on by 2 weeks, it moved {moved}"
