"""The work-tree guard: the project's files as they were before `leaks`, between its runs and
at its end, and the state kept in them named as persisting across runs."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from auditor.dynamic.probes import Change
from auditor.dynamic.runner.result import Brittle, LeakReport, Pair
from auditor.dynamic.runner.worktree import (
    PERSISTS,
    Persisting,
    Restored,
    WorkTreeGuard,
    mark_persisting,
)


def _database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection.commit()
    connection.close()


def _commit_row(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO notes (text) VALUES ('remember the milk')")
    connection.commit()
    connection.close()


def _rows(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM notes").fetchone()[0])
    finally:
        connection.close()


def test_a_row_committed_into_a_sqlite_file_of_the_project_is_put_back(tmp_path: Path) -> None:
    _database(tmp_path / "dev.sqlite")
    before = (tmp_path / "dev.sqlite").read_bytes()
    guard = WorkTreeGuard(tmp_path)
    try:
        for run in ("first run", "second run"):
            _commit_row(tmp_path / "dev.sqlite")
            assert guard.restore(run) == [Restored("dev.sqlite", "changed", True, run)]
            assert _rows(tmp_path / "dev.sqlite") == 0
            assert (tmp_path / "dev.sqlite").read_bytes() == before
        assert guard.restore("a run that wrote nothing") == []
    finally:
        guard.close()


def test_a_sqlite_file_the_suite_creates_and_its_journal_are_removed(tmp_path: Path) -> None:
    guard = WorkTreeGuard(tmp_path)
    try:
        (tmp_path / "data").mkdir()
        _database(tmp_path / "data" / "made.db")
        (tmp_path / "data" / "made.db-journal").write_bytes(b"partial")
        found = guard.restore("run")
        assert [(r.path, r.change, r.restored) for r in found] == [
            ("data/made.db", "created", True),
            ("data/made.db-journal", "created", True),
        ]
        assert not (tmp_path / "data" / "made.db").exists()
    finally:
        guard.close()


def test_a_rewrite_that_sets_the_mtime_back_is_still_put_back(tmp_path: Path) -> None:
    """``shutil.copy2`` of a same-sized file, or ``os.utime``, keeps size and mtime: the
    ctime still moves, and the bytes tell."""
    path = tmp_path / "settings.json"
    path.write_text('{"mode": "a"}', encoding="utf-8")
    status = path.stat()
    guard = WorkTreeGuard(tmp_path)
    try:
        path.write_text('{"mode": "b"}', encoding="utf-8")
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        assert [r.change for r in guard.restore("run")] == ["changed"]
        assert path.read_text(encoding="utf-8") == '{"mode": "a"}'
        assert guard.restore("next run") == []
    finally:
        guard.close()


def test_a_file_only_touched_in_place_with_the_same_bytes_is_not_reported(
    tmp_path: Path,
) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{}", encoding="utf-8")
    status = path.stat()
    guard = WorkTreeGuard(tmp_path)
    try:
        shutil.copy2(path, tmp_path / "copy.json")
        (tmp_path / "copy.json").replace(path)  # same bytes and mtime, a new inode
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        assert guard.restore("run") == []
    finally:
        guard.close()


def test_a_deleted_file_comes_back_with_its_bytes(tmp_path: Path) -> None:
    _database(tmp_path / "dev.sqlite")
    before = (tmp_path / "dev.sqlite").read_bytes()
    guard = WorkTreeGuard(tmp_path)
    try:
        (tmp_path / "dev.sqlite").unlink()
        assert [r.change for r in guard.restore("run")] == ["deleted"]
        assert (tmp_path / "dev.sqlite").read_bytes() == before
    finally:
        guard.close()


SQLITE_ROWS = Change("sqlite", "sqlite dev.sqlite table 'notes' rows", "'0 rows'", "'1 row'")
ENVIRON = Change("environ", "os.environ['MODE']", None, "'beta'")
CREATED = Change("files", "file out/report.csv", None, "file")
DATABASE = Change("database", "database table 'main.notes' rows", "0 rows", "1 row")


def _report(*state: Change) -> LeakReport:
    report = LeakReport(rootdir="/project", seed=1, rerun="test-auditor leaks")
    report.pairs = [Pair("t.py::test_b", "t.py::test_a", state, "pytest t.py", "state")]
    report.brittle = [Brittle("t.py::test_c", ("t.py::test_b",), state)]
    report.leaked = {"t.py::test_b": state}
    return report


def test_state_kept_in_a_file_the_guard_put_back_persists_across_runs() -> None:
    report = _report(SQLITE_ROWS, ENVIRON, CREATED)
    restored = [
        Restored("dev.sqlite", "changed", True, "default order"),
        Restored("out/report.csv", "created", True, "default order"),
    ]
    mark_persisting(report, restored)
    [pair] = report.pairs
    assert pair.state_text() == [
        "sqlite dev.sqlite table 'notes' rows = '1 row' (was '0 rows'); "
        f"{PERSISTS} in dev.sqlite (put back after each run)",
        "os.environ['MODE'] = 'beta' (was unset)",
        f"file out/report.csv = file (was unset); {PERSISTS} in out/report.csv "
        "(put back after each run)",
    ]
    assert report.brittle[0].state == pair.state
    assert report.leaked["t.py::test_b"] == pair.state
    assert isinstance(pair.state[0], Persisting)
    assert pair.state[0].to_json() == SQLITE_ROWS.to_json()  # what `leaks merge` reads back
    mark_persisting(report, restored)  # twice changes nothing
    assert report.pairs == [pair]


def test_state_in_files_the_suite_never_changed_is_left_as_it_is() -> None:
    report = _report(SQLITE_ROWS, DATABASE)
    mark_persisting(report, [Restored("other.db", "changed", True, "run")])
    assert report.pairs[0].state == (SQLITE_ROWS, DATABASE)
    mark_persisting(report, [])
    assert report.pairs[0].state == (SQLITE_ROWS, DATABASE)


def test_rows_of_a_sqlite_db_url_in_the_project_persist_and_a_file_not_put_back_says_so() -> None:
    report = _report(DATABASE)
    restored = [Restored("var/app.db", "changed", False, "run")]
    mark_persisting(report, restored, database_file="var/app.db")
    assert report.pairs[0].state_text() == [
        "database table 'main.notes' rows = 1 row (was 0 rows); "
        f"{PERSISTS} in var/app.db (which could NOT be put back)"
    ]
