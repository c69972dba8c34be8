"""The per-test profile: what it records in the process, and what the plugin writes for a
real pytest run (fixture times and reach kept on the fixture, not the test)."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.dynamic.plugin import audit
from auditor.dynamic.plugin.profile import MAX_PER_KIND, Profiler
from auditor.dynamic.runner.driver import PytestDriver


@pytest.fixture
def rootdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A temporary folder of the run (as pytest's tmp_path base is)."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


@pytest.fixture
def profiler(rootdir: Path, scratch: Path) -> Iterator[Profiler]:
    profiler = Profiler(rootdir, (scratch,))
    yield profiler
    profiler.close()


def profiled(profiler: Profiler, act: Any) -> dict[str, Any]:
    profiler.begin()
    act()
    return profiler.end().to_json()  # as the plugin writes it


def test_a_connection_to_a_local_server_is_recorded_with_its_address(profiler):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def connect() -> None:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()

    try:
        profile = profiled(profiler, connect)
    finally:
        server.close()
    assert profile["connect"] == [f"127.0.0.1:{port}"]
    assert "lookup" not in profile  # the lookup led to that connection


def test_subprocesses_are_recorded_by_program_name(profiler):
    def run() -> None:
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        subprocess.run("exit 0", shell=True, check=True)
        os.system("true")

    profile = profiled(profiler, run)
    name = os.path.basename(sys.executable)
    assert profile["subprocess"] == [name, "sh -c exit", "true"]


def test_writes_outside_the_temporary_folders_only(profiler, rootdir, scratch):
    def write() -> None:
        (rootdir / "out.csv").write_text("a,b\n")
        with open(rootdir / "log.txt", "a") as handle:
            handle.write("x")
        (rootdir / "out.csv").read_text()
        (scratch / "ignored.txt").write_text("tmp")
        os.close(os.open(rootdir / "flags.bin", os.O_WRONLY | os.O_CREAT))
        (rootdir / "__pycache__").mkdir()
        (rootdir / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"")
        with tempfile.TemporaryFile() as handle:  # O_TMPFILE: opens the folder itself
            handle.write(b"x")
        descriptor, name = tempfile.mkstemp()
        os.close(descriptor)
        os.unlink(name)

    profile = profiled(profiler, write)
    assert profile["write"] == ["out.csv", "log.txt", "flags.bin"]


def test_each_kind_is_capped_and_the_rest_counted(profiler, rootdir):
    def write() -> None:
        for index in range(MAX_PER_KIND + 5):
            (rootdir / f"f{index}.txt").write_text("x")
        (rootdir / "f0.txt").write_text("again")  # a repeat is not counted twice

    profile = profiled(profiler, write)
    assert len(profile["write"]) == MAX_PER_KIND
    assert profile["more"] == {"write": 5}


def test_sqlite_files_and_statements_memory_apart_transactions_not_counted(profiler, rootdir):
    def use() -> None:
        connection = sqlite3.connect("app.db")
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
        connection.commit()
        connection.close()
        memory = sqlite3.connect(":memory:")
        memory.execute("SELECT 1")
        memory.close()

    profile = profiled(profiler, use)
    assert profile["sqlite"] == ["app.db"]
    assert profile["statements"] == 2  # the implicit BEGIN and the COMMIT are not
    assert profile["memory_statements"] == 1


def test_the_plugins_own_work_is_not_counted(profiler, rootdir):
    connection = sqlite3.connect("app.db")

    def probe_like() -> None:
        with audit.muted():
            connection.execute("SELECT 1")
            (rootdir / "snapshot.txt").write_text("x")

    profile = profiled(profiler, probe_like)
    connection.close()
    assert "statements" not in profile
    assert "write" not in profile


def test_the_sqlite3_connect_stand_in_is_removed_at_the_end(rootdir, scratch):
    original = sqlite3.connect
    profiler = Profiler(rootdir, (scratch,))
    assert sqlite3.connect is not original
    profiler.close()
    assert sqlite3.connect is original
    assert sqlite3.dbapi2.connect is original


def test_sqlalchemy_statements_are_counted_once(profiler, rootdir):
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(f"sqlite:///{rootdir / 'orm.db'}")
    engine.connect().close()  # the dialect's first-connect queries, before the test

    def use() -> None:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("CREATE TABLE t (x INTEGER)"))
            for value in range(3):
                connection.execute(sqlalchemy.text("INSERT INTO t VALUES (:v)"), {"v": value})

    profile = profiled(profiler, use)
    engine.dispose()
    assert profile["statements"] == 4  # by the sqlite3 trace; the engine listener skips sqlite


@pytest.mark.postgres
def test_sqlalchemy_statements_on_postgresql(profiler, postgres):
    sqlalchemy = pytest.importorskip("sqlalchemy")
    engine = sqlalchemy.create_engine(postgres.url)
    engine.connect().close()

    def use() -> None:
        with engine.connect() as connection:
            for _ in range(5):
                connection.execute(sqlalchemy.text("SELECT 1"))

    profile = profiled(profiler, use)
    engine.dispose()
    assert profile["statements"] == 5


def test_peak_memory_is_the_tests_own(profiler):
    def allocate() -> None:
        block = bytearray(64 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])  # touch every page
        del block

    heavy = profiled(profiler, allocate)
    light = profiled(profiler, lambda: None)
    assert heavy["peak_kb"] >= 60 * 1024
    if sys.platform.startswith("linux"):  # the high-water mark is reset per test there
        assert light["peak_kb"] < 8 * 1024


def test_events_of_other_threads_count_for_the_test(profiler, rootdir):
    def write_in_a_thread() -> None:
        worker = threading.Thread(target=(rootdir / "thread.txt").write_text, args=("x",))
        worker.start()
        worker.join()

    assert profiled(profiler, write_in_a_thread)["write"] == ["thread.txt"]


# -- the plugin, in a real pytest run --------------------------------------------------


@pytest.mark.slow
def test_the_plugin_records_the_profile_and_keeps_fixture_work_on_the_fixture(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import sqlite3
            import time

            import pytest

            @pytest.fixture(scope="session")
            def database(tmp_path_factory):
                time.sleep(0.2)
                connection = sqlite3.connect(tmp_path_factory.mktemp("db") / "s.db")
                connection.execute("CREATE TABLE t (x)")
                yield connection
                connection.execute("DROP TABLE t")
                connection.close()

            @pytest.fixture
            def slow_client():
                time.sleep(0.05)
                return object()
            """
        )
    )
    (tmp_path / "test_app.py").write_text(
        textwrap.dedent(
            """
            import subprocess
            import sys

            def test_first(database):
                database.execute("SELECT * FROM t").fetchall()

            def test_second(database, slow_client):
                subprocess.run([sys.executable, "-c", "pass"], check=True)

            def test_writes():
                with open("report.txt", "w") as handle:
                    handle.write("done")
            """
        )
    )
    run = PytestDriver(rootdir=tmp_path, probes="none").run(None, label="profiled", profile=True)
    assert [r.outcome for r in run.records] == ["passed"] * 3
    first, second, writes = (r.profile for r in run.records)
    (setup,) = [f for f in first["fixtures"] if f["name"] == "database"]
    assert setup["scope"] == "session"
    assert setup["where"] == "conftest.py:8"  # the def line, as the static model gives it
    assert setup["seconds"] >= 0.2
    assert setup["statements"] == 1  # CREATE TABLE: the fixture's, not test_first's
    assert setup["sqlite"][0].endswith("s.db")
    assert first["statements"] == 1  # its own SELECT
    assert "sqlite" not in first
    assert not [f for f in second["fixtures"] if f["name"] == "database" and f["phase"] == "setup"]
    assert [f["name"] for f in second["fixtures"] if f["phase"] == "setup"] == ["slow_client"]
    assert second["subprocess"] == [os.path.basename(sys.executable)]
    assert writes["write"] == ["report.txt"]
    (teardown,) = [f for f in writes["fixtures"] if f["name"] == "database"]
    assert teardown["phase"] == "teardown"
    assert teardown["statements"] == 1  # DROP TABLE, in the last test's teardown
    assert "statements" not in writes


def test_a_subscriber_of_the_audit_hook_gets_the_events_it_named_and_no_other():
    """The hook runs for every audited call of the process (``id()`` among them): the
    events a subscriber does not read must not reach it."""
    seen: list[tuple[str, tuple[object, ...]]] = []

    def subscriber(event: str, args: tuple[object, ...]) -> None:
        seen.append((event, args))

    audit.subscribe(subscriber, ("test_auditor.named",))
    try:
        sys.audit("test_auditor.other", 1)
        id(seen)
        sys.audit("test_auditor.named", 2)
        with audit.muted():
            sys.audit("test_auditor.named", 3)
    finally:
        audit.unsubscribe(subscriber)
    sys.audit("test_auditor.named", 4)
    assert seen == [("test_auditor.named", (2,))]
