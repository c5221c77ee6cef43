"""The objects a contract run may address, and path parameters filled from them.

Calls reach business logic only when their path names existing objects:
`/buyers/{buyerID}/users/{userID}` needs a user of that buyer. `Objects` knows, per
collection (the item path without its ID, `{direction}` left out, as the sandbox
stores it), which objects exist and in which parent scope. It is filled by
`discover` (listing every collection of the seeded marketplace through the public
API) and by the run itself (`add` for each object the suite creates).

Objects are either *owned* (created by this run's suite: they may be changed and
deleted) or not (seeded fixtures and anything else on the target: read-only).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..spec import Operation, Spec

_PARAM = re.compile(r"{(\w+)}")
#: Objects listed per parent while discovering, and parents visited per collection.
DISCOVERY_PAGE = 20
DISCOVERY_PARENTS = 3
#: Path parameters named after their role rather than their collection.
ALIASES = {"newBuyerID": "buyerID"}
#: Path parameters that take another property of an object than its ID: name -> (collection, property).
PROPERTY_PARAMS = {"promoCode": ("/promotions", "Code")}


def storage(template: str) -> str:
    """A path template as a collection is known: without its `{direction}` segment, literal
    segments in lower case (OrderCloud's paths are case-insensitive: /me/spendingAccounts
    lists what /me/spendingaccounts/{spendingAccountID} gets)."""
    return "/".join(part if part.startswith("{") else part.lower() for part in template.replace("/{direction}", "").split("/"))


def format_path(template: str, values: dict[str, Any]) -> str:
    """A path template with its parameters filled in, percent-encoded (a generated key may hold any character)."""
    return _PARAM.sub(lambda match: quote(str(values[match.group(1)]), safe=""), template)


@dataclass(frozen=True)
class Ref:
    """One object: its collection, the values of the collection's path parameters, its ID."""

    collection: str
    scope: tuple[tuple[str, str], ...]
    id: str
    owned: bool = False

    def params(self, id_param: str) -> dict[str, str]:
        return {**dict(self.scope), id_param: self.id}


@dataclass(frozen=True)
class Slot:
    """A path parameter and the collection whose objects it names (None for `{direction}`)."""

    name: str
    collection: str | None


def slots(path: str) -> list[Slot]:
    """The path parameters of a template, each with the collection in front of it."""
    found = []
    for match in _PARAM.finditer(path):
        name = match.group(1)
        found.append(Slot(name, None if name == "direction" else storage(path[: match.start() - 1])))
    return found


def item_paths(spec: Spec) -> set[str]:
    """The paths that address one object: those of GET item operations, and the DELETE paths
    of objects a POST creates that no GET reads on their own (a payment's transactions)."""
    calls = {(op.method, op.path) for op in spec.operations}
    return {
        path
        for method, path in calls
        if path.endswith("}") and (method == "GET" or (method == "DELETE" and ("POST", path.rsplit("/", 1)[0]) in calls and ("GET", path) not in calls))
    }


