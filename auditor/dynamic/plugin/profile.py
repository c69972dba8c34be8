"""The per-test profile (``--ta-profile``): what each test cost and what it reached outside
the process, measured cheaply enough to ride along with any run.

For each test, in the record's ``profile``:

- ``peak_kb``: how far the resident memory rose above where it was when the test started
  (its peak, not where it ended). On Linux the kernel's high-water mark is reset before each
  test (``/proc/self/clear_refs``), so every test gets its own peak; elsewhere it is the
  growth of the process's lifetime peak (``ru_maxrss``), which only shows the tests that push
  the peak higher. tracemalloc would see every allocation, at several times the cost. (The
  reset is visible to the process: ``ru_maxrss`` and ``VmHWM`` read by the suite itself
  give the peak since the current test started, not since the process did.)
- what the ``sys.addaudithook`` events of :mod:`auditor.dynamic.plugin.audit` show, by kind, each
  list deduplicated and cut at :data:`MAX_PER_KIND` (``more`` counts what was cut):
  ``connect`` (socket addresses: ``127.0.0.1:5432``, ``[::1]:6379``, ``unix:/run/x.sock``),
  ``lookup`` (``socket.getaddrinfo``: ``db.internal:5432``), ``subprocess`` (program names,
  from ``subprocess.Popen``, ``os.system``, ``os.exec*``, ``os.posix_spawn``, ``os.spawn*``,
  ``os.fork``), ``write`` (files opened to write, append or create outside the temporary
  folders, the interpreter's prefixes, ``__pycache__`` and ``/dev``), ``sqlite`` (database
  files opened with ``sqlite3.connect``; in-memory databases are not files).
- ``statements``: SQL statements sent to a database, and ``memory_statements``: those sent
  to an in-memory SQLite database. SQLAlchemy's are counted by a ``before_cursor_execute``
  listener on the ``Engine`` class, attached once SQLAlchemy is fully imported (checked when
  a test or a fixture starts and on every ``import`` event until then: an engine imports its
  dialect before its first statement); the profile never imports SQLAlchemy itself.
  sqlite3's are counted by a trace callback set on each connection as it is made. The
  ``sqlite3.connect/handle`` audit event hands over the connection before it is initialised
  (``set_trace_callback`` raises there, on every CPython from 3.10 to 3.13), so instead
  ``sqlite3.connect`` (and ``sqlite3.dbapi2.connect``, which SQLAlchemy calls) is wrapped
  while the profile runs, and put back at the end of the session. A brand-new connection
  has no callback of its own, so nothing of the suite's is replaced; a suite that sets its
  own later replaces ours, and that connection's statements are no longer counted, nor are
  those of connections made through a ``connect`` imported by name before the plugin
  started (a conftest's ``from sqlite3 import connect``). SQLAlchemy's SQLite connections
  are counted by the trace only, not twice. Transaction control (BEGIN, COMMIT, ROLLBACK,
  SAVEPOINT, RELEASE) is not counted. Drivers that connect in C (libpq: psycopg, psycopg2)
  raise no socket event; through SQLAlchemy their statements still show.
- ``fixtures``: setup and teardown times of the fixtures set up or torn down during the test
  (from :data:`FIXTURE_FLOOR` seconds, or when they reached something). What a wider-scoped
  fixture does while it sets up or tears down (its time, events and statements) is the
  fixture's, kept in its entry, not the test's: a session database built during the first
  test's setup is counted once, for the fixture.

Events are attributed by time: whatever happens in the process while a test runs, in any
thread, is the test's (a test client's app thread works for the test). The plugin's own
probes run with the audit hook muted, and their statements are not counted.
"""

from __future__ import annotations

import linecache
import os
import resource
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial, wraps
from pathlib import Path
from typing import Any

import pytest

from auditor.dynamic.plugin import audit

MAX_PER_KIND = 20
FIXTURE_FLOOR = 0.001
"""Fixture setups and teardowns shorter than this that reached nothing are not recorded."""
_TRANSACTION = ("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOIN", "RELEASE")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_SHELLS = ("sh", "bash", "dash", "zsh", "cmd", "cmd.exe")


