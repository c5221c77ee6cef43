"""What a buyer user sees of its company: /me/usergroups, cost centers, spending accounts, promotions.

Buyer objects reach a user through assignments: to the user, to one of the user's groups, or (an
assignment naming neither) to the whole buyer. `SharedWithUsers` describes one such kind of object;
the editable kinds (addresses, credit cards) build on it in me_addresses_and_cards.py. Anything not
shared with the caller is 404 NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import not_found
from ..registry import Call, handles
from .responses import list_of
from .visibility import applies_to


@dataclass(frozen=True)
class SharedWithUsers:
    """A kind of buyer object that its users see through assignments."""

    objects: str  # storage template, e.g. /buyers/{buyerID}/spendingaccounts
    assignments: str  # storage template of its assignments
    id_field: str  # the assignment field naming the object, e.g. SpendingAccountID
    object_type: str  # for NotFound errors

    def shares(self, call: Call) -> dict[str, list[dict[str, Any]]]:
        """Object ID -> the assignments that share it with the caller."""
        me, market = call.identity, call.market
        groups = market.groups_of("buyer", me.company_id, me.user_id)
        shared: dict[str, list[dict[str, Any]]] = {}
        with market.store.lock:
            for row in market.store.collection(self.assignments, (me.company_id,)).values():
                user, group = row.get("UserID"), row.get("UserGroupID")
                if user == me.user_id if user else (not group or group in groups):
                    shared.setdefault(row[self.id_field], []).append(row)
        return shared

    def visible(self, call: Call) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """(object, the assignments sharing it) for every object the caller sees."""
        objects = call.market.store.collection(self.objects, (call.identity.company_id,))
        return [(objects[object_id], rows) for object_id, rows in self.shares(call).items() if object_id in objects]

    def require(self, call: Call, object_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """One visible object and its sharing assignments, or 404."""
        rows = self.shares(call).get(object_id)
        obj = call.market.store.get(self.objects, (call.identity.company_id,), object_id)
        if obj is None or not rows:
            raise not_found(self.object_type, object_id)
        return obj, rows

    def present(self, call: Call, obj: dict[str, Any]) -> dict[str, Any]:
        resources = call.market.resources
        return resources.present(call, resources.collection(self.objects), (call.identity.company_id,), obj)


COST_CENTERS = SharedWithUsers("/buyers/{buyerID}/costcenters", "/buyers/{buyerID}/costcenters/assignments", "CostCenterID", "CostCenter")
SPENDING_ACCOUNTS = SharedWithUsers(
    "/buyers/{buyerID}/spendingaccounts", "/buyers/{buyerID}/spendingaccounts/assignments", "SpendingAccountID", "SpendingAccount"
)


@handles("Me.ListCostCenters")
def list_my_cost_centers(call: Call) -> dict[str, Any]:
    return list_of(call, [COST_CENTERS.present(call, obj) for obj, _ in COST_CENTERS.visible(call)])


@handles("Me.ListSpendingAccounts")
def list_my_spending_accounts(call: Call) -> dict[str, Any]:
    return list_of(call, [SPENDING_ACCOUNTS.present(call, obj) for obj, _ in SPENDING_ACCOUNTS.visible(call)])


@handles("Me.GetSpendingAccount")
def get_my_spending_account(call: Call) -> dict[str, Any]:
    obj, _ = SPENDING_ACCOUNTS.require(call, call.params["spendingAccountID"])
    return SPENDING_ACCOUNTS.present(call, obj)


# -- user groups ----------------------------------------------------------------------------------


@handles("Me.ListUserGroups")
def list_my_user_groups(call: Call) -> dict[str, Any]:
    """The buyer's user groups the caller is a member of."""
    me, resources = call.identity, call.market.resources
    groups = resources.collection("/buyers/{buyerID}/usergroups")
    stored = call.market.store.collection(groups.template, (me.company_id,))
    member_of = sorted(call.market.groups_of("buyer", me.company_id, me.user_id))
    return list_of(call, [resources.present(call, groups, (me.company_id,), stored[g]) for g in member_of if g in stored])


# -- promotions -------------------------------------------------------------------------------------


def _my_promotions(call: Call) -> list[dict[str, Any]]:
    """Promotions open to all buyers, or assigned to the caller's buyer or one of the caller's groups."""
    me, store = call.identity, call.market.store
    groups = call.market.groups_of("buyer", me.company_id, me.user_id)
    promotions = call.market.resources.collection("/promotions")
    with store.lock:
        assigned = {row["PromotionID"] for row in store.collection("/promotions/assignments").values() if applies_to(row, me.company_id, groups)}
        shown = [p for p in store.collection(promotions.template).values() if p.get("AllowAllBuyers") or p["ID"] in assigned]
    return [call.market.resources.present(call, promotions, (), promotion) for promotion in shown]


@handles("Me.ListPromotions")
def list_my_promotions(call: Call) -> dict[str, Any]:
    return list_of(call, _my_promotions(call))


@handles("Me.GetPromotion")
def get_my_promotion(call: Call) -> dict[str, Any]:
    for promotion in _my_promotions(call):
        if promotion["ID"] == call.params["promotionID"]:
            return promotion
    raise not_found("Promotion", call.params["promotionID"])
