"""Buyers and their catalogs: the default catalog, what /me and /me/catalogs show, who sells to a buyer."""

from __future__ import annotations

import httpx
from _catalog_fixtures import Merchandiser, Personas, error_code, expect, ids, merchandiser, personas, unique  # noqa: F401  (fixtures)

from ocgate.config import Settings


def test_creating_a_buyer_creates_its_default_catalog_with_the_buyers_id_and_name(admin: httpx.Client) -> None:
    buyer_id = unique("acme")
    buyer = expect(admin.post("/buyers", json={"ID": buyer_id, "Name": "Acme", "Active": True}), 201).json()
    assert buyer["DefaultCatalogID"] == buyer_id
    catalog = expect(admin.get(f"/catalogs/{buyer_id}"), 200).json()
    assert (catalog["Name"], catalog["Active"]) == ("Acme", True)


def test_the_default_catalog_is_assigned_with_all_categories_and_products_visible(admin: httpx.Client) -> None:
    buyer_id = expect(admin.post("/buyers", json={"Name": "Generated ID", "Active": True}), 201).json()["ID"]
    rows = expect(admin.get("/catalogs/assignments", params={"buyerID": buyer_id}), 200).json()["Items"]
    assert rows == [{"CatalogID": buyer_id, "BuyerID": buyer_id, "ViewAllCategories": True, "ViewAllProducts": True}]


def test_a_buyer_created_by_put_gets_its_default_catalog_too(admin: httpx.Client) -> None:
    buyer_id = unique("put")
    assert expect(admin.put(f"/buyers/{buyer_id}", json={"Name": "By PUT", "Active": True}), 200).json()["DefaultCatalogID"] == buyer_id
    expect(admin.get(f"/catalogs/{buyer_id}"), 200)


def test_replacing_or_patching_a_buyer_keeps_its_default_catalog(admin: httpx.Client, personas: Personas) -> None:
    buyer_id = personas.buyer()
    assert expect(admin.put(f"/buyers/{buyer_id}", json={"Name": "Renamed", "Active": True}), 200).json()["DefaultCatalogID"] == buyer_id
    assert expect(admin.patch(f"/buyers/{buyer_id}", json={"DefaultCatalogID": None}), 200).json()["DefaultCatalogID"] == buyer_id
    assert len(expect(admin.get("/catalogs/assignments", params={"buyerID": buyer_id}), 200).json()["Items"]) == 1


def test_default_catalog_id_names_an_existing_catalog_to_use_instead(admin: httpx.Client) -> None:
    shared = expect(admin.post("/catalogs", json={"ID": unique("shared"), "Name": "Shared", "Active": True}), 201).json()["ID"]
    buyer_id = unique("chosen")
    buyer = expect(admin.post("/buyers", json={"ID": buyer_id, "Name": "Chosen", "Active": True, "DefaultCatalogID": shared}), 201).json()
    assert buyer["DefaultCatalogID"] == shared
    expect(admin.get(f"/catalogs/{buyer_id}"), 404)
    rows = expect(admin.get("/catalogs/assignments", params={"buyerID": buyer_id}), 200).json()["Items"]
    assert [(row["CatalogID"], row["ViewAllProducts"], row["ViewAllCategories"]) for row in rows] == [(shared, True, True)]


def test_default_catalog_id_of_a_missing_catalog_is_not_found(admin: httpx.Client) -> None:
    response = expect(admin.post("/buyers", json={"Name": "Nowhere", "Active": True, "DefaultCatalogID": unique("missing")}), 404)
    assert response.json()["Errors"][0]["Data"]["ObjectType"] == "Catalog"


def test_a_catalog_with_the_buyers_id_already_existing_refuses_the_buyer(admin: httpx.Client) -> None:
    taken = expect(admin.post("/catalogs", json={"ID": unique("taken"), "Name": "Taken", "Active": True}), 201).json()["ID"]
    response = expect(admin.post("/buyers", json={"ID": taken, "Name": "Clash", "Active": True}), 400)
    assert error_code(response) == "Buyer.DefaultCatalogAlreadyExists"
    expect(admin.get(f"/buyers/{taken}"), 404)
    assert expect(admin.post("/buyers", json={"ID": taken, "Name": "Clash", "Active": True, "DefaultCatalogID": taken}), 201).json()["DefaultCatalogID"] == taken


