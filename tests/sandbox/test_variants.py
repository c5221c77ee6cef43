"""Specs and variants: specs show their options; variants are generated from a product's variant-defining specs."""

from __future__ import annotations

import httpx
import pytest
from _sandbox_api import created, error_of


@pytest.fixture
def shirt(admin: httpx.Client) -> str:
    """A product with two variant-defining specs (2 colours x 2 sizes) and one plain spec."""
    product = created(admin.post("/products", json={"Name": "Shirt", "Active": True}))["ID"]
    for list_order, (spec_id, defines, options) in enumerate([("color", True, ["red", "blue"]), ("size", True, ["s", "l"]), ("note", False, ["gift"])]):
        spec = f"{product}-{spec_id}"
        created(admin.post("/specs", json={"ID": spec, "Name": spec_id.title(), "DefinesVariant": defines, "ListOrder": list_order}))
        for order, option in enumerate(options):
            created(admin.post(f"/specs/{spec}/options", json={"ID": option, "Value": option.upper(), "ListOrder": order}))
        assert admin.post("/specs/productassignments", json={"SpecID": spec, "ProductID": product}).status_code == 204
    return product


def variant_ids(admin: httpx.Client, product: str) -> set[str]:
    return {variant["ID"] for variant in admin.get(f"/products/{product}/variants").json()["Items"]}


def test_a_spec_shows_its_options_in_list_order(admin: httpx.Client, shirt: str) -> None:
    spec = admin.get(f"/specs/{shirt}-color").json()
    assert (spec["OptionCount"], [option["ID"] for option in spec["Options"]]) == (2, ["red", "blue"])


def test_a_product_lists_and_counts_its_specs(admin: httpx.Client, shirt: str) -> None:
    assert admin.get(f"/products/{shirt}").json()["SpecCount"] == 3
    listed = admin.get(f"/products/{shirt}/specs", params={"sortBy": "Name"}).json()["Items"]
    assert [spec["Name"] for spec in listed] == ["Color", "Note", "Size"]
    assert admin.get("/products/no-such-product/specs").status_code == 404


def test_a_product_list_counts_the_specs_of_each_product(admin: httpx.Client, shirt: str) -> None:
    plain = created(admin.post("/products", json={"Name": "Plain", "Active": True}))["ID"]
    assert admin.post("/specs/productassignments", json={"SpecID": f"{shirt}-note", "ProductID": plain}).status_code == 204

    def counts() -> dict[str, int]:
        return {product["ID"]: product["SpecCount"] for product in admin.get("/products", params={"ID": f"{shirt}|{plain}"}).json()["Items"]}

    assert counts() == {shirt: 3, plain: 1}
    assert admin.delete(f"/specs/{shirt}-note/productassignments/{plain}").status_code == 204
    assert counts() == {shirt: 3, plain: 0}


def test_generating_variants_makes_one_per_option_combination(admin: httpx.Client, shirt: str) -> None:
    response = admin.post(f"/products/{shirt}/variants/generate")
    assert response.status_code == 201
    assert response.json()["VariantCount"] == 4
    assert variant_ids(admin, shirt) == {f"{shirt}-red-s", f"{shirt}-red-l", f"{shirt}-blue-s", f"{shirt}-blue-l"}
    variant = admin.get(f"/products/{shirt}/variants/{shirt}-blue-l").json()
    assert [(spec["SpecID"], spec["OptionID"], spec["Value"]) for spec in variant["Specs"]] == [(f"{shirt}-color", "blue", "BLUE"), (f"{shirt}-size", "l", "L")]
    assert variant["Active"] is True


def test_regenerating_keeps_edited_variants_unless_told_to_overwrite(admin: httpx.Client, shirt: str) -> None:
    admin.post(f"/products/{shirt}/variants/generate")
    assert admin.patch(f"/products/{shirt}/variants/{shirt}-red-s", json={"Description": "edited"}).status_code == 200
    admin.post(f"/products/{shirt}/variants/generate")
    assert admin.get(f"/products/{shirt}/variants/{shirt}-red-s").json()["Description"] == "edited"
    admin.post(f"/products/{shirt}/variants/generate", params={"overwriteExisting": "true"})
    assert admin.get(f"/products/{shirt}/variants/{shirt}-red-s").json()["Description"] is None


def test_regenerating_drops_variants_whose_options_are_gone(admin: httpx.Client, shirt: str) -> None:
    admin.post(f"/products/{shirt}/variants/generate")
    assert admin.delete(f"/specs/{shirt}-size/options/l").status_code == 204
    admin.post(f"/products/{shirt}/variants/generate")
    assert variant_ids(admin, shirt) == {f"{shirt}-red-s", f"{shirt}-blue-s"}


def test_a_product_without_variant_specs_has_no_variants(admin: httpx.Client) -> None:
    plain = created(admin.post("/products", json={"Name": "Plain"}))["ID"]
    assert admin.post(f"/products/{plain}/variants/generate").json()["VariantCount"] == 0


def test_variants_exist_only_by_generation(admin: httpx.Client, shirt: str) -> None:
    response = admin.put(f"/products/{shirt}/variants/made-up", json={"Name": "Made up"})
    assert response.status_code == 404
    assert error_of(response)["Data"] == {"ObjectType": "Variant", "ObjectID": "made-up"}


def test_generation_is_limited_to_1500_variants(admin: httpx.Client) -> None:
    product = created(admin.post("/products", json={"Name": "Huge"}))["ID"]
    for axis in ("a", "b"):
        spec = created(admin.post("/specs", json={"Name": axis, "DefinesVariant": True}))["ID"]
        for n in range(40):
            created(admin.post(f"/specs/{spec}/options", json={"ID": f"{axis}{n}", "Value": str(n)}))
        admin.post("/specs/productassignments", json={"SpecID": spec, "ProductID": product})
    response = admin.post(f"/products/{product}/variants/generate")
    assert response.status_code == 400
    assert error_of(response)["ErrorCode"] == "Variant.ExceededLimit"
