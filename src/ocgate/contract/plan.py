"""The plan of a contract run: configuration, spec, selected operations, Schemathesis schema.

`configure()` reads everything a run needs before it talks to any target, so that the
test modules of `contracts/` can build their Schemathesis schema at import time.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.schemas import BaseSchema

from ..config import ConfigError, ContractSettings, Settings, load_settings
from ..spec import Operation, Spec, load_spec
from .profiles import PROFILES


@dataclass
class GatePlan:
    settings: Settings
    contract: ContractSettings
    spec: Spec

    @cached_property
    def operations(self) -> dict[tuple[str, str], Operation]:
        """Every operation of the spec by (METHOD, path template)."""
        return {(op.method, op.path): op for op in self.spec.operations}

    def operation(self, method: str, path: str) -> Operation:
        return self.operations[(method.upper(), path)]

    @property
    def selected(self) -> list[Operation]:
        return [op for op in self.spec.operations if self.contract.selects(op)]

    @property
    def waivers_path(self) -> Path:
        path = Path(self.contract.waivers)
        return path if path.is_absolute() else self.settings.config_dir / path

    def schema(self, examples: Path | None = None, links: Path | None = None) -> BaseSchema:
        """The Schemathesis schema of the selected operations, configured by the run's profile,
        with property examples (contracts/examples.toml) and stateful links (contracts/links.toml)."""
        document = copy.deepcopy(self.spec.document)
        document["servers"] = [{"url": "/v1"}]  # the host is the target's, given per call
        free_filter_values(document)
        if examples is not None:
            add_examples(document, examples)
        if links is not None:
            add_links(document, load_links(links, self.spec))
        config = schemathesis.Config.from_dict(PROFILES[self.contract.profile])
        schema = schemathesis.openapi.from_dict(document, config=config)
        return schema.include(lambda ctx: self.contract.selects(self.operation(ctx.operation.method, ctx.operation.path)))


def free_filter_values(document: dict[str, Any]) -> None:
    """Any string is a valid list filter value: operators (* ! | < >) are filter syntax (BEHAVIOUR.md §3.2).

    The overlay's value pattern keeps generated values plain for the sandbox's own tests; for
    the gate, values outside it are not invalid input, so negative cases must not be made of them.
    """
    for path_item in document["paths"].values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("name") == "filters" and parameter.get("in") == "query":
                    for value in (parameter.get("schema") or {}).get("properties", {}).values():
                        value.pop("pattern", None)


#: The run's plan, set once from the suite's own options (see `configure`).
_PLAN: list[GatePlan] = []


def configure(**options: Any) -> GatePlan:
    """The run's plan: the configuration, with the suite's own options (pytest's) on top.

    `contracts/conftest.py` calls this once when pytest starts, before the test modules build
    their Schemathesis schema from `current_plan()`."""
    settings = load_settings()
    _PLAN[:] = [GatePlan(settings, settings.contract.with_options(**options), load_spec(settings.spec_location))]
    return _PLAN[0]


def current_plan() -> GatePlan:
    if not _PLAN:
        raise RuntimeError("no contract plan: contracts/conftest.py configures it when pytest starts")
    return _PLAN[0]


def add_examples(document: dict[str, Any], path: Path) -> None:
    """Set the `example` of the component schema properties an examples file names."""
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the examples file ({exc})") from None
    schemas = document["components"]["schemas"]
    for schema_name, examples in tables.items():
        properties = schemas.get(schema_name, {}).get("properties")
        if properties is None or not isinstance(examples, dict):
            raise ConfigError(f"{path}: [{schema_name}] is not a component schema with properties")
        for name, value in examples.items():
            if name not in properties:
                raise ConfigError(f"{path}: {schema_name} has no property {name!r}")
            # Beside a $ref an example is ignored: it goes on the referenced type (an enum, say).
            reference = properties[name].get("$ref")
            target = schemas[reference.rsplit("/", 1)[1]] if reference else properties[name]
            target["example"] = value


# -- explicit links for the stateful phase -------------------------------------------------

CRUD_TARGETS = ("Get", "Patch", "List", "Delete")


def load_links(path: Path, spec: Spec) -> list[dict[str, Any]]:
    """The links of a links file (see contracts/links.toml): its `crud` resources expanded, then its `[[link]]`s."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the links file ({exc})") from None
    links = [link for resource in document.get("crud", []) for link in crud_links(path, spec, resource)]
    for index, entry in enumerate(document.get("link", []), start=1):
        missing = {"from", "to", "parameters"} - set(entry)
        if missing:
            raise ConfigError(f"{path}: link #{index} lacks {', '.join(sorted(missing))}")
        links.append(entry)
    return links


def crud_links(path: Path, spec: Spec, resource: str) -> list[dict[str, Any]]:
    """<Resource>.Create -> Get, Patch, Delete (the created ID, the same parents) and -> List (searching for it)."""
    try:
        targets = [spec.operation(f"{resource}.{verb}") for verb in CRUD_TARGETS]
        spec.operation(f"{resource}.Create")
    except KeyError as missing:
        raise ConfigError(f"{path}: crud resource {resource!r} has no operation {missing}") from None
    links = []
    for target in targets:
        names = re.findall(r"{(\w+)}", target.path)
        parameters = {name: f"$request.path.{name}" for name in names}
        if target.verb == "List":
            parameters["search"] = "$response.body#/ID"
        else:
            parameters[names[-1]] = "$response.body#/ID"
        links.append({"from": f"{resource}.Create", "to": target.operation_id, "parameters": parameters})
    return links


def add_links(document: dict[str, Any], links: list[dict[str, Any]]) -> None:
    """Declare each link as an OpenAPI link on the success response of its source operation."""
    by_id = {
        operation["operationId"]: operation
        for path_item in document["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for link in links:
        source = by_id.get(link["from"])
        if source is None or link["to"] not in by_id:
            raise ConfigError(f"links: unknown operation in {link['from']} -> {link['to']}")
        status = next(code for code in source["responses"] if code.startswith("2"))
        declared = source["responses"][status].setdefault("links", {})
        declared[link["to"].replace(".", "")] = {"operationId": link["to"], "parameters": link["parameters"]}
