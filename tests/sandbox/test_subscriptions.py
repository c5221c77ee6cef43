"""Subscriptions on the current API (builtin:current): a due subscription places a priced, submitted
order from its user when the sandbox processes subscriptions, and then moves on to its next date."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from _commerce_fixtures import SHOPPER, Shop, error, ok, shop  # noqa: F401  (shop is a fixture)
from _sandbox_api import BuyerPersona

from ocgate.config import Settings, load_settings
from ocgate.sandbox.server import EmbeddedSandbox

SUBSCRIBER = (*SHOPPER, "MeSubscriptionAdmin")
PROCESS = "/_sandbox/subscriptions/process"


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(spec="builtin:current")


@pytest.fixture(scope="module")
def subscriber(shop: Shop) -> BuyerPersona:
    """A user of the shop's buyer who may keep subscriptions of their own."""
    return shop.colleague(roles=SUBSCRIBER)


def sandbox_now(sandbox: EmbeddedSandbox) -> datetime:
    offset = ok(httpx.post(f"{sandbox.base_url}/_sandbox/clock", json={"seconds": 0}))["offset_seconds"]
    return datetime.now(timezone.utc) + timedelta(seconds=offset)


def when(sandbox: EmbeddedSandbox, **delta: float) -> str:
    """A date this far from the sandbox clock's now (e.g. days=-1), ISO 8601."""
    return (sandbox_now(sandbox) + timedelta(**delta)).isoformat()


def process(sandbox: EmbeddedSandbox, subscription_id: str) -> dict[str, Any]:
    """Process the due subscriptions; what happened to this one: {"Placed": [...], "Failed": [...], "Deactivated": bool}."""
    outcome = ok(httpx.post(f"{sandbox.base_url}{PROCESS}"))
    return {
        "Placed": [entry for entry in outcome["Placed"] if entry["SubscriptionID"] == subscription_id],
        "Failed": [entry for entry in outcome["Failed"] if entry["SubscriptionID"] == subscription_id],
        "Deactivated": subscription_id in outcome["Deactivated"],
    }


def subscribe(api: httpx.Client, items: list[tuple[str, int]], **fields: Any) -> dict[str, Any]:
    """A weekly, active subscription of the caller's with these (product, quantity) items; `fields` override."""
    body = {"Frequency": 1, "Interval": "Weeks", "Active": True, **fields}
    subscription = ok(api.post("/me/subscriptions", json=body))
    for product_id, quantity in items:
        ok(api.post(f"/me/subscriptions/{subscription['ID']}/items", json={"ProductID": product_id, "Quantity": quantity}))
    return subscription


def admin_subscription(shop: Shop, user: BuyerPersona, **fields: Any) -> dict[str, Any]:
    """A subscription the seller keeps for `user`, with one item of a new 4.00 product."""
    body = {"Frequency": 1, "Interval": "Weeks", "Active": True, "FromCompanyID": user.buyer_id, "FromUserID": user.user_id, **fields}
    subscription = ok(shop.admin.post("/subscriptions", json=body))
    ok(shop.admin.post(f"/subscriptions/{subscription['ID']}/items", json={"ProductID": shop.product(breaks=((1, 4.0),)), "Quantity": 1}))
    return subscription


