"""Misses found on fresh, unlabelled real suites (issue 14, section 3): the situation
behind each, written as a synthetic case the old rule did not report, next to the decoy
that must stay quiet."""

from __future__ import annotations

from pathlib import Path

from auditor.api import Invalid, Valid
from tests.rules.cases import check

# -- TA308: a fixture that hands out a data-store client with no teardown --------------

CLIENT_FIXTURES = (
    "import pymongo\nimport pytest\nimport redis\nfrom pymemcache import Client\n\n\n"
    "@pytest.fixture\ndef cache_server():\n"
    "    client = redis.from_url('redis://localhost:6379')\n"
    "    client.flushall()\n    return client\n\n\n"
    "@pytest.fixture\ndef documents():\n"
    "    return pymongo.MongoClient('mongodb://localhost:27017')\n\n\n"
    "@pytest.fixture\ndef memcache():\n    return Client(('localhost', 11211))\n\n\n"
    "def test_a(cache_server, documents, memcache):\n    assert cache_server and documents\n"
)


def test_fixture_handing_out_a_server_client_is_reported(tmp_path: Path) -> None:
    where = ("test_example.py:9:14", "test_example.py:16:12", "test_example.py:21:12")
    check("TA308", Invalid(CLIENT_FIXTURES, at=where, message="hands out a client"), tmp_path)


def test_closed_clients_and_a_tests_own_client_are_not_reported(tmp_path: Path) -> None:
    code = (
        "import pytest\nimport redis\n\n\n"
        "@pytest.fixture\ndef cache_server():\n"
        "    client = redis.from_url('redis://localhost:6379')\n"
        "    yield client\n    client.close()\n\n\n"
        "@pytest.fixture\ndef pooled():\n"
        "    with redis.Redis() as client:\n        yield client\n\n\n"
        "def test_a(cache_server, pooled):\n"
        "    other = redis.Redis(db=5)\n    assert other.ping() and cache_server and pooled\n"
    )
    check("TA308", Valid(code), tmp_path)


# -- TA308: a connection checked out of a pool (or of a library's handle) --------------


def test_checked_out_connection_never_given_back_is_reported(tmp_path: Path) -> None:
    code = (
        "def test_pool(app):\n"
        "    conn = app.cache.client.connection_pool.get_connection()\n"
        "    assert conn.db == 0\n\n\n"
        "def test_handle(db):\n    conn = db.get_connection()\n"
        "    conn.query('INSERT INTO foo VALUES (1)')\n    assert conn\n"
    )
    where = ("test_example.py:2:12", "test_example.py:7:12")
    check("TA308", Invalid(code, at=where), tmp_path)


def test_connection_given_back_or_closed_in_finally_is_not_reported(tmp_path: Path) -> None:
    code = (
        "def test_pool(app):\n    pool = app.cache.client.connection_pool\n"
        "    conn = pool.get_connection()\n    try:\n        assert conn.db == 0\n"
        "    finally:\n        pool.release(conn)\n\n\n"
        "def test_handle(db):\n    conn = db.get_connection()\n    try:\n"
        "        assert conn.query('SELECT 1')\n    finally:\n        conn.close()\n"
    )
    check("TA308", Valid(code), tmp_path)


# -- TA308: a library's `connect(url)`, released only when the asserts pass ------------


def test_library_connect_released_after_the_asserts_is_reported(tmp_path: Path) -> None:
    code = (
        "import tempfile\n\nfrom dataset import connect\n\n\n"
        "def test_threads():\n"
        "    with tempfile.NamedTemporaryFile(suffix='.db') as f:\n"
        "        db = connect(f'sqlite:///{f.name}')\n"
        "        db['t'].insert({'v': 0})\n"
        "        assert len(db.connections) <= 1\n"
        "        db.close()\n"
    )
    check("TA308", Invalid(code, at=("test_example.py:8:14",), message="only at line 11"), tmp_path)


