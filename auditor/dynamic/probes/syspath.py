"""``sys.path``: entries inserted or removed and not restored.

Example: ``sys.path.insert(0, "plugins")`` leaves ``sys.path[0] = 'plugins'``, and imports in
later tests resolve differently.
"""

from __future__ import annotations

import sys

from auditor.dynamic.probes import ProbeContext, Snapshot, short


class SysPathProbe:
    name = "sys.path"

    def snapshot(self) -> Snapshot:
        return {
            f"sys.path entry {entry!r}": f"#{index}" for index, entry in enumerate(sys.path)
        } | {"sys.path": short(f"{len(sys.path)} entries")}


def factory(context: ProbeContext) -> SysPathProbe:
    return SysPathProbe()
