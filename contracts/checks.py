"""OrderCloud's conventions as Schemathesis checks, one rule per function.

Each check receives `(ctx, response, case)` and raises `Violation` (naming itself) when its
rule is broken. The rules come from BEHAVIOUR.md: §2 (error bodies, 401/403, 409 IdExists),
§3 (list pages) and "Misc" (ISO 8601 UTC dates, every property returned, null where unset).
`probe_checks(prober)` adds the rules that need a second request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from schemathesis import Case, CheckContext, Response
from schemathesis.core.failures import Failure, Severity

from ocgate.contract.probes import Prober
from ocgate.spec import resolve

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


CHECK_NAMES = [check.__name__ for check in RESPONSE_CHECKS] + ["requires_token", "forbidden_without_role", "duplicate_create_is_refused"]


# -- helpers ------------------------------------------------------------------------------


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
