"""TA105 duplicate-test-name."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import FileView, Finding, Invalid, Rule, Severity, Valid

from ._common import (
    decorator_names,
    is_fixture_def,
    is_unittest_class,
)

REGISTERING_DECORATORS = frozenset(
    {"overload", "setter", "getter", "deleter", "register", "property", "fixture"}
)
"""Decorators that keep or replace a def elsewhere: a later def of the name loses
nothing."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class DuplicateTestName(Rule):
    """
    ## What it does
    Finds two test functions (or test methods, or test classes) with the same name in
    one module or class body.

    ## Why is this bad?
    The second `def` rebinds the name: pytest only sees the last one, and the first
    test silently never runs. Usually a copy-pasted test whose name was not changed.

    ## Example
    ```python
    def test_total():
        assert total([1, 2]) == 3

    def test_total():
        assert total([]) == 0
    ```
    Use instead:
    ```python
    def test_total():
        assert total([1, 2]) == 3

    def test_total_empty():
        assert total([]) == 0
    ```

    ## Options
    - `python_functions` (pytest ini option, prefixes or glob patterns; default `test`)
      and `python_classes` (default `Test`): the functions, methods and classes that are
      tests (`unittest.TestCase` subclasses are test classes whatever their name). Two
      helpers of the same name are not reported: no test is lost.
    """

    code = "TA105"
    cache_scope = "file"
    name = "duplicate-test-name"
    category = "structure"
    severity = Severity.ERROR

    VALID = (
        Valid("def test_total():\n    assert True\n\n\ndef test_total_empty():\n    assert True\n"),
        Valid(
            "import sys\n\nif sys.platform == 'win32':\n    def test_path():\n"
            "        assert True\nelse:\n    def test_path():\n        assert True\n"
        ),
        Valid(
            "class TestA:\n    def test_x(self):\n        assert True\n\n\n"
            "class TestB:\n    def test_x(self):\n        assert True\n"
        ),
    )
    INVALID = (
        Invalid(
            "import pytest\n\n\ndef test_total():\n    assert 1 + 2 == 3\n\n\n"
            "test_total = pytest.mark.slow(test_total)\n\n\ndef test_total():\n"
            "    assert sum([]) == 0\n",
            at=("test_example.py:4:1",),
            message="test `test_total` is defined again at line 11",
        ),
        Invalid(
            "class TestCart:\n    def test_add(self):\n        assert True\n\n"
            "    def test_add(self):\n        assert True\n\n\n"
            "class TestCart:\n    def test_remove(self):\n        assert True\n",
            at=("test_example.py:1:1", "test_example.py:2:5"),
            message="test class `TestCart` is defined again at line 9",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not file.is_test_module or file.is_conftest:
            return
        yield from self._scope(file, file.tree.body, None)

    def _scope(
        self, file: FileView, body: list[ast.stmt], cls: ast.ClassDef | None
    ) -> Iterator[Finding]:
        suite = file.suite
        seen: dict[str, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = {}
        for node in body:
            if isinstance(node, ast.ClassDef):
                yield from self._scope(file, node.body, node)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if not suite.is_test_function_name(node.name):
                    seen.pop(node.name, None)
                    continue
                if is_fixture_def(node) or set(decorator_names(node)) & REGISTERING_DECORATORS:
                    seen.pop(node.name, None)
                    continue
            elif isinstance(node, ast.ClassDef):
                if cls is not None or not (
                    suite.is_test_class_name(node.name) or is_unittest_class(node)
                ):
                    seen.pop(node.name, None)
                    continue
            else:
                for name in _ending_pairs(node):
                    seen.pop(name, None)
                continue
            first = seen.get(node.name)
            seen[node.name] = node
            if first is None:
                continue
            if isinstance(first, ast.ClassDef) != isinstance(node, ast.ClassDef):
                continue
            if _reads(node, node.name):
                continue  # `class TestA(TestA)` or `@wraps(test_a)` keeps the first one
            if isinstance(first, ast.ClassDef) and not _test_methods(file, first):
                continue  # a helper class named Test*: no test is lost
            yield self._finding(file, first, node)

    def _finding(
        self,
        file: FileView,
        first: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
        again: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
    ) -> Finding:
        if isinstance(first, ast.ClassDef):
            lost = _test_methods(file, first)
            return self.at(
                file,
                first,
                f"test class `{first.name}` is defined again at line {again.lineno}, which "
                f"replaces this one: its {_plural(lost, 'test')} never "
                f"{'runs' if lost == 1 else 'run'}; rename one of "
                "them (or merge them)",
            )
        return self.at(
            file,
            first,
            f"test `{first.name}` is defined again at line {again.lineno}, which replaces "
            "this one: it never runs; rename one of them",
        )


def _test_methods(file: FileView, cls: ast.ClassDef) -> int:
    return sum(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        and file.suite.is_test_function_name(n.name)
        for n in cls.body
    )


def _reads(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, name: str) -> bool:
    """Whether the decorators or bases of `node` read `name`."""
    parts: list[ast.expr] = list(node.decorator_list)
    if isinstance(node, ast.ClassDef):
        parts.extend(node.bases)
    return any(
        isinstance(child, ast.Name) and child.id == name
        for part in parts
        for child in ast.walk(part)
    )


def _ending_pairs(node: ast.stmt) -> set[str]:
    """Names whose pending def a statement in between settles: a rebinding to something
    else (`test_a = None`, an import, a def in an `if`) or a read that may keep the def
    alive elsewhere (`test_b = test_a`, `register(test_a)`). A rebinding through the
    def itself (`test_a = mark(test_a)`) settles nothing: the next def still replaces
    it."""
    stored: set[str] = set()
    read: set[str] = set()
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        stored.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            (read if isinstance(child.ctx, ast.Load) else stored).add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored.add(child.name)
    return (stored | read) - (stored & read)
