"""Operations under /v1 that hand out tokens, or the key that verifies them.

Impersonation (BEHAVIOUR.md §1.2; ordercloud.io "Impersonating Users"): an
ImpersonationConfig is the contract of who may impersonate whom through which
API client. Its ImpersonationBuyerID / ImpersonationGroupID /
ImpersonationUserID name the impersonating party (no ImpersonationBuyerID: a
seller user), its BuyerID / GroupID / UserID the impersonated one; an unset
field matches anyone. The token acts as the impersonated user with the roles
of the config's security profile that the request asks for (Roles is required).
"""

from __future__ import annotations

from typing import Any

from ..directory import Identity
from ..errors import ApiError, bad_request, not_found
from ..models import validate
from ..registry import Call, handles

IMPERSONATION_CONFIGS = "/impersonationconfig"


@handles("Certs.GetPublicKey")
def public_key(call: Call) -> dict[str, Any]:
    jwk = call.market.tokens.public_jwk()
    if call.params["ID"] != jwk["kid"]:
        raise not_found("PublicKey", call.params["ID"])
    return jwk


@handles("Users.GetAccessToken")
def impersonation_token(call: Call) -> dict[str, Any]:
    validate(call.op.request_schema or {}, call.body, model="ImpersonateTokenRequest")
    market, buyer_id, user_id = call.market, call.params["buyerID"], call.params["userID"]
    users = market.resources.collection("/buyers/{buyerID}/users")
    market.resources.require_parents(users, call.params)
    target = market.resources.require(users, (buyer_id,), user_id)
    client_id = call.body.get("ClientID")
    client = market.directory.api_client(client_id)
    if client is None or not client.get("Active"):
        raise bad_request("Impersonation.ClientIDNotFound", "Client ID not found or you do not have access to it.", {"ClientID": client_id})
    config = _applicable_config(call, client["ID"], buyer_id, user_id)
    profile = market.store.get("/securityprofiles", (), config.get("SecurityProfileID") or "") or {}
    roles = set(profile.get("Roles") or []) & set(call.body.get("Roles") or [])
    custom = set(profile.get("CustomRoles") or []) & set(call.body.get("CustomRoles") or [])
    if not roles:
        raise _config_error(buyer_id, client["ID"])
    credential = market.directory.credentials[target["Username"].lower()]
    token = market.tokens.issue(client, credential, roles, custom, claims={"imp": call.identity.user_id})
    return {**token, "refresh_token": None}


def _applicable_config(call: Call, client_id: str, buyer_id: str, user_id: str) -> dict[str, Any]:
    market, me = call.market, call.identity
    target_groups = market.directory.groups_of("buyer", buyer_id, user_id)
    my_groups = market.directory.groups_of(me.user_type, None if me.user_type == "admin" else me.company_id, me.user_id)
    for config in market.store.collection(IMPERSONATION_CONFIGS).values():
        impersonated = (
            _matches(config.get("BuyerID"), {buyer_id})
            and _matches(config.get("GroupID"), target_groups)
            and _matches(config.get("UserID"), {user_id})
        )
        if config.get("ClientID") == client_id and impersonated and _may_impersonate(config, me, my_groups, buyer_id):
            return config
    raise _config_error(buyer_id, client_id)


def _may_impersonate(config: dict[str, Any], me: Identity, my_groups: set[str], buyer_id: str) -> bool:
    """Seller users impersonate any buyer's users; buyer users only users of their own buyer."""
    if me.user_type == "buyer":
        company_ok = me.company_id == buyer_id and config.get("ImpersonationBuyerID") == me.company_id
    else:
        company_ok = me.user_type == "admin" and not config.get("ImpersonationBuyerID")
    return company_ok and _matches(config.get("ImpersonationGroupID"), my_groups) and _matches(config.get("ImpersonationUserID"), {me.user_id})


def _matches(configured: str | None, actual: set[str]) -> bool:
    return not configured or configured in actual


def _config_error(buyer_id: str, client_id: str) -> ApiError:
    # Status not documented; 400 like the other configuration errors of a request.
    return bad_request(
        "Impersonation.ConfigError",
        "No Impersonation Config exists for the requested Buyer ID and API client ID or there are no roles assigned to the SecurityProfile.",
        {"BuyerID": buyer_id, "ClientID": client_id},
    )
