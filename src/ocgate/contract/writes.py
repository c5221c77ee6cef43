"""Leave no trace: run-scoped IDs, protected fixtures, and undoing what the suite created.

Before a call (`prepare`): IDs the suite sends in bodies carry the run's prefix; references
to other objects (`BuyerID`, `DefaultPriceScheduleID`, ...) name known objects; and calls
that change or delete an object only ever target objects this run created (else a fresh
ID that names nothing). After a call (`record`): every object it created is remembered,
with the call that removes it (`undo`, run newest first when the session ends).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..spec import Operation
from .kinds import Kinds
from .objects import Objects, Ref, format_path, slots, storage

#: Body fields that name an object by their role rather than its collection.
FIELD_ALIASES = {"ClientID": "apiClientID", "ApprovingGroupID": "userGroupID"}
#: An assignment is to one party: a group or a user, a buyer or a supplier, never both
#: (PartyAssignment.CannotSpecifyGroupAndUser / ...BuyerAndSupplier). (kept, dropped) in a call meant to succeed.
ONE_PARTY = (("UserGroupID", "UserID"), ("BuyerID", "SupplierID"))


@dataclass(frozen=True)
class Primary:
    """The body field naming the object an assignment hangs off, and that object's collection."""

    field: str
    collection: str


@dataclass(frozen=True)
class Undo:
    """A DELETE that removes something the suite created, sent as the persona that created it."""

    persona: str
    path: str  # relative to /v1, parameters filled in
    query: tuple[tuple[str, str], ...] = ()


