"""`ocgate run`: one command from configuration to report and exit code.

configuration -> checks that need no network (options, SLO, traffic and waiver
files; production hosts refused for load) -> spec -> target (the embedded
sandbox starts here, or a real host) -> the seller admin's login -> each
selected suite in a process of its own -> environment.properties,
categories.json, JUnit, HTML -> summary.

Each suite runs as `python -m ocgate.runner SUITE OPTIONS`: its entry point in
a child process with a session of its own, output masked into
reports/logs/SUITE.log. Children get the run's target (the sandbox's URL when
embedded) and spec as OCGATE_* variables, so a suite cannot tell an embedded
run from a real one — which is the point. Their own session keeps a terminal's
Ctrl-C away from them: ocgate passes one SIGINT on to each suite's main
process, so pytest tears its fixtures down (removing what it seeded) and
Locust writes its reports, and kills whatever still runs after a grace period.

Exit codes: 0 pass, 1 violations or SLO breach, 2 cannot run, 130 interrupted
(Ctrl-C or SIGTERM; the results written so far are kept and summarised).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

import psutil
from rich.console import Console
from rich.live import Live
from rich.table import Table

from . import report
from .config import ConfigError, Settings, load_settings
from .junit import read_results, write_junit
from .redact import redact_text, redacting_log_filter
from .spec import Spec, load_spec
from .target import open_target

SUITES = ("contract", "scenarios", "load")
EXIT_PASS, EXIT_FAILED, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 130
#: Where each suite's entry point writes its Allure results, inside reports/allure-results.
RESULTS_FOLDERS = {"contract": "contract", "scenarios": "scenarios", "load": "."}
#: After Ctrl-C, how long a suite may take to tear down and write its reports before it is killed.
GRACE_SECONDS = 60
#: The loggers of the embedded sandbox (its own, uvicorn's), kept in reports/logs/sandbox.log.
SANDBOX_LOGGERS = ("ocgate.sandbox", "uvicorn")
#: Without a terminal (CI logs), how often the counts are printed while a suite runs.
LOG_EVERY_SECONDS = 30


@dataclass(frozen=True)
class RunOptions:
    """What to run and how; paths are absolute (the suites run in the repository root)."""

    only: tuple[str, ...] = SUITES
    profile: str = "gate"
    operations: tuple[str, ...] = ()  # contract gate: only these operationIds
    tags: tuple[str, ...] = ()  # contract gate: only operations with these tags
    waivers: str | None = None
    scenario_filter: str | None = None  # a pytest -k expression over the scenarios
    load_shape: str = "smoke"
    load_users: int | None = None
    load_duration: str | None = None
    load_processes: int = 1
    slo: str | None = None
    traffic: str | None = None
    html: bool = True

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RunOptions:
        return cls(**{key: tuple(value) if isinstance(value, list) else value for key, value in json.loads(text).items()})


@dataclass
class SuiteOutcome:
    name: str
    exit_code: int
    seconds: float
    counts: report.SuiteSummary
    reason: str = ""  # why it could not run

    @property
    def verdict(self) -> str:
        if self.exit_code == EXIT_INTERRUPTED:
            return "interrupted"
        return {EXIT_PASS: "passed", EXIT_FAILED: "failed"}.get(self.exit_code, "could not run")


@dataclass
class RunResult:
    exit_code: int
    outcomes: list[SuiteOutcome] = field(default_factory=list)
    html: Path | None = None
    notes: list[str] = field(default_factory=list)


# -- before anything starts ---------------------------------------------------------------------


def check_offline(settings: Settings, options: RunOptions) -> None:
    """What can be checked without the network: options, the load's files, production hosts."""
    unknown = [name for name in options.only if name not in SUITES]
    if unknown or not options.only:
        raise ConfigError(f"--only: unknown suite {', '.join(unknown) or '(none)'}; choose from {', '.join(SUITES)}")
    if "contract" in options.only:
        from .gate.settings import PROFILES

        if options.profile not in PROFILES:
            raise ConfigError(f"--profile: unknown profile {options.profile!r}; choose {' or '.join(PROFILES)}")
    if "load" in options.only:
        from .load_runner import refuse_production
        from .load_shapes import parse_duration, shape_plan
        from .load_traffic import load_traffic
        from .slo import load_slo

        # Production first: a load run must not even fetch the spec from a production host.
        if not settings.is_embedded:
            refuse_production(target=settings.base_url or "", token_url=settings.token_url or "")
        duration = parse_duration(options.load_duration) if options.load_duration else None
        shape_plan(options.load_shape).stages(options.load_users, duration)
        if options.load_processes < 1:
            raise ConfigError(f"--processes: at least 1, not {options.load_processes}")
        load_dir = settings.config_dir / "load"
        load_traffic(Path(options.traffic) if options.traffic else load_dir / "traffic.toml")
        load_slo(Path(options.slo) if options.slo else load_dir / "slo.toml")


