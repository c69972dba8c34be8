"""The local PostgreSQL and Redis servers, as fixtures: skip when unreachable, fail under
``TA_REQUIRE_SERVICES=1`` (CI sets it, so service tests can never be skipped silently there)."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NoReturn

import psycopg
import pytest
import redis

HOST = "127.0.0.1"
PG_PORT = 5432
PG_DATABASE = "test"
PG_USERS = ("postgres", "root")
REDIS_PORT = 6379
REDIS_DB = 14  # the leaks_pg sample uses 15
REDIS_GUARD_DB = 13
"""A database the Redis guard's tests empty and take over whole."""
TIMEOUT = 1.0


def _unavailable(service: str, reason: str) -> NoReturn:
    if os.environ.get("TA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{service} is required (TA_REQUIRE_SERVICES=1) but unreachable: {reason}")
    pytest.skip(f"{service} unreachable: {reason}")


def _port_open(port: int) -> str | None:
    """``None`` when something listens on ``HOST:port``, else why not."""
    try:
        with socket.create_connection((HOST, port), timeout=TIMEOUT):
            return None
    except OSError as error:
        return f"{HOST}:{port}: {error}"


@dataclass(frozen=True)
class Postgres:
    dsn: str
    """libpq keyword/value form."""
    url: str
    """SQLAlchemy form."""


@pytest.fixture(scope="session")
def postgres() -> Postgres:
    """A PostgreSQL server that accepts us, or skip (fail under ``TA_REQUIRE_SERVICES=1``)."""
    problem = _port_open(PG_PORT)
    if problem is not None:
        _unavailable("PostgreSQL", problem)
    errors = []
    for user in PG_USERS:
        dsn = f"host={HOST} port={PG_PORT} dbname={PG_DATABASE} user={user}"
        try:
            psycopg.connect(dsn, connect_timeout=2).close()
        except psycopg.Error as error:
            errors.append(f"{user}: {error}".strip())
            continue
        return Postgres(dsn, f"postgresql+psycopg://{user}@{HOST}:{PG_PORT}/{PG_DATABASE}")
    _unavailable("PostgreSQL", "; ".join(errors))


@dataclass(frozen=True)
class Scratch:
    """A database of one test's own."""

    name: str
    dsn: str
    """libpq keyword/value form."""
    url: str
    """SQLAlchemy form."""


@pytest.fixture
def scratch_database(postgres: Postgres) -> Iterator[Scratch]:  # noqa: TA206 -- a fresh database per test: the guard under test owns a whole database
    """A fresh database ``ta_guard_<random>`` on the local server, dropped at the end (with
    the sessions a test left open): for tests that change a whole database."""
    name = f"ta_guard_{secrets.token_hex(4)}"
    with psycopg.connect(postgres.dsn, autocommit=True, connect_timeout=2) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    user = postgres.url.split("://", 1)[1].split("@", 1)[0]
    try:
        yield Scratch(
            name,
            postgres.dsn.replace(f"dbname={PG_DATABASE}", f"dbname={name}"),
            f"postgresql+psycopg://{user}@{HOST}:{PG_PORT}/{name}",
        )
    finally:
        with psycopg.connect(postgres.dsn, autocommit=True, connect_timeout=2) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis server that answers PING, or skip (fail under ``TA_REQUIRE_SERVICES=1``)."""
    problem = _port_open(REDIS_PORT)
    if problem is not None:
        _unavailable("Redis", problem)
    url = f"redis://{HOST}:{REDIS_PORT}/{REDIS_DB}"
    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    try:
        client.ping()
    except redis.RedisError as error:
        _unavailable("Redis", str(error))
    finally:
        client.close()
    return url


@pytest.fixture
def scratch_redis(redis_url: str) -> Iterator[str]:  # noqa: TA206 -- emptied per test: the guard under test owns a whole Redis db
    """The URL of Redis db :data:`REDIS_GUARD_DB`, empty at the start and at the end."""
    url = f"redis://{HOST}:{REDIS_PORT}/{REDIS_GUARD_DB}"
    client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
    try:
        client.flushdb()
        yield url
    finally:
        client.flushdb()
        client.close()
