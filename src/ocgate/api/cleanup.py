"""Removing what an earlier run left behind, by its run ID prefix.

Every object a run creates carries the run's ID prefix; when a run was killed
before its own cleanup, `ocgate clean --run-id X` finds the leftovers through
the public API — every top-level collection of the spec that can be listed
and deleted, filtered with `ID=X*` — and deletes them. Nested objects go with
their parent (deleting a buyer deletes its users, addresses, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..spec import Spec
from .client import OrderCloudClient

_TOP_LEVEL_ITEM = re.compile(r"^/(\w+)/\{\w+\}$")


@dataclass(frozen=True)
class Sweepable:
    list_path: str
    roles: tuple[str, ...]


def sweepable_collections(spec: Spec) -> list[Sweepable]:
    """Top-level collections with both a list and a delete operation, in spec order."""
    deletable = {match.group(1) for op in spec.operations if op.method == "DELETE" and (match := _TOP_LEVEL_ITEM.match(op.path))}
    return [
        Sweepable(op.path, op.roles)
        for op in spec.operations
        if op.method == "GET" and op.path.count("/") == 1 and op.path.strip("/") in deletable and op.verb == "List"
    ]


def sweep(client: OrderCloudClient, spec: Spec, run_id: str) -> list[str]:
    """Delete every listable object whose ID starts with `run_id`; returns what was deleted."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{4,}", run_id):
        raise ValueError("a run ID is at least 4 letters, digits, '-' or '_'")
    deleted = []
    for collection in sweepable_collections(spec):
        while True:
            page = client.get(collection.list_path, ID=f"{run_id}*", pageSize=100)
            items = page.json().get("Items", []) if page.is_success else []
            removed = [item["ID"] for item in items if client.delete(f"{collection.list_path}/{item['ID']}").status_code in (200, 204)]
            deleted += [f"{collection.list_path}/{object_id}" for object_id in removed]
            if not removed:
                break
    return deleted
