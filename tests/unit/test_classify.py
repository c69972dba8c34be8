"""Tiers from what tests reach, with the evidence, on small suites written to disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.analysis.tier_model import Level, Tiers
from auditor.config import ConfigError
from auditor.pipeline import analyse_path
from auditor.testing import write_tree

CONFTEST = """\
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session


@pytest.fixture(scope="session")
def engine():
    return create_engine("postgresql://localhost/test")


@pytest.fixture
def db_session(engine):
    with Session(engine) as session:
        yield session


@pytest.fixture
def repository(db_session):
    return {"session": db_session}
"""


def tiers_of(tmp_path: Path, files: dict[str, str]) -> Tiers:
    write_tree(tmp_path, files)
    return analyse_path(tmp_path).tiers


def tier(tiers: Tiers, nodeid: str) -> str:
    return tiers.tests[nodeid].tier


def test_fixture_chain_reaching_an_engine_makes_integration(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "conftest.py": CONFTEST,
            "test_api.py": "def test_pure():\n    assert 1 + 1 == 2\n",
            "test_utils.py": "def test_saves(repository):\n    assert repository\n",
        },
    )
    assert tier(tiers, "test_api.py::test_pure") == "unit"
    saved = tiers.tests["test_utils.py::test_saves"]
    assert saved.tier == "integration"
    assert all(e.level is Level.REACH for e in saved.evidence)
    engine = next(e for e in saved.evidence if e.subject == "sqlalchemy.create_engine")
    assert "fixture `repository` -> `db_session` -> `engine` (conftest.py:7)" in engine.text
    assert (engine.path, engine.line) == ("conftest.py", 8)


def test_helper_in_the_suite_is_followed(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "tests/__init__.py": "",
            "tests/helpers/__init__.py": "",
            "tests/helpers/db.py": (
                "import psycopg\n\n\ndef make_user(name):\n"
                "    with psycopg.connect('dbname=test') as conn:\n"
                "        return conn.execute('insert', (name,))\n"
            ),
            "tests/test_users.py": (
                "from tests.helpers.db import make_user\nfrom .helpers import db\n\n\n"
                "def test_make(): \n    assert make_user('a')\n\n\n"
                "def test_module_attr():\n    assert db.make_user('b')\n\n\n"
                "def test_name():\n    assert 'a'.upper() == 'A'\n"
            ),
        },
    )
    made = tiers.tests["tests/test_users.py::test_make"]
    assert made.tier == "integration"
    assert "`make_user` (tests/helpers/db.py:4) -> connects to a database" in made.evidence[0].text
    assert tier(tiers, "tests/test_users.py::test_name") == "unit"


def test_mocks_turn_network_calls_back_into_unit(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "test_client.py": (
                "import requests\nimport responses\nfrom unittest import mock\n\n\n"
                "def test_real():\n    assert requests.get('https://example.com').ok\n\n\n"
                "@responses.activate\n"
                "def test_responses():\n    assert requests.get('https://example.com').ok\n\n\n"
                "def test_session_made_not_used():\n"
                "    assert requests.Session().should_strip_auth('http://a', 'https://a')\n\n\n"
                "def test_session_used():\n    session = requests.Session()\n"
                "    assert session.get('https://example.com').ok\n\n\n"
                "def test_patched():\n"
                "    with mock.patch('requests.get') as get:\n"
                "        requests.get('https://example.com')\n"
                "    assert get.called\n"
            ),
        },
    )
    assert tier(tiers, "test_client.py::test_real") == "integration"
    assert tier(tiers, "test_client.py::test_session_made_not_used") == "unit"
    assert tier(tiers, "test_client.py::test_session_used") == "integration"
    mocked = tiers.tests["test_client.py::test_responses"]
    assert mocked.tier == "unit"
    assert any("responses.activate" in note for note in mocked.mocked)
    patched = tiers.tests["test_client.py::test_patched"]
    assert patched.tier == "unit"
    assert any("mock.patch('requests.get')" in note for note in patched.mocked)


def test_performance_signals(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "test_speed.py": (
                "import asyncio\nimport time\n\n\n"
                "def test_timed():\n    start = time.perf_counter()\n    sum(range(10))\n"
                "    assert time.perf_counter() - start < 0.5\n\n\n"
                "def test_bench(benchmark):\n    benchmark(sum, [1, 2])\n\n\n"
                "async def test_load():\n"
                "    await asyncio.gather(*[asyncio.sleep(0) for _ in range(50)])\n\n\n"
                "def test_timestamp():\n    before = time.time()\n    after = time.time()\n"
                "    assert before <= after\n"
                "\n\n\ndef test_per_call():\n    started = time.perf_counter()\n"
                "    for _ in range(1000):\n        str(1)\n"
                "    per_call = (time.perf_counter() - started) / 1000\n"
                "    assert per_call < 50e-6\n\n\n"
                "def test_atime_within_run():\n    now = time.time()\n    a, b = 1, 2\n"
                "    duration = time.time() - now\n    assert (b - a) <= duration\n"
            ),
            "conftest.py": (
                "import pytest\n\n\n@pytest.fixture\ndef benchmark():\n"
                "    return lambda f, a: f(a)\n"
            ),
        },
    )
    timed = tiers.tests["test_speed.py::test_timed"]
    assert timed.tier == "performance"
    assert "times itself" in timed.evidence[0].text
    assert tier(tiers, "test_speed.py::test_load") == "performance"
    # a `benchmark` fixture of the suite's own is read, not matched by name
    assert tier(tiers, "test_speed.py::test_bench") == "unit"
    # two clock readings compared with each other are not a duration bound
    assert tier(tiers, "test_speed.py::test_timestamp") == "unit"
    assert tier(tiers, "test_speed.py::test_atime_within_run") == "unit"
    # a name computed from a difference of clock readings is a measurement
    assert tier(tiers, "test_speed.py::test_per_call") == "performance"


def test_reach_beats_marks_beat_folders_beat_names(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "conftest.py": CONFTEST,
            "tests/unit/test_marked.py": (
                "import pytest\n\n\n@pytest.mark.unit\n"
                "def test_says_unit(db_session):\n    assert db_session\n\n\n"
                "@pytest.mark.integration\ndef test_marked_integration():\n    assert True\n\n\n"
                "def test_in_unit_folder():\n    assert True\n"
            ),
            "tests/integration/test_plain.py": "def test_folder():\n    assert True\n",
            "tests/test_perf_checks.py": (
                "import time\n\n\ndef test_named():\n    assert True\n\n\n"
                "def test_named_and_looping():\n    for _ in range(100):\n        time.sleep(0)\n"
            ),
        },
    )
    says_unit = tiers.tests["tests/unit/test_marked.py::test_says_unit"]
    assert says_unit.tier == "integration"
    assert any(e.level is Level.MARK and e.tier == "unit" for e in says_unit.evidence)
    assert tier(tiers, "tests/unit/test_marked.py::test_marked_integration") == "integration"
    assert tier(tiers, "tests/unit/test_marked.py::test_in_unit_folder") == "unit"
    assert tier(tiers, "tests/integration/test_plain.py::test_folder") == "integration"
    # a performance name or folder counts only for a test that measures something
    assert tier(tiers, "tests/test_perf_checks.py::test_named") == "unit"
    named = tiers.tests["tests/test_perf_checks.py::test_named_and_looping"]
    assert named.tier == "performance"
    assert named.evidence[0].level is Level.NAME


def test_plugin_fixture_names_and_framework_clients(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "test_app.py": (
                "from fastapi.testclient import TestClient\nfrom app import app\n\n\n"
                "def test_client_call():\n"
                "    assert TestClient(app).get('/').status_code == 200\n\n\n"
                "def test_pytester(pytester):\n    pytester.runpytest()\n\n\n"
                "def test_subprocess():\n    import subprocess\n"
                "    assert subprocess.run(['true']).returncode == 0\n"
            ),
        },
    )
    assert tier(tiers, "test_app.py::test_client_call") == "integration"
    assert tier(tiers, "test_app.py::test_pytester") == "integration"
    assert "subprocess.run" in tiers.tests["test_app.py::test_subprocess"].evidence[0].text


def test_configured_tiers_and_signals(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.test-auditor]\n"
                'tiers = ["unit", "integration", "e2e", "performance"]\n'
                "[tool.test-auditor.signals.billing]\n"
                'tier = "e2e"\nwhat = "calls the billing sandbox"\ncalls = ["billing.charge"]\n'
                "[tool.test-auditor.signals.redis]\n"
                "enabled = false\n"
                "[tool.test-auditor.signals.dbapi-connect]\n"
                'calls = ["psycopg.connect"]\n'
            ),
            "test_flows.py": (
                "import sqlite3\nimport pytest\nfrom billing import charge\n\n\n"
                "def test_charge():\n    assert charge(10)\n\n\n"
                "@pytest.mark.e2e\ndef test_marked():\n    assert True\n\n\n"
                "def test_sqlite():\n    assert sqlite3.connect(':memory:')\n\n\n"
                "def test_redis():\n    import redis\n    assert redis.Redis().ping()\n"
            ),
        },
    )
    assert tiers.names == ("unit", "integration", "e2e", "performance")
    assert tier(tiers, "test_flows.py::test_charge") == "e2e"
    assert tier(tiers, "test_flows.py::test_marked") == "e2e"
    # the dbapi-connect signal was narrowed to psycopg by the configuration
    assert tier(tiers, "test_flows.py::test_sqlite") == "unit"
    assert tier(tiers, "test_flows.py::test_redis") == "unit"


def test_bad_signal_configuration_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not one of the configured tiers"):
        tiers_of(
            tmp_path,
            {
                "pyproject.toml": (
                    "[tool.test-auditor.signals.mine]\n"
                    'tier = "smoke"\nwhat = "x"\ncalls = ["a.b"]\n'
                ),
                "test_a.py": "def test_a():\n    assert True\n",
            },
        )


def test_pyramid_counts_folders_and_mixed_files(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "conftest.py": CONFTEST,
            "tests/test_mix.py": (
                "def test_a(db_session):\n    assert db_session\n\n\n"
                "def test_b():\n    assert True\n"
            ),
            "tests/unit/test_pure.py": "def test_c():\n    assert True\n",
        },
    )
    assert tiers.counts() == {"unit": 2, "integration": 1, "performance": 0}
    assert tiers.by_folder()["tests/unit"] == {"unit": 1, "integration": 0, "performance": 0}
    assert list(tiers.mixed_files()) == ["tests/test_mix.py"]


def test_fakes_setup_methods_and_context_managers(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "tests/helpers.py": (
                "import sqlite3\nimport time\n\n\nclass Stopwatch:\n"
                "    def __enter__(self):\n        self.start = time.perf_counter()\n"
                "        return self\n\n"
                "    def __exit__(self, *exc):\n"
                "        self.total = time.perf_counter() - self.start\n\n\n"
                "class FakeGateway:\n    def charge(self, amount):\n        return True\n\n\n"
                "def open_ledger():\n    return sqlite3.connect('ledger.db')\n"
            ),
            "tests/test_billing.py": (
                "import unittest\n\nimport pytest\n\n"
                "from tests.helpers import FakeGateway, Stopwatch, open_ledger\n\n\n"
                "@pytest.mark.integration\ndef test_with_fake():\n"
                "    assert FakeGateway().charge(1)\n\n\n"
                "def test_fast():\n    with Stopwatch() as watch:\n        sum(range(9))\n"
                "    assert watch.total < 0.5\n\n\n"
                "class TestLedger(unittest.TestCase):\n"
                "    def setUp(self):\n        self.ledger = open_ledger()\n\n"
                "    def test_opens(self):\n        self.assertTrue(self.ledger)\n"
            ),
        },
    )
    faked = tiers.tests["tests/test_billing.py::test_with_fake"]
    assert faked.tier == "unit"
    assert "uses a test double" in faked.evidence[0].text
    assert tier(tiers, "tests/test_billing.py::test_fast") == "performance"
    ledger = tiers.tests["tests/test_billing.py::TestLedger::test_opens"]
    assert ledger.tier == "integration"
    assert "`setUp` (tests/test_billing.py:20) -> `open_ledger`" in ledger.evidence[0].text


def test_setup_of_a_base_class_in_another_module(tmp_path: Path) -> None:
    # rq: every test class derives from `RQTestCase` of tests/__init__.py, whose
    # `setUpClass` connects to Redis; a plain unittest class beside them stays unit
    tiers = tiers_of(
        tmp_path,
        {
            "tests/__init__.py": (
                "import unittest\n\nfrom redis import Redis\n\n\n"
                "def find_empty_redis_database():\n"
                "    connection = Redis(db=4)\n    connection.dbsize()\n    return connection\n\n\n"
                "class RQTestCase(unittest.TestCase):\n"
                "    @classmethod\n    def setUpClass(cls):\n"
                "        cls.connection = find_empty_redis_database()\n"
            ),
            "tests/test_queue.py": (
                "import unittest\n\nfrom tests import RQTestCase\n\n\n"
                "class TestQueue(RQTestCase):\n"
                "    def test_empty(self):\n        self.assertTrue(self.connection)\n\n\n"
                "class TestNames(unittest.TestCase):\n"
                "    def test_name(self):\n        self.assertEqual('q'.upper(), 'Q')\n"
            ),
        },
    )
    queue = tiers.tests["tests/test_queue.py::TestQueue::test_empty"]
    assert queue.tier == "integration"
    assert "`setUpClass` (tests/__init__.py:14)" in queue.evidence[0].text
    assert tier(tiers, "tests/test_queue.py::TestNames::test_name") == "unit"


STORAGE_CONFTEST = """\
import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy


