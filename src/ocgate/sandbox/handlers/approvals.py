"""Approval rules and order approvals (BEHAVIOUR.md §4.3, §4.5).

- A buyer's rules (/buyers/{buyerID}/approvalrules) apply to its orders; the seller's
  (/approvalrules, ApprovalType Order) apply to orders placed with their owner (OwnerID: the
  seller, or a supplier). A rule's RuleExpression is checked when it is saved (Expression.*
  codes, see rule_expressions) and its ApprovingGroupID must name a user group of the party
  that approves: the buyer for buyer rules, the owner for seller rules.
- On submit every matching rule adds a Pending OrderApproval and the order waits in
  AwaitingApproval. Members of a pending approval's group may approve or decline
  (403 Order.NotEligibleToApprove for anyone else; 400 Order.MustBeAwaitingApproval when the
  order is not waiting). When the last pending approval is approved the order becomes Open
  (inventory deducted then, DateApproved set); a decline makes it Declined, and with
  AllowResubmit the buyer may edit it and submit again (a new round of approvals).
- A rule with pending approvals cannot be deleted (ApprovalRule.CannotDeleteIfPending), nor a
  group some rule names as approvers (UserGroup.CannotDeleteApprovingGroup).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..auth import USER_KINDS
from ..errors import bad_request, forbidden, not_found
from ..models import validate
from ..registry import Call, before_delete, before_write, handles
from ..store import new_id, utc_now
from .order_access import APPROVALS, AWAITING_APPROVAL, DECLINED, ORDERS, approvals_of, order_for, require_status, visible_orders
from .order_status import move, open_order
from .orders import matching_query, user_snapshot
from .responses import list_of
from .rule_expressions import check, holds

if TYPE_CHECKING:
    from ..auth import Identity
    from ..state import Marketplace

BUYER_RULES = "/buyers/{buyerID}/approvalrules"
SELLER_RULES = "/approvalrules"
PENDING, APPROVED = "Pending", "Approved"

Party = tuple[str, "str | None"]  # (user type, company: None for the seller)


# -- rules ------------------------------------------------------------------------------------------


def _group_exists(market: Marketplace, party: Party, group_id: str | None) -> None:
    user_type, company = party
    groups = USER_KINDS[user_type][1]
    if not group_id or market.store.get(groups, () if company is None else (company,), group_id) is None:
        raise not_found("UserGroup", group_id)


def _check_expression(rule: dict[str, Any]) -> None:
    if not rule.get("RuleExpression"):
        raise bad_request("ValidationFailure", "ApprovalRule.RuleExpression is required.", {"Property": "RuleExpression", "Reason": "required"})
    check(rule["RuleExpression"])


@before_write(BUYER_RULES)
def _check_buyer_rule(call: Call, rule: dict[str, Any], previous: dict[str, Any] | None) -> None:
    _check_expression(rule)
    _group_exists(call.market, ("buyer", call.params["buyerID"]), rule.get("ApprovingGroupID"))


def owner_party(market: Marketplace, owner: str) -> Party:
    return ("admin", None) if owner == market.seller_id else ("supplier", owner)


@before_write(SELLER_RULES)
def _check_seller_rule(call: Call, rule: dict[str, Any], previous: dict[str, Any] | None) -> None:
    market = call.market
    rule["OwnerID"] = rule.get("OwnerID") or call.identity.company_id
    rule["ApprovalType"] = rule.get("ApprovalType") or "Order"
    if rule["OwnerID"] != market.seller_id and market.store.get("/suppliers", (), rule["OwnerID"]) is None:
        raise not_found("Supplier", rule["OwnerID"])
    _check_expression(rule)
    _group_exists(market, owner_party(market, rule["OwnerID"]), rule.get("ApprovingGroupID"))


def rule_party(market: Marketplace, order: dict[str, Any], rule_id: str) -> Party | None:
    """Whose users approve under this rule: the order's buyer, or the seller rule's owner."""
    if market.store.get(BUYER_RULES, (order["FromCompanyID"] or "",), rule_id) is not None:
        return ("buyer", order["FromCompanyID"])
    rule = market.store.get(SELLER_RULES, (), rule_id)
    return owner_party(market, rule["OwnerID"]) if rule is not None else None


def request_approvals(market: Marketplace, order: dict[str, Any]) -> bool:
    """Add a Pending approval for every rule the order matches; True when it must wait for them."""
    stale = [key for key, row in market.store.view(APPROVALS, (order["ID"],)).items() if row["Status"] == PENDING]
    for key in stale:  # left over from a declined round
        del approvals_of(market, order["ID"])[key]
    rules = list(market.store.view(BUYER_RULES, (order["FromCompanyID"] or "",)).values())
    rules += [
        rule
        for rule in market.store.view(SELLER_RULES).values()
        if rule.get("ApprovalType") in (None, "Order") and rule.get("OwnerID") == order["ToCompanyID"]
    ]
    schema = market.resources.collection(APPROVALS).schema
    waiting = False
    for rule in rules:
        if holds(rule["RuleExpression"], order):
            waiting = True
            approvals_of(market, order["ID"])[new_id()] = {
                **{name: None for name in schema.get("properties", {})},
                "ApprovalRuleID": rule["ID"],
                "ApprovingGroupID": rule["ApprovingGroupID"],
                "Status": PENDING,
                "AllowResubmit": False,
                "DateCreated": utc_now(),
            }
    return waiting


def _pending(market: Marketplace, order: dict[str, Any]) -> list[dict[str, Any]]:
    if order["Status"] != AWAITING_APPROVAL:
        return []
    return [row for row in market.store.view(APPROVALS, (order["ID"],)).values() if row["Status"] == PENDING]


def my_party(identity: Identity) -> Party:
    return (identity.user_type, None if identity.user_type == "admin" else identity.company_id)


def eligible(market: Marketplace, identity: Identity, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The pending approvals this user may decide (member of the approving group, on the right side)."""
    pending = _pending(market, order)
    if not pending:
        return []
    party = my_party(identity)
    groups = market.groups_of(party[0], party[1], identity.user_id)
    return [row for row in pending if row["ApprovingGroupID"] in groups and rule_party(market, order, row["ApprovalRuleID"]) == party]


