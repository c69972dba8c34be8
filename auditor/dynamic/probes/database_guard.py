"""The database guard's program: snapshot a PostgreSQL database's user tables before a leak
hunt, and put back what a pytest run changed, run as
``python -m auditor.dynamic.probes.database_guard`` by the suite's own interpreter (the one
whose driver the ``database`` probe uses; :mod:`auditor.dynamic.runner.database_guard`
starts it).

It reads one JSON request on stdin and writes one JSON answer on stdout:

- ``{"command": "snapshot", "url": ..., "folder": ..., "max_rows": ..., "max_bytes": ...}``:
  in one repeatable-read, read-only transaction, every user table's rows are copied
  (``COPY ... TO STDOUT``) into a file of ``folder``, with their count and digest, and every
  sequence's ``last_value``/``is_called``; ``folder/manifest.json`` names them. Answer:
  ``{"guarded": true, "database": ..., "tables": n, "rows": n, "bytes": n}``, or
  ``{"guarded": false, "why": ...}`` (over the limits, a table it may not read, no driver):
  then nothing is kept and nothing will be restored, never half of it.
- ``{"command": "restore", "url": ..., "folder": ...}``: counts and digests compared with
  the manifest (one statement; nothing else happens when nothing changed); otherwise, in
  ONE transaction: tables and schemas the suite created dropped, the changed tables and
  those that reference them truncated together, their rows copied back, every snapshotted
  table's digest checked, sequences set back, commit. Anything refused (a lock held past
  ``lock_timeout``, a permission, a digest that still differs) rolls it all back. Answer:
  ``{"entries": [...], "error": ""}``, an entry per table, schema or sequence the suite
  changed (:class:`~auditor.dynamic.probes.database_guard_plan.Entry`).

psycopg (3) or psycopg2, whichever the interpreter has; only the standard library besides.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from auditor.dynamic.probes.database_guard_plan import (
    MAX_BYTES,
    MAX_ROWS,
    REFERENCES,
    SCHEMAS,
    SEQUENCES,
    TABLES,
    Current,
    Entry,
    Manifest,
    Plan,
    SequenceValue,
    Table,
    closure,
    columns_kept,
    count_query,
    digest_query,
    literal,
    load_order,
    over_limit,
    plan,
    qualified,
    quote,
    sequence_query,
)
from auditor.dynamic.probes.database_tables import describe
from auditor.dynamic.probes.database_url import CONNECT_TIMEOUT, importable

LOCK_TIMEOUT = "5s"
"""How long a restore waits for a lock a leftover session holds before it gives up."""
STATEMENT_TIMEOUT = "120s"
DRIVERS = ("psycopg", "psycopg2")
MANIFEST = "manifest.json"
CHUNK = 1 << 20


class TooBig(Exception):
    """The COPY text passed the limit."""


class NoDriver(Exception):
    """Neither psycopg nor psycopg2 can be imported."""


class Connection:
    """An autocommit connection of psycopg or psycopg2 (transactions are explicit)."""

    def __init__(self, url: str) -> None:
        if "://" in url:  # postgresql+psycopg://... -> postgresql://... for libpq
            scheme, rest = url.split("://", 1)
            url = scheme.split("+", 1)[0] + "://" + rest
        options = f"-c lock_timeout={LOCK_TIMEOUT} -c statement_timeout={STATEMENT_TIMEOUT}"
        common = {
            "connect_timeout": CONNECT_TIMEOUT,
            "options": options,
            "application_name": "test-auditor guard",
        }
        self.driver = next((name for name in DRIVERS if importable(name)), "")
        if not self.driver:
            raise NoDriver(f"no PostgreSQL driver (psycopg or psycopg2) in {sys.executable}")
        module: Any = importlib.import_module(self.driver)
        if self.driver == "psycopg":
            self.conn = module.connect(url, autocommit=True, **common)
        else:
            self.conn = module.connect(url, **common)
            self.conn.autocommit = True

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        cur = self.conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self._cursor() as cur:
            cur.execute(sql)  # no parameters: '%' in names is not a placeholder
            return [tuple(row) for row in cur.fetchall()]

    def execute(self, sql: str) -> None:
        with self._cursor() as cur:
            cur.execute(sql)

    def copy_out(self, sql: str, handle: IO[bytes], room: int) -> int:
        """``COPY ... TO STDOUT`` into ``handle``; :class:`TooBig` past ``room`` bytes."""
        written = 0

        def write(data: bytes) -> None:
            nonlocal written
            written += len(data)
            if written > room:
                raise TooBig
            handle.write(data)

        with self._cursor() as cur:
            if self.driver == "psycopg":
                with cur.copy(sql) as copy:
                    for data in copy:
                        write(bytes(data))
            else:
                cur.copy_expert(sql, _Writer(write))
        return written

    def copy_in(self, sql: str, handle: IO[bytes]) -> None:
        with self._cursor() as cur:
            if self.driver == "psycopg":
                with cur.copy(sql) as copy:
                    while chunk := handle.read(CHUNK):
                        copy.write(chunk)
            else:
                cur.copy_expert(sql, handle, size=CHUNK)

    def close(self) -> None:
        self.conn.close()


class _Writer:
    """A file object for psycopg2's ``copy_expert``."""

    def __init__(self, write: Callable[[bytes], None]) -> None:
        self.write = write


