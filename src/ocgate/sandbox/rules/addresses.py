"""Addresses as orders, line items and shipments hold them: copies of saved addresses, or one-time ones.

- Saved addresses are named by ID: BillingAddressID / ShippingAddressID refer to the order's
  buyer's addresses, ShipFromAddressID to the seller's (/addresses) or, for a supplier's line,
  the supplier's; 404 NotFound when missing. The address is copied onto the order
  (BillingAddress), the line (ShippingAddress, ShipFromAddress) or the shipment.
- A one-time address is validated against the request's Address model, which requires Street1,
  City, State, Zip and Country (as the shipto reference page says; BEHAVIOUR.md §4.1).
- An order-level ship-to applies to every line item and to lines added later ("The address used
  will be populated on the ShippingAddress property of each LineItem"). Order.ShippingAddressID
  shows the saved address all lines share, null when they differ or use one-time addresses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import not_found
from ..models import materialize, validate
from .order_access import ORDERS, lines_of

if TYPE_CHECKING:
    from ..registry import Call
    from ..state import Marketplace

BUYER_ADDRESSES = "/buyers/{buyerID}/addresses"
SELLER_ADDRESSES = "/addresses"
SUPPLIER_ADDRESSES = "/suppliers/{supplierID}/addresses"
#: the ship-to set on a whole order, for lines added later: "current" -> {"ID": saved address ID or None, "Address": ...}
ORDER_SHIP_TO = "/orders/{orderID}/shipto#address"


def _address_schema(market: Marketplace) -> dict[str, Any]:
    return market.resources.collection(ORDERS).schema["properties"]["BillingAddress"]


def _copy(market: Marketplace, address: dict[str, Any]) -> dict[str, Any]:
    return materialize(_address_schema(market), address, address)


def saved_address(market: Marketplace, template: str, scope: tuple[str, ...], address_id: str) -> dict[str, Any]:
    """A copy of a saved address (of a buyer, the seller or a supplier) as orders, lines and shipments hold it."""
    address = market.store.get(template, scope, address_id)
    if address is None:
        raise not_found("Address", address_id)
    return _copy(market, address)


def buyer_address(market: Marketplace, order: dict[str, Any], address_id: str) -> dict[str, Any]:
    return saved_address(market, BUYER_ADDRESSES, (order["FromCompanyID"] or "",), address_id)


def one_time_address(call: Call, address: Any) -> dict[str, Any]:
    """A one-time address from a request body, valid per the operation's Address model."""
    validate(call.op.request_schema or {}, address, model="Address")
    return materialize(_address_schema(call.market), address)  # read-only values sent (DateCreated) are ignored


# -- ship-to of line items ----------------------------------------------------------------------


def _ship_lines(market: Marketplace, order: dict[str, Any], address_id: str | None, address: dict[str, Any] | None) -> None:
    for line in lines_of(market, order["ID"]).values():
        line["ShippingAddressID"] = address_id
        line["ShippingAddress"] = dict(address) if address else None


def current_ship_to(market: Marketplace, order: dict[str, Any]) -> dict[str, Any] | None:
    return market.store.view(ORDER_SHIP_TO, (order["ID"],)).get("current")


def ship_order_to(market: Marketplace, order: dict[str, Any], address_id: str | None, address: dict[str, Any] | None) -> None:
    """Ship the whole order (its lines, now and later) to this address; None forgets the order-level ship-to."""
    if market.store.view(ORDER_SHIP_TO, (order["ID"],)):
        market.store.collection(ORDER_SHIP_TO, (order["ID"],)).clear()
    order["ShippingAddressID"] = address_id
    if address is not None:
        market.store.collection(ORDER_SHIP_TO, (order["ID"],))["current"] = {"ID": address_id, "Address": address}
        _ship_lines(market, order, address_id, address)


def sync_order_ship_to(market: Marketplace, order: dict[str, Any]) -> None:
    """Order.ShippingAddressID = the saved address every line ships to (unchanged without lines)."""
    ids = {line["ShippingAddressID"] for line in lines_of(market, order["ID"]).values()}
    if ids:
        order["ShippingAddressID"] = ids.pop() if len(ids) == 1 else None


def apply_saved_addresses(market: Marketplace, order: dict[str, Any], previous: dict[str, Any] | None) -> None:
    """After BillingAddressID / ShippingAddressID were set or changed on the order itself."""
    before = previous or {}
    if order.get("BillingAddressID") != before.get("BillingAddressID"):
        order["BillingAddress"] = buyer_address(market, order, order["BillingAddressID"]) if order.get("BillingAddressID") else None
    if order.get("ShippingAddressID") != before.get("ShippingAddressID"):
        address = buyer_address(market, order, order["ShippingAddressID"]) if order.get("ShippingAddressID") else None
        ship_order_to(market, order, order.get("ShippingAddressID"), address)


def address_line(market: Marketplace, order: dict[str, Any], line: dict[str, Any], previous: dict[str, Any] | None, product: dict[str, Any]) -> None:
    """Fill a line's ShippingAddress and ShipFromAddress from its IDs, the order's ship-to, or the product."""
    before = previous or {}
    if line.get("ShippingAddressID"):
        if line["ShippingAddressID"] != before.get("ShippingAddressID") or not line.get("ShippingAddress"):
            line["ShippingAddress"] = buyer_address(market, order, line["ShippingAddressID"])
    elif previous is None and (ship_to := current_ship_to(market, order)) is not None:
        line["ShippingAddressID"] = ship_to["ID"]
        line["ShippingAddress"] = dict(ship_to["Address"])
    elif before.get("ShippingAddressID"):  # the saved address was taken off the line
        line["ShippingAddress"] = None
    line["ShipFromAddressID"] = line.get("ShipFromAddressID") or product.get("ShipFromAddressID")
    if not line["ShipFromAddressID"]:
        line["ShipFromAddress"] = None
    elif line["ShipFromAddressID"] != before.get("ShipFromAddressID") or not line.get("ShipFromAddress"):
        supplier = line.get("SupplierID")
        template, scope = (SUPPLIER_ADDRESSES, (supplier,)) if supplier else (SELLER_ADDRESSES, ())
        line["ShipFromAddress"] = saved_address(market, template, scope, line["ShipFromAddressID"])
