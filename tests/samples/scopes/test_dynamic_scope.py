"""Dynamic scope: ``scope=`` is a callable, evaluated by pytest at run time.

``pick_scope`` returns "session" when the environment variable
SCOPES_SAMPLE_REUSE_DB is set, else "function". ``migrated_db`` (session)
requests ``dynamic_db``.

pytest, with SCOPES_SAMPLE_REUSE_DB unset (the default): ERROR (ScopeMismatch)
for test_migrations_ran. With SCOPES_SAMPLE_REUSE_DB=1 it passes.
Static analysis cannot know the scope; it should say so rather than guess.
"""

import os

import pytest


def pick_scope(fixture_name, config):
    return "session" if os.environ.get("SCOPES_SAMPLE_REUSE_DB") else "function"


@pytest.fixture(scope=pick_scope)
def dynamic_db():
    return {"migrated": False}


@pytest.fixture(scope="session")
def migrated_db(dynamic_db):  # session -> dynamic (function by default): ScopeMismatch
    dynamic_db["migrated"] = True
    return dynamic_db


def test_dynamic_db_alone(dynamic_db):  # passes in both cases
    assert dynamic_db["migrated"] in (False, True)


def test_migrations_ran(migrated_db):  # ERROR by default
    assert migrated_db["migrated"]
