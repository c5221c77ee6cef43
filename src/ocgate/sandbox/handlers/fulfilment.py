"""Fulfilment: shipments, shipment items, ship and complete (BEHAVIOUR.md §4.3, §4.5).

- `POST .../ship` creates one shipment holding every line item in full, and the order becomes
  Completed. The order must be Open (Order.CannotShipBadStatus) with line items
  (Order.CannotShipWithNoLineItems) none of which is on another shipment yet
  (Order.ConflictsWithOtherShipments, Data: those line items).
- `POST /shipments/{id}/items` ships part of a line of an Open order: LineItem.QuantityShipped is
  the sum over the shipments, never more than the line's Quantity
  (ShipmentItem.QuantityExceeded). When every line is shipped in full the order becomes
  Completed. Removing a shipment item (or the shipment) gives its quantity back to the line; a
  Completed order stays Completed ("You will not be able to ship or reopen an order after
  completing it").
- `POST .../complete`: Open -> Completed (Order.CannotCompleteBadStatus otherwise).
- Shipments belong to their owner (OwnerID: the seller, or a supplier) and are shown to it, to
  the buyer they go to (BuyerID), and to the seller; /me/shipments shows a buyer user the
  shipments of the orders it placed. The generic get, save, patch and delete apply these
  rules through the guards declared below; any other shipment is 404.
- Shipment addresses: FromAddressID names an address of the owner, ToAddressID one of the buyer;
  `PUT .../shipfrom|shipto` set one-time addresses (see rules/addresses.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import bad_request, not_found
from ..models import materialize, validate
from ..registry import Call, before_delete, before_write, guard, handles, perspective, the_marketplace
from ..responses import list_of
from ..rules.addresses import BUYER_ADDRESSES, SELLER_ADDRESSES, SUPPLIER_ADDRESSES, one_time_address, saved_address
from ..rules.order_access import COMPLETED, OPEN, ORDERS, find_order, lines_of, order_for
from ..rules.order_status import move, require_status
from ..store import utc_now

if TYPE_CHECKING:
    from ..state import Marketplace

SHIPMENTS = "/shipments"
SHIPMENT_ITEMS = "/shipments/{shipmentID}/items"


# -- shipments ------------------------------------------------------------------------------------


def _sees(call: Call, shipment: dict[str, Any]) -> bool:
    """Seller users see every shipment; a supplier user those it owns, a buyer user those going to its buyer."""
    me = call.identity
    if me.user_type == "admin":
        return True
    field = "OwnerID" if me.user_type == "supplier" else "BuyerID"
    return shipment.get(field) == me.company_id


guard(SHIPMENTS, can_see=_sees)


def _shipment(call: Call) -> dict[str, Any]:
    shipment = call.market.store.get(SHIPMENTS, (), call.params["shipmentID"])
    if shipment is None or not _sees(call, shipment):
        raise not_found("Shipment", call.params["shipmentID"])
    return shipment


@before_write(SHIPMENTS)
def _fill_shipment(call: Call, shipment: dict[str, Any], previous: dict[str, Any] | None) -> None:
    market, before = call.market, previous or {}
    shipment["OwnerID"] = shipment.get("OwnerID") or before.get("OwnerID") or call.identity.company_id
    if shipment.get("BuyerID") and market.store.get("/buyers", (), shipment["BuyerID"]) is None:
        raise not_found("Buyer", shipment["BuyerID"])
    owner = shipment["OwnerID"]
    from_addresses = (SELLER_ADDRESSES, ()) if owner == market.seller_id else (SUPPLIER_ADDRESSES, (owner,))
    for id_field, object_field, (template, scope) in (
        ("FromAddressID", "FromAddress", from_addresses),
        ("ToAddressID", "ToAddress", (BUYER_ADDRESSES, (shipment.get("BuyerID") or "",))),
    ):
        if shipment.get(id_field) and shipment[id_field] != before.get(id_field):
            shipment[object_field] = saved_address(market, template, scope, shipment[id_field])
        elif not shipment.get(id_field) and before.get(id_field):
            shipment[object_field] = None


def items_of(market: Marketplace, shipment_id: str) -> dict[str, dict[str, Any]]:
    """The live collection of a shipment's items, keyed "orderID|lineItemID"."""
    return market.store.collection(SHIPMENT_ITEMS, (shipment_id,))


