"""Probes: a request the suite already sent, sent again with other credentials or a second time.

Checks use them to test what a single response cannot show: that an operation refuses a
caller without a token (401) or without any role (403), and that a create refuses a
duplicate ID (409). Each probe runs once per operation and run, on the first call that
succeeded, so that the route and the data are known to be good.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from ..api.pacing import PACER
from .semantics import WriteLog

PROBE_TIMEOUT = 30


@dataclass
class Prober:
    #: The Authorization header of a persona holding no roles at all.
    roleless_authorization: Callable[[], str]
    session: requests.Session = field(default_factory=requests.Session)
    #: the run's write log (a probe of a write may write: semantics.py)
    log: WriteLog | None = None
    sent: int = 0
    _done: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def first(self, kind: str, operation: str) -> bool:
        """True once per (probe kind, operation): the caller should probe now."""
        with self._lock:
            if (kind, operation) in self._done:
                return False
            self._done.add((kind, operation))
            return True

    def resend(self, request: requests.PreparedRequest, authorization: str | None) -> requests.Response:
        """The same request with another Authorization header (None: without one)."""
        probe = request.copy()
        probe.headers.pop("Authorization", None)
        if authorization is not None:
            probe.headers["Authorization"] = authorization
        with self._lock:
            self.sent += 1
        PACER.turn()
        number = self.log.begin(probe.method or "GET", probe.url or "") if self.log is not None else None
        try:
            return self.session.send(probe, timeout=PROBE_TIMEOUT)
        finally:
            if self.log is not None:
                self.log.end(number)
