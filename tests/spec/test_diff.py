"""`ocgate spec diff`'s library: doctored copies of the 1.0.260 document, and the change each must show."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console

from ocgate.spec import SpecError, load_document
from ocgate.spec.diff import BREAKING, Change, Kind, SpecDiff, diff_documents
from ocgate.spec.document import each_operation

Document = dict[str, Any]


@pytest.fixture(scope="module")
def reference() -> Document:
    """The 1.0.260 document, loaded once; tests diff doctored deep copies of it (load_document caches it)."""
    return load_document("builtin:1.0.260")


def doctored(reference: Document, doctor: Callable[[Document], None]) -> Document:
    document = copy.deepcopy(reference)
    doctor(document)
    return document


def operation(document: Document, operation_id: str) -> dict[str, Any]:
    return next(raw for _, _, raw in each_operation(document) if raw["operationId"] == operation_id)


def found(diff: SpecDiff, kind: Kind, operation_id: str) -> list[Change]:
    return [change for change in diff.changes if change.kind == kind and change.operation == operation_id]


# -- the doctors: one change each ----------------------------------------------------------


def remove_buyers_create(document: Document) -> None:
    del document["paths"]["/buyers"]["post"]


def add_an_operation(document: Document) -> None:
    get = copy.deepcopy(document["paths"]["/buyers/{buyerID}"]["get"])
    document["paths"]["/buyers/{buyerID}/rating"] = {"get": {**get, "operationId": "Buyers.GetRating"}}


def remove_the_buyer_admin_role_from_buyers_create(document: Document) -> None:
    operation(document, "Buyers.Create")["security"] = [{"OAuth2": ["FullAccess"]}]


def add_a_role_to_buyers_create(document: Document) -> None:
    operation(document, "Buyers.Create")["security"][0]["OAuth2"].append("BuyerReader")


def require_a_role_for_me_get(document: Document) -> None:
    operation(document, "Me.Get")["security"] = [{"OAuth2": ["MeAdmin"]}]


def request_schema(document: Document, operation_id: str) -> dict[str, Any]:
    return operation(document, operation_id)["requestBody"]["content"]["application/json"]["schema"]


def require_default_catalog_on_buyers_create(document: Document) -> None:
    # the required list lives on the operation's request body (allOf Buyer + required), not in the component
    request_schema(document, "Buyers.Create")["required"].append("DefaultCatalogID")


def add_a_required_region_to_buyers_create(document: Document) -> None:
    document["components"]["schemas"]["Buyer"]["properties"]["Region"] = {"type": "string"}
    request_schema(document, "Buyers.Create")["required"].append("Region")


def drop_spending_account_payments(document: Document) -> None:
    document["components"]["schemas"]["PaymentType"]["enum"].remove("SpendingAccount")


def add_a_payment_type(document: Document) -> None:
    document["components"]["schemas"]["PaymentType"]["enum"].append("GiftCard")


def make_order_total_a_string(document: Document) -> None:
    document["components"]["schemas"]["Order"]["properties"]["Total"]["type"] = "string"


def remove_the_buyer_default_catalog(document: Document) -> None:
    del document["components"]["schemas"]["Buyer"]["properties"]["DefaultCatalogID"]


def add_an_optional_query_parameter_to_buyers_list(document: Document) -> None:
    operation(document, "Buyers.List")["parameters"].append(
        {"name": "region", "in": "query", "required": False, "schema": {"type": "string"}}
    )


def add_a_required_query_parameter_to_buyers_list(document: Document) -> None:
    operation(document, "Buyers.List")["parameters"].append(
        {"name": "region", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def remove_the_search_parameter_of_buyers_list(document: Document) -> None:
    parameters = operation(document, "Buyers.List")["parameters"]
    parameters[:] = [parameter for parameter in parameters if parameter["name"] != "search"]


def require_the_search_parameter_of_buyers_list(document: Document) -> None:
    next(p for p in operation(document, "Buyers.List")["parameters"] if p["name"] == "search")["required"] = True


def narrow_what_buyers_can_be_searched_on(document: Document) -> None:
    search_on = next(p for p in operation(document, "Buyers.List")["parameters"] if p["name"] == "searchOn")
    search_on["schema"]["items"]["enum"].remove("ID")


def shorten_buyer_names(document: Document) -> None:
    document["components"]["schemas"]["Buyer"]["properties"]["Name"]["maxLength"] = 50


def make_buyer_names_read_only(document: Document) -> None:
    document["components"]["schemas"]["Buyer"]["properties"]["Name"]["readOnly"] = True


def answer_buyers_create_with_200(document: Document) -> None:
    responses = operation(document, "Buyers.Create")["responses"]
    responses["200"] = responses.pop("201")


def answer_buyers_get_with_204(document: Document) -> None:
    responses = operation(document, "Buyers.Get")["responses"]
    responses["204"] = {"description": ""}
    del responses["200"]


def make_the_buyers_create_body_optional(document: Document) -> None:
    operation(document, "Buyers.Create")["requestBody"]["required"] = False


def move_buyers_get(document: Document) -> None:
    paths = document["paths"]
    paths["/organizations/{buyerID}"] = {"get": paths["/buyers/{buyerID}"].pop("get")}


def rename_buyers_get(document: Document) -> None:
    operation(document, "Buyers.Get")["operationId"] = "Buyers.Fetch"


def keep_buyers_get_for_buyer_users(document: Document) -> None:
    operation(document, "Buyers.Get")["x-ocgate-buyer-users-only"] = True


def remove_a_component_schema(document: Document) -> None:
    del document["components"]["schemas"]["ExtendedOrder"]  # no operation of 1.0.260 refers to it


CASES = [
    # doctor, kind, operation, breaking
    (remove_buyers_create, Kind.OPERATION_REMOVED, "Buyers.Create", True),
    (add_an_operation, Kind.OPERATION_ADDED, "Buyers.GetRating", False),
    (remove_the_buyer_admin_role_from_buyers_create, Kind.ROLES_REMOVED, "Buyers.Create", True),
    (add_a_role_to_buyers_create, Kind.ROLES_ADDED, "Buyers.Create", False),
    (require_a_role_for_me_get, Kind.ROLES_NOW_REQUIRED, "Me.Get", True),
    (require_default_catalog_on_buyers_create, Kind.REQUEST_FIELD_BECAME_REQUIRED, "Buyers.Create", True),
    (add_a_required_region_to_buyers_create, Kind.REQUEST_FIELD_REQUIRED_ADDED, "Buyers.Create", True),
    (drop_spending_account_payments, Kind.REQUEST_ENUM_NARROWED, "Payments.Create", True),
    (add_a_payment_type, Kind.RESPONSE_ENUM_WIDENED, "Payments.Get", False),
    (make_order_total_a_string, Kind.RESPONSE_TYPE_CHANGED, "Orders.Get", True),
    (remove_the_buyer_default_catalog, Kind.RESPONSE_FIELD_REMOVED, "Buyers.Get", True),
    (add_a_required_query_parameter_to_buyers_list, Kind.PARAMETER_REQUIRED_ADDED, "Buyers.List", True),
    (remove_the_search_parameter_of_buyers_list, Kind.PARAMETER_REMOVED, "Buyers.List", True),
    (require_the_search_parameter_of_buyers_list, Kind.PARAMETER_BECAME_REQUIRED, "Buyers.List", True),
    (narrow_what_buyers_can_be_searched_on, Kind.REQUEST_ENUM_NARROWED, "Buyers.List", True),
    (shorten_buyer_names, Kind.REQUEST_LIMIT_TIGHTENED, "Buyers.Save", True),
    (make_buyer_names_read_only, Kind.REQUEST_FIELD_REMOVED, "Buyers.Patch", True),
    (answer_buyers_create_with_200, Kind.SUCCESS_STATUS_CHANGED, "Buyers.Create", True),
    (answer_buyers_get_with_204, Kind.RESPONSE_BODY_REMOVED, "Buyers.Get", True),
    (make_the_buyers_create_body_optional, Kind.REQUEST_BODY_OPTIONAL, "Buyers.Create", False),
    (move_buyers_get, Kind.PATH_CHANGED, "Buyers.Get", True),
    (rename_buyers_get, Kind.OPERATION_RENAMED, "Buyers.Fetch", True),
    (keep_buyers_get_for_buyer_users, Kind.BUYER_USERS_ONLY, "Buyers.Get", True),
    (remove_a_component_schema, Kind.SCHEMA_REMOVED, "components", True),
]


@pytest.mark.parametrize(("doctor", "kind", "operation_id", "breaking"), CASES, ids=[case[0].__name__ for case in CASES])
def test_each_doctored_change_is_found_on_its_operation(reference, doctor, kind, operation_id, breaking) -> None:
    diff = diff_documents(reference, doctored(reference, doctor))

    assert found(diff, kind, operation_id), [str(change) for change in diff.changes]
    assert all(change.breaking is breaking for change in found(diff, kind, operation_id))
    assert diff.breaking is breaking  # each harmless doctor changes nothing that breaks


def test_the_details_name_the_field_and_the_values(reference) -> None:
    diff = diff_documents(reference, doctored(reference, lambda d: (make_order_total_a_string(d), drop_spending_account_payments(d))))

    assert found(diff, Kind.RESPONSE_TYPE_CHANGED, "Orders.Get")[0].detail == "Order.Total: number -> string"
    assert found(diff, Kind.REQUEST_ENUM_NARROWED, "Payments.Create")[0].detail == "Payment.Type: no longer SpendingAccount"
    # a narrower response enum only narrows what a caller can receive
    assert found(diff, Kind.RESPONSE_ENUM_NARROWED, "Payments.List")[0].detail == "Items[].Type: no longer SpendingAccount"
    assert not found(diff, Kind.RESPONSE_ENUM_NARROWED, "Payments.List")[0].breaking


def test_a_read_only_field_that_changes_is_no_request_change(reference) -> None:
    diff = diff_documents(reference, doctored(reference, make_order_total_a_string))

    assert not [change for change in diff.changes if change.kind.startswith("request")]


def test_a_new_optional_query_parameter_is_the_only_and_a_harmless_change(reference) -> None:
    diff = diff_documents(reference, doctored(reference, add_an_optional_query_parameter_to_buyers_list))

    assert diff.changes == [Change(Kind.PARAMETER_OPTIONAL_ADDED, "Buyers.List", "query parameter region", False)]
    assert diff.breaking is False


def test_a_removed_component_field_shows_on_requests_and_responses_that_use_it(reference) -> None:
    diff = diff_documents(reference, doctored(reference, remove_the_buyer_default_catalog))

    assert found(diff, Kind.REQUEST_FIELD_REMOVED, "Buyers.Create")[0].detail == "Buyer.DefaultCatalogID"
    assert found(diff, Kind.RESPONSE_FIELD_REMOVED, "Buyers.List")[0].detail == "Items[].DefaultCatalogID"


def test_identical_documents_have_no_changes(reference) -> None:
    diff = diff_documents(reference, copy.deepcopy(reference))

    assert diff.changes == [] and diff.breaking is False
    assert diff.old_version == diff.new_version == "1.0.260.26968"


def test_renamed_placeholders_and_the_missing_leading_slash_change_no_url(reference) -> None:
    def rename_placeholder_and_fix_slash(document: Document) -> None:
        paths = document["paths"]
        get = paths["/buyers/{buyerID}"].pop("get")
        get["parameters"][0]["name"] = "id"
        paths["/buyers/{id}"] = {"get": get}
        paths["/oauth/certs/{ID}"] = paths.pop("oauth/certs/{ID}")

    assert diff_documents(reference, doctored(reference, rename_placeholder_and_fix_slash)).changes == []


def test_diffing_leaves_both_documents_alone_and_is_fast(reference) -> None:
    new = doctored(reference, remove_the_buyer_default_catalog)
    before = copy.deepcopy(new)

    started = time.perf_counter()
    diff_documents(reference, new)
    assert time.perf_counter() - started < 2

    assert new == before
    assert "DefaultCatalogID" in reference["components"]["schemas"]["Buyer"]["properties"]


def test_recursive_schemas_are_compared_and_the_diff_ends(reference) -> None:
    def add_a_category_tree(document: Document) -> None:
        document["components"]["schemas"]["Node"] = {
            "type": "object",
            "properties": {"Name": {"type": "string"}, "Children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
        }
        operation(document, "Buyers.Get")["responses"]["200"]["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/Node"}

    old = doctored(reference, add_a_category_tree)
    new = doctored(old, lambda d: d["components"]["schemas"]["Node"]["properties"]["Name"].update(type="integer"))

    details = [change.detail for change in found(diff_documents(old, new), Kind.RESPONSE_TYPE_CHANGED, "Buyers.Get")]
    assert "Node.Name: string -> integer" in details and "Node.Children[].Name: string -> integer" in details


def test_a_reference_to_nothing_is_a_spec_error_naming_the_operation(reference) -> None:
    new = doctored(reference, lambda d: d["components"]["schemas"].pop("Incrementor"))

    with pytest.raises(SpecError, match=r"Incrementors\.\w+: nothing found at 'Incrementor'"):
        diff_documents(reference, new)


def test_every_kind_is_judged_breaking_or_not() -> None:
    assert set(BREAKING) == set(Kind)


def test_to_json_is_sorted_with_versions_and_counts(reference) -> None:
    new = doctored(reference, lambda d: (remove_buyers_create(d), add_an_operation(d), d["info"].update(version="1.0.445")))

    report = diff_documents(reference, new).to_json()

    assert report["old_version"] == "1.0.260.26968" and report["new_version"] == "1.0.445"
    assert report["breaking"] is True
    assert report["counts"] == {"breaking": 1, "harmless": 1, "by_kind": {"operation added": 1, "operation removed": 1}}
    assert report["changes"] == [
        {"kind": "operation removed", "operation": "Buyers.Create", "detail": "POST /buyers", "breaking": True},
        {"kind": "operation added", "operation": "Buyers.GetRating", "detail": "GET /buyers/{buyerID}/rating", "breaking": False},
    ]


def test_render_lists_breaking_changes_first_then_the_total(reference) -> None:
    new = doctored(reference, lambda d: (add_an_operation(d), remove_the_buyer_admin_role_from_buyers_create(d)))
    console = Console(record=True, width=200)

    diff_documents(reference, new).render(console)

    text = console.export_text()
    assert "roles removed" in text and "Buyers.Create" in text and "BuyerAdmin" in text
    assert text.index("Buyers.Create") < text.index("Buyers.GetRating")
    assert "1 breaking, 1 harmless changes between 1.0.260.26968 and 1.0.260.26968" in text


def test_render_says_no_changes_for_identical_documents(reference) -> None:
    console = Console(record=True, width=200)

    diff_documents(reference, reference).render(console)

    assert console.export_text().strip() == "no changes between 1.0.260.26968 and 1.0.260.26968"
