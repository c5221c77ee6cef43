"""Price breaks of a price schedule: saved by quantity, deleted by quantity, and the schedule's own rules."""

from __future__ import annotations

import httpx
import pytest
from _sandbox_api import created, error_of


@pytest.fixture
def schedule(admin: httpx.Client) -> str:
    return created(admin.post("/priceschedules", json={"Name": "Tiered", "PriceBreaks": [{"Quantity": 1, "Price": 10}]}))["ID"]


def quantities(admin: httpx.Client, schedule: str) -> list[tuple[int, float]]:
    return [(brk["Quantity"], brk["Price"]) for brk in admin.get(f"/priceschedules/{schedule}").json()["PriceBreaks"]]


def test_saving_a_price_break_adds_it_in_quantity_order_and_answers_the_schedule(admin: httpx.Client, schedule: str) -> None:
    response = admin.post(f"/priceschedules/{schedule}/PriceBreaks", json={"Quantity": 10, "Price": 8})
    assert response.status_code == 201
    assert response.json()["ID"] == schedule
    admin.post(f"/priceschedules/{schedule}/PriceBreaks", json={"Quantity": 5, "Price": 9})
    assert quantities(admin, schedule) == [(1, 10), (5, 9), (10, 8)]


def test_saving_a_price_break_for_an_existing_quantity_replaces_it(admin: httpx.Client, schedule: str) -> None:
    admin.post(f"/priceschedules/{schedule}/PriceBreaks", json={"Quantity": 1, "Price": 7.5})
    assert quantities(admin, schedule) == [(1, 7.5)]


def test_deleting_a_price_break_by_quantity(admin: httpx.Client, schedule: str) -> None:
    admin.post(f"/priceschedules/{schedule}/PriceBreaks", json={"Quantity": 5, "Price": 9})
    assert admin.delete(f"/priceschedules/{schedule}/PriceBreaks", params={"quantity": 5}).status_code == 204
    assert quantities(admin, schedule) == [(1, 10)]
    missing = admin.delete(f"/priceschedules/{schedule}/PriceBreaks", params={"quantity": 5})
    assert missing.status_code == 404
    assert error_of(missing)["ErrorCode"] == "PriceSchedule.QtyNotFound"


def test_the_last_price_break_of_an_assigned_schedule_stays(admin: httpx.Client, schedule: str, buyer_user) -> None:
    buyer = buyer_user().buyer_id
    product = created(admin.post("/products", json={"Name": "Priced", "Active": True}))["ID"]
    catalog = admin.get(f"/buyers/{buyer}").json()["DefaultCatalogID"] or buyer
    admin.post("/catalogs/productassignments", json={"CatalogID": catalog, "ProductID": product})
    assignment = admin.post("/products/assignments", json={"ProductID": product, "BuyerID": buyer, "PriceScheduleID": schedule})
    assert assignment.status_code == 204, assignment.text
    response = admin.delete(f"/priceschedules/{schedule}/PriceBreaks", params={"quantity": 1})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "PriceSchedule.CannotDeleteLastPriceBreak"


def test_a_quantity_is_needed_to_delete_a_price_break(admin: httpx.Client, schedule: str) -> None:
    assert error_of(admin.delete(f"/priceschedules/{schedule}/PriceBreaks", params={"quantity": "one"}))["ErrorCode"] == "InvalidRequest"


def test_price_break_quantities_are_unique_and_min_stays_below_max(admin: httpx.Client) -> None:
    duplicate = admin.post("/priceschedules", json={"Name": "Dup", "PriceBreaks": [{"Quantity": 1, "Price": 2}, {"Quantity": 1, "Price": 3}]})
    assert error_of(duplicate)["ErrorCode"] == "PriceSchedule.DuplicatePriceBreaks"
    inverted = admin.post("/priceschedules", json={"Name": "Inverted", "MinQuantity": 5, "MaxQuantity": 2})
    assert error_of(inverted)["ErrorCode"] == "PriceSchedule.MinGreaterThanMax"


def test_is_on_sale_follows_the_sale_window_and_the_sandbox_clock(admin: httpx.Client) -> None:
    window = {"SaleStart": "2000-01-01T00:00:00+00:00", "SaleEnd": "2999-01-01T00:00:00+00:00"}
    on_sale = created(admin.post("/priceschedules", json={"Name": "Sale", **window}))
    over = created(admin.post("/priceschedules", json={"Name": "Over", "SaleEnd": "2001-01-01T00:00:00+00:00"}))
    plain = created(admin.post("/priceschedules", json={"Name": "Plain"}))
    assert (on_sale["IsOnSale"], over["IsOnSale"], plain["IsOnSale"]) == (True, False, False)
