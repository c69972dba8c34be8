"""Objects a test leaves open while it closes another one built the same way, for TA308
unreleased-resource.

A test that builds two objects with the same constructor (``orig = SqliteDict(path)``,
``copy = SqliteDict(path)``) and closes one of them (``orig.close()``,
``orig.terminate()``) shows that what the constructor builds holds something until it
is closed: a connection, a file, a worker thread. The other one, never closed, entered
in a ``with`` block, handed out or stored anywhere, stays open after the test. Only
constructors of classes are followed (a CamelCase name that is not a mock, a patch or a
timer), not in-memory streams (``io.StringIO``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.api import FileView, walk_local

from ._late_release import NOT_RUNNING
from ._resources import RELEASE_METHODS, escapes
from ._syntax import call_name, parents_of, statement_of

IN_MEMORY = ("io.", "_io.")


@dataclass(frozen=True)
class Sibling:
    node: ast.Call
    """The call that built the object left open."""
    name: str
    closed: str
    """The other object, which the test closes."""
    release: ast.Call
    """Its release."""


def _bindings(function: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    """``name = Constructor(...)`` statements of the function itself."""
    for node in walk_local(function):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
        ):
            yield node.targets[0].id, node.value


def _constructor(call: ast.Call, file: FileView) -> str | None:
    """The qualified name of the class a call builds, when it builds one."""
    name = call_name(call)
    if not name[:1].isupper() or not any(c.islower() for c in name) or NOT_RUNNING.search(name):
        return None
    qualified = file.qualified(call.func) or ast.unparse(call.func)
    return None if qualified.startswith(IN_MEMORY) else qualified


def _releases(function: ast.AST, name: str) -> list[ast.Call]:
    """The release calls on `name` (``name.close()``) in the function's own flow."""
    return [
        node
        for node in walk_local(function)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == name
        and node.func.attr in RELEASE_METHODS
    ]


def _kept(function: ast.AST, name: str) -> bool:
    """Whether something else may close `name`: a ``with`` block or ``closing(name)``,
    a nested def or lambda using it, an argument of a call, or a value stored, returned
    or yielded (`escapes`)."""
    if escapes(function, name):
        return True
    for node in ast.walk(function):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if node is not function and any(
                isinstance(n, ast.Name) and n.id == name for n in ast.walk(node)
            ):
                return True
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            if any(
                isinstance(n, ast.Name) and n.id == name
                for item in node.items
                for n in ast.walk(item.context_expr)
            ):
                return True
        elif isinstance(node, (ast.Return, ast.Yield)) and node.value is not None:
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value)):
                return True
        elif isinstance(node, ast.Call):
            arguments = [*node.args, *(k.value for k in node.keywords)]
            if any(isinstance(a, ast.Name) and a.id == name for a in arguments):
                return True
    return False


def _bound_once(function: ast.AST, name: str) -> bool:
    """Whether the function binds `name` once (a name rebound may hold either object)."""
    stores = [
        n
        for n in walk_local(function)
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
    ]
    return len(stores) == 1


def left_open(
    function: ast.FunctionDef | ast.AsyncFunctionDef, file: FileView
) -> Iterator[Sibling]:
    """The objects `function` builds and never closes while it closes another object
    built by the same constructor."""
    built: dict[str, list[tuple[str, ast.Call]]] = {}
    for name, call in _bindings(function):
        qualified = _constructor(call, file)
        if qualified is not None and _bound_once(function, name):
            built.setdefault(qualified, []).append((name, call))
    parents: dict[int, ast.AST] | None = None
    for objects in built.values():
        closed = [(name, _releases(function, name)) for name, _ in objects]
        closers = [(name, calls) for name, calls in closed if calls]
        if not closers:
            continue
        for name, call in objects:
            if any(other == name for other, _ in closers) or _kept(function, name):
                continue
            other, calls = closers[0]
            release = min(calls, key=lambda c: c.lineno)
            if parents is None:
                parents = parents_of(function)
            if not isinstance(statement_of(release, parents), ast.Expr):
                continue
            yield Sibling(call, name, other, release)
