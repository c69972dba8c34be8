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
        "pymongo.MongoClient",
        "motor.motor_asyncio.AsyncIOMotorClient",
        "pymemcache.Client",
        "pymemcache.client.base.Client",
        "pymemcache.client.base.PooledClient",
    }
)
"""Clients of a data-store server that hold their connections until closed; counted only
when a fixture hands one out (a test's own client is its business)."""
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
    {"close", "dispose", "aclose", "release", "terminate", "close_all", "remove"}
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
    if name in CLIENT_FACTORIES:
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
        return "connection"
    if isinstance(func, ast.Name) and _engine_helper(call, file):
        return "engine"
    if name in SESSION_CLASSES:
        return "session"
    if isinstance(func, ast.Call) and call_name(func) in SESSION_FACTORIES:
        return "session"
    return None


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
        if kind is None:
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
            elif called in RETURNING:
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
