"""What the security suite checks, read from the OpenAPI document rather than listed by hand.

Ownership — which operations name an object that belongs to one buyer company:

1. the company is in the path: every operation under `/buyers/{buyerID}`;
2. the company is in the object: an item path whose GET answers a model that names a buyer
   company (`FromCompanyID`, `BuyerID`) or an object that does (`OrderID`): orders, their line
   items, payments, approvals and shipments, returns, shipments — every operation under it;
3. a `/me/xs/{xID}` item whose parameter names an object kept under `/buyers/{buyerID}`
   (addresses, credit cards, spending accounts) or whose model names a buyer company.

Sampling: the operations of one collection share one access rule, so each *family* (the
collection path: `/buyers/{buyerID}/users/{userID}/accesstoken` belongs to
`/buyers/{buyerID}/users`) is probed with one read (its item GET, else its list), one write
(PATCH, else PUT, else a POST action on an item) and, where the family has one, one create.
A family is probed only when the run has an object of the victim company to name in each
path parameter (`fillable`); the others are listed as not sampled in the suite's summary.

Read-only fields: the properties marked `readOnly` in an operation's request schema (one
write operation per model is probed). Secret fields: properties in `format: password` or
named like a password (`Password`, `NewPassword`); a property named like a secret
(`ClientSecret`) may appear only where the response schema documents it. Enumeration: the
operations a caller without roles may use that take a `Username` or `Email` in the body (the
forgotten-password flow; one-time passwords too, when the document has them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..spec import Operation, Spec

#: A model property naming the buyer company an object belongs to, or an object that does.
COMPANY_REFERENCES = ("FromCompanyID", "BuyerID")
OWNED_REFERENCES = ("OrderID",)
SECRET_FORMATS = ("password",)
SECRET_NAME = re.compile(r"(^|[a-z])Password$")
DOCUMENTED_SECRET_NAME = re.compile(r"Secret$")
#: Body properties by which an account-recovery operation finds a user.
ACCOUNT_KEYS = ("Username", "Email")
_ACTION = re.compile(r"/\{[^}]+\}/[A-Za-z]+$")


@dataclass(frozen=True)
class Probe:
    """One operation chosen to stand for its family: how it is used ("read", "write", "create")."""

    op: Operation
    kind: str
    family: str

    @property
    def id(self) -> str:
        return f"{self.op.operation_id}"


def families(ops: Iterable[Operation]) -> dict[str, list[Operation]]:
    """Operations grouped by the collection they act on: an item path (`.../{xID}`) and its actions
    (`.../{xID}/submit`) belong to the collection `...`; a path that has items below it is one."""
    ops = list(ops)
    collections = {op.path.rsplit("/", 1)[0] for op in ops if op.path.endswith("}")}
    grouped: dict[str, list[Operation]] = {}
    for op in ops:
        path = op.path
        if not path.endswith("}") and path not in collections and _ACTION.search(path):
            path = path.rsplit("/", 1)[0]  # an action on an item: .../{orderID}/submit
        if path.endswith("}"):
            path = path.rsplit("/", 1)[0]
        grouped.setdefault(path, []).append(op)
    return grouped


def _item_paths_owned(spec: Spec) -> list[str]:
    """Item paths whose GET model names a buyer company, or an object that does (rule 2)."""
    owned = []
    for op in spec.operations:
        props = (op.response_schema or {}).get("properties", {})
        if op.method == "GET" and op.path.endswith("}") and not op.path.startswith(("/buyers/{buyerID}", "/me/")):
            if any(name in props for name in COMPANY_REFERENCES + OWNED_REFERENCES) and "Items" not in props:
                owned.append(op.path)
    # /shipments/{shipmentID}/items/{orderID}/{lineItemID} is under /shipments/{shipmentID}: keep the shortest.
    return sorted({path for path in owned if not any(path != other and path.startswith(other + "/") for other in owned)})


def _buyer_item_params(spec: Spec) -> set[str]:
    return {param.lower() for op in spec.operations if op.path.startswith("/buyers/{buyerID}/") for param in op.path_params[1:]}


def company_owned(spec: Spec) -> list[Operation]:
    """Every operation that names an object of one buyer company (rules 1-3 of the module docstring)."""
    items = _item_paths_owned(spec)
    buyer_params = _buyer_item_params(spec)
    owned_me = set()
    for op in spec.operations:
        props = (op.response_schema or {}).get("properties", {})
        if op.path.startswith("/me/") and op.path_params and op.method == "GET" and op.path.endswith("}"):
            if op.path_params[0].lower() in buyer_params or any(name in props for name in COMPANY_REFERENCES):
                owned_me.add(op.path.split("/{", 1)[0] + "/{" + op.path_params[0] + "}")
    result = []
    for op in spec.operations:
        path = op.path
        if (
            path.startswith("/buyers/{buyerID}")
            or any(path == item or path.startswith(item + "/") for item in items)
            or any(path == item or path.startswith(item + "/") for item in owned_me)
        ):
            result.append(op)
    return result


def fillable(op: Operation, ids: dict[str, str]) -> bool:
    """Whether every path parameter can name an object of the victim (`ids`: lower-case name -> ID)."""
    return all(param.lower() in ids for param in op.path_params)


def isolation_probes(spec: Spec, ids: dict[str, str]) -> tuple[list[Probe], list[str]]:
    """One read, one write and one create per family of company-owned operations; and the families not sampled."""
    grouped = families(company_owned(spec))
    probes: list[Probe] = []
    unsampled: list[str] = []
    for family, ops in grouped.items():
        usable = [op for op in ops if fillable(op, ids)]
        chosen = [
            Probe(op, kind, family)
            for kind, op in (("read", _pick_read(usable)), ("write", _pick_write(usable)), ("create", _pick_create(usable)))
            if op is not None
        ]
        if chosen:
            probes += chosen
        else:
            unsampled.append(family)
    return probes, sorted(unsampled)


def _pick_read(ops: list[Operation]) -> Operation | None:
    reads = [op for op in ops if op.method == "GET"]
    reads.sort(key=lambda op: (not op.path.endswith("}"), -len(op.path_params), op.path))
    return reads[0] if reads else None


def _pick_write(ops: list[Operation]) -> Operation | None:
    order = {"PATCH": 0, "PUT": 1, "POST": 2}
    writes = [op for op in ops if op.method in order and op.path_params and (op.method != "POST" or not _is_create(op))]
    writes = [op for op in writes if op.method != "PUT" or op.request_schema is not None]
    writes.sort(key=lambda op: (order[op.method], not op.path.endswith("}"), op.path))
    return writes[0] if writes else None


def _pick_create(ops: list[Operation]) -> Operation | None:
    """A create whose path names the victim's company or one of its objects (not e.g. a new order of one's own)."""
    creates = [op for op in ops if _is_create(op) and set(op.path_params) - {"direction"}]
    return creates[0] if creates else None


def _is_create(op: Operation) -> bool:
    return op.method == "POST" and op.verb == "Create" and op.request_schema is not None


# -- read-only fields ------------------------------------------------------------------------------


def read_only_fields(schema: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The top-level properties of a request schema marked readOnly, with their schemas."""
    return {name: prop for name, prop in ((schema or {}).get("properties") or {}).items() if prop.get("readOnly")}


