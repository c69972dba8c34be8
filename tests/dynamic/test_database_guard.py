"""The database guard: a PostgreSQL ``--db-url`` database's rows as they were before `leaks`,
put back between its runs and at its end in one transaction, or not at all.

The pure parts (what changed, which tables go together, in which order) are tested as data;
the rest against a scratch database of the local server, through the guard's program run
by this interpreter as `leaks` runs it (skipped where PostgreSQL is absent).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from rich.console import Console

from auditor.dynamic.probes import Change
from auditor.dynamic.probes import database_guard as program
from auditor.dynamic.probes.database_guard_plan import (
    COLUMNS,
    DROPPED,
    Current,
    Entry,
    Manifest,
    SequenceValue,
    Table,
    closure,
    digest_query,
    load_order,
    over_limit,
    plan,
)
from auditor.dynamic.runner.database_guard import DatabaseGuard, RestoredRows, database_name
from auditor.dynamic.runner.merge import merge_files
from auditor.dynamic.runner.result import LeakReport, Pair
from auditor.dynamic.runner.worktree import PERSISTS, mark_persisting
from auditor.report.leaks_report import leaks_dict, render_leaks_terminal
from tests.e2e.helpers import leaks_schema_errors
from tests.services import Scratch

# -- the pure parts ---------------------------------------------------------------------------


def _manifest() -> Manifest:
    return Manifest(
        "app",
        tables=[
            Table("public.items", ("id", "name"), 2, "d1", "00000.copy"),
            Table("public.tags", ("id", "item_id"), 1, "d2", "00001.copy"),
            Table("public.gone", ("id",), 0, "", "00002.copy"),
        ],
        sequences=[SequenceValue("public.items_id_seq", "2", True)],
        schemas=["public"],
    )


def test_the_plan_names_what_changed_was_created_and_was_dropped() -> None:
    current = Current(
        columns={
            "public.items": ("id", "name"),
            "public.tags": ("id", "item_id"),
            "public.log": ("line",),
            "suite.t": ("x",),
        },
        figures={"public.items": (3, "d9"), "public.tags": (1, "d2")},
        sequences={"public.items_id_seq": ("3", True), "public.log_id_seq": ("1", True)},
        schemas=frozenset({"public", "suite"}),
    )
    todo = plan(_manifest(), current)
    assert todo.needed
    assert todo.changed == ["public.items"]
    assert todo.created_tables == ["public.log"]  # suite.t goes with its schema
    assert todo.created_schemas == ["suite"]
    assert todo.created_sequences == ["public.log_id_seq"]
    assert todo.sequences == [SequenceValue("public.items_id_seq", "2", True)]
    assert todo.entries == [
        Entry("schema", "suite", "created"),
        Entry("table", "public.log", "created"),
        Entry("table", "suite.t", "created"),
        Entry("table", "public.items", "changed"),
        Entry("table", "public.gone", "dropped", False, DROPPED),
        Entry("sequence", "public.items_id_seq", "changed"),
    ]


def test_nothing_to_do_when_every_figure_is_the_snapshots() -> None:
    manifest = _manifest()
    current = Current(
        columns={t.name: t.columns for t in manifest.tables},
        figures={t.name: (t.rows, t.digest) for t in manifest.tables},
        sequences={"public.items_id_seq": ("2", True)},
        schemas=frozenset({"public"}),
    )
    todo = plan(manifest, current)
    assert not todo.needed
    assert todo.entries == []


def test_a_table_that_lost_a_column_cannot_be_put_back() -> None:
    manifest = _manifest()
    current = Current(
        columns={"public.items": ("id",), "public.tags": ("id", "item_id"), "public.gone": ("id",)},
        figures={"public.tags": (1, "d2"), "public.gone": (0, "")},
        sequences={"public.items_id_seq": ("2", True)},
        schemas=frozenset({"public"}),
    )
    todo = plan(manifest, current)
    assert not todo.needed
    assert todo.entries == [Entry("table", "public.items", "changed", False, COLUMNS)]


def test_tables_that_reference_a_changed_one_are_truncated_with_it() -> None:
    references = [("b", "a"), ("c", "b"), ("d", "x"), ("a", "a")]
    assert closure(["a"], references) == ["a", "b", "c"]
    assert closure(["x"], references) == ["d", "x"]
    assert closure([], references) == []


def test_referenced_tables_load_first_and_a_cycle_still_loads() -> None:
    references = [("achild", "zparent"), ("zparent", "zroot"), ("self", "self")]
    assert load_order(["achild", "zparent", "zroot", "self"], references) == [
        "self",
        "zroot",
        "zparent",
        "achild",
    ]
    assert load_order(["a", "b"], [("a", "b"), ("b", "a")]) == ["a", "b"]


def test_the_digest_is_one_statement_over_the_snapshotted_columns() -> None:
    sql = digest_query([("public.items", ("id", 'we"ird')), ('s.t"x', ())])
    assert sql.count("UNION ALL") == 1
    assert 'SELECT "id", "we""ird" FROM "public"."items"' in sql
    assert 'FROM "s"."t""x"' in sql
    assert 'COLLATE "C"' in sql


def test_limits() -> None:
    assert over_limit(100_000, 3) is None
    assert over_limit(100_001, 3) == "100,001 rows, more than the 100,000 the guard keeps"
    assert "tables" in (over_limit(0, 5_000) or "")


def test_the_manifest_reads_back_what_it_wrote() -> None:
    manifest = _manifest()
    assert Manifest.from_json(manifest.to_json()) == manifest


def test_the_database_a_url_names() -> None:
    assert database_name("postgresql+psycopg://u:p@h:5432/app_test?sslmode=off") == "app_test"
    assert database_name("host=h dbname=app user=u") == "app"
    assert database_name("postgresql://h") == ""


ROWS = Change("database", "database table 'public.items' rows", "2 rows", "3 rows")
OTHER = Change("database", "database table 'public.other' rows", "0 rows", "1 row")


def test_rows_the_database_guard_put_back_persist_across_runs_in_the_database() -> None:
    report = LeakReport(rootdir="/p", seed=1, rerun="")
    report.pairs = [Pair("t.py::test_a", "t.py::test_b", (ROWS, OTHER), "pytest", "state")]
    guard = DatabaseGuard("url", "python", Path("/p"), database="app_test")
    guard.restored = [RestoredRows("app_test", "table", "public.items", "changed", True, "r")]
    kept = guard.persisting()
    assert kept == {ROWS.where: ("database app_test", True)}
    mark_persisting(report, [], None, kept)
    assert report.pairs[0].state_text() == [
        "database table 'public.items' rows = 3 rows (was 2 rows); "
        f"{PERSISTS} in database app_test (put back after each run)",
        "database table 'public.other' rows = 1 row (was 0 rows)",
    ]
    assert report.pairs[0].state[0].to_json() == ROWS.to_json()
    report.pairs = [Pair("t.py::test_a", "t.py::test_b", (ROWS,), "pytest", "state")]
    guard.restored.append(
        RestoredRows("app_test", "table", "public.items", "changed", False, "r2", "a lock")
    )
    mark_persisting(report, [], None, guard.persisting())
    assert report.pairs[0].state_text()[0].endswith("(which could NOT be put back)")


def test_the_report_shows_what_was_put_back_in_json_and_on_the_terminal() -> None:
    report = LeakReport(rootdir="/p", seed=1, rerun="test-auditor leaks")
    report.databases_restored = [
        RestoredRows("app", "table", "public.items", "changed", True, "default order"),
        RestoredRows("app", "table", "public.tags", "dropped", False, "round 1", DROPPED),
    ]
    data: dict[str, Any] = leaks_dict(report)
    assert leaks_schema_errors(data) == []
    assert data["databases_restored"][1] == {
        "database": "app",
        "kind": "table",
        "name": "public.tags",
        "change": "dropped",
        "restored": False,
        "run": "round 1",
        "why": DROPPED,
    }
    console = Console(record=True, width=200)
    render_leaks_terminal(report, console)
    text = console.export_text()
    assert "Database state the suite changed, put back (2)" in text
    assert "database app: table public.items changed (default order); restored" in text
    assert f"table public.tags dropped (round 1); could NOT be put back: {DROPPED}" in text


def test_leaks_merge_reads_back_what_each_shard_put_back(tmp_path: Path) -> None:
    paths = []
    for index in (1, 2):
        report = LeakReport(rootdir="/ci", seed=5, rerun="", shard=f"{index}/2")
        report.databases_restored = [
            RestoredRows("app", "table", "public.items", "changed", True, "default order")
        ]
        path = tmp_path / f"shard-{index}.json"
        path.write_text(json.dumps(leaks_dict(report)), encoding="utf-8")
        paths.append(path)
    merged = merge_files(paths)
    assert [(r.name, r.run) for r in merged.report.databases_restored] == [
        ("public.items", "shard 1/2: default order"),
        ("public.items", "shard 2/2: default order"),
    ]
    assert not any("not merged" in note for note in merged.report.notes)


def test_no_driver_in_the_suites_interpreter_means_no_guard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(program, "DRIVERS", ("no_such_driver_module",))
    answer = program.answer({"command": "snapshot", "url": "host=h", "folder": str(tmp_path)})
    assert answer["guarded"] is False
    assert "no PostgreSQL driver (psycopg or psycopg2)" in answer["why"]


BARE_PYTHON = "/usr/bin/python3"


def _has_a_driver(python: str) -> bool:
    code = "import importlib.util as u; raise SystemExit(u.find_spec('psycopg') is None "
    code += "and u.find_spec('psycopg2') is None)"
    return subprocess.run([python, "-c", code], check=False).returncode == 0


def test_a_suite_interpreter_without_a_driver_is_named_in_the_note(tmp_path: Path) -> None:
    """test-auditor installed apart (pipx) and the suite's interpreter without psycopg."""
    if not Path(BARE_PYTHON).exists() or _has_a_driver(BARE_PYTHON):
        pytest.skip(f"needs {BARE_PYTHON} without a PostgreSQL driver")
    url = "postgresql://nobody@127.0.0.1:1/none"
    guard = DatabaseGuard.start(url, BARE_PYTHON, tmp_path, in_process=False)
    assert guard is not None
    assert not guard.guarded
    assert guard.notes == [
        f"database none is NOT guarded (no PostgreSQL driver (psycopg or psycopg2) in "
        f"{BARE_PYTHON}): rows the suite commits stay from one run to the next and after `leaks`"
    ]


