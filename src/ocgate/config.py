"""Configuration: where the target is, who logs in, which spec to read.

Sources, later ones winning: `ocgate.toml` (found in the working directory or
named by OCGATE_CONFIG), a git-ignored `.env`, then environment variables
prefixed `OCGATE_` (nested settings with `__`, e.g.
`OCGATE_PERSONAS__SELLER_ADMIN__PASSWORD`).

Every problem surfaces as a `ConfigError` whose message names the setting and
says how to fix it; the CLI prints it on one line and exits with code 2.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from .errors import CannotRun
from .spec import DEFAULT_BUILTIN, LIVE_URL, Operation, is_builtin, is_url

EMBEDDED = "embedded"

#: The real OrderCloud environments (BEHAVIOUR.md §7): region -> environment -> base URL.
REGIONS: dict[str, dict[str, str]] = {
    "us-west": {
        "production": "https://api.ordercloud.io",
        "staging": "https://stagingapi.ordercloud.io",
        "sandbox": "https://sandboxapi.ordercloud.io",
    },
    **{
        region: {env: f"https://{host}-{env}.ordercloud.io" for env in ("production", "staging", "sandbox")}
        for region, host in {
            "us-east": "useast",
            "australia-east": "australiaeast",
            "europe-west": "westeurope",
            "japan-east": "japaneast",
        }.items()
    },
}

#: The live OpenAPI document of the current API, the default spec for real targets.
LIVE_SPEC_URL = LIVE_URL
#: The document shipped inside ocgate (OrderCloud 1.0.260, normalized), the default for the embedded sandbox.
EMBEDDED_SPEC = DEFAULT_BUILTIN


class ConfigError(CannotRun):
    """Configuration that cannot be used; the message says what to change."""


def split_list(value: object) -> object:
    """A list written as people write it in a variable: "Buyers,Orders", "FullAccess Shopper"."""
    return [part for part in re.split(r"[,\s]+", value) if part] if isinstance(value, str) else value


def region_shortcuts() -> dict[str, str]:
    """`us-west-sandbox` style names for every real environment."""
    return {f"{region}-{env}": url for region, envs in REGIONS.items() for env, url in envs.items()}


def is_production_host(url: str) -> bool:
    """True for OrderCloud production hosts, which ocgate never loads."""
    host = (urlparse(url).hostname or "").lower()
    return host == "api.ordercloud.io" or host.endswith("-production.ordercloud.io")


class Persona(BaseModel):
    """A named identity the harness logs in as."""

    model_config = ConfigDict(extra="forbid")  # a misspelt key must not be silently ignored

    username: str | None = None
    password: SecretStr | None = None
    grant: Literal["password", "client_credentials"] = "password"
    client_id: str | None = Field(default=None, description="overrides the target's client_id")
    client_secret: SecretStr | None = None
    scope: list[str] = Field(default_factory=list)
    user_type: Literal["admin", "buyer", "supplier"] = "admin"

    _split_scope = field_validator("scope", mode="before")(split_list)


#: The contract gate's profiles, named once: `ocgate.contract.profiles` defines each, the CLI offers them.
PROFILE_NAMES = ("gate", "deep")
DEFAULT_WAIVERS = "contracts/waivers.toml"


#: Operations the contract gate tests at once against a real target unless `[contract] workers`
#: says otherwise. Measured (benchmarks/latency.py, README): at 100 ms per request 8 workers cut the
#: gate from 2,073 s to 364 s; on the embedded sandbox (no latency) one is fastest (65 s vs 76-88 s).
DEFAULT_WORKERS = 8


class ContractSettings(BaseModel):
    """The `[contract]` table: the gate's profile, the operations it selects, its waiver file.

    Filters: an operation runs when it matches every non-empty filter (any value of a filter
    matches; tags, methods and operationIds ignore case; a path ending in `*` is a prefix).
    """

    model_config = ConfigDict(extra="forbid")

    profile: Literal[PROFILE_NAMES] = "gate"  # type: ignore[valid-type]
    tags: list[str] = Field(default_factory=list)
    paths: list[str] = Field(default_factory=list)
    methods: list[str] = Field(default_factory=list)
    operation_ids: list[str] = Field(default_factory=list)
    #: The waiver (baseline) file, relative to the directory of ocgate.toml.
    waivers: str = DEFAULT_WAIVERS
    #: Operations tested at once (threads of the gate's process); 1 tests them one by one.
    #: None: `workers_for` decides by target (see DEFAULT_WORKERS).
    workers: int | None = Field(default=None, ge=1, le=64)

    _split_filters = field_validator("tags", "paths", "methods", "operation_ids", mode="before")(split_list)

    def selects(self, op: Operation) -> bool:
        """Whether the filters let this operation run."""
        return (
            _matches_any(self.tags, op.tags, str.lower)
            and _matches_any(self.methods, (op.method,), str.upper)
            and _matches_any(self.operation_ids, (op.operation_id,), str.lower)
            and (not self.paths or any(_path_matches(pattern, op.path) for pattern in self.paths))
        )

    def workers_for(self, embedded: bool) -> int:
        """The configured workers, else one on the embedded sandbox and DEFAULT_WORKERS on a real target."""
        return self.workers or (1 if embedded else DEFAULT_WORKERS)

    def with_options(self, **options: object) -> ContractSettings:
        """These settings with a run's own options (None or empty: keep the configured value) on top."""
        chosen = {name: value for name, value in options.items() if value not in (None, [], ())}
        try:
            return ContractSettings.model_validate({**self.model_dump(), **chosen})
        except ValidationError as exc:
            raise ConfigError(_describe(exc, prefix=("contract",))) from None


