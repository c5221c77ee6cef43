"""Approval rules: which orders wait for approval, and who may approve them (BEHAVIOUR.md §4.3, §4.5).

- A buyer's rules (/buyers/{buyerID}/approvalrules) apply to its orders; the seller's
  (/approvalrules, ApprovalType Order) apply to orders placed with their owner (OwnerID: the
  seller, or a supplier). Seller rules of ApprovalType OrderReturn apply to order returns.
- On submit every matching rule (its RuleExpression holds for the order, see rule_expressions)
  adds a Pending approval; the order waits in AwaitingApproval while any is pending.
- The members of a pending approval's ApprovingGroupID may decide it: a user group of the buyer
  for buyer rules, of the rule's owner for seller rules (the "party" that approves).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..store import new_id, utc_now
from .order_access import APPROVALS, AWAITING_APPROVAL, approvals_of
from .rule_expressions import holds

if TYPE_CHECKING:
    from ..directory import Identity
    from ..state import Marketplace

BUYER_RULES = "/buyers/{buyerID}/approvalrules"
SELLER_RULES = "/approvalrules"
PENDING, APPROVED = "Pending", "Approved"

Party = tuple[str, "str | None"]  # (user type, company: None for the seller)


def owner_party(market: Marketplace, owner: str) -> Party:
    return ("admin", None) if owner == market.seller_id else ("supplier", owner)


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


def pending_approvals(market: Marketplace, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The order's approvals still to be decided (none unless it is AwaitingApproval)."""
    if order["Status"] != AWAITING_APPROVAL:
        return []
    return [row for row in market.store.view(APPROVALS, (order["ID"],)).values() if row["Status"] == PENDING]


def my_party(identity: Identity) -> Party:
    return (identity.user_type, None if identity.user_type == "admin" else identity.company_id)


def eligible(market: Marketplace, identity: Identity, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The pending approvals this user may decide (member of the approving group, on the right side)."""
    pending = pending_approvals(market, order)
    if not pending:
        return []
    party = my_party(identity)
    groups = market.directory.groups_of(party[0], party[1], identity.user_id)
    return [row for row in pending if row["ApprovingGroupID"] in groups and rule_party(market, order, row["ApprovalRuleID"]) == party]


def rules_approved_by(market: Marketplace, party: Party) -> list[dict[str, Any]]:
    if party[0] == "buyer":
        return list(market.store.collection(BUYER_RULES, (party[1] or "",)).values())
    owner = market.seller_id if party[0] == "admin" else party[1]
    return [rule for rule in market.store.collection(SELLER_RULES).values() if rule.get("OwnerID") == owner]
