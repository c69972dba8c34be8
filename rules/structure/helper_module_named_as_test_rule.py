"""TA102 helper-module-named-as-test."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import Applicability, FileView, Finding, Fix, Invalid, Rule, Severity, Valid

from ._common import (
    is_fixture_def,
    is_unittest_class,
)

NOT_DEFINITIONS = frozenset(
    {"pytestmark", "pytest_plugins", "collect_ignore", "collect_ignore_glob"}
)


def helper_name(file: FileView) -> str | None:
    """The file's name without its test prefix or suffix, when python_files does not
    match that name."""
    name = file.name
    stem = name[:-3] if name.endswith(".py") else name
    if stem.startswith("test_"):
        new = stem[len("test_") :]
    elif stem.endswith("_test"):
        new = stem[: -len("_test")]
    elif stem.startswith("test"):
        new = stem[len("test") :]
    else:
        return None
    if not new or not new.isidentifier():
        return None
    folder = file.path.rpartition("/")[0]
    candidate = f"{folder}/{new}.py" if folder else f"{new}.py"
    return None if file.suite.matches_python_files(candidate) else f"{new}.py"


def _could_be_tests(file: FileView) -> bool:
    """Whether the module binds anything pytest might collect: a test-named def (in a
    class of any name too), a unittest class, a test-named assignment, or a
    `pytest_generate_tests` hook."""
    suite = file.suite

    def scan(body: list[ast.stmt], in_class: bool) -> bool:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name == "pytest_generate_tests" or (
                    suite.is_test_function_name(node.name) and not is_fixture_def(node)
                ):
                    return True
            elif isinstance(node, ast.ClassDef):
                if is_unittest_class(node):
                    return True
                # any class: plugins (SQLAlchemy's) collect classes python_classes misses
                if scan(node.body, True):
                    return True
            elif isinstance(node, ast.Assign) and not isinstance(node.value, ast.Constant):
                # `test_x = make_test(...)`; not annotated fields (`test_count: int`)
                for target in node.targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name) and (
                            suite.is_test_function_name(name.id)
                            or (not in_class and suite.is_test_class_name(name.id))
                        ):
                            return True
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                inner = [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])]
                inner += [s for h in getattr(node, "handlers", []) for s in h.body]
                if scan(inner, in_class):
                    return True
        return False

    return scan(file.tree.body, False) or _derives_from_the_project(file)


def _derives_from_the_project(file: FileView) -> bool:
    """Whether a module-level class python_classes matches derives from a class imported
    from a module of the project (``from tests.base import BaseSuite``, ``from .base
    import ...``): a base class there may give it tests the model cannot see, made when
    the class is created (``cls.test_x = ...`` in the base's ``__init_subclass__``)."""
    suite = file.suite
    origins: dict[str, str] = {}
    for node in file.tree.body:
        if isinstance(node, ast.ImportFrom):
            top = "." if node.level else (node.module or "").partition(".")[0]
            for alias in node.names:
                origins[alias.asname or alias.name] = top
    for node in file.tree.body:
        if not isinstance(node, ast.ClassDef) or not suite.is_test_class_name(node.name):
            continue
        for base in node.bases:
            while isinstance(base, ast.Attribute):
                base = base.value
            top = origins.get(base.id, "") if isinstance(base, ast.Name) else ""
            if top == "." or (
                top and ((suite.rootdir / top).is_dir() or (suite.rootdir / f"{top}.py").is_file())
            ):
                return True
    return False


def _definitions(tree: ast.Module) -> list[ast.stmt]:
    """Module-level defs, classes and assignments other than pytest's own variables."""
    found: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if any(not (n.startswith("__") or n in NOT_DEFINITIONS) for n in names) or (
                len(names) < len(targets)
            ):
                found.append(node)
    return found


class HelperModuleNamedAsTest(Rule):
    """
    ## What it does
    Finds a module that python_files matches (`test_*.py`, `*_test.py`) but that holds
    no test: only helper functions, classes, fixtures or data.

    ## Why is this bad?
    pytest imports it as a test module on every run (its import-time code runs, its
    fixtures are visible only inside it) and collects nothing; readers look for tests
    that are not there. Modules with only imports or a docstring (placeholders) are left
    alone, and so are modules whose test classes inherit collected tests (from a base
    class of another module, or from a class nested in a holder class, as in
    `class TestAzure(Base.FileAdminTests)`), or derive from a class of the project,
    which may make their tests when they are created (`cls.test_x = run` in its
    `__init_subclass__`).

    ## Example
    ```python
    # tests/utils/test_data_factory.py
    class DataFactory:
        def create_user(self):
            return {"name": "Test User"}
    ```
    Use instead:
    ```python
    # tests/utils/data_factory.py
    class DataFactory:
        def create_user(self):
            return {"name": "Test User"}
    ```

    ## Options
    - `python_files` (pytest ini option, glob patterns; default `test_*.py *_test.py`):
      the modules looked at are those it matches, and the name proposed for one
      (`data_factory.py` for `test_data_factory.py`) is a name it does not match.
    - `python_functions` (pytest ini option, prefixes or glob patterns; default `test`)
      and `python_classes` (default `Test`): a module that binds a name they match (a
      test function or method, `test_x = make_test(...)`) may define tests, and is left
      alone.

    ## References
    - pytest, "Conventions for Python test discovery":
      <https://docs.pytest.org/en/stable/explanation/goodpractices.html#conventions-for-python-test-discovery>
    - pytest, `python_files`:
      <https://docs.pytest.org/en/stable/reference/reference.html#confval-python_files>
    """

    code = "TA102"
    cache_scope = "file"
    name = "helper-module-named-as-test"
    category = "structure"
    severity = Severity.WARNING

    VALID = (
        Valid(
            files={
                "tests/utils/data_factory.py": "def make_user():\n    return {}\n",
                "tests/test_users.py": "def test_user():\n    assert True\n",
            }
        ),
        Valid("import pytest\n"),
        Valid(
            "class TestUser:\n    def test_name(self):\n        assert True\n\n"
            "def make_user():\n    return {}\n"
        ),
        Valid(
            "import unittest\n\nclass Users(unittest.TestCase):\n    def runTest(self):\n"
            "        self.assertTrue(True)\n"
        ),
        # the tests are inherited from a class nested in an imported holder class
        Valid(
            files={
                "tests/__init__.py": "",
                "tests/test_local.py": "class Base:\n    class SharedTests:\n"
                "        def test_list(self):\n            assert self.make()\n\n"
                "class TestLocal(Base.SharedTests):\n    def make(self):\n        return 1\n",
                "tests/test_remote.py": "from .test_local import Base\n\n"
                "class TestRemote(Base.SharedTests):\n    def make(self):\n        return 2\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            files={
                "tests/utils/test_data_factory.py": "class DataFactory:\n"
                "    def create_user(self):\n        return {}\n",
                "tests/test_users.py": "def test_user():\n    assert True\n",
            },
            at=("tests/utils/test_data_factory.py:1:1",),
            message="rename it to `data_factory.py`",
        ),
        Invalid(
            files={
                "tests/fixtures/test_data.py": "import pytest\n\n@pytest.fixture\n"
                "def test_org_id():\n    return 'org-1'\n",
            },
            at=("tests/fixtures/test_data.py:1:1",),
            message="`test_data.py` matches python_files but defines no test",
        ),
        # a holder class whose nested class has no test: nothing is inherited
        Invalid(
            files={
                "tests/__init__.py": "",
                "tests/test_local.py": "class Base:\n    class Shared:\n"
                "        def make(self):\n            return 1\n\n"
                "def test_make():\n    assert Base.Shared().make()\n",
                "tests/test_remote.py": "from .test_local import Base\n\n"
                "class Remote(Base.Shared):\n    def make(self):\n        return 2\n",
            },
            at=("tests/test_remote.py:1:1",),
            message="rename it to `remote.py`",
        ),
        Invalid(
            files={"settings_test.py": "TIMEOUT = 5\n"},
            at=("settings_test.py:1:1",),
            message="`settings.py`",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not file.is_test_module or file.is_conftest:
            return
        if file.summary is not None and file.summary.test_attr is False:
            return
        if file.suite.tests_in(file.path) or _could_be_tests(file):
            return
        if not _definitions(file.tree):
            return
        new = helper_name(file)
        rename = f"rename it to `{new}`" if new else "rename it so python_files does not match it"
        yield self.finding(
            file.path,
            1,
            0,
            f"`{file.name}` matches python_files but defines no test: pytest imports it as "
            f"a test module on every run and collects nothing; {rename} and update its "
            "imports (a conftest.py or `pytest_plugins` is the place for shared fixtures)",
            fix=Fix(Applicability.DISPLAY_ONLY, f"Rename to {new or 'a non-test name'}"),
        )
