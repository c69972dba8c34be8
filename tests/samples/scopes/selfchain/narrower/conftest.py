import pytest


@pytest.fixture(scope="module")
def store(store):  # module -> session (its parent): fine
    return [*store, "module"]
