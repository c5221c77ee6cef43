"""Product inventory (BEHAVIOUR.md §5.11, RN v1.0.50 / v1.0.94).

`Product.Inventory {Enabled, QuantityAvailable, OrderCanExceed, VariantLevelTracking}`:
- validated, not adjusted, when a line item is added or changed: the order's total quantity of
  the product may not exceed QuantityAvailable unless OrderCanExceed (400 Inventory.Insufficient
  with Data {LineItemID, ProductID, QuantityAvailable, QuantityRequested, VariantID});
- validated again on submit, and deducted when the order becomes Open (on submit, or on the final
  approval) — check and deduction happen in one request, under the store lock the engine holds,
  so concurrent checkouts never oversell and never lose an update;
- with inventory enabled, an unset QuantityAvailable reads 0; changing the quantity while
  tracking is off is refused (Product.InventoryDisabled); Inventory.LastUpdated moves when the
  inventory changes.
Variant-level tracking counts variants, which line items here do not carry: such products are
not checked at product level.

A line naming an InventoryRecordID draws on that record instead of the product's inventory, by
the same check-then-deduct steps: `_stock` is the one place that decides which stock a line takes
from; the record's own rules (which record, whose, its limits) are inventory_records.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import bad_request
from ..registry import Call, before_write
from ..store import utc_now
from . import inventory_records
from .order_access import ORDERS, lines_of

if TYPE_CHECKING:
    from ..state import Marketplace

PRODUCTS = "/products"


def _tracked(product: dict[str, Any] | None) -> dict[str, Any] | None:
    """The product's Inventory when it limits orders at product level."""
    inventory = (product or {}).get("Inventory") or {}
    if not inventory.get("Enabled") or inventory.get("VariantLevelTracking") or inventory.get("OrderCanExceed"):
        return None
    return inventory


def _stock(market: Marketplace, order: dict[str, Any], line: dict[str, Any]) -> dict[str, Any] | None:
    """What a line's quantity is taken from, when it is limited: the inventory record the line names
    (inventory_records.py), else the product's tracked Inventory. Both hold QuantityAvailable and LastUpdated."""
    if line.get("InventoryRecordID"):
        record = inventory_records.named_record(market, order, line)
        return record if inventory_records.limiting(record) else None
    return _tracked(market.store.get(PRODUCTS, (), line["ProductID"]))


def _source(line: dict[str, Any]) -> tuple[str, str | None]:
    """Lines with the same source draw on the same stock: (product, the inventory record named or None)."""
    return line["ProductID"], line.get("InventoryRecordID") or None


def _demands(market: Marketplace, order: dict[str, Any], lines: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], int, dict[str, Any]]]:
    """(limited stock, quantity the lines ask of it, the first line asking) for each stock the lines draw on."""
    wanted: dict[tuple[str, str | None], tuple[int, dict[str, Any]]] = {}
    for line in lines:
        quantity, first = wanted.get(_source(line), (0, line))
        wanted[_source(line)] = (quantity + (line["Quantity"] or 0), first)
    return [(stock, quantity, first) for quantity, first in wanted.values() if (stock := _stock(market, order, first)) is not None]


def _insufficient(line: dict[str, Any], available: int, requested: int) -> Exception:
    data = {"LineItemID": line["ID"], "ProductID": line["ProductID"], "QuantityAvailable": available, "QuantityRequested": requested, "VariantID": None}
    if line.get("InventoryRecordID"):
        data["InventoryRecordID"] = line["InventoryRecordID"]
    return bad_request("Inventory.Insufficient", "Insufficient inventory for this product.", data)


def _check(demands: list[tuple[dict[str, Any], int, dict[str, Any]]]) -> None:
    for stock, requested, line in demands:
        available = stock.get("QuantityAvailable") or 0
        if requested > available:
            raise _insufficient(line, available, requested)


def check_line(market: Marketplace, order_id: str, line: dict[str, Any]) -> None:
    """400 Inventory.Insufficient when, with this line (new or changed), the order would ask for more
    of the line's stock than is available; a line naming an inventory record is checked against it."""
    same = [other for other in lines_of(market, order_id).values() if other["ID"] != line["ID"] and _source(other) == _source(line)]
    _check(_demands(market, _order(market, order_id), [line, *same]))


def check_order(market: Marketplace, order_id: str) -> None:
    """400 Inventory.Insufficient when any stock the order draws on is short."""
    _check(_demands(market, _order(market, order_id), lines_of(market, order_id).values()))


def deduct(market: Marketplace, order_id: str) -> None:
    """Check, then take the order's quantities out of stock (product inventory or inventory records), atomically."""
    demands = _demands(market, _order(market, order_id), lines_of(market, order_id).values())
    _check(demands)
    for stock, requested, _ in demands:
        stock["QuantityAvailable"] = (stock.get("QuantityAvailable") or 0) - requested
        stock["LastUpdated"] = utc_now()


def _order(market: Marketplace, order_id: str) -> dict[str, Any]:
    order = market.store.get(ORDERS, (), order_id)
    assert order is not None, f"inventory asked about order {order_id}, which is not stored"
    return order


@before_write(PRODUCTS)
def _inventory_rules(call: Call, product: dict[str, Any], previous: dict[str, Any] | None) -> None:
    inventory = product.get("Inventory")
    if not inventory:
        return
    body = call.body if isinstance(call.body, dict) else {}
    given = (body.get("Inventory") or {}).get("QuantityAvailable")
    stored = ((previous or {}).get("Inventory") or {}).get("QuantityAvailable")
    if not inventory.get("Enabled") and given is not None and given != stored:
        raise bad_request(
            "Product.InventoryDisabled",
            "Cannot set inventory. Inventory tracking for this product is not enabled.",
            {"ProductID": product["ID"]},
        )
    if inventory.get("Enabled") and inventory.get("QuantityAvailable") is None:
        inventory["QuantityAvailable"] = 0
    before = {key: value for key, value in ((previous or {}).get("Inventory") or {}).items() if key != "LastUpdated"}
    if {key: value for key, value in inventory.items() if key != "LastUpdated"} != before:
        inventory["LastUpdated"] = utc_now()
