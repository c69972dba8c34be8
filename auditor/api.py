"""What a rule is written against: the `Rule` base class, its examples, and read-only
views of the suite (`SuiteView`) and of one file's code (`FileView`).

A rule is a class in its own module under ``rules/<category>/``. It yields `Finding`s from
`check` (the whole suite model) and/or `check_file` (one file's code, as an `ast` tree
with exact positions, plus the model). It never writes and never prints. A fix is data on
the finding: a codemod from ``auditor.lint.codemods`` named by import path, with options.

Rule code reads files with `ast` (about ten times cheaper than a libcst tree with
positions); libcst is used where code is rewritten, in the codemods.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from auditor.analysis.absent_plugins import AbsentPlugins, absent_plugins
from auditor.analysis.clone_groups import DuplicateGroup, Member
from auditor.analysis.resolution import Resolution, UnknownFixture, overrides
from auditor.config import CONFIG_NAMES, Config
from auditor.config_files import ConfigError, read_ini, read_toml, table_at
from auditor.model.collect import matches_prefix_or_glob
from auditor.model.discover import matches_python_files
from auditor.model.imports import module_name, package_root
from auditor.model.suite import FixtureDef, Origin, Suite, TestItem
from auditor.parse.astnames import dotted, import_aliases, qualify
from auditor.parse.decorators import FIXTURE_DECORATORS
from auditor.parse.source import UnreadableSource, decode
from auditor.parse.summary import Function, ModuleSummary
from auditor.parse.trees import N, ParsedFile, ParsedFiles
from auditor.types import Applicability, Finding, Fix, Scope, Severity, percent

if TYPE_CHECKING:
    from auditor.analysis.graph import FixtureGraph

__all__ = [
    "CONFIG_NAMES",
    "Applicability",
    "DuplicateGroup",
    "FileView",
    "Finding",
    "Fix",
    "FixtureDef",
    "FunctionView",
    "Invalid",
    "Member",
    "Origin",
    "ParsedFile",
    "Rule",
    "Scope",
    "Severity",
    "SuiteView",
    "Symlink",
    "TestItem",
    "UnknownFixture",
    "Valid",
    "module_name",
    "package_root",
    "percent",
]

CATEGORIES = ("structure", "fixtures", "isolation", "timing", "duplicates")
"""Rule categories, in code order: TA1xx, TA2xx, TA3xx, TA4xx, TA5xx."""

DEFAULT_FILE = "test_example.py"

MAX_IMPORT_DEPTH = 6
"""Imports followed at most from one module to the next (re-exports of re-exports)."""
PYTEST11 = "pytest11"
"""The entry-point group of pytest plugins."""


@dataclass(frozen=True)
class Symlink:
    """In an example's files: a symbolic link to `target` (relative to the link)."""

    target: str


FileContent = str | bytes | Symlink


@dataclass(frozen=True)
class Valid:
    """Code the rule must not flag: one test module (`code`) and/or more `files`."""

    code: str = ""
    files: Mapping[str, FileContent] = field(default_factory=dict)

    def tree(self) -> dict[str, FileContent]:
        return {DEFAULT_FILE: self.code, **self.files} if self.code else dict(self.files)


@dataclass(frozen=True)
class Invalid:
    """Code the rule must flag at exactly the places in `at` ("path:line:col", as the
    text output prints them); `message` is a part of the first finding's message and
    `fixed` the files after applying every fix (safe and unsafe)."""

    code: str = ""
    files: Mapping[str, FileContent] = field(default_factory=dict)
    at: tuple[str, ...] = ()
    message: str = ""
    fixed: Mapping[str, str] = field(default_factory=dict)

    def tree(self) -> dict[str, FileContent]:
        return {DEFAULT_FILE: self.code, **self.files} if self.code else dict(self.files)


