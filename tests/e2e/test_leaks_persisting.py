"""State that outlives a pytest process: a row committed into a SQLite file of the project.

Without the work-tree guard the row stays in the file from one pytest run to the next, so
the victim fails even alone once its polluter has run (it looked flaky), and the hunt
leaves rows in the user's file. With it, the pair is reported with its state named as
persisting across runs, and the file is byte for byte what it was before `leaks`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.e2e.helpers import leaks_schema_errors, run_process, write_suite

pytestmark = pytest.mark.slow

NOTES = """\
import sqlite3
from pathlib import Path

DATABASE = Path(__file__).resolve().parent.parent / "dev.sqlite"


def test_notes_start_empty():
    connection = sqlite3.connect(DATABASE)
    try:
        (count,) = connection.execute("SELECT count(*) FROM notes").fetchone()
    finally:
        connection.close()
    assert count == 0


def test_other():
    assert True


def test_add_note():
    connection = sqlite3.connect(DATABASE)
    try:
        connection.execute("INSERT INTO notes (text) VALUES ('remember the milk')")
        connection.commit()
    finally:
        connection.close()
"""

VICTIM = "tests/test_notes.py::test_notes_start_empty"
POLLUTER = "tests/test_notes.py::test_add_note"


def _suite(root: Path) -> Path:
    write_suite(root, {"pytest.ini": "[pytest]\ntestpaths = tests\n", "tests/test_notes.py": NOTES})
    connection = sqlite3.connect(root / "dev.sqlite")
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection.commit()
    connection.close()
    return root


def test_a_row_left_in_a_sqlite_file_of_the_project_is_a_pair_and_is_put_back(
    tmp_path: Path,
) -> None:
    suite = _suite(tmp_path / "suite")
    before = (suite / "dev.sqlite").read_bytes()
    result = run_process("leaks", "--rounds", "1", "--seed", "1", "--format", "json", cwd=suite)
    assert result.code == 1, result.err
    report = result.json()
    assert leaks_schema_errors(report) == []
    assert [(p["polluter"], p["victim"]) for p in report["pairs"]] == [(POLLUTER, VICTIM)]
    assert report["flaky"] == []
    assert report.get("failing", []) == []
    [victim] = report["victims"]
    state = " ".join(victim["state"])
    assert "dev.sqlite" in state
    assert "'notes'" in state
    assert "persists across runs" in state
    assert {entry["path"] for entry in report["files_restored"]} == {"dev.sqlite"}
    assert all(entry["restored"] for entry in report["files_restored"])
    assert (suite / "dev.sqlite").read_bytes() == before
    kept = sorted(p.name for p in suite.iterdir() if p.name != ".pytest_cache")
    assert kept == ["dev.sqlite", "pytest.ini", "tests"]  # no journal left behind
