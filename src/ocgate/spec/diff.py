"""What changed between two OrderCloud OpenAPI 3 documents, and which changes break callers.

Operations are matched by `operationId` (OrderCloud's SDKs name their methods after it, e.g.
`Buyers.Create`), falling back to "METHOD path" for an operation without one. For each pair:

* the endpoint: a new method or path for the same operationId breaks every caller's URL; a
  renamed `{placeholder}` does not (the URL is the same), nor does the leading "/" that the
  1.0.260 document lacks on `oauth/certs/{ID}` (OpenAPI requires it; the API always had it);
* access: `security: [{"OAuth2": [roles]}]` lists roles of which any one suffices (an empty
  list: any valid token). A role taken away means callers holding only that role now get 403;
  a role added only lets more callers in. "Only available to Buyer Users" (prose, or the
  normalized `x-ocgate-buyer-users-only`) shuts out admin and supplier users whatever their roles;
* the success status: SDKs and clients check for the documented 2xx;
* the request (parameters and JSON body): a caller keeps sending what the old document allowed,
  so a new required parameter or field, a narrower type, enum or length limit, or a removed
  parameter or field (the server stops honouring what is sent) breaks it; relaxations do not.
  `readOnly` properties are not part of a request (OpenAPI 3.0), so a field turning read-only
  is a field removed from the request;
* the response (the first 2xx JSON body): a caller reads what the old document promised, so a
  removed field or a changed type breaks it; added fields and enum values are listed as harmless
  (OrderCloud adds fields and statuses in minor releases; tolerant readers ignore them).
  `writeOnly` properties are never returned, so they are not part of a response.

Schemas are compared after `$ref`s are inlined, so a change to a component shows on every
operation that uses it, under dotted field names (`Order.ShippingAddress.Zip`, `Items[].ID`).
Descriptions, examples, `format` and `nullable` are not compared: they change no wire contract
ocgate checks (every property is nullable in practice, see the overlay). Component schemas
themselves are only compared by name: generated SDKs lose a model whose schema disappears.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .document import buyer_users_only, each_operation, resolve, security_roles, success_schema
from .errors import SpecError

#: Nested fields compared below a body's root; deeper changes are not reported.
MAX_DEPTH = 10
PLACEHOLDER = re.compile(r"{([^}]*)}")


class Kind(StrEnum):
    """Every kind of change the diff reports."""

    OPERATION_ADDED = "operation added"
    OPERATION_REMOVED = "operation removed"
    OPERATION_RENAMED = "operationId changed"
    PATH_CHANGED = "path changed"
    ROLES_ADDED = "roles added"
    ROLES_REMOVED = "roles removed"
    ROLES_NOW_REQUIRED = "roles now required"
    ROLES_NO_LONGER_REQUIRED = "roles no longer required"
    BUYER_USERS_ONLY = "now only for buyer users"
    NOT_BUYER_USERS_ONLY = "no longer only for buyer users"
    SUCCESS_STATUS_CHANGED = "success status changed"
    PARAMETER_REQUIRED_ADDED = "new required parameter"
    PARAMETER_OPTIONAL_ADDED = "optional parameter added"
    PARAMETER_REMOVED = "parameter removed"
    PARAMETER_BECAME_REQUIRED = "parameter became required"
    PARAMETER_BECAME_OPTIONAL = "parameter became optional"
    REQUEST_BODY_REQUIRED = "request body now required"
    REQUEST_BODY_OPTIONAL = "request body now optional"
    REQUEST_BODY_REMOVED = "request body removed"
    REQUEST_FIELD_REQUIRED_ADDED = "request: new required field"
    REQUEST_FIELD_BECAME_REQUIRED = "request: field became required"
    REQUEST_FIELD_BECAME_OPTIONAL = "request: field became optional"
    REQUEST_FIELD_OPTIONAL_ADDED = "request: optional field added"
    REQUEST_FIELD_REMOVED = "request: field removed"
    REQUEST_TYPE_CHANGED = "request: type changed"
    REQUEST_ENUM_NARROWED = "request: enum narrowed"
    REQUEST_ENUM_WIDENED = "request: enum widened"
    REQUEST_LIMIT_TIGHTENED = "request: limit tightened"
    REQUEST_LIMIT_RELAXED = "request: limit relaxed"
    RESPONSE_BODY_ADDED = "response body added"
    RESPONSE_BODY_REMOVED = "response body removed"
    RESPONSE_FIELD_ADDED = "response: field added"
    RESPONSE_FIELD_REMOVED = "response: field removed"
    RESPONSE_TYPE_CHANGED = "response: type changed"
    RESPONSE_ENUM_WIDENED = "response: enum widened"
    RESPONSE_ENUM_NARROWED = "response: enum narrowed"
    SCHEMA_ADDED = "schema added"
    SCHEMA_REMOVED = "schema removed"


#: Whether each kind breaks an existing caller (or a program built on a generated SDK).
BREAKING: dict[Kind, bool] = {
    Kind.OPERATION_ADDED: False,
    Kind.OPERATION_REMOVED: True,
    Kind.OPERATION_RENAMED: True,  # SDK method names follow the operationId
    Kind.PATH_CHANGED: True,
    Kind.ROLES_ADDED: False,
    Kind.ROLES_REMOVED: True,  # callers with only that role now get 403
    Kind.ROLES_NOW_REQUIRED: True,
    Kind.ROLES_NO_LONGER_REQUIRED: False,
    Kind.BUYER_USERS_ONLY: True,
    Kind.NOT_BUYER_USERS_ONLY: False,
    Kind.SUCCESS_STATUS_CHANGED: True,
    Kind.PARAMETER_REQUIRED_ADDED: True,
    Kind.PARAMETER_OPTIONAL_ADDED: False,
    Kind.PARAMETER_REMOVED: True,
    Kind.PARAMETER_BECAME_REQUIRED: True,
    Kind.PARAMETER_BECAME_OPTIONAL: False,
    Kind.REQUEST_BODY_REQUIRED: True,
    Kind.REQUEST_BODY_OPTIONAL: False,
    Kind.REQUEST_BODY_REMOVED: True,
    Kind.REQUEST_FIELD_REQUIRED_ADDED: True,
    Kind.REQUEST_FIELD_BECAME_REQUIRED: True,
    Kind.REQUEST_FIELD_BECAME_OPTIONAL: False,
    Kind.REQUEST_FIELD_OPTIONAL_ADDED: False,
    Kind.REQUEST_FIELD_REMOVED: True,
    Kind.REQUEST_TYPE_CHANGED: True,
    Kind.REQUEST_ENUM_NARROWED: True,
    Kind.REQUEST_ENUM_WIDENED: False,
    Kind.REQUEST_LIMIT_TIGHTENED: True,
    Kind.REQUEST_LIMIT_RELAXED: False,
    Kind.RESPONSE_BODY_ADDED: False,
    Kind.RESPONSE_BODY_REMOVED: True,
    Kind.RESPONSE_FIELD_ADDED: False,
    Kind.RESPONSE_FIELD_REMOVED: True,
    Kind.RESPONSE_TYPE_CHANGED: True,
    Kind.RESPONSE_ENUM_WIDENED: False,  # tolerant readers cope; listed so clients can check
    Kind.RESPONSE_ENUM_NARROWED: False,
    Kind.SCHEMA_ADDED: False,
    Kind.SCHEMA_REMOVED: True,  # generated SDKs lose the model
}


# -- the result --------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change: its kind, the operation (or "components") it concerns, and what changed."""

    kind: str
    operation: str
    detail: str
    breaking: bool

    def sort_key(self) -> tuple[bool, str, str, str]:
        """Breaking changes first, then by operation, kind and detail."""
        return (not self.breaking, self.operation, self.kind, self.detail)

    def to_json(self) -> dict[str, Any]:
        """The change as plain JSON values."""
        return {"kind": str(self.kind), "operation": self.operation, "detail": self.detail, "breaking": self.breaking}


