"""Rows per table in a real database: committed rows a test leaves behind.

The probe runs when the driver is given a database (``--db-url``, setting ``db_url``) and
counts the rows of every user table with ``count(*)`` before a test's setup and after its
teardown. A rollback-per-test session that a fixture or the code under test commits leaks
rows; the count of that table changes::

    database table 'public.users' rows = 1 row (was 0 rows)

Keys are ``database table '<schema>.<table>' rows``, always schema-qualified (``public.``
included; SQLite tables are ``main.<table>``); values are ``'0 rows'``, ``'1 row'``,
``'3 rows'``. A table created by a test appears as an added key, a dropped one as a removed
key. A table another connection holds an ACCESS EXCLUSIVE lock on (``LOCK TABLE``, an
uncommitted ``TRUNCATE`` or ``DROP``) is reported as ``'locked'`` instead of waiting for it.
When the database cannot be read at all there is one key, ``database error``, with a short
description. More than :data:`MAX_TABLES` tables: the first ones by schema and name are
counted and ``database tables not counted`` says how many were left out.

Accepted settings (strings, as :class:`~auditor.dynamic.probes.ProbeContext` carries them):

- ``db_url``: a SQLAlchemy URL (``postgresql+psycopg://postgres@127.0.0.1:5432/test``,
  ``postgresql://...``, ``postgresql+asyncpg://...``, ``sqlite:///app.db``) or a libpq DSN
  (``host=127.0.0.1 dbname=test user=postgres``).
- ``db_timeout``: seconds one count query may take (default 5).

PostgreSQL goes through SQLAlchemy when it is importable (an async driver in the URL is
swapped for an installed sync one: psycopg, psycopg2 or pg8000), else straight through
psycopg or psycopg2; a DSN always goes straight to the driver. SQLite is read with the
standard library's ``sqlite3`` in read-only URI mode, so the probe cannot create or change
the file. An in-memory SQLite URL (invisible to another connection) or another database
makes the factory raise ValueError, which the probe loader reports; a missing driver: None.

The probe never changes the database. Each snapshot opens its own short connection (holding
none between snapshots, so a suite can still drop or template its database), in autocommit
with ``default_transaction_read_only``, ``lock_timeout`` (:data:`LOCK_TIMEOUT_MS`) and
``statement_timeout``. The table list comes from the catalog (all schemas but ``pg_*`` and
``information_schema``, tables and partitioned tables the user may read) and is cached; the
counts go out as one ``UNION ALL`` statement (per :data:`CHUNK` tables) that also returns a
fingerprint of the catalog, so a snapshot is one query unless tables were created, dropped or
renamed, when the list is read again. When other sessions keep running DDL, or a count hits
a lock, it counts table by table (a table dropped meanwhile is left out). Drivers are
imported lazily: only the standard library and the driver load into the user's pytest
process.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from auditor.dynamic.probes import ProbeContext, Snapshot, short

NAME = "database"
ERROR_KEY = "database error"
OVERFLOW_KEY = "database tables not counted"
MAX_TABLES = 500
"""At most this many tables are counted, the first by schema and name."""
CHUNK = 250
"""Tables counted by one statement (each count locks its table and maybe an index)."""
LOCK_TIMEOUT_MS = 250
CONNECT_TIMEOUT = 2
"""Seconds; libpq's minimum."""
STATEMENT_TIMEOUT = 5.0
"""Seconds, unless the ``db_timeout`` setting says otherwise."""

PG_DRIVERS = ("psycopg", "psycopg2", "pg8000")
"""Sync PostgreSQL drivers SQLAlchemy can use, in order of preference."""
LIBPQ_DRIVERS = ("psycopg", "psycopg2")
"""Drivers that take a DSN or ``postgresql://`` URI directly."""

DBAPIConnection = Any


def table_key(schema: str, table: str) -> str:
    """The snapshot key of one table's row count."""
    return f"database table '{schema}.{table}' rows"


def rows(count: int) -> str:
    """``'1 row'``, ``'3 rows'``."""
    return f"{count} row" if count == 1 else f"{count} rows"


