"""Saving approval rules, and approving or declining orders (BEHAVIOUR.md §4.3, §4.5).

Which rules apply to an order and who approves under them: rules/approval_rules.py.

- A rule's RuleExpression is checked when it is saved (Expression.* codes, see
  rule_expressions) and its ApprovingGroupID must name a user group of the party that
  approves: the buyer for buyer rules, the owner (seller or supplier) for seller rules.
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

from ..directory import USER_KINDS
from ..errors import bad_request, forbidden, not_found
from ..models import validate
from ..registry import Call, before_delete, before_write, handles
from ..responses import list_of
from ..rules.approval_rules import (
    APPROVED,
    BUYER_RULES,
    PENDING,
    SELLER_RULES,
    Party,
    eligible,
    owner_party,
    pending_approvals,
    rule_party,
    rules_approved_by,
)
from ..rules.order_access import (
    APPROVALS,
    AWAITING_APPROVAL,
    DECLINED,
    ORDERS,
    matching_query,
    order_for,
    visible_orders,
)
from ..rules.order_status import move, open_order, require_status
from ..rules.placing_orders import user_snapshot
from ..rules.rule_expressions import check
from ..store import utc_now

if TYPE_CHECKING:
    from ..state import Marketplace


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


@before_write(SELLER_RULES)
def _check_seller_rule(call: Call, rule: dict[str, Any], previous: dict[str, Any] | None) -> None:
    market = call.market
    rule["OwnerID"] = rule.get("OwnerID") or call.identity.company_id
    rule["ApprovalType"] = rule.get("ApprovalType") or "Order"
    if rule["OwnerID"] != market.seller_id and market.store.get("/suppliers", (), rule["OwnerID"]) is None:
        raise not_found("Supplier", rule["OwnerID"])
    _check_expression(rule)
    _group_exists(market, owner_party(market, rule["OwnerID"]), rule.get("ApprovingGroupID"))


@before_delete(BUYER_RULES, SELLER_RULES)
def _keep_rules_in_use(call: Call, rule: dict[str, Any]) -> None:
    buyer = call.params.get("buyerID")
    for (order_id,), rows in call.market.store.scopes(APPROVALS):
        order = call.market.store.get(ORDERS, (), order_id)
        if order is None or order["Status"] != AWAITING_APPROVAL or (buyer and order["FromCompanyID"] != buyer):
            continue
        if any(row["ApprovalRuleID"] == rule["ID"] and row["Status"] == PENDING for row in rows.values()):
            raise bad_request("ApprovalRule.CannotDeleteIfPending", "Cannot delete Approval Rule because it has pending Approvals.", {"ApprovalRuleID": rule["ID"], "OrderID": order_id})


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
    order, mine = _decidable(call)
    if len(mine) == len(pending_approvals(call.market, order)):
        open_order(call.market, order, "DateApproved")  # the final approval; may be refused for stock
    _decide(call, mine, APPROVED)
    order["LastUpdated"] = utc_now()
    return order


@handles("Orders.Decline")
def decline(call: Call) -> dict[str, Any]:
    order, mine = _decidable(call)
    _decide(call, mine, DECLINED)
    move(order, DECLINED, "DateDeclined")
    return order


# -- reading -----------------------------------------------------------------------------------------


@handles("Orders.ListEligibleApprovers")
def list_eligible_approvers(call: Call) -> dict[str, Any]:
    market = call.market
    order = order_for(call)
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in pending_approvals(market, order):
        party = rule_party(market, order, row["ApprovalRuleID"])
        if party is None:
            continue
        collection = market.resources.collection(USER_KINDS[party[0]][0])
        for scope, user in market.directory.members_of(party[0], party[1], row["ApprovingGroupID"]):
            found[(party[0], *scope, user["ID"])] = market.resources.present(call, collection, scope, user)
    return list_of(call, list(found.values()))


@handles("Me.ListApprovableOrders")
def list_approvable(call: Call) -> dict[str, Any]:
    orders = [order for order in visible_orders(call) if eligible(call.market, call.identity, order)]
    return list_of(call, matching_query(call, orders))