class Rule:
    """Base class of every rule. Subclasses set the class attributes and override
    `check`, `check_file`, or both. The class docstring is the rule's documentation."""

    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    whole_suite: ClassVar[bool] = False
    """True when findings need every test of the suite (a fixture is unused only if no
    test anywhere uses it); such rules are skipped when `check` sees part of a suite."""
    cache_scope: ClassVar[Literal["file", "suite"]] = "suite"
    """What `check_file` may read, for caching its results per file
    (`auditor.lint.rule_cache`): "file" is the file, its conftest chain, the fixtures its
    functions get or name and their code (with their definitions' conftest chains and
    request edges), the tests and fixtures that request its own fixtures, the suite
    modules it imports and the project's own Python files (by size and mtime); a
    question about the rest of the suite is asked through `auditor.lint.answers`, which
    records it and its answer with the results. "suite" (the default) is anything in
    the suite or the project, so any change to a file of the suite runs the rule again
    on every file."""
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    def check(self, suite: SuiteView) -> Iterable[Finding]:
        """Findings from the suite model; default: none."""
        return ()

    def check_file(self, file: FileView) -> Iterable[Finding]:
        """Findings from one file's code; default: none."""
        return ()

    @classmethod
    def fixable(cls) -> bool:
        """Whether the rule can fix what it finds: some INVALID example shows it."""
        return any(case.fixed for case in cls.INVALID)

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first sentence of "What it does"."""
        doc = cls.documentation()
        _, _, rest = doc.partition("## What it does")
        text = " ".join(rest.split("##")[0].split())
        return text.split(". ")[0].rstrip(".") if text else ""

    def finding(
        self,
        path: str,
        line: int,
        col: int,
        message: str,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            self.code, self.name, severity or self.severity, path, line, col, message, fix
        )

    def at(
        self,
        file: FileView,
        node: ast.AST,
        message: str,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding at an `ast` node of `file`."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        return self.finding(file.path, line, col, message, fix=fix, severity=severity)


FunctionKind = Literal["test", "fixture", "xunit", "helper"]

XUNIT_NAMES = frozenset(
    {
        "setup_module",
        "teardown_module",
        "setup_function",
        "teardown_function",
        "setup_class",
        "teardown_class",
        "setup_method",
        "teardown_method",
        "setUp",
        "tearDown",
        "setUpClass",
        "tearDownClass",
        "setUpModule",
        "tearDownModule",
        "asyncSetUp",
        "asyncTearDown",
    }
)


@dataclass(frozen=True)
class FunctionView:
    """A module- or class-level def: its `ast` node and what the model knows of it."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    kind: FunctionKind
    cls: ast.ClassDef | None = None
    summary: Function | None = None
    test: TestItem | None = None
    fixture: FixtureDef | None = None

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def params(self) -> tuple[str, ...]:
        args = self.node.args
        return tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))

    @property
    def label(self) -> str:
        kind = {"xunit": "setup/teardown", "helper": "function"}.get(self.kind, self.kind)
        return f"{kind} `{self.name}`"

    @property
    def is_generator(self) -> bool:
        return any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in walk_local(self.node))

    @property
    def marks(self) -> tuple[str, ...]:
        own = tuple(m.name for m in self.summary.marks) if self.summary else ()
        return own + (self.test.marks if self.test else ())