class DatabaseProbe:
    """Row counts of every user table; see the module docstring."""

    name = NAME

    def __init__(self, counter: _PostgresCounter | _SqliteCounter) -> None:
        self._counter = counter

    def snapshot(self) -> Snapshot:
        try:
            return self._counter.snapshot()
        except Exception as exc:
            return {ERROR_KEY: describe(exc)}

    def close(self) -> None:
        """Release the engine, if any (connections are not held between snapshots)."""
        self._counter.close()


def factory(context: ProbeContext) -> DatabaseProbe | None:
    """The probe for ``context.settings['db_url']``; ``None`` without one or when no driver
    for it is installed. A URL it cannot probe raises :class:`ValueError` (the loader
    reports it)."""
    url = context.settings.get("db_url", "").strip()
    if not url:
        return None
    problem = check_url(url)
    if problem is not None:
        if problem.startswith("no PostgreSQL driver"):
            return None
        raise ValueError(problem)
    timeout = _seconds(context.settings.get("db_timeout"), STATEMENT_TIMEOUT)
    if _backend(url) == "sqlite":
        path = sqlite_path(url)
        assert path is not None  # check_url
        return DatabaseProbe(_SqliteCounter(path))
    connector: _LibpqConnector | _SqlalchemyConnector
    if _use_sqlalchemy(url):
        connector = _SqlalchemyConnector(url, timeout)
    else:
        connector = _LibpqConnector(url, timeout)
    return DatabaseProbe(_PostgresCounter(connector))


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be probed in this environment, or ``None`` when it can."""
    backend = _backend(url)
    if backend == "sqlite":
        if sqlite_path(url) is None:
            return "an in-memory SQLite database cannot be seen from another connection"
        return None
    if backend != "postgresql":
        return f"unsupported database URL {short(url, 40)!r}: PostgreSQL and SQLite only"
    drivers = PG_DRIVERS if _use_sqlalchemy(url) else LIBPQ_DRIVERS
    if not any(_importable(name) for name in drivers):
        return "no PostgreSQL driver installed (" + ", ".join(drivers) + ")"
    return None


def describe(exc: BaseException) -> str:
    """A short, stable description of an error: class name and first line of the message."""
    lines = str(exc).strip().splitlines()
    first = lines[0].strip() if lines else ""
    return short(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (relative to the working directory), ``None`` for
    an in-memory database."""
    rest = url.split("://", 1)[1] if "://" in url else ""
    rest = rest.split("?", 1)[0]
    if not rest.startswith("/"):  # sqlite:// or sqlite://host/...
        return None
    database = rest[1:]
    if database.startswith("file:"):
        database = database[len("file:") :]
    if database in ("", ":memory:") or database.startswith(":memory:"):
        return None
    return Path(database).absolute()


# -- plumbing -----------------------------------------------------------------------------


def _backend(url: str) -> str:
    if "://" not in url:
        return "postgresql" if "=" in url else ""  # a libpq keyword/value DSN
    scheme = url.split("://", 1)[0].lower()
    base = scheme.split("+", 1)[0]
    return "postgresql" if base in ("postgresql", "postgres") else base


