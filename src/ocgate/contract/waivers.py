"""Waivers: known violations of a target that a team has accepted, for a reason, maybe for a while.

`contracts/waivers.toml` holds one `[[waiver]]` table per accepted failure:

    [[waiver]]
    operation = "Orders.Submit"          # an operationId
    check = "status_code_conformance"    # the check that fails
    reason = "OrderCloud answers 422 here; support ticket 1234"
    expires = 2026-12-31                 # optional; the waiver stops applying after this day

A failure matching a live waiver is reported as "known" and does not fail the gate; an
expired waiver no longer applies, so the failure counts again. A malformed file stops the
run with one line naming the entry and what to fix.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..config import ConfigError

FIELDS = {"operation", "check", "reason", "expires"}


@dataclass(frozen=True)
class Waiver:
    operation: str
    check: str
    reason: str
    expires: datetime.date | None = None

    def live(self, today: datetime.date) -> bool:
        return self.expires is None or today <= self.expires

    def describe(self) -> str:
        until = f" (until {self.expires.isoformat()})" if self.expires else ""
        return f"{self.operation} {self.check}: {self.reason}{until}"


@dataclass(frozen=True)
class Waivers:
    entries: tuple[Waiver, ...] = ()

    def find(self, operation_id: str, checks: Iterable[str], today: datetime.date | None = None) -> Waiver | None:
        """The live waiver covering a failure of one of `checks` on this operation, if any."""
        today = today or datetime.date.today()
        names = set(checks)
        for waiver in self.entries:
            if waiver.operation == operation_id and waiver.check in names and waiver.live(today):
                return waiver
        return None

    def expired(self, today: datetime.date | None = None) -> list[Waiver]:
        today = today or datetime.date.today()
        return [waiver for waiver in self.entries if not waiver.live(today)]


def load_waivers(path: Path, known_operations: Iterable[str] = (), known_checks: Iterable[str] = ()) -> Waivers:
    """Read and validate a waiver file; a missing file means no waivers.

    With `known_operations` / `known_checks` given, an entry naming anything else is refused,
    so that a typo cannot silently waive nothing.
    """
    if not path.exists():
        return Waivers()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from None
    unknown_tables = set(document) - {"waiver"}
    if unknown_tables:
        raise ConfigError(f"{path}: unknown table(s) {', '.join(sorted(unknown_tables))}; the file holds only [[waiver]] entries")
    entries = document.get("waiver", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'waiver' must be an array of tables; write each entry as [[waiver]]")
    operations, checks = set(known_operations), set(known_checks)
    return Waivers(tuple(_waiver(path, index, entry, operations, checks) for index, entry in enumerate(entries, start=1)))


def _waiver(path: Path, index: int, entry: dict, operations: set[str], checks: set[str]) -> Waiver:
    where = f"{path}: waiver #{index}"
    unknown = set(entry) - FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(FIELDS))}")
    for name in ("operation", "check", "reason"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise ConfigError(f"{where}: '{name}' is required and must be a non-empty string")
    if operations and entry["operation"] not in operations:
        raise ConfigError(f"{where}: unknown operation {entry['operation']!r}; use an operationId of the spec, e.g. 'Orders.Submit'")
    if checks and entry["check"] not in checks:
        raise ConfigError(f"{where}: unknown check {entry['check']!r}; known checks: {', '.join(sorted(checks))}")
    expires = entry.get("expires")
    if expires is not None and (not isinstance(expires, datetime.date) or isinstance(expires, datetime.datetime)):
        raise ConfigError(f"{where}: 'expires' must be a TOML date such as 2026-12-31, not {expires!r}")
    return Waiver(entry["operation"], entry["check"], entry["reason"].strip(), expires)
