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
  parameters without defaults, minus `self` for methods, minus mock.patch arguments.

Name matching and fixture arguments live in `auditor.model.naming`; the fixtures a
namespace or class defines (xunit ``setup_*`` functions included) are registered by
`auditor.model.registration`, which `Collector` extends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.config import Config
from auditor.model.discover import SuiteFiles
from auditor.model.imports import ModuleIndex, Target
from auditor.model.naming import funcargnames, matches_prefix_or_glob
from auditor.model.project import is_project_file
from auditor.model.registration import FixtureRegistrar, Registry
from auditor.model.suite import Origin, TestItem
from auditor.parse.summary import Class, Function, Mark, ModuleSummary, Parametrize
from auditor.paths import relpath

__all__ = [
    "UNITTEST_BASES",
    "Collector",
    "Registry",
    "funcargnames",
    "matches_prefix_or_glob",
]

UNITTEST_BASES = frozenset(
    {
        "unittest.TestCase",
        "unittest.case.TestCase",
        "unittest.IsolatedAsyncioTestCase",
        "unittest.async_case.IsolatedAsyncioTestCase",
    }
)


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


class Collector(FixtureRegistrar):
    """Walks module namespaces and registers what pytest would register."""

    def __init__(self, config: Config, files: SuiteFiles, index: ModuleIndex) -> None:
        super().__init__(config.rootdir, index)
        self.config = config
        self.files = files
        self.tests: list[TestItem] = []
        self.plugins: set[str] = set()

    # -- tests ----------------------------------------------------------------------

    def collect_module(self, path: Path, summary: ModuleSummary) -> None:
        node = relpath(path, self.rootdir)
        chain = (*_dir_chain(node), node)
        namespace = self.index.namespace(path)
        self.register_module_xunit(path, node, namespace)
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
            count = parametrize.cases
            if count is None and parametrize.values_from is not None:
                count = self.index.sequence_length(
                    target.path, target.summary, parametrize.values_from
                )
            cases = None if cases is None or count is None else cases * max(count, 1)
        self.tests.append(
            TestItem(
                nodeid=nodeid,
                name=name,
                path=chain[-1].split("::")[0],
                line=function.line,
                chain=chain,
                argnames=funcargnames(
                    function,
                    method=method,
                    extra_patches=(own.patches if method else 0)
                    + sum(
                        self.index.patcher_arguments(target.path, target.summary, name)
                        for name in function.named_decorators
                    ),
                ),
                usefixtures=tuple(a for m in own.marks if m.name == "usefixtures" for a in m.args),
                direct_params=direct,
                indirect_params=tuple(
                    dict.fromkeys(n for p in own.parametrize for n in p.indirect)
                ),
                param_scopes=tuple(
                    (name, p.scope) for p in own.parametrize if p.scope for name in p.direct
                ),
                marks=tuple(dict.fromkeys(m.name for m in own.marks)),
                cases=cases,
                parametrized=bool(own.parametrize),
                is_async=function.is_async,
                getfixturevalue=function.getfixturevalue,
                dynamic_request=function.dynamic_getfixturevalue,
                defined_in=self.display_path(target.path),
                own_marks=bool(function.marks or function.parametrize),
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
        nested_base = self._nested_base(owner, base)
        if nested_base is not None:
            return nested_base
        if base in UNITTEST_BASES:
            return base
        module, _, name = base.rpartition(".")
        source = self.index.find(module, importer=owner.path)
        # a base kept in the project's code (webargs' `CommonTestCase`) gives its tests to
        # the suite's subclasses, as pytest collects them: not unittest for its name
        if source is not None and (
            self.index.inside(source) or is_project_file(source, self.rootdir)
        ):
            found = self.index.namespace(source).get(name)
            if found is not None and isinstance(found.obj, Class):
                return found
        return base

    def _nested_base(self, owner: Target, base: str) -> Target | None:
        """`Outer.Inner` where `Outer` is a class bound in the owner's module (defined or
        imported there): the mixin-in-a-holder idiom that keeps pytest from collecting the
        shared tests on their own (`class TestLocal(Base.FileAdminTests)`)."""
        head, *rest = base.split(".")
        found = self.index.namespace(owner.path).get(head)
        if found is None or not isinstance(found.obj, Class):
            return None
        current: Class = found.obj
        for part in rest:
            inner = next((c for c in current.classes if c.name == part), None)
            if inner is None:
                return None
            current = inner
        return Target(found.path, found.summary, current)

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
        if _test_attr(mro) is False:
            return
        if any(isinstance(t.obj, Class) and (t.obj.has_init or t.obj.has_new) for t in mro):
            return
        chain = (*parent_chain, nodeid)
        self.register_class_fixtures(nodeid, mro, qualname)
        marked, parametrized = _class_marks(mro)
        own = marks.add(marked, parametrized, klass.mock_patch_args)
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

    def _unittest_class(
        self, nodeid: str, parent_chain: tuple[str, ...], target: Target, marks: _Marks
    ) -> None:
        klass = target.obj
        assert isinstance(klass, Class)
        mro = [t for t in self.mro(target) if isinstance(t, Target)]
        if _test_attr(mro) is False:  # pytest reads `__test__` with getattr: inherited
            return
        chain = (*parent_chain, nodeid)
        self.register_class_fixtures(nodeid, mro, klass.name, unittest=True)
        own = marks.add(*_class_marks(mro))
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
                    defined_in=self.display_path(entry.path),
                    own_marks=bool(function.marks),
                )
            )


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


def _class_marks(mro: list[Target]) -> tuple[tuple[Mark, ...], tuple[Parametrize, ...]]:
    """A class's marks as pytest applies them (``get_unpacked_marks(consider_mro=True)``,
    pytest 7.2 and later): those of its bases first, then its own, so that a
    ``usefixtures`` or ``parametrize`` on a base class reaches the tests of a subclass."""
    classes = [t.obj for t in reversed(mro) if isinstance(t.obj, Class)]
    return (
        tuple(mark for c in classes for mark in c.marks),
        tuple(p for c in classes for p in c.parametrize),
    )


def _test_attr(mro: Sequence[Target]) -> bool | None:
    """The class's `__test__` as `getattr` reads it: the first definition in its MRO."""
    return next(
        (t.obj.test_attr for t in mro if isinstance(t.obj, Class) and t.obj.test_attr is not None),
        None,
    )
