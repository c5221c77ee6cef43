"""The order status lifecycle: submit, validate, cancel, complete (BEHAVIOUR.md §4.3, §2.3)."""

from __future__ import annotations

from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


def test_submit_opens_the_order_and_dates_it(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 2))
    submitted = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"))
    assert (submitted["Status"], submitted["IsSubmitted"]) == ("Open", True)
    assert submitted["DateSubmitted"] and submitted["DateApproved"] is None and submitted["Total"] == 20


def test_only_an_unsubmitted_order_can_be_submitted(shop: Shop) -> None:
    order = shop.submitted((shop.product(), 1))
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"), 400, "Order.CannotSubmitBadStatus")


def test_an_order_without_line_items_cannot_be_submitted(shop: Shop) -> None:
    order = shop.order()
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"), 400, "Order.CannotSubmitWithNoLineItems")


def test_an_order_with_an_inactive_or_deleted_product_cannot_be_submitted(shop: Shop) -> None:
    retired, removed = shop.product(), shop.product()
    first = shop.order_with((retired, 1))
    second = shop.order_with((removed, 1))
    ok(shop.admin.patch(f"/products/{retired}", json={"Active": False}))
    assert shop.admin.delete(f"/products/{removed}").status_code == 204
    assert error(shop.shopper.post(f"/orders/Outgoing/{first['ID']}/submit"), 400, "Order.CannotSubmitWithInactiveProduct")["ProductIDs"] == [retired]
    assert error(shop.shopper.post(f"/orders/Outgoing/{second['ID']}/submit"), 400, "Order.ProductsNotFound")["ProductIDs"] == [removed]


def test_validate_runs_the_submit_checks_without_submitting(shop: Shop) -> None:
    empty = shop.order()
    error(shop.shopper.post(f"/orders/Outgoing/{empty['ID']}/validate"), 400, "Order.CannotSubmitWithNoLineItems")
    order = shop.order_with((shop.product(), 1))
    assert shop.shopper.post(f"/orders/Outgoing/{order['ID']}/validate").status_code == 204
    assert ok(shop.shopper.get(f"/orders/Outgoing/{order['ID']}"))["Status"] == "Unsubmitted"


def test_a_cart_can_be_canceled_and_is_then_dead(shop: Shop) -> None:
    product = shop.product()
    order = shop.order_with((product, 1))
    canceled = ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/cancel"))
    assert canceled["Status"] == "Canceled" and canceled["DateCanceled"]
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"), 400, "Order.CannotSubmitBadStatus")
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": product}), 400, "Order.CannotModifyBadStatus")
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/cancel"), 400, "Order.CannotCancelInCurrentStatus")


def test_open_and_completed_orders_cannot_be_canceled(shop: Shop) -> None:
    order = shop.submitted((shop.product(), 1))
    error(shop.admin.post(f"/orders/Incoming/{order['ID']}/cancel"), 400, "Order.CannotCancelInCurrentStatus")
    ok(shop.admin.post(f"/orders/Incoming/{order['ID']}/complete"))
    error(shop.admin.post(f"/orders/Incoming/{order['ID']}/cancel"), 400, "Order.CannotCancelInCurrentStatus")


def test_complete_closes_an_open_order_for_good(shop: Shop) -> None:
    cart = shop.order_with((shop.product(), 1))
    error(shop.admin.post(f"/orders/Incoming/{cart['ID']}/complete"), 400, "Order.CannotCompleteBadStatus")
    order = shop.submitted((shop.product(), 1))
    completed = ok(shop.admin.post(f"/orders/Incoming/{order['ID']}/complete"))
    assert completed["Status"] == "Completed" and completed["DateCompleted"]
    error(shop.admin.post(f"/orders/Incoming/{order['ID']}/complete"), 400, "Order.CannotCompleteBadStatus")
    error(shop.admin.post(f"/orders/Incoming/{order['ID']}/ship", json={}), 400, "Order.CannotShipBadStatus")
    error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/complete"), 403, "InsufficientRoles")
