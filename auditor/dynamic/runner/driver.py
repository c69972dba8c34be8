"""Runs pytest in subprocesses with the plugin: the only place test-auditor starts pytest.

Each run gets an order file and a record file in a private temporary folder; pytest runs in
the rootdir with ``-p no:randomly`` (the order is ours) and the plugin loaded by module name,
so an interpreter other than test-auditor's own (``--python``) works as long as it has pytest.
Every executed test counts against the budget.

pytest runs in a process group of its own (:mod:`auditor.dynamic.runner.processes`), ended
as a whole when the run ends. A run that loses tests (a test that crashed the process, was
interrupted, or ran past the per-test ``timeout``) is continued in a new process with the
rest of its tests, leaving out the one it happened in; the :class:`Run` names each such
:class:`~auditor.dynamic.runner.endings.Crash` and every planned test that never ran.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.dynamic import exercised
from auditor.dynamic.exercised import Exercised
from auditor.dynamic.record import INTERRUPTED, SessionRecord, TestRecord, read
from auditor.dynamic.runner import orders, processes
from auditor.dynamic.runner.endings import TIMED_OUT, Crash, crash_of, remaining
from auditor.dynamic.shards import Shard

PACKAGE_ROOT = Path(__file__).resolve().parents[3]
"""The folder that holds the ``auditor`` package, put on the subprocess's PYTHONPATH."""
DEFAULT_TEST_TIMEOUT = 300.0
"""Seconds one test may run before its pytest process is ended (``--timeout``; 0: never).
A hanging test would otherwise hold the hunt forever."""
MAX_CONTINUATIONS = 10
"""New processes one run may start to go on after crashes."""


class BudgetExhausted(Exception):
    """The next run would spend more test executions (or minutes) than allowed."""


class RunFailed(Exception):
    """pytest ended abnormally: usage error, internal error, interrupted, or no tests."""


@dataclass
class Budget:
    executions: int | None = None
    seconds: float | None = None
    started: float = field(default_factory=time.monotonic)

    def check(self, spent: int, wanted: int) -> None:
        if self.executions is not None and spent + wanted > self.executions:
            raise BudgetExhausted(
                f"the next run needs {wanted} test executions; {spent} of "
                f"{self.executions} are spent"
            )
        if self.seconds is not None and time.monotonic() - self.started > self.seconds:
            raise BudgetExhausted(f"the time budget of {self.seconds / 60:g} minutes is spent")


@dataclass
class Run:
    """One pytest process: the order asked for and what each execution did."""

    label: str
    order: list[str]
    records: list[TestRecord]
    session: SessionRecord
    returncode: int
    seconds: float
    output: str = ""
    coverage: Exercised | None = None
    """Per test, the project modules it ran (whole-suite runs with ``coverage`` on)."""
    crashes: list[Crash] = field(default_factory=list)
    """Tests during which a process of this run ended early (each left out of the rest)."""
    not_run: list[str] = field(default_factory=list)
    """Planned tests that never ran (after a crash the run could not go on from)."""

    def outcome(self, nodeid: str) -> str | None:
        """The outcome of the last execution of ``nodeid`` in this run."""
        for record in reversed(self.records):
            if record.nodeid == nodeid:
                return record.outcome
        return None

    def failed(self) -> list[TestRecord]:
        return [record for record in self.records if record.failed]


