"""Payments on orders and their transactions (BEHAVIOUR.md §4.1 step 7, §6, Misc facts).

- Create: Amount null (the whole order) or > 0 (Payment.AmountGreaterThanZero); not on a
  Canceled order (Payment.CannotEditCancelled) nor one already fully paid (Payment.AlreadyPaid).
  CreditCardID only on CreditCard payments, SpendingAccountID only (and required) on
  SpendingAccount payments (Payment.CannotSetCreditCard / CannotSetSpendingAccount /
  SpendingAccountIdMissing); the spending account must be the buyer's
  (Payment.InvalidSpendingAccountID) and cover the amount (Payment.ExceedsBalance).
- `Accepted` may only be set (to true, or changed) by OrderAdmin or FullAccess
  (403 Payment.CannotPatchAccepted); submit refuses unaccepted payments (checkout).
- Patch: Type, CreditCardID and SpendingAccountID are fixed (Payment.CannotPatchProperty); a
  non-admin may not touch an accepted payment of a submitted order, nor a CreditCard payment
  (403 Payment.NotAuthorizedToPatch) — the same rule guards delete.
- Transactions (order admins) are kept in the payment's read-only Transactions list.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..errors import bad_request, forbidden, id_exists, not_found
from ..models import deep_merge, materialize, stamp, validate
from ..registry import Call, handles
from ..rules.order_access import CANCELED, PAYMENTS, UNSUBMITTED, is_order_admin, order_for, payments_of
from ..rules.pricing import decimal
from ..store import utc_now

SPENDING_ACCOUNTS = "/buyers/{buyerID}/spendingaccounts"
FIXED = ("Type", "CreditCardID", "SpendingAccountID")


def _payment_schema(call: Call) -> dict[str, Any]:
    return call.market.resources.collection(PAYMENTS).schema


def _payable_order(call: Call) -> dict[str, Any]:
    order = order_for(call)
    if order["Status"] == CANCELED:
        raise bad_request("Payment.CannotEditCancelled", "Cannot add or edit a payment on a canceled order.", {"OrderID": order["ID"]})
    return order


def _payment(call: Call, order: dict[str, Any]) -> dict[str, Any]:
    payment = call.market.store.view(PAYMENTS, (order["ID"],)).get(call.params["paymentID"])
    if payment is None:
        raise not_found("Payment", call.params["paymentID"])
    return payment


def _check_accepted(call: Call, payment: dict[str, Any], previous: dict[str, Any] | None) -> None:
    was = bool(previous and previous.get("Accepted"))
    if bool(payment.get("Accepted")) != was and not is_order_admin(call.identity):
        raise forbidden("Payment.CannotPatchAccepted", "You are not authorized to modify the Accepted property.", {"RequiredRoles": ["OrderAdmin"]})


def _check_method(call: Call, order: dict[str, Any], payment: dict[str, Any]) -> None:
    kind = payment.get("Type")
    if payment.get("CreditCardID") and kind != "CreditCard":
        raise bad_request("Payment.CannotSetCreditCard", 'Cannot have CreditCardID set on Payment of this type. If you are trying to assign a CreditCard, make sure the Payment\'s Type is "CreditCard".', {"Type": kind})
    if payment.get("SpendingAccountID") and kind != "SpendingAccount":
        raise bad_request("Payment.CannotSetSpendingAccount", 'Cannot have SpendingAccountID set on Payment of this type. If you are trying to assign a SpendingAccount, make sure the Payment\'s Type is "SpendingAccount".', {"Type": kind})
    if kind != "SpendingAccount":
        return
    if not payment.get("SpendingAccountID"):
        raise bad_request("Payment.SpendingAccountIdMissing", "You must include a corresponding ID when creating a payment of type SpendingAccount.", {"Type": kind})
    account = call.market.store.get(SPENDING_ACCOUNTS, (order["FromCompanyID"] or "",), payment["SpendingAccountID"])
    if account is None:
        raise bad_request("Payment.InvalidSpendingAccountID", "Invalid SpendingAccountID.", {"SpendingAccountID": payment["SpendingAccountID"]})
    amount = decimal(payment["Amount"] if payment.get("Amount") is not None else order["Total"])
    if account.get("Balance") is not None and amount > decimal(account["Balance"]):
        raise bad_request("Payment.ExceedsBalance", "Payment exceeds Spending Account balance.", {"SpendingAccountID": account["ID"], "Balance": account["Balance"], "Amount": float(amount)})


def _check_may_touch(call: Call, order: dict[str, Any], payment: dict[str, Any]) -> None:
    if is_order_admin(call.identity):
        return
    if (payment.get("Accepted") and order["Status"] != UNSUBMITTED) or payment.get("Type") == "CreditCard":
        raise forbidden(
            "Payment.NotAuthorizedToPatch",
            "You are not authorized to modify Accepted payments on submitted orders, or payments with the type of CreditCard.",
            {"PaymentID": payment["ID"]},
        )


def create_payment(call: Call, order: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    market = call.market
    payments = payments_of(market, order["ID"])
    body = dict(body)
    payment_id = market.resources.assign_id(body)
    if payment_id in payments:
        raise id_exists("Payment", payment_id)
    if body.get("Amount") is not None and body["Amount"] <= 0:
        raise bad_request("Payment.AmountGreaterThanZero", "When creating a payment Amount must be null or greater than zero.", {"Amount": body["Amount"]})
    paid = sum((decimal(p["Amount"]) for p in payments.values() if p.get("Amount") is not None), Decimal(0))
    if decimal(order["Total"]) > 0 and paid >= decimal(order["Total"]):
        raise bad_request("Payment.AlreadyPaid", "Cannot create Payment. Order is already fully paid.", {"OrderID": order["ID"], "Total": order["Total"]})
    payment = stamp(materialize(_payment_schema(call), body), created=True)
    payment.update(Accepted=bool(payment.get("Accepted")), Transactions=[], Currency=order.get("Currency"))
    _check_accepted(call, payment, None)
    _check_method(call, order, payment)
    payments[payment_id] = payment
    order["LastUpdated"] = utc_now()
    return payment


@handles("Payments.Create")
def create(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="Payment")
    return create_payment(call, _payable_order(call), call.body)


@handles("Payments.Patch")
def patch(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="Payment", partial=True)
    order = _payable_order(call)
    previous = _payment(call, order)
    changed = [name for name in FIXED if name in call.body and call.body[name] != previous.get(name)]
    if changed:
        raise bad_request("Payment.CannotPatchProperty", "Payment Type, SpendingAccountID, and CreditCardID are not modifiable properties on a payment.", {"Properties": changed})
    _check_may_touch(call, order, previous)
    payment = materialize(_payment_schema(call), deep_merge(previous, {**call.body, "ID": previous["ID"]}), previous)
    payment["Accepted"] = bool(payment.get("Accepted"))
    _check_accepted(call, payment, previous)
    _check_method(call, order, payment)
    payments_of(call.market, order["ID"])[payment["ID"]] = payment
    order["LastUpdated"] = utc_now()
    return payment


@handles("Payments.Delete")
def delete(call: Call) -> None:
    order = _payable_order(call)
    payment = _payment(call, order)
    _check_may_touch(call, order, payment)
    del payments_of(call.market, order["ID"])[payment["ID"]]
    order["LastUpdated"] = utc_now()


@handles("Payments.CreateTransaction")
def create_transaction(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="PaymentTransaction")
    payment = _payment(call, _payable_order(call))
    schema = _payment_schema(call)["properties"]["Transactions"]["items"]
    body = dict(call.body)
    call.market.resources.assign_id(body)
    transaction = materialize(schema, body)
    transaction["DateExecuted"] = transaction["DateExecuted"] or utc_now()
    if any(t["ID"] == transaction["ID"] for t in payment["Transactions"] or []):
        raise id_exists("PaymentTransaction", transaction["ID"])  # a chosen ID is unique, as for every create
    payment["Transactions"] = [*(payment["Transactions"] or []), transaction]
    return payment


@handles("Payments.DeleteTransaction")
def delete_transaction(call: Call) -> None:
    payment = _payment(call, _payable_order(call))
    kept = [t for t in payment["Transactions"] or [] if t["ID"] != call.params["transactionID"]]
    if len(kept) == len(payment["Transactions"] or []):
        raise not_found("PaymentTransaction", call.params["transactionID"])
    payment["Transactions"] = kept
