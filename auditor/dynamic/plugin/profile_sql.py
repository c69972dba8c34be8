"""The profile's ``statements``: SQL statements sent to a database, and
``memory_statements``: those sent to an in-memory SQLite database.

SQLAlchemy's are counted by a ``before_cursor_execute`` listener on the ``Engine`` class,
attached once SQLAlchemy is fully imported (checked when a test or a fixture starts and on
every ``import`` event until then: an engine imports its dialect before its first
statement); the profile never imports SQLAlchemy itself.

sqlite3's are counted by a trace callback set on each connection as it is made. The
``sqlite3.connect/handle`` audit event hands over the connection before it is initialised
(``set_trace_callback`` raises there, on every CPython from 3.10 to 3.13), so instead
``sqlite3.connect`` (and ``sqlite3.dbapi2.connect``, which SQLAlchemy calls) is wrapped while
the profile runs, and put back at the end of the session. A brand-new connection has no
callback of its own, so nothing of the suite's is replaced; a suite that sets its own later
replaces ours, and that connection's statements are no longer counted, nor are those of
connections made through a ``connect`` imported by name before the plugin started (a
conftest's ``from sqlite3 import connect``). SQLAlchemy's SQLite connections are counted by
the trace only, not twice.

Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) is not counted, nor are
the plugin's own statements (its probes run muted). Drivers that connect in C (libpq:
psycopg, psycopg2) are seen through SQLAlchemy only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from auditor.dynamic.plugin import audit
from auditor.dynamic.plugin.profile_events import Tally, sqlite_target, text

_TRANSACTION = ("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOIN", "RELEASE")


class StatementCounter:
    """Counts statements into the innermost bucket of ``tally``; stands in for
    ``sqlite3.connect`` from when it is made until :meth:`close`."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.sqlalchemy = False
        self.attaching = False
        self.sqlite_connect: Callable[..., Any] | None = None
        """sqlite3's own ``connect``, while ours stands in for it."""
        self._wrap_sqlite()

    def close(self) -> None:
        self._unwrap_sqlite()

    # -- sqlite3 -----------------------------------------------------------------------
    def _wrap_sqlite(self) -> None:
        """Stand in for ``sqlite3.connect`` to set the statement counter on each new
        connection (see the module's docstring for why not the audit event)."""
        import sqlite3
        import sqlite3.dbapi2

        original = sqlite3.dbapi2.connect
        if getattr(original, "__wrapped__", None) is not None:
            return  # already wrapped (a second profiler in this process)

        @wraps(original)
        def connect(*args: Any, **kwargs: Any) -> Any:
            connection = original(*args, **kwargs)
            database = args[0] if args else kwargs.get("database", "")
            memory = sqlite_target(text(database))[0]
            try:
                connection.set_trace_callback(partial(self._sqlite_statement, memory))
            except (AttributeError, sqlite3.Error):
                self.tally.errors += 1  # a factory's object without the method: not counted
            return connection

        self.sqlite_connect = original
        sqlite3.dbapi2.connect = connect
        if sqlite3.connect is original:
            sqlite3.connect = connect

    def _unwrap_sqlite(self) -> None:
        original = self.sqlite_connect
        if original is None:
            return
        import sqlite3
        import sqlite3.dbapi2

        for module in (sqlite3, sqlite3.dbapi2):
            if getattr(getattr(module, "connect", None), "__wrapped__", None) is original:
                setattr(module, "connect", original)  # noqa: B010 - mypy's stub lacks it
        self.sqlite_connect = None

    def _sqlite_statement(self, memory: bool, statement: str) -> None:
        # Called in any thread: ``end`` replaces the stack, nothing removes its first bucket.
        stack = self.tally.stack
        if not stack or audit.is_muted():
            return
        if statement.lstrip()[:8].upper().startswith(_TRANSACTION):
            return
        if memory:
            stack[-1].memory_statements += 1
        else:
            stack[-1].statements += 1

    # -- SQLAlchemy --------------------------------------------------------------------
    def attach_sqlalchemy(self) -> bool:
        """Listen to every engine's statements once SQLAlchemy is imported (and only then:
        the profile never imports it); whether it listens."""
        if self.sqlalchemy or self.attaching:
            return self.sqlalchemy
        module = sys.modules.get("sqlalchemy")
        if module is None or not hasattr(module, "__version__"):  # set once fully imported
            return False
        self.attaching = True
        try:
            try:
                from sqlalchemy import event
                from sqlalchemy.engine import Engine
            except ImportError:
                return False  # a broken installation: tried again at the next check
            event.listen(Engine, "before_cursor_execute", self._sqlalchemy_statement)
            self.sqlalchemy = True
        finally:
            self.attaching = False
        return True

    def _sqlalchemy_statement(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        stack = self.tally.stack  # as in _sqlite_statement: safe in any thread
        if not stack or audit.is_muted():
            return
        if getattr(getattr(conn, "dialect", None), "name", "") == "sqlite":
            return  # the sqlite3 trace callback counts these
        stack[-1].statements += 1
