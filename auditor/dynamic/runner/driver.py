"""Runs pytest in subprocesses with the plugin: the only place test-auditor starts processes.

Each run gets an order file and a record file in a private temporary folder; pytest runs in
the rootdir with ``-p no:randomly`` (the order is ours) and the plugin loaded by module name,
so an interpreter other than test-auditor's own (``--python``) works as long as it has pytest.
Every executed test counts against the budget.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.dynamic import exercised
from auditor.dynamic.exercised import Exercised
from auditor.dynamic.record import SessionRecord, TestRecord, read
from auditor.dynamic.runner import orders
from auditor.dynamic.shards import Shard

PACKAGE_ROOT = Path(__file__).resolve().parents[3]
"""The folder that holds the ``auditor`` package, put on the subprocess's PYTHONPATH."""


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
    timeout: float | None = None
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
    executions: int = 0
    processes: int = 0
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
        """Run pytest, reporting progress from the record file; the exit code (-1: timeout)."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        done = _TestCounter(record)
        with (folder / "output.txt").open("w", encoding="utf-8") as output:
            process = subprocess.Popen(
                command,
                cwd=self.rootdir,
                env=dict(environment),
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )
            while (returncode := process.poll()) is None:
                if deadline is not None and time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    output.write(f"\ntest-auditor: killed after {self.timeout} s\n")
                    return -1
                if self.on_progress is not None:
                    self.on_progress(label, done.count(), wanted)
                time.sleep(0.1)
            return returncode

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
    ) -> Run:
        """Run ``order`` (``None``: pytest's own order of the whole suite); ``touch``
        records the names each test's code used, ``touch_failed`` those of failed tests."""
        wanted = len(order) if order is not None else (expected or 0)
        self.budget.check(self.executions, wanted)
        folder = Path(tempfile.mkdtemp(prefix="test-auditor-run-"))
        try:
            record = folder / "record.jsonl"
            order_file = None
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
            )
            environment = child_environment(os.environ)
            environment["PYTHONPATH"] = os.pathsep.join(
                [str(PACKAGE_ROOT), *filter(None, [environment.get("PYTHONPATH")])]
            )
            started = time.monotonic()
            returncode = self._execute(command, environment, folder, record, label, wanted)
            output = (folder / "output.txt").read_text(encoding="utf-8", errors="replace")
            seconds = time.monotonic() - started
            session, records = read(record)
            coverage = exercised.read(record) if order is None and self.coverage else None
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        with self._lock:
            self.executions += len(records)
            self.processes += 1
        run = Run(
            label,
            list(order) if order is not None else [r.nodeid for r in records],
            records,
            session,
            returncode,
            seconds,
            output[-6000:],
            coverage,
        )
        if coverage is not None:
            self.exercised = coverage
        if profile:
            self.profiled = run
        if returncode not in (0, 1) and not records:
            raise RunFailed(_explain(run))
        return run


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


class _TestCounter:
    """Tests recorded so far in a record file that is still being written: reads only what
    was appended since the last call."""

    MARK = b'"type": "test"'

    def __init__(self, record: Path) -> None:
        self.record = record
        self.offset = 0
        self.tests = 0
        self.tail = b""

    def count(self) -> int:
        try:
            with self.record.open("rb") as handle:
                handle.seek(self.offset)
                added = handle.read()
        except OSError:
            return self.tests
        self.offset += len(added)
        text = self.tail + added
        self.tests += text.count(self.MARK)
        self.tail = text[-(len(self.MARK) - 1) :]  # a mark split across two reads
        return self.tests


def _explain(run: Run) -> str:
    meaning = {
        -1: "timed out",
        2: "interrupted",
        3: "internal error",
        4: "usage error",
        5: "no tests collected",
    }
    what = meaning.get(run.returncode, f"exit code {run.returncode}")
    tail = "\n".join(run.output.strip().splitlines()[-15:])
    return f"pytest ended abnormally ({what}) for run {run.label!r}:\n{tail}"
