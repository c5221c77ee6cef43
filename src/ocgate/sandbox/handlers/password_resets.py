"""Forgotten passwords: verification codes, and setting a new password.

POST /password/reset finds the users with that e-mail (and username, when
given) who may log in through the API client, and "sends" each a
ForgottenPassword message with a one-time verification code. A real
marketplace e-mails it through its message senders; the sandbox delivers it to
its outbox, readable at GET /_sandbox/outbox. The answer is 204 whether or not
anyone matched, so the endpoint does not reveal who has an account.
A code works once, for its username and client, for one hour of sandbox time.
"""

from __future__ import annotations

import secrets
from typing import Any

from ..directory import refuse_anonymous
from ..errors import bad_request
from ..models import validate
from ..registry import Call, handles
from ..store import utc_now

CODE_LIFETIME_SECONDS = 3600


def _codes(call: Call) -> dict[str, dict[str, Any]]:
    return call.market.store.side.setdefault("verification_codes", {})


def _client(call: Call) -> dict[str, Any]:
    return call.market.directory.forgotten_credentials_client(call.body.get("ClientID"))


@handles("PasswordResets.SendVerificationCode")
def send_verification_code(call: Call) -> None:
    validate(call.op.request_schema or {}, call.body, model="PasswordResetRequest")
    client = _client(call)
    email, username = (call.body.get("Email") or "").lower(), (call.body.get("Username") or "").lower()
    if not email and not username:
        raise bad_request("PasswordReset.MissingUsername", "Send the Email or the Username of the account.", {"Property": "Email"})
    market = call.market
    for credential, user in market.directory.accounts_reached(client, email, username):
        code = secrets.token_urlsafe(16)
        _codes(call)[code] = {"username": credential["username"], "client_id": client["ID"], "expires": market.clock() + CODE_LIFETIME_SECONDS}
        market.outbox.append(
            {
                "MessageType": "ForgottenPassword",
                "To": user.get("Email"),
                "Username": credential["username"],
                "ClientID": client["ID"],
                "VerificationCode": code,
                "URL": call.body.get("URL"),
                "DateSent": utc_now(),
            }
        )


@handles("PasswordResets.ResetPasswordByVerificationCode")
def reset_by_verification_code(call: Call) -> None:
    validate(call.op.request_schema or {}, call.body, model="PasswordReset")
    client = _client(call)
    username = call.body.get("Username")
    if not username:
        raise bad_request("PasswordReset.MissingUsername", "Username is required.", {"Property": "Username"})
    entry = _codes(call).get(call.params["verificationCode"])
    credential = call.market.directory.credentials.get(username.lower())
    valid = (
        entry is not None
        and credential is not None
        and entry["username"].lower() == username.lower()
        and entry["client_id"] == client["ID"]
        and entry["expires"] > call.market.clock()
    )
    if not valid:
        raise bad_request("PasswordReset.InvalidVerification", "Incorrect verification code or username.")
    call.market.directory.set_password(credential, call.body.get("Password") or "")
    del _codes(call)[call.params["verificationCode"]]


@handles("Me.ResetPasswordByToken")
def reset_my_password(call: Call) -> None:
    """A signed-in user (e.g. after a single sign-on or a reset link) sets a new password without the old one."""
    validate(call.op.request_schema or {}, call.body, model="TokenPasswordReset")
    me = call.identity
    refuse_anonymous(me)
    credential = call.market.directory.credentials.get(me.username.lower())
    if credential is None or credential["id"] != me.user_id:
        raise bad_request("User.NotFound", "User not found.", {"UserID": me.user_id})
    call.market.directory.set_password(credential, call.body["NewPassword"] or "")
