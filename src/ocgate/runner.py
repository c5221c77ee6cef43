"""`ocgate run`: one command from configuration to report and exit code.

config -> target (embedded sandbox started here, or a real host) -> spec ->
personas' tokens -> each selected suite in its own process (it seeds and cleans
its own run-scoped fixture) -> Allure environment, categories, HTML -> summary.

Suites run as subprocesses against the same target: they inherit
OCGATE_TARGET (the sandbox's URL when embedded) and OCGATE_SPEC, so a suite
cannot tell an embedded run from a real one — which is the point.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from . import report
from .config import Settings, load_settings
from .spec import load_spec
from .target import open_target

SUITES = ("contract", "scenarios", "load")
EXIT_PASS, EXIT_FAILED, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass
class RunOptions:
    only: tuple[str, ...] = SUITES
    profile: str = "gate"
    load_shape: str = "smoke"
    html: bool = True


@dataclass
class SuiteOutcome:
    name: str
    exit_code: int
    seconds: float


@dataclass
class RunResult:
    exit_code: int
    outcomes: list[SuiteOutcome] = field(default_factory=list)
    summaries: list[report.SuiteSummary] = field(default_factory=list)
    html: Path | None = None
    notes: list[str] = field(default_factory=list)


def results_dir(settings: Settings) -> Path:
    return settings.reports_path / "allure-results"


def _suite_runner(name: str, options: RunOptions) -> Callable[[Settings, Path], int]:
    """The entry point of one suite (imported lazily: each pulls in its own stack)."""
    if name == "contract":
        from .contract_gate import run_contract_suite

        return lambda settings, reports: run_contract_suite(settings, profile=options.profile, filters={}, reports_dir=reports)
    if name == "scenarios":
        from .scenario_suite import run_scenarios

        return lambda settings, reports: run_scenarios(settings, reports_dir=reports, extra_args=[])
    from .load_runner import run_load

    return lambda settings, reports: run_load(settings, shape=options.load_shape, users=None, duration=None, processes=1, reports_dir=reports)


@contextmanager
def suite_environment(settings: Settings, base_url: str) -> Iterator[Settings]:
    """Point child processes at this run's target and spec; restore the environment afterwards."""
    saved = {key: os.environ.get(key) for key in ("OCGATE_TARGET", "OCGATE_SPEC", "OCGATE_CONFIG")}
    os.environ["OCGATE_TARGET"] = base_url
    os.environ["OCGATE_SPEC"] = settings.spec_location
    config_file = settings.config_dir / "ocgate.toml"
    if config_file.exists():
        os.environ["OCGATE_CONFIG"] = str(config_file)
    try:
        yield load_settings()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def live_counts(results: Path, started: float) -> Table:
    """Counts of finished tests per suite, read from the Allure results written so far."""
    table = Table(title=f"ocgate run — {time.monotonic() - started:.0f}s", title_justify="left")
    for column in ("suite", "tests", "passed", "failed", "known"):
        table.add_column(column, justify="right" if column != "suite" else "left")
    for summary in report.summarize([results]):
        table.add_row(summary.suite, str(summary.tests), str(summary.passed), str(summary.failed), str(summary.known))
    return table


def summary_table(result: RunResult) -> Table:
    table = Table(title="ocgate summary", title_justify="left")
    for column in ("suite", "tests", "passed", "failed", "known/waived", "duration"):
        table.add_column(column, justify="left" if column == "suite" else "right")
    for summary in result.summaries:
        table.add_row(summary.suite, str(summary.tests), str(summary.passed), str(summary.failed), str(summary.known), f"{summary.duration_ms / 1000:.1f}s")
    for outcome in result.outcomes:
        table.add_row(f"[dim]{outcome.name} (process)[/dim]", "", "", "", "", f"{outcome.seconds:.1f}s exit {outcome.exit_code}")
    return table


def _overall(codes: list[int]) -> int:
    if EXIT_CANNOT_RUN in codes:
        return EXIT_CANNOT_RUN
    return EXIT_FAILED if any(code != 0 for code in codes) else EXIT_PASS


def prepare_results(settings: Settings) -> Path:
    """A clean results folder (history is kept by the report step, not here)."""
    results = results_dir(settings)
    if results.exists():
        shutil.rmtree(results)
    results.mkdir(parents=True)
    return results


def run(settings: Settings, options: RunOptions, console: Console | None = None) -> RunResult:
    console = console or Console(stderr=True)
    spec = load_spec(settings.spec_location)
    results = prepare_results(settings)
    outcomes: list[SuiteOutcome] = []
    interrupted = False
    started = time.monotonic()
    with open_target(settings) as target:
        console.print(f"target {target.base_url} ({settings.region()}), spec {spec.version}")
        target.tokens.token("seller_admin")  # a refused login stops the run here, with one line
        with suite_environment(settings, target.base_url) as suite_settings:
            stop = threading.Event()
            with Live(live_counts(results, started), console=console, refresh_per_second=2, transient=True) as live:
                ticker = threading.Thread(target=_tick, args=(live, results, started, stop), daemon=True)
                ticker.start()
                try:
                    for name in options.only:
                        began = time.monotonic()
                        code = _suite_runner(name, options)(suite_settings, settings.reports_path)
                        outcomes.append(SuiteOutcome(name, code, time.monotonic() - began))
                except KeyboardInterrupt:
                    interrupted = True
                finally:
                    stop.set()
                    ticker.join()
    report.write_environment(results, settings, spec.version, target.tokens.personas())
    report.write_categories(results)
    result = RunResult(EXIT_INTERRUPTED if interrupted else _overall([o.exit_code for o in outcomes]), outcomes, report.summarize([results]))
    if options.html:
        try:
            result.html = report.generate_html([results], settings.reports_path / "allure-report", settings.config_dir)
        except report.ReportError as error:
            result.notes.append(str(error))
            result.exit_code = max(result.exit_code, EXIT_CANNOT_RUN) if result.exit_code != EXIT_INTERRUPTED else result.exit_code
    return result


def _tick(live: Live, results: Path, started: float, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        live.update(live_counts(results, started))
