"""Database URLs for the :mod:`database probe <auditor.dynamic.probes.database>`: what a URL
names, whether this environment can probe it, and the short read-only connections the
counters of :mod:`auditor.dynamic.probes.database_tables` open.

A URL is a SQLAlchemy URL (``postgresql+psycopg://postgres@127.0.0.1:5432/test``,
``postgresql://...``, ``postgresql+asyncpg://...``, ``sqlite:///app.db``) or a libpq DSN
(``host=127.0.0.1 dbname=test user=postgres``). PostgreSQL goes through SQLAlchemy when it is
importable (an async driver in the URL is swapped for an installed sync one: psycopg,
psycopg2 or pg8000), else straight through psycopg or psycopg2; a DSN always goes straight to
the driver. An in-memory SQLite URL (invisible to another connection) or another database
cannot be probed (:func:`check_url` says why).

Each connection is opened for one snapshot, in autocommit with
``default_transaction_read_only``, ``lock_timeout`` (:data:`LOCK_TIMEOUT_MS`) and
``statement_timeout``. Drivers are imported lazily: only the standard library and the driver
load into the user's pytest process.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from auditor.dynamic.probes import short

LOCK_TIMEOUT_MS = 250
"""How long a statement waits for a lock another session holds."""
CONNECT_TIMEOUT = 2
"""Seconds; libpq's minimum."""
PG_DRIVERS = ("psycopg", "psycopg2", "pg8000")
"""Sync PostgreSQL drivers SQLAlchemy can use, in order of preference."""
LIBPQ_DRIVERS = ("psycopg", "psycopg2")
"""Drivers that take a DSN or ``postgresql://`` URI directly."""

DBAPIConnection = Any


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be probed in this environment, or ``None`` when it can."""
    kind = backend(url)
    if kind == "sqlite":
        if sqlite_path(url) is None:
            return "an in-memory SQLite database cannot be seen from another connection"
        return None
    if kind != "postgresql":
        return f"unsupported database URL {short(url, 40)!r}: PostgreSQL and SQLite only"
    drivers = PG_DRIVERS if use_sqlalchemy(url) else LIBPQ_DRIVERS
    if not any(importable(name) for name in drivers):
        return "no PostgreSQL driver installed (" + ", ".join(drivers) + ")"
    return None


def sqlite_path(url: str, base: Path | None = None) -> Path | None:
    """The file of a ``sqlite:///`` URL (a relative one in ``base``, by default the working
    directory), ``None`` for an in-memory database."""
    rest = url.split("://", 1)[1] if "://" in url else ""
    rest = rest.split("?", 1)[0]
    if not rest.startswith("/"):  # sqlite:// or sqlite://host/...
        return None
    database = rest[1:]
    if database.startswith("file:"):
        database = database[len("file:") :]
    if database in ("", ":memory:") or database.startswith(":memory:"):
        return None
    return Path(database).absolute() if base is None else base / database


def backend(url: str) -> str:
    """``postgresql``, ``sqlite``, another URL's scheme; ``""`` for neither URL nor DSN."""
    if "://" not in url:
        return "postgresql" if "=" in url else ""  # a libpq keyword/value DSN
    scheme = url.split("://", 1)[0].lower()
    base = scheme.split("+", 1)[0]
    return "postgresql" if base in ("postgresql", "postgres") else base


def importable(module: str) -> bool:
    """Whether ``module`` could be imported (without importing it)."""
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def use_sqlalchemy(url: str) -> bool:
    return "://" in url and importable("sqlalchemy")


@contextmanager
def cursor(conn: DBAPIConnection) -> Iterator[Any]:
    cur = conn.cursor()
    try:
        yield cur
    finally:
        with suppress(Exception):
            cur.close()


def fetch(conn: DBAPIConnection, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, run with a cursor of its own."""
    with cursor(conn) as cur:
        cur.execute(sql)  # no parameters: '%' and ':' in names are not placeholders
        return [tuple(row) for row in cur.fetchall()]


@dataclass
class Open:
    """An open DB-API connection in autocommit and the way to close it."""

    conn: DBAPIConnection
    close: Callable[[], None]


def session_options(timeout: float) -> str:
    settings = {
        "lock_timeout": str(LOCK_TIMEOUT_MS),
        "statement_timeout": str(max(1, round(timeout * 1000))),
        "default_transaction_read_only": "on",
    }
    return " ".join(f"-c {key}={value}" for key, value in settings.items())


class LibpqConnector:
    """Connections straight from psycopg or psycopg2 (a DSN, or no SQLAlchemy)."""

    def __init__(self, url: str, timeout: float) -> None:
        if "://" in url:  # postgresql+psycopg://... -> postgresql://... for libpq
            scheme, rest = url.split("://", 1)
            url = scheme.split("+", 1)[0] + "://" + rest
        self._dsn = url
        self._timeout = timeout

    def __call__(self) -> Open:
        common: dict[str, Any] = {
            "connect_timeout": CONNECT_TIMEOUT,
            "options": session_options(self._timeout),
            "application_name": "test-auditor probe",
        }
        if importable("psycopg"):
            import psycopg

            conn: DBAPIConnection = psycopg.connect(self._dsn, autocommit=True, **common)
        else:
            conn = importlib.import_module("psycopg2").connect(self._dsn, **common)
            conn.autocommit = True
        return Open(conn, conn.close)

    def dispose(self) -> None:
        pass


class SqlalchemyConnector:
    """Connections from one SQLAlchemy engine (NullPool: nothing kept between snapshots)."""

    def __init__(self, url: str, timeout: float) -> None:
        self._url = url
        self._timeout = timeout
        self._engine: Any = None
        self._driver = ""

    def prepare(self) -> None:
        """Import SQLAlchemy and build the engine now, before the first test: importing
        SQLAlchemy sets the level of the ``sqlalchemy`` logger, which must not show as a
        change made by whichever test the first snapshot follows. Opens no connection."""
        if self._engine is None:
            self._engine = self._create()

    def __call__(self) -> Open:
        self.prepare()
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
                fetch(conn, f"SELECT {calls}")
        except BaseException:
            proxy.close()
            raise
        return Open(conn, proxy.close)

    def _create(self) -> Any:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        url = make_url(self._url)
        driver = url.get_driver_name()
        if driver not in PG_DRIVERS or not importable(driver):  # asyncpg, psycopg_async...
            driver = next((name for name in PG_DRIVERS if importable(name)), "")
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
                "options": session_options(self._timeout),
                "application_name": "test-auditor probe",
            }
        return create_engine(url, poolclass=NullPool, connect_args=connect_args)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
