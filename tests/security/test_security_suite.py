"""The security suite catches each class of broken promise, naming the operation and the rule, and
passes on the faithful sandbox, leaving it as it found it.

A sandbox runs in this process (thread mode) so that a test can break one promise in it; the
suite runs as `ocgate run` starts it (`security.suite.pytest_command` in a subprocess whose
OCGATE_TARGET points at that sandbox), exactly as it would against a real OrderCloud. The
promises are broken at the sandbox's front door (its token checks, its company check, its
dispatch of operations), as tests/scenarios/test_scenario_suite.py does.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ocgate.config import load_settings
from ocgate.errors import ExitCode, reason_file
from ocgate.run import suite_environment
from ocgate.sandbox import EmbeddedSandbox
from ocgate.sandbox import oauth as sandbox_oauth
from ocgate.sandbox.errors import not_found
from ocgate.sandbox.registry import Call
from ocgate.sandbox.rules import company_scope
from ocgate.security.suite import pytest_command

REPO = Path(__file__).resolve().parents[2]
Around = Callable[[Call, Callable[[], Any]], Any]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(load_settings()) as running:
        yield running


def run_security(base_url: str, reports_dir: Path, keyword: str | None = None, **env: str) -> tuple[int, dict[str, str]]:
    """`pytest security/` as `ocgate run` starts it; its exit code and test name -> failure or skip message."""
    settings = load_settings(reports_dir=str(reports_dir))
    command = [*pytest_command(reports_dir, keyword=keyword), "-q"]
    done = subprocess.run(command, cwd=REPO, env={**suite_environment(settings, base_url), **env}, capture_output=True, text=True, check=False, timeout=300)
    results: dict[str, str] = {}
    junit = reports_dir / "junit" / "security.xml"
    if junit.exists():
        for case in ET.parse(junit).iter("testcase"):
            problem = next((case.find(tag) for tag in ("failure", "error", "skipped") if case.find(tag) is not None), None)
            results[case.get("name", "")] = "" if problem is None else f"{problem.get('message', '')}\n{problem.text or ''}"
    return done.returncode, results


def findings(results: dict[str, str]) -> str:
    return "\n".join(message for message in results.values() if message)


def break_operations(monkeypatch: pytest.MonkeyPatch, sandbox: EmbeddedSandbox, operation_ids: set[str], around: Around) -> None:
    """Make the sandbox run `around(call, proceed)` instead of these operations."""
    assert sandbox.market is not None
    resources = sandbox.market.resources
    original = resources.handle

    def handle(call: Call) -> Any:
        if call.op.operation_id in operation_ids:
            return around(call, lambda: original(call))
        return original(call)

    monkeypatch.setattr(resources, "handle", handle)


def test_the_suite_passes_on_the_faithful_sandbox_and_leaves_no_trace(sandbox: EmbeddedSandbox, tmp_path: Path) -> None:
    before = httpx.get(f"{sandbox.base_url}/_sandbox/counts").json()
    code, results = run_security(sandbox.base_url, tmp_path)
    assert code == ExitCode.PASSED, findings(results)
    assert len(results) > 40 and not findings(results)
    assert httpx.get(f"{sandbox.base_url}/_sandbox/counts").json() == before


def test_a_login_that_tells_unknown_users_apart_is_a_finding(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = sandbox_oauth.OAuthServer._authenticate

    def telling(self: sandbox_oauth.OAuthServer, username: str, password: str) -> dict[str, Any]:
        if username.lower() not in self.directory.credentials:
            raise sandbox_oauth.OAuthError(400, "invalid_grant", "Auth.UserNotFound", "User not found.")
        return original(self, username, password)

    monkeypatch.setattr(sandbox_oauth.OAuthServer, "_authenticate", telling)
    code, results = run_security(sandbox.base_url, tmp_path, "login_does_not_reveal")
    assert code == ExitCode.FAILED
    assert "Security: login_does_not_reveal_usernames: OAuth.Token: wrong password ->" in findings(results)


def test_a_password_reset_that_tells_unknown_accounts_apart_is_a_finding(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def telling(call: Call, proceed: Callable[[], Any]) -> Any:
        if (call.body.get("Username") or "").lower() not in call.market.directory.credentials:
            raise not_found("User", call.body.get("Username"))
        return proceed()

    break_operations(monkeypatch, sandbox, {"PasswordResets.SendVerificationCode"}, telling)
    code, results = run_security(sandbox.base_url, tmp_path, "account_recovery")
    assert code == ExitCode.FAILED
    assert "Security: account_recovery_does_not_reveal_accounts: PasswordResets.SendVerificationCode: known account ->" in findings(results)


def test_another_company_reaching_objects_is_a_finding(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(company_scope, "check", lambda identity, params, body: None)
    code, results = run_security(sandbox.base_url, tmp_path, "another_company and Users")
    assert code == ExitCode.FAILED
    said = findings(results)
    assert "Security: other_company_is_refused: Users.Get: GET /buyers/" in said
    assert "Security: other_company_is_refused: Users.Create: POST /buyers/" in said
    assert "Security: other_company_object_unchanged: Users.Patch: /buyers/" in said


def test_tampered_revoked_and_deactivated_tokens_that_work_are_findings(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decode = sandbox_oauth.jwt.decode
    monkeypatch.setattr(sandbox_oauth.jwt, "decode", lambda token, *args, **kwargs: decode(token, options={"verify_signature": False}))
    monkeypatch.setattr(sandbox_oauth.OAuthServer, "_still_valid", lambda self, identity: True)
    monkeypatch.setattr(sandbox_oauth.OAuthServer, "revoke_user", lambda self, *args: None)
    code, results = run_security(sandbox.base_url, tmp_path, "tampered or revoked or deactivated")
    assert code == ExitCode.FAILED
    said = findings(results)
    assert "Security: token_is_refused: AdminAddresses.List: a token with a role added to the payload: 200" in said
    assert "Security: token_is_refused: AdminAddresses.List: a token with alg none: 200" in said
    assert ": a revoked token: 200" in said and "Security: revoked_refresh_token_is_refused: OAuth.Token:" in said
    assert ": a deactivated user's token: 200" in said
    assert ": a token of a deleted API client: 200" in said and ": a token of a deactivated API client: 200" in said


def test_raising_ones_own_roles_and_read_only_fields_that_stick_are_findings(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sandbox.market is not None
    authorize = sandbox.market.tokens.authorize
    monkeypatch.setattr(sandbox.market.tokens, "authorize", lambda identity, op: None if op.operation_id == "SecurityProfiles.SaveAssignment" else authorize(identity, op))

    def keeps_status(call: Call, proceed: Callable[[], Any]) -> Any:
        result = proceed()
        stored = call.market.store.get("/orders", (), call.params["orderID"])
        if stored is not None and "Status" in call.body:
            stored["Status"] = result["Status"] = call.body["Status"]
        return result

    break_operations(monkeypatch, sandbox, {"Orders.Patch"}, keeps_status)
    code, results = run_security(sandbox.base_url, tmp_path, "raise_its_own_roles or read_only_fields_do_not_stick")
    assert code == ExitCode.FAILED
    said = findings(results)
    assert "Security: assignment_needs_its_role: SecurityProfiles.SaveAssignment: assigning itself: 204" in said
    assert "Security: roles_cannot_be_raised_by_their_holder: SecurityProfiles.SaveAssignment: after its own assignments: the user's token now holds ['UnsubmittedOrderReader']" in said
    assert "Security: read_only_field_does_not_stick: Orders.Patch: Status sent as" in said


def test_a_returned_password_is_a_finding_and_a_waiver_makes_it_known(sandbox: EmbeddedSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def leaking(call: Call, proceed: Callable[[], Any]) -> Any:
        page = proceed()
        for user in page["Items"]:
            user["Password"] = "Leaked-Password-1"
        return page

    break_operations(monkeypatch, sandbox, {"Users.List"}, leaking)
    code, results = run_security(sandbox.base_url, tmp_path / "found", "passwords_are_never_returned")
    assert code == ExitCode.FAILED
    assert "Security: password_is_never_returned: Users.List: Items[0].Password came back with a value" in findings(results)

    waivers = tmp_path / "waivers.toml"
    waivers.write_text('[[waiver]]\noperation = "Users.List"\ncheck = "password_is_never_returned"\nreason = "ticket 42"\nexpires = 2999-12-31\n')
    code, results = run_security(sandbox.base_url, tmp_path / "waived", "passwords_are_never_returned", OCGATE_SECURITY_WAIVERS=str(waivers))
    assert code == ExitCode.PASSED
    assert "known: Users.List password_is_never_returned: ticket 42" in results["test_passwords_are_never_returned[Users.List]"]


def test_an_unreachable_target_means_the_suite_cannot_run_and_says_why_in_a_file(tmp_path: Path) -> None:
    code, _ = run_security("http://127.0.0.1:9", tmp_path, "login_does_not_reveal")
    assert code == ExitCode.CANNOT_RUN
    assert "unreachable" in reason_file(tmp_path, "security").read_text()
