"""The per-test profile (``--ta-profile``): what each test cost and what it reached outside
the process, measured cheaply enough to ride along with any run.

For each test, a :class:`~auditor.dynamic.profile_record.ProfileRecord` (the record's
``profile``):

- ``peak_kb``: how far the resident memory rose above where it was when the test started
  (:mod:`auditor.dynamic.plugin.profile_memory`);
- what the audit events show, by kind: ``connect``, ``lookup``, ``subprocess``, ``write``,
  ``sqlite`` (:mod:`auditor.dynamic.plugin.profile_events`);
- ``statements`` and ``memory_statements``: SQL statements sent to a database, and to an
  in-memory SQLite database (:mod:`auditor.dynamic.plugin.profile_sql`);
- ``fixtures``: setup and teardown times of the fixtures set up or torn down during the test
  (from :data:`FIXTURE_FLOOR` seconds, or when they reached something). What a wider-scoped
  fixture does while it sets up or tears down (its time, events and statements) is the
  fixture's, kept in its entry, not the test's: a session database built during the first
  test's setup is counted once, for the fixture.

Events are attributed by time: whatever happens in the process while a test runs, in any
thread, is the test's (a test client's app thread works for the test). The plugin's own
probes run with the audit hook muted, and their statements are not counted.
"""

from __future__ import annotations

import linecache
import os
import time
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from auditor.dynamic.plugin import audit
from auditor.dynamic.plugin.profile_events import MAX_PER_KIND, Bucket, EventReader, Tally
from auditor.dynamic.plugin.profile_memory import Memory
from auditor.dynamic.plugin.profile_sql import StatementCounter
from auditor.dynamic.profile_record import SETUP, TEARDOWN, Access, FixtureEntry, ProfileRecord

FIXTURE_FLOOR = 0.001
"""Fixture setups and teardowns shorter than this that reached nothing are not recorded."""


class Profiler:
    """Measures each test between :meth:`begin` and :meth:`end`; a pytest plugin for the
    fixture timings. Subscribes to the shared audit hook when made."""

    def __init__(self, rootdir: Path, temporary: Sequence[Path] = ()) -> None:
        self.rootdir = str(rootdir.resolve())
        self.tally = Tally()
        """The test's bucket, then one per wider fixture setting up or tearing down."""
        self.memory = Memory()
        self.fixtures: list[FixtureEntry] = []
        self.teardowns: dict[int, tuple[float, Bucket | None]] = {}
        self.start_kb = 0
        self.where: dict[int, str] = {}
        self.sql = StatementCounter(self.tally)
        self.events = EventReader(self.tally, self.rootdir, temporary, self.sql.attach_sqlalchemy)
        audit.subscribe(self.events.read, self.events.handlers)

    def close(self) -> None:
        audit.unsubscribe(self.events.read)
        self.memory.close()
        self.sql.close()

    # -- one test ----------------------------------------------------------------------
    def begin(self) -> None:
        self.sql.attach_sqlalchemy()
        self.fixtures = []
        self.tally.errors = 0
        self.tally.stack = [Bucket()]
        self.start_kb = self.memory.start()

    def end(self) -> ProfileRecord:
        """The profile of the test since :meth:`begin`."""
        stack = self.tally.stack
        access = stack[0].access() if stack else Access()
        self.tally.stack = []
        peak_kb = self.memory.peak_growth(self.start_kb)
        record = ProfileRecord(peak_kb, access, tuple(self.fixtures), self.tally.errors)
        self.fixtures = []
        return record

    # -- fixtures ----------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True, trylast=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Iterator[None]:
        """Innermost wrapper: the time is the fixture's own, not other plugins'."""
        self.sql.attach_sqlalchemy()
        bucket = self._push(fixturedef)
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        if bucket is not None:
            self._pop(bucket)
        self._fixture(fixturedef, SETUP, seconds, bucket)
        # Finalizers run last-in first-out: this one runs right before the fixture's own
        # teardown; pytest_fixture_post_finalizer runs right after it.
        fixturedef.addfinalizer(partial(self._teardown_starts, fixturedef))

    def _teardown_starts(self, fixturedef: pytest.FixtureDef[Any]) -> None:
        bucket = self._push(fixturedef)
        self.teardowns[id(fixturedef)] = (time.perf_counter(), bucket)

    @pytest.hookimpl(tryfirst=True)
    def pytest_fixture_post_finalizer(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> None:
        started = self.teardowns.pop(id(fixturedef), None)
        if started is None:
            return
        seconds = time.perf_counter() - started[0]
        bucket = started[1]
        if bucket is not None:
            self._pop(bucket)
        self._fixture(fixturedef, TEARDOWN, seconds, bucket)

    def _push(self, fixturedef: pytest.FixtureDef[Any]) -> Bucket | None:
        """A bucket of its own for a wider fixture during a test."""
        if fixturedef.scope == "function" or not self.tally.stack:
            return None
        bucket = Bucket()
        self.tally.stack.append(bucket)
        return bucket

    def _pop(self, bucket: Bucket) -> None:
        if bucket in self.tally.stack:
            self.tally.stack.remove(bucket)

    def _fixture(
        self, fixturedef: pytest.FixtureDef[Any], phase: str, seconds: float, bucket: Bucket | None
    ) -> None:
        access = bucket.access() if bucket is not None else Access()
        if seconds < FIXTURE_FLOOR and access == Access():
            return
        where = self._where(fixturedef)
        entry = FixtureEntry(
            fixturedef.argname, fixturedef.scope, where, phase, round(seconds, 6), access
        )
        self.fixtures.append(entry)

    def _where(self, fixturedef: pytest.FixtureDef[Any]) -> str:
        """``tests/conftest.py:12`` for the suite's fixtures, ``module:line`` for others."""
        func = fixturedef.func
        key = id(func)
        known = self.where.get(key)
        if known is not None:
            return known
        code = getattr(func, "__code__", None)
        if code is None:
            where = str(getattr(func, "__qualname__", fixturedef.argname))
        elif code.co_filename.startswith(self.rootdir + os.sep):
            relative = os.path.relpath(code.co_filename, self.rootdir).replace(os.sep, "/")
            where = f"{relative}:{_def_line(code.co_filename, code.co_firstlineno)}"
        else:
            where = f"{getattr(func, '__module__', '?')}:{code.co_firstlineno}"
        self.where[key] = where
        return where


def _def_line(filename: str, first: int) -> int:
    """The ``def`` line of a function whose code starts at ``first``, its first decorator
    (the line the static model gives a fixture)."""
    for line in range(first, first + 20):
        text = linecache.getline(filename, line).lstrip()
        if text.startswith(("def ", "async def ")):
            return line
        if not text:
            break
    return first


__all__ = ["FIXTURE_FLOOR", "MAX_PER_KIND", "Profiler"]
