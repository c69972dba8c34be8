"""Counting the rows of every user table for the :mod:`database probe
<auditor.dynamic.probes.database>`, in PostgreSQL and in SQLite, as snapshot values keyed by
:func:`table_key`.

PostgreSQL: the table list comes from the catalog (all schemas but ``pg_*`` and
``information_schema``, tables and partitioned tables the user may read) and is cached; the
counts go out as one ``UNION ALL`` statement (per :data:`CHUNK` tables) that also returns a
fingerprint of the catalog, so a snapshot is one query unless tables were created, dropped or
renamed, when the list is read again. When other sessions keep running DDL, or a count hits
a lock, it counts table by table (a table dropped meanwhile is left out, a locked one is
``'locked'``).

SQLite: a fresh read-only connection per snapshot (the standard library's ``sqlite3`` in
read-only URI mode, so the probe cannot create or change the file); a missing file has no
tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from auditor.dynamic.probes import short
from auditor.dynamic.probes.database_url import (
    LOCK_TIMEOUT_MS,
    DBAPIConnection,
    LibpqConnector,
    SqlalchemyConnector,
    fetch,
)

ERROR_KEY = "database error"
"""The one key of a snapshot when the database cannot be read."""
OVERFLOW_KEY = "database tables not counted"
MAX_TABLES = 500
"""At most this many tables are counted, the first by schema and name."""
CHUNK = 250
"""Tables counted by one statement (each count locks its table and maybe an index)."""


def table_key(schema: str, table: str) -> str:
    """The snapshot key of one table's row count."""
    return f"database table '{schema}.{table}' rows"


def rows(count: int) -> str:
    """``'1 row'``, ``'3 rows'``."""
    return f"{count} row" if count == 1 else f"{count} rows"


