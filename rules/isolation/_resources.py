"""Database resources a test or fixture opens (engines, connections, sessions) and
whether its code releases them, for TA308 unreleased-resource.

A resource is a call that opens one: ``create_engine(url)`` (an engine and its pool of
connections), ``engine.connect()`` / ``sqlite3.connect(path)`` (a connection),
``Session(engine)`` / ``sessionmaker(...)()`` (a session, holding a connection while a
transaction is open). It is released when the function closes it (``x.close()``,
``x.dispose()``, also in a finalizer or after the ``yield``), enters it as a context
manager (``with engine.connect() as c``, ``closing(c)``, ``stack.enter_context(c)``) or,
for sessions, calls ``close_all_sessions()``. In-memory SQLite (``sqlite://``,
``sqlite:///:memory:``, ``sqlite3.connect(":memory:")``) holds nothing outside the
process and is not a resource here."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from auditor.api import FileView, walk_local

from ._syntax import call_name

Kind = Literal["engine", "connection", "session", "client", "event loop"]

ENGINE_FACTORIES = frozenset(
    {
        "sqlalchemy.create_engine",
        "sqlalchemy.engine.create_engine",
        "sqlmodel.create_engine",
        "sqlalchemy.ext.asyncio.create_async_engine",
        "sqlalchemy.ext.asyncio.engine.create_async_engine",
    }
)
ENGINE_NAMES = frozenset({"create_engine", "create_async_engine"})
DBAPI_CONNECT = frozenset(
    {
        "sqlite3.connect",
        "psycopg2.connect",
        "psycopg.connect",
        "psycopg.AsyncConnection.connect",
        "pymysql.connect",
        "MySQLdb.connect",
        "asyncpg.connect",
        "aiosqlite.connect",
        "pymssql.connect",
        "pyodbc.connect",
        "oracledb.connect",
        "mysql.connector.connect",
    }
)
SESSION_CLASSES = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlmodel.Session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlmodel.ext.asyncio.session.AsyncSession",
    }
)
SESSION_FACTORIES = frozenset({"sessionmaker", "async_sessionmaker", "scoped_session"})
CONNECT_METHODS = frozenset({"connect", "raw_connection", "get_connection"})
CLIENT_FACTORIES = frozenset(
    {
        "redis.Redis",
        "redis.StrictRedis",
        "redis.from_url",
        "redis.Redis.from_url",
        "redis.StrictRedis.from_url",
        "redis.asyncio.Redis",
        "redis.asyncio.from_url",
        "redis.asyncio.Redis.from_url",
        "redis.asyncio.StrictRedis",
        "redis.RedisCluster",
        "redis.cluster.RedisCluster",
        "aioredis.Redis",
        "aioredis.StrictRedis",
        "aioredis.from_url",
        "aioredis.Redis.from_url",
        "pymongo.MongoClient",
        "pymongo.AsyncMongoClient",
        "motor.MotorClient",
        "motor.motor_tornado.MotorClient",
        "motor.motor_asyncio.AsyncIOMotorClient",
        "pymemcache.Client",
        "pymemcache.client.base.Client",
        "pymemcache.client.base.PooledClient",
    }
)
"""Clients of a data-store server that hold their connections until closed: counted when
a fixture hands one out, when a test closes one only after its checks, and when a test
talks to the server through one of the clients that run threads (`THREADED_CLIENTS`)."""
THREADED_CLIENTS = frozenset(
    {
        "pymongo.MongoClient",
        "pymongo.AsyncMongoClient",
        "motor.MotorClient",
        "motor.motor_tornado.MotorClient",
        "motor.motor_asyncio.AsyncIOMotorClient",
    }
)
"""Clients whose monitor threads keep them alive after the test drops them; the others
(redis') go with the test's frame when it passes, and stay only with a failing test's
traceback, which is why a close after the checks counts for them."""
RETURNING = frozenset({"release", "putconn", "return_connection"})
"""``pool.release(conn)``: a connection given back to the pool it was checked out of."""
USING_ENGINE = frozenset(
    {
        *SESSION_FACTORIES,
        "Session",
        "AsyncSession",
        "create_all",
        "drop_all",
        "reflect",
        "inspect",
        "read_sql",
        "read_sql_query",
        "read_sql_table",
        "to_sql",
    }
)
"""Calls that check out a connection from an engine given as an argument."""
CONNECTING = frozenset({"connect", "raw_connection", "begin", "execute", "scalar", "scalars"})
RELEASE_METHODS = frozenset(
    {"close", "dispose", "aclose", "release", "terminate", "close_all", "remove", "disconnect"}
)
ENTERING = frozenset({"closing", "aclosing", "enter_context", "enter_async_context"})
CLOSE_ALL_SESSIONS = frozenset({"close_all_sessions"})
MEMORY_URL = re.compile(
    r"sqlite(?:\+\w+)?://(?:/(?::memory:)?)?(?:\?.*)?|sqlite(?:\+\w+)?:///file:[^?]*\?.*mode=memory.*"
)
"""An in-memory SQLite URL: ``sqlite://``, ``sqlite:///``, ``sqlite:///:memory:``,
``sqlite:///file:name?mode=memory&uri=true``, with or without a query."""


@dataclass(frozen=True)
class Resource:
    node: ast.Call
    kind: Kind
    name: str | None
    """The local name it is bound to (None when it is returned or yielded directly)."""
    handed_out: bool
    """The fixture returns or yields it (by name or directly)."""


def _constant_str(node: ast.AST | None, file: FileView, function: ast.AST) -> str | None:
    """The string a URL argument is: a literal, or a name the function (or the module)
    binds to one literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        for scope in (walk_local(function), iter(file.tree.body)):
            values = [
                s.value
                for s in scope
                if isinstance(s, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in s.targets)
            ]
            if values:
                one = values[0]
                if len(values) == 1 and isinstance(one, ast.Constant):
                    return one.value if isinstance(one.value, str) else None
                return None
    return None


def in_memory(url: str) -> bool:
    return url in ("", ":memory:") or bool(MEMORY_URL.fullmatch(url))


def _url_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ("url", "database", "dsn"):
            return keyword.value
    return None


def _memory_engines(function: ast.AST, file: FileView) -> frozenset[str]:
    """Local names bound to an engine or connection of in-memory SQLite."""
    names: set[str] = set()
    for node in walk_local(function):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and _opens(node.value, file, function, frozenset()) is None
            and _is_factory_call(node.value, file)
        ):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


def _is_factory_call(call: ast.Call, file: FileView) -> bool:
    name = file.qualified(call.func) or ""
    return name in DBAPI_CONNECT or call_name(call) in ENGINE_NAMES


def _session_factories(function: ast.AST, file: FileView) -> frozenset[str]:
    """Names (in the function or at module level) bound to ``sessionmaker(...)``."""
    names: set[str] = set()
    for scope in (walk_local(function), iter(file.tree.body)):
        for node in scope:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and call_name(node.value) in SESSION_FACTORIES
            ):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return frozenset(names)


def _opens(
    call: ast.Call, file: FileView, function: ast.AST, memory: frozenset[str]
) -> Kind | None:
    """What kind of resource `call` opens (None when none, or in-memory SQLite)."""
    name = file.qualified(call.func) or ""
    if call_name(call) in ENGINE_NAMES:
        name = "sqlalchemy.create_engine"  # also through `pytest.importorskip` aliases
    if name in ENGINE_FACTORIES or name in DBAPI_CONNECT:
        url = _constant_str(_url_argument(call), file, function)
        if url is not None and in_memory(url):
            return None
        return "engine" if name in ENGINE_FACTORIES else "connection"
    if _client_factories(call, file):
        return "client"
    if call_name(call) == "new_event_loop" or (
        call_name(call) == "IOLoop" and not call.args and not call.keywords
    ):
        return "event loop"  # asyncio's, uvloop's, a policy's; tornado's `IOLoop()`
    if _module_connect(call, file, function):
        return "connection"
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in CONNECT_METHODS and not call.args:
        receiver = func.value
        if isinstance(receiver, ast.Name) and (
            receiver.id in memory or receiver.id in file.imports
        ):
            return None  # an in-memory engine, or a module's connect()
        if (
            isinstance(receiver, ast.Call)
            and _opens(receiver, file, function, memory) is None
            and _is_factory_call(receiver, file)
        ):
            return None
        if func.attr == "get_connection" and _pool_releases(receiver, file, function):
            return None
        return "connection"
    if isinstance(func, ast.Name) and _engine_helper(call, file):
        return "engine"
    if name in SESSION_CLASSES:
        return "session"
    if isinstance(func, ast.Call) and call_name(func) in SESSION_FACTORIES:
        return "session"
    return None


STAND_IN = re.compile(r"dummy|fake|mock|stub|fail", re.IGNORECASE)


POOL_CLOSES = frozenset({"close", "aclose", "disconnect", "dispose", "terminate"})


def _pool_releases(receiver: ast.expr, file: FileView, function: ast.AST) -> bool:
    """Whether the connections checked out of the pool named `receiver` are released
    with it or hold nothing: a pool the function closes or disconnects or enters as a
    context manager (its connections go with it), or one that builds connections of a
    stand-in class of the suite (``connection_class=DummyConnection``), which open no
    socket."""
    if not isinstance(receiver, ast.Name):
        return False
    name = receiver.id
    for node in walk_local(function):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in POOL_CLOSES
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            return True  # `pool.disconnect()`, not `pool.release(conn)` of one connection
        if isinstance(node, (ast.With, ast.AsyncWith)) and any(
            isinstance(item.optional_vars, ast.Name) and item.optional_vars.id == name
            for item in node.items
        ):
            return True
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            and isinstance(node.value, ast.Call)
            and _builds_stand_ins(node.value, file)
        ):
            return True
    return False


def _builds_stand_ins(call: ast.Call, file: FileView) -> bool:
    """A pool built with ``connection_class=`` a stand-in class of the suite, directly or
    by a method of the test class (``self.get_pool()``) that builds it so."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        cls = _enclosing_class(call, file) if func.value.id == "self" else None
        found = file.method(cls, func.attr) if cls is not None else None
        if found is not None:
            owner, method = found
            return any(
                isinstance(node, ast.Call) and _stand_in_keyword(node, owner)
                for node in walk_local(method)
            )
    return _stand_in_keyword(call, file)


def _stand_in_keyword(call: ast.Call, file: FileView) -> bool:
    for keyword in call.keywords:
        if keyword.arg != "connection_class":
            continue
        value = keyword.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            factory = file.top_level(value.func.id)
            return isinstance(factory, ast.FunctionDef) and any(
                isinstance(node, ast.ClassDef) and _stand_in(node, file)
                for node in ast.walk(factory)
            )
        if isinstance(value, ast.Name):
            found = file.top_level(value.id)
            return isinstance(found, ast.ClassDef) and _stand_in(found, file)
    return False


def _stand_in(cls: ast.ClassDef, file: FileView, depth: int = 0) -> bool:
    """A class of the suite that opens no socket: no base class, a name that says it is
    a stand-in (``DummyConnection``, ``FailingConnection``), or only such bases."""
    if not cls.bases or STAND_IN.search(cls.name):
        return True
    if depth > 3:
        return False
    bases = [file.top_level(b.id) if isinstance(b, ast.Name) else None for b in cls.bases]
    return all(isinstance(b, ast.ClassDef) and _stand_in(b, file, depth + 1) for b in bases)


def _enclosing_class(node: ast.AST, file: FileView) -> ast.ClassDef | None:
    parent = file.parent(node)
    while parent is not None and not isinstance(parent, ast.ClassDef):
        parent = file.parent(parent)
    return parent


def _client_factories(call: ast.Call, file: FileView) -> frozenset[str]:
    """The client factories a call builds its client with: itself (``redis.Redis(...)``),
    or, for ``self.make_client(...)``, those a method of the test's class (or of a
    project base class) returns with each of its returns (``return MotorClient(uri)``);
    empty for anything else."""
    name = file.qualified(call.func) or ""
    if name in CLIENT_FACTORIES:
        return frozenset({name})
    func = call.func
    if not (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "self"
    ):
        return frozenset()
    cls = _enclosing_class(call, file)
    found = file.method(cls, func.attr) if cls is not None else None
    if found is None:
        return frozenset()
    owner, definition = found
    returns = [n.value for n in walk_local(definition) if isinstance(n, ast.Return)]
    names = frozenset(
        owner.qualified(value.func) or "" for value in returns if isinstance(value, ast.Call)
    )
    if not returns or len(returns) != sum(isinstance(v, ast.Call) for v in returns):
        return frozenset()
    return names if names <= CLIENT_FACTORIES else frozenset()


def runs_threads(call: ast.Call, file: FileView) -> bool:
    """Whether the client `call` builds runs monitor threads of its own (MongoDB's
    clients): they hold it, so it outlives the test that drops it."""
    factories = _client_factories(call, file)
    return bool(factories) and factories <= THREADED_CLIENTS


def _module_connect(call: ast.Call, file: FileView, function: ast.AST) -> bool:
    """``connect(url)`` of a library (``from dataset import connect``, ``import records``
    then ``records.connect(...)``), given a URL or path that is not in-memory SQLite."""
    func = call.func
    if isinstance(func, ast.Name):
        plain = func.id == "connect" and func.id in file.imports
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        module = func.value.id
        plain = func.attr == "connect" and any(
            isinstance(node, ast.Import)
            and any((alias.asname or alias.name) == module for alias in node.names)
            for node in file.tree.body
        )
    else:
        return False
    url = _url_argument(call)
    if not plain or not isinstance(url, (ast.Constant, ast.JoinedStr, ast.Name)):
        return False
    if _registry_connect(func, file):
        return False
    if isinstance(url, ast.Constant) and not isinstance(url.value, str):
        return False
    text = _constant_str(url, file, function)
    return text is None or not in_memory(text)


def _registry_connect(func: ast.expr, file: FileView) -> bool:
    """A ``connect()`` whose library keeps the connections it opens in a registry of
    its own and closes them with a module-level ``disconnect()`` / ``disconnect_all()``
    that the file imports too (``from mongoengine import connect, disconnect_all``): the
    library, not the returned client, is what the suite releases."""
    qualified = file.qualified(func) or ""
    package = qualified.partition(".")[0]
    return bool(package) and any(
        target.partition(".")[0] == package
        and target.rpartition(".")[2] in ("disconnect", "disconnect_all")
        for target in file.imports.values()
    )


def _engine_helper(call: ast.Call, file: FileView) -> bool:
    """A call of a module-level function of the file, or of a project module, that
    builds a new engine each time it is called (``return create_async_engine(url)``),
    unless the call passes an in-memory SQLite URL."""
    assert isinstance(call.func, ast.Name)
    name = call.func.id
    definition: ast.stmt | None = None
    owner = file
    if name in file.imports:
        module, _, attr = file.imports[name].rpartition(".")
        found = file.suite.project_module(module)
        if found is None:
            return False
        owner, name = found, attr
    else:
        defined = file.defined(name)  # a def of the module, or `from .helpers import name`
        if defined is not None and isinstance(defined[1], (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner, name = defined[0], defined[1].name
    for node in owner.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            definition = node
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if definition.decorator_list or not _returns_engine(definition, owner):
        return False
    url = _constant_str(_url_argument(call), file, call)
    return url is None or not in_memory(url)


def _returns_engine(definition: ast.FunctionDef | ast.AsyncFunctionDef, file: FileView) -> bool:
    returns = [n.value for n in walk_local(definition) if isinstance(n, ast.Return)]
    return bool(returns) and all(
        isinstance(value, ast.Call)
        and call_name(value) in ENGINE_NAMES
        and _opens(value, file, definition, frozenset()) == "engine"
        for value in returns
    )


PATCHERS = frozenset({"patch", "object", "multiple"})


def _patch_target(patcher: ast.expr, file: FileView) -> str:
    """What ``mock.patch("pkg.mod.attr")`` or ``mock.patch.object(pkg.mod, ...)``
    replaces part of, as a qualified name ("" for anything else)."""
    if not (isinstance(patcher, ast.Call) and call_name(patcher) in PATCHERS and patcher.args):
        return ""
    target = patcher.args[0]
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        return target.value
    return file.qualified(target) or ""


def _under_library_patch(call: ast.Call, parents: dict[int, ast.AST], file: FileView) -> bool:
    """Whether `call` runs in a ``with`` block that patches part of the library it opens
    with (``with mock.patch.object(asyncpg.connect_utils, "_connect_addr", ...):`` around
    ``asyncpg.connect(...)``): what it returns is the patch's stand-in."""
    package = (file.qualified(call.func) or "").partition(".")[0]
    node = parents.get(id(call))
    while package and node is not None:
        if isinstance(node, ast.With | ast.AsyncWith) and any(
            _patch_target(item.context_expr, file).partition(".")[0] == package
            for item in node.items
        ):
            return True
        node = parents.get(id(node))
    return False


def resources(function: ast.AST, file: FileView) -> Iterator[Resource]:
    """The resources `function` opens and never releases itself."""
    memory = _memory_engines(function, file)
    factories = _session_factories(function, file)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(function):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    released = _released_names(function)
    for node in walk_local(function):
        if not isinstance(node, ast.Call):
            continue
        kind = _opens(node, file, function, memory)
        if kind is None and isinstance(node.func, ast.Name) and node.func.id in factories:
            kind = "session"
        if kind is None or _under_library_patch(node, parents, file):
            continue
        parent = parents.get(id(node))
        if isinstance(parent, ast.Await):
            node_or_await: ast.AST = parent
            parent = parents.get(id(parent))
        else:
            node_or_await = node
        if isinstance(parent, (ast.Return, ast.Yield)):
            if kind == "session" and ("*sessions" in released or _bound_to(node, released)):
                continue
            yield Resource(node, kind, None, handed_out=True)
            continue
        if not (
            isinstance(parent, ast.Assign)
            and parent.value is node_or_await
            and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)
        ):
            continue  # a with item, an argument, a chained call, an attribute: not tracked
        name = parent.targets[0].id
        if name in released or (kind == "session" and "*sessions" in released):
            continue
        escapes, handed = _uses(function, name)
        if escapes or (kind == "session" and _bound_to(node, released)):
            continue
        if kind == "engine" and not handed and not _connects(function, name):
            continue  # an engine that never connects holds no connection
        yield Resource(node, kind, name, handed_out=handed)


def _bound_to(call: ast.Call, released: frozenset[str]) -> bool:
    """A session on a connection the function closes itself."""
    binds = [*call.args, *(k.value for k in call.keywords if k.arg == "bind")]
    return any(isinstance(b, ast.Name) and b.id in released for b in binds)


def _connects(function: ast.AST, name: str) -> bool:
    """Whether the function connects with engine `name`: calls a method that checks
    out a connection on it, or hands it to another call (a session, ``create_all``)."""
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == name
            and func.attr in CONNECTING
        ):
            return True
        arguments = [k.value for k in node.keywords if k.arg in ("bind", "autoload_with", "con")]
        if call_name(node) in USING_ENGINE:
            arguments.extend(node.args)
        if any(isinstance(a, ast.Name) and a.id == name for a in arguments):
            return True
    return False


def _released_names(function: ast.AST) -> frozenset[str]:
    """Names the function (nested defs and lambdas included) releases: ``x.close``
    (called or passed to a finalizer), ``with x``, ``closing(x)``; "*sessions" for
    ``close_all_sessions()``."""
    names: set[str] = set()
    for node in ast.walk(function):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in RELEASE_METHODS
            and isinstance(node.value, ast.Name)
        ):
            names.add(node.value.id)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.context_expr, ast.Name):
                    names.add(item.context_expr.id)
        elif isinstance(node, ast.Call):
            called = call_name(node)
            if called in ENTERING:
                names.update(a.id for a in node.args if isinstance(a, ast.Name))
            elif called in CLOSE_ALL_SESSIONS:
                names.add("*sessions")
            elif called in RETURNING or any(
                isinstance(a, ast.Attribute) and a.attr in RETURNING for a in node.args
            ):  # `pool.release(conn)`, `exit_callback(pool.release, conn)`
                names.update(a.id for a in node.args if isinstance(a, ast.Name))
    return frozenset(names)