class FileView:
    """One file's source and `ast` tree, with imports resolved to qualified names. The
    tree is walked once for every rule: ask `nodes`, `of_type` and `parent` rather than
    walking the module again."""

    def __init__(self, suite: SuiteView, path: str, parsed: ParsedFile) -> None:
        self.suite = suite
        self.path = path
        self.parsed = parsed
        self.text = parsed.text
        self.tree = parsed.tree
        self.summary: ModuleSummary | None = suite.suite.modules.get(path)

    def nodes(self, *kinds: type[ast.AST]) -> list[ast.AST]:
        """Every node of the file of the given types, in `ast.walk` order."""
        return self.parsed.nodes(*kinds)

    def of_type(self, kind: type[N]) -> list[N]:
        """Every node of the file of one type, in `ast.walk` order."""
        return self.parsed.of_type(kind)

    def top_level(self, name: str) -> ast.stmt | None:
        """The last statement of the module body binding `name` (an assignment, a def, a
        class, an import)."""
        return self._bindings.get(name)

    @cached_property
    def _bindings(self) -> dict[str, ast.stmt]:
        found: dict[str, ast.stmt] = {}
        for node in self.tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found[node.name] = node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                if isinstance(node.target, ast.Name):
                    found[node.target.id] = node
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    found[alias.asname or alias.name.partition(".")[0]] = node
        return found

    def imported_module(self, node: ast.ImportFrom) -> FileView | None:
        """The project module an ``import from`` of this file names, relative or
        absolute."""
        if not node.level:
            return self.suite.project_module(node.module or "")
        folders = self.path.split("/")[:-1]
        base = folders[: len(folders) - (node.level - 1)]
        parts = [*base, *(node.module.split(".") if node.module else [])]
        if not parts:
            return None
        path = "/".join(parts)
        return self.suite.file(f"{path}.py") or self.suite.file(f"{path}/__init__.py")

    def defined(self, name: str, depth: int = 0) -> tuple[FileView, ast.stmt] | None:
        """The module-level def, class or assignment that `name` is in this module, with
        its file: one of this module, or, for ``from x import name``, one of the project
        module x (through the re-exports of its packages); None for anything else."""
        if depth > MAX_IMPORT_DEPTH:
            return None
        node = self.top_level(name)
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    module = self.imported_module(node)
                    return module.defined(alias.name, depth + 1) if module else None
            return None
        if node is None or isinstance(node, ast.Import):
            return None
        return self, node

    def class_named(self, name: str, depth: int = 0) -> tuple[FileView, ast.ClassDef] | None:
        """The class `name` is in this module (`defined`)."""
        found = self.defined(name, depth)
        if found is None or not isinstance(found[1], ast.ClassDef):
            return None
        return found[0], found[1]

    def class_of(self, node: ast.expr, depth: int = 0) -> tuple[FileView, ast.ClassDef] | None:
        """The project class an expression of this module names: ``Base`` (`class_named`)
        or ``module.Base`` for a project module the file imports (``import pkg.base as
        module``)."""
        if isinstance(node, ast.Name):
            return self.class_named(node.id, depth)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            qualified = self.imports.get(node.value.id)
            module = self.suite.project_module(qualified) if qualified else None
            return module.class_named(node.attr, depth + 1) if module is not None else None
        return None

    def method(
        self, cls: ast.ClassDef, name: str, depth: int = 0
    ) -> tuple[FileView, ast.FunctionDef | ast.AsyncFunctionDef] | None:
        """The def of method `name` that `cls` (a class of this module) has: its own, or
        the first found in its project bases, in the order Python looks them up for a
        single line of bases; None when it comes from a class outside the project."""
        for node in cls.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                return self, node
        if depth >= MAX_IMPORT_DEPTH:
            return None
        for base in cls.bases:
            found = self.class_of(base, depth + 1)
            if found is not None:
                inherited = found[0].method(found[1], name, depth + 1)
                if inherited is not None:
                    return inherited
        return None

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node of the file that holds `node`."""
        return self.parsed.parent(node)

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def is_conftest(self) -> bool:
        return self.name == "conftest.py"

    @property
    def is_test_module(self) -> bool:
        return self.path in self.suite.test_files

    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> qualified name for every import in the file (at any depth)."""
        return import_aliases(self.nodes(ast.Import, ast.ImportFrom))

    def qualified(self, node: ast.AST) -> str | None:
        """``os.environ`` for `environ` imported from os, ``unittest.mock.patch`` for
        ``mock.patch`` after ``from unittest import mock``; None for non-names."""
        name = dotted(node)
        return None if name is None else qualify(name, self.imports)

    @cached_property
    def relative_imports(self) -> dict[str, str]:
        """Local name -> qualified name for every name imported relatively from a module
        of the project (``from ..fields import f`` in ``pkg/tests/test_x.py`` gives
        ``pkg.fields.f``), which `imports` leaves out."""
        names: dict[str, str] = {}
        for node in self.of_type(ast.ImportFrom):
            module = self.imported_module(node) if node.level else None
            if module is None:
                continue
            dotted_module = module_name(self.suite.rootdir / module.path)
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{dotted_module}.{alias.name}"
        return names

    def resolved(self, node: ast.AST) -> str | None:
        """`qualified`, with names imported relatively from the project's modules
        qualified too (`relative_imports`)."""
        name = dotted(node)
        if name is None:
            return None
        head = name.partition(".")[0]
        if head not in self.imports and head in self.relative_imports:
            return qualify(name, self.relative_imports)
        return qualify(name, self.imports)

    @cached_property
    def functions(self) -> tuple[FunctionView, ...]:
        """Module-level defs and defs of (nested) classes, classified. A test this module
        inherits from a class of another module (``class TestX(CommonTests)``) is not
        one of its defs: its line is a line of that other module."""
        tests = {
            t.line: t
            for t in self.suite.tests_in(self.path)
            if not t.defined_in or t.defined_in == self.path
        }
        fixtures = {d.line: d for d in self.suite.fixtures_in(self.path)}
        summaries = _summary_functions(self.summary)
        views: list[FunctionView] = []

        def visit(body: list[ast.stmt], cls: ast.ClassDef | None) -> None:
            for node in body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    summary = summaries.get(node.lineno)
                    test = tests.get(node.lineno)
                    fixture = fixtures.get(node.lineno)
                    kind: FunctionKind
                    if (summary is not None and summary.fixture is not None) or (
                        fixture is not None and fixture.origin is not Origin.XUNIT
                    ):
                        kind = "fixture"
                    elif test is not None:
                        kind = "test"
                    elif node.name in XUNIT_NAMES:
                        kind = "xunit"
                    else:
                        kind = "helper"
                    views.append(FunctionView(node, kind, cls, summary, test, fixture))
                elif isinstance(node, ast.ClassDef):
                    visit(node.body, node)
                elif isinstance(node, (ast.If, ast.Try)):
                    visit(_block_statements(node), cls)

        visit(self.tree.body, None)
        return tuple(views)

    def of_kind(self, *kinds: FunctionKind) -> Iterator[FunctionView]:
        return (f for f in self.functions if f.kind in kinds)

    def statement_text(self, node: ast.stmt) -> str:
        """The whole lines of a statement (a def, a class...), from `lines`: not split
        out of the file's text again as `ast.get_source_segment` does at each call."""
        return "\n".join(self.lines[node.lineno - 1 : node.end_lineno or node.lineno])

    def source_line(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    @cached_property
    def fixture_names(self) -> frozenset[str]:
        """The names of the fixtures the module defines at its top level, read from the
        decorators alone (``@pytest.fixture(name="db")`` gives ``db``): also for a
        module pytest does not collect, such as a plugin of the project."""
        names: set[str] = set()
        for node in self.tree.body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                if self.qualified(call.func if call else decorator) not in FIXTURE_DECORATORS:
                    continue
                keywords = call.keywords if call else []
                given = next((k.value for k in keywords if k.arg == "name"), None)
                if isinstance(given, ast.Constant) and isinstance(given.value, str):
                    names.add(given.value)
                else:
                    names.add(node.name)
        return frozenset(names)


def _block_statements(node: ast.If | ast.Try) -> list[ast.stmt]:
    if isinstance(node, ast.If):
        return [*node.body, *node.orelse]
    return [*node.body, *node.orelse, *node.finalbody, *(s for h in node.handlers for s in h.body)]


def _summary_functions(summary: ModuleSummary | None) -> dict[int, Function]:
    if summary is None:
        return {}
    return {function.line: function for function, _ in summary.defs()}


def walk_local(node: ast.AST) -> Iterator[ast.AST]:
    """Every node inside `node` except the bodies of nested defs, lambdas and classes."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        yield child
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(child))


class SuiteView:
    """The read-only suite a rule sees: the model, fixture resolution, the fixture graph
    (built on first use), the config, and any file's code on request."""

    def __init__(
        self,
        suite: Suite,
        resolution: Resolution,
        config: Config,
        *,
        partial: bool = False,
        graph: FixtureGraph | None = None,
        parsed: ParsedFiles | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.suite = suite
        self.cache_dir = cache_dir
        """Where the clone analysis caches what it read per file (None: not cached)."""
        self.resolution = resolution
        self.config = config
        self.partial = partial
        self.rootdir = Path(suite.rootdir)
        self.parsed = parsed or ParsedFiles(self.rootdir)
        """The suite's files as `ast` trees, each parsed once (shared with the clone
        analysis)."""
        self.test_files = frozenset(suite.test_files)
        self._graph = graph
        self._duplicates: tuple[DuplicateGroup, ...] | None = None
        self._files: dict[str, FileView | None] = {}
        self._project_modules: dict[str, FileView | None] = {}
        self._tests_by_path: dict[str, list[TestItem]] = {}
        for test in suite.tests:
            self._tests_by_path.setdefault(test.path, []).append(test)
        self._fixtures_by_path: dict[str, list[FixtureDef]] = {}
        for definition in suite.fixtures:
            self._fixtures_by_path.setdefault(definition.path, []).append(definition)

    @property
    def graph(self) -> FixtureGraph:
        if self._graph is None:
            from auditor.analysis.graph import FixtureGraph

            self._graph = FixtureGraph(self.suite, self.resolution)
        return self._graph

    @property
    def duplicates(self) -> tuple[DuplicateGroup, ...]:
        """Clone groups of tests, fixtures and files (computed on first use), with the
        similarity threshold of `[tool.test-auditor] duplicate-similarity`."""
        if self._duplicates is None:
            from auditor.analysis.clone_groups import DuplicateSettings
            from auditor.analysis.duplicates import find_duplicates

            settings = DuplicateSettings(near_similarity=self.config.auditor.duplicate_similarity)
            self._duplicates = find_duplicates(
                self.suite, settings, self.resolution, files=self.parsed, cache_dir=self.cache_dir
            )
        return self._duplicates

    @cached_property
    def absent_plugins(self) -> AbsentPlugins:
        """The unknown fixture names that plugins not installed in the environment read
        would provide, and the note saying which plugins were not read."""
        return absent_plugins(self.suite, self.resolution.unknown)

    def is_test_function_name(self, name: str) -> bool:
        """Whether python_functions matches `name` (pytest's prefix-or-glob test)."""
        return matches_prefix_or_glob(name, self.config.pytest.python_functions)

    def is_test_class_name(self, name: str) -> bool:
        """Whether python_classes matches `name`."""
        return matches_prefix_or_glob(name, self.config.pytest.python_classes)

    def matches_python_files(self, path: str) -> bool:
        """Whether python_files matches `path` (relative to the rootdir)."""
        return matches_python_files(self.rootdir / path, self.config.pytest.python_files)

    def overrides(self) -> list[tuple[FixtureDef, FixtureDef]]:
        """(inner, outer): each definition and the one it shadows at an enclosing node."""
        return overrides(self.suite)

    def tests_in(self, path: str) -> list[TestItem]:
        return self._tests_by_path.get(path, [])

    def fixtures_in(self, path: str) -> list[FixtureDef]:
        return self._fixtures_by_path.get(path, [])

    def project_module(self, module: str) -> FileView | None:
        """The file of a module of the project (under the rootdir or its ``src/``), never
        an installed package; None for a name that is not a module's."""
        if module not in self._project_modules:
            found: FileView | None = None
            if module and all(part.isidentifier() for part in module.split(".")):
                relative = module.replace(".", "/")
                for base in ("", "src/"):
                    for candidate in (f"{base}{relative}.py", f"{base}{relative}/__init__.py"):
                        if (self.rootdir / candidate).is_file():
                            found = self.file(candidate)
                            break
                    if found is not None:
                        break
            self._project_modules[module] = found
        return self._project_modules[module]

    @cached_property
    def own_plugins(self) -> tuple[FileView, ...]:
        """The project's own pytest plugins: the modules its packaging declares as
        ``pytest11`` entry points in the rootdir (``[project.entry-points.pytest11]`` or
        Poetry's ``[tool.poetry.plugins.pytest11]`` in pyproject.toml, ``pytest11 =`` in
        setup.cfg's ``[options.entry_points]``), read from source. pytest loads them
        whenever the project is installed, as it is to run its own tests."""
        modules: list[str] = []
        pyproject = self.rootdir / "pyproject.toml"
        if pyproject.is_file():
            try:
                document = read_toml(pyproject)
            except ConfigError:
                document = {}
            for keys in (
                ("project", "entry-points", PYTEST11),
                ("tool", "poetry", "plugins", PYTEST11),
            ):
                table = table_at(document, *keys) or {}
                modules.extend(str(value) for value in table.values())
        setup_cfg = self.rootdir / "setup.cfg"
        if setup_cfg.is_file():
            try:
                parser = read_ini(setup_cfg)
            except ConfigError:
                parser = None
            if parser is not None and parser.has_option("options.entry_points", PYTEST11):
                for line in parser.get("options.entry_points", PYTEST11).splitlines():
                    modules.append(line.partition("=")[2])
        found = (self.project_module(m.partition(":")[0].strip()) for m in modules)
        return tuple(file for file in found if file is not None)

    def file(self, path: str) -> FileView | None:
        """The code of `path` (relative to the rootdir); None when it cannot be read or
        parsed (those files are findings of TA100 already)."""
        if path not in self._files:
            self._files[path] = self._load(path)
        return self._files[path]

    def text(self, path: str) -> str:
        """The text of `path` (for noqa comments and fingerprints): from its parsed view
        when there is one, else its bytes decoded as the interpreter would (its coding
        cookie), or with undecodable bytes replaced: the same lines whether or not the
        rules parsed it in this process (`auditor.lint.file_pass`)."""
        file = self._files.get(path)
        if file is not None:
            return file.text
        try:
            data = (self.rootdir / path).read_bytes()
        except OSError:
            return ""
        try:
            return decode(data).text
        except UnreadableSource:
            return data.decode("utf-8", "replace")

    def _load(self, path: str) -> FileView | None:
        parsed = self.parsed.get(path)
        return None if parsed is None else FileView(self, path, parsed)

    def closure(self, test: TestItem) -> list[FixtureDef]:
        """The fixture definitions `test` gets, as resolved."""
        fixtures = self.resolution.tests.get(test.nodeid)
        if fixtures is None:
            return []
        known = self.resolution.definitions
        return [known[key] for key in fixtures.definitions if key in known]

    def requested(self, test: TestItem, name: str) -> FixtureDef | None:
        """The definition `test` gets for the fixture `name` (the closest visible one)."""
        visible = self.suite.visible(name, test.chain)
        return visible[-1] if visible else None

    def users(self, definition: FixtureDef) -> int:
        """How many tests get this definition."""
        return self.resolution.used_by.get(definition.key, 0)