def test_a_sqlite_or_no_url_has_no_database_guard(tmp_path: Path) -> None:
    assert DatabaseGuard.start("", sys.executable, tmp_path) is None
    assert DatabaseGuard.start("sqlite:///app.db", sys.executable, tmp_path) is None


# -- against the local PostgreSQL ----------------------------------------------------------------

SCHEMA = """
CREATE TABLE zparent (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE achild (id serial PRIMARY KEY, parent int NOT NULL REFERENCES zparent (id));
CREATE TABLE audit (line text);
CREATE FUNCTION note_parent() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN INSERT INTO audit VALUES ('parent ' || NEW.name); RETURN NEW; END $$;
CREATE TRIGGER noted AFTER INSERT ON zparent FOR EACH ROW EXECUTE FUNCTION note_parent();
INSERT INTO zparent (name) VALUES ('one'), ('two');
INSERT INTO achild (parent) VALUES (1), (2), (2);
"""


def _contents(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT schemaname || '.' || tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            )
        ]
        found: dict[str, Any] = {"tables": tables}
        for table in tables:
            found[table] = sorted(r[0] for r in conn.execute(f"SELECT t::text FROM {table} t"))
        for name in ("zparent_id_seq", "achild_id_seq"):
            found[name] = conn.execute(f"SELECT last_value, is_called FROM {name}").fetchone()
    return found


