"""Where hand-written business semantics plug into the spec-driven sandbox.

Everything generic (CRUD, assignments, lists, validation) follows from the
spec in `resources.py`. What a module under `handlers/` or `rules/` adds is
declared here:

- `handles`: a hand-written handler for operations with real business semantics;
- `before_write` / `before_delete`: checks or derivations on a collection's writes;
- `presents`: derived, read-only fields of a collection's objects;
- `guard`: who reaches a collection's objects through the generic get / list / save /
  patch / delete (a parent the caller must see, e.g. the order of its line items, and
  whether the caller sees one object, e.g. a shipment);
- `perspective`: where a caller-relative collection (/me/...) is stored for this caller
  (under the caller, e.g. its product collections, or its company, e.g. cost centers).

Templates are storage templates as the operations' paths name them, without
`{direction}` (e.g. "/orders/{orderID}/lineitems").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..spec import Operation
    from .directory import Identity
    from .state import Marketplace


T = TypeVar("T")


@dataclass
class Call:
    """One API request as the handlers see it."""

    op: Operation
    params: dict[str, str]
    query: Any  # starlette QueryParams (multi-valued)
    body: Any
    identity: Identity
    market: Marketplace
    #: Values worked out once per request (what the caller may see, ...): see `once`.
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, worked out at most once for this request (e.g. a guard asked for every object
        of a list). Only for what the request does not change: a handler that writes recomputes."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


@dataclass
class Reply:
    """A handler's answer when the status is not the operation's documented success status."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Any]
#: (call, stored object about to be written, the previous version or None) -> None; may raise ApiError.
WriteHook = Callable[[Call, dict[str, Any], dict[str, Any] | None], None]
#: (call, object being deleted) -> None
DeleteHook = Callable[[Call, dict[str, Any]], None]

#: (call, stored object, its scope) -> the object as the API shows it (derived fields filled in)
Presenter = Callable[[Call, dict[str, Any], tuple[str, ...]], dict[str, Any]]


@dataclass(frozen=True)
class Guard:
    """Who reaches the objects of one collection through the generic operations.

    `parent(call)` raises (404) unless the caller may reach what the collection hangs off (e.g.
    the order of its line items); it runs before anything is read. `can_see(call, obj)` says
    whether the caller sees one object: one it does not see answers 404, as if it did not exist,
    and lists leave it out.
    """

    parent: Callable[[Call], object] | None = None
    can_see: Callable[[Call, dict[str, Any]], bool] | None = None


@dataclass(frozen=True)
class Perspective:
    """Where the objects of a caller-relative collection (/me/...) are stored: at the `stored_at`
    template, with the path parameters `scope(call)` names for the calling user."""

    stored_at: str
    scope: Callable[[Call], dict[str, str]]


HANDLERS: dict[str, Handler] = {}
PRESENTERS: dict[str, list[Presenter]] = {}
WRITE_HOOKS: dict[str, list[WriteHook]] = {}
DELETE_HOOKS: dict[str, list[DeleteHook]] = {}
GUARDS: dict[str, Guard] = {}
PERSPECTIVES: dict[str, Perspective] = {}


V = TypeVar("V")


def _declare_once(table: dict[str, V], keys: tuple[str, ...], value: V, what: str) -> None:
    """Enter `value` under each key; a second declaration for a key is a mistake (RuntimeError)."""
    for key in keys:
        if key in table:
            raise RuntimeError(f"two {what} for {key}")
        table[key] = value


def handles(*operation_ids: str) -> Callable[[Handler], Handler]:
    """Register a hand-written handler for operations (by operationId)."""

    def register(handler: Handler) -> Handler:
        _declare_once(HANDLERS, operation_ids, handler, "handlers")
        return handler

    return register


def before_write(*templates: str) -> Callable[[WriteHook], WriteHook]:
    """Run a check or derivation before an object of these collections is created or changed."""

    def register(hook: WriteHook) -> WriteHook:
        for template in templates:
            WRITE_HOOKS.setdefault(template, []).append(hook)
        return hook

    return register


def before_delete(*templates: str) -> Callable[[DeleteHook], DeleteHook]:
    def register(hook: DeleteHook) -> DeleteHook:
        for template in templates:
            DELETE_HOOKS.setdefault(template, []).append(hook)
        return hook

    return register


def presents(*templates: str) -> Callable[[Presenter], Presenter]:
    """Fill derived, read-only fields (e.g. AvailableRoles) whenever objects of these collections are returned."""

    def register(presenter: Presenter) -> Presenter:
        for template in templates:
            PRESENTERS.setdefault(template, []).append(presenter)
        return presenter

    return register


def guard(
    *templates: str,
    parent: Callable[[Call], object] | None = None,
    can_see: Callable[[Call, dict[str, Any]], bool] | None = None,
) -> None:
    """Declare who reaches these collections' objects through the generic get, list, save, patch
    and delete (and create, for `parent`); see `Guard`. Hand-written handlers apply their own rules."""
    _declare_once(GUARDS, templates, Guard(parent, can_see), "guards")


def perspective(*templates: str, stored_at: str, scope: Callable[[Call], dict[str, str]]) -> None:
    """Declare that these caller-relative collections show the objects stored at `stored_at` for the
    path parameters `scope(call)` gives: the generic operations read and write there."""
    _declare_once(PERSPECTIVES, templates, Perspective(stored_at, scope), "perspectives")


def the_marketplace(call: Call) -> dict[str, str]:
    """No path parameters: the objects are stored marketplace-wide (for `perspective`)."""
    return {}


def callers_buyer(call: Call) -> dict[str, str]:
    """The path parameters of the caller's buyer (for `perspective`)."""
    return {"buyerID": call.identity.company_id}


def the_caller(call: Call) -> dict[str, str]:
    """The path parameters of the calling buyer user itself (for `perspective`: stored under the caller)."""
    return {"buyerID": call.identity.company_id, "userID": call.identity.user_id}
