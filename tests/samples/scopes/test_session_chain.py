"""Chains of three fixtures.

* config -> engine -> schema, all session-scoped: fine, passes.
* report -> aggregator -> clock_now: session -> session -> function. pytest:
  ERROR (ScopeMismatch) for test_report; the message names ``aggregator``
  (the session fixture that requested the function-scoped ``clock_now``).
"""

import pytest


@pytest.fixture(scope="session")
def config():
    return {"url": "postgresql://localhost/test"}


@pytest.fixture(scope="session")
def engine(config):
    return {"engine_for": config["url"]}


@pytest.fixture(scope="session")
def schema(engine):
    return {"tables": ["users", "orders"], "engine": engine}


def test_schema_is_built_once(schema):  # passes
    assert schema["engine"]["engine_for"].startswith("postgresql")


@pytest.fixture
def clock_now():
    return 1_700_000_000


@pytest.fixture(scope="session")
def aggregator(clock_now):  # session -> function: ScopeMismatch
    return {"since": clock_now}


@pytest.fixture(scope="session")
def report(aggregator):  # session -> session: fine by itself
    return {"aggregator": aggregator}


def test_report(report):  # ERROR (through report -> aggregator -> clock_now)
    assert report["aggregator"]["since"] > 0
