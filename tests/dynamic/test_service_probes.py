"""The database and Redis probes against real servers (PostgreSQL, Redis on 127.0.0.1).

A server that does not answer within 1 s skips its tests, unless ``TA_REQUIRE_SERVICES=1``
(CI sets it): then they fail.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from auditor.dynamic.probes import (
    Change,
    ProbeContext,
    database_tables,
    database_url,
    diff,
    redis_keys,
)
from auditor.dynamic.probes import database as database_probe
from auditor.dynamic.probes.database import DatabaseProbe, table_key
from auditor.dynamic.probes.redis_keys import RedisKeysProbe
from tests.services import HOST, PG_DATABASE, PG_PORT, REDIS_DB, TIMEOUT, Postgres


@dataclass(frozen=True)
class Scratch:
    """A schema of our own and an autocommit connection to write in it."""

    conn: psycopg.Connection[Any]
    schema: str

    def run(self, sql: str) -> None:
        self.conn.execute(sql.replace("{s}", f'"{self.schema}"'))

    def key(self, table: str) -> str:
        return table_key(self.schema, table)


@pytest.fixture
def scratch(postgres: Postgres) -> Iterator[Scratch]:  # noqa: TA206 -- a fresh connection per test: the probe must see only this test
    schema = f"ta_probe_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')  # noqa: TA207 -- a schema per test on purpose: each probe test starts from nothing
        try:
            yield Scratch(conn, schema)
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _probe(db_url: str, **settings: str) -> DatabaseProbe:
    probe = database_probe.factory(
        ProbeContext(Path.cwd(), settings={"db_url": db_url, **settings})
    )
    assert probe is not None
    return probe


def _ours(changes: list[Change], scratch: Scratch) -> list[tuple[str, str | None, str | None]]:
    """The changes in the scratch schema (the database may be shared)."""
    prefix = f"database table '{scratch.schema}."
    return [(c.key, c.before, c.after) for c in changes if c.key.startswith(prefix)]


# -- database: PostgreSQL -------------------------------------------------------------------


@pytest.mark.postgres
def test_rows_committed_by_another_connection_show_in_the_diff(
    postgres: Postgres, scratch: Scratch
) -> None:
    scratch.run("CREATE TABLE {s}.users (id serial PRIMARY KEY, email text)")
    scratch.run("CREATE TABLE {s}.orders (id serial PRIMARY KEY)")
    probe = _probe(postgres.url)
    before = probe.snapshot()
    assert before[scratch.key("users")] == "0 rows"
    scratch.run("INSERT INTO {s}.users (email) VALUES ('a@x'), ('b@x'), ('c@x')")
    scratch.run("INSERT INTO {s}.orders DEFAULT VALUES")
    after = probe.snapshot()
    assert _ours(diff("database", before, after), scratch) == [
        (scratch.key("orders"), "0 rows", "1 row"),
        (scratch.key("users"), "0 rows", "3 rows"),
    ]
    assert "database error" not in after


@pytest.mark.postgres
def test_uncommitted_rows_are_not_counted(postgres: Postgres, scratch: Scratch) -> None:
    scratch.run("CREATE TABLE {s}.items (id int)")
    probe = _probe(postgres.url)
    before = probe.snapshot()
    with psycopg.connect(postgres.dsn) as other:  # a transaction left open
        other.execute(f'INSERT INTO "{scratch.schema}".items VALUES (1)')
        assert _ours(diff("database", before, probe.snapshot()), scratch) == []
        other.rollback()


@pytest.mark.postgres
def test_tables_created_renamed_and_dropped(postgres: Postgres, scratch: Scratch) -> None:
    probe = _probe(postgres.url)
    first = probe.snapshot()
    scratch.run("CREATE TABLE {s}.audit (id int)")
    scratch.run("INSERT INTO {s}.audit VALUES (1), (2)")
    second = probe.snapshot()
    assert _ours(diff("database", first, second), scratch) == [
        (scratch.key("audit"), None, "2 rows")
    ]
    scratch.run("ALTER TABLE {s}.audit RENAME TO audit_log")
    third = probe.snapshot()
    assert _ours(diff("database", second, third), scratch) == [
        (scratch.key("audit"), "2 rows", None),
        (scratch.key("audit_log"), None, "2 rows"),
    ]
    scratch.run("DROP TABLE {s}.audit_log")
    assert _ours(diff("database", third, probe.snapshot()), scratch) == [
        (scratch.key("audit_log"), "2 rows", None)
    ]


@pytest.mark.postgres
def test_many_tables_in_several_statements(
    postgres: Postgres, scratch: Scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_tables, "CHUNK", 2)
    for name in "abcde":
        scratch.run(f"CREATE TABLE {{s}}.{name} (id int)")
    scratch.run("INSERT INTO {s}.e VALUES (1)")
    snapshot = _probe(postgres.url).snapshot()
    assert {name: snapshot[scratch.key(name)] for name in "abcde"} == {
        "a": "0 rows",
        "b": "0 rows",
        "c": "0 rows",
        "d": "0 rows",
        "e": "1 row",
    }


@pytest.mark.postgres
def test_odd_table_names_are_quoted(postgres: Postgres, scratch: Scratch) -> None:
    scratch.run('CREATE TABLE {s}."Mixed Case %s :x ""q""" (id int)')
    scratch.run('INSERT INTO {s}."Mixed Case %s :x ""q""" VALUES (1)')
    snapshot = _probe(postgres.url).snapshot()
    assert snapshot[scratch.key('Mixed Case %s :x "q"')] == "1 row"


