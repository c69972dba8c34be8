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
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from auditor.api import FileView, FixtureDef, FunctionView, Origin, Scope, SuiteView, walk_local

ANY_KIND = "*"
"""The kind of a restore that covers every kind (a ``with preserve_state(): yield``)."""
Role = Literal["change", "restore", "guard", "context"]

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
PYTESTER = frozenset({"pytester", "testdir"})
RESTORING_NAME = re.compile(
    r"conserve|restore|preserve|isolat|reset|clean|protect|snapshot|keep|save", re.I
)
"""Decorators and context managers named like these put back whatever their body
changes (``@conserve_mpmath_dps``, ``with preserve_cwd():``); trusted for every kind."""
TRY_NODES: tuple[type[ast.AST], ...] = (
    (ast.Try, ast.TryStar) if hasattr(ast, "TryStar") else (ast.Try,)
)


@dataclass(frozen=True)
class Write:
    """One write to process-wide state (see the module docstring)."""

    node: ast.AST
    kind: str
    key: str | None = None
    role: Role = "change"
    text: str = ""
    """How to show the write in a message, e.g. ``os.environ["A"]``."""
    removal: bool = False
    """Deletes the key (``del``, ``pop``): after a write of the same key in the same
    function it undoes that write rather than changing anything."""


class Context:
    """Where a classifier looks: the file and the function (None at module level) with
    the names that function binds itself (parameters and assignments, not imports),
    computed on first use."""

    def __init__(
        self,
        file: FileView,
        function: ast.FunctionDef | ast.AsyncFunctionDef | None = None,
    ) -> None:
        self.file = file
        self.function = function
        self._names: frozenset[str] | None = None
        self.cache: dict[str, frozenset[str]] = {}

    @property
    def local_names(self) -> frozenset[str]:
        if self._names is None:
            self._names = local_names(self.function) if self.function else frozenset()
        return self._names

    def is_global(self, name: str) -> bool:
        """Whether `name` here is the file's import of that name."""
        return name in self.file.imports and name not in self.local_names

    def saved(self, reads: Callable[[ast.AST], bool], tag: str) -> frozenset[str]:
        """Names the function assigns from an expression that reads the state (one
        node of it satisfies `reads`): values kept to put back later."""
        found = self.cache.get(tag)
        if found is None:
            names: set[str] = set()
            root = self.function if self.function is not None else self.file.tree
            for node in walk_local(root):
                if (
                    isinstance(node, (ast.Assign, ast.AnnAssign))
                    and node.value is not None
                    and any(reads(n) for n in ast.walk(node.value))
                ):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names.update(_saved_targets(targets))
            found = self.cache[tag] = frozenset(names)
        return found

    def uses_saved(self, value: ast.AST | None, reads: Callable[[ast.AST], bool], tag: str) -> bool:
        """Whether `value` is built from saved values (see `saved`)."""
        if value is None:
            return False
        saved = self.saved(reads, tag)
        return any(
            isinstance(n, (ast.Name, ast.Attribute)) and ast.unparse(n) in saved
            for n in ast.walk(value)
        )


def _saved_targets(targets: Iterable[ast.expr]) -> Iterator[str]:
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            yield from _saved_targets(target.elts)
        elif isinstance(target, (ast.Name, ast.Attribute)):
            yield ast.unparse(target)


Classifier = Callable[[ast.AST, Context], Iterable[Write]]
CANDIDATES = (
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Delete,
    ast.Call,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
)
"""The nodes classifiers look at (writes are statements, calls and decorators)."""


def compatible(change: Write, restore: Write, *, strict: bool = False) -> bool:
    """Whether `restore` puts back what `change` changed. `strict`: a change to an
    unknown key is only restored by a write to the whole state."""
    if change.kind != restore.kind and restore.kind != ANY_KIND:
        return False
    if restore.key is None:
        return True
    if change.key is None:
        return not strict
    return change.key == restore.key


