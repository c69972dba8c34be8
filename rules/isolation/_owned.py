"""Module attributes whose changes no other test can see: the module belongs to the
tests that set them.

A test that imports an example script (``from docs_src.tutorial import app as mod``) and
points ``mod.engine`` at a fresh in-memory database before calling ``mod.main()`` leaves
``mod.engine`` changed, but nothing reads the leaked value when:

- the module is a file of the project (not an installed package, not a conftest);
- every function of the suite (test, fixture, helper) that refers to the module sets the
  attribute before it reads anything from the module other than attributes it set itself,
  and no module-level code of the suite reads it (nor imports names from it);
- no Python file of the project outside the suite imports the module (the code under
  test would read the leaked value), unless that file belongs to the same tests in turn:
  a sibling of an example package (``app.py`` doing ``from .database import engine``)
  that only the suite imports, and whose every use in the suite comes after the function
  set the attribute. A use of such an importer counts as a read of the module.

Anything else (a second test reading the value, application code importing the module,
a relative import we cannot follow) keeps the write reported.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from auditor.api import FileView, ParsedFile, SuiteView

MAX_PROJECT_FILES = 20_000
MAX_READERS = 20
"""More project modules than this reading the module: give up (the write stays reported)."""
"""More Python files than this in the project: give up (every write stays reported)."""
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})

RELATIVE_IMPORT = re.compile(r"from\s+(\.+[\w.]*)\s+import\s+(\([^)]*\)|[^\n]*)")

_Event = tuple[tuple[int, int], bool, str]
"""(position, is_store, attribute; "*" for a use of the module itself)."""


class OwnedModules:
    """Answers `owned(key)` for qualified attribute keys (``pkg.mod.attr``) of one suite."""

    def __init__(self, suite: SuiteView) -> None:
        self.suite = suite
        self._answers: dict[str, bool] = {}
        self._project: list[tuple[str, str]] | None = None
        self._relative_words: dict[str, frozenset[str]] = {}
        self._events: dict[tuple[str, str], dict[int, list[_Event]] | None] = {}

    def owned(self, key: str) -> bool:
        answer = self._answers.get(key)
        if answer is None:
            owner, _, attr = key.rpartition(".")
            answer = self._answers[key] = bool(owner and attr) and self._owned(owner, attr)
        return answer

    def _owned(self, owner: str, attr: str) -> bool:
        module = self._module_file(owner)
        if module is None or module.rsplit("/", 1)[-1] == "conftest.py":
            return False
        suite = self.suite.suite
        paths = dict.fromkeys((*suite.test_files, *suite.conftests, *suite.helpers))
        readers = self._readers(owner, module, paths)
        if readers is None:
            return False
        words = {reader.rsplit(".", 1)[-1] for reader in readers}
        setters = 0
        for path in paths:
            if path in readers.values():
                continue
            text = self.suite.text(path)
            if not any(
                word in text and re.search(rf"\b{re.escape(word)}\b", text) for word in words
            ):
                continue
            file = self.suite.file(path)
            if file is None or words & self._relative(path, text):
                return False
            if not any(
                value == reader or reader.startswith(value + ".") or value.startswith(reader + ".")
                for value in file.imports.values()
                for reader in readers
            ):
                continue
            merged: dict[int, list[_Event]] = {}
            for reader in readers:
                events = self._file_events(path, file, reader)
                if events is None:
                    return False
                for function, function_events in events.items():
                    if reader != owner:
                        # running the importer's code reads the module's state
                        function_events = [
                            (at, False, "*") for at, store, _ in function_events if not store
                        ]
                    merged.setdefault(function, []).extend(function_events)
            uses = _uses([sorted(function_events) for function_events in merged.values()], attr)
            if uses is None:
                return False
            setters += uses
        return setters > 0

    def _file_events(self, path: str, file: FileView, owner: str) -> dict[int, list[_Event]] | None:
        cached = (path, owner)
        if cached not in self._events:
            self._events[cached] = _events(file, owner)
        return self._events[cached]

    def _readers(
        self, owner: str, module: str, suite_paths: dict[str, None]
    ) -> dict[str, str] | None:
        """The module and the project's modules outside the suite that import it, in
        turn (qualified name -> path); None when one of them is imported by something
        that is no module we can name, or when there are too many."""
        readers = {owner: module}
        pending = [owner]
        while pending:
            current = pending.pop()
            importers = self._importers(current, readers, suite_paths)
            if importers is None:
                return None
            for path in importers:
                name = _module_name(path)
                if name is None or path.rsplit("/", 1)[-1] == "conftest.py":
                    return None
                readers[name] = path
                pending.append(name)
            if len(readers) > MAX_READERS:
                return None
        return readers

    def _importers(
        self, owner: str, readers: dict[str, str], suite_paths: dict[str, None]
    ) -> list[str] | None:
        """The project's files outside the suite (and not yet readers) that import
        `owner`; None when the project is too large to look through."""
        project = self._project_files()
        if project is None:
            return None
        parent, _, last = owner.rpartition(".")
        word = re.compile(rf"\b{re.escape(last)}\b")
        found: list[str] = []
        known = set(readers.values())
        for path, text in project:
            if path in known or path in suite_paths or last not in text:
                continue
            if not word.search(text):
                continue
            imports_parent = parent and re.search(rf"from\s+{re.escape(parent)}\s+import\b", text)
            if owner in text or imports_parent:
                found.append(path)
            elif last in self._relative(path, text):
                imported = _relative_imports(path, self.suite.parsed.get(path))
                if imported is None or owner in imported:
                    found.append(path)
        return found

    def _relative(self, path: str, text: str) -> frozenset[str]:
        found = self._relative_words.get(path)
        if found is None:
            found = self._relative_words[path] = _relative_names(text)
        return found

    def _module_file(self, owner: str) -> str | None:
        relative = owner.replace(".", "/")
        for base in ("", "src/"):
            for candidate in (f"{base}{relative}.py", f"{base}{relative}/__init__.py"):
                if (self.suite.rootdir / candidate).is_file():
                    return candidate
        return None

    def _project_files(self) -> list[tuple[str, str]] | None:
        if self._project is not None:
            return self._project
        root = self.suite.rootdir
        found: list[tuple[str, str]] = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [
                d
                for d in dirs
                if not d.startswith(".")
                and d not in SKIPPED_DIRS
                and not (Path(folder) / d / "pyvenv.cfg").exists()
            ]
            for name in files:
                if not name.endswith(".py"):
                    continue
                if len(found) >= MAX_PROJECT_FILES:
                    return None
                path = Path(folder) / name
                try:
                    text = path.read_bytes().decode("utf-8", "replace")
                except OSError:
                    continue
                found.append((path.relative_to(root).as_posix(), text))
        self._project = found
        return found


def _relative_names(text: str) -> frozenset[str]:
    """The words of the relative imports in `text` (``from .mod import x`` gives "mod"
    and "x"): a module they name may be bound there; not followed, so treated as a use."""
    if "from ." not in text and not re.search(r"from\s+\.", text):
        return frozenset()
    words: set[str] = set()
    for found in RELATIVE_IMPORT.finditer(text):
        words.update(re.findall(r"\w+", found.group(1) + " " + found.group(2)))
    return frozenset(words)


def _relative_imports(path: str, parsed: ParsedFile | None) -> frozenset[str] | None:
    """The modules and names the relative imports of `path` bind, resolved against its
    folders (``from .database import engine`` in ``pkg/app.py`` gives ``pkg.database``
    and ``pkg.database.engine``); None when the file does not parse."""
    if parsed is None:
        return None
    folders = path.split("/")[:-1]
    if folders[:1] == ["src"]:
        folders = folders[1:]
    found: set[str] = set()
    for node in parsed.of_type(ast.ImportFrom):
        if not node.level:
            continue
        base = folders[: len(folders) - (node.level - 1)] if node.level > 1 else folders
        module = ".".join([*base, *([node.module] if node.module else [])])
        found.add(module)
        found.update(f"{module}.{alias.name}" for alias in node.names)
    return frozenset(found)


def _module_name(path: str) -> str | None:
    """The qualified name of a project file (``pkg/mod.py`` -> ``pkg.mod``)."""
    if not path.endswith(".py"):
        return None
    parts = path[: -len(".py")].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] == "src" and len(parts) > 1:
        parts.pop(0)
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def _uses(events: list[list[_Event]], attr: str) -> int | None:
    """How many functions (of one file's `events`) use the module, each setting `attr`
    first; None when some use may read the module's state (a function reading before it
    sets)."""
    for function_events in events:
        stored: set[str] = set()
        for _, is_store, name in function_events:
            if is_store:
                stored.add(name)
                continue
            if name not in stored and attr not in stored:
                return None
        if attr not in stored:
            return None
    return len(events)


def _events(file: FileView, owner: str) -> dict[int, list[_Event]] | None:
    """The uses of module `owner` in `file`, per function (by the function node's id);
    None for a use at module level or a name imported from the module."""
    if any(value.startswith(owner + ".") for value in file.imports.values()):
        return None
    parents: dict[int, ast.AST] = {}
    functions: dict[int, ast.AST] = {}

    def visit(node: ast.AST, function: ast.AST | None) -> None:
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
            inner: ast.AST | None = None
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = child
            functions[id(child)] = inner or function or file.tree
            visit(child, inner or function)

    visit(file.tree, None)
    for node in file.nodes(ast.Import, ast.ImportFrom):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and functions.get(id(node)) is file.tree:
            names = _imported(node)
            if any(v == owner or owner.startswith(v + ".") for v in names):
                return None  # imported for the whole module: not one test's own
    events: dict[int, list[_Event]] = {}
    for node in file.nodes(ast.Name, ast.Attribute):
        if not isinstance(node, (ast.Name, ast.Attribute)) or file.qualified(node) != owner:
            continue
        parent = parents.get(id(node))
        function = functions.get(id(node), file.tree)
        if function is file.tree:
            return None
        key = id(function)
        position = (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        if isinstance(parent, ast.Attribute) and parent.value is node:
            statement = parents.get(id(parent))
            if isinstance(parent.ctx, ast.Store) and isinstance(
                statement, (ast.Assign, ast.AnnAssign)
            ):
                end = (statement.end_lineno or 0, statement.end_col_offset or 0)
                events.setdefault(key, []).append((end, True, parent.attr))
                continue
            if not _sets_module(_statement(parent, parents), file, owner):
                events.setdefault(key, []).append((position, False, parent.attr))
        else:
            events.setdefault(key, []).append((position, False, "*"))
    return events


def _statement(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST | None:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = parents.get(id(current))
    return current


def _sets_module(statement: ast.AST | None, file: FileView, owner: str) -> bool:
    """Whether `statement` assigns an attribute of the module: reading the module's
    other attributes to compute the new value (``mod.engine = create_engine(mod.url)``)
    runs none of its code."""
    if not isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return False
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    return any(isinstance(t, ast.Attribute) and file.qualified(t.value) == owner for t in targets)


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The qualified names an import statement binds (``import a.b`` binds ``a``)."""
    if isinstance(node, ast.Import):
        return [a.name if a.asname else a.name.partition(".")[0] for a in node.names]
    if node.level or not node.module:
        return []
    return [f"{node.module}.{a.name}" for a in node.names]
