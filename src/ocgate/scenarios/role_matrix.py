"""The role matrix: who gets 403 where, generated from the spec.

Every operation lists the roles that suffice to call it (any one of them;
BEHAVIOUR.md §6). For each operation the matrix sends one safe request as
personas that each hold exactly one role:

- "without its roles": a seller and a buyer persona holding none of the
  operation's roles must get 403 `InsufficientRoles`, with the sufficient
  roles named in `Data.SufficientRoles`;
- "with one of its roles": a persona for each listed role must get past the
  role check (no 401, no 403);
- "any valid token": operations without roles must not answer 401 or 403.

The request is the same for every persona and harmless: path and required
query parameters name run-scoped objects that do not exist, and a request
body, where the operation takes one, is a JSON array that no OrderCloud
model accepts. So a persona that passes the role check meets a 404 or 400
and nothing is created, changed or deleted.

The probes are independent calls, so they go out at once, ahead of their
tests (`probe_all`, in `fan_out` threads; the pacer still caps the rate):
a denied probe changes nothing, and a probe that names absent objects meets
a 404 or 400. Only the probes that act on the caller's own state (its /me,
its cart, its tokens: `ordered`) keep their order: one lane per persona,
one by one in matrix order, after the rest.

Results go to `reports/role-matrix.csv` and `.md` (expected vs observed).
Test processes append observations to a JSON-lines file first, so that
parallel workers can share one report.
"""

from __future__ import annotations

import csv
import json
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx

from ..api.client import ApiCallError
from ..api.fanout import FAN_OUT, fan_out
from ..spec import Operation, Spec

#: Roles of the buyer perspective: /me, the cart and a shopper's own orders.
BUYER_SIDE_ROLES = frozenset({"Shopper", "MeAdmin", "MeAddressAdmin", "MeCreditCardAdmin", "MeXpAdmin", "PasswordReset"})
#: Resources only buyer users may use, though the spec does not say so (BEHAVIOUR.md §4.2: the cart).
BUYER_ONLY_RESOURCES = frozenset({"Cart"})
#: Query parameters that carry an access token: the probe sends the caller's own, which is no
#: anonymous shopper's token, so the operation refuses it as bad input instead of failing the login.
TOKEN_PARAMETERS = frozenset({"anonUserToken"})
#: The body every probe with a request body sends: valid JSON, but not an object, so never a valid model.
UNUSABLE_BODY = ["ocgate role-matrix probe: not a model"]

#: Paths of the caller's own state: a probe there that gets past the role check may change what
#: the caller's next probe meets (GET /cart makes a cart, DELETE /cart removes it, DELETE /me/tokens
#: revokes the caller's tokens).
OWN_STATE_PATHS = ("/me", "/cart")

#: Who probes operations that need no role: the narrowest persona, a buyer user holding only PasswordReset.
ANY_TOKEN_PERSONA_ROLE = "PasswordReset"

DENIED = "without its roles"
ALLOWED = "with one of its roles"
ANY_TOKEN = "any valid token"
Group = Literal["without its roles", "with one of its roles", "any valid token"]
Side = Literal["seller", "buyer"]


@dataclass(frozen=True, order=True)
class RolePersona:
    """A user of one side whose token holds exactly one role."""

    side: Side
    role: str

    @property
    def name(self) -> str:
        return f"{self.side}-{self.role}"


@dataclass(frozen=True)
class Probe:
    """The one safe request sent for an operation."""

    method: str
    path: str  # relative to /v1
    params: dict[str, str]
    body: Any  # None: the operation takes no body
    token_params: tuple[str, ...] = ()

    def query(self, access_token: str) -> dict[str, str]:
        """The query parameters as sent by the holder of `access_token`."""
        return {**self.params, **{name: access_token for name in self.token_params}}


@dataclass(frozen=True)
class MatrixEntry:
    """One operation × persona group: one test, one Allure result."""

    op: Operation
    group: Group
    personas: tuple[RolePersona, ...]

    @property
    def id(self) -> str:
        return f"{self.op.operation_id}[{self.group}]"


@dataclass
class Observation:
    """One persona's answer to one probe, judged against the expectation."""

    operation_id: str
    method: str
    path: str
    sufficient_roles: str
    group: str
    persona: str
    role: str
    expected: str
    observed: str
    passed: bool
    problem: str = ""


# -- generating the matrix --------------------------------------------------------------


def side_of(role: str, op: Operation) -> Side:
    """Which kind of user holds `role` when calling `op`: buyer-only operations need buyer users."""
    buyer_only = op.buyer_users_only or op.resource in BUYER_ONLY_RESOURCES
    return "buyer" if buyer_only or role in BUYER_SIDE_ROLES else "seller"


def build_matrix(spec: Spec) -> list[MatrixEntry]:
    """Every operation with roles in both groups; operations without roles as "any valid token"."""
    pool = _persona_pool(spec)
    entries = []
    for op in spec.operations:
        if op.operation_id == "Certs.GetPublicKey":
            continue  # public: it needs no token at all, so there is nothing to grant or deny
        if not op.roles:
            entries.append(MatrixEntry(op, ANY_TOKEN, (RolePersona("buyer", ANY_TOKEN_PERSONA_ROLE),)))
            continue
        entries.append(MatrixEntry(op, DENIED, _denied_personas(op, pool)))
        entries.append(MatrixEntry(op, ALLOWED, tuple(RolePersona(side_of(role, op), role) for role in op.roles)))
    return entries


