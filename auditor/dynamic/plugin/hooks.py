"""The test-auditor pytest plugin (entry point ``pytest11``): inert unless its options are given.

``--ta-order FILE`` runs exactly the node ids listed in FILE (one per line, repeats allowed),
in that order, and deselects the rest. ``--ta-record FILE`` appends a JSON line per executed
test (see :mod:`auditor.dynamic.record`): outcome, phase durations, and, unless
``--ta-probes none``, the state the test left changed. ``--ta-touch`` also records the names
the code a test ran refers to (to tell which leaked state a victim reads; with
``--ta-touch-failed`` those of failed tests only), ``--ta-profile``
each test's costs and outside access (:mod:`auditor.dynamic.plugin.profile`), ``--ta-coverage``
the project modules each test ran (:mod:`auditor.dynamic.exercised`); ``--ta-shard``
keeps one shard of the suite (:mod:`auditor.dynamic.shards`). With an order or a record,
pytest-xdist is turned off: an order is one process. The driver
(:mod:`auditor.dynamic.runner.driver`) passes these; nobody types them.

State is snapshotted before a test's setup and after its teardown. What a wider-scoped
fixture does while it sets up or tears down (a session database created, a module's app
built, a schema dropped at the end) is the fixture's, not a leak of the test during which it
happened: the plugin snapshots around the fixture's setup and moves the test's starting state
past it, and snapshots around its teardown and keeps the values from before it in the test's
final state. What the test itself does in between is what it leaked.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor.dynamic import probes as probing
from auditor.dynamic.exercised import CoverageContexts
from auditor.dynamic.plugin import audit
from auditor.dynamic.plugin import touch as touching
from auditor.dynamic.plugin.profile import Profiler
from auditor.dynamic.probes import Change, Probe, ProbeContext, Snapshot
from auditor.dynamic.record import (
    COLLECT_ERROR,
    ERROR,
    FAILED,
    FIXTURE_LEAK,
    INTERRUPTED,
    PASSED,
    SKIPPED,
    START,
    TestRecord,
    Writer,
)
from auditor.dynamic.shards import Shard, ShardPlugin

MAX_FAILURE = 4000


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("test-auditor", "test-auditor leak hunting (set by its driver)")
    group.addoption("--ta-order", metavar="FILE", help="run the node ids in FILE, in order")
    group.addoption("--ta-record", metavar="FILE", help="append a JSON line per test to FILE")
    group.addoption(
        "--ta-probes", metavar="NAMES", default="all", help="state probes: all, none or a list"
    )
    group.addoption(
        "--ta-setting", metavar="KEY=VALUE", action="append", default=[], help="probe setting"
    )
    group.addoption("--ta-touch", action="store_true", help="record the names each test runs")
    group.addoption(
        "--ta-touch-failed", action="store_true", help="record them for failed tests only"
    )
    group.addoption("--ta-profile", action="store_true", help="record audit events and memory")
    group.addoption(
        "--ta-coverage", action="store_true", help="record the project modules each test runs"
    )
    group.addoption("--ta-shard", metavar="I/N:SEED", help="run only this shard's modules")


def pytest_configure(config: pytest.Config) -> None:
    order = config.getoption("--ta-order")
    record = config.getoption("--ta-record")
    if order or record:
        _one_process(config)
    if order:
        config.pluginmanager.register(OrderPlugin(Path(order)), "test-auditor-order")
    shard = config.getoption("--ta-shard")
    if shard:
        config.pluginmanager.register(ShardPlugin(Shard.from_option(shard)), "test-auditor-shard")
    if record:
        recorder = Recorder(config, Path(record))
        config.pluginmanager.register(recorder, "test-auditor-recorder")
        if config.getoption("--ta-coverage"):
            contexts = CoverageContexts(config, Path(record))
            config.pluginmanager.register(contexts, "test-auditor-coverage")


def _one_process(config: pytest.Config) -> None:
    """Turn pytest-xdist's distribution off (as its own ``-n 0`` does), whatever the
    suite's addopts ask: an order is one sequence of tests in one process, and the records
    are that sequence. xdist's ``pytest_configure`` runs last and reads these options."""
    if getattr(config.option, "dist", "no") != "no" or getattr(config.option, "tx", None):
        config.option.dist = "no"
        config.option.tx = []
        config.option.numprocesses = 0


class OrderPlugin:
    """Reorders (and deselects) the collected items to the order file's node ids."""

    def __init__(self, path: Path) -> None:
        self.order = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
        self.missing: list[str] = []

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        by_id = {item.nodeid: item for item in items}
        chosen = [by_id[nodeid] for nodeid in self.order if nodeid in by_id]
        self.missing = [nodeid for nodeid in self.order if nodeid not in by_id]
        wanted = set(self.order)
        deselected = [item for item in items if item.nodeid not in wanted]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        items[:] = chosen


