"""Which of the project's modules each test exercises: per-test coverage contexts.

With ``--ta-coverage`` the plugin runs a coverage.py tracer of its own for the tests and
switches its *dynamic context* to each test's node id while the test runs (setup, call and
teardown), the way pytest-cov's ``--cov-context=test`` does. At the end of the session it
asks the data which lines ran in which context and appends one ``coverage`` line to the
record file: per test, the project's modules it ran (paths relative to the rootdir) and how
many of their lines. The driver reads that line back with :func:`read`; other commands get
the plain mapping from :func:`modules_by_test`.

What is measured: files under the rootdir, less the interpreter's own folders (a virtualenv
inside the project), ``site-packages``, test-auditor itself, and the test modules and
``conftest.py`` files (pytest's ``python_files``): the question is which *project* code a test
reaches, and leaving the test files out of the tracer also makes it cheaper. Helpers under
``tests/`` that are not test modules (factories, builders) count as project code. Branch
coverage is off (lines are enough to say "reached", and cost less). Module-level code that ran
while pytest collected (imports) belongs to no test; a wider-scoped fixture's setup belongs
to the test that first needed it, as in pytest-cov's contexts.

Only one coverage tracer can measure a process well. When coverage.py already measures this
one (pytest-cov's ``--cov``, ``coverage run -m pytest``), nothing is measured and the line
says why; the user's own coverage run is left alone. coverage.py is imported only when asked
for, so an interpreter without it (``leaks --python``) gets the same kind of note.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from auditor.dynamic.record import Writer

if TYPE_CHECKING:
    from coverage import Coverage

LINE_TYPE = "coverage"
_LINE_START = f'{{"type": "{LINE_TYPE}"'
"""How the writer's line begins (``type`` is its first key): other lines are not parsed."""
_AUDITOR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Exercised:
    """Per test (node id), the project modules it ran and how many of their lines."""

    tests: dict[str, dict[str, int]] = field(default_factory=dict)
    note: str = ""
    """Why nothing was measured (another tracer was measuring, coverage is not installed)."""


class CoverageContexts:
    """The plugin part: one coverage context per test, summarized into the record file."""

    def __init__(self, config: pytest.Config, record: Path) -> None:
        self.config = config
        self.record = record
        self.rootdir = Path(str(config.rootpath)).resolve()
        self.coverage: Coverage | None = None
        self.note = ""
        self.ran: list[str] = []

    # -- hooks -------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, None, None]:
        """Measure only while tests run: collection's imports belong to no test."""
        self.coverage = self._start()
        yield
        self._finish()

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, None, None]:
        self.ran.append(item.nodeid)
        if self.coverage is None:
            yield
            return
        self.coverage.switch_context(item.nodeid)
        yield
        self.coverage.switch_context("")

    # -- measuring ---------------------------------------------------------------------
    def _start(self) -> Coverage | None:
        try:
            import coverage
            from coverage.exceptions import CoverageException
        except ImportError:
            self.note = "coverage.py is not installed in the interpreter that runs pytest"
            return None
        if coverage.Coverage.current() is not None:
            self.note = (
                "coverage.py was already measuring the pytest process (pytest-cov's --cov, "
                "or `coverage run`), and two tracers do not measure well: per-test coverage "
                "was not measured. Turn it off for the hunt (`-- --no-cov` for pytest-cov)."
            )
            return None
        measured = coverage.Coverage(
            data_file=None,  # in memory: nothing written into the user's project
            config_file=False,  # the project's .coveragerc is for its own coverage runs
            branch=False,
            include=[f"{self.rootdir}/*"],
            omit=list(self._omitted()),
        )
        # The sys.monitoring core (the default from Python 3.14) cannot switch contexts and
        # would put every line in the first one; the C tracer can (pure Python without it).
        measured.set_option("run:core", "ctrace")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a suite's `-W error` must not stop the run
                measured.start()
        except CoverageException as error:  # its data store failed: the run goes on without
            self.note = f"coverage.py could not start: {error}"
            return None
        return measured

    def _omitted(self) -> Iterable[str]:
        """Code under the rootdir that is not the project's: the interpreter's folders (a
        venv in the project), installed packages, test-auditor, the test files."""
        for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
            yield f"{Path(prefix).resolve()}/*"
        yield "*/site-packages/*"
        yield "*/dist-packages/*"
        yield f"{_AUDITOR}/*"
        yield "*/conftest.py"
        for pattern in self.config.getini("python_files"):
            yield f"*/{pattern}"

    def _finish(self) -> None:
        tests: dict[str, dict[str, int]] = {nodeid: {} for nodeid in self.ran}
        if self.coverage is not None:
            from coverage.exceptions import CoverageException

            try:
                self._count(self.coverage, tests)
            except CoverageException as error:
                self.note = f"coverage.py could not read its data: {error}"
            self.coverage = None
        writer = Writer(self.record)
        try:
            writer.write({"type": LINE_TYPE, "tests": tests, "note": self.note})
        finally:
            writer.close()

    def _count(self, measured: Coverage, tests: dict[str, dict[str, int]]) -> None:
        """Stop measuring; add to ``tests`` (node id -> module -> lines) what ran in each
        test's context."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no data was collected" and the like
            measured.stop()
            data = measured.get_data()
        for filename in sorted(data.measured_files()):
            relative = self._relative(filename)
            if relative is None:
                continue
            for contexts in data.contexts_by_lineno(filename).values():
                for context in contexts:
                    if context in tests:
                        modules = tests[context]
                        modules[relative] = modules.get(relative, 0) + 1

    def _relative(self, filename: str) -> str | None:
        try:
            return Path(filename).resolve().relative_to(self.rootdir).as_posix()
        except ValueError:
            return None


# -- reading ----------------------------------------------------------------------------
def read(record: Path) -> Exercised | None:
    """The ``coverage`` line of a record file; ``None`` when the run did not measure
    coverage or ended before its session did (a crash, a timeout)."""
    if not record.exists():
        return None
    found: Exercised | None = None
    with record.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith(_LINE_START):
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue  # cut short: the process died while writing it
            tests = data.get("tests")
            if data.get("type") != LINE_TYPE or not isinstance(tests, dict):
                continue
            found = Exercised(
                tests={
                    str(nodeid): {str(path): int(lines) for path, lines in modules.items()}
                    for nodeid, modules in tests.items()
                    if isinstance(modules, dict)
                },
                note=str(data.get("note", "")),
            )
    return found


def modules_by_test(record: Path) -> dict[str, dict[str, int]]:
    """Per test of a record file, the project modules it ran and how many of their lines
    (empty when coverage was not measured)."""
    found = read(record)
    return found.tests if found is not None else {}


__all__ = ["LINE_TYPE", "CoverageContexts", "Exercised", "modules_by_test", "read"]
