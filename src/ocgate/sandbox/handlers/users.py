"""Users: keeping their logins in step with the user objects, their roles as shown, the MeUser, token revocation.

Who is who (credentials, groups, roles, the password policy) is the directory's (directory.py);
the hooks here keep its logins in step with the admin, buyer and supplier user collections.
"""

from __future__ import annotations

from typing import Any

from ..directory import USER_KINDS, check_password, hash_password, refuse_anonymous
from ..errors import bad_request, not_found
from ..models import materialize, stamp, validate
from ..registry import Call, before_delete, before_write, handles, presents
from ..store import utc_now


def _company(call: Call, user_type: str) -> str | None:
    if user_type == "admin":
        return None
    return call.params.get("buyerID" if user_type == "buyer" else "supplierID")


def _keep_credentials(user_type: str):
    def hook(call: Call, user: dict[str, Any], previous: dict[str, Any] | None) -> None:
        company = _company(call, user_type)
        user["CompanyID"] = company or call.market.seller_id
        credentials = call.market.directory.credentials
        username = user.get("Username")
        if not username:
            raise bad_request("ValidationFailure", "User.Username is required.", {"Property": "Username"})
        owner = credentials.get(username.lower())
        if owner is not None and (owner["type"], owner["company"], owner["id"]) != (user_type, company, (previous or user)["ID"]):
            raise bad_request("User.UsernameMustBeUnique", "Username already exists in this Marketplace.", {"Username": username})
        password = (call.body or {}).get("Password")
        if password is not None:
            check_password(password)
            user["PasswordLastSetDate"] = utc_now()
        stored = credentials.pop(previous["Username"].lower(), None) if previous and previous.get("Username") else None
        credentials[username.lower()] = {
            "type": user_type,
            "company": company,
            "id": user["ID"],
            "username": username,
            "hash": hash_password(password) if password is not None else (stored or {}).get("hash", "!"),
        }

    return hook


def _forget_credentials(call: Call, user: dict[str, Any]) -> None:
    """A deleted user can no longer log in, and the tokens it holds stop working."""
    credential = call.market.directory.credentials.pop((user.get("Username") or "").lower(), None)
    if credential is not None:
        call.market.tokens.revoke_user(credential["type"], credential["company"], credential["id"])


def _with_roles(user_type: str):
    def present(call: Call, user: dict[str, Any], scope: tuple[str, ...]) -> dict[str, Any]:
        roles, _ = call.market.directory.roles_of(user_type, scope[0] if scope else None, user["ID"])
        return {**user, "AvailableRoles": sorted(roles)}

    return present


for _user_type, (_template, *_rest) in USER_KINDS.items():
    before_write(_template)(_keep_credentials(_user_type))
    before_delete(_template)(_forget_credentials)
    presents(_template)(_with_roles(_user_type))


# -- the current user -------------------------------------------------------------------


def me_user(call: Call) -> dict[str, Any]:
    """The MeUser: the user object plus Buyer / Supplier / Seller and AvailableRoles."""
    me = call.identity
    user = call.market.directory.user_object(me.user_type, None if me.user_type == "admin" else me.company_id, me.user_id)
    if user is None:
        raise not_found("User", me.user_id)
    roles, _ = call.market.directory.roles_of(me.user_type, None if me.user_type == "admin" else me.company_id, me.user_id)
    buyer = call.market.store.get("/buyers", (), me.company_id) if me.user_type == "buyer" else None
    return {
        **user,
        "AvailableRoles": sorted(roles),
        "Buyer": {"ID": buyer["ID"], "DefaultCatalogID": buyer.get("DefaultCatalogID")} if buyer else None,
        "Supplier": {"ID": me.company_id} if me.user_type == "supplier" else None,
        "Seller": {"ID": call.market.seller_id} if me.user_type == "admin" else None,
    }


@handles("Me.Get")
def get_me(call: Call) -> dict[str, Any]:
    return me_user(call)


@handles("Me.Save", "Me.Patch")
def update_me(call: Call) -> dict[str, Any]:
    me = call.identity
    refuse_anonymous(me)
    template = USER_KINDS[me.user_type][0]
    collection = call.market.resources.collection(template)
    scope = me.scope
    validate(call.op.request_schema or {}, call.body, model="MeUser", partial=call.op.method == "PATCH")
    changes = {key: value for key, value in call.body.items() if key not in ("Buyer", "Supplier", "Seller", "ID")}
    internal = Call(call.op, {"buyerID": me.company_id, "supplierID": me.company_id}, call.query, changes, me, call.market)
    if call.op.method == "PUT":
        previous = call.market.resources.require(collection, scope, me.user_id)
        obj = stamp(materialize(collection.schema, {**changes, "ID": me.user_id}, previous), created=False)
        call.market.resources.write(internal, collection, scope, obj, previous)
    else:
        call.market.resources.patch(internal, collection, scope, me.user_id, changes)
    return me_user(call)


# -- token revocation ---------------------------------------------------------------------


@handles("Me.RevokeTokens")
def revoke_my_tokens(call: Call) -> None:
    me = call.identity
    call.market.tokens.revoke_user(me.user_type, None if me.user_type == "admin" else me.company_id, me.user_id)


@handles("AdminUsers.RevokeUserTokens", "Users.RevokeUserTokens", "SupplierUsers.RevokeUserTokens")
def revoke_user_tokens(call: Call) -> None:
    user_type = {"AdminUsers": "admin", "Users": "buyer", "SupplierUsers": "supplier"}[call.op.resource]
    company = _company(call, user_type)
    if call.market.directory.user_object(user_type, company, call.params["userID"]) is None:
        raise not_found("User", call.params["userID"])
    call.market.tokens.revoke_user(user_type, company, call.params["userID"])
