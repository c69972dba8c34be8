"""Splitting a module whose tests span tiers into one module per tier.

Each part is the whole module less the tests (top-level test functions and classes) of
the other parts, so it carries every import, constant, helper, ``pytestmark``, fixture,
autouse fixture and hook the module had; it is rewritten for its new place
(:mod:`auditor.migrate.rewrite`) and gets its tier's marker. The part with the most tests
takes the module's place in history (a rename); the others are new files.

A split is unsafe (held back) when what was one instance becomes two: a fixture of a wider
scope than the function defined in the module and used by tests of two parts, an autouse
fixture of a wider scope, ``setup_module``/``teardown_module``, or module state (a name
bound to a mutable or computed value, or written with ``global``) used by tests of two
parts. A test class whose tests span tiers cannot be split at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import libcst as cst

from auditor.migrate.edits import EditError, mark_module
from auditor.migrate.imports import first_party_names
from auditor.migrate.names import Moves
from auditor.migrate.rewrite import RewriteError, rewrite_module
from auditor.model.suite import FixtureDef

MODULE_HOOKS = frozenset({"setup_module", "teardown_module", "setUpModule", "tearDownModule"})
LITERALS = (ast.Constant, ast.Tuple, ast.Name, ast.Attribute, ast.UnaryOp, ast.BinOp)


def top_name(nodeid: str) -> str:
    """The top-level function or class a test node id is in (``a.py::TestX::test_y``:
    ``TestX``)."""
    return nodeid.partition("::")[2].split("::")[0].split("[")[0]


@dataclass(frozen=True, slots=True)
class Part:
    tier: str
    target: str
    marker: str
    names: frozenset[str]
    """Top-level test functions and classes of this part."""


def _immutable(value: ast.expr) -> bool:
    if isinstance(value, ast.Tuple):
        return all(_immutable(e) for e in value.elts)
    if isinstance(value, ast.BinOp | ast.UnaryOp):
        return all(_immutable(e) for e in ast.iter_child_nodes(value) if isinstance(e, ast.expr))
    return isinstance(value, ast.Constant | ast.Name | ast.Attribute)


def _module_state(tree: ast.Module) -> set[str]:
    """Module-level names bound to a mutable or computed value, or written with
    ``global`` anywhere."""
    state = set()
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is not None and not _immutable(value):
            state |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    for inner in ast.walk(tree):
        if isinstance(inner, ast.Global):
            state |= set(inner.names)
    return state


def _loaded(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def split_hazards(
    source: str,
    path: str,
    tiers_by_name: Mapping[str, set[str]],
    fixtures_by_name: Mapping[str, Iterable[FixtureDef]],
) -> list[str]:
    """Why splitting ``path`` (its text ``source``) by ``tiers_by_name`` (top-level test
    name -> the tiers of its tests) is unsafe. ``fixtures_by_name``: per top-level test
    name, the fixture definitions its tests resolve."""
    found = []
    for name, tiers in sorted(tiers_by_name.items()):
        if len(tiers) > 1:
            found.append(f"class `{name}` has tests of {len(tiers)} tiers: it cannot be split")
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"cannot parse the module: {exc}"]
    parts_of: dict[str, set[str]] = {}
    for name, tiers in tiers_by_name.items():
        for definition in fixtures_by_name.get(name, ()):
            if definition.path == path and definition.scope.value != "function":
                parts_of.setdefault(f"`{definition.name}` ({definition.scope.value})", set())
                parts_of[f"`{definition.name}` ({definition.scope.value})"] |= tiers
            if (
                definition.path == path
                and definition.autouse
                and (definition.scope.value != "function")
            ):
                found.append(
                    f"autouse fixture `{definition.name}` ({definition.scope.value}) would run "
                    "once per part"
                )
    for fixture, tiers in sorted(parts_of.items()):
        if len(tiers) > 1:
            found.append(
                f"fixture {fixture} is used by tests of {len(tiers)} parts: it would "
                "become two instances"
            )
    state = _module_state(tree)
    users: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in MODULE_HOOKS:
            found.append(f"`{node.name}` (line {node.lineno}) would run once per part")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for name in _loaded(node) & state if node.name in tiers_by_name else ():
                users.setdefault(name, set()).update(tiers_by_name[node.name])
    for name, tiers in sorted(users.items()):
        if len(tiers) > 1:
            found.append(
                f"module state `{name}` is used by tests of {len(tiers)} parts: it would "
                "become two copies"
            )
    return list(dict.fromkeys(found))


def _without(source: bytes, names: frozenset[str]) -> bytes:
    module = cst.parse_module(source)
    body = [
        statement
        for statement in module.body
        if not (
            isinstance(statement, cst.FunctionDef | cst.ClassDef) and statement.name.value in names
        )
    ]
    return module.with_changes(body=body).bytes


def part_bytes(source: bytes, path: str, part: Part, parts: Sequence[Part], moves: Moves) -> bytes:
    """The bytes of ``part`` of the module at ``path`` (``source``): the other parts'
    tests taken out, rewritten for its place, marked; :class:`EditError` when it cannot
    be made."""
    others = frozenset(n for p in parts if p is not part for n in p.names)
    try:
        data = _without(source, others)
        done = rewrite_module(
            data, path, Moves(moves.rootdir, {**moves.moves, path: part.target}, moves.created)
        )
    except (cst.ParserSyntaxError, RewriteError) as exc:
        raise EditError(f"{path}: cannot split the module: {exc}") from exc
    if done.hazards:
        raise EditError(f"{path}: {done.hazards[0][0]}")
    local = first_party_names(moves.rootdir, (moves.rootdir / path).parent)
    return mark_module(done.data, part.marker, local)
