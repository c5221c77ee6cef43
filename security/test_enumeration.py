"""User enumeration: a login, a password reset or a one-time-password request must not tell an
existing account from an unknown one.

The known account is always a user this run created (a wrong password could count towards a
real user's lockout, and a reset mails its owner). The account-recovery operations come from
the document (ocgate.security.derive.enumeration_operations): operations open to callers without
roles that take a Username or Email.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import allure
import pytest
from checks import account_recovery_does_not_reveal_accounts, login_does_not_reveal_usernames
from conftest import Raw

from ocgate.api.seeding import SeededMarketplace, SeededUser, Seeder, new_password
from ocgate.security.findings import TOKEN_ENDPOINT
from ocgate.spec import Operation

pytestmark = [allure.epic("Security"), allure.feature("User enumeration")]

WRONG_PASSWORD = "Not-the-Password-1"


@pytest.fixture(scope="module")
def account(new_user: Callable[..., SeededUser]) -> SeededUser:
    return new_user("enumeration-target")


@allure.story("Login")
def test_login_does_not_reveal_usernames(raw: Raw, account: SeededUser, seeder: Seeder, marketplace: SeededMarketplace) -> None:
    form = {"grant_type": "password", "client_id": marketplace.storefront_client_id, "password": WRONG_PASSWORD}
    wrong_password = raw.token(**form, username=account.username)
    unknown_user = raw.token(**form, username=seeder.id("nobody"))
    login_does_not_reveal_usernames(wrong_password, unknown_user, TOKEN_ENDPOINT)


def recovery_request(op: Operation, username: str, email: str, client_id: str, code: str) -> tuple[str, dict[str, Any]]:
    """The operation's path and body for one account, every property filled from the document's schema."""
    fields = {"ClientID": client_id, "Username": username, "Email": email, "Password": new_password(), "NewPassword": new_password(), "URL": "https://example.com/reset"}
    properties = (op.request_schema or {}).get("properties") or {}
    body = {name: fields[name] for name in properties if name in fields}
    path = op.path
    for param in op.path_params:
        path = path.replace("{" + param + "}", code)
    return path, body


@allure.story("Account recovery")
def test_account_recovery_does_not_reveal_accounts(recovery_op: Operation, raw: Raw, account: SeededUser, seeder: Seeder, marketplace: SeededMarketplace) -> None:
    client_id, code = marketplace.storefront_client_id, seeder.id("not-a-code")
    answers = []
    for username, email in ((account.username, f"{account.username}@example.com"), (seeder.id("nobody"), f"{seeder.id('nobody')}@example.com")):
        path, body = recovery_request(recovery_op, username, email, client_id, code)
        answers.append(raw.call(recovery_op.method, path, None, f"no token, for {'a known' if username == account.username else 'an unknown'} account", body))
    account_recovery_does_not_reveal_accounts(answers[0], answers[1], recovery_op.operation_id)
