"""Where hand-written business semantics plug into the spec-driven sandbox.

Everything generic (CRUD, assignments, lists, validation) follows from the
spec in `resources.py`. A module under `handlers/` that needs real OrderCloud
behaviour registers it here by operationId, or hooks writes to a collection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..spec import Operation
    from .auth import Identity
    from .state import Marketplace


@dataclass
class Call:
    """One API request as the handlers see it."""

    op: Operation
    params: dict[str, str]
    query: Any  # starlette QueryParams (multi-valued)
    body: Any
    identity: Identity
    market: Marketplace


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

HANDLERS: dict[str, Handler] = {}
PRESENTERS: dict[str, list[Presenter]] = {}
WRITE_HOOKS: dict[str, list[WriteHook]] = {}
DELETE_HOOKS: dict[str, list[DeleteHook]] = {}


def handles(*operation_ids: str) -> Callable[[Handler], Handler]:
    """Register a hand-written handler for operations (by operationId)."""

    def register(handler: Handler) -> Handler:
        for operation_id in operation_ids:
            if operation_id in HANDLERS:
                raise RuntimeError(f"two handlers for {operation_id}")
            HANDLERS[operation_id] = handler
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
