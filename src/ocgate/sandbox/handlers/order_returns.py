"""Order returns: create, submit, approve / decline, cancel, complete (ErrorCodes.OrderReturn).

- A return names an order the caller sees (404 otherwise) that is Open or Completed
  (OrderReturn.CannotCreateBadOrderStatus); its OrderID never changes. Each item names a line of
  that order once (OrderReturn.CannotCreateDuplicateItemToReturn) whose product is Returnable
  (OrderReturn.ProductNotEligibleToReturn), for no more than the line's quantity minus what
  other live returns (not Declined or Canceled) already claim (OrderReturn.ItemQuantityExceeded).
  Refund amounts are never negative (OrderReturn.RefundAmountMustNotBeNegative); without a
  RefundAmount in the request it is the sum of the items' refunds (an item's RefundAmount, else
  Quantity × UnitPrice).
- Submit: Unsubmitted -> AwaitingApproval when a seller approval rule of type OrderReturn (owned
  by the order's seller) matches the order, else Open; a return without a refund cannot be
  submitted (OrderReturn.CannotCompleteNoRefund). OrderCloud's code for submitting a return in
  another status is NOT FOUND; the sandbox answers 400 OrderReturn.CannotSubmitBadStatus.
- Approve / decline by a member of a pending approval's group (403
  OrderReturn.NotEligibleToApproveOrDecline), only while AwaitingApproval
  (400 Order.MustBeAwaitingApproval).
- Cancel: not Unsubmitted ones (delete those: OrderReturn.CannotCancelUnsubmitted); a Completed
  return only by an order admin, who alone may delete one too (OrderReturn.NotAuthorizedToDelete).
  Complete: Open -> Completed (OrderReturn.CannotCompleteBadStatus).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..directory import USER_KINDS
from ..errors import bad_request, forbidden, not_found
from ..models import validate
from ..registry import Call, before_delete, before_write, handles
from ..responses import list_of
from ..rules.approval_rules import APPROVED, PENDING, SELLER_RULES, Party, my_party, owner_party
from ..rules.order_access import (
    AWAITING_APPROVAL,
    CANCELED,
    COMPLETED,
    DECLINED,
    OPEN,
    ORDERS,
    UNSUBMITTED,
    find_order,
    is_order_admin,
    lines_of,
    visible,
)
from ..rules.order_status import move, require_status
from ..rules.placing_orders import user_snapshot
from ..rules.pricing import decimal, money
from ..rules.rule_expressions import holds
from ..store import new_id, utc_now

if TYPE_CHECKING:
    from ..state import Marketplace

RETURNS = "/orderreturns"
RETURN_APPROVALS = "/orderreturns/{returnID}/approvals"


def _order_of(call: Call, order_return: dict[str, Any]) -> dict[str, Any]:
    return find_order(call.market, call.identity, order_return.get("OrderID") or "")


def _return(call: Call) -> dict[str, Any]:
    order_return = call.market.store.get(RETURNS, (), call.params["returnID"])
    order = call.market.store.get(ORDERS, (), (order_return or {}).get("OrderID") or "")
    if order_return is None or order is None or not visible(call.identity, order):
        raise not_found("OrderReturn", call.params["returnID"])
    return order_return


def _claimed(market: Marketplace, order_id: str, line_id: str, except_return: str) -> int:
    return sum(
        item.get("Quantity") or 0
        for other in market.store.collection(RETURNS).values()
        if other["OrderID"] == order_id and other["ID"] != except_return and other["Status"] not in (DECLINED, CANCELED)
        for item in other.get("ItemsToReturn") or []
        if item.get("LineItemID") == line_id
    )


def _check_items(market: Marketplace, order: dict[str, Any], order_return: dict[str, Any]) -> Decimal:
    """Refuse bad items; the refund they add up to."""
    seen: set[str] = set()
    refund = Decimal(0)
    for item in order_return.get("ItemsToReturn") or []:
        line_id = item.get("LineItemID") or ""
        if line_id in seen:
            raise bad_request("OrderReturn.CannotCreateDuplicateItemToReturn", "LineItemID must be unique across ItemsToReturn.", {"LineItemID": line_id})
        seen.add(line_id)
        line = lines_of(market, order["ID"]).get(line_id)
        if line is None:
            raise not_found("LineItem", line_id)
        if not (line.get("Product") or {}).get("Returnable"):
            raise bad_request("OrderReturn.ProductNotEligibleToReturn", "Product is not eligible to return.", {"LineItemID": line_id, "ProductID": line["ProductID"]})
        eligible = (line["Quantity"] or 0) - _claimed(market, order["ID"], line_id, order_return["ID"])
        if (item.get("Quantity") or 0) > eligible:
            raise bad_request("OrderReturn.ItemQuantityExceeded", "The quantity requested exceeds the quantity eligible to return.", {"LineItemID": line_id, "QuantityEligible": eligible, "QuantityRequested": item.get("Quantity")})
        if item.get("RefundAmount") is not None and item["RefundAmount"] < 0:
            raise bad_request("OrderReturn.RefundAmountMustNotBeNegative", "RefundAmount must not be negative.", {"LineItemID": line_id})
        refund += decimal(item["RefundAmount"]) if item.get("RefundAmount") is not None else decimal(line["UnitPrice"]) * (item.get("Quantity") or 0)
    return refund


@before_write(RETURNS)
def _check_return(call: Call, order_return: dict[str, Any], previous: dict[str, Any] | None) -> None:
    if previous is not None and order_return.get("OrderID") != previous["OrderID"]:
        raise bad_request("ValidationFailure", "OrderReturn.OrderID cannot change.", {"Property": "OrderID", "Reason": "fixed once created"})
    order = _order_of(call, order_return)
    if previous is None:
        require_status(order, (OPEN, COMPLETED), "OrderReturn.CannotCreateBadOrderStatus", "Cannot create an OrderReturn for an order with this status. Order status must be Open or Complete.")
        order_return.update(Status=UNSUBMITTED, PaymentIDs=[])
    refund = _check_items(call.market, order, order_return)
    body = call.body if isinstance(call.body, dict) else {}
    if body.get("RefundAmount") is None and order_return.get("ItemsToReturn"):
        order_return["RefundAmount"] = money(refund)
    if (order_return.get("RefundAmount") or 0) < 0:
        raise bad_request("OrderReturn.RefundAmountMustNotBeNegative", "RefundAmount must not be negative.", {"RefundAmount": order_return["RefundAmount"]})


@before_delete(RETURNS)
def _check_delete(call: Call, order_return: dict[str, Any]) -> None:
    order = call.market.store.get(ORDERS, (), order_return.get("OrderID") or "")
    if order is not None and not visible(call.identity, order):
        raise not_found("OrderReturn", order_return["ID"])
    if order_return["Status"] == COMPLETED and not is_order_admin(call.identity):
        raise forbidden("OrderReturn.NotAuthorizedToDelete", "Only OrderAdmins are authorized to delete or cancel completed OrderReturns.", {"OrderReturnID": order_return["ID"]})


# -- approvals ------------------------------------------------------------------------------------


def _approvals(market: Marketplace, return_id: str) -> dict[str, dict[str, Any]]:
    return market.store.collection(RETURN_APPROVALS, (return_id,))


def _party(market: Marketplace, order: dict[str, Any]) -> Party:
    return owner_party(market, order["ToCompanyID"])


def _pending(market: Marketplace, order_return: dict[str, Any]) -> list[dict[str, Any]]:
    if order_return["Status"] != AWAITING_APPROVAL:
        return []
    return [row for row in _approvals(market, order_return["ID"]).values() if row["Status"] == PENDING]


def _eligible(call: Call, order: dict[str, Any], order_return: dict[str, Any]) -> list[dict[str, Any]]:
    party = my_party(call.identity)
    if party != _party(call.market, order):
        return []
    groups = call.market.directory.groups_of(party[0], party[1], call.identity.user_id)
    return [row for row in _pending(call.market, order_return) if row["ApprovingGroupID"] in groups]


def _request_approvals(market: Marketplace, order: dict[str, Any], order_return: dict[str, Any]) -> bool:
    approvals = _approvals(market, order_return["ID"])
    schema = market.resources.collection(RETURN_APPROVALS).schema
    for rule in market.store.collection(SELLER_RULES).values():
        if rule.get("ApprovalType") == "OrderReturn" and rule.get("OwnerID") == order["ToCompanyID"] and holds(rule["RuleExpression"], order):
            approvals[new_id()] = {
                **{name: None for name in schema.get("properties", {})},
                "OrderReturnID": order_return["ID"],
                "ApprovalRuleID": rule["ID"],
                "ApprovingGroupID": rule["ApprovingGroupID"],
                "Status": PENDING,
                "DateCreated": utc_now(),
            }
    return bool(_pending(market, {**order_return, "Status": AWAITING_APPROVAL}))


# -- transitions ------------------------------------------------------------------------------------


@handles("OrderReturns.Submit")
def submit(call: Call) -> dict[str, Any]:
    market = call.market
    order_return = _return(call)
    require_status(order_return, (UNSUBMITTED,), "OrderReturn.CannotSubmitBadStatus", "Cannot submit an order return with this status. OrderReturn status must be Unsubmitted.")
    if not order_return.get("RefundAmount"):
        raise bad_request("OrderReturn.CannotCompleteNoRefund", "Cannot submit an order return with no refund amount.", {"OrderReturnID": order_return["ID"]})
    order = _order_of(call, order_return)
    move(order_return, AWAITING_APPROVAL if _request_approvals(market, order, order_return) else OPEN, "DateSubmitted")
    return order_return


def _decidable(call: Call) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    validate(call.op.request_schema or {}, call.body, model="ApprovalInfo")
    order_return = _return(call)
    require_status(order_return, (AWAITING_APPROVAL,), "Order.MustBeAwaitingApproval", "Cannot process order return with given status. Status must be AwaitingApproval.")
    mine = _eligible(call, _order_of(call, order_return), order_return)
    if not mine:
        raise forbidden("OrderReturn.NotEligibleToApproveOrDecline", "You are not eligible to approve or decline this order return.", {"OrderReturnID": order_return["ID"]})
    me = call.identity
    approver = user_snapshot(call.market, me.user_type, None if me.user_type == "admin" else me.company_id, me.user_id)
    for row in mine:
        row.update(Approver=approver, Comments=call.body.get("Comments"), DateCompleted=utc_now())
    return order_return, mine


@handles("OrderReturns.Approve")
def approve(call: Call) -> dict[str, Any]:
    order_return, mine = _decidable(call)
    for row in mine:
        row["Status"] = APPROVED
    if not _pending(call.market, order_return):
        move(order_return, OPEN, "DateApproved")
    return order_return


@handles("OrderReturns.Decline")
def decline(call: Call) -> dict[str, Any]:
    order_return, mine = _decidable(call)
    for row in mine:
        row["Status"] = DECLINED
    move(order_return, DECLINED, "DateDeclined")
    return order_return


@handles("OrderReturns.Cancel")
def cancel(call: Call) -> dict[str, Any]:
    order_return = _return(call)
    if order_return["Status"] == UNSUBMITTED:
        raise bad_request("OrderReturn.CannotCancelUnsubmitted", "Cannot cancel an unsubmitted OrderReturn, please delete instead.", {"OrderReturnID": order_return["ID"]})
    _check_delete(call, order_return)
    move(order_return, CANCELED, "DateCanceled")
    return order_return


@handles("OrderReturns.Complete")
def complete(call: Call) -> dict[str, Any]:
    order_return = _return(call)
    require_status(order_return, (OPEN,), "OrderReturn.CannotCompleteBadStatus", "Cannot complete an order return with this status. OrderReturn status must be Open.")
    move(order_return, COMPLETED, "DateCompleted")
    return order_return


@handles("OrderReturns.DeleteItem")
def delete_item(call: Call) -> dict[str, Any]:
    order_return = _return(call)
    items = [item for item in order_return.get("ItemsToReturn") or [] if item.get("LineItemID") != call.params["lineItemID"]]
    if len(items) == len(order_return.get("ItemsToReturn") or []):
        raise not_found("OrderReturnItem", call.params["lineItemID"])
    order_return["ItemsToReturn"] = items
    order_return["RefundAmount"] = money(_check_items(call.market, _order_of(call, order_return), order_return))
    order_return["LastUpdated"] = utc_now()
    return order_return


# -- reading -------------------------------------------------------------------------------------------


@handles("OrderReturns.Get")
def get(call: Call) -> dict[str, Any]:
    return _return(call)


@handles("OrderReturns.List")
def list_returns(call: Call) -> dict[str, Any]:
    market = call.market
    approvable = (call.query.get("approvable") or "").lower() == "true"
    found = []
    for order_return in market.store.collection(RETURNS).values():
        order = market.store.get(ORDERS, (), order_return.get("OrderID") or "")
        if order is not None and visible(call.identity, order) and (not approvable or _eligible(call, order, order_return)):
            found.append(order_return)
    return list_of(call, found)


@handles("OrderReturns.ListApprovals")
def list_approvals(call: Call) -> dict[str, Any]:
    rows = list(_approvals(call.market, _return(call)["ID"]).values())
    return list_of(call, rows)


@handles("OrderReturns.ListEligibleApprovers")
def list_eligible_approvers(call: Call) -> dict[str, Any]:
    market = call.market
    order_return = _return(call)
    party = _party(market, _order_of(call, order_return))
    collection = market.resources.collection(USER_KINDS[party[0]][0])
    found = {
        user["ID"]: market.resources.present(call, collection, scope, user)
        for row in _pending(market, order_return)
        for scope, user in market.directory.members_of(party[0], party[1], row["ApprovingGroupID"])
    }
    return list_of(call, list(found.values()))
