"""The Allure report: run metadata, failure categories, the end-of-run table, and the HTML people read."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import browser_check
import pytest
from browser_check import BrowserError, render_report, visible_text
from machine import needs_allure, needs_chromium

from ocgate.config import Settings, load_settings
from ocgate.report import allure as report
from ocgate.report.allure import (
    CATEGORIES,
    ReportError,
    SuiteSummary,
    generate_html,
    history_file,
    summarize,
    write_categories,
    write_environment,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def write_result(
    results_dir: Path,
    name: str,
    suite: str,
    status: str,
    message: str | None = None,
    *,
    start: int = 1_700_000_000_000,
    duration: int = 100,
    labels: list[dict[str, str]] | None = None,
) -> Path:
    """Write one Allure result file the way allure-pytest does."""
    result: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "historyId": f"{suite}.{name}",
        "name": name,
        "fullName": f"{suite}.{name}",
        "status": status,
        "start": start,
        "stop": start + duration,
        "labels": labels
        if labels is not None
        else [{"name": "parentSuite", "value": "ocgate"}, {"name": "suite", "value": suite}],
    }
    if message is not None:
        result["statusDetails"] = {"message": message, "trace": "Traceback (most recent call last): ..."}
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result['uuid']}-result.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    return path


def write_sample_run(results_dir: Path) -> None:
    """Five results in three suites: one of each outcome the report distinguishes."""
    write_result(results_dir, "test_list_products", "Contract", "passed")
    write_result(results_dir, "test_get_buyer", "Contract", "failed", "response body does not match the schema")
    write_result(
        results_dir, "test_shopper_cannot_create_product", "Role matrix", "failed", "role leak: Shopper got 201"
    )
    write_result(results_dir, "test_supplier_sees_orders", "Role matrix", "skipped", "Skipped: known: waiver #12")
    write_result(results_dir, "test_checkout", "Scenarios", "broken", "ConnectError: connection refused")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a real sandbox, read from nowhere but the arguments."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OCGATE_CONFIG", raising=False)
    return load_settings(
        target="europe-west-sandbox",
        personas={"seller_admin": {"username": "ocgate-admin", "password": "Very-Secret-Pass-1"}},
        config_dir=tmp_path,
    )


class TestEnvironment:
    def test_names_the_target_region_spec_build_and_personas(self, tmp_path: Path, settings: Settings) -> None:
        path = write_environment(tmp_path / "results", settings, "1.0.260", ["seller_admin", "buyer_shopper"])
        lines = path.read_text(encoding="utf-8").splitlines()
        assert path.name == "environment.properties"
        assert "target=https://westeurope-sandbox.ordercloud.io" in lines
        assert "region=europe-west-sandbox" in lines
        assert "spec.version=1.0.260" in lines
        assert any(re.fullmatch(r"ocgate\.version=\S+", line) for line in lines)
        assert "personas=buyer_shopper, seller_admin" in lines

    def test_never_contains_secrets(self, tmp_path: Path, settings: Settings) -> None:
        path = write_environment(tmp_path, settings, "1.0.260", ["seller_admin"])
        text = path.read_text(encoding="utf-8")
        assert "Very-Secret-Pass-1" not in text
        assert "ocgate-admin" not in text

    def test_git_sha_is_unknown_outside_a_repository(self, tmp_path: Path, settings: Settings) -> None:
        path = write_environment(tmp_path, settings, "1.0.260", [])
        assert "git.sha=unknown" in path.read_text(encoding="utf-8").splitlines()

    def test_git_sha_is_the_short_head_inside_a_repository(self, tmp_path: Path, settings: Settings) -> None:
        git = ["git", "-c", "user.name=ocgate", "-c", "user.email=ocgate@example.invalid"]
        subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
        subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "start"], cwd=tmp_path, check=True)
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tmp_path, capture_output=True, text=True)
        path = write_environment(tmp_path / "results", settings, "1.0.260", [])
        assert f"git.sha={head.stdout.strip()}" in path.read_text(encoding="utf-8").splitlines()


def category_of(status: str, message: str) -> str | None:
    """The category Allure gives a result: the first whose statuses and whole-message regex match."""
    for category in CATEGORIES:
        pattern = category.get("messageRegex")
        if status in category["matchedStatuses"] and (pattern is None or re.fullmatch(pattern, message)):
            return category["name"]
    return None


class TestCategories:
    def test_are_written_in_allure_format(self, tmp_path: Path) -> None:
        path = write_categories(tmp_path)
        categories = json.loads(path.read_text(encoding="utf-8"))
        assert path.name == "categories.json"
        assert {c["name"] for c in categories} == {
            "Contract violation",
            "Role leak",
            "Server error",
            "SLO breach",
            "Known / waived",
            "Infrastructure",
            "Security",
        }
        assert all(set(c) <= {"name", "matchedStatuses", "messageRegex", "traceRegex"} for c in categories)

    @pytest.mark.parametrize(
        ("status", "message", "expected"),
        [
            ("failed", "AssertionError: role leak: Shopper got 201 on POST /products", "Role leak"),
            ("failed", "expected 403 InsufficientRoles, got 200", "Role leak"),
            ("failed", "SLO breach: p95 812 ms > 500 ms", "SLO breach"),
            ("failed", "POST /orders returned 503\nbody: {}", "Server error"),
            ("broken", "httpx.HTTPStatusError: Server error '502 Bad Gateway' for url 'x'", "Server error"),
            ("broken", "httpx.ConnectError: [Errno 111] Connection refused", "Infrastructure"),
            ("skipped", "Skipped: known: spec says 200, OrderCloud answers 201", "Known / waived"),
            ("skipped", "XFAIL known: waiver #7\n\nAssertionError: assert 201 == 200", "Known / waived"),
            ("skipped", "Skipped: no buyer persona configured", None),
            ("failed", "took 1500ms; response does not match the schema\nsecond line", "Contract violation"),
            ("failed", "ocgate.security.findings.Finding: Security: other_company_is_refused: Users.Get: GET /buyers/a/users/u: 200", "Security"),
            ("failed", "Security: token_is_refused: Me.ListAddresses: a revoked token: 200 (InsufficientRoles)\nSecurity: ...", "Security"),
            ("skipped", "Skipped: known: Users.List password_is_never_returned: ticket 42", "Known / waived"),
        ],
    )
    def test_sort_the_messages_the_suites_produce(self, status: str, message: str, expected: str | None) -> None:
        assert category_of(status, message) == expected


class TestSummary:
    def test_counts_tests_outcomes_and_duration_per_suite(self, tmp_path: Path) -> None:
        write_sample_run(tmp_path)
        assert summarize([tmp_path]) == [
            SuiteSummary("Contract", tests=2, passed=1, failed=1, known=0, duration_ms=200),
            SuiteSummary("Role matrix", tests=2, passed=0, failed=1, known=1, duration_ms=200),
            SuiteSummary("Scenarios", tests=1, passed=0, failed=1, known=0, duration_ms=100),
        ]

    def test_merges_several_results_folders(self, tmp_path: Path) -> None:
        write_result(tmp_path / "contracts", "test_a", "Contract", "passed")
        write_result(tmp_path / "scenarios", "test_b", "Contract", "failed", "boom")
        assert summarize([tmp_path / "contracts", tmp_path / "scenarios"]) == [
            SuiteSummary("Contract", tests=2, passed=1, failed=1, duration_ms=200)
        ]

    def test_a_retried_test_counts_once_as_its_last_try(self, tmp_path: Path) -> None:
        write_result(tmp_path, "test_flaky", "Scenarios", "broken", "timeout", start=1_000)
        write_result(tmp_path, "test_flaky", "Scenarios", "passed", start=5_000)
        assert summarize([tmp_path]) == [SuiteSummary("Scenarios", tests=1, passed=1, duration_ms=100)]

    def test_skips_that_are_not_waivers_are_not_counted_as_known(self, tmp_path: Path) -> None:
        write_result(tmp_path, "test_x", "Scenarios", "skipped", "Skipped: no buyer persona")
        assert summarize([tmp_path]) == [SuiteSummary("Scenarios", tests=1, duration_ms=100)]

    def test_falls_back_to_parent_suite_then_epic(self, tmp_path: Path) -> None:
        write_result(tmp_path, "test_a", "-", "passed", labels=[{"name": "parentSuite", "value": "contracts"}])
        write_result(tmp_path, "test_b", "-", "passed", labels=[{"name": "epic", "value": "Load"}])
        write_result(tmp_path, "test_c", "-", "passed", labels=[])
        assert [s.suite for s in summarize([tmp_path])] == ["(no suite)", "Load", "contracts"]

    def test_ignores_unreadable_files_and_missing_folders(self, tmp_path: Path) -> None:
        write_result(tmp_path, "test_a", "Contract", "passed")
        (tmp_path / "half-written-result.json").write_text('{"name": "test_', encoding="utf-8")
        assert summarize([tmp_path, tmp_path / "absent"]) == [
            SuiteSummary("Contract", tests=1, passed=1, duration_ms=100)
        ]


class TestHtmlPrerequisites:
    def test_without_the_allure_package_says_where_results_are_and_how_to_get_html(self, tmp_path: Path) -> None:
        write_sample_run(tmp_path / "results")
        with pytest.raises(ReportError) as error:
            generate_html([tmp_path / "results"], tmp_path / "report", project_dir=tmp_path)
        message = str(error.value)
        assert "\n" not in message
        assert str(tmp_path / "results") in message
        assert "npm install" in message and "ocgate report" in message

    def test_without_node_says_so(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        write_sample_run(tmp_path / "results")
        monkeypatch.setattr(report.shutil, "which", lambda name: None)
        with pytest.raises(ReportError, match="Node.js is not installed.*results were written to"):
            generate_html([tmp_path / "results"], tmp_path / "report", project_dir=REPO_ROOT)

    def test_without_results_asks_for_a_run_first(self, tmp_path: Path) -> None:
        with pytest.raises(ReportError, match="no Allure results .* run `ocgate run` first"):
            generate_html([tmp_path / "absent"], tmp_path / "report", project_dir=REPO_ROOT)


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An HTML report built by Allure 3 from the sample run, in two results folders."""
    root = tmp_path_factory.mktemp("allure")
    write_sample_run(root / "results")
    write_result(root / "load-results", "test_checkout_p95", "Load", "failed", "SLO breach: p95 900 ms > 800 ms")
    (root / "results" / "environment.properties").write_text("target=embedded\nspec.version=1.0.260\n")
    write_categories(root / "results")
    generate_html([root / "results", root / "load-results"], root / "report" / "allure-report", project_dir=REPO_ROOT)
    return root / "report" / "allure-report"


