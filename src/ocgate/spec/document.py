"""Reading a raw OpenAPI 3 document: its operations, their roles, and schemas with `$ref`s inlined.

These helpers work on the plain JSON dictionary, before or after normalizing and the overlay,
so every layer of `ocgate.spec` reads a document the same way.
"""

from __future__ import annotations

from typing import Any, Iterator

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
#: The phrase OrderCloud's descriptions use for /me sub-resources other user types may not use.
BUYER_USERS_ONLY_PHRASE = "only available to buyer users"
#: The same fact in ocgate's normalized documents, which carry no prose.
BUYER_USERS_ONLY = "x-ocgate-buyer-users-only"


def each_operation(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation, in document order."""
    for path, path_item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in path_item:
                yield path, method, path_item[method]


def security_roles(operation: dict[str, Any]) -> tuple[str, ...]:
    """The roles of `security: [{"OAuth2": [...]}]`; any one suffices, none means any valid token."""
    roles: list[str] = []
    for requirement in operation.get("security", []):
        for scopes in requirement.values():
            roles.extend(scopes)
    return tuple(roles)


def buyer_users_only(operation: dict[str, Any]) -> bool:
    """True for operations documented as "Only available to Buyer Users", in prose or normalized."""
    prose = (operation.get("description") or operation.get("summary") or "").lower()
    return bool(operation.get(BUYER_USERS_ONLY)) or BUYER_USERS_ONLY_PHRASE in prose


def success_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    """The resolved JSON schema of the first 2xx response, None when it has no body."""
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            content = response.get("content", {}).get("application/json")
            return resolve(document, content["schema"]) if content else None
    return None


def list_item_schema(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of `Items[]` for list operations, None for the others."""
    schema = success_schema(document, operation)
    items = (schema or {}).get("properties", {}).get("Items")
    return items.get("items") if items else None


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
