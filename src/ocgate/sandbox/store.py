"""In-memory state of one marketplace.

Objects live in collections keyed by the storage path template (e.g.
"/buyers/{buyerID}/users") and the values of its scope parameters (e.g.
("ACME",)).

`Store.lock` is the marketplace's one lock. The engine takes it, once per request, around
the whole operation (`Resources.handle`, and the token endpoint in app.py), so that state
stays consistent when requests arrive from several threads; handlers, hooks and rules run
with it held and never take it themselves. It is re-entrant, so an operation may run another.
"""

from __future__ import annotations

import secrets
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

Scope = tuple[str, ...]
_EMPTY: Mapping[str, dict[str, Any]] = MappingProxyType({})


def new_id() -> str:
    """A 22-character URL-safe ID, like those OrderCloud generates (e.g. PKTiEFNEiEi9mEmC9cZCrw)."""
    return secrets.token_urlsafe(16)


def utc_now() -> str:
    """Current time in ISO 8601 UTC, as OrderCloud writes dates."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00"


class Store:
    def __init__(self) -> None:
        #: Held by the engine for the whole of every request (see the module docstring).
        self.lock = threading.RLock()
        self._collections: dict[tuple[str, Scope], dict[str, dict[str, Any]]] = defaultdict(dict)
        #: Non-API state kept beside the objects (credentials, tokens, counters, ...), by owner module.
        self.side: dict[str, Any] = {}

    def collection(self, template: str, scope: Scope = ()) -> dict[str, dict[str, Any]]:
        """The live dict of one collection (created empty on first use)."""
        return self._collections[(template, scope)]

    def view(self, template: str, scope: Scope = ()) -> Mapping[str, dict[str, Any]]:
        """The objects of one collection for reading; unlike `collection`, it creates nothing when there are none."""
        return self._collections.get((template, scope)) or _EMPTY

    def get(self, template: str, scope: Scope, object_id: str) -> dict[str, Any] | None:
        return self._collections.get((template, scope), {}).get(object_id)

    def put(self, template: str, scope: Scope, obj: dict[str, Any], key: str | None = None) -> dict[str, Any]:
        """Store an object under its ID (or an explicit key, for assignments, which have none)."""
        self._collections[(template, scope)][key if key is not None else obj["ID"]] = obj
        return obj

    def pop(self, template: str, scope: Scope, object_id: str) -> dict[str, Any] | None:
        return self._collections.get((template, scope), {}).pop(object_id, None)

    def scopes(self, template: str) -> Iterator[tuple[Scope, dict[str, dict[str, Any]]]]:
        """Every non-empty collection stored under a template, across all scopes."""
        for (stored_template, scope), objects in list(self._collections.items()):
            if stored_template == template and objects:
                yield scope, objects

    def drop_nested(self, template_prefix: str, scope_prefix: Scope) -> None:
        """Remove every collection nested under one object (its children, grandchildren...)."""
        for template, scope in list(self._collections):
            if template.startswith(template_prefix + "/") and scope[: len(scope_prefix)] == scope_prefix:
                del self._collections[(template, scope)]

    def count(self) -> int:
        """Number of stored objects, for checking that a run left no trace (read outside any request: it locks)."""
        with self.lock:
            return sum(len(objects) for objects in self._collections.values())

    def counts(self) -> dict[str, int]:
        """Objects per storage template (read outside any request: it locks)."""
        totals: dict[str, int] = defaultdict(int)
        with self.lock:
            for (template, _), objects in self._collections.items():
                totals[template] += len(objects)
        return {template: n for template, n in sorted(totals.items()) if n}
