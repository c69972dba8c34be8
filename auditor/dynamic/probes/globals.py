"""Module globals, class attributes, function defaults and caches of the suite's own modules.

The modules probed are those loaded from files under the rootdir (the project and its tests;
never site-packages or a virtualenv), the top-level packages the rootdir holds (``pkg/`` or
``src/pkg/``: the project is often imported from an installed copy, outside the rootdir),
plus any named in the ``modules`` setting. For each:

* every global: ``shop.config.RATE = 2.0 (was 1.0)``;
* attributes of objects held in globals, whatever library their class comes from (a Flask
  app's ``config``, ``extensions`` and handler lists, a registry, a cache object), and of
  the project's own objects held in those, two levels deep:
  ``shop.main.app.dependency_overrides = dict(len=1)#… (was dict(len=0)#…)``. Of an object
  of another library only the public attributes count (its ``_cache`` is its business);
* class attributes of the module's classes: ``shop.settings.Settings.debug = True``;
* mutable default arguments: ``shop.basket.add_item.__defaults__``;
* ``functools.lru_cache`` sizes: ``shop.settings.get_settings.cache_info() = 'currsize=1'``.

Values are fingerprinted by :mod:`auditor.dynamic.probes.fingerprints`, which reads
attributes with ``vars()`` so no property, ``__getattr__`` or ``__iter__`` of the user's code
ever runs, and tells kinds of values apart by ``type()`` alone (``isinstance`` would ask a
proxy for its ``__class__``). A global bound to a module is ``<module NAME>``: a test that
swaps a module for a fake leaves a change, while a lazy import (``None`` or nothing, then the
module) does not.

**One object never takes the probe down.** Whatever fails while one global or attribute is
read (a context-local proxy such as Flask's ``current_app`` outside an application context,
an object whose ``__dict__`` is a property that raises) skips that object alone: its key
keeps its type and identity as the fingerprint, and the probe's ``notes`` name it, once.

**Only what can have changed is read again.** A module's keys are computed once and reused
while every container they were read from (the module's namespace, its classes' namespaces,
the objects' ``__dict__``, every list, dict and set a fingerprint hashed) still holds the
very same objects, which is checked by identity at C speed; ``lru_cache`` sizes and weak
containers' lengths are read at every snapshot. What a test cannot see this way: a
``__class__`` or ``__qualname__`` reassigned in place. The check is made in bulk
(:class:`~auditor.dynamic.probes.fingerprints.Bulk`): once for all the settled modules
together (those nothing changed in lately: most snapshots find nothing changed and return
the last snapshot itself), once per module for the others (a module a fixture touches at
every test), and only in a module found changed, global by global. When a settled module
changes, every module is checked on its own that time, and the settled ones are gathered
again.

Modules first imported during a test are not changes (their globals did not exist before).

**A watch list reads fewer modules.** Given the keys to watch (the ``watch`` setting: a
file, one key a line), only the modules that own one of them are read (a key's owner is the
longest module name that prefixes it), the others not at all. The hunt's rounds watch what
the default order saw tests change (:mod:`auditor.dynamic.runner.hunt`).
"""

from __future__ import annotations

import functools
import gc
import operator
import os
import sys
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import is_
from pathlib import Path

from auditor.dynamic.probes import Change, ProbeContext, Snapshot, diff, short
from auditor.dynamic.probes.fingerprints import (
    DEFINITION,
    OTHER,
    Bulk,
    Fingerprints,
    Reads,
    _kind,
    address,
    elements,
    fingerprint,
)
from auditor.dynamic.probes.sys_modules import MODULES

MODULE = "<module>"
MODULE_VALUE = "<module "
"""The fingerprint of a global bound to a module starts so: ``<module json>``."""
MAX_KEYS_PER_MODULE = 2000
MAX_ATTRIBUTES = 100
"""Attributes read per object."""
MAX_NOTES = 20
_DEFAULTS = operator.attrgetter("__defaults__")
SKIPPED_PARTS = frozenset({"site-packages", "dist-packages", ".tox", ".nox", "node_modules"})