@dataclass
class PytestDriver:
    """Runs orders of node ids through pytest in ``rootdir``."""

    rootdir: Path
    paths: Sequence[str] = ()
    pytest_args: Sequence[str] = ()
    python: str = sys.executable
    settings: Mapping[str, str] = field(default_factory=dict)
    probes: str = "all"
    timeout: float | None = DEFAULT_TEST_TIMEOUT
    """Seconds one test may run (None or 0: no limit)."""
    budget: Budget = field(default_factory=Budget)
    on_progress: Callable[[str, int, int], None] | None = None
    """Called about four times a second with (label, tests done, tests expected)."""
    coverage: bool = False
    """Measure the project modules each test runs, in whole-suite runs (``order`` None: the
    hunt's default-order run); coverage slows tests down, the other runs do without it."""
    shard: Shard | None = None
    """Whole-suite runs keep only this shard's modules; orders come from their records."""
    exercised: Exercised | None = None
    """What the last whole-suite run with ``coverage`` measured."""
    profiled: Run | None = None
    """The last run with ``profile`` on (the hunt's default order): its records carry each
    test's profile (:mod:`auditor.dynamic.plugin.profile`)."""
    between_runs: Callable[[str], object] | None = None
    """Called with a run's label when it ended and no other run is going on (the hunt
    puts the user's files back there: :mod:`auditor.dynamic.runner.worktree`)."""
    executions: int = 0
    processes: int = 0
    _running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _execute(
        self,
        command: Sequence[str],
        environment: Mapping[str, str],
        folder: Path,
        record: Path,
        label: str,
        wanted: int,
    ) -> int:
        """Run pytest, reporting progress from the record file; its exit code (negative:
        the signal that killed it; ``TIMED_OUT``: a test ran past the timeout)."""
        watcher = RecordWatcher(record)
        with (folder / "output.txt").open("w", encoding="utf-8") as output:
            process = processes.start(
                command, cwd=self.rootdir, env=environment, output=output, label=label
            )
            try:
                while (returncode := process.poll()) is None:
                    watcher.poll()
                    if processes.stopping():
                        raise processes.Stopped(f"test-auditor stopped during {label}")
                    if self.timeout and watcher.running_for() > self.timeout:
                        output.write(
                            f"\ntest-auditor: {watcher.current} ran past {self.timeout} s\n"
                        )
                        return TIMED_OUT
                    if self.on_progress is not None:
                        self.on_progress(label, watcher.done, wanted)
                    time.sleep(0.1)
                return returncode
            except BaseException:  # Ctrl-C, SIGTERM, test-auditor stopping
                processes.note_interrupted(label)
                raise
            finally:
                processes.end_group(process)  # and whatever its tests left running

    def _command(
        self,
        order_file: Path | None,
        record: Path,
        files: Sequence[str],
        *,
        probes: bool,
        touch: bool,
        profile: bool,
        touch_failed: bool = False,
        watch_file: Path | None = None,
    ) -> list[str]:
        command = [
            self.python,
            "-m",
            "pytest",
            "-p",
            "no:randomly",
            "-p",
            "no:test-auditor",
            "-p",
            "auditor.dynamic.plugin.hooks",
            "-q",
            "--no-header",
            "-rN",
            # Every option with its value in one token, and the rootdir pinned: without an
            # ini file, pytest takes a separate value that names an existing path (our
            # temporary files) for an argument, and its rootdir becomes their common parent.
            f"--rootdir={self.rootdir}",
            f"--ta-record={record}",
            f"--ta-probes={self.probes if probes else 'none'}",
        ]
        if order_file is not None:
            command.append(f"--ta-order={order_file}")
        else:
            if self.coverage:
                command.append("--ta-coverage")
            if self.shard is not None:
                command.append(f"--ta-shard={self.shard.option()}")
        for key, value in self.settings.items():
            command.append(f"--ta-setting={key}={value}")
        if watch_file is not None:
            command.append(f"--ta-setting=watch={watch_file}")
        if touch:
            command.append("--ta-touch")
        elif touch_failed:
            command.append("--ta-touch-failed")
        if profile:
            command.append("--ta-profile")
        return [*command, *self.pytest_args, *files]

    def run(
        self,
        order: Sequence[str] | None,
        *,
        label: str,
        probes: bool = False,
        touch: bool = False,
        touch_failed: bool = False,
        profile: bool = False,
        expected: int | None = None,
        watch: Sequence[str] | None = None,
    ) -> Run:
        """Run ``order`` (``None``: pytest's own order of the whole suite); ``touch``
        records the names each test's code used, ``touch_failed`` those of failed tests;
        ``watch``: the only state keys whose modules the globals probe reads (``None``:
        every module).

        When a test ends the process early, the rest of the planned tests run in a new
        process (without that test); the returned run holds every segment's records."""
        options = {"probes": probes, "touch": touch, "touch_failed": touch_failed}
        segment = self._run_once(
            order, label, expected=expected, profile=profile, watch=watch, **options
        )
        run = segment
        planned = list(order) if order is not None else segment.session.items
        while segment.crash is not None:
            run.crashes.append(segment.crash)
            if planned is None:
                break  # the plan is not known: what did not run cannot be named
            rest = remaining(planned, segment.records_with_interrupted, segment.crash)
            if not rest or len(run.crashes) > MAX_CONTINUATIONS:
                run.not_run.extend(rest)
                break
            planned = rest
            continued = f"{label}, after {segment.crash.nodeid or 'a crash'}"
            segment = self._run_once(rest, continued, profile=profile, watch=watch, **options)
            run.records.extend(segment.records)
            run.seconds += segment.seconds
        if order is None:
            run.order = [record.nodeid for record in run.records]
        if profile:
            self.profiled = run
        return run

    def _run_once(
        self,
        order: Sequence[str] | None,
        label: str,
        *,
        probes: bool,
        touch: bool,
        touch_failed: bool,
        profile: bool,
        expected: int | None = None,
        watch: Sequence[str] | None = None,
    ) -> _Segment:
        wanted = len(order) if order is not None else (expected or 0)
        self.budget.check(self.executions, wanted)
        with self._lock:
            self._running += 1
        try:
            return self._segment(order, label, wanted, probes, touch, touch_failed, profile, watch)
        finally:
            with self._lock:  # a run that starts meanwhile waits for the files to be back
                self._running -= 1
                if self._running == 0 and self.between_runs is not None:
                    self.between_runs(label)

    def _segment(
        self,
        order: Sequence[str] | None,
        label: str,
        wanted: int,
        probes: bool,
        touch: bool,
        touch_failed: bool,
        profile: bool,
        watch: Sequence[str] | None = None,
    ) -> _Segment:
        folder = Path(tempfile.mkdtemp(prefix="test-auditor-run-"))
        try:
            record = folder / "record.jsonl"
            order_file = None
            watch_file = None
            if watch is not None and probes:
                watch_file = folder / "watch.txt"
                watch_file.write_text("".join(f"{key}\n" for key in watch), encoding="utf-8")
            files: Sequence[str] = self.paths
            if order is not None:
                order_file = folder / "order.txt"
                order_file.write_text("\n".join(order) + "\n", encoding="utf-8")
                files = sorted({orders.module_of(nodeid) for nodeid in order})
            command = self._command(
                order_file,
                record,
                files,
                probes=probes,
                touch=touch,
                profile=profile,
                touch_failed=touch_failed,
                watch_file=watch_file,
            )
            environment = child_environment(os.environ)
            environment["PYTHONPATH"] = os.pathsep.join(
                [str(PACKAGE_ROOT), *filter(None, [environment.get("PYTHONPATH")])]
            )
            started = time.monotonic()
            returncode = self._execute(command, environment, folder, record, label, wanted)
            output = (folder / "output.txt").read_text(encoding="utf-8", errors="replace")
            seconds = time.monotonic() - started
            session, everything = read(record)
            coverage = exercised.read(record) if order is None and self.coverage else None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        records = [r for r in everything if r.outcome != INTERRUPTED]
        with self._lock:
            self.executions += len(everything)
            self.processes += 1
        crash = crash_of(returncode, session, everything, label=label, timeout=self.timeout)
        segment = _Segment(
            label,
            list(order) if order is not None else [r.nodeid for r in records],
            records,
            session,
            returncode,
            seconds,
            output[-6000:],
            coverage,
        )
        segment.crash = crash
        segment.records_with_interrupted = everything
        if coverage is not None:
            self.exercised = coverage
        if not everything and (crash is None or not crash.nodeid) and returncode not in (0, 1):
            raise RunFailed(_explain(segment))
        return segment