def check_contract_selection(settings: Settings, spec: Spec, options: RunOptions) -> None:
    """The waiver file is valid and the operation filters select something, before the gate starts."""
    from .gate.plan import contract_settings
    from .gate.waivers import load_waivers

    contract = contract_settings(settings)
    selection = contract.model_copy(update={"operation_ids": list(options.operations or contract.operation_ids), "tags": list(options.tags or contract.tags)})
    if not any(selection.selects(op) for op in spec.operations):
        raise ConfigError("--operation/--tag: no operation of the spec matches; check the operationIds and tags (e.g. Orders.Submit, Buyers)")
    waivers = Path(options.waivers or contract.waivers)
    load_waivers(waivers if waivers.is_absolute() else settings.config_dir / waivers, (op.operation_id for op in spec.operations))


def results_dir(settings: Settings) -> Path:
    return settings.reports_path / "allure-results"


def results_folders(settings: Settings) -> list[Path]:
    """The results folder and the suites' subfolders in it: everything the HTML report shows."""
    results = results_dir(settings)
    return [results, *(results / sub for sub in RESULTS_FOLDERS.values() if sub != "." and (results / sub).is_dir())]


def prepare_reports(settings: Settings) -> None:
    """Empty this run's output folders; the report history (beside allure-report) is kept."""
    for folder in (results_dir(settings), *(settings.reports_path / name for name in ("junit", "logs", "load"))):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)


def suite_environment(settings: Settings, base_url: str) -> dict[str, str]:
    """The environment of a suite process: this one's, pointed at the run's target, spec and reports."""
    env = {
        **os.environ,
        "OCGATE_TARGET": base_url,
        "OCGATE_SPEC": settings.spec_location,
        "OCGATE_REPORTS_DIR": str(settings.reports_path.resolve()),
        "PYTHONUNBUFFERED": "1",  # the log shows how far a suite got, even when it is killed
    }
    config_file = settings.config_dir / "ocgate.toml"
    if config_file.exists():
        env["OCGATE_CONFIG"] = str(config_file)
    return env


# -- the run ------------------------------------------------------------------------------------


def run(settings: Settings, options: RunOptions, console: Console | None = None) -> RunResult:
    console = console or Console(stderr=True)
    check_offline(settings, options)
    spec = load_spec(settings.spec_location)
    if "contract" in options.only:
        check_contract_selection(settings, spec, options)
    results = results_dir(settings)
    sandbox_log = settings.reports_path / "logs" / "sandbox.log"
    with sigterm_as_interrupt(), open_target(settings) as target:
        console.print(f"target {target.base_url} ({settings.region()}), spec {spec.version}", highlight=False)
        target.tokens.token("seller_admin")  # a refused login stops the run here, with one line
        prepare_reports(settings)  # only now: a run that cannot start leaves the last run's reports alone
        with logged_to(sandbox_log, SANDBOX_LOGGERS):
            outcomes = run_suites(options, suite_environment(settings, target.base_url), settings, console)
        personas = target.tokens.personas()
    if sandbox_log.exists() and sandbox_log.stat().st_size:
        console.print(f"the embedded sandbox logged errors: {sandbox_log}", highlight=False)
    report.write_environment(results, settings, spec.version, personas)
    report.write_categories(results)
    for outcome in outcomes:
        junit = settings.reports_path / "junit" / f"{outcome.name}.xml"
        if not junit.exists():
            write_junit(outcome.name, read_results(results / RESULTS_FOLDERS[outcome.name]), junit)
    result = RunResult(overall_exit_code(outcomes), outcomes)
    result.notes += [f"the {o.name} suite could not run: {o.reason}" for o in outcomes if o.verdict == "could not run"]
    if result.exit_code == EXIT_INTERRUPTED:
        result.notes.append(f"interrupted; the results written so far are in {results}; build their HTML with `ocgate report`")
    elif options.html:
        build_html(settings, result)
    return result