__all__ = ["GlobalsProbe", "factory", "fingerprint", "project_packages"]


def project_packages(rootdir: Path) -> tuple[str, ...]:
    """The top-level packages in the rootdir (``pkg/__init__.py``) and in ``src/``: the
    project's own code even when it is imported from an installed copy."""
    found: list[str] = []
    for folder, need_init in ((rootdir, True), (rootdir / "src", False)):
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if not name.isidentifier() or name in SKIPPED_PARTS or not entry.is_dir():
                continue
            if need_init and not os.path.exists(os.path.join(entry.path, "__init__.py")):
                continue
            if os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                continue
            found.append(name)
    return tuple(dict.fromkeys(found))


def _own_module(path: str | None, rootdir: Path, excluded: tuple[Path, ...]) -> bool:
    if not isinstance(path, str) or not path:
        return False
    try:
        resolved = Path(path).resolve()
        relative = resolved.relative_to(rootdir)
    except (OSError, ValueError):
        return False
    in_tree = not SKIPPED_PARTS.intersection(relative.parts)
    return in_tree and not any(resolved.is_relative_to(folder) for folder in excluded)


def _virtualenvs(rootdir: Path) -> tuple[Path, ...]:
    """Folders of virtualenvs under the rootdir (``.venv`` and the like): not the project's."""
    found = [Path(sys.prefix).resolve()]
    try:
        for entry in os.scandir(rootdir):
            if entry.is_dir() and os.path.exists(os.path.join(entry.path, "pyvenv.cfg")):
                found.append(Path(entry.path).resolve())
    except OSError:
        pass
    return tuple(found)


def _namespace(value: object) -> dict[str, object] | None:
    """An object's own ``__dict__`` (``None``: it has none). No ``__getattribute__`` or
    ``__getattr__`` of its class runs; a ``__dict__`` property that raises does raise."""
    try:
        namespace = object.__getattribute__(value, "__dict__")
    except AttributeError:  # __slots__, or a builtin
        return None
    return namespace if type(namespace) is dict else None


def _module_name(kind: type) -> object:
    return type.__dict__["__module__"].__get__(kind)


class _Defaults:
    """Functions' ``__defaults__`` as they were read, told unchanged in one go. Reading
    ``__defaults__`` raises an audit event per function (``object.__getattr__``: the
    plugin's hook runs each time); ``gc.get_referents`` of them all raises one. A
    function's referents hold its defaults (with its code, globals, ``__dict__``...): while
    they are the very same objects, no ``__defaults__`` was rebound; when any differ (a
    ``__dict__`` made since, say), the ``__defaults__`` are compared one by one, and the
    referents taken again when those are the same. Made right where the defaults were
    read or checked (no code of the suite runs in between)."""

    __slots__ = ("defaults", "functions", "referents")

    def __init__(
        self, functions: tuple[types.FunctionType, ...], defaults: tuple[object, ...]
    ) -> None:
        self.functions = functions
        self.defaults = defaults
        self.referents: list[object] | None = gc.get_referents(*functions) if functions else None

    def same(self) -> bool:
        if not self.functions:
            return True
        now = gc.get_referents(*self.functions)
        known = self.referents
        if known is not None and len(now) == len(known) and all(map(is_, now, known)):
            return True
        if not all(map(is_, map(_DEFAULTS, self.functions), self.defaults)):
            return False
        self.referents = now
        return True


@dataclass(slots=True)
class _Part:
    """One global's keys (its own, and those of the object it is), and what they were read
    from: read again alone when only what it holds changed."""

    attribute: str
    value: object
    state: dict[str, str] = field(default_factory=dict)
    reads: Reads = field(default_factory=Reads)
    defaults: list[tuple[types.FunctionType, object]] = field(default_factory=list)
    """Functions whose ``__defaults__`` were read, with what they were."""
    caches: list[tuple[str, object]] = field(default_factory=list)
    """``lru_cache`` wrappers (key, wrapper), sized again at every snapshot."""
    expanded: list[int] = field(default_factory=list)
    passed_over: bool = False
    """Its value had been expanded by an earlier module, so this one only named it."""

    def still(self) -> bool:
        for function, defaults in self.defaults:
            if function.__defaults__ is not defaults:
                return False
        return self.reads.unchanged()