@dataclass
class SpecDiff:
    """All changes from one document to another, breaking ones first."""

    changes: list[Change] = field(default_factory=list)
    old_version: str = "unknown"
    new_version: str = "unknown"

    @property
    def breaking(self) -> bool:
        """True when any change breaks existing callers: `ocgate spec diff` then exits 1."""
        return any(change.breaking for change in self.changes)

    def counts(self) -> tuple[int, int]:
        """(breaking, harmless) numbers of changes."""
        broken = sum(change.breaking for change in self.changes)
        return broken, len(self.changes) - broken

    def summary(self) -> str:
        """One line: how many changes of each sort, between which versions."""
        between = f"between {self.old_version} and {self.new_version}"
        if not self.changes:
            return f"no changes {between}"
        broken, harmless = self.counts()
        return f"{broken} breaking, {harmless} harmless changes {between}"

    def to_json(self) -> dict[str, Any]:
        """A stable, sorted form for machines."""
        broken, harmless = self.counts()
        changes = sorted(self.changes, key=Change.sort_key)
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "breaking": self.breaking,
            "counts": {
                "breaking": broken,
                "harmless": harmless,
                "by_kind": dict(sorted(Counter(str(change.kind) for change in changes).items())),
            },
            "changes": [change.to_json() for change in changes],
        }

    def render(self, console: Console) -> None:
        """A table of the changes, breaking ones first, and the one-line total."""
        if self.changes:
            table = Table(title=f"OpenAPI changes {self.old_version} -> {self.new_version}", title_justify="left")
            for column in ("", "change", "operation", "detail"):
                table.add_column(column)
            for change in sorted(self.changes, key=Change.sort_key):
                mark = Text("breaking", style="bold red") if change.breaking else Text("harmless", style="green")
                # Text, not str: details such as "Items[].ID" must not be read as rich markup
                table.add_row(mark, Text(str(change.kind)), Text(change.operation), Text(change.detail))
            console.print(table)
        console.print(Text(self.summary(), style="bold red" if self.breaking else "bold"))