def describe(exc: BaseException) -> str:
    """A short, stable description of an error: class name and first line of the message."""
    lines = str(exc).strip().splitlines()
    first = lines[0].strip() if lines else ""
    return short(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sqlstate(exc: BaseException) -> str | None:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if state is None and exc.args and isinstance(exc.args[0], dict):  # pg8000
        state = exc.args[0].get("C")
    return state if isinstance(state, str) else None


# -- PostgreSQL ---------------------------------------------------------------------------

_USER_TABLES = """
    SELECT c.oid::bigint AS oid, n.nspname, c.relname
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'
      AND pg_catalog.has_table_privilege(c.oid, 'SELECT')
"""
_CATALOG_FINGERPRINT = f"""
    SELECT pg_catalog.md5(coalesce(string_agg(
        t.oid::text || ' ' || t.nspname || '.' || t.relname, ',' ORDER BY t.oid), ''))
    FROM ({_USER_TABLES}) t
"""
_LIST_TABLES = f"""
    SELECT t.oid, t.nspname, t.relname, count(*) OVER (), ({_CATALOG_FINGERPRINT})
    FROM ({_USER_TABLES}) t
    ORDER BY t.nspname, t.relname
    LIMIT {MAX_TABLES}
"""
_EMPTY_LIST = f"SELECT ({_CATALOG_FINGERPRINT})"
_LOCKED = """
    SELECT DISTINCT coalesce(i.indrelid, l.relation)::bigint
    FROM pg_catalog.pg_locks l
    LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = l.relation
    WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock'
      AND l.pid <> pg_catalog.pg_backend_pid()
      AND l.database = (SELECT oid FROM pg_catalog.pg_database
                        WHERE datname = pg_catalog.current_database())
"""
LOCK_NOT_AVAILABLE = "55P03"
ATTEMPTS = 3
RELOAD_STATES = frozenset({"42P01", "3F000", "42501"})
"""undefined_table, invalid_schema_name, insufficient_privilege: the cached list is stale."""


@dataclass(frozen=True)
class _Table:
    oid: int
    schema: str
    name: str


class PostgresCounter:
    """Row counts of a PostgreSQL database's user tables, one short connection a snapshot."""

    def __init__(self, connect: LibpqConnector | SqlalchemyConnector) -> None:
        self._connect = connect
        self._tables: list[_Table] | None = None
        self._total = 0
        self._fingerprint: str | None = None

    def close(self) -> None:
        self._connect.dispose()

    def snapshot(self) -> dict[str, str]:
        try:
            opened = self._connect()
        except Exception as exc:
            return {ERROR_KEY: "cannot connect: " + describe(exc)}
        try:
            return self._counts(opened.conn)
        finally:
            with suppress(Exception):
                opened.close()

    def _counts(self, conn: DBAPIConnection) -> dict[str, str]:
        """All tables in one statement (per :data:`CHUNK`), the table list read again when
        the catalog changed; table by table when other sessions keep running DDL or hold
        a lock (a table dropped meanwhile is gone, a locked one is ``'locked'``)."""
        if self._tables is None:
            self._load(conn)
        attempt = 0
        while True:
            attempt += 1
            try:
                counts, fingerprint = self._count_all(conn)
            except Exception as exc:
                state = _sqlstate(exc)
                if state == LOCK_NOT_AVAILABLE:
                    locked = {int(oid) for (oid,) in fetch(conn, _LOCKED)}
                    return self._count_each(conn, locked)
                if state not in RELOAD_STATES:
                    raise
            else:
                if fingerprint == self._fingerprint:
                    return counts
            if attempt >= ATTEMPTS:
                return self._count_each(conn, set())
            self._load(conn)

    def _count_each(self, conn: DBAPIConnection, locked: set[int]) -> dict[str, str]:
        self._load(conn)
        result: dict[str, str] = {}
        for table in self._tables or []:
            count = "locked" if table.oid in locked else _count_one(conn, table)
            if count is not None:
                result[table_key(table.schema, table.name)] = count
        if self._total > len(self._tables or []):
            result[OVERFLOW_KEY] = f"{self._total - len(self._tables or [])} more"
        return result

    def _load(self, conn: DBAPIConnection) -> None:
        listed = fetch(conn, _LIST_TABLES)
        if listed:
            self._tables = [_Table(int(oid), str(s), str(n)) for oid, s, n, _, _ in listed]
            self._total = int(listed[0][3])
            self._fingerprint = str(listed[0][4])
        else:
            self._tables = []
            self._total = 0
            self._fingerprint = str(fetch(conn, _EMPTY_LIST)[0][0])

    def _count_all(self, conn: DBAPIConnection) -> tuple[dict[str, str], str | None]:
        """The counts and the catalog fingerprint they were taken with."""
        tables = self._tables or []
        chunks: list[Sequence[_Table]] = [
            tables[start : start + CHUNK] for start in range(0, len(tables), CHUNK)
        ] or [[]]
        result: dict[str, str] = {}
        catalog: str | None = None
        for number, chunk in enumerate(chunks):
            parts = [
                f"SELECT {i}, count(*), NULL FROM {_quote(t.schema)}.{_quote(t.name)}"
                for i, t in enumerate(chunk)
            ]
            if number == 0:
                parts.insert(0, f"SELECT -1 AS i, NULL::bigint AS n, ({_CATALOG_FINGERPRINT}) AS f")
            for i, count, fingerprint in fetch(conn, "\nUNION ALL\n".join(parts)):
                if i < 0:
                    catalog = str(fingerprint)
                else:
                    table = chunk[i]
                    result[table_key(table.schema, table.name)] = rows(int(count))
        if self._total > len(tables):
            result[OVERFLOW_KEY] = f"{self._total - len(tables)} more"
        return result, catalog


def _count_one(conn: DBAPIConnection, table: _Table) -> str | None:
    """One table's count; ``'locked'``; ``None`` when it is gone (or no longer readable)."""
    try:
        ((count,),) = fetch(
            conn, f"SELECT count(*) FROM {_quote(table.schema)}.{_quote(table.name)}"
        )
    except Exception as exc:
        state = _sqlstate(exc)
        if state == LOCK_NOT_AVAILABLE:
            return "locked"
        if state in RELOAD_STATES:
            return None
        raise
    return rows(int(count))


# -- SQLite -------------------------------------------------------------------------------

_SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' "
    f"ESCAPE '!' ORDER BY name LIMIT {MAX_TABLES + 1}"
)


class SqliteCounter:
    """A fresh read-only connection per snapshot; a missing file has no tables."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def close(self) -> None:
        pass

    def snapshot(self) -> dict[str, str]:
        if not self.path.is_file():
            return {}
        conn = sqlite3.connect(
            f"{self.path.as_uri()}?mode=ro",
            uri=True,
            timeout=LOCK_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            try:
                return self._counts(conn)
            except sqlite3.OperationalError as exc:  # a table dropped in between: once more
                if "no such table" not in str(exc):
                    raise
            return self._counts(conn)
        finally:
            conn.close()

    def _counts(self, conn: sqlite3.Connection) -> dict[str, str]:
        names = [str(name) for (name,) in conn.execute(_SQLITE_TABLES)]
        result: dict[str, str] = {}
        if len(names) > MAX_TABLES:
            (total,) = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite!_%' ESCAPE '!'"
            ).fetchone()
            names = names[:MAX_TABLES]
            result[OVERFLOW_KEY] = f"{int(total) - MAX_TABLES} more"
        if not names:
            return result
        query = "\nUNION ALL\n".join(
            f"SELECT {i}, count(*) FROM main.{_quote(name)}" for i, name in enumerate(names)
        )
        for i, count in conn.execute(query):
            result[table_key("main", names[i])] = rows(int(count))
        return result