def local_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    """Parameters and names bound in `function` (not counting imports or names declared
    global)."""
    args = function.args
    names = {
        a.arg
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
        if a is not None
    }
    declared: set[str] = set()
    for node in walk_local(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif (isinstance(node, ast.ExceptHandler) and node.name) or isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            assert node.name is not None
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            declared.update(node.names)
    return frozenset(names - declared)


def first_yield(function: ast.AST) -> int | None:
    lines = [n.lineno for n in walk_local(function) if isinstance(n, (ast.Yield, ast.YieldFrom))]
    return min(lines) if lines else None


def is_setup(view: FunctionView) -> bool:
    return view.kind == "xunit" and "setup" in view.name.lower()


def call_name(node: ast.AST) -> str:
    """The last name of a call's function (``addCleanup`` for ``self.addCleanup(...)``)."""
    if not isinstance(node, ast.Call):
        return ""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def parents_of(root: ast.AST) -> dict[int, ast.AST]:
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(root):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    return parents


def statements_after(node: ast.AST) -> int:
    end = getattr(node, "end_lineno", None)
    return int(end if end is not None else getattr(node, "lineno", 0))


def _contains(tree: ast.AST, node: ast.AST) -> bool:
    return any(n is node for n in ast.walk(tree))


def _yields_inside(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk_local(node))


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
        classify: Classifier,
        *,
        strict: bool = False,
        builtin_guards: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.suite = suite
        self.classify = classify
        self.strict = strict
        self.builtin_guards = builtin_guards or {}
        self._fixture_restores: dict[str, list[Write]] = {}
        self._edges: dict[str, list[tuple[str, str]]] | None = None

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
        writes = self.writes(walk_local(function), ctx)
        if not any(w.role == "change" for w in writes):
            return []
        parents = parents_of(function)
        changes = _real_changes(writes, parents, function)
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
            c for c in changes if not self._restored(c, scope, contexts, parents, function, ctx)
        ]

    def module_unrestored(self, file: FileView) -> list[Write]:
        """Changes made at import time of `file` (outside ``if __name__ ==
        "__main__"``) that no later module-level statement or module teardown undoes."""
        nodes = list(module_level(file.tree.body))
        ctx = self.context(file, None)
        writes = self.writes(nodes, ctx)
        parents = parents_of(file.tree)
        changes = _real_changes(writes, parents, file.tree)
        if not changes:
            return []
        scope = _Scope(later=[w for w in writes if w.role != "context"])
        names = MODULE_TEARDOWNS | (MODULE_TEARDOWNS_CONFTEST if file.is_conftest else set())
        for node in file.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
                scope.anywhere.extend(self._restoring(self.function_writes(file, node)))
        return [c for c in changes if not self._restored(c, scope, [], parents, file.tree, ctx)]

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
        end = statements_after(_statement(change.node, parents))
        if any(
            w.node is not change.node
            and getattr(w.node, "lineno", 0) > end
            and self._compatible(change, w)
            for w in scope.later
        ):
            return True
        child: ast.AST = change.node
        while id(child) in parents and child is not root:
            parent = parents[id(child)]
            finalbody: list[ast.stmt] = getattr(parent, "finalbody", [])
            if isinstance(parent, TRY_NODES) and not any(_contains(s, child) for s in finalbody):
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
        body = _named_function(target, function, cls, file.tree)
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
        for node in _defs(body):
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
            if isinstance(node, (ast.With, ast.AsyncWith)) and _yields_inside(node):
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

    def edges(self) -> dict[str, list[tuple[str, str]]]:
        """Fixture key -> (argument name, resolved definition key), over all tests."""
        if self._edges is None:
            self._edges = {}
            for edge in self.suite.resolution.edges:
                self._edges.setdefault(edge.source, []).append((edge.name, edge.target))
        return self._edges

    def dependencies(self, definition: FixtureDef, name: str) -> list[FixtureDef]:
        """The definitions `definition`'s argument `name` resolves to."""
        known = self.suite.resolution.definitions
        found = [
            known[target]
            for arg, target in self.edges().get(definition.key, ())
            if arg == name and target in known
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
            for _, target in self.edges().get(current.key, ()):
                if target in known and target not in seen:
                    stack.append(known[target])
        return list(seen.values())


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


def _real_changes(
    writes: Sequence[Write], parents: dict[int, ast.AST], root: ast.AST
) -> list[Write]:
    """The changes among `writes`, minus those that undo an earlier one: writes in a
    ``finally`` and writes of a key the function wrote before (setting it back, or
    deleting what it added)."""
    changes: list[Write] = []
    for write in writes:
        if write.role != "change" or in_finally(write.node, parents, root):
            continue
        if _expects_error(write.node, parents, root):
            continue
        line = getattr(write.node, "lineno", 0)
        if write.key is not None and any(
            other.role == "change"
            and other.key == write.key
            and other.kind == write.kind
            and getattr(other.node, "lineno", 0) < line
            for other in writes
        ):
            continue
        changes.append(write)
    return changes


RAISES = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})