def _pollute(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:  # commits at the end
        conn.execute("INSERT INTO zparent (name) VALUES ('three')")
        conn.execute("INSERT INTO achild (parent) VALUES (3)")
        conn.execute("DELETE FROM achild WHERE id = 1")
        conn.execute("CREATE TABLE made_by_a_test (x int REFERENCES zparent (id))")
        conn.execute("CREATE SCHEMA suite_schema")
        conn.execute("CREATE TABLE suite_schema.t (x int)")


def _guard(url: str, tmp_path: Path, *, in_process: bool = True, **limits: int) -> DatabaseGuard:
    """The guard `leaks` would start: here, or in this interpreter as the suite's."""
    guard = DatabaseGuard.start(url, sys.executable, tmp_path, limits=limits, in_process=in_process)
    assert guard is not None
    return guard


@pytest.fixture
def database(scratch_database: Scratch) -> Scratch:  # noqa: TA206 -- each test changes its own database's schema
    with psycopg.connect(scratch_database.dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return scratch_database


@pytest.mark.postgres
@pytest.mark.parametrize("in_process", [True, False], ids=["here", "in-the-suites-python"])
def test_rows_tables_schemas_and_sequences_are_put_back_exactly(
    database: Scratch, tmp_path: Path, in_process: bool
) -> None:
    before = _contents(database.dsn)
    guard = _guard(database.url, tmp_path, in_process=in_process)
    assert guard.in_process is in_process
    assert guard.guarded, guard.notes
    try:
        assert guard.restore("nothing ran") == []
        _pollute(database.dsn)
        found = guard.restore("run 1")
        assert {(e.kind, e.name, e.change, e.restored) for e in found} == {
            ("schema", "suite_schema", "created", True),
            ("table", "suite_schema.t", "created", True),
            ("table", "public.made_by_a_test", "created", True),
            ("table", "public.zparent", "changed", True),
            ("table", "public.achild", "changed", True),
            ("table", "public.audit", "changed", True),  # the trigger's row
            ("sequence", "public.zparent_id_seq", "changed", True),
            ("sequence", "public.achild_id_seq", "changed", True),
        }
        assert _contents(database.dsn) == before  # the trigger did not fire again
        zparent = ("database", "database table 'public.zparent' rows")
        assert guard.persisting()[zparent] == (f"database {database.name}", True)
    finally:
        guard.close()
    assert guard.folder is not None
    assert not guard.folder.exists()


@pytest.mark.postgres
def test_a_restore_the_server_refuses_changes_nothing_and_says_so(
    database: Scratch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _contents(database.dsn)
    guard = _guard(database.url, tmp_path)
    assert guard.guarded, guard.notes
    try:
        _pollute(database.dsn)
        polluted = _contents(database.dsn)
        with psycopg.connect(database.dsn) as holder:  # a session still reading the table
            holder.execute("SELECT * FROM achild").fetchall()
            refused = guard.restore("run 1")
        assert refused
        assert not any(e.restored for e in refused)
        assert all("the restore was refused, nothing was changed" in e.why for e in refused)
        assert any("LockNotAvailable" in e.why for e in refused)
        assert _contents(database.dsn) == polluted  # not half restored: the drops rolled back
        again = guard.restore("run 2")
        assert again
        assert all(e.restored for e in again)
        assert _contents(database.dsn) == before
        achild = ("database", "database table 'public.achild' rows")
        assert guard.persisting()[achild][1] is False  # once not put back: said so
        assert len(guard.not_restored()) == len(refused)
    finally:
        guard.close()


@pytest.mark.postgres
def test_a_dropped_table_cannot_be_put_back_and_is_reported_once(
    database: Scratch, tmp_path: Path
) -> None:
    guard = _guard(database.url, tmp_path)
    assert guard.guarded, guard.notes
    try:
        with psycopg.connect(database.dsn, autocommit=True) as conn:
            conn.execute("DROP TABLE achild")
            conn.execute("INSERT INTO zparent (name) VALUES ('three')")
        found = guard.restore("run 1")
        assert {(e.kind, e.name, e.change, e.restored) for e in found} == {
            ("table", "public.achild", "dropped", False),
            ("table", "public.zparent", "changed", True),
            ("table", "public.audit", "changed", True),
            ("sequence", "public.zparent_id_seq", "changed", True),
        }
        [dropped] = [e for e in found if not e.restored]
        assert dropped.describe() == (
            f"database {database.name}: table public.achild dropped (run 1); "
            f"could NOT be put back: {DROPPED}"
        )
        assert guard.restore("run 2") == []  # still dropped: said once
    finally:
        guard.close()


@pytest.mark.postgres
def test_without_superuser_rights_referenced_tables_load_first(
    scratch_database: Scratch, tmp_path: Path, postgres: Any
) -> None:
    """No ``session_replication_role`` for an ordinary owner: foreign keys are checked
    while the rows go back, so ``zparent`` must be loaded before ``achild``."""
    role = f"{scratch_database.name}_owner"
    with psycopg.connect(postgres.dsn, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'ALTER DATABASE "{scratch_database.name}" OWNER TO "{role}"')
    dsn = scratch_database.dsn.replace("user=postgres", f"user={role}")
    dsn = " ".join(w for w in dsn.split() if not w.startswith("user=")) + f" user={role}"
    url = f"postgresql://{role}@127.0.0.1:5432/{scratch_database.name}"
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(SCHEMA.split("CREATE FUNCTION")[0])
            conn.execute("INSERT INTO zparent (name) VALUES ('one'), ('two')")
            conn.execute("INSERT INTO achild (parent) VALUES (1), (2)")
        before = _contents(dsn)
        guard = _guard(url, tmp_path)
        assert guard.guarded, guard.notes
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute("INSERT INTO zparent (name) VALUES ('three')")
                conn.execute("INSERT INTO achild (parent) VALUES (3)")
            found = guard.restore("run 1")
            assert found
            assert all(e.restored for e in found), [e.describe() for e in found]
            assert _contents(dsn) == before
        finally:
            guard.close()
    finally:
        with psycopg.connect(scratch_database.dsn, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}" CASCADE')
        with psycopg.connect(postgres.dsn, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{scratch_database.name}" OWNER TO CURRENT_USER')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.mark.postgres
def test_more_bytes_than_the_limit_is_not_guarded(database: Scratch, tmp_path: Path) -> None:
    guard = _guard(database.url, tmp_path, max_bytes=10)
    assert not guard.guarded
    assert guard.notes == [
        f"database {database.name} is NOT guarded (more than 10 bytes of rows): rows the "
        "suite commits stay from one run to the next and after `leaks`"
    ]
    assert guard.restore("run 1") == []
    assert guard.folder is not None
    assert not guard.folder.exists()
