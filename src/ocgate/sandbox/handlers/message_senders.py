"""Message senders: CC listener assignments hang off a message sender.

`POST /messagesenders/CCListenerAssignments` names the sender inside its
MessageSenderAssignment; there is no operation that deletes a CC listener
assignment, so it goes when its message sender is deleted (as assignments that
name a deleted object do everywhere else).
"""

from __future__ import annotations

from typing import Any

from ..errors import bad_request, not_found
from ..registry import Call, before_delete, before_write

SENDERS = "/messagesenders"
CC_LISTENERS = "/messagesenders/CCListenerAssignments"


def _sender_of(assignment: dict[str, Any]) -> Any:
    nested = assignment.get("MessageSenderAssignment")
    return nested.get("MessageSenderID") if isinstance(nested, dict) else None


@before_write(CC_LISTENERS)
def _listens_to_an_existing_sender(call: Call, assignment: dict[str, Any], previous: dict[str, Any] | None) -> None:
    sender_id = _sender_of(assignment)
    if not sender_id:
        field = "MessageSenderAssignment.MessageSenderID"
        raise bad_request("ValidationFailure", f"MessageCCListenerAssignment.{field} is required.", {"Property": field, "Reason": "required"})
    if call.market.store.get(SENDERS, (), sender_id) is None:
        raise not_found("MessageSender", sender_id)


@before_delete(SENDERS)
def _cc_listeners_go_with_their_sender(call: Call, sender: dict[str, Any]) -> None:
    listeners = call.market.store.collection(CC_LISTENERS, ())
    for key in [key for key, row in listeners.items() if _sender_of(row) == sender["ID"]]:
        del listeners[key]
