"""Each built-in probe sees its kind of leak, sees nothing once it is undone, and reads
state without running the suite's code."""

from __future__ import annotations

import importlib
import logging
import os
import signal
import sqlite3
import sys
import time
import types
import warnings
from collections.abc import Callable
from unittest import mock

import pytest

from auditor.dynamic import probes as probing
from auditor.dynamic.probes import Probe, ProbeContext, changes, one_round
from auditor.dynamic.probes import files as files_probe
from auditor.dynamic.probes.cwd import CwdProbe
from auditor.dynamic.probes.descriptors import DescriptorProbe
from auditor.dynamic.probes.environ import EnvironProbe
from auditor.dynamic.probes.files import FilesProbe
from auditor.dynamic.probes.globals import GlobalsProbe
from auditor.dynamic.probes.logging_state import LoggingProbe
from auditor.dynamic.probes.mocks import MockProbe
from auditor.dynamic.probes.signal_handlers import SignalProbe
from auditor.dynamic.probes.sqlite import SqliteProbe
from auditor.dynamic.probes.sys_modules import ModulesProbe, ModuleTable, SeenModules
from auditor.dynamic.probes.warnings_filters import WarningsProbe
from tests.dynamic.calls import record_calls


def keys_changed(probe: Probe, act: Callable[[], object]) -> list[str]:
    before = probe.snapshot()
    act()
    return [change.key for change in changes(probe, before, probe.snapshot())]


