"""Writes to process-wide state, as the classifiers of the isolation rules report them,
and the context a classifier looks in (see `_state` for what the roles mean and how a
change is found restored)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from auditor.api import FileView, Scope, SuiteView, walk_local

from ._syntax import expects_error, in_finally

ANY_KIND = "*"
"""The kind of a restore that covers every kind (a ``with preserve_state(): yield``)."""
Role = Literal["change", "restore", "guard", "context"]


@dataclass(frozen=True)
class Write:
    """One write to process-wide state (see the docstring of `_state`)."""

    node: ast.AST
    kind: str
    key: str | None = None
    role: Role = "change"
    text: str = ""
    """How to show the write in a message, e.g. ``os.environ["A"]``."""
    removal: bool = False
    """Deletes the key (``del``, ``pop``): after a write of the same key in the same
    function it undoes that write rather than changing anything."""
    restored_at: int | None = None
    """The line of a later statement of the test that puts the change back, but only
    when every assertion before it passes (set on changes `_state` reports)."""


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
                    and _reads_state(node.value, reads)
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


def _reads_state(value: ast.AST, reads: Callable[[ast.AST], bool]) -> bool:
    """Whether `value` reads the state: a node satisfies `reads`, other than a called
    function (``eng = sqlalchemy.create_engine(url)`` makes a new value, it keeps no
    old one)."""
    callees = {id(n.func) for n in ast.walk(value) if isinstance(n, ast.Call)}
    return any(id(n) not in callees and reads(n) for n in ast.walk(value))


def _saved_targets(targets: Iterable[ast.expr]) -> Iterator[str]:
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            yield from _saved_targets(target.elts)
        elif isinstance(target, (ast.Name, ast.Attribute)):
            yield ast.unparse(target)


StateClassifier = Callable[[ast.AST, Context], Iterable[Write]]
"""What a rule describes the state it cares about with: called on every candidate node
of a function (`CANDIDATES`), it returns the writes that node makes."""

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


def literal_key(node: ast.AST | None) -> str | None:
    """A key for comparing writes: the code of the expression (None for no key)."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return repr(node.value)
    return ast.unparse(node)


def real_changes(
    writes: Sequence[Write], parents: dict[int, ast.AST], root: ast.AST
) -> list[Write]:
    """The changes among `writes`, minus those that undo an earlier one: writes in a
    ``finally`` and writes of a key the function wrote before (setting it back, or
    deleting what it added)."""
    changes: list[Write] = []
    for write in writes:
        if write.role != "change" or in_finally(write.node, parents, root):
            continue
        if expects_error(write.node, parents, root):
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


def autouse_calls(suite: SuiteView) -> Iterator[tuple[str, Context, ast.Call]]:
    """Each call in the body of a function-scoped autouse fixture of the suite, with the
    place its tests are in (its file, or a conftest.py's folder) and its `Context`: what
    such a fixture undoes, before or after its ``yield``, every test there starts without."""
    for definition in suite.suite.fixtures:
        path = definition.path
        if not definition.autouse or definition.scope is not Scope.FUNCTION:
            continue
        file = suite.file(path) if path and not path.startswith(("/", "..")) else None
        if file is None:
            continue
        where = path.rpartition("/")[0] if file.is_conftest else path
        for view in file.functions:
            if view.node.lineno != definition.line:
                continue
            ctx = Context(file, view.node)
            for node in walk_local(view.node):
                if isinstance(node, ast.Call):
                    yield where, ctx, node


def covers(places: Iterable[str], path: str) -> bool:
    """Whether one of `places` (files, or conftest folders; "" the rootdir) holds `path`."""
    return any(where in (path, "") or path.startswith(where + "/") for where in places)
