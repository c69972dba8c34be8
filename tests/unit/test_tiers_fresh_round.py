"""Tiers on suites nobody here tuned on, sixth and seventh rounds (issue 14): the general
patterns behind the misses of the tuning halves (sqlalchemy-history 2.2.1, aiohttp-session
2.12.1; pytest-httpserver 1.2.1, httpretty 1.1.4) and sqlite-utils 3.37's file databases,
each on a small suite written to disk."""

from __future__ import annotations

from pathlib import Path

from auditor.analysis.tier_model import Tiers
from auditor.pipeline import analyse_path
from auditor.testing import write_tree


def tiers_of(tmp_path: Path, files: dict[str, str]) -> Tiers:
    write_tree(tmp_path, {"pytest.ini": "[pytest]\n", **files})
    return analyse_path(tmp_path).tiers


def decisive(tiers: Tiers, nodeid: str) -> str:
    return str(tiers.tests[nodeid].evidence[0])


URL_TABLE = """\
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session


def database_url(database):
    urls = {
        "postgres": "postgresql+psycopg2://postgres@localhost/test",
        "sqlite": "sqlite:///:memory:",
    }
    return urls[database]


@pytest.fixture(scope="session")
def engine(pytestconfig):
    return create_engine(database_url(pytestconfig.getvalue("db")))


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


def pytest_addoption(parser):
    parser.addoption("--db", choices=("sqlite", "postgres"), default="{default}")
"""

SESSION_TEST = "def test_saves(session):\n    assert session\n"


def test_a_table_of_urls_is_read_as_the_entry_a_plain_run_picks(tmp_path: Path) -> None:
    """sqlalchemy-history: `--db` picks the URL, SQLite in memory unless told otherwise."""
    tiers = tiers_of(
        tmp_path,
        {"conftest.py": URL_TABLE.replace("{default}", "sqlite"), "test_it.py": SESSION_TEST},
    )
    saved = tiers.tests["test_it.py::test_saves"]
    assert saved.tier == "unit"
    assert "PostgreSQL" not in str(saved.evidence)
    assert (
        "an in-memory SQLite database (`sqlite:///:memory:`), the 'sqlite' one of its "
        "alternatives, a plain run's default" in decisive(tiers, "test_it.py::test_saves")
    )


def test_the_default_may_pick_the_server(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {"conftest.py": URL_TABLE.replace("{default}", "postgres"), "test_it.py": SESSION_TEST},
    )
    assert tiers.tests["test_it.py::test_saves"].tier == "integration"
    assert "a PostgreSQL server" in decisive(tiers, "test_it.py::test_saves")


def test_branches_picked_by_an_environment_default(tmp_path: Path) -> None:
    """``if driver == "sqlite": return ...`` with ``os.environ.get("DB", "sqlite")``."""
    conftest = (
        "import os\n\nimport pytest\nimport sqlalchemy as sa\n\n\n"
        "def dsn(driver):\n"
        "    if driver == 'postgres':\n        return 'postgresql://localhost/test'\n"
        "    if driver == 'sqlite':\n        return 'sqlite:///:memory:'\n\n\n"
        "@pytest.fixture\ndef engine():\n"
        "    return sa.create_engine(dsn(os.environ.get('DB', 'sqlite')))\n"
    )
    tiers = tiers_of(
        tmp_path,
        {"conftest.py": conftest, "test_it.py": "def test_e(engine):\n    assert engine\n"},
    )
    assert tiers.tests["test_it.py::test_e"].tier == "unit"


def test_alternatives_without_a_default_in_sight_all_count(tmp_path: Path) -> None:
    conftest = URL_TABLE.replace('default="{default}"', "")
    tiers = tiers_of(tmp_path, {"conftest.py": conftest, "test_it.py": SESSION_TEST})
    assert tiers.tests["test_it.py::test_saves"].tier == "integration"


def test_a_fixture_of_a_helper_module_is_read_not_named(tmp_path: Path) -> None:
    """sqlalchemy-history's `connection` fixture lives on a base class in tests/__init__.py:
    its body is read; the name is not sqlalchemy.testing's `connection`."""
    tiers = tiers_of(
        tmp_path,
        {
            "tests/__init__.py": (
                "import pytest\n\n\nclass Base:\n    @pytest.fixture\n"
                "    def connection(self):\n        return {'rows': []}\n"
            ),
            "tests/test_rows.py": (
                "from tests import Base\n\n\nclass TestRows(Base):\n"
                "    def test_empty(self, connection):\n        assert connection['rows'] == []\n"
            ),
        },
    )
    assert tiers.tests["tests/test_rows.py::TestRows::test_empty"].tier == "unit"


def test_a_factory_fixture_never_called_starts_no_server(tmp_path: Path) -> None:
    """aiohttp-session's test_prepared_response_type asks for `aiohttp_client` and calls a
    middleware on a mocked request instead."""
    tests = (
        "from aiohttp.test_utils import make_mocked_request\n\n\n"
        "async def test_unused(aiohttp_client):\n"
        "    assert make_mocked_request('GET', '/')\n\n\n"
        "async def test_used(aiohttp_client):\n"
        "    client = await aiohttp_client(object())\n    assert client\n\n\n"
        "async def test_through_a_fixture(client):\n    assert client\n"
    )
    conftest = (
        "import pytest\n\n\n@pytest.fixture\nasync def client(aiohttp_client):\n"
        "    return await aiohttp_client(object())\n"
    )
    tiers = tiers_of(tmp_path, {"conftest.py": conftest, "test_app.py": tests})
    assert tiers.tests["test_app.py::test_unused"].tier == "unit"
    assert tiers.tests["test_app.py::test_used"].tier == "integration"
    assert tiers.tests["test_app.py::test_through_a_fixture"].tier == "integration"
    assert "aiohttp_client" in decisive(tiers, "test_app.py::test_used")


