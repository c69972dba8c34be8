"""TA307 hard-coded-id."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from auditor.api import (
    FileView,
    Finding,
    FunctionView,
    Invalid,
    Rule,
    Scope,
    SuiteView,
    Valid,
    walk_local,
)

from ._common import checked, where

ID_KEYWORDS = frozenset({"id", "pk", "uuid"})
ID_TEXT = re.compile(r"[(,]\s*(?:id|pk|uuid)\s*=\s*(?:-?\d|['\"][0-9a-fA-F]{8}|(?:uuid\.)?UUID\()")
UUID_TEXT = re.compile(
    r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)
CREATE_METHODS = frozenset({"create", "create_batch", "get_or_create", "update_or_create"})
SESSION_METHODS = frozenset({"add", "merge"})
BULK_METHODS = frozenset({"add_all", "bulk_save_objects", "bulk_insert_mappings"})
SESSION_WORDS = ("session", "db", "database", "conn", "transaction", "tx", "uow")
SQL_INSERTS = frozenset({"sqlalchemy.insert", "sqlalchemy.sql.insert", "sqlmodel.insert"})
MEMORY_DATABASE = re.compile(r"""["']sqlite(?:\+\w+)?://(?:/:memory:)?["']|:memory:""")
"""An in-memory SQLite URL (``sqlite://``, ``sqlite:///:memory:``) or path."""
SQL_INSERT_SUFFIXES = (".dialects.postgresql.insert", ".dialects.sqlite.insert")


def _literal_id(value: ast.AST, file: FileView) -> str | None:
    """The literal an id keyword is given: an int, a UUID-looking string, or
    ``uuid.UUID("...")``; None for anything else."""
    if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
        value = value.operand
    if isinstance(value, ast.Constant):
        if isinstance(value.value, int) and not isinstance(value.value, bool):
            return repr(value.value)
        if isinstance(value.value, str) and UUID_TEXT.fullmatch(value.value):
            return repr(value.value)
        return None
    if (
        isinstance(value, ast.Call)
        and file.qualified(value.func) == "uuid.UUID"
        and value.args
        and isinstance(value.args[0], ast.Constant)
        and isinstance(value.args[0].value, str)
    ):
        return ast.unparse(value)
    return None


def _function_text(suite: SuiteView, path: str, line: int) -> str:
    """The code of the def at `line` of `path` ("" when it cannot be found)."""
    file = suite.file(path)
    if file is None:
        return ""
    node = file.parsed.def_at(line)
    return "" if node is None else file.statement_text(node)


def _fresh(text: str) -> bool:
    """Code that gives its user a database of its own: a new in-memory SQLite database,
    or the tables created and dropped again around the user."""
    return bool(MEMORY_DATABASE.search(text)) or ("create_all" in text and "drop_all" in text)


def _fresh_database(file: FileView, view: FunctionView) -> bool:
    """Whether every run of `view` gets a database no other test shares: the test (or
    fixture) itself, or one of the function-scoped fixtures it gets, makes a new
    in-memory database or creates and drops the tables. A fixed key cannot collide
    with another test's rows there."""
    if _fresh(file.statement_text(view.node)):
        return True
    suite = file.suite
    if view.test is not None:
        definitions = suite.closure(view.test)
    elif view.fixture is not None:
        known = suite.resolution.definitions
        pending, seen = [view.fixture.key], set()
        definitions = []
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            for edge in suite.resolution.requests(key):
                if edge.target in known and edge.target not in seen:
                    definitions.append(known[edge.target])
                    pending.append(edge.target)
    else:
        return False
    return any(
        d.scope is Scope.FUNCTION and _fresh(_function_text(suite, d.path, d.line))
        for d in definitions
    )


DJANGO_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences"})
"""pytest-django's fixtures that give a test the test database, emptied after it."""


def _django_test_class(file: FileView, cls: ast.ClassDef, depth: int = 0) -> bool:
    """Whether `cls` derives (through the project's own classes) from a Django test case
    (`django.test.TestCase`, `TransactionTestCase`, DRF's `APITestCase`)."""
    if depth > 4:
        return False
    for base in cls.bases:
        qualified = file.qualified(base) or ""
        if qualified.startswith(("django.", "rest_framework.")) and qualified.endswith("TestCase"):
            return True
        if isinstance(base, ast.Name):
            found = file.class_named(base.id)
            if found is not None and _django_test_class(found[0], found[1], depth + 1):
                return True
    return False


def _django_database(file: FileView, view: FunctionView) -> bool:
    """Whether `view` runs against Django's test database: a method (or `setUp`) of a
    Django test case, or a test or fixture that requests pytest-django's `db`. Django
    makes that database for the run (one per xdist worker) and rolls back or empties it
    after each test, so a fixed key cannot meet another test's row."""
    if view.cls is not None and _django_test_class(file, view.cls):
        return True
    return bool(DJANGO_DATABASE_FIXTURES.intersection(view.params))


def _receiver_text(call: ast.Call) -> str:
    assert isinstance(call.func, ast.Attribute)
    return ast.unparse(call.func.value).lower()


def _insert_kind(call: ast.Call, file: FileView) -> str | None:
    """What stores rows: ``session.add``/``add_all``/``merge``/``bulk_*``, ``insert()``
    and ``execute(insert(...))``, ``Model.objects.create`` / ``Factory.create``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        method = func.attr
        if method in BULK_METHODS:
            return f"{method}()"
        if method in SESSION_METHODS and any(w in _receiver_text(call) for w in SESSION_WORDS):
            return f"{method}()"
        if method in CREATE_METHODS and _creates_rows(call):
            return f"{method}()"
        if method == "insert" and not call.args:
            return "insert()"
        if method == "values" and _is_insert(func.value, file):
            return "insert()"
    if _is_insert(call, file):
        return "insert()"
    return None


def _creates_rows(call: ast.Call) -> bool:
    """``Model.objects.create`` (Django managers) and factory ``.create``."""
    receiver = _receiver_text(call)
    return receiver.split(".")[-1] == "objects" or "factory" in receiver


def _is_insert(node: ast.AST, file: FileView) -> bool:
    if isinstance(node, ast.Call):
        name = file.qualified(node.func) or ""
        if name in SQL_INSERTS or name.endswith(SQL_INSERT_SUFFIXES):
            return True
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "insert" and not node.args:
            return True
        if isinstance(func, ast.Attribute) and func.attr in ("values", "returning"):
            return _is_insert(func.value, file)
    return False


def _factory_call(call: ast.Call) -> bool:
    """``UserFactory(id=1)``: factory-boy classes create rows when called."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return isinstance(name, str) and name.endswith("Factory") and name[:1].isupper()


class HardCodedId(Rule):
    """
    ## What it does
    Finds tests and fixtures that store rows with literal primary keys: a call with
    `id=`, `pk=` or `uuid=` given an integer, a UUID-looking string or
    `uuid.UUID("...")`, when the object goes into `session.add` / `add_all` / `merge`
    / `bulk_save_objects`, an `insert(...)`, a `.create(...)` or a factory-boy factory.

    Not reported: tests and fixtures whose database is their own, where the function
    itself or a function-scoped fixture it gets makes a new in-memory SQLite database
    (`sqlite://`, `:memory:`) or creates and drops the tables around each test; nor
    tests of a Django test case (`django.test.TestCase`, `TransactionTestCase`, through
    the project's own base classes) or requesting pytest-django's `db`: Django makes
    the test database for the run and empties it after each test.

    ## Why is this bad?
    Fixed keys only work while exactly one test owns the table. Under pytest-xdist,
    with a shared database, or after a commit that escaped the rollback, two tests (or
    two runs) insert the same key and fail with a unique violation that depends on
    timing and order.

    ## Example
    ```python
    @pytest.fixture
    def workspace(db_session):
        workspace = Workspace(id=uuid.UUID("00000000-0000-0000-0000-000000000001"))
        db_session.add(workspace)
        db_session.flush()
        return workspace
    ```
    Use instead:
    ```python
    @pytest.fixture
    def workspace(db_session):
        workspace = Workspace(name="Test workspace")
        db_session.add(workspace)
        db_session.flush()
        return workspace
    ```
    """

    code = "TA307"
    cache_scope = "file"
    name = "hard-coded-id"
    category = "isolation"

    VALID = (
        Valid(
            "import uuid\n\ndef test_a(db_session):\n"
            "    user = User(id=uuid.uuid4(), name='a')\n    db_session.add(user)\n"
            "    db_session.flush()\n    assert user.id\n\n"
            "def test_b():\n    user = User(id=7)\n    assert user.id == 7\n"
        ),
        Valid(
            "def test_a(db_session, items):\n    items.add(Item(id=1))\n"
            "    db_session.add(Item(name='x'))\n    lookup = db_session.get(Item, 1)\n"
            "    assert lookup is None\n"
        ),
        # a new in-memory database, or tables created and dropped, for every test
        Valid(
            files={
                "conftest.py": "import pytest\n\n@pytest.fixture\ndef session():\n"
                "    engine = create_engine('sqlite://')\n    yield Session(engine)\n\n"
                "@pytest.fixture\ndef tables(engine):\n    Base.metadata.create_all(engine)\n"
                "    yield Session(engine)\n    Base.metadata.drop_all(engine)\n",
                "test_a.py": "def test_a(session):\n    session.add(User(id=1))\n\n"
                "def test_b(tables):\n    tables.add(User(id=1))\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            "import uuid\n\nimport pytest\n\n@pytest.fixture\nasync def workspace_1(db_session):\n"
            "    workspace = Workspace(\n"
            "        id=uuid.UUID('00000000-0000-0000-0000-000000000001'),\n"
            "        name='Test Workspace 1',\n    )\n    db_session.add(workspace)\n"
            "    await db_session.commit()\n    return workspace\n\n"
            "def test_a(workspace_1):\n    assert workspace_1\n",
            at=("test_example.py:8:9",),
            message="fixture `workspace_1` stores a row with the fixed key "
            "`id=uuid.UUID('00000000-0000-0000-0000-000000000001')`",
        ),
        Invalid(
            "from sqlalchemy import insert\n\ndef test_a(session):\n"
            "    session.add_all([User(id=1), User(id=2)])\n"
            "    session.execute(insert(Order).values(id=10, user_id=1))\n"
            "    UserFactory(pk=3)\n"
            "    Order.objects.create(uuid='1b4e28ba-2fa1-11d2-883f-0016d3cca427')\n",
            at=(
                "test_example.py:4:27",
                "test_example.py:4:39",
                "test_example.py:5:42",
                "test_example.py:6:17",
                "test_example.py:7:26",
            ),
            message="test `test_a` stores a row with the fixed key `id=1`",
        ),
        # the in-memory database is session-scoped: shared by every test
        Invalid(
            files={
                "conftest.py": "import pytest\n\n@pytest.fixture(scope='session')\n"
                "def session():\n    engine = create_engine('sqlite://')\n"
                "    yield Session(engine)\n",
                "test_a.py": "def test_a(session):\n    session.add(User(id=1))\n",
            },
            at=("test_a.py:2:22",),
            message="test `test_a` stores a row with the fixed key `id=1`",
        ),
    )

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file) or not ID_TEXT.search(file.text):
            return
        for view in file.functions:
            if view.kind in ("test", "fixture") or (
                view.kind == "xunit" and "setup" in view.name.lower()
            ):
                yield from self._check(file, view)

    def _check(self, file: FileView, view: FunctionView) -> Iterator[Finding]:
        if _fresh_database(file, view) or _django_database(file, view):
            return
        nodes = list(walk_local(view.node))
        stored: dict[int, str] = {}
        stored_names: dict[str, str] = {}
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            kind = _insert_kind(node, file) or ("create()" if _factory_call(node) else None)
            if kind is None:
                continue
            stored[id(node)] = kind
            for inner in (*node.args, *(k.value for k in node.keywords)):
                for part in ast.walk(inner):
                    if isinstance(part, ast.Call):
                        stored.setdefault(id(part), kind)
                    elif isinstance(part, ast.Name):
                        stored_names.setdefault(part.id, kind)
        assigned: dict[int, str] = {}
        for node in nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Call):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        assigned[id(node.value)] = target.id
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            kind = stored.get(id(node))
            if kind is None and id(node) in assigned:
                kind = stored_names.get(assigned[id(node)])
            if kind is None:
                continue
            for keyword in node.keywords:
                if keyword.arg not in ID_KEYWORDS:
                    continue
                literal = _literal_id(keyword.value, file)
                if literal is None:
                    continue
                yield self.at(
                    file,
                    keyword,
                    f"{where(view)} stores a row with the fixed key `{keyword.arg}={literal}` "
                    f"(through `{kind}`): it collides with any other test or worker that "
                    "inserts the same key into a shared database; let the database assign "
                    "the key (or use `uuid.uuid4()`) and read it back from the object",
                )