def _give_back(market: Marketplace, item: dict[str, Any]) -> None:
    line = lines_of(market, item["OrderID"]).get(item["LineItemID"])
    if line is not None:
        line["QuantityShipped"] = max((line["QuantityShipped"] or 0) - (item["QuantityShipped"] or 0), 0)


@before_delete(SHIPMENTS)
def _give_back_all(call: Call, shipment: dict[str, Any]) -> None:
    for item in items_of(call.market, shipment["ID"]).values():
        _give_back(call.market, item)


def _complete_when_shipped(market: Marketplace, order: dict[str, Any]) -> None:
    lines = lines_of(market, order["ID"]).values()
    if order["Status"] == OPEN and all((line["QuantityShipped"] or 0) >= (line["Quantity"] or 0) for line in lines):
        move(order, COMPLETED, "DateCompleted")


def _require_open(order: dict[str, Any]) -> None:
    require_status(order, (OPEN,), "Order.CannotShipBadStatus", "Cannot ship order with this status. Order status must be Open.")


def ship_item(call: Call, shipment: dict[str, Any], order: dict[str, Any], line: dict[str, Any], quantity: int) -> dict[str, Any]:
    """Put `quantity` of a line on a shipment (replacing what the shipment held of it)."""
    market = call.market
    _require_open(order)
    items = items_of(market, shipment["ID"])
    key = f"{order['ID']}|{line['ID']}"
    already = (line["QuantityShipped"] or 0) - ((items.get(key) or {}).get("QuantityShipped") or 0)
    if already + quantity > (line["Quantity"] or 0):
        raise bad_request(
            "ShipmentItem.QuantityExceeded",
            "The quantity shipped cannot exceed the requested ammount on the order.",
            {"LineItemID": line["ID"], "Quantity": line["Quantity"], "QuantityShipped": already, "QuantityRequested": quantity},
        )
    schema = market.resources.collection(SHIPMENT_ITEMS).schema
    source = {**line, "OrderID": order["ID"], "LineItemID": line["ID"], "QuantityShipped": quantity}
    item = materialize(schema, source, source)
    items[key] = item
    line["QuantityShipped"] = already + quantity
    shipment["BuyerID"] = shipment.get("BuyerID") or order["FromCompanyID"]
    order["LastUpdated"] = utc_now()
    _complete_when_shipped(market, order)
    return item


@handles("Shipments.SaveItem")
def save_item(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="ShipmentItem")
    quantity = call.body.get("QuantityShipped")
    if not quantity or quantity <= 0:
        raise bad_request("ValidationFailure", "ShipmentItem.QuantityShipped must be greater than 0.", {"Property": "QuantityShipped", "Reason": "must be positive"})
    shipment = _shipment(call)
    order = find_order(call.market, call.identity, call.body.get("OrderID") or "")
    line = lines_of(call.market, order["ID"]).get(call.body.get("LineItemID") or "")
    if line is None:
        raise not_found("LineItem", call.body.get("LineItemID"))
    return ship_item(call, shipment, order, line, quantity)


def _item(call: Call) -> dict[str, Any]:
    item = items_of(call.market, _shipment(call)["ID"]).get(f"{call.params['orderID']}|{call.params['lineItemID']}")
    if item is None:
        raise not_found("ShipmentItem", call.params["lineItemID"])
    return item


@handles("Shipments.GetItem")
def get_item(call: Call) -> dict[str, Any]:
    return _item(call)


@handles("Shipments.DeleteItem")
def delete_item(call: Call) -> None:
    item = _item(call)
    _give_back(call.market, item)
    del items_of(call.market, call.params["shipmentID"])[f"{item['OrderID']}|{item['LineItemID']}"]


@handles("Shipments.ListItems")
def list_items(call: Call) -> dict[str, Any]:
    items = list(items_of(call.market, _shipment(call)["ID"]).values())
    return list_of(call, items)


def _with_order(market: Marketplace, shipments: list[dict[str, Any]], order_id: str | None) -> list[dict[str, Any]]:
    if not order_id:
        return shipments
    return [shipment for shipment in shipments if any(item["OrderID"] == order_id for item in items_of(market, shipment["ID"]).values())]


