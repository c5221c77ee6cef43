"""Who sees which order, and finding the order a request names (BEHAVIOUR.md §4.3).

Direction is the caller's perspective: an order is Outgoing for the company that placed it
(FromCompanyID) and Incoming for the company it is placed with (ToCompanyID); All is either.
So a buyer user sees its own company's orders as Outgoing, the seller sees them as Incoming,
and another buyer's order is simply not there (404).

Changes: an order is edited freely while it is a cart (or was declined with AllowResubmit);
after that only order admins may change it (addresses, costs, xp; line items only outside
their quantities and products), and line items can no longer be added or removed. OrderCloud's
code for this refusal is NOT FOUND; the sandbox answers 400 Order.CannotModifyBadStatus, named
after the catalogue's Order.Cannot<Verb>BadStatus codes.

Anonymous shoppers all act as their API client's default context user; each one's token
carries an `orderid` claim (Identity.anonymous_id), which is the ID of its order (anonymous
shopping has one cart, no multi-cart): an anonymous shopper sees that order only.

Unsubmitted orders are carts: besides their own user, only holders of UnsubmittedOrderReader see
them ("submitted only unless UnsubmittedOrderReader role", RN v1.0.20). Chosen where the sources
are silent: OrderAdmin counts too, because an order admin creates and edits orders on behalf
of buyer users and must see them before they are submitted.

Order lists take buyerID / supplierID (the ordering and the supplying company) and from / to
(bounds of DateCreated; a date without a time is the whole day).

The generic operations apply these rules through declared guards (end of this module): an order
the caller does not see in the path's direction is 404, and so is everything under it (line
items, payments, approvals, applied promotions).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, bad_request, not_found
from ..models import parse_time
from ..registry import Call, guard

if TYPE_CHECKING:
    from ..directory import Identity
    from ..state import Marketplace

ORDERS = "/orders"
LINE_ITEMS = "/orders/{orderID}/lineitems"
PAYMENTS = "/orders/{orderID}/payments"
APPROVALS = "/orders/{orderID}/approvals"
ORDER_PROMOTIONS = "/orders/{orderID}/promotions"

UNSUBMITTED = "Unsubmitted"
AWAITING_APPROVAL = "AwaitingApproval"
DECLINED = "Declined"
OPEN = "Open"
COMPLETED = "Completed"
CANCELED = "Canceled"


def is_order_admin(identity: Identity) -> bool:
    return identity.has_any(("OrderAdmin",))


def on_my_side(identity: Identity, order: dict[str, Any], direction: str) -> bool:
    company = identity.company_id
    outgoing = order.get("FromCompanyID") == company
    incoming = order.get("ToCompanyID") == company
    return {"Outgoing": outgoing, "Incoming": incoming}.get(direction, outgoing or incoming)


def visible(identity: Identity, order: dict[str, Any], direction: str = "All") -> bool:
    if not on_my_side(identity, order, direction):
        return False
    if identity.anonymous_id is not None and order["ID"] != identity.anonymous_id:
        return False
    if order.get("Status") != UNSUBMITTED or order.get("FromUserID") == identity.user_id:
        return True
    return identity.has_any(("UnsubmittedOrderReader", "OrderAdmin"))


def find_order(market: Marketplace, identity: Identity, order_id: str, direction: str = "All") -> dict[str, Any]:
    """The stored order when the caller sees it in that direction; 404 NotFound otherwise."""
    order = market.store.get(ORDERS, (), order_id)
    if order is None or not visible(identity, order, direction):
        raise not_found("Order", order_id)
    return order


def order_for(call: Call) -> dict[str, Any]:
    """The order named by the request path ({direction}/{orderID})."""
    return find_order(call.market, call.identity, call.params["orderID"], call.params.get("direction", "All"))


def visible_orders(call: Call, direction: str = "All") -> list[dict[str, Any]]:
    return [order for order in call.market.store.collection(ORDERS).values() if visible(call.identity, order, direction)]


def _date_bound(call: Call, name: str) -> Any:
    raw = call.query.get(name)
    if not raw:
        return None
    moment = parse_time(raw)
    if moment is None:
        raise bad_request("List.InvalidType", f"{name} must be a date (ISO 8601).", {"Parameter": name, "Value": raw})
    return moment + timedelta(days=1) if name == "to" and "T" not in raw else moment


def matching_query(call: Call, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Orders passing the buyerID / supplierID / from / to parameters of an order list."""
    buyer, supplier = call.query.get("buyerID"), call.query.get("supplierID")
    start, end = _date_bound(call, "from"), _date_bound(call, "to")

    def passes(order: dict[str, Any]) -> bool:
        created = parse_time(order.get("DateCreated"))
        return (
            (not buyer or order.get("FromCompanyID") == buyer)
            and (not supplier or order.get("ToCompanyID") == supplier)
            and (start is None or (created is not None and created >= start))
            and (end is None or (created is not None and created <= end))
        )

    return [order for order in orders if passes(order)]


def lines_of(market: Marketplace, order_id: str) -> dict[str, dict[str, Any]]:
    """The live collection of an order's line items (line item ID -> line item)."""
    return market.store.collection(LINE_ITEMS, (order_id,))


def payments_of(market: Marketplace, order_id: str) -> dict[str, dict[str, Any]]:
    return market.store.collection(PAYMENTS, (order_id,))


def approvals_of(market: Marketplace, order_id: str) -> dict[str, dict[str, Any]]:
    return market.store.collection(APPROVALS, (order_id,))


def resubmit_allowed(market: Marketplace, order: dict[str, Any]) -> bool:
    """A Declined order whose latest decline said AllowResubmit may be edited and submitted again."""
    if order.get("Status") != DECLINED:
        return False
    declines = [row for row in market.store.view(APPROVALS, (order["ID"],)).values() if row.get("Status") == "Declined"]
    return bool(declines) and bool(max(declines, key=lambda row: row.get("DateCompleted") or "").get("AllowResubmit"))


def editable(market: Marketplace, order: dict[str, Any]) -> bool:
    """Line items, payments and addresses may change: the order is a cart, or a declined order sent back for edits."""
    return order.get("Status") == UNSUBMITTED or resubmit_allowed(market, order)


def cannot_modify(order: dict[str, Any], what: str = "changed") -> ApiError:
    return bad_request(
        "Order.CannotModifyBadStatus",
        f"Order {order['ID']} is {order['Status']}: it cannot be {what} now.",
        {"OrderID": order["ID"], "Status": order["Status"]},
    )


def require_changeable(call: Call, order: dict[str, Any]) -> None:
    """400 unless the order is editable, or the caller is an order admin."""
    if not editable(call.market, order) and not is_order_admin(call.identity):
        raise cannot_modify(order)


# -- the generic operations on orders and on what hangs off them ------------------------------


def _seen_in_direction(call: Call, order: dict[str, Any]) -> bool:
    return visible(call.identity, order, call.params.get("direction", "All"))


guard(ORDERS, can_see=_seen_in_direction)
guard(LINE_ITEMS, PAYMENTS, APPROVALS, ORDER_PROMOTIONS, parent=order_for)