class _Bucket:
    """What one owner (a test, or a wider fixture's setup or teardown) reached."""

    __slots__ = ("memory_statements", "more", "seen", "statements")

    def __init__(self) -> None:
        self.seen: dict[str, dict[str, None]] = {}
        self.more: dict[str, int] = {}
        self.statements = 0
        self.memory_statements = 0

    def add(self, kind: str, value: str) -> None:
        values = self.seen.setdefault(kind, {})
        if value in values:
            return
        if len(values) >= MAX_PER_KIND:
            self.more[kind] = self.more.get(kind, 0) + 1
            return
        values[value] = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {kind: list(values) for kind, values in self.seen.items()}
        if "lookup" in data:  # a lookup that led to a connection says nothing more
            connected = self.seen.get("connect", {})
            data["lookup"] = [value for value in data["lookup"] if value not in connected]
            if not data["lookup"]:
                del data["lookup"]
        if self.more:
            data["more"] = dict(self.more)
        if self.statements:
            data["statements"] = self.statements
        if self.memory_statements:
            data["memory_statements"] = self.memory_statements
        return data


class _Memory:
    """Peak resident memory per test: the kernel's high-water mark, reset before each test
    where Linux allows it, else the growth of ``ru_maxrss``."""

    def __init__(self) -> None:
        self.clear: int | None = None
        self.status: int | None = None
        self.statm: int | None = None
        """``/proc/self/statm``: the resident size, at a fifth of the cost of ``status``."""
        self.page_kb = 4
        if sys.platform.startswith("linux"):
            try:
                self.page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
                self.status = os.open("/proc/self/status", os.O_RDONLY | os.O_CLOEXEC)
                self.statm = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
                self.clear = os.open("/proc/self/clear_refs", os.O_WRONLY | os.O_CLOEXEC)
            except OSError:  # no permission to reset (a locked-down /proc): ru_maxrss
                self.close()
        self.scale = 1024 if sys.platform == "darwin" else 1
        """``ru_maxrss`` is in bytes on macOS, kilobytes elsewhere."""

    def start(self) -> int:
        """Reset the high-water mark; the resident size now (kB)."""
        if self.clear is not None and self.statm is not None:
            try:
                os.write(self.clear, b"5")
                return int(os.pread(self.statm, 128, 0).split()[1]) * self.page_kb
            except (OSError, ValueError, IndexError):
                self.clear = None
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // self.scale

    def peak_growth(self, start: int) -> int:
        """kB the peak rose above ``start``."""
        if self.clear is not None and self.status is not None:
            try:
                return max(0, self._status(b"VmHWM:") - start)
            except (OSError, ValueError):
                self.clear = None
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // self.scale
        return max(0, peak - start)

    def _status(self, field: bytes) -> int:
        assert self.status is not None
        data = os.pread(self.status, 8192, 0)
        start = data.index(field) + len(field)
        return int(data[start : data.index(b"kB", start)])

    def close(self) -> None:
        for fd in (self.clear, self.status, self.statm):
            if fd is not None:
                os.close(fd)
        self.clear = self.status = self.statm = None


