"""TA101 collection-path-problem."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.api import Finding, Invalid, Rule, Severity, SuiteView, Symlink, Valid


class CollectionPathProblem(Rule):
    """
    ## What it does
    Flags paths the collection walk cannot follow: symlink loops, broken symlinks to
    Python files, folders that cannot be read, paths given that do not exist.

    ## Why is this bad?
    pytest errors on them or silently walks around them: tests below are not run, or a
    loop makes collection recurse until it fails.

    ## Example
    ```python
    # tests/fixtures -> ..  (a symlink pointing back up the tree)
    def test_total():
        assert True
    ```
    Use instead:
    ```python
    # remove the link, or list the folder in norecursedirs
    def test_total():
        assert True
    ```
    """

    code = "TA101"
    name = "collection-path-problem"
    category = "structure"
    severity = Severity.ERROR

    VALID = (
        Valid(files={"tests/test_a.py": "def test_a():\n    assert True\n"}),
        Valid(
            files={
                "tests/test_a.py": "def test_a():\n    assert True\n",
                "docs/link": Symlink("../tests"),
            }
        ),
    )
    INVALID = (
        Invalid(
            files={
                "tests/test_a.py": "def test_a():\n    assert True\n",
                "tests/again": Symlink("."),
            },
            at=("tests/again:1:1",),
            message="symlink loop",
        ),
        Invalid(
            files={
                "tests/test_a.py": "def test_a():\n    assert True\n",
                "tests/test_gone.py": Symlink("missing.py"),
            },
            at=("tests/test_gone.py:1:1",),
            message="broken",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for problem in suite.suite.problems:
            yield self.finding(problem.path, 1, 0, f"{problem.message}; skipped")
