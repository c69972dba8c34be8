"""Module globals, class attributes, function defaults and caches of the suite's own modules.

The modules probed are those loaded from files under the rootdir (the project and its tests;
never site-packages or a virtualenv), plus any named in the ``modules`` setting. For each:

* every global: ``shop.config.RATE = 2.0 (was 1.0)``;
* attributes of plain objects held in globals, two levels deep:
  ``shop.main.app.dependency_overrides = dict(len=1)#… (was dict(len=0)#…)``;
* class attributes of the module's classes: ``shop.settings.Settings.debug = True``;
* mutable default arguments: ``shop.basket.add_item.__defaults__``;
* ``functools.lru_cache`` sizes: ``shop.settings.get_settings.cache_info() = 'currsize=1'``.

Containers are fingerprinted by length and a hash of their elements (nested containers two
levels down), so mutating a list in place is a change, not only rebinding it. Fingerprints use
``repr`` only for str, bytes, numbers, None and bool, and read attributes with ``vars()`` so
no property, ``__getattr__`` or ``__iter__`` of the user's code ever runs.

Modules first imported during a test are not changes (their globals did not exist before).
"""

from __future__ import annotations

import enum
import os
import sys
import types
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from auditor.dynamic.probes import Change, ProbeContext, Snapshot, diff, short

MODULE = "<module>"
SCALARS = (str, bytes, int, float, complex, bool, type(None))
MAX_ELEMENTS = 200
MAX_KEYS_PER_MODULE = 2000
SKIPPED_PARTS = frozenset({"site-packages", "dist-packages", ".tox", ".nox", "node_modules"})


def _scalar(value: object) -> str:
    return short(repr(value), 60)


def _identity(value: object) -> str:
    return f"<{type(value).__name__}>#{id(value):x}"


def _elements(value: object) -> Iterator[object] | None:
    """The elements of a builtin container, read without running user code."""
    if isinstance(value, dict):
        return (item for pair in dict.items(value) for item in pair)
    if type(value) in (list, tuple, set, frozenset):
        return iter(value)  # type: ignore[call-overload, no-any-return]
    return None


def _content_hash(value: object, depth: int, budget: list[int]) -> int:
    elements = _elements(value)
    if elements is None:
        return zlib.crc32(_leaf(value).encode())
    crc = zlib.crc32(type(value).__name__.encode())
    for element in elements:
        budget[0] -= 1
        if budget[0] < 0:
            break
        if depth > 0 and _elements(element) is not None:
            part = _content_hash(element, depth - 1, budget)
            crc = zlib.crc32(part.to_bytes(4, "little"), crc)
        else:
            crc = zlib.crc32(_leaf(element).encode(), crc)
    return crc


def _leaf(value: object) -> str:
    if isinstance(value, SCALARS) and not isinstance(value, enum.Enum):
        return _scalar(value)
    return _identity(value)


def fingerprint(value: object) -> str:
    """A short readable fingerprint; equal for equal state, different after a mutation."""
    if isinstance(value, SCALARS):
        return _scalar(value)
    if _elements(value) is not None:
        size = len(value)  # type: ignore[arg-type]
        digest = _content_hash(value, 2, [MAX_ELEMENTS])
        if size <= 4 and all(isinstance(e, SCALARS) for e in _elements(value) or ()):
            return short(f"{value!r}", 80) + f"#{digest:08x}"
        return f"{type(value).__name__}(len={size})#{digest:08x}"
    if isinstance(value, types.FunctionType | type):
        return f"<{value.__qualname__}>#{id(value):x}"
    return _identity(value)


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

    def __init__(self, rootdir: Path, prefixes: tuple[str, ...] = ()) -> None:
        self.rootdir = rootdir.resolve()
        self.prefixes = prefixes
        self.excluded = _virtualenvs(self.rootdir)
        self._known: dict[str, bool] = {}

    def _modules(self) -> list[tuple[str, types.ModuleType]]:
        chosen = []
        entries: list[tuple[str, object]] = list(sys.modules.items())  # fakes are objects too
        for name, module in entries:
            if not isinstance(module, types.ModuleType) or name.startswith("auditor."):
                continue
            own = self._known.get(name)
            if own is None:
                path = getattr(module, "__file__", None)
                own = any(name.startswith(prefix) for prefix in self.prefixes)
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
            _module_state(name, module, snapshot, own, expanded)
        return snapshot

    def changes(self, before: Snapshot, after: Snapshot) -> Sequence[Change]:
        kept = []
        for change in diff(self.name, before, after):
            if change.before is None and _owner(change.key, after) not in before:
                continue  # a module imported during the test
            if change.after == MODULE or change.before == MODULE:
                continue
            kept.append(change)
        return kept


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
) -> None:
    """One module's globals, and inside the objects first seen here (each object once)."""
    budget = MAX_KEYS_PER_MODULE
    for attribute, value in list(vars(module).items()):
        if budget <= 0:
            break
        if attribute.startswith("__") or isinstance(value, types.ModuleType):
            continue
        key = f"{name}.{attribute}"
        snapshot[key] = fingerprint(value)
        budget -= 1
        if id(value) in expanded:
            continue
        if isinstance(value, type):
            if value.__module__ == name:
                expanded.add(id(value))
                budget -= _class_state(key, value, snapshot)
        elif callable(value) and hasattr(value, "cache_info") and hasattr(value, "__wrapped__"):
            expanded.add(id(value))
            snapshot[f"{key}.cache_info()"] = _cache_size(value)
            budget -= 1
        elif isinstance(value, types.FunctionType):
            expanded.add(id(value))
            if value.__defaults__ and any(_elements(d) is not None for d in value.__defaults__):
                snapshot[f"{key}.__defaults__"] = fingerprint(value.__defaults__)
                budget -= 1
        elif type(value).__module__ in own and _plain_object(value):
            expanded.add(id(value))
            budget -= _object_state(key, value, snapshot, own, depth=2)


def _cache_size(wrapper: object) -> str:
    try:
        info = wrapper.cache_info()  # type: ignore[attr-defined]
    except Exception as error:  # a cache_info that is not functools': name the failure
        return f"<{type(error).__name__}>"
    return repr(f"currsize={getattr(info, 'currsize', info)}")


def _plain_object(value: object) -> bool:
    if isinstance(value, (*SCALARS, types.FunctionType, types.BuiltinFunctionType, type)):
        return False
    if _elements(value) is not None:
        return False
    try:
        return isinstance(vars(value), dict)
    except Exception:  # no __dict__, or a proxy whose __dict__ raises: not expanded
        return False


def _object_state(
    key: str, value: object, snapshot: dict[str, str], own: set[str], depth: int
) -> int:
    used = 0
    for attribute, inner in list(vars(value).items())[:100]:
        if attribute.startswith("__") or isinstance(inner, types.ModuleType):
            continue
        inner_key = f"{key}.{attribute}"
        snapshot[inner_key] = fingerprint(inner)
        used += 1
        if depth > 1 and type(inner).__module__ in own and _plain_object(inner):
            used += _object_state(inner_key, inner, snapshot, own, depth - 1)
    return used


def _class_state(key: str, klass: type, snapshot: dict[str, str]) -> int:
    used = 0
    for attribute, value in list(vars(klass).items())[:200]:
        if attribute.startswith("__") or isinstance(
            value, types.FunctionType | staticmethod | classmethod | property
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
    return GlobalsProbe(context.rootdir, prefixes)
