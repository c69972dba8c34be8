"""TA107 test-without-assertion."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditor.api import FileView, Finding, FunctionView, Invalid, Rule, Severity, Valid

from ._common import AssertChecker, base_names, decorator_names, short, terminal_name

SKIP_MARKS = frozenset({"skip", "skipif", "xfail"})
BENCHMARK_MARKS = frozenset({"benchmark", "benchmarks", "perf", "performance"})
"""Marks of tests that measure rather than check (`@pytest.mark.benchmark()`)."""
EXEMPT_FIXTURES = frozenset({"benchmark", "aio_benchmark", "snapshot"})
"""Fixtures that do the checking: pytest-benchmark fails on errors and records timings,
syrupy compares at teardown."""
EXEMPT_DECORATORS = frozenset({"given", "expectedFailure", "XFAIL", "SKIP"})
"""hypothesis' `@given` (a property test checks that the code does not raise for any
generated input), unittest's and sympy's skip / expected-failure decorators."""


NO_RAISE_INTENT = re.compile(
    r"(does\s*n[o']?t|do\s*n[o']?t|should\s*n[o']?t|shouldn't|won't|will\s+not|must\s+not|"
    r"can\s*not|cannot|never|not)[\s_]+(raise|crash|fail|error|throw|exit|quit|warn|blow|hang)"
    r"|n[o']?t[\s_]+(give|cause|produce|throw|raise)[\s_]+(an?[\s_]+)?"
    r"(errors?|exceptions?|crash(es)?)"
    r"|used[\s_]+to[\s_]+(raise|fail|crash|error|hang|give[\s_]+an?[\s_]+(error|exception))"
    r"|no[\s_]+(exceptions?|errors?|crash(es)?|warnings?)\b"
    r"|nothing[\s_]+happens|\bsilent(ly)?\b"
    r"|without[\s_]+(\w+[\s_]+){0,2}(errors?|exceptions?|crash(ing)?|raising|warnings?|failing)"
    r"|\bno(t)?\b[^.\n]{0,60}\b(raised|thrown)\b"
    r"|\bnone\b[^.\n]{0,40}\b(raise|crash|fail|error|throw)"
    r"|\bworks?\b|\bsucceeds?\b|\baccepted\b|\b(is|'s)[\s_]+possible\b"
    r"|\b(is|are)[\s_]+supported\b"
    r"|\bcan[\s_]+(be[\s_]+)?(create|use|handle|build|construct|instantiate|import|pickle|"
    r"access|call|load|parse|read|open|run)",
    re.IGNORECASE,
)
"""Words saying that the test checks that nothing raises (in its name, docstring or
comments): "does not raise", "no error", "used to crash", "nothing happens", "works",
"are supported"."""
BOOLEAN_CALLS = frozenset(
    {
        "fnmatch",
        "isinstance",
        "issubclass",
        "startswith",
        "endswith",
        "match",
        "fullmatch",
        "search",
        "callable",
        "exists",
        "is_file",
        "is_dir",
        "isfile",
        "isdir",
        "all",
        "any",
    }
)
"""Calls whose only use is their boolean result: as a statement, a forgotten assert."""


def _says_no_raise(file: FileView, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    docstring = ast.get_docstring(node) or ""
    end = node.end_lineno or node.lineno
    comments = [line.partition("#")[2] for line in file.lines[node.lineno - 1 : end] if "#" in line]
    name = node.name.replace("_", " ")
    return any(NO_RAISE_INTENT.search(text) for text in (name, docstring, *comments))


def _calls_fixture(view: FunctionView) -> bool:
    """A statement calling a requested fixture (`run_and_check(...)`): a factory or
    checker that may assert itself."""
    params = set(view.params)
    for child in ast.walk(view.node):
        value = child.value if isinstance(child, (ast.Expr, ast.Assign)) else None
        if value is None:
            continue
        if isinstance(value, ast.Await):
            value = value.value
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in params
        ):
            return True
    return False


def _errors_on_warnings(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`warnings.simplefilter("error")` or `@pytest.mark.filterwarnings("error")`: a
    warning fails the test."""
    for child in [*node.decorator_list, *ast.walk(node)]:
        if isinstance(child, ast.Call) and terminal_name(child.func) in (
            "simplefilter",
            "filterwarnings",
        ):
            first = child.args[0] if child.args else None
            if isinstance(first, ast.Constant) and str(first.value).startswith("error"):
                return True
    return False


