import pytest


@pytest.fixture
def store(store):  # function -> session (its parent): fine
    return [*store, "function"]
