"""Open file descriptors: files and sockets a test opened and never closed.

Read from ``/proc/self/fd`` (Linux; elsewhere the probe is off). Example: ``open("data.csv")``
without closing leaves ``open file data.csv = 'open'`` until the garbage collector runs; a
socket left open is ``open sockets = '3' (was '2')``.

The folder is held open (one descriptor, in the listing like the others and skipped with
them: it names ``/proc``), so each entry's link is read by its number alone instead of by a
path the kernel walks from ``/`` (half the cost of a snapshot). It is opened again in a
forked child, whose descriptors are its own, and whenever its number no longer names that
very folder (a test that closed every descriptor, and opened others since).
"""

from __future__ import annotations

import os
from pathlib import Path

from auditor.dynamic.probes import ProbeContext, Snapshot, shown_path

PROC = "/proc/self/fd"


class DescriptorProbe:
    name = "descriptors"

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = str(rootdir.resolve())
        self._folder: int | None = None
        self._identity: tuple[int, int, int] = (0, 0, 0)
        """The process, device and inode the folder's descriptor was opened for."""

    def _opened(self) -> int | None:
        """The descriptor of this process's ``/proc/<pid>/fd`` (``None``: cannot be)."""
        if self._folder is not None:
            try:
                found = os.fstat(self._folder)
                if (os.getpid(), found.st_dev, found.st_ino) == self._identity:
                    return self._folder
            except OSError:  # closed by the suite: its number is not ours any more
                self._folder = None
        try:
            self._folder = os.open(PROC, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            found = os.fstat(self._folder)
        except OSError:
            self._folder = None
            return None
        self._identity = (os.getpid(), found.st_dev, found.st_ino)
        return self._folder

    def snapshot(self) -> Snapshot:
        snapshot: dict[str, str] = {}
        counts: dict[str, int] = {}
        folder = self._opened()
        try:
            names = os.listdir(PROC if folder is None else folder)
        except OSError:
            return snapshot
        for fd in names:
            try:
                if folder is None:
                    target = os.readlink(os.path.join(PROC, fd))
                else:
                    target = os.readlink(fd, dir_fd=folder)
            except OSError:
                continue  # closed meanwhile (the listing's own descriptor, for one)
            if target.startswith("/"):
                if target.startswith(("/dev/", "/proc/")) or target == PROC:
                    continue
                snapshot[f"open file {shown_path(target, self.rootdir)}"] = "open"
            else:
                kind = target.split(":", 1)[0]
                counts[kind] = counts.get(kind, 0) + 1
        for kind, count in counts.items():
            snapshot[f"open {kind}s"] = repr(str(count))
        return snapshot


def factory(context: ProbeContext) -> DescriptorProbe | None:
    return DescriptorProbe(context.rootdir) if os.path.isdir(PROC) else None
