"""Generic resource behaviour driven by the spec: CRUD, IDs, timestamps, read-only fields, assignments, links, concurrency."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
import pytest
from _sandbox_api import BUYER_PASSWORD, created, error_of

from ocgate.sandbox.server import EmbeddedSandbox

GENERATED_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def user_body(username: str, **fields: object) -> dict:
    return {"Username": username, "Password": BUYER_PASSWORD, "FirstName": "F", "LastName": "L", "Email": f"{username}@example.com", "Active": True, **fields}


@pytest.fixture(scope="module")
def buyer(admin: httpx.Client) -> str:
    return created(admin.post("/buyers", json={"ID": "acme", "Name": "Acme", "Active": True}))["ID"]


# -- create ---------------------------------------------------------------------------------------


def test_create_answers_201_with_a_generated_22_character_url_safe_id(admin: httpx.Client) -> None:
    response = admin.post("/catalogs", json={"Name": "Generated"})
    assert response.status_code == 201
    assert GENERATED_ID.match(response.json()["ID"])


def test_a_writable_id_is_kept_as_given(admin: httpx.Client) -> None:
    assert admin.post("/catalogs", json={"ID": "my-own-id", "Name": "Mine"}).json()["ID"] == "my-own-id"
    assert admin.get("/catalogs/my-own-id").status_code == 200


def test_every_model_property_is_present_and_null_where_unset(admin: httpx.Client) -> None:
    product = created(admin.post("/products", json={"Name": "Sparse"}))
    assert product["Description"] is None
    assert product["xp"] is None
    assert product["Inventory"] is None
    assert {"OwnerID", "DefaultPriceScheduleID", "ShipWeight", "SpecCount", "VariantCount", "Returnable"} <= set(product)


def test_timestamps_are_iso_8601_utc(admin: httpx.Client, buyer: str) -> None:
    user = created(admin.post(f"/buyers/{buyer}/users", json=user_body("stamped")))
    moment = datetime.fromisoformat(user["DateCreated"])
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0


def test_read_only_fields_are_ignored_on_write(admin: httpx.Client, buyer: str) -> None:
    user = created(admin.post(f"/buyers/{buyer}/users", json=user_body("readonly", CompanyID="elsewhere", AvailableRoles=["FullAccess"], DateCreated="2000-01-01T00:00:00+00:00")))
    assert user["CompanyID"] == buyer
    assert user["AvailableRoles"] == []
    assert not user["DateCreated"].startswith("2000")


def test_passwords_are_never_echoed(admin: httpx.Client, buyer: str) -> None:
    user = created(admin.post(f"/buyers/{buyer}/users", json=user_body("secretive")))
    assert user["Password"] is None
    assert admin.get(f"/buyers/{buyer}/users/{user['ID']}").json()["Password"] is None


def test_an_id_may_name_incrementors_whose_next_number_replaces_them(admin: httpx.Client) -> None:
    created(admin.post("/incrementors", json={"ID": "catalogNumbers", "Name": "Catalog numbers", "LastNumber": 41, "LeftPaddingCount": 5}))
    assert created(admin.post("/catalogs", json={"ID": "CAT-{catalogNumbers}", "Name": "Numbered"}))["ID"] == "CAT-00042"
    assert created(admin.post("/catalogs", json={"ID": "CAT-{catalogNumbers}", "Name": "Numbered"}))["ID"] == "CAT-00043"
    assert admin.patch("/catalogs/CAT-00043", json={"ID": "RENAMED-{catalogNumbers}"}).json()["ID"] == "RENAMED-00044"
    assert admin.get("/incrementors/catalogNumbers").json()["LastNumber"] == 44
    assert error_of(admin.post("/catalogs", json={"ID": "CAT-{nothing}", "Name": "x"}))["Data"] == {"ObjectType": "Incrementor", "ObjectID": "nothing"}


@pytest.mark.parametrize(("object_id", "in_path"), [("north/south", "north%2Fsouth"), ("100%41", "100%2541"), ("café", "caf%C3%A9")])
def test_an_id_percent_encoded_in_the_path_is_decoded_once(admin: httpx.Client, object_id: str, in_path: str) -> None:
    created(admin.post("/catalogs", json={"ID": object_id, "Name": "Encoded"}))
    assert admin.get(f"/catalogs/{in_path}").json()["ID"] == object_id
    assert admin.delete(f"/catalogs/{in_path}").status_code == 204


# -- save, patch, delete --------------------------------------------------------------------------------


def test_put_creates_when_absent_and_replaces_entirely_when_present(admin: httpx.Client) -> None:
    first = admin.put("/catalogs/put-me", json={"Name": "First", "Description": "described", "xp": {"a": 1}})
    assert first.status_code == 200
    second = admin.put("/catalogs/put-me", json={"Name": "Second"})
    assert second.status_code == 200
    assert (second.json()["Name"], second.json()["Description"], second.json()["xp"]) == ("Second", None, None)
    assert second.json()["ID"] == "put-me"


def test_put_validates_the_whole_model(admin: httpx.Client) -> None:
    response = admin.put("/buyers/put-invalid", json={"Active": True})
    assert response.status_code == 400
    assert "Name" in error_of(response)["Message"]


def test_patch_merges_deeply_including_xp(admin: httpx.Client) -> None:
    created(admin.post("/catalogs", json={"ID": "patched", "Name": "Patched", "Description": "kept", "xp": {"a": {"b": 1, "c": 2}, "keep": True}}))
    patched = admin.patch("/catalogs/patched", json={"Name": "Renamed", "xp": {"a": {"b": 10}, "new": "yes"}})
    assert patched.status_code == 200
    body = patched.json()
    assert body["Name"] == "Renamed"
    assert body["Description"] == "kept"
    assert body["xp"] == {"a": {"b": 10, "c": 2}, "keep": True, "new": "yes"}


def test_patch_needs_no_required_fields_but_checks_types(admin: httpx.Client) -> None:
    created(admin.post("/buyers", json={"ID": "patch-types", "Name": "Types"}))
    assert admin.patch("/buyers/patch-types", json={"Active": True}).status_code == 200
    assert admin.patch("/buyers/patch-types", json={"Active": "very"}).status_code == 400


def test_patching_or_deleting_a_missing_object_is_404(admin: httpx.Client) -> None:
    assert admin.patch("/catalogs/missing", json={"Name": "x"}).status_code == 404
    assert admin.delete("/catalogs/missing").status_code == 404


def test_date_created_survives_updates(admin: httpx.Client, buyer: str) -> None:
    user = created(admin.post(f"/buyers/{buyer}/users", json=user_body("aging")))
    patched = admin.patch(f"/buyers/{buyer}/users/{user['ID']}", json={"FirstName": "Older"}).json()
    replaced = admin.put(f"/buyers/{buyer}/users/{user['ID']}", json=user_body("aging", FirstName="Oldest")).json()
    assert user["DateCreated"] == patched["DateCreated"] == replaced["DateCreated"]


def test_delete_answers_204_and_removes_the_object_and_everything_under_it(admin: httpx.Client) -> None:
    created(admin.post("/suppliers", json={"ID": "doomed", "Name": "Doomed"}))
    created(admin.post("/suppliers/doomed/users", json=user_body("doomed-user", ID="doomed-user")))
    assert admin.delete("/suppliers/doomed").status_code == 204
    assert admin.get("/suppliers/doomed").status_code == 404
    created(admin.post("/suppliers", json={"ID": "doomed", "Name": "Reborn"}))
    assert admin.get("/suppliers/doomed/users/doomed-user").status_code == 404
    assert admin.post("/suppliers/doomed/users", json=user_body("doomed-user")).status_code == 201  # the username is free again


def test_deleting_an_object_removes_the_assignments_that_name_it(admin: httpx.Client, buyer: str) -> None:
    profile = created(admin.post("/securityprofiles", json={"Name": "Temporary", "Roles": ["MeAdmin"]}))["ID"]
    assert admin.post("/securityprofiles/assignments", json={"SecurityProfileID": profile, "BuyerID": buyer}).status_code == 204
    assert admin.delete(f"/securityprofiles/{profile}").status_code == 204
    rows = admin.get("/securityprofiles/assignments", params={"securityProfileID": profile}).json()["Items"]
    assert rows == []


def test_deleting_an_object_keeps_the_assignments_of_its_namesakes_in_other_catalogs(admin: httpx.Client) -> None:
    product = created(admin.post("/products", json={"Name": "Boot"}))["ID"]
    for catalog in ("north", "south"):
        created(admin.post("/catalogs", json={"ID": catalog, "Name": catalog}))
        created(admin.post(f"/catalogs/{catalog}/categories", json={"ID": "shoes", "Name": "Shoes"}))
        assert admin.post(f"/catalogs/{catalog}/categories/productassignments", json={"CategoryID": "shoes", "ProductID": product}).status_code == 204
    assert admin.delete("/catalogs/north/categories/shoes").status_code == 204
    assert admin.get("/catalogs/north/categories/productassignments").json()["Items"] == []
    assert [row["ProductID"] for row in admin.get("/catalogs/south/categories/productassignments").json()["Items"]] == [product]


def test_deleting_a_user_keeps_the_assignments_of_a_namesake_in_another_company(admin: httpx.Client, buyer: str) -> None:
    created(admin.post("/suppliers", json={"ID": "namesakes", "Name": "Namesakes", "Active": True}))
    created(admin.post(f"/buyers/{buyer}/users", json=user_body("buyer-namesake", ID="namesake")))
    created(admin.post("/suppliers/namesakes/users", json=user_body("supplier-namesake", ID="namesake")))
    group = created(admin.post("/suppliers/namesakes/usergroups", json={"Name": "Packers"}))["ID"]
    assert admin.post("/suppliers/namesakes/usergroups/assignments", json={"UserGroupID": group, "UserID": "namesake"}).status_code == 204
    profile = created(admin.post("/securityprofiles", json={"Name": "Namesake roles", "Roles": ["MeAdmin"]}))["ID"]
    for company in ({"BuyerID": buyer}, {"SupplierID": "namesakes"}):
        assert admin.post("/securityprofiles/assignments", json={"SecurityProfileID": profile, "UserID": "namesake", **company}).status_code == 204
    assert admin.delete(f"/buyers/{buyer}/users/namesake").status_code == 204
    assert [row["UserID"] for row in admin.get("/suppliers/namesakes/usergroups/assignments").json()["Items"]] == ["namesake"]
    profiles = admin.get("/securityprofiles/assignments", params={"securityProfileID": profile}).json()["Items"]
    assert [(row["SupplierID"], row["BuyerID"]) for row in profiles] == [("namesakes", None)]


# -- assignments ---------------------------------------------------------------------------------------------


def test_assignments_are_saved_listed_by_their_fields_and_deleted(admin: httpx.Client, buyer: str) -> None:
    address = created(admin.post(f"/buyers/{buyer}/addresses", json={"Street1": "1 Main St", "City": "Springfield", "State": "IL", "Zip": "62701", "Country": "US"}))["ID"]
    user = created(admin.post(f"/buyers/{buyer}/users", json=user_body("assigned")))["ID"]
    row = {"AddressID": address, "UserID": user, "IsShipping": True, "IsBilling": False}
    assert admin.post(f"/buyers/{buyer}/addresses/assignments", json=row).status_code == 204
    assert admin.post(f"/buyers/{buyer}/addresses/assignments", json=row).status_code == 204  # saving again is not a duplicate
    listed = admin.get(f"/buyers/{buyer}/addresses/assignments", params={"addressID": address}).json()["Items"]
    assert listed == [{"AddressID": address, "UserID": user, "UserGroupID": None, "IsShipping": True, "IsBilling": False}]
    assert admin.get(f"/buyers/{buyer}/addresses/assignments", params={"addressID": address, "level": "Group"}).json()["Items"] == []
    assert admin.delete(f"/buyers/{buyer}/addresses/{address}/assignments", params={"userID": user}).status_code == 204
    assert admin.get(f"/buyers/{buyer}/addresses/assignments", params={"addressID": address}).json()["Items"] == []


def test_an_assignment_naming_a_missing_object_is_404(admin: httpx.Client, buyer: str) -> None:
    response = admin.post(f"/buyers/{buyer}/addresses/assignments", json={"AddressID": "nowhere", "IsShipping": True})
    assert response.status_code == 404
    assert error_of(response)["Data"]["ObjectType"] == "Address"


@pytest.mark.parametrize(
    ("level", "code"),
    [
        ({"UserID": "u", "UserGroupID": "g"}, "PartyAssignment.CannotSpecifyGroupAndUser"),
        ({"BuyerID": "b", "SupplierID": "s"}, "PartyAssignment.CannotSpecifyBuyerAndSupplier"),
    ],
)
def test_an_assignment_names_one_party(admin: httpx.Client, level: dict, code: str) -> None:
    profile = created(admin.post("/securityprofiles", json={"Name": "Party", "Roles": ["MeAdmin"]}))["ID"]
    response = admin.post("/securityprofiles/assignments", json={"SecurityProfileID": profile, **level})
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == code


# -- links -------------------------------------------------------------------------------------------------


def test_links_are_put_listed_and_deleted(admin: httpx.Client, buyer: str) -> None:
    supplier = created(admin.post("/suppliers", json={"ID": "linker", "Name": "Linker", "Active": True}))["ID"]
    assert admin.put(f"/suppliers/{supplier}/buyers/{buyer}").status_code == 204
    assert [item["ID"] for item in admin.get(f"/suppliers/{supplier}/buyers").json()["Items"]] == [buyer]
    assert admin.put(f"/suppliers/{supplier}/buyers/no-such-buyer").status_code == 404
    assert admin.delete(f"/suppliers/{supplier}/buyers/{buyer}").status_code == 204
    assert admin.get(f"/suppliers/{supplier}/buyers").json()["Items"] == []
    assert admin.delete(f"/suppliers/{supplier}/buyers/{buyer}").status_code == 404


def test_a_link_list_shows_the_values_the_link_was_put_with(admin: httpx.Client) -> None:
    """PUT /products/{id}/suppliers/{id}?defaultPriceScheduleID= -> the ProductSupplier lists it."""
    supplier = created(admin.post("/suppliers", json={"ID": "maker", "Name": "Maker", "Active": True}))["ID"]
    product = created(admin.post("/products", json={"ID": "made", "Name": "Made"}))["ID"]
    schedule = created(admin.post("/priceschedules", json={"ID": "maker-prices", "Name": "Maker prices", "PriceBreaks": [{"Quantity": 1, "Price": 3}]}))["ID"]
    assert admin.put(f"/products/{product}/suppliers/{supplier}", params={"defaultPriceScheduleID": schedule}).status_code == 204
    [listed] = admin.get(f"/products/{product}/suppliers").json()["Items"]
    assert listed["ID"] == supplier and listed["Name"] == "Maker"
    assert listed["DefaultPriceScheduleID"] == schedule
    assert admin.put(f"/products/{product}/suppliers/{supplier}").status_code == 204  # re-put without a schedule
    assert admin.get(f"/products/{product}/suppliers").json()["Items"][0]["DefaultPriceScheduleID"] is None


# -- concurrency -------------------------------------------------------------------------------------------------


def test_parallel_creates_of_distinct_ids_all_land(sandbox: EmbeddedSandbox, admin: httpx.Client) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda n: admin.post("/catalogs", json={"ID": f"parallel-{n}", "Name": f"P{n}"}).status_code, range(100)))
    assert statuses == [201] * 100
    listed = admin.get("/catalogs", params={"ID": "parallel-*", "pageSize": 100}).json()
    assert listed["Meta"]["TotalCount"] == 100


def test_parallel_creates_of_the_same_id_succeed_exactly_once(admin: httpx.Client) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda n: admin.post("/catalogs", json={"ID": "contested", "Name": f"C{n}"}).status_code, range(40)))
    assert sorted(statuses) == [201] + [409] * 39



def test_dates_are_stored_in_utc_whatever_offset_was_sent(admin):
    created = admin.post("/buyers", json={"Name": "tz", "xp": None}).json()
    user = admin.post(
        f"/buyers/{created['ID']}/users",
        json={"Username": f"tz-{created['ID']}", "FirstName": "a", "LastName": "b", "Email": "a@b.c", "Active": True, "TermsAccepted": "2026-01-01T10:00:00-05:00"},
    ).json()
    assert user["TermsAccepted"].startswith("2026-01-01T15:00:00") and user["TermsAccepted"].endswith("+00:00")


def test_a_date_that_is_not_iso_8601_is_a_validation_failure(admin):
    response = admin.post("/promotions", json={"Code": "tz-bad", "EligibleExpression": "true", "ValueExpression": "1", "StartDate": "yesterday"})
    assert response.status_code == 400


def test_patching_a_null_id_keeps_the_object_where_it_is(admin):
    created = admin.post("/buyers", json={"Name": "null id"}).json()
    patched = admin.patch(f"/buyers/{created['ID']}", json={"ID": None, "Name": "still here"})
    assert patched.status_code == 200 and patched.json()["ID"] == created["ID"]
    assert admin.get(f"/buyers/{created['ID']}").json()["Name"] == "still here"