@before_delete(BUYER_RULES, SELLER_RULES)
def _keep_rules_in_use(call: Call, rule: dict[str, Any]) -> None:
    buyer = call.params.get("buyerID")
    for (order_id,), rows in call.market.store.scopes(APPROVALS):
        order = call.market.store.get(ORDERS, (), order_id)
        if order is None or order["Status"] != AWAITING_APPROVAL or (buyer and order["FromCompanyID"] != buyer):
            continue
        if any(row["ApprovalRuleID"] == rule["ID"] and row["Status"] == PENDING for row in rows.values()):
            raise bad_request("ApprovalRule.CannotDeleteIfPending", "Cannot delete Approval Rule because it has pending Approvals.", {"ApprovalRuleID": rule["ID"], "OrderID": order_id})


def rules_approved_by(market: Marketplace, party: Party) -> list[dict[str, Any]]:
    if party[0] == "buyer":
        return list(market.store.collection(BUYER_RULES, (party[1] or "",)).values())
    owner = market.seller_id if party[0] == "admin" else party[1]
    return [rule for rule in market.store.collection(SELLER_RULES).values() if rule.get("OwnerID") == owner]


def _keep_approving_groups(user_type: str) -> Callable[[Call, dict[str, Any]], None]:
    def hook(call: Call, group: dict[str, Any]) -> None:
        company = call.params.get({"buyer": "buyerID", "supplier": "supplierID"}.get(user_type, ""))
        using = sorted(rule["ID"] for rule in rules_approved_by(call.market, (user_type, company)) if rule.get("ApprovingGroupID") == group["ID"])
        if using:
            raise bad_request(
                "UserGroup.CannotDeleteApprovingGroup",
                "Cannot delete this User Group because it is the designated Approving Group for the given Approval Rule(s). You must either delete the Approval Rule(s) or change the Rules' ApprovingGroupID.",
                {"UserGroupID": group["ID"], "ApprovalRuleIDs": using},
            )

    return hook


