"""Sixth round on fresh, unlabelled real suites (issue 14): the hazards the rules missed in
the tuning half, each as a synthetic case next to the decoy that must stay quiet, and the
false alarms of that half, each next to the case that must still be reported."""

from __future__ import annotations

from pathlib import Path

from auditor.api import Invalid, Valid
from tests.rules.cases import check

# -- TA308: a client the test talks to the server through ----------------------------------


def test_client_a_test_talks_through_and_leaves_open_is_reported(tmp_path: Path) -> None:
    code = (
        "import redis\nfrom pymongo import MongoClient\n\n\n"
        "def test_lib_name(r):\n    r2 = redis.Redis(lib_name='audit')\n"
        "    assert r2.client_info()['lib-name'] == 'audit'\n    r2.close()\n\n\n"
        "def test_unreachable():\n    client = MongoClient('localhost', 8765)\n"
        "    assert client.admin.command('ping')\n"
    )
    check(
        "TA308",
        Invalid(
            code,
            at=("test_example.py:6:10", "test_example.py:12:14"),
            message="test `test_lib_name` releases `r2` (`r2.close()`) only at line 8",
        ),
        tmp_path,
    )


def test_a_plain_socket_client_the_test_drops_is_not_reported(tmp_path: Path) -> None:
    code = (
        "import redis\n\n\n"
        "def test_sync(r):\n    r2 = redis.Redis(port=6380)\n    assert b'REDIS' in r2.sync()\n"
    )
    check("TA308", Valid(code), tmp_path)


def test_clients_that_send_nothing_of_their_own_are_not_reported(tmp_path: Path) -> None:
    code = (
        "from unittest import mock\n\nimport redis\n\n\n"
        "def test_wire_args():\n    client = redis.Redis()\n"
        "    with mock.patch.object(client, 'execute_command', return_value=[]) as cmd:\n"
        "        client.zrange('a', 0, -1, desc=True)\n    cmd.assert_called_once()\n\n\n"
        "def test_stubbed():\n    client = redis.Redis()\n"
        "    client.execute_command = mock.Mock(return_value=True)\n"
        "    assert client.set('a', 1)\n\n\n"
        "def test_lazy_dispatcher():\n    client = redis.Redis()\n"
        "    assert client.pubsub() is not None\n\n\n"
        "def test_same_pool(r):\n    other = redis.Redis(connection_pool=r.connection_pool)\n"
        "    assert other.get('b') is None\n\n\n"
        "def test_closed(r):\n    other = redis.Redis(port=6380)\n    try:\n"
        "        assert other.ping()\n    finally:\n        other.close()\n\n\n"
        "async def test_stand_in_connection():\n    conn = mock.AsyncMock()\n"
        "    client = redis.Redis(protocol=3)\n"
        "    assert await client.parse_response(conn, 'GET') is not None\n\n\n"
        "def test_set_up():\n    client = redis.Redis(protocol=3)\n"
        "    assert client.connection_pool.connection_kwargs.get('protocol') == 3\n"
    )
    check("TA308", Valid(code), tmp_path)


BASE_CLASS = (
    "import motor\nimport unittest\n\n\n"
    "class ServerTest(unittest.TestCase):\n"
    "    def motor_client(self, uri=None, **kwargs):\n"
    "        return motor.MotorClient(uri or 'mongodb://db', **kwargs)\n\n"
    "    def fake_client(self):\n        return FakeClient()\n\n\n"
    "class FakeClient:\n    pass\n"
)


def test_client_from_a_method_of_a_project_base_class_is_reported(tmp_path: Path) -> None:
    code = (
        "from helpers.base import ServerTest\n\n\n"
        "class TestClient(ServerTest):\n    def test_lazy_connect(self):\n"
        "        cx = self.motor_client()\n        cx.shop.items.insert_one({})\n"
        "        assert cx.shop.items.count_documents({}) == 1\n        cx.close()\n\n"
        "    def test_pool_size(self):\n        client = self.motor_client(maxPoolSize=1)\n"
        "        client.db.collection.find_one()\n\n"
        "    def test_through_a_collection(self):\n        cx = self.motor_client()\n"
        "        items = cx.shop.items\n        items.insert_one({})\n"
    )
    files = {"helpers/__init__.py": "", "helpers/base.py": BASE_CLASS}
    check(
        "TA308",
        Invalid(
            code,
            files=files,
            at=("test_example.py:6:14", "test_example.py:12:18", "test_example.py:16:14"),
            message="test `test_lazy_connect` releases `cx` (`cx.close()`) only at line 9",
        ),
        tmp_path,
    )


