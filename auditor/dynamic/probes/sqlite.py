"""Rows per table of the sqlite database files the suite uses.

The files are those found in the rootdir (``*.db``, ``*.sqlite``, ``*.sqlite3``, two levels
deep) and any the suite opens later (seen through the ``sqlite3.connect`` audit event), except
in-memory ones and those in temporary folders. Counts are read through a separate read-only
connection. Example: a fixture that rolls back while the code under test commits leaves
``sqlite app.db table 'orders' rows = '1 row' (was '0 rows')``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from auditor.dynamic.plugin import audit
from auditor.dynamic.probes import ProbeContext, Snapshot, shown_path
from auditor.dynamic.probes.database_tables import rows

SUFFIXES = (".db", ".sqlite", ".sqlite3")
MAX_TABLES = 200


class SqliteProbe:
    name = "sqlite"

    def __init__(self, rootdir: Path, temporary: tuple[Path, ...]) -> None:
        self.rootdir = str(rootdir.resolve())
        self.temporary = tuple(str(path.resolve()) for path in temporary)
        self.files: dict[str, str] = {}
        for depth_glob in ("*", "*/*"):
            for path in Path(self.rootdir).glob(depth_glob):
                if path.suffix in SUFFIXES and path.is_file():
                    self._add(str(path))
        audit.subscribe(self._event, ("sqlite3.connect",))

    def _add(self, path: str) -> None:
        resolved = os.path.realpath(path)
        if resolved.startswith(self.temporary) or resolved in self.files:
            return
        self.files[resolved] = shown_path(resolved, self.rootdir)

    def _event(self, event: str, args: tuple[Any, ...]) -> None:
        if event != "sqlite3.connect" or not args:
            return
        database = args[0]
        if isinstance(database, bytes):
            database = os.fsdecode(database)
        if not isinstance(database, str | os.PathLike):
            return
        text = os.fspath(database)
        if text in ("", ":memory:") or text.startswith("file:"):
            return
        self._add(os.path.abspath(text))

    def snapshot(self) -> Snapshot:
        snapshot: dict[str, str] = {}
        with audit.muted():
            for path, shown in list(self.files.items()):
                if os.path.exists(path):
                    _count_rows(path, shown, snapshot)
        return snapshot


def _count_rows(path: str, shown: str, snapshot: dict[str, str]) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.Error as error:
        snapshot[f"sqlite {shown}"] = f"<unreadable: {error}>"
        return
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchmany(MAX_TABLES)
        ]
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            (count,) = connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()
            snapshot[f"sqlite {shown} table {table!r} rows"] = repr(rows(count))
    except sqlite3.Error as error:
        snapshot[f"sqlite {shown}"] = f"<unreadable: {error}>"
    finally:
        connection.close()


def factory(context: ProbeContext) -> SqliteProbe:
    return SqliteProbe(context.rootdir, context.temporary)