def _temporary_folders(config: pytest.Config) -> tuple[Path, ...]:
    """pytest's base temporary folder (where tmp_path lives) and ``--basetemp``."""
    folders = []
    basetemp = config.getoption("basetemp", None)
    if basetemp:
        folders.append(Path(basetemp))
    try:
        user = os.getlogin()
    except OSError:
        user = os.environ.get("USER", "unknown")
    folders.append(Path(tempfile.gettempdir()) / f"pytest-of-{user}")
    return tuple(folders)


def _settings(values: Iterable[str]) -> dict[str, str]:
    settings = {}
    for value in values:
        key, _, setting = value.partition("=")
        settings[key.strip()] = setting
    return settings


def _changed_keys(before: Snapshot, after: Snapshot) -> set[str]:
    if before is after or before == after:
        return set()
    return {key for key in set(before) | set(after) if before.get(key) != after.get(key)}


_XUNIT_FIXTURES = (
    ("_xunit_setup_module_fixture_", "setup_module of "),
    ("_xunit_setup_class_fixture_", "setup_class of "),
    ("_xunit_setup_function_fixture_", "setup_function of "),
    ("_xunit_setup_method_fixture_", "setup_method of "),
    ("_unittest_setUpClass_fixture_", "setUpClass of "),
)


def fixture_label(argname: str) -> str:
    """How a person knows the fixture: pytest wraps xunit-style setup (``setup_module``,
    ``setUpClass``) in fixtures with generated names."""
    for prefix, label in _XUNIT_FIXTURES:
        if argname.startswith(prefix):
            return label + argname[len(prefix) :]
    return f"fixture {argname}"


@dataclass
class _FixtureSetup:
    """A wider-scoped fixture's setup: the test it ran in and the state around it.

    A module fixture that sets an environment variable and never unsets it changes nothing
    in any test's own diff (its setup is absorbed into the starting state, its teardown
    masked), yet every later test sees the variable. At its teardown, what its setup
    changed and is still changed is written as the leak of the test it was set up in: that
    test, run alone before a victim, reproduces it.
    """

    nodeid: str
    execution: int
    """The test's place in the run (0: the first test executed)."""
    fixture: str
    scope: str
    before: list[Snapshot]
    after: list[Snapshot]

    def leak_line(self, leaked: Sequence[Change]) -> dict[str, Any]:
        return {
            "type": FIXTURE_LEAK,
            "nodeid": self.nodeid,
            "execution": self.execution,
            "fixture": fixture_label(self.fixture),
            "scope": self.scope,
            "leaked": [change.to_json() for change in leaked],
        }


