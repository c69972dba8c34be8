"""TA306 process-state-change."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace

from auditor.api import (
    FileView,
    Finding,
    Invalid,
    Rule,
    SuiteView,
    Valid,
    walk_local,
)

from ._common import AnalysisCache, checked, restored_on_success
from ._listeners import calls_imported, listener, project_listener
from ._patchers import monkeypatched, monkeypatched_item, patch_function
from ._process_messages import (
    CWD,
    DISABLE,
    EVENTS,
    HANDLERS,
    LEVEL,
    META_PATH,
    NUMPY_RANDOM,
    PATH_HOOKS,
    RANDOM,
    SYS_MODULES,
    SYS_PATH,
    WARNINGS,
    import_time_message,
    message,
)
from ._switches import KIND as SWITCH
from ._switches import UNDO, counterpart, reset_by_autouse, switch
from ._writes import Context, Role, Write

WARNING_FILTERS = frozenset({"warnings.simplefilter", "warnings.filterwarnings"})
WARNING_CONTEXTS = frozenset({"warnings.catch_warnings", "pytest.warns", "pytest.deprecated_call"})
"""Context managers that save the warnings filters and put them back on exit."""
EVENT_LISTEN = frozenset({"sqlalchemy.event.listen", "sqlalchemy.event.api.listen"})
EVENT_LISTENS_FOR = frozenset({"sqlalchemy.event.listens_for", "sqlalchemy.event.api.listens_for"})
IMPORT_TIME_KINDS = frozenset({WARNINGS, SYS_MODULES, EVENTS})
"""What a test module must not change at import time: it holds for the rest of the
collection (warnings filters) or the session, whichever modules pytest imports after it."""
EVENT_REMOVE = frozenset({"sqlalchemy.event.remove", "sqlalchemy.event.api.remove"})

PYTESTER = frozenset({"pytester", "testdir"})
LIST_METHODS = frozenset({"insert", "append", "extend", "remove", "pop", "clear"})
BUILTIN_GUARDS = {name: frozenset({SYS_PATH, META_PATH, CWD}) for name in PYTESTER}
"""pytester snapshots sys.path, sys.meta_path and the working directory and restores
them."""
IMPORT_LISTS = frozenset({SYS_PATH, META_PATH, PATH_HOOKS})
IN_PLACE = "in place"
"""The key of a change made to the list object itself (``sys.path.insert(0, p)``)."""
REBIND = "rebind"
"""The key of an assignment of an alias of the list (``sys.path = saved`` where ``saved
= sys.path``): it puts back the same object, with the in-place changes still in it."""
MONKEYPATCH_NAMES = frozenset({"monkeypatch", "mp", "mpatch"})
WARNINGS_PLUGIN_OFF = re.compile(r"(?:^|\s)-p\s*no:warnings(?:\s|$)")
"""`-p no:warnings` in addopts: nothing puts the filters back after each test."""


def warnings_plugin_off(suite: SuiteView) -> bool:
    return bool(WARNINGS_PLUGIN_OFF.search(" ".join(suite.config.pytest.addopts)))


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
    return _import_list(node, ctx) == SYS_PATH


def _import_list(node: ast.AST, ctx: Context) -> str | None:
    """Which of the import system's lists an expression is (``sys.path``,
    ``sys.meta_path``, ``sys.path_hooks``), None for anything else."""
    if isinstance(node, ast.Name) and node.id in ctx.local_names:
        return None
    name = ctx.file.qualified(node)
    return name if name in IMPORT_LISTS else None


def _aliases(ctx: Context) -> frozenset[str]:
    """Names the function, and attributes any function of the file (``self.saved``),
    bind to one of the import lists itself, not to a copy: the same list object,
    changed along with it."""
    found = ctx.cache.get("import list aliases")
    if found is None:
        names: set[str] = set()
        local = walk_local(ctx.function) if ctx.function is not None else iter(())
        for scope, kinds in ((ast.walk(ctx.file.tree), ast.Attribute), (local, ast.Name)):
            for node in scope:
                if isinstance(node, ast.Assign) and _import_list(node.value, Context(ctx.file)):
                    names.update(ast.unparse(t) for t in node.targets if isinstance(t, kinds))
        found = ctx.cache["import list aliases"] = frozenset(names)
    return found


def _list_assignment(
    node: ast.AST, listed: str, value: ast.expr | None, ctx: Context, text: str
) -> Write:
    """``sys.path = saved``: a restore when the value was saved from the list; one that
    puts back the very object changed in place (`REBIND`) when it is an alias of it."""
    saved = ctx.uses_saved(value, lambda n: _import_list(n, ctx) == listed, listed)
    alias = isinstance(value, (ast.Name, ast.Attribute)) and ast.unparse(value) in _aliases(ctx)
    role: Role = "restore" if saved else "change"
    return Write(node, listed, REBIND if alias else None, role, text)


def _is_sys_modules(node: ast.AST, ctx: Context) -> bool:
    if isinstance(node, ast.Name) and node.id in ctx.local_names:
        return False
    return ctx.file.qualified(node) == "sys.modules"


def _key(node: ast.AST) -> str:
    return repr(node.value) if isinstance(node, ast.Constant) else ast.unparse(node)


def classify(node: ast.AST, ctx: Context) -> Iterator[Write]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node is not ctx.function:
        for decorator in node.decorator_list:
            if (
                isinstance(decorator, ast.Call)
                and ctx.file.qualified(decorator.func) in EVENT_LISTENS_FOR
            ):
                write = listener(decorator, ctx, node)
                if write is not None:
                    yield write
        return
    if isinstance(node, ast.Call):
        yield from _calls(node, ctx)
    elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        value = node.value if isinstance(node, ast.Assign) else None

        for target in targets:
            inner = target.value if isinstance(target, ast.Subscript) else target
            if isinstance(target, ast.Subscript) and _is_sys_modules(inner, ctx):
                key = _key(target.slice)
                saved = ctx.uses_saved(value, lambda n: _is_sys_modules(n, ctx), SYS_MODULES)
                removes = isinstance(node, ast.Delete)
                entry: Role = "restore" if removes or saved or value is None else "change"
                yield Write(node, SYS_MODULES, key, entry, ast.unparse(target), removal=removes)
                continue
            listed = _import_list(inner, ctx)
            if listed is not None:
                yield _list_assignment(node, listed, value, ctx, ast.unparse(target))
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
        listed = _import_list(owner, ctx)
        if method in LIST_METHODS and listed is not None:
            yield Write(node, listed, IN_PLACE, "change", text)
            return
        if method == "syspath_prepend":
            yield Write(node, SYS_PATH, None, "guard")
            return
        patched = monkeypatched(node, file)
        if patched is not None and patched[0] == "attribute" and patched[1] in IMPORT_LISTS:
            yield Write(node, patched[1], None, "guard")
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
    if name in WARNING_FILTERS:
        yield Write(node, WARNINGS, None, "change", f"{name}({_args(node)})")
        return
    if name in WARNING_CONTEXTS:
        yield Write(node, WARNINGS, None, "context")
        return
    if name in EVENT_LISTEN:
        write = listener(node, ctx)
        if write is not None:
            yield write
        return
    registered = project_listener(node, ctx)
    if registered is not None:
        yield registered
        return
    if name in EVENT_REMOVE:
        write = listener(node, ctx)
        if write is not None:
            yield replace(write, role="restore")
        return
    if isinstance(func, ast.Attribute) and _is_sys_modules(func.value, ctx):
        method = func.attr
        entry = _key(node.args[0]) if node.args else None
        if method in ("pop", "clear"):
            yield Write(node, SYS_MODULES, entry, "restore", removal=True)
        elif method == "update":
            saved = ctx.uses_saved(node, lambda n: _is_sys_modules(n, ctx), SYS_MODULES)
            yield Write(node, SYS_MODULES, None, "restore" if saved else "change", text)
        elif method == "setdefault" and len(node.args) > 1:
            yield Write(node, SYS_MODULES, entry, "change", text)
        return
    if monkeypatched_item(node, file) == SYS_MODULES:
        key = _key(node.args[1]) if len(node.args) > 1 else None
        yield Write(node, SYS_MODULES, key, "guard")
        return
    if name == "os.chdir":
        arg = node.args[0] if node.args else None
        back = ctx.uses_saved(arg, lambda n: _reads_cwd(n, file), CWD)  # `os.chdir(owd)`
        yield Write(node, CWD, None, "restore" if back else "change", f"os.chdir({_args(node)})")
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
    elif name.endswith("SysPathsSnapshot"):
        yield Write(node, SYS_PATH, None, "guard")
        yield Write(node, META_PATH, None, "guard")
    elif name.endswith("CwdSnapshot"):
        yield Write(node, CWD, None, "guard")
    else:
        patcher = patch_function(file, node)
        if patcher and node.args:
            first = node.args[0]
            if patcher == "patch.dict" and (
                file.qualified(first) == "sys.modules"
                or (isinstance(first, ast.Constant) and first.value == "sys.modules")
            ):
                yield Write(node, SYS_MODULES, None, "context")
            elif (
                patcher == "patch" and isinstance(first, ast.Constant) and first.value == "sys.path"
            ) or (
                patcher == "patch.object"
                and len(node.args) > 1
                and file.qualified(first) == "sys"
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value == "path"
            ):
                yield Write(node, SYS_PATH, None, "context")
        else:
            turned = switch(node, ctx)
            if turned is not None:
                yield turned


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
    generators (`random.seed`, `numpy.random.seed`), `sys.modules` entries
    (`sys.modules["x"] = stub`) and SQLAlchemy event listeners on an imported target
    (`event.listen(Mapper, ...)`, `@event.listens_for(Engine, ...)`) with no
    `event.remove`, the import hooks (`sys.meta_path`, `sys.path_hooks`), and switches
    of an imported module or object turned on and not off (`requests_cache.install_cache()`
    when the file also calls `uninstall_cache()`, `faulthandler.enable()` with `disable()`,
    `atexit.register(f)` with `unregister`, `bind_x()` with `unbind_x()`/`clear_x()`;
    not calls given a local object such as `register(worker)`, and not when a
    function-scoped autouse fixture turns it off for every test). Putting back a saved
    reference to `sys.path` or `sys.meta_path` (`saved = sys.path` ... `sys.path = saved`)
    does not undo an in-place change: only a copy does. Changes put back after the
    fixture's `yield`, in a `finally`, in a
    teardown, or by `pytester` (which restores `sys.path` and the working directory) are
    fine; a change put back later in the test, but after assertions, is reported (a
    failing assertion skips the restore).

    At import time of a test module it reports warnings filters set outside
    `warnings.catch_warnings()` (`warnings.simplefilter("error")`), `sys.modules`
    entries and event listeners, also those a function of the project registers when
    the module calls it (`force_instant_defaults()`, whose body calls
    `sa.event.listen(sa.orm.Mapper, ...)`); other module-level code (a
    `sys.path.insert` for the tests' own helpers) is not checked. Warnings filters set
    inside a test or fixture are reported only when the warnings plugin is off
    (`-p no:warnings` in `addopts`): otherwise pytest puts the filters back after each
    test, whatever the test set.

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

    ## Options
    - `addopts` (pytest ini option; default empty): with `-p no:warnings` in it, warnings
      filters set in tests and fixtures are reported too.

    ## References
    - pytest, "How to monkeypatch/mock modules and environments":
      <https://docs.pytest.org/en/stable/how-to/monkeypatch.html>
    - pytest, "How to capture warnings":
      <https://docs.pytest.org/en/stable/how-to/capture-warnings.html>
    """

    code = "TA306"
    cache_scope = "file"
    name = "process-state-change"
    category = "isolation"

    VALID = (
        # functions of the project called at import time that register nothing, and
        # the listener registered from a conftest's hook
        Valid(
            files={
                "app/__init__.py": "",
                "app/setup.py": "import sqlalchemy as sa\n\nTYPES = {}\n\n\n"
                "def register_types():\n    TYPES['money'] = int\n\n\n"
                "def force_instant_defaults():\n"
                "    sa.event.listen(sa.orm.Mapper, 'init', print)\n",
                "conftest.py": "from app.setup import force_instant_defaults\n\n\n"
                "def pytest_configure(config):\n    force_instant_defaults()\n",
                "test_a.py": "from app.setup import register_types\n\nregister_types()\n\n\n"
                "def test_a():\n    assert True\n",
            }
        ),
        # the warnings plugin is off, but the filters are set for the whole session by
        # a hook, or inside a context that puts them back
        Valid(
            files={
                "pytest.ini": "[pytest]\naddopts = -p no:warnings\n",
                "conftest.py": "import warnings\n\ndef pytest_configure(config):\n"
                "    warnings.simplefilter('error')\n",
                "test_a.py": "import warnings\n\nimport pytest\n\n"
                "def test_a():\n    with warnings.catch_warnings():\n"
                "        warnings.simplefilter('ignore')\n\n"
                "def test_b():\n    with pytest.warns(UserWarning):\n"
                "        warnings.simplefilter('always')\n        warnings.warn('x')\n\n"
                "@pytest.mark.filterwarnings('error')\ndef test_c():\n    assert True\n",
            }
        ),
        Valid(
            "import os\nimport sys\nimport logging\n\n"
            "def test_a(tmp_path, monkeypatch, caplog):\n"
            "    monkeypatch.syspath_prepend(tmp_path)\n    monkeypatch.chdir(tmp_path)\n"
            "    caplog.set_level(logging.DEBUG)\n\n"
            "def test_b(pytester):\n    os.chdir(pytester.path)\n"
            "    sys.path.insert(0, str(pytester.path))\n\n"
            "def test_c(tmp_path):\n    old = os.getcwd()\n    os.chdir(tmp_path)\n"
            "    try:\n        assert True\n    finally:\n        os.chdir(old)\n\n"
            # back to the saved directory before the checks (Flask-AppBuilder's export test)
            "def test_d(tmp_path, run):\n    owd = os.getcwd()\n    os.chdir(tmp_path)\n"
            "    result = run()\n    os.chdir(owd)\n    assert result == 0\n\n"
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
        # pytest restores the warnings filters after each test; catch_warnings at
        # import time; sys.modules put back by monkeypatch / patch.dict; a listener
        # removed in a finally, or on an engine the test made itself
        Valid(
            "import sys\nimport warnings\nfrom unittest import mock\n\n"
            "from sqlalchemy import create_engine, event\nfrom sqlalchemy.orm import Mapper\n\n"
            "with warnings.catch_warnings():\n    warnings.simplefilter('ignore')\n"
            "    import json\n\n"
            "def test_a(monkeypatch):\n    warnings.simplefilter('error')\n"
            "    monkeypatch.setitem(sys.modules, 'fake', object())\n\n"
            "def test_b():\n    with mock.patch.dict(sys.modules, {'fake': object()}):\n"
            "        assert json\n\n"
            "def test_c():\n    def on_configured(mapper, cls):\n        pass\n\n"
            "    event.listen(Mapper, 'mapper_configured', on_configured)\n    try:\n"
            "        assert True\n    finally:\n"
            "        event.remove(Mapper, 'mapper_configured', on_configured)\n\n"
            "def test_d():\n    engine = create_engine('sqlite://')\n"
            "    event.listen(engine, 'connect', print)\n"
        ),
    )
    INVALID = (
        # a function of the project that registers a listener, called at import time
        Invalid(
            "from app.listeners import force_instant_defaults\n\n"
            "force_instant_defaults()\n\n\ndef test_defaults():\n    assert True\n",
            files={
                "app/__init__.py": "",
                "app/listeners.py": "import sqlalchemy as sa\n\n\n"
                "def instant_defaults(target, args, kwargs):\n    pass\n\n\n"
                "def force_instant_defaults(mapper=None):\n"
                "    sa.event.listen(mapper or sa.orm.Mapper, 'init', instant_defaults)\n",
            },
            at=("test_example.py:3:1",),
            message="`force_instant_defaults()` registers a listener at import time",
        ),
        # the warnings plugin is off: nothing puts the filters back after each test
        Invalid(
            files={
                "pytest.ini": "[pytest]\naddopts = -p no:warnings\n",
                "test_a.py": "import warnings\n\nimport pytest\n\n@pytest.fixture\n"
                "def strict():\n    warnings.simplefilter('error')\n    yield\n\n"
                "def test_a(strict):\n    warnings.filterwarnings('ignore', module='yaml')\n"
                "    assert strict is None\n",
            },
            at=("test_a.py:7:5", "test_a.py:11:5"),
            message="fixture `strict` changes the warnings filters",
        ),
        Invalid(
            "import sys\nimport warnings\n\nfrom sqlalchemy import event\n"
            "from sqlalchemy.orm import Mapper\n\nwarnings.simplefilter('error')\n\n"
            "def test_stub():\n    sys.modules['payments'] = object()\n\n"
            "def test_listener():\n    event.listen(Mapper, 'mapper_configured', print)\n"
            "    assert True\n",
            at=("test_example.py:7:1", "test_example.py:10:5", "test_example.py:13:5"),
            message="runs at import time of `test_example.py`",
        ),
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
        imported_calls = file.is_test_module and any(calls_imported(file))
        if not imported_calls and not checked(
            file,
            "path",
            "chdir",
            "setLevel",
            "Handler",
            "disable",
            "basicConfig",
            "seed",
            "warnings",
            "modules",
            "listen",
            *UNDO,
        ):
            return
        analysis = self.analysis(file.suite)
        if file.is_test_module:
            for write in analysis.module_unrestored(file):
                if write.kind in IMPORT_TIME_KINDS:
                    yield self.at(file, write.node, import_time_message(file, write))
        restored_by_pytest = not warnings_plugin_off(file.suite)
        for view in file.functions:
            for write in analysis.unrestored(file, view):
                if write.kind == WARNINGS and restored_by_pytest:
                    continue  # pytest restores the filters after each test
                if write.kind == SWITCH and reset_by_autouse(file.suite, write.key, file.path):
                    continue
                if write.restored_at is not None:
                    instead = "use `monkeypatch`"
                    if write.kind == SWITCH:
                        undo = counterpart(write)
                        instead = f"turn it on in a fixture that calls `{undo}` after `yield`"
                    yield self.at(file, write.node, restored_on_success(view, write, instead))
                    continue
                yield self.at(file, write.node, message(view, write))


CWD_READS = frozenset({"os.getcwd", "os.getcwdb", "pathlib.Path.cwd"})


def _reads_cwd(node: ast.AST, file: FileView) -> bool:
    """``os.getcwd()`` (or ``Path.cwd()``): the working directory kept to go back to."""
    return isinstance(node, ast.Call) and file.qualified(node.func) in CWD_READS
