"""Journey 2: a shopper browses the catalog: search, filters, sorting, paging, categories.

The shopper belongs to the first seeded buyer, whose catalog holds the twelve seeded
products (xp.Color red / green / blue in turn, xp.Rank 0..11) spread over three
categories. Every listing is narrowed to the seeded products with an ID wildcard, so
products other journeys add do not blur the counts (BEHAVIOUR.md §3).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import allure
import pytest
from actors import Actor
from expect import eventually

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, SeededMarketplace, Seeder

pytestmark = [allure.epic("Scenarios"), allure.feature("Browsing")]

COLORS = ["red", "green", "blue"]  # the seeded products' xp.Color, product n having COLORS[n % 3]


@pytest.fixture(scope="module")
def shopper(new_actor: Callable[..., Actor], buyer_a: SeededBuyer, marketplace: SeededMarketplace) -> Actor:
    browser = new_actor("browser", buyer=buyer_a)
    eventually(lambda: browse(browser, marketplace), lambda page: page["Meta"]["TotalCount"] == len(marketplace.product_ids))
    return browser


@pytest.fixture(scope="module")
def seeded_products(seller: OrderCloudClient, marketplace: SeededMarketplace) -> list[dict[str, Any]]:
    """The seeded products as the seller sees them, in seeding order (index = xp.Rank)."""
    return [seller.ok("GET", f"/products/{product_id}") for product_id in marketplace.product_ids]


def seeded_only(marketplace: SeededMarketplace) -> dict[str, str]:
    return {"ID": f"{marketplace.run_id}-prod*"}


def ids(page: dict[str, Any]) -> list[str]:
    return [item["ID"] for item in page["Items"]]


def browse(shopper: Actor, marketplace: SeededMarketplace, **query: Any) -> dict[str, Any]:
    return shopper.api.ok("GET", "/me/products", **seeded_only(marketplace), **query)


@allure.story("Search")
def test_search_finds_the_products_whose_name_has_the_term(shopper: Actor, marketplace: SeededMarketplace, seeded_products: list[dict[str, Any]]) -> None:
    term = max(re.findall(r"[A-Za-z]{5,}", seeded_products[4]["Name"]), key=len)
    named = {p["ID"] for p in seeded_products if re.search(rf"\b{term}\b", p["Name"], re.IGNORECASE)}
    found = browse(shopper, marketplace, search=term, searchOn="Name", pageSize=100)["Items"]
    assert named <= set(ids({"Items": found})), f"searching {term!r} should find every product named with it: {sorted(named)}"
    assert all(term.lower() in p["Name"].lower() for p in found), f"search {term!r} returned products without it: {[p['Name'] for p in found]}"


@allure.story("Filters")
def test_an_xp_filter_keeps_exactly_the_matching_products(shopper: Actor, marketplace: SeededMarketplace) -> None:
    red = {product_id for n, product_id in enumerate(marketplace.product_ids) if COLORS[n % 3] == "red"}
    page = browse(shopper, marketplace, pageSize=100, **{"xp.Color": "red"})
    assert set(ids(page)) == red
    assert page["Meta"]["TotalCount"] == len(red)


@allure.story("Filters")
@pytest.mark.parametrize(
    ("filters", "rule", "matches"),
    [
        ({"xp.Color": "!red"}, "negation", lambda n: COLORS[n % 3] != "red"),
        ({"xp.Color": "red|blue"}, "either value", lambda n: COLORS[n % 3] in ("red", "blue")),
        ({"xp.Rank": ">5"}, "greater than", lambda n: n > 5),
        ({"xp.Rank": "<3"}, "less than", lambda n: n < 3),
        ({"xp.Color": "gr*"}, "wildcard", lambda n: COLORS[n % 3] == "green"),
    ],
    ids=["negation", "or", "greater-than", "less-than", "wildcard"],
)
def test_filter_operators_select_by_their_rule(
    shopper: Actor, marketplace: SeededMarketplace, filters: dict[str, str], rule: str, matches: Callable[[int], bool]
) -> None:
    expected = {product_id for n, product_id in enumerate(marketplace.product_ids) if matches(n)}
    assert set(ids(browse(shopper, marketplace, pageSize=100, **filters))) == expected, f"{rule}: {filters}"


@allure.story("Filters")
def test_two_filters_must_both_hold(shopper: Actor, marketplace: SeededMarketplace) -> None:
    expected = {product_id for n, product_id in enumerate(marketplace.product_ids) if COLORS[n % 3] == "red" and n < 5}
    assert set(ids(browse(shopper, marketplace, pageSize=100, **{"xp.Color": "red", "xp.Rank": "<5"}))) == expected


@allure.story("Sorting")
@pytest.mark.parametrize("sort_by", ["ID", "!ID"])
def test_sorting_orders_the_whole_result(shopper: Actor, marketplace: SeededMarketplace, sort_by: str) -> None:
    listed = ids(browse(shopper, marketplace, sortBy=sort_by, pageSize=100))
    assert listed == sorted(marketplace.product_ids, reverse=sort_by.startswith("!"))


@allure.story("Paging")
def test_paging_walks_through_every_product_once(shopper: Actor, marketplace: SeededMarketplace) -> None:
    size = 5
    total = len(marketplace.product_ids)
    walked: list[str] = []
    for number in range(1, math.ceil(total / size) + 1):
        page = browse(shopper, marketplace, sortBy="ID", page=number, pageSize=size)
        first = (number - 1) * size + 1
        expected_meta = {"Page": number, "PageSize": size, "TotalCount": total, "TotalPages": math.ceil(total / size), "ItemRange": [first, min(first + size - 1, total)]}
        assert {key: page["Meta"][key] for key in expected_meta} == expected_meta
        walked += ids(page)
    assert walked == sorted(marketplace.product_ids), "pages in order, every product exactly once"


@allure.story("Product details")
def test_a_product_shows_its_price_breaks(shopper: Actor, marketplace: SeededMarketplace, seller: OrderCloudClient) -> None:
    product_id = marketplace.product_ids[0]
    product = shopper.api.ok("GET", f"/me/products/{product_id}")
    schedule = seller.ok("GET", f"/priceschedules/{product['PriceSchedule']['ID']}")
    shown = [(b["Quantity"], b["Price"]) for b in product["PriceSchedule"]["PriceBreaks"]]
    assert shown == [(b["Quantity"], b["Price"]) for b in schedule["PriceBreaks"]]
    assert len(shown) == 2 and shown[1][1] < shown[0][1], "the seeded schedule has a cheaper break from 10 up"


# -- categories -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nested(seeder: Seeder, seller: OrderCloudClient, buyer_a: SeededBuyer, marketplace: SeededMarketplace, new_product: Callable[..., dict[str, Any]]) -> dict[str, str]:
    """A subcategory of the first category, holding a product of its own."""
    catalog = buyer_a.id
    parent = marketplace.category_ids[0]
    child = seeder.create(f"/catalogs/{catalog}/categories", {"ID": seeder.id("cat1-sub"), "Name": "Clearance", "ParentID": parent, "Active": True}, client=seller)["ID"]
    product = new_product("nested-product", [(1, 12.5)])
    seeder.assign(
        f"/catalogs/{catalog}/categories/productassignments",
        {"CategoryID": child, "ProductID": product["ID"]},
        f"/catalogs/{catalog}/categories/{child}/productassignments/{product['ID']}",
        client=seller,
    )
    return {"catalog": catalog, "parent": parent, "child": child, "product": product["ID"]}


def category_ids(shopper: Actor, marketplace: SeededMarketplace, **query: Any) -> set[str]:
    return set(ids(shopper.api.ok("GET", "/me/categories", ID=f"{marketplace.run_id}-cat*", pageSize=100, **query)))


@allure.story("Categories")
def test_categories_list_the_top_level_by_default_and_the_whole_tree_with_depth_all(shopper: Actor, marketplace: SeededMarketplace, nested: dict[str, str]) -> None:
    top = set(marketplace.category_ids)
    assert category_ids(shopper, marketplace, catalogID=nested["catalog"]) == top
    assert category_ids(shopper, marketplace, catalogID=nested["catalog"], depth="1") == top
    assert category_ids(shopper, marketplace, catalogID=nested["catalog"], depth="all") == top | {nested["child"]}


@allure.story("Categories")
def test_a_category_lists_its_own_products(shopper: Actor, marketplace: SeededMarketplace, nested: dict[str, str]) -> None:
    second = marketplace.category_ids[1]
    expected = {product_id for n, product_id in enumerate(marketplace.product_ids) if n % 3 == 1}
    assert set(ids(browse(shopper, marketplace, catalogID=nested["catalog"], categoryID=second, pageSize=100))) == expected


@allure.story("Categories")
def test_a_category_includes_its_subcategories_products_at_full_depth(shopper: Actor, nested: dict[str, str]) -> None:
    def listed(**query: Any) -> set[str]:
        return set(ids(shopper.api.ok("GET", "/me/products", catalogID=nested["catalog"], pageSize=100, **query)))

    assert nested["product"] in listed(categoryID=nested["parent"], depth="all"), "depth=all reaches into subcategories"
    assert nested["product"] in listed(categoryID=nested["parent"]), "depth defaults to all for products"
    assert listed(categoryID=nested["child"]) == {nested["product"]}
