"""TA302 module-attribute-assignment."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditor.api import FileView, Finding, FunctionView, Invalid, Rule, Valid

from ._common import AnalysisCache, checked, restore_hint, where
from ._patchers import monkeypatched, patch_function
from ._writes import Context, Role, Write

KIND = "attribute"
OTHER_RULES = ("os.environ", "sys.path")
"""Attributes other rules report (TA301, TA306); TA304 covers APP_STATE, TA306 logging."""
OTHER_PREFIXES = ("logging.",)
RESET_BY_PYTEST = frozenset({"sys.stdout", "sys.stderr", "sys.stdin"})
"""pytest's capture puts the standard streams back after every test."""
CONTEXT_LOCALS = frozenset(
    {
        f"{package}.{name}"
        for package in ("flask", "flask.globals", "quart", "quart.globals")
        for name in ("g", "session", "request", "current_app", "websocket")
    }
)
"""Proxies to per-request / per-app-context objects: their attributes are not global."""
APP_STATE = frozenset({"dependency_overrides", "user_middleware", "middleware_stack"})
FACTORY_SESSION = frozenset({"sqlalchemy_session", "sqlalchemy_session_factory"})


def _base(node: ast.AST) -> ast.Name | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _global_attribute(node: ast.AST, ctx: Context) -> str | None:
    """The qualified name of ``imported.attr[.attr]`` (None for other targets)."""
    if not isinstance(node, ast.Attribute):
        return None
    base = _base(node)
    if base is None or not ctx.is_global(base.id):
        return None
    key = ctx.file.qualified(node)
    if key is None or _ignored(key, ctx.file.qualified(node.value) or ""):
        return None
    return key


def _ignored(key: str, owner: str) -> bool:
    return (
        key in OTHER_RULES
        or key in RESET_BY_PYTEST
        or key.startswith(OTHER_PREFIXES)
        or key.rsplit(".", 1)[-1] in APP_STATE
        or owner in CONTEXT_LOCALS
    )


def classify(node: ast.AST, ctx: Context) -> Iterator[Write]:
    """Assignments (and ``setattr``/``delattr``/``del``) of attributes of imported names;
    ``mock.patch``/``patch.object`` of them as restoring contexts."""

    def reads(n: ast.AST) -> bool:
        return _global_attribute(n, ctx) is not None or (
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "getattr"
        )

    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        value = None if isinstance(node, (ast.Delete, ast.AugAssign)) else node.value
        role: Role = "restore" if ctx.uses_saved(value, reads, "attribute") else "change"
        for target in targets:
            key = _global_attribute(target, ctx)
            if key is not None:
                yield Write(node, KIND, key, role, ast.unparse(target))
        return
    if not isinstance(node, ast.Call):
        return
    func = node.func
    if (
        isinstance(func, ast.Name)
        and func.id in ("setattr", "delattr")
        and func.id not in ctx.local_names
    ):
        if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
            owner, attr = node.args[0], node.args[1].value
            base = _base(owner)
            if isinstance(attr, str) and base is not None and ctx.is_global(base.id):
                owner_name = ctx.file.qualified(owner) or ""
                key = f"{owner_name}.{attr}"
                if not _ignored(key, owner_name):
                    value = node.args[2] if len(node.args) > 2 else None
                    saved = ctx.uses_saved(value, reads, "attribute")
                    text = f"{ast.unparse(owner)}.{attr}"
                    yield Write(node, KIND, key, "restore" if saved else "change", text)
        return
    undone = monkeypatched(node, ctx.file)
    if undone is not None:
        if undone[0] == KIND and undone[1] is not None:
            yield Write(node, KIND, undone[1], "guard")
        return
    patcher = patch_function(ctx.file, node)
    if not patcher or not node.args:
        return
    first = node.args[0]
    if patcher == "patch" and isinstance(first, ast.Constant) and isinstance(first.value, str):
        yield Write(node, KIND, first.value, "context")
    elif patcher == "patch.object" and len(node.args) > 1:
        name = node.args[1]
        patched = ctx.file.qualified(first)
        if patched and isinstance(name, ast.Constant) and isinstance(name.value, str):
            yield Write(node, KIND, f"{patched}.{name.value}", "context")
    elif patcher == "patch.multiple":
        patched = (
            first.value
            if isinstance(first, ast.Constant) and isinstance(first.value, str)
            else ctx.file.qualified(first)
        )
        for keyword in node.keywords:
            if patched and keyword.arg:
                yield Write(node, KIND, f"{patched}.{keyword.arg}", "context")


def _may_assign(file: FileView) -> bool:
    """A cheap look at the text: does any imported name get an attribute assigned
    (``name.attr = ``, ``name.a.b += ``), or is there a ``setattr``/``delattr``/``del``?"""
    if "setattr(" in file.text or "delattr(" in file.text:
        return True
    names = "|".join(re.escape(name) for name in file.imports)
    if not names:
        return False
    assign = rf"(?<![\w.])(?:{names})(?:\.\w+)+\s*(?:[-+*/%&|^@]|//|\*\*|<<|>>)?=(?!=)"
    delete = rf"\bdel\s+(?:{names})\."
    return re.search(f"{assign}|{delete}", file.text) is not None


