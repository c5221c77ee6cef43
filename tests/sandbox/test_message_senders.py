"""Message senders and the CC listener assignments that hang off them."""

from __future__ import annotations

import httpx
import pytest
from _sandbox_api import created, error_of

CC_LISTENERS = "/messagesenders/CCListenerAssignments"


@pytest.fixture
def sender(admin: httpx.Client) -> str:
    body = {"Name": "Webhook mailer", "MessageTypes": ["OrderApproved"], "URL": "https://example.com/messages", "SharedKey": "shared-secret"}
    return created(admin.post("/messagesenders", json=body))["ID"]


def listeners_of(admin: httpx.Client, sender_id: str) -> list[dict]:
    items = admin.get(CC_LISTENERS, params={"pageSize": 100}).json()["Items"]
    return [item for item in items if item["MessageSenderAssignment"]["MessageSenderID"] == sender_id]


def test_a_cc_listener_assignment_names_an_existing_sender(admin: httpx.Client, sender: str) -> None:
    body = {"MessageType": "OrderApproved", "MessageSenderAssignment": {"MessageSenderID": sender}}
    assert admin.post(CC_LISTENERS, json=body).status_code == 204
    assert len(listeners_of(admin, sender)) == 1
    missing = admin.post(CC_LISTENERS, json={**body, "MessageSenderAssignment": {"MessageSenderID": "no-such-sender"}})
    assert missing.status_code == 404 and error_of(missing)["Data"] == {"ObjectType": "MessageSender", "ObjectID": "no-such-sender"}
    unnamed = admin.post(CC_LISTENERS, json={**body, "MessageSenderAssignment": {"SupplierID": ""}})
    assert unnamed.status_code == 400 and error_of(unnamed)["ErrorCode"] == "ValidationFailure"


def test_cc_listener_assignments_go_with_their_sender(admin: httpx.Client, sender: str) -> None:
    assert admin.post(CC_LISTENERS, json={"MessageType": "OrderApproved", "MessageSenderAssignment": {"MessageSenderID": sender}}).status_code == 204
    assert admin.delete(f"/messagesenders/{sender}").status_code == 204
    assert listeners_of(admin, sender) == []


def test_a_sender_assignment_with_an_empty_sender_id_is_refused(admin: httpx.Client) -> None:
    response = admin.post("/messagesenders/assignments", json={"MessageSenderID": ""})
    assert response.status_code == 400
    assert error_of(response)["Data"]["Property"] == "MessageSenderID"
