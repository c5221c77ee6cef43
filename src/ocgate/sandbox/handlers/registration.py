"""Me.Register: an anonymous shopper becomes a profiled buyer user.

`PUT /me/register?anonUserToken=...` with a MeUser body creates the user in
the anonymous shopper's buyer (username rules and password rules as for any
user), hands the anonymous session's order over to the new user through
Me.TransferAnonUserOrder, and answers with an access token for the new user
through the same API client. The token's roles are those of the anonymous
token that the new user also holds (security profiles assigned to the buyer
or its groups apply to the new user like to any other).
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..registry import Call, handles

USERS = "/buyers/{buyerID}/users"
PROFILE_ONLY = ("Buyer", "Supplier", "Seller")


@handles("Me.Register")
def register(call: Call) -> dict[str, Any]:
    market = call.market
    anonymous = market.tokens.authenticate(f"Bearer {call.query['anonUserToken']}")  # required (checked by the app)
    if anonymous.anonymous_id is None:
        raise bad_request(
            "User.IsNotTemp",
            "The current user is not a temp user. If you are trying to allow anonymous access to your app, see our guide on Anonymous Shopping.",
        )
    client = market.directory.api_client(anonymous.client_id)
    if client is None:
        raise bad_request("ApiClient.InvalidClientID", "Invalid Client ID.", {"ClientID": anonymous.client_id})
    body = {key: value for key, value in (call.body or {}).items() if key not in PROFILE_ONLY}
    params = {"buyerID": anonymous.company_id}
    creating = Call(call.op, params, call.query, body, call.identity, market)
    user = market.resources.create(creating, market.resources.collection(USERS), params, body)
    credential = market.directory.credentials[user["Username"].lower()]
    available, available_custom = market.directory.roles_of("buyer", anonymous.company_id, user["ID"])
    token = market.tokens.issue(client, credential, available & anonymous.roles, available_custom & anonymous.custom_roles)
    registered = market.tokens.authenticate(f"Bearer {token['access_token']}")
    market.resources.handle(Call(market.spec.operation("Me.TransferAnonUserOrder"), {}, call.query, None, registered, market))
    return {"access_token": token["access_token"]}
