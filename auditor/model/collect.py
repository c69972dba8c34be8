"""Summaries -> tests and fixture definitions, by pytest's collection rules.

The rules mirrored here, with the pytest source they come from:

* functions and classes are taken from the module namespace, imported ones included
  (``PyCollector.collect``), matched by `python_functions` / `python_classes` as a prefix or,
  when the option has glob characters, an fnmatch pattern;
* a class is skipped when it (or a base) defines ``__init__`` or ``__new__``, or when
  ``__test__`` is false; methods come from the whole MRO, the first definition of a name
  winning; nested classes are collected too;
* ``unittest.TestCase`` subclasses are collected whatever their name, with methods named
  ``test*`` and no fixture arguments (``_pytest/unittest.py``);
* fixture arguments follow ``getfuncargnames``: positional-or-keyword and keyword-only
  parameters without defaults, minus `self` for methods, minus mock.patch arguments;
* xunit ``setup_module``/``setup_function``/``setup_class``/``setup_method`` and unittest's
  ``setUpClass`` become the autouse fixtures pytest registers for them.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.config import Config
from auditor.model.discover import SuiteFiles
from auditor.model.imports import ModuleIndex, Target, module_name
from auditor.model.suite import FixtureDef, Origin, TestItem
from auditor.parse.summary import Class, Function, Mark, ModuleSummary, Parametrize
from auditor.paths import relpath
from auditor.types import Scope

UNITTEST_BASES = frozenset(
    {
        "unittest.TestCase",
        "unittest.case.TestCase",
        "unittest.IsolatedAsyncioTestCase",
        "unittest.async_case.IsolatedAsyncioTestCase",
    }
)


def matches_prefix_or_glob(name: str, options: Iterable[str]) -> bool:
    """pytest's ``_matches_prefix_or_glob_option``."""
    for option in options:
        if name.startswith(option):
            return True
        if ("*" in option or "?" in option or "[" in option) and fnmatch.fnmatch(name, option):
            return True
    return False


def funcargnames(function: Function, *, method: bool, extra_patches: int = 0) -> tuple[str, ...]:
    """pytest's ``getfuncargnames`` for a def seen statically."""
    names = [
        p.name
        for p in function.params
        if p.kind in ("positional", "keyword_only") and not p.has_default
    ]
    has_positional_only = any(p.kind == "positional_only" for p in function.params)
    if method and not function.is_staticmethod and not has_positional_only:
        names = names[1:]
    patches = function.mock_patch_args + extra_patches
    if patches and (function.decorated or extra_patches):
        names = names[patches:]
    if function.supplied or function.supplied_positional:
        # hypothesis.given fills these: keyword strategies by name, positional ones last.
        names = [n for n in names if n not in function.supplied]
        if function.supplied_positional:
            names = names[: -function.supplied_positional]
    return tuple(names)


@dataclass
class _Marks:
    """Marks accumulated from module, class(es) and function."""

    marks: tuple[Mark, ...] = ()
    parametrize: tuple[Parametrize, ...] = ()
    patches: int = 0

    def add(
        self,
        marks: Sequence[Mark],
        parametrize: Sequence[Parametrize],
        patches: int = 0,
    ) -> _Marks:
        return _Marks(
            (*self.marks, *marks),
            (*self.parametrize, *parametrize),
            self.patches + patches,
        )


@dataclass
class Registry:
    """Fixture definitions in registration order, and autouse names per node."""

    fixtures: list[FixtureDef] = field(default_factory=list)
    autouse: dict[str, list[str]] = field(default_factory=dict)

    def add(self, definition: FixtureDef) -> None:
        self.fixtures.append(definition)
        if definition.autouse:
            self.autouse.setdefault(definition.node, []).append(definition.name)

    @property
    def next_order(self) -> int:
        return len(self.fixtures)