# -- one operation, as the diff sees it -------------------------------------------------


@dataclass(frozen=True)
class _Operation:
    """An operation with its schemas resolved: everything the rules compare."""

    key: str
    method: str
    path: str
    roles: frozenset[str]
    buyer_users_only: bool
    success: tuple[str, ...]
    parameters: dict[str, tuple[str, dict[str, Any]]]  # key -> (label, resolved parameter)
    body: dict[str, Any] | None
    body_required: bool
    response: dict[str, Any] | None

    @property
    def endpoint(self) -> str:
        """Method and path as the document writes them."""
        return f"{self.method} {self.path}"

    @property
    def wire_endpoint(self) -> str:
        """Method and URL shape as a caller sends them: placeholders unnamed, the leading "/" OpenAPI requires."""
        return f"{self.method} /{PLACEHOLDER.sub('{}', self.path).lstrip('/')}"


def _operations(document: dict[str, Any]) -> dict[str, _Operation]:
    """Every operation of the document by operationId (or "METHOD path")."""
    operations = {}
    for path, method, raw in each_operation(document):
        key = raw.get("operationId") or f"{method.upper()} {path}"
        try:
            operations[key] = _read_operation(document, key, path, method, raw)
        except KeyError as exc:
            raise SpecError(f"{key}: nothing found at {exc} (a $ref to a missing schema, or a malformed parameter)") from None
    return operations


def _read_operation(document: dict[str, Any], key: str, path: str, method: str, raw: dict[str, Any]) -> _Operation:
    """The operation `raw` at `method path`, its roles, parameters and bodies resolved."""
    request_body = resolve(document, raw.get("requestBody")) or {}
    body = request_body.get("content", {}).get("application/json")
    return _Operation(
        key=key,
        method=method.upper(),
        path=path,
        # an operation without `security` falls under the document's (OpenAPI 3)
        roles=frozenset(security_roles(raw if "security" in raw else document)),
        buyer_users_only=buyer_users_only(raw),
        success=tuple(sorted(status for status in raw.get("responses", {}) if status.startswith("2"))),
        parameters=_parameters(document, path, raw),
        body=body.get("schema", {}) if body else None,
        body_required=bool(request_body.get("required")),
        response=success_schema(document, raw) if raw.get("responses") else None,
    )