class Recorder:
    """Snapshots state around every test and writes one record per test."""

    def __init__(self, config: pytest.Config, path: Path) -> None:
        self.config = config
        self.writer = Writer(path)
        self.rootdir = Path(str(config.rootpath))
        selected = config.getoption("--ta-probes")
        names = None if selected == "all" else {n for n in selected.split(",") if n and n != "none"}
        context = ProbeContext(
            rootdir=self.rootdir,
            temporary=_temporary_folders(config),
            settings=_settings(config.getoption("--ta-setting")),
        )
        self.probes: list[Probe] = []
        self.probe_errors: list[str] = []
        if selected != "none":
            self.probes, self.probe_errors = probing.load(context, names)
        self.teardown_before: dict[int, list[Snapshot]] = {}
        """State just before a wider-scoped fixture's teardown, by ``id(fixturedef)``."""
        self.fixture_setups: dict[int, _FixtureSetup] = {}
        """What each live wider-scoped fixture's setup changed, by ``id(fixturedef)``."""
        self.before: list[Snapshot] | None = None
        """The current test's starting state, moved past what wider fixtures set up (the
        last snapshots themselves until a fixture's setup changes one: then a copy)."""
        self.masked: list[dict[str, str | None]] = []
        """Per probe, keys a wider fixture's teardown changed in this test: their value just
        before that teardown (``None``: absent)."""
        self.touch = bool(config.getoption("--ta-touch"))
        self.touch_failed = bool(config.getoption("--ta-touch-failed"))
        """Trace every test but keep the names of failed ones only (the hunt's rounds: a
        victim's candidates are known without running it alone)."""
        self.tracer = touching.tracer() if self.touch or self.touch_failed else None
        self.untraced = 0
        """Session-scoped fixture setups and teardowns going on: the tracer is paused."""
        self.teardown_untraced = False
        self.profiler: Profiler | None = None
        if config.getoption("--ta-profile"):
            self.profiler = Profiler(self.rootdir, context.temporary)
            config.pluginmanager.register(self.profiler, "test-auditor-profiler")
        self.current: TestRecord | None = None
        self.last: list[Snapshot] | None = None
        """The state when the last test's protocol ended: the next test's starting state
        (nothing of the suite's runs between two tests), so each test costs one snapshot."""
        self.executed = 0
        """Tests started so far."""

    # -- snapshots ---------------------------------------------------------------------
    def _snapshot(self) -> list[Snapshot]:
        # The probes' own calls are not the test's: tracing them is slow.
        paused = self.tracer is not None and not self.untraced and self.tracer.pause()
        tracing = sys.getprofile()
        foreign = tracing is not None and callable(tracing)  # another Python profile function
        if foreign:
            sys.setprofile(None)
        try:
            with probing.one_round():
                snapshots = [self._take(probe) for probe in self.probes]
        finally:
            if foreign:
                sys.setprofile(tracing)
            if paused:
                self.tracer.resume()  # type: ignore[union-attr]
        broken = [
            probe for probe, taken in zip(self.probes, snapshots, strict=True) if taken is None
        ]
        if broken:
            self.probes = [probe for probe in self.probes if probe not in broken]
            return self._snapshot()
        return [taken for taken in snapshots if taken is not None]

    def _take(self, probe: Probe) -> Snapshot | None:
        """One probe's snapshot; a probe that raises is named in the record and dropped."""
        try:
            with audit.muted():  # the probe's own reads are not the test's events
                return probe.snapshot()
        except Exception as error:  # a broken probe must not break the user's run
            self.probe_errors.append(f"{probe.name}: {type(error).__name__}: {error}")
            return None

    def _changes(self, before: Sequence[Snapshot], after: Sequence[Snapshot]) -> list[Change]:
        found: list[Change] = []
        for probe, old, new in zip(self.probes, before, after, strict=False):
            found.extend(probing.changes(probe, old, new))
        return found

    def _absorb(self, before: list[Snapshot], after: list[Snapshot]) -> None:
        """A wider fixture set up: its changes become part of the test's starting state."""
        if self.before is None or len(before) != len(self.before) or len(after) != len(before):
            return
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            changed = _changed_keys(old, new)
            if not changed:
                continue
            start = dict(self.before[index])
            for key in changed:
                if key in new:
                    start[key] = new[key]
                else:
                    start.pop(key, None)
            self.before[index] = start

    def _mask(self, before: list[Snapshot], after: list[Snapshot]) -> None:
        """A wider fixture tore down: the test's final state keeps the values from before."""
        if len(before) != len(after):
            return
        if not self.masked:
            self.masked = [{} for _ in before]
        for mask, old, new in zip(self.masked, before, after, strict=False):
            for key in _changed_keys(old, new):
                mask.setdefault(key, old.get(key))

    def _final(self, after: list[Snapshot]) -> list[Snapshot]:
        if not self.masked:
            return after
        final: list[Snapshot] = []
        for mask, snapshot in zip(self.masked, after, strict=False):
            merged = dict(snapshot)
            for key, value in mask.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            final.append(merged)
        return final

    # -- hooks -------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        order = self.config.pluginmanager.get_plugin("test-auditor-order")
        missing = list(getattr(order, "missing", []))
        self.writer.write(
            {
                "type": "session",
                "collected": len(session.items),
                "missing": missing,
                "probes": [probe.name for probe in self.probes],
                "items": [item.nodeid for item in session.items],
                "monitoring": hasattr(sys, "monitoring"),
            }
        )

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, None, None]:
        session_scoped = fixturedef.scope == "session"
        if fixturedef.scope == "function" or not self.probes:
            with self._untraced(session_scoped, fixturedef):
                yield
            return
        before = self._snapshot()
        with self._untraced(session_scoped, fixturedef):
            yield
        after = self._snapshot()
        self._absorb(before, after)
        key = id(fixturedef)
        if self.current is not None and len(before) == len(after):
            self.fixture_setups[key] = _FixtureSetup(
                self.current.nodeid,
                self.executed - 1,
                fixturedef.argname,
                fixturedef.scope,
                before,
                after,
            )
        # Finalizers run last-in first-out: this one runs just before the fixture's own
        # teardown, and pytest_fixture_post_finalizer just after it.
        fixturedef.addfinalizer(lambda: self.teardown_before.__setitem__(key, self._snapshot()))

    @contextmanager
    def _untraced(self, session_scoped: bool, fixturedef: pytest.FixtureDef[Any]) -> Iterator[None]:
        """A session-scoped fixture's setup and teardown are not traced: whichever test of
        a process comes first sets it up (and the last tears it down), so its names would
        be that test's (a test run alone would seem to read every table the session's
        database fixture creates)."""
        tracer = self.tracer if session_scoped and not self.untraced else None
        paused = tracer is not None and tracer.pause()
        self.untraced += int(session_scoped)
        try:
            yield
        finally:
            self.untraced -= int(session_scoped)
            if paused and tracer is not None:
                tracer.resume()
            if session_scoped and self.tracer is not None:
                # Added after the fixture's own teardown: runs just before it (LIFO).
                fixturedef.addfinalizer(self._untrace_teardown)

    def _untrace_teardown(self) -> None:
        """(A finalizer: it runs just before the session-scoped fixture's own teardown.)
        The teardown is not traced either: the last test of a process runs it."""
        if self.tracer is not None and not self.untraced and self.tracer.pause():
            self.untraced += 1
            self.teardown_untraced = True

    def pytest_fixture_post_finalizer(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> None:
        """A wider fixture torn down in this test: what its teardown did is not the test's;
        what its setup changed and its teardown left changed is the fixture's leak."""
        if self.teardown_untraced and fixturedef.scope == "session":
            self.teardown_untraced = False
            self.untraced -= 1
            if self.tracer is not None:
                self.tracer.resume()
        before = self.teardown_before.pop(id(fixturedef), None)
        setup = self.fixture_setups.pop(id(fixturedef), None)
        if before is None or len(before) != len(self.probes):
            return
        after = self._snapshot()
        self._mask(before, after)
        if setup is not None and len(setup.before) == len(after):
            leaked = self._fixture_leaks(setup, before, after)
            if leaked:
                self.writer.write(setup.leak_line(leaked))

    def _fixture_leaks(
        self, setup: _FixtureSetup, before: list[Snapshot], after: list[Snapshot]
    ) -> list[Change]:
        """What differs from before the fixture's setup on keys its setup or its teardown
        (``before`` -> ``after``) changed; the tests in between own their own changes."""
        leaked: list[Change] = []
        states = zip(self.probes, setup.before, setup.after, before, after, strict=False)
        for probe, at_setup, set_up, at_teardown, torn_down in states:
            touched = _changed_keys(at_setup, set_up) | _changed_keys(at_teardown, torn_down)
            leaked.extend(
                change
                for change in probing.changes(probe, at_setup, torn_down)
                if change.key in touched
            )
        return leaked

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, None, None]:
        record = TestRecord(item.nodeid)
        self.current = record
        self.executed += 1
        self.writer.write({"type": START, "nodeid": item.nodeid})
        start = self.last if self.last is not None and len(self.last) == len(self.probes) else None
        start = self._snapshot() if start is None and self.probes else start
        self.before = list(start or [])
        self.masked = []
        tracer = self.tracer
        if self.profiler is not None:
            self.profiler.begin()
        if tracer is not None:
            tracer.start()
        try:
            yield
        finally:
            if tracer is not None:
                tracer.stop()
                if self.touch or record.failed:
                    record.touched = tracer.names()
            if self.profiler is not None:
                record.profile = self.profiler.end().to_json()
            if self.probes:
                self.last = self._snapshot()
                after = self._final(self.last)
                if len(self.before) == len(after):
                    record.leaked = self._changes(self.before, after)
            self.before = None
            self.masked = []
            self.current = None
            if record.outcome == PASSED and "call" not in record.durations:
                record.outcome = INTERRUPTED  # KeyboardInterrupt or pytest.exit() in it
            self.writer.write(record.to_json())

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        record = self.current
        if record is None or report.nodeid != record.nodeid:
            return
        record.durations[report.when] = report.duration
        if report.failed:
            record.outcome = FAILED if report.when == "call" else ERROR
            text = report.longreprtext
            record.failure = (record.failure + "\n" + text).strip()[-MAX_FAILURE:]
        elif report.skipped and record.outcome == PASSED:
            record.outcome = SKIPPED

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module that cannot be collected (``--continue-on-collection-errors`` goes on
        without it): named in the record, so the report cannot leave it out."""
        if report.failed:
            error = str(report.longreprtext).strip().splitlines()
            self.writer.write(
                {
                    "type": COLLECT_ERROR,
                    "nodeid": report.nodeid,
                    "error": error[-1] if error else "",
                }
            )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        notes = [  # what a probe skipped (an object it could not read), the rest probed
            f"{probe.name}: {note}"
            for probe in self.probes
            for note in getattr(probe, "notes", ())
            if isinstance(note, str)
        ]
        self.writer.write(
            {
                "type": "session",
                "exitstatus": int(exitstatus),
                "probe_errors": list(self.probe_errors),
                "probe_notes": notes,
            }
        )
        self.writer.close()
        if self.profiler is not None:
            self.profiler.close()
        if self.tracer is not None:
            self.tracer.close()


__all__ = ["ERROR", "FAILED", "PASSED", "SKIPPED", "OrderPlugin", "Recorder"]
