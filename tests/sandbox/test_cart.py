"""The cart: a proxy of the user's current unsubmitted order (BEHAVIOUR.md §4.2)."""

from __future__ import annotations

import httpx
import pytest
from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


@pytest.fixture
def shopper(shop: Shop) -> httpx.Client:
    """A fresh user of the shop's buyer: no cart yet."""
    return shop.colleague().api


@pytest.fixture(scope="module")
def product(shop: Shop) -> str:
    return shop.product(breaks=((1, 4.0),))


def test_without_a_cart_get_answers_an_empty_order_and_empty_lists(shopper: httpx.Client) -> None:
    cart = ok(shopper.get("/cart"))
    assert cart["ID"] is None and cart["Status"] == "Unsubmitted" and (cart["LineItemCount"], cart["Total"]) == (0, 0)
    assert ok(shopper.get("/cart/lineitems"))["Items"] == [] and ok(shopper.get("/cart/payments"))["Meta"]["TotalCount"] == 0
    assert error(shopper.patch("/cart/lineitems/nope", json={"Quantity": 2}), 404, "NotFound")["ObjectType"] == "LineItem"
    assert error(shopper.post("/cart/submit"), 404, "NotFound")["ObjectType"] == "Order"
    assert shopper.delete("/cart").status_code == 204


def test_adding_a_line_creates_the_cart(shopper: httpx.Client, product: str) -> None:
    line = ok(shopper.post("/cart/lineitems", json={"ProductID": product, "Quantity": 2}))
    cart = ok(shopper.get("/cart"))
    assert cart["ID"] and (cart["LineItemCount"], cart["Total"]) == (1, 8)
    assert [item["ID"] for item in ok(shopper.get("/cart/lineitems"))["Items"]] == [line["ID"]]
    assert ok(shopper.patch(f"/cart/lineitems/{line['ID']}", json={"Quantity": 3}))["LineSubtotal"] == 12
    assert ok(shopper.get(f"/orders/Outgoing/{cart['ID']}"))["Total"] == 12


def test_a_failed_first_line_leaves_no_cart_behind(shopper: httpx.Client) -> None:
    error(shopper.post("/cart/lineitems", json={"ProductID": "no-such-product"}), 404, "NotFound")
    assert ok(shopper.get("/cart"))["ID"] is None


def test_the_newest_unsubmitted_order_is_the_cart_unless_another_is_made_active(shop: Shop, shopper: httpx.Client) -> None:
    older = ok(shopper.post("/orders/Outgoing", json={}))
    newer = ok(shopper.post("/orders/Outgoing", json={}))
    assert ok(shopper.get("/cart"))["ID"] == newer["ID"]
    assert shopper.put(f"/cart/{older['ID']}").status_code == 204
    assert ok(shopper.get("/cart"))["ID"] == older["ID"]
    error(shopper.put("/cart/no-such-order"), 404, "NotFound")
    theirs = shop.order()
    error(shopper.put(f"/cart/{theirs['ID']}"), 404, "NotFound")


def test_cart_checkout_submits_the_order(shopper: httpx.Client, product: str) -> None:
    ok(shopper.post("/cart/lineitems", json={"ProductID": product, "Quantity": 1}))
    payment = ok(shopper.post("/cart/payments", json={"Type": "PurchaseOrder", "Amount": 4}))
    assert ok(shopper.get(f"/cart/payments/{payment['ID']}"))["Amount"] == 4
    error(shopper.post("/cart/submit"), 400, "Order.CannotSubmitWithUnaccceptedPayments")
    assert shopper.delete(f"/cart/payments/{payment['ID']}").status_code == 204
    assert shopper.post("/cart/validate").status_code == 204
    worksheet = ok(shopper.get("/cart/worksheet"))
    assert worksheet["Order"]["Total"] == 4 and len(worksheet["LineItems"]) == 1
    submitted = ok(shopper.post("/cart/submit"))
    assert submitted["Status"] == "Open"
    assert ok(shopper.get("/cart"))["ID"] is None


def test_a_cart_payment_transaction_answers_the_transaction_not_the_payment(shopper: httpx.Client, product: str) -> None:
    ok(shopper.post("/cart/lineitems", json={"ProductID": product, "Quantity": 1}))
    payment = ok(shopper.post("/cart/payments", json={"Type": "PurchaseOrder", "Amount": 4}))
    transaction = ok(shopper.post(f"/cart/payments/{payment['ID']}/transactions", json={"Type": "Authorization", "Amount": 4, "Succeeded": True, "DateExecuted": "2026-11-22T10:00:00Z"}))
    assert transaction["Type"] == "Authorization" and transaction["Succeeded"] is True and transaction["DateExecuted"]
    assert [t["ID"] for t in ok(shopper.get(f"/cart/payments/{payment['ID']}"))["Transactions"]] == [transaction["ID"]]
    assert shopper.delete(f"/cart/payments/{payment['ID']}/transactions/{transaction['ID']}").status_code == 204


def test_put_and_patch_create_the_cart_and_delete_removes_it(shopper: httpx.Client) -> None:
    cart = ok(shopper.patch("/cart", json={"xp": {"Gift": True}}))
    assert cart["ID"] and cart["xp"] == {"Gift": True}
    assert ok(shopper.put("/cart", json={"Comments": "leave at door"}))["ID"] == cart["ID"]
    assert ok(shopper.get("/cart"))["Comments"] == "leave at door"
    assert shopper.delete("/cart").status_code == 204
    error(shopper.get(f"/orders/Outgoing/{cart['ID']}"), 404, "NotFound")
    assert ok(shopper.get("/cart"))["ID"] is None


def test_an_anonymous_shoppers_cart_moves_to_the_user_who_logs_in(shop: Shop, sandbox, product: str) -> None:
    template = shop.colleague()
    client = ok(shop.admin.post("/apiclients", json={"AppName": "anonymous shop", "Active": True, "AccessTokenDuration": 600, "AllowAnyBuyer": True, "IsAnonBuyer": True, "DefaultContextUserName": template.username}))
    grant = httpx.post(f"{sandbox.base_url}/oauth/token", data={"grant_type": "client_credentials", "client_id": client["ID"], "scope": "Shopper"})
    anonymous_token = ok(grant)["access_token"]
    with httpx.Client(base_url=f"{sandbox.base_url}/v1", headers={"Authorization": f"Bearer {anonymous_token}"}) as anonymous:
        ok(anonymous.post("/cart/lineitems", json={"ProductID": product, "Quantity": 2}))
        cart = ok(anonymous.get("/cart"))
        error(anonymous.post("/orders/Outgoing", json={}), 409, "IdExists")
        registered = shop.colleague()
        error(registered.api.put("/me/orders", params={"anonUserToken": registered.token}), 400, "Auth.MustPassAnonUserToken")
        assert registered.api.put("/me/orders", params={"anonUserToken": anonymous_token}).status_code == 204
        taken = ok(registered.api.get("/cart"))
        assert (taken["ID"], taken["FromUserID"], taken["Total"]) == (cart["ID"], registered.user_id, 8)
        assert ok(anonymous.get("/cart"))["ID"] is None