def test_environ(monkeypatch):
    monkeypatch.delenv("TA_PROBE_VAR", raising=False)
    probe = EnvironProbe()
    assert keys_changed(probe, lambda: os.environ.__setitem__("TA_PROBE_VAR", "1")) == [
        "os.environ['TA_PROBE_VAR']"
    ]
    assert keys_changed(probe, lambda: None) == []
    del os.environ["TA_PROBE_VAR"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A module of the project under the rootdir, with the kinds of state suites leak."""
    package = tmp_path / "shopx"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "state.py").write_text(
        "import functools\n"
        "RATE = 1.0\n"
        "REGISTRY = {'a': [1]}\n"
        "class Settings:\n    debug = False\n"
        "class App:\n    def __init__(self):\n"
        "        self.overrides = {}\n        self.middleware = []\n"
        "app = App()\n"
        "def add(item, basket=[]):\n    basket.append(item)\n    return basket\n"
        "@functools.lru_cache\ndef settings():\n    return RATE\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("shopx.state"), GlobalsProbe(tmp_path)
    for name in ("shopx", "shopx.state"):
        sys.modules.pop(name, None)


def test_globals_sees_each_kind_of_module_state(project):
    module, probe = project
    assert keys_changed(probe, lambda: setattr(module, "RATE", 2.0)) == ["shopx.state.RATE"]
    assert keys_changed(probe, lambda: module.REGISTRY["a"].append(2)) == ["shopx.state.REGISTRY"]
    assert keys_changed(probe, lambda: setattr(module.Settings, "debug", True)) == [
        "shopx.state.Settings.debug"
    ]
    assert keys_changed(probe, lambda: module.app.overrides.update(x=1)) == [
        "shopx.state.app.overrides"
    ]
    assert keys_changed(probe, lambda: module.app.middleware.append("cors")) == [
        "shopx.state.app.middleware"
    ]
    assert keys_changed(probe, lambda: module.add("tea")) == ["shopx.state.add.__defaults__"]
    assert keys_changed(probe, module.settings) == ["shopx.state.settings.cache_info()"]
    assert keys_changed(probe, lambda: None) == []


def test_globals_ignores_modules_imported_during_the_test(project, tmp_path):
    _, probe = project
    (tmp_path / "shopx" / "late.py").write_text("VALUE = 1\n")
    assert keys_changed(probe, lambda: __import__("shopx.late")) == []
    sys.modules.pop("shopx.late", None)


def test_sys_modules_reports_injection_but_not_ordinary_imports():
    probe = ModulesProbe()
    fake = types.SimpleNamespace(dumps=str)
    inject = lambda: sys.modules.__setitem__("ta_fake_json", fake)  # type: ignore[assignment]  # noqa: E731
    assert keys_changed(probe, inject) == ["sys.modules['ta_fake_json']"]
    del sys.modules["ta_fake_json"]
    assert keys_changed(probe, lambda: __import__("colorsys")) in ([], [])


def test_logging_level_left_on_a_named_logger():
    probe = LoggingProbe()
    logger = logging.getLogger("ta.probe.test")
    assert keys_changed(probe, lambda: logger.setLevel(logging.CRITICAL)) == [
        "logging.getLogger('ta.probe.test').level"
    ]
    assert keys_changed(probe, lambda: logger.setLevel(logging.NOTSET)) == [
        "logging.getLogger('ta.probe.test').level"
    ]
    assert keys_changed(probe, lambda: logging.getLogger("ta.probe.new")) == []


def test_warnings_filter_added():
    probe = WarningsProbe()
    with warnings.catch_warnings():
        assert "warnings.filters" in keys_changed(probe, lambda: warnings.simplefilter("error"))


def test_mock_started_and_never_stopped():
    probe = MockProbe()
    patcher = mock.patch("os.getcwd", return_value="/nowhere")
    assert keys_changed(probe, patcher.start) == ["mock.patch('os.getcwd')"]
    assert keys_changed(probe, patcher.stop) == ["mock.patch('os.getcwd')"]


def test_files_created_under_the_rootdir_but_not_in_caches(tmp_path):
    (tmp_path / "__pycache__").mkdir()
    probe = FilesProbe(tmp_path, ())

    def act() -> None:
        (tmp_path / "report.csv").write_text("x")
        (tmp_path / "__pycache__" / "m.pyc").write_text("x")

    assert keys_changed(probe, act) == ["file report.csv"]
    assert keys_changed(probe, (tmp_path / "report.csv").unlink) == ["file report.csv"]


def test_sqlite_rows_committed_in_a_database_the_suite_opened(tmp_path):
    path = tmp_path / "app.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE orders (id INTEGER)")
    connection.commit()
    probe = SqliteProbe(tmp_path, ())

    def commit_row() -> None:
        connection.execute("INSERT INTO orders VALUES (1)")
        connection.commit()

    assert keys_changed(probe, commit_row) == ["sqlite app.db table 'orders' rows"]

    def rolled_back() -> None:
        connection.execute("INSERT INTO orders VALUES (2)")
        connection.rollback()

    assert keys_changed(probe, rolled_back) == []
    connection.close()


def test_every_builtin_probe_loads_and_a_missing_setting_disables_the_database_probe(tmp_path):
    loaded, errors = probing.load(ProbeContext(rootdir=tmp_path), set(probing.BUILTIN))
    names = {probe.name for probe in loaded}
    assert errors == []
    assert {"environ", "globals", "files", "sqlite", "mocks", "timezone"} <= names
    assert "database" not in names
    for probe in loaded:
        assert isinstance(probe.snapshot(), dict)


def test_the_environment_is_described_again_only_when_a_variable_changed(monkeypatch):
    """Most tests change no variable: the last snapshot itself comes back (its diff costs
    nothing), even when pytest rewrites PYTEST_CURRENT_TEST in between."""
    probe = EnvironProbe()
    first = probe.snapshot()
    monkeypatch.setenv("PYTEST_CURRENT_TEST", "test_x.py::test_y (call)")
    assert probe.snapshot() is first
    monkeypatch.setenv("TA_ENV_CACHE", "on")
    changed = probe.snapshot()
    assert changed is not first
    assert changed["os.environ['TA_ENV_CACHE']"] == "'on'"
    monkeypatch.delenv("TA_ENV_CACHE")
    assert "os.environ['TA_ENV_CACHE']" not in probe.snapshot()


def test_signal_handlers_are_described_again_only_when_one_was_replaced():
    probe = SignalProbe()
    first = probe.snapshot()
    assert probe.snapshot() is first
    previous = signal.signal(signal.SIGUSR2, lambda number, frame: None)
    try:
        changed = probe.snapshot()
        assert [c.key for c in changes(probe, first, changed)] == ["signal.getsignal(SIGUSR2)"]
    finally:
        signal.signal(signal.SIGUSR2, previous)
    assert changes(probe, first, probe.snapshot()) == []


def test_a_file_left_open_and_then_closed_is_seen(tmp_path):
    """The descriptors probe reads each link through the folder it holds open."""
    probe = DescriptorProbe(tmp_path)
    opened: list[int] = []
    path = tmp_path / "out.txt"
    leave_open = lambda: opened.append(os.open(path, os.O_WRONLY | os.O_CREAT))  # noqa: E731
    assert keys_changed(probe, leave_open) == ["open file out.txt"]
    assert keys_changed(probe, lambda: os.close(opened[0])) == ["open file out.txt"]


def test_the_descriptors_folder_closed_by_the_suite_and_its_number_reused_is_opened_again(
    tmp_path,
):
    probe = DescriptorProbe(tmp_path)
    before = probe.snapshot()
    held = probe._folder
    assert held is not None
    os.close(held)  # as a test closing every descriptor would
    reused = os.open(tmp_path / "taken.txt", os.O_WRONLY | os.O_CREAT)
    try:
        assert reused == held
        found = [change.key for change in changes(probe, before, probe.snapshot())]
        assert found == ["open file taken.txt"]
    finally:
        os.close(reused)


def test_the_working_folder_changed_and_changed_back_is_seen(tmp_path, monkeypatch):
    probe = CwdProbe(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    assert keys_changed(probe, lambda: os.chdir(tmp_path / "sub")) == ["os.getcwd()"]
    assert keys_changed(probe, lambda: os.chdir(tmp_path)) == ["os.getcwd()"]


def test_a_settled_tree_is_told_unchanged_from_its_folders_mtimes(tmp_path, monkeypatch):
    """Once a walk listed no folder again, the next snapshot stats the folders it walked and
    lists nothing; a file created in one still shows."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x")
    past = time.time_ns() - 10 * files_probe.SETTLED
    for folder in (tmp_path / "data", tmp_path):
        os.utime(folder, ns=(past, past))
    probe = FilesProbe(tmp_path, ())
    first = probe.snapshot()
    assert probe.snapshot() is first  # listings reused: the walk is remembered
    listed = record_calls(monkeypatch, os, "scandir")
    assert probe.snapshot() is first
    assert listed == []
    (tmp_path / "data" / "b.csv").write_text("x")
    assert [c.key for c in changes(probe, first, probe.snapshot())] == ["file data/b.csv"]


def test_sys_modules_is_checked_once_a_round_for_every_probe_that_reads_it(tmp_path, monkeypatch):
    """The globals probe and the sys.modules probe share one check per round of snapshots;
    outside a round each call checks, and a module injected between rounds shows in both."""
    table = ModuleTable()
    modules = ModulesProbe(table)
    project = GlobalsProbe(tmp_path, prefixes=("ta_round_",))
    project._table = table
    checks = record_calls(monkeypatch, SeenModules, "same")
    with one_round():
        before = [modules.snapshot(), project.snapshot()]
    assert len(checks) == 1
    fake = types.ModuleType("ta_round_fake")
    fake.LIMIT = 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ta_round_fake", fake)
    with one_round():
        after = [modules.snapshot(), project.snapshot()]
    assert len(checks) == 2
    assert "sys.modules['ta_round_fake']" in after[0]
    assert after[1]["ta_round_fake.LIMIT"] == "3"
    assert "ta_round_fake" not in before[1]
    modules.snapshot()
    modules.snapshot()
    assert len(checks) == 4
