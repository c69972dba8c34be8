"""Tiers on suites nobody here tuned on, round 18 (issue 14): the general patterns behind
the misses of the tuning half (Flask-Cors 6.0.5, sqlalchemy-json 0.7.0; flask-compress
1.25 and asgi-lifespan 2.1.0 had none), each on a small suite written to disk."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_tiers_fresh_round import decisive, tiers_of

BASE_CASE = """\
import unittest

from flask import Flask


class AppCase(unittest.TestCase):
    def setUp(self):
        self.app = Flask(__name__)

    def _request(self, verb, path):
        with self.app.test_client() as client:
            return getattr(client, verb)(path)

    def get(self, path):
        return self._request("get", path)

    def each_response(self, path):
        for verb in ("get", "head"):
            yield self._request(verb, path)

    def check_header(self, name):
        return name.lower()
"""

CASE_TESTS = """\
from ..base_case import AppCase


class TestHeaders(AppCase):
    def test_through_get(self):
        assert self.get("/").status_code == 200

    def test_through_a_generator(self):
        for response in self.each_response("/"):
            assert response.status_code == 200

    def test_pure_helper(self):
        assert self.check_header("X-Name") == "x-name"
"""


def test_a_base_class_imported_from_another_module_lends_its_client_helpers(
    tmp_path: Path,
) -> None:
    """Flask-Cors: `self.get(...)` of a base class in tests/base_test.py, imported by
    ``from ..base_test import ...``, opens the app's test client."""
    tiers = tiers_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/base_case.py": BASE_CASE,
            "tests/web/__init__.py": "",
            "tests/web/test_headers.py": CASE_TESTS,
        },
    )
    prefix = "tests/web/test_headers.py::TestHeaders::"
    assert tiers.tests[prefix + "test_through_get"].tier == "integration"
    assert "`AppCase._request` (tests/base_case.py:10)" in decisive(
        tiers, prefix + "test_through_get"
    )
    assert tiers.tests[prefix + "test_through_a_generator"].tier == "integration"
    assert tiers.tests[prefix + "test_pure_helper"].tier == "unit"


def test_a_base_of_a_base_in_another_module_is_read(tmp_path: Path) -> None:
    """A test class on a base of tests/base_case.py that is a Django database test case;
    its neighbour on a plain unittest base of the same module stays a unit test."""
    base = (
        "import unittest\n\nfrom django.test import TestCase\n\n\n"
        "class DatabaseCase(TestCase):\n    pass\n\n\n"
        "class PlainCase(unittest.TestCase):\n    pass\n"
    )
    tests = (
        "from tests.base_case import DatabaseCase, PlainCase\n\n\n"
        "class TestStored(DatabaseCase):\n    def test_it(self):\n        assert True\n\n\n"
        "class TestPlain(PlainCase):\n    def test_it(self):\n        assert True\n"
    )
    tiers = tiers_of(
        tmp_path,
        {"tests/__init__.py": "", "tests/base_case.py": base, "tests/test_models.py": tests},
    )
    stored = "tests/test_models.py::TestStored::test_it"
    assert tiers.tests[stored].tier == "integration"
    assert "is a `django.test.TestCase`" in decisive(tiers, stored)
    assert tiers.tests["tests/test_models.py::TestPlain::test_it"].tier == "unit"


URL_CONSTANTS = """\
import os

import pytest
from sqlalchemy import create_engine

MEMORY_URL = "sqlite://"
SERVER_URL = "postgresql://localhost/test"


@pytest.fixture
def memory_engine():
    engine = create_engine(MEMORY_URL)
    yield engine


@pytest.fixture
def server_engine():
    return create_engine(SERVER_URL)


@pytest.fixture
def configured_engine():
    return create_engine(os.environ["DATABASE_URL"])


@pytest.fixture
def shadowing_engine():
    MEMORY_URL = os.environ["DATABASE_URL"]
    return create_engine(MEMORY_URL)
"""

ENGINE_TESTS = """\
def test_memory(memory_engine):
    assert memory_engine


def test_server(server_engine):
    assert server_engine


def test_configured(configured_engine):
    assert configured_engine


def test_shadowing(shadowing_engine):
    assert shadowing_engine
"""


def test_a_module_constant_names_where_the_engine_keeps_its_data(tmp_path: Path) -> None:
    """sqlalchemy-json: ``SQLALCHEMY_DATABASE_URL = "sqlite://"`` at the top of the module
    and ``create_engine(SQLALCHEMY_DATABASE_URL)`` in the fixture: an in-memory database.
    A constant naming a server keeps the engine integration; an engine named by the
    environment, beside constants it does not use or in a local variable spelled like
    one, keeps its tier."""
    tiers = tiers_of(tmp_path, {"conftest.py": URL_CONSTANTS, "test_it.py": ENGINE_TESTS})
    assert tiers.tests["test_it.py::test_memory"].tier == "unit"
    assert "an in-memory SQLite database (`sqlite://`) (conftest.py:6)" in decisive(
        tiers, "test_it.py::test_memory"
    )
    assert tiers.tests["test_it.py::test_server"].tier == "integration"
    assert "a PostgreSQL server" in decisive(tiers, "test_it.py::test_server")
    for name in ("test_configured", "test_shadowing"):
        configured = tiers.tests[f"test_it.py::{name}"]
        assert configured.tier == "integration"
        assert "sqlite://" not in str(configured.evidence)


def test_a_constant_imported_from_a_settings_module_is_followed(tmp_path: Path) -> None:
    """``from tests.settings import DB_URL`` then ``create_engine(DB_URL)``; a constant
    rebound to something else than a URL says nothing."""
    settings = 'DB_URL = "sqlite:///:memory:"\nOTHER = "sqlite://"\nOTHER = None\n'
    conftest = (
        "import pytest\nfrom sqlalchemy import create_engine\n\n"
        "from tests.settings import DB_URL, OTHER\n\n\n"
        "@pytest.fixture\ndef engine():\n    return create_engine(DB_URL)\n\n\n"
        "@pytest.fixture\ndef other():\n    return create_engine(OTHER)\n"
    )
    tests = "def test_a(engine):\n    assert engine\n\n\ndef test_b(other):\n    assert other\n"
    tiers = tiers_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/settings.py": settings,
            "tests/conftest.py": conftest,
            "tests/test_it.py": tests,
        },
    )
    assert tiers.tests["tests/test_it.py::test_a"].tier == "unit"
    assert "(tests/settings.py:1)" in decisive(tiers, "tests/test_it.py::test_a")
    assert tiers.tests["tests/test_it.py::test_b"].tier == "integration"