def _importable(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _use_sqlalchemy(url: str) -> bool:
    return "://" in url and _importable("sqlalchemy")


def _seconds(text: str | None, default: float) -> float:
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


def _sqlstate(exc: BaseException) -> str | None:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    if state is None and exc.args and isinstance(exc.args[0], dict):  # pg8000
        state = exc.args[0].get("C")
    return state if isinstance(state, str) else None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@contextmanager
def _cursor(conn: DBAPIConnection) -> Iterator[Any]:
    cur = conn.cursor()
    try:
        yield cur
    finally:
        with suppress(Exception):
            cur.close()


def _fetch(conn: DBAPIConnection, sql: str) -> list[tuple[Any, ...]]:
    with _cursor(conn) as cur:
        cur.execute(sql)  # no parameters: '%' and ':' in names are not placeholders
        return [tuple(row) for row in cur.fetchall()]


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


@dataclass
class _Open:
    """An open DB-API connection in autocommit and the way to close it."""

    conn: DBAPIConnection
    close: Callable[[], None]


class _PostgresCounter:
    def __init__(self, connect: _LibpqConnector | _SqlalchemyConnector) -> None:
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
                    locked = {int(oid) for (oid,) in _fetch(conn, _LOCKED)}
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
        listed = _fetch(conn, _LIST_TABLES)
        if listed:
            self._tables = [_Table(int(oid), str(s), str(n)) for oid, s, n, _, _ in listed]
            self._total = int(listed[0][3])
            self._fingerprint = str(listed[0][4])
        else:
            self._tables = []
            self._total = 0
            self._fingerprint = str(_fetch(conn, _EMPTY_LIST)[0][0])

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
            for i, count, fingerprint in _fetch(conn, "\nUNION ALL\n".join(parts)):
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
        ((count,),) = _fetch(
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


def _session_options(timeout: float) -> str:
    settings = {
        "lock_timeout": str(LOCK_TIMEOUT_MS),
        "statement_timeout": str(max(1, round(timeout * 1000))),
        "default_transaction_read_only": "on",
    }
    return " ".join(f"-c {key}={value}" for key, value in settings.items())


class _LibpqConnector:
    """Connections straight from psycopg or psycopg2 (a DSN, or no SQLAlchemy)."""

    def __init__(self, url: str, timeout: float) -> None:
        if "://" in url:  # postgresql+psycopg://... -> postgresql://... for libpq
            scheme, rest = url.split("://", 1)
            url = scheme.split("+", 1)[0] + "://" + rest
        self._dsn = url
        self._timeout = timeout

    def __call__(self) -> _Open:
        common: dict[str, Any] = {
            "connect_timeout": CONNECT_TIMEOUT,
            "options": _session_options(self._timeout),
            "application_name": "test-auditor probe",
        }
        if _importable("psycopg"):
            import psycopg

            conn: DBAPIConnection = psycopg.connect(self._dsn, autocommit=True, **common)
        else:
            conn = importlib.import_module("psycopg2").connect(self._dsn, **common)
            conn.autocommit = True
        return _Open(conn, conn.close)

    def dispose(self) -> None:
        pass


class _SqlalchemyConnector:
    """Connections from one SQLAlchemy engine (NullPool: nothing kept between snapshots)."""

    def __init__(self, url: str, timeout: float) -> None:
        self._url = url
        self._timeout = timeout
        self._engine: Any = None
        self._driver = ""

    def __call__(self) -> _Open:
        if self._engine is None:
            self._engine = self._create()
        proxy = self._engine.raw_connection()
        try:
            conn = proxy.driver_connection
            conn.rollback()
            conn.autocommit = True
            if self._driver == "pg8000":  # no libpq 'options'
                settings = [
                    ("lock_timeout", str(LOCK_TIMEOUT_MS)),
                    ("statement_timeout", str(max(1, round(self._timeout * 1000)))),
                    ("default_transaction_read_only", "on"),
                ]
                calls = ", ".join(f"set_config('{k}', '{v}', false)" for k, v in settings)
                _fetch(conn, f"SELECT {calls}")
        except BaseException:
            proxy.close()
            raise
        return _Open(conn, proxy.close)

    def _create(self) -> Any:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        url = make_url(self._url)
        driver = url.get_driver_name()
        if driver not in PG_DRIVERS or not _importable(driver):  # asyncpg, psycopg_async...
            driver = next((name for name in PG_DRIVERS if _importable(name)), "")
            if not driver:
                raise RuntimeError("no PostgreSQL driver installed: " + ", ".join(PG_DRIVERS))
            url = url.set(drivername=f"postgresql+{driver}")
        self._driver = driver
        connect_args: dict[str, Any]
        if driver == "pg8000":
            connect_args = {"timeout": CONNECT_TIMEOUT, "application_name": "test-auditor probe"}
        else:
            connect_args = {
                "connect_timeout": CONNECT_TIMEOUT,
                "options": _session_options(self._timeout),
                "application_name": "test-auditor probe",
            }
        return create_engine(url, poolclass=NullPool, connect_args=connect_args)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()


# -- SQLite -------------------------------------------------------------------------------

_SQLITE_TABLES = (
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' "
    f"ESCAPE '!' ORDER BY name LIMIT {MAX_TABLES + 1}"
)


class _SqliteCounter:
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
