"""Shared analysis of the isolation rules: where a test, fixture or xunit setup changes
process-wide state, and whether something puts it back.

A rule describes the state it cares about with a classifier: called on every node of a
function, it returns `Write`s. A write has a `kind` (the piece of state: "environ",
"cwd", an attribute) and a `key` (which entry; None for all of it) and a role:

- "change": the state is changed here; reported unless restored;
- "restore": puts the state back when it runs after the change (teardown, finally);
- "guard": puts the state back at teardown wherever it is called (``monkeypatch.chdir``);
- "context": a context manager or decorator that restores what happens inside it
  (``mock.patch.dict(os.environ)``).

A change is restored by a compatible write (same kind; same key, or the restore's key
None; a change of an unknown key only by a whole restore when the rule is strict):
in a ``finally`` around it, inside a restoring ``with``, later in the same test, after
the ``yield`` of a fixture, in a function registered with ``addfinalizer`` /
``addCleanup`` / ``ExitStack.callback``, in the class's or module's xunit teardown, or in
the teardown of a function-scoped fixture the test requests (directly, through other
fixtures or autouse).

Writes, their roles and the classifiers' `Context` are in `_writes`; where a node sits in
its function (``finally``, ``pytest.raises``, the first ``yield``) in `_syntax`; the calls
of mock patchers and ``monkeypatch`` in `_patchers`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from auditor.api import FileView, FixtureDef, FunctionView, Origin, Scope, SuiteView, walk_local

from ._syntax import (
    TRY_NODES,
    call_name,
    contains,
    failing_points,
    first_yield,
    function_defs,
    module_level,
    named_function,
    parents_of,
    statement_of,
    statements_after,
    yields_inside,
)
from ._writes import (
    ANY_KIND,
    CANDIDATES,
    Context,
    StateClassifier,
    Write,
    compatible,
    real_changes,
)

FINALIZERS = frozenset(
    {"addfinalizer", "addCleanup", "addClassCleanup", "addModuleCleanup", "callback"}
)
TEARDOWNS = frozenset(
    {
        "teardown_method",
        "teardown_function",
        "teardown_class",
        "teardown_module",
        "tearDown",
        "tearDownClass",
        "tearDownModule",
        "asyncTearDown",
    }
)
MODULE_TEARDOWNS = frozenset(
    {"teardown_module", "teardown_function", "tearDownModule", "pytest_unconfigure"}
)
MODULE_TEARDOWNS_CONFTEST = frozenset({"pytest_sessionfinish", "pytest_unconfigure"})
RESTORING_NAME = re.compile(
    r"conserve|restore|preserve|isolat|reset|clean|protect|snapshot|keep|save", re.I
)
"""Decorators and context managers named like these put back whatever their body
changes (``@conserve_mpmath_dps``, ``with preserve_cwd():``); trusted for every kind."""


def is_setup(view: FunctionView) -> bool:
    """Whether `view` is an xunit setup (``setup_method``, ``setUpClass``...)."""
    return view.kind == "xunit" and "setup" in view.name.lower()


@dataclass
class _Scope:
    """What restores changes made in one function."""

    later: list[Write] = field(default_factory=list)
    """Writes that restore when they come after the change (tests, module level)."""
    anywhere: list[Write] = field(default_factory=list)
    """Writes that restore wherever they are (teardown, finalizers, guards)."""


class StateAnalysis:
    """Finds the unrestored changes of one rule's classifier in tests, fixtures and
    xunit setups. One instance per rule run; it caches per fixture."""

    def __init__(
        self,
        suite: SuiteView,
        classify: StateClassifier,
        *,
        strict: bool = False,
        builtin_guards: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.suite = suite
        self.classify = classify
        self.strict = strict
        self.builtin_guards = builtin_guards or {}
        self._fixture_restores: dict[str, list[Write]] = {}

    # -- writes -------------------------------------------------------------------

    def context(self, file: FileView, function: ast.AST | None) -> Context:
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return Context(file, function)
        return Context(file)

    def writes(self, nodes: Iterable[ast.AST], ctx: Context) -> list[Write]:
        classify = self.classify
        return [w for node in nodes if isinstance(node, CANDIDATES) for w in classify(node, ctx)]

    def function_writes(self, file: FileView, function: ast.AST) -> list[Write]:
        return self.writes(walk_local(function), self.context(file, function))

    # -- entry points ---------------------------------------------------------------

    def unrestored(self, file: FileView, view: FunctionView) -> list[Write]:
        """The changes `view` (a test, fixture or xunit setup) leaves behind."""
        if view.kind == "helper" or (view.kind == "xunit" and not is_setup(view)):
            return []
        function = view.node
        ctx = self.context(file, function)
        inner = handed_defs(function, handed_out=view.kind == "fixture")
        writes = self.writes((*walk_local(function), *inner), ctx)
        if not any(w.role == "change" for w in writes):
            return []
        parents = parents_of(function)
        changes = real_changes(writes, parents, function)
        yielded = first_yield(function) if view.kind == "fixture" else None
        if yielded is not None:
            changes = [c for c in changes if getattr(c.node, "lineno", 0) < yielded]
        if not changes:
            return []
        scope = _Scope()
        scope.anywhere.extend(w for w in writes if w.role == "guard")
        scope.anywhere.extend(self._finalized(file, function, view.cls))
        if view.kind == "test":
            scope.later.extend(w for w in writes if w.role != "context")
            scope.anywhere.extend(self._class_and_module_teardown(file, view))
            scope.anywhere.extend(self._test_guards(view))
        elif view.kind == "fixture":
            if yielded is not None:
                scope.anywhere.extend(
                    w
                    for w in writes
                    if w.role != "context" and getattr(w.node, "lineno", 0) > yielded
                )
            scope.anywhere.extend(self._fixture_guards(view.fixture))
        else:  # xunit setup
            scope.anywhere.extend(self._class_and_module_teardown(file, view))
        decorators = [*function.decorator_list, *(view.cls.decorator_list if view.cls else [])]
        if any(_restoring_name(d) for d in decorators):
            return []
        contexts = [w for w in self.writes(decorators, ctx) if w.role == "context"]
        return [
            self._restored_on_success(c, scope, parents)
            for c in changes
            if not self._restored(c, scope, contexts, parents, function, ctx)
        ]

    def module_unrestored(self, file: FileView) -> list[Write]:
        """Changes made at import time of `file` (outside ``if __name__ ==
        "__main__"``) that no later module-level statement or module teardown undoes."""
        nodes = list(module_level(file.tree.body))
        ctx = self.context(file, None)
        writes = self.writes(nodes, ctx)
        parents = file.parsed.parents_by_id()
        changes = real_changes(writes, parents, file.tree)
        if not changes:
            return []
        scope = _Scope(later=[w for w in writes if w.role != "context"])
        names = MODULE_TEARDOWNS | (MODULE_TEARDOWNS_CONFTEST if file.is_conftest else set())
        for node in file.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
                scope.anywhere.extend(self._restoring(self.function_writes(file, node)))
        return [
            self._restored_on_success(c, scope, parents)
            for c in changes
            if not self._restored(c, scope, [], parents, file.tree, ctx)
        ]

    # -- restoring -------------------------------------------------------------------

    def _restored(
        self,
        change: Write,
        scope: _Scope,
        contexts: Sequence[Write],
        parents: dict[int, ast.AST],
        root: ast.AST,
        ctx: Context,
    ) -> bool:
        if any(self._compatible(change, w) for w in (*scope.anywhere, *contexts)):
            return True
        end = statements_after(statement_of(change.node, parents))
        if any(
            not failing_points(root, ctx.file.tree, parents, end, getattr(w.node, "lineno", 0))
            for w in self._later_restores(change, scope, end)
        ):
            return True
        child: ast.AST = change.node
        while id(child) in parents and child is not root:
            parent = parents[id(child)]
            finalbody: list[ast.stmt] = getattr(parent, "finalbody", [])
            if isinstance(parent, TRY_NODES) and not any(contains(s, child) for s in finalbody):
                final = self.writes((n for s in finalbody for n in (s, *walk_local(s))), ctx)
                if any(self._compatible(change, w) for w in self._restoring(final)):
                    return True
            if isinstance(parent, (ast.With, ast.AsyncWith)):
                if any(_restoring_name(i.context_expr) for i in parent.items):
                    return True
                items = self.writes((i.context_expr for i in parent.items), ctx)
                if any(w.role == "context" and self._compatible(change, w) for w in items):
                    return True
            child = parent
        return False

    def _later_restores(self, change: Write, scope: _Scope, end: int) -> list[Write]:
        return [
            w
            for w in scope.later
            if w.node is not change.node
            and getattr(w.node, "lineno", 0) > end
            and self._compatible(change, w)
        ]

    def _restored_on_success(
        self, change: Write, scope: _Scope, parents: dict[int, ast.AST]
    ) -> Write:
        """`change`, with the line of a later restore that only runs when the checks
        between them pass (``x.attr = old`` after an ``assert``)."""
        end = statements_after(statement_of(change.node, parents))
        lines = [getattr(w.node, "lineno", 0) for w in self._later_restores(change, scope, end)]
        return replace(change, restored_at=min(lines)) if lines else change

    def _compatible(self, change: Write, restore: Write) -> bool:
        return compatible(change, restore, strict=self.strict)

    @staticmethod
    def _restoring(writes: Iterable[Write]) -> list[Write]:
        return [w for w in writes if w.role != "context"]

    def _finalized(
        self, file: FileView, function: ast.AST, cls: ast.ClassDef | None
    ) -> list[Write]:
        """Writes of callables registered with addfinalizer/addCleanup/callback and of
        context managers entered into an ExitStack."""
        found: list[Write] = []
        ctx = self.context(file, function)
        for node in walk_local(function):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = call_name(node)
            if name == "enter_context":
                found.extend(
                    Write(w.node, w.kind, w.key, "guard", w.text)
                    for w in self.classify(node.args[0], ctx)
                    if w.role == "context"
                )
            elif name in FINALIZERS:
                found.extend(self._callable_writes(file, function, cls, node, ctx))
        return found

    def _callable_writes(
        self,
        file: FileView,
        function: ast.AST,
        cls: ast.ClassDef | None,
        call: ast.Call,
        ctx: Context,
    ) -> list[Write]:
        target: ast.expr = call.args[0]
        rest: list[ast.expr] = list(call.args[1:])
        if (
            isinstance(target, ast.Call)
            and call_name(target) == "partial"
            and target.args
            and not isinstance(target.args[0], ast.Starred)
        ):
            partial = target
            target, rest = partial.args[0], [*partial.args[1:], *rest]
        if isinstance(target, ast.Lambda):
            return self._restoring(self.writes(ast.walk(target.body), ctx))
        body = named_function(target, function, cls, file.tree)
        if body is not None:
            return self._restoring(self.function_writes(file, body))
        synthetic = ast.Call(func=target, args=list(rest), keywords=list(call.keywords))
        ast.copy_location(synthetic, call)
        synthetic.end_lineno, synthetic.end_col_offset = call.end_lineno, call.end_col_offset
        return [
            Write(w.node, w.kind, w.key, "guard", w.text)
            for w in self.classify(synthetic, ctx)
            if w.role in ("change", "restore")
        ]

    def _class_and_module_teardown(self, file: FileView, view: FunctionView) -> list[Write]:
        found: list[Write] = []
        body = view.cls.body if view.cls is not None else file.tree.body
        for node in function_defs(body):
            if node.name in TEARDOWNS:
                found.extend(self._restoring(self.function_writes(file, node)))
            elif node.name in ("setUp", "setup_method", "asyncSetUp") and view.kind == "test":
                found.extend(self._finalized(file, node, view.cls))
        return found

    # -- guards from fixtures ----------------------------------------------------------

    def _test_guards(self, view: FunctionView) -> list[Write]:
        test = view.test
        if test is None:
            return []
        fixtures = self.suite.resolution.tests.get(test.nodeid)
        names = fixtures.names if fixtures else ()
        found = self._builtin(names)
        for definition in self.suite.closure(test):
            if definition.scope is Scope.FUNCTION:
                found.extend(self.fixture_restores(definition))
        return found

    def _fixture_guards(self, definition: FixtureDef | None) -> list[Write]:
        if definition is None:
            return []
        found: list[Write] = []
        names: list[str] = []
        for other in self.fixture_closure(definition):
            names.append(other.name)
            if other.scope is definition.scope and other.key != definition.key:
                found.extend(self.fixture_restores(other))
        names.extend(definition.argnames)
        found.extend(self._builtin(names))
        return found

    def _builtin(self, names: Iterable[str]) -> list[Write]:
        found: list[Write] = []
        for name in names:
            for kind in self.builtin_guards.get(name, ()):
                found.append(Write(ast.Pass(), kind, None, "guard"))
        return found

    def fixture_restores(self, definition: FixtureDef) -> list[Write]:
        """What the fixture puts back at teardown: writes after its yield, in its
        finalizers, its guards, and context managers its yield is inside."""
        cached = self._fixture_restores.get(definition.key)
        if cached is not None:
            return cached
        found: list[Write] = []
        self._fixture_restores[definition.key] = found
        located = self.locate(definition)
        if located is None:
            return found
        file, view = located
        function = view.node
        ctx = self.context(file, function)
        yielded = first_yield(function)
        for node in walk_local(function):
            if not isinstance(node, CANDIDATES):
                continue
            for write in self.classify(node, ctx):
                after = yielded is not None and getattr(node, "lineno", 0) > yielded
                if write.role == "guard" or (after and write.role != "context"):
                    found.append(write)
        for node in walk_local(function):
            if isinstance(node, (ast.With, ast.AsyncWith)) and yields_inside(node):
                if any(_restoring_name(i.context_expr) for i in node.items):
                    found.append(Write(node, ANY_KIND, None, "guard"))
                items = self.writes((i.context_expr for i in node.items), ctx)
                found.extend(w for w in items if w.role == "context")
        found.extend(self._finalized(file, function, view.cls))
        return found

    def locate(self, definition: FixtureDef) -> tuple[FileView, FunctionView] | None:
        """The code of a fixture defined in the suite (None for installed plugins)."""
        if definition.origin in (Origin.BUILTIN, Origin.PARAM):
            return None
        path = definition.path
        if not path or path.startswith(("/", "..")):
            return None
        file = self.suite.file(path)
        if file is None:
            return None
        for view in file.functions:
            if view.node.lineno == definition.line and view.fixture is not None:
                if view.kind == "helper" and definition.origin is not Origin.XUNIT:
                    view = replace(view, kind="fixture")
                return file, view
        return None

    # -- fixture graph ----------------------------------------------------------------

    def dependencies(self, definition: FixtureDef, name: str) -> list[FixtureDef]:
        """The definitions `definition`'s argument `name` resolves to."""
        known = self.suite.resolution.definitions
        found = [
            known[edge.target]
            for edge in self.suite.resolution.requests(definition.key)
            if edge.name == name and edge.target in known
        ]
        if not found:
            visible = self.suite.suite.visible(name, node_chain(definition.node))
            visible = [d for d in visible if d.key != definition.key]
            found = visible[-1:]
        return found

    def fixture_closure(self, definition: FixtureDef) -> list[FixtureDef]:
        """Everything set up before `definition`: its dependencies (transitively) and
        the autouse fixtures it sees."""
        known = self.suite.resolution.definitions
        chain = node_chain(definition.node)
        start = [definition]
        for name in self.suite.suite.autouse_names(chain):
            start.extend(self.suite.suite.visible(name, chain)[-1:])
        seen: dict[str, FixtureDef] = {}
        stack = list(start)
        while stack:
            current = stack.pop()
            if current.key in seen:
                continue
            seen[current.key] = current
            for edge in self.suite.resolution.requests(current.key):
                if edge.target in known and edge.target not in seen:
                    stack.append(known[edge.target])
        return list(seen.values())


