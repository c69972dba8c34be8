"""Suite-wide fixtures.

One PostgreSQL container per session (testcontainers), the schema created from
the models once, and a connection -> session chain rolled back after every
test. ``client`` and ``async_client`` drive the whole FastAPI app with the
test's session injected.
"""

import pytest
import pytest_asyncio
from fastapi.testclient import TestClient
from httpx import ASGITransport, AsyncClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from testcontainers.postgres import PostgresContainer

from tests.utils.fakes import FakeGateway
from tiersapp.api.deps import get_db, get_gateway
from tiersapp.api.main import app
from tiersapp.config import Settings, get_settings
from tiersapp.db import Base


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch):
    """Every test reads the settings again, with the test environment switched on."""
    monkeypatch.setenv("TIERS_ENV", "test")
    monkeypatch.setenv("TIERS_JWT_SECRET", "test-secret")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def settings():
    return Settings(env="test", webhook_secret="whsec_test", jwt_secret="test-secret")


@pytest.fixture(scope="session")
def postgres_url():
    with PostgresContainer("postgres:16-alpine", driver="psycopg") as postgres:
        yield postgres.get_connection_url()


@pytest.fixture(scope="session")
def engine(postgres_url):
    engine = create_engine(postgres_url, future=True)
    Base.metadata.create_all(engine)
    yield engine
    Base.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def connection(engine):
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def db_session(connection):
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()


@pytest.fixture
def fake_gateway():
    return FakeGateway()


@pytest.fixture
def client(db_session, fake_gateway):
    app.dependency_overrides[get_db] = lambda: db_session
    app.dependency_overrides[get_gateway] = lambda: fake_gateway
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest_asyncio.fixture
async def async_client(db_session):
    overrides = {get_db: lambda: db_session}
    app.dependency_overrides.update(overrides)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://tiers.test") as http:
        yield http
    for dependency in overrides:
        app.dependency_overrides.pop(dependency, None)
