"""Every operation of the overlaid spec answers per the spec (Schemathesis, positive data).

The examples and coverage phases send valid requests to each of the spec's
operations with a FullAccess token. Whatever the sandbox answers must be a
documented status code with a body that matches its (overlaid) schema and
content type, and never a server error. Random path parameters mostly name
objects that do not exist, so 404 NotFound is a common, documented answer.

The schema is built at import, one test per operation; the sandbox's address
is only known once its fixture runs, so each call gets the base URL and token.
(schemathesis.pytest.from_fixture would build it later, but its lazy loader
sets `request.node._nodeid`, which pytest 9.2 no longer has.)
"""

from __future__ import annotations

import copy

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ocgate.config import load_settings
from ocgate.sandbox.registry import HANDLERS, PERSPECTIVES, handles
from ocgate.sandbox.server import EmbeddedSandbox
from ocgate.spec import load_spec

WRITES = ("create", "save", "assignment.save", "link.put")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Examples and coverage phases only: both send a finite, deterministic set of cases per operation
#: (the schema's examples; boundary values of each parameter and property), about 2 minutes in all.
CONFIG = {
    "seed": 2026,
    "generation": {"mode": "positive", "deterministic": True},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": False},
        "stateful": {"enabled": False},
    },
}


def overlaid_document() -> dict:
    """The document the sandbox serves, with its server pointed at /v1 (the sandbox's host is given per call)."""
    document = copy.deepcopy(load_spec(load_settings().spec_location).document)
    document["servers"] = [{"url": "/v1"}]
    return document


schema = schemathesis.openapi.from_dict(overlaid_document(), config=schemathesis.Config.from_dict(CONFIG))


@schema.parametrize()
def test_operation_answers_per_spec(case: schemathesis.Case, sandbox: EmbeddedSandbox, admin_token: str) -> None:
    case.call_and_validate(base_url=f"{sandbox.base_url}/v1", headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)


# -- coverage of the spec by the sandbox's code -------------------------------------------------------------

#: Collections that no generic write fills, with the hand-written operation that does.
WRITTEN_BY_HANDLERS = {
    "/xpindices": "XpIndices.Put",
    "/orders/{orderID}/approvals": "Orders.Submit",
    "/orders/{orderID}/promotions": "Orders.AddPromotion",
}


def stored_at(template: str) -> str:
    """Where a collection's objects are stored: a declared perspective (/me/...) reads and writes elsewhere."""
    perspective = PERSPECTIVES.get(template)
    return perspective.stored_at if perspective else template


def test_every_operation_has_a_handler_or_a_generic_binding(sandbox: EmbeddedSandbox) -> None:
    market = sandbox.market
    assert market is not None
    missing = [op.operation_id for op in market.spec.operations if op.operation_id not in HANDLERS and op.operation_id not in market.resources.bindings]
    assert missing == []


def test_every_generic_read_reads_a_collection_that_something_writes(sandbox: EmbeddedSandbox) -> None:
    """A generic list or get over a collection nothing ever writes would always be empty or 404."""
    market = sandbox.market
    assert market is not None
    bindings = market.resources.bindings
    written = {stored_at(binding.collection.template) for binding in bindings.values() if binding.kind in WRITES} | set(WRITTEN_BY_HANDLERS)
    orphans = [
        op_id
        for op_id, binding in bindings.items()
        if op_id not in HANDLERS and binding.kind in ("list", "get", "patch", "delete") and stored_at(binding.collection.template) not in written
    ]
    assert orphans == []
    assert all(op_id in HANDLERS for op_id in WRITTEN_BY_HANDLERS.values())


def test_a_second_handler_for_an_operation_is_refused() -> None:
    with pytest.raises(RuntimeError, match="two handlers for Me.Get"):
        handles("Me.Get")(lambda call: None)
