"""Resources a test releases only when its checks pass, for TA308 unreleased-resource.

A test that opens a database engine or connection (see `_resources`), or builds an
object that runs something (``Worker()``, ``subprocess.Popen(...)``,
``ThreadPoolExecutor()``: an instance whose ``shutdown()``, ``stop()``, ``terminate()``
or ``kill()`` the test calls) or that it connects (``Queue.from_url(url)``, then its
``connect()`` and ``disconnect()``), and releases it with a plain call statement after an
``assert`` (or another check that fails the test): when the check fails the release never
runs. Releases in a ``finally``, a ``with`` block, a finalizer (``addfinalizer``,
``addCleanup``, ``ExitStack.callback``) or before the first check are fine, and so is an
object stored elsewhere (``self.worker``, a list) or handed out, and one that runs only as
a task (``asyncio.create_task(worker.start())``) of a loop the test class closes after
each test (``IsolatedAsyncioTestCase``): a failing check cancels it with the loop."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.api import FileView, walk_local

from ._resources import RELEASE_METHODS, escapes, opened_kind, talks
from ._syntax import failing_points, parents_of, statement_of, statements_after

RUNNING_STOPS = frozenset({"shutdown", "stop", "terminate", "kill", "quit"})
"""What stops an object that runs threads, processes or servers, alone or as the verb of
a longer name (``pool.stop_workers()``, ``server.shutdown_all()``)."""
NOT_RUNNING = re.compile(r"timer|stopwatch|watch|clock|patch|freez|mock", re.IGNORECASE)
"""Constructors whose ``stop()`` ends a measurement or a patch, not a running thing."""
CAMEL = re.compile(r"^_?[A-Z]\w*[a-z]\w*$")


@dataclass(frozen=True)
class LateRelease:
    node: ast.Call
    """The call that opened or built the resource."""
    kind: str
    """"engine", "connection", "running" or "connected" (released by ``disconnect()``)."""
    name: str
    release: ast.Call
    """The first release, which runs only when the checks before it pass."""


def stops(method: str) -> bool:
    """Whether a method stops a running object: ``stop()``, ``stop_workers()``."""
    return method in RUNNING_STOPS or method.partition("_")[0] in RUNNING_STOPS


def _constructor(call: ast.Call) -> bool:
    """``Worker(...)``, or a class's factory ``Queue.from_url(...)``."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if (
        isinstance(func, ast.Attribute)
        and name.startswith("from_")
        and isinstance(func.value, ast.Name)
    ):
        name = func.value.id
    return isinstance(name, str) and bool(CAMEL.match(name)) and not NOT_RUNNING.search(name)


def _connected(calls: list[ast.Call]) -> bool:
    """Whether the test calls the object's ``connect()``: its ``disconnect()`` then
    releases what that opened."""
    return any(isinstance(c.func, ast.Attribute) and c.func.attr == "connect" for c in calls)


def _bindings(function: ast.AST) -> Iterator[tuple[ast.Assign, str, ast.Call]]:
    for node in walk_local(function):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            if isinstance(value, ast.Call):
                yield node, node.targets[0].id, value


def _plain_release(call: ast.Call, parents: dict[int, ast.AST], root: ast.AST) -> bool:
    """A release that runs in the test's own flow: a call statement, not in a
    ``finally`` or an ``except`` block."""
    statement = statement_of(call, parents)
    if not isinstance(statement, ast.Expr):
        return False
    value = statement.value.value if isinstance(statement.value, ast.Await) else statement.value
    if value is not call:
        return False
    child: ast.AST = statement
    while id(child) in parents and child is not root:
        parent = parents[id(child)]
        if isinstance(parent, ast.ExceptHandler) or child in getattr(parent, "finalbody", []):
            return False
        child = parent
    return True


