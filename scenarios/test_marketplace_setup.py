"""Journey 1: a seller sets up a marketplace from zero, as OrderCloud's getting-started guides do.

The seller admin creates an API client for a storefront, a buyer organization, a security
profile for buyer users assigned to the buyer, a buyer user, products with a price
schedule, and assigns products to the buyer's catalog (BEHAVIOUR.md §5). The buyer user
then logs in through the new API client and sees exactly what the visibility checklist
allows: the active, assigned products, priced where a price schedule applies.
"""

from __future__ import annotations

from dataclasses import dataclass

import allure
import pytest
from expect import eventually, refusal, refused_with

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import Seeder, new_password
from ocgate.api.target import Target
from ocgate.api.tokens import Credentials

pytestmark = [allure.epic("Scenarios"), allure.feature("Marketplace setup")]

BUYER_USER_ROLES = ["MeAdmin", "PasswordReset", "Shopper"]
SHIRT_PRICE = 10.0


@dataclass
class Storefront:
    """What the seller set up, and the buyer user's client."""

    buyer_id: str
    profile_id: str
    shirt: str  # active, priced, assigned to the buyer's catalog
    scarf: str  # active, assigned, but without a price
    hat: str  # active and priced, but not assigned
    sock: str  # priced and assigned, but inactive
    shopper: OrderCloudClient


def add_product(seeder: Seeder, seller: OrderCloudClient, name: str, *, active: bool = True, price: float | None = None) -> str:
    """A product as the guides create it: the product first, then its price schedule as its default."""
    product_id = seeder.id(f"setup-{name}")
    seeder.create("/products", {"ID": product_id, "Name": f"{name.title()} ({seeder.fake.color_name()})", "Active": active}, client=seller)
    if price is not None:
        schedule = {"ID": product_id, "Name": f"{name.title()} price", "PriceBreaks": [{"Quantity": 1, "Price": price}]}
        seeder.create("/priceschedules", schedule, client=seller)
        seller.ok("PATCH", f"/products/{product_id}", {"DefaultPriceScheduleID": product_id})
    return product_id


def assign_to_catalog(seeder: Seeder, seller: OrderCloudClient, catalog_id: str, product_id: str) -> None:
    seeder.assign(
        "/catalogs/productassignments",
        {"CatalogID": catalog_id, "ProductID": product_id},
        f"/catalogs/{catalog_id}/productassignments/{product_id}",
        client=seller,
    )


@pytest.fixture(scope="module")
def storefront(seeder: Seeder, seller: OrderCloudClient, target: Target) -> Storefront:
    with allure.step("The seller creates an API client for the storefront"):
        app = {"AppName": f"{seeder.run_id} storefront from zero", "Active": True, "AllowAnyBuyer": True, "AccessTokenDuration": 600}
        client_id = seeder.create("/apiclients", app, client=seller)["ID"]
    with allure.step("The seller creates a buyer organization (its default catalog comes with it)"):
        buyer_id = seeder.id("setup-buyer")
        seeder.delete_later(f"/catalogs/{buyer_id}", seller)  # the default catalog outlives the buyer: remove it after
        seeder.create("/buyers", {"ID": buyer_id, "Name": seeder.fake.company(), "Active": True}, client=seller)
    with allure.step("The seller gives the buyer's users a security profile"):
        profile_id = seeder.create("/securityprofiles", {"ID": seeder.id("setup-buyer-profile"), "Name": "Buyer user", "Roles": BUYER_USER_ROLES}, client=seller)["ID"]
        seeder.assign(
            "/securityprofiles/assignments",
            {"SecurityProfileID": profile_id, "BuyerID": buyer_id},
            f"/securityprofiles/{profile_id}/assignments",
            client=seller,
            buyerID=buyer_id,
        )
    with allure.step("The seller creates a buyer user"):
        username, password = seeder.id("setup-shopper"), new_password()
        user = {"ID": username, "Username": username, "Password": password, "FirstName": seeder.fake.first_name(), "LastName": seeder.fake.last_name(), "Email": f"{username}@example.com", "Active": True}
        seeder.create(f"/buyers/{buyer_id}/users", user, client=seller)
    with allure.step("The seller creates products and assigns some of them to the buyer's catalog"):
        shirt = add_product(seeder, seller, "shirt", price=SHIRT_PRICE)
        scarf = add_product(seeder, seller, "scarf")
        hat = add_product(seeder, seller, "hat", price=25.0)
        sock = add_product(seeder, seller, "sock", active=False, price=4.5)
        for product_id in (shirt, scarf, sock):
            assign_to_catalog(seeder, seller, buyer_id, product_id)
    target.tokens.register("setup-shopper", Credentials(client_id, None, "password", username, password, tuple(BUYER_USER_ROLES)))
    return Storefront(buyer_id, profile_id, shirt, scarf, hat, sock, target.client("setup-shopper"))


def visible_products(shopper: OrderCloudClient) -> set[str]:
    return {product["ID"] for product in shopper.ok("GET", "/me/products", pageSize=100)["Items"]}


@allure.story("Default catalog")
def test_a_new_buyer_gets_a_default_catalog_that_shows_it_everything_assigned(storefront: Storefront, seller: OrderCloudClient) -> None:
    buyer = seller.ok("GET", f"/buyers/{storefront.buyer_id}")
    assert buyer["DefaultCatalogID"] == storefront.buyer_id, "a new buyer's default catalog has the buyer's ID"
    seller.ok("GET", f"/catalogs/{storefront.buyer_id}")
    assignments = seller.ok("GET", "/catalogs/assignments", catalogID=storefront.buyer_id, buyerID=storefront.buyer_id)["Items"]
    assert [(a["ViewAllProducts"], a["ViewAllCategories"]) for a in assignments] == [(True, True)], (
        f"the default catalog should be assigned to its buyer with ViewAllProducts and ViewAllCategories, got {assignments}"
    )


