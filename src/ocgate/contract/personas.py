"""Who calls each operation: a persona holding one of the operation's sufficient roles.

The seller admin (FullAccess) calls marketplace operations; a seeded buyer shopper calls
the Shopper and /me operations. A few operations need someone more specific, named in
ACTING below. Tokens come from the target's token endpoint through `ocgate.api.tokens.TokenService`
(cached per persona, renewed near expiry, and after a 401).
"""

from __future__ import annotations

from ..spec import Operation

SELLER = "seller_admin"
SHOPPER = "buyer_shopper"
#: The order approver of the first seeded buyer.
APPROVER = "contract_approver"
#: A buyer user of the contract run's own, for the calls that change or lock out the caller itself.
ME_WRITER = "contract_me_writer"
#: A buyer user whose token holds no roles at all: every role-protected operation must refuse it.
ROLELESS = "contract_roleless"

#: Operations that need a particular persona (business semantics, BEHAVIOUR.md §4 and §6).
ACTING: dict[str, str] = {
    # Only members of the approving group may approve or decline (Order.NotEligibleToApprove).
    "Orders.Approve": APPROVER,
    "Orders.Decline": APPROVER,
    "Orders.ListEligibleApprovers": APPROVER,
    # These change the caller's own user, password or tokens: the shopper persona must survive.
    "Me.Save": ME_WRITER,
    "Me.Patch": ME_WRITER,
    "Me.ResetPasswordByToken": ME_WRITER,
    "Me.RevokeTokens": ME_WRITER,
}

#: Persona -> the order direction its orders have from its own perspective.
BUYER_PERSONAS = {SHOPPER, APPROVER, ME_WRITER, ROLELESS}


def persona_for(op: Operation) -> str:
    """The persona that calls `op` in the contract run."""
    if op.operation_id in ACTING:
        return ACTING[op.operation_id]
    if op.path == "/me" or op.path.startswith("/me/") or "Shopper" in op.roles:
        return SHOPPER
    return SELLER


def direction_for(persona: str) -> str:
    """Buyer users see their own orders as Outgoing; the seller sees them as Incoming."""
    return "Outgoing" if persona in BUYER_PERSONAS else "Incoming"
