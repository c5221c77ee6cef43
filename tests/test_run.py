"""`ocgate run` end to end on the embedded sandbox: progress, summary, exit code, reports, redaction.

One full run serves most tests: all three suites, each cut down to stay quick (three
operations of the contract gate, the token and checkout scenarios, an 8-second load
smoke whose SLO file cannot hold), made with known secrets so that every file it wrote
can be searched for them. Two short runs follow: one that passes, in the same reports
folder (history, clean results) and one without Node on the PATH.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_check import render_report
from cli_runs import assert_one_line_error, ocgate, ocgate_lines, processes_marked, run_ocgate
from machine import ALLURE_INSTALLED, needs_allure, needs_chromium

SUITES = ("contract", "scenarios", "security", "load")
#: Distinctive secrets: the embedded sandbox creates its admin and its API client from them.
SECRETS = {
    "OCGATE_PERSONAS__SELLER_ADMIN__PASSWORD": "Zq7-Admin-Secret-4471",
    "OCGATE_PERSONAS__BUYER_SHOPPER__PASSWORD": "Zq7-Shopper-Secret-9135",
    "OCGATE_CLIENT_SECRET": "zq7ClientSecret0042xyz",
}
UNHOLDABLE_SLO = "[overall]\np99_ms = 60000\nmin_checkouts = 1000000\n"
#: The operations cover password and ClientSecret fields in request and response bodies.
OPERATIONS = ("Me.Get", "Users.Create", "ApiClients.Create")
QUICK_SCENARIOS = ("--only", "scenarios", "--scenario-filter", "isolation")


@dataclass
class Run:
    result: subprocess.CompletedProcess[str]
    reports: Path
    mark: str  # carried by every process the run started

    @property
    def results(self) -> Path:
        return self.reports / "allure-results"

    def summary(self) -> dict[str, list[str]]:
        """The summary table's rows: suite -> [tests, passed, failed, known, duration, result]."""
        rows = {}
        for line in self.result.stderr.splitlines():
            cells = [cell.strip() for cell in line.strip("│ ").split("│")]
            if len(cells) == 7 and cells[0] in SUITES:
                rows[cells[0]] = cells[1:]
        return rows

    def junit_cases(self, suite: str) -> list[ET.Element]:
        return list(ET.parse(self.reports / "junit" / f"{suite}.xml").getroot().iter("testcase"))