@allure.story("Buyer login")
def test_the_buyer_user_logs_in_through_the_new_client_with_the_profiles_roles(storefront: Storefront) -> None:
    me = storefront.shopper.ok("GET", "/me")
    assert me["Buyer"]["ID"] == storefront.buyer_id
    assert set(me["AvailableRoles"]) == set(BUYER_USER_ROLES), f"roles come from the profile assigned to the buyer, got {me['AvailableRoles']}"


@allure.story("Product visibility")
def test_the_buyer_sees_exactly_the_active_products_assigned_to_its_catalog(storefront: Storefront) -> None:
    visible = eventually(lambda: visible_products(storefront.shopper), lambda ids: ids == {storefront.shirt, storefront.scarf})
    assert visible == {storefront.shirt, storefront.scarf}, (
        f"expected exactly the assigned active products; not the unassigned hat or the inactive sock. Visible: {sorted(visible)}"
    )
    for hidden in (storefront.hat, storefront.sock):
        error = refusal(storefront.shopper.get(f"/me/products/{hidden}"), f"reading the invisible product {hidden}")
        assert error.status == 404, f"an invisible product must look like a missing one, got {error}"


@allure.story("Product visibility")
def test_a_priced_product_carries_its_price_schedule_and_can_be_ordered_at_that_price(storefront: Storefront, seeder: Seeder) -> None:
    product = storefront.shopper.ok("GET", f"/me/products/{storefront.shirt}")
    assert [(b["Quantity"], b["Price"]) for b in product["PriceSchedule"]["PriceBreaks"]] == [(1, SHIRT_PRICE)]
    order = seeder.create("/orders/Outgoing", {"ID": seeder.id("setup-shirt-order")}, client=storefront.shopper)
    line = storefront.shopper.ok("POST", f"/orders/Outgoing/{order['ID']}/lineitems", {"ProductID": storefront.shirt, "Quantity": 2})
    assert (line["UnitPrice"], line["LineSubtotal"], line["LineTotal"]) == (SHIRT_PRICE, 2 * SHIRT_PRICE, 2 * SHIRT_PRICE)


@allure.story("Product visibility")
def test_a_product_without_a_price_is_visible_but_cannot_be_ordered(storefront: Storefront, seeder: Seeder) -> None:
    product = storefront.shopper.ok("GET", f"/me/products/{storefront.scarf}")
    assert product["PriceSchedule"] is None
    order = seeder.create("/orders/Outgoing", {"ID": seeder.id("setup-scarf-order")}, client=storefront.shopper)
    line = storefront.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", {"ProductID": storefront.scarf, "Quantity": 1})
    refused_with(line, "PriceSchedule.MissingOrConflicting", "ordering a product without a price")


@allure.story("Product visibility")
def test_a_product_becomes_visible_once_assigned_to_the_buyers_catalog(storefront: Storefront, seeder: Seeder, seller: OrderCloudClient) -> None:
    assert storefront.hat not in visible_products(storefront.shopper)
    assign_to_catalog(seeder, seller, storefront.buyer_id, storefront.hat)
    assert storefront.hat in eventually(lambda: visible_products(storefront.shopper), lambda ids: storefront.hat in ids), "assigning the product to the buyer's catalog makes it visible"


@allure.story("Security profile levels")
def test_a_users_roles_are_the_union_of_profiles_assigned_to_its_buyer_its_groups_and_itself(storefront: Storefront, seeder: Seeder, seller: OrderCloudClient) -> None:
    buyer_id = storefront.buyer_id
    users = f"/buyers/{buyer_id}/users"
    member, colleague = seeder.id("setup-shopper"), seeder.id("setup-colleague")
    seeder.create(users, {"ID": colleague, "Username": colleague, "Password": new_password(), "FirstName": "Cole", "LastName": "League", "Email": f"{colleague}@example.com", "Active": True}, client=seller)
    group_id = seeder.create(f"/buyers/{buyer_id}/usergroups", {"ID": seeder.id("setup-card-holders"), "Name": "Card holders"}, client=seller)["ID"]
    seller.ok("POST", f"/buyers/{buyer_id}/usergroups/assignments", {"UserGroupID": group_id, "UserID": member})

    def grant(role: str, **level: str) -> None:
        """A profile holding `role`, assigned within the buyer at one level: UserGroupID=... or UserID=..."""
        profile = seeder.create("/securityprofiles", {"ID": seeder.id(f"setup-{role}"), "Name": f"{role} only", "Roles": [role]}, client=seller)["ID"]
        level_params = {name[0].lower() + name[1:]: value for name, value in level.items()}
        assignment = {"SecurityProfileID": profile, "BuyerID": buyer_id, **level}
        seeder.assign("/securityprofiles/assignments", assignment, f"/securityprofiles/{profile}/assignments", client=seller, buyerID=buyer_id, **level_params)

    grant("MeCreditCardAdmin", UserGroupID=group_id)
    grant("MeAddressAdmin", UserID=colleague)

    def roles_of(user_id: str) -> set[str]:
        return set(seller.ok("GET", f"{users}/{user_id}")["AvailableRoles"])

    assert roles_of(member) == {*BUYER_USER_ROLES, "MeCreditCardAdmin"}, "a group member holds the buyer's roles plus its group's"
    assert roles_of(colleague) == {*BUYER_USER_ROLES, "MeAddressAdmin"}, "a user outside the group holds the buyer's roles plus its own, not the group's"
