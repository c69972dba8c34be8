"""Mismatching fixtures reached through ``@pytest.mark.usefixtures``.

* test_seeded: usefixtures("seeded") where ``seeded`` (session) requests the
  function-scoped ``row_factory``: ERROR (ScopeMismatch).
* TestWithMarkOnClass: the class mark applies to both methods: ERROR (x2).
* test_clean: usefixtures("clean_tables") (function -> session): passes.
"""

import pytest


@pytest.fixture
def row_factory():
    return lambda n: [{"id": i} for i in range(n)]


@pytest.fixture(scope="session")
def seeded(row_factory):  # session -> function: ScopeMismatch
    return row_factory(3)


@pytest.fixture(scope="session")
def database():
    return {"tables": {"users": []}}


@pytest.fixture
def clean_tables(database):  # function -> session: fine
    for rows in database["tables"].values():
        rows.clear()


@pytest.mark.usefixtures("seeded")
def test_seeded():  # ERROR
    pass


@pytest.mark.usefixtures("seeded")
class TestWithMarkOnClass:
    def test_one(self):  # ERROR
        pass

    def test_two(self):  # ERROR
        pass


@pytest.mark.usefixtures("clean_tables")
def test_clean(database):  # passes
    assert database["tables"]["users"] == []
