"""The rows of the ``--db-url`` PostgreSQL database and the keys of the ``--redis-url``
Redis, as they were before `leaks` ran the suite, put back between its runs and at its end:
the services' counterpart of :class:`~auditor.dynamic.runner.worktree.WorkTreeGuard`.

A suite that commits rows (or writes keys) its tests never delete changes the service for
every later pytest process: a victim then fails even alone once its polluter has run, and
the user would find what the hunt left. So before the first run the guard snapshots the
database (PostgreSQL: every user table as ``COPY`` files in a temporary folder of ours, with
each table's row count and digest and each sequence's value, at most
:data:`~auditor.dynamic.probes.database_guard_plan.MAX_ROWS` rows and
:data:`~auditor.dynamic.probes.database_guard_plan.MAX_BYTES` bytes; Redis: every key with
``DUMP``, at most :data:`~auditor.dynamic.probes.redis_guard.MAX_KEYS`), else it does not
guard at all and says why. After each run it compares (PostgreSQL: counts and digests
computed by the server, one statement) and puts back whatever changed, in one transaction:
tables and schemas the suite created dropped, rows copied back, sequences set back; keys
created deleted, keys changed or deleted restored. A table the suite dropped cannot be
recreated, and a restore the server refuses (a lock, a permission) changes nothing; both
are reported as "could NOT be put back".

The work is :mod:`auditor.dynamic.probes.database_guard` (or ``redis_guard``: standard
library and the service's client library). When test-auditor's own interpreter has that
library (psycopg or psycopg2; redis), it runs here, a connection per look (about 20 ms when
nothing changed); otherwise (test-auditor installed with pipx, the suite in its own
virtualenv) in the suite's interpreter (``--python``), whose library the probes use too:
``python -m auditor.dynamic.probes.database_guard``, one short process per look, with our
package on its path as the driver puts it for pytest. No connection is held between runs,
so a suite can still drop or template its database.

While `leaks` runs, nothing else should write to that database: a change made meanwhile
looks like the suite's and is undone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.dynamic.probes import database_guard, redis_guard
from auditor.dynamic.probes.database_tables import table_key
from auditor.dynamic.probes.database_url import backend, importable
from auditor.dynamic.probes.redis_keys import NAME as REDIS_PROBE
from auditor.dynamic.probes.redis_keys import explicit_db
from auditor.dynamic.runner.driver import PACKAGE_ROOT, child_environment

SNAPSHOT_TIMEOUT = 900.0
"""Seconds the snapshot may take (256 MB of COPY text on a slow server)."""
RESTORE_TIMEOUT = 900.0
POSTGRESQL = "postgresql"
REDIS = "redis"
PROGRAMS = {POSTGRESQL: database_guard, REDIS: redis_guard}
WHAT_STAYS = {
    POSTGRESQL: "rows the suite commits stay",
    REDIS: "keys the suite writes stay",
}


@dataclass(frozen=True)
class RestoredRows:
    """A table, sequence or schema of the database (a key of the Redis) the suite changed,
    and what the guard did about it."""

    database: str
    """The PostgreSQL database's name; ``redis db 15`` for a key."""
    kind: str
    """``table``, ``sequence``, ``schema`` or ``key``."""
    name: str
    """``schema.table``, ``schema.sequence``, ``schema``, ``'session:42'``."""
    change: str
    """``changed``, ``created``, ``dropped`` (a table) or ``deleted`` (a key)."""
    restored: bool
    run: str
    why: str = ""
    """Why it could not be put back."""

    @property
    def place(self) -> str:
        """``database app`` (PostgreSQL), ``redis db 15``."""
        return self.database if self.kind == "key" else f"database {self.database}"

    def describe(self) -> str:
        done = "restored" if self.restored else "could NOT be put back"
        if not self.restored and self.why:
            done += f": {self.why}"
        return f"{self.place}: {self.kind} {self.name} {self.change} ({self.run}); {done}"

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "database": self.database,
            "kind": self.kind,
            "name": self.name,
            "change": self.change,
            "restored": self.restored,
            "run": self.run,
        }
        return {**entry, "why": self.why} if self.why else entry


