"""The overlay: documented corrections applied on top of every OpenAPI document ocgate reads.

`data/overlay.json` is a list of corrections, each with the reason it exists (a defect of the
pinned document, or a behaviour OrderCloud documents elsewhere); `apply_overlay` knows one
small function per kind of correction. A correction that finds nothing to correct does nothing,
so the same overlay applies to the pinned document, a team's pin and the live one.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

from .document import buyer_users_only, each_operation, list_item_schema, security_roles
from .errors import SpecError

OVERLAY_PATH = Path(__file__).resolve().parent.parent / "data" / "overlay.json"


def load_overlay(path: Path = OVERLAY_PATH) -> list[dict[str, Any]]:
    corrections = json.loads(path.read_text(encoding="utf-8"))["corrections"]
    for entry in corrections:
        if not entry.get("reason"):
            raise SpecError(f"overlay entry {entry.get('id')!r} has no reason; every correction must say why")
    return corrections


def apply_overlay(document: dict[str, Any], corrections: list[dict[str, Any]]) -> dict[str, Any]:
    """A corrected deep copy of the document."""
    document = copy.deepcopy(document)
    for entry in corrections:
        _CORRECTIONS[entry["kind"]](document, entry)
    return document


def _operations(document: dict[str, Any]):
    return (operation for _, _, operation in each_operation(document))


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
    for operation in _operations(document):
        for status, response in entry["responses"].items():
            if status == "403" and not security_roles(operation) and not buyer_users_only(operation):
                continue  # nothing to be forbidden from: any valid token may call it
            operation["responses"].setdefault(status, copy.deepcopy(response))


def _bound_list_parameters(document: dict[str, Any], entry: dict[str, Any]) -> None:
    for operation in _operations(document):
        for parameter in operation.get("parameters", []):
            bounds = entry["parameters"].get(parameter["name"])
            if parameter["in"] == "query" and bounds:
                parameter["schema"].update(bounds)


def _filters_as_known_properties(document: dict[str, Any], entry: dict[str, Any]) -> None:
    """Turn the free-form `filters` object into one optional string per filterable property."""
    for operation in _operations(document):
        parameters = operation.get("parameters", [])
        filters = next((p for p in parameters if p["name"] == "filters" and p["in"] == "query"), None)
        if filters is None:
            continue
        item = list_item_schema(document, operation)
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
    for operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if (operation.get("operationId"), parameter.get("name")) in wanted:
                parameter["required"] = False


def _add_operations(document: dict[str, Any], entry: dict[str, Any]) -> None:
    for added in entry["operations"]:
        document["paths"].setdefault(added["path"], {}).setdefault(added["method"], copy.deepcopy(added["operation"]))


def _operation_roles(document: dict[str, Any], entry: dict[str, Any]) -> None:
    """Roles for operations whose document states none: documented elsewhere (`source`) or `inferred` (`reason`).

    An operation the document lacks, or whose document states its roles, is left alone: the
    published roles win over ours.
    """
    for operation in _operations(document):
        given = entry["operations"].get(operation.get("operationId"))
        if given is not None and "security" not in operation:
            operation["security"] = [{"OAuth2": list(given["roles"])}]


_CORRECTIONS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "rename_path": _rename_path,
    "nullable_properties": _nullable_properties,
    "add_responses": _add_responses,
    "bound_list_parameters": _bound_list_parameters,
    "filters_as_known_properties": _filters_as_known_properties,
    "add_operations": _add_operations,
    "optional_parameters": _optional_parameters,
    "operation_roles": _operation_roles,
}
