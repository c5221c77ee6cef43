"""The OpenAPI document: loaded once, corrected by the overlay, and indexed.

Both the embedded sandbox and the contract suite read the spec through this
module, so they always agree on what OrderCloud is supposed to do.

The overlay (`data/overlay.json`) is a list of corrections, each with the
reason it exists; `apply_overlay` knows one small function per kind of
correction.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

import httpx

OVERLAY_PATH = Path(__file__).parent / "data" / "overlay.json"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
#: The phrase that marks /me sub-resources other user types may not use, whatever their roles.
BUYER_USERS_ONLY = "only available to buyer users"


class SpecError(Exception):
    """The OpenAPI document cannot be loaded or is not an OpenAPI 3 document."""


@dataclass(frozen=True)
class Operation:
    """One operation of the document, with what the harness needs to know about it."""

    method: str  # upper case
    path: str  # template, e.g. /buyers/{buyerID}/users/{userID}
    operation_id: str
    roles: tuple[str, ...]  # any one suffices; empty = any valid token
    success_status: int
    parameters: tuple[dict[str, Any], ...]
    request_schema: dict[str, Any] | None  # resolved (no $ref), None without body
    response_schema: dict[str, Any] | None  # resolved, None for 204
    description: str = ""
    tags: tuple[str, ...] = ()
    body_required: bool = False

    @property
    def resource(self) -> str:
        """The operationId prefix, e.g. "Products" in "Products.Get"."""
        return self.operation_id.split(".", 1)[0]

    @property
    def verb(self) -> str:
        """The operationId suffix, e.g. "ListAssignments"."""
        return self.operation_id.split(".", 1)[1]

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(re.findall(r"{(\w+)}", self.path))

    def query_params(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.parameters if p["in"] == "query"}

    @property
    def buyer_users_only(self) -> bool:
        """True for /me sub-resources documented as "Only available to Buyer Users"."""
        return BUYER_USERS_ONLY in self.description.lower()


@dataclass
class Spec:
    document: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)

    @property
    def version(self) -> str:
        return str(self.document.get("info", {}).get("version", "unknown"))

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def schema(self, name: str) -> dict[str, Any]:
        """A component schema with every $ref resolved."""
        return resolve(self.document, self.document["components"]["schemas"][name])

    def all_roles(self) -> set[str]:
        return {role for op in self.operations for role in op.roles}


# -- loading ----------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def load_document(location: str) -> dict[str, Any]:
    """Read the raw document from a file path or an http(s) URL (cached per location)."""
    try:
        if urlparse(location).scheme in ("http", "https"):
            response = httpx.get(location, timeout=30, follow_redirects=True)
            response.raise_for_status()
            document = response.json()
        else:
            document = json.loads(Path(location).read_text(encoding="utf-8"))
    except (OSError, httpx.HTTPError) as exc:
        raise SpecError(f"cannot load the OpenAPI document from {location}: {exc}") from None
    except ValueError as exc:
        raise SpecError(f"{location} is not JSON: {exc}") from None
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3"):
        raise SpecError(f"{location} is not an OpenAPI 3 document (no 'openapi: 3.x' field)")
    return document


@functools.lru_cache(maxsize=8)
def load_spec(location: str) -> Spec:
    """The overlaid, indexed spec for a location (cached: treat it as read-only)."""
    document = apply_overlay(load_document(location), load_overlay())
    return Spec(document=document, operations=_index_operations(document))


def load_overlay(path: Path = OVERLAY_PATH) -> list[dict[str, Any]]:
    corrections = json.loads(path.read_text(encoding="utf-8"))["corrections"]
    for entry in corrections:
        if not entry.get("reason"):
            raise SpecError(f"overlay entry {entry.get('id')!r} has no reason; every correction must say why")
    return corrections


# -- the overlay ---------------------------------------------------------------


def apply_overlay(document: dict[str, Any], corrections: list[dict[str, Any]]) -> dict[str, Any]:
    """A corrected deep copy of the document."""
    document = copy.deepcopy(document)
    for entry in corrections:
        _CORRECTIONS[entry["kind"]](document, entry)
    return document


def _rename_path(document: dict[str, Any], entry: dict[str, Any]) -> None:
    paths = document["paths"]
    if entry["from"] in paths:
        paths[entry["to"]] = paths.pop(entry["from"])


def _nullable_properties(document: dict[str, Any], entry: dict[str, Any]) -> None:
    keep = set(entry.get("except", []))
    for name, schema in document["components"]["schemas"].items():
        for prop_name, prop in schema.get("properties", {}).items():
            if f"{name}.{prop_name}" not in keep:
                prop["nullable"] = True


def _add_responses(document: dict[str, Any], entry: dict[str, Any]) -> None:
    document["components"]["schemas"].update(entry.get("schemas", {}))
    for operation in _each_operation(document):
        for status, response in entry["responses"].items():
            if status == "403" and not _security_roles(operation) and not _buyer_users_only(operation):
                continue  # nothing to be forbidden from: any valid token may call it
            operation["responses"].setdefault(status, copy.deepcopy(response))


def _bound_list_parameters(document: dict[str, Any], entry: dict[str, Any]) -> None:
    for operation in _each_operation(document):
        for parameter in operation.get("parameters", []):
            bounds = entry["parameters"].get(parameter["name"])
            if parameter["in"] == "query" and bounds:
                parameter["schema"].update(bounds)


def _filters_as_known_properties(document: dict[str, Any], entry: dict[str, Any]) -> None:
    """Turn the free-form `filters` object into one optional string per filterable property."""
    for operation in _each_operation(document):
        parameters = operation.get("parameters", [])
        filters = next((p for p in parameters if p["name"] == "filters" and p["in"] == "query"), None)
        if filters is None:
            continue
        item = _list_item_schema(document, operation)
        scalar = [
            name
            for name, prop in (item or {}).get("properties", {}).items()
            if prop.get("type") in ("string", "integer", "number", "boolean")
        ]
        filters["schema"] = {
            "type": "object",
            "properties": {name: {"type": "string", "pattern": entry["value_pattern"]} for name in scalar},
            "additionalProperties": False,
        }
        filters["style"] = "form"
        filters["explode"] = True


def _optional_parameters(document: dict[str, Any], entry: dict[str, Any]) -> None:
    wanted = {(item["operationId"], item["parameter"]) for item in entry["parameters"]}
    for operation in _each_operation(document):
        for parameter in operation.get("parameters", []):
            if (operation.get("operationId"), parameter.get("name")) in wanted:
                parameter["required"] = False


def _add_operations(document: dict[str, Any], entry: dict[str, Any]) -> None:
    for added in entry["operations"]:
        document["paths"].setdefault(added["path"], {}).setdefault(added["method"], copy.deepcopy(added["operation"]))


_CORRECTIONS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "rename_path": _rename_path,
    "nullable_properties": _nullable_properties,
    "add_responses": _add_responses,
    "bound_list_parameters": _bound_list_parameters,
    "filters_as_known_properties": _filters_as_known_properties,
    "add_operations": _add_operations,
    "optional_parameters": _optional_parameters,
}


# -- indexing and resolving ----------------------------------------------------


def _each_operation(document: dict[str, Any]):
    for path_item in document["paths"].values():
        for method in HTTP_METHODS:
            if method in path_item:
                yield path_item[method]


def _security_roles(operation: dict[str, Any]) -> tuple[str, ...]:
    roles: list[str] = []
    for requirement in operation.get("security", []):
        for scopes in requirement.values():
            roles.extend(scopes)
    return tuple(roles)


def _buyer_users_only(operation: dict[str, Any]) -> bool:
    return BUYER_USERS_ONLY in (operation.get("description") or operation.get("summary") or "").lower()


def _list_item_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    schema = _success_schema(document, operation)
    items = (schema or {}).get("properties", {}).get("Items")
    return items.get("items") if items else None


def _success_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            content = response.get("content", {}).get("application/json")
            return resolve(document, content["schema"]) if content else None
    return None


def _index_operations(document: dict[str, Any]) -> list[Operation]:
    operations = []
    for path, path_item in document["paths"].items():
        for method in HTTP_METHODS:
            if method not in path_item:
                continue
            raw = path_item[method]
            body = raw.get("requestBody", {}).get("content", {}).get("application/json")
            status = next(int(s) for s in raw["responses"] if s.startswith("2"))
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    operation_id=raw["operationId"],
                    roles=_security_roles(raw),
                    success_status=status,
                    parameters=tuple(resolve(document, p) for p in raw.get("parameters", [])),
                    request_schema=resolve(document, body["schema"]) if body else None,
                    response_schema=_success_schema(document, raw),
                    description=raw.get("description", "") or raw.get("summary", ""),
                    tags=tuple(raw.get("tags", [])),
                    body_required=bool(raw.get("requestBody", {}).get("required")),
                )
            )
    return operations


def resolve(document: dict[str, Any], schema: Any, _depth: int = 0) -> Any:
    """A copy of `schema` with every local $ref inlined and `allOf` of one member flattened."""
    if _depth > 20:
        return {}
    if isinstance(schema, list):
        return [resolve(document, item, _depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        merged = {**resolve(document, target, _depth + 1), **{k: v for k, v in schema.items() if k != "$ref"}}
        if schema["$ref"].startswith("#/components/schemas/"):
            merged.setdefault("title", schema["$ref"].rsplit("/", 1)[1])
        return merged
    resolved = {key: resolve(document, value, _depth + 1) for key, value in schema.items()}
    if "allOf" in resolved:
        members = resolved.pop("allOf")
        base: dict[str, Any] = {}
        for member in members:
            base = {**base, **member, "properties": {**base.get("properties", {}), **member.get("properties", {})}}
        if not base["properties"]:
            base.pop("properties")
        resolved = {**base, **resolved}
    return resolved
