import pytest


@pytest.fixture(scope="module")
def db(db):
    """Overrides the root conftest's ``db`` and requests it (the parent)."""
    return [*db, "overrides-conftest"]
