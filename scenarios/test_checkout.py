"""Journey 3: checkout, from an empty cart to an Open order in the seller's hands.

A shopper of the first buyer orders desk lamps (20.00 each, 15.00 from ten up, fifty in
stock) and a seeded product: line prices follow the price breaks, totals add up, the
order ships to a one-time address and bills to a saved one, the purchase-order payment
is accepted by the seller's order desk, and submitting opens the order, which the seller
then sees as Incoming while the stock goes down by what was ordered (BEHAVIOUR.md §4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import pytest
from actors import Actor

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, SeededMarketplace, Seeder

pytestmark = [allure.epic("Scenarios"), allure.feature("Checkout")]

LAMP_BREAKS = [(1, 20.0), (10, 15.0)]
LAMP_STOCK = 50


@pytest.fixture(scope="module")
def shopper(new_actor: Callable[..., Actor], buyer_a: SeededBuyer) -> Actor:
    return new_actor("checkout-shopper", buyer=buyer_a)


@pytest.fixture(scope="module")
def lamp(new_product: Callable[..., dict[str, Any]]) -> str:
    return new_product("checkout-lamp", LAMP_BREAKS, inventory=LAMP_STOCK)["ID"]


def one_time_address(seeder: Seeder) -> dict[str, Any]:
    fake = seeder.fake
    return {"FirstName": fake.first_name(), "LastName": fake.last_name(), "Street1": fake.street_address(), "City": fake.city(), "State": fake.state_abbr(), "Zip": fake.postcode(), "Country": "US"}


def stock_of(seller: OrderCloudClient, product_id: str) -> int:
    return seller.ok("GET", f"/products/{product_id}")["Inventory"]["QuantityAvailable"]


@allure.story("Price breaks")
@pytest.mark.parametrize(("quantity", "unit_price"), [(1, 20.0), (9, 20.0), (10, 15.0), (25, 15.0)])
def test_the_unit_price_is_the_price_of_the_highest_break_reached(
    shopper: Actor, lamp: str, place_order: Callable[..., dict[str, Any]], quantity: int, unit_price: float
) -> None:
    order = place_order(shopper, [(lamp, quantity)])
    line = shopper.api.ok("GET", f"/orders/Outgoing/{order['ID']}/lineitems")["Items"][0]
    assert line["UnitPrice"] == unit_price, f"price break not applied: {quantity} lamps should cost {unit_price:.2f} each, got {line['UnitPrice']}"
    assert line["LineSubtotal"] == pytest.approx(quantity * unit_price)
    assert order["Subtotal"] == pytest.approx(quantity * unit_price)


@allure.story("Price breaks")
def test_changing_the_quantity_across_a_break_reprices_the_line(shopper: Actor, lamp: str, place_order: Callable[..., dict[str, Any]]) -> None:
    order = place_order(shopper, [(lamp, 3)])
    line = shopper.api.ok("GET", f"/orders/Outgoing/{order['ID']}/lineitems")["Items"][0]
    assert line["UnitPrice"] == 20.0
    line = shopper.api.ok("PATCH", f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}", {"Quantity": 12})
    assert line["UnitPrice"] == 15.0, f"price break not applied: 12 lamps should cost 15.00 each after the change, got {line['UnitPrice']}"
    assert line["LineTotal"] == pytest.approx(180.0)


@allure.story("Order checkout")
def test_a_shopper_checks_out_and_the_seller_receives_an_open_order_with_the_stock_deducted(
    shopper: Actor,
    lamp: str,
    buyer_a: SeededBuyer,
    marketplace: SeededMarketplace,
    seeder: Seeder,
    seller: OrderCloudClient,
    order_desk: Actor,
    place_order: Callable[..., dict[str, Any]],
) -> None:
    other = marketplace.product_ids[0]
    other_price = shopper.api.ok("GET", f"/me/products/{other}")["PriceSchedule"]["PriceBreaks"][0]["Price"]
    with allure.step("The shopper fills an order: 12 lamps and 2 of another product"):
        order = place_order(shopper, [(lamp, 12), (other, 2)])
        orders = f"/orders/Outgoing/{order['ID']}"
    assert (order["Status"], order["FromCompanyID"], order["FromUserID"]) == ("Unsubmitted", buyer_a.id, shopper.id)
    expected_subtotal = 12 * 15.0 + 2 * other_price
    assert order["LineItemCount"] == 2
    assert order["Subtotal"] == pytest.approx(expected_subtotal), "Subtotal is the sum of the lines"
    assert order["Total"] == pytest.approx(expected_subtotal), "without shipping, tax or promotions the Total is the Subtotal"

    with allure.step("The shopper ships to a one-time address and bills to the company's billing address"):
        ship_to = one_time_address(seeder)
        shopper.api.ok("PUT", f"{orders}/shipto", ship_to)
        order = shopper.api.ok("PATCH", orders, {"BillingAddressID": buyer_a.address_ids[1]})
    lines = shopper.api.ok("GET", f"{orders}/lineitems")["Items"]
    assert {line["ShippingAddress"]["Street1"] for line in lines} == {ship_to["Street1"]}, "the ship-to address lands on every line"
    billing = seller.ok("GET", f"/buyers/{buyer_a.id}/addresses/{buyer_a.address_ids[1]}")
    assert order["BillingAddress"]["Street1"] == billing["Street1"]

    with allure.step("The shopper pays by purchase order; the order desk accepts the payment"):
        payment = shopper.api.ok("POST", f"{orders}/payments", {"Type": "PurchaseOrder", "Amount": order["Total"]})
        assert payment["Accepted"] is not True, "a shopper's payment is not accepted until the seller accepts it"
        order_desk.api.ok("PATCH", f"/orders/Incoming/{order['ID']}/payments/{payment['ID']}", {"Accepted": True})

    stock_before = stock_of(seller, lamp)
    with allure.step("The shopper submits the order"):
        shopper.api.ok("POST", f"{orders}/validate")
        submitted = shopper.api.ok("POST", f"{orders}/submit")
    assert (submitted["Status"], submitted["IsSubmitted"]) == ("Open", True)
    assert submitted["DateSubmitted"], "a submitted order has its DateSubmitted"

    incoming = order_desk.api.ok("GET", "/orders/Incoming", ID=order["ID"])["Items"]
    assert [(o["ID"], o["Status"], o["FromCompanyID"]) for o in incoming] == [(order["ID"], "Open", buyer_a.id)], "the seller sees the order as Incoming and Open"
    assert incoming[0]["Total"] == pytest.approx(expected_subtotal)
    assert stock_of(seller, lamp) == stock_before - 12, f"inventory not deducted on submit: expected {stock_before - 12} lamps left, the seller sees {stock_of(seller, lamp)}"


@allure.story("Cart")
def test_the_cart_is_the_shoppers_unsubmitted_order_until_it_is_submitted(
    new_actor: Callable[..., Actor], buyer_a: SeededBuyer, lamp: str, seeder: Seeder
) -> None:
    shopper = new_actor("cart-shopper", buyer=buyer_a)
    empty = shopper.api.ok("GET", "/cart")
    assert empty["ID"] is None, "without an unsubmitted order the cart is an empty order with no ID"
    with allure.step("The shopper starts a cart and puts two lamps in it, shipped to the company's address"):
        cart = shopper.api.ok("PUT", "/cart", {"ID": seeder.id("cart-order"), "Comments": "for the office"})
        seeder.delete_later(f"/orders/Incoming/{cart['ID']}")
        shopper.api.ok("POST", "/cart/lineitems", {"ProductID": lamp, "Quantity": 2, "ShippingAddressID": buyer_a.address_ids[0]})
    cart = shopper.api.ok("GET", "/cart")
    assert (cart["LineItemCount"], cart["Subtotal"], cart["Status"]) == (1, 40.0, "Unsubmitted")
    with allure.step("The shopper checks out"):
        submitted = shopper.api.ok("POST", "/cart/submit")
    assert (submitted["ID"], submitted["Status"]) == (cart["ID"], "Open")
    assert shopper.api.ok("GET", "/cart")["ID"] is None, "after checkout the shopper has no cart until the next order starts"
    mine = shopper.api.ok("GET", "/me/orders", ID=cart["ID"])["Items"]
    assert [o["Status"] for o in mine] == ["Open"], "the submitted cart is among the shopper's orders"
