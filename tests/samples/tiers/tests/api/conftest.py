"""API tests: the catalog seeded into the test database."""

import pytest

from tests.helpers.db import seed_plans


@pytest.fixture
def seeded_catalog(db_session):
    plans = seed_plans(db_session)
    db_session.flush()
    return [plan.code for plan in plans]