class Profiler:
    """Measures each test between :meth:`begin` and :meth:`end`; a pytest plugin for the
    fixture timings. Subscribes to the shared audit hook when made."""

    def __init__(self, rootdir: Path, temporary: Sequence[Path] = ()) -> None:
        self.rootdir = str(rootdir.resolve())
        self.excluded, self.enclosing = _excluded(self.rootdir, temporary)
        self.memory = _Memory()
        self.stack: list[_Bucket] = []
        """The test's bucket, then one per wider fixture setting up or tearing down."""
        self.fixtures: list[dict[str, Any]] = []
        self.teardowns: dict[int, tuple[float, _Bucket | None]] = {}
        self.start_kb = 0
        self.errors = 0
        """Events the profile could not read (an unexpected argument shape)."""
        self.sqlalchemy = False
        self.attaching = False
        self.sqlite_connect: Callable[..., Any] | None = None
        """sqlite3's own ``connect``, while ours stands in for it."""
        self.handlers: dict[str, Callable[[tuple[Any, ...]], None]] = {
            "socket.connect": self._connect,
            "socket.sendto": self._connect,
            "socket.getaddrinfo": self._lookup,
            "subprocess.Popen": self._popen,
            "os.system": self._system,
            "os.exec": self._exec,
            "os.posix_spawn": self._exec,
            "os.spawn": self._spawn,
            "os.fork": self._fork,
            "os.forkpty": self._fork,
            "open": self._open,
            "sqlite3.connect": self._sqlite_connect,
            "import": self._import,
        }
        self.where: dict[int, str] = {}
        self._wrap_sqlite()
        audit.subscribe(self._event)

    def close(self) -> None:
        audit.unsubscribe(self._event)
        self.memory.close()
        self._unwrap_sqlite()

    # -- one test ----------------------------------------------------------------------
    def begin(self) -> None:
        self._attach_sqlalchemy()
        self.fixtures = []
        self.errors = 0
        self.stack = [_Bucket()]
        self.start_kb = self.memory.start()

    def end(self) -> dict[str, Any]:
        """The profile of the test since :meth:`begin`."""
        data = self.stack[0].to_json() if self.stack else {}
        self.stack = []
        data["peak_kb"] = self.memory.peak_growth(self.start_kb)
        if self.fixtures:
            data["fixtures"] = self.fixtures
        if self.errors:
            data["errors"] = self.errors
        self.fixtures = []
        return data

    # -- fixtures ----------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True, trylast=True)
    def pytest_fixture_setup(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> Iterator[None]:
        """Innermost wrapper: the time is the fixture's own, not other plugins'."""
        self._attach_sqlalchemy()
        bucket = _Bucket() if fixturedef.scope != "function" and self.stack else None
        if bucket is not None:
            self.stack.append(bucket)
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
        if bucket is not None:
            self._pop(bucket)
        self._fixture(fixturedef, "setup", seconds, bucket)
        # Finalizers run last-in first-out: this one runs right before the fixture's own
        # teardown; pytest_fixture_post_finalizer runs right after it.
        fixturedef.addfinalizer(partial(self._teardown_starts, fixturedef))

    def _teardown_starts(self, fixturedef: pytest.FixtureDef[Any]) -> None:
        bucket = _Bucket() if fixturedef.scope != "function" and self.stack else None
        if bucket is not None:
            self.stack.append(bucket)
        self.teardowns[id(fixturedef)] = (time.perf_counter(), bucket)

    @pytest.hookimpl(tryfirst=True)
    def pytest_fixture_post_finalizer(
        self, fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
    ) -> None:
        started = self.teardowns.pop(id(fixturedef), None)
        if started is None:
            return
        seconds = time.perf_counter() - started[0]
        bucket = started[1]
        if bucket is not None:
            self._pop(bucket)
        self._fixture(fixturedef, "teardown", seconds, bucket)

    def _pop(self, bucket: _Bucket) -> None:
        if bucket in self.stack:
            self.stack.remove(bucket)

    def _fixture(
        self, fixturedef: pytest.FixtureDef[Any], phase: str, seconds: float, bucket: _Bucket | None
    ) -> None:
        reached = bucket.to_json() if bucket is not None else {}
        if seconds < FIXTURE_FLOOR and not reached:
            return
        entry: dict[str, Any] = {
            "name": fixturedef.argname,
            "scope": fixturedef.scope,
            "where": self._where(fixturedef),
            "phase": phase,
            "seconds": round(seconds, 6),
            **reached,
        }
        self.fixtures.append(entry)

    def _where(self, fixturedef: pytest.FixtureDef[Any]) -> str:
        """``tests/conftest.py:12`` for the suite's fixtures, ``module:line`` for others."""
        func = fixturedef.func
        key = id(func)
        known = self.where.get(key)
        if known is not None:
            return known
        code = getattr(func, "__code__", None)
        if code is None:
            where = str(getattr(func, "__qualname__", fixturedef.argname))
        elif code.co_filename.startswith(self.rootdir + os.sep):
            relative = os.path.relpath(code.co_filename, self.rootdir).replace(os.sep, "/")
            where = f"{relative}:{_def_line(code.co_filename, code.co_firstlineno)}"
        else:
            where = f"{getattr(func, '__module__', '?')}:{code.co_firstlineno}"
        self.where[key] = where
        return where

    # -- audit events ------------------------------------------------------------------
    def _event(self, event: str, args: tuple[Any, ...]) -> None:
        handler = self.handlers.get(event)
        if handler is None:
            return
        try:
            handler(args)
        except Exception:  # raising here would abort the suite's own operation
            self.errors += 1  # counted in the test's profile instead

    def _add(self, kind: str, value: str) -> None:
        stack = self.stack
        if stack:
            stack[-1].add(kind, value)

    def _connect(self, args: tuple[Any, ...]) -> None:
        self._attach_sqlalchemy()
        if self.stack:
            self._add("connect", _address(args[-1]))

    def _lookup(self, args: tuple[Any, ...]) -> None:
        if not self.stack:
            return
        host, port = _text(args[0]), args[1]
        self._add("lookup", f"{host}:{_text(port)}" if port not in (None, 0, "") else host)

    def _popen(self, args: tuple[Any, ...]) -> None:
        executable, argv = args[0], args[1]
        if isinstance(argv, str | bytes):
            words = _text(argv).split()
        else:
            words = [_text(word) for word in argv or ()]
        self._add("subprocess", _program(_text(executable) if executable else "", words))

    def _system(self, args: tuple[Any, ...]) -> None:
        words = _text(args[0]).split()
        self._add("subprocess", _program("", words))

    def _exec(self, args: tuple[Any, ...]) -> None:
        words = [_text(word) for word in args[1] or ()] if len(args) > 1 else []
        self._add("subprocess", _program(_text(args[0]), words))

    def _spawn(self, args: tuple[Any, ...]) -> None:
        words = [_text(word) for word in args[2] or ()]
        self._add("subprocess", _program(_text(args[1]), words))

    def _fork(self, args: tuple[Any, ...]) -> None:
        self._add("subprocess", "fork (a copy of this Python process)")

    def _open(self, args: tuple[Any, ...]) -> None:
        if not self.stack or len(args) < 3 or isinstance(args[0], int):
            return
        mode, flags = args[1], args[2]
        if isinstance(mode, str):
            if not any(letter in mode for letter in "wax+"):
                return
        elif not (isinstance(flags, int) and flags & _WRITE_FLAGS):
            return
        path = os.path.abspath(_text(args[0]))
        within = path + os.sep  # a folder itself counts as inside it (O_TMPFILE opens /tmp)
        if within.startswith(self.excluded) or "__pycache__" in path or path.endswith(".pyc"):
            return
        if within.startswith(self.enclosing) and not path.startswith(self.rootdir + os.sep):
            return
        self._add("write", self._shown(path))

    def _import(self, args: tuple[Any, ...]) -> None:
        self._attach_sqlalchemy()

    def _sqlite_connect(self, args: tuple[Any, ...]) -> None:
        database = _text(args[0]) if args else ""
        memory, path = _sqlite_target(database)
        if not memory and self.stack:
            self._add("sqlite", self._shown(os.path.abspath(path)))

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
            memory = _sqlite_target(_text(database))[0]
            try:
                connection.set_trace_callback(partial(self._sqlite_statement, memory))
            except (AttributeError, sqlite3.Error):
                self.errors += 1  # a factory's object without the method: not counted
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
        stack = self.stack
        if not stack or audit.is_muted():
            return
        if statement.lstrip()[:8].upper().startswith(_TRANSACTION):
            return
        if memory:
            stack[-1].memory_statements += 1
        else:
            stack[-1].statements += 1

    def _shown(self, path: str) -> str:
        if path.startswith(self.rootdir + os.sep):
            return os.path.relpath(path, self.rootdir).replace(os.sep, "/")
        return path

    # -- SQLAlchemy --------------------------------------------------------------------
    def _attach_sqlalchemy(self) -> None:
        """Listen to every engine's statements once SQLAlchemy is imported (and only then:
        the profile never imports it)."""
        if self.sqlalchemy or self.attaching:
            return
        module = sys.modules.get("sqlalchemy")
        if module is None or not hasattr(module, "__version__"):  # set once fully imported
            return
        self.attaching = True
        try:
            try:
                from sqlalchemy import event
                from sqlalchemy.engine import Engine
            except ImportError:
                return  # a broken installation: tried again at the next check
            event.listen(Engine, "before_cursor_execute", self._sqlalchemy_statement)
            self.sqlalchemy = True
            self.handlers.pop("import", None)
        finally:
            self.attaching = False

    def _sqlalchemy_statement(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        stack = self.stack  # as in _sqlite_statement: safe in any thread
        if not stack or audit.is_muted():
            return
        if getattr(getattr(conn, "dialect", None), "name", "") == "sqlite":
            return  # the sqlite3 trace callback counts these
        stack[-1].statements += 1


def _excluded(rootdir: str, temporary: Sequence[Path]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Folders whose writes are not the suite's business: temporary folders (pytest's
    ``tmp_path`` base, ``--basetemp``, the system's), the interpreter's prefixes and
    installed packages, ``/dev``, ``/proc`` and ``/sys``. Two groups: the folders outside
    the rootdir's ancestry, and those holding the rootdir (a suite checked out under
    ``/tmp``), where writes under the rootdir still count."""
    folders = [*map(str, temporary), tempfile.gettempdir(), sys.prefix, sys.exec_prefix]
    folders += [sys.base_prefix, sys.base_exec_prefix]
    folders += [sysconfig.get_paths()[name] for name in ("purelib", "platlib", "stdlib")]
    prefixes: set[str] = {"/dev/", "/proc/", "/sys/"}
    for folder in folders:
        for form in (os.path.abspath(folder), os.path.realpath(folder)):
            prefixes.add(form.rstrip(os.sep) + os.sep)
    inside = rootdir + os.sep
    enclosing = {prefix for prefix in prefixes if inside.startswith(prefix)}
    return tuple(sorted(prefixes - enclosing)), tuple(sorted(enclosing))


def _def_line(filename: str, first: int) -> int:
    """The ``def`` line of a function whose code starts at ``first``, its first decorator
    (the line the static model gives a fixture)."""
    for line in range(first, first + 20):
        text = linecache.getline(filename, line).lstrip()
        if text.startswith(("def ", "async def ")):
            return line
        if not text:
            break
    return first


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    return str(value)


def _address(address: Any) -> str:
    """``127.0.0.1:5432``, ``[::1]:5432``, ``unix:/run/app.sock``, ``unix:@abstract``."""
    if isinstance(address, tuple) and len(address) >= 2:
        host = _text(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    if isinstance(address, bytes):
        return (
            "unix:@" + os.fsdecode(address[1:])
            if address[:1] == b"\0"
            else "unix:" + _text(address)
        )
    if isinstance(address, str):
        return "unix:@" + address[1:] if address[:1] == "\0" else "unix:" + address
    return str(address)


def _program(executable: str, words: Sequence[str]) -> str:
    """The program's name; for ``sh -c "git status"`` the shell's command too."""
    name = os.path.basename(executable or (words[0] if words else "?"))
    if name in _SHELLS and len(words) >= 3 and words[1] in ("-c", "/c"):
        command = words[2].split()
        return f"{name} -c {os.path.basename(command[0])}" if command else name
    return name


def _sqlite_target(database: str) -> tuple[bool, str]:
    """(in memory?, the file) of a ``sqlite3.connect`` argument, URIs included."""
    if database in ("", ":memory:"):
        return True, database
    if database.startswith("file:"):
        path, _, query = database[5:].partition("?")
        if path in ("", ":memory:") or "mode=memory" in query:
            return True, path
        return False, path[2:] if path.startswith("//") else path
    return False, database
