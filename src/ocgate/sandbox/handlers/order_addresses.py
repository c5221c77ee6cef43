"""Setting and patching the bill-to and ship-to addresses of an order or a line item.

- PUT .../billto and .../shipto take a one-time address (rules/addresses.py: validated against
  the request's Address model); a PATCH must leave a complete address.
- PATCH of an address set by ID is refused (BillingAddress / ShippingAddress.CannotPatchSetByID);
  with none set: BillingAddress / ShippingAddress.CannotModifyNotFound and, for a line,
  LineItem.CannotPatchShippingAddressIfMissing.
- An order's ship-to applies to its lines, now and later (rules/addresses.py).
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request, not_found
from ..models import deep_merge
from ..registry import Call, handles
from ..rules.addresses import current_ship_to, one_time_address, ship_order_to, sync_order_ship_to
from ..rules.order_access import lines_of, order_for, require_changeable
from ..store import utc_now


def _set_by_id(kind: str, address_id: str) -> Exception:
    path = "/billto" if kind == "BillingAddress" else "/shipto"
    return bad_request(
        f"{kind}.CannotPatchSetByID",
        f"Cannot PATCH an address that was set by ID. Either PATCH the saved address at /addresses/{address_id}, or PUT a complete address at {path}.",
        {f"{kind}ID": address_id},
    )


def _patched(call: Call, kind: str, address_id: str | None, current: dict[str, Any] | None, missing: tuple[str, str]) -> dict[str, Any]:
    """A one-time address after a PATCH; refused when the address was set by ID, or when there is none."""
    if address_id:
        raise _set_by_id(kind, address_id)
    if not current:
        raise bad_request(*missing, {"Path": call.op.path})
    return one_time_address(call, deep_merge(current, call.body))


def _changeable_order(call: Call) -> dict[str, Any]:
    order = order_for(call)
    require_changeable(call, order)
    order["LastUpdated"] = utc_now()
    return order


@handles("Orders.SetShippingAddress")
def set_order_ship_to(call: Call) -> dict[str, Any]:
    order = _changeable_order(call)
    ship_order_to(call.market, order, None, one_time_address(call, call.body))
    return order


@handles("Orders.PatchShippingAddress")
def patch_order_ship_to(call: Call) -> dict[str, Any]:
    order = _changeable_order(call)
    current = (current_ship_to(call.market, order) or {}).get("Address")
    missing = ("ShippingAddress.CannotModifyNotFound", "Order does not have shipping address to modify. Use PUT to create one.")
    ship_order_to(call.market, order, None, _patched(call, "ShippingAddress", order.get("ShippingAddressID"), current, missing))
    return order


@handles("Orders.SetBillingAddress")
def set_order_bill_to(call: Call) -> dict[str, Any]:
    order = _changeable_order(call)
    order["BillingAddress"] = one_time_address(call, call.body)
    order["BillingAddressID"] = None
    return order


@handles("Orders.PatchBillingAddress")
def patch_order_bill_to(call: Call) -> dict[str, Any]:
    order = _changeable_order(call)
    missing = ("BillingAddress.CannotModifyNotFound", "Order does not have billing address to modify. Use PUT to create one.")
    order["BillingAddress"] = _patched(call, "BillingAddress", order.get("BillingAddressID"), order.get("BillingAddress"), missing)
    return order


def _changeable_line(call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    order = _changeable_order(call)
    line = lines_of(call.market, order["ID"]).get(call.params["lineItemID"])
    if line is None:
        raise not_found("LineItem", call.params["lineItemID"])
    return order, line


@handles("LineItems.SetShippingAddress")
def set_line_ship_to(call: Call) -> dict[str, Any]:
    order, line = _changeable_line(call)
    line["ShippingAddress"] = one_time_address(call, call.body)
    line["ShippingAddressID"] = None
    sync_order_ship_to(call.market, order)
    return line


@handles("LineItems.PatchShippingAddress")
def patch_line_ship_to(call: Call) -> dict[str, Any]:
    _, line = _changeable_line(call)
    missing = ("LineItem.CannotPatchShippingAddressIfMissing", "Line Item does not have a Shipping Address to modify. Use PUT to create one.")
    line["ShippingAddress"] = _patched(call, "ShippingAddress", line.get("ShippingAddressID"), line.get("ShippingAddress"), missing)
    return line