def _matches_any(wanted: list[str], actual: tuple[str, ...], norm: Any) -> bool:
    return not wanted or bool({norm(value) for value in wanted} & {norm(value) for value in actual})


def _path_matches(pattern: str, path: str) -> bool:
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


class SandboxSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535, description="0 picks a free port")
    seller_id: str = "ocgate-seller"
    seller_name: str = "ocgate Marketplace"


class Settings(BaseSettings):
    """Everything a run needs to know, validated."""

    model_config = SettingsConfigDict(
        env_prefix="OCGATE_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
    )

    target: str = EMBEDDED
    token_url: str | None = None
    client_id: str = "ocgate-embedded-client"
    client_secret: SecretStr | None = None
    spec: str | None = None
    reports_dir: str = "reports"
    data_dir: str = "data"
    #: Requests per second a suite may send to the target, across all its workers; None: no cap.
    max_rps: float | None = Field(default=None, gt=0)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    contract: ContractSettings = Field(default_factory=ContractSettings)
    personas: dict[str, Persona] = Field(default_factory=dict)

    #: Where ocgate.toml was found; relative paths in it are relative to its folder.
    config_dir: Path = Field(default_factory=Path.cwd, exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, _EnvLists(settings_cls), _DotEnvLists(settings_cls)]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @field_validator("target")
    @classmethod
    def _known_target(cls, value: str) -> str:
        value = value.strip()
        if value == EMBEDDED or value in region_shortcuts():
            return value
        parsed = urlparse(value)
        if parsed.scheme in ("http", "https") and parsed.hostname:
            return value.rstrip("/")
        shortcuts = ", ".join(sorted(region_shortcuts()))
        raise ValueError(f"must be 'embedded', an http(s) base URL, or one of: {shortcuts}")

    # -- derived values -------------------------------------------------

    @property
    def is_embedded(self) -> bool:
        return self.target == EMBEDDED

    @property
    def base_url(self) -> str | None:
        """The API host (without /v1) for a real target; None for the embedded sandbox."""
        if self.is_embedded:
            return None
        return region_shortcuts().get(self.target, self.target)

    def token_url_for(self, base_url: str) -> str:
        return self.token_url or f"{base_url}/oauth/token"

    @property
    def spec_location(self) -> str:
        """A built-in document (`builtin:<name>`), a file path (absolute) or URL of the OpenAPI document to read."""
        location = self.spec or (EMBEDDED_SPEC if self.is_embedded else LIVE_SPEC_URL)
        if is_url(location) or is_builtin(location):
            return location
        path = Path(location)
        return str(path if path.is_absolute() else (self.config_dir / path).resolve())

    @property
    def reports_path(self) -> Path:
        path = Path(self.reports_dir)
        return path if path.is_absolute() else self.config_dir / path

    @property
    def data_path(self) -> Path:
        """The folder of the fixture marketplace's data files (ocgate.api.fixture_data)."""
        path = Path(self.data_dir)
        return path if path.is_absolute() else self.config_dir / path

    def persona(self, name: str) -> Persona:
        try:
            return self.personas[name]
        except KeyError:
            known = ", ".join(sorted(self.personas)) or "none"
            raise ConfigError(
                f"personas.{name}: not configured (configured: {known}); add a [personas.{name}] table to ocgate.toml"
            ) from None

    def region(self) -> str:
        """The region/environment name for reports ("embedded" or e.g. "europe-west-sandbox")."""
        for name, url in region_shortcuts().items():
            if url == self.base_url:
                return name
        return EMBEDDED if self.is_embedded else "custom"


class _EnvLists(EnvSettingsSource):
    """Environment variables, where a list may be JSON or written plainly ("Buyers,Orders")."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            return value  # not JSON: the model's validators split it (see `split_list`)


class _DotEnvLists(DotEnvSettingsSource):
    """The .env file, read like the environment (`_EnvLists`)."""

    decode_complex_value = _EnvLists.decode_complex_value


def _config_file() -> Path | None:
    explicit = os.environ.get("OCGATE_CONFIG")
    if explicit:
        return Path(explicit)
    default = Path.cwd() / "ocgate.toml"
    return default if default.exists() else None


def load_settings(**overrides: object) -> Settings:
    """Read and validate the configuration, or raise ConfigError with a one-line reason."""
    toml_file = _config_file()
    if toml_file is not None:
        _check_toml(toml_file)
        overrides.setdefault("config_dir", toml_file.resolve().parent)
    try:
        return Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
    except SettingsError as exc:  # a source that cannot be read at all, e.g. a malformed .env value
        raise ConfigError(f"{exc}; fix ocgate.toml, .env or the OCGATE_* variable it names") from None


def _check_toml(path: Path) -> None:
    if not path.exists():
        raise ConfigError(f"OCGATE_CONFIG: {path} does not exist; point it at an ocgate.toml or unset it")
    try:
        tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file and run again") from None


def _describe(exc: ValidationError, prefix: tuple[str, ...] = ()) -> str:
    error = exc.errors()[0]
    location = (*prefix, *error["loc"])
    setting = ".".join(str(part) for part in location) or "configuration"
    env_name = "OCGATE_" + "__".join(str(part).upper() for part in location)
    if error["type"] == "extra_forbidden":
        return f"{setting}: unknown setting; remove it from ocgate.toml / the environment or check its spelling"
    return f"{setting}: {error['msg']} (set it in ocgate.toml or as {env_name})"
