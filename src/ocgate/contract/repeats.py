"""Coverage bodies one resource was already sent are not sent to its other writes again.

Schemathesis's coverage phase walks a request body's schema and makes one case per property and
value class: every enum value, the boundary lengths and numbers, null, the required-only and
required-plus-one objects. POST /x, PUT /x/{id} and PATCH /x/{id} take the same model, so they
get the same bodies: in the gate profile on 1.0.260, 3,949 of the 11,801 coverage calls sent a
body that its resource's create had already been sent (measured with a call log of one run).
What such a call tests is the model's validation of that value, which the resource shares
across its writes; at 100 ms a call, the repeats cost more than six minutes of one worker.

So, in profiles that ask for it (`profiles.SEND_EACH_BODY_ONCE`), a positive coverage case of
the body is not sent when the same generated body (before the run fills in its references) went
to the same resource already, unless that body was accepted there and this operation has not
answered 2xx yet: then it is the call most likely to reach the operation's business logic (a
model whose validation refuses most coverage bodies, like Promotion's expressions, would
otherwise never see its PUT succeed). The resource is the path without a trailing `/{id}`; stages run
creates before saves before patches (kinds.run_order), so the create is the one that sends it.
Everything else is always sent: examples, fuzzing, negative cases, query and path variants, and
bodies only one operation gets (a PATCH's single-field objects); every operation still runs
every check on the calls it makes.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field

from schemathesis import Case
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase

_TRAILING_ID = re.compile(r"/\{[^/}]+\}$")


def resource_of(path: str) -> str:
    """`/buyers/{buyerID}/users/{userID}` -> `/buyers/{buyerID}/users`; a collection path stays itself."""
    return _TRAILING_ID.sub("", path)


@dataclass
class SentBodies:
    """The positive coverage bodies sent so far per resource; thread-safe (the gate's workers share it)."""

    enabled: bool = True
    #: cases not sent because their resource had been sent the same body
    not_sent: int = 0
    #: (resource, body) -> whether a write of the resource accepted it (2xx)
    _sent: dict[tuple[str, str], bool] = field(default_factory=dict)
    #: case id -> its key, until its answer is known
    _pending: dict[str, tuple[str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def repeats(self, case: Case, operation_reached_2xx: bool) -> bool:
        """Whether `case` repeats a body of its resource and buys nothing new (it then counts as not sent)."""
        key = self._key(case)
        if key is None:
            return False
        with self._lock:
            if key in self._sent and (operation_reached_2xx or not self._sent[key]):
                self.not_sent += 1
                return True
            self._pending[case.id] = key
            return False

    def answered(self, case: Case, status: int) -> None:
        """Note the answer to a body `repeats` let through."""
        with self._lock:
            key = self._pending.pop(case.id, None)
            if key is not None:
                self._sent[key] = self._sent.get(key, False) or 200 <= status < 300

    def _key(self, case: Case) -> tuple[str, str] | None:
        meta = case.meta
        if not self.enabled or meta is None or meta.phase.name != TestPhase.COVERAGE or meta.generation.mode != GenerationMode.POSITIVE:
            return None
        if getattr(meta.phase.data, "parameter_location", None) != ParameterLocation.BODY:
            return None
        return resource_of(case.operation.path), json.dumps(case.body, sort_keys=True, default=str)
