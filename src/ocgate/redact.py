"""Secret masking for everything a person or a CI log may read.

Every attachment, log line, JUnit message and Locust report passes through
one of these functions before it is written. They mask by shape (an
Authorization header, a `"password"` field, a JWT) and by value: any secret
registered with `secrets` is masked wherever it turns up, so a configured
password cannot leak through an error message that quotes it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import SecretStr

MASK = "***"

#: JSON keys (compared lower case) whose values are secrets.
SECRET_JSON_KEYS = frozenset(
    {
        "password",
        "newpassword",
        "clientsecret",
        "client_secret",
        "access_token",
        "refresh_token",
        "token",
        "secret",
        "authorization",
    }
)
#: Fields of an OAuth2 token request or response body that are secrets.
SECRET_FORM_FIELDS = ("password", "client_secret", "refresh_token", "access_token")
#: Header names are masked when they contain one of these.
SECRET_HEADER_WORDS = ("secret", "token", "password", "api-key")
#: Registered values shorter than this would mask ordinary words.
MIN_SECRET_LENGTH = 4

_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"\b(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_JSON_FIELD = re.compile(
    r"""(?P<key>(["'])(?:%s)\2\s*:\s*)(?P<quote>["'])(?:\\.|(?!(?P=quote)).)*(?P=quote)"""
    % "|".join(sorted(SECRET_JSON_KEYS)),
    re.IGNORECASE | re.DOTALL,
)
_FORM_FIELD = re.compile(r"((?:%s)=)[^&\s]+" % "|".join(SECRET_FORM_FIELDS), re.IGNORECASE)


class SecretRegistry:
    """The secret values this process knows (passwords, client secrets, tokens)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def register(self, *values: str | SecretStr | None) -> None:
        """Remember values to mask everywhere; None, empty and very short ones are ignored."""
        plain = (value.get_secret_value() if isinstance(value, SecretStr) else value for value in values)
        with self._lock:
            self._values.update(value for value in plain if value and len(value) >= MIN_SECRET_LENGTH)

    def values(self) -> frozenset[str]:
        """A snapshot of the registered values."""
        with self._lock:
            return frozenset(self._values)


#: The process-wide registry that `redact_text` always consults.
secrets = SecretRegistry()


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of `headers` with credentials masked; Authorization keeps its scheme word."""
    redacted = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower.endswith("authorization"):
            scheme, _, credentials = value.partition(" ")
            redacted[name] = f"{scheme} {MASK}" if credentials else MASK
        elif lower in ("cookie", "set-cookie") or any(word in lower for word in SECRET_HEADER_WORDS):
            redacted[name] = MASK
        else:
            redacted[name] = value
    return redacted


def redact_json(value: Any) -> Any:
    """A deep copy of a parsed JSON value with the values of secret keys masked."""
    if isinstance(value, Mapping):
        return {key: _redact_json_member(key, member) for key, member in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_json(item) for item in value]
    return value


def _redact_json_member(key: Any, value: Any) -> Any:
    # Containers under a secret key are still walked rather than blanked, so a
    # settings object named like a secret keeps its harmless fields readable.
    is_secret = isinstance(key, str) and key.lower() in SECRET_JSON_KEYS
    if is_secret and value is not None and not isinstance(value, (Mapping, list, tuple)):
        return MASK
    return redact_json(value)


def redact_form(body: str) -> str:
    """An x-www-form-urlencoded body with password, client_secret and token values masked."""
    return _FORM_FIELD.sub(rf"\1{MASK}", body)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Free text with JWTs, bearer tokens, secret fields and known secret values masked."""
    for value in sorted(_known_values(secrets), key=len, reverse=True):
        text = text.replace(value, MASK)
    text = _JWT.sub(MASK, text)
    text = _BEARER.sub(rf"\1{MASK}", text)
    text = _JSON_FIELD.sub(rf"\g<key>\g<quote>{MASK}\g<quote>", text)
    return redact_form(text)


def _known_values(extra: Iterable[str]) -> set[str]:
    values = {value for value in extra if value and len(value) >= MIN_SECRET_LENGTH}
    return values | secrets.values()


def redact_body(body: str | bytes | None, content_type: str | None) -> str:
    """A request or response body as masked text, chosen by its content type."""
    if body is None:
        return ""
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    kind = (content_type or "").lower()
    if "json" in kind:
        try:
            parsed = json.loads(text)
        except ValueError:
            return redact_text(text)
        return redact_text(json.dumps(redact_json(parsed), indent=2, ensure_ascii=False))
    if "x-www-form-urlencoded" in kind:
        return redact_form(text)
    return redact_text(text)


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is masked too.
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
        return True


def redacting_log_filter() -> logging.Filter:
    """A logging filter that masks secrets in each record's message and traceback."""
    return _RedactingFilter()
