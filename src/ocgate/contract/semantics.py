"""What an answer means: the written fields come back, a PATCH keeps the rest, reads agree.

The checks themselves are in contracts/checks.py (`semantic_checks`); this module holds what
they share with the session:

- `WriteLog`: every write the run sends (the gate's calls, its probes, the pools' and the
  cart's upkeep), by the object it names. Two reads are compared only when the log proves no
  write that could touch the object was in flight or started between them (`--workers`: other
  threads write meanwhile); otherwise the comparison waits for a later call of the operation.
- `differences(sent, got, schema)`: the writable fields of a request body that did not come back
  as sent, with the few documented normalizations of `NOT_ECHOED` and dates compared as instants.
- `Semantics`: the second requests (a read before a PATCH, a read after a write, a read again,
  the GET of a list item), counted per kind for contract-coverage.json (`semantic_reads`).
"""

from __future__ import annotations

import datetime
import json
import threading
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

import requests

from ..api.pacing import PACER
from ..spec import Operation
from .kinds import Kinds
from .objects import format_path, slots

READ_TIMEOUT = 30
#: Dates are compared to the millisecond OrderCloud keeps.
MILLISECOND = datetime.timedelta(milliseconds=1)
#: Reads of an operation at most sent for one rule before it gives up on that operation (a PATCH
#: read before it that then failed, or a window another worker wrote in).
TRIES = 3

#: Writable fields OrderCloud does not echo as sent, each with the documentation that says so
#: (model -> field -> why). Besides these, for every model: readOnly fields; `format: password`
#: (write-only: always null, BEHAVIOUR.md "Misc"); a null or an empty ID, which is "not set" (the
#: ID is generated, BEHAVIOUR.md "Misc"; other fields take their default: Accepted false, a new
#: buyer's DefaultCatalogID its own catalog, BEHAVIOUR.md §4, §5); dates compared as instants to
#: the millisecond (UTC, BEHAVIOUR.md "Misc"; OrderCloud keeps milliseconds: .990179 comes back .990).
NOT_ECHOED: dict[str, dict[str, str]] = {
    "*": {
        "OwnerID": 'OpenAPI 1.0.260 (Catalog, Product, PriceSchedule, Promotion, Shipment, Spec, Locale).OwnerID: "Only the Marketplace Owner can override the OwnerID on create."',
    },
    "LineItem": {
        "UnitPrice": 'OpenAPI 1.0.260 LineItem.UnitPrice: "Auto calculated Price per Quantity. Modification requires OverrideUnitPrice Role."',
    },
    "Order": {
        "ShippingCost": 'OpenAPI 1.0.260 Order.ShippingCost: "Modifying requires OverrideShipping Role."',
        "TaxCost": 'OpenAPI 1.0.260 Order.TaxCost: "Modifying requires TaxOverride Role."',
        "FromCompanyID": 'OpenAPI 1.0.260 Order.FromCompanyID: "ID of the Buyer or Marketplace Owner placing the order" (the caller\'s company)',
        "FromUserID": 'OpenAPI 1.0.260 Order.FromUserID: "only writable when creating an order on behalf of a buyer user"',
        "ToCompanyID": 'OpenAPI 1.0.260 Order.ToCompanyID: "only writable on create"',
        "ShippingAddressID": 'OpenAPI 1.0.260 Order.ShippingAddressID: "Null when there are multiple Shipping Addresses involved."',
    },
}

#: Arrays whose order is not what was sent: (model, field) -> the member identifying an element, why.
UNORDERED: dict[tuple[str, str], tuple[str, str]] = {
    ("PriceSchedule", "PriceBreaks"): (
        "Quantity",
        "a price break is identified by its Quantity (PUT/DELETE /priceschedules/{priceScheduleID}/PriceBreaks?quantity=; "
        "PriceSchedule.DuplicatePriceBreaks); the breaks are kept in the order of their quantities",
    ),
}


def _in_key_order(items: list[Any], key: str) -> list[Any]:
    """Array elements by their identifying member (unset first, as a quantity of 0)."""
    return sorted(items, key=lambda item: item.get(key) or 0 if isinstance(item, dict) and isinstance(item.get(key), (int, float)) else 0)


