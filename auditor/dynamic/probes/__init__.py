"""State probes: what a test can leave behind, as snapshots that can be compared.

A probe takes a snapshot of one kind of process state as a flat mapping from a readable key
(``os.environ['APP_MODE']``, ``shop.config.RATE``) to a short readable fingerprint of the value
(``'production'``, ``dict(len=3)#9f2c``). Two snapshots differ where a key was added, removed or
its fingerprint changed; the plugin takes one before a test's setup and one after its teardown,
and what differs (less what wider-scoped fixtures own) is what the test leaked.

Probes are pluggable: a distribution registers a factory under the entry point group
``test_auditor.probes``. The factory gets a :class:`ProbeContext` and returns a probe, or
``None`` when it does not apply (no URL configured, driver not installed, ...).

Example, a probe counting keys in a Redis database (the one shipped in
:mod:`auditor.dynamic.probes.redis_keys`)::

    [project.entry-points."test_auditor.probes"]
    redis-keys = "auditor.dynamic.probes.redis_keys:factory"
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

ENTRY_POINT_GROUP = "test_auditor.probes"
MAX_VALUE = 120
"""Fingerprints are cut to this many characters."""

Snapshot = Mapping[str, str]


@dataclass(frozen=True)
class ProbeContext:
    """What a probe factory may look at: the rootdir, temporary folders, settings.

    ``settings`` holds the driver's options as strings: ``db_url`` (``--db-url`` or
    ``db-url`` of ``[tool.test-auditor.leaks]``), ``redis_url`` (``--redis-url``),
    ``modules`` (``modules`` of that table, comma-separated) and, in the hunt's rounds,
    ``watch`` (a file of the globals keys the default order saw change: the globals probe
    reads only their modules).
    """

    rootdir: Path
    temporary: tuple[Path, ...] = ()
    settings: Mapping[str, str] = field(default_factory=dict)


class Probe(Protocol):
    """One kind of state. ``name`` is short and stable (``environ``, ``sqlite``)."""

    name: str

    def snapshot(self) -> Snapshot:
        """The current state, key -> fingerprint. Must be cheap and must not change state."""
        ...


# A probe may also define ``changes(before, after) -> Sequence[Change]`` to drop differences
# that are not leaks (a module imported for the first time is not one); ``changes`` below
# falls back to ``diff``. And ``notes: list[str]``: what it skipped and why (an object it
# could not read), which the plugin writes with the session's probe errors at its end.
# A snapshot may be the very mapping the probe returned last time when nothing changed
# (``diff`` then costs nothing): nobody changes a snapshot once taken.


ProbeFactory = Callable[[ProbeContext], "Probe | None"]


@dataclass(frozen=True)
class Change:
    """One key whose fingerprint differs between two snapshots (``None``: absent)."""

    probe: str
    key: str
    before: str | None
    after: str | None
    via: str = ""
    """Who left it, when not the test itself: ``fixture staging_env (module scope)``."""

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"

    @property
    def where(self) -> tuple[str, str]:
        """The state this change is about: (probe, key)."""
        return (self.probe, self.key)

    def undoes(self, earlier: Change) -> bool:
        """This change puts back what ``earlier`` (on the same state) replaced."""
        return self.where == earlier.where and (self.before, self.after) == (
            earlier.after,
            earlier.before,
        )

    def describe(self) -> str:
        by = f", left by {self.via}" if self.via else ""
        if self.before is None:
            return f"{self.key} = {self.after} (was unset{by})"
        if self.after is None:
            return f"{self.key} removed (was {self.before}{by})"
        return f"{self.key} = {self.after} (was {self.before}{by})"

    def to_json(self) -> list[str | None]:
        entry = [self.probe, self.key, self.before, self.after]
        return [*entry, self.via] if self.via else entry


def diff(probe: str, before: Snapshot, after: Snapshot) -> list[Change]:
    """The keys whose fingerprints differ, in key order."""
    if before is after or before == after:  # most tests change nothing a probe sees
        return []
    missing = object()
    keys = [key for key, value in after.items() if before.get(key, missing) != value]
    keys.extend(key for key in before if key not in after)
    return [Change(probe, key, before.get(key), after.get(key)) for key in sorted(keys)]


FILE_KEYS = (
    re.compile(r"^(?:open )?file (?P<path>.+)$"),
    re.compile(r"^sqlite (?P<path>.+?)(?: table .*)?$"),
)
"""Keys that hold a file's path: ``file app/out.csv`` (files), ``open file /tmp/x.db``
(descriptors), ``sqlite dev.sqlite table 'note' rows`` (sqlite)."""


def file_of_key(key: str) -> str | None:
    """The file a change's key names, as its probe shows it; None when it names none."""
    for pattern in FILE_KEYS:
        found = pattern.match(key)
        if found:
            return found["path"]
    return None


