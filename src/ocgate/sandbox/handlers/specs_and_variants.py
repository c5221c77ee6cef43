"""Specs and the variants they define: a spec shows its options; a product lists its specs and
its variants are generated from the specs that define variants.

Specs are tied to products by spec product assignments (/specs/productassignments);
Products.ListSpecs lists the specs assigned to one product.

Products.GenerateVariants makes one variant per combination of the options of
the specs assigned to the product with DefinesVariant (specs without options
add nothing). A variant's ID joins the product ID and the option IDs with "-"
(a generated ID when that would exceed 100 characters); its Specs say which
option of each spec it stands for. Regenerating keeps the variants whose
combination still exists, unless overwriteExisting=true, and drops the others.
Variants are only ever created by generation: saving or patching an unknown
variant is 404. At most 1500 variants per product (OrderCloud's platform limit).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from ..errors import bad_request, not_found
from ..listing import list_page
from ..models import materialize, stamp
from ..registry import Call, before_write, handles, presents
from ..store import new_id

SPECS = "/specs"
OPTIONS = "/specs/{specID}/options"
SPEC_ASSIGNMENTS = "/specs/productassignments"
PRODUCTS = "/products"

def options_of(call: Call, spec_id: str) -> list[dict[str, Any]]:
    """A spec's options in their ListOrder."""
    options = call.market.store.view(OPTIONS, (spec_id,)).values()
    return sorted(options, key=lambda option: (option.get("ListOrder") is None, option.get("ListOrder") or 0))


def spec_ids_of(call: Call, product_id: str) -> list[str]:
    """The specs assigned to a product, in the order of their assignment."""
    return _spec_ids_by_product(call).get(product_id, [])


def _spec_ids_by_product(call: Call) -> dict[str, list[str]]:
    """Spec IDs by ProductID, gathered once per request: a product list asks for every product it shows."""
    return call.once("spec IDs by product", lambda: _gather_spec_ids(call))


def _gather_spec_ids(call: Call) -> dict[str, list[str]]:
    by_product: dict[str, list[str]] = {}
    for row in call.market.store.view(SPEC_ASSIGNMENTS).values():
        by_product.setdefault(row.get("ProductID"), []).append(row["SpecID"])
    return by_product


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


# -- variants ---------------------------------------------------------------------------------------

VARIANTS = "/products/{productID}/variants"
MAX_VARIANTS = 1500
ID_MAX_LENGTH = 100


@before_write(VARIANTS)
def only_generated(call: Call, variant: dict[str, Any], previous: dict[str, Any] | None) -> None:
    if previous is None and call.op.operation_id != "Products.GenerateVariants":
        raise not_found("Variant", variant["ID"])


@presents(PRODUCTS)
def with_counts(call: Call, product: dict[str, Any], scope: tuple[str, ...]) -> dict[str, Any]:
    """SpecCount and VariantCount, in one presenter: products are listed often."""
    store = call.market.store
    spec_count = len(spec_ids_of(call, product["ID"]))
    return {**product, "SpecCount": spec_count, "VariantCount": len(store.view(VARIANTS, (product["ID"],)))}


@handles("Products.GenerateVariants")
def generate_variants(call: Call) -> dict[str, Any]:
    overwrite = call.query.get("overwriteExisting", "").lower() == "true"  # a boolean if given (checked by the app)
    market, resources = call.market, call.market.resources
    products, variants = resources.collection(PRODUCTS), resources.collection(VARIANTS)
    product_id = call.params["productID"]
    product = resources.require(products, (), product_id)
    axes = _variant_axes(call, product_id)
    count = math.prod(len(options) for _, options in axes) if axes else 0
    if count > MAX_VARIANTS:
        raise bad_request("Variant.ExceededLimit", "Attempting to create more variants than is allowed.", {"Limit": MAX_VARIANTS, "Requested": count})
    existing = market.store.collection(VARIANTS, (product_id,))
    kept = {} if overwrite else {_combination(variant["Specs"]): variant for variant in existing.values()}
    choices = [[(spec, option) for option in options] for spec, options in axes]
    generated = []
    for combination in itertools.product(*choices) if choices else ():
        key = tuple((spec["ID"], option["ID"]) for spec, option in combination)
        generated.append(kept.get(key) or _new_variant(call, product, combination))
    existing.clear()
    for variant in generated:
        resources.write(call, variants, (product_id,), variant, None)
    return resources.present(call, products, (), product)


def _variant_axes(call: Call, product_id: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The variant-defining specs of a product with their options, in the specs' ListOrder."""
    specs = [call.market.store.get(SPECS, (), spec_id) for spec_id in spec_ids_of(call, product_id)]
    defining = sorted((spec for spec in specs if spec and spec.get("DefinesVariant")), key=lambda spec: (spec.get("ListOrder") or 0, spec["ID"]))
    return [(spec, options) for spec in defining if (options := options_of(call, spec["ID"]))]


def _combination(variant_specs: list[dict[str, Any]] | None) -> tuple[tuple[str, str], ...]:
    return tuple((spec["SpecID"], spec["OptionID"]) for spec in variant_specs or [])


def _new_variant(call: Call, product: dict[str, Any], combination: tuple[tuple[dict[str, Any], dict[str, Any]], ...]) -> dict[str, Any]:
    variant_id = "-".join([product["ID"], *(option["ID"] for _, option in combination)])
    name = " ".join([product.get("Name") or product["ID"], *(option.get("Value") or option["ID"] for _, option in combination)])
    schema = call.market.resources.collection(VARIANTS).schema
    variant = materialize(schema, {"ID": variant_id if len(variant_id) <= ID_MAX_LENGTH else new_id(), "Name": name, "Active": True})
    variant["Specs"] = [
        {
            "SpecID": spec["ID"],
            "Name": spec.get("Name"),
            "OptionID": option["ID"],
            "Value": option.get("Value"),
            "PriceMarkupType": option.get("PriceMarkupType"),
            "PriceMarkup": option.get("PriceMarkup"),
        }
        for spec, option in combination
    ]
    return stamp(variant, created=True)
