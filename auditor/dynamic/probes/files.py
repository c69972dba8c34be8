"""Files and folders created or deleted under the rootdir, outside temporary folders.

Example: a test that writes ``report.csv`` into the working directory leaves
``file report.csv = 'created'``; a later test that lists the folder or expects a fresh export
fails. Version-control, cache and virtualenv folders are skipped. To stay cheap on large
trees the probe re-lists only folders whose modification time changed (or changed lately), so
files rewritten in place (same name) are not seen.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from auditor.dynamic.probes import ProbeContext, Snapshot, shown_path

SKIPPED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".test-auditor-cache",
        ".tox",
        ".nox",
        "node_modules",
        ".hypothesis",
    }
)
MAX_ENTRIES = 50_000
SETTLED = 2_000_000_000
"""A folder's listing is reused only when its mtime is older than this (ns): file systems
update mtimes in coarse ticks, so two changes close together can leave the same mtime."""


class FilesProbe:
    name = "files"

    def __init__(self, rootdir: Path, temporary: tuple[Path, ...]) -> None:
        self.rootdir = str(rootdir.resolve())
        self.temporary = {str(path.resolve()) for path in temporary}
        self._listing: dict[str, tuple[int, list[tuple[str, str, str]]]] = {}
        self._listed = False
        """A folder was listed again during this snapshot."""
        self._last: Snapshot = {}
        self._folders: list[str] = []
        """The folders the last snapshot walked, whose listings all were reused."""

    def _reusable(self, folder: str, now: int) -> bool:
        """The folder's listing is kept and its mtime has not moved (nor moved lately)."""
        try:
            mtime = os.stat(folder).st_mtime_ns
        except OSError:
            return False
        cached = self._listing.get(folder)
        return cached is not None and cached[0] == mtime and now - mtime > SETTLED

    def _entries(self, folder: str) -> list[tuple[str, str, str]]:
        """``(path, key, "file" | "folder")`` of a folder's entries that count, skipped ones
        left out; read again only when the folder's mtime moved (or moved lately)."""
        try:
            mtime = os.stat(folder).st_mtime_ns
        except OSError:
            self._listed = True
            return []
        cached = self._listing.get(folder)
        if cached is not None and cached[0] == mtime and time.time_ns() - mtime > SETTLED:
            return cached[1]
        self._listed = True
        entries = []
        try:
            with os.scandir(folder) as scan:
                for entry in scan:
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    if not self._skipped(entry.name, entry.path, is_dir):
                        key = f"file {shown_path(entry.path, self.rootdir)}"
                        entries.append((entry.path, key, "folder" if is_dir else "file"))
        except OSError:
            return []
        self._listing[folder] = (mtime, entries)
        return entries

    def _skipped(self, name: str, path: str, is_dir: bool) -> bool:
        if not is_dir:
            return name.startswith(".coverage")
        return (
            name in SKIPPED
            or name.endswith(".egg-info")
            or path in self.temporary
            or os.path.exists(os.path.join(path, "pyvenv.cfg"))
        )

    def snapshot(self) -> Snapshot:
        """The last snapshot itself when no folder had to be listed again (told from the
        folders' mtimes alone when the last walk listed none either)."""
        now = time.time_ns()
        if self._folders and all(self._reusable(folder, now) for folder in self._folders):
            return self._last
        snapshot: dict[str, str] = {}
        pending = [self.rootdir]
        walked: list[str] = []
        self._listed = False
        while pending and len(snapshot) < MAX_ENTRIES:
            folder = pending.pop()
            walked.append(folder)
            for path, key, kind in self._entries(folder):
                if kind == "folder":
                    pending.append(path)
                snapshot[key] = kind
        self._folders = [] if self._listed or pending else walked
        if not self._listed and snapshot == self._last:
            return self._last
        self._last = snapshot
        return snapshot


def factory(context: ProbeContext) -> FilesProbe:
    return FilesProbe(context.rootdir, context.temporary)