def shown_path(path: str, rootdir: str) -> str:
    """``path`` relative to the rootdir with ``/`` when it is inside it, else as it is."""
    if path.startswith(rootdir + os.sep):
        return os.path.relpath(path, rootdir).replace(os.sep, "/")
    return path


def short(text: str, limit: int = MAX_VALUE) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


BUILTIN: dict[str, str] = {
    "environ": "auditor.dynamic.probes.environ",
    "cwd": "auditor.dynamic.probes.cwd",
    "sys.path": "auditor.dynamic.probes.syspath",
    "sys.modules": "auditor.dynamic.probes.sys_modules",
    "globals": "auditor.dynamic.probes.globals",
    "logging": "auditor.dynamic.probes.logging_state",
    "warnings": "auditor.dynamic.probes.warnings_filters",
    "signals": "auditor.dynamic.probes.signal_handlers",
    "threads": "auditor.dynamic.probes.threads",
    "descriptors": "auditor.dynamic.probes.descriptors",
    "files": "auditor.dynamic.probes.files",
    "mocks": "auditor.dynamic.probes.mocks",
    "timezone": "auditor.dynamic.probes.timezone",
    "sqlite": "auditor.dynamic.probes.sqlite",
    "database": "auditor.dynamic.probes.database",
}
"""The probes that ship with test-auditor, by name -> module with a ``factory``."""


class _Round:
    """The snapshot being taken of every probe in turn (``None``: none)."""

    current: object | None = None


@contextmanager
def one_round() -> Iterator[None]:
    """Probes snapshotted one after the other with no code of the suite in between (the
    plugin's): what they read alike (``sys.modules``) may be read once for all of them."""
    _Round.current = object()
    try:
        yield
    finally:
        _Round.current = None


def current_round() -> object | None:
    """A token of the round going on (``None``: no round, read everything afresh)."""
    return _Round.current


def changes(probe: Probe, before: Snapshot, after: Snapshot) -> list[Change]:
    """What differs, by the probe's own ``changes`` when it has one (to drop its noise)."""
    own = getattr(probe, "changes", None)
    if own is not None:
        return list(own(before, after))
    return diff(probe.name, before, after)


def load(context: ProbeContext, selected: set[str] | None = None) -> tuple[list[Probe], list[str]]:
    """The built-in probes and those of the ``test_auditor.probes`` entry point group.

    ``selected``: the names to load (``None``: all). A factory that returns ``None`` does not
    apply here (no URL configured, driver missing) and is left out; one that cannot be
    imported or fails is left out too, and named in the errors returned.
    """
    import importlib
    from importlib.metadata import entry_points

    def builtin(module: str) -> Callable[[], ProbeFactory]:
        return lambda: importlib.import_module(module).factory

    loaders: dict[str, Callable[[], ProbeFactory]] = {}
    for name, module in BUILTIN.items():
        if selected is None or name in selected:
            loaders[name] = builtin(module)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if (selected is None or entry.name in selected) and entry.name not in loaders:
            loaders[entry.name] = entry.load
    probes: list[Probe] = []
    errors: list[str] = []
    for name, loader in loaders.items():
        try:
            probe = loader()(context)
        except Exception as error:  # a third-party probe must not break the user's run
            errors.append(f"{name}: {type(error).__name__}: {error}")
            continue
        if probe is not None:
            probes.append(probe)
    return probes, errors
