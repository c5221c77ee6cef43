"""Forgotten passwords: verification codes delivered to the sandbox outbox, one-time resets, and resets by token."""

from __future__ import annotations

import httpx
import pytest
from _sandbox_api import BUYER_PASSWORD, BuyerPersona, error_of, token_request

from ocgate.sandbox.server import EmbeddedSandbox

NEW_PASSWORD = "Brand-New-Pass-7"


@pytest.fixture(scope="module")
def public(sandbox: EmbeddedSandbox) -> httpx.Client:
    """No token: whoever forgot a password cannot sign in first."""
    with httpx.Client(base_url=f"{sandbox.base_url}/v1") as client:
        yield client


def codes_for(sandbox: EmbeddedSandbox, username: str) -> list[str]:
    messages = httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json()["Items"]
    return [message["VerificationCode"] for message in messages if message["Username"] == username and message["MessageType"] == "ForgottenPassword"]


def request_code(public: httpx.Client, persona: BuyerPersona, **fields: str) -> httpx.Response:
    return public.post("/password/reset", json={"ClientID": persona.client_id, "Email": f"{persona.username}@example.com", "URL": "https://shop.example.com/reset", **fields})


def login(sandbox: EmbeddedSandbox, persona: BuyerPersona, password: str) -> int:
    return token_request(sandbox.base_url, grant_type="password", client_id=persona.client_id, username=persona.username, password=password).status_code


def test_a_verification_code_is_sent_to_the_users_email_and_lands_in_the_outbox(sandbox: EmbeddedSandbox, public: httpx.Client, buyer_user) -> None:
    persona = buyer_user()
    assert request_code(public, persona).status_code == 204
    message = httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json()["Items"][-1]
    assert message["To"] == f"{persona.username}@example.com"
    assert message["URL"] == "https://shop.example.com/reset"
    assert len(codes_for(sandbox, persona.username)) == 1


def test_asking_for_an_unknown_email_looks_the_same_and_sends_nothing(sandbox: EmbeddedSandbox, public: httpx.Client, buyer_user) -> None:
    persona = buyer_user()
    before = len(httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json()["Items"])
    assert request_code(public, persona, Email="nobody@example.com").status_code == 204
    assert len(httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json()["Items"]) == before


def test_the_code_resets_the_password_once(sandbox: EmbeddedSandbox, public: httpx.Client, buyer_user) -> None:
    persona = buyer_user()
    request_code(public, persona)
    (code,) = codes_for(sandbox, persona.username)
    reset = {"ClientID": persona.client_id, "Username": persona.username, "Password": NEW_PASSWORD}
    assert public.put(f"/password/reset/{code}", json=reset).status_code == 204
    assert login(sandbox, persona, NEW_PASSWORD) == 200
    assert login(sandbox, persona, BUYER_PASSWORD) == 400
    again = public.put(f"/password/reset/{code}", json=reset)
    assert again.status_code == 400
    assert error_of(again)["ErrorCode"] == "PasswordReset.InvalidVerification"


def test_the_code_works_only_for_its_username_and_client(sandbox: EmbeddedSandbox, public: httpx.Client, buyer_user) -> None:
    persona, other = buyer_user(), buyer_user()
    request_code(public, persona)
    (code,) = codes_for(sandbox, persona.username)
    as_other = public.put(f"/password/reset/{code}", json={"ClientID": persona.client_id, "Username": other.username, "Password": NEW_PASSWORD})
    assert error_of(as_other)["ErrorCode"] == "PasswordReset.InvalidVerification"
    unknown_client = public.put(f"/password/reset/{code}", json={"ClientID": "no-such-client", "Username": persona.username, "Password": NEW_PASSWORD})
    assert error_of(unknown_client)["ErrorCode"] == "PasswordReset.MissingOrInvalidClientID"


def test_the_new_password_must_follow_the_password_rules(sandbox: EmbeddedSandbox, public: httpx.Client, buyer_user) -> None:
    persona = buyer_user()
    request_code(public, persona)
    (code,) = codes_for(sandbox, persona.username)
    weak = public.put(f"/password/reset/{code}", json={"ClientID": persona.client_id, "Username": persona.username, "Password": "weak"})
    assert error_of(weak)["ErrorCode"] == "Auth.InsecurePassword"
    assert login(sandbox, persona, BUYER_PASSWORD) == 200


def test_a_signed_in_user_resets_the_password_by_token(sandbox: EmbeddedSandbox, buyer_user) -> None:
    persona = buyer_user()
    assert persona.api.post("/me/password", json={"NewPassword": NEW_PASSWORD}).status_code == 204
    assert login(sandbox, persona, NEW_PASSWORD) == 200
    assert error_of(persona.api.post("/me/password", json={"NewPassword": "short"}))["ErrorCode"] == "Auth.InsecurePassword"


def test_resetting_by_token_needs_the_password_reset_role(buyer_user) -> None:
    persona = buyer_user(roles=("Shopper",))
    assert persona.api.post("/me/password", json={"NewPassword": NEW_PASSWORD}).status_code == 403
