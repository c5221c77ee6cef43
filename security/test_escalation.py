"""Privilege escalation and mass assignment.

A user cannot raise its own roles: not by sending AvailableRoles in a Me patch, not by making an
assignment its roles do not allow (a security profile, a user group with roles); after each
attempt it logs in again asking for every role, and its token holds only what it was given.
Read-only fields (the document's readOnly: totals, status, IsSubmitted, dates, AvailableRoles,
owner IDs) sent in a PATCH do not stick: one PATCH per request model (ocgate.security.derive),
by the object's legitimate owner (the seller, or buyer A's shopper for its own orders and /me).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import jwt
import pytest
from checks import assignment_needs_its_role, read_only_field_does_not_stick, roles_cannot_be_raised_by_their_holder
from conftest import fill

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, SeededMarketplace, SeededUser, Seeder
from ocgate.security.derive import read_only_fields
from ocgate.security.findings import Findings
from ocgate.spec import Operation, Spec

pytestmark = [allure.epic("Security"), allure.feature("Privilege escalation")]

ESCALATED = "FullAccess"
#: An implausible value per format or type, that no server would set on its own.
PLANTED: dict[str, Any] = {"date-time": "2001-02-03T04:05:06+00:00", "number": 987654.32, "integer": 987654, "string": "ocgate-planted"}


@pytest.fixture(scope="module")
def climber(new_user: Callable[..., SeededUser]) -> SeededUser:
    return new_user("climber")


def token_roles(login: Callable[..., dict[str, Any]], user: SeededUser) -> set[str]:
    """The roles of a token the user asks without a scope: every role assigned to it (BEHAVIOUR.md §1.2)."""
    claims = jwt.decode(login(user)["access_token"], options={"verify_signature": False})
    roles = claims.get("role") or []
    return set([roles] if isinstance(roles, str) else roles)


def role_granting_assignments(spec: Spec, held: set[str]) -> list[Operation]:
    """POST assignments that would raise the assignee's roles (they name a SecurityProfileID, or put a
    user in a user group) and that none of the held roles allows."""
    ops = []
    for op in spec.operations:
        properties = (op.request_schema or {}).get("properties") or {}
        grants = "SecurityProfileID" in properties or {"UserGroupID", "UserID"} <= set(properties)
        if op.method == "POST" and "Assignment" in op.verb and grants and not held & set(op.roles):
            ops.append(op)
    return ops


@allure.story("Own roles")
def test_a_user_cannot_raise_its_own_roles(
    climber: SeededUser,
    api: Callable[[str], OrderCloudClient],
    login: Callable[..., dict[str, Any]],
    spec: Spec,
    marketplace: SeededMarketplace,
    buyer_a: SeededBuyer,
    seeder: Seeder,
) -> None:
    given = set(marketplace.data.roles.shopper)
    me = api(climber.persona)
    found = Findings()
    me.patch("/me", {"AvailableRoles": sorted(given | {ESCALATED})})
    found.check(lambda: roles_cannot_be_raised_by_their_holder(token_roles(login, climber), given, "Me.Patch", "after PATCH /me with AvailableRoles"))
    ids = {"securityprofileid": seeder.id("approver"), "usergroupid": buyer_a.approver_group_id, "userid": climber.user_id, "buyerid": buyer_a.id}
    for op in role_granting_assignments(spec, given):
        properties = (op.request_schema or {}).get("properties") or {}
        body = {name: ids[name.lower()] for name in properties if name.lower() in ids}
        if "SecurityProfileID" in body:
            body.pop("UserGroupID", None)
        if any(param.lower() not in ids for param in op.path_params):
            continue
        response = me.post(fill(op.path, ids), body)
        found.check(lambda response=response, op=op: assignment_needs_its_role(response, op.operation_id, "assigning itself"))
    found.check(lambda: roles_cannot_be_raised_by_their_holder(token_roles(login, climber), given, "SecurityProfiles.SaveAssignment", "after its own assignments"))
    found.raise_any()


def planted(field: str, schema: dict[str, Any], current: Any) -> Any:
    """A value for a read-only field that differs from its current one, or None to leave it out."""
    if schema.get("enum"):
        others = [value for value in schema["enum"] if value != current]
        return others[-1] if others else None
    kind = schema.get("format") if schema.get("format") == "date-time" else schema.get("type")
    if kind == "boolean":
        return not current if isinstance(current, bool) else True
    if kind == "array":
        return [*(current or []), ESCALATED] if field.endswith("Roles") else None
    value = PLANTED.get(kind or "")
    return value if value != current else None


@allure.story("Read-only fields")
def test_read_only_fields_do_not_stick(read_only_op: Operation, victim_ids: dict[str, str], seller: OrderCloudClient, shopper_a: OrderCloudClient) -> None:
    op = read_only_op
    path = fill(op.path, victim_ids)
    owner = shopper_a if path.startswith(("/me", "/orders/")) else seller
    before = owner.get(path)
    if not before.is_success:
        pytest.skip(f"{op.operation_id}: the owner cannot read {path} ({before.status_code}); nothing to patch")
    current = before.json()
    body = {field: value for field, schema in read_only_fields(op.request_schema).items() if (value := planted(field, schema, current.get(field))) is not None}
    owner.patch(path, body)
    after = owner.get(path).json()
    found = Findings()
    for field, sent in body.items():
        found.check(lambda field=field, sent=sent: read_only_field_does_not_stick(field, sent, after.get(field), op.operation_id))
    found.raise_any()