def _persona_pool(spec: Spec) -> list[RolePersona]:
    """One persona per role of the spec on its usual side (FullAccess on both: buyer-only operations need a buyer)."""
    pool = {RolePersona(side_of(role, op), role) for op in spec.operations for role in op.roles}
    return sorted(pool)


def _denied_personas(op: Operation, pool: list[RolePersona]) -> tuple[RolePersona, ...]:
    """A seller and a buyer persona holding none of the operation's roles.

    The seller is the closest miss where there is one (the Reader of a resource the
    operation administers: ProductReader for Products.Create); otherwise a stable pick,
    so that the denials spread over all personas. The buyer is a plain Shopper unless
    Shopper is one of the roles.
    """
    chosen = []
    for side in ("seller", "buyer"):
        candidates = [p for p in pool if p.side == side and p.role not in op.roles]
        preferred = [p for p in candidates if p.role in _near_misses(op)]
        if candidates:
            chosen.append(preferred[0] if preferred else candidates[zlib.crc32(op.operation_id.encode()) % len(candidates)])
    return tuple(chosen)


def _near_misses(op: Operation) -> list[str]:
    readers = [role.removesuffix("Admin") + "Reader" for role in op.roles if role.endswith("Admin")]
    return readers + ["Shopper"]


def personas_needed(entries: Iterable[MatrixEntry]) -> list[RolePersona]:
    return sorted({persona for entry in entries for persona in entry.personas})


def roles_without_operations(spec: Spec) -> list[str]:
    """Roles the SecurityProfile model knows that no operation lists (tested by scripted rules, if at all)."""
    known = spec.schema("SecurityProfile")["properties"]["Roles"]["items"].get("enum", [])
    return sorted(set(known) - spec.all_roles())


# -- probing ---------------------------------------------------------------------------------


def probe_for(op: Operation, run_id: str) -> Probe:
    """The request for `op`: run-scoped IDs that name nothing, and an unusable body."""
    values = {p["name"]: _parameter_value(p, run_id) for p in op.parameters if p["in"] == "path"}
    path = re.sub(r"{(\w+)}", lambda match: values[match.group(1)], op.path)
    required = [p for p in op.parameters if p["in"] == "query" and p.get("required")]
    params = {p["name"]: _parameter_value(p, run_id) for p in required if p["name"] not in TOKEN_PARAMETERS}
    token_params = tuple(p["name"] for p in required if p["name"] in TOKEN_PARAMETERS)
    return Probe(op.method, path, params, UNUSABLE_BODY if op.request_schema is not None else None, token_params)


def ordered(entry: MatrixEntry, probe: Probe) -> bool:
    """Whether the probe must keep its place among its persona's probes: it gets past the role
    check (a denial changes nothing) and acts on the caller's own state, or sends the caller's token."""
    own_state = any(probe.path == path or probe.path.startswith(path + "/") for path in OWN_STATE_PATHS)
    return entry.group != DENIED and (own_state or bool(probe.token_params))


Call = tuple[MatrixEntry, RolePersona]
A = TypeVar("A")


def probe_all(entries: Iterable[MatrixEntry], send: Callable[[MatrixEntry, RolePersona], A], run_id: str, workers: int = FAN_OUT) -> dict[tuple[str, RolePersona], A]:
    """Every persona's answer to every entry's probe, keyed by (entry ID, persona).

    `send(entry, persona)` sends one probe. Probes that change nothing go out at once, in up to
    `workers` threads; then the `ordered` ones, a lane per persona (distinct users: one lane
    cannot change what another meets), each lane one by one in matrix order, the lanes at once.
    `workers=1` sends every probe one by one in matrix order, as the tests did before: the
    answers are the same."""
    calls: list[Call] = [(entry, persona) for entry in entries for persona in entry.personas]
    if workers <= 1:
        return {(entry.id, persona): send(entry, persona) for entry, persona in calls}
    lanes: dict[RolePersona, list[Call]] = {}
    free: list[Call] = []
    for entry, persona in calls:
        if ordered(entry, probe_for(entry.op, run_id)):
            lanes.setdefault(persona, []).append((entry, persona))
        else:
            free.append((entry, persona))
    answers = dict(zip([(entry.id, persona) for entry, persona in free], fan_out(lambda call: send(*call), free, workers)))
    for lane, lane_answers in zip(lanes.values(), fan_out(lambda lane: [send(*call) for call in lane], list(lanes.values()), workers)):
        answers.update(zip([(entry.id, persona) for entry, persona in lane], lane_answers))
    return answers


def _parameter_value(parameter: dict[str, Any], run_id: str) -> str:
    schema = parameter.get("schema", {})
    if schema.get("enum"):
        return str(schema["enum"][0])
    if schema.get("type") in ("integer", "number"):
        return "1"
    if schema.get("type") == "boolean":
        return "false"
    return f"{run_id}-absent"


