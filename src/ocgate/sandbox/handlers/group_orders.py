"""Group orders: an invitation to an order is exchanged for an access token.

Sources: the SDKs' GroupOrders.GetToken (`POST /grouporders/{invitationID}/token`, answers an
AccessToken) and Me.*GroupOrderInvitation (GroupOrderInvitation {ID, ExpirationDate, Name, OrderID,
OrderStatus}); BEHAVIOUR.md §1.2: "Group orders: details NOT FOUND". Choices (README): the invitation
must exist (404 GroupOrderInvitation), be before its ExpirationDate (sandbox clock) and name an order
that exists and is still Unsubmitted (404 otherwise: an invitation to a closed order leads nowhere);
the token is the caller's own (same user, API client and roles, no refresh token), carrying the
claim `grouporder` = the invitation ID, and lasts as long as the client's access tokens.
"""

from __future__ import annotations

from typing import Any

from ..errors import not_found
from ..models import parse_time
from ..registry import Call, handles
from ..rules.order_access import ORDERS, UNSUBMITTED
from ..rules.pricing import now_of

INVITATIONS = "/me/orderinvitations"


@handles("GroupOrders.GetToken")
def group_order_token(call: Call) -> dict[str, Any]:
    market, me = call.market, call.identity
    invitation_id = call.params["invitationID"]
    invitation = market.store.get(INVITATIONS, (), invitation_id)
    expires = parse_time((invitation or {}).get("ExpirationDate"))
    if invitation is None or (expires is not None and expires <= now_of(market)):
        raise not_found("GroupOrderInvitation", invitation_id)
    order = market.store.get(ORDERS, (), invitation.get("OrderID") or "")
    if order is None or order["Status"] != UNSUBMITTED:
        raise not_found("Order", invitation.get("OrderID"))
    client = market.directory.api_client(me.client_id) or {}
    credential = market.directory.credentials[me.username.lower()]
    token = market.tokens.issue(client, credential, set(me.roles), set(me.custom_roles), claims={"grouporder": invitation_id})
    return {**token, "refresh_token": None}
