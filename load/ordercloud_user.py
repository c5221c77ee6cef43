"""What every virtual user of the model shares: its own login, named requests, failure categories.

Each virtual user logs in with the password grant as its own account and keeps
its token fresh itself: renewed with the refresh token shortly before expiry,
and once more when the API answers 401. Requests are named by operation
(`GET /me/products`, `POST /orders/Outgoing/{orderID}/submit`), so Locust
groups them whatever the IDs. A response is a failure when it is not what a
working storefront expects, counted under one of three categories that the
failures table and the SLO verdicts keep apart:

- `Throttled`: 429 / 503 from the target; the user backs off for Retry-After and tries again;
- `BusinessFailure`: a 4xx/5xx where success was expected, or a wrong outcome (an order that
  did not reach Open, an answer breaking the document's arithmetic: a wrong total), labelled
  with OrderCloud's ErrorCode or the outcome;
- transport errors (connection refused, timeouts), as Locust reports them.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser
from locust.contrib.fasthttp import FastResponse

from ocgate.contract import arithmetic
from ocgate.load.traffic import Account, Accounts

#: Renew a token this many seconds before it expires, so no request races its expiry.
EXPIRY_MARGIN = 30
#: Tries of one request while the target throttles (429/503), and the longest back-off honoured.
MAX_ATTEMPTS = 4
MAX_BACKOFF = 30.0
THROTTLE_STATUSES = (429, 503)


class Throttled(Exception):
    """The target answered 429 or 503 (its own category; never a business failure)."""


class BusinessFailure(Exception):
    """Not what a working storefront expects; the message is "<status> <ErrorCode>" or the wrong outcome."""


class Session:
    """One account's tokens: logged in on first use, renewed before expiry and after a 401."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.access_token = ""
        self.refresh_token: str | None = None
        self.expires_at = 0.0

    def fresh(self) -> bool:
        return bool(self.access_token) and time.time() < self.expires_at - EXPIRY_MARGIN

    def expire(self) -> None:
        self.access_token = ""


def error_code(response: FastResponse) -> str:
    """OrderCloud's first ErrorCode (or OAuth2 error) of an error body."""
    try:
        body = response.json()
    except ValueError:
        return "no error body"
    try:
        return str(body.get("error") or body["Errors"][0]["ErrorCode"])
    except (AttributeError, KeyError, IndexError, TypeError):
        return "no ErrorCode"


def arithmetic_failure(response: FastResponse) -> BusinessFailure | None:
    """A 2xx answer whose orders or line items break the document's arithmetic (a wrong total)."""
    if not response.content:
        return None
    try:
        found = arithmetic.problems(response.json())
    except ValueError:
        return None
    return BusinessFailure(f"documented_arithmetic: {arithmetic.describe(found[:1])}") if found else None


def retry_after(response: FastResponse, attempt: int) -> float:
    try:
        return min(float(response.headers.get("Retry-After", "")), MAX_BACKOFF)
    except ValueError:  # absent, or an HTTP date: back off exponentially instead
        return min(2.0**attempt, MAX_BACKOFF)


class OrderCloudUser(FastHttpUser):
    """A virtual user acting as an OrderCloud account; subclasses set `self.session` in on_start."""

    abstract = True
    #: The run's seeded accounts, set by the subclasses' `configure` when Locust starts.
    accounts: Accounts
    session: Session

    # -- tokens ----------------------------------------------------------------------------

    def log_in(self, session: Session) -> bool:
        account = session.account
        return self._token_request(session, "password", {"grant_type": "password", "username": account.username, "password": account.password})

    def _renew(self, session: Session) -> bool:
        if session.refresh_token and self._token_request(session, "refresh_token", {"grant_type": "refresh_token", "refresh_token": session.refresh_token}):
            return True
        return self.log_in(session)

    def _token_request(self, session: Session, grant: str, form: dict[str, str]) -> bool:
        form = {**form, "client_id": self.accounts.client_id, "scope": " ".join(session.account.scope)}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        with self.client.post(self.accounts.token_url, data=urlencode(form), headers=headers, name=f"POST /oauth/token ({grant})", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(BusinessFailure(f"{response.status_code} {error_code(response)}"))
                return False
            body = response.json()
            session.access_token = body["access_token"]
            session.refresh_token = body.get("refresh_token") or session.refresh_token
            session.expires_at = time.time() + float(body.get("expires_in") or 600)
            return True

    # -- named requests ----------------------------------------------------------------------

    def call(
        self,
        method: str,
        template: str,
        body: Any = None,
        query: dict[str, Any] | None = None,
        expect: tuple[str, str] | None = None,
        session: Session | None = None,
        **ids: str,
    ) -> FastResponse | None:
        """Send `method /v1<template>` with the IDs filled in, named "<method> <template>".

        `expect=(field, value)` checks a business outcome of a 2xx answer, e.g. that a
        submitted order is ("Status", "Open"); every order and line item of a 2xx answer must
        hold the document's arithmetic (ocgate.contract.arithmetic). `session` acts as another account than the
        user's own. Returns the response when it succeeded, None otherwise — the failure
        is already recorded under its category.
        """
        session = session or self.session
        url = "/v1" + template.format(**ids) + (f"?{urlencode(query)}" if query else "")
        name = f"{method} {template}"
        renewed = False
        for attempt in range(MAX_ATTEMPTS):
            if not session.fresh() and not self._renew(session):
                return None
            headers = {"Authorization": f"Bearer {session.access_token}"}
            with self.client.request(method, url, json=body, headers=headers, name=name, catch_response=True) as response:
                status = response.status_code
                if 200 <= status < 300:
                    wrong = arithmetic_failure(response)
                    if wrong is not None:
                        response.failure(wrong)
                        return None
                    actual = response.json().get(expect[0]) if expect else None
                    if expect and actual != expect[1]:
                        response.failure(BusinessFailure(f"{expect[0]} {actual}, expected {expect[1]}"))
                        return None
                    response.success()
                    return response
                if status in THROTTLE_STATUSES:
                    response.failure(Throttled(str(status)))
                    backoff = retry_after(response, attempt)
                elif status == 401 and not renewed:
                    # Tokens are renewed before they expire, so a 401 is worth seeing; renew and try once more.
                    response.failure(BusinessFailure(f"401 {error_code(response)}"))
                    session.expire()
                    renewed, backoff = True, 0.0
                elif status == 0:
                    response.failure(response.error)  # a transport error, as Locust names it
                    return None
                else:
                    response.failure(BusinessFailure(f"{status} {error_code(response)}"))
                    return None
            gevent.sleep(backoff)
        return None