@dataclass(slots=True)
class _Memo:
    """One module's keys: its namespace and each global's part."""

    module: types.ModuleType
    passed_over: frozenset[int] = frozenset()
    """Its globals' values that modules before it had expanded (so it only named them)."""
    namespace: Reads = field(default_factory=Reads)
    parts: list[_Part] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)
    caches: list[tuple[str, object]] = field(default_factory=list)
    expanded: list[int] = field(default_factory=list)
    reusable: bool = True
    watched: list[_Part] = field(default_factory=list)
    """The parts that read a container or a namespace (the others: a scalar, a function,
    change only when the module's namespace does)."""
    functions: tuple[types.FunctionType, ...] = ()
    defaults: tuple[object, ...] = ()
    """The module's functions and their ``__defaults__`` as they were read."""
    same_defaults: _Defaults = field(default_factory=lambda: _Defaults((), ()))
    bulk: Bulk | None = None
    """The namespace's and the watched parts' reads, to check in one go (made once the
    module was found unchanged: a module that changes at every snapshot never needs it)."""
    settled: bool = False
    """Nothing of it changed at the last snapshot."""

    def join(self) -> None:
        """The module's keys, caches and expanded objects from its parts."""
        self.state = {}
        self.caches = []
        self.expanded = []
        self.watched = []
        self.passed_over = frozenset(address(part.value) for part in self.parts if part.passed_over)
        pairs: list[tuple[types.FunctionType, object]] = []
        for part in self.parts:
            self.state.update(part.state)
            self.caches.extend(part.caches)
            self.expanded.extend(part.expanded)
            pairs.extend(part.defaults)
            if len(part.reads):
                self.watched.append(part)
        self.functions = tuple(function for function, _ in pairs)
        self.defaults = tuple(defaults for _, defaults in pairs)
        self.same_defaults = _Defaults(self.functions, self.defaults)
        self.bulk = None
        self.settled = False

    def reads(self) -> list[Reads]:
        """What the module's keys were read from: its namespace, its watched parts."""
        return [self.namespace, *(part.reads for part in self.watched)]

    def quiet(self) -> bool:
        """Nothing the module's keys were read from changed: its namespace, every
        function's ``__defaults__``, every watched container (in bulk, see :class:`Bulk`).
        Only asked of a module found unchanged last time (else ``False`` at once)."""
        if not self.settled:
            return False
        return self.same_defaults.same() and self.checks().unchanged()

    def checks(self) -> Bulk:
        if self.bulk is None:
            self.bulk = Bulk(self.reads())
        return self.bulk

    def fits(self, expanded: set[int]) -> bool:
        """Would the module read the same with ``expanded`` as the objects earlier modules
        expanded? Only its own globals' values are looked up there: those it passed over
        must still be expanded before it, and none it expanded may be. (Its parts hold
        their values, so an id here cannot be another object's.)"""
        return self.passed_over <= expanded and expanded.isdisjoint(self.expanded)

    def changed(self) -> list[_Part]:
        """The parts whose containers changed (checked by identity, at C speed where it can
        be: every function's ``__defaults__`` in one go)."""
        if not self.same_defaults.same():
            return [part for part in self.parts if part.defaults and not part.still()]
        return [part for part in self.watched if not part.reads.unchanged()]


@dataclass(slots=True)
class _Settled:
    """Modules nothing changed in at the snapshot that gathered them, checked together in
    one go (their functions' ``__defaults__`` and one :class:`Bulk` of their reads)."""

    memos: dict[str, _Memo]
    bulk: Bulk
    same_defaults: _Defaults
    others: list[_Memo]
    """The modules outside the group, checked each on its own."""

    @classmethod
    def of(cls, memos: dict[str, _Memo], others: list[_Memo]) -> _Settled:
        kept = memos.values()
        return cls(
            memos,
            Bulk.of(memo.checks() for memo in kept),
            _Defaults(
                tuple(chain.from_iterable(memo.functions for memo in kept)),
                tuple(chain.from_iterable(memo.defaults for memo in kept)),
            ),
            others,
        )

    def quiet(self) -> bool:
        """Nothing any of them was read from changed (see :meth:`_Memo.quiet`)."""
        return self.same_defaults.same() and self.bulk.unchanged()

    def holds(self, name: str, memo: _Memo) -> bool:
        return self.memos.get(name) is memo


