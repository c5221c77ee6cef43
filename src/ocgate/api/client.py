"""An httpx client for the OrderCloud API, acting as one persona.

It adds the persona's bearer token (renewed on expiry and once on a 401),
retries 429 and 503 honouring Retry-After, and records every call as an
Allure step named by persona, method, path and status, with the request
(as curl) and the response attached — secrets masked. Inside
`keep_exchanges()` (the scenario suite opens one per test) the pairs are
kept instead of attached, so that only a failing test's calls reach the
report: a full run's passing calls would weigh a hundred megabytes.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import allure
import httpx

from ..errors import CannotRun
from ..redact import redact_body, redact_headers, redact_text
from .pacing import PACER, RETRY_STATUSES
from .tokens import TokenService


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


def curl_line(request: httpx.Request) -> str:
    """A shell command reproducing the request, with secrets masked."""
    parts = ["curl", "-X", request.method, redact_text(str(request.url))]  # query strings can carry tokens
    for name, value in redact_headers(dict(request.headers)).items():
        if name.lower() not in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
            parts += ["-H", f"{name}: {value}"]
    if request.content:
        parts += ["--data", redact_body(request.content, request.headers.get("content-type"))]
    return " ".join(shlex.quote(part) for part in parts)


@dataclass(frozen=True)
class Exchange:
    """One call and its response, masked only when attached (most are dropped unread)."""

    title: str  # what the call's step says: persona, method, path
    response: httpx.Response

    def attach(self) -> None:
        """Attach the masked request (as curl) and response to the current Allure step or test."""
        response = self.response
        content_type = response.headers.get("content-type", "")
        allure.attach(curl_line(response.request), name="request (curl)", attachment_type=allure.attachment_type.TEXT)
        allure.attach(
            redact_body(response.content, content_type) or "(empty)",
            name=f"response {response.status_code}",
            attachment_type=allure.attachment_type.JSON if "json" in content_type else allure.attachment_type.TEXT,
        )


#: The exchanges kept for the running test, or None: attach each one as it happens.
_kept: ContextVar[list[Exchange] | None] = ContextVar("ocgate_kept_exchanges", default=None)


@contextmanager
def keep_exchanges() -> Iterator[list[Exchange]]:
    """Keep the exchanges of recorded calls made inside, in order, instead of attaching them.

    The caller decides what becomes of them: `attach_kept` for a failing test, nothing for a
    passing one (its steps still show every call and its status)."""
    kept: list[Exchange] = []
    token = _kept.set(kept)
    try:
        yield kept
    finally:
        _kept.reset(token)


#: True inside `unrecorded()`: recorded clients make neither steps nor exchanges.
_unrecorded: ContextVar[bool] = ContextVar("ocgate_unrecorded_calls", default=False)


@contextmanager
def unrecorded() -> Iterator[None]:
    """Calls made inside leave nothing in the report, whichever client makes them (a session's
    cleanup, whose steps Allure would copy into every test that shared the session)."""
    token = _unrecorded.set(True)
    try:
        yield
    finally:
        _unrecorded.reset(token)


#: Checks every answer of a recorded client must pass inside `checking_answers` (the scenarios'
#: documented arithmetic): each raises AssertionError, failing the journey at that call.
_answer_checks: ContextVar[tuple[Callable[[httpx.Response], None], ...]] = ContextVar("ocgate_answer_checks", default=())


@contextmanager
def checking_answers(*checks: Callable[[httpx.Response], None]) -> Iterator[None]:
    """Every answer a client gets inside must pass `checks` (they raise AssertionError when it does not)."""
    token = _answer_checks.set(_answer_checks.get() + checks)
    try:
        yield
    finally:
        _answer_checks.reset(token)


def attach_exchange(response: httpx.Response, title: str | None = None) -> None:
    """Attach a masked request/response pair to the current Allure step (no-op outside a test),
    or keep it for later inside `keep_exchanges()`."""
    request = response.request
    exchange = Exchange(title or redact_text(f"{request.method} {request.url.path}"), response)
    kept = _kept.get()
    if kept is None:
        exchange.attach()
    else:
        kept.append(exchange)


def attach_kept(exchanges: Sequence[Exchange]) -> None:
    """Attach kept exchanges, in order, to the current Allure test: one step per call holding its
    request and response, all under one step that says how many there were."""
    if not exchanges:
        return
    with allure.step(f"The {len(exchanges)} calls of this test: requests (curl) and responses, masked"):
        for number, exchange in enumerate(exchanges, 1):
            with allure.step(f"{number}. {exchange.title} → {exchange.response.status_code}"):
                exchange.attach()


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
        """Send one call (retrying 429/503); recorded as an Allure step unless the client is unrecorded.
        Inside `checking_answers`, the answer must pass its checks."""
        response = self._recorded(method, path, json_body, params)
        for check in _answer_checks.get():
            check(response)
        return response

    def _recorded(self, method: str, path: str, json_body: Any, params: Any) -> httpx.Response:
        if not self.record or _unrecorded.get():
            return self._send(method, path, json_body, params)
        title = redact_text(f"{self.persona or 'anonymous'}: {method} {path}")
        started = time.perf_counter()
        try:
            response = self._send(method, path, json_body, params)
        except httpx.HTTPError as error:
            with allure.step(f"{title} → {error.__class__.__name__}"):
                raise
        # The step opens once the status is known, so that its name carries it (Allure has no
        # public way to rename a step); the call's duration goes in the name instead.
        with allure.step(f"{title} → {response.status_code} ({(time.perf_counter() - started) * 1000:.0f} ms)"):
            attach_exchange(response, title)
        return response

    def _send(self, method: str, path: str, json_body: Any, params: Any) -> httpx.Response:
        attempt = 0
        while True:
            PACER.turn()
            response = self.http.request(method, path, json=json_body, params=params)
            if response.status_code not in RETRY_STATUSES or not PACER.throttled(response.headers, attempt):
                return response
            attempt += 1

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
