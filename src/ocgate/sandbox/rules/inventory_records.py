"""Inventory records: stock of a product kept per location, and which buyers may draw on it.

Sources: the InventoryRecord model {ID, OwnerID, Address (read-only), AddressID, OrderCanExceed,
QuantityAvailable, LastUpdated (read-only), xp} and LineItem.InventoryRecordID ("Inventory Record
ID of which product inventory location to use. The Inventory Record ID cannot be modified once an
order is submitted.", OpenAPI 1.0.260); InventoryRecordAssignment {InventoryRecordID, BuyerID,
UserGroupID} and Me.List(Product|Variant)InventoryRecords "visible to this user" (the current
API, builtin:current). The product-level rule, whose error a short record shares, is inventory.py.

Chosen where OrderCloud documents nothing:
- a line naming a record draws on that record only, not on Product.Inventory; the product's own
  inventory counts the lines that name no record. A record's stock is checked when a line is added
  or changed, checked again on submit and deducted when the order becomes Open, like the product's;
  an unset QuantityAvailable reads 0, OrderCanExceed lifts the limit (and nothing is deducted, as
  for a product). Short stock is 400 Inventory.Insufficient, its Data also naming the
  InventoryRecordID; LastUpdated moves whenever QuantityAvailable or OrderCanExceed changes;
- the record must be one of the line's product (product level: lines carry no variant here). An
  ID no product has is 404 NotFound; a record of another product, or of a variant, is 400
  LineItem.InventoryRecordNotForProduct. The record must also be open to the order's buyer user,
  checked when the line changes and again on submit: otherwise 404, as if it did not exist;
- a record with no assignment is open to every buyer user who sees the product; one with
  assignments only to users of an assigned buyer (a buyer-level row) or of an assigned user group
  of their buyer. /me lists show a buyer user exactly those records, of a product it sees (404
  Product otherwise) and, for variant records, of an Active variant of it (404 Variant);
- `includeAddress=true` fills each record's Address from its owner's address book (the seller's
  admin addresses, or the owning supplier's); without it Address is null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, not_found
from ..registry import Call, before_write, guard, perspective, presents, the_marketplace
from ..store import utc_now
from .catalog_visibility import PRODUCTS, BuyerView
from .shared_with_users import applies_to

if TYPE_CHECKING:
    from ..state import Marketplace

RECORDS = "/products/{productID}/inventoryrecords"
VARIANT_RECORDS = "/products/{productID}/variants/{variantID}/inventoryrecords"
#: where the engine keeps the rows of InventoryRecords.SaveAssignment / SaveVariantAssignment
ASSIGNMENTS = {RECORDS: RECORDS + "/assignments", VARIANT_RECORDS: VARIANT_RECORDS + "/assignments"}
VARIANTS = "/products/{productID}/variants"
SELLER_ADDRESSES = "/addresses"
SUPPLIERS = "/suppliers"
SUPPLIER_ADDRESSES = "/suppliers/{supplierID}/addresses"
#: the fields whose change moves a record's LastUpdated
STOCK_FIELDS = ("QuantityAvailable", "OrderCanExceed")


def open_to(market: Marketplace, record: dict[str, Any], assignments: str, scope: tuple[str, ...], buyer_id: str, user_id: str) -> bool:
    """Whether a buyer user may draw on a record: it has no assignment, or one for the user's buyer or groups."""
    rows = [row for row in market.store.view(assignments, scope).values() if row.get("InventoryRecordID") == record["ID"]]
    if not rows:
        return True
    groups = market.directory.groups_of("buyer", buyer_id, user_id)
    return any(applies_to(row, buyer_id, groups) for row in rows)


def _held_elsewhere(market: Marketplace, record_id: str) -> bool:
    """Whether some product or variant holds a record with this ID."""
    return any(record_id in records for template in (RECORDS, VARIANT_RECORDS) for _, records in market.store.scopes(template))


def named_record(market: Marketplace, order: dict[str, Any], line: dict[str, Any]) -> dict[str, Any]:
    """The record a line names: one of the line's product, open to the order's buyer user (404 / 400 otherwise)."""
    product_id, record_id = line["ProductID"], line["InventoryRecordID"]
    record = market.store.get(RECORDS, (product_id,), record_id)
    if record is None and _held_elsewhere(market, record_id):
        raise bad_request(
            "LineItem.InventoryRecordNotForProduct",
            f"Inventory record {record_id} is not a record of product {product_id}; name one listed by GET /me/products/{product_id}/inventoryrecords.",
            {"InventoryRecordID": record_id, "ProductID": product_id},
        )
    if record is None or not open_to(market, record, ASSIGNMENTS[RECORDS], (product_id,), order["FromCompanyID"], order["FromUserID"]):
        raise not_found("InventoryRecord", record_id)
    return record


def limiting(record: dict[str, Any]) -> bool:
    """Whether the record limits what orders may ask for (OrderCanExceed lifts the limit)."""
    return not record.get("OrderCanExceed")


@before_write(RECORDS, VARIANT_RECORDS)
def _stamp_stock_change(call: Call, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
    if previous is None or any(record.get(name) != previous.get(name) for name in STOCK_FIELDS):
        record["LastUpdated"] = utc_now()


@presents(RECORDS, VARIANT_RECORDS)
def _with_address(call: Call, record: dict[str, Any], scope: tuple[str, ...]) -> dict[str, Any]:
    if (call.query.get("includeAddress") or "").lower() != "true" or not record.get("AddressID"):
        return record
    store, owner = call.market.store, record.get("OwnerID")
    supplier = store.get(SUPPLIERS, (), owner) if owner else None
    address = store.get(SUPPLIER_ADDRESSES, (owner,), record["AddressID"]) if supplier else store.get(SELLER_ADDRESSES, (), record["AddressID"])
    return {**record, "Address": address}


# -- what a buyer user sees under /me ----------------------------------------------------------------


def _view(call: Call) -> BuyerView:
    return call.once("my catalog view", lambda: BuyerView(call.market, call.identity.company_id, call.identity.user_id))


def _product_seen(call: Call) -> None:
    product = call.market.store.get(PRODUCTS, (), call.params["productID"])
    if product is None or not _view(call).sees(product):
        raise not_found("Product", call.params["productID"])


def _variant_seen(call: Call) -> None:
    _product_seen(call)
    variant = call.market.store.get(VARIANTS, (call.params["productID"],), call.params["variantID"])
    if variant is None or not variant.get("Active"):
        raise not_found("Variant", call.params["variantID"])


def _open_to_caller(records: str, scope_params: tuple[str, ...]) -> Callable[[Call, dict[str, Any]], bool]:
    """The guard of a /me list of records: the records the calling buyer user may draw on."""

    def can_see(call: Call, record: dict[str, Any]) -> bool:
        me, scope = call.identity, tuple(call.params[name] for name in scope_params)
        return open_to(call.market, record, ASSIGNMENTS[records], scope, me.company_id, me.user_id)

    return can_see


perspective("/me/products/{productID}/inventoryrecords", stored_at=RECORDS, scope=the_marketplace)
guard("/me/products/{productID}/inventoryrecords", parent=_product_seen, can_see=_open_to_caller(RECORDS, ("productID",)))
perspective("/me/products/{productID}/variants/{variantID}/inventoryrecords", stored_at=VARIANT_RECORDS, scope=the_marketplace)
guard(
    "/me/products/{productID}/variants/{variantID}/inventoryrecords",
    parent=_variant_seen,
    can_see=_open_to_caller(VARIANT_RECORDS, ("productID", "variantID")),
)
