"""Line items: what is ordered, at which price (BEHAVIOUR.md §4.1, §4.4).

- The product must exist (404) and be visible and priced to the order's buyer user
  (400 PriceSchedule.MissingOrConflicting otherwise); on an order to a supplier the supplier must
  sell it (LineItem.ProductNotAvailableFromSeller).
- Quantity > 0 (LineItem.QuantityMustBePositive), then the price schedule's quantity rules and
  the inventory check (of the product, or of the inventory record the line names); UnitPrice
  comes from the price break (pricing). A caller holding OverrideUnitPrice with OrderAdmin may set
  UnitPrice (PriceOverridden); from anyone else a UnitPrice in the body is ignored and the
  schedule's price applies.
- The line embeds its Product, PriceScheduleID and SupplierID; ProductID never changes
  (LineItem.CannotChangeProductID); DateNeeded must be after DateAdded.
- Lines are added, changed and removed while the order is editable. On a submitted order an order
  admin may still change a line's xp, CostCenter, DateNeeded and ShippingAccount.
- Every change brings the order's totals up to date (pricing.recalculate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import bad_request, id_exists, not_found
from ..models import deep_merge, materialize, parse_time, validate
from ..registry import Call, handles
from ..responses import list_of
from ..rules import inventory
from ..rules.addresses import address_line, sync_order_ship_to
from ..rules.catalog_visibility import buyer_product
from ..rules.order_access import (
    LINE_ITEMS,
    cannot_modify,
    editable,
    is_order_admin,
    lines_of,
    matching_query,
    order_for,
    visible_orders,
)
from ..rules.pricing import check_quantity, cumulative_quantity, missing_price, now_of, recalculate, unit_price
from ..store import utc_now

if TYPE_CHECKING:
    from ..state import Marketplace

PRODUCTS = "/products"
SUPPLIER_LINKS = "/products/{productID}/suppliers#links"
#: what an order admin may still change on a line of a submitted order
AFTER_SUBMIT = frozenset({"xp", "CostCenter", "DateNeeded", "ShippingAccount"})


def line_schema(market: Marketplace) -> dict[str, Any]:
    return market.resources.collection(LINE_ITEMS).schema


def _require_positive(body: Any) -> None:
    """Checked before the schema (which says minimum 1) so the answer carries OrderCloud's own code."""
    quantity = body.get("Quantity") if isinstance(body, dict) else None
    if isinstance(quantity, (int, float)) and not isinstance(quantity, bool) and quantity <= 0:
        raise bad_request("LineItem.QuantityMustBePositive", "Line Item's Quantity must be greater than 0.", {"Quantity": quantity})


def _supplied_by(market: Marketplace, product: dict[str, Any], company: str) -> bool:
    if company == market.seller_id or product.get("AllSuppliersCanSell") or product.get("DefaultSupplierID") == company:
        return True
    return company in market.store.collection(SUPPLIER_LINKS, (product["ID"],))


def _schedule(call: Call, order: dict[str, Any], product: dict[str, Any]) -> dict[str, Any]:
    market = call.market
    if not _supplied_by(market, product, order["ToCompanyID"]):
        raise bad_request(
            "LineItem.ProductNotAvailableFromSeller",
            "This Seller (Order.ToCompanyID) does not supply this product.",
            {"ProductID": product["ID"], "ToCompanyID": order["ToCompanyID"]},
        )
    seen = buyer_product(market, order["FromCompanyID"], order["FromUserID"], product["ID"])
    if seen is None:
        raise missing_price(product["ID"], "the product is not visible to the order's buyer user")
    schedule = seen.get("PriceSchedule")
    if not schedule or not schedule.get("PriceBreaks"):
        raise missing_price(product["ID"], "no price schedule with price breaks applies")
    return schedule


def _check_date_needed(line: dict[str, Any]) -> None:
    if line.get("DateNeeded") is None:
        return
    needed, added = parse_time(line["DateNeeded"]), parse_time(line["DateAdded"])
    if needed is None:
        raise bad_request("ValidationFailure", "LineItem.DateNeeded must be an ISO 8601 date.", {"Property": "DateNeeded", "Reason": "not a date"})
    if added is not None and needed <= added:
        raise bad_request("LineItem.DateNeededMustBeGreaterThanDateAdded", "DateNeeded must be greater than DateAdded.", {"DateNeeded": line["DateNeeded"], "DateAdded": line["DateAdded"]})


