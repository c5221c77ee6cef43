"""Secrets never reach a report: what ocgate.redact masks, and what it leaves readable."""

from __future__ import annotations

import json
import logging

import pytest
from pydantic import SecretStr

from ocgate import redact
from ocgate.redact import (
    MASK,
    SecretRegistry,
    redact_body,
    redact_form,
    redact_headers,
    redact_json,
    redact_text,
    redacting_log_filter,
)

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJ1c3IiOiJvY2dhdGUtYWRtaW4ifQ.c2lnbmF0dXJlLXBhcnQ_-x"


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> SecretRegistry:
    """Each test sees its own process-wide registry, empty at the start."""
    registry = SecretRegistry()
    monkeypatch.setattr(redact, "secrets", registry)
    return registry


class TestHeaders:
    def test_authorization_keeps_its_scheme_word(self) -> None:
        assert redact_headers({"Authorization": f"Bearer {JWT}"}) == {"Authorization": f"Bearer {MASK}"}
        assert redact_headers({"authorization": "Basic b2NnYXRlOnNlY3JldA=="}) == {"authorization": f"Basic {MASK}"}

    def test_authorization_without_a_scheme_is_masked_whole(self) -> None:
        assert redact_headers({"Authorization": "opaque-credential"}) == {"Authorization": MASK}

    @pytest.mark.parametrize(
        "name", ["Cookie", "Set-Cookie", "X-Api-Key", "X-Client-Secret", "X-Refresh-Token", "X-Password"]
    )
    def test_cookies_and_secret_named_headers_are_masked(self, name: str) -> None:
        assert redact_headers({name: "value-1234"}) == {name: MASK}

    def test_other_headers_and_their_names_are_kept(self) -> None:
        headers = {"Content-Type": "application/json", "X-Request-Id": "abc-123"}
        assert redact_headers(headers) == headers


class TestJson:
    @pytest.mark.parametrize(
        "key",
        [
            "Password",
            "NewPassword",
            "ClientSecret",
            "client_secret",
            "access_token",
            "refresh_token",
            "token",
            "Secret",
            "Authorization",
        ],
    )
    def test_secret_keys_are_masked_whatever_their_case(self, key: str) -> None:
        assert redact_json({key: "value-1234", "ID": "user-1"}) == {key: MASK, "ID": "user-1"}

    def test_nested_dicts_and_lists_are_masked(self) -> None:
        body = {"Items": [{"Username": "shopper", "Password": "p4ssword"}], "ApiClient": {"ClientSecret": "s3cret"}}
        assert redact_json(body) == {
            "Items": [{"Username": "shopper", "Password": MASK}],
            "ApiClient": {"ClientSecret": MASK},
        }

    def test_the_input_is_left_untouched(self) -> None:
        body = {"Password": "p4ssword", "Nested": {"token": "t0ken"}}
        redact_json(body)
        assert body == {"Password": "p4ssword", "Nested": {"token": "t0ken"}}

    def test_null_secrets_stay_null_so_absence_is_visible(self) -> None:
        assert redact_json({"Password": None}) == {"Password": None}

    def test_scalars_pass_through(self) -> None:
        assert redact_json("plain") == "plain"
        assert redact_json(42) == 42


class TestForm:
    def test_token_request_credentials_are_masked_and_the_rest_kept(self) -> None:
        body = "client_id=abc&grant_type=password&username=ocgate-admin&password=S3cret%21&scope=FullAccess+Shopper"
        assert redact_form(body) == (
            f"client_id=abc&grant_type=password&username=ocgate-admin&password={MASK}&scope=FullAccess+Shopper"
        )

    def test_client_secret_and_tokens_are_masked(self) -> None:
        body = "grant_type=refresh_token&refresh_token=r1&client_secret=cs&access_token=a1"
        assert (
            redact_form(body)
            == f"grant_type=refresh_token&refresh_token={MASK}&client_secret={MASK}&access_token={MASK}"
        )

    def test_fields_named_like_a_password_are_masked_too(self) -> None:
        assert redact_form("old_password=x1&new_password=y2") == f"old_password={MASK}&new_password={MASK}"


