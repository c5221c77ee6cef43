"""Placing an order: who orders from whom, what a new order holds, who may set its costs (BEHAVIOUR.md §4.1, §4.3).

- `POST /orders/Outgoing` by a buyer user: FromUser is the caller, FromCompanyID its buyer,
  ToCompanyID the seller (or a supplier the buyer may order from, when the body names one: an
  active supplier linked to the buyer, see `sellers_of`). `POST /orders/Incoming` by a seller
  (or supplier) user places the order on behalf of a buyer user and needs both FromCompanyID and
  FromUserID (Order.CreateIncomingRequiresFromUser; an unknown user is 404 Buyer.UserNotFound).
  `All` means the caller's natural direction; any other combination is 400 Order.CannotCreateInvalid.
- An anonymous shopper's order has the ID its token names; any other given ID may name
  incrementors, as for every writable ID.
- A new order is Unsubmitted with zero totals and embeds its FromUser (every property, roles
  included, no password). FromUserID, FromCompanyID and ToCompanyID never change afterwards.
- ShippingCost and TaxCost may only be set by an order admin who also holds OverrideShipping /
  OverrideTax (403 Order.OverrideShippingPermission / OverrideTaxPermission), on any write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ApiError, bad_request, forbidden, id_exists, not_found
from ..models import materialize, stamp
from .addresses import apply_saved_addresses
from .order_access import ORDERS, UNSUBMITTED, is_order_admin
from .pricing import decimal, recalculate

if TYPE_CHECKING:
    from ..directory import Identity
    from ..registry import Call
    from ..state import Marketplace

#: set when the order is created, never changed afterwards
PARTIES = ("FromUserID", "FromCompanyID", "ToCompanyID")
COST_OVERRIDES = (("ShippingCost", "OverrideShipping", "Order.OverrideShippingPermission"), ("TaxCost", "OverrideTax", "Order.OverrideTaxPermission"))
SUPPLIERS = "/suppliers"
#: where the engine keeps the links of PUT /suppliers/{supplierID}/buyers/{buyerID}
SUPPLIER_BUYER_LINKS = "/suppliers/{supplierID}/buyers#links"


def sellers_of(market: Marketplace, buyer_id: str) -> list[dict[str, Any]]:
    """Organizations the buyer can order from: the marketplace owner, and active suppliers linked to the buyer."""
    store = market.store
    sellers = [{"ID": market.seller_id, "Name": market.bootstrap.seller_name}]
    for supplier in store.view(SUPPLIERS).values():
        if supplier.get("Active") and buyer_id in store.view(SUPPLIER_BUYER_LINKS, (supplier["ID"],)):
            sellers.append({"ID": supplier["ID"], "Name": supplier.get("Name")})
    return sellers


def order_schema(market: Marketplace) -> dict[str, Any]:
    return market.resources.collection(ORDERS).schema


def user_snapshot(market: Marketplace, user_type: str, company: str | None, user_id: str) -> dict[str, Any]:
    """The User as an order embeds it (FromUser): every property, roles included, no password."""
    user = market.directory.user_object(user_type, None if user_type == "admin" else company, user_id) or {"ID": user_id}
    roles, _ = market.directory.roles_of(user_type, None if user_type == "admin" else company, user_id)
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
    if market.directory.user_object("buyer", buyer_id, user_id) is None:
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


def create_order(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    market = call.market
    body = {**body, **parties(call, body)}
    order_id = body["ID"] = call.identity.anonymous_id or market.resources.assign_id(body)
    if market.store.get(ORDERS, (), order_id) is not None:
        raise id_exists("Order", order_id)
    order = new_order(market, body)
    check_cost_overrides(call.identity, order, None)
    apply_saved_addresses(market, order, None)
    recalculate(market, order)
    collection = market.resources.collection(ORDERS)
    return market.resources.write(call, collection, (), order, None)
