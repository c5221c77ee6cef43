"""`ocgate run`: one command from configuration to report and exit code.

configuration -> pre-flight (options, the spec, fixture data, contract selection and waivers,
the load's files, production hosts: everything that needs no network) -> target (the embedded
sandbox starts here, or a real host) -> the seller admin's login -> each selected suite ->
environment.properties, categories.json, JUnit, HTML -> summary, SLO table, what broke.

The contract gate and the scenarios are `pytest contracts/` and `pytest scenarios/`, started
directly with their own options (see `contract.suite` and `scenarios.suite`) and the run's
target, spec and reports folder as OCGATE_* variables, so a suite cannot tell an embedded run
from a real one. They answer with data: an exit code and result files (Allure, JUnit, and
`logs/<suite>.cannot-run` when they could not run); their output goes, masked, to
`reports/logs/<suite>.log`. Each runs in a session of its own, which keeps a terminal's Ctrl-C
away from it: ocgate passes one SIGINT on, so pytest tears its fixtures down (removing what it
seeded), and kills whatever still runs after a grace period. The load suite runs here: it
seeds, starts Locust as a process of its own (gevent needs one) and judges the SLOs.

Exit codes are `errors.ExitCode`: 0 pass, 1 violations or SLO breach, 2 cannot run, 130
interrupted (Ctrl-C or SIGTERM; the results written so far are kept and summarised).
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from rich.console import Console

from .api.fixture_data import load_fixture_data
from .api.target import open_target
from .config import PROFILE_NAMES, ConfigError, Settings
from .errors import CannotRun, ExitCode, reason_file
from .load.slo import Verdict
from .redact import redact_text, redacting_log_filter
from .report import allure
from .report.junit import read_results, write_junit
from .report.summary import FailureLine, LiveCounts, SuiteRow, failures, suite_counts
from .spec import Spec, load_spec

SUITES = ("contract", "scenarios", "security", "load")
#: After Ctrl-C, how long a pytest suite may take to tear down and write its reports before it is killed.
GRACE_SECONDS = 60
#: The loggers of the embedded sandbox (its own, uvicorn's), kept in reports/logs/sandbox.log.
SANDBOX_LOGGERS = ("ocgate.sandbox", "uvicorn")


@dataclass(frozen=True)
class RunOptions:
    """What to run and how, as given on the command line (None: the configuration's choice)."""

    only: tuple[str, ...] = SUITES
    profile: str | None = None  # contract gate
    operations: tuple[str, ...] = ()  # contract gate: only these operationIds
    tags: tuple[str, ...] = ()  # contract gate: only operations with these tags
    waivers: str | None = None  # contract gate: an absolute path
    workers: int | None = None  # calls in flight at once: the gate's operations, the role matrix's probes
    scenario_filter: str | None = None  # a pytest -k expression over the scenarios
    load_shape: str = "smoke"
    load_users: int | None = None
    load_duration: str | None = None
    load_processes: int = 1
    slo: str | None = None
    traffic: str | None = None
    html: bool = True


@dataclass
class SuiteOutcome:
    name: str
    exit_code: int
    seconds: float
    counts: allure.SuiteSummary
    reason: str = ""  # why it could not run

    @property
    def verdict(self) -> str:
        known = {ExitCode.PASSED: "passed", ExitCode.FAILED: "failed", ExitCode.INTERRUPTED: "interrupted"}
        return known.get(self.exit_code, "could not run")  # type: ignore[call-overload]

    @property
    def row(self) -> SuiteRow:
        return SuiteRow(self.counts, self.seconds, self.verdict)


@dataclass
class RunResult:
    exit_code: int
    outcomes: list[SuiteOutcome] = field(default_factory=list)
    html: Path | None = None
    notes: list[str] = field(default_factory=list)
    failures: list[FailureLine] = field(default_factory=list)
    slo_verdicts: list[Verdict] = field(default_factory=list)


# -- before anything starts ---------------------------------------------------------------------


def preflight(settings: Settings, options: RunOptions) -> Spec:
    """The one check before a run: everything that can be known wrong without the network."""
    unknown = [name for name in options.only if name not in SUITES]
    if unknown or not options.only:
        raise ConfigError(f"--only: unknown suite {', '.join(unknown) or '(none)'}; choose from {', '.join(SUITES)}")
    if "load" in options.only and not settings.is_embedded:  # before even the spec is fetched from it
        from .load.runner import refuse_production

        refuse_production(target=settings.base_url or "", token_url=settings.token_url or "")
    spec = load_spec(settings.spec_location)
    load_fixture_data(settings.data_path)
    if "contract" in options.only:
        check_contract_selection(settings, spec, options)
    if "load" in options.only:
        check_load_request(settings, options)
    return spec


def check_contract_selection(settings: Settings, spec: Spec, options: RunOptions) -> None:
    """The profile and waiver file are valid and the operation filters select something."""
    from .contract.waivers import load_waivers

    if options.profile is not None and options.profile not in PROFILE_NAMES:
        raise ConfigError(f"--profile: unknown profile {options.profile!r}; choose {' or '.join(PROFILE_NAMES)}")
    contract = settings.contract.with_options(profile=options.profile, operation_ids=options.operations, tags=options.tags, waivers=options.waivers)
    if not any(contract.selects(op) for op in spec.operations):
        raise ConfigError("--operation/--tag: no operation of the spec matches; check the operationIds and tags (e.g. Orders.Submit, Buyers)")
    waivers = Path(contract.waivers)
    load_waivers(waivers if waivers.is_absolute() else settings.config_dir / waivers, (op.operation_id for op in spec.operations))


def check_load_request(settings: Settings, options: RunOptions) -> None:
    from .load.shapes import parse_duration, shape_plan
    from .load.slo import load_slo
    from .load.traffic import load_traffic

    duration = parse_duration(options.load_duration) if options.load_duration else None
    shape_plan(options.load_shape).stages(options.load_users, duration)
    if options.load_processes < 1:
        raise ConfigError(f"--processes: at least 1, not {options.load_processes}")
    load_dir = settings.config_dir / "load"
    load_traffic(Path(options.traffic) if options.traffic else load_dir / "traffic.toml")
    load_slo(Path(options.slo) if options.slo else load_dir / "slo.toml")


def results_dir(settings: Settings) -> Path:
    return settings.reports_path / "allure-results"


def suite_results(settings: Settings) -> dict[str, Path]:
    """Each suite's Allure results folder, inside reports/allure-results."""
    return {name: results_dir(settings) / name for name in SUITES}


def results_folders(settings: Settings) -> list[Path]:
    """The results folder (environment, categories) and the suites' folders: what the HTML report shows."""
    return [results_dir(settings), *(folder for folder in suite_results(settings).values() if folder.is_dir())]


def prepare_reports(settings: Settings) -> None:
    """Empty this run's output folders; the report history (beside allure-report) is kept."""
    for folder in (results_dir(settings), *(settings.reports_path / name for name in ("junit", "logs", "load"))):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)


