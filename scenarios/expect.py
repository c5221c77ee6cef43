"""Expectations: refusals that fail with a message naming the rule that broke, waiting for search,
and the document's arithmetic, which every answer a journey gets must hold (conftest.py).

OrderCloud's product search is eventually consistent: "Newly created items may not appear
in list/filter queries for several seconds" (BEHAVIOUR.md §3.2). Journeys that list what
they just created wait for it with `eventually`, which returns at once when it is there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import httpx

from ocgate.api.client import ApiCallError
from ocgate.contract import arithmetic

T = TypeVar("T")

#: How long a new object may take to show up in lists (real targets; the embedded sandbox lists at once).
SEARCH_DELAY = 30.0
#: How OrderCloud answers a request for something the caller may not see: as if it did not exist, or 403.
HIDDEN = (403, 404)


def refusal(response: httpx.Response, what: str) -> ApiCallError:
    """The error of a call that must be refused; fails the test when `what` went through."""
    assert not response.is_success, f"{what} was allowed ({response.status_code}), but must be refused"
    return ApiCallError(response)


def refused_with(response: httpx.Response, error_code: str, what: str) -> ApiCallError:
    """The call must be refused with OrderCloud's `error_code`."""
    error = refusal(response, what)
    assert error.error_code == error_code, f"{what}: expected {error_code}, got {error}"
    return error


def hidden(response: httpx.Response, what: str) -> None:
    """The call must find nothing (404) or be forbidden (403)."""
    error = refusal(response, what)
    assert error.status in HIDDEN, f"{what}: expected 404 or 403, got {error}"


def insufficient_roles(response: httpx.Response, needed: str, what: str) -> None:
    """The call must be refused with 403 InsufficientRoles naming `needed` among the sufficient roles."""
    error = refused_with(response, "InsufficientRoles", what)
    assert error.status == 403, f"{what}: InsufficientRoles must come with 403, got {error.status}"
    assert needed in (error.data or {}).get("SufficientRoles", []), f"{what}: the error should name {needed} as sufficient, got {error.data}"


def eventually(probe: Callable[[], T], ready: Callable[[T], bool], timeout: float = SEARCH_DELAY) -> T:
    """`probe()` until `ready` holds or `timeout` seconds pass; returns the last answer either way."""
    deadline = time.monotonic() + timeout
    answer = probe()
    while not ready(answer) and time.monotonic() < deadline:
        time.sleep(1)
        answer = probe()
    return answer


def holds_documented_arithmetic(response: httpx.Response) -> None:
    """Every order and line item of a 2xx answer holds the document's arithmetic, money to the cent
    (ocgate.contract.arithmetic: LineSubtotal, LineTotal, Total; a worksheet's Subtotal)."""
    if not response.is_success or not response.content or "json" not in response.headers.get("content-type", ""):
        return
    try:
        body = response.json()
    except ValueError:
        return
    found = arithmetic.problems(body)
    assert not found, f"documented_arithmetic: {response.request.method} {response.request.url.path}: {arithmetic.describe(found[:3])}"
