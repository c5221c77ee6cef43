"""`builtin:current`: the current API (1.0.445) built from the SDKs over 1.0.260 (`ocgate.spec.current`).

Every endpoint of 1.0.445's public endpoint index (copied to `seed-endpoints-1.0.445.txt`) is in
it, every 1.0.260 operation kept its roles, every operation has roles (or is documented as
any-token), the roles the SDKs do not state come from the overlay with a source or a reason,
and the embedded sandbox routes every endpoint of the index.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ocgate.config import load_settings
from ocgate.sandbox.registry import HANDLERS
from ocgate.sandbox.server import EmbeddedSandbox
from ocgate.spec import load_overlay, load_spec
from ocgate.spec.current import path_key
from ocgate.spec.sources import BUILTIN, DEFAULT_BUILTIN, builtin_path

SEED = Path(__file__).with_name("seed-endpoints-1.0.445.txt")
CURRENT = "builtin:current"
#: Not under /v1, so not in the endpoint index: the key that verifies tokens.
NOT_IN_INDEX = {("GET", "/oauth/certs/{}")}


def seed_endpoints() -> list[tuple[str, str]]:
    lines = [line.split() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    return [(method, path) for method, path in lines]


def role_entries() -> dict[str, dict]:
    """operationId -> its entry in the overlay's operation_roles corrections."""
    found: dict[str, dict] = {}
    for entry in load_overlay():
        if entry["kind"] == "operation_roles":
            found.update(entry["operations"])
    return found


def test_the_index_has_632_endpoints() -> None:
    endpoints = seed_endpoints()
    assert len(endpoints) == 632
    assert len({path_key(*endpoint) for endpoint in endpoints}) == 632


def test_every_endpoint_of_the_index_is_in_current_and_nothing_else() -> None:
    spec = load_spec(CURRENT)
    ours = {path_key(op.method, op.path) for op in spec.operations}
    index = {path_key(*endpoint) for endpoint in seed_endpoints()}
    assert sorted(index - ours) == []
    assert ours - index == NOT_IN_INDEX
    assert spec.version == "1.0.445"


def test_current_is_a_builtin_and_1_0_260_stays_the_default() -> None:
    assert DEFAULT_BUILTIN == "builtin:1.0.260"
    assert list(BUILTIN) == ["1.0.260", "current"]
    assert load_spec("builtin:1.0.260").version.startswith("1.0.260")


def test_the_stored_document_is_normalized_and_states_no_invented_roles() -> None:
    """Facts only; the added operations carry no `security`: their roles are the overlay's."""
    document = json.loads(gzip.decompress(builtin_path(CURRENT).read_bytes()))
    base = json.loads(gzip.decompress(builtin_path("builtin:1.0.260").read_bytes()))
    base_ids = {op["operationId"] for item in base["paths"].values() for op in item.values()}
    for item in document["paths"].values():
        for operation in item.values():
            assert "description" not in operation and "summary" not in operation
            assert ("security" in operation) == (operation["operationId"] in base_ids), operation["operationId"]


def test_every_1_0_260_operation_is_kept_with_its_roles() -> None:
    old = load_spec("builtin:1.0.260")
    current = {(op.method, op.path): op for op in load_spec(CURRENT).operations}
    for op in old.operations:
        kept = current.get((op.method, op.path))
        assert kept is not None, f"{op.method} {op.path}"
        assert kept.operation_id == op.operation_id
        assert kept.roles == op.roles, op.operation_id
        assert kept.success_status == op.success_status, op.operation_id


def test_models_of_1_0_260_gain_the_properties_the_current_sdk_adds_and_keep_their_own() -> None:
    def properties(location: str, model: str) -> dict:
        document = json.loads(gzip.decompress(builtin_path(location).read_bytes()))
        return document["components"]["schemas"][model]["properties"]

    for model, added in (("Order", "SubscriptionID"), ("LineItem", "BundleItemID"), ("Promotion", "AutoApply")):
        old, new = properties("builtin:1.0.260", model), properties(CURRENT, model)
        assert added in new and added not in old, f"{model}.{added}"
        assert {name: new[name] for name in old} == old, model
    assert properties(CURRENT, "Order")["SubscriptionID"].get("readOnly") is True


