"""Turning request bodies into stored objects, driven by the spec's schemas.

OrderCloud returns every property of a model, null where unset; read-only
properties are computed by the server and ignored on write; PATCH merges
deeply (xp included). These rules hold for every resource, so they live here
once instead of in each handler.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import jsonschema_rs

from .errors import bad_request
from .store import new_id, utc_now


def default_for(prop: dict[str, Any]) -> Any:
    """What OrderCloud shows for an unset property: C# value types have a value, the rest are null."""
    if "default" in prop:
        return copy.deepcopy(prop["default"])
    if prop.get("type") == "boolean":
        return False
    if prop.get("type") == "integer" and prop.get("readOnly"):
        return 0
    return None


def as_utc(value: str) -> str:
    """An ISO 8601 date-time in UTC, as OrderCloud returns dates whatever offset was sent; 400 otherwise."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")  # 4-digit year even before 1000
    except (ValueError, OverflowError):
        raise bad_request("ValidationFailure", f"{value!r} is not an ISO 8601 date-time.", {"Value": value}) from None


def parse_time(text: Any) -> datetime | None:
    """An ISO 8601 date (naive ones are UTC); None when unset or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def shape(schema: dict[str, Any], value: Any, previous: Any = None) -> Any:
    """A value laid out per its schema: objects get every property, read-only ones kept from before."""
    if value is None:
        return None
    if schema.get("format") == "date-time" and isinstance(value, str):
        return as_utc(value)
    if schema.get("properties") and isinstance(value, dict):
        return materialize(schema, value, previous if isinstance(previous, dict) else None)
    if schema.get("type") == "array" and isinstance(value, list) and schema.get("items", {}).get("properties"):
        return [shape(schema["items"], item) for item in value]
    return copy.deepcopy(value)


