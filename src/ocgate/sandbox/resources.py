"""The spec-driven resource engine: CRUD, assignments and links for every collection.

Each operation is classified by its shape in the spec (method, path, request
and response schemas), which decides its behaviour:

- list      GET  /xs                        -> ListPage of the collection
- create    POST /xs                        -> 201, 409 IdExists on a duplicate ID
- get       GET  /xs/{xID}                  -> the object or 404 NotFound
- save      PUT  /xs/{xID}                  -> create or replace (path ID wins)
- patch     PATCH /xs/{xID}                 -> deep merge, xp included
- delete    DELETE /xs/{xID}                -> 204, children and references removed
- assignment.list/save/delete               -> relation rows identified by their *ID fields
- link.save/delete/list  PUT|DELETE /xs/{xID}/ys/{yID}, GET /xs/{xID}/ys -> links between two objects

Declared in the registry, next to the rule they apply: a collection's guard (a parent the caller
must see; whether it sees one object: 404 and left out of lists otherwise) applies to its generic
get, list, save, patch and delete; a perspective (/me/...) reads and writes where its objects are
stored for the caller. `handle` takes the store lock for the whole operation.

IDs are writable: a given ID is kept (each `{incrementorID}` in it replaced by
that incrementor's next number), a missing one is generated (22 characters).
Storage ignores the `{direction}` path parameter: it is a perspective on an
order, not a partition of orders.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import models
from .errors import bad_request, id_exists, not_found
from .listing import ListRules, list_page
from .registry import DELETE_HOOKS, GUARDS, HANDLERS, PERSPECTIVES, PRESENTERS, WRITE_HOOKS, Call

if TYPE_CHECKING:
    from ..spec import Operation, Spec
    from .store import Scope, Store

UNSCOPED_PARAMS = frozenset({"direction"})
#: *ID fields of assignment models that describe the relation rather than identify it.
ATTRIBUTE_IDS = frozenset({"PriceScheduleID", "SellerID", "DefaultOptionID"})
#: Paths that show stored objects from the caller's perspective: never where a reference (ProductID, ...) points.
CALLER_PATHS = ("/me/", "/cart/")

_PARAM = re.compile(r"{(\w+)}")  # a path parameter, or an incrementor in an ID
INCREMENTORS = "/incrementors"
#: The key of the one object a fixed path holds (binding "singleton").
SINGLETON = "_"


def storage_template(path: str) -> str:
    return "/".join(seg for seg in path.split("/") if seg.strip("{}") not in UNSCOPED_PARAMS)


def params_of(template: str) -> tuple[str, ...]:
    return tuple(_PARAM.findall(template))


def field_for(param: str) -> str:
    """Path/query parameter name -> model field name (productID -> ProductID)."""
    return param[:1].upper() + param[1:]


@dataclass(frozen=True)
class Collection:
    template: str  # storage template, e.g. /buyers/{buyerID}/users
    scope_params: tuple[str, ...]
    item_param: str | None
    schema: dict[str, Any]

    @property
    def object_type(self) -> str:
        return self.schema.get("title") or self.template.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Binding:
    """How one operation maps onto storage."""

    kind: str
    collection: Collection
    list_rules: ListRules | None = None
    identity_fields: tuple[str, ...] = ()


class Resources:
    def __init__(self, spec: Spec, store: Store) -> None:
        self.spec = spec
        self.store = store
        self.collections: dict[str, Collection] = {}
        self.bindings: dict[str, Binding] = {}
        #: model field name (ProductID) -> collections whose item parameter it names
        self.by_field: dict[str, list[Collection]] = {}
        #: storage template -> a collection that only a perspective names (registry.perspective)
        self._hidden: dict[str, Collection] = {}
        self._classify_all()

    # -- classification -------------------------------------------------------

    def _classify_all(self) -> None:
        item_ops = [op for op in self.spec.operations if self._item_param(op)]
        for op in item_ops:
            if op.method == "GET" and op.response_schema and "Items" not in op.response_schema.get("properties", {}):
                self._collection(storage_template(op.path.rsplit("/", 1)[0]), op.response_schema, self._item_param(op))
        for op in self.spec.operations:
            binding = self._bind(op)
            if binding is not None:
                self.bindings[op.operation_id] = binding

    def _collection(self, template: str, schema: dict[str, Any] | None, item_param: str | None) -> Collection:
        existing = self.collections.get(template)
        if existing is not None:
            return existing
        collection = Collection(template, params_of(template), item_param, schema or {})
        self.collections[template] = collection
        if item_param and not template.startswith(CALLER_PATHS):
            self.by_field.setdefault(field_for(item_param), []).append(collection)
        return collection

    @staticmethod
    def _item_param(op: Operation) -> str | None:
        last = op.path.rstrip("/").rsplit("/", 1)[-1]
        match = _PARAM.fullmatch(last)
        return match.group(1) if match else None

    def _bind(self, op: Operation) -> Binding | None:
        if "Assignment" in op.verb:
            return self._bind_assignment(op)
        response = op.response_schema or {}
        is_list = "Items" in response.get("properties", {})
        item_param = self._item_param(op)
        if op.method == "GET" and is_list:
            item_schema = response["properties"]["Items"].get("items", {})
            template = storage_template(op.path)
            kind = "link.list" if self.link_param(template) else "list"
            return Binding(kind, self._collection(template, item_schema, None), ListRules.for_operation(op.query_params(), item_schema))
        parent = storage_template(op.path.rsplit("/", 1)[0])
        if item_param and op.method in ("PUT", "DELETE") and op.request_schema is None and self.link_param(parent) == item_param:
            return Binding(f"link.{op.method.lower()}", self._collection(parent, None, None))
        if op.method == "POST" and not item_param and op.request_schema and "ID" in response.get("properties", {}):
            return Binding("create", self._collection(storage_template(op.path), response, None))
        if item_param and op.method in ("GET", "PUT", "PATCH", "DELETE"):
            template = storage_template(op.path.rsplit("/", 1)[0])
            if op.method != "DELETE" and not (op.request_schema or op.response_schema):
                return None
            collection = self.collections.get(template) or self._collection(template, response or op.request_schema, item_param)
            return Binding({"GET": "get", "PUT": "save", "PATCH": "patch", "DELETE": "delete"}[op.method], collection)
        if not op.path_params and op.method in ("GET", "PUT", "PATCH", "DELETE") and op.operation_id not in HANDLERS and not (op.path + "/").startswith(CALLER_PATHS):
            # one object at a fixed path, such as an integration's configuration (/integrations/ErrorConfig)
            if op.method == "DELETE" or op.request_schema or op.response_schema:
                return Binding("singleton", self._collection(op.path, response or op.request_schema, None))
        return None

    def link_param(self, template: str) -> str | None:
        """The parameter naming the linked object when `template` holds links (PUT /xs/{xID}/ys/{yID})."""
        return self._link_params.get(template)

    @functools.cached_property
    def _link_params(self) -> dict[str, str | None]:
        """Storage template -> its link parameter, for every PUT without body answering 204 (the first one wins)."""
        params: dict[str, str | None] = {}
        for op in self.spec.operations:
            if op.method == "PUT" and op.request_schema is None and op.success_status == 204:
                params.setdefault(storage_template(op.path.rsplit("/", 1)[0]), self._item_param(op))
        return params

    def _bind_assignment(self, op: Operation) -> Binding | None:
        if op.method in ("GET", "POST"):
            schema = op.request_schema if op.method == "POST" else (op.response_schema or {})["properties"]["Items"]["items"]
            template = storage_template(op.path)
            collection = self._collection(template, schema, None)
            identity = tuple(
                name for name in schema.get("properties", {}) if name.endswith("ID") and name not in ATTRIBUTE_IDS
            )
            rules = ListRules.for_operation(op.query_params(), schema) if op.method == "GET" else None
            kind = "assignment.list" if op.method == "GET" else "assignment.save"
            return Binding(kind, collection, rules, identity)
        save = self._matching_save(op)
        if save is None:
            return None
        saved = self._bind_assignment(save)
        assert saved is not None
        return Binding("assignment.delete", saved.collection, None, saved.identity_fields)

    def _matching_save(self, delete_op: Operation) -> Operation | None:
        candidates = [
            op
            for op in self.spec.operations
            if op.resource == delete_op.resource and op.method == "POST" and "Assignment" in op.verb
        ]
        exact = [op for op in candidates if op.verb == delete_op.verb.replace("Delete", "Save", 1)]
        if exact:
            return exact[0]
        wanted = {field_for(p["name"]) for p in delete_op.parameters}
        candidates.sort(key=lambda op: -len(wanted & set((op.request_schema or {}).get("properties", {}))))
        return candidates[0] if candidates else None

    # -- helpers for handlers ---------------------------------------------------

    def collection(self, template: str) -> Collection:
        return self.collections[template]

    def scope(self, collection: Collection, params: dict[str, str]) -> Scope:
        return tuple(params[name] for name in collection.scope_params)

    def require_parents(self, collection: Collection, params: dict[str, str]) -> None:
        """404 for the first missing parent object in the path (e.g. the buyer of a buyer user)."""
        segments = collection.template.split("/")
        for index, segment in enumerate(segments):
            match = _PARAM.fullmatch(segment)
            if not match:
                continue
            parent = self.collections.get("/".join(segments[:index]))
            if parent is None:
                continue
            value = params[match.group(1)]
            if self.store.get(parent.template, self.scope(parent, params), value) is None:
                raise not_found(parent.object_type, value)

    def require(self, collection: Collection, scope: Scope, object_id: str) -> dict[str, Any]:
        obj = self.store.get(collection.template, scope, object_id)
        if obj is None:
            raise not_found(collection.object_type, object_id)
        return obj

    def resolve_reference(self, field: str, bound: dict[str, str]) -> tuple[Collection, Scope] | None:
        """The collection an `XxxID` field refers to, given the parameters known at this point."""
        best: tuple[Collection, Scope] | None = None
        for collection in self.by_field.get(field, []):
            if all(bound.get(p) for p in collection.scope_params):
                if best is None or len(collection.scope_params) > len(best[0].scope_params):
                    best = (collection, tuple(bound[p] for p in collection.scope_params))
        return best

    def check_references(self, body: dict[str, Any], params: dict[str, str]) -> None:
        """404 when a body names an object (ProductID, BuyerID, ...) that does not exist."""
        bound = _bound(params, body)
        for name, value in body.items():
            if not name.endswith("ID") or not value or not isinstance(value, str):
                continue
            target = self.resolve_reference(name, bound)
            if target is not None and self.store.get(target[0].template, target[1], value) is None:
                raise not_found(target[0].object_type, value)

    def present(self, call: Call, collection: Collection, scope: Scope, obj: dict[str, Any]) -> dict[str, Any]:
        """The object as the API returns it: stored fields plus derived ones."""
        for presenter in PRESENTERS.get(collection.template, ()):
            obj = presenter(call, obj, scope)
        return obj

    # -- IDs ---------------------------------------------------------------------------

    def assign_id(self, body: dict[str, Any]) -> str:
        """The ID of a new object: as given (incrementors expanded), or a generated one; set in `body`."""
        if body.get("ID"):
            body["ID"] = self.expand_incrementors(body["ID"])
        return models.ensure_id(body)

    def expand_incrementors(self, object_id: str) -> str:
        """Replace each {incrementorID} in an ID by that incrementor's next number, left-padded with zeros
        to its LeftPaddingCount ("TestCorp-{orders}" -> "TestCorp-00000000001"); 404 for an unknown one."""

        def next_number(match: re.Match[str]) -> str:
            incrementor = self.store.get(INCREMENTORS, (), match.group(1))
            if incrementor is None:
                raise not_found("Incrementor", match.group(1))
            incrementor["LastNumber"] = (incrementor.get("LastNumber") or 0) + 1
            return str(incrementor["LastNumber"]).zfill(incrementor.get("LeftPaddingCount") or 0)

        return _PARAM.sub(next_number, object_id)

    # -- writing --------------------------------------------------------------------

    def write(self, call: Call, collection: Collection, scope: Scope, obj: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        """Store an object after the collection's hooks have checked or derived it."""
        for hook in WRITE_HOOKS.get(collection.template, ()):
            hook(call, obj, previous)
        if previous is not None and previous["ID"] != obj["ID"]:
            self.store.pop(collection.template, scope, previous["ID"])
        return self.present(call, collection, scope, self.store.put(collection.template, scope, obj))

    def remove(self, call: Call, collection: Collection, scope: Scope, obj: dict[str, Any]) -> None:
        """Delete an object, everything nested under it, and assignments that name it."""
        for hook in DELETE_HOOKS.get(collection.template, ()):
            hook(call, obj)
        self.store.pop(collection.template, scope, obj["ID"])
        if collection.item_param:
            prefix, nested_scope = f"{collection.template}/{{{collection.item_param}}}", scope + (obj["ID"],)
            self._run_nested_delete_hooks(call, prefix, nested_scope)
            self.store.drop_nested(prefix, nested_scope)
            self._forget_references(collection, scope, obj["ID"])

    def _run_nested_delete_hooks(self, call: Call, prefix: str, scope: Scope) -> None:
        """Children deleted with their parent get their delete hooks too (e.g. a supplier's users lose their logins)."""
        for template, hooks in DELETE_HOOKS.items():
            if not template.startswith(prefix + "/"):
                continue
            for stored_scope, objects in self.store.scopes(template):
                if stored_scope[: len(scope)] == scope:
                    for child in list(objects.values()):
                        for hook in hooks:
                            hook(call, child)

    def _forget_references(self, collection: Collection, scope: Scope, object_id: str) -> None:
        """Drop the assignment rows naming the deleted object. A row names it when its field resolves,
        in the row's own scope, to the object's collection and scope: category X of another catalog,
        or a supplier's user with the ID of a buyer's user, is another object."""
        field = field_for(collection.item_param or "")
        for binding in self.bindings.values():
            if binding.kind != "assignment.save" or field not in binding.identity_fields:
                continue
            assignments = binding.collection
            for row_scope, rows in self.store.scopes(assignments.template):
                params = dict(zip(assignments.scope_params, row_scope))
                for key in [key for key, row in rows.items() if row.get(field) == object_id]:
                    target = self.resolve_reference(field, _bound(params, rows[key]))
                    if target is not None and target[0] is collection and target[1] == scope:
                        del rows[key]

    # -- running an operation ---------------------------------------------------------------

    def handle(self, call: Call) -> Any:
        """Run one operation: its hand-written handler, or the generic behaviour of its binding.

        The store lock is held throughout: this is where every request (and every internal
        `Marketplace.invoke`) takes it, so handlers and hooks never do. It is re-entrant: an
        operation run inside another (the cart's proxied order operations) takes it again harmlessly.
        """
        with self.store.lock:
            handler = HANDLERS.get(call.op.operation_id)
            if handler is not None:
                return handler(call)
            binding = self.bindings.get(call.op.operation_id)
            if binding is None:  # a gap in the sandbox, not bad input: tests/sandbox/test_every_operation.py finds these
                raise NotImplementedError(f"{call.op.operation_id} has neither a hand-written handler nor a generic binding")
            return getattr(self, "_" + binding.kind.replace(".", "_"))(call, binding)

    # -- where an operation's objects are, and who reaches them (registry.perspective, registry.guard) --

    def stored(self, call: Call, collection: Collection) -> tuple[Collection, dict[str, str]]:
        """The collection an operation's objects are stored in, and the path parameters naming their
        scope: the operation's own, or for a declared perspective (/me/...), where they are for this caller."""
        perspective = PERSPECTIVES.get(collection.template)
        if perspective is None:
            return collection, call.params
        stored = self.collections.get(perspective.stored_at)
        if stored is None:  # a collection no operation names (e.g. under each user): the shown model, kept there
            stored = self._hidden.setdefault(
                perspective.stored_at, dataclasses.replace(collection, template=perspective.stored_at, scope_params=params_of(perspective.stored_at))
            )
        return stored, {**call.params, **perspective.scope(call)}

    def _reach(self, call: Call, binding: Binding) -> tuple[Collection, dict[str, str], Scope]:
        """Where the operation's objects are, once the caller may reach them: the parent objects in
        the path exist (404 otherwise), and so does the parent its guard asks the caller to see."""
        collection, params = self.stored(call, binding.collection)
        self.require_parents(collection, params)
        self._check_parent(call, binding)
        return collection, params, self.scope(collection, params)

    @staticmethod
    def _check_parent(call: Call, binding: Binding) -> None:
        guard = GUARDS.get(binding.collection.template)
        if guard is not None and guard.parent is not None:
            guard.parent(call)

    @staticmethod
    def _sees(call: Call, binding: Binding) -> Callable[[dict[str, Any]], bool]:
        """Whether the caller sees an object of the operation's collection (its guard's can_see)."""
        guard = GUARDS.get(binding.collection.template)
        if guard is None or guard.can_see is None:
            return lambda obj: True
        return functools.partial(guard.can_see, call)

    def _seen(self, call: Call, binding: Binding, collection: Collection, scope: Scope) -> dict[str, Any]:
        """The object the path names, when it exists and the caller sees it; 404 NotFound otherwise."""
        object_id = call.params[binding.collection.item_param or ""]
        obj = self.require(collection, scope, object_id)
        if not self._sees(call, binding)(obj):
            raise not_found(collection.object_type, object_id)
        return obj

    # -- generic handlers: create, read, replace, patch, delete ---------------------------------------

    def _list(self, call: Call, binding: Binding) -> Any:
        collection, _, scope = self._reach(call, binding)
        objects: Iterable[dict[str, Any]] = self.store.view(collection.template, scope).values()
        guard = GUARDS.get(binding.collection.template)
        if guard is not None and guard.can_see is not None:
            objects = [obj for obj in objects if guard.can_see(call, obj)]
        items = [self.present(call, collection, scope, obj) for obj in objects]
        return list_page(items, call.query, binding.list_rules, facets="Facets" in _meta_properties(call.op))

    def _get(self, call: Call, binding: Binding) -> Any:
        collection, _, scope = self._reach(call, binding)
        return self.present(call, collection, scope, self._seen(call, binding, collection, scope))

    def _create(self, call: Call, binding: Binding) -> Any:
        collection, params = self.stored(call, binding.collection)
        self._check_parent(call, binding)
        return self.create(call, collection, params, call.body)

    def create(self, call: Call, collection: Collection, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        """Validate and store a new object; 409 IdExists when its ID is taken."""
        models.validate(call.op.request_schema or collection.schema, body, model=collection.object_type)
        self.require_parents(collection, params)
        scope = self.scope(collection, params)
        body = dict(body)
        object_id = self.assign_id(body)
        if self.store.get(collection.template, scope, object_id) is not None:
            raise id_exists(collection.object_type, object_id)
        obj = models.stamp(models.materialize(collection.schema, body), created=True)
        return self.write(call, collection, scope, obj, None)

    def _save(self, call: Call, binding: Binding) -> Any:
        collection, params = self.stored(call, binding.collection)
        self._check_parent(call, binding)
        object_id = call.params[binding.collection.item_param or ""]
        previous = self.store.get(collection.template, self.scope(collection, params), object_id)
        if previous is not None and not self._sees(call, binding)(previous):
            raise not_found(collection.object_type, object_id)
        return self.save(call, collection, params, object_id, call.body)

    def save(self, call: Call, collection: Collection, params: dict[str, str], object_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Validate and create or replace an object (the path's ID wins over the body's)."""
        models.validate(call.op.request_schema or collection.schema, body, model=collection.object_type)
        self.require_parents(collection, params)
        scope = self.scope(collection, params)
        previous = self.store.get(collection.template, scope, object_id)
        body = {**body, "ID": object_id} if "ID" in collection.schema.get("properties", {}) else dict(body)
        obj = models.stamp(models.materialize(collection.schema, body, previous), created=previous is None)
        if previous is None and "ID" not in obj:
            obj["ID"] = object_id
        return self.write(call, collection, scope, obj, previous)

    def _patch(self, call: Call, binding: Binding) -> Any:
        shown = binding.collection
        models.validate(call.op.request_schema or shown.schema, call.body, model=shown.object_type, partial=True)
        collection, _, scope = self._reach(call, binding)
        return self.patch(call, collection, scope, self._seen(call, binding, collection, scope)["ID"], call.body)

    def patch(self, call: Call, collection: Collection, scope: Scope, object_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Deep-merge changes into a stored object (read-only fields untouched)."""
        previous = self.require(collection, scope, object_id)
        if "ID" in changes and not changes["ID"]:
            changes = {key: value for key, value in changes.items() if key != "ID"}  # no ID: keep the one it has
        if changes.get("ID"):
            changes = {**changes, "ID": self.expand_incrementors(changes["ID"])}
        merged = models.deep_merge(previous, changes)
        if "ID" in changes and changes["ID"] and changes["ID"] != object_id:
            if self.store.get(collection.template, scope, changes["ID"]) is not None:
                raise id_exists(collection.object_type, changes["ID"])
        obj = models.stamp(models.materialize(collection.schema, merged, previous), created=False)
        return self.write(call, collection, scope, obj, previous)

    def _delete(self, call: Call, binding: Binding) -> Any:
        collection, _, scope = self._reach(call, binding)
        self.remove(call, collection, scope, self._seen(call, binding, collection, scope))
        return None

    def _singleton(self, call: Call, binding: Binding) -> Any:
        """The one object at a fixed path: GET 404 NotFound until a PUT stores it, PATCH merges, DELETE removes."""
        template, object_type = binding.collection.template, binding.collection.object_type
        current = self.store.get(template, (), SINGLETON)
        if call.op.method == "DELETE":
            self.store.pop(template, (), SINGLETON)
            return None
        if call.op.method != "PUT" and current is None:
            raise not_found(object_type, template)
        if call.op.method == "GET":
            return current
        partial = call.op.method == "PATCH"
        models.validate(call.op.request_schema or binding.collection.schema, call.body, model=object_type, partial=partial)
        body = models.deep_merge(current, call.body) if partial else call.body
        return self.store.put(template, (), models.materialize(binding.collection.schema, body, current), key=SINGLETON)

    # -- assignments ------------------------------------------------------------------------

    def _assignment_save(self, call: Call, binding: Binding) -> Any:
        collection = binding.collection
        models.validate(call.op.request_schema or collection.schema, call.body, model=collection.object_type)
        models.require_values(call.op.request_schema or collection.schema, call.body, model=collection.object_type)
        _check_party(collection, call.body)
        self.require_parents(collection, call.params)
        self.check_references(call.body, call.params)
        row = models.materialize(collection.schema, call.body)
        key = "|".join(str(row.get(name) or "") for name in binding.identity_fields)
        scope = self.scope(collection, call.params)
        for hook in WRITE_HOOKS.get(collection.template, ()):
            hook(call, row, self.store.get(collection.template, scope, key))
        self.store.put(collection.template, scope, row, key=key)
        return None

    def _assignment_list(self, call: Call, binding: Binding) -> Any:
        collection = binding.collection
        self.require_parents(collection, call.params)
        rows = list(self.store.view(collection.template, self.scope(collection, call.params)).values())
        fields = collection.schema.get("properties", {})
        rules = binding.list_rules
        assert rules is not None
        # The operation's own parameters (buyerID, level...) select rows by party; the rest
        # (paging, search, sortBy, filters) are list parameters like on any other list.
        for name, value in call.query.items():
            field = field_for(name)
            if name in rules.reserved and field in fields and value != "":
                rows = [row for row in rows if str(row.get(field)).lower() == value.lower()]
        level = call.query.get("level")
        if level:
            rows = [row for row in rows if _assignment_level(row) == level.lower()]
        return list_page(rows, call.query, rules)

    def _assignment_delete(self, call: Call, binding: Binding) -> Any:
        collection = binding.collection
        given = {field_for(name): value for name, value in {**dict(call.query), **call.params}.items()}
        scope = tuple(call.params.get(name, "") for name in collection.scope_params)
        self.require_parents(collection, call.params)
        rows = self.store.collection(collection.template, scope)
        doomed = [
            key
            for key, row in rows.items()
            if all(
                (row.get(name) or None) == (given.get(name) or None)
                for name in binding.identity_fields
                if name in given or name in _deletable_levels(call.op)
            )
        ]
        for key in doomed:
            del rows[key]
        return None

    # -- links --------------------------------------------------------------------------------

    def _link_put(self, call: Call, binding: Binding) -> Any:
        return self._link(call, binding, add=True)

    def _link_delete(self, call: Call, binding: Binding) -> Any:
        return self._link(call, binding, add=False)

    def _link(self, call: Call, binding: Binding, add: bool) -> None:
        collection = binding.collection
        item_param = self._item_param(call.op) or ""
        self.require_parents(collection, call.params)
        self.check_references({field_for(item_param): call.params[item_param]}, call.params)
        links = self.store.collection(collection.template + "#links", self.scope(collection, call.params))
        if add:
            # A link may carry its own values as query parameters (?defaultPriceScheduleID=), which
            # the link list shows beside the linked object's properties (ProductSupplier).
            declared = call.op.query_params()
            attributes = {field_for(name): value for name, value in call.query.items() if name in declared and value}
            links[call.params[item_param]] = {"ID": call.params[item_param], **attributes}
        elif links.pop(call.params[item_param], None) is None:
            raise not_found(collection.object_type, call.params[item_param])
        return None

    def _link_list(self, call: Call, binding: Binding) -> Any:
        collection = binding.collection
        self.require_parents(collection, call.params)
        links = self.store.view(collection.template + "#links", self.scope(collection, call.params))
        target = self.resolve_reference(field_for(self.link_param(collection.template) or ""), call.params)
        listed = collection.schema.get("properties") or {}
        items = []
        for linked_id, link in links.items():
            obj = self.store.get(target[0].template, target[1], linked_id) if target else None
            if obj is not None:
                items.append({name: obj[name] if name in obj else link.get(name) for name in listed} if listed else obj)
        return list_page(items, call.query, binding.list_rules)


def _bound(params: dict[str, str], body: dict[str, Any]) -> dict[str, str]:
    """Parameter values known from a path and from the *ID fields of a body or row (ProductID -> productID)."""
    return {**params, **{name[0].lower() + name[1:]: str(value) for name, value in body.items() if name.endswith("ID") and value}}


def _meta_properties(op: Operation) -> dict[str, Any]:
    return (op.response_schema or {}).get("properties", {}).get("Meta", {}).get("properties", {})


def _check_party(collection: Collection, body: dict[str, Any]) -> None:
    """An assignment names at most one company and, within it, a user or a group, not both.

    (A user group membership names both by nature: it is a relation, not an assignment to a party.)
    """
    if body.get("UserID") and body.get("UserGroupID") and collection.object_type != "UserGroupAssignment":
        raise bad_request("PartyAssignment.CannotSpecifyGroupAndUser", "Cannot specify both a UserID and a GroupID.")
    if body.get("BuyerID") and body.get("SupplierID"):
        raise bad_request("PartyAssignment.CannotSpecifyBuyerAndSupplier", "Cannot specify both a BuyerID and a SupplierID.")


def _assignment_level(row: dict[str, Any]) -> str:
    if row.get("UserID"):
        return "user"
    if row.get("UserGroupID"):
        return "group"
    return "company"


def _deletable_levels(op: Operation) -> set[str]:
    """Level fields a delete names as parameters: an absent one means "the row without it"."""
    return {field_for(p["name"]) for p in op.parameters if p["name"] in ("userID", "userGroupID", "buyerID", "supplierID")}
