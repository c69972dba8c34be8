"""The static proof of a plan: the planned tree, built in a temporary copy, modelled with
the same model as the suite, compared test by test with the suite as it is.

For every test: its node id maps to exactly one new node id (no test lost, none new), it
resolves the same fixture definitions (same file and function, scope, autouse) at its new
place, so a conftest fixture that a move would hide shows up; it stays selected or
deselected as it was. The default collection (``testpaths`` and the rest) of the planned
tree must collect every moved module, and no two test modules may get the same import name
under the prepend import mode. Each difference is charged to the operation that caused it.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from auditor.analysis.resolution import Resolution
from auditor.config import Config, load_config
from auditor.migrate.edits import Changes, build_changes
from auditor.migrate.hazards import package_root, read_tree
from auditor.migrate.hoist_names import code_digest
from auditor.migrate.plan_file import Plan
from auditor.migrate.proof_cache import seed_cache
from auditor.model.build import BuildOptions
from auditor.model.discover import matches_python_files
from auditor.model.suite import FixtureDef, Origin
from auditor.parse.summary import ModuleSummary
from auditor.pipeline import Analysis, analyse

SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".tox",
        ".nox",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".test-auditor-cache",
        ".venv",
        "venv",
    }
)
BIGGEST_COPIED = 2 * 1024 * 1024
"""Bytes: bigger files (data) are not copied; the model reads source and config only."""


@dataclass
class Findings:
    """What the proof found, by the operation's module (its path before the plan)."""

    by_module: dict[str, list[str]] = field(default_factory=dict)
    marks: dict[str, list[str]] = field(default_factory=dict)
    """Differences a marker made (selection by ``addopts -m``), by module."""
    hoists: dict[str, list[str]] = field(default_factory=dict)
    """Differences in the hoisted fixtures, by the hoist's id."""
    codemods: dict[str, list[str]] = field(default_factory=dict)
    """Differences in the modules that codemods change, by module."""
    general: list[str] = field(default_factory=list)

    def add(self, module: str, problem: str, *, mark: bool = False) -> None:
        found = (self.marks if mark else self.by_module).setdefault(module, [])
        if problem not in found and len(found) < 5:
            found.append(problem)

    def add_hoist(self, hoist: str, problem: str) -> None:
        found = self.hoists.setdefault(hoist, [])
        if problem not in found and len(found) < 5:
            found.append(problem)

    def __bool__(self) -> bool:
        return bool(self.by_module or self.marks or self.hoists or self.codemods or self.general)


def _ignore(folder: str, names: list[str]) -> set[str]:
    skipped = set()
    for name in names:
        path = os.path.join(folder, name)
        if name in SKIPPED_FOLDERS or os.path.isfile(os.path.join(path, "pyvenv.cfg")):
            skipped.add(name)
        elif os.path.isfile(path) and not os.path.islink(path):
            try:
                if os.path.getsize(path) > BIGGEST_COPIED:
                    skipped.add(name)
            except OSError:
                skipped.add(name)
    return skipped


@contextmanager
def planned_tree(rootdir: Path, plan: Plan, changes: Changes | None = None) -> Iterator[Path]:
    """A temporary copy of the suite's files with the plan's applied operations done
    (``changes``: the plan's change set, when already built)."""
    with tempfile.TemporaryDirectory(prefix="test-auditor-migrate-") as folder:
        tree = Path(folder) / "tree"
        shutil.copytree(rootdir, tree, symlinks=True, ignore=_ignore)
        changes = changes if changes is not None else build_changes(rootdir, plan)
        for old, new in changes.renames.items():
            (tree / new).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tree / old, tree / new)
        for path, data in changes.writes.items():
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            (tree / path).unlink(missing_ok=True)
            (tree / path).write_bytes(data)
        yield tree


def model_of(
    tree: Path,
    config: Config,
    before: Analysis,
    cache_dir: Path | None,
    known: Mapping[str, ModuleSummary] | None = None,
) -> Analysis:
    """The planned tree modelled as the suite was: same config file, same environment.
    ``known``: summaries of files in the tree (by path) that need no parse, put in the
    cache at ``cache_dir`` first."""
    inifile = None
    if config.inifile is not None:
        inifile = tree / config.inifile.relative_to(config.rootdir)
    planned = load_config([], invocation_dir=tree, config_file=inifile, rootdir=tree)
    if known and cache_dir is not None:
        seed_cache(planned.rootdir, cache_dir, known)
    options = BuildOptions(
        use_cache=cache_dir is not None,
        cache_dir=cache_dir,
        helpers=False,
        environment=before.suite.environment,
    )
    return analyse(planned, [], build=options, invocation_dir=tree)