for _user_type, (_, _groups, _, _) in USER_KINDS.items():
    before_delete(_groups)(_keep_approving_groups(_user_type))


# -- deciding ----------------------------------------------------------------------------------------


def _decidable(call: Call) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    validate(call.op.request_schema or {}, call.body, model="OrderApprovalInfo")
    order = order_for(call)
    require_status(order, (AWAITING_APPROVAL,), "Order.MustBeAwaitingApproval", "Cannot process order with given status. Order status must be AwaitingApproval.")
    mine = eligible(call.market, call.identity, order)
    if not mine:
        raise forbidden("Order.NotEligibleToApprove", "You are not eligible to approve this order.", {"OrderID": order["ID"], "UserID": call.identity.user_id})
    return order, mine


def _decide(call: Call, rows: list[dict[str, Any]], status: str) -> None:
    me = call.identity
    approver = user_snapshot(call.market, me.user_type, None if me.user_type == "admin" else me.company_id, me.user_id)
    for row in rows:
        row.update(
            Status=status,
            Approver=approver,
            Comments=call.body.get("Comments"),
            AllowResubmit=bool(call.body.get("AllowResubmit")) if status == DECLINED else False,
            DateCompleted=utc_now(),
        )


@handles("Orders.Approve")
def approve(call: Call) -> dict[str, Any]:
    with call.market.store.lock:
        order, mine = _decidable(call)
        if len(mine) == len(_pending(call.market, order)):
            open_order(call.market, order, "DateApproved")  # the final approval; may be refused for stock
        _decide(call, mine, APPROVED)
        order["LastUpdated"] = utc_now()
        return order


@handles("Orders.Decline")
def decline(call: Call) -> dict[str, Any]:
    with call.market.store.lock:
        order, mine = _decidable(call)
        _decide(call, mine, DECLINED)
        move(order, DECLINED, "DateDeclined")
        return order


# -- reading -----------------------------------------------------------------------------------------


@handles("Orders.ListApprovals")
def list_approvals(call: Call) -> dict[str, Any]:
    with call.market.store.lock:
        rows = list(call.market.store.view(APPROVALS, (order_for(call)["ID"],)).values())
    return list_of(call, rows)


def members(market: Marketplace, party: Party, group_id: str) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    users_template, _, memberships, _ = USER_KINDS[party[0]]
    scope = () if party[1] is None else (party[1],)
    user_ids = [row["UserID"] for row in market.store.collection(memberships, scope).values() if row.get("UserGroupID") == group_id]
    return [(scope, user) for user_id in user_ids if (user := market.store.get(users_template, scope, user_id)) is not None]


@handles("Orders.ListEligibleApprovers")
def list_eligible_approvers(call: Call) -> dict[str, Any]:
    market = call.market
    with market.store.lock:
        order = order_for(call)
        found: dict[tuple[str, ...], dict[str, Any]] = {}
        for row in _pending(market, order):
            party = rule_party(market, order, row["ApprovalRuleID"])
            if party is None:
                continue
            collection = market.resources.collection(USER_KINDS[party[0]][0])
            for scope, user in members(market, party, row["ApprovingGroupID"]):
                found[(party[0], *scope, user["ID"])] = market.resources.present(call, collection, scope, user)
    return list_of(call, list(found.values()))


@handles("Me.ListApprovableOrders")
def list_approvable(call: Call) -> dict[str, Any]:
    with call.market.store.lock:
        orders = [order for order in visible_orders(call) if eligible(call.market, call.identity, order)]
    return list_of(call, matching_query(call, orders))
