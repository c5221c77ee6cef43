"""/me/productcollections: lists of products a buyer user keeps (favourites, wish lists).

A collection belongs to the user who created it; nobody else sees it (404). It is stored under
that user (declared below: the generic list, create, get, save, patch and delete work there),
so deleting the user or the buyer removes it. Entries name products the user can see
(rules/catalog_visibility.py): an invisible product cannot be added (404 NotFound Product), and
one that becomes invisible drops out of the entry list until it is visible again. A collection
holds at most 500 entries (400 ProductCollection.ProductEntryLimit, OrderCloud's platform limit).
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request, not_found
from ..registry import Call, handles, perspective, the_caller
from ..responses import shaped_page
from ..rules.catalog_visibility import PRODUCTS, BuyerView

MY_COLLECTIONS = "/me/productcollections"
COLLECTIONS = "/buyers/{buyerID}/users/{userID}/productcollections"
ENTRIES = COLLECTIONS + "/{productCollectionID}/products"
ENTRY_LIMIT = 500

perspective(MY_COLLECTIONS, stored_at=COLLECTIONS, scope=the_caller)


def _mine(call: Call) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The caller's scope, and the collection named in the path (404 unless the caller's)."""
    resources = call.market.resources
    collections, params = resources.stored(call, resources.collection(MY_COLLECTIONS))
    scope = resources.scope(collections, params)
    return scope, resources.require(collections, scope, call.params["productCollectionID"])


# -- entries ------------------------------------------------------------------------------------------


@handles("Me.CreateProductCollectionEntry")
def add_entry(call: Call) -> None:
    me, store = call.identity, call.market.store
    product_id = call.params["productID"]
    scope, collection = _mine(call)
    product = store.get(PRODUCTS, (), product_id)
    if product is None or not BuyerView(call.market, me.company_id, me.user_id).sees(product):
        raise not_found("Product", product_id)
    entries = store.collection(ENTRIES, scope + (collection["ID"],))
    if product_id not in entries and len(entries) >= ENTRY_LIMIT:
        raise bad_request("ProductCollection.ProductEntryLimit", f"Cannot exceed {ENTRY_LIMIT} product entries per Product Collection.", {"Limit": ENTRY_LIMIT})
    entries[product_id] = {"ID": product_id}


@handles("Me.DeleteProductCollectionEntry")
def remove_entry(call: Call) -> None:
    scope, collection = _mine(call)
    if call.market.store.pop(ENTRIES, scope + (collection["ID"],), call.params["productID"]) is None:
        raise not_found("ProductCollectionEntry", call.params["productID"])


@handles("Me.ListProductCollectionEntries")
def list_entries(call: Call) -> dict[str, Any]:
    me, store = call.identity, call.market.store
    view = BuyerView(call.market, me.company_id, me.user_id)
    scope, collection = _mine(call)
    products = [store.get(PRODUCTS, (), product_id) for product_id in store.collection(ENTRIES, scope + (collection["ID"],))]
    shown = [view.buyer_product(product) for product in products if product is not None and view.sees(product)]
    resources = call.market.resources
    return shaped_page(call, [resources.present(call, resources.collection(PRODUCTS), (), product) for product in shown])
