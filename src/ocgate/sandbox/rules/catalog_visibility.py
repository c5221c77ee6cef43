"""What a buyer user may see of the catalog: OrderCloud's visibility checklist (BEHAVIOUR.md §5).

A product is visible to a buyer user when
1. the product is Active,
2. it is assigned to an Active catalog that is assigned to the buyer (CatalogAssignment), and
3. in that catalog one of these holds:
   - the catalog assignment has ViewAllProducts;
   - the category path: the product is assigned to an active category of the catalog, and the
     category assignments for the buyer or one of the user's groups say ViewAllProducts (the
     first non-null setting walking up the category tree decides);
   - a ProductAssignment names the product and the buyer or one of the user's groups
     (PriceScheduleID not required).

The BuyerProduct carries the PriceSchedule that applies: a product assignment's schedule (a user
group's beats the buyer's) over the product's DefaultPriceScheduleID; None when there is none
("visible but not purchasable").

Rules chosen where OrderCloud's documentation is silent:
- assigning a product to a category of a catalog assigns it to that catalog too (the docs warn
  that the explicit ProductCatalogAssignment is needed "in the absence of categories");
- a category is active when it and all its ancestors are Active, and visible when it is active and
  the catalog assignment has ViewAllCategories or its category assignments say Visible (first
  non-null setting up the tree, like ViewAllProducts);
- when several of the user's groups assign different price schedules, the group first in ID order
  wins (deterministic; OrderCloud's tie-break is not documented).

/me/catalogs shows the active catalogs assigned to the caller's buyer (declared at the end of
this module for the generic list and get); handlers/me_catalog.py answers the rest of the /me catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, not_found
from ..registry import guard, perspective, the_marketplace
from .shared_with_users import applies_to

if TYPE_CHECKING:
    from ..registry import Call
    from ..state import Marketplace

PRODUCTS = "/products"
PRICE_SCHEDULES = "/priceschedules"
CATALOGS = "/catalogs"
CATALOG_ASSIGNMENTS = "/catalogs/assignments"
CATEGORIES = "/catalogs/{catalogID}/categories"
CATEGORY_ASSIGNMENTS = "/catalogs/{catalogID}/categories/assignments"
CATEGORY_PRODUCTS = "/catalogs/{catalogID}/categories/productassignments"

ALL_LEVELS = None  # a depth of "all"


def parse_depth(raw: str | int | None, default: int | None) -> int | None:
    """`depth` as a number of levels (None = all); 400 Category.InvalidDepth unless a number >= 1 or "all"."""
    if raw is None or raw == "":
        return default
    if str(raw).lower() == "all":
        return ALL_LEVELS
    try:
        levels = int(raw)
    except ValueError:
        levels = 0
    if levels < 1:
        raise bad_request("Category.InvalidDepth", "Depth must be an integer greater than 0, or 'all'.", {"Depth": raw})
    return levels


class CategoryTree:
    """One catalog's categories as one buyer user sees them."""

    def __init__(self, market: Marketplace, catalog_id: str, assignment: dict[str, Any], buyer_id: str, groups: frozenset[str]) -> None:
        self.catalog_id = catalog_id
        self.categories = market.store.collection(CATEGORIES, (catalog_id,))
        self.view_all_categories = bool(assignment.get("ViewAllCategories"))
        self._rules: dict[str, list[dict[str, Any]]] = {}
        for row in market.store.collection(CATEGORY_ASSIGNMENTS, (catalog_id,)).values():
            if applies_to(row, buyer_id, groups):
                self._rules.setdefault(row["CategoryID"], []).append(row)
        self._children: dict[str | None, list[str]] = {}
        for category in self.categories.values():
            self._children.setdefault(category.get("ParentID"), []).append(category["ID"])
        #: category ID -> product IDs assigned to it, and the reverse
        self.products_in: dict[str, set[str]] = {}
        self.categories_of: dict[str, set[str]] = {}
        for row in market.store.collection(CATEGORY_PRODUCTS, (catalog_id,)).values():
            self.products_in.setdefault(row["CategoryID"], set()).add(row["ProductID"])
            self.categories_of.setdefault(row["ProductID"], set()).add(row["CategoryID"])

    def ancestry(self, category_id: str) -> list[str]:
        """The category and its ancestors, nearest first (stops at a missing parent or a cycle)."""
        chain: list[str] = []
        current: str | None = category_id
        while current in self.categories and current not in chain:
            chain.append(current)
            current = self.categories[current].get("ParentID")
        return chain

    def _inherited(self, category_id: str, setting: str) -> bool:
        for ancestor in self.ancestry(category_id):
            values = [row[setting] for row in self._rules.get(ancestor, ()) if row.get(setting) is not None]
            if values:
                return any(values)
        return False

    def active(self, category_id: str) -> bool:
        chain = self.ancestry(category_id)
        return bool(chain) and all(self.categories[ancestor].get("Active") for ancestor in chain)

    def visible(self, category_id: str) -> bool:
        return self.active(category_id) and (self.view_all_categories or self._inherited(category_id, "Visible"))

    def shows_products(self, category_id: str) -> bool:
        return self.active(category_id) and self._inherited(category_id, "ViewAllProducts")

    def below(self, parent_id: str | None, depth: int | None) -> Iterator[str]:
        """Categories under `parent_id` (None: the catalog's top level), `depth` levels deep (None: all)."""
        level, frontier, seen = 1, [parent_id], set()
        while frontier and (depth is ALL_LEVELS or level <= depth):
            next_frontier = []
            for parent in frontier:
                for child in self._children.get(parent, ()):
                    if child not in seen:
                        seen.add(child)
                        next_frontier.append(child)
                        yield child
            frontier, level = next_frontier, level + 1


