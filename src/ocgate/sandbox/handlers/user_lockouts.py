"""Unlocking a user account (SDK AdminUsers / Users / SupplierUsers.UnlockUserAccount, 204).

Sources: the SDKs' "Unlock a user account"; BEHAVIOUR.md §1.4 `Auth.LockedOut`; ordercloud.io "One-Time
Passwords": failed attempts "count towards account lockout". The user must exist in the company the
path names (404 NotFound User; another company's user is 404 at the front door, rules/company_scope).
Unlocking forgets the user's failed logins and lock (`store.side["lockouts"]`). choice (README): the
sandbox never locks an account itself — OrderCloud documents no threshold, and locking would let the
harness's own wrong-password probes lock its personas — so until something records a lock, an unlock
only checks that the user exists.
"""

from __future__ import annotations

from ..directory import USER_KINDS
from ..errors import not_found
from ..registry import Call, handles

LOCKOUTS = "lockouts"  # store.side: (user type, company, user ID) -> failed logins / lock


@handles("AdminUsers.UnlockUserAccount", "Users.UnlockUserAccount", "SupplierUsers.UnlockUserAccount")
def unlock(call: Call) -> None:
    user_type = {"AdminUsers": "admin", "Users": "buyer", "SupplierUsers": "supplier"}[call.op.resource]
    company = None if user_type == "admin" else call.params["buyerID" if user_type == "buyer" else "supplierID"]
    resources = call.market.resources
    users = resources.collection(USER_KINDS[user_type][0])
    resources.require_parents(users, call.params)
    if call.market.directory.user_object(user_type, company, call.params["userID"]) is None:
        raise not_found("User", call.params["userID"])
    call.market.store.side.get(LOCKOUTS, {}).pop((user_type, company, call.params["userID"]), None)