def _uses(function: ast.AST, name: str) -> tuple[bool, bool]:
    """(escapes, handed out): whether `name` is stored somewhere that may release it
    later (an attribute, an item, a container, a ``global``), and whether the function
    returns or yields it."""
    handed = False
    for node in ast.walk(function):
        if isinstance(node, (ast.Return, ast.Yield)) and node.value is not None:
            value = node.value
            if isinstance(value, ast.Name) and value.id == name:
                handed = True
            elif any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(value)):
                return True, handed  # inside a tuple, a dict, a wrapper: not followed
        elif isinstance(node, ast.Assign) and not all(
            isinstance(t, ast.Name) for t in node.targets
        ):
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value)):
                return True, handed
        elif (isinstance(node, ast.Global) and name in node.names) or (
            isinstance(node, ast.Call)
            and call_name(node) in ("append", "extend", "add", "setdefault", "push")
            and any(isinstance(a, ast.Name) and a.id == name for a in node.args)
        ):
            return True, handed
    return False, handed


def releases_param(function: ast.AST, name: str) -> bool:
    """Whether a consumer releases the fixture value it gets as `name`."""
    return name in _released_names(function)


def opened_kind(call: ast.Call, file: FileView, function: ast.AST) -> Kind | None:
    """What kind of database resource `call` (in `function`) opens; None for none and
    for in-memory SQLite."""
    return _opens(call, file, function, _memory_engines(function, file))


