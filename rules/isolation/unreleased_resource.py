"""TA308 unreleased-resource."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import (
    FileView,
    Finding,
    FixtureDef,
    FunctionView,
    Invalid,
    Rule,
    Scope,
    SuiteView,
    Valid,
)

from ._common import checked, where
from ._late_release import LateRelease, late_releases, loop_per_test
from ._resources import Resource, opened_kind, releases_param, resources, runs_threads, talks
from ._siblings import Sibling, left_open
from ._syntax import call_name

NEEDLES = (
    "connect",
    "create_engine",
    "create_async_engine",
    "Session",
    "sessionmaker",
    ".shutdown(",
    ".close(",
    ".terminate(",
    ".stop_",
    ".shutdown_",
    ".stop(",
    ".terminate(",
    ".kill(",
    "redis",
    "Redis",
    "MongoClient",
    "pymemcache",
    "new_event_loop",
    "IOLoop",
)
CONTEXT_MANAGERS = frozenset({"contextmanager", "asynccontextmanager"})
ENDS = {"xunit": "setup", "helper": "`with` block"}
RELEASE = {
    "engine": "dispose()",
    "connection": "close()",
    "session": "close()",
    "client": "close()",
    "event loop": "close()",
}
OWN_BUSINESS = frozenset({"session", "client", "event loop"})
"""Kinds reported only when a fixture hands them out (a client also when a test talks to
the server through it)."""
HOLDS = {
    "engine": "its pool of database connections",
    "connection": "a database connection",
    "session": "a session (and the connection of its open transaction)",
    "client": "its connections to the server",
    "event loop": "its selector and the sockets and pipes it owns",
}


def _is_context_manager(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        (d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", "")) in CONTEXT_MANAGERS
        for d in node.decorator_list
    )


def _locate(suite: SuiteView, path: str, line: int) -> ast.AST | None:
    file = suite.file(path)
    if file is None:
        return None
    for view in file.functions:
        if view.node.lineno == line:
            return view.node
    return None


def _consumers(suite: SuiteView, definition: FixtureDef) -> list[ast.AST] | None:
    """The functions that get the fixture's value as an argument (None when one of them
    cannot be read)."""
    found: list[ast.AST] = []
    resolution = suite.resolution
    for edge in resolution.edges:
        if edge.target != definition.key or edge.kind != "argument":
            continue
        source = resolution.definitions.get(edge.source)
        if source is None:
            if edge.source in resolution.tests:
                continue  # tests are read below
            return None
        node = _locate(suite, source.path, source.line)
        if node is None:
            return None
        found.append(node)
    seen: set[tuple[str, int]] = set()
    for test in suite.suite.tests:
        if definition.name not in test.argnames or (test.path, test.line) in seen:
            continue
        fixtures = resolution.tests.get(test.nodeid)
        if fixtures is None or definition.key not in fixtures.definitions:
            continue
        seen.add((test.path, test.line))
        node = _locate(suite, test.path, test.line)
        if node is None:
            return None
        found.append(node)
    return found


class UnreleasedResource(Rule):
    """
    ## What it does
    Finds database resources that a fixture hands out, or a test, fixture or context
    manager of the suite opens, and that nothing releases: an engine from
    `create_engine(url)` never disposed, a connection from `engine.connect()` or a
    DB-API `connect()` never closed, a session (`Session(engine)`, `sessionmaker(...)()`)
    never closed. A fixture releases its value after its `yield`, in a finalizer, or by
    yielding it from a `with` block; a value every test that requests it closes is fine.
    Tests are checked for engines and connections they open into a local name, and
    clients of a data-store server (`redis.Redis(...)`, `MongoClient(...)`, or a method
    of the test class that returns one, `self.make_client()`) they send commands through,
    and never dispose of or close (for clients: those that run monitor threads, MongoDB's,
    which keep them alive; a redis client goes with the test's frame), or close only at
    the end, after their checks (a failing test's traceback keeps the client; a plain
    `engine.dispose()` after an `assert` does not run when the assertion fails), and
    for objects they build that run something (`worker = Worker()`, `subprocess.Popen`,
    an executor) and stop (`shutdown()`, `stop()`, `terminate()`, `kill()`, or a longer
    name with that verb such as `stop_workers()`) only after their checks, and for an
    object they leave open while they close another one built by the same class
    (`orig = SqliteDict(path)`; `orig.close()`; `again = SqliteDict(path)` never closed).
    An engine built by a helper of the module or the project
    (`def make_engine(url): return create_async_engine(url)`) counts as opened where
    the helper is called. Objects a test connects (`queue = Queue.from_url(url)`,
    `queue.connect()`) and disconnects only after its checks are reported too, unless it
    runs them only as tasks of an event loop its class closes after each test
    (`IsolatedAsyncioTestCase`). A fixture that hands out an event loop
    (`asyncio.new_event_loop()`, tornado's `IOLoop()`) and never closes it is reported,
    except pytest-asyncio's own `event_loop` overridden (the plugin closes that one). A
    library's `connect()` that keeps its connections in a registry closed by a
    `disconnect()` the file imports too (mongoengine's) is left to that library.

    A client whose methods the test replaces (`patch.object(client, ...)`), that it builds
    on a pool someone else owns (`connection_pool=`) or never sends anything through is
    not reported: it holds no connection of its own. Nor is a connection opened inside a
    `with` block that patches part of its own library (`mock.patch.object(
    asyncpg.connect_utils, ...)`: what it returns is the patch's stand-in), or checked out
    of a pool that releases it (`client.connection_pool`, a pool the test enters with
    `with`, disconnects, or builds with a stand-in `connection_class` of the suite), or
    given back with `pool.release(conn)` (also through a helper, `exit_callback(
    pool.release, conn)`) or `conn.disconnect()`.
    In-memory SQLite (`sqlite://`, `sqlite:///:memory:`, `sqlite3.connect(":memory:")`)
    is not reported: its connections hold nothing outside the process and go with the
    objects. Resources stored on `self`, in a container or returned inside another
    value are not followed.

    ## Why is this bad?
    The connection stays checked out until the garbage collector finds the object, or
    until the process exits: a PostgreSQL or MySQL server runs out of connections in a
    long run, `DROP DATABASE` at the end of a fixture blocks on the connections still
    open to it, a SQLite file stays locked, and with `-p xdist` every worker leaks its
    own. Which test then fails depends on the order the tests ran in.

    ## Example
    ```python
    import pytest
    from sqlalchemy import create_engine

    @pytest.fixture
    def connection(database_url):
        engine = create_engine(database_url)
        return engine.connect()
    ```
    Use instead:
    ```python
    import pytest
    from sqlalchemy import create_engine

    @pytest.fixture
    def connection(database_url):
        engine = create_engine(database_url)
        with engine.connect() as conn:
            yield conn
        engine.dispose()
    ```

    ## References
    - SQLAlchemy, "Engine Disposal":
      <https://docs.sqlalchemy.org/en/20/core/connections.html#engine-disposal>
    - pytest, "Teardown/Cleanup":
      <https://docs.pytest.org/en/stable/how-to/fixtures.html#teardown-cleanup-aka-fixture-finalization>
    """

    code = "TA308"
    cache_scope = "file"
    name = "unreleased-resource"
    category = "isolation"

    VALID = (
        # clients that send nothing: methods patched, only a pubsub built, a pool owned by
        # a fixture; one released through its pool, one closed in a `finally`
        Valid(
            "from unittest import mock\n\nimport redis\n\n"
            "def test_args():\n    r = redis.Redis()\n"
            "    with mock.patch.object(r, 'execute_command') as cmd:\n        r.set('a', 1)\n"
            "    assert cmd.called\n\n"
            "def test_lazy():\n    r = redis.Redis()\n    assert r.pubsub() is not None\n\n"
            "def test_shared(r):\n    other = redis.Redis(connection_pool=r.connection_pool)\n"
            "    assert other.get('a') is None\n\n"
            "def test_pool():\n    r = redis.Redis()\n    assert r.ping()\n"
            "    r.connection_pool.disconnect()\n\n"
            "def test_finally():\n    r = redis.Redis()\n    try:\n        assert r.ping()\n"
            "    finally:\n        r.close()\n"
        ),
        # released in a finally or before the checks; a stopwatch stopped after them; an
        # engine helper called with an in-memory URL
        Valid(
            "import time\n\nfrom sqlalchemy import create_engine\n"
            "from app.work import Stopwatch, Worker\n\n"
            "def make_engine(url):\n    return create_engine(url)\n\n"
            "def test_a(url):\n    worker = Worker()\n    worker.start()\n    try:\n"
            "        assert worker.run()\n    finally:\n        worker.shutdown()\n\n"
            "def test_b(url):\n    engine = create_engine(url)\n"
            "    with engine.connect() as conn:\n        rows = conn.execute('select 1')\n"
            "    engine.dispose()\n    assert rows\n\n"
            "def test_c():\n    sw = Stopwatch()\n    assert sw.start()\n    sw.stop()\n\n"
            "def test_d():\n    engine = make_engine('sqlite://')\n"
            "    with engine.connect() as conn:\n        assert conn\n",
            files={"app/__init__.py": "", "app/work.py": ""},
        ),
        # released: a with block, a close after the yield, a finalizer
        Valid(
            "import pytest\nfrom sqlalchemy import create_engine\n\n"
            "@pytest.fixture\ndef engine(url):\n    engine = create_engine(url)\n"
            "    yield engine\n    engine.dispose()\n\n"
            "@pytest.fixture\ndef connection(engine):\n    with engine.connect() as conn:\n"
            "        yield conn\n\n"
            "@pytest.fixture\ndef raw(engine, request):\n    conn = engine.raw_connection()\n"
            "    request.addfinalizer(conn.close)\n    return conn\n\n"
            "def test_a(connection, raw):\n    assert connection is not raw\n"
        ),
        # in-memory SQLite; a value every test closes itself; a session closed by
        # close_all_sessions() at teardown
        Valid(
            "import sqlite3\n\nimport pytest\n"
            "from sqlalchemy import create_engine\n"
            "from sqlalchemy.orm import close_all_sessions, sessionmaker\n\n"
            "@pytest.fixture\ndef memory():\n    engine = create_engine('sqlite://')\n"
            "    return engine.connect()\n\n"
            "@pytest.fixture\ndef db():\n    return sqlite3.connect(':memory:')\n\n"
            "@pytest.fixture\ndef conn(url):\n    return create_engine(url).connect()\n\n"
            "@pytest.fixture\ndef session(engine):\n    Session = sessionmaker(bind=engine)\n"
            "    yield Session()\n    close_all_sessions()\n\n"
            "def test_a(conn, memory, db):\n    conn.close()\n\n"
            "def test_b(conn, session):\n    with conn:\n        assert session\n"
        ),
    )
    INVALID = (
        # a client the test sends commands through: never closed, or closed after checks;
        # one from a method of the test class
        Invalid(
            "import redis\nfrom pymongo import MongoClient\n\n"
            "def test_ping():\n    r2 = MongoClient('mongodb://db')\n"
            "    assert r2.admin.command('ping')\n\n"
            "def test_find():\n    client = MongoClient('mongodb://db')\n"
            "    assert client.shop.items.find_one() is None\n    client.close()\n\n"
            "class TestQueue:\n    def make_client(self, **options):\n"
            "        return MongoClient('mongodb://db', **options)\n\n"
            "    def test_insert(self):\n        client = self.make_client(maxPoolSize=1)\n"
            "        client.shop.items.insert_one({})\n",
            at=("test_example.py:5:10", "test_example.py:9:14", "test_example.py:18:18"),
            message="test `test_ping` opens a client (`MongoClient('mongodb://db')`)",
        ),
        # released only when the checks pass; an engine from a helper never disposed
        Invalid(
            "import sqlite3\n\nfrom sqlalchemy.ext.asyncio import create_async_engine\n"
            "from app.work import Worker\n\n"
            "def make_engine(url):\n    return create_async_engine(url)\n\n"
            "def test_worker(tmp_path):\n    worker = Worker()\n    worker.start()\n"
            "    assert worker.run()\n    worker.shutdown()\n\n"
            "def test_file(tmp_path):\n    conn = sqlite3.connect(tmp_path / 'x.db')\n"
            "    assert conn.execute('select 1').fetchone()\n    conn.close()\n\n"
            "async def test_async(url):\n    engine = make_engine(url)\n"
            "    async with engine.connect() as conn:\n        assert conn\n",
            files={"app/__init__.py": "", "app/work.py": ""},
            at=("test_example.py:10:14", "test_example.py:16:12", "test_example.py:21:14"),
            message="test `test_worker` releases `worker` (`worker.shutdown()`) only at line 13",
        ),
        Invalid(
            "import pytest\nfrom sqlalchemy import create_engine\n\n"
            "@pytest.fixture\ndef engine(url):\n    engine = create_engine(url)\n"
            "    return engine\n\n"
            "@pytest.fixture\ndef connection(engine):\n    return engine.connect()\n\n"
            "def test_a(connection):\n    assert connection\n",
            at=("test_example.py:6:14", "test_example.py:11:12"),
            message="fixture `engine` hands out an engine (`create_engine(url)`)",
        ),
        Invalid(
            "import sqlite3\n\nimport pytest\nfrom sqlalchemy import create_engine\n"
            "from sqlalchemy.orm import Session\n\n"
            "@pytest.fixture(scope='session')\ndef session(engine):\n"
            "    session = Session(engine)\n    yield session\n\n"
            "def test_two_engines(url):\n    eng = create_engine(url)\n"
            "    conn = sqlite3.connect('shop.db')\n    with eng.connect() as c:\n"
            "        assert c and conn\n\n"
            "def test_closed_once(session):\n    session.close()\n\n"
            "def test_not_closed(session):\n    assert session\n",
            at=("test_example.py:9:15", "test_example.py:13:11", "test_example.py:14:12"),
            message="fixture `session` hands out a session (`Session(engine)`)",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file, *NEEDLES):
            return
        for view in file.functions:
            if view.kind == "fixture" or (view.kind == "helper" and _is_context_manager(view.node)):
                yield from self._fixture(file, view)
            elif view.kind == "test" or (view.kind == "xunit" and "setup" in view.name.lower()):
                for resource in resources(view.node, file):
                    if not resource.handed_out and _reported(file, view, resource):
                        yield self.at(file, resource.node, _opened(view, resource))
                if view.kind == "test":
                    own_loop = loop_per_test(view.cls, file)
                    for late in late_releases(view.node, file, own_loop):
                        yield self.at(file, late.node, _late(view, late))
                    for sibling in left_open(view.node, file):
                        if opened_kind(sibling.node, file, view.node) is None:
                            yield self.at(file, sibling.node, _sibling(view, sibling))

    def _fixture(self, file: FileView, view: FunctionView) -> Iterator[Finding]:
        found = list(resources(view.node, file))
        if not found:
            return
        consumers: list[ast.AST] | None = []
        if view.fixture is not None and any(r.handed_out for r in found):
            consumers = _consumers(file.suite, view.fixture)
        for resource in found:
            if resource.kind in ("client", "event loop") and not resource.handed_out:
                continue
            if resource.kind == "event loop" and view.name == "event_loop":
                continue  # pytest-asyncio closes the loop of the fixture that overrides its own
            if resource.handed_out and view.fixture is not None:
                if consumers is None:
                    continue
                param = view.fixture.name
                if consumers and all(releases_param(c, param) for c in consumers):
                    continue
                yield self.at(file, resource.node, _handed_out(view, resource))
            else:
                yield self.at(file, resource.node, _opened(view, resource))


def _reported(file: FileView, view: FunctionView, resource: Resource) -> bool:
    """A test's own session or event loop is its business; its own client too (it goes
    with the test's frame), unless it runs threads that keep it alive (MongoDB's) and the
    test talks to the server through it."""
    if resource.kind == "client":
        return (
            resource.name is not None
            and runs_threads(resource.node, file)
            and talks(view.node, resource.name, resource.node)
        )
    return resource.kind not in OWN_BUSINESS


def _text(resource: Resource) -> str:
    text = ast.unparse(resource.node)
    return text if len(text) <= 50 else f"{call_name(resource.node)}(...)"


def _handed_out(view: FunctionView, resource: Resource) -> str:
    kind = resource.kind
    scope = view.fixture.scope if view.fixture is not None else Scope.FUNCTION
    when = (
        "every test that requests it leaves"
        if scope is Scope.FUNCTION
        else f"it leaves, for the rest of its {scope.value} and beyond,"
    )
    return (
        f"{where(view)} hands out {'an' if kind[0] in 'aeiou' else 'a'} {kind} "
        f"(`{_text(resource)}`) and never releases it: no `{RELEASE[kind]}` after its "
        f"`yield`, no finalizer, no `with` block, so {when} {HOLDS[kind]} open until the "
        f"garbage collector finds it; yield it from a `with` block or call "
        f"`.{RELEASE[kind]}` after the `yield`"
    )


def _late(view: FunctionView, late: LateRelease) -> str:
    release = f"{ast.unparse(late.release.func)}()"
    holds = (
        f"{HOLDS[late.kind]} open"
        if late.kind in HOLDS
        else "it connected"
        if late.kind == "connected"
        else "it running"
    )
    return (
        f"{where(view)} releases `{late.name}` (`{release}`) only at line "
        f"{late.release.lineno}, after checks that end the test when they fail: a failing "
        f"run leaves {holds} for the rest of the session; release it in a `finally` "
        "(or a `with` block), or get it from a fixture that releases it after `yield`"
    )


def _sibling(view: FunctionView, sibling: Sibling) -> str:
    release = f"{ast.unparse(sibling.release.func)}()"
    return (
        f"{where(view)} builds `{sibling.name}` (`{call_name(sibling.node)}(...)`) and "
        f"never closes it, while it closes `{sibling.closed}`, built the same way, with "
        f"`{release}` at line {sibling.release.lineno}: what it holds (a connection, a "
        "file, a thread) stays open after the test ends, until the garbage collector finds "
        f"it; close `{sibling.name}` too, in a `finally` or with a `with` block"
    )


def _opened(view: FunctionView, resource: Resource) -> str:
    kind = resource.kind
    fix = (
        f"call `{resource.name}.{RELEASE[kind]}` in a `finally` (or after the `yield`)"
        if resource.name
        else f"call `.{RELEASE[kind]}` on it"
    )
    if kind != "engine":
        fix = f"open it in a `with` block, or {fix}"
    return (
        f"{where(view)} opens {'an' if kind == 'engine' else 'a'} {kind} "
        f"(`{_text(resource)}`) and never releases it: {HOLDS[kind]} "
        f"{'stay' if kind == 'client' else 'stays'} open after the "
        f"{ENDS.get(view.kind, view.kind)} ends, until the garbage collector "
        f"finds it; {fix}"
    )