class _Code:
    """The code of fixture definitions in one tree (:func:`code_digest`), each file
    parsed once; ``""`` for the files whose text the plan rewrites (``skipped``: the
    rewrite is the checked edit there) unless ``always`` asks for the definition."""

    def __init__(self, root: Path, skipped: set[str]) -> None:
        self.root = root
        self.skipped = skipped
        self.trees: dict[str, ast.Module | None] = {}

    def __call__(self, definition: FixtureDef, always: bool = False) -> str:
        if definition.origin not in CODED or (definition.path in self.skipped and not always):
            return ""
        if definition.path not in self.trees:
            self.trees[definition.path] = read_tree(self.root / definition.path)
        module = self.trees[definition.path]
        if module is None:
            return "unreadable"
        found = [
            node
            for node in ast.walk(module)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name == definition.function
        ]
        if len(found) > 1:
            found = [
                n
                for n in found
                if min([n.lineno, *(d.lineno for d in n.decorator_list)])
                <= definition.line
                <= n.lineno
            ]
        return code_digest(found[0]) if len(found) == 1 else "not found"


CODED = (Origin.CONFTEST, Origin.MODULE, Origin.CLASS)


@dataclass
class _Side:
    """How one side of the comparison names definitions."""

    resolution: Resolution
    moves: dict[str, str]
    code: _Code
    hoisted: dict[tuple[str, str], str] = field(default_factory=dict)
    """(a copy's module, the fixture) -> the conftest it goes to (the side before)."""
    forced: frozenset[tuple[str, str]] = frozenset()
    """(conftest, fixture) whose code is always compared (the side after)."""


def _identity(definition: FixtureDef, side: _Side) -> tuple[str, ...]:
    """A definition as the same code at its (possibly new) place: lines may shift when a
    marker is added, so the file and function name it, with its code."""
    path = side.moves.get(definition.path, definition.path)
    origin = definition.origin.value
    conftest = side.hoisted.get((definition.path, definition.name))
    hoisted = conftest is not None and definition.origin is Origin.MODULE
    if conftest is not None and hoisted:
        path, origin = conftest, Origin.CONFTEST.value
    always = hoisted or (definition.path, definition.name) in side.forced
    return (
        definition.name,
        path,
        definition.function,
        definition.scope.value,
        str(definition.autouse),
        origin,
        side.code(definition, always),
    )


def _closure(nodeid: str, side: _Side, moves: dict[str, str]) -> set[tuple[str, ...]]:
    fixtures = side.resolution.tests.get(nodeid)
    if fixtures is None:
        return set()
    found = set()
    resolved = _Side(side.resolution, {**side.moves, **moves}, side.code, side.hoisted, side.forced)
    for key in fixtures.definitions:
        definition = side.resolution.definitions.get(key)
        if definition is not None:
            found.add(_identity(definition, resolved))
    return found


def _rewritten(plan: Plan) -> tuple[set[str], set[str]]:
    """The files whose text the plan rewrites, before and after the plan."""
    old = {op.path for op in plan.applied if op.kind in ("rewrite", "split", "codemod")}
    new = {
        plan.moves().get(op.path, op.path)
        for op in plan.applied
        if op.kind in ("rewrite", "codemod")
    }
    new |= {t for op in plan.applied if op.kind == "split" for _, t in op.parts}
    return old, new


def _not_collected(after: Analysis, path: str) -> str:
    """Why the planned tree's model collects no module at ``path``."""
    patterns = after.config.pytest.python_files
    if not matches_python_files(after.config.rootdir / path, patterns):
        shown = ", ".join(repr(p) for p in patterns)
        return f"{path} would not be collected: python_files ({shown}) does not match it"
    return f"{path} would not be collected (testpaths, norecursedirs, collect_ignore)"


