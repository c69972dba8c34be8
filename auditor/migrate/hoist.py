"""`hoist`: a fixture duplicated across test modules (TA503, ``SuiteView.duplicates``)
moved into the conftest of the deepest folder holding every copy (before and after the
plan's moves), and the copies deleted.

What is checked here, before the proof (:mod:`auditor.migrate.proof`) shows that every
test resolves the hoisted definition with the same code: the copies are one module-level
function with the same code (decorators, so scope, params and autouse, included), not
session- or package-scoped (one instance per module would become one); every name their
code reads from the module is an import, the same in every copy, which the conftest gets
too (or has already, the same), and finds the same module from the conftest's place
(a model class defined in the module, or imported from another module in one copy, is
another fixture); the conftest binds neither the fixture's name nor those names
otherwise; nothing else in a module uses the copy by name. What fails is held back, the
hazard named.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from auditor.analysis.clone_groups import DuplicateGroup, DuplicateSettings
from auditor.analysis.clone_units import Context, defs_by_line
from auditor.analysis.fixture_clones import fixture_groups
from auditor.migrate.hazards import Tree, package_root
from auditor.migrate.hoist_edits import Hoisted
from auditor.migrate.hoist_names import (
    bindings,
    code_digest,
    function_named,
    global_uses,
    reads_of,
    text_of,
)
from auditor.migrate.plan_file import Operation
from auditor.model.suite import Origin
from auditor.pipeline import Analysis

BUILTINS = frozenset(dir(builtins))
WIDE_SCOPES = ("session", "package")


def hoist_operations(
    analysis: Analysis, operations: Sequence[Operation], wanted: Callable[[str], bool]
) -> list[Operation]:
    """A ``hoist`` per group of one fixture duplicated across test modules."""
    suite, rootdir = analysis.suite, analysis.config.rootdir
    moves = {op.path: op.target for op in operations if op.apply and op.kind in ("move", "rename")}
    modules = set(suite.test_files)
    found: list[Operation] = []
    for group in fixture_duplicates(analysis):
        if len({m.name for m in group.members}) != 1:
            continue
        paths = sorted({m.path for m in group.members})
        if len(paths) < 2 or not all(p in modules and wanted(p) for p in paths):
            continue
        folder = common_folder([*paths, *(moves.get(p, p) for p in paths)])
        conftest = str(folder / "conftest.py")
        op = Operation(
            id=f"hoist-{len(found) + 1:03d}",
            kind="hoist",
            path=conftest,
            name=group.members[0].name,
            copies=tuple(paths),
            creates=() if (rootdir / conftest).is_file() else (conftest,),
            evidence=(f"TA503 ({group.clone} clones): {group.suggestion}",),
        )
        basenames = {PurePosixPath(p).name for p in paths}
        if len(basenames) == 1:  # what a split leaves: each part keeps its copy
            op = op.held(
                f"the copies are in modules of one name ({basenames.pop()}), the parts of a "
                "split module: each part keeps its own"
            )
        found.append(op)
    return found


def fixture_duplicates(analysis: Analysis) -> list[DuplicateGroup]:
    """TA503's groups (``SuiteView.duplicates``, fixtures only: the tests' clone groups,
    the costly part on a large suite, are not needed here)."""
    view = analysis.view
    settings = DuplicateSettings(near_similarity=analysis.config.auditor.duplicate_similarity)
    defs = defs_by_line(analysis.suite)
    context = Context(analysis.suite, analysis.resolution, defs, view.parsed)
    return fixture_groups(analysis.suite, defs, settings, context)


def common_folder(paths: Iterable[str]) -> PurePosixPath:
    """The deepest folder holding every one of ``paths``."""
    parts = [PurePosixPath(p).parent.parts for p in paths]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return PurePosixPath(*common) if common else PurePosixPath(".")


def _copy_imports(
    path: str, text: str, name: str, renamed: Mapping[str, str]
) -> tuple[tuple[str, ...], list[str], str]:
    """The imports the copy's code needs, the hazards, and the copy's code digest."""
    try:
        module = ast.parse(text)
    except SyntaxError as exc:
        return (), [f"{path} cannot be parsed: {exc.msg}"], ""
    node = function_named(module, name)
    if node is None:
        return (), [f"`{name}` is not one module-level function in {path}"], ""
    hazards: list[str] = []
    bound = bindings(module)
    imports: list[str] = []
    for read in sorted(reads_of(text, node)):
        found = bound.get(read, [])
        if not found:
            if read not in BUILTINS:
                star = " (a `*` import may bind it)" if "*" in bound else ""
                hazards.append(f"`{name}` in {path} reads `{read}`, not bound there{star}")
            continue
        if len(found) > 1 or found[0].conditional or not found[0].statement:
            hazards.append(
                f"`{name}` uses `{read}`, defined in {path} (line {found[0].line}): it is "
                "that module's own object, not one a conftest can import"
            )
            continue
        statement = found[0].statement
        if statement.startswith("from ."):
            hazards.append(f"`{name}` uses `{read}`, imported relatively in {path}")
            continue
        module_name = statement.split()[1]
        if any(module_name == old or module_name.startswith(old + ".") for old in renamed):
            hazards.append(f"`{name}` uses `{read}` from `{module_name}`, which the plan renames")
            continue
        imports.append(statement)
    used = global_uses(text, name, node.lineno)
    if used:
        hazards.append(f"{path} uses `{name}` by name outside its definition (line {used[0]})")
    segment = ast.get_source_segment(text, node) or ""
    if "__file__" in segment or "request.path" in segment or "request.fspath" in segment:
        hazards.append(f"`{name}` in {path} uses paths relative to its module")
    for constant in ast.walk(node):
        if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
            value = constant.value
            if any(value == old or value.startswith(old + ".") for old in renamed):
                hazards.append(f"`{name}` in {path} names `{value}`, which the plan renames")
    return tuple(imports), hazards, code_digest(node)


@dataclass
class Prepared:
    """A hoist checked: what it writes, or its hazards."""

    hoisted: Hoisted | None
    hazards: list[str]


def prepare(
    rootdir: Path,
    op: Operation,
    *,
    tree: Tree | None = None,
    renamed: Mapping[str, str] | None = None,
    moves: Mapping[str, str] | None = None,
) -> Prepared:
    """Check ``op``'s copies and conftest (the tree as it is; ``moves``: the plan's, the
    conftest may go with its modules); what to write or why not."""
    renamed = renamed or {}
    moves = moves or {}
    hazards: list[str] = []
    digests: set[str] = set()
    imports: dict[str, tuple[str, ...]] = {}
    first: bytes | None = None
    for copy in op.copies:
        try:
            data = (rootdir / copy).read_bytes()
            text = text_of(data)
        except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
            hazards.append(f"{copy} cannot be read: {exc}")
            continue
        first = data if first is None else first
        needed, found, digest = _copy_imports(copy, text, op.name, renamed)
        hazards += found
        digests.add(digest)
        imports[copy] = needed
    if len(digests) > 1:
        hazards.append(f"the copies of `{op.name}` are not the same code")
    if len({frozenset(i) for i in imports.values()}) > 1:
        one, other = list(imports)[:2]
        hazards.append(
            f"the names in `{op.name}` resolve to other objects in {one} and {other} "
            f"({', '.join(sorted(set(imports[one]) ^ set(imports[other])))}): other fixtures"
        )
    needed = next(iter(imports.values()), ())
    if tree is not None:
        hazards += _roots_hazards(tree, op, needed)
    if op.path in moves.values():
        hazards.append(f"{op.path} is where the plan moves another module")
    hazards += _conftest_hazards(rootdir, op, needed)
    if hazards or first is None:
        return Prepared(None, list(dict.fromkeys(hazards)))
    return Prepared(Hoisted(first, needed), [])


def _roots_hazards(tree: Tree, op: Operation, imports: Sequence[str]) -> list[str]:
    """An import whose module the copies find through their own folder (prepend import
    mode) must name the same file from the conftest's folder."""
    found: list[str] = []
    final = tree.moves.get(op.path, op.path)
    conftest_root = package_root(PurePosixPath(final).parent, tree.has_init_after)
    for statement in imports:
        top = statement.split()[1].split(".")[0]
        for copy in op.copies:
            root = package_root(PurePosixPath(copy).parent, tree.has_init_before)
            before = tree.resolve(top, [root, *tree.stable_roots], after=False)
            if before is None:
                continue
            after = tree.resolve(top, [conftest_root, *tree.stable_roots], after=True)
            if after != tree.moves.get(before, before):
                found.append(
                    f"`{op.name}` imports `{top}` from {before} through the folder of {copy}; "
                    f"{final} would find {after or 'nothing'}"
                )
    return found


