"""TA104 test-file-not-collected."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from auditor.api import CONFIG_NAMES, Finding, Invalid, Rule, Severity, SuiteView, Valid

from ._common import (
    FunctionDef,
    asserting_name,
    is_fixture_def,
    is_unittest_class,
    terminal_name,
)

SKIPPED_NAMES = frozenset({"conftest.py", "__init__.py", "setup.py", "__main__.py"})
DATA_FOLDERS = frozenset(
    {
        "bench",
        "benchmark",
        "benchmarks",
        "example",
        "examples",
        "example_scripts",
        "sample",
        "samples",
        "data",
        "fixtures",
        "doc",
        "docs",
        "scripts",
        "tools",
        "typing",
    }
)
"""Folders whose modules are inputs (files the tests collect, benchmark scripts, typing
checks) or documentation, not tests of the suite."""
TYPING_CHECKS = frozenset({"assert_type", "reveal_type", "assert_never"})
RUNNER_FILES = (
    "tox.ini",
    "noxfile.py",
    "Makefile",
    "justfile",
    "setup.cfg",
    "pyproject.toml",
    ".gitlab-ci.yml",
    "azure-pipelines.yml",
    ".circleci/config.yml",
)
"""Files that may run a test file by its name (``pytest testing/benchmark.py``)."""


def _runner_text(suite: SuiteView) -> str:
    """The text of the project's runner configs (tox, nox, make, CI workflows), from the
    rootdir and its two parents."""
    texts: list[str] = []
    for base in (suite.rootdir, *list(suite.rootdir.parents)[:2]):
        candidates = [base / name for name in RUNNER_FILES]
        workflows = base / ".github" / "workflows"
        if workflows.is_dir():
            candidates.extend(sorted(workflows.glob("*.y*ml")))
        texts.extend(_read(candidate) for candidate in candidates)
    return "\n".join(texts)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _own_project(suite: SuiteView, path: str) -> bool:
    """Whether a folder between the file and the rootdir has its own pytest config: a
    project of its own, run from there."""
    parts = path.split("/")[:-1]
    for depth in range(len(parts), 0, -1):
        folder = suite.rootdir.joinpath(*parts[:depth])
        if any((folder / name).is_file() for name in CONFIG_NAMES):
            return True
    return False


def _asserts(node: ast.AST) -> bool:
    """A runtime check in `node`: `assert`, `raise`, or an asserting call that is not a
    static typing check."""
    for child in ast.walk(node):
        if isinstance(child, (ast.Assert, ast.Raise)):
            return True
        if isinstance(child, ast.Call):
            name = terminal_name(child.func)
            if name not in TYPING_CHECKS and asserting_name(name):
                return True
    return False


def collected_name(suite: SuiteView, path: str) -> str | None:
    """A name python_files matches for the file at `path`: ``test_<name>.py``."""
    folder, _, name = path.rpartition("/")
    stem = name[:-3]
    rest = stem[len("test") :].lstrip("_") if stem.startswith("test") else stem
    for candidate in (f"test_{rest or stem}.py", f"{stem}_test.py"):
        full = f"{folder}/{candidate}" if folder else candidate
        if suite.matches_python_files(full):
            return candidate
    return None


def _tests(suite: SuiteView, tree: ast.Module) -> list[tuple[FunctionDef, ast.ClassDef | None]]:
    """Defs pytest would collect if it imported the module: test functions at module level
    and test methods of test classes (python_classes or unittest)."""
    found: list[tuple[FunctionDef, ast.ClassDef | None]] = []

    def visit(body: list[ast.stmt], cls: ast.ClassDef | None) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if suite.is_test_function_name(node.name) and not is_fixture_def(node):
                    found.append((node, cls))
            elif (
                isinstance(node, ast.ClassDef)
                and cls is None
                and (is_unittest_class(node) or suite.is_test_class_name(node.name))
            ):
                visit(node.body, node)

    visit(tree.body, None)
    return found


def _imported_somewhere(suite: SuiteView, stem: str) -> bool:
    """Whether an import statement of the suite's files names module `stem`
    (``from tests.helpers import x``, ``from . import helpers``, ``import helpers``)."""
    pattern = re.compile(
        rf"^[ \t]*(?:from[ \t]+[\w.]*\b{re.escape(stem)}\b[\w.]*[ \t]+import\b"
        rf"|from[ \t]+[\w.]+[ \t]+import[^\n]*\b{re.escape(stem)}\b"
        rf"|import[ \t]+[^\n]*\b{re.escape(stem)}\b)",
        re.MULTILINE,
    )
    for path in (*suite.suite.test_files, *suite.suite.conftests, *suite.suite.other_files):
        file = suite.file(path)
        if file is not None and stem in file.text and pattern.search(file.text):
            return True
    return False


class TestFileNotCollected(Rule):
    """
    ## What it does
    Finds a Python file in the test folders that defines tests (`def test_*`, test
    classes) but whose name python_files does not match (`tests/users.py`,
    `tests/check_users.py`), so pytest never imports it.

    ## Why is this bad?
    Its tests never run, and nothing says so: the suite is green whatever they would
    find. Left alone: files other modules import (shared base classes), files a runner
    config names (`pytest testing/benchmark.py` in tox.ini, a CI workflow), files below
    a folder with its own pytest config or in a data folder (`examples`, `fixtures`,
    `bench`, `docs`: inputs of tests), and files whose test functions check nothing at
    run time and import neither pytest nor unittest (scripts, typing checks).

    ## Example
    ```python
    # tests/users.py
    def test_user_name():
        assert make_user().name == "a"
    ```
    Use instead:
    ```python
    # tests/test_users.py
    def test_user_name():
        assert make_user().name == "a"
    ```

    ## Options
    - `python_files` (pytest ini option, glob patterns; default `test_*.py *_test.py`):
      pytest collects the files it matches; the rule reports files it does not match.
    - `python_functions` (pytest ini option, prefixes or glob patterns; default `test`)
      and `python_classes` (default `Test`): the names that make a file one that
      defines tests.

    ## References
    - pytest, "Changing naming conventions":
      <https://docs.pytest.org/en/stable/example/pythoncollection.html#changing-naming-conventions>
    - pytest, `python_files`:
      <https://docs.pytest.org/en/stable/reference/reference.html#confval-python_files>
    """

    code = "TA104"
    name = "test-file-not-collected"
    category = "structure"
    severity = Severity.ERROR

    VALID = (
        Valid(
            files={
                "tests/test_users.py": "def test_user():\n    assert True\n",
                "tests/helpers.py": "def make_user():\n    return {}\n",
            }
        ),
        Valid(
            files={
                "tests/base.py": "class TestBase:\n    def test_ok(self):\n"
                "        assert self.value\n",
                "tests/test_users.py": "from base import TestBase\n\n\n"
                "class TestUsers(TestBase):\n    value = 1\n",
            }
        ),
        Valid(
            files={
                "tests/test_users.py": "def test_user():\n    assert True\n",
                "tests/runner.py": "def test(paths):\n    return run(paths)\n",
            }
        ),
        Valid(
            files={
                "pytest.ini": "[pytest]\n",
                "tox.ini": "[testenv:bench]\ncommands = pytest tests/benchmark.py\n",
                "tests/benchmark.py": "def test_speed(benchmark):\n"
                "    assert benchmark(sum, [1])\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            files={
                "tests/test_users.py": "def test_user():\n    assert True\n",
                "tests/orders.py": "import pytest\n\n\ndef test_total():\n    assert 1 + 1 == 2\n\n"
                "\ndef test_empty():\n    assert not []\n",
            },
            at=("tests/orders.py:4:1",),
            message="rename it to `test_orders.py`",
        ),
        Invalid(
            files={
                "tests/checks.py": "class TestChecks:\n    def test_a(self):\n"
                "        assert True\n",
            },
            at=("tests/checks.py:2:5",),
            message="`tests/checks.py` defines 1 test (`TestChecks.test_a`)",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        """Reads only files whose bytes may hold a test: a suite's folders can hold the
        whole code under test (sympy's tests live inside the package)."""
        runners: str | None = None
        for path in suite.suite.other_files:
            name = path.rsplit("/", 1)[-1]
            if name in SKIPPED_NAMES or DATA_FOLDERS.intersection(path.split("/")[:-1]):
                continue
            if not _may_define_tests(suite, path):
                continue
            file = suite.file(path)
            if file is None:
                continue
            tests = _tests(suite, file.tree)
            if not tests:
                continue
            uses_framework = any(
                value.split(".")[0] in ("pytest", "unittest") for value in file.imports.values()
            )
            if not uses_framework and not any(_asserts(node) for node, _ in tests):
                continue
            if _own_project(suite, path):
                continue
            if runners is None:
                runners = _runner_text(suite)
            if re.search(rf"\b{re.escape(name)}\b", runners) or _imported_somewhere(
                suite, name[:-3]
            ):
                continue
            labels = [f"{c.name}.{n.name}" if c else n.name for n, c in tests]
            shown = ", ".join(f"`{label}`" for label in labels[:3])
            more = f" and {len(labels) - 3} more" if len(labels) > 3 else ""
            new = collected_name(suite, path)
            rename = (
                f"rename it to `{new}`"
                if new
                else "rename it so python_files matches it, or add its pattern to python_files"
            )
            count = len(labels)
            yield self.finding(
                path,
                tests[0][0].lineno,
                tests[0][0].col_offset,
                f"`{path}` defines {count} test{'' if count == 1 else 's'} ({shown}{more}) "
                f"but python_files does not match its name: pytest never collects them; "
                f"{rename}",
            )


def _may_define_tests(suite: SuiteView, path: str) -> bool:
    """A cheap byte test before parsing: ``def test``/``class Test`` for the configured
    prefixes (any file when a pattern is a glob)."""
    options = suite.config.pytest
    patterns = (*options.python_functions, *options.python_classes)
    if any(ch in pattern for pattern in patterns for ch in "*?["):
        return True
    try:
        data = (suite.rootdir / path).read_bytes()
    except OSError:
        return False
    needles = [f"def {p}".encode() for p in options.python_functions]
    needles += [f"class {p}".encode() for p in options.python_classes]
    return any(needle in data for needle in needles)
