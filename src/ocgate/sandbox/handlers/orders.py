"""Orders: create, read, list, replace, patch, delete (BEHAVIOUR.md §4.1, §4.3, §4.4).

- `POST /orders/Outgoing` by a buyer user: FromUser is the caller, FromCompanyID its buyer,
  ToCompanyID the seller (or a supplier the buyer may order from, when the body names one).
  `POST /orders/Incoming` by a seller (or supplier) user places the order on behalf of a buyer
  user and needs both FromCompanyID and FromUserID (Order.CreateIncomingRequiresFromUser; an
  unknown user is 404 Buyer.UserNotFound). `All` means the caller's natural direction; any other
  combination is 400 Order.CannotCreateInvalid.
- A given ID may name incrementors ("SO-{orderIncrementor}"), each replaced by its next number,
  as for every writable ID (line items too); an anonymous shopper's order has the ID its token names.
- A new order is Unsubmitted with zero totals. FromUserID, FromCompanyID and ToCompanyID never
  change afterwards. ShippingCost and TaxCost may only be set by an order admin who also holds
  OverrideShipping / OverrideTax (403 Order.OverrideShippingPermission / OverrideTaxPermission).
- The ID may change while the order is Unsubmitted (its line items, payments... move with it).
- Delete: a cart by anyone who sees it; a submitted order only by an order admin.
- Lists honour direction and visibility (order_access), plus buyerID / supplierID (the
  ordering and the supplying company) and from / to (bounds of DateCreated; a date without a time
  is the whole day).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..errors import ApiError, bad_request, forbidden, id_exists, not_found
from ..models import deep_merge, materialize, stamp, validate
from ..registry import Call, handles
from .buyers import sellers_of
from .order_access import (
    ORDERS,
    UNSUBMITTED,
    is_order_admin,
    order_for,
    require_changeable,
    visible_orders,
)
from .order_addresses import apply_saved_addresses
from .pricing import decimal, parse_time, recalculate
from .responses import list_of

if TYPE_CHECKING:
    from ..auth import Identity
    from ..state import Marketplace

#: set when the order is created, never changed afterwards
PARTIES = ("FromUserID", "FromCompanyID", "ToCompanyID")
COST_OVERRIDES = (("ShippingCost", "OverrideShipping", "Order.OverrideShippingPermission"), ("TaxCost", "OverrideTax", "Order.OverrideTaxPermission"))


def order_schema(market: Marketplace) -> dict[str, Any]:
    return market.resources.collection(ORDERS).schema


def user_snapshot(market: Marketplace, user_type: str, company: str | None, user_id: str) -> dict[str, Any]:
    """The User as an order embeds it (FromUser): every property, roles included, no password."""
    user = market.user_object(user_type, None if user_type == "admin" else company, user_id) or {"ID": user_id}
    roles, _ = market.roles_of(user_type, None if user_type == "admin" else company, user_id)
    full = {**user, "AvailableRoles": sorted(roles)}
    return materialize(order_schema(market)["properties"]["FromUser"], full, full)


def _user_type_in(market: Marketplace, company: str) -> str:
    if company == market.seller_id:
        return "admin"
    return "supplier" if market.store.get("/suppliers", (), company) is not None else "buyer"


def new_order(market: Marketplace, body: dict[str, Any]) -> dict[str, Any]:
    """A stored-shape Unsubmitted order from a body whose parties are already decided."""
    order = stamp(materialize(order_schema(market), body), created=True)
    from_company = order["FromCompanyID"]
    order.update(
        Status=UNSUBMITTED,
        IsSubmitted=False,
        FromUser=user_snapshot(market, _user_type_in(market, from_company), from_company, order["FromUserID"]),
        ShippingCost=order["ShippingCost"] or 0,
        TaxCost=order["TaxCost"] or 0,
    )
    return order


# -- who places an order with whom ----------------------------------------------------------------


def _invalid(message: str, data: dict[str, Any]) -> Exception:
    return bad_request("Order.CannotCreateInvalid", message, data)


def _outgoing_parties(market: Marketplace, me: Identity, body: dict[str, Any]) -> dict[str, Any]:
    to_company = body.get("ToCompanyID") or market.seller_id
    if to_company != market.seller_id:  # every buyer orders from the seller; a supplier must sell to the buyer
        sellers = [seller["ID"] for seller in sellers_of(market, me.company_id)]
        if to_company not in sellers:
            raise _invalid(f"Buyer {me.company_id} cannot order from {to_company}.", {"ToCompanyID": to_company, "Sellers": sellers})
    return {"FromUserID": me.user_id, "FromCompanyID": me.company_id, "ToCompanyID": to_company}


def _incoming_parties(market: Marketplace, me: Identity, body: dict[str, Any]) -> dict[str, Any]:
    buyer_id, user_id = body.get("FromCompanyID"), body.get("FromUserID")
    if not buyer_id or not user_id:
        raise bad_request(
            "Order.CreateIncomingRequiresFromUser",
            "To create an incoming order, you must provide both FromCompanyID and FromUserID.",
            {"FromCompanyID": buyer_id, "FromUserID": user_id},
        )
    if market.store.get("/buyers", (), buyer_id) is None:
        raise not_found("Buyer", buyer_id)
    if market.user_object("buyer", buyer_id, user_id) is None:
        raise ApiError(404, "Buyer.UserNotFound", "User was not found in this Buyer company.", {"BuyerID": buyer_id, "UserID": user_id})
    return {"FromUserID": user_id, "FromCompanyID": buyer_id, "ToCompanyID": me.company_id}


def parties(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    me, direction = call.identity, call.params.get("direction", "All")
    if me.user_type == "buyer" and direction in ("Outgoing", "All"):
        return _outgoing_parties(call.market, me, body)
    if me.user_type != "buyer" and direction in ("Incoming", "All"):
        return _incoming_parties(call.market, me, body)
    raise _invalid(
        f"A {me.user_type} user cannot create {direction} orders: buyer users create Outgoing orders, seller users create Incoming orders on behalf of a buyer user.",
        {"Direction": direction, "UserType": me.user_type},
    )


def check_cost_overrides(identity: Identity, order: dict[str, Any], previous: dict[str, Any] | None) -> None:
    for field, role, code in COST_OVERRIDES:
        if decimal(order.get(field)) != decimal((previous or {}).get(field)) and not (identity.has_any((role,)) and is_order_admin(identity)):
            raise forbidden(code, f"User must have {role} permission (and OrderAdmin) to change {field}.", {field: order.get(field), "RequiredRoles": [role, "OrderAdmin"]})


# -- create / read / change ----------------------------------------------------------------------


def create_order(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    market = call.market
    body = {**body, **parties(call, body)}
    with market.store.lock:
        order_id = body["ID"] = call.identity.anonymous_id or market.resources.assign_id(body)
        if market.store.get(ORDERS, (), order_id) is not None:
            raise id_exists("Order", order_id)
        order = new_order(market, body)
        check_cost_overrides(call.identity, order, None)
        apply_saved_addresses(market, order, None)
        recalculate(market, order)
        collection = market.resources.collection(ORDERS)
        return market.resources.write(call, collection, (), order, None)


@handles("Orders.Create")
def create(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="Order")
    return create_order(call, call.body)


@handles("Orders.Get")
def get(call: Call) -> dict[str, Any]:
    return order_for(call)


def _move_children(market: Marketplace, old_id: str, new_id: str) -> None:
    """Line items, payments and everything else kept under an order follow it to its new ID."""
    for template in [t for t in market.store.counts() if t.startswith(ORDERS + "/{orderID}/")]:
        for scope, objects in list(market.store.scopes(template)):
            if scope[0] == old_id:
                market.store.collection(template, (new_id, *scope[1:])).update(objects)
                objects.clear()


def update_order(call: Call, previous: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    """Store the changed order (merged = previous + changes, or a full replacement)."""
    market = call.market
    require_changeable(call, previous)
    new_id = merged.get("ID") or previous["ID"]
    if new_id != previous["ID"]:
        if previous["Status"] != UNSUBMITTED:
            raise bad_request("ValidationFailure", "Order.ID can only change while the order is Unsubmitted.", {"Property": "ID", "Reason": "read-only after submit"})
        if market.store.get(ORDERS, (), new_id) is not None:
            raise id_exists("Order", new_id)
    order = stamp(materialize(order_schema(market), {**merged, "ID": new_id, **{key: previous[key] for key in PARTIES}}, previous), created=False)
    check_cost_overrides(call.identity, order, previous)
    if new_id != previous["ID"]:
        _move_children(market, previous["ID"], new_id)
    apply_saved_addresses(market, order, previous)
    recalculate(market, order)
    return market.resources.write(call, market.resources.collection(ORDERS), (), order, previous)


@handles("Orders.Patch")
def patch(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="Order", partial=True)
    with call.market.store.lock:
        previous = order_for(call)
        return update_order(call, previous, deep_merge(previous, call.body))


@handles("Orders.Save")
def save(call: Call) -> dict[str, Any]:
    """PUT: replace an order the caller sees, or create one with the path's ID."""
    validate(call.op.request_schema or {}, call.body, model="Order")
    body = {**call.body, "ID": call.params["orderID"]}
    with call.market.store.lock:
        if call.market.store.get(ORDERS, (), call.params["orderID"]) is None:
            return create_order(call, body)
        return update_order(call, order_for(call), body)


