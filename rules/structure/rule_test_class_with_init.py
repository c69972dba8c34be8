"""TA103 test-class-with-init."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import (
    Applicability,
    FileView,
    Finding,
    Fix,
    Invalid,
    Rule,
    Severity,
    Valid,
)

from ._common import (
    base_names,
    decorator_names,
    is_fixture_def,
    is_unittest_class,
)

CODEMOD = "auditor.lint.codemods.add_test_false:AddTestFalse"

GENERATING_DECORATORS = frozenset({"dataclass", "s", "attrs", "define", "frozen", "mutable"})
"""Class decorators that write an `__init__` (dataclasses, attrs)."""

CONSTRUCTING_BASES = {
    "Exception": "__init__",
    "BaseException": "__init__",
    "BaseModel": "__init__",
    "NamedTuple": "__new__",
    "Enum": "__new__",
    "IntEnum": "__new__",
    "StrEnum": "__new__",
    "Flag": "__new__",
    "IntFlag": "__new__",
    "dict": "__init__",
    "list": "__init__",
    "set": "__init__",
    "str": "__new__",
    "int": "__new__",
    "float": "__new__",
    "tuple": "__new__",
    "bytes": "__new__",
    "frozenset": "__new__",
}
"""Bases (last dotted part) whose `__init__` or `__new__` pytest sees on a subclass."""


def _own_constructor(node: ast.ClassDef) -> tuple[str, str] | None:
    """(`__init__` or `__new__`, the decorator that writes it or "") of the class body."""
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in (
            "__init__",
            "__new__",
        ):
            return item.name, ""
        if isinstance(item, ast.Assign):
            for target in item.targets:
                if isinstance(target, ast.Name) and target.id in ("__init__", "__new__"):
                    return target.id, ""
    for decorator in node.decorator_list:
        name = _generator_name(decorator)
        if name in GENERATING_DECORATORS and not _init_false(decorator):
            return "__init__", f"`@{ast.unparse(decorator)}`"
    return None


def _generator_name(decorator: ast.expr) -> str:
    node: ast.AST = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(node, ast.Attribute):
        # `attr.s`, `attrs.define`, `dataclasses.dataclass`; not `foo.s` of anything else
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("attr", "attrs", "dataclasses"):
            return node.attr
        return ""
    if isinstance(node, ast.Name) and node.id != "s":
        return node.id
    return ""


def _init_false(decorator: ast.expr) -> bool:
    return isinstance(decorator, ast.Call) and any(
        k.arg == "init" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in decorator.keywords
    )


def _test_attr(node: ast.ClassDef) -> bool | None:
    for item in node.body:
        if isinstance(item, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__test__" for t in item.targets
        ):
            value = item.value
            return bool(value.value) if isinstance(value, ast.Constant) else None
    return None


def _abstract(node: ast.ClassDef) -> bool:
    return any(
        isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
        and "abstractmethod" in decorator_names(item)
        for item in node.body
    )


class _Classes:
    """The module-level classes of a file by name, to follow bases defined beside."""

    def __init__(self, tree: ast.Module) -> None:
        self.by_name = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}

    def mro(self, node: ast.ClassDef) -> list[ast.ClassDef | str]:
        """The class, its bases defined in this file (depth first), and the other
        bases' names."""
        order: list[ast.ClassDef | str] = []
        seen: set[int] = set()

        def visit(current: ast.ClassDef) -> None:
            if id(current) in seen:
                return
            seen.add(id(current))
            order.append(current)
            for base in base_names(current):
                local = self.by_name.get(base)
                if local is not None and local is not current:
                    visit(local)
                elif base:
                    order.append(base)

        visit(node)
        return order

    def constructor(self, node: ast.ClassDef) -> tuple[str, str] | None:
        """(`__init__` or `__new__`, where it comes from) for a class pytest refuses."""
        for entry in self.mro(node):
            if isinstance(entry, ast.ClassDef):
                own = _own_constructor(entry)
                if own is not None:
                    return own[0], (own[1] if entry is node else f"`{entry.name}`")
            else:
                last = entry.rsplit(".", 1)[-1]
                inherited = CONSTRUCTING_BASES.get(last)
                if inherited is None and last.endswith(("Error", "Exception")):
                    inherited = "__init__"
                if inherited is not None:
                    return inherited, f"`{entry}`"
        return None

    def test_attr(self, node: ast.ClassDef) -> bool | None:
        for entry in self.mro(node):
            if isinstance(entry, ast.ClassDef):
                value = _test_attr(entry)
                if value is not None:
                    return value
        return None

    def test_methods(self, file: FileView, node: ast.ClassDef) -> list[str]:
        names: dict[str, None] = {}
        for entry in self.mro(node):
            if isinstance(entry, ast.ClassDef):
                for item in entry.body:
                    if (
                        isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and file.suite.is_test_function_name(item.name)
                        and not is_fixture_def(item)
                    ):
                        names.setdefault(item.name)
        return list(names)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class TestClassWithInit(Rule):
    """
    ## What it does
    Finds a class that python_classes matches (`Test*`) in a test module but that has a
    constructor: its own `__init__` or `__new__`, one written by `@dataclass` or attrs,
    or one inherited from a base such as `Exception`, pydantic's `BaseModel` or `Enum`.

    ## Why is this bad?
    pytest cannot instantiate such a class, so it skips it with only a
    `PytestCollectionWarning`: the test methods it holds never run. A helper class
    named `Test*` (a factory, a manager) costs a warning on every run.

    ## Example
    ```python
    class TestDataFactory:
        def __init__(self, session):
            self.session = session

        def create_user(self):
            return self.session.add({"name": "Test User"})
    ```
    Use instead:
    ```python
    class TestDataFactory:
        __test__ = False

        def __init__(self, session):
            self.session = session

        def create_user(self):
            return self.session.add({"name": "Test User"})
    ```

    ## Fix safety
    Adding `__test__ = False` to a class without test methods is safe: pytest could not
    collect it anyway, and nothing else reads the attribute. A class with test methods
    gets no fix: its `__init__` must become `setup_method` or fixtures, by hand.

    ## Options
    - `python_classes` (pytest ini option, prefixes or glob patterns; default `Test`):
      the classes looked at.
    - `python_functions` (pytest ini option, prefixes or glob patterns; default `test`):
      the methods that are tests. A class without any is a helper (a warning, with the
      fix); a class with some is an error, as its tests never run.

    ## References
    - pytest, "Conventions for Python test discovery":
      <https://docs.pytest.org/en/stable/explanation/goodpractices.html#conventions-for-python-test-discovery>
    """

    code = "TA103"
    cache_scope = "file"
    name = "test-class-with-init"
    category = "structure"
    severity = Severity.ERROR

    VALID = (
        Valid(
            "class TestUser:\n    def setup_method(self):\n        self.name = 'a'\n\n"
            "    def test_name(self):\n        assert self.name == 'a'\n"
        ),
        Valid(
            "class TestDataFactory:\n    __test__ = False\n\n    def __init__(self, s):\n"
            "        self.s = s\n"
        ),
        Valid(
            files={
                "tests/helpers.py": "class TestDataFactory:\n    def __init__(self):\n"
                "        self.rows = []\n",
                "tests/conftest.py": "class TestDatabaseManager:\n    def __init__(self):\n"
                "        self.engine = None\n",
                "tests/test_a.py": "def test_a():\n    assert True\n",
            }
        ),
        Valid(
            "import unittest\n\nclass TestUser(unittest.TestCase):\n"
            "    def __init__(self, *args):\n        super().__init__(*args)\n\n"
            "    def test_a(self):\n        self.assertTrue(True)\n"
        ),
    )
    INVALID = (
        Invalid(
            "class TestDataFactory:\n    def __init__(self, session):\n"
            "        self.session = session\n\n    def create_user(self):\n"
            "        return {}\n\n\ndef test_user():\n    assert TestDataFactory(None)\n",
            at=("test_example.py:1:1",),
            message="`TestDataFactory` matches python_classes but defines `__init__`",
            fixed={
                "test_example.py": "class TestDataFactory:\n    __test__ = False\n"
                "    def __init__(self, session):\n"
                "        self.session = session\n\n    def create_user(self):\n"
                "        return {}\n\n\ndef test_user():\n    assert TestDataFactory(None)\n"
            },
        ),
        Invalid(
            "class TestUser:\n    def __init__(self):\n        self.name = 'a'\n\n"
            "    def test_name(self):\n        assert self.name == 'a'\n\n"
            "    def test_upper(self):\n        assert self.name.upper() == 'A'\n",
            at=("test_example.py:1:1",),
            message="its 2 tests never run",
        ),
        Invalid(
            "from dataclasses import dataclass\nfrom enum import Enum\n\n\n@dataclass\n"
            "class TestConfig:\n    url: str = ''\n\n\nclass TestStatus(str, Enum):\n"
            "    PASSED = 'passed'\n\n\ndef test_a():\n    assert TestConfig().url == ''\n",
            at=("test_example.py:6:1", "test_example.py:10:1"),
            message="`TestConfig` matches python_classes but gets `__init__` from `@dataclass`",
            fixed={
                "test_example.py": "from dataclasses import dataclass\nfrom enum import Enum\n"
                "\n\n@dataclass\nclass TestConfig:\n    __test__ = False\n    url: str = ''\n"
                "\n\nclass TestStatus(str, Enum):\n    __test__ = False\n"
                "    PASSED = 'passed'\n\n\ndef test_a():\n    assert TestConfig().url == ''\n"
            },
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not file.is_test_module or file.is_conftest:
            return
        if file.summary is not None and file.summary.test_attr is False:
            return
        classes = _Classes(file.tree)
        yield from self._visit(file, classes, file.tree.body, ())

    def _visit(
        self,
        file: FileView,
        classes: _Classes,
        body: list[ast.stmt],
        outer: tuple[str, ...],
    ) -> Iterator[Finding]:
        for node in body:
            if not isinstance(node, ast.ClassDef):
                continue
            if not file.suite.is_test_class_name(node.name) or is_unittest_class(node):
                continue
            if _abstract(node) or classes.test_attr(node) is False:
                continue
            qualname = ".".join((*outer, node.name))
            constructor = classes.constructor(node)
            if constructor is None:
                # collected: its nested test classes are collected too
                yield from self._visit(file, classes, node.body, (*outer, node.name))
                continue
            yield self._finding(file, classes, node, qualname, *constructor)

    def _finding(
        self,
        file: FileView,
        classes: _Classes,
        node: ast.ClassDef,
        qualname: str,
        method: str,
        source: str,
    ) -> Finding:
        if not source:
            where = f"defines `{method}`"
        elif source.startswith("`@"):
            where = f"gets `{method}` from {source}"
        else:
            where = f"inherits `{method}` from {source}"
        tests = classes.test_methods(file, node)
        if tests:
            return self.at(
                file,
                node,
                f"test class `{node.name}` {where}: pytest cannot instantiate it and "
                f"skips it with a PytestCollectionWarning, so its {_plural(len(tests), 'test')} "
                f"never {'runs' if len(tests) == 1 else 'run'}; remove `{method}` and set "
                "state in `setup_method` or fixtures",
            )
        return self.at(
            file,
            node,
            f"`{node.name}` matches python_classes but {where}: pytest tries to "
            "collect it and warns (PytestCollectionWarning) on every run; add "
            "`__test__ = False` to it, or rename it",
            fix=Fix(
                Applicability.SAFE,
                f"Add `__test__ = False` to `{node.name}`",
                codemod=CODEMOD,
                options=(("cls", qualname),),
            ),
            severity=Severity.WARNING,
        )