def _uses(function: ast.AST, name: str) -> tuple[list[ast.Call], bool]:
    """(calls of methods on `name`, whether `name` is used some other way that may
    release it: ``with name``, ``closing(name)``, passed as a callable's owner to a
    finalizer, used in a nested def or lambda)."""
    calls: list[ast.Call] = []
    other = False
    for node in ast.walk(function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if node is not function and any(
                isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)
            ):
                other = True
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                expr = item.context_expr
                inner = expr.args if isinstance(expr, ast.Call) else [expr]
                if any(isinstance(n, ast.Name) and n.id == name for n in inner):
                    other = True  # `with name:`, `with closing(name):`
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == name
            ):
                calls.append(node)
            elif any(
                isinstance(a, ast.Attribute)
                and isinstance(a.value, ast.Name)
                and a.value.id == name
                and (a.attr in RELEASE_METHODS or stops(a.attr))
                for a in node.args
            ):
                other = True  # `request.addfinalizer(name.close)`, `stack.callback(...)`
    return calls, other


LOOP_PER_TEST = frozenset({"IsolatedAsyncioTestCase", "AioHTTPTestCase"})
"""unittest classes that run each test in an event loop of its own, closed after it (its
tasks cancelled)."""
TASK_STARTERS = frozenset({"create_task", "ensure_future"})


def loop_per_test(cls: ast.ClassDef | None, file: FileView) -> bool:
    """Whether the test class (or a base class of its module) derives from a unittest
    class that gives each test an event loop of its own."""
    seen: set[str] = set()
    todo = [cls] if cls is not None else []
    classes = {n.name: n for n in file.tree.body if isinstance(n, ast.ClassDef)}
    while todo:
        node = todo.pop()
        for base in node.bases:
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if name in LOOP_PER_TEST:
                return True
            if name in classes and name not in seen:
                seen.add(name)
                todo.append(classes[name])
    return False


def _runs_in_a_task(function: ast.AST, name: str, calls: list[ast.Call]) -> bool:
    """Whether `name` runs only as a task of the test's loop: each of its calls other
    than a stop is the coroutine handed to ``asyncio.create_task(...)``."""
    tasks = {
        id(a)
        for n in ast.walk(function)
        if isinstance(n, ast.Call)
        and (getattr(n.func, "attr", None) or getattr(n.func, "id", None)) in TASK_STARTERS
        for a in n.args
    }
    started = [c for c in calls if isinstance(c.func, ast.Attribute) and not stops(c.func.attr)]
    return bool(started) and all(id(c) in tasks for c in started)


def late_releases(
    function: ast.FunctionDef | ast.AsyncFunctionDef, file: FileView, own_loop: bool = False
) -> Iterator[LateRelease]:
    """The resources the test `function` releases only after checks that may fail. With
    `own_loop` (the test's event loop closes after it), an object that runs only as a
    task of that loop stops with it."""
    parents: dict[int, ast.AST] | None = None
    for assign, name, call in _bindings(function):
        kind = opened_kind(call, file, function)
        if kind in ("session", "event loop") or (
            kind == "client" and not talks(function, name, call)
        ):
            continue
        if kind is None and not _constructor(call):
            continue
        calls, other = _uses(function, name)
        releases = [
            c
            for c in calls
            if isinstance(c.func, ast.Attribute)
            and (
                c.func.attr in RELEASE_METHODS
                if kind is not None
                else stops(c.func.attr) or (c.func.attr == "disconnect" and _connected(calls))
            )
        ]
        if not releases or other or escapes(function, name):
            continue
        if kind is None and own_loop and _runs_in_a_task(function, name, calls):
            continue
        if parents is None:
            parents = parents_of(function)
        if not all(_plain_release(r, parents, function) for r in releases):
            continue
        first = min(releases, key=lambda r: r.lineno)
        start = statements_after(statement_of(assign, parents))
        if failing_points(function, file.tree, parents, start, first.lineno):
            verb = getattr(first.func, "attr", "")
            running = "connected" if verb == "disconnect" else "running"
            yield LateRelease(call, kind or running, name, first)