GATHER_AGAIN = 3
"""Settled modules outside the group (after one changed once) that make it gathered again."""


class GlobalsProbe:
    name = "globals"

    def __init__(
        self,
        rootdir: Path,
        prefixes: tuple[str, ...] = (),
        packages: Iterable[str] = (),
        watch: Iterable[str] | None = None,
    ) -> None:
        self.rootdir = rootdir.resolve()
        self.watch = None if watch is None else frozenset(watch)
        """Keys whose owning modules alone are read (``None``: every module)."""
        self.prefixes = prefixes
        """Module name prefixes of the ``modules`` setting."""
        self.packages = tuple(packages)
        """Packages whose modules are the project's wherever they were imported from."""
        self.excluded = _virtualenvs(self.rootdir)
        self.notes: list[str] = []
        """Objects skipped because reading them failed, each named once."""
        self._skipped: set[str] = set()
        self._known: dict[str, bool] = {}
        self._fingerprint = Fingerprints()
        self._table = MODULES
        self._version = -1
        """The version of ``sys.modules`` ``_chosen`` was chosen from."""
        self._chosen: list[tuple[str, types.ModuleType]] = []
        self._probed: list[tuple[str, types.ModuleType]] = []
        """The modules of ``_chosen`` that are read (those the watch list names)."""
        self._memos: dict[str, _Memo] = {}
        self._own: frozenset[str] = frozenset()
        self._last: Snapshot = {}
        self._last_sizes: list[str] = []
        self._last_modules: list[tuple[str, types.ModuleType]] | None = None
        self._settled: _Settled | None = None
        """The modules checked together (``None``: to be gathered at the next snapshot).
        Where something changed, the next snapshot is often another test's that changes it
        too (a counter every attrs class bumps): such a module is checked on its own."""

    def _modules(self) -> list[tuple[str, types.ModuleType]]:
        """The project's modules, tests last; chosen again only when ``sys.modules``
        changed."""
        version = self._table.version_now()
        if version == self._version:
            return self._chosen
        self._version = version
        chosen = []
        for name, module in self._table.entries:  # fakes are objects too: types only
            if not issubclass(type(module), types.ModuleType) or type(name) is not str:
                continue
            if name.startswith("auditor."):
                continue
            own = self._known.get(name)
            if own is None:
                own = self._is_own(name, module)
                self._known[name] = own
            if own:
                chosen.append((name, module))
        self._chosen = sorted(chosen, key=_tests_last)
        self._probed = self._chosen if self.watch is None else _owners(self._chosen, self.watch)
        return self._chosen

    def _is_own(self, name: str, module: types.ModuleType) -> bool:
        if any(name.startswith(prefix) for prefix in self.prefixes) or any(
            name == package or name.startswith(package + ".") for package in self.packages
        ):
            return True
        try:
            path = (_namespace(module) or {}).get("__file__")
        except Exception:  # a module type whose __dict__ raises: not read
            return False
        return _own_module(path, self.rootdir, self.excluded)  # type: ignore[arg-type]

    def snapshot(self) -> Snapshot:
        chosen = self._modules()
        modules = self._probed
        settled = self._settled
        if settled is not None and not settled.quiet():
            settled = None  # one of them changed: each is checked on its own this time
        if (
            settled is not None
            and modules is self._last_modules
            and all(map(_Memo.quiet, settled.others))  # the few others each on its own
            and self._sizes() == self._last_sizes
        ):
            return self._last  # nothing changed anywhere: the very same snapshot
        snapshot: dict[str, str] = {}
        own = frozenset(name for name, _ in chosen)
        if own != self._own:  # what counts as the project's objects changed: read all again
            self._memos = {}
            self._own = own
        expanded: set[int] = set()
        memos: dict[str, _Memo] = {}
        same_before = True
        """Every module so far expanded what it did last time: no need to compare."""
        reused = modules is self._last_modules
        for name, module in modules:
            memo = self._memos.get(name)
            if (
                memo is not None
                and memo.module is module
                and memo.reusable
                and (same_before or memo.fits(expanded))
            ):
                if (settled is not None and settled.holds(name, memo)) or memo.quiet():
                    expanded.update(memo.expanded)
                    memos[name] = memo
                    continue
                changed = memo.changed() if memo.namespace.unchanged() else None
                if changed is not None and (
                    not changed or self._read_again(name, memo, changed, own, expanded)
                ):
                    expanded.update(memo.expanded)
                    reused = reused and not changed
                    memo.settled = not changed
                    memos[name] = memo
                    continue
            old = memo
            memo = self._module_state(name, module, own, expanded)
            same_before = same_before and old is not None and old.expanded == memo.expanded
            reused = False
            memos[name] = memo
        self._memos = memos
        self._gather(settled)
        sizes = self._sizes()
        if reused and sizes == self._last_sizes:
            return self._last  # nothing changed: the very same snapshot
        for name, memo in memos.items():
            snapshot[name] = MODULE
            snapshot.update(memo.state)
        keys = (key for memo in memos.values() for key, _ in memo.caches)
        snapshot.update(zip(keys, sizes, strict=True))
        self._last, self._last_sizes, self._last_modules = snapshot, sizes, modules
        return snapshot

    def _sizes(self) -> list[str]:
        """Every ``lru_cache``'s size now."""
        return [_cache_size(wrapper) for memo in self._memos.values() for _, wrapper in memo.caches]

    def _gather(self, settled: _Settled | None) -> None:
        """The settled modules, checked together from the next snapshot on: gathered again
        when one of the group changed, or when enough others have settled since."""
        memos = self._memos
        if settled is not None:
            others = [memo for name, memo in memos.items() if not settled.holds(name, memo)]
            calm = sum(1 for memo in others if memo.settled)
            if calm < GATHER_AGAIN and len(memos) - len(others) == len(settled.memos):
                settled.others = others
                self._settled = settled
                return
        group = {name: memo for name, memo in memos.items() if memo.settled}
        others = [memo for memo in memos.values() if not memo.settled]
        self._settled = _Settled.of(group, others) if group else None

    def changes(self, before: Snapshot, after: Snapshot) -> Sequence[Change]:
        kept = []
        for change in diff(self.name, before, after):
            if change.before is None and _owner(change.key, after) not in before:
                continue  # a module imported during the test
            if change.after == MODULE or change.before == MODULE:
                continue
            if _lazy_import(change):
                continue
            kept.append(change)
        return kept

    # -- reading one module ------------------------------------------------------------
    def _skip(self, key: str, error: BaseException) -> None:
        """Name a skipped object once in the notes."""
        if key in self._skipped:
            return
        self._skipped.add(key)
        if len(self._skipped) <= MAX_NOTES:
            self.notes.append(
                short(f"skipped {key}, reading it raised {type(error).__name__}: {error}", 200)
            )
        elif len(self._skipped) == MAX_NOTES + 1:
            self.notes.append("skipped more objects whose reading raised (not named)")

    def _module_state(
        self, name: str, module: types.ModuleType, own: frozenset[str], expanded: set[int]
    ) -> _Memo:
        """One module's globals, and inside the objects first seen here (each object once)."""
        memo = _Memo(module)
        try:
            namespace = _namespace(module)
        except Exception as error:
            namespace = None
            self._skip(name, error)
        if namespace is None:
            memo.reusable = False
            return memo
        memo.namespace.namespace(module)
        budget = MAX_KEYS_PER_MODULE
        for attribute, value in list(namespace.items()):
            if budget <= 0:
                break
            if type(attribute) is not str or attribute.startswith("__"):
                continue
            part = self._part(name, attribute, value, own, expanded)
            budget -= len(part.state)
            memo.parts.append(part)
        memo.join()
        return memo

    def _part(
        self, name: str, attribute: str, value: object, own: frozenset[str], expanded: set[int]
    ) -> _Part:
        key = f"{name}.{attribute}"
        part = _Part(attribute, value)
        try:
            self._global(name, key, value, part, own, expanded)
        except Exception as error:  # one object never takes the probe down
            part.state.setdefault(key, _identity(value))
            self._skip(key, error)
        return part

    def _read_again(
        self,
        name: str,
        memo: _Memo,
        changed: list[_Part],
        own: frozenset[str],
        expanded: set[int],
    ) -> bool:
        """Read again only the globals whose containers changed; ``False`` when that would
        expand other objects than before (then the whole module is read again)."""
        seen = set(expanded)
        for index, part in enumerate(memo.parts):
            if part in changed:
                new = self._part(name, part.attribute, part.value, own, seen)
                if new.expanded != part.expanded:
                    return False
                memo.parts[index] = new
            seen.update(part.expanded)
        memo.join()
        return True

    def _global(
        self,
        name: str,
        key: str,
        value: object,
        memo: _Part,
        own: frozenset[str],
        expanded: set[int],
    ) -> int:
        """One global's keys (and those of what it holds); how many."""
        kind = type(value)
        if issubclass(kind, types.ModuleType):
            module_name = (_namespace(value) or {}).get("__name__")
            memo.state[key] = f"{MODULE_VALUE}{module_name}>"
            return 1
        memo.state[key] = self._fingerprint(value, memo.reads)
        if address(value) in expanded:
            memo.passed_over = True
            return 1
        if issubclass(kind, type):
            if vars(value).get("__module__") == name:
                self._expand(value, memo, expanded)
                return 1 + self._class_state(key, value, memo)  # type: ignore[arg-type]
            return 1
        if _is_cache(value, kind):
            self._expand(value, memo, expanded)
            memo.caches.append((f"{key}.cache_info()", value))
            return 1
        if kind is types.FunctionType:
            self._expand(value, memo, expanded)
            defaults = value.__defaults__  # type: ignore[attr-defined]
            memo.defaults.append((value, defaults))  # type: ignore[arg-type]
            if defaults and any(elements(d) is not None for d in defaults):
                memo.state[f"{key}.__defaults__"] = self._fingerprint(defaults, memo.reads)
                return 2
            return 1
        if _kind(value) != OTHER:
            return 1
        namespace = _namespace(value)
        if namespace is None:
            return 1
        self._expand(value, memo, expanded)
        mine = _module_name(kind) in own
        return 1 + self._object_state(key, value, namespace, memo, own, 2, public=not mine)

    @staticmethod
    def _expand(value: object, memo: _Part, expanded: set[int]) -> None:
        number = address(value)
        expanded.add(number)
        memo.expanded.append(number)

    def _object_state(
        self,
        key: str,
        value: object,
        namespace: dict[str, object],
        memo: _Part,
        own: frozenset[str],
        depth: int,
        public: bool,
    ) -> int:
        """An object's attributes (``public``: those not starting with ``_``), and inside
        the project's own objects among them, ``depth`` levels down."""
        entry = memo.reads.namespace(value)
        used = 0
        for index, (attribute, inner) in enumerate(islice(namespace.items(), MAX_ATTRIBUTES)):
            if type(attribute) is not str or attribute.startswith("_" if public else "__"):
                continue
            kind = type(inner)
            if issubclass(kind, types.ModuleType):
                continue
            inner_key = f"{key}.{attribute}"
            try:
                where = (entry, index)
                memo.state[inner_key] = self._fingerprint(inner, memo.reads, where)
                used += 1
                if depth > 1 and _kind(inner) == OTHER and _module_name(kind) in own:
                    inner_namespace = _namespace(inner)
                    if inner_namespace is not None:
                        used += self._object_state(
                            inner_key, inner, inner_namespace, memo, own, depth - 1, False
                        )
            except Exception as error:
                memo.state.setdefault(inner_key, _identity(inner))
                self._skip(inner_key, error)
        return used

    def _class_state(self, key: str, klass: type, memo: _Part) -> int:
        namespace = vars(klass)
        entry = memo.reads.namespace(klass)
        used = 0
        for index, (attribute, value) in enumerate(list(islice(namespace.items(), 200))):
            if (
                type(attribute) is not str
                or attribute.startswith("__")
                or attribute in _RUNNER_ATTRIBUTES
                or issubclass(type(value), _NOT_CLASS_STATE)
            ):
                continue
            if type(value).__name__ in ("member_descriptor", "getset_descriptor"):
                continue
            where = (entry, index)
            memo.state[f"{key}.{attribute}"] = self._fingerprint(value, memo.reads, where)
            used += 1
        return used


