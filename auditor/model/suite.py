"""The suite model: tests and fixture definitions as pytest would collect and register them.

Visibility follows pytest 9: a fixture is registered at a collection node (the session for
plugins, builtins and the rootdir conftest; a directory for other conftests; a module; a
class) and a test sees it when that node is one of its parents. Node keys are pytest node
ids without parametrization: "" (the session), "tests/unit", "tests/unit/test_x.py",
"tests/unit/test_x.py::TestY".
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from auditor.model.discover import Problem
from auditor.model.environment import SuiteEnvironment
from auditor.parse.summary import DynamicFixture, ModuleSummary, ParseFailure
from auditor.types import Scope


class Origin(str, enum.Enum):
    BUILTIN = "builtin"
    PLUGIN = "plugin"
    CONFTEST = "conftest"
    MODULE = "module"
    CLASS = "class"
    XUNIT = "xunit"
    PARAM = "param"


@dataclass(frozen=True, slots=True)
class FixtureDef:
    """One fixture definition registered at one node."""

    name: str
    node: str
    path: str
    line: int
    function: str
    scope: Scope
    origin: Origin
    order: int
    argnames: tuple[str, ...] = ()
    autouse: bool = False
    scope_dynamic: bool = False
    has_params: bool = False
    params_count: int | None = None
    is_generator: bool = False
    is_async: bool = False
    getfixturevalue: tuple[str, ...] = ()
    dynamic_request: bool = False

    @property
    def key(self) -> str:
        """A unique id: where it is defined and the node it is registered at."""
        return f"{self.path}:{self.line}:{self.name}@{self.node}"


@dataclass(frozen=True, slots=True)
class TestItem:
    """One test function as pytest collects it (parametrized cases folded into one)."""

    nodeid: str
    name: str
    path: str
    line: int
    chain: tuple[str, ...]
    argnames: tuple[str, ...] = ()
    usefixtures: tuple[str, ...] = ()
    direct_params: tuple[str, ...] = ()
    indirect_params: tuple[str, ...] = ()
    """Parametrize argnames that go through fixtures (``indirect``): their values, not the
    fixture's own params, make the items."""
    param_scopes: tuple[tuple[str, str], ...] = ()
    marks: tuple[str, ...] = ()
    cases: int | None = 1
    parametrized: bool = False
    is_unittest: bool = False
    is_async: bool = False
    getfixturevalue: tuple[str, ...] = ()
    dynamic_request: bool = False
    defined_in: str = ""
    own_marks: bool = False
    """The function itself carries marks (decorators): its ``pytestmark`` attribute is
    one of the names `-k` matches."""
    deselected: str | None = None
    """The `addopts` option that deselects the test (``-m 'not slow'``): pytest collects
    it and does not run it."""


@dataclass(frozen=True, slots=True)
class Suite:
    """Everything known statically about one suite."""

    rootdir: str
    test_files: tuple[str, ...]
    conftests: tuple[str, ...]
    tests: tuple[TestItem, ...]
    fixtures: tuple[FixtureDef, ...]
    autouse: dict[str, tuple[str, ...]]
    failures: tuple[ParseFailure, ...] = ()
    problems: tuple[Problem, ...] = ()
    dynamic_fixtures: tuple[tuple[str, DynamicFixture], ...] = ()
    plugins: tuple[str, ...] = ()
    dynamic_plugins: tuple[str, ...] = ()
    pytest_version: tuple[int, int] = (9, 2)
    generate_tests_hooks: tuple[str, ...] = ()
    other_files: tuple[str, ...] = ()
    packages: frozenset[str] = frozenset()
    modules: dict[str, ModuleSummary] = field(default_factory=dict, repr=False)
    """Summaries of the test files and conftests that parsed, by path."""
    environment: SuiteEnvironment | None = None
    """Whose plugins were read: the suite's interpreter and site-packages."""
    selection_problems: tuple[str, ...] = ()
    """`-m`/`-k` options of `addopts` that could not be applied, and why."""
    helpers: dict[str, ModuleSummary] = field(default_factory=dict, repr=False)
    """Summaries of the suite's helper modules its tests and conftests import, by path."""
    parsed: dict[str, ModuleSummary] = field(default_factory=dict, repr=False, compare=False)
    """Other files under the rootdir the model parsed on the way (a module a conftest
    imports names from): the tiers' reach into the project reads them, not parsing again."""
    _by_name: dict[str, dict[str, list[FixtureDef]]] = field(
        default_factory=dict, repr=False, init=False, compare=False
    )

    def __post_init__(self) -> None:
        for definition in sorted(self.fixtures, key=lambda d: d.order):
            by_node = self._by_name.setdefault(definition.name, {})
            by_node.setdefault(definition.node, []).append(definition)

    @property
    def selected(self) -> tuple[TestItem, ...]:
        """The tests pytest runs: those `addopts` does not deselect."""
        return tuple(t for t in self.tests if t.deselected is None)

    @property
    def deselected(self) -> tuple[TestItem, ...]:
        return tuple(t for t in self.tests if t.deselected is not None)

    def visible(self, name: str, chain: tuple[str, ...]) -> list[FixtureDef]:
        """Definitions of `name` a node with this parent chain sees, farthest first
        (pytest's ``getfixturedefs``): the last one is what it gets."""
        by_node = self._by_name.get(name)
        if not by_node:
            return []
        return [d for node in chain for d in by_node.get(node, ())]

    def autouse_names(self, chain: tuple[str, ...]) -> list[str]:
        return [name for node in chain for name in self.autouse.get(node, ())]

    @property
    def fixture_names(self) -> frozenset[str]:
        return frozenset(self._by_name)