# -- snapshot -------------------------------------------------------------------------------


def snapshot(conn: Connection, folder: Path, max_rows: int, max_bytes: int) -> dict[str, Any]:
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        return _snapshot(conn, folder, max_rows, max_bytes)
    finally:
        conn.execute("ROLLBACK")


def _snapshot(conn: Connection, folder: Path, max_rows: int, max_bytes: int) -> dict[str, Any]:
    ((database,),) = conn.rows("SELECT current_database()")
    listed = conn.rows(TABLES)
    unreadable = [f"{s}.{n}" for s, n, _, readable in listed if not readable]
    if unreadable:
        return _unguarded(f"no SELECT privilege on {', '.join(unreadable[:3])}")
    tables = [Table(f"{s}.{n}", tuple(json.loads(columns))) for s, n, columns, _ in listed]
    counts = _figures(conn, [(table.name, ()) for table in tables], count_only=True)
    why = over_limit(sum(rows for rows, _ in counts.values()), len(tables), max_rows)
    if why is not None:
        return _unguarded(why)
    figures = _figures(conn, [(table.name, table.columns) for table in tables])
    manifest = Manifest(str(database), schemas=[str(s) for (s,) in conn.rows(SCHEMAS)])
    manifest.sequences = [
        SequenceValue(name, value, called) for name, (value, called) in _sequences(conn).items()
    ]
    for number, table in enumerate(tables):
        file = f"{number:05d}.copy"
        columns = ", ".join(map(quote, table.columns))
        sql = f"COPY {qualified(table.name)} ({columns}) TO STDOUT"
        if not table.columns:
            sql = f"COPY (SELECT FROM {qualified(table.name)}) TO STDOUT"
        with (folder / file).open("wb") as handle:
            try:
                manifest.bytes += conn.copy_out(sql, handle, max_bytes - manifest.bytes)
            except TooBig:
                return _unguarded(f"more than {max_bytes:,} bytes of rows")
        rows, digest = figures[table.name]
        manifest.tables.append(Table(table.name, table.columns, rows, digest, file))
    (folder / MANIFEST).write_text(json.dumps(manifest.to_json()), encoding="utf-8")
    return {
        "guarded": True,
        "database": manifest.database,
        "tables": len(manifest.tables),
        "rows": sum(table.rows for table in manifest.tables),
        "sequences": len(manifest.sequences),
        "bytes": manifest.bytes,
    }


def _unguarded(why: str) -> dict[str, Any]:
    return {"guarded": False, "why": why}


def _figures(
    conn: Connection, tables: Sequence[tuple[str, Sequence[str]]], *, count_only: bool = False
) -> dict[str, tuple[int, str]]:
    """Table -> (rows, digest); ``count_only``: rows and ``''``."""
    if not tables:
        return {}
    sql = count_query([name for name, _ in tables]) if count_only else digest_query(tables)
    return {tables[int(i)][0]: (int(count), str(digest)) for i, count, digest in conn.rows(sql)}


def _sequences(conn: Connection) -> dict[str, tuple[str, bool]]:
    names = [f"{s}.{n}" for s, n in conn.rows(SEQUENCES)]
    if not names:
        return {}
    return {
        names[int(i)]: (str(value), bool(called))
        for i, value, called in conn.rows(sequence_query(names))
    }


# -- restore --------------------------------------------------------------------------------


def look(conn: Connection, manifest: Manifest) -> Current:
    """The database now, as :func:`~auditor.dynamic.probes.database_guard_plan.plan`
    compares it with the manifest."""
    columns = {f"{s}.{n}": tuple(json.loads(c)) for s, n, c, _ in conn.rows(TABLES)}
    kept = columns_kept(manifest, columns)
    return Current(
        columns=columns,
        figures=_figures(conn, [(table.name, table.columns) for table in kept]),
        sequences=_sequences(conn),
        schemas=frozenset(str(s) for (s,) in conn.rows(SCHEMAS)),
    )