@handles("Shipments.List")
def list_shipments(call: Call) -> dict[str, Any]:
    shipments = [shipment for shipment in call.market.store.collection(SHIPMENTS).values() if _sees(call, shipment)]
    shipments = _with_order(call.market, shipments, call.query.get("orderID"))
    return list_of(call, shipments)


@handles("Shipments.SetShipFromAddress", "Shipments.SetShipToAddress")
def set_shipment_address(call: Call) -> dict[str, Any]:
    field = "FromAddress" if call.op.operation_id == "Shipments.SetShipFromAddress" else "ToAddress"
    shipment = _shipment(call)
    shipment[field] = one_time_address(call, call.body)
    shipment[field + "ID"] = None
    return shipment


# -- ship and complete an order ---------------------------------------------------------------------


@handles("Orders.Ship")
def ship(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="Shipment")
    market = call.market
    order = order_for(call)
    _require_open(order)
    lines = list(lines_of(market, order["ID"]).values())
    if not lines:
        raise bad_request("Order.CannotShipWithNoLineItems", "Cannot ship an order without any line items.", {"OrderID": order["ID"]})
    conflicting = [line for line in lines if line["QuantityShipped"]]
    if conflicting:
        raise bad_request(
            "Order.ConflictsWithOtherShipments",
            "Cannot ship full order because it contains line items that are on other shipments. The returned data contains these conflicting line items.",
            conflicting,
        )
    body = {"BuyerID": order["FromCompanyID"], "DateShipped": utc_now(), **{key: value for key, value in call.body.items() if value is not None}}
    shipment = market.resources.create(call, market.resources.collection(SHIPMENTS), {}, body)
    for line in lines:
        ship_item(call, shipment, order, line, line["Quantity"] or 0)
    return order


@handles("Orders.Complete")
def complete(call: Call) -> dict[str, Any]:
    order = order_for(call)
    require_status(order, (OPEN,), "Order.CannotCompleteBadStatus", "Cannot complete an order with this status. Order status must be Open.")
    move(order, COMPLETED, "DateCompleted")
    return order


@handles("Orders.ListShipments")
def list_order_shipments(call: Call) -> dict[str, Any]:
    order = order_for(call)
    shipments = _with_order(call.market, list(call.market.store.collection(SHIPMENTS).values()), order["ID"])
    return list_of(call, shipments)


# -- /me/shipments ------------------------------------------------------------------------------------


def _my_order_ids(call: Call) -> set[str]:
    me = call.identity
    orders = call.market.store.collection(ORDERS).values()
    return {order["ID"] for order in orders if order["FromUserID"] == me.user_id and order["FromCompanyID"] == me.company_id}


def _ships_my_orders(call: Call, shipment: dict[str, Any]) -> bool:
    mine = call.once("my order IDs", lambda: _my_order_ids(call))
    return any(item["OrderID"] in mine for item in items_of(call.market, shipment["ID"]).values())


perspective("/me/shipments", stored_at=SHIPMENTS, scope=the_marketplace)
guard("/me/shipments", can_see=_ships_my_orders)


def _my_shipments(call: Call) -> list[dict[str, Any]]:
    return [shipment for shipment in call.market.store.collection(SHIPMENTS).values() if _ships_my_orders(call, shipment)]


def _my_shipment(call: Call) -> dict[str, Any]:
    for shipment in _my_shipments(call):
        if shipment["ID"] == call.params["shipmentID"]:
            return shipment
    raise not_found("Shipment", call.params["shipmentID"])


@handles("Me.ListShipments")
def list_my_shipments(call: Call) -> dict[str, Any]:
    shipments = _with_order(call.market, _my_shipments(call), call.query.get("orderID"))
    return list_of(call, shipments)


@handles("Me.ListShipmentItems")
def list_my_shipment_items(call: Call) -> dict[str, Any]:
    mine = _my_order_ids(call)
    items = [item for item in items_of(call.market, _my_shipment(call)["ID"]).values() if item["OrderID"] in mine]
    wanted = call.query.get("orderID")
    items = [item for item in items if not wanted or item["OrderID"] == wanted]
    return list_of(call, items)
