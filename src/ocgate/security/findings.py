"""A security finding, and how a waiver turns it into a known one.

A finding is an AssertionError whose every line reads "Security: <rule>: <operation>: <what
happened>": the report's "Security" category matches that prefix, and a waiver (same file
format as the contract gate's, read with `contract.waivers` by the suite's conftest) names the operationId (or `OAuth.Token` for
the token endpoint, which the OpenAPI document does not list) and the rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

PREFIX = "Security:"
#: The token endpoint is not an operation of the OpenAPI document; findings and waivers call it this.
TOKEN_ENDPOINT = "OAuth.Token"


@dataclass(frozen=True)
class Problem:
    rule: str
    operation: str
    detail: str

    def line(self) -> str:
        return f"{PREFIX} {self.rule}: {self.operation}: {self.detail}"


class Finding(AssertionError):
    """One or more broken security rules, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(problem.line() for problem in problems))


@dataclass
class Findings:
    """Collects the problems of one test; `raise_any()` raises them together."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, rule: str, operation: str, detail: str) -> None:
        self.problems.append(Problem(rule, operation, detail))

    def check(self, run: Callable[[], None]) -> None:
        """Run one check, keeping its finding instead of stopping at it."""
        try:
            run()
        except Finding as error:
            self.problems += error.problems

    def raise_any(self) -> None:
        if self.problems:
            raise Finding(self.problems)


class WaiverFile(Protocol):
    """What `contract.waivers.Waivers` offers (the security suite's conftest loads the file with it;
    this capability does not import another)."""

    def find(self, operation_id: str, checks: Iterable[str], today: datetime.date | None = None) -> Any: ...


def waived(finding: Finding, waivers: WaiverFile, today: datetime.date | None = None) -> tuple[list[Any], list[Problem]]:
    """The live waivers covering a finding's problems, and the problems no waiver covers."""
    covering: list[Any] = []
    open_problems: list[Problem] = []
    for problem in finding.problems:
        waiver = waivers.find(problem.operation, [problem.rule], today)
        if waiver is None:
            open_problems.append(problem)
        elif waiver not in covering:
            covering.append(waiver)
    return covering, open_problems
