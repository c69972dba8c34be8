"""Open file descriptors: files and sockets a test opened and never closed.

Read from ``/proc/self/fd`` (Linux; elsewhere the probe is off). Example: ``open("data.csv")``
without closing leaves ``open file data.csv = 'open'`` until the garbage collector runs; a
socket left open is ``open sockets = '3' (was '2')``.
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

    def snapshot(self) -> Snapshot:
        snapshot: dict[str, str] = {}
        counts: dict[str, int] = {}
        try:
            names = os.listdir(PROC)
        except OSError:
            return snapshot
        for fd in names:
            try:
                target = os.readlink(os.path.join(PROC, fd))
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
