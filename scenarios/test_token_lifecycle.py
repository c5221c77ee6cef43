"""Journey 8: a token's life — login, expiry, refresh, revocation — and refused logins.

These calls go to the token endpoint and to /v1/me directly with the raw tokens, because
the persona clients would quietly renew a token this journey wants to see fail. Each call
is still an Allure step with the masked request and response attached.

Facts followed (BEHAVIOUR.md §1): expires_in is AccessTokenDuration in seconds; a refresh
token comes with RefreshTokenDuration > 0 and buys a new access token; DELETE /me/tokens
revokes every token of the user; a wrong password and an unknown user get the same
invalid_grant answer; a client secret, once set, is required.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import allure
import httpx
import pytest
from actors import Actor

from ocgate.api.client import OrderCloudClient, attach_exchange
from ocgate.api.seeding import SeededBuyer, SeededMarketplace, Seeder
from ocgate.api.target import Target
from ocgate.redact import secrets

pytestmark = [allure.epic("Scenarios"), allure.feature("Token lifecycle")]

TOKEN_MINUTES = 1  # the journey's API client issues one-minute access tokens


@dataclass
class Login:
    """The raw token endpoint and API of the target."""

    target: Target
    http: httpx.Client

    def token(self, **form: str) -> httpx.Response:
        with allure.step(f"POST /oauth/token ({form.get('grant_type')})"):
            response = self.http.post(self.target.token_url, data=form)
            attach_exchange(response)
        return response

    def me(self, access_token: str) -> httpx.Response:
        with allure.step("GET /v1/me with the token"):
            response = self.http.get(f"{self.target.base_url}/v1/me", headers={"Authorization": f"Bearer {access_token}"})
            attach_exchange(response)
        return response

    def revoke(self, access_token: str) -> httpx.Response:
        with allure.step("DELETE /v1/me/tokens"):
            response = self.http.delete(f"{self.target.base_url}/v1/me/tokens", headers={"Authorization": f"Bearer {access_token}"})
            attach_exchange(response)
        return response


@pytest.fixture(scope="module")
def login(target: Target) -> Iterator[Login]:
    with httpx.Client(timeout=30) as http:
        yield Login(target, http)


@pytest.fixture(scope="module")
def short_lived_client(seeder: Seeder, seller: OrderCloudClient) -> str:
    """An API client for buyers with one-minute access tokens and one-day refresh tokens."""
    app = {"AppName": f"{seeder.run_id} short-lived tokens", "Active": True, "AllowAnyBuyer": True, "AccessTokenDuration": TOKEN_MINUTES, "RefreshTokenDuration": 1440}
    return seeder.create("/apiclients", app, client=seller)["ID"]


@pytest.fixture(scope="module")
def holder(new_actor: Callable[..., Actor], buyer_a: SeededBuyer) -> Actor:
    return new_actor("token-holder", buyer=buyer_a)


@pytest.fixture
def password_grant(login: Login, short_lived_client: str, holder: Actor, marketplace: SeededMarketplace) -> Callable[[], dict[str, Any]]:
    """`password_grant()`: a fresh login of the token holder through the short-lived client."""

    def grant() -> dict[str, Any]:
        response = login.token(
            grant_type="password", client_id=short_lived_client, username=holder.user.username, password=holder.user.password, scope=" ".join(marketplace.data.roles.shopper)
        )
        assert response.status_code == 200, f"the holder should be able to log in, got {response.status_code} {response.text}"
        return response.json()

    return grant


@pytest.fixture
def sandbox_clock(target: Target, login: Login) -> Callable[[int], None]:
    """`advance(seconds)`: move the embedded sandbox's clock on (skips on targets without one)."""
    if login.http.get(f"{target.base_url}/_sandbox/health").status_code != 200:
        pytest.skip("token expiry needs the embedded sandbox's clock; a real OrderCloud cannot age a token on demand")

    def advance(seconds: int) -> None:
        with allure.step(f"The sandbox clock moves {seconds} s on"):
            assert login.http.post(f"{target.base_url}/_sandbox/clock", json={"seconds": seconds}).status_code == 200

    return advance


def refused_login(response: httpx.Response) -> tuple[int, str, str, str]:
    """What a refused login tells the caller: status, OAuth2 error, its description, OrderCloud's ErrorCode."""
    body = response.json()
    return response.status_code, body.get("error"), body.get("error_description"), (body.get("Errors") or [{}])[0].get("ErrorCode")


