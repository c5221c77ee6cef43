"""Independent calls sent at once: a run's setup and cleanup wait on the network, not on each other.

At 100 ms per request a cleanup of 2,000 DELETEs sent one by one takes over three minutes.
`fan_out` runs a function over items in `FAN_OUT` threads (the pacer, pacing.py, still caps
the rate); `delete_all` removes a run's objects that way: the deepest paths first (children
before parents: /buyers/{b}/users/{u} before /buyers/{b}), every delete of one depth at once,
never a parent whose child was refused; what the target refused (a catalog still some buyer's
default, a user group still a rule's approving group) is tried again after the rest, until a
pass removes nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
#: Calls in flight at once during setup and cleanup.
FAN_OUT = 8


def fan_out(function: Callable[[T], R], items: Iterable[T], workers: int = FAN_OUT) -> list[R]:
    """`function` of each item, in the items' order, computed in up to `workers` threads."""
    items = list(items)
    if len(items) <= 1 or workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(min(workers, len(items)), thread_name_prefix="ocgate-fan-out") as pool:
        return list(pool.map(function, items))


def delete_all(deletes: Sequence[T], path_of: Callable[[T], str], send: Callable[[T], str | None]) -> list[str]:
    """Send every delete (`send` returns None when done, else why not); returns the refusals left
    when a pass over the refused ones removed nothing more. `deletes` come oldest first.

    Within a pass, an object holding one whose delete was refused is not sent: deleting it
    might leave the refused one behind, out of reach of any later DELETE."""
    pending: list[T] = list(reversed(deletes))  # newest first within a depth, as made
    refusals: list[tuple[T, str]] = []
    while pending:
        refusals = []
        by_depth = sorted(pending, key=lambda delete: -path_of(delete).count("/"))
        for _, group in groupby(by_depth, key=lambda delete: path_of(delete).count("/")):
            wave, held = [], []
            for delete in group:
                holds_refused = any(path_of(refused).startswith(path_of(delete) + "/") for refused, _ in refusals)
                (held if holds_refused else wave).append(delete)
            refusals += [(delete, reason) for delete, reason in zip(wave, fan_out(send, wave)) if reason is not None]
            refusals += [(delete, f"DELETE {path_of(delete)} not sent: an object inside it was not deleted") for delete in held]
        if len(refusals) == len(pending):
            break
        pending = [delete for delete, _ in refusals]
    return [reason for _, reason in refusals]