def judge(entry: MatrixEntry, persona: RolePersona, probe: Probe, response: httpx.Response) -> Observation:
    """Compare one answer with what the entry's group expects."""
    error = None if response.is_success else ApiCallError(response)
    code, data = (error.error_code, error.data) if error else (None, None)
    observed = f"{response.status_code} {code or ''}".strip()
    if entry.group == DENIED:
        expected = "403 InsufficientRoles"
        problem = _denial_problem(entry.op, response.status_code, code, data)
    else:
        expected = "not 401/403" + (" (400/404 for the probe)" if probe.body is not None else "")
        problem = _access_problem(response.status_code, probe)
    return Observation(
        operation_id=entry.op.operation_id,
        method=probe.method,
        path=entry.op.path,
        sufficient_roles=" ".join(entry.op.roles) or "(none)",
        group=entry.group,
        persona=f"{persona.side} with {persona.role}",
        role=persona.role,
        expected=expected,
        observed=observed,
        passed=not problem,
        problem=problem,
    )


def _denial_problem(op: Operation, status: int, code: str | None, data: Any) -> str:
    if status != 403 or code != "InsufficientRoles":
        return f"expected 403 InsufficientRoles, got {status} {code or ''}".strip()
    named = (data or {}).get("SufficientRoles") if isinstance(data, dict) else None
    if not named or set(named) != set(op.roles):
        return f"Data.SufficientRoles should name {sorted(op.roles)}, got {named!r}"
    return ""


def _access_problem(status: int, probe: Probe) -> str:
    if status in (401, 403):
        return f"the role check refused a persona holding a sufficient role ({status})"
    if status >= 500:
        return f"server error {status} for a request that should be refused as bad input"
    if probe.body is not None and status < 300:
        return f"accepted a request body that is not an object ({status}); it should be 400"
    return ""


# -- reporting --------------------------------------------------------------------------------


def record(observation: Observation, log: Path) -> None:
    """Append one observation (one short line: appends from parallel workers do not interleave)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(observation)) + "\n")


def read_log(log: Path) -> list[Observation]:
    if not log.exists():
        return []
    return [Observation(**json.loads(line)) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_reports(observations: list[Observation], reports_dir: Path, uncovered_roles: Iterable[str] = ()) -> tuple[Path, Path]:
    """reports/role-matrix.csv (one row per observation) and role-matrix.md (summary, failures, coverage, table)."""
    observations = sorted(observations, key=lambda o: (o.operation_id, o.group, o.persona))
    reports_dir.mkdir(parents=True, exist_ok=True)
    csv_path = reports_dir / "role-matrix.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["operation", "method", "path", "sufficient roles", "group", "persona", "expected", "observed", "result", "problem"])
        for o in observations:
            writer.writerow([o.operation_id, o.method, o.path, o.sufficient_roles, o.group, o.persona, o.expected, o.observed, _verdict(o), o.problem])
    md_path = reports_dir / "role-matrix.md"
    md_path.write_text(_markdown(observations, list(uncovered_roles)), encoding="utf-8")
    return csv_path, md_path


def _verdict(observation: Observation) -> str:
    return "pass" if observation.passed else "FAIL"


def _markdown(observations: list[Observation], uncovered_roles: list[str]) -> str:
    failed = [o for o in observations if not o.passed]
    operations = {o.operation_id for o in observations}
    lines = [
        "# Role matrix",
        "",
        f"{len(operations)} operations, {len(observations)} probes: {len(observations) - len(failed)} as expected, {len(failed)} not.",
        "",
        "Each operation gets one harmless request (run-scoped IDs that name nothing, a body that is no model)",
        "from personas holding exactly one role. Without any of the operation's roles: 403 InsufficientRoles",
        "naming the sufficient roles. With one of them: past the role check (no 401/403).",
        "",
    ]
    if failed:
        lines += ["## Not as expected", "", *_table(failed), ""]
    lines += ["## Coverage per role", "", "| role | granted access (probes) | denied without it (probes) |", "| --- | --- | --- |"]
    granted = Counter(o.role for o in observations if o.group == ALLOWED and o.passed)
    denied: Counter[str] = Counter()
    for o in observations:
        if o.group == DENIED and o.passed:
            denied.update(o.sufficient_roles.split())
    for role in sorted(set(granted) | set(denied)):
        lines.append(f"| {role} | {granted[role]} | {denied[role]} |")
    if uncovered_roles:
        lines += ["", f"Roles that no operation lists (not in the matrix): {', '.join(uncovered_roles)}."]
    lines += ["", "## All probes", "", *_table(observations), ""]
    return "\n".join(lines)


def _table(observations: list[Observation]) -> list[str]:
    rows = ["| operation | group | persona | expected | observed | result |", "| --- | --- | --- | --- | --- | --- |"]
    for o in observations:
        result = _verdict(o) + (f": {o.problem}" if o.problem else "")
        rows.append(f"| {o.operation_id} | {o.group} | {o.persona} | {o.expected} | {o.observed} | {result} |")
    return rows