def handed_defs(function: ast.AST, *, handed_out: bool) -> list[ast.AST]:
    """The nodes of the defs nested in `function` whose code runs as part of it: those
    it calls by name (outside any ``with`` or ``try``, whose restores would not cover
    the def's own lines) and, with `handed_out` (a fixture), those it returns, yields
    or stores on an object (``request.cls.factory = _factory``), which the tests call.
    Defs registered as finalizers (``request.addfinalizer(undo)``) are teardown, not
    part of this."""
    defs = {
        n.name: n
        for n in walk_local(function)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    if not defs:
        return []
    used: set[str] = set()
    parents = parents_of(function)
    for node in walk_local(function):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in defs
            and not _guarded_call(node, parents, function)
        ):
            used.add(node.func.id)
        if not handed_out:
            continue
        value: ast.AST | None = None
        if isinstance(node, (ast.Return, ast.Yield)) or _stored(node):
            value = getattr(node, "value", None)
        if isinstance(value, ast.Name):
            used.add(value.id)
    return [n for name in used if name in defs for n in walk_local(defs[name])]


def _guarded_call(node: ast.AST, parents: dict[int, ast.AST], root: ast.AST) -> bool:
    """Whether a call sits in a ``with`` or ``try`` statement of the function."""
    child = node
    while id(child) in parents and child is not root:
        child = parents[id(child)]
        if isinstance(child, (ast.With, ast.AsyncWith, *TRY_NODES)):
            return True
    return False


def _stored(node: ast.AST) -> bool:
    """An assignment to attributes or items only (``request.cls.factory = f``)."""
    return isinstance(node, ast.Assign) and all(
        isinstance(t, (ast.Attribute, ast.Subscript)) for t in node.targets
    )


def _restoring_name(node: ast.AST) -> bool:
    """A decorator or context manager whose name says it restores state."""
    if isinstance(node, ast.Call):
        node = node.func
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return isinstance(name, str) and bool(RESTORING_NAME.search(name))


def node_chain(node: str) -> tuple[str, ...]:
    """The collection nodes above and including `node` ("" first), as `TestItem.chain`."""
    if not node:
        return ("",)
    path, _, rest = node.partition("::")
    parts = path.split("/")
    chain = ["", *("/".join(parts[: i + 1]) for i in range(len(parts)))]
    names = rest.split("::") if rest else []
    chain.extend(f"{path}::{'::'.join(names[: i + 1])}" for i in range(len(names)))
    return tuple(chain)