def test_deleting_a_buyer_keeps_its_catalog_but_drops_the_assignment(admin: httpx.Client, personas: Personas) -> None:
    buyer_id = personas.buyer()
    expect(admin.delete(f"/buyers/{buyer_id}"), 204)
    expect(admin.get(f"/catalogs/{buyer_id}"), 200)
    assert expect(admin.get("/catalogs/assignments", params={"catalogID": buyer_id}), 200).json()["Items"] == []


def test_a_default_catalog_cannot_be_deleted_while_a_buyer_uses_it(admin: httpx.Client, personas: Personas) -> None:
    buyer_id = personas.buyer()
    assert error_code(expect(admin.delete(f"/catalogs/{buyer_id}"), 400)) == "Catalog.CannotDelete"
    expect(admin.delete(f"/buyers/{buyer_id}"), 204)
    expect(admin.delete(f"/catalogs/{buyer_id}"), 204)


def test_me_shows_the_buyer_with_its_default_catalog(personas: Personas) -> None:
    shopper = personas.shopper()
    me = expect(shopper.api.get("/me"), 200).json()
    assert me["Buyer"] == {"ID": shopper.buyer_id, "DefaultCatalogID": shopper.buyer_id}


# -- /me/catalogs -----------------------------------------------------------------------------------


def test_me_catalogs_lists_the_active_catalogs_assigned_to_the_buyer(personas: Personas, merchandiser: Merchandiser) -> None:
    shopper = personas.shopper()
    extra, inactive, unassigned = merchandiser.catalog(shopper.buyer_id), merchandiser.catalog(shopper.buyer_id, active=False), merchandiser.catalog(None)
    assert sorted(ids(shopper.api.get("/me/catalogs"))) == sorted([shopper.buyer_id, extra])
    assert expect(shopper.api.get(f"/me/catalogs/{extra}"), 200).json()["ID"] == extra
    for hidden in (inactive, unassigned):
        assert error_code(expect(shopper.api.get(f"/me/catalogs/{hidden}"), 404)) == "NotFound"


def test_me_catalogs_search_and_sort_like_every_list(admin: httpx.Client, personas: Personas) -> None:
    shopper = personas.shopper()
    for name in ("Alpha", "Beta"):
        catalog_id = expect(admin.post("/catalogs", json={"Name": name, "Active": True}), 201).json()["ID"]
        expect(admin.post("/catalogs/assignments", json={"CatalogID": catalog_id, "BuyerID": shopper.buyer_id}), 204)
    names = [c["Name"] for c in expect(shopper.api.get("/me/catalogs", params={"sortBy": "!Name"}), 200).json()["Items"]]
    assert names == sorted(names, reverse=True)
    assert [c["Name"] for c in expect(shopper.api.get("/me/catalogs", params={"search": "Alpha"}), 200).json()["Items"]] == ["Alpha"]


# -- who sells to a buyer ------------------------------------------------------------------------------


def test_a_buyer_orders_from_the_marketplace_owner(admin: httpx.Client, personas: Personas, settings: Settings) -> None:
    shopper = personas.shopper()
    owner = {"ID": settings.sandbox.seller_id, "Name": settings.sandbox.seller_name}
    assert expect(admin.get(f"/buyers/{shopper.buyer_id}/sellers"), 200).json()["Items"] == [owner]
    assert expect(shopper.api.get("/me/sellers"), 200).json()["Items"] == [owner]


def test_active_suppliers_linked_to_the_buyer_are_sellers_too(admin: httpx.Client, personas: Personas) -> None:
    shopper = personas.shopper()
    linked, inactive, unlinked = (unique("linked"), unique("inactive"), unique("unlinked"))
    for supplier_id, active in ((linked, True), (inactive, False), (unlinked, True)):
        expect(admin.post("/suppliers", json={"ID": supplier_id, "Name": supplier_id, "Active": active}), 201)
    for supplier_id in (linked, inactive):
        expect(admin.put(f"/suppliers/{supplier_id}/buyers/{shopper.buyer_id}"), 204)
    assert ids(shopper.api.get("/me/sellers"))[1:] == [linked]
    assert ids(admin.get(f"/buyers/{shopper.buyer_id}/sellers"))[1:] == [linked]


def test_sellers_of_a_missing_buyer_are_not_found(admin: httpx.Client) -> None:
    expect(admin.get(f"/buyers/{unique('missing')}/sellers"), 404)
