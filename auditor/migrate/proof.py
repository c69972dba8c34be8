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

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from auditor.analysis.resolution import Resolution
from auditor.config import Config, load_config
from auditor.migrate.edits import build_changes
from auditor.migrate.hazards import package_root
from auditor.migrate.plan_file import Plan
from auditor.model.build import BuildOptions
from auditor.model.suite import FixtureDef
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
    general: list[str] = field(default_factory=list)

    def add(self, module: str, problem: str, *, mark: bool = False) -> None:
        found = (self.marks if mark else self.by_module).setdefault(module, [])
        if problem not in found and len(found) < 5:
            found.append(problem)

    def __bool__(self) -> bool:
        return bool(self.by_module or self.marks or self.general)


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
def planned_tree(rootdir: Path, plan: Plan) -> Iterator[Path]:
    """A temporary copy of the suite's files with the plan's applied operations done."""
    with tempfile.TemporaryDirectory(prefix="test-auditor-migrate-") as folder:
        tree = Path(folder) / "tree"
        shutil.copytree(rootdir, tree, symlinks=True, ignore=_ignore)
        changes = build_changes(rootdir, plan)
        for old, new in changes.renames.items():
            (tree / new).parent.mkdir(parents=True, exist_ok=True)
            os.replace(tree / old, tree / new)
        for path, data in changes.writes.items():
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            (tree / path).unlink(missing_ok=True)
            (tree / path).write_bytes(data)
        yield tree


def model_of(tree: Path, config: Config, before: Analysis, cache_dir: Path | None) -> Analysis:
    """The planned tree modelled as the suite was: same config file, same environment."""
    inifile = None
    if config.inifile is not None:
        inifile = tree / config.inifile.relative_to(config.rootdir)
    planned = load_config([], invocation_dir=tree, config_file=inifile, rootdir=tree)
    options = BuildOptions(
        use_cache=cache_dir is not None,
        cache_dir=cache_dir,
        helpers=False,
        environment=before.suite.environment,
    )
    return analyse(planned, [], build=options, invocation_dir=tree)


def _identity(definition: FixtureDef, moves: dict[str, str]) -> tuple[str, ...]:
    """A definition as the same code at its (possibly new) place: lines may shift when a
    marker is added, so the file and function name it."""
    return (
        definition.name,
        moves.get(definition.path, definition.path),
        definition.function,
        definition.scope.value,
        str(definition.autouse),
        definition.origin.value,
    )


def _closure(nodeid: str, resolution: Resolution, moves: dict[str, str]) -> set[tuple[str, ...]]:
    fixtures = resolution.tests.get(nodeid)
    if fixtures is None:
        return set()
    found = set()
    for key in fixtures.definitions:
        definition = resolution.definitions.get(key)
        if definition is not None:
            found.add(_identity(definition, moves))
    return found


def compare(before: Analysis, after: Analysis, plan: Plan) -> Findings:
    """Test by test, the suite against the planned tree's model."""
    findings = Findings()
    moves = plan.moves()
    back = _back(plan)
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
    for nodeid, test in old_tests.items():
        new = new_tests.get(mapped[nodeid])
        module = test.path
        if new is None:
            where = plan.new_path(module, nodeid)
            findings.add(module, f"{nodeid} is not collected as {mapped[nodeid]} ({where})")
            continue
        if test.deselected != new.deselected:
            findings.add(
                module,
                f"{nodeid} would be {'deselected' if new.deselected else 'selected'} "
                f"({new.deselected or test.deselected})",
                mark=True,
            )
        old_closure = _closure(
            nodeid, before.resolution, {**moves, module: plan.new_path(module, nodeid)}
        )
        new_closure = _closure(new.nodeid, after.resolution, {})
        if old_closure != new_closure:
            findings.add(module, _closure_difference(nodeid, old_closure, new_closure))
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
