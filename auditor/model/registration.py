"""Fixture definitions registered as pytest's ``FixtureManager`` registers them.

`FixtureRegistrar` turns what a namespace holds into `FixtureDef`s, in registration order
(`Registry`), the way pytest does while it collects:

* ``parsefactories``: the fixture functions of a module, conftest or plugin namespace,
  and of a test class (its whole MRO, the first definition of a name winning);
* the autouse fixtures pytest makes for xunit ``setup_module``/``setup_function``/
  ``setup_class``/``setup_method`` (and their teardowns) and for unittest's
  ``setUpClass`` (``_pytest/python.py``, ``_pytest/unittest.py``).

`auditor.model.collect.Collector` is a registrar that also collects the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor.model.imports import ModuleIndex, Target, module_name
from auditor.model.naming import funcargnames
from auditor.model.suite import FixtureDef, Origin
from auditor.parse.summary import Class, Function
from auditor.types import Scope


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


class FixtureRegistrar:
    """Registers the fixtures of namespaces and classes into one `Registry`."""

    def __init__(self, rootdir: Path, index: ModuleIndex) -> None:
        self.rootdir = rootdir
        self.index = index
        self.registry = Registry()
        self.pytest_version: tuple[int, int] = (0, 0)
        """The suite's pytest (major, minor), where registration depends on it."""

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

    def register_module_xunit(self, path: Path, node: str, namespace: dict[str, Target]) -> None:
        """The autouse fixtures of a module's ``setup_module``/``setup_function`` (and
        unittest-style ``setUpModule``) and their teardowns."""
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

    def register_class_fixtures(
        self, nodeid: str, mro: list[Target], qualname: str, *, unittest: bool = False
    ) -> None:
        """A test class's xunit (or unittest) autouse fixtures, then its fixture methods."""
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
            if function.fixture is not None and not self._hidden_classmethod(function):
                self._register(
                    attr,
                    Target(entry.path, entry.summary, function),
                    nodeid,
                    Origin.CLASS,
                    method=True,
                )

    def _hidden_classmethod(self, function: Function) -> bool:
        """A fixture method pytest does not register: ``@classmethod`` above the fixture
        decorator, from pytest 9.2 on ("cannot discover fixture ... wrapped by
        @classmethod"); below it (``@pytest.fixture`` then ``@classmethod``) it is a
        fixture in every supported version."""
        return (
            function.is_classmethod
            and function.classmethod_outer
            and (self.pytest_version >= (9, 2))
        )

    def display_path(self, path: Path) -> str:
        """Relative to the rootdir; a file of an installed distribution relative to its
        site-packages (``_pytest/tmpdir.py``, also from a virtualenv below the rootdir);
        another file on sys.path relative to the most specific entry holding it.

        Not the first sys.path entry holding it: ``python -m`` puts the working
        directory first, and what is shown would depend on where the command runs."""
        roots = [root for root in self.index.site_roots if root in path.parents]
        roots.sort(key=lambda root: len(root.parts), reverse=True)  # most specific first
        sites = [root for root in roots if root.name in ("site-packages", "dist-packages")]
        site = sites[0] if sites else None
        if self.rootdir in path.parents and (site is None or self.rootdir not in site.parents):
            return path.relative_to(self.rootdir).as_posix()
        root = site or (roots[0] if roots else None)
        return path.as_posix() if root is None else path.relative_to(root).as_posix()

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
                path=self.display_path(target.path),
                line=function.line,
                function=function.name,
                scope=Scope(spec.scope),
                origin=origin,
                order=self.registry.next_order,
                argnames=funcargnames(function, method=method),
                autouse=spec.autouse,
                scope_dynamic=spec.scope_dynamic,
                has_params=spec.has_params,
                params_count=(
                    spec.params_count
                    if spec.params_count is not None or spec.params_from is None
                    else self.index.sequence_length(target.path, target.summary, spec.params_from)
                ),
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
                path=self.display_path(path),
                line=line,
                function=name,
                scope=scope,
                origin=Origin.XUNIT,
                order=self.registry.next_order,
                argnames=("request",),
                autouse=True,
            )
        )


def _plain(methods: dict[str, tuple[Target, Function]], *names: str) -> Function | None:
    """The first of `names` defined as a plain method (not a fixture)."""
    for name in names:
        found = methods.get(name)
        if found is not None and found[1].fixture is None:
            return found[1]
    return None
