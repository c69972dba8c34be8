"""TA109 assert-always-true."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import FileView, Finding, Invalid, Rule, Severity, Valid

from ._common import short


def _always_true(test: ast.expr) -> str | None:
    """Why an assert's test can never be false, or None when it can."""
    if isinstance(test, ast.Tuple) and test.elts:
        return "a non-empty tuple is always true (the parentheses hold the message too?)"
    if isinstance(test, ast.List | ast.Set) and test.elts:
        return "a non-empty list or set is always true"
    if isinstance(test, ast.Dict) and test.keys:
        return "a non-empty dict is always true"
    if isinstance(test, ast.GeneratorExp):
        return "a generator object is always true: nothing in it is checked"
    if isinstance(test, ast.ListComp | ast.SetComp | ast.DictComp):
        return (
            "a comprehension is true whenever it has any element, whatever the checks "
            "inside it give"
        )
    if isinstance(test, ast.Lambda):
        return "a function object is always true"
    if isinstance(test, ast.Constant) and isinstance(test.value, str) and test.value:
        return "a non-empty string is always true"
    if isinstance(test, ast.JoinedStr) and any(
        isinstance(v, ast.Constant) and v.value for v in test.values
    ):
        return "an f-string with text in it is always true"
    return None


def _advice(test: ast.expr) -> str:
    if isinstance(test, ast.GeneratorExp | ast.ListComp | ast.SetComp):
        return f"write `assert all({short(test.elt)} for ...)`"
    if isinstance(test, ast.Tuple) and len(test.elts) == 2:
        return (
            f"write `assert {short(test.elts[0])}, {short(test.elts[1])}` "
            "(no parentheses around the pair)"
        )
    return "assert what the value should be"


class AssertAlwaysTrue(Rule):
    """
    ## What it does
    Finds an `assert` whose condition can never be false: a non-empty tuple (`assert
    (x == 1, "message")`), list, set or dict, a comprehension or generator (`assert [f(x)
    == y for x in xs]`), a lambda, a non-empty string or f-string.

    ## Why is this bad?
    The assertion always passes, so the check it was meant to make never runs. A
    comprehension of comparisons is a list of booleans: it is true as soon as it has one
    element, false or not; `all(...)` was meant. A parenthesized `(condition, message)`
    is a tuple, true whatever the condition.

    ## Example
    ```python
    def test_filters(view):
        assert [f["index"] == f["operation"] for f in view.filters], "wrong filters"
    ```
    Use instead:
    ```python
    def test_filters(view):
        assert all(f["index"] == f["operation"] for f in view.filters), "wrong filters"
    ```

    `assert True` and `assert 1` are left alone: they are written on purpose (a line
    reached).

    ## References
    - Python, "The assert statement":
      <https://docs.python.org/3/reference/simple_stmts.html#the-assert-statement>
    """

    code = "TA109"
    name = "assert-always-true"
    category = "structure"
    severity = Severity.WARNING
    cache_scope = "file"

    VALID = (
        Valid(
            "def test_a(items):\n    assert all(x > 0 for x in items)\n"
            "    assert [x for x in items if x < 0] == []\n    assert items, 'no items'\n"
            "    assert True\n    assert not [x for x in items if x < 0]\n"
        ),
        Valid("def test_a(name):\n    assert f'{name}'\n    assert ''\n"),
    )
    INVALID = (
        Invalid(
            "def test_filters(view):\n"
            "    assert [f['index'] == f['operation'] for f in view.filters], [(0, 'test')]\n",
            at=("test_example.py:2:5",),
            message="a comprehension is true whenever it has any element",
        ),
        Invalid(
            "def test_total(total):\n    assert (total == 3, 'wrong total')\n",
            at=("test_example.py:2:5",),
            message="write `assert total == 3, 'wrong total'`",
        ),
        Invalid(
            "def helper(items):\n    assert (x > 0 for x in items)\n",
            at=("test_example.py:2:5",),
            message="a generator object is always true",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        for node in file.of_type(ast.Assert):
            why = _always_true(node.test)
            if why is not None:
                yield self.at(
                    file,
                    node,
                    f"`assert {short(node.test)}` can never fail: {why}; {_advice(node.test)}",
                )