class BuyerView:
    """The catalogs, categories and products one buyer user can see, computed once per request."""

    def __init__(self, market: Marketplace, buyer_id: str, user_id: str | None) -> None:
        self.market = market
        self.buyer_id = buyer_id
        self.user_id = user_id
        self.groups = frozenset(market.directory.groups_of("buyer", buyer_id, user_id) if user_id else ())
        store = market.store
        #: active catalogs assigned to the buyer: catalog ID -> its CatalogAssignment
        self.catalogs: dict[str, dict[str, Any]] = {}
        for row in store.collection(CATALOG_ASSIGNMENTS).values():
            catalog = store.get(CATALOGS, (), row.get("CatalogID") or "")
            if row.get("BuyerID") == buyer_id and catalog is not None and catalog.get("Active"):
                self.catalogs[catalog["ID"]] = row
        self._trees: dict[str, CategoryTree] = {}

    # -- catalogs and categories ------------------------------------------------------------

    def require_catalog(self, catalog_id: str | None) -> str:
        """404 NotFound unless the catalog is active and assigned to the buyer."""
        if catalog_id not in self.catalogs:
            raise not_found("Catalog", catalog_id)
        return catalog_id

    def tree(self, catalog_id: str) -> CategoryTree:
        if catalog_id not in self._trees:
            self._trees[catalog_id] = CategoryTree(self.market, catalog_id, self.catalogs[catalog_id], self.buyer_id, self.groups)
        return self._trees[catalog_id]

    def require_category(self, catalog_id: str, category_id: str) -> CategoryTree:
        """The catalog's tree; 404 NotFound unless the category is visible to this user."""
        tree = self.tree(catalog_id)
        if not tree.visible(category_id):
            raise not_found("Category", category_id)
        return tree

    # -- products --------------------------------------------------------------------------------

    def _assignment(self, save_operation: str, scope: tuple[str, ...], **identity: str) -> dict[str, Any] | None:
        """The stored assignment row with these identity values (the engine keys rows by them, in schema order)."""
        binding = self.market.resources.bindings[save_operation]
        key = "|".join(identity.get(name) or "" for name in binding.identity_fields)
        return self.market.store.get(binding.collection.template, scope, key)

    def product_assignments(self, product_id: str) -> list[dict[str, Any]]:
        """The product's assignments to this buyer and to the user's groups, group-level first (by group ID)."""
        rows = [self._assignment("Products.SaveAssignment", (), ProductID=product_id, BuyerID=self.buyer_id, UserGroupID=group) for group in sorted(self.groups)]
        rows.append(self._assignment("Products.SaveAssignment", (), ProductID=product_id, BuyerID=self.buyer_id))
        return [row for row in rows if row is not None]

    def _in_catalog(self, product_id: str, catalog_id: str) -> bool:
        direct = self._assignment("Catalogs.SaveProductAssignment", (), CatalogID=catalog_id, ProductID=product_id)
        return direct is not None or product_id in self.tree(catalog_id).categories_of

    def _shown_in(self, product_id: str, catalog_id: str) -> bool:
        if not self._in_catalog(product_id, catalog_id):
            return False
        if self.catalogs[catalog_id].get("ViewAllProducts") or self.product_assignments(product_id):
            return True
        tree = self.tree(catalog_id)
        return any(tree.shows_products(category) for category in tree.categories_of.get(product_id, ()))

    def sees(self, product: dict[str, Any], catalog_ids: Iterable[str] | None = None) -> bool:
        """The visibility checklist, in the given catalogs (default: every catalog the buyer can see)."""
        if not product.get("Active"):
            return False
        return any(self._shown_in(product["ID"], catalog_id) for catalog_id in (self.catalogs if catalog_ids is None else catalog_ids))

    def price_schedule(self, product: dict[str, Any]) -> dict[str, Any] | None:
        candidates = [row.get("PriceScheduleID") for row in self.product_assignments(product["ID"])]
        candidates.append(product.get("DefaultPriceScheduleID"))
        for schedule_id in candidates:
            schedule = self.market.store.get(PRICE_SCHEDULES, (), schedule_id) if schedule_id else None
            if schedule is not None:
                return dict(schedule)
        return None

    def buyer_product(self, product: dict[str, Any]) -> dict[str, Any]:
        return {**product, "PriceSchedule": self.price_schedule(product)}

    def products(self, catalog_id: str | None = None, category_id: str | None = None, depth: int | None = ALL_LEVELS) -> list[dict[str, Any]]:
        """Every visible BuyerProduct, optionally only of one catalog, or of one category's subtree.

        `depth` counts levels from the category (1: its own products only) and applies only with a
        category. A category needs its catalog (Product.CategoryFilterRequiresCatalogID, as on
        /products) and must be visible to the user (else 404).
        """
        catalog_ids = [self.require_catalog(catalog_id)] if catalog_id is not None else list(self.catalogs)
        wanted: set[str] | None = None
        if category_id is not None:
            if catalog_id is None:
                raise bad_request(
                    "Product.CategoryFilterRequiresCatalogID",
                    "Filtering products on a CategoryID requires a corresponding non-negated CatalogID.",
                    {"CategoryID": category_id},
                )
            tree = self.require_category(catalog_id, category_id)
            inner = tree.below(category_id, None if depth is ALL_LEVELS else depth - 1)
            categories = [category_id, *(child for child in inner if tree.visible(child))]
            wanted = set().union(*(tree.products_in.get(category, set()) for category in categories))
        return [
            self.buyer_product(product)
            for product in self.market.store.collection(PRODUCTS).values()
            if (wanted is None or product["ID"] in wanted) and self.sees(product, catalog_ids)
        ]


