"""TA106 duplicate-test-basename."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from auditor.api import Finding, Invalid, Rule, Severity, SuiteView, Valid, module_name

TEST = "def test_a():\n    assert True\n"


def import_mode(addopts: Sequence[str]) -> str:
    """The ``--import-mode`` addopts set; "prepend" (pytest's default) without one."""
    mode = "prepend"
    for index, token in enumerate(addopts):
        if token.startswith("--import-mode="):
            mode = token.partition("=")[2]
        elif token == "--import-mode" and index + 1 < len(addopts):
            mode = addopts[index + 1]
    return mode


class DuplicateTestBasename(Rule):
    """
    ## What it does
    Finds test modules that pytest would import under the same module name: two
    `test_utils.py` in folders without `__init__.py` (or two `pkg/test_utils.py` below
    different rootless folders), under the default import modes (`prepend`, `append`).

    ## Why is this bad?
    pytest imports the first one as `test_utils`; for the second, `sys.modules` already
    holds a module of that name from another file, and collection errors with "import
    file mismatch": none of its tests run.

    ## Example
    ```python
    # tests/api/test_utils.py and tests/db/test_utils.py, no __init__.py files
    def test_parse():
        assert parse("1") == 1
    ```
    Use instead:
    ```python
    # add tests/api/__init__.py and tests/db/__init__.py (and tests/__init__.py),
    # rename one of them, or run with --import-mode=importlib
    def test_parse():
        assert parse("1") == 1
    ```

    ## Options
    - `addopts` (pytest ini option, command-line arguments; default none): with
      `--import-mode=importlib` in it (or `--import-mode importlib`), pytest imports test
      modules under unique names and the rule reports nothing; `prepend` (pytest's
      default) and `append` are checked. An `--import-mode` given only on pytest's
      command line is not seen.

    ## References
    - pytest, "Import modes":
      <https://docs.pytest.org/en/stable/explanation/pythonpath.html#import-modes>
    - pytest, "Choosing a test layout":
      <https://docs.pytest.org/en/stable/explanation/goodpractices.html#choosing-a-test-layout>
    """

    code = "TA106"
    name = "duplicate-test-basename"
    category = "structure"
    severity = Severity.ERROR
    whole_suite = True

    VALID = (
        Valid(
            files={
                "tests/__init__.py": "",
                "tests/api/__init__.py": "",
                "tests/api/test_utils.py": TEST,
                "tests/db/__init__.py": "",
                "tests/db/test_utils.py": TEST,
            }
        ),
        Valid(
            files={
                "pytest.ini": "[pytest]\naddopts = --import-mode=importlib\n",
                "tests/api/test_utils.py": TEST,
                "tests/db/test_utils.py": TEST,
            }
        ),
        Valid(files={"tests/api/test_api.py": TEST, "tests/db/test_db.py": TEST}),
    )
    INVALID = (
        Invalid(
            files={
                "tests/api/test_utils.py": TEST,
                "tests/db/test_utils.py": TEST,
                "tests/web/test_utils.py": TEST,
            },
            at=("tests/db/test_utils.py:1:1", "tests/web/test_utils.py:1:1"),
            message="`tests/db/test_utils.py` is imported as module `test_utils`, "
            "like `tests/api/test_utils.py`",
        ),
        Invalid(
            files={
                "pytest.ini": "[pytest]\naddopts = -ra --import-mode append\n",
                "a/pkg/__init__.py": "",
                "a/pkg/test_x.py": TEST,
                "b/pkg/__init__.py": "",
                "b/pkg/test_x.py": TEST,
            },
            at=("b/pkg/test_x.py:1:1",),
            message="module `pkg.test_x`",
        ),
    )

    def check(self, suite: SuiteView) -> Iterator[Finding]:
        if import_mode(suite.config.pytest.addopts) == "importlib":
            return
        by_module: dict[str, list[str]] = {}
        for path in sorted(suite.suite.test_files):
            if not path.endswith(".py"):
                continue
            name = module_name(suite.rootdir / path)
            by_module.setdefault(name, []).append(path)
        for name, paths in sorted(by_module.items()):
            first = paths[0]
            for path in paths[1:]:
                yield self.finding(
                    path,
                    1,
                    0,
                    f"`{path}` is imported as module `{name}`, like `{first}`: pytest "
                    'errors with "import file mismatch" and none of its tests run; add '
                    "`__init__.py` files to make the folders packages, rename one of "
                    "them, or use --import-mode=importlib",
                )
