"""Secrets stay secret: password fields come back null everywhere, client secrets only where documented.

One GET per resource whose model has a password (ocgate.security.derive.secret_probes), by a
user allowed to call it, and the answer to creating a user with a password.
"""

from __future__ import annotations

from typing import Any

import allure
from checks import password_is_never_returned, secret_only_where_documented
from conftest import fill

from ocgate.api.client import OrderCloudClient
from ocgate.api.seeding import SeededBuyer, Seeder, new_password
from ocgate.security.derive import acting_role, model_schema, secret_properties
from ocgate.security.findings import Findings
from ocgate.spec import Operation, Spec

pytestmark = [allure.epic("Security"), allure.feature("Secrets")]


def documented_secrets(schema: dict[str, Any]) -> set[str]:
    return {name for name in (schema.get("properties") or {}) if name.endswith("Secret")}


def test_passwords_are_never_returned(secret_op: Operation, victim_ids: dict[str, str], seller: OrderCloudClient, shopper_a: OrderCloudClient) -> None:
    op = secret_op
    reader = shopper_a if acting_role(op) in ("Shopper", None) or op.path.startswith("/me") else seller
    response = reader.get(fill(op.path, victim_ids))
    assert response.is_success, f"{op.operation_id}: {response.status_code} {response.text[:200]}"
    model = model_schema(op)
    found = Findings()
    found.check(lambda: password_is_never_returned(response.json(), secret_properties(model), op.operation_id))
    found.check(lambda: secret_only_where_documented(response.json(), documented_secrets(model), op.operation_id))
    found.raise_any()


def test_a_password_sent_on_create_is_not_returned(spec: Spec, seller: OrderCloudClient, seeder: Seeder, buyer_a: SeededBuyer) -> None:
    """Users.Create takes a Password (format: password); its answer, and the user read back, hold none."""
    op = spec.operation("Users.Create")
    user_id = seeder.id("secret-keeper")
    body = {"ID": user_id, "Username": user_id, "Password": new_password(), "FirstName": "Secret", "LastName": "Keeper", "Email": f"{user_id}@example.com", "Active": True}
    created = seeder.create(f"/buyers/{buyer_a.id}/users", body, client=seller)
    fields = secret_properties(op.request_schema)
    found = Findings()
    found.check(lambda: password_is_never_returned(created, fields, op.operation_id))
    found.check(lambda: password_is_never_returned(seller.ok("GET", f"/buyers/{buyer_a.id}/users/{user_id}"), fields, "Users.Get"))
    found.raise_any()
