"""``sys.path``: entries inserted or removed and not restored.

Example: ``sys.path.insert(0, "plugins")`` leaves ``sys.path entry 'plugins'`` present (it was
not) and ``sys.path[0] = 'plugins'``: imports in later tests resolve differently. Each entry is
its own piece of state, present or not, so an insertion names the entry it added, not every
entry it pushed one place down; the first entry, which wins every import, is one more.
"""

from __future__ import annotations

import sys

from auditor.dynamic.probes import ProbeContext, Snapshot, short


class SysPathProbe:
    name = "sys.path"

    def snapshot(self) -> Snapshot:
        entries: Snapshot = {f"sys.path entry {entry!r}": "present" for entry in sys.path}
        first = short(repr(sys.path[0])) if sys.path else None
        return entries | {"sys.path[0]": first}


def factory(context: ProbeContext) -> SysPathProbe:
    return SysPathProbe()
