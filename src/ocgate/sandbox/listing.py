"""List semantics shared by every list operation (BEHAVIOUR.md §3).

page / pageSize (default 20, max 100), Meta {Page, PageSize, TotalCount,
TotalPages, ItemRange} with a 1-based ItemRange ([1, 0] when empty),
`search` / `searchOn`, `sortBy` (comma list, `!` descending), and filters on
top-level properties or `xp.` paths with OrderCloud's operators.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

PAGING_PARAMS = ("page", "pageSize", "search", "searchOn", "searchType", "sortBy", "filters")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class ListRules:
    """What a list operation allows, read from its spec parameters and item schema."""

    properties: frozenset[str]
    search_fields: tuple[str, ...]
    sort_fields: frozenset[str] | None  # None: any top-level property
    search_types: frozenset[str]  # empty: the operation has no searchType parameter
    reserved: frozenset[str]  # operation-specific query parameters (not filters)

    @classmethod
    def for_operation(cls, query_params: Mapping[str, dict[str, Any]], item_schema: dict[str, Any]) -> ListRules:
        properties = frozenset(item_schema.get("properties", {}))

        def enum_of(name: str) -> list[str] | None:
            schema = query_params.get(name, {}).get("schema", {})
            return schema.get("items", {}).get("enum") or schema.get("enum")

        search = enum_of("searchOn")
        scalar_strings = [n for n, p in item_schema.get("properties", {}).items() if p.get("type") == "string"]
        sort = enum_of("sortBy")
        return cls(
            properties=properties,
            search_fields=tuple(search or scalar_strings),
            sort_fields=frozenset(s.lstrip("!") for s in sort) if sort else None,
            search_types=frozenset(enum_of("searchType") or ()),
            reserved=frozenset(name for name in query_params if name not in PAGING_PARAMS),
        )


def lookup(obj: Mapping[str, Any], path: str) -> Any:
    """A property by dotted path (`xp.Color.Primary`); None when any step is missing."""
    value: Any = obj
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compare(value: Any, operand: str) -> float:
    """Negative, zero or positive, numerically where both sides are numbers, else as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return value - float(operand)
        except ValueError:
            pass
    left, right = _as_text(value).lower(), operand.lower()
    return (left > right) - (left < right)


def _term_matches(value: Any, term: str) -> bool:
    """One filter term without `|`: `!` negates; `>=`, `<=`, `>`, `<` compare; `*` is a wildcard."""
    if term.startswith("!"):
        return not _term_matches(value, term[1:])
    for operator in (">=", "<=", "=<", ">", "<"):
        if term.startswith(operator):
            if value is None:
                return False
            difference = _compare(value, term[len(operator) :])
            return {">=": difference >= 0, "<=": difference <= 0, "=<": difference <= 0, ">": difference > 0, "<": difference < 0}[operator]
    if value is None:
        return False
    if isinstance(value, list):
        return any(_term_matches(item, term) for item in value)
    if "*" in term:
        return fnmatch.fnmatchcase(_as_text(value).lower(), term.lower())
    return _compare(value, term) == 0


def matches_filter(obj: Mapping[str, Any], key: str, expressions: Sequence[str]) -> bool:
    """All repeated expressions hold (AND); within one, `|` separates alternatives (OR)."""
    value = lookup(obj, key)
    return all(any(_term_matches(value, term) for term in expression.split("|")) for expression in expressions)


def _int_param(query: Mapping[str, Any], name: str, default: int, low: int, high: int, code: str) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise bad_request(code, f"{name} must be a whole number between {low} and {high}.", {"Parameter": name, "Value": raw}) from None
    if not low <= value <= high:
        raise bad_request(code, f"{name} must be a whole number between {low} and {high}.", {"Parameter": name, "Value": raw})
    return value


def filters_from(query_items: Iterable[tuple[str, str]], rules: ListRules) -> dict[str, list[str]]:
    """The filter part of a query string, refusing keys that are not properties of the model."""
    filters: dict[str, list[str]] = {}
    for key, value in query_items:
        if key in PAGING_PARAMS or key in rules.reserved:
            continue
        if key.split(".", 1)[0] != "xp" and key not in rules.properties:
            raise bad_request(
                "List.InvalidProperty",
                f"{key} is not a valid filter: use a top-level property of the model or xp.<path>.",
                {"Property": key},
            )
        filters.setdefault(key, []).append(value)
    return filters


