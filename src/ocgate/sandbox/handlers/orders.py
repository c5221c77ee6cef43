"""Orders: create, read, list, replace, patch, delete, cancel (BEHAVIOUR.md §4.1, §4.3, §4.4).

- Creating an order (and a PUT of a new ID) follows rules/placing_orders.py: who orders from
  whom, what a new order holds, who may set its costs.
- A given ID may name incrementors ("SO-{orderIncrementor}"), each replaced by its next number,
  as for every writable ID (line items too).
- The ID may change while the order is Unsubmitted (its line items, payments... move with it);
  FromUserID, FromCompanyID and ToCompanyID never change.
- Delete: a cart by anyone who sees it; a submitted order only by an order admin.
- Cancel: see rules/order_status.py for which statuses may be canceled.
- Lists honour direction and visibility, plus buyerID / supplierID (the ordering and the
  supplying company) and from / to (bounds of DateCreated; a date without a time is the whole
  day): rules/order_access.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import bad_request, id_exists
from ..models import deep_merge, materialize, stamp, validate
from ..registry import Call, handles
from ..responses import list_of
from ..rules.addresses import apply_saved_addresses
from ..rules.order_access import (
    CANCELED,
    ORDERS,
    UNSUBMITTED,
    matching_query,
    order_for,
    require_changeable,
    visible_orders,
)
from ..rules.order_status import CANCELABLE, move, require_status
from ..rules.placing_orders import PARTIES, check_cost_overrides, create_order, order_schema
from ..rules.pricing import recalculate

if TYPE_CHECKING:
    from ..state import Marketplace


@handles("Orders.Create")
def create(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="Order")
    return create_order(call, call.body)


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
    previous = order_for(call)
    return update_order(call, previous, deep_merge(previous, call.body))


@handles("Orders.Save")
def save(call: Call) -> dict[str, Any]:
    """PUT: replace an order the caller sees, or create one with the path's ID."""
    validate(call.op.request_schema or {}, call.body, model="Order")
    body = {**call.body, "ID": call.params["orderID"]}
    if call.market.store.get(ORDERS, (), call.params["orderID"]) is None:
        return create_order(call, body)
    return update_order(call, order_for(call), body)


@handles("Orders.PatchFromUser")
def patch_from_user(call: Call) -> dict[str, Any]:
    """Correct the ordering user's details as the order shows them (the user itself is unchanged)."""
    validate(call.op.request_schema or {}, call.body, model="User", partial=True)
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
    order = order_for(call)
    require_changeable(call, order)
    market.resources.remove(call, market.resources.collection(ORDERS), (), order)


@handles("Orders.Cancel")
def cancel(call: Call) -> dict[str, Any]:
    order = order_for(call)
    require_status(order, CANCELABLE, "Order.CannotCancelInCurrentStatus", "Cannot cancel an order with the status of Open or Completed.")
    move(order, CANCELED, "DateCanceled")
    return order


# -- lists --------------------------------------------------------------------------------------------


@handles("Orders.List")
def list_orders(call: Call) -> dict[str, Any]:
    return list_of(call, matching_query(call, visible_orders(call, call.params["direction"])))