# -- the public entry points (also used by the order and line item semantics) ---------------------------


def buyer_product(market: Marketplace, buyer_id: str, user_id: str | None, product_id: str) -> dict[str, Any] | None:
    """The BuyerProduct (every Product property + "PriceSchedule") when visible to that buyer user, else None."""
    product = market.store.get(PRODUCTS, (), product_id)
    view = BuyerView(market, buyer_id, user_id)
    if product is None or not view.sees(product):
        return None
    return view.buyer_product(product)


def visible_products(
    market: Marketplace,
    buyer_id: str,
    user_id: str | None,
    catalog_id: str | None = None,
    category_id: str | None = None,
    depth: str | int | None = "all",
) -> list[dict[str, Any]]:
    """Every BuyerProduct visible to that buyer user (see BuyerView.products for the filters)."""
    return BuyerView(market, buyer_id, user_id).products(catalog_id, category_id, parse_depth(depth, ALL_LEVELS))


# -- /me/catalogs ------------------------------------------------------------------------------------


def _catalog_seen(call: Call, catalog: dict[str, Any]) -> bool:
    """Active catalogs assigned to the caller's buyer (404 for any other under /me/catalogs)."""
    me = call.identity
    return catalog["ID"] in call.once("my catalogs", lambda: BuyerView(call.market, me.company_id, me.user_id).catalogs)


perspective("/me/catalogs", stored_at=CATALOGS, scope=the_marketplace)
guard("/me/catalogs", can_see=_catalog_seen)
