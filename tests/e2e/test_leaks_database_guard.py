"""Rows a test commits into the ``--db-url`` PostgreSQL database: state that outlives a
pytest process, put back by the database guard.

Without the guard the row stays from one pytest run to the next, so the victim fails even
alone once its polluter has run (it looked flaky), and `leaks` leaves rows in the user's
database. With it, the pair is reported with its state named as persisting across runs in
the database, and after `leaks` every table holds exactly the rows it had before, every
sequence its value, and the table a test created is gone. Each test gets a scratch
database of its own (``ta_guard_<random>``), dropped at the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.e2e.helpers import interruptible_auditor, leaks_schema_errors, run_process, write_suite
from tests.services import Scratch

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ITEMS = """\
import os

import psycopg

DSN = os.environ["TA_GUARD_DSN"]


def count(table):
    with psycopg.connect(DSN, autocommit=True) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_items_start_with_the_seed_rows():
    assert count("items") == 2


def test_other():
    assert True


def test_add_item():
    with psycopg.connect(DSN) as conn:  # commits when the block ends
        conn.execute("INSERT INTO items (name) VALUES ('added by a test')")
        conn.execute("INSERT INTO tags (item_id, tag) SELECT max(id), 'new' FROM items")
        conn.execute("CREATE TABLE IF NOT EXISTS scratch_log (id serial PRIMARY KEY, line text)")
        conn.execute("INSERT INTO scratch_log (line) VALUES ('a line')")
"""

SCHEMA = """
CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, price numeric, meta jsonb);
CREATE TABLE tags (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id int NOT NULL REFERENCES items (id),
    tag text
);
INSERT INTO items (name, price, meta) VALUES ('tea', 2.5, '{"tags": ["hot"]}'),
                                             (E'two\\tlines\\nof text', NULL, NULL);
INSERT INTO tags (item_id, tag) VALUES (1, 'drink'), (2, 'odd');
SELECT setval('items_id_seq', 40);
"""

VICTIM = "tests/test_items.py::test_items_start_with_the_seed_rows"
POLLUTER = "tests/test_items.py::test_add_item"


def _contents(dsn: str) -> dict[str, Any]:
    """Every user table's rows (sorted), every sequence's state, the table list."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = [
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema') ORDER BY 1, 2"
            )
        ]
        sequences = [
            f"{schema}.{name}"
            for schema, name in conn.execute(
                "SELECT schemaname, sequencename FROM pg_sequences ORDER BY 1, 2"
            )
        ]
        found: dict[str, Any] = {"tables": tables}
        for table in tables:
            rows = conn.execute(f"SELECT t::text FROM {table} t").fetchall()
            found[table] = sorted(row[0] for row in rows)
        for sequence in sequences:
            found[sequence] = conn.execute(
                f"SELECT last_value, is_called FROM {sequence}"
            ).fetchone()
    return found


def _suite(root: Path, scratch: Scratch) -> Path:
    write_suite(root, {"pytest.ini": "[pytest]\ntestpaths = tests\n", "tests/test_items.py": ITEMS})
    with psycopg.connect(scratch.dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return root


def test_rows_committed_into_the_database_are_a_pair_and_are_put_back(
    tmp_path: Path, scratch_database: Scratch
) -> None:
    suite = _suite(tmp_path / "suite", scratch_database)
    before = _contents(scratch_database.dsn)
    result = run_process(
        "leaks",
        "--rounds",
        "2",  # the targeted and the reversed order: the polluter runs before the victim
        "--seed",
        "1",
        "--format",
        "json",
        "--db-url",
        scratch_database.url,
        cwd=suite,
        env={"TA_GUARD_DSN": scratch_database.dsn},
        timeout=600,
    )
    assert result.code == 1, result.err
    report = result.json()
    assert leaks_schema_errors(report) == []
    assert [(p["polluter"], p["victim"]) for p in report["pairs"]] == [(POLLUTER, VICTIM)]
    # the probe's own import of SQLAlchemy (it sets the `sqlalchemy` logger's level) is
    # no test's leak
    assert "sqlalchemy" not in json.dumps(report["state_left_behind"])
    assert report["flaky"] == []
    assert report.get("failing", []) == []
    [victim] = report["victims"]
    state = " ".join(victim["state"])
    assert "'public.items'" in state
    assert f"persists across runs in database {scratch_database.name}" in state
    restored = {
        (r["kind"], r["name"], r["change"], r["restored"]) for r in report["databases_restored"]
    }
    assert ("table", "public.items", "changed", True) in restored
    assert ("table", "public.tags", "changed", True) in restored
    assert ("table", "public.scratch_log", "created", True) in restored
    assert ("sequence", "public.items_id_seq", "changed", True) in restored
    assert {r["database"] for r in report["databases_restored"]} == {scratch_database.name}
    assert "NOT guarded" not in result.err
    after = _contents(scratch_database.dsn)
    assert after == before
    assert "public.scratch_log" not in after["tables"]


def test_a_database_over_the_limit_is_not_guarded_and_says_so(
    tmp_path: Path, scratch_database: Scratch
) -> None:
    """More rows than the guard keeps: no snapshot, a note in the report and on stderr,
    and the hunt goes on (the rows the suite commits stay, as `leaks` warned)."""
    suite = _suite(tmp_path / "suite", scratch_database)
    with psycopg.connect(scratch_database.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE big AS SELECT g AS n FROM generate_series(1, 100001) g")
    result = run_process(
        "leaks",
        "test_items.py::test_other",
        "--rounds",
        "0",
        "--seed",
        "1",
        "--format",
        "json",
        "--db-url",
        scratch_database.url,
        cwd=suite / "tests",
        env={"TA_GUARD_DSN": scratch_database.dsn},
        timeout=300,
    )
    assert result.code == 0, result.err
    report = result.json()
    assert leaks_schema_errors(report) == []
    assert f"database {scratch_database.name} is NOT guarded" in result.err
    assert "100,005 rows, more than the 100,000 the guard keeps" in result.err  # 4 seeded
    assert any("NOT guarded" in note for note in report["notes"])
    assert report["databases_restored"] == []


HANGS = """\
import os
import time
from pathlib import Path

import psycopg


def test_adds_a_row():
    with psycopg.connect(os.environ["TA_GUARD_DSN"]) as conn:
        conn.execute("INSERT INTO items (name) VALUES ('added before the signal')")


def test_hangs():
    Path(os.environ["TA_GUARD_STARTED"]).touch()
    time.sleep(1000)
"""


@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_rows_are_put_back_when_leaks_is_interrupted(
    tmp_path: Path, scratch_database: Scratch, sent: signal.Signals
) -> None:
    suite = _suite(tmp_path / "suite", scratch_database)
    (suite / "tests" / "test_items.py").write_text(HANGS, encoding="utf-8")
    before = _contents(scratch_database.dsn)
    started = tmp_path / "started"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environment |= {"TA_GUARD_DSN": scratch_database.dsn, "TA_GUARD_STARTED": str(started)}
    command = [*interruptible_auditor(), "leaks", "--timeout", "0", "--rounds", "0"]
    process = subprocess.Popen(
        [*command, "--db-url", scratch_database.url],
        cwd=suite,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert started.exists(), "the hanging test never started"
        assert _contents(scratch_database.dsn) != before  # the row is in, for now
        process.send_signal(sent)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143}[sent], err
    assert _contents(scratch_database.dsn) == before
