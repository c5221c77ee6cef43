"""The current user's orders: /me/orders and taking over an anonymous shopper's order.

- `GET /me/orders`: orders created, approved or declined by me (RN v1.0.20), any status, with
  the usual list parameters plus from / to (bounds of DateCreated).
- `PUT /me/orders?anonUserToken=...`: the anonymous shopper's unsubmitted order (the ID its
  token's `orderid` claim names) becomes the caller's: FromUser, FromUserID and FromCompanyID
  change. A token that is not an anonymous shopper's is 400 Auth.MustPassAnonUserToken; an
  anonymous caller cannot take orders over (403 Auth.AnonUserProhibited). With no such order
  there is nothing to transfer (204).
"""

from __future__ import annotations

from typing import Any

from ..errors import ApiError, bad_request, forbidden
from ..registry import Call, handles
from ..responses import list_of
from ..rules.order_access import APPROVALS, ORDERS, UNSUBMITTED, matching_query, visible_orders
from ..rules.placing_orders import user_snapshot
from ..store import utc_now


def _decided_by(call: Call, order: dict[str, Any]) -> bool:
    return any((row.get("Approver") or {}).get("ID") == call.identity.user_id for row in call.market.store.view(APPROVALS, (order["ID"],)).values())


@handles("Me.ListOrders")
def list_my_orders(call: Call) -> dict[str, Any]:
    me = call.identity
    orders = [order for order in visible_orders(call) if order["FromUserID"] == me.user_id or _decided_by(call, order)]
    return list_of(call, matching_query(call, orders))


def _not_anonymous_token() -> ApiError:
    return bad_request("Auth.MustPassAnonUserToken", "The token provided is invalid. Please provide an anonymous user token and try again.", {"Parameter": "anonUserToken"})


@handles("Me.TransferAnonUserOrder")
def transfer_anonymous_order(call: Call) -> None:
    market, me = call.market, call.identity
    if me.anonymous_id is not None:
        raise forbidden("Auth.AnonUserProhibited", "Anonymous users are prohibited from performing these actions.", {"UserID": me.user_id})
    token = call.query.get("anonUserToken")
    try:
        anonymous = market.tokens.authenticate(f"Bearer {token}") if token else None
    except ApiError:
        anonymous = None
    if anonymous is None or anonymous.anonymous_id is None:
        raise _not_anonymous_token()
    order = market.store.get(ORDERS, (), anonymous.anonymous_id)
    if order is None or order["Status"] != UNSUBMITTED or order["FromUserID"] != anonymous.user_id:
        return
    order.update(
        FromUserID=me.user_id,
        FromCompanyID=me.company_id,
        FromUser=user_snapshot(market, me.user_type, me.company_id, me.user_id),
        LastUpdated=utc_now(),
    )