@needs_allure
class TestHtml:
    def test_is_one_self_contained_page(self, sample_report: Path) -> None:
        assert (sample_report / "index.html").stat().st_size > 0
        assert not (sample_report / "data").exists()

    def test_loads_nothing_from_the_internet(self, sample_report: Path) -> None:
        html = (sample_report / "index.html").read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)="https?://', html)

    def test_an_allure_failure_is_one_line_that_points_at_the_results(self, tmp_path: Path) -> None:
        write_sample_run(tmp_path / "results")
        (tmp_path / "occupied").write_text("a file where the report folder should go")
        with pytest.raises(ReportError) as error:
            generate_html([tmp_path / "results"], tmp_path / "occupied" / "report", project_dir=REPO_ROOT)
        assert str(error.value).startswith("Allure could not build the report (")
        assert str(error.value).endswith(f"results are in {tmp_path / 'results'}")
        assert "\n" not in str(error.value) and "\x1b" not in str(error.value)

    def test_keeps_a_history_line_per_generation_beside_the_report(self, tmp_path: Path) -> None:
        write_sample_run(tmp_path / "results")
        report_dir = tmp_path / "reports" / "allure-report"
        for _ in range(2):
            generate_html([tmp_path / "results"], report_dir, project_dir=REPO_ROOT)
        history = history_file(report_dir)
        assert history.parent == report_dir.parent
        assert len(history.read_text(encoding="utf-8").splitlines()) == 2


