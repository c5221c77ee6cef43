"""Commerce set-up for the order, pricing, payment, approval, fulfilment, inventory and cart tests.

Everything is created through the public API, as a seller would: a buyer with a shopper (the
`buyer_user` factory of conftest.py), products with price schedules assigned to the buyer's
default catalog (which the buyer gets on creation, with ViewAllProducts on).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from _sandbox_api import BuyerPersona, BuyerUsers, error_of

SHOPPER = ("Shopper", "MeAdmin", "MeAddressAdmin", "PasswordReset")
_numbers = itertools.count(1)


def ok(response: httpx.Response) -> Any:
    """The body of a successful call (None for 204); fails the test with the sandbox's answer otherwise."""
    assert response.status_code < 300, f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert an OrderCloud error answer; its Data."""
    assert response.status_code == status, f"expected {status} {code}, got {response.status_code} {response.text}"
    first = error_of(response)
    assert first["ErrorCode"] == code, response.text
    return first["Data"]


@dataclass
class Shop:
    """A seller admin and one buyer with a shopper, plus helpers to stock and order products."""

    admin: httpx.Client
    make_user: BuyerUsers
    buyer: BuyerPersona
    products: list[str] = field(default_factory=list)

    @property
    def shopper(self) -> httpx.Client:
        return self.buyer.api

    def colleague(self, roles: tuple[str, ...] = SHOPPER) -> BuyerPersona:
        """Another user of the same buyer, with its own roles and token."""
        return self.make_user(roles=roles, buyer_id=self.buyer.buyer_id)

    def product(self, breaks: tuple[tuple[int, float], ...] = ((1, 10.0),), catalog: str | None = None, **fields: Any) -> str:
        """A new active product priced by a new schedule with these price breaks, in the buyer's catalog.

        Keyword arguments starting with a lower-case `schedule_` go to the price schedule
        (e.g. schedule_MinQuantity=2); the others to the product (e.g. Inventory={...}).
        """
        n = next(_numbers)
        schedule_fields = {key.removeprefix("schedule_"): value for key, value in fields.items() if key.startswith("schedule_")}
        product_fields = {key: value for key, value in fields.items() if not key.startswith("schedule_")}
        schedule = ok(self.admin.post("/priceschedules", json={"Name": f"Price {n}", "PriceBreaks": [{"Quantity": q, "Price": p} for q, p in breaks], **schedule_fields}))
        product = ok(self.admin.post("/products", json={"Name": f"Product {n}", "Active": True, "DefaultPriceScheduleID": schedule["ID"], **product_fields}))
        ok(self.admin.post("/catalogs/productassignments", json={"CatalogID": catalog or self.buyer.buyer_id, "ProductID": product["ID"]}))
        self.products.append(product["ID"])
        return product["ID"]

    def order(self, api: httpx.Client | None = None, **body: Any) -> dict[str, Any]:
        return ok((api or self.shopper).post("/orders/Outgoing", json=body))

    def line(self, order_id: str, product_id: str, quantity: int = 1, api: httpx.Client | None = None, **body: Any) -> dict[str, Any]:
        return ok((api or self.shopper).post(f"/orders/Outgoing/{order_id}/lineitems", json={"ProductID": product_id, "Quantity": quantity, **body}))

    def order_with(self, *lines: tuple[str, int], api: httpx.Client | None = None) -> dict[str, Any]:
        """An unsubmitted order holding these (product, quantity) lines."""
        order = self.order(api)
        for product_id, quantity in lines:
            self.line(order["ID"], product_id, quantity, api)
        return ok((api or self.shopper).get(f"/orders/Outgoing/{order['ID']}"))

    def submitted(self, *lines: tuple[str, int], api: httpx.Client | None = None) -> dict[str, Any]:
        order = self.order_with(*lines, api=api)
        return ok((api or self.shopper).post(f"/orders/Outgoing/{order['ID']}/submit"))


@pytest.fixture(scope="module")
def shop(admin: httpx.Client, buyer_user: BuyerUsers) -> Shop:
    return Shop(admin, buyer_user, buyer_user(roles=SHOPPER))
