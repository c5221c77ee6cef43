"""Bundle items: a bundle's products added to an order, a subscription or the cart as one group.

Sources: the SDKs' names and models (ordercloud-javascript-sdk 12.0.0 `BundleLineItems.Create(direction,
orderID, bundleID, BundleItems)` answering a LineItem, `Delete(..., bundleItemID)`; the same pair on
subscriptions, /me/subscriptions and the cart) and the bundle's own resources (Bundle,
BundleProductAssignment {BundleID, ProductID, Required, DefaultQuantity}). OrderCloud documents neither
which products a bundle adds nor what the bundleItemID is; the choices here (README, list of choices):

- choice: adding a bundle adds one line per product of the bundle: each product the body's `LineItems`
  names, with that line's fields (Quantity, Specs, xp, ...), and each other Required product with its
  DefaultQuantity (1 when unset); an optional product the body does not name is left out. A body line
  naming a product outside the bundle is 400 Bundle.ProductNotInBundle; a bundle that would add nothing
  is 400 Bundle.NoProducts; an unknown or inactive bundle is 404 Bundle.
- each line is created by the container's own create operation (LineItems.Create, SubscriptionItems.Create,
  Me.CreateSubscriptionItem), so prices, inventory, order status and access rules apply as for any line;
  one refused line undoes the lines already added (all or nothing).
- choice: the bundle item ID is the ID of the first line added, which the operation answers; deleting
  it removes every line of the group still there, through the container's own delete operation.
  A line deleted on its own leaves the rest of its group in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ApiError, bad_request, not_found
from ..models import validate
from ..registry import Call, handles
from ..rules.order_access import order_for

BUNDLES = "/bundles"
BUNDLE_PRODUCTS = "/bundles/productassignments"
GROUPS = "bundle_items"  # store.side: (container kind, container ID, bundle item ID) -> {BundleID, LineItemIDs}


@dataclass(frozen=True)
class Container:
    """Where a bundle's lines go: the operations that create and delete one line there."""

    kind: str
    create: str
    delete: str
    line_param: str
    id_param: str


ORDER = Container("order", "LineItems.Create", "LineItems.Delete", "lineItemID", "orderID")
SUBSCRIPTION = Container("subscription", "SubscriptionItems.Create", "SubscriptionItems.Delete", "subscriptionItemID", "subscriptionID")
MY_SUBSCRIPTION = Container("subscription", "Me.CreateSubscriptionItem", "Me.DeleteSubscriptionItem", "subscriptionItemID", "subscriptionID")

CONTAINERS = {
    "BundleLineItems.Create": ORDER,
    "BundleLineItems.Delete": ORDER,
    "BundleSubscriptionItems.Create": SUBSCRIPTION,
    "BundleSubscriptionItems.Delete": SUBSCRIPTION,
    "Me.CreateSubscriptionBundleItem": MY_SUBSCRIPTION,
    "Me.DeleteSubscriptionBundleItem": MY_SUBSCRIPTION,
}


def _inner(call: Call, operation_id: str, params: dict[str, str], body: Any = None) -> Any:
    """Run one line operation of the container as the same caller."""
    inner = Call(call.market.spec.operation(operation_id), params, {}, body, call.identity, call.market)
    return call.market.resources.handle(inner)


def _container_params(call: Call) -> dict[str, str]:
    return {name: value for name, value in call.params.items() if name in ("direction", "orderID", "subscriptionID")}


def _check_container(call: Call, container: Container) -> None:
    """404 for a missing order or subscription before anything about the bundle is said."""
    if container is ORDER:
        order_for(call)
    elif container is SUBSCRIPTION:
        resources = call.market.resources
        resources.require(resources.collection("/subscriptions"), (), call.params["subscriptionID"])


def _bundle_lines(call: Call, bundle_id: str) -> list[dict[str, Any]]:
    """The lines adding the bundle creates (see the module docstring)."""
    store = call.market.store
    bundle = store.get(BUNDLES, (), bundle_id)
    if bundle is None or not bundle.get("Active"):
        raise not_found("Bundle", bundle_id)
    products = {row["ProductID"]: row for row in store.view(BUNDLE_PRODUCTS).values() if row.get("BundleID") == bundle_id}
    given = {}
    for line in call.body.get("LineItems") or []:
        product_id = (line or {}).get("ProductID")
        if product_id not in products:
            raise bad_request("Bundle.ProductNotInBundle", "This product is not part of the bundle.", {"BundleID": bundle_id, "ProductID": product_id})
        given[product_id] = {key: value for key, value in line.items() if value is not None}
    lines = []
    for product_id, row in products.items():
        if product_id in given:
            lines.append(given[product_id])
        elif row.get("Required"):
            lines.append({"ProductID": product_id, "Quantity": row.get("DefaultQuantity") or 1})
    if not lines:
        raise bad_request("Bundle.NoProducts", "The bundle adds no products: assign products to it, or name them in LineItems.", {"BundleID": bundle_id})
    return lines


@handles("BundleLineItems.Create", "BundleSubscriptionItems.Create", "Me.CreateSubscriptionBundleItem")
def add_bundle(call: Call) -> dict[str, Any]:
    container = CONTAINERS[call.op.operation_id]
    validate(call.op.request_schema or {}, call.body, model="BundleItems")
    _check_container(call, container)
    params = _container_params(call)
    created: list[dict[str, Any]] = []
    try:
        for line in _bundle_lines(call, call.params["bundleID"]):
            created.append(_inner(call, container.create, params, line))
    except ApiError:
        for line in reversed(created):  # all or nothing
            _inner(call, container.delete, {**params, container.line_param: line["ID"]})
        raise
    first = created[0]
    groups = call.market.store.side.setdefault(GROUPS, {})
    groups[(container.kind, params[container.id_param], first["ID"])] = {"BundleID": call.params["bundleID"], "LineItemIDs": [line["ID"] for line in created]}
    return first


@handles("BundleLineItems.Delete", "BundleSubscriptionItems.Delete", "Me.DeleteSubscriptionBundleItem")
def remove_bundle(call: Call) -> None:
    container = CONTAINERS[call.op.operation_id]
    _check_container(call, container)
    params = _container_params(call)
    groups = call.market.store.side.setdefault(GROUPS, {})
    key = (container.kind, params[container.id_param], call.params["bundleItemID"])
    group = groups.get(key)
    if group is None or group["BundleID"] != call.params["bundleID"]:
        raise not_found("BundleItem", call.params["bundleItemID"])
    for line_id in group["LineItemIDs"]:
        try:
            _inner(call, container.delete, {**params, container.line_param: line_id})
        except ApiError as error:
            if error.status != 404:  # a line already deleted on its own is simply gone
                raise
    del groups[key]
