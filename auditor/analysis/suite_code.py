"""The suite's own code, for following what a test reaches: every def by place, the
top-level names of each module, and the dotted names modules are imported under, so a
call can be resolved to the suite defs it runs.

With a `ProjectModules`, a call that names a module of the project (the code under test,
under the rootdir or ``src/``) resolves into it too: the module is parsed then, once, and
its defs join the others (`is_project` tells them apart)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from auditor.model.imports import module_name
from auditor.model.project import ProjectModules
from auditor.model.suite import Suite
from auditor.parse.summary import Binding, Class, Function, ModuleSummary, Reach

_CONSTRUCTION = ("__init__", "__enter__", "__exit__", "__aenter__", "__aexit__")
"""What calling a class of the suite runs (``with Stopwatch() as watch:`` included)."""
_NAMED_DEPTH = 3
"""How many re-exports (``from .db import Repository`` in a package) a name is followed
through."""


@dataclass(frozen=True, slots=True)
class CodeDef:
    """A def of the suite's code: its file, its function, and its class if a method."""

    path: str
    function: Function
    klass: Class | None


class SuiteCode:
    """The suite's own code: defs by place and by name, and module names to files."""

    def __init__(self, suite: Suite, project: ProjectModules | None = None) -> None:
        self.rootdir = Path(suite.rootdir)
        self.modules: dict[str, ModuleSummary] = {}
        self.by_line: dict[tuple[str, int], CodeDef] = {}
        self.top: dict[str, dict[str, Function | Class]] = {}
        self.project = project
        self.project_paths: set[str] = set()
        self._enter = True
        self._resolved: dict[tuple[str, int, str, bool], list[CodeDef]] = {}
        """Calls resolved already: the same names are called from many tests of a file."""
        self._bindings: dict[str, dict[str, Binding]] = {}
        self.dotted: dict[str, str] = {}
        for path, summary in {**suite.helpers, **suite.modules}.items():
            self._register(path, summary)
        for path in self.modules:
            for name in _module_names(path, self.rootdir):
                self.dotted.setdefault(name, path)

    def _register(self, path: str, summary: ModuleSummary) -> None:
        self.modules[path] = summary
        top: dict[str, Function | Class] = {}
        for function in summary.functions:
            top[function.name] = function
        for klass in _classes(summary.classes):
            top.setdefault(klass.name, klass)
        for function, owners in summary.defs():
            owner = owners[-1] if owners else None
            self.by_line[path, function.line] = CodeDef(path, function, owner)
        self.top[path] = top

    def reach(self, where: CodeDef) -> Reach | None:
        """What a def calls: the suite's from its summary, the project's read on first
        use (`ProjectModules.reach`)."""
        if self.project is not None and where.path in self.project_paths:
            return self.project.reach(where.path, where.function)
        return where.function.reach

    def is_project(self, path: str) -> bool:
        """Is `path` a module of the project (not of the suite)?"""
        return path in self.project_paths

    def _project_module(self, path: str | None) -> str | None:
        """`path` (a project file) loaded and registered; None when it cannot be, or
        when the chain goes no further (`resolve` with `project` false)."""
        if path is None or self.project is None:
            return None
        if path in self.modules:
            return path
        if not self._enter:
            return None
        summary = self.project.summary(path)
        if summary is None:
            return None
        self.project_paths.add(path)
        self._register(path, summary)
        return path

    def module_path(self, module: str) -> str | None:
        """The file of a dotted module name: the suite's, else the project's."""
        found = self.dotted.get(module)
        if found is None and self.project is not None:
            found = self._project_module(self.project.find(module))
        return found

    def resolve(self, where: CodeDef, name: str, *, project: bool = True) -> list[CodeDef]:
        """The suite (and project) defs a call runs, if it names any: a function, or a
        class's constructor and context-manager methods. `project` false: a chain that
        goes no further into the project parses no new module of it."""
        key = (where.path, where.klass.line if where.klass else 0, name, project)
        known = self._resolved.get(key)
        if known is not None:
            return known
        self._enter = project
        try:
            found = self._resolved[key] = self._resolve(where, name)
        finally:
            self._enter = True
        return found

    def _resolve(self, where: CodeDef, name: str) -> list[CodeDef]:
        head, _, rest = name.partition(".")
        if head in ("self", "cls") and rest and "." not in rest and where.klass is not None:
            return _some(self.method(where.path, where.klass, rest, depth=0))
        if not rest:
            return self.named(where.path, head, depth=0)
        local = self.top.get(where.path, {}).get(head)
        if isinstance(local, Class) and "." not in rest:
            return _some(self.method(where.path, local, rest, depth=0))
        module, _, attr = name.rpartition(".")
        path = self.module_path(module)
        if path is None:
            path = self._imported_module(where.path, module)
        if path is not None:
            return self.named(path, attr, depth=1)
        found = self.base_class(where.path, module)  # `app.db.Repository.create()`
        return _some(self.method(found[0], found[1], attr, depth=0)) if found else []

    def klass(self, where: CodeDef, name: str) -> tuple[str, Class] | None:
        """The class a call constructs, with its file, when it names one of the suite's
        or the project's."""
        head, _, rest = name.partition(".")
        if not rest:
            return self._named_class(where.path, head, depth=0)
        module, _, attr = name.rpartition(".")
        path = self.module_path(module) or self._imported_module(where.path, module)
        return self._named_class(path, attr, depth=1) if path is not None else None

    def _named_class(self, path: str, name: str, depth: int) -> tuple[str, Class] | None:
        if depth > _NAMED_DEPTH:
            return None
        obj = self.top.get(path, {}).get(name)
        if isinstance(obj, Class):
            return path, obj
        binding = self._last_bindings(path).get(name)
        if binding is None or binding.kind != "import" or obj is not None:
            return None
        target = self._module(path, binding.module, binding.level)
        return None if target is None else self._named_class(target, binding.target, depth + 1)

    def _imported_module(self, path: str, module: str) -> str | None:
        """The file of a module bound by a relative import (``from . import db``, then
        ``db.Repository()``), which the parse stage leaves unqualified."""
        if "." in module:
            return None
        binding = self._last_bindings(path).get(module)
        if binding is None or binding.kind != "import" or not binding.level:
            return None
        joined = f"{binding.module}.{binding.target}" if binding.module else binding.target
        return self._module(path, joined, binding.level)

    def imported_from(self, path: str, name: str) -> tuple[str, str] | None:
        """(file, name there) of a module-level name `path` imports by name (``from
        .settings import DB_URL``) from a module of the suite or the project."""
        binding = self._last_bindings(path).get(name)
        if binding is None or binding.kind != "import" or not binding.target:
            return None
        target = self._module(path, binding.module, binding.level)
        return None if target is None else (target, binding.target)

    def named(self, path: str, name: str, depth: int) -> list[CodeDef]:
        if depth > _NAMED_DEPTH:
            return []
        obj = self.top.get(path, {}).get(name)
        if isinstance(obj, Function):
            return [CodeDef(path, obj, None)]
        if isinstance(obj, Class):
            found = (self.method(path, obj, m, depth) for m in _CONSTRUCTION)
            return [d for d in found if d is not None]
        binding = self._last_bindings(path).get(name)
        if binding is None or binding.kind != "import":
            return []
        target = self._module(path, binding.module, binding.level)
        return [] if target is None else self.named(target, binding.target, depth + 1)

    def _last_bindings(self, path: str) -> dict[str, Binding]:
        """The binding of each name that wins in a module (the last), built once per module:
        looking through every binding per call was quadratic in a module's defs."""
        found = self._bindings.get(path)
        if found is None:
            summary = self.modules.get(path)
            found = {b.name: b for b in summary.bindings} if summary is not None else {}
            self._bindings[path] = found
        return found

    def method(self, path: str, klass: Class, name: str, depth: int) -> CodeDef | None:
        for function in klass.functions:
            if function.name == name:
                return CodeDef(path, function, klass)
        if depth > 2:
            return None
        for base in klass.bases:
            parent = self.base_class(path, base)
            if parent is not None:
                found = self.method(parent[0], parent[1], name, depth + 1)
                if found is not None:
                    return found
        return None

    def reexported(self, name: str, start: int) -> str | None:
        """`name` with the module re-exported by a module of the suite or the project
        spelled out: ``sqlite_utils.utils.sqlite3.connect`` is ``sqlite3.connect`` when
        ``sqlite_utils/utils.py`` binds ``sqlite3`` by ``import sqlite3`` (or
        ``import pysqlite3 as sqlite3``; the last binding wins). `start` is the index of
        the dotted part that is the re-exported name; None when it is not one."""
        parts = name.split(".")
        path = self.module_path(".".join(parts[:start]))
        summary = self.modules.get(path) if path is not None else None
        if summary is None:
            return None
        binding = next((b for b in reversed(summary.bindings) if b.name == parts[start]), None)
        if binding is None or binding.kind != "other" or not binding.module:
            return None
        return ".".join([binding.module, *parts[start + 1 :]])

    def base_class(self, path: str, base: str) -> tuple[str, Class] | None:
        """The class a (dotted) class name written in `path` is, with its file: one of
        the same module, or one of another module of the suite or the project (a base
        class: `RQTestCase` from `tests/__init__.py`, whose `setUpClass` connects to
        Redis; a call's owner: `app.db.Repository`), or one the module imports by name
        (``from ..base_test import CorsTestCase``, whose helpers drive a test client)."""
        local = self.top.get(path, {}).get(base)
        if isinstance(local, Class):
            return path, local
        module, _, name = base.rpartition(".")
        if not module:
            return self._named_class(path, base, depth=0)
        source = self.module_path(module) if module else None
        found = self.top.get(source, {}).get(name) if source is not None else None
        return (source, found) if source is not None and isinstance(found, Class) else None

    def _module(self, importer: str, module: str, level: int) -> str | None:
        if not level:
            return self.module_path(module)
        base = PurePosixPath(importer).parent
        for _ in range(level - 1):
            base = base.parent
        stem = base.joinpath(*module.split(".")) if module else base
        for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
            if candidate in self.modules:
                return candidate
        if self.project is None:
            return None
        return self._project_module(self.project.relative(importer, module, level))

    def bases(self, path: str, klass: Class, depth: int = 0) -> Iterator[str]:
        """The base classes of `klass` as written, then theirs, in this module or the
        suite's module a base is imported from."""
        for base in klass.bases:
            yield base
            parent = self.base_class(path, base) if depth < 3 else None
            if parent is not None:
                yield from self.bases(parent[0], parent[1], depth + 1)

    def class_of(self, path: str, line: int) -> Class | None:
        found = self.by_line.get((path, line))
        return found.klass if found is not None else None


def _some(found: CodeDef | None) -> list[CodeDef]:
    return [] if found is None else [found]


def _classes(classes: Iterable[Class]) -> Iterator[Class]:
    for klass in classes:
        yield klass
        yield from _classes(klass.classes)


def _module_names(path: str, rootdir: Path) -> list[str]:
    """Dotted names a module may be imported under: from the rootdir, from its package
    root (pytest's prepend mode), and rootdir-relative suffixes of two parts or more."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    names = [".".join(parts[i:]) for i in range(len(parts) - 1)] if parts else []
    names.append(module_name(rootdir / path))
    return [n for n in names if n]
