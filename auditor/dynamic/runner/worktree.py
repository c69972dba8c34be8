"""The user's files, as they were before `leaks` ran the suite, put back between its runs
and at its end.

A suite can change its own project: delete a tracked file, rewrite a fixture file, leave
rows in a SQLite file in the project root. Such a change outlives the pytest process: the
next run starts from it (a victim then fails even alone and looks flaky), and the user
would find the project changed after the hunt. So the guard copies the files under the
rootdir before the first run (those up to ``MAX_FILE`` bytes, ``MAX_TOTAL`` in all; folders
of tools and environments left out), and after each run (when no other run is going on)
compares the tree with that state: a file created is removed, a file changed or deleted
is put back byte for byte with its mode. What it restored is reported, by run.

While `leaks` runs, the project should not be edited by hand: an edit made meanwhile looks
like the suite's and is undone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_FILE = 8 * 1024 * 1024
MAX_TOTAL = 512 * 1024 * 1024
SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".test-auditor-cache",
        ".hypothesis",
        ".eggs",
        "htmlcov",
    }
)
"""Folders of tools, caches and environments: their churn is not the suite's state."""


@dataclass(frozen=True)
class Restored:
    """A file the suite changed under the rootdir, and what the guard did about it."""

    path: str
    change: str
    """"created", "changed" or "deleted"."""
    restored: bool
    """False when it could not be put back (too large to keep a copy of, or an error)."""
    run: str

    def describe(self) -> str:
        done = "restored" if self.restored else "could NOT be restored"
        return f"{self.path} {self.change} by the suite ({self.run}); {done}"


class WorkTreeGuard:
    """Keeps the rootdir's files as they were when it was created; see the module doc."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self.backup = Path(tempfile.mkdtemp(prefix="test-auditor-worktree-"))
        self.state: dict[str, tuple[int, int, int]] = {}
        """relpath -> (size, mtime_ns, mode) before the hunt."""
        self.kept: set[str] = set()
        """The files a copy was kept of."""
        self.restored: list[Restored] = []
        total = 0
        for relpath, status in _files(rootdir):
            self.state[relpath] = (status.st_size, status.st_mtime_ns, status.st_mode)
            if status.st_size <= MAX_FILE and total + status.st_size <= MAX_TOTAL:
                target = self.backup / relpath
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    shutil.copy2(rootdir / relpath, target)
                except OSError:
                    continue
                self.kept.add(relpath)
                total += status.st_size

    def restore(self, run: str) -> list[Restored]:
        """Put the tree back as it was; what the suite had changed (``run``: the run it
        did that in)."""
        now = dict(_files(self.rootdir))
        found: list[Restored] = []
        for relpath in sorted(now.keys() - self.state.keys()):
            found.append(Restored(relpath, "created", _remove(self.rootdir / relpath), run))
        for relpath, (size, mtime, mode) in sorted(self.state.items()):
            status = now.get(relpath)
            if status is None:
                found.append(Restored(relpath, "deleted", self._put_back(relpath), run))
            elif (status.st_size, status.st_mtime_ns) != (size, mtime):
                found.append(Restored(relpath, "changed", self._put_back(relpath), run))
            elif status.st_mode != mode:
                found.append(
                    Restored(relpath, "changed", _chmod(self.rootdir / relpath, mode), run)
                )
        self.restored.extend(found)
        return found

    def _put_back(self, relpath: str) -> bool:
        if relpath not in self.kept:
            return False
        target = self.rootdir / relpath
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            shutil.copy2(self.backup / relpath, target)  # bytes, mode and times
        except OSError:
            return False
        return True

    def close(self) -> None:
        shutil.rmtree(self.backup, ignore_errors=True)


def _files(rootdir: Path) -> list[tuple[str, os.stat_result]]:
    """Regular files under ``rootdir`` (symlinks not followed), with their status."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [rootdir]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        if any(entry.name == "pyvenv.cfg" for entry in entries):
            continue  # a virtualenv inside the project
        for entry in entries:
            kind = _kind(entry)
            if kind == "folder":
                if entry.name not in SKIPPED_FOLDERS and not entry.name.endswith(".egg-info"):
                    pending.append(Path(entry.path))
            elif kind == "file":
                status = _status(entry)
                if status is not None:
                    relpath = Path(entry.path).relative_to(rootdir).as_posix()
                    found.append((relpath, status))
    return found


def _kind(entry: os.DirEntry[str]) -> str:
    try:
        if entry.is_dir(follow_symlinks=False):
            return "folder"
        return "file" if entry.is_file(follow_symlinks=False) else "other"
    except OSError:
        return "other"


def _status(entry: os.DirEntry[str]) -> os.stat_result | None:
    try:
        return entry.stat(follow_symlinks=False)
    except OSError:
        return None


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True


def _chmod(path: Path, mode: int) -> bool:
    try:
        path.chmod(mode & 0o7777)
    except OSError:
        return False
    return True
