"""Forgotten credentials besides password resets: one-time passwords and forgotten usernames.

One-time passwords (ordercloud.io knowledge base "One-Time Passwords", May 2025; doc.sitecore.com
"One-time passwords"): `POST /password/onetimepassword {ClientID, Username, Email}` sends each user
matching the Username and/or the Email a OneTimePassword message with the client ID, the username
and a new one-time password (one per username when several share the Email; none when the Email
and the Username do not match). The password logs in once with the password grant, within 10
minutes (the token endpoint asks directory.use_one_time_password); choice: through any API client
that allows the user, not only the one named in the request.
Forgotten usernames (`POST /username/retrieve?clientID=&email=`, SDK "Retrieve a username"): each
user with that e-mail who may log in through the client is sent a ForgottenUsername message.

As for password resets (handlers/password_resets.py), the messages are delivered to the sandbox
outbox (GET /_sandbox/outbox), and both answer 204 whether or not anyone matched, so neither
reveals who has an account. choice: an unknown or inactive ClientID is 400
PasswordReset.MissingOrInvalidClientID, as for password resets.
"""

from __future__ import annotations

from ..errors import bad_request
from ..models import validate
from ..registry import Call, handles
from ..store import utc_now

ONE_TIME_PASSWORD_SECONDS = 600  # "OTPs expire 10 minutes after being requested"


@handles("ForgottenCredentials.SendOneTimePassword")
def send_one_time_password(call: Call) -> None:
    validate(call.op.request_schema or {}, call.body, model="OneTimePasswordRequest")
    client = call.market.directory.forgotten_credentials_client(call.body.get("ClientID"))
    email, username = call.body.get("Email") or "", call.body.get("Username") or ""
    if not email and not username:
        raise bad_request("PasswordReset.MissingUsername", "Send the Email or the Username of the account.", {"Property": "Email"})
    market = call.market
    for credential, user in market.directory.accounts_reached(client, email, username):
        code = market.directory.issue_one_time_password(credential, client["ID"], market.clock() + ONE_TIME_PASSWORD_SECONDS)
        market.outbox.append(
            {"MessageType": "OneTimePassword", "To": user.get("Email"), "Username": credential["username"], "ClientID": client["ID"], "OneTimePassword": code, "DateSent": utc_now()}
        )


@handles("ForgottenCredentials.RetrieveUsername")
def retrieve_username(call: Call) -> None:
    client = call.market.directory.forgotten_credentials_client(call.query.get("clientID"))
    email = call.query.get("email") or ""
    if not email:
        raise bad_request("PasswordReset.MissingEmail", "Send the email of the account.", {"Property": "email"})
    market = call.market
    for credential, user in market.directory.accounts_reached(client, email):
        market.outbox.append({"MessageType": "ForgottenUsername", "To": user.get("Email"), "Username": credential["username"], "ClientID": client["ID"], "DateSent": utc_now()})
