"""OAuth2 as OrderCloud does it (BEHAVIOUR.md §1): the token endpoint, JWTs, expiry and revocation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import jwt
import pytest
from _sandbox_api import BUYER_PASSWORD, BuyerPersona, api_client, created, password_token, token_request

from ocgate.config import Settings
from ocgate.sandbox.server import EmbeddedSandbox

ADMIN_PASSWORD = "Sandbox-Admin-2026"


@pytest.fixture(scope="module")
def base(sandbox: EmbeddedSandbox) -> str:
    return sandbox.base_url


@pytest.fixture(scope="module")
def shopper(buyer_user) -> BuyerPersona:
    return buyer_user()


def admin_login(base: str, client_id: str, **extra: str) -> httpx.Response:
    return token_request(base, grant_type="password", client_id=client_id, username="ocgate-admin", password=ADMIN_PASSWORD, **extra)


def new_client(admin: httpx.Client, **fields: object) -> dict:
    return created(admin.post("/apiclients", json={"AppName": "test app", "Active": True, "AccessTokenDuration": 30, **fields}))


def claims_of(token: str) -> dict:
    """What the JS SDK does with a token: decode it without verifying, to read exp and cid."""
    return jwt.decode(token, options={"verify_signature": False})


# -- the token endpoint ---------------------------------------------------------------------


def test_the_token_endpoint_is_at_the_host_root_not_under_v1(base: str, settings: Settings) -> None:
    assert admin_login(base, settings.client_id).status_code == 200
    assert httpx.post(f"{base}/v1/oauth/token", data={"grant_type": "password"}).status_code == 404


def test_password_grant_answers_an_access_token_in_the_documented_shape(base: str, settings: Settings) -> None:
    response = admin_login(base, settings.client_id, scope="FullAccess")
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 600 * 60  # the seeded client's AccessTokenDuration is 600 minutes
    assert "refresh_token" not in body  # its RefreshTokenDuration is 0


def test_the_token_endpoint_takes_only_form_encoded_bodies(base: str, settings: Settings) -> None:
    response = httpx.post(f"{base}/oauth/token", json={"grant_type": "password", "client_id": settings.client_id})
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == "Request.InvalidContentType"


def test_an_unknown_grant_type_is_refused(base: str, settings: Settings) -> None:
    response = token_request(base, grant_type="implicit", client_id=settings.client_id)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_errors_carry_oauth_fields_and_the_ordercloud_errors_array(base: str, settings: Settings) -> None:
    body = token_request(base, grant_type="password", client_id=settings.client_id, username="ocgate-admin", password="Wrong-Password-1").json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"]
    assert set(body["Errors"][0]) == {"ErrorCode", "Message", "Data"}


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(base: str, settings: Settings) -> None:
    wrong_password = token_request(base, grant_type="password", client_id=settings.client_id, username="ocgate-admin", password="Wrong-Password-1")
    unknown_user = token_request(base, grant_type="password", client_id=settings.client_id, username="nobody-here", password="Wrong-Password-1")
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert wrong_password.json() == unknown_user.json()


def test_an_inactive_user_cannot_log_in_and_is_not_told_why(base: str, admin: httpx.Client, buyer_user) -> None:
    persona = buyer_user()
    assert admin.patch(f"/buyers/{persona.buyer_id}/users/{persona.user_id}", json={"Active": False}).status_code == 200
    response = token_request(base, grant_type="password", client_id=persona.client_id, username=persona.username, password=BUYER_PASSWORD)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert response.json()["Errors"][0]["ErrorCode"] == "InvalidCredentials"


def test_an_unknown_or_inactive_client_is_an_invalid_grant(base: str, admin: httpx.Client) -> None:
    inactive = new_client(admin, AllowSeller=True, Active=False)
    assert admin_login(base, "no-such-client").json()["error"] == "invalid_grant"
    assert admin_login(base, inactive["ID"]).json()["error"] == "invalid_grant"


# -- client rules -------------------------------------------------------------------------------


def test_a_client_secret_is_required_on_every_grant_once_the_client_has_one(base: str, admin: httpx.Client) -> None:
    client = new_client(admin, AllowSeller=True, ClientSecret="s3cret-value", DefaultContextUserName="ocgate-admin")
    assert admin_login(base, client["ID"]).status_code == 401
    assert admin_login(base, client["ID"], client_secret="not-it").status_code == 401
    assert admin_login(base, client["ID"], client_secret="s3cret-value").status_code == 200
    assert token_request(base, grant_type="client_credentials", client_id=client["ID"]).status_code == 401
    assert token_request(base, grant_type="client_credentials", client_id=client["ID"], client_secret="s3cret-value").status_code == 200


def test_client_credentials_act_as_the_default_context_user(base: str, admin: httpx.Client) -> None:
    client = new_client(admin, AllowSeller=True, ClientSecret="integration-secret", DefaultContextUserName="ocgate-admin")
    token = token_request(base, grant_type="client_credentials", client_id=client["ID"], client_secret="integration-secret").json()["access_token"]
    assert claims_of(token)["usr"] == "ocgate-admin"
    with api_client(base, token) as api:
        assert api.get("/me").json()["Username"] == "ocgate-admin"


def test_client_credentials_need_a_default_context_user(base: str, admin: httpx.Client) -> None:
    client = new_client(admin, AllowSeller=True, ClientSecret="integration-secret")
    response = token_request(base, grant_type="client_credentials", client_id=client["ID"], client_secret="integration-secret")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_allow_seller_decides_whether_seller_users_may_log_in(base: str, admin: httpx.Client) -> None:
    buyers_only = new_client(admin, AllowAnyBuyer=True)
    response = admin_login(base, buyers_only["ID"])
    assert response.status_code == 401  # a user type the client does not allow (BEHAVIOUR.md §1.4)
    assert (response.json()["error"], response.json()["Errors"][0]["ErrorCode"]) == ("invalid_grant", "InvalidGrant")


def test_buyer_users_log_in_through_allow_any_buyer_or_an_assignment_to_their_buyer(base: str, admin: httpx.Client, shopper: BuyerPersona) -> None:
    def login(client_id: str) -> int:
        return token_request(base, grant_type="password", client_id=client_id, username=shopper.username, password=BUYER_PASSWORD).status_code

    seller_only = new_client(admin, AllowSeller=True)
    assigned = new_client(admin, AllowSeller=False)
    assert login(seller_only["ID"]) == 401
    assert login(assigned["ID"]) == 401
    assert admin.post("/apiclients/assignments", json={"ApiClientID": assigned["ID"], "BuyerID": shopper.buyer_id}).status_code == 204
    assert login(assigned["ID"]) == 200
    assert login(shopper.client_id) == 200  # AllowAnyBuyer


def test_supplier_users_log_in_through_allow_any_supplier_or_an_assignment(base: str, admin: httpx.Client) -> None:
    supplier = created(admin.post("/suppliers", json={"Name": "Supplier", "Active": True}))
    created(
        admin.post(
            f"/suppliers/{supplier['ID']}/users",
            json={"Username": "supplier-user", "Password": "Supplier-Pass-1", "FirstName": "S", "LastName": "U", "Email": "s@example.com", "Active": True},
        )
    )

    def login(client_id: str) -> int:
        return token_request(base, grant_type="password", client_id=client_id, username="supplier-user", password="Supplier-Pass-1").status_code

    any_supplier, assigned = new_client(admin, AllowAnySupplier=True), new_client(admin)
    assert login(any_supplier["ID"]) == 200
    assert login(assigned["ID"]) == 401
    assert admin.post("/apiclients/assignments", json={"ApiClientID": assigned["ID"], "SupplierID": supplier["ID"]}).status_code == 204
    assert login(assigned["ID"]) == 200


# -- roles in the token ----------------------------------------------------------------------------


def test_granted_roles_are_the_requested_scope_that_the_user_holds(base: str, shopper: BuyerPersona) -> None:
    def roles(scope: str | None) -> list[str]:
        token = token_request(base, grant_type="password", client_id=shopper.client_id, username=shopper.username, password=BUYER_PASSWORD, scope=scope).json()["access_token"]
        role = claims_of(token)["role"]
        return [role] if isinstance(role, str) else role

    assert roles("Shopper MeAdmin ProductAdmin FullAccess") == ["MeAdmin", "Shopper"]  # asking for more is not an error
    assert roles("Shopper") == ["Shopper"]  # one role is encoded as a plain string
    assert set(roles(None)) == {"Shopper", "MeAdmin", "MeAddressAdmin", "MeCreditCardAdmin", "MeXpAdmin", "PasswordReset"}


# -- the JWT ---------------------------------------------------------------------------------------------


def test_access_tokens_are_rs256_jwts_verifiable_with_the_published_key(base: str, settings: Settings) -> None:
    token = admin_login(base, settings.client_id, scope="FullAccess").json()["access_token"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    jwk = httpx.get(f"{base}/v1/oauth/certs/{header['kid']}").json()  # no token needed for the public key
    assert {"kty", "n", "e", "alg", "use", "kid"} <= set(jwk)
    claims = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience="https://api.ordercloud.io", issuer="https://auth.ordercloud.io")
    assert claims["usr"] == "ocgate-admin"
    assert claims["cid"] == settings.client_id
    assert claims["u"] == "ocgate-admin"
    assert claims["usrtype"] == "admin"
    assert claims["role"] == "FullAccess"
    assert claims["exp"] - claims["nbf"] == 600 * 60


def test_an_unknown_key_id_is_not_found(base: str) -> None:
    response = httpx.get(f"{base}/v1/oauth/certs/not-our-key")
    assert response.status_code == 404
    assert response.json()["Errors"][0]["Data"] == {"ObjectType": "PublicKey", "ObjectID": "not-our-key"}


def test_a_token_signed_by_someone_else_is_refused(base: str, settings: Settings) -> None:
    claims = claims_of(admin_login(base, settings.client_id).json()["access_token"])
    forged = jwt.encode(claims, "a-shared-secret-that-is-not-our-rsa-key", algorithm="HS256")
    with api_client(base, forged) as api:
        assert api.get("/me").status_code == 401


# -- refresh tokens -------------------------------------------------------------------------------------


def test_refresh_tokens_only_come_from_clients_with_a_refresh_token_duration(base: str, admin: httpx.Client) -> None:
    refreshing = new_client(admin, AllowSeller=True, RefreshTokenDuration=60)
    first = admin_login(base, refreshing["ID"], scope="FullAccess").json()
    assert first["refresh_token"]
    refreshed = token_request(base, grant_type="refresh_token", client_id=refreshing["ID"], refresh_token=first["refresh_token"])
    assert refreshed.status_code == 200
    assert claims_of(refreshed.json()["access_token"])["usr"] == "ocgate-admin"


def test_a_refresh_token_works_only_with_its_own_client(base: str, admin: httpx.Client, settings: Settings) -> None:
    refreshing = new_client(admin, AllowSeller=True, RefreshTokenDuration=60)
    refresh_token = admin_login(base, refreshing["ID"]).json()["refresh_token"]
    response = token_request(base, grant_type="refresh_token", client_id=settings.client_id, refresh_token=refresh_token)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# -- anonymous shoppers --------------------------------------------------------------------------------


def test_anonymous_tokens_act_as_the_default_context_user_for_a_week_without_refresh(base: str, admin: httpx.Client, shopper: BuyerPersona) -> None:
    anonymous = new_client(admin, IsAnonBuyer=True, AllowAnyBuyer=True, DefaultContextUserName=shopper.username, RefreshTokenDuration=60)
    first = token_request(base, grant_type="client_credentials", client_id=anonymous["ID"], scope="Shopper").json()
    second = token_request(base, grant_type="client_credentials", client_id=anonymous["ID"], scope="Shopper").json()
    assert first["expires_in"] == 7 * 24 * 3600
    assert "refresh_token" not in first
    assert claims_of(first["access_token"])["usr"] == shopper.username
    assert claims_of(first["access_token"])["orderid"] != claims_of(second["access_token"])["orderid"]


# -- revocation -------------------------------------------------------------------------------------------


def test_revoking_my_tokens_makes_earlier_tokens_answer_401(base: str, buyer_user) -> None:
    persona = buyer_user()
    assert persona.api.get("/me").status_code == 200
    assert persona.api.delete("/me/tokens").status_code == 204
    assert persona.api.get("/me").status_code == 401
    fresh = password_token(base, persona.client_id, persona.username, BUYER_PASSWORD, "Shopper")
    with api_client(base, fresh) as api:
        assert api.get("/me").status_code == 200


def test_admins_revoke_the_tokens_of_buyer_and_admin_users(base: str, admin: httpx.Client, buyer_user, settings: Settings) -> None:
    persona = buyer_user()
    assert admin.delete(f"/buyers/{persona.buyer_id}/users/{persona.user_id}/tokens").status_code == 204
    assert persona.api.get("/me").status_code == 401
    created(
        admin.post("/adminusers", json={"ID": "revokable", "Username": "revokable", "Password": ADMIN_PASSWORD, "FirstName": "R", "LastName": "A", "Email": "r@example.com", "Active": True})
    )
    token = password_token(base, settings.client_id, "revokable", ADMIN_PASSWORD, "")
    assert admin.delete("/adminusers/revokable/tokens").status_code == 204
    with api_client(base, token) as api:
        assert api.get("/me").status_code == 401
    assert admin.delete("/adminusers/nobody/tokens").status_code == 404


def test_a_deleted_users_tokens_stop_working(admin: httpx.Client, buyer_user) -> None:
    persona = buyer_user()
    assert admin.delete(f"/buyers/{persona.buyer_id}/users/{persona.user_id}").status_code == 204
    assert persona.api.get("/me").status_code == 401


# -- expiry (its own sandbox: moving the clock must not disturb other tests) ------------------------------------


@pytest.fixture
def fresh_sandbox(settings: Settings) -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(settings) as running:
        yield running


def test_tokens_expire_after_the_access_token_duration(fresh_sandbox: EmbeddedSandbox, settings: Settings) -> None:
    base = fresh_sandbox.base_url
    token = password_token(base, settings.client_id, "ocgate-admin", ADMIN_PASSWORD, "FullAccess")
    with api_client(base, token) as api:
        assert httpx.post(f"{base}/_sandbox/clock", json={"seconds": 600 * 60 - 5}).status_code == 200
        assert api.get("/me").status_code == 200
        httpx.post(f"{base}/_sandbox/clock", json={"seconds": 10})
        response = api.get("/me")
    assert response.status_code == 401
    assert response.json()["Errors"][0]["ErrorCode"] == "InvalidToken"


def test_refresh_tokens_expire_after_the_refresh_token_duration(fresh_sandbox: EmbeddedSandbox) -> None:
    base = fresh_sandbox.base_url
    with api_client(base, password_token(base, "ocgate-embedded-client", "ocgate-admin", ADMIN_PASSWORD, "FullAccess")) as admin:
        client = new_client(admin, AllowSeller=True, RefreshTokenDuration=5)
    refresh_token = admin_login(base, client["ID"]).json()["refresh_token"]
    httpx.post(f"{base}/_sandbox/clock", json={"seconds": 5 * 60 + 1})
    assert token_request(base, grant_type="refresh_token", client_id=client["ID"], refresh_token=refresh_token).status_code == 400


# -- password rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Short-1a", "no-digits-Here", "NO-LOWER-CASE-1", "no-upper-case-1"])
def test_passwords_need_ten_characters_a_digit_an_upper_and_a_lower_case_letter(admin: httpx.Client, shopper: BuyerPersona, password: str) -> None:
    user = {"Username": f"weak-{password}", "Password": password, "FirstName": "W", "LastName": "P", "Email": "w@example.com", "Active": True}
    response = admin.post(f"/buyers/{shopper.buyer_id}/users", json=user)
    assert response.status_code == 400
    error = response.json()["Errors"][0]
    assert error["ErrorCode"] == "Auth.InsecurePassword"
    assert error["Data"]["MinimumCharacterCount"] == 10
    patched = admin.patch(f"/buyers/{shopper.buyer_id}/users/{shopper.user_id}", json={"Password": password})
    assert patched.status_code == 400


def test_a_new_password_set_by_an_admin_is_the_one_that_logs_in(base: str, admin: httpx.Client, buyer_user) -> None:
    persona = buyer_user()
    assert admin.patch(f"/buyers/{persona.buyer_id}/users/{persona.user_id}", json={"Password": "Changed-Password-9"}).status_code == 200
    login = {"grant_type": "password", "client_id": persona.client_id, "username": persona.username}
    assert token_request(base, **login, password=BUYER_PASSWORD).status_code == 400
    assert token_request(base, **login, password="Changed-Password-9").status_code == 200
