"""Problems that stop a run end with one clear line and exit code 2 — no traceback, nothing left running.

Every command here runs through `cli_runs.ocgate`, which also checks that no process the
command started (sandbox, pytest, Locust) outlives it.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator

import pytest
from cli_runs import REPO, assert_one_line_error, ocgate

from ocgate.config import load_settings
from ocgate.sandbox import EmbeddedSandbox
from ocgate.spec import DEFAULT_BUILTIN as PINNED_SPEC


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def running_sandbox() -> Iterator[dict[str, str]]:
    """A sandbox started here, so the CLI can be pointed at it with wrong credentials."""
    os.chdir(REPO)
    settings = load_settings()
    with EmbeddedSandbox(settings) as sandbox:
        yield {"OCGATE_TARGET": sandbox.base_url, "OCGATE_SPEC": settings.spec_location}


class ConnectionTrap:
    """A local proxy that accepts connections and answers none: it counts every attempt to reach the network."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.attempts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.attempts += 1
            connection.close()

    def environment(self) -> dict[str, str]:
        return {name: self.url for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")} | {"NO_PROXY": "", "no_proxy": ""}


@pytest.fixture
def network_trap() -> Iterator[ConnectionTrap]:
    trap = ConnectionTrap()
    yield trap
    trap.server.close()


# -- configuration --------------------------------------------------------------------------------


def test_an_unknown_target_names_the_setting_and_the_choices():
    assert_one_line_error(ocgate("seed", env={"OCGATE_TARGET": "moon-base"}), "target", "us-west-sandbox")


def test_a_malformed_config_file_names_the_file(tmp_path):
    (tmp_path / "ocgate.toml").write_text("target = \n")
    assert_one_line_error(ocgate("run", cwd=tmp_path), "ocgate.toml", "not valid TOML")


def test_an_unknown_setting_is_refused(tmp_path):
    (tmp_path / "ocgate.toml").write_text('tagret = "embedded"\n')
    assert_one_line_error(ocgate("seed", cwd=tmp_path), "tagret", "unknown setting")


@pytest.mark.parametrize("port", ["-1", "70000"])
def test_a_sandbox_port_out_of_range_is_a_config_error(port):
    assert_one_line_error(ocgate("seed", env={"OCGATE_SANDBOX__PORT": port}), "sandbox.port")


def test_an_unknown_suite_lists_the_real_ones():
    assert_one_line_error(ocgate("run", "--only", "contracts"), "contract, scenarios, security, load")


def test_an_unknown_profile_lists_the_real_ones():
    assert_one_line_error(ocgate("run", "--only", "contract", "--profile", "thorough"), "--profile", "gate or deep")


def test_an_operation_filter_that_selects_nothing_is_refused():
    assert_one_line_error(ocgate("contract", "--operation", "Orders.Sbumit"), "--operation", "no operation")


@pytest.mark.parametrize(
    ("args", "content", "words"),
    [
        (("run", "--only", "load", "--slo"), "[overall]\np95 = 800\n", ("unknown threshold", "p95_ms")),
        (("load", "--slo"), "[overall\n", ("not valid TOML",)),
        (("load", "--traffic"), "[storefront]\nthink_time = [5.0, 1.0]\n", ("think_time",)),
        (("run", "--only", "contract", "--waivers"), "[[waiver]]\noperation = \n", ("not valid TOML",)),
        (("contract", "--waivers"), '[[waiver]]\noperation = "Orders.Sbumit"\ncheck = "not_a_server_error"\nreason = "typo"\n', ("Orders.Sbumit",)),
    ],
    ids=["slo-threshold", "slo-toml", "traffic-value", "waivers-toml", "waiver-operation"],
)
def test_a_bad_slo_traffic_or_waiver_file_is_one_line_naming_the_file(tmp_path, args, content, words):
    bad = tmp_path / "settings.toml"
    bad.write_text(content)
    assert_one_line_error(ocgate(*args, str(bad)), str(bad), *words)


def test_a_file_named_on_the_command_line_is_found_from_the_working_directory(tmp_path):
    (tmp_path / "slo.toml").write_text("[overall\n")
    config = {"OCGATE_CONFIG": str(REPO / "ocgate.toml")}
    assert_one_line_error(ocgate("load", "--slo", "slo.toml", cwd=tmp_path, env=config), str(tmp_path / "slo.toml"))


# -- the spec -------------------------------------------------------------------------------------


def test_a_spec_file_that_cannot_be_loaded_names_the_location(tmp_path):
    missing = tmp_path / "nope.json"
    assert_one_line_error(ocgate("run", "--only", "contract", "--spec", str(missing)), "OpenAPI document", str(missing))


def test_a_spec_url_that_cannot_be_loaded_names_the_location():
    url = f"http://127.0.0.1:{free_port()}/openapi.json"
    assert_one_line_error(ocgate("run", "--spec", url), "OpenAPI document", url)


def test_a_spec_that_is_not_openapi_says_what_it_is(tmp_path):
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"swagger": "2.0"}')
    assert_one_line_error(ocgate("run", "--spec", str(wrong)), "not an OpenAPI 3 document")


