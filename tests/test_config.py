"""Configuration: ocgate.toml, overridden by a .env file and OCGATE_* variables; every problem is a one-line ConfigError."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ocgate.config import LIVE_SPEC_URL, ConfigError, Settings, is_production_host, load_settings, region_shortcuts

REPO = Path(__file__).resolve().parents[1]

TOML = """
target = "embedded"
client_id = "toml-client"

[sandbox]
port = 0

[personas.seller_admin]
username = "toml-admin"
password = "Toml-Password-1"
scope = "FullAccess ProductAdmin"

[personas.buyer_shopper]
user_type = "buyer"
username = "toml-shopper"
password = "Toml-Password-2"
scope = ["Shopper"]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with its own ocgate.toml and no OCGATE_* variables from outside."""
    for name in [name for name in os.environ if name.startswith("OCGATE_")]:
        monkeypatch.delenv(name)
    (tmp_path / "ocgate.toml").write_text(TOML)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_repository_configuration_loads_with_both_personas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    settings = load_settings()
    assert settings.is_embedded
    assert {"seller_admin", "buyer_shopper"} <= set(settings.personas)
    assert settings.spec_location == "builtin:1.0.260"  # shipped inside ocgate: nothing beside the clone is needed


def test_settings_come_from_ocgate_toml(project: Path) -> None:
    settings = load_settings()
    assert settings.client_id == "toml-client"
    assert settings.persona("seller_admin").scope == ["FullAccess", "ProductAdmin"]  # a string scope is split
    assert settings.persona("buyer_shopper").user_type == "buyer"
    assert settings.config_dir == project


def test_environment_variables_override_the_file_including_nested_settings(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCGATE_CLIENT_ID", "env-client")
    monkeypatch.setenv("OCGATE_PERSONAS__SELLER_ADMIN__PASSWORD", "Env-Password-1")
    settings = load_settings()
    assert settings.client_id == "env-client"
    admin = settings.persona("seller_admin")
    assert admin.password is not None and admin.password.get_secret_value() == "Env-Password-1"
    assert admin.username == "toml-admin"


def test_a_dotenv_file_overrides_the_file_and_the_environment_wins_over_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / ".env").write_text("OCGATE_CLIENT_ID=dotenv-client\nOCGATE_CLIENT_SECRET=dotenv-secret\n")
    settings = load_settings()
    assert settings.client_id == "dotenv-client"
    assert settings.client_secret is not None and settings.client_secret.get_secret_value() == "dotenv-secret"
    monkeypatch.setenv("OCGATE_CLIENT_ID", "env-client")
    assert load_settings().client_id == "env-client"


def test_secrets_do_not_show_in_the_settings_repr(project: Path) -> None:
    assert "Toml-Password-1" not in repr(load_settings())


@pytest.mark.parametrize(
    ("target", "base_url"),
    [
        ("us-west-sandbox", "https://sandboxapi.ordercloud.io"),
        ("europe-west-staging", "https://westeurope-staging.ordercloud.io"),
        ("japan-east-production", "https://japaneast-production.ordercloud.io"),
        ("https://custom.example.com/", "https://custom.example.com"),
    ],
)
def test_a_real_target_is_a_region_shortcut_or_a_base_url(project: Path, monkeypatch: pytest.MonkeyPatch, target: str, base_url: str) -> None:
    monkeypatch.setenv("OCGATE_TARGET", target)
    settings = load_settings()
    assert settings.base_url == base_url
    assert settings.token_url_for(base_url) == f"{base_url}/oauth/token"
    assert settings.spec_location == LIVE_SPEC_URL


def test_every_region_has_sandbox_staging_and_production(project: Path) -> None:
    names = region_shortcuts()
    assert len(names) == 15
    assert all(f"{region}-{env}" in names for region in ("us-west", "us-east", "australia-east", "europe-west", "japan-east") for env in ("sandbox", "staging", "production"))


def test_an_explicit_token_url_wins(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCGATE_TOKEN_URL", "https://auth.example.com/oauth/token")
    assert load_settings().token_url_for("https://api.example.com") == "https://auth.example.com/oauth/token"


def test_a_relative_spec_path_is_relative_to_the_configuration_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCGATE_SPEC", "specs/openapi.json")
    assert load_settings().spec_location == str(project / "specs" / "openapi.json")


def test_production_hosts_are_recognised(project: Path) -> None:
    assert is_production_host("https://api.ordercloud.io")
    assert is_production_host("https://westeurope-production.ordercloud.io/v1")
    assert not is_production_host("https://sandboxapi.ordercloud.io")


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("OCGATE_TARGET", "moon-base", ["target", "embedded", "us-west-sandbox"]),
        ("OCGATE_SANDBOX__PORT", "70000", ["sandbox.port", "OCGATE_SANDBOX__PORT"]),
        ("OCGATE_PERSONAS__SELLER_ADMIN__GRANT", "implicit", ["personas.seller_admin.grant"]),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_setting_and_the_fix(project: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: list[str]) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "\n" not in message
    assert all(word in message for word in words), message


def test_an_unknown_setting_is_named(project: Path) -> None:
    (project / "ocgate.toml").write_text('client_idd = "typo"\n' + TOML)
    with pytest.raises(ConfigError, match="client_idd: unknown setting"):
        load_settings()


def test_a_broken_toml_file_is_named(project: Path) -> None:
    (project / "ocgate.toml").write_text("target = [unclosed\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings()


def test_a_missing_explicit_configuration_file_is_named(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OCGATE_CONFIG", str(project / "nowhere.toml"))
    with pytest.raises(ConfigError, match="OCGATE_CONFIG: .*nowhere.toml does not exist"):
        load_settings()


def test_an_unconfigured_persona_is_named_with_the_ones_that_exist(project: Path) -> None:
    with pytest.raises(ConfigError, match=r"personas.auditor: not configured \(configured: buyer_shopper, seller_admin\)"):
        load_settings().persona("auditor")


def test_settings_can_be_built_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert (settings.target, settings.client_id, settings.personas) == ("embedded", "ocgate-embedded-client", {})
