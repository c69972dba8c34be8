"""The suite's own code, for following what a test reaches: every def by place, the
top-level names of each module, and the dotted names modules are imported under, so a
call can be resolved to the suite defs it runs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from auditor.model.imports import module_name
from auditor.model.suite import Suite
from auditor.parse.summary import Binding, Class, Function, ModuleSummary

_CONSTRUCTION = ("__init__", "__enter__", "__exit__", "__aenter__", "__aexit__")
"""What calling a class of the suite runs (``with Stopwatch() as watch:`` included)."""


@dataclass(frozen=True, slots=True)
class CodeDef:
    """A def of the suite's code: its file, its function, and its class if a method."""

    path: str
    function: Function
    klass: Class | None


class SuiteCode:
    """The suite's own code: defs by place and by name, and module names to files."""

    def __init__(self, suite: Suite) -> None:
        self.rootdir = Path(suite.rootdir)
        self.modules: dict[str, ModuleSummary] = {**suite.helpers, **suite.modules}
        self.by_line: dict[tuple[str, int], CodeDef] = {}
        self.top: dict[str, dict[str, Function | Class]] = {}
        for path, summary in self.modules.items():
            top: dict[str, Function | Class] = {}
            for function in summary.functions:
                top[function.name] = function
            for klass in _classes(summary.classes):
                top.setdefault(klass.name, klass)
            for function, owners in summary.defs():
                owner = owners[-1] if owners else None
                self.by_line[path, function.line] = CodeDef(path, function, owner)
            self.top[path] = top
        self._bindings: dict[str, dict[str, Binding]] = {}
        self.dotted: dict[str, str] = {}
        for path in self.modules:
            for name in _module_names(path, self.rootdir):
                self.dotted.setdefault(name, path)

    def resolve(self, where: CodeDef, name: str) -> list[CodeDef]:
        """The suite defs a call runs, if it names any: a function, or a class's
        constructor and context-manager methods."""
        head, _, rest = name.partition(".")
        if head in ("self", "cls") and rest and "." not in rest and where.klass is not None:
            return _some(self.method(where.path, where.klass, rest, depth=0))
        if not rest:
            return self.named(where.path, head, depth=0)
        local = self.top.get(where.path, {}).get(head)
        if isinstance(local, Class) and "." not in rest:
            return _some(self.method(where.path, local, rest, depth=0))
        module, _, attr = name.rpartition(".")
        path = self.dotted.get(module)
        return self.named(path, attr, depth=1) if path is not None else []

    def named(self, path: str, name: str, depth: int) -> list[CodeDef]:
        if depth > 2:
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
            parent = self.top.get(path, {}).get(base)
            if isinstance(parent, Class):
                found = self.method(path, parent, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _module(self, importer: str, module: str, level: int) -> str | None:
        if not level:
            return self.dotted.get(module)
        base = PurePosixPath(importer).parent
        for _ in range(level - 1):
            base = base.parent
        stem = base.joinpath(*module.split(".")) if module else base
        for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
            if candidate in self.modules:
                return candidate
        return None

    def bases(self, path: str, klass: Class, depth: int = 0) -> Iterator[str]:
        for base in klass.bases:
            yield base
            parent = self.top.get(path, {}).get(base)
            if isinstance(parent, Class) and depth < 3:
                yield from self.bases(path, parent, depth + 1)

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
