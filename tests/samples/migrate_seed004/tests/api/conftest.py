"""Fixtures of the API tests: a client on the rolled-back session."""

import pytest

from medapp.api import Client


@pytest.fixture
def client(db_session):
    return Client(db_session)