@needs_allure
@needs_chromium
class TestHtmlInABrowser:
    def test_shows_the_suites_tests_and_counts(self, sample_report: Path) -> None:
        text = render_report(sample_report)
        for name in ("Contract", "Role matrix", "Scenarios", "Load", "test_get_buyer", "test_checkout_p95"):
            assert name in text
        assert re.search(r"Total 6 Failed 3 Broken 1 Passed 1 Skipped 1", text)
        assert "spec.version 1.0.260" in text

    def test_sorts_failures_into_the_ocgate_categories(self, sample_report: Path) -> None:
        text = render_report(sample_report, view="categories")
        for category in ("Contract violation 1", "Role leak 1", "SLO breach 1", "Infrastructure 1", "Known / waived 1"):
            assert category in text


class TestBrowserCheck:
    def test_a_missing_report_is_a_clear_error(self, tmp_path: Path) -> None:
        with pytest.raises(BrowserError, match="does not exist; build the report first"):
            render_report(tmp_path)

    def test_missing_chromium_is_a_clear_error(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "index.html").write_text("<html></html>")
        monkeypatch.setattr(browser_check.shutil, "which", lambda name: None)
        with pytest.raises(BrowserError, match="Chromium is not installed"):
            render_report(tmp_path)

    def test_the_command_line_check_prints_one_line_and_exits_2_on_errors(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert browser_check.main([str(tmp_path)]) == 2
        assert capsys.readouterr().err.strip().count("\n") == 0

    def test_visible_text_leaves_out_scripts_and_styles(self) -> None:
        html = "<html><head><style>p{}</style><script>var x = 1;</script></head><body><p>Role  leak</p> 3</body></html>"
        assert visible_text(html) == "Role leak 3"