@dataclass
class DatabaseGuard:
    """Keeps one PostgreSQL database's rows (or one Redis's keys) as they were at
    :meth:`start`; see the module docstring. ``guarded`` False: nothing is restored
    (``notes`` say why)."""

    url: str
    python: str
    rootdir: Path
    service: str = POSTGRESQL
    """``postgresql`` or ``redis``."""
    folder: Path | None = None
    database: str = ""
    guarded: bool = False
    in_process: bool = False
    """Whether the guard's program runs in this process (else in ``python``)."""
    restored: list[RestoredRows] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _reported: set[tuple[str, str, str, str]] = field(default_factory=set)

    @classmethod
    def start(
        cls,
        url: str,
        python: str,
        rootdir: Path,
        *,
        service: str = POSTGRESQL,
        limits: Mapping[str, int] | None = None,
        in_process: bool | None = None,
    ) -> DatabaseGuard | None:
        """The guard of ``url`` with its snapshot taken; ``None`` for a URL that is not a
        PostgreSQL one (``service`` postgresql) or none. ``limits``: ``max_rows`` and
        ``max_bytes`` (``max_keys`` for Redis) instead of the defaults; ``in_process``
        None: here when this interpreter has the client library."""
        if not url or (service == POSTGRESQL and backend(url) != POSTGRESQL):
            return None
        program = PROGRAMS[service]
        if in_process is None:
            in_process = any(importable(name) for name in program.DRIVERS)
        folder = Path(tempfile.mkdtemp(prefix="test-auditor-db-"))
        guard = cls(url, python, rootdir, service, folder, in_process=in_process)
        answer = guard._ask({"command": "snapshot", **(limits or {})}, SNAPSHOT_TIMEOUT)
        guard.guarded = bool(answer.get("guarded"))
        guard.database = str(answer.get("database") or _name(url, service))
        if not guard.guarded:
            why = str(answer.get("why") or answer.get("error") or "no answer")
            stays = WHAT_STAYS[service]
            guard.notes.append(
                f"{guard._where()} is NOT guarded ({why}): {stays} from one run to the next "
                "and after `leaks`"
            )
            guard.close()
        return guard

    def restore(self, run: str) -> list[RestoredRows]:
        """Put the database back as the snapshot found it; what the suite had changed
        (``run``: the run it did that in)."""
        if not self.guarded:
            return []
        answer = self._ask({"command": "restore"}, RESTORE_TIMEOUT)
        error = str(answer.get("error") or "")
        entries = answer.get("entries")
        note = f"{self._where()} guard: {error}"
        if error and note not in self.notes:  # a database that went away: said once
            self.notes.append(note)
        found: list[RestoredRows] = []
        for entry in entries if isinstance(entries, list) else []:
            found.append(
                RestoredRows(
                    str(entry.get("database") or self.database),
                    str(entry.get("kind", "")),
                    str(entry.get("name", "")),
                    str(entry.get("change", "")),
                    bool(entry.get("restored")),
                    run,
                    str(entry.get("why") or ""),
                )
            )
        fresh = [entry for entry in found if self._first_time(entry)]
        self.restored.extend(fresh)
        return fresh

    def _where(self) -> str:
        return self.database if self.service == REDIS else f"database {self.database}"

    def _first_time(self, entry: RestoredRows) -> bool:
        """Restored entries always count; one that could not be put back (a dropped table
        stays dropped) is reported once."""
        if entry.restored:
            return True
        key = (entry.kind, entry.name, entry.change, entry.why)
        if key in self._reported:
            return False
        self._reported.add(key)
        return True

    def persisting(self) -> dict[tuple[str, str], tuple[str, bool]]:
        """(probe, snapshot key) -> (where, whether it was put back every time), for the
        state of the service the guard found changed: a table's row count (``database``
        probe), a Redis key and its database's key count (``redis-keys``)."""
        found: dict[tuple[str, str], tuple[str, bool]] = {}

        def add(probe: str, key: str, entry: RestoredRows) -> None:
            kept = found.get((probe, key), (entry.place, True))[1]
            found[(probe, key)] = (entry.place, kept and entry.restored)

        for entry in self.restored:
            if entry.kind == "table":
                schema, _, table = entry.name.partition(".")
                add("database", table_key(schema, table), entry)
            elif entry.kind == "key":
                add(REDIS_PROBE, f"{entry.database} key {entry.name}", entry)
                add(REDIS_PROBE, f"{entry.database} keys", entry)
        return found

    def not_restored(self) -> list[RestoredRows]:
        return [entry for entry in self.restored if not entry.restored]

    def _ask(self, request: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        """One request to the guard's program (here, or in the suite's interpreter); its
        answer, or ``{"error": ...}``."""
        assert self.folder is not None
        program = PROGRAMS[self.service]
        if self.in_process:
            here: dict[str, Any] = program.answer(
                {**request, "url": self.url, "folder": str(self.folder)}
            )
            return here
        environment = child_environment(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(PACKAGE_ROOT), *filter(None, [environment.get("PYTHONPATH")])]
        )
        text = json.dumps({**request, "url": self.url, "folder": str(self.folder)})
        try:
            done = subprocess.run(
                [self.python, "-m", program.__name__],
                input=text,
                capture_output=True,
                text=True,
                cwd=self.rootdir,
                env=environment,
                timeout=timeout,
                check=False,
                start_new_session=True,  # a Ctrl-C meant for pytest does not cut it short
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return {"error": f"{type(error).__name__}: {error}"}
        lines = done.stdout.strip().splitlines()
        try:
            answer = json.loads(lines[-1]) if lines else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            tail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
            return {"error": f"{self.python} -m {program.__name__} failed: {tail}"}
        return answer

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.guarded = False


def _name(url: str, service: str) -> str:
    if service == REDIS:
        db = explicit_db(url)
        return f"redis db {db}" if db is not None else "redis"
    return database_name(url)


def database_name(url: str) -> str:
    """The database a URL or DSN names, for the report before the server said it."""
    if "://" in url:
        path = url.split("://", 1)[1].split("?", 1)[0]
        return path.rpartition("/")[2] if "/" in path else ""
    for word in url.split():
        key, _, value = word.partition("=")
        if key == "dbname":
            return value.strip("'")
    return ""