class Collector:
    """Walks module namespaces and registers what pytest would register."""

    def __init__(self, config: Config, files: SuiteFiles, index: ModuleIndex) -> None:
        self.config = config
        self.rootdir = config.rootdir
        self.files = files
        self.index = index
        self.registry = Registry()
        self.tests: list[TestItem] = []
        self.plugins: set[str] = set()

    # -- fixtures -------------------------------------------------------------------

    def register_namespace(
        self, path: Path, node: str, origin: Origin, *, with_classes: bool = False
    ) -> None:
        """Register the fixtures a module's namespace holds (``parsefactories``)."""
        namespace = self.index.namespace(path)
        for attr in sorted(namespace):
            target = namespace[attr]
            if isinstance(target.obj, Function) and target.obj.fixture is not None:
                self._register(attr, target, node, origin, method=False)
            elif with_classes and isinstance(target.obj, Class):
                for function in target.obj.functions:
                    if function.fixture is not None:
                        member = Target(target.path, target.summary, function)
                        self._register(function.name, member, node, origin, method=True)

    def _register(
        self, attr: str, target: Target, node: str, origin: Origin, *, method: bool
    ) -> None:
        function = target.obj
        assert isinstance(function, Function)
        spec = function.fixture
        assert spec is not None
        self.registry.add(
            FixtureDef(
                name=spec.name or attr,
                node=node,
                path=self._display_path(target.path),
                line=function.line,
                function=function.name,
                scope=Scope(spec.scope),
                origin=origin,
                order=self.registry.next_order,
                argnames=funcargnames(function, method=method),
                autouse=spec.autouse,
                scope_dynamic=spec.scope_dynamic,
                has_params=spec.has_params,
                params_count=spec.params_count,
                is_generator=function.is_generator,
                is_async=function.is_async,
                getfixturevalue=function.getfixturevalue,
                dynamic_request=function.dynamic_getfixturevalue,
            )
        )

    def _xunit(self, name: str, node: str, scope: Scope, path: Path, line: int) -> None:
        self.registry.add(
            FixtureDef(
                name=name,
                node=node,
                path=self._display_path(path),
                line=line,
                function=name,
                scope=scope,
                origin=Origin.XUNIT,
                order=self.registry.next_order,
                argnames=("request",),
                autouse=True,
            )
        )

    def _display_path(self, path: Path) -> str:
        """Relative to the rootdir; an installed plugin relative to its sys.path entry."""
        if self.rootdir in path.parents:
            return path.relative_to(self.rootdir).as_posix()
        for root in self.index.site_roots:
            if root in path.parents:
                return path.relative_to(root).as_posix()
        return path.as_posix()

    # -- tests ----------------------------------------------------------------------

    def collect_module(self, path: Path, summary: ModuleSummary) -> None:
        node = relpath(path, self.rootdir)
        chain = (*_dir_chain(node), node)
        namespace = self.index.namespace(path)
        self._module_xunit(path, node, namespace)
        self.register_namespace(path, node, Origin.MODULE)
        if summary.test_attr is False:
            return
        base = _Marks(summary.marks, summary.parametrize)
        options = self.config.pytest
        for name, target in namespace.items():
            obj = target.obj
            if isinstance(obj, Function):
                if obj.fixture is None and matches_prefix_or_glob(name, options.python_functions):
                    self._test(f"{node}::{name}", name, chain, target, obj, base, method=False)
            elif self._is_unittest(target):
                self._unittest_class(f"{node}::{name}", chain, target, base)
            elif matches_prefix_or_glob(name, options.python_classes) and not _abstract(obj):
                self._class(f"{node}::{name}", chain, target, base, obj.name)

    def _module_xunit(self, path: Path, node: str, namespace: dict[str, Target]) -> None:
        modname = module_name(path)

        def plain(names: Sequence[str]) -> Function | None:
            for name in names:
                target = namespace.get(name)
                if target and isinstance(target.obj, Function) and target.obj.fixture is None:
                    return target.obj
            return None

        setup = plain(("setUpModule", "setup_module"))
        teardown = plain(("tearDownModule", "teardown_module"))
        if setup or teardown:
            line = (setup or teardown).line  # type: ignore[union-attr]
            self._xunit(f"_xunit_setup_module_fixture_{modname}", node, Scope.MODULE, path, line)
        setup = plain(("setup_function",))
        teardown = plain(("teardown_function",))
        if setup or teardown:
            line = (setup or teardown).line  # type: ignore[union-attr]
            self._xunit(
                f"_xunit_setup_function_fixture_{modname}",
                node,
                Scope.FUNCTION,
                path,
                line,
            )

    def _test(
        self,
        nodeid: str,
        name: str,
        chain: tuple[str, ...],
        target: Target,
        function: Function,
        marks: _Marks,
        *,
        method: bool,
    ) -> None:
        own = marks.add(function.marks, function.parametrize)
        own = own.add(self._plugin_marks(function, own), ())
        direct = tuple(dict.fromkeys(n for p in own.parametrize for n in p.direct))
        cases: int | None = 1
        for parametrize in own.parametrize:
            cases = (
                None
                if cases is None or parametrize.cases is None
                else cases * max(parametrize.cases, 1)
            )
        self.tests.append(
            TestItem(
                nodeid=nodeid,
                name=name,
                path=chain[-1].split("::")[0],
                line=function.line,
                chain=chain,
                argnames=funcargnames(
                    function, method=method, extra_patches=own.patches if method else 0
                ),
                usefixtures=tuple(a for m in own.marks if m.name == "usefixtures" for a in m.args),
                direct_params=direct,
                param_scopes=tuple(
                    (name, p.scope) for p in own.parametrize if p.scope for name in p.direct
                ),
                marks=tuple(dict.fromkeys(m.name for m in own.marks)),
                cases=cases,
                parametrized=bool(own.parametrize),
                is_async=function.is_async,
                getfixturevalue=function.getfixturevalue,
                dynamic_request=function.dynamic_getfixturevalue,
                defined_in=self._display_path(target.path),
            )
        )

    def _plugin_marks(self, function: Function, marks: _Marks) -> tuple[Mark, ...]:
        """Marks that installed plugins add at collection time (their
        `pytest_pycollect_makeitem` hooks), known here as data."""
        if "anyio" in self.plugins and function.is_async:
            auto = "anyio_mode=auto" in " ".join(self.config.pytest.addopts)
            if auto or any(m.name == "anyio" for m in marks.marks):
                return (Mark("usefixtures", function.line, ("anyio_backend",)),)
        return ()

    # -- classes --------------------------------------------------------------------

    def mro(self, target: Target) -> list[Target | str]:
        """The class and its bases, depth first, each once; unresolved bases as names."""
        seen: set[int] = set()
        order: list[Target | str] = []

        def visit(current: Target | str) -> None:
            if isinstance(current, str):
                if current not in order:
                    order.append(current)
                return
            if id(current.obj) in seen:
                return
            seen.add(id(current.obj))
            order.append(current)
            assert isinstance(current.obj, Class)
            for base in current.obj.bases:
                visit(self._resolve_base(current, base))

        visit(target)
        return order

    def _resolve_base(self, owner: Target, base: str) -> Target | str:
        if "." not in base:
            found = self.index.namespace(owner.path).get(base)
            if found is None:
                for nested in _walk_classes(owner.summary.classes):
                    if nested.name == base:
                        return Target(owner.path, owner.summary, nested)
            return found if found is not None and isinstance(found.obj, Class) else base
        module, _, name = base.rpartition(".")
        source = self.index.find(module, importer=owner.path)
        if source is not None and self.index.inside(source):
            found = self.index.namespace(source).get(name)
            if found is not None and isinstance(found.obj, Class):
                return found
        return base

    def _is_unittest(self, target: Target) -> bool:
        if not isinstance(target.obj, Class):
            return False
        return any(
            isinstance(entry, str) and (entry in UNITTEST_BASES or entry.endswith("TestCase"))
            for entry in self.mro(target)
        )

    def _class(
        self,
        nodeid: str,
        parent_chain: tuple[str, ...],
        target: Target,
        marks: _Marks,
        qualname: str,
    ) -> None:
        klass = target.obj
        assert isinstance(klass, Class)
        mro = [t for t in self.mro(target) if isinstance(t, Target)]
        test_attr = next(
            (
                t.obj.test_attr
                for t in mro
                if isinstance(t.obj, Class) and t.obj.test_attr is not None
            ),
            None,
        )
        if test_attr is False:
            return
        if any(isinstance(t.obj, Class) and (t.obj.has_init or t.obj.has_new) for t in mro):
            return
        chain = (*parent_chain, nodeid)
        self._class_fixtures(nodeid, mro, qualname)
        own = marks.add(klass.marks, klass.parametrize, klass.mock_patch_args)
        options = self.config.pytest
        seen: set[str] = set()
        for entry in mro:
            current = entry.obj
            assert isinstance(current, Class)
            for member in _members(current):
                if member.name in seen:
                    continue
                seen.add(member.name)
                if isinstance(member, Function):
                    if member.fixture is None and matches_prefix_or_glob(
                        member.name, options.python_functions
                    ):
                        member_target = Target(entry.path, entry.summary, member)
                        self._test(
                            f"{nodeid}::{member.name}",
                            member.name,
                            chain,
                            member_target,
                            member,
                            own,
                            method=True,
                        )
                elif matches_prefix_or_glob(member.name, options.python_classes):
                    nested = Target(entry.path, entry.summary, member)
                    self._class(
                        f"{nodeid}::{member.name}",
                        chain,
                        nested,
                        own,
                        f"{qualname}.{member.name}",
                    )

    def _class_fixtures(
        self, nodeid: str, mro: list[Target], qualname: str, *, unittest: bool = False
    ) -> None:
        path = mro[0].path
        methods: dict[str, tuple[Target, Function]] = {}
        for entry in mro:
            assert isinstance(entry.obj, Class)
            for function in entry.obj.functions:
                methods.setdefault(function.name, (entry, function))
        if unittest:
            line = mro[0].obj.line
            self._xunit(
                f"_unittest_setUpClass_fixture_{qualname}",
                nodeid,
                Scope.CLASS,
                path,
                line,
            )
            if _plain(methods, "setup_method", "teardown_method"):
                self._xunit(
                    f"_unittest_setup_method_fixture_{qualname}",
                    nodeid,
                    Scope.FUNCTION,
                    path,
                    line,
                )
        plain = _plain(methods, "setup_class", "teardown_class")
        if plain:
            self._xunit(
                f"_xunit_setup_class_fixture_{qualname}",
                nodeid,
                Scope.CLASS,
                path,
                plain.line,
            )
        plain = _plain(methods, "setup_method", "teardown_method")
        if plain and not unittest:
            self._xunit(
                f"_xunit_setup_method_fixture_{qualname}",
                nodeid,
                Scope.FUNCTION,
                path,
                plain.line,
            )
        for attr in sorted(methods):
            entry, function = methods[attr]
            if function.fixture is not None and not function.is_classmethod:
                self._register(
                    attr,
                    Target(entry.path, entry.summary, function),
                    nodeid,
                    Origin.CLASS,
                    method=True,
                )

    def _unittest_class(
        self, nodeid: str, parent_chain: tuple[str, ...], target: Target, marks: _Marks
    ) -> None:
        klass = target.obj
        assert isinstance(klass, Class)
        mro = [t for t in self.mro(target) if isinstance(t, Target)]
        if any(isinstance(t.obj, Class) and t.obj.test_attr is False for t in mro[:1]):
            return
        chain = (*parent_chain, nodeid)
        self._class_fixtures(nodeid, mro, klass.name, unittest=True)
        own = marks.add(klass.marks, klass.parametrize)
        names: dict[str, tuple[Target, Function]] = {}
        for entry in mro:
            assert isinstance(entry.obj, Class)
            for function in entry.obj.functions:
                names.setdefault(function.name, (entry, function))
        tests = sorted(name for name in names if name.startswith("test"))
        if not tests and "runTest" in names:
            tests = ["runTest"]
        for name in tests:
            entry, function = names[name]
            item_marks = own.add(function.marks, ())
            self.tests.append(
                TestItem(
                    nodeid=f"{nodeid}::{name}",
                    name=name,
                    path=nodeid.split("::")[0],
                    line=function.line,
                    chain=chain,
                    usefixtures=tuple(
                        a for m in item_marks.marks if m.name == "usefixtures" for a in m.args
                    ),
                    marks=tuple(dict.fromkeys(m.name for m in item_marks.marks)),
                    is_unittest=True,
                    is_async=function.is_async,
                    defined_in=self._display_path(entry.path),
                )
            )


def _plain(methods: dict[str, tuple[Target, Function]], *names: str) -> Function | None:
    for name in names:
        found = methods.get(name)
        if found is not None and found[1].fixture is None:
            return found[1]
    return None


def _members(klass: Class) -> list[Function | Class]:
    members: list[Function | Class] = [*klass.functions, *klass.classes]
    members.sort(key=lambda m: m.line)
    latest: dict[str, Function | Class] = {}
    for member in members:
        latest[member.name] = member
    return list(latest.values())


def _abstract(obj: Function | Class) -> bool:
    return isinstance(obj, Class) and any(f.is_abstract for f in obj.functions)


def _walk_classes(classes: Iterable[Class]) -> Iterable[Class]:
    for klass in classes:
        yield klass
        yield from _walk_classes(klass.classes)


def _dir_chain(module_node: str) -> tuple[str, ...]:
    """ "" then every folder from the rootdir down to the module's folder."""
    parts = module_node.split("/")[:-1]
    return ("", *("/".join(parts[: i + 1]) for i in range(len(parts))))
