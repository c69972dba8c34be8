"""Direct parametrization of a name that a session fixture requests.

``database_url`` is a session fixture, but test_engine_per_url parametrizes
``database_url`` directly (not indirect). pytest then gives ``database_url``
a function-scoped pseudo-fixture holding the parameter, and the session
fixture ``engine_for_url`` that requests it fails.

pytest: ERROR (ScopeMismatch) for both parametrized tests; test_default_engine,
which does not parametrize, passes.
"""

import pytest


@pytest.fixture(scope="session")
def database_url():
    return "sqlite://"


@pytest.fixture(scope="session")
def engine_for_url(database_url):
    return {"url": database_url}


def test_default_engine(engine_for_url):  # passes
    assert engine_for_url["url"] == "sqlite://"


@pytest.mark.parametrize("database_url", ["sqlite://", "postgresql://db/test"])
def test_engine_per_url(engine_for_url, database_url):  # ERROR (x2)
    assert engine_for_url["url"] == database_url