DATABASE = """\
import sqlite3


class Database:
    def __init__(self, filename=None, memory=False):
        if memory or filename == ":memory:":
            self.conn = sqlite3.connect(":memory:")
        else:
            self.conn = sqlite3.connect(str(filename))
"""

FILE_CONFTEST = """\
import sqlite3

import pytest

from app.db import Database


@pytest.fixture
def db_path(tmp_path):
    path = str(tmp_path / "test.db")
    sqlite3.connect(path).execute("create table t (x)")
    return path


@pytest.fixture
def fresh_db():
    return Database(memory=True)
"""


def test_the_suites_own_connect_to_a_file_is_not_the_projects_memory_default(
    tmp_path: Path,
) -> None:
    """sqlite-utils 3.37: `db_path` connects to a file under tmpdir; the ":memory:" that
    `Database.__init__` names does not say where that connection goes."""
    tiers = tiers_of(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/db.py": DATABASE,
            "tests/conftest.py": FILE_CONFTEST,
            "tests/test_db.py": (
                "from app.db import Database\n\n\n"
                "def test_file(db_path):\n    assert Database(db_path).conn\n\n\n"
                "def test_memory(fresh_db):\n    assert fresh_db.conn\n"
            ),
        },
    )
    on_file = tiers.tests["tests/test_db.py::test_file"]
    assert on_file.tier == "integration"
    assert decisive(tiers, "tests/test_db.py::test_file") == (
        "fixture `db_path` (tests/conftest.py:9) -> connects to a database "
        "(`sqlite3.connect`) (tests/conftest.py:11)"
    )
    assert tiers.tests["tests/test_db.py::test_memory"].tier == "unit"


# -- seventh round ----------------------------------------------------------------------

SERVER = """\
from werkzeug.serving import make_server


class Server:
    def __init__(self, app):
        self.app = app
        self.server = None

    def start(self):
        self.server = make_server("localhost", 0, self.app)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
"""


def test_a_werkzeug_server_the_project_starts_is_a_live_server(tmp_path: Path) -> None:
    """pytest-httpserver: the module's own `httpserver` fixture starts a
    BlockingHTTPServer, a context manager whose `start` serves through werkzeug's
    `make_server`."""
    tiers = tiers_of(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/server.py": SERVER,
            "tests/test_server.py": (
                "import pytest\nfrom werkzeug import Request\n\nfrom app.server import Server\n\n\n"
                "@pytest.fixture\ndef server():\n"
                "    with Server(object()) as server:\n        yield server\n\n\n"
                "def test_served(server):\n    assert server.server\n\n\n"
                "def test_request_only():\n    assert Request.from_values('/').path\n"
            ),
        },
    )
    served = "tests/test_server.py::test_served"
    assert tiers.tests[served].tier == "integration"
    assert "`werkzeug.serving.make_server`" in decisive(tiers, served)
    assert tiers.tests["tests/test_server.py::test_request_only"].tier == "unit"


def test_a_socket_opened_while_httpretty_is_enabled_is_its_fake(tmp_path: Path) -> None:
    """httpretty's tests/unit/test_httpretty.py: `HTTPretty.enable()` patches
    `socket.socket`, so the socket the test opens next is httpretty's fake."""
    tests = (
        "import socket\nfrom unittest.mock import MagicMock\n\n"
        "from httpretty import HTTPretty\n\n\n"
        "def test_faked():\n    HTTPretty.enable()\n"
        "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "    s.truesock = MagicMock()\n    assert s\n\n\n"
        "def test_real():\n    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "    assert s\n"
    )
    tiers = tiers_of(tmp_path, {"test_sockets.py": tests})
    assert tiers.tests["test_sockets.py::test_faked"].tier == "unit"
    assert "httpretty" in decisive(tiers, "test_sockets.py::test_faked")
    assert tiers.tests["test_sockets.py::test_real"].tier == "integration"


def test_httpretty_still_mocks_http(tmp_path: Path) -> None:
    tests = (
        "import httpretty\nimport requests\n\n\n@httpretty.activate\n"
        "def test_get():\n    httpretty.register_uri(httpretty.GET, 'http://x.test/')\n"
        "    assert requests.get('http://x.test/')\n"
    )
    tiers = tiers_of(tmp_path, {"test_http.py": tests})
    assert tiers.tests["test_http.py::test_get"].tier == "unit"


def test_sures_within_decorator_is_a_timed_assertion(tmp_path: Path) -> None:
    """httpretty's functional tests: `@within(two=miliseconds)` times the test and fails
    it past the budget; it decides over the functional/ folder and the mocked HTTP."""
    tests = (
        "import httpretty\nimport requests\nfrom sure import within, miliseconds\n\n\n"
        "@httpretty.activate\n@within(two=miliseconds)\n"
        "def test_fast(now):\n    httpretty.register_uri(httpretty.GET, 'http://x.test/')\n"
        "    assert requests.get('http://x.test/')\n\n\n"
        "@httpretty.activate\n"
        "def test_plain():\n    httpretty.register_uri(httpretty.GET, 'http://x.test/')\n"
        "    assert requests.get('http://x.test/')\n"
    )
    tiers = tiers_of(tmp_path, {"tests/functional/test_timed.py": tests})
    fast = "tests/functional/test_timed.py::test_fast"
    assert tiers.tests[fast].tier == "performance"
    assert "`sure.within`" in decisive(tiers, fast)
    assert tiers.tests["tests/functional/test_timed.py::test_plain"].tier == "unit"