@handles("Orders.PatchFromUser")
def patch_from_user(call: Call) -> dict[str, Any]:
    """Correct the ordering user's details as the order shows them (the user itself is unchanged)."""
    validate(call.op.request_schema or {}, call.body, model="User", partial=True)
    with call.market.store.lock:
        order = order_for(call)
        require_changeable(call, order)
        schema = order_schema(call.market)["properties"]["FromUser"]
        changes = {key: value for key, value in call.body.items() if key not in ("ID", "Password")}
        order["FromUser"] = materialize(schema, deep_merge(order["FromUser"] or {}, changes), order["FromUser"])
        stamp(order, created=False)
        return order


@handles("Orders.Delete")
def delete(call: Call) -> None:
    market = call.market
    with market.store.lock:
        order = order_for(call)
        require_changeable(call, order)
        market.resources.remove(call, market.resources.collection(ORDERS), (), order)


# -- lists --------------------------------------------------------------------------------------------


def _bound(call: Call, name: str) -> Any:
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
    start, end = _bound(call, "from"), _bound(call, "to")

    def passes(order: dict[str, Any]) -> bool:
        created = parse_time(order.get("DateCreated"))
        return (
            (not buyer or order.get("FromCompanyID") == buyer)
            and (not supplier or order.get("ToCompanyID") == supplier)
            and (start is None or (created is not None and created >= start))
            and (end is None or (created is not None and created <= end))
        )

    return [order for order in orders if passes(order)]


@handles("Orders.List")
def list_orders(call: Call) -> dict[str, Any]:
    return list_of(call, matching_query(call, visible_orders(call, call.params["direction"])))
