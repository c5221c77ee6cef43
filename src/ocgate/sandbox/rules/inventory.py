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
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import bad_request
from ..registry import Call, before_write
from ..store import utc_now
from .order_access import lines_of
from .pricing import cumulative_quantity

if TYPE_CHECKING:
    from ..state import Marketplace

PRODUCTS = "/products"


def _tracked(product: dict[str, Any] | None) -> dict[str, Any] | None:
    """The product's Inventory when it limits orders at product level."""
    inventory = (product or {}).get("Inventory") or {}
    if not inventory.get("Enabled") or inventory.get("VariantLevelTracking") or inventory.get("OrderCanExceed"):
        return None
    return inventory


def _insufficient(line_id: str, product_id: str, available: int, requested: int) -> Exception:
    return bad_request(
        "Inventory.Insufficient",
        "Insufficient inventory for this product.",
        {"LineItemID": line_id, "ProductID": product_id, "QuantityAvailable": available, "QuantityRequested": requested, "VariantID": None},
    )


def check_line(market: Marketplace, order_id: str, product: dict[str, Any], line_id: str, quantity: int) -> None:
    """400 Inventory.Insufficient when the order would ask for more of the product than is available."""
    inventory = _tracked(product)
    if inventory is None:
        return
    requested = cumulative_quantity(market, order_id, product["ID"], line_id, quantity)
    available = inventory.get("QuantityAvailable") or 0
    if requested > available:
        raise _insufficient(line_id, product["ID"], available, requested)


def _requested(market: Marketplace, order_id: str) -> dict[str, tuple[int, str]]:
    """product ID -> (quantity the order asks for, the first line asking)."""
    wanted: dict[str, tuple[int, str]] = {}
    for line in lines_of(market, order_id).values():
        quantity, first = wanted.get(line["ProductID"], (0, line["ID"]))
        wanted[line["ProductID"]] = (quantity + (line["Quantity"] or 0), first)
    return wanted


def check_order(market: Marketplace, order_id: str) -> None:
    """400 Inventory.Insufficient when any product of the order is short."""
    for product_id, (requested, line_id) in _requested(market, order_id).items():
        inventory = _tracked(market.store.get(PRODUCTS, (), product_id))
        if inventory is not None and requested > (inventory.get("QuantityAvailable") or 0):
            raise _insufficient(line_id, product_id, inventory.get("QuantityAvailable") or 0, requested)


def deduct(market: Marketplace, order_id: str) -> None:
    """Check, then take the order's quantities out of stock, atomically."""
    check_order(market, order_id)
    for product_id, (requested, _) in _requested(market, order_id).items():
        inventory = _tracked(market.store.get(PRODUCTS, (), product_id))
        if inventory is not None:
            inventory["QuantityAvailable"] = (inventory.get("QuantityAvailable") or 0) - requested
            inventory["LastUpdated"] = utc_now()


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
