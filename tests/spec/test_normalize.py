"""The normalized, facts-only form: contract kept, prose dropped, the built-in document shipped in it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ocgate.spec import DEFAULT_BUILTIN, load_document, load_spec, normalize

PROSE = {"description", "summary", "example", "examples", "externalDocs"}


@pytest.fixture(scope="module")
def builtin() -> dict[str, Any]:
    return load_document(DEFAULT_BUILTIN)


def keywords_outside_names(node: Any, under_names: bool = False) -> set[str]:
    """Every key used as a keyword (not as the name of a property, path, status, ...)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= keywords_outside_names(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not under_names:
                found.add(key)
            if key in ("enum", "default", "required"):
                continue
            found |= keywords_outside_names(value, under_names=key in ("paths", "properties", "schemas", "responses", "content", "securitySchemes", "flows", "scopes") and isinstance(value, dict) and not under_names)
    return found


def test_the_built_in_document_is_ordercloud_1_0_260_with_its_439_operations(builtin) -> None:
    assert builtin["info"]["version"] == "1.0.260.26968"
    operations = [op for item in builtin["paths"].values() for op in item.values()]
    assert len(operations) == 439
    assert all(op["operationId"] and "security" in op and "tags" in op for op in operations)


def test_the_built_in_document_carries_no_prose(builtin) -> None:
    assert not PROSE & (keywords_outside_names(builtin) - {"description"})
    responses = [response for item in builtin["paths"].values() for op in item.values() for response in op["responses"].values()]
    assert {response["description"] for response in responses} == {""}  # OpenAPI 3 requires the field
    assert builtin["info"] == {"title": "OrderCloud", "version": "1.0.260.26968"}


def test_facts_survive_roles_required_fields_enums_and_properties_named_like_keywords(builtin) -> None:
    spec = load_spec(DEFAULT_BUILTIN)
    assert spec.operation("Products.Create").roles == ("FullAccess", "ProductAdmin")
    assert "Description" in spec.schema("Product")["properties"]
    assert spec.schema("Product")["properties"]["Name"]["maxLength"] == 100
    assert "OrderReturn" in spec.schema("SellerApprovalRule")["properties"]["ApprovalType"]["enum"]


def test_buyer_users_only_is_kept_as_a_fact_where_the_prose_said_it(builtin) -> None:
    marked = {op["operationId"] for item in builtin["paths"].values() for op in item.values() if op.get("x-ocgate-buyer-users-only")}
    assert len(marked) == 40
    assert "Me.ListAddresses" in marked and "Me.Get" not in marked


def test_normalizing_is_idempotent(builtin) -> None:
    assert normalize(builtin) == builtin


def test_prose_and_vendor_extensions_go_but_names_and_literal_values_stay() -> None:
    document = {
        "openapi": "3.0.1",
        "info": {"title": "T", "version": "9", "description": "long story", "contact": {"email": "x@example.com"}},
        "tags": [{"name": "Things", "description": "about things", "x-section-id": "S"}],
        "paths": {
            "/things": {
                "get": {
                    "operationId": "Things.List",
                    "summary": "List things. Only available to Buyer Users.",
                    "parameters": [{"name": "search", "in": "query", "description": "free text", "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
                    "security": [{"OAuth2": ["Shopper"]}],
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "description": "a thing",
                    "example": {"description": "x"},
                    "properties": {
                        "description": {"type": "string", "description": "the property called description"},
                        "Kind": {"type": "string", "enum": ["description", "summary"], "default": "summary"},
                    },
                }
            }
        },
    }
    original = copy.deepcopy(document)
    facts = normalize(document)
    assert document == original
    operation = facts["paths"]["/things"]["get"]
    assert operation == {
        "operationId": "Things.List",
        "parameters": [{"name": "search", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}, "description": ""}},
        "security": [{"OAuth2": ["Shopper"]}],
        "x-ocgate-buyer-users-only": True,
    }
    assert facts["components"]["schemas"]["Thing"] == {
        "type": "object",
        "properties": {"description": {"type": "string"}, "Kind": {"type": "string", "enum": ["description", "summary"], "default": "summary"}},
    }
    assert facts["tags"] == [{"name": "Things"}]
    assert facts["info"] == {"title": "T", "version": "9"}