def restore(conn: Connection, folder: Path) -> dict[str, Any]:
    manifest = Manifest.from_json(json.loads((folder / MANIFEST).read_text(encoding="utf-8")))
    todo = plan(manifest, look(conn, manifest))
    if not todo.needed:
        return {"entries": [entry.to_json() for entry in todo.entries], "error": ""}
    conn.execute("BEGIN")
    try:
        _restore(conn, folder, manifest, todo)
    except Exception as exc:  # refused: nothing of it stays
        with suppress(Exception):
            conn.execute("ROLLBACK")
        why = "the restore was refused, nothing was changed: " + describe(exc)
        entries = [Entry(e.kind, e.name, e.change, False, e.why or why) for e in todo.entries]
        return {"entries": [entry.to_json() for entry in entries], "error": describe(exc)}
    conn.execute("COMMIT")
    return {"entries": [entry.to_json() for entry in todo.entries], "error": ""}


class StillDifferent(Exception):
    """After the rows were copied back, a table's digest is not the snapshot's."""


def _restore(conn: Connection, folder: Path, manifest: Manifest, todo: Plan) -> None:
    conn.execute("SAVEPOINT replica")
    try:  # triggers and foreign keys off while the rows go back (superuser, PG15 grant)
        conn.execute("SET LOCAL session_replication_role = replica")
    except Exception:  # not allowed: referenced tables are loaded first instead
        conn.execute("ROLLBACK TO SAVEPOINT replica")
    conn.execute("RELEASE SAVEPOINT replica")
    for schema in todo.created_schemas:
        conn.execute(f"DROP SCHEMA IF EXISTS {quote(schema)} CASCADE")
    if todo.created_tables:
        names = ", ".join(map(qualified, todo.created_tables))
        conn.execute(f"DROP TABLE IF EXISTS {names} CASCADE")
    for name in todo.created_sequences:
        conn.execute(f"DROP SEQUENCE IF EXISTS {qualified(name)} CASCADE")
    references = [(f"{a}.{b}", f"{c}.{d}") for a, b, c, d in conn.rows(REFERENCES)]
    tables = {table.name: table for table in manifest.tables}
    emptied = [name for name in closure(todo.changed, references) if name in tables]
    if emptied:
        conn.execute(f"TRUNCATE {', '.join(map(qualified, emptied))}")
    for name in load_order(emptied, references):
        table = tables[name]
        if not table.rows:
            continue
        if not table.columns:  # rows of no columns: COPY cannot name them
            conn.execute(
                f"INSERT INTO {qualified(name)} SELECT FROM generate_series(1, {table.rows})"
            )
            continue
        columns = ", ".join(map(quote, table.columns))
        with (folder / table.file).open("rb") as handle:
            conn.copy_in(f"COPY {qualified(name)} ({columns}) FROM STDIN", handle)
    current = look(conn, manifest)
    for table in manifest.tables:
        now = current.figures.get(table.name)
        if now is not None and now != (table.rows, table.digest):
            raise StillDifferent(f"rows of {table.name} still differ after restoring (a trigger?)")
    for sequence in todo.sequences:
        called = "true" if sequence.is_called else "false"
        conn.execute(
            f"SELECT pg_catalog.setval({literal(qualified(sequence.name))}, "
            f"{int(sequence.last_value)}, {called})"
        )


# -- the program ----------------------------------------------------------------------------


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """The answer to one request (errors included, as data)."""
    command = request.get("command")
    folder = Path(str(request["folder"]))
    try:
        conn = Connection(str(request["url"]))
    except NoDriver as exc:
        why = str(exc)
        if command == "snapshot":
            return _unguarded(why)
        return {"entries": [], "error": why}
    except Exception as exc:
        why = "cannot connect: " + describe(exc)
        if command == "snapshot":
            return _unguarded(why)
        return {"entries": [], "error": why}
    try:
        if command == "snapshot":
            max_rows = int(request.get("max_rows", MAX_ROWS))
            max_bytes = int(request.get("max_bytes", MAX_BYTES))
            try:
                return snapshot(conn, folder, max_rows, max_bytes)
            except Exception as exc:
                return _unguarded("cannot read it: " + describe(exc))
        if command == "restore":
            try:
                return restore(conn, folder)
            except Exception as exc:
                return {"entries": [], "error": "cannot look at it: " + describe(exc)}
        return {"error": f"unknown command {command!r}"}
    finally:
        with suppress(Exception):
            conn.close()


def main() -> int:
    request = json.loads(sys.stdin.read())
    json.dump(answer(request), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
