"""Journey 7: two buyer organizations on one marketplace do not see or touch each other.

A shopper of the second buyer (B) tries to read, change and submit the first buyer's (A)
orders, to use A's addresses, to read and change A's users, and to see and order the
product only A's catalog holds. OrderCloud answers 404 (as if it did not exist) or 403;
either way nothing of A's changes, which the seller confirms (BEHAVIOUR.md §4.3, §5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import pytest
from actors import Actor
from expect import eventually, hidden, refusal

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, SeededMarketplace

pytestmark = [allure.epic("Scenarios"), allure.feature("Isolation")]

@pytest.fixture(scope="module")
def shopper_a(new_actor: Callable[..., Actor], buyer_a: SeededBuyer) -> Actor:
    return new_actor("isolation-shopper-a", buyer=buyer_a)


@pytest.fixture(scope="module")
def shopper_b(new_actor: Callable[..., Actor], buyer_b: SeededBuyer) -> Actor:
    return new_actor("isolation-shopper-b", buyer=buyer_b)


@pytest.fixture(scope="module")
def orders_of_a(shopper_a: Actor, marketplace: SeededMarketplace, buyer_a: SeededBuyer, place_order: Callable[..., dict[str, Any]]) -> dict[str, str]:
    """An unsubmitted and an Open order of buyer A."""
    product = marketplace.product_ids[2]
    cart = place_order(shopper_a, [(product, 1)], ship_to=buyer_a.address_ids[0])
    placed = place_order(shopper_a, [(product, 2)], ship_to=buyer_a.address_ids[0])
    shopper_a.api.ok("POST", f"/orders/Outgoing/{placed['ID']}/submit")
    return {"Unsubmitted": cart["ID"], "Open": placed["ID"]}


@allure.story("Orders")
def test_another_buyer_cannot_read_an_order(shopper_b: Actor, orders_of_a: dict[str, str]) -> None:
    for status, order_id in orders_of_a.items():
        hidden(shopper_b.api.get(f"/orders/Outgoing/{order_id}"), f"reading A's {status} order")
        hidden(shopper_b.api.get(f"/orders/Outgoing/{order_id}/lineitems"), f"reading the lines of A's {status} order")
    mine = {order["ID"] for order in shopper_b.api.ok("GET", "/me/orders", pageSize=100)["Items"]}
    assert not mine & set(orders_of_a.values()), "A's orders are not among B's orders"


@allure.story("Orders")
def test_another_buyer_cannot_change_an_order_or_its_lines(shopper_b: Actor, orders_of_a: dict[str, str], marketplace: SeededMarketplace, seller: OrderCloudClient) -> None:
    order_id = orders_of_a["Unsubmitted"]
    before = seller.ok("GET", f"/orders/Incoming/{order_id}")
    hidden(shopper_b.api.patch(f"/orders/Outgoing/{order_id}", {"Comments": "B was here"}), "changing A's order")
    hidden(shopper_b.api.post(f"/orders/Outgoing/{order_id}/lineitems", {"ProductID": marketplace.product_ids[0], "Quantity": 5}), "adding a line to A's order")
    after = seller.ok("GET", f"/orders/Incoming/{order_id}")
    assert (after["Comments"], after["LineItemCount"], after["Total"]) == (before["Comments"], before["LineItemCount"], before["Total"]), "A's order is unchanged"


@allure.story("Orders")
def test_another_buyer_cannot_submit_or_cancel_an_order(shopper_b: Actor, orders_of_a: dict[str, str], seller: OrderCloudClient) -> None:
    hidden(shopper_b.api.post(f"/orders/Outgoing/{orders_of_a['Unsubmitted']}/submit"), "submitting A's cart")
    hidden(shopper_b.api.post(f"/orders/Outgoing/{orders_of_a['Unsubmitted']}/cancel"), "canceling A's cart")
    assert seller.ok("GET", f"/orders/Incoming/{orders_of_a['Unsubmitted']}")["Status"] == "Unsubmitted"


@allure.story("Addresses")
def test_another_buyer_can_neither_see_nor_use_an_address(shopper_b: Actor, buyer_a: SeededBuyer, place_order: Callable[..., dict[str, Any]]) -> None:
    visible = {address["ID"] for address in shopper_b.api.ok("GET", "/me/addresses", pageSize=100)["Items"]}
    assert not visible & set(buyer_a.address_ids), "A's addresses are not among B's"
    for address_id in buyer_a.address_ids:
        hidden(shopper_b.api.get(f"/me/addresses/{address_id}"), "reading A's address")
    order = place_order(shopper_b, [])
    hidden(shopper_b.api.patch(f"/orders/Outgoing/{order['ID']}", {"BillingAddressID": buyer_a.address_ids[1]}), "billing B's order to A's address")
    assert shopper_b.api.ok("GET", f"/orders/Outgoing/{order['ID']}")["BillingAddress"] is None


@allure.story("Users")
def test_another_buyer_can_neither_read_nor_change_a_user(shopper_b: Actor, shopper_a: Actor, buyer_a: SeededBuyer, seller: OrderCloudClient) -> None:
    user = f"/buyers/{buyer_a.id}/users/{shopper_a.id}"
    hidden(shopper_b.api.get(user), "reading A's user")
    hidden(shopper_b.api.patch(user, {"FirstName": "Mallory"}), "renaming A's user")
    hidden(shopper_b.api.get(f"/buyers/{buyer_a.id}/users"), "listing A's users")
    assert seller.ok("GET", user)["FirstName"] != "Mallory"


@allure.story("Catalog")
def test_another_buyer_can_neither_see_nor_order_a_product_outside_its_catalogs(
    shopper_b: Actor, shopper_a: Actor, marketplace: SeededMarketplace, place_order: Callable[..., dict[str, Any]]
) -> None:
    exclusive = marketplace.exclusive_product_id
    listed_for_a = eventually(lambda: shopper_a.api.ok("GET", "/me/products", ID=exclusive)["Items"], lambda items: bool(items))
    assert [p["ID"] for p in listed_for_a] == [exclusive], "A's catalog holds the product"
    assert shopper_b.api.ok("GET", "/me/products", ID=exclusive)["Items"] == [], "B's catalogs do not"
    hidden(shopper_b.api.get(f"/me/products/{exclusive}"), "reading a product outside B's catalogs")
    order = place_order(shopper_b, [])
    refusal(shopper_b.api.post(f"/orders/Outgoing/{order['ID']}/lineitems", {"ProductID": exclusive, "Quantity": 1}), "ordering a product outside B's catalogs")
    assert shopper_b.api.ok("GET", f"/orders/Outgoing/{order['ID']}")["LineItemCount"] == 0