def ocgate_run(reports: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    wide = {"COLUMNS": "200", "OCGATE_REPORTS_DIR": str(reports), **SECRETS, **(env or {})}
    result, mark = run_ocgate("run", *args, env=wide)
    return Run(result, reports, mark)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("run") / "reports"


@pytest.fixture(scope="module")
def full_run(reports: Path) -> Run:
    slo = reports.parent / "slo.toml"
    slo.write_text(UNHOLDABLE_SLO)
    operations = [arg for op in OPERATIONS for arg in ("--operation", op)]
    return ocgate_run(reports, *operations, "--scenario-filter", "token or checkout", "--duration", "8s", "--users", "3", "--slo", str(slo))


@pytest.fixture(scope="module")
def passing_run(full_run: Run) -> Run:
    """A second run into a copy of the full run's reports folder (the full run's stays as it was)."""
    reports = full_run.reports.with_name("reports-2")
    shutil.copytree(full_run.reports, reports)
    return ocgate_run(reports, *QUICK_SCENARIOS)


# -- the terminal: progress, summary, exit code ---------------------------------------------------


def test_an_slo_breach_makes_the_run_exit_1(full_run):
    assert full_run.result.returncode == 1, full_run.result.stderr
    assert full_run.summary()["load"][-1] == "failed"
    failures = [case.find("failure") for case in full_run.junit_cases("load")]
    assert any(f is not None and f.get("message", "").startswith("SLO breach") for f in failures)


def test_the_terminal_ends_with_the_slo_table_and_a_line_for_each_failure(full_run):
    stderr = full_run.result.stderr
    assert "SLO thresholds" in stderr and "✗ BREACH" in stderr and "✓ pass" in stderr
    breach = [line for line in stderr.splitlines() if line.startswith("✗ load · ")]
    assert breach and "SLO breach" in breach[0], stderr


def test_progress_names_each_suite_as_it_starts_and_ends(full_run):
    stderr = full_run.result.stderr
    positions = [stderr.index(f"{suite}: running") for suite in SUITES]
    assert positions == sorted(positions)
    for suite in SUITES:
        assert re.search(rf"^{suite}: (passed|failed) — \d+ tests, \d+ passed, \d+ failed, \d+ known in \d+s$", stderr, re.M)
    assert stderr.index("load: running") < stderr.index("ocgate summary")


@pytest.mark.parametrize("suite", SUITES)
def test_the_summary_counts_every_test_a_suite_ran(full_run, suite):
    tests, passed, failed, known, duration, verdict = full_run.summary()[suite]
    cases = full_run.junit_cases(suite)
    assert int(tests) == len(cases) > 0
    assert int(failed) == sum(case.find("failure") is not None or case.find("error") is not None for case in cases)
    assert re.fullmatch(r"\d+\.\ds", duration)
    assert int(failed) == 0 or verdict == "failed"


def test_the_path_of_the_html_report_is_printed_last(full_run):
    last = full_run.result.stdout.strip().splitlines()[-1]
    assert last == f"report: {full_run.reports / 'allure-report' / 'index.html'}"
    assert (full_run.reports / "allure-report" / "index.html").stat().st_size > 0


def test_a_run_where_everything_passes_exits_0(passing_run):
    assert passing_run.result.returncode == 0, passing_run.result.stderr
    assert passing_run.summary()["scenarios"][-1] == "passed"
    assert not ocgate_lines(passing_run.result.stderr)


# -- reports --------------------------------------------------------------------------------------


def test_allure_results_of_every_suite_are_gathered_under_allure_results_and_named_after_it(full_run):
    def labels_in(folder: Path, name: str) -> set[str]:
        return {label["value"] for path in folder.glob("*-result.json") for label in json.loads(path.read_text())["labels"] if label["name"] == name}

    assert "Contract" in labels_in(full_run.results / "contract", "suite")
    assert labels_in(full_run.results / "load", "suite") == {"Load"}
    assert not list(full_run.results.glob("*-result.json"))  # every result lives in its suite's folder
    for suite in SUITES:
        assert labels_in(full_run.results / suite, "parentSuite") == {suite}, suite


def test_environment_properties_name_the_run_and_hold_no_secret(full_run):
    text = (full_run.results / "environment.properties").read_text()
    properties = dict(line.split("=", 1) for line in text.splitlines())
    assert set(properties) == {"target", "region", "spec.version", "ocgate.version", "git.sha", "personas"}
    assert properties["region"] == "embedded"
    assert properties["spec.version"].startswith("1.0.260")
    assert "seller_admin" in properties["personas"]
    assert not any(secret in text for secret in SECRETS.values())


def test_categories_are_written_with_the_results(full_run):
    names = {category["name"] for category in json.loads((full_run.results / "categories.json").read_text())}
    assert {"Security", "Contract violation", "Role leak", "SLO breach", "Known / waived", "Infrastructure"} <= names


def test_every_suite_has_a_junit_file(full_run):
    for suite in SUITES:
        assert full_run.junit_cases(suite), suite


def test_each_suite_has_a_masked_log(full_run):
    for suite in SUITES:
        assert (full_run.reports / "logs" / f"{suite}.log").read_text().strip(), suite


def test_history_is_kept_between_runs(passing_run):
    history = passing_run.reports / "allure-history.jsonl"
    assert len(history.read_text().splitlines()) == 2


def test_a_run_reports_only_its_own_suites(passing_run):
    assert not (passing_run.results / "contract").exists()
    assert sorted(path.name for path in (passing_run.reports / "junit").iterdir()) == ["scenarios.xml"]


@needs_allure
@needs_chromium
def test_the_html_report_renders_the_run_suites_and_counts(full_run):
    text = render_report(full_run.reports / "allure-report")
    total = sum(int(row[0]) for row in full_run.summary().values())
    assert f"Total {total} " in text
    for shown in ("contracts", "scenarios", "Load", "spec.version 1.0.260"):
        assert shown in text


def test_without_node_the_results_stay_and_one_line_says_how_to_get_html(tmp_path):
    no_node = os.pathsep.join(folder for folder in os.environ["PATH"].split(os.pathsep) if not (Path(folder) / "node").exists())
    run = ocgate_run(tmp_path / "reports", *QUICK_SCENARIOS, env={"PATH": no_node})
    assert_one_line_error(run.result, "Node.js is not installed", "npm install", str(run.results))
    assert list((run.results / "scenarios").glob("*-result.json"))
    assert (run.results / "environment.properties").exists()
    assert run.junit_cases("scenarios")
    assert run.summary()["scenarios"][-1] == "passed"
    if ALLURE_INSTALLED:  # and the way the line gives works
        report = ocgate("report", env={"OCGATE_REPORTS_DIR": str(run.reports)})
        assert report.returncode == 0, report.stderr
        stats = json.loads((run.reports / "allure-report" / "summary.json").read_text())["stats"]
        assert stats["total"] == int(run.summary()["scenarios"][0])


# -- redaction ------------------------------------------------------------------------------------

#: What must never be readable in a report: JWTs, bearer tokens, secret fields with a value
#: ("***" is ocgate's mask, "[Filtered]" Schemathesis's).
TOKEN_SHAPES = re.compile(
    r"eyJ[A-Za-z0-9_-]++\.eyJ[A-Za-z0-9_-]++\."
    r"|Bearer\s++(?!\*\*\*)[A-Za-z0-9._~+/=-]{8,}"
    r"|\"(?:access_token|refresh_token|ClientSecret|Password|NewPassword)\"\s*+:\s*+\"(?!\*\*\*\"|\[Filtered\]\")[^\"]+\""
    r"|(?:access_token|refresh_token|client_secret|password)=(?!\*\*\*)[^&\s\"']+",
    re.IGNORECASE,
)
#: The single-file HTML report holds its data base64-encoded: `d("name","BASE64")`.
HTML_DATA = re.compile(r'\bd\("[^"]*","([A-Za-z0-9+/=]*)"\)')


def readable_text(path: Path) -> str:
    """What a reader of the file can see: its text, and for HTML also the data it embeds."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix == ".html":
        text += "\n".join(base64.b64decode(data).decode("utf-8", errors="replace") for data in HTML_DATA.findall(text))
    return text


def test_no_report_file_holds_a_secret_or_a_token(full_run):
    files = [path for path in full_run.reports.rglob("*") if path.is_file()]
    assert {"junit", "logs", "load", "allure-results", "allure-report"} <= {path.relative_to(full_run.reports).parts[0] for path in files}
    leaks = []
    for path in files:
        text = readable_text(path)
        leaks += [f"{path}: secret {name}" for name, secret in SECRETS.items() if secret in text]
        leaks += [f"{path}: {match.group()[:60]}" for match in TOKEN_SHAPES.finditer(text)]
    assert not leaks, "\n".join(leaks[:20])


def test_the_terminal_shows_progress_and_the_summary_not_logs(full_run):
    output = full_run.result.stdout + full_run.result.stderr
    assert "Traceback" not in output
    assert "test session starts" not in output  # pytest's output is in reports/logs/<suite>.log


def test_the_terminal_output_holds_no_secret(full_run):
    output = full_run.result.stdout + full_run.result.stderr
    assert not any(secret in output for secret in SECRETS.values())
    assert not TOKEN_SHAPES.search(output)


def test_the_token_scan_would_find_a_token_hidden_in_the_html_report(tmp_path):
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvY2dhdGUifQ.c2lnbmF0dXJl"
    page = tmp_path / "index.html"
    page.write_text(f'<script>d("data/attachments/1.txt","{base64.b64encode(token.encode()).decode()}")</script>')
    assert TOKEN_SHAPES.search(readable_text(page))
    assert not TOKEN_SHAPES.search('Authorization: Bearer *** {"Password": "***", "ClientSecret": "[Filtered]"} password=***')


# -- what is left afterwards ----------------------------------------------------------------------


def test_a_run_leaves_no_process_running(full_run, passing_run):
    for run in (full_run, passing_run):
        assert not processes_marked(run.mark)
