import pytest


@pytest.fixture
def db(db):
    return [*db, "deeper-conftest"]