def test_library_connect_in_memory_or_closed_in_finally_is_not_reported(tmp_path: Path) -> None:
    code = (
        "import dataset\nfrom dataset import connect\n\n\n"
        "def test_memory():\n    db = connect('sqlite:///:memory:')\n"
        "    assert db.tables == []\n\n\n"
        "def test_file(tmp_path):\n    db = dataset.connect(f'sqlite:///{tmp_path}/x.db')\n"
        "    try:\n        assert db.tables == []\n    finally:\n        db.close()\n\n\n"
        "def test_signal(handler):\n    from blinker import signal\n"
        "    signal('saved').connect(handler)\n    assert handler\n"
    )
    check("TA308", Valid(code), tmp_path)


# -- TA308: a bound method handed to a thread is not a release -------------------------


def test_method_handed_to_a_timer_does_not_hide_a_late_close(tmp_path: Path) -> None:
    code = (
        "import sqlite3\nimport threading\n\n\n"
        "def test_lock(path, store):\n"
        "    conn = sqlite3.connect(path, isolation_level=None)\n"
        "    conn.execute('begin immediate')\n"
        "    timer = threading.Timer(0.1, conn.execute, ('commit',))\n"
        "    timer.start()\n    assert store.dequeue() == b'a'\n"
        "    timer.join()\n    conn.close()\n"
    )
    check("TA308", Invalid(code, at=("test_example.py:6:12",), message="only at line 12"), tmp_path)


def test_close_handed_to_a_finalizer_is_a_release(tmp_path: Path) -> None:
    code = (
        "import sqlite3\n\n\n"
        "def test_lock(path, store, request):\n"
        "    conn = sqlite3.connect(path)\n    request.addfinalizer(conn.close)\n"
        "    assert store.dequeue() == b'a'\n    conn.close()\n"
    )
    check("TA308", Valid(code), tmp_path)


# -- TA402: a bound the test names (`block_seconds = 5`) -------------------------------


def test_duration_compared_with_a_number_the_test_names_is_reported(tmp_path: Path) -> None:
    code = (
        "import time\n\n\n"
        "def test_blocking(queue):\n    block_seconds = 5\n    started_at = time.time()\n"
        "    queue.wait(timeout=block_seconds)\n    blocked_for = time.time() - started_at\n"
        "    assert queue.done\n    assert blocked_for < block_seconds\n"
    )
    check("TA402", Invalid(code, at=("test_example.py:10:5",)), tmp_path)


def test_duration_compared_with_a_computed_value_is_not_reported(tmp_path: Path) -> None:
    code = (
        "import time\n\n\n"
        "def test_order(queue):\n    started_at = time.time()\n    queue.wait()\n"
        "    blocked_for = time.time() - started_at\n    previous = queue.last_run()\n"
        "    assert blocked_for < previous\n"
    )
    check("TA402", Valid(code), tmp_path)


# -- TA309: a database file handed to a store by keyword -------------------------------


def test_relative_database_file_given_by_keyword_is_reported(tmp_path: Path) -> None:
    code = (
        "import os\n\nfrom huey import SqliteHuey\n\n\n"
        "def test_queue():\n    huey = SqliteHuey(filename='huey_ct.db')\n"
        "    try:\n        assert huey.pending_count() == 0\n"
        "    finally:\n        os.unlink('huey_ct.db')\n"
    )
    check("TA309", Invalid(code, at=("test_example.py:7:12",), message="huey_ct.db"), tmp_path)


def test_url_built_with_a_file_name_or_a_temporary_file_is_not_reported(tmp_path: Path) -> None:
    code = (
        "from huey import SqliteHuey\nfrom sqlalchemy.engine import URL\n\n\n"
        "def test_url():\n    url = URL.create(drivername='sqlite', database='test.db')\n"
        "    assert url.database == 'test.db'\n\n\n"
        "def test_queue(tmp_path):\n    huey = SqliteHuey(filename=str(tmp_path / 'huey.db'))\n"
        "    assert huey.pending_count() == 0\n"
    )
    check("TA309", Valid(code), tmp_path)