def test_client_of_a_base_class_closed_in_finally_or_faked_is_not_reported(
    tmp_path: Path,
) -> None:
    code = (
        "from helpers.base import ServerTest\n\n\n"
        "class TestClient(ServerTest):\n    def test_closed(self):\n"
        "        cx = self.motor_client()\n        try:\n"
        "            assert cx.shop.items.find_one() is None\n        finally:\n"
        "            cx.close()\n\n"
        "    def test_fake(self):\n        client = self.fake_client()\n"
        "        client.db.collection.find_one()\n"
    )
    files = {"helpers/__init__.py": "", "helpers/base.py": BASE_CLASS}
    check("TA308", Valid(code, files=files), tmp_path)


# -- TA308: connections checked out of a pool that releases them -----------------------------

POOL_TESTS = (
    "import redis\nfrom contextlib import contextmanager\n\n\n"
    "class DummyConnection:\n    def connect(self):\n        pass\n\n\n"
    "def failing_connection_class(failures):\n"
    "    class FailingConnection(DummyConnection):\n        pass\n\n"
    "    return FailingConnection\n\n\n"
    "@contextmanager\ndef exit_callback(callback, *args):\n    try:\n        yield\n"
    "    finally:\n        callback(*args)\n\n\n"
    "class TestBlockingPool:\n    def get_pool(self, **kwargs):\n"
    "        return redis.BlockingConnectionPool(connection_class=DummyConnection, **kwargs)\n\n"
    "    def test_two(self):\n        pool = self.get_pool()\n"
    "        assert pool.get_connection() is not pool.get_connection()\n\n\n"
    "def test_failing():\n"
    "    pool = redis.ConnectionPool(connection_class=failing_connection_class(2))\n"
    "    c1 = pool.get_connection()\n    assert c1\n\n\n"
    "async def test_entered(make_pool):\n    async with make_pool() as pool:\n"
    "        c1 = await pool.get_connection()\n        assert c1\n\n\n"
    "def test_disconnected(master):\n    pool = redis.ConnectionPool(host=master)\n"
    "    conn = pool.get_connection()\n    assert conn\n    pool.disconnect()\n\n\n"
    "def test_given_back(master):\n    pool = redis.ConnectionPool(host=master)\n"
    "    conn = pool.get_connection()\n    with exit_callback(pool.release, conn):\n"
    "        assert conn.send_command('ping') is None\n\n\n"
    "def test_disconnect_in_finally(master):\n    pool = redis.ConnectionPool(host=master)\n"
    "    reused = pool.get_connection()\n    try:\n        assert reused.read_response()\n"
    "    finally:\n        reused.disconnect()\n"
)


def test_connections_of_pools_that_release_them_are_not_reported(tmp_path: Path) -> None:
    check("TA308", Valid(POOL_TESTS), tmp_path)


def test_connections_of_a_real_pool_left_checked_out_are_still_reported(tmp_path: Path) -> None:
    code = (
        "import redis\n\n\n"
        "def test_two(master):\n    pool = redis.ConnectionPool(host=master)\n"
        "    c1 = pool.get_connection()\n    c2 = pool.get_connection()\n    assert c1 != c2\n\n\n"
        "def test_reuse(master):\n    pool = redis.ConnectionPool(host=master)\n"
        "    c1 = pool.get_connection()\n    pool.release(c1)\n"
        "    c2 = pool.get_connection()\n    assert c1 == c2\n"
    )
    check(
        "TA308",
        Invalid(
            code,
            at=("test_example.py:6:10", "test_example.py:7:10", "test_example.py:15:10"),
            message="test `test_two` opens a connection (`pool.get_connection()`)",
        ),
        tmp_path,
    )


def test_a_connect_under_a_patch_of_its_own_library_is_not_reported(tmp_path: Path) -> None:
    code = (
        "from unittest import mock\n\nimport asyncpg\nfrom asyncpg import connect_utils\n\n\n"
        "async def test_rejected(selected):\n"
        "    with mock.patch.object(connect_utils, '_connect_addr', return_value=selected):\n"
        "        con = await asyncpg.connect(host='first', user='postgres')\n"
        "    assert con is selected\n"
    )
    check("TA308", Valid(code), tmp_path / "valid")
    real = (
        "from unittest import mock\n\nimport asyncpg\n\n\n"
        "async def test_clock(dsn):\n    with mock.patch('time.monotonic', return_value=0):\n"
        "        con = await asyncpg.connect(dsn)\n    assert con\n"
    )
    check(
        "TA308",
        Invalid(real, at=("test_example.py:8:21",), message="opens a connection"),
        tmp_path / "real",
    )


