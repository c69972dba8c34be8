"""Suite-wide configuration and fixtures for the shop back end."""

import os

import pytest

from shopapp.api import app
from shopapp.config import Settings
from shopapp.database import get_db
from shopapp.notifications import outbox
from shopapp.payments import PaymentGateway
from shopapp.testclient import TestClient
from tests.fixtures.clock import frozen_clock  # noqa: F401
from tests.fixtures.users import (  # noqa: F401
    admin_user,
    customer,
    customer_user,
    token_for,
    user_factory,
)

from .fixtures.orders import legacy_order_payload, order_factory, product_factory  # noqa: F401

pytest_plugins = ["tests.fixtures.database"]

# Tell the app it runs under test before anything reads the settings.
os.environ["SHOP_ENV"] = "test"


@pytest.fixture(scope="session")
def settings():
    return Settings()


@pytest.fixture(autouse=True)
def _clean_state(db_session):
    """Every test starts with an empty outbox and ends with a rolled-back session."""
    outbox.clear()
    yield
    db_session.rollback()


@pytest.fixture
def client(db_session):
    """A TestClient whose requests use the test's database session."""
    app.dependency_overrides[get_db] = lambda: db_session
    with TestClient(app) as test_client:
        yield test_client
    app.dependency_overrides.clear()


@pytest.fixture
def auth_client(client, customer_user, token_for):
    client.headers["Authorization"] = f"Bearer {token_for(customer_user)}"
    return client


@pytest.fixture
def gateway():
    return PaymentGateway(mode="sandbox")


@pytest.fixture(scope="session")
def redis_url():
    """Connection string of the cache used before 1.3 replaced Redis."""
    return os.environ.get("REDIS_URL", "redis://localhost:6379/1")
