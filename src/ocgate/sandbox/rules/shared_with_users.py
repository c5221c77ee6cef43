"""What of its company a buyer user sees: objects assigned to the user, one of its groups, or its whole buyer.

Buyer objects (addresses, credit cards, cost centers, spending accounts) and promotions reach a
buyer user through assignments: an assignment naming the user, one of the user's groups, or
(naming neither) the whole buyer shares the object with the user. Anything not shared with the
caller is 404 NotFound under /me, exactly as if it did not exist. The same reading of an
assignment (a buyer-level row, or one for one of the user's groups) decides which category
assignments apply to a buyer user (catalog_visibility).

Declared at the end of this module, for the generic operations under /me: the cost centers and
spending accounts shared with the caller, the user groups it is a member of, and the promotions
open to all buyers or assigned to its buyer or one of its groups. The editable kinds (addresses,
credit cards) build on `SharedWithUsers` in handlers/me_addresses_and_cards.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import not_found
from ..registry import Call, callers_buyer, guard, perspective, the_marketplace


def applies_to(row: dict[str, Any], buyer_id: str, groups: Iterable[str]) -> bool:
    """A buyer-level row (no user group) of this buyer, or a row for one of the user's groups."""
    if row.get("BuyerID") != buyer_id:
        return False
    return not row.get("UserGroupID") or row["UserGroupID"] in groups


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
        groups = market.directory.groups_of("buyer", me.company_id, me.user_id)
        shared: dict[str, list[dict[str, Any]]] = {}
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

    def shared_with_caller(self, call: Call, obj: dict[str, Any]) -> bool:
        """The guard of the /me collections: worked out once per request, for every object of a list."""
        return obj["ID"] in call.once(f"shared through {self.assignments}", lambda: self.shares(call))

    def seen_at(self, *templates: str) -> None:
        """Declare the /me collections that show the caller the objects shared with it."""
        perspective(*templates, stored_at=self.objects, scope=callers_buyer)
        guard(*templates, can_see=self.shared_with_caller)


COST_CENTERS = SharedWithUsers("/buyers/{buyerID}/costcenters", "/buyers/{buyerID}/costcenters/assignments", "CostCenterID", "CostCenter")
SPENDING_ACCOUNTS = SharedWithUsers(
    "/buyers/{buyerID}/spendingaccounts", "/buyers/{buyerID}/spendingaccounts/assignments", "SpendingAccountID", "SpendingAccount"
)


# -- what the caller sees under /me ----------------------------------------------------------------

COST_CENTERS.seen_at("/me/costcenters")
SPENDING_ACCOUNTS.seen_at("/me/spendingAccounts", "/me/spendingaccounts")


def _member_of(call: Call, group: dict[str, Any]) -> bool:
    me = call.identity
    return group["ID"] in call.once("my groups", lambda: call.market.directory.groups_of("buyer", me.company_id, me.user_id))


perspective("/me/usergroups", stored_at="/buyers/{buyerID}/usergroups", scope=callers_buyer)
guard("/me/usergroups", can_see=_member_of)


def _offered_to_caller(call: Call, promotion: dict[str, Any]) -> bool:
    """Promotions open to all buyers, or assigned to the caller's buyer or one of the caller's groups."""
    return bool(promotion.get("AllowAllBuyers")) or promotion["ID"] in call.once("promotions assigned to me", lambda: _assigned_promotions(call))


def _assigned_promotions(call: Call) -> set[str]:
    me = call.identity
    groups = call.market.directory.groups_of("buyer", me.company_id, me.user_id)
    return {row["PromotionID"] for row in call.market.store.view("/promotions/assignments").values() if applies_to(row, me.company_id, groups)}


perspective("/me/promotions", stored_at="/promotions", scope=the_marketplace)
guard("/me/promotions", can_see=_offered_to_caller)
