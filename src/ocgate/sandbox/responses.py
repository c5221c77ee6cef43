"""Answers built from hand-picked objects: list pages and objects shaped like the response model.

Handlers that decide which objects a caller may see (the /me views, the sellers of a buyer, ...)
still answer with OrderCloud's usual paging, search, filters and sort (listing.py), and with
exactly the properties the operation's response model declares.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .listing import list_page
from .registry import Call


def list_of(call: Call, items: Iterable[dict[str, Any]], query: Any = None) -> dict[str, Any]:
    """The ListPage (with Facets when the operation's Meta has them) of `items` for the request's query
    (or `query`, when the handler consumed some of its parameters)."""
    rules = call.market.resources.bindings[call.op.operation_id].list_rules
    assert rules is not None, f"{call.op.operation_id} is not a list operation"
    meta = (call.op.response_schema or {}).get("properties", {}).get("Meta", {}).get("properties", {})
    return list_page(items, call.query if query is None else query, rules, facets="Facets" in meta)


def response_model(call: Call) -> dict[str, Any]:
    """The schema of one returned object: the response itself, or the Items of a list."""
    schema = call.op.response_schema or {}
    items = schema.get("properties", {}).get("Items")
    return items["items"] if items else schema


def shaped(model: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    """Exactly the model's properties, in its order (e.g. a BuyerProduct from a Product + PriceSchedule)."""
    return {name: obj.get(name) for name in model.get("properties", {})}


def shaped_page(call: Call, items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The ListPage of `items`, searched, filtered and sorted on the whole objects, then each item
    shaped like the response model (e.g. BuyerProducts listed from Products: sortBy=OwnerID works)."""
    page = list_of(call, items)
    page["Items"] = [shaped(response_model(call), item) for item in page["Items"]]
    return page
