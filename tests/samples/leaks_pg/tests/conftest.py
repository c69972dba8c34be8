from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from orderdesk.db import Base, make_engine
from orderdesk.models import User
from orderdesk.sessions import SessionStore

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# The `test` database is shared: everything of this suite lives in its own schema
# (one per xdist worker), dropped and created again at session start and dropped at the
# end. Redis db 15 is flushed at both ends (only this worker's keys under xdist).
SCHEMA = "leaks_pg" + (f"_{WORKER}" if WORKER else "")
KEY_PREFIX = "orderdesk:" + (f"{WORKER}:" if WORKER else "")


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    engine = make_engine(DATABASE_URL, SCHEMA)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
        Base.metadata.create_all(conn)
    yield engine
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    engine.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session per test; whatever the test did is rolled back at teardown."""
    session = Session(bind=engine, expire_on_commit=False)
    session.begin()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def customer(db_session: Session) -> User:
    """A registered customer, saved the way the user factories save."""
    user = User(email="casey@example.com", name="Casey")
    db_session.add(user)
    db_session.commit()
    return user


@pytest.fixture(scope="session")
def redis_client() -> Iterator[Redis]:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3)
    _clear(client)
    yield client
    _clear(client)
    client.close()


def _clear(client: Redis) -> None:
    if WORKER:
        for key in client.scan_iter(match=f"{KEY_PREFIX}*"):
            client.delete(key)
    else:
        client.flushdb()


@pytest.fixture
def store(redis_client: Redis) -> SessionStore:
    return SessionStore(redis_client, prefix=KEY_PREFIX)