def _conftest_hazards(rootdir: Path, op: Operation, imports: Sequence[str]) -> list[str]:
    file = rootdir / op.path
    if not file.is_file():
        return []
    try:
        module = ast.parse(text_of(file.read_bytes()))
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return [f"{op.path} cannot be read: {exc}"]
    bound = bindings(module)
    hazards = []
    if op.name in bound:
        hazards.append(f"{op.path} binds `{op.name}` already (line {bound[op.name][0].line})")
    for statement in imports:
        name = statement.split()[-1]
        there = bound.get(name, [])
        if there and [b.statement for b in there] != [statement]:
            hazards.append(
                f"{op.path} binds `{name}` otherwise (line {there[0].line}), not `{statement}`"
            )
    return hazards


def hoisted_scope_hazards(analysis: Analysis, op: Operation) -> list[str]:
    """Copies whose scope would make one instance of many, or that are not module-level."""
    hazards = []
    for fixture in analysis.suite.fixtures:
        if fixture.name != op.name or fixture.path not in op.copies:
            continue
        if fixture.origin is not Origin.MODULE:
            hazards.append(f"`{op.name}` in {fixture.path} is not a module-level fixture")
        elif fixture.scope_dynamic:
            hazards.append(f"`{op.name}` in {fixture.path} has a dynamic scope")
        elif fixture.scope.value in WIDE_SCOPES:
            hazards.append(
                f"`{op.name}` is {fixture.scope.value}-scoped: one instance per module would "
                "become one for all"
            )
    return list(dict.fromkeys(hazards))