@allure.story("Expiry")
def test_a_token_works_until_it_expires(login: Login, password_grant: Callable[[], dict[str, Any]], sandbox_clock: Callable[[int], None]) -> None:
    granted = password_grant()
    assert granted["expires_in"] == TOKEN_MINUTES * 60, "expires_in is the client's AccessTokenDuration in seconds"
    assert login.me(granted["access_token"]).status_code == 200
    sandbox_clock(TOKEN_MINUTES * 60 + 1)
    assert login.me(granted["access_token"]).status_code == 401, "an expired token is refused"


@allure.story("Refresh")
def test_the_refresh_grant_gives_a_new_token_also_after_the_old_one_expired(
    login: Login, password_grant: Callable[[], dict[str, Any]], short_lived_client: str, sandbox_clock: Callable[[int], None]
) -> None:
    granted = password_grant()
    assert granted.get("refresh_token"), "a client with a RefreshTokenDuration issues refresh tokens"
    sandbox_clock(TOKEN_MINUTES * 60 + 1)
    refreshed = login.token(grant_type="refresh_token", client_id=short_lived_client, refresh_token=granted["refresh_token"])
    assert refreshed.status_code == 200, f"the refresh token outlives the access token, got {refreshed.status_code}"
    assert refreshed.json()["access_token"] != granted["access_token"]
    assert login.me(refreshed.json()["access_token"]).status_code == 200


@allure.story("Revocation")
def test_revoking_tokens_logs_the_user_out_of_every_session(login: Login, password_grant: Callable[[], dict[str, Any]], short_lived_client: str) -> None:
    laptop, phone = password_grant(), password_grant()
    assert login.revoke(laptop["access_token"]).status_code == 204
    assert login.me(laptop["access_token"]).status_code == 401, "the token that revoked is refused"
    assert login.me(phone["access_token"]).status_code == 401, "every other token of the user is refused too"
    refreshed = login.token(grant_type="refresh_token", client_id=short_lived_client, refresh_token=phone["refresh_token"])
    assert refreshed.status_code != 200 and refused_login(refreshed)[1] == "invalid_grant", "revoked sessions cannot be refreshed"
    assert login.me(password_grant()["access_token"]).status_code == 200, "logging in again works"


@allure.story("Refused logins")
def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(login: Login, short_lived_client: str, holder: Actor, seeder: Seeder) -> None:
    wrong_password = login.token(grant_type="password", client_id=short_lived_client, username=holder.user.username, password="Not-the-Password-1")
    unknown_user = login.token(grant_type="password", client_id=short_lived_client, username=seeder.id("nobody"), password="Not-the-Password-1")
    assert refused_login(wrong_password)[1] == "invalid_grant"
    assert refused_login(wrong_password) == refused_login(unknown_user), "the answers must not tell an existing username from an unknown one"


@allure.story("Refused logins")
def test_an_unknown_client_is_refused_with_invalid_grant(login: Login, holder: Actor, seeder: Seeder) -> None:
    response = login.token(grant_type="password", client_id=seeder.id("no-such-client"), username=holder.user.username, password=holder.user.password)
    assert response.status_code in (400, 401) and "access_token" not in response.json()
    assert refused_login(response)[1] == "invalid_grant"


@allure.story("Client secret")
def test_a_client_with_a_secret_requires_it_on_every_login(login: Login, seeder: Seeder, seller: OrderCloudClient, holder: Actor) -> None:
    secret = f"{seeder.run_id}-{seeder.fake.password(length=24, special_chars=False)}"
    secrets.register(secret)
    app = {"AppName": f"{seeder.run_id} confidential", "Active": True, "AllowAnyBuyer": True, "AccessTokenDuration": 600, "ClientSecret": secret}
    client_id = seeder.create("/apiclients", app, client=seller)["ID"]
    credentials = {"grant_type": "password", "client_id": client_id, "username": holder.user.username, "password": holder.user.password}
    for attempt, extra in (("without the secret", {}), ("with a wrong secret", {"client_secret": secret[::-1]})):
        response = login.token(**credentials, **extra)
        assert response.status_code in (400, 401) and "access_token" not in response.json(), f"a login {attempt} must be refused, got {response.status_code}"
    assert login.token(**credentials, client_secret=secret).status_code == 200, "the right secret lets the user in"