def _parameters(document: dict[str, Any], path: str, raw: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Resolved parameters of the path item and the operation (which overrides), by `_parameter_key`."""
    path_level = document["paths"][path].get("parameters", [])
    parameters: dict[str, tuple[str, dict[str, Any]]] = {}
    for parameter in resolve(document, path_level + raw.get("parameters", [])):
        parameters[_parameter_key(parameter, path)] = (f"{parameter['in']} parameter {parameter['name']}", parameter)
    return parameters


def _parameter_key(parameter: dict[str, Any], path: str) -> str:
    """Path parameters by position, since a renamed placeholder changes no URL; the others by name."""
    placeholders = PLACEHOLDER.findall(path)
    if parameter["in"] == "path" and parameter["name"] in placeholders:
        return f"path #{placeholders.index(parameter['name'])}"
    return f"{parameter['in']} {parameter['name']}"


# -- rules for one operation ------------------------------------------------------------

Found = Iterator[tuple[Kind, str]]


def _path_changed(old: _Operation, new: _Operation) -> Found:
    """The same operation is now reached by another method or URL."""
    if old.wire_endpoint != new.wire_endpoint:
        yield Kind.PATH_CHANGED, f"{old.endpoint} -> {new.endpoint}"


def _roles_changed(old: _Operation, new: _Operation) -> Found:
    """Roles taken away shut callers out; roles added let more in; none listed means any valid token."""
    if old.roles == new.roles:
        return
    if not old.roles:
        yield Kind.ROLES_NOW_REQUIRED, f"was any valid token, now one of: {_names(new.roles)}"
    elif not new.roles:
        yield Kind.ROLES_NO_LONGER_REQUIRED, f"any valid token, was one of: {_names(old.roles)}"
    else:
        if old.roles - new.roles:
            yield Kind.ROLES_REMOVED, _names(old.roles - new.roles)
        if new.roles - old.roles:
            yield Kind.ROLES_ADDED, _names(new.roles - old.roles)


def _buyer_users_only_changed(old: _Operation, new: _Operation) -> Found:
    """An operation only buyer users may call refuses admin and supplier users whatever their roles."""
    if new.buyer_users_only and not old.buyer_users_only:
        yield Kind.BUYER_USERS_ONLY, "admin and supplier users now get 403"
    elif old.buyer_users_only and not new.buyer_users_only:
        yield Kind.NOT_BUYER_USERS_ONLY, "admin and supplier users may now call it"


def _success_status_changed(old: _Operation, new: _Operation) -> Found:
    """Clients check for the documented 2xx status."""
    if old.success != new.success:
        yield Kind.SUCCESS_STATUS_CHANGED, f"{_names(old.success) or 'none'} -> {_names(new.success) or 'none'}"


def _parameters_changed(old: _Operation, new: _Operation) -> Found:
    """Parameters added, removed, made required or optional, and their schemas as request values."""
    for key in old.parameters.keys() - new.parameters.keys():
        yield Kind.PARAMETER_REMOVED, old.parameters[key][0]
    for key in new.parameters.keys() - old.parameters.keys():
        label, parameter = new.parameters[key]
        yield (Kind.PARAMETER_REQUIRED_ADDED if parameter.get("required") else Kind.PARAMETER_OPTIONAL_ADDED), label
    for key in old.parameters.keys() & new.parameters.keys():
        (_, before), (label, after) = old.parameters[key], new.parameters[key]
        if after.get("required") and not before.get("required"):
            yield Kind.PARAMETER_BECAME_REQUIRED, label
        elif before.get("required") and not after.get("required"):
            yield Kind.PARAMETER_BECAME_OPTIONAL, label
        yield from _compare_schemas(before.get("schema", {}), after.get("schema", {}), label, REQUEST)


def _request_body_changed(old: _Operation, new: _Operation) -> Found:
    """The JSON request body: whether one is read or needed, and its schema as the caller sends it."""
    before, after = _body_state(old), _body_state(new)
    if before != after:
        yield BODY_STATES[after], f"{before} -> {after}"
    if old.body is not None and new.body is not None:
        yield from _compare_schemas(old.body, new.body, _root(new.body), REQUEST)


#: What a request body's new state means for callers: one no longer read ignores what they send.
BODY_STATES = {
    "no body": Kind.REQUEST_BODY_REMOVED,
    "optional body": Kind.REQUEST_BODY_OPTIONAL,
    "required body": Kind.REQUEST_BODY_REQUIRED,
}


def _body_state(operation: _Operation) -> str:
    """Whether the operation reads a JSON body, and whether the caller must send it."""
    if operation.body is None:
        return "no body"
    return "required body" if operation.body_required else "optional body"


def _response_changed(old: _Operation, new: _Operation) -> Found:
    """The JSON body of the success response, as the caller reads it."""
    if old.response is not None and new.response is None:
        yield Kind.RESPONSE_BODY_REMOVED, "the success response has no JSON body"
    elif old.response is None and new.response is not None:
        yield Kind.RESPONSE_BODY_ADDED, "the success response now has a JSON body"
    elif old.response is not None and new.response is not None:
        yield from _compare_schemas(old.response, new.response, _root(new.response), RESPONSE)


OPERATION_RULES: tuple[Callable[[_Operation, _Operation], Found], ...] = (
    _path_changed,
    _roles_changed,
    _buyer_users_only_changed,
    _success_status_changed,
    _parameters_changed,
    _request_body_changed,
    _response_changed,
)


# -- rules for one schema, seen from one side of the exchange ------------------------------


@dataclass(frozen=True)
class Side:
    """How a schema change is judged from the request side (what callers send) or the response side."""

    type_changed: Kind
    enum_narrowed: Kind
    enum_widened: Kind
    field_added: Kind
    field_removed: Kind
    hidden: str  # the property flag that keeps a field off this side
    sent_by_caller: bool  # required fields and limits bind only what the caller sends


REQUEST = Side(
    type_changed=Kind.REQUEST_TYPE_CHANGED,
    enum_narrowed=Kind.REQUEST_ENUM_NARROWED,
    enum_widened=Kind.REQUEST_ENUM_WIDENED,
    field_added=Kind.REQUEST_FIELD_OPTIONAL_ADDED,  # or REQUEST_FIELD_REQUIRED_ADDED, see _properties_changed
    field_removed=Kind.REQUEST_FIELD_REMOVED,
    hidden="readOnly",
    sent_by_caller=True,
)
RESPONSE = Side(
    type_changed=Kind.RESPONSE_TYPE_CHANGED,
    enum_narrowed=Kind.RESPONSE_ENUM_NARROWED,
    enum_widened=Kind.RESPONSE_ENUM_WIDENED,
    field_added=Kind.RESPONSE_FIELD_ADDED,
    field_removed=Kind.RESPONSE_FIELD_REMOVED,
    hidden="writeOnly",
    sent_by_caller=False,
)
#: Limits on request values and which way is tighter: `min` when a smaller value is stricter.
LIMITS: dict[str, Callable[[float, float], float]] = {
    "maxLength": min, "maxItems": min, "maximum": min,
    "minLength": max, "minItems": max, "minimum": max,
}


def _compare_schemas(old: dict[str, Any], new: dict[str, Any], name: str, side: Side, depth: int = 0) -> Found:
    """Every change between two resolved schemas of one field, recursing into properties and items."""
    if old == new or depth > MAX_DEPTH:
        return
    if old.get("type") and new.get("type") and old["type"] != new["type"]:
        # nothing below a changed type compares meaningfully
        yield side.type_changed, f"{_shown(name)}: {old['type']} -> {new['type']}"
        return
    yield from _enum_changed(old, new, name, side)
    if side.sent_by_caller:
        yield from _limits_changed(old, new, name)
        yield from _required_changed(old, new, name, side)
    yield from _properties_changed(old, new, name, side, depth)
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        yield from _compare_schemas(old["items"], new["items"], f"{name}[]", side, depth + 1)


def _enum_changed(old: dict[str, Any], new: dict[str, Any], name: str, side: Side) -> Found:
    """Values a field may take: fewer narrow it (no enum at all is the widest), more widen it."""
    before, after = old.get("enum"), new.get("enum")
    if before == after:
        return
    if before is None:
        yield side.enum_narrowed, f"{_shown(name)}: now one of {_names(after)}"
    elif after is None:
        yield side.enum_widened, f"{_shown(name)}: any value, was one of {_names(before)}"
    else:
        lost, gained = [v for v in before if v not in after], [v for v in after if v not in before]
        if lost:
            yield side.enum_narrowed, f"{_shown(name)}: no longer {_names(lost)}"
        if gained:
            yield side.enum_widened, f"{_shown(name)}: now also {_names(gained)}"


def _limits_changed(old: dict[str, Any], new: dict[str, Any], name: str) -> Found:
    """Length, size and value limits a sent value must meet: stricter ones reject what was accepted."""
    for keyword, stricter in LIMITS.items():
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        tightened = before is None or (after is not None and stricter(before, after) == after)
        kind = Kind.REQUEST_LIMIT_TIGHTENED if tightened else Kind.REQUEST_LIMIT_RELAXED
        yield kind, f"{_shown(name)}: {keyword} {_or_none(before)} -> {_or_none(after)}"


def _required_changed(old: dict[str, Any], new: dict[str, Any], name: str, side: Side) -> Found:
    """Fields present on both sides that a caller must now send, or need no longer send."""
    before, after = _visible(old, side), _visible(new, side)
    was, now = set(old.get("required", [])), set(new.get("required", []))
    for prop in sorted(before.keys() & after.keys()):
        if prop in now and prop not in was:
            yield Kind.REQUEST_FIELD_BECAME_REQUIRED, _field(name, prop)
        elif prop in was and prop not in now:
            yield Kind.REQUEST_FIELD_BECAME_OPTIONAL, _field(name, prop)


def _properties_changed(old: dict[str, Any], new: dict[str, Any], name: str, side: Side, depth: int) -> Found:
    """Fields removed or added on this side, and changes inside the fields both have."""
    before, after = _visible(old, side), _visible(new, side)
    for prop in sorted(before.keys() - after.keys()):
        yield side.field_removed, _field(name, prop)
    for prop in sorted(after.keys() - before.keys()):
        required = side.sent_by_caller and prop in new.get("required", [])
        yield (Kind.REQUEST_FIELD_REQUIRED_ADDED if required else side.field_added), _field(name, prop)
    for prop in sorted(before.keys() & after.keys()):
        yield from _compare_schemas(before[prop], after[prop], _field(name, prop), side, depth + 1)


# -- the whole documents ------------------------------------------------------------------


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> SpecDiff:
    """What changed from the `old` OpenAPI 3 document to the `new` one (neither is modified)."""
    before, after = _operations(old), _operations(new)
    renamed = _renamed(before, after)
    changes = [
        *_operations_added_or_removed(before, after, renamed),
        *_operations_changed(before, after, renamed),
        *_schemas_changed(old, new),
    ]
    judged = [Change(kind, operation, detail, BREAKING[kind]) for kind, operation, detail in changes]
    return SpecDiff(sorted(judged, key=Change.sort_key), old_version=_version(old), new_version=_version(new))


def _operations_added_or_removed(
    before: dict[str, _Operation], after: dict[str, _Operation], renamed: dict[str, str]
) -> Iterator[tuple[Kind, str, str]]:
    """Operations only one document has, and those that kept their endpoint under a new operationId."""
    for old_key, new_key in renamed.items():
        yield Kind.OPERATION_RENAMED, new_key, f"was {old_key} ({after[new_key].endpoint})"
    for key in before.keys() - after.keys() - renamed.keys():
        yield Kind.OPERATION_REMOVED, key, before[key].endpoint
    for key in after.keys() - before.keys() - set(renamed.values()):
        yield Kind.OPERATION_ADDED, key, after[key].endpoint


def _operations_changed(
    before: dict[str, _Operation], after: dict[str, _Operation], renamed: dict[str, str]
) -> Iterator[tuple[Kind, str, str]]:
    """Every rule of OPERATION_RULES on each operation both documents have."""
    pairs = [(key, key) for key in before.keys() & after.keys()] + list(renamed.items())
    for old_key, new_key in pairs:
        for rule in OPERATION_RULES:
            for kind, detail in rule(before[old_key], after[new_key]):
                yield kind, new_key, detail


def _renamed(before: dict[str, _Operation], after: dict[str, _Operation]) -> dict[str, str]:
    """Old key -> new key of operations whose operationId changed while method and URL stayed."""
    added = {after[key].wire_endpoint: key for key in after.keys() - before.keys()}
    return {
        key: added[before[key].wire_endpoint]
        for key in sorted(before.keys() - after.keys())
        if before[key].wire_endpoint in added
    }


def _schemas_changed(old: dict[str, Any], new: dict[str, Any]) -> Iterator[tuple[Kind, str, str]]:
    """Component schemas added or removed (their contents show on the operations that use them)."""
    before = set(old.get("components", {}).get("schemas", {}))
    after = set(new.get("components", {}).get("schemas", {}))
    for name in sorted(before - after):
        yield Kind.SCHEMA_REMOVED, "components", name
    for name in sorted(after - before):
        yield Kind.SCHEMA_ADDED, "components", name


# -- small helpers --------------------------------------------------------------------------


def _visible(schema: dict[str, Any], side: Side) -> dict[str, Any]:
    """The properties that travel on this side of the exchange."""
    return {name: prop for name, prop in schema.get("properties", {}).items() if not prop.get(side.hidden)}


def _root(schema: dict[str, Any]) -> str:
    """The name a body's fields are shown under: its component schema's name, if it has one."""
    return schema.get("title", "")


def _field(parent: str, prop: str) -> str:
    """The dotted name of `prop` under `parent`."""
    return f"{parent}.{prop}" if parent else prop


def _shown(name: str) -> str:
    """A field's name for a detail; an anonymous root is "body"."""
    return name or "body"


def _names(values: Any) -> str:
    """Values sorted and comma-separated, so details read the same on every run."""
    return ", ".join(sorted(str(value) for value in values))


def _or_none(value: Any) -> str:
    """A limit for a detail; "none" when there is none."""
    return "none" if value is None else str(value)


def _version(document: dict[str, Any]) -> str:
    """info.version, which OpenAPI requires."""
    return str(document.get("info", {}).get("version", "unknown"))