def run_suites(options: RunOptions, env: dict[str, str], settings: Settings, console: Console) -> list[SuiteOutcome]:
    """Each selected suite in turn; after a Ctrl-C the suite running is stopped and no other starts."""
    outcomes: list[SuiteOutcome] = []
    with LiveCounts(console, results_dir(settings)) as live:
        for name in options.only:
            live.started(name)
            began = time.monotonic()
            suite = SuiteProcess(name, options, env, settings.config_dir, settings.reports_path / "logs" / f"{name}.log")
            try:
                code = suite.wait()
            except KeyboardInterrupt:
                suite.stop()
                code = EXIT_INTERRUPTED
            outcome = SuiteOutcome(name, code, time.monotonic() - began, live.counts(name), suite.reason())
            outcomes.append(outcome)
            live.finished(outcome)
            if code == EXIT_INTERRUPTED:
                break
    return outcomes


def overall_exit_code(outcomes: list[SuiteOutcome]) -> int:
    verdicts = {outcome.verdict for outcome in outcomes}
    if "interrupted" in verdicts:
        return EXIT_INTERRUPTED
    if "could not run" in verdicts:
        return EXIT_CANNOT_RUN
    return EXIT_FAILED if "failed" in verdicts else EXIT_PASS


def build_html(settings: Settings, result: RunResult) -> None:
    """The Allure HTML report; without Node or Allure the results stay and the note says how to get HTML."""
    try:
        result.html = report.generate_html(results_folders(settings), settings.reports_path / "allure-report", settings.config_dir)
    except report.ReportError as error:
        result.notes.append(str(error))
        result.exit_code = max(result.exit_code, EXIT_CANNOT_RUN)


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
        for logger, (handlers, propagate) in zip(loggers, saved):
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


# -- one suite in a process of its own ----------------------------------------------------------


