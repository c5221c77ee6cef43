"""Scripted role rules on top of the role matrix: what a role does and does not let a user do.

Readers read but do not write; buyers do not reach the seller's endpoints; a shopper
needs MeAddressAdmin to keep an address book; setting shipping or tax costs takes an
override role besides OrderAdmin; and only an order admin accepts a payment
(BEHAVIOUR.md §4.1, §4.4, §6). Each refusal is checked to have had no effect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import pytest
from actors import Actor
from expect import eventually, insufficient_roles, refused_with

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, SeededMarketplace, Seeder
from ocgate.scenarios import role_matrix

pytestmark = [allure.epic("Scenarios"), allure.feature("Role rules")]


@pytest.fixture(scope="module")
def as_role(role_personas: dict[str, role_matrix.RolePersona], api: Callable[[str], OrderCloudClient]) -> Callable[[str], OrderCloudClient]:
    """`as_role("seller-ProductReader")`: the client of a persona holding exactly that one role."""

    def client(name: str) -> OrderCloudClient:
        assert name in role_personas, f"no role persona {name}"
        return api(name)

    return client


@pytest.fixture(scope="module")
def shopper(new_actor: Callable[..., Actor], buyer_a: SeededBuyer) -> Actor:
    return new_actor("rules-shopper", buyer=buyer_a)


@allure.story("Readers read, admins write")
def test_a_product_reader_lists_products_but_cannot_create_one(
    as_role: Callable[[str], OrderCloudClient], marketplace: SeededMarketplace, seeder: Seeder, seller: OrderCloudClient
) -> None:
    reader = as_role("seller-ProductReader")
    listed = eventually(
        lambda: reader.ok("GET", "/products", ID=f"{marketplace.run_id}-prod*", pageSize=100)["Items"],
        lambda items: len(items) == len(marketplace.product_ids),
    )
    assert {p["ID"] for p in listed} == set(marketplace.product_ids), "a ProductReader sees the seller's products"
    product_id = seeder.id("rules-forbidden-product")
    seeder.delete_later(f"/products/{product_id}")  # only matters if the rule is broken
    insufficient_roles(reader.post("/products", {"ID": product_id, "Name": "Contraband", "Active": True}), "ProductAdmin", "ProductReader creating a product")
    assert seller.get(f"/products/{product_id}").status_code == 404, "ProductReader could create a product: the refused product exists"


@allure.story("Buyers stay on the buyer side")
@pytest.mark.parametrize(
    ("method", "path", "needed"),
    [
        ("GET", "/products", "ProductReader"),
        ("GET", "/buyers", "BuyerReader"),
        ("GET", "/orders/Incoming", "OrderReader"),
        ("GET", "/adminusers", "AdminUserReader"),
        ("GET", "/securityprofiles", "SecurityProfileReader"),
    ],
)
def test_a_shopper_cannot_reach_seller_endpoints(as_role: Callable[[str], OrderCloudClient], method: str, path: str, needed: str) -> None:
    shopper = as_role("buyer-Shopper")
    insufficient_roles(shopper.request(method, path), needed, f"a shopper calling {method} {path}")


@allure.story("Buyers stay on the buyer side")
def test_a_shopper_cannot_create_a_buyer(as_role: Callable[[str], OrderCloudClient], seeder: Seeder, seller: OrderCloudClient) -> None:
    buyer_id = seeder.id("rules-forbidden-buyer")
    seeder.delete_later(f"/catalogs/{buyer_id}")  # both only matter if the rule is broken
    seeder.delete_later(f"/buyers/{buyer_id}")
    insufficient_roles(as_role("buyer-Shopper").post("/buyers", {"ID": buyer_id, "Name": "Shadow buyer", "Active": True}), "BuyerAdmin", "a shopper creating a buyer")
    assert seller.get(f"/buyers/{buyer_id}").status_code == 404


@allure.story("Me address book")
def test_a_shopper_needs_me_address_admin_to_save_an_address(as_role: Callable[[str], OrderCloudClient], seeder: Seeder) -> None:
    address = {"ID": seeder.id("rules-home"), "AddressName": "Home", "Street1": seeder.fake.street_address(), "City": seeder.fake.city(), "State": "CA", "Zip": "94105", "Country": "US", "Shipping": True}
    shopper, keeper = as_role("buyer-Shopper"), as_role("buyer-MeAddressAdmin")
    insufficient_roles(shopper.post("/me/addresses", address), "MeAddressAdmin", "a Shopper without MeAddressAdmin saving an address")
    saved = keeper.ok("POST", "/me/addresses", address)
    seeder.delete_later(f"/me/addresses/{saved['ID']}", keeper)
    assert keeper.ok("GET", f"/me/addresses/{saved['ID']}")["Street1"] == address["Street1"], "with MeAddressAdmin the address is saved"


@allure.story("Override roles")
@pytest.mark.parametrize(("cost", "override", "refusal"), [("ShippingCost", "OverrideShipping", "Order.OverrideShippingPermission"), ("TaxCost", "OverrideTax", "Order.OverrideTaxPermission")])
def test_setting_a_cost_needs_its_override_role_besides_order_admin(
    cost: str,
    override: str,
    refusal: str,
    shopper: Actor,
    order_desk: Actor,
    new_actor: Callable[..., Actor],
    marketplace: SeededMarketplace,
    place_order: Callable[..., dict[str, Any]],
) -> None:
    order = place_order(shopper, [(marketplace.product_ids[3], 1)])
    calculator = new_actor(f"rules-{override.lower()}", ("OrderAdmin", override))
    incoming = f"/orders/Incoming/{order['ID']}"
    refused_with(shopper.api.patch(f"/orders/Outgoing/{order['ID']}", {cost: 12.5}), refusal, f"the shopper setting {cost}")
    refused_with(order_desk.api.patch(incoming, {cost: 12.5}), refusal, f"an order admin without {override} setting {cost}")
    assert not order_desk.api.ok("GET", incoming)[cost], f"the refused {cost} was not set"
    updated = calculator.api.ok("PATCH", incoming, {cost: 12.5})
    assert updated[cost] == 12.5, f"OrderAdmin with {override} sets {cost}"
    assert updated["Total"] == pytest.approx(order["Subtotal"] + 12.5), f"the Total includes the {cost}"


@allure.story("Payments")
def test_only_an_order_admin_can_accept_a_payment(shopper: Actor, order_desk: Actor, marketplace: SeededMarketplace, place_order: Callable[..., dict[str, Any]]) -> None:
    order = place_order(shopper, [(marketplace.product_ids[4], 1)])
    payments = f"/orders/Outgoing/{order['ID']}/payments"
    payment = shopper.api.ok("POST", payments, {"Type": "PurchaseOrder", "Amount": order["Total"]})
    shopper.api.request("PATCH", f"{payments}/{payment['ID']}", json_body={"Accepted": True})
    assert shopper.api.ok("GET", f"{payments}/{payment['ID']}")["Accepted"] is not True, "a shopper cannot accept its own payment"
    accepted = order_desk.api.ok("PATCH", f"/orders/Incoming/{order['ID']}/payments/{payment['ID']}", {"Accepted": True})
    assert accepted["Accepted"] is True, "an order admin accepts the payment"
