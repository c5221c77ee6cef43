"""Workers: the operations' tests run ahead of pytest, several at once, in threads of the one run.

Against a real OrderCloud a call waits 50-150 ms on the network, so a gate that sends its
calls one after another spends its time waiting. `RunAhead` starts the bodies of the test
items (each a Hypothesis test of one operation) in up to `workers` threads as soon as they may
run, while pytest still sets up, reports and tears down the items one by one in its own order:
when pytest reaches an item, it waits for that item's body and reports its outcome as if the
body had run there. Everything else of the run stays as it is: one session (one target, one
seeded marketplace, one leave-no-trace count before and after, see session.py), one report.

Two rules keep the order the sequential run relies on:
- stages: an item starts only when no item of an earlier stage is running (`stage_of`; the
  contract suite gives creates, saves, reads, actions, patches, then deletes by depth,
  kinds.run_order), so that calls find the objects they need and nothing is deleted under them;
- lanes: items of one lane (`lane_of`, e.g. every /cart call: the shopper has one cart) run
  one after another, in order.
Hypothesis keeps its engine state per thread, so distinct tests may run in distinct threads.
Allure knows only the test pytest is running (in its own thread): what a body attaches
(`attach`) is kept with the body's outcome and attached when pytest reports the item.

CPython 3.11 keeps the recursion depth of `ast.parse`'s result conversion per interpreter, not
per thread: two threads parsing at once fail with "SystemError: AST constructor recursion depth
mismatch" (python/cpython#106905, fixed in 3.12). pytest parses sources to report a failure
while Hypothesis parses lambdas in the bodies, so while bodies run ahead `ast.parse` takes a lock.
"""

from __future__ import annotations

import ast
import functools
import sys
import threading
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import allure

Item = TypeVar("Item", bound=Hashable)
#: (text, name) of the attachments made by the body running in this thread; None: attach at once
_kept: ContextVar[list[tuple[str, str]] | None] = ContextVar("ocgate_worker_attachments", default=None)


def _one_parse_at_a_time() -> None:
    """Serialize `ast.parse` across threads on a Python whose AST conversion is not thread-safe."""
    if sys.version_info >= (3, 12) or getattr(ast.parse, "ocgate_locked", False):
        return
    parse, lock = ast.parse, threading.Lock()

    @functools.wraps(parse)
    def locked_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            return parse(*args, **kwargs)

    locked_parse.ocgate_locked = True  # type: ignore[attr-defined]
    ast.parse = locked_parse


def attach(text: str, name: str) -> None:
    """A text attachment on the current Allure test, also from a body running ahead."""
    kept = _kept.get()
    if kept is None:
        allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)
    else:
        kept.append((text, name))


@dataclass
class RunAhead(Generic[Item]):
    items: Sequence[Item]
    #: runs one item's body; what it raises is that item's outcome
    body: Callable[[Item], None]
    workers: int
    stage_of: Callable[[Item], Hashable]
    lane_of: Callable[[Item], Hashable | None]
    futures: dict[Item, Future] = field(init=False)
    _pending: list[Item] = field(init=False)
    _running: dict[Item, Hashable] = field(default_factory=dict)
    _busy_lanes: set[Hashable] = field(default_factory=set)
    _attachments: dict[Item, list[tuple[str, str]]] = field(default_factory=dict)
    _stopped: bool = False
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        _one_parse_at_a_time()
        self.futures = {item: Future() for item in self.items}
        self._pending = list(self.items)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="ocgate-worker")
        self._dispatcher = threading.Thread(target=self._dispatch, name="ocgate-dispatcher", daemon=True)
        self._dispatcher.start()

    def outcome(self, item: Item) -> None:
        """Wait for the item's body, attach what it attached, raise what it raised."""
        future = self.futures[item]
        error = future.exception()
        for text, name in self._attachments.pop(item, []):
            attach(text, name)
        if error is not None:
            raise error

    def stop(self) -> None:
        """Start nothing more; wait for the bodies already running (before the session cleans up)."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()
        self._dispatcher.join()
        self._pool.shutdown(wait=True)
        for future in self.futures.values():
            if not future.done():
                future.cancel()

    def _dispatch(self) -> None:
        while True:
            with self._changed:
                item = self._next()
                while item is None and not self._stopped and self._pending:
                    self._changed.wait()
                    item = self._next()
                if item is None:
                    return
                self._pending.remove(item)
                self._running[item] = self.stage_of(item)
                lane = self.lane_of(item)
                if lane is not None:
                    self._busy_lanes.add(lane)
            self._pool.submit(self._run, item, lane)

    def _next(self) -> Item | None:
        """The first pending item that may start now, if any."""
        if self._stopped or not self._pending or len(self._running) >= self.workers:
            return None
        stage = self.stage_of(self._pending[0])  # items come in stage order
        if any(running != stage for running in self._running.values()):
            return None
        for item in self._pending:
            if self.stage_of(item) != stage:
                return None
            if self.lane_of(item) not in self._busy_lanes:
                return item
        return None

    def _run(self, item: Item, lane: Hashable | None) -> None:
        future = self.futures[item]
        if future.set_running_or_notify_cancel():
            kept = self._attachments[item] = []
            _kept.set(kept)  # set per task: a pool thread keeps its context from one task to the next
            try:
                self.body(item)
            except BaseException as error:  # the item's outcome, re-raised where pytest reports it
                future.set_exception(error)
            else:
                future.set_result(None)
        with self._changed:
            del self._running[item]
            self._busy_lanes.discard(lane)
            self._changed.notify_all()
