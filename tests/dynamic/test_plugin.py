"""The plugin and driver on real pytest runs: order control, records, fixture ownership."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from auditor.dynamic.runner.driver import Budget, BudgetExhausted, PytestDriver, RunFailed

pytestmark = pytest.mark.slow


def write(root: Path, name: str, source: str) -> None:
    (root / name).write_text(textwrap.dedent(source), encoding="utf-8")


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(
        tmp_path,
        "test_env.py",
        """
        import os
        import pytest

        @pytest.fixture(scope="module")
        def service():
            os.environ["TA_SERVICE"] = "up"
            yield
            os.environ["TA_SERVICE_STOPPED"] = "yes"
            del os.environ["TA_SERVICE"]

        def test_reads_mode(service):
            assert os.environ.get("TA_MODE", "standard") == "standard"

        def test_sets_mode(service):
            os.environ["TA_MODE"] = "beta"

        def test_innocent():
            assert 1 + 1 == 2
        """,
    )
    return tmp_path


def test_order_file_runs_exactly_those_tests_in_that_order_with_repeats(suite):
    driver = PytestDriver(rootdir=suite)
    order = [
        "test_env.py::test_sets_mode",
        "test_env.py::test_reads_mode",
        "test_env.py::test_innocent",
        "test_env.py::test_reads_mode",
        "test_env.py::test_missing",
    ]
    run = driver.run(order, label="pair", probes=True, touch=True)
    assert [r.nodeid for r in run.records] == order[:4]
    assert [r.outcome for r in run.records] == ["passed", "failed", "passed", "failed"]
    assert run.session.missing == ["test_env.py::test_missing"]
    assert driver.executions == 4
    assert driver.processes == 1
    assert "TA_MODE" in run.records[1].touched
    assert "assert 'beta' == 'standard'" in run.records[1].failure


def test_a_wider_fixtures_setup_and_teardown_are_not_charged_to_the_test(suite):
    run = PytestDriver(rootdir=suite).run(None, label="default", probes=True)
    own = {r.nodeid: [c.key for c in r.leaked if not c.via] for r in run.records}
    assert own == {
        "test_env.py::test_reads_mode": [],
        "test_env.py::test_sets_mode": ["os.environ['TA_MODE']"],
        "test_env.py::test_innocent": [],
    }


def test_what_a_wider_fixture_leaves_changed_is_the_leak_of_the_test_that_set_it_up(suite):
    """`service` restores TA_SERVICE but leaves TA_SERVICE_STOPPED set: its teardown ran in
    test_innocent, it was set up in test_reads_mode, which alone reproduces the leak."""
    run = PytestDriver(rootdir=suite).run(None, label="default", probes=True)
    by_fixture = {r.nodeid: [c for c in r.leaked if c.via] for r in run.records}
    [leak] = by_fixture["test_env.py::test_reads_mode"]
    assert (leak.key, leak.before, leak.after) == (
        "os.environ['TA_SERVICE_STOPPED']",
        None,
        "'yes'",
    )
    assert leak.via == "fixture service (module scope)"
    assert "left by fixture service (module scope)" in leak.describe()
    assert by_fixture["test_env.py::test_innocent"] == []


def test_xunit_setup_that_is_never_undone_is_named_as_such(tmp_path):
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(
        tmp_path,
        "test_xunit.py",
        """
        import os

        def setup_module():
            os.environ["TA_XUNIT"] = "on"

        def test_first():
            pass

        def test_second():
            pass
        """,
    )
    order = [
        "test_xunit.py::test_second",
        "test_xunit.py::test_first",
        "test_xunit.py::test_second",
    ]
    run = PytestDriver(rootdir=tmp_path).run(order, label="repeat", probes=True)
    leaks = [[c.via for c in r.leaked] for r in run.records]
    # One module setup, in the first test run; the repeat of test_second has none.
    assert leaks == [["setup_module of test_xunit (module scope)"], [], []]


def test_a_crash_keeps_the_records_of_the_tests_before_it(tmp_path):
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(tmp_path, "test_crash.py", "import os\ndef test_a(): pass\ndef test_b(): os._exit(3)\n")
    run = PytestDriver(rootdir=tmp_path).run(None, label="crash")
    assert [r.nodeid for r in run.records] == ["test_crash.py::test_a"]
    assert run.returncode == 3


def test_a_suite_that_cannot_be_collected_is_a_clear_error(tmp_path):
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(tmp_path, "test_broken.py", "def test_a(:\n")
    with pytest.raises(RunFailed, match="interrupted"):
        PytestDriver(rootdir=tmp_path).run(None, label="broken")


def test_the_budget_refuses_a_run_it_cannot_afford(suite):
    driver = PytestDriver(rootdir=suite, budget=Budget(executions=2))
    with pytest.raises(BudgetExhausted, match="needs 3 test executions"):
        driver.run(["test_env.py::test_innocent"] * 3, label="too many")
    assert driver.processes == 0


def test_the_watcher_counts_tests_and_follows_the_running_one_across_split_reads(tmp_path):
    from auditor.dynamic.runner.driver import RecordWatcher

    record = tmp_path / "record.jsonl"
    record.write_bytes(b'{"type": "session"}\n{"type": "start", "nodeid": "a"}\n{"type": "te')
    watcher = RecordWatcher(record)
    watcher.poll()
    assert (watcher.done, watcher.current) == (0, "a")
    assert watcher.running_for() >= 0
    with record.open("ab") as handle:
        handle.write(b'st", "nodeid": "a"}\n{"type": "start", "nodeid": "b"}\n')
        handle.write(b'{"type": "test", "nodeid": "b"}\n')
    watcher.poll()
    assert (watcher.done, watcher.current) == (2, None)
    assert watcher.running_for() == 0.0
    watcher.poll()
    assert watcher.done == 2


def test_touch_failed_keeps_the_names_of_failed_tests_only_and_none_of_pytests_reporting(suite):
    """The rounds trace every test but keep what failing tests read (their candidates are
    known without running them alone); the ``__init__`` pytest generates for its report
    dataclasses (filename ``<string>``) reads ``abspath`` and must not count."""
    order = ["test_env.py::test_sets_mode", "test_env.py::test_reads_mode"]
    run = PytestDriver(rootdir=suite).run(order, label="pair", touch_failed=True)
    setter, reader = run.records
    assert reader.failed
    assert setter.touched == []
    assert "TA_MODE" in reader.touched
    assert not {"reprcrash", "abspath", "astcache"} & set(reader.touched)


@pytest.mark.parametrize("probes", [False, True])
def test_a_session_fixtures_setup_and_teardown_are_not_the_names_of_the_test_run_alone(
    tmp_path, probes
):
    """The first test of a process sets the session's fixtures up and the last tears them
    down: a test run alone would seem to read every table a session database fixture
    creates. A module-scoped fixture's names stay the test's (it may be set up by the
    victim itself where it fails)."""
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(
        tmp_path,
        "conftest.py",
        """
        import pytest

        def create_tables():
            return "CREATE TABLE ORDERS_TABLE"

        def drop_tables():
            return "DROP TABLE REFUNDS_TABLE"

        @pytest.fixture(scope="session", autouse=True)
        def database():
            create_tables()
            yield
            drop_tables()

        @pytest.fixture(scope="module")
        def client():
            return "MODULE_CLIENT"
        """,
    )
    write(
        tmp_path,
        "test_one.py",
        """
        def own_reader():
            return "OWN_SETTING"

        def test_one(client):
            assert own_reader()
        """,
    )
    run = PytestDriver(rootdir=tmp_path).run(
        ["test_one.py::test_one"], label="alone", touch=True, probes=probes
    )
    touched = set(run.records[0].touched)
    assert {"OWN_SETTING", "MODULE_CLIENT"} <= touched
    assert not {"ORDERS_TABLE", "REFUNDS_TABLE", "create_tables", "drop_tables"} & touched


def test_each_test_costs_one_snapshot_its_start_is_the_last_tests_end(tmp_path):
    """Nothing of the suite runs between two tests: the state one test ended with is the
    state the next one starts with, so it is not taken twice."""
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(
        tmp_path,
        "conftest.py",
        """
        from pathlib import Path
        from auditor.dynamic.probes.environ import EnvironProbe

        taken = []
        original = EnvironProbe.snapshot

        def counting(self):
            taken.append(1)
            return original(self)

        EnvironProbe.snapshot = counting

        def pytest_sessionfinish(session):
            Path(session.config.rootpath, "snapshots.txt").write_text(str(len(taken)))
        """,
    )
    write(
        tmp_path,
        "test_three.py",
        """
        import os

        def test_a():
            os.environ["TA_ONE"] = "1"

        def test_b():
            pass

        def test_c():
            del os.environ["TA_ONE"]
        """,
    )
    driver = PytestDriver(rootdir=tmp_path, probes="environ")
    run = driver.run(None, label="default", probes=True)
    assert [[c.key for c in r.leaked] for r in run.records] == [
        ["os.environ['TA_ONE']"],
        [],
        ["os.environ['TA_ONE']"],
    ]
    assert (tmp_path / "snapshots.txt").read_text() == "4"  # 1 before the first, 1 after each


def test_an_object_the_globals_probe_cannot_read_is_named_and_the_rest_still_probed(tmp_path):
    """Flask-SQLAlchemy's suite: one context-local proxy in a module used to take the whole
    globals probe down. Now the object is skipped (named once in the session's notes) and a
    handler a test leaves on a module-level app is still seen."""
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(
        tmp_path,
        "webapp.py",
        """
        class Unbound:
            def _raise(self, *args, **kwargs):
                raise RuntimeError("Working outside of application context.")

            __getattr__ = __repr__ = __eq__ = __len__ = _raise

            @property
            def __dict__(self):
                raise RuntimeError("Working outside of application context.")

        class App:
            def __init__(self):
                self.before_request_funcs = []

            def before_request(self, f):
                self.before_request_funcs.append(f)

        current_app = Unbound()
        app = App()
        """,
    )
    write(
        tmp_path,
        "test_app.py",
        """
        from webapp import app

        def test_registers_a_hook():
            app.before_request(print)

        def test_counts_hooks():
            assert app.before_request_funcs == []
        """,
    )
    run = PytestDriver(rootdir=tmp_path, probes="globals").run(None, label="default", probes=True)
    assert [[c.key for c in r.leaked] for r in run.records] == [
        ["webapp.app.before_request_funcs"],
        [],
    ]
    assert run.session.probe_errors == []  # the probe worked: it left one object out
    skipped = [note for note in run.session.probe_notes if "webapp.current_app" in note]
    assert len(skipped) == 1
    assert skipped[0].startswith("globals: skipped webapp.current_app")
    assert "RuntimeError" in skipped[0]


def test_a_watch_list_narrows_the_globals_probe_to_the_modules_that_own_its_keys(tmp_path):
    """The hunt's rounds watch what the default order saw change: the other modules' state
    is not read, while the process-wide probes (the environment here) read everything."""
    write(tmp_path, "pytest.ini", "[pytest]\n")
    write(tmp_path, "ta_watched.py", "RATE = 1\n")
    write(tmp_path, "ta_unwatched.py", "RATE = 1\n")
    write(
        tmp_path,
        "test_state.py",
        """
        import os
        import ta_unwatched
        import ta_watched

        def test_changes_both():
            ta_watched.RATE = 2
            ta_unwatched.RATE = 2
            os.environ["TA_WATCH_MODE"] = "beta"
        """,
    )
    driver = PytestDriver(rootdir=tmp_path)
    every = driver.run(None, label="default", probes=True)
    assert {c.key for c in every.records[0].leaked} == {
        "ta_watched.RATE",
        "ta_unwatched.RATE",
        "os.environ['TA_WATCH_MODE']",
    }
    assert every.session.monitoring is hasattr(sys, "monitoring")  # is tracing cheap here
    order = ["test_state.py::test_changes_both"]
    watched = driver.run(order, label="round", probes=True, watch=["ta_watched.RATE"])
    assert {c.key for c in watched.records[0].leaked} == {
        "ta_watched.RATE",
        "os.environ['TA_WATCH_MODE']",
    }
