"""/me/addresses and /me/creditcards: the buyer's addresses and cards shared with the caller, and private ones.

A buyer user sees the buyer's addresses (cards) assigned to the user, to one of the user's groups,
or to the whole buyer. One created through /me is stored as a buyer address (card) with a
user-level assignment to its creator ("considered private, and only accessible to the user who
created them"); for addresses the assignment carries IsShipping / IsBilling from the body's
Shipping / Billing, and one of them must be true (400 BuyerAddress.MustBeBillingOrShipping).

BuyerAddress.Shipping / Billing say whether any assignment sharing the address with the caller
allows that use; Editable is true for the addresses (cards) assigned to the caller personally.
Only those can be replaced, patched or deleted here: a shared one answers 403
CreditCard.CannotEditPublic ("registered as public and cannot be edited by this endpoint"), and
Address.CannotEditPublic, modelled on it, for addresses; one not shared with the caller is 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .. import models
from ..errors import bad_request, forbidden
from ..registry import Call, handles
from ..responses import response_model, shaped, shaped_page
from ..rules.shared_with_users import SharedWithUsers


@dataclass(frozen=True)
class Personal:
    """A kind of buyer object a user may also create and keep for themselves through /me."""

    shared: SharedWithUsers
    save_assignment: str  # operationId storing the user-level assignment
    cannot_edit: str  # ErrorCode for a shared (not personal) object
    flags: dict[str, str] = field(default_factory=dict)  # /me field -> assignment field, e.g. Shipping -> IsShipping

    def as_seen(self, call: Call, obj: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
        """The object as the caller sees it: its flags and Editable derived from the sharing assignments."""
        seen = dict(self.shared.present(call, obj))
        for name, assignment_field in self.flags.items():
            seen[name] = any(row.get(assignment_field) for row in rows)
        seen["Editable"] = any(row.get("UserID") == call.identity.user_id for row in rows)
        return seen

    def require_personal(self, call: Call, object_id: str) -> tuple[dict[str, Any], dict[str, bool]]:
        """An object assigned to the caller personally, and the flags of that assignment; 403 / 404 otherwise."""
        obj, rows = self.shared.require(call, object_id)
        mine = [row for row in rows if row.get("UserID") == call.identity.user_id]
        if not mine:
            raise forbidden(self.cannot_edit, f"This {self.shared.object_type} is shared with you and cannot be edited through /me.", {"ID": object_id})
        return obj, {name: bool(mine[0].get(assignment_field)) for name, assignment_field in self.flags.items()}

    def split(self, body: dict[str, Any], current: dict[str, bool]) -> tuple[dict[str, Any], dict[str, bool]]:
        """A /me body -> (the object's own fields, the assignment flags); flags absent from the body keep `current`."""
        fields = {name: value for name, value in body.items() if name not in self.flags and name not in ("ID", "Editable")}
        flags = {name: bool(body[name]) if name in body else current.get(name, False) for name in self.flags}
        if self.flags and not any(flags.values()):
            raise bad_request("BuyerAddress.MustBeBillingOrShipping", "Address must be defined as either a billing or a shipping address.", flags)
        return fields, flags

    def assign_to_me(self, call: Call, object_id: str, flags: dict[str, bool]) -> None:
        body = {self.shared.id_field: object_id, "UserID": call.identity.user_id}
        body.update({self.flags[name]: value for name, value in flags.items()})
        call.market.invoke(self.save_assignment, _buyer(call), body)

    def answer(self, call: Call, object_id: str) -> dict[str, Any]:
        obj, rows = self.shared.require(call, object_id)
        return shaped(response_model(call), self.as_seen(call, obj, rows))


ADDRESSES = Personal(
    SharedWithUsers("/buyers/{buyerID}/addresses", "/buyers/{buyerID}/addresses/assignments", "AddressID", "Address"),
    save_assignment="Addresses.SaveAssignment",
    cannot_edit="Address.CannotEditPublic",
    flags={"Shipping": "IsShipping", "Billing": "IsBilling"},
)
CREDIT_CARDS = Personal(
    SharedWithUsers("/buyers/{buyerID}/creditcards", "/buyers/{buyerID}/creditcards/assignments", "CreditCardID", "CreditCard"),
    save_assignment="CreditCards.SaveAssignment",
    cannot_edit="CreditCard.CannotEditPublic",
)
KINDS = {"Address": (ADDRESSES, "addressID"), "CreditCard": (CREDIT_CARDS, "creditcardID")}


def _kind(call: Call) -> tuple[Personal, str]:
    """Which kind an operation (Me.ListAddresses, Me.PatchCreditCard, ...) is about, and its path parameter."""
    return KINDS["CreditCard" if call.op.verb.endswith(("CreditCard", "CreditCards")) else "Address"]


def _buyer(call: Call) -> dict[str, str]:
    """Path parameters of the caller's buyer collections."""
    return {"buyerID": call.identity.company_id}


@handles("Me.ListAddresses", "Me.ListCreditCards")
def list_mine(call: Call) -> dict[str, Any]:
    kind, _ = _kind(call)
    return shaped_page(call, [kind.as_seen(call, obj, rows) for obj, rows in kind.shared.visible(call)])


@handles("Me.GetAddress", "Me.GetCreditCard")
def get_mine(call: Call) -> dict[str, Any]:
    kind, param = _kind(call)
    return kind.answer(call, call.params[param])


@handles("Me.CreateAddress", "Me.CreateCreditCard")
def create_mine(call: Call) -> dict[str, Any]:
    kind, _ = _kind(call)
    models.validate(call.op.request_schema or {}, call.body, model=kind.shared.object_type)
    fields, flags = kind.split(call.body, {})
    resources = call.market.resources
    obj = resources.create(call, resources.collection(kind.shared.objects), _buyer(call), fields)
    kind.assign_to_me(call, obj["ID"], flags)
    return kind.answer(call, obj["ID"])


@handles("Me.SaveAddress", "Me.SaveCreditCard")
def replace_mine(call: Call) -> dict[str, Any]:
    kind, param = _kind(call)
    object_id = call.params[param]
    models.validate(call.op.request_schema or {}, call.body, model=kind.shared.object_type)
    resources = call.market.resources
    kind.require_personal(call, object_id)
    fields, flags = kind.split(call.body, {})
    resources.save(call, resources.collection(kind.shared.objects), _buyer(call), object_id, fields)
    kind.assign_to_me(call, object_id, flags)
    return kind.answer(call, object_id)


@handles("Me.PatchAddress", "Me.PatchCreditCard")
def patch_mine(call: Call) -> None:
    kind, param = _kind(call)
    object_id = call.params[param]
    models.validate(call.op.request_schema or {}, call.body, model=kind.shared.object_type, partial=True)
    resources = call.market.resources
    _, current = kind.require_personal(call, object_id)
    fields, flags = kind.split(call.body, current)
    resources.patch(call, resources.collection(kind.shared.objects), (call.identity.company_id,), object_id, fields)
    kind.assign_to_me(call, object_id, flags)


@handles("Me.DeleteAddress", "Me.DeleteCreditCard")
def delete_mine(call: Call) -> None:
    kind, param = _kind(call)
    resources = call.market.resources
    obj, _ = kind.require_personal(call, call.params[param])
    resources.remove(call, resources.collection(kind.shared.objects), (call.identity.company_id,), obj)
