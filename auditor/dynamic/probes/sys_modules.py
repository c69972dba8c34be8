"""``sys.modules``: modules injected, replaced or removed and not restored.

Modules imported the ordinary way during a test are not changes (importing is not a leak);
an entry that is not a module loaded by the import system, an entry replaced by another
object, and a module removed (so that the next import makes a second copy of its classes)
are. Example: ``sys.modules["shop.payments"] = FakePayments()`` leaves
``sys.modules['shop.payments'] = <FakePayments>`` for every later import.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence

from auditor.dynamic.probes import Change, ProbeContext, Snapshot, diff, short

IMPORTED = "imported#"


def _fingerprint(value: object) -> str:
    if isinstance(value, types.ModuleType) and getattr(value, "__spec__", None) is not None:
        return f"{IMPORTED}{id(value):x}"
    return short(f"<{type(value).__name__}> {value!r}") + f"#{id(value):x}"


class ModulesProbe:
    name = "sys.modules"

    def snapshot(self) -> Snapshot:
        return {
            f"sys.modules[{name!r}]": _fingerprint(module)
            for name, module in list(sys.modules.items())
        }

    def changes(self, before: Snapshot, after: Snapshot) -> Sequence[Change]:
        return [
            change
            for change in diff(self.name, before, after)
            if not (change.before is None and (change.after or "").startswith(IMPORTED))
        ]


def factory(context: ProbeContext) -> ModulesProbe:
    return ModulesProbe()
