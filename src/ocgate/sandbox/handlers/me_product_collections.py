"""/me/productcollections: lists of products a buyer user keeps (favourites, wish lists).

A collection belongs to the user who created it; nobody else sees it (404). It is stored under
that user, so deleting the user or the buyer removes it. Entries name products the user can see
(visibility.py): an invisible product cannot be added (404 NotFound Product), and one that
becomes invisible drops out of the entry list until it is visible again. A collection holds at
most 500 entries (400 ProductCollection.ProductEntryLimit, OrderCloud's platform limit).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import models
from ..errors import bad_request, not_found
from ..registry import Call, handles
from ..resources import Collection
from .me_catalog import buyer_products_page
from .responses import list_of
from .visibility import PRODUCTS, BuyerView

COLLECTIONS = "/buyers/{buyerID}/users/{userID}/productcollections"
ENTRIES = COLLECTIONS + "/{productCollectionID}/products"
ENTRY_LIMIT = 500


def _collections(call: Call) -> Collection:
    """The /me/productcollections model, stored per user."""
    model = call.market.resources.collection("/me/productcollections")
    return dataclasses.replace(model, template=COLLECTIONS, scope_params=("buyerID", "userID"), item_param="productCollectionID")


def _params(call: Call) -> dict[str, str]:
    return {"buyerID": call.identity.company_id, "userID": call.identity.user_id, **call.params}


def _mine(call: Call) -> tuple[Collection, tuple[str, ...], dict[str, Any]]:
    """The collections model, the caller's scope, and the collection named in the path (404 unless the caller's)."""
    collections = _collections(call)
    scope = call.market.resources.scope(collections, _params(call))
    return collections, scope, call.market.resources.require(collections, scope, call.params["productCollectionID"])


@handles("Me.ListProductCollections")
def list_my_collections(call: Call) -> dict[str, Any]:
    collections = _collections(call)
    scope = call.market.resources.scope(collections, _params(call))
    with call.market.store.lock:
        stored = list(call.market.store.collection(COLLECTIONS, scope).values())
    return list_of(call, [call.market.resources.present(call, collections, scope, obj) for obj in stored])


@handles("Me.CreateProductCollection")
def create_my_collection(call: Call) -> dict[str, Any]:
    return call.market.resources.create(call, _collections(call), _params(call), call.body)


@handles("Me.GetProductCollection")
def get_my_collection(call: Call) -> dict[str, Any]:
    collections, scope, collection = _mine(call)
    return call.market.resources.present(call, collections, scope, collection)


@handles("Me.SaveProductCollection")
def replace_my_collection(call: Call) -> dict[str, Any]:
    return call.market.resources.save(call, _collections(call), _params(call), call.params["productCollectionID"], call.body)


@handles("Me.PatchProductCollection")
def patch_my_collection(call: Call) -> dict[str, Any]:
    models.validate(call.op.request_schema or {}, call.body, model="ProductCollection", partial=True)
    collections, scope, collection = _mine(call)
    return call.market.resources.patch(call, collections, scope, collection["ID"], call.body)


@handles("Me.DeleteProductCollection")
def delete_my_collection(call: Call) -> None:
    with call.market.store.lock:
        collections, scope, collection = _mine(call)
        call.market.resources.remove(call, collections, scope, collection)


# -- entries ------------------------------------------------------------------------------------------


@handles("Me.CreateProductCollectionEntry")
def add_entry(call: Call) -> None:
    me, store = call.identity, call.market.store
    product_id = call.params["productID"]
    with store.lock:
        _, scope, collection = _mine(call)
        product = store.get(PRODUCTS, (), product_id)
        if product is None or not BuyerView(call.market, me.company_id, me.user_id).sees(product):
            raise not_found("Product", product_id)
        entries = store.collection(ENTRIES, scope + (collection["ID"],))
        if product_id not in entries and len(entries) >= ENTRY_LIMIT:
            raise bad_request("ProductCollection.ProductEntryLimit", f"Cannot exceed {ENTRY_LIMIT} product entries per Product Collection.", {"Limit": ENTRY_LIMIT})
        entries[product_id] = {"ID": product_id}


@handles("Me.DeleteProductCollectionEntry")
def remove_entry(call: Call) -> None:
    with call.market.store.lock:
        _, scope, collection = _mine(call)
        if call.market.store.pop(ENTRIES, scope + (collection["ID"],), call.params["productID"]) is None:
            raise not_found("ProductCollectionEntry", call.params["productID"])


@handles("Me.ListProductCollectionEntries")
def list_entries(call: Call) -> dict[str, Any]:
    me, store = call.identity, call.market.store
    view = BuyerView(call.market, me.company_id, me.user_id)
    with store.lock:
        _, scope, collection = _mine(call)
        products = [store.get(PRODUCTS, (), product_id) for product_id in store.collection(ENTRIES, scope + (collection["ID"],))]
        shown = [view.buyer_product(product) for product in products if product is not None and view.sees(product)]
    return buyer_products_page(call, shown)