@dataclass
class _Segment(Run):
    """One pytest process of a run."""

    crash: Crash | None = None
    records_with_interrupted: list[TestRecord] = field(default_factory=list)


INHERITED_PYTEST_VARIABLES = (
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
    "PYTEST_XDIST_TESTRUNUID",
    "PYTEST_CURRENT_TEST",
)
"""Set by a pytest (or pytest-xdist worker) that started test-auditor: the suite we run is
not that worker, and fixtures that read them (``worker_id``) would think it is."""


def child_environment(environment: Mapping[str, str]) -> dict[str, str]:
    """The environment for the pytest we start: ours, without a parent pytest's variables."""
    return {
        key: value for key, value in environment.items() if key not in INHERITED_PYTEST_VARIABLES
    }


class RecordWatcher:
    """Follows a record file while pytest writes it, reading only what was appended: how
    many tests ended, and which test is running since when."""

    def __init__(self, record: Path) -> None:
        self.record = record
        self.offset = 0
        self.done = 0
        self.current: str | None = None
        self.since = 0.0
        self.tail = b""

    def poll(self) -> None:
        try:
            with self.record.open("rb") as handle:
                handle.seek(self.offset)
                added = handle.read()
        except OSError:
            return
        self.offset += len(added)
        lines = (self.tail + added).split(b"\n")
        self.tail = lines.pop()  # a line still being written
        for line in lines:
            if line.startswith(b'{"type": "test"'):
                self.done += 1
                self.current = None
            elif line.startswith(b'{"type": "start"'):
                self.current = _nodeid_of(line)
                self.since = time.monotonic()

    def running_for(self) -> float:
        """Seconds the current test has been running (0 between tests)."""
        return time.monotonic() - self.since if self.current is not None else 0.0


def _nodeid_of(line: bytes) -> str:
    try:
        return str(json.loads(line).get("nodeid", ""))
    except ValueError:
        return ""


def _explain(run: Run) -> str:
    meaning = {
        TIMED_OUT: "timed out",
        2: "interrupted",
        3: "internal error",
        4: "usage error",
        5: "no tests collected",
    }
    what = meaning.get(run.returncode, f"exit code {run.returncode}")
    tail = "\n".join(run.output.strip().splitlines()[-15:])
    return f"pytest ended abnormally ({what}) for run {run.label!r}:\n{tail}"
