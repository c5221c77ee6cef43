"""The gate catches contract breaks: each injected fault fails its operation, naming the check;
the faithful sandbox passes the same operations cleanly and is left as it was found.

The faults are injected by an ASGI wrapper around the embedded sandbox (test code only,
gate_harness.faulty_sandbox): it rewrites the answers of one operation each, the way a broken
OrderCloud release would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gate_harness import Fault as HarnessFault
from gate_harness import faulty_sandbox, run_faulty_gate, run_gate, sandbox_counts, served

from ocgate.config import Settings

Fault = Callable[[int, Any], tuple[int, Any]]
ERROR = {"Errors": [{"ErrorCode": "Injected", "Message": "injected fault", "Data": None}]}


def drop_property(name: str) -> Fault:
    def fault(status: int, body: Any) -> tuple[int, Any]:
        if status == 200 and isinstance(body, dict):
            body.pop(name, None)
        return status, body

    return fault


def wrong_type(name: str) -> Fault:
    def fault(status: int, body: Any) -> tuple[int, Any]:
        if status == 200 and isinstance(body, dict):
            body[name] = 12345
        return status, body

    return fault


def server_error(status: int, body: Any) -> tuple[int, Any]:
    return 500, ERROR


def undocumented_status(status: int, body: Any) -> tuple[int, Any]:
    return 418, ERROR


def lying_meta(status: int, body: Any) -> tuple[int, Any]:
    if status == 200 and isinstance(body, dict) and "Meta" in body:
        body["Meta"]["TotalCount"] += 7
    return status, body


def allowed_without_role(status: int, body: Any) -> tuple[int, Any]:
    if status == 403:
        return 200, {"Meta": {"Page": 1, "PageSize": 20, "TotalCount": 0, "TotalPages": 0, "ItemRange": [1, 0], "NextPageKey": None}, "Items": []}
    return status, body


def nonstandard_error(status: int, body: Any) -> tuple[int, Any]:
    return (status, {"message": "something went wrong"}) if status >= 400 else (status, body)


#: operationId -> (fault, the check that must name it)
FAULTS: dict[str, tuple[Fault, str]] = {
    "Buyers.Get": (drop_property("Name"), "every_property_is_present"),
    "Products.Get": (wrong_type("Name"), "response_schema_conformance"),
    "Catalogs.List": (server_error, "not_a_server_error"),
    "Categories.List": (undocumented_status, "status_code_conformance"),
    "Buyers.List": (lying_meta, "list_meta_is_consistent"),
    "Suppliers.List": (allowed_without_role, "forbidden_without_role"),
    "PriceSchedules.Create": (nonstandard_error, "error_body_is_standard"),
}
#: A fault the team has accepted: covered by a waiver, it is reported as known and fails nothing.
WAIVED = ("Specs.List", lying_meta, "list_meta_is_consistent")
#: How Schemathesis names its built-in checks' failures (contracts/checks.py names the check itself).
REPORTED_AS = {
    "response_schema_conformance": "Response violates schema",
    "not_a_server_error": "Server error",
    "status_code_conformance": "Undocumented status code",
}


def answer_only(fault: Fault) -> HarnessFault:
    """A fault that rewrites the answer whatever the request said."""
    return lambda status, body, sent: fault(status, body)


@pytest.fixture(scope="module")
def faulty_run(settings: Settings, tmp_path_factory: pytest.TempPathFactory):
    faults = {op: answer_only(fault) for op, (fault, _) in FAULTS.items()}
    operation, fault, check = WAIVED
    return run_faulty_gate(settings, tmp_path_factory.mktemp("faulty"), faults, list(FAULTS), (operation, answer_only(fault), check))


def test_the_gate_fails_when_the_target_breaks_its_contract(faulty_run) -> None:
    assert faulty_run.exit_code == 1, faulty_run.output[-3000:]


@pytest.mark.parametrize("operation_id", list(FAULTS))
def test_each_fault_fails_its_operation_naming_the_check(faulty_run, operation_id: str) -> None:
    check = FAULTS[operation_id][1]
    failure = faulty_run.results[operation_id]
    assert failure, f"{operation_id} passed despite the injected fault"
    assert check in failure or REPORTED_AS.get(check, check) in failure, failure[:2000]


def test_a_waived_fault_is_reported_as_known_and_fails_nothing(faulty_run) -> None:
    operation, _, check = WAIVED
    assert not faulty_run.results[operation]
    assert faulty_run.skipped[operation].startswith(f"known: {operation} {check}: accepted in this test")
    assert faulty_run.coverage["known"] == [f"{operation} {check}: accepted in this test (until 2999-12-31)"]


def test_each_operation_is_one_allure_result_labelled_contract_tag_operation(faulty_run) -> None:
    labelled = {}
    for result in faulty_run.allure_results():
        labels = {label["name"]: label["value"] for label in result["labels"]}
        if labels.get("story") in FAULTS:
            labelled[labels["story"]] = labels
    assert set(labelled) == set(FAULTS)
    assert all(labels["epic"] == "Contract" and labels["severity"] in ("critical", "normal") for labels in labelled.values())
    assert labelled["Buyers.Get"]["feature"] == "Buyers"


def test_a_failure_carries_the_request_as_curl_and_the_response_with_secrets_masked(faulty_run) -> None:
    failed = next(result for result in faulty_run.allure_results() if {"name": "story", "value": "Catalogs.List"} in result["labels"])
    curl, answer = failed["texts"][:2]
    assert curl.startswith("curl -X GET") and "/v1/catalogs" in curl
    assert "Authorization: [Filtered]" in curl and "eyJ" not in curl
    assert answer.startswith("HTTP 500") and "Injected" in answer


def test_the_faithful_sandbox_passes_and_is_left_as_found(settings: Settings, tmp_path: Path) -> None:
    with served(faulty_sandbox(settings, {}), settings) as url:
        before = sandbox_counts(url)
        run = run_gate(url, settings, tmp_path, list(FAULTS))
        assert run.exit_code == 0, run.output[-3000:]
        assert set(run.results) == set(FAULTS) and not any(run.results.values())
        assert run.coverage["reached_2xx"] == len(FAULTS)
        assert sandbox_counts(url) == before
