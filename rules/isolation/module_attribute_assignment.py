"""TA302 module-attribute-assignment."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditor.api import FileView, Finding, FunctionView, Invalid, Rule, SuiteView, Valid

from ._common import AnalysisCache, checked, restore_hint, restored_on_success, where
from ._owned import OwnedModules
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
    (after the fixture's `yield`, in a `finally`, in a finalizer or a teardown). A test
    that puts the old value back on its last lines, after its assertions, restores it
    only when they pass: that is reported too.

    Not reported: an attribute of a module of the project that belongs to the tests
    setting it (each function of the suite using the module imports it itself and sets
    the attribute before reading anything else from it, and no other file of the project
    imports it, except modules that in turn belong to those tests, such as the example's
    `app.py` doing `from .database import engine`, each run only after the attribute is
    set), as when each test points an example script's `engine` at a new in-memory
    database before running it: no one reads the leaked value. Nor a test's
    own cleanup lines (`Base.metadata.bind = None` among the closing `close()` /
    `dispose()` calls of the test).

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
        # restored in a finally, or before the test's checks
        Valid(
            "from app import settings, views\n\n"
            "def test_a():\n    old = settings.DEBUG\n    settings.DEBUG = True\n"
            "    try:\n        assert views.render()\n    finally:\n"
            "        settings.DEBUG = old\n\n"
            "def test_b():\n    old = settings.DEBUG\n    settings.DEBUG = True\n"
            "    page = views.render()\n    settings.DEBUG = old\n    assert page\n",
            files={"app/__init__.py": "", "app/settings.py": "", "app/views.py": ""},
        ),
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
        # an example script only its own tests import, each pointing it at a new
        # database before running it: no other test reads the leaked engine
        Valid(
            files={
                "docs_src/__init__.py": "",
                "docs_src/tutorial001.py": "engine = None\nurl = 'sqlite:///db'\n\n"
                "def main():\n    return engine\n",
                "tests/test_tutorial001.py": "from sqlmodel import create_engine\n\n"
                "def test_tutorial():\n    from docs_src import tutorial001 as mod\n\n"
                "    mod.url = 'sqlite://'\n    mod.engine = create_engine(mod.url)\n"
                "    assert mod.main()\n\n"
                "def test_again():\n    from docs_src import tutorial001 as mod\n\n"
                "    mod.url = 'sqlite://'\n    mod.engine = create_engine(mod.url)\n"
                "    assert mod.main()\n",
            }
        ),
        # an example package whose app module imports the database module: both belong
        # to the one test that sets the engine before running the app
        Valid(
            files={
                "docs_src/__init__.py": "",
                "docs_src/tut/__init__.py": "",
                "docs_src/tut/database.py": "url = 'sqlite:///db'\nengine = None\n\n"
                "def create_all():\n    return engine\n",
                "docs_src/tut/app.py": "from .database import create_all, engine\n\n"
                "def main():\n    create_all()\n    return engine\n",
                "tests/test_tut.py": "from sqlmodel import create_engine\n\n"
                "def test_tutorial():\n    from docs_src.tut import app, database\n\n"
                "    database.url = 'sqlite://'\n"
                "    database.engine = create_engine(database.url)\n"
                "    app.engine = database.engine\n    assert app.main()\n",
            }
        ),
        # the test's own cleanup lines at its end, after new engines it made itself
        Valid(
            "import sqlalchemy\nfrom models import Base\n\n"
            "def test_engines(url):\n    eng = sqlalchemy.create_engine(url)\n"
            "    assert eng\n    eng.dispose()\n    Base.metadata.bind = None\n",
            files={"models.py": "class Base:\n    pass\n"},
        ),
    )
    INVALID = (
        # the same script, but another test reads the engine without setting it
        Invalid(
            files={
                "docs_src/__init__.py": "",
                "docs_src/tutorial001.py": "engine = None\n\ndef main():\n    return engine\n",
                "tests/test_a.py": "def test_a():\n    from docs_src import tutorial001 as mod\n"
                "    mod.engine = object()\n    assert mod.main()\n",
                "tests/test_b.py": "from docs_src import tutorial001\n\n"
                "def test_b():\n    assert tutorial001.main() is None\n",
            },
            at=("tests/test_a.py:3:5",),
            message="test `test_a` assigns `mod.engine`",
        ),
        # the example's app module, which reads the database module, is run by another
        # test that sets nothing: it runs on the leaked engine
        Invalid(
            files={
                "docs_src/__init__.py": "",
                "docs_src/tut/__init__.py": "",
                "docs_src/tut/database.py": "engine = None\n",
                "docs_src/tut/app.py": "from .database import engine\n\n"
                "def main():\n    return engine\n",
                "tests/test_a.py": "def test_a():\n    from docs_src.tut import app, database\n"
                "    database.engine = object()\n    assert app.main() is None\n",
                "tests/test_b.py": "def test_b():\n    from docs_src.tut import app\n"
                "    assert app.main() is None\n",
            },
            at=("tests/test_a.py:3:5",),
            message="test `test_a` assigns `database.engine`",
        ),
        # application code imports the module: it reads the leaked value
        Invalid(
            files={
                "app/__init__.py": "",
                "app/settings.py": "DEBUG = False\n",
                "app/views.py": "from app import settings\n\n"
                "def page():\n    return settings.DEBUG\n",
                "tests/test_a.py": "from app import views\n\ndef test_a():\n"
                "    from app import settings\n    settings.DEBUG = True\n"
                "    assert views.page()\n",
            },
            at=("tests/test_a.py:5:5",),
            message="test `test_a` assigns `settings.DEBUG`",
        ),
        # set at the start and put back at the end: a cleanup only if nothing fails
        # in between is not the pattern above; a None set before the test's work is a
        # change
        Invalid(
            "from models import Base\n\ndef test_unbound():\n"
            "    Base.metadata.bind = None\n    assert Base.query()\n",
            files={"models.py": "class Base:\n    pass\n"},
            at=("test_example.py:4:5",),
            message="test `test_unbound` assigns `Base.metadata.bind`",
        ),
        # put back at the end, but only when the checks in between pass
        Invalid(
            "from app import settings, views\n\ndef check(page):\n    assert page\n\n"
            "def test_debug():\n    old = settings.DEBUG\n    settings.DEBUG = True\n"
            "    check(views.render())\n    settings.DEBUG = old\n",
            files={"app/__init__.py": "", "app/settings.py": "", "app/views.py": ""},
            at=("test_example.py:8:5",),
            message="puts it back only at line 10",
        ),
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
        self._owned_modules: OwnedModules | None = None

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file) or not _may_assign(file):
            return
        analysis = self.analysis(file.suite)
        owned = self._owned(file.suite)
        for view in file.functions:
            for write in analysis.unrestored(file, view):
                if view.kind == "test" and _trailing_cleanup(view, write):
                    continue
                if write.key is not None and owned.owned(write.key):
                    continue
                if write.restored_at is not None:
                    owner, _, attr = write.text.rpartition(".")
                    instead = f'use `monkeypatch.setattr({owner}, "{attr}", ...)`'
                    yield self.at(file, write.node, restored_on_success(view, write, instead))
                    continue
                yield self.at(file, write.node, _message(view, write))

    def _owned(self, suite: SuiteView) -> OwnedModules:
        if self._owned_modules is None or self._owned_modules.suite is not suite:
            self._owned_modules = OwnedModules(suite)
        return self._owned_modules


CLEANUP_CALLS = frozenset(
    {"close", "dispose", "clear", "reset", "remove", "rollback", "stop", "drop_all", "shutdown"}
)


def _cleanup_statement(statement: ast.stmt) -> bool:
    """``x.attr = None`` or a call such as ``session.close()``."""
    if isinstance(statement, ast.Assign):
        return isinstance(statement.value, ast.Constant) and statement.value.value is None
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in CLEANUP_CALLS
    return False


def _trailing_cleanup(view: FunctionView, write: Write) -> bool:
    """A test's own cleanup lines: the write sets the attribute to None among the last
    statements of the test, all of them cleanup (``None`` assignments, ``close()``,
    ``dispose()``...), after the test's work. It unbinds what the test bound; it does
    not change the state for later tests."""
    body = view.node.body
    index = next((i for i, s in enumerate(body) if s is write.node), None)
    if index is None or index == 0 or not _cleanup_statement(body[index]):
        return False
    return all(_cleanup_statement(s) for s in body[index:])


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