def _expects_error(node: ast.AST, parents: dict[int, ast.AST], root: ast.AST) -> bool:
    """Inside ``with pytest.raises(...)``: the write is expected to fail."""
    child = node
    while id(child) in parents and child is not root:
        parent = parents[id(child)]
        if isinstance(parent, (ast.With, ast.AsyncWith)) and any(
            call_name(item.context_expr) in RAISES for item in parent.items
        ):
            return True
        child = parent
    return False


def in_finally(node: ast.AST, parents: dict[int, ast.AST], root: ast.AST) -> bool:
    child = node
    while id(child) in parents and child is not root:
        parent = parents[id(child)]
        if isinstance(parent, TRY_NODES) and any(
            _contains(s, child) for s in getattr(parent, "finalbody", [])
        ):
            return True
        child = parent
    return False


def _statement(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    current = node
    while not isinstance(current, ast.stmt) and id(current) in parents:
        current = parents[id(current)]
    return current


def _defs(body: Iterable[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node
        elif isinstance(node, (ast.If, ast.Try)):
            yield from _defs([*node.body, *node.orelse, *getattr(node, "finalbody", [])])


def _named_function(
    target: ast.expr, function: ast.AST, cls: ast.ClassDef | None, module: ast.Module
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The def a finalizer names: a nested def, a module-level def or ``self.method``."""
    if isinstance(target, ast.Name):
        for node in walk_local(function):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                node.name == target.id
            ):
                return node
        for node in _defs(module.body):
            if node.name == target.id:
                return node
    elif (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id in ("self", "cls")
        and cls is not None
    ):
        for node in _defs(cls.body):
            if node.name == target.attr:
                return node
    return None


def module_level(body: Iterable[ast.stmt]) -> Iterator[ast.AST]:
    """Nodes that run at import time, minus ``if __name__ == "__main__":`` blocks."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield from statement.decorator_list
            continue
        if isinstance(statement, ast.If) and _is_main_guard(statement.test):
            yield from module_level(statement.orelse)
            continue
        yield statement
        yield from walk_local(statement)


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def literal_key(node: ast.AST | None) -> str | None:
    """A key for comparing writes: the code of the expression (None for no key)."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return repr(node.value)
    return ast.unparse(node)


PATCH_PREFIXES = ("unittest.mock.patch", "mock.patch")


def patch_function(file: FileView, call: ast.AST) -> str:
    """The kind of patcher, "patch", "patch.object", "patch.dict", "patch.multiple" for a call of
    unittest.mock / mock patchers, "" otherwise."""
    if not isinstance(call, ast.Call):
        return ""
    name = file.qualified(call.func) or ""
    for prefix in PATCH_PREFIXES:
        if name == prefix:
            return "patch"
        if name.startswith(prefix + ".") and name.count(".") == prefix.count(".") + 1:
            return "patch." + name.rsplit(".", 1)[1]
    return ""


def qualname_map(tree: ast.Module) -> dict[int, str]:
    """id(def node) -> "Class.method" for module- and class-level defs."""
    names: dict[int, str] = {}

    def visit(body: Iterable[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names[id(node)] = prefix + node.name
            elif isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.If, ast.Try)):
                visit([*node.body, *node.orelse, *getattr(node, "finalbody", [])], prefix)

    visit(tree.body, "")
    return names


MONKEYPATCH_METHODS = frozenset({"setattr", "delattr", "setenv", "delenv", "setitem", "delitem"})


def monkeypatched(node: ast.AST, file: FileView) -> tuple[str, str | None] | None:
    """What a ``monkeypatch.<method>(...)`` call puts back at teardown: ("environ", key)
    for setenv/delenv/setitem(os.environ, ...), ("attribute", "a.b.name") for
    setattr/delattr; None for other calls."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in MONKEYPATCH_METHODS
        and node.args
        and file.qualified(node.func.value) not in ("os", "os.environ")
    ):
        return None
    method, args = node.func.attr, node.args
    if method in ("setenv", "delenv"):
        return "environ", literal_key(args[0])
    if method in ("setitem", "delitem"):
        if file.qualified(args[0]) == "os.environ" and len(args) > 1:
            return "environ", literal_key(args[1])
        return None
    first = args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        if "." in first.value and (method == "delattr" or len(args) == 2):
            return "attribute", first.value
        return None
    second = args[1] if len(args) > 1 else None
    owner = file.qualified(first)
    if owner and isinstance(second, ast.Constant) and isinstance(second.value, str):
        return "attribute", f"{owner}.{second.value}"
    return None
