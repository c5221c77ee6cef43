"""ocgate's normalized, facts-only form of an OpenAPI 3 document.

Kept: paths, methods, operationIds, tags, parameters, request bodies, responses, component
schemas with every validation keyword, security schemes and each operation's `security` roles.
Dropped: prose (descriptions, summaries, examples, external docs, contact) and vendor
extensions, which carry no contract. The one fact OrderCloud states only in prose, "Only
available to Buyer Users" on /me sub-resources, is kept as `x-ocgate-buyer-users-only`.
A response keeps an empty `description` because OpenAPI 3 requires the field.

Normalizing is idempotent, so every document ocgate reads goes through it: the built-in ones
(produced by `ocgate spec pin`), a team's pin, and the live document.
"""

from __future__ import annotations

from typing import Any

from .document import BUYER_USERS_ONLY, buyer_users_only, each_operation

#: Keys that carry prose, not contract, wherever they appear.
PROSE = frozenset({"description", "summary", "example", "examples", "externalDocs", "contact", "termsOfService"})
#: Keys whose values map names (of properties, paths, statuses, media types, ...) to objects:
#: the names are data, never keywords, so a property called "description" survives.
NAME_MAPS = frozenset(
    {"paths", "properties", "patternProperties", "schemas", "responses", "content", "securitySchemes", "flows",
     "parameters", "requestBodies", "headers", "variables", "encoding", "links", "callbacks"}
)
#: Values taken as they are: literal data, not schema.
LITERALS = frozenset({"enum", "default", "const", "required", "mapping"})
OWN_EXTENSION = "x-ocgate-"


def normalize(document: dict[str, Any]) -> dict[str, Any]:
    """A facts-only copy of `document` (which is not changed)."""
    marked = _mark_buyer_users_only(document)
    facts = _strip(document)
    for path, method in marked:
        facts["paths"][path][method][BUYER_USERS_ONLY] = True
    facts["info"] = {key: document["info"][key] for key in ("title", "version", "license") if key in document.get("info", {})}
    facts["servers"] = [{"url": server["url"]} for server in document.get("servers", []) if "url" in server]
    for scheme in facts.get("components", {}).get("securitySchemes", {}).values():
        for flow in scheme.get("flows", {}).values():
            flow["scopes"] = dict.fromkeys(flow.get("scopes", {}), "")
    for _, _, operation in each_operation(facts):
        for response in operation.get("responses", {}).values():
            response.setdefault("description", "")
    return facts


def _mark_buyer_users_only(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(path, method) for path, method, operation in each_operation(document) if buyer_users_only(operation)]


def _strip(node: Any, names: bool = False) -> Any:
    """`node` without prose keys; under a NAME_MAPS key the keys are names and all stay."""
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {name: _strip(value) for name, value in node.items()}
    kept: dict[str, Any] = {}
    for key, value in node.items():
        if key in PROSE or (key.startswith("x-") and not key.startswith(OWN_EXTENSION)):
            continue
        if key in LITERALS:
            kept[key] = value
        else:
            kept[key] = _strip(value, names=key in NAME_MAPS and isinstance(value, dict))
    return kept
