"""The role matrix is generated from the spec, probes harmlessly, and reports expected vs observed."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
import pytest

from ocgate.config import load_settings
from ocgate.scenarios import role_matrix
from ocgate.spec import Spec, load_spec

RUN_ID = "ocgtest01"


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(load_settings().spec_location)


@pytest.fixture(scope="module")
def matrix(spec: Spec) -> list[role_matrix.MatrixEntry]:
    return role_matrix.build_matrix(spec)


def entries_of(matrix: list[role_matrix.MatrixEntry], group: str) -> list[role_matrix.MatrixEntry]:
    return [entry for entry in matrix if entry.group == group]


def test_every_role_of_the_spec_is_tested_both_ways(spec: Spec, matrix: list[role_matrix.MatrixEntry]) -> None:
    granted = {persona.role for entry in entries_of(matrix, role_matrix.ALLOWED) for persona in entry.personas}
    denied = {role for entry in entries_of(matrix, role_matrix.DENIED) for role in entry.op.roles}
    assert granted == spec.all_roles()
    assert denied == spec.all_roles()


def test_every_operation_with_roles_is_probed_by_each_of_its_roles_and_by_personas_without_them(spec: Spec, matrix: list[role_matrix.MatrixEntry]) -> None:
    allowed = {entry.op.operation_id: entry for entry in entries_of(matrix, role_matrix.ALLOWED)}
    denied = {entry.op.operation_id: entry for entry in entries_of(matrix, role_matrix.DENIED)}
    for op in spec.operations:
        if not op.roles:
            continue
        assert {persona.role for persona in allowed[op.operation_id].personas} == set(op.roles)
        outsiders = denied[op.operation_id].personas
        assert {persona.side for persona in outsiders} == {"seller", "buyer"}
        assert not {persona.role for persona in outsiders} & set(op.roles), f"{op.operation_id}: a denied persona holds a sufficient role"


def test_a_reader_is_the_one_denied_what_its_admin_may_do(spec: Spec, matrix: list[role_matrix.MatrixEntry]) -> None:
    create = next(entry for entry in entries_of(matrix, role_matrix.DENIED) if entry.op.operation_id == "Products.Create")
    assert role_matrix.RolePersona("seller", "ProductReader") in create.personas


def test_buyer_only_operations_are_granted_to_buyer_users(matrix: list[role_matrix.MatrixEntry]) -> None:
    for entry in entries_of(matrix, role_matrix.ALLOWED):
        if entry.op.buyer_users_only or entry.op.resource == "Cart":
            assert {persona.side for persona in entry.personas} == {"buyer"}, entry.id


def test_probes_name_only_objects_that_do_not_exist_and_send_no_model(matrix: list[role_matrix.MatrixEntry]) -> None:
    for entry in matrix:
        probe = role_matrix.probe_for(entry.op, RUN_ID)
        assert "{" not in probe.path, entry.id
        for parameter in entry.op.parameters:
            schema = parameter.get("schema", {})
            if parameter["in"] == "path" and schema.get("type", "string") == "string" and not schema.get("enum"):
                assert f"/{RUN_ID}-absent" in probe.path, entry.id
        assert probe.body is None or not isinstance(probe.body, dict), entry.id
        assert (probe.body is None) == (entry.op.request_schema is None), entry.id


def response(status: int, error_code: str | None = None, data: object = None) -> httpx.Response:
    body = {"Errors": [{"ErrorCode": error_code, "Message": "", "Data": data}]} if error_code else {"ID": "x"}
    return httpx.Response(status, json=body, request=httpx.Request("POST", "http://sandbox/v1/products"))


def products_create(matrix: list[role_matrix.MatrixEntry], group: str) -> role_matrix.MatrixEntry:
    return next(entry for entry in entries_of(matrix, group) if entry.op.operation_id == "Products.Create")


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (response(403, "InsufficientRoles", {"SufficientRoles": ["FullAccess", "ProductAdmin"], "AssignedRoles": ["ProductReader"]}), ""),
        (response(404, "NotFound"), "expected 403 InsufficientRoles, got 404 NotFound"),
        (response(403, "InsufficientRoles", {"SufficientRoles": ["FullAccess"]}), "Data.SufficientRoles should name"),
        (response(201), "expected 403 InsufficientRoles, got 201"),
    ],
    ids=["denied-as-expected", "not-found-instead", "wrong-roles-named", "let-through"],
)
def test_a_denial_must_be_403_insufficient_roles_naming_the_sufficient_roles(matrix: list[role_matrix.MatrixEntry], answer: httpx.Response, problem: str) -> None:
    entry = products_create(matrix, role_matrix.DENIED)
    observed = role_matrix.judge(entry, entry.personas[0], role_matrix.probe_for(entry.op, RUN_ID), answer)
    assert observed.passed == (not problem)
    assert problem in observed.problem


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (response(400, "ValidationFailure"), ""),
        (response(403, "InsufficientRoles"), "the role check refused"),
        (response(401, "InvalidToken"), "the role check refused"),
        (response(500, "InternalServerError"), "server error 500"),
        (response(201), "accepted a request body that is not an object"),
    ],
    ids=["bad-input", "forbidden", "unauthorized", "server-error", "accepted-garbage"],
)
def test_a_holder_of_a_sufficient_role_must_get_past_the_role_check(matrix: list[role_matrix.MatrixEntry], answer: httpx.Response, problem: str) -> None:
    entry = products_create(matrix, role_matrix.ALLOWED)
    observed = role_matrix.judge(entry, entry.personas[0], role_matrix.probe_for(entry.op, RUN_ID), answer)
    assert observed.passed == (not problem)
    assert problem in observed.problem


def test_the_report_lists_expected_against_observed_with_failures_first(matrix: list[role_matrix.MatrixEntry], tmp_path: Path) -> None:
    denied, allowed = products_create(matrix, role_matrix.DENIED), products_create(matrix, role_matrix.ALLOWED)
    observations = [
        role_matrix.judge(denied, denied.personas[0], role_matrix.probe_for(denied.op, RUN_ID), response(404, "NotFound")),
        role_matrix.judge(allowed, allowed.personas[0], role_matrix.probe_for(allowed.op, RUN_ID), response(400, "ValidationFailure")),
    ]
    log = tmp_path / "observations.jsonl"
    for observation in observations:
        role_matrix.record(observation, log)
    csv_path, md_path = role_matrix.write_reports(role_matrix.read_log(log), tmp_path, ["OverrideShipping"])
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert [(row["group"], row["expected"], row["observed"], row["result"]) for row in rows] == [
        (role_matrix.ALLOWED, "not 401/403 (400/404 for the probe)", "400 ValidationFailure", "pass"),
        (role_matrix.DENIED, "403 InsufficientRoles", "404 NotFound", "FAIL"),
    ]
    markdown = md_path.read_text(encoding="utf-8")
    assert "1 as expected, 1 not" in markdown
    assert markdown.index("## Not as expected") < markdown.index("## All probes")
    assert "Roles that no operation lists (not in the matrix): OverrideShipping." in markdown
