"""Module globals, class attributes, function defaults and caches of the suite's own modules.

The modules probed are those loaded from files under the rootdir (the project and its tests;
never site-packages or a virtualenv), the top-level packages the rootdir holds (``pkg/`` or
``src/pkg/``: the project is often imported from an installed copy, outside the rootdir),
plus any named in the ``modules`` setting. For each:

* every global: ``shop.config.RATE = 2.0 (was 1.0)``;
* attributes of plain objects held in globals, two levels deep:
  ``shop.main.app.dependency_overrides = dict(len=1)#… (was dict(len=0)#…)``;
* class attributes of the module's classes: ``shop.settings.Settings.debug = True``;
* mutable default arguments: ``shop.basket.add_item.__defaults__``;
* ``functools.lru_cache`` sizes: ``shop.settings.get_settings.cache_info() = 'currsize=1'``.

Values are fingerprinted by :mod:`auditor.dynamic.probes.fingerprints`, which reads
attributes with ``vars()`` so no property, ``__getattr__`` or ``__iter__`` of the user's code
ever runs. A global bound to a module is ``<module NAME>``: a test that swaps a module for a
fake leaves a change, while a lazy import (``None`` or nothing, then the module) does not.

Modules first imported during a test are not changes (their globals did not exist before).
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from auditor.dynamic.probes import Change, ProbeContext, Snapshot, diff
from auditor.dynamic.probes.fingerprints import (
    SCALARS,
    WEAK,
    Fingerprints,
    elements,
    fingerprint,
)

MODULE = "<module>"
MODULE_VALUE = "<module "
"""The fingerprint of a global bound to a module starts so: ``<module json>``."""
MAX_KEYS_PER_MODULE = 2000
SKIPPED_PARTS = frozenset({"site-packages", "dist-packages", ".tox", ".nox", "node_modules"})
Fingerprint = Callable[[object], str]

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
    if not path:
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


class GlobalsProbe:
    name = "globals"

    def __init__(
        self, rootdir: Path, prefixes: tuple[str, ...] = (), packages: Iterable[str] = ()
    ) -> None:
        self.rootdir = rootdir.resolve()
        self.prefixes = prefixes
        """Module name prefixes of the ``modules`` setting."""
        self.packages = tuple(packages)
        """Packages whose modules are the project's wherever they were imported from."""
        self.excluded = _virtualenvs(self.rootdir)
        self._known: dict[str, bool] = {}
        self._fingerprint = Fingerprints()

    def _modules(self) -> list[tuple[str, types.ModuleType]]:
        chosen = []
        entries: list[tuple[str, object]] = list(sys.modules.items())  # fakes are objects too
        for name, module in entries:
            if not isinstance(module, types.ModuleType) or name.startswith("auditor."):
                continue
            own = self._known.get(name)
            if own is None:
                path = getattr(module, "__file__", None)
                own = any(name.startswith(prefix) for prefix in self.prefixes) or any(
                    name == package or name.startswith(package + ".") for package in self.packages
                )
                if not own:
                    own = _own_module(path, self.rootdir, self.excluded)
                self._known[name] = own
            if own:
                chosen.append((name, module))
        return chosen

    def snapshot(self) -> Snapshot:
        snapshot: dict[str, str] = {}
        modules = self._modules()
        own = {name for name, _ in modules}
        expanded: set[int] = set()
        for name, module in sorted(modules, key=_tests_last):
            snapshot[name] = MODULE
            _module_state(name, module, snapshot, own, expanded, self._fingerprint)
        return snapshot

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


def _tests_last(entry: tuple[str, types.ModuleType]) -> tuple[bool, str]:
    """The project's modules before test modules and conftests, so an object shared by both
    is named where the project defines it."""
    name = entry[0]
    last = name.rsplit(".", 1)[-1]
    return (last.startswith("test") or last == "conftest" or ".tests." in name, name)


