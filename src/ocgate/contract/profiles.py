"""The contract gate's profiles: Schemathesis configurations, one per name of `config.PROFILE_NAMES`.

`gate` is the CI default: every phase but the stateful one, sized to cover every operation of
the document within a CI budget. `deep` is for nightly runs: more examples, negative coverage
cases, shrinking, and the stateful phase. Both configure the stock checks whose expectations
differ from OrderCloud's documented behaviour (`_CHECKS`).
"""

from __future__ import annotations

from typing import Any

from ..config import PROFILE_NAMES

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


#: Whether a positive coverage body goes to one write of its resource only (repeats.py): the gate
#: saves a quarter of its calls that way; the deep profile sends every body to every write.
SEND_EACH_BODY_ONCE: dict[str, bool] = {"gate": True, "deep": False}


for _registry in (PROFILES, SEND_EACH_BODY_ONCE):  # the registries check themselves against the names the CLI offers
    if set(_registry) != set(PROFILE_NAMES):
        raise RuntimeError(f"contract profiles {sorted(_registry)} differ from config.PROFILE_NAMES {sorted(PROFILE_NAMES)}")