def test_a_due_subscription_places_a_priced_submitted_order_from_its_user(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    first, second = shop.product(breaks=((1, 5.0), (3, 4.0))), shop.product(breaks=((1, 3.0),))
    address = ok(shop.admin.post(f"/buyers/{subscriber.buyer_id}/addresses", json={"Street1": "1 Main St", "City": "Minneapolis", "State": "MN", "Zip": "55401", "Country": "US"}))
    due = when(sandbox, hours=-1)
    subscription = subscribe(subscriber.api, [(first, 3), (second, 1)], NextOrderDate=due, ShippingAddressID=address["ID"], BillingAddressID=address["ID"])
    placed = process(sandbox, subscription["ID"])["Placed"]
    assert [(entry["SubscriptionID"], entry["Status"]) for entry in placed] == [(subscription["ID"], "Open")]
    order = ok(subscriber.api.get("/me/orders", params={"ID": placed[0]["OrderID"]}))["Items"][0]
    assert (order["SubscriptionID"], order["FromUserID"], order["FromCompanyID"], order["IsSubmitted"]) == (subscription["ID"], subscriber.user_id, subscriber.buyer_id, True)
    assert (order["Subtotal"], order["Total"], order["BillingAddress"]["Street1"]) == (3 * 4.0 + 3.0, 3 * 4.0 + 3.0, "1 Main St")
    lines = ok(subscriber.api.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"]
    assert {(line["ProductID"], line["Quantity"], line["UnitPrice"], line["ShippingAddressID"]) for line in lines} == {(first, 3, 4.0, address["ID"]), (second, 1, 3.0, address["ID"])}
    after = ok(subscriber.api.get(f"/me/subscriptions/{subscription['ID']}"))
    assert after["LastOrderDate"] == subscription["NextOrderDate"]
    assert datetime.fromisoformat(after["NextOrderDate"]) - datetime.fromisoformat(subscription["NextOrderDate"]) == timedelta(weeks=1)
    assert process(sandbox, subscription["ID"])["Placed"] == [], "once placed, the subscription waits for its next date"


@pytest.mark.parametrize(
    ("interval", "frequency", "due", "following"),
    [
        ("Days", 3, "2025-03-01T09:00:00Z", "2025-03-04T09:00:00.000+00:00"),
        ("Weeks", 2, "2025-03-01T09:00:00Z", "2025-03-15T09:00:00.000+00:00"),
        ("Months", 1, "2025-01-31T09:00:00Z", "2025-02-28T09:00:00.000+00:00"),
        ("Months", 12, "2024-02-29T09:00:00+02:00", "2025-02-28T07:00:00.000+00:00"),
    ],
)
def test_the_next_order_date_moves_on_by_frequency_intervals_from_the_date_that_was_due(
    shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox, interval: str, frequency: int, due: str, following: str
) -> None:
    subscription = admin_subscription(shop, subscriber, Interval=interval, Frequency=frequency, NextOrderDate=due)
    assert len(process(sandbox, subscription["ID"])["Placed"]) == 1
    after = ok(shop.admin.get(f"/subscriptions/{subscription['ID']}"))
    assert (after["LastOrderDate"], after["NextOrderDate"]) == (subscription["NextOrderDate"], following)
    ok(shop.admin.patch(f"/subscriptions/{subscription['ID']}", json={"Active": False}))  # no further orders for the tests after this one


def test_a_subscription_several_periods_behind_places_one_order_per_processing(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    subscription = admin_subscription(shop, subscriber, Interval="Days", NextOrderDate=when(sandbox, days=-2, hours=-1))
    orders = [process(sandbox, subscription["ID"])["Placed"] for _ in range(4)]
    assert [len(placed) for placed in orders] == [1, 1, 1, 0], "two days and an hour behind: three orders, one at a time, then none"


def test_an_inactive_or_not_yet_due_subscription_places_nothing(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    product = shop.product()
    inactive = subscribe(subscriber.api, [(product, 1)], NextOrderDate=when(sandbox, days=-1), Active=False)
    early = subscribe(subscriber.api, [(product, 1)], NextOrderDate=when(sandbox, days=1))
    for subscription in (inactive, early):
        assert process(sandbox, subscription["ID"]) == {"Placed": [], "Failed": [], "Deactivated": False}
        assert ok(subscriber.api.get(f"/me/subscriptions/{subscription['ID']}"))["LastOrderDate"] is None


def test_moving_the_sandbox_clock_makes_a_subscription_due(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    subscription = subscribe(subscriber.api, [(shop.product(), 1)], NextOrderDate=when(sandbox, minutes=2))
    assert process(sandbox, subscription["ID"])["Placed"] == []
    ok(httpx.post(f"{sandbox.base_url}/_sandbox/clock", json={"seconds": 150}))  # well within the tests' 10-minute tokens
    assert len(process(sandbox, subscription["ID"])["Placed"]) == 1


def test_a_subscription_past_its_end_date_becomes_inactive_without_an_order(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    subscription = subscribe(subscriber.api, [(shop.product(), 1)], EndDate=when(sandbox, days=-2), NextOrderDate=when(sandbox, days=-1))
    assert process(sandbox, subscription["ID"]) == {"Placed": [], "Failed": [], "Deactivated": True}
    assert ok(subscriber.api.get(f"/me/subscriptions/{subscription['ID']}"))["Active"] is False


def test_the_last_order_of_its_term_is_placed_and_then_the_subscription_ends(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    subscription = subscribe(subscriber.api, [(shop.product(), 1)], NextOrderDate=when(sandbox, days=-3), EndDate=when(sandbox, days=-2))
    outcome = process(sandbox, subscription["ID"])
    assert (len(outcome["Placed"]), outcome["Deactivated"]) == (1, True), "the order due within the term is placed, the next would fall after it"


def test_a_subscription_whose_order_cannot_be_placed_gets_none_and_stays_due(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    kept, gone = shop.product(), shop.product()
    subscription = subscribe(subscriber.api, [(kept, 1), (gone, 1)], NextOrderDate=when(sandbox, hours=-1))
    orders_before = ok(subscriber.api.get("/me/orders"))["Meta"]["TotalCount"]
    assert shop.admin.delete(f"/products/{gone}").status_code == 204
    for _ in range(2):  # refused again at the next processing: it stays due
        failed = process(sandbox, subscription["ID"])["Failed"]
        assert [entry["Errors"][0]["ErrorCode"] for entry in failed] == ["NotFound"]
        assert failed[0]["Errors"][0]["Data"] == {"ObjectType": "Product", "ObjectID": gone}
    assert ok(subscriber.api.get("/me/orders"))["Meta"]["TotalCount"] == orders_before, "no order is left behind, not even an unsubmitted one"
    after = ok(subscriber.api.get(f"/me/subscriptions/{subscription['ID']}"))
    assert (after["LastOrderDate"], after["NextOrderDate"], after["Active"]) == (None, subscription["NextOrderDate"], True)
    ok(subscriber.api.patch(f"/me/subscriptions/{subscription['ID']}", json={"Active": False}))


def test_the_subscriptions_payment_pays_the_whole_order(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    subscription = admin_subscription(shop, subscriber, NextOrderDate=when(sandbox, hours=-1), Payment={"Type": "PurchaseOrder"})
    order_id = process(sandbox, subscription["ID"])["Placed"][0]["OrderID"]
    payments = ok(shop.admin.get(f"/orders/Incoming/{order_id}/payments"))["Items"]
    assert [(payment["Type"], payment["Accepted"], payment["Amount"]) for payment in payments] == [("PurchaseOrder", True, None)], "one accepted payment of the whole order"


def test_a_subscription_to_another_company_than_the_marketplace_owner_is_refused(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    supplier = ok(shop.admin.post("/suppliers", json={"Name": "Beans Inc", "Active": True}))
    subscription = admin_subscription(shop, subscriber, NextOrderDate=when(sandbox, hours=-1), ToCompanyID=supplier["ID"])
    failed = process(sandbox, subscription["ID"])["Failed"]
    assert [entry["Errors"][0]["ErrorCode"] for entry in failed] == ["Order.CannotCreateInvalid"]
    ok(shop.admin.patch(f"/subscriptions/{subscription['ID']}", json={"Active": False}))


def test_a_bundle_on_a_subscription_orders_each_of_its_lines(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    first, second = shop.product(breaks=((1, 5.0),)), shop.product(breaks=((1, 3.0),))
    bundle = ok(shop.admin.post("/bundles", json={"Name": "Monthly kit", "Active": True}))
    for product_id, quantity in ((first, None), (second, 2)):
        assignment = {"BundleID": bundle["ID"], "ProductID": product_id, "Required": True, "DefaultQuantity": quantity}
        assert shop.admin.post("/bundles/productassignments", json=assignment).status_code == 204
    subscription = subscribe(subscriber.api, [], NextOrderDate=when(sandbox, hours=-1))
    ok(subscriber.api.post(f"/me/subscriptions/{subscription['ID']}/items/bundles/{bundle['ID']}", json={}))
    order_id = process(sandbox, subscription["ID"])["Placed"][0]["OrderID"]
    lines = ok(subscriber.api.get(f"/orders/Outgoing/{order_id}/lineitems"))["Items"]
    assert {(line["ProductID"], line["Quantity"]) for line in lines} == {(first, 1), (second, 2)}
    assert ok(subscriber.api.get(f"/orders/Outgoing/{order_id}"))["Total"] == 5.0 + 2 * 3.0


def test_my_subscriptions_are_mine_whatever_the_body_says(shop: Shop, subscriber: BuyerPersona, sandbox: EmbeddedSandbox) -> None:
    other = shop.colleague(roles=SUBSCRIBER)
    mine = subscribe(subscriber.api, [], NextOrderDate=when(sandbox, days=30), FromUserID=other.user_id)
    assert (mine["FromUserID"], mine["FromCompanyID"]) == (subscriber.user_id, subscriber.buyer_id)
    assert error(other.api.get(f"/me/subscriptions/{mine['ID']}"), 404, "NotFound")["ObjectType"] == "Subscription"
    assert error(other.api.get(f"/me/subscriptions/{mine['ID']}/items"), 404, "NotFound")["ObjectType"] == "Subscription"
    assert mine["ID"] not in {s["ID"] for s in ok(other.api.get("/me/subscriptions"))["Items"]}
    assert mine["ID"] in {s["ID"] for s in ok(subscriber.api.get("/me/subscriptions"))["Items"]}


def test_a_subscription_refuses_a_date_that_is_not_a_date_and_a_frequency_below_one(subscriber: BuyerPersona) -> None:
    error(subscriber.api.post("/me/subscriptions", json={"Frequency": 1, "Interval": "Days", "NextOrderDate": "next Tuesday"}), 400, "ValidationFailure")
    error(subscriber.api.post("/me/subscriptions", json={"Frequency": 0, "Interval": "Days", "NextOrderDate": "2030-01-01"}), 400, "ValidationFailure")


def test_processing_needs_a_document_with_subscriptions() -> None:
    with EmbeddedSandbox(load_settings()) as default:
        answer = httpx.post(f"{default.base_url}{PROCESS}")
    assert error(answer, 404, "NotFound")["ObjectType"] == "Route"
