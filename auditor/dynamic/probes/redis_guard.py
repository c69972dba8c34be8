"""The Redis guard's program: snapshot the keys of the ``--redis-url`` Redis before a leak
hunt, and put back what a pytest run changed; the counterpart of
:mod:`auditor.dynamic.probes.database_guard`, with the same requests and answers (run here or
as ``python -m auditor.dynamic.probes.redis_guard`` by the suite's interpreter).

- ``snapshot``: every key of the database the URL names (without one: of every database that
  holds keys, as the ``redis-keys`` probe watches them) with ``DUMP`` and ``PTTL``, into
  ``folder/redis.json``; at most :data:`MAX_KEYS` keys and :data:`MAX_BYTES` bytes of
  payload, else ``{"guarded": false, "why": ...}``.
- ``restore``: every key dumped again and compared; keys the suite created are deleted,
  keys it changed or deleted are restored (``RESTORE ... REPLACE``, with what is left of
  their time to live; a key whose time ran out meanwhile stays gone), per database in one
  ``MULTI``/``EXEC``. Redis has no rollback: a command the server refuses inside it is
  reported with the key it was for.

Only the standard library and the ``redis`` package.
"""

from __future__ import annotations

import base64
import importlib
import json
import sys
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from auditor.dynamic.probes.database_guard_plan import Entry
from auditor.dynamic.probes.database_tables import describe
from auditor.dynamic.probes.database_url import importable
from auditor.dynamic.probes.redis_keys import display, explicit_db

MAX_KEYS = 10_000
MAX_BYTES = 64 * 1024 * 1024
DRIVERS = ("redis",)
SNAPSHOT = "redis.json"
TIMEOUT = 5.0
SCAN_BATCH = 1000

Dumped = dict[bytes, tuple[bytes, int]]
"""key -> (DUMP payload, PTTL in ms; -1 without expiry)."""


class NoDriver(Exception):
    """The ``redis`` package cannot be imported."""


class TooMany(Exception):
    """More keys or bytes than the guard keeps."""


class Server:
    """One client per database of a Redis URL."""

    def __init__(self, url: str) -> None:
        if not any(importable(name) for name in DRIVERS):
            raise NoDriver(f"no Redis client (the redis package) in {sys.executable}")
        self.module: Any = importlib.import_module("redis")
        self.url = url
        self.db = explicit_db(url)
        self.clients: dict[int, Any] = {}

    def client(self, db: int) -> Any:
        if db not in self.clients:
            options: dict[str, Any] = {
                "socket_timeout": TIMEOUT,
                "socket_connect_timeout": TIMEOUT,
                "client_name": "test-auditor-guard",
            }
            if self.db is None:
                options["db"] = db
            self.clients[db] = self.module.Redis.from_url(self.url, **options)
        return self.clients[db]

    def databases(self) -> list[int]:
        """The database the URL names, else those that hold keys now."""
        if self.db is not None:
            return [self.db]
        keyspace = self.client(0).info("keyspace")
        return sorted(int(n[2:]) for n in keyspace if n.startswith("db") and n[2:].isdigit())

    def dump(self, db: int, max_keys: int, max_bytes: int) -> Dumped:
        client = self.client(db)
        names: set[bytes] = set()
        cursor = 0
        while True:
            cursor, batch = client.scan(cursor=cursor, count=SCAN_BATCH)
            names.update(batch)
            if len(names) > max_keys:
                raise TooMany(f"more than {max_keys:,} keys in redis db {db}")
            if int(cursor) == 0:
                break
        pipe = client.pipeline(transaction=False)
        for name in sorted(names):
            pipe.dump(name)
            pipe.pttl(name)
        replies = pipe.execute() if names else []
        found: Dumped = {}
        size = 0
        for index, name in enumerate(sorted(names)):
            payload, ttl = replies[2 * index], replies[2 * index + 1]
            if payload is None:  # gone meanwhile
                continue
            size += len(payload)
            if size > max_bytes:
                raise TooMany(f"more than {max_bytes:,} bytes of values")
            found[name] = (bytes(payload), int(ttl))
        return found

    def close(self) -> None:
        for client in self.clients.values():
            with suppress(Exception):
                client.close()


def _encode(dumped: Mapping[int, Dumped], taken: float) -> dict[str, Any]:
    return {
        "taken": taken,
        "databases": {
            str(db): [
                [base64.b64encode(k).decode(), base64.b64encode(p).decode(), t]
                for k, (p, t) in keys.items()
            ]
            for db, keys in dumped.items()
        },
    }


