"""API client secrets and one-time passwords on the current API (builtin:current): what the token endpoint accepts."""

from __future__ import annotations

import httpx
import pytest
from _commerce_fixtures import error, ok
from _sandbox_api import token_request

from ocgate.config import Settings, load_settings
from ocgate.sandbox.server import EmbeddedSandbox


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(spec="builtin:current")


def client_with_context_user(admin: httpx.Client, buyer_user) -> dict:
    persona = buyer_user()
    return ok(admin.post("/apiclients", json={"AppName": "server app", "Active": True, "AllowAnyBuyer": True, "AccessTokenDuration": 600, "DefaultContextUserName": persona.username}))


def grant(sandbox: EmbeddedSandbox, client_id: str, secret: str | None) -> int:
    return token_request(sandbox.base_url, grant_type="client_credentials", client_id=client_id, client_secret=secret, scope="Shopper").status_code


def test_client_credentials_accept_any_unexpired_secret_of_the_client(sandbox: EmbeddedSandbox, admin: httpx.Client, buyer_user) -> None:
    client = client_with_context_user(admin, buyer_user)
    one = ok(admin.post(f"/apiclients/{client['ID']}/secrets", json={"Name": "one"}))
    two = ok(admin.post(f"/apiclients/{client['ID']}/secrets", json={"Name": "two", "Expiration": "2999-01-01T00:00:00+00:00"}))
    expired = ok(admin.post(f"/apiclients/{client['ID']}/secrets", json={"Name": "old", "Expiration": "2000-01-01T00:00:00+00:00"}))
    assert grant(sandbox, client["ID"], one["ClientSecret"]) == 200
    assert grant(sandbox, client["ID"], two["ClientSecret"]) == 200
    assert grant(sandbox, client["ID"], expired["ClientSecret"]) == 401
    assert grant(sandbox, client["ID"], None) == 401
    assert grant(sandbox, client["ID"], "not-a-secret") == 401


def test_a_secret_is_shown_once_and_stops_working_when_deleted(sandbox: EmbeddedSandbox, admin: httpx.Client, buyer_user) -> None:
    client = client_with_context_user(admin, buyer_user)
    secret = ok(admin.post(f"/apiclients/{client['ID']}/secrets", json={"Name": "rotating"}))
    assert ok(admin.get(f"/apiclients/{client['ID']}/secrets/{secret['ID']}")).get("ClientSecret") is None
    assert all("ClientSecret" not in item for item in ok(admin.get(f"/apiclients/{client['ID']}/secrets"))["Items"])
    assert admin.delete(f"/apiclients/{client['ID']}/secrets/{secret['ID']}").status_code == 204
    # the client has no secret left: the deleted one is no longer checked, and no longer needed
    assert grant(sandbox, client["ID"], None) == 200
    ok(admin.post(f"/apiclients/{client['ID']}/secrets", json={"Name": "new"}))
    assert grant(sandbox, client["ID"], secret["ClientSecret"]) == 401


def outbox(sandbox: EmbeddedSandbox, message_type: str, username: str) -> list[dict]:
    return [m for m in httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json()["Items"] if m["MessageType"] == message_type and m["Username"] == username]


def test_a_one_time_password_logs_in_once(sandbox: EmbeddedSandbox, buyer_user) -> None:
    persona = buyer_user()
    public = httpx.Client(base_url=f"{sandbox.base_url}/v1")
    assert public.post("/password/onetimepassword", json={"ClientID": persona.client_id, "Username": persona.username}).status_code == 204
    (message,) = outbox(sandbox, "OneTimePassword", persona.username)
    login = {"grant_type": "password", "client_id": persona.client_id, "username": persona.username, "password": message["OneTimePassword"]}
    assert token_request(sandbox.base_url, **login).status_code == 200
    assert token_request(sandbox.base_url, **login).status_code == 400


def test_one_time_passwords_and_usernames_answer_alike_for_unknown_users(sandbox: EmbeddedSandbox, buyer_user) -> None:
    persona = buyer_user()
    public = httpx.Client(base_url=f"{sandbox.base_url}/v1")
    before = len(httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json()["Items"])
    assert public.post("/password/onetimepassword", json={"ClientID": persona.client_id, "Email": "nobody@example.com"}).status_code == 204
    assert public.post("/username/retrieve", params={"clientID": persona.client_id, "email": "nobody@example.com"}).status_code == 204
    assert len(httpx.get(f"{sandbox.base_url}/_sandbox/outbox").json()["Items"]) == before
    assert public.post("/username/retrieve", params={"clientID": persona.client_id, "email": f"{persona.username}@example.com"}).status_code == 204
    assert len(outbox(sandbox, "ForgottenUsername", persona.username)) == 1
    error(public.post("/password/onetimepassword", json={"ClientID": "no-such-client", "Username": persona.username}), 400, "PasswordReset.MissingOrInvalidClientID")
