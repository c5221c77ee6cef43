"""The spec module: loading the OpenAPI document, the overlay of documented corrections, and the operation index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ocgate.spec import DEFAULT_BUILTIN, SpecError, apply_overlay, load_document, load_overlay, load_spec, resolve

PINNED = DEFAULT_BUILTIN


@pytest.fixture(scope="module")
def spec():
    return load_spec(PINNED)


def test_the_pinned_document_has_439_operations_and_the_overlay_adds_the_4_token_revocations(spec) -> None:
    assert len(load_document(PINNED)["paths"]) == 222
    added = {"Me.RevokeTokens", "AdminUsers.RevokeUserTokens", "Users.RevokeUserTokens", "SupplierUsers.RevokeUserTokens"}
    assert len(spec.operations) == 439 + 4
    assert added <= {op.operation_id for op in spec.operations}
    assert len({op.operation_id for op in spec.operations}) == len(spec.operations)


def test_loading_is_cached_and_never_changes_the_raw_document(spec) -> None:
    assert load_spec(PINNED) is spec
    assert "oauth/certs/{ID}" in load_document(PINNED)["paths"]


def test_the_certs_path_gets_its_leading_slash(spec) -> None:
    assert spec.operation("Certs.GetPublicKey").path == "/oauth/certs/{ID}"
    assert all(path.startswith("/") for path in spec.document["paths"])


def test_every_model_property_is_nullable_because_the_api_returns_null_for_unset_values(spec) -> None:
    schemas = load_document(PINNED)["components"]["schemas"]
    overlaid = spec.document["components"]["schemas"]
    for name, schema in schemas.items():
        for prop in schema.get("properties", {}):
            assert overlaid[name]["properties"][prop]["nullable"] is True, f"{name}.{prop}"


def test_every_operation_documents_the_standard_error_responses(spec) -> None:
    for path, item in spec.document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert {"400", "401", "404", "409"} <= statuses, f"{method} {path}"


def test_403_is_documented_only_where_something_can_be_forbidden(spec) -> None:
    def responses(operation_id: str) -> dict:
        op = spec.operation(operation_id)
        return spec.document["paths"][op.path][op.method.lower()]["responses"]

    assert "403" in responses("Products.Create")  # has roles
    assert "403" not in responses("Me.Get")  # any valid token
    assert "403" in responses("Me.ListUserGroups")  # no roles, but "Only available to Buyer Users"


def test_error_responses_use_the_standard_error_body(spec) -> None:
    schema = resolve(spec.document, {"$ref": "#/components/schemas/ErrorResponse"})
    assert schema["required"] == ["Errors"]
    assert schema["properties"]["Errors"]["items"]["required"] == ["ErrorCode", "Message", "Data"]


def test_paging_parameters_carry_their_documented_bounds(spec) -> None:
    params = spec.operation("Products.List").query_params()
    assert (params["pageSize"]["schema"]["minimum"], params["pageSize"]["schema"]["maximum"]) == (1, 100)
    assert params["page"]["schema"]["minimum"] == 1


def test_filters_are_the_scalar_properties_of_the_listed_model(spec) -> None:
    filters = spec.operation("Products.List").query_params()["filters"]
    properties = filters["schema"]["properties"]
    assert {"ID", "Name", "Active", "ShipWeight"} <= set(properties)
    assert "xp" not in properties and "Inventory" not in properties
    assert filters["schema"]["additionalProperties"] is False


def test_a_query_parameter_the_current_api_treats_as_optional_is_optional(spec) -> None:
    assert spec.operation("Me.GetCategory").query_params()["catalogID"]["required"] is False


def test_operations_know_their_roles_and_success_status(spec) -> None:
    create = spec.operation("Products.Create")
    assert create.roles == ("FullAccess", "ProductAdmin")
    assert (create.method, create.success_status, create.resource, create.verb) == ("POST", 201, "Products", "Create")
    assert spec.operation("Products.Delete").success_status == 204
    assert spec.operation("Me.Get").roles == ()


def test_schemas_are_resolved_without_refs(spec) -> None:
    schema = spec.operation("Products.Create").request_schema
    assert "$ref" not in json.dumps(schema)
    assert schema["title"] == "Product"
    assert spec.schema("Buyer")["properties"]["Name"]["type"] == "string"


def test_buyer_only_me_routes_are_recognised(spec) -> None:
    assert spec.operation("Me.ListAddresses").buyer_users_only
    assert not spec.operation("Me.Get").buyer_users_only


def test_every_overlay_entry_says_why_it_exists() -> None:
    assert all(entry["reason"].strip() for entry in load_overlay())


def test_an_overlay_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay.json"
    overlay.write_text(json.dumps({"corrections": [{"id": "silent", "kind": "rename_path", "from": "a", "to": "/a"}]}))
    with pytest.raises(SpecError, match="'silent' has no reason"):
        load_overlay(overlay)


def test_the_overlay_works_on_a_copy() -> None:
    document = {"openapi": "3.0.0", "paths": {"x": {}}, "components": {"schemas": {}}}
    corrected = apply_overlay(document, [{"kind": "rename_path", "from": "x", "to": "/x", "reason": "test"}])
    assert list(corrected["paths"]) == ["/x"]
    assert list(document["paths"]) == ["x"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot load"), ("{not json", "is not JSON"), ('{"swagger": "2.0"}', "not an OpenAPI 3 document")],
)
def test_a_document_that_cannot_be_used_is_a_clear_spec_error(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "openapi.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SpecError, match=message):
        load_document(str(path))
