"""TA306 process-state-change."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import FileView, Finding, FunctionView, Invalid, Rule, Valid, walk_local

from ._common import AnalysisCache, checked, restore_hint, where
from ._patchers import monkeypatched, patch_function
from ._writes import Context, Role, Write

SYS_PATH = "sys.path"
CWD = "cwd"
LEVEL = "logging.level"
HANDLERS = "logging.handlers"
DISABLE = "logging.disable"
RANDOM = "random"
NUMPY_RANDOM = "numpy.random"

PYTESTER = frozenset({"pytester", "testdir"})
LIST_METHODS = frozenset({"insert", "append", "extend", "remove", "pop", "clear"})
BUILTIN_GUARDS = {name: frozenset({SYS_PATH, CWD}) for name in PYTESTER}
"""pytester snapshots sys.path and the working directory and restores them."""
MONKEYPATCH_NAMES = frozenset({"monkeypatch", "mp", "mpatch"})


def _logger(node: ast.AST, ctx: Context, depth: int = 0) -> str | None:
    """Which logger an expression is: ``logging.getLogger("x")``, ``logging.root`` or a
    name assigned one of those in the function or at module level."""
    file = ctx.file
    if isinstance(node, ast.Call) and file.qualified(node.func) == "logging.getLogger":
        if not node.args:
            return "root"
        arg = node.args[0]
        if isinstance(arg, ast.Constant):
            return "root" if arg.value in (None, "", "root") else str(arg.value)
        return ast.unparse(arg)
    if isinstance(node, ast.Attribute) and file.qualified(node) == "logging.root":
        return "root"
    if isinstance(node, ast.Name) and depth == 0:
        scopes: list[ast.AST] = [ctx.function] if ctx.function is not None else []
        if node.id not in ctx.local_names or ctx.function is None:
            scopes = [file.tree]
        for scope in scopes:
            nodes = walk_local(scope) if scope is not file.tree else iter(file.tree.body)
            for statement in nodes:
                if (
                    isinstance(statement, ast.Assign)
                    and len(statement.targets) == 1
                    and isinstance(statement.targets[0], ast.Name)
                    and statement.targets[0].id == node.id
                ):
                    return _logger(statement.value, ctx, depth + 1)
    return None


def _is_sys_path(node: ast.AST, ctx: Context) -> bool:
    if isinstance(node, ast.Name) and node.id in ctx.local_names:
        return False
    return ctx.file.qualified(node) == "sys.path"


def classify(node: ast.AST, ctx: Context) -> Iterator[Write]:
    if isinstance(node, ast.Call):
        yield from _calls(node, ctx)
    elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        value = node.value if isinstance(node, ast.Assign) else None

        def reads(n: ast.AST) -> bool:
            return _is_sys_path(n, ctx)

        for target in targets:
            inner = target.value if isinstance(target, ast.Subscript) else target
            if _is_sys_path(inner, ctx):
                role: Role = "restore" if ctx.uses_saved(value, reads, SYS_PATH) else "change"
                yield Write(node, SYS_PATH, None, role, ast.unparse(target))
            elif isinstance(inner, ast.Attribute) and inner.attr == "handlers":
                logger = _logger(inner.value, ctx)
                if logger is not None:
                    yield Write(node, HANDLERS, logger, "restore")


def _calls(node: ast.Call, ctx: Context) -> Iterator[Write]:
    file = ctx.file
    func = node.func
    name = file.qualified(func) or ""
    base = func
    while isinstance(base, ast.Attribute):
        base = base.value
    if (
        isinstance(base, ast.Name)
        and base.id in ctx.local_names
        and name.startswith(("os.", "sys.", "random.", "numpy.", "logging."))
    ):
        name = ""
    text = f"{ast.unparse(func)}()"
    if isinstance(func, ast.Attribute):
        method, owner = func.attr, func.value
        if method in LIST_METHODS and _is_sys_path(owner, ctx):
            yield Write(node, SYS_PATH, None, "change", text)
            return
        if method == "syspath_prepend" or monkeypatched(node, file) == ("attribute", "sys.path"):
            yield Write(node, SYS_PATH, None, "guard")
            return
        if method == "chdir" and isinstance(owner, ast.Name) and owner.id in MONKEYPATCH_NAMES:
            yield Write(node, CWD, None, "guard")
            return
        if method in ("setLevel", "addHandler", "removeHandler"):
            logger = _logger(owner, ctx)
            if logger is not None:
                kind = LEVEL if method == "setLevel" else HANDLERS
                role: Role = "restore" if method == "removeHandler" else "change"
                yield Write(node, kind, logger, role, text)
            return
        if method == "clear" and isinstance(owner, ast.Attribute) and owner.attr == "handlers":
            logger = _logger(owner.value, ctx)
            if logger is not None:
                yield Write(node, HANDLERS, logger, "restore")
            return
    if name == "os.chdir":
        yield Write(node, CWD, None, "change", f"os.chdir({_args(node)})")
    elif name == "logging.disable":
        arg = node.args[0] if node.args else None
        off = arg is None or (isinstance(arg, ast.Constant) and arg.value == 0)
        off |= arg is not None and file.qualified(arg) == "logging.NOTSET"
        yield Write(node, DISABLE, None, "restore" if off else "change", text)
    elif name == "logging.basicConfig":
        if any(
            k.arg == "force" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in node.keywords
        ):
            yield Write(node, HANDLERS, "root", "change", "logging.basicConfig(force=True)")
    elif name in ("random.seed", "numpy.random.seed"):
        kind = RANDOM if name == "random.seed" else NUMPY_RANDOM
        yield Write(node, kind, None, "change" if node.args else "restore", f"{name}(...)")
    elif name in ("random.setstate", "numpy.random.set_state"):
        yield Write(node, RANDOM if name == "random.setstate" else NUMPY_RANDOM, None, "restore")
    elif name.endswith(("SysPathsSnapshot", "CwdSnapshot")):
        yield Write(node, SYS_PATH if name.endswith("SysPathsSnapshot") else CWD, None, "guard")
    else:
        patcher = patch_function(file, node)
        if patcher and node.args:
            first = node.args[0]
            if (
                patcher == "patch" and isinstance(first, ast.Constant) and first.value == "sys.path"
            ) or (
                patcher == "patch.object"
                and len(node.args) > 1
                and file.qualified(first) == "sys"
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "path"
            ):
                yield Write(node, SYS_PATH, None, "context")


def _args(call: ast.Call) -> str:
    text = ", ".join(ast.unparse(a) for a in call.args)
    return text if len(text) <= 40 else "..."


class ProcessStateChange(Rule):
    """
    ## What it does
    Finds tests, fixtures and xunit setups that change process-wide state and leave it
    changed: `sys.path` (insert, append, extend, remove, assignment), the working
    directory (`os.chdir`), logging (`logger.setLevel`, `logger.addHandler`,
    `logging.disable`, `logging.basicConfig(force=True)`) and the global random
    generators (`random.seed`, `numpy.random.seed`). Changes put back after the
    fixture's `yield`, in a `finally`, in a teardown, or by `pytester` (which restores
    `sys.path` and the working directory) are fine. Module-level code is not checked.

    ## Why is this bad?
    The change outlives the test: later tests import other modules, resolve relative
    paths from another directory, capture different logs, or get the same "random"
    numbers, and fail or pass depending on which test ran before them.

    ## Example
    ```python
    import os
    import sys

    def test_plugin_loads(tmp_path):
        sys.path.insert(0, str(tmp_path))
        os.chdir(tmp_path)
        assert load_plugins()
    ```
    Use instead:
    ```python
    def test_plugin_loads(tmp_path, monkeypatch):
        monkeypatch.syspath_prepend(tmp_path)
        monkeypatch.chdir(tmp_path)
        assert load_plugins()
    ```

    ## References
    - pytest, "How to monkeypatch/mock modules and environments":
      <https://docs.pytest.org/en/stable/how-to/monkeypatch.html>
    """

    code = "TA306"
    name = "process-state-change"
    category = "isolation"

    VALID = (
        Valid(
            "import os\nimport sys\nimport logging\n\n"
            "def test_a(tmp_path, monkeypatch, caplog):\n"
            "    monkeypatch.syspath_prepend(tmp_path)\n    monkeypatch.chdir(tmp_path)\n"
            "    caplog.set_level(logging.DEBUG)\n\n"
            "def test_b(pytester):\n    os.chdir(pytester.path)\n"
            "    sys.path.insert(0, str(pytester.path))\n\n"
            "def test_c(tmp_path):\n    old = os.getcwd()\n    os.chdir(tmp_path)\n"
            "    try:\n        assert True\n    finally:\n        os.chdir(old)\n\n"
            "sys.path.insert(0, os.path.dirname(__file__))\n"
        ),
        Valid(
            files={
                "conftest.py": "import logging\nimport random\n\nimport pytest\n\n"
                "@pytest.fixture(autouse=True)\ndef cleanup_disabled_logging():\n    yield\n"
                "    logging.disable(logging.NOTSET)\n\n"
                "@pytest.fixture\ndef seeded():\n    state = random.getstate()\n"
                "    random.seed(1)\n    yield\n    random.setstate(state)\n",
                "test_a.py": "import logging\n\n"
                "def test_a(seeded):\n    logging.disable(logging.CRITICAL)\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            "import os\nimport sys\n\n"
            "def test_plugin(tmp_path):\n    sys.path.insert(0, str(tmp_path))\n"
            "    os.chdir(tmp_path)\n",
            at=("test_example.py:5:5", "test_example.py:6:5"),
            message="test `test_plugin` changes `sys.path`",
        ),
        Invalid(
            "import logging\nimport random\n\nimport pytest\n\n"
            "log = logging.getLogger('shop')\n\n@pytest.fixture\ndef verbose():\n"
            "    log.setLevel(logging.DEBUG)\n    yield log\n\n"
            "class TestX:\n    def setup_method(self):\n        random.seed(42)\n"
            "        logging.getLogger().addHandler(logging.NullHandler())\n\n"
            "    def test_x(self, verbose):\n        assert verbose\n",
            at=("test_example.py:10:5", "test_example.py:15:9", "test_example.py:16:9"),
            message="fixture `verbose` sets the level of logger `shop`",
        ),
    )

    def __init__(self) -> None:
        self.analysis = AnalysisCache(classify, builtin_guards=BUILTIN_GUARDS)

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(
            file, "path", "chdir", "setLevel", "Handler", "disable", "basicConfig", "seed"
        ):
            return
        analysis = self.analysis(file.suite)
        for view in file.functions:
            for write in analysis.unrestored(file, view):
                yield self.at(file, write.node, _message(view, write))


def _message(view: FunctionView, write: Write) -> str:
    who = where(view)
    hint = f"{restore_hint(view)}, or " if view.kind != "test" else ""
    if write.kind == SYS_PATH:
        return (
            f"{who} changes `sys.path` (`{write.text}`) and never restores it: later tests "
            f"import from the changed path; {hint}use `monkeypatch.syspath_prepend()`"
        )
    if write.kind == CWD:
        return (
            f"{who} changes the working directory (`{write.text}`) and never changes it "
            f"back: later tests resolve relative paths from there; {hint}use "
            "`monkeypatch.chdir()`"
        )
    if write.kind == LEVEL:
        return (
            f"{who} sets the level of logger `{write.key}` (`{write.text}`) and never resets "
            f"it: later tests log and capture differently; {hint}use "
            "`caplog.set_level(level, logger=...)`"
        )
    if write.kind == HANDLERS:
        return (
            f"{who} adds a handler to logger `{write.key}` (`{write.text}`) and never removes "
            f"it: every later test's records go to it too; remove it "
            f"{'at teardown' if hint else 'in a `finally`'}, or use `caplog`"
        )
    if write.kind == DISABLE:
        return (
            f"{who} calls `{write.text}` and never re-enables logging: later tests capture "
            f"no logs; {hint}call `logging.disable(logging.NOTSET)` at teardown"
        )
    generator = "random.Random(seed)" if write.kind == RANDOM else "numpy.random.default_rng(seed)"
    return (
        f"{who} seeds the global `{write.kind}` generator (`{write.text}`): every later "
        f"test draws the same numbers; {hint}use a `{generator}` instance"
    )