def escapes(function: ast.AST, name: str) -> bool:
    """Whether the function stores `name` somewhere that may release it later, or hands
    it out inside another value."""
    return _uses(function, name)[0]


QUIET_METHODS = frozenset(
    {"pubsub", "pipeline", "client", "lock", "with_options", "register_script", "monitor"}
)
"""Client methods that build another object and send nothing to the server."""
DISCONNECTS = RELEASE_METHODS | {"disconnect", "disconnect_connection_pools"}
SHARED_POOL = frozenset({"connection_pool", "connection"})
"""Keywords that give a client a pool or connection someone else owns and releases."""


def _rooted(node: ast.AST, name: str) -> bool:
    """`name` itself or an attribute chain on it (``name.pool.conns``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id == name


STAND_INS = frozenset(
    {"Mock", "MagicMock", "AsyncMock", "NonCallableMock", "create_autospec", "patch", "object"}
)
"""Calls that build a stand-in or patch one in (``mock.patch.object(...)``)."""
SET_UP = re.compile(r"^_|pool$|kwargs$|options$|config$|registry$|cache$")
"""Attributes of a client that hold its set-up, not the server's data."""


def _stands_in(function: ast.AST) -> bool:
    """Whether the test builds a mock or patches something: its client may talk to a
    stand-in transport (a mocked socket or connection), which holds nothing."""
    return any(
        isinstance(node, ast.Call) and call_name(node) in STAND_INS for node in ast.walk(function)
    )


