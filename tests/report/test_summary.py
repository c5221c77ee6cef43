"""The end of a failing run says what broke: one line per failure, capped, each pointing at its curl line."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from rich.console import Console

from ocgate.report.summary import FailureLine, failures, print_failures


def write_result(folder: Path, name: str, status: str, message: str = "", story: str = "", curl: str | None = None) -> None:
    """An Allure result as allure-pytest writes it, with a curl attachment when given."""
    folder.mkdir(parents=True, exist_ok=True)
    attachments = []
    if curl is not None:
        source = f"{uuid.uuid4()}-attachment.txt"
        (folder / source).write_text(curl)
        attachments.append({"name": "failing request (curl)", "source": source, "type": "text/plain"})
    result = {
        "uuid": str(uuid.uuid4()),
        "historyId": name,
        "name": name,
        "status": status,
        "statusDetails": {"message": message},
        "labels": [{"name": "story", "value": story}] if story else [],
        "steps": [{"name": "check", "attachments": attachments}],
        "start": 1,
        "stop": 2,
    }
    (folder / f"{result['uuid']}-result.json").write_text(json.dumps(result))


def test_a_contract_violation_names_the_operation_the_check_the_reason_and_the_curl_file(tmp_path: Path) -> None:
    message = "- Response violates schema\n\n    'Name' is a required property\n\n[200] OK:"
    write_result(tmp_path, "test_operation_meets_contract[Buyers.Get]", "failed", message, story="Buyers.Get", curl="curl -X GET ...")
    write_result(tmp_path, "test_operation_meets_contract[Buyers.List]", "passed", story="Buyers.List")
    [line] = failures("contract", tmp_path)
    assert (line.suite, line.subject, line.rule) == ("contract", "Buyers.Get", "Response violates schema")
    assert line.reason == "'Name' is a required property"
    assert line.curl is not None and line.curl.read_text() == "curl -X GET ..."
    assert str(line).startswith("✗ contract · Buyers.Get · Response violates schema: 'Name' is a required property (curl: ")


def test_a_failed_journey_names_the_test_and_its_assertion(tmp_path: Path) -> None:
    write_result(tmp_path, "test_a_shopper_checks_out", "failed", "AssertionError: inventory not deducted on submit\nassert 10 == 8")
    [line] = failures("scenarios", tmp_path)
    assert (line.subject, line.rule, line.reason, line.curl) == ("test_a_shopper_checks_out", "assertion", "inventory not deducted on submit", None)


def test_the_failure_lines_are_capped_with_how_many_more(tmp_path: Path) -> None:
    lines = [FailureLine("contract", f"Op.{n}", "rule", "reason", None) for n in range(25)]
    console = Console(record=True, width=200)
    print_failures(console, lines, limit=20)
    text = console.export_text()
    assert text.count("✗ contract") == 20
    assert "… and 5 more (see the report)" in text


def test_an_slo_breach_says_what_was_observed(tmp_path: Path) -> None:
    write_result(tmp_path, "overall: checkouts completed >= 1000000", "failed", "SLO breach: overall: checkouts completed >= 1000000, observed 3")
    [line] = failures("load", tmp_path)
    assert (line.rule, line.reason) == ("SLO breach", "overall: checkouts completed >= 1000000, observed 3")


def test_a_security_finding_names_its_rule_and_operation(tmp_path: Path) -> None:
    message = "ocgate.security.findings.Finding: Security: password_is_never_returned: Users.Get: Password came back set"
    write_result(tmp_path, "test_passwords", "failed", message)
    [line] = failures("security", tmp_path)
    assert (line.rule, line.reason) == ("password_is_never_returned", "Users.Get: Password came back set")