def field_list(query_items: Sequence[tuple[str, str]], name: str, code: str) -> list[str] | None:
    """The fields of a `searchOn` / `sortBy` given as repeated keys, comma lists, or both; None when absent.

    An empty field (`sortBy=`, `searchOn=ID,`) names nothing that exists: it is refused
    like any other unknown field, rather than read as "not given".
    """
    values = [value for key, value in query_items if key == name]
    if not values:
        return None
    fields = [field.strip() for value in values for field in value.split(",")]
    for field in fields:
        if not field:
            raise bad_request(code, f"{name} has an empty field name: list the fields separated by commas.", {"Parameter": name})
    return fields


def _search(items: list[dict[str, Any]], query: Mapping[str, Any], search_on: list[str] | None, rules: ListRules) -> list[dict[str, Any]]:
    text = (query.get("search") or "").strip()
    fields = list(rules.search_fields)
    if search_on is not None:  # checked even without a search term: a wrong field is a wrong request
        fields = search_on
        for field in fields:
            if field not in rules.search_fields and not field.startswith("xp."):
                raise bad_request("List.InvalidSearchProperty", f"{field} cannot be searched on here.", {"Property": field})
    search_type = query.get("searchType")
    if search_type is not None and rules.search_types and search_type not in rules.search_types:
        raise bad_request(
            "List.InvalidSearchType",
            f"searchType must be one of {', '.join(sorted(rules.search_types))}.",
            {"Parameter": "searchType", "Value": search_type},
        )
    if not text:
        return items
    terms = text.lower().split()
    search_type = search_type or "AnyTerm"

    def hit(obj: dict[str, Any]) -> bool:
        values = [_as_text(v).lower() for v in (lookup(obj, f) for f in fields) if v is not None]
        if search_type == "ExactPhrase":
            return any(text.lower() == v for v in values)
        if search_type == "ExactPhrasePrefix":
            return any(v.startswith(text.lower()) for v in values)
        if search_type == "AllTermsSameField":
            return any(all(term in v for term in terms) for v in values)
        if search_type == "AllTermsAnyField":
            return all(any(term in v for v in values) for term in terms)
        return any(term in v for term in terms for v in values)

    return [obj for obj in items if hit(obj)]


def _sort(items: list[dict[str, Any]], keys: list[str] | None, rules: ListRules) -> list[dict[str, Any]]:
    if not keys:
        return items
    for key in keys:
        name = key.lstrip("!")
        allowed = rules.sort_fields if rules.sort_fields is not None else rules.properties
        if name not in allowed and not name.startswith("xp."):
            raise bad_request("List.InvalidSortProperty", f"{name} is not a valid sort property here.", {"Property": name})
    for key in reversed(keys):  # stable sorts, last key first
        name = key.lstrip("!")
        present = [obj for obj in items if lookup(obj, name) is not None]
        absent = [obj for obj in items if lookup(obj, name) is None]
        present.sort(key=lambda obj: _sort_key(lookup(obj, name)), reverse=key.startswith("!"))
        items = present + absent
    return items


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, _as_text(value).lower())


def list_page(
    items: Iterable[dict[str, Any]],
    query: Any,
    rules: ListRules,
    *,
    facets: bool = False,
) -> dict[str, Any]:
    """Search, filter, sort and page `items` per the query string; the ListPage body."""
    query_items = list(query.multi_items()) if hasattr(query, "multi_items") else list(query.items())
    single = dict(query_items)
    page = _int_param(single, "page", 1, 1, 1_000_000, "List.InvalidPage")
    page_size = _int_param(single, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE, "List.InvalidPageSize")
    search_on = field_list(query_items, "searchOn", "List.InvalidSearchProperty")
    sort_by = field_list(query_items, "sortBy", "List.InvalidSortProperty")
    filters = filters_from(query_items, rules)
    selected = [obj for obj in items if all(matches_filter(obj, key, exprs) for key, exprs in filters.items())] if filters else list(items)
    selected = _sort(_search(selected, single, search_on, rules), sort_by, rules)
    return page_of(selected, page, page_size, facets=facets)


def page_of(items: list[dict[str, Any]], page: int, page_size: int, *, facets: bool = False) -> dict[str, Any]:
    total = len(items)
    start = (page - 1) * page_size
    window = items[start : start + page_size]
    meta: dict[str, Any] = {
        "Page": page,
        "PageSize": page_size,
        "TotalCount": total,
        "TotalPages": math.ceil(total / page_size),
        "ItemRange": [start + 1, start + len(window)],
        "NextPageKey": None,
    }
    if facets:
        meta["Facets"] = []
    return {"Meta": meta, "Items": window}
