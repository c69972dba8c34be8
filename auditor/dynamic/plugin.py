"""The test-auditor pytest plugin (entry point ``pytest11``): inert unless its options are given.

``--ta-order FILE`` runs exactly the node ids listed in FILE (one per line, repeats allowed),
in that order, and deselects the rest. ``--ta-record FILE`` appends a JSON line per executed
test (see :mod:`auditor.dynamic.record`): outcome, phase durations, and, unless
``--ta-probes none``, the state the test left changed. ``--ta-touch`` also records the names
the code a test ran refers to (to tell which leaked state a victim reads), ``--ta-profile``
the audit events and peak memory of each test. The driver (:mod:`auditor.dynamic.driver`)
passes these; nobody types them.

State is snapshotted before a test's setup and after its teardown. What a wider-scoped
fixture does while it sets up or tears down (a session database created, a module's app
built, a schema dropped at the end) is the fixture's, not a leak of the test during which it
happened: the plugin snapshots around the fixture's setup and moves the test's starting state
past it, and snapshots around its teardown and keeps the values from before it in the test's
final state. What the test itself does in between is what it leaked.
"""

from __future__ import annotations

import os
import sysconfig
import tempfile
from collections.abc import Generator, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from auditor.dynamic import probes as probing
from auditor.dynamic.probes import Change, Probe, ProbeContext, Snapshot
from auditor.dynamic.record import ERROR, FAILED, PASSED, SKIPPED, TestRecord, Writer

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
    group.addoption("--ta-profile", action="store_true", help="record audit events and memory")


def pytest_configure(config: pytest.Config) -> None:
    order = config.getoption("--ta-order")
    if order:
        config.pluginmanager.register(OrderPlugin(Path(order)), "test-auditor-order")
    record = config.getoption("--ta-record")
    if record:
        recorder = Recorder(config, Path(record))
        config.pluginmanager.register(recorder, "test-auditor-recorder")


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
        self.before: list[dict[str, str]] | None = None
        """The current test's starting state, moved past what wider fixtures set up."""
        self.masked: list[dict[str, str | None]] = []
        """Per probe, keys a wider fixture's teardown changed in this test: their value just
        before that teardown (``None``: absent)."""
        self.touch = bool(config.getoption("--ta-touch"))
        self.profile = bool(config.getoption("--ta-profile"))
        self.current: TestRecord | None = None

    # -- snapshots ---------------------------------------------------------------------
    def _snapshot(self) -> list[Snapshot]:
        snapshots = [self._take(probe) for probe in self.probes]
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
        for start, old, new in zip(self.before, before, after, strict=True):
            for key in set(old) | set(new):
                if old.get(key) != new.get(key):
                    if key in new:
                        start[key] = new[key]
                    else:
                        start.pop(key, None)

    def _mask(self, before: list[Snapshot], after: list[Snapshot]) -> None:
        """A wider fixture tore down: the test's final state keeps the values from before."""
        if len(before) != len(after):
            return
        if not self.masked:
            self.masked = [{} for _ in before]
        for mask, old, new in zip(self.masked, before, after, strict=False):
            for key in set(old) | set(new):
                if old.get(key) != new.get(key) and key not in mask:
                    mask[key] = old.get(key)

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
            }
        )

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Generator[None, None, None]:
        if fixturedef.scope == "function" or not self.probes:
            yield
            return
        before = self._snapshot()
        yield
        self._absorb(before, self._snapshot())
        key = id(fixturedef)
        # Finalizers run last-in first-out: this one runs just before the fixture's own
        # teardown, and pytest_fixture_post_finalizer just after it.
        fixturedef.addfinalizer(lambda: self.teardown_before.__setitem__(key, self._snapshot()))

    def pytest_fixture_post_finalizer(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> None:
        """A wider fixture torn down in this test: what its teardown did is not the test's."""
        before = self.teardown_before.pop(id(fixturedef), None)
        if before is not None and len(before) == len(self.probes):
            self._mask(before, self._snapshot())

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, None, None]:
        record = TestRecord(item.nodeid)
        self.current = record
        self.before = [dict(snapshot) for snapshot in self._snapshot()] if self.probes else []
        self.masked = []
        tracer = _Tracer() if self.touch else None
        profile = _profile_start() if self.profile else None
        if tracer is not None:
            tracer.start()
        try:
            yield
        finally:
            if tracer is not None:
                tracer.stop()
                record.touched = tracer.names()
            if profile is not None:
                record.profile = _profile_end(profile)
            if self.probes:
                after = self._final(self._snapshot())
                if len(self.before) == len(after):
                    record.leaked = self._changes(self.before, after)
            self.before = None
            self.masked = []
            self.current = None
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

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.writer.write(
            {"type": "session", "exitstatus": int(exitstatus), "probe_errors": self.probe_errors}
        )
        self.writer.close()


_STDLIB = (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])
_NOT_USER_CODE = ("_pytest", "pluggy", "auditor", "<frozen")
"""Code whose names say nothing about what a test reads: pytest's, pluggy's, ours."""


class _Tracer:
    """Which names the code a test runs refers to: globals, attributes, string constants.

    A profile function sees every Python call; the names come from the code objects called
    (``co_names`` holds the globals and attributes a function reads, ``co_consts`` the
    strings such as an environment variable's name). pytest's and pluggy's own code is left
    out.
    """

    def __init__(self) -> None:
        self.codes: dict[int, Any] = {}

    def _profile(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            self.codes.setdefault(id(code), code)

    def start(self) -> None:
        import sys

        sys.setprofile(self._profile)

    def stop(self) -> None:
        import sys

        sys.setprofile(None)

    def names(self) -> list[str]:
        import re

        words: set[str] = set()
        for code in self.codes.values():
            filename = code.co_filename
            if filename.startswith(_STDLIB) or any(part in filename for part in _NOT_USER_CODE):
                continue
            words.update(code.co_names)
            for const in code.co_consts:
                if isinstance(const, str) and len(const) <= 120 and "\n" not in const:
                    words.update(re.findall(r"[A-Za-z_][\w.-]*", const))
        return sorted(words)


def _profile_start() -> dict[str, Any]:
    import resource

    return {"maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}


def _profile_end(start: dict[str, Any]) -> dict[str, Any]:
    import resource

    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"maxrss_kb": maxrss, "maxrss_growth_kb": maxrss - start["maxrss"]}


__all__ = ["ERROR", "FAILED", "PASSED", "SKIPPED", "OrderPlugin", "Recorder"]
