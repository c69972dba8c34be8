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
from itertools import chain
from operator import is_

from auditor.dynamic.probes import Change, ProbeContext, Snapshot, diff, short

IMPORTED = "imported#"


def _fingerprint(value: object) -> str:
    """A module the import system loaded, or what else is there (its ``repr``, or its type
    alone when that raises: a proxy or a fake never takes the probe down)."""
    if issubclass(type(value), types.ModuleType):
        try:
            spec = object.__getattribute__(value, "__dict__").get("__spec__")
        except Exception:  # a module type whose __dict__ raises
            spec = None
        if spec is not None:
            return f"{IMPORTED}{id(value):x}"
    try:
        shown = repr(value)
    except Exception as error:
        shown = f"(repr raised {type(error).__name__})"
    return short(f"<{type(value).__name__}> {shown}") + f"#{id(value):x}"


class ModulesProbe:
    name = "sys.modules"

    def __init__(self) -> None:
        self._seen: tuple[object, ...] = ()
        self._last: Snapshot = {}

    def snapshot(self) -> Snapshot:
        """Built again only when an entry was added, removed or replaced (checked by
        identity; most tests import nothing new)."""
        entries = tuple(sys.modules.items())
        seen = tuple(chain.from_iterable(entries))
        if len(seen) == len(self._seen) and all(map(is_, seen, self._seen)):
            return self._last
        self._seen = seen
        self._last = {f"sys.modules[{name!r}]": _fingerprint(module) for name, module in entries}
        return self._last

    def changes(self, before: Snapshot, after: Snapshot) -> Sequence[Change]:
        return [
            change
            for change in diff(self.name, before, after)
            if not (change.before is None and (change.after or "").startswith(IMPORTED))
        ]


def factory(context: ProbeContext) -> ModulesProbe:
    return ModulesProbe()