class ModuleAttributeAssignment(Rule):
    """
    ## What it does
    Finds tests, fixtures and xunit setups that assign an attribute of an imported
    module, class or object (`settings.DEBUG = True`, `config.API_URL = ...`,
    `UserFactory._meta.sqlalchemy_session = session`) and never put the old value back
    (after the fixture's `yield`, in a `finally`, in a finalizer or a teardown).

    ## Why is this bad?
    Imported modules and classes live for the whole session: the new value stays for
    every test that runs later, so results depend on test order. A factory-boy factory
    rebound to each test's session keeps the last one, often closed or rolled back, for
    whoever uses it next.

    ## Example
    ```python
    from app import settings

    def test_debug_page(client):
        settings.DEBUG = True
        assert "Traceback" in client.get("/boom").text
    ```
    Use instead:
    ```python
    from app import settings

    def test_debug_page(client, monkeypatch):
        monkeypatch.setattr(settings, "DEBUG", True)
        assert "Traceback" in client.get("/boom").text
    ```

    ## References
    - pytest, "How to monkeypatch/mock modules and environments":
      <https://docs.pytest.org/en/stable/how-to/monkeypatch.html>
    """

    code = "TA302"
    name = "module-attribute-assignment"
    category = "isolation"

    VALID = (
        Valid(
            "from app import settings\nfrom unittest import mock\n\n"
            "def test_a(monkeypatch):\n    monkeypatch.setattr(settings, 'DEBUG', True)\n\n"
            "def test_b():\n    with mock.patch.object(settings, 'DEBUG', True):\n"
            "        settings.DEBUG = False\n\n"
            "def test_c():\n    settings = object()\n    settings.x = 1\n",
            files={"app/__init__.py": "", "app/settings.py": "DEBUG = False\n"},
        ),
        Valid(
            "import pytest\nfrom app import settings\n\n@pytest.fixture\ndef debug():\n"
            "    old = settings.DEBUG\n    settings.DEBUG = True\n    yield\n"
            "    settings.DEBUG = old\n\n"
            "class TestX:\n    def setup_method(self):\n        self.saved = settings.URL\n"
            "        settings.URL = 'http://test'\n\n    def teardown_method(self):\n"
            "        settings.URL = self.saved\n\n    def test_x(self, debug):\n"
            "        assert settings.URL\n",
            files={"app/__init__.py": "", "app/settings.py": "DEBUG = False\nURL = ''\n"},
        ),
    )
    INVALID = (
        Invalid(
            "from app import settings\nimport app.config as config\n\n"
            "def test_debug():\n    settings.DEBUG = True\n    assert settings.DEBUG\n\n"
            "def test_url():\n    setattr(config, 'API_URL', 'http://test')\n",
            files={"app/__init__.py": "", "app/settings.py": "", "app/config.py": ""},
            at=("test_example.py:5:5", "test_example.py:9:5"),
            message="test `test_debug` assigns `settings.DEBUG`",
        ),
        Invalid(
            files={
                "conftest.py": "import pytest\nfrom factories import UserFactory\n\n"
                "@pytest.fixture\ndef db(session_factory):\n    session = session_factory()\n"
                "    UserFactory._meta.sqlalchemy_session = session\n    try:\n"
                "        yield session\n    finally:\n        session.rollback()\n\n"
                "@pytest.fixture\ndef session_factory():\n    return object\n",
                "factories.py": "class UserFactory:\n    pass\n",
                "test_a.py": "def test_a(db):\n    assert db\n",
            },
            at=("conftest.py:7:5",),
            message="fixture `db` rebinds `UserFactory._meta.sqlalchemy_session`",
        ),
    )

    def __init__(self) -> None:
        self.analysis = AnalysisCache(classify, strict=True)

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file) or not _may_assign(file):
            return
        analysis = self.analysis(file.suite)
        for view in file.functions:
            for write in analysis.unrestored(file, view):
                yield self.at(file, write.node, _message(view, write))


def _message(view: FunctionView, write: Write) -> str:
    owner, _, attr = write.text.rpartition(".")
    if attr in FACTORY_SESSION:
        return (
            f"{where(view)} rebinds `{write.text}` to its own session and never restores "
            "it: the factory keeps the last test's session (closed or rolled back) for "
            "every later use; bind it once in a session-scoped fixture, or give the "
            "factory a `sqlalchemy_session_factory`"
        )
    if view.kind == "test":
        instead = f'use `monkeypatch.setattr({owner}, "{attr}", ...)`'
    else:
        instead = f'{restore_hint(view)}, or use `monkeypatch.setattr({owner}, "{attr}", ...)`'
    return (
        f"{where(view)} assigns `{write.text}` on the imported `{owner.split('.')[0]}` and "
        f"never restores it: every later test sees the new value; {instead}"
    )