def read_only_probes(spec: Spec, ids: dict[str, str], methods: Iterable[str] = ("PATCH",)) -> list[Operation]:
    """One write per request model (by its title) that has read-only fields, among the company's
    objects and the caller's own user (`/me`), whose path the run can fill."""
    chosen: dict[str, Operation] = {}
    candidates = company_owned(spec) + [op for op in spec.operations if op.path == "/me"]
    for op in candidates:
        if op.method in methods and read_only_fields(op.request_schema) and fillable(op, ids):
            chosen.setdefault((op.request_schema or {}).get("title") or op.operation_id, op)
    return list(chosen.values())


# -- secrets ------------------------------------------------------------------------------------------


def is_secret(name: str, schema: dict[str, Any]) -> bool:
    """A property that must never come back with a value: a password, by its format or its name."""
    return schema.get("format") in SECRET_FORMATS or bool(SECRET_NAME.search(name))


def secret_properties(schema: dict[str, Any] | None) -> list[str]:
    return [name for name, prop in ((schema or {}).get("properties") or {}).items() if is_secret(name, prop)]


def model_schema(op: Operation) -> dict[str, Any]:
    """The model an operation answers with: a list's item model, else the body's."""
    schema = op.response_schema or {}
    items = (schema.get("properties") or {}).get("Items")
    return (items or {}).get("items", {}) if items else schema


def secret_probes(spec: Spec, ids: dict[str, str]) -> list[Operation]:
    """One GET per resource (operationId prefix) whose model has a secret property, among operations the run can fill."""
    chosen: dict[str, Operation] = {}
    for op in spec.operations:
        model = model_schema(op)
        if op.method == "GET" and secret_properties(model) and fillable(op, ids):
            chosen.setdefault(op.resource, op)
    return list(chosen.values())


# -- enumeration ----------------------------------------------------------------------------------------


def enumeration_operations(spec: Spec) -> list[Operation]:
    """Operations open to a caller without roles that find an account by a Username or Email in the body."""
    return [
        op
        for op in spec.operations
        if not op.roles and op.method in ("POST", "PUT") and any(key in ((op.request_schema or {}).get("properties") or {}) for key in ACCOUNT_KEYS)
    ]


# -- roles -------------------------------------------------------------------------------------------


def acting_role(op: Operation) -> str | None:
    """The narrowest role that lets a buyer user call an operation: Shopper or a Me role where listed, else the first besides FullAccess."""
    roles = [role for role in op.roles if role != "FullAccess"]
    for preferred in ("Shopper", "MeAddressAdmin", "MeCreditCardAdmin", "MeAdmin"):
        if preferred in roles:
            return preferred
    return roles[0] if roles else None