RAISING_CHECKS = frozenset(
    {
        "check_call",
        "check_output",
        "check_returncode",
        "raise_for_status",
        "validate",
        "full_clean",
    }
)
"""Calls whose whole job is to raise when something is wrong: a non-zero exit
(`subprocess.check_call`, `CompletedProcess.check_returncode()`), an HTTP error status
(`response.raise_for_status()`), an invalid document or model (`jsonschema.validate`,
Django's `full_clean()`)."""


def _raises_as_check(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A call that raises when what it checks is wrong: `subprocess.run(..., check=True)`
    (a non-zero exit raises `CalledProcessError`) or one of RAISING_CHECKS."""
    for child in ast.walk(node):
        if not isinstance(child, ast.Call):
            continue
        if terminal_name(child.func) in RAISING_CHECKS:
            return True
        for keyword in child.keywords:
            if (
                keyword.arg == "check"
                and isinstance(keyword.value, ast.Constant)
                and keyword.value.value is True
            ):
                return True
    return False


IN_PROCESS_RUNS = frozenset(
    {"exec", "eval", "parseconfig", "parseconfigure", "getitem", "getitems", "getmodulecol"}
)
"""Calls that run code given as text in this process: an `assert` written into it (a
pytester conftest) fails the test."""


def _asserts_in_code_text(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`exec("assert x == 1", ns)`, or a pytester conftest that asserts loaded by
    `pytester.parseconfig()`: the assertion is in code written as a string."""
    runs = asserting_text = False
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and terminal_name(child.func) in IN_PROCESS_RUNS:
            runs = True
        elif isinstance(child, ast.Constant) and isinstance(child.value, str):
            asserting_text = asserting_text or bool(re.search(r"\b(assert|raise)\b", child.value))
    return runs and asserting_text


def _trivial(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of only a docstring, `pass` and `...`."""
    return all(
        isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in node.body
    )


TO_DO = re.compile(r"#\s*(todo|fixme|xxx|tbd)\b", re.IGNORECASE)
"""A comment that promises the test rather than saying why it is empty."""


def _commented(file: FileView, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A comment inside the body: an empty test that says why it is empty (a to-do note,
    `# TODO: test relations`, is a placeholder that always passes, not a reason)."""
    end = node.end_lineno or node.lineno
    comments = [line.strip() for line in file.lines[node.lineno : end]]
    return any(c.startswith("#") and not TO_DO.match(c) for c in comments)


def _imports_only(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of imports (and `del`, `pass`, a docstring): an import check."""
    return any(isinstance(s, (ast.Import, ast.ImportFrom)) for s in node.body) and all(
        isinstance(s, (ast.Import, ast.ImportFrom, ast.Delete, ast.Pass))
        or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
        for s in node.body
    )


def _dropped_checks(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    """`x == 1` or `fnmatch(s, "*")` as a statement: a check whose result is thrown
    away."""
    return [
        child.value
        for child in ast.walk(node)
        if isinstance(child, ast.Expr)
        and (
            isinstance(child.value, ast.Compare)
            or (
                isinstance(child.value, ast.Call)
                and terminal_name(child.value.func) in BOOLEAN_CALLS
            )
        )
    ]


class TestWithoutAssertion(Rule):
    """
    ## What it does
    Finds a test that checks nothing: no `assert`, no `pytest.raises` / `warns`, no
    `self.assert*` or mock `assert_called*`, no `raise`, and no call to a helper that does
    one of those (a helper of the same module or of a module of the suite, or a name such
    as `check_*`, `verify_*`, `expect`, `run_test`). A comparison written as a statement
    (`x == 1` without `assert`) is pointed out.

    ## Why is this bad?
    The test passes whatever the code does, unless it raises: it counts in the coverage
    and the test total while catching almost nothing. Left alone: tests marked skip or
    xfail; tests using the `benchmark` fixture or marked as benchmarks
    (`@pytest.mark.benchmark`, `perf`, `performance`); hypothesis `@given` tests
    (property tests that the code does not raise for any input); tests that say, in their name,
    docstring or comments, that they check that nothing raises ("does not raise",
    "no error", "nothing happens", "works"), or that turn warnings into errors; tests
    whose check is a call that raises when it fails (`subprocess.run(..., check=True)`,
    `subprocess.check_call`, `response.raise_for_status()`, `jsonschema.validate`); tests
    that call a requested fixture (a checker, maybe); tests that only import (an import
    check); empty tests that say why in a comment (a `# TODO` says what is missing, not
    why), or that sit in a subclass (they switch off an inherited test).

    ## Example
    ```python
    def test_create_user(client):
        client.post("/users", json={"name": "a"})
    ```
    Use instead:
    ```python
    def test_create_user(client):
        response = client.post("/users", json={"name": "a"})
        assert response.status_code == 201
    ```

    ## Options
    - `pythonpath` (pytest ini option, folders relative to the rootdir; default none):
      where imported helper modules are looked for, besides the test's package root,
      the rootdir and `src/`. A test whose helper is imported from such a folder, and
      asserts, is not reported.

    ## References
    - pytest, "How to write and report assertions in tests":
      <https://docs.pytest.org/en/stable/how-to/assert.html>
    """

    code = "TA107"
    cache_scope = "file"
    name = "test-without-assertion"
    category = "structure"
    severity = Severity.WARNING

    VALID = (
        # a comment saying that nothing may raise (sqlite-utils' test_recreate)
        Valid(
            "def test_recreate_ignored_for_in_memory():\n"
            "    # None of these should raise an exception:\n"
            "    Database(memory=True, recreate=False)\n"
            "    Database(':memory:', recreate=True)\n"
        ),
        # a docstring saying the test is about something being supported (no error)
        Valid(
            "def test_ddl_queries(db):\n"
            '    """Test that DropTable() and CreateTable() are supported."""\n'
            "    db.execute(drop_table)\n    db.execute(create_table)\n"
        ),
        # an asserting helper re-exported by the project's testing package (SQLAlchemy's
        # and alembic's `eq_`)
        Valid(
            files={
                "pkg/__init__.py": "",
                "pkg/testing/__init__.py": "from .assertions import eq_\n",
                "pkg/testing/assertions.py": "def eq_(a, b):\n    assert a == b, f'{a} != {b}'\n",
                "tests/test_a.py": "from pkg.testing import eq_\n\n\n"
                "def test_a():\n    eq_(1 + 1, 2)\n",
            }
        ),
        Valid(
            "import pytest\n\n\ndef test_div():\n    with pytest.raises(ZeroDivisionError):\n"
            "        1 / 0\n\n\ndef test_mock(mocker):\n    m = mocker.Mock()\n    m()\n"
            "    m.assert_called_once()\n"
        ),
        Valid(
            "def check_total(items, expected):\n    assert sum(items) == expected\n\n\n"
            "def roundtrip(value):\n    check_total([value], value)\n\n\n"
            "def test_total():\n    roundtrip(3)\n"
        ),
        Valid(
            "import unittest\n\n\nclass TestUser(unittest.TestCase):\n"
            "    def test_name(self):\n        self.assertEqual('a'.upper(), 'A')\n\n"
            "    @unittest.skip('later')\n    def test_later(self):\n        print('x')\n"
        ),
        Valid(
            files={
                "tests/helpers.py": "def compare_rows(a, b):\n    if a != b:\n"
                "        raise AssertionError(a)\n",
                "tests/test_rows.py": "from helpers import compare_rows\n\n\n"
                "def test_rows():\n    compare_rows([1], [1])\n",
            }
        ),
        # the call raises when the check fails: a non-zero exit, an HTTP error status
        Valid(
            "import subprocess\nimport sys\n\n\ndef test_generated_code_is_current():\n"
            "    subprocess.run([sys.executable, 'gen.py'], check=True)\n\n\n"
            "def test_health(client):\n    client.get('/health').raise_for_status()\n"
        ),
        Valid(
            "import pytest\n\n\n@pytest.mark.xfail(reason='bug')\ndef test_bug():\n"
            "    print('x')\n\n\ndef test_speed(benchmark):\n    benchmark(sum, [1, 2])\n"
        ),
    )
    INVALID = (
        Invalid(
            "def test_create_user():\n    user = {'name': 'a'}\n    user.update(age=3)\n",
            at=("test_example.py:1:1",),
            message="test `test_create_user` checks nothing",
        ),
        # without check=True, a failing script passes the test
        Invalid(
            "import subprocess\nimport sys\n\n\ndef test_generated_code_is_current():\n"
            "    subprocess.run([sys.executable, 'gen.py'], check=False)\n",
            at=("test_example.py:5:1",),
            message="test `test_generated_code_is_current` checks nothing",
        ),
        Invalid(
            "class TestCart:\n    def test_total(self):\n        total = sum([1, 2])\n"
            "        total == 3\n",
            at=("test_example.py:2:5",),
            message="`total == 3` on line 4 is a comparison whose result is dropped",
        ),
        Invalid(
            "def helper(items):\n    return sorted(items)\n\n\ndef test_sorted():\n"
            "    helper([2, 1])\n\n\ndef test_placeholder():\n    pass\n",
            at=("test_example.py:5:1", "test_example.py:9:1"),
            message="test `test_sorted` checks nothing",
        ),
        # a to-do note is no reason for an empty test: it always passes
        Invalid(
            "def test_relations():\n    # TODO: test relations\n    pass\n",
            at=("test_example.py:1:1",),
            message="its body is empty, so it always passes",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not file.is_test_module or file.is_conftest:
            return
        # one checker per file: its memo ignores depth and guards recursion with False,
        # so answers shared between files would depend on the order files are checked,
        # and a file re-run alone (its results cached per file) could disagree with a
        # full run
        checker = AssertChecker(file.suite)
        for view in file.of_kind("test"):
            if self._exempt(file, view):
                continue
            if checker.asserts(view.node, file, view.cls):
                continue
            dropped = _dropped_checks(view.node)
            if not dropped and self._checks_otherwise(file, view):
                continue
            yield self._finding(file, view, dropped)

    @staticmethod
    def _exempt(file: FileView, view: FunctionView) -> bool:
        if any(mark in SKIP_MARKS or mark in BENCHMARK_MARKS for mark in view.marks):
            return True
        decorators = decorator_names(view.node)
        if any(d in EXEMPT_DECORATORS or d.lower().startswith("skip") for d in decorators):
            return True
        if any(p in EXEMPT_FIXTURES for p in view.params):
            return True
        if _imports_only(view.node):
            return True
        if not _trivial(view.node):
            return False
        # an empty test that says why in a comment, or one in a subclass (it switches off
        # the test it inherits)
        return _commented(file, view.node) or (
            view.cls is not None and any(b not in ("", "object") for b in base_names(view.cls))
        )

    @staticmethod
    def _checks_otherwise(file: FileView, view: FunctionView) -> bool:
        """Checks without an assertion: warnings as errors, assertions in code text run
        in-process, a requested fixture called (a checker, maybe), or words saying the
        test is about nothing raising."""
        return (
            _errors_on_warnings(view.node)
            or _raises_as_check(view.node)
            or _asserts_in_code_text(view.node)
            or _calls_fixture(view)
            or _says_no_raise(file, view.node)
        )

    def _finding(self, file: FileView, view: FunctionView, dropped: list[ast.expr]) -> Finding:
        if dropped:
            first = dropped[0]
            what = "comparison" if isinstance(first, ast.Compare) else "check"
            return self.at(
                file,
                view.node,
                f"test `{view.name}` checks nothing: `{short(first)}` on line {first.lineno} "
                f"is a {what} whose result is dropped; write `assert {short(first)}`",
            )
        if _trivial(view.node):
            return self.at(
                file,
                view.node,
                f"test `{view.name}` checks nothing: its body is empty, so it always "
                "passes; write the test, or mark it `@pytest.mark.skip(reason=...)` until "
                "it is written",
            )
        return self.at(
            file,
            view.node,
            f"test `{view.name}` checks nothing (no assert, no pytest.raises, no asserting "
            "helper): it passes unless something raises; assert on the result, or use "
            "`pytest.raises` for an expected error",
        )
