"""Submitting an order, and validating it without submitting (BEHAVIOUR.md §4.1 step 8, §4.3).

Submit takes an Unsubmitted order (or a Declined one sent back with AllowResubmit) and refuses,
in this order: any other status (Order.CannotSubmitBadStatus), no line items
(Order.CannotSubmitWithNoLineItems), products deleted since (Order.ProductsNotFound) or inactive
(Order.CannotSubmitWithInactiveProduct), payments not Accepted
(Order.CannotSubmitWithUnaccceptedPayments — sic, OrderCloud's spelling), and short stock
(Inventory.Insufficient). Then it becomes AwaitingApproval when an approval rule matches, Open
otherwise (inventory deducted); IsSubmitted and DateSubmitted are set and applied promotions are
redeemed. `POST .../validate` runs the same checks and answers 204 without changing anything.
The engine holds the store lock for the whole request, so concurrent submits cannot oversell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import bad_request
from ..registry import Call, handles
from ..rules import inventory
from ..rules.approval_rules import request_approvals
from ..rules.order_access import AWAITING_APPROVAL, PAYMENTS, UNSUBMITTED, lines_of, order_for, resubmit_allowed
from ..rules.order_status import move, open_order
from ..rules.pricing import redeem

if TYPE_CHECKING:
    from ..state import Marketplace

PRODUCTS = "/products"


def check_submittable(market: Marketplace, order: dict[str, Any]) -> None:
    data = {"OrderID": order["ID"]}
    if order["Status"] != UNSUBMITTED and not resubmit_allowed(market, order):
        raise bad_request("Order.CannotSubmitBadStatus", "Cannot submit order with this status. Order status must be Unsubmitted.", {**data, "Status": order["Status"]})
    lines = list(lines_of(market, order["ID"]).values())
    if not lines:
        raise bad_request("Order.CannotSubmitWithNoLineItems", "Cannot submit an order without any line items.", data)
    products = {line["ProductID"]: market.store.get(PRODUCTS, (), line["ProductID"]) for line in lines}
    missing = sorted(product_id for product_id, product in products.items() if product is None)
    if missing:
        raise bad_request("Order.ProductsNotFound", "Cannot submit an order because the following products are not accessible any more.", {**data, "ProductIDs": missing})
    inactive = sorted(product_id for product_id, product in products.items() if not (product or {}).get("Active"))
    if inactive:
        raise bad_request("Order.CannotSubmitWithInactiveProduct", "Cannot submit an order with an inactive product.", {**data, "ProductIDs": inactive})
    unaccepted = sorted(payment["ID"] for payment in market.store.view(PAYMENTS, (order["ID"],)).values() if not payment.get("Accepted"))
    if unaccepted:
        raise bad_request("Order.CannotSubmitWithUnaccceptedPayments", "Cannot submit an order with payments that have not been Accepted.", {**data, "PaymentIDs": unaccepted})
    inventory.check_order(market, order["ID"])


@handles("Orders.Submit")
def submit(call: Call) -> dict[str, Any]:
    market = call.market
    order = order_for(call)
    check_submittable(market, order)
    first_submit = order["DateSubmitted"] is None
    if request_approvals(market, order):
        move(order, AWAITING_APPROVAL, "DateSubmitted")
    else:
        open_order(market, order, "DateSubmitted")
    order["IsSubmitted"] = True
    if first_submit:
        redeem(market, order)
    return order


@handles("Orders.Validate")
def validate_order(call: Call) -> None:
    check_submittable(call.market, order_for(call))
