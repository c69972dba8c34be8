"""The empty ``__init__.py`` files a plan creates: in each folder a move or a split makes
inside a package, so a module keeps a package-qualified import name. Computed again
whenever operations are held back, so that the folders of the applied ones get them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from auditor.migrate.plan_file import Operation

MAKES_FOLDERS = ("move", "split")


def with_creates(rootdir: Path, operations: Sequence[Operation]) -> list[Operation]:
    """``operations`` with the ``creates`` of the applied moves and splits computed again
    (none on the others)."""
    result = [replace(op, creates=()) if op.kind in MAKES_FOLDERS else op for op in operations]
    applied = [i for i, op in enumerate(result) if op.apply and op.kind in MAKES_FOLDERS]
    ops = [result[i] for i in applied]
    _add_creates(rootdir, ops)
    for index, op in zip(applied, ops, strict=True):
        result[index] = op
    return result


def _add_creates(rootdir: Path, moves: list[Operation]) -> None:
    """An empty ``__init__.py`` in each folder a move creates, when the module came from a
    package and the new folder's parent is one: its import name keeps its package (a
    top-level package in a new folder could shadow another module, so none is made there)."""
    created: set[str] = set()

    def is_package(folder: PurePosixPath) -> bool:
        init = folder / "__init__.py"
        return str(init) in created or (rootdir / init).is_file()

    for index, op in enumerate(moves):
        if not is_package(PurePosixPath(op.path).parent):
            continue
        creates = []
        for target in [t for _, t in op.parts if t] if op.kind == "split" else [op.target]:
            new_folders: list[PurePosixPath] = []
            folder = PurePosixPath(target).parent
            while folder != PurePosixPath(".") and not (rootdir / folder).exists():
                new_folders.append(folder)
                folder = folder.parent
            for folder in reversed(new_folders):
                init = str(folder / "__init__.py")
                if init in created:
                    continue
                if not is_package(folder.parent):
                    break
                created.add(init)
                creates.append(init)
        if creates:
            moves[index] = replace(op, creates=tuple(creates))
