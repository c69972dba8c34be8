"""Keys in Redis: a key a test writes and never deletes, the way a team writes its own probe.

Given ``--redis-url`` (setting ``redis_url``) and the ``redis`` package, the probe reports
the number of keys per database (``DBSIZE``) and, when a database holds at most
:data:`MAX_KEYS` keys, every key by name (``SCAN``) with its type and size::

    redis db 15 keys = 1 key (was 0 keys)
    redis db 15 key 'session:42' = hash, 3 fields (was unset)

A URL naming a database (``redis://127.0.0.1:6379/15``) watches that database only; one
without (``redis://127.0.0.1:6379``) watches every database that holds keys (``INFO
keyspace``). Only read commands are sent (``INFO``, ``DBSIZE``, ``SCAN``, ``TYPE`` and the
length commands), with 1 s socket timeouts; an unreachable server gives one key,
``redis error``.

Writing your own probe
----------------------

A probe is any object with a short stable ``name`` and a ``snapshot()`` returning a flat
``{readable key: short fingerprint}`` mapping; it must be cheap and must not change state.
A factory builds it from a :class:`~auditor.dynamic.probes.ProbeContext` (rootdir, temporary
folders, ``settings``: the driver's options and the ``[tool.test-auditor.leaks.probes]``
table) and returns ``None`` when it does not apply. For example, files left in an upload
folder::

    # acme_probes.py
    from pathlib import Path

    class UploadsProbe:
        name = "uploads"

        def __init__(self, folder: Path) -> None:
            self.folder = folder

        def snapshot(self) -> dict[str, str]:
            return {
                f"upload {p.name!r}": f"{p.stat().st_size} bytes"
                for p in sorted(self.folder.glob("*"))
            }

    def factory(context):
        folder = context.settings.get("uploads_dir")
        return UploadsProbe(context.rootdir / folder) if folder else None

Register the factory under the entry point group ``test_auditor.probes`` in the
``pyproject.toml`` of any distribution installed next to the suite (this project registers
this module the same way)::

    [project.entry-points."test_auditor.probes"]
    uploads = "acme_probes:factory"

Import heavy or optional libraries inside the factory or the probe, not at module level: the
probe runs inside the user's pytest process, and a missing library should mean ``None``, not
an import error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from auditor.dynamic.probes import ProbeContext, Snapshot, short

NAME = "redis-keys"
"""As the entry point is named, so ``--probes redis-keys`` selects it."""
ERROR_KEY = "redis error"
MAX_KEYS = 1000
"""A database with more keys is reported by count only."""
TIMEOUT = 1.0
"""Seconds, for connecting and for each reply."""
SCAN_BATCH = 500

_LENGTHS = {
    "string": ("STRLEN", "byte"),
    "hash": ("HLEN", "field"),
    "list": ("LLEN", "item"),
    "set": ("SCARD", "member"),
    "zset": ("ZCARD", "member"),
    "stream": ("XLEN", "entry"),
}


def count(n: int, noun: str) -> str:
    """``'1 key'``, ``'5 keys'``, ``'2 entries'``."""
    if n == 1:
        return f"{n} {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{n} {noun[:-1]}ies"
    return f"{n} {noun}s"


def explicit_db(url: str) -> int | None:
    """The database a URL names (``/15`` or ``?db=15``), ``None`` when it names none."""
    parts = urlsplit(url)
    values = parse_qs(parts.query).get("db")
    text = values[0] if values else parts.path.strip("/")
    return int(text) if text.isdigit() else None


def display(name: bytes) -> str:
    """A key name as shown in a snapshot key: ``'session:42'``, ``b'\\xff'`` if not UTF-8."""
    try:
        text = repr(name.decode("utf-8"))
    except UnicodeDecodeError:
        text = repr(name)
    return short(text, 200)


class RedisKeysProbe:
    """Key counts and key names per Redis database; see the module docstring."""

    name = NAME

    def __init__(self, url: str, max_keys: int = MAX_KEYS) -> None:
        self.url = url
        self.max_keys = max_keys
        self._db = explicit_db(url)
        self._clients: dict[int, Any] = {}

    def snapshot(self) -> Snapshot:
        try:
            return self._snapshot()
        except Exception as exc:
            lines = str(exc).strip().splitlines()
            first = lines[0] if lines else ""
            return {ERROR_KEY: short(f"{type(exc).__name__}: {first}".rstrip(": "))}

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client(self, db: int) -> Any:
        client = self._clients.get(db)
        if client is None:
            import redis

            options: dict[str, Any] = {
                "socket_timeout": TIMEOUT,
                "socket_connect_timeout": TIMEOUT,
                "client_name": "test-auditor-probe",
            }
            if self._db is None:
                options["db"] = db  # the URL names no database, so this one applies
            client = redis.Redis.from_url(self.url, **options)
            self._clients[db] = client
        return client

    def _databases(self) -> list[int]:
        if self._db is not None:
            return [self._db]
        keyspace = self._client(0).info("keyspace")
        found = {int(name[2:]) for name in keyspace if name.startswith("db") and name[2:].isdigit()}
        return sorted(found)

    def _snapshot(self) -> dict[str, str]:
        result: dict[str, str] = {}
        for db in self._databases():
            client = self._client(db)
            size = int(client.dbsize())
            result[f"redis db {db} keys"] = count(size, "key")
            if size == 0:
                continue
            names = self._scan(client)
            if names is None:
                result[f"redis db {db} key names"] = f"not listed (over {self.max_keys} keys)"
                continue
            for name, fingerprint in self._describe(client, names).items():
                result[f"redis db {db} key {display(name)}"] = fingerprint
        return result

    def _scan(self, client: Any) -> list[bytes] | None:
        """Every key name, or ``None`` when there are more than ``max_keys``."""
        names: set[bytes] = set()  # SCAN may return a key twice
        cursor = 0
        while True:
            cursor, batch = client.scan(cursor=cursor, count=SCAN_BATCH)
            names.update(batch)
            if len(names) > self.max_keys:
                return None
            if int(cursor) == 0:
                return sorted(names)

    def _describe(self, client: Any, names: list[bytes]) -> dict[bytes, str]:
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.type(name)
        types = [t.decode() if isinstance(t, bytes) else str(t) for t in pipe.execute()]
        present = [(name, kind) for name, kind in zip(names, types, strict=True) if kind != "none"]
        pipe = client.pipeline(transaction=False)
        measured = [(name, kind) for name, kind in present if kind in _LENGTHS]
        for name, kind in measured:
            pipe.execute_command(_LENGTHS[kind][0], name)
        replies = pipe.execute() if measured else []
        lengths = dict(zip([name for name, _ in measured], replies, strict=True))
        result: dict[bytes, str] = {}
        for name, kind in present:
            if kind in _LENGTHS:
                result[name] = f"{kind}, {count(int(lengths[name]), _LENGTHS[kind][1])}"
            else:
                result[name] = kind
        return result


def factory(context: ProbeContext) -> RedisKeysProbe | None:
    """The probe for ``context.settings['redis_url']``; ``None`` without one or without the
    ``redis`` package."""
    url = context.settings.get("redis_url", "").strip()
    if not url:
        return None
    try:
        import redis  # noqa: F401
    except ImportError:
        return None
    return RedisKeysProbe(url)
