"""What a test reached outside the process, from the ``sys.addaudithook`` events of
:mod:`auditor.dynamic.plugin.audit`, by kind (the kinds of
:data:`~auditor.dynamic.profile_record.ACCESS_KINDS`), each list deduplicated and cut at
:data:`MAX_PER_KIND` (``more`` counts what was cut):

- ``connect``: socket addresses (``127.0.0.1:5432``, ``[::1]:6379``, ``unix:/run/x.sock``);
- ``lookup``: ``socket.getaddrinfo`` (``db.internal:5432``), unless it led to a connection;
- ``subprocess``: program names, from ``subprocess.Popen``, ``os.system``, ``os.exec*``,
  ``os.posix_spawn``, ``os.spawn*``, ``os.fork``;
- ``write``: files opened to write, append or create outside the temporary folders, the
  interpreter's prefixes, ``__pycache__`` and ``/dev``;
- ``sqlite``: database files opened with ``sqlite3.connect`` (in-memory databases are not
  files).

Drivers that connect in C (libpq: psycopg, psycopg2) raise no socket event. The events go to
the innermost :class:`Bucket` of a :class:`Tally`: the test's, or that of a wider fixture
setting up or tearing down.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from auditor.dynamic.profile_record import Access

MAX_PER_KIND = 20
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_SHELLS = ("sh", "bash", "dash", "zsh", "cmd", "cmd.exe")


class Bucket:
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

    def access(self) -> Access:
        """The kinds in the order they were first reached."""
        reached = {kind: tuple(values) for kind, values in self.seen.items()}
        if "lookup" in reached:  # a lookup that led to a connection says nothing more
            connected = self.seen.get("connect", {})
            lookups = tuple(value for value in reached["lookup"] if value not in connected)
            if lookups:
                reached["lookup"] = lookups
            else:
                del reached["lookup"]
        return Access(reached, dict(self.more), self.statements, self.memory_statements)


class Tally:
    """The buckets being filled: the test's, then one per wider fixture setting up or tearing
    down (none between tests); and the events the profile could not read."""

    __slots__ = ("errors", "stack")

    def __init__(self) -> None:
        self.stack: list[Bucket] = []
        self.errors = 0

    def add(self, kind: str, value: str) -> None:
        stack = self.stack  # read once: other threads' events come while ``end`` replaces it
        if stack:
            stack[-1].add(kind, value)


class EventReader:
    """The audit hook's subscriber: adds what each event reached to the tally."""

    def __init__(
        self,
        tally: Tally,
        rootdir: str,
        temporary: Sequence[Path],
        attach: Callable[[], bool],
    ) -> None:
        """``attach`` is called on socket and import events (SQLAlchemy's statements are
        counted once it is imported); once it returns true, import events are ignored."""
        self.tally = tally
        self.rootdir = rootdir
        self.excluded, self.enclosing = _excluded(rootdir, temporary)
        self.attach = attach
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

    def read(self, event: str, args: tuple[Any, ...]) -> None:
        handler = self.handlers.get(event)
        if handler is None:
            return
        try:
            handler(args)
        except Exception:  # raising here would abort the suite's own operation
            self.tally.errors += 1  # counted in the test's profile instead

    def shown(self, path: str) -> str:
        """``path`` relative to the rootdir when inside it."""
        if path.startswith(self.rootdir + os.sep):
            return os.path.relpath(path, self.rootdir).replace(os.sep, "/")
        return path

    def _connect(self, args: tuple[Any, ...]) -> None:
        self.attach()
        if self.tally.stack:
            self.tally.add("connect", _address(args[-1]))

    def _lookup(self, args: tuple[Any, ...]) -> None:
        if not self.tally.stack:
            return
        host, port = text(args[0]), args[1]
        self.tally.add("lookup", f"{host}:{text(port)}" if port not in (None, 0, "") else host)

    def _popen(self, args: tuple[Any, ...]) -> None:
        executable, argv = args[0], args[1]
        if isinstance(argv, str | bytes):
            words = text(argv).split()
        else:
            words = [text(word) for word in argv or ()]
        self.tally.add("subprocess", _program(text(executable) if executable else "", words))

    def _system(self, args: tuple[Any, ...]) -> None:
        words = text(args[0]).split()
        self.tally.add("subprocess", _program("", words))

    def _exec(self, args: tuple[Any, ...]) -> None:
        words = [text(word) for word in args[1] or ()] if len(args) > 1 else []
        self.tally.add("subprocess", _program(text(args[0]), words))

    def _spawn(self, args: tuple[Any, ...]) -> None:
        words = [text(word) for word in args[2] or ()]
        self.tally.add("subprocess", _program(text(args[1]), words))

    def _fork(self, args: tuple[Any, ...]) -> None:
        self.tally.add("subprocess", "fork (a copy of this Python process)")

    def _open(self, args: tuple[Any, ...]) -> None:
        if not self.tally.stack or len(args) < 3 or isinstance(args[0], int):
            return
        mode, flags = args[1], args[2]
        if isinstance(mode, str):
            if not any(letter in mode for letter in "wax+"):
                return
        elif not (isinstance(flags, int) and flags & _WRITE_FLAGS):
            return
        path = os.path.abspath(text(args[0]))
        within = path + os.sep  # a folder itself counts as inside it (O_TMPFILE opens /tmp)
        if within.startswith(self.excluded) or "__pycache__" in path or path.endswith(".pyc"):
            return
        if within.startswith(self.enclosing) and not path.startswith(self.rootdir + os.sep):
            return
        self.tally.add("write", self.shown(path))

    def _import(self, args: tuple[Any, ...]) -> None:
        if self.attach():
            self.handlers.pop("import", None)

    def _sqlite_connect(self, args: tuple[Any, ...]) -> None:
        database = text(args[0]) if args else ""
        memory, path = sqlite_target(database)
        if not memory and self.tally.stack:
            self.tally.add("sqlite", self.shown(os.path.abspath(path)))


def text(value: Any) -> str:
    """An event's argument as text: bytes and path-likes decoded."""
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    return str(value)


def sqlite_target(database: str) -> tuple[bool, str]:
    """(in memory?, the file) of a ``sqlite3.connect`` argument, URIs included."""
    if database in ("", ":memory:"):
        return True, database
    if database.startswith("file:"):
        path, _, query = database[5:].partition("?")
        if path in ("", ":memory:") or "mode=memory" in query:
            return True, path
        return False, path[2:] if path.startswith("//") else path
    return False, database


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


def _address(address: Any) -> str:
    """``127.0.0.1:5432``, ``[::1]:5432``, ``unix:/run/app.sock``, ``unix:@abstract``."""
    if isinstance(address, tuple) and len(address) >= 2:
        host = text(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    if isinstance(address, bytes):
        return (
            "unix:@" + os.fsdecode(address[1:]) if address[:1] == b"\0" else "unix:" + text(address)
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