class TestText:
    def test_jwts_are_masked(self) -> None:
        assert redact_text(f"token {JWT} expired") == f"token {MASK} expired"

    def test_bearer_credentials_are_masked(self) -> None:
        assert redact_text("Authorization: Bearer abc.def-123") == f"Authorization: Bearer {MASK}"

    def test_json_fragments_are_masked_in_either_quote_style(self) -> None:
        text = """{"Password": "p\\"w", "Username": "u"} and {'client_secret': 'cs'}"""
        assert redact_text(text) == f"""{{"Password": "{MASK}", "Username": "u"}} and {{'client_secret': '{MASK}'}}"""

    def test_form_fragments_are_masked(self) -> None:
        assert (
            redact_text("POST body: username=u&password=hunter22 sent") == f"POST body: username=u&password={MASK} sent"
        )

    def test_explicit_secret_values_are_masked_anywhere(self) -> None:
        assert redact_text("login as admin with Sandbox-Admin-2026 failed", ["Sandbox-Admin-2026"]) == (
            f"login as admin with {MASK} failed"
        )

    def test_empty_and_short_secret_values_are_ignored(self) -> None:
        assert redact_text("a bad idea", ["", "a", "bad"]) == "a bad idea"

    def test_registered_secrets_are_masked_by_default(self, fresh_registry: SecretRegistry) -> None:
        fresh_registry.register("Sandbox-Shopper-2026")
        assert redact_text("wrong password Sandbox-Shopper-2026") == f"wrong password {MASK}"

    def test_ordinary_text_is_unchanged(self) -> None:
        text = "GET /v1/products?page=2 returned 200 in 35 ms; token_type bearer"
        assert redact_text(text) == text


class TestBody:
    def test_json_bodies_are_parsed_masked_and_pretty_printed(self) -> None:
        body = b'{"access_token": "eyJa.eyJb.c", "token_type": "bearer", "expires_in": 600}'
        assert json.loads(redact_body(body, "application/json; charset=utf-8")) == {
            "access_token": MASK,
            "token_type": "bearer",
            "expires_in": 600,
        }
        assert redact_body(body, "application/json").startswith('{\n  "access_token"')

    def test_a_jwt_under_an_innocent_json_key_is_still_masked(self) -> None:
        assert json.loads(redact_body(json.dumps({"note": JWT}), "application/json")) == {"note": MASK}

    def test_bad_json_falls_back_to_text_masking(self) -> None:
        assert redact_body('{"Password": "p4ss", oops', "application/json") == f'{{"Password": "{MASK}", oops'

    def test_form_bodies_are_masked_as_forms(self) -> None:
        assert (
            redact_body("username=u&password=p4ss", "application/x-www-form-urlencoded")
            == f"username=u&password={MASK}"
        )

    def test_other_bodies_are_masked_as_text(self) -> None:
        assert redact_body(f"Bearer {JWT}", "text/plain") == f"Bearer {MASK}"

    def test_no_body_is_an_empty_string(self) -> None:
        assert redact_body(None, None) == ""


class TestRegistry:
    def test_remembers_values_and_plain_values_of_secret_strings(self) -> None:
        registry = SecretRegistry()
        registry.register("client-secret-1", SecretStr("password-2"))
        assert registry.values() == {"client-secret-1", "password-2"}

    def test_ignores_none_empty_and_short_values(self) -> None:
        registry = SecretRegistry()
        registry.register(None, "", "abc")
        assert registry.values() == frozenset()

    def test_the_module_has_one_process_wide_instance(self) -> None:
        assert isinstance(redact.secrets, SecretRegistry)


class TestLogFilter:
    def test_messages_and_arguments_are_masked(
        self, fresh_registry: SecretRegistry, caplog: pytest.LogCaptureFixture
    ) -> None:
        fresh_registry.register("Sandbox-Admin-2026")
        logger = logging.getLogger("ocgate.test.redaction")
        logger.addFilter(redacting_log_filter())
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("auth header %s, password %s", f"Bearer {JWT}", "Sandbox-Admin-2026")
        assert caplog.records[0].getMessage() == f"auth header Bearer {MASK}, password {MASK}"
        assert "Sandbox-Admin-2026" not in caplog.text

    def test_tracebacks_are_masked(self, caplog: pytest.LogCaptureFixture) -> None:
        logger = logging.getLogger("ocgate.test.redaction.traceback")
        logger.addFilter(redacting_log_filter())
        with caplog.at_level(logging.ERROR, logger=logger.name):
            try:
                raise ValueError(f"rejected token {JWT}")
            except ValueError:
                logger.exception("token request failed")
        assert "rejected token" in caplog.text
        assert JWT not in caplog.text
