"""Tiers: unit, integration or performance (or the configured names) for every test, with
the evidence behind each call, strongest first.

Evidence has four levels. What the test really reaches is the strongest: what its body,
the suite's helper functions it calls and the fixtures of its closure call (an engine, a
socket, a subprocess, a test client, a benchmark, a timed assertion...), as matched by
the signal packs of `auditor.analysis.tier_signals`. Then the marks the suite put on it, then the
folders its file lives in, and last its file's name. A fifth level, above them all, is what
a run of the suite saw the test do (`scan --run`, `auditor.analysis.confirm`).

The call: the heaviest tier among the reach and mark evidence (a test marked unit that
opens a socket is integration; a performance test that uses the database is
performance). Without any, the heaviest tier among folder evidence, then name evidence,
then the lightest tier. A mock (responses, respx, moto, fakeredis, a ``mock.patch`` of
the very call) anywhere in the test or its closure removes the reach evidence of the
family it mocks.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from auditor.analysis.resolution import Resolution
from auditor.analysis.tier_signals import Signal, SignalSet
from auditor.model.imports import module_name
from auditor.model.suite import FixtureDef, Origin, Suite, TestItem
from auditor.parse.summary import Class, Function, ModuleSummary

_HELPER_DEPTH = 4
_CONSTRUCTION = ("__init__", "__enter__", "__exit__", "__aenter__", "__aexit__")
"""What calling a class of the suite runs (``with Stopwatch() as watch:`` included)."""
_CLASS_SETUP = ("setUp", "setUpClass", "asyncSetUp", "setup_method", "setup_class")
_MODULE_SETUP = ("setUpModule", "setup_module", "setup_function")
"""xunit-style setup the test runs without a fixture pytest would list."""


class Level(enum.IntEnum):
    NAME = 0
    FOLDER = 1
    MARK = 2
    REACH = 3
    RUN = 4
    """What a profiled run saw the test do (`scan --run`, :mod:`auditor.analysis.confirm`)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for a tier: what was seen, where."""

    tier: str
    level: Level
    text: str
    path: str
    line: int
    signal: str
    subject: str = ""
    """The call, fixture or mark matched."""

    def __str__(self) -> str:
        return f"{self.text} ({self.path}:{self.line})" if self.line else self.text


@dataclass(frozen=True, slots=True)
class TestTier:
    nodeid: str
    path: str
    tier: str
    evidence: tuple[Evidence, ...]
    """What decided the tier, strongest first; then other evidence seen."""
    mocked: tuple[str, ...] = ()
    """Reach evidence set aside because the family is mocked."""


@dataclass(frozen=True, slots=True)
class Tiers:
    names: tuple[str, ...]
    tests: dict[str, TestTier]

    def counts(self, tests: Iterable[TestTier] | None = None) -> dict[str, int]:
        counted = Counter(t.tier for t in (self.tests.values() if tests is None else tests))
        return {name: counted.get(name, 0) for name in self.names}

    def by_folder(self) -> dict[str, dict[str, int]]:
        folders: dict[str, list[TestTier]] = {}
        for test in self.tests.values():
            folders.setdefault(str(PurePosixPath(test.path).parent), []).append(test)
        return {folder: self.counts(tests) for folder, tests in sorted(folders.items())}

    def mixed_files(self) -> dict[str, dict[str, int]]:
        """Test files whose tests fall in more than one tier."""
        files: dict[str, list[TestTier]] = {}
        for test in self.tests.values():
            files.setdefault(test.path, []).append(test)
        mixed = {path: self.counts(tests) for path, tests in sorted(files.items())}
        return {p: c for p, c in mixed.items() if sum(1 for n in c.values() if n) > 1}


@dataclass(slots=True)
class _Facts:
    """What one def does, its helpers included."""

    hits: list[Evidence] = field(default_factory=list)
    mocks: dict[str, str] = field(default_factory=dict)
    """Mocked family -> what mocks it, where."""
    patched: list[tuple[str, str]] = field(default_factory=list)
    """(patch target, where) of ``mock.patch("...")`` calls."""
    timers: list[tuple[str, int, str]] = field(default_factory=list)
    ordering: list[tuple[int, str]] = field(default_factory=list)
    concurrency: list[tuple[str, int, str]] = field(default_factory=list)
    loops: list[tuple[int, int, str]] = field(default_factory=list)

    def absorb(self, other: _Facts, via: str = "", *, timing: bool = True) -> None:
        """Take in a helper's or a fixture's facts; a fixture's timing and loops say
        nothing about the test that requests it (`timing` False)."""
        self.hits.extend(_via(e, via) for e in other.hits)
        for family, text in other.mocks.items():
            self.mocks.setdefault(family, f"{via} -> {text}" if via else text)
        self.patched.extend(other.patched)
        if not timing:
            return
        self.timers.extend(other.timers)
        self.ordering.extend(other.ordering)
        self.concurrency.extend(other.concurrency)
        self.loops.extend(other.loops)


def _via(evidence: Evidence, via: str) -> Evidence:
    return replace(evidence, text=f"{via} -> {evidence.text}") if via else evidence


@dataclass(frozen=True, slots=True)
class _Def:
    path: str
    function: Function
    klass: Class | None


class _Code:
    """The suite's own code: defs by place and by name, and module names to files."""

    def __init__(self, suite: Suite) -> None:
        self.rootdir = Path(suite.rootdir)
        self.modules: dict[str, ModuleSummary] = {**suite.helpers, **suite.modules}
        self.by_line: dict[tuple[str, int], _Def] = {}
        self.top: dict[str, dict[str, Function | Class]] = {}
        for path, summary in self.modules.items():
            top: dict[str, Function | Class] = {}
            for function in summary.functions:
                top[function.name] = function
            for klass in _classes(summary.classes):
                top.setdefault(klass.name, klass)
            for function, owners in summary.defs():
                owner = owners[-1] if owners else None
                self.by_line[path, function.line] = _Def(path, function, owner)
            self.top[path] = top
        self.dotted: dict[str, str] = {}
        for path in self.modules:
            for name in _module_names(path, self.rootdir):
                self.dotted.setdefault(name, path)

    def resolve(self, where: _Def, name: str) -> list[_Def]:
        """The suite defs a call runs, if it names any: a function, or a class's
        constructor and context-manager methods."""
        head, _, rest = name.partition(".")
        if head in ("self", "cls") and rest and "." not in rest and where.klass is not None:
            return _some(self.method(where.path, where.klass, rest, depth=0))
        if not rest:
            return self.named(where.path, head, depth=0)
        local = self.top.get(where.path, {}).get(head)
        if isinstance(local, Class) and "." not in rest:
            return _some(self.method(where.path, local, rest, depth=0))
        module, _, attr = name.rpartition(".")
        path = self.dotted.get(module)
        return self.named(path, attr, depth=1) if path is not None else []

    def named(self, path: str, name: str, depth: int) -> list[_Def]:
        if depth > 2:
            return []
        obj = self.top.get(path, {}).get(name)
        if isinstance(obj, Function):
            return [_Def(path, obj, None)]
        if isinstance(obj, Class):
            found = (self.method(path, obj, m, depth) for m in _CONSTRUCTION)
            return [d for d in found if d is not None]
        summary = self.modules.get(path)
        if summary is None:
            return []
        for binding in reversed(summary.bindings):
            if binding.name != name:
                continue
            if binding.kind != "import":
                return []
            target = self._module(path, binding.module, binding.level)
            return [] if target is None else self.named(target, binding.target, depth + 1)
        return []

    def method(self, path: str, klass: Class, name: str, depth: int) -> _Def | None:
        for function in klass.functions:
            if function.name == name:
                return _Def(path, function, klass)
        if depth > 2:
            return None
        for base in klass.bases:
            parent = self.top.get(path, {}).get(base)
            if isinstance(parent, Class):
                found = self.method(path, parent, name, depth + 1)
                if found is not None:
                    return found
        return None

    def _module(self, importer: str, module: str, level: int) -> str | None:
        if not level:
            return self.dotted.get(module)
        base = PurePosixPath(importer).parent
        for _ in range(level - 1):
            base = base.parent
        stem = base.joinpath(*module.split(".")) if module else base
        for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
            if candidate in self.modules:
                return candidate
        return None

    def bases(self, path: str, klass: Class, depth: int = 0) -> Iterator[str]:
        for base in klass.bases:
            yield base
            parent = self.top.get(path, {}).get(base)
            if isinstance(parent, Class) and depth < 3:
                yield from self.bases(path, parent, depth + 1)

    def class_of(self, path: str, line: int) -> Class | None:
        found = self.by_line.get((path, line))
        return found.klass if found is not None else None


