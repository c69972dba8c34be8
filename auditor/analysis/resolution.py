"""Fixture resolution exactly as pytest does it, for every test of the suite.

`resolve` replays pytest's ``getfixtureclosure`` (``_pytest/fixtures.py``) per test: the
initial names are autouse names by location, then `usefixtures` marks, then the test's
arguments; each name resolves to the closest visible definition, and a definition that
requests its own name gets the next one outward (the override chain). Direct parametrize
argnames are in the closure but never resolved. What pytest only discovers when the test
runs is found here too: ScopeMismatch (a fixture requesting a narrower one), names no
definition satisfies, and dependency cycles. Literal ``request.getfixturevalue("x")`` calls
become "dynamic" edges; non-literal ones mark the test as having unknown requests.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from auditor.model.suite import FixtureDef, Origin, Suite, TestItem
from auditor.types import Scope

SPECIAL_NAMES = frozenset({"request"})


@dataclass(frozen=True, slots=True)
class Edge:
    """A resolved request: `source` (a test node id or fixture key) gets `target`."""

    source: str
    target: str
    name: str
    kind: str  # "argument", "autouse", "usefixtures", "getfixturevalue"


@dataclass(frozen=True, slots=True)
class ScopeMismatch:
    """`requester` gets the narrower `requested`. `dynamic`: through getfixturevalue;
    `certain` is False when a scope is a callable pytest evaluates at run time."""

    requester: FixtureDef
    requested: FixtureDef
    tests: tuple[str, ...]
    dynamic: bool = False
    certain: bool = True


@dataclass(frozen=True, slots=True)
class UnknownFixture:
    """A requested name that no visible definition satisfies."""

    name: str
    path: str
    line: int
    requester: str
    tests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cycle:
    names: tuple[str, ...]
    path: str
    line: int
    tests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TestFixtures:
    """One test's closure: `names` as pytest's ``item.fixturenames`` (minus direct
    parametrize args), `definitions` the fixture keys it resolves to."""

    nodeid: str
    names: tuple[str, ...]
    definitions: tuple[str, ...]
    dynamic: tuple[str, ...] = ()
    unknown_requests: bool = False


@dataclass(frozen=True)
class Resolution:
    """The fixtures of every test, the requests between them, and what pytest would
    report about them. Read the requests through `requests` and `chain` rather than
    `edges`: they are indexed once and come in a deterministic order."""

    tests: dict[str, TestFixtures]
    edges: frozenset[Edge]
    mismatches: tuple[ScopeMismatch, ...]
    unknown: tuple[UnknownFixture, ...]
    cycles: tuple[Cycle, ...]
    used_by: Counter[str]
    definitions: dict[str, FixtureDef] = field(repr=False)

    def requests(self, source: str) -> tuple[Edge, ...]:
        """What `source` (a test node id or a fixture key) requests, over every test:
        its edges sorted by target, name and kind; () when it requests nothing."""
        return self._requests_by_source.get(source, ())

    def chain(self, source: str, target: str) -> tuple[str, ...]:
        """The requested names along the shortest request path from `source` (a test
        node id or a fixture key) to the fixture key `target`, e.g. ``("db_session",
        "engine")``; of equally short paths, the first in `requests` order. () when
        `target` is `source` or cannot be reached from it."""
        parents: dict[str, tuple[str, str]] = {}
        queue = deque([source])
        seen = {source}
        while queue:
            current = queue.popleft()
            if current == target:
                names: list[str] = []
                while current != source:
                    current, name = parents[current]
                    names.append(name)
                return tuple(reversed(names))
            for edge in self.requests(current):
                if edge.target not in seen:
                    seen.add(edge.target)
                    parents[edge.target] = (current, edge.name)
                    queue.append(edge.target)
        return ()

    @cached_property
    def _requests_by_source(self) -> dict[str, tuple[Edge, ...]]:
        """`edges` indexed by source, built on first use (the dataclass is frozen, but
        `cached_property` writes to the instance's ``__dict__`` directly)."""
        by_source: dict[str, list[Edge]] = {}
        for edge in sorted(self.edges, key=lambda e: (e.source, e.target, e.name, e.kind)):
            by_source.setdefault(edge.source, []).append(edge)
        return {source: tuple(edges) for source, edges in by_source.items()}


class _Resolver:
    def __init__(self, suite: Suite) -> None:
        self.suite = suite
        self.edges: set[Edge] = set()
        self.mismatches: dict[tuple[str, str, bool, bool], list[str]] = {}
        self.pseudo: dict[str, FixtureDef] = {}
        self.unknown: dict[tuple[str, str, int, str], list[str]] = {}
        self.cycles: dict[tuple[str, ...], tuple[FixtureDef, list[str]]] = {}
        self.used_by: Counter[str] = Counter()
        self._visible: dict[tuple[str, tuple[str, ...]], list[FixtureDef]] = {}

    def visible(self, name: str, chain: tuple[str, ...]) -> list[FixtureDef]:
        key = (name, chain)
        found = self._visible.get(key)
        if found is None:
            found = self._visible[key] = self.suite.visible(name, chain)
        return found

    def resolve_test(self, test: TestItem) -> TestFixtures:
        chain = test.chain
        sources: dict[str, str] = {}
        for name in self.suite.autouse_names(chain):
            sources.setdefault(name, "autouse")
        for name in test.usefixtures:
            sources.setdefault(name, "usefixtures")
        for name in test.argnames:
            sources.setdefault(name, "argument")
        ignore = set(test.direct_params)
        closure: list[str] = list(sources)
        current: dict[str, int] = {}
        stack: list[str] = []
        used: dict[str, FixtureDef] = {}

        def process(name: str, requester: FixtureDef | None) -> FixtureDef | None:
            if current.get(name) == -1 and name not in stack:
                return self._active(name, chain, -1)
            if name not in closure:
                closure.append(name)
            if name in SPECIAL_NAMES:
                return None
            if name in ignore:
                return self._param(test, name) if requester is not None else None
            definitions = self.visible(name, chain)
            index = current.get(name, -1)
            if not definitions or -index > len(definitions):
                if name in stack:
                    self._cycle(stack, name, requester, test.nodeid)
                else:
                    self._unknown(name, requester, test)
                return None
            definition = definitions[index]
            used[definition.key] = definition
            current[name] = index - 1
            stack.append(name)
            for dependency in definition.argnames:
                target = process(dependency, definition)
                if target is not None:
                    self._request(definition, target, dependency, "argument", test.nodeid)
            stack.pop()
            current[name] = index
            return definition

        for name, kind in sources.items():
            target = process(name, None)
            if target is not None:
                self.edges.add(Edge(test.nodeid, target.key, name, kind))
        dynamic, unknown_requests = self._dynamic(test, used)
        for key in used:
            self.used_by[key] += 1
        if self._legacy_prune(test, used.values()):
            closure = self._pruned(list(sources), closure, chain, ignore)
        names = tuple(n for n in closure if n not in ignore)
        return TestFixtures(test.nodeid, names, tuple(used), dynamic, unknown_requests)

    def _legacy_prune(self, test: TestItem, used: Iterable[FixtureDef]) -> bool:
        """pytest before 9.1 recomputed the closure of parametrized tests following
        only the closest definition of each name (``prune_dependency_tree``), so names
        reached only through an overridden definition drop out of ``fixturenames``."""
        if self.suite.pytest_version >= (9, 1):
            return False
        return (
            test.parametrized
            or any(d.has_params for d in used)
            or any(_hook_applies(h, test.path) for h in self.suite.generate_tests_hooks)
        )

    def _pruned(
        self, initial: list[str], closure: list[str], chain: tuple[str, ...], ignore: set[str]
    ) -> list[str]:
        keep: set[str] = set()
        work = list(initial)
        while work:
            name = work.pop()
            if name in keep or name not in closure:
                continue
            keep.add(name)
            if name in ignore:
                work.append("request")
                continue
            definitions = self.visible(name, chain)
            if definitions:
                work.extend(definitions[-1].argnames)
        return [n for n in closure if n in keep]

    def _param(self, test: TestItem, name: str) -> FixtureDef:
        """The pseudo-fixture pytest makes for a direct parametrize argname: function
        scope unless the parametrize mark says otherwise."""
        scope = dict(test.param_scopes).get(name, Scope.FUNCTION.value)
        definition = FixtureDef(
            name=name,
            node=test.nodeid,
            path=test.path,
            line=test.line,
            function=test.name,
            scope=Scope(scope),
            origin=Origin.PARAM,
            order=-1,
        )
        self.pseudo[definition.key] = definition
        return definition

    def _active(self, name: str, chain: tuple[str, ...], index: int) -> FixtureDef | None:
        definitions = self.visible(name, chain)
        return definitions[index] if definitions and -index <= len(definitions) else None

    def _dynamic(self, test: TestItem, used: dict[str, FixtureDef]) -> tuple[tuple[str, ...], bool]:
        """Literal getfixturevalue calls of the test and of the fixtures it uses."""
        names: list[str] = []
        unknown = test.dynamic_request
        requesters: list[tuple[str, FixtureDef | None, tuple[str, ...]]] = [
            (test.nodeid, None, test.getfixturevalue)
        ]
        requesters += [(d.key, d, d.getfixturevalue) for d in list(used.values())]
        for source, definition, requested in requesters:
            if definition is not None and definition.dynamic_request:
                unknown = True
            for name in requested:
                if name in SPECIAL_NAMES:
                    continue
                target = self._active(name, test.chain, -1)
                if target is None:
                    self._unknown(name, definition, test)
                    continue
                names.append(name)
                self.edges.add(Edge(source, target.key, name, "getfixturevalue"))
                if definition is not None:
                    self._check_scope(definition, target, test.nodeid, dynamic=True)
        return tuple(dict.fromkeys(names)), unknown

    def _request(
        self,
        requester: FixtureDef,
        target: FixtureDef,
        name: str,
        kind: str,
        nodeid: str,
    ) -> None:
        self.edges.add(Edge(requester.key, target.key, name, kind))
        self._check_scope(requester, target, nodeid, dynamic=False)

    def _check_scope(
        self, requester: FixtureDef, target: FixtureDef, nodeid: str, *, dynamic: bool
    ) -> None:
        if requester.scope_dynamic or target.scope_dynamic:
            possible = (target.scope_dynamic and requester.scope is not Scope.FUNCTION) or (
                requester.scope_dynamic and target.scope is not Scope.SESSION
            )
            if possible:
                self.mismatches.setdefault((requester.key, target.key, dynamic, False), []).append(
                    nodeid
                )
            return
        if target.scope.is_narrower_than(requester.scope):
            self.mismatches.setdefault((requester.key, target.key, dynamic, True), []).append(
                nodeid
            )

    def _unknown(self, name: str, requester: FixtureDef | None, test: TestItem) -> None:
        if requester is None:
            key = (name, test.path, test.line, test.nodeid)
        else:
            key = (name, requester.path, requester.line, requester.name)
        self.unknown.setdefault(key, []).append(test.nodeid)

    def _cycle(
        self, stack: list[str], name: str, requester: FixtureDef | None, nodeid: str
    ) -> None:
        start = stack.index(name)
        names = (*stack[start:], name)
        anchor = requester
        if anchor is None:
            return
        entry = self.cycles.setdefault(names, (anchor, []))
        entry[1].append(nodeid)


def _hook_applies(hook_file: str, test_path: str) -> bool:
    """A `pytest_generate_tests` in a conftest reaches its folder; in a module, itself."""
    if hook_file.rsplit("/", 1)[-1] != "conftest.py":
        return hook_file == test_path
    folder = hook_file.rpartition("/")[0]
    return not folder or test_path.startswith(folder + "/")


def resolve(suite: Suite) -> Resolution:
    """Resolve every test's fixtures; see the module docstring."""
    resolver = _Resolver(suite)
    tests = {test.nodeid: resolver.resolve_test(test) for test in suite.tests}
    definitions = {d.key: d for d in suite.fixtures}
    known = {**definitions, **resolver.pseudo}
    mismatches = tuple(
        ScopeMismatch(known[a], known[b], tuple(dict.fromkeys(nodeids)), dynamic, certain)
        for (a, b, dynamic, certain), nodeids in resolver.mismatches.items()
    )
    unknown = tuple(
        UnknownFixture(name, path, line, requester, tuple(dict.fromkeys(nodeids)))
        for (name, path, line, requester), nodeids in resolver.unknown.items()
    )
    cycles = tuple(
        Cycle(names, anchor.path, anchor.line, tuple(dict.fromkeys(nodeids)))
        for names, (anchor, nodeids) in resolver.cycles.items()
    )
    return Resolution(
        tests=tests,
        edges=frozenset(resolver.edges),
        mismatches=mismatches,
        unknown=unknown,
        cycles=cycles,
        used_by=resolver.used_by,
        definitions=definitions,
    )


def overrides(suite: Suite) -> list[tuple[FixtureDef, FixtureDef]]:
    """(definition, the definition it overrides) for names defined at nested nodes."""
    pairs: list[tuple[FixtureDef, FixtureDef]] = []
    by_name: dict[str, list[FixtureDef]] = {}
    for definition in suite.fixtures:
        by_name.setdefault(definition.name, []).append(definition)
    for definitions in by_name.values():
        if len(definitions) < 2:
            continue
        for inner in definitions:
            outer = _closest_outer(inner, definitions)
            if outer is not None:
                pairs.append((inner, outer))
    return pairs


def _closest_outer(inner: FixtureDef, definitions: list[FixtureDef]) -> FixtureDef | None:
    """The definition `inner` shadows: same name, registered at an enclosing node."""
    best: FixtureDef | None = None
    for outer in definitions:
        if outer is inner or not _encloses(outer.node, inner.node, outer.order < inner.order):
            continue
        if (
            best is None
            or len(outer.node) > len(best.node)
            or (outer.node == best.node and outer.order > best.order)
        ):
            best = outer
    return best


def _encloses(outer: str, inner: str, earlier: bool) -> bool:
    if outer == inner:
        return earlier
    if outer == "":
        return True
    return inner.startswith((outer + "/", outer + "::"))