def suite_environment(settings: Settings, base_url: str) -> dict[str, str]:
    """The environment of a suite: this process's, pointed at the run's target, spec and reports."""
    env = {
        **os.environ,
        "OCGATE_TARGET": base_url,
        "OCGATE_SPEC": settings.spec_location,
        "OCGATE_REPORTS_DIR": str(settings.reports_path.resolve()),
        "OCGATE_DATA_DIR": str(settings.data_path.resolve()),
        "PYTHONUNBUFFERED": "1",  # the log shows how far a suite got, even when it is killed
    }
    if settings.max_rps:
        env["OCGATE_MAX_RPS"] = str(settings.max_rps)  # --max-rps reaches the suites as a setting
    config_file = settings.config_dir / "ocgate.toml"
    if config_file.exists():
        env["OCGATE_CONFIG"] = str(config_file)
    return env


# -- the run ------------------------------------------------------------------------------------


def run(settings: Settings, options: RunOptions, console: Console | None = None) -> RunResult:
    console = console or Console(stderr=True)
    spec = preflight(settings, options)
    results = results_dir(settings)
    sandbox_log = settings.reports_path / "logs" / "sandbox.log"
    with sigterm_as_interrupt(), open_target(settings) as target:
        console.print(f"target {target.base_url} ({settings.region()}), spec {spec.version}", highlight=False)
        target.tokens.token("seller_admin")  # a refused login stops the run here, with one line
        prepare_reports(settings)  # only now: a run that cannot start leaves the last run's reports alone
        with logged_to(sandbox_log, SANDBOX_LOGGERS):
            suites = Suites(options, settings, target.base_url, console)
            outcomes = suites.run()
        personas = target.tokens.personas()
    if sandbox_log.exists() and sandbox_log.stat().st_size:
        console.print(f"the embedded sandbox logged errors: {sandbox_log}", highlight=False)
    allure.write_environment(results, settings, spec.version, personas)
    allure.write_categories(results)
    folders = suite_results(settings)
    for outcome in outcomes:
        junit = settings.reports_path / "junit" / f"{outcome.name}.xml"
        if not junit.exists():
            write_junit(outcome.name, read_results(folders[outcome.name]), junit)
    result = RunResult(overall_exit_code(outcomes), outcomes, slo_verdicts=suites.slo_verdicts)
    result.failures = [line for outcome in outcomes for line in failures(outcome.name, folders[outcome.name])]
    result.notes += [f"the {o.name} suite could not run: {o.reason}" for o in outcomes if o.verdict == "could not run"]
    if result.exit_code == ExitCode.INTERRUPTED:
        result.notes.append(f"interrupted; the results written so far are in {results}; build their HTML with `ocgate report`")
    elif options.html:
        build_html(settings, result)
    return result