def materialize(schema: dict[str, Any], body: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """A complete object from a (validated) body; `previous` supplies read-only and server-set values."""
    obj: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        if prop.get("readOnly") and name != "ID":
            obj[name] = copy.deepcopy(previous[name]) if previous and name in previous else default_for(prop)
        elif name in body:
            obj[name] = shape(prop, body[name], (previous or {}).get(name))
        else:
            obj[name] = default_for(prop)
        if prop.get("format") == "password":
            obj[name] = None  # write-only: kept by the credential store, never echoed
    return obj


def stamp(obj: dict[str, Any], created: bool) -> dict[str, Any]:
    """Set the ISO 8601 UTC timestamps the model has."""
    now = utc_now()
    if "DateCreated" in obj and (created or not obj["DateCreated"]):
        obj["DateCreated"] = now
    if "LastUpdated" in obj:
        obj["LastUpdated"] = now
    return obj


def ensure_id(body: dict[str, Any]) -> str:
    if not body.get("ID"):
        body["ID"] = new_id()
    return body["ID"]


def deep_merge(base: Any, patch: Any) -> Any:
    """PATCH semantics: objects merge key by key (recursively); anything else replaces."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = deep_merge(base.get(key), value)
        return merged
    return copy.deepcopy(patch)


# -- validation ----------------------------------------------------------------


#: The ranges of the spec's integer formats.
INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _writable(schema: Any, required: bool) -> Any:
    """A JSON Schema for request validation: no read-only properties, `nullable` as a null type."""
    if isinstance(schema, list):
        return [_writable(item, True) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("example", "description", "readOnly", "nullable", "format"):
            continue
        if key == "properties":
            value = {name: _writable(prop, True) for name, prop in value.items() if not prop.get("readOnly")}
        elif key == "required" and not required:
            continue
        elif isinstance(value, (dict, list)):
            value = _writable(value, True)
        out[key] = value
    if schema.get("type") == "integer" and schema.get("format") in INTEGER_RANGES:
        # OrderCloud's integers are .NET int/long: a value beyond the type's range is refused.
        low, high = INTEGER_RANGES[schema["format"]]
        out["minimum"], out["maximum"] = max(out.get("minimum", low), low), min(out.get("maximum", high), high)
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


_validators: dict[tuple[int, bool], tuple[dict[str, Any], Any]] = {}


def _validator(schema: dict[str, Any], partial: bool) -> Any:
    """Compiled once per schema object (the spec's schemas live as long as the process)."""
    key = (id(schema), partial)
    cached = _validators.get(key)
    if cached is None or cached[0] is not schema:
        cached = (schema, jsonschema_rs.validator_for(_writable(schema, required=not partial)))
        _validators[key] = cached
    return cached[1]


def require_values(schema: dict[str, Any], body: dict[str, Any], *, model: str) -> None:
    """400 when a required field is sent as null (nullable only means "may be unset" in answers),
    or a required reference as an empty ID, which names nothing."""
    missing = [name for name in schema.get("required", []) if body.get(name) is None or (name.endswith("ID") and body.get(name) == "")]
    if missing:
        raise bad_request("ValidationFailure", f"{model}.{missing[0]}: is required.", {"Property": missing[0], "Reason": "required"})


def validate(schema: dict[str, Any], body: Any, *, model: str, partial: bool = False) -> None:
    """400 ValidationFailure naming the first offending property; `partial` skips required (PATCH)."""
    if not isinstance(body, dict):
        raise bad_request("ValidationFailure", f"{model}: the request body must be a JSON object.")
    if body.get("ID") is not None and not isinstance(body["ID"], str):
        # Even where ID is read-only (e.g. ApiClient), a non-string ID is malformed, not ignorable.
        raise bad_request("ValidationFailure", f"{model}.ID: must be a string.", {"Property": "ID", "Reason": "must be a string"})
    validator = _validator(schema, partial)
    for error in validator.iter_errors(body):
        where = ".".join(str(part) for part in error.instance_path) or model
        raise bad_request(
            "ValidationFailure",
            f"{model}.{where}: {error.message}" if where != model else f"{model}: {error.message}",
            {"Property": where, "Reason": error.message},
        )


# -- query parameters ----------------------------------------------------------------

#: List parameters, which listing.py checks with OrderCloud's List.* error codes.
LIST_PARAMETERS = frozenset({"page", "pageSize", "search", "searchOn", "searchType", "sortBy", "filters"})


@dataclass(frozen=True)
class QueryRule:
    name: str
    required: bool
    kind: str | None  # integer | number | boolean | string
    choices: tuple[str, ...]

    @property
    def is_free_text(self) -> bool:
        return not self.choices and self.kind in (None, "string")


def query_rules(parameters: Iterable[dict[str, Any]]) -> tuple[QueryRule, ...]:
    """What an operation's own query parameters must look like (list parameters excepted)."""
    return tuple(
        QueryRule(p["name"], bool(p.get("required")), p.get("schema", {}).get("type"), tuple(p.get("schema", {}).get("enum") or ()))
        for p in parameters
        if p["in"] == "query" and p["name"] not in LIST_PARAMETERS
    )


def check_query(rules: tuple[QueryRule, ...], query: Mapping[str, str]) -> None:
    """400 InvalidRequest for a missing required parameter, or a value not of its type or enum.

    An empty value (`?level=`) is "not given" only for a free-text parameter: for an enum,
    number or boolean it is a value, and not one the parameter allows.
    """
    for rule in rules:
        value = query.get(rule.name)
        if value is None or (value == "" and rule.is_free_text):
            if rule.required:
                raise bad_request("InvalidRequest", f"The query parameter {rule.name} is required.", {"Parameter": rule.name})
            continue
        if not _fits(rule, value):
            expected = ", ".join(rule.choices) if rule.choices else f"a {rule.kind}"
            raise bad_request("InvalidRequest", f"{rule.name} must be {expected}.", {"Parameter": rule.name, "Value": value})


def _fits(rule: QueryRule, value: str) -> bool:
    if rule.choices:
        return value in rule.choices
    if rule.kind == "boolean":
        return value.lower() in ("true", "false")
    if rule.kind in ("integer", "number"):
        try:
            int(value) if rule.kind == "integer" else float(value)
        except ValueError:
            return False
    return True
