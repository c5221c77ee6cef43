"""The OpenAPI document ocgate tests and serves: read, normalized, corrected by the overlay, indexed.

The embedded sandbox, the contract gate, the scenarios and load all read the spec through
`load_spec`, so they always agree on what OrderCloud is supposed to do. A document passes
three steps: `sources` reads it (a built-in document, a file or a URL), `normalize` reduces it
to facts (no prose), `overlay` applies ocgate's documented corrections; `_index_operations`
then gives each operation what the harness needs to know about it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .document import HTTP_METHODS, buyer_users_only, each_operation, resolve, security_roles, success_schema
from .errors import SpecError
from .normalize import normalize
from .overlay import apply_overlay, load_overlay
from .sources import DEFAULT_BUILTIN, LIVE_URL, Pinned, is_builtin, is_url, load_document, pin

__all__ = [
    "DEFAULT_BUILTIN", "HTTP_METHODS", "LIVE_URL", "Operation", "Pinned", "Spec", "SpecError", "apply_overlay",
    "is_builtin", "is_url", "load_document", "load_overlay", "load_spec", "normalize", "pin", "resolve",
]


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
    tags: tuple[str, ...] = ()
    body_required: bool = False
    #: /me sub-resources documented as "Only available to Buyer Users"
    buyer_users_only: bool = False

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


@functools.lru_cache(maxsize=8)
def load_spec(location: str) -> Spec:
    """The normalized, overlaid, indexed spec for a location (cached: treat it as read-only)."""
    document = apply_overlay(normalize(load_document(location)), load_overlay())
    return Spec(document=document, operations=_index_operations(document))


def _index_operations(document: dict[str, Any]) -> list[Operation]:
    operations = []
    for path, method, raw in each_operation(document):
        body = raw.get("requestBody", {}).get("content", {}).get("application/json")
        operations.append(
            Operation(
                method=method.upper(),
                path=path,
                operation_id=raw["operationId"],
                roles=security_roles(raw),
                success_status=next(int(s) for s in raw["responses"] if s.startswith("2")),
                parameters=tuple(resolve(document, p) for p in raw.get("parameters", [])),
                request_schema=resolve(document, body["schema"]) if body else None,
                response_schema=success_schema(document, raw),
                tags=tuple(raw.get("tags", [])),
                body_required=bool(raw.get("requestBody", {}).get("required")),
                buyer_users_only=buyer_users_only(raw),
            )
        )
    return operations
