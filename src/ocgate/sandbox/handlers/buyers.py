"""Buyers: the default catalog every new buyer gets, and the organizations a buyer orders from.

Creating a buyer (POST, or PUT of a new ID) creates its default catalog, with the buyer's ID and
name, and assigns it with ViewAllCategories and ViewAllProducts on (BEHAVIOUR.md §5.3). A
DefaultCatalogID in the body names an existing catalog to use instead; it gets the same
assignment. If a catalog with the buyer's ID already exists and no DefaultCatalogID is given, the
buyer is refused: 400 Buyer.DefaultCatalogAlreadyExists ("Please either delete that catalog, or
specify it as the DefaultCatalogID of this new Buyer").

Chosen where the sources are silent: a buyer always keeps a default catalog (a PUT or PATCH
without DefaultCatalogID keeps the previous one; one naming a missing catalog is 404). Deleting a
buyer keeps its catalog; a catalog that is some buyer's default cannot be deleted
(400 Catalog.CannotDelete, "This catalog is a default catalog for one or more buyers").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import bad_request, not_found
from ..registry import Call, before_delete, before_write, handles
from ..responses import list_of
from ..rules.placing_orders import sellers_of

if TYPE_CHECKING:
    from ..state import Marketplace

BUYERS = "/buyers"
CATALOGS = "/catalogs"


@before_write(BUYERS)
def _choose_default_catalog(call: Call, buyer: dict[str, Any], previous: dict[str, Any] | None) -> None:
    store = call.market.store
    wanted = buyer.get("DefaultCatalogID")
    if wanted:
        if store.get(CATALOGS, (), wanted) is None:
            raise not_found("Catalog", wanted)
    elif previous is not None:
        buyer["DefaultCatalogID"] = previous.get("DefaultCatalogID")
    elif store.get(CATALOGS, (), buyer["ID"]) is not None:
        raise bad_request(
            "Buyer.DefaultCatalogAlreadyExists",
            "A Catalog with this ID already exists. Please either delete that catalog, or specify it as the DefaultCatalogID of this new Buyer in the request body.",
            {"CatalogID": buyer["ID"]},
        )
    else:
        buyer["DefaultCatalogID"] = buyer["ID"]


@handles("Buyers.Create", "Buyers.Save")
def create_or_replace_buyer(call: Call) -> dict[str, Any]:
    """The generic create / replace, plus the default catalog and its assignment for a new buyer."""
    market = call.market
    buyers = market.resources.collection(BUYERS)
    if call.op.method == "POST":
        buyer, created = market.resources.create(call, buyers, call.params, call.body), True
    else:
        created = market.store.get(BUYERS, (), call.params["buyerID"]) is None
        buyer = market.resources.save(call, buyers, call.params, call.params["buyerID"], call.body)
    if created:
        _open_default_catalog(market, buyer)
    return buyer


def _open_default_catalog(market: Marketplace, buyer: dict[str, Any]) -> None:
    catalog_id = buyer["DefaultCatalogID"]
    if market.store.get(CATALOGS, (), catalog_id) is None:
        market.invoke("Catalogs.Create", body={"ID": catalog_id, "Name": buyer.get("Name") or catalog_id, "Active": True})
    market.invoke(
        "Catalogs.SaveAssignment",
        body={"CatalogID": catalog_id, "BuyerID": buyer["ID"], "ViewAllCategories": True, "ViewAllProducts": True},
    )


@before_delete(CATALOGS)
def _keep_default_catalogs(call: Call, catalog: dict[str, Any]) -> None:
    buyers = sorted(b["ID"] for b in call.market.store.collection(BUYERS).values() if b.get("DefaultCatalogID") == catalog["ID"])
    if buyers:
        raise bad_request(
            "Catalog.CannotDelete",
            "This catalog is a default catalog for one or more buyers and cannot currently be deleted.",
            {"CatalogID": catalog["ID"], "BuyerIDs": buyers},
        )


# -- who sells to a buyer ----------------------------------------------------------------------


@handles("Buyers.ListBuyerSellers")
def list_buyer_sellers(call: Call) -> dict[str, Any]:
    buyer_id = call.params["buyerID"]
    call.market.resources.require(call.market.resources.collection(BUYERS), (), buyer_id)
    return list_of(call, sellers_of(call.market, buyer_id))


@handles("Me.ListBuyerSellers")
def list_my_sellers(call: Call) -> dict[str, Any]:
    """Seller and supplier users place no orders: their list is empty."""
    me = call.identity
    return list_of(call, sellers_of(call.market, me.company_id) if me.user_type == "buyer" else [])