@dataclass
class Objects:
    """Known objects per collection; picks are random but reproducible (fixed seed)."""

    #: collection -> the path parameter naming its items, from the spec's item paths (`item_paths`)
    #: and, for relations (links), from their PUT/DELETE pairs.
    id_params: dict[str, str]
    #: the collections that are relations between objects (PUT /products/{productID}/suppliers/{supplierID})
    links: set[str] = field(default_factory=set)
    by_collection: dict[str, list[Ref]] = field(default_factory=dict)
    #: values of path parameters that are not object IDs (PROPERTY_PARAMS)
    values: dict[str, list[str]] = field(default_factory=dict)
    #: IDs whose children discovery lists first (the contract run's own fixtures)
    list_first: set[str] = field(default_factory=set)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))

    @classmethod
    def for_spec(cls, spec: Spec) -> Objects:
        id_params, links = {}, set()
        by_path = {(op.method, op.path) for op in spec.operations}
        items = item_paths(spec)
        for op in spec.operations:
            params = slots(op.path)
            if not (params and op.path.endswith("}") and params[-1].collection):
                continue
            if op.path in items:
                id_params[params[-1].collection] = params[-1].name
            elif op.method == "PUT" and op.request_schema is None and ("DELETE", op.path) in by_path and ("GET", op.path) not in by_path:
                id_params[params[-1].collection] = params[-1].name
                links.add(params[-1].collection)
        return cls(id_params, links)

    # -- keeping track --------------------------------------------------------------

    def add(self, ref: Ref) -> None:
        if not self.knows(ref):
            self.by_collection.setdefault(ref.collection, []).append(ref)

    def note(self, collection: str, item: dict[str, Any]) -> None:
        """Keep the properties of an object that other calls take as path parameters."""
        for param, (source, name) in PROPERTY_PARAMS.items():
            if source == collection and isinstance(item.get(name), str) and item[name]:
                self.values.setdefault(param, []).append(item[name])

    def knows(self, ref: Ref) -> bool:
        """Whether this object (owned or not) is known already."""
        return any((known.scope, known.id) == (ref.scope, ref.id) for known in self.by_collection.get(ref.collection, []))

    def remove(self, collection: str, params: dict[str, str]) -> None:
        gone = self.ref_for(collection, params, owned=True)
        if gone is not None:
            refs = self.by_collection.get(collection, [])
            refs[:] = [ref for ref in refs if (ref.scope, ref.id) != (gone.scope, gone.id)]

    def ref_for(self, collection: str, params: dict[str, str], owned: bool) -> Ref | None:
        """The object a filled path names in `collection`, or None if it is not an object collection."""
        id_param = self.id_params.get(collection)
        if id_param is None or id_param not in params:
            return None
        scope = tuple((slot.name, params[slot.name]) for slot in slots(collection) if slot.collection and slot.name in params)
        return Ref(collection, scope, params[id_param], owned)

    def is_owned(self, collection: str, params: dict[str, str]) -> bool:
        ref = self.ref_for(collection, params, owned=True)
        return ref is not None and ref in self.by_collection.get(collection, [])  # Ref equality includes `owned`

    # -- filling path parameters ---------------------------------------------------

    def fill(
        self, path: str, direction: str, *, owned_target: bool = False, mine: bool = False, fixtures_first: bool = False, fresh_id: Callable[[], str]
    ) -> dict[str, str]:
        """Values for a path's parameters that name existing, mutually consistent objects.

        The deepest parameter naming an object of a known collection (the target) is
        picked first; its scope fixes the parameters before it. With `owned_target`,
        only objects this run created qualify as target, and without one the target
        gets a fresh ID that names nothing (a PUT creates it; anything else gets 404).
        Parameters after the target (assignment and link partners) are filled by name
        (`mine`: as a buyer user, who prefers what its /me routes list). `fixtures_first` picks
        a seeded object as target where one qualifies: fixtures come with the children and
        partners (a buyer's user groups, say) that a call meant to succeed refers to.
        """
        params = slots(path)
        values: dict[str, str] = {slot.name: direction for slot in params if slot.collection is None}
        targets = [slot for slot in params if slot.collection in self.id_params and self.id_params[slot.collection] == slot.name]
        target = targets[-1] if targets else None
        if target is not None:
            candidates = [ref for ref in self.by_collection.get(target.collection or "", []) if ref.owned or not owned_target]
            if fixtures_first:
                candidates = [ref for ref in candidates if not ref.owned] or candidates
            if candidates:
                values.update(self.rng.choice(candidates).params(target.name))
            else:
                values[target.name] = fresh_id()
        for slot in params:
            if slot.name not in values:
                values[slot.name] = self.pick_by_name(slot.name, values, mine=mine) or fresh_id()
        return values

    def pick_by_name(self, name: str, bound: dict[str, str], *, mine: bool = False, fixtures_first: bool = False) -> str | None:
        """An ID for a parameter named `name`, preferring collections scoped like `bound`.

        E.g. `userID` in /buyers/{buyerID}/usergroups/{userGroupID}/assignments/{userID}
        is a user of that same buyer, and in /usergroups/{userGroupID}/assignments/{userID}
        an admin user (an unscoped collection). A buyer user (`mine`) prefers the objects its
        /me routes list (the products, addresses, ... it can see); others avoid them.
        `fixtures_first` prefers seeded objects, as `fill` does: the run's own may have been
        created with any data (an inactive API client, say).
        """
        if self.values.get(name):
            return self.rng.choice(self.values[name])
        name = ALIASES.get(name, name)
        best: list[Ref] = []
        best_score = -1.0
        for collection, id_param in self.id_params.items():
            if id_param.lower() != name.lower() or collection in self.links:
                continue
            perspective = 0.5 if collection.startswith("/me/") == mine else 0.0
            for ref in self.by_collection.get(collection, []):
                scope = dict(ref.scope)
                if any(bound.get(key, value) != value for key, value in scope.items()):
                    continue
                score = (len(scope) if all(key in bound for key in scope) else -1) + perspective
                if score > best_score:
                    best, best_score = [ref], score
                elif score == best_score:
                    best.append(ref)
        if fixtures_first:
            best = [ref for ref in best if not ref.owned] or best
        return self.rng.choice(best).id if best else None

    def reference_params(self) -> set[str]:
        """The parameter names objects can be referenced by (`buyerID`, `productID`, ...)."""
        return set(self.id_params.values())


# -- discovery -------------------------------------------------------------------


def list_operations(spec: Spec) -> list[Operation]:
    """GET operations answering a list page, parents before children."""
    lists = [op for op in spec.operations if op.method == "GET" and "Items" in ((op.response_schema or {}).get("properties") or {})]
    return sorted(lists, key=lambda op: (op.path.count("/"), op.path))


def discover(
    objects: Objects,
    spec: Spec,
    list_page: Callable[[Operation, dict[str, str]], Any],
    direction_of: Callable[[Operation], str],
    under: str = "/",
    owned: bool = False,
) -> None:
    """List every collection (below `under`) whose parents are known, recording the objects found.

    `list_page(op, path_params)` performs the GET (as the persona the operation needs) and
    returns the parsed page or None; what is found is the run's own only if `owned` says so.
    """
    for op in list_operations(spec):
        collection = storage(op.path)
        if collection not in objects.id_params or not collection.startswith(under):
            continue  # assignment lists and the like: nothing addressable by ID
        for params in _parent_combinations(objects, op.path, direction_of(op)):
            page = list_page(op, params)
            for item in (page or {}).get("Items") or []:
                if isinstance(item, dict) and isinstance(item.get("ID"), str):
                    scope = tuple((slot.name, params[slot.name]) for slot in slots(op.path) if slot.collection)
                    objects.add(Ref(collection, scope, item["ID"], owned))
                    objects.note(collection, item)


def _parent_combinations(objects: Objects, path: str, direction: str) -> Iterable[dict[str, str]]:
    params = [slot for slot in slots(path) if slot.collection is not None]
    if not params:
        yield {"direction": direction} if "{direction}" in path else {}
        return
    deepest = params[-1]
    if objects.id_params.get(deepest.collection or "") != deepest.name:
        return
    parents = sorted(objects.by_collection.get(deepest.collection or "", []), key=lambda ref: ref.id not in objects.list_first)
    for ref in parents[:DISCOVERY_PARENTS]:
        values = ref.params(deepest.name)
        if all(slot.name in values for slot in params):
            yield {**values, **({"direction": direction} if "{direction}" in path else {})}
