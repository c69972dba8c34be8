"""Conftests that go with their modules: when every test module of a folder moves to one
new folder, the folder's conftest can move there too (``git mv``), so the modules keep
their fixtures; such a move ``follows`` those modules and is held back with any of them
(:func:`auditor.migrate.rewrites.held_with_companions`)."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import PurePosixPath

from auditor.migrate.hazards import read_tree
from auditor.migrate.plan_file import Operation
from auditor.pipeline import Analysis


def conftests_following(analysis: Analysis, moves: Sequence[Operation]) -> list[Operation]:
    """A ``move`` for the conftest of a folder whose test modules all move to one new
    folder (and none below it stay) that holds no other test module, when it defines no
    hook (``pytest_*``) and no ``pytest_plugins``, which pytest reads where they are."""
    suite, rootdir = analysis.suite, analysis.config.rootdir
    by_folder: dict[PurePosixPath, list[Operation]] = {}
    for op in moves:
        by_folder.setdefault(PurePosixPath(op.path).parent, []).append(op)
    found: list[Operation] = []
    for conftest in sorted(suite.conftests):
        folder = PurePosixPath(conftest).parent
        going = by_folder.get(folder, [])
        modules = [f for f in suite.test_files if folder in PurePosixPath(f).parents]
        targets = {PurePosixPath(op.target).parent for op in going}
        if not going or len(targets) != 1 or len(modules) != len(going):
            continue
        (new_folder,) = targets
        others = [
            op.target
            for op in moves
            if op not in going and new_folder in PurePosixPath(op.target).parents
        ]
        there = [f for f in suite.test_files if new_folder in PurePosixPath(f).parents]
        if others or there:  # it would reach modules other than its own
            continue
        target = str(new_folder / "conftest.py")
        module = read_tree(rootdir / conftest)
        if module is None or (rootdir / target).exists() or _pytest_hooks(module):
            continue
        found.append(
            Operation(
                id=f"move-{len(moves) + len(found) + 1:03d}",
                kind="move",
                path=conftest,
                tier=going[0].tier,
                target=target,
                evidence=(f"the conftest of {len(going)} modules that all move to {new_folder}",),
                follows=tuple(sorted(op.path for op in going)),
            )
        )
    return found


def _pytest_hooks(module: ast.Module) -> bool:
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "pytest_"
        ):
            return True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets
        ):
            return True
    return False
