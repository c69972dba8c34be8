"""TA305 commit-in-rollback-session."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.api import (
    FileView,
    Finding,
    FixtureDef,
    FunctionView,
    Invalid,
    Rule,
    SuiteView,
    Valid,
    walk_local,
)

from ._common import AnalysisCache, checked, where
from ._state import StateAnalysis
from ._syntax import call_name, first_yield, in_finally, parents_of
from ._writes import Context, Write

ROLLBACK_FIXTURE = """\
import pytest

from app.db import Session, engine


@pytest.fixture
def db_session():
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection)
    yield session
    session.close()
    transaction.rollback()
    connection.close()
"""


CLEANUPS = frozenset({"commit", "drop_all", "delete", "truncate", "flushdb", "flushall"})
CLEANUP_SQL = re.compile(r"\b(?:TRUNCATE|DELETE\s+FROM|DROP\s+(?:TABLE|SCHEMA|DATABASE))\b", re.I)
"""A teardown that also deletes or commits does not rely on the rollback alone."""


def _no_writes(node: ast.AST, ctx: Context) -> Iterator[Write]:
    return iter(())


def _calls(function: ast.AST, method: str) -> Iterator[ast.Call]:
    for node in walk_local(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == method
        ):
            yield node


def _receiver(call: ast.Call) -> str | None:
    assert isinstance(call.func, ast.Attribute)
    value = call.func.value
    return value.id if isinstance(value, ast.Name) else None


@dataclass(frozen=True)
class _Isolation:
    """A fixture that isolates tests with a rollback, and the names it hands out."""

    definition: FixtureDef
    how: str


class CommitInRollbackSession(Rule):
    """
    ## What it does
    Finds `session.commit()` (or `await session.commit()`) in a test or fixture when
    `session` is a fixture that isolates tests with a transaction rolled back at
    teardown (`.rollback()` after its `yield` or in a `finally`, or `begin_nested()`),
    and commits inside such a fixture before it hands the session out.

    ## Why is this bad?
    The commit ends the transaction the teardown rollback was meant to undo: the rows
    stay in the database, later tests see them, and unique keys collide when tests
    run again or in parallel. The suite looks isolated and is not.

    ## Example
    ```python
    @pytest.fixture
    def workspace(db_session):
        workspace = Workspace(name="Test")
        db_session.add(workspace)
        db_session.commit()
        return workspace
    ```
    Use instead:
    ```python
    @pytest.fixture
    def workspace(db_session):
        workspace = Workspace(name="Test")
        db_session.add(workspace)
        db_session.flush()
        return workspace
    ```

    ## References
    - SQLAlchemy, "Joining a Session into an External Transaction (such as for test
      suites)":
      <https://docs.sqlalchemy.org/en/20/orm/session_transaction.html#joining-a-session-into-an-external-transaction-such-as-for-test-suites>
    """

    code = "TA305"
    cache_scope = "file"
    name = "commit-in-rollback-session"
    category = "isolation"

    VALID = (
        Valid(
            files={
                "conftest.py": ROLLBACK_FIXTURE,
                "test_a.py": "def test_a(db_session):\n    db_session.add(object())\n"
                "    db_session.flush()\n    assert db_session\n",
            }
        ),
        Valid(
            files={
                "conftest.py": "import pytest\n\nfrom app.db import Session, engine\n\n\n"
                "@pytest.fixture\ndef db_session():\n    connection = engine.connect()\n"
                "    transaction = connection.begin()\n"
                "    session = Session(bind=connection, "
                "join_transaction_mode='create_savepoint')\n"
                "    yield session\n    transaction.rollback()\n\n\n"
                "@pytest.fixture\ndef committed_db():\n    session = Session()\n"
                "    yield session\n    session.close()\n",
                "test_a.py": "def test_a(db_session, committed_db):\n"
                "    db_session.commit()\n    committed_db.commit()\n",
            }
        ),
    )
    INVALID = (
        Invalid(
            files={
                "conftest.py": ROLLBACK_FIXTURE,
                "test_a.py": "import pytest\n\n@pytest.fixture\n"
                "async def workspace(db_session):\n    db_session.add(object())\n"
                "    await db_session.commit()\n    return 1\n\n"
                "def test_a(db_session, workspace):\n    db_session.commit()\n",
            },
            at=("test_a.py:6:5", "test_a.py:10:5"),
            message="fixture `workspace` commits `db_session`",
        ),
        Invalid(
            files={
                "conftest.py": "import pytest\n\nfrom app.db import Session, engine\n\n\n"
                "@pytest.fixture\ndef db_session():\n    connection = engine.connect()\n"
                "    transaction = connection.begin()\n    session = Session(bind=connection)\n"
                "    session.add_all([1, 2])\n    session.commit()\n    try:\n"
                "        yield session\n    finally:\n        transaction.rollback()\n",
                "sub/conftest.py": "import pytest\n\n@pytest.fixture\n"
                "def db_session(db_session):\n    yield db_session\n",
                "sub/test_b.py": "def test_b(db_session):\n    db_session.commit()\n",
            },
            at=("conftest.py:12:5", "sub/test_b.py:2:5"),
            message="fixture `db_session` commits `session` before handing it out",
        ),
    )

    def __init__(self) -> None:
        self.analysis = AnalysisCache(_no_writes)
        self._isolation: dict[tuple[int, str], _Isolation | None] = {}

    def check_file(self, file: FileView) -> Iterator[Finding]:
        if not checked(file, "commit"):
            return
        analysis = self.analysis(file.suite)
        for view in file.functions:
            if view.kind == "fixture" and view.fixture is not None:
                yield from self._own_commits(file, view, analysis)
            if view.kind not in ("test", "fixture"):
                continue
            yielded = first_yield(view.node) if view.kind == "fixture" else None
            parents = parents_of(view.node)
            for call in _calls(view.node, "commit"):
                name = _receiver(call)
                if name is None or name not in view.params or call.args:
                    continue
                if yielded is not None and call.lineno > yielded:
                    continue
                isolation = self._param_isolation(file.suite, analysis, view, name)
                if isolation is None:
                    continue
                source = isolation.definition
                node = parents.get(id(call))
                at = node if isinstance(node, ast.Await) else call
                yield self.at(
                    file,
                    at,
                    f"{where(view)} commits `{name}`, the session of fixture "
                    f"`{source.name}` ({source.path}:{source.line}) that {isolation.how}: the "
                    "commit ends the transaction the rollback was meant to undo, so the rows "
                    f"stay for later tests; use `{name}.flush()`, or bind the session with "
                    '`join_transaction_mode="create_savepoint"` (SQLAlchemy 2.0)',
                )

    def _own_commits(
        self, file: FileView, view: FunctionView, analysis: StateAnalysis
    ) -> Iterator[Finding]:
        """Commits in a rollback fixture before its yield, on what it yields or rolls
        back, or after it began the transaction."""
        assert view.fixture is not None
        isolation = self._isolation_of(file.suite, analysis, view.fixture, ())
        if isolation is None or isolation.definition.key != view.fixture.key:
            return
        function = view.node
        yielded = first_yield(function)
        if yielded is None:
            return
        handed = {
            n.value.id
            for n in walk_local(function)
            if isinstance(n, (ast.Yield, ast.Return)) and isinstance(n.value, ast.Name)
        }
        handed |= {
            name
            for call in _calls(function, "rollback")
            if call.lineno > yielded and (name := _receiver(call)) is not None
        }
        begun = min(
            (c.lineno for m in ("begin", "begin_nested") for c in _calls(function, m)),
            default=None,
        )
        parents = parents_of(function)
        for call in _calls(function, "commit"):
            name = _receiver(call)
            if name is None or name in view.params or call.args or call.lineno > yielded:
                continue
            if name not in handed and (begun is None or call.lineno < begun):
                continue
            node = parents.get(id(call))
            yield self.at(
                file,
                node if isinstance(node, ast.Await) else call,
                f"{where(view)} commits `{name}` before handing it out, and {isolation.how}: "
                "the commit ends the transaction the rollback is meant to undo, so these "
                f"rows stay for every later test; use `{name}.flush()`, or create them once "
                "in a session-scoped fixture",
            )

    def _param_isolation(
        self, suite: SuiteView, analysis: StateAnalysis, view: FunctionView, name: str
    ) -> _Isolation | None:
        if view.test is not None:
            definition = suite.requested(view.test, name)
            candidates = [definition] if definition is not None else []
        elif view.fixture is not None:
            candidates = analysis.dependencies(view.fixture, name)
        else:
            return None
        for candidate in candidates:
            found = self._isolation_of(suite, analysis, candidate, ())
            if found is not None:
                return found
        return None

    def _isolation_of(
        self,
        suite: SuiteView,
        analysis: StateAnalysis,
        definition: FixtureDef,
        seen: tuple[str, ...],
    ) -> _Isolation | None:
        """The fixture that rolls back the session `definition` hands out: itself, or
        for an override that yields its own argument, the fixture behind it."""
        cache_key = (id(suite), definition.key)
        if cache_key in self._isolation:
            return self._isolation[cache_key]
        self._isolation[cache_key] = None
        found: _Isolation | None = None
        located = analysis.locate(definition)
        if located is not None and definition.key not in seen:
            view = located[1]
            how = _rolls_back(view.node)
            if how is not None:
                found = _Isolation(definition, how)
            else:
                for name in _handed_params(view):
                    for dependency in analysis.dependencies(definition, name):
                        found = self._isolation_of(
                            suite, analysis, dependency, (*seen, definition.key)
                        )
                        if found is not None:
                            break
                    if found is not None:
                        break
        self._isolation[cache_key] = found
        return found


def _handed_params(view: FunctionView) -> list[str]:
    """Arguments the fixture yields or returns as they are."""
    return [
        n.value.id
        for n in walk_local(view.node)
        if isinstance(n, (ast.Yield, ast.Return))
        and isinstance(n.value, ast.Name)
        and n.value.id in view.params
    ]


def _rolls_back(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """How the fixture isolates with a rollback; None if it does not, or if commits
    in it only end a savepoint (``join_transaction_mode="create_savepoint"``, the
    restart-savepoint listener)."""
    for node in ast.walk(function):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "join_transaction_mode"
            and not (isinstance(node.value, ast.Constant) and node.value.value == "control_fully")
        ):
            return None
        if isinstance(node, ast.Constant) and node.value == "after_transaction_end":
            return None
    yielded = first_yield(function)
    if yielded is None:
        return None
    for node in walk_local(function):
        if getattr(node, "lineno", 0) <= yielded:
            continue
        if isinstance(node, ast.Call) and call_name(node) in CLEANUPS:
            return None
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and CLEANUP_SQL.search(node.value)
        ):
            return None
    parents = parents_of(function)
    for call in _calls(function, "rollback"):
        if call.lineno > yielded or in_finally(call, parents, function):
            return "rolls back at teardown"
    if any(True for _ in _calls(function, "begin_nested")):
        return "wraps the test in a nested transaction (`begin_nested()`)"
    return None
