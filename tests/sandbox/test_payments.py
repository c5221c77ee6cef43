"""Payments: who may accept them, what they may pay with, and what submit demands (BEHAVIOUR.md §4.1, §6)."""

from __future__ import annotations

from _commerce_fixtures import Shop, error, ok, shop  # noqa: F401  (shop is a fixture)


def payments(order: dict) -> str:
    return f"/orders/Outgoing/{order['ID']}/payments"


def test_a_shopper_pays_but_only_an_order_admin_accepts(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 2))
    payment = ok(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder", "Amount": 5}))
    assert payment["Accepted"] is False and payment["Transactions"] == [] and payment["DateCreated"]
    error(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder", "Accepted": True}), 403, "Payment.CannotPatchAccepted")
    error(shop.shopper.patch(f"{payments(order)}/{payment['ID']}", json={"Accepted": True}), 403, "Payment.CannotPatchAccepted")
    accepted = ok(shop.admin.patch(f"/orders/Incoming/{order['ID']}/payments/{payment['ID']}", json={"Accepted": True}))
    assert accepted["Accepted"] is True and accepted["Amount"] == 5


def test_submit_refuses_unaccepted_payments(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 1))
    payment = ok(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder"}))
    data = error(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"), 400, "Order.CannotSubmitWithUnaccceptedPayments")
    assert data["PaymentIDs"] == [payment["ID"]]
    ok(shop.admin.patch(f"/orders/Incoming/{order['ID']}/payments/{payment['ID']}", json={"Accepted": True}))
    assert ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"))["Status"] == "Open"


def test_an_amount_must_be_null_or_positive(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 1))
    error(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder", "Amount": 0}), 400, "Payment.AmountGreaterThanZero")
    assert ok(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder", "Amount": None}))["Amount"] is None


def test_an_order_already_paid_in_full_takes_no_more_payments(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 1))
    ok(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder", "Amount": 10}))
    error(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder", "Amount": 1}), 400, "Payment.AlreadyPaid")


def test_payment_methods_match_the_payment_type(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 3))
    error(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder", "CreditCardID": "card"}), 400, "Payment.CannotSetCreditCard")
    error(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder", "SpendingAccountID": "acct"}), 400, "Payment.CannotSetSpendingAccount")
    error(shop.shopper.post(payments(order), json={"Type": "SpendingAccount"}), 400, "Payment.SpendingAccountIdMissing")
    error(shop.shopper.post(payments(order), json={"Type": "SpendingAccount", "SpendingAccountID": "nope"}), 400, "Payment.InvalidSpendingAccountID")
    account = ok(shop.admin.post(f"/buyers/{shop.buyer.buyer_id}/spendingaccounts", json={"Name": "Budget", "Balance": 25}))
    error(shop.shopper.post(payments(order), json={"Type": "SpendingAccount", "SpendingAccountID": account["ID"]}), 400, "Payment.ExceedsBalance")
    paid = ok(shop.shopper.post(payments(order), json={"Type": "SpendingAccount", "SpendingAccountID": account["ID"], "Amount": 25}))
    error(shop.shopper.patch(f"{payments(order)}/{paid['ID']}", json={"Type": "PurchaseOrder"}), 400, "Payment.CannotPatchProperty")


def test_a_shopper_cannot_touch_accepted_payments_of_a_submitted_order(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 1))
    payment = ok(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder"}))
    ok(shop.admin.patch(f"/orders/Incoming/{order['ID']}/payments/{payment['ID']}", json={"Accepted": True}))
    ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/submit"))
    error(shop.shopper.patch(f"{payments(order)}/{payment['ID']}", json={"Description": "changed"}), 403, "Payment.NotAuthorizedToPatch")
    error(shop.shopper.delete(f"{payments(order)}/{payment['ID']}"), 403, "Payment.NotAuthorizedToPatch")
    assert ok(shop.admin.patch(f"/orders/Incoming/{order['ID']}/payments/{payment['ID']}", json={"Description": "ok"}))["Description"] == "ok"


def test_a_canceled_order_takes_no_payment(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 1))
    ok(shop.shopper.post(f"/orders/Outgoing/{order['ID']}/cancel"))
    error(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder"}), 400, "Payment.CannotEditCancelled")


def test_payments_can_be_listed_read_and_deleted_by_whoever_sees_the_order(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 1))
    payment = ok(shop.shopper.post(payments(order), json={"ID": "pay-1", "Type": "PurchaseOrder", "xp": {"PO": "123"}}))
    error(shop.shopper.post(payments(order), json={"ID": "pay-1", "Type": "PurchaseOrder"}), 409, "IdExists")
    assert [p["ID"] for p in ok(shop.shopper.get(payments(order)))["Items"]] == ["pay-1"]
    assert ok(shop.shopper.get(f"{payments(order)}/pay-1"))["xp"] == {"PO": "123"}
    stranger = shop.make_user()
    error(stranger.api.get(payments(order)), 404, "NotFound")
    assert shop.shopper.delete(f"{payments(order)}/{payment['ID']}").status_code == 204
    error(shop.shopper.get(f"{payments(order)}/pay-1"), 404, "NotFound")


def test_order_admins_record_payment_transactions(shop: Shop) -> None:
    order = shop.order_with((shop.product(), 1))
    payment = ok(shop.shopper.post(payments(order), json={"Type": "PurchaseOrder"}))
    path = f"/orders/Incoming/{order['ID']}/payments/{payment['ID']}/transactions"
    error(shop.shopper.post(f"{payments(order)}/{payment['ID']}/transactions", json={"Type": "Charge", "Amount": 10}), 403, "InsufficientRoles")
    recorded = ok(shop.admin.post(path, json={"ID": "tx-1", "Type": "Charge", "Amount": 10, "Succeeded": True, "DateExecuted": None}))
    assert [t["ID"] for t in recorded["Transactions"]] == ["tx-1"] and recorded["Transactions"][0]["DateExecuted"]
    error(shop.admin.post(path, json={"ID": "tx-1", "Type": "Refund", "Amount": 10, "DateExecuted": None}), 409, "IdExists")  # the first one stays as it was
    assert shop.admin.delete(f"{path}/tx-1").status_code == 204
    error(shop.admin.delete(f"{path}/tx-1"), 404, "NotFound")
    assert ok(shop.shopper.get(f"{payments(order)}/{payment['ID']}"))["Transactions"] == []
