"""What a buyer user sees of its company through /me: addresses, credit cards, user groups, cost
centers, spending accounts, promotions and product collections.

Buyer objects reach a user through assignments (to the user, one of the user's groups, or the
whole buyer); anything else is 404 for that user. Addresses and cards created through /me are
the user's own: editable there, invisible to everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from _catalog_fixtures import Merchandiser, Personas, Shopper, error_code, expect, ids, merchandiser, personas, unique  # noqa: F401  (fixtures)

ADDRESS = {"Street1": "1 Main St", "City": "Minneapolis", "State": "MN", "Zip": "55401", "Country": "US"}
CARD = {"CardType": "Visa", "CardholderName": "Sam Shopper", "PartialAccountNumber": "1234", "ExpirationDate": "2030-01-01T00:00:00+00:00"}


@dataclass
class Company:
    """Three users of one buyer: `me` and `teammate` in the user group `team`, `stranger` in none."""

    me: Shopper
    teammate: Shopper
    stranger: Shopper
    team: str


@pytest.fixture
def company(personas: Personas) -> Company:
    buyer = personas.buyer()
    team = personas.group(buyer)
    return Company(personas.shopper(buyer, [team]), personas.shopper(buyer, [team]), personas.shopper(buyer), team)


# -- addresses --------------------------------------------------------------------------------------------


def test_an_address_created_through_me_is_a_private_buyer_address(admin: httpx.Client, personas: Personas) -> None:
    me = personas.shopper()
    mine = expect(me.api.post("/me/addresses", json={**ADDRESS, "Shipping": True}), 201).json()
    assert (mine["Shipping"], mine["Billing"], mine["Editable"], mine["City"]) == (True, False, True, "Minneapolis")
    expect(admin.get(f"/buyers/{me.buyer_id}/addresses/{mine['ID']}"), 200)
    rows = expect(admin.get(f"/buyers/{me.buyer_id}/addresses/assignments", params={"addressID": mine["ID"]}), 200).json()["Items"]
    assert rows == [{"AddressID": mine["ID"], "UserID": me.user_id, "UserGroupID": None, "IsShipping": True, "IsBilling": False}]
    assert ids(me.api.get("/me/addresses")) == [mine["ID"]]
    teammate = personas.shopper(me.buyer_id)
    assert ids(teammate.api.get("/me/addresses")) == []
    expect(teammate.api.get(f"/me/addresses/{mine['ID']}"), 404)


def test_an_address_must_be_for_shipping_or_billing(personas: Personas) -> None:
    me = personas.shopper()
    assert error_code(expect(me.api.post("/me/addresses", json=ADDRESS), 400)) == "BuyerAddress.MustBeBillingOrShipping"
    assert error_code(expect(me.api.post("/me/addresses", json={"Street1": "x", "Shipping": True}), 400)) == "ValidationFailure"


def test_addresses_shared_with_the_user_its_groups_or_the_buyer_are_listed_read_only(admin: httpx.Client, company: Company) -> None:
    me, stranger, team = company.me, company.stranger, company.team
    buyer = me.buyer_id

    def address(**assignment: object) -> str:
        address_id = expect(admin.post(f"/buyers/{buyer}/addresses", json=ADDRESS), 201).json()["ID"]
        expect(admin.post(f"/buyers/{buyer}/addresses/assignments", json={"AddressID": address_id, **assignment}), 204)
        return address_id

    to_group, to_buyer, to_stranger = address(UserGroupID=team, IsBilling=True), address(IsShipping=True), address(UserID=stranger.user_id, IsShipping=True)
    assert sorted(ids(me.api.get("/me/addresses"))) == sorted([to_group, to_buyer])
    seen = expect(me.api.get(f"/me/addresses/{to_group}"), 200).json()
    assert (seen["Billing"], seen["Shipping"], seen["Editable"]) == (True, False, False)
    expect(me.api.get(f"/me/addresses/{to_stranger}"), 404)
    for response in (
        me.api.patch(f"/me/addresses/{to_group}", json={"City": "Elsewhere"}),
        me.api.put(f"/me/addresses/{to_buyer}", json={**ADDRESS, "Shipping": True}),
        me.api.delete(f"/me/addresses/{to_group}"),
    ):
        assert error_code(expect(response, 403)) == "Address.CannotEditPublic"
    assert error_code(expect(me.api.delete(f"/me/addresses/{to_stranger}"), 404)) == "NotFound"


def test_own_addresses_can_be_patched_replaced_and_deleted(admin: httpx.Client, personas: Personas) -> None:
    me = personas.shopper()
    address_id = expect(me.api.post("/me/addresses", json={**ADDRESS, "Shipping": True}), 201).json()["ID"]
    expect(me.api.patch(f"/me/addresses/{address_id}", json={"City": "St Paul", "Billing": True}), 204)
    seen = expect(me.api.get(f"/me/addresses/{address_id}"), 200).json()
    assert (seen["City"], seen["Shipping"], seen["Billing"], seen["Street1"]) == ("St Paul", True, True, "1 Main St")
    patched_off = me.api.patch(f"/me/addresses/{address_id}", json={"Shipping": False, "Billing": False})
    assert error_code(expect(patched_off, 400)) == "BuyerAddress.MustBeBillingOrShipping"
    replaced = expect(me.api.put(f"/me/addresses/{address_id}", json={**ADDRESS, "City": "Duluth", "Billing": True}), 200).json()
    assert (replaced["ID"], replaced["City"], replaced["Shipping"], replaced["Billing"]) == (address_id, "Duluth", False, True)
    expect(me.api.delete(f"/me/addresses/{address_id}"), 204)
    expect(me.api.get(f"/me/addresses/{address_id}"), 404)
    expect(admin.get(f"/buyers/{me.buyer_id}/addresses/{address_id}"), 404)


def test_me_addresses_search_and_filter_like_every_list(personas: Personas) -> None:
    me = personas.shopper()
    for city in ("Austin", "Boston"):
        expect(me.api.post("/me/addresses", json={**ADDRESS, "City": city, "Billing": True}), 201)
    cities = lambda **params: [a["City"] for a in expect(me.api.get("/me/addresses", params=params), 200).json()["Items"]]  # noqa: E731
    assert cities(search="Bost") == ["Boston"]
    assert cities(City="Aus*") == ["Austin"]
    assert cities(sortBy="!City") == ["Boston", "Austin"]


# -- credit cards -------------------------------------------------------------------------------------------------


def test_credit_cards_follow_the_address_rules(admin: httpx.Client, company: Company) -> None:
    me, teammate, team = company.me, company.teammate, company.team
    mine = expect(me.api.post("/me/creditcards", json=CARD), 201).json()
    assert (mine["Editable"], mine["CardholderName"]) == (True, "Sam Shopper")
    expect(admin.get(f"/buyers/{me.buyer_id}/creditcards/{mine['ID']}"), 200)
    company_card = expect(admin.post(f"/buyers/{me.buyer_id}/creditcards", json=CARD), 201).json()["ID"]
    expect(admin.post(f"/buyers/{me.buyer_id}/creditcards/assignments", json={"CreditCardID": company_card, "UserGroupID": team}), 204)
    assert sorted(ids(me.api.get("/me/creditcards"))) == sorted([mine["ID"], company_card])
    assert ids(teammate.api.get("/me/creditcards")) == [company_card]
    expect(teammate.api.get(f"/me/creditcards/{mine['ID']}"), 404)
    assert error_code(expect(me.api.patch(f"/me/creditcards/{company_card}", json={"CardholderName": "X"}), 403)) == "CreditCard.CannotEditPublic"
    expect(me.api.patch(f"/me/creditcards/{mine['ID']}", json={"CardholderName": "Sam S."}), 204)
    assert expect(me.api.get(f"/me/creditcards/{mine['ID']}"), 200).json()["CardholderName"] == "Sam S."
    expect(me.api.delete(f"/me/creditcards/{mine['ID']}"), 204)
    assert ids(me.api.get("/me/creditcards")) == [company_card]


# -- groups, cost centers, spending accounts ---------------------------------------------------------------------


def test_me_usergroups_lists_the_groups_the_user_belongs_to(personas: Personas) -> None:
    buyer = personas.buyer()
    member_of, other = personas.group(buyer), personas.group(buyer)
    me = personas.shopper(buyer, [member_of])
    assert ids(me.api.get("/me/usergroups")) == [member_of]
    assert other not in ids(me.api.get("/me/usergroups"))


def test_me_cost_centers_are_those_assigned_to_the_users_groups(admin: httpx.Client, company: Company) -> None:
    me, stranger, team = company.me, company.stranger, company.team
    cost_center = expect(admin.post(f"/buyers/{me.buyer_id}/costcenters", json={"Name": "Marketing"}), 201).json()["ID"]
    expect(admin.post(f"/buyers/{me.buyer_id}/costcenters/assignments", json={"CostCenterID": cost_center, "UserGroupID": team}), 204)
    assert ids(me.api.get("/me/costcenters")) == [cost_center]
    assert ids(stranger.api.get("/me/costcenters")) == []


def test_me_spending_accounts_are_those_shared_with_the_user(admin: httpx.Client, company: Company) -> None:
    me, stranger, team = company.me, company.stranger, company.team
    buyer = me.buyer_id

    def account(**assignment: object) -> str:
        account_id = expect(admin.post(f"/buyers/{buyer}/spendingaccounts", json={"Name": unique("acct"), "Balance": 100}), 201).json()["ID"]
        expect(admin.post(f"/buyers/{buyer}/spendingaccounts/assignments", json={"SpendingAccountID": account_id, **assignment}), 204)
        return account_id

    personal, for_team, for_stranger = account(UserID=me.user_id), account(UserGroupID=team), account(UserID=stranger.user_id)
    assert sorted(ids(me.api.get("/me/spendingAccounts"))) == sorted([personal, for_team])
    assert expect(me.api.get(f"/me/spendingaccounts/{for_team}"), 200).json()["Balance"] == 100
    expect(me.api.get(f"/me/spendingaccounts/{for_stranger}"), 404)


# -- promotions ----------------------------------------------------------------------------------------------------


def test_me_promotions_are_those_for_all_buyers_the_buyer_or_the_users_groups(admin: httpx.Client, company: Company, personas: Personas) -> None:
    me, stranger, team = company.me, company.stranger, company.team

    def promotion(**fields: object) -> str:
        body = {"Code": unique("code"), "EligibleExpression": "true", "ValueExpression": "1", **fields}
        return expect(admin.post("/promotions", json=body), 201).json()["ID"]

    everyone, to_buyer, to_team, to_other_buyer = promotion(AllowAllBuyers=True), promotion(), promotion(), promotion()
    expect(admin.post("/promotions/assignments", json={"PromotionID": to_buyer, "BuyerID": me.buyer_id}), 204)
    expect(admin.post("/promotions/assignments", json={"PromotionID": to_team, "BuyerID": me.buyer_id, "UserGroupID": team}), 204)
    expect(admin.post("/promotions/assignments", json={"PromotionID": to_other_buyer, "BuyerID": personas.buyer()}), 204)
    mine = set(ids(me.api.get("/me/promotions", params={"pageSize": 100})))
    assert {everyone, to_buyer, to_team} <= mine and to_other_buyer not in mine
    assert to_team not in ids(stranger.api.get("/me/promotions", params={"pageSize": 100}))
    expect(me.api.get(f"/me/promotions/{to_team}"), 200)
    expect(me.api.get(f"/me/promotions/{to_other_buyer}"), 404)


# -- product collections -----------------------------------------------------------------------------------------------


def test_product_collections_belong_to_the_user_who_made_them(personas: Personas) -> None:
    me = personas.shopper()
    other = personas.shopper(me.buyer_id)
    collection = expect(me.api.post("/me/productcollections", json={"Name": "Favourites"}), 201).json()
    assert ids(me.api.get("/me/productcollections")) == [collection["ID"]]
    assert ids(other.api.get("/me/productcollections")) == []
    expect(other.api.get(f"/me/productcollections/{collection['ID']}"), 404)
    assert expect(me.api.patch(f"/me/productcollections/{collection['ID']}", json={"Name": "Faves"}), 200).json()["Name"] == "Faves"
    assert expect(me.api.put(f"/me/productcollections/{collection['ID']}", json={"Name": "Wish list"}), 200).json()["Name"] == "Wish list"
    expect(other.api.delete(f"/me/productcollections/{collection['ID']}"), 404)
    expect(me.api.post("/me/productcollections", json={"ID": collection["ID"], "Name": "Again"}), 409)
    expect(me.api.delete(f"/me/productcollections/{collection['ID']}"), 204)
    expect(me.api.get(f"/me/productcollections/{collection['ID']}"), 404)


def test_product_collection_entries_are_visible_buyer_products(admin: httpx.Client, personas: Personas, merchandiser: Merchandiser) -> None:
    me = personas.shopper()
    visible, invisible = merchandiser.product(price=5), merchandiser.product()
    merchandiser.put_in_catalog(me.buyer_id, visible)
    collection = expect(me.api.post("/me/productcollections", json={"Name": "Favourites"}), 201).json()["ID"]
    expect(me.api.put(f"/me/productcollections/{collection}/{visible}"), 204)
    assert error_code(expect(me.api.put(f"/me/productcollections/{collection}/{invisible}"), 404)) == "NotFound"
    entries = expect(me.api.get(f"/me/productcollections/{collection}/products"), 200).json()["Items"]
    assert [(entry["ID"], entry["PriceSchedule"]["PriceBreaks"][0]["Price"]) for entry in entries] == [(visible, 5)]
    expect(admin.patch(f"/products/{visible}", json={"Active": False}), 200)
    assert ids(me.api.get(f"/me/productcollections/{collection}/products")) == []
    expect(admin.patch(f"/products/{visible}", json={"Active": True}), 200)
    expect(me.api.delete(f"/me/productcollections/{collection}/{visible}"), 204)
    assert ids(me.api.get(f"/me/productcollections/{collection}/products")) == []
    expect(me.api.delete(f"/me/productcollections/{collection}/{visible}"), 404)
