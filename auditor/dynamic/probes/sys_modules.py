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
from operator import is_

from auditor.dynamic.probes import Change, ProbeContext, Snapshot, current_round, diff, short

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


class SeenModules:
    """``sys.modules`` as it was last taken, to tell by identity alone (no tuple built, no
    name compared by value) whether it still binds the very same names to the very same
    objects: most tests import nothing new."""

    __slots__ = ("_modules", "_names")

    def __init__(self) -> None:
        self._names: tuple[object, ...] = ()
        self._modules: tuple[object, ...] = ()

    def same(self) -> bool:
        modules = sys.modules
        return (
            len(modules) == len(self._names)
            and all(map(is_, modules.values(), self._modules))
            and all(map(is_, modules, self._names))
        )

    def take(self) -> list[tuple[str, types.ModuleType]]:
        """The entries now (typed as sys.modules is: fakes are objects too), remembered
        for :meth:`same`."""
        entries = list(sys.modules.items())
        self._names = tuple(name for name, _ in entries)
        self._modules = tuple(module for _, module in entries)
        return entries


class ModuleTable:
    """``sys.modules`` for every probe that reads it (this one, the globals probe), checked
    once a round (:func:`~auditor.dynamic.probes.one_round`; at every call outside one).
    ``version`` counts the changes seen: a probe that kept the version it read is up to
    date."""

    def __init__(self) -> None:
        self._seen = SeenModules()
        self._checked: object | None = None
        self.version = 0
        self.entries: list[tuple[str, types.ModuleType]] = []

    def version_now(self) -> int:
        token = current_round()
        if token is not None and token is self._checked:
            return self.version
        if not self._seen.same():
            self.entries = self._seen.take()
            self.version += 1
        self._checked = token
        return self.version


MODULES = ModuleTable()


class ModulesProbe:
    name = "sys.modules"

    def __init__(self, table: ModuleTable = MODULES) -> None:
        self._table = table
        self._version = -1
        self._last: Snapshot = {}

    def snapshot(self) -> Snapshot:
        """Built again only when an entry was added, removed or replaced (checked by
        identity; most tests import nothing new)."""
        version = self._table.version_now()
        if version == self._version:
            return self._last
        self._version = version
        self._last = {
            f"sys.modules[{name!r}]": _fingerprint(module) for name, module in self._table.entries
        }
        return self._last

    def changes(self, before: Snapshot, after: Snapshot) -> Sequence[Change]:
        return [
            change
            for change in diff(self.name, before, after)
            if not (change.before is None and (change.after or "").startswith(IMPORTED))
        ]


def factory(context: ProbeContext) -> ModulesProbe:
    return ModulesProbe()
