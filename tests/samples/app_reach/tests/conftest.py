from unittest.mock import Mock

import pytest

from app import create_app
from app.db import InMemoryRepository, Repository
from app.web import TestClient


@pytest.fixture
def db(tmp_path):
    return Repository(tmp_path / "users.db")


@pytest.fixture
def memory_users():
    return InMemoryRepository()


@pytest.fixture
def client(tmp_path):
    return TestClient(create_app(str(tmp_path / "app.db")))


@pytest.fixture
def mocked_client():
    client = Mock()
    client.get.return_value.status = 200
    return client
