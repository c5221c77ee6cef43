"""Buyers, user groups, shoppers and catalogs for the catalog and /me tests, set up through the public API.

`personas` adds buyers and user groups to conftest's `buyer_user` factory (a buyer user with the
shopper roles, logged in through an API client open to any buyer); `merchandiser` sets up
products, prices, catalogs and categories as a seller admin would (BEHAVIOUR.md §5). Test modules
import the fixtures: `from _catalog_fixtures import personas, merchandiser`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import httpx
import pytest
from _sandbox_api import BuyerPersona, BuyerUsers

Shopper = BuyerPersona


def unique(prefix: str) -> str:
    """A fresh ID, so that tests sharing a module's sandbox never collide."""
    return f"{prefix}-{secrets.token_hex(4)}"


def expect(response: httpx.Response, status: int) -> httpx.Response:
    """Assert the status, showing the sandbox's answer when it differs."""
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    return response


def error_code(response: httpx.Response) -> str:
    return response.json()["Errors"][0]["ErrorCode"]


def ids(page: httpx.Response) -> list[str]:
    """The IDs of a 200 list page's items, in order."""
    return [item["ID"] for item in expect(page, 200).json()["Items"]]


class Personas:
    """Creates buyers, user groups and logged-in buyer users (shoppers), as a seller admin would."""

    def __init__(self, admin: httpx.Client, buyer_user: BuyerUsers) -> None:
        self.admin = admin
        self.buyer_user = buyer_user

    def buyer(self, **fields: object) -> str:
        """A new active buyer; its ID."""
        return expect(self.admin.post("/buyers", json={"ID": unique("buyer"), "Name": "Buyer", "Active": True, **fields}), 201).json()["ID"]

    def group(self, buyer_id: str) -> str:
        """A new user group of the buyer; its ID."""
        return expect(self.admin.post(f"/buyers/{buyer_id}/usergroups", json={"ID": unique("group"), "Name": "Group"}), 201).json()["ID"]

    def shopper(self, buyer_id: str | None = None, groups: Iterable[str] = ()) -> Shopper:
        """A new buyer user with the shopper roles (of a new buyer unless one is given), member of `groups`."""
        shopper = self.buyer_user(buyer_id=buyer_id or self.buyer())
        for group in groups:
            expect(self.admin.post(f"/buyers/{shopper.buyer_id}/usergroups/assignments", json={"UserGroupID": group, "UserID": shopper.user_id}), 204)
        return shopper


@pytest.fixture(scope="module")
def personas(admin: httpx.Client, buyer_user: BuyerUsers) -> Personas:
    return Personas(admin, buyer_user)


class Merchandiser:
    """Sets up products, prices, catalogs and categories through the API, as a seller admin would."""

    def __init__(self, admin: httpx.Client) -> None:
        self.admin = admin

    def schedule(self, price: float) -> str:
        body = {"ID": unique("price"), "Name": f"{price}", "PriceBreaks": [{"Quantity": 1, "Price": price}]}
        return expect(self.admin.post("/priceschedules", json=body), 201).json()["ID"]

    def product(self, *, active: bool = True, price: float | None = 10, **fields: object) -> str:
        """A new product, priced by a new default price schedule unless `price` is None."""
        body = {"ID": unique("product"), "Name": "Product", "Active": active, **fields}
        if price is not None:
            body["DefaultPriceScheduleID"] = self.schedule(price)
        return expect(self.admin.post("/products", json=body), 201).json()["ID"]

    def catalog(self, buyer_id: str | None, *, active: bool = True, view_all_products: bool = False, view_all_categories: bool = False) -> str:
        """A new catalog, assigned to the buyer (when one is given) with these settings."""
        catalog_id = expect(self.admin.post("/catalogs", json={"ID": unique("catalog"), "Name": "Catalog", "Active": active}), 201).json()["ID"]
        if buyer_id is not None:
            assignment = {"CatalogID": catalog_id, "BuyerID": buyer_id, "ViewAllProducts": view_all_products, "ViewAllCategories": view_all_categories}
            expect(self.admin.post("/catalogs/assignments", json=assignment), 204)
        return catalog_id

    def put_in_catalog(self, catalog_id: str, product_id: str) -> None:
        expect(self.admin.post("/catalogs/productassignments", json={"CatalogID": catalog_id, "ProductID": product_id}), 204)

    def category(self, catalog_id: str, *, parent: str | None = None, active: bool = True, **fields: object) -> str:
        body = {"ID": unique("category"), "Name": "Category", "Active": active, "ParentID": parent, **fields}
        return expect(self.admin.post(f"/catalogs/{catalog_id}/categories", json=body), 201).json()["ID"]

    def put_in_category(self, catalog_id: str, category_id: str, product_id: str) -> None:
        body = {"CategoryID": category_id, "ProductID": product_id}
        expect(self.admin.post(f"/catalogs/{catalog_id}/categories/productassignments", json=body), 204)

    def assign_category(self, catalog_id: str, category_id: str, buyer_id: str, group: str | None = None, **settings: bool | None) -> None:
        """A category assignment to the buyer (or one of its groups) with Visible / ViewAllProducts settings."""
        body = {"CategoryID": category_id, "BuyerID": buyer_id, "UserGroupID": group, **settings}
        expect(self.admin.post(f"/catalogs/{catalog_id}/categories/assignments", json=body), 204)

    def assign_product(self, product_id: str, buyer_id: str, group: str | None = None, schedule: str | None = None) -> None:
        body = {"ProductID": product_id, "BuyerID": buyer_id, "UserGroupID": group, "PriceScheduleID": schedule}
        expect(self.admin.post("/products/assignments", json=body), 204)


@pytest.fixture(scope="module")
def merchandiser(admin: httpx.Client) -> Merchandiser:
    return Merchandiser(admin)