def test_every_operation_has_roles_or_is_documented_as_any_token() -> None:
    """No roles = any valid token: stated so by 1.0.260 (`security` with no roles), or by the overlay with a reason."""
    base = json.loads(gzip.decompress(builtin_path("builtin:1.0.260").read_bytes()))
    stated = {op["operationId"] for item in base["paths"].values() for op in item.values() if "security" in op}
    entries = role_entries()
    any_token = [op.operation_id for op in load_spec(CURRENT).operations if not op.roles]
    for operation_id in any_token:
        if operation_id not in stated:
            assert entries[operation_id]["roles"] == [] and entries[operation_id]["reason"], operation_id
    assert len(any_token) < 10, any_token


def test_roles_the_sdks_do_not_state_come_from_the_overlay_with_a_source_or_a_reason() -> None:
    old = {op.operation_id for op in load_spec("builtin:1.0.260").operations}
    entries = role_entries()
    known_roles = set(load_spec(CURRENT).schema("ApiRole")["enum"])
    added = [op for op in load_spec(CURRENT).operations if op.operation_id not in old]
    assert len(added) >= 190
    for op in added:
        entry = entries[op.operation_id]
        assert list(op.roles) == entry["roles"], op.operation_id
        assert set(entry["roles"]) <= known_roles, op.operation_id
        if entry.get("inferred"):
            assert entry["reason"], op.operation_id
        else:
            assert entry["source"].startswith("https://"), op.operation_id


def test_operation_roles_do_nothing_to_1_0_260() -> None:
    """The overlay's role entries name only operations 1.0.260 lacks or states roles for."""
    spec = load_spec("builtin:1.0.260")
    entries = role_entries()
    for op in spec.operations:
        if op.operation_id in entries and op.operation_id not in ("AdminUsers.RevokeUserTokens", "Users.RevokeUserTokens", "SupplierUsers.RevokeUserTokens", "Me.RevokeTokens"):
            pytest.fail(f"{op.operation_id} is a 1.0.260 operation with roles of its own")


# -- the embedded sandbox routes every endpoint of the index ------------------------------------------------


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(load_settings(spec=CURRENT)) as running:
        yield running


@pytest.fixture(scope="module")
def admin(sandbox: EmbeddedSandbox) -> Iterator[httpx.Client]:
    settings = load_settings(spec=CURRENT)
    persona = settings.persona("seller_admin")
    assert persona.username and persona.password
    form = {"grant_type": "password", "client_id": settings.client_id, "username": persona.username,
            "password": persona.password.get_secret_value(), "scope": "FullAccess"}
    token = httpx.post(f"{sandbox.base_url}/oauth/token", data=form).json()["access_token"]
    with httpx.Client(base_url=f"{sandbox.base_url}/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


def placeholder(path: str) -> str:
    """The path with each parameter replaced by an ID nothing has (`{direction}` by a direction)."""
    parts = []
    for segment in path.split("/"):
        if segment == "{direction}":
            parts.append("Incoming")
        elif segment.startswith("{"):
            parts.append("no-such-" + segment.strip("{}"))
        else:
            parts.append(segment)
    return "/".join(parts)


def unbound(sandbox: EmbeddedSandbox) -> set[str]:
    """Operations with neither a hand-written handler nor a generic binding (none left)."""
    assert sandbox.market is not None
    return {op.operation_id for op in sandbox.market.spec.operations
            if op.operation_id not in HANDLERS and op.operation_id not in sandbox.market.resources.bindings}


def test_the_sandbox_routes_every_endpoint_of_the_index(sandbox: EmbeddedSandbox, admin: httpx.Client) -> None:
    """No "No such route" 404 and no 5xx anywhere: every operation has code serving it;
    NotFound for a missing object, 400 or 403 are fine."""
    assert sandbox.market is not None
    assert unbound(sandbox) == set()
    unrouted, broken, statuses = [], [], {}
    last = ("DELETE", "/me/tokens")  # revokes the caller's own token: called after every other endpoint
    for method, path in sorted(seed_endpoints(), key=lambda endpoint: endpoint == last):
        body = {} if method in ("POST", "PUT", "PATCH") else None
        response = admin.request(method, placeholder(path), json=body)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        errors = response.json().get("Errors", []) if response.headers.get("content-type", "").startswith("application/json") else []
        if response.status_code == 405 or any((e.get("Data") or {}).get("ObjectType") == "Route" for e in errors):
            unrouted.append(f"{method} {path}: {response.status_code}")
        if response.status_code >= 500:
            broken.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
    assert unrouted == [] and broken == [], {"unrouted": unrouted, "5xx": broken, "statuses": statuses}
    assert 401 not in statuses, statuses  # the admin's token held: every endpoint was really asked