# -- the target -----------------------------------------------------------------------------------


def test_an_unreachable_target_says_so():
    url = f"http://127.0.0.1:{free_port()}"
    assert_one_line_error(ocgate("run", env={"OCGATE_TARGET": url, "OCGATE_SPEC": PINNED_SPEC}), "unreachable", url)


def test_a_wrong_password_is_a_refused_login_of_that_persona(running_sandbox):
    result = ocgate("run", "--no-html", env={**running_sandbox, "OCGATE_PERSONAS__SELLER_ADMIN__PASSWORD": "Not-The-Password-1"})
    assert_one_line_error(result, "personas.seller_admin", "login refused")
    assert "Not-The-Password-1" not in result.stderr + result.stdout


@pytest.mark.parametrize("args", [("seed",), ("run", "--no-html")], ids=["seed", "run"])
def test_a_wrong_client_id_is_a_refused_login(running_sandbox, args):
    assert_one_line_error(ocgate(*args, env={**running_sandbox, "OCGATE_CLIENT_ID": "no-such-client"}), "login refused", "client_id")


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("load", "--target", "https://api.ordercloud.io"), {}),
        (("load", "--target", "japan-east-production"), {}),
        (("run",), {"OCGATE_TARGET": "https://api.ordercloud.io"}),
        (("load",), {"OCGATE_TARGET": "us-west-sandbox", "OCGATE_TOKEN_URL": "https://api.ordercloud.io/oauth/token"}),
    ],
    ids=["load-url", "load-region", "run-with-load", "production-token-url"],
)
def test_load_refuses_a_production_host_before_any_request(network_trap, args, env):
    result = ocgate(*args, env={**env, **network_trap.environment()})
    assert_one_line_error(result, "production host", "api.ordercloud.io")
    assert network_trap.attempts == 0


@pytest.mark.parametrize("problem", ["spec", "target"])
def test_a_run_that_cannot_start_leaves_the_last_reports_alone(tmp_path, problem):
    reports = tmp_path / "reports"
    (reports / "junit").mkdir(parents=True)
    (reports / "junit" / "contract.xml").write_text("<testsuites/>")
    cannot_start = {"spec": {"OCGATE_SPEC": str(tmp_path / "nope.json")}, "target": {"OCGATE_TARGET": f"http://127.0.0.1:{free_port()}", "OCGATE_SPEC": PINNED_SPEC}}
    assert_one_line_error(ocgate("run", env={"OCGATE_REPORTS_DIR": str(reports), **cannot_start[problem]}))
    assert (reports / "junit" / "contract.xml").exists()


def test_a_missing_report_folder_asks_for_a_run_first(tmp_path):
    assert_one_line_error(ocgate("report", env={"OCGATE_REPORTS_DIR": str(tmp_path / "reports")}), "run `ocgate run` first")