class Suites:
    """The selected suites, one after the other; after a Ctrl-C the one running stops and no other starts."""

    def __init__(self, options: RunOptions, settings: Settings, base_url: str, console: Console) -> None:
        self.options = options
        self.settings = settings
        self.base_url = base_url
        self.console = console
        self.logs = settings.reports_path / "logs"
        self.slo_verdicts: list[Verdict] = []

    def run(self) -> list[SuiteOutcome]:
        outcomes: list[SuiteOutcome] = []
        folders = suite_results(self.settings)
        with LiveCounts(self.console, folders) as live:
            for name in self.options.only:
                live.started(name)
                began = time.monotonic()
                code, reason = self.run_load() if name == "load" else self.run_pytest(name)
                outcome = SuiteOutcome(name, code, time.monotonic() - began, suite_counts(name, folders[name]), reason)
                outcomes.append(outcome)
                live.finished(name, outcome.verdict, outcome.counts, outcome.seconds)
                if code == ExitCode.INTERRUPTED:
                    break
        return outcomes

    def run_pytest(self, name: str) -> tuple[int, str]:
        """`pytest contracts/` or `pytest scenarios/` to the end; its exit code, and its reason when it could not run."""
        try:
            command = self.pytest_command(name)
        except CannotRun as error:
            return ExitCode.CANNOT_RUN, error.line()
        suite = PytestSuite(command, suite_environment(self.settings, self.base_url), self.settings.config_dir, self.logs / f"{name}.log")
        try:
            code = suite.wait()
        except KeyboardInterrupt:
            suite.stop()
            return ExitCode.INTERRUPTED, ""
        if code in (ExitCode.PASSED, ExitCode.FAILED):
            return code, ""
        reason = reason_file(self.settings.reports_path, name)
        said = reason.read_text(encoding="utf-8").strip() if reason.exists() else f"pytest exited with {code}"
        return ExitCode.CANNOT_RUN, f"{said}; see {suite.log}"

    def pytest_command(self, name: str) -> list[str]:
        reports = self.settings.reports_path.resolve()
        if name == "contract":
            from .contract.suite import pytest_command

            options = self.options
            return pytest_command(reports, profile=options.profile, operation_ids=options.operations, tags=options.tags, waivers=options.waivers, workers=options.workers or self.settings.contract.workers_for(self.settings.is_embedded))
        if name == "security":
            from .security.suite import pytest_command as security_command

            return security_command(reports)
        from .scenarios.suite import pytest_command

        return pytest_command(reports, keyword=self.options.scenario_filter, matrix_workers=self.options.workers)

    def run_load(self) -> tuple[int, str]:
        """The load suite, here: seeding and judging in this process, Locust in its own."""
        from .load.runner import run_load

        options = self.options
        with (self.logs / "load.log").open("w", encoding="utf-8") as log:
            console = Console(file=MaskedText(log), width=120, color_system=None)
            try:
                result = run_load(
                    self.settings.model_copy(update={"target": self.base_url}),
                    shape=options.load_shape,
                    users=options.load_users,
                    duration=options.load_duration,
                    processes=options.load_processes,
                    reports_dir=self.settings.reports_path,
                    slo_file=Path(options.slo) if options.slo else None,
                    traffic_file=Path(options.traffic) if options.traffic else None,
                    console=console,
                )
            except CannotRun as error:
                console.print(f"ocgate load: {error.line()}", markup=False, highlight=False, soft_wrap=True)
                return ExitCode.CANNOT_RUN, f"{redact_text(error.line())}; see {self.logs / 'load.log'}"
            except KeyboardInterrupt:
                return ExitCode.INTERRUPTED, ""
        self.slo_verdicts = result.verdicts
        return result.exit_code, ""


