"""What a buyer user sees: the visibility checklist of BEHAVIOUR.md §5 on /me/products, and its price.

Every rule is checked both ways: the product is visible once the rule holds, and not before (or
no longer after it stops holding). "Visible" means GET /v1/me/products/{id} answers 200 and the
product is in GET /v1/me/products; "not visible" means 404 NotFound and absent from the list.
"""

from __future__ import annotations

from typing import NamedTuple

import httpx
from _catalog_fixtures import Merchandiser, Personas, Shopper, error_code, expect, ids, merchandiser, personas, unique  # noqa: F401  (fixtures)


def sees(shopper: Shopper, product_id: str) -> bool:
    """Whether the shopper sees the product, checking that the item and the list agree."""
    listed = product_id in ids(shopper.api.get("/me/products", params={"pageSize": 100}))
    found = shopper.api.get(f"/me/products/{product_id}")
    assert found.status_code in (200, 404), found.text
    assert listed == (found.status_code == 200), f"list says {listed}, item says {found.status_code}"
    if not listed:
        assert error_code(found) == "NotFound"
    return listed


# -- product and catalog -------------------------------------------------------------------------------


def test_a_product_must_be_active(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product()
    merchandiser.put_in_catalog(shopper.buyer_id, product)
    assert sees(shopper, product)
    expect(admin.patch(f"/products/{product}", json={"Active": False}), 200)
    assert not sees(shopper, product)


def test_a_product_must_be_assigned_to_a_catalog_of_the_buyer(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product()
    assert not sees(shopper, product)
    merchandiser.put_in_catalog(shopper.buyer_id, product)
    assert sees(shopper, product)


def test_the_catalog_must_be_active(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = merchandiser.catalog(shopper.buyer_id, view_all_products=True)
    product = merchandiser.product()
    merchandiser.put_in_catalog(catalog, product)
    assert sees(shopper, product)
    expect(admin.patch(f"/catalogs/{catalog}", json={"Active": False}), 200)
    assert not sees(shopper, product)


def test_the_catalog_must_be_assigned_to_the_buyer(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    other_buyer = personas.buyer()
    catalog = merchandiser.catalog(other_buyer, view_all_products=True)
    product = merchandiser.product()
    merchandiser.put_in_catalog(catalog, product)
    assert not sees(shopper, product)
    expect(admin.post("/catalogs/assignments", json={"CatalogID": catalog, "BuyerID": shopper.buyer_id, "ViewAllProducts": True}), 204)
    assert sees(shopper, product)


# -- product assignments -----------------------------------------------------------------------------------


def test_without_view_all_products_a_product_assignment_to_the_buyer_shows_the_product(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = merchandiser.catalog(shopper.buyer_id, view_all_products=False)
    product = merchandiser.product()
    merchandiser.put_in_catalog(catalog, product)
    assert not sees(shopper, product)
    merchandiser.assign_product(product, shopper.buyer_id)
    assert sees(shopper, product)


def test_a_product_assignment_to_one_of_the_users_groups_shows_the_product_to_its_members_only(personas: Personas, merchandiser: Merchandiser) -> None:
    buyer = personas.buyer()
    group = personas.group(buyer)
    member, outsider = personas.shopper(buyer, groups=[group]), personas.shopper(buyer)
    catalog = merchandiser.catalog(buyer, view_all_products=False)
    product = merchandiser.product()
    merchandiser.put_in_catalog(catalog, product)
    merchandiser.assign_product(product, buyer, group=group)
    assert sees(member, product)
    assert not sees(outsider, product)


def test_a_product_assignment_does_not_replace_the_catalog(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product()
    merchandiser.assign_product(product, shopper.buyer_id)
    assert not sees(shopper, product)


def test_a_product_assignment_to_another_buyer_shows_nothing(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = merchandiser.catalog(shopper.buyer_id, view_all_products=False)
    product = merchandiser.product()
    merchandiser.put_in_catalog(catalog, product)
    merchandiser.assign_product(product, personas.buyer())
    assert not sees(shopper, product)


# -- the category path ---------------------------------------------------------------------------------------


def test_a_category_assigned_with_view_all_products_shows_its_products(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = merchandiser.catalog(shopper.buyer_id)
    category = merchandiser.category(catalog)
    product = merchandiser.product()
    merchandiser.put_in_catalog(catalog, product)
    merchandiser.put_in_category(catalog, category, product)
    merchandiser.assign_category(catalog, category, shopper.buyer_id, Visible=True, ViewAllProducts=False)
    assert not sees(shopper, product)
    merchandiser.assign_category(catalog, category, shopper.buyer_id, Visible=True, ViewAllProducts=True)
    assert sees(shopper, product)


def test_a_product_in_a_category_is_in_that_categorys_catalog(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = merchandiser.catalog(shopper.buyer_id)
    category = merchandiser.category(catalog)
    product = merchandiser.product()
    merchandiser.put_in_category(catalog, category, product)
    merchandiser.assign_category(catalog, category, shopper.buyer_id, ViewAllProducts=True)
    assert sees(shopper, product)


class Subcategory(NamedTuple):
    catalog: str
    parent: str
    child: str
    product: str  # assigned to the child category only


def product_in_a_subcategory(merchandiser: Merchandiser, buyer_id: str) -> Subcategory:
    """A catalog assigned to the buyer without ViewAllProducts, with categories parent > child and a product in the child."""
    catalog = merchandiser.catalog(buyer_id)
    parent = merchandiser.category(catalog)
    child = merchandiser.category(catalog, parent=parent)
    product = merchandiser.product()
    merchandiser.put_in_category(catalog, child, product)
    return Subcategory(catalog, parent, child, product)


def test_view_all_products_is_inherited_from_the_nearest_category_that_sets_it(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    tree = product_in_a_subcategory(merchandiser, shopper.buyer_id)
    merchandiser.assign_category(tree.catalog, tree.parent, shopper.buyer_id, ViewAllProducts=True)
    assert sees(shopper, tree.product)
    merchandiser.assign_category(tree.catalog, tree.child, shopper.buyer_id, ViewAllProducts=False)
    assert not sees(shopper, tree.product)


def test_the_category_path_needs_the_category_and_its_ancestors_active(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    tree = product_in_a_subcategory(merchandiser, shopper.buyer_id)
    merchandiser.assign_category(tree.catalog, tree.child, shopper.buyer_id, ViewAllProducts=True)
    assert sees(shopper, tree.product)
    expect(admin.patch(f"/catalogs/{tree.catalog}/categories/{tree.parent}", json={"Active": False}), 200)
    assert not sees(shopper, tree.product)


def test_a_category_assignment_to_a_user_group_shows_its_products_to_members_only(personas: Personas, merchandiser: Merchandiser) -> None:
    buyer = personas.buyer()
    group = personas.group(buyer)
    member, outsider = personas.shopper(buyer, groups=[group]), personas.shopper(buyer)
    catalog = merchandiser.catalog(buyer)
    category = merchandiser.category(catalog)
    product = merchandiser.product()
    merchandiser.put_in_category(catalog, category, product)
    merchandiser.assign_category(catalog, category, buyer, group=group, ViewAllProducts=True)
    assert sees(member, product)
    assert not sees(outsider, product)


# -- the price a buyer sees -------------------------------------------------------------------------------------


def test_the_buyer_product_carries_the_default_price_schedule(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product(price=12.5)
    merchandiser.put_in_catalog(shopper.buyer_id, product)
    schedule_id = expect(admin.get(f"/products/{product}"), 200).json()["DefaultPriceScheduleID"]
    schedule = expect(admin.get(f"/priceschedules/{schedule_id}"), 200).json()
    seen = expect(shopper.api.get(f"/me/products/{product}"), 200).json()
    assert seen["PriceSchedule"] == schedule
    assert seen["PriceSchedule"]["PriceBreaks"][0]["Price"] == 12.5


def test_the_buyer_product_shows_the_buyer_product_model(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product(Description="Plain", xp={"Color": "white"})
    merchandiser.put_in_catalog(shopper.buyer_id, product)
    seen = expect(shopper.api.get(f"/me/products/{product}"), 200).json()
    stored = expect(admin.get(f"/products/{product}"), 200).json()
    assert "OwnerID" not in seen and "DefaultPriceScheduleID" not in seen
    assert {name: seen[name] for name in ("ID", "Name", "Description", "Active", "xp")} == {name: stored[name] for name in ("ID", "Name", "Description", "Active", "xp")}


def test_a_product_assignments_schedule_beats_the_default_and_a_groups_beats_the_buyers(personas: Personas, merchandiser: Merchandiser) -> None:
    buyer = personas.buyer()
    group = personas.group(buyer)
    member, outsider = personas.shopper(buyer, groups=[group]), personas.shopper(buyer)
    product = merchandiser.product(price=10)
    merchandiser.put_in_catalog(buyer, product)
    buyer_price, group_price = merchandiser.schedule(9), merchandiser.schedule(8)
    merchandiser.assign_product(product, buyer, schedule=buyer_price)
    assert expect(outsider.api.get(f"/me/products/{product}"), 200).json()["PriceSchedule"]["ID"] == buyer_price
    merchandiser.assign_product(product, buyer, group=group, schedule=group_price)
    assert expect(member.api.get(f"/me/products/{product}"), 200).json()["PriceSchedule"]["ID"] == group_price
    assert expect(outsider.api.get(f"/me/products/{product}"), 200).json()["PriceSchedule"]["ID"] == buyer_price


def test_a_product_without_a_price_schedule_is_visible_without_a_price(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product(price=None)
    merchandiser.put_in_catalog(shopper.buyer_id, product)
    assert expect(shopper.api.get(f"/me/products/{product}"), 200).json()["PriceSchedule"] is None


# -- listing ---------------------------------------------------------------------------------------------------


def test_me_products_search_filter_sort_and_page_like_every_list(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    for name, color in (("Red Shirt", "red"), ("Blue Shirt", "blue"), ("Green Hat", "green")):
        merchandiser.put_in_catalog(shopper.buyer_id, merchandiser.product(Name=name, xp={"Color": color}))
    api = shopper.api

    def names(**params: object) -> list[str]:
        return [item["Name"] for item in expect(api.get("/me/products", params=params), 200).json()["Items"]]

    assert sorted(names(search="Shirt")) == ["Blue Shirt", "Red Shirt"]
    assert names(**{"xp.Color": "red"}) == ["Red Shirt"]
    assert names(sortBy="!Name") == ["Red Shirt", "Green Hat", "Blue Shirt"]
    page = expect(api.get("/me/products", params={"sortBy": "Name", "pageSize": 2, "page": 2}), 200).json()
    assert [item["Name"] for item in page["Items"]] == ["Red Shirt"]
    assert page["Meta"] | {"Facets": []} == page["Meta"]
    assert (page["Meta"]["TotalCount"], page["Meta"]["TotalPages"], page["Meta"]["ItemRange"]) == (3, 2, [3, 3])
    assert error_code(expect(api.get("/me/products", params={"Nope": "1"}), 400)) == "List.InvalidProperty"


def test_catalog_id_limits_the_products_to_one_visible_catalog(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = merchandiser.catalog(shopper.buyer_id, view_all_products=True)
    in_default, in_other = merchandiser.product(), merchandiser.product()
    merchandiser.put_in_catalog(shopper.buyer_id, in_default)
    merchandiser.put_in_catalog(catalog, in_other)
    assert ids(shopper.api.get("/me/products", params={"catalogID": catalog})) == [in_other]
    assert ids(shopper.api.get("/me/products", params={"catalogID": shopper.buyer_id})) == [in_default]
    unassigned = merchandiser.catalog(None)
    expect(shopper.api.get("/me/products", params={"catalogID": unassigned}), 404)
    expect(shopper.api.get(f"/me/products/{in_other}/specs", params={"catalogID": catalog}), 200)
    expect(shopper.api.get(f"/me/products/{in_other}/specs", params={"catalogID": shopper.buyer_id}), 404)


def test_category_id_needs_a_catalog_id(personas: Personas) -> None:
    shopper = personas.shopper()
    response = expect(shopper.api.get("/me/products", params={"categoryID": "anything"}), 400)
    assert error_code(response) == "Product.CategoryFilterRequiresCatalogID"


def test_category_id_and_depth_select_products_of_a_category_subtree(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = shopper.buyer_id  # the default catalog shows all categories and products
    parent = merchandiser.category(catalog)
    child = merchandiser.category(catalog, parent=parent)
    in_parent, in_child, elsewhere = merchandiser.product(), merchandiser.product(), merchandiser.product()
    merchandiser.put_in_category(catalog, parent, in_parent)
    merchandiser.put_in_category(catalog, child, in_child)
    merchandiser.put_in_catalog(catalog, elsewhere)

    def listed(category: str, depth: str | None = None) -> list[str]:
        params = {"catalogID": catalog, "categoryID": category} | ({"depth": depth} if depth else {})
        return sorted(ids(shopper.api.get("/me/products", params=params)))

    assert listed(parent, "1") == [in_parent]
    assert listed(parent) == listed(parent, "all") == listed(parent, "2") == sorted([in_parent, in_child])
    assert listed(child) == [in_child]
    response = shopper.api.get("/me/products", params={"catalogID": catalog, "categoryID": parent, "depth": "0"})
    assert error_code(expect(response, 400)) == "Category.InvalidDepth"
    expect(shopper.api.get("/me/products", params={"catalogID": catalog, "categoryID": unique("missing")}), 404)


# -- specs and variants of a visible product --------------------------------------------------------------------------


def test_a_visible_products_specs_show_their_options_and_the_products_defaults(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product()
    merchandiser.put_in_catalog(shopper.buyer_id, product)
    size, unused = unique("size"), unique("unused")
    for spec in (size, unused):
        expect(admin.post("/specs", json={"ID": spec, "Name": spec, "DefaultValue": "M"}), 201)
    for value, order in (("S", 1), ("L", 2)):
        expect(admin.post(f"/specs/{size}/options", json={"ID": value, "Value": value, "ListOrder": order}), 201)
    expect(admin.post("/specs/productassignments", json={"SpecID": size, "ProductID": product, "DefaultValue": "L"}), 204)
    specs = expect(shopper.api.get(f"/me/products/{product}/specs"), 200).json()["Items"]
    assert [(spec["ID"], spec["DefaultValue"], [option["Value"] for option in spec["Options"]]) for spec in specs] == [(size, "L", ["S", "L"])]
    assert expect(shopper.api.get(f"/me/products/{product}/specs/{size}"), 200).json()["OptionCount"] == 2
    expect(shopper.api.get(f"/me/products/{product}/specs/{unused}"), 404)


def variants_of(admin: httpx.Client, product: str, *values: str) -> list[str]:
    """Generate the product's variants from one variant-defining spec with these option values; their IDs."""
    spec = expect(admin.post("/specs", json={"ID": unique("color"), "Name": "Color", "DefinesVariant": True, "Required": True}), 201).json()["ID"]
    for value in values:
        expect(admin.post(f"/specs/{spec}/options", json={"ID": value, "Value": value}), 201)
    expect(admin.post("/specs/productassignments", json={"SpecID": spec, "ProductID": product}), 204)
    expect(admin.post(f"/products/{product}/variants/generate"), 201)
    return ids(admin.get(f"/products/{product}/variants"))


def test_only_active_variants_of_a_visible_product_are_shown(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product()
    merchandiser.put_in_catalog(shopper.buyer_id, product)
    shown, hidden = variants_of(admin, product, "red", "blue")
    expect(admin.patch(f"/products/{product}/variants/{hidden}", json={"Active": False}), 200)
    assert ids(shopper.api.get(f"/me/products/{product}/variants")) == [shown]
    expect(shopper.api.get(f"/me/products/{product}/variants/{shown}"), 200)
    expect(shopper.api.get(f"/me/products/{product}/variants/{hidden}"), 404)


def test_specs_and_variants_of_an_invisible_product_are_not_found(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    product = merchandiser.product()
    (variant,) = variants_of(admin, product, "red")
    for path in ("specs", "variants", f"variants/{variant}"):
        response = expect(shopper.api.get(f"/me/products/{product}/{path}"), 404)
        assert response.json()["Errors"][0]["Data"] == {"ObjectType": "Product", "ObjectID": product}


# -- categories ------------------------------------------------------------------------------------------------------------


def test_me_categories_show_the_top_level_by_default_and_deeper_levels_on_request(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = shopper.buyer_id
    top = merchandiser.category(catalog)
    middle = merchandiser.category(catalog, parent=top)
    bottom = merchandiser.category(catalog, parent=middle)
    api = shopper.api
    assert ids(api.get("/me/categories")) == [top]
    assert ids(api.get("/me/categories", params={"depth": "all"})) == [top, middle, bottom]
    assert ids(api.get("/me/categories", params={"depth": "2"})) == [top, middle]
    assert ids(api.get("/me/categories", params={"ParentID": top})) == [middle]
    assert ids(api.get("/me/categories", params={"ParentID": top, "depth": "all"})) == [middle, bottom]
    assert expect(api.get(f"/me/categories/{bottom}"), 200).json()["ParentID"] == middle


def test_inactive_categories_hide_themselves_and_their_subtree(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = shopper.buyer_id
    top = merchandiser.category(catalog, active=False)
    child = merchandiser.category(catalog, parent=top)
    assert ids(shopper.api.get("/me/categories", params={"depth": "all"})) == []
    expect(shopper.api.get(f"/me/categories/{child}"), 404)
    expect(admin.patch(f"/catalogs/{catalog}/categories/{top}", json={"Active": True}), 200)
    assert ids(shopper.api.get("/me/categories", params={"depth": "all"})) == [top, child]


def test_without_view_all_categories_a_category_needs_a_visible_assignment(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = merchandiser.catalog(shopper.buyer_id, view_all_categories=False)
    top = merchandiser.category(catalog)
    child = merchandiser.category(catalog, parent=top)
    listed = lambda: ids(shopper.api.get("/me/categories", params={"catalogID": catalog, "depth": "all"}))  # noqa: E731
    assert listed() == []
    expect(shopper.api.get(f"/me/categories/{top}", params={"catalogID": catalog}), 404)
    merchandiser.assign_category(catalog, top, shopper.buyer_id, Visible=True)
    assert listed() == [top, child]
    merchandiser.assign_category(catalog, child, shopper.buyer_id, Visible=False)
    assert listed() == [top]
    expect(shopper.api.get(f"/me/categories/{top}", params={"catalogID": catalog}), 200)


def test_me_categories_product_id_lists_the_categories_of_that_product(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    catalog = shopper.buyer_id
    with_product, without = merchandiser.category(catalog), merchandiser.category(catalog)
    product = merchandiser.product()
    merchandiser.put_in_category(catalog, with_product, product)
    assert sorted(ids(shopper.api.get("/me/categories"))) == sorted([with_product, without])
    assert ids(shopper.api.get("/me/categories", params={"productID": product})) == [with_product]


def test_me_categories_of_a_catalog_the_buyer_cannot_see_are_not_found(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    hidden = merchandiser.catalog(None)
    category = merchandiser.category(hidden)
    expect(shopper.api.get("/me/categories", params={"catalogID": hidden}), 404)
    expect(shopper.api.get(f"/me/categories/{category}", params={"catalogID": hidden}), 404)
    expect(shopper.api.get(f"/me/categories/{category}"), 404)
