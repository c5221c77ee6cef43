"""Journey: a bundle checked out from the cart (documents with bundles).

The seller makes a "Tea set" bundle of a kettle (35.00) and mugs (6.00 each, two by default),
assigns it to the first buyer and its catalog. A shopper adds the bundle to the cart in one call:
both lines arrive together, and deleting the bundle item takes both away again. Added once more,
the bundle is checked out: the Open order holds both lines, and its totals add up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import pytest
from actors import Actor

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, Seeder
from ocgate.spec import Spec

pytestmark = [allure.epic("Scenarios"), allure.feature("Bundles")]

NEEDED = ("Bundles.Create", "Bundles.SaveProductAssignment", "Bundles.SaveAssignment", "Catalogs.SaveBundleAssignment", "Cart.CreateBundleItem", "Cart.DeleteBundleItem")
KETTLE_PRICE = 35.0
MUG_PRICE = 6.0
MUGS = 2


@pytest.fixture(scope="module")
def bundles(spec: Spec) -> None:
    missing = [operation_id for operation_id in NEEDED if operation_id not in {op.operation_id for op in spec.operations}]
    if missing:
        pytest.skip(f"the target's OpenAPI document has no {missing[0]} (bundles came after 1.0.260; try spec builtin:current)")


@pytest.fixture(scope="module")
def tea_set(bundles: None, seeder: Seeder, seller: OrderCloudClient, buyer_a: SeededBuyer, new_product: Callable[..., dict[str, Any]]) -> dict[str, str]:
    """The seller's bundle of a kettle and two mugs, assigned to the first buyer and its catalog."""
    kettle = new_product("bundle-kettle", [(1, KETTLE_PRICE)])["ID"]
    mug = new_product("bundle-mug", [(1, MUG_PRICE)])["ID"]
    bundle_id = seeder.create("/bundles", {"ID": seeder.id("tea-set"), "Name": "Tea set", "Active": True}, client=seller)["ID"]
    for product_id, quantity in ((kettle, None), (mug, MUGS)):
        body = {"BundleID": bundle_id, "ProductID": product_id, "Required": True, "DefaultQuantity": quantity}
        seeder.assign("/bundles/productassignments", body, f"/bundles/{bundle_id}/productassignments/{product_id}")
    seeder.assign("/bundles/assignments", {"BundleID": bundle_id, "BuyerID": buyer_a.id}, f"/bundles/{bundle_id}/assignments/{buyer_a.id}")
    seeder.assign("/catalogs/bundleassignments", {"CatalogID": buyer_a.id, "BundleID": bundle_id}, f"/catalogs/{buyer_a.id}/bundleassignments/{bundle_id}")
    return {"ID": bundle_id, "kettle": kettle, "mug": mug}


@pytest.fixture(scope="module")
def shopper(bundles: None, new_actor: Callable[..., Actor], buyer_a: SeededBuyer) -> Actor:
    return new_actor("bundle-shopper", buyer=buyer_a)


def cart_lines(shopper: Actor) -> list[tuple[str, int]]:
    return sorted((line["ProductID"], line["Quantity"]) for line in shopper.api.ok("GET", "/cart/lineitems")["Items"])


@allure.story("Bundle in the cart")
def test_a_bundle_goes_into_the_cart_as_one_group_and_is_checked_out_with_both_lines(shopper: Actor, tea_set: dict[str, str], seeder: Seeder) -> None:
    both = sorted([(tea_set["kettle"], 1), (tea_set["mug"], MUGS)])
    with allure.step("The shopper starts a cart and adds the tea set"):
        cart = shopper.api.ok("PUT", "/cart", {"ID": seeder.id("bundle-cart")})
        seeder.delete_later(f"/orders/Incoming/{cart['ID']}")  # once submitted, only an order admin may delete it
        item = shopper.api.ok("POST", f"/cart/bundles/{tea_set['ID']}", {})
    assert cart_lines(shopper) == both, "one call adds a line for each product of the bundle, at its default quantity"
    assert item["ProductID"] in (tea_set["kettle"], tea_set["mug"]), "the bundle item is one of the group's lines"

    with allure.step("The shopper takes the tea set out again"):
        shopper.api.ok("DELETE", f"/cart/bundles/{tea_set['ID']}/{item['ID']}")
    assert cart_lines(shopper) == [], "deleting the bundle item removes every line of its group"

    with allure.step("The shopper adds the tea set once more and checks out"):
        shopper.api.ok("POST", f"/cart/bundles/{tea_set['ID']}", {})
        submitted = shopper.api.ok("POST", "/cart/submit")
    expected = KETTLE_PRICE + MUGS * MUG_PRICE
    assert (submitted["ID"], submitted["Status"]) == (cart["ID"], "Open")
    assert (submitted["LineItemCount"], submitted["Subtotal"], submitted["Total"]) == (2, pytest.approx(expected), pytest.approx(expected))
    lines = shopper.api.ok("GET", f"/orders/Outgoing/{cart['ID']}/lineitems")["Items"]
    assert sorted((line["ProductID"], line["Quantity"]) for line in lines) == both, "the order holds both lines of the bundle"