def overall_exit_code(outcomes: list[SuiteOutcome]) -> int:
    verdicts = {outcome.verdict for outcome in outcomes}
    if "interrupted" in verdicts:
        return ExitCode.INTERRUPTED
    if "could not run" in verdicts:
        return ExitCode.CANNOT_RUN
    return ExitCode.FAILED if "failed" in verdicts else ExitCode.PASSED


def build_html(settings: Settings, result: RunResult) -> None:
    """The Allure HTML report; without Node or Allure the results stay and the note says how to get HTML."""
    try:
        result.html = allure.generate_html(results_folders(settings), settings.reports_path / "allure-report", settings.config_dir)
    except allure.ReportError as error:
        result.notes.append(error.line())
        result.exit_code = max(result.exit_code, ExitCode.CANNOT_RUN)


class MaskedText(io.TextIOBase):
    """A text file that masks secrets in everything written to it (the load suite's log)."""

    def __init__(self, file: io.TextIOBase) -> None:
        self.file = file

    def write(self, text: str) -> int:
        self.file.write(redact_text(text))
        self.file.flush()
        return len(text)


@contextmanager
def logged_to(path: Path, names: tuple[str, ...]) -> Iterator[None]:
    """Send these loggers' records to a masked log file instead of the terminal, for the block's duration.

    The embedded sandbox runs in this process: its errors belong in the run's logs, not between
    the progress lines. Entered after the sandbox started, because uvicorn sets up its loggers then.
    """
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.addFilter(redacting_log_filter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in names]
    saved = [(logger.handlers, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.handlers, logger.propagate = [handler], False
    try:
        yield
    finally:
        for logger, (handlers, propagate) in zip(loggers, saved, strict=True):
            logger.handlers, logger.propagate = handlers, propagate
        handler.close()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """A CI job cancelled with SIGTERM stops like Ctrl-C: suites are stopped, nothing is left running."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# -- one pytest suite in a process of its own ----------------------------------------------------


class PytestSuite:
    """pytest in a child process with a session of its own, its output masked into a log."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        self._copier = threading.Thread(target=copy_masked, args=(self.process.stdout, log), daemon=True)
        self._copier.start()

    def wait(self) -> int:
        """The suite's exit code, once it has ended (a Ctrl-C meanwhile raises KeyboardInterrupt)."""
        code = self.process.wait()
        self._kill_leftovers()
        return code

    def stop(self) -> None:
        """Ctrl-C: SIGINT to pytest; kill all after the grace period or a second Ctrl-C."""
        try:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=GRACE_SECONDS)
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            pass
        self._kill_leftovers()

    def _kill_leftovers(self) -> None:
        """Kill what is still running of the suite: the processes under it, then its own session."""
        try:
            descendants = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        for process in descendants:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # orphans whose parent exited stay in the group
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self._copier.join(timeout=10)


def copy_masked(stream: io.BufferedReader, log: Path) -> None:
    """Copy a suite's output into its log line by line, secrets masked."""
    with log.open("w", encoding="utf-8") as out:
        for raw in iter(stream.readline, b""):
            out.write(redact_text(raw.decode("utf-8", errors="replace")))
            out.flush()
    stream.close()