def compare(before: Analysis, after: Analysis, plan: Plan) -> Findings:
    """Test by test, the suite against the planned tree's model."""
    findings = Findings()
    moves = plan.moves()
    back = _back(plan)
    hoisted = plan.hoists()
    hoists = {op.name: op.id for op in plan.applied if op.kind == "hoist"}
    codemodded = {op.path for op in plan.applied if op.kind == "codemod"}
    old_skipped, new_skipped = _rewritten(plan)
    old_side = _Side(before.resolution, moves, _Code(before.config.rootdir, old_skipped), hoisted)
    forced = frozenset((conftest, name) for (_, name), conftest in hoisted.items())
    new_side = _Side(after.resolution, {}, _Code(after.config.rootdir, new_skipped), {}, forced)
    old_tests = {t.nodeid: t for t in before.suite.tests}
    new_tests = {t.nodeid: t for t in after.suite.tests}
    mapped: dict[str, str] = {}
    for nodeid in old_tests:
        target = plan.new_nodeid(nodeid)
        if target in mapped.values():
            module = old_tests[nodeid].path
            findings.add(module, f"two tests would become {target}")
        mapped[nodeid] = target
    image = set(mapped.values())
    collected = set(after.suite.test_files)
    for nodeid, test in old_tests.items():
        new = new_tests.get(mapped[nodeid])
        module = test.path
        if new is None:
            where = plan.new_path(module, nodeid)
            if where not in collected:
                findings.add(module, _not_collected(after, where))
            else:
                findings.add(module, f"{nodeid} is not collected as {mapped[nodeid]} ({where})")
            continue
        if test.deselected != new.deselected:
            findings.add(
                module,
                f"{nodeid} would be {'deselected' if new.deselected else 'selected'} "
                f"({new.deselected or test.deselected})",
                mark=True,
            )
        old_closure = _closure(nodeid, old_side, {module: plan.new_path(module, nodeid)})
        new_closure = _closure(new.nodeid, new_side, {})
        if old_closure != new_closure and module in codemodded:
            if not old_closure - new_closure and all(
                d[5] in (Origin.BUILTIN.value, Origin.PLUGIN.value)
                for d in new_closure - old_closure
            ):
                continue  # what a fix does: pytest's monkeypatch requested
            problem = _closure_difference(nodeid, old_closure, new_closure)
            findings.codemods.setdefault(module, []).append(problem)
        elif old_closure != new_closure:
            problem = _closure_difference(nodeid, old_closure, new_closure)
            names = {d[0] for d in old_closure ^ new_closure}
            blamed = sorted({hoists[n] for n in names if n in hoists})
            for hoist in blamed:
                findings.add_hoist(hoist, problem)
            if not blamed:
                findings.add(module, problem)
    for nodeid, test in new_tests.items():
        if nodeid not in image:
            module = back.get(test.path, test.path)
            findings.add(module, f"{nodeid} would be a new test")
    for path, problem in _module_name_clashes(after, plan):
        findings.add(path, problem)
    return findings


def _back(plan: Plan) -> dict[str, str]:
    """New path -> the module's path before the plan (moves, renames, split parts)."""
    back = {new: old for old, new in plan.moves().items()}
    for module, parts in plan.splits().items():
        back.update(dict.fromkeys(parts.values(), module))
    return back


def _closure_difference(nodeid: str, old: set[tuple[str, ...]], new: set[tuple[str, ...]]) -> str:
    def show(definitions: Iterable[tuple[str, ...]]) -> str:
        return ", ".join(f"`{d[0]}` from {d[1]} ({d[3]})" for d in sorted(definitions)) or "nothing"

    lost, gained = old - new, new - old
    if {d[:-1] for d in lost} == {d[:-1] for d in gained}:
        return f"{nodeid} would resolve {show(gained)} with other code"
    return f"{nodeid} would resolve other fixtures: loses {show(lost)}; gets {show(gained)}"


def _module_name_clashes(after: Analysis, plan: Plan) -> Iterator[tuple[str, str]]:
    """Two test modules with one import name (rootdir-relative basenames in folders
    without ``__init__.py``, prepend import mode), where one of them is a moved module."""
    addopts = " ".join(after.config.pytest.addopts)
    if "importlib" in addopts:
        return
    tree = after.config.rootdir
    names: dict[str, list[str]] = {}
    for path in after.suite.test_files:
        pure = PurePosixPath(path)
        root = package_root(pure.parent, lambda f: (tree / f / "__init__.py").is_file())
        name = ".".join(pure.with_suffix("").relative_to(root).parts)
        names.setdefault(name, []).append(path)
    back = _back(plan)
    for name, paths in names.items():
        if len(paths) < 2:
            continue
        for path in paths:
            if path in back:
                others = ", ".join(p for p in paths if p != path)
                yield (
                    back[path],
                    f"{path} would be imported as `{name}`, as {others} is (prepend import "
                    "mode, no __init__.py)",
                )
