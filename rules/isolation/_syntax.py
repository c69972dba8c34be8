"""Where a node sits in a function's syntax tree, for the isolation rules: parents,
``finally`` blocks, ``pytest.raises`` blocks, the first ``yield``, what runs at import
time, and the defs a finalizer or a class names."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from auditor.api import walk_local

TRY_NODES: tuple[type[ast.AST], ...] = (
    (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)
)


def first_yield(function: ast.AST) -> int | None:
    """The line of the first ``yield`` of the function itself (None if it has none)."""
    lines = [n.lineno for n in walk_local(function) if isinstance(n, (ast.Yield, ast.YieldFrom))]
    return min(lines) if lines else None


def call_name(node: ast.AST) -> str:
    """The last name of a call's function (``addCleanup`` for ``self.addCleanup(...)``)."""
    if not isinstance(node, ast.Call):
        return ""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def parents_of(root: ast.AST) -> dict[int, ast.AST]:
    """id(node) -> its parent, for every node below `root`."""
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(root):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def statements_after(node: ast.AST) -> int:
    """The last line of `node`: what comes after it starts below this line."""
    end = getattr(node, "end_lineno", None)
    return int(end if end is not None else getattr(node, "lineno", 0))


def contains(tree: ast.AST, node: ast.AST) -> bool:
    """Whether `node` is `tree` or one of its descendants."""
    return any(n is node for n in ast.walk(tree))


def yields_inside(node: ast.AST) -> bool:
    """Whether the function's own code inside `node` yields."""
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk_local(node))


RAISES = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})


def expects_error(node: ast.AST, parents: dict[int, ast.AST], root: ast.AST) -> bool:
    """Inside ``with pytest.raises(...)``: the write is expected to fail."""
    child = node
    while id(child) in parents and child is not root:
        parent = parents[id(child)]
        if isinstance(parent, (ast.With, ast.AsyncWith)) and any(
            call_name(item.context_expr) in RAISES for item in parent.items
        ):
            return True
        child = parent
    return False


def in_finally(node: ast.AST, parents: dict[int, ast.AST], root: ast.AST) -> bool:
    """Whether `node` is in the ``finally`` block of a ``try`` below `root`."""
    child = node
    while id(child) in parents and child is not root:
        parent = parents[id(child)]
        if isinstance(parent, TRY_NODES) and any(
            contains(s, child) for s in getattr(parent, "finalbody", [])
        ):
            return True
        child = parent
    return False


def statement_of(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    """The statement holding `node` (`node` itself if it is one)."""
    current = node
    while not isinstance(current, ast.stmt) and id(current) in parents:
        current = parents[id(current)]
    return current


def function_defs(body: Iterable[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The defs of a module or class body, those under ``if`` and ``try`` included."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
        elif isinstance(node, (ast.If, ast.Try)):
            yield from function_defs([*node.body, *node.orelse, *getattr(node, "finalbody", [])])


def named_function(
    target: ast.expr, function: ast.AST, cls: ast.ClassDef | None, module: ast.Module
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The def a finalizer names: a nested def, a module-level def or ``self.method``."""
    if isinstance(target, ast.Name):
        for node in walk_local(function):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                node.name == target.id
            ):
                return node
        for node in function_defs(module.body):
            if node.name == target.id:
                return node
    elif (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id in ("self", "cls")
        and cls is not None
    ):
        for node in function_defs(cls.body):
            if node.name == target.attr:
                return node
    return None


def module_level(body: Iterable[ast.stmt]) -> Iterator[ast.AST]:
    """Nodes that run at import time, minus ``if __name__ == "__main__":`` blocks."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from statement.decorator_list
            continue
        if isinstance(statement, ast.If) and _is_main_guard(statement.test):
            yield from module_level(statement.orelse)
            continue
        yield statement
        yield from walk_local(statement)


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def qualname_map(tree: ast.Module) -> dict[int, str]:
    """id(def node) -> "Class.method" for module- and class-level defs."""
    names: dict[int, str] = {}

    def visit(body: Iterable[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names[id(node)] = prefix + node.name
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.If, ast.Try)):
                visit([*node.body, *node.orelse, *getattr(node, "finalbody", [])], prefix)

    visit(tree.body, "")
    return names


CHECK_PREFIXES = ("assert", "check", "verify", "expect", "fail")
"""Calls named like these check something and raise when it does not hold."""


def _asserting_defs(module: ast.Module) -> frozenset[str]:
    """Module-level defs of the file whose own code asserts."""
    return frozenset(
        node.name
        for node in function_defs(module.body)
        if any(isinstance(n, ast.Assert) for n in walk_local(node))
    )


def failing_points(
    root: ast.AST, module: ast.Module, parents: dict[int, ast.AST], start: int, end: int
) -> list[ast.AST]:
    """The checks of `root`'s own code on lines after `start` and before `end` that fail
    the test when they do not hold: ``assert``, ``raise``, calls named ``assert*``,
    ``check*``, ``verify*`` (``self.assertEqual``, ``check_paging(q)``) and calls of
    the module's own defs that assert. Checks inside a ``try`` (whose handlers or
    ``finally`` may deal with the failure) and inside ``pytest.raises`` do not count."""
    asserting: frozenset[str] | None = None
    found: list[ast.AST] = []
    for node in walk_local(root):
        line = getattr(node, "lineno", 0)
        if not start < line < end:
            continue
        fails = isinstance(node, (ast.Assert, ast.Raise))
        if not fails and isinstance(node, ast.Call):
            name = call_name(node)
            if name.lower().startswith(CHECK_PREFIXES):
                fails = True
            elif isinstance(node.func, ast.Name):
                if asserting is None:
                    asserting = _asserting_defs(module)
                fails = name in asserting
        if fails and not _guarded(node, parents, root):
            found.append(node)
    return found


def _guarded(node: ast.AST, parents: dict[int, ast.AST], root: ast.AST) -> bool:
    child = node
    while id(child) in parents and child is not root:
        parent = parents[id(child)]
        body: list[ast.stmt] = getattr(parent, "body", [])
        if isinstance(parent, TRY_NODES) and any(contains(s, child) for s in body):
            return True
        if isinstance(parent, (ast.With, ast.AsyncWith)) and any(
            call_name(item.context_expr) in RAISES for item in parent.items
        ):
            return True
        child = parent
    return False