@dataclass
class Writes:
    kinds: Kinds
    objects: Objects
    run_id: str
    undo: list[Undo] = field(default_factory=list)
    #: the last answer for each of the run's own objects: a save keeps what it refers to
    saved: dict[Ref, dict[str, Any]] = field(default_factory=dict)
    #: held while the known objects or the run's writes are read or changed: calls of several
    #: threads share them (contract/workers.py)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def fresh_id(self) -> str:
        """A run-scoped ID that names nothing yet."""
        return f"{self.run_id}-c{next(self._counter)}"

    # -- before a call -----------------------------------------------------------------

    def path_values(
        self, op: Operation, direction: str, current: dict[str, Any], keep: Callable[[str, Any], bool], *, mine: bool = False, complete: bool = False
    ) -> dict[str, Any]:
        """Path parameters naming known objects; the mutated object is always one of the run's own.

        `keep(name, value)` says which values stay as they are (IDs a stateful link took from an
        earlier answer); `complete`: for a call meant to succeed, seeded objects are picked first.
        """
        if self.kinds.is_link(op):
            # A new relation: the object it hangs off must be the run's own; its partner may be any object.
            parent, _, partner = op.path.rpartition("/")
            filled = self.objects.fill(parent, direction, owned_target=True, mine=mine, fresh_id=self.fresh_id)
            filled[partner.strip("{}")] = self.objects.pick_by_name(partner.strip("{}"), filled, mine=mine) or self.fresh_id()
        else:
            filled = self.objects.fill(op.path, direction, owned_target=self.kinds.changes_target(op), mine=mine, fixtures_first=complete, fresh_id=self.fresh_id)
        return {name: current[name] if name in current and keep(name, current[name]) else value for name, value in filled.items()}

    def body(self, op: Operation, body: Any, path_values: dict[str, Any], *, positive: bool = True, mine: bool = False, complete: bool = False) -> Any:
        """The body with run-scoped IDs and usernames, and references to known objects (`mine`: as
        seen by a buyer user; `complete`: unset references too, for a call meant to succeed).

        A negative body keeps its data, all but one thing: a PUT or PATCH never renames its
        object (cleanup would lose it), so a string ID always says what the path says.
        """
        if not isinstance(body, dict):
            return body
        body = dict(body)
        target_id = path_values.get(slots(op.path)[-1].name) if op.method in ("PUT", "PATCH") and slots(op.path) and op.path.endswith("}") else None
        if target_id is not None and isinstance(body.get("ID"), str):
            body["ID"] = target_id
        if not positive:
            return body
        id_schema = (op.request_schema or {}).get("properties", {}).get("ID")
        if self.kinds.is_create(op) and id_schema is not None and not id_schema.get("readOnly") and (isinstance(body.get("ID"), str) or "ID" not in body):
            body["ID"] = self.fresh_id()
        elif self.kinds.is_save(op) and "ID" not in body and id_schema is not None and not id_schema.get("readOnly"):
            body["ID"] = target_id
        if isinstance(body.get("Username"), str):
            body["Username"] = self.fresh_id()  # unique across the marketplace, like an ID, and the run's own
        primary = self._primary_reference(op)
        self._fill_references(body, op.request_schema or {}, primary, self._current(op, path_values), dict(path_values), mine=mine, complete=complete)
        if complete and self.kinds.saves_assignment(op):
            for kept, dropped in ONE_PARTY:
                # A user group membership names its group as the object it hangs off: it keeps both.
                if (primary is None or kept != primary.field) and isinstance(body.get(kept), str) and isinstance(body.get(dropped), str):
                    body[dropped] = None
        return body

    def _fill_references(
        self,
        fields: dict[str, Any],
        schema: dict[str, Any],
        primary: Primary | None,
        current: dict[str, Any],
        bound: dict[str, Any],
        *,
        mine: bool,
        complete: bool,
    ) -> None:
        """Point the *ID fields of a body, and of the objects nested in it (a CC listener's
        MessageSenderAssignment, say), at known objects; xp is the caller's own data. A null
        reference is filled when the schema requires it (the overlay makes every property
        nullable, but a line item without its product tests nothing) or the call is `complete`.

        `bound` starts as the path's values and takes each reference filled in, so that later
        ones agree with it: after BuyerID, a UserGroupID is a group of that buyer.
        """
        required = set(schema.get("required", ()))
        properties = schema.get("properties", {})
        for key, value in fields.items():
            if isinstance(value, dict) and key != "xp":
                nested = current.get(key)
                fields[key] = dict(value)
                nested_schema = properties.get(key)
                self._fill_references(
                    fields[key], nested_schema if isinstance(nested_schema, dict) else {}, primary, nested if isinstance(nested, dict) else {}, bound, mine=mine, complete=complete
                )
                continue
            param = self._reference_param(key)
            if param is not None and (isinstance(value, str) or (value is None and (complete or key in required))):
                if isinstance(current.get(key), str):
                    fields[key] = current[key]  # e.g. a line item cannot change its product (LineItem.CannotChangeProductID)
                elif primary is not None and key == primary.field:
                    fields[key] = self._owned_in(primary.collection, bound) or self.fresh_id()
                else:
                    fields[key] = self.objects.pick_by_name(param, bound, mine=mine, fixtures_first=complete) or value
                if isinstance(fields[key], str) and fields[key]:
                    bound.setdefault(param, fields[key])

    def _current(self, op: Operation, path_values: dict[str, Any]) -> dict[str, Any]:
        """The last known state of the object a PUT or PATCH changes (empty when unknown)."""
        if op.method not in ("PUT", "PATCH") or not slots(op.path):
            return {}
        ref = self.objects.ref_for(storage(op.path.rsplit("/", 1)[0]), path_values, owned=True)
        return self.saved.get(ref, {}) if ref is not None else {}

    def _reference_param(self, key: str) -> str | None:
        """The path parameter a body field refers by: `DefaultPriceScheduleID` -> `priceScheduleID`."""
        if key == "ID" or not key.endswith("ID"):
            return None
        if key in FIELD_ALIASES:
            return FIELD_ALIASES[key]
        known = {name.lower(): name for name in self.objects.reference_params()}
        words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*", key)  # acronyms first: OwnerID is Owner + ID, not ... + I + D
        for start in range(len(words) - 1):
            candidate = "".join(words[start:]).lower()
            if candidate in known:
                return known[candidate]
        return None

    def _primary_reference(self, op: Operation) -> Primary | None:
        """For an assignment, the body field naming the object it hangs off (it must be the run's own,
        so that the assignment cannot be one of the fixtures', which cleanup would then remove)."""
        if not self.kinds.saves_assignment(op):
            return None
        owner = storage(op.path.rsplit("/", 1)[0])
        id_param = self.objects.id_params.get(owner)
        return Primary(id_param[0].upper() + id_param[1:], owner) if id_param else None

    def _owned_in(self, collection: str, bound: dict[str, Any]) -> str | None:
        """One of the run's own objects of `collection` (an admin user group, not a buyer's, for
        POST /usergroups/assignments), scoped like `bound`."""
        owned = [ref for ref in self.objects.by_collection.get(collection, []) if ref.owned and all(bound.get(k, v) == v for k, v in ref.scope)]
        return self.objects.rng.choice(owned).id if owned else None

    # -- after a call ------------------------------------------------------------------

    def record(self, op: Operation, persona: str, path_values: dict[str, Any], body: Any, status: int, answer: Any) -> None:
        """Remember what a successful call created (and forget what it deleted)."""
        if not 200 <= status < 300:
            return
        if op.method == "DELETE":
            self.objects.remove(storage(op.path.rsplit("/", 1)[0]), path_values)
            return
        changed = self.objects.ref_for(storage(op.path.rsplit("/", 1)[0]), path_values, owned=True) if op.method in ("PUT", "PATCH") else None
        if changed is not None and isinstance(answer, dict):
            self.saved[changed] = answer
        item_path = self.kinds.item_path(op)
        if op.operation_id == "Users.Move":
            self._record_move(path_values)
        elif item_path is not None:
            self._record_object(op, persona, item_path, path_values, body, answer)
        elif self.kinds.is_link(op) and self.kinds.delete_twin(op.path) is not None:
            link = self.objects.ref_for(storage(op.path.rsplit("/", 1)[0]), path_values, owned=True)
            if link is not None and not self.objects.knows(link):
                self.objects.add(link)
                self.undo.append(Undo(persona, format_path(op.path, path_values)))
        elif isinstance(body, dict) and self.kinds.undo_of_keyed_write(op):
            self._record_keyed_write(op, persona, path_values, body)

    def _record_object(self, op: Operation, persona: str, item_path: str, path_values: dict[str, Any], body: Any, answer: Any) -> None:
        id_param = slots(item_path)[-1].name
        object_id = answer.get("ID") if isinstance(answer, dict) else None
        if object_id is not None and object_id in path_values.values():
            # The answer is the parent (Payments.CreateTransaction answers the Payment): the new object is the body's.
            object_id, answer = body.get("ID") if isinstance(body, dict) else None, None
        object_id = object_id if isinstance(object_id, str) else path_values.get(id_param)
        if not object_id:
            return
        values = {**path_values, id_param: object_id}
        collection = storage(item_path.rsplit("/", 1)[0])
        ref = self.objects.ref_for(collection, values, owned=True)
        if ref is None or self.objects.knows(ref):
            return  # a PUT replacing an object that existed: the run's own is recorded already
        self.objects.add(ref)
        if isinstance(answer, dict):
            self.saved[ref] = answer
        if isinstance(answer, dict):
            self.objects.note(collection, answer)
        if collection == "/buyers" and isinstance(answer, dict) and answer.get("DefaultCatalogID") == object_id:
            # A new buyer gets a default catalog with its own ID, which outlives the buyer and can
            # go only once no buyer has it as its default (BEHAVIOUR.md §5): undo it after the buyer.
            self.undo.append(Undo(persona, f"/catalogs/{object_id}"))
        if self.kinds.delete_twin(item_path) is not None:
            self.undo.append(Undo(persona, format_path(item_path, values)))

    def _record_move(self, path_values: dict[str, Any]) -> None:
        """A user moved to another buyer (POST .../moveto/{newBuyerID}) lives under it from now on."""
        old = {"buyerID": path_values["buyerID"], "userID": path_values["userID"]}
        new = {"buyerID": path_values["newBuyerID"], "userID": path_values["userID"]}
        old_path, new_path = format_path("/buyers/{buyerID}/users/{userID}", old), format_path("/buyers/{buyerID}/users/{userID}", new)
        self.objects.remove("/buyers/{buyerID}/users", old)
        moved = self.objects.ref_for("/buyers/{buyerID}/users", new, owned=True)
        if moved is not None:
            self.objects.add(moved)
        self.undo[:] = [Undo(undo.persona, new_path, undo.query) if undo.path == old_path else undo for undo in self.undo]

    def _record_keyed_write(self, op: Operation, persona: str, path_values: dict[str, Any], body: dict[str, Any]) -> None:
        """Undo an assignment (or similar write) by the DELETE whose parameters its body and path name."""
        given = {key.lower(): value for key, value in {**body, **path_values}.items() if isinstance(value, str) and value}
        for twin in self.kinds.undo_of_keyed_write(op) or []:
            path_names = slots(twin.path)
            if all(slot.name.lower() in given for slot in path_names):
                values = {slot.name: given[slot.name.lower()] for slot in path_names}
                query = tuple((name, given[name.lower()]) for name in twin.query_params() if name.lower() in given)
                self.undo.append(Undo(persona, format_path(twin.path, values), query))
                return

