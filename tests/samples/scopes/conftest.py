"""Root conftest of the scopes sample.

``db`` is session-scoped here. test_override_2_function_db.py overrides it with
a function-scoped ``db``; ``warm_cache`` below (session) requests ``db``. pytest
resolves ``db`` from the location of the *test* that (indirectly) asked for
``warm_cache``, so the mismatch exists only for tests in that module.
"""

from types import SimpleNamespace

import pytest


@pytest.fixture(scope="session")
def db():
    return SimpleNamespace(name="session-db", rows={})


@pytest.fixture(scope="session")
def warm_cache(db):
    # session -> db: fine where db is the session one above,
    # ScopeMismatch where a module overrides db with a function-scoped fixture.
    return {"db": db.name, "entries": 3}