def model_name(schema: dict[str, Any] | None) -> str | None:
    """The component name a resolved schema came from (the spec loader keeps it as `title`), if known."""
    return (schema or {}).get("title") if isinstance((schema or {}).get("title"), str) else None


# -- comparing ---------------------------------------------------------------------------------


def _instant(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def same(sent: Any, got: Any, schema: dict[str, Any] | None = None) -> bool:
    """Equal as OrderCloud means it: numbers by value (1 == 1.0), dates as instants, the rest exactly."""
    if (schema or {}).get("format") == "date-time" and isinstance(sent, str):
        left, right = _instant(sent), _instant(got)
        if left is not None and right is not None:
            return abs(left - right) < MILLISECOND
    if isinstance(sent, bool) or isinstance(got, bool):
        return sent is got
    if isinstance(sent, (int, float)) and isinstance(got, (int, float)):
        return sent == got
    return sent == got


def differences(sent: Any, got: Any, schema: dict[str, Any] | None, where: str = "") -> Iterator[str]:
    """Where the writable fields of `sent` (a request body) did not come back in `got` as sent."""
    schema = schema or {}
    if isinstance(sent, dict):
        if not isinstance(got, dict):
            yield f"{where or 'the body'}: sent an object, got {_short(got)}"
            return
        properties = schema.get("properties") or {}
        skipped = {**NOT_ECHOED["*"], **NOT_ECHOED.get(model_name(schema) or "", {})}
        for name, value in sent.items():
            member = properties.get(name) if properties else {}
            if member is None and properties:
                continue  # not a field of the model: nothing to echo (mass assignment is the security suite's)
            member = member or {}
            if member.get("readOnly") or member.get("writeOnly") or member.get("format") == "password" or name in skipped:
                continue
            if value is None or (name == "ID" and value == ""):
                continue  # not set: generated or defaulted
            path = f"{where}.{name}" if where else name
            if name not in got:
                yield f"{path} was sent as {_short(value)} and dropped"
                continue
            answer = got[name]
            unordered = UNORDERED.get((model_name(schema) or "", name))
            if unordered is not None and isinstance(value, list) and isinstance(answer, list):
                value, answer = _in_key_order(value, unordered[0]), _in_key_order(answer, unordered[0])
            yield from differences(value, answer, member, path)
    elif isinstance(sent, list):
        if not isinstance(got, list) or len(got) != len(sent):
            yield f"{where}: sent {_short(sent)}, got {_short(got)}"
            return
        for index, (left, right) in enumerate(zip(sent, got, strict=True)):
            yield from differences(left, right, schema.get("items") if isinstance(schema.get("items"), dict) else {}, f"{where}[{index}]")
    elif not same(sent, got, schema):
        yield f"{where}: sent {_short(sent)}, got {_short(got)}"


def kept(before: dict[str, Any], after: dict[str, Any], sent: dict[str, Any], schema: dict[str, Any] | None) -> Iterator[str]:
    """The writable fields a PATCH did not name that changed between the object before and after it."""
    properties = (schema or {}).get("properties") or {}
    skipped = {**NOT_ECHOED["*"], **NOT_ECHOED.get(model_name(schema) or "", {})}
    for name, member in properties.items():
        if name in sent or name in skipped or member.get("readOnly") or member.get("format") == "password" or name not in before:
            continue
        if name not in after:
            yield f"{name} was {_short(before[name])} and is gone"
        elif not _deep_same(before[name], after[name], member):
            yield f"{name} was {_short(before[name])}, is {_short(after[name])}"


def _deep_same(left: Any, right: Any, schema: dict[str, Any] | None) -> bool:
    if isinstance(left, dict) and isinstance(right, dict):
        properties = (schema or {}).get("properties") or {}
        return left.keys() == right.keys() and all(_deep_same(left[key], right[key], properties.get(key)) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        items = (schema or {}).get("items")
        return len(left) == len(right) and all(_deep_same(a, b, items if isinstance(items, dict) else None) for a, b in zip(left, right, strict=True))
    return same(left, right, schema)


def unequal(first: Any, second: Any, where: str = "") -> Iterator[str]:
    """Where two readings of one object differ (every field)."""
    if isinstance(first, dict) and isinstance(second, dict):
        for key in sorted(set(first) | set(second)):
            path = f"{where}.{key}" if where else key
            if key not in first or key not in second:
                yield f"{path} only in {'the first' if key in first else 'the second'}"
            else:
                yield from unequal(first[key], second[key], path)
    elif isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        for index, (left, right) in enumerate(zip(first, second, strict=True)):
            yield from unequal(left, right, f"{where}[{index}]")
    elif not same(first, second):
        yield f"{where or 'the body'}: {_short(first)} vs {_short(second)}"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


# -- which writes could touch which object ----------------------------------------------------


def object_key(path: str, cart_id: str | None = None) -> tuple[str, ...]:
    """A concrete path (relative to /v1) as the object it names: lower case, an order's direction
    dropped (/orders/Incoming/X and /orders/Outgoing/X are one order), /cart as the pinned order."""
    parts = [part for part in urlsplit(path).path.split("/") if part]
    if parts and parts[0] == "v1":
        parts = parts[1:]
    lowered = [part.lower() for part in parts]
    if lowered[:1] == ["orders"] and len(lowered) > 1 and lowered[1] in ("incoming", "outgoing", "all"):
        return ("orders", *parts[2:])
    if lowered[:1] == ["cart"]:
        return ("orders", cart_id or "*cart", *parts[1:])
    return tuple(parts)


def overlap(left: tuple[str, ...], right: tuple[str, ...]) -> bool:
    """Whether a write at one could change the other: one is under the other (a line item and its
    order's totals), or either is a view of the caller (/me, /cart, ...) that aliases other paths."""
    if not left or not right or left[0].lower() == "me" or right[0].lower() == "me" or "*cart" in left or "*cart" in right:
        return True
    shorter = min(len(left), len(right))
    return [part.lower() for part in left[:shorter]] == [part.lower() for part in right[:shorter]]


@dataclass(frozen=True)
class Mark:
    """The log as it was at one moment: writes started so far, and those still in flight."""

    sequence: int
    in_flight: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass
class WriteLog:
    """Every write the run sends, in order; proves (or not) that no write came between two reads."""

    history: deque[tuple[int, tuple[str, ...]]] = field(default_factory=lambda: deque(maxlen=8192))
    _sequence: int = 0
    _in_flight: dict[int, tuple[str, ...]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self, method: str, path: str, cart_id: str | None = None) -> int | None:
        """A write is about to be sent (GET and HEAD are not writes): its number, for `end`."""
        if method.upper() in ("GET", "HEAD", "OPTIONS"):
            return None
        key = object_key(path, cart_id)
        with self._lock:
            self._sequence += 1
            self.history.append((self._sequence, key))
            self._in_flight[self._sequence] = key
            return self._sequence

    def end(self, number: int | None) -> None:
        if number is not None:
            with self._lock:
                self._in_flight.pop(number, None)

    def mark(self) -> Mark:
        with self._lock:
            return Mark(self._sequence, tuple(self._in_flight.items()))

    def quiet(self, since: Mark, key: tuple[str, ...] | None, own: int | None = None) -> bool:
        """No write that could touch `key` (None: any object) was in flight at `since` or started after, but `own`."""
        touches = (lambda other: True) if key is None else (lambda other: overlap(key, other))
        with self._lock:
            if any(number != own and touches(other) for number, other in since.in_flight):
                return False
            if self.history and self._sequence > since.sequence and self.history[0][0] > since.sequence + 1:
                return False  # the log no longer reaches back that far
            for number, other in reversed(self.history):  # newest first: only the writes since the mark
                if number <= since.sequence:
                    return True
                if number != own and touches(other):
                    return False
            return True


# -- the second requests -------------------------------------------------------------------------


@dataclass
class Semantics:
    """What the semantic checks need from the run: the spec's shape, the log, a way to read again."""

    kinds: Kinds
    log: WriteLog = field(default_factory=WriteLog)
    session: requests.Session = field(default_factory=requests.Session)
    #: extra reads per kind (before-patch, read-back, read-again, list-item), for contract-coverage.json
    reads: Counter[str] = field(default_factory=Counter)
    #: case.id -> the log's mark before the call, and the call's own write number
    marks: dict[str, tuple[Mark, int | None]] = field(default_factory=dict)
    #: case.id -> (mark before the read, the object read before a PATCH)
    before: dict[str, tuple[Mark, dict[str, Any]]] = field(default_factory=dict)
    cart_id: str | None = None
    _done: set[tuple[str, str]] = field(default_factory=set)
    _tries: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def _gets(self) -> dict[str, Operation]:
        return {op.path: op for op in self.kinds.spec.operations if op.method == "GET"}

    def get_operation(self, path: str) -> Operation | None:
        """The GET at a path template, if the document has one."""
        return self._gets.get(path)

    def leaves_unnamed(self, op: Operation, body: dict[str, Any]) -> bool:
        """Whether a PATCH body leaves a writable field of its model unnamed (one that must be kept)."""
        properties = (op.request_schema or {}).get("properties") or {}
        skipped = {**NOT_ECHOED["*"], **NOT_ECHOED.get(model_name(op.request_schema) or "", {})}
        return any(name not in body and name not in skipped and not member.get("readOnly") and member.get("format") != "password" for name, member in properties.items())

    # -- once per operation, until compared ------------------------------------------------

    def wants(self, rule: str, operation: str) -> bool:
        """Whether `rule` still has to compare an answer of `operation` (it gives up after TRIES reads)."""
        with self._lock:
            return (rule, operation) not in self._done and self._tries[(rule, operation)] < TRIES

    def done(self, rule: str, operation: str) -> None:
        with self._lock:
            self._done.add((rule, operation))

    def read(self, rule: str, operation: str, url: str, headers: dict[str, str]) -> requests.Response | None:
        """GET `url` as the caller of the call being checked (counted under `rule`); None on failure."""
        with self._lock:
            self._tries[(rule, operation)] += 1
            self.reads[rule] += 1
        PACER.turn()
        try:
            return self.session.get(url, headers={name: value for name, value in headers.items() if name.lower() in ("authorization", "accept")}, timeout=READ_TIMEOUT)
        except requests.RequestException:
            return None

    # -- around a call --------------------------------------------------------------------

    def start(self, case_id: str, method: str, path: str) -> int | None:
        """Before a call: remember the log's mark, and log the call when it writes."""
        mark = self.log.mark()
        number = self.log.begin(method, path, self.cart_id)
        self.marks[case_id] = (mark, number)
        return number

    def item_url(self, op: Operation, url: str, path_values: dict[str, Any], answer: Any) -> str | None:
        """Where the object a create, save or patch wrote is read (None when no GET reads it)."""
        if op.method in ("PUT", "PATCH"):
            return url if self.get_operation(op.path) is not None else None
        item_path = self.kinds.item_path(op)
        if item_path is None or not isinstance(answer, dict) or not isinstance(answer.get("ID"), str) or self.get_operation(item_path) is None:
            return None
        id_param = slots(item_path)[-1].name
        try:
            relative = format_path(item_path, {**path_values, id_param: answer["ID"]})
        except KeyError:
            return None
        return _base(url, op.path) + relative

    def list_item_url(self, op: Operation, url: str, path_values: dict[str, Any], item: dict[str, Any]) -> str | None:
        """Where an item of a list page is read alone, when the document's GET answers the same model."""
        get = next((other for path, other in self._gets.items() if path.startswith(op.path + "/{") and path.count("/") == op.path.count("/") + 1), None)
        items = ((op.response_schema or {}).get("properties") or {}).get("Items") or {}
        if get is None or not isinstance(item.get("ID"), str) or model_name(items.get("items")) is None or model_name(items.get("items")) != model_name(get.response_schema):
            return None
        id_param = slots(get.path)[-1].name
        try:
            relative = format_path(get.path, {**path_values, id_param: item["ID"]})
        except KeyError:
            return None
        return _base(url, op.path) + relative


def _base(url: str, template: str) -> str:
    """The API root of a request's URL (…/v1), given the template of its path."""
    parts = urlsplit(url)
    depth = template.count("/")
    root = parts.path.rstrip("/").split("/")
    return f"{parts.scheme}://{parts.netloc}" + "/".join(root[: len(root) - depth])