def _decode(data: Mapping[str, Any]) -> tuple[dict[int, Dumped], float]:
    dumped = {
        int(db): {base64.b64decode(k): (base64.b64decode(p), int(t)) for k, p, t in keys}
        for db, keys in data["databases"].items()
    }
    return dumped, float(data["taken"])


def snapshot(server: Server, folder: Path, max_keys: int, max_bytes: int) -> dict[str, Any]:
    taken = time.time()
    dumped: dict[int, Dumped] = {}
    try:
        for db in server.databases():
            dumped[db] = server.dump(db, max_keys - sum(map(len, dumped.values())), max_bytes)
    except TooMany as exc:
        return {"guarded": False, "why": str(exc)}
    (folder / SNAPSHOT).write_text(json.dumps(_encode(dumped, taken)), encoding="utf-8")
    return {
        "guarded": True,
        "database": _place(server.db),
        "keys": sum(map(len, dumped.values())),
    }


def _place(db: int | None) -> str:
    return f"redis db {db}" if db is not None else "redis"


def changes(before: Dumped, now: Dumped, elapsed_ms: int) -> tuple[list[bytes], dict[bytes, str]]:
    """Keys to delete (created by the suite), and keys to restore with their change
    (``changed``, ``deleted``); a key whose time to live ran out is not missed."""
    created = sorted(now.keys() - before.keys())
    restore: dict[bytes, str] = {}
    for name, (payload, ttl) in sorted(before.items()):
        current = now.get(name)
        if current is None:
            if ttl < 0 or ttl > elapsed_ms:
                restore[name] = "deleted"
        elif current[0] != payload or (current[1] < 0) != (ttl < 0):
            restore[name] = "changed"
    return created, restore


def restore(server: Server, folder: Path) -> dict[str, Any]:
    snap, taken = _decode(json.loads((folder / SNAPSHOT).read_text(encoding="utf-8")))
    elapsed_ms = int((time.time() - taken) * 1000)
    entries: list[Entry] = []
    errors: list[str] = []
    for db in sorted(set(snap) | set(server.databases())):
        before = snap.get(db, {})
        try:
            now = server.dump(db, 10 * MAX_KEYS, 4 * MAX_BYTES)
        except TooMany as exc:
            errors.append(f"redis db {db}: {exc}")
            continue
        created, changed = changes(before, now, elapsed_ms)
        if not created and not changed:
            continue
        pipe = server.client(db).pipeline(transaction=True)
        if created:
            pipe.delete(*created)
        for name in changed:
            payload, ttl = before[name]
            pipe.restore(name, 0 if ttl < 0 else max(1, ttl - elapsed_ms), payload, replace=True)
        try:
            replies = pipe.execute(raise_on_error=False)
        except Exception as exc:  # nothing ran (a connection lost before EXEC)
            replies = [exc] * (bool(created) + len(changed))
        done = iter(replies)
        if created:
            failed = next(done)
            for name in created:
                entries.append(_entry(db, name, "created", failed))
        for name, change in changed.items():
            entries.append(_entry(db, name, change, next(done)))
    return {"entries": [e.to_json() for e in entries], "error": "; ".join(errors)}


def _entry(db: int, name: bytes, change: str, reply: object) -> Entry:
    if isinstance(reply, Exception):
        return Entry("key", display(name), change, False, describe(reply), _place(db))
    return Entry("key", display(name), change, database=_place(db))


def answer(request: Mapping[str, Any]) -> dict[str, Any]:
    """The answer to one request (errors included, as data)."""
    command = request.get("command")
    folder = Path(str(request["folder"]))
    try:
        server = Server(str(request["url"]))
    except NoDriver as exc:
        return {"guarded": False, "why": str(exc), "entries": [], "error": str(exc)}
    try:
        if command == "snapshot":
            try:
                return snapshot(
                    server,
                    folder,
                    int(request.get("max_keys", MAX_KEYS)),
                    int(request.get("max_bytes", MAX_BYTES)),
                )
            except Exception as exc:
                return {"guarded": False, "why": "cannot read it: " + describe(exc)}
        if command == "restore":
            try:
                return restore(server, folder)
            except Exception as exc:
                return {"entries": [], "error": "cannot look at it: " + describe(exc)}
        return {"error": f"unknown command {command!r}"}
    finally:
        server.close()


def main() -> int:
    json.dump(answer(json.loads(sys.stdin.read())), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
