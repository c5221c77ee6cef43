"""OrderCloud's security promises as small checks, one rule per function.

Each check receives what the suite observed (responses, values before and after) and raises
`Finding` — every line "Security: <rule>: <operation>: ..." — when its rule is broken. The
rule is the function's name; a waiver names it (security/waivers.toml). The sources are
BEHAVIOUR.md (§1 the token endpoint and JWTs, §2 errors and status codes, §4-§6 orders,
isolation and roles) and the OpenAPI document itself (readOnly, format: password).
"""

from __future__ import annotations

from typing import Any

import httpx

from ocgate.security.findings import Finding, Problem

#: What a refusal to name another company's object may be: "as if it did not exist", or forbidden.
REFUSED = (403, 404)


def _fail(rule: str, operation: str, detail: str) -> None:
    raise Finding([Problem(rule, operation, detail)])


def _json(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def _answer(response: httpx.Response) -> tuple[int, Any, Any, Any, Any]:
    """What a refused request tells its caller: status, OAuth2 error and description, first ErrorCode and Message."""
    body = _json(response)
    body = body if isinstance(body, dict) else {"raw": response.text}
    first = (body.get("Errors") or [{}])[0] if isinstance(body.get("Errors"), list) else {}
    return response.status_code, body.get("error"), body.get("error_description"), first.get("ErrorCode"), first.get("Message")


def _said(response: httpx.Response) -> str:
    return f"{response.status_code} {response.text[:200]}".strip()


# -- user enumeration ----------------------------------------------------------------------------


def login_does_not_reveal_usernames(wrong_password: httpx.Response, unknown_user: httpx.Response, operation: str) -> None:
    """A login with a wrong password and one with an unknown username get the same answer: status,
    error, description, ErrorCode and Message ("OrderCloud does not differentiate between incorrect
    username vs. incorrect password requests to avoid password enumeration", BEHAVIOUR.md §1.4)."""
    if wrong_password.status_code < 400:
        _fail("login_does_not_reveal_usernames", operation, f"a wrong password was accepted: {_said(wrong_password)}")
    if _answer(wrong_password) != _answer(unknown_user):
        _fail("login_does_not_reveal_usernames", operation, f"wrong password -> {_answer(wrong_password)}, unknown username -> {_answer(unknown_user)}")


def account_recovery_does_not_reveal_accounts(known: httpx.Response, unknown: httpx.Response, operation: str) -> None:
    """A password-reset or one-time-password request answers a known and an unknown account alike
    (BEHAVIOUR.md §1.4: no enumeration; the sandbox's forgotten-password flow answers 204 either way)."""
    if _answer(known) != _answer(unknown):
        _fail("account_recovery_does_not_reveal_accounts", operation, f"known account -> {_answer(known)}, unknown account -> {_answer(unknown)}")


# -- cross-company isolation ------------------------------------------------------------------------


def other_company_is_refused(response: httpx.Response, operation: str, what: str) -> None:
    """A user of one buyer company naming another company's object (in the path or body) gets 404 or
    403 and never the object, whatever its roles (BEHAVIOUR.md §4.3, §5; §2.2 for the statuses)."""
    if response.status_code not in REFUSED:
        _fail("other_company_is_refused", operation, f"{what}: {_said(response)} (must be 404 or 403)")


def other_company_object_unchanged(before: Any, after: Any, operation: str, what: str) -> None:
    """A refused request changes nothing of the other company's: the object reads the same afterwards
    (BEHAVIOUR.md §5; scenarios/test_isolation.py checks orders the same way)."""
    if before != after:
        _fail("other_company_object_unchanged", operation, f"{what}: changed from {str(before)[:160]} to {str(after)[:160]}")


# -- tokens ------------------------------------------------------------------------------------------


def token_is_refused(response: httpx.Response, operation: str, token: str) -> None:
    """An expired, revoked, tampered or re-signed token, or one whose user or API client is no longer
    active, gets 401 on a role-protected operation (BEHAVIOUR.md §2.2 401; §1.5 RS256 signatures,
    `Auth.TokenRevoked`; §1.4 `Auth.UserNotActive`, `Auth.ClientNotActive`)."""
    if response.status_code != 401:
        _fail("token_is_refused", operation, f"{token}: {_said(response)} (must be 401)")


def revoked_refresh_token_is_refused(response: httpx.Response, operation: str) -> None:
    """After DELETE /me/tokens ("revokes all tokens previously issued to the current user and forces
    them to reauthenticate", BEHAVIOUR.md §1.5) the user's refresh token buys no new access token."""
    if response.status_code < 400 or "access_token" in (_json(response) or {}):
        _fail("revoked_refresh_token_is_refused", operation, f"a revoked refresh token still works: {_said(response)}")


def anonymous_token_cannot_reach_admin(response: httpx.Response, operation: str) -> None:
    """An anonymous shopper's token (client_credentials through an IsAnonBuyer client, BEHAVIOUR.md
    §1.2-§1.3) holds its context user's shopper roles at most: an admin operation answers 403 (or 401)."""
    if response.status_code not in (401, 403):
        _fail("anonymous_token_cannot_reach_admin", operation, f"anonymous shopper: {_said(response)} (must be 403)")


# -- privilege escalation and mass assignment -------------------------------------------------------------


def roles_cannot_be_raised_by_their_holder(granted: set[str], allowed: set[str], operation: str, how: str) -> None:
    """A user's roles are the union of the security profiles assigned to it (BEHAVIOUR.md §6); it
    cannot add to them itself: a token asked for any scope holds only roles it was given."""
    gained = granted - allowed
    if gained:
        _fail("roles_cannot_be_raised_by_their_holder", operation, f"{how}: the user's token now holds {sorted(gained)}")


def assignment_needs_its_role(response: httpx.Response, operation: str, how: str) -> None:
    """An assignment that would raise the caller's roles (a security profile, a user group) needs the
    operation's admin role, which the caller does not hold: 403 (BEHAVIOUR.md §6), or 404 for an
    object it cannot see."""
    if response.status_code not in REFUSED:
        _fail("assignment_needs_its_role", operation, f"{how}: {_said(response)} (must be 403)")


def read_only_field_does_not_stick(field: str, sent: Any, after: Any, operation: str) -> None:
    """A property the OpenAPI document marks readOnly keeps its server-side value when a request
    body sends another (the document's `readOnly`; order totals, status, dates, AvailableRoles, owner IDs)."""
    if after == sent:
        _fail("read_only_field_does_not_stick", operation, f"{field} sent as {sent!r} was stored")


# -- secrets -------------------------------------------------------------------------------------------


def password_is_never_returned(body: Any, fields: list[str], operation: str) -> None:
    """Password properties (the document's `format: password`) always come back null: OrderCloud
    stores them write-only."""
    for where, value in _values(body, set(fields)):
        if value not in (None, ""):
            _fail("password_is_never_returned", operation, f"{where} came back with a value")


def secret_only_where_documented(body: Any, documented: set[str], operation: str) -> None:
    """A secret (a property named like ClientSecret) appears only in responses whose schema
    documents it (ApiClient), never elsewhere."""
    for where, value in _secret_values(body, ""):
        if value not in (None, "") and where.rsplit(".", 1)[-1] not in documented:
            _fail("secret_only_where_documented", operation, f"{where} came back with a value the response schema does not document")


def _values(body: Any, names: set[str], where: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if isinstance(body, dict):
        for key, value in body.items():
            path = f"{where}.{key}" if where else key
            if key in names:
                found.append((path, value))
            found += _values(value, names, path)
    elif isinstance(body, list):
        for index, value in enumerate(body):
            found += _values(value, names, f"{where}[{index}]")
    return found


def _secret_values(body: Any, where: str) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if isinstance(body, dict):
        for key, value in body.items():
            path = f"{where}.{key}" if where else key
            if key.endswith("Secret"):
                found.append((path, value))
            found += _secret_values(value, path)
    elif isinstance(body, list):
        for index, value in enumerate(body):
            found += _secret_values(value, f"{where}[{index}]")
    return found


RULES = [
    login_does_not_reveal_usernames,
    account_recovery_does_not_reveal_accounts,
    other_company_is_refused,
    other_company_object_unchanged,
    token_is_refused,
    revoked_refresh_token_is_refused,
    anonymous_token_cannot_reach_admin,
    roles_cannot_be_raised_by_their_holder,
    assignment_needs_its_role,
    read_only_field_does_not_stick,
    password_is_never_returned,
    secret_only_where_documented,
]
RULE_NAMES = [rule.__name__ for rule in RULES]