def _some(found: _Def | None) -> list[_Def]:
    return [] if found is None else [found]


def _classes(classes: Iterable[Class]) -> Iterator[Class]:
    for klass in classes:
        yield klass
        yield from _classes(klass.classes)


def _module_names(path: str, rootdir: Path) -> list[str]:
    """Dotted names a module may be imported under: from the rootdir, from its package
    root (pytest's prepend mode), and rootdir-relative suffixes of two parts or more."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    names = [".".join(parts[i:]) for i in range(len(parts) - 1)] if parts else []
    names.append(module_name(rootdir / path))
    return [n for n in names if n]


class Classifier:
    def __init__(self, suite: Suite, resolution: Resolution, signals: SignalSet) -> None:
        self.suite = suite
        self.resolution = resolution
        self.signals = signals
        self.code = _Code(suite)
        self.weight = {name: index for index, name in enumerate(signals.tiers)}
        self._facts: dict[tuple[str, int], _Facts] = {}
        self._fixture_facts: dict[str, _Facts] = {}
        self._methods = {m: s for s in signals.with_field("methods") for m in s.methods}
        self._fixtures = {f: s for s in signals.with_field("fixtures") for f in s.fixtures}
        self._marks = {m: s for s in signals.with_field("marks") for m in s.marks}
        self._bases = {b: s for s in signals.with_field("bases") for b in s.bases}
        self._folders = {f: s for s in signals.with_field("folders") for f in s.folders}
        self._names = {n: s for s in signals.with_field("names") for n in s.names}
        self._timers = {t: s for s in signals.with_field("timers") for t in s.timers}
        self._concurrency = {c: s for s in signals.with_field("concurrency") for c in s.concurrency}
        self._opens = signals.with_field("opens")
        self._prefixes = [(p, s) for s in signals.with_field("prefixes") for p in s.prefixes]
        self._intent = {s.id for s in signals.signals if s.intent}
        self._suite_files = set(suite.test_files) | set(suite.conftests)
        self._edges: dict[str, list[tuple[str, str]]] | None = None
        self._families = {s.id: s.family for s in signals.signals}

    def classify(self) -> Tiers:
        tests = {t.nodeid: self.test(t) for t in self.suite.tests}
        return Tiers(self.signals.tiers, tests)

    def test(self, test: TestItem) -> TestTier:
        facts = _Facts()
        where = self.code.by_line.get((test.defined_in or test.path, test.line))
        if where is not None:
            facts.absorb(self.facts(where, depth=0))
            for setup in self._setups(where):
                label = f"`{setup.function.name}` ({setup.path}:{setup.function.line})"
                facts.absorb(self.facts(setup, depth=1), label, timing=False)
        for definition in self._closure(test):
            fixture = self.fixture_facts(definition)
            if fixture.hits or fixture.mocks or fixture.patched:
                facts.absorb(fixture, self._fixture_label(test, definition), timing=False)
        for name in self._unresolved(test):
            signal = self._fixtures.get(name)
            if signal is not None:
                text = f"{signal.what} (`{name}`, a fixture of a plugin not installed here)"
                self._hit(facts, signal, text, test.path, test.line, name)
        reach = self._reach(facts)
        reach.extend(self._bases_evidence(test, where))
        kept, mocked = self._unmocked(reach, facts)
        marks = list(self._marks_evidence(test))
        folders, names = self._layout_evidence(test, measures=_measures(facts))
        tier, decisive = self._decide(kept, marks, folders, names)
        # dict, not set: ties keep the order found (a set's order changes from run to run)
        ranked = sorted(
            dict.fromkeys([*decisive, *kept, *marks, *folders, *names]),
            key=lambda e: (e not in decisive, -e.level, -self.weight.get(e.tier, 0)),
        )
        return TestTier(test.nodeid, test.path, tier, tuple(ranked), tuple(mocked))

    def _decide(
        self,
        reach: list[Evidence],
        marks: list[Evidence],
        folders: list[Evidence],
        names: list[Evidence],
    ) -> tuple[str, list[Evidence]]:
        intent = [e for e in (*reach, *marks) if e.signal in self._intent]
        for group in (intent, reach, marks, folders, names):
            if group:
                heaviest = max(self.weight[e.tier] for e in group)
                tier = self.signals.tiers[heaviest]
                return tier, [e for e in group if e.tier == tier]
        default = self.signals.tiers[0]
        return default, [
            Evidence(
                default,
                Level.NAME,
                "no signal of another tier in the test, its fixtures or its helpers",
                "",
                0,
                "default",
            )
        ]

    def _closure(self, test: TestItem) -> list[FixtureDef]:
        fixtures = self.resolution.tests.get(test.nodeid)
        if fixtures is None:
            return []
        found = [self.resolution.definitions.get(key) for key in fixtures.definitions]
        skipped = (Origin.PARAM, Origin.XUNIT)  # xunit setup is read as `_setups`
        return [d for d in found if d is not None and d.origin not in skipped]

    def _setups(self, where: _Def) -> Iterator[_Def]:
        """The xunit-style setup methods and functions that run around the test."""
        if where.klass is not None:
            for name in _CLASS_SETUP:
                found = self.code.method(where.path, where.klass, name, depth=0)
                if found is not None:
                    yield found
        for name in _MODULE_SETUP:
            yield from self.code.named(where.path, name, depth=0)

    def _unresolved(self, test: TestItem) -> list[str]:
        """Requested fixture names with no definition in sight (their plugin is not
        installed where the audit runs): the name is all there is to go on."""
        fixtures = self.resolution.tests.get(test.nodeid)
        if fixtures is None:
            return []
        resolved = {
            d.name for k in fixtures.definitions if (d := self.resolution.definitions.get(k))
        }
        return [n for n in fixtures.names if n not in resolved]

    def _fixture_label(self, test: TestItem, definition: FixtureDef) -> str:
        """`fixture `db_session` -> `engine` (tests/conftest.py:12)`: how the test
        reaches the fixture, through the fixtures that request it."""
        chain = self._requests_chain(test.nodeid, definition.key)
        names = " -> ".join(f"`{name}`" for name in chain) or f"`{definition.name}`"
        return f"fixture {names} ({definition.path}:{definition.line})"

    def _requests_chain(self, nodeid: str, key: str) -> list[str]:
        if self._edges is None:
            self._edges = {}
            for edge in sorted(self.resolution.edges, key=lambda e: (e.source, e.target)):
                self._edges.setdefault(edge.source, []).append((edge.target, edge.name))
        parents: dict[str, tuple[str, str]] = {}
        queue = [nodeid]
        seen = {nodeid}
        while queue:
            current = queue.pop(0)
            if current == key:
                chain: list[str] = []
                while current != nodeid:
                    current, name = parents[current]
                    chain.append(name)
                return chain[::-1]
            for target, name in self._edges.get(current, ()):
                if target not in seen:
                    seen.add(target)
                    parents[target] = (current, name)
                    queue.append(target)
        return []

    def fixture_facts(self, definition: FixtureDef) -> _Facts:
        known = self._fixture_facts.get(definition.key)
        if known is not None:
            return known
        facts = _Facts()
        where = self.code.by_line.get((definition.path, definition.line))
        if where is not None:
            facts.absorb(self.facts(where, depth=0))
        if definition.path not in self._suite_files:
            signal = self._fixtures.get(definition.name)
            if signal is not None:
                text = f"{signal.what} (`{definition.name}`)"
                self._hit(facts, signal, text, definition.path, definition.line, definition.name)
        self._fixture_facts[definition.key] = facts
        return facts

    def facts(self, where: _Def, depth: int) -> _Facts:
        key = (where.path, where.function.line)
        known = self._facts.get(key)
        if known is not None:
            return known
        facts = self._facts[key] = _Facts()  # guards against recursion
        reach = where.function.reach
        if reach is None:
            return facts
        path = where.path
        methods = {c.name.rpartition(".")[2] for c in reach.calls if "." in c.name}
        for call in reach.calls:
            self._match(facts, call.name, call.kind, path, call.line, methods)
            if call.kind == "call" and depth < _HELPER_DEPTH:
                for helper in self.code.resolve(where, call.name):
                    if helper.function is not where.function:
                        label = f"`{helper.function.name}` ({helper.path}:{helper.function.line})"
                        facts.absorb(self.facts(helper, depth + 1), label)
        facts.ordering.extend((line, path) for line in reach.ordering_asserts)
        facts.loops.extend((count, line, path) for count, line in reach.loops)
        return facts

    def _match(
        self, facts: _Facts, name: str, kind: str, path: str, line: int, methods: set[str]
    ) -> None:
        if kind == "patch":
            facts.patched.append((name, f"{path}:{line}"))
            return
        if kind == "open-write":
            for signal in self._opens:
                if name != "?" and not PurePosixPath(name).is_absolute():
                    text = f"{signal.what} (`open({name!r})`)"
                    self._hit(facts, signal, text, path, line, name)
            return
        if kind not in ("call", "decorator"):
            return
        for signal in self.signals.by_call(name):
            if name in signal.constructors and methods.isdisjoint(signal.requests):
                continue
            self._hit(facts, signal, f"{signal.what} (`{name}`)", path, line, name)
        method = name.rpartition(".")[2]
        if "." in name and method in self._methods:
            signal = self._methods[method]
            self._hit(facts, signal, f"{signal.what} (`.{method}()`)", path, line, name)
        last = name.rpartition(".")[2]
        for prefix, signal in self._prefixes:
            if last.startswith(prefix) and last[len(prefix) : len(prefix) + 1].isupper():
                self._hit(facts, signal, f"{signal.what} (`{last}`)", path, line, name)
                break
        if name in self._timers:
            facts.timers.append((name, line, path))
        if name in self._concurrency:
            facts.concurrency.append((name, line, path))

    def _hit(
        self, facts: _Facts, signal: Signal, text: str, path: str, line: int, subject: str
    ) -> None:
        if signal.mocks:
            for family in signal.mocks:
                facts.mocks.setdefault(family, f"{text} at {path}:{line}")
            return
        facts.hits.append(Evidence(signal.tier, Level.REACH, text, path, line, signal.id, subject))

    def _reach(self, facts: _Facts) -> list[Evidence]:
        found = list(facts.hits)
        measured = len(facts.timers) >= 2 or any(t[0].startswith("timeit.") for t in facts.timers)
        for signal in self._timers.values():
            if measured and facts.ordering:
                name, line, path = facts.timers[0]
                assert_line, assert_path = facts.ordering[0]
                text = (
                    f"{signal.what} (`{name}` at {path}:{line}, "
                    f"assert at {assert_path}:{assert_line})"
                )
                found.append(Evidence(signal.tier, Level.REACH, text, path, line, signal.id))
            break
        for signal in {id(s): s for s in self._concurrency.values()}.values():
            loops = [loop for loop in facts.loops if loop[0] >= signal.iterations]
            used = [c for c in facts.concurrency if c[0] in signal.concurrency]
            if used and loops:
                name, line, path = used[0]
                text = f"{signal.what} (`{name}` over {loops[0][0]} iterations)"
                found.append(Evidence(signal.tier, Level.REACH, text, path, line, signal.id))
        return found

    def _unmocked(self, reach: list[Evidence], facts: _Facts) -> tuple[list[Evidence], list[str]]:
        kept: list[Evidence] = []
        mocked: list[str] = []
        for evidence in reach:
            family = self._families.get(evidence.signal, "")
            mocker = facts.mocks.get(family) if family else None
            if mocker is None:
                mocker = _patched(evidence.subject, facts.patched)
            if mocker is None:
                kept.append(evidence)
            else:
                mocked.append(f"{evidence} is mocked: {mocker}")
                text = f"mocks what it would reach: {mocker}"
                kept.append(
                    Evidence(
                        self.signals.tiers[0],
                        Level.REACH,
                        text,
                        evidence.path,
                        evidence.line,
                        "mocked",
                        evidence.subject,
                    )
                )
        return kept, mocked

    def _bases_evidence(self, test: TestItem, where: _Def | None) -> Iterator[Evidence]:
        if where is None or where.klass is None:
            return
        for base in self.code.bases(where.path, where.klass):
            signal = self._bases.get(base)
            if signal is not None:
                text = f"{signal.what} (class `{where.klass.name}` is a `{base}`)"
                line = where.klass.line
                yield Evidence(signal.tier, Level.REACH, text, where.path, line, signal.id, base)

    def _marks_evidence(self, test: TestItem) -> Iterator[Evidence]:
        for mark in test.marks:
            signal = self._marks.get(mark)
            if signal is not None:
                text = f"{signal.what} (@pytest.mark.{mark})"
                yield Evidence(signal.tier, Level.MARK, text, test.path, test.line, signal.id, mark)

    def _layout_evidence(
        self, test: TestItem, *, measures: bool
    ) -> tuple[list[Evidence], list[Evidence]]:
        path = PurePosixPath(test.path)
        folders: list[Evidence] = []
        for folder in path.parts[:-1]:
            signal = self._folders.get(folder.lower())
            if signal is not None and (measures or not signal.measured):
                text = f"{signal.what} ({folder}/)"
                folders.append(Evidence(signal.tier, Level.FOLDER, text, test.path, 0, signal.id))
        names: list[Evidence] = []
        for word in path.stem.lower().split("_"):
            signal = self._names.get(word)
            if signal is not None and (measures or not signal.measured):
                text = f"its file's name says {word!r} ({path.name})"
                names.append(Evidence(signal.tier, Level.NAME, text, test.path, 0, signal.id))
        return folders, names


def _measures(facts: _Facts) -> bool:
    """Does the test read a clock, loop, or run things concurrently?"""
    return bool(facts.timers or facts.concurrency or any(c >= 10 for c, _, _ in facts.loops))


def _patched(called: str, patched: list[tuple[str, str]]) -> str | None:
    """A ``mock.patch`` target naming the very call the evidence is about."""
    if not called:
        return None
    for target, where in patched:
        if target == called or target.endswith("." + called) or called.endswith("." + target):
            return f"mock.patch({target!r}) at {where}"
    return None


def classify(suite: Suite, resolution: Resolution, signals: SignalSet) -> Tiers:
    """The tier of every test of the suite."""
    return Classifier(suite, resolution, signals).classify()
