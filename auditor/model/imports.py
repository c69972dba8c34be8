"""Import resolution without importing: module names -> files, and module namespaces.

pytest registers every fixture a module's namespace holds, including those imported by
name (``from .fixtures import db``) or by ``import *``; it collects imported test classes and
functions too. This module follows such imports through the files of the suite (and the
installed packages on `sys.path`), reading only summaries.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.parse.summary import Class, Function, ModuleSummary, ParseFailure
from auditor.paths import is_file

SummaryLoader = Callable[[Path], "ModuleSummary | ParseFailure | None"]


@dataclass(frozen=True, slots=True)
class Target:
    """What a name in a module's namespace refers to: a def or class in some file."""

    path: Path
    summary: ModuleSummary
    obj: Function | Class


def package_root(path: Path) -> Path:
    """The directory pytest's "prepend" import mode puts on sys.path for this file:
    the first folder upwards that has no `__init__.py`."""
    return _package_root_of(path.parent)


@functools.lru_cache(maxsize=4096)
def _package_root_of(directory: Path) -> Path:
    if is_file(directory / "__init__.py") and directory.parent != directory:
        return _package_root_of(directory.parent)
    return directory


def module_name(path: Path) -> str:
    """The dotted name pytest imports a test module or conftest under (prepend mode)."""
    root = package_root(path)
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