# -- TA401: a poll that reads its value again; a wait just past an interval -------------------


def test_polls_and_waits_just_past_a_configured_interval_are_not_reported(
    tmp_path: Path,
) -> None:
    code = (
        "import asyncio\nimport time\n\n\n"
        "def wait_for_new_value(client, key, expected, timeout=3.0):\n"
        "    deadline = time.monotonic() + timeout\n    value = client.get(key)\n"
        "    while value not in expected and time.monotonic() < deadline:\n"
        "        time.sleep(0.05)\n        value = client.get(key)\n    return value\n\n\n"
        "def test_invalidated(r, r2):\n    r2.set('foo', 'new')\n"
        "    assert wait_for_new_value(r, 'foo', [b'new']) == b'new'\n\n\n"
        "def test_fallback(make_executor):\n"
        "    executor = make_executor(auto_fallback_interval=0.1)\n    time.sleep(0.15)\n"
        "    assert executor.execute('GET') == 'OK2'\n\n\n"
        "async def test_lock_expired(r, get_lock):\n"
        "    async with get_lock(r, 'foo', timeout=0.1):\n        await asyncio.sleep(0.15)\n"
    )
    check("TA401", Valid(code), tmp_path)


def test_clock_only_loops_and_waits_far_past_an_interval_are_still_reported(
    tmp_path: Path,
) -> None:
    code = (
        "import time\n\n\n"
        "def test_spins(r):\n    start = time.monotonic()\n    value = None\n"
        "    while time.monotonic() - start < 0.3:\n        time.sleep(0.05)\n"
        "    assert value is None\n\n\n"
        "def test_fallback(make_executor):\n"
        "    executor = make_executor(auto_fallback_interval=0.1)\n    time.sleep(0.3)\n"
        "    assert executor.execute('GET') == 'OK2'\n"
    )
    check(
        "TA401",
        Invalid(
            code,
            at=("test_example.py:8:9", "test_example.py:14:5"),
            message="`time.sleep(0.05)` in test `test_spins`",
        ),
        tmp_path,
    )


# -- TA402: a bound asserted through a context manager; a generous hang check ---------------

TESTBASE = (
    "import contextlib\nimport time\nimport unittest\n\n\n"
    "class TestCase(unittest.TestCase):\n    @contextlib.contextmanager\n"
    "    def assertRunUnder(self, delta):\n        started = time.monotonic()\n"
    "        try:\n            yield\n        finally:\n"
    "            elapsed = time.monotonic() - started\n            if elapsed > delta:\n"
    "                raise AssertionError(elapsed)\n\n"
    "    @contextlib.contextmanager\n    def logTime(self, label):\n"
    "        started = time.monotonic()\n        yield\n"
    "        print(label, time.monotonic() - started)\n"
)


def test_a_bound_asserted_by_a_context_manager_of_a_base_class_is_reported(
    tmp_path: Path,
) -> None:
    code = (
        "from pkg import testbase as tb\n\nMAX_RUNTIME = 0.5\n\n\n"
        "class TestTimeout(tb.TestCase):\n    def test_timeout(self):\n"
        "        with self.assertRunUnder(MAX_RUNTIME):\n            self.con.fetch()\n\n"
        "    def test_logged(self):\n        with self.logTime('fetch'):\n"
        "            self.con.fetch()\n"
    )
    files = {"pkg/__init__.py": "", "pkg/testbase.py": TESTBASE}
    check(
        "TA402",
        Invalid(
            code,
            files=files,
            at=("test_example.py:8:14",),
            message="`self.assertRunUnder(MAX_RUNTIME)` fails test `test_timeout`",
        ),
        tmp_path,
    )


def test_a_generous_bound_over_the_timeout_a_call_keeps_to_is_not_reported(
    tmp_path: Path,
) -> None:
    valid = (
        "import time\n\n\ndef test_timeout_kept(p):\n    start = time.monotonic()\n"
        "    msg = p.get_message(timeout=0.1)\n    elapsed = time.monotonic() - start\n"
        "    assert msg is None\n    assert elapsed < 1.0\n"
    )
    check("TA402", Valid(valid), tmp_path / "valid")
    tight = valid.replace("elapsed < 1.0", "elapsed < 0.5").replace("timeout=0.1", "timeout=0")
    check(
        "TA402",
        Invalid(tight, at=("test_example.py:9:5",), message="`elapsed < 0.5`"),
        tmp_path / "tight",
    )
