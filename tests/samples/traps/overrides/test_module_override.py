"""A module-level ``def db(db)`` on top of two conftest levels."""

import pytest


@pytest.fixture
def db(db):
    return [*db, "module"]


def test_db_chain_from_module(db):
    assert db == ["root-db", "overrides-conftest", "module"]