def _inspects(receiver: ast.expr) -> bool:
    """A call on the client's set-up (``name.connection_pool.connection_kwargs.get``,
    ``name._parser.on_connect``), not a command to the server."""
    node = receiver
    while isinstance(node, ast.Attribute):
        if SET_UP.search(node.attr):
            return True
        node = node.value
    return False


def _parts_of(function: ast.AST, name: str) -> set[str]:
    """Local names bound to a part of the client `name` (``items = name.shop.items``):
    a command sent through one is sent through the client."""
    return {
        node.targets[0].id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Attribute | ast.Subscript)
        and _rooted(node.value.value if isinstance(node.value, ast.Subscript) else node.value, name)
    }


def talks(function: ast.AST, name: str, call: ast.Call) -> bool:
    """Whether `function` talks to the server through the client `name` that `call`
    builds: calls a method through it (``name.ping()``, ``name.db.items.find_one()``, or
    ``items.find_one()`` after ``items = name.db.items``) other than one that only builds
    another object (``name.pubsub()``, ``name.get_database()``). Not when it replaces the
    client's methods (``patch.object(name, ...)``, ``name.execute_command = Mock()``:
    nothing is sent), releases it through an attribute
    (``name.connection_pool.disconnect()``; its own ``close()`` is no talk), or builds it
    on a pool or connection handed to it (``connection_pool=``), which goes back to its
    owner; nor in a test that builds a mock or patches something (the client may talk to
    a stand-in), nor through a call on its set-up (``name.connection_pool....get()``)."""
    if any(keyword.arg in SHARED_POOL for keyword in call.keywords) or _stands_in(function):
        return False
    names = {name} | _parts_of(function, name)
    talked = False
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and _rooted(t, name) for t in node.targets
        ):
            return False
        if not isinstance(node, ast.Call):
            continue
        if call_name(node) in ("object", "setattr") and node.args and _rooted(node.args[0], name):
            return False
        func = node.func
        if not (isinstance(func, ast.Attribute) and any(_rooted(func.value, n) for n in names)):
            continue
        if func.attr in DISCONNECTS:
            if _rooted(func.value, name) and not isinstance(func.value, ast.Name):
                return False  # `name.connection_pool.disconnect()`
            continue
        if _inspects(func.value):
            continue  # `name.connection_pool.connection_kwargs.get(...)`: reads its set-up
        if not (func.attr in QUIET_METHODS or func.attr.startswith(("get_", "set_"))):
            talked = True
    return talked
