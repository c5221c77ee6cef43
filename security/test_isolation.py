"""Cross-company isolation: a user of buyer B, holding every role the operation needs, names buyer A's objects.

One probe per family of company-owned operations (ocgate.security.derive): a read (must be
404 or 403, never the object), a write (must be refused and leave A's object as it was, as the
seller reads it before and after) and a create under A or one of A's objects (must be refused,
and nothing is created).
"""

from __future__ import annotations

from typing import Any

import allure
import pytest
from checks import other_company_is_refused, other_company_object_unchanged
from conftest import PROBE_KEY, fill

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import Seeder
from ocgate.security.derive import Probe, read_only_fields
from ocgate.security.findings import Findings
from ocgate.spec import Spec

pytestmark = [allure.epic("Security"), allure.feature("Cross-company isolation")]


def seller_path(path: str, buyer_id: str, spec: Spec) -> str:
    """Where the seller reads what a path shows a buyer user: orders as Incoming, /me objects under the buyer."""
    path = path.replace("/orders/Outgoing/", "/orders/Incoming/")
    if path.startswith("/me/"):
        collection, object_id = path[len("/me/") :].split("/", 1)
        for op in spec.operations:
            if op.method == "GET" and op.path.lower().startswith(f"/buyers/{{buyerid}}/{collection.lower()}/{{"):
                return f"/buyers/{buyer_id}/{op.path.split('/')[3]}/{object_id}"
    return path


def watched(probe: Probe, path: str) -> str:
    """The object a write would change: the item itself, or the item an action or assignment hangs off."""
    if probe.op.path.endswith("}") or probe.op.path.endswith("/assignments"):
        return path
    return path.rsplit("/", 1)[0]


def readable(client: OrderCloudClient, path: str) -> Any:
    """The object as the seller reads it, without what every write updates (LastUpdated)."""
    response = client.get(path)
    body = response.json() if response.is_success and response.content else None
    if isinstance(body, dict):
        body.pop("LastUpdated", None)
    return response.status_code, body


def write_body(probe: Probe, template: Any) -> dict[str, Any]:
    """What the intruder sends: a marker in xp for a PATCH; for other writes, the victim's object
    (read-only fields left out) or the assignment's IDs, so that only isolation can refuse it."""
    properties = (probe.op.request_schema or {}).get("properties") or {}
    if probe.op.method == "PATCH":
        return {"xp": {PROBE_KEY: "intruder"}} if "xp" in properties else {next(iter(properties)): "ocgate-intruder"}
    body: dict[str, Any] = {}
    if isinstance(template, dict) and "Items" not in template:
        body = {name: value for name, value in template.items() if name in properties and name not in read_only_fields(probe.op.request_schema)}
    for name in (probe.op.request_schema or {}).get("required") or ():
        if body.get(name) is None:
            body[name] = EXAMPLE_VALUES.get(properties.get(name, {}).get("format") or properties.get(name, {}).get("type"), "ocgate-intruder")
    return body


#: A valid value of a required property the victim's object does not provide, by format or type.
EXAMPLE_VALUES: dict[str | None, Any] = {"date-time": "2026-01-01T00:00:00Z", "number": 1, "integer": 1, "boolean": True, "object": {}, "array": []}


def assignment_body(probe: Probe, ids: dict[str, str]) -> dict[str, Any]:
    properties = (probe.op.request_schema or {}).get("properties") or {}
    body: dict[str, Any] = {name: ids[name.lower()] for name in properties if name.endswith("ID") and name.lower() in ids}
    if "UserID" in body and "UserGroupID" in body and "UserGroupAssignment" not in str((probe.op.request_schema or {}).get("title")):
        del body["UserGroupID"]
    body.update({name: True for name, prop in properties.items() if prop.get("type") == "boolean"})
    return body


def test_another_company_cannot_reach_the_object(
    isolation_probe: Probe, intruder: OrderCloudClient, seller: OrderCloudClient, victim_ids: dict[str, str], seeder: Seeder, spec: Spec
) -> None:
    probe, op = isolation_probe, isolation_probe.op
    allure.dynamic.title(f"{op.operation_id}: buyer B's user {probe.kind}s buyer A's object")
    path = fill(op.path, victim_ids)
    if probe.kind == "read":
        response = intruder.get(path)
        other_company_is_refused(response, op.operation_id, f"{op.method} {path} by another company's user")
        return
    found = Findings()
    watch = seller_path(watched(probe, path) if probe.kind == "write" else path, victim_ids["buyerid"], spec)
    before = readable(seller, watch)
    if probe.kind == "create":
        new_id = seeder.id(f"intruder-{op.resource.lower()}")
        template = readable(seller, seller_path(fill(_item_read_path(probe, spec), victim_ids), victim_ids["buyerid"], spec))[1]
        body = {**write_body(probe, template), "ID": new_id}
        if "Username" in ((op.request_schema or {}).get("properties") or {}):
            body["Username"] = new_id
        seeder.delete_later(seller_path(f"{path}/{new_id}", victim_ids["buyerid"], spec))  # only if the target wrongly created it
        response = intruder.post(path, body)
        watch = seller_path(f"{path}/{new_id}", victim_ids["buyerid"], spec)
        before = (404, None)
    elif path.endswith("/assignments"):
        response = intruder.request(op.method, path, json_body=assignment_body(probe, victim_ids))
    else:
        response = intruder.request(op.method, path, json_body=write_body(probe, before[1]) if op.request_schema is not None else None)
    found.check(lambda: other_company_is_refused(response, op.operation_id, f"{op.method} {path} by another company's user"))
    after = readable(seller, watch)
    found.check(lambda: other_company_object_unchanged(before, after, op.operation_id, f"{watch} as the seller reads it"))
    found.raise_any()


def _item_read_path(probe: Probe, spec: Spec) -> str:
    """The item GET of a create's collection: what the victim's existing object looks like."""
    for op in spec.operations:
        if op.method == "GET" and op.path.startswith(probe.op.path + "/{") and op.path.count("/") == probe.op.path.count("/") + 1:
            return op.path
    pytest.skip(f"{probe.op.operation_id}: no item GET to copy a valid body from")
