"""OrderCloud's conventions as Schemathesis checks, one rule per function.

Each check receives `(ctx, response, case)` and raises `Violation` (naming itself) when its
rule is broken. The rules come from BEHAVIOUR.md: §2 (error bodies, 401/403, 409 IdExists),
§3 (list pages) and "Misc" (ISO 8601 UTC dates, every property returned, null where unset).
`probe_checks(prober)` adds the rules that need a second request; `semantic_checks(semantics)`
the rules of what an answer means (written fields come back, a PATCH keeps the rest, the
document's arithmetic holds, reads agree; contract/semantics.py, contract/arithmetic.py).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import Failure, Severity

from ocgate.contract import arithmetic
from ocgate.contract.probes import Prober
from ocgate.contract.semantics import Semantics, differences, kept, model_name, object_key, unequal
from ocgate.spec import Operation, resolve

CheckFunction = Callable[[CheckContext, Response, Case], None]
#: ISO 8601 date-time in UTC: 2026-01-31T12:00:00Z, with optional fraction, or an explicit +00:00.
ISO_8601_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$")


class Violation(Failure):
    """A broken OrderCloud rule; `check` names the check, for reports and waivers."""

    code = "OC900"
    kind_title = "OrderCloud convention broken"

    def __init__(self, check: str, case: Case, message: str, severity: Severity = Severity.HIGH) -> None:
        super().__init__(operation=case.operation.label, title=f"{check}: {message.splitlines()[0]}", message=message, case_id=case.id, severity=severity)
        self.check = check

    @property
    def _unique_key(self) -> str:
        return f"{self.check}|{self.title}"


# -- the response alone ---------------------------------------------------------------------


def error_body_is_standard(ctx: CheckContext, response: Response, case: Case) -> None:
    """Every 4xx and 5xx answer carries {"Errors": [{"ErrorCode", "Message", "Data"}, ...]} (BEHAVIOUR.md §2.1)."""
    if response.status_code < 400:
        return
    problem = _error_body_problem(_json(response))
    if problem:
        raise Violation("error_body_is_standard", case, f"{response.status_code} answer {problem}: {_snippet(response)}")


def list_meta_is_consistent(ctx: CheckContext, response: Response, case: Case) -> None:
    """A list page's Meta agrees with itself and its Items (BEHAVIOUR.md §3.1): at most PageSize items,
    TotalPages = ceil(TotalCount / PageSize), ItemRange = the 1-based first and last item of the page."""
    body = _json(response)
    if not (200 <= response.status_code < 300 and isinstance(body, dict) and isinstance(body.get("Meta"), dict) and isinstance(body.get("Items"), list)):
        return
    meta, items = body["Meta"], body["Items"]
    try:
        page, size, total, pages = (int(meta[key]) for key in ("Page", "PageSize", "TotalCount", "TotalPages"))
        first, last = (int(value) for value in meta["ItemRange"])
    except (KeyError, TypeError, ValueError):
        raise Violation("list_meta_is_consistent", case, f"Meta lacks Page, PageSize, TotalCount, TotalPages or a two-number ItemRange: {meta}") from None
    expected_first = (page - 1) * size + 1
    problems = []
    if len(items) > size:
        problems.append(f"{len(items)} Items exceed PageSize {size}")
    if pages != math.ceil(total / size if size else 0):
        problems.append(f"TotalPages {pages} != ceil(TotalCount {total} / PageSize {size})")
    if (first, last) != (expected_first, expected_first + len(items) - 1):
        problems.append(f"ItemRange {[first, last]} != {[expected_first, expected_first + len(items) - 1]} for page {page} of {len(items)} items")
    if items and last > total:
        problems.append(f"ItemRange ends at {last}, beyond TotalCount {total}")
    if problems:
        raise Violation("list_meta_is_consistent", case, "; ".join(problems))


def dates_are_iso8601_utc(ctx: CheckContext, response: Response, case: Case) -> None:
    """Every date-time the API returns is ISO 8601 in UTC, e.g. 2026-01-31T12:00:00Z (BEHAVIOUR.md "Misc")."""
    for schema, value, where in _documented_values(response, case):
        if schema.get("format") == "date-time" and isinstance(value, str) and not ISO_8601_UTC.match(value):
            raise Violation("dates_are_iso8601_utc", case, f"{where} = {value!r} is not an ISO 8601 UTC date-time")


def every_property_is_present(ctx: CheckContext, response: Response, case: Case) -> None:
    """A returned object has every property of its schema, null where unset (OrderCloud returns all)."""
    for schema, value, where in _documented_values(response, case):
        if isinstance(value, dict) and schema.get("properties"):
            missing = sorted(set(schema["properties"]) - set(value))
            if missing:
                raise Violation("every_property_is_present", case, f"{where or 'the body'} lacks {', '.join(missing)}")


def created_id_echoes_supplied_id(ctx: CheckContext, response: Response, case: Case) -> None:
    """An object created or saved with an ID in the body comes back with exactly that ID, and a
    written object never comes back without one (BEHAVIOUR.md "Misc": IDs are auto-generated if omitted)."""
    sent, body = case.body, _json(response)
    if not (case.method in ("POST", "PUT", "PATCH") and 200 <= response.status_code < 300 and isinstance(sent, dict) and isinstance(body, dict)):
        return
    if not _writes_its_own_model(case, response.status_code) or "ID" not in body:
        return
    if body["ID"] is None:
        raise Violation("created_id_echoes_supplied_id", case, f"the written object came back without an ID (sent ID {sent.get('ID')!r})")
    if case.method != "PATCH" and isinstance(sent.get("ID"), str) and body["ID"] != sent["ID"]:
        raise Violation("created_id_echoes_supplied_id", case, f"sent ID {sent['ID']!r}, got back {body['ID']!r}")


RESPONSE_CHECKS: list[CheckFunction] = [
    error_body_is_standard,
    list_meta_is_consistent,
    dates_are_iso8601_utc,
    every_property_is_present,
    created_id_echoes_supplied_id,
]


# -- a second request -------------------------------------------------------------------------


def probe_checks(prober: Prober, roles_of: Callable[[Case], tuple[str, ...]], is_create: Callable[[Case], bool]) -> list[CheckFunction]:
    """The checks that send the request again: without a token, without roles, a second time."""

    def requires_token(ctx: CheckContext, response: Response, case: Case) -> None:
        """A role-protected operation answers 401, with the standard error body, to a call without a token (BEHAVIOUR.md §2.2)."""
        if not (roles_of(case) and 200 <= response.status_code < 300 and prober.first("no-token", case.operation.label)):
            return
        probe = prober.resend(response.request, None)
        problem = _error_body_problem(_probe_json(probe))
        if probe.status_code != 401 or problem:
            raise Violation("requires_token", case, f"without a token: {probe.status_code} {problem or ''} {probe.text[:300]}".strip(), Severity.CRITICAL)

    def forbidden_without_role(ctx: CheckContext, response: Response, case: Case) -> None:
        """A role-protected operation answers 403, with the standard error body, to a token holding none of its roles (BEHAVIOUR.md §6)."""
        if not (roles_of(case) and 200 <= response.status_code < 300 and prober.first("no-role", case.operation.label)):
            return
        probe = prober.resend(response.request, prober.roleless_authorization())
        problem = _error_body_problem(_probe_json(probe))
        if probe.status_code != 403 or problem:
            raise Violation("forbidden_without_role", case, f"with a token without roles: {probe.status_code} {problem or ''} {probe.text[:300]}".strip(), Severity.CRITICAL)

    def duplicate_create_is_refused(ctx: CheckContext, response: Response, case: Case) -> None:
        """Creating an object with the ID of an existing one answers 409 IdExists (BEHAVIOUR.md §2.3).

        Only a create that chose its ID is repeated: without one (or with an empty one) the
        server picks a new ID each time, and a second create is just another object.
        """
        if not (response.status_code == 201 and is_create(case) and isinstance(case.body, dict) and isinstance(case.body.get("ID"), str) and case.body["ID"]):
            return
        if not prober.first("duplicate", case.operation.label):
            return
        probe = prober.resend(response.request, response.request.headers.get("Authorization"))
        codes = [error.get("ErrorCode") for error in (_probe_json(probe) or {}).get("Errors") or [] if isinstance(error, dict)]
        if probe.status_code != 409 or "IdExists" not in codes:
            raise Violation("duplicate_create_is_refused", case, f"a second create with ID {case.body['ID']!r}: {probe.status_code} {probe.text[:300]}")

    return [requires_token, forbidden_without_role, duplicate_create_is_refused]


# -- what an answer means ------------------------------------------------------------------------

#: How many lines the gate reads to add up an order's Subtotal (an order with more is not added up).
LINES_PAGE = 100


def semantic_checks(semantics: Semantics, operation_of: Callable[[Case], Operation]) -> list[CheckFunction]:
    """The checks of what an answer means. Those that read again compare two readings only when
    the run's write log proves no write that could touch the object came between them
    (`Semantics.log`: other workers write meanwhile); else a later call of the operation is compared."""

    def write_is_echoed(ctx: CheckContext, response: Response, case: Case) -> None:
        """A create, save or patch answer, and the next read of the object, carry every writable field
        as it was sent (issue 15; BEHAVIOUR.md "Misc": every property returned, dates ISO 8601 UTC).
        Not compared: readOnly and write-only (`format: password`) fields, an ID not sent (generated),
        the documented exceptions of semantics.NOT_ECHOED; dates as instants."""
        op = operation_of(case)
        sent = _sent_body(response)
        if not (op.method in ("POST", "PUT", "PATCH") and 200 <= response.status_code < 300 and isinstance(sent, dict) and _same_model(op)):
            return
        body = _json(response)
        found = list(differences(sent, body, op.request_schema))
        if found:
            raise _semantic("write_is_echoed", case, response, f"the answer does not carry what was sent: {'; '.join(found[:5])}", sent)
        if not semantics.wants("write_is_echoed", op.operation_id):
            return
        url = semantics.item_url(op, response.request.url, dict(case.path_parameters or {}), body)
        if url is None:
            return semantics.done("write_is_echoed", op.operation_id)
        mark, own = semantics.marks.get(case.id, (None, None))
        read = semantics.read("write_is_echoed", op.operation_id, url, dict(response.request.headers))
        if mark is None or read is None or read.status_code != 200 or not semantics.log.quiet(mark, object_key(url, semantics.cart_id), own):
            return
        semantics.done("write_is_echoed", op.operation_id)
        found = list(differences(sent, _probe_json(read), op.request_schema))
        if found:
            raise _semantic("write_is_echoed", case, response, f"the next read (GET {_path(url)}) does not carry what was sent: {'; '.join(found[:5])}", sent)

    def patch_keeps_the_rest(ctx: CheckContext, response: Response, case: Case) -> None:
        """A PATCH changes the fields it names and leaves every other writable field as it was
        (BEHAVIOUR.md §2: PATCH is a partial update; issue 15). The object before the call is read
        just before it (session.send); compared only when no other write could touch it between."""
        op = operation_of(case)
        before = semantics.before.pop(case.id, None)
        sent = _sent_body(response)
        if before is None or not (200 <= response.status_code < 300 and isinstance(sent, dict) and _same_model(op)):
            return
        mark, previous = before
        _, own = semantics.marks.get(case.id, (None, None))
        if not semantics.log.quiet(mark, object_key(response.request.url, semantics.cart_id), own):
            return
        semantics.done("patch_keeps_the_rest", op.operation_id)
        found = list(kept(previous, _json(response) or {}, sent, op.request_schema))
        if found:
            raise _semantic("patch_keeps_the_rest", case, response, f"fields the PATCH did not name changed: {'; '.join(found[:5])}", previous)

    def documented_arithmetic(ctx: CheckContext, response: Response, case: Case) -> None:
        """Every order and line item of an answer holds the document's arithmetic, money to the cent
        (contract/arithmetic.py: each formula with its source, OpenAPI 1.0.260 Order/LineItem); an
        order's Subtotal is the sum of its lines' LineSubtotal (read once per operation)."""
        if not 200 <= response.status_code < 300:
            return
        body = _json(response)
        found = arithmetic.problems(body)
        if found:
            first = found[0]
            raise _semantic("documented_arithmetic", case, response, arithmetic.describe(found[:3]), f"{first.field} = {first.expected}")
        op = operation_of(case)
        url = _lines_url(response.request.url, body)
        if url is None or not semantics.wants("documented_arithmetic", op.operation_id):
            return
        mark, own = semantics.marks.get(case.id, (None, None))
        read = semantics.read("documented_arithmetic", op.operation_id, f"{url}?pageSize={LINES_PAGE}", dict(response.request.headers))
        lines = _probe_json(read) if read is not None and read.status_code == 200 else None
        if mark is None or not isinstance(lines, dict) or (lines.get("Meta") or {}).get("TotalPages", 1) > 1:
            return
        if not semantics.log.quiet(mark, object_key(url, semantics.cart_id), own):
            return
        semantics.done("documented_arithmetic", op.operation_id)
        problem = arithmetic.subtotal_problem(body, lines.get("Items") or [])
        if problem is not None:
            raise _semantic("documented_arithmetic", case, response, f"{problem} (its lines: GET {_path(url)})", f"Subtotal = {problem.expected}")

    def reads_agree(ctx: CheckContext, response: Response, case: Case) -> None:
        """An object read twice with no write between is the same (issue 15: a GET is safe and
        idempotent, RFC 9110 §9.2). Read again at once, once per operation, when no write of the run
        was in flight or sent meanwhile."""
        op = operation_of(case)
        body = _json(response)
        if not (op.method == "GET" and response.status_code == 200 and isinstance(body, dict) and "Items" not in body and semantics.wants("reads_agree", op.operation_id)):
            return
        mark, _ = semantics.marks.get(case.id, (None, None))
        again = semantics.read("reads_agree", op.operation_id, response.request.url, dict(response.request.headers))
        if mark is None or again is None or not semantics.log.quiet(mark, None):
            return
        semantics.done("reads_agree", op.operation_id)
        found = [] if again.status_code != 200 else list(unequal(body, _probe_json(again)))
        if again.status_code != 200 or found:
            what = f"{again.status_code}" if again.status_code != 200 else "; ".join(found[:5])
            raise _semantic("reads_agree", case, response, f"read again with no write between, it differs: {what}", body)

    def list_item_equals_get(ctx: CheckContext, response: Response, case: Case) -> None:
        """An item of a list page equals the object read alone (BEHAVIOUR.md §3: a list page's Items
        are the objects; issue 15). The first item of a page, once per operation, when the document's
        GET answers the same model and no write of the run was in flight or sent meanwhile."""
        op = operation_of(case)
        body = _json(response)
        items = body.get("Items") if isinstance(body, dict) else None
        if not (op.method == "GET" and response.status_code == 200 and isinstance(items, list) and items and isinstance(items[0], dict)):
            return
        if not semantics.wants("list_item_equals_get", op.operation_id):
            return
        url = semantics.list_item_url(op, response.request.url, dict(case.path_parameters or {}), items[0])
        if url is None:
            return semantics.done("list_item_equals_get", op.operation_id)
        mark, _ = semantics.marks.get(case.id, (None, None))
        alone = semantics.read("list_item_equals_get", op.operation_id, url, dict(response.request.headers))
        if mark is None or alone is None or alone.status_code != 200 or not semantics.log.quiet(mark, None):
            return
        semantics.done("list_item_equals_get", op.operation_id)
        found = list(unequal(items[0], _probe_json(alone)))
        if found:
            raise _semantic("list_item_equals_get", case, response, f"Items[0] differs from GET {_path(url)}: {'; '.join(found[:5])}", _probe_json(alone))

    return [write_is_echoed, patch_keeps_the_rest, documented_arithmetic, reads_agree, list_item_equals_get]


SEMANTIC_CHECK_NAMES = ["write_is_echoed", "patch_keeps_the_rest", "documented_arithmetic", "reads_agree", "list_item_equals_get"]
CHECK_NAMES = [check.__name__ for check in RESPONSE_CHECKS] + ["requires_token", "forbidden_without_role", "duplicate_create_is_refused"] + SEMANTIC_CHECK_NAMES


def _semantic(check: str, case: Case, response: Response, message: str, expected: Any) -> Violation:
    """A finding naming the operation and the rule, with the request, the answer and the expected value."""
    request = response.request
    sent = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else (request.body or "")
    details = f"request: {request.method} {_path(request.url)} {sent[:500]}\nanswer: {response.status_code} {_snippet(response)}\nexpected: {json.dumps(expected, default=str)[:500]}"
    return Violation(check, case, f"{case.operation.label}: {message}\n{details}")


# -- helpers ------------------------------------------------------------------------------


def _sent_body(response: Response) -> Any:
    """The JSON body the call actually sent (after the session filled it in)."""
    raw = response.request.body
    try:
        return json.loads(raw) if raw else None
    except (ValueError, TypeError):
        return None


def _same_model(op: Operation) -> bool:
    """Whether the call writes the model it answers (a create, save or patch of one object)."""
    name = model_name(op.request_schema)
    return name is not None and name == model_name(op.response_schema)


def _path(url: str) -> str:
    return "/" + urlsplit(url).path.split("/v1/", 1)[-1]


def _lines_url(url: str, body: Any) -> str | None:
    """Where the lines of an order answered at `url` are listed, for an order of the caller's with lines."""
    if not (isinstance(body, dict) and arithmetic.model_of(body) == "Order" and isinstance(body.get("ID"), str) and (body.get("LineItemCount") or 0) > 0):
        return None
    parts = urlsplit(url)
    segments = parts.path.split("/")
    if "v1" not in segments:
        return None
    root = segments.index("v1")
    rest = segments[root + 1 :]
    base = f"{parts.scheme}://{parts.netloc}{'/'.join(segments[: root + 1])}"
    if rest[:1] == ["cart"]:
        return f"{base}/cart/lineitems"
    if len(rest) >= 3 and rest[0].lower() == "orders" and rest[1].lower() in ("incoming", "outgoing", "all"):
        return f"{base}/orders/{rest[1]}/{quote(body['ID'], safe='')}/lineitems"
    return None