def _module_state(
    name: str,
    module: types.ModuleType,
    snapshot: dict[str, str],
    own: set[str],
    expanded: set[int],
    fingerprint: Fingerprint = fingerprint,
) -> None:
    """One module's globals, and inside the objects first seen here (each object once)."""
    budget = MAX_KEYS_PER_MODULE
    for attribute, value in list(vars(module).items()):
        if budget <= 0:
            break
        if attribute.startswith("__"):
            continue
        key = f"{name}.{attribute}"
        if isinstance(value, types.ModuleType):
            snapshot[key] = f"{MODULE_VALUE}{value.__name__}>"
            budget -= 1
            continue
        snapshot[key] = fingerprint(value)
        budget -= 1
        if id(value) in expanded:
            continue
        if isinstance(value, type):
            if value.__module__ == name:
                expanded.add(id(value))
                budget -= _class_state(key, value, snapshot, fingerprint)
        elif callable(value) and hasattr(value, "cache_info") and hasattr(value, "__wrapped__"):
            expanded.add(id(value))
            snapshot[f"{key}.cache_info()"] = _cache_size(value)
            budget -= 1
        elif isinstance(value, types.FunctionType):
            expanded.add(id(value))
            if value.__defaults__ and any(elements(d) is not None for d in value.__defaults__):
                snapshot[f"{key}.__defaults__"] = fingerprint(value.__defaults__)
                budget -= 1
        elif type(value).__module__ in own and _plain_object(value):
            expanded.add(id(value))
            budget -= _object_state(key, value, snapshot, own, 2, fingerprint)


def _cache_size(wrapper: object) -> str:
    try:
        info = wrapper.cache_info()  # type: ignore[attr-defined]
    except Exception as error:  # a cache_info that is not functools': name the failure
        return f"<{type(error).__name__}>"
    return repr(f"currsize={getattr(info, 'currsize', info)}")


def _plain_object(value: object) -> bool:
    if isinstance(value, (*SCALARS, types.FunctionType, types.BuiltinFunctionType, type, *WEAK)):
        return False
    if elements(value) is not None:
        return False
    try:
        return isinstance(vars(value), dict)
    except Exception:  # no __dict__, or a proxy whose __dict__ raises: not expanded
        return False


def _object_state(
    key: str,
    value: object,
    snapshot: dict[str, str],
    own: set[str],
    depth: int,
    fingerprint: Fingerprint,
) -> int:
    used = 0
    for attribute, inner in list(vars(value).items())[:100]:
        if attribute.startswith("__") or isinstance(inner, types.ModuleType):
            continue
        inner_key = f"{key}.{attribute}"
        snapshot[inner_key] = fingerprint(inner)
        used += 1
        if depth > 1 and type(inner).__module__ in own and _plain_object(inner):
            used += _object_state(inner_key, inner, snapshot, own, depth - 1, fingerprint)
    return used


_RUNNER_ATTRIBUTES = frozenset({"tearDown_exceptions", "_classSetupFailed", "_class_cleanups"})
"""What unittest itself keeps on a ``TestCase`` class while running it, not the suite's."""


def _class_state(key: str, klass: type, snapshot: dict[str, str], fingerprint: Fingerprint) -> int:
    used = 0
    for attribute, value in list(vars(klass).items())[:200]:
        if (
            attribute.startswith("__")
            or attribute in _RUNNER_ATTRIBUTES
            or isinstance(value, types.FunctionType | staticmethod | classmethod | property)
        ):
            continue
        if type(value).__name__ in ("member_descriptor", "getset_descriptor"):
            continue
        snapshot[f"{key}.{attribute}"] = fingerprint(value)
        used += 1
    return used


def factory(context: ProbeContext) -> GlobalsProbe:
    prefixes = tuple(
        prefix.strip()
        for prefix in context.settings.get("modules", "").split(",")
        if prefix.strip()
    )
    return GlobalsProbe(context.rootdir, prefixes, project_packages(context.rootdir.resolve()))