@pytest.mark.postgres
def test_a_held_lock_does_not_hang_the_probe(postgres: Postgres, scratch: Scratch) -> None:
    scratch.run("CREATE TABLE {s}.busy (id int)")
    scratch.run("CREATE TABLE {s}.free (id int)")
    scratch.run("INSERT INTO {s}.free VALUES (1)")
    probe = _probe(postgres.url)
    before = probe.snapshot()
    with psycopg.connect(postgres.dsn) as holder:
        holder.execute(f'LOCK TABLE "{scratch.schema}".busy IN ACCESS EXCLUSIVE MODE')
        started = time.monotonic()
        during = probe.snapshot()
        elapsed = time.monotonic() - started
        holder.rollback()
    assert elapsed < 3, elapsed  # noqa: TA402 -- the bound is the behaviour under test: a held lock must not hang
    assert during[scratch.key("busy")] == "locked"
    assert during[scratch.key("free")] == "1 row"
    assert _ours(diff("database", before, probe.snapshot()), scratch) == []


@pytest.mark.postgres
@pytest.mark.parametrize("form", ["sqlalchemy url", "libpq url", "dsn", "url without sqlalchemy"])
def test_url_and_dsn_forms(
    postgres: Postgres, scratch: Scratch, form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = postgres.url.split("://", 1)[1].split("@", 1)[0]
    db_url = {
        "sqlalchemy url": postgres.url,
        "libpq url": f"postgresql://{user}@{HOST}:{PG_PORT}/{PG_DATABASE}",
        "dsn": postgres.dsn,
        "url without sqlalchemy": postgres.url,
    }[form]
    if form == "url without sqlalchemy":
        importable = database_url.importable
        monkeypatch.setattr(
            database_url, "importable", lambda name: name != "sqlalchemy" and importable(name)
        )
    scratch.run("CREATE TABLE {s}.t (id int)")
    scratch.run("INSERT INTO {s}.t VALUES (1), (2)")
    probe = _probe(db_url)
    snapshot = probe.snapshot()
    assert "database error" not in snapshot, snapshot
    assert snapshot[scratch.key("t")] == "2 rows"
    probe.close()


@pytest.mark.postgres
def test_an_async_driver_in_the_url_is_swapped_for_a_sync_one(
    postgres: Postgres, scratch: Scratch
) -> None:
    scratch.run("CREATE TABLE {s}.t (id int)")
    snapshot = _probe(postgres.url.replace("+psycopg", "+asyncpg")).snapshot()
    assert snapshot[scratch.key("t")] == "0 rows"


@pytest.mark.postgres
def test_the_probe_keeps_no_connection_so_a_suite_can_drop_its_database(
    postgres: Postgres,
) -> None:
    name = f"ta_probe_db_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres.dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            probe = _probe(postgres.url.rsplit("/", 1)[0] + "/" + name)
            assert probe.snapshot() == {}
        finally:
            admin.execute(f'DROP DATABASE "{name}"')  # fails while a connection is open


# -- database: no server needed ---------------------------------------------------------


def test_unreachable_database_gives_an_error_key_quickly() -> None:
    probe = _probe(f"postgresql+psycopg://postgres@{HOST}:1/test")
    started = time.monotonic()
    snapshot = probe.snapshot()
    assert time.monotonic() - started < 5  # noqa: TA402 -- the bound is the behaviour under test: an unreachable server fails fast
    assert list(snapshot) == ["database error"]
    assert snapshot["database error"].startswith("cannot connect: ")
    assert probe.snapshot() == snapshot  # stable: no diff from an outage alone


def test_sqlite_url(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    probe = _probe(f"sqlite:///{path}")
    assert probe.snapshot() == {}
    assert not path.exists()  # read-only: the probe does not create the file
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    before = probe.snapshot()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO users VALUES (1)")
    changes = diff("database", before, probe.snapshot())
    assert [(c.key, c.before, c.after) for c in changes] == [
        ("database table 'main.users' rows", "0 rows", "1 row")
    ]


def test_sqlite_relative_url_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with sqlite3.connect("rel.db") as conn:
        conn.execute("CREATE TABLE t (id int)")
    assert _probe("sqlite:///rel.db", db_timeout="2").snapshot() == {
        "database table 'main.t' rows": "0 rows"
    }


def test_factory_applies_only_to_a_usable_url() -> None:
    def make(settings: dict[str, str]) -> DatabaseProbe | None:
        return database_probe.factory(ProbeContext(Path.cwd(), settings=settings))

    assert make({}) is None
    assert make({"db_url": "  "}) is None
    with pytest.raises(ValueError, match="in-memory"):
        make({"db_url": "sqlite:///:memory:"})
    with pytest.raises(ValueError, match="PostgreSQL and SQLite only"):
        make({"db_url": "mysql+pymysql://root@localhost/test"})


# -- redis ------------------------------------------------------------------------------


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:  # noqa: TA206 -- a client per test: each test flushes its own keys
    client = redis.Redis.from_url(redis_url, socket_timeout=TIMEOUT)
    yield client
    client.close()


def _redis_probe(url: str) -> RedisKeysProbe:
    probe = redis_keys.factory(ProbeContext(Path.cwd(), settings={"redis_url": url}))
    assert probe is not None
    return probe


def test_redis_probe_sees_a_new_key_and_the_count(
    redis_url: str, redis_client: redis.Redis
) -> None:
    name = f"ta-probe:session:{uuid.uuid4().hex[:8]}"
    probe = _redis_probe(redis_url)
    before = probe.snapshot()
    keys = int(before[f"redis db {REDIS_DB} keys"].split()[0])
    try:
        redis_client.hset(name, mapping={"user": "42", "role": "admin"})
        after = probe.snapshot()
    finally:
        redis_client.delete(name)
    changes = {c.key: (c.before, c.after) for c in diff(probe.name, before, after)}
    assert changes[f"redis db {REDIS_DB} key {name!r}"] == (None, "hash, 2 fields")
    plural = "key" if keys + 1 == 1 else "keys"
    assert changes[f"redis db {REDIS_DB} keys"][1] == f"{keys + 1} {plural}"
    probe.close()


def test_redis_probe_without_a_database_watches_every_nonempty_one(
    redis_url: str, redis_client: redis.Redis
) -> None:
    name = f"ta-probe:{uuid.uuid4().hex[:8]}"
    redis_client.set(name, "abc")
    try:
        snapshot = _redis_probe(redis_url.rsplit("/", 1)[0]).snapshot()
    finally:
        redis_client.delete(name)
    assert snapshot[f"redis db {REDIS_DB} key {name!r}"] == "string, 3 bytes"


def test_redis_probe_names_keys_only_under_the_cap(
    redis_url: str, redis_client: redis.Redis
) -> None:
    names = [f"ta-probe:cap:{uuid.uuid4().hex[:8]}:{i}" for i in range(3)]
    probe = RedisKeysProbe(redis_url, max_keys=2)
    try:
        for name in names:
            redis_client.set(name, "1")
        snapshot = probe.snapshot()
    finally:
        redis_client.delete(*names)
    assert snapshot[f"redis db {REDIS_DB} key names"] == "not listed (over 2 keys)"
    assert not any(name in key for key in snapshot for name in names)


def test_redis_factory_and_unreachable_server() -> None:
    assert redis_keys.factory(ProbeContext(Path.cwd())) is None
    probe = _redis_probe(f"redis://{HOST}:1/0")
    snapshot = probe.snapshot()
    assert list(snapshot) == ["redis error"]
    assert probe.snapshot() == snapshot