@pytest.fixture
def app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    return app


@pytest.fixture
def db(app):
    db = SQLAlchemy(app)
    with app.app_context():
        db.create_all()
        yield db
"""


def test_in_memory_sqlite_is_unit_a_file_or_a_server_is_integration(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "conftest.py": STORAGE_CONFTEST,
            "test_store.py": (
                "import os\nfrom sqlalchemy import create_engine\n"
                "from sqlalchemy.orm import Session\n\n\n"
                "def test_app_config(db):\n    assert db\n\n\n"
                "def test_memory_engine():\n"
                "    engine = create_engine('sqlite:///:memory:')\n"
                "    with Session(engine) as session:\n        assert session\n\n\n"
                "def test_file_engine():\n"
                "    engine = create_engine('sqlite:///app.db')\n    assert engine\n\n\n"
                "def test_tmp_file_engine(tmp_path):\n"
                "    engine = create_engine(f'sqlite:///{tmp_path}/app.db')\n"
                "    assert engine\n\n\n"
                "def test_server_engine():\n"
                "    engine = create_engine('postgresql://localhost/shop')\n    assert engine\n\n\n"
                "def test_memory_and_file(db):\n"
                "    assert create_engine('sqlite:///other.db')\n\n\n"
                "def test_no_url_in_sight():\n"
                "    assert create_engine(os.environ['DATABASE_URL'])\n\n\n"
                "def test_web_url_is_not_a_database():\n"
                "    assert create_engine(os.environ['DATABASE_URL'], echo='https://x.test')\n"
            ),
        },
    )
    configured = tiers.tests["test_store.py::test_app_config"]
    assert configured.tier == "unit"
    # the evidence names the chain: the fixture reaching the storage call, and where the
    # in-memory URL is set
    text = "\n".join(e.text for e in configured.evidence)
    assert "fixture `db` (conftest.py:14) -> creates or drops the database schema" in text
    assert "fixture `db` -> `app` (conftest.py:7) -> names the database it reaches: " in text
    assert "an in-memory SQLite database (`sqlite://`)" in text
    named = next(e for e in configured.evidence if e.subject == "sqlite://")
    assert (named.path, named.line) == ("conftest.py", 9)
    assert tier(tiers, "test_store.py::test_memory_engine") == "unit"
    # decoys: a database file (a tmp_path file too) or a server is integration
    filed = tiers.tests["test_store.py::test_file_engine"]
    assert filed.tier == "integration"
    assert "a SQLite database file (`sqlite:///app.db`)" in filed.evidence[0].text
    assert tier(tiers, "test_store.py::test_tmp_file_engine") == "integration"
    server = tiers.tests["test_store.py::test_server_engine"]
    assert server.tier == "integration"
    assert "a PostgreSQL server (`postgresql://localhost/shop`)" in server.evidence[0].text
    assert tier(tiers, "test_store.py::test_memory_and_file") == "integration"
    # an engine on a URL out of sight keeps its tier; a web URL says nothing of storage
    assert tier(tiers, "test_store.py::test_no_url_in_sight") == "integration"
    assert tier(tiers, "test_store.py::test_web_url_is_not_a_database") == "integration"


def test_framework_test_client_is_integration_even_in_memory(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "conftest.py": STORAGE_CONFTEST,
            "test_views.py": (
                "from fastapi.testclient import TestClient\nfrom django.test import Client\n"
                "from shop import api\n\n\n"
                "def test_flask_client(app, db):\n"
                "    assert app.test_client().get('/').status_code == 200\n\n\n"
                "def test_request_context(app, db):\n"
                "    with app.test_request_context('/?page=2'):\n        assert db\n\n\n"
                "def test_plain_app_object(app):\n    assert app.name\n\n\n"
                "def test_asgi_client():\n"
                "    assert TestClient(api).get('/').status_code == 200\n\n\n"
                "def test_asgi_app_object():\n    assert api.routes\n\n\n"
                "def test_django_client():\n    assert Client().get('/').status_code == 200\n"
            ),
        },
    )
    client = tiers.tests["test_views.py::test_flask_client"]
    assert client.tier == "integration"
    assert "test client" in client.evidence[0].text
    # decoys: a request context or the app object itself drives no request
    assert tier(tiers, "test_views.py::test_request_context") == "unit"
    assert tier(tiers, "test_views.py::test_plain_app_object") == "unit"
    assert tier(tiers, "test_views.py::test_asgi_client") == "integration"
    assert tier(tiers, "test_views.py::test_asgi_app_object") == "unit"
    assert tier(tiers, "test_views.py::test_django_client") == "integration"


DSN_CONFTEST = """\
import pytest
from sqlalchemy import create_engine


