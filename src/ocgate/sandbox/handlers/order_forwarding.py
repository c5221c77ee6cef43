"""Splitting and forwarding an incoming order to suppliers (Orders.Split, Orders.Forward).

Only seller users (403 Order.CannotSplitWrongUserType) split or forward, only incoming orders
(400 Order.CannotSplitOutgoing), only once they are submitted and not declined or canceled
(400 Order.AllowedOnSubmittedOnly: Open or Completed). The lines of the order are grouped by their
SupplierID (the product's DefaultSupplierID); each group becomes an outgoing order from the
seller to that supplier, placed by the calling seller user, with copies of those lines.
RemainingLineItemIDs lists the lines no supplier sells (the seller ships them itself).

Split creates the outgoing orders Unsubmitted; Forward creates (or takes the ones Split made)
and submits them, Open. Chosen where the sources are silent: an outgoing order's ID is
"{orderID}-{supplierID}", so splitting again finds the same orders instead of duplicating them.
An order with outgoing orders cannot be deleted before them (Order.CannotDeleteForwardedOrder).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, forbidden
from ..registry import Call, before_delete, handles
from ..rules.order_access import COMPLETED, OPEN, ORDERS, UNSUBMITTED, lines_of, order_for
from ..rules.order_status import move, require_status
from ..rules.placing_orders import new_order
from ..rules.pricing import recalculate

if TYPE_CHECKING:
    from ..state import Marketplace


def _outgoing_id(order_id: str, supplier_id: str) -> str:
    return f"{order_id}-{supplier_id}"


def _by_supplier(market: Marketplace, order: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for line in lines_of(market, order["ID"]).values():
        groups.setdefault(line.get("SupplierID"), []).append(line)
    return groups


def _outgoing_order(call: Call, order: dict[str, Any], supplier_id: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    market, me = call.market, call.identity
    existing = market.store.get(ORDERS, (), _outgoing_id(order["ID"], supplier_id))
    if existing is not None:
        return existing
    body = {"ID": _outgoing_id(order["ID"], supplier_id), "FromUserID": me.user_id, "FromCompanyID": market.seller_id, "ToCompanyID": supplier_id}
    outgoing = new_order(market, body)
    copies = lines_of(market, outgoing["ID"])
    for line in lines:
        copies[line["ID"]] = {**copy.deepcopy(line), "QuantityShipped": 0, "PromotionDiscount": 0}
    recalculate(market, outgoing)
    return market.store.put(ORDERS, (), outgoing)


def _split(call: Call, submit: bool) -> dict[str, Any]:
    market, me = call.market, call.identity
    if me.user_type != "admin":
        raise forbidden("Order.CannotSplitWrongUserType", "Only Seller users can split and forward orders.", {"UserType": me.user_type})
    order = order_for(call)
    if order["ToCompanyID"] != market.seller_id:
        raise bad_request("Order.CannotSplitOutgoing", "Can only split and forward incoming orders.", {"OrderID": order["ID"]})
    require_status(order, (OPEN, COMPLETED), "Order.AllowedOnSubmittedOnly", "This feature is not available for unsubmitted orders.")
    groups = _by_supplier(market, order)
    outgoing = [_outgoing_order(call, order, supplier, lines) for supplier, lines in groups.items() if supplier]
    for derived in outgoing:
        if submit and derived["Status"] == UNSUBMITTED:
            move(derived, OPEN, "DateSubmitted")
            derived["IsSubmitted"] = True
    return {"OutgoingOrders": outgoing, "RemainingLineItemIDs": [line["ID"] for line in groups.get(None, [])]}


@handles("Orders.Split")
def split(call: Call) -> dict[str, Any]:
    return _split(call, submit=False)


@handles("Orders.Forward")
def forward(call: Call) -> dict[str, Any]:
    return _split(call, submit=True)


@before_delete(ORDERS)
def _keep_forwarded(call: Call, order: dict[str, Any]) -> None:
    market = call.market
    derived = sorted(
        _outgoing_id(order["ID"], supplier)
        for supplier in _by_supplier(market, order)
        if supplier and market.store.get(ORDERS, (), _outgoing_id(order["ID"], supplier)) is not None
    )
    if derived:
        raise bad_request(
            "Order.CannotDeleteForwardedOrder",
            "Cannot delete an order that has been forwarded without first deleting the associated outgoing orders.",
            {"OrderID": order["ID"], "OutgoingOrderIDs": derived},
        )
