"""An httpx client for the OrderCloud API, acting as one persona.

It adds the persona's bearer token (renewed on expiry and once on a 401),
retries 429 and 503 honouring Retry-After, and records every call as an
Allure step with the request and response attached — secrets masked.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Generator
from typing import Any

import allure
import httpx

from ..errors import CannotRun
from ..redact import redact_body, redact_headers, redact_text
from .tokens import TokenService

RETRY_STATUSES = (429, 503)
MAX_RETRIES = 3
MAX_RETRY_WAIT = 10.0


class ApiCallError(CannotRun):
    """A call that did not succeed, carrying OrderCloud's first ErrorCode.

    Escaping a run, it is a setup call the target refused: the run cannot happen."""

    advice = "the target refused this setup call; check the seller admin's roles"

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        self.error_code, self.data = _first_error(response)
        super().__init__(f"{response.request.method} {response.request.url.path} -> {self.status} {self.error_code or ''}".strip())


def _first_error(response: httpx.Response) -> tuple[str | None, Any]:
    try:
        errors = response.json().get("Errors") or [{}]
    except (ValueError, AttributeError):
        return None, None
    return errors[0].get("ErrorCode"), errors[0].get("Data")


class PersonaAuth(httpx.Auth):
    """Bearer auth for one persona: a 401 gets one retry with a newly obtained token."""

    def __init__(self, tokens: TokenService, persona: str) -> None:
        self.tokens = tokens
        self.persona = persona

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.tokens.token(self.persona)}"
        response = yield request
        if response.status_code == 401:
            self.tokens.invalidate(self.persona)
            request.headers["Authorization"] = f"Bearer {self.tokens.token(self.persona)}"
            yield request


def retry_after(response: httpx.Response, attempt: int) -> float:
    """Seconds to wait before retrying: Retry-After when given, exponential otherwise."""
    header = response.headers.get("Retry-After", "")
    try:
        return min(float(header), MAX_RETRY_WAIT)
    except ValueError:
        return min(0.5 * 2**attempt, MAX_RETRY_WAIT)


def curl_line(request: httpx.Request) -> str:
    """A shell command reproducing the request, with secrets masked."""
    parts = ["curl", "-X", request.method, redact_text(str(request.url))]  # query strings can carry tokens
    for name, value in redact_headers(dict(request.headers)).items():
        if name.lower() not in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
            parts += ["-H", f"{name}: {value}"]
    if request.content:
        parts += ["--data", redact_body(request.content, request.headers.get("content-type"))]
    return " ".join(shlex.quote(part) for part in parts)


def attach_exchange(response: httpx.Response) -> None:
    """Attach a masked request/response pair to the current Allure step (no-op outside a test)."""
    request = response.request
    allure.attach(curl_line(request), name="request (curl)", attachment_type=allure.attachment_type.TEXT)
    allure.attach(
        redact_body(response.content, response.headers.get("content-type")) or "(empty)",
        name=f"response {response.status_code}",
        attachment_type=allure.attachment_type.JSON if "json" in response.headers.get("content-type", "") else allure.attachment_type.TEXT,
    )


class OrderCloudClient:
    """Calls /v1/... of one target as one persona (or anonymously with persona=None)."""

    def __init__(self, base_url: str, tokens: TokenService | None, persona: str | None, *, record: bool = True, timeout: float = 30) -> None:
        self.base_url = base_url.rstrip("/")
        self.persona = persona
        self.record = record
        auth = PersonaAuth(tokens, persona) if tokens is not None and persona else None
        self.http = httpx.Client(base_url=f"{self.base_url}/v1", auth=auth, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OrderCloudClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def request(self, method: str, path: str, *, json_body: Any = None, params: Any = None) -> httpx.Response:
        """Send one call (retrying 429/503); recorded as an Allure step unless the client is unrecorded."""
        if not self.record:
            return self._send(method, path, json_body, params)
        with allure.step(redact_text(f"{self.persona or 'anonymous'}: {method} {path}")):
            response = self._send(method, path, json_body, params)
            attach_exchange(response)
        return response

    def _send(self, method: str, path: str, json_body: Any, params: Any) -> httpx.Response:
        for attempt in range(MAX_RETRIES + 1):
            response = self.http.request(method, path, json=json_body, params=params)
            if response.status_code not in RETRY_STATUSES or attempt == MAX_RETRIES:
                break
            time.sleep(retry_after(response, attempt))
        return response

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: Any = None) -> httpx.Response:
        return self.request("POST", path, json_body=body if body is not None else {})

    def put(self, path: str, body: Any = None) -> httpx.Response:
        return self.request("PUT", path, json_body=body)

    def patch(self, path: str, body: Any) -> httpx.Response:
        return self.request("PATCH", path, json_body=body)

    def delete(self, path: str, **params: Any) -> httpx.Response:
        return self.request("DELETE", path, params=params or None)

    def ok(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """Call and return the parsed body, raising ApiCallError for anything but 2xx."""
        response = self.request(method, path, json_body=body, params=params or None)
        if not response.is_success:
            raise ApiCallError(response)
        return response.json() if response.content else None
