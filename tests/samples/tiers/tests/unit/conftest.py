"""Unit-level fixtures: fakes and a frozen clock.

The SQLite engine was added in 2.3 "because Postgres is slow for model tests".
"""

from datetime import date

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from tests.utils.factories import PlanFactory
from tests.utils.fakes import FakeCache, FrozenClock, InMemorySubscriptionRepository
from tiersapp.db import Base
from tiersapp.services import SubscriptionService


@pytest.fixture
def frozen_clock():
    return FrozenClock(date(2024, 1, 31))


@pytest.fixture
def plans():
    prices = {"free": "0.00", "pro": "29.00", "team": "99.00"}
    return {code: PlanFactory(code=code, monthly_price=price) for code, price in prices.items()}


@pytest.fixture
def fake_repo():
    return InMemorySubscriptionRepository()


@pytest.fixture
def fake_cache():
    cache = FakeCache()
    cache.set("plan:free", '{"code": "free"}')
    return cache


@pytest.fixture
def service(fake_repo, fake_gateway, plans, frozen_clock, fake_cache):
    return SubscriptionService(
        repo=fake_repo, gateway=fake_gateway, plans=plans, clock=frozen_clock, cache=fake_cache
    )


def _enable_foreign_keys(dbapi_connection, _record):
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


@pytest.fixture(scope="module")
def memory_engine():
    engine = create_engine("sqlite+pysqlite:///:memory:", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _enable_foreign_keys)
    with engine.begin() as conn:
        Base.metadata.create_all(conn)
    return engine


@pytest.fixture
def memory_session(memory_engine):
    with Session(memory_engine) as session:
        yield session
        session.rollback()
