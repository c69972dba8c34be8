"""Suite-wide fixtures: one file-backed SQLite database per session, a session per test
rolled back at its end, and the factories every module uses."""

import pytest

from medapp.db import Base, make_engine, session_for
from medapp.models import User


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "medapp.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(engine):
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    session = session_for(connection)
    yield session
    session.close()
    transaction.rollback()
    connection.close()


@pytest.fixture
def user_factory(db_session):
    made = []

    def make(email=None, name="Test User"):
        user = User(email=email or f"user{len(made)}@example.com", name=name)
        db_session.add(user)
        db_session.flush()
        made.append(user)
        return user

    return make
