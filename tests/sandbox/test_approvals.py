"""Approval rules and approvals: who must approve which order, and what approve / decline do (BEHAVIOUR.md §4.3, §4.5)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from _commerce_fixtures import SHOPPER, Shop, error, ok, shop  # noqa: F401  (shop is a fixture)
from _sandbox_api import BuyerPersona


@dataclass
class Approvals:
    """A buyer of its own with a shopper, an approver in the approving group, a product at 100 and one rule."""

    shop: Shop
    shopper: BuyerPersona
    approver: BuyerPersona
    product: str
    rule: dict

    def order(self, quantity: int, **body: object) -> dict:
        order = self.shop.order(self.shopper.api, **body)
        self.shop.line(order["ID"], self.product, quantity, self.shopper.api)
        return order

    def submit(self, order: dict) -> dict:
        return ok(self.shopper.api.post(f"/orders/Outgoing/{order['ID']}/submit"))


@pytest.fixture
def approvals(shop: Shop) -> Approvals:
    shopper = shop.make_user(roles=SHOPPER)
    buyer = shopper.buyer_id
    approver = shop.make_user(roles=SHOPPER, buyer_id=buyer)
    ok(shop.admin.post(f"/buyers/{buyer}/usergroups", json={"ID": "approvers", "Name": "Approvers"}))
    ok(shop.admin.post(f"/buyers/{buyer}/usergroups/assignments", json={"UserGroupID": "approvers", "UserID": approver.user_id}))
    rule = ok(shop.admin.post(f"/buyers/{buyer}/approvalrules", json={"ID": "big", "Name": "Big orders", "ApprovingGroupID": "approvers", "RuleExpression": "order.Total > 200"}))
    return Approvals(shop, shopper, approver, shop.product(breaks=((1, 100.0),), catalog=buyer), rule)


def test_rule_expressions_are_checked_when_a_rule_is_saved(approvals: Approvals) -> None:
    rules = f"/buyers/{approvals.shopper.buyer_id}/approvalrules"
    admin = approvals.shop.admin
    error(admin.post(rules, json={"ApprovingGroupID": "approvers", "RuleExpression": "order.Total >"}), 400, "Expression.InvalidSyntax")
    error(admin.post(rules, json={"ApprovingGroupID": "approvers", "RuleExpression": "items.any(x)"}), 400, "Expression.InvalidFunction")
    error(admin.post(rules, json={"ApprovingGroupID": "approvers", "RuleExpression": "item.Quantity > 1"}), 400, "Expression.ItemNotAllowed")
    error(admin.post(rules, json={"ApprovingGroupID": "approvers", "RuleExpression": "buyer.Name = 'x'"}), 400, "Expression.InvalidToken")
    error(admin.post(rules, json={"ApprovingGroupID": "nobody", "RuleExpression": "order.Total > 1"}), 404, "NotFound")


def test_an_order_no_rule_matches_opens_on_submit(approvals: Approvals) -> None:
    assert approvals.submit(approvals.order(1))["Status"] == "Open"


def test_a_matching_rule_holds_the_order_for_the_approving_group(approvals: Approvals) -> None:
    order = approvals.order(3)
    held = approvals.submit(order)
    assert (held["Status"], held["IsSubmitted"]) == ("AwaitingApproval", True) and held["DateSubmitted"]
    rows = ok(approvals.shopper.api.get(f"/orders/Outgoing/{order['ID']}/approvals"))["Items"]
    assert [(row["ApprovalRuleID"], row["ApprovingGroupID"], row["Status"]) for row in rows] == [("big", "approvers", "Pending")]
    approvable = ok(approvals.approver.api.get("/me/orders/approvable"))["Items"]
    assert [o["ID"] for o in approvable] == [order["ID"]]
    assert ok(approvals.shopper.api.get("/me/orders/approvable"))["Items"] == []
    eligible = ok(approvals.shopper.api.get(f"/orders/Outgoing/{order['ID']}/eligibleapprovers"))["Items"]
    assert [user["ID"] for user in eligible] == [approvals.approver.user_id]


def test_rules_can_look_at_order_xp(approvals: Approvals) -> None:
    path = f"/buyers/{approvals.shopper.buyer_id}/approvalrules/big"
    ok(approvals.shop.admin.patch(path, json={"RuleExpression": "order.xp.Dept = 'R&D' and order.Total > 50"}))
    assert approvals.submit(approvals.order(1, xp={"Dept": "Sales"}))["Status"] == "Open"
    assert approvals.submit(approvals.order(1, xp={"Dept": "R&D"}))["Status"] == "AwaitingApproval"


def test_only_the_approving_group_may_approve(approvals: Approvals) -> None:
    order = approvals.order(3)
    approvals.submit(order)
    error(approvals.shopper.api.post(f"/orders/Outgoing/{order['ID']}/approve", json={}), 403, "Order.NotEligibleToApprove")
    outsider = approvals.shop.make_user(roles=SHOPPER, buyer_id=approvals.shopper.buyer_id)
    error(outsider.api.post(f"/orders/Outgoing/{order['ID']}/decline", json={}), 403, "Order.NotEligibleToApprove")


def test_approval_opens_the_order_and_records_the_approver(approvals: Approvals) -> None:
    order = approvals.order(3)
    approvals.submit(order)
    approved = ok(approvals.approver.api.post(f"/orders/Outgoing/{order['ID']}/approve", json={"Comments": "fine"}))
    assert approved["Status"] == "Open" and approved["DateApproved"]
    row = ok(approvals.shopper.api.get(f"/orders/Outgoing/{order['ID']}/approvals"))["Items"][0]
    assert (row["Status"], row["Comments"], row["Approver"]["ID"]) == ("Approved", "fine", approvals.approver.user_id) and row["DateCompleted"]
    error(approvals.approver.api.post(f"/orders/Outgoing/{order['ID']}/approve", json={}), 400, "Order.MustBeAwaitingApproval")
    assert order["ID"] in {o["ID"] for o in ok(approvals.approver.api.get("/me/orders"))["Items"]}


def test_a_decline_with_allow_resubmit_sends_the_order_back_for_edits(approvals: Approvals) -> None:
    order = approvals.order(3)
    approvals.submit(order)
    declined = ok(approvals.approver.api.post(f"/orders/Outgoing/{order['ID']}/decline", json={"Comments": "too much", "AllowResubmit": True}))
    assert declined["Status"] == "Declined" and declined["DateDeclined"]
    line = ok(approvals.shopper.api.get(f"/orders/Outgoing/{order['ID']}/lineitems"))["Items"][0]
    ok(approvals.shopper.api.patch(f"/orders/Outgoing/{order['ID']}/lineitems/{line['ID']}", json={"Quantity": 1}))
    assert approvals.submit(order)["Status"] == "Open"


def test_a_decline_without_resubmit_is_final(approvals: Approvals) -> None:
    order = approvals.order(3)
    approvals.submit(order)
    ok(approvals.approver.api.post(f"/orders/Outgoing/{order['ID']}/decline", json={"AllowResubmit": False}))
    error(approvals.shopper.api.post(f"/orders/Outgoing/{order['ID']}/lineitems", json={"ProductID": approvals.product}), 400, "Order.CannotModifyBadStatus")
    error(approvals.shopper.api.post(f"/orders/Outgoing/{order['ID']}/submit"), 400, "Order.CannotSubmitBadStatus")


def test_an_order_awaiting_approval_can_be_canceled(approvals: Approvals) -> None:
    order = approvals.order(3)
    approvals.submit(order)
    assert ok(approvals.shopper.api.post(f"/orders/Outgoing/{order['ID']}/cancel"))["Status"] == "Canceled"
    assert ok(approvals.approver.api.get("/me/orders/approvable"))["Items"] == []


def test_rules_and_groups_in_use_cannot_be_deleted(approvals: Approvals) -> None:
    buyer = approvals.shopper.buyer_id
    order = approvals.order(3)
    approvals.submit(order)
    error(approvals.shop.admin.delete(f"/buyers/{buyer}/approvalrules/big"), 400, "ApprovalRule.CannotDeleteIfPending")
    error(approvals.shop.admin.delete(f"/buyers/{buyer}/usergroups/approvers"), 400, "UserGroup.CannotDeleteApprovingGroup")
    ok(approvals.approver.api.post(f"/orders/Outgoing/{order['ID']}/approve", json={}))
    assert approvals.shop.admin.delete(f"/buyers/{buyer}/approvalrules/big").status_code == 204
    assert approvals.shop.admin.delete(f"/buyers/{buyer}/usergroups/approvers").status_code == 204


def test_a_seller_rule_is_approved_by_the_sellers_group(approvals: Approvals, settings) -> None:
    admin = approvals.shop.admin
    ok(admin.post("/usergroups", json={"ID": "seller-approvers", "Name": "Seller approvers"}))
    ok(admin.post("/usergroups/assignments", json={"UserGroupID": "seller-approvers", "UserID": "ocgate-admin"}))
    rule = ok(admin.post("/approvalrules", json={"Name": "Huge", "ApprovalType": "Order", "ApprovingGroupID": "seller-approvers", "RuleExpression": "order.Total >= 900"}))
    assert rule["OwnerID"] == settings.sandbox.seller_id
    order = approvals.order(9)
    assert approvals.submit(order)["Status"] == "AwaitingApproval"
    pending = {r["ApprovalRuleID"] for r in ok(admin.get(f"/orders/Incoming/{order['ID']}/approvals"))["Items"] if r["Status"] == "Pending"}
    assert pending == {"big", rule["ID"]}
    assert ok(admin.post(f"/orders/Incoming/{order['ID']}/approve", json={}))["Status"] == "AwaitingApproval"
    assert ok(approvals.approver.api.post(f"/orders/Outgoing/{order['ID']}/approve", json={}))["Status"] == "Open"
    assert admin.delete(f"/approvalrules/{rule['ID']}").status_code == 204