class SuiteProcess:
    """A suite's entry point in a child process with a session of its own, its output masked into a log."""

    def __init__(self, name: str, options: RunOptions, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ocgate.runner", name, options.to_json()],
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
        """Ctrl-C: SIGINT to the suite's main processes; kill all after the grace period or a second Ctrl-C."""
        try:
            main = psutil.Process(self.process.pid)
            for process in [main, *main.children()]:
                process.send_signal(signal.SIGINT)
            self.process.wait(timeout=GRACE_SECONDS)
        except (psutil.NoSuchProcess, subprocess.TimeoutExpired, KeyboardInterrupt):
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

    def reason(self) -> str:
        """The suite's last `ocgate` line (its one-line reason), or where its log is."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines() if self.log.exists() else []
        said = [line.split(": ", 1)[1] for line in lines if line.startswith("ocgate") and ": " in line]
        return f"{said[-1]}; see {self.log}" if said else f"see {self.log}"


def copy_masked(stream: IO[bytes], log: Path) -> None:
    """Copy a suite's output into its log line by line, secrets masked."""
    with log.open("w", encoding="utf-8") as out:
        for raw in iter(stream.readline, b""):
            out.write(redact_text(raw.decode("utf-8", errors="replace")))
            out.flush()
    stream.close()


# -- progress and summary -----------------------------------------------------------------------


class LiveCounts:
    """Counts per suite while the run goes on: a live table in a terminal, a line now and then in a CI log."""

    def __init__(self, console: Console, results: Path) -> None:
        self.console = console
        self.results = results
        self.rows: dict[str, str] = {}  # suite -> its state
        self.started_at: dict[str, float] = {}
        self._stop = threading.Event()
        self._live = Live(console=console, refresh_per_second=2, transient=True) if console.is_terminal else None
        self._ticker = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> LiveCounts:
        if self._live:
            self._live.start()
        self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._ticker.join()
        if self._live:
            self._live.stop()

    def counts(self, name: str) -> report.SuiteSummary:
        """The suite's results so far, all its Allure suites together."""
        rows = report.summarize([self.results / RESULTS_FOLDERS[name]])
        totals = {key: sum(getattr(row, key) for row in rows) for key in ("tests", "passed", "failed", "known", "duration_ms")}
        return report.SuiteSummary(name, **totals)

    def started(self, name: str) -> None:
        self.rows[name] = "running"
        self.started_at[name] = time.monotonic()
        self.console.print(f"{name}: running", highlight=False)

    def finished(self, outcome: SuiteOutcome) -> None:
        self.rows[outcome.name] = outcome.verdict
        self.console.print(f"{outcome.name}: {outcome.verdict} — {self._describe(outcome.counts)} in {outcome.seconds:.0f}s", highlight=False)

    @staticmethod
    def _describe(counts: report.SuiteSummary) -> str:
        return f"{counts.tests} tests, {counts.passed} passed, {counts.failed} failed, {counts.known} known"

    def table(self) -> Table:
        table = Table(title_justify="left")
        for column in ("suite", "state", "tests", "passed", "failed", "known", "time"):
            table.add_column(column, justify="left" if column in ("suite", "state") else "right")
        for name, state in self.rows.items():
            c = self.counts(name)
            table.add_row(name, state, str(c.tests), str(c.passed), str(c.failed), str(c.known), f"{time.monotonic() - self.started_at[name]:.0f}s" if state == "running" else "")
        return table

    def _tick(self) -> None:
        last_logged = time.monotonic()
        while not self._stop.wait(1.0):
            if self._live:
                self._live.update(self.table())
            elif time.monotonic() - last_logged >= LOG_EVERY_SECONDS:
                last_logged = time.monotonic()
                for name, state in self.rows.items():
                    if state == "running":
                        self.console.print(f"{name}: {self._describe(self.counts(name))} so far", highlight=False)


def summary_table(result: RunResult) -> Table:
    table = Table(title="ocgate summary", title_justify="left")
    for column in ("suite", "tests", "passed", "failed", "known/waived", "duration", "result"):
        table.add_column(column, justify="left" if column in ("suite", "result") else "right")
    for outcome in result.outcomes:
        c = outcome.counts
        table.add_row(outcome.name, str(c.tests), str(c.passed), str(c.failed), str(c.known), f"{outcome.seconds:.1f}s", outcome.verdict)
    return table


# -- the child side: one suite's entry point ----------------------------------------------------


def _suite_entry(name: str, options: RunOptions, settings: Settings) -> int:
    """Call the suite's entry point (imported here: each pulls in its own stack)."""
    reports = settings.reports_path
    if name == "contract":
        from .contract_gate import run_contract_suite

        filters = {key: list(values) for key, values in (("operation_ids", options.operations), ("tags", options.tags)) if values}
        waivers = ["--waivers", options.waivers] if options.waivers else []
        return run_contract_suite(settings, profile=options.profile, filters=filters, reports_dir=reports, extra_args=waivers)
    if name == "scenarios":
        from .scenario_suite import run_scenarios

        return run_scenarios(settings, reports_dir=reports, extra_args=["-k", options.scenario_filter] if options.scenario_filter else [])
    from .load_runner import run_load

    return run_load(
        settings,
        shape=options.load_shape,
        users=options.load_users,
        duration=options.load_duration,
        processes=options.load_processes,
        reports_dir=reports,
        slo_file=Path(options.slo) if options.slo else None,
        traffic_file=Path(options.traffic) if options.traffic else None,
    )


def _interrupt_when_alone(signum: int, frame: object) -> None:
    # ocgate sends SIGINT to this process and its children together: while a child (pytest,
    # Locust) runs, it stops itself and this process follows; without one, stop here.
    if not psutil.Process().children():
        raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    """`python -m ocgate.runner SUITE OPTIONS_JSON`, started by `run` for each suite."""
    name, options = argv[0], RunOptions.from_json(argv[1])
    signal.signal(signal.SIGINT, _interrupt_when_alone)
    try:
        return _suite_entry(name, options, load_settings())
    except ConfigError as error:
        print(f"ocgate {name}: {redact_text(str(error))}", file=sys.stderr)
        return EXIT_CANNOT_RUN
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # exit code 1 would read as "violations": a crash is "cannot run"
        traceback.print_exc()
        print(f"ocgate {name}: crashed ({error.__class__.__name__}: {redact_text(str(error))})", file=sys.stderr)
        return EXIT_CANNOT_RUN


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
