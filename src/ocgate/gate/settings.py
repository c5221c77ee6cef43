"""The contract settings: the profile of a run, the operations it selects, its waiver file.

The `[contract]` table of ocgate.toml holds these settings; environment variables
`OCGATE_CONTRACT__*` override them (lists as JSON, e.g. `OCGATE_CONTRACT__TAGS='["Buyers"]'`),
and the pytest options of `contracts/` override both by setting those variables (see `plan.contract_settings`). This module
imports nothing from `ocgate.config`, so that config.py can import `ContractSettings`.

Profiles are Schemathesis configurations. `gate` is the CI default: every phase but
the stateful one, sized to cover every operation of the pinned document within the
five-minute budget. `deep` is for nightly runs: more examples, negative coverage
cases, shrinking, and the stateful phase.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from ..spec import Operation

ENV_PREFIX = "OCGATE_CONTRACT__"
DEFAULT_WAIVERS = "contracts/waivers.toml"

Profile = Literal["gate", "deep"]

#: Checks whose stock expectations do not match OrderCloud, and why (see PROFILES).
_CHECKS: dict[str, Any] = {
    # OrderCloud validates business rules the schema cannot express (password policy, rule
    # expressions, inventory, references to other objects...) and answers 400 with a specific
    # ErrorCode (BEHAVIOUR.md §2.3): schema-valid data may rightly be refused with 400.
    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409"]},
    # Response formats are checked: OrderCloud promises ISO 8601 dates (BEHAVIOUR.md "Misc").
    "response_schema_conformance": {"validate-formats": True},
}

#: Schemathesis configuration per profile (`schemathesis.Config.from_dict` format).
PROFILES: dict[str, dict[str, Any]] = {
    "gate": {
        "seed": 2026,
        "generation": {"mode": "all", "max-examples": 6, "no-shrink": True, "deterministic": True, "allow-x00": False},
        "checks": _CHECKS,
        "phases": {
            "examples": {"enabled": True},
            # Negative data comes from the fuzzing phase here; the coverage phase's negative
            # cases (one per property and constraint) are ~60% of its requests: `deep` sends them.
            # Real OrderCloud's answer to an undeclared HTTP method is not documented (BEHAVIOUR.md
            # has no fact on 405), so no probes with undeclared methods are sent.
            "coverage": {"enabled": True, "unexpected-methods": [], "generation": {"mode": "positive"}},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    },
    "deep": {
        "seed": 2026,
        "generation": {"mode": "all", "max-examples": 40, "allow-x00": False},
        "checks": _CHECKS,
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True, "unexpected-methods": []},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": True, "max-steps": 30},
        },
    },
}


class ContractSettings(BaseModel):
    """The `[contract]` table of ocgate.toml."""

    profile: Profile = "gate"
    #: Operation filters: an operation runs when it matches every non-empty filter
    #: (any value of a filter matches; paths may end with `*` for a prefix).
    tags: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)
    methods: list[str] = Field(default_factory=list)
    operation_ids: list[str] = Field(default_factory=list)
    #: The waiver (baseline) file, relative to the directory of ocgate.toml.
    waivers: str = DEFAULT_WAIVERS

    model_config = {"extra": "forbid"}

    @field_validator("tags", "paths", "methods", "operation_ids", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def selects(self, op: Operation) -> bool:
        """Whether the filters let this operation run."""
        return (
            _matches_any(self.tags, op.tags, str.lower)
            and _matches_any(self.methods, (op.method,), str.upper)
            and _matches_any(self.operation_ids, (op.operation_id,), str.lower)
            and (not self.paths or any(_path_matches(pattern, op.path) for pattern in self.paths))
        )

    def as_environment(self) -> dict[str, str]:
        """These settings as OCGATE_CONTRACT__* variables (for a pytest subprocess)."""
        return {ENV_PREFIX + name.upper(): json.dumps(value) if isinstance(value, list) else str(value) for name, value in self.model_dump().items()}


def _matches_any(wanted: list[str], actual: tuple[str, ...], norm: Any) -> bool:
    return not wanted or bool({norm(value) for value in wanted} & {norm(value) for value in actual})


def _path_matches(pattern: str, path: str) -> bool:
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern
