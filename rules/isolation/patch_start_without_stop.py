"""TA303 patch-start-without-stop."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from auditor.api import (
    FileView,
    Finding,
    FunctionView,
    Invalid,
    Rule,
    Scope,
    Valid,
    walk_local,
)

from ._common import AnalysisCache, checked, where
from ._patchers import patch_function
from ._syntax import module_level
from ._writes import Context, Write, local_names


def _no_writes(node: ast.AST, ctx: Context) -> Iterator[Write]:
    return iter(())


@dataclass(frozen=True)
class _Start:
    node: ast.Call
    key: str | None
    """The patcher's name ("p", "self.p"); None for ``patch(...).start()``."""
    text: str


def _self_key(node: ast.AST) -> str | None:
    """The patcher key: "self.p" for ``self.p`` / ``cls.p``, "p" for a name."""
    if isinstance(node, ast.Name):
        return node.id
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in ("self", "cls")
    ):
        return f"self.{node.attr}"
    return None


def _patcher_names(file: FileView, nodes: Iterable[ast.AST]) -> set[str]:
    """Names assigned a mock patcher (``p = patch(...)``, ``self.p = patch.object(...)``)."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Assign) and patch_function(file, node.value):
            for target in node.targets:
                key = _self_key(target)
                if key is not None:
                    names.add(key)
    return names


def _describe(file: FileView, call: ast.AST) -> str:
    assert isinstance(call, ast.Call)
    func = ast.unparse(call.func)
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return f'{func}("{first.value}")'
    if first is not None and patch_function(file, call) == "patch.object" and len(call.args) > 1:
        return f"{func}({ast.unparse(first)}, {ast.unparse(call.args[1])})"
    return f"{func}(...)"


def _starts(file: FileView, nodes: Iterable[ast.AST], patchers: set[str]) -> list[_Start]:
    found: list[_Start] = []
    for node in nodes:
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "start"
            and not node.args
        ):
            continue
        owner = node.func.value
        if patch_function(file, owner):
            found.append(_Start(node, None, f"{_describe(file, owner)}.start()"))
            continue
        key = _self_key(owner)
        if key is not None and key in patchers:
            found.append(_Start(node, key, f"{ast.unparse(owner)}.start()"))
    return found


def _stops(file: FileView, root: ast.AST) -> tuple[set[str], bool]:
    """Patcher names whose ``.stop`` appears in `root` (called or handed to
    ``addCleanup``), and whether ``patch.stopall`` does."""
    names: set[str] = set()
    stopall = False
    for node in file.of_type(ast.Attribute) if root is file.tree else ast.walk(root):
        if isinstance(node, ast.Attribute) and node.attr == "stop":
            key = _self_key(node.value)
            if key is not None:
                names.add(key)
        elif isinstance(node, ast.Attribute) and node.attr == "stopall":
            name = file.qualified(node) or ""
            stopall |= name in ("unittest.mock.patch.stopall", "mock.patch.stopall")
    return names, stopall


class PatchStartWithoutStop(Rule):
    """
    ## What it does
    Finds mock patchers started with `.start()` (`patch(...).start()`,
    `patch.object(...).start()`, `patcher.start()` for a patcher made by `mock.patch*`)
    in tests, fixtures and setups when nothing stops them: no `patcher.stop()`, no
    `patch.stopall()`, no `addCleanup(patcher.stop)` in the same function, its class
    (`setUp` / `tearDown`), its module, or the teardown of a fixture the test uses.

    ## Why is this bad?
    A started patch stays active until it is stopped: the mock replaces the real object
    for every test that runs afterwards, which then pass or fail depending on order.

    ## Example
    ```python
    from unittest.mock import patch

    @pytest.fixture
    def approving_provider():
        return patch("shop.payments.Gateway.charge", return_value="ok").start()
    ```
    Use instead:
    ```python
    from unittest.mock import patch

    @pytest.fixture
    def approving_provider():
        with patch("shop.payments.Gateway.charge", return_value="ok") as charge:
            yield charge
    ```

    ## References
    - Python, `unittest.mock`, "patch methods: start and stop":
      <https://docs.python.org/3/library/unittest.mock.html#patch-methods-start-and-stop>
    """

    code = "TA303"
    cache_scope = "file"
    name = "patch-start-without-stop"
    category = "isolation"

    VALID = (
        Valid(
            "import unittest\nfrom unittest import mock\n\n"
            "class TestA(unittest.TestCase):\n    def setUp(self):\n"
            "        self.patcher = mock.patch('os.getcwd')\n        self.patcher.start()\n\n"
            "    def tearDown(self):\n        self.patcher.stop()\n\n"
            "    def test_a(self):\n        p = mock.patch.object(unittest, 'main')\n"
            "        p.start()\n        self.addCleanup(p.stop)\n\n"
            "def test_b(mocker):\n    mocker.patch('os.getcwd').start()\n"
        ),
        Valid(
            files={
                "conftest.py": "import pytest\nfrom unittest import mock\n\n"
                "@pytest.fixture(autouse=True)\ndef _stop_patches():\n    yield\n"
                "    mock.patch.stopall()\n",
                "test_a.py": "from unittest.mock import patch\n\n"
                "def test_a():\n    patch('os.getcwd', return_value='/').start()\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            "import pytest\nfrom unittest.mock import patch\n\n@pytest.fixture\n"
            "def approving_provider():\n"
            "    mocked = patch('shop.Gateway.charge', return_value=1).start()\n"
            "    return mocked\n\n"
            "def test_a(approving_provider):\n    assert approving_provider\n",
            at=("test_example.py:6:14",),
            message='fixture `approving_provider` starts `patch("shop.Gateway.charge").start()`',
        ),
        Invalid(
            "import mock\n\nclass TestB:\n    def setup_method(self):\n"
            "        self.p = mock.patch.object(mock, 'sentinel')\n        self.p.start()\n\n"
            "    def test_b(self):\n        q = mock.patch('os.getcwd')\n        q.start()\n",
            at=("test_example.py:6:9", "test_example.py:10:9"),
            message="setup `setup_method` starts `self.p.start()`",
        ),
    )

    def __init__(self) -> None:
        self.analysis = AnalysisCache(_no_writes)

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file, ".start("):
            return
        module_patchers = _patcher_names(file, module_level(file.tree.body))
        module_stops, module_stopall = _stops(file, file.tree)
        if file.is_conftest or file.is_test_module:
            for start in _starts(file, module_level(file.tree.body), module_patchers):
                if module_stopall or (start.key is not None and start.key in module_stops):
                    continue
                yield self.at(
                    file,
                    start.node,
                    f"`{start.text}` runs at import time of `{file.name}` and nothing stops "
                    "it: the patch is active for the whole session; patch inside the tests "
                    "or fixtures that need it (`with patch(...)`, `mocker.patch`)",
                )
        class_patchers: dict[int, set[str]] = {}
        for view in file.functions:
            if view.kind == "helper" or (view.kind == "xunit" and "setup" not in view.name.lower()):
                continue
            patchers = set(module_patchers) - local_names(view.node)
            patchers |= _patcher_names(file, walk_local(view.node))
            if view.cls is not None:
                if id(view.cls) not in class_patchers:
                    class_patchers[id(view.cls)] = _patcher_names(file, ast.walk(view.cls))
                patchers |= class_patchers[id(view.cls)]
            starts = _starts(file, walk_local(view.node), patchers)
            if not starts:
                continue
            stops, stopall = _stops(file, view.cls if view.cls is not None else view.node)
            stopall = stopall or self._guarded(file, view)
            for start in starts:
                if stopall:
                    break
                key = start.key
                if key is not None and (
                    key in stops or (key in module_patchers and key in module_stops)
                ):
                    continue
                yield self.at(file, start.node, _message(view, start))

    def _guarded(self, file: FileView, view: FunctionView) -> bool:
        """Whether a function-scoped fixture the test or fixture uses calls
        ``patch.stopall()``, or a module teardown does."""
        for node in file.tree.body:
            if (
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                and node.name in ("teardown_module", "teardown_function", "tearDownModule")
                and _stops(file, node)[1]
            ):
                return True
        analysis = self.analysis(file.suite)
        if view.test is not None:
            definitions = file.suite.closure(view.test)
        elif view.fixture is not None:
            definitions = analysis.fixture_closure(view.fixture)
        else:
            return False
        for definition in definitions:
            if definition.scope is not Scope.FUNCTION and view.test is not None:
                continue
            located = analysis.locate(definition)
            if located is not None and _stops(located[0], located[1].node)[1]:
                return True
        return False


def _message(view: FunctionView, start: _Start) -> str:
    handle = start.key or "the patcher"
    if view.kind == "fixture":
        instead = f"`yield` inside `with patch(...)`, or call `{handle}.stop()` after `yield`"
    elif view.kind == "xunit":
        instead = f"call `self.addCleanup({handle}.stop)` or stop it in the teardown"
    else:
        instead = "use `with patch(...)` or the `mocker` fixture"
    return (
        f"{where(view)} starts `{start.text}` and nothing stops it: the patch stays active "
        f"for every later test; {instead}"
    )