def _json(response: Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def _probe_json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _snippet(response: Response) -> str:
    return response.content[:300].decode("utf-8", "replace") or "(empty body)"


def _error_body_problem(body: Any) -> str | None:
    """What is wrong with an error body, or None for {"Errors": [{"ErrorCode", "Message", "Data"}, ...]}."""
    errors = body.get("Errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return "has no non-empty Errors array"
    for error in errors:
        if not isinstance(error, dict) or not isinstance(error.get("ErrorCode"), str) or not isinstance(error.get("Message"), str) or "Data" not in error:
            return f"has an error without string ErrorCode and Message and a Data member: {error}"
    return None


_SCHEMAS: dict[tuple[str, int], dict[str, Any] | None] = {}


def _writes_its_own_model(case: Case, status: int) -> bool:
    """Whether the request body and the answer are the same model (a create or save, not e.g. PUT .../shipto)."""
    raw = case.operation.definition.raw
    request = ((raw.get("requestBody") or {}).get("content") or {}).get("application/json", {}).get("schema", {})
    answer = ((raw.get("responses", {}).get(str(status)) or {}).get("content") or {}).get("application/json", {}).get("schema", {})
    return "$ref" in request and request.get("$ref") == answer.get("$ref")


def _response_schema(case: Case, status: int) -> dict[str, Any] | None:
    """The resolved schema of the documented answer with this status (cached per operation)."""
    key = (case.operation.label, status)
    if key not in _SCHEMAS:
        responses = case.operation.definition.raw.get("responses", {})
        declared = responses.get(str(status)) or responses.get("default")
        content = ((declared or {}).get("content") or {}).get("application/json")
        _SCHEMAS[key] = resolve(case.operation.schema.raw_schema, content["schema"]) if content else None
    return _SCHEMAS[key]


def _documented_values(response: Response, case: Case) -> Iterator[tuple[dict[str, Any], Any, str]]:
    """(schema, value, where) for the body of a 2xx answer and every documented value inside it."""
    if not 200 <= response.status_code < 300:
        return
    schema = _response_schema(case, response.status_code)
    body = _json(response)
    if schema is not None and body is not None:
        yield from _walk(schema, body, "")


def _walk(schema: dict[str, Any], value: Any, where: str) -> Iterator[tuple[dict[str, Any], Any, str]]:
    yield schema, value, where
    if isinstance(value, dict):
        for name, member in (schema.get("properties") or {}).items():
            if value.get(name) is not None:
                yield from _walk(member, value[name], f"{where}.{name}" if where else name)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from _walk(schema["items"], item, f"{where}[{index}]")