def priced_line(call: Call, order: dict[str, Any], body: dict[str, Any], changes: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """A complete line item from a (validated) body, priced and checked against stock."""
    market = call.market
    product_id = body.get("ProductID")
    if previous is not None and product_id != previous["ProductID"]:
        raise bad_request("LineItem.CannotChangeProductID", "Cannot change the Product ID of an existing Line Item.", {"ProductID": previous["ProductID"]})
    product = market.store.get(PRODUCTS, (), product_id or "")
    if product is None:
        raise not_found("Product", product_id)
    line = materialize(line_schema(market), body, previous)
    quantity = line["Quantity"] = line["Quantity"] or 1
    schedule = _schedule(call, order, product)
    cumulative = bool(schedule.get("UseCumulativeQuantity"))
    counted = cumulative_quantity(market, order["ID"], product["ID"], line["ID"], quantity) if cumulative else quantity
    check_quantity(schedule, counted, cumulative)
    price = unit_price(schedule, counted, now_of(market))
    if price is None:
        raise missing_price(product["ID"], "no price break applies to this quantity")
    overriding = changes.get("UnitPrice") is not None and call.identity.has_any(("OverrideUnitPrice",)) and is_order_admin(call.identity)
    kept_override = previous is not None and previous["PriceOverridden"] and "UnitPrice" not in changes
    if kept_override:
        line["UnitPrice"] = previous["UnitPrice"]
    elif not overriding:
        line["UnitPrice"] = float(price)
    inventory.check_line(market, order["ID"], line)
    line.update(
        PriceScheduleID=schedule.get("ID"),
        PriceOverridden=overriding or kept_override,
        Product=materialize(line_schema(market)["properties"]["Product"], product),
        SupplierID=product.get("DefaultSupplierID") if order["ToCompanyID"] == market.seller_id else order["ToCompanyID"],
        DateAdded=(previous or {}).get("DateAdded") or utc_now(),
        QuantityShipped=(previous or {}).get("QuantityShipped") or 0,
    )
    address_line(market, order, line, previous, product)
    _check_date_needed(line)
    return line


def _after_submit(call: Call, order: dict[str, Any], merged: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """An order admin's change to a line of a submitted order: only fields that do not touch price or stock."""
    if not is_order_admin(call.identity):
        raise cannot_modify(order)
    line = materialize(line_schema(call.market), merged, previous)
    changed = sorted(name for name, value in line.items() if value != previous.get(name) and name not in AFTER_SUBMIT)
    if changed:
        raise cannot_modify(order, f"changed in {', '.join(changed)}")
    _check_date_needed(line)
    return line


def store_line(call: Call, order: dict[str, Any], line: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    market = call.market
    lines = lines_of(market, order["ID"])
    if previous is not None and previous["ID"] != line["ID"]:
        del lines[previous["ID"]]
    lines[line["ID"]] = line
    sync_order_ship_to(market, order)
    recalculate(market, order)
    return line


def _line(call: Call, order: dict[str, Any]) -> dict[str, Any]:
    line = lines_of(call.market, order["ID"]).get(call.params["lineItemID"])
    if line is None:
        raise not_found("LineItem", call.params["lineItemID"])
    return line


def create_line(call: Call, order: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    market = call.market
    if not editable(market, order):
        raise cannot_modify(order, "given new line items")
    body = dict(body)
    line_id = market.resources.assign_id(body)
    if line_id in lines_of(market, order["ID"]):
        raise id_exists("LineItem", line_id)
    return store_line(call, order, priced_line(call, order, body, body, None), None)


def change_line(call: Call, order: dict[str, Any], previous: dict[str, Any], merged: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    new_id = merged.get("ID") or previous["ID"]
    if new_id != previous["ID"] and new_id in lines_of(call.market, order["ID"]):
        raise id_exists("LineItem", new_id)
    merged = {**merged, "ID": new_id}
    if not editable(call.market, order):
        return store_line(call, order, _after_submit(call, order, merged, previous), previous)
    return store_line(call, order, priced_line(call, order, merged, changes, previous), previous)


@handles("LineItems.Create")
def create(call: Call) -> dict[str, Any]:
    _require_positive(call.body)
    validate(call.op.request_schema or {}, call.body, model="LineItem")
    return create_line(call, order_for(call), call.body)


@handles("LineItems.Save")
def save(call: Call) -> dict[str, Any]:
    """PUT: replace the line, or add it with the path's ID."""
    _require_positive(call.body)
    validate(call.op.request_schema or {}, call.body, model="LineItem")
    body = {**call.body, "ID": call.params["lineItemID"]}
    order = order_for(call)
    previous = lines_of(call.market, order["ID"]).get(call.params["lineItemID"])
    if previous is None:
        return create_line(call, order, body)
    return change_line(call, order, previous, body, body)


@handles("LineItems.Patch")
def patch(call: Call) -> dict[str, Any]:
    _require_positive(call.body)
    validate(call.op.request_schema or {}, call.body, model="LineItem", partial=True)
    order = order_for(call)
    previous = _line(call, order)
    return change_line(call, order, previous, deep_merge(previous, call.body), call.body)


@handles("LineItems.Delete")
def delete(call: Call) -> None:
    order = order_for(call)
    line = _line(call, order)
    if not editable(call.market, order):
        raise cannot_modify(order, "left without a line item")
    del lines_of(call.market, order["ID"])[line["ID"]]
    sync_order_ship_to(call.market, order)
    recalculate(call.market, order)


@handles("LineItems.ListAcrossOrders")
def list_across_orders(call: Call) -> dict[str, Any]:
    """Every line of the orders the caller sees in that direction, each with its OrderID and Order."""
    orders = matching_query(call, visible_orders(call, call.params["direction"]))
    lines = [{**line, "OrderID": order["ID"], "Order": order} for order in orders for line in lines_of(call.market, order["ID"]).values()]
    return list_of(call, lines)
