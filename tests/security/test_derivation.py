"""What the security suite checks is read from the OpenAPI document (ocgate.security.derive)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocgate.security import derive
from ocgate.security.suite import pytest_command
from ocgate.spec import Spec, load_spec

IDS = dict.fromkeys(("buyerid", "userid", "usergroupid", "addressid", "orderid", "lineitemid", "paymentid", "direction"), "x")


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec("builtin:1.0.260")


def test_operations_naming_a_companys_objects_come_from_paths_and_models(spec: Spec) -> None:
    owned = {op.operation_id for op in derive.company_owned(spec)}
    # the company in the path, in the object (orders, returns, shipments), or a /me view of a company's object
    for operation_id in (
        "Users.Get", "Users.Create", "UserGroups.Patch", "Addresses.Delete", "CostCenters.Get", "SpendingAccounts.Save",
        "CreditCards.Get", "Orders.Get", "Orders.Submit", "LineItems.Patch", "Payments.Get", "Orders.ListApprovals",
        "OrderReturns.Get", "Shipments.Get", "Me.GetAddress", "Me.PatchCreditCard",
    ):  # fmt: skip
        assert operation_id in owned, operation_id
    for operation_id in ("Products.Get", "Catalogs.Get", "Me.GetProduct", "Me.ListOrders", "Buyers.List", "Orders.Create"):
        assert operation_id not in owned, operation_id


def test_each_family_is_probed_by_at_most_one_read_one_write_and_one_create(spec: Spec) -> None:
    probes, unsampled = derive.isolation_probes(spec, IDS)
    by_family: dict[str, list[str]] = {}
    for probe in probes:
        by_family.setdefault(probe.family, []).append(probe.kind)
    assert all(sorted(kinds) == sorted(set(kinds)) for kinds in by_family.values())
    assert {"read", "write", "create"} == set(by_family["/buyers/{buyerID}/users"])
    assert [p.op.operation_id for p in probes if p.family == "/buyers/{buyerID}/users"] == ["Users.Get", "Users.Patch", "Users.Create"]
    assert "/me/creditcards" in unsampled  # no credit card ID given here
    assert [p.op.operation_id for p in probes if p.family == "/buyers/{buyerID}/costcenters"] == ["CostCenters.List", "CostCenters.Create"]


def test_read_only_and_secret_fields_come_from_the_schemas(spec: Spec) -> None:
    assert {"AvailableRoles", "CompanyID", "DateCreated"} <= set(derive.read_only_fields(spec.operation("Users.Patch").request_schema))
    assert {"Status", "IsSubmitted", "Total", "DateSubmitted"} <= set(derive.read_only_fields(spec.operation("Orders.Patch").request_schema))
    assert derive.secret_properties(derive.model_schema(spec.operation("Users.Get"))) == ["Password"]
    assert derive.secret_properties(derive.model_schema(spec.operation("ApiClients.Get"))) == []  # ClientSecret is documented there


def test_account_recovery_operations_are_the_open_ones_taking_a_username(spec: Spec) -> None:
    found = [op.operation_id for op in derive.enumeration_operations(spec)]
    assert found == ["PasswordResets.SendVerificationCode", "PasswordResets.ResetPasswordByVerificationCode"]


def test_the_command_is_what_a_person_would_type(tmp_path: Path) -> None:
    command = pytest_command(tmp_path)
    assert command[1:3] == ["-m", "pytest"] and command[3].endswith("/security")
    assert command[command.index("--alluredir") + 1] == str(tmp_path / "allure-results" / "security")
    assert command[command.index("--junitxml") + 1] == str(tmp_path / "junit" / "security.xml")
