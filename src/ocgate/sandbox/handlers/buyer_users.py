"""Buyer users across buyers: moving a user to another buyer, and /buyerusers.

A move keeps the user's ID, username and password; what belonged to the user
inside the old buyer (group memberships, user-level assignments) stays behind,
and the `orders` option decides which of the user's orders come along:
None, only Unsubmitted ones, or All. Orders that are Open or AwaitingApproval
cannot be left behind (User.CannotMoveeWithOpenOrder, spelled as OrderCloud
spells it). Tokens issued before the move stop working: they name the old buyer.
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request, id_exists
from ..listing import list_page
from ..registry import Call, handles

USERS = "/buyers/{buyerID}/users"
ORDERS = "/orders"
OPEN_STATUSES = ("Open", "AwaitingApproval")


@handles("Users.ListAcrossBuyers")
def list_across_buyers(call: Call) -> dict[str, Any]:
    resources = call.market.resources
    users = resources.collection(USERS)
    items = [resources.present(call, users, scope, user) for scope, objects in call.market.store.scopes(USERS) for user in objects.values()]
    return list_page(items, call.query, resources.bindings[call.op.operation_id].list_rules)


@handles("Users.Move")
def move_user(call: Call) -> dict[str, Any]:
    option = call.query["orders"]  # required, one of None / Unsubmitted / All (checked by the app against the spec)
    market, resources = call.market, call.market.resources
    old_buyer, new_buyer, user_id = call.params["buyerID"], call.params["newBuyerID"], call.params["userID"]
    users = resources.collection(USERS)
    resources.require_parents(users, call.params)
    user = resources.require(users, (old_buyer,), user_id)
    resources.require_parents(users, {"buyerID": new_buyer})
    if new_buyer == old_buyer:
        return resources.present(call, users, (old_buyer,), user)
    if market.store.get(USERS, (new_buyer,), user_id) is not None:
        raise id_exists("User", user_id)
    _check_movable(call, user, option)
    _move_orders(call, user_id, old_buyer, new_buyer, option)
    _leave_buyer(call, user_id, old_buyer)
    market.directory.credentials[user["Username"].lower()]["company"] = new_buyer
    market.store.pop(USERS, (old_buyer,), user_id)
    moved = Call(call.op, {"buyerID": new_buyer}, call.query, {}, call.identity, market)
    result = resources.write(moved, users, (new_buyer,), {**user, "CompanyID": new_buyer}, user)
    market.tokens.revoke_user("buyer", old_buyer, user_id)
    return result


def _check_movable(call: Call, user: dict[str, Any], option: str) -> None:
    username = user["Username"].lower()
    if any((client.get("DefaultContextUserName") or "").lower() == username for client in call.market.directory.api_clients()):
        raise bad_request(
            "User.CannotMoveDefaultContextUser",
            "Cannot move a user currently set as the Default Context User (back office user).",
            {"UserID": user["ID"]},
        )
    if option != "All" and any(order.get("Status") in OPEN_STATUSES for order in _orders_of(call, user["ID"], call.params["buyerID"])):
        raise bad_request(
            "User.CannotMoveeWithOpenOrder",
            "Cannot move a user with an open order, or an order pending approval.",
            {"UserID": user["ID"]},
        )


def _orders_of(call: Call, user_id: str, buyer_id: str) -> list[dict[str, Any]]:
    orders = call.market.store.collection(ORDERS).values()
    return [order for order in orders if order.get("FromUserID") == user_id and order.get("FromCompanyID") == buyer_id]


def _move_orders(call: Call, user_id: str, old_buyer: str, new_buyer: str, option: str) -> None:
    for order in _orders_of(call, user_id, old_buyer):
        if option == "All" or (option == "Unsubmitted" and order.get("Status") == "Unsubmitted"):
            order["FromCompanyID"] = new_buyer


def _leave_buyer(call: Call, user_id: str, buyer_id: str) -> None:
    """Drop the user's group memberships and user-level assignments inside the old buyer."""
    resources = call.market.resources
    for binding in resources.bindings.values():
        if binding.kind != "assignment.save" or "UserID" not in binding.identity_fields:
            continue
        for scope, rows in call.market.store.scopes(binding.collection.template):
            in_buyer = binding.collection.scope_params[:1] == ("buyerID",) and scope[:1] == (buyer_id,)
            for key in [key for key, row in rows.items() if row.get("UserID") == user_id and (in_buyer or row.get("BuyerID") == buyer_id)]:
                del rows[key]
