"""/me/productcollections: lists of products a buyer user keeps (favourites, wish lists).

A collection belongs to the user who created it; nobody else sees it (404). It is stored under
that user (declared below: the generic list, create, get, save, patch and delete work there),
so deleting the user or the buyer removes it. Entries name products the user can see
(rules/catalog_visibility.py): an invisible product cannot be added (404 NotFound Product), and
one that becomes invisible drops out of the entry list until it is visible again. A collection
holds at most 500 entries (400 ProductCollection.ProductEntryLimit, OrderCloud's platform limit).
`POST .../products {ProductID, ListOrder}` adds an entry as `PUT .../{productID}` does.

Invitations (SDK Me.*ProductCollectionInvitation: create, accept, decline) are stored under the
collection (generic CRUD by its owner). Choices (README): another user of the same buyer accepts
or declines one by the collection's and the invitation's IDs; an unknown one, one of another
buyer, or one past its ExpirationDate (sandbox clock) is 404; accepting sets Accepted and records
the user as a member of the collection (`store.side["product_collection_members"]`), declining
deletes the invitation. What members see of a shared collection is not modelled yet.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request, not_found
from ..models import parse_time, require_values, validate
from ..registry import Call, guard, handles, perspective, the_caller
from ..responses import shaped_page
from ..rules.catalog_visibility import PRODUCTS, BuyerView
from ..rules.pricing import now_of

MY_COLLECTIONS = "/me/productcollections"
COLLECTIONS = "/buyers/{buyerID}/users/{userID}/productcollections"
ENTRIES = COLLECTIONS + "/{productCollectionID}/products"
ENTRY_LIMIT = 500

MY_INVITATIONS = MY_COLLECTIONS + "/{productCollectionID}/invitations"
INVITATIONS = COLLECTIONS + "/{productCollectionID}/invitations"
MEMBERS = "product_collection_members"  # store.side: (buyer, owner, collection ID) -> {member user IDs}

perspective(MY_COLLECTIONS, stored_at=COLLECTIONS, scope=the_caller)
perspective(MY_INVITATIONS, stored_at=INVITATIONS, scope=the_caller)


def _mine(call: Call) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The caller's scope, and the collection named in the path (404 unless the caller's)."""
    resources = call.market.resources
    collections, params = resources.stored(call, resources.collection(MY_COLLECTIONS))
    scope = resources.scope(collections, params)
    return scope, resources.require(collections, scope, call.params["productCollectionID"])


# -- entries ------------------------------------------------------------------------------------------


guard(MY_INVITATIONS, parent=_mine)


@handles("Me.CreateProductCollectionEntry")
def add_entry(call: Call) -> None:
    _add(call, call.params["productID"])


@handles("Me.SaveProductCollectionEntry")
def save_entry(call: Call) -> None:
    validate(call.op.request_schema or {}, call.body, model="ProductCollectionEntry")
    require_values(call.op.request_schema or {}, call.body, model="ProductCollectionEntry")
    _add(call, call.body["ProductID"])


def _add(call: Call, product_id: str) -> None:
    me, store = call.identity, call.market.store
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


# -- invitations ---------------------------------------------------------------------------------------


def _invitation(call: Call) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The invitation the path names, of a collection of another user of the caller's buyer; 404 otherwise."""
    me, store = call.identity, call.market.store
    collection_id, invitation_id = call.params["productCollectionID"], call.params["invitationID"]
    for user_id in store.view("/buyers/{buyerID}/users", (me.company_id,)):
        scope = (me.company_id, user_id, collection_id)
        invitation = store.get(INVITATIONS, scope, invitation_id)
        if invitation is not None and user_id != me.user_id:
            expires = parse_time(invitation.get("ExpirationDate"))
            if expires is None or expires > now_of(call.market):
                return scope, invitation
    raise not_found("ProductCollectionInvitation", invitation_id)


@handles("Me.AcceptProductCollectionInvitation")
def accept_invitation(call: Call) -> None:
    scope, invitation = _invitation(call)
    invitation["Accepted"] = True
    call.market.store.side.setdefault(MEMBERS, {}).setdefault(scope, set()).add(call.identity.user_id)


@handles("Me.DeclineProductCollectionInvitation")
def decline_invitation(call: Call) -> None:
    scope, invitation = _invitation(call)
    call.market.store.pop(INVITATIONS, scope, invitation["ID"])
