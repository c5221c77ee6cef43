"""Xp indices: which xp keys of which kind of object the marketplace indexes for filtering.

An index is identified by its ThingType and Key: putting one that exists
changes nothing, deleting one that does not exist is 404. The list is the
generic list of the /xpindices collection.
"""

from __future__ import annotations

from ..errors import bad_request, not_found
from ..models import materialize, validate
from ..registry import Call, handles

INDICES = "/xpindices"


def _key(thing_type: str, key: str) -> str:
    return f"{thing_type}/{key}"


@handles("XpIndices.Put")
def put_index(call: Call) -> None:
    validate(call.op.request_schema or {}, call.body, model="XpIndex")
    index = materialize(call.op.request_schema or {}, call.body)
    for field in ("ThingType", "Key"):
        if not index.get(field):
            raise bad_request("ValidationFailure", f"XpIndex.{field} is required.", {"Property": field})
    call.market.store.put(INDICES, (), index, key=_key(index["ThingType"], index["Key"]))


@handles("XpIndices.Delete")
def delete_index(call: Call) -> None:
    key = _key(call.params["thingType"], call.params["key"])
    if call.market.store.pop(INDICES, (), key) is None:
        raise not_found("XpIndex", key)
