"""The catalog as a buyer user sees it: /me/products (with specs and variants), /me/categories.

rules/catalog_visibility.py decides what is visible (and declares /me/catalogs); this module answers
the requests. Anything invisible is
404 NotFound, exactly as if it did not exist.

Rules chosen where the sources are silent:
- /me/categories and /me/categories/{id} use the buyer's DefaultCatalogID unless `catalogID` is
  given (as the spec documents); `depth` (default 1) counts from the top of the catalog, or from
  the category named by an exact `ParentID` filter (which then selects the subtree instead of
  filtering it away);
- a buyer sees only Active variants of a visible product;
- a spec of a product shows the product assignment's DefaultValue / DefaultOptionID where set;
- `sellerID` is accepted and ignored (one selling organization per catalog here).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams

from ..errors import not_found
from ..registry import Call, handles
from ..responses import list_of, response_model, shaped, shaped_page
from ..rules.catalog_visibility import ALL_LEVELS, CATEGORIES, PRODUCTS, BuyerView, parse_depth

SPECS = "/specs"
SPEC_PRODUCTS = "/specs/productassignments"
VARIANTS = "/products/{productID}/variants"
#: characters that make a filter value an expression rather than one ID
FILTER_OPERATORS = frozenset("!*|<>=")


def _view(call: Call) -> BuyerView:
    return BuyerView(call.market, call.identity.company_id, call.identity.user_id)


def _present(call: Call, template: str, scope: tuple[str, ...], obj: dict[str, Any]) -> dict[str, Any]:
    return call.market.resources.present(call, call.market.resources.collection(template), scope, obj)


# -- products -------------------------------------------------------------------------------------


@handles("Me.ListProducts")
def list_my_products(call: Call) -> dict[str, Any]:
    query = call.query
    depth = parse_depth(query.get("depth"), ALL_LEVELS)
    products = _view(call).products(query.get("catalogID") or None, query.get("categoryID") or None, depth)
    return shaped_page(call, [_present(call, PRODUCTS, (), product) for product in products])


def _visible_product(call: Call, view: BuyerView, product_id: str) -> dict[str, Any]:
    """The product when the user sees it (in the `catalogID` given, if any), else 404."""
    catalog_id = call.query.get("catalogID")
    catalogs = [view.require_catalog(catalog_id)] if catalog_id else None
    product = call.market.store.get(PRODUCTS, (), product_id)
    if product is None or not view.sees(product, catalogs):
        raise not_found("Product", product_id)
    return product


@handles("Me.GetProduct")
def get_my_product(call: Call) -> dict[str, Any]:
    view = _view(call)
    product = _visible_product(call, view, call.params["productID"])
    return shaped(response_model(call), _present(call, PRODUCTS, (), view.buyer_product(product)))


def _specs_of(call: Call, product_id: str) -> list[dict[str, Any]]:
    """The product's specs (presented with their options), with the assignment's defaults where set."""
    store = call.market.store
    rows = [row for row in store.collection(SPEC_PRODUCTS).values() if row.get("ProductID") == product_id]
    assigned = [(spec, row) for row in rows if (spec := store.get(SPECS, (), row.get("SpecID") or "")) is not None]
    return [
        {
            **_present(call, SPECS, (), spec),
            "DefaultValue": row.get("DefaultValue") or spec.get("DefaultValue"),
            "DefaultOptionID": row.get("DefaultOptionID") or spec.get("DefaultOptionID"),
        }
        for spec, row in assigned
    ]


def _variants_of(call: Call, product_id: str) -> list[dict[str, Any]]:
    variants = list(call.market.store.collection(VARIANTS, (product_id,)).values())
    return [_present(call, VARIANTS, (product_id,), variant) for variant in variants if variant.get("Active")]


#: the parts of a product a buyer user sees: kind -> (how to find them, the path parameter naming one)
PARTS = {"Spec": (_specs_of, "specID"), "Variant": (_variants_of, "variantID")}


def _parts_of_product(call: Call) -> tuple[str, list[dict[str, Any]]]:
    """Which kind of part the operation is about, and those of the visible product in the path."""
    kind = "Spec" if "Spec" in call.op.verb else "Variant"
    product = _visible_product(call, _view(call), call.params["productID"])
    return kind, PARTS[kind][0](call, product["ID"])


@handles("Me.ListSpecs", "Me.ListVariants")
def list_my_product_parts(call: Call) -> dict[str, Any]:
    return list_of(call, _parts_of_product(call)[1])


@handles("Me.GetSpec", "Me.GetVariant")
def get_my_product_part(call: Call) -> dict[str, Any]:
    kind, parts = _parts_of_product(call)
    part_id = call.params[PARTS[kind][1]]
    for part in parts:
        if part["ID"] == part_id:
            return part
    raise not_found(kind, part_id)


# -- categories ---------------------------------------------------------------------------------


def _categories_catalog(call: Call, view: BuyerView) -> str:
    """The `catalogID` asked for, else the buyer's default catalog; 404 unless the buyer sees it."""
    buyer = call.market.store.get("/buyers", (), view.buyer_id) or {}
    return view.require_catalog(call.query.get("catalogID") or buyer.get("DefaultCatalogID"))


@handles("Me.ListCategories")
def list_my_categories(call: Call) -> dict[str, Any]:
    view = _view(call)
    catalog_id = _categories_catalog(call, view)
    tree = view.tree(catalog_id)
    query, parent = call.query, None
    parents = call.query.getlist("ParentID")
    if len(parents) == 1 and parents[0] and not FILTER_OPERATORS & set(parents[0]):
        parent = parents[0]
        query = QueryParams([(key, value) for key, value in call.query.multi_items() if key != "ParentID"])
    categories = [category for category in tree.below(parent, parse_depth(call.query.get("depth"), 1)) if tree.visible(category)]
    product_id = call.query.get("productID")
    if product_id:
        categories = [category for category in categories if category in tree.categories_of.get(product_id, ())]
    items = [_present(call, CATEGORIES, (catalog_id,), tree.categories[category]) for category in categories]
    return list_of(call, items, query)


@handles("Me.GetCategory")
def get_my_category(call: Call) -> dict[str, Any]:
    view = _view(call)
    catalog_id = _categories_catalog(call, view)
    tree = view.require_category(catalog_id, call.params["categoryID"])
    return _present(call, CATEGORIES, (catalog_id,), tree.categories[call.params["categoryID"]])
