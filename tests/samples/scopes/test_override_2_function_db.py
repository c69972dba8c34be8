"""Overrides ``db`` with a function-scoped fixture, CHANGING its scope.

The conftest's session-scoped ``warm_cache`` requests ``db``. pytest resolves
that ``db`` from this module (the requesting test's location), finds the
function-scoped override, and raises ScopeMismatch, even though
``warm_cache`` was already created and cached by test_override_1_session_db.py.

pytest: ERROR (ScopeMismatch) for test_warm_cache_here; the other two pass.
"""

from types import SimpleNamespace

import pytest


@pytest.fixture
def db():  # overrides the conftest's session-scoped db, function scope
    return SimpleNamespace(name="function-db", rows={})


def test_db_is_the_override(db):  # passes
    assert db.name == "function-db"


def test_warm_cache_here(warm_cache):  # ERROR: session warm_cache -> function db
    assert warm_cache["entries"] == 3


def test_override_and_cache_not_requested(db):  # passes
    db.rows[1] = "x"
    assert db.rows == {1: "x"}