def _identity(value: object) -> str:
    return f"<{type(value).__name__}>#{id(value):x}"


def _is_cache(value: object, kind: type) -> bool:
    """An ``lru_cache`` (functools' or one like it: ``cache_info`` and ``__wrapped__``),
    told without asking the object for attributes it may make up (a mock has them all)."""
    if issubclass(kind, functools._lru_cache_wrapper):
        return True
    if _kind(value) not in (OTHER, DEFINITION) or issubclass(kind, type):
        return False
    namespace = _namespace(value)
    if namespace is None or "__wrapped__" not in namespace:
        return False
    return callable(namespace.get("cache_info")) or callable(getattr(kind, "cache_info", None))


def _lazy_import(change: Change) -> bool:
    """A global that was ``None`` (or absent) and is now a module: imported on first use."""
    after = change.after or ""
    return after.startswith(MODULE_VALUE) and change.before in (None, "None")


def _owner(key: str, snapshot: Snapshot) -> str:
    """The longest module name that prefixes ``key``."""
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:end])
        if snapshot.get(candidate) == MODULE:
            return candidate
    return key


def _owners(
    modules: list[tuple[str, types.ModuleType]], keys: frozenset[str]
) -> list[tuple[str, types.ModuleType]]:
    """The modules that own one of ``keys``: for each key, the longest module name that
    prefixes it (``shop.config`` for ``shop.config.Settings.debug``, not ``shop``)."""
    names = {name for name, _ in modules}
    owners: set[str] = set()
    for key in keys:
        parts = key.split(".")
        for end in range(len(parts) - 1, 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in names:
                owners.add(candidate)
                break
    return [(name, module) for name, module in modules if name in owners]


def _tests_last(entry: tuple[str, types.ModuleType]) -> tuple[bool, str]:
    """The project's modules before test modules and conftests, so an object shared by both
    is named where the project defines it."""
    name = entry[0]
    last = name.rsplit(".", 1)[-1]
    return (last.startswith("test") or last == "conftest" or ".tests." in name, name)


def _cache_size(wrapper: object) -> str:
    try:
        info = wrapper.cache_info()  # type: ignore[attr-defined]
        return repr(f"currsize={getattr(info, 'currsize', info)}")
    except Exception as error:  # a cache_info that is not functools': name the failure
        return f"<{type(error).__name__}>"


_NOT_CLASS_STATE = (types.FunctionType, staticmethod, classmethod, property)
_RUNNER_ATTRIBUTES = frozenset({"tearDown_exceptions", "_classSetupFailed", "_class_cleanups"})
"""What unittest itself keeps on a ``TestCase`` class while running it, not the suite's."""


def factory(context: ProbeContext) -> GlobalsProbe:
    prefixes = tuple(
        prefix.strip()
        for prefix in context.settings.get("modules", "").split(",")
        if prefix.strip()
    )
    return GlobalsProbe(
        context.rootdir,
        prefixes,
        project_packages(context.rootdir.resolve()),
        _watched(context.settings.get("watch")),
    )


def _watched(path: str | None) -> list[str] | None:
    """The keys of the ``watch`` setting's file (``None``: no list, or none readable)."""
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
