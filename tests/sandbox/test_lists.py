"""Lists (BEHAVIOUR.md §3): paging and Meta, sorting, search, and filters with OrderCloud's operators."""

from __future__ import annotations

import httpx
import pytest
from _sandbox_api import created, error_of

COLORS = ["red", "green", "blue"]


@pytest.fixture(scope="module")
def products(admin: httpx.Client) -> list[dict]:
    """25 products p01..p25: ShipWeight = n, xp.Color cycles red/green/blue, xp.Size only on even n."""
    made = []
    for n in range(1, 26):
        xp = {"Color": COLORS[n % 3], "Rank": {"Value": n}} | ({"Size": "L"} if n % 2 == 0 else {})
        made.append(created(admin.post("/products", json={"ID": f"p{n:02}", "Name": f"Product {n:02}", "ShipWeight": n, "Active": n <= 20, "xp": xp})))
    return made


def ids(admin: httpx.Client, **query: object) -> list[str]:
    response = admin.get("/products", params={"pageSize": 100, **query})
    assert response.status_code == 200, response.text
    return [item["ID"] for item in response.json()["Items"]]


def numbers(*ns: int) -> list[str]:
    return [f"p{n:02}" for n in ns]


# -- paging and Meta ------------------------------------------------------------------------------


def test_a_list_pages_20_items_by_default_with_meta(admin: httpx.Client, products: list[dict]) -> None:
    body = admin.get("/products").json()
    meta = {name: body["Meta"][name] for name in ("Page", "PageSize", "TotalCount", "TotalPages", "ItemRange")}
    assert meta == {"Page": 1, "PageSize": 20, "TotalCount": 25, "TotalPages": 2, "ItemRange": [1, 20]}
    assert body["Meta"]["Facets"] == []  # /products answers a ListPageWithFacets
    assert len(body["Items"]) == 20


def test_the_second_page_holds_the_rest_with_a_one_based_item_range(admin: httpx.Client, products: list[dict]) -> None:
    body = admin.get("/products", params={"page": 2}).json()
    assert body["Meta"]["ItemRange"] == [21, 25]
    assert len(body["Items"]) == 5


def test_an_empty_list_has_item_range_1_0(admin: httpx.Client) -> None:
    meta = admin.get("/webhooks").json()["Meta"]
    assert (meta["TotalCount"], meta["TotalPages"], meta["ItemRange"]) == (0, 0, [1, 0])


def test_page_size_goes_up_to_100(admin: httpx.Client, products: list[dict]) -> None:
    assert admin.get("/products", params={"pageSize": 100}).json()["Meta"]["PageSize"] == 100


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("pageSize", 101, "List.InvalidPageSize"),
        ("pageSize", 0, "List.InvalidPageSize"),
        ("page", 0, "List.InvalidPage"),
        ("pageSize", "ten", "List.InvalidPageSize"),
        ("pageSize", "", "List.InvalidPageSize"),  # given but empty is not "not given"
        ("page", "", "List.InvalidPage"),
    ],
)
def test_paging_out_of_bounds_is_400(admin: httpx.Client, name: str, value: object, code: str) -> None:
    response = admin.get("/products", params={name: value})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == code


# -- sorting ------------------------------------------------------------------------------------------


def test_sort_by_ascending_and_descending_with_a_bang(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, sortBy="Name")[:3] == numbers(1, 2, 3)
    assert ids(admin, sortBy="!Name")[:3] == numbers(25, 24, 23)


def test_sort_by_several_keys_and_by_xp(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, sortBy="xp.Color,!ID")[:3] == numbers(23, 20, 17)  # blue first, then by ID descending
    assert ids(admin, sortBy="!xp.Rank.Value")[:2] == numbers(25, 24)  # numbers sort as numbers


@pytest.mark.parametrize("sort_by", ["Colour", "ShipWeight"])  # ShipWeight exists, but is not sortable on /products
def test_sorting_by_a_property_the_operation_does_not_sort_by_is_400(admin: httpx.Client, sort_by: str) -> None:
    response = admin.get("/products", params={"sortBy": sort_by})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "List.InvalidSortProperty"


@pytest.mark.parametrize("sort_by", ["", "Name,", ",ID"])
def test_an_empty_sort_field_is_400(admin: httpx.Client, sort_by: str) -> None:
    response = admin.get("/products", params={"sortBy": sort_by})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "List.InvalidSortProperty"


def test_sort_keys_may_repeat_the_parameter_instead_of_a_comma_list(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, sortBy=["xp.Color", "!ID"])[:3] == numbers(23, 20, 17)


