"""Specs as products see them: a spec shows its options; a product lists its specs.

Specs are tied to products by spec product assignments (/specs/productassignments);
Products.ListSpecs lists the specs assigned to one product.
"""

from __future__ import annotations

import threading
from typing import Any

from ..listing import list_page
from ..registry import Call, handles, presents

SPECS = "/specs"
OPTIONS = "/specs/{specID}/options"
SPEC_ASSIGNMENTS = "/specs/productassignments"
PRODUCTS = "/products"

_this_request = threading.local()


def options_of(call: Call, spec_id: str) -> list[dict[str, Any]]:
    """A spec's options in their ListOrder."""
    options = call.market.store.view(OPTIONS, (spec_id,)).values()
    return sorted(options, key=lambda option: (option.get("ListOrder") is None, option.get("ListOrder") or 0))


def spec_ids_of(call: Call, product_id: str) -> list[str]:
    """The specs assigned to a product, in the order of their assignment."""
    return _spec_ids_by_product(call).get(product_id, [])


def _spec_ids_by_product(call: Call) -> dict[str, list[str]]:
    """Spec IDs by ProductID, gathered once per request: a product list asks for every product it shows.

    Kept per thread for the call being answered; the next call rebuilds it.
    """
    memo = getattr(_this_request, "spec_ids", None)
    if memo is None or memo[0] is not call:
        by_product: dict[str, list[str]] = {}
        for row in call.market.store.view(SPEC_ASSIGNMENTS).values():
            by_product.setdefault(row.get("ProductID"), []).append(row["SpecID"])
        memo = _this_request.spec_ids = (call, by_product)
    return memo[1]


@presents(SPECS)
def with_options(call: Call, spec: dict[str, Any], scope: tuple[str, ...]) -> dict[str, Any]:
    options = options_of(call, spec["ID"])
    return {**spec, "Options": options, "OptionCount": len(options)}


@handles("Products.ListSpecs")
def list_product_specs(call: Call) -> dict[str, Any]:
    resources = call.market.resources
    products, specs = resources.collection(PRODUCTS), resources.collection(SPECS)
    resources.require(products, (), call.params["productID"])
    assigned = (call.market.store.get(SPECS, (), spec_id) for spec_id in spec_ids_of(call, call.params["productID"]))
    items = [resources.present(call, specs, (), spec) for spec in assigned if spec is not None]
    return list_page(items, call.query, resources.bindings[call.op.operation_id].list_rules)
