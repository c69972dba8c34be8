"""Helpers of the structure rules: pytest's name matching, module names and imports
resolved to files of the suite, decorators, and whether a def asserts anything.

pytest's name matching comes from `SuiteView` (`is_test_function_name`,
`is_test_class_name`, `matches_python_files`) and `auditor.api.module_name`.
"""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from auditor.api import FileView, SuiteView, package_root

__all__ = [
    "AssertChecker",
    "FunctionDef",
    "asserting_name",
    "base_names",
    "decorator_names",
    "is_fixture_def",
    "is_unittest_class",
    "resolve_module",
    "short",
    "terminal_name",
]

FunctionDef = ast.FunctionDef | ast.AsyncFunctionDef


def terminal_name(node: ast.AST) -> str:
    """`c` for ``a.b.c`` and ``a.b.c(...)``, `f` for ``f``; "" otherwise."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def decorator_names(node: FunctionDef | ast.ClassDef) -> list[str]:
    return [terminal_name(d) for d in node.decorator_list]


def is_fixture_def(node: FunctionDef) -> bool:
    return any(name in ("fixture", "yield_fixture") for name in decorator_names(node))


def base_names(node: ast.ClassDef) -> list[str]:
    """Dotted names of the bases (``unittest.TestCase``); "" for other expressions."""
    names: list[str] = []
    for base in node.bases:
        parts: list[str] = []
        current: ast.AST = base
        if isinstance(current, ast.Subscript):
            current = current.value
        while isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        names.append(
            ".".join([current.id, *reversed(parts)]) if isinstance(current, ast.Name) else ""
        )
    return names


def is_unittest_class(node: ast.ClassDef) -> bool:
    return any(name.rsplit(".", 1)[-1].endswith("TestCase") for name in base_names(node))


def short(node: ast.AST, limit: int = 60) -> str:
    """Source of `node` on one line, cut at `limit` characters."""
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- imports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """``from module import name`` (`name` set) or ``import module`` (`name` empty)."""

    module: str
    name: str
    level: int


_IMPORTS: weakref.WeakKeyDictionary[FileView, dict[str, Imported]] = weakref.WeakKeyDictionary()


def imports_of(file: FileView) -> dict[str, Imported]:
    """Local name -> what it imports, for the module-level and nested imports of `file`
    (relative levels kept, unlike `FileView.imports`)."""
    cached = _IMPORTS.get(file)
    if cached is not None:
        return cached
    found: dict[str, Imported] = {}
    for node in file.nodes(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = Imported(
                        node.module or "", alias.name, node.level
                    )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    found[alias.asname] = Imported(alias.name, "", 0)
                else:
                    top = alias.name.split(".")[0]
                    found.setdefault(top, Imported(top, "", 0))
    _IMPORTS[file] = found
    return found


def _module_file(base: Path, dotted: str) -> Path | None:
    candidate = base.joinpath(*dotted.split(".")) if dotted else base
    if (candidate / "__init__.py").is_file():
        return candidate / "__init__.py"
    if dotted:
        as_file = candidate.with_name(candidate.name + ".py")
        if as_file.is_file():
            return as_file
    return None


def resolve_module(suite: SuiteView, importer: str, module: str, level: int) -> str | None:
    """The path (relative to the rootdir) of `module` imported from `importer`, when it is
    a file under the rootdir; None otherwise (installed packages, missing modules)."""
    root = suite.rootdir
    source = root / importer
    if level:
        base = source.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = [
            package_root(source),
            root,
            root / "src",
            *(root / p for p in suite.config.pytest.pythonpath),
        ]
    for base in bases:
        found = _module_file(base, module)
        if found is not None:
            try:
                return PurePosixPath(found.relative_to(root)).as_posix()
            except ValueError:
                return None
    return None


def imported_module_file(file: FileView, imported: Imported) -> str | None:
    """The file an import refers to; for ``from pkg import mod`` the submodule if any."""
    suite = file.suite
    if imported.name:
        dotted = f"{imported.module}.{imported.name}" if imported.module else imported.name
        sub = resolve_module(suite, file.path, dotted, imported.level)
        if sub is not None:
            return sub
    return resolve_module(suite, file.path, imported.module, imported.level)


# -- assertions ------------------------------------------------------------------------

ASSERTING_NAMES = frozenset(
    {
        "raises",
        "warns",
        "deprecated_call",
        "fail",
        "fnmatch_lines",
        "re_match_lines",
        "no_fnmatch_line",
        "no_re_match_line",
        "fnmatch_lines_random",
        "re_match_lines_random",
        "assertoutcome",
        "assert_outcomes",
        "skip",
        "skipTest",
        "xfail",
    }
)
ASSERTING_PREFIXES = ("assert", "check", "verify", "expect", "validate", "ensure", "fail", "raise")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def asserting_name(name: str) -> bool:
    """Whether a called name says it checks something: ``assertEqual``, ``raises``,
    ``mock.assert_called_once``, ``check_output``, ``verify``, ``run_test``, ``_check``..."""
    if name in ASSERTING_NAMES:
        return True
    bare = name.lstrip("_")
    lowered = bare.lower()
    if lowered.startswith(ASSERTING_PREFIXES) or "assert" in lowered:
        return True
    words = {w.lower() for w in _WORDS.findall(bare)}
    return bool(words & {"test", "tests", "check", "checks", "verify", "expect", "compare"})


@dataclass
class _Owner:
    """Where a def sits: its file and, for a method, its class."""

    file: FileView
    cls: ast.ClassDef | None


class AssertChecker:
    """Decides whether a test (or a helper it calls) asserts anything: an `assert`, a
    `raise`, a call whose name says it checks, or a call to a helper of the same file or
    of a module of the suite that does one of those."""

    MAX_DEPTH = 4

    def __init__(self, suite: SuiteView) -> None:
        self.suite = suite
        self._memo: dict[tuple[str, int, int], bool] = {}

    # direct evidence
    @staticmethod
    def own_evidence(node: ast.AST) -> bool:
        for child in ast.walk(node):
            if isinstance(child, (ast.Assert, ast.Raise)):
                return True
            if isinstance(child, ast.Call) and asserting_name(terminal_name(child.func)):
                return True
        return False

    def asserts(self, function: FunctionDef, file: FileView, cls: ast.ClassDef | None) -> bool:
        return self._asserts(function, _Owner(file, cls), 0)

    def _asserts(self, function: FunctionDef, owner: _Owner, depth: int) -> bool:
        key = (owner.file.path, function.lineno, function.col_offset)
        known = self._memo.get(key)
        if known is not None:
            return known
        self._memo[key] = False  # guards recursion
        result = self.own_evidence(function) or (
            depth < self.MAX_DEPTH
            and any(self._call_asserts(call, owner, depth) for call in _calls(function))
        )
        self._memo[key] = result
        return result

    def _call_asserts(self, call: ast.Call, owner: _Owner, depth: int) -> bool:
        func = call.func
        file = owner.file
        if isinstance(func, ast.Name):
            local = _module_defs(file).get(func.id)
            if local is not None:
                return self._asserts(local, _Owner(file, None), depth + 1)
            imported = imports_of(file).get(func.id)
            if imported is not None and imported.name:
                return self._imported_asserts(file, imported, imported.name, depth)
            return False
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            receiver = func.value.id
            if receiver in ("self", "cls") and owner.cls is not None:
                methods = _methods(file, func.attr)
                if methods:
                    return any(self._asserts(m, _Owner(file, c), depth + 1) for c, m in methods)
                # an inherited helper of a base class defined elsewhere: may assert
                return any(b not in ("object", "") for b in base_names(owner.cls))
            imported = imports_of(file).get(receiver)
            if imported is not None:
                return self._imported_asserts(file, imported, func.attr, depth, module=True)
        return False

    def _imported_asserts(
        self, file: FileView, imported: Imported, name: str, depth: int, *, module: bool = False
    ) -> bool:
        if module:
            path = imported_module_file(file, imported)
        else:
            path = resolve_module(self.suite, file.path, imported.module, imported.level)
        dotted = imported.module if not module else f"{imported.module}.{imported.name}"
        if path is None:
            # not in the suite: assume helpers of test utility packages check things
            return "test" in dotted.lower()
        source = self.suite.file(path)
        if source is None:
            return "test" in dotted.lower()
        target = _module_defs(source).get(name)
        if target is not None:
            return self._asserts(target, _Owner(source, None), depth + 1)
        again = imports_of(source).get(name)
        if again is not None and again.name and depth < self.MAX_DEPTH:
            # re-exported (``from .assertions import eq_`` in a package's __init__)
            return self._imported_asserts(source, again, again.name, depth + 1)
        return False


def _calls(function: FunctionDef) -> Iterator[ast.Call]:
    for child in ast.walk(function):
        if isinstance(child, ast.Call):
            yield child


_DEFS: weakref.WeakKeyDictionary[FileView, dict[str, FunctionDef]] = weakref.WeakKeyDictionary()
_METHODS: weakref.WeakKeyDictionary[FileView, dict[str, list[tuple[ast.ClassDef, FunctionDef]]]] = (
    weakref.WeakKeyDictionary()
)


def _module_defs(file: FileView) -> dict[str, FunctionDef]:
    """Module-level defs of `file` by name (the last one wins, as at run time)."""
    cached = _DEFS.get(file)
    if cached is None:
        cached = {
            n.name: n
            for n in file.tree.body
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        _DEFS[file] = cached
    return cached


def _methods(file: FileView, name: str) -> list[tuple[ast.ClassDef, FunctionDef]]:
    """Methods called `name` in any class of `file`."""
    cached = _METHODS.get(file)
    if cached is None:
        cached = {}
        for node in file.of_type(ast.ClassDef):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        cached.setdefault(item.name, []).append((node, item))
        _METHODS[file] = cached
    return cached.get(name, [])
