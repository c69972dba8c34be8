"""TA301 environ-write-without-restore."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator

from auditor.api import (
    Applicability,
    FileView,
    Finding,
    Fix,
    FunctionView,
    Invalid,
    Rule,
    Valid,
    walk_local,
)

from ._common import AnalysisCache, checked, restore_hint, restored_on_success, where
from ._environ import classify, rewritable, rewritable_pop
from ._syntax import qualname_map
from ._writes import Context, Write

CODEMOD = "auditor.lint.codemods.use_monkeypatch_env:UseMonkeypatchEnv"


class EnvironWriteWithoutRestore(Rule):
    """
    ## What it does
    Finds writes to `os.environ` (item assignment, `del`, `.pop`, `.update`,
    `.setdefault`, `.clear`, `os.putenv`, `os.unsetenv`) that nothing undoes: in a test,
    in a fixture with no restore after its `yield` or in a finalizer, in an xunit setup
    without a teardown that restores it, or at import time of a conftest or test module.
    Writes inside `with mock.patch.dict(os.environ)`, in a `finally`, or undone by a
    function-scoped fixture the test uses are fine. Writes in a function nested in a
    test or fixture count as its own when it calls that function, or, for a fixture,
    hands it to the tests (returns or yields it, or stores it:
    `request.cls.cache_factory = _factory`).

    ## Why is this bad?
    The environment belongs to the process, not to the test: the value stays for every
    test that runs later in the same worker. Tests then pass or fail depending on order
    and on how pytest-xdist distributes them.

    ## Example
    ```python
    import os

    def test_prices_in_eur():
        os.environ["SHOP_CURRENCY"] = "EUR"
        assert display_currency() == "EUR"
    ```
    Use instead:
    ```python
    def test_prices_in_eur(monkeypatch):
        monkeypatch.setenv("SHOP_CURRENCY", "EUR")
        assert display_currency() == "EUR"
    ```

    ## Fix safety
    The fix rewrites the writes of a test function (not of a `unittest.TestCase`
    method) into `monkeypatch.setenv(key, value)` and `monkeypatch.delenv(key,
    raising=False)` and adds a `monkeypatch` parameter. It is offered only when every
    environment write of that test has one of the forms `os.environ[k] = v`,
    `del os.environ[k]` or `os.environ.pop(k[, d])` as a statement. The test sees the
    same values while it runs; only the leak into later tests goes away. (A `del` of a
    missing key no longer raises `KeyError`.)

    ## References
    - pytest, "Monkeypatching environment variables":
      <https://docs.pytest.org/en/stable/how-to/monkeypatch.html#monkeypatching-environment-variables>
    """

    code = "TA301"
    cache_scope = "file"
    name = "environ-write-without-restore"
    category = "isolation"

    VALID = (
        Valid(
            "import os\nfrom unittest import mock\n\n"
            "def test_a(monkeypatch):\n    monkeypatch.setenv('A', '1')\n"
            "    assert os.environ['A'] == '1'\n\n"
            "def test_b():\n    with mock.patch.dict(os.environ, {'B': '2'}):\n"
            "        os.environ['C'] = '3'\n        assert os.environ['B'] == '2'\n"
        ),
        Valid(
            files={
                "conftest.py": "import os\n\nimport pytest\n\n@pytest.fixture(autouse=True)\n"
                "def clean_environ():\n    saved = os.environ.copy()\n    yield\n"
                "    os.environ.clear()\n    os.environ.update(saved)\n",
                "test_a.py": "import os\n\nimport pytest\n\n@pytest.fixture\ndef token():\n"
                "    os.environ['TOKEN'] = 'x'\n    yield 'x'\n    del os.environ['TOKEN']\n\n"
                "def test_a(token):\n    os.environ.update({'A': '1'})\n    assert token\n\n"
                "def test_b():\n    old = os.environ.get('B', '')\n    os.environ['B'] = '2'\n"
                "    try:\n        assert os.environ['B'] == '2'\n    finally:\n"
                "        os.environ['B'] = old\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            "import os\n\ndef test_eur():\n    os.environ['SHOP_CURRENCY'] = 'EUR'\n"
            "    del os.environ['SHOP_DEBUG']\n    assert True\n\n"
            "class TestConfig:\n    def test_region(self):\n"
            "        os.environ.pop('REGION', None)\n        assert True\n",
            at=("test_example.py:4:5", "test_example.py:5:5", "test_example.py:10:9"),
            message="test `test_eur` writes `os.environ['SHOP_CURRENCY']`",
            fixed={
                "test_example.py": "import os\n\ndef test_eur(monkeypatch):\n"
                "    monkeypatch.setenv('SHOP_CURRENCY', 'EUR')\n"
                "    monkeypatch.delenv('SHOP_DEBUG', raising=False)\n    assert True\n\n"
                "class TestConfig:\n    def test_region(self, monkeypatch):\n"
                "        monkeypatch.delenv('REGION', raising=False)\n        assert True\n"
            },
        ),
        Invalid(
            files={
                "conftest.py": "import os\n\nimport pytest\n\n"
                "os.environ['APP_CONFIG_PATH'] = '/srv/app'\n\n"
                "@pytest.fixture\ndef settings():\n    os.environ.update({'DEBUG': '1'})\n"
                "    return object()\n",
                "test_a.py": "import os\nimport unittest\n\n"
                "class TestLegacy(unittest.TestCase):\n    def setUp(self):\n"
                "        os.environ['MODE'] = 'legacy'\n\n    def test_a(self):\n"
                "        assert os.environ['MODE']\n\n"
                "def test_b(settings):\n    assert settings\n",
            },
            at=("conftest.py:5:1", "conftest.py:9:5", "test_a.py:6:9"),
            message="`os.environ['APP_CONFIG_PATH']` is written at import time of `conftest.py`",
        ),
    )

    def __init__(self) -> None:
        self.analysis = AnalysisCache(classify, strict=True)

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file, "environ", "putenv", "unsetenv"):
            return
        analysis = self.analysis(file.suite)
        if file.is_conftest or file.is_test_module:
            for write in analysis.module_unrestored(file):
                yield self.at(
                    file,
                    write.node,
                    f"`{write.text}` is written at import time of `{file.name}` and never "
                    "restored: every test of the session sees it, whichever test runs; set "
                    "it in a session fixture with `pytest.MonkeyPatch.context()` (or in the "
                    "pytest configuration) so it is undone",
                )
        names = qualname_map(file.tree)
        counts = Counter(names.values())
        for view in file.functions:
            leaks = analysis.unrestored(file, view)
            if not leaks:
                continue
            fragile = any(w.restored_at is not None for w in leaks)
            own = {id(n) for n in walk_local(view.node)}
            nested = any(id(w.node) not in own for w in leaks)
            fix = None if fragile or nested else self._fix(file, view, names, counts)
            for write in leaks:
                if write.restored_at is not None:
                    instead = "use `monkeypatch.setenv()` / `monkeypatch.delenv()`"
                    message = restored_on_success(view, write, instead)
                else:
                    message = self._message(view, write)
                yield self.at(file, write.node, message, fix=fix)

    @staticmethod
    def _message(view: FunctionView, write: Write) -> str:
        if view.kind == "test":
            instead = "use `monkeypatch.setenv()` / `monkeypatch.delenv()`"
        else:
            instead = f"{restore_hint(view)}, or use `monkeypatch`"
        return (
            f"{where(view)} writes `{write.text}` and never restores it: the change leaks "
            f"into every later test; {instead}"
        )

    @staticmethod
    def _fix(
        file: FileView, view: FunctionView, names: dict[int, str], counts: Counter[str]
    ) -> Fix | None:
        test = view.test
        if view.kind != "test" or test is None or test.is_unittest:
            return None
        qualname = names.get(id(view.node))
        if qualname is None or counts[qualname] != 1:
            return None
        function = view.node
        ctx = Context(file, function)
        pops = {
            id(n.value)
            for n in walk_local(function)
            if isinstance(n, ast.Expr) and rewritable_pop(n, ctx)
        }
        decorators = [*function.decorator_list, *(view.cls.decorator_list if view.cls else [])]
        for node in (*walk_local(function), *decorators):
            for write in classify(node, ctx):
                if write.role == "context":
                    return None
                if write.role == "guard":
                    continue
                if not (rewritable(write, ctx) or id(write.node) in pops):
                    return None
        if any(
            file.qualified(ast.Name(id=name)) in ("os", "os.environ") for name in ctx.local_names
        ):
            return None  # the codemod would take a local `environ` for os.environ
        if "monkeypatch" not in _fixture_requests(function.args):
            args = function.args
            decorated = view.summary is not None and view.summary.decorated
            if args.vararg or args.kwarg or decorated:
                return None
            if "monkeypatch" in ctx.local_names:
                return None  # a local, or a parameter that is no fixture request
        return Fix(
            Applicability.SAFE,
            "Use monkeypatch.setenv / monkeypatch.delenv",
            codemod=CODEMOD,
            options=(("function", qualname),),
        )


def _fixture_requests(args: ast.arguments) -> set[str]:
    """The parameters pytest fills with fixtures: neither positional-only nor with a
    default (a method's `self` included)."""
    first_default = len(args.posonlyargs) + len(args.args) - len(args.defaults)
    names = {a.arg for a in args.args[: max(0, first_default - len(args.posonlyargs))]}
    names.update(a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None)
    return names
