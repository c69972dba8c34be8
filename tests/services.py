"""The local PostgreSQL and Redis servers, as fixtures: skip when unreachable, fail under
``TA_REQUIRE_SERVICES=1`` (CI sets it, so service tests can never be skipped silently there)."""

from __future__ import annotations

import os
import socket
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