@pytest.fixture
def postgresql_dsn():
    return 'postgresql://postgres@localhost/test'


@pytest.fixture
def sqlite_file_dsn():
    return 'sqlite:///test.db'


@pytest.fixture
def sqlite_memory_dsn():
    return 'sqlite:///:memory:'


@pytest.fixture
def dsn(request):
    if 'postgresql_dsn' in request.fixturenames:
        return request.getfixturevalue('postgresql_dsn')
    if 'sqlite_file_dsn' in request.fixturenames:
        return request.getfixturevalue('sqlite_file_dsn')
    return request.getfixturevalue('sqlite_memory_dsn')


@pytest.fixture
def engine(dsn):
    return create_engine(dsn)


@pytest.fixture(params=['sqlite://', 'postgresql://localhost/test'])
def backend(request):
    return create_engine(request.param)


@pytest.fixture
def memory_backend():
    urls = ['sqlite://', 'sqlite:///:memory:']
    return create_engine(urls[0])
"""


def test_dsn_chosen_per_test_and_parametrized_backends(tmp_path: Path) -> None:
    tiers = tiers_of(
        tmp_path,
        {
            "conftest.py": DSN_CONFTEST,
            "test_dsn.py": (
                "import pytest\n\n\n"
                "def test_default(engine):\n    assert engine\n\n\n"
                "@pytest.mark.usefixtures('postgresql_dsn')\n"
                "def test_postgres(engine):\n    assert engine\n\n\n"
                "def test_file(engine, sqlite_file_dsn):\n    assert engine\n\n\n"
                "def test_dsn_string_only(postgresql_dsn):\n    assert postgresql_dsn\n\n\n"
                "def test_backends(backend):\n    assert backend\n\n\n"
                "def test_memory_choices(memory_backend):\n    assert memory_backend\n\n\n"
                "def test_asks_for_a_server(request):\n"
                "    from sqlalchemy import create_engine\n"
                "    assert create_engine(request.getfixturevalue('postgresql_dsn'))\n\n\n"
                "def test_asks_for_memory(request):\n"
                "    from sqlalchemy import create_engine\n"
                "    assert create_engine(request.getfixturevalue('sqlite_memory_dsn'))\n"
            ),
        },
    )
    default = tiers.tests["test_dsn.py::test_default"]
    assert default.tier == "unit"
    text = "\n".join(e.text for e in default.evidence)
    assert (
        "fixture `engine` -> `dsn` (conftest.py:21) -> "
        "`request.getfixturevalue('sqlite_memory_dsn')` (conftest.py:16)" in text
    )
    # the test that requests a server's or a file's DSN gets it, not the default
    postgres = tiers.tests["test_dsn.py::test_postgres"]
    assert postgres.tier == "integration"
    assert "a PostgreSQL server" in postgres.evidence[0].text
    assert tier(tiers, "test_dsn.py::test_file") == "integration"
    # decoy: a DSN string nobody connects with is no storage
    assert tier(tiers, "test_dsn.py::test_dsn_string_only") == "unit"
    # parameters out of sight (decorator arguments): the engine keeps its tier
    assert tier(tiers, "test_dsn.py::test_backends") == "integration"
    assert tier(tiers, "test_dsn.py::test_memory_choices") == "unit"
    # what the test itself gets through getfixturevalue counts too
    asks = tiers.tests["test_dsn.py::test_asks_for_a_server"]
    assert asks.tier == "integration"
    assert asks.evidence[0].text.startswith("`request.getfixturevalue('postgresql_dsn')`")
    assert tier(tiers, "test_dsn.py::test_asks_for_memory") == "unit"


def test_in_memory_database_setting(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[tool.test-auditor]\nin-memory-database = "integration"\n',
        "test_store.py": (
            "from sqlalchemy import create_engine\n\n\n"
            "def test_memory_engine():\n    assert create_engine('sqlite://')\n"
        ),
    }
    counted = tiers_of(tmp_path / "strict", files).tests["test_store.py::test_memory_engine"]
    assert counted.tier == "integration"
    assert "in-memory SQLite database" in counted.evidence[0].text
    files["pyproject.toml"] = '[tool.test-auditor]\nin-memory-database = "medium"\n'
    with pytest.raises(ConfigError, match="in-memory-database must be one of the tiers"):
        tiers_of(tmp_path / "wrong", files)


def test_in_memory_database_setting_in_a_profiled_run(tmp_path: Path) -> None:
    from auditor.analysis.confirm import confirm
    from auditor.config import ProfileSettings
    from auditor.dynamic.record import TestRecord
    from auditor.dynamic.runner.observations import observe

    test = "test_store.py::test_hidden_engine"
    run = TestRecord(
        test,
        "passed",
        durations={"setup": 0.0, "call": 0.01, "teardown": 0.0},
        profile={"peak_kb": 100, "memory_statements": 3},
    )
    found = {}
    for name, setting in (("default", ""), ("strict", 'in-memory-database = "integration"\n')):
        write_tree(
            tmp_path / name,
            {
                "pyproject.toml": f"[tool.test-auditor]\n{setting}",
                "test_store.py": (
                    "from shop import store\n\n\n"
                    "def test_hidden_engine():\n    assert store.save(1)\n"
                ),
            },
        )
        analysis = analyse_path(tmp_path / name)
        observations = observe([run], ProfileSettings())
        result = confirm(
            analysis.suite, analysis.resolution, analysis.tiers, observations, analysis.signals
        )
        found[name] = result.verdicts[test]
    # SQL to an in-memory SQLite database is a note by default, that tier when configured
    assert (found["default"].static_tier, found["default"].tier) == ("unit", "unit")
    assert (found["strict"].static_tier, found["strict"].tier) == ("unit", "integration")
