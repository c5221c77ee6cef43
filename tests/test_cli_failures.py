"""Problems that stop a run end with one clear line and exit code 2 — never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ocgate.config import load_settings
from ocgate.sandbox import EmbeddedSandbox

REPO = Path(__file__).resolve().parents[1]


def ocgate(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("OCGATE_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "ocgate", *args], capture_output=True, text=True, env=environment, cwd=cwd, timeout=timeout)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("ocgate:")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unknown_target_names_the_setting_and_the_choices():
    assert_one_line_error(ocgate("seed", env={"OCGATE_TARGET": "moon-base"}), "target", "us-west-sandbox")


def test_an_unreachable_target_says_so():
    url = f"http://127.0.0.1:{free_port()}"
    assert_one_line_error(ocgate("run", "--only", "contract", env={"OCGATE_TARGET": url, "OCGATE_SPEC": str(REPO.parent / "shared/ordercloud/openapi-1.0.260.json")}), "unreachable", url)


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[dict[str, str]]:
    """A sandbox started here, so the CLI can be pointed at it with wrong credentials."""
    os.chdir(REPO)
    settings = load_settings()
    with EmbeddedSandbox(settings) as sandbox:
        yield {"OCGATE_TARGET": sandbox.base_url, "OCGATE_SPEC": settings.spec_location}


def test_a_wrong_password_is_a_refused_login_of_that_persona(running_sandbox):
    result = ocgate("run", "--only", "contract", "--no-html", env={**running_sandbox, "OCGATE_PERSONAS__SELLER_ADMIN__PASSWORD": "Not-The-Password-1"})
    assert_one_line_error(result, "personas.seller_admin", "login refused")
    assert "Not-The-Password-1" not in result.stderr + result.stdout


def test_a_wrong_client_id_is_a_refused_login(running_sandbox):
    result = ocgate("seed", env={**running_sandbox, "OCGATE_CLIENT_ID": "no-such-client"})
    assert_one_line_error(result, "login refused", "client_id")


def test_a_spec_that_cannot_be_loaded_names_the_location(tmp_path):
    missing = tmp_path / "nope.json"
    assert_one_line_error(ocgate("run", "--only", "contract", "--spec", str(missing)), "OpenAPI document", str(missing))


def test_a_spec_that_is_not_openapi_says_what_it_is(tmp_path):
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"swagger": "2.0"}')
    assert_one_line_error(ocgate("run", "--spec", str(wrong)), "not an OpenAPI 3 document")


def test_a_malformed_config_file_names_the_file(tmp_path):
    (tmp_path / "ocgate.toml").write_text("target = \n")
    assert_one_line_error(ocgate("seed", cwd=tmp_path), "ocgate.toml", "not valid TOML")


def test_an_unknown_setting_is_refused(tmp_path):
    (tmp_path / "ocgate.toml").write_text('tagret = "embedded"\n')
    assert_one_line_error(ocgate("seed", cwd=tmp_path), "tagret", "unknown setting")


def test_an_unknown_suite_lists_the_real_ones():
    assert_one_line_error(ocgate("run", "--only", "contracts"), "contract, scenarios, load")


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_a_sandbox_port_out_of_range_is_a_config_error(port):
    assert_one_line_error(ocgate("seed", env={"OCGATE_SANDBOX__PORT": port}), "sandbox.port")


def test_a_misspelt_persona_setting_is_refused(tmp_path):
    (tmp_path / "ocgate.toml").write_text('[personas.seller_admin]\nusername = "a"\npasword = "b"\n')
    assert_one_line_error(ocgate("seed", cwd=tmp_path), "personas.seller_admin.pasword", "unknown setting")
