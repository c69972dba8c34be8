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
  test would read the leaked value).

Anything else (a second test reading the value, application code importing the module,
a relative import we cannot follow) keeps the write reported.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

from auditor.api import FileView, SuiteView

MAX_PROJECT_FILES = 20_000
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
        self._events: dict[tuple[str, str], list[list[_Event]] | None] = {}

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
        last = owner.rsplit(".", 1)[-1]
        setters = 0
        for path in paths:
            if path == module:
                continue
            text = self.suite.text(path)
            if last not in text or not re.search(rf"\b{re.escape(last)}\b", text):
                continue
            file = self.suite.file(path)
            if file is None or last in self._relative(path, text):
                return False
            if not any(
                value == owner or owner.startswith(value + ".") or value.startswith(owner + ".")
                for value in file.imports.values()
            ):
                continue
            cached = (path, owner)
            if cached not in self._events:
                self._events[cached] = _events(file, owner)
            uses = _uses(self._events[cached], attr)
            if uses is None:
                return False
            setters += uses
        return setters > 0 and not self._imported_by_project(owner, module, paths)

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

    def _imported_by_project(self, owner: str, module: str, suite_paths: dict[str, None]) -> bool:
        project = self._project_files()
        if project is None:
            return True
        parent, _, last = owner.rpartition(".")
        word = re.compile(rf"\b{re.escape(last)}\b")
        for path, text in project:
            if path == module or path in suite_paths or last not in text:
                continue
            if not word.search(text):
                continue
            if owner in text or last in self._relative(path, text):
                return True
            if parent and re.search(rf"from\s+{re.escape(parent)}\s+import\b", text):
                return True
        return False

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


def _uses(events: list[list[_Event]] | None, attr: str) -> int | None:
    """How many functions (of one file's `events`) use the module, each setting `attr`
    first; None when some use may read the module's state (module-level code, a name
    imported from it, a function reading before it sets)."""
    if events is None:
        return None
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


def _events(file: FileView, owner: str) -> list[list[_Event]] | None:
    """The uses of module `owner` in `file`, per function and in the order they run;
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
    for node in ast.walk(file.tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and functions.get(id(node)) is file.tree:
            names = _imported(node)
            if any(v == owner or owner.startswith(v + ".") for v in names):
                return None  # imported for the whole module: not one test's own
    events: dict[int, list[_Event]] = {}
    for node in ast.walk(file.tree):
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
    return [sorted(function_events) for function_events in events.values()]


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
