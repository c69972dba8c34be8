"""TA304 app-state-leak."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from auditor.api import FileView, Finding, FunctionView, Invalid, Rule, Valid

from ._common import AnalysisCache, checked, restored_on_success, where
from ._patchers import patch_function
from ._writes import Context, Role, Write, literal_key

OVERRIDES = "dependency_overrides"
MIDDLEWARE = "middleware"
RESTORING_METHODS = frozenset({"clear", "pop", "popitem"})
LIST_ADDS = frozenset({"append", "insert", "extend"})
LIST_REMOVES = frozenset({"remove", "pop", "clear"})


def _overrides_of(node: ast.AST) -> ast.expr | None:
    """`X` for ``X.dependency_overrides``."""
    if isinstance(node, ast.Attribute) and node.attr == OVERRIDES:
        return node.value
    return None


def _base(node: ast.AST) -> ast.Name | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node if isinstance(node, ast.Name) else None


def _shared_app(node: ast.AST, ctx: Context) -> bool:
    """An app imported into the file (a module-level object every test shares)."""
    base = _base(node)
    return base is not None and ctx.is_global(base.id)


def _user_middleware(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "user_middleware"


def classify(node: ast.AST, ctx: Context) -> Iterator[Write]:
    yield from _overrides(node, ctx)
    yield from _middleware(node, ctx)


def _overrides(node: ast.AST, ctx: Context) -> Iterator[Write]:
    """Writes to ``X.dependency_overrides``. Changes count only on a module-level app
    (not one the function builds or receives as an argument); restores count on any."""

    def reads(n: ast.AST) -> bool:
        return _overrides_of(n) is not None

    def write(owner: ast.expr, key: str | None, role: Role, text: str) -> Iterator[Write]:
        base = _base(owner)
        if role != "change" or (base is not None and base.id not in ctx.local_names):
            yield Write(node, OVERRIDES, key, role, text)

    if isinstance(node, (ast.Assign, ast.Delete)):
        value = node.value if isinstance(node, ast.Assign) else None
        for target in node.targets:
            owner = _overrides_of(target.value if isinstance(target, ast.Subscript) else target)
            if owner is None:
                continue
            if isinstance(target, ast.Subscript):
                role: Role = "restore" if isinstance(node, ast.Delete) else "change"
                yield from write(owner, literal_key(target.slice), role, ast.unparse(target))
                continue
            empty = isinstance(value, ast.Dict) and not value.keys
            empty |= (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id == "dict"
                and not value.args
                and not value.keywords
            )
            saved = empty or ctx.uses_saved(value, reads, OVERRIDES)
            yield from write(owner, None, "restore" if saved else "change", ast.unparse(target))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method = node.func.attr
        owner = _overrides_of(node.func.value)
        if owner is not None:
            text = f"{ast.unparse(node.func)}()"
            key = node.args[0] if method in ("pop", "setdefault") and node.args else None
            if method in RESTORING_METHODS:
                yield from write(owner, literal_key(key), "restore", text)
            elif method == "update":
                saved = any(ctx.uses_saved(a, reads, OVERRIDES) for a in node.args)
                yield from write(owner, None, "restore" if saved else "change", text)
            elif method == "setdefault":
                yield from write(owner, literal_key(key), "change", text)
        elif (
            patch_function(ctx.file, node) == "patch.dict"
            and node.args
            and _overrides_of(node.args[0]) is not None
        ):
            yield Write(node, OVERRIDES, None, "context")


def _middleware(node: ast.AST, ctx: Context) -> Iterator[Write]:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method, owner = node.func.attr, node.func.value
        if method == "add_middleware" and _shared_app(owner, ctx):
            yield Write(node, MIDDLEWARE, None, "change", f"{ast.unparse(node.func)}()")
        elif _user_middleware(owner) and _shared_app(owner, ctx):
            text = f"{ast.unparse(node.func)}()"
            if method in LIST_ADDS:
                yield Write(node, MIDDLEWARE, None, "change", text)
            elif method in LIST_REMOVES:
                yield Write(node, MIDDLEWARE, None, "restore", text)
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        for decorator in node.decorator_list:
            func = decorator.func if isinstance(decorator, ast.Call) else decorator
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "middleware"
                and _shared_app(func.value, ctx)
            ):
                yield Write(decorator, MIDDLEWARE, None, "change", f"@{ast.unparse(func)}")
    elif isinstance(node, (ast.Assign, ast.Delete)):
        for target in node.targets:
            inner = target.value if isinstance(target, ast.Subscript) else target
            if _user_middleware(inner) and _shared_app(inner, ctx):
                yield Write(node, MIDDLEWARE, None, "restore", ast.unparse(target))


class AppStateLeak(Rule):
    """
    ## What it does
    Finds tests and fixtures that change a shared web app and leave it changed:
    `app.dependency_overrides[dep] = override` (or `.update(...)`) with no `.clear()`,
    `pop` or `del` after the fixture's `yield` / in a `finally`, and middleware added
    (`app.add_middleware(...)`, `@app.middleware(...)`, `app.user_middleware.append`) to
    an app imported from the application module.

    ## Why is this bad?
    The app object is imported once and shared by every test of the session. A
    dependency override left behind makes later tests talk to a previous test's
    database session or fake; added middleware cannot be removed at all, so every later
    test runs through it.

    ## Example
    ```python
    from app.main import app

    @pytest.fixture
    def client(db_session):
        app.dependency_overrides[get_db] = lambda: db_session
        app.add_middleware(InjectSessionMiddleware, session=db_session)
        return TestClient(app)
    ```
    Use instead:
    ```python
    from app.main import create_app

    @pytest.fixture
    def client(db_session):
        app = create_app()
        app.dependency_overrides[get_db] = lambda: db_session
        app.add_middleware(InjectSessionMiddleware, session=db_session)
        with TestClient(app) as test_client:
            yield test_client
        app.dependency_overrides.clear()
    ```

    ## References
    - FastAPI, "Testing Dependencies with Overrides":
      <https://fastapi.tiangolo.com/advanced/testing-dependencies/>
    """

    code = "TA304"
    cache_scope = "file"
    name = "app-state-leak"
    category = "isolation"

    VALID = (
        Valid(
            "import pytest\nfrom app.main import app, get_db, create_app\n\n@pytest.fixture\n"
            "def client(db):\n    app.dependency_overrides[get_db] = lambda: db\n"
            "    yield app\n    app.dependency_overrides.clear()\n\n"
            "@pytest.fixture\ndef fresh_app():\n    fresh = create_app()\n"
            "    fresh.add_middleware(object)\n    return fresh\n\n"
            "@pytest.fixture\ndef db():\n    return 1\n\n"
            "def test_a(client):\n    client.dependency_overrides[get_db] = lambda: 2\n\n"
            "def test_b():\n    local = create_app()\n"
            "    local.dependency_overrides[get_db] = lambda: 3\n",
            files={"app/__init__.py": "", "app/main.py": ""},
        ),
        Valid(
            "import pytest\nfrom app.main import app, get_db\n\n@pytest.fixture\n"
            "def client():\n    app.dependency_overrides[get_db] = lambda: 1\n"
            "    app.add_middleware(object)\n    yield app\n"
            "    app.user_middleware = [m for m in app.user_middleware if m.cls is not object]\n"
            "    app.middleware_stack = None\n    del app.dependency_overrides[get_db]\n\n"
            "def test_b():\n    try:\n        app.dependency_overrides.update({get_db: 1})\n"
            "    finally:\n        app.dependency_overrides = {}\n",
            files={"app/__init__.py": "", "app/main.py": ""},
        ),
    )
    INVALID = (
        Invalid(
            "import pytest\nfrom app.main import app, get_db, get_gateway\n\n@pytest.fixture\n"
            "def checkout_client(db_session, gateway):\n"
            "    app.dependency_overrides[get_db] = lambda: db_session\n"
            "    app.dependency_overrides[get_gateway] = lambda: gateway\n"
            "    yield app\n    del app.dependency_overrides[get_db]\n",
            files={"app/__init__.py": "", "app/main.py": ""},
            at=("test_example.py:7:5",),
            message="fixture `checkout_client` sets `app.dependency_overrides[get_gateway]`",
        ),
        Invalid(
            "import pytest\nfrom app.main import app\n\n@pytest.fixture\ndef client():\n"
            "    app.add_middleware(object)\n    yield app\n\n"
            "def test_timing():\n    @app.middleware('http')\n"
            "    async def timing(request, call_next):\n        return await call_next(request)\n",
            files={"app/__init__.py": "", "app/main.py": ""},
            at=("test_example.py:6:5", "test_example.py:10:6"),
            message="fixture `client` adds middleware to the imported app `app`",
        ),
    )

    def __init__(self) -> None:
        self.analysis = AnalysisCache(classify)

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file, "dependency_overrides", "middleware"):
            return
        analysis = self.analysis(file.suite)
        for view in file.functions:
            for write in analysis.unrestored(file, view):
                if write.restored_at is not None:
                    yield self.at(file, write.node, restored_on_success(view, write))
                    continue
                yield self.at(file, write.node, _message(view, write))


def _message(view: FunctionView, write: Write) -> str:
    if write.kind == MIDDLEWARE:
        owner = write.text.lstrip("@").split(".")[0]
        return (
            f"{where(view)} adds middleware to the imported app `{owner}` "
            f"(`{write.text}`): middleware cannot be taken off a shared app, so every "
            "later test runs through it; build the app per test with a factory "
            "(`create_app()`) and add the middleware there"
        )
    owner = write.text.split(f".{OVERRIDES}")[0]
    when = "after `yield`" if view.kind == "fixture" else "in a `finally` (or a teardown)"
    return (
        f"{where(view)} sets `{write.text}` and never clears it: the override stays on "
        f"the shared app for every later test; call `{owner}.{OVERRIDES}.clear()` (or "
        f"`del` the key) {when}"
    )
