"""Folders a migration emptied: after a verified change, a folder the moves took every
module out of, left with nothing but an empty ``__init__.py`` and ``__pycache__``, is
removed (a folder that held only those before the migration is left alone, and so is an
``__init__.py`` with any code or comment in it)."""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from typing import Protocol

LEFTOVERS = frozenset({"__init__.py", "__pycache__"})


class Moved(Protocol):
    rootdir: Path
    renamed: list[tuple[str, str]]


def emptied_folders(rootdir: Path, moved_from: list[str]) -> list[str]:
    """The folders (relative, deepest first) the moves emptied."""
    candidates = {PurePosixPath(path).parent for path in moved_from}
    found: list[str] = []
    for folder in sorted(candidates, key=lambda f: (-len(f.parts), str(f))):
        while folder != PurePosixPath(".") and _only_leftovers(rootdir / folder, found):
            found.append(str(folder))
            folder = folder.parent
    return list(dict.fromkeys(found))


def _only_leftovers(folder: Path, removed: list[str]) -> bool:
    if not folder.is_dir() or folder.is_symlink():
        return False
    removed_names = {PurePosixPath(r).name for r in removed}
    for entry in folder.iterdir():
        if entry.is_dir() and str(entry.name) in removed_names and _is_removed(entry, removed):
            continue
        if entry.name not in LEFTOVERS:
            return False
        if entry.name == "__init__.py" and (not entry.is_file() or entry.read_bytes().strip()):
            return False
    return True


def _is_removed(entry: Path, removed: list[str]) -> bool:
    return any(entry.as_posix().endswith("/" + r) for r in removed)


def remove_emptied(rootdir: Path, journal: Moved) -> tuple[list[str], list[str]]:
    """Remove the folders the journal's moves emptied; (notes, the files removed)."""
    folders = emptied_folders(rootdir, [old for old, _ in journal.renamed])
    files: list[str] = []
    for folder in folders:  # deepest first
        path = rootdir / folder
        init = path / "__init__.py"
        if init.is_file():
            init.unlink()
            files.append(f"{folder}/__init__.py")
        shutil.rmtree(path / "__pycache__", ignore_errors=True)
        path.rmdir()
    notes = [f"removed the folders the moves emptied: {', '.join(folders)}"] if folders else []
    return notes, files
