"""TA100 unreadable-file."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.api import Finding, Invalid, Rule, Severity, SuiteView, Valid


class UnreadableFile(Rule):
    """
    ## What it does
    Flags a test file or conftest.py that cannot be read as Python: a syntax error, a
    binary file, a wrong or unknown encoding.

    ## Why is this bad?
    pytest stops with a collection error on it, and every test in it is lost; a broken
    conftest.py takes its whole folder with it.

    ## Example
    ```python
    def test_total(:
        assert total() == 0
    ```
    Use instead:
    ```python
    def test_total():
        assert total() == 0
    ```

    ## References
    - PEP 263, "Defining Python Source Code Encodings":
      <https://peps.python.org/pep-0263/>
    """

    code = "TA100"
    name = "unreadable-file"
    category = "structure"
    severity = Severity.ERROR

    VALID = (
        Valid("def test_total():\n    assert 1 + 1 == 2\n"),
        Valid(
            files={"test_latin.py": "# -*- coding: latin-1 -*-\ndef test_e():\n    assert 'é'\n"}
        ),
    )
    INVALID = (
        Invalid(
            "def test_total(:\n    assert True\n",
            at=("test_example.py:1:16",),
            message="syntax error",
        ),
        Invalid(
            files={"test_blob.py": b"\x00\x01binary"}, at=("test_blob.py:1:1",), message="binary"
        ),
        Invalid(
            files={
                "tests/conftest.py": b"x = 1\ny = '\xff'\n",
                "tests/test_a.py": "def test_a(): pass\n",
            },
            at=("tests/conftest.py:1:1",),
            message="not valid utf-8",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        for failure in suite.suite.failures:
            yield self.finding(
                failure.path,
                failure.line,
                failure.col,
                f"{failure.message}; pytest cannot collect this file either",
            )
