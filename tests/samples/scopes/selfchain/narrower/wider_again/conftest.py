import pytest


@pytest.fixture(scope="session")
def store(store):  # session -> module (its parent, narrower/conftest.py): ScopeMismatch
    return [*store, "session-again"]