# -- search --------------------------------------------------------------------------------------------


def test_search_finds_terms_in_the_searchable_fields(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, search="07") == numbers(7)
    assert len(ids(admin, search="Product 07")) == 25  # any term matches by default: every name has "Product"
    assert ids(admin, search="p1", searchOn="ID") == numbers(10, 11, 12, 13, 14, 15, 16, 17, 18, 19)


def test_searching_on_an_unsearchable_field_is_400(admin: httpx.Client) -> None:
    response = admin.get("/products", params={"search": "x", "searchOn": "ShipWeight"})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "List.InvalidSearchProperty"


def test_search_type_must_be_one_the_operation_offers(admin: httpx.Client) -> None:
    response = admin.get("/products", params={"search": "07", "searchType": "Fuzzy"})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "List.InvalidSearchType"


def test_search_type_exact_phrase_matches_whole_values_only(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, search="Product 07", searchType="ExactPhrase") == numbers(7)
    assert ids(admin, search="Product 0", searchType="ExactPhrase") == []
    assert len(ids(admin, search="Product 0", searchType="ExactPhrasePrefix")) == 9


# -- filters -----------------------------------------------------------------------------------------------


def test_filter_by_exact_value_of_a_property_and_an_xp_path(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, ShipWeight=5) == numbers(5)
    assert ids(admin, **{"xp.Color": "red", "ShipWeight": "<10"}) == numbers(3, 6, 9)
    assert ids(admin, **{"xp.Rank.Value": 12}) == numbers(12)


def test_filter_by_boolean(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, Active="false") == numbers(21, 22, 23, 24, 25)


def test_filter_wildcards(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, ID="p2*") == numbers(20, 21, 22, 23, 24, 25)
    assert ids(admin, Name="*duct 0*", ShipWeight="<3") == numbers(1, 2)


def test_filter_or_with_a_pipe(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, ID="p01|p03|p1*", ShipWeight="<12") == numbers(1, 3, 10, 11)


def test_filter_negation_and_repeated_keys_combine_with_and(admin: httpx.Client, products: list[dict]) -> None:
    response = admin.get("/products", params=[("ShipWeight", "<5"), ("ID", "!p01"), ("ID", "!p02")])
    assert [item["ID"] for item in response.json()["Items"]] == numbers(3, 4)


def test_filter_comparisons(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, ShipWeight=">23") == numbers(24, 25)
    assert ids(admin, ShipWeight=">=23") == numbers(23, 24, 25)
    assert ids(admin, ShipWeight="<=2") == numbers(1, 2)
    response = admin.get("/products", params=[("ShipWeight", "!<3"), ("ShipWeight", "!>4")])  # inclusive range 3..4
    assert [item["ID"] for item in response.json()["Items"]] == numbers(3, 4)


def test_filter_absence_with_bang_star(admin: httpx.Client, products: list[dict]) -> None:
    assert ids(admin, **{"xp.Size": "!*", "ShipWeight": "<6"}) == numbers(1, 3, 5)


def test_an_unknown_filter_property_is_400(admin: httpx.Client) -> None:
    response = admin.get("/products", params={"Colour": "red"})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "List.InvalidProperty"


def test_an_unknown_search_field_is_refused_even_without_a_search_term(admin):
    response = admin.get("/products", params=[("searchOn", "Name"), ("searchOn", "NoSuchField")])
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == "List.InvalidSearchProperty"


# -- operation-specific query parameters ------------------------------------------------------------------


@pytest.mark.parametrize("query", [{"commerceRole": ""}, {"commerceRole": "Customer"}, {"level": ""}])
def test_an_enum_parameter_refuses_values_outside_its_enum_even_empty(admin: httpx.Client, query: dict) -> None:
    response = admin.get("/securityprofiles/assignments", params=query)
    assert response.status_code == 400
    [(name, value)] = query.items()
    assert error_of(response)["ErrorCode"] == "InvalidRequest"
    assert error_of(response)["Data"] == {"Parameter": name, "Value": value}


def test_an_empty_free_text_parameter_counts_as_not_given(admin: httpx.Client) -> None:
    assert admin.get("/securityprofiles/assignments", params={"securityProfileID": "", "level": "Company"}).status_code == 200


def test_assignment_lists_take_the_list_parameters_of_their_operation(admin: httpx.Client) -> None:
    response = admin.get("/specs/productassignments", params={"searchOn": "Colour"})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "List.InvalidSearchProperty"
    assert admin.get("/specs/productassignments", params={"searchOn": "SpecID", "sortBy": "!ProductID"}).status_code == 200