class ModuleIndex:
    """Finds the file behind a module name and the target behind a name in a module."""

    def __init__(
        self,
        homes: Sequence[Path],
        search_roots: Sequence[Path],
        load: SummaryLoader,
        *,
        wanted: frozenset[str] | None = None,
        site_roots: Sequence[Path] | None = None,
    ) -> None:
        self.homes = frozenset(homes)
        self.wanted = wanted
        self._relevant: dict[Path, bool] = {}
        self._inside: dict[Path, bool] = {}
        self.search_roots = list(dict.fromkeys(search_roots))
        self.site_roots = (
            [Path(p) for p in sys.path if p and Path(p).is_dir()]
            if site_roots is None
            else list(site_roots)
        )
        """Where installed modules are found: the suite's environment (default: `sys.path`)."""
        self._load = load
        self._files: dict[tuple[str, str], Path | None] = {}
        self._namespaces: dict[Path, dict[str, Target]] = {}

    def find(self, name: str, *, importer: Path | None = None, level: int = 0) -> Path | None:
        """The file of module `name` imported from `importer` (relative when `level`)."""
        if level:
            if importer is None:
                return None
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            return _module_file(base, name) if name else _package_file(base)
        key = (name, str(package_root(importer)) if importer else "")
        if key not in self._files:
            roots = ([package_root(importer)] if importer else []) + self.search_roots
            self._files[key] = self._search(name, roots)
        return self._files[key]

    def _search(self, name: str, roots: Iterable[Path]) -> Path | None:
        for root in [*roots, *self.site_roots]:
            found = _module_file(root, name)
            if found is not None:
                return found
        return None

    def summary(self, path: Path) -> ModuleSummary | None:
        loaded = self._load(path)
        return loaded if isinstance(loaded, ModuleSummary) else None

    def namespace(self, path: Path) -> dict[str, Target]:
        """Every name bound at the top of `path` that is a def or a class."""
        cached = self._namespaces.get(path)
        if cached is not None:
            return cached
        self._namespaces[path] = {}  # guards against import cycles
        summary = self.summary(path)
        names: dict[str, Target] = {}
        if summary is not None:
            names = self._bind(path, summary)
        self._namespaces[path] = names
        return names

    def _bind(self, path: Path, summary: ModuleSummary) -> dict[str, Target]:
        functions = _by_line(summary.functions)
        classes = _by_line(summary.classes)
        names: dict[str, Target] = {}
        for binding in summary.bindings:
            if binding.kind == "function" and (binding.target, binding.line) in functions:
                names[binding.name] = Target(path, summary, functions[binding.target, binding.line])
            elif binding.kind == "class" and (binding.target, binding.line) in classes:
                names[binding.name] = Target(path, summary, classes[binding.target, binding.line])
            elif binding.kind == "alias" and binding.target in names:
                names[binding.name] = names[binding.target]
            elif binding.kind == "import":
                target = self._imported(path, binding.module, binding.target, binding.level)
                if target is None:
                    names.pop(binding.name, None)
                else:
                    names[binding.name] = target
            elif binding.kind == "star":
                source = self.find(binding.module, importer=path, level=binding.level)
                followed = binding.level or self.inside(path)
                if (
                    source is not None
                    and followed
                    and (self.inside(source) or not self.inside(path))
                ):
                    names.update(_public(self.namespace(source), self.summary(source)))
            else:
                names.pop(binding.name, None)
        return names

    def _imported(self, importer: Path, module: str, name: str, level: int) -> Target | None:
        """Imports are followed inside the suite's test tree (the top folders holding its
        tests and conftests), and relatively inside a plugin's package: parsing the code
        under test or half of site-packages to find fixtures in ordinary imports would
        cost more than everything else, and fixtures live beside the tests."""
        if not level and not self.inside(importer):
            return None
        source = self.find(module, importer=importer, level=level)
        if source is None or source == importer:
            return None
        if self.inside(importer) and not self.inside(source):
            return None
        if not self._may_matter(name, source):
            return None
        return self.namespace(source).get(name)

    def _may_matter(self, name: str, source: Path) -> bool:
        """Whether following ``from source import name`` can change what pytest sees.
        It cannot when the name is not test-like, nothing requests it (`wanted`: every
        argument, usefixtures name and base-class name of the files analysed) and its
        module mentions neither fixtures nor tests: the code under test imported into
        a test tree (sympy's conftest.py makes its whole package one) is not parsed."""
        if self.wanted is None or name in self.wanted or name.lower().startswith("test"):
            return True
        known = self._relevant.get(source)
        if known is None:
            try:
                text = source.read_bytes()
            except OSError:
                text = b""
            known = self._relevant[source] = b"fixture" in text or b"def test" in text
        return known

    def sequence_length(self, path: Path, summary: ModuleSummary, name: str) -> int | None:
        """How many items the list or tuple display `name` holds, as the module at `path`
        imports it from another module of the suite's test tree (``from tests.base import
        ALL_FIELDS``); None when it is not such a name."""
        found = self._imported_from_suite(path, summary, name)
        return dict(found[0].sequences).get(found[1]) if found is not None else None

    def patcher_arguments(self, path: Path, summary: ModuleSummary, name: str) -> int:
        """How many mock arguments the decorator `name` passes, when the module at `path`
        imports it from a module of the suite's test tree that binds it to a
        `mock.patch(...)` call (``from tests.conftest import patch_normalize_url``)."""
        found = self._imported_from_suite(path, summary, name)
        return dict(found[0].patchers).get(found[1], 0) if found is not None else 0

    def _imported_from_suite(
        self, path: Path, summary: ModuleSummary, name: str
    ) -> tuple[ModuleSummary, str] | None:
        """The summary of the suite module `name` is imported from, and its name there."""
        binding = next((b for b in reversed(summary.bindings) if b.name == name), None)
        if binding is None or binding.kind != "import" or not binding.target:
            return None
        source = self.find(binding.module, importer=path, level=binding.level)
        if source is None or source == path or not self.inside(source):
            return None
        found = self.summary(source)
        return (found, binding.target) if found is not None else None

    def inside(self, path: Path) -> bool:
        """Is `path` in the suite's own test tree, where imports are followed?"""
        known = self._inside.get(path)
        if known is None:
            known = self._inside[path] = any(p in self.homes for p in path.parents)
        return known


def _by_line(
    objs: Iterable[Function | Class],
) -> dict[tuple[str, int], Function | Class]:
    return {(obj.name, obj.line): obj for obj in objs}


def _public(names: dict[str, Target], summary: ModuleSummary | None) -> dict[str, Target]:
    if summary is not None and summary.all_names is not None:
        allowed = set(summary.all_names)
        return {k: v for k, v in names.items() if k in allowed}
    return {k: v for k, v in names.items() if not k.startswith("_")}


def _module_file(base: Path, dotted: str) -> Path | None:
    relative = Path(*dotted.split("."))
    candidate = base / relative
    if is_file(candidate / "__init__.py"):
        return candidate / "__init__.py"
    as_file = candidate.with_name(candidate.name + ".py")
    if is_file(as_file):
        return as_file
    return None


def _package_file(base: Path) -> Path | None:
    init = base / "__init__.py"
    return init if is_file(init) else None
