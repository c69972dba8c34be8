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

- ``db_url``: a SQLAlchemy URL or a libpq DSN, PostgreSQL or SQLite
  (:mod:`auditor.dynamic.probes.database_url`). An in-memory SQLite URL (invisible to another
  connection) or another database makes the factory raise ValueError, which the probe loader
  reports; a missing driver: None.
- ``db_timeout``: seconds one count query may take (default 5).

The probe never changes the database. Each snapshot opens its own short read-only
connection (holding none between snapshots, so a suite can still drop or template its
database) and counts every table in as few statements as it can
(:mod:`auditor.dynamic.probes.database_tables`). Drivers are imported lazily: only the
standard library and the driver load into the user's pytest process.
"""

from __future__ import annotations

from auditor.dynamic.probes import ProbeContext, Snapshot
from auditor.dynamic.probes.database_tables import (
    ERROR_KEY,
    MAX_TABLES,
    OVERFLOW_KEY,
    PostgresCounter,
    SqliteCounter,
    describe,
    rows,
    table_key,
)
from auditor.dynamic.probes.database_url import (
    LibpqConnector,
    SqlalchemyConnector,
    backend,
    check_url,
    sqlite_path,
    use_sqlalchemy,
)

NAME = "database"
STATEMENT_TIMEOUT = 5.0
"""Seconds, unless the ``db_timeout`` setting says otherwise."""


class DatabaseProbe:
    """Row counts of every user table; see the module docstring."""

    name = NAME

    def __init__(self, counter: PostgresCounter | SqliteCounter) -> None:
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
    if backend(url) == "sqlite":
        path = sqlite_path(url)
        assert path is not None  # check_url
        return DatabaseProbe(SqliteCounter(path))
    connector: LibpqConnector | SqlalchemyConnector
    if use_sqlalchemy(url):
        connector = SqlalchemyConnector(url, timeout)
        try:
            connector.prepare()
        except RuntimeError:  # SQLAlchemy has no PostgreSQL driver here: as with none
            return None
    else:
        connector = LibpqConnector(url, timeout)
    return DatabaseProbe(PostgresCounter(connector))


def _seconds(text: str | None, default: float) -> float:
    try:
        value = float(text) if text else default
    except ValueError:
        return default
    return value if value > 0 else default


__all__ = [
    "ERROR_KEY",
    "MAX_TABLES",
    "NAME",
    "OVERFLOW_KEY",
    "DatabaseProbe",
    "check_url",
    "describe",
    "factory",
    "rows",
    "sqlite_path",
    "table_key",
]
