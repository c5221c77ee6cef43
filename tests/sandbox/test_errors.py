"""Errors (BEHAVIOUR.md §2): one standard body, the right status, and never a 500 for bad input."""

from __future__ import annotations

import re

import httpx
import pytest
from _sandbox_api import error_of

from ocgate.config import load_settings
from ocgate.spec import load_spec

BODY_OPERATIONS = [op for op in load_spec(load_settings().spec_location).operations if op.request_schema is not None]
GARBAGE_BODIES = [b"[]", b'"text"', b"42", b"null", b'{"ID": 5}', b'{"xp": "not an object"}', b"{", b"\xff\xfe"]


def test_a_missing_object_is_404_naming_its_type_and_id(admin: httpx.Client) -> None:
    response = admin.get("/buyers/no-such-buyer")
    assert response.status_code == 404
    error = error_of(response)
    assert error["ErrorCode"] == "NotFound"
    assert error["Data"] == {"ObjectType": "Buyer", "ObjectID": "no-such-buyer"}


def test_a_missing_parent_is_404_naming_the_parent(admin: httpx.Client) -> None:
    response = admin.get("/buyers/no-such-buyer/users/someone")
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": "Buyer", "ObjectID": "no-such-buyer"}


def test_a_reference_to_a_missing_object_is_404(admin: httpx.Client) -> None:
    response = admin.post("/securityprofiles/assignments", json={"SecurityProfileID": "no-such-profile"})
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": "SecurityProfile", "ObjectID": "no-such-profile"}


def test_creating_an_existing_id_is_409_id_exists(admin: httpx.Client) -> None:
    assert admin.post("/catalogs", json={"ID": "twice", "Name": "First"}).status_code == 201
    response = admin.post("/catalogs", json={"ID": "twice", "Name": "Second"})
    assert response.status_code == 409
    assert error_of(response)["ErrorCode"] == "IdExists"
    assert admin.get("/catalogs/twice").json()["Name"] == "First"


def test_a_missing_required_field_is_400_naming_it(admin: httpx.Client) -> None:
    response = admin.post("/buyers", json={"Active": True})
    assert response.status_code == 400
    error = error_of(response)
    assert error["ErrorCode"] == "ValidationFailure"
    assert "Name" in error["Message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"Name": 42}, "Name"),  # wrong type
        ({"Name": "ok", "Active": "yes"}, "Active"),  # wrong type
        ({"Name": "x" * 101}, "Name"),  # Product.Name maxLength 100
        ({"ID": "x" * 101, "Name": "ok"}, "ID"),  # IDs are at most 100 characters
        ({"Name": "ok", "xp": []}, "xp"),
        ({"Name": "ok", "QuantityMultiplier": 2**31}, "QuantityMultiplier"),  # int32: beyond a .NET int
        ({"Name": "ok", "Inventory": {"QuantityAvailable": -(2**31) - 1}}, "Inventory.QuantityAvailable"),
    ],
)
def test_invalid_fields_are_400_validation_failures_naming_the_property(admin: httpx.Client, body: dict, field: str) -> None:
    response = admin.post("/products", json=body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["ErrorCode"] == "ValidationFailure"
    assert error["Data"]["Property"] == field


def test_malformed_json_is_400(admin: httpx.Client) -> None:
    response = admin.post("/products", content=b'{"Name": "unclosed', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "InvalidRequest"


def test_a_body_that_is_not_json_content_is_400_invalid_content_type(admin: httpx.Client) -> None:
    response = admin.post("/products", content=b"Name=form", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "Request.InvalidContentType"


def test_a_body_that_is_not_an_object_is_400(admin: httpx.Client) -> None:
    response = admin.post("/products", json=[{"Name": "in a list"}])
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "ValidationFailure"


def test_an_unknown_route_is_404_and_a_wrong_method_405_in_the_standard_shape(admin: httpx.Client) -> None:
    unknown = admin.get("/no/such/route")
    wrong_method = admin.post("/me")
    assert unknown.status_code == 404
    assert error_of(unknown)["ErrorCode"] == "NotFound"
    assert wrong_method.status_code == 405
    assert error_of(wrong_method)["Data"] == {"Allowed": ["GET", "PATCH", "PUT"]}


@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=lambda op: op.operation_id)
def test_garbage_bodies_get_an_error_body_never_a_server_error(admin: httpx.Client, op) -> None:
    path = re.sub(r"{direction}", "Incoming", op.path)
    path = re.sub(r"{\w+}", "garbage-id", path)
    for body in GARBAGE_BODIES:
        response = admin.request(op.method, path, content=body, headers={"Content-Type": "application/json"})
        assert 400 <= response.status_code < 500, f"{op.method} {path} {body!r}: {response.status_code} {response.text}"
        error_of(response)


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/priceschedules/any/PriceBreaks", {}, "quantity"),  # required
        ("/priceschedules/any/PriceBreaks", {"quantity": "one"}, "quantity"),  # an integer
        ("/securityprofiles/assignments", {"level": "Everyone"}, "level"),  # one of its enum
        ("/buyers/any/addresses/assignments", {"isShipping": "maybe"}, "isShipping"),  # a boolean
    ],
)
def test_query_parameters_are_checked_against_the_spec(admin: httpx.Client, path: str, query: dict, parameter: str) -> None:
    method = "DELETE" if "PriceBreaks" in path else "GET"
    response = admin.request(method, path, params=query)
    assert response.status_code == 400
    error = error_of(response)
    assert (error["ErrorCode"], error["Data"]["Parameter"]) == ("InvalidRequest", parameter)


def test_a_non_string_id_is_a_validation_failure_even_where_id_is_read_only(admin):
    admin.post("/apiclients", json={"ID": "ro-id-client", "AppName": "a", "AccessTokenDuration": 600})
    response = admin.patch("/apiclients/ro-id-client", json={"ID": {"nested": 1}})
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == "ValidationFailure"


def test_a_query_parameter_without_a_name_is_not_a_server_error(admin):
    assert admin.get("/products/assignments", params={"": "x"}).status_code < 500


def test_a_required_field_sent_as_null_is_missing(admin):
    response = admin.post("/catalogs/productassignments", json={"CatalogID": None, "ProductID": None})
    assert response.status_code == 400
    assert response.json()["Errors"][0]["Data"]["Property"] in ("CatalogID", "ProductID")


def test_a_path_with_an_encoded_line_break_gets_the_standard_error_body(admin):
    response = admin.get("/orders/%C2%98/5%0Ax")
    assert response.status_code == 404
    assert response.json()["Errors"][0]["ErrorCode"] == "NotFound"


def test_dates_before_year_1000_keep_four_digit_years(admin):
    created = admin.post("/buyers", json={"Name": "old dates"}).json()
    user = admin.post(f"/buyers/{created['ID']}/users", json={"Username": f"old-{created['ID']}", "FirstName": "a", "LastName": "b", "Email": "a@b.c", "Active": True, "TermsAccepted": "0314-06-07T18:07:44Z"}).json()
    assert user["TermsAccepted"].startswith("0314-06-07T18:07:44")
