"""What a move could break that the model of the planned tree does not show: imports
between test modules and helpers, and paths relative to the module's own file.

Read with `ast` from the files' text; nothing is imported. Each hazard is a sentence that
names the file, the line and why, and holds the move back.
"""

from __future__ import annotations

import ast
import tokenize
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

from auditor.migrate.module_names import changed_names, own_name_uses

HasInit = Callable[[PurePosixPath], bool]
"""Whether a folder (relative to the rootdir) holds an ``__init__.py`` in some tree."""


def read_tree(path: Path) -> ast.Module | None:
    try:
        with tokenize.open(path) as handle:  # the coding cookie, a BOM
            return ast.parse(handle.read(), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None


def package_root(folder: PurePosixPath, has_init: HasInit) -> PurePosixPath:
    """The folder pytest's prepend import mode puts on sys.path for a module in ``folder``:
    the first one upwards without an ``__init__.py``."""
    while folder != PurePosixPath(".") and has_init(folder):
        folder = folder.parent
    return folder


def dotted_names(path: str, has_init: HasInit) -> tuple[str, ...]:
    """The names a module can be imported under: its package-qualified name and every
    shorter tail of its path (``tests/unit/test_x.py``: ``tests.unit.test_x``,
    ``unit.test_x``, ``test_x``)."""
    parts = PurePosixPath(path).with_suffix("").parts
    names = {".".join(parts[i:]) for i in range(len(parts))}
    folder = PurePosixPath(path).parent
    root = package_root(folder, has_init)
    names.add(".".join(PurePosixPath(path).with_suffix("").relative_to(root).parts))
    return tuple(sorted(names, key=lambda n: (-n.count("."), n)))


@dataclass(frozen=True, slots=True)
class ImportRef:
    module: str
    """The absolute dotted name (``from a import b``: ``a`` and ``a.b`` are two refs)."""
    line: int
    level: int = 0
    """Dots of a relative import (its ``module`` is then relative to the package)."""


def imports_in(tree: ast.Module) -> Iterator[ImportRef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield ImportRef(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            stem = node.module or ""
            yield ImportRef(stem, node.lineno, node.level)
            for alias in node.names:
                if alias.name != "*":
                    yield ImportRef(
                        f"{stem}.{alias.name}" if stem else alias.name, node.lineno, node.level
                    )


def strings_in(tree: ast.Module) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value, node.lineno


def file_relative_uses(tree: ast.Module) -> Iterator[str]:
    """``request.path``/``fspath``: paths that change with the module (``__file__`` is
    rewritten, or named as a hazard, by :mod:`auditor.migrate.rewrite`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("fspath", "path"):
            owner = node.value
            while isinstance(owner, ast.Attribute) and owner.attr == "node":
                owner = owner.value
            if isinstance(owner, ast.Name) and owner.id == "request":
                yield (
                    f"uses `request.{node.attr}` (line {node.lineno}): paths relative to the "
                    "module change"
                )


@dataclass
class Tree:
    """The suite's files as the hazard checks see them, before and after the moves."""

    rootdir: Path
    files: Sequence[str]
    """Python files (relative) whose imports may name a moved module."""
    moves: dict[str, str]
    created: frozenset[str]
    """``__init__.py`` files the plan creates."""
    stable_roots: Sequence[PurePosixPath]
    """sys.path entries that do not depend on the moved modules (``pythonpath``, the
    package roots of conftests)."""

    @cached_property
    def _trees(self) -> dict[str, ast.Module | None]:
        return {}

    def tree(self, path: str) -> ast.Module | None:
        if path not in self._trees:
            self._trees[path] = read_tree(self.rootdir / path)
        return self._trees[path]

    @cached_property
    def importers(self) -> dict[str, list[tuple[str, int, str]]]:
        """Absolute module name -> (file, line, name) of every import of it in ``files``
        (each read once, whatever the number of moves)."""
        found: dict[str, list[tuple[str, int, str]]] = {}
        for path in self.files:
            module = self.tree(path)
            for ref in imports_in(module) if module is not None else ():
                if not ref.level:
                    found.setdefault(ref.module, []).append((path, ref.line, ref.module))
        return found

    @cached_property
    def _strings(self) -> list[tuple[str, int, str]]:
        """(file, line, text) of the strings in ``files`` that could be dotted names."""
        return [
            (path, line, text)
            for path in self.files
            for text, line in strings_in(self.tree(path) or ast.Module(body=[], type_ignores=[]))
            if text and len(text) < 300 and not any(c.isspace() for c in text)
        ]

    @cached_property
    def namers(self) -> dict[str, list[tuple[str, int, str]]]:
        """Dotted prefix -> the strings that start with it and go on (``"a.b.c"`` under
        ``a`` and ``a.b``)."""
        found: dict[str, list[tuple[str, int, str]]] = {}
        for path, line, text in self._strings:
            parts = text.split(".")
            for end in range(1, len(parts)):
                found.setdefault(".".join(parts[:end]), []).append((path, line, text))
        return found

    @cached_property
    def namers_exactly(self) -> dict[str, list[tuple[str, int, str]]]:
        """A string -> where it is, for strings that are a whole dotted name."""
        found: dict[str, list[tuple[str, int, str]]] = {}
        for path, line, text in self._strings:
            found.setdefault(text, []).append((path, line, text))
        return found

    def has_init_before(self, folder: PurePosixPath) -> bool:
        init = folder / "__init__.py"
        return (self.rootdir / init).is_file() and str(init) not in self.moves

    def has_init_after(self, folder: PurePosixPath) -> bool:
        init = str(folder / "__init__.py")
        return init in self.created or init in self.moves.values() or self.has_init_before(folder)

    def resolve(self, name: str, roots: Iterable[PurePosixPath], after: bool) -> str | None:
        """The file (or folder) a top-level module name resolves to under ``roots``."""
        moved_away = set(self.moves) if after else set()
        arrived = set(self.moves.values()) if after else set()
        for root in roots:
            base = root / name
            for candidate in (f"{base}.py", f"{base}/__init__.py"):
                if candidate in arrived or (
                    candidate not in moved_away and (self.rootdir / candidate).is_file()
                ):
                    return candidate
            if (self.rootdir / base).is_dir():
                return f"{base}/"
        return None


def _rewritten(name: str, renamed: Iterable[str]) -> bool:
    return any(name == old or name.startswith(old + ".") for old in renamed)


def _new_name(name: str, renamed: Mapping[str, str]) -> str:
    for old, new in renamed.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old) :]
    return name


def move_hazards(
    tree: Tree, source: str, target: str, renamed: Mapping[str, str] | None = None
) -> list[str]:
    """Why moving ``source`` to ``target`` may break an import or a path that the rewrite
    (:mod:`auditor.migrate.rewrite`: relative imports, ``__file__``, the module names in
    ``renamed``) does not take care of."""
    renamed = renamed or {}
    module = tree.tree(source)
    if module is None:
        return [f"{source} cannot be read or parsed"]
    found = list(dict.fromkeys(file_relative_uses(module)))
    lost = changed_names(
        dotted_names(source, tree.has_init_before), dotted_names(target, tree.has_init_after)
    )
    found += own_name_uses(module, lost)
    old_root = package_root(PurePosixPath(source).parent, tree.has_init_before)
    new_root = package_root(PurePosixPath(target).parent, tree.has_init_after)
    seen: set[tuple[int, str]] = set()
    for ref in imports_in(module):
        if (ref.line, ref.module.split(".")[0]) in seen:
            continue
        seen.add((ref.line, ref.module.split(".")[0]))
        if ref.level:
            continue  # rewritten for the new place, or a hazard of the rewrite
        top = ref.module.split(".")[0]
        before = tree.resolve(top, [old_root, *tree.stable_roots], after=False)
        if before is None or before == source:
            continue
        new_top = _new_name(ref.module, renamed).split(".")[0]
        after = tree.resolve(new_top, [new_root, *tree.stable_roots], after=True)
        if after != tree.moves.get(before, before):
            found.append(
                f"imports `{ref.module}` by plain name from {before} (line {ref.line}), found "
                f"through the module's own sys.path entry ({old_root}), which the move changes"
            )
    for name in dotted_names(source, tree.has_init_before):
        for other, line, imported in tree.importers.get(name, ()):
            if other != source and not _rewritten(imported, renamed):
                found.append(f"imported by {other} (line {line}) as `{imported}`")
        # "conftest.py" in a string is a file name, not the module moved
        for other, line, text in tree.namers.get(name, ()) if name != "conftest" else ():
            if not _rewritten(text, renamed):
                found.append(f"named in a string in {other} (line {line}): {text!r}")
        if "." in name:
            for other, line, text in tree.namers_exactly.get(name, ()):
                if not _rewritten(text, renamed):
                    found.append(f"named in a string in {other} (line {line}): {text!r}")
    return list(dict.fromkeys(found))
