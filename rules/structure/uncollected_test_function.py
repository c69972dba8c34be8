"""TA108 uncollected-test-function."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditor.api import FileView, Finding, Invalid, Rule, Severity, SuiteView, Valid

from ._common import FunctionDef, is_unittest_class, terminal_name

XUNIT_NAMES = frozenset(
    {
        "setup_module",
        "teardown_module",
        "setUpModule",
        "tearDownModule",
        "setup_function",
        "teardown_function",
        "setup_class",
        "teardown_class",
        "setup_method",
        "teardown_method",
        "setup",
        "teardown",
        "setUp",
        "tearDown",
        "setUpClass",
        "tearDownClass",
        "asyncSetUp",
        "asyncTearDown",
    }
)
"""Functions pytest or unittest call by name around tests."""


def _asserts_itself(node: FunctionDef) -> bool:
    """An `assert` or a `pytest.raises` in the def's own body (not in a nested def):
    what makes a function a check rather than a builder of data."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        child = stack.pop()
        if isinstance(child, ast.Assert):
            return True
        if isinstance(child, ast.Call) and terminal_name(child.func) == "raises":
            return True
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(child))
    return False


def _names_used(tree: ast.AST, skip: set[int]) -> set[str]:
    """Every name the code reads, as a name, an attribute or a string (``getattr(m,
    "check_x")``, a parametrize of names), outside the defs whose ids are in `skip`."""
    used: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if id(node) in skip:
            continue
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.update(re.findall(r"[A-Za-z_]\w*", node.value))
        stack.extend(ast.iter_child_nodes(node))
    return used


WORD = re.compile(r"(?<!def )\b[A-Za-z_]\w*\b")
"""A word of a file's text, unless it is the name a ``def`` binds."""


class _Mentions:
    """Which words each file of the suite names outside ``def`` lines, read once a file
    (a text search: an import or a call from another module makes a function a helper,
    not a lost test; a copy of it defined in another module does not)."""

    def __init__(self, suite: SuiteView) -> None:
        self.suite = suite
        model = suite.suite
        self.paths = sorted(
            {*model.test_files, *model.conftests, *model.helpers, *model.other_files}
        )
        self._words: dict[str, frozenset[str]] = {}

    def elsewhere(self, path: str, name: str) -> bool:
        """Whether a file of the suite other than `path` names `name`."""
        return any(name in self._of(other) for other in self.paths if other != path)

    def _of(self, path: str) -> frozenset[str]:
        found = self._words.get(path)
        if found is None:
            found = self._words[path] = frozenset(WORD.findall(self.suite.text(path)))
        return found


def _test_name(name: str) -> str:
    """The name the function would have as a test: `check_class_name` -> `test_class_name`."""
    stem = re.sub(r"^_*(check|verify|assert)_", "", name).lstrip("_")
    return f"test_{stem}"


