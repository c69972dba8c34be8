"""``sys.path``: entries inserted or removed and not restored.

Example: ``sys.path.insert(0, "vendor/fast_pkg")`` leaves ``sys.path entry 'vendor/fast_pkg'``
present (it was not) and ``sys.path[0] = 'vendor/fast_pkg'``: imports in later tests resolve
differently. Each entry is its own piece of state, present or not, so an insertion names the
entry it added, not every entry it pushed one place down; the first entry, which wins every
import, is one more. An entry inside the rootdir also says which modules it provides
(``present, provides fast_ext``): a test that imports ``fast_ext`` names it.
"""

from __future__ import annotations

import os
import sys
from operator import is_

from auditor.dynamic.probes import ProbeContext, Snapshot, short, shown_path

MAX_PROVIDED = 8
"""Module names listed per entry, at most."""


class SysPathProbe:
    name = "sys.path"

    def __init__(self, rootdir: str = "") -> None:
        self.rootdir = rootdir
        self.provided: dict[str, str] = {}
        self._paths: tuple[object, ...] = ()
        self._last: Snapshot = {}

    def snapshot(self) -> Snapshot:
        """The last snapshot itself while ``sys.path`` holds the very same entries."""
        paths = sys.path
        if len(paths) == len(self._paths) and all(map(is_, paths, self._paths)):
            return self._last
        entries = {f"sys.path entry {self.shown(entry)!r}": self.value(entry) for entry in paths}
        if paths:
            entries["sys.path[0]"] = short(repr(self.shown(paths[0])))
        self._paths, self._last = tuple(paths), entries
        return entries

    def shown(self, entry: str) -> str:
        return shown_path(entry, self.rootdir) if self.rootdir else entry

    def value(self, entry: str) -> str:
        """``present``, with the modules a folder of the project provides."""
        if not self.rootdir or not entry.startswith(self.rootdir + os.sep):
            return "present"
        if entry not in self.provided:
            self.provided[entry] = _provides(entry)
        return self.provided[entry]


def _provides(folder: str) -> str:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return "present"
    modules = [
        name.removesuffix(".py")
        for name in names
        if name.endswith(".py") or os.path.isfile(os.path.join(folder, name, "__init__.py"))
    ]
    shown = [name for name in modules if name.isidentifier()][:MAX_PROVIDED]
    return f"present, provides {' '.join(shown)}" if shown else "present"


def factory(context: ProbeContext) -> SysPathProbe:
    return SysPathProbe(str(context.rootdir))
