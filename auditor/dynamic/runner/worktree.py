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

State kept in such a file (rows of a SQLite file in the project, a file a test created)
is state that *persists across runs*: a victim of it fails even alone once its polluter has
run, in any later pytest process. The guard puts it back, so the hunt still sees such a
victim pass alone and names the pair; :func:`mark_persisting` then says so in the state of
each pair, brittle test and cleaner whose leaked state lives in a file the guard had to put
back: ``sqlite dev.sqlite table 'note' rows = '1 row' (was '0 rows'); persists across runs
in dev.sqlite (put back after each run)``. Rows of a PostgreSQL ``--db-url`` database and
keys of a ``--redis-url`` Redis that
:class:`~auditor.dynamic.runner.database_guard.DatabaseGuard` put back are named the same
way: ``database table 'public.note' rows = 1 row (was 0 rows); persists across runs in
database app_test (put back after each run)``.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.dynamic.probes import Change, file_of_key

if TYPE_CHECKING:
    from auditor.dynamic.runner.result import LeakReport

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
        self.state: dict[str, tuple[int, int, int, int]] = {}
        """relpath -> (size, mtime_ns, mode, ctime_ns) before the hunt (the ctime as of the
        guard's last look: putting a file back changes it)."""
        self.kept: set[str] = set()
        """The files a copy was kept of."""
        self.restored: list[Restored] = []
        total = 0
        for relpath, status in _files(rootdir):
            self.state[relpath] = _fingerprint(status)
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
        for relpath, (size, mtime, mode, ctime) in sorted(self.state.items()):
            status = now.get(relpath)
            if status is None:
                found.append(Restored(relpath, "deleted", self._put_back(relpath), run))
            elif (status.st_size, status.st_mtime_ns) != (size, mtime) or (
                status.st_ctime_ns != ctime and not self._same_bytes(relpath)
            ):  # a write that set the mtime back (copy2, os.utime) still moves the ctime
                found.append(Restored(relpath, "changed", self._put_back(relpath), run))
            elif status.st_mode != mode:
                done = _chmod(self.rootdir / relpath, mode)
                self._seen(relpath)
                found.append(Restored(relpath, "changed", done, run))
            elif status.st_ctime_ns != ctime:  # same bytes, same mode: only the ctime moved
                self._seen(relpath)
        self.restored.extend(found)
        return found

    def _same_bytes(self, relpath: str) -> bool:
        """Whether the file still has the bytes it had before the hunt (when a copy was
        kept; without one, it is taken to be unchanged, as size and mtime say)."""
        if relpath not in self.kept:
            return True
        try:
            return filecmp.cmp(self.rootdir / relpath, self.backup / relpath, shallow=False)
        except OSError:
            return False

    def _seen(self, relpath: str) -> None:
        """Take the file's ctime as it is now (after the guard put it back itself)."""
        try:
            status = (self.rootdir / relpath).stat(follow_symlinks=False)
        except OSError:
            return
        size, mtime, mode, _ = self.state[relpath]
        self.state[relpath] = (size, mtime, mode, status.st_ctime_ns)

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
        self._seen(relpath)
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


def _fingerprint(status: os.stat_result) -> tuple[int, int, int, int]:
    return (status.st_size, status.st_mtime_ns, status.st_mode, status.st_ctime_ns)


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


PERSISTS = "persists across runs"


@dataclass(frozen=True)
class Persisting(Change):
    """A change kept in a file of the project: it outlives the pytest process."""

    file: str = ""
    restored: bool = True
    place: str = ""
    """Where it is kept when not in a file: ``database app_test``, ``redis db 15``."""

    def describe(self) -> str:
        back = "put back after each run" if self.restored else "which could NOT be put back"
        return f"{super().describe()}; {PERSISTS} in {self.place or self.file} ({back})"


Kept = Mapping[tuple[str, str], tuple[str, bool]]
"""(probe, snapshot key) -> (where, put back every time): the state of a database or a
Redis the database guard found changed
(:meth:`~auditor.dynamic.runner.database_guard.DatabaseGuard.persisting`)."""


def mark_persisting(
    report: LeakReport,
    restored: Iterable[Restored],
    database_file: str | None = None,
    kept: Kept | None = None,
) -> None:
    """Mark the state of ``report``'s pairs, brittle tests, cleaners and leakers that lives
    in a file the guard ``restored`` (rows of a SQLite file of the project, a file created
    in it; ``database_file``: the rootdir-relative file of a SQLite ``--db-url``, whose
    tables the ``database`` probe counts), or in a database or Redis whose state the
    database guard put back (``kept``), as state that persists across runs."""
    files: dict[str, bool] = {}
    for entry in restored:
        files[entry.path] = files.get(entry.path, True) and entry.restored
    kept = kept or {}
    if not files and not kept:
        return

    def marked(changes: tuple[Change, ...]) -> tuple[Change, ...]:
        return tuple(_marked(change, files, database_file, kept) for change in changes)

    report.pairs = [replace(pair, state=marked(pair.state)) for pair in report.pairs]
    report.brittle = [replace(entry, state=marked(entry.state)) for entry in report.brittle]
    report.cleaners = [replace(entry, state=marked(entry.state)) for entry in report.cleaners]
    report.leaked = {nodeid: marked(changes) for nodeid, changes in report.leaked.items()}


def _marked(
    change: Change,
    files: Mapping[str, bool],
    database_file: str | None,
    kept: Kept,
) -> Change:
    if isinstance(change, Persisting):
        return change
    if change.where in kept:
        place, restored = kept[change.where]
        return Persisting(
            change.probe,
            change.key,
            change.before,
            change.after,
            change.via,
            restored=restored,
            place=place,
        )
    path = _file_of(change, database_file)
    if path is None or path not in files:
        return change
    return Persisting(
        change.probe,
        change.key,
        change.before,
        change.after,
        change.via,
        file=path,
        restored=files[path],
    )


def _file_of(change: Change, database_file: str | None) -> str | None:
    """The rootdir-relative file ``change`` is about, when a probe names one."""
    if change.probe in ("sqlite", "files"):
        return file_of_key(change.key)
    if change.probe == "database":
        return database_file
    return None