class UncollectedTestFunction(Rule):
    """
    ## What it does
    Finds a function in a test module that is written as a test — it asserts — but that
    pytest never collects, because its name does not match `python_functions`
    (`check_class_name`, `get_visibility(app, admin)`), and that nothing calls: no code
    of the module or of any other file of the suite names it. Also methods of test
    classes. A helper called from another such function that is itself called
    (`self._assert_log(...)` in a `_test_multi` the tests call) is called.

    ## Why is this bad?
    The check never runs: it reads as part of the suite and protects nothing. It is
    usually a test whose `test_` prefix was lost in a rename, or a test disabled by
    renaming it instead of marking it skipped.

    ## Example
    ```python
    def check_class_name():
        view = DummyView(Model)
        assert view.name == "Dummy View"
    ```
    Use instead:
    ```python
    def test_class_name():
        view = DummyView(Model)
        assert view.name == "Dummy View"
    ```

    Not reported: decorated functions (fixtures, hooks, registered callbacks), pytest
    hooks (`pytest_*`), xunit setups and teardowns, `unittest.TestCase` methods, and any
    function whose name appears anywhere else in the module or in another file of the
    suite (a helper that tests call, import or pass around).

    ## Options
    - `python_functions` (pytest ini option; default `test`): the names pytest collects.
    - `python_classes` (pytest ini option; default `Test`): the classes whose methods are
      looked at.

    ## References
    - pytest, "Conventions for Python test discovery":
      <https://docs.pytest.org/en/stable/explanation/goodpractices.html#conventions-for-python-test-discovery>
    """

    code = "TA108"
    cache_scope = "file"
    """Besides the file, `check_file` reads one fact of the rest of the suite: whether
    another file names a function. Each answer is recorded in `asked` and checked again
    before cached findings are reused (`answer`)."""
    name = "uncollected-test-function"
    category = "structure"
    severity = Severity.WARNING

    VALID = (
        # a helper the tests call
        Valid(
            "def check_total(items, expected):\n    assert sum(items) == expected\n\n\n"
            "def test_total():\n    check_total([1, 2], 3)\n"
        ),
        # a helper passed around by name, and one named in a string
        Valid(
            "import pytest\n\n\ndef check_a():\n    assert True\n\n\n"
            "def check_b():\n    assert True\n\n\n"
            "@pytest.mark.parametrize('checker', [check_a])\n"
            "def test_checker(checker):\n    checker()\n\n\n"
            "def test_by_name():\n    globals()['check_b']()\n"
        ),
        # a helper imported by another test module
        Valid(
            files={
                "tests/test_a.py": "def verify(x):\n    assert x\n",
                "tests/test_b.py": "from tests.test_a import verify\n\n\n"
                "def test_b():\n    verify(1)\n",
            }
        ),
        # fixtures, hooks, xunit setups, decorated callbacks, builders that do not assert
        Valid(
            "import pytest\n\n\n@pytest.fixture\ndef user():\n    u = make()\n"
            "    assert u\n    return u\n\n\n"
            "def setup_module():\n    assert True\n\n\n"
            "def pytest_collection_modifyitems(items):\n    assert items\n\n\n"
            "def make_user():\n    return {'name': 'a'}\n\n\n"
            "def test_user(user):\n    assert user\n"
        ),
        # a unittest helper method
        Valid(
            "import unittest\n\n\nclass T(unittest.TestCase):\n"
            "    def check(self):\n        assert True\n\n"
            "    def test_x(self):\n        self.assertTrue(True)\n"
        ),
    )
    INVALID = (
        Invalid(
            "def check_class_name():\n    view = DummyView(Model)\n"
            "    assert view.name == 'Dummy View'\n\n\n"
            "def test_other():\n    assert True\n",
            at=("test_example.py:1:1",),
            message="function `check_class_name` asserts like a test, but pytest never "
            "collects it (its name does not match python_functions) and nothing calls it",
        ),
        # defined (not called) in another module too
        Invalid(
            files={
                "test_a.py": "def check_name():\n    assert make().name == 'a'\n",
                "test_b.py": "def check_name():\n    assert make().name == 'b'\n",
            },
            at=("test_a.py:1:1", "test_b.py:1:1"),
            message="function `check_name` asserts like a test",
        ),
        Invalid(
            "class TestMenu:\n    def get_visibility(self, app, admin):\n"
            "        rv = app.test_client().get('/admin/')\n"
            "        assert 'Item' not in rv.text\n\n"
            "    def test_menu(self):\n        assert True\n",
            at=("test_example.py:2:5",),
            message="method `get_visibility`",
        ),
    )

    def __init__(self) -> None:
        self._mentions: _Mentions | None = None
        self.asked: dict[str, bool | int | str | None] = {}

    def answer(self, suite: SuiteView, path: str, question: str) -> bool:
        """Whether a file of the suite other than `path` names `question`."""
        return self._mentioned(suite, path, question)

    def _mentioned(self, suite: SuiteView, path: str, name: str) -> bool:
        if self._mentions is None or self._mentions.suite is not suite:
            self._mentions = _Mentions(suite)
        return self._mentions.elsewhere(path, name)

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not file.is_test_module or file.is_conftest:
            return
        candidates = list(self._candidates(file))
        if not candidates:
            return
        used = _names_used(file.tree, {id(node) for node, _ in candidates})
        inner = {id(node): _names_used(node, set()) - {node.name} for node, _ in candidates}
        grew = True
        while grew:  # what a called candidate calls is called too (`self._assert_log(...)`)
            grew = False
            for node, _ in candidates:
                if node.name in used and not inner[id(node)] <= used:
                    used |= inner[id(node)]
                    grew = True
        for node, kind in candidates:
            if node.name in used:
                continue
            elsewhere = self.asked[node.name] = self._mentioned(file.suite, file.path, node.name)
            if elsewhere:
                continue
            yield self.at(
                file,
                node,
                f"{kind} `{node.name}` asserts like a test, but pytest never collects it "
                "(its name does not match python_functions) and nothing calls it: its "
                f"checks never run; rename it `{_test_name(node.name)}` (or delete it)",
            )

    def _candidates(self, file: FileView) -> Iterator[tuple[FunctionDef, str]]:
        suite = file.suite
        for node in file.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if self._lost(suite, node):
                    yield node, "function"
            elif (
                isinstance(node, ast.ClassDef)
                and suite.is_test_class_name(node.name)
                and not is_unittest_class(node)
                and not node.decorator_list
            ):
                for child in node.body:
                    if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and self._lost(
                        suite, child
                    ):
                        yield child, "method"

    @staticmethod
    def _lost(suite: SuiteView, node: FunctionDef) -> bool:
        name = node.name
        if suite.is_test_function_name(name) or node.decorator_list:
            return False
        if name in XUNIT_NAMES or name.startswith(("pytest_", "__")):
            return False
        return _asserts_itself(node)
